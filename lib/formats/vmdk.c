/*
 * vmdk.c - streamOptimized VMDK output (for OVA).
 */
#include "formats/disk-impl.h"

int
xk_vmdk_sink_init(struct xk_disk_sink *sink, struct xk_error *err)
{
	xk_error_set(err, "%s: writing VMDK is not implemented yet",
	    sink->path);
	return -1;
}
