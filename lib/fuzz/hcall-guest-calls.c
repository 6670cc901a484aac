/*
 * hcall-guest-calls.c - the calls xk fuzz's guest engine makes from an
 * unprivileged PVH guest (guest/bin/fuzz.c): memory, event channels,
 * grant tables, HVM parameters, vCPUs, scheduling, versions and the
 * hypercalls a guest may reach without a structure.  A domain argument
 * is DOMID_SELF mostly, sometimes dom0's 0 (Xen must refuse the guest)
 * or a reserved one; frames are the guest's spare ones (hcall.h).
 *
 * Left out, each because it stops the guest by design and would find
 * nothing: sched_op shutdown (and remote_shutdown of itself: the
 * guest's domid is never drawn, only DOMID_SELF, which Xen refuses
 * there), vcpu_op down of vCPU 0 (its only running vCPU),
 * sched_op block and a poll without a timeout (no event would wake
 * it), console_io (writes scratch bytes to the host's serial log,
 * which the host reads for panics), and the PV-only calls (page
 * tables, traps, segments): the guest is PVH, for which Xen has none
 * of them.  A call that wrecks the guest all the same (its xenstore
 * port closed, its shared_info moved) costs a restart, not a finding.
 */
#include <xenctrl.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/vcpu.h>

#include "fuzz/hcall-guest-calls.h"
#include "fuzz/hcall-table.h"

#define G(nm, lay, hc, c, size, w, ...) { "guest." nm, lay, hc, c, size, w, \
    true, false, false, { __VA_ARGS__ }, true }
#define GMEM(nm, c, T, w, ...) G("memory." nm, XK_HC_PTR, \
    __HYPERVISOR_memory_op, c, sizeof(T), w, __VA_ARGS__)
#define GEVT(nm, c, T, w, ...) G("evtchn." nm, XK_HC_PTR, \
    __HYPERVISOR_event_channel_op, c, sizeof(T), w, __VA_ARGS__)
#define GGNT(nm, c, T, w, ...) G("gnttab." nm, XK_HC_PTR1, \
    __HYPERVISOR_grant_table_op, c, sizeof(T), w, __VA_ARGS__)
#define GHVM(nm, c, T, w, ...) G("hvm." nm, XK_HC_PTR, __HYPERVISOR_hvm_op, \
    c, sizeof(T), w, __VA_ARGS__)
#define GVCPU(nm, c, size, w, ...) G("vcpu." nm, XK_HC_VCPU, \
    __HYPERVISOR_vcpu_op, c, size, w, RN("vcpu", 0, 1), __VA_ARGS__)
#define GSCHED(nm, c, size, w, ...) G("sched." nm, XK_HC_PTR, \
    __HYPERVISOR_sched_op, c, size, w, __VA_ARGS__)

typedef struct xen_memory_reservation resv_t;
typedef struct xen_add_to_physmap atp_t;
typedef struct xen_mem_acquire_resource acq_t;
typedef struct xen_vnuma_topology_info vnuma_t;
typedef struct evtchn_init_control initc_t;
typedef struct gnttab_copy copy_t;
typedef struct gnttab_map_grant_ref map_t;
typedef struct gnttab_unmap_grant_ref unmap_t;
typedef struct vcpu_set_singleshot_timer oneshot_t;
typedef struct vcpu_register_vcpu_info vinfo_t;

const struct xk_hc_call xk_hc_guest_calls[] = {
	GMEM("populate_physmap", XENMEM_populate_physmap, resv_t, 3,
	    DOM("dom", resv_t, domid),
	    GBUF("extents", resv_t, extent_start),
	    N("nr", resv_t, nr_extents, 0, 16),
	    N("order", resv_t, extent_order, 0, 9),
	    FL("flags", resv_t, mem_flags, 0xffff)),
	GMEM("decrease_reservation", XENMEM_decrease_reservation, resv_t, 3,
	    DOM("dom", resv_t, domid),
	    GBUF("extents", resv_t, extent_start),
	    N("nr", resv_t, nr_extents, 0, 16),
	    N("order", resv_t, extent_order, 0, 9)),
	GMEM("increase_reservation", XENMEM_increase_reservation, resv_t, 1,
	    DOM("dom", resv_t, domid),
	    GBUF("extents", resv_t, extent_start),
	    N("nr", resv_t, nr_extents, 0, 16),
	    N("order", resv_t, extent_order, 0, 9)),
	GMEM("current_reservation", XENMEM_current_reservation, domid_t, 1,
	    { "dom", XK_HC_DOM, 2, 0, 0, 0, false }),
	GMEM("maximum_gpfn", XENMEM_maximum_gpfn, domid_t, 1,
	    { "dom", XK_HC_DOM, 2, 0, 0, 0, false }),
	GMEM("memory_map", XENMEM_memory_map, struct xen_memory_map, 1,
	    N("nr", struct xen_memory_map, nr_entries, 0, 32),
	    BUF("buffer", struct xen_memory_map, buffer)),
	GMEM("add_to_physmap", XENMEM_add_to_physmap, atp_t, 3,
	    DOM("dom", atp_t, domid),
	    N("size", atp_t, size, 0, 16),
	    N("space", atp_t, space, 0, 5),
	    N("idx", atp_t, idx, 0, 64),
	    GFN("gpfn", atp_t, gpfn)),
	GMEM("remove_from_physmap", XENMEM_remove_from_physmap,
	    struct xen_remove_from_physmap, 2,
	    DOM("dom", struct xen_remove_from_physmap, domid),
	    GFN("gpfn", struct xen_remove_from_physmap, gpfn)),
	GMEM("acquire_resource", XENMEM_acquire_resource, acq_t, 2,
	    DOM("dom", acq_t, domid),
	    N("type", acq_t, type, 0, 3),
	    N("id", acq_t, id, 0, 4),
	    N("nr", acq_t, nr_frames, 0, 8),
	    N("frame", acq_t, frame, 0, 8),
	    GBUF("frames", acq_t, frame_list)),
	GMEM("get_vnumainfo", XENMEM_get_vnumainfo, vnuma_t, 1,
	    DOM("dom", vnuma_t, domid),
	    N("vnodes", vnuma_t, nr_vnodes, 0, 4),
	    N("vcpus", vnuma_t, nr_vcpus, 0, 4),
	    N("ranges", vnuma_t, nr_vmemranges, 0, 4),
	    BUF("distance", vnuma_t, vdistance),
	    BUF("vcpu_to_vnode", vnuma_t, vcpu_to_vnode)),

	GEVT("alloc_unbound", EVTCHNOP_alloc_unbound,
	    struct evtchn_alloc_unbound, 2,
	    DOM("dom", struct evtchn_alloc_unbound, dom),
	    DOM("remote", struct evtchn_alloc_unbound, remote_dom)),
	GEVT("bind_interdomain", EVTCHNOP_bind_interdomain,
	    struct evtchn_bind_interdomain, 2,
	    DOM("remote", struct evtchn_bind_interdomain, remote_dom),
	    N("remote_port", struct evtchn_bind_interdomain, remote_port, 0,
	    64)),
	GEVT("bind_virq", EVTCHNOP_bind_virq, struct evtchn_bind_virq, 2,
	    N("virq", struct evtchn_bind_virq, virq, 0, 24),
	    N("vcpu", struct evtchn_bind_virq, vcpu, 0, 1)),
	GEVT("bind_ipi", EVTCHNOP_bind_ipi, struct evtchn_bind_ipi, 1,
	    N("vcpu", struct evtchn_bind_ipi, vcpu, 0, 1)),
	GEVT("bind_pirq", EVTCHNOP_bind_pirq, struct evtchn_bind_pirq, 1,
	    N("pirq", struct evtchn_bind_pirq, pirq, 0, 255),
	    FL("flags", struct evtchn_bind_pirq, flags, 1)),
	GEVT("close", EVTCHNOP_close, struct evtchn_close, 1,
	    N("port", struct evtchn_close, port, 0, 64)),
	GEVT("send", EVTCHNOP_send, struct evtchn_send, 2,
	    N("port", struct evtchn_send, port, 0, 64)),
	GEVT("status", EVTCHNOP_status, struct evtchn_status, 2,
	    DOM("dom", struct evtchn_status, dom),
	    N("port", struct evtchn_status, port, 0, 64)),
	GEVT("bind_vcpu", EVTCHNOP_bind_vcpu, struct evtchn_bind_vcpu, 1,
	    N("port", struct evtchn_bind_vcpu, port, 0, 64),
	    N("vcpu", struct evtchn_bind_vcpu, vcpu, 0, 1)),
	GEVT("unmask", EVTCHNOP_unmask, struct evtchn_unmask, 1,
	    N("port", struct evtchn_unmask, port, 0, 64)),
	GEVT("reset", EVTCHNOP_reset, struct evtchn_reset, 1,
	    DOM("dom", struct evtchn_reset, dom)),
	GEVT("init_control", EVTCHNOP_init_control, initc_t, 1,
	    GFN("control_gfn", initc_t, control_gfn),
	    N("offset", initc_t, offset, 0, 4096),
	    N("vcpu", initc_t, vcpu, 0, 1)),
	GEVT("expand_array", EVTCHNOP_expand_array,
	    struct evtchn_expand_array, 1,
	    GFN("array_gfn", struct evtchn_expand_array, array_gfn)),
	GEVT("set_priority", EVTCHNOP_set_priority,
	    struct evtchn_set_priority, 1,
	    N("port", struct evtchn_set_priority, port, 0, 64),
	    N("priority", struct evtchn_set_priority, priority, 0, 15)),

	GGNT("setup_table", GNTTABOP_setup_table, struct gnttab_setup_table, 2,
	    DOM("dom", struct gnttab_setup_table, dom),
	    N("nr", struct gnttab_setup_table, nr_frames, 0, 8),
	    BUF("frames", struct gnttab_setup_table, frame_list)),
	GGNT("query_size", GNTTABOP_query_size, struct gnttab_query_size, 1,
	    DOM("dom", struct gnttab_query_size, dom)),
	GGNT("set_version", GNTTABOP_set_version, struct gnttab_set_version, 2,
	    N("version", struct gnttab_set_version, version, 0, 3)),
	GGNT("get_status_frames", GNTTABOP_get_status_frames,
	    struct gnttab_get_status_frames, 1,
	    DOM("dom", struct gnttab_get_status_frames, dom),
	    N("nr", struct gnttab_get_status_frames, nr_frames, 0, 4),
	    BUF("frames", struct gnttab_get_status_frames, frame_list)),
	GGNT("map_grant_ref", GNTTABOP_map_grant_ref, map_t, 2,
	    DOM("dom", map_t, dom),
	    N("ref", map_t, ref, 0, 64),
	    FL("flags", map_t, flags, 0x1ff),
	    N("host_addr", map_t, host_addr, 0, 0xfffff)),
	GGNT("unmap_grant_ref", GNTTABOP_unmap_grant_ref, unmap_t, 1,
	    N("host_addr", unmap_t, host_addr, 0, 0xfffff),
	    N("handle", unmap_t, handle, 0, 16)),
	GGNT("copy", GNTTABOP_copy, copy_t, 3,
	    GFN("src", copy_t, source.u.gmfn),
	    DOM("src_dom", copy_t, source.domid),
	    N("src_off", copy_t, source.offset, 0, 4096),
	    GFN("dest", copy_t, dest.u.gmfn),
	    DOM("dest_dom", copy_t, dest.domid),
	    N("len", copy_t, len, 0, 4096)),
	GGNT("transfer", GNTTABOP_transfer, struct gnttab_transfer, 1,
	    GFN("mfn", struct gnttab_transfer, mfn),
	    DOM("dom", struct gnttab_transfer, domid),
	    N("ref", struct gnttab_transfer, ref, 0, 64)),
	GGNT("dump_table", GNTTABOP_dump_table, struct gnttab_dump_table, 1,
	    DOM("dom", struct gnttab_dump_table, dom)),
	GGNT("swap_grant_ref", GNTTABOP_swap_grant_ref,
	    struct gnttab_swap_grant_ref, 1,
	    N("ref_a", struct gnttab_swap_grant_ref, ref_a, 0, 64),
	    N("ref_b", struct gnttab_swap_grant_ref, ref_b, 0, 64)),

	GHVM("get_param", HVMOP_get_param, struct xen_hvm_param, 2,
	    DOM("dom", struct xen_hvm_param, domid),
	    N("index", struct xen_hvm_param, index, 0, HVM_NR_PARAMS - 1)),
	GHVM("set_param", HVMOP_set_param, struct xen_hvm_param, 2,
	    DOM("dom", struct xen_hvm_param, domid),
	    N("index", struct xen_hvm_param, index, 0, HVM_NR_PARAMS - 1),
	    N("value", struct xen_hvm_param, value, 0, 0xffff)),
	GHVM("pagetable_dying", HVMOP_pagetable_dying,
	    struct xen_hvm_pagetable_dying, 1,
	    DOM("dom", struct xen_hvm_pagetable_dying, domid),
	    N("gpa", struct xen_hvm_pagetable_dying, gpa, 0, 0xffffff)),
	GHVM("get_time", HVMOP_get_time, struct xen_hvm_get_time, 1, NOARGS),
	GHVM("set_evtchn_upcall_vector", HVMOP_set_evtchn_upcall_vector,
	    struct xen_hvm_evtchn_upcall_vector, 1,
	    N("vcpu", struct xen_hvm_evtchn_upcall_vector, vcpu, 0, 1),
	    N("vector", struct xen_hvm_evtchn_upcall_vector, vector, 0, 255)),
	GHVM("altp2m", HVMOP_altp2m, struct xen_hvm_altp2m_op, 1,
	    N("version", struct xen_hvm_altp2m_op, version, 1, 1),
	    N("cmd", struct xen_hvm_altp2m_op, cmd, 1, 16),
	    DOM("dom", struct xen_hvm_altp2m_op, domain)),
	G("hvm.flush_tlbs", XK_HC_PTR, __HYPERVISOR_hvm_op, HVMOP_flush_tlbs,
	    0, 1, NOARGS),

	GVCPU("is_up", VCPUOP_is_up, 0, 1, NOARGS),
	GVCPU("get_runstate_info", VCPUOP_get_runstate_info,
	    sizeof(struct vcpu_runstate_info), 1, NOARGS),
	GVCPU("register_runstate_memory_area",
	    VCPUOP_register_runstate_memory_area,
	    sizeof(struct vcpu_register_runstate_memory_area), 1,
	    BUF("addr", struct vcpu_register_runstate_memory_area, addr)),
	GVCPU("register_vcpu_time_memory_area",
	    VCPUOP_register_vcpu_time_memory_area,
	    sizeof(struct vcpu_register_time_memory_area), 1,
	    BUF("addr", struct vcpu_register_time_memory_area, addr)),
	GVCPU("set_periodic_timer", VCPUOP_set_periodic_timer,
	    sizeof(struct vcpu_set_periodic_timer), 1,
	    N("period_ns", struct vcpu_set_periodic_timer, period_ns, 0,
	    1000000000)),
	GVCPU("stop_periodic_timer", VCPUOP_stop_periodic_timer, 0, 1,
	    NOARGS),
	GVCPU("set_singleshot_timer", VCPUOP_set_singleshot_timer,
	    sizeof(oneshot_t), 1,
	    N("timeout_ns", oneshot_t, timeout_abs_ns, 0, 1000000000),
	    FL("flags", oneshot_t, flags, 1)),
	GVCPU("stop_singleshot_timer", VCPUOP_stop_singleshot_timer, 0, 1,
	    NOARGS),
	GVCPU("register_vcpu_info", VCPUOP_register_vcpu_info,
	    sizeof(vinfo_t), 2,
	    GFN("mfn", vinfo_t, mfn),
	    N("offset", vinfo_t, offset, 0, 4096)),
	GVCPU("send_nmi", VCPUOP_send_nmi, 0, 1, NOARGS),
	GVCPU("get_physid", VCPUOP_get_physid,
	    sizeof(struct vcpu_get_physid), 1, NOARGS),
	GVCPU("up", VCPUOP_up, 0, 1, NOARGS),
	/* vCPU 1 only: down on vCPU 0 stops the guest (above) */
	G("vcpu.down", XK_HC_VCPU, __HYPERVISOR_vcpu_op, VCPUOP_down, 0, 1,
	    RSTRICT("vcpu", 1, 1)),
	GVCPU("initialise", VCPUOP_initialise, 64, 1, NOARGS),

	GSCHED("yield", SCHEDOP_yield, 0, 1, NOARGS),
	GSCHED("poll", SCHEDOP_poll, sizeof(struct sched_poll), 1,
	    BUF("ports", struct sched_poll, ports),
	    N("nr", struct sched_poll, nr_ports, 0, 8),
	    /* absolute system time: a small one has passed, 0 is never */
	    STRICT("timeout", struct sched_poll, timeout, 1, 1000000)),
	GSCHED("remote_shutdown", SCHEDOP_remote_shutdown,
	    sizeof(struct sched_remote_shutdown), 1,
	    DOM("dom", struct sched_remote_shutdown, domain_id),
	    N("reason", struct sched_remote_shutdown, reason, 0, 5)),
	GSCHED("watchdog", SCHEDOP_watchdog, sizeof(struct sched_watchdog), 1,
	    N("id", struct sched_watchdog, id, 0, 2),
	    N("timeout", struct sched_watchdog, timeout, 0, 60)),
	GSCHED("pin_override", SCHEDOP_pin_override,
	    sizeof(struct sched_pin_override), 1,
	    N("pcpu", struct sched_pin_override, pcpu, 0, 3)),

	G("xen_version", XK_HC_CMDBUF, __HYPERVISOR_xen_version, 0, 0, 2,
	    RN("cmd", 0, 12), RBUF("arg")),
	G("physdev_op", XK_HC_CMDBUF, __HYPERVISOR_physdev_op, 0, 0, 2,
	    RN("cmd", 0, 31), RBUF("arg")),
	G("vm_assist", XK_HC_REGS, __HYPERVISOR_vm_assist, 0, 0, 1,
	    RN("cmd", 0, 1), RN("type", 0, 5)),
	G("set_timer_op", XK_HC_REGS, __HYPERVISOR_set_timer_op, 0, 0, 1,
	    RN("timeout", 0, 1000000000)),
	G("multicall", XK_HC_REGS, __HYPERVISOR_multicall, 0, 0, 1,
	    RBUF("calls"), RN("nr", 0, 4)),
	G("hypfs_op", XK_HC_REGS, __HYPERVISOR_hypfs_op, 0, 0, 1,
	    RN("cmd", 0, 4), RBUF("arg1"), RN("len1", 0, 4096), RBUF("arg3"),
	    RN("len3", 0, 4096)),
	G("dm_op", XK_HC_REGS, __HYPERVISOR_dm_op, 0, 0, 1,
	    RDOM("dom"), RN("nr", 0, 4), RBUF("bufs")),
};

const size_t xk_hc_nguest_calls = sizeof(xk_hc_guest_calls) /
    sizeof(xk_hc_guest_calls[0]);
