/*
 * t3102-ova - OVA written by xenkit read back, and hostile OVAs refused:
 * corrupt disks and descriptors (manifest digests, wherever the manifest
 * sits), path traversal, unexpected, duplicate and missing members,
 * DTDs, hrefs that are paths, huge declared sizes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/domcfg.h"
#include "formats/disk.h"
#include "formats/ovf.h"
#include "formats/tar.h"
#include "formats/vmmodel.h"
#include "harness.h"
#include "xva-validate.h"

#define MiB (1024ull * 1024)

static char *
tpath(const char *name)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%s", xk_test_tmpdir(), name) < 0)
		abort();
	return p;
}

static int
make_disk(const char *path, uint64_t size, uint64_t at)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	char buf[4096];
	int rc = 0;

	if (fd < 0)
		return -1;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 7 + 1);
	if (ftruncate(fd, (off_t)size) < 0 ||
	    pwrite(fd, buf, sizeof(buf), (off_t)at) != (ssize_t)sizeof(buf))
		rc = -1;
	close(fd);
	return rc;
}

/* An OVA of a one-disk VM, written through the library. */
static char *
good_ova(void)
{
	char *disk = tpath("d.img"), *cfg = tpath("vm.cfg"), *ova =
	    tpath("vm.ova"), *text = NULL;
	struct xk_error err = { 0 };
	struct xk_domcfg *dc = NULL;
	struct xk_vm_disk vd[2];
	struct xk_vm_opts o = { false, NULL, 0 };
	struct xk_ova_disk od[1];
	struct xk_xv *rec = NULL;
	FILE *f;
	int rc = -1;

	memset(vd, 0, sizeof(vd));
	memset(od, 0, sizeof(od));
	if (make_disk(disk, 3 * MiB, MiB) < 0 ||
	    asprintf(&text, "name = \"o\"\ntype = \"hvm\"\nmemory = 128\n"
	    "disk = [ 'format=raw, vdev=xvda, access=rw, target=%s' ]\n",
	    disk) < 0 || (f = fopen(cfg, "w")) == NULL)
		goto out;
	fputs(text, f);
	fclose(f);
	dc = xk_domcfg_load(cfg, &err);
	if (dc == NULL)
		goto out;
	od[0].src = xk_disk_src_open(disk, XK_IMG_RAW, &err);
	if (od[0].src == NULL)
		goto out;
	vd[0].size = xk_disk_src_size(od[0].src);
	rec = xk_vm_to_ova(dc, vd, &o, NULL, &err);
	if (rec == NULL)
		goto out;
	od[0].disk = &dc->disks[0];
	od[0].ref = vd[0].ref;
	rc = xk_ova_write(ova, rec, od, 1, XK_IMG_VHD, NULL, &err);
out:
	if (rc < 0)
		fprintf(stderr, "# good_ova: %s\n", err.msg);
	xk_disk_src_close(od[0].src);
	xk_xv_free(rec);
	xk_domcfg_free(dc);
	free(disk);
	free(cfg);
	free(text);
	if (rc < 0) {
		free(ova);
		return NULL;
	}
	return ova;
}

static int
read_ova(const char *path, struct xk_error *err)
{
	struct xk_ovf *ovf = NULL;
	int rc = xk_ova_read(path, NULL, NULL, &ovf, err);

	if (rc == 0) {
		for (size_t i = 0; i < ovf->nfiles; i++)
			if (ovf->files[i].vdi_ref != NULL &&
			    ovf->files[i].want == NULL) {
				xk_error_set(err, "unverified %s",
				    ovf->files[i].href);
				rc = -1;
			}
	}
	xk_ovf_free(ovf);
	return rc;
}

TEST(written_ova_reads_back_verified)
{
	char *ova = good_ova();
	struct tar_member *m;
	struct xk_error err = { 0 };
	char msg[256];
	size_t n;

	CHECK(ova != NULL);
	CHECK_INT_EQ(tar_load(ova, &m, &n, msg, sizeof(msg)), 0);
	CHECK_INT_EQ(n, 3);
	CHECK_STR_EQ(m[0].name, "o.ovf");
	CHECK_STR_EQ(m[1].name, "o.mf");
	CHECK_STR_EQ(m[2].name, "o-disk0.vhd");
	CHECK_STR_HAS((char *)m[1].data, "SHA256(o-disk0.vhd)= ");
	tar_members_free(m, n);
	if (read_ova(ova, &err) < 0)
		fprintf(stderr, "# %s\n", err.msg);
	CHECK_INT_EQ(read_ova(ova, &err), 0);
	free(ova);
}

static void
o_disk(struct tar_member *m, size_t *n)
{
	(void)n;
	m[2].data[600] ^= 0x40;
}

static void
o_desc(struct tar_member *m, size_t *n)
{
	char *p = strstr((char *)m[0].data, "A virtual machine");

	(void)n;
	if (p != NULL)
		*p = 'B';
}

static void
o_traversal(struct tar_member *m, size_t *n)
{
	(void)n;
	strcpy(m[2].name, "../o-disk0.vhd");
}

static void
o_absolute(struct tar_member *m, size_t *n)
{
	(void)n;
	strcpy(m[2].name, "/tmp/o-disk0.vhd");
}

static void
o_extra(struct tar_member *m, size_t *n)
{
	m[*n] = m[1];
	m[*n].data = (unsigned char *)strdup("#!/bin/sh\n");
	m[*n].len = 10;
	strcpy(m[*n].name, "evil.sh");
	(*n)++;
}

static void
o_missing(struct tar_member *m, size_t *n)
{
	free(m[2].data);
	(*n)--;
}

static void
o_mf_first(struct tar_member *m, size_t *n)
{
	struct tar_member t = m[0];

	(void)n;
	m[0] = m[1];
	m[1] = t;
}

static void
o_dup(struct tar_member *m, size_t *n)
{
	m[*n] = m[2];
	m[*n].data = malloc(m[2].len);
	memcpy(m[*n].data, m[2].data, m[2].len);
	(*n)++;
}

/* The manifest last: a corrupt disk is still caught. */
static void
o_mf_last_corrupt(struct tar_member *m, size_t *n)
{
	struct tar_member t = m[1];

	(void)n;
	m[1] = m[2];
	m[2] = t;
	m[1].data[600] ^= 0x40;
}

static void
o_dtd(struct tar_member *m, size_t *n)
{
	static const char bomb[] = "<?xml version=\"1.0\"?><!DOCTYPE Envelope "
	    "[<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]>"
	    "<Envelope>&b;</Envelope>";

	(void)n;
	free(m[0].data);
	m[0].data = (unsigned char *)strdup(bomb);
	m[0].len = strlen(bomb);
}

static void
o_href(struct tar_member *m, size_t *n)
{
	char *s = (char *)m[0].data, *p = strstr(s, "ovf:href=\"o-disk0.vhd\"");
	char *ns;

	(void)n;
	if (p == NULL)
		return;
	ns = malloc(m[0].len + 32);
	memcpy(ns, s, (size_t)(p - s));
	strcpy(ns + (p - s), "ovf:href=\"../../etc/passwd\"");
	strcat(ns, p + strlen("ovf:href=\"o-disk0.vhd\""));
	free(m[0].data);
	m[0].data = (unsigned char *)ns;
	m[0].len = strlen(ns);
}

struct breaker {
	const char *name;
	void (*fn)(struct tar_member *, size_t *);
	const char *why;
};

TEST(hostile_ovas_refused)
{
	static const struct breaker b[] = {
		{ "corrupt disk", o_disk, "o-disk0.vhd: SHA256 mismatch: "
		    "the manifest says " },
		{ "corrupt descriptor", o_desc, "o.ovf: SHA256 mismatch: "
		    "the manifest says " },
		{ "path traversal", o_traversal, "'..' refused" },
		{ "absolute path", o_absolute, "absolute path" },
		{ "unexpected member", o_extra, "unexpected member 'evil.sh'" },
		{ "missing disk", o_missing, "o-disk0.vhd is missing" },
		{ "manifest first", o_mf_first, "not the OVF descriptor" },
		{ "duplicate member", o_dup, "appears twice" },
		{ "manifest last, corrupt disk", o_mf_last_corrupt,
		    "SHA256 mismatch" },
		{ "DTD", o_dtd, "DTDs and entity declarations" },
		{ "href is a path", o_href, "not a plain file name" },
	};

	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++) {
		struct tar_member *m;
		struct xk_error err = { 0 };
		char msg[256], *ova = good_ova(), *bad = tpath("bad.ova");
		size_t n;

		CHECK(ova != NULL);
		CHECK_INT_EQ(tar_load(ova, &m, &n, msg, sizeof(msg)), 0);
		m = realloc(m, (n + 2) * sizeof(*m));
		CHECK(m != NULL);
		b[i].fn(m, &n);
		CHECK_INT_EQ(tar_store(bad, m, n), 0);
		tar_members_free(m, n);
		if (read_ova(bad, &err) == 0 || strstr(err.msg, b[i].why) ==
		    NULL)
			fprintf(stderr, "# %s: got \"%s\"\n", b[i].name,
			    err.msg);
		CHECK_INT_EQ(read_ova(bad, &err), -1);
		CHECK_STR_HAS(err.msg, b[i].why);
		free(ova);
		free(bad);
	}
}

TEST(huge_declared_descriptor_refused)
{
	char *bad = tpath("huge.ova");
	unsigned char hdr[512];
	struct xk_error err = { 0 };
	int fd = open(bad, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	CHECK(fd >= 0);
	CHECK_INT_EQ(xk_tar_header(hdr, "x.ovf", 1ULL << 34), 0);
	CHECK(write(fd, hdr, 512) == 512);
	close(fd);
	CHECK_INT_EQ(read_ova(bad, &err), -1);
	CHECK_STR_HAS(err.msg, "declared size");
	free(bad);
}

TEST(descriptor_without_system_refused)
{
	static const char desc[] = "<Envelope><References><File id=\"f\" "
	    "href=\"d.vhd\"/></References></Envelope>";
	struct xk_error err = { 0 };
	struct xk_ovf *o = xk_ovf_parse("t.ovf", desc, strlen(desc), &err);

	/* no VirtualSystem: refused */
	CHECK(o == NULL);
	CHECK_STR_HAS(err.msg, "no VirtualSystem");
}
