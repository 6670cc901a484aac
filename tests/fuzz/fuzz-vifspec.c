/*
 * fuzz-vifspec - the vif spec parser; an accepted spec's canonical form
 * must parse again to the same MAC and bridge.
 */
#include <stdlib.h>
#include <string.h>

#include "config/vifspec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xk_error e = { 0 };
	struct strbuf sb = STRBUF_INIT;
	struct xk_vif v, again;
	char *spec = strndup((const char *)data, size);

	if (spec == NULL)
		return 0;
	if (xk_vif_parse(spec, &v, &e) == 0) {
		if (xk_vif_format_spec(&sb, &v) < 0 ||
		    xk_vif_parse(strbuf_str(&sb), &again, &e) < 0)
			abort();
		if (v.has_mac != again.has_mac ||
		    memcmp(v.mac, again.mac, 6) != 0)
			abort();
		xk_vif_free(&again);
		xk_vif_free(&v);
	}
	strbuf_free(&sb);
	free(spec);
	return 0;
}
