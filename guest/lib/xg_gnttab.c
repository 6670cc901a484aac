/*
 * xg_gnttab.c - grant tables v1 (see xg_gnttab.h).
 */
#include "xg_gnttab.h"
#include "xg_hcall.h"
#include "xg_string.h"

static char table_page[4096] __attribute__((aligned(4096)));

static long
setup_pv(void)
{
	struct gnttab_setup_table op = { .dom = DOMID_SELF, .nr_frames = 1 };
	xen_pfn_t frame = 0;
	long rc;

	set_xen_guest_handle(op.frame_list, &frame);
	rc = xg_gnttab_op(GNTTABOP_setup_table, &op, 1);
	if (rc == 0 && op.status != GNTST_okay)
		rc = op.status;
	if (rc == 0)
		rc = xg_hcall3(__HYPERVISOR_update_va_mapping,
		    (unsigned long)table_page, ((uint64_t)frame << 12) | 7,
		    UVMF_INVLPG);
	return rc;
}

static long
setup_pvh(void)
{
	struct xen_add_to_physmap xatp = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_grant_table,
		.idx = 0,
		.gpfn = (uintptr_t)table_page >> 12,
	};

	return xg_memory_op(XENMEM_add_to_physmap, &xatp);
}

long
xg_gnttab_init(struct xg_gnttab *gt, struct xg *xg)
{
	long rc = xg->mode == XG_PV ? setup_pv() : setup_pvh();

	memset(gt, 0, sizeof(*gt));
	if (rc != 0)
		return rc;
	gt->xg = xg;
	gt->table = (void *)table_page;
	gt->used[0] = (1ULL << GNTTAB_NR_RESERVED_ENTRIES) - 1;
	return 0;
}

long
xg_gnttab_grant(struct xg_gnttab *gt, domid_t domid, const void *va,
    int readonly)
{
	for (unsigned int ref = 0; ref < XG_GNTTAB_ENTRIES; ref++) {
		uint64_t bit = 1ULL << (ref % 64);

		if (gt->used[ref / 64] & bit)
			continue;
		gt->used[ref / 64] |= bit;
		gt->table[ref].domid = domid;
		gt->table[ref].frame = (uint32_t)xg_frame(gt->xg, va);
		/* the entry must be complete before Xen sees it valid */
		xg_wmb();
		gt->table[ref].flags = GTF_permit_access |
		    (readonly ? GTF_readonly : 0);
		return ref;
	}
	return -1;
}

int
xg_gnttab_end(struct xg_gnttab *gt, grant_ref_t ref)
{
	volatile uint16_t *flags;
	uint16_t f;

	if (ref < GNTTAB_NR_RESERVED_ENTRIES || ref >= XG_GNTTAB_ENTRIES ||
	    !(gt->used[ref / 64] & (1ULL << (ref % 64))))
		return -1;
	flags = &gt->table[ref].flags;
	/* only an entry nobody maps may be cleared: compare-and-swap
	 * against Xen setting GTF_reading/GTF_writing meanwhile */
	do {
		f = *flags;
		if (f & (GTF_reading | GTF_writing))
			return -1;
	} while (!__atomic_compare_exchange_n(flags, &f, 0, 0,
	    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	gt->used[ref / 64] &= ~(1ULL << (ref % 64));
	return 0;
}
