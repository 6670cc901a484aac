/*
 * cache.c - which image a lab boots (see cache.h).
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "lab/cache.h"
#include "lab/image.h"
#include "lab/proto.h"
#include "util/clock.h"
#include "util/file.h"

void
xk_lab_tell(xk_lab_note_fn note, void *arg, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (note == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	note(msg, arg);
}

static double
secs(int64_t since)
{
	return (double)(xk_mono_ms() - since) / 1000.0;
}

/* No key: the newest cached image, if it verifies (and not forced). */
static int
newest(const char *cache, int force, const struct xk_error *why,
    xk_lab_note_fn note, void *arg, char *entry, size_t len,
    struct xk_error *err)
{
	if (xk_image_entry(cache, NULL, entry, len, err) == -1)
		return -1;
	if (force || xk_image_verify(entry, err) == -1) {
		xk_error_set(err, "cannot compute the image key (%s) and no "
		    "usable cached image", why->msg);
		return -1;
	}
	xk_lab_tell(note, arg, "image key: %s; using the newest cached image",
	    why->msg);
	return 0;
}

int
xk_lab_find_image(const char *share, int force, int log_fd,
    xk_lab_note_fn note, void *arg, char *entry, size_t len,
    struct xk_error *err)
{
	char cache[PATH_MAX], key[XK_IMAGE_KEY_LEN], *desc = NULL;
	struct xk_error kerr = { 0 };
	int64_t t0 = xk_mono_ms();
	int r = -1;

	if (xk_image_cache_root(cache, sizeof(cache), err) == -1)
		return -1;
	if (xk_image_key(share, key, &desc, &kerr) == -1)
		return newest(cache, force, &kerr, note, arg, entry, len, err);
	if (xk_image_entry(cache, key, entry, len, err) == -1)
		goto out;
	if (!force && xk_is_dir(entry)) {
		if (xk_image_verify(entry, err) == 0) {
			xk_lab_tell(note, arg, "image %.12s: cached, verified in "
			    "%.1f s", key, secs(t0));
			r = 0;
			goto out;
		}
		xk_lab_tell(note, arg, "cached image: %s; rebuilding", err->msg);
		xk_error_clear(err);
	}
	xk_lab_tell(note, arg, "image %.12s: building from Debian packages (a few "
	    "minutes)", key);
	if (xk_image_build(share, cache, key, desc, force, log_fd, err) == -1)
		goto out;
	xk_lab_tell(note, arg, "image %.12s: built in %.1f s", key, secs(t0));
	r = 0;
out:
	free(desc);
	return r;
}
