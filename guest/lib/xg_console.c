/*
 * xg_console.c - the PV console ring (see xg_console.h).
 */
#include "xg_console.h"
#include "xg_evtchn.h"
#include "xg_fmt.h"
#include "xg_ring.h"
#include "xg_time.h"

#define OUT_SIZE ((uint32_t)sizeof(((struct xencons_interface *)0)->out))
#define IN_SIZE ((uint32_t)sizeof(((struct xencons_interface *)0)->in))

size_t
xg_console_write(struct xg *xg, const char *s, size_t n)
{
	volatile struct xencons_interface *r = xg->console.ring;
	uint64_t deadline = 0;
	size_t done = 0;

	if (r == NULL)
		return 0;
	while (done < n) {
		uint32_t cons = r->out_cons, prod = r->out_prod;
		size_t k;

		xg_mb();
		k = xg_ring_put(r->out, OUT_SIZE, prod, cons, s + done,
		    n - done);
		if (k > 0) {
			xg_wmb();
			r->out_prod = prod + (uint32_t)k;
			done += k;
			xg_evtchn_send(xg, xg->console.port);
			continue;
		}
		/* full (or nonsense indexes): give xenconsoled a while */
		if (deadline == 0)
			deadline = xg_time_now(xg) + XG_CONSOLE_WAIT_NS;
		xg_evtchn_test_and_clear(xg, xg->console.port);
		if (xg_ring_free(r->out_prod, r->out_cons, OUT_SIZE) > 0)
			continue;
		if (xg_evtchn_wait(xg, &xg->console.port, 1, deadline) <= 0)
			break;
	}
	return done;
}

size_t
xg_console_read(struct xg *xg, char *buf, size_t cap)
{
	volatile struct xencons_interface *r = xg->console.ring;
	uint32_t cons, prod;
	size_t k;

	if (r == NULL)
		return 0;
	cons = r->in_cons;
	prod = r->in_prod;
	xg_rmb();
	k = xg_ring_get(r->in, IN_SIZE, prod, cons, buf, cap);
	if (k > 0) {
		xg_mb();
		r->in_cons = cons + (uint32_t)k;
		xg_evtchn_send(xg, xg->console.port);
	}
	return k;
}

/* Gather formatted output in a small buffer, write it out when full. */
struct line {
	struct xg *xg;
	char buf[128];
	size_t len;
};

static void
line_put(void *arg, const char *s, size_t n)
{
	struct line *l = arg;

	while (n > 0) {
		size_t k = sizeof(l->buf) - l->len;

		if (k > n)
			k = n;
		for (size_t i = 0; i < k; i++)
			l->buf[l->len + i] = s[i];
		l->len += k;
		s += k;
		n -= k;
		if (l->len == sizeof(l->buf)) {
			xg_console_write(l->xg, l->buf, l->len);
			l->len = 0;
		}
	}
}

int
xg_vprintf(struct xg *xg, const char *fmt, va_list ap)
{
	struct line l = { .xg = xg, .len = 0 };
	int n = xg_vformat(line_put, &l, fmt, ap);

	xg_console_write(xg, l.buf, l.len);
	return n;
}

int
xg_printf(struct xg *xg, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = xg_vprintf(xg, fmt, ap);
	va_end(ap);
	return n;
}
