/* store_reports.c - report, missing, history and export over the decoded
 * tables: the store's read-only answers to a hub's officers (see
 * store_reports.h, store_index.c for the tables, docs/reports.md).
 *
 * Units.  A store may hold several unit lists, each in force over its days
 * (I9 of store.c), and links from the units of an older list to those of a
 * newer one.  An answer is given in the units of one list, L: the one
 * named (--units), else the one in force on the last day asked.  Each
 * report is judged by the list in force on the last day of its own period
 * (ANTT_STORE_LIST_ON), the list it was filed under, X, and placed in L:
 *
 *   X == L                        under its own unit (r.unit);
 *   one full link X:unit -> L:u   under u (an old commune merged into u);
 *   partial links X:unit -> L:..  "apart": listed by name in its own list,
 *                                 with its figures, counted in a scope's
 *                                 totals only when every unit it went to
 *                                 is in the scope (the province), never
 *                                 in one of them;
 *   anything else                 "unlisted": counted and said, never
 *                                 placed (a unit no list holds, a list
 *                                 with no links into L).
 *
 * When every report of the span is under L (the common case), the queries
 * join reports to units on r.unit; else on antt_place(r.unit, r.day1), a
 * function of the request (s_place), with reports as the outer loop (CROSS
 * JOIN: units cannot lead to reports through a function).  missing judges
 * each period asked by its own list: the units expected for a month of
 * 2025-05 are the old communes, for 2025-08 the new ones.  history --unit
 * U shows the reports of U and of every old unit whose links name U.
 *
 * Scope.  A request names a unit (the node's own by default).  Its subtree
 * is every unit whose ancestor at the unit's depth is the unit (units.a1,
 * a2, a3).  A node whose own unit is not in the administrative list (a
 * national hub) is the root: its scope is every unit, broken down by the
 * top-level ones.  Reports from units that are not in the list are counted
 * apart ("unlisted"): they cannot be placed in the tree.
 *
 * Periods.  A report belongs to a requested period (or range of two,
 * "2025-05..2025-08": s_period) when the days of its own period lie within
 * it (reports.day0/day1): 2024 takes 2024-05, 2024-Q2 and 2024-05-17.
 *
 * Time.  A report is late when the first hub stored it at or after its
 * form's deadline (deadline_days after the end of its period, Vietnam time);
 * the first hub's signed receipt (a stamp, stamp.h) decides, not the
 * author's clock.  A report with none (a hub below did not sign one, or
 * signed one that did not hold here) is judged on when this hub stored it,
 * and counted as such ("unsigned"): never earlier than the truth.  A report whose
 * author clock is more than S_AHEAD ahead of that receipt, or more than
 * S_BEHIND behind it, is flagged skewed. */
#define _GNU_SOURCE
#include "store_reports.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "ctlproto.h"
#include "period.h"
#include "store_int.h"
#include "store_units.h"

#define S_AHEAD (10 * 60)        /* signed after the hub stored it: a fast clock */
#define S_BEHIND (2 * 24 * 3600) /* signed long before any hub had it */
#define S_LIST_MAX 5000          /* most units listed by missing, late or skewed */
#define S_DAYS 64                /* days whose list a request remembers */
#define S_DUE_MAX 60             /* periods of a form missing judges at once */

int antt_store_reports_is_op(const char *op)
{
	return !strcmp(op, "report") || !strcmp(op, "missing") || !strcmp(op, "history") ||
	       !strcmp(op, "export");
}

/* ---- the request ---- */

typedef char s_list_name_t[ANTT_UNITS_LIST_MAX + 1];

/* A link of unit_links into the request's list L, by (list, code). */
typedef struct {
	s_list_name_t list;
	char code[ANTT_UNIT_MAX + 1], to[ANTT_UNIT_MAX + 1];
	int full;
} s_link_t;

typedef struct {
	antt_store_t *s;
	const antt_forms_t *forms;
	char err[ANTT_ERR_MAX];
	int bad;            /* err holds a usage or data error */
	const char *period; /* as asked */
	int day0, day1;
	int kind0, kind1; /* of its first and last period (a range: "A..B") */
	const char *unit; /* scope: a unit's code, or NULL for the root */
	int depth;        /* of unit; 0 for the root */
	char unit_name[256];
	const char *node_unit;
	const antt_reports_ctx_t *ctx;
	s_list_name_t list;       /* L: the units the answer is given in */
	s_list_name_t scope_list; /* the scope's list when it is not L */
	int named;                /* L was asked for (--units) */
	int mapped;               /* some day of the span is under another list */
	sqlite3_stmt *list_on;
	struct {
		int day;
		s_list_name_t list;
	} days[S_DAYS];
	size_t ndays;
	s_link_t *links; /* the links into L, sorted; loaded when mapped */
	size_t nlinks;
} s_req_t;

static json_t *s_error(s_req_t *q)
{
	return antt_ctl_error(q->bad ? ANTT_CTL_DATA : ANTT_CTL_STORE, q->err);
}

__attribute__((format(printf, 2, 3))) static int s_usage(s_req_t *q, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(q->err, sizeof q->err, fmt, ap);
	va_end(ap);
	q->bad = 1;
	return -1;
}

static int s_dberr(s_req_t *q)
{
	snprintf(q->err, sizeof q->err, "store %s: %s", antt_store_path(q->s),
	         sqlite3_errmsg(q->s->db));
	return -1;
}

static sqlite3_stmt *s_prep(s_req_t *q, const char *sql)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(q->s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		s_dberr(q);
		return NULL;
	}
	return st;
}

static int64_t s_count(s_req_t *q, const char *sql)
{
	sqlite3_stmt *st = s_prep(q, sql);
	int64_t n = -1;
	if (st && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static const char *s_col(sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	return t ? t : "";
}

/* ---- lists: which a day is under, where a report is placed ---- */

/* The list in force on day (yyyymmdd), remembered for the request: a span
 * holds few distinct last days (a year's months). */
static const char *s_list_on(s_req_t *q, int day)
{
	for (size_t i = 0; i < q->ndays; i++)
		if (q->days[i].day == day)
			return q->days[i].list;
	size_t i = q->ndays < S_DAYS ? q->ndays++ : (size_t)day % S_DAYS;
	q->days[i].day = day;
	snprintf(q->days[i].list, sizeof q->days[i].list, "%s", "loaded");
	sqlite3_reset(q->list_on);
	sqlite3_bind_int(q->list_on, 1, day);
	if (sqlite3_step(q->list_on) == SQLITE_ROW)
		snprintf(q->days[i].list, sizeof q->days[i].list, "%s", s_col(q->list_on, 0));
	sqlite3_reset(q->list_on);
	return q->days[i].list;
}

static int s_link_cmp(const void *a, const void *b)
{
	const s_link_t *x = a, *y = b;
	int c = strcmp(x->list, y->list);
	return c ? c : strcmp(x->code, y->code);
}

/* The first link from list:code into L, or NULL; the others follow it. */
static const s_link_t *s_links_of(const s_req_t *q, const char *list, const char *code)
{
	s_link_t key;
	snprintf(key.list, sizeof key.list, "%.*s", ANTT_UNITS_LIST_MAX, list);
	snprintf(key.code, sizeof key.code, "%.*s", ANTT_UNIT_MAX, code);
	const s_link_t *l = bsearch(&key, q->links, q->nlinks, sizeof key, s_link_cmp);
	while (l && l > q->links && !s_link_cmp(l - 1, &key))
		l--;
	return l;
}

/* Where a report of unit, its period ending on day1, is placed in L: its
 * unit there (*full 1), or NULL: apart (*full 0, partial links) or
 * unlisted (*full -1). */
static const char *s_place(s_req_t *q, const char *unit, int day1, int *full)
{
	const char *x = s_list_on(q, day1);
	*full = 1;
	if (!strcmp(x, q->list))
		return unit;
	const s_link_t *l = s_links_of(q, x, unit);
	*full = l ? l->full : -1;
	return l && l->full ? l->to : NULL;
}

static void s_fn_place(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	int full;
	const char *unit = (const char *)sqlite3_value_text(argv[0]);
	const char *to =
	    unit ? s_place(sqlite3_user_data(ctx), unit, sqlite3_value_int(argv[1]), &full) : NULL;
	if (to)
		sqlite3_result_text(ctx, to, -1, SQLITE_TRANSIENT);
	else
		sqlite3_result_null(ctx);
}

/* antt_apart(unit, day1): 1 when the report is listed apart */
static void s_fn_apart(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	int full = -1;
	const char *unit = (const char *)sqlite3_value_text(argv[0]);
	if (unit)
		s_place(sqlite3_user_data(ctx), unit, sqlite3_value_int(argv[1]), &full);
	sqlite3_result_int(ctx, full == 0);
}

/* antt_takes(target, unit, day1): 1 when the report is the target's own or
 * an old unit's the target took whole, 2 when the target took a part of
 * it, else 0 */
static void s_fn_takes(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	s_req_t *q = sqlite3_user_data(ctx);
	const char *target = (const char *)sqlite3_value_text(argv[0]);
	const char *unit = (const char *)sqlite3_value_text(argv[1]);
	int r = 0;
	if (target && unit) {
		const char *x = s_list_on(q, sqlite3_value_int(argv[2]));
		if (!strcmp(x, q->list))
			r = !strcmp(unit, target);
		else
			for (const s_link_t *l = s_links_of(q, x, unit);
			     !r && l && l < q->links + q->nlinks && !strcmp(l->list, x) &&
			     !strcmp(l->code, unit);
			     l++)
				if (!strcmp(l->to, target))
					r = l->full ? 1 : 2;
	}
	sqlite3_result_int(ctx, r);
}

static void s_fn_list_on(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	sqlite3_result_text(ctx, s_list_on(sqlite3_user_data(ctx), sqlite3_value_int(argv[0])), -1,
	                    SQLITE_TRANSIENT);
}

/* yyyymmdd of the day after day */
static int s_next_day(int day)
{
	struct tm tm = {.tm_year = day / 10000 - 1900,
	                .tm_mon = day / 100 % 100 - 1,
	                .tm_mday = day % 100 + 1,
	                .tm_hour = 12};
	time_t t = timegm(&tm);
	gmtime_r(&t, &tm);
	return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* 1 when some unit of list old links to one of list new, 0 when none, or
 * -1 */
static int s_linked(s_req_t *q, const char *old, const char *new)
{
	sqlite3_stmt *st = s_prep(q, "SELECT EXISTS(SELECT 1 FROM unit_links WHERE old_list = ?1 "
	                             "AND new_list = ?2)");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, old, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, new, -1, SQLITE_STATIC);
	int r = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	return r;
}

/* The lists of the request: L (asked, or in force on the last day asked);
 * whether any day of the span is under another list (the list in force
 * changes only on a list's first day or the day after its last: those,
 * and the span's ends, are the days to look at), and then the links into
 * L.  With L asked for, every other list of the span must have links into
 * it: reports of 2025-08 cannot be shown in the communes of 2025-03. */
static int s_lists(s_req_t *q, const json_t *req)
{
	const char *named = json_string_value(json_object_get(req, "units"));
	q->list_on = s_prep(q, "SELECT " ANTT_STORE_LIST_ON("?1"));
	if (!q->list_on)
		return -1;
	if (named) {
		sqlite3_stmt *st = s_prep(q, "SELECT EXISTS(SELECT 1 FROM units WHERE list = ?1)");
		if (!st)
			return -1;
		sqlite3_bind_text(st, 1, named, -1, SQLITE_STATIC);
		int found = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
		if (!found)
			return s_usage(q,
			               "--units %.40s: this node holds no unit list of that name "
			               "(antt units shows the lists it holds)",
			               named);
		snprintf(q->list, sizeof q->list, "%.*s", ANTT_UNITS_LIST_MAX, named);
		q->named = 1;
	} else {
		snprintf(q->list, sizeof q->list, "%s", s_list_on(q, q->day1));
	}
	sqlite3_stmt *st = s_prep(q, "SELECT coalesce(day_from, 0), coalesce(day_to, 0) FROM "
	                             "unit_lists WHERE day_from IS NOT NULL OR day_to IS NOT NULL");
	if (!st)
		return -1;
	int days[2 + 2 * 64], nd = 0;
	days[nd++] = q->day0;
	days[nd++] = q->day1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int from = sqlite3_column_int(st, 0), to = sqlite3_column_int(st, 1);
		if (nd + 2 > (int)(sizeof days / sizeof *days)) {
			q->mapped = 1; /* more lists than looked at: place every report */
			break;
		}
		if (from > q->day0 && from <= q->day1)
			days[nd++] = from;
		if (to && to >= q->day0 && to < q->day1)
			days[nd++] = s_next_day(to);
	}
	sqlite3_finalize(st);
	for (int i = 0; i < nd; i++) {
		const char *x = s_list_on(q, days[i]);
		if (!strcmp(x, q->list))
			continue;
		if (!q->named) {
			q->mapped = 1;
			continue;
		}
		/* asked for L: every other list of the span must link into it */
		int linked = s_linked(q, x, q->list);
		if (linked < 0)
			return -1;
		if (!linked)
			return s_usage(
			    q,
			    "--units %s: the period %s runs into days under the list %s, "
			    "whose units cannot be shown as units of %s (no links lead "
			    "from %s to %s): ask for a period within the days of %s (antt "
			    "units shows them), or leave out --units",
			    q->list, q->period, x, q->list, x, q->list, q->list);
		q->mapped = 1;
	}
	if (!q->mapped)
		return 0;
	st = s_prep(q, "SELECT old_list, old_code, new_code, share FROM unit_links "
	               "WHERE new_list = ?1 ORDER BY old_list, old_code, new_code");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, q->list, -1, SQLITE_STATIC);
	size_t cap = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (q->nlinks == cap)
			q->links = antt_xrealloc(q->links,
			                         (cap = cap ? 2 * cap : 1024) * sizeof *q->links);
		s_link_t *l = &q->links[q->nlinks++];
		snprintf(l->list, sizeof l->list, "%.*s", ANTT_UNITS_LIST_MAX, s_col(st, 0));
		snprintf(l->code, sizeof l->code, "%.*s", ANTT_UNIT_MAX, s_col(st, 1));
		snprintf(l->to, sizeof l->to, "%.*s", ANTT_UNIT_MAX, s_col(st, 2));
		l->full = sqlite3_column_int(st, 3) == 1;
	}
	sqlite3_finalize(st);
	return 0;
}

/* column i as a JSON string, null for NULL */
static json_t *s_textj(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? json_null() : json_string(s_col(st, i));
}

/* The unit's name and depth in a list: 0, 1 when the list has no such
 * unit, or -1. */
static int s_unit_in(s_req_t *q, const char *list, const char *code, char *name, size_t nsize,
                     int *depth)
{
	sqlite3_stmt *st = s_prep(q, "SELECT name, depth FROM units WHERE list = ?2 AND code = ?1");
	int found = 0;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, list, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(name, nsize, "%s", s_col(st, 0));
		*depth = sqlite3_column_int(st, 1);
		found = 1;
	}
	sqlite3_finalize(st);
	return found ? 0 : 1;
}

/* The period asked: a period, or a range of two ("2025-05..2025-08",
 * "2025-Q2..2025-Q3", "2024..2025"), the days from the first one's first
 * to the second one's last. */
static int s_period(s_req_t *q, const json_t *req)
{
	q->period = json_string_value(json_object_get(req, "period"));
	if (!q->period)
		return s_usage(q, "%sname a period: --period 2024-05, 2024-Q2 or 2024", "");
	char a[16] = "", b[16] = "";
	const char *dots = strstr(q->period, "..");
	size_t la = dots ? (size_t)(dots - q->period) : strlen(q->period);
	int fits = la < sizeof a && (!dots || strlen(dots + 2) < sizeof b);
	if (fits) {
		memcpy(a, q->period, la);
		a[la] = '\0';
		snprintf(b, sizeof b, "%s", dots ? dots + 2 : a);
	}
	int e0, e1;
	if (!fits || antt_period_days(a, &q->day0, &e0) || antt_period_days(b, &e1, &q->day1))
		return s_usage(
		    q,
		    "'%.40s' is not a period: write a month (2024-05), a quarter "
		    "(2024-Q2), a year (2024) or a day (2024-05-17), years 2000 to 2099, "
		    "or a range of two (2025-05..2025-08)",
		    q->period);
	if (e1 < q->day0 || q->day1 < e0)
		return s_usage(q,
		               "'%.40s': a range runs from an earlier period to a later one "
		               "(2025-05..2025-08)",
		               q->period);
	q->kind0 = antt_period_classify(a);
	q->kind1 = antt_period_classify(b);
	return 0;
}

/* period and unit of the request, checked */
static int s_scope(s_req_t *q, const json_t *req)
{
	const char *unit = json_string_value(json_object_get(req, "unit"));
	if (s_period(q, req))
		return -1;
	if (s_lists(q, req))
		return -1;
	int64_t listed = s_count(q, "SELECT EXISTS(SELECT 1 FROM units)");
	if (listed < 0)
		return -1;
	if (listed == 0)
		return s_usage(q,
		               "%sthis node has no administrative units: load them once with "
		               "antt units import (the lists this package ships) or antt units "
		               "import FILE.csv",
		               "");
	q->unit = unit ? unit : q->node_unit;
	/* The node's own unit is one of the list in force today: an answer in
	 * an older list covers the units of it whose links lead into the
	 * node's (a province's old communes, and those it took from a
	 * neighbour), named or not: its own code in the older list may be
	 * another unit (15, 24, 44...) */
	const char *now = s_list_on(q, (int)s_count(q, "SELECT " ANTT_STORE_TODAY));
	if (!strcmp(q->unit, q->node_unit) && strcmp(now, q->list) &&
	    s_linked(q, q->list, now) == 1 &&
	    !s_unit_in(q, now, q->unit, q->unit_name, sizeof q->unit_name, &q->depth)) {
		snprintf(q->scope_list, sizeof q->scope_list, "%s", now);
		return 0;
	}
	int r = s_unit_in(q, q->list, q->unit, q->unit_name, sizeof q->unit_name, &q->depth);
	if (r < 0)
		return -1;
	if (r == 1) {
		if (unit && strcmp(unit, q->node_unit))
			return s_usage(q,
			               "unknown unit '%s': it is not in the unit list %s, in which "
			               "this answer is given (antt units shows the lists; --units "
			               "LIST asks in another)",
			               unit, q->list);
		/* the node's own unit, unlisted: a national hub, the root */
		snprintf(q->unit_name, sizeof q->unit_name, "%s", "Toàn quốc");
		q->unit = NULL;
		q->depth = 0;
	}
	return 0;
}

/* The forms asked for (one named, or every form of this node), or NULL
 * with the error set; *n their number. */
static const antt_form_t **s_forms(s_req_t *q, const json_t *req, int periodic_only, size_t *n)
{
	const char *id = json_string_value(json_object_get(req, "form"));
	const antt_form_t **out = antt_xcalloc(q->forms->n + 1, sizeof *out);
	*n = 0;
	if (id) {
		const antt_form_t *f = antt_forms_find(q->forms, id);
		if (!f) {
			char *ids = antt_forms_list_ids(q->forms);
			snprintf(q->err, sizeof q->err, "unknown form '%.64s' (this node has: %s)",
			         id, ids);
			free(ids);
			q->bad = 1;
			free(out);
			return NULL;
		}
		if (periodic_only && !f->periodic) {
			s_usage(q,
			        "form '%s' records events, which are not due: missing applies to "
			        "periodic forms",
			        id);
			free(out);
			return NULL;
		}
		out[(*n)++] = f;
		return out;
	}
	for (size_t i = 0; i < q->forms->n; i++)
		if (!periodic_only || q->forms->forms[i].periodic)
			out[(*n)++] = &q->forms->forms[i];
	return out;
}

#define S_SCOPE_MAX 1024

/* The scope over the units ALIAS (of L) into buf: "ALIAS.aD = ?4", "1" for
 * the root; or, for the node's own unit in an older list, the units whose
 * links lead into it (?8, the list in force today). */
static const char *s_scope_of(const s_req_t *q, const char *alias, char buf[S_SCOPE_MAX])
{
	int d = q->depth > 3 ? 3 : q->depth;
	if (!d)
		return "1";
	if (q->scope_list[0]) /* a unit linked into it; one with no link of its
	                       * own (an old province or district: their own
	                       * reports) when the units below it are */
		snprintf(
		    buf, S_SCOPE_MAX,
		    "(EXISTS(SELECT 1 FROM unit_links sk JOIN units sn ON sn.list = sk.new_list "
		    "AND sn.code = sk.new_code WHERE sk.old_list = %.8s.list AND "
		    "sk.old_code = %.8s.code AND sk.new_list = ?8 AND sn.a%d = ?4) OR "
		    "(NOT EXISTS(SELECT 1 FROM unit_links WHERE old_list = %.8s.list AND "
		    "old_code = %.8s.code) AND EXISTS(SELECT 1 FROM units sc JOIN unit_links "
		    "sk ON sk.old_list = sc.list AND sk.old_code = sc.code JOIN units sn ON "
		    "sn.list = sk.new_list AND sn.code = sk.new_code WHERE sc.list = %.8s.list "
		    "AND (sc.a1 = %.8s.code OR sc.a2 = %.8s.code) AND sc.code != %.8s.code AND "
		    "sk.new_list = ?8 AND sn.a%d = ?4)))",
		    alias, alias, d, alias, alias, alias, alias, alias, alias, d);
	else
		snprintf(buf, S_SCOPE_MAX, "%.8s.a%d = ?4", alias, d);
	return buf;
}

/* the scope over units u */
#define s_scope_sql(q) s_scope_of(q, "u", (char[S_SCOPE_MAX]){0})

/* The unit one level below the scope that u is in; the scope's own unit
 * for its own reports (a province's own activity is a line of its own,
 * never a commune's). */
static const char *s_child_col(const s_req_t *q)
{
	static const char *cols[] = {"u.a1", "coalesce(u.a2, u.code)", "coalesce(u.a3, u.code)",
	                             "u.code"};
	return cols[q->depth > 3 ? 3 : q->depth];
}

static void s_bind_scope(const s_req_t *q, sqlite3_stmt *st, const char *form)
{
	sqlite3_bind_text(st, 1, form, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, q->day0);
	sqlite3_bind_int(st, 3, q->day1);
	if (q->unit)
		sqlite3_bind_text(st, 4, q->unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, q->list, -1, SQLITE_STATIC);
	if (q->scope_list[0])
		sqlite3_bind_text(st, 8, q->scope_list, -1, SQLITE_STATIC);
}

static json_t *s_unit_json(s_req_t *q)
{
	return json_pack("{s:o, s:s, s:i, s:s, s:o}", "code",
	                 q->unit ? json_string(q->unit) : json_null(), "name", q->unit_name,
	                 "depth", q->depth, "list", q->list, "scope_list",
	                 q->scope_list[0] ? json_string(q->scope_list) : json_null());
}

/* ---- the totals: one pass, summed in C ----
 *
 * A GROUP BY over (key, indicator) would make SQLite sort every value in
 * scope (2.3 million for a year of the country) before adding them up.
 * antt_sum(key, code, value), an aggregate of the answer's connection, adds
 * each value into s_sums_t instead: the keys are few (the child units, or
 * the months), the codes of one record come in order. */

typedef struct {
	char *code;
	int64_t sum;
} s_code_sum_t;

typedef struct {
	char *key;
	s_code_sum_t *codes;
	size_t n, cap, next; /* next: where the next code likely is */
} s_key_sum_t;

typedef struct {
	s_key_sum_t *keys;
	size_t n, cap;
	s_key_sum_t *last;
	int overflow;
} s_sums_t;

static s_key_sum_t *s_sums_key(s_sums_t *s, const char *key)
{
	if (s->last && !strcmp(s->last->key, key))
		return s->last;
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->keys[i].key, key))
			return s->last = &s->keys[i];
	if (s->n == s->cap)
		s->keys =
		    antt_xrealloc(s->keys, (s->cap = s->cap ? 2 * s->cap : 16) * sizeof *s->keys);
	s_key_sum_t *k = &s->keys[s->n++];
	memset(k, 0, sizeof *k);
	k->key = antt_xstrdup(key);
	return s->last = k;
}

static void s_sums_add(s_sums_t *s, const char *key, const char *code, int64_t v)
{
	s_key_sum_t *k = s_sums_key(s, key);
	s_code_sum_t *c = NULL;
	if (k->next < k->n && !strcmp(k->codes[k->next].code, code))
		c = &k->codes[k->next];
	for (size_t i = 0; !c && i < k->n; i++)
		if (!strcmp(k->codes[i].code, code))
			c = &k->codes[i];
	if (!c) {
		if (k->n == k->cap)
			k->codes = antt_xrealloc(k->codes, (k->cap = k->cap ? 2 * k->cap : 32) *
			                                       sizeof *k->codes);
		c = &k->codes[k->n++];
		c->code = antt_xstrdup(code);
		c->sum = 0;
	}
	k->next = (size_t)(c - k->codes) + 1;
	if (__builtin_add_overflow(c->sum, v, &c->sum))
		s->overflow = 1;
}

static void s_sums_clear(s_sums_t *s)
{
	for (size_t i = 0; i < s->n; i++) {
		for (size_t j = 0; j < s->keys[i].n; j++)
			free(s->keys[i].codes[j].code);
		free(s->keys[i].codes);
		free(s->keys[i].key);
	}
	free(s->keys);
	memset(s, 0, sizeof *s);
}

static void s_sum_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const char *k = (const char *)sqlite3_value_text(argv[0]);
	const char *c = (const char *)sqlite3_value_text(argv[1]);
	if (c)
		s_sums_add(sqlite3_user_data(ctx), k ? k : "", c, sqlite3_value_int64(argv[2]));
}

static void s_sum_final(sqlite3_context *ctx)
{
	sqlite3_result_null(ctx);
}

static int s_key_cmp(const void *a, const void *b)
{
	return strcmp(((const s_key_sum_t *)a)->key, ((const s_key_sum_t *)b)->key);
}

static int s_code_cmp(const void *a, const void *b)
{
	return strcmp(((const s_code_sum_t *)a)->code, ((const s_code_sum_t *)b)->code);
}

/* ---- report ---- */

/* 1 when some unit of L is below unit (its reports are its own, not a
 * total of the units below) */
static int s_has_below(s_req_t *q, const char *unit)
{
	sqlite3_stmt *st =
	    s_prep(q, "SELECT EXISTS(SELECT 1 FROM units WHERE list = ?1 AND parent = ?2)");
	if (!st)
		return 0;
	sqlite3_bind_text(st, 1, q->list, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, unit, -1, SQLITE_STATIC);
	int r = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return r;
}

/* The reports of the request placed in L's units u, as a FROM clause. */
static const char *s_from(const s_req_t *q)
{
	return q->mapped ? "reports r CROSS JOIN units u ON u.list = ?5 AND "
	                   "u.code = antt_place(r.unit, r.day1)"
	                 : "reports r JOIN units u ON u.list = ?5 AND u.code = r.unit";
}

#define S_IN_SPAN "r.form = ?1 AND r.day0 >= ?2 AND r.day1 <= ?3"

/* Sums every value that sql's antt_sum(key, code, value) sees, or -1. */
static int s_sum(s_req_t *q, const char *sql, const char *form, s_sums_t *sums)
{
	if (sqlite3_create_function(q->s->db, "antt_sum", 3, SQLITE_UTF8, sums, NULL, s_sum_step,
	                            s_sum_final) != SQLITE_OK)
		return s_dberr(q);
	sqlite3_stmt *st = s_prep(q, sql);
	int r = SQLITE_ERROR;
	if (st) {
		s_bind_scope(q, st, form);
		r = sqlite3_step(st);
		sqlite3_finalize(st);
	}
	/* the aggregate points at sums, which the caller owns: gone with it */
	sqlite3_create_function(q->s->db, "antt_sum", 3, SQLITE_UTF8, NULL, NULL, NULL, NULL);
	if (!st)
		return -1;
	if (sums->overflow)
		return s_usage(q,
		               "%sthe totals do not fit in 64 bits: ask for a smaller period or "
		               "unit",
		               "");
	if (r != SQLITE_ROW)
		return s_dberr(q);
	if (sums->n > 1)
		qsort(sums->keys, sums->n, sizeof *sums->keys, s_key_cmp);
	for (size_t i = 0; i < sums->n; i++)
		if (sums->keys[i].n > 1)
			qsort(sums->keys[i].codes, sums->keys[i].n, sizeof *sums->keys[i].codes,
			      s_code_cmp);
	return 0;
}

/* A key's sums as {code: value}, added into totals unless it is NULL. */
static json_t *s_sums_json(const s_key_sum_t *k, json_t *totals)
{
	json_t *values = json_object();
	for (size_t j = 0; j < k->n; j++) {
		json_object_set_new(values, k->codes[j].code, json_integer(k->codes[j].sum));
		if (!totals)
			continue;
		json_t *t = json_object_get(totals, k->codes[j].code);
		json_object_set_new(
		    totals, k->codes[j].code,
		    json_integer(k->codes[j].sum + (t ? json_integer_value(t) : 0)));
	}
	return values;
}

/* The reports in scope listed apart (partial links into L), by old unit,
 * with their figures; added into totals when every unit they went to is
 * in the scope.  An empty list when nothing of the span is mapped. */
static json_t *s_apart(s_req_t *q, const antt_form_t *f, json_t *totals)
{
	json_t *out = json_array();
	if (!q->mapped)
		return out;
	char sql[4096];
	/* some unit it went to is in scope */
	snprintf(sql, sizeof sql,
	         "SELECT antt_sum(antt_list_on(r.day1) || ' ' || r.unit, v.code, v.value) "
	         "FROM reports r JOIN vals v ON v.n = r.n WHERE " S_IN_SPAN " AND "
	         "antt_apart(r.unit, r.day1) AND EXISTS(SELECT 1 FROM unit_links k JOIN units u "
	         "ON u.list = k.new_list AND u.code = k.new_code WHERE k.old_list = "
	         "antt_list_on(r.day1) AND k.old_code = r.unit AND k.new_list = ?5 AND %s)",
	         s_scope_sql(q));
	s_sums_t sums = {0};
	if (s_sum(q, sql, f->id, &sums)) {
		s_sums_clear(&sums);
		json_decref(out);
		return NULL;
	}
	/* its name in its list; the units it went to, and whether each is in
	 * scope (CROSS JOIN: from the old unit's two to five links, never from
	 * every unit of L) */
	snprintf(sql, sizeof sql,
	         "SELECT (SELECT name FROM units WHERE list = ?6 AND code = ?7), u.code, u.name, "
	         "%s FROM unit_links k CROSS JOIN units u ON u.list = k.new_list AND "
	         "u.code = k.new_code WHERE k.old_list = ?6 AND k.old_code = ?7 AND "
	         "k.new_list = ?5 ORDER BY u.code",
	         s_scope_sql(q));
	sqlite3_stmt *st = s_prep(q, sql);
	for (size_t i = 0; st && i < sums.n; i++) {
		s_key_sum_t *k = &sums.keys[i];
		char *unit = strchr(k->key, ' ');
		if (!unit)
			continue;
		*unit++ = '\0';
		sqlite3_reset(st);
		s_bind_scope(q, st, f->id);
		sqlite3_bind_text(st, 6, k->key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, unit, -1, SQLITE_STATIC);
		json_t *to = json_array();
		int whole = 1;
		char name[256] = "";
		while (sqlite3_step(st) == SQLITE_ROW) {
			snprintf(name, sizeof name, "%s", s_col(st, 0));
			json_array_append_new(to, json_pack("{s:s, s:s}", "code", s_col(st, 1),
			                                    "name", s_col(st, 2)));
			whole &= sqlite3_column_int(st, 3);
		}
		json_array_append_new(
		    out, json_pack("{s:s, s:s, s:s, s:o, s:o, s:b}", "unit", unit, "list", k->key,
		                   "name", name, "to", to, "values",
		                   s_sums_json(k, whole ? totals : NULL), "in_totals", whole));
	}
	sqlite3_finalize(st);
	s_sums_clear(&sums);
	if (!st) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* Totals of one form: rows by key (child unit, month or none). */
static json_t *s_report_form(s_req_t *q, const antt_form_t *f, const char *by)
{
	char sql[4096];
	const char *key = !strcmp(by, "unit")     ? s_child_col(q)
	                  : !strcmp(by, "period") ? "CASE WHEN length(r.period) = 10 THEN "
	                                            "substr(r.period, 1, 7) ELSE r.period END"
	                                          : "''";
	s_sums_t sums = {0};
	snprintf(sql, sizeof sql,
	         "SELECT antt_sum(%s, v.code, v.value) FROM %s JOIN vals v ON v.n = r.n "
	         "WHERE " S_IN_SPAN " AND %s",
	         key, s_from(q), s_scope_sql(q));
	if (s_sum(q, sql, f->id, &sums)) {
		s_sums_clear(&sums);
		return NULL;
	}
	/* rows by key, codes in order, as a GROUP BY would give them */
	json_t *rows = json_object(), *totals = json_object();
	for (size_t i = 0; i < sums.n; i++)
		json_object_set_new(rows, sums.keys[i].key,
		                    json_pack("{s:s, s:o}", "key", sums.keys[i].key, "values",
		                              s_sums_json(&sums.keys[i], totals)));
	s_sums_clear(&sums);

	json_t *own = q->unit && !strcmp(by, "unit") && s_has_below(q, q->unit)
	                  ? json_object_get(rows, q->unit)
	                  : NULL;
	if (own)
		json_object_set_new(own, "own", json_true());
	/* units that reported, per key and in all; names of child units.  By
	 * unit or in all, the keys share out the units: the total is their
	 * sum.  When every report is under L, from the units in scope, each
	 * looked up in reports by its primary key ('+' keeps the planner off
	 * reports_when there); else, and by period, from the reports. */
	static const char *filed = "EXISTS(SELECT 1 FROM reports r WHERE r.unit = u.code AND "
	                           "r.form = ?1 AND +r.day0 >= ?2 AND +r.day1 <= ?3)";
	char name[256] = "NULL";
	int by_period = !strcmp(by, "period");
	if (!strcmp(by, "unit"))
		snprintf(name, sizeof name,
		         "(SELECT n.name FROM units n WHERE n.list = ?5 AND n.code = %s)", key);
	if (!q->mapped && !by_period)
		snprintf(
		    sql, sizeof sql,
		    "SELECT %s AS k, count(*), %s FROM units u WHERE u.list = ?5 AND %s AND %s "
		    "GROUP BY k",
		    key, name, s_scope_sql(q), filed);
	else
		snprintf(sql, sizeof sql,
		         "SELECT %s AS k, count(DISTINCT u.code), %s FROM %s WHERE " S_IN_SPAN
		         " AND %s GROUP BY k",
		         key, name, s_from(q), s_scope_sql(q));
	sqlite3_stmt *st = s_prep(q, sql);
	if (!st) {
		json_decref(rows);
		json_decref(totals);
		return NULL;
	}
	s_bind_scope(q, st, f->id);
	int64_t units = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *k = s_col(st, 0);
		json_t *row = json_object_get(rows, k);
		if (!row) { /* reported, but every version is in conflict */
			row = json_pack("{s:s, s:{}}", "key", k, "values");
			json_object_set_new(rows, k, row);
		}
		json_object_set_new(row, "units", json_integer(sqlite3_column_int64(st, 1)));
		units += sqlite3_column_int64(st, 1);
		if (sqlite3_column_type(st, 2) != SQLITE_NULL)
			json_object_set_new(row, "name", json_string(s_col(st, 2)));
	}
	sqlite3_finalize(st);
	snprintf(sql, sizeof sql,
	         "SELECT count(DISTINCT u.code) FROM %s WHERE " S_IN_SPAN " AND %s", s_from(q),
	         s_scope_sql(q));
	if (by_period && (st = s_prep(q, sql))) {
		s_bind_scope(q, st, f->id);
		if (sqlite3_step(st) == SQLITE_ROW)
			units = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}

	/* conflicts in scope, named as filed */
	json_t *conflicts = json_array();
	snprintf(sql, sizeof sql,
	         "SELECT r.unit, coalesce((SELECT name FROM units WHERE list = "
	         "antt_list_on(r.day1) AND code = r.unit), u.name), r.period, r.versions FROM %s "
	         "WHERE " S_IN_SPAN " AND %s AND r.n IS NULL ORDER BY r.unit, r.period LIMIT %d",
	         s_from(q), s_scope_sql(q), S_LIST_MAX);
	if ((st = s_prep(q, sql))) {
		s_bind_scope(q, st, f->id);
		while (sqlite3_step(st) == SQLITE_ROW)
			json_array_append_new(
			    conflicts, json_pack("{s:s, s:s, s:s, s:i}", "unit", s_col(st, 0),
			                         "name", s_col(st, 1), "period", s_col(st, 2),
			                         "versions", sqlite3_column_int(st, 3)));
		sqlite3_finalize(st);
	}
	json_t *apart = s_apart(q, f, totals);
	if (!apart) {
		json_decref(rows);
		json_decref(totals);
		json_decref(conflicts);
		return NULL;
	}
	/* reports placed nowhere: only the node's own scope holds every report
	 * it has */
	int64_t unlisted = 0;
	if (q->mapped)
		snprintf(sql, sizeof sql,
		         "SELECT count(*) FROM reports r WHERE " S_IN_SPAN
		         " AND NOT EXISTS(SELECT 1 "
		         "FROM units u WHERE u.list = ?5 AND u.code = antt_place(r.unit, r.day1)) "
		         "AND NOT antt_apart(r.unit, r.day1)");
	else /* from the few units not in L, each looked up by its key */
		snprintf(
		    sql, sizeof sql,
		    "SELECT count(*) FROM reports r WHERE r.unit IN (SELECT DISTINCT unit FROM "
		    "reports WHERE unit NOT IN (SELECT code FROM units WHERE list = ?5)) AND "
		    "r.form = ?1 AND +r.day0 >= ?2 AND +r.day1 <= ?3");
	if ((!q->unit || !strcmp(q->unit, q->node_unit)) && (st = s_prep(q, sql))) {
		s_bind_scope(q, st, f->id);
		if (sqlite3_step(st) == SQLITE_ROW)
			unlisted = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}

	json_t *list = json_array(), *row, *inds = json_array();
	const char *k;
	json_object_foreach (rows, k, row)
		json_array_append(list, row);
	json_decref(rows);
	for (size_t i = 0; i < f->n_indicators; i++)
		json_array_append_new(inds, json_pack("{s:s, s:s}", "code", f->indicators[i].code,
		                                      "label", f->indicators[i].label));
	return json_pack("{s:s, s:s, s:b, s:o, s:o, s:I, s:o, s:o, s:o, s:I}", "form", f->id,
	                 "title", f->title, "periodic", f->periodic, "indicators", inds, "totals",
	                 totals, "units", (json_int_t)units, "rows", list, "conflicts", conflicts,
	                 "apart", apart, "unlisted", (json_int_t)unlisted);
}

/* The answers for each form, in a list (forms is taken); NULL on error.
 * With by, report's answer; else fn's. */
static json_t *s_each_form(s_req_t *q, const antt_form_t **forms, size_t n, const char *by,
                           json_t *(*fn)(s_req_t *, const antt_form_t *))
{
	json_t *out = json_array();
	for (size_t i = 0; i < n && out; i++) {
		json_t *one = by ? s_report_form(q, forms[i], by) : fn(q, forms[i]);
		if (one) {
			json_array_append_new(out, one);
		} else {
			json_decref(out);
			out = NULL;
		}
	}
	free(forms);
	return out;
}

static json_t *s_report(s_req_t *q, const json_t *req)
{
	const char *by = json_string_value(json_object_get(req, "by"));
	if (!by)
		by = "unit";
	if (strcmp(by, "unit") && strcmp(by, "period") && strcmp(by, "indicator")) {
		s_usage(q, "--by takes unit, period or indicator, not '%s'", by);
		return NULL;
	}
	size_t n;
	const antt_form_t **forms = s_forms(q, req, 0, &n);
	if (!forms)
		return NULL;
	json_t *out = s_each_form(q, forms, n, by, NULL);
	if (!out)
		return NULL;
	return json_pack("{s:b, s:o, s:s, s:s, s:o}", "ok", 1, "unit", s_unit_json(q), "period",
	                 q->period, "by", by, "forms", out);
}

/* ---- missing ---- */

/* A report of the form in scope: when its first version reached the first
 * hub (here, if nothing says otherwise) and its author's clock then. */
typedef struct {
	char unit[ANTT_UNIT_MAX + 1];
	char period[16];
	int64_t first, clock;
	int signed_; /* first is a first hub's signed receipt (a stamp) */
} s_filed_t;

static int s_filed_cmp(const void *a, const void *b)
{
	const s_filed_t *x = a, *y = b;
	int c = strcmp(x->unit, y->unit);
	return c ? c : strcmp(x->period, y->period);
}

static const s_filed_t *s_filed_find(const s_filed_t *v, size_t n, const char *unit,
                                     const char *period)
{
	s_filed_t key;
	snprintf(key.unit, sizeof key.unit, "%.*s", ANTT_UNIT_MAX, unit);
	snprintf(key.period, sizeof key.period, "%.15s", period);
	return bsearch(&key, v, n, sizeof *v, s_filed_cmp);
}

/* The form's periods within the request (months of a year for a monthly
 * form...) into out (at most 12). */
static int s_due_periods(s_req_t *q, const antt_form_t *f, char (*out)[12])
{
	int k0 = q->kind0, k1 = q->kind1;
	if ((int)f->period > k0 || (int)f->period > k1 ||
	    (f->period == ANTT_PERIOD_DAY && (k0 != ANTT_PERIOD_DAY || k1 != ANTT_PERIOD_DAY))) {
		snprintf(q->err, sizeof q->err,
		         "form %s is due every %s: ask for a period made of whole %ss (for example "
		         "%s)",
		         f->id, antt_period_kind_name(f->period), antt_period_kind_name(f->period),
		         antt_period_kind_example(f->period));
		q->bad = 1;
		return -1;
	}
	/* months counted from year 0: a span may cross a new year */
	int n = 0, y0 = q->day0 / 10000, y1 = q->day1 / 10000;
	int m0 = y0 * 12 + q->day0 / 100 % 100 - 1, m1 = y1 * 12 + q->day1 / 100 % 100 - 1;
	switch (f->period) {
	case ANTT_PERIOD_YEAR:
		for (int y = y0; y <= y1 && n <= S_DUE_MAX; y++)
			if (n++ < S_DUE_MAX)
				snprintf(out[n - 1], 12, "%04d", y % 10000);
		break;
	case ANTT_PERIOD_QUARTER:
		for (int m = m0 - m0 % 3; m <= m1 && n <= S_DUE_MAX; m += 3)
			if (n++ < S_DUE_MAX)
				snprintf(out[n - 1], 12, "%04d-Q%d", m / 12 % 10000,
				         m % 12 / 3 + 1);
		break;
	case ANTT_PERIOD_MONTH:
		for (int m = m0; m <= m1 && n <= S_DUE_MAX; m++)
			if (n++ < S_DUE_MAX)
				snprintf(out[n - 1], 12, "%04d-%02d", m / 12 % 10000, m % 12 + 1);
		break;
	case ANTT_PERIOD_DAY:
		for (int d = q->day0; d <= q->day1 && n <= S_DUE_MAX; d = s_next_day(d))
			if (n++ < S_DUE_MAX)
				snprintf(out[n - 1], 12, "%04u-%02u-%02u",
				         (unsigned)d / 10000 % 10000, (unsigned)d / 100 % 100,
				         (unsigned)d % 100);
		break;
	}
	if (n > S_DUE_MAX) {
		snprintf(q->err, sizeof q->err,
		         "'%.40s' holds more than %d %ss of form %s: ask for a shorter span",
		         q->period, S_DUE_MAX, antt_period_kind_name(f->period), f->id);
		q->bad = 1;
		return -1;
	}
	return n;
}

static void s_bump(json_t *o, const char *key)
{
	json_object_set_new(o, key, json_integer(json_integer_value(json_object_get(o, key)) + 1));
}

/* missing's count of one form: the totals, and the groups, the units
 * missing, late or skewed as they are found */
typedef struct {
	int64_t expected, reported, late, skewed, unsigned_;
	json_t *groups, *missing, *late_list, *skewed_list, *not_expected;
} s_due_t;

/* Is list:code one of the units the node's config says have no station
 * to report ([reports] not_expected)? */
static int s_not_expected(const s_req_t *q, const char *list, const char *code)
{
	for (size_t i = 0; i < q->ctx->n_not_expected; i++) {
		const antt_unit_ref_t *r = &q->ctx->not_expected[i];
		if (!strcmp(r->code, code) && (!r->list[0] || !strcmp(r->list, list)))
			return 1;
	}
	return 0;
}

/* A unit's place for missing: its parent, named a district only when it
 * is one (a commune of 2025-07 has its province above it, no district). */
static void s_parent_fields(json_t *o, const char *code, const char *name, int district)
{
	json_object_set_new(o, "parent_code", json_string(code));
	json_object_set_new(o, "parent", json_string(name));
	json_object_set_new(o, "district_code", district ? json_string(code) : json_null());
	json_object_set_new(o, "district", district ? json_string(name) : json_null());
}

/* Judges the units expected under list (leaves of it in scope: L's own, or
 * an older list's whose links lead into the scope) for the periods of the
 * request under that list (want[i]). */
static int s_due_list(s_req_t *q, const antt_form_t *f, const char *list, char (*periods)[12],
                      const int *want, int np, const s_filed_t *filed, size_t nf, s_due_t *d)
{
	char sql[4096];
	const char *leaves = "SELECT u.code, u.name, coalesce(u.parent, u.code), "
	                     "coalesce((SELECT name FROM units WHERE list = u.list AND code = "
	                     "u.parent), u.name), coalesce((SELECT level = 'district' FROM units "
	                     "WHERE list = u.list AND code = u.parent), 0) "
	                     "FROM units u WHERE u.list = ?6 AND NOT EXISTS "
	                     "(SELECT 1 FROM units c WHERE c.list = u.list AND c.parent = u.code)";
	char scope[S_SCOPE_MAX];
	if (!strcmp(list, q->list))
		snprintf(sql, sizeof sql, "%s AND %s ORDER BY 3, u.code", leaves, s_scope_sql(q));
	else /* an older list's: u is the old unit here, the scope is in L */
		snprintf(sql, sizeof sql,
		         "%s AND EXISTS(SELECT 1 FROM unit_links k JOIN units n ON n.list = "
		         "k.new_list AND n.code = k.new_code WHERE k.old_list = u.list AND "
		         "k.old_code = u.code AND k.new_list = ?5 AND %s) ORDER BY 3, u.code",
		         leaves, s_scope_of(q, "n", scope));
	sqlite3_stmt *st = s_prep(q, sql);
	if (!st)
		return -1;
	s_bind_scope(q, st, f->id);
	sqlite3_bind_text(st, 6, list, -1, SQLITE_STATIC);
	json_t *g = NULL;
	char gkey[64] = "\x01";
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *code = s_col(st, 0), *name = s_col(st, 1), *k = s_col(st, 2);
		const char *gname = s_col(st, 3);
		int district = sqlite3_column_int(st, 4);
		if (s_not_expected(q, list, code)) {
			if (json_array_size(d->not_expected) < S_LIST_MAX)
				json_array_append_new(d->not_expected,
				                      json_pack("{s:s, s:s, s:s}", "unit", code,
				                                "name", name, "list", list));
			continue;
		}
		if (!g || strcmp(k, gkey)) {
			snprintf(gkey, sizeof gkey, "%s", k);
			g = json_pack("{s:s, s:s, s:s, s:i, s:i, s:i, s:i}", "code", k, "name",
			              gname, "list", list, "expected", 0, "reported", 0, "on_time",
			              0, "late", 0);
			json_array_append_new(d->groups, g);
		}
		json_t *absent = json_array();
		for (int i = 0; i < np; i++) {
			if (!want[i])
				continue;
			d->expected++;
			s_bump(g, "expected");
			const s_filed_t *x = s_filed_find(filed, nf, code, periods[i]);
			if (!x) {
				json_array_append_new(absent, json_string(periods[i]));
				continue;
			}
			d->reported++;
			s_bump(g, "reported");
			int d0, d1;
			antt_period_days(periods[i], &d0, &d1);
			long long due =
			    f->deadline_days >= 0 ? antt_period_due(d1, f->deadline_days) : 0;
			int is_late = due && x->first >= due;
			s_bump(g, is_late ? "late" : "on_time");
			d->unsigned_ += !x->signed_;
			if (is_late && d->late++ < S_LIST_MAX) {
				json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:b}", "unit",
				                      code, "name", name, "list", list, "period",
				                      periods[i], "stored", (json_int_t)x->first,
				                      "due", (json_int_t)due, "signed", x->signed_);
				s_parent_fields(o, k, gname, district);
				json_array_append_new(d->late_list, o);
			}
			if ((x->clock > x->first + S_AHEAD || x->clock < x->first - S_BEHIND) &&
			    d->skewed++ < S_LIST_MAX)
				json_array_append_new(d->skewed_list,
				                      json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}",
				                                "unit", code, "name", name, "list",
				                                list, "period", periods[i], "clock",
				                                (json_int_t)x->clock, "stored",
				                                (json_int_t)x->first));
		}
		if (json_array_size(absent) && json_array_size(d->missing) < S_LIST_MAX) {
			json_t *o = json_pack("{s:s, s:s, s:s, s:O}", "unit", code, "name", name,
			                      "list", list, "periods", absent);
			s_parent_fields(o, k, gname, district);
			json_array_append_new(d->missing, o);
		}
		json_decref(absent);
	}
	sqlite3_finalize(st);
	return 0;
}

static json_t *s_missing_form(s_req_t *q, const antt_form_t *f)
{
	char periods[S_DUE_MAX][12];
	int np = s_due_periods(q, f, periods);
	if (np < 0)
		return NULL;
	/* every report of the form in the span, at once: a report is the
	 * filing of the unit it names, under the list of its period */
	sqlite3_stmt *st =
	    s_prep(q, "SELECT r.unit, r.period, coalesce(rec.first, rec.received), rec.clock, "
	              "rec.stamp IS NOT NULL FROM reports r JOIN records rec ON rec.n = r.root "
	              "WHERE " S_IN_SPAN);
	if (!st)
		return NULL;
	s_bind_scope(q, st, f->id);
	size_t nf = 0, cap = 1024;
	s_filed_t *filed = antt_xmalloc(cap * sizeof *filed);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (nf == cap)
			filed = antt_xrealloc(filed, (cap *= 2) * sizeof *filed);
		s_filed_t *x = &filed[nf++];
		snprintf(x->unit, sizeof x->unit, "%.*s", ANTT_UNIT_MAX, s_col(st, 0));
		snprintf(x->period, sizeof x->period, "%.15s", s_col(st, 1));
		x->first = sqlite3_column_int64(st, 2);
		x->clock = sqlite3_column_int64(st, 3);
		x->signed_ = sqlite3_column_int(st, 4);
	}
	sqlite3_finalize(st);
	qsort(filed, nf, sizeof *filed, s_filed_cmp);

	/* each period's list, and the units it expects, list by list: L's
	 * last, so that the units in force close the answer */
	s_due_t d = {.groups = json_array(),
	             .missing = json_array(),
	             .late_list = json_array(),
	             .skewed_list = json_array(),
	             .not_expected = json_array()};
	s_list_name_t lists[S_DUE_MAX];
	int done[S_DUE_MAX] = {0}, rc = 0;
	for (int i = 0; i < np; i++) {
		int d0, d1;
		antt_period_days(periods[i], &d0, &d1);
		snprintf(lists[i], sizeof lists[i], "%s", s_list_on(q, d1));
	}
	for (int pass = 0; pass < 2 && !rc; pass++)
		for (int i = 0; i < np && !rc; i++) {
			if (done[i] || (pass == 0) != !!strcmp(lists[i], q->list))
				continue;
			int want[S_DUE_MAX] = {0};
			for (int j = i; j < np; j++)
				if (!strcmp(lists[j], lists[i]))
					want[j] = done[j] = 1;
			rc = s_due_list(q, f, lists[i], periods, want, np, filed, nf, &d);
		}
	free(filed);
	if (rc) {
		json_decref(d.groups);
		json_decref(d.missing);
		json_decref(d.late_list);
		json_decref(d.skewed_list);
		json_decref(d.not_expected);
		return NULL;
	}
	return json_pack(
	    "{s:s, s:s, s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o}", "form", f->id,
	    "title", f->title, "not_expected", d.not_expected, "deadline_days",
	    f->deadline_days >= 0 ? json_integer(f->deadline_days) : json_null(), "expected",
	    (json_int_t)d.expected, "reported", (json_int_t)d.reported, "late", (json_int_t)d.late,
	    "skewed", (json_int_t)d.skewed, "unsigned", (json_int_t)d.unsigned_, "groups", d.groups,
	    "missing", d.missing, "late_reports", d.late_list, "skewed_reports", d.skewed_list);
}

static json_t *s_missing(s_req_t *q, const json_t *req)
{
	size_t n;
	const antt_form_t **forms = s_forms(q, req, 1, &n);
	if (!forms)
		return NULL;
	if (!n) {
		free(forms);
		s_usage(q, "%sthis node has no periodic form: nothing is due", "");
		return NULL;
	}
	json_t *out = s_each_form(q, forms, n, NULL, s_missing_form);
	if (!out)
		return NULL;
	return json_pack("{s:b, s:o, s:s, s:o}", "ok", 1, "unit", s_unit_json(q), "period",
	                 q->period, "forms", out);
}

/* ---- history ---- */

static json_t *s_hexj(const void *p, int n)
{
	char hex[2 * 64 + 1];
	if (n <= 0 || n > 64 || !p)
		return json_null();
	return json_string(antt_hex(hex, p, (size_t)n));
}

static json_t *s_history(s_req_t *q, const json_t *req)
{
	const char *unit = json_string_value(json_object_get(req, "unit"));
	const char *form = json_string_value(json_object_get(req, "form"));
	if (!unit) {
		s_usage(q, "%sname the unit: --unit CODE", "");
		return NULL;
	}
	if (!antt_valid_unit(unit)) {
		s_usage(q, "'%.40s' is not a unit code (letters, digits, '.', '_', '-')", unit);
		return NULL;
	}
	if (form && !antt_forms_find(q->forms, form)) {
		s_usage(q, "unknown form '%s' (see antt forms)", form);
		return NULL;
	}
	sqlite3_stmt *st = s_prep(
	    q,
	    "SELECT rec.id, rec.author, rec.seq, rec.form, rec.period, rec.clock, rec.corrects, "
	    "rec.received, rec.first, rec.body, "
	    "(SELECT e.unit FROM enrollments e WHERE e.key = rec.author LIMIT 1), "
	    "EXISTS(SELECT 1 FROM reports r WHERE r.n = rec.n AND r.unit = rec.unit AND "
	    "r.form = rec.form AND r.period = rec.period), "
	    "EXISTS(SELECT 1 FROM reports r WHERE r.n IS NULL AND r.unit = rec.unit AND "
	    "r.form = rec.form AND r.period = rec.period), "
	    "(SELECT c.id FROM records c WHERE c.corrects = rec.id ORDER BY c.n LIMIT 1), "
	    "EXISTS(SELECT 1 FROM revocations v WHERE v.key = rec.author AND rec.seq > v.after), "
	    "antt_takes(?1, rec.unit, antt_day1(rec.period)), antt_list_on(antt_day1(rec.period)), "
	    "(SELECT name FROM units WHERE list = antt_list_on(antt_day1(rec.period)) AND "
	    "code = rec.unit), rec.unit, (SELECT why FROM not_permitted np WHERE np.n = rec.n) "
	    "FROM records rec WHERE rec.unit IN (SELECT ?1 UNION SELECT old_code FROM unit_links "
	    "WHERE new_list = ?5 AND new_code = ?1) AND (?2 IS NULL OR rec.form = ?2) AND "
	    "rec.form NOT LIKE 'antt.%' AND antt_day0(rec.period) >= ?3 AND "
	    "antt_day1(rec.period) <= ?4 AND antt_takes(?1, rec.unit, antt_day1(rec.period)) "
	    "ORDER BY rec.form, rec.period, rec.n");
	if (!st)
		return NULL;
	sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, q->list, -1, SQLITE_STATIC);
	if (form)
		sqlite3_bind_text(st, 2, form, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, q->day0);
	sqlite3_bind_int(st, 4, q->day1);
	json_t *list = json_array();
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		antt_body_t b;
		char derr[ANTT_ERR_MAX];
		json_t *vals = json_object();
		if (!antt_body_decode(sqlite3_column_blob(st, 9),
		                      (size_t)sqlite3_column_bytes(st, 9), &b, derr)) {
			for (size_t i = 0; i < b.n_values; i++)
				json_object_set_new(vals, b.values[i].code,
				                    json_integer((json_int_t)b.values[i].value));
			if (b.note)
				json_object_set_new(vals, "", json_string(b.note));
			antt_body_clear(&b);
		}
		json_t *note = json_object_get(vals, "");
		json_t *note_j = note ? json_incref(note) : json_null();
		json_object_del(vals, "");
		/* a report of an old unit the unit took: as filed, in its list */
		json_t *filed_as = json_null();
		if (strcmp(s_col(st, 16), q->list))
			filed_as = json_pack("{s:s, s:s, s:s, s:s}", "unit", s_col(st, 18), "list",
			                     s_col(st, 16), "name", s_col(st, 17), "share",
			                     sqlite3_column_int(st, 15) == 1 ? "full" : "partial");
		const char *state = sqlite3_column_type(st, 19) != SQLITE_NULL ? "not_permitted"
		                    : sqlite3_column_int(st, 14)               ? "revoked"
		                    : sqlite3_column_int(st, 11)               ? "counts"
		                    : sqlite3_column_int(st, 12)               ? "conflict"
		                                                               : "superseded";
		json_array_append_new(
		    list,
		    json_pack(
		        "{s:o, s:o, s:I, s:s, s:s, s:I, s:o, s:I, s:o, s:o, s:o, s:s, s:o, s:o, "
		        "s:o, s:o}",
		        "id", s_hexj(sqlite3_column_blob(st, 0), sqlite3_column_bytes(st, 0)),
		        "author", s_hexj(sqlite3_column_blob(st, 1), sqlite3_column_bytes(st, 1)),
		        "seq", (json_int_t)sqlite3_column_int64(st, 2), "form", s_col(st, 3),
		        "period", s_col(st, 4), "clock", (json_int_t)sqlite3_column_int64(st, 5),
		        "corrects", s_hexj(sqlite3_column_blob(st, 6), sqlite3_column_bytes(st, 6)),
		        "received", (json_int_t)sqlite3_column_int64(st, 7), "first_stored",
		        sqlite3_column_type(st, 8) == SQLITE_NULL
		            ? json_null()
		            : json_integer(sqlite3_column_int64(st, 8)),
		        "signer_unit",
		        sqlite3_column_type(st, 10) == SQLITE_NULL ? json_null()
		                                                   : json_string(s_col(st, 10)),
		        "values", vals, "state", state, "corrected_by",
		        s_hexj(sqlite3_column_blob(st, 13), sqlite3_column_bytes(st, 13)), "note",
		        note_j, "filed_as", filed_as, "why",
		        sqlite3_column_type(st, 19) == SQLITE_NULL ? json_null()
		                                                   : json_string(s_col(st, 19))));
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE) {
		json_decref(list);
		s_dberr(q);
		return NULL;
	}
	char name[256] = "";
	int depth;
	int known = s_unit_in(q, q->list, unit, name, sizeof name, &depth) == 0;
	return json_pack("{s:b, s:{s:s, s:o, s:s}, s:s, s:o}", "ok", 1, "unit", "code", unit,
	                 "name", known ? json_string(name) : json_null(), "list", q->list, "period",
	                 q->period, "versions", list);
}

/* ---- export ---- */

static json_t *s_export(s_req_t *q, const json_t *req)
{
	size_t n;
	const antt_form_t **forms = s_forms(q, req, 0, &n);
	if (!forms)
		return NULL;
	json_t *rows = json_array();
	char sql[6144], scope[S_SCOPE_MAX];
	/* the units of L that reports are placed under; then, in their own
	 * list, the old units listed apart */
/* a district only where the list has one (2025-03; none in 2025-07) */
#define S_DISTRICT(U)                                                                              \
	"(CASE WHEN " U ".depth >= 3 THEN " U ".a2 WHEN " U ".level = 'district' THEN " U          \
	".code END)"
#define S_COLS(U)                                                                                  \
	"SELECT " U ".a1, (SELECT name FROM units WHERE list = " U ".list AND code = " U           \
	".a1), " S_DISTRICT(U) ", (SELECT name FROM units WHERE list = " U                         \
	                       ".list AND code = " S_DISTRICT(U) "), " U ".code, " U               \
	                                                         ".name, v.code, sum(v.value), " U \
	                                                         ".list"
	int len = snprintf(sql, sizeof sql,
	                   S_COLS("u") ", 0 FROM %s JOIN vals v ON v.n = r.n WHERE " S_IN_SPAN
	                               " AND %s GROUP BY u.code, v.code",
	                   s_from(q), s_scope_sql(q));
	if (q->mapped)
		snprintf(
		    sql + len, sizeof sql - (size_t)len,
		    " UNION ALL " S_COLS(
		        "o") ", 1 FROM reports r JOIN units o ON o.list = "
		             "antt_list_on(r.day1) AND o.code = r.unit JOIN vals v ON v.n = r.n "
		             "WHERE " S_IN_SPAN
		             " AND antt_apart(r.unit, r.day1) AND EXISTS(SELECT 1 "
		             "FROM unit_links k JOIN units n ON n.list = k.new_list AND n.code = "
		             "k.new_code WHERE k.old_list = o.list AND k.old_code = o.code AND "
		             "k.new_list = ?5 AND %s) GROUP BY o.list, o.code, v.code",
		    s_scope_of(q, "n", scope));
#undef S_COLS
#undef S_DISTRICT
	strncat(sql, " ORDER BY 10, 5, 7", sizeof sql - strlen(sql) - 1);
	for (size_t i = 0; i < n; i++) {
		sqlite3_stmt *st = s_prep(q, sql);
		if (!st) {
			json_decref(rows);
			free(forms);
			return NULL;
		}
		s_bind_scope(q, st, forms[i]->id);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const antt_indicator_t *ind = antt_form_indicator(forms[i], s_col(st, 6));
			json_array_append_new(
			    rows,
			    json_pack(
			        "{s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, "
			        "s:b}",
			        "province", s_col(st, 0), "province_name", s_col(st, 1), "district",
			        s_textj(st, 2), "district_name", s_textj(st, 3), "unit",
			        s_col(st, 4), "unit_name", s_col(st, 5), "form", forms[i]->id,
			        "period", q->period, "indicator", s_col(st, 6), "label",
			        ind ? ind->label : "", "value",
			        (json_int_t)sqlite3_column_int64(st, 7), "list", s_col(st, 8),
			        "apart", sqlite3_column_int(st, 9)));
		}
		sqlite3_finalize(st);
	}
	free(forms);
	return json_pack("{s:b, s:o, s:s, s:o}", "ok", 1, "unit", s_unit_json(q), "period",
	                 q->period, "rows", rows);
}

static json_t *s_answer(antt_store_t *s, const antt_reports_ctx_t *ctx, const json_t *req);

/* antt_day0(period), antt_day1(period): its first and last day (yyyymmdd),
 * 0 for no period */
static void s_day_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	int d0 = 0, d1 = 0;
	(void)argc;
	const char *p = (const char *)sqlite3_value_text(argv[0]);
	if (p)
		antt_period_days(p, &d0, &d1);
	sqlite3_result_int(ctx, sqlite3_user_data(ctx) ? d1 : d0);
}

json_t *antt_store_reports_answer(antt_store_t *s, const antt_reports_ctx_t *ctx, const json_t *req)
{
	sqlite3_create_function(s->db, "antt_day0", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
	                        s_day_fn, NULL, NULL);
	sqlite3_create_function(s->db, "antt_day1", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
	                        (void *)1, s_day_fn, NULL, NULL);
	/* one snapshot for all the queries of an answer */
	if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return antt_ctl_error(ANTT_CTL_STORE, sqlite3_errmsg(s->db));
	json_t *out = s_answer(s, ctx, req);
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return out;
}

/* The request's functions on the connection, while it lasts (fn NULL
 * removes them: no function outlives the request it points to). */
static void s_functions(s_req_t *q, int on)
{
	static const struct {
		const char *name;
		int argc;
		void (*fn)(sqlite3_context *, int, sqlite3_value **);
	} fns[] = {{"antt_list_on", 1, s_fn_list_on},
	           {"antt_place", 2, s_fn_place},
	           {"antt_apart", 2, s_fn_apart},
	           {"antt_takes", 3, s_fn_takes}};
	for (size_t i = 0; i < sizeof fns / sizeof *fns; i++)
		sqlite3_create_function(q->s->db, fns[i].name, fns[i].argc, SQLITE_UTF8,
		                        on ? q : NULL, on ? fns[i].fn : NULL, NULL, NULL);
}

static json_t *s_answer_op(s_req_t *q, const json_t *req)
{
	const char *op = json_string_value(json_object_get(req, "op"));
	if (!strcmp(op, "history")) {
		if (!s_period(q, req) && !s_lists(q, req))
			return s_history(q, req);
		return NULL;
	}
	if (s_scope(q, req))
		return NULL;
	if (!strcmp(op, "report"))
		return s_report(q, req);
	if (!strcmp(op, "missing"))
		return s_missing(q, req);
	return s_export(q, req);
}

static json_t *s_answer(antt_store_t *s, const antt_reports_ctx_t *ctx, const json_t *req)
{
	s_req_t q = {.s = s, .forms = ctx->forms, .node_unit = ctx->node_unit, .ctx = ctx};
	s_functions(&q, 1);
	json_t *out = s_answer_op(&q, req);
	s_functions(&q, 0);
	sqlite3_finalize(q.list_on);
	free(q.links);
	return out ? out : s_error(&q);
}
