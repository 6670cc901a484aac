/*
 * drive.c - the host's side of xk fuzz (see drive.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz/drive.h"
#include "fuzz/serial.h"
#include "lab/ctl.h"
#include "lab/lab.h"
#include "lab/serial.h"
#include "util/file.h"
#include "util/strbuf.h"
#include "util/tempfile.h"

#define ENGINE_LINE_MAX	4096	/* the engine's lines are short */
#define SERIAL_TAIL_LINES 400	/* a panic's dump and the lines before */

struct sink {
	int log_fd;
	int own;		/* the failure was ours, not the channel's */
	struct strbuf line;
	struct xk_fuzz_outcome *o;
};

/* "# violation op=N<TAB>SIG<TAB>DETAIL" and "# done ops=N ms=N" */
static void
note_comment(struct xk_fuzz_outcome *o, const char *s)
{
	const char *t1, *t2;
	unsigned long long a, b;

	if (strncmp(s, "# violation op=", 15) == 0 &&
	    (t1 = strchr(s, '\t')) != NULL &&
	    (t2 = strchr(t1 + 1, '\t')) != NULL) {
		o->found = 1;
		o->fail_op = strtol(s + 15, NULL, 10);
		snprintf(o->sig, sizeof(o->sig), "%.*s", (int)(t2 - t1 - 1),
		    t1 + 1);
		snprintf(o->detail, sizeof(o->detail), "%.*s",
		    (int)strcspn(t2 + 1, "\n"), t2 + 1);
	} else if (sscanf(s, "# done ops=%llu ms=%llu", &a, &b) == 2) {
		o->ms = (int64_t)b;
	} else if (strncmp(s, "# skip ", 7) == 0) {
		o->skips++;
	}
}

/* One whole line: to the log, durably, then read. */
static int
take_line(struct sink *k, struct xk_error *err)
{
	const char *s = strbuf_str(&k->line);

	if (k->log_fd != -1 && xk_write_all(k->log_fd, s, k->line.len,
	    "the log", err) == -1)
		return -1;
	if (k->log_fd != -1 && fdatasync(k->log_fd) == -1) {
		xk_error_errno(err, errno, "fsync the log");
		return -1;
	}
	if (s[0] == '#')
		note_comment(k->o, s);
	else if (strncmp(s, "xk-fuzz-log ", 12) != 0)
		k->o->ops++;
	strbuf_reset(&k->line);
	return 0;
}

static int
on_out(const char *data, size_t len, void *arg, struct xk_error *err)
{
	struct sink *k = arg;

	k->own = 1;	/* until this chunk is taken */
	for (size_t i = 0; i < len; i++) {
		if (strbuf_addc(&k->line, data[i]) == -1) {
			xk_error_errno(err, ENOMEM, "engine output");
			return -1;
		}
		if (data[i] == '\n') {
			if (take_line(k, err) == -1)
				return -1;
		} else if (k->line.len > ENGINE_LINE_MAX) {
			xk_error_set(err, "the engine printed a line of over "
			    "%d bytes", ENGINE_LINE_MAX);
			return -1;
		}
	}
	k->own = 0;
	return 0;
}

/* An operation line the control channel lost, from Xen's console. */
static int
recovered(const char *line, size_t len, void *arg)
{
	struct sink *k = arg;
	struct xk_error err = { 0 };

	strbuf_reset(&k->line);
	if (strbuf_add(&k->line, line, len) == -1 ||
	    strbuf_addc(&k->line, '\n') == -1)
		return -1;
	return take_line(k, &err);
}

/*
 * After the lab died or went silent: the operations the engine started
 * that the channel did not bring (the engine wrote them to Xen's
 * console first), then Xen's panic if it was one.
 */
static void
read_serial(const struct xk_fuzz_job *j, struct sink *k)
{
	struct xk_error err = { 0 };
	size_t from = j->first + k->o->ops;
	char *tail, note[128];
	int n;

	if (xk_lab_log_tail(j->state, SERIAL_TAIL_LINES, &tail, &err) == -1)
		return;
	n = xk_fuzz_serial_ops(tail, from, recovered, k);
	if (n > 0 && j->log_fd != -1) {
		snprintf(note, sizeof(note), "# operations %zu to %zu from "
		    "Xen's console: the control channel lost them\n", from,
		    from + (size_t)n - 1);
		strbuf_reset(&k->line);
		if (strbuf_adds(&k->line, note) == 0)
			take_line(k, &err);
	}
	xk_serial_panic(tail, k->o->sig, sizeof(k->o->sig));
	free(tail);
}

/* The exchange broke: is the lab gone, or dom0 silent? */
static int
lost(const struct xk_fuzz_job *j, struct sink *k, const struct xk_error *why)
{
	struct xk_fuzz_outcome *o = k->o;
	struct xk_error e2 = { 0 };
	const char *cause;
	pid_t pid = 0;

	xk_lab_pid(j->state, &pid, &e2);
	cause = pid <= 0 ? "the lab's QEMU exited" : why->errnum == ETIMEDOUT ?
	    "dom0 stopped answering" : "the control channel to dom0 broke";
	o->found = 1;
	o->lost = 1;
	strbuf_reset(&k->line);		/* a half line is no operation */
	read_serial(j, k);		/* a panic names it better */
	/* A panicked Xen reboots in 5 s (QEMU then exits), a hung one
	 * never: either way the lab is lost, and the next run restarts
	 * it (its serial log stays for the report). */
	if (pid > 0)
		xk_lab_kill(j->state, &e2);
	if (o->sig[0] == '\0')
		snprintf(o->sig, sizeof(o->sig), "%s", cause);
	/* the operation in flight is the failing one */
	if (o->ops > 0)
		o->fail_op = (long)(j->first + o->ops + o->skips) - 1;
	snprintf(o->detail, sizeof(o->detail), "%.200s (%s: %.600s)", o->sig,
	    cause, why->msg);
	return 0;
}

int
xk_fuzz_lab_exec(const struct xk_fuzz_job *j, struct xk_fuzz_outcome *o,
    struct xk_error *err)
{
	struct sink k = { j->log_fd, 0, STRBUF_INIT, o };
	struct xk_ctl ctl;
	int status, r;
	pid_t pid = 0;

	memset(o, 0, sizeof(*o));
	o->fail_op = -1;
	if (xk_lab_pid(j->state, &pid, err) == -1)
		return -1;
	if (pid <= 0) {
		xk_error_set(err, "no lab running in %s (xk lab up)", j->state);
		return -1;
	}
	if (xk_ctl_open(&ctl, j->state, 60000, err) == -1)
		return -1;
	r = xk_ctl_exec_fn(&ctl, j->argv, j->in_fd, on_out, &k, j->err_fd,
	    j->timeout_s, &status, err);
	xk_ctl_close(&ctl);
	if (r == -1 && !k.own)
		r = lost(j, &k, err);
	else if (r == 0 && k.line.len > 0 && take_line(&k, err) == -1)
		r = -1;
	strbuf_free(&k.line);
	if (r == -1 || o->found)
		return r;
	if (status == 0)
		return 0;
	if (status >= 128 && status < 255) {
		o->found = 1;
		snprintf(o->sig, sizeof(o->sig), "the engine died of signal %d",
		    status - 128);
		snprintf(o->detail, sizeof(o->detail), "%s", o->sig);
		return 0;
	}
	xk_error_set(err, "the engine failed in dom0 (exit %d; its messages "
	    "are above)", status);
	return -1;
}

int
xk_oplog_to_text(const struct xk_oplog *log, const struct xk_fuzz_op *ops,
    size_t n, struct strbuf *sb)
{
	if (xk_oplog_header(log->engine[0] ? log->engine : "toolstack",
	    log->seed, sb) == -1)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (xk_oplog_format(&ops[i], sb) == -1)
			return -1;
	return 0;
}

/* FNV-1a: a short stable name for a signature (not a security hash). */
static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

static int
mkdir_ok(const char *path, struct xk_error *err)
{
	if (mkdir(path, 0777) == -1 && errno != EEXIST) {
		xk_error_errno(err, errno, "mkdir %s", path);
		return -1;
	}
	return 0;
}

int
xk_fuzz_report(const char *dir, const struct xk_fuzz_outcome *o,
    uint64_t seed, const char *log_text, const char *serial_tail,
    const char *extra_name, const char *extra, char *path, size_t len,
    int *known, struct xk_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	char file[4096];
	struct stat st;
	int r;

	snprintf(path, len, "%s/%016" PRIx64, dir, fnv1a(o->sig));
	if (mkdir_ok(dir, err) == -1 || mkdir_ok(path, err) == -1)
		return -1;
	if (extra != NULL) {
		snprintf(file, sizeof(file), "%s/%s", path, extra_name);
		if (xk_tempfile_write(file, extra, strlen(extra), err) == -1)
			return -1;
	}
	snprintf(file, sizeof(file), "%s/report", path);
	*known = stat(file, &st) == 0;
	if (*known)
		return 0;
	r = strbuf_addf(&sb, "signature: %s\nseed: %" PRIu64 "\ndetail: %s\n"
	    "failing operation: %ld\n\n--- log ---\n%s--- serial log tail "
	    "---\n%s--- end ---\n", o->sig, seed, o->detail, o->fail_op,
	    log_text, serial_tail != NULL ? serial_tail : "(none)\n");
	if (r == -1) {
		strbuf_free(&sb);
		xk_error_errno(err, ENOMEM, "report");
		return -1;
	}
	r = xk_tempfile_write(file, sb.buf, sb.len, err);
	strbuf_free(&sb);
	return r;
}

int
xk_fuzz_lab_replay(const char *state, const struct strbuf *text,
    const char *plant, int err_fd, int timeout_s, struct xk_fuzz_outcome *o,
    struct xk_error *err)
{
	const char *argv[7] = { XK_FUZZ_DOM0_XK, "fuzz", "engine", "--replay",
	    NULL, NULL, NULL };
	int fd, r = -1;

	if (plant != NULL) {
		argv[4] = "--plant";
		argv[5] = plant;
	}
	if ((fd = memfd_create("xk-fuzz-log", MFD_CLOEXEC)) == -1) {
		xk_error_errno(err, errno, "memfd_create");
		return -1;
	}
	if (xk_write_all(fd, text->buf != NULL ? text->buf : "", text->len,
	    "log", err) == 0 && lseek(fd, 0, SEEK_SET) == 0)
		r = xk_fuzz_lab_exec(&(struct xk_fuzz_job){ .state = state,
		    .argv = argv, .in_fd = fd, .log_fd = -1, .err_fd = err_fd,
		    .timeout_s = timeout_s }, o, err);
	else if (err->msg[0] == '\0')
		xk_error_errno(err, errno, "log");
	close(fd);
	return r;
}
