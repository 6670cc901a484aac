/*
 * overlay.h - what goes into a lab besides its cached image: this
 * build's xk, the dom0 agent and init, the guest configurations, the
 * lab tests and the programs they run, laid over dom0's / at boot in a
 * small cpio appended to the image (lab.h: dom0.img).
 */
#ifndef XK_LAB_OVERLAY_H
#define XK_LAB_OVERLAY_H

#include <limits.h>

#include "util/error.h"

/* Where a lab's parts come from: a build tree or the installed paths. */
struct xk_lab_parts {
	char share[PATH_MAX];	/* share/lab: recipes, dom0 init, guests */
	char tests[PATH_MAX];	/* tests/lab, or "" when installed */
	char build[PATH_MAX];	/* build tree root, or "" when installed */
	char self[PATH_MAX];	/* the running xk, the one dom0 gets */
};

/*
 * Find the parts: run from a build tree, xk uses the source tree's
 * recipes and tests and the build's agent and test programs; installed,
 * the installed ones.  XK_LAB_SHARE names the recipes' directory.
 */
int xk_lab_locate(struct xk_lab_parts *p, struct xk_error *err);

/*
 * Write the boot overlay to out (gzip'd cpio): dom0's /init and
 * helpers, the agent, this xk, the guest configurations, the lab tests
 * with tests/lib.sh and their programs (tests/lab's, from the build),
 * the guests of guest/ (in
 * /usr/lib/xk-lab/guests: the build's, or the installed ones), and the
 * tree at add (or NULL) laid over /.
 */
int xk_lab_overlay(const struct xk_lab_parts *p, const char *add,
    const char *out, struct xk_error *err);

/*
 * Boot a lab in state from the image entry (cache.h): clear what an
 * earlier run left there, sweep the directories of labs killed without
 * `down` (lab.h: xk_lab_prune), write this boot's overlay (parts and
 * add) and start QEMU.  Returns once QEMU runs; dom0 is not ready yet.
 * xen is the hypervisor to boot (a build's xen.elf), NULL: the image's.
 */
int xk_lab_boot_parts(const char *state, const char *image,
    const struct xk_lab_parts *p, const char *add, const char *xen,
    struct xk_error *err);

#endif
