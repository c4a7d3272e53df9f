/* store_units.c - unit lists and the links between them (see store_units.h;
 * I9 of store.c says what holds and who reads them: the reports judge each
 * report by the list of its period; authority, T5 of store_trust.c).
 *
 * Every import parses the whole file first (units.c), then checks it against
 * the store and writes it in one transaction; the first problem found ends
 * it with nothing written.  Messages name the line, the unit or the list at
 * fault, and what to do. */
#define _GNU_SOURCE
#include "store_units.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "ctlproto.h"
#include "period.h"
#include "store_int.h"
#include "units.h"

/* A list as the store has it; day 0 for an open end. */
typedef struct {
	int found;
	int day_from, day_to;
} s_list_t;

static json_t *s_refused(const char *err)
{
	return antt_ctl_error(ANTT_CTL_DATA, err);
}

/* "2025-07-01" for 20250701, "open" for 0 */
static const char *s_day_str(int day, char out[16])
{
	if (!day)
		snprintf(out, 16, "open");
	else
		snprintf(out, 16, "%04d-%02d-%02d", day / 10000, day / 100 % 100, day % 100);
	return out;
}

static json_t *s_day_json(int day)
{
	char buf[16];
	return day ? json_string(s_day_str(day, buf)) : json_null();
}

/* Field key of req, a day YYYY-MM-DD, into *day (0 when absent).  0 or
 * ANTT_E_INVAL with err. */
static int s_day(const json_t *req, const char *key, const char *opt, int *day, char *err)
{
	json_t *v = json_object_get(req, key);
	*day = 0;
	if (!v || json_is_null(v))
		return ANTT_OK;
	const char *s = json_string_value(v);
	int last;
	if (!s || strlen(s) != 10 || antt_period_days(s, day, &last) || *day != last) {
		*day = 0;
		return antt_errf(err, ANTT_E_INVAL,
		                 "%s %.40s is not a date: write YYYY-MM-DD, a day that exists "
		                 "(e.g. 2025-07-01), years 2000 to 2099",
		                 opt, s ? s : "(not a string)");
	}
	return ANTT_OK;
}

/* The list called name, into *l. */
static int s_list_get(antt_store_t *s, const char *name, s_list_t *l, char *err)
{
	sqlite3_stmt *st;
	memset(l, 0, sizeof *l);
	if (sqlite3_prepare_v2(s->db,
	                       "SELECT coalesce(day_from, 0), coalesce(day_to, 0) FROM unit_lists "
	                       "WHERE name = ?1",
	                       -1, &st, NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, "reading the unit lists");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		l->found = 1;
		l->day_from = sqlite3_column_int(st, 0);
		l->day_to = sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return antt_store_dberr(s, err, "reading the unit lists");
	return ANTT_OK;
}

/* A dated list whose range meets from..to (to 0: open), other than name:
 * ANTT_E_INVAL naming it. */
static int s_overlap(antt_store_t *s, const char *name, int from, int to, char *err)
{
	sqlite3_stmt *st;
	int rc = ANTT_OK;
	if (sqlite3_prepare_v2(
	        s->db,
	        "SELECT name, coalesce(day_from, 0), coalesce(day_to, 0) "
	        "FROM unit_lists WHERE name != ?1 "
	        "AND (day_from IS NOT NULL OR day_to IS NOT NULL) "
	        "AND coalesce(day_from, 0) <= ?3 AND ?2 <= coalesce(day_to, 99999999) "
	        "ORDER BY day_from LIMIT 1",
	        -1, &st, NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, "reading the unit lists");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, from);
	sqlite3_bind_int(st, 3, to ? to : 99999999);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		char a[16], b[16];
		rc = antt_errf(err, ANTT_E_INVAL,
		               "list %s would be in force on days list %s already is (from %s to "
		               "%s): lists may not overlap; give list %s other dates (--from, "
		               "--to), or import %s again with dates that end before",
		               name, (const char *)sqlite3_column_text(st, 0),
		               s_day_str(sqlite3_column_int(st, 1), a),
		               s_day_str(sqlite3_column_int(st, 2), b), name,
		               (const char *)sqlite3_column_text(st, 0));
	} else if (r != SQLITE_DONE) {
		rc = antt_store_dberr(s, err, "reading the unit lists");
	}
	sqlite3_finalize(st);
	return rc;
}

static int s_exec(antt_store_t *s, const char *sql, const char *what, char *err)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, what);
	return ANTT_OK;
}

/* Write list name (the caller's transaction): its units replace those of
 * a list of that name, the links touching it are dropped (*dropped). */
static int s_list_write(antt_store_t *s, const char *name, int from, int to, const antt_units_t *u,
                        int64_t *dropped, char *err)
{
	static const char *what = "replacing the units";
	int rc = ANTT_OK;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, "DELETE FROM unit_links WHERE old_list = ?1 OR new_list = ?1",
	                       -1, &st, NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, what);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = antt_store_dberr(s, err, what);
	*dropped = sqlite3_changes(s->db);
	sqlite3_finalize(st);
	st = NULL;
	if (!rc && sqlite3_prepare_v2(s->db, "DELETE FROM units WHERE list = ?1", -1, &st, NULL) !=
	               SQLITE_OK)
		rc = antt_store_dberr(s, err, what);
	if (!rc) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = antt_store_dberr(s, err, what);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (!rc && sqlite3_prepare_v2(s->db,
	                              "INSERT INTO unit_lists(name, day_from, day_to, units, "
	                              "imported) VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(name) DO "
	                              "UPDATE SET day_from = excluded.day_from, day_to = "
	                              "excluded.day_to, units = excluded.units, imported = "
	                              "excluded.imported",
	                              -1, &st, NULL) != SQLITE_OK)
		rc = antt_store_dberr(s, err, what);
	if (!rc) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		if (from)
			sqlite3_bind_int(st, 2, from);
		if (to)
			sqlite3_bind_int(st, 3, to);
		sqlite3_bind_int64(st, 4, (int64_t)u->n);
		sqlite3_bind_int64(st, 5, (int64_t)time(NULL));
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = antt_store_dberr(s, err, what);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (!rc && sqlite3_prepare_v2(s->db,
	                              "INSERT INTO units(list, code, level, type, name, parent, "
	                              "depth, a1, a2, a3) VALUES(?10,?1,?2,?3,?4,?5,?6,?7,?8,?9)",
	                              -1, &st, NULL) != SQLITE_OK)
		rc = antt_store_dberr(s, err, what);
	for (size_t i = 0; i < u->n && !rc; i++) {
		const antt_unit_t *x = &u->v[i];
		sqlite3_bind_text(st, 1, x->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, x->level, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, x->type, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, x->name, -1, SQLITE_STATIC);
		if (x->parent)
			sqlite3_bind_text(st, 5, x->parent, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 6, x->depth);
		for (int d = 0; d < ANTT_UNITS_DEPTH; d++)
			if (x->anc[d])
				sqlite3_bind_text(st, 7 + d, x->anc[d], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 10, name, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = antt_store_dberr(s, err, what);
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
	sqlite3_finalize(st);
	/* the enrollments are judged again against the list in force (node.c):
	 * if that fails, the next start does it */
	if (!rc)
		rc = s_exec(
		    s, "INSERT OR REPLACE INTO meta(key, value) VALUES('trust_recheck', x'01')",
		    what, err);
	return rc;
}

static json_t *s_list_import(antt_store_t *s, const json_t *req, const char *csv, size_t len)
{
	char err[ANTT_ERR_MAX];
	const char *name = json_string_value(json_object_get(req, "list"));
	int dated = json_object_get(req, "list") != NULL;
	int from = 0, to = 0;
	if (dated && !name)
		return antt_ctl_error(ANTT_CTL_USAGE, "units_import: \"list\" must be a string");
	if (!dated)
		name = ANTT_UNITS_LIST_LOADED;
	if (dated && !antt_valid_list(name)) {
		antt_errf(err, 0,
		          "list name '%.40s' is not valid: 1 to %d letters, digits, '.', '_' or "
		          "'-' (e.g. 2025-07)",
		          name, ANTT_UNITS_LIST_MAX);
		return s_refused(err);
	}
	if (dated && !strcmp(name, ANTT_UNITS_LIST_LOADED))
		return s_refused("the list name " ANTT_UNITS_LIST_LOADED " is the undated list's: "
		                 "import it without --list (antt units import FILE.csv), or name "
		                 "a dated list otherwise");
	if (s_day(req, "from", "--from", &from, err) || s_day(req, "to", "--to", &to, err))
		return s_refused(err);
	if (!dated && (from || to))
		return antt_ctl_error(ANTT_CTL_USAGE, "units_import: \"from\" and \"to\" need "
		                                      "\"list\" (a dated list has a name)");
	if (dated && !from)
		return antt_ctl_error(ANTT_CTL_USAGE,
		                      "units_import: a dated list needs \"from\" "
		                      "(--from YYYY-MM-DD, its first day in force)");
	if (to && to < from) {
		char a[16], b[16];
		antt_errf(err, 0,
		          "--to %s is before --from %s: a list is in force from its first day "
		          "to its last (swap them, or correct one)",
		          s_day_str(to, a), s_day_str(from, b));
		return s_refused(err);
	}
	antt_units_t u;
	if (antt_units_parse(csv, len, &u, err))
		return s_refused(err);
	int64_t dropped = 0;
	int rc = antt_store_begin(s, err);
	if (!rc && dated)
		rc = s_overlap(s, name, from, to, err);
	if (!rc)
		rc = s_list_write(s, name, from, to, &u, &dropped, err);
	if (!rc)
		rc = antt_store_commit(s, err);
	size_t n = u.n;
	int64_t by_depth[ANTT_UNITS_DEPTH + 1] = {0};
	for (size_t i = 0; i < u.n; i++)
		if (u.v[i].depth >= 1 && u.v[i].depth <= ANTT_UNITS_DEPTH)
			by_depth[u.v[i].depth]++;
	antt_units_clear(&u);
	if (rc) {
		antt_store_rollback(s);
		if (rc == ANTT_E_INVAL)
			return s_refused(err);
		antt_log(ANTT_LOG_ERR, "%s", err);
		return antt_ctl_error(ANTT_CTL_STORE, err);
	}
	json_t *resp =
	    json_pack("{s:b, s:I, s:[I, I, I]}", "ok", 1, "units", (json_int_t)n, "by_depth",
	              (json_int_t)by_depth[1], (json_int_t)by_depth[2], (json_int_t)by_depth[3]);
	if (dated) {
		char a[16], b[16];
		antt_log(ANTT_LOG_INFO, "units: list %s, %zu administrative units, from %s to %s",
		         name, n, s_day_str(from, a), s_day_str(to, b));
		json_object_set_new(resp, "list", json_string(name));
		json_object_set_new(resp, "from", s_day_json(from));
		json_object_set_new(resp, "to", s_day_json(to));
		json_object_set_new(resp, "links_dropped", json_integer(dropped));
	} else {
		antt_log(ANTT_LOG_INFO, "units: %zu administrative units loaded", n);
		if (dropped)
			json_object_set_new(resp, "links_dropped", json_integer(dropped));
	}
	return resp;
}

/* Each link's codes in their lists (the caller's transaction). */
static int s_links_known(antt_store_t *s, const antt_links_t *l, const char *old_list,
                         const char *new_list, char *err)
{
	sqlite3_stmt *st;
	int rc = ANTT_OK;
	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM units WHERE list = ?1 AND code = ?2", -1, &st,
	                       NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, "reading the units");
	/* the first line at fault in the file, whichever side */
	long bad_line = 0;
	const char *bad_code = NULL, *bad_list = NULL;
	for (size_t i = 0; i < l->n && !rc; i++) {
		for (int side = 0; side < 2; side++) {
			const char *list = side ? new_list : old_list;
			const char *code = side ? l->v[i].new_code : l->v[i].old_code;
			sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
			int r = sqlite3_step(st);
			sqlite3_reset(st);
			if (r == SQLITE_DONE && (!bad_line || l->v[i].line < bad_line)) {
				bad_line = l->v[i].line;
				bad_code = code;
				bad_list = list;
				break;
			}
			if (r != SQLITE_ROW && r != SQLITE_DONE)
				rc = antt_store_dberr(s, err, "reading the units");
		}
	}
	if (!rc && bad_line)
		rc = antt_errf(err, ANTT_E_INVAL,
		               "line %ld: unit %s is not in list %s (a link goes from a unit of "
		               "the old list, --old, to one of the new list, --new: check the "
		               "lists named, or correct the line)",
		               bad_line, bad_code, bad_list);
	sqlite3_finalize(st);
	return rc;
}

static json_t *s_links_import(antt_store_t *s, const json_t *req, const char *csv, size_t len)
{
	char err[ANTT_ERR_MAX], a[16], b[16], c[16], d[16];
	const char *old = json_string_value(json_object_get(req, "old"));
	const char *new = json_string_value(json_object_get(req, "new"));
	if (!old || !new)
		return antt_ctl_error(ANTT_CTL_USAGE,
		                      "units_import of links needs \"old\" and \"new\", the two "
		                      "lists they join (--old LIST --new LIST)");
	if (!strcmp(old, new)) {
		antt_errf(err, 0,
		          "--old and --new are both list %.40s: links go from one list to "
		          "another (name the older list with --old, the newer with --new)",
		          old);
		return s_refused(err);
	}
	antt_links_t l;
	if (antt_links_parse(csv, len, &l, err))
		return s_refused(err);
	s_list_t lo, ln;
	int64_t full = 0;
	int rc = antt_store_begin(s, err);
	if (!rc)
		rc = s_list_get(s, old, &lo, err);
	if (!rc)
		rc = s_list_get(s, new, &ln, err);
	if (!rc && (!lo.found || !ln.found))
		rc = antt_errf(err, ANTT_E_INVAL,
		               "list %.40s is not loaded here (antt units list shows the lists): "
		               "import it first, antt units import FILE.csv --list %.40s --from "
		               "YYYY-MM-DD",
		               lo.found ? new : old, lo.found ? new : old);
	if (!rc && !(lo.day_to && ln.day_from && lo.day_to < ln.day_from))
		rc = antt_errf(err, ANTT_E_INVAL,
		               "list %s (from %s to %s) does not end before list %s begins (from "
		               "%s to %s): links go from an older list, --old, to a newer one, "
		               "--new (check the order, or the lists' dates)",
		               old, lo.day_from ? s_day_str(lo.day_from, a) : "always",
		               s_day_str(lo.day_to, b), new,
		               ln.day_from ? s_day_str(ln.day_from, c) : "always",
		               s_day_str(ln.day_to, d));
	if (!rc)
		rc = s_links_known(s, &l, old, new, err);
	sqlite3_stmt *st = NULL;
	if (!rc && sqlite3_prepare_v2(
	               s->db, "DELETE FROM unit_links WHERE old_list = ?1 AND new_list = ?2", -1,
	               &st, NULL) != SQLITE_OK)
		rc = antt_store_dberr(s, err, "replacing the links");
	if (!rc) {
		sqlite3_bind_text(st, 1, old, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, new, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = antt_store_dberr(s, err, "replacing the links");
	}
	sqlite3_finalize(st);
	st = NULL;
	if (!rc && sqlite3_prepare_v2(s->db,
	                              "INSERT INTO unit_links(old_list, old_code, new_list, "
	                              "new_code, share) VALUES(?1, ?2, ?3, ?4, ?5)",
	                              -1, &st, NULL) != SQLITE_OK)
		rc = antt_store_dberr(s, err, "replacing the links");
	for (size_t i = 0; i < l.n && !rc; i++) {
		sqlite3_bind_text(st, 1, old, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, l.v[i].old_code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, new, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, l.v[i].new_code, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 5, l.v[i].full);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = antt_store_dberr(s, err, "replacing the links");
		sqlite3_reset(st);
		full += l.v[i].full;
	}
	sqlite3_finalize(st);
	/* links change what a key signs for (T5 of store_trust.c): judged
	 * again by the node, else at the next start */
	if (!rc)
		rc = s_exec(
		    s, "INSERT OR REPLACE INTO meta(key, value) VALUES('trust_recheck', x'01')",
		    "replacing the links", err);
	if (!rc)
		rc = antt_store_commit(s, err);
	size_t n = l.n;
	antt_links_clear(&l);
	if (rc) {
		antt_store_rollback(s);
		if (rc == ANTT_E_INVAL)
			return s_refused(err);
		antt_log(ANTT_LOG_ERR, "%s", err);
		return antt_ctl_error(ANTT_CTL_STORE, err);
	}
	antt_log(ANTT_LOG_INFO, "units: %zu links from list %s to list %s", n, old, new);
	return json_pack("{s:b, s:s, s:s, s:I, s:I, s:I}", "ok", 1, "old", old, "new", new, "links",
	                 (json_int_t)n, "full", (json_int_t)full, "partial",
	                 (json_int_t)(n - (size_t)full));
}

json_t *antt_store_units_import(antt_store_t *s, const json_t *req, const char *csv, size_t len)
{
	json_t *links = json_object_get(req, "links");
	if (links && !json_is_boolean(links))
		return antt_ctl_error(ANTT_CTL_USAGE, "units_import: \"links\" is true or false");
	if (json_is_true(links)) {
		if (json_object_get(req, "list") || json_object_get(req, "from") ||
		    json_object_get(req, "to"))
			return antt_ctl_error(
			    ANTT_CTL_USAGE, "units_import: a links file takes \"old\" and \"new\", "
			                    "not \"list\", \"from\" or \"to\"");
		return s_links_import(s, req, csv, len);
	}
	if (json_object_get(req, "old") || json_object_get(req, "new"))
		return antt_ctl_error(ANTT_CTL_USAGE,
		                      "units_import: \"old\" and \"new\" are for a links file "
		                      "(\"links\": true)");
	return s_list_import(s, req, csv, len);
}

json_t *antt_store_units_lists(antt_store_t *s)
{
	char err[ANTT_ERR_MAX];
	json_t *lists = json_array(), *links = json_array(), *now = json_null();
	sqlite3_stmt *st = NULL;
	int rc = ANTT_OK, r;
	/* on the loop's connection: nothing writes between the two reads */
	if (sqlite3_prepare_v2(s->db,
	                       "SELECT name, coalesce(day_from, 0), coalesce(day_to, 0), units, "
	                       "imported, name = " ANTT_STORE_LIST_NOW " FROM unit_lists "
	                       "ORDER BY day_from IS NOT NULL, day_from, name",
	                       -1, &st, NULL) != SQLITE_OK) {
		rc = antt_store_dberr(s, err, "reading the unit lists");
		goto out;
	}
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		json_array_append_new(lists,
		                      json_pack("{s:s, s:o, s:o, s:I, s:I}", "name", name, "from",
		                                s_day_json(sqlite3_column_int(st, 1)), "to",
		                                s_day_json(sqlite3_column_int(st, 2)), "units",
		                                (json_int_t)sqlite3_column_int64(st, 3), "imported",
		                                (json_int_t)sqlite3_column_int64(st, 4)));
		if (sqlite3_column_int(st, 5)) {
			json_decref(now);
			now = json_string(name);
		}
	}
	if (r != SQLITE_DONE)
		rc = antt_store_dberr(s, err, "reading the unit lists");
	sqlite3_finalize(st);
	st = NULL;
	if (!rc && sqlite3_prepare_v2(s->db,
	                              "SELECT old_list, new_list, sum(share = 1), sum(share = 0) "
	                              "FROM unit_links GROUP BY old_list, new_list "
	                              "ORDER BY old_list, new_list",
	                              -1, &st, NULL) != SQLITE_OK)
		rc = antt_store_dberr(s, err, "reading the unit links");
	while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(links,
		                      json_pack("{s:s, s:s, s:I, s:I}", "old",
		                                (const char *)sqlite3_column_text(st, 0), "new",
		                                (const char *)sqlite3_column_text(st, 1), "full",
		                                (json_int_t)sqlite3_column_int64(st, 2), "partial",
		                                (json_int_t)sqlite3_column_int64(st, 3)));
	if (!rc && r != SQLITE_DONE)
		rc = antt_store_dberr(s, err, "reading the unit links");
out:
	sqlite3_finalize(st);
	if (rc) {
		json_decref(lists);
		json_decref(links);
		json_decref(now);
		return antt_ctl_error(ANTT_CTL_STORE, err);
	}
	return json_pack("{s:b, s:o, s:o, s:o}", "ok", 1, "in_force", now, "lists", lists, "links",
	                 links);
}
