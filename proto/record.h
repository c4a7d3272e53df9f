/* record.h - the signed report record: encode, decode, sign, verify, id.
 *
 * A record is the body bytes exactly as signed plus a detached Ed25519
 * signature.  The id is BLAKE2b-256 of the body bytes.  Decoding never feeds
 * back into verification: signatures and ids are always computed over the
 * bytes as received.  The format is specified in proto/README.md. */
#ifndef ANTT_RECORD_H
#define ANTT_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "names.h"

#define ANTT_ID_BYTES 32 /* BLAKE2b-256 */
#define ANTT_SIG_BYTES 64
#define ANTT_RECORD_VERSION 1

#define ANTT_PERIOD_MAX 16
#define ANTT_NOTE_MAX 4096  /* bytes of UTF-8 */
#define ANTT_VALUES_MAX 256 /* indicators in one record */
#define ANTT_BODY_MAX 65536 /* no valid body is larger */

typedef struct {
	char *code;
	uint64_t value;
} antt_value_t;

typedef struct {
	uint32_t version;
	uint8_t author[ANTT_KEY_BYTES];
	uint64_t seq;
	uint8_t prev[ANTT_ID_BYTES];
	char *unit;
	int64_t clock;
	char *form;
	char *period;
	size_t n_values;
	antt_value_t *values; /* strictly ascending by code */
	char *note;           /* NULL or non-empty */
	int has_corrects;
	uint8_t corrects[ANTT_ID_BYTES];
	/* an enrollment record: form ANTT_FORM_ENROLL, period the day, no values */
	int has_enroll;
	char *enroll_unit;
	uint8_t enroll_key[ANTT_KEY_BYTES];
	uint32_t enroll_grant;    /* ANTT_GRANT_* */
	size_t n_enroll_units;    /* a hub's scope: units it may enroll */
	char **enroll_units;      /* strictly ascending */
	size_t n_enroll_subtrees; /* and units below which it may enroll */
	char **enroll_subtrees;   /* strictly ascending */
	/* a revocation record: form ANTT_FORM_REVOKE, period the day, no values */
	int has_revoke;
	uint8_t revoke_key[ANTT_KEY_BYTES];
	uint64_t revoke_after;
	char *revoke_reason; /* NULL or non-empty */
} antt_body_t;

/* Form ids starting "antt." are the system's own, never a report form. */
#define ANTT_FORM_RESERVED "antt."
#define ANTT_FORM_ENROLL "antt.enroll"
#define ANTT_FORM_REVOKE "antt.revoke"

/* What an enrollment grants its key (Enroll.grant). */
enum {
	ANTT_GRANT_LEGACY = 0,  /* made before grants existed: a hub over the units
	                         * below its own, only where the checker holds the
	                         * administrative list that shows it */
	ANTT_GRANT_STATION = 1, /* files reports for its unit; enrolls nothing */
	ANTT_GRANT_HUB = 2,     /* also enrolls and revokes, within its scope */
	ANTT_GRANT_ROOT = 3,    /* never on the wire: the root of trust itself */
	ANTT_GRANT_RELAY = 4,   /* a hub that files no reports of its own (a
	                         * province's regional server, where a district
	                         * hub stood before 2025): enrolls and revokes
	                         * within its scope, forwards */
};
#define ANTT_SCOPE_MAX 4096 /* entries in a hub's scope */

/* Free what a decoded or built body owns and zero it. */
void antt_body_clear(antt_body_t *b);

/* Check a body's fields against the format's rules (sizes, character sets,
 * ordering, chain start, a period the calendar has: a day for a system
 * record).  Whether the period is of its form's kind is for a reader that
 * has the form.  0, or ANTT_E_INVAL with the reason in err. */
int antt_body_check(const antt_body_t *b, char *err);

/* Encode a checked body.  Caller owns *out. */
int antt_body_encode(const antt_body_t *b, uint8_t **out, size_t *len, char *err);

/* Decode and check untrusted bytes.  On success the caller owns *b
 * (antt_body_clear).  On error *b is left empty. */
int antt_body_decode(const uint8_t *buf, size_t len, antt_body_t *b, char *err);

/* id = BLAKE2b-256(body). */
void antt_record_id(uint8_t id[ANTT_ID_BYTES], const uint8_t *body, size_t len);

void antt_record_sign(uint8_t sig[ANTT_SIG_BYTES], const uint8_t *body, size_t len,
                      const uint8_t sk[ANTT_SECKEY_BYTES]);

/* 0 if sig is author's signature over body, -1 otherwise. */
int antt_record_verify(const uint8_t sig[ANTT_SIG_BYTES], const uint8_t *body, size_t len,
                       const uint8_t pk[ANTT_KEY_BYTES]) __attribute__((warn_unused_result));

/* Envelope = { body, sig } as one protobuf message, for files and the wire. */
int antt_envelope_encode(const uint8_t *body, size_t blen, const uint8_t sig[ANTT_SIG_BYTES],
                         uint8_t **out, size_t *len);
/* Split an envelope; *body (caller owns) and sig are copies. */
int antt_envelope_decode(const uint8_t *buf, size_t len, uint8_t **body, size_t *blen,
                         uint8_t sig[ANTT_SIG_BYTES], char *err);

/* ---- chains (proto/README.md, "Chains") ---- */

/* The one link of a chain: does the record (seq, prev) come right after
 * the record (before_seq, before_id) of its author's chain, seq one more
 * and prev naming it?  What comes before a chain's first record is seq 0
 * with an all-zero id (antt_store_head of an empty chain): a first record
 * is seq 1 with prev zero.  1 yes, 0 no. */
int antt_chain_follows(uint64_t seq, const uint8_t prev[ANTT_ID_BYTES], uint64_t before_seq,
                       const uint8_t before_id[ANTT_ID_BYTES]);

/* Check a chain of enrollments (credentials: a packed Records message of
 * Envelopes, as Heads.credentials carries them and meta "credentials" keeps
 * them): envelope 0 enrolls key self (signed by parent, unless parent is
 * NULL), envelope i enrolls the key that signed envelope i-1, every
 * signature holds.  0 with top = the key that signed the last and chain =
 * the units, nearest first ("332 <- 33"); else ANTT_E_CORRUPT and why. */
int antt_credentials_check(const uint8_t *creds, size_t len, const uint8_t self[ANTT_KEY_BYTES],
                           const uint8_t *parent, uint8_t top[ANTT_KEY_BYTES], char *chain,
                           size_t chain_len, char *err);

/* ---- the first hub's signed receipt (proto/README.md, "First receipt") ---- */

typedef struct {
	uint8_t author[ANTT_KEY_BYTES];
	uint64_t from_seq, to_seq;
	uint8_t to_id[ANTT_ID_BYTES];
	int64_t at; /* Unix seconds */
} antt_stamp_t;

#define ANTT_STAMP_DOMAIN "antt stamp v1\n" /* signed before the body */

/* Encode a stamp body (StampBody, canonical).  Caller owns *out. */
void antt_stamp_encode(const antt_stamp_t *s, uint8_t **out, size_t *len);
/* Decode untrusted bytes: only the canonical encoding of a stamp whose
 * fields hold (keys 32 bytes, 1 <= from_seq <= to_seq <= 2^63-1, at > 0).
 * 0, or ANTT_E_INVAL with why. */
int antt_stamp_decode(const uint8_t *buf, size_t len, antt_stamp_t *s, char *err);
void antt_stamp_sign(uint8_t sig[ANTT_SIG_BYTES], const uint8_t *body, size_t len,
                     const uint8_t sk[ANTT_SECKEY_BYTES]);
/* 0 if sig is hub's signature over the stamp body, -1 otherwise. */
int antt_stamp_verify(const uint8_t sig[ANTT_SIG_BYTES], const uint8_t *body, size_t len,
                      const uint8_t hub[ANTT_KEY_BYTES]) __attribute__((warn_unused_result));

/* What a key may sign: its grant, as its enrollment states it (borrowed
 * from that body), or ANTT_GRANT_ROOT. */
typedef struct {
	uint32_t grant;
	const char *unit; /* the unit it files for */
	size_t n_units;
	char *const *units;
	size_t n_subtrees;
	char *const *subtrees;
} antt_grant_t;

/* The grant an enrollment body (has_enroll) gives its key. */
antt_grant_t antt_grant_of(const antt_body_t *enrollment);

/* Is unit strictly below above in the administrative list the caller
 * holds?  1 yes, 0 no, -1 no list is held. */
typedef int (*antt_below_fn)(const char *unit, const char *above, void *arg);

/* May a key holding g sign the system record b (an enrollment or a
 * revocation)?  Enrollments: the enrolled unit, and a hub's whole scope,
 * within g's scope (proto/README.md, "Authority").  Whether a revoked key
 * is below its revoker is the caller's check.  0, or ANTT_E_INVAL with the
 * reason in why. */
int antt_grant_permits(const antt_grant_t *g, const antt_body_t *b, antt_below_fn below, void *arg,
                       char *why, size_t why_len);

#endif
