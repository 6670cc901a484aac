/*
 * console.c - operation lines on Xen's console (see console.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xencall.h>
#include <xenctrl.h>

#include "fuzz/console.h"
#include "fuzz/oplog.h"

#define CONSOLE_LINE_MAX	(XK_OPLOG_LINE_MAX + 64)

struct xk_fuzz_console {
	xencall_handle *xcall;
	char *buf;		/* hypercall-safe: Xen reads it */
};

struct xk_fuzz_console *
xk_fuzz_console_open(struct xk_error *err)
{
	struct xk_fuzz_console *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		xk_error_errno(err, ENOMEM, "console");
		return NULL;
	}
	if ((c->xcall = xencall_open(NULL, 0)) == NULL) {
		xk_error_errno(err, errno, "xencall_open");
		free(c);
		return NULL;
	}
	if ((c->buf = xencall_alloc_buffer(c->xcall, CONSOLE_LINE_MAX)) ==
	    NULL) {
		xk_error_errno(err, errno, "xencall_alloc_buffer");
		xk_fuzz_console_close(c);
		return NULL;
	}
	return c;
}

void
xk_fuzz_console_close(struct xk_fuzz_console *c)
{
	if (c == NULL)
		return;
	if (c->buf != NULL)
		xencall_free_buffer(c->xcall, c->buf);
	xencall_close(c->xcall);
	free(c);
}

int
xk_fuzz_console_write(struct xk_fuzz_console *c, size_t n, const char *line,
    struct xk_error *err)
{
	int len = snprintf(c->buf, CONSOLE_LINE_MAX, "%s%zu: %s",
	    XK_FUZZ_CONSOLE_TAG, n, line);

	if (len < 0 || len >= CONSOLE_LINE_MAX) {
		xk_error_set(err, "console: line too long");
		return -1;
	}
	if (xencall3(c->xcall, __HYPERVISOR_console_io, CONSOLEIO_write,
	    (uint64_t)len, (uint64_t)(uintptr_t)c->buf) < 0) {
		xk_error_errno(err, errno, "console_io write");
		return -1;
	}
	return 0;
}
