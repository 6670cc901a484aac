/*
 * lab.c - start, watch and stop the lab's QEMU (see lab.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include "lab/ctl.h"
#include "lab/lab.h"
#include "lab/proto.h"
#include "lab/serial.h"
#include "lab/state.h"
#include "util/clock.h"
#include "util/run.h"
#include "util/strbuf.h"

#define SPATH(buf, state, name) \
	((size_t)snprintf((buf), sizeof(buf), "%s/%s", (state), (name)) < \
	    sizeof(buf))

int
xk_lab_state_dir(const char *name, char *buf, size_t len,
    struct xk_error *err)
{
	const char *s = getenv("XK_LAB_STATE");
	const char *rt = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	int n;

	if (s != NULL && *s != '\0')
		n = snprintf(buf, len, "%s", s);
	else if (rt != NULL && *rt != '\0' && stat(rt, &st) == 0 &&
	    S_ISDIR(st.st_mode))
		n = snprintf(buf, len, "%s/xenkit-lab/%s", rt, name);
	else
		n = snprintf(buf, len, "/tmp/xenkit-lab-%u/%s",
		    (unsigned)getuid(), name);
	/* UNIX socket paths are short (108 bytes) and QEMU's -initrd
	 * splits at commas: refuse such directories up front. */
	if (n < 0 || (size_t)n >= len || n > 80) {
		xk_error_set(err, "state directory for lab '%s' is too long "
		    "for a socket path (set XK_LAB_STATE)", name);
		return -1;
	}
	if (strchr(buf, ',') != NULL) {
		xk_error_set(err, "%s: a state directory cannot contain ','",
		    buf);
		return -1;
	}
	return 0;
}

static int
mkdirs(const char *path, struct xk_error *err)
{
	char p[PATH_MAX];
	char *s;

	snprintf(p, sizeof(p), "%s", path);
	for (s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, 0700) == -1 && errno != EEXIST) {
			xk_error_errno(err, errno, "mkdir %s", p);
			return -1;
		}
		*s = c;
		if (c == '\0')
			return 0;
	}
}

static int
read_pid(const char *state, pid_t *pid)
{
	char path[PATH_MAX], buf[32];
	ssize_t n;
	long v;
	int fd;

	*pid = 0;
	if (!SPATH(path, state, XK_LAB_QEMU_PID))
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	v = strtol(buf, NULL, 10);
	if (v > 0)
		*pid = (pid_t)v;
	return 0;
}

/* Is pid still a QEMU?  (Guards against a recycled pid.) */
static int
is_qemu(pid_t pid)
{
	char path[64], buf[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/cmdline", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strstr(buf, "qemu") != NULL;
}

int
xk_lab_pid(const char *state, pid_t *pid, struct xk_error *err)
{
	(void)err;
	read_pid(state, pid);
	if (*pid > 0 && !is_qemu(*pid))
		*pid = 0;
	return 0;
}

pid_t
xk_lab_dead_pid(const char *state)
{
	pid_t pid;

	read_pid(state, &pid);
	return pid > 0 && !is_qemu(pid) ? pid : 0;
}

/* Copy src to the fd, appending. */
static int
append_file(int out, const char *src, struct xk_error *err)
{
	char buf[1 << 16];
	ssize_t n, w;
	int in;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in == -1) {
		xk_error_errno(err, errno, "%s", src);
		return -1;
	}
	for (;;) {
		/* copy_file_range shares page-cache work; fall back below. */
		n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
		if (n > 0)
			continue;
		if (n == 0)
			break;
		if (errno != EXDEV && errno != EINVAL && errno != ENOSYS &&
		    errno != EOPNOTSUPP) {
			xk_error_errno(err, errno, "copy %s", src);
			close(in);
			return -1;
		}
		while ((n = read(in, buf, sizeof(buf))) > 0) {
			char *p = buf;

			while (n > 0) {
				w = write(out, p, (size_t)n);
				if (w < 0) {
					xk_error_errno(err, errno, "copy %s",
					    src);
					close(in);
					return -1;
				}
				p += w;
				n -= w;
			}
		}
		if (n < 0) {
			xk_error_errno(err, errno, "read %s", src);
			close(in);
			return -1;
		}
		break;
	}
	close(in);
	return 0;
}

/* STATE/dom0.img = the image's boot.cpio.gz + the overlay cpio. */
static int
make_initrd(const struct xk_lab_boot *b, struct xk_error *err)
{
	char out[PATH_MAX], base[PATH_MAX];
	int fd, r;

	if (!SPATH(out, b->state, XK_LAB_DOM0_IMG) ||
	    !SPATH(base, b->image, "boot.cpio.gz")) {
		xk_error_set(err, "%s: path too long", b->state);
		return -1;
	}
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1) {
		xk_error_errno(err, errno, "%s", out);
		return -1;
	}
	r = append_file(fd, base, err);
	if (r == 0 && b->overlay != NULL)
		r = append_file(fd, b->overlay, err);
	if (close(fd) == -1 && r == 0) {
		xk_error_errno(err, errno, "%s", out);
		r = -1;
	}
	return r;
}

/* The argument vector for QEMU, in sb as NUL-separated strings. */
static int
qemu_args(const struct xk_lab_boot *b, struct strbuf *sb)
{
	const char *s = b->state, *img = b->image;
	int mem = b->mem_mb ? b->mem_mb : 3072;
	int dom0 = b->dom0_mb ? b->dom0_mb : 1536;
	int r = 0, i;

#define ARG(...) do { r |= strbuf_addf(sb, __VA_ARGS__); \
	r |= strbuf_addc(sb, '\0'); } while (0)
	ARG("%s", b->qemu ? b->qemu : "qemu-system-x86_64");
	/*
	 * TCG only: Xen dies on a CET instruction under KVM here.  The CPU
	 * model is Xen CI's (richer models, max, EPYC, +avx, corrupt
	 * memory in xl now and then under QEMU 7.2's TCG) plus nested
	 * paging: without +npt Xen has no HAP, and Debian's Xen has no
	 * shadow paging for HVM, so PVH and HVM guests could not start.
	 */
	ARG("-accel");
	ARG("tcg,thread=multi");
	ARG("-cpu");
	ARG("qemu64,+svm,+npt");
	ARG("-m");
	ARG("%d", mem);
	ARG("-smp");
	ARG("%d", b->cpus ? b->cpus : 2);
	/* named threads ("CPU 0/TCG"): the host can tell the lab's
	 * physical CPUs apart (t9530: the power cap seen from outside) */
	ARG("-name");
	ARG("xk-lab,debug-threads=on");
	ARG("-nodefaults");
	ARG("-display");
	ARG("none");
	ARG("-no-reboot");
	ARG("-monitor");
	ARG("none");
	ARG("-chardev");
	ARG("socket,id=ser0,path=%s/" XK_LAB_SERIAL_SOCK ",server=on,"
	    "wait=off,logfile=%s/" XK_LAB_SERIAL_LOG, s, s);
	ARG("-serial");
	ARG("chardev:ser0");
	/* dom0 has no RDRAND under TCG: virtio-rng seeds its CRNG. */
	ARG("-device");
	ARG("virtio-rng-pci");
	ARG("-device");
	ARG("virtio-serial-pci");
	for (i = 0; i < XK_CTL_PORTS; i++) {
		ARG("-chardev");
		ARG("socket,id=ctl%d,path=%s/ctl%d.sock,server=on,wait=off",
		    i, s, i);
		ARG("-device");
		ARG("virtserialport,chardev=ctl%d,name=xk.ctl%d", i, i);
	}
	/*
	 * dom0's root filesystem, read-only: pages are read as dom0 needs
	 * them (an initramfs root was unpacked whole at every boot).
	 * Labs side by side share it.
	 */
	ARG("-drive");
	ARG("file=%s/dom0.sqfs,if=none,id=root,format=raw,readonly=on",
	    img);
	ARG("-device");
	ARG("virtio-blk-pci,drive=root");
	ARG("-qmp");
	ARG("unix:%s/" XK_LAB_QMP_SOCK ",server=on,wait=off", s);
	ARG("-pidfile");
	ARG("%s/" XK_LAB_QEMU_PID, s);
	ARG("-daemonize");
	ARG("-kernel");
	if (b->xen != NULL)
		ARG("%s", b->xen);
	else
		ARG("%s/xen.elf", img);
	ARG("-append");
	ARG("console=com1 dom0_mem=%dM,max:%dM loglvl=all guest_loglvl=all "
	    "console_timestamps=boot", dom0, dom0);
	/* Multiboot modules, comma-separated: no comma in a module's args. */
	ARG("-initrd");
	ARG("%s/vmlinux console=hvc0 earlyprintk=xen quiet rdinit=/xkboot/init,"
	    "%s/dom0.img", img, s);
	/* the machine's state from a checkpoint (a shell word: the caller
	 * checked it, xk_lab_checkpoint_path_ok) */
	if (b->incoming != NULL) {
		ARG("-incoming");
		ARG("exec:cat %s", b->incoming);
	}
#undef ARG
	return r ? -1 : 0;
}

static int
spawn_qemu(const struct xk_lab_boot *b, const struct strbuf *sb,
    struct xk_error *err)
{
	const char *argv[64];
	char log[PATH_MAX];
	const char *p = sb->buf;
	struct xk_run_opts o = { .setsid = true };
	int n = 0, status, fd, r;

	while (p < sb->buf + sb->len && n < 63) {
		argv[n++] = p;
		p += strlen(p) + 1;
	}
	argv[n] = NULL;
	if (!SPATH(log, b->state, XK_LAB_QEMU_LOG)) {
		xk_error_set(err, "%s: path too long", b->state);
		return -1;
	}
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1) {
		xk_error_errno(err, errno, "%s", log);
		return -1;
	}
	/* -daemonize: xk_run returns once QEMU is set up (or failed) */
	o.out = o.err = fd;
	r = xk_run(argv, &o, NULL, &status, err);
	close(fd);
	if (r == -1 && err->errnum == ENOENT) {
		xk_error_set(err, "%s not found: install the Debian package "
		    "qemu-system-x86", argv[0]);
		return -1;
	}
	if (r == -1)
		return -1;
	if (status != 0) {
		char *tail = NULL;
		int fd2 = open(log, O_RDONLY | O_CLOEXEC);

		if (fd2 != -1) {
			char buf[512];
			ssize_t k = read(fd2, buf, sizeof(buf) - 1);

			close(fd2);
			if (k > 0) {
				buf[k] = '\0';
				buf[strcspn(buf, "\n")] = '\0';
				tail = strdup(buf);
			}
		}
		xk_error_set(err, "QEMU failed to start: %s",
		    tail ? tail : "(no message; see qemu.log)");
		free(tail);
		return -1;
	}
	return 0;
}

/* Remove what an earlier run left (sockets, logs, pid file). */
static void
clean_state(const char *state)
{
	static const char *const files[] = { XK_LAB_QEMU_PID, "ctl0.sock",
	    "ctl1.sock", "ctl2.sock", "ctl3.sock", XK_LAB_SERIAL_SOCK,
	    XK_LAB_QMP_SOCK, XK_LAB_SERIAL_LOG, XK_LAB_DOM0_IMG, NULL };
	char path[PATH_MAX];
	int i;

	for (i = 0; files[i] != NULL; i++)
		if (SPATH(path, state, files[i]))
			unlink(path);
}

int
xk_lab_prepare(const char *state, struct xk_error *err)
{
	pid_t pid;

	if (mkdirs(state, err) == -1)
		return -1;
	xk_lab_pid(state, &pid, err);
	if (pid > 0) {
		xk_error_set(err, "a lab already runs in %s (QEMU pid %ld)",
		    state, (long)pid);
		return -1;
	}
	clean_state(state);
	/* fresh: xk_lab_prune (from another lab's up) counts its age
	 * from here, and spares it while its QEMU is not up yet */
	utimensat(AT_FDCWD, state, NULL, 0);
	return 0;
}

int
xk_lab_start(const struct xk_lab_boot *b, struct xk_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	int r;

	if (xk_lab_prepare(b->state, err) == -1)
		return -1;
	if (make_initrd(b, err) == -1)
		return -1;
	if (qemu_args(b, &sb) == -1) {
		xk_error_errno(err, ENOMEM, "QEMU arguments");
		strbuf_free(&sb);
		return -1;
	}
	r = spawn_qemu(b, &sb, err);
	strbuf_free(&sb);
	return r;
}

/* Wait for pid to exit, at most timeout_ms.  1: gone, 0: still there. */
static int
wait_gone(pid_t pid, int timeout_ms)
{
	int64_t deadline = xk_mono_ms() + timeout_ms;
	int pfd;

	/* A pidfd turns "QEMU exited" into something poll() can wait on. */
	pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd >= 0) {
		struct pollfd p = { .fd = pfd, .events = POLLIN };
		int left;

		while ((left = (int)(deadline - xk_mono_ms())) > 0) {
			int n = poll(&p, 1, left);

			if (n > 0 || (n < 0 && errno != EINTR))
				break;
		}
		close(pfd);
	}
	/* No pidfd (old kernel) or the poll failed: check by hand. */
	while (kill(pid, 0) == 0 && is_qemu(pid)) {
		struct timespec ts = { 0, 50 * 1000000L };

		if (xk_mono_ms() >= deadline)
			return 0;
		nanosleep(&ts, NULL);
	}
	return 1;
}

int
xk_lab_kill(const char *state, struct xk_error *err)
{
	pid_t pid;

	xk_lab_pid(state, &pid, err);
	if (pid <= 0)
		return 0;
	kill(pid, SIGKILL);
	if (!wait_gone(pid, 10000)) {
		xk_error_set(err, "QEMU pid %ld survives SIGKILL", (long)pid);
		return -1;
	}
	return 0;
}

int
xk_lab_stop(const char *state, int timeout_ms, int *killed,
    struct xk_error *err)
{
	const char *const poweroff[] = { "/usr/lib/xk-lab/shutdown", NULL };
	struct xk_error ignore = { 0 };
	struct xk_ctl c;
	char sig[512];
	pid_t pid;
	int status;

	*killed = 0;
	xk_lab_pid(state, &pid, err);
	if (pid <= 0) {
		clean_state(state);
		return 0;
	}
	/*
	 * Ask dom0 to shut down: it destroys its guests and powers Xen
	 * off, and QEMU (-no-reboot) exits.  The channel dies with it,
	 * so the exec "fails"; what counts is that QEMU goes away.
	 */
	/* The whole stop takes at most timeout_ms (+5 s to kill): a dom0
	 * that does not answer must not make `down` hang, and a panicked
	 * hypervisor (its QEMU hung in the reboot) is not asked. */
	if (xk_lab_panicked(state, sig, sizeof(sig)) == 1) {
		timeout_ms = 0;
	} else if (xk_ctl_open(&c, state, timeout_ms / 6, &ignore) == 0) {
		xk_ctl_exec(&c, poweroff, -1, -1, -1, timeout_ms / 3000,
		    &status, &ignore);
		xk_ctl_close(&c);
	}
	if (!wait_gone(pid, timeout_ms / 2)) {
		*killed = 1;
		kill(pid, SIGTERM);
		if (!wait_gone(pid, 5000) && xk_lab_kill(state, err) == -1)
			return -1;
	}
	return 0;
}

int
xk_lab_wait_ready(const char *state, int timeout_ms, struct xk_error *err)
{
	const char *const xl_list[] = { "xl", "list", NULL };
	int64_t deadline = xk_mono_ms() + timeout_ms;
	struct xk_ctl c;
	char *errout;
	pid_t pid;
	int status, left;

	for (;;) {
		xk_lab_pid(state, &pid, err);
		if (pid <= 0) {
			xk_error_set(err, "QEMU exited while dom0 was booting");
			return -1;
		}
		left = (int)(deadline - xk_mono_ms());
		if (left <= 0) {
			xk_error_errno(err, ETIMEDOUT, "dom0 not ready after "
			    "%d s", timeout_ms / 1000);
			return -1;
		}
		/*
		 * One connection waits for the agent's HELLO: the agent
		 * starts once Xen's daemons run.  QEMU dying ends the
		 * wait early (the socket closes); so does the deadline.
		 */
		if (xk_ctl_open(&c, state, left, err) == -1) {
			if (err->errnum == ECONNREFUSED ||
			    err->errnum == ENOENT) {
				struct timespec ts = { 0, 100 * 1000000L };

				nanosleep(&ts, NULL);
				continue;
			}
			if (err->errnum == ETIMEDOUT)
				xk_error_errno(err, ETIMEDOUT, "dom0 not ready "
				    "after %d s", timeout_ms / 1000);
			return -1;
		}
		left = (int)(deadline - xk_mono_ms()) / 1000;
		if (xk_ctl_run(&c, xl_list, left > 1 ? left : 1, NULL, &errout,
		    &status, err) == -1) {
			xk_ctl_close(&c);
			return -1;
		}
		xk_ctl_close(&c);
		if (status == 0) {
			free(errout);
			return 0;
		}
		/* The agent runs after xenstored: xl list failing is real. */
		errout[strcspn(errout, "\n")] = '\0';
		xk_error_set(err, "dom0 is up but 'xl list' fails (status "
		    "%d): %s", status, errout);
		free(errout);
		return -1;
	}
}

int
xk_lab_remove_state(const char *state, struct xk_error *err)
{
	char path[PATH_MAX];
	struct dirent *e;
	pid_t pid;
	DIR *d;

	xk_lab_pid(state, &pid, err);
	if (pid > 0) {
		xk_error_set(err, "%s: a lab runs there (QEMU pid %ld)",
		    state, (long)pid);
		return -1;
	}
	d = opendir(state);
	if (d == NULL) {
		if (errno == ENOENT)
			return 0;
		xk_error_errno(err, errno, "%s", state);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (SPATH(path, state, e->d_name))
			unlink(path);	/* a directory stays: rmdir says */
	}
	closedir(d);
	if (rmdir(state) == -1) {
		xk_error_errno(err, errno, "remove %s", state);
		return -1;
	}
	return 0;
}

int
xk_lab_prune(const char *state, int max_age_s)
{
	const char *s = getenv("XK_LAB_STATE");
	char root[PATH_MAX], path[PATH_MAX], *slash;
	time_t now = time(NULL);
	struct dirent *e;
	struct stat st;
	int removed = 0;
	DIR *d;

	if (s != NULL && *s != '\0')
		return 0;	/* the user's directory: not ours to sweep */
	snprintf(root, sizeof(root), "%s", state);
	slash = strrchr(root, '/');
	if (slash == NULL || slash == root)
		return 0;
	*slash = '\0';
	d = opendir(root);
	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		struct xk_error ignore = { 0 };
		pid_t pid;

		if (e->d_name[0] == '.' || !SPATH(path, root, e->d_name) ||
		    strcmp(path, state) == 0)
			continue;
		if (lstat(path, &st) == -1 || !S_ISDIR(st.st_mode) ||
		    now - st.st_mtime < max_age_s)
			continue;
		if (xk_lab_pid(path, &pid, &ignore) == 0 && pid > 0)
			continue;
		if (xk_lab_remove_state(path, &ignore) == 0)
			removed++;
	}
	closedir(d);
	return removed;
}
