/*
 * pcfile.c - the power cap's settings and state files (see pcfile.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "power/pcfile.h"
#include "util/file.h"
#include "util/strbuf.h"
#include "util/tempfile.h"

/* One "KEY VALUE" line, split in place. */
struct line {
	const char *what;	/* the file, for messages */
	int no;
	char *key, *val;
};

/*
 * Walk text line by line, calling fn on each that is not blank or a
 * comment.  The text is copied (bounded by the caller's XK_PC_MAX_FILE
 * read) so that lines can be cut in place.
 */
static int
each_line(const char *text, size_t len, const char *what,
    int (*fn)(struct line *, void *, struct xk_error *), void *arg,
    struct xk_error *err)
{
	char *buf, *p, *nl, *q;
	struct line l = { what, 0, NULL, NULL };
	int rc = 0;

	if (memchr(text, '\0', len) != NULL) {
		xk_error_set(err, "%s: a NUL byte: not a text file", what);
		return -1;
	}
	if ((buf = strndup(text, len)) == NULL) {
		xk_error_errno(err, errno, "%s: read", what);
		return -1;
	}
	for (p = buf; rc == 0 && *p != '\0'; p = nl) {
		l.no++;
		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		else
			nl = p + strlen(p);
		p += strspn(p, " \t\r");
		q = p + strlen(p);
		while (q > p && strchr(" \t\r", q[-1]) != NULL)
			*--q = '\0';
		if (*p == '\0' || *p == '#')
			continue;
		l.key = p;
		p += strcspn(p, " \t");
		if (*p != '\0')
			*p++ = '\0';
		l.val = p + strspn(p, " \t");
		rc = fn(&l, arg, err);
	}
	free(buf);
	return rc;
}

static int
line_int(const struct line *l, long lo, long hi, long *out,
    struct xk_error *err)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(l->val, &end, 10);
	if (*l->val == '\0' || *end != '\0' || errno != 0 || v < lo ||
	    v > hi) {
		xk_error_set(err, "%s:%d: %s '%s': want a whole number from "
		    "%ld to %ld", l->what, l->no, l->key, l->val, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

void
xk_pc_settings_default(struct xk_pc_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->max_idle = XK_PC_MAX_IDLE_DEFAULT;
	s->window_ms = XK_PC_WINDOW_DEFAULT;
	s->period_ms = XK_PC_PERIOD_DEFAULT;
	s->all_cpus = 1;
}

int
xk_pc_settings_check(const struct xk_pc_settings *s, const char *what,
    struct xk_error *err)
{
	if (s->max_idle < 1 || s->max_idle > 100) {
		xk_error_set(err, "%s: max_idle %d: want 1 to 100", what,
		    s->max_idle);
		return -1;
	}
	if (s->target < 0 || s->target > s->max_idle) {
		xk_error_set(err, "%s: target %d%%: want 0 (off) to max_idle "
		    "%d%%", what, s->target, s->max_idle);
		return -1;
	}
	if (s->window_ms < XK_PC_WINDOW_MIN || s->window_ms > XK_PC_WINDOW_MAX) {
		xk_error_set(err, "%s: window %d ms: want %d to %d", what,
		    s->window_ms, XK_PC_WINDOW_MIN, XK_PC_WINDOW_MAX);
		return -1;
	}
	if (s->period_ms < XK_PC_PERIOD_MIN || s->period_ms > XK_PC_PERIOD_MAX) {
		xk_error_set(err, "%s: period %d ms: want %d to %d", what,
		    s->period_ms, XK_PC_PERIOD_MIN, XK_PC_PERIOD_MAX);
		return -1;
	}
	if (!s->all_cpus && xk_cpuset_count(&s->cpus) == 0) {
		xk_error_set(err, "%s: an empty set of pCPUs", what);
		return -1;
	}
	/* the sysctl has one setting for the whole host */
	if (!s->all_cpus && s->mechanism == XK_PC_MECH_XEN) {
		xk_error_set(err, "%s: mechanism xen injects idle on every "
		    "pCPU: a set of pCPUs wants mechanism caps", what);
		return -1;
	}
	return 0;
}

const char *
xk_pc_mechanism_name(enum xk_pc_mechanism m)
{
	return m == XK_PC_MECH_XEN ? "xen" : "caps";
}

int
xk_pc_mechanism_parse(const char *s, enum xk_pc_mechanism *m)
{
	if (strcmp(s, "caps") == 0)
		*m = XK_PC_MECH_CAPS;
	else if (strcmp(s, "xen") == 0)
		*m = XK_PC_MECH_XEN;
	else
		return -1;
	return 0;
}

struct settings_parse {
	struct xk_pc_settings *s;
	unsigned seen;
};

static int
settings_line(struct line *l, void *arg, struct xk_error *err)
{
	static const char *keys[] = { "target", "max_idle", "window", "cpus",
	    "mechanism", "period" };
	struct settings_parse *sp = arg;
	unsigned i;
	long v;

	for (i = 0; i < 6 && strcmp(l->key, keys[i]) != 0; i++)
		;
	if (i == 6) {
		xk_error_set(err, "%s:%d: unknown key '%s' (target, max_idle, "
		    "window, cpus, mechanism, period)", l->what, l->no, l->key);
		return -1;
	}
	if (sp->seen & (1u << i)) {
		xk_error_set(err, "%s:%d: %s given twice", l->what, l->no,
		    l->key);
		return -1;
	}
	sp->seen |= 1u << i;
	if (i == 4) {
		if (xk_pc_mechanism_parse(l->val, &sp->s->mechanism) == 0)
			return 0;
		xk_error_set(err, "%s:%d: mechanism '%s': want caps or xen",
		    l->what, l->no, l->val);
		return -1;
	}
	if (i == 3) {
		if (strcmp(l->val, "all") == 0) {
			sp->s->all_cpus = 1;
			return 0;
		}
		sp->s->all_cpus = 0;
		return xk_cpuset_parse_list(l->val, &sp->s->cpus, l->key, err) <
		    0 ? (xk_error_prefix(err, "%s:%d", l->what, l->no), -1) : 0;
	}
	if (i == 5)
		return line_int(l, XK_PC_PERIOD_MIN, XK_PC_PERIOD_MAX, &v,
		    err) < 0 ? -1 : (sp->s->period_ms = (int)v, 0);
	if (line_int(l, i == 2 ? XK_PC_WINDOW_MIN : 0,
	    i == 2 ? XK_PC_WINDOW_MAX : 100, &v, err) < 0)
		return -1;
	if (i == 0)
		sp->s->target = (int)v;
	else if (i == 1)
		sp->s->max_idle = (int)v;
	else
		sp->s->window_ms = (int)v;
	return 0;
}

int
xk_pc_settings_parse(const char *text, size_t len, const char *what,
    struct xk_pc_settings *s, struct xk_error *err)
{
	struct settings_parse sp = { s, 0 };

	xk_pc_settings_default(s);
	if (each_line(text, len, what, settings_line, &sp, err) < 0)
		return -1;
	return xk_pc_settings_check(s, what, err);
}

int
xk_pc_settings_format(const struct xk_pc_settings *s, char **out,
    struct xk_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	char cpus[4096];

	if (s->all_cpus)
		snprintf(cpus, sizeof(cpus), "all");
	else if (xk_cpuset_format(&s->cpus, cpus, sizeof(cpus)) < 0) {
		xk_error_set(err, "cpus: the set is too long to write");
		return -1;
	}
	if (strbuf_addf(&sb, "# xk powercap settings (xk-powercap(1))\n"
	    "target %d\nmax_idle %d\nwindow %d\ncpus %s\nmechanism %s\n"
	    "period %d\n", s->target, s->max_idle, s->window_ms, cpus,
	    xk_pc_mechanism_name(s->mechanism), s->period_ms) < 0) {
		strbuf_free(&sb);
		xk_error_errno(err, ENOMEM, "settings");
		return -1;
	}
	*out = strbuf_detach(&sb);
	return 0;
}

static int
path_in(char *buf, size_t len, const char *dir, const char *name,
    struct xk_error *err)
{
	if (snprintf(buf, len, "%s/%s", dir, name) >= (int)len) {
		xk_error_set(err, "%s/%s: path too long", dir, name);
		return -1;
	}
	return 0;
}

int
xk_pc_file_read(const char *dir, const char *name, char *path, size_t plen,
    char **text, size_t *len, struct xk_error *err)
{
	if (path_in(path, plen, dir, name, err) < 0)
		return -1;
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	if (xk_read_file(path, XK_PC_MAX_FILE, text, len, err) < 0)
		return -1;
	return 1;
}

int
xk_pc_file_write(const char *dir, const char *name, const char *text,
    struct xk_error *err)
{
	char path[PATH_MAX];

	if (path_in(path, sizeof(path), dir, name, err) < 0)
		return -1;
	/* /run/xenkit: tmpfs, empty after a boot */
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		xk_error_errno(err, errno, "%s: mkdir", dir);
		return -1;
	}
	return xk_tempfile_write(path, text, strlen(text), err);
}

int
xk_pc_settings_load(const char *dir, struct xk_pc_settings *s,
    struct xk_error *err)
{
	char path[PATH_MAX], *text = NULL;
	size_t len;
	int rc;

	xk_pc_settings_default(s);
	if ((rc = xk_pc_file_read(dir, XK_PC_SETTINGS, path, sizeof(path), &text, &len,
	    err)) <= 0)
		return rc;
	rc = xk_pc_settings_parse(text, len, path, s, err);
	free(text);
	return rc;
}

int
xk_pc_settings_store(const char *dir, const struct xk_pc_settings *s,
    struct xk_error *err)
{
	char *text;
	int rc;

	if (xk_pc_settings_check(s, "settings", err) < 0 ||
	    xk_pc_settings_format(s, &text, err) < 0)
		return -1;
	rc = xk_pc_file_write(dir, XK_PC_SETTINGS, text, err);
	free(text);
	return rc;
}
