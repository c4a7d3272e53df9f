/* intake_bench.c - antt-intake-bench: how fast a hub takes records from a
 * child, beside this machine's own limits.
 *
 * One run measures, on this machine:
 *   0. its own limits, for the ratios: Ed25519 verify (and sign) on one
 *      core over a typical record body, SQLite's batched insert rate (a
 *      plain INSERT of 250-byte rows in transactions of --batch (5000)
 *      into a WAL, synchronous=FULL table in the bench's folder, the disk
 *      the nodes use), and the store's own appends of the records below
 *      (antt_store_append_ex, as a hub stores them);
 *   a. a hub's intake: the bench plays a child itself (tests/peer/
 *      fakechild.h).  It makes an identity (antt_key_generate, saved with
 *      antt_key_save), signs N records of it forming one valid chain and
 *      packs them into Batch frames, all before any timing; starts a real
 *      anttd hub ('antt init --listen'), enrolls its key there ('antt
 *      enroll'), connects a DEALER with CURVE (keys derived from the
 *      Ed25519 ones as anttd does), sends Hello, then the batches one
 *      after the other, each after the Ack of the one before, as anttd's
 *      uplink does.  Timed from the first Batch sent to the last Ack
 *      received.  Twice, each on a new hub: batches as plain `records`,
 *      and as `zrecords` (zstd level 3 of a Records message, what the
 *      uplink sends when it pays).  Then it waits for the hub's background
 *      audit to have checked every signature accepted on a later one (read
 *      from the hub's store).
 *
 * Everything happens in a temporary folder under $TMPDIR (else /tmp),
 * removed at the end (--keep leaves it).  If the bench dies, its anttd get
 * SIGTERM (PR_SET_PDEATHSIG).  --perf DIR records the first hub with
 * 'perf record -g' during the plain intake.
 *
 *     bench/run.sh --intake        # Release build into build-bench, then run
 *     build-bench/bench/antt-intake-bench [--json] [-n 100000]
 *
 * Checks: every Ack names the expected batch and head and refuses nothing,
 * each hub ends up holding exactly N + 1 records (its enrollment of the
 * bench), its audit finds no bad signature, and every anttd exits 0 on
 * SIGTERM.
 *
 * Exit code: 0 when every phase ran, 1 when something failed, 2 on a usage
 * error; with --check also 1 when the aim (hub intake >= 3x the raw
 * one-core verify rate, plain batches) is missed. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>
#include <zstd.h>

#include <jansson.h>

#include "benchlib.h"
#include "common.h"
#include "fakechild.h"
#include "record.h"
#include "store.h"
#include "synclib.h"

#define AIM_INTAKE_OVER_VERIFY 3.0
#define ROW_BYTES 250           /* the SQLite baseline's rows */
#define ZLEVEL 3                /* as daemon/uplink.c */
#define AUDIT_TIMEOUT_MS 600000 /* the hub's background audit */

/* ---- 0. this machine's limits ---- */

typedef struct {
	synclib_crypto_t ed; /* Ed25519, one core */
	double sqlite_rows_per_s, sqlite_s;
	double store_per_s, store_s; /* antt_store_append_ex, as the hub */
} s_limits_t;

static void s_sql(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		bench_die("SQLite baseline: %s: %s", sql, msg ? msg : "error");
}

/* n rows of ROW_BYTES random bytes, plain INSERTs, COMMIT every batch rows,
 * into a new WAL, synchronous=FULL database in dir.  Rows are made first. */
static void s_sqlite_rate(const char *dir, long n, long batch, s_limits_t *l)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof path, "%s/baseline.db", dir);
	uint8_t *rows = antt_xmalloc((size_t)n * ROW_BYTES);
	randombytes_buf(rows, (size_t)n * ROW_BYTES);
	sqlite3 *db;
	sqlite3_stmt *st;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		bench_die("SQLite baseline: cannot open %s", path);
	s_sql(db, "PRAGMA journal_mode = WAL");
	s_sql(db, "PRAGMA synchronous = FULL");
	s_sql(db, "CREATE TABLE t(n INTEGER PRIMARY KEY, data BLOB NOT NULL)");
	if (sqlite3_prepare_v2(db, "INSERT INTO t(data) VALUES(?1)", -1, &st, NULL) != SQLITE_OK)
		bench_die("SQLite baseline: %s", sqlite3_errmsg(db));
	int64_t t0 = bench_now_ns();
	for (long i = 0; i < n;) {
		s_sql(db, "BEGIN");
		for (long k = 0; k < batch && i < n; k++, i++) {
			sqlite3_bind_blob(st, 1, rows + (size_t)i * ROW_BYTES, ROW_BYTES,
			                  SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_DONE)
				bench_die("SQLite baseline: %s", sqlite3_errmsg(db));
			sqlite3_reset(st);
		}
		s_sql(db, "COMMIT");
	}
	l->sqlite_s = bench_since_s(t0);
	l->sqlite_rows_per_s = (double)n / l->sqlite_s;
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(rows);
	bench_unlink_db(path);
}

/* ---- the child's records, signed and packed before any timing ---- */

typedef struct {
	antt_key_t *key;
	long n, batch;
	size_t n_batches;
	fc_rec_t *rec; /* one chain: rec[i] is seq i + 1 */
	uint8_t last_id[ANTT_ID_BYTES];
	ProtobufCBinaryData *env; /* the envelopes, the records' bytes */
	uint64_t env_bytes, body_bytes;
	/* SyncMsg frames: plain (records) and compressed (zrecords) */
	uint8_t **plain, **packz;
	size_t *plain_len, *packz_len;
	uint64_t plain_bytes, packz_bytes, records_msg_bytes;
} s_chain_t;

typedef struct {
	s_chain_t *c;
	long from, to;
} s_signer_t;

static void *s_sign_part(void *arg)
{
	s_signer_t *s = arg;
	for (long i = s->from; i < s->to; i++)
		fc_rec_sign(&s->c->rec[i], s->c->key);
	return NULL;
}

static void s_chain_build(s_chain_t *c, const char *keypath, long n, long batch)
{
	char err[ANTT_ERR_MAX];
	memset(c, 0, sizeof *c);
	if (antt_key_generate(&c->key))
		bench_die("cannot generate a key");
	if (antt_key_save(c->key, keypath, err))
		bench_die("%s", err);
	c->n = n;
	c->batch = batch;
	c->rec = antt_xcalloc((size_t)n, sizeof *c->rec);
	/* the chain: each body names the id (hash) of the one before */
	uint8_t prev[ANTT_ID_BYTES] = {0};
	int64_t clock = antt_now();
	for (long i = 0; i < n; i++) {
		fc_rec_t *r = &c->rec[i];
		synclib_body(c->key->pk, (uint64_t)i + 1, prev, clock, i, &r->body, &r->blen);
		r->seq = (uint64_t)i + 1;
		r->clock = clock;
		memcpy(r->author, c->key->pk, ANTT_KEY_BYTES);
		antt_record_id(prev, r->body, r->blen);
		c->body_bytes += r->blen;
	}
	memcpy(c->last_id, prev, ANTT_ID_BYTES);
	/* signatures are independent of each other: one thread per core */
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu < 1)
		ncpu = 1;
	if (ncpu > 16)
		ncpu = 16;
	pthread_t th[16];
	s_signer_t parts[16];
	for (long t = 0; t < ncpu; t++) {
		parts[t] = (s_signer_t){c, n * t / ncpu, n * (t + 1) / ncpu};
		if (pthread_create(&th[t], NULL, s_sign_part, &parts[t]) != 0)
			bench_die("pthread_create failed");
	}
	for (long t = 0; t < ncpu; t++)
		pthread_join(th[t], NULL);
	fc_rec_t **rp = antt_xcalloc((size_t)n, sizeof *rp);
	for (long i = 0; i < n; i++) {
		rp[i] = &c->rec[i];
		c->env_bytes += c->rec[i].env_len;
	}
	c->env = fc_envelopes(rp, (size_t)n);
	free(rp);
	/* the frames, as the uplink would send them */
	c->n_batches = (size_t)((n + batch - 1) / batch);
	c->plain = antt_xcalloc(c->n_batches, sizeof *c->plain);
	c->packz = antt_xcalloc(c->n_batches, sizeof *c->packz);
	c->plain_len = antt_xcalloc(c->n_batches, sizeof *c->plain_len);
	c->packz_len = antt_xcalloc(c->n_batches, sizeof *c->packz_len);
	for (size_t k = 0; k < c->n_batches; k++) {
		long from = (long)k * batch, cnt = n - from < batch ? n - from : batch;
		size_t raw_len;
		c->plain[k] = fc_batch_pack(k + 1, &c->env[from], (size_t)cnt, &c->plain_len[k]);
		c->plain_bytes += c->plain_len[k];
		uint8_t *raw = fc_records_pack(&c->env[from], (size_t)cnt, &raw_len);
		c->records_msg_bytes += raw_len;
		c->packz[k] = fc_zbatch_pack(k + 1, raw, raw_len, ZLEVEL, &c->packz_len[k]);
		c->packz_bytes += c->packz_len[k];
		free(raw);
	}
}

static void s_chain_free(s_chain_t *c)
{
	for (long i = 0; i < c->n; i++)
		fc_rec_free(&c->rec[i]);
	for (size_t k = 0; k < c->n_batches; k++) {
		free(c->plain[k]);
		free(c->packz[k]);
	}
	free(c->rec);
	free(c->env);
	free(c->plain);
	free(c->packz);
	free(c->plain_len);
	free(c->packz_len);
	antt_key_destroy(&c->key);
}
/* The hub's own storing, without the network or decoding: the chain's
 * records appended with antt_store_append_ex to a new store (WAL,
 * synchronous=FULL, the daemon's schema), a transaction per batch, each
 * batch's last record marked audited as the hub does.  Bodies are decoded
 * and ids computed first. */
static void s_store_rate(const s_chain_t *c, const char *dir, s_limits_t *l)
{
	char path[PATH_MAX + 32], err[ANTT_ERR_MAX];
	uint8_t node_pk[ANTT_KEY_BYTES];
	snprintf(path, sizeof path, "%s/floor.db", dir);
	antt_body_t *b = antt_xcalloc((size_t)c->n, sizeof *b);
	uint8_t(*id)[ANTT_ID_BYTES] = antt_xcalloc((size_t)c->n, ANTT_ID_BYTES);
	for (long i = 0; i < c->n; i++) {
		if (antt_body_decode(c->rec[i].body, c->rec[i].blen, &b[i], err))
			bench_die("decoding record %ld: %s", i + 1, err);
		antt_record_id(id[i], c->rec[i].body, c->rec[i].blen);
	}
	randombytes_buf(node_pk, sizeof node_pk);
	antt_store_t *st;
	if (antt_store_open(path, node_pk, ANTT_STORE_CREATE, &st, err))
		bench_die("%s", err);
	int64_t now = antt_now(), t0 = bench_now_ns();
	for (long i = 0; i < c->n;) {
		long end = i + c->batch < c->n ? i + c->batch : c->n;
		if (antt_store_begin(st, err))
			bench_die("%s", err);
		for (; i < end; i++)
			if (antt_store_append_ex(st, id[i], c->rec[i].body, c->rec[i].blen,
			                         c->rec[i].sig, &b[i], now, now, i == end - 1, err))
				bench_die("%s", err);
		if (antt_store_commit(st, err))
			bench_die("%s", err);
	}
	l->store_s = bench_since_s(t0);
	l->store_per_s = (double)c->n / l->store_s;
	antt_store_close(&st);
	for (long i = 0; i < c->n; i++)
		antt_body_clear(&b[i]);
	free(b);
	free(id);
	bench_unlink_db(path);
}

/* ---- a. a hub's intake ---- */

typedef struct {
	const char *label;
	double s;             /* first Batch sent to last Ack */
	double rps;           /* records/s */
	double hub_cpu;       /* CPU-s of the hub meanwhile */
	double bench_cpu;     /* CPU-s of the bench meanwhile */
	double *batch_ms;     /* Batch sent to its Ack, each */
	bench_stats_t bs;     /* of batch_ms */
	double audit_s;       /* last Ack to every signature audited */
	long audit_bad;       /* audit = -1 */
	uint64_t frame_bytes; /* the Batch frames sent */
} s_intake_t;

/* The hub's next Heads or Ack; dies on an Error, or on none within the
 * reply timeout. */
static Antt__SyncMsg *s_answer(void *sock, const char *waiting_for)
{
	Antt__SyncMsg *m = fc_recv_answer(sock, SYNCLIB_REPLY_TIMEOUT_MS, 0);
	if (!m)
		bench_die("no %s from the hub within %d ms", waiting_for, SYNCLIB_REPLY_TIMEOUT_MS);
	if (m->msg_case == ANTT__SYNC_MSG__MSG_ERROR)
		bench_die("the hub answered Error %u: %s", m->error->code,
		          m->error->reason ? m->error->reason : "");
	return m;
}

typedef struct {
	long unaudited, bad, checked;
} s_audit_count_t;

static void s_audit_counts(const char *store, s_audit_count_t *a)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	memset(a, 0, sizeof *a);
	if (sqlite3_open_v2(store, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		bench_die("cannot open %s read-only", store);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_prepare_v2(db,
	                       "SELECT coalesce(sum(audit = 0), 0), coalesce(sum(audit = -1), 0), "
	                       "coalesce(sum(audit = 1), 0) FROM records",
	                       -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		bench_die("reading %s: %s", store, sqlite3_errmsg(db));
	a->unaudited = sqlite3_column_int64(st, 0);
	a->bad = sqlite3_column_int64(st, 1);
	a->checked = sqlite3_column_int64(st, 2);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void s_intake(const s_chain_t *c, const char *name, int compressed, const char *perf_dir,
                     s_intake_t *r)
{
	char hex[2 * ANTT_KEY_BYTES + 1];
	memset(r, 0, sizeof *r);
	r->label = compressed ? "compressed (zrecords, zstd -3)" : "plain (records)";
	synclib_node_t *hub = synclib_node_init(name, SYNCLIB_HUB_UNIT, NULL, "127.0.0.1",
	                                        synclib_free_port(), NULL, NULL, 0);
	synclib_node_start(hub);
	synclib_enroll(hub, SYNCLIB_CHILD_UNIT, antt_hex(hex, c->key->pk, ANTT_KEY_BYTES), NULL);

	/* the child's transport: CURVE keys derived from the Ed25519 ones */
	uint8_t hub_ed[ANTT_KEY_BYTES];
	char ep[64];
	int tmo = SYNCLIB_REPLY_TIMEOUT_MS;
	if (antt_unhex(hub_ed, ANTT_KEY_BYTES, hub->pk))
		bench_die("the hub's key is not hex");
	snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", hub->port);
	void *sock = fc_connect(synclib_zctx(), ep, hub_ed, c->key);
	zmq_setsockopt(sock, ZMQ_SNDTIMEO, &tmo, sizeof tmo);

	/* Hello with this child's head; the hub holds nothing of it yet */
	fc_send_hello(sock, ANTT_SYNC_VERSION, SYNCLIB_CHILD_UNIT, c->key->pk, (uint64_t)c->n,
	              c->last_id);
	Antt__SyncMsg *m = s_answer(sock, "Heads");
	if (m->msg_case != ANTT__SYNC_MSG__MSG_HEADS)
		bench_die("the hub answered Hello with message %d, not Heads", (int)m->msg_case);
	if (m->heads->credit < (uint32_t)c->batch)
		bench_die("the hub gives a credit of %u records, less than --batch %ld",
		          m->heads->credit, c->batch);
	if (m->heads->n_heads != 1 || m->heads->heads[0]->seq != 0)
		bench_die("the new hub says it already holds records of the bench's key");
	antt__sync_msg__free_unpacked(m, NULL);

	/* the timed part: one batch in flight, as the uplink */
	r->batch_ms = antt_xcalloc(c->n_batches, sizeof *r->batch_ms);
	if (perf_dir) {
		char pid[32], out[PATH_MAX];
		snprintf(pid, sizeof pid, "%d", (int)hub->pid);
		snprintf(out, sizeof out, "%s/%s.perf.data", perf_dir, name);
		synclib_perf_start(pid, out);
	}
	double hub0 = synclib_proc_cpu(hub->pid), self0 = bench_self_cpu();
	int64_t t0 = bench_now_ns();
	for (size_t k = 0; k < c->n_batches; k++) {
		const uint8_t *f = compressed ? c->packz[k] : c->plain[k];
		size_t len = compressed ? c->packz_len[k] : c->plain_len[k];
		int64_t b0 = bench_now_ns();
		fc_send_frame(sock, f, len);
		m = s_answer(sock, "Ack");
		r->batch_ms[k] = (double)(bench_now_ns() - b0) / 1e6;
		long last = (long)(k + 1) * c->batch < c->n ? (long)(k + 1) * c->batch : c->n;
		if (m->msg_case != ANTT__SYNC_MSG__MSG_ACK || m->ack->batch != k + 1)
			bench_die("batch %zu: the hub's answer is not its Ack", k + 1);
		if (m->ack->n_refused)
			bench_die("batch %zu: the hub refused %zu record(s), first: %s", k + 1,
			          m->ack->n_refused,
			          m->ack->refused[0]->reason ? m->ack->refused[0]->reason : "");
		if (m->ack->n_heads != 1 || m->ack->heads[0]->seq != (uint64_t)last)
			bench_die("batch %zu: the Ack's head is not seq %ld", k + 1, last);
		antt__sync_msg__free_unpacked(m, NULL);
		r->frame_bytes += len;
	}
	r->s = bench_since_s(t0);
	r->hub_cpu = synclib_proc_cpu(hub->pid) - hub0;
	r->bench_cpu = bench_self_cpu() - self0;
	int64_t t_acked = bench_now_ns();
	if (perf_dir)
		synclib_perf_stop();
	r->rps = (double)c->n / r->s;
	r->bs = bench_stats(r->batch_ms, c->n_batches);
	zmq_close(sock);

	bench_say("  %ld records in %.3f s; waiting for the hub's audit\n", c->n, r->s);
	long held = synclib_records(hub);
	if (held != c->n + 1)
		bench_die("%s holds %ld records, expected %ld", name, held, c->n + 1);
	/* the background audit: every signature accepted on a later one */
	int64_t deadline = t_acked + (int64_t)AUDIT_TIMEOUT_MS * 1000000;
	while (synclib_count_unaudited(hub->cfg->store_path) > 0) {
		if (bench_now_ns() > deadline)
			bench_die("%s: the audit did not finish within %d ms", name,
			          AUDIT_TIMEOUT_MS);
		usleep(50000);
	}
	r->audit_s = bench_since_s(t_acked);
	s_audit_count_t ac;
	s_audit_counts(hub->cfg->store_path, &ac);
	r->audit_bad = ac.bad;
	if (ac.bad)
		bench_die("%s: the audit found %ld bad signature(s)", name, ac.bad);
	synclib_node_stop(hub);
}

/* ---- main ---- */

static void s_usage(FILE *f)
{
	fprintf(
	    f, "usage: antt-intake-bench [options]\n"
	       "  -n, --records N    records signed and sent to each hub (100000)\n"
	       "  -b, --batch B      records in one Batch the bench sends (5000, as [sync] batch)\n"
	       "  -s, --seconds S    seconds per raw sign/verify rate (2)\n"
	       "      --perf DIR     'perf record -g' the hub during the plain intake into\n"
	       "                     DIR/hub-plain.perf.data ($ANTT_PERF_CALLGRAPH=dwarf:\n"
	       "                     --call-graph=dwarf; profiling slows what it measures)\n"
	       "      --check        exit 1 if the aim (intake >= 3x one-core verify) is missed\n");
	synclib_usage_common(f);
}

static long s_batch = 5000; /* --batch */

/* The option this program alone takes. */
static int s_option(int opt, const char *arg)
{
	if (opt != 'b')
		return -1;
	s_batch = bench_count_arg("--batch", arg, 1, 100000);
	return 0;
}

/* What the sync child of fakechild.h does when it fails: what bench_die
 * does (the nodes stopped, the folder removed). */
static void s_child_died(const char *msg)
{
	bench_die("%s", msg);
}

static json_t *s_intake_json(const s_intake_t *r, const s_limits_t *l, size_t n_batches)
{
	json_t *ms = json_array();
	for (size_t k = 0; k < n_batches; k++)
		json_array_append_new(ms, json_real(r->batch_ms[k]));
	return json_pack(
	    "{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:I, s:{s:f, s:f, s:f, s:f, s:f}, "
	    "s:o, s:f, s:I}",
	    "seconds", r->s, "records_per_s", r->rps, "over_verify", r->rps / l->ed.verify,
	    "over_sqlite", r->rps / l->sqlite_rows_per_s, "over_store", r->rps / l->store_per_s,
	    "hub_cpu_s", r->hub_cpu, "bench_cpu_s", r->bench_cpu, "frame_bytes",
	    (json_int_t)r->frame_bytes, "batch_ms", "p50", r->bs.p50, "mean", r->bs.mean, "max",
	    r->bs.max, "first", r->bs.first, "last", r->bs.last, "each_batch_ms", ms,
	    "audit_done_after_last_ack_s", r->audit_s, "audit_bad", (json_int_t)r->audit_bad);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {SYNCLIB_OPTIONS,
	                                     {"batch", required_argument, NULL, 'b'},
	                                     {"seconds", required_argument, NULL, 's'},
	                                     {"perf", required_argument, NULL, SYNCLIB_O_PERF},
	                                     {"check", no_argument, NULL, SYNCLIB_O_CHECK},
	                                     {0}};
	synclib_setup("antt-intake-bench");
	fc_setup("antt-intake-bench", s_child_died);
	synclib_opts_t o = {.n = 100000, .seconds = 2.0};
	synclib_options(argc, argv, "n:b:s:h", opts, &o, s_option, s_usage);

	synclib_run_t run;
	synclib_start(&o, &run);

	/* 0. limits */
	s_limits_t lim = {0};
	bench_say("raw Ed25519 rates, %.1f s each...\n", o.seconds);
	synclib_crypto_rates(o.seconds, &lim.ed);
	bench_say("SQLite baseline: %ld rows of %d bytes, %ld per transaction...\n", o.n, ROW_BYTES,
	          s_batch);
	s_sqlite_rate(synclib_dir(), o.n, s_batch, &lim);

	/* a. intake */
	bench_say("signing %ld records of one chain and packing batches (not timed)...\n", o.n);
	char keypath[PATH_MAX + 16];
	snprintf(keypath, sizeof keypath, "%s/child.key", synclib_dir());
	s_chain_t chain;
	s_chain_build(&chain, keypath, o.n, s_batch);
	bench_say("the hub's storing alone: antt_store_append_ex of those records...\n");
	s_store_rate(&chain, synclib_dir(), &lim);
	s_intake_t plain, packz;
	bench_say("hub intake, plain batches...\n");
	s_intake(&chain, "hub-plain", 0, o.perf, &plain);
	bench_say("hub intake, compressed batches...\n");
	s_intake(&chain, "hub-zstd", 1, NULL, &packz);

	synclib_machine_t mach;
	synclib_machine(&run, &mach);
	double env_avg = (double)chain.env_bytes / (double)o.n;
	double body_avg = (double)chain.body_bytes / (double)o.n;
	double zratio = (double)chain.packz_bytes / (double)chain.plain_bytes;
	double verify = lim.ed.verify;
	int plain_ok = plain.rps >= AIM_INTAKE_OVER_VERIFY * verify;
	int packz_ok = packz.rps >= AIM_INTAKE_OVER_VERIFY * verify;
	char zver[32];
	snprintf(zver, sizeof zver, "%s", ZSTD_versionString());

	if (o.json) {
		json_t *j = json_object();
		if (mach.source)
			json_object_set_new(j, "source", json_string(mach.source));
		json_object_set_new(j, "machine",
		                    json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:f, s:f, s:f}",
		                              "cpu", run.cpu, "nproc", (json_int_t)mach.ncpu,
		                              "libsodium", sodium_version_string(), "sqlite",
		                              sqlite3_libversion(), "libzmq", mach.zmq, "zstd",
		                              zver, "run_s", mach.run_s, "other_cpu_s",
		                              mach.other_cpu, "steal_s", mach.steal));
		json_object_set_new(j, "params",
		                    json_pack("{s:I, s:I, s:f}", "records", (json_int_t)o.n,
		                              "batch", (json_int_t)s_batch, "seconds", o.seconds));
		json_object_set_new(
		    j, "limits",
		    json_pack("{s:I, s:f, s:f, s:{s:I, s:I, s:f, s:f}, s:{s:I, s:f, s:f}}",
		              "body_bytes", (json_int_t)lim.ed.body_len, "verify_per_s", verify,
		              "sign_per_s", lim.ed.sign, "sqlite_insert", "row_bytes",
		              (json_int_t)ROW_BYTES, "rows_per_txn", (json_int_t)s_batch, "seconds",
		              lim.sqlite_s, "rows_per_s", lim.sqlite_rows_per_s, "store_append",
		              "records_per_txn", (json_int_t)s_batch, "seconds", lim.store_s,
		              "records_per_s", lim.store_per_s));
		json_object_set_new(
		    j, "records",
		    json_pack("{s:f, s:f, s:I, s:I, s:I, s:f}", "envelope_avg_bytes", env_avg,
		              "body_avg_bytes", body_avg, "plain_frames_bytes",
		              (json_int_t)chain.plain_bytes, "records_msg_bytes",
		              (json_int_t)chain.records_msg_bytes, "zstd_frames_bytes",
		              (json_int_t)chain.packz_bytes, "zstd_over_plain", zratio));
		json_object_set_new(
		    j, "intake",
		    json_pack("{s:o, s:o}", "plain", s_intake_json(&plain, &lim, chain.n_batches),
		              "compressed", s_intake_json(&packz, &lim, chain.n_batches)));
		json_object_set_new(j, "aims",
		                    json_pack("{s:{s:f, s:f, s:f, s:b, s:f, s:b}}",
		                              "intake_over_verify", "aim", AIM_INTAKE_OVER_VERIFY,
		                              "verify_per_s", verify, "plain", plain.rps / verify,
		                              "plain_met", plain_ok, "compressed",
		                              packz.rps / verify, "compressed_met", packz_ok));
		json_dumpf(j, stdout,
		           JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
		fputc('\n', stdout);
		json_decref(j);
	} else {
		printf("antt-intake-bench: %s, %ld CPU(s); libsodium %s, SQLite %s, libzmq %s, "
		       "zstd %s%s%s\n",
		       run.cpu, mach.ncpu, sodium_version_string(), sqlite3_libversion(), mach.zmq,
		       zver, mach.source ? "; source " : "", mach.source ? mach.source : "");
		printf("run took %.1f s; other processes used %.1f CPU-s meanwhile, steal %.1f s "
		       "(well above 0: the figures are skewed)\n\n",
		       mach.run_s, mach.other_cpu, mach.steal);
		printf("this machine's limits\n");
		printf("  %-50s %10.0f /s\n", "Ed25519 verify, one core", verify);
		printf("  %-50s %10.0f /s\n", "Ed25519 sign, one core", lim.ed.sign);
		char label[96];
		snprintf(label, sizeof label, "SQLite INSERT, %d-byte rows, %ld/txn, WAL+FULL",
		         ROW_BYTES, s_batch);
		printf("  %-50s %10.0f rows/s\n", label, lim.sqlite_rows_per_s);
		snprintf(label, sizeof label, "antt store append (the hub's INSERTs), %ld/txn",
		         s_batch);
		printf("  %-50s %10.0f records/s\n", label, lim.store_per_s);
		printf("\nrecords: %ld of one author, one chain; envelope %.1f bytes on average "
		       "(body %.1f)\n",
		       o.n, env_avg, body_avg);
		printf("  %zu batches of %ld: %.2f MB as records, %.2f MB as zrecords (%.3f)\n",
		       chain.n_batches, s_batch, (double)chain.plain_bytes / 1e6,
		       (double)chain.packz_bytes / 1e6, zratio);
		printf("\n(a) hub intake: Batch -> Ack, one in flight, first Batch to last Ack\n");
		printf("  %-31s %6s %10s %8s %7s %6s %9s %17s %7s\n", "", "s", "records/s",
		       "/verify", "/SQLite", "/store", "hub CPU-s", "batch ms p50/max", "audit s");
		const s_intake_t *rs[2] = {&plain, &packz};
		for (int i = 0; i < 2; i++)
			printf("  %-31s %6.2f %10.0f %8.2f %7.3f %6.2f %9.2f %8.1f/%-8.1f %7.1f\n",
			       rs[i]->label, rs[i]->s, rs[i]->rps, rs[i]->rps / verify,
			       rs[i]->rps / lim.sqlite_rows_per_s, rs[i]->rps / lim.store_per_s,
			       rs[i]->hub_cpu, rs[i]->bs.p50, rs[i]->bs.max, rs[i]->audit_s);
		printf("  (audit s: from the last Ack until the hub's background audit had checked "
		       "every signature; none failed)\n");
		printf("\naims\n");
		printf("  hub intake >= %.0fx one-core verify (%.0f /s)\n", AIM_INTAKE_OVER_VERIFY,
		       verify);
		printf("    plain batches      %8.2fx %10.0f /s   %s\n", plain.rps / verify,
		       plain.rps, plain_ok ? "MET" : "NOT MET");
		printf("    compressed batches %8.2fx %10.0f /s   %s\n", packz.rps / verify,
		       packz.rps, packz_ok ? "MET" : "NOT MET");
	}
	free(plain.batch_ms);
	free(packz.batch_ms);
	s_chain_free(&chain);
	synclib_end();
	return o.check && !plain_ok ? 1 : 0;
}
