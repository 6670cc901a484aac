/*
 * image.c - image cache keys, verification and builds (see image.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "lab/image.h"
#include "util/run.h"
#include "util/strbuf.h"

/* The recipe: the files whose content makes the base image. */
static const char *const recipe_files[] = {
	"build-image.sh", "build-guest.sh", "guest-init", "boot-init", NULL,
};

/* The packages whose versions make the base image (see build-image.sh). */
static const char *const key_packages[] = {
	"xen-hypervisor-4.17-amd64", "xen-utils-4.17", "xen-utils-common",
	"qemu-system-xen", "qemu-utils", "linux-image-amd64",
	"busybox-static", "iproute2", "bridge-utils", "lvm2", "e2fsprogs",
	"xfsprogs", "libc6", NULL,
};

/* Files of an entry, checked by SHA256SUMS. */
static const char *const entry_files[] = {
	"xen.elf", "vmlinux", "dom0.sqfs", "boot.cpio.gz", "guest.cpio.gz",
	"versions", "key.txt", NULL,
};

/* dir/name into buf; -1 if it does not fit. */
static int
join(char *buf, size_t len, const char *dir, const char *name,
    struct xk_error *err)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= len) {
		xk_error_set(err, "%s/%s: path too long", dir, name);
		return -1;
	}
	return 0;
}

#define BUILD_SPACE_MB	3072	/* chroot + packed image, with margin */

int
xk_image_cache_root(char *buf, size_t len, struct xk_error *err)
{
	const char *c = getenv("XK_LAB_CACHE");
	const char *x = getenv("XDG_CACHE_HOME");
	const char *h = getenv("HOME");
	int n;

	if (c != NULL && *c != '\0')
		n = snprintf(buf, len, "%s", c);
	else if (x != NULL && *x == '/')
		n = snprintf(buf, len, "%s/xenkit/lab", x);
	else if (h != NULL && *h == '/')
		n = snprintf(buf, len, "%s/.cache/xenkit/lab", h);
	else {
		xk_error_set(err, "no cache directory: set XK_LAB_CACHE");
		return -1;
	}
	if (n < 0 || (size_t)n >= len) {
		xk_error_set(err, "cache directory path too long");
		return -1;
	}
	return 0;
}

static void
hex(const unsigned char *md, unsigned len, char *out)
{
	unsigned i;

	for (i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
	out[2 * len] = '\0';
}

int
xk_sha256_file(const char *path, char out[XK_IMAGE_KEY_LEN],
    struct xk_error *err)
{
	unsigned char md[EVP_MAX_MD_SIZE], buf[1 << 16];
	unsigned mdlen;
	EVP_MD_CTX *ctx;
	ssize_t n;
	int fd, r = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		xk_error_errno(err, errno, "%s", path);
		return -1;
	}
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		xk_error_set(err, "sha256: OpenSSL initialisation failed");
		goto out;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1) {
			xk_error_set(err, "sha256 %s failed", path);
			goto out;
		}
	}
	if (n < 0) {
		xk_error_errno(err, errno, "read %s", path);
		goto out;
	}
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1) {
		xk_error_set(err, "sha256 %s failed", path);
		goto out;
	}
	hex(md, mdlen, out);
	r = 0;
out:
	EVP_MD_CTX_free(ctx);
	close(fd);
	return r;
}

int
xk_sha256_mem(const void *p, size_t len, char out[XK_IMAGE_KEY_LEN],
    struct xk_error *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen;

	if (EVP_Digest(p, len, md, &mdlen, EVP_sha256(), NULL) != 1) {
		xk_error_set(err, "sha256 failed");
		return -1;
	}
	hex(md, mdlen, out);
	return 0;
}

/* stdout into sb (stderr dropped), in the C locale: we parse it */
static const struct xk_run_opts parse_opts = { .out = XK_RUN_CAPTURE,
    .err = XK_RUN_DEVNULL, .c_locale = true };

/* "package version" lines from `apt-cache policy`'s Candidate: lines. */
static int
package_versions(struct strbuf *desc, struct xk_error *err)
{
	const char *argv[32] = { "apt-cache", "policy" };
	struct strbuf out = STRBUF_INIT;
	char *line, *save = NULL, *pkg = NULL;
	int i, n = 2, found = 0, st;

	for (i = 0; key_packages[i] != NULL; i++)
		argv[n++] = key_packages[i];
	argv[n] = NULL;
	if (xk_run(argv, &parse_opts, &out, &st, err) < 0) {
		xk_error_prefix(err, "the lab needs apt (Debian 12)");
		strbuf_free(&out);
		return -1;
	}
	if (st != 0 || out.buf == NULL) {
		xk_error_set(err, "apt-cache policy failed (status %d)", st);
		strbuf_free(&out);
		return -1;
	}
	for (line = strtok_r(out.buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char ver[256];

		if (line[0] != ' ' && strchr(line, ':') != NULL) {
			pkg = line;
			pkg[strcspn(pkg, ":")] = '\0';
		} else if (sscanf(line, " Candidate: %255s", ver) == 1 &&
		    pkg != NULL) {
			if (strcmp(ver, "(none)") == 0) {
				xk_error_set(err, "no candidate version of %s "
				    "in the apt lists (run apt-get update)",
				    pkg);
				strbuf_free(&out);
				return -1;
			}
			if (strbuf_addf(desc, "package %s %s\n", pkg, ver) ==
			    -1) {
				xk_error_errno(err, ENOMEM, "key");
				strbuf_free(&out);
				return -1;
			}
			found++;
		}
	}
	strbuf_free(&out);
	if (found != i) {
		xk_error_set(err, "apt-cache knows %d of the %d packages the "
		    "image needs (run apt-get update)", found, i);
		return -1;
	}
	return 0;
}

int
xk_image_key(const char *share, char key[XK_IMAGE_KEY_LEN], char **desc,
    struct xk_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	char path[PATH_MAX], sum[XK_IMAGE_KEY_LEN];
	int i;

	if (desc != NULL)
		*desc = NULL;
	for (i = 0; recipe_files[i] != NULL; i++) {
		if (join(path, sizeof(path), share, recipe_files[i], err) ==
		    -1 || xk_sha256_file(path, sum, err) == -1) {
			xk_error_prefix(err, "recipe");
			strbuf_free(&sb);
			return -1;
		}
		if (strbuf_addf(&sb, "recipe %s %s\n", recipe_files[i], sum) ==
		    -1) {
			xk_error_errno(err, ENOMEM, "key");
			strbuf_free(&sb);
			return -1;
		}
	}
	if (package_versions(&sb, err) == -1 ||
	    xk_sha256_mem(sb.buf, sb.len, key, err) == -1) {
		strbuf_free(&sb);
		return -1;
	}
	if (desc != NULL)
		*desc = strbuf_detach(&sb);
	strbuf_free(&sb);
	return 0;
}

int
xk_image_entry(const char *cache, const char *key, char *buf, size_t len,
    struct xk_error *err)
{
	int n = snprintf(buf, len, "%s/%s", cache, key ? key : "latest");

	if (n < 0 || (size_t)n >= len) {
		xk_error_set(err, "%s: path too long", cache);
		return -1;
	}
	return 0;
}

int
xk_image_verify(const char *entry, struct xk_error *err)
{
	return xk_cache_verify(entry, entry_files, err);
}

int
xk_cache_verify(const char *entry, const char *const files[],
    struct xk_error *err)
{
	char path[PATH_MAX], line[PATH_MAX + 80], sum[XK_IMAGE_KEY_LEN];
	char want[XK_IMAGE_KEY_LEN], name[PATH_MAX];
	int checked = 0, i;
	FILE *fp;

	if (join(path, sizeof(path), entry, "SHA256SUMS", err) == -1)
		return -1;
	fp = fopen(path, "re");
	if (fp == NULL) {
		xk_error_errno(err, errno, "%s", path);
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "%64s %4095s", want, name) != 2 ||
		    strchr(name, '/') != NULL) {
			xk_error_set(err, "%s: malformed line", path);
			fclose(fp);
			return -1;
		}
		if (join(path, sizeof(path), entry, name, err) == -1 ||
		    xk_sha256_file(path, sum, err) == -1) {
			fclose(fp);
			return -1;
		}
		if (strcmp(sum, want) != 0) {
			xk_error_set(err, "%s: checksum mismatch (corrupt "
			    "cache entry)", path);
			fclose(fp);
			return -1;
		}
		checked++;
	}
	fclose(fp);
	for (i = 0; files[i] != NULL; i++)
		;
	if (checked != i) {
		xk_error_set(err, "%s: SHA256SUMS lists %d files, expected %d",
		    entry, checked, i);
		return -1;
	}
	return 0;
}

static int
mkdir_p(const char *path, struct xk_error *err)
{
	char p[PATH_MAX];
	char *s;

	snprintf(p, sizeof(p), "%s", path);
	for (s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) == -1 && errno != EEXIST) {
			xk_error_errno(err, errno, "mkdir %s", p);
			return -1;
		}
		*s = '/';
	}
	if (mkdir(p, 0755) == -1 && errno != EEXIST) {
		xk_error_errno(err, errno, "mkdir %s", p);
		return -1;
	}
	return 0;
}

/* rm -rf, for our own temporary build directories only. */
static void
remove_tree(const char *path)
{
	const char *const argv[] = { "rm", "-rf", "--one-file-system",
	    path, NULL };
	struct xk_error ignore;

	xk_run_ok(argv, NULL, &ignore);
}

/*
 * The job's recipe with its output directory as last argument.  The
 * recipe holds the cache's lock too: if we are killed (the user's
 * SIGTERM, a timeout), the lock lives on while the build still runs,
 * so the next build waits for it instead of sweeping its directory
 * from under it.
 */
static int
run_recipe(const struct xk_cache_job *j, const char *out, int lock,
    struct xk_error *err)
{
	const struct xk_run_opts o = { .out = j->log_fd, .err = j->log_fd,
	    .hold_fd = lock };
	const char *argv[32];
	int status, n;

	for (n = 0; j->argv[n] != NULL && n < 30; n++)
		argv[n] = j->argv[n];
	argv[n++] = out;
	argv[n] = NULL;
	if (xk_run(argv, &o, NULL, &status, err) == -1)
		return -1;
	if (status != 0) {
		xk_error_set(err, "%s failed (status %d; its messages are "
		    "above)", j->what, status);
		return -1;
	}
	return 0;
}

static int
write_sums(const char *dir, const struct xk_cache_job *j,
    struct xk_error *err)
{
	char path[PATH_MAX], sum[XK_IMAGE_KEY_LEN];
	FILE *fp;
	int i;

	if (join(path, sizeof(path), dir, "key.txt", err) == -1)
		return -1;
	fp = fopen(path, "we");
	if (fp == NULL || fputs(j->desc, fp) == EOF || fclose(fp) == EOF) {
		xk_error_errno(err, errno, "%s", path);
		return -1;
	}
	if (join(path, sizeof(path), dir, "SHA256SUMS", err) == -1)
		return -1;
	fp = fopen(path, "we");
	if (fp == NULL) {
		xk_error_errno(err, errno, "%s", path);
		return -1;
	}
	for (i = 0; j->files[i] != NULL; i++) {
		char f[PATH_MAX];

		if (join(f, sizeof(f), dir, j->files[i], err) == -1 ||
		    xk_sha256_file(f, sum, err) == -1) {
			fclose(fp);
			return -1;
		}
		fprintf(fp, "%s  %s\n", sum, j->files[i]);
	}
	if (fflush(fp) == EOF || fsync(fileno(fp)) == -1) {
		xk_error_errno(err, errno, "%s", path);
		fclose(fp);
		return -1;
	}
	if (fclose(fp) == EOF) {
		xk_error_errno(err, errno, "%s", path);
		return -1;
	}
	return 0;
}

static int
check_space(const char *dir, const struct xk_cache_job *j,
    struct xk_error *err)
{
	struct statvfs sv;
	unsigned long long mb;

	if (statvfs(dir, &sv) == -1) {
		xk_error_errno(err, errno, "statvfs %s", dir);
		return -1;
	}
	mb = (unsigned long long)sv.f_bavail * sv.f_frsize >> 20;
	if (mb < (unsigned long long)j->space_mb) {
		xk_error_set(err, "%s: %llu MiB free, %s needs about %d MiB",
		    dir, mb, j->what, j->space_mb);
		return -1;
	}
	return 0;
}

static int locked_build(const struct xk_cache_job *, int, struct xk_error *);

static int
is_key(const char *name)
{
	size_t n = strspn(name, "0123456789abcdef");

	return n == XK_IMAGE_KEY_LEN - 1 && name[n] == '\0';
}

/*
 * After a build: the cache keeps the new entry and the one "latest"
 * named before it (so two checkouts with different recipes do not
 * rebuild in turn); older entries and what dead builds left (*.tmp.*)
 * go.  Runs under the build lock.  A lab still running from a removed
 * entry is unaffected: QEMU holds its files open.
 */
static void
prune_cache(const char *cache, const char *key, const char *previous)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(cache);

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		const char *n = de->d_name;

		if (strcmp(n, key) == 0 || strcmp(n, previous) == 0 ||
		    (!is_key(n) && strstr(n, ".tmp.") == NULL))
			continue;
		if (join(path, sizeof(path), cache, n, &(struct xk_error){ 0 })
		    == 0)
			remove_tree(path);
	}
	closedir(d);
}

int
xk_image_build(const char *share, const char *cache, const char *key,
    const char *desc, int force, int log_fd, struct xk_error *err)
{
	char script[PATH_MAX];
	const char *argv[] = { "/bin/sh", script, NULL };
	const struct xk_cache_job j = { .cache = cache, .key = key,
	    .desc = desc, .files = entry_files, .argv = argv,
	    .what = script, .space_mb = BUILD_SPACE_MB,
	    .log_fd = log_fd, .latest = true, .force = force != 0 };

	if (geteuid() != 0) {
		xk_error_set(err, "building the image needs root "
		    "(debootstrap and chroot)");
		return -1;
	}
	if (access("/usr/sbin/debootstrap", X_OK) == -1) {
		xk_error_set(err, "debootstrap not found: install the Debian "
		    "package debootstrap");
		return -1;
	}
	if (join(script, sizeof(script), share, "build-image.sh", err) == -1)
		return -1;
	return xk_cache_build(&j, err);
}

int
xk_cache_build(const struct xk_cache_job *j, struct xk_error *err)
{
	char tmp[PATH_MAX];
	int lock, r;

	if (mkdir_p(j->cache, err) == -1)
		return -1;
	/*
	 * One build at a time per cache: a second build waits, then
	 * finds the entry the first one made.
	 */
	if (join(tmp, sizeof(tmp), j->cache, "build.lock", err) == -1)
		return -1;
	lock = open(tmp, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (lock == -1 || flock(lock, LOCK_EX) == -1) {
		xk_error_errno(err, errno, "%s", tmp);
		if (lock != -1)
			close(lock);
		return -1;
	}
	r = locked_build(j, lock, err);
	close(lock);
	return r;
}

/* "latest" is switched atomically: a new link renamed over it. */
static int
set_latest(const struct xk_cache_job *j, struct xk_error *err)
{
	char tmp[PATH_MAX], link[PATH_MAX], previous[XK_IMAGE_KEY_LEN];
	ssize_t n;

	if (join(tmp, sizeof(tmp), j->cache, "latest.tmp", err) == -1 ||
	    join(link, sizeof(link), j->cache, "latest", err) == -1)
		return -1;
	n = readlink(link, previous, sizeof(previous) - 1);
	previous[n > 0 ? n : 0] = '\0';
	unlink(tmp);
	if (symlink(j->key, tmp) == -1 || rename(tmp, link) == -1) {
		xk_error_errno(err, errno, "%s/latest", j->cache);
		return -1;
	}
	prune_cache(j->cache, j->key, previous);
	return 0;
}

/* Under the lock no build runs: a *.tmp.* entry is a killed one's. */
static void
sweep_tmp(const char *cache)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(cache);

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strstr(de->d_name, ".tmp.") != NULL && join(path,
		    sizeof(path), cache, de->d_name, &(struct xk_error){ 0 })
		    == 0)
			remove_tree(path);
	}
	closedir(d);
}

static int
locked_build(const struct xk_cache_job *j, int lock, struct xk_error *err)
{
	char tmp[PATH_MAX], work[PATH_MAX], final[PATH_MAX];
	struct xk_error ignore;

	if (!j->force && join(final, sizeof(final), j->cache, j->key,
	    &ignore) == 0 && xk_cache_verify(final, j->files, &ignore) == 0)
		return 0;
	sweep_tmp(j->cache);
	if (check_space(j->cache, j, err) == -1)
		return -1;
	if (join(final, sizeof(final), j->cache, j->key, err) == -1 ||
	    snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", final, (long)getpid()) >=
	    (int)sizeof(tmp) - 8 ||
	    snprintf(work, sizeof(work), "%s.work", tmp) >= (int)sizeof(work)) {
		xk_error_set(err, "%s: path too long", j->cache);
		return -1;
	}
	remove_tree(tmp);
	if (run_recipe(j, tmp, lock, err) == -1 ||
	    write_sums(tmp, j, err) == -1)
		goto fail;
	/* A stale or corrupt entry under the same key makes way. */
	remove_tree(final);
	if (rename(tmp, final) == -1) {
		xk_error_errno(err, errno, "rename %s", tmp);
		goto fail;
	}
	return j->latest ? set_latest(j, err) : 0;
fail:
	remove_tree(tmp);
	remove_tree(work);
	return -1;
}
