/*
 * xg_netfront.h - a network front end (xen/io/netif.h): Ethernet
 * frames to and from a vif's back end (netback in dom0), one queue,
 * one event channel, the back end copying received frames into our
 * pages (request-rx-copy), no scatter-gather, no offloads: a frame is
 * one page, and its checksums are complete both ways.
 *
 * Connecting (xg_xenbus.h does the state handshake): read the vif's
 * MAC, wait for the back end's InitWait, grant the tx and rx ring
 * pages, allocate an event channel, write tx-ring-ref, rx-ring-ref,
 * event-channel, request-rx-copy, feature-rx-notify and
 * feature-no-csum-offload in one transaction, post the receive
 * buffers, publish Connected and wait for the back end's Connected.
 * Every wait has the caller's deadline: a back end that never comes is
 * an error the caller reports (the guests: on the console, then a
 * crash), never a hang.
 *
 * What the back end writes into the shared rings is checked before it
 * is used (xg_netring.h, the rings' pure half): a back end that breaks
 * the protocol marks the device broken (every call fails from then on,
 * err says why); frames it should not send us are dropped and counted
 * in ring.stats.
 *
 * No interrupts (xg_boot.h): a guest waits for the port in
 * xg_netfront.port with xg_evtchn_wait, alone or with others, then
 * calls xg_netfront_recv until it returns 0.
 */
#ifndef XG_NETFRONT_H
#define XG_NETFRONT_H

#include "xg_gnttab.h"
#include "xg_netring.h"
#include "xg_xenbus.h"

#define XG_NETFRONT_RX XG_NETRING_RX
#define XG_NETFRONT_TX XG_NETRING_TX

/*
 * One device.  The pages shared with the back end are its first
 * members and page-aligned, so the structure must be too: a static
 * object (xg_alloc aligns to 16 bytes only).  About 100 KiB.
 */
struct xg_netfront {
	unsigned char tx_page[XG_PAGE_SIZE];	/* the tx shared ring */
	unsigned char rx_page[XG_PAGE_SIZE];	/* the rx shared ring */
	unsigned char rx_buf[XG_NETFRONT_RX][XG_PAGE_SIZE];
	unsigned char tx_buf[XG_NETFRONT_TX][XG_PAGE_SIZE];

	struct xg *xg;
	struct xg_gnttab *gt;
	struct xg_xenbus_dev dev;
	uint8_t mac[6];			/* the vif's (its "mac" node) */
	evtchn_port_t port;
	struct xg_netring ring;		/* ring.stats: frames counted */
	int broken;			/* every call fails (err says why) */
	char err[192];			/* why the last call failed */

	/* private */
	long tx_ring_ref, rx_ring_ref;	/* -1: not granted */
	long rx_ref[XG_NETFRONT_RX], tx_ref[XG_NETFRONT_TX];
	int have_port;
} __attribute__((aligned(4096)));

/*
 * Connect NF to the vif at NODE (relative to the guest's home:
 * "device/vif/0") through xenstore XS, granting pages with GT (set up
 * already), by DEADLINE (system time, xg_time_now).  0, or -1 with
 * nf->err saying which step failed and why (with the back end's
 * state when it did not come); what was set up is undone.
 */
int xg_netfront_connect(struct xg_netfront *nf, struct xg *xg,
    struct xg_xs *xs, struct xg_gnttab *gt, const char *node,
    uint64_t deadline);

/*
 * The next received frame into BUF (CAP bytes): its length, 0 when no
 * frame is waiting, -1 when the device is broken (nf->err).  Frames
 * that do not fit in CAP are dropped.  Each buffer goes back to the
 * back end at once.
 */
long xg_netfront_recv(struct xg_netfront *nf, void *buf, size_t cap);

/*
 * Send the frame FRAME of LEN bytes (an Ethernet header and payload,
 * at most a page): 0, or -1 with nf->err: too long, every tx buffer in
 * flight (the back end has not answered XG_NETFRONT_TX frames yet:
 * try again after its event), or the device broken.
 */
int xg_netfront_send(struct xg_netfront *nf, const void *frame, size_t len);

/*
 * Close: publish Closing, wait for the back end to close (by
 * DEADLINE), publish Closed, take back the grants and close the event
 * channel.  0, or -1 with nf->err (the device is given up either way).
 */
int xg_netfront_disconnect(struct xg_netfront *nf, uint64_t deadline);

#endif
