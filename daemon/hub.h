/* hub.h - the parent side of sync: children connect here.
 *
 * A ROUTER on [sync] listen, CurveZMQ always on, behind a ZAP handler that
 * admits only keys this node enrolled.  Each child's batches are checked
 * record by record and made durable before the Ack. */
#ifndef ANTT_HUB_H
#define ANTT_HUB_H

#include <uv.h>

#include "antt.pb-c.h"
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

#endif
