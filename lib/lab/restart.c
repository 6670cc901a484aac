/*
 * restart.c - record a lab's boot, start it again (see restart.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/restart.h"
#include "lab/serial.h"
#include "lab/state.h"
#include "util/file.h"
#include "util/strbuf.h"
#include "util/tempfile.h"

#define BOOT_MAX	(4 * PATH_MAX)

static int
boot_path(const char *state, char *path, size_t len, struct xk_error *err)
{
	if (snprintf(path, len, "%s/%s", state, XK_LAB_BOOT) >= (int)len) {
		xk_error_set(err, "%s: path too long", state);
		return -1;
	}
	return 0;
}

int
xk_lab_boot_record(const struct xk_lab_boot *b, struct xk_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	char path[PATH_MAX];
	int r;

	if (boot_path(b->state, path, sizeof(path), err) == -1)
		return -1;
	if (strbuf_addf(&sb, "image=%s\nxen=%s\noverlay=%s\n", b->image,
	    b->xen != NULL ? b->xen : "", b->overlay != NULL ? b->overlay :
	    "") == -1) {
		strbuf_free(&sb);
		xk_error_errno(err, ENOMEM, "boot record");
		return -1;
	}
	r = xk_tempfile_write(path, sb.buf, sb.len, err);
	strbuf_free(&sb);
	return r;
}

void
xk_lab_boot_forget(const char *state)
{
	char path[PATH_MAX];

	if (boot_path(state, path, sizeof(path), &(struct xk_error){ 0 }) == 0)
		unlink(path);
}

bool
xk_lab_died(const char *state)
{
	struct xk_error err = { 0 };
	char path[PATH_MAX];
	pid_t pid = 0;

	char sig[512];

	if (boot_path(state, path, sizeof(path), &err) == -1 ||
	    access(path, F_OK) != 0)
		return false;
	if (xk_lab_pid(state, &pid, &err) == -1)
		return false;
	return pid <= 0 || xk_lab_panicked(state, sig, sizeof(sig)) == 1;
}

/* The value of "KEY=" in text (one per line), into out. */
static int
boot_value(const char *text, const char *key, char *out, size_t len,
    const char *path, struct xk_error *err)
{
	size_t kl = strlen(key), n;

	for (const char *p = text; *p != '\0'; p += n + (p[n] == '\n')) {
		n = strcspn(p, "\n");
		if (n <= kl || strncmp(p, key, kl) != 0 || p[kl] != '=')
			continue;
		if (n - kl - 1 >= len) {
			xk_error_set(err, "%s: %s= is too long", path, key);
			return -1;
		}
		memcpy(out, p + kl + 1, n - kl - 1);
		out[n - kl - 1] = '\0';
		return 0;
	}
	if (strcmp(key, "image") != 0) {	/* the others may be empty */
		out[0] = '\0';
		return 0;
	}
	xk_error_set(err, "%s: no %s= line (a lab brought up by an older xk "
	    "cannot be restarted: xk lab down, then up)", path, key);
	return -1;
}

int
xk_lab_start_recorded(const char *state, const char *incoming,
    struct xk_error *err)
{
	char path[PATH_MAX], image[PATH_MAX], xen[PATH_MAX], ov[PATH_MAX];
	struct xk_lab_boot b = { 0 };
	char *text;
	size_t len;
	int r;

	if (boot_path(state, path, sizeof(path), err) == -1)
		return -1;
	if (xk_read_file(path, BOOT_MAX, &text, &len, err) == -1)
		return -1;
	r = boot_value(text, "image", image, sizeof(image), path, err);
	if (r == 0)
		r = boot_value(text, "xen", xen, sizeof(xen), path, err);
	if (r == 0)
		r = boot_value(text, "overlay", ov, sizeof(ov), path, err);
	free(text);
	if (r == -1)
		return -1;
	/* a panicked hypervisor's QEMU can hang in the reboot */
	if (xk_lab_died(state) && xk_lab_kill(state, err) == -1)
		return -1;
	b.state = state;
	b.image = image;
	b.xen = xen[0] != '\0' ? xen : NULL;
	b.overlay = ov[0] != '\0' ? ov : NULL;
	b.incoming = incoming;
	return xk_lab_start(&b, err);
}

int
xk_lab_restart(const char *state, int timeout_ms, struct xk_error *err)
{
	if (xk_lab_start_recorded(state, NULL, err) == -1)
		return -1;
	if (xk_lab_wait_ready(state, timeout_ms, err) == -1) {
		xk_lab_kill(state, &(struct xk_error){ 0 });
		return -1;
	}
	return 0;
}
