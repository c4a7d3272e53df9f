/* mosq_bench.c - the Mosquitto clients of antt-versus-bench: a
 * publisher at the bottom of a chain of bridged brokers and a subscriber at
 * its top, both on libmosquitto, MQTT 3.1.1, QoS 1.
 *
 *     antt-mosq-bench pub --host H --port P -n N --size S --nonce X [--inflight 1000]
 *     antt-mosq-bench sub --host H --port P -n N --size S --nonce X [--silence 10]
 *
 * Every message is S bytes on the topic antt/12346: its sequence number
 * (0 .. N-1, 8 bytes big-endian), the run's nonce (8 bytes: messages of an
 * earlier run are not counted), then filler bytes made from both.
 *
 * sub connects with a persistent session (clean session false, client id
 * antt-versus-sub), subscribes to antt/# at QoS 1 and prints
 * "ready LOCALPORT" once the broker has granted it.  It prints "probe" when
 * the first message on antt/probe arrives, counts every message on
 * antt/12346 (unique, duplicated, out of order, malformed), and stops when
 * all N have arrived (then listens --linger s more for late duplicates, not
 * timed), after --silence s without a message once the first has come, or
 * after --timeout s in all.  It prints one JSON line last.
 *
 * pub connects (clean session false, client id antt-versus-pub,
 * mosquitto_max_inflight_messages_set(--inflight)), prints "connected
 * LOCALPORT", and publishes one QoS 1 message on antt/probe every 100 ms
 * until it reads "go" on stdin: the orchestrator says go once a probe has
 * crossed the whole chain.  Then it publishes the N messages at QoS 1, never
 * more than --inflight without their PUBACK, and prints one JSON line when
 * every PUBACK has come (or after --timeout s).
 *
 * Times are CLOCK_MONOTONIC in ns, comparable between the two processes:
 * the orchestrator takes the end to end time as the subscriber's last
 * arrival minus the publisher's first publish.
 *
 * Exit code: 0 when the run ended as described (losses included: they are
 * reported), 1 on an error, 2 on a usage error. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "benchlib.h"

#define DATA_TOPIC "antt/12346"
#define PROBE_TOPIC "antt/probe"
#define SUB_TOPIC "antt/#"
#define HEADER_BYTES 16
#define KEEPALIVE_S 60

typedef struct {
	const char *mode, *host, *id;
	int port;
	long n, size, inflight;
	uint64_t nonce;
	double silence_s, timeout_s, linger_s;
} m_opts_t;

static int m_local_port(struct mosquitto *mosq)
{
	struct sockaddr_storage a;
	socklen_t len = sizeof a;
	int fd = mosquitto_socket(mosq);
	if (fd < 0 || getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		return 0;
	if (a.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&a)->sin_port);
	if (a.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&a)->sin6_port);
	return 0;
}

static void m_put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t m_get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* Message seq of the run: header, then xorshift filler (does not compress;
 * neither does a signature). */
static void m_payload(uint8_t *buf, long size, uint64_t seq, uint64_t nonce)
{
	m_put64(buf, seq);
	m_put64(buf + 8, nonce);
	uint64_t x = (seq + 1) * 0x9E3779B97F4A7C15ull ^ nonce;
	for (long i = HEADER_BYTES; i < size; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (uint8_t)x;
	}
}

static struct mosquitto *m_client(const m_opts_t *o, void *obj)
{
	struct mosquitto *mosq = mosquitto_new(o->id, false, obj);
	if (!mosq)
		bench_die("mosquitto_new: %s", strerror(errno));
	mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
	return mosq;
}

/* Connect, retrying for up to timeout_s (a broker still starting). */
static void m_connect(struct mosquitto *mosq, const m_opts_t *o)
{
	int64_t deadline = bench_now_ns() + (int64_t)(o->timeout_s * 1e9);
	int rc;
	while ((rc = mosquitto_connect(mosq, o->host, o->port, KEEPALIVE_S)) != MOSQ_ERR_SUCCESS) {
		if (bench_now_ns() > deadline)
			bench_die("cannot connect to %s:%d: %s", o->host, o->port,
			          rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
		usleep(100000);
	}
}

/* One turn of the network loop; after a lost connection, reconnect (the
 * session is persistent: QoS 1 messages in flight are sent again). */
static void m_loop(struct mosquitto *mosq, int timeout_ms, long *reconnects)
{
	int rc = mosquitto_loop(mosq, timeout_ms, 1);
	if (rc == MOSQ_ERR_SUCCESS)
		return;
	if (rc != MOSQ_ERR_CONN_LOST && rc != MOSQ_ERR_NO_CONN && rc != MOSQ_ERR_ERRNO &&
	    rc != MOSQ_ERR_PROTOCOL)
		bench_die("mosquitto_loop: %s", mosquitto_strerror(rc));
	usleep(100000);
	if (mosquitto_reconnect(mosq) == MOSQ_ERR_SUCCESS)
		(*reconnects)++;
}

/* ---- sub ---- */

typedef struct {
	const m_opts_t *o;
	int connected, subscribed, probe_seen;
	uint8_t *seen; /* a bit per sequence number */
	long unique, dups, ooo, bad, probes, other, received;
	uint64_t max_seq, payload_bytes;
	int64_t first_ns, last_ns, complete_ns, last_any_ns;
} m_sub_t;

static void m_sub_on_connect(struct mosquitto *mosq, void *obj, int rc)
{
	m_sub_t *s = obj;
	if (rc != 0)
		bench_die("the broker refused the subscriber: %s", mosquitto_connack_string(rc));
	s->connected = 1;
	int r = mosquitto_subscribe(mosq, NULL, SUB_TOPIC, 1);
	if (r != MOSQ_ERR_SUCCESS)
		bench_die("subscribe: %s", mosquitto_strerror(r));
}

static void m_sub_on_subscribe(struct mosquitto *mosq, void *obj, int mid, int n,
                               const int *granted)
{
	m_sub_t *s = obj;
	(void)mid;
	if (n != 1 || granted[0] != 1)
		bench_die("the broker did not grant QoS 1 on %s", SUB_TOPIC);
	if (!s->subscribed) {
		s->subscribed = 1;
		printf("ready %d\n", m_local_port(mosq));
		fflush(stdout);
	}
}

static void m_sub_on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *m)
{
	m_sub_t *s = obj;
	int64_t now = bench_now_ns();
	(void)mosq;
	s->last_any_ns = now;
	if (!strcmp(m->topic, PROBE_TOPIC)) {
		s->probes++;
		if (!s->probe_seen) {
			s->probe_seen = 1;
			printf("probe\n");
			fflush(stdout);
		}
		return;
	}
	if (strcmp(m->topic, DATA_TOPIC)) {
		s->other++;
		return;
	}
	const uint8_t *p = m->payload;
	if (m->payloadlen != s->o->size || m->payloadlen < HEADER_BYTES ||
	    m_get64(p + 8) != s->o->nonce) {
		s->bad++;
		return;
	}
	uint64_t seq = m_get64(p);
	if (seq >= (uint64_t)s->o->n) {
		s->bad++;
		return;
	}
	s->received++;
	s->payload_bytes += (uint64_t)m->payloadlen;
	if (!s->first_ns)
		s->first_ns = now;
	s->last_ns = now;
	if (s->seen[seq / 8] & (1u << (seq % 8))) {
		s->dups++;
		return;
	}
	s->seen[seq / 8] |= (uint8_t)(1u << (seq % 8));
	if (s->unique && seq < s->max_seq)
		s->ooo++;
	if (seq > s->max_seq)
		s->max_seq = seq;
	if (++s->unique == s->o->n)
		s->complete_ns = now;
}

static int m_sub(const m_opts_t *o)
{
	m_sub_t s = {.o = o};
	long reconnects = 0;
	s.seen = calloc((size_t)o->n / 8 + 1, 1);
	if (!s.seen)
		bench_die("out of memory");
	struct mosquitto *mosq = m_client(o, &s);
	mosquitto_connect_callback_set(mosq, m_sub_on_connect);
	mosquitto_subscribe_callback_set(mosq, m_sub_on_subscribe);
	mosquitto_message_callback_set(mosq, m_sub_on_message);
	m_connect(mosq, o);
	int64_t start = bench_now_ns(), deadline = start + (int64_t)(o->timeout_s * 1e9);
	const char *end = "timeout";
	for (;;) {
		m_loop(mosq, 100, &reconnects);
		int64_t now = bench_now_ns();
		if (s.complete_ns) {
			if (now - s.complete_ns >= (int64_t)(o->linger_s * 1e9)) {
				end = "complete";
				break;
			}
		} else if (s.last_ns && now - s.last_any_ns >= (int64_t)(o->silence_s * 1e9)) {
			end = "silence";
			break;
		}
		if (now > deadline)
			break;
	}
	double cpu = bench_self_cpu();
	long lost = o->n - s.unique;
	printf("{\"end\":\"%s\",\"n\":%ld,\"received\":%ld,\"unique\":%ld,\"lost\":%ld,"
	       "\"duplicates\":%ld,\"out_of_order\":%ld,\"malformed\":%ld,\"probes\":%ld,"
	       "\"other\":%ld,\"payload_bytes\":%" PRIu64 ",\"first_ns\":%" PRId64
	       ",\"last_ns\":%" PRId64 ",\"complete_ns\":%" PRId64
	       ",\"reconnects\":%ld,\"cpu_s\":%.3f,\"vmhwm_kb\":%ld}\n",
	       end, o->n, s.received, s.unique, lost, s.dups, s.ooo, s.bad, s.probes, s.other,
	       s.payload_bytes, s.first_ns, s.last_ns, s.complete_ns, reconnects, cpu,
	       bench_vmhwm_kb(getpid()));
	fflush(stdout);
	mosquitto_disconnect(mosq);
	mosquitto_destroy(mosq);
	free(s.seen);
	return 0;
}

/* ---- pub ---- */

typedef struct {
	int connected;
	long acked; /* PUBACKs, probes included */
} m_pub_t;

static void m_pub_on_connect(struct mosquitto *mosq, void *obj, int rc)
{
	m_pub_t *p = obj;
	(void)mosq;
	if (rc != 0)
		bench_die("the broker refused the publisher: %s", mosquitto_connack_string(rc));
	p->connected = 1;
}

static void m_pub_on_publish(struct mosquitto *mosq, void *obj, int mid)
{
	m_pub_t *p = obj;
	(void)mosq, (void)mid;
	p->acked++;
}

/* Whether stdin says "go" (within timeout_ms). */
static int m_go(int timeout_ms)
{
	static char buf[64];
	static size_t len;
	struct pollfd pf = {.fd = 0, .events = POLLIN};
	if (poll(&pf, 1, timeout_ms) <= 0)
		return 0;
	ssize_t r = read(0, buf + len, sizeof buf - 1 - len);
	if (r <= 0)
		bench_die("stdin closed before 'go'");
	len += (size_t)r;
	buf[len] = '\0';
	if (strstr(buf, "go\n"))
		return 1;
	if (len == sizeof buf - 1)
		len = 0;
	return 0;
}

static int m_pub(const m_opts_t *o)
{
	m_pub_t p = {0};
	long reconnects = 0, probes = 0, sent = 0;
	uint8_t *buf = malloc((size_t)o->size);
	if (!buf)
		bench_die("out of memory");
	struct mosquitto *mosq = m_client(o, &p);
	mosquitto_connect_callback_set(mosq, m_pub_on_connect);
	mosquitto_publish_callback_set(mosq, m_pub_on_publish);
	/* the client's own window, as the brief of the benchmark says: never
	 * more than this many QoS 1 messages without their PUBACK */
	mosquitto_max_inflight_messages_set(mosq, (unsigned)o->inflight);
	m_connect(mosq, o);
	int64_t deadline = bench_now_ns() + (int64_t)(o->timeout_s * 1e9);
	while (!p.connected) {
		m_loop(mosq, 100, &reconnects);
		if (bench_now_ns() > deadline)
			bench_die("no CONNACK from %s:%d", o->host, o->port);
	}
	printf("connected %d\n", m_local_port(mosq));
	fflush(stdout);
	/* probes until the orchestrator has seen one at the top */
	int64_t next_probe = 0;
	for (;;) {
		int64_t now = bench_now_ns();
		if (now >= next_probe) {
			int rc = mosquitto_publish(mosq, NULL, PROBE_TOPIC, 5, "probe", 1, false);
			if (rc != MOSQ_ERR_SUCCESS)
				bench_die("publish: %s", mosquitto_strerror(rc));
			probes++;
			next_probe = now + 100000000;
		}
		m_loop(mosq, 10, &reconnects);
		if (m_go(0))
			break;
		if (now > deadline)
			bench_die("no 'go' within %.0f s", o->timeout_s);
	}
	/* the timed part */
	int64_t first_ns = bench_now_ns(), last_ack_ns = 0;
	deadline = first_ns + (int64_t)(o->timeout_s * 1e9);
	long want = probes + o->n;
	while (p.acked < want) {
		while (sent < o->n && sent - (p.acked - probes) < o->inflight) {
			m_payload(buf, o->size, (uint64_t)sent, o->nonce);
			/* at QoS 1 libmosquitto queues the message while the
			 * connection is down and sends it once it is back */
			int rc =
			    mosquitto_publish(mosq, NULL, DATA_TOPIC, (int)o->size, buf, 1, false);
			if (rc != MOSQ_ERR_SUCCESS)
				bench_die("publish: %s", mosquitto_strerror(rc));
			sent++;
		}
		m_loop(mosq, 100, &reconnects);
		if (bench_now_ns() > deadline)
			break;
	}
	if (p.acked >= want)
		last_ack_ns = bench_now_ns();
	long acked = p.acked - probes < 0 ? 0 : p.acked - probes;
	printf("{\"n\":%ld,\"sent\":%ld,\"acked\":%ld,\"probes\":%ld,\"inflight\":%ld,"
	       "\"first_ns\":%" PRId64 ",\"last_ack_ns\":%" PRId64
	       ",\"reconnects\":%ld,\"cpu_s\":%.3f,\"vmhwm_kb\":%ld}\n",
	       o->n, sent, acked > o->n ? o->n : acked, probes, o->inflight, first_ns, last_ack_ns,
	       reconnects, bench_self_cpu(), bench_vmhwm_kb(getpid()));
	fflush(stdout);
	mosquitto_disconnect(mosq);
	mosquitto_loop(mosq, 100, 1);
	mosquitto_destroy(mosq);
	free(buf);
	return 0;
}

/* ---- main ---- */

static void m_usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: antt-mosq-bench pub|sub --host H --port P -n N --size S --nonce X [options]\n"
	    "  --id ID          client id (antt-versus-pub, antt-versus-sub)\n"
	    "  --inflight K     pub: QoS 1 messages without their PUBACK, at most (1000)\n"
	    "  --silence S      sub: stop after S s without a message (10)\n"
	    "  --linger S       sub: listen S s more once all have come (1)\n"
	    "  --timeout S      give up after S s in all (900)\n"
	    "Run by antt-versus-bench; see bench/mosq_bench.c.\n");
}

static double m_num(const char *name, const char *s, double min, double max)
{
	char *end;
	double v = strtod(s, &end);
	if (*end || !(v >= min && v <= max)) {
		fprintf(stderr, "antt-mosq-bench: %s takes a number from %g to %g\n", name, min,
		        max);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	enum { O_HOST = 1000, O_PORT, O_SIZE, O_NONCE, O_ID, O_INFL, O_SIL, O_LING, O_TMO };
	static const struct option opts[] = {{"host", required_argument, NULL, O_HOST},
	                                     {"port", required_argument, NULL, O_PORT},
	                                     {"records", required_argument, NULL, 'n'},
	                                     {"size", required_argument, NULL, O_SIZE},
	                                     {"nonce", required_argument, NULL, O_NONCE},
	                                     {"id", required_argument, NULL, O_ID},
	                                     {"inflight", required_argument, NULL, O_INFL},
	                                     {"silence", required_argument, NULL, O_SIL},
	                                     {"linger", required_argument, NULL, O_LING},
	                                     {"timeout", required_argument, NULL, O_TMO},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {0}};
	bench_setup("antt-mosq-bench", NULL);
	m_opts_t o = {.host = "127.0.0.1",
	              .port = 1883,
	              .n = 100000,
	              .size = 271,
	              .inflight = 1000,
	              .silence_s = 10,
	              .timeout_s = 900,
	              .linger_s = 1};
	if (argc < 2 || (strcmp(argv[1], "pub") && strcmp(argv[1], "sub"))) {
		m_usage(argc > 1 && !strcmp(argv[1], "--help") ? stdout : stderr);
		return argc > 1 && !strcmp(argv[1], "--help") ? 0 : 2;
	}
	o.mode = argv[1];
	optind = 2;
	int opt;
	while ((opt = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
		switch (opt) {
		case O_HOST: o.host = optarg; break;
		case O_PORT: o.port = (int)m_num("--port", optarg, 1, 65535); break;
		case 'n': o.n = (long)m_num("-n", optarg, 1, 100000000); break;
		case O_SIZE: o.size = (long)m_num("--size", optarg, HEADER_BYTES, 1 << 20); break;
		case O_NONCE: o.nonce = strtoull(optarg, NULL, 10); break;
		case O_ID: o.id = optarg; break;
		case O_INFL: o.inflight = (long)m_num("--inflight", optarg, 1, 65535); break;
		case O_SIL: o.silence_s = m_num("--silence", optarg, 0.1, 86400); break;
		case O_LING: o.linger_s = m_num("--linger", optarg, 0, 3600); break;
		case O_TMO: o.timeout_s = m_num("--timeout", optarg, 1, 86400); break;
		case 'h': m_usage(stdout); return 0;
		default: m_usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		m_usage(stderr);
		return 2;
	}
	if (!o.id)
		o.id = !strcmp(o.mode, "pub") ? "antt-versus-pub" : "antt-versus-sub";
	setvbuf(stdout, NULL, _IOLBF, 0);
	mosquitto_lib_init();
	int rc = !strcmp(o.mode, "pub") ? m_pub(&o) : m_sub(&o);
	mosquitto_lib_cleanup();
	return rc;
}
