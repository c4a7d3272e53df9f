/* stamp.h - first receipts: a hub's signed word of when it first stored an
 * author's records (proto/README.md, "First receipt").  Whether a report
 * was on time is judged on it, so a hub above takes it only signed.
 *
 * The first hub (the one an author's records reach from the author
 * itself) signs one stamp per author-run of each batch it stores; hubs
 * forward the stamps with the records they cover; a hub above keeps a
 * stamp only if its signer is on the author's chain of enrollments, its
 * last record is held with the id it names, and its time is not in the
 * future. */
#ifndef ANTT_STAMP_H
#define ANTT_STAMP_H

#include "antt.pb-c.h"
#include "keyfile.h"
#include "store.h"

/* Stamps to send with records: their rows, each once. */
typedef struct {
	int64_t *sn;
	size_t n, cap;
} antt_stamp_set_t;

/* Add row sn (0: none, ignored; each row once). */
void antt_stamp_set_add(antt_stamp_set_t *set, int64_t sn);
void antt_stamp_set_clear(antt_stamp_set_t *set);

/* The stamps of set as messages for a Batch, Records or Bundle: *out
 * (free with antt_stamp_msgs_free). */
int antt_stamp_msgs(antt_store_t *st, const antt_stamp_set_t *set, Antt__Stamp ***out, size_t *n,
                    char *err);
void antt_stamp_msgs_free(Antt__Stamp **v, size_t n);

/* This node, the first hub, signs and keeps its stamp of author's records
 * from..to (the last one's id to_id) stored at `at`, and gives them that
 * first receipt.  In the caller's transaction. */
int antt_stamp_issue(antt_store_t *st, const antt_key_t *key, const uint8_t author[ANTT_KEY_BYTES],
                     uint64_t from, uint64_t to, const uint8_t to_id[ANTT_ID_BYTES], int64_t at,
                     char *err);

/* Take the stamps a child (or a bundle) sent, after its records were
 * stored: each that holds (see the top) is kept and gives the records it
 * covers their first receipt; *ignored counts the others, the first one's
 * reason in why.  In the caller's transaction; an error is the store's. */
int antt_stamp_take(antt_store_t *st, const uint8_t self[ANTT_KEY_BYTES], Antt__Stamp *const *v,
                    size_t n, int64_t now, size_t *ignored, char *why, size_t why_len, char *err);

#endif
