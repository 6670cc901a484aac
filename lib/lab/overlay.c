/*
 * overlay.c - a lab's parts (this build's or the installed ones) and
 * the boot overlay that carries them into dom0.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab/cpio.h"
#include "lab/lab-paths.h"
#include "lab/lab.h"
#include "lab/overlay.h"
#include "lab/restart.h"
#include "lab/state.h"
#include "util/file.h"

#define PRUNE_AGE_S	600	/* a dead lab's directory, untouched */

int
xk_lab_locate(struct xk_lab_parts *x, struct xk_error *err)
{
	const char *env = getenv("XK_LAB_SHARE");
	ssize_t n;

	n = readlink("/proc/self/exe", x->self, sizeof(x->self) - 1);
	if (n < 0) {
		xk_error_errno(err, errno, "/proc/self/exe");
		return -1;
	}
	x->self[n] = '\0';
	x->build[0] = x->tests[0] = '\0';
	if (strncmp(x->self, XK_LAB_BUILD_ROOT "/",
	    strlen(XK_LAB_BUILD_ROOT) + 1) == 0 && xk_is_dir(XK_LAB_SRC_SHARE)) {
		snprintf(x->share, sizeof(x->share), "%s", XK_LAB_SRC_SHARE);
		snprintf(x->tests, sizeof(x->tests), "%s", XK_LAB_SRC_TESTS);
		snprintf(x->build, sizeof(x->build), "%s", XK_LAB_BUILD_ROOT);
	} else {
		snprintf(x->share, sizeof(x->share), "%s", XK_LAB_SHARE);
	}
	if (env != NULL && *env != '\0')
		snprintf(x->share, sizeof(x->share), "%s", env);
	if (!xk_is_dir(x->share)) {
		xk_error_set(err, "%s: lab recipes not found (set "
		    "XK_LAB_SHARE)", x->share);
		return -1;
	}
	return 0;
}

/* dir/name in a PATH_MAX buffer; NULL (and err set) if it does not fit. */
static const char *
join(char *buf, const char *dir, const char *name, struct xk_error *err)
{
	int n = snprintf(buf, PATH_MAX, "%s/%s", dir, name);

	if (n < 0 || n >= PATH_MAX) {
		xk_error_set(err, "%s/%s: path too long", dir, name);
		return NULL;
	}
	return buf;
}

/* Rebuilt at every `up`; the base image never is. */
int
xk_lab_overlay(const struct xk_lab_parts *x, const char *add,
    const char *out, struct xk_error *err)
{
	struct {
		const char *dest, *dir, *name;
		int optional;
	} items[] = {
		{ "init", x->share, "dom0-init", 0 },
		{ "usr/lib/xk-lab/shutdown", x->share, "dom0-shutdown", 0 },
		{ "usr/share/xenkit/lab/guests", x->share, "guests", 0 },
		{ "usr/lib/xk-lab/xk-agent", x->build[0] ? x->build :
		    XK_LAB_LIBEXEC, x->build[0] ? "src/xk-agent" : "xk-agent",
		    0 },
		{ "usr/lib/xk-lab/tests", x->tests, ".", 1 },
		/* what every area's shell tests share (tests/lib.sh) */
		{ "usr/lib/xk-lab/lib.sh", x->tests, "../lib.sh", 1 },
		{ "usr/lib/xk-lab/bin", x->build, "tests/lab", 1 },
		/* the hotplug scripts (share/hotplug) and their helper */
		{ "usr/lib/xenkit/hotplug", x->share, "../hotplug", 1 },
		{ "usr/lib/xenkit/hotplug/xk-hotplug-helper", x->build,
		    "src/xk-hotplug-helper", 1 },
		/* the unikernel guests (guest/, xk-guest(7)): built on
		 * x86_64 only, so optional */
		{ "usr/lib/xk-lab/guests", x->build[0] ? x->build :
		    XK_LAB_GUESTS, x->build[0] ? "guest" : ".", 1 },
	};
	char p[PATH_MAX];
	struct xk_cpio *a;
	size_t i;
	int r = 0;

	a = xk_cpio_open(out, err);
	if (a == NULL)
		return -1;
	for (i = 0; r == 0 && i < sizeof(items) / sizeof(items[0]); i++) {
		if (items[i].dir[0] == '\0')
			continue;
		if (join(p, items[i].dir, items[i].name, err) == NULL)
			r = -1;
		else if (!items[i].optional || access(p, F_OK) == 0)
			r = xk_cpio_tree(a, items[i].dest, p, err);
	}
	/* The kernel drops a file whose directory the initramfs lacks,
	 * and boot.cpio has no /usr/local of its own. */
	if (r == 0 && (xk_cpio_dir(a, "usr/local", 0755, err) == -1 ||
	    xk_cpio_dir(a, "usr/local/bin", 0755, err) == -1))
		r = -1;
	if (r == 0)
		r = xk_cpio_file(a, "usr/local/bin/xk", x->self, 0755, err);
	if (r == 0 && add != NULL)
		r = xk_cpio_tree(a, ".", add, err);
	if (r == -1) {
		struct xk_error ignore;

		xk_cpio_close(a, &ignore);
		return -1;
	}
	return xk_cpio_close(a, err);
}

int
xk_lab_boot_parts(const char *state, const char *image,
    const struct xk_lab_parts *p, const char *add, const char *xen,
    struct xk_error *err)
{
	struct xk_lab_boot b = { 0 };
	char overlay[PATH_MAX];

	if (xk_lab_prepare(state, err) == -1)
		return -1;
	/* labs killed without `down` leave their directories (MBs each) */
	xk_lab_prune(state, PRUNE_AGE_S);
	if (join(overlay, state, XK_LAB_OVERLAY, err) == NULL)
		return -1;
	if (xk_lab_overlay(p, add, overlay, err) == -1) {
		xk_error_prefix(err, "overlay");
		return -1;
	}
	b.state = state;
	b.image = image;
	b.overlay = overlay;
	b.xen = xen;
	if (xk_lab_boot_record(&b, err) == -1)
		return -1;
	return xk_lab_start(&b, err);
}
