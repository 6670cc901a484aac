/*
 * fuzz-xva - the XVA stream reader: tar (plain, gzip, zstd through
 * libarchive), the first-member rule, member names, chunk placement and
 * checksums, then the records.  Nothing may crash, hang or leak; every
 * refusal is an error, never an abort.
 */
#include <stdlib.h>
#include <string.h>

#include "formats/vmmodel.h"
#include "formats/xva.h"

static int
sink(void *arg, struct xk_xva_vdi *vdi, uint64_t off, const void *buf,
    size_t len, struct xk_error *err)
{
	(void)arg;
	(void)buf;
	(void)err;
	/* the reader promises in-range, ascending data */
	if (off + len > vdi->size || off < vdi->offset)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xk_error err = { 0 };
	struct xk_xva_sink s = { NULL, sink };
	struct xk_xva_reader *r = xk_xva_open_mem(data, size, &err);
	struct xk_vm_in in;

	if (r == NULL)
		return 0;
	if (xk_vm_from_ova(r->ova, &in, &err) == 0)
		xk_vm_in_free(&in);
	(void)xk_xva_read_disks(r, &s, &err);
	xk_xva_close(r);
	return 0;
}
