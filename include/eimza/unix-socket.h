/*
 * unix-socket.h: the few socket chores the test bed's processes share (the
 * virtual card's control socket, the virtual PIN pad's keypad socket, the
 * vpcd link between a reader driver and a card): listen on a path, and move
 * whole buffers through a stream despite short writes, short reads and
 * EINTR.
 */
#ifndef EIMZA_UNIX_SOCKET_H
#define EIMZA_UNIX_SOCKET_H

#include <stddef.h>

/* A listening AF_UNIX stream socket at `path` (an old socket file there is
 * removed first), close-on-exec. The descriptor, or -1 (path too long for
 * sun_path, or socket/bind/listen failed). */
int ez_unix_listen(const char *path, int backlog);

/* Send all `n` bytes, never raising SIGPIPE; `flags` are added to send(2)'s
 * (MSG_MORE to hold back a header). 0, or -1 when the peer is gone. */
int ez_send_all(int fd, const void *buf, size_t n, int flags);

/* Read exactly `n` bytes. 0, or -1 at end of stream or on an error. */
int ez_read_all(int fd, void *buf, size_t n);

#endif
