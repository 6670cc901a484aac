/*
 * vmmodel-impl.h - what the two directions of the record model share
 * (vmmodel-export.c, vmmodel-import.c) and nobody else needs.
 */
#ifndef XK_FORMATS_VMMODEL_IMPL_H
#define XK_FORMATS_VMMODEL_IMPL_H

#include "formats/vmmodel.h"

#define NULLREF		"OpaqueRef:NULL"
#define MIB		(1024ULL * 1024)
#define XL_DEFAULT_MEMORY 32	/* MiB: libxl's default max_memkb */
#define XL_DEFAULT_BRIDGE "xenbr0"

/*
 * The VM record fields export maps from dc, without warnings: import
 * checks a kept config against the record with them.  NULL on ENOMEM.
 */
struct xk_xv *xk_vm_mapped_record(const struct xk_domcfg *dc);

#endif
