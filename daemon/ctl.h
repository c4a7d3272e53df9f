/* ctl.h - the local control socket: a ZeroMQ ROUTER on ipc://, driven from
 * the libuv loop through ZMQ_FD, handing each request to the node. */
#ifndef ANTT_CTL_H
#define ANTT_CTL_H

#include <uv.h>

#include "node.h"

typedef struct antt_ctl antt_ctl_t;

/* Bind the control socket at socket_path (mode 0660) and start serving.
 * Caller owns *out. */
int antt_ctl_open(uv_loop_t *loop, antt_node_t *node, const char *socket_path, antt_ctl_t **out,
                  char *err);
/* Stop serving: close the socket and the poll handle.  Replies still due
 * (a verify in the thread pool) are dropped.  Frees itself once libuv has
 * closed the handle; *self_p is nulled. */
void antt_ctl_close(antt_ctl_t **self_p);

#endif
