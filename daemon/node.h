/* node.h - one antt node: its identity, store, forms, the signing gate, and
 * the operations the control socket offers (docs/control.md: submit,
 * correct, log, show, status, forms, verify...).
 *
 * The node is owned by anttd's main and used only from the loop thread,
 * except antt_node_verify's work, which runs in the libuv thread pool on a
 * reader connection of its own. */
#ifndef ANTT_NODE_H
#define ANTT_NODE_H

#include <jansson.h>
#include <uv.h>

#include "config.h"

typedef struct antt_node antt_node_t;

/* Load the key, take the store lock (one anttd per store), open the store
 * and the forms.  Caller owns *out. */
int antt_node_open(const antt_config_t *cfg, uv_loop_t *loop, antt_node_t **out, char *err);
/* Stop background work; antt_node_destroy after the loop has drained. */
void antt_node_stop(antt_node_t *n);
void antt_node_destroy(antt_node_t **self_p);

/* Called with the reply exactly once, now or later; takes ownership of resp. */
typedef void (*antt_node_reply_fn)(json_t *resp, void *arg);

/* Carry out one control request (borrowed), with its attachment frame if
 * any (attach may be NULL).  done() gets the reply. */
void antt_node_handle(antt_node_t *n, const json_t *req, const void *attach, size_t attach_len,
                      antt_node_reply_fn done, void *arg);

/* The node's public key in hex (65 bytes with NUL). */
const char *antt_node_public_hex(const antt_node_t *n);

/* ---- for sync (borrowed pointers, valid for the node's life) ---- */
#include "forms.h"
#include "keyfile.h"
#include "store.h"
antt_store_t *antt_node_store(antt_node_t *n);
const antt_key_t *antt_node_key(const antt_node_t *n);
const char *antt_node_unit(const antt_node_t *n);
/* The forms this node knows (its [node] forms folder). */
const antt_forms_t *antt_node_forms(const antt_node_t *n);

/* May b's author sign b, as this node's store and grant say
 * (antt_store_permits; proto/README.md, "Authority")?  0, or ANTT_E_INVAL
 * with why. */
int antt_node_permits(antt_node_t *n, const antt_body_t *b, char *why, size_t why_len);

/* The children this node enrolled: [{key, unit, records, head}].  NULL on
 * error.  Caller owns the list. */
json_t *antt_node_children(antt_node_t *n, char *err);

/* fn(arg) runs after every commit that stored records (for the uplink). */
void antt_node_on_stored(antt_node_t *n, void (*fn)(void *arg), void *arg);
void antt_node_stored(antt_node_t *n); /* tell the listener */

/* ---- the signing gate (the diagram at the top of node.c) ----
 *
 * May this node sign new records?  Each reason it may not is a fact of its
 * own, and more than one can hold at once; the gate's state is the
 * reason of highest precedence still holding (a later value here wins),
 * and `submit`, `correct`, `enroll` and `revoke` are refused with it. */
typedef enum {
	ANTT_GATE_OPEN = 0,    /* nothing holds: the node signs */
	ANTT_GATE_LEARNING,    /* taking its unit's records filed under an earlier key
	                        * (a replaced machine) from the parent, while connected */
	ANTT_GATE_FROM_BACKUP, /* started on a copy made by antt backup: waits for the
	                        * parent to confirm how far its own chain goes */
	ANTT_GATE_BEHIND,      /* its own chain is older than the parent's copy of it (an
	                        * old backup): taking those records back */
} antt_gate_t;

/* The one change of the gate: reason (not ANTT_GATE_OPEN) starts or stops
 * holding; the state is worked out again and, when it changes, logged
 * "signing gate: old -> new (why)".  FROM_BACKUP stops holding only once
 * the store's mark (ANTT_META_FROM_BACKUP) is removed.  0, or an error
 * (logged; the reason still holds). */
int antt_node_gate(antt_node_t *n, antt_gate_t reason, int holds, const char *why);
/* Does reason hold (whatever the state)? */
int antt_node_gate_holds(const antt_node_t *n, antt_gate_t reason);

/* The parent holds this node's own chain up to parent_seq, beyond its own
 * head (a store restored from an old backup): BEHIND holds until the
 * uplink has taken those records back (0: not behind). */
void antt_node_set_behind(antt_node_t *n, uint64_t parent_seq);

/* The parent has confirmed this node's own head: a node started on a
 * backup copy (ANTT_META_FROM_BACKUP) signs again; the mark is removed. */
void antt_node_confirm_head(antt_node_t *n);

/* The hub takes in a bundle file's bytes (antt bundle import): fn returns
 * the reply. */
void antt_node_on_import(antt_node_t *n, json_t *(*fn)(const void *data, size_t len, void *arg),
                         void *arg);

/* What `antt status` answers (its JSON, with the parts sync adds) but the
 * record and author counts, which scan the store: for the service
 * manager's status line, refreshed often.  Caller owns the returned
 * object. */
json_t *antt_node_status(antt_node_t *n);

/* What a module adds to the reply of an operation: fn(reply, arg) fills in
 * its part of a successful reply of op ("status": the module's own object;
 * "children": what it knows of each child).  Parts are added in the order
 * they were registered, after the node's own fields. */
typedef void (*antt_node_part_fn)(json_t *reply, void *arg);
void antt_node_on_reply(antt_node_t *n, const char *op, antt_node_part_fn fn, void *arg);
/* Remove every part arg added (a module closing). */
void antt_node_off_reply(antt_node_t *n, void *arg);

#endif
