/*
 * xenbuild.c - hypervisors built from source (see xenbuild.h).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/image.h"
#include "lab/state.h"
#include "lab/xenbuild.h"
#include "util/clock.h"
#include "util/file.h"
#include "util/run.h"
#include "util/strbuf.h"
#include "util/tempfile.h"

#define XEN_SPACE_MB	2048	/* a source tree and its objects */
#define MAX_ITEMS	256	/* patches or options: far more than used */

/* Files of a build's entry, checked by SHA256SUMS. */
static const char *const xen_files[] = {
	"xen.elf", "xen-syms", "config", "key.txt", NULL,
};
/* ... of a coverage build's: and what gcov needs (xk lab coverage). */
static const char *const xen_cov_files[] = {
	"xen.elf", "xen-syms", "config", "key.txt", XK_XEN_GCOV, NULL,
};

/* The value s gives name ("CONFIG_X"), or NULL. */
static const char *
config_value(const struct xk_xen_spec *s, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < s->nconfig; i++)
		if (strncmp(s->config[i], name, n) == 0 &&
		    s->config[i][n] == '=')
			return s->config[i] + n + 1;
	return NULL;
}

static int
config_is(const struct xk_xen_spec *s, const char *name, const char *v)
{
	const char *got = config_value(s, name);

	return got != NULL && strcmp(got, v) == 0;
}

int
xk_xen_check_config(const struct xk_xen_spec *s, struct xk_error *err)
{
	/*
	 * Xen 4.17's Kconfig: COVERAGE "depends on !LIVEPATCH" (which
	 * defaults to y on x86) and sits in Kconfig.debug's "if DEBUG ||
	 * EXPERT".  Said here, before minutes of fetching and building,
	 * rather than as a "did not stick" from the recipe; not guessed
	 * for the user, since DEBUG and EXPERT make different hypervisors.
	 */
	if (!config_is(s, "CONFIG_COVERAGE", "y"))
		return 0;
	if (!config_is(s, "CONFIG_LIVEPATCH", "n") ||
	    (!config_is(s, "CONFIG_DEBUG", "y") &&
	    !config_is(s, "CONFIG_EXPERT", "y"))) {
		xk_error_set(err, "CONFIG_COVERAGE=y needs CONFIG_LIVEPATCH=n "
		    "(Xen's Kconfig: COVERAGE depends on !LIVEPATCH) and "
		    "CONFIG_DEBUG=y or CONFIG_EXPERT=y (the debugging options "
		    "are under 'if DEBUG || EXPERT'): give them too");
		return -1;
	}
	return 0;
}

/* A coverage build's entry holds XK_XEN_GCOV (it is in SHA256SUMS). */
static const char *const *
entry_files(const char *entry)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/" XK_XEN_GCOV, entry);
	return access(path, F_OK) == 0 ? xen_cov_files : xen_files;
}

/* Append a copy of s to (*v)[*n]. */
static int
push(char ***v, size_t *n, const char *s, struct xk_error *err)
{
	char **nv, *c;

	if (*n >= MAX_ITEMS) {
		xk_error_set(err, "more than %d items", MAX_ITEMS);
		return -1;
	}
	c = strdup(s);
	nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (c == NULL || nv == NULL) {
		free(c);
		if (nv != NULL)
			*v = nv;
		xk_error_errno(err, ENOMEM, "%s", s);
		return -1;
	}
	*v = nv;
	nv[(*n)++] = c;
	return 0;
}

/* A path handed to the recipe, one a line: no newline in it. */
static int
plain_path(const char *p, struct xk_error *err)
{
	if (strchr(p, '\n') != NULL) {
		xk_error_set(err, "a path with a newline is not supported");
		return -1;
	}
	return 0;
}

int
xk_xen_set_source(struct xk_xen_spec *s, const char *source,
    struct xk_error *err)
{
	char real[PATH_MAX];

	free(s->source);
	s->source = NULL;
	if (strcmp(source, "debian") == 0) {
		s->source = strdup("debian");
	} else {
		if (realpath(source, real) == NULL) {
			xk_error_errno(err, errno, "source %s", source);
			return -1;
		}
		if (!xk_is_dir(real)) {
			xk_error_set(err, "source %s: not a directory (want "
			    "'debian' or a Xen source tree)", source);
			return -1;
		}
		if (plain_path(real, err) == -1)
			return -1;
		s->source = strdup(real);
	}
	if (s->source == NULL) {
		xk_error_errno(err, ENOMEM, "source");
		return -1;
	}
	return 0;
}

static int
is_patch(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 6 &&
	    strcmp(d->d_name + n - 6, ".patch") == 0;
}

/* A directory's *.patch files, in name order (C collation). */
static int
add_patch_dir(struct xk_xen_spec *s, const char *dir, struct xk_error *err)
{
	struct dirent **list;
	char p[PATH_MAX];
	int n, i, r = 0;

	n = scandir(dir, &list, is_patch, alphasort);
	if (n == -1) {
		xk_error_errno(err, errno, "patch directory %s", dir);
		return -1;
	}
	if (n == 0) {
		xk_error_set(err, "patch directory %s: no *.patch file", dir);
		r = -1;
	}
	for (i = 0; i < n; i++) {
		if (r == 0 && (snprintf(p, sizeof(p), "%s/%s", dir,
		    list[i]->d_name) >= (int)sizeof(p) ||
		    xk_xen_add_patch(s, p, err) == -1))
			r = -1;
		free(list[i]);
	}
	free(list);
	return r;
}

int
xk_xen_add_patch(struct xk_xen_spec *s, const char *path,
    struct xk_error *err)
{
	char real[PATH_MAX];

	if (realpath(path, real) == NULL) {
		xk_error_errno(err, errno, "patch %s", path);
		return -1;
	}
	if (xk_is_dir(real))
		return add_patch_dir(s, real, err);
	if (access(real, R_OK) == -1) {
		xk_error_errno(err, errno, "patch %s", path);
		return -1;
	}
	if (plain_path(real, err) == -1)
		return -1;
	return push(&s->patches, &s->npatches, real, err);
}

int
xk_xen_add_config(struct xk_xen_spec *s, const char *kv,
    struct xk_error *err)
{
	size_t n = strspn(kv + 7, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
	size_t i;

	if (strncmp(kv, "CONFIG_", 7) != 0 || n == 0 || kv[7 + n] != '=' ||
	    kv[8 + n] == '\0' || strchr(kv, '\n') != NULL) {
		xk_error_set(err, "config '%s': want CONFIG_NAME=VALUE "
		    "(a Kconfig option of the hypervisor, e.g. "
		    "CONFIG_DEBUG=y)", kv);
		return -1;
	}
	for (i = 0; i < s->nconfig; i++) {
		if (strncmp(s->config[i], kv, 8 + n) == 0) {
			xk_error_set(err, "config '%s': %.*s given twice", kv,
			    (int)(7 + n), kv);
			return -1;
		}
	}
	return push(&s->config, &s->nconfig, kv, err);
}

void
xk_xen_spec_free(struct xk_xen_spec *s)
{
	size_t i;

	for (i = 0; i < s->npatches; i++)
		free(s->patches[i]);
	for (i = 0; i < s->nconfig; i++)
		free(s->config[i]);
	free(s->patches);
	free(s->config);
	free(s->source);
	memset(s, 0, sizeof(*s));
}

int
xk_xen_key(const struct xk_xen_spec *s, const char *recipe_sum,
    const char *version, const char *hash, const char *compiler,
    char **desc, char key[XK_IMAGE_KEY_LEN], struct xk_error *err)
{
	struct strbuf m = STRBUF_INIT, d = STRBUF_INIT;
	char sum[XK_IMAGE_KEY_LEN];
	int r = 0;
	size_t i;

	*desc = NULL;
	/* the key: content only (where the source and patches lie, and
	 * what they are called, is not) */
	r |= strbuf_addf(&m, "recipe %s\nsource %s %s\n", recipe_sum,
	    strcmp(s->source, "debian") == 0 ? "debian" : "tree", hash);
	r |= strbuf_addf(&d, "source %s\nversion %s\nhash %s\n", s->source,
	    version, hash);
	for (i = 0; i < s->npatches; i++) {
		if (xk_sha256_file(s->patches[i], sum, err) == -1) {
			xk_error_prefix(err, "patch");
			goto fail;
		}
		r |= strbuf_addf(&m, "patch %s\n", sum);
		r |= strbuf_addf(&d, "patch %s %s\n", s->patches[i], sum);
	}
	for (i = 0; i < s->nconfig; i++) {
		r |= strbuf_addf(&m, "config %s\n", s->config[i]);
		r |= strbuf_addf(&d, "config %s\n", s->config[i]);
	}
	r |= strbuf_addf(&m, "compiler %s\n", compiler);
	r |= strbuf_addf(&d, "compiler %s\nrecipe %s\n", compiler, recipe_sum);
	if (r != 0) {
		xk_error_errno(err, ENOMEM, "key");
		goto fail;
	}
	if (xk_sha256_mem(m.buf, m.len, key, err) == -1)
		goto fail;
	*desc = strbuf_detach(&d);
	strbuf_free(&m);
	return 0;
fail:
	strbuf_free(&m);
	strbuf_free(&d);
	return -1;
}

/* The first line of `gcc --version`: the compiler is part of the key. */
static int
compiler_version(struct strbuf *out, struct xk_error *err)
{
	const char *const argv[] = { "gcc", "--version", NULL };

	if (xk_run_ok(argv, out, err) == -1) {
		xk_error_prefix(err, "the hypervisor build needs gcc");
		return -1;
	}
	out->buf[strcspn(out->buf, "\n")] = '\0';
	out->len = strlen(out->buf);
	return 0;
}

/* The value of the "NAME VALUE" line of text, into buf. */
static int
field(const char *text, const char *name, char *buf, size_t len)
{
	size_t n = strlen(name);
	const char *p;

	for (p = text; p != NULL && *p != '\0'; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, name, n) == 0 && p[n] == ' ') {
			snprintf(buf, len, "%.*s", (int)strcspn(p + n + 1,
			    "\n"), p + n + 1);
			return 0;
		}
	}
	return -1;
}

/* xen-source.sh resolve: the source's version and content hash. */
static int
resolve(const char *env_cache, const char *script, const char *source,
    int log_fd, char *version, char *hash, struct xk_error *err)
{
	const char *const argv[] = { "env", env_cache, "/bin/sh", script,
	    "resolve", source, NULL };
	const struct xk_run_opts o = { .out = XK_RUN_CAPTURE, .err = log_fd,
	    .c_locale = true };
	struct strbuf out = STRBUF_INIT;
	int st;

	if (xk_run(argv, &o, &out, &st, err) == -1)
		return -1;
	if (st != 0 || out.buf == NULL ||
	    field(out.buf, "version", version, 128) == -1 ||
	    field(out.buf, "hash", hash, XK_IMAGE_KEY_LEN) == -1) {
		xk_error_set(err, "source %s: unusable (xen-source.sh status "
		    "%d; its messages are above)", source, st);
		strbuf_free(&out);
		return -1;
	}
	strbuf_free(&out);
	return 0;
}

/* "NAME=a\nb\n": the list as one environment variable, a line each. */
static char *
env_list(const char *name, char *const *v, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	int r = strbuf_addf(&sb, "%s=", name);

	for (i = 0; i < n; i++)
		r |= strbuf_addf(&sb, "%s\n", v[i]);
	if (r != 0) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

struct xen_paths {
	char cache[PATH_MAX];		/* CACHE/xen */
	char script[PATH_MAX];		/* share/lab/build-xen.sh */
	char finder[PATH_MAX];		/* share/lab/xen-source.sh */
	char env_cache[PATH_MAX + 16];	/* XK_XEN_CACHE=... */
};

static int
xen_paths(const char *share, struct xen_paths *p, struct xk_error *err)
{
	char root[PATH_MAX];

	if (xk_image_cache_root(root, sizeof(root), err) == -1)
		return -1;
	if (snprintf(p->cache, sizeof(p->cache), "%s/xen", root) >=
	    (int)sizeof(p->cache) || snprintf(p->script, sizeof(p->script),
	    "%s/build-xen.sh", share) >= (int)sizeof(p->script) ||
	    snprintf(p->finder, sizeof(p->finder), "%s/xen-source.sh",
	    share) >= (int)sizeof(p->finder)) {
		xk_error_set(err, "%s: path too long", root);
		return -1;
	}
	snprintf(p->env_cache, sizeof(p->env_cache), "XK_XEN_CACHE=%s",
	    p->cache);
	return 0;
}

static int
run_build(const struct xen_paths *p, const struct xk_xen_spec *s,
    const char *key, const char *desc, const char *version, int force,
    int log_fd, struct xk_error *err)
{
	char *patches = env_list("XK_XEN_PATCHES", s->patches, s->npatches);
	char *config = env_list("XK_XEN_CONFIG", s->config, s->nconfig);
	char ver[160];
	const char *argv[] = { "env", p->env_cache, ver, patches, config,
	    "/bin/sh", p->script, "build", s->source, NULL };
	const struct xk_cache_job j = { .cache = p->cache, .key = key,
	    .desc = desc, .files = config_is(s, "CONFIG_COVERAGE", "y") ?
	    xen_cov_files : xen_files, .argv = argv,
	    .what = "build-xen.sh", .space_mb = XEN_SPACE_MB,
	    .log_fd = log_fd, .force = force != 0 };
	int r = -1;

	snprintf(ver, sizeof(ver), "XK_XEN_VERSION=%s", version);
	if (patches == NULL || config == NULL)
		xk_error_errno(err, ENOMEM, "build-xen.sh");
	else
		r = xk_cache_build(&j, err);
	free(patches);
	free(config);
	return r;
}

static int
build_spec(const char *share, const struct xk_xen_spec *s, int force,
    int log_fd, xk_lab_note_fn note, void *arg, char *entry, size_t len,
    struct xk_error *err)
{
	char version[128], hash[XK_IMAGE_KEY_LEN], key[XK_IMAGE_KEY_LEN];
	char rsum[XK_IMAGE_KEY_LEN];
	struct strbuf cc = STRBUF_INIT;
	struct xen_paths p;
	char *desc = NULL;
	int64_t t0 = xk_mono_ms();
	int r = -1;

	if (xen_paths(share, &p, err) == -1 ||
	    xk_sha256_file(p.script, rsum, err) == -1 ||
	    compiler_version(&cc, err) == -1 ||
	    resolve(p.env_cache, p.finder, s->source, log_fd, version, hash,
	    err) == -1 ||
	    xk_xen_key(s, rsum, version, hash, cc.buf, &desc, key, err) == -1)
		goto out;
	if (snprintf(entry, len, "%s/%s", p.cache, key) >= (int)len) {
		xk_error_set(err, "%s: path too long", p.cache);
		goto out;
	}
	if (!force && xk_is_dir(entry)) {
		if (xk_cache_verify(entry, entry_files(entry), err) == 0) {
			xk_lab_tell(note, arg, "xen %.12s: cached, verified in %.1f s",
			    key, (double)(xk_mono_ms() - t0) / 1000.0);
			r = 0;
			goto out;
		}
		xk_lab_tell(note, arg, "cached xen build: %s; rebuilding", err->msg);
		xk_error_clear(err);
	}
	xk_lab_tell(note, arg, "xen %.12s: building Xen %s from %s (minutes)", key,
	    version, s->source);
	if (run_build(&p, s, key, desc, version, force, log_fd,
	    err) == -1)
		goto out;
	xk_lab_tell(note, arg, "xen %.12s: built in %.1f s", key,
	    (double)(xk_mono_ms() - t0) / 1000.0);
	r = 0;
out:
	free(desc);
	strbuf_free(&cc);
	return r;
}

/*
 * A coverage build: share/lab/xen-coverage's patches first (Xen 4.17's
 * gcov code predates the GCC 12 that builds it), then the user's.  As
 * patches of the spec, their content is in the key and key.txt names
 * them.
 */
static int
coverage_spec(const char *share, const struct xk_xen_spec *s,
    struct xk_xen_spec *c, struct xk_error *err)
{
	char dir[PATH_MAX];
	size_t i;

	memset(c, 0, sizeof(*c));
	if (snprintf(dir, sizeof(dir), "%s/xen-coverage", share) >=
	    (int)sizeof(dir)) {
		xk_error_set(err, "%s: path too long", share);
		return -1;
	}
	if (xk_xen_set_source(c, s->source, err) == -1 ||
	    xk_xen_add_patch(c, dir, err) == -1)
		return -1;
	for (i = 0; i < s->npatches; i++)
		if (push(&c->patches, &c->npatches, s->patches[i], err) == -1)
			return -1;
	for (i = 0; i < s->nconfig; i++)
		if (push(&c->config, &c->nconfig, s->config[i], err) == -1)
			return -1;
	return 0;
}

int
xk_xen_build(const char *share, const struct xk_xen_spec *s, int force,
    int log_fd, xk_lab_note_fn note, void *arg, char *entry, size_t len,
    struct xk_error *err)
{
	struct xk_xen_spec c;
	int r;

	if (xk_xen_check_config(s, err) == -1)
		return -1;
	if (!config_is(s, "CONFIG_COVERAGE", "y"))
		return build_spec(share, s, force, log_fd, note, arg, entry,
		    len, err);
	r = coverage_spec(share, s, &c, err);
	if (r == 0)
		r = build_spec(share, &c, force, log_fd, note, arg, entry,
		    len, err);
	xk_xen_spec_free(&c);
	return r;
}

/* The one entry of cache whose key starts with id. */
static int
find_prefix(const char *cache, const char *id, char *entry, size_t len,
    struct xk_error *err)
{
	size_t n = strlen(id);
	struct dirent *de;
	int found = 0;
	DIR *d;

	if (n < 6 || n > 64 || strspn(id, "0123456789abcdef") != n) {
		xk_error_set(err, "hypervisor '%s': want 'debian', a build's "
		    "directory or its key (6 to 64 hex digits)", id);
		return -1;
	}
	d = opendir(cache);
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, id, n) != 0 ||
		    strlen(de->d_name) != XK_IMAGE_KEY_LEN - 1)
			continue;
		snprintf(entry, len, "%s/%s", cache, de->d_name);
		found++;
	}
	if (d != NULL)
		closedir(d);
	if (found != 1) {
		xk_error_set(err, "hypervisor '%s': %s in %s (xk lab xen "
		    "builds one)", id, found ? "ambiguous" : "no such build",
		    cache);
		return -1;
	}
	return 0;
}

int
xk_xen_find(const char *id, char *entry, size_t len, struct xk_error *err)
{
	struct xen_paths p;

	if (xk_is_dir(id)) {
		if (realpath(id, entry) == NULL || strlen(entry) >= len) {
			xk_error_errno(err, errno, "%s", id);
			return -1;
		}
	} else if (xen_paths(".", &p, err) == -1 ||
	    find_prefix(p.cache, id, entry, len, err) == -1) {
		return -1;
	}
	if (xk_cache_verify(entry, entry_files(entry), err) == -1) {
		xk_error_prefix(err, "hypervisor build %s", id);
		return -1;
	}
	return 0;
}

/* "xen-hypervisor-4.17-amd64=VERSION" of an image's versions file. */
static void
image_version(const char *image, const char *pkg, char *buf, size_t len)
{
	char path[PATH_MAX], *text = NULL, want[128];
	size_t n;
	const char *p;

	snprintf(buf, len, "(unknown)");
	snprintf(path, sizeof(path), "%s/versions", image);
	if (xk_read_file(path, 1 << 20, &text, &n, &(struct xk_error){ 0 })
	    == -1)
		return;
	snprintf(want, sizeof(want), "%s=", pkg);
	for (p = text; p != NULL; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, want, strlen(want)) == 0) {
			p += strlen(want);
			snprintf(buf, len, "%.*s", (int)strcspn(p, "\n"), p);
			break;
		}
	}
	free(text);
}

int
xk_xen_describe(const char *image, const char *entry, char **text,
    struct xk_error *err)
{
	char tools[128], hv[128], path[PATH_MAX], *kt = NULL, ver[128];
	struct strbuf sb = STRBUF_INIT;
	const char *p, *next;
	size_t n;
	int r = 0;

	image_version(image, "xen-utils-4.17", tools, sizeof(tools));
	if (entry == NULL) {
		image_version(image, "xen-hypervisor-4.17-amd64", hv,
		    sizeof(hv));
		r |= strbuf_addf(&sb, "xen:    Debian's binary, "
		    "xen-hypervisor-4.17-amd64 %s\n", hv);
	} else {
		snprintf(path, sizeof(path), "%s/key.txt", entry);
		if (xk_read_file(path, 1 << 20, &kt, &n, err) == -1)
			return -1;
		r |= strbuf_addf(&sb, "xen:    built from source (%s)\n",
		    entry);
		for (p = kt; p != NULL && *p != '\0'; p = next) {
			n = strcspn(p, "\n");
			next = p[n] == '\n' ? p + n + 1 : p + n;
			r |= strbuf_addf(&sb, "        %.*s\n", (int)n, p);
		}
		if (field(kt, "version", ver, sizeof(ver)) == 0 &&
		    strcmp(ver, tools) != 0)
			r |= strbuf_addf(&sb, "        (its source is %s, "
			    "dom0's tools are %s: the same 4.17 series, "
			    "compatible)\n", ver, tools);
		free(kt);
	}
	r |= strbuf_addf(&sb, "tools:  Debian's xen-utils-4.17 %s\n", tools);
	if (r != 0) {
		strbuf_free(&sb);
		xk_error_errno(err, ENOMEM, "describe");
		return -1;
	}
	*text = strbuf_detach(&sb);
	return 0;
}

int
xk_xen_record(const char *state, const char *text, struct xk_error *err)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/" XK_LAB_HYPERVISOR, state) >=
	    (int)sizeof(path)) {
		xk_error_set(err, "%s: path too long", state);
		return -1;
	}
	return xk_tempfile_write(path, text, strlen(text), err);
}

int
xk_xen_recorded(const char *state, char **text, struct xk_error *err)
{
	char path[PATH_MAX];
	size_t n;

	if (snprintf(path, sizeof(path), "%s/" XK_LAB_HYPERVISOR, state) >=
	    (int)sizeof(path)) {
		xk_error_set(err, "%s: path too long", state);
		return -1;
	}
	return xk_read_file(path, 1 << 16, text, &n, err);
}
