/*
 * ovf.c - OVF descriptors and OVA archives (see ovf.h).
 */
#include <stdlib.h>

#include "formats/ovf.h"

int
xk_ovf_check(const struct xk_domcfg *dc, struct xk_notes *w,
    struct xk_error *err)
{
	(void)dc;
	(void)w;
	(void)err;
	return 0;
}

int
xk_ova_write(const char *out, const struct xk_domcfg *dc,
    const struct xk_xv *ova, const struct xk_ova_disk *disks, size_t n,
    enum xk_img_format fmt, struct xk_error *err)
{
	(void)dc, (void)ova, (void)disks, (void)n, (void)fmt;
	xk_error_set(err, "%s: OVA not written yet", out);
	return -1;
}

struct xk_ovf *
xk_ovf_parse(const char *name, const char *data, size_t len,
    struct xk_error *err)
{
	(void)data, (void)len;
	xk_error_set(err, "%s: OVF not read yet", name);
	return NULL;
}

void
xk_ovf_free(struct xk_ovf *o)
{
	free(o);
}
