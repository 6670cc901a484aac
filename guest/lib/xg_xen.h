/*
 * xg_xen.h - Xen's public interface (MIT-licensed headers that Debian's
 * libxen-dev installs in /usr/include/xen), at the newest interface
 * version Xen 4.17 defines, and the memory barriers x86 needs when
 * sharing rings with another domain.
 */
#ifndef XG_XEN_H
#define XG_XEN_H

#ifndef __XEN_INTERFACE_VERSION__
#define __XEN_INTERFACE_VERSION__ 0x00040e00	/* xen-compat.h, 4.17 */
#endif

#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/arch-x86/hvm/start_info.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/io/console.h>
#include <xen/io/xs_wire.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/vcpu.h>

/* The compiler must not move memory accesses across these. */
#define xg_barrier() __asm__ volatile("" ::: "memory")
/* x86 orders loads with loads and stores with stores; only a store
 * followed by a load of another location needs a fence. */
#define xg_rmb() xg_barrier()
#define xg_wmb() xg_barrier()
#define xg_mb() __asm__ volatile("mfence" ::: "memory")

#define XG_PAGE_SIZE 4096UL

#endif
