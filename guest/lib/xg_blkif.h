/*
 * xg_blkif.h - the block ring's encoding (xen/io/blkif.h) and the
 * checks on what a block back end says: what xg_blkfront.c needs that
 * no hypervisor is needed for.  Pure: tested hosted (tests/guest).
 *
 * Sector quantities on the ring (sector_number, first_sect,
 * last_sect) are in 512-byte units: a front end that does not write
 * feature-large-sector-size, as ours, may assume nothing else.  A data
 * page of 4096 bytes holds 8 of them, so a request of
 * BLKIF_MAX_SEGMENTS_PER_REQUEST pages carries at most 88 sectors.
 */
#ifndef XG_BLKIF_H
#define XG_BLKIF_H

#include <stddef.h>
#include <stdint.h>

#include "xg_xen.h"
#include <xen/io/blkif.h>

#define XG_BLKIF_SECTOR 512U
#define XG_BLKIF_SECTORS_PER_PAGE (XG_PAGE_SIZE / XG_BLKIF_SECTOR)
#define XG_BLKIF_MAX_SECTORS \
	(BLKIF_MAX_SEGMENTS_PER_REQUEST * XG_BLKIF_SECTORS_PER_PAGE)
/* Entries in a one-page ring: __RING_SIZE for a 4096-byte page. */
#define XG_BLKIF_RING_SIZE 32U

/*
 * Fill REQ with a read or write (OP: BLKIF_OP_READ, _WRITE) of NSECT
 * sectors from SECTOR, through the pages GREF[0..] in order, each
 * filled from its start (8 sectors a page, the last one partly).
 * Returns the number of segments, or 0 (REQ untouched) for NSECT 0 or
 * above XG_BLKIF_MAX_SECTORS, or another OP.
 */
unsigned int xg_blkif_rw(struct blkif_request *req, uint8_t op,
    uint16_t handle, uint64_t id, uint64_t sector, unsigned int nsect,
    const grant_ref_t *gref);

/* Fill REQ with a flush of the back end's write cache: no segments. */
void xg_blkif_flush(struct blkif_request *req, uint16_t handle, uint64_t id);

/*
 * Responses the back end has produced and we have not consumed: -1
 * when RSP_PROD is impossible (ahead of the requests we made,
 * REQ_PROD, or behind what we consumed: a back end to give up on).
 */
long xg_blkif_unconsumed(uint32_t rsp_prod, uint32_t rsp_cons,
    uint32_t req_prod);

/* After moving req_prod from OLD to NEW: must the back end be told,
 * given the req_event it asked for (ring.h's
 * RING_PUSH_REQUESTS_AND_CHECK_NOTIFY)? */
int xg_blkif_need_notify(uint32_t old, uint32_t new, uint32_t event);

/*
 * A back end's decimal xenstore value S, all of it, no sign, no
 * leading blanks, at most MAX: into *V and 0, or -1.  (xenstore values
 * are strings another domain wrote: "", "12abc", "-1" and overflow are
 * refused, not read as 0 or as a prefix.)
 */
int xg_blkif_parse_u64(const char *s, uint64_t max, uint64_t *v);

/* A feature flag: "0" or "1" into *V; -1 for anything else. */
int xg_blkif_parse_bool(const char *s, int *v);

#endif
