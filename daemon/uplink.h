/* uplink.h - the child side of sync: this node's records flow up to its
 * parent, by themselves, over any outage. */
#ifndef ANTT_UPLINK_H
#define ANTT_UPLINK_H

#include <uv.h>

#include "clock.h"
#include "config.h"
#include "hub.h"
#include "node.h"

typedef struct antt_uplink antt_uplink_t;

/* Start linking to [sync] parent.  hub (may be NULL) gets the parent's
 * receipts to pass down.  Caller owns *out. */
int antt_uplink_open(uv_loop_t *loop, antt_node_t *node, antt_hub_t *hub, const antt_config_t *cfg,
                     antt_uplink_t **out, char *err);
void antt_uplink_close(antt_uplink_t **self_p);

/* ---- for the unit tests (anttd calls neither) ----
 *
 * The uplink decides by one clock: backoff, timeouts, heartbeats, the
 * batch window, the fallback, the trust retries.  In anttd it is the
 * loop's (antt_clock_loop), and a periodic timer (a quarter of [sync]
 * heartbeat) looks at it.  A test gives its own (fn NULL: the loop's
 * again) right after antt_uplink_open, starting from the loop's time then
 * (uv_now: the open read it), moves it by hand and calls
 * antt_uplink_tick: what the timer does, now. */
void antt_uplink_set_clock(antt_uplink_t *u, antt_clock_fn fn, void *arg);
void antt_uplink_tick(antt_uplink_t *u);

#endif
