/*
 * pcstate.c - the daemon's state file: what it changed, to be undone
 * (see pcfile.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "power/pcfile.h"
#include "util/strbuf.h"

void
xk_pc_state_init(struct xk_pc_state *st)
{
	memset(st, 0, sizeof(*st));
	st->idle = -1;
	st->xen_pct = -1;
}

void
xk_pc_state_free(struct xk_pc_state *st)
{
	free(st->doms);
	xk_pc_state_init(st);
}

struct xk_pc_dom *
xk_pc_state_find(struct xk_pc_state *st, uint32_t domid)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (st->doms[i].domid == domid)
			return &st->doms[i];
	return NULL;
}

int
xk_pc_state_add(struct xk_pc_state *st, uint32_t domid, const char *uuid,
    int orig_cap, struct xk_error *err)
{
	struct xk_pc_dom *d;

	if (xk_pc_state_find(st, domid) != NULL) {
		xk_error_set(err, "domain %u recorded twice", domid);
		return -1;
	}
	if (st->n >= XK_PC_MAX_DOMS) {
		xk_error_set(err, "more than %d domains", XK_PC_MAX_DOMS);
		return -1;
	}
	if (st->n == st->alloc) {
		size_t na = st->alloc ? st->alloc * 2 : 16;

		if ((d = realloc(st->doms, na * sizeof(*d))) == NULL) {
			xk_error_errno(err, errno, "state");
			return -1;
		}
		st->doms = d;
		st->alloc = na;
	}
	d = &st->doms[st->n++];
	d->domid = domid;
	snprintf(d->uuid, sizeof(d->uuid), "%s", uuid);
	d->orig_cap = orig_cap;
	d->cur_cap = -1;
	return 0;
}

void
xk_pc_state_remove(struct xk_pc_state *st, uint32_t domid)
{
	struct xk_pc_dom *d = xk_pc_state_find(st, domid);

	if (d != NULL)
		*d = st->doms[--st->n];
}

static int
is_uuid(const char *s)
{
	int i;

	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (s[i] == '\0' || strchr("0123456789abcdef", s[i]) ==
		    NULL)
			return 0;
	}
	return s[36] == '\0';
}

/* "dom DOMID UUID CAP" (val is "DOMID UUID CAP"). */
static int
dom_line(struct xk_pc_state *st, const char *what, int no, const char *val,
    struct xk_error *err)
{
	unsigned long domid;
	char uuid[40];
	int cap, used = 0;

	if (sscanf(val, "%lu %39s %d%n", &domid, uuid, &cap, &used) != 3 ||
	    val[used] != '\0' || domid >= 0x7ff0 || !is_uuid(uuid) ||
	    cap < 0 || cap > 65535) {
		xk_error_set(err, "%s:%d: dom '%s': want DOMID (below 32752) "
		    "UUID (lowercase) CAP (0 to 65535)", what, no, val);
		return -1;
	}
	if (xk_pc_state_add(st, (uint32_t)domid, uuid, cap, err) < 0) {
		xk_error_prefix(err, "%s:%d", what, no);
		return -1;
	}
	return 0;
}

/* "xen_inject PCT PERIOD_US": the hypervisor's setting before. */
static int
xen_line(struct xk_pc_state *st, const char *what, int no, const char *val,
    struct xk_error *err)
{
	int pct, period, used = 0;

	if (sscanf(val, "%d %d%n", &pct, &period, &used) != 2 ||
	    val[used] != '\0' || pct < 0 || pct > 100 || period < 1000 ||
	    period > 1000000) {
		xk_error_set(err, "%s:%d: xen_inject '%s': want PERCENT (0 to "
		    "100) PERIOD_US (1000 to 1000000)", what, no, val);
		return -1;
	}
	st->xen_pct = pct;
	st->xen_period_us = period;
	return 0;
}

static int
state_kv(struct xk_pc_state *st, const char *what, int no, const char *key,
    const char *val, struct xk_error *err)
{
	char *end;
	double v;

	if (strcmp(key, "dom") == 0)
		return dom_line(st, what, no, val, err);
	if (strcmp(key, "xen_inject") == 0)
		return xen_line(st, what, no, val, err);
	errno = 0;
	v = strtod(val, &end);
	if (*val == '\0' || *end != '\0' || errno != 0 || !(v >= -1) ||
	    v > (strcmp(key, "pid") == 0 ? 4194304 : 100)) {
		xk_error_set(err, "%s:%d: %s '%s': not a number in range",
		    what, no, key, val);
		return -1;
	}
	if (strcmp(key, "pid") == 0 && v == (long)v && v >= 0)
		st->pid = (long)v;
	else if (strcmp(key, "target") == 0 && v == (int)v && v >= 0)
		st->target = (int)v;
	else if (strcmp(key, "inject") == 0 && v >= 0)
		st->inject = v;
	else if (strcmp(key, "idle") == 0)
		st->idle = v;
	else {
		xk_error_set(err, "%s:%d: '%s %s': unknown key or a bad value",
		    what, no, key, val);
		return -1;
	}
	return 0;
}

int
xk_pc_state_parse(const char *text, size_t len, const char *what,
    struct xk_pc_state *st, struct xk_error *err)
{
	static const char head[] = "xk-powercap-state 1\n";
	char line[256];
	size_t off, n;
	int no = 1;

	xk_pc_state_init(st);
	if (len < sizeof(head) - 1 || memcmp(text, head, sizeof(head) - 1)) {
		xk_error_set(err, "%s:1: not a powercap state file (want "
		    "'xk-powercap-state 1')", what);
		return -1;
	}
	for (off = sizeof(head) - 1; off < len; off += n + 1) {
		const char *nl = memchr(text + off, '\n', len - off);
		char *val;

		n = nl ? (size_t)(nl - (text + off)) : len - off;
		no++;
		if (n == 0)
			continue;
		if (n >= sizeof(line) || memchr(text + off, '\0', n)) {
			xk_error_set(err, "%s:%d: line too long or not text",
			    what, no);
			goto fail;
		}
		memcpy(line, text + off, n);
		line[n] = '\0';
		if ((val = strchr(line, ' ')) == NULL) {
			xk_error_set(err, "%s:%d: want 'KEY VALUE'", what, no);
			goto fail;
		}
		*val++ = '\0';
		if (state_kv(st, what, no, line, val, err) < 0)
			goto fail;
	}
	return 0;
fail:
	xk_pc_state_free(st);
	return -1;
}

int
xk_pc_state_format(const struct xk_pc_state *st, char **out,
    struct xk_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	int rc;

	rc = strbuf_addf(&sb, "xk-powercap-state 1\npid %ld\ntarget %d\n"
	    "inject %.1f\nidle %.1f\n", st->pid, st->target, st->inject,
	    st->idle);
	for (i = 0; rc == 0 && i < st->n; i++)
		rc = strbuf_addf(&sb, "dom %u %s %d\n", st->doms[i].domid,
		    st->doms[i].uuid, st->doms[i].orig_cap);
	if (rc == 0 && st->xen_pct >= 0)
		rc = strbuf_addf(&sb, "xen_inject %d %d\n", st->xen_pct,
		    st->xen_period_us);
	if (rc < 0) {
		strbuf_free(&sb);
		xk_error_errno(err, ENOMEM, "state");
		return -1;
	}
	*out = strbuf_detach(&sb);
	return 0;
}

int
xk_pc_state_load(const char *dir, struct xk_pc_state *st,
    struct xk_error *err)
{
	char path[PATH_MAX], *text = NULL;
	size_t len;
	int rc;

	xk_pc_state_init(st);
	if ((rc = xk_pc_file_read(dir, XK_PC_STATE, path, sizeof(path), &text,
	    &len, err)) <= 0)
		return rc;
	rc = xk_pc_state_parse(text, len, path, st, err);
	free(text);
	return rc < 0 ? -1 : 1;
}

int
xk_pc_state_store(const char *dir, const struct xk_pc_state *st,
    struct xk_error *err)
{
	char *text;
	int rc;

	if (xk_pc_state_format(st, &text, err) < 0)
		return -1;
	rc = xk_pc_file_write(dir, XK_PC_STATE, text, err);
	free(text);
	return rc;
}

int
xk_pc_state_remove_file(const char *dir, struct xk_error *err)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", dir, XK_PC_STATE) >=
	    (int)sizeof(path)) {
		xk_error_set(err, "%s: path too long", dir);
		return -1;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		xk_error_errno(err, errno, "%s: remove", path);
		return -1;
	}
	return 0;
}
