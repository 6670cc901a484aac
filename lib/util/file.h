/*
 * file.h - reading small input files whole, with a size limit; making
 * a rename durable.
 */
#ifndef XK_UTIL_FILE_H
#define XK_UTIL_FILE_H

#include <stddef.h>

#include "util/error.h"

/*
 * Read all of path into a NUL-terminated buffer (*data, *len).  Files
 * larger than max bytes are refused: configuration files are small, and
 * a multi-gigabyte "config" is a mistake we should name, not swallow.
 */
int xk_read_file(const char *path, size_t max, char **data, size_t *len,
    struct xk_error *err);

/*
 * fsync the directory that holds path, so that a rename into path
 * survives a crash (the file's own fsync does not cover its name).
 */
int xk_sync_parent_dir(const char *path, struct xk_error *err);

#endif
