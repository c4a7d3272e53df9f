/* store.c - the node's SQLite store (see store.h).
 *
 * Invariants.  What the store keeps true whoever calls it; antt verify
 * checks each one that can break and names it in every problem it reports
 * ("... [I1]"); verify --deep adds I8 and T1-T4 of store_trust.c.
 *
 *   I1  Chain contiguity: each author's records are seq 1, 2, 3 ... with no
 *       gap, each one's prev the id of the one before, seq 1's prev zero
 *       (antt_chain_follows, record by record).  antt_store_append_ex
 *       appends only what antt_store_link_of finds ANTT_STORE_NEXT.
 *   I2  One record per author and seq (UNIQUE(author, seq)): a second one
 *       is a fork and never in records; antt_store_add_fork keeps the first
 *       ANTT_STORE_FORKS_KEPT of each author whole in forks and counts
 *       every one in fork_counts.
 *   I3  A record's id is the BLAKE2b-256 of its body as signed: a record is
 *       named by its bytes, so each prev binds the whole chain before it.
 *   I4  A record's signature is its author's over its body (audit 1), or
 *       awaits the background audit (audit 0: a later signature of its
 *       chain covers it, by I1 and I3), or failed it (audit -1) and its
 *       author's chain is quarantined from there (T4): held, never
 *       counted, and listed by verify as misconduct, not damage.
 *   I5  A record's body decodes, and its indexed columns (author, seq,
 *       prev, unit, form, period, clock, corrects) are those of the body.
 *   I6  heads holds each author's last record (its highest seq, that
 *       record's id); enrollments and revocations index exactly the
 *       enrollment and revocation records held.  Kept by append, in the
 *       record's own transaction; not re-checked.
 *   I7  The decoded tables (vals, reports; store_index.c) are a function
 *       of the records held, the revocations that hold, the untrusted
 *       keys and the records not permitted (not_permitted), never of the
 *       order records came in: antt rebuild makes them again from the
 *       records.
 *   I8  Every author but this node is enrolled by a chain of enrollments
 *       that hold (T1, T2) ending at this node and signs only for the unit
 *       its enrollment gives it for each record's period (T5: the unit it
 *       is enrolled for, in the unit list of its enrollment; an older
 *       list's unit that went whole to it by a full link); what it signed
 *       after a revocation that holds (T3), and a record that T5 does not
 *       let (a unit list or link loaded after it was taken), is held,
 *       never counted, and named by verify --deep with why.
 *   I9  Units: a store holds unit lists (unit_lists: a name, the first and
 *       last day it is in force, yyyymmdd as reports.day0/day1, NULL for
 *       open-ended; units rows of each) and links from the units of an
 *       older list to those of a newer one (unit_links, share 1 full, 0
 *       partial).  The list in force on a day is the dated list whose
 *       range contains the day; when none contains it, the latest that
 *       has begun, else the earliest; the undated list "loaded" (what antt
 *       units import FILE.csv without --list loads) only while no dated
 *       list is held.  The
 *       reports (store_reports.c) judge each report by the list in force
 *       on its period's last day and answer in one list's units, placing
 *       the others' through the links.  Scopes of enrollments
 *       (antt_store_unit_within / unit_known, T1) read every list loaded: a
 *       unit is below another when some list shows it (store_index.c), so
 *       that an enrollment made under its day's list holds when a newer
 *       list comes in force.  What a key signs for is judged by the
 *       dated list in force on each record's period's last day, by the
 *       same rule for that day over the dated lists alone (T5 of
 *       store_trust.c: the undated "loaded" judges no period).
 *       That choice is ANTT_STORE_LIST_ORDER, and only there.  Kept by the
 *       imports of store_units.c, each in one transaction: the ranges of
 *       the dated lists do not overlap; every link names a unit of its
 *       old list and one of its new list, the old list ends before the
 *       new one begins, an old unit with a full link has no other;
 *       replacing a list drops the links that touch it.  Not re-checked.
 *
 * An assert states what only a bug in this process could break, never
 * what a file, a peer, a user or the database engine hands in: a write
 * made outside a transaction (which SQLite may have ended by itself after
 * a full disk) is an error, ANTT_E_STORE (antt_store_txn_check).
 *
 * Schema history (PRAGMA user_version):
 *   1  records + meta.  records keeps the signed body and signature exactly
 *      as signed; the other columns are an index over the body, re-checked
 *      by antt_store_verify.
 *   2  heads (each author's last record, kept by antt_store_append, so that
 *      listing heads does not scan the records), records.audit (1: its own
 *      signature was checked, 0: accepted on the signature of a later
 *      record of its chain, awaiting the background audit, -1: its own
 *      signature failed the audit), enrollments (an index over enrollment
 *      records: who admitted which key for which unit), forks (evidence: a
 *      second record for an author and seq), refusals (what a parent
 *      refused of ours, and why), receipts (how far up each author's
 *      records are stored, per level).
 *   3  enrollments.curve: the enrolled key's CURVE transport key (what ZAP
 *      is handed), indexed, so that admitting a connection is one lookup
 *      however many children a hub has.  antt_curve() is an SQL function
 *      of this store's connection (see s_curve_fn).
 *   4  records.first (when the first hub stored it), units (the
 *      administrative tree), vals and reports: the decoded tables of
 *      store_index.c, filled from the records by the migration.
 *   5  revocations (an index over revocation records: which key, after
 *      which seq, by whom); the decoded tables leave out the records of a
 *      revoked key after that seq.
 *   6  reports_when covers day1, n and versions: reports of a form and
 *      period are read from the index alone.
 *   7  enrollments_unit: the keys enrolled for a unit (a replaced
 *      machine's earlier keys, handed to its new key: rotation).
 *   8  explicit authority (store_trust.c): enrollments.kind (the grant:
 *      0 legacy, 1 station, 2 hub), enrollments.bad and revocations.bad
 *      (NULL while the row holds under the rules, else why not),
 *      untrusted (keys whose records are held but never counted nor
 *      forwarded: kind 1, no enrollment of the key holds; kind 2, its
 *      chain carries a signature that failed the audit, from after+1).
 *      Stores made before are re-checked once by anttd at start (meta
 *      trust_recheck).  stamps (the first hubs' signed receipts) and
 *      records.stamp (the one that gave records.first); a first receipt
 *      that a hub below only claimed, unsigned, is dropped (first = NULL:
 *      reports judge on this hub's own receipt time and say so).
 *      unaudited_via: which child delivered a run of another author's
 *      records taken on a later signature, until the audit has checked
 *      them (so that the audit can name it).
 *   9  fork_counts: how many forks each author signed, counted; forks
 *      keeps only the first ANTT_STORE_FORKS_KEPT of each author whole
 *      (forks_author counts them), so that a peer sending forks by the
 *      thousand cannot fill the disk with evidence.  Stores that already
 *      hold more keep them; the counts start from what is held.
 *  10  unit_lists, unit_links, units.list (PRIMARY KEY(list, code); the
 *      table rebuilt, its rows in the list "loaded", in force always, so
 *      that an upgraded store reads the same units).  Which list is
 *      in force on a day is the code's rule (I9), not the file's.
 *  11  not_permitted (records.n, why): the records held that their key may
 *      not sign for their period (T5 of store_trust.c), kept and never
 *      counted; filled by antt_store_trust_recheck (at the first start of
 *      an upgraded store that holds dated lists, and whenever the lists or
 *      their links change).
 * A migration is one entry of s_migrations, run in one transaction.
 * Only prepared statements touch data. */
#define _GNU_SOURCE
#include "store_int.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

static const char *s_migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB NOT NULL);"
    "CREATE TABLE records("
    "  n INTEGER PRIMARY KEY,"
    "  id BLOB NOT NULL UNIQUE CHECK(length(id) = 32),"
    "  author BLOB NOT NULL CHECK(length(author) = 32),"
    "  seq INTEGER NOT NULL CHECK(seq >= 1),"
    "  prev BLOB NOT NULL,"
    "  unit TEXT NOT NULL,"
    "  form TEXT NOT NULL,"
    "  period TEXT NOT NULL,"
    "  clock INTEGER NOT NULL,"
    "  corrects BLOB,"
    "  body BLOB NOT NULL,"
    "  sig BLOB NOT NULL,"
    "  received INTEGER NOT NULL,"
    "  UNIQUE(author, seq));"
    "CREATE INDEX records_report ON records(unit, form, period);"
    "CREATE INDEX records_corrects ON records(corrects) WHERE corrects IS NOT NULL;",
    /* 1 -> 2 */
    "ALTER TABLE records ADD COLUMN audit INTEGER NOT NULL DEFAULT 1;"
    "CREATE INDEX records_unaudited ON records(n) WHERE audit = 0;"
    "CREATE TABLE heads(author BLOB PRIMARY KEY, seq INTEGER NOT NULL, id BLOB NOT NULL);"
    "INSERT INTO heads SELECT author, max(seq), id FROM records GROUP BY author;"
    "CREATE TABLE enrollments("
    "  key BLOB NOT NULL CHECK(length(key) = 32),"
    "  unit TEXT NOT NULL,"
    "  by BLOB NOT NULL CHECK(length(by) = 32),"
    "  record BLOB NOT NULL,"
    "  PRIMARY KEY(key, by));"
    "CREATE INDEX enrollments_by ON enrollments(by);"
    "CREATE TABLE forks("
    "  id BLOB PRIMARY KEY, author BLOB NOT NULL, seq INTEGER NOT NULL,"
    "  body BLOB NOT NULL, sig BLOB NOT NULL, received INTEGER NOT NULL,"
    "  peer TEXT NOT NULL);"
    "CREATE TABLE refusals("
    "  author BLOB NOT NULL, seq INTEGER NOT NULL, id BLOB NOT NULL,"
    "  code INTEGER NOT NULL, reason TEXT NOT NULL, at INTEGER NOT NULL,"
    "  PRIMARY KEY(author, seq));"
    "CREATE TABLE receipts("
    "  level INTEGER NOT NULL, author BLOB NOT NULL, seq INTEGER NOT NULL,"
    "  at INTEGER NOT NULL, PRIMARY KEY(level, author));",
    /* 2 -> 3 */
    "ALTER TABLE enrollments ADD COLUMN curve BLOB;"
    "UPDATE enrollments SET curve = antt_curve(key);"
    "CREATE INDEX enrollments_curve ON enrollments(curve, by);",
    /* 3 -> 4 (then the decoded tables are filled from the records) */
    "ALTER TABLE records ADD COLUMN first INTEGER;"
    "CREATE TABLE units("
    "  code TEXT PRIMARY KEY, level TEXT NOT NULL, type TEXT NOT NULL, name TEXT NOT NULL,"
    "  parent TEXT, depth INTEGER NOT NULL, a1 TEXT, a2 TEXT, a3 TEXT) WITHOUT ROWID;"
    "CREATE INDEX units_a1 ON units(a1, depth);"
    "CREATE INDEX units_a2 ON units(a2, depth);"
    "CREATE INDEX units_parent ON units(parent);"
    "CREATE TABLE vals("
    "  n INTEGER NOT NULL, code TEXT NOT NULL, value INTEGER NOT NULL,"
    "  PRIMARY KEY(n, code)) WITHOUT ROWID;"
    "CREATE TABLE reports("
    "  unit TEXT NOT NULL, form TEXT NOT NULL, period TEXT NOT NULL, root INTEGER NOT NULL,"
    "  n INTEGER, versions INTEGER NOT NULL, day0 INTEGER NOT NULL, day1 INTEGER NOT NULL,"
    "  PRIMARY KEY(unit, form, period, root)) WITHOUT ROWID;"
    "CREATE INDEX reports_when ON reports(form, day0);",
    /* 4 -> 5 */
    "CREATE TABLE revocations("
    "  key BLOB NOT NULL CHECK(length(key) = 32), after INTEGER NOT NULL,"
    "  by BLOB NOT NULL CHECK(length(by) = 32), record BLOB NOT NULL,"
    "  reason TEXT, PRIMARY KEY(key, by));",
    /* 5 -> 6: reports by form and period read from the index alone */
    "DROP INDEX reports_when;"
    "CREATE INDEX reports_when ON reports(form, day0, day1, n, versions);",
    /* 6 -> 7: the keys of a unit */
    "CREATE INDEX enrollments_unit ON enrollments(unit);",
    /* 7 -> 8: explicit authority */
    "ALTER TABLE enrollments ADD COLUMN kind INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE enrollments ADD COLUMN bad TEXT;"
    "ALTER TABLE revocations ADD COLUMN bad TEXT;"
    "CREATE TABLE untrusted("
    "  key BLOB NOT NULL CHECK(length(key) = 32), kind INTEGER NOT NULL,"
    "  after INTEGER NOT NULL, why TEXT NOT NULL, at INTEGER NOT NULL,"
    "  PRIMARY KEY(key, kind));"
    "INSERT OR REPLACE INTO meta(key, value) SELECT 'trust_recheck', x'01' "
    "  WHERE EXISTS(SELECT 1 FROM enrollments) OR EXISTS(SELECT 1 FROM revocations);"
    "CREATE TABLE stamps("
    "  sn INTEGER PRIMARY KEY, hub BLOB NOT NULL CHECK(length(hub) = 32),"
    "  body BLOB NOT NULL, sig BLOB NOT NULL CHECK(length(sig) = 64),"
    "  author BLOB NOT NULL, from_seq INTEGER NOT NULL, to_seq INTEGER NOT NULL,"
    "  at INTEGER NOT NULL, UNIQUE(hub, body));"
    "ALTER TABLE records ADD COLUMN stamp INTEGER;"
    "CREATE TABLE unaudited_via("
    "  author BLOB NOT NULL, from_seq INTEGER NOT NULL, to_seq INTEGER NOT NULL,"
    "  via BLOB NOT NULL, PRIMARY KEY(author, from_seq)) WITHOUT ROWID;"
    /* a first receipt a hub below only said, unsigned, is not kept */
    "UPDATE records SET first = NULL WHERE first IS NOT NULL AND first != received;",
    /* 8 -> 9: bounded fork evidence, every fork counted */
    "CREATE INDEX forks_author ON forks(author);"
    "CREATE TABLE fork_counts("
    "  author BLOB PRIMARY KEY CHECK(length(author) = 32),"
    "  n INTEGER NOT NULL, last INTEGER NOT NULL) WITHOUT ROWID;"
    "INSERT INTO fork_counts SELECT author, count(*), max(received) FROM forks GROUP BY author;",
    /* 9 -> 10: dated unit lists and the links between them (I9).  Tables
     * made if absent (the unit tests fake older stores from a current
     * schema, whose units then hold no list of their own); the units, one
     * tree until now, become the list "loaded".  Which list is in force
     * is no part of the file: the code's rule (ANTT_STORE_LIST_ON). */
    "CREATE TABLE IF NOT EXISTS unit_lists("
    "  name TEXT PRIMARY KEY, day_from INTEGER, day_to INTEGER,"
    "  units INTEGER NOT NULL, imported INTEGER NOT NULL);"
    "INSERT OR IGNORE INTO unit_lists(name, day_from, day_to, units, imported) "
    "  SELECT 'loaded', NULL, NULL, (SELECT count(*) FROM units), "
    "  CAST(strftime('%s', 'now') AS INTEGER) WHERE EXISTS(SELECT 1 FROM units);"
    "CREATE TABLE units_new("
    "  list TEXT NOT NULL DEFAULT 'loaded', code TEXT NOT NULL, level TEXT NOT NULL,"
    "  type TEXT NOT NULL, name TEXT NOT NULL, parent TEXT, depth INTEGER NOT NULL,"
    "  a1 TEXT, a2 TEXT, a3 TEXT, PRIMARY KEY(list, code)) WITHOUT ROWID;"
    "INSERT INTO units_new(list, code, level, type, name, parent, depth, a1, a2, a3) "
    "  SELECT 'loaded', code, level, type, name, parent, depth, a1, a2, a3 FROM units;"
    "DROP TABLE units;"
    "ALTER TABLE units_new RENAME TO units;"
    "CREATE INDEX units_a1 ON units(list, a1, depth);"
    "CREATE INDEX units_a2 ON units(list, a2, depth);"
    "CREATE INDEX units_parent ON units(list, parent);"
    "CREATE TABLE IF NOT EXISTS unit_links("
    "  old_list TEXT NOT NULL, old_code TEXT NOT NULL,"
    "  new_list TEXT NOT NULL, new_code TEXT NOT NULL,"
    "  share INTEGER NOT NULL CHECK(share IN (0, 1)),"
    "  PRIMARY KEY(old_list, old_code, new_list, new_code)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS unit_links_new ON unit_links(new_list, new_code);",
    /* 10 -> 11: records held that their key may not sign for their period
     * (T5 of store_trust.c), judged at the next start where dated lists
     * are held */
    "CREATE TABLE IF NOT EXISTS not_permitted(n INTEGER PRIMARY KEY, why TEXT NOT NULL);"
    "INSERT OR REPLACE INTO meta(key, value) SELECT 'trust_recheck', x'01' "
    "  WHERE EXISTS(SELECT 1 FROM unit_lists WHERE day_from IS NOT NULL OR day_to IS NOT NULL);",
};

_Static_assert(sizeof s_migrations / sizeof *s_migrations == ANTT_STORE_SCHEMA,
               "one migration per schema version");

enum {
	S_HEAD,
	S_APPEND,
	S_GET_RANGE,
	S_FIND_REPORT,
	S_FIND_CORR,
	S_STATS,
	S_ENROLL_ADD,
	S_HEADS,
	S_HEAD_SET,
	S_AT_SEQ,
	S_RANGE,
	S_ENROLLED,
	S_FORK_ADD,
	S_REFUSAL_ADD,
	S_RECEIPT_SET,
	S_BY_CURVE,
	S_ANY_BY_CURVE,
	S_REVOKE_ADD,
	S_RECEIPT_GET,
	S_REVOKED,
	S_FORKS_KEPT,
	S_FORK_COUNT,
	S_FORK_TOTALS,
	S_COUNT_ /* number of statements */
};

static const char *s_sql[S_COUNT_] = {
    [S_HEAD] = "SELECT seq, id FROM records WHERE author = ?1 ORDER BY seq DESC LIMIT 1",
    [S_APPEND] = "INSERT INTO records(id, author, seq, prev, unit, form, period, clock, "
                 "corrects, body, sig, received, audit, first) "
                 "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
    [S_GET_RANGE] = "SELECT r.id, r.body, r.sig, r.received, "
                    "(SELECT c.id FROM records c WHERE c.corrects = r.id ORDER BY c.n LIMIT 1) "
                    "FROM records r WHERE r.id BETWEEN ?1 AND ?2 LIMIT 2",
    [S_FIND_REPORT] = "SELECT id FROM records WHERE unit = ?1 AND form = ?2 AND period = ?3 "
                      "AND corrects IS NULL ORDER BY n LIMIT 1",
    [S_FIND_CORR] = "SELECT id FROM records WHERE corrects = ?1 ORDER BY n LIMIT 1",
    [S_STATS] = "SELECT count(*), count(DISTINCT author) FROM records",
    [S_ENROLL_ADD] = "INSERT OR IGNORE INTO enrollments(key, unit, by, record, curve, kind) "
                     "VALUES(?1,?2,?3,?4,antt_curve(?1),?5)",
    [S_HEADS] = "SELECT author, seq, id FROM heads",
    [S_HEAD_SET] = "INSERT INTO heads(author, seq, id) VALUES(?1,?2,?3) ON CONFLICT(author) "
                   "DO UPDATE SET seq = excluded.seq, id = excluded.id WHERE excluded.seq > seq",
    [S_AT_SEQ] = "SELECT id FROM records WHERE author = ?1 AND seq = ?2",
    [S_RANGE] = "SELECT id, body, sig, seq, coalesce(stamp, 0) FROM records WHERE author = ?1 "
                "AND seq >= ?2 "
                "ORDER BY seq LIMIT ?3",
    [S_ENROLLED] = "SELECT unit, by FROM enrollments WHERE key = ?1 AND bad IS NULL "
                   "ORDER BY rowid",
    [S_FORK_ADD] = "INSERT OR IGNORE INTO forks(id, author, seq, body, sig, received, peer) "
                   "VALUES(?1,?2,?3,?4,?5,?6,?7)",
    [S_REFUSAL_ADD] = "INSERT OR REPLACE INTO refusals(author, seq, id, code, reason, at) "
                      "VALUES(?1,?2,?3,?4,?5,?6)",
    [S_RECEIPT_SET] = "INSERT INTO receipts(level, author, seq, at) VALUES(?1,?2,?3,?4) "
                      "ON CONFLICT(level, author) DO UPDATE SET seq = excluded.seq, "
                      "at = excluded.at WHERE excluded.seq > seq",
    [S_BY_CURVE] = "SELECT key FROM enrollments WHERE curve = ?1 AND by = ?2 "
                   "AND bad IS NULL LIMIT 1",
    [S_ANY_BY_CURVE] = "SELECT key FROM enrollments WHERE curve = ?1 AND bad IS NULL "
                       "LIMIT 1",
    [S_REVOKE_ADD] = "INSERT OR IGNORE INTO revocations(key, after, by, record, reason) "
                     "VALUES(?1,?2,?3,?4,?5)",
    [S_REVOKED] = "SELECT min(after) FROM revocations WHERE key = ?1 AND bad IS NULL",
    [S_RECEIPT_GET] = "SELECT seq FROM receipts WHERE level = ?1 AND author = ?2",
    [S_FORKS_KEPT] = "SELECT count(*), coalesce(max(id = ?2), 0) FROM forks WHERE author = ?1",
    [S_FORK_COUNT] = "INSERT INTO fork_counts(author, n, last) VALUES(?1, 1, ?2) "
                     "ON CONFLICT(author) DO UPDATE SET n = n + 1, last = excluded.last",
    [S_FORK_TOTALS] = "SELECT (SELECT coalesce(sum(n), 0) FROM fork_counts), "
                      "(SELECT count(*) FROM forks)",
};

_Static_assert(S_COUNT_ <= ANTT_STORE_NSTMT, "raise ANTT_STORE_NSTMT");

int antt_store_in_transaction(antt_store_t *s)
{
	return !sqlite3_get_autocommit(s->db);
}

int antt_store_dberr(antt_store_t *s, char *err, const char *what)
{
	int code = sqlite3_errcode(s->db) & 0xff;
	if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
		return antt_errf(err, ANTT_E_CORRUPT,
		                 "store %s is DAMAGED (%s: %s): stop anttd and restore the store "
		                 "from a backup (docs/operations.md, \"Restoring a store\")",
		                 s->path, what, sqlite3_errmsg(s->db));
	return antt_errf(err, ANTT_E_STORE, "store %s: %s: %s", s->path, what,
	                 sqlite3_errmsg(s->db));
}

sqlite3_stmt *antt_store_prepared(antt_store_t *s, sqlite3_stmt **slot, const char *sql, char *err)
{
	if (!*slot && sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, slot, NULL) !=
	                  SQLITE_OK) {
		antt_store_dberr(s, err, "preparing a statement");
		return NULL;
	}
	return *slot;
}

/* A whole read of the file's pages and indexes (PRAGMA quick_check): a
 * damaged store is refused when anttd starts, not found at the first read
 * of a bad page. */
static int s_quick_check(antt_store_t *s, char *err)
{
	sqlite3_stmt *st;
	int rc = ANTT_OK;
	if (sqlite3_prepare_v2(s->db, "PRAGMA quick_check(1)", -1, &st, NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, "checking the file");
	int r = sqlite3_step(st);
	const char *res = r == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
	if (r != SQLITE_ROW)
		rc = antt_store_dberr(s, err, "checking the file");
	else if (!res || strcmp(res, "ok"))
		rc = antt_errf(err, ANTT_E_CORRUPT,
		               "store %s is DAMAGED (%.200s): restore it from a backup "
		               "(docs/operations.md, \"Restoring a store\")",
		               s->path, res ? res : "?");
	sqlite3_finalize(st);
	return rc;
}

static int s_exec(antt_store_t *s, const char *sql, char *err)
{
	char *msg = NULL;
	if (!strncmp(sql, "BEGIN", 5) || !strncmp(sql, "COMMIT", 6) || !strncmp(sql, "ROLLBACK", 8))
		s->tail_set = 0; /* a transaction begins or ends */
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int rc = antt_errf(err, ANTT_E_STORE, "store %s: %s", s->path, msg ? msg : "error");
		sqlite3_free(msg);
		return rc;
	}
	return ANTT_OK;
}

/* antt_unit_ok(unit, above): antt_store_unit_below of this store. */
static void s_unit_ok_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const char *u = (const char *)sqlite3_value_text(argv[0]);
	const char *a = (const char *)sqlite3_value_text(argv[1]);
	sqlite3_result_int(ctx, u && a ? antt_store_unit_below(sqlite3_user_data(ctx), u, a) : 0);
}

/* antt_curve(ed25519 public key): its X25519 (CURVE) key, or NULL. */
static void s_curve_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	uint8_t x[32];
	(void)argc;
	if (sqlite3_value_bytes(argv[0]) != ANTT_KEY_BYTES ||
	    crypto_sign_ed25519_pk_to_curve25519(x, sqlite3_value_blob(argv[0])) != 0) {
		sqlite3_result_null(ctx);
		return;
	}
	sqlite3_result_blob(ctx, x, sizeof x, SQLITE_TRANSIENT);
}

static int s_pragma_int(antt_store_t *s, const char *sql, int64_t *out)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* Bring the schema to ANTT_STORE_SCHEMA; stamp a new store with our
 * application id and node key; refuse a store that is not ours. */
static int s_migrate(antt_store_t *s, const uint8_t *node_pk, int readonly, char *err)
{
	int64_t app = 0, ver = 0, tables = 0;
	if (s_pragma_int(s, "PRAGMA application_id", &app) ||
	    s_pragma_int(s, "PRAGMA user_version", &ver) ||
	    s_pragma_int(s, "SELECT count(*) FROM sqlite_schema", &tables)) {
		int code = sqlite3_errcode(s->db) & 0xff;
		if (code == SQLITE_CORRUPT)
			return antt_store_dberr(s, err, "reading its header");
		return antt_errf(
		    err, ANTT_E_CORRUPT,
		    "%s is not an antt store (%s): check [node] store in the config, or "
		    "if it is this node's store, it is damaged: restore it from a "
		    "backup (docs/operations.md)",
		    s->path, sqlite3_errmsg(s->db));
	}
	if (app != ANTT_STORE_APP_ID && !(app == 0 && ver == 0 && tables == 0))
		return antt_errf(err, ANTT_E_CORRUPT,
		                 "%s is not an antt store (it is some other SQLite database): "
		                 "check [node] store in the config",
		                 s->path);
	if (ver > ANTT_STORE_SCHEMA)
		return antt_errf(err, ANTT_E_CORRUPT,
		                 "store %s has schema version %lld, newer than this anttd knows "
		                 "(%d): upgrade antt",
		                 s->path, (long long)ver, ANTT_STORE_SCHEMA);
	if (ver < ANTT_STORE_SCHEMA) {
		if (readonly)
			return antt_errf(err, ANTT_E_CORRUPT,
			                 "store %s needs a schema upgrade: start anttd once",
			                 s->path);
		int rc = s_exec(s, "BEGIN IMMEDIATE", err);
		if (rc)
			return rc;
		for (int64_t v = ver; v < ANTT_STORE_SCHEMA && !rc; v++)
			rc = s_exec(s, s_migrations[v], err);
		if (!rc && ver < 4) {
			int64_t n;
			rc = antt_store_reindex(s, &n, err);
		}
		if (!rc) {
			char sql[96];
			snprintf(sql, sizeof sql,
			         "PRAGMA application_id = %d; PRAGMA user_version = %d",
			         ANTT_STORE_APP_ID, ANTT_STORE_SCHEMA);
			rc = s_exec(s, sql, err);
		}
		if (!rc && ver == 0 && node_pk) {
			sqlite3_stmt *st;
			sqlite3_prepare_v2(s->db,
			                   "INSERT INTO meta(key, value) VALUES('node_key', ?1)",
			                   -1, &st, NULL);
			sqlite3_bind_blob(st, 1, node_pk, ANTT_KEY_BYTES, SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_DONE)
				rc = antt_store_dberr(s, err, "stamping the node key");
			sqlite3_finalize(st);
		}
		if (!rc)
			rc = s_exec(s, "COMMIT", err);
		if (rc) {
			s_exec(s, "ROLLBACK", NULL);
			return rc;
		}
		if (ver)
			antt_log(ANTT_LOG_INFO, "store %s: schema %lld -> %d", s->path,
			         (long long)ver, ANTT_STORE_SCHEMA);
	}
	if (node_pk) {
		sqlite3_stmt *st;
		int rc = ANTT_OK;
		if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'node_key'", -1,
		                       &st, NULL) != SQLITE_OK ||
		    sqlite3_step(st) != SQLITE_ROW) {
			rc = antt_errf(
			    err, ANTT_E_CORRUPT,
			    "store %s is damaged: it does not name its node (%s); restore it "
			    "from a backup",
			    s->path, sqlite3_errmsg(s->db));
			sqlite3_finalize(st);
			return rc;
		}
		if (sqlite3_column_bytes(st, 0) != ANTT_KEY_BYTES ||
		    memcmp(sqlite3_column_blob(st, 0), node_pk, ANTT_KEY_BYTES) != 0)
			rc = antt_errf(
			    err, ANTT_E_CORRUPT,
			    "store %s belongs to another node identity than the key file: "
			    "check [node] key and [node] store in the config",
			    s->path);
		sqlite3_finalize(st);
		return rc;
	}
	return ANTT_OK;
}

int antt_store_open(const char *path, const uint8_t *node_pk, int flags, antt_store_t **out,
                    char *err)
{
	int rc = ANTT_OK;
	antt_store_t *s = antt_xcalloc(1, sizeof *s);
	s->path = antt_xstrdup(path);
	int readonly = flags & ANTT_STORE_READONLY;

	if (!readonly && (flags & ANTT_STORE_CREATE)) {
		/* create it ourselves so that it is 0600 from the first byte */
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0) {
			rc = antt_errf(err, ANTT_E_IO, "cannot create store %s: %s", path,
			               strerror(errno));
			goto out;
		}
		close(fd);
	}
	struct stat st;
	if (stat(path, &st) < 0) {
		rc = antt_errf(err, ANTT_E_CONFIG, "cannot open store %s: %s", path,
		               strerror(errno));
		goto out;
	}
	int oflags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	if (sqlite3_open_v2(path, &s->db, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = antt_store_dberr(s, err, "cannot open");
		goto out;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, 5000);
	if (sqlite3_create_function(s->db, "antt_curve", 1,
	                            SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, NULL,
	                            s_curve_fn, NULL, NULL) != SQLITE_OK) {
		rc = antt_store_dberr(s, err, "cannot register functions");
		goto out;
	}
	if (sqlite3_create_function(s->db, "antt_unit_ok", 2, SQLITE_UTF8 | SQLITE_DIRECTONLY, s,
	                            s_unit_ok_fn, NULL, NULL) != SQLITE_OK) {
		rc = antt_store_dberr(s, err, "cannot register functions");
		goto out;
	}
	/* check the file is ours before changing anything about it */
	rc = s_migrate(s, node_pk, readonly, err);
	if (!rc && !readonly)
		rc = s_quick_check(s, err);
	if (rc)
		goto out;
	if (!readonly) {
		/* WAL: readers never block the writer; FULL: a commit is on disk */
		int64_t dummy;
		if (s_pragma_int(s, "PRAGMA journal_mode = WAL", &dummy)) {
			rc = antt_errf(err, ANTT_E_CORRUPT,
			               "%s is not an antt store (%s): check [node] store in the "
			               "config",
			               path, sqlite3_errmsg(s->db));
			goto out;
		}
		/* a hub appends into large indexes: 64 MiB of page cache at most
		 * (taken as the store grows, not at once) */
		rc = s_exec(s,
		            flags & ANTT_STORE_RELAXED
		                ? "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; "
		                  "PRAGMA cache_size = -65536"
		                : "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; "
		                  "PRAGMA cache_size = -65536",
		            err);
		if (rc)
			goto out;
	}
	if (!readonly && (st.st_mode & 077) && chmod(path, 0600) < 0) {
		rc = antt_errf(err, ANTT_E_IO,
		               "store %s is readable by others and cannot be made "
		               "0600: %s",
		               path, strerror(errno));
		goto out;
	}
	for (int i = 0; i < S_COUNT_; i++) {
		if (readonly && (i == S_APPEND || i == S_ENROLL_ADD || i == S_HEAD_SET ||
		                 i == S_FORK_ADD || i == S_REFUSAL_ADD || i == S_RECEIPT_SET ||
		                 i == S_REVOKE_ADD || i == S_FORK_COUNT))
			continue;
		if (sqlite3_prepare_v3(s->db, s_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i],
		                       NULL) != SQLITE_OK) {
			rc = antt_store_dberr(s, err, "preparing statements");
			goto out;
		}
	}
out:
	if (rc)
		antt_store_close(&s);
	*out = s;
	return rc;
}

void antt_store_close(antt_store_t **self_p)
{
	antt_store_t *s = *self_p;
	if (!s)
		return;
	for (int i = 0; i < S_COUNT_; i++)
		sqlite3_finalize(s->st[i]);
	antt_store_index_close(s);
	antt_store_trust_close(s);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
	*self_p = NULL;
}

const char *antt_store_path(const antt_store_t *s)
{
	return s->path;
}

void antt_store_set_progress(antt_store_t *s, antt_store_progress_fn fn, void *arg)
{
	s->progress = fn;
	s->progress_arg = arg;
}

int antt_store_begin(antt_store_t *s, char *err)
{
	return s_exec(s, "BEGIN IMMEDIATE", err);
}

int antt_store_commit(antt_store_t *s, char *err)
{
	return s_exec(s, "COMMIT", err);
}

void antt_store_rollback(antt_store_t *s)
{
	if (!sqlite3_get_autocommit(s->db))
		s_exec(s, "ROLLBACK", NULL);
}

int antt_store_head(antt_store_t *s, const uint8_t author[ANTT_KEY_BYTES], antt_head_t *head,
                    char *err)
{
	int rc = ANTT_OK;
	sqlite3_stmt *st = s->st[S_HEAD];
	memset(head, 0, sizeof *head);
	sqlite3_bind_blob(st, 1, author, ANTT_KEY_BYTES, SQLITE_STATIC);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		head->seq = (uint64_t)sqlite3_column_int64(st, 0);
		if (sqlite3_column_bytes(st, 1) == ANTT_ID_BYTES)
			memcpy(head->id, sqlite3_column_blob(st, 1), ANTT_ID_BYTES);
	} else if (r != SQLITE_DONE) {
		rc = antt_store_dberr(s, err, "reading the chain head");
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

int antt_store_txn_check(antt_store_t *s, char *err)
{
	if (antt_store_in_transaction(s))
		return ANTT_OK;
	return antt_errf(err, ANTT_E_STORE,
	                 "store %s: its transaction is no longer open (the database engine ended "
	                 "it after an error): nothing of it was written; retry",
	                 s->path);
}

int antt_store_link_of(antt_store_t *s, const uint8_t id[ANTT_ID_BYTES], const antt_body_t *b,
                       antt_store_link_t *link, char *err)
{
	antt_head_t head;
	uint8_t have[ANTT_ID_BYTES];
	int rc = ANTT_OK;
	if (s->tail_set && !memcmp(s->tail_author, b->author, ANTT_KEY_BYTES)) {
		head.seq = s->tail_seq; /* the run's last append: no read */
		memcpy(head.id, s->tail_id, ANTT_ID_BYTES);
	} else if ((rc = antt_store_head(s, b->author, &head, err))) {
		return rc;
	}
	if (b->seq > head.seq) {
		*link = antt_chain_follows(b->seq, b->prev, head.seq, head.id) ? ANTT_STORE_NEXT
		                                                               : ANTT_STORE_GAP;
		return ANTT_OK;
	}
	rc = antt_store_id_at(s, b->author, b->seq, have, err);
	if (rc != ANTT_OK && rc != ANTT_E_NOTFOUND)
		return rc;
	/* none held at a seq below the head: a hole in a damaged store's chain
	 * (I1: antt verify names it); the record cannot go there either */
	*link =
	    rc == ANTT_OK && !memcmp(have, id, ANTT_ID_BYTES) ? ANTT_STORE_HELD : ANTT_STORE_FORK;
	return ANTT_OK;
}

int antt_store_append(antt_store_t *s, const uint8_t id[ANTT_ID_BYTES], const uint8_t *body,
                      size_t blen, const uint8_t sig[ANTT_SIG_BYTES], const antt_body_t *b,
                      int64_t received, char *err)
{
	return antt_store_append_ex(s, id, body, blen, sig, b, received, 0, 1, err);
}

int antt_store_append_ex(antt_store_t *s, const uint8_t id[ANTT_ID_BYTES], const uint8_t *body,
                         size_t blen, const uint8_t sig[ANTT_SIG_BYTES], const antt_body_t *b,
                         int64_t received, int64_t first, int audited, char *err)
{
	antt_store_link_t link;
	int64_t n = 0;
	int rc = antt_store_txn_check(s, err);
	if (!rc)
		rc = antt_store_link_of(s, id, b, &link, err);
	if (rc)
		return rc;
	if (link == ANTT_STORE_HELD)
		return antt_errf(err, ANTT_E_EXISTS,
		                 "record seq %llu of this author is already stored",
		                 (unsigned long long)b->seq);
	if (link == ANTT_STORE_FORK)
		return antt_errf(err, ANTT_E_EXISTS,
		                 "another record with seq %llu of this author is already stored (a "
		                 "fork)",
		                 (unsigned long long)b->seq);
	if (link == ANTT_STORE_GAP)
		return antt_errf(err, ANTT_E_INVAL,
		                 "record seq %llu does not follow its author's chain held (a gap)",
		                 (unsigned long long)b->seq);
	assert(link == ANTT_STORE_NEXT);
	sqlite3_stmt *st = s->st[S_APPEND];
	sqlite3_bind_blob(st, 1, id, ANTT_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, b->author, ANTT_KEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)b->seq);
	sqlite3_bind_blob(st, 4, b->prev, ANTT_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, b->unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, b->form, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, b->period, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, b->clock);
	if (b->has_corrects)
		sqlite3_bind_blob(st, 9, b->corrects, ANTT_ID_BYTES, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 9);
	sqlite3_bind_blob(st, 10, body, (int)blen, SQLITE_STATIC);
	sqlite3_bind_blob(st, 11, sig, ANTT_SIG_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 12, received);
	sqlite3_bind_int(st, 13, audited ? 1 : 0);
	if (first)
		sqlite3_bind_int64(st, 14, first);
	else
		sqlite3_bind_null(st, 14);
	int r = sqlite3_step(st);
	if (r == SQLITE_CONSTRAINT_UNIQUE || r == SQLITE_CONSTRAINT_PRIMARYKEY)
		rc = antt_errf(err, ANTT_E_EXISTS,
		               "record seq %llu of this author is already stored",
		               (unsigned long long)b->seq);
	else if (r != SQLITE_DONE)
		rc = antt_store_dberr(s, err, "appending a record");
	else
		n = sqlite3_last_insert_rowid(s->db);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (!rc) {
		st = s->st[S_HEAD_SET];
		sqlite3_bind_blob(st, 1, b->author, ANTT_KEY_BYTES, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)b->seq);
		sqlite3_bind_blob(st, 3, id, ANTT_ID_BYTES, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = antt_store_dberr(s, err, "moving the head");
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
	if (!rc && b->has_enroll) {
		st = s->st[S_ENROLL_ADD];
		sqlite3_bind_blob(st, 1, b->enroll_key, ANTT_KEY_BYTES, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, b->enroll_unit, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 3, b->author, ANTT_KEY_BYTES, SQLITE_STATIC);
		sqlite3_bind_blob(st, 4, id, ANTT_ID_BYTES, SQLITE_STATIC);
		sqlite3_bind_int(st, 5, (int)b->enroll_grant);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = antt_store_dberr(s, err, "indexing an enrollment");
		int added = !rc && sqlite3_changes(s->db) > 0;
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		/* a key that held no enrollment (store_trust.c, T4) has one now:
		 * its records count again */
		if (added)
			rc = antt_store_trust_enrolled(s, b->enroll_key, err);
	}
	if (!rc && b->has_revoke) {
		st = s->st[S_REVOKE_ADD];
		sqlite3_bind_blob(st, 1, b->revoke_key, ANTT_KEY_BYTES, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)b->revoke_after);
		sqlite3_bind_blob(st, 3, b->author, ANTT_KEY_BYTES, SQLITE_STATIC);
		sqlite3_bind_blob(st, 4, id, ANTT_ID_BYTES, SQLITE_STATIC);
		if (b->revoke_reason)
			sqlite3_bind_text(st, 5, b->revoke_reason, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = antt_store_dberr(s, err, "indexing a revocation");
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		if (!rc) /* what the key signed after that no longer counts */
			rc = antt_store_index_revoked(s, b->revoke_key, b->revoke_after, err);
	}
	if (!rc)
		rc = antt_store_index_record(s, n, id, b, err);
	s->tail_set = !rc; /* on error the head is read again next time */
	if (!rc) {
		memcpy(s->tail_author, b->author, ANTT_KEY_BYTES);
		s->tail_seq = b->seq;
		memcpy(s->tail_id, id, ANTT_ID_BYTES);
	}
	return rc;
}

int antt_store_revoked(antt_store_t *s, const uint8_t key[ANTT_KEY_BYTES], uint64_t *after,
                       char *err)
{
	sqlite3_stmt *st = s->st[S_REVOKED];
	int rc = ANTT_E_NOTFOUND;
	sqlite3_bind_blob(st, 1, key, ANTT_KEY_BYTES, SQLITE_STATIC);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*after = (uint64_t)sqlite3_column_int64(st, 0);
		rc = ANTT_OK;
	} else if (r != SQLITE_ROW && r != SQLITE_DONE) {
		rc = antt_store_dberr(s, err, "reading revocations");
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

int antt_store_rebuild(antt_store_t *s, int64_t *records, char *err)
{
	int rc = antt_store_begin(s, err);
	if (!rc)
		rc = antt_store_reindex(s, records, err);
	if (!rc)
		rc = antt_store_commit(s, err);
	if (rc)
		antt_store_rollback(s);
	return rc;
}

void antt_stored_clear(antt_stored_t *r)
{
	free(r->body);
	antt_body_clear(&r->b);
	memset(r, 0, sizeof *r);
}

/* Fill r from a row (id, body, sig, received, corrected_by) and decode it. */
static int s_row_to_stored(sqlite3_stmt *st, antt_stored_t *r, char *err)
{
	memset(r, 0, sizeof *r);
	int blen = sqlite3_column_bytes(st, 1);
	if (sqlite3_column_bytes(st, 0) != ANTT_ID_BYTES ||
	    sqlite3_column_bytes(st, 2) != ANTT_SIG_BYTES || blen <= 0)
		return antt_errf(err, ANTT_E_CORRUPT,
		                 "a stored record has a damaged id, "
		                 "signature or body: run 'antt verify'");
	memcpy(r->id, sqlite3_column_blob(st, 0), ANTT_ID_BYTES);
	r->blen = (size_t)blen;
	r->body = antt_xmalloc(r->blen);
	memcpy(r->body, sqlite3_column_blob(st, 1), r->blen);
	memcpy(r->sig, sqlite3_column_blob(st, 2), ANTT_SIG_BYTES);
	r->received = sqlite3_column_int64(st, 3);
	if (sqlite3_column_bytes(st, 4) == ANTT_ID_BYTES) {
		r->has_corrected_by = 1;
		memcpy(r->corrected_by, sqlite3_column_blob(st, 4), ANTT_ID_BYTES);
	}
	char derr[ANTT_ERR_MAX];
	if (antt_body_decode(r->body, r->blen, &r->b, derr)) {
		char hex[2 * ANTT_ID_BYTES + 1];
		int rc = antt_errf(err, ANTT_E_CORRUPT,
		                   "stored record %s does not decode (%s): run 'antt verify'",
		                   antt_hex(hex, r->id, ANTT_ID_BYTES), derr);
		antt_stored_clear(r);
		return rc;
	}
	return ANTT_OK;
}

int antt_store_get(antt_store_t *s, const char *id_hex, antt_stored_t *out, char *err)
{
	size_t n = strlen(id_hex);
	uint8_t lo[ANTT_ID_BYTES], hi[ANTT_ID_BYTES];
	char buf[2 * ANTT_ID_BYTES + 1];
	if (n < 4 || n > 2 * ANTT_ID_BYTES)
		return antt_errf(err, ANTT_E_INVAL,
		                 "'%s' is not a record id: give the 64 hex digits, or at least the "
		                 "first 4",
		                 id_hex);
	memcpy(buf, id_hex, n);
	memset(buf + n, '0', 2 * ANTT_ID_BYTES - n);
	buf[2 * ANTT_ID_BYTES] = '\0';
	if (antt_unhex(lo, ANTT_ID_BYTES, buf))
		return antt_errf(err, ANTT_E_INVAL,
		                 "'%s' is not a record id: use hex digits 0-9 a-f", id_hex);
	memset(buf + n, 'f', 2 * ANTT_ID_BYTES - n);
	antt_unhex(hi, ANTT_ID_BYTES, buf);

	int rc = ANTT_OK, found = 0;
	sqlite3_stmt *st = s->st[S_GET_RANGE];
	sqlite3_bind_blob(st, 1, lo, ANTT_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, hi, ANTT_ID_BYTES, SQLITE_STATIC);
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (++found == 2) {
			antt_stored_clear(out);
			rc = antt_errf(err, ANTT_E_INVAL,
			               "record id prefix '%s' matches more than one record: give "
			               "more digits",
			               id_hex);
			break;
		}
		rc = s_row_to_stored(st, out, err);
		if (rc)
			break;
	}
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		rc = antt_store_dberr(s, err, "reading a record");
	else if (!rc && !found)
		rc = antt_errf(err, ANTT_E_NOTFOUND, "no record %s in this store (see 'antt log')",
		               id_hex);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* The bound statement st's first column, a blob of exactly len bytes, into
 * out: ANTT_OK, ANTT_E_NOTFOUND (no row, or not such a blob), or the
 * database's error while `what`. */
static int s_find_blob(antt_store_t *s, sqlite3_stmt *st, uint8_t *out, int len, const char *what,
                       char *err)
{
	int rc = ANTT_E_NOTFOUND;
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW && sqlite3_column_bytes(st, 0) == len) {
		memcpy(out, sqlite3_column_blob(st, 0), (size_t)len);
		rc = ANTT_OK;
	} else if (r != SQLITE_DONE && r != SQLITE_ROW) {
		rc = antt_store_dberr(s, err, what);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

static int s_find_id(antt_store_t *s, sqlite3_stmt *st, uint8_t id[ANTT_ID_BYTES], char *err)
{
	return s_find_blob(s, st, id, ANTT_ID_BYTES, "looking up a record", err);
}

int antt_store_find_report(antt_store_t *s, const char *unit, const char *form, const char *period,
                           uint8_t id[ANTT_ID_BYTES], char *err)
{
	sqlite3_stmt *st = s->st[S_FIND_REPORT];
	sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, form, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, period, -1, SQLITE_STATIC);
	return s_find_id(s, st, id, err);
}

int antt_store_find_correction(antt_store_t *s, const uint8_t id[ANTT_ID_BYTES],
                               uint8_t by[ANTT_ID_BYTES], char *err)
{
	sqlite3_stmt *st = s->st[S_FIND_CORR];
	sqlite3_bind_blob(st, 1, id, ANTT_ID_BYTES, SQLITE_STATIC);
	return s_find_id(s, st, by, err);
}

int antt_store_stats(antt_store_t *s, antt_store_stats_t *out, char *err)
{
	int rc = ANTT_OK;
	sqlite3_stmt *st = s->st[S_STATS];
	if (sqlite3_step(st) == SQLITE_ROW) {
		out->records = sqlite3_column_int64(st, 0);
		out->authors = sqlite3_column_int64(st, 1);
	} else {
		rc = antt_store_dberr(s, err, "counting records");
	}
	sqlite3_reset(st);
	return rc;
}

int antt_store_each(antt_store_t *s, const antt_store_filter_t *f, antt_store_each_fn cb, void *arg,
                    char *err)
{
	/* The newest `limit` matches, returned oldest first. */
	static const char *sql =
	    "SELECT * FROM (SELECT r.id, r.body, r.sig, r.received, "
	    "(SELECT c.id FROM records c WHERE c.corrects = r.id ORDER BY c.n LIMIT 1), r.n "
	    "FROM records r WHERE (?1 IS NULL OR r.form = ?1) AND (?2 IS NULL OR r.period = ?2) "
	    "AND (?3 IS NULL OR r.author = ?3) ORDER BY r.n DESC LIMIT ?4) ORDER BY 6";
	sqlite3_stmt *st;
	int rc = ANTT_OK;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, "listing records");
	if (f && f->form)
		sqlite3_bind_text(st, 1, f->form, -1, SQLITE_STATIC);
	if (f && f->period)
		sqlite3_bind_text(st, 2, f->period, -1, SQLITE_STATIC);
	if (f && f->author)
		sqlite3_bind_blob(st, 3, f->author, ANTT_KEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, f && f->limit > 0 ? f->limit : -1);
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		antt_stored_t rec;
		rc = s_row_to_stored(st, &rec, err);
		if (rc)
			break;
		int stop = cb(&rec, arg);
		antt_stored_clear(&rec);
		if (stop)
			break;
	}
	if (!rc && r != SQLITE_ROW && r != SQLITE_DONE)
		rc = antt_store_dberr(s, err, "listing records");
	sqlite3_finalize(st);
	return rc;
}

static int s_blob_eq(sqlite3_stmt *st, int col, const uint8_t *p, int n)
{
	if (!p)
		return sqlite3_column_type(st, col) == SQLITE_NULL;
	return sqlite3_column_bytes(st, col) == n && !memcmp(sqlite3_column_blob(st, col), p, n);
}

static int s_text_eq(sqlite3_stmt *st, int col, const char *p)
{
	const char *t = (const char *)sqlite3_column_text(st, col);
	return t && !strcmp(t, p);
}

/* Records whose own signature failed, waiting for a later record of the
 * same chain whose signature holds: it vouches for them (their author
 * signed over their ids), so they are the author's misconduct, not damage. */
typedef struct {
	size_t n, cap;
	struct s_pending {
		uint8_t id[ANTT_ID_BYTES];
		int64_t seq;
	} * v;
} s_pending_t;

static void s_pending_flush(s_pending_t *p, const uint8_t author[ANTT_KEY_BYTES], int vouched,
                            antt_store_problem_fn problem, antt_store_problem_fn misconduct,
                            void *arg)
{
	for (size_t i = 0; i < p->n; i++) {
		if (vouched && misconduct)
			misconduct(
			    p->v[i].id, author, p->v[i].seq,
			    "its signature does not verify, but its author's later signature "
			    "covers it: the author's misconduct (or a hub below altered the "
			    "signature); quarantined, never counted",
			    arg);
		else
			problem(p->v[i].id, author, p->v[i].seq, "signature does not verify [I4]",
			        arg);
	}
	p->n = 0;
}

int antt_store_verify(antt_store_t *s, antt_store_problem_fn problem,
                      antt_store_problem_fn misconduct, void *arg, int64_t *checked,
                      const volatile int *stop, char *err)
{
	s_pending_t pend = {0};
	static const char *sql = "SELECT id, author, seq, prev, unit, form, period, clock, "
	                         "corrects, body, sig, audit FROM records ORDER BY author, seq";
	sqlite3_stmt *st;
	int rc = ANTT_OK, r;
	uint8_t last_author[ANTT_KEY_BYTES] = {0}, last_id[ANTT_ID_BYTES] = {0};
	int64_t last_seq = 0;
	int have_last = 0;
	*checked = 0;
	/* one snapshot for the records and the decoded tables (WAL: writers
	 * go on meanwhile) */
	if ((rc = s_exec(s, "BEGIN", err)))
		return rc;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		rc = antt_store_dberr(s, err, "verifying");
		s_exec(s, "ROLLBACK", NULL);
		return rc;
	}
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (stop && *stop) {
			rc = antt_errf(err, ANTT_E_UNAVAIL, "verification interrupted");
			break;
		}
		(*checked)++;
		uint8_t id[ANTT_ID_BYTES] = {0}, author[ANTT_KEY_BYTES] = {0}, calc[ANTT_ID_BYTES];
		if (sqlite3_column_bytes(st, 0) == ANTT_ID_BYTES)
			memcpy(id, sqlite3_column_blob(st, 0), ANTT_ID_BYTES);
		if (sqlite3_column_bytes(st, 1) == ANTT_KEY_BYTES)
			memcpy(author, sqlite3_column_blob(st, 1), ANTT_KEY_BYTES);
		int64_t seq = sqlite3_column_int64(st, 2);
		const uint8_t *body = sqlite3_column_blob(st, 9);
		int blen = sqlite3_column_bytes(st, 9);
		const uint8_t *sig = sqlite3_column_blob(st, 10);
		antt_body_t b;
		char derr[ANTT_ERR_MAX];

		int new_author = !have_last || memcmp(author, last_author, ANTT_KEY_BYTES) != 0;
		const uint8_t *prev = sqlite3_column_bytes(st, 3) == ANTT_ID_BYTES
		                          ? sqlite3_column_blob(st, 3)
		                          : NULL;
		int linked = !new_author && prev &&
		             antt_chain_follows((uint64_t)seq, prev, (uint64_t)last_seq, last_id);
		if (!linked) /* nothing later can vouch for them */
			s_pending_flush(&pend, last_author, 0, problem, misconduct, arg);
		if (new_author && seq != 1)
			problem(id, author, seq,
			        "chain does not start at seq 1 (earlier records "
			        "are missing) [I1]",
			        arg);
		else if (!new_author && seq != last_seq + 1)
			problem(id, author, seq,
			        "gap in the chain: the record before it is missing [I1]", arg);
		if (!new_author && seq == last_seq + 1 && !linked)
			problem(id, author, seq, "prev does not name the record before it [I1]",
			        arg);

		antt_record_id(calc, body, (size_t)blen);
		if (blen <= 0 || memcmp(calc, id, ANTT_ID_BYTES) != 0) {
			problem(id, author, seq,
			        "id does not match the hash of its body (the body "
			        "was altered) [I3]",
			        arg);
		} else if (sqlite3_column_bytes(st, 10) != ANTT_SIG_BYTES ||
		           antt_record_verify(sig, body, (size_t)blen, author) != 0) {
			/* one whose signature held when it was stored (audit 1) and
			 * fails now was altered here: damage */
			if (sqlite3_column_int(st, 11) == 1) {
				problem(id, author, seq, "signature does not verify [I4]", arg);
			} else {
				if (pend.n == pend.cap)
					pend.v = antt_xrealloc(
					    pend.v, (pend.cap = pend.cap ? 2 * pend.cap : 8) *
					                sizeof *pend.v);
				memcpy(pend.v[pend.n].id, id, ANTT_ID_BYTES);
				pend.v[pend.n++].seq = seq;
			}
		} else {
			s_pending_flush(&pend, author, 1, problem, misconduct, arg);
		}
		if (antt_body_decode(body, (size_t)blen, &b, derr) != 0) {
			char what[ANTT_ERR_MAX + 32];
			snprintf(what, sizeof what, "body does not decode: %s [I5]", derr);
			problem(id, author, seq, what, arg);
		} else {
			if (memcmp(b.author, author, ANTT_KEY_BYTES) || (int64_t)b.seq != seq ||
			    !s_blob_eq(st, 3, b.prev, ANTT_ID_BYTES) || !s_text_eq(st, 4, b.unit) ||
			    !s_text_eq(st, 5, b.form) || !s_text_eq(st, 6, b.period) ||
			    sqlite3_column_int64(st, 7) != b.clock ||
			    !s_blob_eq(st, 8, b.has_corrects ? b.corrects : NULL, ANTT_ID_BYTES))
				problem(id, author, seq,
				        "indexed columns disagree with the signed body [I5]", arg);
			antt_body_clear(&b);
		}
		memcpy(last_author, author, ANTT_KEY_BYTES);
		memcpy(last_id, id, ANTT_ID_BYTES);
		last_seq = seq;
		have_last = 1;
	}
	if (!rc && r != SQLITE_DONE)
		rc = antt_store_dberr(s, err, "verifying");
	s_pending_flush(&pend, last_author, 0, problem, misconduct, arg);
	assert(pend.n == 0);
	free(pend.v);
	sqlite3_finalize(st);
	if (!rc)
		rc = antt_store_verify_index(s, problem, arg, stop, err);
	s_exec(s, "ROLLBACK", NULL);
	return rc;
}

int antt_store_heads(antt_store_t *s, antt_author_head_t **out, size_t *n, char *err)
{
	sqlite3_stmt *st = s->st[S_HEADS];
	size_t cap = 16;
	int r, rc = ANTT_OK;
	*n = 0;
	*out = antt_xcalloc(cap, sizeof **out);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) != ANTT_KEY_BYTES ||
		    sqlite3_column_bytes(st, 2) != ANTT_ID_BYTES)
			continue; /* cannot be: CHECK constraints */
		if (*n == cap)
			*out = antt_xrealloc(*out, (cap *= 2) * sizeof **out);
		antt_author_head_t *h = &(*out)[(*n)++];
		memcpy(h->author, sqlite3_column_blob(st, 0), ANTT_KEY_BYTES);
		h->head.seq = (uint64_t)sqlite3_column_int64(st, 1);
		memcpy(h->head.id, sqlite3_column_blob(st, 2), ANTT_ID_BYTES);
	}
	if (r != SQLITE_DONE) {
		rc = antt_store_dberr(s, err, "reading heads");
		free(*out);
		*out = NULL;
		*n = 0;
	}
	sqlite3_reset(st);
	return rc;
}

int antt_store_id_at(antt_store_t *s, const uint8_t author[ANTT_KEY_BYTES], uint64_t seq,
                     uint8_t id[ANTT_ID_BYTES], char *err)
{
	sqlite3_stmt *st = s->st[S_AT_SEQ];
	sqlite3_bind_blob(st, 1, author, ANTT_KEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	return s_find_id(s, st, id, err);
}

int antt_store_range(antt_store_t *s, const uint8_t author[ANTT_KEY_BYTES], uint64_t from,
                     size_t max, antt_store_raw_fn cb, void *arg, char *err)
{
	sqlite3_stmt *st = s->st[S_RANGE];
	int r, rc = ANTT_OK;
	sqlite3_bind_blob(st, 1, author, ANTT_KEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)from);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) != ANTT_ID_BYTES ||
		    sqlite3_column_bytes(st, 2) != ANTT_SIG_BYTES) {
			rc = antt_errf(err, ANTT_E_CORRUPT,
			               "store %s: a record has a damaged id or signature: run "
			               "'antt verify'",
			               s->path);
			break;
		}
		if (cb(sqlite3_column_blob(st, 0), sqlite3_column_blob(st, 1),
		       (size_t)sqlite3_column_bytes(st, 1), sqlite3_column_blob(st, 2),
		       (uint64_t)sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4), arg))
			break;
	}
	if (!rc && r != SQLITE_ROW && r != SQLITE_DONE)
		rc = antt_store_dberr(s, err, "reading records");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

int antt_store_enrolled(antt_store_t *s, const uint8_t key[ANTT_KEY_BYTES],
                        char unit[ANTT_UNIT_MAX + 1], uint8_t by[ANTT_KEY_BYTES], char *err)
{
	sqlite3_stmt *st = s->st[S_ENROLLED];
	int rc = ANTT_E_NOTFOUND;
	sqlite3_bind_blob(st, 1, key, ANTT_KEY_BYTES, SQLITE_STATIC);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW && sqlite3_column_bytes(st, 1) == ANTT_KEY_BYTES) {
		snprintf(unit, ANTT_UNIT_MAX + 1, "%s", (const char *)sqlite3_column_text(st, 0));
		memcpy(by, sqlite3_column_blob(st, 1), ANTT_KEY_BYTES);
		rc = ANTT_OK;
	} else if (r != SQLITE_ROW && r != SQLITE_DONE) {
		rc = antt_store_dberr(s, err, "reading enrollments");
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* One step of a statement that returns no row; its bindings cleared. */
static int s_step_done(antt_store_t *s, sqlite3_stmt *st, const char *what, char *err)
{
	int rc = sqlite3_step(st) == SQLITE_DONE ? ANTT_OK : antt_store_dberr(s, err, what);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

int antt_store_add_fork(antt_store_t *s, const uint8_t id[ANTT_ID_BYTES], const uint8_t *body,
                        size_t blen, const uint8_t sig[ANTT_SIG_BYTES], const antt_body_t *b,
                        int64_t received, const char *peer, int *kept, char *err)
{
	*kept = 0;
	int rc = antt_store_txn_check(s, err);
	if (rc)
		return rc;
	sqlite3_stmt *st = s->st[S_FORKS_KEPT];
	int64_t held = 0;
	sqlite3_bind_blob(st, 1, b->author, ANTT_KEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, id, ANTT_ID_BYTES, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		held = sqlite3_column_int64(st, 0);
		*kept = sqlite3_column_int(st, 1);
	} else {
		rc = antt_store_dberr(s, err, "counting fork evidence");
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc || *kept)
		return rc; /* this very fork is kept already: counted once */
	if (held < ANTT_STORE_FORKS_KEPT) {
		st = s->st[S_FORK_ADD];
		sqlite3_bind_blob(st, 1, id, ANTT_ID_BYTES, SQLITE_STATIC);
		sqlite3_bind_blob(st, 2, b->author, ANTT_KEY_BYTES, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)b->seq);
		sqlite3_bind_blob(st, 4, body, (int)blen, SQLITE_STATIC);
		sqlite3_bind_blob(st, 5, sig, ANTT_SIG_BYTES, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, received);
		sqlite3_bind_text(st, 7, peer, -1, SQLITE_STATIC);
		if ((rc = s_step_done(s, st, "keeping fork evidence", err)))
			return rc;
		*kept = 1;
	}
	st = s->st[S_FORK_COUNT];
	sqlite3_bind_blob(st, 1, b->author, ANTT_KEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, received);
	return s_step_done(s, st, "counting forks", err);
}

int antt_store_fork_totals(antt_store_t *s, int64_t *seen, int64_t *kept, char *err)
{
	sqlite3_stmt *st = s->st[S_FORK_TOTALS];
	int rc = ANTT_OK;
	*seen = *kept = 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*seen = sqlite3_column_int64(st, 0);
		*kept = sqlite3_column_int64(st, 1);
	} else {
		rc = antt_store_dberr(s, err, "counting forks");
	}
	sqlite3_reset(st);
	return rc;
}

int antt_store_add_refusal(antt_store_t *s, const uint8_t author[ANTT_KEY_BYTES], uint64_t seq,
                           const uint8_t id[ANTT_ID_BYTES], int code, const char *reason,
                           int64_t at, char *err)
{
	sqlite3_stmt *st = s->st[S_REFUSAL_ADD];
	int rc = ANTT_OK;
	sqlite3_bind_blob(st, 1, author, ANTT_KEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	sqlite3_bind_blob(st, 3, id, ANTT_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, code);
	sqlite3_bind_text(st, 5, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, at);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = antt_store_dberr(s, err, "recording a refusal");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

int antt_store_set_receipt(antt_store_t *s, int level, const uint8_t author[ANTT_KEY_BYTES],
                           uint64_t seq, int64_t at, char *err)
{
	sqlite3_stmt *st = s->st[S_RECEIPT_SET];
	int rc = ANTT_OK;
	sqlite3_bind_int(st, 1, level);
	sqlite3_bind_blob(st, 2, author, ANTT_KEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)seq);
	sqlite3_bind_int64(st, 4, at);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = antt_store_dberr(s, err, "recording a receipt");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

int antt_store_child_by_curve(antt_store_t *s, const uint8_t *by, const uint8_t curve[32],
                              uint8_t key[ANTT_KEY_BYTES], char *err)
{
	sqlite3_stmt *st = s->st[by ? S_BY_CURVE : S_ANY_BY_CURVE];
	sqlite3_bind_blob(st, 1, curve, 32, SQLITE_STATIC);
	if (by)
		sqlite3_bind_blob(st, 2, by, ANTT_KEY_BYTES, SQLITE_STATIC);
	return s_find_blob(s, st, key, ANTT_KEY_BYTES, "reading enrollments", err);
}

int antt_store_receipt(antt_store_t *s, int level, const uint8_t author[ANTT_KEY_BYTES],
                       uint64_t *seq, char *err)
{
	sqlite3_stmt *st = s->st[S_RECEIPT_GET];
	int rc = ANTT_OK;
	*seq = 0;
	sqlite3_bind_int(st, 1, level);
	sqlite3_bind_blob(st, 2, author, ANTT_KEY_BYTES, SQLITE_STATIC);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*seq = (uint64_t)sqlite3_column_int64(st, 0);
	else if (r != SQLITE_DONE)
		rc = antt_store_dberr(s, err, "reading receipts");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

int antt_store_receipts_each(antt_store_t *s, const uint8_t author[ANTT_KEY_BYTES],
                             antt_store_receipt_fn cb, void *arg, char *err)
{
	static const char *sql =
	    "SELECT level, seq, at FROM receipts WHERE author = ?1 ORDER BY level";
	sqlite3_stmt *st;
	int r, rc = ANTT_OK;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, "reading receipts");
	sqlite3_bind_blob(st, 1, author, ANTT_KEY_BYTES, SQLITE_STATIC);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		antt_store_receipt_t rec = {(int)sqlite3_column_int64(st, 0),
		                            (uint64_t)sqlite3_column_int64(st, 1),
		                            sqlite3_column_int64(st, 2)};
		if (cb(&rec, arg))
			break;
	}
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		rc = antt_store_dberr(s, err, "reading receipts");
	sqlite3_finalize(st);
	return rc;
}

int antt_store_children_each(antt_store_t *s, const uint8_t by[ANTT_KEY_BYTES],
                             antt_store_child_fn cb, void *arg, char *err)
{
	static const char *sql =
	    "SELECT e.key, e.unit, (SELECT count(*) FROM records r WHERE r.author = "
	    "e.key), (SELECT seq FROM heads h WHERE h.author = e.key), "
	    "(SELECT n FROM fork_counts f WHERE f.author = e.key), "
	    "(SELECT min(after) + 1 FROM untrusted u WHERE u.key = e.key), e.kind "
	    "FROM enrollments e WHERE e.by = ?1 AND e.bad IS NULL ORDER BY e.unit";
	sqlite3_stmt *st;
	int r, rc = ANTT_OK;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, "reading enrollments");
	sqlite3_bind_blob(st, 1, by, ANTT_KEY_BYTES, SQLITE_STATIC);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		antt_store_child_t c = {0};
		if (sqlite3_column_bytes(st, 0) == ANTT_KEY_BYTES)
			memcpy(c.key, sqlite3_column_blob(st, 0), ANTT_KEY_BYTES);
		c.unit = (const char *)sqlite3_column_text(st, 1);
		c.records = sqlite3_column_int64(st, 2);
		c.head = (uint64_t)sqlite3_column_int64(st, 3);
		c.forks = sqlite3_column_int64(st, 4);
		c.quarantined_from = (uint64_t)sqlite3_column_int64(st, 5); /* NULL: 0 */
		c.grant = (uint32_t)sqlite3_column_int(st, 6);
		if (cb(&c, arg))
			break;
	}
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		rc = antt_store_dberr(s, err, "reading enrollments");
	sqlite3_finalize(st);
	return rc;
}

int antt_store_enrolled_under(antt_store_t *s, const uint8_t key[ANTT_KEY_BYTES],
                              const uint8_t hub[ANTT_KEY_BYTES])
{
	uint8_t k[ANTT_KEY_BYTES], by[ANTT_KEY_BYTES];
	char unit[ANTT_UNIT_MAX + 1];
	memcpy(k, key, ANTT_KEY_BYTES);
	for (int depth = 0; depth < 16; depth++) {
		if (antt_store_enrolled(s, k, unit, by, NULL) != ANTT_OK)
			return 0;
		if (!memcmp(by, hub, ANTT_KEY_BYTES))
			return 1;
		memcpy(k, by, ANTT_KEY_BYTES);
	}
	return 0;
}

/* Each record of author after seq after: signed after its key was
 * revoked, a problem. */
static int s_trust_revoked_rows(antt_store_t *s, const uint8_t author[ANTT_KEY_BYTES],
                                int64_t after, antt_store_problem_fn problem, void *arg, char *err)
{
	static const char *sql = "SELECT id, seq FROM records WHERE author = ?1 AND seq > ?2";
	sqlite3_stmt *st;
	char what[256];
	int r;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, "verifying the chain of trust");
	sqlite3_bind_blob(st, 1, author, ANTT_KEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, after);
	snprintf(what, sizeof what,
	         "signed after its key was revoked after seq %lld: held, never counted [I8]",
	         (long long)after);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		uint8_t id[ANTT_ID_BYTES] = {0};
		if (sqlite3_column_bytes(st, 0) == ANTT_ID_BYTES)
			memcpy(id, sqlite3_column_blob(st, 0), ANTT_ID_BYTES);
		problem(id, author, sqlite3_column_int64(st, 1), what, arg);
	}
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? ANTT_OK
	                        : antt_store_dberr(s, err, "verifying the chain of trust");
}

int antt_store_verify_trust(antt_store_t *s, const uint8_t self[ANTT_KEY_BYTES],
                            antt_store_problem_fn problem, void *arg, char *err)
{
	antt_author_head_t *heads = NULL;
	size_t n = 0;
	int rc = antt_store_heads(s, &heads, &n, err);
	for (size_t i = 0; i < n && !rc; i++) {
		const uint8_t *a = heads[i].author;
		char unit[ANTT_UNIT_MAX + 1];
		uint8_t by[ANTT_KEY_BYTES];
		uint64_t after = 0;
		if (!memcmp(a, self, ANTT_KEY_BYTES))
			continue;
		if (!antt_store_enrolled_under(s, a, self) ||
		    antt_store_enrolled(s, a, unit, by, NULL) != ANTT_OK) {
			problem(
			    heads[i].head.id, a, (int64_t)heads[i].head.seq,
			    "its author's key is not enrolled by a chain of enrollments ending at "
			    "this node [I8]",
			    arg);
			continue;
		}
		/* the unit of each record: T5, judged by antt_store_trust_recheck */
		if (antt_store_revoked(s, a, &after, err) == ANTT_OK)
			rc = s_trust_revoked_rows(s, a, (int64_t)after, problem, arg, err);
	}
	free(heads);
	return rc;
}

int antt_store_credential(antt_store_t *s, const uint8_t key[ANTT_KEY_BYTES],
                          const uint8_t by[ANTT_KEY_BYTES], uint8_t **env, size_t *len, char *err)
{
	static const char *sql =
	    "SELECT r.body, r.sig FROM enrollments e JOIN records r "
	    "ON r.id = e.record WHERE e.key = ?1 AND e.by = ?2 AND e.bad IS NULL "
	    "LIMIT 1";
	sqlite3_stmt *st;
	int rc = ANTT_E_NOTFOUND;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, "reading an enrollment");
	sqlite3_bind_blob(st, 1, key, ANTT_KEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, by, ANTT_KEY_BYTES, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 1) == ANTT_SIG_BYTES) {
		antt_envelope_encode(sqlite3_column_blob(st, 0),
		                     (size_t)sqlite3_column_bytes(st, 0),
		                     sqlite3_column_blob(st, 1), env, len);
		rc = ANTT_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

int antt_store_meta_get(antt_store_t *s, const char *name, uint8_t **blob, size_t *len)
{
	sqlite3_stmt *st;
	int rc = ANTT_E_NOTFOUND;
	if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = ?1", -1, &st, NULL) !=
	    SQLITE_OK)
		return ANTT_E_STORE;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*len = (size_t)sqlite3_column_bytes(st, 0);
		*blob = antt_xmalloc(*len ? *len : 1);
		memcpy(*blob, sqlite3_column_blob(st, 0), *len);
		rc = ANTT_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

int antt_store_meta_set(antt_store_t *s, const char *name, const uint8_t *blob, size_t len,
                        char *err)
{
	sqlite3_stmt *st;
	int rc = ANTT_OK;
	if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)", -1,
	                       &st, NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, "writing meta");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, blob, (int)len, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = antt_store_dberr(s, err, "writing meta");
	sqlite3_finalize(st);
	return rc;
}

int antt_store_meta_del(antt_store_t *s, const char *name, char *err)
{
	sqlite3_stmt *st;
	int rc = ANTT_OK;
	if (sqlite3_prepare_v2(s->db, "DELETE FROM meta WHERE key = ?1", -1, &st, NULL) !=
	    SQLITE_OK)
		return antt_store_dberr(s, err, "writing meta");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = antt_store_dberr(s, err, "writing meta");
	sqlite3_finalize(st);
	return rc;
}

int antt_store_fsync_dir(const char *path, char *err)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return antt_errf(err, ANTT_E_IO, "cannot sync directory %s: %s", dir, strerror(e));
	}
	close(fd);
	return ANTT_OK;
}

/* The copy: SQLite's online backup from a read transaction of the live
 * store (one snapshot: a writer may go on meanwhile), into a new 0600 file
 * that is then made a self-contained rollback-journal database carrying the
 * ANTT_META_FROM_BACKUP mark, and synced with its directory. */
int antt_store_backup(const char *path, const char *out, const uint8_t self[ANTT_KEY_BYTES],
                      antt_backup_info_t *info, char *err)
{
	sqlite3 *src = NULL, *dst = NULL;
	sqlite3_backup *bk = NULL;
	sqlite3_stmt *st = NULL;
	int rc = ANTT_OK, made = 0;
	memset(info, 0, sizeof *info);
	int fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		return antt_errf(err, errno == EEXIST ? ANTT_E_EXISTS : ANTT_E_IO,
		                 "cannot create %s: %s%s", out, strerror(errno),
		                 errno == EEXIST ? " (a backup never overwrites a file: give a new "
		                                   "name)"
		                                 : "");
	}
	close(fd);
	made = 1;
	if (sqlite3_open_v2(path, &src, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
	        SQLITE_OK ||
	    sqlite3_open_v2(out, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	        SQLITE_OK) {
		rc = antt_errf(err, ANTT_E_IO, "backup: cannot open %s: %s", dst ? path : out,
		               sqlite3_errmsg(dst ? src : dst));
		goto out;
	}
	sqlite3_busy_timeout(src, 5000);
	if (!(bk = sqlite3_backup_init(dst, "main", src, "main"))) {
		rc = antt_errf(err, ANTT_E_IO, "backup: %s", sqlite3_errmsg(dst));
		goto out;
	}
	int r = sqlite3_backup_step(bk, -1); /* all pages, one snapshot */
	sqlite3_backup_finish(bk);
	if (r != SQLITE_DONE) {
		rc = antt_errf(err, r == SQLITE_FULL ? ANTT_E_IO : ANTT_E_STORE,
		               "backup of %s into %s failed: %s", path, out, sqlite3_errstr(r));
		goto out;
	}
	/* the copy: one file, marked, and what it holds */
	char *e = NULL;
	if (sqlite3_exec(dst,
	                 "PRAGMA journal_mode = DELETE; "
	                 "INSERT OR REPLACE INTO meta(key, value) VALUES('" ANTT_META_FROM_BACKUP
	                 "', x'01')",
	                 NULL, NULL, &e) != SQLITE_OK) {
		rc = antt_errf(err, ANTT_E_STORE, "backup: marking the copy: %s", e ? e : "?");
		sqlite3_free(e);
		goto out;
	}
	if (sqlite3_prepare_v2(dst,
	                       "SELECT (SELECT count(*) FROM records), (SELECT max(seq) FROM "
	                       "records WHERE author = ?1)",
	                       -1, &st, NULL) != SQLITE_OK ||
	    (sqlite3_bind_blob(st, 1, self, ANTT_KEY_BYTES, SQLITE_STATIC),
	     sqlite3_step(st) != SQLITE_ROW)) {
		rc = antt_errf(err, ANTT_E_STORE, "backup: reading the copy: %s",
		               sqlite3_errmsg(dst));
		goto out;
	}
	info->records = sqlite3_column_int64(st, 0);
	info->head = (uint64_t)sqlite3_column_int64(st, 1);
out:
	sqlite3_finalize(st);
	sqlite3_close(dst);
	sqlite3_close(src);
	if (!rc) {
		struct stat sb;
		if ((fd = open(out, O_RDONLY | O_CLOEXEC)) < 0 || fsync(fd) < 0 ||
		    fstat(fd, &sb) < 0)
			rc = antt_errf(err, ANTT_E_IO, "backup: syncing %s: %s", out,
			               strerror(errno));
		else
			info->bytes = (int64_t)sb.st_size;
		if (fd >= 0)
			close(fd);
		if (!rc)
			rc = antt_store_fsync_dir(out, err);
	}
	if (rc && made) {
		unlink(out);
		char j[4096];
		snprintf(j, sizeof j, "%s-journal", out);
		unlink(j);
	}
	return rc;
}
