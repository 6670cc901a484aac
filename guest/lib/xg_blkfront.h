/*
 * xg_blkfront.h - a block front end (xen/io/blkif.h): connect to a
 * virtual block device (vbd), read and write its sectors, flush its
 * write cache, disconnect.
 *
 * Everything the device needs lives in the one struct xg_blkfront the
 * caller owns (a static one: it holds the shared ring page and the data
 * pages, page-aligned, about 180 KiB): no global state.  The grant
 * table (xg_gnttab.h) and the xenstore client are the caller's too,
 * shared with other devices.
 *
 * Connecting is the xenbus handshake (xg_xenbus.h): wait for the back
 * end's InitWait, grant it one ring page (32 requests) and the data
 * pages, make an event channel for it, publish ring-ref, event-channel
 * and protocol and our Initialised, wait for its Connected, then read
 * what it publishes (sectors, sector-size, info, feature-flush-cache)
 * and publish Connected.  The data pages are granted once for the
 * connection and data is copied through them: callers' buffers need
 * no alignment.  Up to XG_BLK_SLOTS requests of up to 88 sectors (11
 * pages) are in flight at once.
 *
 * Sectors are 512 bytes (the unit of the ring, xg_blkif.h); a back end
 * whose sector-size is another is refused (we do not write
 * feature-large-sector-size).
 *
 * The back end is another domain and is not trusted: its xenstore
 * values are parsed strictly (xg_blkif_parse_u64), ring indexes and
 * response ids are checked, and every wait has a deadline
 * (bf->timeout_ns).  Every function returns 0 or -1 with the reason in
 * bf->err; after an I/O error other than a failed request (status not
 * OKAY) the device is broken and every later call fails.  What to do
 * then is the caller's: the library's guests report bf->err on the
 * console and crash (xg_panic).
 */
#ifndef XG_BLKFRONT_H
#define XG_BLKFRONT_H

#include "xg_blkif.h"
#include "xg_gnttab.h"
#include "xg_xenbus.h"
#include "xg_xs.h"

#define XG_BLK_SLOTS 4		/* requests in flight */
#define XG_BLK_SEGS BLKIF_MAX_SEGMENTS_PER_REQUEST
#define XG_BLK_TIMEOUT_NS (30 * 1000000000ULL)

struct xg_blk_slot {
	int busy;
	uint8_t op;
	unsigned int nsect;
	uint64_t sector;
	unsigned char *buf;	/* the caller's, for a read's copy-out */
};

struct xg_blkfront {
	/* first: the pages, aligned by the struct's own alignment */
	union {
		struct blkif_sring s;
		unsigned char page[XG_PAGE_SIZE];
	} ring __attribute__((aligned(4096)));
	unsigned char data[XG_BLK_SLOTS][XG_BLK_SEGS][XG_PAGE_SIZE];

	struct xg *xg;
	struct xg_xs *xs;
	struct xg_gnttab *gt;
	struct xg_xenbus_dev dev;
	uint64_t timeout_ns;	/* per wait; XG_BLK_TIMEOUT_NS */

	/* what the back end published, once connected */
	uint64_t sectors;	/* capacity, in 512-byte sectors */
	uint32_t sector_size;	/* always 512 (see above) */
	uint32_t info;		/* VDISK_READONLY, _CDROM, _REMOVABLE */
	int flush;		/* feature-flush-cache */
	uint16_t handle;	/* our virtual-device number */

	/* the connection */
	int state;		/* 0 closed, 1 connected, -1 broken */
	grant_ref_t ring_ref;
	grant_ref_t data_ref[XG_BLK_SLOTS][XG_BLK_SEGS];
	unsigned int ngranted;	/* data refs granted, in order */
	evtchn_port_t port;
	uint32_t req_prod, rsp_cons;	/* our private indexes */
	struct xg_blk_slot slot[XG_BLK_SLOTS];
	uint64_t requests, notifies;	/* counters, for the curious */
	char err[192];
};

/*
 * Connect to the vbd at NODE (relative to the guest's home, e.g.
 * "device/vbd/51712"), waiting at most bf->timeout_ns for each of the
 * back end's steps (set it before; 0: XG_BLK_TIMEOUT_NS).  A back end
 * that never comes, closes, or publishes values that are not what
 * blkif.h says is an error.  Nothing is left granted or bound after a
 * failure, unless the back end still maps the ring (then it says so).
 */
int xg_blk_connect(struct xg_blkfront *bf, struct xg *xg, struct xg_xs *xs,
    struct xg_gnttab *gt, const char *node);

/* Read or write N sectors from SECTOR (512-byte units) into or from
 * BUF (N * 512 bytes); all within bf->sectors. */
int xg_blk_read(struct xg_blkfront *bf, uint64_t sector, uint64_t n,
    void *buf);
int xg_blk_write(struct xg_blkfront *bf, uint64_t sector, uint64_t n,
    const void *buf);

/* Flush the back end's write cache; an error when it does not offer
 * to (bf->flush 0) or refuses. */
int xg_blk_flush(struct xg_blkfront *bf);

/* After a resume in a new domain (xg_control_serve's RESUMED, once the
 * caller has set up the grant table again): the old connection died
 * with the old domain (its grants, its event channel); make a new one
 * to the same node, as xg_blk_connect.  The device must have been
 * connected, with no request in flight. */
int xg_blk_resume(struct xg_blkfront *bf);

/* Close: Closing, wait for the back end to close, Closed; then revoke
 * the grants and close the event channel. */
int xg_blk_disconnect(struct xg_blkfront *bf);

#endif
