/*
 * coverage.h - the coverage counters of a lab's hypervisor built with
 * CONFIG_COVERAGE=y (xk lab xen), read in dom0 with Xen's xencov and
 * turned into a gcov/lcov report on the host (xk lab coverage).
 *
 * `xencov read` gives the counters as one blob: the magic "XCOV" (a
 * 32-bit word 0x58434f56 in the host's byte order), then a record per
 * instrumented object: its .gcda file's name (the object's path in the
 * build tree, NUL-terminated), a 32-bit size, and that many bytes of
 * .gcda data.  The build's entry keeps the .gcno files and sources
 * (gcov.tar.gz, with build-dir, the directory the names start with),
 * so the .gcda files go beside them under the report's src/.
 */
#ifndef XK_LAB_COVERAGE_H
#define XK_LAB_COVERAGE_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"
#include "util/strbuf.h"

#define XK_XENCOV_MAGIC		0x58434f56u
#define XK_XENCOV_MAX		(256u << 20)	/* far more than Xen's */

/* One record: name (NUL-terminated), its data. */
typedef int (*xk_xencov_fn)(const char *name, const uint8_t *data,
    size_t len, void *arg, struct xk_error *err);

/*
 * Parse the blob, calling fn for each record in order; *n gets their
 * number.  A bad magic, a record cut short, an empty name, or fn's -1
 * is an error naming the offset.
 */
int xk_xencov_parse(const uint8_t *buf, size_t len, xk_xencov_fn fn,
    void *arg, size_t *n, struct xk_error *err);

/*
 * The .gcda file a record's name means under dir: name must be
 * build_dir/REL with REL a relative path ending in .gcda with no "."
 * or ".." component; out gets dir/REL.
 */
int xk_xencov_path(const char *name, const char *build_dir,
    const char *dir, char *out, size_t len, struct xk_error *err);

/*
 * xencov op in the lab's dom0: "reset" zeroes the counters, "read"
 * puts their blob into raw (at most XK_XENCOV_MAX bytes).  A lab not
 * running, or xencov failing there, is an error.
 */
int xk_lab_xencov(const char *state, const char *op, struct strbuf *raw,
    struct xk_error *err);

/*
 * The hypervisor build the lab at state booted, which must be a
 * coverage build: entry gets its directory.
 */
int xk_lab_cov_entry(const char *state, char *entry, size_t len,
    struct xk_error *err);
/* Keep entry as the build the lab at state boots (xk lab up --xen). */
int xk_lab_cov_record(const char *state, const char *entry,
    struct xk_error *err);

/*
 * The report of raw (xencov's blob) for the build at entry, as the
 * directory out, which must not exist: out/xencov.raw, out/src/ (the
 * build's sources, .gcno and the .gcda files), out/coverage.info (lcov
 * 's tracefile, made by share/lab/xen-coverage.sh).  Made under a
 * temporary name and renamed when complete.  *files gets the number
 * of .gcda files.  The script's messages go to log_fd.
 */
int xk_lab_cov_report(const char *share, const char *entry,
    const uint8_t *raw, size_t len, const char *out, int log_fd,
    size_t *files, struct xk_error *err);

#endif
