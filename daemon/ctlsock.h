/* ctlsock.h - the local control socket: a ZeroMQ ROUTER on ipc://, driven from
 * the libuv loop through ZMQ_FD, handing each request to the node. */
#ifndef ANTT_CTLSOCK_H
#define ANTT_CTLSOCK_H

#include <uv.h>

#include "node.h"

typedef struct antt_ctlsock antt_ctlsock_t;

/* Bind the control socket at socket_path (mode 0660) and start serving.
 * Caller owns *out. */
int antt_ctlsock_open(uv_loop_t *loop, antt_node_t *node, const char *socket_path,
                      antt_ctlsock_t **out, char *err);
/* Stop serving: close the socket and the poll handle.  Replies still due
 * (a verify in the thread pool) are dropped.  Frees itself once libuv has
 * closed the handle; *self_p is nulled. */
void antt_ctlsock_close(antt_ctlsock_t **self_p);

#endif
