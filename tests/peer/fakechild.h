/* fakechild.h - a sync child made by hand, for the test peers and the
 * benchmarks: what sync_peer, report_gen and antt-intake-bench share.
 *
 * It speaks the sync protocol from the spec alone (proto/README.md,
 * proto/antt.proto, the codes and limits of proto/sync.h): the generated
 * protobuf-c code for the messages, proto/record.h's codec and signatures
 * for the records, lib/keyfile.h for identities.  It shares nothing with
 * the daemon's own hub or uplink, so that a test peer built on it checks
 * them against the spec, not against themselves.
 *
 * A test tool, not a library for the network: whatever fails (a socket, a
 * message that does not decode, an encoding) ends the program through
 * fc_die, whose last step each program chooses with fc_setup.  Messages
 * start with the program's name. */
#ifndef ANTT_FAKECHILD_H
#define ANTT_FAKECHILD_H

#include <stddef.h>
#include <stdint.h>

#include "antt.pb-c.h"
#include "common.h"
#include "keyfile.h"
#include "record.h"
#include "sync.h"

/* ---- errors, time, hex ---- */

/* prog: the name messages start with ("sync_peer"); on_die: what fc_die
 * hands the message to instead (it must not return: a benchmark's
 * clean-up), NULL for the default. */
void fc_setup(const char *prog, void (*on_die)(const char *msg));

/* The message to fc_setup's on_die, or by default "PROG: message" on
 * stderr and exit(2). */
void fc_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* CLOCK_MONOTONIC in ms. */
int64_t fc_now_ms(void);

/* b[0..n) in hex (at most 64 bytes), in one of four rotating buffers: up
 * to four fc_hex in one printf. */
const char *fc_hex(const uint8_t *b, size_t n);

/* A new identity saved in path (mode 0600); its public key printed in hex
 * on stdout. */
void fc_keygen(const char *path);

/* ---- records ---- */

/* One signed record as sent.  All of it is the record's own (fc_rec_free). */
typedef struct {
	uint8_t *env; /* the Envelope bytes, as sent */
	size_t env_len;
	uint8_t *body;
	size_t blen;
	uint8_t sig[ANTT_SIG_BYTES];
	uint8_t id[ANTT_ID_BYTES];
	uint64_t seq;
	int64_t clock;
	uint8_t author[ANTT_KEY_BYTES];
} fc_rec_t;

/* r (its old contents not freed) set to the body b, encoded by
 * antt_body_encode, not yet signed: seq, clock and author taken from b.  0,
 * or -1 with err set (b breaks the format). */
int fc_rec_encode(fc_rec_t *r, const antt_body_t *b, char err[ANTT_ERR_MAX]);

/* r->body signed by signer (normally its author), then sealed. */
void fc_rec_sign(fc_rec_t *r, const antt_key_t *signer);

/* fc_rec_encode then fc_rec_sign.  0, or -1 with err set. */
int fc_rec_make(fc_rec_t *r, const antt_body_t *b, const antt_key_t *signer,
                char err[ANTT_ERR_MAX]);

/* r's id and envelope made again from its body and signature as they are
 * now (after either was changed on purpose). */
void fc_rec_seal(fc_rec_t *r);

/* Frees what r holds and zeroes it. */
void fc_rec_free(fc_rec_t *r);

/* The envelopes of recs[0..n), as a Batch or Records message holds them:
 * the array is the caller's to free, the bytes stay the records'. */
ProtobufCBinaryData *fc_envelopes(fc_rec_t *const *recs, size_t n);

/* ---- messages ---- */

/* m packed; the caller frees the result. */
uint8_t *fc_pack(const Antt__SyncMsg *m, size_t *len);

/* One frame as it is. */
void fc_send_frame(void *sock, const uint8_t *frame, size_t len);

/* m packed and sent as one frame. */
void fc_send(void *sock, const Antt__SyncMsg *m);

/* Hello of the given version for unit, naming one head: author's seq and
 * id (NULL: none; seq 0 says the child holds nothing it knows of). */
void fc_send_hello(void *sock, uint32_t version, const char *unit,
                   const uint8_t author[ANTT_KEY_BYTES], uint64_t seq, const uint8_t *id);

/* A Ping carrying nonce. */
void fc_send_ping(void *sock, uint64_t nonce);

/* The SyncMsg of Batch no holding envs[0..n) (envelopes, or any bytes),
 * packed; the caller frees it. */
uint8_t *fc_batch_pack(uint64_t no, ProtobufCBinaryData *envs, size_t n, size_t *len);

/* The Records message of envs[0..n), packed; the caller frees it. */
uint8_t *fc_records_pack(ProtobufCBinaryData *envs, size_t n, size_t *len);

/* The SyncMsg of Batch no carrying records (a Records message, or any
 * bytes) zstd-compressed at level as zrecords, packed; the caller frees
 * it. */
uint8_t *fc_zbatch_pack(uint64_t no, const uint8_t *records, size_t records_len, int level,
                        size_t *len);

/* Batch no of recs[0..n), sent. */
void fc_send_batch(void *sock, uint64_t no, fc_rec_t *const *recs, size_t n);

/* The next Heads, Ack or Error (and Pong when want_pong) within timeout_ms,
 * skipping the rest (Receipts); NULL on timeout.  The caller frees it with
 * antt__sync_msg__free_unpacked. */
Antt__SyncMsg *fc_recv_answer(void *sock, int timeout_ms, int want_pong);

/* The next message waiting on sock, decoded; NULL if none waits. */
Antt__SyncMsg *fc_recv_now(void *sock);

/* Where heads[0..n) name author: 1, its seq in *seq and its id in id
 * (zeroes when the head has none; id may be NULL); else 0, nothing set. */
int fc_head_find(Antt__Head *const *heads, size_t n, const uint8_t author[ANTT_KEY_BYTES],
                 uint64_t *seq, uint8_t *id);

/* ---- the transport ---- */

/* A DEALER connected to endpoint as a child of the hub whose Ed25519 key
 * is hub_ed, exactly as the spec's transport says: CURVE, with the
 * Curve25519 keys derived from the Ed25519 ones, frames up to
 * ANTT_SYNC_MAX_FRAME, no linger.  The caller closes it. */
void *fc_connect(void *ctx, const char *endpoint, const uint8_t hub_ed[ANTT_KEY_BYTES],
                 const antt_key_t *key);

#endif
