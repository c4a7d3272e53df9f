/* node_int.h - what the node's own files share (node.c, submit.c,
 * node_ops.c): the node's fields and the helpers its operations use.  Not
 * for sync or the control socket: they see node.h only. */
#ifndef ANTT_NODE_INT_H
#define ANTT_NODE_INT_H

#include "node.h"

#define HEX_ID (2 * ANTT_ID_BYTES + 1)

/* What a module adds to the reply of one operation (antt_node_on_reply). */
typedef struct {
	const char *op;
	antt_node_part_fn fn;
	void *arg;
} antt_node_part_t;

struct antt_node {
	uv_loop_t *loop;
	char *unit;
	char *store_path;
	antt_unit_ref_t *not_expected; /* [reports] not_expected */
	size_t n_not_expected;
	antt_key_t *key;
	char pk_hex[2 * ANTT_KEY_BYTES + 1];
	int lock_fd;
	antt_store_t *store;
	antt_forms_t *forms;
	volatile int stop; /* read by background work */
	/* the signing gate (node.c's top): its state, the reasons holding
	 * (a bit per antt_gate_t), and for BEHIND the parent's head of our
	 * chain, while ours is older */
	antt_gate_t gate;
	unsigned gate_held;
	uint64_t recovering_to;
	json_t *(*import_fn)(const void *data, size_t len, void *arg); /* the hub's */
	void *import_arg;
	int has_root, has_parent;
	uint8_t root[ANTT_KEY_BYTES]; /* [sync] root */
	int verifying;
	void (*stored_fn)(void *);
	void *stored_arg;
	antt_node_part_t *parts; /* in the order they were added */
	size_t n_parts;
};

/* ---- node.c ---- */

/* The error reply for rc and err; a store error is logged too. */
json_t *antt_node_fail(int rc, const char *err);
/* p[0..n) as a JSON string of hex digits (n <= 64). */
json_t *antt_node_hex_json(const uint8_t *p, size_t n);
/* What the modules added for op (antt_node_on_reply) into resp, in order. */
void antt_node_add_parts(antt_node_t *n, const char *op, json_t *resp);
/* The status reply; brief: without the record and author counts, which
 * scan the store.  Caller owns it. */
json_t *antt_node_status_reply(antt_node_t *n, int brief);
/* Judge every enrollment and revocation held under the rules again (why:
 * for the log).  0, or an error in err. */
int antt_node_trust_recheck(antt_node_t *n, const char *why, char *err);

/* ---- submit.c: the one path that signs ---- */

/* Chain, sign and append bodies[0..count) in one durable transaction,
 * when the signing gate is open.  Refuses a second report of a periodic
 * form for the same period.  last gets the id of the last record; out, if
 * given, a {id, seq} per record.  On error *failed is the index of the
 * body at fault. */
int antt_submit_append(antt_node_t *n, antt_body_t *bodies, size_t count,
                       uint8_t last[ANTT_ID_BYTES], json_t *out, size_t *failed, char *err);
/* op submit: reports in the request, or a file's text as attach. */
json_t *antt_submit_reports(antt_node_t *n, const json_t *req, const void *attach,
                            size_t attach_len);
/* op correct: a new version of one of this unit's records. */
json_t *antt_submit_correct(antt_node_t *n, const json_t *req, const void *attach,
                            size_t attach_len);

#endif
