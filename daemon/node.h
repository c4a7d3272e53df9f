/* node.h - one antt node: its identity, store, forms, and the operations the
 * control socket offers (submit, correct, log, show, status, forms, verify).
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

/* The parent holds this node's own chain up to parent_seq, beyond its own
 * head (a store restored from an old backup): nothing new is signed until
 * the uplink has taken those records back (0: not behind). */
void antt_node_set_behind(antt_node_t *n, uint64_t parent_seq);

/* The parent has confirmed this node's own head: a node started on a
 * backup copy (ANTT_META_FROM_BACKUP) signs again; the mark is removed. */
void antt_node_confirm_head(antt_node_t *n);

/* The uplink is taking the records of this node's unit's earlier keys
 * from the parent (a replaced machine): nothing new is signed meanwhile. */
void antt_node_set_learning(antt_node_t *n, int on);
int antt_node_learning(const antt_node_t *n);

/* The hub takes in a bundle file's bytes (antt bundle import): fn returns
 * the reply. */
void antt_node_on_import(antt_node_t *n, json_t *(*fn)(const void *data, size_t len, void *arg),
                         void *arg);

/* What `antt status` answers (its JSON, with the parts sync adds) but the
 * record and author counts, which scan the store: for the service
 * manager's status line, refreshed often.  Caller owns the returned
 * object. */
json_t *antt_node_status(antt_node_t *n);

/* Status parts that sync adds: fn(status object, arg) fills it in. */
void antt_node_on_status(antt_node_t *n, void (*fn)(json_t *status, void *arg), void *arg,
                         int slot);

#endif
