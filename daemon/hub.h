/* hub.h - the parent side of sync: children connect here.
 *
 * A ROUTER on [sync] listen, CurveZMQ always on, behind a ZAP handler that
 * admits only keys this node enrolled.  Each child's batches are checked
 * record by record and made durable before the Ack. */
#ifndef ANTT_HUB_H
#define ANTT_HUB_H

#include <uv.h>

#include "antt.pb-c.h"
#include "clock.h"
#include "config.h"
#include "node.h"

typedef struct antt_hub antt_hub_t;

/* Bind the ZAP handler, then the ROUTER.  Caller owns *out. */
int antt_hub_open(uv_loop_t *loop, antt_node_t *node, const antt_config_t *cfg, antt_hub_t **out,
                  char *err);
/* Tell every connected child how far above this node their records are
 * stored: level 1 = this node's parent. */
void antt_hub_receipt(antt_hub_t *h, uint32_t level, Antt__Head **heads, size_t n);
void antt_hub_close(antt_hub_t **self_p);

/* ---- for the unit tests (anttd calls neither) ----
 *
 * The hub decides by one clock: when a session was last heard from, when
 * it is silent, the log limiters' windows.  In anttd it is the monotonic
 * clock read now (antt_clock_now).  A test gives its own (fn NULL: the
 * default again) right after antt_hub_open, then moves time by hand. */
void antt_hub_set_clock(antt_hub_t *h, antt_clock_fn fn, void *arg);
/* The reaper's work now, not at the next [sync] heartbeat: handle what has
 * arrived, drop the sessions silent for [sync] timeout by the hub's clock. */
void antt_hub_reap(antt_hub_t *h);

#endif
