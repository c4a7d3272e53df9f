/* antt_bench.c - how fast a node signs, stores and acknowledges records.
 *
 * One run measures, on this machine:
 *   1. raw libsodium rates on one core over a typical record body (the
 *      protobuf encoding the daemon signs, about 200 bytes): Ed25519 sign
 *      (crypto_sign_detached), Ed25519 verify, BLAKE2b-256 (the record id),
 *      and antt_body_encode (protobuf-c) for reference;
 *   2. the disk: append 4 KiB + fdatasync in the node's folder, the floor
 *      under any durable commit there;
 *   3. single-submit latency: N sequential one-record "submit" requests of
 *      the event form on ONE persistent ZeroMQ REQ socket (so the figure is
 *      the daemon's work plus one ipc round trip, not socket set-up), each
 *      timed from zmq_send to the reply, which anttd sends only after COMMIT,
 *      so it includes the fsync.  A "ping" round trip on the same socket is
 *      given as the transport floor;
 *   4. bulk import: one "submit" request with M event reports, timed from
 *      zmq_send to the reply (request text built beforehand), and the same
 *      M reports through the real CLI, 'antt submit --file FILE' with a
 *      JSON-lines file, timed as a whole process (fork to exit);
 *   5. the CLI as whole processes: 'antt submit' of one report and
 *      'antt status', K runs each.
 *
 * It makes its own node: a temporary folder under $TMPDIR (else /tmp), the
 * built 'antt init', the built 'anttd' started on it, waited for until it
 * answers "ping"; at the end anttd is stopped with SIGTERM and the folder is
 * removed (--keep leaves it).  If the bench dies, anttd gets SIGTERM too
 * (PR_SET_PDEATHSIG).
 *
 * How to run it, from a fresh checkout:
 *
 *     bench/run.sh                       # Release build into build-bench, then run
 *
 * or by hand:
 *
 *     cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release
 *     cmake --build build-bench -j2
 *     build-bench/bench/antt-bench [--json] [-n 2000] [-m 20000]
 *
 * antt and anttd are looked for in the build tree's top folder, one above
 * the bench's own (build/antt, build/anttd, build/bench/antt-bench); --antt
 * and --anttd give other paths.  --help lists every option.
 *
 * Checks: every reply must be ok, the bulk reply must count M records, the
 * store must end up holding exactly what was submitted, and anttd must exit
 * 0 on SIGTERM.  The CPU time other processes used during the run (from
 * /proc/stat, minus ours and our children's) is printed: well above 0, the
 * figures are skewed.  $ANTT_BENCH_SOURCE, when set (bench/run.sh sets it to
 * 'git describe --always --dirty'), is printed to say which source was
 * measured.
 *
 * Exit code: 0 when every phase ran, 1 when something failed, 2 on a usage
 * error; with --check also 1 when an aim (p99 single submit <= 5 ms, bulk
 * over the socket >= 20000 records/s) is missed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include <jansson.h>

#include "benchlib.h"
#include "common.h"
#include "config.h"
#include "ctlproto.h"
#include "record.h"

#define AIM_P99_MS 5.0
#define AIM_BULK_RPS 20000.0
#define UNIT "12346"
#define EVENT_FORM "bvanttq-event"
#define WARMUP 10              /* single submits before the timed ones */
#define PING_RUNS 200          /* transport floor */
#define FSYNC_RUNS 200         /* disk floor */
#define START_TIMEOUT_MS 10000 /* anttd must answer ping within this */
#define STOP_TIMEOUT_MS 30000  /* and exit within this after SIGTERM */
#define BULK_TIMEOUT_MS 600000 /* one bulk request */

typedef struct {
	const char *antt, *anttd, *forms, *tmpbase;
	long n_single, m_bulk, cli_runs;
	double seconds;
	int json, keep, check;
} s_opts_t;

static char s_dir[PATH_MAX]; /* the temporary folder, "" when none */
static pid_t s_daemon = -1;  /* anttd, -1 when not running */

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

/* What bench_die does before it exits: anttd's log, then clean up. */
static void s_on_die(void)
{
	if (s_dir[0]) {
		char log[PATH_MAX + 16];
		snprintf(log, sizeof log, "%s/anttd.log", s_dir);
		bench_print_log(log, "anttd log");
	}
	s_cleanup(0);
}

static json_t *s_stats_json(const bench_stats_t *s, size_t n)
{
	return json_pack("{s:I, s:f, s:f, s:f, s:f, s:f}", "count", (json_int_t)n, "p50_ms", s->p50,
	                 "p90_ms", s->p90, "p99_ms", s->p99, "max_ms", s->max, "mean_ms", s->mean);
}

/* ---- what the bench submits ---- */

/* Day i (0-based) of 2024, as YYYY-MM-DD. */
static void s_period(long i, char out[16])
{
	time_t t = 1704067200 + (time_t)(i % 366) * 86400; /* 2024-01-01T00:00:00Z */
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 16, "%Y-%m-%d", &tm);
}

/* The note makes a body of about 200 bytes, like a real entry with a remark. */
static void s_note(long i, char out[64])
{
	snprintf(out, 64, "Bench report %06ld: routine entry, ward office", i);
}

/* Report i of the event form, as a client sends it. */
static json_t *s_report(long i)
{
	char period[16], note[64];
	s_period(i, period);
	s_note(i, note);
	return json_pack("{s:s, s:s, s:{s:I, s:I, s:I}, s:s}", "form", EVENT_FORM, "period", period,
	                 "values", "hoa_giai", (json_int_t)(i % 7), "tin_bao", (json_int_t)(i % 13),
	                 "to_giac", (json_int_t)(i % 5), "note", note);
}

static char *s_submit_text(long first, long count, size_t *len)
{
	json_t *reps = json_array();
	for (long i = 0; i < count; i++)
		json_array_append_new(reps, s_report(first + i));
	json_t *req = json_pack("{s:s, s:o}", "op", "submit", "reports", reps);
	char *text = json_dumps(req, JSON_COMPACT);
	if (!text)
		abort();
	json_decref(req);
	*len = strlen(text);
	return text;
}

/* ---- 1. raw rates ---- */

typedef struct {
	double sign, verify, blake2b, encode; /* operations per second */
	size_t body_len;
} s_raw_t;

static s_raw_t s_raw(double seconds)
{
	s_raw_t r = {0};
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	uint8_t sig[crypto_sign_BYTES], id[ANTT_ID_BYTES];
	char err[ANTT_ERR_MAX], period[16], note[64];
	crypto_sign_keypair(pk, sk);

	/* the body anttd would sign for s_report(1) as its first record */
	antt_value_t vals[] = {{"hoa_giai", 1}, {"tin_bao", 1}, {"to_giac", 1}};
	s_period(1, period);
	s_note(1, note);
	antt_body_t b = {.version = ANTT_RECORD_VERSION,
	                 .seq = 1,
	                 .unit = UNIT,
	                 .clock = antt_now(),
	                 .form = EVENT_FORM,
	                 .period = period,
	                 .n_values = 3,
	                 .values = vals,
	                 .note = note};
	memcpy(b.author, pk, sizeof pk);
	uint8_t *body;
	size_t len;
	if (antt_body_encode(&b, &body, &len, err))
		bench_die("encoding a body: %s", err);
	r.body_len = len;

	volatile int sink = 0;
	r.sign = BENCH_RATE(seconds, crypto_sign_detached(sig, NULL, body, len, sk));
	crypto_sign_detached(sig, NULL, body, len, sk);
	r.verify = BENCH_RATE(seconds, sink += crypto_sign_verify_detached(sig, body, len, pk));
	if (sink)
		bench_die("a signature did not verify");
	r.blake2b = BENCH_RATE(seconds, crypto_generichash(id, sizeof id, body, len, NULL, 0));
	r.encode = BENCH_RATE(seconds / 2, {
		uint8_t *e;
		size_t el;
		antt_body_encode(&b, &e, &el, err);
		free(e);
	});
	free(body);
	sodium_memzero(sk, sizeof sk);
	return r;
}

/* ---- 2. the disk ---- */

static bench_stats_t s_fsync(const char *dir)
{
	char path[PATH_MAX + 32];
	static double ms[FSYNC_RUNS];
	char block[4096];
	memset(block, 'x', sizeof block);
	snprintf(path, sizeof path, "%s/fsync.probe", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		bench_die("%s: %s", path, strerror(errno));
	for (int i = 0; i < FSYNC_RUNS; i++) {
		int64_t t0 = bench_now_ns();
		if (pwrite(fd, block, sizeof block, (off_t)i * (off_t)sizeof block) !=
		        (ssize_t)sizeof block ||
		    fdatasync(fd) < 0)
			bench_die("%s: %s", path, strerror(errno));
		ms[i] = (double)(bench_now_ns() - t0) / 1e6;
	}
	close(fd);
	unlink(path);
	return bench_stats(ms, FSYNC_RUNS);
}

/* ---- the node ---- */

/* mkdtemp, antt init, anttd -c, wait for ping.  Returns the config. */
static antt_config_t *s_start_node(const s_opts_t *o, char *conf_path)
{
	char err[ANTT_ERR_MAX], node[PATH_MAX], log[PATH_MAX];
	bench_mkdtemp(s_dir, sizeof s_dir, o->tmpbase);
	if (snprintf(node, sizeof node, "%s/node", s_dir) >= (int)sizeof node ||
	    snprintf(log, sizeof log, "%s/anttd.log", s_dir) >= (int)sizeof log ||
	    snprintf(conf_path, PATH_MAX, "%s/node/anttd.conf", s_dir) >= PATH_MAX)
		bench_die("the temporary folder's path is too long: %s", s_dir);

	char *init[] = {
	    (char *)o->antt,  "init", "--unit", UNIT, "--dir", node, o->forms ? "--forms" : NULL,
	    (char *)o->forms, NULL};
	int rc = bench_run(init, NULL, log, NULL);
	if (rc != 0)
		bench_die("'%s init' failed (exit %d): is --antt right?", o->antt, rc);
	antt_config_t *cfg;
	if (antt_config_load(conf_path, &cfg, err))
		bench_die("%s", err);

	char *anttd_argv[] = {(char *)o->anttd, "-c", conf_path, NULL};
	pid_t pid = bench_spawn(anttd_argv, log);
	s_daemon = pid;

	int64_t deadline = bench_now_ns() + (int64_t)START_TIMEOUT_MS * 1000000;
	json_t *ping = json_pack("{s:s}", "op", "ping");
	for (;;) {
		int status;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			s_daemon = -1;
			bench_die("anttd (%s) exited at start (status %d)", o->anttd,
			          WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		}
		json_t *resp = NULL;
		if (antt_ctl_daemon_running(cfg->lock_path, NULL) == 1 &&
		    antt_ctl_call(cfg->endpoint, ping, NULL, 0, 500, &resp, err) == ANTT_OK &&
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
	return cfg;
}

/* SIGTERM and wait; anttd's exit status. */
static int s_stop_node(void)
{
	int status = 0;
	kill(s_daemon, SIGTERM);
	int64_t deadline = bench_now_ns() + (int64_t)STOP_TIMEOUT_MS * 1000000;
	for (;;) {
		pid_t r = waitpid(s_daemon, &status, WNOHANG);
		if (r == s_daemon)
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
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* One request on the persistent REQ socket; the reply (caller owns) and the
 * time from send to reply in *ms. */
static json_t *s_request(void *sock, const char *text, size_t len, double *ms)
{
	zmq_msg_t msg;
	zmq_msg_init(&msg);
	int64_t t0 = bench_now_ns();
	if (zmq_send(sock, text, len, 0) < 0)
		bench_die("send to anttd: %s", zmq_strerror(errno));
	if (zmq_msg_recv(&msg, sock, 0) < 0)
		bench_die("no reply from anttd: %s", zmq_strerror(errno));
	int64_t t1 = bench_now_ns();
	json_error_t je;
	json_t *resp = json_loadb(zmq_msg_data(&msg), zmq_msg_size(&msg), 0, &je);
	zmq_msg_close(&msg);
	if (!resp || !json_is_true(json_object_get(resp, "ok")))
		bench_die("anttd refused a request: %s",
		          resp ? json_string_value(json_object_get(resp, "message")) : je.text);
	*ms = (double)(t1 - t0) / 1e6;
	return resp;
}

/* ---- output ---- */

static void s_usage(FILE *f)
{
	fprintf(f, "usage: antt-bench [options]\n"
	           "  -n, --single N     sequential single-record submits to time (2000)\n"
	           "  -m, --bulk M       records in the bulk submit and the CLI bulk file (20000)\n"
	           "  -k, --cli-runs K   runs of each CLI command timed as a process (20)\n"
	           "  -s, --seconds S    seconds per raw sign/verify/BLAKE2b rate (2)\n"
	           "      --antt PATH    antt binary (default: ../antt from this binary)\n"
	           "      --anttd PATH   anttd binary (default: ../anttd from this binary)\n"
	           "      --forms DIR    forms folder for 'antt init' (default: its built-in)\n"
	           "      --tmpdir DIR   where the temporary node goes ($TMPDIR, else /tmp)\n"
	           "      --keep         keep the temporary node folder\n"
	           "      --json         one JSON document on stdout instead of the table\n"
	           "      --check        exit 1 if an aim is missed\n"
	           "  -h, --help\n");
}

int main(int argc, char **argv)
{
	enum { O_ANTT = 1000, O_ANTTD, O_FORMS, O_TMP, O_KEEP, O_JSON, O_CHECK };
	static const struct option opts[] = {{"single", required_argument, NULL, 'n'},
	                                     {"bulk", required_argument, NULL, 'm'},
	                                     {"cli-runs", required_argument, NULL, 'k'},
	                                     {"seconds", required_argument, NULL, 's'},
	                                     {"antt", required_argument, NULL, O_ANTT},
	                                     {"anttd", required_argument, NULL, O_ANTTD},
	                                     {"forms", required_argument, NULL, O_FORMS},
	                                     {"tmpdir", required_argument, NULL, O_TMP},
	                                     {"keep", no_argument, NULL, O_KEEP},
	                                     {"json", no_argument, NULL, O_JSON},
	                                     {"check", no_argument, NULL, O_CHECK},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {0}};
	bench_setup("antt-bench", s_on_die);
	s_opts_t o = {.n_single = 2000, .m_bulk = 20000, .cli_runs = 20, .seconds = 2.0};
	int opt;
	while ((opt = getopt_long(argc, argv, "n:m:k:s:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'n': o.n_single = bench_count_arg("--single", optarg, 1, LONG_MAX); break;
		case 'm': o.m_bulk = bench_count_arg("--bulk", optarg, 1, LONG_MAX); break;
		case 'k': o.cli_runs = bench_count_arg("--cli-runs", optarg, 1, LONG_MAX); break;
		case 's':
			o.seconds = strtod(optarg, NULL);
			if (!(o.seconds > 0)) {
				fprintf(stderr, "antt-bench: --seconds takes a positive number\n");
				return 2;
			}
			break;
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
	if (sodium_init() < 0)
		bench_die("libsodium failed to initialise");
	antt_log_set_level(ANTT_LOG_WARN);
	signal(SIGPIPE, SIG_IGN);
	char antt_buf[PATH_MAX], anttd_buf[PATH_MAX], conf[PATH_MAX], cpu[256];
	bench_find_binaries(&o.antt, &o.anttd, antt_buf, anttd_buf);
	bench_cpu_model(cpu, sizeof cpu);
#define SAY(...)                                                                                   \
	do {                                                                                       \
		if (!o.json)                                                                       \
			fprintf(stderr, __VA_ARGS__);                                              \
	} while (0)

	double steal0, busy0 = bench_machine_busy(&steal0);
	int64_t run0 = bench_now_ns();

	/* 1. raw */
	SAY("raw libsodium rates, %.1f s each...\n", o.seconds);
	s_raw_t raw = s_raw(o.seconds);

	/* the node */
	SAY("starting a node...\n");
	antt_config_t *cfg = s_start_node(&o, conf);

	/* 2. disk */
	bench_stats_t fs = s_fsync(s_dir);

	void *ctx = zmq_ctx_new();
	void *sock = zmq_socket(ctx, ZMQ_REQ);
	int zero = 0, tmo = BULK_TIMEOUT_MS;
	zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(sock, ZMQ_RCVTIMEO, &tmo, sizeof tmo);
	zmq_setsockopt(sock, ZMQ_SNDTIMEO, &tmo, sizeof tmo);
	if (zmq_connect(sock, cfg->endpoint) != 0)
		bench_die("connect %s: %s", cfg->endpoint, zmq_strerror(errno));

	/* 3. ping floor, then single submits */
	double *ms =
	    antt_xcalloc((size_t)(o.n_single > PING_RUNS ? o.n_single : PING_RUNS), sizeof *ms);
	const char *ping = "{\"op\":\"ping\"}";
	for (int i = 0; i < PING_RUNS; i++)
		json_decref(s_request(sock, ping, strlen(ping), &ms[i]));
	bench_stats_t pg = bench_stats(ms, PING_RUNS);

	SAY("%ld single submits...\n", o.n_single);
	long seqno = 0; /* reports submitted so far: each gets its own number */
	char **texts = antt_xcalloc((size_t)o.n_single, sizeof *texts);
	size_t *lens = antt_xcalloc((size_t)o.n_single, sizeof *lens);
	for (long i = 0; i < WARMUP; i++) {
		size_t len;
		char *t = s_submit_text(seqno++, 1, &len);
		double d;
		json_decref(s_request(sock, t, len, &d));
		free(t);
	}
	for (long i = 0; i < o.n_single; i++)
		texts[i] = s_submit_text(seqno++, 1, &lens[i]);
	int64_t t0 = bench_now_ns();
	for (long i = 0; i < o.n_single; i++) {
		json_t *r = s_request(sock, texts[i], lens[i], &ms[i]);
		json_decref(r);
		free(texts[i]);
	}
	double single_wall = (double)(bench_now_ns() - t0) / 1e9;
	free(texts);
	free(lens);
	bench_stats_t ss = bench_stats(ms, (size_t)o.n_single);
	double single_rps = (double)o.n_single / single_wall;

	/* 4a. bulk over the socket */
	SAY("bulk submit of %ld records...\n", o.m_bulk);
	size_t bulk_len;
	char *bulk = s_submit_text(seqno, o.m_bulk, &bulk_len);
	seqno += o.m_bulk;
	double bulk_ms;
	json_t *br = s_request(sock, bulk, bulk_len, &bulk_ms);
	if (json_integer_value(json_object_get(br, "count")) != o.m_bulk)
		bench_die("the bulk reply does not count %ld records", o.m_bulk);
	json_decref(br);
	free(bulk);
	double bulk_rps = (double)o.m_bulk / (bulk_ms / 1e3);

	/* 4b. bulk through the CLI */
	SAY("bulk submit of %ld records through 'antt submit --file'...\n", o.m_bulk);
	char jsonl[PATH_MAX + 16];
	snprintf(jsonl, sizeof jsonl, "%s/bulk.jsonl", s_dir);
	FILE *jf = fopen(jsonl, "w");
	if (!jf)
		bench_die("%s: %s", jsonl, strerror(errno));
	for (long i = 0; i < o.m_bulk; i++) {
		json_t *rep = s_report(seqno++);
		json_dumpf(rep, jf, JSON_COMPACT);
		fputc('\n', jf);
		json_decref(rep);
	}
	if (fclose(jf) != 0)
		bench_die("%s: %s", jsonl, strerror(errno));
	char *cli_bulk[] = {(char *)o.antt, "-c", conf, "submit", "--file", jsonl, NULL};
	double cli_bulk_ms;
	int rc = bench_run(cli_bulk, NULL, NULL, &cli_bulk_ms);
	if (rc != 0)
		bench_die("'antt submit --file' failed (exit %d)", rc);
	double cli_bulk_rps = (double)o.m_bulk / (cli_bulk_ms / 1e3);

	/* 5. the CLI, one process per command */
	SAY("CLI as whole processes, %ld runs each...\n", o.cli_runs);
	double *cms = antt_xcalloc((size_t)o.cli_runs, sizeof *cms);
	char *cli_one[] = {(char *)o.antt, "-c",       conf,        "submit",
	                   "--form",       EVENT_FORM, "--period",  "2024-06-01",
	                   "tin_bao=1",    "--note",   "bench cli", NULL};
	for (long i = 0; i < o.cli_runs; i++)
		if ((rc = bench_run(cli_one, NULL, NULL, &cms[i])) != 0)
			bench_die("'antt submit' failed (exit %d)", rc);
	bench_stats_t cs = bench_stats(cms, (size_t)o.cli_runs);
	char *cli_status[] = {(char *)o.antt, "-c", conf, "status", NULL};
	for (long i = 0; i < o.cli_runs; i++)
		if ((rc = bench_run(cli_status, NULL, NULL, &cms[i])) != 0)
			bench_die("'antt status' failed (exit %d)", rc);
	bench_stats_t cst = bench_stats(cms, (size_t)o.cli_runs);
	free(cms);

	/* what the store holds now, as a check that everything landed */
	double d;
	const char *status = "{\"op\":\"status\"}";
	json_t *st = s_request(sock, status, strlen(status), &d);
	json_int_t stored = json_integer_value(json_object_get(st, "records"));
	json_decref(st);
	json_int_t expect = WARMUP + o.n_single + 2 * o.m_bulk + o.cli_runs;
	if (stored != expect)
		bench_die("the store holds %" JSON_INTEGER_FORMAT
		          " records, expected %" JSON_INTEGER_FORMAT,
		          stored, expect);

	zmq_close(sock);
	zmq_ctx_term(ctx);
	int daemon_exit = s_stop_node();
	antt_config_destroy(&cfg);
	s_cleanup(o.keep);
	free(ms);
	if (daemon_exit != 0)
		bench_die("anttd exited with status %d after SIGTERM", daemon_exit);

	int p99_ok = ss.p99 <= AIM_P99_MS, bulk_ok = bulk_rps >= AIM_BULK_RPS,
	    cli_bulk_ok = cli_bulk_rps >= AIM_BULK_RPS;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	/* CPU that other processes used while we ran (anttd and antt are reaped) */
	double other_cpu, steal;
	bench_others_cpu(busy0, steal0, &other_cpu, &steal);
	double run_s = (double)(bench_now_ns() - run0) / 1e9;
	const char *source = bench_source();

	if (o.json) {
		json_t *j = json_object();
		if (source)
			json_object_set_new(j, "source", json_string(source));
		json_object_set_new(j, "machine",
		                    json_pack("{s:s, s:I, s:s, s:s, s:f, s:f, s:f}", "cpu", cpu,
		                              "nproc", (json_int_t)ncpu, "libsodium",
		                              sodium_version_string(), "sqlite",
		                              sqlite3_libversion(), "run_s", run_s, "other_cpu_s",
		                              other_cpu, "steal_s", steal));
		json_object_set_new(j, "params",
		                    json_pack("{s:I, s:I, s:I, s:f, s:s}", "single",
		                              (json_int_t)o.n_single, "bulk", (json_int_t)o.m_bulk,
		                              "cli_runs", (json_int_t)o.cli_runs, "seconds",
		                              o.seconds, "socket", "persistent ZMQ_REQ"));
		json_object_set_new(j, "raw",
		                    json_pack("{s:I, s:f, s:f, s:f, s:f}", "body_bytes",
		                              (json_int_t)raw.body_len, "sign_per_s", raw.sign,
		                              "verify_per_s", raw.verify, "blake2b_per_s",
		                              raw.blake2b, "encode_per_s", raw.encode));
		json_object_set_new(j, "fdatasync_4k", s_stats_json(&fs, FSYNC_RUNS));
		json_object_set_new(j, "ping", s_stats_json(&pg, PING_RUNS));
		json_t *sj = s_stats_json(&ss, (size_t)o.n_single);
		json_object_set_new(sj, "records_per_s", json_real(single_rps));
		json_object_set_new(j, "single_submit", sj);
		json_object_set_new(j, "bulk_submit",
		                    json_pack("{s:I, s:I, s:f, s:f, s:f, s:f}", "records",
		                              (json_int_t)o.m_bulk, "request_bytes",
		                              (json_int_t)bulk_len, "socket_ms", bulk_ms,
		                              "socket_records_per_s", bulk_rps, "cli_ms",
		                              cli_bulk_ms, "cli_records_per_s", cli_bulk_rps));
		json_object_set_new(j, "cli_process",
		                    json_pack("{s:o, s:o}", "submit_one",
		                              s_stats_json(&cs, (size_t)o.cli_runs), "status",
		                              s_stats_json(&cst, (size_t)o.cli_runs)));
		json_object_set_new(j, "ratios",
		                    json_pack("{s:f, s:f}", "bulk_over_sign", bulk_rps / raw.sign,
		                              "cli_bulk_over_sign", cli_bulk_rps / raw.sign));
		json_object_set_new(
		    j, "aims",
		    json_pack("{s:{s:f, s:f, s:b}, s:{s:f, s:f, s:b}, s:{s:f, s:f, s:b}}",
		              "p99_single_submit_ms", "aim", AIM_P99_MS, "measured", ss.p99, "met",
		              p99_ok, "bulk_records_per_s", "aim", AIM_BULK_RPS, "measured",
		              bulk_rps, "met", bulk_ok, "cli_bulk_records_per_s", "aim",
		              AIM_BULK_RPS, "measured", cli_bulk_rps, "met", cli_bulk_ok));
		json_dumpf(j, stdout,
		           JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
		fputc('\n', stdout);
		json_decref(j);
	} else {
		printf("antt-bench: %s, %ld CPU(s); libsodium %s, SQLite %s%s%s\n", cpu, ncpu,
		       sodium_version_string(), sqlite3_libversion(), source ? "; source " : "",
		       source ? source : "");
		printf("run took %.1f s; other processes used %.1f CPU-s meanwhile, steal %.1f s "
		       "(well above 0: the figures are skewed)\n\n",
		       run_s, other_cpu, steal);
		printf("raw, one core, %zu-byte record body\n", raw.body_len);
		printf("  %-38s %12.0f /s\n", "Ed25519 sign (crypto_sign_detached)", raw.sign);
		printf("  %-38s %12.0f /s\n", "Ed25519 verify", raw.verify);
		printf("  %-38s %12.0f /s\n", "BLAKE2b-256", raw.blake2b);
		printf("  %-38s %12.0f /s\n", "body encode (protobuf-c)", raw.encode);
		printf("\n%-40s %8s %8s %8s %8s %8s\n", "latency (ms)", "p50", "p90", "p99", "max",
		       "mean");
#define ROW(name, s)                                                                               \
	printf("  %-38s %8.3f %8.3f %8.3f %8.3f %8.3f\n", name, (s).p50, (s).p90, (s).p99,         \
	       (s).max, (s).mean)
		ROW("append 4 KiB + fdatasync (disk floor)", fs);
		ROW("ping, persistent REQ socket", pg);
		char label[64];
		snprintf(label, sizeof label, "single submit x%ld, persistent REQ", o.n_single);
		ROW(label, ss);
		snprintf(label, sizeof label, "antt submit (process) x%ld", o.cli_runs);
		ROW(label, cs);
		snprintf(label, sizeof label, "antt status (process) x%ld", o.cli_runs);
		ROW(label, cst);
		printf("  sequential single submits: %.0f records/s\n", single_rps);
		printf("\nbulk import of %ld records\n", o.m_bulk);
		printf("  %-38s %10.1f ms %10.0f records/s\n", "one submit request (socket)",
		       bulk_ms, bulk_rps);
		printf("  %-38s %10.1f ms %10.0f records/s\n", "antt submit --file (process)",
		       cli_bulk_ms, cli_bulk_rps);
		printf("\nratios\n");
		printf("  bulk rate / raw sign rate            %8.3f\n", bulk_rps / raw.sign);
		printf("  CLI bulk rate / raw sign rate        %8.3f\n", cli_bulk_rps / raw.sign);
		printf("\naims\n");
		printf("  p99 single submit <= %.0f ms          %8.3f ms   %s\n", AIM_P99_MS,
		       ss.p99, p99_ok ? "MET" : "NOT MET");
		printf("  bulk >= %.0f records/s            %8.0f /s    %s\n", AIM_BULK_RPS,
		       bulk_rps, bulk_ok ? "MET" : "NOT MET");
		printf("  bulk via CLI >= %.0f records/s    %8.0f /s    %s\n", AIM_BULK_RPS,
		       cli_bulk_rps, cli_bulk_ok ? "MET" : "NOT MET");
	}
	return o.check && !(p99_ok && bulk_ok) ? 1 : 0;
}
