/*
 * coverage.c - a coverage hypervisor's counters into a report (see
 * coverage.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab/coverage.h"
#include "lab/ctl.h"
#include "lab/lab.h"
#include "lab/state.h"
#include "lab/xenbuild.h"
#include "util/file.h"
#include "util/run.h"
#include "util/tempfile.h"

static uint32_t
word(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));	/* dom0 and host: both x86 */
	return v;
}

int
xk_xencov_parse(const uint8_t *buf, size_t len, xk_xencov_fn fn,
    void *arg, size_t *n, struct xk_error *err)
{
	const uint8_t *nul;
	size_t off = 4, name_len;
	uint32_t size;

	*n = 0;
	if (len < 4 || word(buf) != XK_XENCOV_MAGIC) {
		xk_error_set(err, "xencov data: no XCOV magic at its start "
		    "(not what xencov read gives)");
		return -1;
	}
	while (off < len) {
		nul = memchr(buf + off, '\0', len - off);
		if (nul == NULL || nul == buf + off) {
			xk_error_set(err, "xencov data at offset %zu: %s", off,
			    nul == NULL ? "a file name without its end" :
			    "an empty file name");
			return -1;
		}
		name_len = (size_t)(nul - (buf + off));
		if (len - off - name_len - 1 < 4) {
			xk_error_set(err, "xencov data at offset %zu: the "
			    "record of %s is cut short", off,
			    (const char *)buf + off);
			return -1;
		}
		size = word(nul + 1);
		if (size > len - off - name_len - 5) {
			xk_error_set(err, "xencov data at offset %zu: %s says "
			    "%u bytes, %zu are left", off,
			    (const char *)buf + off, size,
			    len - off - name_len - 5);
			return -1;
		}
		if (fn != NULL && fn((const char *)buf + off, nul + 5, size,
		    arg, err) == -1)
			return -1;
		off += name_len + 5 + size;
		(*n)++;
	}
	return 0;
}

/* REL: relative, no empty, "." or ".." component. */
static int
plain_relative(const char *rel)
{
	const char *p = rel;
	size_t n;

	if (*rel == '/' || *rel == '\0')
		return 0;
	for (;;) {
		n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (p[n] == '\0')
			return 1;
		p += n + 1;
	}
}

int
xk_xencov_path(const char *name, const char *build_dir, const char *dir,
    char *out, size_t len, struct xk_error *err)
{
	size_t b = strlen(build_dir), n;
	const char *rel = name + b + 1;

	if (strncmp(name, build_dir, b) != 0 || name[b] != '/' ||
	    !plain_relative(rel) || (n = strlen(rel)) < 6 ||
	    strcmp(rel + n - 5, ".gcda") != 0) {
		xk_error_set(err, "xencov data: '%s' is no .gcda file of the "
		    "build in %s (the lab's hypervisor is not this build?)",
		    name, build_dir);
		return -1;
	}
	if (snprintf(out, len, "%s/%s", dir, rel) >= (int)len) {
		xk_error_set(err, "%s/%s: path too long", dir, rel);
		return -1;
	}
	return 0;
}

static int
state_file(const char *state, char *path, size_t len, struct xk_error *err)
{
	if (snprintf(path, len, "%s/" XK_LAB_XEN_BUILD, state) >= (int)len) {
		xk_error_set(err, "%s: path too long", state);
		return -1;
	}
	return 0;
}

int
xk_lab_cov_record(const char *state, const char *entry,
    struct xk_error *err)
{
	char path[PATH_MAX];

	if (state_file(state, path, sizeof(path), err) == -1)
		return -1;
	if (entry != NULL)
		return xk_tempfile_write(path, entry, strlen(entry), err);
	if (unlink(path) == -1 && errno != ENOENT) {
		xk_error_errno(err, errno, "%s", path);
		return -1;
	}
	return 0;
}

int
xk_lab_cov_entry(const char *state, char *entry, size_t len,
    struct xk_error *err)
{
	char path[PATH_MAX], *text;
	size_t n;

	if (state_file(state, path, sizeof(path), err) == -1)
		return -1;
	if (access(path, F_OK) == -1) {
		xk_error_set(err, "the lab runs Debian's hypervisor, not a "
		    "coverage build (xk lab xen --config CONFIG_COVERAGE=y "
		    "..., then xk lab up --xen KEY)");
		return -1;
	}
	if (xk_read_file(path, PATH_MAX, &text, &n, err) == -1)
		return -1;
	snprintf(entry, len, "%s", text);
	free(text);
	if (snprintf(path, sizeof(path), "%s/" XK_XEN_GCOV, entry) >=
	    (int)sizeof(path) || access(path, F_OK) == -1) {
		xk_error_set(err, "the lab's hypervisor (%s) is not a coverage "
		    "build (built without CONFIG_COVERAGE=y)", entry);
		return -1;
	}
	return 0;
}

/* mkdir -p of path's parent directories, under top (which exists). */
static int
parents(const char *top, char *path, struct xk_error *err)
{
	char *p;

	for (p = path + strlen(top) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(path, 0755) == -1 && errno != EEXIST) {
			xk_error_errno(err, errno, "%s", path);
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

static int
write_new(const char *path, const void *data, size_t len,
    struct xk_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	if (fd == -1) {
		xk_error_errno(err, errno, "%s", path);
		return -1;
	}
	if (xk_write_all(fd, data, len, path, err) == -1) {
		close(fd);
		return -1;
	}
	if (close(fd) == -1) {
		xk_error_errno(err, errno, "%s", path);
		return -1;
	}
	return 0;
}

struct split {
	char build_dir[PATH_MAX];
	char src[PATH_MAX];
};

static int
split_one(const char *name, const uint8_t *data, size_t len, void *arg,
    struct xk_error *err)
{
	struct split *s = arg;
	char path[PATH_MAX];

	if (xk_xencov_path(name, s->build_dir, s->src, path, sizeof(path),
	    err) == -1 || parents(s->src, path, err) == -1)
		return -1;
	/* O_EXCL: one object's counters come once */
	return write_new(path, data, len, err);
}

/* build-dir of the entry's gcov.tar.gz, into s->build_dir. */
static int
build_dir(const char *entry, struct split *s, struct xk_error *err)
{
	char tarball[PATH_MAX];
	const char *const argv[] = { "tar", "-xzOf", tarball, "build-dir",
	    NULL };
	struct strbuf out = STRBUF_INIT;

	snprintf(tarball, sizeof(tarball), "%s/" XK_XEN_GCOV, entry);
	if (xk_run_ok(argv, &out, err) == -1) {
		xk_error_prefix(err, "%s", tarball);
		return -1;
	}
	out.buf[strcspn(out.buf, "\n")] = '\0';
	if (out.buf[0] != '/' || strlen(out.buf) >= sizeof(s->build_dir)) {
		xk_error_set(err, "%s: build-dir is no absolute path", tarball);
		strbuf_free(&out);
		return -1;
	}
	snprintf(s->build_dir, sizeof(s->build_dir), "%s", out.buf);
	strbuf_free(&out);
	return 0;
}

static void
remove_tree(const char *path)
{
	const char *const argv[] = { "rm", "-rf", "--one-file-system", "--",
	    path, NULL };

	xk_run_ok(argv, NULL, &(struct xk_error){ 0 });
}

/* share/lab/xen-coverage.sh report ENTRY TMP OUT */
static int
run_report(const char *share, const char *entry, const char *tmp,
    const char *out, int log_fd, struct xk_error *err)
{
	char script[PATH_MAX];
	const char *const argv[] = { "/bin/sh", script, "report", entry, tmp,
	    out, NULL };
	const struct xk_run_opts o = { .out = log_fd, .err = log_fd,
	    .c_locale = true };
	int st;

	if (snprintf(script, sizeof(script), "%s/xen-coverage.sh", share) >=
	    (int)sizeof(script)) {
		xk_error_set(err, "%s: path too long", share);
		return -1;
	}
	if (xk_run(argv, &o, NULL, &st, err) == -1)
		return -1;
	if (st != 0) {
		xk_error_set(err, "xen-coverage.sh failed (status %d; its "
		    "messages are above)", st);
		return -1;
	}
	return 0;
}

int
xk_lab_cov_report(const char *share, const char *entry, const uint8_t *raw,
    size_t len, const char *out, int log_fd, size_t *files,
    struct xk_error *err)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	struct split s;

	if (access(out, F_OK) == 0) {
		xk_error_set(err, "%s: exists (the report goes to a new "
		    "directory)", out);
		return -1;
	}
	if (errno != ENOENT) {
		xk_error_errno(err, errno, "%s", out);
		return -1;
	}
	if (strlen(out) > PATH_MAX - 64 || snprintf(tmp, sizeof(tmp),
	    "%s.tmp.%ld", out, (long)getpid()) >= (int)sizeof(tmp) ||
	    snprintf(s.src, sizeof(s.src), "%s/src", tmp) >=
	    (int)sizeof(s.src)) {
		xk_error_set(err, "%s: path too long", out);
		return -1;
	}
	if (build_dir(entry, &s, err) == -1)
		return -1;
	if (mkdir(tmp, 0755) == -1) {
		xk_error_errno(err, errno, "%s", tmp);
		return -1;
	}
	if (snprintf(path, sizeof(path), "%s/xencov.raw", tmp) >=
	    (int)sizeof(path) || mkdir(s.src, 0755) == -1) {
		xk_error_errno(err, errno, "%s", s.src);
		goto fail;
	}
	if (write_new(path, raw, len, err) == -1 ||
	    xk_xencov_parse(raw, len, split_one, &s, files, err) == -1)
		goto fail;
	if (*files == 0) {
		xk_error_set(err, "xencov data: no counters at all");
		goto fail;
	}
	if (run_report(share, entry, tmp, out, log_fd, err) == -1)
		goto fail;
	return 0;
fail:
	remove_tree(tmp);
	return -1;
}

/* xencov's blob, chunk by chunk, bounded. */
static int
collect_out(const char *data, size_t len, void *arg, struct xk_error *err)
{
	struct strbuf *sb = arg;

	if (sb->len + len > XK_XENCOV_MAX) {
		xk_error_set(err, "xencov read: more than %u MiB",
		    XK_XENCOV_MAX >> 20);
		return -1;
	}
	if (strbuf_add(sb, data, len) == -1) {
		xk_error_errno(err, ENOMEM, "xencov read");
		return -1;
	}
	return 0;
}

int
xk_lab_xencov(const char *state, const char *op, struct strbuf *raw,
    struct xk_error *err)
{
	const char *const argv[] = { "xencov", op, NULL };
	struct xk_ctl ctl;
	int status, r;
	pid_t pid = 0;

	if (xk_lab_pid(state, &pid, err) == -1)
		return -1;
	if (pid <= 0) {
		xk_error_set(err, "no lab running in %s (xk lab up)", state);
		return -1;
	}
	if (xk_ctl_open(&ctl, state, 60000, err) == -1)
		return -1;
	if (raw != NULL)
		r = xk_ctl_exec_fn(&ctl, argv, -1, collect_out, raw, 2, 300,
		    &status, err);
	else
		r = xk_ctl_exec(&ctl, argv, -1, 1, 2, 300, &status, err);
	xk_ctl_close(&ctl);
	if (r == 0 && status != 0) {
		xk_error_set(err, "xencov %s failed in dom0 (status %d)", op,
		    status);
		r = -1;
	}
	return r;
}
