/*
 * checkpoint.c - the whole lab saved and started again (see
 * checkpoint.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "lab/checkpoint.h"
#include "lab/lab.h"
#include "lab/restart.h"
#include "lab/state.h"
#include "qmp/qmp.h"
#include "util/clock.h"
#include "util/tempfile.h"

#define QMP_TIMEOUT_MS	10000	/* one command's answer */
#define POLL_MS		100	/* query-migrate while the stream is written */

int
xk_lab_checkpoint_path_ok(const char *path, struct xk_error *err)
{
	/* QEMU runs "exec:" through /bin/sh: no character the shell
	 * would read as anything but part of one word */
	for (const char *p = path; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/._+-", *p) != NULL)
			continue;
		xk_error_set(err, "checkpoint %s: the character '%c' cannot "
		    "go to QEMU's migration command (letters, digits and "
		    "/._+- only)", path, *p);
		return -1;
	}
	if (*path == '\0') {
		xk_error_set(err, "checkpoint: an empty path");
		return -1;
	}
	return 0;
}

/* query-migrate's status: 1 completed, 0 still going, -1 failed. */
static int
migration_status(struct xk_qmp *q, struct xk_error *err)
{
	json_t *r = xk_qmp_execute(q, "query-migrate", NULL, QMP_TIMEOUT_MS,
	    err);
	const char *st;
	int v = -1;

	if (r == NULL)
		return -1;
	st = json_string_value(json_object_get(r, "status"));
	if (st != NULL && strcmp(st, "completed") == 0)
		v = 1;
	else if (st != NULL && strcmp(st, "failed") != 0 &&
	    strcmp(st, "cancelled") != 0)
		v = 0;
	else
		xk_error_set(err, "QEMU's migration to the file %s: %s",
		    st != NULL ? st : "no status",
		    json_string_value(json_object_get(r, "error-desc")) ?
		    json_string_value(json_object_get(r, "error-desc")) :
		    "(no reason given)");
	json_decref(r);
	return v;
}

/* Stream the stopped machine into tmp; wait until QEMU has written it. */
static int
stream_to(struct xk_qmp *q, const char *tmp, int timeout_ms,
    struct xk_error *err)
{
	int64_t deadline = xk_mono_ms() + timeout_ms;
	struct timespec pause = { 0, POLL_MS * 1000000L };
	char uri[PATH_MAX + 16];
	json_t *r;
	int st;

	snprintf(uri, sizeof(uri), "exec:cat > %s", tmp);
	r = xk_qmp_executef(q, QMP_TIMEOUT_MS, err, "migrate", "{s:s}", "uri",
	    uri);
	if (r == NULL)
		return -1;
	json_decref(r);
	while ((st = migration_status(q, err)) == 0) {
		if (xk_mono_ms() >= deadline) {
			xk_error_errno(err, ETIMEDOUT, "QEMU did not write the "
			    "checkpoint in %d s", timeout_ms / 1000);
			json_decref(xk_qmp_execute(q, "migrate_cancel", NULL,
			    QMP_TIMEOUT_MS, &(struct xk_error){ 0 }));
			return -1;
		}
		nanosleep(&pause, NULL);
	}
	return st == 1 ? 0 : -1;
}

/* Run cmd (no arguments), for its effect. */
static int
qmp_do(struct xk_qmp *q, const char *cmd, struct xk_error *err)
{
	json_t *r = xk_qmp_execute(q, cmd, NULL, QMP_TIMEOUT_MS, err);

	json_decref(r);
	return r != NULL ? 0 : -1;
}

/* The lab's QMP monitor (STATE/qmp.sock). */
static struct xk_qmp *
lab_qmp(const char *state, struct xk_error *err)
{
	char sock[PATH_MAX];

	if ((size_t)snprintf(sock, sizeof(sock), "%s/%s", state,
	    XK_LAB_QMP_SOCK) >= sizeof(sock)) {
		xk_error_set(err, "%s: path too long", state);
		return NULL;
	}
	return xk_qmp_connect(sock, NULL, QMP_TIMEOUT_MS, err);
}

int
xk_lab_checkpoint_save(const char *state, const char *path, int timeout_ms,
    struct xk_error *err)
{
	struct xk_tempfile t = XK_TEMPFILE_INIT;
	struct xk_qmp *q;
	pid_t pid = 0;
	int r;

	if (xk_lab_pid(state, &pid, err) == -1)
		return -1;
	if (pid <= 0) {
		xk_error_set(err, "no lab running in %s (xk lab up)", state);
		return -1;
	}
	if (xk_tempfile_open(&t, path, err) == -1)
		return -1;
	if (xk_lab_checkpoint_path_ok(t.tmp, err) == -1) {
		xk_tempfile_abort(&t, NULL);
		return -1;
	}
	if ((q = lab_qmp(state, err)) == NULL) {
		xk_tempfile_abort(&t, NULL);
		return -1;
	}
	/* stopped, the stream is written once, whole: no dirty pages to
	 * chase, and the file is the machine at one instant */
	r = qmp_do(q, "stop", err);
	if (r == 0)
		r = stream_to(q, t.tmp, timeout_ms, err);
	/* the lab goes on whatever happened (a failed stream leaves it
	 * stopped, a completed one "postmigrate": cont runs it again) */
	if (qmp_do(q, "cont", r == 0 ? err : &(struct xk_error){ 0 }) == -1)
		r = -1;
	xk_qmp_close(q);
	if (r == 0)
		r = xk_tempfile_commit(&t, err);
	if (r == -1) {
		xk_tempfile_abort(&t, NULL);
		xk_error_prefix(err, "checkpoint %s", path);
	}
	return r;
}

/*
 * The incoming QEMU has read the stream when its run state leaves
 * "inmigrate"; the machine was stopped when it was saved and stays so
 * (QEMU keeps the saved run state): run it.
 */
static int
run_loaded(const char *state, int timeout_ms, struct xk_error *err)
{
	int64_t deadline = xk_mono_ms() + timeout_ms;
	struct timespec pause = { 0, POLL_MS * 1000000L };
	struct xk_qmp *q;
	const char *st;
	json_t *r;
	int ok = -1;

	if ((q = lab_qmp(state, err)) == NULL)
		return -1;
	for (;;) {
		if ((r = xk_qmp_execute(q, "query-status", NULL,
		    QMP_TIMEOUT_MS, err)) == NULL)
			break;
		st = json_string_value(json_object_get(r, "status"));
		if (st == NULL || strcmp(st, "inmigrate") != 0) {
			ok = st != NULL && strcmp(st, "running") == 0 ? 0 :
			    qmp_do(q, "cont", err);
			json_decref(r);
			break;
		}
		json_decref(r);
		if (xk_mono_ms() >= deadline) {
			xk_error_errno(err, ETIMEDOUT, "QEMU did not read the "
			    "checkpoint in %d s", timeout_ms / 1000);
			break;
		}
		nanosleep(&pause, NULL);
	}
	xk_qmp_close(q);
	return ok;
}

int
xk_lab_checkpoint_load(const char *state, const char *path, int timeout_ms,
    struct xk_error *err)
{
	char real[PATH_MAX];
	int r;

	if (realpath(path, real) == NULL) {
		xk_error_errno(err, errno, "checkpoint %s", path);
		return -1;
	}
	if (xk_lab_checkpoint_path_ok(real, err) == -1)
		return -1;
	/* the lab is loaded over whatever runs there now */
	if (xk_lab_kill(state, err) == -1)
		return -1;
	r = xk_lab_start_recorded(state, real, err);
	if (r == 0)
		r = run_loaded(state, timeout_ms, err);
	if (r == 0)
		r = xk_lab_wait_ready(state, timeout_ms, err);
	if (r == -1) {
		xk_lab_kill(state, &(struct xk_error){ 0 });
		xk_error_prefix(err, "start the lab from %s", path);
	}
	return r;
}
