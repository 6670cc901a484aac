/*
 * interrupt.c - the one flag a signal handler sets (see interrupt.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/interrupt.h"

/*
 * The signal caught, 0 while none was.  File-scope because a signal
 * handler has no other way to tell anyone anything; it is written only
 * by on_signal() and read by the copy loops, which may run in another
 * thread (xk_disk_copy's writer): a lock-free atomic is safe for both
 * (C11 7.14.1.1), where a volatile sig_atomic_t is only for the thread
 * the handler interrupted.
 */
static _Atomic sig_atomic_t caught;

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "an int flag must be lock-free "
    "to be set from a signal handler");

/*
 * The self-pipe that wakes a poll(2) loop: written (one byte, never
 * read) by the handler.  Set once by xk_interrupt_catch before any
 * handler is installed, so the handler only ever sees its final value.
 */
static int wake[2] = { -1, -1 };

static const int signals[] = { SIGINT, SIGTERM, SIGHUP };

static void
on_signal(int sig)
{
	int saved = errno;
	ssize_t n = 0;

	caught = sig;
	/* non-blocking, and a failure is fine: a full pipe is readable */
	if (wake[1] >= 0)
		n = write(wake[1], "", 1);
	(void)n;
	errno = saved;
}

static const char *
signal_name(int sig)
{
	switch (sig) {
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	case SIGHUP:
		return "SIGHUP";
	default:
		return "a signal";
	}
}

int
xk_interrupt_catch(struct xk_error *err)
{
	struct sigaction sa, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask);
	/* restart system calls: the loops poll the flag between writes,
	 * and code that never expected EINTR keeps working */
	sa.sa_flags = SA_RESTART;
	if (wake[0] < 0 && pipe2(wake, O_CLOEXEC | O_NONBLOCK) < 0) {
		xk_error_errno(err, errno, "pipe");
		return -1;
	}
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		if (sigaction(signals[i], NULL, &old) < 0) {
			xk_error_errno(err, errno, "sigaction %s",
			    signal_name(signals[i]));
			return -1;
		}
		if (old.sa_handler == SIG_IGN)
			continue;	/* whoever ignored it meant it */
		if (sigaction(signals[i], &sa, NULL) < 0) {
			xk_error_errno(err, errno, "sigaction %s",
			    signal_name(signals[i]));
			return -1;
		}
	}
	return 0;
}

int
xk_interrupt_signal(void)
{
	return caught;
}

int
xk_interrupt_fd(void)
{
	return wake[0];
}

static void
set_interrupted(struct xk_error *err, int sig)
{
	xk_error_set(err, "interrupted by %s", signal_name(sig));
	err->errnum = EINTR;
}

int
xk_interrupt_check(struct xk_error *err)
{
	int sig = caught;

	if (sig == 0)
		return 0;
	set_interrupted(err, sig);
	return -1;
}

void
xk_interrupt_blame(struct xk_error *err)
{
	int sig = caught;
	char *p;

	if (sig == 0)
		return;
	p = strstr(err->msg, "interrupted by SIG");
	if (p == NULL)
		set_interrupted(err, sig);
	else if (p != err->msg)	/* where the loop was is no news */
		memmove(err->msg, p, strlen(p) + 1);
}

void
xk_interrupt_removed(struct xk_error *err, const char *path)
{
	static const char removed[] = ": removed partial output ";
	size_t len;

	if (caught == 0 || path == NULL)
		return;
	xk_interrupt_blame(err);
	len = strlen(err->msg);
	/* the first removal says what they are, the others follow */
	snprintf(err->msg + len, sizeof(err->msg) - len, "%s%s",
	    strstr(err->msg, removed) == NULL ? removed : ", ", path);
}

void
xk_interrupt_raise(void)
{
	int sig = caught;

	if (sig == 0)
		return;
	/* dying of a signal skips exit(3): flush what was printed */
	fflush(NULL);
	signal(sig, SIG_DFL);
	raise(sig);
}
