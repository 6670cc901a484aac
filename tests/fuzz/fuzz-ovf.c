/*
 * fuzz-ovf - the OVF descriptor parser, the manifest parser and the
 * record model's import side on what the descriptor yields.  Nothing may
 * crash, leak or hang; an accepted descriptor must give records that
 * either map to an xl.cfg that loads or are refused with an error.
 */
#include <stdlib.h>
#include <string.h>

#include "formats/ovf.h"
#include "formats/vmmodel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xk_error err = { 0 };
	struct strbuf sb = STRBUF_INIT;
	struct xk_ovf *o = xk_ovf_parse("fuzz.ovf", (const char *)data, size,
	    &err);
	struct xk_vm_in in;

	if (o == NULL)
		return 0;
	/* the same bytes as a manifest: mostly refused, never a crash */
	(void)xk_ovf_manifest(o, "fuzz.mf", (const char *)data, size, &err);
	if (xk_vm_from_ova(o->ova, &in, &err) == 0) {
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
	xk_ovf_free(o);
	return 0;
}
