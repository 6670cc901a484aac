/*
 * diskspec.c - parse disk specs as libxlutil 4.17 does.
 *
 * libxlutil tokenizes a spec with a flex scanner (libxlu_disk_l.l); we
 * reproduce its rules and flex's choice among them: the longest match
 * wins, counting trailing context, and the earliest rule on a tie.
 * Like flex's ".", ".*" below stops at a newline; [^,] does not.
 *
 *   blanks     [ \t\n]+ with trailing context [^ \t\n].*      skipped
 *   target=.*  the target, less one trailing ','
 *   KEY=[^,]*  vdev format access devtype backendtype script backend
 *              specification colo-host colo-port colo-export active-disk
 *              hidden-disk, and one trailing ','
 *   flags      direct-io-safe discard no-discard colo cdrom, [',']
 *   WORD=[^,]  any other parameter: an error
 *   WORD: .*   raw: qcow: qcow2: vhd: (a format), iscsi: nbd: enbd:
 *              drbd: (script block-NAME), tap: tap2: tapdisk: aio:
 *              ioemu: file: phy: (ignored); any other WORD: is an
 *              error, with [^a-z0-9].* as optional trailing context
 *   [^=,]*,    positional: target, format, vdev, access (after a prefix
 *              the format slot is skipped); a VDEV:cdrom or VDEV:disk
 *              is accepted
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

/* As libxlutil: atoi(); 0 (which includes "no digits") is refused. */
static void
set_colo_port(struct dparse *dp, const char *v)
{
	char *copy;

	if ((int)strtol(v, NULL, 10) == 0) {
		dfail(dp, v, "colo-port is not a port number");
		return;
	}
	copy = strdup(v);		/* a number: given again, it replaces */
	if (copy == NULL) {
		dfail(dp, v, strerror(ENOMEM));
		return;
	}
	free(dp->d->colo_port);
	dp->d->colo_port = copy;
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

/* flex's "." stops at a newline: the length of ".*" at s. */
static size_t
line_len(const char *s)
{
	return strcspn(s, "\n");
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

static const char *const prefixes[] = {
	"raw", "qcow", "qcow2", "vhd",		/* 0-3: a format */
	"iscsi", "nbd", "enbd", "drbd",		/* 4-7: script block-NAME */
	"tapdisk", "tap", "tap2", "aio", "ioemu", "file", "phy",
};
#define NPREFIXES (sizeof(prefixes) / sizeof(prefixes[0]))

static const char *const keywords[] = {
	"vdev", "format", "access", "devtype", "backendtype", "script",
	"backend", "specification", "colo-host", "colo-port", "colo-export",
	"active-disk", "hidden-disk",
};
#define NKEYWORDS (sizeof(keywords) / sizeof(keywords[0]))

static const char *const flags[] = {
	"direct-io-safe", "discard", "no-discard", "colo", "cdrom",
};
#define NFLAGS (sizeof(flags) / sizeof(flags[0]))

/* The rules, in libxlutil's order (it breaks ties). */
enum rule {
	R_BLANK, R_TARGET, R_KEYWORD, R_FLAG, R_UNKNOWN_PARAM, R_PREFIX,
	R_UNKNOWN_PREFIX, R_POSITIONAL, R_NONE,
};

struct match {
	enum rule rule;
	size_t len;		/* matched, counting trailing context */
	size_t consume;		/* what the rule consumes */
	size_t which;		/* keyword, flag or prefix index */
};

static void
consider(struct match *best, enum rule r, size_t len, size_t consume,
    size_t which)
{
	if (len > best->len) {	/* rules come in order: ties keep the first */
		best->rule = r;
		best->len = len;
		best->consume = consume;
		best->which = which;
	}
}

static size_t
word_len(const char *s)
{
	size_t n = 0;

	if (!is_lower(s[0]))
		return 0;
	while (is_alnum(s[n]))
		n++;
	return n;
}

static void
match_prefixes(struct match *best, const char *s)
{
	size_t w = word_len(s);

	if (w == 0 || s[w] != ':')
		return;
	for (size_t i = 0; i < NPREFIXES; i++)
		if (strlen(prefixes[i]) == w && strncmp(prefixes[i], s, w) == 0)
			consider(best, R_PREFIX, w + 1 + line_len(s + w + 1),
			    w + 1, i);
	/* its trailing context [^a-z0-9].* is optional */
	if (s[w + 1] != '\0' && !is_alnum(s[w + 1]))
		consider(best, R_UNKNOWN_PREFIX, w + 2 + line_len(s + w + 2),
		    w + 1, 0);
	else
		consider(best, R_UNKNOWN_PREFIX, w + 1, w + 1, 0);
}

/* flex's longest match over libxlutil's disk rules, at s. */
static struct match
longest_match(const char *s)
{
	struct match best = { R_NONE, 0, 0, 0 };
	size_t n;

	if (is_blank(s[0])) {
		n = strspn(s, " \t\n");
		consider(&best, R_BLANK, n + (s[n] != '\0' ? 1 +
		    line_len(s + n + 1) : 0), n, 0);
	}
	if (strncmp(s, "target=", 7) == 0)
		consider(&best, R_TARGET, 7 + line_len(s + 7),
		    7 + line_len(s + 7), 0);
	n = param_name_len(s);
	for (size_t i = 0; n > 0 && i < NKEYWORDS; i++) {
		size_t k = strlen(keywords[i]), v;

		if (k + 1 != n || strncmp(keywords[i], s, k) != 0)
			continue;
		v = n + strcspn(s + n, ",");
		v += s[v] == ',';
		consider(&best, R_KEYWORD, v, v, i);
	}
	for (size_t i = 0; i < NFLAGS; i++) {
		size_t k = strlen(flags[i]);

		if (strncmp(flags[i], s, k) == 0)
			consider(&best, R_FLAG, k + (s[k] == ','),
			    k + (s[k] == ','), i);
	}
	if (n > 0 && s[n] != ',' && s[n] != '\0')
		consider(&best, R_UNKNOWN_PARAM, n + 1, n + 1, 0);
	match_prefixes(&best, s);
	n = strcspn(s, "=,");
	n += s[n] == ',';
	if (n > 0)
		consider(&best, R_POSITIONAL, n, n, 0);
	return best;
}

static void
apply_prefix(struct dparse *dp, size_t which)
{
	char script[32];

	dp->had_prefix = true;
	dp->d->deprecated = true;
	if (which <= 3) {
		set_format(dp, prefixes[which]);
	} else if (which <= 7) {
		snprintf(script, sizeof(script), "block-%s", prefixes[which]);
		save(dp, &dp->d->script, "script", script);
	}
}

/* Copy a token's value: skip bytes, less one trailing ','.  (A match
 * always covers its "key=" prefix; the check says so to the compiler,
 * which otherwise sees a possible wrap-around in len - skip.) */
static char *
token_value(const char *s, size_t len, size_t skip)
{
	if (len <= skip)
		return strdup("");
	if (s[len - 1] == ',')
		len--;
	return strndup(s + skip, len - skip);
}

static void
apply_keyword(struct dparse *dp, size_t which, const char *v,
    const char *tok)
{
	struct xk_disk *d = dp->d;
	const char *key = keywords[which];

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

static void
apply_flag(struct dparse *dp, size_t which)
{
	struct xk_disk *d = dp->d;

	switch (which) {
	case 0: d->direct_io_safe = true; break;
	case 1: d->discard = 1; break;
	case 2: d->discard = 0; break;
	case 3: d->colo = true; break;
	case 4: d->cdrom = true; break;
	}
}

/* Scan one token at s; returns what it consumed, 0 to stop scanning. */
static size_t
scan_token(struct dparse *dp, const char *s)
{
	struct match m = longest_match(s);
	char *tok = NULL;

	switch (m.rule) {
	case R_BLANK:
	case R_FLAG:
		if (m.rule == R_FLAG)
			apply_flag(dp, m.which);
		return m.consume;
	case R_PREFIX:
		apply_prefix(dp, m.which);
		return m.consume;
	case R_UNKNOWN_PARAM:
		dfail(dp, s, "unknown parameter");
		return m.consume;
	case R_UNKNOWN_PREFIX:
		dfail(dp, s, "unknown deprecated prefix");
		return 0;
	case R_NONE:
		/* libxlutil ignores one stray character at the very end */
		if (s[1] == '\0')
			return 1;
		dfail(dp, s, "bad disk syntax");
		return 0;
	default:
		break;
	}
	tok = token_value(s, m.consume, m.rule == R_TARGET ? 7 :
	    m.rule == R_KEYWORD ? strlen(keywords[m.which]) + 1 : 0);
	if (tok == NULL) {
		dfail(dp, s, strerror(ENOMEM));
		return 0;
	}
	if (m.rule == R_TARGET) {
		save(dp, &dp->d->target, "target", tok);
	} else if (m.rule == R_KEYWORD) {
		char whole[64];

		snprintf(whole, sizeof(whole), "%.*s", (int)m.consume, s);
		apply_keyword(dp, m.which, tok, whole);
	} else if (positional(dp, tok) < 0) {
		m.consume = 0;
	}
	free(tok);
	return m.consume;
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

	/* target= runs to the end of the line: a newline cannot be kept */
	if (d->target != NULL && strchr(d->target, '\n') != NULL)
		return -1;
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
