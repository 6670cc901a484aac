/*
 * convert.h - `xk convert` as one transaction: a disk image copied into
 * another format (disk.h), the output under a temporary name beside
 * OUT and renamed onto it only when complete.  What a killed earlier
 * conversion left beside OUT is swept first.  The input is only read.
 */
#ifndef XK_FORMATS_CONVERT_H
#define XK_FORMATS_CONVERT_H

#include "formats/disk.h"
#include "util/error.h"
#include "util/tempfile.h"

/*
 * Copy in (format from) to out (format to), with progress on a TTY.
 * Refuses in and out being the same file.  stats gets the virtual size
 * and the bytes read; swept (filled either way) the leftovers removed.
 */
int xk_disk_convert(const char *in, enum xk_img_format from,
    const char *out, enum xk_img_format to, struct xk_disk_copy_stats *stats,
    struct xk_swept *swept, struct xk_error *err);

#endif
