/*
 * fuzz-ovf - the OVF descriptor parser, the manifest parser and the
 * record model's import side on what the descriptor yields; inputs
 * starting with "KDMV" go to the streamOptimized VMDK reader that OVA
 * import uses instead.  Nothing may crash, leak or hang; an accepted
 * descriptor must give records that either map to an xl.cfg that loads
 * or are refused with an error; the VMDK reader must hand out grains in
 * ascending order inside the disk.  Parsing one input may not hold
 * more than 64 MiB of heap (heaplimit.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/ovf.h"
#include "formats/vmmodel.h"
#include "heaplimit.h"

struct grains {
	uint64_t size, end;
};

static int
grain(void *arg, const void *buf, size_t len, uint64_t off,
    struct xk_error *err)
{
	struct grains *g = arg;

	(void)buf;
	(void)err;
	if (off < g->end || len > g->size - off)
		abort();
	g->end = off + len;
	return 0;
}

static void
vmdk(const uint8_t *data, size_t size)
{
	struct xk_error err = { 0 };
	struct grains g = { 0, 0 };
	FILE *f;

	if (size < 20)
		return;
	for (int i = 7; i >= 0; i--)
		g.size = g.size << 8 | data[12 + i];
	if (g.size > (1ULL << 31))
		return;
	g.size *= 512;
	f = fmemopen((void *)data, size, "rb");
	if (f == NULL)
		return;
	(void)xk_vmdk_stream_read(f, "fuzz.vmdk", g.size, grain, &g, &err);
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xk_error err = { 0 };
	struct strbuf sb = STRBUF_INIT;
	struct xk_ovf *o;
	struct xk_vm_in in;

	heap_begin();
	o = xk_ovf_parse("fuzz.ovf", (const char *)data, size, &err);
	heap_end();

	if (size >= 4 && memcmp(data, "KDMV", 4) == 0) {
		xk_ovf_free(o);
		vmdk(data, size);
		return 0;
	}
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
