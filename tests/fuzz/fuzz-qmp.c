/*
 * fuzz-qmp - the QMP message parser (lib/qmp/qmp_parse.c): every line
 * QEMU sends goes through it.  Input is split into lines as the client
 * splits the stream; an accepted message must be internally consistent.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qmp/qmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const char *line, size_t len)
{
	struct xk_error e = { 0 };
	struct xk_qmp_msg m;

	if (xk_qmp_parse(line, len, &m, &e) < 0) {
		if (e.msg[0] == '\0')
			abort();	/* every refusal says why */
		return;
	}
	switch (m.kind) {
	case XK_QMP_EVENT:
		if (m.event == NULL || m.event[0] == '\0' ||
		    (m.value != NULL && !json_is_object(m.value)))
			abort();
		break;
	case XK_QMP_ERROR:
		if (m.eclass == NULL || m.edesc == NULL)
			abort();
		break;
	case XK_QMP_GREETING:
		if (!json_is_object(m.value))
			abort();
		break;
	case XK_QMP_RETURN:
		if (m.value == NULL)
			abort();
		break;
	}
	xk_qmp_msg_free(&m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		check(p, len);
		p += len + 1;
	}
	return 0;
}
