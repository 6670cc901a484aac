/*
 * cache.h - which image a lab boots: the cache's policy over image.h's
 * mechanisms (keys, verification, builds).
 */
#ifndef XK_LAB_CACHE_H
#define XK_LAB_CACHE_H

#include <stddef.h>

#include "util/error.h"

/* What the policy did, worth telling the user (one line, no newline). */
typedef void (*xk_lab_note_fn)(const char *msg, void *arg);
/* Tell note (if not NULL) a formatted line, cut at 511 bytes. */
void xk_lab_tell(xk_lab_note_fn note, void *arg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * The image to boot, its entry directory in entry: the entry for the
 * current key if it verifies, else built (always built with force).
 * Without apt lists no key can be computed: then the newest cached
 * image, so a built lab keeps working offline.  note (may be NULL)
 * hears what happened: cached and verified, building (before a build
 * of minutes), built, a fallback taken.  A build's own progress goes to
 * log_fd.
 */
int xk_lab_find_image(const char *share, int force, int log_fd,
    xk_lab_note_fn note, void *arg, char *entry, size_t len,
    struct xk_error *err);

#endif
