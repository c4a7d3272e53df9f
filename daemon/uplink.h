/* uplink.h - the child side of sync: this node's records flow up to its
 * parent, by themselves, over any outage. */
#ifndef ANTT_UPLINK_H
#define ANTT_UPLINK_H

#include <uv.h>

#include "config.h"
#include "hub.h"
#include "node.h"

typedef struct antt_uplink antt_uplink_t;

/* Start linking to [sync] parent.  hub (may be NULL) gets the parent's
 * receipts to pass down.  Caller owns *out. */
int antt_uplink_open(uv_loop_t *loop, antt_node_t *node, antt_hub_t *hub, const antt_config_t *cfg,
                     antt_uplink_t **out, char *err);
void antt_uplink_close(antt_uplink_t **self_p);

#endif
