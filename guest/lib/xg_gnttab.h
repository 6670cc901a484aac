/*
 * xg_gnttab.h - grant tables, version 1 (xen/grant_table.h): letting
 * another domain (a back end) map or copy one of our pages.  One
 * table frame: 512 entries, of which the first 8 are reserved
 * (GNTTAB_NR_RESERVED_ENTRIES; the toolstack uses 0 and 1 for the
 * console and xenstore pages).  A PV guest gets the frame with
 * GNTTABOP_setup_table and maps it; a PVH guest places it in its
 * physical address space with XENMEM_add_to_physmap.
 */
#ifndef XG_GNTTAB_H
#define XG_GNTTAB_H

#include "xg_boot.h"

#define XG_GNTTAB_ENTRIES (4096 / sizeof(grant_entry_v1_t))

struct xg_gnttab {
	struct xg *xg;
	volatile grant_entry_v1_t *table;
	uint64_t used[XG_GNTTAB_ENTRIES / 64];	/* refs handed out */
};

/* Set up the table (its frame lives in a page of the library's, so
 * one per guest); 0 or a negative Xen errno value. */
long xg_gnttab_init(struct xg_gnttab *gt, struct xg *xg);

/* Grant DOMID access to the page at VA (page-aligned); returns the
 * grant reference, or -1 when every entry is in use. */
long xg_gnttab_grant(struct xg_gnttab *gt, domid_t domid, const void *va,
    int readonly);

/* Revoke REF: 0, or -1 (still granted) while the other domain has the
 * page mapped; try again after it unmapped it. */
int xg_gnttab_end(struct xg_gnttab *gt, grant_ref_t ref);

#endif
