/* store_index.c - the decoded tables over the signed records (schema 4):
 * invariant I7 of store.c.
 *
 * The signed envelopes in records stay the source of truth; these tables
 * are derived from them in the same transaction as each append, so that
 * reports are queries, and can be rebuilt from the records at any time
 * (antt rebuild; antt verify compares them).
 *
 *   vals(n, code, value)   every indicator value of every report record
 *                          (n: records.n)
 *   reports(unit, form, period, root, n, versions, day0, day1)
 *                          one row per report: for a periodic form, the
 *                          unit's report of the period; for an event form,
 *                          each entry.  root: records.n of its first version;
 *                          n: the version that counts, NULL in a conflict;
 *                          day0..day1: the period's days (yyyymmdd).
 *
 * Which version counts.  The versions of a report form a tree through
 * corrects (a correction names the record it corrects):
 *
 *   original ──corrected by──► v2 ──corrected by──► v3     the last counts
 *
 * A report is in conflict, and no version of it counts, when that tree is
 * not a chain: two originals of one periodic report (two keys of one unit,
 * or a store restored and reported again), two corrections of one version,
 * or a correction of a record that is not held.  The conflict is listed by
 * antt report and antt history; the signed versions all stay.  The state of
 * a report is a function of the set of its versions, never of the order in
 * which they arrived, so every hub reaches the same state. */
#define _GNU_SOURCE
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "period.h"
#include "store_int.h"

/* A record of a revoked key after the seq of its revocation (one that
 * holds), of an untrusted key after the seq it is untrusted from, or that
 * its key may not sign for its period (not_permitted, T5 of
 * store_trust.c), is no version of anything: it is held (signed, in its
 * chain) but never counted. */
#define S_NOT_REVOKED                                                                              \
	"AND NOT EXISTS(SELECT 1 FROM revocations v WHERE v.key = records.author AND "             \
	"records.seq > v.after AND v.bad IS NULL) AND NOT EXISTS(SELECT 1 FROM untrusted u "       \
	"WHERE u.key = records.author AND records.seq > u.after) AND NOT EXISTS(SELECT 1 FROM "    \
	"not_permitted p WHERE p.n = records.n)"

static const char *s_ix_sql[IX_COUNT_] = {
    [IX_VERSIONS] = "SELECT n, id, corrects FROM records WHERE unit = ?1 AND form = ?2 "
                    "AND period = ?3 " S_NOT_REVOKED " ORDER BY n",
    [IX_VAL_ADD] = "INSERT OR REPLACE INTO vals(n, code, value) VALUES(?1,?2,?3)",
    [IX_REPORTS_DEL] = "DELETE FROM reports WHERE unit = ?1 AND form = ?2 AND period = ?3",
    [IX_REPORT_ADD] = "INSERT INTO reports(unit, form, period, root, n, versions, day0, day1) "
                      "VALUES(?1,?2,?3,?4,?5,?6,?7,?8)",
    [IX_VALS_OF] = "SELECT code, value FROM vals WHERE n = ?1 ORDER BY code",
    [IX_BY_ID] = "SELECT n, corrects, unit, form, period FROM records WHERE id = ?1 " S_NOT_REVOKED,
    [IX_CORRECTIONS] =
        "SELECT n, id, unit, form, period FROM records WHERE corrects = ?1 " S_NOT_REVOKED,
    [IX_REPORT_DEL] = "DELETE FROM reports WHERE unit = ?1 AND form = ?2 AND period = ?3 "
                      "AND root = ?4",
};

static sqlite3_stmt *s_ix(antt_store_t *s, int which, char *err)
{
	return antt_store_prepared(s, &s->ix[which], s_ix_sql[which], err);
}

void antt_store_index_close(antt_store_t *s)
{
	for (int i = 0; i < IX_COUNT_; i++)
		sqlite3_finalize(s->ix[i]);
	memset(s->ix, 0, sizeof s->ix);
}

static int s_is_report(const char *form)
{
	return strncmp(form, ANTT_FORM_RESERVED, strlen(ANTT_FORM_RESERVED)) != 0;
}

/* ---- which version counts ---- */

typedef struct {
	int64_t n;
	uint8_t id[ANTT_ID_BYTES];
	int has_corrects;
	uint8_t corrects[ANTT_ID_BYTES];
	long parent;  /* index of the version it corrects; -1: an original; -2: not held */
	long group;   /* index of its root */
	int children; /* corrections of it */
} s_ver_t;

/* One report as it should be in the reports table. */
typedef struct {
	int64_t root, n; /* n 0: conflict */
	int versions;
} s_group_t;

/* The versions of (unit, form, period), each with its parent. */
static int s_versions(antt_store_t *s, const char *unit, const char *form, const char *period,
                      s_ver_t **out, size_t *n_out, char *err)
{
	sqlite3_stmt *st = s_ix(s, IX_VERSIONS, err);
	if (!st)
		return ANTT_E_STORE;
	size_t n = 0, cap = 4;
	s_ver_t *v = antt_xcalloc(cap, sizeof *v);
	int r;
	sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, form, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, period, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap)
			v = antt_xrealloc(v, (cap *= 2) * sizeof *v);
		s_ver_t *x = &v[n++];
		memset(x, 0, sizeof *x);
		x->n = sqlite3_column_int64(st, 0);
		if (sqlite3_column_bytes(st, 1) == ANTT_ID_BYTES)
			memcpy(x->id, sqlite3_column_blob(st, 1), ANTT_ID_BYTES);
		x->has_corrects = sqlite3_column_bytes(st, 2) == ANTT_ID_BYTES;
		if (x->has_corrects)
			memcpy(x->corrects, sqlite3_column_blob(st, 2), ANTT_ID_BYTES);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (r != SQLITE_DONE) {
		free(v);
		return antt_store_dberr(s, err, "reading a report's versions");
	}
	/* versions of one report are few: quadratic is fine */
	for (size_t i = 0; i < n; i++) {
		v[i].parent = v[i].has_corrects ? -2 : -1;
		for (size_t j = 0; j < n && v[i].has_corrects; j++)
			if (!memcmp(v[j].id, v[i].corrects, ANTT_ID_BYTES)) {
				v[i].parent = (long)j;
				v[j].children++;
				break;
			}
	}
	*out = v;
	*n_out = n;
	return ANTT_OK;
}

/* Group the versions into reports: one for a periodic form, one per
 * original entry for an event form.  groups has room for n. */
static size_t s_group(s_ver_t *v, size_t n, int periodic, s_group_t *groups)
{
	size_t ng = 0;
	for (size_t i = 0; i < n; i++) {
		long g = (long)i;
		for (size_t hops = 0; v[g].parent >= 0 && hops <= n; hops++)
			g = v[g].parent;
		v[i].group = periodic ? 0 : g;
	}
	for (size_t i = 0; i < n; i++) {
		if (v[i].group != (long)i && !(periodic && i == 0))
			continue;
		/* a report: its root is its first version held (lowest n) */
		s_group_t *gr = &groups[ng++];
		long gid = v[i].group;
		int roots = 0, forks = 0, orphans = 0;
		int64_t leaf = 0;
		gr->root = 0;
		gr->versions = 0;
		for (size_t j = 0; j < n; j++) {
			if (v[j].group != gid)
				continue;
			gr->versions++;
			if (!gr->root)
				gr->root = v[j].n;
			roots += v[j].parent == -1;
			orphans += v[j].parent == -2;
			forks += v[j].children > 1;
			if (v[j].children == 0)
				leaf = v[j].n;
		}
		gr->n = roots == 1 && !orphans && !forks ? leaf : 0;
	}
	assert(ng <= n); /* groups has room for n */
	return ng;
}

static int s_is_periodic(const char *form, const antt_body_t *b)
{
	/* The store knows no forms: a form is periodic unless its period is a
	 * day.  (Event forms are by day; a periodic form by day would make each
	 * day's report one report, which is what periodic means.) */
	(void)form;
	return antt_period_classify(b->period) != ANTT_PERIOD_DAY;
}

/* One row of reports (n 0: a conflict, NULL). */
static int s_report_add(antt_store_t *s, sqlite3_stmt *add, const char *unit, const char *form,
                        const char *period, int64_t root, int64_t n, int versions, int day0,
                        int day1, char *err)
{
	int rc = ANTT_OK;
	sqlite3_bind_text(add, 1, unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(add, 2, form, -1, SQLITE_STATIC);
	sqlite3_bind_text(add, 3, period, -1, SQLITE_STATIC);
	sqlite3_bind_int64(add, 4, root);
	if (n)
		sqlite3_bind_int64(add, 5, n);
	sqlite3_bind_int(add, 6, versions);
	sqlite3_bind_int(add, 7, day0);
	sqlite3_bind_int(add, 8, day1);
	if (sqlite3_step(add) != SQLITE_DONE)
		rc = antt_store_dberr(s, err, "updating a report");
	sqlite3_reset(add);
	sqlite3_clear_bindings(add);
	return rc;
}

static int s_regroup(antt_store_t *s, const char *unit, const char *form, const char *period,
                     int periodic, char *err)
{
	s_ver_t *v = NULL;
	size_t n = 0;
	int rc = s_versions(s, unit, form, period, &v, &n, err);
	if (rc)
		return rc;
	s_group_t *g = antt_xcalloc(n ? n : 1, sizeof *g);
	size_t ng = s_group(v, n, periodic, g);
	int day0 = 0, day1 = 0;
	antt_period_days(period, &day0, &day1);
	sqlite3_stmt *del = s_ix(s, IX_REPORTS_DEL, err), *add = s_ix(s, IX_REPORT_ADD, err);
	if (!del || !add)
		rc = ANTT_E_STORE;
	if (!rc) {
		sqlite3_bind_text(del, 1, unit, -1, SQLITE_STATIC);
		sqlite3_bind_text(del, 2, form, -1, SQLITE_STATIC);
		sqlite3_bind_text(del, 3, period, -1, SQLITE_STATIC);
		if (sqlite3_step(del) != SQLITE_DONE)
			rc = antt_store_dberr(s, err, "updating a report");
		sqlite3_reset(del);
		sqlite3_clear_bindings(del);
	}
	for (size_t i = 0; i < ng && !rc; i++) {
		rc = s_report_add(s, add, unit, form, period, g[i].root, g[i].n, g[i].versions,
		                  day0, day1, err);
	}
	free(g);
	free(v);
	return rc;
}

static int s_same_report(sqlite3_stmt *st, int col, const antt_body_t *b)
{
	const char *u = (const char *)sqlite3_column_text(st, col);
	const char *f = (const char *)sqlite3_column_text(st, col + 1);
	const char *p = (const char *)sqlite3_column_text(st, col + 2);
	return u && f && p && !strcmp(u, b->unit) && !strcmp(f, b->form) && !strcmp(p, b->period);
}

/* An event entry: only the versions of its own entry are looked at (a day
 * may hold thousands of entries of one unit).  Up from the new record
 * through corrects to its original (or to a correction of a record not
 * held), then down through every correction of each version. */
static int s_regroup_event(antt_store_t *s, int64_t n, const uint8_t id[ANTT_ID_BYTES],
                           const antt_body_t *b, char *err)
{
	sqlite3_stmt *by_id = s_ix(s, IX_BY_ID, err), *down = s_ix(s, IX_CORRECTIONS, err);
	sqlite3_stmt *del = s_ix(s, IX_REPORT_DEL, err), *add = s_ix(s, IX_REPORT_ADD, err);
	if (!by_id || !down || !del || !add)
		return ANTT_E_STORE;
	int rc = ANTT_OK, orphan = 0;
	int64_t root = n;
	uint8_t up[ANTT_ID_BYTES], root_id[ANTT_ID_BYTES];
	memcpy(root_id, id, ANTT_ID_BYTES);
	int has_up = b->has_corrects;
	if (has_up)
		memcpy(up, b->corrects, ANTT_ID_BYTES);
	for (int hops = 0; has_up && hops < 100000; hops++) {
		sqlite3_bind_blob(by_id, 1, up, ANTT_ID_BYTES, SQLITE_STATIC);
		int r = sqlite3_step(by_id);
		if (r == SQLITE_ROW && s_same_report(by_id, 2, b)) {
			root = sqlite3_column_int64(by_id, 0);
			memcpy(root_id, up, ANTT_ID_BYTES);
			has_up = sqlite3_column_bytes(by_id, 1) == ANTT_ID_BYTES;
			if (has_up)
				memcpy(up, sqlite3_column_blob(by_id, 1), ANTT_ID_BYTES);
		} else {
			orphan = 1; /* corrects a record not held (or of another report) */
			has_up = 0;
			if (r != SQLITE_ROW && r != SQLITE_DONE)
				rc = antt_store_dberr(s, err, "reading a report's versions");
		}
		sqlite3_reset(by_id);
		sqlite3_clear_bindings(by_id);
	}
	/* down: breadth first over the versions of this entry */
	size_t nv = 1, cap = 8, forks = 0;
	uint8_t(*ids)[ANTT_ID_BYTES] = antt_xmalloc(cap * ANTT_ID_BYTES);
	int64_t *ns = antt_xmalloc(cap * sizeof *ns), leaf = root;
	memcpy(ids[0], root_id, ANTT_ID_BYTES);
	ns[0] = root;
	for (size_t i = 0; i < nv && !rc; i++) {
		size_t children = 0;
		uint8_t this_id[ANTT_ID_BYTES]; /* ids moves as it grows */
		memcpy(this_id, ids[i], ANTT_ID_BYTES);
		sqlite3_bind_blob(down, 1, this_id, ANTT_ID_BYTES, SQLITE_STATIC);
		while (sqlite3_step(down) == SQLITE_ROW) {
			if (!s_same_report(down, 2, b) ||
			    sqlite3_column_bytes(down, 1) != ANTT_ID_BYTES)
				continue;
			if (nv == cap) {
				cap *= 2;
				ids = antt_xrealloc(ids, cap * ANTT_ID_BYTES);
				ns = antt_xrealloc(ns, cap * sizeof *ns);
			}
			memcpy(ids[nv], sqlite3_column_blob(down, 1), ANTT_ID_BYTES);
			ns[nv++] = sqlite3_column_int64(down, 0);
			children++;
		}
		sqlite3_reset(down);
		sqlite3_clear_bindings(down);
		forks += children > 1;
		if (!children)
			leaf = ns[i];
	}
	int64_t first = ns[0];
	for (size_t i = 1; i < nv; i++)
		if (ns[i] < first)
			first = ns[i];
	free(ids);
	free(ns);
	if (rc)
		return rc;
	int day0 = 0, day1 = 0;
	antt_period_days(b->period, &day0, &day1);
	/* the entry's row is keyed by its first version; a new correction
	 * changes it (a new entry alone has none yet) */
	if (nv > 1 || b->has_corrects) {
		sqlite3_bind_text(del, 1, b->unit, -1, SQLITE_STATIC);
		sqlite3_bind_text(del, 2, b->form, -1, SQLITE_STATIC);
		sqlite3_bind_text(del, 3, b->period, -1, SQLITE_STATIC);
		sqlite3_bind_int64(del, 4, first);
		if (sqlite3_step(del) != SQLITE_DONE)
			rc = antt_store_dberr(s, err, "updating a report");
		sqlite3_reset(del);
		sqlite3_clear_bindings(del);
	}
	if (!rc) {
		rc = s_report_add(s, add, b->unit, b->form, b->period, first,
		                  !orphan && !forks ? leaf : 0, (int)nv, day0, day1, err);
	}
	return rc;
}

int antt_store_index_record(antt_store_t *s, int64_t n, const uint8_t id[ANTT_ID_BYTES],
                            const antt_body_t *b, char *err)
{
	if (b->has_enroll || !b->form || !s_is_report(b->form))
		return ANTT_OK;
	sqlite3_stmt *st = s_ix(s, IX_VAL_ADD, err);
	if (!st)
		return ANTT_E_STORE;
	int rc = ANTT_OK;
	for (size_t i = 0; i < b->n_values && !rc; i++) {
		sqlite3_bind_int64(st, 1, n);
		sqlite3_bind_text(st, 2, b->values[i].code, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)b->values[i].value);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = antt_store_dberr(s, err, "storing a report's values");
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
	if (rc)
		return rc;
	if (s_is_periodic(b->form, b))
		return s_regroup(s, b->unit, b->form, b->period, 1, err);
	return s_regroup_event(s, n, id, b, err);
}

int antt_store_index_not_permitted(antt_store_t *s, const uint8_t id[ANTT_ID_BYTES],
                                   const antt_body_t *b, const char *why, char *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db,
	                       "INSERT OR REPLACE INTO not_permitted(n, why) SELECT n, ?2 FROM "
	                       "records WHERE id = ?1",
	                       -1, &st, NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, "keeping a record not permitted");
	sqlite3_bind_blob(st, 1, id, ANTT_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, why, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE
	             ? ANTT_OK
	             : antt_store_dberr(s, err, "keeping a record not permitted");
	sqlite3_finalize(st);
	if (rc || !b->form || !s_is_report(b->form))
		return rc;
	/* its report again, without it */
	return s_regroup(s, b->unit, b->form, b->period,
	                 antt_period_classify(b->period) != ANTT_PERIOD_DAY, err);
}

int antt_store_index_revoked(antt_store_t *s, const uint8_t key[ANTT_KEY_BYTES], uint64_t after,
                             char *err)
{
	static const char *sql =
	    "SELECT DISTINCT unit, form, period FROM records WHERE author = ?1 "
	    "AND seq > ?2 AND form NOT LIKE 'antt.%'";
	sqlite3_stmt *st;
	int rc = ANTT_OK, r;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, "applying a revocation");
	sqlite3_bind_blob(st, 1, key, ANTT_KEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)after);
	while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *unit = (const char *)sqlite3_column_text(st, 0);
		const char *form = (const char *)sqlite3_column_text(st, 1);
		const char *period = (const char *)sqlite3_column_text(st, 2);
		if (unit && form && period)
			rc = s_regroup(s, unit, form, period,
			               antt_period_classify(period) != ANTT_PERIOD_DAY, err);
	}
	if (!rc && r != SQLITE_DONE)
		rc = antt_store_dberr(s, err, "applying a revocation");
	sqlite3_finalize(st);
	return rc;
}

int antt_store_reindex(antt_store_t *s, int64_t *records, char *err)
{
	static const char *sql = "SELECT n, body, id FROM records ORDER BY n";
	int rc = antt_store_txn_check(s, err), r;
	if (rc)
		return rc;
	sqlite3_stmt *st;
	char *msg = NULL;
	*records = 0;
	if (sqlite3_exec(s->db, "DELETE FROM vals; DELETE FROM reports", NULL, NULL, &msg) !=
	    SQLITE_OK) {
		rc = antt_errf(err, ANTT_E_STORE, "store %s: emptying the decoded tables: %s",
		               s->path, msg ? msg : "error");
		sqlite3_free(msg);
		return rc;
	}
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, "rebuilding the decoded tables");
	int64_t skipped = 0;
	while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW) {
		antt_body_t b;
		char derr[ANTT_ERR_MAX];
		if (antt_body_decode(sqlite3_column_blob(st, 1),
		                     (size_t)sqlite3_column_bytes(st, 1), &b, derr)) {
			/* damaged, or taken by an older anttd under looser rules (a
			 * period the calendar lacks): no version of any report;
			 * antt verify names it */
			if (skipped++ < 10)
				antt_log(
				    ANTT_LOG_WARN,
				    "store %s: record %lld does not decode (%s): not counted; antt "
				    "verify names it",
				    s->path, (long long)sqlite3_column_int64(st, 0), derr);
			continue;
		}
		if (sqlite3_column_bytes(st, 2) != ANTT_ID_BYTES)
			rc = antt_errf(err, ANTT_E_CORRUPT,
			               "store %s: record %lld has a damaged id: run antt verify",
			               s->path, (long long)sqlite3_column_int64(st, 0));
		else
			rc = antt_store_index_record(s, sqlite3_column_int64(st, 0),
			                             sqlite3_column_blob(st, 2), &b, err);
		antt_body_clear(&b);
		if (++*records % 4096 == 0 && s->progress)
			s->progress(s->progress_arg); /* a province's rebuild is long */
	}
	if (!rc && r != SQLITE_DONE)
		rc = antt_store_dberr(s, err, "rebuilding the decoded tables");
	sqlite3_finalize(st);
	if (skipped > 10)
		antt_log(ANTT_LOG_WARN, "store %s: %lld records in all do not decode: not counted",
		         s->path, (long long)skipped);
	return rc;
}

/* ---- verify ---- */

static void s_problem_n(antt_store_t *s, int64_t n, const char *what, antt_store_problem_fn problem,
                        void *arg)
{
	uint8_t id[ANTT_ID_BYTES] = {0}, author[ANTT_KEY_BYTES] = {0};
	int64_t seq = 0;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "SELECT id, author, seq FROM records WHERE n = ?1", -1, &st,
	                       NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, n);
		if (sqlite3_step(st) == SQLITE_ROW &&
		    sqlite3_column_bytes(st, 0) == ANTT_ID_BYTES &&
		    sqlite3_column_bytes(st, 1) == ANTT_KEY_BYTES) {
			memcpy(id, sqlite3_column_blob(st, 0), ANTT_ID_BYTES);
			memcpy(author, sqlite3_column_blob(st, 1), ANTT_KEY_BYTES);
			seq = sqlite3_column_int64(st, 2);
		}
		sqlite3_finalize(st);
	}
	problem(id, author, seq, what, arg);
}

#define S_REPORT_BAD                                                                               \
	"the report this record starts disagrees with its versions: run antt rebuild [I7]"

/* Every report record's values as in vals, nothing else in vals; every
 * report as s_group says, nothing else in reports. */
int antt_store_verify_index(antt_store_t *s, antt_store_problem_fn problem, void *arg,
                            const volatile int *stop, char *err)
{
	static const char *recs_sql = "SELECT n, body FROM records ORDER BY n";
	static const char *reps_sql =
	    "SELECT unit, form, period, root, n, versions, day0, day1 FROM reports "
	    "ORDER BY unit, form, period, root";
	static const char *count_sql =
	    "SELECT (SELECT count(*) FROM vals), "
	    "(SELECT count(*) FROM (SELECT DISTINCT unit, form, period FROM reports)), "
	    "(SELECT count(*) FROM (SELECT DISTINCT unit, form, period FROM records "
	    "WHERE form NOT LIKE 'antt.%' AND form != '' " S_NOT_REVOKED "))";
	sqlite3_stmt *st = NULL, *vals = s_ix(s, IX_VALS_OF, err);
	int rc = ANTT_OK, r;
	int64_t want_vals = 0;
	if (!vals)
		return ANTT_E_STORE;
	if (sqlite3_prepare_v2(s->db, recs_sql, -1, &st, NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, "verifying the decoded tables");
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (stop && *stop) {
			sqlite3_finalize(st);
			return antt_errf(err, ANTT_E_UNAVAIL, "verification interrupted");
		}
		antt_body_t b;
		char derr[ANTT_ERR_MAX];
		int64_t n = sqlite3_column_int64(st, 0);
		if (antt_body_decode(sqlite3_column_blob(st, 1),
		                     (size_t)sqlite3_column_bytes(st, 1), &b, derr))
			continue; /* named by the records' own check */
		if (!b.has_enroll && s_is_report(b.form)) {
			size_t i = 0;
			int ok = 1;
			sqlite3_bind_int64(vals, 1, n);
			while (sqlite3_step(vals) == SQLITE_ROW) {
				const char *code = (const char *)sqlite3_column_text(vals, 0);
				/* codes ascend in the body; vals is read in code order too */
				if (i >= b.n_values || !code || strcmp(code, b.values[i].code) ||
				    sqlite3_column_int64(vals, 1) !=
				        (sqlite3_int64)b.values[i].value)
					ok = 0;
				i++;
			}
			sqlite3_reset(vals);
			if (!ok || i != b.n_values)
				s_problem_n(
				    s, n,
				    "decoded values disagree with the signed body: run antt "
				    "rebuild [I7]",
				    problem, arg);
			want_vals += (int64_t)b.n_values;
		}
		antt_body_clear(&b);
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return antt_store_dberr(s, err, "verifying the decoded tables");

	/* each report row against a fresh grouping of its versions */
	if (sqlite3_prepare_v2(s->db, reps_sql, -1, &st, NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, "verifying the decoded tables");
	char last[3][128] = {"", "", ""};
	s_ver_t *v = NULL;
	s_group_t *g = NULL;
	size_t nv = 0, ng = 0, rows = 0;
	int64_t first_root = 0;
	while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *unit = (const char *)sqlite3_column_text(st, 0);
		const char *form = (const char *)sqlite3_column_text(st, 1);
		const char *period = (const char *)sqlite3_column_text(st, 2);
		if (!unit || !form || !period)
			continue;
		if (strcmp(unit, last[0]) || strcmp(form, last[1]) || strcmp(period, last[2])) {
			if (rows != ng)
				s_problem_n(s, first_root, S_REPORT_BAD, problem, arg);
			rows = 0;
			first_root = sqlite3_column_int64(st, 3);
			free(v);
			free(g);
			v = NULL, g = NULL;
			if ((rc = s_versions(s, unit, form, period, &v, &nv, err)))
				break;
			g = antt_xcalloc(nv ? nv : 1, sizeof *g);
			ng = s_group(v, nv, antt_period_classify(period) != ANTT_PERIOD_DAY, g);
			snprintf(last[0], sizeof last[0], "%s", unit);
			snprintf(last[1], sizeof last[1], "%s", form);
			snprintf(last[2], sizeof last[2], "%s", period);
		}
		int64_t root = sqlite3_column_int64(st, 3);
		rows++;
		int64_t cur =
		    sqlite3_column_type(st, 4) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 4);
		int day0 = 0, day1 = 0, found = 0;
		antt_period_days(period, &day0, &day1);
		for (size_t i = 0; i < ng; i++)
			if (g[i].root == root)
				found = g[i].n == cur &&
				        g[i].versions == sqlite3_column_int(st, 5) &&
				        sqlite3_column_int(st, 6) == day0 &&
				        sqlite3_column_int(st, 7) == day1;
		if (!found)
			s_problem_n(s, root, S_REPORT_BAD, problem, arg);
	}
	if (!rc && rows != ng)
		s_problem_n(s, first_root, S_REPORT_BAD, problem, arg);
	free(v);
	free(g);
	sqlite3_finalize(st);
	if (!rc && r != SQLITE_DONE)
		rc = antt_store_dberr(s, err, "verifying the decoded tables");
	if (rc)
		return rc;

	/* nothing more than the records give */
	if (sqlite3_prepare_v2(s->db, count_sql, -1, &st, NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, "verifying the decoded tables");
	if (sqlite3_step(st) == SQLITE_ROW) {
		uint8_t zero[ANTT_ID_BYTES] = {0};
		if (sqlite3_column_int64(st, 0) != want_vals)
			problem(
			    zero, zero, 0,
			    "the decoded values hold rows no record gives: run antt rebuild [I7]",
			    arg);
		if (sqlite3_column_int64(st, 1) != sqlite3_column_int64(st, 2))
			problem(zero, zero, 0,
			        "the decoded reports do not cover the same reports as the records: "
			        "run antt rebuild [I7]",
			        arg);
	}
	sqlite3_finalize(st);
	return ANTT_OK;
}

/* ---- the administrative tree ---- */

/* Authority reads every list loaded, not only the one in force today (I9):
 * an enrollment made under the list of its day stays what it was when a
 * newer list comes in force (a district of 2025-03 is above its communes
 * for good), and a list's first day changes no verdict overnight.  unit is
 * below above when some list holds both with above among unit's ancestors. */
static int s_unit_below(antt_store_t *s, const char *unit, const char *above, int strict)
{
	/* the lists: those unit_lists names, and "loaded" (rows made before
	 * lists had names) */
	static const char *sql =
	    "WITH l(name) AS (SELECT name FROM unit_lists UNION SELECT 'loaded') "
	    "SELECT EXISTS(SELECT 1 FROM units), "
	    "EXISTS(SELECT 1 FROM units WHERE list IN l AND code = ?2), "
	    "EXISTS(SELECT 1 FROM units u WHERE u.list IN l AND u.code = ?1 AND "
	    "(u.a1 = ?2 OR u.a2 = ?2 OR u.a3 = ?2) AND "
	    "EXISTS(SELECT 1 FROM units p WHERE p.list = u.list AND p.code = ?2)), "
	    "EXISTS(SELECT 1 FROM units WHERE list IN l AND code = ?1)";
	sqlite3_stmt *st;
	int r = 0;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, above, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		if (!sqlite3_column_int(st, 0))
			r = -1; /* no tree loaded: nothing to check against */
		else if (!sqlite3_column_int(st, 3))
			r = 0; /* not a unit of any list */
		else if (!sqlite3_column_int(st, 1))
			r = !strict; /* above is no unit of any list: the root, above
			              * all; strictly, above nothing */
		else
			r = strcmp(unit, above) != 0 && sqlite3_column_int(st, 2);
	}
	sqlite3_finalize(st);
	return r;
}

int antt_store_unit_below(antt_store_t *s, const char *unit, const char *above)
{
	return s_unit_below(s, unit, above, 0);
}

int antt_store_unit_within(antt_store_t *s, const char *unit, const char *above)
{
	return s_unit_below(s, unit, above, 1);
}

int antt_store_unit_known(antt_store_t *s, const char *unit)
{
	return s_unit_below(s, unit, "", 0); /* "" is no unit: 1 iff unit is */
}
