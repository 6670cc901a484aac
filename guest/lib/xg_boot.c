/*
 * xg_boot.c - from either entry point to xg_main (see xg_boot.h).
 */
#include "xg_boot.h"
#include "xg_hcall.h"
#include "xg_shutdown.h"
#include "xg_string.h"

void xg_boot_pv(const start_info_t *si);
void xg_boot_pvh(uint32_t start_info_paddr);

/* Pages of our own whose place in memory Xen's pages take: a PV guest
 * is given machine addresses of shared_info, the console and xenstore
 * rings, not mappings; a PVH guest puts shared_info into its physical
 * address space where this page was. */
static char shared_page[4096] __attribute__((aligned(4096)));
static char console_page[4096] __attribute__((aligned(4096)));
static char store_page[4096] __attribute__((aligned(4096)));

/* The one struct xg, handed to xg_main. */
static struct xg the_xg;

/* Map machine address MADDR at our page VA (PV): present, writable. */
static int
map_machine_page(void *va, uint64_t maddr)
{
	return xg_hcall3(__HYPERVISOR_update_va_mapping, (unsigned long)va,
	    (maddr & ~0xfffULL) | 7, UVMF_INVLPG) == 0 ? 0 : -1;
}

uint64_t
xg_frame(const struct xg *xg, const void *va)
{
	uint64_t pfn = (uint64_t)(uintptr_t)va >> 12;

	return xg->mode == XG_PV ? xg->p2m[pfn] : pfn;
}

static int
setup_pv(struct xg *xg)
{
	const start_info_t *si = xg->start_info;

	if (map_machine_page(shared_page, si->shared_info) < 0)
		return -1;
	xg->shared = (void *)shared_page;
	xg->console.ring = NULL;
	if (si->console.domU.mfn != 0 &&
	    map_machine_page(console_page, si->console.domU.mfn << 12) == 0) {
		xg->console.ring = (void *)console_page;
		xg->console.port = si->console.domU.evtchn;
	}
	xg->store = NULL;
	if (si->store_mfn != 0 &&
	    map_machine_page(store_page, si->store_mfn << 12) == 0) {
		xg->store = (void *)store_page;
		xg->store_port = si->store_evtchn;
	}
	return 0;
}

static int
hvm_param(unsigned int index, uint64_t *value)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF, .index = index };

	if (xg_hvm_op(HVMOP_get_param, &p) != 0)
		return -1;
	*value = p.value;
	return 0;
}

static int
setup_pvh(struct xg *xg)
{
	struct xen_add_to_physmap xatp = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_shared_info,
		.idx = 0,
		.gpfn = (uintptr_t)shared_page >> 12,
	};
	uint64_t pfn, port;

	if (xg_memory_op(XENMEM_add_to_physmap, &xatp) != 0)
		return -1;
	xg->shared = (void *)shared_page;
	/* identity-mapped: a pfn's page is at pfn << 12 */
	xg->console.ring = NULL;
	if (hvm_param(HVM_PARAM_CONSOLE_PFN, &pfn) == 0 && pfn != 0 &&
	    hvm_param(HVM_PARAM_CONSOLE_EVTCHN, &port) == 0) {
		xg->console.ring = (void *)(uintptr_t)(pfn << 12);
		xg->console.port = (evtchn_port_t)port;
	}
	xg->store = NULL;
	if (hvm_param(HVM_PARAM_STORE_PFN, &pfn) == 0 && pfn != 0 &&
	    hvm_param(HVM_PARAM_STORE_EVTCHN, &port) == 0) {
		xg->store = (void *)(uintptr_t)(pfn << 12);
		xg->store_port = (evtchn_port_t)port;
	}
	return 0;
}

int
xg_platform_setup(struct xg *xg)
{
	int rc = xg->mode == XG_PV ? setup_pv(xg) : setup_pvh(xg);

	if (rc == 0)	/* no upcalls: we poll (xg_boot.h) */
		xg->shared->vcpu_info[0].evtchn_upcall_mask = 1;
	return rc;
}

static void
run(struct xg *xg)
{
	if (xg_platform_setup(xg) < 0) {
		/* no shared_info, perhaps no console: say so the one way
		 * left, Xen's own console (shown by debug builds), and stop */
		static const char msg[] = "xk-guest: cannot map shared_info\n";

		xg_hcall3(__HYPERVISOR_console_io, CONSOLEIO_write,
		    sizeof(msg) - 1, (unsigned long)msg);
		xg_shutdown(xg, SHUTDOWN_crash);
	}
	xg_main(xg);
	xg_shutdown(xg, SHUTDOWN_poweroff);
}

void
xg_boot_pv(const start_info_t *si)
{
	struct xg *xg = &the_xg;

	xg->mode = XG_PV;
	xg->start_info = si;
	xg->p2m = (const unsigned long *)si->mfn_list;
	xg->cmdline = (const char *)si->cmd_line;
	xg->mem_bytes = (uint64_t)si->nr_pages << 12;
	run(xg);
}

static inline void
cpuid(uint32_t leaf, uint32_t r[4])
{
	__asm__ volatile("cpuid"
	    : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
	    : "a"(leaf), "c"(0));
}

/* Find Xen's CPUID leaves (0x40000000 + 0x100 k, signature
 * "XenVMMXenVMM": another hypervisor's may come first) and have Xen
 * write the hypercall page by writing its address to leaf + 2's MSR. */
static int
hypercall_page_pvh(void)
{
	uint64_t page = (uintptr_t)xg_hypercall_page;
	uint32_t base, r[4];

	for (base = 0x40000000; base < 0x40010000; base += 0x100) {
		cpuid(base, r);
		if (r[1] == 0x566e6558 && r[2] == 0x65584d4d &&
		    r[3] == 0x4d4d566e && r[0] - base >= 2) {
			cpuid(base + 2, r);
			__asm__ volatile("wrmsr" :: "c"(r[1]),
			    "a"((uint32_t)page), "d"((uint32_t)(page >> 32)));
			return 0;
		}
	}
	return -1;
}

static uint64_t
pvh_memory(const struct hvm_start_info *hsi)
{
	const struct hvm_memmap_table_entry *map;
	uint64_t total = 0;
	uint32_t i;

	if (hsi->version < 1 || hsi->memmap_paddr == 0)
		return 0;
	map = (const void *)(uintptr_t)hsi->memmap_paddr;
	for (i = 0; i < hsi->memmap_entries; i++)
		if (map[i].type == XEN_HVM_MEMMAP_TYPE_RAM)
			total += map[i].size;
	return total;
}

void
xg_boot_pvh(uint32_t start_info_paddr)
{
	const struct hvm_start_info *hsi = (const void *)(uintptr_t)
	    start_info_paddr;
	struct xg *xg = &the_xg;

	if (hsi->magic != XEN_HVM_START_MAGIC_VALUE || hypercall_page_pvh() < 0)
		__builtin_trap();	/* no way to say why: crash */
	xg->mode = XG_PVH;
	xg->cmdline = hsi->cmdline_paddr != 0 ?
	    (const char *)(uintptr_t)hsi->cmdline_paddr : "";
	xg->mem_bytes = pvh_memory(hsi);
	run(xg);
}
