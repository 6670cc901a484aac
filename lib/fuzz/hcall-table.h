/*
 * hcall-table.h - the shorthands both tables of calls are written in
 * (hcall.c: dom0's, hcall-guest-calls.c: the guest's): an argument's
 * size and offset taken from Xen's own structure, so that a table
 * cannot drift from what the hypervisor reads.
 */
#ifndef XK_FUZZ_HCALL_TABLE_H
#define XK_FUZZ_HCALL_TABLE_H

#include <stddef.h>

#include "fuzz/hcall.h"

#define SZ(T, m)	((uint8_t)sizeof(((T *)0)->m))
#define OFF(T, m)	((uint16_t)offsetof(T, m))
#define N(n, T, m, lo, hi) { n, XK_HC_NUM, SZ(T, m), OFF(T, m), lo, hi, false }
#define STRICT(n, T, m, lo, hi) { n, XK_HC_NUM, SZ(T, m), OFF(T, m), lo, hi, \
    true }
#define FL(n, T, m, mask) { n, XK_HC_FLAGS, SZ(T, m), OFF(T, m), 0, mask, false }
#define DOM(n, T, m)	{ n, XK_HC_DOM, SZ(T, m), OFF(T, m), 0, 0, false }
#define BUF(n, T, m)	{ n, XK_HC_BUF, 8, OFF(T, m), 0, 2, false }
#define NOARGS		{ NULL, XK_HC_NUM, 0, 0, 0, 0, false }

/* A guest's: a buffer that may hold its spare frames, a frame. */
#define GBUF(n, T, m)	{ n, XK_HC_BUF, 8, OFF(T, m), 0, XK_HC_GFNS, false }
#define GFN(n, T, m)	{ n, XK_HC_GFN, SZ(T, m), OFF(T, m), 0, \
    XK_HC_SPARE - 1, false }
/* A register (XK_HC_VCPU's first argument, XK_HC_REGS's every one). */
#define RN(n, lo, hi)	{ n, XK_HC_NUM, 8, XK_HC_REG, lo, hi, false }
#define RSTRICT(n, lo, hi) { n, XK_HC_NUM, 8, XK_HC_REG, lo, hi, true }
#define RDOM(n)		{ n, XK_HC_DOM, 2, XK_HC_REG, 0, 0, false }
#define RBUF(n)		{ n, XK_HC_BUF, 8, XK_HC_REG, 0, 2, false }

#endif
