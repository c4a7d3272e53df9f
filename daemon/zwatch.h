/* zwatch.h - drive a ZeroMQ socket from the libuv loop.
 *
 * ZMQ_FD is edge-triggered: it says ZMQ_EVENTS may have changed, not that a
 * message waits, and any send or receive may consume the edge.  A zwatch
 * polls ZMQ_FD and, on every wake-up and after every kick, re-reads
 * ZMQ_EVENTS and calls on_msg until nothing is left.  Whoever sends on the
 * socket outside on_msg calls antt_zwatch_kick afterwards. */
#ifndef ANTT_ZWATCH_H
#define ANTT_ZWATCH_H

#include <uv.h>

typedef struct antt_zwatch antt_zwatch_t;

/* Receive and handle one whole message from sock; 0, or -1 with errno
 * from the receive if none was taken (EAGAIN; on EINTR the watch tries
 * again). */
typedef int (*antt_zwatch_fn)(void *sock, void *arg);
/* Called once the poll handle is closed: the socket may be closed now. */
typedef void (*antt_zwatch_closed_fn)(void *arg);

/* Start watching sock (borrowed).  Caller owns *out.  A socket without a
 * ZMQ_FD is a bug: it aborts. */
void antt_zwatch_start(uv_loop_t *loop, void *sock, antt_zwatch_fn on_msg, void *arg,
                       antt_zwatch_t **out);
/* Drain now: after a send made outside on_msg. */
void antt_zwatch_kick(antt_zwatch_t *w);
/* Stop; closed(closed_arg) runs from the loop when libuv has let go of the
 * fd.  *self_p is nulled; the watch frees itself. */
void antt_zwatch_stop(antt_zwatch_t **self_p, antt_zwatch_closed_fn closed, void *closed_arg);

#endif
