/*
 * t3100-xva - XVA export and import at the library level.
 *
 * Every XVA xenkit writes passes the strict validator (xva-validate.c);
 * hand-broken XVAs fail it for the right reason; the stream reader
 * refuses corrupt, truncated and hostile archives naming disk and
 * chunk, rebuilds offsets around keep-alive chunks and gaps, and reads
 * gzip and zstd archives.  The xl.cfg model survives the round trip.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <zlib.h>
#include <zstd.h>

#include "config/domcfg.h"
#include "config/domcfg_json.h"
#include "formats/disk.h"
#include "formats/tar.h"
#include "formats/vmmodel.h"
#include "formats/xva.h"
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

/* A sparse raw disk of size bytes with a byte pattern in [s, s+len). */
static int
make_disk(const char *path, uint64_t size, uint64_t s, size_t len, int seed)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	unsigned char *buf = malloc(len + 1);
	int rc = 0;

	if (fd < 0 || buf == NULL)
		return -1;
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)((i * 131 + (size_t)seed) | 1);
	if (ftruncate(fd, (off_t)size) < 0 ||
	    (len > 0 && pwrite(fd, buf, len, (off_t)s) != (ssize_t)len))
		rc = -1;
	close(fd);
	free(buf);
	return rc;
}

static int
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* Export cfg (a file) to xva the way `xk export` does. */
static int
export_cfg(const char *cfg, const char *xva, enum xk_xva_sum sum,
    struct xk_error *err)
{
	struct xk_domcfg *dc = xk_domcfg_load(cfg, err);
	struct xk_vm_opts o = { false, NULL, 0 };
	struct xk_vm_disk vd[16];
	struct xk_xva_wdisk wd[16];
	struct xk_notes w = { NULL, 0 };
	struct xk_xv *ova = NULL;
	size_t n = 0;
	int fd = -1, rc = -1;

	memset(wd, 0, sizeof(wd));
	memset(vd, 0, sizeof(vd));
	if (dc == NULL)
		return -1;
	for (size_t i = 0; i < dc->ndisks && i < 16; i++) {
		if (!xk_vm_disk_exported(&dc->disks[i]))
			continue;
		wd[n].src = xk_disk_src_open(dc->disks[i].target, XK_IMG_RAW,
		    err);
		if (wd[n].src == NULL)
			goto out;
		vd[i].size = xk_disk_src_size(wd[n].src);
		vd[i].allocated = vd[i].size;
		n++;
	}
	ova = xk_vm_to_ova(dc, vd, &o, &w, err);
	if (ova == NULL)
		goto out;
	for (size_t i = 0, k = 0; i < dc->ndisks; i++)
		if (vd[i].ref[0] != '\0')
			wd[k++].ref = vd[i].ref;
	fd = open(xva, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		goto out;
	rc = xk_xva_write(fd, xva, ova, wd, n, sum, NULL, err);
out:
	if (fd >= 0)
		close(fd);
	for (size_t i = 0; i < n; i++)
		xk_disk_src_close(wd[i].src);
	xk_xv_free(ova);
	xk_notes_free(&w);
	xk_domcfg_free(dc);
	return rc;
}

/* A two-disk VM in the test's directory; returns the XVA path. */
static char *
good_xva(enum xk_xva_sum sum)
{
	char *a = tpath("a.img"), *b = tpath("b.img"), *cfg = tpath("vm.cfg");
	char *xva = tpath("vm.xva"), *text = NULL;
	struct xk_error err = { 0 };

	if (make_disk(a, 5 * MiB + 512, 2 * MiB + 7, 100000, 1) < 0 ||
	    make_disk(b, 3 * MiB, 0, 10, 2) < 0 ||
	    asprintf(&text, "name = \"t\"\ntype = \"hvm\"\nmemory = 256\n"
	    "disk = [ 'format=raw, vdev=xvda, access=rw, target=%s',\n"
	    "  'format=raw, vdev=xvdb, access=ro, target=%s' ]\n"
	    "vif = [ 'mac=00:16:3e:00:00:01, bridge=xenbr0' ]\n", a, b) < 0 ||
	    write_text(cfg, text) < 0 || export_cfg(cfg, xva, sum, &err) < 0) {
		fprintf(stderr, "good_xva: %s\n", err.msg);
		free(xva);
		xva = NULL;
	}
	free(text);
	free(a);
	free(b);
	free(cfg);
	return xva;
}

TEST(checksum_vectors)
{
	unsigned char *zero = calloc(1, MiB);
	char out[41];

	CHECK(zero != NULL);
	CHECK_INT_EQ(xk_xva_checksum(XK_XVA_SHA1, zero, MiB, out), 0);
	CHECK_STR_EQ(out, "3b71f43ff30f4b15b5cd85dd9e95ebc7e84eb5a3");
	xk_xva_checksum(XK_XVA_XXHASH, zero, MiB, out);
	CHECK_STR_EQ(out, "87D2A1B6E1163EF1");
	xk_xva_checksum(XK_XVA_XXHASH, "", 0, out);
	CHECK_STR_EQ(out, "EF46DB3751D8E999");
	xk_xva_checksum(XK_XVA_XXHASH, "abc", 3, out);
	CHECK_STR_EQ(out, "44BC2CF5AD770999");
	free(zero);
}

TEST(written_xva_passes_validator)
{
	char msg[512] = "";
	char *xva = good_xva(XK_XVA_SHA1);

	CHECK(xva != NULL);
	if (xva_validate(xva, msg, sizeof(msg)) != 0)
		fprintf(stderr, "validator: %s\n", msg);
	CHECK_INT_EQ(xva_validate(xva, msg, sizeof(msg)), 0);
	free(xva);
	xva = good_xva(XK_XVA_XXHASH);
	CHECK(xva != NULL);
	CHECK_INT_EQ(xva_validate(xva, msg, sizeof(msg)), 0);
	free(xva);
}

TEST(written_xva_layout)
{
	struct tar_member *m;
	char msg[256];
	size_t n;
	char *xva = good_xva(XK_XVA_SHA1);

	CHECK(xva != NULL);
	CHECK_INT_EQ(tar_load(xva, &m, &n, msg, sizeof(msg)), 0);
	/* a: 6 chunks, data in chunk 2 only: 0, 2, 5; b: 3 chunks: 0, 2 */
	CHECK_INT_EQ(n, 1 + 2 * 3 + 2 * 2);
	CHECK_STR_EQ(m[0].name, "ova.xml");
	CHECK_STR_EQ(m[1].name, "Ref:001/00000000");
	CHECK_STR_EQ(m[2].name, "Ref:001/00000000.checksum");
	CHECK_STR_EQ(m[3].name, "Ref:001/00000002");
	CHECK_STR_EQ(m[5].name, "Ref:001/00000005");
	CHECK_INT_EQ(m[5].len, 512);
	CHECK_STR_EQ(m[7].name, "Ref:002/00000000");
	CHECK_STR_EQ(m[9].name, "Ref:002/00000002");
	tar_members_free(m, n);
	free(xva);
}

/* Load the good XVA, let fn break it, store it; NULL on failure. */
static char *
broken(void (*fn)(struct tar_member *m, size_t *n))
{
	struct tar_member *m;
	char msg[256], *xva = good_xva(XK_XVA_SHA1), *out = tpath("bad.xva");
	size_t n;

	if (xva == NULL || tar_load(xva, &m, &n, msg, sizeof(msg)) < 0) {
		free(xva);
		free(out);
		return NULL;
	}
	fn(m, &n);
	if (tar_store(out, m, n) < 0) {
		free(out);
		out = NULL;
	}
	tar_members_free(m, n);
	free(xva);
	return out;
}

static void
drop(struct tar_member *m, size_t *n, size_t i)
{
	free(m[i].data);
	memmove(&m[i], &m[i + 1], (*n - i - 1) * sizeof(*m));
	(*n)--;
}

static void
swap(struct tar_member *m, size_t i, size_t j)
{
	struct tar_member t = m[i];

	m[i] = m[j];
	m[j] = t;
}

/* Replace the first "from" in ova.xml by "to". */
static void
edit_xml(struct tar_member *m, const char *from, const char *to)
{
	char *s = (char *)m[0].data, *p, *ns;
	size_t fl = strlen(from), tl = strlen(to);

	m[0].data[m[0].len] = '\0';
	p = strstr(s, from);
	if (p == NULL)
		return;
	ns = malloc(m[0].len - fl + tl + 1);
	memcpy(ns, s, (size_t)(p - s));
	memcpy(ns + (p - s), to, tl);
	memcpy(ns + (p - s) + tl, p + fl, m[0].len - (size_t)(p - s) - fl);
	m[0].len = m[0].len - fl + tl;
	ns[m[0].len] = '\0';
	free(m[0].data);
	m[0].data = (unsigned char *)ns;
}

static void
b_order(struct tar_member *m, size_t *n)
{
	(void)n;
	swap(m, 0, 1);
}
static void
b_dotslash(struct tar_member *m, size_t *n)
{
	(void)n;
	strcpy(m[0].name, "./ova.xml");
}
static void
b_chunk0(struct tar_member *m, size_t *n)
{
	drop(m, n, 1);
	drop(m, n, 1);
}
static void
b_sumorder(struct tar_member *m, size_t *n)
{
	(void)n;
	swap(m, 3, 4);
}

static void
b_data(struct tar_member *m, size_t *n)
{
	(void)n;
	m[3].data[5] ^= 1;
}
static void
b_upper(struct tar_member *m, size_t *n)
{
	(void)n;
	for (size_t i = 0; i < m[2].len; i++)
		if (m[2].data[i] >= 'a' && m[2].data[i] <= 'f')
			m[2].data[i] = (unsigned char)(m[2].data[i] - 32);
}
static void
b_short(struct tar_member *m, size_t *n)
{
	char sum[41];

	(void)n;
	m[3].len = 1000;
	xk_xva_checksum(XK_XVA_SHA1, m[3].data, 1000, sum);
	memcpy(m[4].data, sum, 40);
}
static void
b_last(struct tar_member *m, size_t *n)
{
	drop(m, n, 5);
	drop(m, n, 5);
}
static void
b_field(struct tar_member *m, size_t *n)
{
	(void)n;
	edit_xml(m, "<member><name>PV_legacy_args</name><value/></member>",
	    "");
}
static void
b_bool(struct tar_member *m, size_t *n)
{
	(void)n;
	edit_xml(m, "<name>is_a_template</name><value><boolean>0</boolean>"
	    "</value>", "<name>is_a_template</name><value>0</value>");
}
static void
b_version(struct tar_member *m, size_t *n)
{
	(void)n;
	edit_xml(m, "<name>xapi_minor</name><value>1</value>",
	    "<name>xapi_minor</name><value>21</value>");
}
static void
b_vsn(struct tar_member *m, size_t *n)
{
	(void)n;
	edit_xml(m, "<name>export_vsn</name><value>2</value>",
	    "<name>export_vsn</name><value>1</value>");
}
static void
b_vdiorder(struct tar_member *m, size_t *n)
{
	struct tar_member t[4];

	(void)n;
	/* Ref:001 has 6 members (1..6), Ref:002 four (7..10) */
	memcpy(t, &m[7], sizeof(t));
	memmove(&m[5], &m[1], 6 * sizeof(*m));
	memcpy(&m[1], t, sizeof(t));
}
static void
b_dir(struct tar_member *m, size_t *n)
{
	memmove(&m[2], &m[1], (*n - 1) * sizeof(*m));
	(*n)++;
	memset(&m[1], 0, sizeof(m[1]));
	strcpy(m[1].name, "Ref:001/");
	m[1].type = '5';
	m[1].data = malloc(1);
	/* the displaced member 1 data is still owned by m[2] */
}
static void
b_memory(struct tar_member *m, size_t *n)
{
	(void)n;
	edit_xml(m, "<name>memory_dynamic_max</name><value>268435456</value>",
	    "<name>memory_dynamic_max</name><value>968435456</value>");
}
static void
b_ref(struct tar_member *m, size_t *n)
{
	(void)n;
	edit_xml(m, "<name>VDI</name><value>Ref:002</value>",
	    "<name>VDI</name><value>Ref:077</value>");
}
static void
b_dup(struct tar_member *m, size_t *n)
{
	/* chunk 2 of Ref:001 once more, after itself */
	struct tar_member c = m[3], s = m[4];

	c.data = malloc(c.len + 1);
	memcpy(c.data, m[3].data, c.len);
	s.data = malloc(s.len + 1);
	memcpy(s.data, m[4].data, s.len);
	memmove(&m[7], &m[5], (*n - 5) * sizeof(*m));
	m[5] = c;
	m[6] = s;
	*n += 2;
}
static void
b_pax(struct tar_member *m, size_t *n)
{
	memmove(&m[1], &m[0], *n * sizeof(*m));
	(*n)++;
	memset(&m[0], 0, sizeof(m[0]));
	strcpy(m[0].name, "PaxHeaders/ova.xml");
	m[0].type = 'x';
	m[0].data = (unsigned char *)strdup("17 path=ova.xml\n");
	m[0].len = 16;
}

/* Room for the members the breakers add. */
static struct tar_member *
roomy(struct tar_member *m, size_t n)
{
	return realloc(m, (n + 4) * sizeof(*m));
}

struct breaker {
	const char *name;
	void (*fn)(struct tar_member *, size_t *);
	const char *why;
};

TEST(validator_rejects_broken_xvas)
{
	static const struct breaker b[] = {
		{ "ova.xml not first", b_order, "first member" },
		{ "./ova.xml", b_dotslash, "first member" },
		{ "no chunk 0", b_chunk0, "chunk 0 missing" },
		{ "checksum before chunk", b_sumorder, "checksum before its "
		    "chunk" },
		{ "corrupt data", b_data, "checksum mismatch" },
		{ "uppercase sha1", b_upper, "lowercase hex" },
		{ "short chunk", b_short, "only the last" },
		{ "no last chunk", b_last, "last chunk missing" },
		{ "missing field", b_field, "required field PV_legacy_args" },
		{ "bare boolean", b_bool, "is_a_template must be <boolean>" },
		{ "version too new", b_version, "xapi 1.x" },
		{ "export_vsn 1", b_vsn, "export_vsn 2" },
		{ "VDIs out of order", b_vdiorder, "lexicographic" },
		{ "directory entry", b_dir, "not a regular file" },
		{ "memory order", b_memory, "static_min <= dynamic_min" },
		{ "dangling VDI", b_ref, "neither OpaqueRef:NULL" },
		{ "duplicate chunk", b_dup, "must increase" },
		{ "pax header", b_pax, "first member" },
	};

	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++) {
		struct tar_member *m;
		char msg[512] = "", *xva = good_xva(XK_XVA_SHA1);
		char *out = tpath("bad.xva");
		size_t n;

		CHECK(xva != NULL);
		CHECK_INT_EQ(tar_load(xva, &m, &n, msg, sizeof(msg)), 0);
		m = roomy(m, n);
		CHECK(m != NULL);
		b[i].fn(m, &n);
		CHECK_INT_EQ(tar_store(out, m, n), 0);
		tar_members_free(m, n);
		if (xva_validate(out, msg, sizeof(msg)) == 0 ||
		    strstr(msg, b[i].why) == NULL)
			fprintf(stderr, "# %s: got \"%s\"\n", b[i].name, msg);
		CHECK_INT_EQ(xva_validate(out, msg, sizeof(msg)), -1);
		CHECK_STR_HAS(msg, b[i].why);
		free(xva);
		free(out);
	}
	(void)broken;
}

/* Read an XVA to the end; err holds why it failed. */
struct collect {
	int fd;
};

static int
collect_data(void *arg, struct xk_xva_vdi *vdi, uint64_t off,
    const void *buf, size_t len, struct xk_error *err)
{
	struct collect *c = arg;

	(void)vdi;
	if (pwrite(c->fd, buf, len, (off_t)off) != (ssize_t)len) {
		xk_error_errno(err, errno, "collect");
		return -1;
	}
	return 0;
}

static int
read_all(const char *path, const char *out, struct xk_error *err)
{
	struct xk_xva_reader *r = xk_xva_open(path, err);
	struct collect c = { -1 };
	struct xk_xva_sink sink = { &c, collect_data };
	int rc;

	if (r == NULL)
		return -1;
	c.fd = out ? open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644) : -1;
	rc = xk_xva_read_disks(r, out ? &sink : NULL, err);
	if (c.fd >= 0)
		close(c.fd);
	xk_xva_close(r);
	return rc;
}

TEST(reader_refuses_broken_archives)
{
	static const struct breaker b[] = {
		{ "corrupt data", b_data, "disk Ref:001: chunk 2: SHA1 "
		    "mismatch" },
		{ "no chunk 0", b_chunk0, "disk Ref:001: chunk 0 is missing" },
		{ "duplicate chunk", b_dup, "disk Ref:001: chunk 2 after "
		    "chunk 2" },
		{ "ova.xml not first", b_order, "not ova.xml" },
		{ "checksum first", b_sumorder, "does not follow its chunk" },
		{ "short chunk", b_short, "only a disk's last chunk" },
		{ "no last chunk", b_last, "disk Ref:001: truncated" },
		{ "dangling VDI", b_ref, "" },
	};

	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++) {
		struct tar_member *m;
		struct xk_error err = { 0 };
		char msg[512] = "", *xva = good_xva(XK_XVA_SHA1);
		char *out = tpath("bad.xva");
		size_t n;

		CHECK(xva != NULL);
		CHECK_INT_EQ(tar_load(xva, &m, &n, msg, sizeof(msg)), 0);
		m = roomy(m, n);
		b[i].fn(m, &n);
		CHECK_INT_EQ(tar_store(out, m, n), 0);
		tar_members_free(m, n);
		if (*b[i].why == '\0') {
			/* the reader itself accepts it: the import refuses */
			free(xva);
			free(out);
			continue;
		}
		if (read_all(out, NULL, &err) == 0 ||
		    strstr(err.msg, b[i].why) == NULL)
			fprintf(stderr, "# %s: got \"%s\"\n", b[i].name,
			    err.msg);
		CHECK_INT_EQ(read_all(out, NULL, &err), -1);
		CHECK_STR_HAS(err.msg, b[i].why);
		free(xva);
		free(out);
	}
}

TEST(reader_refuses_truncation)
{
	char *xva = good_xva(XK_XVA_SHA1);
	struct xk_error err = { 0 };
	struct stat st;

	CHECK(xva != NULL);
	CHECK_INT_EQ(stat(xva, &st), 0);
	/* in the middle of Ref:001's chunk 2 */
	CHECK_INT_EQ(truncate(xva, st.st_size / 2 - 300000), 0);
	CHECK_INT_EQ(read_all(xva, NULL, &err), -1);
	CHECK_STR_HAS(err.msg, "disk Ref:001");
	CHECK_STR_HAS(err.msg, "chunk 2");
	/* at a member boundary: the last disk is incomplete */
	CHECK_INT_EQ(truncate(xva, 512 + 28672), 0);
	CHECK_INT_EQ(read_all(xva, NULL, &err), -1);
	free(xva);
}

/* Build an archive from (name, data, len) triples with our writer. */
struct member {
	const char *name;
	const void *data;
	size_t len;
};

static const char *
tiny_ova(uint64_t size)
{
	static char buf[2048];

	snprintf(buf, sizeof(buf), "<value><struct>"
	    "<member><name>version</name><value><struct></struct></value>"
	    "</member><member><name>objects</name><value><array><data>"
	    "<value><struct><member><name>class</name><value>VDI</value>"
	    "</member><member><name>id</name><value>Ref:1</value></member>"
	    "<member><name>snapshot</name><value><struct><member><name>"
	    "virtual_size</name><value>%llu</value></member></struct>"
	    "</value></member></struct></value></data></array></value>"
	    "</member></struct></value>", (unsigned long long)size);
	return buf;
}

static int
build(const char *path, const struct member *m, size_t n, bool sums)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	struct xk_error err = { 0 };
	struct xk_tarw *tw = xk_tarw_new(fd, path, &err);
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		char name[128], sum[41];

		rc = xk_tarw_add(tw, m[i].name, m[i].data, m[i].len, &err);
		if (rc == 0 && sums && strcmp(m[i].name, "ova.xml") != 0) {
			snprintf(name, sizeof(name), "%s.xxhash", m[i].name);
			xk_xva_checksum(XK_XVA_XXHASH, m[i].data, m[i].len,
			    sum);
			rc = xk_tarw_add(tw, name, sum, 16, &err);
		}
	}
	if (rc == 0)
		rc = xk_tarw_finish(tw, &err);
	xk_tarw_free(tw);
	close(fd);
	return rc;
}

TEST(keepalive_and_gaps_rebuild_offsets)
{
	unsigned char *a = malloc(MiB), *c = malloc(MiB), *img;
	char *xva = tpath("k.xva"), *out = tpath("k.img");
	const char *ova = tiny_ova(3 * MiB + 5);
	struct member m[] = {
		{ "ova.xml", ova, strlen(ova) },
		{ "Ref:1/00000000", a, MiB },
		{ "Ref:1/00000001", "", 0 },		/* keep-alive */
		{ "Ref:1/00000003", c, MiB },		/* gap: chunk 2 */
		{ "Ref:1/00000004", "tail!", 5 },
	};
	struct xk_error err = { 0 };
	int fd;

	CHECK(a != NULL && c != NULL);
	memset(a, 'A', MiB);
	memset(c, 'C', MiB);
	CHECK_INT_EQ(build(xva, m, 5, true), 0);
	if (read_all(xva, out, &err) < 0)
		fprintf(stderr, "# %s\n", err.msg);
	CHECK_INT_EQ(read_all(xva, out, &err), 0);
	img = malloc(3 * MiB + 5);
	fd = open(out, O_RDONLY);
	CHECK(fd >= 0);
	memset(img, 0, 3 * MiB + 5);
	CHECK(pread(fd, img, 3 * MiB + 5, 0) > 0);
	close(fd);
	/* sequential offsets: A at 0, zeros at 1 MiB, C at 2 MiB */
	CHECK(img[0] == 'A' && img[MiB - 1] == 'A');
	CHECK(img[MiB] == 0 && img[2 * MiB - 1] == 0);
	CHECK(img[2 * MiB] == 'C' && img[3 * MiB - 1] == 'C');
	CHECK(memcmp(img + 3 * MiB, "tail!", 5) == 0);
	free(img);
	free(a);
	free(c);
	free(xva);
	free(out);
}

/* Write two 40 MiB members (past the 32 MiB write-behind window). */
static int
write_big(int fd, const unsigned char *data)
{
	struct xk_error err = { 0 };
	struct xk_tarw *tw = xk_tarw_new(fd, "big", &err);
	int rc = tw == NULL ? -1 : 0;

	if (rc == 0)
		rc = xk_tarw_add(tw, "one", data, 40 * MiB, &err);
	if (rc == 0)
		rc = xk_tarw_add(tw, "two", data + 1, 40 * MiB - 1, &err);
	if (rc == 0)
		rc = xk_tarw_finish(tw, &err);
	if (rc < 0)
		fprintf(stderr, "# %s\n", err.msg);
	xk_tarw_free(tw);
	return rc;
}

/*
 * Archives past the writeback window come out the same written to a
 * file (where writeback is started as it goes) and through a pipe
 * (where it cannot be): byte for byte, at the length ustar says.
 */
TEST(tar_past_write_behind_window_file_and_pipe)
{
	unsigned char *data = malloc(40 * MiB), *a = NULL, *b = NULL;
	char *fa = tpath("big-a.tar"), *fb = tpath("big-b.tar");
	size_t want = 512 + 40 * MiB + 512 + 40 * MiB + 1024;
	int fd, pfd[2], st;
	struct stat sa;
	pid_t pid;

	CHECK(data != NULL);
	for (size_t i = 0; i < 40 * MiB; i++)
		data[i] = (unsigned char)(i * 2654435761u >> 13);
	fd = open(fa, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK_INT_EQ(write_big(fd, data), 0);
	close(fd);
	CHECK(pipe(pfd) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		/* the child drains the pipe into fb */
		char buf[65536];
		ssize_t n;
		int out = open(fb, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		close(pfd[1]);
		while ((n = read(pfd[0], buf, sizeof(buf))) > 0)
			if (out < 0 || write(out, buf, (size_t)n) != n)
				_exit(1);
		_exit(n == 0 && close(out) == 0 ? 0 : 1);
	}
	close(pfd[0]);
	CHECK_INT_EQ(write_big(pfd[1], data), 0);
	close(pfd[1]);
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(stat(fa, &sa) == 0);
	CHECK_INT_EQ((long long)sa.st_size, (long long)want);
	a = malloc(want);
	b = malloc(want);
	CHECK(a != NULL && b != NULL);
	fd = open(fa, O_RDONLY);
	CHECK(fd >= 0 && pread(fd, a, want, 0) == (ssize_t)want);
	close(fd);
	fd = open(fb, O_RDONLY);
	CHECK(fd >= 0 && pread(fd, b, want, 0) == (ssize_t)want);
	close(fd);
	CHECK(memcmp(a, b, want) == 0);
	CHECK(memcmp(a + 512, data, 40 * MiB) == 0);
	unlink(fa);
	unlink(fb);
	free(a);
	free(b);
	free(data);
	free(fa);
	free(fb);
}

TEST(reader_refuses_hostile_members)
{
	const char *ova = tiny_ova(MiB);
	static const char *const names[][2] = {
		{ "../etc/passwd", "absolute path or '..'" },
		{ "/etc/passwd", "absolute path or '..'" },
		{ "Ref:1/../../x", "absolute path or '..'" },
		{ "Ref:1/00000000.sha256", "unexpected member" },
		{ "Ref:1/0", "unexpected member" },
		{ "Ref:2/00000000", "no VDI Ref:2 in ova.xml" },
		{ "ova.xml", "unexpected member" },
	};
	char *xva = tpath("h.xva");

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct member m[] = {
			{ "ova.xml", ova, strlen(ova) },
			{ names[i][0], "x", 1 },
		};
		struct xk_error err = { 0 };

		CHECK_INT_EQ(build(xva, m, 2, false), 0);
		CHECK_INT_EQ(read_all(xva, NULL, &err), -1);
		CHECK_STR_HAS(err.msg, names[i][1]);
	}
	free(xva);
}

TEST(reader_refuses_huge_declared_size)
{
	const char *ova = tiny_ova(16 * MiB);
	char *xva = tpath("huge.xva");
	unsigned char hdr[512];
	struct member m[] = { { "ova.xml", ova, strlen(ova) } };
	struct xk_error err = { 0 };
	int fd;

	CHECK_INT_EQ(build(xva, m, 1, false), 0);
	/* replace the end blocks by a chunk declaring 8 GiB, no data */
	CHECK_INT_EQ(xk_tar_header(hdr, "Ref:1/00000000", 1ULL << 33), 0);
	fd = open(xva, O_WRONLY);
	CHECK(fd >= 0);
	CHECK(lseek(fd, -1024, SEEK_END) > 0);
	CHECK(write(fd, hdr, 512) == 512);
	close(fd);
	CHECK_INT_EQ(read_all(xva, NULL, &err), -1);
	CHECK_STR_HAS(err.msg, "declared size");
	/* and an ova.xml declaring 1 GiB */
	CHECK_INT_EQ(xk_tar_header(hdr, "ova.xml", 1ULL << 30), 0);
	fd = open(xva, O_WRONLY | O_TRUNC);
	CHECK(write(fd, hdr, 512) == 512);
	close(fd);
	CHECK(xk_xva_open(xva, &err) == NULL);
	CHECK_STR_HAS(err.msg, "declared size");
	free(xva);
}

TEST(reader_refuses_billion_laughs)
{
	static const char laughs[] = "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE value [<!ENTITY a \"lol\"><!ENTITY b \"&a;&a;&a;&a;"
	    "&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;"
	    "&b;\">]>\n<value>&c;</value>\n";
	static const char external[] = "<!DOCTYPE value [<!ENTITY x SYSTEM "
	    "\"file:///etc/passwd\">]><value>&x;</value>";
	char *xva = tpath("l.xva");
	struct member m[] = { { "ova.xml", laughs, strlen(laughs) } };
	struct xk_error err = { 0 };

	CHECK_INT_EQ(build(xva, m, 1, false), 0);
	CHECK(xk_xva_open(xva, &err) == NULL);
	CHECK_STR_HAS(err.msg, "DTD");
	m[0].data = external;
	m[0].len = strlen(external);
	CHECK_INT_EQ(build(xva, m, 1, false), 0);
	CHECK(xk_xva_open(xva, &err) == NULL);
	CHECK_STR_HAS(err.msg, "DTD");
	free(xva);
}

static int
compress_file(const char *in, const char *out, bool zstd)
{
	FILE *f = fopen(in, "rb");
	struct stat st;
	unsigned char *data, *z;
	size_t zl;
	int rc = -1;

	if (f == NULL || fstat(fileno(f), &st) < 0)
		return -1;
	data = malloc((size_t)st.st_size);
	if (fread(data, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
		goto out;
	if (zstd) {
		FILE *o = fopen(out, "wb");

		zl = ZSTD_compressBound((size_t)st.st_size);
		z = malloc(zl);
		zl = ZSTD_compress(z, zl, data, (size_t)st.st_size, 3);
		if (!ZSTD_isError(zl) && fwrite(z, 1, zl, o) == zl)
			rc = 0;
		free(z);
		fclose(o);
	} else {
		gzFile g = gzopen(out, "wb");

		if (gzwrite(g, data, (unsigned)st.st_size) == st.st_size)
			rc = 0;
		gzclose(g);
	}
out:
	free(data);
	fclose(f);
	return rc;
}

TEST(reads_gzip_and_zstd)
{
	char *xva = good_xva(XK_XVA_XXHASH), *gz = tpath("vm.xva.gz");
	char *zs = tpath("vm.xva.zst");
	struct xk_error err = { 0 };
	struct xk_xva_reader *r;

	CHECK(xva != NULL);
	CHECK_INT_EQ(compress_file(xva, gz, false), 0);
	CHECK_INT_EQ(compress_file(xva, zs, true), 0);
	r = xk_xva_open(gz, &err);
	CHECK(r != NULL);
	CHECK_STR_EQ(r->compression, "gzip");
	CHECK_INT_EQ(xk_xva_read_disks(r, NULL, &err), 0);
	CHECK(xk_xva_vdi(r, "Ref:001")->xxhash);
	CHECK_INT_EQ(xk_xva_vdi(r, "Ref:001")->offset, 5 * MiB + 512);
	xk_xva_close(r);
	r = xk_xva_open(zs, &err);
	CHECK(r != NULL);
	CHECK_STR_EQ(r->compression, "zstd");
	CHECK_INT_EQ(xk_xva_read_disks(r, NULL, &err), 0);
	xk_xva_close(r);
	free(xva);
	free(gz);
	free(zs);
}

/* The typed model as JSON, without what an import legitimately changes. */
static json_t *
model(const struct xk_domcfg *dc)
{
	json_t *j = xk_domcfg_to_json(dc), *d;
	size_t i;

	json_object_del(j, "file");
	json_object_del(j, "settings");
	json_object_del(j, "notes");
	json_array_foreach(json_object_get(j, "disks"), i, d) {
		if (!json_is_true(json_object_get(d, "cdrom"))) {
			/* a new file, so format and backend change */
			json_object_del(d, "target");
			json_object_del(d, "format");
			json_object_del(d, "backendtype");
			json_object_del(d, "deprecated_syntax");
		}
	}
	return j;
}

/* Export text as a config, read the records back, write the xl.cfg. */
static int
model_round_trip(const char *text, bool to_hvm, char **back,
    struct xk_error *err)
{
	char *cfg = tpath("m.cfg");
	struct xk_domcfg *dc;
	struct xk_vm_disk vd[8];
	struct xk_vm_opts o = { to_hvm, NULL, 0 };
	struct xk_notes w = { NULL, 0 };
	struct xk_vm_in in;
	struct strbuf sb = STRBUF_INIT;
	struct xk_xv *ova;
	int rc = -1;

	memset(vd, 0, sizeof(vd));
	if (write_text(cfg, text) < 0 || (dc = xk_domcfg_load(cfg, err)) ==
	    NULL) {
		free(cfg);
		return -1;
	}
	for (size_t i = 0; i < 8; i++)
		vd[i].size = 8 * MiB;
	ova = xk_vm_to_ova(dc, vd, &o, &w, err);
	if (ova != NULL && xk_vm_from_ova(ova, &in, err) == 0) {
		for (size_t i = 0; i < in.ndisks; i++) {
			if (in.disks[i].vdi_ref == NULL)
				continue;
			in.disks[i].target = strdup("/new/disk.img");
			in.disks[i].format = XK_DISK_FORMAT_RAW;
		}
		rc = xk_vm_write_xlcfg(&in, &sb, &w, err);
		xk_vm_in_free(&in);
	}
	*back = rc == 0 ? strbuf_detach(&sb) : NULL;
	strbuf_free(&sb);
	xk_xv_free(ova);
	xk_notes_free(&w);
	xk_domcfg_free(dc);
	free(cfg);
	return rc;
}

static bool
same_model(const char *a, const char *b)
{
	struct xk_error err = { 0 };
	struct xlcfg *ca = xlcfg_parse("a", a, strlen(a), &err);
	struct xlcfg *cb = xlcfg_parse("b", b, strlen(b), &err);
	struct xk_domcfg *da = ca ? xk_domcfg_from_xlcfg(ca, &err) : NULL;
	struct xk_domcfg *db = cb ? xk_domcfg_from_xlcfg(cb, &err) : NULL;
	json_t *ja = da ? model(da) : NULL, *jb = db ? model(db) : NULL;
	char u[37];
	bool same;

	/* a config without uuid gets the one export derives (import
	 * writes it): the rest must be equal */
	if (ja != NULL && da->uuid == NULL && xk_vm_uuid(da, u, &err) == 0)
		json_object_set_new(ja, "uuid", json_string(u));
	same = ja != NULL && jb != NULL && json_equal(ja, jb);

	if (!same && ja && jb) {
		char *sa = json_dumps(ja, JSON_SORT_KEYS | JSON_COMPACT);
		char *sb = json_dumps(jb, JSON_SORT_KEYS | JSON_COMPACT);

		fprintf(stderr, "# before: %s\n# after:  %s\n", sa, sb);
		free(sa);
		free(sb);
	}
	json_decref(ja);
	json_decref(jb);
	xk_domcfg_free(da);
	xk_domcfg_free(db);
	return same;
}

static const char *const model_cfgs[] = {
	"name = \"hvm1\"\nuuid = \"6b3c1b9e-3c1a-4a4e-9d55-8e2f3b1f0a11\"\n"
	"type = \"hvm\"\nmemory = 1024\nmaxmem = 2048\nvcpus = 2\n"
	"maxvcpus = 4\ncpus = \"0-3,^2\"\ncpu_weight = 512\ncap = 50\n"
	"firmware = \"uefi\"\nboot = \"dc\"\nacpi = 1\napic = 1\npae = 1\n"
	"nx = 0\nviridian = 1\nhpet = 0\nstdvga = 1\nvideoram = 16\n"
	"rtc_timeoffset = \"-3600\"\non_poweroff = \"destroy\"\n"
	"on_reboot = \"restart\"\non_crash = \"coredump-restart\"\n"
	"disk = [ 'format=raw, vdev=xvda, access=rw, target=/a.img', "
	"'format=raw, vdev=xvdb, access=ro, target=/b.img', "
	"'/srv/x.iso,raw,hdc,ro,devtype=cdrom' ]\n"
	"vif = [ 'mac=00:16:3e:5a:00:01, bridge=xenbr0, model=e1000', "
	"'bridge=xenbr1, mtu=9000' ]\n"
	"serial = \"pty\"\nvnc = 1\nusbdevice = [ \"tablet\" ]\n"
	"pci = [ '0000:03:00.0' ]\n",
	"name = \"pv1\"\nkernel = \"/boot/vmlinuz\"\nramdisk = \"/boot/rd\"\n"
	"root = \"/dev/xvda1 ro\"\nextra = \"console=hvc0\"\nmemory = 512\n"
	"vcpus = 1\non_crash = \"preserve\"\n"
	"disk = [ 'phy:/dev/vg/pv1,xvda1,w', 'format=raw, vdev=xvdb, "
	"access=rw, backendtype=phy, target=/dev/vg/pv1-swap' ]\n",
	"name = \"pvh1\"\ntype = \"pvh\"\nbootloader = \"pygrub\"\n"
	"bootloader_args = [ \"-q\", \"--entry=1\" ]\nmemory = 300\n"
	"vcpus = 3\non_reboot = \"rename-restart\"\n",
};

TEST(model_round_trip_is_exact)
{
	for (size_t i = 0; i < sizeof(model_cfgs) / sizeof(*model_cfgs); i++) {
		struct xk_error err = { 0 };
		char *back = NULL;

		if (model_round_trip(model_cfgs[i], false, &back, &err) < 0)
			fprintf(stderr, "# %s\n", err.msg);
		CHECK(back != NULL);
		CHECK(same_model(model_cfgs[i], back));
		free(back);
	}
}

TEST(to_hvm_changes_the_type)
{
	struct xk_error err = { 0 };
	char *back = NULL;

	CHECK_INT_EQ(model_round_trip(model_cfgs[1], true, &back, &err), 0);
	CHECK_STR_HAS(back, "type = \"hvm\"");
	CHECK(strstr(back, "kernel") == NULL);
	free(back);
}

TEST(export_warns_naming_keys)
{
	char *cfg = tpath("w.cfg");
	struct xk_error err = { 0 };
	struct xk_domcfg *dc;
	struct xk_vm_disk vd[4];
	struct xk_vm_opts o = { false, NULL, 0 };
	struct xk_notes w = { NULL, 0 };
	struct xk_xv *ova;
	struct strbuf all = STRBUF_INIT;

	memset(vd, 0, sizeof(vd));
	CHECK_INT_EQ(write_text(cfg, model_cfgs[0]), 0);
	dc = xk_domcfg_load(cfg, &err);
	CHECK(dc != NULL);
	ova = xk_vm_to_ova(dc, vd, &o, &w, &err);
	CHECK(ova != NULL);
	for (size_t i = 0; i < w.n; i++)
		strbuf_addf(&all, "%s\n", w.v[i]);
	CHECK_STR_HAS(all.buf, "pci: no XAPI counterpart");
	CHECK_STR_HAS(all.buf, "serial: no XAPI counterpart");
	CHECK_STR_HAS(all.buf, "usbdevice: not a key xenkit maps");
	CHECK_STR_HAS(all.buf, "vif: 0: model has no XAPI counterpart");
	CHECK_STR_HAS(all.buf, "disk: hdc: the CD image");
	strbuf_free(&all);
	xk_xv_free(ova);
	xk_notes_free(&w);
	xk_domcfg_free(dc);
	/* PV: the XCP-ng warning and the --to-hvm hint */
	CHECK_INT_EQ(write_text(cfg, model_cfgs[1]), 0);
	dc = xk_domcfg_load(cfg, &err);
	ova = xk_vm_to_ova(dc, vd, &o, &w, &err);
	CHECK(ova != NULL);
	for (size_t i = 0; i < w.n; i++)
		strbuf_addf(&all, "%s\n", w.v[i]);
	CHECK_STR_HAS(all.buf, "no longer supports PV");
	CHECK_STR_HAS(all.buf, "--to-hvm");
	CHECK_STR_HAS(all.buf, "type: not set");
	CHECK_STR_HAS(all.buf, "xvda1: a partition vdev");
	CHECK_STR_HAS(all.buf, "backendtype=phy");
	strbuf_free(&all);
	xk_xv_free(ova);
	xk_notes_free(&w);
	xk_domcfg_free(dc);
	free(cfg);
}

/* Without xenkit's notes (an XVA from XCP-ng): the XAPI fields alone. */
TEST(foreign_records_map_to_xl)
{
	char *cfg = tpath("f.cfg");
	struct xk_error err = { 0 };
	struct xk_domcfg *dc;
	struct xk_vm_disk vd[4];
	struct xk_vm_opts o = { false, NULL, 0 };
	struct xk_vm_in in;
	struct strbuf sb = STRBUF_INIT;
	struct xk_xv *ova, *oc;
	const struct xk_xv *vm;

	memset(vd, 0, sizeof(vd));
	vd[0].size = vd[1].size = MiB;
	CHECK_INT_EQ(write_text(cfg, model_cfgs[1]), 0);
	dc = xk_domcfg_load(cfg, &err);
	ova = xk_vm_to_ova(dc, vd, &o, NULL, &err);
	CHECK(ova != NULL);
	CHECK_INT_EQ(xk_vm_from_ova(ova, &in, &err), 0);
	vm = in.vm;
	oc = (struct xk_xv *)xk_xv_get(vm, "other_config");
	CHECK_INT_EQ(xk_xv_set(oc, "xl:cfg", xk_xv_str("")), 0);
	for (size_t i = 0; i < in.ndisks; i++) {
		in.disks[i].target = strdup("/n.img");
		in.disks[i].format = XK_DISK_FORMAT_RAW;
		/* no disk notes either */
		CHECK_INT_EQ(xk_xv_set((struct xk_xv *)in.disks[i].vbd_other,
		    "xl:disk", xk_xv_str("")), 0);
	}
	CHECK_INT_EQ(xk_vm_write_xlcfg(&in, &sb, NULL, &err), 0);
	CHECK_STR_HAS(sb.buf, "type = \"pv\"");
	CHECK_STR_HAS(sb.buf, "memory = 512");
	CHECK_STR_HAS(sb.buf, "cmdline = \"root=/dev/xvda1 ro console=hvc0\"");
	CHECK_STR_HAS(sb.buf, "on_crash = \"preserve\"");
	CHECK_STR_HAS(sb.buf, "vdev=xvda, access=rw, target=/n.img");
	strbuf_free(&sb);
	xk_vm_in_free(&in);
	xk_xv_free(ova);
	xk_domcfg_free(dc);
	free(cfg);
}

/* A VM changed in XCP-ng after the export: the XAPI fields win. */
TEST(stale_notes_are_not_used)
{
	char *cfg = tpath("s.cfg");
	struct xk_error err = { 0 };
	struct xk_domcfg *dc;
	struct xk_vm_disk vd[4];
	struct xk_vm_opts o = { false, NULL, 0 };
	struct xk_vm_in in;
	struct strbuf sb = STRBUF_INIT;
	struct xk_xv *ova;
	struct xk_notes w = { NULL, 0 };

	memset(vd, 0, sizeof(vd));
	for (size_t i = 0; i < 4; i++)
		vd[i].size = MiB;
	CHECK_INT_EQ(write_text(cfg, model_cfgs[0]), 0);
	dc = xk_domcfg_load(cfg, &err);
	ova = xk_vm_to_ova(dc, vd, &o, NULL, &err);
	CHECK(ova != NULL);
	CHECK_INT_EQ(xk_vm_from_ova(ova, &in, &err), 0);
	CHECK_INT_EQ(xk_xv_set((struct xk_xv *)in.vm, "memory_dynamic_max",
	    xk_xv_str("2147483648")), 0);
	for (size_t i = 0; i < in.ndisks; i++) {
		in.disks[i].target = in.disks[i].vdi_ref ? strdup("/n.img") :
		    NULL;
		in.disks[i].format = XK_DISK_FORMAT_RAW;
	}
	CHECK_INT_EQ(xk_vm_write_xlcfg(&in, &sb, &w, &err), 0);
	CHECK_STR_HAS(sb.buf, "memory = 2048");
	CHECK_STR_HAS(sb.buf, "cpus = \"0,1,3\"");
	/* keys XAPI cannot hold still come back */
	CHECK_STR_HAS(sb.buf, "usbdevice");
	CHECK(w.n > 0);
	strbuf_free(&sb);
	xk_notes_free(&w);
	xk_vm_in_free(&in);
	xk_xv_free(ova);
	xk_domcfg_free(dc);
	free(cfg);
}

TEST(vdev_userdevice)
{
	bool part;

	CHECK_INT_EQ(xk_vm_vdev_index("xvda", &part), 0);
	CHECK(!part);
	CHECK_INT_EQ(xk_vm_vdev_index("hdc", &part), 2);
	CHECK_INT_EQ(xk_vm_vdev_index("sdb", &part), 1);
	CHECK_INT_EQ(xk_vm_vdev_index("xvda1", &part), 0);
	CHECK(part);
	CHECK_INT_EQ(xk_vm_vdev_index("xvdaa", &part), 26);
	CHECK_INT_EQ(xk_vm_vdev_index("vda", &part), -1);
	CHECK_INT_EQ(xk_vm_vdev_index("xvd", &part), -1);
}

TEST(cpumask)
{
	char *m = xk_vm_cpumask("0-3,^2");

	CHECK_STR_EQ(m, "0,1,3");
	free(m);
	m = xk_vm_cpumask("5,1-2");
	CHECK_STR_EQ(m, "1,2,5");
	free(m);
	CHECK(xk_vm_cpumask("all") == NULL);
	CHECK(xk_vm_cpumask("3-1") == NULL);
	CHECK(xk_vm_cpumask("^1") == NULL);
}

/* XAPI lists a CD's ISO VDI in ova.xml but never exports its data. */
TEST(cd_with_iso_vdi_needs_no_data)
{
	char *cfg = tpath("cd.cfg");
	struct xk_error err = { 0 };
	struct xk_domcfg *dc;
	struct xk_vm_disk vd[4];
	struct xk_vm_opts o = { false, NULL, 0 };
	struct xk_vm_in in;
	struct xk_xv *ova, *objs;

	memset(vd, 0, sizeof(vd));
	for (size_t i = 0; i < 4; i++)
		vd[i].size = MiB;
	CHECK_INT_EQ(write_text(cfg, model_cfgs[0]), 0);
	dc = xk_domcfg_load(cfg, &err);
	ova = xk_vm_to_ova(dc, vd, &o, NULL, &err);
	CHECK(ova != NULL);
	objs = (struct xk_xv *)xk_xv_get(ova, "objects");
	for (size_t i = 0; i < objs->n; i++) {
		struct xk_xv *snap = (struct xk_xv *)xk_xv_get(objs->items[i],
		    "snapshot");

		if (strcmp(xk_xv_text(objs->items[i], "class"), "VBD") == 0 &&
		    strcmp(xk_xv_text(snap, "type"), "CD") == 0)
			CHECK_INT_EQ(xk_xv_set(snap, "VDI",
			    xk_xv_str("Ref:001")), 0);
	}
	CHECK_INT_EQ(xk_vm_from_ova(ova, &in, &err), 0);
	for (size_t i = 0; i < in.ndisks; i++)
		if (in.disks[i].cdrom)
			CHECK(in.disks[i].vdi_ref == NULL);
	xk_vm_in_free(&in);
	xk_xv_free(ova);
	xk_domcfg_free(dc);
	free(cfg);
}

TEST(checksum_newline_tolerated_and_huge_vdi_refused)
{
	const char *ova = tiny_ova(10);
	char *xva = tpath("n.xva"), sum[41], line[42];
	struct member m[] = {
		{ "ova.xml", ova, strlen(ova) },
		{ "Ref:1/00000000", "0123456789", 10 },
		{ "Ref:1/00000000.checksum", line, 41 },
	};
	struct xk_error err = { 0 };

	xk_xva_checksum(XK_XVA_SHA1, "0123456789", 10, sum);
	snprintf(line, sizeof(line), "%s\n", sum);
	CHECK_INT_EQ(build(xva, m, 3, false), 0);
	CHECK_INT_EQ(read_all(xva, NULL, &err), 0);
	line[40] = 'x';
	CHECK_INT_EQ(build(xva, m, 3, false), 0);
	CHECK_INT_EQ(read_all(xva, NULL, &err), -1);
	CHECK_STR_HAS(err.msg, "not 40 hex digits");
	ova = tiny_ova(1ULL << 50);
	m[0].data = ova;
	m[0].len = strlen(ova);
	CHECK_INT_EQ(build(xva, m, 1, false), 0);
	CHECK(xk_xva_open(xva, &err) == NULL);
	CHECK_STR_HAS(err.msg, "up to 64 TiB");
	free(xva);
}

/* What XCP-ng adds: metrics objects, a snapshot VM, platform keys. */
TEST(xcpng_style_records)
{
	char *cfg = tpath("x.cfg");
	struct xk_error err = { 0 };
	struct xk_domcfg *dc;
	struct xk_vm_disk vd[4];
	struct xk_vm_opts o = { false, NULL, 0 };
	struct xk_vm_in in;
	struct xk_notes w = { NULL, 0 };
	struct strbuf sb = STRBUF_INIT, all = STRBUF_INIT;
	struct xk_xv *ova, *objs, *snapvm, *extra, *plat, *oc;
	const struct xk_xv *vm = NULL;

	memset(vd, 0, sizeof(vd));
	for (size_t i = 0; i < 4; i++)
		vd[i].size = MiB;
	CHECK_INT_EQ(write_text(cfg, model_cfgs[0]), 0);
	dc = xk_domcfg_load(cfg, &err);
	ova = xk_vm_to_ova(dc, vd, &o, NULL, &err);
	CHECK(ova != NULL);
	objs = (struct xk_xv *)xk_xv_get(ova, "objects");
	for (size_t i = 0; i < objs->n; i++)
		if (strcmp(xk_xv_text(objs->items[i], "class"), "VM") == 0)
			vm = xk_xv_get(objs->items[i], "snapshot");
	CHECK(vm != NULL);
	oc = (struct xk_xv *)xk_xv_get(vm, "other_config");
	CHECK_INT_EQ(xk_xv_set(oc, "xl:cfg", xk_xv_str("")), 0);
	plat = (struct xk_xv *)xk_xv_get(vm, "platform");
	CHECK_INT_EQ(xk_xv_set(plat, "device-model",
	    xk_xv_str("qemu-upstream-compat")), 0);
	CHECK_INT_EQ(xk_xv_set(plat, "acpi", xk_xv_str("1")), 0);
	/* a snapshot of the VM and a metrics object: both ignored */
	snapvm = xk_xv_struct();
	CHECK_INT_EQ(xk_xv_set(snapvm, "is_a_snapshot", xk_xv_bool(true)), 0);
	extra = xk_xv_struct();
	CHECK_INT_EQ(xk_xv_set(extra, "class", xk_xv_str("VM")) |
	    xk_xv_set(extra, "id", xk_xv_str("Ref:900")) |
	    xk_xv_set(extra, "snapshot", snapvm), 0);
	CHECK_INT_EQ(xk_xv_append(objs, extra), 0);
	extra = xk_xv_struct();
	CHECK_INT_EQ(xk_xv_set(extra, "class", xk_xv_str("VM_metrics")) |
	    xk_xv_set(extra, "id", xk_xv_str("Ref:901")) |
	    xk_xv_set(extra, "snapshot", xk_xv_struct()), 0);
	CHECK_INT_EQ(xk_xv_append(objs, extra), 0);
	CHECK_INT_EQ(xk_vm_from_ova(ova, &in, &err), 0);
	for (size_t i = 0; i < in.ndisks; i++) {
		in.disks[i].target = in.disks[i].vdi_ref ? strdup("/n.img") :
		    NULL;
		in.disks[i].format = XK_DISK_FORMAT_RAW;
	}
	CHECK_INT_EQ(xk_vm_write_xlcfg(&in, &sb, &w, &err), 0);
	CHECK_STR_HAS(sb.buf, "acpi = 1");
	CHECK_STR_HAS(sb.buf, "name = \"hvm1\"");
	CHECK_STR_HAS(sb.buf, "mac=00:16:3e:5a:00:01");
	for (size_t i = 0; i < w.n; i++)
		strbuf_addf(&all, "%s\n", w.v[i]);
	CHECK_STR_HAS(all.buf, "platform:device-model=qemu-upstream-compat "
	    "has no xl.cfg counterpart");
	strbuf_free(&sb);
	strbuf_free(&all);
	xk_notes_free(&w);
	xk_vm_in_free(&in);
	xk_xv_free(ova);
	xk_domcfg_free(dc);
	free(cfg);
}
