/*
 * t2110-domcfg-forms - every form xl.cfg(5) (Xen 4.17, Debian's
 * xen-utils-common) documents for a key xenkit maps is accepted, and
 * read as xl reads it: libxlutil accepts the same text and its getter for
 * the documented type (xlu_cfg_get_long, _string, _list) succeeds, a
 * number's typed value is the one xlu_cfg_get_long reads, and
 * enumerations (viridian groups) are checked against libxl's own tables
 * (issue 21, item 8: viridian=["defaults"] was rejected).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libxl.h>
#include <libxlutil.h>

#include "config/domcfg.h"
#include "config/domcfg_json.h"
#include "harness.h"

enum getter { NUM, STR, LIST };

/* The forms, as xl.cfg(5) writes them (its examples, or its syntax). */
static const struct form {
	const char *key;
	enum getter get;
	const char *value;
} forms[] = {
	{ "name", STR, "\"h0\"" },
	{ "uuid", STR, "\"5e1d1b5a-2c39-4f4e-9a47-6c0f6b7c2e11\"" },
	{ "type", STR, "\"pv\"" }, { "type", STR, "\"pvh\"" },
	{ "type", STR, "\"hvm\"" },
	{ "builder", STR, "\"generic\"" }, { "builder", STR, "\"hvm\"" },
	{ "memory", NUM, "512" }, { "memory", NUM, "0x200" },
	{ "memory", NUM, "01000" },
	{ "maxmem", NUM, "1024" },
	{ "vcpus", NUM, "2" }, { "maxvcpus", NUM, "4" },
	{ "cpus", STR, "\"all\"" }, { "cpus", STR, "\"0-3,5,^1\"" },
	{ "cpus", STR, "\"all,^7\"" }, { "cpus", STR, "\"nodes:0-3,^node:2\"" },
	{ "cpus", STR, "\"1,node:1,^6\"" }, { "cpus", LIST, "[\"2\", \"3-8,^5\"]" },
	{ "cpu_weight", NUM, "1" }, { "cpu_weight", NUM, "256" },
	{ "cpu_weight", NUM, "65535" },
	{ "cap", NUM, "0" }, { "cap", NUM, "50" }, { "cap", NUM, "400" },
	{ "kernel", STR, "\"/boot/vmlinuz\"" },
	{ "ramdisk", STR, "\"/boot/initrd.img\"" },
	{ "cmdline", STR, "\"root=/dev/xvda1 ro\"" },
	{ "root", STR, "\"/dev/xvda1 ro\"" }, { "extra", STR, "\"quiet\"" },
	{ "bootloader", STR, "\"pygrub\"" },
	{ "bootloader_args", LIST, "[\"--entry=xvda1\", \"-q\"]" },
	{ "bootloader_args", STR, "\"--entry=xvda1 -q\"" },
	{ "firmware", STR, "\"pvgrub64\"" }, { "firmware", STR, "\"bios\"" },
	{ "firmware", STR, "\"uefi\"" }, { "firmware", STR, "\"seabios\"" },
	{ "firmware", STR, "\"ovmf\"" }, { "firmware", STR, "\"/x/fw.bin\"" },
	{ "boot", STR, "\"dc\"" },
	{ "acpi", NUM, "0" }, { "acpi", NUM, "1" }, { "acpi", NUM, "2" },
	{ "apic", NUM, "1" }, { "pae", NUM, "1" }, { "nx", NUM, "0" },
	{ "hpet", NUM, "1" }, { "stdvga", NUM, "0" },
	{ "viridian", NUM, "0" }, { "viridian", NUM, "1" },
	{ "viridian", LIST, "[\"defaults\"]" },
	{ "viridian", LIST, "[\"all\", \"!freq\"]" },
	{ "viridian", LIST, "[\"base\", \"freq\", \"time_ref_count\", "
	    "\"reference_tsc\", \"hcall_remote_tlb_flush\", \"apic_assist\", "
	    "\"crash_ctl\", \"stimer\", \"hcall_ipi\", \"ex_processor_masks\", "
	    "\"no_vp_limit\", \"cpu_hotplug\"]" },
	{ "viridian", LIST, "[]" },
	{ "videoram", NUM, "8" }, { "rtc_timeoffset", NUM, "3600" },
	{ "on_poweroff", STR, "\"destroy\"" }, { "on_reboot", STR, "\"restart\"" },
	{ "on_crash", STR, "\"rename-restart\"" },
	{ "on_crash", STR, "\"preserve\"" },
	{ "on_crash", STR, "\"coredump-destroy\"" },
	{ "on_watchdog", STR, "\"coredump-restart\"" },
	{ "on_soft_reset", STR, "\"soft-reset\"" },
	{ "disk", LIST, "[\"/dev/vg/guest-volume,raw,xvda,rw\"]" },
	{ "disk", LIST, "[\"format=raw, vdev=hdc, access=ro, devtype=cdrom, "
	    "target=/root/image.iso\"]" },
	{ "vif", LIST, "[\"mac=00:16:3e:00:00:01,bridge=xenbr0\"]" },
	{ "vif", LIST, "[\"\"]" },
	{ "pci", LIST, "[\"0000:01:00.0\", \"02:00.1,permissive=1\"]" },
	{ "serial", LIST, "[\"pty\", \"file:/tmp/s\"]" },
	{ "serial", STR, "\"pty\"" },
	{ "vnc", NUM, "1" },
	{ "vfb", LIST, "[\"vnc=1,vnclisten=0.0.0.0\"]" },
};
#define NFORMS (sizeof(forms) / sizeof(forms[0]))

/*
 * libxlutil reads "KEY = VALUE" and its getter for the type succeeds;
 * *num is the number it reads for a NUM form.
 */
static bool
xl_reads(const struct form *f, const char *text, long *num)
{
	XLU_Config *xc = xlu_cfg_init(stderr, "forms");
	XLU_ConfigList *l;
	const char *s;
	long n = 0;
	bool ok;

	if (xc == NULL)
		return false;
	ok = xlu_cfg_readdata(xc, text, (int)strlen(text)) == 0;
	if (ok && f->get == NUM)
		ok = xlu_cfg_get_long(xc, f->key, &n, 0) == 0;
	else if (ok && f->get == STR)
		ok = xlu_cfg_get_string(xc, f->key, &s, 0) == 0;
	else if (ok)
		ok = xlu_cfg_get_list(xc, f->key, &l, NULL, 0) == 0;
	xlu_cfg_destroy(xc);
	*num = n;
	return ok;
}

/* A number's typed value in xk's JSON is what xl reads (a BOOLEAN: != 0). */
static bool
same_number(const struct xk_domcfg *dc, const char *key, long n)
{
	json_t *doc = xk_domcfg_to_json(dc), *v;
	bool same;

	if (doc == NULL)
		return false;
	v = json_object_get(doc, key);
	if (json_is_integer(v))
		same = json_integer_value(v) == n;
	else
		same = json_is_boolean(v) && json_is_true(v) == (n != 0);
	json_decref(doc);
	return same;
}

TEST(documented_forms_accepted)
{
	char text[512];
	long n;

	for (size_t i = 0; i < NFORMS; i++) {
		struct xk_error e = { 0 };
		struct xlcfg *cfg;
		struct xk_domcfg *dc = NULL;

		snprintf(text, sizeof(text), "%s = %s\n", forms[i].key,
		    forms[i].value);
		if (!xl_reads(&forms[i], text, &n))
			printf("#   libxlutil does not read: %s", text);
		CHECK(xl_reads(&forms[i], text, &n));
		cfg = xlcfg_parse("f.cfg", text, strlen(text), &e);
		if (cfg != NULL)
			dc = xk_domcfg_from_xlcfg(cfg, &e);
		if (dc == NULL)
			printf("#   xk rejects %s#   %s\n", text, e.msg);
		CHECK(dc != NULL);
		if (forms[i].get == NUM && !same_number(dc, forms[i].key, n))
			printf("#   xl reads %ld from %s", n, text);
		CHECK(forms[i].get != NUM || same_number(dc, forms[i].key, n));
		xk_domcfg_free(dc);
	}
}

/* A key xenkit maps without a documented form here is a gap. */
TEST(every_mapped_key_has_forms)
{
	for (const char *const *k = xk_domcfg_key_order(); *k != NULL; k++) {
		size_t i = 0;

		while (i < NFORMS && strcmp(forms[i].key, *k) != 0)
			i++;
		if (i == NFORMS)
			printf("#   no documented form for '%s'\n", *k);
		CHECK(i < NFORMS);
	}
}

static struct xk_domcfg *
load(const char *text, struct xk_error *e)
{
	struct xlcfg *cfg = xlcfg_parse("f.cfg", text, strlen(text), e);

	return cfg != NULL ? xk_domcfg_from_xlcfg(cfg, e) : NULL;
}

/* Every group libxl knows is accepted, with '!' too; others are not. */
TEST(viridian_groups_as_libxl)
{
	char text[256];
	struct xk_error e = { 0 };
	struct xk_domcfg *dc;
	int n = 0;

	for (int g = 0; g < 64; g++) {
		const char *name = libxl_viridian_enlightenment_to_string(g);

		if (name == NULL)
			continue;
		n++;
		snprintf(text, sizeof(text), "viridian = [\"%s\", \"!%s\"]\n",
		    name, name);
		dc = load(text, &e);
		if (dc == NULL)
			printf("#   %s\n", e.msg);
		CHECK(dc != NULL);
		CHECK_INT_EQ(dc->viridian_groups.n, 2);
		xk_domcfg_free(dc);
	}
	CHECK(n >= 13);
	dc = load("viridian = [\"defaults\"]\n", &e);
	CHECK(dc != NULL);
	CHECK_INT_EQ(dc->viridian, 1);
	xk_domcfg_free(dc);
	dc = load("viridian = [\"all\", \"!freq\"]\n", &e);
	CHECK(dc != NULL);
	CHECK_INT_EQ(dc->viridian, XK_UNSET);
	xk_domcfg_free(dc);
	CHECK(load("viridian = [\"base\", \"turbo\"]\n", &e) == NULL);
	CHECK_STR_HAS(e.msg, "f.cfg:1:21: viridian: unknown enlightenment "
	    "group 'turbo'");
	/* xl tests '!' only before a group name */
	CHECK(load("viridian = [\"!defaults\"]\n", &e) == NULL);
	CHECK(load("viridian = [[\"base\"]]\n", &e) == NULL);
}
