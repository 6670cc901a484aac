/*
 * t5100-xenbuild - unit tests of lib/lab/xenbuild.c that need no build:
 * what goes into a hypervisor build's key (content, not names or
 * places; order, options, compiler, source), patch directories in name
 * order, option syntax, and finding a build by its key's prefix.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "lab/image.h"
#include "lab/xenbuild.h"

static int
write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL)
		return -1;
	fputs(text, fp);
	return fclose(fp);
}

/* dir/name with text in it; its path in buf */
static const char *
file(char *buf, size_t len, const char *dir, const char *name,
    const char *text)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= len || write_text(buf, text) != 0)
		return NULL;
	return buf;
}

static int
key_of(const struct xk_xen_spec *s, const char *hash, const char *cc,
    char key[XK_IMAGE_KEY_LEN])
{
	struct xk_error err = { 0 };
	char *desc = NULL;
	int r;

	r = xk_xen_key(s, "recipe-sum", "4.17.5", hash, cc, &desc, key,
	    &err);
	free(desc);
	return r;
}

/* The key follows the content, in order; names and places do not count. */
TEST(xen_key)
{
	char a[512], b[512], c[512], k1[XK_IMAGE_KEY_LEN];
	char k2[XK_IMAGE_KEY_LEN], k3[XK_IMAGE_KEY_LEN];
	struct xk_xen_spec s1 = { 0 }, s2 = { 0 }, s3 = { 0 };
	struct xk_error err = { 0 };
	const char *dir = xk_test_tmpdir();

	CHECK(file(a, sizeof(a), dir, "a.patch", "patch one\n") != NULL);
	CHECK(file(b, sizeof(b), dir, "b.patch", "patch two\n") != NULL);
	CHECK(file(c, sizeof(c), dir, "renamed.diff", "patch one\n") != NULL);
	CHECK(xk_xen_set_source(&s1, "debian", &err) == 0);
	CHECK(xk_xen_set_source(&s2, "debian", &err) == 0);
	CHECK(xk_xen_add_patch(&s1, a, &err) == 0);
	CHECK(xk_xen_add_patch(&s1, b, &err) == 0);
	CHECK(xk_xen_add_patch(&s2, c, &err) == 0);	/* a's content */
	CHECK(xk_xen_add_patch(&s2, b, &err) == 0);
	CHECK(key_of(&s1, "h1", "gcc 12", k1) == 0);
	CHECK(key_of(&s2, "h1", "gcc 12", k2) == 0);
	CHECK_STR_EQ(k1, k2);
	/* the same patches in the other order */
	CHECK(xk_xen_set_source(&s3, "debian", &err) == 0);
	CHECK(xk_xen_add_patch(&s3, b, &err) == 0);
	CHECK(xk_xen_add_patch(&s3, a, &err) == 0);
	CHECK(key_of(&s3, "h1", "gcc 12", k3) == 0);
	CHECK(strcmp(k1, k3) != 0);
	/* another source, another compiler */
	CHECK(key_of(&s1, "h2", "gcc 12", k3) == 0);
	CHECK(strcmp(k1, k3) != 0);
	CHECK(key_of(&s1, "h1", "gcc 13", k3) == 0);
	CHECK(strcmp(k1, k3) != 0);
	/* an option */
	CHECK(xk_xen_add_config(&s2, "CONFIG_DEBUG=y", &err) == 0);
	CHECK(key_of(&s2, "h1", "gcc 12", k3) == 0);
	CHECK(strcmp(k1, k3) != 0);
	/* a patch's content changed */
	CHECK(file(a, sizeof(a), dir, "a.patch", "patch one, fixed\n") != NULL);
	CHECK(key_of(&s1, "h1", "gcc 12", k3) == 0);
	CHECK(strcmp(k1, k3) != 0);
	xk_xen_spec_free(&s1);
	xk_xen_spec_free(&s2);
	xk_xen_spec_free(&s3);
}

/* The description names the patches; the key text does not need to. */
TEST(xen_key_desc)
{
	char a[512], key[XK_IMAGE_KEY_LEN];
	struct xk_xen_spec s = { 0 };
	struct xk_error err = { 0 };
	char *desc = NULL;

	CHECK(file(a, sizeof(a), xk_test_tmpdir(), "0001-x.patch", "x\n") !=
	    NULL);
	CHECK(xk_xen_set_source(&s, "debian", &err) == 0);
	CHECK(xk_xen_add_patch(&s, a, &err) == 0);
	CHECK(xk_xen_add_config(&s, "CONFIG_DEBUG=y", &err) == 0);
	CHECK(xk_xen_key(&s, "r", "4.17.5+72", "h", "gcc (Debian) 12.2.0",
	    &desc, key, &err) == 0);
	CHECK_STR_HAS(desc, "source debian\n");
	CHECK_STR_HAS(desc, "version 4.17.5+72\n");
	CHECK_STR_HAS(desc, "0001-x.patch ");
	CHECK_STR_HAS(desc, "config CONFIG_DEBUG=y\n");
	CHECK_STR_HAS(desc, "compiler gcc (Debian) 12.2.0\n");
	free(desc);
	xk_xen_spec_free(&s);
}

/* A directory: its *.patch files in name order, nothing else. */
TEST(xen_patch_dir)
{
	char p[512], d[512];
	struct xk_xen_spec s = { 0 };
	struct xk_error err = { 0 };
	const char *dir = xk_test_tmpdir();

	CHECK(snprintf(d, sizeof(d), "%s/series", dir) < (int)sizeof(d));
	CHECK(mkdir(d, 0755) == 0);
	CHECK(file(p, sizeof(p), d, "0002-b.patch", "b\n") != NULL);
	CHECK(file(p, sizeof(p), d, "0010-c.patch", "c\n") != NULL);
	CHECK(file(p, sizeof(p), d, "0001-a.patch", "a\n") != NULL);
	CHECK(file(p, sizeof(p), d, "README", "not a patch\n") != NULL);
	CHECK(file(p, sizeof(p), d, ".0000-hidden.patch", "h\n") != NULL);
	CHECK(xk_xen_add_patch(&s, d, &err) == 0);
	CHECK_INT_EQ((int)s.npatches, 3);
	CHECK_STR_HAS(s.patches[0], "/0001-a.patch");
	CHECK_STR_HAS(s.patches[1], "/0002-b.patch");
	CHECK_STR_HAS(s.patches[2], "/0010-c.patch");
	/* an empty directory is an error, not an empty series */
	CHECK(snprintf(d, sizeof(d), "%s/empty", dir) < (int)sizeof(d));
	CHECK(mkdir(d, 0755) == 0);
	CHECK(xk_xen_add_patch(&s, d, &err) == -1);
	CHECK_STR_HAS(err.msg, "no *.patch file");
	CHECK(xk_xen_add_patch(&s, "/nonexistent/x.patch", &err) == -1);
	CHECK_STR_HAS(err.msg, "/nonexistent/x.patch");
	xk_xen_spec_free(&s);
}

TEST(xen_config_syntax)
{
	struct xk_xen_spec s = { 0 };
	struct xk_error err = { 0 };

	CHECK(xk_xen_add_config(&s, "CONFIG_DEBUG=y", &err) == 0);
	CHECK(xk_xen_add_config(&s, "CONFIG_NR_CPUS=64", &err) == 0);
	CHECK(xk_xen_add_config(&s, "DEBUG=y", &err) == -1);
	CHECK_STR_HAS(err.msg, "want CONFIG_NAME=VALUE");
	CHECK(xk_xen_add_config(&s, "CONFIG_DEBUG", &err) == -1);
	CHECK(xk_xen_add_config(&s, "CONFIG_X=", &err) == -1);
	CHECK(xk_xen_add_config(&s, "CONFIG_x=y", &err) == -1);
	CHECK(xk_xen_add_config(&s, "CONFIG_DEBUG=n", &err) == -1);
	CHECK_STR_HAS(err.msg, "given twice");
	/* a name that starts another's is not the same name */
	CHECK(xk_xen_add_config(&s, "CONFIG_DEBUG_INFO=y", &err) == 0);
	CHECK_INT_EQ((int)s.nconfig, 3);
	CHECK(xk_xen_set_source(&s, "/nonexistent-xen", &err) == -1);
	CHECK_STR_HAS(err.msg, "/nonexistent-xen");
	xk_xen_spec_free(&s);
}

/* A build is found by a unique prefix of its key, and verified. */
TEST(xen_find)
{
	char cache[512], e1[600], e2[600], found[4096], cmd[4096];
	struct xk_error err = { 0 };
	const char *dir = xk_test_tmpdir();

	CHECK(snprintf(cache, sizeof(cache), "%s/cache", dir) <
	    (int)sizeof(cache));
	setenv("XK_LAB_CACHE", cache, 1);
	CHECK(snprintf(e1, sizeof(e1), "%s/xen/aaaa11%058d", cache, 0) <
	    (int)sizeof(e1));
	CHECK(snprintf(e2, sizeof(e2), "%s/xen/aaaa22%058d", cache, 0) <
	    (int)sizeof(e2));
	CHECK(snprintf(cmd, sizeof(cmd), "mkdir -p %s %s && for e in %s %s; "
	    "do (cd $e && for f in xen.elf xen-syms config key.txt; do "
	    "echo $f >$f; done && sha256sum xen.elf xen-syms config key.txt "
	    ">SHA256SUMS) || exit 1; done", e1, e2, e1, e2) <
	    (int)sizeof(cmd));
	CHECK(system(cmd) == 0);
	CHECK(xk_xen_find("aaaa11", found, sizeof(found), &err) == 0);
	CHECK_STR_EQ(found, e1);
	CHECK(xk_xen_find(e2, found, sizeof(found), &err) == 0);
	CHECK_STR_EQ(found, e2);
	CHECK(xk_xen_find("aaaa", found, sizeof(found), &err) == -1);
	CHECK_STR_HAS(err.msg, "6 to 64 hex digits");
	CHECK(xk_xen_find("aaaa33", found, sizeof(found), &err) == -1);
	CHECK_STR_HAS(err.msg, "no such build");
	/* a corrupt entry is refused */
	CHECK(snprintf(cmd, sizeof(cmd), "echo changed >%s/xen.elf", e1) <
	    (int)sizeof(cmd));
	CHECK(system(cmd) == 0);
	CHECK(xk_xen_find("aaaa11", found, sizeof(found), &err) == -1);
	CHECK_STR_HAS(err.msg, "checksum mismatch");
	unsetenv("XK_LAB_CACHE");
}

/* status's text: which hypervisor, and the tools' version beside it. */
TEST(xen_describe)
{
	char img[512], ent[512], p[600];
	struct xk_error err = { 0 };
	const char *dir = xk_test_tmpdir();
	char *text = NULL;

	CHECK(snprintf(img, sizeof(img), "%s/img", dir) < (int)sizeof(img));
	CHECK(snprintf(ent, sizeof(ent), "%s/ent", dir) < (int)sizeof(ent));
	CHECK(mkdir(img, 0755) == 0 && mkdir(ent, 0755) == 0);
	CHECK(file(p, sizeof(p), img, "versions", "libc6=2.36\n"
	    "xen-hypervisor-4.17-amd64=4.17.7+13\nxen-utils-4.17=4.17.7+13\n")
	    != NULL);
	CHECK(file(p, sizeof(p), ent, "key.txt", "source debian\n"
	    "version 4.17.5+72\npatch /p/0001-x.patch abc\n") != NULL);
	CHECK(xk_xen_describe(img, NULL, &text, &err) == 0);
	CHECK_STR_HAS(text, "Debian's binary, xen-hypervisor-4.17-amd64 "
	    "4.17.7+13");
	free(text);
	CHECK(xk_xen_describe(img, ent, &text, &err) == 0);
	CHECK_STR_HAS(text, "built from source");
	CHECK_STR_HAS(text, "patch /p/0001-x.patch abc");
	CHECK_STR_HAS(text, "its source is 4.17.5+72, dom0's tools are "
	    "4.17.7+13");
	free(text);
}
