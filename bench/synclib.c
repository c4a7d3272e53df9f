/* synclib.c - what the sync benchmarks share (synclib.h): the run's
 * folder, nodes and processes, the tiers and what the kernel counts on
 * their links, Ed25519 rates, and the tree run end to end with the relay
 * that counts its commune's bytes. */
#define _GNU_SOURCE
#include "synclib.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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

#include "benchlib.h"
#include "common.h"
#include "ctlproto.h"
#include "record.h"

#define EVENT_FORM "bvanttq-event"
#define MAX_NODES 12
#define MAX_PROCS 8 /* other processes the bench runs: brokers, clients */

const char *const synclib_tier_names[N_TIERS] = {"commune", "district", "province"};
synclib_tier_t synclib_tiers[N_TIERS];

static char s_dir[PATH_MAX]; /* the temporary folder, "" when none */
static synclib_node_t *s_nodes[MAX_NODES];
static size_t s_n_nodes;
static synclib_proc_t s_procs[MAX_PROCS]; /* brokers and clients */
static size_t s_n_procs;
static pid_t s_perf = -1;
static void *s_zctx;
static const synclib_opts_t *s_o;
static const char *s_prog = "synclib";

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

void synclib_setup(const char *prog)
{
	s_prog = prog;
	bench_setup(prog, s_on_die);
}

static int s_option(int opt, const char *arg, synclib_opts_t *o)
{
	switch (opt) {
	case 'n': o->n = bench_count_arg("--records", arg, 1, 10000000); break;
	case 's':
		o->seconds = strtod(arg, NULL);
		if (!(o->seconds > 0)) {
			fprintf(stderr, "%s: --seconds takes a positive number\n", s_prog);
			exit(2);
		}
		break;
	case SYNCLIB_O_POLL: o->poll_ms = bench_count_arg("--poll-ms", arg, 1, 10000); break;
	case SYNCLIB_O_TIMEOUT:
		o->timeout_s = (double)bench_count_arg("--timeout", arg, 1, 86400);
		break;
	case SYNCLIB_O_PERF: o->perf = arg; break;
	case SYNCLIB_O_ANTT: o->antt = arg; break;
	case SYNCLIB_O_ANTTD: o->anttd = arg; break;
	case SYNCLIB_O_FORMS: o->forms = arg; break;
	case SYNCLIB_O_TMP: o->tmpbase = arg; break;
	case SYNCLIB_O_KEEP: o->keep = 1; break;
	case SYNCLIB_O_JSON: o->json = 1; break;
	case SYNCLIB_O_CHECK: o->check = 1; break;
	default: return 0;
	}
	return 1;
}

void synclib_options(int argc, char **argv, const char *shortopts, const struct option *opts,
                     synclib_opts_t *o, int (*own)(int opt, const char *arg),
                     void (*usage)(FILE *f))
{
	int opt;
	while ((opt = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			exit(0);
		}
		if (!s_option(opt, optarg, o) && (!own || own(opt, optarg))) {
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc) {
		usage(stderr);
		exit(2);
	}
}

void synclib_usage_common(FILE *f)
{
	fprintf(f, "      --antt PATH    antt binary (default: ../antt from this binary)\n"
	           "      --anttd PATH   anttd binary (default: ../anttd from this binary)\n"
	           "      --forms DIR    forms folder for 'antt init' (default: its built-in)\n"
	           "      --tmpdir DIR   where the temporary nodes go ($TMPDIR, else /tmp)\n"
	           "      --keep         keep the temporary folder\n"
	           "      --json         one JSON document on stdout instead of the table\n"
	           "  -h, --help\n");
}

void synclib_start(synclib_opts_t *o, synclib_run_t *run)
{
	static char antt_buf[PATH_MAX], anttd_buf[PATH_MAX];
	s_o = o;
	if (sodium_init() < 0)
		bench_die("libsodium failed to initialise");
	antt_log_set_level(ANTT_LOG_WARN);
	signal(SIGPIPE, SIG_IGN);
	bench_find_binaries(&o->antt, &o->anttd, antt_buf, anttd_buf);
	bench_cpu_model(run->cpu, sizeof run->cpu);
	run->t0 = bench_now_ns();
	bench_say_setup(run->t0, o->json);
	bench_mkdtemp(s_dir, sizeof s_dir, o->tmpbase);
	if (o->perf && mkdir(o->perf, 0755) < 0 && errno != EEXIST)
		bench_die("--perf %s: %s", o->perf, strerror(errno));
	s_zctx = zmq_ctx_new();
	run->busy0 = bench_machine_busy(&run->steal0);
}

void synclib_machine(const synclib_run_t *run, synclib_machine_t *m)
{
	int zmj, zmn, zpt;
	/* the anttd are reaped: their CPU is in bench_own_cpu */
	bench_others_cpu(run->busy0, run->steal0, &m->other_cpu, &m->steal);
	m->run_s = bench_since_s(run->t0);
	m->source = bench_source();
	m->ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	zmq_version(&zmj, &zmn, &zpt);
	snprintf(m->zmq, sizeof m->zmq, "%d.%d.%d", zmj, zmn, zpt);
}

void synclib_end(void)
{
	zmq_ctx_term(s_zctx);
	s_zctx = NULL;
	s_cleanup(s_o ? s_o->keep : 0);
}

const char *synclib_dir(void)
{
	return s_dir;
}

void *synclib_zctx(void)
{
	return s_zctx;
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

double synclib_proc_cpu(pid_t pid)
{
	char buf[1024];
	const char *p = s_proc_stat(pid, buf, sizeof buf);
	unsigned long long ut = 0, st = 0;
	if (!p || sscanf(p, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

int synclib_free_port(void)
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
static void s_exec_tier(const synclib_tier_t *t, char *const argv[]) __attribute__((noreturn));
static void s_exec_tier(const synclib_tier_t *t, char *const argv[])
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

pid_t synclib_spawn(const synclib_tier_t *t, char *const argv[], int in_fd, int out_fd,
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
static int s_run_tier(const synclib_tier_t *t, char *const argv[], const char *outpath)
{
	int out = open(outpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0)
		bench_die("%s: %s", outpath, strerror(errno));
	pid_t pid = synclib_spawn(t, argv, -1, out, NULL);
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

pid_t synclib_real_pid(pid_t pid, const char *comm)
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

void synclib_tcp_snapshot(const synclib_tier_t *t, int port, synclib_socks_t *out)
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
	synclib_sock_t *cur = NULL;
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

void synclib_tcp_diff(const synclib_socks_t *a, const synclib_socks_t *b, int exclude_port,
                      synclib_link_t *l)
{
	memset(l, 0, sizeof *l);
	for (int i = 0; i < b->n; i++) {
		if (exclude_port && b->s[i].peer_port == exclude_port)
			continue;
		const synclib_sock_t *before = NULL;
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

int synclib_wildcard(const char *host)
{
	return !strcmp(host, "*") || !strcmp(host, "0.0.0.0");
}

void synclib_addrs(synclib_addrs_t *a)
{
	memset(a, 0, sizeof *a);
	for (int t = 0; t < N_TIERS; t++) {
		const synclib_tier_t *ti = &synclib_tiers[t];
		snprintf(a->host[t], sizeof a->host[t], "%.127s",
		         ti->listen_host[0] ? ti->listen_host : "127.0.0.1");
		a->port[t] = ti->listen_port ? ti->listen_port : synclib_free_port();
		snprintf(a->local[t], sizeof a->local[t], "%.127s",
		         synclib_wildcard(a->host[t]) ? "127.0.0.1" : a->host[t]);
	}
	for (int t = TIER_COMMUNE; t < TIER_PROVINCE; t++) {
		const synclib_tier_t *ti = &synclib_tiers[t];
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

void synclib_body(const uint8_t author[ANTT_KEY_BYTES], uint64_t seq,
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
	                 .unit = (char *)SYNCLIB_CHILD_UNIT,
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

void synclib_crypto_rates(double seconds, synclib_crypto_t *l)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	uint8_t sig[crypto_sign_BYTES], zero[ANTT_ID_BYTES] = {0};
	crypto_sign_keypair(pk, sk);
	uint8_t *body;
	size_t len;
	synclib_body(pk, 1, zero, antt_now(), 1, &body, &len);
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

synclib_node_t *synclib_node_init(const char *name, const char *unit, const synclib_tier_t *tier,
                                  const char *listen_host, int listen_port, const char *parent_ep,
                                  const char *parent_key, int relaxed)
{
	char err[ANTT_ERR_MAX], out[PATH_MAX + 16], lst[192];
	synclib_node_t *nd = antt_xcalloc(1, sizeof *nd);
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

json_t *synclib_call(synclib_node_t *nd, const char *text)
{
	zmq_msg_t msg;
	if (zmq_send(nd->req, text, strlen(text), 0) < 0)
		bench_die("send to %s: %s", nd->name, zmq_strerror(errno));
	zmq_msg_init(&msg);
	if (zmq_msg_recv(&msg, nd->req, 0) < 0)
		bench_die("no reply from %s within %d ms: %s", nd->name, SYNCLIB_REPLY_TIMEOUT_MS,
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

long synclib_records(synclib_node_t *nd)
{
	int64_t t0 = bench_now_ns();
	json_t *st = synclib_call(nd, "{\"op\":\"status\"}");
	s_poll_ms_sum += (double)(bench_now_ns() - t0) / 1e6;
	s_polls++;
	long n = (long)json_integer_value(json_object_get(st, "records"));
	json_decref(st);
	return n;
}

void synclib_node_start(synclib_node_t *nd)
{
	char *argv[] = {(char *)s_o->anttd, "-c", nd->conf, NULL};
	pid_t pid = synclib_spawn(nd->tier, argv, -1, -1, nd->log);
	nd->pid = pid;
	nd->real = pid;
	nd->req = zmq_socket(s_zctx, ZMQ_REQ);
	int zero = 0, tmo = SYNCLIB_REPLY_TIMEOUT_MS;
	zmq_setsockopt(nd->req, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(nd->req, ZMQ_RCVTIMEO, &tmo, sizeof tmo);
	zmq_setsockopt(nd->req, ZMQ_SNDTIMEO, &tmo, sizeof tmo);
	if (zmq_connect(nd->req, nd->cfg->endpoint) != 0)
		bench_die("connect %s: %s", nd->cfg->endpoint, zmq_strerror(errno));
	/* until it answers; the REQ socket waits for the socket file itself */
	int64_t deadline = bench_now_ns() + (int64_t)SYNCLIB_START_TIMEOUT_MS * 1000000;
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
			          SYNCLIB_START_TIMEOUT_MS);
		usleep(10000);
	}
	json_decref(synclib_call(nd, "{\"op\":\"ping\"}"));
	nd->real = synclib_real_pid(pid, "anttd");
}

void synclib_node_stop(synclib_node_t *nd)
{
	int status = 0;
	if (nd->req) {
		zmq_close(nd->req);
		nd->req = NULL;
	}
	if (nd->pid <= 0)
		return;
	kill(nd->pid, SIGTERM);
	int64_t deadline = bench_now_ns() + (int64_t)SYNCLIB_STOP_TIMEOUT_MS * 1000000;
	for (;;) {
		pid_t r = waitpid(nd->pid, &status, WNOHANG);
		if (r == nd->pid)
			break;
		if (bench_now_ns() > deadline) {
			kill(nd->pid, SIGKILL);
			waitpid(nd->pid, &status, 0);
			nd->pid = -1;
			bench_die("anttd for %s did not stop within %d ms of SIGTERM", nd->name,
			          SYNCLIB_STOP_TIMEOUT_MS);
		}
		usleep(10000);
	}
	nd->pid = -1;
	int rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (rc != 0)
		bench_die("anttd for %s exited with status %d after SIGTERM", nd->name, rc);
}

void synclib_enroll(synclib_node_t *hub, const char *unit, const char *key, const char *scope)
{
	char *argv[] = {(char *)s_o->antt, "-c",        hub->conf,
	                "enroll",          "--unit",    (char *)unit,
	                "--key",           (char *)key, scope ? "--units" : NULL,
	                (char *)scope,     NULL};
	int rc = bench_run(argv, NULL, hub->log, NULL);
	if (rc != 0)
		bench_die("'antt enroll --unit %s' at %s failed (exit %d)", unit, hub->name, rc);
}

long synclib_count_unaudited(const char *store)
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

void synclib_perf_start(const char *pids, const char *out)
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

void synclib_perf_stop(void)
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

synclib_proc_t *synclib_proc_add(const char *name, const char *log)
{
	if (s_n_procs == MAX_PROCS)
		bench_die("too many processes");
	synclib_proc_t *p = &s_procs[s_n_procs++];
	snprintf(p->name, sizeof p->name, "%s", name);
	snprintf(p->log, sizeof p->log, "%s", log ? log : "");
	p->pid = -1;
	return p;
}

/* ---- the relay between commune and district ---- */

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

/* ---- the tree ---- */

static const char *s_status_str(json_t *st, const char *obj, const char *key)
{
	return json_string_value(json_object_get(json_object_get(st, obj), key));
}

/* The commune's own records, from its store: envelope and body bytes. */
static void s_envelope_sizes(synclib_node_t *c, long n, synclib_tree_t *t)
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
static void s_province_check(synclib_node_t *p, const synclib_node_t *c, long n, synclib_tree_t *t)
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

void synclib_tree(long n, const synclib_tree_cfg_t *cfg, synclib_tree_t *t)
{
	char pname[32], dname[32], cname[32], ep[192];
	memset(t, 0, sizeof *t);
	snprintf(pname, sizeof pname, "%s%sprovince", cfg->tag ? cfg->tag : "",
	         cfg->tag ? "-" : "");
	snprintf(dname, sizeof dname, "%s%sdistrict", cfg->tag ? cfg->tag : "",
	         cfg->tag ? "-" : "");
	snprintf(cname, sizeof cname, "%s%scommune", cfg->tag ? cfg->tag : "", cfg->tag ? "-" : "");
	synclib_addrs_t ad;
	synclib_addrs(&ad);
	synclib_node_t *p = synclib_node_init(pname, SYNCLIB_PROVINCE_UNIT,
	                                      &synclib_tiers[TIER_PROVINCE], ad.host[TIER_PROVINCE],
	                                      ad.port[TIER_PROVINCE], NULL, NULL, cfg->relaxed);
	snprintf(ep, sizeof ep, "tcp://%s", ad.up[TIER_DISTRICT]);
	synclib_node_t *d = synclib_node_init(dname, SYNCLIB_HUB_UNIT,
	                                      &synclib_tiers[TIER_DISTRICT], ad.host[TIER_DISTRICT],
	                                      ad.port[TIER_DISTRICT], ep, p->pk, cfg->relaxed);
	s_relay_t relay;
	if (cfg->relay)
		snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", s_relay_start(&relay, d->port));
	else
		snprintf(ep, sizeof ep, "tcp://%s", ad.up[TIER_COMMUNE]);
	synclib_node_t *c =
	    synclib_node_init(cname, SYNCLIB_CHILD_UNIT, &synclib_tiers[TIER_COMMUNE], NULL, 0, ep,
	                      d->pk, cfg->relaxed);
	/* each child enrolled before it first connects */
	synclib_node_start(p);
	synclib_enroll(p, SYNCLIB_HUB_UNIT, d->pk, SYNCLIB_CHILD_UNIT);
	synclib_node_start(d);
	synclib_enroll(d, SYNCLIB_CHILD_UNIT, c->pk, NULL);
	synclib_node_start(c);

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
		json_t *cs = synclib_call(c, "{\"op\":\"status\"}"),
		       *ds = synclib_call(d, "{\"op\":\"status\"}");
		int ready = !strcmp(s_status_str(cs, "uplink", "state"), "ready") &&
		            !strcmp(s_status_str(ds, "uplink", "state"), "ready");
		json_decref(cs);
		json_decref(ds);
		if (ready && synclib_records(p) == 2 && synclib_records(d) == 1)
			break;
		if (bench_now_ns() > deadline)
			bench_die(
			    "the tree did not settle within 60 s (links ready, enrollments at "
			    "the province)");
		usleep(50000);
	}
	bench_say("  tree settled; submitting %ld reports at the commune\n", n);
	long p0 = synclib_records(p), d0 = synclib_records(d);
	double cpu_c = synclib_proc_cpu(c->real), cpu_d = synclib_proc_cpu(d->real),
	       cpu_p = synclib_proc_cpu(p->real);
	uint64_t up0 = cfg->relay ? s_load(&relay.up) : 0,
	         down0 = cfg->relay ? s_load(&relay.down) : 0;
	synclib_socks_t cd0, dp0;
	if (cfg->wire) {
		synclib_tcp_snapshot(d->tier, d->port, &cd0);
		synclib_tcp_snapshot(p->tier, p->port, &dp0);
	}

	if (s_o->perf) {
		char pids[96], out[PATH_MAX];
		snprintf(pids, sizeof pids, "%d,%d,%d", (int)c->real, (int)d->real, (int)p->real);
		snprintf(out, sizeof out, "%s/tree.perf.data", s_o->perf);
		synclib_perf_start(pids, out);
	}
	/* the timed part: antt submit --file, then poll district and province */
	char *sargv[] = {(char *)s_o->antt, "-c", c->conf, "submit", "--file", jsonl, NULL};
	int64_t t0 = bench_now_ns();
	pid_t sub = synclib_spawn(c->tier, sargv, -1, -1, c->log);
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
			if (t->district_s == 0 && synclib_records(d) >= d0 + n)
				t->district_s = bench_since_s(t0);
			if (t->province_s == 0 && synclib_records(p) >= p0 + n) {
				t->province_s = bench_since_s(t0);
				t->up_to_province = cfg->relay ? s_load(&relay.up) - up0 : 0;
				/* how far the background audits got meanwhile */
				t->unaudited_d = synclib_count_unaudited(d->cfg->store_path);
				t->unaudited_p = synclib_count_unaudited(p->cfg->store_path);
			}
		}
		if (now > deadline)
			bench_die(
			    "the province does not hold the %ld records %.0f s after the submit", n,
			    s_o->timeout_s);
		usleep(2000);
	}
	t->cpu_province = synclib_proc_cpu(p->real) - cpu_p;
	t->polls = s_polls;
	t->poll_ms_mean = s_polls ? s_poll_ms_sum / (double)s_polls : 0;
	if (s_o->perf)
		synclib_perf_stop();
	/* and the receipts back down: the commune learns the province holds all */
	for (;;) {
		json_t *cs = synclib_call(c, "{\"op\":\"status\"}");
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
		synclib_socks_t cd1, dp1;
		synclib_tcp_snapshot(d->tier, d->port, &cd1);
		synclib_tcp_snapshot(p->tier, p->port, &dp1);
		synclib_tcp_diff(&cd0, &cd1, 0, &t->link[0]);
		synclib_tcp_diff(&dp0, &dp1, 0, &t->link[1]);
	}
	if (cfg->relay) {
		t->up = s_load(&relay.up) - up0;
		t->down = s_load(&relay.down) - down0;
		t->conns = __atomic_load_n(&relay.conns, __ATOMIC_RELAXED);
	}
	t->cpu_commune = synclib_proc_cpu(c->real) - cpu_c;
	t->cpu_district = synclib_proc_cpu(d->real) - cpu_d;
	t->cpu_until_receipt[TIER_COMMUNE] = t->cpu_commune;
	t->cpu_until_receipt[TIER_DISTRICT] = t->cpu_district;
	t->cpu_until_receipt[TIER_PROVINCE] = synclib_proc_cpu(p->real) - cpu_p;
	t->rps = (double)n / t->province_s;
	t->sync_rps = (double)n / (t->province_s - t->submit_s);

	if (synclib_records(p) != p0 + n || synclib_records(d) != d0 + n)
		bench_die("the province or the district holds more than was submitted");
	s_envelope_sizes(c, n, t);
	s_province_check(p, c, n, t);
	synclib_node_t *nodes[N_TIERS] = {c, d, p};
	for (int k = 0; k < N_TIERS; k++) {
		t->hwm_kb[k] = bench_vmhwm_kb(nodes[k]->real);
		synclib_node_stop(nodes[k]);
	}
	if (cfg->relay)
		s_relay_stop(&relay);
	unlink(jsonl);
}
