/*
 * cpio.h - write a gzip'd newc cpio archive: the lab's boot overlay.
 *
 * The kernel unpacks every archive in the initramfs in order, later
 * files replacing earlier ones, so a small overlay appended to the
 * cached base image carries the freshly built xk, the agent and the
 * tests without rebuilding the base.
 */
#ifndef XK_LAB_CPIO_H
#define XK_LAB_CPIO_H

#include <sys/types.h>

#include "util/error.h"

struct xk_cpio;

struct xk_cpio *xk_cpio_open(const char *path, struct xk_error *err);
/* A directory entry (parents are not implied: add them first). */
int xk_cpio_dir(struct xk_cpio *a, const char *name, mode_t mode,
    struct xk_error *err);
/* A regular file with the contents of host file src. */
int xk_cpio_file(struct xk_cpio *a, const char *name, const char *src,
    mode_t mode, struct xk_error *err);
/* A symbolic link name -> target. */
int xk_cpio_symlink(struct xk_cpio *a, const char *name, const char *target,
    struct xk_error *err);
/*
 * Add the tree at host directory src as dest (and dest's parents),
 * keeping file modes.  Only directories, regular files and symlinks.
 */
int xk_cpio_tree(struct xk_cpio *a, const char *dest, const char *src,
    struct xk_error *err);
/* Write the trailer and close; -1 if anything failed on the way. */
int xk_cpio_close(struct xk_cpio *a, struct xk_error *err);

#endif
