/* test_store.c - the node's SQLite store (daemon/store.c) on real files in a
 * temporary folder: creation (mode, schema stamps), appending signed chains
 * in transactions, duplicates and rollback, verification of a clean and of a
 * tampered store, lookups by id and prefix, reports, corrections, counts and
 * listing, and files that are not a store of ours. */
#include "testutil.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "keyfile.h"
#include "record.h"
#include "forms.h"
#include "store.h"
#include "store_reports.h"
#include "store_units.h"

#define S_UNIT "10375"
#define S_MONTHLY "bvanttq-monthly"
#define S_EVENT "bvanttq-event"

typedef struct {
	char *dir;
	char *path; /* dir/store.db */
	antt_key_t *a, *b;
	antt_store_t *s;
} s_fx_t;

/* A signed record, as the daemon makes one. */
typedef struct {
	uint8_t id[ANTT_ID_BYTES];
	uint8_t *body;
	size_t blen;
	uint8_t sig[ANTT_SIG_BYTES];
	antt_body_t b;
} s_rec_t;

static antt_key_t *s_key(uint8_t n)
{
	uint8_t seed[ANTT_SEED_BYTES];
	memset(seed, n, sizeof seed);
	antt_key_t *k = NULL;
	antt_key_from_seed(seed, &k);
	return k;
}

static int s_setup(void **state)
{
	s_fx_t *fx = calloc(1, sizeof *fx);
	fx->dir = tu_mkdtemp();
	fx->path = tu_path(fx->dir, "store.db");
	fx->a = s_key(0xa1);
	fx->b = s_key(0xb2);
	*state = fx;
	return 0;
}

static int s_teardown(void **state)
{
	s_fx_t *fx = *state;
	antt_store_close(&fx->s);
	antt_key_destroy(&fx->a);
	antt_key_destroy(&fx->b);
	free(fx->path);
	tu_rmtree(fx->dir);
	free(fx);
	return 0;
}

static void s_open(s_fx_t *fx)
{
	char err[ANTT_ERR_MAX] = "";
	antt_store_close(&fx->s);
	if (antt_store_open(fx->path, fx->a->pk, ANTT_STORE_CREATE, &fx->s, err))
		fail_msg("open %s: %s", fx->path, err);
}

static void s_rec_clear(s_rec_t *r)
{
	free(r->body);
	antt_body_clear(&r->b);
	memset(r, 0, sizeof *r);
}

/* Build and sign record seq of k's chain.  note may be NULL. */
static void s_make(s_rec_t *r, const antt_key_t *k, uint64_t seq, const uint8_t *prev,
                   const char *form, const char *period, uint64_t value, const char *note,
                   const uint8_t *corrects)
{
	char err[ANTT_ERR_MAX];
	memset(r, 0, sizeof *r);
	r->b.version = ANTT_RECORD_VERSION;
	memcpy(r->b.author, k->pk, ANTT_KEY_BYTES);
	r->b.seq = seq;
	if (prev)
		memcpy(r->b.prev, prev, ANTT_ID_BYTES);
	r->b.unit = antt_xstrdup(S_UNIT);
	r->b.clock = 1718409600 + (int64_t)seq;
	r->b.form = antt_xstrdup(form);
	r->b.period = antt_xstrdup(period);
	r->b.n_values = 2;
	r->b.values = antt_xcalloc(2, sizeof *r->b.values);
	r->b.values[0].code = antt_xstrdup("hoa_giai");
	r->b.values[0].value = value;
	r->b.values[1].code = antt_xstrdup("tin_bao");
	r->b.values[1].value = value * 2;
	r->b.note = note ? antt_xstrdup(note) : NULL;
	if (corrects) {
		r->b.has_corrects = 1;
		memcpy(r->b.corrects, corrects, ANTT_ID_BYTES);
	}
	if (antt_body_encode(&r->b, &r->body, &r->blen, err))
		fail_msg("encode: %s", err);
	antt_record_id(r->id, r->body, r->blen);
	antt_record_sign(r->sig, r->body, r->blen, k->sk);
}

static int s_append(antt_store_t *s, const s_rec_t *r, char *err)
{
	return antt_store_append(s, r->id, r->body, r->blen, r->sig, &r->b, 1718500000, err);
}

/* Append the next record of k's chain (seq = head + 1, prev = head id) in a
 * transaction of its own; the new id into id if given. */
static void s_append_next(antt_store_t *s, const antt_key_t *k, const char *form,
                          const char *period, uint64_t value, const uint8_t *corrects, uint8_t *id)
{
	char err[ANTT_ERR_MAX] = "";
	antt_head_t h;
	s_rec_t r;
	assert_int_equal(antt_store_head(s, k->pk, &h, err), ANTT_OK);
	s_make(&r, k, h.seq + 1, h.seq ? h.id : NULL, form, period, value,
	       corrects ? "Sửa số liệu" : NULL, corrects);
	assert_int_equal(antt_store_begin(s, err), ANTT_OK);
	if (s_append(s, &r, err))
		fail_msg("append seq %llu: %s", (unsigned long long)r.b.seq, err);
	assert_int_equal(antt_store_commit(s, err), ANTT_OK);
	if (id)
		memcpy(id, r.id, ANTT_ID_BYTES);
	s_rec_clear(&r);
}

/* The store most tests start from:
 *   a1 monthly 2024-04, a2 monthly 2024-05, a3 event 2024-06-15,
 *   a4 event 2024-06-16, a5 corrects a2;  b1 monthly 2024-05, b2 event. */
typedef struct {
	uint8_t a[6][ANTT_ID_BYTES]; /* [1..5] */
	uint8_t b[3][ANTT_ID_BYTES]; /* [1..2] */
} s_ids_t;

static void s_fill(s_fx_t *fx, s_ids_t *ids)
{
	s_open(fx);
	s_append_next(fx->s, fx->a, S_MONTHLY, "2024-04", 3, NULL, ids->a[1]);
	s_append_next(fx->s, fx->a, S_MONTHLY, "2024-05", 4, NULL, ids->a[2]);
	s_append_next(fx->s, fx->b, S_MONTHLY, "2024-05", 7, NULL, ids->b[1]);
	s_append_next(fx->s, fx->a, S_EVENT, "2024-06-15", 1, NULL, ids->a[3]);
	s_append_next(fx->s, fx->a, S_EVENT, "2024-06-16", 2, NULL, ids->a[4]);
	s_append_next(fx->s, fx->b, S_EVENT, "2024-06-16", 1, NULL, ids->b[2]);
	s_append_next(fx->s, fx->a, S_MONTHLY, "2024-05", 5, ids->a[2], ids->a[5]);
}

/* ---- opening and creating ---- */

static int64_t s_pragma(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static sqlite3 *s_raw(const char *path)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	return db;
}

static void s_raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = s_raw(path);
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(db);
}

static mode_t s_mode(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

static void test_create(void **state)
{
	s_fx_t *fx = *state;
	char err[ANTT_ERR_MAX] = "";
	mode_t old = umask(0);
	s_open(fx);
	umask(old);
	assert_string_equal(antt_store_path(fx->s), fx->path);
	assert_int_equal(s_mode(fx->path), 0600);
	antt_store_stats_t st = {-1, -1};
	assert_int_equal(antt_store_stats(fx->s, &st, err), ANTT_OK);
	assert_int_equal(st.records, 0);
	assert_int_equal(st.authors, 0);
	antt_head_t h;
	memset(&h, 0xee, sizeof h);
	assert_int_equal(antt_store_head(fx->s, fx->a->pk, &h, err), ANTT_OK);
	assert_int_equal(h.seq, 0);
	static const uint8_t zero[ANTT_ID_BYTES];
	assert_memory_equal(h.id, zero, ANTT_ID_BYTES);
	antt_store_close(&fx->s);
	assert_null(fx->s);

	sqlite3 *db = s_raw(fx->path);
	assert_int_equal(s_pragma(db, "PRAGMA user_version"), ANTT_STORE_SCHEMA);
	assert_int_equal(s_pragma(db, "PRAGMA application_id"), ANTT_STORE_APP_ID);
	sqlite3_stmt *q;
	assert_int_equal(
	    sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'node_key'", -1, &q, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_bytes(q, 0), ANTT_KEY_BYTES);
	assert_memory_equal(sqlite3_column_blob(q, 0), fx->a->pk, ANTT_KEY_BYTES);
	sqlite3_finalize(q);
	sqlite3_close(db);

	/* opened again: the same store, and a store opened read-only reads it */
	s_open(fx);
	antt_store_t *ro = NULL;
	assert_int_equal(antt_store_open(fx->path, fx->a->pk, ANTT_STORE_READONLY, &ro, err),
	                 ANTT_OK);
	assert_int_equal(antt_store_stats(ro, &st, err), ANTT_OK);
	assert_int_equal(st.records, 0);
	antt_store_close(&ro);

	/* a store left readable by others is made 0600 again */
	antt_store_close(&fx->s);
	assert_int_equal(chmod(fx->path, 0644), 0);
	s_open(fx);
	assert_int_equal(s_mode(fx->path), 0600);
}

static void test_open_missing(void **state)
{
	s_fx_t *fx = *state;
	char err[ANTT_ERR_MAX] = "";
	antt_store_t *s = (antt_store_t *)1;
	assert_int_equal(antt_store_open(fx->path, fx->a->pk, 0, &s, err), ANTT_E_CONFIG);
	assert_null(s);
	tu_assert_contains(err, fx->path);
	assert_int_equal(access(fx->path, F_OK), -1); /* not created */
	s = (antt_store_t *)1;
	assert_int_not_equal(antt_store_open(fx->path, NULL, ANTT_STORE_READONLY, &s, err), 0);
	assert_null(s);
	char *nodir = tu_path(fx->dir, "no/such/dir/store.db");
	s = (antt_store_t *)1;
	assert_int_equal(antt_store_open(nodir, fx->a->pk, ANTT_STORE_CREATE, &s, err), ANTT_E_IO);
	assert_null(s);
	tu_assert_contains(err, nodir);
	free(nodir);
}

/* ---- appending ---- */

static void s_expect_head(antt_store_t *s, const antt_key_t *k, uint64_t seq, const uint8_t *id)
{
	char err[ANTT_ERR_MAX] = "";
	antt_head_t h;
	assert_int_equal(antt_store_head(s, k->pk, &h, err), ANTT_OK);
	assert_int_equal(h.seq, seq);
	assert_memory_equal(h.id, id, ANTT_ID_BYTES);
}

static void s_expect_count(antt_store_t *s, int64_t records, int64_t authors)
{
	char err[ANTT_ERR_MAX] = "";
	antt_store_stats_t st;
	assert_int_equal(antt_store_stats(s, &st, err), ANTT_OK);
	assert_int_equal(st.records, records);
	assert_int_equal(st.authors, authors);
}

static void test_chain(void **state)
{
	s_fx_t *fx = *state;
	char err[ANTT_ERR_MAX] = "";
	uint8_t ids[8][ANTT_ID_BYTES];
	static const char *periods[] = {"", "2024-01", "2024-02", "2024-03", "2024-04", "2024-05"};
	s_open(fx);
	for (uint64_t seq = 1; seq <= 5; seq++) {
		s_append_next(fx->s, fx->a, S_MONTHLY, periods[seq], seq, NULL, ids[seq]);
		s_expect_head(fx->s, fx->a, seq, ids[seq]);
	}
	/* each record's prev is the one before */
	for (int seq = 1; seq <= 5; seq++) {
		char hex[2 * ANTT_ID_BYTES + 1];
		antt_stored_t r;
		assert_int_equal(
		    antt_store_get(fx->s, antt_hex(hex, ids[seq], ANTT_ID_BYTES), &r, err),
		    ANTT_OK);
		assert_int_equal(r.b.seq, seq);
		if (seq > 1)
			assert_memory_equal(r.b.prev, ids[seq - 1], ANTT_ID_BYTES);
		antt_stored_clear(&r);
	}
	/* two records in one transaction */
	s_rec_t r6, r7;
	s_make(&r6, fx->a, 6, ids[5], S_EVENT, "2024-06-01", 1, NULL, NULL);
	s_make(&r7, fx->a, 7, r6.id, S_EVENT, "2024-06-02", 1, NULL, NULL);
	assert_int_equal(antt_store_begin(fx->s, err), ANTT_OK);
	assert_int_equal(s_append(fx->s, &r6, err), ANTT_OK);
	assert_int_equal(s_append(fx->s, &r7, err), ANTT_OK);
	s_expect_head(fx->s, fx->a, 7, r7.id); /* seen inside the transaction */
	assert_int_equal(antt_store_commit(fx->s, err), ANTT_OK);
	memcpy(ids[6], r6.id, ANTT_ID_BYTES);
	memcpy(ids[7], r7.id, ANTT_ID_BYTES);
	s_rec_clear(&r6);
	s_rec_clear(&r7);

	/* committed means stored: a fresh connection sees it all */
	antt_store_close(&fx->s);
	s_open(fx);
	s_expect_head(fx->s, fx->a, 7, ids[7]);
	s_expect_count(fx->s, 7, 1);
	static const uint8_t zero[ANTT_ID_BYTES];
	s_expect_head(fx->s, fx->b, 0, zero); /* another author's chain is empty */
	int64_t checked = 0;
	assert_int_equal(antt_store_verify(fx->s, NULL, NULL, NULL, &checked, NULL, err), ANTT_OK);
	assert_int_equal(checked, 7);
}

static void test_duplicate_and_rollback(void **state)
{
	s_fx_t *fx = *state;
	char err[ANTT_ERR_MAX] = "";
	uint8_t ids[4][ANTT_ID_BYTES];
	s_open(fx);
	for (uint64_t seq = 1; seq <= 3; seq++)
		s_append_next(fx->s, fx->a, S_EVENT, "2024-06-15", seq, NULL, ids[seq]);

	/* another record claiming seq 3 of the same author */
	s_rec_t dup;
	s_make(&dup, fx->a, 3, ids[2], S_EVENT, "2024-06-15", 99, NULL, NULL);
	assert_memory_not_equal(dup.id, ids[3], ANTT_ID_BYTES);
	assert_int_equal(antt_store_begin(fx->s, err), ANTT_OK);
	err[0] = '\0';
	assert_int_equal(s_append(fx->s, &dup, err), ANTT_E_EXISTS);
	tu_assert_contains(err, "seq 3");
	antt_store_rollback(fx->s);
	s_expect_head(fx->s, fx->a, 3, ids[3]);
	s_expect_count(fx->s, 3, 1);
	char hex[2 * ANTT_ID_BYTES + 1];
	antt_stored_t got;
	assert_int_equal(antt_store_get(fx->s, antt_hex(hex, dup.id, ANTT_ID_BYTES), &got, err),
	                 ANTT_E_NOTFOUND);
	assert_int_equal(antt_store_get(fx->s, antt_hex(hex, ids[3], ANTT_ID_BYTES), &got, err),
	                 ANTT_OK);
	assert_int_equal(got.b.values[0].value, 3); /* the original, untouched */
	antt_stored_clear(&got);
	s_rec_clear(&dup);

	/* the very same record again */
	s_rec_t same;
	s_make(&same, fx->a, 3, ids[2], S_EVENT, "2024-06-15", 3, NULL, NULL);
	assert_memory_equal(same.id, ids[3], ANTT_ID_BYTES);
	assert_int_equal(antt_store_begin(fx->s, err), ANTT_OK);
	assert_int_equal(s_append(fx->s, &same, err), ANTT_E_EXISTS);
	antt_store_rollback(fx->s);
	s_rec_clear(&same);

	/* a good record that is rolled back leaves nothing behind */
	s_rec_t r4;
	s_make(&r4, fx->a, 4, ids[3], S_EVENT, "2024-06-16", 4, NULL, NULL);
	assert_int_equal(antt_store_begin(fx->s, err), ANTT_OK);
	assert_int_equal(s_append(fx->s, &r4, err), ANTT_OK);
	s_expect_head(fx->s, fx->a, 4, r4.id);
	antt_store_rollback(fx->s);
	antt_store_rollback(fx->s); /* harmless outside a transaction */
	s_expect_head(fx->s, fx->a, 3, ids[3]);
	s_expect_count(fx->s, 3, 1);
	assert_int_equal(antt_store_get(fx->s, antt_hex(hex, r4.id, ANTT_ID_BYTES), &got, err),
	                 ANTT_E_NOTFOUND);
	/* and after a reopen too */
	antt_store_close(&fx->s);
	s_open(fx);
	s_expect_head(fx->s, fx->a, 3, ids[3]);
	s_expect_count(fx->s, 3, 1);
	/* the same record can then be appended for real */
	assert_int_equal(antt_store_begin(fx->s, err), ANTT_OK);
	assert_int_equal(s_append(fx->s, &r4, err), ANTT_OK);
	assert_int_equal(antt_store_commit(fx->s, err), ANTT_OK);
	s_expect_head(fx->s, fx->a, 4, r4.id);
	s_rec_clear(&r4);
}

/* Append keeps each author's chain contiguous (store.c, I1): what does not
 * follow the head is not stored, and antt_store_link_of says why. */
static void test_append_follows_chain(void **state)
{
	s_fx_t *fx = *state;
	char err[ANTT_ERR_MAX] = "";
	uint8_t ids[4][ANTT_ID_BYTES];
	static const uint8_t zero[ANTT_ID_BYTES];
	antt_store_link_t link;
	s_open(fx);
	for (uint64_t seq = 1; seq <= 3; seq++)
		s_append_next(fx->s, fx->a, S_EVENT, "2024-06-15", seq, NULL, ids[seq]);
	struct {
		const antt_key_t *k;
		uint64_t seq;
		const uint8_t *prev;
		uint64_t value;
		antt_store_link_t link;
		int rc;
	} cases[] = {
	    {fx->a, 4, ids[3], 4, ANTT_STORE_NEXT, ANTT_OK},        /* the next */
	    {fx->a, 3, ids[2], 3, ANTT_STORE_HELD, ANTT_E_EXISTS},  /* the head again */
	    {fx->a, 1, NULL, 1, ANTT_STORE_HELD, ANTT_E_EXISTS},    /* the first again */
	    {fx->a, 2, ids[1], 99, ANTT_STORE_FORK, ANTT_E_EXISTS}, /* another seq 2 */
	    {fx->a, 5, ids[3], 5, ANTT_STORE_GAP, ANTT_E_INVAL},    /* seq 4 missing */
	    {fx->a, 4, ids[2], 4, ANTT_STORE_GAP, ANTT_E_INVAL},    /* prev not the head */
	    {fx->b, 2, ids[1], 1, ANTT_STORE_GAP, ANTT_E_INVAL},    /* a chain from seq 2 */
	    {fx->b, 1, NULL, 1, ANTT_STORE_NEXT, ANTT_OK},          /* a new chain */
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		s_rec_t r;
		s_make(&r, cases[i].k, cases[i].seq, cases[i].prev, S_EVENT, "2024-06-15",
		       cases[i].value, NULL, NULL);
		assert_int_equal(antt_store_link_of(fx->s, r.id, &r.b, &link, err), ANTT_OK);
		if (link != cases[i].link)
			fail_msg("case %zu: link %d, expected %d", i, (int)link,
			         (int)cases[i].link);
		assert_int_equal(antt_store_begin(fx->s, err), ANTT_OK);
		err[0] = '\0';
		assert_int_equal(s_append(fx->s, &r, err), cases[i].rc);
		if (cases[i].rc)
			tu_assert_contains(err, cases[i].link == ANTT_STORE_FORK ? "a fork"
			                        : cases[i].link == ANTT_STORE_GAP
			                            ? "a gap"
			                            : "already stored");
		antt_store_rollback(fx->s); /* each case against the same three */
		s_rec_clear(&r);
	}
	s_expect_head(fx->s, fx->a, 3, ids[3]);
	s_expect_head(fx->s, fx->b, 0, zero);
	s_expect_count(fx->s, 3, 1);
}

/* A run of appends in one transaction, as a batch or a bulk submit makes
 * it: each append finds its author's head whether the last one appended was
 * the same author's or another's, and what a rolled-back transaction
 * appended is no head afterwards. */
static void test_append_run_in_one_transaction(void **state)
{
	s_fx_t *fx = *state;
	char err[ANTT_ERR_MAX] = "";
	s_rec_t a[6], b1, a2x;
	s_open(fx);
	for (uint64_t seq = 1; seq <= 5; seq++)
		s_make(&a[seq], fx->a, seq, seq > 1 ? a[seq - 1].id : NULL, S_EVENT, "2024-06-15",
		       seq, NULL, NULL);
	s_make(&b1, fx->b, 1, NULL, S_EVENT, "2024-06-15", 1, NULL, NULL);
	s_make(&a2x, fx->a, 2, a[1].id, S_EVENT, "2024-06-15", 99, NULL, NULL);
	assert_int_equal(antt_store_begin(fx->s, err), ANTT_OK);
	assert_int_equal(s_append(fx->s, &a[1], err), ANTT_OK);
	assert_int_equal(s_append(fx->s, &a[2], err), ANTT_OK);
	assert_int_equal(s_append(fx->s, &b1, err), ANTT_OK);
	assert_int_equal(s_append(fx->s, &a[3], err), ANTT_OK); /* after another author */
	assert_int_equal(s_append(fx->s, &a[3], err), ANTT_E_EXISTS);
	tu_assert_contains(err, "already stored");
	assert_int_equal(s_append(fx->s, &a2x, err), ANTT_E_EXISTS);
	tu_assert_contains(err, "a fork");
	assert_int_equal(s_append(fx->s, &a[5], err), ANTT_E_INVAL);
	tu_assert_contains(err, "a gap");
	assert_int_equal(s_append(fx->s, &a[4], err), ANTT_OK); /* after refusals */
	assert_int_equal(antt_store_commit(fx->s, err), ANTT_OK);
	s_expect_head(fx->s, fx->a, 4, a[4].id);
	s_expect_head(fx->s, fx->b, 1, b1.id);
	/* appended, then rolled back: seq 5 is next again, not held */
	assert_int_equal(antt_store_begin(fx->s, err), ANTT_OK);
	assert_int_equal(s_append(fx->s, &a[5], err), ANTT_OK);
	antt_store_rollback(fx->s);
	s_expect_head(fx->s, fx->a, 4, a[4].id);
	assert_int_equal(antt_store_begin(fx->s, err), ANTT_OK);
	assert_int_equal(s_append(fx->s, &a[5], err), ANTT_OK);
	assert_int_equal(antt_store_commit(fx->s, err), ANTT_OK);
	s_expect_head(fx->s, fx->a, 5, a[5].id);
	s_expect_count(fx->s, 6, 2);
	/* outside a transaction (the engine may have ended it): an error */
	s_rec_t b2;
	s_make(&b2, fx->b, 2, b1.id, S_EVENT, "2024-06-15", 2, NULL, NULL);
	assert_int_equal(s_append(fx->s, &b2, err), ANTT_E_STORE);
	tu_assert_contains(err, "transaction is no longer open");
	s_expect_head(fx->s, fx->b, 1, b1.id);
	for (int i = 1; i <= 5; i++)
		s_rec_clear(&a[i]);
	s_rec_clear(&b1);
	s_rec_clear(&a2x);
	s_rec_clear(&b2);
}

/* ---- verification ---- */

typedef struct {
	uint8_t id[ANTT_ID_BYTES];
	uint8_t author[ANTT_KEY_BYTES];
	int64_t seq;
	char what[ANTT_ERR_MAX + 64];
} s_problem_t;

typedef struct {
	size_t n;
	s_problem_t p[32];
} s_problems_t;

static void s_on_problem(const uint8_t id[ANTT_ID_BYTES], const uint8_t author[ANTT_KEY_BYTES],
                         int64_t seq, const char *what, void *arg)
{
	s_problems_t *ps = arg;
	assert_true(ps->n < 32);
	s_problem_t *p = &ps->p[ps->n++];
	memcpy(p->id, id, ANTT_ID_BYTES);
	memcpy(p->author, author, ANTT_KEY_BYTES);
	p->seq = seq;
	snprintf(p->what, sizeof p->what, "%s", what);
}

/* Verify, and check that every problem found names this one record, and
 * that one of them says `says`. */
static void s_expect_problem(s_fx_t *fx, int64_t records, const uint8_t *id, const uint8_t *author,
                             int64_t seq, const char *says)
{
	char err[ANTT_ERR_MAX] = "";
	s_problems_t ps = {0};
	int64_t checked = -1;
	s_open(fx);
	assert_int_equal(antt_store_verify(fx->s, s_on_problem, NULL, &ps, &checked, NULL, err),
	                 ANTT_OK);
	assert_int_equal(checked, records);
	if (ps.n == 0)
		fail_msg("tampering not found (expected \"%s\")", says);
	int said = 0;
	for (size_t i = 0; i < ps.n; i++) {
		char want[2 * ANTT_ID_BYTES + 1], got[2 * ANTT_ID_BYTES + 1];
		/* tampering with the records also leaves the decoded tables
		 * disagreeing with them: those problems may name other rows */
		if (strstr(ps.p[i].what, "antt rebuild") && !strstr(says, "antt rebuild"))
			continue;
		if (memcmp(ps.p[i].id, id, ANTT_ID_BYTES) || ps.p[i].seq != seq)
			fail_msg("problem \"%s\" names record %s seq %lld, expected %s seq %lld",
			         ps.p[i].what, antt_hex(got, ps.p[i].id, ANTT_ID_BYTES),
			         (long long)ps.p[i].seq, antt_hex(want, id, ANTT_ID_BYTES),
			         (long long)seq);
		assert_memory_equal(ps.p[i].author, author, ANTT_KEY_BYTES);
		said |= strstr(ps.p[i].what, says) != NULL;
	}
	if (!said)
		fail_msg("no problem says \"%s\" (first: \"%s\")", says, ps.p[0].what);
}

static void test_verify_clean(void **state)
{
	s_fx_t *fx = *state;
	char err[ANTT_ERR_MAX] = "";
	s_ids_t ids;
	s_fill(fx, &ids);
	s_problems_t ps = {0};
	int64_t checked = -1;
	assert_int_equal(antt_store_verify(fx->s, s_on_problem, NULL, &ps, &checked, NULL, err),
	                 ANTT_OK);
	assert_int_equal(checked, 7);
	if (ps.n)
		fail_msg("clean store has a problem: %s", ps.p[0].what);
	/* a stop request is honoured */
	volatile int stop = 1;
	assert_int_equal(antt_store_verify(fx->s, s_on_problem, NULL, &ps, &checked, &stop, err),
	                 ANTT_E_UNAVAIL);
	assert_int_equal(ps.n, 0);
}

/* Run sql (with ?1 = the record's id) on the store through another connection. */
static void s_tamper(s_fx_t *fx, const char *sql, const uint8_t *id, const void *blob, int blen)
{
	antt_store_close(&fx->s);
	sqlite3 *db = s_raw(fx->path);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_blob(st, 1, id, ANTT_ID_BYTES, SQLITE_STATIC);
	if (blob)
		sqlite3_bind_blob(st, 2, blob, blen, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	assert_int_equal(sqlite3_changes(db), 1);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void test_verify_body_byte(void **state)
{
	s_fx_t *fx = *state;
	char err[ANTT_ERR_MAX] = "";
	char hex[2 * ANTT_ID_BYTES + 1];
	s_ids_t ids;
	s_fill(fx, &ids);
	antt_stored_t r;
	assert_int_equal(antt_store_get(fx->s, antt_hex(hex, ids.a[3], ANTT_ID_BYTES), &r, err),
	                 ANTT_OK);
	r.body[r.blen - 3] ^= 0x01; /* inside the last value */
	s_tamper(fx, "UPDATE records SET body = ?2 WHERE id = ?1", ids.a[3], r.body, (int)r.blen);
	antt_stored_clear(&r);
	s_expect_problem(fx, 7, ids.a[3], fx->a->pk, 3, "id does not match the hash of its body");
}

static void test_verify_signature(void **state)
{
	s_fx_t *fx = *state;
	s_ids_t ids;
	s_fill(fx, &ids);
	/* a real signature, of the record before */
	antt_store_close(&fx->s);
	s_raw_exec(fx->path, "UPDATE records SET sig = (SELECT sig FROM records WHERE n = 1) "
	                     "WHERE n = 2");
	s_expect_problem(fx, 7, ids.a[2], fx->a->pk, 2, "signature does not verify");

	/* and a made-up one on b's second record */
	uint8_t sig[ANTT_SIG_BYTES];
	memset(sig, 0x5a, sizeof sig);
	s_tamper(fx, "UPDATE records SET sig = ?2 WHERE id = ?1", ids.b[2], sig, ANTT_SIG_BYTES);
	s_problems_t ps = {0};
	int64_t checked;
	char err[ANTT_ERR_MAX] = "";
	s_open(fx);
	assert_int_equal(antt_store_verify(fx->s, s_on_problem, NULL, &ps, &checked, NULL, err),
	                 ANTT_OK);
	assert_int_equal(ps.n, 2);
	int seen_b2 = 0;
	for (size_t i = 0; i < ps.n; i++)
		seen_b2 |= !memcmp(ps.p[i].id, ids.b[2], ANTT_ID_BYTES) && ps.p[i].seq == 2 &&
		           !memcmp(ps.p[i].author, fx->b->pk, ANTT_KEY_BYTES);
	assert_true(seen_b2);
}

static void test_verify_indexed_column(void **state)
{
	s_fx_t *fx = *state;
	s_ids_t ids;
	s_fill(fx, &ids);
	static const char period[] = "2024-06";
	s_tamper(fx, "UPDATE records SET period = CAST(?2 AS TEXT) WHERE id = ?1", ids.b[1], period,
	         (int)strlen(period));
	s_expect_problem(fx, 7, ids.b[1], fx->b->pk, 1,
	                 "indexed columns disagree with the signed body");
}

static void test_verify_corrects_column(void **state)
{
	s_fx_t *fx = *state;
	s_ids_t ids;
	s_fill(fx, &ids);
	/* hiding a correction: it would then count as an original report */
	s_tamper(fx, "UPDATE records SET corrects = NULL WHERE id = ?1", ids.a[5], NULL, 0);
	s_expect_problem(fx, 7, ids.a[5], fx->a->pk, 5,
	                 "indexed columns disagree with the signed body");
}

static void test_verify_deleted(void **state)
{
	s_fx_t *fx = *state;
	s_ids_t ids;
	s_fill(fx, &ids);
	s_tamper(fx, "DELETE FROM records WHERE id = ?1", ids.a[3], NULL, 0);
	/* the record after the hole is named */
	s_expect_problem(fx, 6, ids.a[4], fx->a->pk, 4, "gap in the chain");
}

static void test_verify_deleted_first(void **state)
{
	s_fx_t *fx = *state;
	s_ids_t ids;
	s_fill(fx, &ids);
	s_tamper(fx, "DELETE FROM records WHERE id = ?1", ids.b[1], NULL, 0);
	s_expect_problem(fx, 6, ids.b[2], fx->b->pk, 2, "chain does not start at seq 1");
}

/* The decoded tables after s_fill: values of every report record; the
 * monthly 2024-05 report of the unit has two originals (keys a and b): a
 * conflict, counted in neither; each event entry is its own report. */
static void test_decoded_tables(void **state)
{
	s_fx_t *fx = *state;
	s_ids_t ids;
	s_fill(fx, &ids);
	antt_store_close(&fx->s);
	sqlite3 *db = s_raw(fx->path);
	assert_int_equal(s_pragma(db, "SELECT count(*) FROM vals"), 14);
	assert_int_equal(s_pragma(db, "SELECT sum(value) FROM vals WHERE code = 'tin_bao'"),
	                 2 * (3 + 4 + 7 + 1 + 2 + 1 + 5));
	assert_int_equal(s_pragma(db, "SELECT count(*) FROM reports"), 5);
	assert_int_equal(s_pragma(db, "SELECT count(*) FROM reports WHERE period = '2024-05' "
	                              "AND n IS NULL AND versions = 3"),
	                 1);
	assert_int_equal(s_pragma(db, "SELECT count(*) FROM reports WHERE period = '2024-06-16' "
	                              "AND n = root AND versions = 1"),
	                 2);
	assert_int_equal(s_pragma(db, "SELECT day0 * 100000000 + day1 FROM reports "
	                              "WHERE period = '2024-04'"),
	                 2024040120240430LL);
	/* what counts: neither version of the conflict */
	assert_int_equal(s_pragma(db, "SELECT sum(v.value) FROM vals v JOIN reports r ON r.n = v.n "
	                              "WHERE v.code = 'hoa_giai'"),
	                 3 + 1 + 2 + 1);
	sqlite3_close(db);
}

/* Decoded values changed behind the store's back: verify names the record
 * and says to rebuild; antt_store_rebuild restores them. */
static void test_verify_decoded(void **state)
{
	s_fx_t *fx = *state;
	char err[ANTT_ERR_MAX] = "";
	s_ids_t ids;
	s_fill(fx, &ids);
	s_tamper(fx,
	         "UPDATE vals SET value = value + 1 WHERE code = 'tin_bao' AND "
	         "n = (SELECT n FROM records WHERE id = ?1)",
	         ids.a[1], NULL, 0);
	s_expect_problem(fx, 7, ids.a[1], fx->a->pk, 1,
	                 "decoded values disagree with the signed body: run antt rebuild");
	int64_t n = 0;
	assert_int_equal(antt_store_rebuild(fx->s, &n, err), ANTT_OK);
	assert_int_equal(n, 7);
	s_problems_t ps = {0};
	int64_t checked = -1;
	assert_int_equal(antt_store_verify(fx->s, s_on_problem, NULL, &ps, &checked, NULL, err),
	                 ANTT_OK);
	if (ps.n)
		fail_msg("after rebuild: %s", ps.p[0].what);
	/* a report row removed: named too */
	s_tamper(fx, "DELETE FROM reports WHERE root = (SELECT n FROM records WHERE id = ?1)",
	         ids.a[4], NULL, 0);
	s_open(fx);
	ps.n = 0;
	assert_int_equal(antt_store_verify(fx->s, s_on_problem, NULL, &ps, &checked, NULL, err),
	                 ANTT_OK);
	assert_true(ps.n > 0);
}

/* A store of schema 2 (before the CURVE index, the decoded tables, the
 * revocations and the unit index of enrollments) is brought up to date on open, its decoded tables
 * filled from its records. */
static void test_migrate_from_2(void **state)
{
	s_fx_t *fx = *state;
	char err[ANTT_ERR_MAX] = "";
	s_ids_t ids;
	s_fill(fx, &ids);
	antt_store_close(&fx->s);
	s_raw_exec(
	    fx->path,
	    "DROP TABLE revocations; DROP TABLE vals; DROP TABLE reports; DROP TABLE units;"
	    "ALTER TABLE records DROP COLUMN first;"
	    "DROP INDEX enrollments_curve; DROP INDEX enrollments_unit;"
	    "ALTER TABLE enrollments DROP COLUMN curve;"
	    "ALTER TABLE enrollments DROP COLUMN kind; ALTER TABLE enrollments DROP COLUMN bad;"
	    "DROP TABLE untrusted; DROP TABLE stamps; ALTER TABLE records DROP COLUMN stamp; DROP "
	    "TABLE unaudited_via;"
	    "DROP INDEX forks_author; DROP TABLE fork_counts;"
	    "PRAGMA user_version = 2");
	s_open(fx);
	s_problems_t ps = {0};
	int64_t checked = -1;
	assert_int_equal(antt_store_verify(fx->s, s_on_problem, NULL, &ps, &checked, NULL, err),
	                 ANTT_OK);
	assert_int_equal(checked, 7);
	if (ps.n)
		fail_msg("after migration: %s", ps.p[0].what);
	antt_store_close(&fx->s);
	sqlite3 *db = s_raw(fx->path);
	assert_int_equal(s_pragma(db, "PRAGMA user_version"), ANTT_STORE_SCHEMA);
	assert_int_equal(s_pragma(db, "SELECT count(*) FROM reports"), 5);
	assert_int_equal(s_pragma(db, "SELECT count(*) FROM vals"), 14);
	sqlite3_close(db);
}

/* ---- authority (store_trust.c) ---- */

/* Append the next record of k's chain: of unit, a report (form, hop_dan =
 * value) or, with enroll_key, an enrollment of enroll_unit (grant). */
static void s_append_as(antt_store_t *s, const antt_key_t *k, const char *unit, const char *form,
                        uint64_t value, const uint8_t *enroll_key, const char *enroll_unit,
                        uint32_t grant, uint8_t *id)
{
	char err[ANTT_ERR_MAX] = "";
	antt_head_t h;
	s_rec_t r;
	memset(&r, 0, sizeof r);
	assert_int_equal(antt_store_head(s, k->pk, &h, err), ANTT_OK);
	r.b.version = ANTT_RECORD_VERSION;
	memcpy(r.b.author, k->pk, ANTT_KEY_BYTES);
	r.b.seq = h.seq + 1;
	memcpy(r.b.prev, h.id, ANTT_ID_BYTES);
	r.b.unit = antt_xstrdup(unit);
	r.b.clock = 1718409600;
	if (enroll_key) {
		r.b.form = antt_xstrdup(ANTT_FORM_ENROLL);
		r.b.period = antt_xstrdup("2024-06-01");
		r.b.has_enroll = 1;
		r.b.enroll_unit = antt_xstrdup(enroll_unit);
		r.b.enroll_grant = grant;
		memcpy(r.b.enroll_key, enroll_key, ANTT_KEY_BYTES);
	} else {
		r.b.form = antt_xstrdup(form);
		r.b.period = antt_xstrdup("2024-05");
		r.b.n_values = 1;
		r.b.values = antt_xcalloc(1, sizeof *r.b.values);
		r.b.values[0].code = antt_xstrdup("hop_dan");
		r.b.values[0].value = value;
	}
	if (antt_body_encode(&r.b, &r.body, &r.blen, err))
		fail_msg("encode: %s", err);
	antt_record_id(r.id, r.body, r.blen);
	antt_record_sign(r.sig, r.body, r.blen, k->sk);
	assert_int_equal(antt_store_begin(s, err), ANTT_OK);
	if (s_append(s, &r, err))
		fail_msg("append: %s", err);
	assert_int_equal(antt_store_commit(s, err), ANTT_OK);
	if (id)
		memcpy(id, r.id, ANTT_ID_BYTES);
	s_rec_clear(&r);
}

/* Append k's revocation of key after seq `after` (unit: k's). */
static void s_append_revoke(antt_store_t *s, const antt_key_t *k, const char *unit,
                            const uint8_t key[ANTT_KEY_BYTES], uint64_t after, uint8_t *id)
{
	char err[ANTT_ERR_MAX] = "";
	antt_head_t h;
	s_rec_t r;
	memset(&r, 0, sizeof r);
	assert_int_equal(antt_store_head(s, k->pk, &h, err), ANTT_OK);
	r.b.version = ANTT_RECORD_VERSION;
	memcpy(r.b.author, k->pk, ANTT_KEY_BYTES);
	r.b.seq = h.seq + 1;
	memcpy(r.b.prev, h.id, ANTT_ID_BYTES);
	r.b.unit = antt_xstrdup(unit);
	r.b.clock = 1718409600;
	r.b.form = antt_xstrdup(ANTT_FORM_REVOKE);
	r.b.period = antt_xstrdup("2024-06-02");
	r.b.has_revoke = 1;
	memcpy(r.b.revoke_key, key, ANTT_KEY_BYTES);
	r.b.revoke_after = after;
	if (antt_body_encode(&r.b, &r.body, &r.blen, err))
		fail_msg("encode: %s", err);
	antt_record_id(r.id, r.body, r.blen);
	antt_record_sign(r.sig, r.body, r.blen, k->sk);
	assert_int_equal(antt_store_begin(s, err), ANTT_OK);
	if (s_append(s, &r, err))
		fail_msg("append: %s", err);
	assert_int_equal(antt_store_commit(s, err), ANTT_OK);
	if (id)
		memcpy(id, r.id, ANTT_ID_BYTES);
	s_rec_clear(&r);
}

static int64_t s_counted(const char *path, const char *unit)
{
	char sql[160];
	snprintf(sql, sizeof sql,
	         "SELECT coalesce(sum(v.value), -1) FROM reports r JOIN vals v ON v.n = r.n "
	         "WHERE r.unit = '%s' AND v.code = 'hop_dan'",
	         unit);
	sqlite3 *db = s_raw(path);
	int64_t v = s_pragma(db, sql);
	sqlite3_close(db);
	return v;
}

/* A province's store made before grants existed (schema 7): the root (a)
 * enrolled the district 332 (d), the district its commune 12346 (c), and
 * the commune, under the old rules that checked nothing without a unit
 * list, its sibling 12337 (x), whose key filed 999.  Upgraded and judged:
 * the commune's enrollment of x is named, x and its report are named and
 * no longer counted, nothing is deleted, the honest figures stay. */
static void test_upgrade_judges_old_enrollments(void **state)
{
	s_fx_t *fx = *state;
	char err[ANTT_ERR_MAX] = "";
	antt_key_t *d = s_key(0xd1), *c = s_key(0xc1), *x = s_key(0xe1);
	uint8_t rogue[ANTT_ID_BYTES], xrep[ANTT_ID_BYTES];
	s_open(fx);
	s_append_as(fx->s, fx->a, "33", NULL, 0, d->pk, "332", ANTT_GRANT_LEGACY, NULL);
	s_append_as(fx->s, d, "332", NULL, 0, c->pk, "12346", ANTT_GRANT_LEGACY, NULL);
	s_append_as(fx->s, c, "12346", S_MONTHLY, 7, NULL, NULL, 0, NULL);
	s_append_as(fx->s, c, "12346", NULL, 0, x->pk, "12337", ANTT_GRANT_LEGACY, rogue);
	s_append_as(fx->s, x, "12337", S_MONTHLY, 999, NULL, NULL, 0, xrep);
	/* and, with its rogue key, revoked the commune's */
	uint8_t xrev[ANTT_ID_BYTES];
	s_append_revoke(fx->s, x, "12337", c->pk, 0, xrev);
	assert_int_equal(s_counted(fx->path, "12337"), 999); /* as the old rules left it */
	assert_int_equal(s_counted(fx->path, "12346"), -1);
	antt_store_close(&fx->s);
	s_raw_exec(
	    fx->path,
	    "INSERT INTO units(code, level, type, name, parent, depth, a1, a2) VALUES"
	    " ('33', 'province', 'Tỉnh', 'Tỉnh Hưng Yên', NULL, 1, '33', NULL),"
	    " ('332', 'district', 'Huyện', 'Huyện Tiên Lữ', '33', 2, '33', '332'),"
	    " ('12346', 'commune', 'Xã', 'Xã Nhật Tân', '332', 3, '33', '332'),"
	    " ('12337', 'commune', 'Xã', 'Xã Thụy Lôi', '332', 3, '33', '332');"
	    "ALTER TABLE enrollments DROP COLUMN kind; ALTER TABLE enrollments DROP COLUMN bad;"
	    "ALTER TABLE revocations DROP COLUMN bad; DROP TABLE untrusted;"
	    "DROP TABLE stamps; ALTER TABLE records DROP COLUMN stamp; DROP TABLE unaudited_via;"
	    "DROP INDEX forks_author; DROP TABLE fork_counts;"
	    "PRAGMA user_version = 7");
	s_open(fx);
	uint8_t *flag = NULL;
	size_t flen = 0;
	assert_int_equal(antt_store_meta_get(fx->s, "trust_recheck", &flag, &flen), ANTT_OK);
	free(flag);
	s_problems_t ps = {0};
	int changed = 0;
	assert_int_equal(antt_store_begin(fx->s, err), ANTT_OK);
	assert_int_equal(
	    antt_store_trust_recheck(fx->s, fx->a->pk, 1, s_on_problem, &ps, &changed, err),
	    ANTT_OK);
	assert_int_equal(antt_store_commit(fx->s, err), ANTT_OK);
	assert_int_equal(changed, 1);
	/* named: the rogue enrollment, x's records, x's revocation (T3) */
	assert_int_equal(ps.n, 4);
	assert_memory_equal(ps.p[0].id, rogue, ANTT_ID_BYTES);
	assert_non_null(strstr(ps.p[0].what, "enrolls unit 12337, outside the scope"));
	assert_memory_equal(ps.p[1].id, xrep, ANTT_ID_BYTES);
	assert_memory_equal(ps.p[1].author, x->pk, ANTT_KEY_BYTES);
	assert_memory_equal(ps.p[2].id, xrev, ANTT_ID_BYTES);
	assert_memory_equal(ps.p[3].id, xrev, ANTT_ID_BYTES);
	assert_non_null(strstr(ps.p[3].what, "a revocation that does not hold"));
	/* x no longer counts, the commune's figure stays, nothing deleted */
	assert_int_equal(s_counted(fx->path, "12337"), -1);
	assert_int_equal(s_counted(fx->path, "12346"), 7);
	antt_store_stats_t st;
	assert_int_equal(antt_store_stats(fx->s, &st, err), ANTT_OK);
	assert_int_equal(st.records, 6);
	uint64_t after;
	assert_int_equal(antt_store_revoked(fx->s, c->pk, &after, err), ANTT_E_NOTFOUND);
	/* and x is no enrolled key any more: ZAP and intake do not know it */
	char unit[ANTT_UNIT_MAX + 1];
	uint8_t by[ANTT_KEY_BYTES];
	assert_int_equal(antt_store_enrolled(fx->s, x->pk, unit, by, err), ANTT_E_NOTFOUND);
	assert_int_equal(antt_store_enrolled(fx->s, c->pk, unit, by, err), ANTT_OK);
	/* judged again (the units reloaded): the same, nothing changes */
	ps.n = 0;
	assert_int_equal(antt_store_begin(fx->s, err), ANTT_OK);
	assert_int_equal(
	    antt_store_trust_recheck(fx->s, fx->a->pk, 1, s_on_problem, &ps, &changed, err),
	    ANTT_OK);
	assert_int_equal(antt_store_commit(fx->s, err), ANTT_OK);
	assert_int_equal(changed, 0);
	antt_key_destroy(&d);
	antt_key_destroy(&c);
	antt_key_destroy(&x);
}

/* Without a unit list, a legacy district's enrollments cannot be shown to
 * be below it: they do not hold (default deny) until the units come. */
static void test_legacy_needs_units(void **state)
{
	s_fx_t *fx = *state;
	char err[ANTT_ERR_MAX] = "";
	antt_key_t *d = s_key(0xd1), *c = s_key(0xc1);
	s_open(fx);
	s_append_as(fx->s, fx->a, "33", NULL, 0, d->pk, "332", ANTT_GRANT_LEGACY, NULL);
	s_append_as(fx->s, d, "332", NULL, 0, c->pk, "12346", ANTT_GRANT_LEGACY, NULL);
	s_append_as(fx->s, c, "12346", S_MONTHLY, 7, NULL, NULL, 0, NULL);
	s_problems_t ps = {0};
	int changed = 0;
	assert_int_equal(
	    antt_store_trust_recheck(fx->s, fx->a->pk, 0, s_on_problem, &ps, &changed, err),
	    ANTT_OK);
	assert_int_equal(changed, 1);
	assert_true(ps.n >= 1);
	assert_non_null(strstr(ps.p[0].what, "no unit list here shows what is below"));
	/* with a list, a code not in it is above nothing: a legacy key of a
	 * unit the list lacks (a district the reform removed) or a hub over a
	 * subtree the list lacks enrolls nothing */
	antt_store_close(&fx->s);
	s_raw_exec(fx->path,
	           "INSERT INTO units(code, level, type, name, parent, depth, a1, a2) VALUES"
	           " ('33', 'province', 'Tỉnh', 'Tỉnh Hưng Yên', NULL, 1, '33', NULL),"
	           " ('332', 'district', 'Huyện', 'Huyện Tiên Lữ', '33', 2, '33', '332'),"
	           " ('12346', 'commune', 'Xã', 'Xã Nhật Tân', '332', 3, '33', '332')");
	s_open(fx);
	char *sub33[1] = {(char *)"33"}, *sub999[1] = {(char *)"999"}, why[300];
	antt_body_t e = {.has_enroll = 1,
	                 .enroll_unit = (char *)"12346",
	                 .enroll_grant = ANTT_GRANT_HUB,
	                 .n_enroll_subtrees = 1,
	                 .enroll_subtrees = sub33};
	antt_grant_t legacy999 = {ANTT_GRANT_LEGACY, "999", 0, NULL, 0, NULL};
	assert_int_equal(
	    antt_grant_permits(&legacy999, &e, antt_store_below, fx->s, why, sizeof why),
	    ANTT_E_INVAL);
	antt_grant_t hub999 = {ANTT_GRANT_HUB, "999", 0, NULL, 1, sub999};
	e.enroll_grant = ANTT_GRANT_STATION;
	e.n_enroll_subtrees = 0;
	assert_int_equal(antt_grant_permits(&hub999, &e, antt_store_below, fx->s, why, sizeof why),
	                 ANTT_E_INVAL);
	antt_grant_t legacy332 = {ANTT_GRANT_LEGACY, "332", 0, NULL, 0, NULL};
	assert_int_equal(
	    antt_grant_permits(&legacy332, &e, antt_store_below, fx->s, why, sizeof why), ANTT_OK);
	antt_key_destroy(&d);
	antt_key_destroy(&c);
}

static void test_verify_prev_column(void **state)
{
	s_fx_t *fx = *state;
	s_ids_t ids;
	s_fill(fx, &ids);
	/* the chain link of a4 pointed somewhere else */
	s_tamper(fx, "UPDATE records SET prev = ?2 WHERE id = ?1", ids.a[4], ids.a[1],
	         ANTT_ID_BYTES);
	s_expect_problem(fx, 7, ids.a[4], fx->a->pk, 4, "prev does not name the record before it");
}

/* ---- lookups ---- */

static void test_get(void **state)
{
	s_fx_t *fx = *state;
	char err[ANTT_ERR_MAX] = "";
	char hex[2 * ANTT_ID_BYTES + 1];
	s_ids_t ids;
	s_fill(fx, &ids);
	antt_stored_t r;

	/* full hex */
	assert_int_equal(antt_store_get(fx->s, antt_hex(hex, ids.a[2], ANTT_ID_BYTES), &r, err),
	                 ANTT_OK);
	assert_memory_equal(r.id, ids.a[2], ANTT_ID_BYTES);
	uint8_t calc[ANTT_ID_BYTES];
	antt_record_id(calc, r.body, r.blen);
	assert_memory_equal(calc, ids.a[2], ANTT_ID_BYTES);
	assert_int_equal(antt_record_verify(r.sig, r.body, r.blen, fx->a->pk), 0);
	assert_int_equal(r.received, 1718500000);
	assert_int_equal(r.b.seq, 2);
	assert_memory_equal(r.b.author, fx->a->pk, ANTT_KEY_BYTES);
	assert_string_equal(r.b.unit, S_UNIT);
	assert_string_equal(r.b.form, S_MONTHLY);
	assert_string_equal(r.b.period, "2024-05");
	assert_int_equal(r.b.n_values, 2);
	assert_int_equal(r.b.values[0].value, 4);
	assert_true(r.has_corrected_by); /* a5 corrects it */
	assert_memory_equal(r.corrected_by, ids.a[5], ANTT_ID_BYTES);
	antt_stored_clear(&r);
	assert_null(r.body);

	/* the correction itself */
	assert_int_equal(antt_store_get(fx->s, antt_hex(hex, ids.a[5], ANTT_ID_BYTES), &r, err),
	                 ANTT_OK);
	assert_false(r.has_corrected_by);
	assert_true(r.b.has_corrects);
	assert_memory_equal(r.b.corrects, ids.a[2], ANTT_ID_BYTES);
	assert_string_equal(r.b.note, "Sửa số liệu");
	antt_stored_clear(&r);

	/* upper case, and prefixes of 4 to 63 digits, odd lengths included */
	antt_hex(hex, ids.b[2], ANTT_ID_BYTES);
	char upper[2 * ANTT_ID_BYTES + 1];
	for (int i = 0; i <= 2 * ANTT_ID_BYTES; i++)
		upper[i] = (char)(hex[i] >= 'a' && hex[i] <= 'f' ? hex[i] - 32 : hex[i]);
	assert_int_equal(antt_store_get(fx->s, upper, &r, err), ANTT_OK);
	assert_memory_equal(r.id, ids.b[2], ANTT_ID_BYTES);
	antt_stored_clear(&r);
	for (int n = 4; n < 2 * ANTT_ID_BYTES; n++) {
		char prefix[2 * ANTT_ID_BYTES + 1];
		memcpy(prefix, hex, (size_t)n);
		prefix[n] = '\0';
		int rc = antt_store_get(fx->s, prefix, &r, err);
		if (rc)
			fail_msg("prefix %s: %s", prefix, err);
		assert_memory_equal(r.id, ids.b[2], ANTT_ID_BYTES);
		antt_stored_clear(&r);
	}

	/* not ids */
	static const char *bad[] = {
	    "",
	    "abc",
	    "zzzz",
	    "12 4",
	    "0x1234",
	    "-123",
	    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff0"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		memset(&r, 0x77, sizeof r);
		assert_int_equal(antt_store_get(fx->s, bad[i], &r, err), ANTT_E_INVAL);
		tu_assert_contains(err, "is not a record id");
	}

	/* well-formed but absent: a full id, and a prefix nothing starts with */
	uint8_t none[ANTT_ID_BYTES];
	memcpy(none, ids.a[1], ANTT_ID_BYTES);
	none[31] ^= 1;
	err[0] = '\0';
	assert_int_equal(antt_store_get(fx->s, antt_hex(hex, none, ANTT_ID_BYTES), &r, err),
	                 ANTT_E_NOTFOUND);
	tu_assert_contains(err, hex);
	char prefix[5] = "0000";
	for (int tries = 0; tries < 65536; tries++) {
		snprintf(prefix, sizeof prefix, "%04x", tries);
		int taken = 0;
		for (int j = 1; j <= 5; j++)
			taken |= !strncmp(antt_hex(hex, ids.a[j], ANTT_ID_BYTES), prefix, 4);
		for (int j = 1; j <= 2; j++)
			taken |= !strncmp(antt_hex(hex, ids.b[j], ANTT_ID_BYTES), prefix, 4);
		if (!taken)
			break;
	}
	assert_int_equal(antt_store_get(fx->s, prefix, &r, err), ANTT_E_NOTFOUND);
	tu_assert_contains(err, prefix);
}

static void test_get_ambiguous(void **state)
{
	s_fx_t *fx = *state;
	char err[ANTT_ERR_MAX] = "";
	s_open(fx);
	/* append to a's chain until two ids share their first 4 hex digits
	 * (about 320 records on average: the birthday bound of 16 bits) */
	static uint16_t first[65536 / 16]; /* bitmap of 4-digit prefixes seen */
	static uint8_t ids[4096][ANTT_ID_BYTES];
	memset(first, 0, sizeof first);
	size_t n = 0, other = 0;
	int found = 0;
	assert_int_equal(antt_store_begin(fx->s, err), ANTT_OK);
	while (!found) {
		assert_true(n < 4096);
		s_rec_t r;
		s_make(&r, fx->a, n + 1, n ? ids[n - 1] : NULL, S_EVENT, "2024-06-15", n, NULL,
		       NULL);
		assert_int_equal(s_append(fx->s, &r, err), ANTT_OK);
		memcpy(ids[n], r.id, ANTT_ID_BYTES);
		s_rec_clear(&r);
		unsigned p = (unsigned)ids[n][0] << 8 | ids[n][1];
		if (first[p / 16] & (1u << (p % 16))) {
			found = 1;
			for (other = 0; other < n; other++)
				if (!memcmp(ids[other], ids[n], 2))
					break;
		}
		first[p / 16] |= (uint16_t)(1u << (p % 16));
		n++;
	}
	assert_int_equal(antt_store_commit(fx->s, err), ANTT_OK);
	size_t last = n - 1;
	assert_true(other < last);

	char hex[2 * ANTT_ID_BYTES + 1], prefix[5];
	antt_hex(hex, ids[last], ANTT_ID_BYTES);
	memcpy(prefix, hex, 4);
	prefix[4] = '\0';
	antt_stored_t r;
	memset(&r, 0x77, sizeof r);
	err[0] = '\0';
	assert_int_equal(antt_store_get(fx->s, prefix, &r, err), ANTT_E_INVAL);
	tu_assert_contains(err, "matches more than one record");
	tu_assert_contains(err, prefix);
	assert_null(r.body); /* nothing handed out */

	/* the full ids still find each one */
	assert_int_equal(antt_store_get(fx->s, hex, &r, err), ANTT_OK);
	assert_memory_equal(r.id, ids[last], ANTT_ID_BYTES);
	assert_int_equal(r.b.seq, last + 1);
	antt_stored_clear(&r);
	assert_int_equal(antt_store_get(fx->s, antt_hex(hex, ids[other], ANTT_ID_BYTES), &r, err),
	                 ANTT_OK);
	assert_memory_equal(r.id, ids[other], ANTT_ID_BYTES);
	assert_int_equal(r.b.seq, other + 1);
	antt_stored_clear(&r);
	s_expect_count(fx->s, (int64_t)n, 1);
}

static void test_find_report_correction(void **state)
{
	s_fx_t *fx = *state;
	char err[ANTT_ERR_MAX] = "";
	s_ids_t ids;
	s_fill(fx, &ids);
	uint8_t id[ANTT_ID_BYTES];

	/* the original report, not its correction (same unit, form, period) */
	assert_int_equal(antt_store_find_report(fx->s, S_UNIT, S_MONTHLY, "2024-05", id, err),
	                 ANTT_OK);
	assert_memory_equal(id, ids.a[2], ANTT_ID_BYTES);
	assert_int_equal(antt_store_find_report(fx->s, S_UNIT, S_MONTHLY, "2024-04", id, err),
	                 ANTT_OK);
	assert_memory_equal(id, ids.a[1], ANTT_ID_BYTES);
	assert_int_equal(antt_store_find_report(fx->s, S_UNIT, S_MONTHLY, "2024-06", id, err),
	                 ANTT_E_NOTFOUND);
	assert_int_equal(antt_store_find_report(fx->s, "10376", S_MONTHLY, "2024-05", id, err),
	                 ANTT_E_NOTFOUND);
	assert_int_equal(antt_store_find_report(fx->s, S_UNIT, S_EVENT, "2024-05", id, err),
	                 ANTT_E_NOTFOUND);
	assert_int_equal(antt_store_find_report(fx->s, S_UNIT, S_EVENT, "2024-06-15", id, err),
	                 ANTT_OK);
	assert_memory_equal(id, ids.a[3], ANTT_ID_BYTES);

	assert_int_equal(antt_store_find_correction(fx->s, ids.a[2], id, err), ANTT_OK);
	assert_memory_equal(id, ids.a[5], ANTT_ID_BYTES);
	assert_int_equal(antt_store_find_correction(fx->s, ids.a[1], id, err), ANTT_E_NOTFOUND);
	assert_int_equal(antt_store_find_correction(fx->s, ids.a[5], id, err), ANTT_E_NOTFOUND);
}

typedef struct {
	int n;
	int stop_after;
	uint8_t ids[16][ANTT_ID_BYTES];
} s_walk_t;

static int s_on_record(const antt_stored_t *r, void *arg)
{
	s_walk_t *w = arg;
	assert_true(w->n < 16);
	memcpy(w->ids[w->n++], r->id, ANTT_ID_BYTES);
	return w->stop_after && w->n >= w->stop_after;
}

static void test_stats_each(void **state)
{
	s_fx_t *fx = *state;
	char err[ANTT_ERR_MAX] = "";
	s_ids_t ids;
	s_fill(fx, &ids);
	s_expect_count(fx->s, 7, 2);

	s_walk_t w = {0};
	assert_int_equal(antt_store_each(fx->s, NULL, s_on_record, &w, err), ANTT_OK);
	assert_int_equal(w.n, 7);
	assert_memory_equal(w.ids[0], ids.a[1], ANTT_ID_BYTES); /* storage order */
	assert_memory_equal(w.ids[2], ids.b[1], ANTT_ID_BYTES);
	assert_memory_equal(w.ids[6], ids.a[5], ANTT_ID_BYTES);

	antt_store_filter_t f = {.form = S_MONTHLY, .period = "2024-05"};
	memset(&w, 0, sizeof w);
	assert_int_equal(antt_store_each(fx->s, &f, s_on_record, &w, err), ANTT_OK);
	assert_int_equal(w.n, 3);
	assert_memory_equal(w.ids[0], ids.a[2], ANTT_ID_BYTES);
	assert_memory_equal(w.ids[1], ids.b[1], ANTT_ID_BYTES);
	assert_memory_equal(w.ids[2], ids.a[5], ANTT_ID_BYTES);

	/* the newest two of a's, oldest first */
	antt_store_filter_t fa = {.author = fx->a->pk, .limit = 2};
	memset(&w, 0, sizeof w);
	assert_int_equal(antt_store_each(fx->s, &fa, s_on_record, &w, err), ANTT_OK);
	assert_int_equal(w.n, 2);
	assert_memory_equal(w.ids[0], ids.a[4], ANTT_ID_BYTES);
	assert_memory_equal(w.ids[1], ids.a[5], ANTT_ID_BYTES);

	/* the callback stops the walk */
	memset(&w, 0, sizeof w);
	w.stop_after = 1;
	assert_int_equal(antt_store_each(fx->s, NULL, s_on_record, &w, err), ANTT_OK);
	assert_int_equal(w.n, 1);
}

/* ---- files that are not our store ---- */

static void test_foreign_database(void **state)
{
	s_fx_t *fx = *state;
	char err[ANTT_ERR_MAX] = "";
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
	                              "CREATE TABLE invoices(n INTEGER, total REAL);"
	                              "INSERT INTO invoices VALUES(1, 9.5)",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(chmod(fx->path, 0644), 0);

	for (int flags = 0; flags <= ANTT_STORE_READONLY; flags += ANTT_STORE_READONLY) {
		antt_store_t *s = (antt_store_t *)1;
		err[0] = '\0';
		assert_int_equal(
		    antt_store_open(fx->path, fx->a->pk, flags | ANTT_STORE_CREATE, &s, err),
		    ANTT_E_CORRUPT);
		assert_null(s);
		tu_assert_contains(err, "not an antt store");
		tu_assert_contains(err, fx->path);
	}
	/* and it was left as it was: no table of ours, still in rollback-journal
	 * mode, still mode 0644 */
	assert_int_equal(s_mode(fx->path), 0644);
	db = s_raw(fx->path);
	assert_int_equal(s_pragma(db, "SELECT count(*) FROM sqlite_schema"), 1);
	assert_int_equal(s_pragma(db, "SELECT count(*) FROM invoices"), 1);
	assert_int_equal(s_pragma(db, "PRAGMA user_version"), 0);
	assert_int_equal(s_pragma(db, "PRAGMA application_id"), 0);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "delete");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void test_not_a_database(void **state)
{
	s_fx_t *fx = *state;
	uint8_t junk[8192];
	uint32_t x = 99;
	for (size_t i = 0; i < sizeof junk; i++) {
		x = x * 1664525u + 1013904223u;
		junk[i] = (uint8_t)(x >> 24);
	}
	static const char *texts[] = {"hello, this is a text file\n", "SQLite format 3"};
	for (int i = 0; i < 3; i++) {
		if (i < 2)
			tu_write(fx->path, texts[i], strlen(texts[i]), 0600);
		else
			tu_write(fx->path, junk, sizeof junk, 0600);
		for (int flags = 0; flags <= ANTT_STORE_READONLY; flags += ANTT_STORE_READONLY) {
			char err[ANTT_ERR_MAX] = "";
			antt_store_t *s = (antt_store_t *)1;
			int rc = antt_store_open(fx->path, fx->a->pk, flags, &s, err);
			assert_int_not_equal(rc, ANTT_OK);
			assert_null(s);
			tu_assert_contains(err, fx->path);
		}
	}
}

static void test_other_node_key(void **state)
{
	s_fx_t *fx = *state;
	char err[ANTT_ERR_MAX] = "";
	s_ids_t ids;
	s_fill(fx, &ids);
	antt_store_close(&fx->s);
	antt_store_t *s = (antt_store_t *)1;
	err[0] = '\0';
	assert_int_equal(antt_store_open(fx->path, fx->b->pk, ANTT_STORE_CREATE, &s, err),
	                 ANTT_E_CORRUPT);
	assert_null(s);
	tu_assert_contains(err, "another node identity");
	s = (antt_store_t *)1;
	assert_int_equal(antt_store_open(fx->path, fx->b->pk, ANTT_STORE_READONLY, &s, err),
	                 ANTT_E_CORRUPT);
	assert_null(s);
	/* without a key (a reader that does not care), or with the right one: fine */
	assert_int_equal(antt_store_open(fx->path, NULL, ANTT_STORE_READONLY, &s, err), ANTT_OK);
	s_expect_count(s, 7, 2);
	antt_store_close(&s);
	s_open(fx);
	s_expect_count(fx->s, 7, 2);
}

static void test_newer_schema(void **state)
{
	s_fx_t *fx = *state;
	char err[ANTT_ERR_MAX] = "";
	s_open(fx);
	antt_store_close(&fx->s);
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", ANTT_STORE_SCHEMA + 1);
	s_raw_exec(fx->path, sql);
	for (int flags = 0; flags <= ANTT_STORE_READONLY; flags += ANTT_STORE_READONLY) {
		antt_store_t *s = (antt_store_t *)1;
		err[0] = '\0';
		assert_int_equal(antt_store_open(fx->path, fx->a->pk, flags, &s, err),
		                 ANTT_E_CORRUPT);
		assert_null(s);
		tu_assert_contains(err, "newer");
		tu_assert_contains(err, fx->path);
	}
	/* the stamp is untouched */
	sqlite3 *db = s_raw(fx->path);
	assert_int_equal(s_pragma(db, "PRAGMA user_version"), ANTT_STORE_SCHEMA + 1);
	sqlite3_close(db);
}

/* Author b's record seq 1, one of many: value v makes each distinct. */
static void s_fork(s_fx_t *fx, uint64_t v, int *kept)
{
	char err[ANTT_ERR_MAX] = "";
	s_rec_t r;
	s_make(&r, fx->b, 1, NULL, S_EVENT, "2024-06-20", v, NULL, NULL);
	assert_int_equal(antt_store_begin(fx->s, err), ANTT_OK);
	if (antt_store_add_fork(fx->s, r.id, r.body, r.blen, r.sig, &r.b, 1718500000 + (int64_t)v,
	                        "child 12399", kept, err))
		fail_msg("add_fork: %s", err);
	assert_int_equal(antt_store_commit(fx->s, err), ANTT_OK);
	s_rec_clear(&r);
}

/* Forks: the first ANTT_STORE_FORKS_KEPT of an author are kept whole, the
 * rest only counted; one kept already is not counted twice; a store of
 * schema 7 holding more than the bound keeps them, counted. */
static void test_forks_bounded(void **state)
{
	s_fx_t *fx = *state;
	char err[ANTT_ERR_MAX] = "";
	int64_t seen, kept_n;
	int kept;
	s_open(fx);
	assert_int_equal(antt_store_fork_totals(fx->s, &seen, &kept_n, err), ANTT_OK);
	assert_true(seen == 0 && kept_n == 0);
	for (uint64_t v = 1; v <= 40; v++) {
		s_fork(fx, v, &kept);
		assert_int_equal(kept, v <= ANTT_STORE_FORKS_KEPT);
	}
	s_fork(fx, 1, &kept); /* kept already: not counted again */
	assert_int_equal(kept, 1);
	s_fork(fx, 40, &kept); /* not kept: counted again */
	assert_int_equal(kept, 0);
	assert_int_equal(antt_store_fork_totals(fx->s, &seen, &kept_n, err), ANTT_OK);
	assert_int_equal(seen, 41);
	assert_int_equal(kept_n, ANTT_STORE_FORKS_KEPT);
	antt_store_close(&fx->s);
	sqlite3 *db = s_raw(fx->path);
	assert_int_equal(s_pragma(db, "SELECT min(received) FROM forks"), 1718500001);
	assert_int_equal(s_pragma(db, "SELECT max(received) FROM forks"),
	                 1718500000 + ANTT_STORE_FORKS_KEPT);
	sqlite3_close(db);
	/* schema 8: no counts, and (from before the bound) 20 forks held */
	s_raw_exec(fx->path, "DROP INDEX forks_author; DROP TABLE fork_counts;"
	                     "INSERT INTO forks SELECT randomblob(32), author, seq + 1, body, sig, "
	                     "received, peer FROM forks LIMIT 4;"
	                     "PRAGMA user_version = 8");
	s_open(fx);
	assert_int_equal(antt_store_fork_totals(fx->s, &seen, &kept_n, err), ANTT_OK);
	assert_int_equal(seen, ANTT_STORE_FORKS_KEPT + 4);
	assert_int_equal(kept_n, ANTT_STORE_FORKS_KEPT + 4);
	s_fork(fx, 50, &kept); /* over the bound already: counted only */
	assert_int_equal(kept, 0);
	assert_int_equal(antt_store_fork_totals(fx->s, &seen, &kept_n, err), ANTT_OK);
	assert_int_equal(seen, ANTT_STORE_FORKS_KEPT + 5);
}

/* ---- unit lists (schema 10, I9) ---- */

#define S_UNITS_CSV                                                                                \
	"code,level,type,name,parent_code\n33,province,Tỉnh,Tỉnh Hưng Yên,\n"                \
	"332,district,Huyện,Huyện Tiên Lữ,33\n12346,commune,Xã,Xã Nhật Tân,332\n"

/* The answer of a report request (op, unit, period) from s. */
static json_t *s_answer(antt_store_t *s, const char *op, const char *unit, const char *period)
{
	char err[ANTT_ERR_MAX] = "";
	antt_forms_t *forms = NULL;
	if (antt_forms_load(ANTT_SOURCE_DIR "/config/forms", &forms, err))
		fail_msg("forms: %s", err);
	json_t *req = json_pack("{s:s, s:s, s:s, s:s}", "op", op, "unit", unit, "period", period,
	                        "form", S_MONTHLY);
	json_t *out = antt_store_reports_answer(
	    s, &(antt_reports_ctx_t){.forms = forms, .node_unit = "33"}, req);
	json_decref(req);
	antt_forms_destroy(&forms);
	return out;
}

/* A schema-9 store with units and a report: upgraded, its units are the
 * list "loaded", in force always, and every answer is the same. */
static void test_units_upgrade_to_loaded(void **state)
{
	s_fx_t *fx = *state;
	s_open(fx);
	s_append_as(fx->s, fx->a, "12346", S_MONTHLY, 7, NULL, NULL, 0, NULL);
	json_t *req = json_object(); /* borrowed by the import */
	json_t *r = antt_store_units_import(fx->s, req, S_UNITS_CSV, strlen(S_UNITS_CSV));
	assert_true(json_is_true(json_object_get(r, "ok")));
	json_decref(r);
	json_decref(req);
	json_t *report = s_answer(fx->s, "report", "332", "2024-05");
	json_t *missing = s_answer(fx->s, "missing", "33", "2024-Q2");
	assert_int_equal(
	    json_integer_value(json_object_get(
	        json_object_get(json_array_get(json_object_get(report, "forms"), 0), "totals"),
	        "hop_dan")),
	    7);
	antt_store_close(&fx->s);
	/* schema 9: units without a list, no lists, no links */
	s_raw_exec(fx->path,
	           "CREATE TABLE units9("
	           "  code TEXT PRIMARY KEY, level TEXT NOT NULL, type TEXT NOT NULL,"
	           "  name TEXT NOT NULL, parent TEXT, depth INTEGER NOT NULL, a1 TEXT, a2 TEXT,"
	           "  a3 TEXT) WITHOUT ROWID;"
	           "INSERT INTO units9 SELECT code, level, type, name, parent, depth, a1, a2, a3 "
	           "  FROM units;"
	           "DROP TABLE units; ALTER TABLE units9 RENAME TO units;"
	           "CREATE INDEX units_a1 ON units(a1, depth);"
	           "CREATE INDEX units_a2 ON units(a2, depth);"
	           "CREATE INDEX units_parent ON units(parent);"
	           "DROP TABLE unit_lists; DROP TABLE unit_links;"
	           "PRAGMA user_version = 9");
	s_open(fx);
	sqlite3 *db = s_raw(fx->path);
	assert_int_equal(s_pragma(db, "PRAGMA user_version"), ANTT_STORE_SCHEMA);
	assert_int_equal(s_pragma(db, "SELECT count(*) FROM units WHERE list = 'loaded'"), 3);
	assert_int_equal(s_pragma(db, "SELECT count(*) FROM units"), 3);
	assert_int_equal(s_pragma(db, "SELECT units FROM unit_lists WHERE name = 'loaded' AND "
	                              "day_from IS NULL AND day_to IS NULL"),
	                 3);
	assert_int_equal(s_pragma(db, "SELECT count(*) FROM unit_lists"), 1);
	sqlite3_close(db);
	json_t *l = antt_store_units_lists(fx->s);
	assert_string_equal(json_string_value(json_object_get(l, "in_force")), "loaded");
	json_decref(l);
	assert_int_equal(antt_store_unit_known(fx->s, "12346"), 1);
	assert_int_equal(antt_store_unit_within(fx->s, "12346", "332"), 1);
	json_t *report2 = s_answer(fx->s, "report", "332", "2024-05");
	json_t *missing2 = s_answer(fx->s, "missing", "33", "2024-Q2");
	assert_true(json_equal(report, report2));
	assert_true(json_equal(missing, missing2));
	json_decref(report);
	json_decref(report2);
	json_decref(missing);
	json_decref(missing2);
}

/* Import req with csv; 1 if refused with a message containing needle (the
 * lists and links unchanged), 0 if taken. */
static int s_import(antt_store_t *s, json_t *req, const char *csv, const char *needle)
{
	json_t *before = antt_store_units_lists(s);
	json_t *r = antt_store_units_import(s, req, csv, strlen(csv));
	json_decref(req);
	int ok = json_is_true(json_object_get(r, "ok"));
	if (needle) {
		char *text = json_dumps(r, 0);
		if (ok || !strstr(text, needle))
			fail_msg("expected a refusal naming '%s', got %s", needle, text);
		free(text);
		json_t *after = antt_store_units_lists(s);
		assert_true(json_equal(before, after));
		json_decref(after);
	} else if (!ok) {
		char *text = json_dumps(r, 0);
		fail_msg("refused: %s", text);
	}
	json_decref(before);
	json_decref(r);
	return !ok;
}

static json_t *s_list_req(const char *list, const char *from, const char *to)
{
	json_t *req = json_pack("{s:s}", "op", "units_import");
	if (list)
		json_object_set_new(req, "list", json_string(list));
	if (from)
		json_object_set_new(req, "from", json_string(from));
	if (to)
		json_object_set_new(req, "to", json_string(to));
	return req;
}

static json_t *s_links_req(const char *old, const char *new)
{
	return json_pack("{s:s, s:b, s:s, s:s}", "op", "units_import", "links", 1, "old", old,
	                 "new", new);
}

static const char *s_now(antt_store_t *s, char buf[32])
{
	json_t *l = antt_store_units_lists(s);
	snprintf(buf, 32, "%s", json_string_value(json_object_get(l, "in_force")));
	json_decref(l);
	return buf;
}

#define S_LINKS_HEAD "old_code,new_code,share,old_name,new_name,second_source\n"
#define S_NEW_CSV                                                                                  \
	"code,level,type,name,parent_code\n33,province,Tỉnh,Tỉnh Hưng Yên,\n"                \
	"12337,commune,Xã,Xã Hoàng Hoa Thám,33\n"

/* Which list is in force, and every import the rules refuse. */
static void test_units_lists_rules(void **state)
{
	s_fx_t *fx = *state;
	char now[32];
	s_open(fx);
	/* no list: nothing in force, no tree */
	assert_int_equal(antt_store_unit_known(fx->s, "12346"), -1);
	s_import(fx->s, s_list_req(NULL, NULL, NULL), S_UNITS_CSV, NULL);
	assert_string_equal(s_now(fx->s, now), "loaded");
	/* two closed lists in the past: none holds today, the latest begun
	 * wins; "loaded" is in force only while no dated list is held */
	s_import(fx->s, s_list_req("old", "2020-01-01", "2020-06-30"), S_UNITS_CSV, NULL);
	s_import(fx->s, s_list_req("new", "2020-07-01", "2020-12-31"), S_NEW_CSV, NULL);
	assert_string_equal(s_now(fx->s, now), "new");
	assert_int_equal(antt_store_unit_known(fx->s, "12346"), 1);
	/* open-ended from 2020-07-01: holds today, before "loaded"; authority
	 * reads every list, so a unit of the old ones is still known */
	s_import(fx->s, s_list_req("new", "2020-07-01", NULL), S_NEW_CSV, NULL);
	assert_string_equal(s_now(fx->s, now), "new");
	assert_int_equal(antt_store_unit_known(fx->s, "12346"), 1);
	assert_int_equal(antt_store_unit_known(fx->s, "99999"), 0);
	assert_int_equal(antt_store_unit_known(fx->s, "12337"), 1);
	assert_int_equal(antt_store_unit_within(fx->s, "12337", "33"), 1);
	/* refused, nothing changed */
	s_import(fx->s, s_list_req("x", "2019-02-29", NULL), S_UNITS_CSV, "is not a date");
	s_import(fx->s, s_list_req("x", "2019-1-01", NULL), S_UNITS_CSV, "is not a date");
	s_import(fx->s, s_list_req("x", "2019-02-01", "2019-01-31"), S_UNITS_CSV, "is before");
	s_import(fx->s, s_list_req("x", "2019-01-01", "2020-01-01"), S_UNITS_CSV,
	         "days list old already is");
	s_import(fx->s, s_list_req("x", "2030-01-01", NULL), S_UNITS_CSV,
	         "days list new already is");
	s_import(fx->s, s_list_req("old", "2020-01-01", "2020-07-01"), S_UNITS_CSV,
	         "days list new already is");
	s_import(fx->s, s_list_req("a b", "2019-01-01", "2019-12-31"), S_UNITS_CSV, "not valid");
	s_import(fx->s, s_list_req("", "2019-01-01", "2019-12-31"), S_UNITS_CSV, "not valid");
	s_import(fx->s, s_list_req("loaded", "2019-01-01", "2019-12-31"), S_UNITS_CSV,
	         "undated list's");
	s_import(fx->s, s_list_req("x", "2019-01-01", "2019-12-31"), "code\n", "header");
	/* links */
	s_import(fx->s, s_links_req("old", "new"), S_LINKS_HEAD "12346,12337,full,,,\n", NULL);
	s_import(fx->s, s_links_req("old", "new"), S_LINKS_HEAD "12346,99999,full,,,\n",
	         "unit 99999 is not in list new");
	s_import(fx->s, s_links_req("old", "new"),
	         S_LINKS_HEAD "332,12337,full\n12337,12337,full\n",
	         "line 3: unit 12337 is not in list old");
	s_import(fx->s, s_links_req("old", "new"), S_LINKS_HEAD "12346,12337,some,,,\n",
	         "neither full nor partial");
	s_import(fx->s, s_links_req("old", "new"),
	         S_LINKS_HEAD "12346,12337,partial,,,\n12346,33,full,,,\n",
	         "has a full link to 33 and another link");
	s_import(fx->s, s_links_req("old", "new"), S_LINKS_HEAD "12346,,full,,,\n",
	         "links to nothing");
	s_import(fx->s, s_links_req("new", "new"), S_LINKS_HEAD "12337,12337,full,,,\n",
	         "both list new");
	s_import(fx->s, s_links_req("old", "gone"), S_LINKS_HEAD "12346,12337,full,,,\n",
	         "list gone is not loaded");
	s_import(fx->s, s_links_req("new", "old"), S_LINKS_HEAD "12337,12346,full,,,\n",
	         "does not end before list old begins");
	s_import(fx->s, s_links_req("loaded", "new"), S_LINKS_HEAD "12346,12337,full,,,\n",
	         "does not end before");
	/* partial links in numbers ("1"/"0" for full/partial), extra columns */
	s_import(fx->s, s_links_req("old", "new"),
	         S_LINKS_HEAD "12346,12337,0,a,b,c,d\n12346,33,0\n332,33,1\n", NULL);
	json_t *l = antt_store_units_lists(fx->s);
	json_t *k = json_array_get(json_object_get(l, "links"), 0);
	assert_int_equal(json_integer_value(json_object_get(k, "full")), 1);
	assert_int_equal(json_integer_value(json_object_get(k, "partial")), 2);
	json_decref(l);
	/* replacing a list drops the links that touch it */
	json_t *req = s_list_req("old", "2020-01-01", "2020-06-30");
	json_t *r = antt_store_units_import(fx->s, req, S_UNITS_CSV, strlen(S_UNITS_CSV));
	json_decref(req);
	assert_int_equal(json_integer_value(json_object_get(r, "links_dropped")), 3);
	json_decref(r);
	l = antt_store_units_lists(fx->s);
	assert_int_equal(json_array_size(json_object_get(l, "links")), 0);
	assert_int_equal(json_array_size(json_object_get(l, "lists")), 3);
	json_decref(l);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
#define T(f) cmocka_unit_test_setup_teardown(f, s_setup, s_teardown)
	const struct CMUnitTest tests[] = {
	    T(test_create),
	    T(test_open_missing),
	    T(test_chain),
	    T(test_duplicate_and_rollback),
	    T(test_append_follows_chain),
	    T(test_append_run_in_one_transaction),
	    T(test_verify_clean),
	    T(test_verify_body_byte),
	    T(test_verify_signature),
	    T(test_verify_indexed_column),
	    T(test_verify_corrects_column),
	    T(test_verify_deleted),
	    T(test_verify_deleted_first),
	    T(test_verify_prev_column),
	    T(test_get),
	    T(test_get_ambiguous),
	    T(test_find_report_correction),
	    T(test_stats_each),
	    T(test_foreign_database),
	    T(test_not_a_database),
	    T(test_other_node_key),
	    T(test_newer_schema),
	    T(test_decoded_tables),
	    T(test_verify_decoded),
	    T(test_migrate_from_2),
	    T(test_upgrade_judges_old_enrollments),
	    T(test_legacy_needs_units),
	    T(test_forks_bounded),
	    T(test_units_upgrade_to_loaded),
	    T(test_units_lists_rules),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
