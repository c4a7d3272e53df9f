/* report_bench.c - how fast a hub answers 'antt report' and 'antt missing'
 * over a store of a whole province and of the whole country.
 *
 * One run measures, on this machine:
 *   0. what the decoded tables cost at intake: antt_store_append_ex, into
 *      a new store each time, a transaction per --batch (5000), WAL,
 *      synchronous=FULL, of N enrollment records (nothing to decode), of
 *      the first N monthly reports of the national store with the decoded
 *      tables skipped (the store is handed them as a system form: same
 *      bodies, same records rows), and of the same N reports decoded (19
 *      vals rows and the report's row each);
 *   1. a province-sized store: every unit of a province that nothing is
 *      below (its communes; --province, default 01 Hà Nội), 12 monthly
 *      reports of bvanttq-monthly each for 2024 with every indicator of the
 *      form, plus corrections; then a national-sized one: every such unit
 *      of the country (10,047 communes and the 5 districts with none below
 *      them), at a node whose own unit (VN) is not in the list, the root;
 *   2. the boundary store: the root again, with both unit lists of 2025 and
 *      the links between them, loaded by 'antt units import' with no file
 *      (the lists this build of antt ships, ANTT_DATA_DIR): every leaf of
 *      2025-03 (10,047 communes, 5 island districts) files bvanttq-monthly
 *      for 2025-01..06, every commune of 2025-07 (3,321) for 2025-07..12;
 *      each key enrolled by the node as a station of its unit on a day of
 *      its list (2025-04-15 or 2025-07-15: authority by period, T5 of
 *      daemon/store_trust.c), the enrollments first in the store.
 *
 * A store is made as a hub's would be: 'antt init', then, with anttd not
 * running, the records appended through the store's own API
 * (antt_store_open / antt_store_begin / antt_store_append_ex /
 * antt_store_commit: the daemon's schema, statements and decoded tables),
 * in the order a hub would receive them.  Every record is real: one
 * Ed25519 key per unit (from a seed made of its code, so the figures are
 * the same from run to run), a valid chain per key, each body encoded and
 * signed as anttd does.  Then anttd is started on the store, 'antt units
 * import' loads the administrative units, and each command is timed as a
 * whole process (fork to exit, stdout to a file), --runs times:
 *     antt report --period 2024 --json
 *     antt report --period 2024                 (the table, by unit)
 *     antt report --period 2024 --by indicator
 *     antt missing --period 2024
 *     antt missing --period 2024 --json
 * (the boundary store:
 *     antt report --period 2025 --json
 *     antt report --period 2025
 *     antt missing --period 2025 --json
 *     antt missing --period 2025-05
 *     antt report --period 2025-Q2 --json)
 * beside this machine's own limits on the same store: SQLite's scan of the
 * decoded values (SELECT sum(value), count(*) FROM vals, on a new read-only
 * connection each time, as anttd opens one per report) and 'antt status'
 * as a process (the floor under any command).
 *
 * The data.  Values are pseudo-random in realistic ranges per indicator.
 * About 2 % of units correct one of their reports (0.2 % twice: the last
 * version counts), about 2.5 % file one report 10 days after the month
 * (late: the form's deadline is 5 days), about 1 % sign one 3 days before a
 * hub first stored it (clock skewed); --leave-out K units (4) are left out,
 * half of them every month, half only for November (the boundary store:
 * K of each list, the old ones' month May); the 2024 stores also hold the
 * 12 reports of a unit not in the list (99999).
 *
 * Checks: the answers must be right, or the figures mean nothing.  From the
 * JSON of the first run of each: report's totals for every indicator, the
 * number of units that reported, each row (province or district) with its
 * totals and units, no conflict, the unlisted count; missing's expected,
 * reported, late and skewed counts and its list of units not reported, each
 * with exactly the periods left out.  Every command must exit 0, the scan's
 * sum must be the sum of every value generated, and anttd must exit 0 on
 * SIGTERM.  The boundary store's answers against a ledger the bench keeps
 * from the links file, read on its own: over 2025 an old unit with one
 * full link counts under the new commune it names (its province's row of
 * 2025-07, the two one unit), one with partial links is listed apart with
 * its own figures and the units it went to, in the root's totals; missing
 * expects the old leaves for each month to June and the new communes
 * after, the units left out named by list and code with their months;
 * 2025-Q2 is answered in the old list, by old province, nothing apart.
 *
 *     bench/run.sh --reports       # Release build into build-bench, then run
 *     build-bench/bench/antt-report-bench [--json] [--runs 7] [--province 01]
 *
 * Exit code: 0 when every phase ran and every check held, 1 otherwise, 2
 * on a usage error; with --check also 1 when an aim (national report and
 * missing over 2024, boundary report and missing over 2025, median, under
 * 1 s) is missed. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "benchlib.h"
#include "common.h"
#include "config.h"
#include "ctlproto.h"
#include "forms.h"
#include "keyfile.h"
#include "record.h"
#include "store.h"
#include "units.h"

#define AIM_NATIONAL_S 1.0
#define FORM "bvanttq-monthly"
#define YEAR 2024 /* the province's and the national store's */
#define PERIOD "2024"
#define NATIONAL_UNIT "VN"    /* not in the list: the root */
#define UNLISTED_UNIT "99999" /* reports from a unit the list does not have */
#define LEFT_OUT_MONTH 11     /* the month the odd left-out units miss */
/* The boundary store: both unit lists of 2025 and the links between them,
 * as antt units import with no file loads them from ANTT_DATA_DIR */
#define B_YEAR 2025
#define B_PERIOD "2025"
#define B_OLD "2025-03" /* in force 2025-03-01 .. 2025-06-30 */
#define B_NEW "2025-07" /* from 2025-07-01 */
#define B_OLD_FILE "units-vn-2025-03.csv"
#define B_NEW_FILE "units-vn-2025-07.csv"
#define B_LINKS_FILE "units-vn-2025-03-to-2025-07.csv"
#define B_OLD_ENROLLED "2025-04-15" /* the day the old stations' keys are enrolled */
#define B_NEW_ENROLLED "2025-07-15" /* and the new communes' */
#define B_OLD_LEFT_MONTH 5          /* the month the odd left-out old units miss */
#define B_Q_FROM 4                  /* 2025-Q2: the months of the quarter checked */
#define B_Q_TO 6
#define START_TIMEOUT_MS 30000
#define STOP_TIMEOUT_MS 60000
#define TZ (7 * 3600) /* Vietnam time, as lib/period.h */
#define DAY 86400

typedef struct {
	const char *antt, *anttd, *forms, *tmpbase, *units, *province;
	long runs, intake, batch, leave_out;
	int json, keep, check, verify, no_province, no_national, no_boundary;
} s_opts_t;

static char s_dir[PATH_MAX]; /* the temporary folder, "" when none */
static pid_t s_daemon = -1;  /* the running anttd, -1 when none */
static char s_log[PATH_MAX + 32];
static const s_opts_t *s_o;
static int64_t s_run0;

/* ---- small helpers ---- */

static char *s_read_file(const char *path, size_t *len);

static void s_cleanup(int keep)
{
	if (s_daemon > 0) {
		kill(s_daemon, SIGTERM);
		waitpid(s_daemon, NULL, 0);
		s_daemon = -1;
	}
	bench_rmtree(s_dir, keep);
}

/* What bench_die does before it exits: the running anttd's log, then clean
 * up. */
static void s_on_die(void)
{
	bench_print_log(s_log, "anttd log (%s)", s_log);
	s_cleanup(s_o ? s_o->keep : 0);
}

static int64_t s_file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) < 0 ? 0 : (int64_t)st.st_size;
}

/* ---- deterministic data ---- */

static uint64_t s_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t s_hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ULL;
	return s_mix(h);
}

/* Unix time of y-m-d hh:mm Vietnam time; d may run past the month's end. */
static int64_t s_vn_time(int y, int m, int d, int hh, int mm)
{
	struct tm tm = {
	    .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = hh, .tm_min = mm};
	return (int64_t)timegm(&tm) - TZ;
}

static int s_days_in_month(int y, int m)
{
	return (int)((s_vn_time(y, m + 1, 1, 0, 0) - s_vn_time(y, m, 1, 0, 0)) / DAY);
}

/* The form's deadline for month m of year y, written out independently of
 * lib/period.c: the report is late when first stored on or after the start
 * (Vietnam time) of day `days` + 1 after the month's last day. */
static int64_t s_due(int y, int m, int days)
{
	return s_vn_time(y, m, s_days_in_month(y, m) + 1 + days, 0, 0);
}

/* A realistic monthly figure for indicator code (value of unit h, month m,
 * version v of the report). */
static uint64_t s_value(const char *code, uint64_t h, int m, int v)
{
	static const struct {
		const char *code;
		unsigned lo, hi;
	} ranges[] = {
	    {"hop_dan", 0, 6},
	    {"hop_dan_nguoi", 0, 600},
	    {"tuyen_truyen_truong", 0, 4},
	    {"tuyen_truyen_nguoi", 0, 900},
	    {"tin_bao", 0, 15},
	    {"to_giac", 0, 4},
	    {"truy_na_bat", 0, 2},
	    {"truy_na_dau_thu", 0, 1},
	    {"vu_khi_quan_dung", 0, 1},
	    {"vat_lieu_no", 0, 2},
	    {"cong_cu_ho_tro", 0, 3},
	    {"vu_khi_tho_so", 0, 5},
	    {"hoa_giai", 0, 10},
	    {"mo_hinh_tu_quan", 1, 20},
	    {"camera_an_ninh", 5, 300},
	    {"ho_cam_ket", 100, 3000},
	    {"giao_duc_tai_hoa_nhap", 0, 10},
	    {"ngay_hoi", 0, 1},
	    {"y_kien_lang_nghe", 0, 20},
	};
	unsigned lo = 0, hi = 10;
	for (size_t i = 0; i < sizeof ranges / sizeof *ranges; i++)
		if (!strcmp(ranges[i].code, code))
			lo = ranges[i].lo, hi = ranges[i].hi;
	uint64_t r = s_mix(h ^ s_hash_str(code) ^ ((uint64_t)m << 40) ^ ((uint64_t)v << 52));
	return lo + r % (hi - lo + 1);
}

/* ---- the units and their records ---- */

typedef struct {
	const char *code, *key; /* key: the row it falls in (child of the scope),
	                         * NULL when it is listed apart */
	const char *list;       /* its unit list (the boundary store), else NULL */
	const char *name;       /* its name in that list */
	const char *place;      /* the unit of the answer's list it counts under */
	const char *qkey;       /* the boundary store: its row in 2025-Q2 */
	long apart;             /* its index in the scope's apart, or -1 */
	int listed;
	int m0, m1; /* the months it files */
	uint64_t h;
	uint8_t pk[ANTT_KEY_BYTES], sk[ANTT_SECKEY_BYTES];
	unsigned skip;          /* bit m-1: month m not reported */
	int corr_month, n_corr; /* the month corrected, and how many times */
	int late_month, skew_month;
} s_unit_t;

typedef struct {
	uint32_t unit; /* index in the scope's units */
	uint8_t month, version;
	uint64_t seq;
	int64_t clock, first, received;
	uint8_t id[ANTT_ID_BYTES], prev[ANTT_ID_BYTES], corrects[ANTT_ID_BYTES];
	uint8_t sig[ANTT_SIG_BYTES];
	uint8_t *body;
	size_t blen;
} s_rec_t;

/* What the answers must say: sums by row key and indicator. */
typedef struct {
	char key[ANTT_UNIT_MAX + 1];
	uint64_t *sum; /* per indicator */
	long units;
} s_row_t;

/* An old unit split between several new ones (partial links): listed
 * apart by antt report, with its own figures. */
typedef struct {
	const s_unit_t *u;
	const char **to; /* the new units that took a part, ascending */
	size_t n_to;
	uint64_t *sum; /* per indicator */
	int reported;
} s_apart_t;

/* The commands timed on a store, and which answer each one's JSON is
 * checked against. */
enum { K_NONE, K_REPORT, K_MISSING, K_REPORT_Q };
#define S_CMDS 5
typedef struct {
	const char *label, *args[6];
	int check;
} s_cmd_t;

typedef struct {
	const char *name; /* "province", "national" or "boundary" */
	const char *node_unit;
	const char *scope_name;
	int national, boundary;
	int year;
	const s_cmd_t *cmds; /* S_CMDS of them */
	const antt_form_t *form;
	const char **codes; /* the form's indicator codes, ascending */
	size_t n_ind;
	s_unit_t *u;
	size_t n_units, n_listed;
	s_rec_t *r; /* in the order a hub receives them */
	size_t n_recs, n_corr;
	/* expected */
	uint64_t *total;  /* per indicator, the versions that count, listed units */
	uint64_t all_sum; /* every value of every record: the scan's sum */
	uint64_t vals_rows;
	s_row_t *rows;
	size_t n_rows;
	long units_reported, expected, reported, late, skewed, unlisted;
	size_t n_left_out;
	uint64_t body_bytes;
	/* the boundary store: the old units listed apart, and 2025-Q2 (asked
	 * in the old list: rows by old province) */
	s_apart_t *apart;
	size_t n_apart;
	long n_old, n_new; /* units of each list expected */
	size_t n_enroll;   /* enrollment records, before the reports */
	uint64_t *qtotal;
	s_row_t *qrows;
	size_t n_qrows;
	long q_units;
} s_scope_t;

static int s_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The units the scope expects reports from: the leaves of the list
 * (units nothing is below), all or those of one province. */
static void s_scope_units(s_scope_t *sc, const antt_units_t *list, const char *province)
{
	char *has_child = antt_xcalloc(list->n, 1);
	for (size_t i = 0; i < list->n; i++)
		if (list->v[i].parent) {
			long p = antt_units_find(list, list->v[i].parent);
			if (p >= 0)
				has_child[p] = 1;
		}
	sc->u = antt_xcalloc(list->n + 1, sizeof *sc->u);
	for (size_t i = 0; i < list->n; i++) {
		const antt_unit_t *x = &list->v[i];
		if (has_child[i] || (province && strcmp(x->anc[0], province)))
			continue;
		s_unit_t *u = &sc->u[sc->n_units++];
		u->code = u->place = x->code;
		u->name = x->name;
		u->listed = 1;
		u->apart = -1;
		u->m0 = 1, u->m1 = 12;
		/* the rows of antt report --by unit: the provinces at the root, the
		 * districts (or a province's communes in a two-level tree) below */
		u->key = province ? (x->anc[1] ? x->anc[1] : x->code) : x->anc[0];
	}
	free(has_child);
	sc->n_listed = sc->n_units;
	/* and one the list does not have (a hub counts its reports apart) */
	s_unit_t *u = &sc->u[sc->n_units++];
	u->code = u->place = UNLISTED_UNIT;
	u->key = "";
	u->apart = -1;
	u->m0 = 1, u->m1 = 12;
}

/* ---- the boundary store's ledger: the links file, read on its own ---- */

typedef struct {
	char *old, *new; /* codes */
	int full;
} s_link_t;

typedef struct {
	s_link_t *v; /* sorted by old code, then new code */
	size_t n;
	char *text; /* the file, cut into the codes */
} s_links_t;

static int s_link_cmp(const void *a, const void *b)
{
	const s_link_t *x = a, *y = b;
	int c = strcmp(x->old, y->old);
	return c ? c : strcmp(x->new, y->new);
}

/* The links file's first three columns (old_code,new_code,share), by hand:
 * the ledger the boundary's answers are checked against must not come from
 * the parser the daemon imports the same file with. */
static void s_links_read(const char *path, s_links_t *out)
{
	size_t len;
	memset(out, 0, sizeof *out);
	out->text = s_read_file(path, &len);
	out->text = antt_xrealloc(out->text, len + 1);
	out->text[len] = '\0';
	size_t cap = 0;
	long line = 0;
	for (char *p = out->text, *next; p && *p; p = next) {
		next = strchr(p, '\n');
		if (next)
			*next++ = '\0';
		if (line++ == 0 || !*p)
			continue; /* the header */
		char *f[3] = {p, NULL, NULL};
		for (int i = 1; i < 3; i++)
			if ((f[i] = strchr(f[i - 1], ',')))
				*f[i]++ = '\0';
			else
				bench_die("%s: line %ld has fewer than 3 fields", path, line);
		char *end = strchr(f[2], ',');
		if (end)
			*end = '\0';
		if (strcmp(f[2], "full") && strcmp(f[2], "partial"))
			bench_die("%s: line %ld: share '%s' is neither full nor partial", path,
			          line, f[2]);
		if (out->n == cap)
			out->v =
			    antt_xrealloc(out->v, (cap = cap ? 2 * cap : 16384) * sizeof *out->v);
		out->v[out->n++] = (s_link_t){f[0], f[1], !strcmp(f[2], "full")};
	}
	qsort(out->v, out->n, sizeof *out->v, s_link_cmp);
}

static void s_links_free(s_links_t *l)
{
	free(l->v);
	free(l->text);
	memset(l, 0, sizeof *l);
}

/* The first link from old code, or NULL; the others follow it. */
static const s_link_t *s_links_from(const s_links_t *l, const char *code)
{
	size_t lo = 0, hi = l->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(l->v[mid].old, code) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < l->n && !strcmp(l->v[lo].old, code) ? &l->v[lo] : NULL;
}

/* has[i] = 1 when some unit of list is below its i-th (caller frees) */
static char *s_has_child(const antt_units_t *list)
{
	char *has = antt_xcalloc(list->n + 1, 1);
	for (size_t i = 0; i < list->n; i++)
		if (list->v[i].parent) {
			long p = antt_units_find(list, list->v[i].parent);
			if (p >= 0)
				has[p] = 1;
		}
	return has;
}

/* The boundary store's units: every leaf of the old list (its communes and
 * the island districts with none), filing January to June, placed in the
 * new list by the links (one full link: the new commune, its province's
 * row; partial links: apart); then every leaf of the new list, filing July
 * to December, in its province's row.  2025-Q2 is answered in the old
 * list: its rows are the old provinces. */
static void s_boundary_units(s_scope_t *sc, const antt_units_t *old, const antt_units_t *new,
                             const s_links_t *links)
{
	char *oc = s_has_child(old), *nc = s_has_child(new);
	sc->u = antt_xcalloc(old->n + new->n, sizeof *sc->u);
	sc->apart = antt_xcalloc(old->n, sizeof *sc->apart);
	for (size_t i = 0; i < old->n; i++) {
		const antt_unit_t *x = &old->v[i];
		if (oc[i])
			continue;
		s_unit_t *u = &sc->u[sc->n_units++];
		*u = (s_unit_t){.code = x->code,
		                .list = B_OLD,
		                .name = x->name,
		                .qkey = x->anc[0],
		                .apart = -1,
		                .listed = 1,
		                .m0 = 1,
		                .m1 = 6};
		const s_link_t *l = s_links_from(links, x->code);
		size_t n = 0;
		while (l && l + n < links->v + links->n && !strcmp(l[n].old, x->code))
			n++;
		if (n == 1 && l->full) {
			long p = antt_units_find(new, l->new);
			if (p < 0)
				bench_die("%s: %s links to %s, which %s does not have",
				          B_LINKS_FILE, x->code, l->new, B_NEW_FILE);
			u->place = new->v[p].code;
			u->key = new->v[p].anc[0];
		} else if (n) {
			s_apart_t *a = &sc->apart[sc->n_apart];
			u->apart = (long)sc->n_apart++;
			a->u = u;
			a->to = antt_xcalloc(n, sizeof *a->to);
			a->sum = antt_xcalloc(sc->n_ind, sizeof *a->sum);
			for (size_t k = 0; k < n; k++) {
				if (l[k].full)
					bench_die("%s: %s has a full link beside others",
					          B_LINKS_FILE, x->code);
				a->to[a->n_to++] = l[k].new;
			}
		} else {
			bench_die("%s: no link from %s (%s), a leaf of %s", B_LINKS_FILE, x->code,
			          x->name, B_OLD_FILE);
		}
		sc->n_old++;
	}
	for (size_t i = 0; i < new->n; i++) {
		const antt_unit_t *x = &new->v[i];
		if (nc[i])
			continue;
		s_unit_t *u = &sc->u[sc->n_units++];
		*u = (s_unit_t){.code = x->code,
		                .list = B_NEW,
		                .name = x->name,
		                .place = x->code,
		                .key = x->anc[0],
		                .apart = -1,
		                .listed = 1,
		                .m0 = 7,
		                .m1 = 12};
		sc->n_new++;
	}
	sc->n_listed = sc->n_units;
	free(oc);
	free(nc);
}

/* units u[from..to) left out: k even every month it files, k odd only
 * month */
static size_t s_leave_out(s_unit_t *u, size_t from, size_t to, long leave_out, int month)
{
	size_t n = to - from, done = 0;
	for (long k = 0; k < leave_out && (size_t)k < n; k++, done++) {
		s_unit_t *x = &u[from + (size_t)(2 * k + 1) * n / (size_t)(2 * leave_out)];
		x->skip =
		    k % 2 ? 1u << (month - 1) : ((1u << x->m1) - 1) & ~((1u << (x->m0 - 1)) - 1);
	}
	return done;
}

static void s_scope_plan(s_scope_t *sc, long leave_out)
{
	for (size_t i = 0; i < sc->n_units; i++) {
		s_unit_t *u = &sc->u[i];
		uint8_t seed[ANTT_SEED_BYTES];
		char who[64];
		/* a code alone does not say which list it is from (12337 is a
		 * commune of each, not the same): the boundary's units by both */
		snprintf(who, sizeof who, "%s%s%s", u->list ? u->list : "", u->list ? ":" : "",
		         u->code);
		u->h = s_hash_str(who);
		crypto_generichash(seed, sizeof seed, (const uint8_t *)who, strlen(who),
		                   (const uint8_t *)"antt-report-bench", 17);
		crypto_sign_seed_keypair(u->pk, u->sk, seed);
		if (!u->listed)
			continue;
		int months = u->m1 - u->m0 + 1;
		if (u->h % 50 == 0) {
			u->corr_month = u->m0 + (int)(u->h / 50 % (uint64_t)months);
			u->n_corr = u->h % 500 == 0 ? 2 : 1;
		}
		if (u->h % 40 == 7)
			u->late_month = u->m0 + (int)(u->h / 40 % (uint64_t)months);
		if (u->h % 97 == 3)
			u->skew_month = u->m0 + (int)(u->h / 97 % (uint64_t)months);
	}
	/* the units left out, spread over the list (over each list) */
	if (!sc->boundary) {
		sc->n_left_out = s_leave_out(sc->u, 0, sc->n_listed, leave_out, LEFT_OUT_MONTH);
		return;
	}
	size_t n_old = (size_t)sc->n_old;
	sc->n_left_out = s_leave_out(sc->u, 0, n_old, leave_out, B_OLD_LEFT_MONTH) +
	                 s_leave_out(sc->u, n_old, sc->n_listed, leave_out, LEFT_OUT_MONTH);
}

typedef struct {
	s_rec_t *r;
	size_t from, to;
	const s_scope_t *sc;
} s_signer_t;

static void *s_sign_part(void *arg)
{
	s_signer_t *p = arg;
	for (size_t i = p->from; i < p->to; i++) {
		s_rec_t *r = &p->r[i];
		antt_record_sign(r->sig, r->body, r->blen, p->sc->u[r->unit].sk);
	}
	return NULL;
}

/* Sign r[0..n) on one thread per core. */
static void s_sign_all(const s_scope_t *sc, s_rec_t *r, size_t n)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	ncpu = ncpu < 1 ? 1 : ncpu > 16 ? 16 : ncpu;
	pthread_t th[16];
	s_signer_t parts[16];
	for (long t = 0; t < ncpu; t++) {
		parts[t] = (s_signer_t){r, n * (size_t)t / (size_t)ncpu,
		                        n * (size_t)(t + 1) / (size_t)ncpu, sc};
		if (pthread_create(&th[t], NULL, s_sign_part, &parts[t]) != 0)
			bench_die("pthread_create failed");
	}
	for (long t = 0; t < ncpu; t++)
		pthread_join(th[t], NULL);
}

/* The body of record r (its values filled into vals). */
static void s_body_of(const s_scope_t *sc, const s_rec_t *r, antt_value_t *vals, char *period,
                      antt_body_t *b)
{
	const s_unit_t *u = &sc->u[r->unit];
	snprintf(period, 16, "%04d-%02d", sc->year, r->month);
	for (size_t k = 0; k < sc->n_ind; k++) {
		vals[k].code = (char *)sc->codes[k];
		vals[k].value = s_value(sc->codes[k], u->h, r->month, r->version);
	}
	memset(b, 0, sizeof *b);
	b->version = ANTT_RECORD_VERSION;
	memcpy(b->author, u->pk, ANTT_KEY_BYTES);
	b->seq = r->seq;
	b->unit = (char *)u->code;
	b->clock = r->clock;
	b->form = (char *)FORM;
	b->period = period;
	b->n_values = sc->n_ind;
	b->values = vals;
	memcpy(b->prev, r->prev, ANTT_ID_BYTES);
	if (r->version) {
		b->note = (char *)"Điều chỉnh số liệu theo kết quả rà soát";
		b->has_corrects = 1;
		memcpy(b->corrects, r->corrects, ANTT_ID_BYTES);
	}
}

static int s_rec_cmp(const void *a, const void *b)
{
	const s_rec_t *x = a, *y = b;
	if (x->received != y->received)
		return x->received < y->received ? -1 : 1;
	if (x->unit != y->unit)
		return x->unit < y->unit ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* The row of key in rows[0..*n), added when there is none. */
static s_row_t *s_row(s_row_t **rows, size_t *n, size_t n_ind, const char *key)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*rows)[i].key, key))
			return &(*rows)[i];
	*rows = antt_xrealloc(*rows, (*n + 1) * sizeof **rows);
	s_row_t *row = &(*rows)[(*n)++];
	memset(row, 0, sizeof *row);
	snprintf(row->key, sizeof row->key, "%s", key);
	row->sum = antt_xcalloc(n_ind, sizeof *row->sum);
	return row;
}

static void s_add(uint64_t *sum, const antt_value_t *vals, size_t n)
{
	for (size_t k = 0; k < n; k++)
		sum[k] += vals[k].value;
}

/* The units that reported, per row and in all, as antt report counts
 * them: the units of the answer's list their reports are placed in (two
 * old communes merged into one new commune are one unit). */
static void s_count_units(s_scope_t *sc, const char *reported)
{
	char **kp = antt_xcalloc(sc->n_units + 1, sizeof *kp);
	size_t n = 0;
	for (size_t i = 0; i < sc->n_units; i++)
		if (reported[i] && sc->u[i].listed && sc->u[i].key) {
			size_t len = strlen(sc->u[i].key) + strlen(sc->u[i].place) + 2;
			kp[n] = antt_xmalloc(len);
			snprintf(kp[n++], len, "%s\x01%s", sc->u[i].key, sc->u[i].place);
		}
	qsort(kp, n, sizeof *kp, s_cmp_str);
	for (size_t i = n; i-- > 0;) { /* from the end: kp[i - 1] still whole */
		if (i && !strcmp(kp[i], kp[i - 1]))
			continue;
		*strchr(kp[i], '\x01') = '\0';
		s_row(&sc->rows, &sc->n_rows, sc->n_ind, kp[i])->units++;
		sc->units_reported++;
	}
	for (size_t i = 0; i < n; i++)
		free(kp[i]);
	free(kp);
}

/* Every record of the scope: made, chained, signed, in arrival order; and
 * what the answers must say. */
static void s_scope_records(s_scope_t *sc)
{
	char err[ANTT_ERR_MAX], period[16];
	size_t cap = sc->n_units * 12 + 64;
	antt_value_t *vals = antt_xcalloc(sc->n_ind, sizeof *vals);
	char *reported = antt_xcalloc(sc->n_units + 1, 1);
	sc->r = antt_xcalloc(cap, sizeof *sc->r);
	sc->total = antt_xcalloc(sc->n_ind, sizeof *sc->total);
	sc->qtotal = antt_xcalloc(sc->n_ind, sizeof *sc->qtotal);
	for (size_t i = 0; i < sc->n_units; i++) {
		s_unit_t *u = &sc->u[i];
		uint64_t seq = 0;
		uint8_t prev[ANTT_ID_BYTES] = {0};
		int in_q = 0;
		for (int m = u->m0; m <= u->m1; m++) {
			if (u->skip & (1u << (m - 1)))
				continue;
			int64_t end = s_vn_time(sc->year, m, s_days_in_month(sc->year, m), 0, 0);
			/* signed 1 to 4 days after the month, in office hours, or 10
			 * days after (late); stored by the first hub (the district)
			 * 5 to 60 minutes later, here 10 to 30 minutes after that */
			int64_t clock = end + (int64_t)(1 + u->h % 4) * DAY + 8 * 3600 +
			                (int64_t)((u->h >> 8) % (9 * 3600));
			if (m == u->late_month)
				clock = end + 10 * DAY + 9 * 3600;
			int64_t first = clock + 300 + (int64_t)((u->h >> 20) % 3300);
			int64_t recv = first + 600 + (int64_t)((u->h >> 32) % 1200);
			if (m == u->skew_month) /* signed, then 3 days offline */
				clock -= 3 * DAY;
			int versions = 1 + (m == u->corr_month ? u->n_corr : 0);
			for (int v = 0; v < versions; v++) {
				if (sc->n_recs == cap)
					sc->r = antt_xrealloc(sc->r, (cap *= 2) * sizeof *sc->r);
				s_rec_t *r = &sc->r[sc->n_recs++];
				memset(r, 0, sizeof *r);
				r->unit = (uint32_t)i;
				r->month = (uint8_t)m;
				r->version = (uint8_t)v;
				r->seq = ++seq;
				/* a correction: 3 days after the version it corrects */
				r->clock = clock + (int64_t)v * 3 * DAY;
				r->first = first + (int64_t)v * 3 * DAY;
				r->received = recv + (int64_t)v * 3 * DAY;
				if (v)
					memcpy(r->corrects, r[-1].id, ANTT_ID_BYTES);
				memcpy(r->prev, prev, ANTT_ID_BYTES);
				antt_body_t b;
				s_body_of(sc, r, vals, period, &b);
				if (antt_body_encode(&b, &r->body, &r->blen, err))
					bench_die("encoding a body: %s", err);
				antt_record_id(r->id, r->body, r->blen);
				memcpy(prev, r->id, ANTT_ID_BYTES);
				sc->body_bytes += r->blen;
				sc->n_corr += v > 0;
				for (size_t k = 0; k < sc->n_ind; k++)
					sc->all_sum += vals[k].value;
				sc->vals_rows += sc->n_ind;
				if (v + 1 < versions)
					continue;
				/* the version that counts: under the unit it is placed in,
				 * or apart (in the totals: the root holds every unit it
				 * went to) */
				if (!u->listed) {
					sc->unlisted++;
					continue;
				}
				s_add(sc->total, vals, sc->n_ind);
				if (u->apart >= 0) {
					sc->apart[u->apart].reported = 1;
					s_add(sc->apart[u->apart].sum, vals, sc->n_ind);
				} else {
					s_add(s_row(&sc->rows, &sc->n_rows, sc->n_ind, u->key)->sum,
					      vals, sc->n_ind);
				}
				if (u->qkey && m >= B_Q_FROM && m <= B_Q_TO) {
					s_add(sc->qtotal, vals, sc->n_ind);
					s_add(s_row(&sc->qrows, &sc->n_qrows, sc->n_ind, u->qkey)
					          ->sum,
					      vals, sc->n_ind);
					in_q = 1;
				}
			}
			if (!u->listed)
				continue;
			reported[i] = 1;
			sc->reported++;
			/* late and skewed go by the first version */
			if (first >= s_due(sc->year, m, sc->form->deadline_days))
				sc->late++;
			if (clock > first + 10 * 60 || clock < first - 2 * DAY)
				sc->skewed++;
		}
		if (u->listed)
			sc->expected += u->m1 - u->m0 + 1;
		if (in_q) { /* in the old list, each unit its own */
			s_row(&sc->qrows, &sc->n_qrows, sc->n_ind, u->qkey)->units++;
			sc->q_units++;
		}
	}
	s_count_units(sc, reported);
	free(reported);
	free(vals);
	s_sign_all(sc, sc->r, sc->n_recs);
	qsort(sc->r, sc->n_recs, sizeof *sc->r, s_rec_cmp);
	/* a hub receives each author's chain in order */
	uint64_t *last = antt_xcalloc(sc->n_units, sizeof *last);
	for (size_t i = 0; i < sc->n_recs; i++) {
		if (sc->r[i].seq != last[sc->r[i].unit] + 1)
			bench_die("the arrival order breaks a chain (unit %s)",
			          sc->u[sc->r[i].unit].code);
		last[sc->r[i].unit] = sc->r[i].seq;
	}
	free(last);
}

static void s_scope_free(s_scope_t *sc)
{
	for (size_t i = 0; i < sc->n_recs; i++)
		free(sc->r[i].body);
	for (size_t i = 0; i < sc->n_rows; i++)
		free(sc->rows[i].sum);
	for (size_t i = 0; i < sc->n_qrows; i++)
		free(sc->qrows[i].sum);
	for (size_t i = 0; i < sc->n_apart; i++) {
		free(sc->apart[i].to);
		free(sc->apart[i].sum);
	}
	free(sc->apart);
	free(sc->qrows);
	free(sc->qtotal);
	free(sc->rows);
	free(sc->r);
	free(sc->u);
	free(sc->total);
	sodium_memzero(sc, sizeof *sc);
}

/* Append r[0..n) to store st, a transaction per batch; records/s.
 * undecoded: the store is told the records are of a system form (the
 * bodies stay the same), so that it fills no decoded table: what the
 * appends cost without them (a measurement only; such a store is wrong). */
static double s_append(const s_scope_t *sc, antt_store_t *st, const s_rec_t *r, size_t n,
                       long batch, int undecoded)
{
	char err[ANTT_ERR_MAX], period[16];
	antt_value_t *vals = antt_xcalloc(sc->n_ind + 1, sizeof *vals);
	int64_t t0 = bench_now_ns();
	for (size_t i = 0; i < n;) {
		size_t end = i + (size_t)batch < n ? i + (size_t)batch : n;
		if (antt_store_begin(st, err))
			bench_die("%s", err);
		for (; i < end; i++) {
			antt_body_t b;
			s_body_of(sc, &r[i], vals, period, &b);
			if (undecoded)
				b.form = (char *)ANTT_FORM_RESERVED "bench";
			if (antt_store_append_ex(st, r[i].id, r[i].body, r[i].blen, r[i].sig, &b,
			                         r[i].received, r[i].first, 1, err))
				bench_die("appending: %s", err);
		}
		if (antt_store_commit(st, err))
			bench_die("%s", err);
	}
	double s = bench_since_s(t0);
	free(vals);
	return (double)n / s;
}

/* ---- 0. intake: what the decoded tables cost ---- */

typedef struct {
	long n;
	double enroll_rps, undecoded_rps, monthly_rps;
	size_t enroll_body, monthly_body;
} s_intake_t;

static antt_store_t *s_new_store(const char *path)
{
	char err[ANTT_ERR_MAX];
	uint8_t node_pk[ANTT_KEY_BYTES];
	antt_store_t *st;
	randombytes_buf(node_pk, sizeof node_pk);
	if (antt_store_open(path, node_pk, ANTT_STORE_CREATE, &st, err))
		bench_die("%s", err);
	return st;
}

static void s_intake(const s_scope_t *sc, long n, long batch, s_intake_t *out)
{
	char path[PATH_MAX + 32], err[ANTT_ERR_MAX], day[16];
	n = (size_t)n > sc->n_recs ? (long)sc->n_recs : n;
	out->n = n;

	/* enrollment records: one hub enrolling a key per unit, one chain */
	uint8_t hub_pk[ANTT_KEY_BYTES], hub_sk[ANTT_SECKEY_BYTES], prev[ANTT_ID_BYTES] = {0};
	crypto_sign_keypair(hub_pk, hub_sk);
	uint8_t **body = antt_xcalloc((size_t)n, sizeof *body);
	size_t *blen = antt_xcalloc((size_t)n, sizeof *blen);
	uint8_t(*id)[ANTT_ID_BYTES] = antt_xcalloc((size_t)n, ANTT_ID_BYTES);
	uint8_t(*sig)[ANTT_SIG_BYTES] = antt_xcalloc((size_t)n, ANTT_SIG_BYTES);
	antt_body_t *b = antt_xcalloc((size_t)n, sizeof *b);
	for (long i = 0; i < n; i++) {
		const s_unit_t *u = &sc->u[(size_t)i % sc->n_units];
		int64_t clock = s_vn_time(YEAR, 1, 2, 8, 0) + i * 7;
		time_t t = (time_t)(clock + TZ);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(day, sizeof day, "%Y-%m-%d", &tm);
		b[i] = (antt_body_t){.version = ANTT_RECORD_VERSION,
		                     .seq = (uint64_t)i + 1,
		                     .unit = (char *)"001",
		                     .clock = clock,
		                     .form = (char *)ANTT_FORM_ENROLL,
		                     .period = antt_xstrdup(day),
		                     .has_enroll = 1,
		                     .enroll_grant = ANTT_GRANT_STATION,
		                     .enroll_unit = (char *)u->code};
		memcpy(b[i].author, hub_pk, ANTT_KEY_BYTES);
		memcpy(b[i].prev, prev, ANTT_ID_BYTES);
		/* each key once: the unit's, varied past the first round */
		memcpy(b[i].enroll_key, u->pk, ANTT_KEY_BYTES);
		b[i].enroll_key[0] ^= (uint8_t)((size_t)i / sc->n_units);
		b[i].enroll_key[1] ^= (uint8_t)((size_t)i / sc->n_units >> 8);
		if (antt_body_encode(&b[i], &body[i], &blen[i], err))
			bench_die("encoding an enrollment: %s", err);
		antt_record_id(id[i], body[i], blen[i]);
		antt_record_sign(sig[i], body[i], blen[i], hub_sk);
		memcpy(prev, id[i], ANTT_ID_BYTES);
	}
	out->enroll_body = blen[0];
	snprintf(path, sizeof path, "%s/intake-enroll.db", s_dir);
	antt_store_t *st = s_new_store(path);
	int64_t now = s_vn_time(YEAR, 1, 2, 9, 0), t0 = bench_now_ns();
	for (long i = 0; i < n;) {
		long end = i + batch < n ? i + batch : n;
		if (antt_store_begin(st, err))
			bench_die("%s", err);
		for (; i < end; i++)
			if (antt_store_append_ex(st, id[i], body[i], blen[i], sig[i], &b[i], now,
			                         now, 1, err))
				bench_die("appending an enrollment: %s", err);
		if (antt_store_commit(st, err))
			bench_die("%s", err);
	}
	out->enroll_rps = (double)n / bench_since_s(t0);
	antt_store_close(&st);
	bench_unlink_db(path);
	for (long i = 0; i < n; i++) {
		free(body[i]);
		free(b[i].period);
	}
	free(body);
	free(blen);
	free(id);
	free(sig);
	free(b);
	sodium_memzero(hub_sk, sizeof hub_sk);

	/* the first n monthly reports of the scope, as they arrive */
	out->monthly_body = sc->r[0].blen;
	snprintf(path, sizeof path, "%s/intake-undecoded.db", s_dir);
	st = s_new_store(path);
	out->undecoded_rps = s_append(sc, st, sc->r, (size_t)n, batch, 1);
	antt_store_close(&st);
	bench_unlink_db(path);
	snprintf(path, sizeof path, "%s/intake-monthly.db", s_dir);
	st = s_new_store(path);
	out->monthly_rps = s_append(sc, st, sc->r, (size_t)n, batch, 0);
	antt_store_close(&st);
	bench_unlink_db(path);
}

/* ---- the node ---- */

static void s_start_daemon(const antt_config_t *cfg, const char *conf)
{
	char err[ANTT_ERR_MAX];
	char *argv[] = {(char *)s_o->anttd, "-c", (char *)conf, NULL};
	pid_t pid = bench_spawn(argv, s_log);
	s_daemon = pid;
	int64_t deadline = bench_now_ns() + (int64_t)START_TIMEOUT_MS * 1000000;
	json_t *ping = json_pack("{s:s}", "op", "ping");
	for (;;) {
		int status;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			s_daemon = -1;
			bench_die("anttd (%s) exited at start (status %d)", s_o->anttd,
			          WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		}
		json_t *resp = NULL;
		if (antt_ctl_daemon_running(cfg->lock_path, NULL) == 1 &&
		    antt_ctl_call(cfg->endpoint, ping, NULL, 0, 1000, &resp, err) == ANTT_OK &&
		    json_is_true(json_object_get(resp, "ok"))) {
			json_decref(resp);
			break;
		}
		json_decref(resp);
		if (bench_now_ns() > deadline)
			bench_die("anttd did not answer within %d ms", START_TIMEOUT_MS);
		usleep(20000);
	}
	json_decref(ping);
}

static void s_stop_daemon(void)
{
	int status = 0;
	kill(s_daemon, SIGTERM);
	int64_t deadline = bench_now_ns() + (int64_t)STOP_TIMEOUT_MS * 1000000;
	for (;;) {
		if (waitpid(s_daemon, &status, WNOHANG) == s_daemon)
			break;
		if (bench_now_ns() > deadline) {
			kill(s_daemon, SIGKILL);
			waitpid(s_daemon, &status, 0);
			s_daemon = -1;
			bench_die("anttd did not stop within %d ms of SIGTERM", STOP_TIMEOUT_MS);
		}
		usleep(10000);
	}
	s_daemon = -1;
	int rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (rc != 0)
		bench_die("anttd exited with status %d after SIGTERM", rc);
}

/* ---- 1. a store, served, and the commands timed ---- */

/* The province's and the national store's; the aims: C_REPORT_JSON and
 * C_MISSING of the national store. */
enum { C_REPORT_JSON, C_REPORT, C_REPORT_IND, C_MISSING, C_MISSING_JSON };
static const s_cmd_t s_cmds_year[S_CMDS] = {
    [C_REPORT_JSON] = {"antt report --period 2024 --json",
                       {"report", "--period", PERIOD, "--json"},
                       K_REPORT},
    [C_REPORT] = {"antt report --period 2024", {"report", "--period", PERIOD}, K_NONE},
    [C_REPORT_IND] = {"antt report --period 2024 --by indicator",
                      {"report", "--period", PERIOD, "--by", "indicator"},
                      K_NONE},
    [C_MISSING] = {"antt missing --period 2024", {"missing", "--period", PERIOD}, K_NONE},
    [C_MISSING_JSON] = {"antt missing --period 2024 --json",
                        {"missing", "--period", PERIOD, "--json"},
                        K_MISSING},
};

/* The boundary store's; the aims: B_REPORT_JSON and B_MISSING_JSON. */
enum { B_REPORT_JSON, B_REPORT, B_MISSING_JSON, B_MISSING_MAY, B_REPORT_Q2 };
static const s_cmd_t s_cmds_boundary[S_CMDS] = {
    [B_REPORT_JSON] = {"antt report --period 2025 --json",
                       {"report", "--period", B_PERIOD, "--json"},
                       K_REPORT},
    [B_REPORT] = {"antt report --period 2025", {"report", "--period", B_PERIOD}, K_NONE},
    [B_MISSING_JSON] = {"antt missing --period 2025 --json",
                        {"missing", "--period", B_PERIOD, "--json"},
                        K_MISSING},
    [B_MISSING_MAY] = {"antt missing --period 2025-05", {"missing", "--period", "2025-05"}, K_NONE},
    [B_REPORT_Q2] = {"antt report --period 2025-Q2 --json",
                     {"report", "--period", "2025-Q2", "--json"},
                     K_REPORT_Q},
};

typedef struct {
	double build_s, build_rps, sign_s, gen_s, import_ms, verify_ms;
	int64_t db_bytes, records, vals_rows, reports_rows;
	bench_stats_t scan_ms, status_ms, cmd_ms[S_CMDS];
	int64_t out_bytes[S_CMDS];
	double scan_rows_per_s;
	int checks; /* how many held; any failure dies */
} s_result_t;

static int64_t s_int(json_t *o, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(o, key));
}

static json_t *s_form_of(json_t *doc, const char *form)
{
	size_t i;
	json_t *f;
	json_array_foreach (json_object_get(doc, "forms"), i, f)
		if (!strcmp(json_string_value(json_object_get(f, "form")) ?: "", form))
			return f;
	return NULL;
}

static json_t *s_load(const char *path, const char *what)
{
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);
	if (!j)
		bench_die("%s: not JSON (%s)", what, je.text);
	return j;
}

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond))                                                                       \
			bench_die("wrong answer: " __VA_ARGS__);                                   \
		res->checks++;                                                                     \
	} while (0)

static const char *s_str(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v ? v : "";
}

/* the values of an answer's row (or apart) against sum, one per indicator */
static void s_check_values(const s_scope_t *sc, json_t *v, const uint64_t *sum, const char *what,
                           const char *key, s_result_t *res)
{
	for (size_t k = 0; k < sc->n_ind; k++)
		CHECK((uint64_t)s_int(v, sc->codes[k]) == sum[k],
		      "%s %s: %s is %" PRId64 ", generated %" PRIu64, what, key, sc->codes[k],
		      s_int(v, sc->codes[k]), sum[k]);
	CHECK(json_object_size(v) == sc->n_ind, "%s %s: %zu values, the form has %zu indicators",
	      what, key, json_object_size(v), sc->n_ind);
}

/* antt report --json's units listed apart: each old unit split between
 * new ones that reported, under its name in the old list, with the units
 * it went to and its own figures, in the totals (the root holds them all) */
static void s_check_apart(const s_scope_t *sc, json_t *apart, s_result_t *res)
{
	size_t want = 0, i;
	json_t *a;
	for (size_t k = 0; k < sc->n_apart; k++)
		want += sc->apart[k].reported;
	CHECK(json_array_size(apart) == want, "%zu units listed apart, %zu split ones reported",
	      json_array_size(apart), want);
	json_array_foreach (apart, i, a) {
		const char *code = s_str(a, "unit");
		const s_apart_t *w = NULL;
		for (size_t k = 0; k < sc->n_apart && !w; k++)
			if (!strcmp(sc->apart[k].u->code, code))
				w = &sc->apart[k];
		CHECK(w && w->reported,
		      "%s listed apart: not an old unit split by the links that "
		      "reported",
		      code);
		CHECK(!strcmp(s_str(a, "list"), B_OLD) && !strcmp(s_str(a, "name"), w->u->name),
		      "%s listed apart as %s of list %s, not %s of %s", code, s_str(a, "name"),
		      s_str(a, "list"), w->u->name, B_OLD);
		json_t *to = json_object_get(a, "to");
		CHECK(json_array_size(to) == w->n_to,
		      "%s listed apart: %zu units it went to, the "
		      "links name %zu",
		      code, json_array_size(to), w->n_to);
		for (size_t k = 0; k < w->n_to; k++)
			CHECK(!strcmp(s_str(json_array_get(to, k), "code"), w->to[k]),
			      "%s listed apart: went to %s, the links name %s", code,
			      s_str(json_array_get(to, k), "code"), w->to[k]);
		s_check_values(sc, json_object_get(a, "values"), w->sum, "apart", code, res);
		CHECK(json_is_true(json_object_get(a, "in_totals")),
		      "%s listed apart, not in the root's totals", code);
	}
}

/* antt report --json: totals, units, each row, no conflict, unlisted, the
 * units listed apart.  q: the boundary store's 2025-Q2, in the old list */
static void s_check_report(const s_scope_t *sc, const char *path, int q, s_result_t *res)
{
	const uint64_t *total = q ? sc->qtotal : sc->total;
	const s_row_t *want_rows = q ? sc->qrows : sc->rows;
	size_t n_rows = q ? sc->n_qrows : sc->n_rows;
	long units = q ? sc->q_units : sc->units_reported, unlisted = q ? 0 : sc->unlisted;
	json_t *doc = s_load(path, "antt report --json"), *f = s_form_of(doc, FORM);
	CHECK(f, "antt report names no form %s", FORM);
	if (sc->boundary) {
		const char *list = s_str(json_object_get(doc, "unit"), "list");
		CHECK(!strcmp(list, q ? B_OLD : B_NEW), "answered in list %s, not %s", list,
		      q ? B_OLD : B_NEW);
	}
	s_check_values(sc, json_object_get(f, "totals"), total, "totals", "", res);
	CHECK(s_int(f, "units") == units, "%" PRId64 " units reported, generated %ld",
	      s_int(f, "units"), units);
	json_t *rows = json_object_get(f, "rows"), *row;
	size_t i, matched = 0;
	CHECK(json_array_size(rows) == n_rows, "%zu rows, expected %zu", json_array_size(rows),
	      n_rows);
	json_array_foreach (rows, i, row) {
		const char *key = json_string_value(json_object_get(row, "key"));
		const s_row_t *want = NULL;
		for (size_t r = 0; key && r < n_rows; r++)
			if (!strcmp(want_rows[r].key, key))
				want = &want_rows[r];
		CHECK(want, "a row for '%s', which has no unit that reported", key ? key : "?");
		CHECK(s_int(row, "units") == want->units,
		      "row %s: %" PRId64 " units, generated %ld", key, s_int(row, "units"),
		      want->units);
		s_check_values(sc, json_object_get(row, "values"), want->sum, "row", key, res);
		matched++;
	}
	CHECK(matched == n_rows, "rows");
	CHECK(json_array_size(json_object_get(f, "conflicts")) == 0, "conflicts listed: none made");
	CHECK(s_int(f, "unlisted") == unlisted, "%" PRId64 " unlisted, generated %ld",
	      s_int(f, "unlisted"), unlisted);
	if (q)
		CHECK(json_array_size(json_object_get(f, "apart")) == 0,
		      "units listed apart in the old list's own months");
	else
		s_check_apart(sc, json_object_get(f, "apart"), res);
	json_decref(doc);
}

/* antt missing --json: counts, and exactly the units left out */
static void s_check_missing(const s_scope_t *sc, const char *path, s_result_t *res)
{
	json_t *doc = s_load(path, "antt missing --json"), *f = s_form_of(doc, FORM);
	CHECK(f, "antt missing names no form %s", FORM);
	CHECK(s_int(f, "expected") == sc->expected, "expected %" PRId64 ", should be %ld",
	      s_int(f, "expected"), sc->expected);
	CHECK(s_int(f, "reported") == sc->reported, "reported %" PRId64 ", generated %ld",
	      s_int(f, "reported"), sc->reported);
	CHECK(s_int(f, "late") == sc->late, "late %" PRId64 ", generated %ld", s_int(f, "late"),
	      sc->late);
	CHECK(s_int(f, "skewed") == sc->skewed, "skewed %" PRId64 ", generated %ld",
	      s_int(f, "skewed"), sc->skewed);
	json_t *miss = json_object_get(f, "missing"), *m;
	size_t i;
	CHECK(json_array_size(miss) == sc->n_left_out, "%zu units not reported, left out %zu",
	      json_array_size(miss), sc->n_left_out);
	json_array_foreach (miss, i, m) {
		/* a code alone does not say which unit it is: in the boundary
		 * store, by its list too */
		const char *code = json_string_value(json_object_get(m, "unit"));
		const char *list = s_str(m, "list");
		const s_unit_t *u = NULL;
		for (size_t k = 0; code && k < sc->n_units; k++)
			if (!strcmp(sc->u[k].code, code) &&
			    (!sc->u[k].list || !strcmp(sc->u[k].list, list)))
				u = &sc->u[k];
		CHECK(u && u->skip, "unit %s (list %s) named missing, but it reported",
		      code ? code : "?", list);
		json_t *periods = json_object_get(m, "periods"), *p;
		size_t j, n = 0;
		json_array_foreach (periods, j, p) {
			int y = 0, mo = 0;
			const char *s = json_string_value(p);
			CHECK(s && sscanf(s, "%d-%d", &y, &mo) == 2 && y == sc->year && mo >= 1 &&
			          mo <= 12 && (u->skip & (1u << (mo - 1))),
			      "unit %s named missing for %s, but it reported", code, s ? s : "?");
			n++;
		}
		CHECK((int)n == __builtin_popcount(u->skip),
		      "unit %s: %zu periods named, %d left out", code, n,
		      __builtin_popcount(u->skip));
	}
	json_decref(doc);
}

static void s_scan(const char *db, const s_scope_t *sc, long runs, s_result_t *res)
{
	double *ms = antt_xcalloc((size_t)runs, sizeof *ms);
	for (long i = 0; i < runs; i++) {
		sqlite3 *h;
		sqlite3_stmt *st;
		int64_t t0 = bench_now_ns();
		if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
		    sqlite3_prepare_v2(h, "SELECT sum(value), count(*) FROM vals", -1, &st, NULL) !=
		        SQLITE_OK ||
		    sqlite3_step(st) != SQLITE_ROW)
			bench_die("scanning %s: %s", db, sqlite3_errmsg(h));
		uint64_t sum = (uint64_t)sqlite3_column_int64(st, 0);
		int64_t rows = sqlite3_column_int64(st, 1);
		sqlite3_finalize(st);
		sqlite3_close(h);
		ms[i] = (double)(bench_now_ns() - t0) / 1e6;
		CHECK(sum == sc->all_sum && (uint64_t)rows == sc->vals_rows,
		      "vals holds %" PRId64 " values summing to %" PRIu64 ", generated %" PRIu64
		      " summing to %" PRIu64,
		      rows, sum, sc->vals_rows, sc->all_sum);
	}
	res->scan_ms = bench_stats(ms, (size_t)runs);
	res->scan_rows_per_s = (double)sc->vals_rows / (res->scan_ms.p50 / 1e3);
	free(ms);

	sqlite3 *h;
	sqlite3_stmt *st;
	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(
	        h,
	        "SELECT (SELECT count(*) FROM records), (SELECT count(*) FROM vals), "
	        "(SELECT count(*) FROM reports), (SELECT count(*) FROM not_permitted), "
	        "(SELECT count(*) FROM enrollments WHERE bad IS NULL)",
	        -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		bench_die("counting %s: %s", db, sqlite3_errmsg(h));
	res->records = sqlite3_column_int64(st, 0);
	res->vals_rows = sqlite3_column_int64(st, 1);
	res->reports_rows = sqlite3_column_int64(st, 2);
	int64_t not_permitted = sqlite3_column_int64(st, 3), held = sqlite3_column_int64(st, 4);
	sqlite3_finalize(st);
	sqlite3_close(h);
	CHECK(res->records == (int64_t)(sc->n_recs + sc->n_enroll),
	      "the store holds %" PRId64 " records, made %zu", res->records,
	      sc->n_recs + sc->n_enroll);
	/* every key files for its own unit in its list's months (T5): held,
	 * and counted */
	CHECK(not_permitted == 0, "%" PRId64 " records not permitted (T5): none should be",
	      not_permitted);
	CHECK(held == (int64_t)sc->n_enroll, "%" PRId64 " enrollments hold, made %zu", held,
	      sc->n_enroll);
}

/* The boundary store's enrollments, first in the store: this node (the
 * root) enrolls each unit's key as a station, the old units' on
 * B_OLD_ENROLLED (a day of the old list: T5 of daemon/store_trust.c makes
 * them its units), the new communes' on B_NEW_ENROLLED; one chain of the
 * node's own records, 2 s apart from 08:00 that day. */
static void s_enroll(const s_scope_t *sc, antt_store_t *st, const antt_key_t *node, long batch)
{
	char err[ANTT_ERR_MAX];
	uint8_t prev[ANTT_ID_BYTES] = {0}, id[ANTT_ID_BYTES], sig[ANTT_SIG_BYTES];
	uint64_t seq = 0;
	int64_t n_day = 0;
	const char *day = NULL;
	if (antt_store_begin(st, err))
		bench_die("%s", err);
	for (size_t i = 0; i < sc->n_listed; i++) {
		const s_unit_t *u = &sc->u[i];
		const char *d = strcmp(u->list, B_OLD) ? B_NEW_ENROLLED : B_OLD_ENROLLED;
		int y, m, dd;
		if (!day || strcmp(day, d))
			day = d, n_day = 0;
		sscanf(day, "%d-%d-%d", &y, &m, &dd);
		int64_t clock = s_vn_time(y, m, dd, 8, 0) + 2 * n_day++;
		antt_body_t b = {.version = ANTT_RECORD_VERSION,
		                 .seq = ++seq,
		                 .unit = (char *)sc->node_unit,
		                 .clock = clock,
		                 .form = (char *)ANTT_FORM_ENROLL,
		                 .period = (char *)day,
		                 .has_enroll = 1,
		                 .enroll_grant = ANTT_GRANT_STATION,
		                 .enroll_unit = (char *)u->code};
		memcpy(b.author, node->pk, ANTT_KEY_BYTES);
		memcpy(b.prev, prev, ANTT_ID_BYTES);
		memcpy(b.enroll_key, u->pk, ANTT_KEY_BYTES);
		uint8_t *body;
		size_t blen;
		if (antt_body_encode(&b, &body, &blen, err))
			bench_die("encoding an enrollment: %s", err);
		antt_record_id(id, body, blen);
		antt_record_sign(sig, body, blen, node->sk);
		/* the node's own records: no hub stored them first */
		if (antt_store_append_ex(st, id, body, blen, sig, &b, clock, 0, 1, err))
			bench_die("appending an enrollment: %s", err);
		free(body);
		memcpy(prev, id, ANTT_ID_BYTES);
		if (seq % (uint64_t)batch == 0 &&
		    (antt_store_commit(st, err) || antt_store_begin(st, err)))
			bench_die("%s", err);
	}
	if (antt_store_commit(st, err))
		bench_die("%s", err);
}

static void s_measure(s_scope_t *sc, s_result_t *res)
{
	char err[ANTT_ERR_MAX], node[PATH_MAX + 32], conf[PATH_MAX + 48], out[PATH_MAX + 48];
	memset(res, 0, sizeof *res);
	snprintf(node, sizeof node, "%s/%s", s_dir, sc->name);
	snprintf(conf, sizeof conf, "%s/anttd.conf", node);
	snprintf(s_log, sizeof s_log, "%s/%s.log", s_dir, sc->name);
	snprintf(out, sizeof out, "%s/%s.out", s_dir, sc->name);

	char *init[] = {(char *)s_o->antt,
	                "init",
	                "--unit",
	                (char *)sc->node_unit,
	                "--dir",
	                node,
	                s_o->forms ? "--forms" : NULL,
	                (char *)s_o->forms,
	                NULL};
	int rc = bench_run(init, NULL, s_log, NULL);
	if (rc != 0)
		bench_die("'%s init' failed (exit %d): is --antt right?", s_o->antt, rc);
	antt_config_t *cfg;
	antt_key_t *key;
	if (antt_config_load(conf, &cfg, err) || antt_key_load(cfg->key_path, &key, err))
		bench_die("%s", err);

	/* the store, with anttd not running */
	bench_say("%s: appending %zu records to %s...\n", sc->name, sc->n_recs, cfg->store_path);
	antt_store_t *st;
	if (antt_store_open(cfg->store_path, key->pk, ANTT_STORE_CREATE, &st, err))
		bench_die("%s", err);
	int64_t t0 = bench_now_ns();
	if (sc->boundary)
		s_enroll(sc, st, key, s_o->batch);
	res->build_rps = s_append(sc, st, sc->r, sc->n_recs, s_o->batch, 0);
	res->build_s = bench_since_s(t0);
	antt_store_close(&st);
	antt_key_destroy(&key);

	/* the boundary store: every list and links file shipped, as antt
	 * units import with no file loads them (from ANTT_DATA_DIR, the
	 * folder this build's antt reads) */
	s_start_daemon(cfg, conf);
	char *import[] = {(char *)s_o->antt,
	                  "-c",
	                  conf,
	                  "units",
	                  "import",
	                  sc->boundary ? NULL : (char *)s_o->units,
	                  NULL};
	if ((rc = bench_run(import, NULL, s_log, &res->import_ms)) != 0)
		bench_die("'antt units import %s' failed (exit %d)", import[5] ? import[5] : "",
		          rc);
	if (s_o->verify) {
		bench_say("%s: antt verify...\n", sc->name);
		char *verify[] = {(char *)s_o->antt, "-c", conf, "verify", NULL};
		if ((rc = bench_run(verify, out, s_log, &res->verify_ms)) != 0)
			bench_die("'antt verify' found problems or failed (exit %d): see %s", rc,
			          out);
	}
	char wal[PATH_MAX + 8];
	snprintf(wal, sizeof wal, "%s-wal", cfg->store_path);
	res->db_bytes = s_file_size(cfg->store_path) + s_file_size(wal);

	/* the machine's own limits on this store */
	s_scan(cfg->store_path, sc, s_o->runs, res);
	double *ms = antt_xcalloc((size_t)s_o->runs, sizeof *ms);
	char *status[] = {(char *)s_o->antt, "-c", conf, "status", NULL};
	for (long i = 0; i < s_o->runs; i++)
		if ((rc = bench_run(status, NULL, s_log, &ms[i])) != 0)
			bench_die("'antt status' failed (exit %d)", rc);
	res->status_ms = bench_stats(ms, (size_t)s_o->runs);

	/* the commands, each --runs times in turn */
	bench_say("%s: timing report and missing, %ld runs each...\n", sc->name, s_o->runs);
	for (int c = 0; c < S_CMDS; c++) {
		const s_cmd_t *cmd = &sc->cmds[c];
		char *argv[12];
		int a = 0;
		argv[a++] = (char *)s_o->antt;
		argv[a++] = "-c";
		argv[a++] = conf;
		for (int k = 0; k < 6 && cmd->args[k]; k++)
			argv[a++] = (char *)cmd->args[k];
		argv[a] = NULL;
		for (long i = 0; i < s_o->runs; i++) {
			if ((rc = bench_run(argv, out, s_log, &ms[i])) != 0)
				bench_die("'%s' failed (exit %d)", cmd->label, rc);
			if (i == 0) {
				res->out_bytes[c] = s_file_size(out);
				CHECK(res->out_bytes[c] > 0, "'%s' printed nothing", cmd->label);
				if (cmd->check == K_REPORT || cmd->check == K_REPORT_Q)
					s_check_report(sc, out, cmd->check == K_REPORT_Q, res);
				else if (cmd->check == K_MISSING)
					s_check_missing(sc, out, res);
			}
		}
		res->cmd_ms[c] = bench_stats(ms, (size_t)s_o->runs);
	}
	free(ms);
	unlink(out);
	s_stop_daemon();
	antt_config_destroy(&cfg);
}

/* ---- output ---- */

static json_t *s_stats_json(const bench_stats_t *s)
{
	return json_pack("{s:f, s:f, s:f}", "min_ms", s->min, "median_ms", s->p50, "max_ms",
	                 s->max);
}

static json_t *s_scope_json(const s_scope_t *sc, const s_result_t *r)
{
	json_t *cmds = json_object();
	for (int c = 0; c < S_CMDS; c++) {
		json_t *j = s_stats_json(&r->cmd_ms[c]);
		json_object_set_new(j, "output_bytes", json_integer(r->out_bytes[c]));
		json_object_set_new(j, "median_over_scan",
		                    json_real(r->cmd_ms[c].p50 / r->scan_ms.p50));
		json_object_set_new(cmds, sc->cmds[c].label, j);
	}
	json_t *j = json_pack(
	    "{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "node_unit",
	    sc->node_unit, "scope", sc->scope_name, "units_expected", (json_int_t)sc->n_listed,
	    "units_reported", (json_int_t)sc->units_reported, "units_left_out",
	    (json_int_t)sc->n_left_out, "records", (json_int_t)r->records, "corrections",
	    (json_int_t)sc->n_corr, "late", (json_int_t)sc->late, "skewed", (json_int_t)sc->skewed,
	    "unlisted_reports", (json_int_t)sc->unlisted, "vals_rows", (json_int_t)r->vals_rows,
	    "reports_rows", (json_int_t)r->reports_rows, "store_bytes", (json_int_t)r->db_bytes);
	if (sc->boundary) {
		size_t apart = 0;
		for (size_t i = 0; i < sc->n_apart; i++)
			apart += sc->apart[i].reported;
		json_object_set_new(
		    j, "lists",
		    json_pack("{s:{s:s, s:I, s:s}, s:{s:s, s:I, s:s}, s:I, s:I, s:I}", "old",
		              "list", B_OLD, "units_expected", (json_int_t)sc->n_old, "months",
		              "2025-01..06", "new", "list", B_NEW, "units_expected",
		              (json_int_t)sc->n_new, "months", "2025-07..12", "listed_apart",
		              (json_int_t)apart, "enrollments", (json_int_t)sc->n_enroll,
		              "q2_units_reported", (json_int_t)sc->q_units));
	}
	json_object_set_new(j, "build",
	                    json_pack("{s:f, s:f, s:f, s:f}", "make_and_sign_s", r->gen_s,
	                              "append_s", r->build_s, "append_records_per_s", r->build_rps,
	                              "units_import_ms", r->import_ms));
	if (r->verify_ms > 0)
		json_object_set_new(j, "verify_ms", json_real(r->verify_ms));
	json_t *scan = s_stats_json(&r->scan_ms);
	json_object_set_new(scan, "rows_per_s", json_real(r->scan_rows_per_s));
	json_object_set_new(j, "sqlite_scan_vals", scan);
	json_object_set_new(j, "antt_status", s_stats_json(&r->status_ms));
	json_object_set_new(j, "commands", cmds);
	json_object_set_new(j, "checks_held", json_integer(r->checks));
	return j;
}

static void s_scope_text(const s_scope_t *sc, const s_result_t *r, long runs)
{
	printf("\n%s: %s (node unit %s)\n", sc->name, sc->scope_name, sc->node_unit);
	if (sc->boundary) {
		size_t apart = 0;
		for (size_t i = 0; i < sc->n_apart; i++)
			apart += sc->apart[i].reported;
		printf("  %ld units of %s (its leaves) for 2025-01..06, %ld of %s for 2025-07..12, "
		       "%zu left out; %zu enrollments\n",
		       sc->n_old, B_OLD, sc->n_new, B_NEW, sc->n_left_out, sc->n_enroll);
		printf("  over 2025: %ld units of %s reported (old ones counted in the new commune "
		       "that took them), %zu old units listed apart\n",
		       sc->units_reported, B_NEW, apart);
	} else {
		printf("  %zu units expected (the leaves of the list), %ld reported, %zu left "
		       "out\n",
		       sc->n_listed, sc->units_reported, sc->n_left_out);
	}
	printf("  %" PRId64 " records (%zu corrections, %ld late, %ld skewed, %ld from a unit not "
	       "in the list), %.1f bytes a body\n",
	       r->records, sc->n_corr, sc->late, sc->skewed, sc->unlisted,
	       (double)sc->body_bytes / (double)sc->n_recs);
	printf("  store %.1f MB: %" PRId64 " vals rows, %" PRId64 " reports rows\n",
	       (double)r->db_bytes / 1e6, r->vals_rows, r->reports_rows);
	printf("  made and signed in %.1f s; appended in %.1f s (%.0f records/s, %ld a "
	       "transaction); antt units import %.0f ms",
	       r->gen_s, r->build_s, r->build_rps, s_o->batch, r->import_ms);
	if (r->verify_ms > 0)
		printf("; antt verify %.1f s", r->verify_ms / 1e3);
	printf("\n\n  %-44s %9s %9s %9s %9s\n", "whole process, ms", "min", "median", "max",
	       "/scan");
	printf("  %-44s %9.1f %9.1f %9.1f %9s   %.2fM rows/s\n",
	       "SQLite: SELECT sum(value), count(*) FROM vals", r->scan_ms.min, r->scan_ms.p50,
	       r->scan_ms.max, "1.00", r->scan_rows_per_s / 1e6);
	printf("  %-44s %9.1f %9.1f %9.1f %9.2f\n", "antt status", r->status_ms.min,
	       r->status_ms.p50, r->status_ms.max, r->status_ms.p50 / r->scan_ms.p50);
	for (int c = 0; c < S_CMDS; c++)
		printf("  %-44s %9.1f %9.1f %9.1f %9.2f   %" PRId64 " bytes out\n",
		       sc->cmds[c].label, r->cmd_ms[c].min, r->cmd_ms[c].p50, r->cmd_ms[c].max,
		       r->cmd_ms[c].p50 / r->scan_ms.p50, r->out_bytes[c]);
	printf("  (%ld runs each; /scan: median over the SQLite scan's median)\n", runs);
	if (sc->boundary)
		printf("  checks: %d held (totals of %zu indicators, %zu rows of %s, the units "
		       "apart, units, missing, late, skewed, unlisted; 2025-Q2: %zu rows of %s; "
		       "the scan's sum)\n",
		       r->checks, sc->n_ind, sc->n_rows, B_NEW, sc->n_qrows, B_OLD);
	else
		printf("  checks: %d held (totals of %zu indicators, %zu rows, units, missing, "
		       "late, skewed, unlisted, the scan's sum)\n",
		       r->checks, sc->n_ind, sc->n_rows);
}

/* ---- main ---- */

static void s_usage(FILE *f)
{
	fprintf(f, "usage: antt-report-bench [options]\n"
	           "  -r, --runs K         runs of each command timed as a process (7)\n"
	           "  -p, --province CODE  the province of the province-sized store (01)\n"
	           "      --units FILE     the administrative units CSV (the repository's\n"
	           "                       units-vn-2025-03.csv)\n"
	           "      --leave-out K    units left out of each store (4)\n"
	           "      --intake N       records in each intake measurement (20000)\n"
	           "      --batch N        records a transaction when appending (5000)\n"
	           "      --no-province    skip the province-sized store\n"
	           "      --no-national    skip the national-sized store\n"
	           "      --no-boundary    skip the store of both unit lists of 2025\n"
	           "      --verify         also run 'antt verify' on each store (not timed)\n"
	           "      --antt PATH      antt binary (default: ../antt from this binary)\n"
	           "      --anttd PATH     anttd binary (default: ../anttd from this binary)\n"
	           "      --forms DIR      forms folder for 'antt init' (default: its built-in)\n"
	           "      --tmpdir DIR     where the nodes go ($TMPDIR, else /tmp)\n"
	           "      --keep           keep the nodes' folder\n"
	           "      --json           one JSON document on stdout instead of the table\n"
	           "      --check          exit 1 if the aim is missed\n"
	           "  -h, --help\n");
}

static const char *s_default_units(void)
{
	static const char *candidates[] = {ANTT_SOURCE_DIR "/data/units-vn-2025-03.csv",
	                                   ANTT_SOURCE_DIR "/../shared/data/units-vn-2025-03.csv"};
	for (size_t i = 0; i < sizeof candidates / sizeof *candidates; i++)
		if (access(candidates[i], R_OK) == 0)
			return candidates[i];
	return candidates[0];
}

static char *s_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		bench_die("%s: %s (give the units CSV with --units)", path, strerror(errno));
	size_t cap = 1 << 20, n = 0, r;
	char *buf = antt_xmalloc(cap);
	while ((r = fread(buf + n, 1, cap - n, f)) > 0)
		if ((n += r) == cap)
			buf = antt_xrealloc(buf, cap *= 2);
	fclose(f);
	*len = n;
	return buf;
}

/* The scope's units, records and what its answers must say. */
static void s_scope_make(s_scope_t *sc, const antt_units_t *list, const antt_form_t *form,
                         const char **codes, size_t n_ind, const char *province, s_result_t *res)
{
	int64_t t0 = bench_now_ns();
	sc->form = form;
	sc->codes = codes;
	sc->n_ind = n_ind;
	sc->year = YEAR;
	sc->cmds = s_cmds_year;
	sc->national = province == NULL;
	sc->name = province ? "province" : "national";
	sc->node_unit = province ? province : NATIONAL_UNIT;
	if (province) {
		long p = antt_units_find(list, province);
		if (p < 0 || list->v[p].depth != 1)
			bench_die("--province %s: not a province of %s", province, s_o->units);
		sc->scope_name = list->v[p].name;
	} else {
		sc->scope_name = "Toàn quốc (the root)";
	}
	s_scope_units(sc, list, province);
	s_scope_plan(sc, s_o->leave_out);
	bench_say("%s: making and signing the records of %zu units...\n", sc->name, sc->n_units);
	s_scope_records(sc);
	res->gen_s = bench_since_s(t0);
}

/* The boundary store's units, records and what its answers must say. */
static void s_boundary_make(s_scope_t *sc, const antt_units_t *old, const antt_units_t *new,
                            const s_links_t *links, const antt_form_t *form, const char **codes,
                            size_t n_ind, s_result_t *res)
{
	int64_t t0 = bench_now_ns();
	sc->form = form;
	sc->codes = codes;
	sc->n_ind = n_ind;
	sc->year = B_YEAR;
	sc->cmds = s_cmds_boundary;
	sc->national = sc->boundary = 1;
	sc->name = "boundary";
	sc->node_unit = NATIONAL_UNIT;
	sc->scope_name = "Toàn quốc (the root), both unit lists of 2025";
	s_boundary_units(sc, old, new, links);
	sc->n_enroll = sc->n_listed;
	s_scope_plan(sc, s_o->leave_out);
	bench_say("%s: making and signing the records of %zu units...\n", sc->name, sc->n_units);
	s_scope_records(sc);
	res->gen_s = bench_since_s(t0);
}

/* A unit list shipped in ANTT_DATA_DIR, parsed. */
static void s_list_load(const char *file, antt_units_t *list)
{
	char path[PATH_MAX], err[ANTT_ERR_MAX];
	size_t len;
	snprintf(path, sizeof path, "%s/%s", ANTT_DATA_DIR, file);
	char *csv = s_read_file(path, &len);
	if (antt_units_parse(csv, len, list, err))
		bench_die("%s: %s", path, err);
	free(csv);
}

int main(int argc, char **argv)
{
	enum {
		O_UNITS = 1000,
		O_LEAVE,
		O_INTAKE,
		O_BATCH,
		O_NOPROV,
		O_NONAT,
		O_NOBOUND,
		O_VERIFY,
		O_ANTT,
		O_ANTTD,
		O_FORMS,
		O_TMP,
		O_KEEP,
		O_JSON,
		O_CHECK
	};
	static const struct option opts[] = {{"runs", required_argument, NULL, 'r'},
	                                     {"province", required_argument, NULL, 'p'},
	                                     {"units", required_argument, NULL, O_UNITS},
	                                     {"leave-out", required_argument, NULL, O_LEAVE},
	                                     {"intake", required_argument, NULL, O_INTAKE},
	                                     {"batch", required_argument, NULL, O_BATCH},
	                                     {"no-province", no_argument, NULL, O_NOPROV},
	                                     {"no-national", no_argument, NULL, O_NONAT},
	                                     {"no-boundary", no_argument, NULL, O_NOBOUND},
	                                     {"verify", no_argument, NULL, O_VERIFY},
	                                     {"antt", required_argument, NULL, O_ANTT},
	                                     {"anttd", required_argument, NULL, O_ANTTD},
	                                     {"forms", required_argument, NULL, O_FORMS},
	                                     {"tmpdir", required_argument, NULL, O_TMP},
	                                     {"keep", no_argument, NULL, O_KEEP},
	                                     {"json", no_argument, NULL, O_JSON},
	                                     {"check", no_argument, NULL, O_CHECK},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {0}};
	bench_setup("antt-report-bench", s_on_die);
	s_opts_t o = {.runs = 7, .province = "01", .leave_out = 4, .intake = 20000, .batch = 5000};
	int opt;
	while ((opt = getopt_long(argc, argv, "r:p:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'r': o.runs = bench_count_arg("--runs", optarg, 1, LONG_MAX); break;
		case 'p': o.province = optarg; break;
		case O_UNITS: o.units = optarg; break;
		case O_LEAVE:
			o.leave_out = bench_count_arg("--leave-out", optarg, 0, LONG_MAX);
			break;
		case O_INTAKE: o.intake = bench_count_arg("--intake", optarg, 0, LONG_MAX); break;
		case O_BATCH: o.batch = bench_count_arg("--batch", optarg, 1, LONG_MAX); break;
		case O_NOPROV: o.no_province = 1; break;
		case O_NONAT: o.no_national = 1; break;
		case O_NOBOUND: o.no_boundary = 1; break;
		case O_VERIFY: o.verify = 1; break;
		case O_ANTT: o.antt = optarg; break;
		case O_ANTTD: o.anttd = optarg; break;
		case O_FORMS: o.forms = optarg; break;
		case O_TMP: o.tmpbase = optarg; break;
		case O_KEEP: o.keep = 1; break;
		case O_JSON: o.json = 1; break;
		case O_CHECK: o.check = 1; break;
		case 'h': s_usage(stdout); return 0;
		default: s_usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		s_usage(stderr);
		return 2;
	}
	if (!o.units)
		o.units = s_default_units();
	s_o = &o;
	s_run0 = bench_now_ns();
	bench_say_setup(s_run0, o.json);
	if (sodium_init() < 0)
		bench_die("libsodium failed to initialise");
	antt_log_set_level(ANTT_LOG_WARN);
	signal(SIGPIPE, SIG_IGN);
	char antt_buf[PATH_MAX], anttd_buf[PATH_MAX], cpu[256], err[ANTT_ERR_MAX];
	bench_find_binaries(&o.antt, &o.anttd, antt_buf, anttd_buf);
	bench_cpu_model(cpu, sizeof cpu);
	double steal0, busy0 = bench_machine_busy(&steal0);

	/* the units and the form */
	size_t csv_len;
	char *csv = s_read_file(o.units, &csv_len);
	antt_units_t list;
	if (antt_units_parse(csv, csv_len, &list, err))
		bench_die("%s: %s", o.units, err);
	free(csv);
	antt_forms_t *forms;
	if (antt_forms_load(o.forms ? o.forms : ANTT_FORMS_DIR, &forms, err))
		bench_die("%s", err);
	const antt_form_t *form = antt_forms_find(forms, FORM);
	if (!form)
		bench_die("no form %s in the forms folder", FORM);
	const char **codes = antt_xcalloc(form->n_indicators, sizeof *codes);
	for (size_t k = 0; k < form->n_indicators; k++)
		codes[k] = form->indicators[k].code;
	qsort(codes, form->n_indicators, sizeof *codes, s_cmp_str);

	bench_mkdtemp(s_dir, sizeof s_dir, o.tmpbase);

	s_scope_t prov = {0}, nat = {0};
	s_result_t prov_r = {0}, nat_r = {0};
	s_intake_t in = {0};
	double gen_nat = 0;
	if (!o.no_national) {
		s_scope_make(&nat, &list, form, codes, form->n_indicators, NULL, &nat_r);
		gen_nat = nat_r.gen_s;
	}
	if (!o.no_province) {
		s_scope_make(&prov, &list, form, codes, form->n_indicators, o.province, &prov_r);
		double g = prov_r.gen_s;
		s_measure(&prov, &prov_r);
		prov_r.gen_s = g;
	}
	if (o.intake > 0 && (nat.n_recs || prov.n_recs)) {
		bench_say("intake: %ld enrollments, then %ld monthly reports...\n", o.intake,
		          o.intake);
		s_intake(nat.n_recs ? &nat : &prov, o.intake, o.batch, &in);
	}
	if (!o.no_national) {
		s_measure(&nat, &nat_r);
		nat_r.gen_s = gen_nat;
	}
	/* the boundary store's units point into these */
	s_scope_t bnd = {0};
	s_result_t bnd_r = {0};
	antt_units_t old = {0}, new = {0};
	s_links_t links = {0};
	if (!o.no_boundary) {
		char path[PATH_MAX];
		s_list_load(B_OLD_FILE, &old);
		s_list_load(B_NEW_FILE, &new);
		snprintf(path, sizeof path, "%s/%s", ANTT_DATA_DIR, B_LINKS_FILE);
		s_links_read(path, &links);
		s_boundary_make(&bnd, &old, &new, &links, form, codes, form->n_indicators, &bnd_r);
		double g = bnd_r.gen_s;
		s_measure(&bnd, &bnd_r);
		bnd_r.gen_s = g;
	}

	double other_cpu, steal;
	bench_others_cpu(busy0, steal0, &other_cpu, &steal);
	double run_s = bench_since_s(s_run0);
	const char *source = bench_source();
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int has_nat = !o.no_national, has_bnd = !o.no_boundary;
	double nat_report = nat_r.cmd_ms[C_REPORT_JSON].p50 / 1e3,
	       nat_missing = nat_r.cmd_ms[C_MISSING].p50 / 1e3,
	       bnd_report = bnd_r.cmd_ms[B_REPORT_JSON].p50 / 1e3,
	       bnd_missing = bnd_r.cmd_ms[B_MISSING_JSON].p50 / 1e3;
	int report_ok = has_nat && nat_report < AIM_NATIONAL_S,
	    missing_ok = has_nat && nat_missing < AIM_NATIONAL_S,
	    bnd_report_ok = has_bnd && bnd_report < AIM_NATIONAL_S,
	    bnd_missing_ok = has_bnd && bnd_missing < AIM_NATIONAL_S;
	/* --check: every aim of the stores measured */
	int aims_missed = (has_nat && !(report_ok && missing_ok)) ||
	                  (has_bnd && !(bnd_report_ok && bnd_missing_ok));

	if (o.json) {
		json_t *j = json_object();
		if (source)
			json_object_set_new(j, "source", json_string(source));
		json_object_set_new(j, "machine",
		                    json_pack("{s:s, s:I, s:s, s:f, s:f, s:f}", "cpu", cpu, "nproc",
		                              (json_int_t)ncpu, "sqlite", sqlite3_libversion(),
		                              "run_s", run_s, "other_cpu_s", other_cpu, "steal_s",
		                              steal));
		json_object_set_new(j, "params",
		                    json_pack("{s:I, s:s, s:s, s:I, s:I, s:s}", "runs",
		                              (json_int_t)o.runs, "units_file", o.units, "form",
		                              FORM, "indicators", (json_int_t)form->n_indicators,
		                              "batch", (json_int_t)o.batch, "period", PERIOD));
		if (in.n)
			json_object_set_new(
			    j, "intake",
			    json_pack("{s:I, s:I, s:f, s:f, s:f, s:f, s:I, s:I}", "records",
			              (json_int_t)in.n, "batch", (json_int_t)o.batch,
			              "enrollment_records_per_s", in.enroll_rps,
			              "monthly_undecoded_records_per_s", in.undecoded_rps,
			              "monthly_decoded_records_per_s", in.monthly_rps,
			              "decoded_over_undecoded", in.monthly_rps / in.undecoded_rps,
			              "enrollment_body_bytes", (json_int_t)in.enroll_body,
			              "monthly_body_bytes", (json_int_t)in.monthly_body));
		if (!o.no_province)
			json_object_set_new(j, "province", s_scope_json(&prov, &prov_r));
		if (has_nat)
			json_object_set_new(j, "national", s_scope_json(&nat, &nat_r));
		if (has_bnd)
			json_object_set_new(j, "boundary", s_scope_json(&bnd, &bnd_r));
		json_t *aims = json_object();
		if (has_nat) {
			json_object_set_new(aims, "national_report_s",
			                    json_pack("{s:f, s:f, s:b}", "aim", AIM_NATIONAL_S,
			                              "measured", nat_report, "met", report_ok));
			json_object_set_new(aims, "national_missing_s",
			                    json_pack("{s:f, s:f, s:b}", "aim", AIM_NATIONAL_S,
			                              "measured", nat_missing, "met", missing_ok));
		}
		if (has_bnd) {
			json_object_set_new(aims, "boundary_report_s",
			                    json_pack("{s:f, s:f, s:b}", "aim", AIM_NATIONAL_S,
			                              "measured", bnd_report, "met",
			                              bnd_report_ok));
			json_object_set_new(aims, "boundary_missing_s",
			                    json_pack("{s:f, s:f, s:b}", "aim", AIM_NATIONAL_S,
			                              "measured", bnd_missing, "met",
			                              bnd_missing_ok));
		}
		if (json_object_size(aims))
			json_object_set_new(j, "aims", aims);
		else
			json_decref(aims);
		json_dumpf(j, stdout,
		           JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
		fputc('\n', stdout);
		json_decref(j);
	} else {
		printf("antt-report-bench: %s, %ld CPU(s); SQLite %s%s%s\n", cpu, ncpu,
		       sqlite3_libversion(), source ? "; source " : "", source ? source : "");
		printf("run took %.1f s; other processes used %.1f CPU-s meanwhile, steal %.1f s "
		       "(well above 0: the figures are skewed)\n",
		       run_s, other_cpu, steal);
		printf("form %s (%zu indicators), period %s, units from %s\n", FORM,
		       form->n_indicators, PERIOD, o.units);
		if (has_bnd)
			printf(
			    "boundary: period %s, the lists and links of %s (antt units import)\n",
			    B_PERIOD, ANTT_DATA_DIR);
		if (in.n) {
			printf(
			    "\nintake: antt_store_append_ex, %ld records, %ld a transaction, WAL + "
			    "FULL\n",
			    in.n, o.batch);
			printf("  %-48s %9.0f records/s  (%zu-byte bodies)\n",
			       "enrollments (nothing decoded)", in.enroll_rps, in.enroll_body);
			printf("  %-48s %9.0f records/s  (%zu-byte bodies)\n",
			       "monthly reports, decoded tables skipped", in.undecoded_rps,
			       in.monthly_body);
			printf("  %-48s %9.0f records/s  %.2fx the same without\n",
			       "monthly reports, 19 values decoded", in.monthly_rps,
			       in.monthly_rps / in.undecoded_rps);
		}
		if (!o.no_province)
			s_scope_text(&prov, &prov_r, o.runs);
		if (has_nat)
			s_scope_text(&nat, &nat_r, o.runs);
		if (has_bnd)
			s_scope_text(&bnd, &bnd_r, o.runs);
		if (has_nat || has_bnd)
			printf("\naims\n");
		if (has_nat) {
			printf("  national antt report --json < %.0f s            median %7.3f s   "
			       "%s\n",
			       AIM_NATIONAL_S, nat_report, report_ok ? "MET" : "NOT MET");
			printf(
			    "  national antt missing < %.0f s                   median %7.3f s   "
			    "%s\n",
			    AIM_NATIONAL_S, nat_missing, missing_ok ? "MET" : "NOT MET");
		}
		if (has_bnd) {
			printf("  boundary antt report --period 2025 --json < %.0f s  median %7.3f "
			       "s   "
			       "%s\n",
			       AIM_NATIONAL_S, bnd_report, bnd_report_ok ? "MET" : "NOT MET");
			printf("  boundary antt missing --period 2025 --json < %.0f s median %7.3f "
			       "s   "
			       "%s\n",
			       AIM_NATIONAL_S, bnd_missing, bnd_missing_ok ? "MET" : "NOT MET");
		}
	}
	s_cleanup(o.keep);
	s_scope_free(&prov);
	s_scope_free(&nat);
	s_scope_free(&bnd);
	s_links_free(&links);
	antt_units_clear(&old);
	antt_units_clear(&new);
	free(codes);
	antt_forms_destroy(&forms);
	antt_units_clear(&list);
	return o.check && aims_missed ? 1 : 0;
}
