/* synclib.h - what the sync benchmarks share (antt-intake-bench,
 * antt-tree-bench, antt-versus-bench): real anttd nodes started, asked and
 * stopped in a temporary folder, the tiers of a tree and their addresses,
 * processes run under a tier's prefix, what the kernel counts on a TCP
 * link, this machine's Ed25519 rates over a typical record body, and the
 * commune -> district -> province tree run end to end.
 *
 * One run of one program at a time: the nodes, processes and the folder
 * are this module's, and every one of them is stopped and removed by
 * synclib_end, or by bench_die (synclib_setup gives it the clean-up). */
#ifndef ANTT_SYNCLIB_H
#define ANTT_SYNCLIB_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/types.h>

#include <getopt.h>
#include <jansson.h>

#include "config.h"
#include "keyfile.h"
#include "record.h"

#define SYNCLIB_CHILD_UNIT "12346"
#define SYNCLIB_HUB_UNIT "332"
#define SYNCLIB_PROVINCE_UNIT "33"
#define SYNCLIB_START_TIMEOUT_MS 10000  /* anttd must answer ping within this */
#define SYNCLIB_STOP_TIMEOUT_MS 60000   /* and exit within this after SIGTERM */
#define SYNCLIB_REPLY_TIMEOUT_MS 120000 /* a control request, a Heads, an Ack */

/* What every sync benchmark takes from its command line. */
typedef struct {
	const char *antt, *anttd, *forms, *tmpbase, *perf;
	long n, poll_ms;
	double seconds, timeout_s;
	int json, keep, check;
} synclib_opts_t;

/* getopt_long values of the options more than one sync benchmark takes;
 * each program lists in its table those it takes (SYNCLIB_OPTIONS: the
 * ones every one does; -s takes 's') and numbers its own from
 * SYNCLIB_O_OWN. */
enum {
	SYNCLIB_O_ANTT = 1000,
	SYNCLIB_O_ANTTD,
	SYNCLIB_O_FORMS,
	SYNCLIB_O_TMP,
	SYNCLIB_O_KEEP,
	SYNCLIB_O_JSON,
	SYNCLIB_O_CHECK,
	SYNCLIB_O_PERF,
	SYNCLIB_O_POLL,
	SYNCLIB_O_TIMEOUT,
	SYNCLIB_O_OWN
};
#define SYNCLIB_OPTIONS                                                                            \
	{"records", required_argument, NULL, 'n'},                                                 \
	    {"antt", required_argument, NULL, SYNCLIB_O_ANTT},                                     \
	    {"anttd", required_argument, NULL, SYNCLIB_O_ANTTD},                                   \
	    {"forms", required_argument, NULL, SYNCLIB_O_FORMS},                                   \
	    {"tmpdir", required_argument, NULL, SYNCLIB_O_TMP},                                    \
	    {"keep", no_argument, NULL, SYNCLIB_O_KEEP},                                           \
	    {"json", no_argument, NULL, SYNCLIB_O_JSON},                                           \
	{                                                                                          \
		"help", no_argument, NULL, 'h'                                                     \
	}
/* The command line read with getopt_long (shortopts, opts): the options
 * above into o, the others handed to own (NULL: none), which returns 0
 * when it took one.  -h: usage on stdout, exit(0); anything else, or a
 * word left over: usage on stderr, exit(2). */
void synclib_options(int argc, char **argv, const char *shortopts, const struct option *opts,
                     synclib_opts_t *o, int (*own)(int opt, const char *arg),
                     void (*usage)(FILE *f));

/* The lines of --help for the options every sync benchmark takes. */
void synclib_usage_common(FILE *f);

/* The run: when it started and what the machine had used by then. */
typedef struct {
	int64_t t0;
	double busy0, steal0;
	char cpu[256]; /* the CPU's model */
} synclib_run_t;

/* What the run's header says of the machine, at its end. */
typedef struct {
	double run_s, other_cpu, steal;
	long ncpu;
	const char *source; /* bench_source() */
	char zmq[32];       /* libzmq's version */
} synclib_machine_t;

/* First thing in main: messages start with prog, and bench_die stops the
 * nodes and processes and removes the folder. */
void synclib_setup(const char *prog);

/* Once the options are read (o stays the caller's, read until the end):
 * libsodium, the antt and anttd binaries (o->antt, o->anttd found when
 * NULL), progress on stderr unless --json, the temporary folder, the
 * --perf folder; run's start. */
void synclib_start(synclib_opts_t *o, synclib_run_t *run);

/* What the run's header prints, measured now. */
void synclib_machine(const synclib_run_t *run, synclib_machine_t *m);

/* Last thing: every node and process stopped, the folder removed unless
 * --keep. */
void synclib_end(void);

/* The temporary folder of the run. */
const char *synclib_dir(void);

/* The ZeroMQ context of the run. */
void *synclib_zctx(void);

/* ---- tiers: addresses, command prefixes, what the kernel counts ---- */

/* The tiers of a tree: where each one's node listens, how the tier below
 * reaches it, and the words put before every command run for it (e.g.
 * "ip netns exec NS"): --listen, --parent, --prefix of antt-versus-bench. */
enum { TIER_COMMUNE, TIER_DISTRICT, TIER_PROVINCE, N_TIERS };
extern const char *const synclib_tier_names[N_TIERS];

typedef struct {
	char listen_host[128]; /* "": 127.0.0.1 */
	int listen_port;       /* 0: a free port on loopback, new for each tree */
	char parent_host[128]; /* "": the parent tier's listen address */
	int parent_port;
	char prefix_text[512]; /* as given */
	char words[512];       /* its copy, cut into words */
	char *prefix[32];      /* the words, NULL-terminated */
} synclib_tier_t;

extern synclib_tier_t synclib_tiers[N_TIERS];

/* The addresses of one tree (or broker chain), from the tiers. */
typedef struct {
	char host[N_TIERS][128];  /* where each tier listens */
	int port[N_TIERS];        /* and on which port */
	char local[N_TIERS][128]; /* how a process of the tier reaches its own listener */
	char up[N_TIERS][160];    /* commune, district: HOST:PORT of the parent */
} synclib_addrs_t;

/* The addresses of a new tree: free ports where none was given. */
void synclib_addrs(synclib_addrs_t *a);

/* host is "*" or "0.0.0.0": every address. */
int synclib_wildcard(const char *host);

/* What the kernel counted on the TCP connections a listener accepted:
 * tcp_info's bytes_received (what the peer sent) and bytes_acked (what it
 * acknowledged of what was sent to it), TCP payload only, retransmissions
 * not counted twice; read with 'ss -tin' under the listener's tier prefix,
 * so in its network namespace. */
typedef struct {
	char peer[96];
	int peer_port;
	uint64_t rx, acked;
} synclib_sock_t;

typedef struct {
	synclib_sock_t s[32];
	int n;
} synclib_socks_t;

typedef struct {
	uint64_t up, down; /* child -> parent, parent -> child */
	int conns, gone;   /* connections counted; seen before and closed since */
} synclib_link_t;

/* The connections the listener on port of tier t has now. */
void synclib_tcp_snapshot(const synclib_tier_t *t, int port, synclib_socks_t *out);

/* What crossed the connections between two snapshots; a client connected
 * to the same listener on exclude_port (0: none) is left out. */
void synclib_tcp_diff(const synclib_socks_t *a, const synclib_socks_t *b, int exclude_port,
                      synclib_link_t *l);

/* ---- processes ---- */

/* Start argv under the tier's prefix (t NULL: none), stdin from in_fd and
 * stdout to out_fd (-1: /dev/null), stderr appended to errpath (NULL:
 * /dev/null).  It gets SIGTERM if the bench dies.  Pipes given must be
 * O_CLOEXEC. */
pid_t synclib_spawn(const synclib_tier_t *t, char *const argv[], int in_fd, int out_fd,
                    const char *errpath);

/* A process other than a node (a broker, a client), stopped by
 * synclib_end or bench_die while pid > 0; its log printed by bench_die. */
typedef struct {
	char name[32], log[PATH_MAX]; /* log: "" for none */
	pid_t pid;                    /* -1 once reaped */
} synclib_proc_t;

/* A new one, pid -1 (at most 8 in a run). */
synclib_proc_t *synclib_proc_add(const char *name, const char *log);

/* CPU seconds (user + system, all threads) a process has used so far; -1
 * when it is gone. */
double synclib_proc_cpu(pid_t pid);

/* The process named comm that pid is, or that it started (a prefix such as
 * "sudo ip netns exec NS" may fork before the command runs); pid if none. */
pid_t synclib_real_pid(pid_t pid, const char *comm);

/* A TCP port on 127.0.0.1 that nothing listens on now. */
int synclib_free_port(void);

/* 'perf record -g' of the processes in pids ("1,2,3") into out, until
 * synclib_perf_stop ($ANTT_PERF_CALLGRAPH: its --call-graph). */
void synclib_perf_start(const char *pids, const char *out);
void synclib_perf_stop(void);

/* ---- nodes ---- */

typedef struct {
	char name[32];
	char dir[PATH_MAX], conf[PATH_MAX], log[PATH_MAX];
	char pk[2 * ANTT_KEY_BYTES + 1];
	int port; /* listening port, 0 for none */
	pid_t pid;
	pid_t real; /* the anttd under the tier's prefix (pid when there is none) */
	const synclib_tier_t *tier;
	antt_config_t *cfg;
	void *req; /* persistent REQ socket to its control socket */
} synclib_node_t;

/* 'antt init' of a node in the folder's name: a hub listening on
 * tcp://listen_host:listen_port when listen_host, a child of parent_ep
 * (tcp://HOST:PORT) when that is given; 'durability = relaxed' when
 * relaxed.  Its processes run under the tier's prefix (NULL: none).  Its
 * public key from 'init --json'.  The node is the run's. */
synclib_node_t *synclib_node_init(const char *name, const char *unit, const synclib_tier_t *tier,
                                  const char *listen_host, int listen_port, const char *parent_ep,
                                  const char *parent_key, int relaxed);

/* anttd started on it, and waited for until it answers ping. */
void synclib_node_start(synclib_node_t *nd);

/* SIGTERM and wait; dies unless anttd exits 0. */
void synclib_node_stop(synclib_node_t *nd);

/* One request on the node's control socket; the reply (caller owns); dies
 * unless it says ok. */
json_t *synclib_call(synclib_node_t *nd, const char *text);

/* The "records" of its status (what 'antt status --json' prints). */
long synclib_records(synclib_node_t *nd);

/* 'antt -c hub enroll --unit unit --key key [--units scope]', the real CLI
 * (scope: the units a hub enrolled so may enroll in turn; NULL: a station). */
void synclib_enroll(synclib_node_t *hub, const char *unit, const char *key, const char *scope);

/* Records of a store whose signatures the background audit has not
 * checked yet. */
long synclib_count_unaudited(const char *store);

/* ---- what is signed ---- */

/* The body anttd signs for the bench's report i (an event report of about
 * 200 bytes, the same reports as antt-bench's) as record seq of author
 * after prev, encoded; the caller frees *body. */
void synclib_body(const uint8_t author[ANTT_KEY_BYTES], uint64_t seq,
                  const uint8_t prev[ANTT_ID_BYTES], int64_t clock, long i, uint8_t **body,
                  size_t *len);

/* Ed25519 on one core over such a body, seconds each. */
typedef struct {
	double sign, verify; /* per second */
	size_t body_len;
} synclib_crypto_t;

void synclib_crypto_rates(double seconds, synclib_crypto_t *c);

/* ---- the tree: commune -> district -> province ---- */

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
	synclib_link_t link[2]; /* with wire: commune -> district, district -> province */
	long hwm_kb[N_TIERS];   /* VmHWM of each anttd, just before it stopped */
	long lost, duplicated;  /* the commune's records at the province */
	double cpu_submit;      /* the 'antt submit' process */
	double cpu_until_receipt[N_TIERS]; /* each anttd, submit to receipt */
} synclib_tree_t;

typedef struct {
	const char *tag; /* node names: TAG-province, ...; NULL: province, ... */
	int relay;       /* the commune's parent is a TCP relay that counts bytes */
	int relaxed;     /* [node] durability = relaxed at every node */
	int wire;        /* count the bytes of both links with tcp_info */
} synclib_tree_cfg_t;

/* Three anttd, each child enrolled at its parent; once settled, 'antt
 * submit --file' of n reports at the commune, timed until the province
 * holds them all, then until the commune has the province's receipt.  Dies
 * unless the district and the province hold exactly what was submitted and
 * every anttd exits 0. */
void synclib_tree(long n, const synclib_tree_cfg_t *cfg, synclib_tree_t *t);

#endif
