/*
 * fuzz-guest-netring - netfront's side of the netif rings
 * (guest/lib/xg_netring.c) against a back end that writes anything:
 * the input is a script of what the back end does (raw rx and tx
 * responses, any response index) and what the guest does between
 * (receive into a buffer of some size, send a frame of some length).
 * Whatever the back end writes, the front end never reads or writes
 * outside its pages and buffers (ASan), never returns more than the
 * buffer holds, and keeps every receive buffer posted until the rings
 * are broken.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xg_netring.h"

#define PAGE 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct in {
	const uint8_t *p;
	size_t n;
};

static unsigned int
take(struct in *in, size_t k)
{
	unsigned int v = 0;

	for (size_t i = 0; i < k; i++) {
		v = v << 8 | (in->n > 0 ? in->p[0] : 0);
		if (in->n > 0) {
			in->p++;
			in->n--;
		}
	}
	return v;
}

static void
raw(struct in *in, volatile void *slot, size_t k)
{
	volatile uint8_t *d = slot;

	for (size_t i = 0; i < k; i++)
		d[i] = (uint8_t)take(in, 1);
}

static void
run(struct xg_netring *r, struct in *in, uint8_t *buf)
{
	int notify;

	while (in->n > 0) {
		unsigned int op = take(in, 1);
		long got;

		switch (op % 6) {
		case 0:	/* an rx response in the next slot */
			raw(in, &r->rxs->ring[r->rxs->rsp_prod % 256].rsp, 8);
			r->rxs->rsp_prod += take(in, 1) % 3;
			break;
		case 1:	/* any rx response index */
			r->rxs->rsp_prod = take(in, 4);
			break;
		case 2: {
			size_t cap = take(in, 2) % (PAGE + 1);

			got = xg_netring_recv(r, buf, cap, &notify);
			if (got > (long)cap || (got >= 0 && r->broken) ||
			    (!r->broken && r->rx_prod - r->rx_cons !=
			    XG_NETRING_RX))
				abort();
			break;
		}
		case 3:	/* a tx response in the next slot */
			raw(in, &r->txs->ring[r->txs->rsp_prod % 256].rsp, 4);
			r->txs->rsp_prod += take(in, 1) % 3;
			break;
		case 4:
			r->txs->rsp_prod = take(in, 4);
			break;
		case 5: {
			size_t len = take(in, 2) % (PAGE + 2);

			if (xg_netring_send(r, buf, len, &notify) == 0 &&
			    (len == 0 || len > PAGE ||
			    r->tx_prod - r->tx_cons > XG_NETRING_TX))
				abort();
			break;
		}
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xg_netring r;
	struct in in = { data, size };
	uint8_t *tx_page = aligned_alloc(PAGE, PAGE);
	uint8_t *rx_page = aligned_alloc(PAGE, PAGE);
	uint8_t *rx_buf = aligned_alloc(PAGE, XG_NETRING_RX * PAGE);
	uint8_t *tx_buf = aligned_alloc(PAGE, XG_NETRING_TX * PAGE);
	uint8_t *buf = malloc(PAGE);

	if (tx_page && rx_page && rx_buf && tx_buf && buf) {
		memset(rx_buf, 0x5a, XG_NETRING_RX * PAGE);
		memset(buf, 0, PAGE);
		xg_netring_init(&r, tx_page, rx_page, rx_buf, tx_buf);
		xg_netring_post_rx(&r, XG_NETRING_RX);
		run(&r, &in, buf);
	}
	free(tx_page);
	free(rx_page);
	free(rx_buf);
	free(tx_buf);
	free(buf);
	return 0;
}
