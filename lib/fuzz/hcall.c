/*
 * hcall.c - the hypercall engine's table of calls, its generator and
 * the text of its arguments (see hcall.h).
 *
 * Offsets and sizes come from Xen's own public headers (Debian's
 * libxen-dev, Xen 4.17), so the table cannot drift from the structures
 * the hypervisor reads.
 *
 * Left out, each because it stops or wrecks the host by design, so that
 * a fuzzer finding it finds nothing (xk-fuzz(1) lists them too):
 *	sched_op shutdown, vcpu_op, mmu_update, mmuext_op,
 *	update_va_mapping	dom0's own vCPUs and page tables
 *	physdev_op, event_channel_op close/send/bind on dom0's ports
 *				dom0's interrupts and event channels
 *	domctl on dom0 that changes it (pause, destroy, max_mem,
 *	scheduler, permissions, evtchn reset), domctl.setdomainhandle
 *				(the engine finds its domains by handle),
 *	domctl.set_virq_handler	(takes the global VIRQs from dom0)
 *	kexec_op, platform_op but two read-only sub-operations
 *				(microcode, CPU hotplug, clock)
 *	sysctl but the read-only ones: page_offline, cpupool changes,
 *	set_parameter, idle_inject, coverage_op (the hypervisor's
 *	state for everything else in the lab), readconsole clear
 *	a "bad" buffer in dom0's kernel memory (Xen would write there:
 *	bad is an unmapped user address only)
 */
#include <stddef.h>
#include <string.h>

#include <xenctrl.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/hvm/save.h>
#include <xen/memory.h>
#include <xen/platform.h>
#include <xen/sched.h>
#include <xen/version.h>

#include "fuzz/hcall.h"
#include "fuzz/hcall-guest-calls.h"
#include "fuzz/hcall-table.h"

#define HDOM		{ "dom", XK_HC_DOM, 2, XK_HC_HDR_DOM, 0, 0, false }

/* domctl.NAME: the header's domain first, then its arguments */
#define DC(nm, c, w, d0, ...) { "domctl." nm, XK_HC_DOMCTL, \
    __HYPERVISOR_domctl, c, 0, w, d0, false, false, { HDOM, __VA_ARGS__ }, false }
#define SC(nm, c, w, ...) { "sysctl." nm, XK_HC_SYSCTL, __HYPERVISOR_sysctl, \
    c, 0, w, false, false, false, { __VA_ARGS__ }, false }
#define PTR(nm, hc, c, T, w, d0, ...) { nm, XK_HC_PTR, hc, c, sizeof(T), w, \
    d0, false, false, { __VA_ARGS__ }, false }

typedef struct xen_domctl_createdomain cd_t;
typedef struct xen_domctl_vcpuaffinity aff_t;
typedef struct xen_domctl_shadow_op sh_t;
typedef struct xen_domctl_scheduler_op sched_t;
typedef struct xen_memory_reservation resv_t;
typedef struct xen_platform_op pf_t;

static const struct xk_hc_call calls[] = {	/* dom0's */
	{ "domctl.createdomain", XK_HC_DOMCTL, __HYPERVISOR_domctl,
	    XEN_DOMCTL_createdomain, 0, 6, false, true, false, { HDOM,
	    FL("flags", cd_t, flags, XEN_DOMCTL_CDF_MAX * 2 - 1),
	    N("max_vcpus", cd_t, max_vcpus, 1, 4),
	    N("grant_opts", cd_t, grant_opts, 1, 2),
	    N("max_grant_frames", cd_t, max_grant_frames, 1, 64),
	    FL("emulation", cd_t, arch.emulation_flags, XEN_X86_EMU_ALL) }, false },
	{ "domctl.destroydomain", XK_HC_DOMCTL, __HYPERVISOR_domctl,
	    XEN_DOMCTL_destroydomain, 0, 1, false, false, true, { HDOM }, false },
	DC("pausedomain", XEN_DOMCTL_pausedomain, 2, false, NOARGS),
	DC("unpausedomain", XEN_DOMCTL_unpausedomain, 2, false, NOARGS),
	DC("getdomaininfo", XEN_DOMCTL_getdomaininfo, 1, true, NOARGS),
	DC("setvcpuaffinity", XEN_DOMCTL_setvcpuaffinity, 2, false,
	    N("vcpu", aff_t, vcpu, 0, 1),
	    FL("flags", aff_t, flags, 7),
	    BUF("hard", aff_t, cpumap_hard.bitmap),
	    N("hard_bits", aff_t, cpumap_hard.nr_bits, 1, 64),
	    N("soft_bits", aff_t, cpumap_soft.nr_bits, 0, 64)),
	DC("getvcpuaffinity", XEN_DOMCTL_getvcpuaffinity, 1, true,
	    N("vcpu", aff_t, vcpu, 0, 1),
	    FL("flags", aff_t, flags, 3),
	    BUF("hard", aff_t, cpumap_hard.bitmap),
	    N("hard_bits", aff_t, cpumap_hard.nr_bits, 1, 64)),
	DC("shadow_op", XEN_DOMCTL_shadow_op, 2, false,
	    N("op", sh_t, op, XEN_DOMCTL_SHADOW_OP_GET_ALLOCATION,
	    XEN_DOMCTL_SHADOW_OP_SET_ALLOCATION),
	    FL("mode", sh_t, mode, 0x1e),
	    N("mb", sh_t, mb, 0, 16),
	    BUF("bitmap", sh_t, dirty_bitmap),
	    N("pages", sh_t, pages, 0, 256)),
	DC("max_mem", XEN_DOMCTL_max_mem, 2, false,
	    N("max_memkb", struct xen_domctl_max_mem, max_memkb, 0, 1 << 20)),
	DC("getvcpucontext", XEN_DOMCTL_getvcpucontext, 1, true,
	    N("vcpu", struct xen_domctl_vcpucontext, vcpu, 0, 1),
	    BUF("ctxt", struct xen_domctl_vcpucontext, ctxt)),
	DC("getvcpuinfo", XEN_DOMCTL_getvcpuinfo, 1, true,
	    N("vcpu", struct xen_domctl_getvcpuinfo, vcpu, 0, 1)),
	DC("max_vcpus", XEN_DOMCTL_max_vcpus, 1, false,
	    N("max", struct xen_domctl_max_vcpus, max, 1, 1)),
	DC("scheduler_op", XEN_DOMCTL_scheduler_op, 2, false,
	    N("sched_id", sched_t, sched_id, XEN_SCHEDULER_CREDIT2,
	    XEN_SCHEDULER_CREDIT2),
	    N("cmd", sched_t, cmd, XEN_DOMCTL_SCHEDOP_putinfo,
	    XEN_DOMCTL_SCHEDOP_getinfo),
	    N("weight", sched_t, u.credit2.weight, 1, 65535),
	    N("cap", sched_t, u.credit2.cap, 0, 100)),
	DC("setdebugging", XEN_DOMCTL_setdebugging, 1, false,
	    N("enable", struct xen_domctl_setdebugging, enable, 0, 1)),
	DC("irq_permission", XEN_DOMCTL_irq_permission, 2, false,
	    N("pirq", struct xen_domctl_irq_permission, pirq, 0, 255),
	    N("allow", struct xen_domctl_irq_permission, allow_access, 0, 1)),
	DC("iomem_permission", XEN_DOMCTL_iomem_permission, 2, false,
	    N("first_mfn", struct xen_domctl_iomem_permission, first_mfn, 0,
	    0xfffff),
	    N("nr_mfns", struct xen_domctl_iomem_permission, nr_mfns, 1, 256),
	    N("allow", struct xen_domctl_iomem_permission, allow_access, 0,
	    1)),
	DC("ioport_permission", XEN_DOMCTL_ioport_permission, 2, false,
	    N("first_port", struct xen_domctl_ioport_permission, first_port, 0,
	    0xffff),
	    N("nr_ports", struct xen_domctl_ioport_permission, nr_ports, 1,
	    256),
	    N("allow", struct xen_domctl_ioport_permission, allow_access, 0,
	    1)),
	DC("settimeoffset", XEN_DOMCTL_settimeoffset, 1, false,
	    N("seconds", struct xen_domctl_settimeoffset, time_offset_seconds,
	    0, 86400)),
	DC("set_address_size", XEN_DOMCTL_set_address_size, 1, false,
	    N("size", struct xen_domctl_address_size, size, 32, 32)),
	DC("get_address_size", XEN_DOMCTL_get_address_size, 1, true,
	    NOARGS),
	DC("getpageframeinfo3", XEN_DOMCTL_getpageframeinfo3, 1, false,
	    N("num", struct xen_domctl_getpageframeinfo3, num, 0, 16),
	    BUF("array", struct xen_domctl_getpageframeinfo3, array)),
	DC("sendtrigger", XEN_DOMCTL_sendtrigger, 1, false,
	    N("trigger", struct xen_domctl_sendtrigger, trigger, 1, 5),
	    N("vcpu", struct xen_domctl_sendtrigger, vcpu, 0, 1)),
	DC("gethvmcontext", XEN_DOMCTL_gethvmcontext, 1, false,
	    N("size", struct xen_domctl_hvmcontext, size, 0, 16384),
	    BUF("buffer", struct xen_domctl_hvmcontext, buffer)),
	DC("gethvmcontext_partial", XEN_DOMCTL_gethvmcontext_partial, 1,
	    false,
	    N("type", struct xen_domctl_hvmcontext_partial, type, 1,
	    HVM_SAVE_CODE_MAX),
	    N("instance", struct xen_domctl_hvmcontext_partial, instance, 0,
	    3),
	    N("bufsz", struct xen_domctl_hvmcontext_partial, bufsz, 0, 4096),
	    BUF("buffer", struct xen_domctl_hvmcontext_partial, buffer)),
	DC("set_paging_mempool_size", XEN_DOMCTL_set_paging_mempool_size, 1,
	    false, N("size", struct xen_domctl_paging_mempool, size, 0,
	    16 << 20)),
	DC("get_paging_mempool_size", XEN_DOMCTL_get_paging_mempool_size, 1,
	    true, NOARGS),
	DC("setnodeaffinity", XEN_DOMCTL_setnodeaffinity, 1, false,
	    BUF("nodemap", struct xen_domctl_nodeaffinity, nodemap.bitmap),
	    N("bits", struct xen_domctl_nodeaffinity, nodemap.nr_bits, 1, 64)),
	DC("cacheflush", XEN_DOMCTL_cacheflush, 1, false,
	    N("start_pfn", struct xen_domctl_cacheflush, start_pfn, 0, 0xffff),
	    N("nr_pfns", struct xen_domctl_cacheflush, nr_pfns, 0, 256)),
	DC("resumedomain", XEN_DOMCTL_resumedomain, 1, false, NOARGS),
	DC("getvcpuextstate", XEN_DOMCTL_getvcpuextstate, 1, false,
	    N("vcpu", struct xen_domctl_vcpuextstate, vcpu, 0, 1),
	    N("size", struct xen_domctl_vcpuextstate, size, 0, 4096),
	    BUF("buffer", struct xen_domctl_vcpuextstate, buffer)),
	DC("get_cpu_policy", XEN_DOMCTL_get_cpu_policy, 1, true,
	    N("nr_leaves", struct xen_domctl_cpu_policy, nr_leaves, 0, 128),
	    N("nr_msrs", struct xen_domctl_cpu_policy, nr_msrs, 0, 64),
	    BUF("leaves", struct xen_domctl_cpu_policy, leaves),
	    BUF("msrs", struct xen_domctl_cpu_policy, msrs)),

	SC("physinfo", XEN_SYSCTL_physinfo, 1, NOARGS),
	SC("sched_id", XEN_SYSCTL_sched_id, 1, NOARGS),
	SC("getdomaininfolist", XEN_SYSCTL_getdomaininfolist, 2,
	    N("first", struct xen_sysctl_getdomaininfolist, first_domain, 0,
	    0x7fff),
	    N("max", struct xen_sysctl_getdomaininfolist, max_domains, 0, 16),
	    BUF("buffer", struct xen_sysctl_getdomaininfolist, buffer)),
	SC("getcpuinfo", XEN_SYSCTL_getcpuinfo, 1,
	    N("max_cpus", struct xen_sysctl_getcpuinfo, max_cpus, 0, 8),
	    BUF("info", struct xen_sysctl_getcpuinfo, info)),
	SC("cputopoinfo", XEN_SYSCTL_cputopoinfo, 1,
	    N("num_cpus", struct xen_sysctl_cputopoinfo, num_cpus, 0, 8),
	    BUF("cputopo", struct xen_sysctl_cputopoinfo, cputopo)),
	SC("cpupool_info", XEN_SYSCTL_cpupool_op, 1,
	    STRICT("op", struct xen_sysctl_cpupool_op, op,
	    XEN_SYSCTL_CPUPOOL_OP_INFO, XEN_SYSCTL_CPUPOOL_OP_INFO),
	    N("pool", struct xen_sysctl_cpupool_op, cpupool_id, 0, 2),
	    BUF("cpumap", struct xen_sysctl_cpupool_op, cpumap.bitmap),
	    N("bits", struct xen_sysctl_cpupool_op, cpumap.nr_bits, 1, 64)),
	SC("cpu_featureset", XEN_SYSCTL_get_cpu_featureset, 1,
	    N("index", struct xen_sysctl_cpu_featureset, index, 0, 3),
	    N("nr", struct xen_sysctl_cpu_featureset, nr_features, 0, 32),
	    BUF("features", struct xen_sysctl_cpu_featureset, features)),
	SC("readconsole", XEN_SYSCTL_readconsole, 1,
	    STRICT("clear", struct xen_sysctl_readconsole, clear, 0, 0),
	    N("incremental", struct xen_sysctl_readconsole, incremental, 0, 1),
	    N("index", struct xen_sysctl_readconsole, index, 0, 65536),
	    N("count", struct xen_sysctl_readconsole, count, 0, 4096),
	    BUF("buffer", struct xen_sysctl_readconsole, buffer)),

	{ "platform.get_cpuinfo", XK_HC_PLATFORM, __HYPERVISOR_platform_op,
	    XENPF_get_cpuinfo, 0, 1, false, false, false, {
	    N("cpu", pf_t, u.pcpu_info.xen_cpuid, 0, 3) }, false },
	{ "platform.get_cpu_version", XK_HC_PLATFORM,
	    __HYPERVISOR_platform_op, XENPF_get_cpu_version, 0, 1, false,
	    false, false, { N("cpu", pf_t, u.pcpu_version.xen_cpuid, 0, 3) }, false },

	PTR("memory.current_reservation", __HYPERVISOR_memory_op,
	    XENMEM_current_reservation, domid_t, 1, true,
	    { "dom", XK_HC_DOM, 2, 0, 0, 0, false }),
	PTR("memory.maximum_reservation", __HYPERVISOR_memory_op,
	    XENMEM_maximum_reservation, domid_t, 1, true,
	    { "dom", XK_HC_DOM, 2, 0, 0, 0, false }),
	PTR("memory.maximum_gpfn", __HYPERVISOR_memory_op,
	    XENMEM_maximum_gpfn, domid_t, 1, true,
	    { "dom", XK_HC_DOM, 2, 0, 0, 0, false }),
	PTR("memory.maximum_ram_page", __HYPERVISOR_memory_op,
	    XENMEM_maximum_ram_page, char, 1, false, NOARGS),
	PTR("memory.increase_reservation", __HYPERVISOR_memory_op,
	    XENMEM_increase_reservation, resv_t, 2, false,
	    DOM("dom", resv_t, domid),
	    BUF("extents", resv_t, extent_start),
	    N("nr", resv_t, nr_extents, 0, 16),
	    N("order", resv_t, extent_order, 0, 9),
	    FL("flags", resv_t, mem_flags, 0xff01)),
	PTR("memory.decrease_reservation", __HYPERVISOR_memory_op,
	    XENMEM_decrease_reservation, resv_t, 1, false,
	    DOM("dom", resv_t, domid),
	    BUF("extents", resv_t, extent_start),
	    N("nr", resv_t, nr_extents, 0, 16),
	    N("order", resv_t, extent_order, 0, 9)),
	PTR("memory.claim_pages", __HYPERVISOR_memory_op, XENMEM_claim_pages,
	    resv_t, 1, false,
	    DOM("dom", resv_t, domid),
	    N("nr", resv_t, nr_extents, 0, 4096)),
	PTR("memory.get_pod_target", __HYPERVISOR_memory_op,
	    XENMEM_get_pod_target, struct xen_pod_target, 1, true,
	    DOM("dom", struct xen_pod_target, domid)),

	PTR("evtchn.alloc_unbound", __HYPERVISOR_event_channel_op,
	    EVTCHNOP_alloc_unbound, struct evtchn_alloc_unbound, 2, false,
	    DOM("dom", struct evtchn_alloc_unbound, dom),
	    DOM("remote", struct evtchn_alloc_unbound, remote_dom)),
	PTR("evtchn.status", __HYPERVISOR_event_channel_op, EVTCHNOP_status,
	    struct evtchn_status, 1, true,
	    DOM("dom", struct evtchn_status, dom),
	    N("port", struct evtchn_status, port, 0, 64)),
	PTR("evtchn.reset", __HYPERVISOR_event_channel_op, EVTCHNOP_reset,
	    struct evtchn_reset, 1, false,
	    DOM("dom", struct evtchn_reset, dom)),

	{ "gnttab.query_size", XK_HC_PTR1, __HYPERVISOR_grant_table_op,
	    GNTTABOP_query_size, sizeof(struct gnttab_query_size), 1, true,
	    false, false, { DOM("dom", struct gnttab_query_size, dom) }, false },
	{ "gnttab.get_version", XK_HC_PTR1, __HYPERVISOR_grant_table_op,
	    GNTTABOP_get_version, sizeof(struct gnttab_get_version), 1, true,
	    false, false, { DOM("dom", struct gnttab_get_version, dom) }, false },
	{ "gnttab.get_status_frames", XK_HC_PTR1, __HYPERVISOR_grant_table_op,
	    GNTTABOP_get_status_frames,
	    sizeof(struct gnttab_get_status_frames), 1, true, false, false, {
	    DOM("dom", struct gnttab_get_status_frames, dom),
	    N("nr", struct gnttab_get_status_frames, nr_frames, 0, 4),
	    BUF("frames", struct gnttab_get_status_frames, frame_list) }, false },

	PTR("hvm.get_param", __HYPERVISOR_hvm_op, HVMOP_get_param,
	    struct xen_hvm_param, 2, true,
	    DOM("dom", struct xen_hvm_param, domid),
	    N("index", struct xen_hvm_param, index, 0, HVM_NR_PARAMS - 1)),
	PTR("hvm.set_param", __HYPERVISOR_hvm_op, HVMOP_set_param,
	    struct xen_hvm_param, 2, false,
	    DOM("dom", struct xen_hvm_param, domid),
	    N("index", struct xen_hvm_param, index, 0, HVM_NR_PARAMS - 1),
	    N("value", struct xen_hvm_param, value, 0, 0xffff)),

	PTR("sched.remote_shutdown", __HYPERVISOR_sched_op,
	    SCHEDOP_remote_shutdown, struct sched_remote_shutdown, 1, false,
	    DOM("dom", struct sched_remote_shutdown, domain_id),
	    N("reason", struct sched_remote_shutdown, reason, 0, 5)),

	{ "xen_version", XK_HC_CMDBUF, __HYPERVISOR_xen_version, 0, 0, 2,
	    false, false, false, { { "cmd", XK_HC_NUM, 4, 0, 0, 10, false },
	    { "arg", XK_HC_BUF, 8, 0, 0, 2, false } }, false },
};

#define NCALLS (sizeof(calls) / sizeof(calls[0]))

/* The guest's calls (hcall-guest-calls.c) come after dom0's. */
size_t
xk_hc_ncalls(void)
{
	return NCALLS + xk_hc_nguest_calls;
}

const struct xk_hc_call *
xk_hc_call(size_t i)
{
	if (i < NCALLS)
		return &calls[i];
	return i - NCALLS < xk_hc_nguest_calls ?
	    &xk_hc_guest_calls[i - NCALLS] : NULL;
}

int
xk_hc_find(const char *name, size_t len)
{
	for (size_t i = 0; i < xk_hc_ncalls(); i++)
		if (strlen(xk_hc_call(i)->name) == len &&
		    memcmp(xk_hc_call(i)->name, name, len) == 0)
			return (int)i;
	return -1;
}

int
xk_hc_nargs(size_t i)
{
	const struct xk_hc_call *c = xk_hc_call(i);
	int n = 0;

	while (n < XK_HC_ARGS && c->a[n].name != NULL)
		n++;
	return n;
}

static uint64_t
size_max(uint8_t size)
{
	return size >= 8 ? UINT64_MAX : (UINT64_C(1) << (size * 8)) - 1;
}

/* The values that break checks: the range's ends and one past them,
 * 0, the type's top, its sign bit, a power of two. */
static uint64_t
edge(struct xk_prng *p, const struct xk_hc_arg *a)
{
	uint64_t max = size_max(a->size);

	switch (xk_prng_range(p, 0, 7)) {
	case 0: return a->lo;
	case 1: return a->hi;
	case 2: return a->lo > 0 ? a->lo - 1 : 0;
	case 3: return a->hi < max ? a->hi + 1 : a->hi;
	case 4: return 0;
	case 5: return max;
	case 6: return (max >> 1) + 1;
	default: return UINT64_C(1) << xk_prng_range(p, 0, a->size * 8u - 1);
	}
}

static uint64_t
gen_num(struct xk_prng *p, const struct xk_hc_arg *a)
{
	unsigned r = (unsigned)xk_prng_range(p, 0, 9);

	if (a->strict || r < 6)
		return xk_prng_range(p, a->lo, a->hi);
	if (r < 9)
		return edge(p, a);
	return xk_prng_next(p) & size_max(a->size);
}

static uint64_t
gen_flags(struct xk_prng *p, const struct xk_hc_arg *a)
{
	unsigned r = (unsigned)xk_prng_range(p, 0, 9);

	if (r < 2)
		return 0;
	if (r < 9)
		return xk_prng_next(p) & a->hi;
	/* a stray bit Xen must refuse */
	return (a->hi | (UINT64_C(1) << xk_prng_range(p, 0,
	    a->size * 8u - 1))) & size_max(a->size);
}

/* The reserved domids a call may name; DOMID_SELF is dom0 itself. */
static const uint16_t special_doms[] = { DOMID_IO, DOMID_XEN, DOMID_COW,
    DOMID_INVALID, DOMID_IDLE, XK_HC_EMPTY_DOMID };

/* A guest names itself most often, then dom0 (which Xen must refuse
 * it) and the reserved ones. */
static uint64_t
gen_guest_dom(struct xk_prng *p)
{
	unsigned r = (unsigned)xk_prng_range(p, 0, 19);

	if (r < 14)
		return DOMID_SELF;
	if (r < 17)
		return 0;
	return special_doms[xk_prng_range(p, 0, sizeof(special_doms) /
	    sizeof(special_doms[0]) - 1)];
}

static uint64_t
gen_dom(struct xk_prng *p, const struct xk_hc_call *c)
{
	unsigned r;

	if (c->guest)
		return gen_guest_dom(p);
	r = (unsigned)xk_prng_range(p, 0, 19);

	if (c->creates || r < 15)
		return XK_HC_SLOT(xk_prng_range(p, 1, XK_HC_SLOTS));
	if (c->dom0_ok && r < 17)
		return r == 15 ? 0 : DOMID_SELF;
	return special_doms[xk_prng_range(p, 0, sizeof(special_doms) /
	    sizeof(special_doms[0]) - 1)];
}

/* A buffer; one of frames (hi XK_HC_GFNS) mostly holds them. */
static uint64_t
gen_buf(struct xk_prng *p, const struct xk_hc_arg *a)
{
	unsigned r = (unsigned)xk_prng_range(p, 0, 9);

	if (a->hi == XK_HC_GFNS && r < 6)
		return XK_HC_GFNS;
	return r < 8 ? XK_HC_GOOD : r == 8 ? XK_HC_NULL : XK_HC_BAD;
}

/* A spare frame mostly, else one far beyond any guest's memory. */
static uint64_t
gen_gfn(struct xk_prng *p)
{
	static const uint64_t far[] = { XK_HC_FAR_GFN, UINT64_MAX,
	    UINT64_MAX >> 12, UINT64_C(1) << 40, (UINT64_C(1) << 52) - 1 };

	if (xk_prng_range(p, 0, 9) < 9)
		return xk_prng_range(p, 0, XK_HC_SPARE - 1);
	return far[xk_prng_range(p, 0, sizeof(far) / sizeof(far[0]) - 1)];
}

/*
 * domctl.createdomain, sanitised as trinity does: half the draws are
 * one of the configurations a toolstack makes (PV, PVH, one vCPU), so
 * that the slots fill and the other calls get past "no such domain";
 * domctl.max_vcpus's valid value is that 1 (Xen takes only the number
 * createdomain set), which gives such a domain its vCPU 0 for the
 * calls on vCPUs.
 */
static void
sanitise_create(struct xk_prng *p, uint64_t arg[XK_HC_ARGS])
{
	if (xk_prng_range(p, 0, 1) == 0)
		return;
	if (xk_prng_range(p, 0, 1) == 0) {
		arg[1] = 0;		/* PV */
		arg[5] = 0;
	} else {
		arg[1] = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap;
		arg[5] = XEN_X86_EMU_LAPIC;
	}
	arg[2] = 1;			/* one vCPU: domctl.max_vcpus's */
	arg[3] = 1;			/* grant table v1 */
}

/* A call of table t (n calls), by weight; its index in the table. */
static size_t
pick_call(struct xk_prng *p, const struct xk_hc_call *t, size_t n)
{
	unsigned total = 0, r;
	size_t i;

	for (i = 0; i < n; i++)
		total += t[i].weight;
	r = (unsigned)xk_prng_range(p, 0, total - 1);
	for (i = 0; r >= t[i].weight; i++)
		r -= t[i].weight;
	return i;
}

void
xk_hc_generate(struct xk_prng *p, bool guest, uint16_t *call,
    uint64_t arg[XK_HC_ARGS])
{
	size_t i = guest ? NCALLS + pick_call(p, xk_hc_guest_calls,
	    xk_hc_nguest_calls) : pick_call(p, calls, NCALLS);
	const struct xk_hc_call *c = xk_hc_call(i);

	memset(arg, 0, XK_HC_ARGS * sizeof(arg[0]));
	*call = (uint16_t)i;
	for (int j = 0; j < xk_hc_nargs(i); j++) {
		const struct xk_hc_arg *a = &c->a[j];

		switch (a->kind) {
		case XK_HC_NUM: arg[j] = gen_num(p, a); break;
		case XK_HC_FLAGS: arg[j] = gen_flags(p, a); break;
		case XK_HC_DOM: arg[j] = gen_dom(p, c); break;
		case XK_HC_BUF: arg[j] = gen_buf(p, a); break;
		case XK_HC_GFN: arg[j] = gen_gfn(p); break;
		}
	}
	if (c->creates)
		sanitise_create(p, arg);
}

void
xk_hc_count(struct xk_hc_counts *c, uint16_t call, bool ok)
{
	if (call < XK_HC_CALLS_MAX)
		(ok ? c->ok : c->failed)[call]++;
}

void
xk_hc_counts_print(const struct xk_hc_counts *c, FILE *out)
{
	for (size_t i = 0; i < xk_hc_ncalls() && i < XK_HC_CALLS_MAX; i++)
		if (c->ok[i] + c->failed[i] > 0)
			fprintf(out, "# calls %s ok=%lu failed=%lu\n",
			    xk_hc_call(i)->name, c->ok[i], c->failed[i]);
}

uint64_t
xk_hc_scratch_seed(uint16_t call, const uint64_t arg[XK_HC_ARGS])
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a, by words */

	h = (h ^ call) * 0x100000001b3ULL;
	for (int j = 0; j < XK_HC_ARGS; j++)
		h = (h ^ arg[j]) * 0x100000001b3ULL;
	return h;
}

static const char *const buf_names[] = { "null", "buf", "bad", "gfns" };

int
xk_hc_format(uint16_t call, const uint64_t arg[XK_HC_ARGS], struct strbuf *sb)
{
	const struct xk_hc_call *c = xk_hc_call(call);
	int r = 0;

	for (int j = 0; r == 0 && j < xk_hc_nargs(call); j++) {
		const struct xk_hc_arg *a = &c->a[j];

		if (a->kind == XK_HC_DOM && arg[j] > 0xffff)
			r = strbuf_addf(sb, " %s=@%u", a->name,
			    (unsigned)(arg[j] - XK_HC_SLOT(0)));
		else if (a->kind == XK_HC_BUF)
			r = strbuf_addf(sb, " %s=%s", a->name,
			    buf_names[arg[j] <= XK_HC_GFNS ? arg[j] : 0]);
		else if (a->kind == XK_HC_FLAGS)
			r = strbuf_addf(sb, " %s=0x%llx", a->name,
			    (unsigned long long)arg[j]);
		else
			r = strbuf_addf(sb, " %s=%llu", a->name,
			    (unsigned long long)arg[j]);
	}
	return r;
}

/* A number: decimal (no leading zero but "0") or 0x and hex digits. */
static int
parse_number(const char *s, size_t len, uint64_t *v)
{
	int base = len > 2 && s[0] == '0' && s[1] == 'x' ? 16 : 10;
	size_t i = base == 16 ? 2 : 0;
	uint64_t x = 0;

	if (len == 0 || len > 20 || (base == 10 && len > 1 && s[0] == '0'))
		return -1;
	for (; i < len; i++) {
		unsigned d;

		if (s[i] >= '0' && s[i] <= '9')
			d = (unsigned)(s[i] - '0');
		else if (base == 16 && s[i] >= 'a' && s[i] <= 'f')
			d = (unsigned)(s[i] - 'a' + 10);
		else
			return -1;
		if (x > (UINT64_MAX - d) / (uint64_t)base)
			return -1;
		x = x * (uint64_t)base + d;
	}
	*v = x;
	return 0;
}

static const char *
parse_dom(const struct xk_hc_call *c, const char *s, size_t len, uint64_t *v)
{
	if (c->guest) {
		if (parse_number(s, len, v) == -1 || *v > 0xffff)
			return "want a domid (a guest's calls have no slots)";
		return NULL;
	}
	if (len == 2 && s[0] == '@' && s[1] >= '1' &&
	    s[1] <= '0' + XK_HC_SLOTS) {
		*v = XK_HC_SLOT((unsigned)(s[1] - '0'));
		return NULL;
	}
	if (c->creates)
		return "want a slot @1 to @3";
	if (parse_number(s, len, v) == -1 || *v > 0xffff)
		return "want a slot @1 to @3 or a domid";
	if ((*v == 0 || *v == DOMID_SELF) && !c->dom0_ok)
		return "this call is not made on dom0 (it would stop the host)";
	return NULL;
}

const char *
xk_hc_parse_arg(uint16_t call, int j, const char *s, size_t len, uint64_t *v)
{
	const struct xk_hc_call *c = xk_hc_call(call);
	const struct xk_hc_arg *a = &c->a[j];

	switch (a->kind) {
	case XK_HC_DOM:
		return parse_dom(c, s, len, v);
	case XK_HC_GFN:
		if (parse_number(s, len, v) == -1 ||
		    (*v >= XK_HC_SPARE && *v < XK_HC_FAR_GFN))
			return "want a spare frame 0 to 255, or one from "
			    "2^32 up (one of the guest's own would wreck it)";
		return NULL;
	case XK_HC_BUF:
		for (uint64_t b = 0; b <= a->hi; b++)
			if (strlen(buf_names[b]) == len &&
			    memcmp(buf_names[b], s, len) == 0) {
				*v = b;
				return NULL;
			}
		return a->hi == XK_HC_GFNS ? "want a buffer null, buf, bad "
		    "or gfns" : "want a buffer null, buf or bad";
	case XK_HC_NUM:
	case XK_HC_FLAGS:
		break;
	}
	if (parse_number(s, len, v) == -1 || *v > size_max(a->size))
		return "want a number that fits the argument";
	if (a->strict && (*v < a->lo || *v > a->hi))
		return "out of the range this call is made with (another value "
		    "would stop the host)";
	return NULL;
}
