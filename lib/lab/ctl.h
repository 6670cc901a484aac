/*
 * ctl.h - the host side of the lab control channel: run a command in
 * dom0 and get its stdout, stderr and exit status back.
 *
 * The channel is XK_CTL_PORTS virtio-serial ports (xk.ctl0 ...) whose
 * host ends are UNIX sockets QEMU serves (STATE/ctlN.sock).  Each port
 * carries one client at a time: a client takes the first free
 * STATE/ctlN.lock, so that several commands run at once and none ever
 * interleaves with another.  When all ports are busy, clients wait.
 */
#ifndef XK_LAB_CTL_H
#define XK_LAB_CTL_H

#include <stddef.h>

#include "util/error.h"

#define XK_CTL_PORTS	4

struct xk_ctl {
	int fd;			/* connected socket, -1 when closed */
	int lock;		/* ctl.lock, held while open */
	const char *state;	/* the lab's state directory (the caller's
				 * string, which outlives the channel) */
};

/*
 * Connect and say HELLO; wait at most timeout_ms (for the lock, the
 * connection and the agent's answer).  err->errnum is ETIMEDOUT when
 * the agent did not answer in time (dom0 not up yet, or wedged).
 */
int xk_ctl_open(struct xk_ctl *c, const char *state, int timeout_ms,
    struct xk_error *err);
void xk_ctl_close(struct xk_ctl *c);

/*
 * Run argv in dom0.  in_fd (or -1 for none) is read whole and sent as
 * the command's stdin; its stdout and stderr are written to out_fd and
 * err_fd as they arrive.  timeout_s bounds the command in dom0 (0: no
 * bound) and the wait here (plus a margin).  *status gets the exit
 * status: 0-255, 128+N for signal N, 124 when dom0 killed it on
 * timeout (as timeout(1) does).  While it waits, a hypervisor that
 * panicked ends the wait at once (its serial log says so; QEMU may
 * stay up, hung in the reboot), with Xen's panic as the error.
 */
int xk_ctl_exec(struct xk_ctl *c, const char *const argv[], int in_fd, int out_fd,
    int err_fd, int timeout_s, int *status, struct xk_error *err);

/*
 * The same, with the command's stdout handed to out(data, len, arg)
 * chunk by chunk as it arrives (xk fuzz writes each line to its log as
 * it comes); out returns -1 with err set to stop.
 */
typedef int (*xk_ctl_out_fn)(const char *data, size_t len, void *arg,
    struct xk_error *err);
int xk_ctl_exec_fn(struct xk_ctl *c, const char *const argv[], int in_fd,
    xk_ctl_out_fn out, void *arg, int err_fd, int timeout_s, int *status,
    struct xk_error *err);

/*
 * Convenience: run argv and collect its output into malloc'd strings
 * (*out, *errout may be NULL to discard).
 */
int xk_ctl_run(struct xk_ctl *c, const char *const argv[], int timeout_s,
    char **out, char **errout, int *status, struct xk_error *err);

/*
 * The lab's serial line (Xen's console, shared by dom0's hvc0 and a
 * shell), the state's other UNIX socket: connect to it (a socket, or
 * -1), then relay in_fd to it and it to out_fd until in_fd ends, the
 * line closes or Ctrl-] (0x1d) comes in; the relay closes sock.
 */
int xk_lab_console_open(const char *state, struct xk_error *err);
int xk_lab_console_relay(int sock, int in_fd, int out_fd,
    struct xk_error *err);

#endif
