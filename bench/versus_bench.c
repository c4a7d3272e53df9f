/* versus_bench.c - antt-versus-bench: antt's tree beside a chain of
 * bridged Mosquitto brokers, the same records end to end.
 *
 * For the same N records of the same size, side by side: the raw sign and
 * verify rates; the commune -> district -> province tree of anttd (as
 * antt-tree-bench runs it, without the relay), once with the default
 * durability and once with '[node] durability = relaxed' at every node;
 * then three mosquitto brokers bridged commune -> district -> province at
 * QoS 1 with persistence, a publisher at the bottom and a subscriber at the
 * top (antt-mosq-bench, bench/mosq_bench.c).  For each side: time until
 * all are at the top, records lost and duplicated, the bytes of both links
 * (the kernel's tcp_info of the parents' accepted connections, read with
 * 'ss -tin'), each node's peak memory (VmHWM) and CPU.  --listen, --parent
 * and --prefix give each tier's addresses and a command to run its
 * processes under (e.g. 'ip netns exec NS'), so that the same run can
 * cross other links.
 *
 *     bench/run.sh --versus        # docs/benchmarks.md, "Versus a Mosquitto
 *                                  # bridge chain"
 *
 * Every anttd and every broker must exit 0 on SIGTERM.  Exit code: 0 when
 * every side ran, 1 when something failed, 2 on a usage error; with
 * --check also 1 when the aim (antt >= 2x Mosquitto's records/s, nothing
 * lost or duplicated) is missed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "benchlib.h"
#include "synclib.h"

#define AIM_VERSUS 2.0 /* antt records/s over Mosquitto's */

typedef struct {
	synclib_opts_t b;
	int no_full, no_relaxed, no_mosquitto, mosq_nodelay;
	const char *mosq_bench, *mosquitto;
	long inflight, payload;
	double silence_s;
} s_opts_t;

static s_opts_t s_opts = {.b = {.n = 100000, .poll_ms = 50, .seconds = 2.0, .timeout_s = 900},
                          .inflight = 1000,
                          .silence_s = 10};
static const s_opts_t *s_o = &s_opts;

/* ---- the same records through a chain of Mosquitto brokers ---- */

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
	long dropped_logged;    /* "messages are being dropped" in the brokers' logs */
	synclib_link_t link[2]; /* bridges commune -> district, district -> province */
	long hwm_kb[N_TIERS];   /* each broker's VmHWM, just before it stopped */
	double cpu[N_TIERS];    /* each broker's CPU-s, go to the end */
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

static void s_mosq_conf(const char *path, int tier, const synclib_addrs_t *a, const char *dir,
                        long max_queued)
{
	FILE *f = fopen(path, "w");
	if (!f)
		bench_die("%s: %s", path, strerror(errno));
	fprintf(f, "# antt-versus-bench: the %s broker\n", synclib_tier_names[tier]);
	if (synclib_wildcard(a->host[tier]))
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
	if (tier < TIER_PROVINCE)
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
		        synclib_tier_names[tier + 1], synclib_tier_names[tier], a->up[tier],
		        synclib_tier_names[tier]);
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
static double s_reap(synclib_proc_t *pr)
{
	int status;
	struct rusage ru;
	int64_t deadline = bench_now_ns() + (int64_t)SYNCLIB_STOP_TIMEOUT_MS * 1000000;
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
	synclib_proc_t *br[N_TIERS];
	pid_t real[N_TIERS];
	memset(m, 0, sizeof *m);
	m->payload = payload;
	m->max_queued = 2 * n > 1000 ? 2 * n : 1000;
	synclib_addrs_t ad;
	synclib_addrs(&ad);
	/* the top first: each bridge finds its remote broker up */
	for (int t = TIER_PROVINCE; t >= TIER_COMMUNE; t--) {
		snprintf(dir[t], sizeof dir[t], "%s/mosq-%s", synclib_dir(), synclib_tier_names[t]);
		if (mkdir(dir[t], 0700) < 0)
			bench_die("%s: %s", dir[t], strerror(errno));
		snprintf(path, sizeof path, "%s/mosquitto.conf", dir[t]);
		snprintf(log[t], sizeof log[t], "%s/mosquitto.log", dir[t]);
		s_mosq_conf(path, t, &ad, dir[t], m->max_queued);
		snprintf(name, sizeof name, "mosquitto-%s", synclib_tier_names[t]);
		br[t] = synclib_proc_add(name, log[t]);
		char *argv[] = {(char *)s_o->mosquitto, "-c", path, NULL};
		br[t]->pid = synclib_spawn(&synclib_tiers[t], argv, -1, -1, log[t]);
		int64_t deadline = bench_now_ns() + (int64_t)SYNCLIB_START_TIMEOUT_MS * 1000000;
		while (!s_file_count(log[t], " running")) {
			int status;
			if (waitpid(br[t]->pid, &status, WNOHANG) == br[t]->pid) {
				br[t]->pid = -1;
				bench_die("%s exited at start (status %d)", name,
				          WIFEXITED(status) ? WEXITSTATUS(status) : -1);
			}
			if (bench_now_ns() > deadline)
				bench_die("%s did not start within %d ms", name,
				          SYNCLIB_START_TIMEOUT_MS);
			usleep(10000);
		}
		real[t] = synclib_real_pid(br[t]->pid, "mosquitto");
	}
	{
		FILE *f = fopen(log[TIER_PROVINCE], "r");
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
	snprintf(num[3], sizeof num[3], "%d", ad.port[TIER_PROVINCE]);
	snprintf(num[4], sizeof num[4], "%d", ad.port[TIER_COMMUNE]);
	snprintf(num[5], sizeof num[5], "%.0f", s_o->b.timeout_s);
	char silence[32], inflight[32];
	snprintf(silence, sizeof silence, "%g", s_o->silence_s);
	snprintf(inflight, sizeof inflight, "%ld", s_o->inflight);

	/* the subscriber at the top, subscribed before anything is published */
	int sp[2], pin[2], pout[2];
	if (pipe2(sp, O_CLOEXEC) < 0 || pipe2(pin, O_CLOEXEC) < 0 || pipe2(pout, O_CLOEXEC) < 0)
		bench_die("pipe: %s", strerror(errno));
	snprintf(path, sizeof path, "%s/mosq-sub.log", synclib_dir());
	synclib_proc_t *sub = synclib_proc_add("antt-mosq-bench sub", path);
	char *sargv[] = {(char *)s_o->mosq_bench,
	                 "sub",
	                 "--host",
	                 ad.local[TIER_PROVINCE],
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
	sub->pid = synclib_spawn(&synclib_tiers[TIER_PROVINCE], sargv, -1, sp[1], path);
	close(sp[1]);
	s_lines_t sl = {.fd = sp[0]}, pl = {.fd = pout[0]};
	char line[256];
	int sub_port = 0, pub_port = 0;
	if (!s_line(&sl, line, sizeof line, 30000) || sscanf(line, "ready %d", &sub_port) != 1)
		bench_die("the subscriber did not subscribe at the province broker within 30 s");
	/* the publisher at the bottom: probes until one has crossed the chain */
	snprintf(path, sizeof path, "%s/mosq-pub.log", synclib_dir());
	synclib_proc_t *pub = synclib_proc_add("antt-mosq-bench pub", path);
	char *pargv[] = {(char *)s_o->mosq_bench,
	                 "pub",
	                 "--host",
	                 ad.local[TIER_COMMUNE],
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
	pub->pid = synclib_spawn(&synclib_tiers[TIER_COMMUNE], pargv, pin[0], pout[1], path);
	close(pin[0]);
	close(pout[1]);
	if (!s_line(&pl, line, sizeof line, 30000) || sscanf(line, "connected %d", &pub_port) != 1)
		bench_die("the publisher did not connect to the commune broker within 30 s");
	if (!s_line(&sl, line, sizeof line, 60000) || strcmp(line, "probe"))
		bench_die("no probe crossed the bridges to the province broker within 60 s");
	bench_say("  the chain passes a probe; publishing %ld messages of %ld bytes\n", n, payload);

	synclib_socks_t cd0, dp0, cd1, dp1;
	synclib_tcp_snapshot(&synclib_tiers[TIER_DISTRICT], ad.port[TIER_DISTRICT], &cd0);
	synclib_tcp_snapshot(&synclib_tiers[TIER_PROVINCE], ad.port[TIER_PROVINCE], &dp0);
	double cpu0[N_TIERS];
	for (int t = 0; t < N_TIERS; t++)
		cpu0[t] = synclib_proc_cpu(real[t]);
	if (write(pin[1], "go\n", 3) != 3)
		bench_die("the publisher is gone: %s", strerror(errno));
	int64_t wait_ms = (int64_t)(s_o->b.timeout_s * 1000) + 60000;
	json_t *pj = s_json_line(&pl, "the publisher", wait_ms);
	json_t *sj = s_json_line(&sl, "the subscriber", wait_ms);
	synclib_tcp_snapshot(&synclib_tiers[TIER_DISTRICT], ad.port[TIER_DISTRICT], &cd1);
	synclib_tcp_snapshot(&synclib_tiers[TIER_PROVINCE], ad.port[TIER_PROVINCE], &dp1);
	for (int t = 0; t < N_TIERS; t++)
		m->cpu[t] = synclib_proc_cpu(real[t]) - cpu0[t];
	close(pin[1]);
	m->cpu_pub = s_reap(pub);
	m->cpu_sub = s_reap(sub);
	close(sl.fd);
	close(pl.fd);
	synclib_tcp_diff(&cd0, &cd1, 0, &m->link[0]);
	synclib_tcp_diff(&dp0, &dp1, sub_port, &m->link[1]);

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
	for (int t = TIER_COMMUNE; t < N_TIERS; t++) {
		int status;
		m->hwm_kb[t] = bench_vmhwm_kb(real[t]);
		kill(br[t]->pid, SIGTERM);
		int64_t deadline = bench_now_ns() + (int64_t)SYNCLIB_STOP_TIMEOUT_MS * 1000000;
		while (waitpid(br[t]->pid, &status, WNOHANG) != br[t]->pid) {
			if (bench_now_ns() > deadline)
				bench_die("%s did not stop within %d ms of SIGTERM", br[t]->name,
				          SYNCLIB_STOP_TIMEOUT_MS);
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

/* ---- both sides in one run, and what is printed ---- */

typedef struct {
	const char *key, *label;
	int ran;
	synclib_tree_t t;
} s_side_t;

static double s_mb(uint64_t b)
{
	return (double)b / 1e6;
}

static json_t *s_link_json(const synclib_link_t *l, long n)
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
		    j, synclib_tier_names[t],
		    json_pack("{s:s, s:I, s:s, s:I, s:s}", "listen_host",
		              synclib_tiers[t].listen_host[0] ? synclib_tiers[t].listen_host
		                                              : "127.0.0.1",
		              "listen_port", (json_int_t)synclib_tiers[t].listen_port,
		              "parent_host", synclib_tiers[t].parent_host, "parent_port",
		              (json_int_t)synclib_tiers[t].parent_port, "prefix",
		              synclib_tiers[t].prefix_text));
	return j;
}

static int s_versus(const s_opts_t *o, const synclib_run_t *run)
{
	synclib_crypto_t lim = {0};
	s_side_t sides[2] = {{.key = "antt_full", .label = "antt full"},
	                     {.key = "antt_relaxed", .label = "antt relaxed"}};
	s_mosq_t mq = {0};
	int mq_ran = 0;
	bench_say("raw Ed25519 rates, %.1f s each...\n", o->b.seconds);
	synclib_crypto_rates(o->b.seconds, &lim);
	for (int k = 0; k < 2; k++) {
		if ((k == 0 && o->no_full) || (k == 1 && o->no_relaxed))
			continue;
		synclib_tree_cfg_t cfg = {.tag = k ? "relaxed" : "full", .relaxed = k, .wire = 1};
		bench_say(
		    "antt, durability = %s: commune -> district -> province, %ld records...\n",
		    k ? "relaxed" : "full", o->b.n);
		synclib_tree(o->b.n, &cfg, &sides[k].t);
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
		    o->b.n, payload);
		s_mosq_chain(o->b.n, payload, &mq);
		mq_ran = 1;
	}

	synclib_machine_t mach;
	synclib_machine(run, &mach);
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
	int rc = o->b.check && missed ? 1 : 0;

	if (o->b.json) {
		json_t *j = json_object();
		if (mach.source)
			json_object_set_new(j, "source", json_string(mach.source));
		json_object_set_new(
		    j, "machine",
		    json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:f, s:f, s:f}", "cpu", run->cpu,
		              "nproc", (json_int_t)mach.ncpu, "libsodium", sodium_version_string(),
		              "sqlite", sqlite3_libversion(), "libzmq", mach.zmq, "mosquitto",
		              mq_ran ? mq.version : "", "run_s", mach.run_s, "other_cpu_s",
		              mach.other_cpu, "steal_s", mach.steal));
		json_object_set_new(
		    j, "params",
		    json_pack("{s:I, s:I, s:f, s:I, s:f, s:f, s:o}", "records", (json_int_t)o->b.n,
		              "poll_ms", (json_int_t)o->b.poll_ms, "seconds", o->b.seconds,
		              "inflight", (json_int_t)o->inflight, "silence_s", o->silence_s,
		              "timeout_s", o->b.timeout_s, "tiers", s_tiers_json()));
		json_object_set_new(j, "limits",
		                    json_pack("{s:I, s:f, s:f}", "body_bytes",
		                              (json_int_t)lim.body_len, "sign_per_s", lim.sign,
		                              "verify_per_s", lim.verify));
		json_t *js = json_object();
		for (int k = 0; k < 2; k++) {
			const synclib_tree_t *t = &sides[k].t;
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
			              (double)tot / (double)o->b.n, "commune_district",
			              s_link_json(&t->link[0], o->b.n), "district_province",
			              s_link_json(&t->link[1], o->b.n)));
			json_object_set_new(
			    side, "vmhwm_kb",
			    json_pack("{s:I, s:I, s:I}", "commune",
			              (json_int_t)t->hwm_kb[TIER_COMMUNE], "district",
			              (json_int_t)t->hwm_kb[TIER_DISTRICT], "province",
			              (json_int_t)t->hwm_kb[TIER_PROVINCE]));
			json_object_set_new(
			    side, "cpu_s",
			    json_pack("{s:f, s:f, s:f, s:f}", "commune",
			              t->cpu_until_receipt[TIER_COMMUNE], "district",
			              t->cpu_until_receipt[TIER_DISTRICT], "province",
			              t->cpu_until_receipt[TIER_PROVINCE], "antt_submit",
			              t->cpu_submit));
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
			        (double)tot / (double)o->b.n, "commune_district",
			        s_link_json(&mq.link[0], o->b.n), "district_province",
			        s_link_json(&mq.link[1], o->b.n)));
			json_object_set_new(
			    side, "vmhwm_kb",
			    json_pack("{s:I, s:I, s:I, s:I, s:I}", "commune",
			              (json_int_t)mq.hwm_kb[TIER_COMMUNE], "district",
			              (json_int_t)mq.hwm_kb[TIER_DISTRICT], "province",
			              (json_int_t)mq.hwm_kb[TIER_PROVINCE], "publisher",
			              (json_int_t)mq.hwm_pub_kb, "subscriber",
			              (json_int_t)mq.hwm_sub_kb));
			json_object_set_new(side, "cpu_s",
			                    json_pack("{s:f, s:f, s:f, s:f, s:f}", "commune",
			                              mq.cpu[TIER_COMMUNE], "district",
			                              mq.cpu[TIER_DISTRICT], "province",
			                              mq.cpu[TIER_PROVINCE], "publisher",
			                              mq.cpu_pub, "subscriber", mq.cpu_sub));
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

	printf("antt-versus-bench: %s, %ld CPU(s); libsodium %s, SQLite %s, libzmq %s, "
	       "mosquitto %s%s%s\n",
	       run->cpu, mach.ncpu, sodium_version_string(), sqlite3_libversion(), mach.zmq,
	       mq_ran ? mq.version : "-", mach.source ? "; source " : "",
	       mach.source ? mach.source : "");
	printf("run took %.1f s; other processes used %.1f CPU-s meanwhile, steal %.1f s "
	       "(well above 0: the figures are skewed)\n\n",
	       mach.run_s, mach.other_cpu, mach.steal);
	printf("this machine's limits, one core, %zu-byte record body\n", lim.body_len);
	printf("  %-44s %10.0f /s\n", "Ed25519 sign", lim.sign);
	printf("  %-44s %10.0f /s\n", "Ed25519 verify", lim.verify);
	printf("\n%ld records up commune -> district -> province", o->b.n);
	for (int t = 0; t < N_TIERS; t++)
		if (synclib_tiers[t].prefix_text[0] || synclib_tiers[t].listen_host[0])
			printf("%s %s at %s%s%s", t ? "," : ";", synclib_tier_names[t],
			       synclib_tiers[t].listen_host[0] ? synclib_tiers[t].listen_host
			                                       : "127.0.0.1",
			       synclib_tiers[t].prefix_text[0] ? " under " : "",
			       synclib_tiers[t].prefix_text);
	printf("\n  antt: signed envelopes of %.1f bytes on average (body %.1f), 'antt submit "
	       "--file' at the commune\n",
	       env_avg, body_avg);
	if (mq_ran)
		printf("  Mosquitto %s: %ld-byte payloads on antt/12346, QoS 1, %ld in flight, "
		       "persistence on (autosave 1800 s), max_queued_messages %ld\n",
		       mq.version, mq.payload, o->inflight, mq.max_queued);

	/* the table: one column a side */
	const synclib_tree_t *ts[2] = {sides[0].ran ? &sides[0].t : NULL,
	                               sides[1].ran ? &sides[1].t : NULL};
	printf("\n  %-42s %14s %14s %14s\n", "", "antt full", "antt relaxed", "Mosquitto");
#define S_ROW(label, prec, antt, mosq)                                                             \
	do {                                                                                       \
		printf("  %-42s", label);                                                          \
		for (int k_ = 0; k_ < 3; k_++) {                                                   \
			const synclib_tree_t *t = k_ < 2 ? ts[k_] : NULL;                          \
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
	S_ROW("  per record", 1, (double)S_WIRE(t) / (double)o->b.n,
	      (double)S_WIRE(&mq) / (double)o->b.n);
	S_ROW("  commune -> district, MB", 2, s_mb(t->link[0].up), s_mb(mq.link[0].up));
	S_ROW("  commune <- district, kB", 1, t->link[0].down / 1e3, mq.link[0].down / 1e3);
	S_ROW("  district -> province, MB", 2, s_mb(t->link[1].up), s_mb(mq.link[1].up));
	S_ROW("  district <- province, kB", 1, t->link[1].down / 1e3, mq.link[1].down / 1e3);
	S_ROW("peak memory (VmHWM), MB: commune", 1, t->hwm_kb[TIER_COMMUNE] / 1024.0,
	      mq.hwm_kb[TIER_COMMUNE] / 1024.0);
	S_ROW("  district", 1, t->hwm_kb[TIER_DISTRICT] / 1024.0,
	      mq.hwm_kb[TIER_DISTRICT] / 1024.0);
	S_ROW("  province", 1, t->hwm_kb[TIER_PROVINCE] / 1024.0,
	      mq.hwm_kb[TIER_PROVINCE] / 1024.0);
	S_ROW("CPU-s meanwhile: commune", 2, t->cpu_until_receipt[TIER_COMMUNE],
	      mq.cpu[TIER_COMMUNE]);
	S_ROW("  district", 2, t->cpu_until_receipt[TIER_DISTRICT], mq.cpu[TIER_DISTRICT]);
	S_ROW("  province", 2, t->cpu_until_receipt[TIER_PROVINCE], mq.cpu[TIER_PROVINCE]);
	S_ROW("  'antt submit' / publisher", 2, t->cpu_submit, mq.cpu_pub);
	S_ROW("  subscriber", 2, NAN, mq.cpu_sub);
#undef S_WIRE
#undef S_ROW
	printf("  (antt: 'submit' started to the province holding all (polled every %ld ms), "
	       "bytes and CPU to the commune's receipt;\n"
	       "   Mosquitto: first publish to the last arrival at the subscriber (%s), bytes "
	       "and CPU to its end)\n",
	       o->b.poll_ms, mq_ran ? mq.sub_end : "-");
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
	fprintf(f,
	        "usage: antt-versus-bench [options]\n"
	        "  the raw sign/verify rates, then the tree in both durability modes (full,\n"
	        "  relaxed) and a chain of three Mosquitto brokers bridged at QoS 1, the same N\n"
	        "  records of the same size end to end (docs/benchmarks.md)\n"
	        "  -n, --records N    records sent up each side (100000)\n"
	        "  -s, --seconds S    seconds per raw sign/verify rate (2)\n"
	        "      --poll-ms MS   how often the tree's record counts are polled (50)\n"
	        "      --check        exit 1 if the aim (antt >= 2x Mosquitto, for a side that\n"
	        "                     ran) is missed\n"
	        "      --timeout S    give up on the tree (or the broker chain) after S s (900)\n"
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
	synclib_usage_common(f);
}

/* "TIER=VALUE" of --listen, --parent, --prefix: the tier; VALUE in *value. */
static int s_tier_arg(const char *opt, const char *arg, const char **value)
{
	const char *eq = strchr(arg, '=');
	for (int t = 0; eq && t < N_TIERS; t++)
		if (strlen(synclib_tier_names[t]) == (size_t)(eq - arg) &&
		    !strncmp(arg, synclib_tier_names[t], (size_t)(eq - arg))) {
			*value = eq + 1;
			return t;
		}
	fprintf(stderr,
	        "antt-versus-bench: %s takes TIER=VALUE, TIER commune, district or province\n",
	        opt);
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
		fprintf(stderr, "antt-versus-bench: %s: '%s' is not HOST%s\n", opt, v,
		        need_port ? ":PORT" : "[:PORT]");
		exit(2);
	}
	memcpy(host, v, hl);
	host[hl] = '\0';
	*port = (int)p;
}

static void s_prefix_set(synclib_tier_t *t, const char *v)
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

/* getopt_long values of the options this program alone takes */
enum {
	O_NOFULL = SYNCLIB_O_OWN,
	O_NORELAXED,
	O_NOMOSQ,
	O_PAYLOAD,
	O_INFLIGHT,
	O_SILENCE,
	O_NODELAY,
	O_MOSQUITTO,
	O_MOSQBENCH,
	O_LISTEN,
	O_PARENT,
	O_PREFIX
};

/* The options this program alone takes, into s_opts. */
static int s_option(int opt, const char *arg)
{
	const char *tv;
	int ti;
	switch (opt) {
	case O_NOFULL: s_opts.no_full = 1; break;
	case O_NORELAXED: s_opts.no_relaxed = 1; break;
	case O_NOMOSQ: s_opts.no_mosquitto = 1; break;
	case O_PAYLOAD: s_opts.payload = bench_count_arg("--payload", arg, 16, 1 << 20); break;
	case O_INFLIGHT: s_opts.inflight = bench_count_arg("--inflight", arg, 1, 65535); break;
	case O_SILENCE:
		s_opts.silence_s = (double)bench_count_arg("--silence", arg, 1, 86400);
		break;
	case O_NODELAY: s_opts.mosq_nodelay = 1; break;
	case O_MOSQUITTO: s_opts.mosquitto = arg; break;
	case O_MOSQBENCH: s_opts.mosq_bench = arg; break;
	case O_LISTEN:
		ti = s_tier_arg("--listen", arg, &tv);
		s_hostport("--listen", tv, synclib_tiers[ti].listen_host,
		           sizeof synclib_tiers[ti].listen_host, &synclib_tiers[ti].listen_port, 0);
		break;
	case O_PARENT:
		ti = s_tier_arg("--parent", arg, &tv);
		if (ti == TIER_PROVINCE) {
			fprintf(stderr, "antt-versus-bench: the province has no parent\n");
			exit(2);
		}
		s_hostport("--parent", tv, synclib_tiers[ti].parent_host,
		           sizeof synclib_tiers[ti].parent_host, &synclib_tiers[ti].parent_port, 1);
		break;
	case O_PREFIX:
		ti = s_tier_arg("--prefix", arg, &tv);
		s_prefix_set(&synclib_tiers[ti], tv);
		break;
	default: return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    SYNCLIB_OPTIONS,
	    {"seconds", required_argument, NULL, 's'},
	    {"poll-ms", required_argument, NULL, SYNCLIB_O_POLL},
	    {"check", no_argument, NULL, SYNCLIB_O_CHECK},
	    {"timeout", required_argument, NULL, SYNCLIB_O_TIMEOUT},
	    {"no-full", no_argument, NULL, O_NOFULL},
	    {"no-relaxed", no_argument, NULL, O_NORELAXED},
	    {"no-mosquitto", no_argument, NULL, O_NOMOSQ},
	    {"payload", required_argument, NULL, O_PAYLOAD},
	    {"inflight", required_argument, NULL, O_INFLIGHT},
	    {"silence", required_argument, NULL, O_SILENCE},
	    {"mosq-nodelay", no_argument, NULL, O_NODELAY},
	    {"mosquitto", required_argument, NULL, O_MOSQUITTO},
	    {"mosq-bench", required_argument, NULL, O_MOSQBENCH},
	    {"listen", required_argument, NULL, O_LISTEN},
	    {"parent", required_argument, NULL, O_PARENT},
	    {"prefix", required_argument, NULL, O_PREFIX},
	    {0}};
	synclib_setup("antt-versus-bench");
	synclib_options(argc, argv, "n:s:h", opts, &s_opts.b, s_option, s_usage);
	s_opts_t *o = &s_opts;
	char mosq_bench_buf[PATH_MAX + 32];
	if (!o->no_mosquitto) {
		if (!o->mosq_bench) {
			char self[PATH_MAX];
			bench_self_path(self, "--mosq-bench");
			snprintf(mosq_bench_buf, sizeof mosq_bench_buf, "%s/antt-mosq-bench",
			         dirname(self));
			o->mosq_bench = mosq_bench_buf;
		}
		if (access(o->mosq_bench, X_OK))
			bench_die(
			    "need %s (built when libmosquitto-dev is installed: scripts/deps.sh, "
			    "then build again), or give --mosq-bench",
			    o->mosq_bench);
		if (!o->mosquitto)
			o->mosquitto = access("/usr/sbin/mosquitto", X_OK) ? "mosquitto"
			                                                   : "/usr/sbin/mosquitto";
	}
	synclib_run_t run;
	synclib_start(&o->b, &run);
	int rc = s_versus(o, &run);
	synclib_end();
	return rc;
}
