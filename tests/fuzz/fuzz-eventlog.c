/*
 * fuzz-eventlog - the event-log reader (xk events, the monitor's replay
 * at start).  Every event it accepts must write back to a line that
 * reads again to the same event.
 */
#include <stdlib.h>
#include <string.h>

#include "events/eventlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
check(const struct xk_event *ev, const char *line, size_t len, void *arg)
{
	struct xk_error e = { 0 };
	struct xk_event again;
	char *out = xk_event_to_line(ev, &e);

	if (out == NULL)
		abort();
	if (xk_event_from_line(out, strlen(out), &again, &e) != 0)
		abort();
	if (again.ts_ms != ev->ts_ms || again.type != ev->type ||
	    again.domid != ev->domid || again.reason != ev->reason ||
	    again.previous_domid != ev->previous_domid ||
	    strcmp(again.domain, ev->domain) != 0 ||
	    strcmp(again.uuid, ev->uuid) != 0 ||
	    strcmp(again.source, ev->source) != 0)
		abort();
	free(out);
	(*(size_t *)arg)++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xk_evfilter f = XK_EVFILTER_ALL;
	struct xk_evlog_stats st = { 0 };
	size_t n = 0;

	xk_evlog_read_buf((const char *)data, size, &f, check, &n, &st);
	if (n != st.events)
		abort();
	return 0;
}
