/*
 * fuzz-serial - the reader of a crashed lab's serial log (xk fuzz takes
 * Xen's panic and the operation lines the control channel lost from
 * it; the lab, a guest or Xen writes that text).  Whatever the text, a
 * signature is a NUL-terminated string within its buffer, every
 * recovered line is an operation line's length at most, and the
 * reader allocates nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz/oplog.h"
#include "fuzz/serial.h"
#include "lab/serial.h"
#include "heaplimit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
line_fits(const char *line, size_t len, void *arg)
{
	(void)arg;
	if (len > XK_OPLOG_LINE_MAX + 64 || memchr(line, '\n', len) != NULL)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), sig[256];

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(sig, 'x', sizeof(sig));
	heap_begin();
	if (xk_serial_panic(text, sig, sizeof(sig)) == 1 &&
	    (memchr(sig, '\0', sizeof(sig)) == NULL ||
	    strncmp(sig, "Xen panicked: ", 14) != 0))
		abort();
	if (xk_fuzz_serial_ops(text, 0, line_fits, NULL) < 0)
		abort();
	heap_end();
	free(text);
	return 0;
}
