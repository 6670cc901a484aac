/*
 * xg_netring.h - the front end's side of a vif's two shared rings
 * (xen/io/netif.h): the part of netfront (xg_netfront.h) that needs no
 * hypervisor, so that what a back end writes can be tested and fuzzed
 * hosted.  Pure: tests/guest, tests/fuzz.
 *
 * Receive buffers are posted in ring order, request i naming buffer
 * i % XG_NETRING_RX with that id; the back end answers them in order
 * (netif.h: one response per request slot, its id echoed), so the
 * response in slot i must name buffer i % XG_NETRING_RX.  Frames to
 * send are copied into one of XG_NETRING_TX buffers, named by id; a
 * response frees the buffer it names.
 *
 * Before anything the back end wrote is used it is checked: a response
 * index beyond the requests made, an id that names no request in
 * flight, or data running past its page mark the rings broken (err
 * says why; every call fails from then on).  Frames it should not
 * send us, as we asked for neither scatter-gather nor offloads (in
 * several slots, with extra info, or with an error status), and
 * frames larger than the caller's buffer are dropped and counted.
 */
#ifndef XG_NETRING_H
#define XG_NETRING_H

#include "xg_xen.h"

#include <xen/io/netif.h>

#define XG_NETRING_RX 16	/* receive buffers posted */
#define XG_NETRING_TX 8		/* frames in flight to the back end */

struct xg_netring_stats {
	uint64_t rx_frames, tx_frames;
	uint64_t rx_dropped;	/* frames refused (see above) */
	uint64_t tx_errors;	/* tx responses with an error status */
};

struct xg_netring {
	volatile netif_tx_sring_t *txs;
	volatile netif_rx_sring_t *rxs;
	const unsigned char *rx_buf;	/* XG_NETRING_RX pages */
	unsigned char *tx_buf;		/* XG_NETRING_TX pages */
	grant_ref_t rx_ref[XG_NETRING_RX], tx_ref[XG_NETRING_TX];
	RING_IDX tx_prod, tx_cons, rx_prod, rx_cons;
	unsigned char tx_busy[XG_NETRING_TX];
	int rx_more, rx_extra;		/* inside a refused frame's slots */
	int broken;
	struct xg_netring_stats stats;
	char err[128];
};

/* Empty rings in the pages TX_PAGE and RX_PAGE (SHARED_RING_INIT),
 * with the buffer pages RX_BUF and TX_BUF; the grant references of the
 * buffers go in r->rx_ref and r->tx_ref before anything is posted. */
void xg_netring_init(struct xg_netring *r, void *tx_page, void *rx_page,
    const void *rx_buf, void *tx_buf);

/* Post COUNT receive requests (the buffers emptied last); returns 1
 * when the back end wants an event for them. */
int xg_netring_post_rx(struct xg_netring *r, unsigned int count);

/* The next received frame into BUF (CAP bytes): its length, 0 when
 * none is waiting, -1 when the rings are broken (r->err).  The
 * buffers emptied on the way are posted again; *NOTIFY says whether
 * the back end wants an event for them. */
long xg_netring_recv(struct xg_netring *r, void *buf, size_t cap,
    int *notify);

/* Queue the frame FRAME of LEN bytes (at most a page): 0 and *NOTIFY
 * as above, or -1 with r->err (every buffer in flight, or broken). */
int xg_netring_send(struct xg_netring *r, const void *frame, size_t len,
    int *notify);

#endif
