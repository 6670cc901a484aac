/*
 * t5120-xencov - unit tests of lib/lab/coverage.c and the coverage
 * options of xenbuild.c that need no lab: xencov's blob split into its
 * records (and every way it can be cut short), the .gcda path each
 * record's name maps to (never outside the report), which option sets
 * a coverage build needs, what a lab without one is told, and the
 * report end to end (a gcc --coverage program stands in for Xen).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "lab/coverage.h"
#include "lab/state.h"
#include "lab/xenbuild.h"
#include "util/file.h"

struct blob {
	uint8_t b[512];
	size_t n;
};

static void
put(struct blob *b, const void *p, size_t n)
{
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void
rec(struct blob *b, const char *name, const char *data)
{
	uint32_t n = (uint32_t)strlen(data);

	put(b, name, strlen(name) + 1);
	put(b, &n, 4);
	put(b, data, n);
}

struct seen {
	char names[4][64];
	size_t sizes[4];
	size_t n;
};

static int
remember(const char *name, const uint8_t *d, size_t len, void *arg,
    struct xk_error *err)
{
	struct seen *s = arg;

	(void)d;
	(void)err;
	if (s->n < 4) {
		snprintf(s->names[s->n], sizeof(s->names[0]), "%s", name);
		s->sizes[s->n++] = len;
	}
	return 0;
}

static struct blob
sample(void)
{
	struct blob b = { .n = 0 };
	uint32_t magic = XK_XENCOV_MAGIC;

	put(&b, &magic, 4);
	rec(&b, "/b/xen/common/domain.gcda", "adcg1234");
	rec(&b, "/b/xen/arch/x86/mm.gcda", "");
	rec(&b, "/b/xen/common/sched/core.gcda", "xyz");
	return b;
}

TEST(xencov_parse)
{
	struct blob b = sample();
	struct xk_error err = { 0 };
	struct seen s = { .n = 0 };
	size_t n, cut;

	CHECK(xk_xencov_parse(b.b, b.n, remember, &s, &n, &err) == 0);
	CHECK_INT_EQ(n, 3);
	CHECK_STR_EQ(s.names[0], "/b/xen/common/domain.gcda");
	CHECK_STR_EQ(s.names[2], "/b/xen/common/sched/core.gcda");
	CHECK_INT_EQ(s.sizes[0], 8);
	CHECK_INT_EQ(s.sizes[1], 0);
	CHECK_INT_EQ(s.sizes[2], 3);
	/* the magic alone: no records, no error */
	CHECK(xk_xencov_parse(b.b, 4, NULL, NULL, &n, &err) == 0);
	CHECK_INT_EQ(n, 0);
	/* every shorter prefix past the magic ends inside a record */
	for (cut = 5; cut < b.n; cut++) {
		if (xk_xencov_parse(b.b, cut, NULL, NULL, &n, &err) == 0) {
			/* only a cut between records parses */
			CHECK(cut == 4 + 26 + 4 + 8 || cut == 4 + 26 + 4 + 8 +
			    24 + 4);
			continue;
		}
		CHECK_STR_HAS(err.msg, "xencov data at offset");
	}
	b.b[0] ^= 1;
	CHECK(xk_xencov_parse(b.b, b.n, NULL, NULL, &n, &err) == -1);
	CHECK_STR_HAS(err.msg, "no XCOV magic");
	CHECK(xk_xencov_parse(b.b, 2, NULL, NULL, &n, &err) == -1);
}

TEST(xencov_sizes)
{
	struct blob b = sample();
	struct xk_error err = { 0 };
	uint32_t big = 4;
	size_t n;

	/* the last record (core.gcda, after the magic, domain.gcda's 38
	 * bytes and mm.gcda's 28) says 4 bytes where 3 are left */
	CHECK_INT_EQ(b.n, 4 + 38 + 28 + 30 + 4 + 3);
	memcpy(b.b + 4 + 38 + 28 + 30, &big, 4);
	CHECK(xk_xencov_parse(b.b, b.n, NULL, NULL, &n, &err) == -1);
	CHECK_STR_HAS(err.msg, "says 4 bytes, 3 are left");
	b = sample();
	big = 0xffffffffu;
	memcpy(b.b + 4 + 26, &big, 4);
	CHECK(xk_xencov_parse(b.b, b.n, NULL, NULL, &n, &err) == -1);
	CHECK_STR_HAS(err.msg, "says 4294967295 bytes");
	b = sample();
	b.b[4] = '\0';	/* an empty name */
	CHECK(xk_xencov_parse(b.b, b.n, NULL, NULL, &n, &err) == -1);
	CHECK_STR_HAS(err.msg, "an empty file name");
}

TEST(xencov_path)
{
	struct xk_error err = { 0 };
	char p[256];

	CHECK(xk_xencov_path("/b/xen/common/domain.gcda", "/b/xen", "/r/src",
	    p, sizeof(p), &err) == 0);
	CHECK_STR_EQ(p, "/r/src/common/domain.gcda");
	CHECK(xk_xencov_path("/b/xen/../../etc/x.gcda", "/b/xen", "/r/src",
	    p, sizeof(p), &err) == -1);
	CHECK_STR_HAS(err.msg, "is no .gcda file of the build in /b/xen");
	CHECK(xk_xencov_path("/b/xen/./x.gcda", "/b/xen", "/r", p,
	    sizeof(p), &err) == -1);
	CHECK(xk_xencov_path("/b/xen//x.gcda", "/b/xen", "/r", p,
	    sizeof(p), &err) == -1);
	CHECK(xk_xencov_path("/b/xenx/a.gcda", "/b/xen", "/r", p,
	    sizeof(p), &err) == -1);
	CHECK(xk_xencov_path("/other/xen/a.gcda", "/b/xen", "/r", p,
	    sizeof(p), &err) == -1);
	CHECK(xk_xencov_path("/b/xen/common/domain.o", "/b/xen", "/r", p,
	    sizeof(p), &err) == -1);
	CHECK(xk_xencov_path("/b/xen/.gcda", "/b/xen", "/r", p, sizeof(p),
	    &err) == -1);
	CHECK(xk_xencov_path("/b/xen/a.gcda", "/b/xen", "/r", p, 8,
	    &err) == -1);
}

static int
spec(struct xk_xen_spec *s, const char *const *kv)
{
	struct xk_error err = { 0 };

	memset(s, 0, sizeof(*s));
	for (; *kv != NULL; kv++)
		if (xk_xen_add_config(s, *kv, &err) == -1)
			return -1;
	return 0;
}

TEST(coverage_needs)
{
	static const char *const alone[] = { "CONFIG_COVERAGE=y", NULL };
	static const char *const no_lp[] = { "CONFIG_COVERAGE=y",
	    "CONFIG_DEBUG=y", NULL };
	static const char *const no_dbg[] = { "CONFIG_COVERAGE=y",
	    "CONFIG_LIVEPATCH=n", NULL };
	static const char *const dbg[] = { "CONFIG_LIVEPATCH=n",
	    "CONFIG_DEBUG=y", "CONFIG_COVERAGE=y", NULL };
	static const char *const exp[] = { "CONFIG_EXPERT=y",
	    "CONFIG_COVERAGE=y", "CONFIG_LIVEPATCH=n", NULL };
	static const char *const none[] = { "CONFIG_DEBUG=y", NULL };
	struct xk_error err = { 0 };
	struct xk_xen_spec s;

	CHECK(spec(&s, alone) == 0);
	CHECK(xk_xen_check_config(&s, &err) == -1);
	CHECK_STR_HAS(err.msg, "CONFIG_COVERAGE=y needs CONFIG_LIVEPATCH=n");
	xk_xen_spec_free(&s);
	CHECK(spec(&s, no_lp) == 0);
	CHECK(xk_xen_check_config(&s, &err) == -1);
	xk_xen_spec_free(&s);
	CHECK(spec(&s, no_dbg) == 0);
	CHECK(xk_xen_check_config(&s, &err) == -1);
	CHECK_STR_HAS(err.msg, "CONFIG_DEBUG=y or CONFIG_EXPERT=y");
	xk_xen_spec_free(&s);
	CHECK(spec(&s, dbg) == 0);
	CHECK(xk_xen_check_config(&s, &err) == 0);
	xk_xen_spec_free(&s);
	CHECK(spec(&s, exp) == 0);
	CHECK(xk_xen_check_config(&s, &err) == 0);
	xk_xen_spec_free(&s);
	CHECK(spec(&s, none) == 0);
	CHECK(xk_xen_check_config(&s, &err) == 0);
	xk_xen_spec_free(&s);
}

/* A lab on Debian's binary, on a build without coverage, on one with. */
TEST(coverage_entry)
{
	const char *dir = xk_test_tmpdir();
	struct xk_error err = { 0 };
	char st[512], ent[512], p[700], got[512];
	FILE *fp;

	CHECK(snprintf(st, sizeof(st), "%s/state", dir) < (int)sizeof(st));
	CHECK(snprintf(ent, sizeof(ent), "%s/entry", dir) < (int)sizeof(ent));
	CHECK(mkdir(st, 0755) == 0 && mkdir(ent, 0755) == 0);
	CHECK(xk_lab_cov_entry(st, got, sizeof(got), &err) == -1);
	CHECK_STR_HAS(err.msg, "runs Debian's hypervisor");
	CHECK(xk_lab_cov_record(st, ent, &err) == 0);
	CHECK(xk_lab_cov_entry(st, got, sizeof(got), &err) == -1);
	CHECK_STR_HAS(err.msg, "built without CONFIG_COVERAGE=y");
	snprintf(p, sizeof(p), "%s/" XK_XEN_GCOV, ent);
	CHECK((fp = fopen(p, "w")) != NULL && fclose(fp) == 0);
	CHECK(xk_lab_cov_entry(st, got, sizeof(got), &err) == 0);
	CHECK_STR_EQ(got, ent);
	/* a later boot of Debian's binary forgets the build */
	CHECK(xk_lab_cov_record(st, NULL, &err) == 0);
	CHECK(xk_lab_cov_entry(st, got, sizeof(got), &err) == -1);
	CHECK(xk_lab_cov_record(st, NULL, &err) == 0);
}

/*
 * The report end to end without a lab: a program built with gcc
 * --coverage stands in for the hypervisor (its .gcda, as libgcov wrote
 * it, wrapped in xencov's blob under the build's directory), its .gcno
 * and source in a gcov.tar.gz as build-xen.sh packs them; lcov's
 * tracefile must count its functions and name its source under the
 * report, and a second report to the same directory is refused.
 */
TEST(coverage_report)
{
	const char *dir = xk_test_tmpdir(), *data = getenv("XK_TEST_DATA");
	struct xk_error err = { 0 };
	char cmd[4096], ent[512], out[512], p[700], bd[600], name[700];
	char *gcda, *info, *blob;
	uint32_t magic = XK_XENCOV_MAGIC, n32;
	size_t n, files, bn, gl;

	CHECK(data != NULL);
	snprintf(ent, sizeof(ent), "%s/entry", dir);
	snprintf(out, sizeof(out), "%s/report", dir);
	snprintf(cmd, sizeof(cmd), "set -e; mkdir -p %s/b/xen/common %s; "
	    "cd %s/b/xen; printf 'int twice(int x) { return 2 * x; }\\n"
	    "int never(void) { return 7; }\\nint main(void) "
	    "{ return twice(0); }\\n' >common/dom.c; gcc --coverage -c "
	    "-o common/dom.o common/dom.c; gcc --coverage -o common/dom "
	    "common/dom.o; ./common/dom; "
	    "pwd -P >build-dir; tar -czf %s/gcov.tar.gz build-dir "
	    "./common/dom.gcno ./common/dom.c", dir, ent, dir, ent);
	CHECK(system(cmd) == 0);
	snprintf(cmd, sizeof(cmd), "%s/b/xen", dir);
	CHECK(realpath(cmd, bd) != NULL);
	snprintf(name, sizeof(name), "%s/common/dom.gcda", bd);
	CHECK(xk_read_file(name, 1 << 20, &gcda, &gl, &err) == 0);
	/* the blob: the magic, then the record of common/dom.gcda */
	bn = 4 + strlen(name) + 1 + 4 + gl;
	CHECK((blob = malloc(bn)) != NULL);
	n32 = (uint32_t)gl;
	memcpy(blob, &magic, 4);
	memcpy(blob + 4, name, strlen(name) + 1);
	memcpy(blob + 4 + strlen(name) + 1, &n32, 4);
	memcpy(blob + 8 + strlen(name) + 1, gcda, gl);
	free(gcda);
	snprintf(p, sizeof(p), "%s/../share/lab", data);
	if (xk_lab_cov_report(p, ent, (uint8_t *)blob, bn, out, 2, &files,
	    &err) != 0) {
		free(blob);
		CHECK_STR_EQ(err.msg, "(no error)");
	}
	CHECK_INT_EQ(files, 1);
	n = (size_t)xk_lab_cov_report(p, ent, (uint8_t *)blob, bn, out, 2,
	    &files, &err);
	free(blob);
	CHECK(n == (size_t)-1);
	CHECK_STR_HAS(err.msg, "exists");
	snprintf(p, sizeof(p), "%s/coverage.info", out);
	CHECK(xk_read_file(p, 1 << 20, &info, &n, &err) == 0);
	snprintf(p, sizeof(p), "SF:%s/src/common/dom.c\n", out);
	if (strstr(info, p) == NULL || strstr(info, "FNDA:1,twice\n") ==
	    NULL || strstr(info, "FNDA:0,never\n") == NULL) {
		fputs(info, stderr);
		free(info);
		CHECK(!"the tracefile counts twice once, never not");
	}
	free(info);
	snprintf(p, sizeof(p), "%s.tmp.%ld", out, (long)getpid());
	CHECK(access(p, F_OK) == -1);
}
