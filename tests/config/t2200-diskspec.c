/*
 * t2200-diskspec - xenkit's disk spec parser against libxlutil's
 * xlu_disk_parse, linked in: both must accept and reject the same specs
 * and agree on every field; the canonical form must parse to the same
 * disk in libxlutil too.
 */
#include <stdio.h>
#include <string.h>

#include <libxl.h>
#include <libxlutil.h>

#include "config/diskspec.h"
#include "harness.h"

/* Specs from xl-disk-configuration(5), its deprecated forms and corners. */
static const char *const specs[] = {
	"phy:/dev/vg/x,xvda,w", "/x.img,raw,xvda,rw", "/x.img,xvda,w",
	"file:/x.img,xvda,w", "tap:aio:/x.img,xvda,r", "tap:qcow2:/q,xvda,w",
	"qcow2:/q,xvda,w", "aio:/x,xvda,w", "tap2:tapdisk:aio:/x,xvda,w",
	",hdc:cdrom,r", "/a.iso,raw,hdc,ro,devtype=cdrom", "/a.iso,,hdc:cdrom,r",
	"vdev=xvda,target=/x,y", "target=/x,vdev=xvda",
	"format=qcow2, vdev=xvdb, access=rw, backendtype=qdisk, target=/d.q",
	"vdev=xvda", "target=/x", "/x,raw,xvda,w!", "/x,raw,xvda,rw,extra",
	"script=block-iscsi,vdev=xvda,target=iqn", "iscsi:iqn.x,xvda,w",
	"nbd:host:1,xvda,w", "drbd:res,xvda,w", "enbd:h,xvda,w",
	"vdev=xvda,access=w,devtype=cdrom,target=/x", "cdrom,vdev=hdc,target=",
	"vdev=xvda,discard,target=/x", "vdev=xvda,no-discard,direct-io-safe,target=/x",
	"vdev=xvda,trusted,target=/x", "vdev=xvda,backend=dd,target=/x",
	"vdev=xvda,specification=virtio,target=/x", "vdev=xvda,foo=bar,target=/x",
	"vdev=xvda,format=vmdk,target=/x", "vdev=xvda,backendtype=blah,target=/x",
	" /x , raw , xvda , w ", "vdev=xvda, target= /x y ", "/x,raw,xvda",
	"/x,raw", "/x", "", "vdev=xvda,access=,target=/x",
	"vdev=xvda,format=,target=/x", "vdev=xvda,vdev=xvdb,target=/x",
	"/x,raw,xvda:disk,w", "/x,raw,xvda:foo,w", "VDEV=xvda,target=/x",
	"vdev=xvda,devtype=floppy,target=/x", "phy:/dev/x,xvda,w,raw",
	"raw:/x,xvda,w", "vhd:/x,xvda,w", "qed:/x,xvda,w", "qcow:/x,xvda,w",
	"vdev=xvda\t,target=/x", "vdev=xvda,,target=/x", ",,,", "phy:,xvda,w",
	",/x,raw,xvda", "vdev=xvda,,,target=/x", "vdev=xvda,/y,target=/x",
	"vdev=xvda,cdrom,target=/x", "vdev=xvda,devtype=disk,target=/x",
	"vdev=xvda,backendtype=phy,backendtype=qdisk,target=/x",
	"vdev=xvda,backendtype=standalone,target=/x",
	"vdev=xvda,format=raw,format=raw,target=/x",
	"vdev=xvda,format=,format=qcow2,target=/x", "/x,,xvda,w,format=qcow2",
	"vdev=xvda,script=a,script=b,target=/x", "iscsi:a,xvda,w,script=x",
	("vdev=xvda,colo,colo-host=h,colo-port=9,colo-export=e,active-disk=a,"
	"hidden-disk=h,target=/x"), "vdev=xvda,colo-port=,target=/x",
	"cdrom=1,vdev=xvda,target=/x", "vdev=xvda,cdrom", "x,vdev=xvda,target=y",
	"/x,raw,xvda,w,vdev=xvdb", ",,hdc:cdrom", "raw:/x,raw,xvda",
	"vdev=xvda:cdrom,target=/x", "phy:/x,xvda:cdrom:disk,r",
	"vdev=xvda,target=,", "a:b,raw,xvda,w", "a:/b,raw,xvda,w",
	"vdev=x=y,target=/x", "vdev=xvda,discardx,target=/x",
	"vdev=xvda,Target=/x", "vdev=xvda,\n target=/x", "phy:/x,hdc:cdrom,w",
	"vdev=xvda,access=w,target=/x,access=r", "backend=,vdev=xvda,target=/x",
	"vdev=xvda,target=/x,", "vdev=xvda,specification=xen,target=/x",
	/* newlines: flex's "." stops at them, [^,] does not */
	"\n\n2\n\n,,r", "2\n,,r", "\n2,,r", "vdev=xvda,target=/x\ny",
	"vdev=xvda,target=/x\n", "phy:/x\n,xvda", "vdev=xvda, \n /x",
	"foo:\nx,raw,xvda", "a\nb,raw,xvda", "vdev=xvda,foo=\nx,target=/y",
	"/x,raw,xvda,=", ",,r=", "vdev=xvda,foo=", "vdev=xvda,foo=,",
	"foo:bar:/x,raw,xvda", "foo: x,raw,xvda", "ab:-d,raw,xvda",
	"vdev=xvda,colo-port=0,target=/x", "vdev=xvda,colo-port=12x,target=/x",
	"vdev=xvda,colo-port=4294967296,target=/x", "vdev=xvda,xt:",
	"vdev=xvda,colo-port=1,colo-port=2,target=/x",
	"x:", "xt:,raw,xvda", "vdev=xvda,ab:9", "vdev=xvda,/xt:",
};

static int
xlu_parse(XLU_Config *cfg, const char *spec, libxl_device_disk *d)
{
	libxl_device_disk_init(d);
	return xlu_disk_parse(cfg, 1, &spec, d);
}

static const char *
nz(const char *s)
{
	return s != NULL ? s : "(null)";
}

/* Every field xenkit models equals libxl's. */
static bool
same_disk(const struct xk_disk *x, const libxl_device_disk *l, char *why,
    size_t len)
{
	const char *xt = x->target, *lt = l->pdev_path;

	if ((xt == NULL) != (lt == NULL) || (xt && strcmp(xt, lt) != 0))
		return snprintf(why, len, "target %s vs %s", nz(xt), nz(lt)), 0;
	if (strcmp(nz(x->vdev), nz(l->vdev)) != 0)
		return snprintf(why, len, "vdev"), false;
	if (strcmp(xk_disk_format_name(x->format),
	    libxl_disk_format_to_string(l->format)) != 0)
		return snprintf(why, len, "format"), false;
	if (strcmp(xk_disk_backend_name(x->backendtype),
	    libxl_disk_backend_to_string(l->backend)) != 0)
		return snprintf(why, len, "backendtype"), false;
	if (strcmp(xk_disk_spec_name(x->specification),
	    libxl_disk_specification_to_string(l->specification)) != 0)
		return snprintf(why, len, "specification"), false;
	if (x->readwrite != (l->readwrite != 0) ||
	    x->cdrom != (l->is_cdrom != 0) ||
	    x->removable != (l->removable != 0) ||
	    x->direct_io_safe != l->direct_io_safe)
		return snprintf(why, len, "flags"), false;
	if (strcmp(nz(x->script), nz(l->script)) != 0 ||
	    strcmp(nz(x->backend), nz(l->backend_domname)) != 0)
		return snprintf(why, len, "script/backend"), false;
	if (x->discard != (libxl_defbool_is_default(l->discard_enable) ? -1 :
	    libxl_defbool_val(l->discard_enable)))
		return snprintf(why, len, "discard"), false;
	return true;
}

static XLU_Config *
quiet_cfg(void)
{
	return xlu_cfg_init(fopen("/dev/null", "w"), "t2200");
}

TEST(agrees_with_xlu_disk_parse)
{
	XLU_Config *cfg = quiet_cfg();
	int disagree = 0;

	CHECK(cfg != NULL);
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		struct xk_error e = { 0 };
		struct xk_disk x;
		libxl_device_disk l;
		int xrc = xk_disk_parse(specs[i], &x, &e);
		int lrc = xlu_parse(cfg, specs[i], &l);
		char why[128] = "";

		if ((xrc == 0) != (lrc == 0)) {
			printf("#   '%s': xk %s, libxlutil %s (%s)\n", specs[i],
			    xrc ? "rejects" : "accepts",
			    lrc ? "rejects" : "accepts", e.msg);
			disagree++;
		} else if (xrc == 0 && !same_disk(&x, &l, why, sizeof(why))) {
			printf("#   '%s': %s differs\n", specs[i], why);
			disagree++;
		}
		if (xrc == 0)
			xk_disk_free(&x);
		libxl_device_disk_dispose(&l);
	}
	xlu_cfg_destroy(cfg);
	CHECK_INT_EQ(disagree, 0);
}

TEST(canonical_form_means_the_same_to_libxlutil)
{
	XLU_Config *cfg = quiet_cfg();
	int tested = 0;

	CHECK(cfg != NULL);
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		struct xk_error e = { 0 };
		struct strbuf sb = STRBUF_INIT;
		struct xk_disk x;
		libxl_device_disk l;
		char why[128] = "";
		bool same;

		if (xk_disk_parse(specs[i], &x, &e) < 0)
			continue;
		if (x.target != NULL && strchr(x.target, '\n') != NULL) {
			CHECK(xk_disk_format_spec(&sb, &x) == -1);
			xk_disk_free(&x);
			strbuf_free(&sb);
			continue;
		}
		CHECK(xk_disk_format_spec(&sb, &x) == 0);
		CHECK(xlu_parse(cfg, strbuf_str(&sb), &l) == 0);
		same = same_disk(&x, &l, why, sizeof(why));
		if (!same)
			printf("#   '%s' -> '%s': %s\n", specs[i], sb.buf, why);
		libxl_device_disk_dispose(&l);
		xk_disk_free(&x);
		strbuf_free(&sb);
		CHECK(same);
		tested++;
	}
	xlu_cfg_destroy(cfg);
	CHECK(tested > 40);
}

TEST(errors_name_the_spec)
{
	struct xk_error e = { 0 };
	struct xk_disk x;

	CHECK(xk_disk_parse("/x,vmdk,xvda,w", &x, &e) < 0);
	CHECK_STR_HAS(e.msg, "disk spec '/x,vmdk,xvda,w': unknown format");
	CHECK_STR_HAS(e.msg, "near 'vmdk'");
}
