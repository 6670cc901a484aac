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

#include <stdbool.h>
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
 * interrupted build leaves no entry).  An entry that verifies is kept
 * unless force is set.  The recipe's progress and errors go to log_fd.
 * Needs root.
 */
int xk_image_build(const char *share, const char *cache, const char *key,
    const char *desc, int force, int log_fd, struct xk_error *err);

/*
 * The mechanism under both caches (the image's and the hypervisor
 * builds', xenbuild.h): an entry CACHE/KEY made by a recipe into
 * CACHE/KEY.tmp.PID, its files' checksums written last to SHA256SUMS,
 * then renamed into place, one build at a time (CACHE/build.lock).  A
 * failed build leaves nothing.
 */
struct xk_cache_job {
	const char *cache;		/* the cache directory */
	const char *key;		/* the entry's name */
	const char *desc;		/* written as the entry's key.txt */
	const char *const *files;	/* the entry's files, key.txt too */
	const char *const *argv;	/* the recipe; its output dir appended */
	const char *what;		/* the recipe's name, for messages */
	int space_mb;			/* free space a build needs */
	int log_fd;			/* the recipe's output */
	bool latest;			/* CACHE/latest names it; older go */
	bool force;			/* build even if a good entry is there */
};

int xk_cache_build(const struct xk_cache_job *j, struct xk_error *err);

/* Check an entry's files (exactly files) against its SHA256SUMS. */
int xk_cache_verify(const char *entry, const char *const files[],
    struct xk_error *err);

/* Hex SHA-256 of a file, of memory. */
int xk_sha256_file(const char *path, char out[XK_IMAGE_KEY_LEN],
    struct xk_error *err);
int xk_sha256_mem(const void *p, size_t len, char out[XK_IMAGE_KEY_LEN],
    struct xk_error *err);

/* The entry directory for key, or for "latest" when key is NULL. */
int xk_image_entry(const char *cache, const char *key, char *buf, size_t len,
    struct xk_error *err);

#endif
