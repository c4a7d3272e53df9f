/* store_int.h - what store.c shares with the files that extend it
 * (store_index.c, store_trust.c, store_reports.c); not for the rest of the
 * daemon. */
#ifndef ANTT_STORE_INT_H
#define ANTT_STORE_INT_H

#include <sqlite3.h>

#include "store.h"

#define ANTT_STORE_NSTMT 24

/* Today in Vietnam, yyyymmdd as reports.day0: the day unit lists are
 * judged in force on. */
#define ANTT_STORE_TODAY "CAST(strftime('%Y%m%d', 'now', '+7 hours') AS INTEGER)"

/* The order that puts first the list in force on day, an SQL expression
 * yyyymmdd (I9 of store.c): a dated list before the undated "loaded" (in
 * force only while no dated list is held); of the dated lists, the one
 * whose range contains the day, else the latest that has begun, else the
 * earliest to begin.  Over the columns of unit_lists. */
#define ANTT_STORE_LIST_ORDER(day)                                                                 \
	"(day_from IS NULL AND day_to IS NULL), "                                                  \
	"(coalesce(day_from, 0) <= " day " AND " day " <= coalesce(day_to, 99999999)) DESC, "      \
	"(coalesce(day_from, 0) <= " day ") DESC, "                                                \
	"(CASE WHEN coalesce(day_from, 0) <= " day " THEN -coalesce(day_from, 0) "                 \
	"ELSE coalesce(day_from, 0) END), name"

/* The list in force on day, an SQL expression: "loaded" when unit_lists
 * names none.  The one place the rule is written: ANTT_STORE_LIST_NOW is
 * the list in force today (antt units); store_trust.c (T5) and the
 * reports (store_reports.c) judge a report by the list in force on its
 * period's last day. */
#define ANTT_STORE_LIST_ON(day)                                                                    \
	"coalesce((SELECT name FROM main.unit_lists ORDER BY " ANTT_STORE_LIST_ORDER(              \
	    day) " LIMIT 1), 'loaded')"
#define ANTT_STORE_LIST_NOW ANTT_STORE_LIST_ON(ANTT_STORE_TODAY)

enum {
	IX_VERSIONS,
	IX_VAL_ADD,
	IX_REPORTS_DEL,
	IX_REPORT_ADD,
	IX_VALS_OF,
	IX_BY_ID,
	IX_CORRECTIONS,
	IX_REPORT_DEL,
	IX_COUNT_
};

/* store_trust.c's statements on intake's path (per batch or run) */
enum { TR_UNTRUSTED, TR_STAMP_ADD, TR_STAMP_SN, TR_STAMP_APPLY, TR_COUNT_ };

struct antt_store {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *st[ANTT_STORE_NSTMT]; /* store.c's statements */
	sqlite3_stmt *ix[IX_COUNT_];        /* store_index.c's, prepared on first use */
	sqlite3_stmt *tr[TR_COUNT_];        /* store_trust.c's, prepared on first use */
	/* the record appended last in the open transaction: its author's
	 * head, so that the next append of a run need not read it again
	 * (antt_store_link_of); forgotten when a transaction begins or ends */
	int tail_set;
	uint8_t tail_author[ANTT_KEY_BYTES];
	uint64_t tail_seq;
	uint8_t tail_id[ANTT_ID_BYTES];
	antt_store_progress_fn progress; /* told now and then during long work */
	void *progress_arg;
};

int antt_store_dberr(antt_store_t *s, char *err, const char *what);

/* A write that must be part of the caller's transaction: ANTT_OK while one
 * is open, else ANTT_E_STORE (the database engine may have rolled it back
 * by itself after an error such as a full disk: nothing of it is written). */
int antt_store_txn_check(antt_store_t *s, char *err);

/* Inside a transaction: what a write that must go with others asserts
 * (calling it outside one is a bug of the caller's). */
int antt_store_in_transaction(antt_store_t *s);

/* *slot, prepared from sql on first use and kept (the caller resets it);
 * NULL with err on failure. */
sqlite3_stmt *antt_store_prepared(antt_store_t *s, sqlite3_stmt **slot, const char *sql, char *err);

/* The decoded tables of the record just appended as row n (called by
 * antt_store_append_ex inside its transaction). */
int antt_store_index_record(antt_store_t *s, int64_t n, const uint8_t id[ANTT_ID_BYTES],
                            const antt_body_t *b, char *err);
/* A revocation of key after seq was appended: the reports its later
 * records belong to are regrouped without them. */
int antt_store_index_revoked(antt_store_t *s, const uint8_t key[ANTT_KEY_BYTES], uint64_t after,
                             char *err);
/* Empty and refill the decoded tables from the records, inside the
 * caller's transaction. */
int antt_store_reindex(antt_store_t *s, int64_t *records, char *err);
/* Compare the decoded tables with the records (verify). */
int antt_store_verify_index(antt_store_t *s, antt_store_problem_fn problem, void *arg,
                            const volatile int *stop, char *err);
void antt_store_index_close(antt_store_t *s);
void antt_store_trust_close(antt_store_t *s);
/* An enrollment of key that holds was appended: key is no longer
 * untrusted for lack of one (store_trust.c, T4). */
int antt_store_trust_enrolled(antt_store_t *s, const uint8_t key[ANTT_KEY_BYTES], char *err);

#endif
