/*
 * diskspec.c - parse disk specs as libxlutil 4.17 does.
 *
 * libxlutil tokenizes a spec with a flex scanner (libxlu_disk_l.l); we
 * reproduce its rules and flex's choice among them (the longest match,
 * the earliest rule on a tie; rules whose trailing context is ".*"
 * count as matching the whole rest).  In that order:
 *
 *   blanks     [ \t\n]+                     skipped
 *   target=    the rest of the spec, less one trailing ','
 *   KEY=VALUE  vdev format access devtype backendtype script backend
 *              specification colo-host colo-port colo-export active-disk
 *              hidden-disk; VALUE runs to the next ','
 *   flags      direct-io-safe discard no-discard colo cdrom
 *   other=V    an error: unknown parameter (V not empty)
 *   PREFIX:    raw: qcow: qcow2: vhd: (a format), iscsi: nbd: enbd:
 *              drbd: (script block-NAME), tap: tap2: tapdisk: aio:
 *              ioemu: file: phy: (ignored); any other word followed by
 *              ':' and a non-alphanumeric is an error
 *   positional target, format, vdev, access (after a prefix the format
 *              slot is skipped); a VDEV:cdrom or VDEV:disk is accepted
 *
 * tests/config/t2200-diskspec compares the result with xlu_disk_parse.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/diskspec.h"

struct dparse {
	const char *spec;
	struct xk_disk *d;
	bool had_prefix;
	bool access_set;
	struct xk_error *err;
	int failed;
};

static const char *const format_names[] = {
	"unknown", "qcow", "qcow2", "vhd", "raw", "empty", "qed",
};
static const char *const backend_names[] = {
	"unknown", "phy", "tap", "qdisk", "standalone",
};
static const char *const spec_names[] = { "unknown", "xen", "virtio" };

const char *
xk_disk_format_name(enum xk_disk_format f)
{
	return format_names[f];
}

const char *
xk_disk_backend_name(enum xk_disk_backend b)
{
	return backend_names[b];
}

const char *
xk_disk_spec_name(enum xk_disk_spec s)
{
	return spec_names[s];
}

static int
lookup(const char *const *names, int n, const char *s)
{
	for (int i = 1; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

/* Record the first error; libxlutil goes on scanning but fails anyway. */
static void
dfail(struct dparse *dp, const char *near, const char *why)
{
	if (dp->failed++ == 0)
		xk_error_set(dp->err, "disk spec '%s': %s near '%s'",
		    dp->spec, why, near);
}

static void
save(struct dparse *dp, char **slot, const char *what, const char *v)
{
	char msg[64];

	if (*slot != NULL && **slot != '\0') {
		snprintf(msg, sizeof(msg), "%s given twice", what);
		dfail(dp, v, msg);
		return;
	}
	free(*slot);
	*slot = strdup(v);
	if (*slot == NULL)
		dfail(dp, v, strerror(ENOMEM));
}

static void
set_format(struct dparse *dp, const char *v)
{
	int f = *v == '\0' ? XK_DISK_FORMAT_RAW :
	    lookup(format_names, 7, v);

	if (f < 0) {
		dfail(dp, v, "unknown format (raw, qcow, qcow2, vhd, qed, "
		    "empty)");
		return;
	}
	if (dp->d->format != XK_DISK_FORMAT_UNKNOWN &&
	    dp->d->format != (enum xk_disk_format)f) {
		dfail(dp, v, "format given twice");
		return;
	}
	dp->d->format = f;
}

static void
set_backendtype(struct dparse *dp, const char *v)
{
	int b = lookup(backend_names, 5, v);

	if (b < 0) {
		dfail(dp, v, "unknown backendtype (phy, tap, qdisk, "
		    "standalone)");
		return;
	}
	if (dp->d->backendtype != XK_DISK_BACKEND_UNKNOWN &&
	    dp->d->backendtype != (enum xk_disk_backend)b) {
		dfail(dp, v, "backendtype given twice");
		return;
	}
	dp->d->backendtype = b;
}

static void
set_specification(struct dparse *dp, const char *v)
{
	int s = lookup(spec_names, 3, v);

	if (s < 0) {
		dfail(dp, v, "unknown specification (xen, virtio)");
		return;
	}
	if (dp->d->specification != XK_DISK_SPEC_UNKNOWN &&
	    dp->d->specification != (enum xk_disk_spec)s) {
		dfail(dp, v, "specification given twice");
		return;
	}
	dp->d->specification = s;
}

static void
set_access(struct dparse *dp, const char *v)
{
	if (strcmp(v, "r") == 0 || strcmp(v, "ro") == 0)
		dp->d->readwrite = false;
	else if (strcmp(v, "w") == 0 || strcmp(v, "rw") == 0 || *v == '\0')
		dp->d->readwrite = true;
	else
		dfail(dp, v, "unknown access (r, ro, w, rw)");
}

static void
set_devtype(struct dparse *dp, const char *v, const char *tok)
{
	if (strcmp(v, "cdrom") == 0)
		dp->d->cdrom = true;
	else if (strcmp(v, "disk") == 0)
		dp->d->cdrom = false;
	else
		dfail(dp, tok, "unknown devtype (disk, cdrom)");
}

static void
set_colo_port(struct dparse *dp, const char *v)
{
	if (*v == '\0')
		dfail(dp, v, "empty colo-port");
	else
		save(dp, &dp->d->colo_port, "colo-port", v);
}

/* "VDEV:TYPE" (deprecated): true when tok had a ':' and was taken. */
static bool
vdev_and_devtype(struct dparse *dp, char *tok)
{
	char *colon = strrchr(tok, ':');

	if (colon == NULL)
		return false;
	*colon++ = '\0';
	dp->d->deprecated = true;
	save(dp, &dp->d->vdev, "vdev", tok);
	if (strcmp(colon, "cdrom") == 0)
		dp->d->cdrom = true;
	else if (strcmp(colon, "disk") == 0)
		dp->d->cdrom = false;
	else
		dfail(dp, colon, "unknown device type after ':' (cdrom, disk)");
	return true;
}

/* A positional parameter; returns -1 when scanning must stop. */
static int
positional(struct dparse *dp, char *tok)
{
	struct xk_disk *d = dp->d;

	if (dp->failed)
		return 0;
	if (d->target == NULL) {
		save(dp, &d->target, "target", tok);
	} else if (!dp->had_prefix && d->format == XK_DISK_FORMAT_UNKNOWN) {
		if (*d->target == '\0' && vdev_and_devtype(dp, tok))
			d->format = XK_DISK_FORMAT_EMPTY;
		else
			set_format(dp, tok);
	} else if (d->vdev == NULL) {
		if (!vdev_and_devtype(dp, tok))
			save(dp, &d->vdev, "vdev", tok);
	} else if (!dp->access_set) {
		dp->access_set = true;
		set_access(dp, tok);
	} else {
		dfail(dp, tok, "too many positional parameters");
		return -1;
	}
	return 0;
}

static bool
is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool
is_alnum(char c)
{
	return is_lower(c) || (c >= '0' && c <= '9');
}

/* Length of "[a-z][-a-z0-9]*=" at s, or 0. */
static size_t
param_name_len(const char *s)
{
	size_t n = 0;

	if (!is_lower(s[0]))
		return 0;
	while (is_alnum(s[n]) || s[n] == '-')
		n++;
	return s[n] == '=' ? n + 1 : 0;
}

/*
 * A deprecated "word:" prefix at s: returns its length and sets *known
 * to its index in the table, or -1 for an unknown prefix; 0 when s does
 * not start with one.
 */
static size_t
prefix_len(const char *s, int *known)
{
	static const char *const prefixes[] = {
		"raw", "qcow", "qcow2", "vhd",		/* 0-3: formats */
		"iscsi", "nbd", "enbd", "drbd",		/* 4-7: scripts */
		"tapdisk", "tap", "tap2", "aio", "ioemu", "file", "phy",
	};
	const char *p;
	size_t n = 0;

	while (is_alnum(s[n]) && (n > 0 || is_lower(s[0])))
		n++;
	if (n == 0 || s[n] != ':')
		return 0;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		if (strlen(prefixes[i]) == n &&
		    strncmp(prefixes[i], s, n) == 0) {
			*known = (int)i;
			return n + 1;
		}
	}
	/* The unknown-prefix rule needs a non-alphanumeric next. */
	p = s + n + 1;
	if (*p != '\0' && !is_alnum(*p)) {
		*known = -1;
		return n + 1;
	}
	return 0;
}

static void
apply_prefix(struct dparse *dp, const char *s, size_t len, int known)
{
	char word[16], script[32];

	snprintf(word, sizeof(word), "%.*s", (int)(len - 1), s);
	dp->had_prefix = true;
	dp->d->deprecated = true;
	if (known >= 0 && known <= 3) {
		set_format(dp, word);
	} else if (known >= 4 && known <= 7) {
		snprintf(script, sizeof(script), "block-%s", word);
		save(dp, &dp->d->script, "script", script);
	}
}

/* Copy the value of a KEY=VALUE token, less one trailing ','. */
static char *
token_value(const char *s, size_t len, size_t skip)
{
	if (len > skip && s[len - 1] == ',')
		len--;
	return strndup(s + skip, len - skip);
}

static size_t
value_len(const char *s, size_t skip)
{
	size_t n = skip + strcspn(s + skip, ",");

	return s[n] == ',' ? n + 1 : n;
}

static void
apply_keyword(struct dparse *dp, const char *key, const char *v,
    const char *tok)
{
	struct xk_disk *d = dp->d;

	if (strcmp(key, "vdev") == 0)
		save(dp, &d->vdev, "vdev", v);
	else if (strcmp(key, "format") == 0)
		set_format(dp, v);
	else if (strcmp(key, "access") == 0)
		set_access(dp, v);
	else if (strcmp(key, "devtype") == 0)
		set_devtype(dp, v, tok);
	else if (strcmp(key, "backendtype") == 0)
		set_backendtype(dp, v);
	else if (strcmp(key, "script") == 0)
		save(dp, &d->script, "script", v);
	else if (strcmp(key, "backend") == 0)
		save(dp, &d->backend, "backend", v);
	else if (strcmp(key, "specification") == 0)
		set_specification(dp, v);
	else if (strcmp(key, "colo-host") == 0)
		save(dp, &d->colo_host, "colo-host", v);
	else if (strcmp(key, "colo-port") == 0)
		set_colo_port(dp, v);
	else if (strcmp(key, "colo-export") == 0)
		save(dp, &d->colo_export, "colo-export", v);
	else if (strcmp(key, "active-disk") == 0)
		save(dp, &d->active_disk, "active-disk", v);
	else if (strcmp(key, "hidden-disk") == 0)
		save(dp, &d->hidden_disk, "hidden-disk", v);
}

static const char *const keywords[] = {
	"vdev", "format", "access", "devtype", "backendtype", "script",
	"backend", "specification", "colo-host", "colo-port", "colo-export",
	"active-disk", "hidden-disk", NULL,
};

static bool
is_keyword(const char *s, size_t namelen)
{
	for (const char *const *k = keywords; *k != NULL; k++)
		if (strlen(*k) == namelen && strncmp(*k, s, namelen) == 0)
			return true;
	return false;
}

/* Flags: "name" or "name,", as long as the positional rule's match. */
static bool
apply_flag(struct dparse *dp, const char *tok)
{
	struct xk_disk *d = dp->d;

	if (strcmp(tok, "direct-io-safe") == 0)
		d->direct_io_safe = true;
	else if (strcmp(tok, "discard") == 0)
		d->discard = 1;
	else if (strcmp(tok, "no-discard") == 0)
		d->discard = 0;
	else if (strcmp(tok, "colo") == 0)
		d->colo = true;
	else if (strcmp(tok, "cdrom") == 0)
		d->cdrom = true;
	else
		return false;
	return true;
}

/* Scan one token at s; returns its length, or 0 to stop scanning. */
static size_t
scan_token(struct dparse *dp, const char *s)
{
	size_t rest = strlen(s), n, plen;
	int known;
	char *tok;

	if (*s == ' ' || *s == '\t' || *s == '\n')
		return strspn(s, " \t\n");
	if (strncmp(s, "target=", 7) == 0) {
		tok = token_value(s, rest, 7);
		if (tok == NULL)
			return dfail(dp, s, strerror(ENOMEM)), 0;
		save(dp, &dp->d->target, "target", tok);
		free(tok);
		return rest;
	}
	n = param_name_len(s);
	/* other=VALUE is an error, but "other=" with no value is not
	 * matched by libxlutil's rule: it scans as positional "other" */
	if (n > 0 && !is_keyword(s, n - 1) && s[n] != ',' && s[n] != '\0') {
		dfail(dp, s, "unknown parameter");
		return value_len(s, n);
	}
	if (n > 0 && is_keyword(s, n - 1)) {
		size_t len = value_len(s, n);

		tok = token_value(s, len, n);
		if (tok == NULL)
			return dfail(dp, s, strerror(ENOMEM)), 0;
		{
			char key[16], whole[64];

			snprintf(key, sizeof(key), "%.*s", (int)(n - 1), s);
			snprintf(whole, sizeof(whole), "%.*s", (int)len, s);
			apply_keyword(dp, key, tok, whole);
		}
		free(tok);
		return len;
	}
	plen = prefix_len(s, &known);
	if (plen > 0) {
		if (known < 0) {
			dfail(dp, s, "unknown deprecated prefix");
			return 0;
		}
		apply_prefix(dp, s, plen, known);
		return plen;
	}
	/* positional: [^=,]*, or [^=,]+,? */
	n = strcspn(s, "=,");
	if (s[n] == ',')
		n++;
	if (n == 0) {
		/* libxlutil ignores one stray character at the very end */
		if (s[1] == '\0')
			return 1;
		dfail(dp, s, "bad disk syntax");
		return 0;
	}
	tok = token_value(s, n, 0);
	if (tok == NULL)
		return dfail(dp, s, strerror(ENOMEM)), 0;
	if (!apply_flag(dp, tok) && positional(dp, tok) < 0)
		n = 0;
	free(tok);
	return n;
}

static void
finish(struct dparse *dp)
{
	struct xk_disk *d = dp->d;

	if (d->format == XK_DISK_FORMAT_UNKNOWN)
		d->format = XK_DISK_FORMAT_RAW;
	if (d->cdrom) {
		d->removable = true;
		d->readwrite = false;
		if (d->target == NULL || *d->target == '\0')
			d->format = XK_DISK_FORMAT_EMPTY;
	}
	if (dp->failed)
		return;
	if (d->vdev == NULL)
		dfail(dp, dp->spec, "no vdev given");
	else if (d->target == NULL && !d->removable)
		dfail(dp, dp->spec, "no target given (and not a cdrom)");
}

int
xk_disk_parse(const char *spec, struct xk_disk *d, struct xk_error *err)
{
	struct dparse dp = { .spec = spec, .d = d, .err = err };
	const char *p = spec;

	memset(d, 0, sizeof(*d));
	d->readwrite = true;
	d->discard = -1;
	while (*p != '\0') {
		size_t n = scan_token(&dp, p);

		if (n == 0)
			break;
		p += n;
	}
	finish(&dp);
	if (dp.failed) {
		xk_disk_free(d);
		return -1;
	}
	return 0;
}

void
xk_disk_free(struct xk_disk *d)
{
	free(d->target);
	free(d->vdev);
	free(d->script);
	free(d->backend);
	free(d->colo_host);
	free(d->colo_port);
	free(d->colo_export);
	free(d->active_disk);
	free(d->hidden_disk);
	memset(d, 0, sizeof(*d));
}

static int
add_kv(struct strbuf *out, const char *key, const char *v)
{
	if (v == NULL)
		return 0;
	return strbuf_addf(out, "%s=%s, ", key, v);
}

int
xk_disk_format_spec(struct strbuf *out, const struct xk_disk *d)
{
	bool empty = d->target == NULL || *d->target == '\0';
	int rc = 0;

	if (!(d->cdrom && empty))
		rc |= strbuf_addf(out, "format=%s, ", format_names[d->format]);
	rc |= strbuf_addf(out, "vdev=%s, access=%s, ", d->vdev,
	    d->readwrite ? "rw" : "ro");
	if (d->cdrom)
		rc |= strbuf_adds(out, "devtype=cdrom, ");
	if (d->backendtype != XK_DISK_BACKEND_UNKNOWN)
		rc |= add_kv(out, "backendtype", backend_names[d->backendtype]);
	if (d->specification != XK_DISK_SPEC_UNKNOWN)
		rc |= add_kv(out, "specification",
		    spec_names[d->specification]);
	rc |= add_kv(out, "script", d->script);
	rc |= add_kv(out, "backend", d->backend);
	if (d->direct_io_safe)
		rc |= strbuf_adds(out, "direct-io-safe, ");
	if (d->discard >= 0)
		rc |= strbuf_adds(out, d->discard ? "discard, " :
		    "no-discard, ");
	if (d->colo)
		rc |= strbuf_adds(out, "colo, ");
	rc |= add_kv(out, "colo-host", d->colo_host);
	rc |= add_kv(out, "colo-port", d->colo_port);
	rc |= add_kv(out, "colo-export", d->colo_export);
	rc |= add_kv(out, "active-disk", d->active_disk);
	rc |= add_kv(out, "hidden-disk", d->hidden_disk);
	if (d->target != NULL) {
		size_t n = strlen(d->target);

		/* target= drops one trailing ',': double it to keep it */
		rc |= strbuf_addf(out, "target=%s%s", d->target,
		    n > 0 && d->target[n - 1] == ',' ? "," : "");
	} else if (out->len >= 2) {
		out->len -= 2;	/* the last ", " */
		out->buf[out->len] = '\0';
	}
	return rc < 0 ? -1 : 0;
}
