/*
 * fuzz-oplog - the fuzzer's operation log reader (xk fuzz replay and
 * shrink read logs people hand them).  Every log it accepts must write
 * back to text that reads again to the same operations, and the
 * reader's heap stays bounded (heaplimit.h).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz/drive.h"
#include "fuzz/oplog.h"
#include "heaplimit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xk_error err = { 0 };
	struct strbuf sb = STRBUF_INIT, sb2 = STRBUF_INIT;
	struct xk_oplog log, again;

	heap_begin();
	if (xk_oplog_parse((const char *)data, size, "in", &log, &err) != 0) {
		if (strncmp(err.msg, "in:", 3) != 0)	/* FILE:LINE:COL */
			abort();
		heap_end();
		return 0;
	}
	heap_end();
	if (xk_oplog_to_text(&log, log.ops, log.n, &sb) != 0 ||
	    xk_oplog_parse(strbuf_str(&sb), sb.len, "again", &again,
	    &err) != 0 || again.n != log.n || again.seed != log.seed ||
	    xk_oplog_to_text(&again, again.ops, again.n, &sb2) != 0 ||
	    strcmp(strbuf_str(&sb), strbuf_str(&sb2)) != 0)
		abort();
	strbuf_free(&sb2);
	xk_oplog_free(&again);
	xk_oplog_free(&log);
	strbuf_free(&sb);
	return 0;
}
