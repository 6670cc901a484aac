/*
 * hcall.h - the hypercall engine's knowledge of its calls, trinity
 * style: a typed description of each hypercall and sub-operation it
 * makes from dom0 (through privcmd), so that most arguments drawn are
 * valid and the code behind the first checks runs, and the rest are
 * the values that break checks (edges, wraps, stray flags).
 *
 * A call's arguments are numbers, flags, domains and buffers:
 *
 *	domain	@1, @2 or @3: one of the engine's three domain slots
 *		(filled by domctl.createdomain, emptied by
 *		domctl.destroydomain); or a raw domid, only the reserved
 *		ones (DOMID_SELF and up), and 0 (dom0) only for calls
 *		that cannot hurt dom0.  A slot resolves to its domain at
 *		run time, so a log replays on a lab whose domids differ.
 *	buffer	null, buf (the engine's scratch pages, filled from the
 *		operation's own values: replays see the same bytes) or
 *		bad (an unmapped user address: Xen's copy must fail);
 *		for a guest's calls that take frame lists, also gfns
 *		(the scratch pages full of the guest's spare frames).
 *	frame	a guest's call only: 0 to 255, one of the guest's 256
 *		spare frames (xk-guest-fuzz keeps them out of its RAM, so
 *		that a call cannot take the guest's own pages from under
 *		it), or from 2^32 up, a frame no guest has.
 *
 * The guest engine's calls (named "guest.*") are made by an
 * unprivileged PVH guest (guest/bin/fuzz.c, hcall-guest.h), their
 * domains raw domids only: DOMID_SELF for its own, 0 for dom0's, which
 * Xen must refuse it.
 *
 * What is left out, and why, is in hcall.c's table header and in
 * xk-fuzz(1): calls that stop or wreck the host by design (dom0's own
 * shutdown, page tables, event channels and memory; kexec; microcode;
 * a pause of dom0) find nothing a fuzzer should report.
 *
 * Pure: the generator draws from the PRNG alone, never from Xen.
 */
#ifndef XK_FUZZ_HCALL_H
#define XK_FUZZ_HCALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fuzz/prng.h"
#include "util/error.h"
#include "util/strbuf.h"

#define XK_HC_ARGS	6	/* arguments a call takes at most */
#define XK_HC_SLOTS	3	/* domain slots @1 ... @3 */
#define XK_HC_SLOT(k)	(0x10000u + (k))	/* a slot, as an argument */
#define XK_HC_EMPTY_DOMID 0x7fef	/* an empty slot resolves to this:
					 * the last domid Xen hands out */

enum xk_hc_kind {
	XK_HC_NUM,	/* a number of `size` bytes */
	XK_HC_FLAGS,	/* flags; hi is the mask of the known ones */
	XK_HC_DOM,	/* a domain (see above) */
	XK_HC_BUF,	/* a buffer: 0 null, 1 buf, 2 bad, 3 gfns */
	XK_HC_GFN	/* a guest's frame (see above) */
};

enum { XK_HC_NULL, XK_HC_GOOD, XK_HC_BAD, XK_HC_GFNS };

#define XK_HC_SPARE	256		/* a guest's spare frames */
#define XK_HC_FAR_GFN	(UINT64_C(1) << 32)	/* raw frames from here */

/* How a call is made (its hypercall's argument convention). */
enum xk_hc_layout {
	XK_HC_DOMCTL,	/* domctl(struct xen_domctl *) */
	XK_HC_SYSCTL,	/* sysctl(struct xen_sysctl *) */
	XK_HC_PLATFORM,	/* platform_op(struct xen_platform_op *) */
	XK_HC_PTR,	/* hypercall(cmd, struct *): memory_op, hvm_op ... */
	XK_HC_PTR1,	/* hypercall(cmd, struct *, 1): grant_table_op */
	XK_HC_CMDBUF,	/* hypercall(arg 0, arg 1 as a buffer): xen_version */
	XK_HC_VCPU,	/* hypercall(cmd, arg 0, struct *): vcpu_op */
	XK_HC_REGS	/* hypercall(arg 0, ..., arg 4): no structure */
};

#define XK_HC_HDR_DOM	0xffff	/* off: the domctl header's domain */
#define XK_HC_REG	0xfffe	/* off: a register (VCPU's arg 0, REGS) */

struct xk_hc_arg {
	const char *name;
	enum xk_hc_kind kind;
	uint8_t size;		/* bytes in the structure: 1, 2, 4, 8 */
	uint16_t off;		/* in the call's structure (domctl,
				 * sysctl, platform_op: in its union) */
	uint64_t lo, hi;	/* the valid range the generator favours */
	bool strict;		/* only [lo, hi]: a value outside stops
				 * the host (the parser refuses it) */
};

struct xk_hc_call {
	const char *name;	/* "domctl.ioport_permission" */
	enum xk_hc_layout layout;
	unsigned hypercall;	/* __HYPERVISOR_* */
	uint32_t cmd;		/* the sub-operation */
	uint16_t size;		/* XK_HC_PTR*: the structure's size */
	uint8_t weight;		/* how often the generator draws it */
	bool dom0_ok;		/* a domain argument may be dom0 */
	bool creates;		/* fills the slot its domain names */
	bool destroys;		/* empties it */
	struct xk_hc_arg a[XK_HC_ARGS];
	bool guest;		/* made by the guest engine's guest */
};

size_t xk_hc_ncalls(void);
const struct xk_hc_call *xk_hc_call(size_t i);
/* The call named name[0..len), as an index, or -1. */
int xk_hc_find(const char *name, size_t len);
/* How many arguments call i takes. */
int xk_hc_nargs(size_t i);

/* Draw a call and its arguments: one of dom0's, or with guest one of
 * the guest's. */
void xk_hc_generate(struct xk_prng *p, bool guest, uint16_t *call,
    uint64_t arg[XK_HC_ARGS]);

/*
 * What Xen answered each call of a run, counted (both engines end with
 * them): "# calls NAME ok=N failed=N" for each call made.  Both tables
 * together hold at most XK_HC_CALLS_MAX calls (t4820 checks).
 */
#define XK_HC_CALLS_MAX	128

struct xk_hc_counts {
	unsigned long ok[XK_HC_CALLS_MAX], failed[XK_HC_CALLS_MAX];
};

void xk_hc_count(struct xk_hc_counts *c, uint16_t call, bool ok);
void xk_hc_counts_print(const struct xk_hc_counts *c, FILE *out);

/* The seed of the scratch pages' bytes for a call: its name and
 * arguments alone, so that a replay hands Xen the same bytes. */
uint64_t xk_hc_scratch_seed(uint16_t call, const uint64_t arg[XK_HC_ARGS]);

/* " name=value" for each argument, appended to sb. */
int xk_hc_format(uint16_t call, const uint64_t arg[XK_HC_ARGS],
    struct strbuf *sb);
/*
 * Read argument j of call from s[0..len) (the text after "name="),
 * into *v.  NULL, or why not.
 */
const char *xk_hc_parse_arg(uint16_t call, int j, const char *s, size_t len,
    uint64_t *v);

#endif
