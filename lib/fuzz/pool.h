/*
 * pool.h - the toolstack engine's own cpupool ("xk-fuzz", credit2, one
 * pCPU taken from Pool-0 for a run), the second pool its pool
 * operation moves domains to.
 */
#ifndef XK_FUZZ_POOL_H
#define XK_FUZZ_POOL_H

#include <stdint.h>

#include <libxl.h>

#include "util/error.h"

/* Make the pool from Pool-0's highest pCPU (Pool-0 must keep one);
 * its id in *poolid. */
int xk_fuzz_pool_make(libxl_ctx *ctx, uint32_t *poolid,
    struct xk_error *err);
/* The pool a run made, found by its name (a run resumed from a
 * checkpoint, xk-fuzz(1)); -1 when there is none. */
int xk_fuzz_pool_find(libxl_ctx *ctx, uint32_t *poolid,
    struct xk_error *err);
/* Destroy the pool if there is one (no domain may be in it) and give
 * every free pCPU back to Pool-0. */
int xk_fuzz_pool_drop(libxl_ctx *ctx, struct xk_error *err);

#endif
