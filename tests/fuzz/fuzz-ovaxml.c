/*
 * fuzz-ovaxml - the ova.xml XML-RPC parser, the writer and the record
 * model's import side.
 *
 * Besides not crashing: a value the parser accepts must be written and
 * parsed back to an equal value, and the records, if they describe a
 * VM, must give an xl.cfg that loads (xk_vm_write_xlcfg checks that).
 * Parsing one input may not hold more than 64 MiB of heap
 * (heaplimit.h).
 */
#include <stdlib.h>
#include <string.h>

#include "formats/ovaxml.h"
#include "formats/vmmodel.h"
#include "heaplimit.h"

static bool
equal(const struct xk_xv *a, const struct xk_xv *b)
{
	if (a->type != b->type || a->n != b->n)
		return false;
	if (a->type == XK_XV_STRUCT) {
		for (size_t i = 0; i < a->n; i++)
			if (strcmp(a->members[i].name,
			    b->members[i].name) != 0 ||
			    !equal(a->members[i].value, b->members[i].value))
				return false;
		return true;
	}
	if (a->type == XK_XV_ARRAY) {
		for (size_t i = 0; i < a->n; i++)
			if (!equal(a->items[i], b->items[i]))
				return false;
		return true;
	}
	return strcmp(a->text, b->text) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xk_error err = { 0 };
	struct strbuf sb = STRBUF_INIT;
	struct xk_xv *v, *again;
	struct xk_vm_in in;

	heap_begin();
	v = xk_xv_parse("fuzz", (const char *)data, size, &err);
	heap_end();
	if (v == NULL)
		return 0;
	/* text the writer cannot carry (control characters) is refused */
	if (xk_xv_write(&sb, v) == 0) {
		again = xk_xv_parse("again", sb.buf, sb.len, &err);
		if (again == NULL || !equal(v, again))
			abort();
		xk_xv_free(again);
	}
	strbuf_free(&sb);
	if (xk_vm_from_ova(v, &in, &err) == 0) {
		for (size_t i = 0; i < in.ndisks; i++) {
			if (in.disks[i].vdi_ref == NULL)
				continue;
			in.disks[i].target = strdup("/fuzz/disk.img");
			in.disks[i].format = XK_DISK_FORMAT_RAW;
		}
		(void)xk_vm_write_xlcfg(&in, &sb, NULL, &err);
		strbuf_free(&sb);
		xk_vm_in_free(&in);
	}
	xk_xv_free(v);
	return 0;
}
