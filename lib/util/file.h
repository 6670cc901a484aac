/*
 * file.h - reading small input files whole, with a size limit; writing
 * whole buffers; making a rename durable.
 */
#ifndef XK_UTIL_FILE_H
#define XK_UTIL_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/*
 * Read all of path into a NUL-terminated buffer (*data, *len).  Files
 * larger than max bytes are refused: configuration files are small, and
 * a multi-gigabyte "config" is a mistake we should name, not swallow.
 */
int xk_read_file(const char *path, size_t max, char **data, size_t *len,
    struct xk_error *err);

/* Does path name a directory (following links)? */
bool xk_is_dir(const char *path);

/*
 * fsync the directory that holds path, so that a rename into path
 * survives a crash (the file's own fsync does not cover its name).
 */
int xk_sync_parent_dir(const char *path, struct xk_error *err);

/*
 * Write all of buf to fd, retrying short writes and EINTR; what names
 * the destination in the message ("write to WHAT").  A write(2) of 0
 * bytes fails with EIO rather than looping for ever.
 */
int xk_write_all(int fd, const void *buf, size_t len, const char *what,
    struct xk_error *err);
/* The same with pwrite(2) at off ("PATH: write at offset N"). */
int xk_pwrite_full(int fd, const void *buf, size_t len, uint64_t off,
    const char *path, struct xk_error *err);
/* pread(2) all of len at off; the end of the file first is an error
 * ("PATH: unexpected end of file at offset N (truncated?)"). */
int xk_pread_full(int fd, void *buf, size_t len, uint64_t off,
    const char *path, struct xk_error *err);

#endif
