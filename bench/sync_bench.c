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
 * --versus runs instead, side by side, for the same N records of the same
 * size: the raw sign and verify rates; the tree of (b) without the relay,
 * once with the default durability and once with '[node] durability =
 * relaxed' at every node; then three mosquitto brokers bridged commune ->
 * district -> province at QoS 1 with persistence, a publisher at the
 * bottom and a subscriber at the top (antt-mosq-bench, bench/mosq_bench.c).
 * For each side: time until all are at the top, records lost and
 * duplicated, the bytes of both links (the kernel's tcp_info of the
 * parents' accepted connections, read with 'ss -tin'), each node's peak
 * memory (VmHWM) and CPU.  --listen, --parent and --prefix give each
 * tier's addresses and a command to run its processes under (e.g. 'ip
 * netns exec NS'), so that the same run can cross other links.
 *
 *     bench/run.sh --versus        # docs/benchmarks.md, "Versus a Mosquitto
 *                                  # bridge chain"
 *
 * Exit code: 0 when every phase ran, 1 when something failed, 2 on a usage
 * error; with --check also 1 when the aim (hub intake >= 3x the raw
 * one-core verify rate, plain batches; with --versus antt >= 2x
 * Mosquitto's records/s, nothing lost or duplicated) is missed. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
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
#include "benchlib.h"
#include "common.h"
#include "config.h"
#include "ctlproto.h"
#include "keyfile.h"
#include "record.h"
#include "store.h"

#define AIM_INTAKE_OVER_VERIFY 3.0
#define AIM_VERSUS 2.0 /* --versus: antt records/s over Mosquitto's */
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
#define MAX_NODES 12
#define MAX_PROCS 8 /* other processes the bench runs: brokers, clients */

typedef struct {
	const char *antt, *anttd, *forms, *tmpbase, *perf;
	long n, batch, poll_ms;
	double seconds;
	int json, keep, check, no_tree;
	/* --versus */
	int versus, no_full, no_relaxed, no_mosquitto, mosq_nodelay;
	const char *mosq_bench, *mosquitto;
	long inflight, payload;
	double silence_s, timeout_s;
} s_opts_t;

/* ---- the nodes the bench runs ---- */

/* The tiers of a tree: where each one's node listens, how the tier below
 * reaches it, and the words put before every command run for it (e.g.
 * "ip netns exec NS"): --listen, --parent, --prefix. */
enum { T_COMMUNE, T_DISTRICT, T_PROVINCE, N_TIERS };
static const char *const s_tier_names[N_TIERS] = {"commune", "district", "province"};

typedef struct {
	char listen_host[128]; /* "": 127.0.0.1 */
	int listen_port;       /* 0: a free port on loopback, new for each tree */
	char parent_host[128]; /* "": the parent tier's listen address */
	int parent_port;
	char prefix_text[512]; /* as given */
	char words[512];       /* its copy, cut into words */
	char *prefix[32];      /* the words, NULL-terminated */
} s_tier_t;

static s_tier_t s_tiers[N_TIERS];

typedef struct {
	char name[32];
	char dir[PATH_MAX], conf[PATH_MAX], log[PATH_MAX];
	char pk[2 * ANTT_KEY_BYTES + 1];
	int port; /* listening port, 0 for none */
	pid_t pid;
	pid_t real; /* the anttd under the tier's prefix (pid when there is none) */
	const s_tier_t *tier;
	antt_config_t *cfg;
	void *req; /* persistent REQ socket to its control socket */
} s_node_t;

static char s_dir[PATH_MAX]; /* the temporary folder, "" when none */
static s_node_t *s_nodes[MAX_NODES];
static size_t s_n_nodes;
typedef struct {
	char name[32], log[PATH_MAX]; /* log: "" for none */
	pid_t pid;                    /* -1 once reaped */
} s_proc_t;
static s_proc_t s_procs[MAX_PROCS]; /* brokers and clients */
static size_t s_n_procs;
static pid_t s_perf = -1;
static void *s_zctx;
static const s_opts_t *s_o;

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
	for (size_t i = 0; i < s_n_procs; i++)
		if (s_procs[i].pid > 0) {
			kill(s_procs[i].pid, SIGTERM);
			waitpid(s_procs[i].pid, NULL, 0);
			s_procs[i].pid = -1;
		}
	bench_rmtree(s_dir, keep);
}

/* What bench_die does before it exits: the logs of the nodes and other
 * processes, then clean up. */
static void s_on_die(void)
{
	for (size_t i = 0; i < s_n_nodes + s_n_procs; i++) {
		const char *name = i < s_n_nodes ? s_nodes[i]->name : s_procs[i - s_n_nodes].name;
		const char *log = i < s_n_nodes ? s_nodes[i]->log : s_procs[i - s_n_nodes].log;
		bench_print_log(log, "log of %s (%s)", name, log);
	}
	s_cleanup(s_o ? s_o->keep : 0);
}

/* /proc/PID/stat into buf: the fields after the command name (the state
 * first), or NULL if the process is gone. */
static const char *s_proc_stat(pid_t pid, char *buf, size_t len)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')'); /* the name may hold spaces and parentheses */
	return p && p[1] ? p + 2 : NULL;
}

/* CPU seconds (user + system, all threads) a process has used so far. */
static double s_proc_cpu(pid_t pid)
{
	char buf[1024];
	const char *p = s_proc_stat(pid, buf, sizeof buf);
	unsigned long long ut = 0, st = 0;
	if (!p || sscanf(p, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* A TCP port on 127.0.0.1 that nothing listens on now. */
static int s_free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		bench_die("cannot find a free TCP port: %s", strerror(errno));
	close(fd);
	return ntohs(a.sin_port);
}

/* ---- tiers: addresses, command prefixes, what the kernel counts ---- */

/* In a forked child: exec argv under the tier's prefix (t NULL: none). */
static void s_exec_tier(const s_tier_t *t, char *const argv[]) __attribute__((noreturn));
static void s_exec_tier(const s_tier_t *t, char *const argv[])
{
	char *full[128];
	size_t k = 0;
	for (size_t i = 0; t && t->prefix[i] && k < 64; i++)
		full[k++] = t->prefix[i];
	for (size_t i = 0; argv[i] && k < 127; i++)
		full[k++] = argv[i];
	full[k] = NULL;
	execvp(full[0], full);
	_exit(127);
}

/* Start argv under the tier's prefix, stdin from in_fd and stdout to out_fd
 * (-1: /dev/null), stderr appended to errpath (NULL: /dev/null).  It gets
 * SIGTERM if the bench dies.  Pipes given must be O_CLOEXEC. */
static pid_t s_spawn(const s_tier_t *t, char *const argv[], int in_fd, int out_fd,
                     const char *errpath)
{
	pid_t pid = fork();
	if (pid < 0)
		bench_die("fork: %s", strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		int nul = open("/dev/null", O_RDWR);
		int err = errpath ? open(errpath, O_WRONLY | O_CREAT | O_APPEND, 0600) : nul;
		dup2(in_fd >= 0 ? in_fd : nul, 0);
		dup2(out_fd >= 0 ? out_fd : nul, 1);
		dup2(err < 0 ? nul : err, 2);
		s_exec_tier(t, argv);
	}
	return pid;
}

/* Run argv under the tier's prefix, stdout to outpath; its exit status. */
static int s_run_tier(const s_tier_t *t, char *const argv[], const char *outpath)
{
	int out = open(outpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0)
		bench_die("%s: %s", outpath, strerror(errno));
	pid_t pid = s_spawn(t, argv, -1, out, NULL);
	close(out);
	return bench_wait(pid);
}

static int s_comm_is(pid_t pid, const char *comm)
{
	char path[64], buf[64] = "";
	snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof buf, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return !strcmp(buf, comm);
}

static pid_t s_ppid(pid_t pid)
{
	char buf[1024];
	const char *p = s_proc_stat(pid, buf, sizeof buf);
	int pp = -1;
	if (!p || sscanf(p, "%*c %d", &pp) != 1)
		return -1;
	return pp;
}

/* The process named comm that pid is, or that it started (a prefix such as
 * "sudo ip netns exec NS" may fork before the command runs); pid if none. */
static pid_t s_real_pid(pid_t pid, const char *comm)
{
	if (s_comm_is(pid, comm))
		return pid;
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = pid;
	while (d && (e = readdir(d))) {
		char *end;
		long q = strtol(e->d_name, &end, 10);
		if (*end || q <= 1 || !s_comm_is((pid_t)q, comm))
			continue;
		pid_t a = (pid_t)q;
		for (int depth = 0; depth < 16 && a > 1; depth++)
			if ((a = s_ppid(a)) == pid) {
				found = (pid_t)q;
				break;
			}
		if (found != pid)
			break;
	}
	if (d)
		closedir(d);
	return found;
}

/* What the kernel counted on the TCP connections a listener accepted:
 * tcp_info's bytes_received (what the peer sent) and bytes_acked (what it
 * acknowledged of what was sent to it), TCP payload only, retransmissions
 * not counted twice; read with 'ss -tin' under the listener's tier prefix,
 * so in its network namespace. */
typedef struct {
	char peer[96];
	int peer_port;
	uint64_t rx, acked;
} s_sock_t;

typedef struct {
	s_sock_t s[32];
	int n;
} s_socks_t;

typedef struct {
	uint64_t up, down; /* child -> parent, parent -> child */
	int conns, gone;   /* connections counted; seen before and closed since */
} s_link_t;

static void s_tcp_snapshot(const s_tier_t *t, int port, s_socks_t *out)
{
	char path[PATH_MAX + 16], sport[16], line[4096];
	snprintf(path, sizeof path, "%s/ss.out", s_dir);
	snprintf(sport, sizeof sport, ":%d", port);
	char *argv[] = {"ss", "-tinH", "state", "established", "sport", "=", sport, NULL};
	memset(out, 0, sizeof *out);
	int rc = s_run_tier(t, argv, path);
	if (rc != 0)
		bench_die("'%sss -tin' failed (exit %d): is ss (iproute2) installed?",
		          t && t->prefix_text[0] ? t->prefix_text : "", rc);
	FILE *f = fopen(path, "r");
	if (!f)
		bench_die("%s: %s", path, strerror(errno));
	s_sock_t *cur = NULL;
	while (fgets(line, sizeof line, f)) {
		if (line[0] != ' ' && line[0] != '\t') {
			char local[96], peer[96];
			cur = NULL;
			if (sscanf(line, "%*s %*s %95s %95s", local, peer) != 2 || out->n == 32)
				continue;
			char *lp = strrchr(local, ':'), *pp = strrchr(peer, ':');
			if (!lp || atoi(lp + 1) != port || !pp)
				continue;
			cur = &out->s[out->n++];
			snprintf(cur->peer, sizeof cur->peer, "%s", peer);
			cur->peer_port = atoi(pp + 1);
			continue;
		}
		if (!cur)
			continue;
		char *v;
		if ((v = strstr(line, "bytes_acked:")))
			cur->acked = strtoull(v + 12, NULL, 10);
		if ((v = strstr(line, "bytes_received:")))
			cur->rx = strtoull(v + 15, NULL, 10);
	}
	fclose(f);
	unlink(path);
}

/* What crossed the connections between two snapshots; a client connected
 * to the same listener on exclude_port (0: none) is left out. */
static void s_tcp_diff(const s_socks_t *a, const s_socks_t *b, int exclude_port, s_link_t *l)
{
	memset(l, 0, sizeof *l);
	for (int i = 0; i < b->n; i++) {
		if (exclude_port && b->s[i].peer_port == exclude_port)
			continue;
		const s_sock_t *before = NULL;
		for (int k = 0; k < a->n; k++)
			if (!strcmp(a->s[k].peer, b->s[i].peer))
				before = &a->s[k];
		l->up += b->s[i].rx - (before ? before->rx : 0);
		l->down += b->s[i].acked - (before ? before->acked : 0);
		l->conns++;
	}
	for (int k = 0; k < a->n; k++) {
		int still = 0;
		if (exclude_port && a->s[k].peer_port == exclude_port)
			continue;
		for (int i = 0; i < b->n; i++)
			still |= !strcmp(a->s[k].peer, b->s[i].peer);
		l->gone += !still;
	}
}

/* The addresses of one tree (or broker chain), from --listen and --parent. */
typedef struct {
	char host[N_TIERS][128];  /* where each tier listens */
	int port[N_TIERS];        /* and on which port */
	char local[N_TIERS][128]; /* how a process of the tier reaches its own listener */
	char up[N_TIERS][160];    /* commune, district: HOST:PORT of the parent */
} s_addrs_t;

static int s_wildcard(const char *host)
{
	return !strcmp(host, "*") || !strcmp(host, "0.0.0.0");
}

static void s_addrs(s_addrs_t *a)
{
	memset(a, 0, sizeof *a);
	for (int t = 0; t < N_TIERS; t++) {
		const s_tier_t *ti = &s_tiers[t];
		snprintf(a->host[t], sizeof a->host[t], "%.127s",
		         ti->listen_host[0] ? ti->listen_host : "127.0.0.1");
		a->port[t] = ti->listen_port ? ti->listen_port : s_free_port();
		snprintf(a->local[t], sizeof a->local[t], "%.127s",
		         s_wildcard(a->host[t]) ? "127.0.0.1" : a->host[t]);
	}
	for (int t = T_COMMUNE; t < T_PROVINCE; t++) {
		const s_tier_t *ti = &s_tiers[t];
		if (ti->parent_host[0])
			snprintf(a->up[t], sizeof a->up[t], "%s:%d", ti->parent_host,
			         ti->parent_port);
		else
			snprintf(a->up[t], sizeof a->up[t], "%s:%d", a->local[t + 1],
			         a->port[t + 1]);
	}
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
		bench_die("encoding a body: %s", err);
}

/* ---- 0. this machine's limits ---- */

typedef struct {
	double sign, verify; /* per second, one core */
	size_t body_len;
	double sqlite_rows_per_s, sqlite_s;
	double store_per_s, store_s; /* antt_store_append_ex, as the hub */
} s_limits_t;

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
	l->sign = BENCH_RATE(seconds, crypto_sign_detached(sig, NULL, body, len, sk));
	crypto_sign_detached(sig, NULL, body, len, sk);
	l->verify = BENCH_RATE(seconds, sink += crypto_sign_verify_detached(sig, body, len, pk));
	if (sink)
		bench_die("a signature did not verify");
	free(body);
	sodium_memzero(sk, sizeof sk);
}

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
		bench_die("cannot generate a key");
	if (antt_key_save(c->key, keypath, err))
		bench_die("%s", err);
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
			bench_die("pthread_create failed");
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
			bench_die("zstd: %s", ZSTD_getErrorName(zlen));
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
			bench_die("decoding record %ld: %s", i + 1, err);
		antt_record_id(id[i], c->body[i], c->blen[i]);
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
			if (antt_store_append_ex(st, id[i], c->body[i], c->blen[i], c->sig[i],
			                         &b[i], now, now, i == end - 1, err))
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

/* ---- nodes ---- */

/* [node] durability = relaxed in the node's config, after 'antt init'. */
static void s_set_relaxed(const char *conf)
{
	FILE *f = fopen(conf, "r");
	if (!f)
		bench_die("%s: %s", conf, strerror(errno));
	char *text = NULL;
	size_t cap = 0;
	ssize_t len = getdelim(&text, &cap, '\0', f);
	fclose(f);
	char *sect = len > 0 ? strstr(text, "[node]\n") : NULL;
	if (!sect)
		bench_die("%s has no [node] section", conf);
	size_t head = (size_t)(sect - text) + strlen("[node]\n");
	f = fopen(conf, "w");
	if (!f || fwrite(text, 1, head, f) != head || fputs("durability = relaxed\n", f) < 0 ||
	    fwrite(text + head, 1, (size_t)len - head, f) != (size_t)len - head || fclose(f) != 0)
		bench_die("cannot write %s", conf);
	free(text);
}

/* 'antt init' of a node in s_dir/name: a hub listening on
 * tcp://listen_host:listen_port when listen_host, a child of parent_ep
 * (tcp://HOST:PORT) when that is given; 'durability = relaxed' when
 * relaxed.  Its processes run under the tier's prefix (NULL: none).  Its
 * public key from 'init --json'. */
static s_node_t *s_node_init(const char *name, const char *unit, const s_tier_t *tier,
                             const char *listen_host, int listen_port, const char *parent_ep,
                             const char *parent_key, int relaxed)
{
	char err[ANTT_ERR_MAX], out[PATH_MAX + 16], lst[192];
	s_node_t *nd = antt_xcalloc(1, sizeof *nd);
	if (s_n_nodes == MAX_NODES)
		bench_die("too many nodes");
	s_nodes[s_n_nodes++] = nd;
	nd->pid = -1;
	nd->tier = tier;
	snprintf(nd->name, sizeof nd->name, "%s", name);
	if (snprintf(nd->dir, sizeof nd->dir, "%s/%s", s_dir, name) >= (int)sizeof nd->dir ||
	    snprintf(nd->conf, sizeof nd->conf, "%s/anttd.conf", nd->dir) >= (int)sizeof nd->conf ||
	    snprintf(nd->log, sizeof nd->log, "%s/%s.log", s_dir, name) >= (int)sizeof nd->log)
		bench_die("the temporary folder's path is too long: %s", s_dir);
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
	if (listen_host) {
		nd->port = listen_port;
		snprintf(lst, sizeof lst, "tcp://%s:%d", listen_host, nd->port);
		argv[a++] = "--listen";
		argv[a++] = lst;
	}
	if (parent_ep) {
		argv[a++] = "--parent";
		argv[a++] = (char *)parent_ep;
		argv[a++] = "--parent-key";
		argv[a++] = (char *)parent_key;
	}
	argv[a] = NULL;
	int rc = bench_run(argv, out, nd->log, NULL);
	if (rc != 0)
		bench_die("'%s init' for %s failed (exit %d): is --antt right?", s_o->antt, name,
		          rc);
	json_error_t je;
	json_t *j = json_load_file(out, 0, &je);
	const char *pk = json_string_value(json_object_get(j, "public_key"));
	if (!pk || strlen(pk) != 2 * ANTT_KEY_BYTES)
		bench_die("'antt init --json' printed no public key for %s", name);
	snprintf(nd->pk, sizeof nd->pk, "%s", pk);
	json_decref(j);
	unlink(out);
	if (relaxed)
		s_set_relaxed(nd->conf);
	if (antt_config_load(nd->conf, &nd->cfg, err))
		bench_die("%s", err);
	return nd;
}

/* One request on the node's persistent REQ socket; the reply (caller owns). */
static json_t *s_call(s_node_t *nd, const char *text)
{
	zmq_msg_t msg;
	if (zmq_send(nd->req, text, strlen(text), 0) < 0)
		bench_die("send to %s: %s", nd->name, zmq_strerror(errno));
	zmq_msg_init(&msg);
	if (zmq_msg_recv(&msg, nd->req, 0) < 0)
		bench_die("no reply from %s within %d ms: %s", nd->name, REPLY_TIMEOUT_MS,
		          zmq_strerror(errno));
	json_error_t je;
	json_t *resp = json_loadb(zmq_msg_data(&msg), zmq_msg_size(&msg), 0, &je);
	zmq_msg_close(&msg);
	if (!resp || !json_is_true(json_object_get(resp, "ok")))
		bench_die("%s refused '%s': %s", nd->name, text,
		          resp ? json_string_value(json_object_get(resp, "message")) : je.text);
	return resp;
}

static double s_poll_ms_sum; /* time spent in status polls, and how many */
static long s_polls;

/* The "records" of its status (what 'antt status --json' prints). */
static long s_records(s_node_t *nd)
{
	int64_t t0 = bench_now_ns();
	json_t *st = s_call(nd, "{\"op\":\"status\"}");
	s_poll_ms_sum += (double)(bench_now_ns() - t0) / 1e6;
	s_polls++;
	long n = (long)json_integer_value(json_object_get(st, "records"));
	json_decref(st);
	return n;
}

static void s_node_start(s_node_t *nd)
{
	char *argv[] = {(char *)s_o->anttd, "-c", nd->conf, NULL};
	pid_t pid = s_spawn(nd->tier, argv, -1, -1, nd->log);
	nd->pid = pid;
	nd->real = pid;
	nd->req = zmq_socket(s_zctx, ZMQ_REQ);
	int zero = 0, tmo = REPLY_TIMEOUT_MS;
	zmq_setsockopt(nd->req, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(nd->req, ZMQ_RCVTIMEO, &tmo, sizeof tmo);
	zmq_setsockopt(nd->req, ZMQ_SNDTIMEO, &tmo, sizeof tmo);
	if (zmq_connect(nd->req, nd->cfg->endpoint) != 0)
		bench_die("connect %s: %s", nd->cfg->endpoint, zmq_strerror(errno));
	/* until it answers; the REQ socket waits for the socket file itself */
	int64_t deadline = bench_now_ns() + (int64_t)START_TIMEOUT_MS * 1000000;
	for (;;) {
		int status;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			nd->pid = -1;
			bench_die("anttd for %s exited at start (status %d)", nd->name,
			          WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		}
		if (antt_ctl_daemon_running(nd->cfg->lock_path, NULL) == 1)
			break;
		if (bench_now_ns() > deadline)
			bench_die("anttd for %s did not start within %d ms", nd->name,
			          START_TIMEOUT_MS);
		usleep(10000);
	}
	json_decref(s_call(nd, "{\"op\":\"ping\"}"));
	nd->real = s_real_pid(pid, "anttd");
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
	int64_t deadline = bench_now_ns() + (int64_t)STOP_TIMEOUT_MS * 1000000;
	for (;;) {
		pid_t r = waitpid(nd->pid, &status, WNOHANG);
		if (r == nd->pid)
			break;
		if (bench_now_ns() > deadline) {
			kill(nd->pid, SIGKILL);
			waitpid(nd->pid, &status, 0);
			nd->pid = -1;
			bench_die("anttd for %s did not stop within %d ms of SIGTERM", nd->name,
			          STOP_TIMEOUT_MS);
		}
		usleep(10000);
	}
	nd->pid = -1;
	int rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (rc != 0)
		bench_die("anttd for %s exited with status %d after SIGTERM", nd->name, rc);
	return rc;
}

/* 'antt -c hub enroll --unit unit --key key [--units scope]', the real CLI
 * (scope: the units a hub enrolled so may enroll in turn; NULL: a station). */
static void s_enroll(s_node_t *hub, const char *unit, const char *key, const char *scope)
{
	char *argv[] = {(char *)s_o->antt, "-c",        hub->conf,
	                "enroll",          "--unit",    (char *)unit,
	                "--key",           (char *)key, scope ? "--units" : NULL,
	                (char *)scope,     NULL};
	int rc = bench_run(argv, NULL, hub->log, NULL);
	if (rc != 0)
		bench_die("'antt enroll --unit %s' at %s failed (exit %d)", unit, hub->name, rc);
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

/* Receive the next SyncMsg that is not a Pong or Receipt. */
static Antt__SyncMsg *s_recv_msg(void *sock, const char *waiting_for)
{
	for (;;) {
		zmq_msg_t msg;
		zmq_msg_init(&msg);
		if (zmq_msg_recv(&msg, sock, 0) < 0)
			bench_die("no %s from the hub within %d ms: %s", waiting_for,
			          REPLY_TIMEOUT_MS, zmq_strerror(errno));
		Antt__SyncMsg *m =
		    antt__sync_msg__unpack(NULL, zmq_msg_size(&msg), zmq_msg_data(&msg));
		zmq_msg_close(&msg);
		if (!m)
			bench_die("a malformed message from the hub while waiting for %s",
			          waiting_for);
		if (m->msg_case == ANTT__SYNC_MSG__MSG_ERROR)
			bench_die("the hub answered Error %u: %s", m->error->code,
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

static long s_count_unaudited(const char *store)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long n = -1;
	if (sqlite3_open_v2(store, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		bench_die("cannot open %s read-only", store);
	sqlite3_busy_timeout(db, 5000);
	/* the partial index records_unaudited makes this cheap */
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM records WHERE audit = 0", -1, &st, NULL) ==
	        SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	if (n < 0)
		bench_die("reading %s", store);
	return n;
}

/* 'perf record' of the processes in pids ("1,2,3") into out, until
 * s_perf_stop. */
static void s_perf_start(const char *pids, const char *out)
{
	pid_t p = fork();
	if (p < 0)
		bench_die("fork: %s", strerror(errno));
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
	s_node_t *hub =
	    s_node_init(name, HUB_UNIT, NULL, "127.0.0.1", s_free_port(), NULL, NULL, 0);
	s_node_start(hub);
	s_enroll(hub, CHILD_UNIT, antt_hex(hex, c->key->pk, ANTT_KEY_BYTES), NULL);

	/* the child's transport: CURVE keys derived from the Ed25519 ones */
	uint8_t hub_ed[ANTT_KEY_BYTES], server[32], cpk[32], csk[32];
	if (antt_unhex(hub_ed, ANTT_KEY_BYTES, hub->pk) ||
	    crypto_sign_ed25519_pk_to_curve25519(server, hub_ed) != 0 ||
	    crypto_sign_ed25519_pk_to_curve25519(cpk, c->key->pk) != 0 ||
	    crypto_sign_ed25519_sk_to_curve25519(csk, c->key->sk) != 0)
		bench_die("cannot derive the transport keys");
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
		bench_die("connect %s: %s", ep, zmq_strerror(errno));

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
		bench_die("sending Hello: %s", zmq_strerror(errno));
	free(hbuf);
	Antt__SyncMsg *m = s_recv_msg(sock, "Heads");
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
		s_perf_start(pid, out);
	}
	double hub0 = s_proc_cpu(hub->pid), self0 = bench_self_cpu();
	int64_t t0 = bench_now_ns();
	for (size_t k = 0; k < c->n_batches; k++) {
		const uint8_t *f = compressed ? c->packz[k] : c->plain[k];
		size_t len = compressed ? c->packz_len[k] : c->plain_len[k];
		int64_t b0 = bench_now_ns();
		if (zmq_send(sock, f, len, 0) < 0)
			bench_die("sending batch %zu: %s", k + 1, zmq_strerror(errno));
		m = s_recv_msg(sock, "Ack");
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
	r->hub_cpu = s_proc_cpu(hub->pid) - hub0;
	r->bench_cpu = bench_self_cpu() - self0;
	int64_t t_acked = bench_now_ns();
	if (perf_dir)
		s_perf_stop();
	r->rps = (double)c->n / r->s;
	r->bs = bench_stats(r->batch_ms, c->n_batches);
	zmq_close(sock);

	bench_say("  %ld records in %.3f s; waiting for the hub's audit\n", c->n, r->s);
	long held = s_records(hub);
	if (held != c->n + 1)
		bench_die("%s holds %ld records, expected %ld", name, held, c->n + 1);
	/* the background audit: every signature accepted on a later one */
	int64_t deadline = t_acked + (int64_t)AUDIT_TIMEOUT_MS * 1000000;
	while (s_count_unaudited(hub->cfg->store_path) > 0) {
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
			bench_die("pthread_create failed");
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
		bench_die("relay: %s", strerror(errno));
	if (pthread_create(&r->th, NULL, s_relay_run, r) != 0)
		bench_die("pthread_create failed");
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
	/* --versus */
	s_link_t link[2];      /* commune -> district, district -> province (tcp_info) */
	long hwm_kb[N_TIERS];  /* VmHWM of each anttd, just before it stopped */
	long lost, duplicated; /* the commune's records at the province */
	double cpu_submit;     /* the 'antt submit' process */
	double cpu_until_receipt[N_TIERS]; /* each anttd, submit to receipt */
} s_tree_t;

typedef struct {
	const char *tag; /* node names: TAG-province, ...; NULL: province, ... */
	int relay;       /* the commune's parent is the relay of (c) */
	int relaxed;     /* [node] durability = relaxed at every node */
	int wire;        /* count the bytes of both links with tcp_info */
} s_tree_cfg_t;

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
		bench_die("cannot open %s", c->cfg->store_path);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_prepare_v2(db, "SELECT body, sig FROM records WHERE author = ?1", -1, &st,
	                       NULL) != SQLITE_OK)
		bench_die("%s: %s", c->cfg->store_path, sqlite3_errmsg(db));
	sqlite3_bind_blob(st, 1, pk, ANTT_KEY_BYTES, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		uint8_t *env;
		size_t len;
		if (sqlite3_column_bytes(st, 1) != ANTT_SIG_BYTES)
			bench_die("a stored signature has the wrong size");
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
		bench_die("the commune holds %ld records of its own, expected %ld", rows, n);
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

/* The province's copies of the commune's records: lost, and duplicated
 * (UNIQUE(author, seq) in the store forbids it; counted all the same). */
static void s_province_check(s_node_t *p, const s_node_t *c, long n, s_tree_t *t)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	uint8_t pk[ANTT_KEY_BYTES];
	antt_unhex(pk, ANTT_KEY_BYTES, c->pk);
	if (sqlite3_open_v2(p->cfg->store_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		bench_die("cannot open %s", p->cfg->store_path);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_prepare_v2(
	        db,
	        "SELECT count(*), count(DISTINCT seq) FROM records WHERE author = ?1 "
	        "AND seq BETWEEN 1 AND ?2",
	        -1, &st, NULL) != SQLITE_OK)
		bench_die("%s: %s", p->cfg->store_path, sqlite3_errmsg(db));
	sqlite3_bind_blob(st, 1, pk, ANTT_KEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, n);
	if (sqlite3_step(st) != SQLITE_ROW)
		bench_die("%s: %s", p->cfg->store_path, sqlite3_errmsg(db));
	long rows = (long)sqlite3_column_int64(st, 0), distinct = (long)sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	sqlite3_close(db);
	t->lost = n - distinct;
	t->duplicated = rows - distinct;
}

static void s_tree(long n, const s_tree_cfg_t *cfg, s_tree_t *t)
{
	char pname[32], dname[32], cname[32], ep[192];
	memset(t, 0, sizeof *t);
	snprintf(pname, sizeof pname, "%s%sprovince", cfg->tag ? cfg->tag : "",
	         cfg->tag ? "-" : "");
	snprintf(dname, sizeof dname, "%s%sdistrict", cfg->tag ? cfg->tag : "",
	         cfg->tag ? "-" : "");
	snprintf(cname, sizeof cname, "%s%scommune", cfg->tag ? cfg->tag : "", cfg->tag ? "-" : "");
	s_addrs_t ad;
	s_addrs(&ad);
	s_node_t *p = s_node_init(pname, PROVINCE_UNIT, &s_tiers[T_PROVINCE], ad.host[T_PROVINCE],
	                          ad.port[T_PROVINCE], NULL, NULL, cfg->relaxed);
	snprintf(ep, sizeof ep, "tcp://%s", ad.up[T_DISTRICT]);
	s_node_t *d = s_node_init(dname, HUB_UNIT, &s_tiers[T_DISTRICT], ad.host[T_DISTRICT],
	                          ad.port[T_DISTRICT], ep, p->pk, cfg->relaxed);
	s_relay_t relay;
	if (cfg->relay)
		snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", s_relay_start(&relay, d->port));
	else
		snprintf(ep, sizeof ep, "tcp://%s", ad.up[T_COMMUNE]);
	s_node_t *c =
	    s_node_init(cname, CHILD_UNIT, &s_tiers[T_COMMUNE], NULL, 0, ep, d->pk, cfg->relaxed);
	/* each child enrolled before it first connects */
	s_node_start(p);
	s_enroll(p, HUB_UNIT, d->pk, CHILD_UNIT);
	s_node_start(d);
	s_enroll(d, CHILD_UNIT, c->pk, NULL);
	s_node_start(c);

	/* the reports, written before any timing */
	char jsonl[PATH_MAX + 16];
	snprintf(jsonl, sizeof jsonl, "%s/bulk.jsonl", s_dir);
	FILE *jf = fopen(jsonl, "w");
	if (!jf)
		bench_die("%s: %s", jsonl, strerror(errno));
	for (long i = 0; i < n; i++) {
		json_t *rep = s_report(i);
		json_dumpf(rep, jf, JSON_COMPACT);
		fputc('\n', jf);
		json_decref(rep);
	}
	t->jsonl_bytes = ftell(jf);
	if (fclose(jf) != 0)
		bench_die("%s: %s", jsonl, strerror(errno));

	/* settled: both links up, the province holds the two enrollments */
	int64_t deadline = bench_now_ns() + (int64_t)60000 * 1000000;
	for (;;) {
		json_t *cs = s_call(c, "{\"op\":\"status\"}"),
		       *ds = s_call(d, "{\"op\":\"status\"}");
		int ready = !strcmp(s_status_str(cs, "uplink", "state"), "ready") &&
		            !strcmp(s_status_str(ds, "uplink", "state"), "ready");
		json_decref(cs);
		json_decref(ds);
		if (ready && s_records(p) == 2 && s_records(d) == 1)
			break;
		if (bench_now_ns() > deadline)
			bench_die(
			    "the tree did not settle within 60 s (links ready, enrollments at "
			    "the province)");
		usleep(50000);
	}
	bench_say("  tree settled; submitting %ld reports at the commune\n", n);
	long p0 = s_records(p), d0 = s_records(d);
	double cpu_c = s_proc_cpu(c->real), cpu_d = s_proc_cpu(d->real),
	       cpu_p = s_proc_cpu(p->real);
	uint64_t up0 = cfg->relay ? s_load(&relay.up) : 0,
	         down0 = cfg->relay ? s_load(&relay.down) : 0;
	s_socks_t cd0, dp0;
	if (cfg->wire) {
		s_tcp_snapshot(d->tier, d->port, &cd0);
		s_tcp_snapshot(p->tier, p->port, &dp0);
	}

	if (s_o->perf) {
		char pids[96], out[PATH_MAX];
		snprintf(pids, sizeof pids, "%d,%d,%d", (int)c->real, (int)d->real, (int)p->real);
		snprintf(out, sizeof out, "%s/tree.perf.data", s_o->perf);
		s_perf_start(pids, out);
	}
	/* the timed part: antt submit --file, then poll district and province */
	char *sargv[] = {(char *)s_o->antt, "-c", c->conf, "submit", "--file", jsonl, NULL};
	int64_t t0 = bench_now_ns();
	pid_t sub = s_spawn(c->tier, sargv, -1, -1, c->log);
	int submitted = 0;
	int64_t next_poll = t0;
	s_poll_ms_sum = 0;
	s_polls = 0;
	deadline = t0 + (int64_t)(s_o->timeout_s * 1e9);
	while (!(submitted && t->district_s > 0 && t->province_s > 0)) {
		int status;
		struct rusage ru;
		if (!submitted && wait4(sub, &status, WNOHANG, &ru) == sub) {
			t->submit_s = bench_since_s(t0);
			t->cpu_submit = bench_rusage_s(&ru);
			submitted = 1;
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				bench_die("'antt submit --file' at the commune failed (status %d)",
				          WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		}
		int64_t now = bench_now_ns();
		if (now >= next_poll) {
			next_poll = now + s_o->poll_ms * 1000000;
			if (t->district_s == 0 && s_records(d) >= d0 + n)
				t->district_s = bench_since_s(t0);
			if (t->province_s == 0 && s_records(p) >= p0 + n) {
				t->province_s = bench_since_s(t0);
				t->up_to_province = cfg->relay ? s_load(&relay.up) - up0 : 0;
				/* how far the background audits got meanwhile */
				t->unaudited_d = s_count_unaudited(d->cfg->store_path);
				t->unaudited_p = s_count_unaudited(p->cfg->store_path);
			}
		}
		if (now > deadline)
			bench_die(
			    "the province does not hold the %ld records %.0f s after the submit", n,
			    s_o->timeout_s);
		usleep(2000);
	}
	t->cpu_province = s_proc_cpu(p->real) - cpu_p;
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
		if (bench_now_ns() > deadline)
			bench_die("the commune has no receipt from the province for its records");
		usleep((useconds_t)s_o->poll_ms * 1000);
	}
	t->receipts_s = bench_since_s(t0);
	bench_say("  province holds all after %.2f s; receipts at the commune after %.2f s\n",
	          t->province_s, t->receipts_s);
	if (cfg->wire) {
		s_socks_t cd1, dp1;
		s_tcp_snapshot(d->tier, d->port, &cd1);
		s_tcp_snapshot(p->tier, p->port, &dp1);
		s_tcp_diff(&cd0, &cd1, 0, &t->link[0]);
		s_tcp_diff(&dp0, &dp1, 0, &t->link[1]);
	}
	if (cfg->relay) {
		t->up = s_load(&relay.up) - up0;
		t->down = s_load(&relay.down) - down0;
		t->conns = __atomic_load_n(&relay.conns, __ATOMIC_RELAXED);
	}
	t->cpu_commune = s_proc_cpu(c->real) - cpu_c;
	t->cpu_district = s_proc_cpu(d->real) - cpu_d;
	t->cpu_until_receipt[T_COMMUNE] = t->cpu_commune;
	t->cpu_until_receipt[T_DISTRICT] = t->cpu_district;
	t->cpu_until_receipt[T_PROVINCE] = s_proc_cpu(p->real) - cpu_p;
	t->rps = (double)n / t->province_s;
	t->sync_rps = (double)n / (t->province_s - t->submit_s);

	if (s_records(p) != p0 + n || s_records(d) != d0 + n)
		bench_die("the province or the district holds more than was submitted");
	s_envelope_sizes(c, n, t);
	s_province_check(p, c, n, t);
	s_node_t *nodes[N_TIERS] = {c, d, p};
	for (int k = 0; k < N_TIERS; k++) {
		t->hwm_kb[k] = bench_vmhwm_kb(nodes[k]->real);
		s_node_stop(nodes[k]);
	}
	if (cfg->relay)
		s_relay_stop(&relay);
	unlink(jsonl);
}

/* ---- --versus: the same records through a chain of Mosquitto brokers ---- */

typedef struct {
	long payload;     /* bytes a message */
	long max_queued;  /* max_queued_messages of every broker */
	char version[32]; /* mosquitto's, from its log */
	double time_s;    /* first publish to last arrival at the top */
	double pub_s;     /* first publish to the last PUBACK at the commune */
	double rps;       /* records/s end to end */
	char sub_end[16]; /* complete, silence, timeout */
	long received, unique, lost, duplicated, ooo, malformed, acked;
	long reconnects_pub, reconnects_sub;
	long dropped_logged;  /* "messages are being dropped" in the brokers' logs */
	s_link_t link[2];     /* bridges commune -> district, district -> province */
	long hwm_kb[N_TIERS]; /* each broker's VmHWM, just before it stopped */
	double cpu[N_TIERS];  /* each broker's CPU-s, go to the end */
	double cpu_pub, cpu_sub;
	long hwm_pub_kb, hwm_sub_kb;
} s_mosq_t;

/* Lines from a child's stdout. */
typedef struct {
	int fd;
	char buf[16384];
	size_t len;
} s_lines_t;

/* The next line (without its newline) within timeout_ms; 0 on timeout or
 * end of file. */
static int s_line(s_lines_t *l, char *out, size_t cap, int64_t timeout_ms)
{
	int64_t deadline = bench_now_ns() + timeout_ms * 1000000;
	for (;;) {
		char *nl = memchr(l->buf, '\n', l->len);
		if (nl) {
			size_t k = (size_t)(nl - l->buf);
			snprintf(out, cap, "%.*s", (int)k, l->buf);
			memmove(l->buf, nl + 1, l->len - k - 1);
			l->len -= k + 1;
			return 1;
		}
		if (l->len == sizeof l->buf)
			l->len = 0; /* a line too long for anything expected */
		int64_t left = (deadline - bench_now_ns()) / 1000000;
		if (left <= 0)
			return 0;
		struct pollfd pf = {.fd = l->fd, .events = POLLIN};
		int r = poll(&pf, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return 0;
		ssize_t got = read(l->fd, l->buf + l->len, sizeof l->buf - l->len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return 0;
		l->len += (size_t)got;
	}
}

static s_proc_t *s_proc_add(const char *name, const char *log)
{
	if (s_n_procs == MAX_PROCS)
		bench_die("too many processes");
	s_proc_t *p = &s_procs[s_n_procs++];
	snprintf(p->name, sizeof p->name, "%s", name);
	snprintf(p->log, sizeof p->log, "%s", log ? log : "");
	p->pid = -1;
	return p;
}

/* How many lines of the file hold the text (0 if it cannot be read). */
static long s_file_count(const char *path, const char *text)
{
	char line[2048];
	long k = 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		k += strstr(line, text) != NULL;
	fclose(f);
	return k;
}

static void s_mosq_conf(const char *path, int tier, const s_addrs_t *a, const char *dir,
                        long max_queued)
{
	FILE *f = fopen(path, "w");
	if (!f)
		bench_die("%s: %s", path, strerror(errno));
	fprintf(f, "# antt-sync-bench --versus: the %s broker\n", s_tier_names[tier]);
	if (s_wildcard(a->host[tier]))
		fprintf(f, "listener %d\n", a->port[tier]);
	else
		fprintf(f, "listener %d %s\n", a->port[tier], a->host[tier]);
	fprintf(f, "allow_anonymous true\n");
	if (geteuid() == 0)
		fprintf(f, "user root\n"); /* keep the bench's user: the folder is its own */
	fprintf(f,
	        "# persistence: the in-memory store written to mosquitto.db every\n"
	        "# autosave_interval seconds and at a clean exit; nothing is written per\n"
	        "# message and nothing is synced before a PUBACK\n"
	        "persistence true\n"
	        "persistence_location %s/\n"
	        "persistence_file mosquitto.db\n"
	        "autosave_interval 1800\n"
	        "autosave_on_changes false\n"
	        "# every client and bridge: %ld QoS 1 messages in flight, %ld queued\n"
	        "# above those before any is dropped (more than the run sends)\n"
	        "max_inflight_messages %ld\n"
	        "max_inflight_bytes 0\n"
	        "max_queued_messages %ld\n"
	        "max_queued_bytes 0\n"
	        "memory_limit 0\n"
	        "set_tcp_nodelay %s\n"
	        "log_dest stderr\n"
	        "log_type error\n"
	        "log_type warning\n"
	        "log_type notice\n"
	        "log_type information\n",
	        dir, s_o->inflight, max_queued, s_o->inflight, max_queued,
	        s_o->mosq_nodelay ? "true" : "false");
	if (tier < T_PROVINCE)
		fprintf(f,
		        "\n# the bridge up to the %s broker\n"
		        "connection %s-up\n"
		        "address %s\n"
		        "topic antt/# out 1\n"
		        "cleansession false\n"
		        "local_cleansession false\n"
		        "remote_clientid antt-%s-bridge\n"
		        "bridge_protocol_version mqttv311\n"
		        "try_private true\n"
		        "notifications false\n"
		        "start_type automatic\n"
		        "keepalive_interval 60\n"
		        "restart_timeout 1 10\n",
		        s_tier_names[tier + 1], s_tier_names[tier], a->up[tier],
		        s_tier_names[tier]);
	if (fclose(f) != 0)
		bench_die("%s: %s", path, strerror(errno));
}

static json_t *s_json_line(s_lines_t *l, const char *who, int64_t timeout_ms)
{
	char line[4096];
	json_error_t je;
	while (s_line(l, line, sizeof line, timeout_ms)) {
		if (line[0] != '{')
			continue;
		json_t *j = json_loads(line, 0, &je);
		if (!j)
			bench_die("%s printed no JSON: %s", who, je.text);
		return j;
	}
	bench_die("no result from %s", who);
}

static long s_jint(json_t *j, const char *key)
{
	return (long)json_integer_value(json_object_get(j, key));
}

/* Wait for a client and its CPU time; dies if it failed. */
static double s_reap(s_proc_t *pr)
{
	int status;
	struct rusage ru;
	int64_t deadline = bench_now_ns() + (int64_t)STOP_TIMEOUT_MS * 1000000;
	for (;;) {
		pid_t r = wait4(pr->pid, &status, WNOHANG, &ru);
		if (r == pr->pid)
			break;
		if (bench_now_ns() > deadline)
			bench_die("%s did not exit", pr->name);
		usleep(10000);
	}
	pr->pid = -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		bench_die("%s failed (status %d)", pr->name,
		          WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return bench_rusage_s(&ru);
}

static void s_mosq_chain(long n, long payload, s_mosq_t *m)
{
	char dir[N_TIERS][PATH_MAX + 32], path[PATH_MAX + 64], log[N_TIERS][PATH_MAX + 64];
	char name[32], num[6][32];
	s_proc_t *br[N_TIERS];
	pid_t real[N_TIERS];
	memset(m, 0, sizeof *m);
	m->payload = payload;
	m->max_queued = 2 * n > 1000 ? 2 * n : 1000;
	s_addrs_t ad;
	s_addrs(&ad);
	/* the top first: each bridge finds its remote broker up */
	for (int t = T_PROVINCE; t >= T_COMMUNE; t--) {
		snprintf(dir[t], sizeof dir[t], "%s/mosq-%s", s_dir, s_tier_names[t]);
		if (mkdir(dir[t], 0700) < 0)
			bench_die("%s: %s", dir[t], strerror(errno));
		snprintf(path, sizeof path, "%s/mosquitto.conf", dir[t]);
		snprintf(log[t], sizeof log[t], "%s/mosquitto.log", dir[t]);
		s_mosq_conf(path, t, &ad, dir[t], m->max_queued);
		snprintf(name, sizeof name, "mosquitto-%s", s_tier_names[t]);
		br[t] = s_proc_add(name, log[t]);
		char *argv[] = {(char *)s_o->mosquitto, "-c", path, NULL};
		br[t]->pid = s_spawn(&s_tiers[t], argv, -1, -1, log[t]);
		int64_t deadline = bench_now_ns() + (int64_t)START_TIMEOUT_MS * 1000000;
		while (!s_file_count(log[t], " running")) {
			int status;
			if (waitpid(br[t]->pid, &status, WNOHANG) == br[t]->pid) {
				br[t]->pid = -1;
				bench_die("%s exited at start (status %d)", name,
				          WIFEXITED(status) ? WEXITSTATUS(status) : -1);
			}
			if (bench_now_ns() > deadline)
				bench_die("%s did not start within %d ms", name, START_TIMEOUT_MS);
			usleep(10000);
		}
		real[t] = s_real_pid(br[t]->pid, "mosquitto");
	}
	{
		FILE *f = fopen(log[T_PROVINCE], "r");
		char line[512];
		while (f && fgets(line, sizeof line, f)) {
			char *v = strstr(line, "mosquitto version ");
			if (v && sscanf(v + 18, "%31s", m->version) == 1)
				break;
		}
		if (f)
			fclose(f);
	}
	uint64_t nonce;
	randombytes_buf(&nonce, sizeof nonce);
	nonce >>= 1;
	snprintf(num[0], sizeof num[0], "%ld", n);
	snprintf(num[1], sizeof num[1], "%ld", payload);
	snprintf(num[2], sizeof num[2], "%" PRIu64, nonce);
	snprintf(num[3], sizeof num[3], "%d", ad.port[T_PROVINCE]);
	snprintf(num[4], sizeof num[4], "%d", ad.port[T_COMMUNE]);
	snprintf(num[5], sizeof num[5], "%.0f", s_o->timeout_s);
	char silence[32], inflight[32];
	snprintf(silence, sizeof silence, "%g", s_o->silence_s);
	snprintf(inflight, sizeof inflight, "%ld", s_o->inflight);

	/* the subscriber at the top, subscribed before anything is published */
	int sp[2], pin[2], pout[2];
	if (pipe2(sp, O_CLOEXEC) < 0 || pipe2(pin, O_CLOEXEC) < 0 || pipe2(pout, O_CLOEXEC) < 0)
		bench_die("pipe: %s", strerror(errno));
	snprintf(path, sizeof path, "%s/mosq-sub.log", s_dir);
	s_proc_t *sub = s_proc_add("antt-mosq-bench sub", path);
	char *sargv[] = {(char *)s_o->mosq_bench,
	                 "sub",
	                 "--host",
	                 ad.local[T_PROVINCE],
	                 "--port",
	                 num[3],
	                 "-n",
	                 num[0],
	                 "--size",
	                 num[1],
	                 "--nonce",
	                 num[2],
	                 "--silence",
	                 silence,
	                 "--timeout",
	                 num[5],
	                 NULL};
	sub->pid = s_spawn(&s_tiers[T_PROVINCE], sargv, -1, sp[1], path);
	close(sp[1]);
	s_lines_t sl = {.fd = sp[0]}, pl = {.fd = pout[0]};
	char line[256];
	int sub_port = 0, pub_port = 0;
	if (!s_line(&sl, line, sizeof line, 30000) || sscanf(line, "ready %d", &sub_port) != 1)
		bench_die("the subscriber did not subscribe at the province broker within 30 s");
	/* the publisher at the bottom: probes until one has crossed the chain */
	snprintf(path, sizeof path, "%s/mosq-pub.log", s_dir);
	s_proc_t *pub = s_proc_add("antt-mosq-bench pub", path);
	char *pargv[] = {(char *)s_o->mosq_bench,
	                 "pub",
	                 "--host",
	                 ad.local[T_COMMUNE],
	                 "--port",
	                 num[4],
	                 "-n",
	                 num[0],
	                 "--size",
	                 num[1],
	                 "--nonce",
	                 num[2],
	                 "--inflight",
	                 inflight,
	                 "--timeout",
	                 num[5],
	                 NULL};
	pub->pid = s_spawn(&s_tiers[T_COMMUNE], pargv, pin[0], pout[1], path);
	close(pin[0]);
	close(pout[1]);
	if (!s_line(&pl, line, sizeof line, 30000) || sscanf(line, "connected %d", &pub_port) != 1)
		bench_die("the publisher did not connect to the commune broker within 30 s");
	if (!s_line(&sl, line, sizeof line, 60000) || strcmp(line, "probe"))
		bench_die("no probe crossed the bridges to the province broker within 60 s");
	bench_say("  the chain passes a probe; publishing %ld messages of %ld bytes\n", n, payload);

	s_socks_t cd0, dp0, cd1, dp1;
	s_tcp_snapshot(&s_tiers[T_DISTRICT], ad.port[T_DISTRICT], &cd0);
	s_tcp_snapshot(&s_tiers[T_PROVINCE], ad.port[T_PROVINCE], &dp0);
	double cpu0[N_TIERS];
	for (int t = 0; t < N_TIERS; t++)
		cpu0[t] = s_proc_cpu(real[t]);
	if (write(pin[1], "go\n", 3) != 3)
		bench_die("the publisher is gone: %s", strerror(errno));
	int64_t wait_ms = (int64_t)(s_o->timeout_s * 1000) + 60000;
	json_t *pj = s_json_line(&pl, "the publisher", wait_ms);
	json_t *sj = s_json_line(&sl, "the subscriber", wait_ms);
	s_tcp_snapshot(&s_tiers[T_DISTRICT], ad.port[T_DISTRICT], &cd1);
	s_tcp_snapshot(&s_tiers[T_PROVINCE], ad.port[T_PROVINCE], &dp1);
	for (int t = 0; t < N_TIERS; t++)
		m->cpu[t] = s_proc_cpu(real[t]) - cpu0[t];
	close(pin[1]);
	m->cpu_pub = s_reap(pub);
	m->cpu_sub = s_reap(sub);
	close(sl.fd);
	close(pl.fd);
	s_tcp_diff(&cd0, &cd1, 0, &m->link[0]);
	s_tcp_diff(&dp0, &dp1, sub_port, &m->link[1]);

	int64_t first = (int64_t)json_integer_value(json_object_get(pj, "first_ns"));
	int64_t last_ack = (int64_t)json_integer_value(json_object_get(pj, "last_ack_ns"));
	int64_t complete = (int64_t)json_integer_value(json_object_get(sj, "complete_ns"));
	int64_t last = (int64_t)json_integer_value(json_object_get(sj, "last_ns"));
	snprintf(m->sub_end, sizeof m->sub_end, "%s",
	         json_string_value(json_object_get(sj, "end"))
	             ? json_string_value(json_object_get(sj, "end"))
	             : "?");
	m->received = s_jint(sj, "received");
	m->unique = s_jint(sj, "unique");
	m->lost = s_jint(sj, "lost");
	m->duplicated = s_jint(sj, "duplicates");
	m->ooo = s_jint(sj, "out_of_order");
	m->malformed = s_jint(sj, "malformed");
	m->reconnects_sub = s_jint(sj, "reconnects");
	m->hwm_sub_kb = s_jint(sj, "vmhwm_kb");
	m->acked = s_jint(pj, "acked");
	m->reconnects_pub = s_jint(pj, "reconnects");
	m->hwm_pub_kb = s_jint(pj, "vmhwm_kb");
	m->time_s = (double)((complete ? complete : last) - first) / 1e9;
	m->pub_s = last_ack ? (double)(last_ack - first) / 1e9 : -1;
	m->rps = m->time_s > 0 ? (double)m->unique / m->time_s : 0;
	json_decref(pj);
	json_decref(sj);

	/* stop the bottom first: nothing is left to forward */
	for (int t = T_COMMUNE; t < N_TIERS; t++) {
		int status;
		m->hwm_kb[t] = bench_vmhwm_kb(real[t]);
		kill(br[t]->pid, SIGTERM);
		int64_t deadline = bench_now_ns() + (int64_t)STOP_TIMEOUT_MS * 1000000;
		while (waitpid(br[t]->pid, &status, WNOHANG) != br[t]->pid) {
			if (bench_now_ns() > deadline)
				bench_die("%s did not stop within %d ms of SIGTERM", br[t]->name,
				          STOP_TIMEOUT_MS);
			usleep(10000);
		}
		br[t]->pid = -1;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			bench_die("%s exited with status %d after SIGTERM", br[t]->name,
			          WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		m->dropped_logged += s_file_count(log[t], "messages are being dropped");
	}
	bench_say("  %ld of %ld at the top after %.2f s (%s); %ld lost, %ld duplicated\n",
	          m->unique, n, m->time_s, m->sub_end, m->lost, m->duplicated);
}

/* ---- --versus: both sides in one run, and what is printed ---- */

typedef struct {
	const char *key, *label;
	int ran;
	s_tree_t t;
} s_side_t;

static double s_mb(uint64_t b)
{
	return (double)b / 1e6;
}

static json_t *s_link_json(const s_link_t *l, long n)
{
	return json_pack("{s:I, s:I, s:f, s:I, s:I}", "up_bytes", (json_int_t)l->up, "down_bytes",
	                 (json_int_t)l->down, "per_record", (double)(l->up + l->down) / (double)n,
	                 "connections", (json_int_t)l->conns, "closed_meanwhile",
	                 (json_int_t)l->gone);
}

static json_t *s_tiers_json(void)
{
	json_t *j = json_object();
	for (int t = 0; t < N_TIERS; t++)
		json_object_set_new(
		    j, s_tier_names[t],
		    json_pack("{s:s, s:I, s:s, s:I, s:s}", "listen_host",
		              s_tiers[t].listen_host[0] ? s_tiers[t].listen_host : "127.0.0.1",
		              "listen_port", (json_int_t)s_tiers[t].listen_port, "parent_host",
		              s_tiers[t].parent_host, "parent_port",
		              (json_int_t)s_tiers[t].parent_port, "prefix",
		              s_tiers[t].prefix_text));
	return j;
}

static int s_versus(const s_opts_t *o, const char *cpu, double busy0, double steal0, int64_t run0)
{
	s_limits_t lim = {0};
	s_side_t sides[2] = {{.key = "antt_full", .label = "antt full"},
	                     {.key = "antt_relaxed", .label = "antt relaxed"}};
	s_mosq_t mq = {0};
	int mq_ran = 0;
	bench_say("raw Ed25519 rates, %.1f s each...\n", o->seconds);
	s_crypto_rates(o->seconds, &lim);
	for (int k = 0; k < 2; k++) {
		if ((k == 0 && o->no_full) || (k == 1 && o->no_relaxed))
			continue;
		s_tree_cfg_t cfg = {.tag = k ? "relaxed" : "full", .relaxed = k, .wire = 1};
		bench_say(
		    "antt, durability = %s: commune -> district -> province, %ld records...\n",
		    k ? "relaxed" : "full", o->n);
		s_tree(o->n, &cfg, &sides[k].t);
		sides[k].ran = 1;
	}
	double env_avg = sides[0].ran ? sides[0].t.env_avg : sides[1].ran ? sides[1].t.env_avg : 0;
	double body_avg = sides[0].ran   ? sides[0].t.body_avg
	                  : sides[1].ran ? sides[1].t.body_avg
	                                 : 0;
	long payload = o->payload ? o->payload : (long)(env_avg + 0.5);
	if (!o->no_mosquitto) {
		if (payload < 16)
			bench_die(
			    "--payload is needed when no antt side runs (the envelope's size)");
		bench_say(
		    "Mosquitto: three brokers bridged at QoS 1, %ld messages of %ld bytes...\n",
		    o->n, payload);
		s_mosq_chain(o->n, payload, &mq);
		mq_ran = 1;
	}

	double other_cpu, steal;
	bench_others_cpu(busy0, steal0, &other_cpu, &steal);
	double run_s = bench_since_s(run0);
	const char *source = bench_source();
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	char zmqver[32];
	int zmj, zmn, zpt;
	zmq_version(&zmj, &zmn, &zpt);
	snprintf(zmqver, sizeof zmqver, "%d.%d.%d", zmj, zmn, zpt);
	double ratio[2] = {0, 0};
	for (int k = 0; k < 2; k++)
		if (sides[k].ran && mq_ran && mq.rps > 0)
			ratio[k] = sides[k].t.rps / mq.rps;
	/* the aim: antt at least twice Mosquitto's rate, nothing lost or
	 * duplicated on either side */
	int aim_met[2], missed = 0;
	for (int k = 0; k < 2; k++) {
		aim_met[k] = sides[k].ran && mq_ran && ratio[k] >= AIM_VERSUS && !sides[k].t.lost &&
		             !sides[k].t.duplicated;
		missed |= sides[k].ran && mq_ran && !aim_met[k];
	}
	int rc = o->check && missed ? 1 : 0;

	if (o->json) {
		json_t *j = json_object();
		if (source)
			json_object_set_new(j, "source", json_string(source));
		json_object_set_new(j, "machine",
		                    json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:f, s:f, s:f}",
		                              "cpu", cpu, "nproc", (json_int_t)ncpu, "libsodium",
		                              sodium_version_string(), "sqlite",
		                              sqlite3_libversion(), "libzmq", zmqver, "mosquitto",
		                              mq_ran ? mq.version : "", "run_s", run_s,
		                              "other_cpu_s", other_cpu, "steal_s", steal));
		json_object_set_new(j, "params",
		                    json_pack("{s:I, s:I, s:f, s:I, s:f, s:f, s:o}", "records",
		                              (json_int_t)o->n, "poll_ms", (json_int_t)o->poll_ms,
		                              "seconds", o->seconds, "inflight",
		                              (json_int_t)o->inflight, "silence_s", o->silence_s,
		                              "timeout_s", o->timeout_s, "tiers", s_tiers_json()));
		json_object_set_new(j, "limits",
		                    json_pack("{s:I, s:f, s:f}", "body_bytes",
		                              (json_int_t)lim.body_len, "sign_per_s", lim.sign,
		                              "verify_per_s", lim.verify));
		json_t *js = json_object();
		for (int k = 0; k < 2; k++) {
			const s_tree_t *t = &sides[k].t;
			if (!sides[k].ran)
				continue;
			json_t *side = json_pack(
			    "{s:s, s:f, s:f, s:f, s:f, s:f, s:f, s:I, s:I, s:f, s:f}", "durability",
			    k ? "relaxed" : "full", "province_holds_all_s", t->province_s,
			    "records_per_s", t->rps, "submit_returned_s", t->submit_s,
			    "district_holds_all_s", t->district_s, "receipts_at_commune_s",
			    t->receipts_s, "after_submit_records_per_s", t->sync_rps, "lost",
			    (json_int_t)t->lost, "duplicated", (json_int_t)t->duplicated,
			    "envelope_avg_bytes", t->env_avg, "body_avg_bytes", t->body_avg);
			uint64_t tot =
			    t->link[0].up + t->link[0].down + t->link[1].up + t->link[1].down;
			json_object_set_new(
			    side, "wire",
			    json_pack("{s:s, s:I, s:f, s:o, s:o}", "measured",
			              "tcp_info of the parents' accepted connections (ss -tin), "
			              "submit to receipt",
			              "total_bytes", (json_int_t)tot, "per_record",
			              (double)tot / (double)o->n, "commune_district",
			              s_link_json(&t->link[0], o->n), "district_province",
			              s_link_json(&t->link[1], o->n)));
			json_object_set_new(side, "vmhwm_kb",
			                    json_pack("{s:I, s:I, s:I}", "commune",
			                              (json_int_t)t->hwm_kb[T_COMMUNE], "district",
			                              (json_int_t)t->hwm_kb[T_DISTRICT], "province",
			                              (json_int_t)t->hwm_kb[T_PROVINCE]));
			json_object_set_new(side, "cpu_s",
			                    json_pack("{s:f, s:f, s:f, s:f}", "commune",
			                              t->cpu_until_receipt[T_COMMUNE], "district",
			                              t->cpu_until_receipt[T_DISTRICT], "province",
			                              t->cpu_until_receipt[T_PROVINCE],
			                              "antt_submit", t->cpu_submit));
			json_object_set_new(js, sides[k].key, side);
		}
		if (mq_ran) {
			json_t *side = json_pack(
			    "{s:s, s:I, s:I, s:I, s:f, s:f, s:f, s:s, s:I, s:I, s:I, s:I, s:I, "
			    "s:I, "
			    "s:I, s:I, s:I, s:I}",
			    "version", mq.version, "payload_bytes", (json_int_t)mq.payload,
			    "max_queued_messages", (json_int_t)mq.max_queued,
			    "max_inflight_messages", (json_int_t)o->inflight, "top_holds_all_s",
			    mq.time_s, "records_per_s", mq.rps, "last_puback_s", mq.pub_s,
			    "subscriber_end", mq.sub_end, "received", (json_int_t)mq.received,
			    "unique", (json_int_t)mq.unique, "lost", (json_int_t)mq.lost,
			    "duplicated", (json_int_t)mq.duplicated, "out_of_order",
			    (json_int_t)mq.ooo, "malformed", (json_int_t)mq.malformed,
			    "acked_at_commune", (json_int_t)mq.acked, "dropped_logged",
			    (json_int_t)mq.dropped_logged, "reconnects_pub",
			    (json_int_t)mq.reconnects_pub, "reconnects_sub",
			    (json_int_t)mq.reconnects_sub);
			json_object_set_new(
			    side, "config",
			    json_pack("{s:b, s:i, s:b, s:I, s:I, s:b, s:s, s:b, s:s, s:b, s:i}",
			              "persistence", 1, "autosave_interval", 1800,
			              "autosave_on_changes", 0, "max_inflight_messages",
			              (json_int_t)o->inflight, "max_queued_messages",
			              (json_int_t)mq.max_queued, "set_tcp_nodelay", o->mosq_nodelay,
			              "bridge_topic", "antt/# out 1", "bridge_cleansession", 0,
			              "bridge_protocol_version", "mqttv311",
			              "clients_clean_session", 0, "client_qos", 1));
			uint64_t tot =
			    mq.link[0].up + mq.link[0].down + mq.link[1].up + mq.link[1].down;
			json_object_set_new(
			    side, "wire",
			    json_pack(
			        "{s:s, s:I, s:f, s:o, s:o}", "measured",
			        "tcp_info of the bridges' connections at the remote broker (ss "
			        "-tin), go to the subscriber's end",
			        "total_bytes", (json_int_t)tot, "per_record",
			        (double)tot / (double)o->n, "commune_district",
			        s_link_json(&mq.link[0], o->n), "district_province",
			        s_link_json(&mq.link[1], o->n)));
			json_object_set_new(side, "vmhwm_kb",
			                    json_pack("{s:I, s:I, s:I, s:I, s:I}", "commune",
			                              (json_int_t)mq.hwm_kb[T_COMMUNE], "district",
			                              (json_int_t)mq.hwm_kb[T_DISTRICT], "province",
			                              (json_int_t)mq.hwm_kb[T_PROVINCE],
			                              "publisher", (json_int_t)mq.hwm_pub_kb,
			                              "subscriber", (json_int_t)mq.hwm_sub_kb));
			json_object_set_new(side, "cpu_s",
			                    json_pack("{s:f, s:f, s:f, s:f, s:f}", "commune",
			                              mq.cpu[T_COMMUNE], "district",
			                              mq.cpu[T_DISTRICT], "province",
			                              mq.cpu[T_PROVINCE], "publisher", mq.cpu_pub,
			                              "subscriber", mq.cpu_sub));
			json_object_set_new(js, "mosquitto", side);
		}
		json_object_set_new(j, "sides", js);
		json_object_set_new(j, "ratios",
		                    json_pack("{s:f, s:f, s:f, s:b, s:b}", "aim", AIM_VERSUS,
		                              "antt_full_over_mosquitto", ratio[0],
		                              "antt_relaxed_over_mosquitto", ratio[1], "full_met",
		                              aim_met[0], "relaxed_met", aim_met[1]));
		json_dumpf(j, stdout,
		           JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
		fputc('\n', stdout);
		json_decref(j);
		return rc;
	}

	printf("antt-sync-bench --versus: %s, %ld CPU(s); libsodium %s, SQLite %s, libzmq %s, "
	       "mosquitto %s%s%s\n",
	       cpu, ncpu, sodium_version_string(), sqlite3_libversion(), zmqver,
	       mq_ran ? mq.version : "-", source ? "; source " : "", source ? source : "");
	printf("run took %.1f s; other processes used %.1f CPU-s meanwhile, steal %.1f s "
	       "(well above 0: the figures are skewed)\n\n",
	       run_s, other_cpu, steal);
	printf("this machine's limits, one core, %zu-byte record body\n", lim.body_len);
	printf("  %-44s %10.0f /s\n", "Ed25519 sign", lim.sign);
	printf("  %-44s %10.0f /s\n", "Ed25519 verify", lim.verify);
	printf("\n%ld records up commune -> district -> province", o->n);
	for (int t = 0; t < N_TIERS; t++)
		if (s_tiers[t].prefix_text[0] || s_tiers[t].listen_host[0])
			printf("%s %s at %s%s%s", t ? "," : ";", s_tier_names[t],
			       s_tiers[t].listen_host[0] ? s_tiers[t].listen_host : "127.0.0.1",
			       s_tiers[t].prefix_text[0] ? " under " : "", s_tiers[t].prefix_text);
	printf("\n  antt: signed envelopes of %.1f bytes on average (body %.1f), 'antt submit "
	       "--file' at the commune\n",
	       env_avg, body_avg);
	if (mq_ran)
		printf("  Mosquitto %s: %ld-byte payloads on antt/12346, QoS 1, %ld in flight, "
		       "persistence on (autosave 1800 s), max_queued_messages %ld\n",
		       mq.version, mq.payload, o->inflight, mq.max_queued);

	/* the table: one column a side */
	const s_tree_t *ts[2] = {sides[0].ran ? &sides[0].t : NULL,
	                         sides[1].ran ? &sides[1].t : NULL};
	printf("\n  %-42s %14s %14s %14s\n", "", "antt full", "antt relaxed", "Mosquitto");
#define S_ROW(label, prec, antt, mosq)                                                             \
	do {                                                                                       \
		printf("  %-42s", label);                                                          \
		for (int k_ = 0; k_ < 3; k_++) {                                                   \
			const s_tree_t *t = k_ < 2 ? ts[k_] : NULL;                                \
			double v_ =                                                                \
			    k_ < 2 ? (t ? (double)(antt) : NAN) : (mq_ran ? (double)(mosq) : NAN); \
			if (isnan(v_))                                                             \
				printf(" %14s", "-");                                              \
			else                                                                       \
				printf(" %14.*f", prec, v_);                                       \
		}                                                                                  \
		putchar('\n');                                                                     \
	} while (0)
#define S_WIRE(x) ((x)->link[0].up + (x)->link[0].down + (x)->link[1].up + (x)->link[1].down)
	S_ROW("time until all at the top, s", 2, t->province_s, mq.time_s);
	S_ROW("records/s end to end", 0, t->rps, mq.rps);
	S_ROW("commune done, s (submit returned / PUBACKs)", 2, t->submit_s,
	      mq.pub_s < 0 ? NAN : mq.pub_s);
	S_ROW("district holds all, s", 2, t->district_s, NAN);
	S_ROW("receipt at the commune, s", 2, t->receipts_s, NAN);
	S_ROW("records lost", 0, t->lost, mq.lost);
	S_ROW("records duplicated", 0, t->duplicated, mq.duplicated);
	S_ROW("bytes on the wire, both links, MB", 2, s_mb(S_WIRE(t)), s_mb(S_WIRE(&mq)));
	S_ROW("  per record", 1, (double)S_WIRE(t) / (double)o->n,
	      (double)S_WIRE(&mq) / (double)o->n);
	S_ROW("  commune -> district, MB", 2, s_mb(t->link[0].up), s_mb(mq.link[0].up));
	S_ROW("  commune <- district, kB", 1, t->link[0].down / 1e3, mq.link[0].down / 1e3);
	S_ROW("  district -> province, MB", 2, s_mb(t->link[1].up), s_mb(mq.link[1].up));
	S_ROW("  district <- province, kB", 1, t->link[1].down / 1e3, mq.link[1].down / 1e3);
	S_ROW("peak memory (VmHWM), MB: commune", 1, t->hwm_kb[T_COMMUNE] / 1024.0,
	      mq.hwm_kb[T_COMMUNE] / 1024.0);
	S_ROW("  district", 1, t->hwm_kb[T_DISTRICT] / 1024.0, mq.hwm_kb[T_DISTRICT] / 1024.0);
	S_ROW("  province", 1, t->hwm_kb[T_PROVINCE] / 1024.0, mq.hwm_kb[T_PROVINCE] / 1024.0);
	S_ROW("CPU-s meanwhile: commune", 2, t->cpu_until_receipt[T_COMMUNE], mq.cpu[T_COMMUNE]);
	S_ROW("  district", 2, t->cpu_until_receipt[T_DISTRICT], mq.cpu[T_DISTRICT]);
	S_ROW("  province", 2, t->cpu_until_receipt[T_PROVINCE], mq.cpu[T_PROVINCE]);
	S_ROW("  'antt submit' / publisher", 2, t->cpu_submit, mq.cpu_pub);
	S_ROW("  subscriber", 2, NAN, mq.cpu_sub);
#undef S_WIRE
#undef S_ROW
	printf("  (antt: 'submit' started to the province holding all (polled every %ld ms), "
	       "bytes and CPU to the commune's receipt;\n"
	       "   Mosquitto: first publish to the last arrival at the subscriber (%s), bytes "
	       "and CPU to its end)\n",
	       o->poll_ms, mq_ran ? mq.sub_end : "-");
	if (mq_ran && (mq.dropped_logged || mq.malformed || mq.reconnects_pub ||
	               mq.reconnects_sub || mq.link[0].gone || mq.link[1].gone))
		printf("  Mosquitto: %ld 'dropped' warnings logged, %ld malformed, %ld/%ld "
		       "reconnects (pub/sub), %d/%d bridge connections closed meanwhile\n",
		       mq.dropped_logged, mq.malformed, mq.reconnects_pub, mq.reconnects_sub,
		       mq.link[0].gone, mq.link[1].gone);
	for (int k = 0; k < 2; k++)
		if (ts[k] && (ts[k]->link[0].gone || ts[k]->link[1].gone))
			printf("  %s: %d/%d uplink connections closed meanwhile (their bytes are "
			       "not counted)\n",
			       sides[k].label, ts[k]->link[0].gone, ts[k]->link[1].gone);
	printf("\naims\n");
	for (int k = 0; k < 2; k++)
		if (ts[k] && mq_ran)
			printf(
			    "  %-12s records/s / Mosquitto's  %6.2fx  (aim >= %.0fx, nothing lost "
			    "or duplicated)   %s\n",
			    sides[k].label, ratio[k], AIM_VERSUS, aim_met[k] ? "MET" : "NOT MET");
	return rc;
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
	       "                     (with --versus: antt >= 2x Mosquitto, for a side that ran)\n"
	       "      --timeout S    give up on the tree (or the broker chain) after S s (900)\n"
	       "  -h, --help\n"
	       "\n"
	       "  --versus           instead: the raw sign/verify rates, then the tree in both\n"
	       "                     durability modes (full, relaxed) and a chain of three\n"
	       "                     Mosquitto brokers bridged at QoS 1, the same N records\n"
	       "                     of the same size end to end (docs/benchmarks.md)\n"
	       "      --no-full, --no-relaxed, --no-mosquitto   leave a side out\n"
	       "      --payload B    bytes a Mosquitto message (the antt envelopes' average)\n"
	       "      --inflight K   QoS 1 messages in flight, publisher and brokers (1000)\n"
	       "      --silence S    the subscriber stops after S s without a message (10)\n"
	       "      --mosq-nodelay set_tcp_nodelay true in the brokers (default false)\n"
	       "      --mosquitto PATH   the broker (/usr/sbin/mosquitto, else from $PATH)\n"
	       "      --mosq-bench PATH  the clients (antt-mosq-bench next to this binary)\n"
	       "      --listen TIER=HOST[:PORT]  where TIER (commune, district, province)\n"
	       "                     listens (127.0.0.1, a free port for each side)\n"
	       "      --parent TIER=HOST:PORT    how the commune or the district reaches its\n"
	       "                     parent (the parent's --listen)\n"
	       "      --prefix 'TIER=CMD ARGS'   run TIER's processes (node, broker, client,\n"
	       "                     'ss') as CMD ARGS COMMAND..., e.g. 'district=ip netns\n"
	       "                     exec antt-d'; words split on spaces\n");
}

/* "TIER=VALUE" of --listen, --parent, --prefix: the tier; VALUE in *value. */
static int s_tier_arg(const char *opt, const char *arg, const char **value)
{
	const char *eq = strchr(arg, '=');
	for (int t = 0; eq && t < N_TIERS; t++)
		if (strlen(s_tier_names[t]) == (size_t)(eq - arg) &&
		    !strncmp(arg, s_tier_names[t], (size_t)(eq - arg))) {
			*value = eq + 1;
			return t;
		}
	fprintf(stderr,
	        "antt-sync-bench: %s takes TIER=VALUE, TIER commune, district or province\n", opt);
	exit(2);
}

/* HOST[:PORT] into host and *port (0 when there is none). */
static void s_hostport(const char *opt, const char *v, char *host, size_t cap, int *port,
                       int need_port)
{
	const char *c = strrchr(v, ':');
	char *end;
	long p = c ? strtol(c + 1, &end, 10) : 0;
	size_t hl = c ? (size_t)(c - v) : strlen(v);
	if ((c && (*end || p < 1 || p > 65535)) || (need_port && !c) || !hl || hl >= cap) {
		fprintf(stderr, "antt-sync-bench: %s: '%s' is not HOST%s\n", opt, v,
		        need_port ? ":PORT" : "[:PORT]");
		exit(2);
	}
	memcpy(host, v, hl);
	host[hl] = '\0';
	*port = (int)p;
}

static void s_prefix_set(s_tier_t *t, const char *v)
{
	snprintf(t->prefix_text, sizeof t->prefix_text, "%s", v);
	snprintf(t->words, sizeof t->words, "%s", v);
	size_t k = 0;
	char *save = NULL;
	for (char *w = strtok_r(t->words, " \t", &save); w && k < 31;
	     w = strtok_r(NULL, " \t", &save))
		t->prefix[k++] = w;
	t->prefix[k] = NULL;
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
		O_PERF,
		O_VERSUS,
		O_NOFULL,
		O_NORELAXED,
		O_NOMOSQ,
		O_PAYLOAD,
		O_INFLIGHT,
		O_SILENCE,
		O_TIMEOUT,
		O_NODELAY,
		O_MOSQUITTO,
		O_MOSQBENCH,
		O_LISTEN,
		O_PARENT,
		O_PREFIX
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
	                                     {"versus", no_argument, NULL, O_VERSUS},
	                                     {"no-full", no_argument, NULL, O_NOFULL},
	                                     {"no-relaxed", no_argument, NULL, O_NORELAXED},
	                                     {"no-mosquitto", no_argument, NULL, O_NOMOSQ},
	                                     {"payload", required_argument, NULL, O_PAYLOAD},
	                                     {"inflight", required_argument, NULL, O_INFLIGHT},
	                                     {"silence", required_argument, NULL, O_SILENCE},
	                                     {"timeout", required_argument, NULL, O_TIMEOUT},
	                                     {"mosq-nodelay", no_argument, NULL, O_NODELAY},
	                                     {"mosquitto", required_argument, NULL, O_MOSQUITTO},
	                                     {"mosq-bench", required_argument, NULL, O_MOSQBENCH},
	                                     {"listen", required_argument, NULL, O_LISTEN},
	                                     {"parent", required_argument, NULL, O_PARENT},
	                                     {"prefix", required_argument, NULL, O_PREFIX},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {0}};
	bench_setup("antt-sync-bench", s_on_die);
	s_opts_t o = {.n = 100000,
	              .batch = 5000,
	              .poll_ms = 50,
	              .seconds = 2.0,
	              .inflight = 1000,
	              .silence_s = 10,
	              .timeout_s = 900};
	const char *tv;
	int ti;
	int opt;
	while ((opt = getopt_long(argc, argv, "n:b:s:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'n': o.n = bench_count_arg("--records", optarg, 1, 10000000); break;
		case 'b': o.batch = bench_count_arg("--batch", optarg, 1, 100000); break;
		case O_POLL: o.poll_ms = bench_count_arg("--poll-ms", optarg, 1, 10000); break;
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
		case O_VERSUS: o.versus = 1; break;
		case O_NOFULL: o.no_full = 1; break;
		case O_NORELAXED: o.no_relaxed = 1; break;
		case O_NOMOSQ: o.no_mosquitto = 1; break;
		case O_PAYLOAD:
			o.payload = bench_count_arg("--payload", optarg, 16, 1 << 20);
			break;
		case O_INFLIGHT:
			o.inflight = bench_count_arg("--inflight", optarg, 1, 65535);
			break;
		case O_SILENCE:
			o.silence_s = (double)bench_count_arg("--silence", optarg, 1, 86400);
			break;
		case O_TIMEOUT:
			o.timeout_s = (double)bench_count_arg("--timeout", optarg, 1, 86400);
			break;
		case O_NODELAY: o.mosq_nodelay = 1; break;
		case O_MOSQUITTO: o.mosquitto = optarg; break;
		case O_MOSQBENCH: o.mosq_bench = optarg; break;
		case O_LISTEN:
			ti = s_tier_arg("--listen", optarg, &tv);
			s_hostport("--listen", tv, s_tiers[ti].listen_host,
			           sizeof s_tiers[ti].listen_host, &s_tiers[ti].listen_port, 0);
			break;
		case O_PARENT:
			ti = s_tier_arg("--parent", optarg, &tv);
			if (ti == T_PROVINCE) {
				fprintf(stderr, "antt-sync-bench: the province has no parent\n");
				return 2;
			}
			s_hostport("--parent", tv, s_tiers[ti].parent_host,
			           sizeof s_tiers[ti].parent_host, &s_tiers[ti].parent_port, 1);
			break;
		case O_PREFIX:
			ti = s_tier_arg("--prefix", optarg, &tv);
			s_prefix_set(&s_tiers[ti], tv);
			break;
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
		bench_die("libsodium failed to initialise");
	antt_log_set_level(ANTT_LOG_WARN);
	signal(SIGPIPE, SIG_IGN);
	char antt_buf[PATH_MAX], anttd_buf[PATH_MAX], cpu[256];
	bench_find_binaries(&o.antt, &o.anttd, antt_buf, anttd_buf);
	bench_cpu_model(cpu, sizeof cpu);
	char mosq_bench_buf[PATH_MAX + 32];
	if (o.versus && !o.no_mosquitto) {
		if (!o.mosq_bench) {
			char self[PATH_MAX];
			bench_self_path(self, "--mosq-bench");
			snprintf(mosq_bench_buf, sizeof mosq_bench_buf, "%s/antt-mosq-bench",
			         dirname(self));
			o.mosq_bench = mosq_bench_buf;
		}
		if (access(o.mosq_bench, X_OK))
			bench_die(
			    "need %s (built when libmosquitto-dev is installed: scripts/deps.sh, "
			    "then "
			    "build again), or give --mosq-bench",
			    o.mosq_bench);
		if (!o.mosquitto)
			o.mosquitto = access("/usr/sbin/mosquitto", X_OK) ? "mosquitto"
			                                                  : "/usr/sbin/mosquitto";
	}

	int64_t run0 = bench_now_ns();
	bench_say_setup(run0, o.json);
	bench_mkdtemp(s_dir, sizeof s_dir, o.tmpbase);
	if (o.perf && mkdir(o.perf, 0755) < 0 && errno != EEXIST)
		bench_die("--perf %s: %s", o.perf, strerror(errno));
	s_zctx = zmq_ctx_new();
	double steal0, busy0 = bench_machine_busy(&steal0);
	if (o.versus) {
		int rc = s_versus(&o, cpu, busy0, steal0, run0);
		zmq_ctx_term(s_zctx);
		s_cleanup(o.keep);
		return rc;
	}

	/* 0. limits */
	s_limits_t lim = {0};
	bench_say("raw Ed25519 rates, %.1f s each...\n", o.seconds);
	s_crypto_rates(o.seconds, &lim);
	bench_say("SQLite baseline: %ld rows of %d bytes, %ld per transaction...\n", o.n, ROW_BYTES,
	          o.batch);
	s_sqlite_rate(s_dir, o.n, o.batch, &lim);

	/* a. intake */
	bench_say("signing %ld records of one chain and packing batches (not timed)...\n", o.n);
	char keypath[PATH_MAX + 16];
	snprintf(keypath, sizeof keypath, "%s/child.key", s_dir);
	s_chain_t chain;
	s_chain_build(&chain, keypath, o.n, o.batch);
	bench_say("the hub's storing alone: antt_store_append_ex of those records...\n");
	s_store_rate(&chain, s_dir, &lim);
	s_intake_t plain, packz;
	bench_say("hub intake, plain batches...\n");
	s_intake(&chain, "hub-plain", 0, o.perf, &plain);
	bench_say("hub intake, compressed batches...\n");
	s_intake(&chain, "hub-zstd", 1, NULL, &packz);

	/* b, c. the tree */
	s_tree_t tree = {0};
	if (!o.no_tree) {
		bench_say("tree: commune -> relay -> district -> province, %ld records...\n", o.n);
		s_tree_cfg_t cfg = {.relay = 1};
		s_tree(o.n, &cfg, &tree);
	}

	/* CPU that other processes used (the anttd are reaped: in bench_own_cpu) */
	double other_cpu, steal;
	bench_others_cpu(busy0, steal0, &other_cpu, &steal);
	double run_s = bench_since_s(run0);
	const char *source = bench_source();
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
