/*
 * xg_hcall.h - hypercalls through the hypercall page.
 *
 * Xen writes the page (32 bytes of code per hypercall number): for a
 * PV guest the domain builder fills it (the XEN_ELFNOTE_HYPERCALL_PAGE
 * note names it), a PVH guest asks for it by writing the page's
 * address to the MSR that CPUID leaf 0x40000x02 names (xg_boot.c).
 * Arguments go in rdi, rsi, rdx, r10, r8; the result comes back in
 * rax, a negative errno value on failure (xen/errno.h).
 */
#ifndef XG_HCALL_H
#define XG_HCALL_H

#include "xg_xen.h"

/* The page itself: the hypervisor imposes it, entry.S places it. */
extern char xg_hypercall_page[];

static inline long
xg_hcall5(unsigned int nr, unsigned long a1, unsigned long a2,
    unsigned long a3, unsigned long a4, unsigned long a5)
{
	register unsigned long rdi __asm__("rdi") = a1;
	register unsigned long rsi __asm__("rsi") = a2;
	register unsigned long rdx __asm__("rdx") = a3;
	register unsigned long r10 __asm__("r10") = a4;
	register unsigned long r8 __asm__("r8") = a5;
	long ret;

	__asm__ volatile("call *%[entry]"
	    : "=a"(ret), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8)
	    : [entry] "r"(xg_hypercall_page + nr * 32)
	    : "memory", "rcx", "r9", "r11");
	return ret;
}

static inline long
xg_hcall2(unsigned int nr, unsigned long a1, unsigned long a2)
{
	return xg_hcall5(nr, a1, a2, 0, 0, 0);
}

static inline long
xg_hcall3(unsigned int nr, unsigned long a1, unsigned long a2,
    unsigned long a3)
{
	return xg_hcall5(nr, a1, a2, a3, 0, 0);
}

static inline long
xg_sched_op(int cmd, void *arg)
{
	return xg_hcall2(__HYPERVISOR_sched_op, (unsigned long)cmd,
	    (unsigned long)arg);
}

static inline long
xg_evtchn_op(int cmd, void *arg)
{
	return xg_hcall2(__HYPERVISOR_event_channel_op, (unsigned long)cmd,
	    (unsigned long)arg);
}

static inline long
xg_memory_op(int cmd, void *arg)
{
	return xg_hcall2(__HYPERVISOR_memory_op, (unsigned long)cmd,
	    (unsigned long)arg);
}

static inline long
xg_hvm_op(int cmd, void *arg)
{
	return xg_hcall2(__HYPERVISOR_hvm_op, (unsigned long)cmd,
	    (unsigned long)arg);
}

static inline long
xg_vcpu_op(int cmd, unsigned int vcpu, void *arg)
{
	return xg_hcall3(__HYPERVISOR_vcpu_op, (unsigned long)cmd, vcpu,
	    (unsigned long)arg);
}

static inline long
xg_gnttab_op(int cmd, void *arg, unsigned int count)
{
	return xg_hcall3(__HYPERVISOR_grant_table_op, (unsigned long)cmd,
	    (unsigned long)arg, count);
}

#endif
