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

#define ANTT_KEY_BYTES 32    /* Ed25519 public key */
#define ANTT_SECKEY_BYTES 64 /* libsodium Ed25519 secret key (seed || pk) */
#define ANTT_SEED_BYTES 32
#define ANTT_ID_BYTES 32 /* BLAKE2b-256 */
#define ANTT_SIG_BYTES 64
#define ANTT_RECORD_VERSION 1

#define ANTT_UNIT_MAX 16 /* longest unit code */
#define ANTT_NAME_MAX 64 /* longest form id or indicator code */
#define ANTT_PERIOD_MAX 16
#define ANTT_NOTE_MAX 4096                 /* bytes of UTF-8 */
#define ANTT_VALUES_MAX 256                /* indicators in one record */
#define ANTT_VALUE_MAX 9007199254740991ULL /* 2^53-1: exact in every JSON reader */
#define ANTT_BODY_MAX 65536                /* no valid body is larger */

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

/* Character-set checks shared with the forms and the CLI. */
int antt_valid_unit(const char *s); /* [0-9A-Za-z._-]{1,16} */
int antt_valid_name(const char *s); /* [0-9A-Za-z._-]{1,64}, starts alnum */
int antt_valid_utf8(const char *s, size_t len);

/* Check a chain of enrollments (credentials: a packed Records message of
 * Envelopes, as Heads.credentials carries them and meta "credentials" keeps
 * them): envelope 0 enrolls key self (signed by parent, unless parent is
 * NULL), envelope i enrolls the key that signed envelope i-1, every
 * signature holds.  0 with top = the key that signed the last and chain =
 * the units, nearest first ("332 <- 33"); else ANTT_E_CORRUPT and why. */
int antt_credentials_check(const uint8_t *creds, size_t len, const uint8_t self[ANTT_KEY_BYTES],
                           const uint8_t *parent, uint8_t top[ANTT_KEY_BYTES], char *chain,
                           size_t chain_len, char *err);

#endif
