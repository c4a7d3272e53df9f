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
 *      them), at a node whose own unit (VN) is not in the list, the root.
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
 * half of them every month, half only for November; each store also holds
 * the 12 reports of a unit not in the list (99999).
 *
 * Checks: the answers must be right, or the figures mean nothing.  From the
 * JSON of the first run of each: report's totals for every indicator, the
 * number of units that reported, each row (province or district) with its
 * totals and units, no conflict, the unlisted count; missing's expected,
 * reported, late and skewed counts and its list of units not reported, each
 * with exactly the periods left out.  Every command must exit 0, the scan's
 * sum must be the sum of every value generated, and anttd must exit 0 on
 * SIGTERM.
 *
 *     bench/run.sh --reports       # Release build into build-bench, then run
 *     build-bench/bench/antt-report-bench [--json] [--runs 7] [--province 01]
 *
 * Exit code: 0 when every phase ran and every check held, 1 otherwise, 2
 * on a usage error; with --check also 1 when the aim (national report and
 * missing, median, under 1 s) is missed. */
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
#define YEAR 2024
#define PERIOD "2024"
#define NATIONAL_UNIT "VN"    /* not in the list: the root */
#define UNLISTED_UNIT "99999" /* reports from a unit the list does not have */
#define LEFT_OUT_MONTH 11     /* the month the odd left-out units miss */
#define START_TIMEOUT_MS 30000
#define STOP_TIMEOUT_MS 60000
#define TZ (7 * 3600) /* Vietnam time, as lib/period.h */
#define DAY 86400

typedef struct {
	const char *antt, *anttd, *forms, *tmpbase, *units, *province;
	long runs, intake, batch, leave_out;
	int json, keep, check, verify, no_province, no_national;
} s_opts_t;

static char s_dir[PATH_MAX]; /* the temporary folder, "" when none */
static pid_t s_daemon = -1;  /* the running anttd, -1 when none */
static char s_log[PATH_MAX + 32];
static const s_opts_t *s_o;
static int64_t s_run0;

/* ---- small helpers ---- */

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

/* The form's deadline for month m of YEAR, written out independently of
 * lib/period.c: the report is late when first stored on or after the start
 * (Vietnam time) of day `days` + 1 after the month's last day. */
static int64_t s_due(int m, int days)
{
	return s_vn_time(YEAR, m, s_days_in_month(YEAR, m) + 1 + days, 0, 0);
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
	const char *code, *key; /* key: the row it falls in (child of the scope) */
	int listed;
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

typedef struct {
	const char *name; /* "province" or "national" */
	const char *node_unit;
	const char *scope_name;
	int national;
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
		u->code = x->code;
		u->listed = 1;
		/* the rows of antt report --by unit: the provinces at the root, the
		 * districts (or a province's communes in a two-level tree) below */
		u->key = province ? (x->anc[1] ? x->anc[1] : x->code) : x->anc[0];
	}
	free(has_child);
	sc->n_listed = sc->n_units;
	/* and one the list does not have (a hub counts its reports apart) */
	s_unit_t *u = &sc->u[sc->n_units++];
	u->code = UNLISTED_UNIT;
	u->key = "";
}

static void s_scope_plan(s_scope_t *sc, long leave_out)
{
	size_t n = sc->n_listed;
	for (size_t i = 0; i < sc->n_units; i++) {
		s_unit_t *u = &sc->u[i];
		uint8_t seed[ANTT_SEED_BYTES];
		u->h = s_hash_str(u->code);
		crypto_generichash(seed, sizeof seed, (const uint8_t *)u->code, strlen(u->code),
		                   (const uint8_t *)"antt-report-bench", 17);
		crypto_sign_seed_keypair(u->pk, u->sk, seed);
		if (!u->listed)
			continue;
		if (u->h % 50 == 0) {
			u->corr_month = 1 + (int)(u->h / 50 % 12);
			u->n_corr = u->h % 500 == 0 ? 2 : 1;
		}
		if (u->h % 40 == 7)
			u->late_month = 1 + (int)(u->h / 40 % 12);
		if (u->h % 97 == 3)
			u->skew_month = 1 + (int)(u->h / 97 % 12);
	}
	/* the units left out, spread over the list */
	for (long k = 0; k < leave_out && (size_t)k < n; k++) {
		s_unit_t *u = &sc->u[(size_t)(2 * k + 1) * n / (size_t)(2 * leave_out)];
		u->skip = k % 2 ? 1u << (LEFT_OUT_MONTH - 1) : 0xfff;
		sc->n_left_out++;
	}
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
	snprintf(period, 16, "%04d-%02d", YEAR, r->month);
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

static s_row_t *s_row(s_scope_t *sc, const char *key)
{
	for (size_t i = 0; i < sc->n_rows; i++)
		if (!strcmp(sc->rows[i].key, key))
			return &sc->rows[i];
	sc->rows = antt_xrealloc(sc->rows, (sc->n_rows + 1) * sizeof *sc->rows);
	s_row_t *row = &sc->rows[sc->n_rows++];
	memset(row, 0, sizeof *row);
	snprintf(row->key, sizeof row->key, "%s", key);
	row->sum = antt_xcalloc(sc->n_ind, sizeof *row->sum);
	return row;
}

/* Every record of the scope: made, chained, signed, in arrival order; and
 * what the answers must say. */
static void s_scope_records(s_scope_t *sc)
{
	char err[ANTT_ERR_MAX], period[16];
	size_t cap = sc->n_units * 12 + 64;
	antt_value_t *vals = antt_xcalloc(sc->n_ind, sizeof *vals);
	sc->r = antt_xcalloc(cap, sizeof *sc->r);
	sc->total = antt_xcalloc(sc->n_ind, sizeof *sc->total);
	for (size_t i = 0; i < sc->n_units; i++) {
		s_unit_t *u = &sc->u[i];
		uint64_t seq = 0;
		uint8_t prev[ANTT_ID_BYTES] = {0};
		int reported = 0;
		for (int m = 1; m <= 12; m++) {
			if (u->skip & (1u << (m - 1)))
				continue;
			int64_t end = s_vn_time(YEAR, m, s_days_in_month(YEAR, m), 0, 0);
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
				/* the version that counts */
				if (!u->listed) {
					sc->unlisted++;
					continue;
				}
				s_row_t *row = s_row(sc, u->key);
				for (size_t k = 0; k < sc->n_ind; k++) {
					sc->total[k] += vals[k].value;
					row->sum[k] += vals[k].value;
				}
			}
			if (!u->listed)
				continue;
			reported = 1;
			sc->reported++;
			/* late and skewed go by the first version */
			if (first >= s_due(m, sc->form->deadline_days))
				sc->late++;
			if (clock > first + 10 * 60 || clock < first - 2 * DAY)
				sc->skewed++;
		}
		if (u->listed) {
			sc->expected += 12;
			if (reported) {
				sc->units_reported++;
				s_row(sc, u->key)->units++;
			}
		}
	}
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

enum { C_REPORT_JSON, C_REPORT, C_REPORT_IND, C_MISSING, C_MISSING_JSON, C_COUNT_ };

static const struct {
	const char *label, *args[4];
} s_cmds[C_COUNT_] = {
    [C_REPORT_JSON] = {"antt report --period 2024 --json", {"report", "--json"}},
    [C_REPORT] = {"antt report --period 2024", {"report"}},
    [C_REPORT_IND] = {"antt report --period 2024 --by indicator", {"report", "--by", "indicator"}},
    [C_MISSING] = {"antt missing --period 2024", {"missing"}},
    [C_MISSING_JSON] = {"antt missing --period 2024 --json", {"missing", "--json"}},
};

typedef struct {
	double build_s, build_rps, sign_s, gen_s, import_ms, verify_ms;
	int64_t db_bytes, records, vals_rows, reports_rows;
	bench_stats_t scan_ms, status_ms, cmd_ms[C_COUNT_];
	int64_t out_bytes[C_COUNT_];
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

/* antt report --json: totals, units, each row, no conflict, unlisted */
static void s_check_report(const s_scope_t *sc, const char *path, s_result_t *res)
{
	json_t *doc = s_load(path, "antt report --json"), *f = s_form_of(doc, FORM);
	CHECK(f, "antt report names no form %s", FORM);
	json_t *totals = json_object_get(f, "totals");
	for (size_t k = 0; k < sc->n_ind; k++)
		CHECK((uint64_t)s_int(totals, sc->codes[k]) == sc->total[k],
		      "total of %s is %" PRId64 ", generated %" PRIu64, sc->codes[k],
		      s_int(totals, sc->codes[k]), sc->total[k]);
	CHECK(json_object_size(totals) == sc->n_ind, "%zu totals, the form has %zu indicators",
	      json_object_size(totals), sc->n_ind);
	CHECK(s_int(f, "units") == sc->units_reported, "%" PRId64 " units reported, generated %ld",
	      s_int(f, "units"), sc->units_reported);
	json_t *rows = json_object_get(f, "rows"), *row;
	size_t i, matched = 0;
	CHECK(json_array_size(rows) == sc->n_rows, "%zu rows, expected %zu", json_array_size(rows),
	      sc->n_rows);
	json_array_foreach (rows, i, row) {
		const char *key = json_string_value(json_object_get(row, "key"));
		const s_row_t *want = NULL;
		for (size_t r = 0; key && r < sc->n_rows; r++)
			if (!strcmp(sc->rows[r].key, key))
				want = &sc->rows[r];
		CHECK(want, "a row for '%s', which has no unit that reported", key ? key : "?");
		CHECK(s_int(row, "units") == want->units,
		      "row %s: %" PRId64 " units, generated %ld", key, s_int(row, "units"),
		      want->units);
		json_t *v = json_object_get(row, "values");
		for (size_t k = 0; k < sc->n_ind; k++)
			CHECK((uint64_t)s_int(v, sc->codes[k]) == want->sum[k],
			      "row %s: %s is %" PRId64 ", generated %" PRIu64, key, sc->codes[k],
			      s_int(v, sc->codes[k]), want->sum[k]);
		matched++;
	}
	CHECK(matched == sc->n_rows, "rows");
	CHECK(json_array_size(json_object_get(f, "conflicts")) == 0, "conflicts listed: none made");
	CHECK(s_int(f, "unlisted") == sc->unlisted, "%" PRId64 " unlisted, generated %ld",
	      s_int(f, "unlisted"), sc->unlisted);
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
		const char *code = json_string_value(json_object_get(m, "unit"));
		const s_unit_t *u = NULL;
		for (size_t k = 0; code && k < sc->n_units; k++)
			if (!strcmp(sc->u[k].code, code))
				u = &sc->u[k];
		CHECK(u && u->skip, "unit %s named missing, but it reported", code ? code : "?");
		json_t *periods = json_object_get(m, "periods"), *p;
		size_t j, n = 0;
		json_array_foreach (periods, j, p) {
			int mo = 0;
			const char *s = json_string_value(p);
			CHECK(s && sscanf(s, PERIOD "-%d", &mo) == 1 && mo >= 1 && mo <= 12 &&
			          (u->skip & (1u << (mo - 1))),
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
	        "(SELECT count(*) FROM reports)",
	        -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		bench_die("counting %s: %s", db, sqlite3_errmsg(h));
	res->records = sqlite3_column_int64(st, 0);
	res->vals_rows = sqlite3_column_int64(st, 1);
	res->reports_rows = sqlite3_column_int64(st, 2);
	sqlite3_finalize(st);
	sqlite3_close(h);
	CHECK(res->records == (int64_t)sc->n_recs, "the store holds %" PRId64 " records, made %zu",
	      res->records, sc->n_recs);
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
	res->build_rps = s_append(sc, st, sc->r, sc->n_recs, s_o->batch, 0);
	res->build_s = bench_since_s(t0);
	antt_store_close(&st);
	antt_key_destroy(&key);

	s_start_daemon(cfg, conf);
	char *import[] = {(char *)s_o->antt,  "-c", conf, "units", "import",
	                  (char *)s_o->units, NULL};
	if ((rc = bench_run(import, NULL, s_log, &res->import_ms)) != 0)
		bench_die("'antt units import %s' failed (exit %d)", s_o->units, rc);
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
	for (int c = 0; c < C_COUNT_; c++) {
		char *argv[12];
		int a = 0;
		argv[a++] = (char *)s_o->antt;
		argv[a++] = "-c";
		argv[a++] = conf;
		argv[a++] = (char *)s_cmds[c].args[0];
		argv[a++] = "--period";
		argv[a++] = PERIOD;
		for (int k = 1; k < 4 && s_cmds[c].args[k]; k++)
			argv[a++] = (char *)s_cmds[c].args[k];
		argv[a] = NULL;
		for (long i = 0; i < s_o->runs; i++) {
			if ((rc = bench_run(argv, out, s_log, &ms[i])) != 0)
				bench_die("'%s' failed (exit %d)", s_cmds[c].label, rc);
			if (i == 0) {
				res->out_bytes[c] = s_file_size(out);
				CHECK(res->out_bytes[c] > 0, "'%s' printed nothing",
				      s_cmds[c].label);
				if (c == C_REPORT_JSON)
					s_check_report(sc, out, res);
				else if (c == C_MISSING_JSON)
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
	for (int c = 0; c < C_COUNT_; c++) {
		json_t *j = s_stats_json(&r->cmd_ms[c]);
		json_object_set_new(j, "output_bytes", json_integer(r->out_bytes[c]));
		json_object_set_new(j, "median_over_scan",
		                    json_real(r->cmd_ms[c].p50 / r->scan_ms.p50));
		json_object_set_new(cmds, s_cmds[c].label, j);
	}
	json_t *j = json_pack(
	    "{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "node_unit",
	    sc->node_unit, "scope", sc->scope_name, "units_expected", (json_int_t)sc->n_listed,
	    "units_reported", (json_int_t)sc->units_reported, "units_left_out",
	    (json_int_t)sc->n_left_out, "records", (json_int_t)r->records, "corrections",
	    (json_int_t)sc->n_corr, "late", (json_int_t)sc->late, "skewed", (json_int_t)sc->skewed,
	    "unlisted_reports", (json_int_t)sc->unlisted, "vals_rows", (json_int_t)r->vals_rows,
	    "reports_rows", (json_int_t)r->reports_rows, "store_bytes", (json_int_t)r->db_bytes);
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
	printf("  %zu units expected (the leaves of the list), %ld reported, %zu left out\n",
	       sc->n_listed, sc->units_reported, sc->n_left_out);
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
	for (int c = 0; c < C_COUNT_; c++)
		printf("  %-44s %9.1f %9.1f %9.1f %9.2f   %" PRId64 " bytes out\n", s_cmds[c].label,
		       r->cmd_ms[c].min, r->cmd_ms[c].p50, r->cmd_ms[c].max,
		       r->cmd_ms[c].p50 / r->scan_ms.p50, r->out_bytes[c]);
	printf("  (%ld runs each; /scan: median over the SQLite scan's median)\n", runs);
	printf("  checks: %d held (totals of %zu indicators, %zu rows, units, missing, late, "
	       "skewed, unlisted, the scan's sum)\n",
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

int main(int argc, char **argv)
{
	enum {
		O_UNITS = 1000,
		O_LEAVE,
		O_INTAKE,
		O_BATCH,
		O_NOPROV,
		O_NONAT,
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

	double other_cpu, steal;
	bench_others_cpu(busy0, steal0, &other_cpu, &steal);
	double run_s = bench_since_s(s_run0);
	const char *source = bench_source();
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int has_nat = !o.no_national;
	double nat_report = nat_r.cmd_ms[C_REPORT_JSON].p50 / 1e3,
	       nat_missing = nat_r.cmd_ms[C_MISSING].p50 / 1e3;
	int report_ok = has_nat && nat_report < AIM_NATIONAL_S,
	    missing_ok = has_nat && nat_missing < AIM_NATIONAL_S;

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
		if (has_nat)
			json_object_set_new(j, "aims",
			                    json_pack("{s:{s:f, s:f, s:b}, s:{s:f, s:f, s:b}}",
			                              "national_report_s", "aim", AIM_NATIONAL_S,
			                              "measured", nat_report, "met", report_ok,
			                              "national_missing_s", "aim", AIM_NATIONAL_S,
			                              "measured", nat_missing, "met", missing_ok));
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
		if (has_nat) {
			s_scope_text(&nat, &nat_r, o.runs);
			printf("\naims\n");
			printf("  national antt report --json < %.0f s   median %7.3f s   %s\n",
			       AIM_NATIONAL_S, nat_report, report_ok ? "MET" : "NOT MET");
			printf("  national antt missing < %.0f s          median %7.3f s   %s\n",
			       AIM_NATIONAL_S, nat_missing, missing_ok ? "MET" : "NOT MET");
		}
	}
	s_cleanup(o.keep);
	s_scope_free(&prov);
	s_scope_free(&nat);
	free(codes);
	antt_forms_destroy(&forms);
	antt_units_clear(&list);
	return o.check && has_nat && !(report_ok && missing_ok) ? 1 : 0;
}
