/*
 * xenbuild.h - hypervisors built from source for the lab, cached by
 * content (the image cache's mechanism, image.h: xk_cache_build).
 *
 * Only the hypervisor is built (make -C xen); dom0's tools stay the
 * image's Debian 4.17 packages, so the source must be Xen 4.17.x.  The
 * source is Debian's own source package (its debian/patches applied by
 * dpkg-source, its debian/xen-kconfig as the base config) or a Xen
 * source tree, which is copied, never written.  share/lab/xen-source.sh
 * finds the source, share/lab/build-xen.sh builds.
 *
 *	CACHE/xen/KEY/	xen.elf (what QEMU boots), xen-syms, config (the
 *			.config), key.txt (what the build is), SHA256SUMS;
 *			a coverage build's also gcov.tar.gz (build-xen.sh's
 *			keep_gcov: .gcno files, sources, build-dir)
 *	CACHE/xen/apt/	the private apt configuration (deb-src lines)
 *	CACHE/xen/src/	the Debian source packages fetched
 *
 * KEY is the SHA-256 of the recipe, the source's content hash, the
 * patches' contents in order, the config options and the compiler's
 * version: a patch renamed is the same build, a patch changed is not.
 */
#ifndef XK_LAB_XENBUILD_H
#define XK_LAB_XENBUILD_H

#include <stddef.h>

#include "lab/cache.h"
#include "util/error.h"

struct xk_xen_spec {
	char *source;		/* "debian" or a directory (absolute) */
	char **patches;		/* files, in the order applied */
	size_t npatches;
	char **config;		/* CONFIG_NAME=VALUE */
	size_t nconfig;
};

/* source: "debian" or a directory. */
int xk_xen_set_source(struct xk_xen_spec *s, const char *source,
    struct xk_error *err);
/* A patch file, or a directory: its *.patch files in name order. */
int xk_xen_add_patch(struct xk_xen_spec *s, const char *path,
    struct xk_error *err);
/* CONFIG_NAME=VALUE (a later value of the same name is refused). */
int xk_xen_add_config(struct xk_xen_spec *s, const char *kv,
    struct xk_error *err);
void xk_xen_spec_free(struct xk_xen_spec *s);
/* Options that cannot work together in Xen 4.17's Kconfig (coverage). */
int xk_xen_check_config(const struct xk_xen_spec *s, struct xk_error *err);

#define XK_XEN_GCOV	"gcov.tar.gz"

/*
 * The key's text, given the source's version and content hash and the
 * compiler's version line: *material (hashed into key) and *desc (the
 * entry's key.txt: the same, with the patches' names).  Both malloc'd.
 */
int xk_xen_key(const struct xk_xen_spec *s, const char *recipe_sum,
    const char *version, const char *hash, const char *compiler,
    char **desc, char key[65], struct xk_error *err);

/*
 * The build for s: the cached entry if it verifies (unless force),
 * else built.  entry gets its directory.  note hears what happened;
 * the recipe's progress goes to log_fd.
 */
int xk_xen_build(const char *share, const struct xk_xen_spec *s, int force,
    int log_fd, xk_lab_note_fn note, void *arg, char *entry, size_t len,
    struct xk_error *err);

/*
 * The entry a user names: a directory holding a build, or a unique
 * prefix (at least 6 hex digits) of a key in the cache.  Verified.
 */
int xk_xen_find(const char *id, char *entry, size_t len,
    struct xk_error *err);

/*
 * What a lab booting image with the build at entry (NULL: the image's
 * own hypervisor) runs, in lines for `xk lab status` (malloc'd).
 */
int xk_xen_describe(const char *image, const char *entry, char **text,
    struct xk_error *err);

/* Keep text as the lab's STATE/hypervisor (for `xk lab status`). */
int xk_xen_record(const char *state, const char *text, struct xk_error *err);
/* What xk_xen_record kept (malloc'd). */
int xk_xen_recorded(const char *state, char **text, struct xk_error *err);

#endif
