/*
 * image.h - the lab's image cache: build once, reuse by content.
 *
 * An image is the output of share/lab/build-image.sh (xen.elf, vmlinux,
 * dom0.sqfs, boot.cpio.gz, guest.cpio.gz, versions).  It is cached under a key:
 * the SHA-256 of the recipe files and of the exact candidate versions
 * of the packages that go in, as this machine's apt lists give them
 * (read locally: computing a key needs no network).  A new kernel or
 * Xen in bookworm-security, or a changed recipe, gives a new key.
 *
 *	CACHE/KEY/	one complete image; SHA256SUMS is written last and
 *			checked on every use (a corrupt entry is refused)
 *	CACHE/latest	symlink to the newest entry: used when no key can
 *			be computed (no apt lists)
 */
#ifndef XK_LAB_IMAGE_H
#define XK_LAB_IMAGE_H

#include <stddef.h>

#include "util/error.h"

#define XK_IMAGE_KEY_LEN 65	/* hex SHA-256 + NUL */

/* XK_LAB_CACHE, else $XDG_CACHE_HOME/xenkit/lab, else ~/.cache/xenkit/lab. */
int xk_image_cache_root(char *buf, size_t len, struct xk_error *err);

/*
 * The key for the recipes in share and the packages' current candidate
 * versions.  *desc (malloc'd, may be NULL) gets the text hashed.
 */
int xk_image_key(const char *share, char key[XK_IMAGE_KEY_LEN], char **desc,
    struct xk_error *err);

/* Check every file of a cache entry against its SHA256SUMS. */
int xk_image_verify(const char *entry, struct xk_error *err);

/*
 * Build the image for key into CACHE/KEY (atomically: a failed or
 * interrupted build leaves no entry).  The recipe's progress and
 * errors go to log_fd.  Needs root.
 */
int xk_image_build(const char *share, const char *cache, const char *key,
    const char *desc, int log_fd, struct xk_error *err);

/* The entry directory for key, or for "latest" when key is NULL. */
int xk_image_entry(const char *cache, const char *key, char *buf, size_t len,
    struct xk_error *err);

#endif
