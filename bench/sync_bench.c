/* sync_bench.c - how fast records move up a tree of anttd, and what they
 * cost on the wire.
 *
 * One run measures, on this machine:
 *   0. its own limits, for the ratios: Ed25519 verify (and sign) on one
 *      core over a typical record body, and SQLite's batched insert rate:
 *      a plain INSERT of 250-byte rows in transactions of --batch (5000)
 *      into a WAL, synchronous=FULL table in the bench's folder (the disk
 *      the nodes use);
 *   a. a hub's intake: the bench plays a child itself.  It makes an
 *      identity (antt_key_generate, saved with antt_key_save), signs N
 *      records of it forming one valid chain and packs them into Batch
 *      frames, all before any timing; starts a real anttd hub
 *      ('antt init --listen'), enrolls its key there ('antt enroll'),
 *      connects a DEALER with CURVE (keys derived from the Ed25519 ones as
 *      anttd does), sends Hello, then the batches one after the other, each
 *      after the Ack of the one before, as anttd's uplink does.  Timed from
 *      the first Batch sent to the last Ack received.  Twice, each on a new
 *      hub: batches as plain `records`, and as `zrecords` (zstd level 3 of
 *      a Records message, what the uplink sends when it pays).  Then it
 *      waits for the hub's background audit to have checked every
 *      signature accepted on a later one (read from the hub's store);
 *   b. end to end: province <- district <- commune, three real anttd on
 *      loopback ('antt init --listen/--parent/--parent-key', each child
 *      enrolled at its parent), 'antt submit --file' of N reports at the
 *      commune, timed from the start of the submit until the province
 *      holds them all ("records" of the control socket's status op, what
 *      'antt status --json' prints, polled every --poll-ms);
 *   c. bytes on the wire between commune and district for those N
 *      records: the commune's parent is a TCP relay inside the bench that
 *      forwards to the district and counts the bytes each way (everything
 *      on the TCP stream: ZMTP, CURVE, the sync messages, heartbeats),
 *      from the start of the submit until the commune has the province's
 *      receipt for its last record.  Compared with the records' envelope
 *      bytes (Envelope{body, sig}, as read from the commune's store).
 *
 * Everything happens in a temporary folder under $TMPDIR (else /tmp),
 * removed at the end (--keep leaves it).  If the bench dies, its anttd get
 * SIGTERM (PR_SET_PDEATHSIG).  --perf DIR records the first hub with
 * 'perf record -g' during the plain intake, and the tree's three nodes
 * during (b).
 *
 *     bench/run.sh --sync          # Release build into build-bench, then run
 *     build-bench/bench/antt-sync-bench [--json] [-n 100000]
 *
 * Checks: every Ack names the expected batch and head and refuses nothing,
 * each hub ends up holding exactly N + 1 records (its enrollment of the
 * bench), its audit finds no bad signature, the province and district hold
 * exactly what was submitted, and every anttd exits 0 on SIGTERM.
 *
 * Exit code: 0 when every phase ran, 1 when something failed, 2 on a usage
 * error; with --check also 1 when the aim (hub intake >= 3x the raw
 * one-core verify rate, plain batches) is missed. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>
#include <zstd.h>

#include <jansson.h>

#include "antt.pb-c.h"
#include "common.h"
#include "config.h"
#include "ctlproto.h"
#include "keyfile.h"
#include "record.h"
#include "store.h"

#define AIM_INTAKE_OVER_VERIFY 3.0
#define CHILD_UNIT "12346"
#define HUB_UNIT "332"
#define PROVINCE_UNIT "33"
#define EVENT_FORM "bvanttq-event"
#define ROW_BYTES 250           /* the SQLite baseline's rows */
#define ZLEVEL 3                /* as daemon/uplink.c */
#define START_TIMEOUT_MS 10000  /* anttd must answer ping within this */
#define STOP_TIMEOUT_MS 60000   /* and exit within this after SIGTERM */
#define REPLY_TIMEOUT_MS 120000 /* a control request, a Heads, an Ack */
#define AUDIT_TIMEOUT_MS 600000 /* the hub's background audit */
#define TREE_TIMEOUT_MS 900000  /* the tree: everything at the province */
#define MAX_NODES 8

typedef struct {
	const char *antt, *anttd, *forms, *tmpbase, *perf;
	long n, batch, poll_ms;
	double seconds;
	int json, keep, check, no_tree;
} s_opts_t;

typedef struct {
	double p50, max, mean, first, last;
} s_bstats_t;

/* ---- the nodes the bench runs ---- */

typedef struct {
	char name[16];
	char dir[PATH_MAX], conf[PATH_MAX], log[PATH_MAX];
	char pk[2 * ANTT_KEY_BYTES + 1];
	int port; /* listening port, 0 for none */
	pid_t pid;
	antt_config_t *cfg;
	void *req; /* persistent REQ socket to its control socket */
} s_node_t;

static char s_dir[PATH_MAX]; /* the temporary folder, "" when none */
static s_node_t *s_nodes[MAX_NODES];
static size_t s_n_nodes;
static pid_t s_perf = -1;
static void *s_zctx;
static const s_opts_t *s_o;

static void s_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static int s_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path) < 0 ? -1 : 0;
}

static void s_cleanup(int keep)
{
	if (s_perf > 0) {
		kill(s_perf, SIGINT);
		waitpid(s_perf, NULL, 0);
		s_perf = -1;
	}
	for (size_t i = 0; i < s_n_nodes; i++)
		if (s_nodes[i]->pid > 0) {
			kill(s_nodes[i]->pid, SIGTERM);
			waitpid(s_nodes[i]->pid, NULL, 0);
			s_nodes[i]->pid = -1;
		}
	if (s_dir[0]) {
		if (keep)
			fprintf(stderr, "antt-sync-bench: kept %s\n", s_dir);
		else if (nftw(s_dir, s_rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
			fprintf(stderr, "antt-sync-bench: could not remove %s: %s\n", s_dir,
			        strerror(errno));
		s_dir[0] = '\0';
	}
}

static void s_die(const char *fmt, ...)
{
	va_list ap;
	fputs("antt-sync-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	for (size_t i = 0; i < s_n_nodes; i++) {
		FILE *f = fopen(s_nodes[i]->log, "r");
		if (!f)
			continue;
		char line[1024];
		fprintf(stderr, "antt-sync-bench: log of %s (%s):\n", s_nodes[i]->name,
		        s_nodes[i]->log);
		while (fgets(line, sizeof line, f))
			fprintf(stderr, "  %s", line);
		fclose(f);
	}
	s_cleanup(s_o ? s_o->keep : 0);
	exit(1);
}

static int64_t s_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static double s_since_s(int64_t t0)
{
	return (double)(s_now_ns() - t0) / 1e9;
}

static int64_t s_run0; /* the run's start */
static int s_quiet;    /* --json: no progress */

/* Progress on stderr, with the time since the start. */
static void s_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void s_say(const char *fmt, ...)
{
	va_list ap;
	if (s_quiet)
		return;
	fprintf(stderr, "[%6.1f s] ", s_since_s(s_run0));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static int s_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static s_bstats_t s_bstats(const double *v, size_t n)
{
	s_bstats_t s = {0};
	if (!n)
		return s;
	double *c = antt_xcalloc(n, sizeof *c), sum = 0;
	memcpy(c, v, n * sizeof *c);
	qsort(c, n, sizeof *c, s_cmp_double);
	for (size_t i = 0; i < n; i++)
		sum += c[i];
	s.p50 = c[(n + 1) / 2 - 1];
	s.max = c[n - 1];
	s.mean = sum / (double)n;
	s.first = v[0];
	s.last = v[n - 1];
	free(c);
	return s;
}

/* Run argv with stdin on /dev/null, stdout to outpath and stderr to
 * errpath (either NULL: /dev/null); the exit status (-1 if it did not exit
 * normally). */
static int s_run(char *const argv[], const char *outpath, const char *errpath)
{
	pid_t pid = fork();
	if (pid < 0)
		s_die("fork: %s", strerror(errno));
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);
		int out = outpath ? open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0600) : nul;
		int err = errpath ? open(errpath, O_WRONLY | O_CREAT | O_APPEND, 0600) : nul;
		dup2(nul, 0);
		dup2(out < 0 ? nul : out, 1);
		dup2(err < 0 ? nul : err, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			s_die("waitpid: %s", strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* CPU seconds (user + system, all threads) a process has used so far. */
static double s_proc_cpu(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')'); /* after the command name */
	unsigned long long ut = 0, st = 0;
	if (!p ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* Busy and stolen CPU time of the whole machine so far, in seconds, from
 * /proc/stat; -1 if unknown. */
static double s_machine_busy(double *steal)
{
	unsigned long long v[8] = {0};
	double hz = (double)sysconf(_SC_CLK_TCK), busy = -1;
	FILE *f = fopen("/proc/stat", "r");
	*steal = -1;
	if (!f)
		return -1;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
	           &v[4], &v[5], &v[6], &v[7]) == 8) {
		busy = (double)(v[0] + v[1] + v[2] + v[5] + v[6]) / hz;
		*steal = (double)v[7] / hz;
	}
	fclose(f);
	return busy;
}

static double s_own_cpu(void)
{
	struct rusage self, kids;
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	return (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec +
	                kids.ru_stime.tv_sec) +
	       (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec + kids.ru_utime.tv_usec +
	                kids.ru_stime.tv_usec) /
	           1e6;
}

static void s_machine(char *cpu, size_t n)
{
	snprintf(cpu, n, "unknown");
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof line, f)) {
		if (!strncmp(line, "model name", 10)) {
			char *v = strchr(line, ':');
			if (v) {
				v += 1 + (v[1] == ' ');
				v[strcspn(v, "\n")] = '\0';
				snprintf(cpu, n, "%s", v);
			}
			break;
		}
	}
	fclose(f);
}

/* A TCP port on 127.0.0.1 that nothing listens on now. */
static int s_free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		s_die("cannot find a free TCP port: %s", strerror(errno));
	close(fd);
	return ntohs(a.sin_port);
}

/* ---- what is signed and submitted ---- */

/* Day i (0-based) of 2024, as YYYY-MM-DD. */
static void s_period(long i, char out[16])
{
	time_t t = 1704067200 + (time_t)(i % 366) * 86400; /* 2024-01-01T00:00:00Z */
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 16, "%Y-%m-%d", &tm);
}

/* The note makes a body of about 200 bytes, like a real entry with a remark
 * (the same reports as antt-bench's). */
static void s_note(long i, char out[64])
{
	snprintf(out, 64, "Bench report %06ld: routine entry, ward office", i);
}

static json_t *s_report(long i)
{
	char period[16], note[64];
	s_period(i, period);
	s_note(i, note);
	return json_pack("{s:s, s:s, s:{s:I, s:I, s:I}, s:s}", "form", EVENT_FORM, "period", period,
	                 "values", "hoa_giai", (json_int_t)(i % 7), "tin_bao", (json_int_t)(i % 13),
	                 "to_giac", (json_int_t)(i % 5), "note", note);
}

/* The body anttd signs for s_report(i) as record seq of author. */
static void s_body(const uint8_t author[ANTT_KEY_BYTES], uint64_t seq,
                   const uint8_t prev[ANTT_ID_BYTES], int64_t clock, long i, uint8_t **body,
                   size_t *len)
{
	char period[16], note[64], err[ANTT_ERR_MAX];
	antt_value_t vals[] = {{(char *)"hoa_giai", (uint64_t)(i % 7)},
	                       {(char *)"tin_bao", (uint64_t)(i % 13)},
	                       {(char *)"to_giac", (uint64_t)(i % 5)}};
	s_period(i, period);
	s_note(i, note);
	antt_body_t b = {.version = ANTT_RECORD_VERSION,
	                 .seq = seq,
	                 .unit = (char *)CHILD_UNIT,
	                 .clock = clock,
	                 .form = (char *)EVENT_FORM,
	                 .period = period,
	                 .n_values = 3,
	                 .values = vals,
	                 .note = note};
	memcpy(b.author, author, ANTT_KEY_BYTES);
	memcpy(b.prev, prev, ANTT_ID_BYTES);
	if (antt_body_encode(&b, body, len, err))
		s_die("encoding a body: %s", err);
}

/* ---- 0. this machine's limits ---- */

typedef struct {
	double sign, verify; /* per second, one core */
	size_t body_len;
	double sqlite_rows_per_s, sqlite_s;
	double store_per_s, store_s; /* antt_store_append_ex, as the hub */
} s_limits_t;

#define S_RATE(seconds, op)                                                                        \
	({                                                                                         \
		int64_t t0_ = s_now_ns(), t_ = t0_, lim_ = (int64_t)((seconds)*1e9);               \
		uint64_t n_ = 0;                                                                   \
		while (t_ - t0_ < lim_) {                                                          \
			for (int k_ = 0; k_ < 256; k_++) {                                         \
				op;                                                                \
			}                                                                          \
			n_ += 256;                                                                 \
			t_ = s_now_ns();                                                           \
		}                                                                                  \
		(double)n_ / ((double)(t_ - t0_) / 1e9);                                           \
	})

static void s_crypto_rates(double seconds, s_limits_t *l)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	uint8_t sig[crypto_sign_BYTES], zero[ANTT_ID_BYTES] = {0};
	crypto_sign_keypair(pk, sk);
	uint8_t *body;
	size_t len;
	s_body(pk, 1, zero, antt_now(), 1, &body, &len);
	l->body_len = len;
	volatile int sink = 0;
	l->sign = S_RATE(seconds, crypto_sign_detached(sig, NULL, body, len, sk));
	crypto_sign_detached(sig, NULL, body, len, sk);
	l->verify = S_RATE(seconds, sink += crypto_sign_verify_detached(sig, body, len, pk));
	if (sink)
		s_die("a signature did not verify");
	free(body);
	sodium_memzero(sk, sizeof sk);
}

static void s_sql(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		s_die("SQLite baseline: %s: %s", sql, msg ? msg : "error");
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
		s_die("SQLite baseline: cannot open %s", path);
	s_sql(db, "PRAGMA journal_mode = WAL");
	s_sql(db, "PRAGMA synchronous = FULL");
	s_sql(db, "CREATE TABLE t(n INTEGER PRIMARY KEY, data BLOB NOT NULL)");
	if (sqlite3_prepare_v2(db, "INSERT INTO t(data) VALUES(?1)", -1, &st, NULL) != SQLITE_OK)
		s_die("SQLite baseline: %s", sqlite3_errmsg(db));
	int64_t t0 = s_now_ns();
	for (long i = 0; i < n;) {
		s_sql(db, "BEGIN");
		for (long k = 0; k < batch && i < n; k++, i++) {
			sqlite3_bind_blob(st, 1, rows + (size_t)i * ROW_BYTES, ROW_BYTES,
			                  SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_DONE)
				s_die("SQLite baseline: %s", sqlite3_errmsg(db));
			sqlite3_reset(st);
		}
		s_sql(db, "COMMIT");
	}
	l->sqlite_s = s_since_s(t0);
	l->sqlite_rows_per_s = (double)n / l->sqlite_s;
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(rows);
	char wal[PATH_MAX + 40];
	unlink(path);
	snprintf(wal, sizeof wal, "%s-wal", path);
	unlink(wal);
	snprintf(wal, sizeof wal, "%s-shm", path);
	unlink(wal);
}

/* ---- the child's records, signed and packed before any timing ---- */

typedef struct {
	antt_key_t *key;
	long n, batch;
	size_t n_batches;
	uint8_t **body;
	size_t *blen;
	uint8_t (*sig)[ANTT_SIG_BYTES];
	uint8_t last_id[ANTT_ID_BYTES];
	ProtobufCBinaryData *env; /* the envelopes */
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
		antt_record_sign(s->c->sig[i], s->c->body[i], s->c->blen[i], s->c->key->sk);
	return NULL;
}

static void s_chain_build(s_chain_t *c, const char *keypath, long n, long batch)
{
	char err[ANTT_ERR_MAX];
	memset(c, 0, sizeof *c);
	if (antt_key_generate(&c->key))
		s_die("cannot generate a key");
	if (antt_key_save(c->key, keypath, err))
		s_die("%s", err);
	c->n = n;
	c->batch = batch;
	c->body = antt_xcalloc((size_t)n, sizeof *c->body);
	c->blen = antt_xcalloc((size_t)n, sizeof *c->blen);
	c->sig = antt_xcalloc((size_t)n, sizeof *c->sig);
	c->env = antt_xcalloc((size_t)n, sizeof *c->env);
	/* the chain: each body names the id (hash) of the one before */
	uint8_t prev[ANTT_ID_BYTES] = {0};
	int64_t clock = antt_now();
	for (long i = 0; i < n; i++) {
		s_body(c->key->pk, (uint64_t)i + 1, prev, clock, i, &c->body[i], &c->blen[i]);
		antt_record_id(prev, c->body[i], c->blen[i]);
		c->body_bytes += c->blen[i];
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
			s_die("pthread_create failed");
	}
	for (long t = 0; t < ncpu; t++)
		pthread_join(th[t], NULL);
	for (long i = 0; i < n; i++) {
		size_t len;
		antt_envelope_encode(c->body[i], c->blen[i], c->sig[i], &c->env[i].data, &len);
		c->env[i].len = len;
		c->env_bytes += len;
	}
	/* the frames, as the uplink would send them */
	c->n_batches = (size_t)((n + batch - 1) / batch);
	c->plain = antt_xcalloc(c->n_batches, sizeof *c->plain);
	c->packz = antt_xcalloc(c->n_batches, sizeof *c->packz);
	c->plain_len = antt_xcalloc(c->n_batches, sizeof *c->plain_len);
	c->packz_len = antt_xcalloc(c->n_batches, sizeof *c->packz_len);
	for (size_t k = 0; k < c->n_batches; k++) {
		long from = (long)k * batch, cnt = n - from < batch ? n - from : batch;
		Antt__Batch b = ANTT__BATCH__INIT;
		Antt__SyncMsg m = ANTT__SYNC_MSG__INIT;
		m.msg_case = ANTT__SYNC_MSG__MSG_BATCH;
		m.batch = &b;
		b.batch = k + 1;
		b.n_records = (size_t)cnt;
		b.records = &c->env[from];
		c->plain_len[k] = antt__sync_msg__get_packed_size(&m);
		c->plain[k] = antt_xmalloc(c->plain_len[k]);
		antt__sync_msg__pack(&m, c->plain[k]);
		c->plain_bytes += c->plain_len[k];

		Antt__Records rs = ANTT__RECORDS__INIT;
		rs.n_records = (size_t)cnt;
		rs.records = &c->env[from];
		size_t raw_len = antt__records__get_packed_size(&rs);
		uint8_t *raw = antt_xmalloc(raw_len);
		antt__records__pack(&rs, raw);
		c->records_msg_bytes += raw_len;
		size_t cap = ZSTD_compressBound(raw_len);
		uint8_t *z = antt_xmalloc(cap);
		size_t zlen = ZSTD_compress(z, cap, raw, raw_len, ZLEVEL);
		if (ZSTD_isError(zlen))
			s_die("zstd: %s", ZSTD_getErrorName(zlen));
		free(raw);
		Antt__Batch bz = ANTT__BATCH__INIT;
		bz.batch = k + 1;
		bz.zrecords.data = z;
		bz.zrecords.len = zlen;
		m.batch = &bz;
		c->packz_len[k] = antt__sync_msg__get_packed_size(&m);
		c->packz[k] = antt_xmalloc(c->packz_len[k]);
		antt__sync_msg__pack(&m, c->packz[k]);
		c->packz_bytes += c->packz_len[k];
		free(z);
	}
}

static void s_chain_free(s_chain_t *c)
{
	for (long i = 0; i < c->n; i++) {
		free(c->body[i]);
		free(c->env[i].data);
	}
	for (size_t k = 0; k < c->n_batches; k++) {
		free(c->plain[k]);
		free(c->packz[k]);
	}
	free(c->body);
	free(c->blen);
	free(c->sig);
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
		if (antt_body_decode(c->body[i], c->blen[i], &b[i], err))
			s_die("decoding record %ld: %s", i + 1, err);
		antt_record_id(id[i], c->body[i], c->blen[i]);
	}
	randombytes_buf(node_pk, sizeof node_pk);
	antt_store_t *st;
	if (antt_store_open(path, node_pk, ANTT_STORE_CREATE, &st, err))
		s_die("%s", err);
	int64_t now = antt_now(), t0 = s_now_ns();
	for (long i = 0; i < c->n;) {
		long end = i + c->batch < c->n ? i + c->batch : c->n;
		if (antt_store_begin(st, err))
			s_die("%s", err);
		for (; i < end; i++)
			if (antt_store_append_ex(st, id[i], c->body[i], c->blen[i], c->sig[i],
			                         &b[i], now, now, i == end - 1, err))
				s_die("%s", err);
		if (antt_store_commit(st, err))
			s_die("%s", err);
	}
	l->store_s = s_since_s(t0);
	l->store_per_s = (double)c->n / l->store_s;
	antt_store_close(&st);
	for (long i = 0; i < c->n; i++)
		antt_body_clear(&b[i]);
	free(b);
	free(id);
	char f[PATH_MAX + 40];
	unlink(path);
	snprintf(f, sizeof f, "%s-wal", path);
	unlink(f);
	snprintf(f, sizeof f, "%s-shm", path);
	unlink(f);
}

/* ---- nodes ---- */

static void s_find_binaries(s_opts_t *o, char *antt, char *anttd)
{
	if (o->antt && o->anttd)
		return;
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n < 0)
		s_die("cannot find my own path: %s; give --antt and --anttd", strerror(errno));
	self[n] = '\0';
	char *top = dirname(dirname(self)); /* build/bench/antt-sync-bench -> build */
	if (!o->antt) {
		snprintf(antt, PATH_MAX, "%s/antt", top);
		o->antt = antt;
	}
	if (!o->anttd) {
		snprintf(anttd, PATH_MAX, "%s/anttd", top);
		o->anttd = anttd;
	}
}

/* 'antt init' of a node in s_dir/name: a hub when listen, a child when
 * parent_port.  Its public key from 'init --json'. */
static s_node_t *s_node_init(const char *name, const char *unit, int listen, int parent_port,
                             const char *parent_key)
{
	char err[ANTT_ERR_MAX], out[PATH_MAX + 16], lst[64], par[64];
	s_node_t *nd = antt_xcalloc(1, sizeof *nd);
	if (s_n_nodes == MAX_NODES)
		s_die("too many nodes");
	s_nodes[s_n_nodes++] = nd;
	nd->pid = -1;
	snprintf(nd->name, sizeof nd->name, "%s", name);
	if (snprintf(nd->dir, sizeof nd->dir, "%s/%s", s_dir, name) >= (int)sizeof nd->dir ||
	    snprintf(nd->conf, sizeof nd->conf, "%s/anttd.conf", nd->dir) >= (int)sizeof nd->conf ||
	    snprintf(nd->log, sizeof nd->log, "%s/%s.log", s_dir, name) >= (int)sizeof nd->log)
		s_die("the temporary folder's path is too long: %s", s_dir);
	snprintf(out, sizeof out, "%s/%s.init.json", s_dir, name);
	char *argv[16];
	int a = 0;
	argv[a++] = (char *)s_o->antt;
	argv[a++] = "init";
	argv[a++] = "--json";
	argv[a++] = "--unit";
	argv[a++] = (char *)unit;
	argv[a++] = "--dir";
	argv[a++] = nd->dir;
	if (s_o->forms) {
		argv[a++] = "--forms";
		argv[a++] = (char *)s_o->forms;
	}
	if (listen) {
		nd->port = s_free_port();
		snprintf(lst, sizeof lst, "tcp://127.0.0.1:%d", nd->port);
		argv[a++] = "--listen";
		argv[a++] = lst;
	}
	if (parent_port) {
		snprintf(par, sizeof par, "tcp://127.0.0.1:%d", parent_port);
		argv[a++] = "--parent";
		argv[a++] = par;
		argv[a++] = "--parent-key";
		argv[a++] = (char *)parent_key;
	}
	argv[a] = NULL;
	int rc = s_run(argv, out, nd->log);
	if (rc != 0)
		s_die("'%s init' for %s failed (exit %d): is --antt right?", s_o->antt, name, rc);
	json_error_t je;
	json_t *j = json_load_file(out, 0, &je);
	const char *pk = json_string_value(json_object_get(j, "public_key"));
	if (!pk || strlen(pk) != 2 * ANTT_KEY_BYTES)
		s_die("'antt init --json' printed no public key for %s", name);
	snprintf(nd->pk, sizeof nd->pk, "%s", pk);
	json_decref(j);
	unlink(out);
	if (antt_config_load(nd->conf, &nd->cfg, err))
		s_die("%s", err);
	return nd;
}

/* One request on the node's persistent REQ socket; the reply (caller owns). */
static json_t *s_call(s_node_t *nd, const char *text)
{
	zmq_msg_t msg;
	if (zmq_send(nd->req, text, strlen(text), 0) < 0)
		s_die("send to %s: %s", nd->name, zmq_strerror(errno));
	zmq_msg_init(&msg);
	if (zmq_msg_recv(&msg, nd->req, 0) < 0)
		s_die("no reply from %s within %d ms: %s", nd->name, REPLY_TIMEOUT_MS,
		      zmq_strerror(errno));
	json_error_t je;
	json_t *resp = json_loadb(zmq_msg_data(&msg), zmq_msg_size(&msg), 0, &je);
	zmq_msg_close(&msg);
	if (!resp || !json_is_true(json_object_get(resp, "ok")))
		s_die("%s refused '%s': %s", nd->name, text,
		      resp ? json_string_value(json_object_get(resp, "message")) : je.text);
	return resp;
}

static double s_poll_ms_sum; /* time spent in status polls, and how many */
static long s_polls;

/* The "records" of its status (what 'antt status --json' prints). */
static long s_records(s_node_t *nd)
{
	int64_t t0 = s_now_ns();
	json_t *st = s_call(nd, "{\"op\":\"status\"}");
	s_poll_ms_sum += (double)(s_now_ns() - t0) / 1e6;
	s_polls++;
	long n = (long)json_integer_value(json_object_get(st, "records"));
	json_decref(st);
	return n;
}

static void s_node_start(s_node_t *nd)
{
	pid_t pid = fork();
	if (pid < 0)
		s_die("fork: %s", strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		int nul = open("/dev/null", O_RDWR);
		int lf = open(nd->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		dup2(nul, 0);
		dup2(nul, 1);
		dup2(lf < 0 ? nul : lf, 2);
		execl(s_o->anttd, s_o->anttd, "-c", nd->conf, (char *)NULL);
		_exit(127);
	}
	nd->pid = pid;
	nd->req = zmq_socket(s_zctx, ZMQ_REQ);
	int zero = 0, tmo = REPLY_TIMEOUT_MS;
	zmq_setsockopt(nd->req, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(nd->req, ZMQ_RCVTIMEO, &tmo, sizeof tmo);
	zmq_setsockopt(nd->req, ZMQ_SNDTIMEO, &tmo, sizeof tmo);
	if (zmq_connect(nd->req, nd->cfg->endpoint) != 0)
		s_die("connect %s: %s", nd->cfg->endpoint, zmq_strerror(errno));
	/* until it answers; the REQ socket waits for the socket file itself */
	int64_t deadline = s_now_ns() + (int64_t)START_TIMEOUT_MS * 1000000;
	for (;;) {
		int status;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			nd->pid = -1;
			s_die("anttd for %s exited at start (status %d)", nd->name,
			      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		}
		if (antt_ctl_daemon_running(nd->cfg->lock_path, NULL) == 1)
			break;
		if (s_now_ns() > deadline)
			s_die("anttd for %s did not start within %d ms", nd->name,
			      START_TIMEOUT_MS);
		usleep(10000);
	}
	json_decref(s_call(nd, "{\"op\":\"ping\"}"));
}

/* SIGTERM and wait; anttd's exit status. */
static int s_node_stop(s_node_t *nd)
{
	int status = 0;
	if (nd->req) {
		zmq_close(nd->req);
		nd->req = NULL;
	}
	if (nd->pid <= 0)
		return -1;
	kill(nd->pid, SIGTERM);
	int64_t deadline = s_now_ns() + (int64_t)STOP_TIMEOUT_MS * 1000000;
	for (;;) {
		pid_t r = waitpid(nd->pid, &status, WNOHANG);
		if (r == nd->pid)
			break;
		if (s_now_ns() > deadline) {
			kill(nd->pid, SIGKILL);
			waitpid(nd->pid, &status, 0);
			nd->pid = -1;
			s_die("anttd for %s did not stop within %d ms of SIGTERM", nd->name,
			      STOP_TIMEOUT_MS);
		}
		usleep(10000);
	}
	nd->pid = -1;
	int rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (rc != 0)
		s_die("anttd for %s exited with status %d after SIGTERM", nd->name, rc);
	return rc;
}

/* 'antt -c hub enroll --unit unit --key key', the real CLI. */
static void s_enroll(s_node_t *hub, const char *unit, const char *key)
{
	char *argv[] = {(char *)s_o->antt, "-c",    hub->conf,   "enroll", "--unit",
	                (char *)unit,      "--key", (char *)key, NULL};
	int rc = s_run(argv, NULL, hub->log);
	if (rc != 0)
		s_die("'antt enroll --unit %s' at %s failed (exit %d)", unit, hub->name, rc);
}

/* ---- a. a hub's intake ---- */

typedef struct {
	const char *label;
	double s;             /* first Batch sent to last Ack */
	double rps;           /* records/s */
	double hub_cpu;       /* CPU-s of the hub meanwhile */
	double bench_cpu;     /* CPU-s of the bench meanwhile */
	double *batch_ms;     /* Batch sent to its Ack, each */
	s_bstats_t bs;        /* of batch_ms */
	double audit_s;       /* last Ack to every signature audited */
	long audit_bad;       /* audit = -1 */
	uint64_t frame_bytes; /* the Batch frames sent */
} s_intake_t;

static double s_self_cpu(void)
{
	struct rusage self;
	getrusage(RUSAGE_SELF, &self);
	return (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec) +
	       (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec) / 1e6;
}

/* Receive the next SyncMsg that is not a Pong or Receipt. */
static Antt__SyncMsg *s_recv_msg(void *sock, const char *waiting_for)
{
	for (;;) {
		zmq_msg_t msg;
		zmq_msg_init(&msg);
		if (zmq_msg_recv(&msg, sock, 0) < 0)
			s_die("no %s from the hub within %d ms: %s", waiting_for, REPLY_TIMEOUT_MS,
			      zmq_strerror(errno));
		Antt__SyncMsg *m =
		    antt__sync_msg__unpack(NULL, zmq_msg_size(&msg), zmq_msg_data(&msg));
		zmq_msg_close(&msg);
		if (!m)
			s_die("a malformed message from the hub while waiting for %s", waiting_for);
		if (m->msg_case == ANTT__SYNC_MSG__MSG_ERROR)
			s_die("the hub answered Error %u: %s", m->error->code,
			      m->error->reason ? m->error->reason : "");
		if (m->msg_case == ANTT__SYNC_MSG__MSG_PONG ||
		    m->msg_case == ANTT__SYNC_MSG__MSG_RECEIPT) {
			antt__sync_msg__free_unpacked(m, NULL);
			continue;
		}
		return m;
	}
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
		s_die("cannot open %s read-only", store);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_prepare_v2(db,
	                       "SELECT coalesce(sum(audit = 0), 0), coalesce(sum(audit = -1), 0), "
	                       "coalesce(sum(audit = 1), 0) FROM records",
	                       -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		s_die("reading %s: %s", store, sqlite3_errmsg(db));
	a->unaudited = sqlite3_column_int64(st, 0);
	a->bad = sqlite3_column_int64(st, 1);
	a->checked = sqlite3_column_int64(st, 2);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static long s_count_unaudited(const char *store)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long n = -1;
	if (sqlite3_open_v2(store, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		s_die("cannot open %s read-only", store);
	sqlite3_busy_timeout(db, 5000);
	/* the partial index records_unaudited makes this cheap */
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM records WHERE audit = 0", -1, &st, NULL) ==
	        SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	if (n < 0)
		s_die("reading %s", store);
	return n;
}

/* 'perf record' of the processes in pids ("1,2,3") into out, until
 * s_perf_stop. */
static void s_perf_start(const char *pids, const char *out)
{
	pid_t p = fork();
	if (p < 0)
		s_die("fork: %s", strerror(errno));
	if (p == 0) {
		int nul = open("/dev/null", O_RDWR);
		dup2(nul, 0);
		dup2(nul, 1);
		/* $ANTT_PERF_CALLGRAPH, e.g. "dwarf": stacks through code built
		 * without frame pointers (as Release is) */
		const char *cg = getenv("ANTT_PERF_CALLGRAPH");
		char cgopt[64];
		snprintf(cgopt, sizeof cgopt, "--call-graph=%s", cg && *cg ? cg : "fp");
		execlp("perf", "perf", "record", "-g", cgopt, "-F", "999", "-q", "-o", out, "-p",
		       pids, (char *)NULL);
		_exit(127);
	}
	s_perf = p;
	usleep(300000); /* perf attaches */
}

static void s_perf_stop(void)
{
	int status;
	if (s_perf <= 0)
		return;
	kill(s_perf, SIGINT);
	waitpid(s_perf, &status, 0);
	s_perf = -1;
	if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0) &&
	    !(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT))
		fprintf(stderr, "antt-sync-bench: perf record exited with status %d\n",
		        WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static void s_intake(const s_chain_t *c, const char *name, int compressed, const char *perf_dir,
                     s_intake_t *r)
{
	char hex[2 * ANTT_KEY_BYTES + 1];
	memset(r, 0, sizeof *r);
	r->label = compressed ? "compressed (zrecords, zstd -3)" : "plain (records)";
	s_node_t *hub = s_node_init(name, HUB_UNIT, 1, 0, NULL);
	s_node_start(hub);
	s_enroll(hub, CHILD_UNIT, antt_hex(hex, c->key->pk, ANTT_KEY_BYTES));

	/* the child's transport: CURVE keys derived from the Ed25519 ones */
	uint8_t hub_ed[ANTT_KEY_BYTES], server[32], cpk[32], csk[32];
	if (antt_unhex(hub_ed, ANTT_KEY_BYTES, hub->pk) ||
	    crypto_sign_ed25519_pk_to_curve25519(server, hub_ed) != 0 ||
	    crypto_sign_ed25519_pk_to_curve25519(cpk, c->key->pk) != 0 ||
	    crypto_sign_ed25519_sk_to_curve25519(csk, c->key->sk) != 0)
		s_die("cannot derive the transport keys");
	void *sock = zmq_socket(s_zctx, ZMQ_DEALER);
	int zero = 0, tmo = REPLY_TIMEOUT_MS;
	zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(sock, ZMQ_RCVTIMEO, &tmo, sizeof tmo);
	zmq_setsockopt(sock, ZMQ_SNDTIMEO, &tmo, sizeof tmo);
	zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, server, 32);
	zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, cpk, 32);
	zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, csk, 32);
	sodium_memzero(csk, sizeof csk);
	char ep[64];
	snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", hub->port);
	if (zmq_connect(sock, ep) != 0)
		s_die("connect %s: %s", ep, zmq_strerror(errno));

	/* Hello with this child's head; the hub holds nothing of it yet */
	Antt__Head head = ANTT__HEAD__INIT, *heads[1] = {&head};
	head.author.data = c->key->pk;
	head.author.len = ANTT_KEY_BYTES;
	head.seq = (uint64_t)c->n;
	head.id.data = (uint8_t *)c->last_id;
	head.id.len = ANTT_ID_BYTES;
	Antt__Hello hello = ANTT__HELLO__INIT;
	hello.version = 1;
	hello.unit = CHILD_UNIT;
	hello.n_heads = 1;
	hello.heads = heads;
	Antt__SyncMsg hm = ANTT__SYNC_MSG__INIT;
	hm.msg_case = ANTT__SYNC_MSG__MSG_HELLO;
	hm.hello = &hello;
	size_t hlen = antt__sync_msg__get_packed_size(&hm);
	uint8_t *hbuf = antt_xmalloc(hlen);
	antt__sync_msg__pack(&hm, hbuf);
	if (zmq_send(sock, hbuf, hlen, 0) < 0)
		s_die("sending Hello: %s", zmq_strerror(errno));
	free(hbuf);
	Antt__SyncMsg *m = s_recv_msg(sock, "Heads");
	if (m->msg_case != ANTT__SYNC_MSG__MSG_HEADS)
		s_die("the hub answered Hello with message %d, not Heads", (int)m->msg_case);
	if (m->heads->credit < (uint32_t)c->batch)
		s_die("the hub gives a credit of %u records, less than --batch %ld",
		      m->heads->credit, c->batch);
	if (m->heads->n_heads != 1 || m->heads->heads[0]->seq != 0)
		s_die("the new hub says it already holds records of the bench's key");
	antt__sync_msg__free_unpacked(m, NULL);

	/* the timed part: one batch in flight, as the uplink */
	r->batch_ms = antt_xcalloc(c->n_batches, sizeof *r->batch_ms);
	if (perf_dir) {
		char pid[32], out[PATH_MAX];
		snprintf(pid, sizeof pid, "%d", (int)hub->pid);
		snprintf(out, sizeof out, "%s/%s.perf.data", perf_dir, name);
		s_perf_start(pid, out);
	}
	double hub0 = s_proc_cpu(hub->pid), self0 = s_self_cpu();
	int64_t t0 = s_now_ns();
	for (size_t k = 0; k < c->n_batches; k++) {
		const uint8_t *f = compressed ? c->packz[k] : c->plain[k];
		size_t len = compressed ? c->packz_len[k] : c->plain_len[k];
		int64_t b0 = s_now_ns();
		if (zmq_send(sock, f, len, 0) < 0)
			s_die("sending batch %zu: %s", k + 1, zmq_strerror(errno));
		m = s_recv_msg(sock, "Ack");
		r->batch_ms[k] = (double)(s_now_ns() - b0) / 1e6;
		long last = (long)(k + 1) * c->batch < c->n ? (long)(k + 1) * c->batch : c->n;
		if (m->msg_case != ANTT__SYNC_MSG__MSG_ACK || m->ack->batch != k + 1)
			s_die("batch %zu: the hub's answer is not its Ack", k + 1);
		if (m->ack->n_refused)
			s_die("batch %zu: the hub refused %zu record(s), first: %s", k + 1,
			      m->ack->n_refused,
			      m->ack->refused[0]->reason ? m->ack->refused[0]->reason : "");
		if (m->ack->n_heads != 1 || m->ack->heads[0]->seq != (uint64_t)last)
			s_die("batch %zu: the Ack's head is not seq %ld", k + 1, last);
		antt__sync_msg__free_unpacked(m, NULL);
		r->frame_bytes += len;
	}
	r->s = s_since_s(t0);
	r->hub_cpu = s_proc_cpu(hub->pid) - hub0;
	r->bench_cpu = s_self_cpu() - self0;
	int64_t t_acked = s_now_ns();
	if (perf_dir)
		s_perf_stop();
	r->rps = (double)c->n / r->s;
	r->bs = s_bstats(r->batch_ms, c->n_batches);
	zmq_close(sock);

	s_say("  %ld records in %.3f s; waiting for the hub's audit\n", c->n, r->s);
	long held = s_records(hub);
	if (held != c->n + 1)
		s_die("%s holds %ld records, expected %ld", name, held, c->n + 1);
	/* the background audit: every signature accepted on a later one */
	int64_t deadline = t_acked + (int64_t)AUDIT_TIMEOUT_MS * 1000000;
	while (s_count_unaudited(hub->cfg->store_path) > 0) {
		if (s_now_ns() > deadline)
			s_die("%s: the audit did not finish within %d ms", name, AUDIT_TIMEOUT_MS);
		usleep(50000);
	}
	r->audit_s = s_since_s(t_acked);
	s_audit_count_t ac;
	s_audit_counts(hub->cfg->store_path, &ac);
	r->audit_bad = ac.bad;
	if (ac.bad)
		s_die("%s: the audit found %ld bad signature(s)", name, ac.bad);
	s_node_stop(hub);
}

/* ---- c. the relay between commune and district ---- */

typedef struct {
	int lfd, target_port;
	pthread_t th;
	uint64_t up, down; /* bytes client->server, server->client (atomic) */
	int conns;         /* connections relayed (atomic) */
} s_relay_t;

typedef struct {
	int from, to;
	uint64_t *count;
	int *refs; /* the pair's: the last one out closes both */
	int other;
} s_pipe_t;

static void *s_pipe_run(void *arg)
{
	s_pipe_t *p = arg;
	size_t cap = 256 * 1024;
	char *buf = antt_xmalloc(cap);
	for (;;) {
		ssize_t n = read(p->from, buf, cap);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		__atomic_add_fetch(p->count, (uint64_t)n, __ATOMIC_RELAXED);
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(p->to, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				goto out;
			off += w;
		}
	}
out:
	shutdown(p->to, SHUT_WR);
	shutdown(p->from, SHUT_RD);
	free(buf);
	if (__atomic_sub_fetch(p->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		close(p->from);
		close(p->to);
		free(p->refs);
	}
	free(p);
	return NULL;
}

static void s_nodelay(int fd)
{
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static void *s_relay_run(void *arg)
{
	s_relay_t *r = arg;
	for (;;) {
		int c = accept4(r->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			break; /* the listening socket was shut down */
		}
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		struct sockaddr_in a = {.sin_family = AF_INET,
		                        .sin_port = htons((uint16_t)r->target_port),
		                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) < 0) {
			if (s >= 0)
				close(s);
			close(c);
			continue;
		}
		s_nodelay(c);
		s_nodelay(s);
		__atomic_add_fetch(&r->conns, 1, __ATOMIC_RELAXED);
		int *refs = antt_xmalloc(sizeof *refs);
		*refs = 2;
		s_pipe_t *up = antt_xmalloc(sizeof *up), *down = antt_xmalloc(sizeof *down);
		*up = (s_pipe_t){c, s, &r->up, refs, 0};
		*down = (s_pipe_t){s, c, &r->down, refs, 0};
		pthread_t t1, t2;
		pthread_attr_t at;
		pthread_attr_init(&at);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t1, &at, s_pipe_run, up) != 0 ||
		    pthread_create(&t2, &at, s_pipe_run, down) != 0)
			s_die("pthread_create failed");
		pthread_attr_destroy(&at);
	}
	return NULL;
}

static int s_relay_start(s_relay_t *r, int target_port)
{
	memset(r, 0, sizeof *r);
	r->target_port = target_port;
	r->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	int one = 1;
	setsockopt(r->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (r->lfd < 0 || bind(r->lfd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    listen(r->lfd, 16) < 0 || getsockname(r->lfd, (struct sockaddr *)&a, &len) < 0)
		s_die("relay: %s", strerror(errno));
	if (pthread_create(&r->th, NULL, s_relay_run, r) != 0)
		s_die("pthread_create failed");
	return ntohs(a.sin_port);
}

static void s_relay_stop(s_relay_t *r)
{
	shutdown(r->lfd, SHUT_RDWR);
	pthread_join(r->th, NULL);
	close(r->lfd);
}

static uint64_t s_load(uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* ---- b and c. the tree ---- */

typedef struct {
	double submit_s, district_s, province_s, receipts_s;
	double rps, sync_rps;
	double cpu_commune, cpu_district, cpu_province;
	uint64_t up, down, up_to_province; /* relay bytes */
	int conns;
	long unaudited_d, unaudited_p; /* when the province held all */
	long polls;                    /* status polls of district and province */
	double poll_ms_mean;           /* and their mean round trip */
	double env_avg, body_avg;      /* the commune's records */
	uint64_t env_bytes;
	long jsonl_bytes;
} s_tree_t;

static const char *s_status_str(json_t *st, const char *obj, const char *key)
{
	return json_string_value(json_object_get(json_object_get(st, obj), key));
}

/* The commune's own records, from its store: envelope and body bytes. */
static void s_envelope_sizes(s_node_t *c, long n, s_tree_t *t)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	uint8_t pk[ANTT_KEY_BYTES];
	uint64_t envs = 0, bodies = 0;
	long rows = 0;
	antt_unhex(pk, ANTT_KEY_BYTES, c->pk);
	if (sqlite3_open_v2(c->cfg->store_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		s_die("cannot open %s", c->cfg->store_path);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_prepare_v2(db, "SELECT body, sig FROM records WHERE author = ?1", -1, &st,
	                       NULL) != SQLITE_OK)
		s_die("%s: %s", c->cfg->store_path, sqlite3_errmsg(db));
	sqlite3_bind_blob(st, 1, pk, ANTT_KEY_BYTES, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		uint8_t *env;
		size_t len;
		if (sqlite3_column_bytes(st, 1) != ANTT_SIG_BYTES)
			s_die("a stored signature has the wrong size");
		antt_envelope_encode(sqlite3_column_blob(st, 0),
		                     (size_t)sqlite3_column_bytes(st, 0),
		                     sqlite3_column_blob(st, 1), &env, &len);
		free(env);
		envs += len;
		bodies += (uint64_t)sqlite3_column_bytes(st, 0);
		rows++;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	if (rows != n)
		s_die("the commune holds %ld records of its own, expected %ld", rows, n);
	t->env_bytes = envs;
	t->env_avg = (double)envs / (double)rows;
	t->body_avg = (double)bodies / (double)rows;
}

/* Level 2 receipt (the parent's parent holds them) for the commune's own
 * records, from its status; -1 when none. */
static long s_receipt_level2(json_t *st)
{
	json_t *levels = json_object_get(json_object_get(st, "uplink"), "levels"), *l;
	size_t i;
	json_array_foreach (levels, i, l)
		if (json_integer_value(json_object_get(l, "level")) == 2)
			return (long)json_integer_value(json_object_get(l, "seq"));
	return -1;
}

static void s_tree(long n, s_tree_t *t)
{
	memset(t, 0, sizeof *t);
	s_node_t *p = s_node_init("province", PROVINCE_UNIT, 1, 0, NULL);
	s_node_t *d = s_node_init("district", HUB_UNIT, 1, p->port, p->pk);
	s_relay_t relay;
	int relay_port = s_relay_start(&relay, d->port);
	s_node_t *c = s_node_init("commune", CHILD_UNIT, 0, relay_port, d->pk);
	/* each child enrolled before it first connects */
	s_node_start(p);
	s_enroll(p, HUB_UNIT, d->pk);
	s_node_start(d);
	s_enroll(d, CHILD_UNIT, c->pk);
	s_node_start(c);

	/* the reports, written before any timing */
	char jsonl[PATH_MAX + 16];
	snprintf(jsonl, sizeof jsonl, "%s/bulk.jsonl", s_dir);
	FILE *jf = fopen(jsonl, "w");
	if (!jf)
		s_die("%s: %s", jsonl, strerror(errno));
	for (long i = 0; i < n; i++) {
		json_t *rep = s_report(i);
		json_dumpf(rep, jf, JSON_COMPACT);
		fputc('\n', jf);
		json_decref(rep);
	}
	t->jsonl_bytes = ftell(jf);
	if (fclose(jf) != 0)
		s_die("%s: %s", jsonl, strerror(errno));

	/* settled: both links up, the province holds the two enrollments */
	int64_t deadline = s_now_ns() + (int64_t)60000 * 1000000;
	for (;;) {
		json_t *cs = s_call(c, "{\"op\":\"status\"}"),
		       *ds = s_call(d, "{\"op\":\"status\"}");
		int ready = !strcmp(s_status_str(cs, "uplink", "state"), "ready") &&
		            !strcmp(s_status_str(ds, "uplink", "state"), "ready");
		json_decref(cs);
		json_decref(ds);
		if (ready && s_records(p) == 2 && s_records(d) == 1)
			break;
		if (s_now_ns() > deadline)
			s_die("the tree did not settle within 60 s (links ready, enrollments at "
			      "the province)");
		usleep(50000);
	}
	s_say("  tree settled; submitting %ld reports at the commune\n", n);
	long p0 = s_records(p), d0 = s_records(d);
	double cpu_c = s_proc_cpu(c->pid), cpu_d = s_proc_cpu(d->pid), cpu_p = s_proc_cpu(p->pid);
	uint64_t up0 = s_load(&relay.up), down0 = s_load(&relay.down);

	if (s_o->perf) {
		char pids[96], out[PATH_MAX];
		snprintf(pids, sizeof pids, "%d,%d,%d", (int)c->pid, (int)d->pid, (int)p->pid);
		snprintf(out, sizeof out, "%s/tree.perf.data", s_o->perf);
		s_perf_start(pids, out);
	}
	/* the timed part: antt submit --file, then poll district and province */
	int64_t t0 = s_now_ns();
	pid_t sub = fork();
	if (sub < 0)
		s_die("fork: %s", strerror(errno));
	if (sub == 0) {
		int nul = open("/dev/null", O_RDWR);
		int lf = open(c->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		dup2(nul, 0);
		dup2(nul, 1);
		dup2(lf < 0 ? nul : lf, 2);
		execl(s_o->antt, s_o->antt, "-c", c->conf, "submit", "--file", jsonl, (char *)NULL);
		_exit(127);
	}
	int submitted = 0;
	int64_t next_poll = t0;
	s_poll_ms_sum = 0;
	s_polls = 0;
	deadline = t0 + (int64_t)TREE_TIMEOUT_MS * 1000000;
	while (!(submitted && t->district_s > 0 && t->province_s > 0)) {
		int status;
		if (!submitted && waitpid(sub, &status, WNOHANG) == sub) {
			t->submit_s = s_since_s(t0);
			submitted = 1;
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				s_die("'antt submit --file' at the commune failed (status %d)",
				      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		}
		int64_t now = s_now_ns();
		if (now >= next_poll) {
			next_poll = now + s_o->poll_ms * 1000000;
			if (t->district_s == 0 && s_records(d) >= d0 + n)
				t->district_s = s_since_s(t0);
			if (t->province_s == 0 && s_records(p) >= p0 + n) {
				t->province_s = s_since_s(t0);
				t->up_to_province = s_load(&relay.up) - up0;
				/* how far the background audits got meanwhile */
				t->unaudited_d = s_count_unaudited(d->cfg->store_path);
				t->unaudited_p = s_count_unaudited(p->cfg->store_path);
			}
		}
		if (now > deadline)
			s_die("the province does not hold the %ld records %d s after the submit", n,
			      TREE_TIMEOUT_MS / 1000);
		usleep(2000);
	}
	t->cpu_province = s_proc_cpu(p->pid) - cpu_p;
	t->polls = s_polls;
	t->poll_ms_mean = s_polls ? s_poll_ms_sum / (double)s_polls : 0;
	if (s_o->perf)
		s_perf_stop();
	/* and the receipts back down: the commune learns the province holds all */
	for (;;) {
		json_t *cs = s_call(c, "{\"op\":\"status\"}");
		long l2 = s_receipt_level2(cs);
		json_decref(cs);
		if (l2 >= n)
			break;
		if (s_now_ns() > deadline)
			s_die("the commune has no receipt from the province for its records");
		usleep((useconds_t)s_o->poll_ms * 1000);
	}
	t->receipts_s = s_since_s(t0);
	s_say("  province holds all after %.2f s; receipts at the commune after %.2f s\n",
	      t->province_s, t->receipts_s);
	t->up = s_load(&relay.up) - up0;
	t->down = s_load(&relay.down) - down0;
	t->conns = __atomic_load_n(&relay.conns, __ATOMIC_RELAXED);
	t->cpu_commune = s_proc_cpu(c->pid) - cpu_c;
	t->cpu_district = s_proc_cpu(d->pid) - cpu_d;
	t->rps = (double)n / t->province_s;
	t->sync_rps = (double)n / (t->province_s - t->submit_s);

	if (s_records(p) != p0 + n || s_records(d) != d0 + n)
		s_die("the province or the district holds more than was submitted");
	s_envelope_sizes(c, n, t);
	s_node_stop(c);
	s_node_stop(d);
	s_node_stop(p);
	s_relay_stop(&relay);
	unlink(jsonl);
}

/* ---- main ---- */

static void s_usage(FILE *f)
{
	fprintf(
	    f, "usage: antt-sync-bench [options]\n"
	       "  -n, --records N    records signed and synced in each phase (100000)\n"
	       "  -b, --batch B      records in one Batch the bench sends (5000, as [sync] batch)\n"
	       "  -s, --seconds S    seconds per raw sign/verify rate (2)\n"
	       "      --poll-ms MS   how often the tree's record counts are polled (50)\n"
	       "      --no-tree      only the machine's limits and the hub intake\n"
	       "      --perf DIR     'perf record -g' the hub during the plain intake into\n"
	       "                     DIR/hub-plain.perf.data, the three tree nodes from the\n"
	       "                     submit until the province holds all into\n"
	       "                     DIR/tree.perf.data ($ANTT_PERF_CALLGRAPH=dwarf:\n"
	       "                     --call-graph=dwarf; profiling slows what it measures)\n"
	       "      --antt PATH    antt binary (default: ../antt from this binary)\n"
	       "      --anttd PATH   anttd binary (default: ../anttd from this binary)\n"
	       "      --forms DIR    forms folder for 'antt init' (default: its built-in)\n"
	       "      --tmpdir DIR   where the temporary nodes go ($TMPDIR, else /tmp)\n"
	       "      --keep         keep the temporary folder\n"
	       "      --json         one JSON document on stdout instead of the table\n"
	       "      --check        exit 1 if the aim (intake >= 3x one-core verify) is missed\n"
	       "  -h, --help\n");
}

static long s_count_arg(const char *name, const char *s, long min, long max)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*end || v < min || v > max) {
		fprintf(stderr, "antt-sync-bench: %s takes a number from %ld to %ld\n", name, min,
		        max);
		exit(2);
	}
	return v;
}

static json_t *s_intake_json(const s_intake_t *r, const s_limits_t *l, size_t n_batches)
{
	json_t *ms = json_array();
	for (size_t k = 0; k < n_batches; k++)
		json_array_append_new(ms, json_real(r->batch_ms[k]));
	return json_pack(
	    "{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:I, s:{s:f, s:f, s:f, s:f, s:f}, "
	    "s:o, s:f, s:I}",
	    "seconds", r->s, "records_per_s", r->rps, "over_verify", r->rps / l->verify,
	    "over_sqlite", r->rps / l->sqlite_rows_per_s, "over_store", r->rps / l->store_per_s,
	    "hub_cpu_s", r->hub_cpu, "bench_cpu_s", r->bench_cpu, "frame_bytes",
	    (json_int_t)r->frame_bytes, "batch_ms", "p50", r->bs.p50, "mean", r->bs.mean, "max",
	    r->bs.max, "first", r->bs.first, "last", r->bs.last, "each_batch_ms", ms,
	    "audit_done_after_last_ack_s", r->audit_s, "audit_bad", (json_int_t)r->audit_bad);
}

int main(int argc, char **argv)
{
	enum {
		O_ANTT = 1000,
		O_ANTTD,
		O_FORMS,
		O_TMP,
		O_KEEP,
		O_JSON,
		O_CHECK,
		O_POLL,
		O_NOTREE,
		O_PERF
	};
	static const struct option opts[] = {{"records", required_argument, NULL, 'n'},
	                                     {"batch", required_argument, NULL, 'b'},
	                                     {"seconds", required_argument, NULL, 's'},
	                                     {"poll-ms", required_argument, NULL, O_POLL},
	                                     {"no-tree", no_argument, NULL, O_NOTREE},
	                                     {"perf", required_argument, NULL, O_PERF},
	                                     {"antt", required_argument, NULL, O_ANTT},
	                                     {"anttd", required_argument, NULL, O_ANTTD},
	                                     {"forms", required_argument, NULL, O_FORMS},
	                                     {"tmpdir", required_argument, NULL, O_TMP},
	                                     {"keep", no_argument, NULL, O_KEEP},
	                                     {"json", no_argument, NULL, O_JSON},
	                                     {"check", no_argument, NULL, O_CHECK},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {0}};
	s_opts_t o = {.n = 100000, .batch = 5000, .poll_ms = 50, .seconds = 2.0};
	int opt;
	while ((opt = getopt_long(argc, argv, "n:b:s:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'n': o.n = s_count_arg("--records", optarg, 1, 10000000); break;
		case 'b': o.batch = s_count_arg("--batch", optarg, 1, 100000); break;
		case O_POLL: o.poll_ms = s_count_arg("--poll-ms", optarg, 1, 10000); break;
		case 's':
			o.seconds = strtod(optarg, NULL);
			if (!(o.seconds > 0)) {
				fprintf(stderr,
				        "antt-sync-bench: --seconds takes a positive number\n");
				return 2;
			}
			break;
		case O_NOTREE: o.no_tree = 1; break;
		case O_PERF: o.perf = optarg; break;
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
	s_o = &o;
	if (sodium_init() < 0)
		s_die("libsodium failed to initialise");
	antt_log_set_level(ANTT_LOG_WARN);
	signal(SIGPIPE, SIG_IGN);
	char antt_buf[PATH_MAX], anttd_buf[PATH_MAX], cpu[256];
	s_find_binaries(&o, antt_buf, anttd_buf);
	if (access(o.antt, X_OK) || access(o.anttd, X_OK))
		s_die("need the antt and anttd binaries (%s, %s): build the project, or give "
		      "--antt and --anttd",
		      o.antt, o.anttd);
	s_machine(cpu, sizeof cpu);

	int64_t run0 = s_now_ns();
	s_run0 = run0;
	s_quiet = o.json;
	const char *base = o.tmpbase ? o.tmpbase : getenv("TMPDIR");
	snprintf(s_dir, sizeof s_dir, "%s/antt-sync-bench.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(s_dir)) {
		int e = errno;
		s_dir[0] = '\0';
		s_die("cannot make a temporary folder: %s", strerror(e));
	}
	if (o.perf && mkdir(o.perf, 0755) < 0 && errno != EEXIST)
		s_die("--perf %s: %s", o.perf, strerror(errno));
	s_zctx = zmq_ctx_new();
	double steal0, busy0 = s_machine_busy(&steal0);

	/* 0. limits */
	s_limits_t lim = {0};
	s_say("raw Ed25519 rates, %.1f s each...\n", o.seconds);
	s_crypto_rates(o.seconds, &lim);
	s_say("SQLite baseline: %ld rows of %d bytes, %ld per transaction...\n", o.n, ROW_BYTES,
	      o.batch);
	s_sqlite_rate(s_dir, o.n, o.batch, &lim);

	/* a. intake */
	s_say("signing %ld records of one chain and packing batches (not timed)...\n", o.n);
	char keypath[PATH_MAX + 16];
	snprintf(keypath, sizeof keypath, "%s/child.key", s_dir);
	s_chain_t chain;
	s_chain_build(&chain, keypath, o.n, o.batch);
	s_say("the hub's storing alone: antt_store_append_ex of those records...\n");
	s_store_rate(&chain, s_dir, &lim);
	s_intake_t plain, packz;
	s_say("hub intake, plain batches...\n");
	s_intake(&chain, "hub-plain", 0, o.perf, &plain);
	s_say("hub intake, compressed batches...\n");
	s_intake(&chain, "hub-zstd", 1, NULL, &packz);

	/* b, c. the tree */
	s_tree_t tree = {0};
	if (!o.no_tree) {
		s_say("tree: commune -> relay -> district -> province, %ld records...\n", o.n);
		s_tree(o.n, &tree);
	}

	double steal1, busy1 = s_machine_busy(&steal1);
	double run_s = s_since_s(run0);
	/* CPU that other processes used (the anttd are reaped: in s_own_cpu) */
	double other_cpu = busy0 < 0 || busy1 < 0 ? -1 : busy1 - busy0 - s_own_cpu();
	double steal = steal0 < 0 || steal1 < 0 ? -1 : steal1 - steal0;
	if (other_cpu < 0 && busy0 >= 0)
		other_cpu = 0;
	const char *source = getenv("ANTT_BENCH_SOURCE");
	if (source && !*source)
		source = NULL;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	double env_avg = (double)chain.env_bytes / (double)o.n;
	double body_avg = (double)chain.body_bytes / (double)o.n;
	double zratio = (double)chain.packz_bytes / (double)chain.plain_bytes;
	int plain_ok = plain.rps >= AIM_INTAKE_OVER_VERIFY * lim.verify;
	int packz_ok = packz.rps >= AIM_INTAKE_OVER_VERIFY * lim.verify;
	char zver[32], zmqver[32];
	int zmj, zmn, zpt;
	zmq_version(&zmj, &zmn, &zpt);
	snprintf(zmqver, sizeof zmqver, "%d.%d.%d", zmj, zmn, zpt);
	snprintf(zver, sizeof zver, "%s", ZSTD_versionString());

	if (o.json) {
		json_t *j = json_object();
		if (source)
			json_object_set_new(j, "source", json_string(source));
		json_object_set_new(
		    j, "machine",
		    json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:f, s:f, s:f}", "cpu", cpu, "nproc",
		              (json_int_t)ncpu, "libsodium", sodium_version_string(), "sqlite",
		              sqlite3_libversion(), "libzmq", zmqver, "zstd", zver, "run_s", run_s,
		              "other_cpu_s", other_cpu, "steal_s", steal));
		json_object_set_new(j, "params",
		                    json_pack("{s:I, s:I, s:f, s:I}", "records", (json_int_t)o.n,
		                              "batch", (json_int_t)o.batch, "seconds", o.seconds,
		                              "poll_ms", (json_int_t)o.poll_ms));
		json_object_set_new(
		    j, "limits",
		    json_pack("{s:I, s:f, s:f, s:{s:I, s:I, s:f, s:f}, s:{s:I, s:f, s:f}}",
		              "body_bytes", (json_int_t)lim.body_len, "verify_per_s", lim.verify,
		              "sign_per_s", lim.sign, "sqlite_insert", "row_bytes",
		              (json_int_t)ROW_BYTES, "rows_per_txn", (json_int_t)o.batch, "seconds",
		              lim.sqlite_s, "rows_per_s", lim.sqlite_rows_per_s, "store_append",
		              "records_per_txn", (json_int_t)o.batch, "seconds", lim.store_s,
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
		if (!o.no_tree) {
			json_object_set_new(
			    j, "tree",
			    json_pack("{s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:{s:f, s:f, s:f}, s:I, "
			              "s:f}",
			              "jsonl_bytes", (json_int_t)tree.jsonl_bytes,
			              "submit_returned_s", tree.submit_s, "district_holds_all_s",
			              tree.district_s, "province_holds_all_s", tree.province_s,
			              "receipts_at_commune_s", tree.receipts_s, "records_per_s",
			              tree.rps, "after_submit_records_per_s", tree.sync_rps,
			              "cpu_s", "commune", tree.cpu_commune, "district",
			              tree.cpu_district, "province", tree.cpu_province,
			              "status_polls", (json_int_t)tree.polls, "status_poll_ms_mean",
			              tree.poll_ms_mean));
			json_object_set_new(json_object_get(j, "tree"), "unaudited_when_held",
			                    json_pack("{s:I, s:I}", "district",
			                              (json_int_t)tree.unaudited_d, "province",
			                              (json_int_t)tree.unaudited_p));
			json_object_set_new(
			    j, "wire",
			    json_pack(
			        "{s:s, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:f, s:f, s:f}",
			        "measured", "TCP relay in the bench, commune <-> district",
			        "connections", (json_int_t)tree.conns, "up_bytes",
			        (json_int_t)tree.up, "up_bytes_until_province_held",
			        (json_int_t)tree.up_to_province, "down_bytes",
			        (json_int_t)tree.down, "envelope_bytes", (json_int_t)tree.env_bytes,
			        "envelope_avg_bytes", tree.env_avg, "body_avg_bytes", tree.body_avg,
			        "up_per_record", (double)tree.up / (double)o.n, "down_per_record",
			        (double)tree.down / (double)o.n, "up_over_envelope",
			        (double)tree.up / (double)tree.env_bytes, "down_over_envelope",
			        (double)tree.down / (double)tree.env_bytes));
		}
		json_object_set_new(
		    j, "aims",
		    json_pack("{s:{s:f, s:f, s:f, s:b, s:f, s:b}}", "intake_over_verify", "aim",
		              AIM_INTAKE_OVER_VERIFY, "verify_per_s", lim.verify, "plain",
		              plain.rps / lim.verify, "plain_met", plain_ok, "compressed",
		              packz.rps / lim.verify, "compressed_met", packz_ok));
		json_dumpf(j, stdout,
		           JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
		fputc('\n', stdout);
		json_decref(j);
	} else {
		printf("antt-sync-bench: %s, %ld CPU(s); libsodium %s, SQLite %s, libzmq %s, "
		       "zstd %s%s%s\n",
		       cpu, ncpu, sodium_version_string(), sqlite3_libversion(), zmqver, zver,
		       source ? "; source " : "", source ? source : "");
		printf("run took %.1f s; other processes used %.1f CPU-s meanwhile, steal %.1f s "
		       "(well above 0: the figures are skewed)\n\n",
		       run_s, other_cpu, steal);
		printf("this machine's limits\n");
		printf("  %-50s %10.0f /s\n", "Ed25519 verify, one core", lim.verify);
		printf("  %-50s %10.0f /s\n", "Ed25519 sign, one core", lim.sign);
		char label[96];
		snprintf(label, sizeof label, "SQLite INSERT, %d-byte rows, %ld/txn, WAL+FULL",
		         ROW_BYTES, o.batch);
		printf("  %-50s %10.0f rows/s\n", label, lim.sqlite_rows_per_s);
		snprintf(label, sizeof label, "antt store append (the hub's INSERTs), %ld/txn",
		         o.batch);
		printf("  %-50s %10.0f records/s\n", label, lim.store_per_s);
		printf("\nrecords: %ld of one author, one chain; envelope %.1f bytes on average "
		       "(body %.1f)\n",
		       o.n, env_avg, body_avg);
		printf("  %zu batches of %ld: %.2f MB as records, %.2f MB as zrecords (%.3f)\n",
		       chain.n_batches, o.batch, (double)chain.plain_bytes / 1e6,
		       (double)chain.packz_bytes / 1e6, zratio);
		printf("\n(a) hub intake: Batch -> Ack, one in flight, first Batch to last Ack\n");
		printf("  %-31s %6s %10s %8s %7s %6s %9s %17s %7s\n", "", "s", "records/s",
		       "/verify", "/SQLite", "/store", "hub CPU-s", "batch ms p50/max", "audit s");
		const s_intake_t *rs[2] = {&plain, &packz};
		for (int i = 0; i < 2; i++)
			printf("  %-31s %6.2f %10.0f %8.2f %7.3f %6.2f %9.2f %8.1f/%-8.1f %7.1f\n",
			       rs[i]->label, rs[i]->s, rs[i]->rps, rs[i]->rps / lim.verify,
			       rs[i]->rps / lim.sqlite_rows_per_s, rs[i]->rps / lim.store_per_s,
			       rs[i]->hub_cpu, rs[i]->bs.p50, rs[i]->bs.max, rs[i]->audit_s);
		printf("  (audit s: from the last Ack until the hub's background audit had checked "
		       "every signature; none failed)\n");
		if (!o.no_tree) {
			printf("\n(b) commune -> district -> province, %ld reports, 'antt submit "
			       "--file' at the commune (%.1f MB)\n",
			       o.n, (double)tree.jsonl_bytes / 1e6);
			printf("  %-50s %8.2f s\n", "submit returned (commune holds all)",
			       tree.submit_s);
			printf("  %-50s %8.2f s\n", "district holds all", tree.district_s);
			printf("  %-50s %8.2f s %10.0f records/s\n", "province holds all",
			       tree.province_s, tree.rps);
			printf("  %-50s %8.2f s %10.0f records/s\n",
			       "  of which after the submit returned",
			       tree.province_s - tree.submit_s, tree.sync_rps);
			printf("  %-50s %8.2f s\n", "commune has the province's receipt",
			       tree.receipts_s);
			printf("  signatures not yet audited when the province held all: district "
			       "%ld, province %ld\n",
			       tree.unaudited_d, tree.unaudited_p);
			printf("  CPU-s meanwhile: commune %.2f, district %.2f, province %.2f\n",
			       tree.cpu_commune, tree.cpu_district, tree.cpu_province);
			printf("  (record counts polled every %ld ms: %ld status requests, %.1f ms "
			       "each on average)\n",
			       o.poll_ms, tree.polls, tree.poll_ms_mean);
			printf("\n(c) TCP bytes commune <-> district (relay in the bench, %d "
			       "connection(s)), submit to receipt\n",
			       tree.conns);
			printf("  %-28s %12" PRIu64 " bytes %8.1f /record %7.3f x envelope\n",
			       "up (commune -> district)", tree.up, (double)tree.up / (double)o.n,
			       (double)tree.up / (double)tree.env_bytes);
			printf("  %-28s %12" PRIu64 " bytes %8.1f /record %7.3f x envelope\n",
			       "down (district -> commune)", tree.down,
			       (double)tree.down / (double)o.n,
			       (double)tree.down / (double)tree.env_bytes);
			printf("  envelope (signed record) %.1f bytes on average, body %.1f\n",
			       tree.env_avg, tree.body_avg);
		}
		printf("\naims\n");
		printf("  hub intake >= %.0fx one-core verify (%.0f /s)\n", AIM_INTAKE_OVER_VERIFY,
		       lim.verify);
		printf("    plain batches      %8.2fx %10.0f /s   %s\n", plain.rps / lim.verify,
		       plain.rps, plain_ok ? "MET" : "NOT MET");
		printf("    compressed batches %8.2fx %10.0f /s   %s\n", packz.rps / lim.verify,
		       packz.rps, packz_ok ? "MET" : "NOT MET");
	}
	free(plain.batch_ms);
	free(packz.batch_ms);
	s_chain_free(&chain);
	zmq_ctx_term(s_zctx);
	s_cleanup(o.keep);
	return o.check && !plain_ok ? 1 : 0;
}
