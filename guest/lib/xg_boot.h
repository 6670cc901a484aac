/*
 * xg_boot.h - how a guest starts, and what it is given.
 *
 * One ELF boots both ways (entry.S):
 *   PV   the domain builder maps the image at its link address
 *        (XEN_ELFNOTE_VIRT_BASE 0), fills the hypercall page and enters
 *        xg_start_pv in 64-bit mode, ring 3, with %rsi = start_info;
 *   PVH  Xen enters xg_start_pvh (XEN_ELFNOTE_PHYS32_ENTRY) in 32-bit
 *        protected mode without paging, %ebx = hvm_start_info; the
 *        entry code builds identity page tables for the low 4 GiB
 *        (2 MiB pages: the console and xenstore pages sit just below
 *        4 GiB), enters long mode and sets up the hypercall page.
 * Both then map shared_info, find the console and xenstore rings and
 * call the application's xg_main with a struct xg describing them.
 * When xg_main returns, the guest powers off.
 *
 * Events stay masked (evtchn_upcall_mask = 1): no interrupts, no
 * callbacks.  A guest waits for an event channel with SCHEDOP_poll
 * (xg_evtchn.h), which Xen ends when a polled port becomes pending,
 * masked or not.  There is no IDT: a fault ends the domain as crashed.
 */
#ifndef XG_BOOT_H
#define XG_BOOT_H

#include "xg_xen.h"

enum xg_mode {
	XG_PV = 1,
	XG_PVH = 2,
};

/* The PV console (xen/io/console.h), see xg_console.h. */
struct xg_console {
	volatile struct xencons_interface *ring;	/* NULL: none */
	evtchn_port_t port;
};

struct xg {
	enum xg_mode mode;
	const char *cmdline;		/* "" when none */
	uint64_t mem_bytes;		/* RAM Xen gave the domain */
	volatile struct shared_info *shared;
	struct xg_console console;
	volatile struct xenstore_domain_interface *store;	/* NULL: none */
	evtchn_port_t store_port;
	/* PV only */
	const start_info_t *start_info;
	const unsigned long *p2m;	/* pfn -> mfn (start_info mfn_list) */
};

/* Defined by the application: the guest's work. */
void xg_main(struct xg *xg);

/* The frame number Xen and back ends know the page at VA by: its mfn
 * for PV (from the p2m list), its gfn (= physical page) for PVH. */
uint64_t xg_frame(const struct xg *xg, const void *va);

/* Map shared_info and find the rings again: what a guest resumed in
 * a new domain after SHUTDOWN_suspend must do (xg_shutdown.h). */
int xg_platform_setup(struct xg *xg);

#endif
