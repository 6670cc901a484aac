/*
 * hcall-guest-calls.h - the guest engine's table of calls: what an
 * unprivileged PVH guest may ask of Xen (hcall.h tells how a call is
 * described; hcall.c indexes this table after dom0's).
 */
#ifndef XK_FUZZ_HCALL_GUEST_CALLS_H
#define XK_FUZZ_HCALL_GUEST_CALLS_H

#include <stddef.h>

#include "fuzz/hcall.h"

extern const struct xk_hc_call xk_hc_guest_calls[];
extern const size_t xk_hc_nguest_calls;

#endif
