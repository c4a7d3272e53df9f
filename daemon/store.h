/* store.h - the node's SQLite store: the signed records, in WAL mode.
 *
 * One writer (the daemon's loop thread).  Readers on their own connections
 * (verify in the thread pool) never block it.  Every append happens inside a
 * transaction the caller opens with antt_store_begin and makes durable with
 * antt_store_commit (synchronous=FULL: on disk when it returns). */
#ifndef ANTT_STORE_H
#define ANTT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define ANTT_STORE_APP_ID 0x616e7474 /* "antt": PRAGMA application_id */
#define ANTT_STORE_SCHEMA 11         /* PRAGMA user_version */

typedef struct antt_store antt_store_t;

enum {
	ANTT_STORE_CREATE = 1,   /* create the file (mode 0600) if missing */
	ANTT_STORE_READONLY = 2, /* a reader connection */
	ANTT_STORE_RELAXED = 4,  /* synchronous=NORMAL: a commit survives a crash of
	                          * anttd, not a power cut ([node] durability) */
};

/* Open (and migrate) a store.  When node_pk is given, the store must belong
 * to that identity (a new store is stamped with it).  Caller owns *out. */
int antt_store_open(const char *path, const uint8_t *node_pk, int flags, antt_store_t **out,
                    char *err);
void antt_store_close(antt_store_t **self_p);

/* Long work on the store (the decoded tables rebuilt, by antt rebuild or
 * when authority is re-checked) calls fn(arg) every few thousand records,
 * on the thread doing it: a daemon whose loop that work holds feeds its
 * watchdog there.  fn NULL: nothing is called (the default). */
typedef void (*antt_store_progress_fn)(void *arg);
void antt_store_set_progress(antt_store_t *s, antt_store_progress_fn fn, void *arg);

int antt_store_begin(antt_store_t *s, char *err);
int antt_store_commit(antt_store_t *s, char *err);
void antt_store_rollback(antt_store_t *s);

typedef struct {
	uint64_t seq; /* 0: no record yet */
	uint8_t id[ANTT_ID_BYTES];
} antt_head_t;

/* The author's last record (seq 0 and zero id if none). */
int antt_store_head(antt_store_t *s, const uint8_t author[ANTT_KEY_BYTES], antt_head_t *head,
                    char *err);

/* Where a record stands against its author's chain as held (invariant I1
 * of store.c). */
typedef enum {
	ANTT_STORE_NEXT = 0, /* it follows the head (antt_chain_follows): appendable */
	ANTT_STORE_HELD,     /* this very record is held */
	ANTT_STORE_FORK,     /* at or below the head, and another record is held at its seq */
	ANTT_STORE_GAP,      /* past the head but not right after it: a record before it is
	                      * missing, or its prev names another than the head */
} antt_store_link_t;

/* Where the record id, whose body is b, stands in its author's chain: 0
 * with *link, or the store's error. */
int antt_store_link_of(antt_store_t *s, const uint8_t id[ANTT_ID_BYTES], const antt_body_t *b,
                       antt_store_link_t *link, char *err);

/* Append one signed record whose body b was decoded from (or encoded to)
 * body.  Must be inside a transaction.  Only a record that follows its
 * author's head is appended (I1, antt_store_link_of): ANTT_E_EXISTS when
 * it is held already or another record holds its seq (a fork: see
 * antt_store_add_fork), ANTT_E_INVAL when it does not follow (a gap), each
 * with err saying which. */
int antt_store_append(antt_store_t *s, const uint8_t id[ANTT_ID_BYTES], const uint8_t *body,
                      size_t blen, const uint8_t sig[ANTT_SIG_BYTES], const antt_body_t *b,
                      int64_t received, char *err);

/* The same, saying when the first hub stored it (first: Unix time; 0 at
 * the author's own node, where no hub has yet) and whether the record's own
 * signature was checked (audited = 0: accepted on a later signature of its
 * chain; the background audit checks it later). */
int antt_store_append_ex(antt_store_t *s, const uint8_t id[ANTT_ID_BYTES], const uint8_t *body,
                         size_t blen, const uint8_t sig[ANTT_SIG_BYTES], const antt_body_t *b,
                         int64_t received, int64_t first, int audited, char *err);

/* Rebuild the decoded tables (values and reports) from the signed
 * records, in one transaction of its own; *records: how many were read. */
int antt_store_rebuild(antt_store_t *s, int64_t *records, char *err);

/* Did hub enroll key, or a key enrolled (transitively) under hub? */
int antt_store_enrolled_under(antt_store_t *s, const uint8_t key[ANTT_KEY_BYTES],
                              const uint8_t hub[ANTT_KEY_BYTES]);

/* The enrollment record by which `by` enrolled key, as an envelope
 * (caller frees *env): 0, or ANTT_E_NOTFOUND. */
int antt_store_credential(antt_store_t *s, const uint8_t key[ANTT_KEY_BYTES],
                          const uint8_t by[ANTT_KEY_BYTES], uint8_t **env, size_t *len, char *err);
/* A value of the meta table (caller frees *blob): 0, or ANTT_E_NOTFOUND. */
int antt_store_meta_get(antt_store_t *s, const char *name, uint8_t **blob, size_t *len);
int antt_store_meta_set(antt_store_t *s, const char *name, const uint8_t *blob, size_t len,
                        char *err);

/* The seq after which key is revoked (the lowest of its revocations
 * held): 0 with *after, or ANTT_E_NOTFOUND. */
int antt_store_revoked(antt_store_t *s, const uint8_t key[ANTT_KEY_BYTES], uint64_t *after,
                       char *err);

/* Is unit strictly below above in the administrative tree (antt units
 * import)?  1 yes, 0 no (or not in the tree), -1 no tree is loaded.  A
 * unit `above` that is not in the tree stands for the root (a node's own
 * unit, for reports over its subtree). */
int antt_store_unit_below(antt_store_t *s, const char *unit, const char *above);
/* The same for authority (a scope's subtree, a legacy key's unit): 1 only
 * when both are units of the tree and above is an ancestor of unit; an
 * `above` not in the tree is above nothing. */
int antt_store_unit_within(antt_store_t *s, const char *unit, const char *above);
/* Is unit in the tree?  1 yes, 0 no, -1 no tree is loaded. */
int antt_store_unit_known(antt_store_t *s, const char *unit);

/* A stored record, decoded. */
typedef struct {
	uint8_t id[ANTT_ID_BYTES];
	uint8_t *body;
	size_t blen;
	uint8_t sig[ANTT_SIG_BYTES];
	int64_t received;
	int has_corrected_by; /* a later record corrects this one */
	uint8_t corrected_by[ANTT_ID_BYTES];
	antt_body_t b;
} antt_stored_t;

void antt_stored_clear(antt_stored_t *r);

/* Find by id or by a unique prefix of its hex (at least 4 digits).
 * ANTT_E_NOTFOUND, or ANTT_E_INVAL when the prefix is ambiguous. */
int antt_store_get(antt_store_t *s, const char *id_hex, antt_stored_t *out, char *err);

/* The original report (not a correction) of unit for form and period, if
 * any: 0 and its id, or ANTT_E_NOTFOUND. */
int antt_store_find_report(antt_store_t *s, const char *unit, const char *form, const char *period,
                           uint8_t id[ANTT_ID_BYTES], char *err);

/* The record that corrects id, if any: 0 and its id, or ANTT_E_NOTFOUND. */
int antt_store_find_correction(antt_store_t *s, const uint8_t id[ANTT_ID_BYTES],
                               uint8_t by[ANTT_ID_BYTES], char *err);

typedef struct {
	int64_t records;
	int64_t authors;
} antt_store_stats_t;
int antt_store_stats(antt_store_t *s, antt_store_stats_t *st, char *err);

/* Walk records in storage order.  Filters may be NULL.  limit > 0 keeps the
 * last `limit` matches.  cb returns non-zero to stop. */
typedef struct {
	const char *form;
	const char *period;
	const uint8_t *author;
	int64_t limit;
} antt_store_filter_t;
typedef int (*antt_store_each_fn)(const antt_stored_t *r, void *arg);
int antt_store_each(antt_store_t *s, const antt_store_filter_t *f, antt_store_each_fn cb, void *arg,
                    char *err);

/* Re-check every record: body decodes, id = hash(body), signature, the
 * indexed columns equal the signed fields, and each author's chain is
 * 1, 2, 3 ... with prev = the id before.  problem() is called for each
 * failure; *checked counts records.  Returns 0 when the walk completed (even
 * with problems), or an error.  *stop may be set by another thread. */
typedef void (*antt_store_problem_fn)(const uint8_t id[ANTT_ID_BYTES],
                                      const uint8_t author[ANTT_KEY_BYTES], int64_t seq,
                                      const char *what, void *arg);
/* verify --deep: every other author's key enrolled by a chain ending at
 * self, each record of its enrolled unit, each enrollment of a unit below
 * it, and records signed after a revocation named. */
int antt_store_verify_trust(antt_store_t *s, const uint8_t self[ANTT_KEY_BYTES],
                            antt_store_problem_fn problem, void *arg, char *err);
/* misconduct (NULL: problem) is told each record whose own signature
 * fails while a later record of its chain, whose signature holds, covers
 * it: its author's doing (quarantined at intake's audit), not damage. */
int antt_store_verify(antt_store_t *s, antt_store_problem_fn problem,
                      antt_store_problem_fn misconduct, void *arg, int64_t *checked,
                      const volatile int *stop, char *err);

const char *antt_store_path(const antt_store_t *s);

/* ---- for sync ---- */

typedef struct {
	uint8_t author[ANTT_KEY_BYTES];
	antt_head_t head;
} antt_author_head_t;

/* The head of every author held.  Caller frees *out. */
int antt_store_heads(antt_store_t *s, antt_author_head_t **out, size_t *n, char *err);

/* The id of author's record seq: 0, or ANTT_E_NOTFOUND. */
int antt_store_id_at(antt_store_t *s, const uint8_t author[ANTT_KEY_BYTES], uint64_t seq,
                     uint8_t id[ANTT_ID_BYTES], char *err);

/* Author's records from seq `from` on, in order, at most max: the bytes as
 * stored, and the row of the stamp that gave each its first receipt (0:
 * none).  cb returns non-zero to stop. */
typedef int (*antt_store_raw_fn)(const uint8_t *id, const uint8_t *body, size_t blen,
                                 const uint8_t *sig, uint64_t seq, int64_t stamp, void *arg);
int antt_store_range(antt_store_t *s, const uint8_t author[ANTT_KEY_BYTES], uint64_t from,
                     size_t max, antt_store_raw_fn cb, void *arg, char *err);

/* Who enrolled key (the first enrollment held): 0 with unit and the
 * enrolling key, or ANTT_E_NOTFOUND.  Enrollment records are indexed by
 * antt_store_append in the same transaction. */
int antt_store_enrolled(antt_store_t *s, const uint8_t key[ANTT_KEY_BYTES],
                        char unit[ANTT_UNIT_MAX + 1], uint8_t by[ANTT_KEY_BYTES], char *err);

/* The key that by (NULL: anyone) enrolled whose CURVE transport key is
 * curve: 0 with key, or ANTT_E_NOTFOUND.  One index lookup (ZAP asks it
 * per handshake). */
int antt_store_child_by_curve(antt_store_t *s, const uint8_t *by, const uint8_t curve[32],
                              uint8_t key[ANTT_KEY_BYTES], char *err);

int antt_store_meta_del(antt_store_t *s, const char *name, char *err);

/* Set in a copy made by antt_store_backup: a node started on it signs
 * nothing until its parent has told it how far its own chain goes. */
#define ANTT_META_FROM_BACKUP "from_backup"

typedef struct {
	int64_t records, bytes;
	uint64_t head; /* the node's own head in the copy */
} antt_backup_info_t;

/* Copy the live store at path into the new file out (never overwritten;
 * 0600; one consistent snapshot, taken without stopping the writer),
 * marked ANTT_META_FROM_BACKUP.  self: the node's key, for info->head. */
int antt_store_backup(const char *path, const char *out, const uint8_t self[ANTT_KEY_BYTES],
                      antt_backup_info_t *info, char *err);

/* Fork records kept whole per author; the ones after are only counted. */
#define ANTT_STORE_FORKS_KEPT 16

/* A second record for an author and seq (never forwarded): kept whole as
 * evidence while the author has fewer than ANTT_STORE_FORKS_KEPT kept, and
 * counted in any case (a fork already kept is not counted again).  *kept:
 * 1 if it is kept (now or before), 0 if only counted.  Inside the caller's
 * transaction. */
int antt_store_add_fork(antt_store_t *s, const uint8_t id[ANTT_ID_BYTES], const uint8_t *body,
                        size_t blen, const uint8_t sig[ANTT_SIG_BYTES], const antt_body_t *b,
                        int64_t received, const char *peer, int *kept, char *err);

/* Forks of every author: *seen counted, *kept held whole. */
int antt_store_fork_totals(antt_store_t *s, int64_t *seen, int64_t *kept, char *err);

/* Remember that the parent refused one of our records, and why. */
int antt_store_add_refusal(antt_store_t *s, const uint8_t author[ANTT_KEY_BYTES], uint64_t seq,
                           const uint8_t id[ANTT_ID_BYTES], int code, const char *reason,
                           int64_t at, char *err);

/* How far up (level 1 = the parent) author's records are known to be
 * stored: *seq, 0 when nothing is known. */
int antt_store_receipt(antt_store_t *s, int level, const uint8_t author[ANTT_KEY_BYTES],
                       uint64_t *seq, char *err);

/* fsync the directory holding path, so that a new file's name is durable. */
int antt_store_fsync_dir(const char *path, char *err);

/* Raise how far up (level 1 = the parent) author's records are stored. */
int antt_store_set_receipt(antt_store_t *s, int level, const uint8_t author[ANTT_KEY_BYTES],
                           uint64_t seq, int64_t at, char *err);

/* One level of how far up author's records are stored. */
typedef struct {
	int level;    /* 1: the parent */
	uint64_t seq; /* stored there up to this seq */
	int64_t at;   /* when it said so (Unix time) */
} antt_store_receipt_t;

/* Each receipt held for author, lowest level first.  cb returns non-zero
 * to stop. */
typedef int (*antt_store_receipt_fn)(const antt_store_receipt_t *r, void *arg);
int antt_store_receipts_each(antt_store_t *s, const uint8_t author[ANTT_KEY_BYTES],
                             antt_store_receipt_fn cb, void *arg, char *err);

/* A key by enrolled, with what this store holds of it. */
typedef struct {
	uint8_t key[ANTT_KEY_BYTES]; /* all zero if the row's key is damaged */
	const char *unit;            /* borrowed for the callback */
	uint32_t grant;              /* ANTT_GRANT_* */
	int64_t records;             /* its records held */
	uint64_t head;               /* its last seq held, 0: none */
	int64_t forks;               /* second records for a held seq it signed, counted */
	uint64_t quarantined_from;   /* 0: its records count; else untrusted from this seq */
} antt_store_child_t;

/* Each key that by enrolled by an enrollment that holds (T2), in unit
 * order.  cb returns non-zero to stop. */
typedef int (*antt_store_child_fn)(const antt_store_child_t *c, void *arg);
int antt_store_children_each(antt_store_t *s, const uint8_t by[ANTT_KEY_BYTES],
                             antt_store_child_fn cb, void *arg, char *err);

/* ---- authority (store_trust.c; proto/README.md, "Authority") ---- */

/* antt_below_fn over store's administrative list. */
int antt_store_below(const char *unit, const char *above, void *store);

/* The enrollment record that counts for key (the first held that holds),
 * decoded into *enrollment (caller clears): 0, or ANTT_E_NOTFOUND. */
int antt_store_grant(antt_store_t *s, const uint8_t key[ANTT_KEY_BYTES], antt_body_t *enrollment,
                     char *err);

/* This node (key self, of unit self_unit; the root of trust when is_root,
 * else holding the grant its parent's enrollment of it states, the first
 * of meta "credentials"). */
typedef struct {
	const uint8_t *key;
	const char *unit;
	int is_root;
} antt_store_self_t;

/* May b's author sign b (an enrollment or a revocation; anything else
 * passes)?  What self signs is judged on its own grant; while it holds
 * none yet, it passes here (its admin's act) and the hubs above judge it.
 * 0, or ANTT_E_INVAL with why. */
int antt_store_permits(antt_store_t *s, const antt_store_self_t *self, const antt_body_t *b,
                       char *why, size_t why_len);

/* Who a key signs for, by the period of each record (T5 of store_trust.c):
 * the unit it is enrolled for and the unit list that enrollment belongs
 * to.  Filled by antt_store_signer / _signer_of / _self_signer; the last
 * fields are a cache of antt_store_signs_for's. */
typedef struct {
	char unit[ANTT_UNIT_MAX + 1]; /* E: the unit enrolled for */
	char list[17];                /* LE: its list ("" when none of the lists holds E) */
	int dated;                    /* the store holds a dated unit list */
	int relay;                    /* a relay's key: it files no reports */
	int day;                      /* the last period's last day judged ... */
	char on_day[17];              /* ... and the list in force on it */
} antt_store_signer_t;

/* The signer of a key enrolled for unit by an enrollment record made on
 * since (its period, "YYYY-MM-DD"; NULL: today).  0, or a store error. */
int antt_store_signer(antt_store_t *s, const char *unit, const char *since, antt_store_signer_t *k,
                      char *err);
/* The same from key's enrollment that counts (antt_store_grant): 0,
 * ANTT_E_NOTFOUND (none holds), or a store error. */
int antt_store_signer_of(antt_store_t *s, const uint8_t key[ANTT_KEY_BYTES], antt_store_signer_t *k,
                         char *err);
/* This node's own: unit, enrolled on the day of its parent's enrollment of
 * it (the first of meta "credentials"), else (the root, or none held yet)
 * as of today. */
int antt_store_self_signer(antt_store_t *s, const uint8_t self[ANTT_KEY_BYTES], const char *unit,
                           antt_store_signer_t *k, char *err);
/* May k sign b, a record of b->unit for b->period (T5)?  0, ANTT_E_INVAL
 * with why ("key enrolled for 12337 (list 2025-07) may not sign for 12346
 * in 2025-08: ..."; at most 159 bytes, a hub's refusal), or a store error
 * in why. */
int antt_store_signs_for(antt_store_t *s, antt_store_signer_t *k, const antt_body_t *b, char *why,
                         size_t why_len);

/* Keep the record id, just appended, as one T5 does not let count (why):
 * listed in not_permitted and its report regrouped without it, in the
 * open transaction.  0, or a store error. */
int antt_store_index_not_permitted(antt_store_t *s, const uint8_t id[ANTT_ID_BYTES],
                                   const antt_body_t *b, const char *why, char *err);

/* The keys whose records child's key takes back before it signs (the top
 * of store_trust.c, "Rotation"): into keys, at most max, first *n_same of
 * its unit in the unit list of its enrollment (a replaced machine's), then
 * *n_older enrolled for a unit of an older list that went whole to its
 * unit (a full link: their paperwork is its).  None when child's key holds
 * no enrollment.  0, or a store error. */
int antt_store_rotation_keys(antt_store_t *s, const uint8_t child[ANTT_KEY_BYTES],
                             uint8_t (*keys)[ANTT_KEY_BYTES], size_t max, size_t *n_same,
                             size_t *n_older, char *err);
/* Keep keys as this node's older list's keys (Heads.older_heads): added
 * to those kept.  0, or a store error. */
int antt_store_older_keys_add(antt_store_t *s, const uint8_t (*keys)[ANTT_KEY_BYTES], size_t n,
                              char *err);
/* The original report (not a correction) that b, about to be signed by
 * this node (self, its signer k), would file twice: one of b's unit, form
 * and period that counts (not in not_permitted) and that its key may sign
 * (T5: this node's own; an earlier key of its unit; a key of an older
 * list's unit only for a period judged by an older list than k's, or
 * when this node holds no dated list: then *unjudged).  0 and its id,
 * ANTT_E_NOTFOUND, or a store error. */
int antt_store_filed_before(antt_store_t *s, const uint8_t self[ANTT_KEY_BYTES],
                            antt_store_signer_t *k, const antt_body_t *b, uint8_t id[ANTT_ID_BYTES],
                            int *unjudged, char *err);

/* Judge every enrollment and revocation held under the rules (invariants
 * T1-T4 of store_trust.c).  apply: mark what does not hold (inside the
 * caller's transaction) and rebuild the decoded tables when that changed
 * (*changed); problem (may be NULL) is told each enrollment or revocation
 * that does not hold and each record of a key left without one. */
int antt_store_trust_recheck(antt_store_t *s, const uint8_t self[ANTT_KEY_BYTES], int apply,
                             antt_store_problem_fn problem, void *arg, int *changed, char *err);

/* Child via delivered author's records from..to, taken on the signature
 * of a later one (the audit names it if one fails).  In a transaction. */
int antt_store_via_add(antt_store_t *s, const uint8_t author[ANTT_KEY_BYTES], uint64_t from,
                       uint64_t to, const uint8_t via[ANTT_KEY_BYTES], char *err);
/* Which child delivered author's record seq: 0, or ANTT_E_NOTFOUND. */
int antt_store_via_of(antt_store_t *s, const uint8_t author[ANTT_KEY_BYTES], uint64_t seq,
                      uint8_t via[ANTT_KEY_BYTES]);
/* Forget the runs the audit has checked whole. */
int antt_store_via_prune(antt_store_t *s, char *err);

/* A record taken on the signature of a later one, whose own signature the
 * background audit has still to check (borrowed for the callback). */
typedef struct {
	int64_t row;         /* for antt_store_audited */
	const uint8_t *body; /* as signed */
	size_t blen;
	const uint8_t *sig;    /* NULL when the stored one is not ANTT_SIG_BYTES */
	const uint8_t *author; /* NULL when the stored one is not ANTT_KEY_BYTES */
	uint64_t seq;
} antt_store_unaudited_t;

/* Each record awaiting the audit, in storage order.  cb returns non-zero
 * to stop.  A reader connection will do (the thread pool's). */
typedef int (*antt_store_unaudited_fn)(const antt_store_unaudited_t *r, void *arg);
int antt_store_unaudited_each(antt_store_t *s, antt_store_unaudited_fn cb, void *arg, char *err);

/* The audit's verdict on rows (antt_store_unaudited_t.row): their own
 * signature holds (holds 1) or does not.  In a transaction. */
int antt_store_audited(antt_store_t *s, const int64_t *rows, size_t n, int holds, char *err);

/* Quarantine author's chain from seq on (a signature there failed the
 * audit): held, never counted nor forwarded.  In a transaction. */
int antt_store_quarantine(antt_store_t *s, const uint8_t author[ANTT_KEY_BYTES], uint64_t seq,
                          const char *why, char *err);

/* The seq after which key's records are untrusted (the lowest), and why:
 * 0, or ANTT_E_NOTFOUND. */
int antt_store_untrusted(antt_store_t *s, const uint8_t key[ANTT_KEY_BYTES], uint64_t *after,
                         char *why, size_t why_len, char *err);

/* ---- first receipts (store_trust.c; proto/README.md "First receipt") ---- */

/* Keep a stamp (body as signed, already checked) once: *sn its row. */
int antt_store_stamp_add(antt_store_t *s, const uint8_t hub[ANTT_KEY_BYTES], const uint8_t *body,
                         size_t blen, const uint8_t sig[ANTT_SIG_BYTES], const antt_stamp_t *st,
                         int64_t *sn, char *err);
/* The author's records from_seq..to_seq held without a first receipt take
 * the stamp's: first = at, stamp = sn.  In a transaction. */
int antt_store_stamp_apply(antt_store_t *s, int64_t sn, const antt_stamp_t *st, char *err);
/* Is this stamp (signer and body) held?  0, or ANTT_E_NOTFOUND. */
int antt_store_stamp_held(antt_store_t *s, const uint8_t hub[ANTT_KEY_BYTES], const uint8_t *body,
                          size_t blen);
/* A stamp by its row: the signer, the body (caller frees) and signature. */
int antt_store_stamp_get(antt_store_t *s, int64_t sn, uint8_t hub[ANTT_KEY_BYTES], uint8_t **body,
                         size_t *blen, uint8_t sig[ANTT_SIG_BYTES], char *err);

#endif
