/*
 * sock.h - Unix-domain stream sockets: QMP, the lab's control channel
 * and serial console, xk monitor's event socket.
 */
#ifndef XK_UTIL_SOCK_H
#define XK_UTIL_SOCK_H

#include <sys/socket.h>
#include <sys/un.h>

#include "util/error.h"

/* Fill sa for path; a path that does not fit sun_path is an error. */
int xk_unix_addr(struct sockaddr_un *sa, const char *path,
    struct xk_error *err);

/*
 * Connect to the socket at path.  flags are socket(2) type flags
 * besides SOCK_STREAM | SOCK_CLOEXEC (SOCK_NONBLOCK).  Messages start
 * with what ("QMP socket /run/x.sock: connect: ...").
 */
int xk_unix_connect(const char *path, int flags, const char *what,
    struct xk_error *err);

#endif
