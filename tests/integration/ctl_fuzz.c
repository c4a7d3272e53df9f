/* ctl_fuzz.c - a robustness test of anttd's control socket, run by
 * t_ctl_fuzz.sh against a real anttd (no mocks):
 *
 *   ctl_fuzz ENDPOINT [--seed N] [--mutations N] [--seconds S] [--strict]
 *
 * It sends thousands of bad requests over DEALER and REQ sockets: wrong
 * frame counts, payloads that are not JSON or not an object, every op with
 * every field of the wrong type, bad reports, bad record ids, attachments
 * where none belongs, 60 MB attachments, and a seeded, bounded loop of
 * random mutations of valid requests.
 *
 * Every reply must be exactly one frame holding a JSON object whose "ok" is
 * a boolean; a refusal has an "error" class among usage, data and notfound
 * (a bad request must never make the store or anttd itself fail) and a
 * non-empty "message".  Requests that must be refused are checked to be
 * refused, with the documented class where there is one.  Every accepted
 * submit or correct must extend the node's chain by exactly its records,
 * without a gap; at the end the program checks the node's own count and
 * runs verify.  The last line printed is "accepted N": the records anttd
 * stored because of this run.  Exit 0 when every check held, 1 otherwise,
 * 2 on a usage error.
 *
 * Requests go one at a time over a DEALER, each followed by a sentinel: a
 * show of an id that cannot exist, whose refusal names that id.  The
 * replies that arrive before the sentinel's are the request's, so a request
 * anttd drops without an answer is told apart from a slow one without
 * waiting out a timeout.  (verify answers from the thread pool, possibly
 * after later requests: a verify is awaited alone, without a sentinel.)
 *
 * --strict expects what anttd should do once the bugs reported with this
 * test are fixed (see the X_LENIENT cases): a reply to a malformed request
 * whose envelope is intact, a refusal of fields of the wrong type and of
 * attachments where none belongs, and long multi-byte strings, which
 * currently make anttd abort.  Without it those cases only have to get a
 * well-formed reply (or none), and the multi-byte strings are not sent.
 *
 * The requests are a function of the seed and of the ids anttd hands back
 * (random keys make those differ from run to run); --seconds bounds the
 * mutation loop in time as a safety net only: at the defaults the loop
 * ends by its count long before. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "common.h"
#include "record.h"

#define REPLY_TIMEOUT_MS 60000 /* anttd under ASan parsing 60 MB */
#define DROP_WAIT_MS 300       /* REQ: how long to wait for a reply that may not come */
#define BIG_ATTACH 60000000    /* 60 MB: under the 64 MiB limit */
#define MAX_FAILS_SHOWN 25

/* ---- state ---- */

enum { W_ANY, W_OK, W_ERR, W_DROP_OR_ERR };

typedef struct {
	int want;
	const char *cls; /* the error class a refusal must have, or NULL */
	int lenient;     /* only --strict expects a refusal */
} fz_exp_t;

#define X_ANY ((fz_exp_t){W_ANY, NULL, 0})
#define X_OK ((fz_exp_t){W_OK, NULL, 0})
#define X_ERR(c) ((fz_exp_t){W_ERR, (c), 0})
#define X_DROP_OR_ERR(c) ((fz_exp_t){W_DROP_OR_ERR, (c), 0})
/* refused (class c) only once the reported bugs are fixed */
#define X_LENIENT(c) (G.strict ? (fz_exp_t){W_ERR, (c), 1} : (fz_exp_t){W_ANY, NULL, 1})
#define X_LENIENT_DROP(c)                                                                          \
	(G.strict ? (fz_exp_t){W_ERR, (c), 1} : (fz_exp_t){W_DROP_OR_ERR, NULL, 1})

typedef struct {
	const void *p;
	size_t n;
} fz_frame_t;

typedef struct {
	size_t n;      /* parts received */
	char *data[4]; /* the first four, NUL-terminated copies */
	size_t len[4];
} fz_msg_t;

static struct {
	const char *endpoint;
	void *ctx;
	void *dealer;
	void *req;
	int strict;
	uint64_t rng;
	uint64_t sentinel_no;
	char sentinel_hex[2 * ANTT_ID_BYTES + 1];
	const char *phase;
	/* counts */
	long requests, replies, dropped, oks, refusals, lenient_hits, fails;
	long cls_count[3];
	/* the chain as anttd reports it */
	int64_t records0;
	int64_t head;                       /* seq of the node's last record */
	int64_t accepted;                   /* records stored because of this run */
	char cur_id[2 * ANTT_ID_BYTES + 1]; /* latest version of the record corrected */
	char event_id[2 * ANTT_ID_BYTES + 1];
	json_t *ids; /* every id anttd reported stored */
	struct timespec t0;
} G;

static const char *s_classes[] = {"usage", "data", "notfound"};

/* ---- helpers ---- */

static double fz_elapsed(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - G.t0.tv_sec) + (double)(t.tv_nsec - G.t0.tv_nsec) / 1e9;
}

/* The first bytes of a frame, printable. */
static const char *fz_show(const void *p, size_t n, char *buf, size_t cap)
{
	static const char hexd[] = "0123456789abcdef";
	const unsigned char *s = p;
	size_t o = 0, i;
	for (i = 0; i < n && o + 8 < cap; i++) {
		unsigned char c = s[i];
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			buf[o++] = (char)c;
		} else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hexd[c >> 4];
			buf[o++] = hexd[c & 15];
		}
	}
	if (i < n)
		o += (size_t)snprintf(buf + o, cap - o, "...(%zu bytes)", n);
	buf[o < cap ? o : cap - 1] = '\0';
	return buf;
}

static void fz_fail(const char *what, const fz_frame_t *f, size_t nf, const char *reply,
                    size_t rlen, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void fz_fail(const char *what, const fz_frame_t *f, size_t nf, const char *reply,
                    size_t rlen, const char *fmt, ...)
{
	char buf[640];
	va_list ap;
	G.fails++;
	if (G.fails > MAX_FAILS_SHOWN)
		return;
	fprintf(stderr, "FAIL [%s] %s: ", G.phase, what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	for (size_t i = 0; f && i < nf && i < 4; i++)
		fprintf(stderr, "    frame %zu: %s\n", i, fz_show(f[i].p, f[i].n, buf, 400));
	if (f && nf > 4)
		fprintf(stderr, "    (%zu frames in all)\n", nf);
	if (reply)
		fprintf(stderr, "    reply: %s\n", fz_show(reply, rlen, buf, sizeof buf));
}

static void fz_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void fz_fatal(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "FATAL [%s]: ", G.phase ? G.phase : "setup");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%ld request(s) sent, %ld failure(s) before this\n", G.requests, G.fails);
	exit(1);
}

/* xorshift64*: the only source of randomness, seeded from the command line */
static uint64_t fz_rand(void)
{
	G.rng ^= G.rng >> 12;
	G.rng ^= G.rng << 25;
	G.rng ^= G.rng >> 27;
	return G.rng * 0x2545F4914F6CDD1DULL;
}

static size_t fz_below(size_t n)
{
	return n ? (size_t)(fz_rand() % n) : 0;
}

/* a growable string */
typedef struct {
	char *p;
	size_t n, cap;
} fz_buf_t;

static void fz_put(fz_buf_t *b, const void *p, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->p = antt_xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void fz_puts(fz_buf_t *b, const char *s)
{
	fz_put(b, s, strlen(s));
}

static void fz_putf(fz_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fz_putf(fz_buf_t *b, const char *fmt, ...)
{
	char *s;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	fz_puts(b, s);
	free(s);
}

static void fz_repeat(fz_buf_t *b, const char *s, size_t times)
{
	for (size_t i = 0; i < times; i++)
		fz_puts(b, s);
}

static char *fz_dump(const json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);
	if (!s)
		abort();
	return s;
}

/* ---- sockets ---- */

static void *fz_socket(int type)
{
	void *s = zmq_socket(G.ctx, type);
	int zero = 0, t = REPLY_TIMEOUT_MS;
	if (!s)
		fz_fatal("zmq_socket: %s", zmq_strerror(errno));
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(s, ZMQ_SNDTIMEO, &t, sizeof t);
	if (zmq_connect(s, G.endpoint) != 0)
		fz_fatal("cannot connect to %s: %s", G.endpoint, zmq_strerror(errno));
	return s;
}

static void fz_send(void *sock, const fz_frame_t *f, size_t nf, const char *what)
{
	for (size_t i = 0; i < nf; i++)
		if (zmq_send(sock, f[i].p, f[i].n, i + 1 < nf ? ZMQ_SNDMORE : 0) < 0)
			fz_fatal("%s: cannot send frame %zu: %s (is anttd still running?)", what, i,
			         zmq_strerror(errno));
}

static void fz_msg_free(fz_msg_t *m)
{
	for (size_t i = 0; i < 4; i++)
		free(m->data[i]);
	memset(m, 0, sizeof *m);
}

/* One whole message, or -1 after timeout_ms. */
static int fz_recv(void *sock, int timeout_ms, fz_msg_t *m)
{
	memset(m, 0, sizeof *m);
	zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};
	int rc;
	do
		rc = zmq_poll(&it, 1, timeout_ms);
	while (rc < 0 && errno == EINTR);
	if (rc <= 0)
		return -1;
	for (int more = 1; more;) {
		zmq_msg_t z;
		zmq_msg_init(&z);
		if (zmq_msg_recv(&z, sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&z);
			fz_fatal("a message ended after %zu part(s): %s", m->n,
			         zmq_strerror(errno));
		}
		if (m->n < 4) {
			m->len[m->n] = zmq_msg_size(&z);
			m->data[m->n] = antt_xmalloc(m->len[m->n] + 1);
			memcpy(m->data[m->n], zmq_msg_data(&z), m->len[m->n]);
			m->data[m->n][m->len[m->n]] = '\0';
		}
		m->n++;
		more = zmq_msg_more(&z);
		zmq_msg_close(&z);
	}
	return 0;
}

/* ---- checking replies ---- */

/* The op of a request anttd will carry out (frames as a DEALER sends them,
 * starting with the delimiter), or "" when it will not get that far. */
static void fz_request_op(const fz_frame_t *f, size_t nf, char op[32])
{
	op[0] = '\0';
	if (nf < 2 || nf > 3 || f[0].n != 0)
		return;
	json_error_t je;
	json_t *j = json_loadb(f[1].p, f[1].n, JSON_REJECT_DUPLICATES, &je);
	const char *s = json_string_value(json_object_get(j, "op"));
	if (json_is_object(j) && s)
		snprintf(op, 32, "%s", s);
	json_decref(j);
}

static int fz_is_hex64(const char *s)
{
	uint8_t tmp[ANTT_ID_BYTES];
	return s && antt_unhex(tmp, ANTT_ID_BYTES, s) == 0;
}

/* An accepted submit or correct: it must extend the chain by its records. */
static void fz_account(const char *what, const fz_frame_t *f, size_t nf, const char *op, json_t *r,
                       const char *text, size_t tlen)
{
	const char *id = json_string_value(json_object_get(r, "id"));
	json_int_t seq = json_integer_value(json_object_get(r, "seq"));
	if (!strcmp(op, "submit")) {
		json_int_t count = json_integer_value(json_object_get(r, "count"));
		json_int_t first = json_integer_value(json_object_get(r, "first_seq"));
		json_t *recs = json_object_get(r, "records");
		if (count < 1 || first != G.head + 1 || seq != first + count - 1 ||
		    !fz_is_hex64(id)) {
			fz_fail(what, f, nf, text, tlen,
			        "accepted submit does not extend the chain: head was %" PRId64,
			        G.head);
			if (seq > G.head)
				G.head = seq;
			return;
		}
		if (recs && (!json_is_array(recs) || json_array_size(recs) != (size_t)count))
			fz_fail(what, f, nf, text, tlen,
			        "\"records\" does not list the %lld records", (long long)count);
		G.head = seq;
		G.accepted += count;
		json_array_append_new(G.ids, json_string(id));
		if (!G.event_id[0])
			snprintf(G.event_id, sizeof G.event_id, "%s", id);
	} else if (!strcmp(op, "enroll")) {
		if (seq != G.head + 1 || !fz_is_hex64(id)) {
			fz_fail(what, f, nf, text, tlen,
			        "accepted enroll does not extend the chain: head was %" PRId64,
			        G.head);
			if (seq > G.head)
				G.head = seq;
			return;
		}
		G.head = seq;
		G.accepted++;
		json_array_append_new(G.ids, json_string(id));
	} else if (!strcmp(op, "correct")) {
		const char *corrects = json_string_value(json_object_get(r, "corrects"));
		if (seq != G.head + 1 || !fz_is_hex64(id) || !fz_is_hex64(corrects)) {
			fz_fail(what, f, nf, text, tlen,
			        "accepted correct does not extend the chain: head was %" PRId64,
			        G.head);
			if (seq > G.head)
				G.head = seq;
			return;
		}
		G.head = seq;
		G.accepted++;
		json_array_append_new(G.ids, json_string(id));
		if (!strcmp(corrects, G.cur_id))
			snprintf(G.cur_id, sizeof G.cur_id, "%s", id);
	}
}

/* Check one reply payload against the expectation; returns it parsed (or
 * NULL when it is not a JSON object). */
static json_t *fz_check(const char *what, const fz_frame_t *f, size_t nf, const char *op,
                        const char *text, size_t tlen, fz_exp_t exp)
{
	json_error_t je;
	G.replies++;
	json_t *r = json_loadb(text, tlen, 0, &je);
	if (!json_is_object(r)) {
		fz_fail(what, f, nf, text, tlen, "reply is not a JSON object (%s)",
		        r ? "other JSON" : je.text);
		json_decref(r);
		return NULL;
	}
	json_t *ok = json_object_get(r, "ok");
	if (!json_is_boolean(ok)) {
		fz_fail(what, f, nf, text, tlen, "reply has no boolean \"ok\"");
		return r;
	}
	if (json_is_true(ok)) {
		G.oks++;
		if (exp.lenient && !G.strict)
			G.lenient_hits++;
		if (exp.want == W_ERR || exp.want == W_DROP_OR_ERR)
			fz_fail(what, f, nf, text, tlen, "accepted, but must be refused%s%s",
			        exp.cls ? " with class " : "", exp.cls ? exp.cls : "");
		else if (op[0])
			fz_account(what, f, nf, op, r, text, tlen);
		return r;
	}
	G.refusals++;
	const char *cls = json_string_value(json_object_get(r, "error"));
	const char *msg = json_string_value(json_object_get(r, "message"));
	int k = -1;
	for (int i = 0; cls && i < 3; i++)
		if (!strcmp(cls, s_classes[i]))
			k = i;
	if (!msg || !*msg)
		fz_fail(what, f, nf, text, tlen, "refusal without a \"message\"");
	if (k < 0) {
		fz_fail(what, f, nf, text, tlen,
		        "error class %s%s%s: a bad request must be refused as usage, data or "
		        "notfound",
		        cls ? "\"" : "", cls ? cls : "missing", cls ? "\"" : "");
		return r;
	}
	G.cls_count[k]++;
	if (exp.want == W_OK)
		fz_fail(what, f, nf, text, tlen, "refused, but must be accepted");
	else if (exp.cls && strcmp(exp.cls, cls))
		fz_fail(what, f, nf, text, tlen, "error class \"%s\", expected \"%s\"", cls,
		        exp.cls);
	return r;
}

static int fz_is_sentinel(const fz_msg_t *m)
{
	return m->n == 2 && m->len[0] == 0 && strstr(m->data[1], G.sentinel_hex) &&
	       strstr(m->data[1], "\"notfound\"");
}

/* Send a request over the DEALER (frames as given: the first is normally
 * the empty delimiter) and check what comes back.  Returns the reply, if
 * one came, parsed (caller owns), else NULL. */
static json_t *fz_dealer(const char *what, const fz_frame_t *f, size_t nf, fz_exp_t exp)
{
	char op[32];
	fz_msg_t m;
	json_t *last = NULL;
	G.requests++;
	fz_request_op(f, nf, op);
	fz_send(G.dealer, f, nf, what);
	if (!strcmp(op, "verify")) {
		/* answered from the thread pool: wait for it alone */
		if (fz_recv(G.dealer, REPLY_TIMEOUT_MS, &m) < 0)
			fz_fatal("%s: no reply to verify within %d s: anttd is dead or stuck", what,
			         REPLY_TIMEOUT_MS / 1000);
		if (m.n != 2 || m.len[0] != 0)
			fz_fail(what, f, nf, m.data[m.n > 1], m.len[m.n > 1],
			        "reply is %zu frame(s), expected the delimiter and one frame", m.n);
		else
			last = fz_check(what, f, nf, op, m.data[1], m.len[1], exp);
		fz_msg_free(&m);
		return last;
	}
	char sentinel[128];
	G.sentinel_no++;
	snprintf(G.sentinel_hex, sizeof G.sentinel_hex, "5e5e%060" PRIx64, G.sentinel_no);
	int slen =
	    snprintf(sentinel, sizeof sentinel, "{\"op\":\"show\",\"id\":\"%s\"}", G.sentinel_hex);
	fz_frame_t sf[2] = {{"", 0}, {sentinel, (size_t)slen}};
	fz_send(G.dealer, sf, 2, "sentinel");
	int got = 0;
	for (;;) {
		if (fz_recv(G.dealer, REPLY_TIMEOUT_MS, &m) < 0)
			fz_fatal("%s: no reply within %d s: anttd is dead or stuck", what,
			         REPLY_TIMEOUT_MS / 1000);
		if (fz_is_sentinel(&m)) {
			fz_msg_free(&m);
			break;
		}
		got++;
		if (m.n != 2 || m.len[0] != 0) {
			fz_fail(what, f, nf, m.n ? m.data[m.n - 1] : NULL, m.n ? m.len[m.n - 1] : 0,
			        "reply is %zu frame(s), expected the delimiter and one frame", m.n);
		} else {
			json_decref(last);
			last = fz_check(what, f, nf, op, m.data[1], m.len[1], exp);
		}
		fz_msg_free(&m);
	}
	if (got > 1)
		fz_fail(what, f, nf, NULL, 0, "%d replies to one request", got);
	if (got == 0) {
		G.dropped++;
		if (exp.want == W_OK || exp.want == W_ERR)
			fz_fail(what, f, nf, NULL, 0, "no reply (dropped), expected %s",
			        exp.want == W_OK ? "acceptance" : "a refusal");
		else if (exp.lenient && !G.strict)
			G.lenient_hits++;
	}
	return last;
}

static void fz_do(const char *what, const fz_frame_t *f, size_t nf, fz_exp_t exp)
{
	json_decref(fz_dealer(what, f, nf, exp));
}

/* A request in one frame (+ an optional attachment), with the delimiter. */
static json_t *fz_text(const char *what, const char *req, size_t len, fz_exp_t exp)
{
	fz_frame_t f[2] = {{"", 0}, {req, len}};
	return fz_dealer(what, f, 2, exp);
}

static void fz_str(const char *what, const char *req, fz_exp_t exp)
{
	json_decref(fz_text(what, req, strlen(req), exp));
}

static void fz_attach(const char *what, const char *req, const void *a, size_t alen, fz_exp_t exp)
{
	fz_frame_t f[3] = {{"", 0}, {req, strlen(req)}, {a, alen}};
	fz_do(what, f, 3, exp);
}

/* A REQ client: payload frames only (REQ adds the delimiter).  When a
 * reply may not come (the request may be dropped), waits DROP_WAIT_MS and
 * then starts a new REQ socket, as a REQ cannot send again without one. */
static void fz_req(const char *what, const fz_frame_t *f, size_t nf, fz_exp_t exp)
{
	fz_msg_t m;
	char op[32];
	fz_frame_t all[8] = {{"", 0}};
	for (size_t i = 0; i < nf && i < 7; i++)
		all[i + 1] = f[i];
	fz_request_op(all, nf + 1, op);
	G.requests++;
	if (!G.req)
		G.req = fz_socket(ZMQ_REQ);
	fz_send(G.req, f, nf, what);
	int may_drop = exp.want == W_ANY || exp.want == W_DROP_OR_ERR;
	if (fz_recv(G.req, may_drop ? DROP_WAIT_MS : REPLY_TIMEOUT_MS, &m) < 0) {
		if (!may_drop)
			fz_fatal("%s: no reply within %d s: anttd is dead or stuck", what,
			         REPLY_TIMEOUT_MS / 1000);
		G.dropped++;
		if (exp.lenient && !G.strict)
			G.lenient_hits++;
		zmq_close(G.req);
		G.req = NULL;
		return;
	}
	if (m.n != 1)
		fz_fail(what, all, nf + 1, m.data[0], m.len[0],
		        "reply to REQ is %zu frames, expected one", m.n);
	else
		json_decref(fz_check(what, all, nf + 1, op, m.data[0], m.len[0], exp));
	fz_msg_free(&m);
}

/* ---- building requests ---- */

static const char *REPORT_EVENT =
    "{\"form\":\"bvanttq-event\",\"period\":\"2024-06-01\",\"values\":{\"tin_bao\":1}}";

/* Wrong values for any field, as JSON text. */
enum { K_NULL, K_BOOL, K_INT, K_REAL, K_STR, K_LONGSTR, K_ARR, K_OBJ, K_BAD, K_MB };

typedef struct {
	char *text;
	int kind;
	long long ival; /* K_INT */
} fz_wrong_t;

static fz_wrong_t *W;
static size_t NW;

static void fz_wrong_add(const char *text, int kind, long long ival)
{
	W = antt_xrealloc(W, (NW + 1) * sizeof *W);
	W[NW].text = antt_xstrdup(text);
	W[NW].kind = kind;
	W[NW].ival = ival;
	NW++;
}

static void fz_wrong_init(void)
{
	static const struct {
		const char *t;
		int k;
		long long i;
	} fixed[] = {
	    {"null", K_NULL, 0},
	    {"true", K_BOOL, 0},
	    {"false", K_BOOL, 0},
	    {"0", K_INT, 0},
	    {"1", K_INT, 1},
	    {"-1", K_INT, -1},
	    {"9007199254740991", K_INT, 9007199254740991LL},
	    {"9007199254740992", K_INT, 9007199254740992LL},
	    {"9223372036854775807", K_INT, INT64_MAX},
	    {"-9223372036854775808", K_INT, INT64_MIN},
	    {"1.5", K_REAL, 0},
	    {"-0.0", K_REAL, 0},
	    {"1e308", K_REAL, 0},
	    {"-2e-308", K_REAL, 0},
	    {"\"\"", K_STR, 0},
	    {"\"x\"", K_STR, 0},
	    {"\"1\"", K_STR, 0},
	    {"\"-1\"", K_STR, 0},
	    {"\"9223372036854775808\"", K_STR, 0},
	    {"\"2024-06-01\"", K_STR, 0},
	    {"\"ghij\"", K_STR, 0},
	    {"\"Ghi ch\xc3\xba \xe1\xbb\x87\"", K_STR, 0}, /* "Ghi chú ệ": valid, short */
	    {"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"", K_STR, 0},
	    {"[]", K_ARR, 0},
	    {"[1]", K_ARR, 0},
	    {"[null]", K_ARR, 0},
	    {"[[[]]]", K_ARR, 0},
	    {"[\"x\",{}]", K_ARR, 0},
	    {"{}", K_OBJ, 0},
	    {"{\"a\":1}", K_OBJ, 0},
	    {"{\"\":null}", K_OBJ, 0},
	    {"{\"tin_bao\":1}", K_OBJ, 0},
	    /* not JSON: the whole request must be refused as usage */
	    {"9223372036854775808", K_BAD, 0},
	    {"-9223372036854775809", K_BAD, 0},
	    {"18446744073709551616", K_BAD, 0},
	    {"1e999", K_BAD, 0},
	    {"\"\\u0000\"", K_BAD, 0},
	    {"\"a\\u0000b\"", K_BAD, 0},
	    {"\"\\ud800\"", K_BAD, 0},
	    {"\"\\udc00\\ud800\"", K_BAD, 0},
	    {"\"\xff\xfe\"", K_BAD, 0},
	    {"\"\xc3\x28\"", K_BAD, 0},
	    {"\"\xc0\x80\"", K_BAD, 0},
	    {"\"\xed\xa0\x80\"", K_BAD, 0},
	    {"\"\xf4\x90\x80\x80\"", K_BAD, 0},
	    {"\"\xf8\x88\x80\x80\x80\"", K_BAD, 0},
	    {"\"a\x01"
	     "b\"",
	     K_BAD, 0},
	    {"nan", K_BAD, 0},
	    {"0x10", K_BAD, 0},
	    {"01", K_BAD, 0},
	    {"'x'", K_BAD, 0},
	    {"[1,]", K_BAD, 0},
	    {"{\"a\":1,\"a\":2}", K_BAD, 0},
	};
	for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
		fz_wrong_add(fixed[i].t, fixed[i].k, fixed[i].i);
	fz_buf_t b = {0};
	/* long ASCII strings: a note over 4096 bytes, an id far over 64 digits */
	fz_puts(&b, "\"");
	fz_repeat(&b, "a", 5000);
	fz_puts(&b, "\"");
	fz_wrong_add(b.p, K_LONGSTR, 0);
	b.n = 0;
	fz_puts(&b, "\"");
	fz_repeat(&b, "0123456789abcdef", 4096);
	fz_puts(&b, "\"");
	fz_wrong_add(b.p, K_LONGSTR, 0);
	/* nested objects, 64 deep */
	b.n = 0;
	fz_repeat(&b, "{\"a\":", 64);
	fz_puts(&b, "1");
	fz_repeat(&b, "}", 64);
	fz_wrong_add(b.p, K_OBJ, 0);
	/* too deep for the parser */
	b.n = 0;
	fz_repeat(&b, "[", 5000);
	fz_repeat(&b, "]", 5000);
	fz_wrong_add(b.p, K_BAD, 0);
	if (G.strict) {
		/* Long multi-byte text: quoted in an error message and cut to its
		 * size, it may be cut inside a character.  anttd aborts on these
		 * today (see the report); three alignments make sure one splits. */
		static const char *lead[] = {"", "a", "ab"};
		for (size_t i = 0; i < 3; i++) {
			b.n = 0;
			fz_putf(&b, "\"%s", lead[i]);
			fz_repeat(&b, "\xe1\xbb\x87", 400); /* ệ */
			fz_puts(&b, "\"");
			fz_wrong_add(b.p, K_MB, 0);
		}
		b.n = 0;
		fz_puts(&b, "\"a");
		fz_repeat(&b, "\xc3\xa9", 400); /* é */
		fz_puts(&b, "\"");
		fz_wrong_add(b.p, K_MB, 0);
	}
	free(b.p);
}

/* 64 hex digits from the PRNG: a key no node has enrolled yet. */
static void fz_fresh_key(char out[2 * ANTT_KEY_BYTES + 1])
{
	uint8_t k[ANTT_KEY_BYTES];
	for (size_t i = 0; i < ANTT_KEY_BYTES; i++)
		k[i] = (uint8_t)fz_rand();
	antt_hex(out, k, ANTT_KEY_BYTES);
}

/* base (a JSON object's text) with key set to the JSON text value. */
static char *fz_with(const char *base, const char *key, const char *value)
{
	json_error_t je;
	json_t *j = json_loads(base, 0, &je);
	if (!j)
		fz_fatal("bad base request %s: %s", base, je.text);
	json_object_del(j, key);
	char *s = fz_dump(j);
	json_decref(j);
	fz_buf_t b = {0};
	size_t n = strlen(s);
	if (n < 2)
		fz_fatal("bad base request %s", base);
	fz_put(&b, s, n - 1); /* without the closing brace */
	fz_putf(&b, "%s\"%s\":%s}", n > 2 ? "," : "", key, value);
	free(s);
	return b.p;
}

/* ---- phases ---- */

static json_t *fz_ok(const char *what, const char *req)
{
	json_t *r = fz_text(what, req, strlen(req), X_OK);
	if (!r || !json_is_true(json_object_get(r, "ok")))
		fz_fatal("%s: the valid request %s was not accepted", what, req);
	return r;
}

/* r (taken) must be a refusal whose message says needle. */
static void fz_expect_msg(json_t *r, const char *needle, const char *what)
{
	const char *msg = json_string_value(json_object_get(r, "message"));
	if (r && (!msg || !strstr(msg, needle)))
		fz_fail(what, NULL, 0, msg, msg ? strlen(msg) : 0,
		        "the message does not say \"%s\"", needle);
	json_decref(r);
}

static void fz_phase(const char *name)
{
	G.phase = name;
	printf("--- %-12s (%.1f s, %ld requests so far)\n", name, fz_elapsed(), G.requests);
	fflush(stdout);
}

static void fz_phase_frames(void)
{
	fz_phase("frames");
	static const char ping[] = "{\"op\":\"ping\"}";
	const size_t pl = sizeof ping - 1;
	/* no delimiter: the envelope itself is broken, nothing to answer */
	fz_frame_t a[] = {{ping, pl}};
	fz_do("1 frame, no delimiter", a, 1, X_DROP_OR_ERR("usage"));
	fz_frame_t b[] = {{"", 0}};
	fz_do("only the delimiter", b, 1, X_LENIENT_DROP("usage"));
	fz_frame_t c[] = {{"", 0}, {"", 0}};
	fz_do("empty payload", c, 2, X_ERR("usage"));
	fz_frame_t d[] = {{"", 0}, {"", 0}, {"", 0}};
	fz_do("empty payload, empty attachment", d, 3, X_ERR("usage"));
	fz_frame_t e[] = {{"", 0}, {ping, pl}, {"a", 1}, {"b", 1}};
	fz_do("4 frames (5 with the identity)", e, 4, X_LENIENT_DROP("usage"));
	fz_frame_t g[] = {{"", 0}, {ping, pl}, {"a", 1}, {"b", 1}, {"c", 1}};
	fz_do("5 frames", g, 5, X_LENIENT_DROP("usage"));
	fz_frame_t h[] = {{"x", 1}, {ping, pl}};
	fz_do("delimiter not empty", h, 2, X_DROP_OR_ERR("usage"));
	fz_frame_t i2[] = {{"x", 1}, {ping, pl}, {"a", 1}};
	fz_do("delimiter not empty, 3 frames", i2, 3, X_DROP_OR_ERR("usage"));
	fz_frame_t j[] = {{ping, pl}, {ping, pl}};
	fz_do("two payloads, no delimiter", j, 2, X_DROP_OR_ERR("usage"));
	fz_frame_t k[] = {{"", 0}, {"", 0}, {ping, pl}};
	fz_do("two delimiters", k, 3, X_ERR("usage"));
	fz_frame_t l[] = {{"", 0}, {ping, pl}, {"", 0}};
	fz_do("ping with an empty attachment", l, 3, X_LENIENT("usage"));
	/* 64 and 1000 frames */
	static fz_frame_t many[1000];
	many[0] = (fz_frame_t){"", 0};
	for (size_t n = 1; n < 1000; n++)
		many[n] = (fz_frame_t){ping, pl};
	fz_do("64 frames", many, 64, X_LENIENT_DROP("usage"));
	fz_do("1000 frames", many, 1000, X_LENIENT_DROP("usage"));
	many[0] = (fz_frame_t){ping, pl};
	fz_do("1000 frames, no delimiter", many, 1000, X_DROP_OR_ERR("usage"));
	/* frame-count sweep with random small frames */
	for (int round = 0; round < 200; round++) {
		fz_frame_t f[8];
		char bytes[8][4];
		size_t nf = 1 + fz_below(7);
		for (size_t n = 0; n < nf; n++) {
			size_t len = fz_below(4);
			for (size_t q = 0; q < len; q++)
				bytes[n][q] = "{}\"[]0 a"[fz_below(8)];
			f[n] = (fz_frame_t){bytes[n], len};
		}
		fz_do("random small frames", f, nf, X_ANY);
	}
	/* after all that, the same DEALER is still served */
	json_decref(fz_ok("ping after bad frames", ping));
}

static void fz_phase_req(void)
{
	fz_phase("req");
	static const char *good[] = {"{\"op\":\"ping\"}",   "{\"op\":\"status\"}",
	                             "{\"op\":\"forms\"}",  "{\"op\":\"log\",\"limit\":1}",
	                             "{\"op\":\"verify\"}", "{\"op\":\"children\"}"};
	for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
		fz_frame_t f[] = {{good[i], strlen(good[i])}};
		fz_req(good[i], f, 1, X_OK);
	}
	static const char *bad[] = {"",
	                            "not json",
	                            "[1]",
	                            "{\"op\":1}",
	                            "{\"op\":\"nope\"}",
	                            "{\"op\":\"submit\"}",
	                            "{\"op\":\"show\"}",
	                            "{\"op\":\"correct\"}",
	                            "{\"op\":\"show\",\"id\":\"zz\"}"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		fz_frame_t f[] = {{bad[i], strlen(bad[i])}};
		fz_req(bad[i], f, 1, X_ERR(NULL));
	}
	/* submit with the reports in a second frame */
	static const char sub[] = "{\"op\":\"submit\"}";
	fz_frame_t f2[] = {{sub, sizeof sub - 1}, {REPORT_EVENT, strlen(REPORT_EVENT)}};
	fz_req("REQ submit with an attachment", f2, 2, X_OK);
	fz_frame_t f3[] = {{"{\"op\":\"ping\"}", 13}, {"junk", 4}};
	fz_req("REQ ping with an attachment", f3, 2, X_LENIENT("usage"));
	fz_frame_t f4[] = {{"{\"op\":\"ping\"}", 13}, {"a", 1}, {"b", 1}};
	fz_req("REQ 3-part request", f4, 3, X_LENIENT_DROP("usage"));
	fz_frame_t f5[] = {{"{\"op\":\"ping\"}", 13}};
	fz_req("REQ ping after a dropped request", f5, 1, X_OK);
	if (G.req) {
		zmq_close(G.req);
		G.req = NULL;
	}
}

static void fz_phase_payloads(void)
{
	fz_phase("payloads");
	static const char *bad[] = {
	    " ",
	    "\n",
	    "{",
	    "}",
	    "{\"op\"",
	    "{\"op\":}",
	    "{\"op\":\"ping\"",
	    "nul",
	    "null",
	    "true",
	    "false",
	    "0",
	    "-1",
	    "1e999",
	    "\"op\"",
	    "\"\"",
	    "[]",
	    "[{\"op\":\"ping\"}]",
	    "[\"ping\"]",
	    "{\"op\":\"ping\"} x",
	    "{\"op\":\"ping\"}{\"op\":\"ping\"}",
	    "{\"op\":\"ping\",\"op\":\"ping\"}",
	    "\xef\xbb\xbf{\"op\":\"ping\"}",
	    "{\"op\":\"\\u0000\"}",
	    "{\"op\":\"ping\\u0000\"}",
	    "{\"\\u0000\":1,\"op\":\"ping\"}",
	    "{\"op\":\"\xff\"}",
	    "{\"op\":\"\xc0\x80\"}",
	    "{\"op\":\"\xed\xa0\x80\"}",
	    "{\"op\":\"\xf4\x90\x80\x80\"}",
	    "{\"op\":\"\\ud800\"}",
	    "{\"op\":\"\\udc00\"}",
	    "{\"op\":\"ping\",}",
	    "{op:\"ping\"}",
	    "{'op':'ping'}",
	    "{\"op\":\"ping\"/*c*/}",
	    "{\"op\":\"ping\"}\n\n{",
	    "{\"op\" \"ping\"}",
	    "{\"op\":\"ping\"]",
	    "\x00",
	    "\xff\xfe\xfd",
	    "{\"op\":null}",
	    "{\"op\":[\"ping\"]}",
	    "{\"op\":{}}",
	    "{}",
	    "{\"OP\":\"ping\"}",
	    "{\"op\":\"PING\"}",
	    "{\"op\":\"ping \"}",
	    "{\"op\":\"\"}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		fz_str(bad[i], bad[i], X_ERR("usage"));
	/* raw NUL bytes inside the JSON text */
	static const char nul1[] = "{\"op\":\"ping\"\0}", nul2[] = "{\"op\":\"pi\0ng\"}",
	                  nul3[] = "{\"op\":\"ping\"}\0";
	json_decref(fz_text("NUL after a value", nul1, sizeof nul1 - 1, X_ERR("usage")));
	json_decref(fz_text("NUL inside a string", nul2, sizeof nul2 - 1, X_ERR("usage")));
	json_decref(fz_text("NUL after the object", nul3, sizeof nul3 - 1, X_ERR("usage")));
	fz_buf_t b = {0};
	/* nesting: deeper than the parser takes, and just within */
	fz_repeat(&b, "[", 100000);
	fz_str("100000 [", b.p, X_ERR("usage"));
	b.n = 0;
	fz_repeat(&b, "{\"a\":", 3000);
	fz_puts(&b, "1");
	fz_repeat(&b, "}", 3000);
	fz_str("objects 3000 deep", b.p, X_ERR("usage"));
	b.n = 0;
	fz_puts(&b, "{\"op\":\"ping\",\"x\":");
	fz_repeat(&b, "[", 1000);
	fz_repeat(&b, "]", 1000);
	fz_puts(&b, "}");
	fz_str("ping with arrays 1000 deep", b.p, X_OK);
	/* a long ASCII op is named in the refusal, cut */
	b.n = 0;
	fz_puts(&b, "{\"op\":\"");
	fz_repeat(&b, "x", 100000);
	fz_puts(&b, "\"}");
	fz_str("op of 100000 x", b.p, X_ERR("usage"));
	static const char *ops[] = {"frobnicate",      "submitt",       "pin",      "Submit",
	                            "verify ",         " ping",         "pingping", "log\\n",
	                            "\\u00e9t\\u00e9", "Ghi ch\xc3\xba"};
	for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
		b.n = 0;
		fz_putf(&b, "{\"op\":\"%s\"}", ops[i]);
		fz_str("unknown op", b.p, X_ERR("usage"));
	}
	if (G.strict) {
		/* the op is quoted cut to 40 bytes: inside the second é */
		b.n = 0;
		fz_puts(&b, "{\"op\":\"a");
		fz_repeat(&b, "\xc3\xa9", 20);
		fz_puts(&b, "\"}");
		fz_str("unknown op cut inside a character", b.p, X_ERR("usage"));
	}
	/* random bytes, and random bytes behind a valid start */
	for (int round = 0; round < 300; round++) {
		char buf[300];
		size_t n = fz_below(sizeof buf);
		for (size_t q = 0; q < n; q++)
			buf[q] = (char)(fz_rand() & 0xff);
		if (round % 2 && n > 8)
			memcpy(buf, "{\"op\":\"", 7);
		json_decref(fz_text("random bytes", buf, n, X_ANY));
	}
	free(b.p);
}

/* The expectation for op with field set to a wrong value w. */
static fz_exp_t fz_expect_field(const char *op, const char *field, const fz_wrong_t *w)
{
	int k = w->kind;
	if (k == K_BAD)
		return X_ERR("usage");
	if (!strcmp(field, "op"))
		return X_ERR("usage");
	if (!strcmp(op, "submit")) {
		if (!strcmp(field, "reports")) {
			if (k == K_ARR && strcmp(w->text, "[]"))
				return X_ERR("data");
			return X_ERR("usage");
		}
		if (!strcmp(field, "ids"))
			return k == K_BOOL || k == K_NULL ? X_OK : X_LENIENT("usage");
		return X_OK; /* other fields: not the submit's, ignored */
	}
	if (!strcmp(op, "correct")) {
		if (!strcmp(field, "id")) {
			if (k == K_STR)
				return X_ANY; /* "ghij" is no id, but "1" may be a prefix... */
			return k == K_LONGSTR || k == K_MB ? X_ERR("data") : X_ERR("usage");
		}
		if (!strcmp(field, "values")) {
			if (!strcmp(w->text, "{\"tin_bao\":1}"))
				return X_OK;
			if (!strcmp(w->text, "{}"))
				return X_LENIENT("data"); /* changes nothing */
			return X_ERR("data");
		}
		if (!strcmp(field, "note")) {
			if (k == K_NULL || k == K_STR || k == K_MB) /* K_MB: 1200 bytes */
				return X_OK;
			return X_ERR("data");
		}
		return X_OK;
	}
	if (!strcmp(op, "log")) {
		if (!strcmp(field, "form") || !strcmp(field, "period"))
			return k == K_NULL || k == K_STR || k == K_LONGSTR || k == K_MB
			           ? X_OK
			           : X_LENIENT("usage");
		if (!strcmp(field, "author"))
			return k == K_NULL                                 ? X_OK
			       : k == K_STR || k == K_LONGSTR || k == K_MB ? X_ERR("usage")
			                                                   : X_LENIENT("usage");
		if (!strcmp(field, "limit"))
			return k == K_NULL || (k == K_INT && w->ival >= 1) ? X_OK
			                                                   : X_LENIENT("usage");
		return X_OK;
	}
	if (!strcmp(op, "show")) {
		if (!strcmp(field, "id")) {
			if (k == K_STR)
				return X_ANY;
			return k == K_LONGSTR || k == K_MB ? X_ERR("data") : X_ERR("usage");
		}
		return X_OK;
	}
	if (!strcmp(op, "enroll")) {
		if (!strcmp(field, "unit")) /* "x", "1", "-1" are unit codes */
			return k == K_STR ? X_ANY : X_ERR("data");
		if (!strcmp(field, "key"))
			return X_ERR("data");
		return X_OK; /* a fresh key each time: accepted */
	}
	return X_OK; /* status, forms, ping, verify, children: no fields */
}

static void fz_phase_fields(void)
{
	fz_phase("fields");
	char correct_base[256], show_base[256], enroll_base[256], key[2 * ANTT_KEY_BYTES + 1];
	static const char *fields[] = {"op",   "reports", "ids",       "id",     "values",
	                               "note", "form",    "period",    "author", "limit",
	                               "unit", "key",     "zz_unknown"};
	const size_t nfields = sizeof fields / sizeof *fields;
	struct {
		const char *op;
		const char *base;
	} ops[] = {
	    {"verify", "{\"op\":\"verify\"}"}, /* first: verify reads the whole store */
	    {"submit", NULL},
	    {"correct", correct_base},
	    {"log", "{\"op\":\"log\",\"limit\":1}"},
	    {"show", show_base},
	    {"status", "{\"op\":\"status\"}"},
	    {"forms", "{\"op\":\"forms\"}"},
	    {"ping", "{\"op\":\"ping\"}"},
	    {"enroll", enroll_base},
	    {"children", "{\"op\":\"children\"}"},
	};
	char *submit_base;
	if (asprintf(&submit_base, "{\"op\":\"submit\",\"reports\":[%s]}", REPORT_EVENT) < 0)
		abort();
	ops[1].base = submit_base;
	for (size_t o = 0; o < sizeof ops / sizeof *ops; o++) {
		for (size_t fi = 0; fi < nfields; fi++) {
			/* verify: a few, it walks the store every time */
			if (!strcmp(ops[o].op, "verify") && strcmp(fields[fi], "zz_unknown") &&
			    strcmp(fields[fi], "op"))
				continue;
			for (size_t wi = 0; wi < NW; wi++) {
				/* a correct of the latest version, whatever the last
				 * accepted one made */
				snprintf(
				    correct_base, sizeof correct_base,
				    "{\"op\":\"correct\",\"id\":\"%s\",\"values\":{\"tin_bao\":2}}",
				    G.cur_id);
				snprintf(show_base, sizeof show_base,
				         "{\"op\":\"show\",\"id\":\"%s\"}", G.cur_id);
				fz_fresh_key(key);
				snprintf(enroll_base, sizeof enroll_base,
				         "{\"op\":\"enroll\",\"unit\":\"12399\",\"key\":\"%s\"}",
				         key);
				char *req = fz_with(ops[o].base, fields[fi], W[wi].text);
				char what[96];
				snprintf(what, sizeof what, "%s with %s of the wrong type",
				         ops[o].op, fields[fi]);
				fz_str(what, req, fz_expect_field(ops[o].op, fields[fi], &W[wi]));
				free(req);
			}
		}
	}
	free(submit_base);
}

/* One report (REPORT_EVENT with field set to w) in a submit. */
static fz_exp_t fz_expect_report_field(const char *field, const fz_wrong_t *w)
{
	int k = w->kind;
	if (k == K_BAD)
		return X_ERR("usage");
	if (!strcmp(field, "period") && !strcmp(w->text, "\"2024-06-01\""))
		return X_OK;
	if (!strcmp(field, "values") && !strcmp(w->text, "{\"tin_bao\":1}"))
		return X_OK;
	if (!strcmp(field, "note") && (k == K_NULL || k == K_STR || k == K_MB))
		return X_OK;
	return X_ERR("data");
}

static void fz_phase_reports(void)
{
	fz_phase("reports");
	static const char *rfields[] = {"form", "period", "values", "note", "zz_unknown"};
	fz_buf_t b = {0};
	for (size_t fi = 0; fi < sizeof rfields / sizeof *rfields; fi++)
		for (size_t wi = 0; wi < NW; wi++) {
			char *rep = fz_with(REPORT_EVENT, rfields[fi], W[wi].text);
			b.n = 0;
			fz_putf(&b, "{\"op\":\"submit\",\"reports\":[%s]}", rep);
			free(rep);
			char what[96];
			snprintf(what, sizeof what, "report with %s of the wrong type",
			         rfields[fi]);
			fz_str(what, b.p, fz_expect_report_field(rfields[fi], &W[wi]));
		}
	/* values: every code, bad codes, bad numbers */
	static const struct {
		const char *values;
		int ok;
	} vals[] = {
	    {"{}", 0},
	    {"{\"tin_bao\":0}", 1},
	    {"{\"tin_bao\":9007199254740991}", 1},
	    {"{\"tin_bao\":9007199254740992}", 0},
	    {"{\"tin_bao\":-1}", 0},
	    {"{\"tin_bao\":-9223372036854775808}", 0},
	    {"{\"tin_bao\":1.0}", 0},
	    {"{\"tin_bao\":\"1\"}", 0},
	    {"{\"tin_bao\":true}", 0},
	    {"{\"tin_bao\":null}", 0},
	    {"{\"tin_bao\":[1]}", 0},
	    {"{\"tin_bao\":{\"v\":1}}", 0},
	    {"{\"hop_dan\":1}", 0},
	    {"{\"\":1}", 0},
	    {"{\"TIN_BAO\":1}", 0},
	    {"{\"tin_bao \":1}", 0},
	    {"{\"ti\xc3\xa9n\":1}", 0},
	    {"{\"tin_bao\":1,\"to_giac\":2,\"truy_na_bat\":3,\"truy_na_dau_thu\":4,"
	     "\"vu_khi_quan_dung\":5,\"vat_lieu_no\":6,\"cong_cu_ho_tro\":7,\"vu_khi_tho_so\":8,"
	     "\"hoa_giai\":9}",
	     1},
	    {"{\"tin_bao\":1,\"tin_bao\":2}", -1},
	};
	for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
		b.n = 0;
		fz_putf(&b,
		        "{\"op\":\"submit\",\"reports\":[{\"form\":\"bvanttq-event\",\"period\":"
		        "\"2024-06-02\",\"values\":%s}]}",
		        vals[i].values);
		fz_str("report values", b.p,
		       vals[i].ok > 0   ? X_OK
		       : vals[i].ok < 0 ? X_ERR("usage")
		                        : X_ERR("data"));
	}
	b.n = 0;
	fz_puts(&b, "{\"op\":\"submit\",\"reports\":[{\"form\":\"bvanttq-event\",\"period\":"
	            "\"2024-06-02\",\"values\":{\"");
	fz_repeat(&b, "c", 10000);
	fz_puts(&b, "\":1}}]}");
	fz_str("indicator code of 10000 bytes", b.p, X_ERR("data"));
	/* reports lists */
	static const char *lists[] = {
	    "[{}]",
	    "[{\"form\":\"bvanttq-event\"}]",
	    "[{\"form\":\"bvanttq-event\",\"period\":\"2024-06-01\"}]",
	    "[{\"form\":\"bvanttq-monthly\",\"period\":\"2024-06-01\",\"values\":{\"hop_dan\":1}}]",
	    "[{\"form\":\"bvanttq-event\",\"period\":\"2024-06\",\"values\":{\"tin_bao\":1}}]",
	    "[{\"form\":\"bvanttq-event\",\"period\":\"1999-06-01\",\"values\":{\"tin_bao\":1}}]",
	    "[{\"form\":\"bvanttq-event\",\"period\":\"2100-01-01\",\"values\":{\"tin_bao\":1}}]",
	    "[{\"form\":\"bvanttq-event\",\"period\":\"2023-02-29\",\"values\":{\"tin_bao\":1}}]",
	    "[{\"form\":\"bvanttq-event\",\"period\":\"2024-6-01\",\"values\":{\"tin_bao\":1}}]",
	    "[{\"form\":\"bvanttq-event\",\"period\":\"2024-06-01 \",\"values\":{\"tin_bao\":1}}]",
	    "[{\"form\":\"bvanttq-monthly\",\"period\":\"2024-Q2\",\"values\":{\"hop_dan\":1}}]",
	    "[{\"form\":\"../"
	    "bvanttq-event\",\"period\":\"2024-06-01\",\"values\":{\"tin_bao\":1}}]",
	    "[{\"form\":\"bvanttq-event\",\"period\":\"2024-06-01\",\"values\":{\"tin_bao\":1},"
	    "\"note\":\"\"},1]",
	    "[null,null,null]",
	    "[[]]",
	    "[\"bvanttq-event\"]",
	    "[1,2,3]",
	};
	for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
		b.n = 0;
		fz_putf(&b, "{\"op\":\"submit\",\"reports\":%s}", lists[i]);
		fz_str("bad reports list", b.p, X_ERR("data"));
	}
	/* periodic: one report per period, also within one batch */
	static const char mon[] =
	    "{\"form\":\"bvanttq-monthly\",\"period\":\"2021-01\",\"values\":{\"hop_dan\":1}}";
	b.n = 0;
	fz_putf(&b, "{\"op\":\"submit\",\"reports\":[%s]}", mon);
	fz_str("monthly 2021-01", b.p, X_OK);
	fz_str("monthly 2021-01 again", b.p, X_ERR("data"));
	b.n = 0;
	fz_putf(&b, "{\"op\":\"submit\",\"reports\":[%s,%s]}", REPORT_EVENT,
	        "{\"form\":\"bvanttq-monthly\",\"period\":\"2021-02\",\"values\":{\"hop_dan\":1}},"
	        "{\"form\":\"bvanttq-monthly\",\"period\":\"2021-02\",\"values\":{\"hop_dan\":2}}");
	fz_str("two monthly reports for one period in a batch", b.p, X_ERR("data"));
	/* all or nothing: the bad one last */
	b.n = 0;
	fz_puts(&b, "{\"op\":\"submit\",\"reports\":[");
	for (int i = 0; i < 50; i++)
		fz_putf(&b, "%s,", REPORT_EVENT);
	fz_putf(&b, "%s]}", mon);
	fz_expect_msg(fz_text("50 good reports, then a duplicate", b.p, b.n, X_ERR("data")),
	              "report 51", "50 good reports, then a duplicate");
	b.n = 0;
	fz_puts(&b, "{\"op\":\"submit\",\"reports\":[");
	for (int i = 0; i < 60; i++)
		fz_putf(&b, "%s%s", i ? "," : "",
		        i == 25 ? "{\"form\":\"bvanttq-event\",\"period\":\"2024-06-01\","
		                  "\"values\":{\"tin_bao\":-5}}"
		                : REPORT_EVENT);
	fz_puts(&b, "]}");
	fz_expect_msg(fz_text("the 26th of 60 reports is bad", b.p, b.n, X_ERR("data")),
	              "report 26", "the 26th of 60 reports is bad");
	/* many bad reports */
	b.n = 0;
	fz_puts(&b, "{\"op\":\"submit\",\"reports\":[");
	for (int i = 0; i < 10000; i++)
		fz_puts(&b, i ? ",null" : "null");
	fz_puts(&b, "]}");
	fz_str("10000 null reports", b.p, X_ERR("data"));
	b.n = 0;
	fz_puts(&b, "{\"op\":\"submit\",\"reports\":[");
	for (int i = 0; i < 2000; i++)
		fz_putf(&b,
		        "%s{\"form\":\"bvanttq-event\",\"period\":\"2024-06-%02d\",\"values\":"
		        "{\"tin_bao\":%d}}",
		        i ? "," : "", 1 + i % 30, i == 1999 ? -1 : i);
	fz_puts(&b, "]}");
	fz_expect_msg(fz_text("2000 reports, the last one bad", b.p, b.n, X_ERR("data")),
	              "report 2000", "2000 reports, the last one bad");
	/* a good batch, with every id back */
	b.n = 0;
	fz_puts(&b, "{\"op\":\"submit\",\"ids\":true,\"reports\":[");
	for (int i = 0; i < 300; i++)
		fz_putf(&b, "%s%s", i ? "," : "", REPORT_EVENT);
	fz_puts(&b, "]}");
	fz_str("300 good reports", b.p, X_OK);
	if (G.strict) {
		static const char *keys[] = {"form", "period"};
		for (size_t i = 0; i < NW; i++) {
			if (W[i].kind != K_MB)
				continue;
			for (size_t k = 0; k < 2; k++) {
				char *rep = fz_with(REPORT_EVENT, keys[k], W[i].text);
				b.n = 0;
				fz_putf(&b, "{\"op\":\"submit\",\"reports\":[%s,%s]}", REPORT_EVENT,
				        rep);
				free(rep);
				fz_str("second report with a long multi-byte form or period", b.p,
				       X_ERR("data"));
			}
			/* as an indicator code and as an unknown key */
			b.n = 0;
			fz_putf(&b,
			        "{\"op\":\"submit\",\"reports\":[{\"form\":\"bvanttq-event\","
			        "\"period\":\"2024-06-01\",\"values\":{%s:1}}]}",
			        W[i].text);
			fz_str("long multi-byte indicator code", b.p, X_ERR("data"));
			b.n = 0;
			fz_putf(&b, "{\"op\":\"submit\",\"reports\":[{%s:1}]}", W[i].text);
			fz_str("long multi-byte key in a report", b.p, X_ERR("data"));
		}
	}
	free(b.p);
}

static void fz_phase_ids(void)
{
	fz_phase("ids");
	static const char *bad[] = {
	    "",
	    "a",
	    "abc",
	    "xyz!",
	    "g000",
	    "0x1234",
	    "-123",
	    "12 34",
	    " 0123",
	    "0123 ",
	    "\\u00e9\\u00e9\\u00e9\\u00e9",
	    "01234567890123456789012345678901234567890123456789012345678901234",
	    "012345678901234567890123456789012345678901234567890123456789012g",
	    "../../etc/passwd",
	    "%",
	    "'; DROP TABLE records; --"};
	fz_buf_t b = {0};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		b.n = 0;
		fz_putf(&b, "{\"op\":\"show\",\"id\":\"%s\"}", bad[i]);
		fz_str("show a malformed id", b.p, X_ERR("data"));
		b.n = 0;
		fz_putf(&b, "{\"op\":\"correct\",\"id\":\"%s\",\"values\":{\"tin_bao\":1}}",
		        bad[i]);
		fz_str("correct a malformed id", b.p, X_ERR("data"));
	}
	static const char *none[] = {
	    "0000000000000000000000000000000000000000000000000000000000000001",
	    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFE",
	    "a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"};
	for (size_t i = 0; i < sizeof none / sizeof *none; i++) {
		b.n = 0;
		fz_putf(&b, "{\"op\":\"show\",\"id\":\"%s\"}", none[i]);
		fz_str("show a record that does not exist", b.p, X_ERR("notfound"));
		b.n = 0;
		fz_putf(&b, "{\"op\":\"correct\",\"id\":\"%s\",\"note\":\"x\"}", none[i]);
		fz_str("correct a record that does not exist", b.p, X_ERR("notfound"));
	}
	/* the first version was corrected (fields phase): only the latest is */
	if (strcmp(G.event_id, G.cur_id)) {
		b.n = 0;
		fz_putf(&b, "{\"op\":\"correct\",\"id\":\"%s\",\"values\":{\"tin_bao\":3}}",
		        G.event_id);
		fz_expect_msg(fz_text("correct an old version", b.p, b.n, X_ERR("data")),
		              "already corrected", "correct an old version");
	}
	char up[16];
	for (size_t i = 0; i < 8; i++)
		up[i] = (char)(G.cur_id[i] >= 'a' ? G.cur_id[i] - 'a' + 'A' : G.cur_id[i]);
	up[8] = '\0';
	b.n = 0;
	fz_putf(&b, "{\"op\":\"show\",\"id\":\"%s\"}", up);
	fz_str("show by an upper-case prefix", b.p, X_OK);
	static const char *corr[] = {"\"values\":{\"hop_dan\":1}",
	                             "\"values\":{\"tin_bao\":-1}",
	                             "\"values\":{\"tin_bao\":1.5}",
	                             "\"values\":[]",
	                             "\"note\":5",
	                             "\"values\":{\"nope\":1}"};
	for (size_t i = 0; i < sizeof corr / sizeof *corr; i++) {
		b.n = 0;
		fz_putf(&b, "{\"op\":\"correct\",\"id\":\"%s\",%s}", G.cur_id, corr[i]);
		fz_str("correct with bad values", b.p, X_ERR("data"));
	}
	b.n = 0;
	fz_putf(&b, "{\"op\":\"correct\",\"id\":\"%s\"}", G.cur_id);
	fz_str("correct with nothing to correct", b.p, X_ERR("data"));
	b.n = 0;
	fz_putf(&b, "{\"op\":\"correct\",\"id\":\"%s\",\"values\":{}}", G.cur_id);
	fz_str("correct with empty values", b.p, X_LENIENT("data"));
	b.n = 0;
	fz_putf(&b, "{\"op\":\"correct\",\"id\":\"%s\",\"note\":null}", G.cur_id);
	fz_str("correct with a null note only", b.p, X_LENIENT("data"));
	/* the lenient ones above may have made a new latest version */
	for (size_t i = 0; i < 8; i++)
		up[i] = (char)(G.cur_id[i] >= 'a' ? G.cur_id[i] - 'a' + 'A' : G.cur_id[i]);
	b.n = 0;
	fz_putf(&b, "{\"op\":\"correct\",\"id\":\"%.8s\",\"values\":{\"tin_bao\":5}}", up);
	fz_str("correct by an upper-case prefix", b.p, X_OK);
	free(b.p);
}

static void fz_phase_attach(void)
{
	fz_phase("attachments");
	char show[128], corr[160];
	snprintf(show, sizeof show, "{\"op\":\"show\",\"id\":\"%s\"}", G.cur_id);
	snprintf(corr, sizeof corr, "{\"op\":\"correct\",\"id\":\"%s\",\"values\":{\"tin_bao\":7}}",
	         G.cur_id);
	const char *noattach[] = {"{\"op\":\"ping\"}",
	                          "{\"op\":\"status\"}",
	                          "{\"op\":\"forms\"}",
	                          "{\"op\":\"log\",\"limit\":2}",
	                          show,
	                          "{\"op\":\"verify\"}",
	                          corr,
	                          "{\"op\":\"nope\"}"};
	for (size_t i = 0; i < sizeof noattach / sizeof *noattach; i++)
		fz_attach("attachment on an op that takes none", noattach[i], "junk", 4,
		          i == 7 ? X_ERR("usage") : X_LENIENT("usage"));
	char *both;
	if (asprintf(&both, "{\"op\":\"submit\",\"reports\":[%s]}", REPORT_EVENT) < 0)
		abort();
	fz_attach("submit with reports and an attachment", both, REPORT_EVENT, strlen(REPORT_EVENT),
	          X_LENIENT("usage"));
	free(both);
	static const char sub[] = "{\"op\":\"submit\"}";
#define A(lit)                                                                                     \
	{                                                                                          \
		lit, sizeof lit - 1                                                                \
	}
	static const struct {
		const char *a;
		size_t n;
	} bad[] = {
	    A(""),
	    A(" \n\t\r "),
	    A("{}"),
	    A("[]"),
	    A("[[]]"),
	    A("not json"),
	    A("{\"form\""),
	    A("\0\0\0"),
	    A("null"),
	    A("1"),
	    A("\"x\""),
	    A("\xef\xbb\xbf{}"),
	    A("{\"form\":\"\xff\"}"),
	    A("{\"form\":\"\\u0000\"}"),
	    A("{\"form\":\"bvanttq-event\",\"period\":\"2024-06-01\",\"values\":{\"tin_bao\":1}}\n"
	      "{\"form\":\"bvanttq-event\",\"period\":\"2024-06-01\",\"values\":{\"tin_bao\":-1}}"
	      "\n"),
	    A("{\"form\":\"bvanttq-event\",\"period\":\"2024-06-01\",\"values\":{\"tin_bao\":1}}\n"
	      "{\"form\":\"bvanttq-event\",\"period\":\"2024-06-01\",\"values\":{\"tin_bao\":1}"),
	};
#undef A
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		fz_attach("submit with a bad attachment", sub, bad[i].a, bad[i].n, X_ERR("data"));
	fz_attach("submit with a report attached", sub, REPORT_EVENT, strlen(REPORT_EVENT), X_OK);
	fz_buf_t b = {0};
	for (int i = 0; i < 3; i++)
		fz_putf(&b, "%s\n", REPORT_EVENT);
	fz_attach("submit with 3 JSON lines attached", sub, b.p, b.n, X_OK);
	b.n = 0;
	fz_putf(&b, "[%s,%s]", REPORT_EVENT, REPORT_EVENT);
	fz_attach("submit with an array attached", sub, b.p, b.n, X_OK);
	b.n = 0;
	fz_puts(&b, REPORT_EVENT);
	fz_put(&b, "\0", 1);
	fz_puts(&b, REPORT_EVENT);
	fz_attach("submit with NUL between two reports", sub, b.p, b.n, X_ANY);
	fz_attach("submit with reports null and an attachment",
	          "{\"op\":\"submit\",\"reports\":null}", REPORT_EVENT, strlen(REPORT_EVENT),
	          X_ANY);
	free(b.p);
}

static void fz_phase_big(void)
{
	fz_phase("big");
	char *big = antt_xmalloc(BIG_ATTACH + 1);
	static const char sub[] = "{\"op\":\"submit\"}";
	memset(big, 'x', BIG_ATTACH);
	fz_attach("ping with a 60 MB attachment", "{\"op\":\"ping\"}", big, BIG_ATTACH,
	          X_LENIENT("usage"));
	memset(big, ' ', BIG_ATTACH);
	fz_attach("submit with 60 MB of spaces", sub, big, BIG_ATTACH, X_ERR("data"));
	memcpy(big, REPORT_EVENT, strlen(REPORT_EVENT));
	big[BIG_ATTACH - 1] = 'x';
	fz_attach("submit with a report, 60 MB of spaces and junk", sub, big, BIG_ATTACH,
	          X_ERR("data"));
	memset(big, '[', BIG_ATTACH);
	fz_attach("submit with 60 MB of [", sub, big, BIG_ATTACH, X_ERR("data"));
	memset(big, 'a', BIG_ATTACH);
	memcpy(big, "[\"", 2);
	fz_attach("submit with an unterminated 60 MB string", sub, big, BIG_ATTACH, X_ERR("data"));
	/* a 50 MB JSON request */
	size_t n = 50000000;
	memcpy(big, "{\"op\":\"ping\",\"pad\":\"", 20);
	memset(big + 20, 'a', n - 22);
	memcpy(big + n - 2, "\"}", 2);
	json_decref(fz_text("ping with a 50 MB string", big, n, X_OK));
	memcpy(big, "{\"op\":\"show\",\"id\":\"", 19);
	memset(big + 19, 'a', n - 21);
	memcpy(big + n - 2, "\"}", 2);
	json_decref(fz_text("show with a 50 MB id", big, n, X_ERR("data")));
	/* over the 64 MiB limit: anttd's ZeroMQ drops the connection */
	size_t over = 65u * 1024 * 1024;
	big = antt_xrealloc(big, over);
	memset(big, ' ', over);
	void *ctx = zmq_ctx_new();
	void *s = zmq_socket(ctx, ZMQ_DEALER);
	int linger = 5000;
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
	zmq_connect(s, G.endpoint);
	fz_frame_t f[3] = {{"", 0}, {sub, sizeof sub - 1}, {big, over}};
	G.requests++;
	fz_send(s, f, 3, "65 MiB attachment");
	fz_msg_t m;
	if (fz_recv(s, 2000, &m) == 0) {
		G.replies++;
		fz_fail("65 MiB attachment", NULL, 0, m.data[m.n - 1], m.len[m.n - 1],
		        "a request over 64 MiB was answered");
		fz_msg_free(&m);
	} else {
		G.dropped++;
	}
	zmq_close(s);
	zmq_ctx_term(ctx);
	free(big);
	json_decref(fz_ok("ping after the 65 MiB request", "{\"op\":\"ping\"}"));
}

/* Many requests in flight at once, on one DEALER and on many. */
static void fz_phase_burst(void)
{
	fz_phase("burst");
	static const struct {
		const char *req;
		int ok;
		const char *cls;
	} mix[] = {
	    {"{\"op\":\"ping\"}", 1, NULL},
	    {"nope", 0, "usage"},
	    {"{\"op\":\"nope\"}", 0, "usage"},
	    {"{\"op\":\"show\",\"id\":"
	     "\"0000000000000000000000000000000000000000000000000000000000000002\"}",
	     0, "notfound"},
	    {"{\"op\":\"log\",\"limit\":1}", 1, NULL},
	    {"{\"op\":\"submit\",\"reports\":[]}", 0, "usage"},
	};
	const size_t nmix = sizeof mix / sizeof *mix, burst = 600;
	for (size_t i = 0; i < burst; i++) {
		fz_frame_t f[2] = {{"", 0}, {mix[i % nmix].req, strlen(mix[i % nmix].req)}};
		fz_send(G.dealer, f, 2, "burst");
		G.requests++;
	}
	for (size_t i = 0; i < burst; i++) {
		fz_msg_t m;
		if (fz_recv(G.dealer, REPLY_TIMEOUT_MS, &m) < 0)
			fz_fatal("burst: reply %zu of %zu did not come", i + 1, burst);
		fz_frame_t f[2] = {{"", 0}, {mix[i % nmix].req, strlen(mix[i % nmix].req)}};
		if (m.n != 2 || m.len[0] != 0)
			fz_fail("burst", f, 2, NULL, 0, "reply of %zu frames", m.n);
		else
			json_decref(fz_check("burst, replies in order", f, 2, "", m.data[1],
			                     m.len[1],
			                     mix[i % nmix].ok ? X_OK : X_ERR(mix[i % nmix].cls)));
		fz_msg_free(&m);
	}
	/* 40 clients at once */
	void *socks[40];
	for (size_t i = 0; i < 40; i++) {
		socks[i] = fz_socket(ZMQ_DEALER);
		fz_frame_t f[2] = {{"", 0}, {mix[i % nmix].req, strlen(mix[i % nmix].req)}};
		fz_send(socks[i], f, 2, "40 clients");
		G.requests++;
	}
	for (size_t i = 0; i < 40; i++) {
		fz_msg_t m;
		fz_frame_t f[2] = {{"", 0}, {mix[i % nmix].req, strlen(mix[i % nmix].req)}};
		if (fz_recv(socks[i], REPLY_TIMEOUT_MS, &m) < 0)
			fz_fatal("40 clients: client %zu got no reply", i);
		if (m.n != 2 || m.len[0] != 0)
			fz_fail("40 clients", f, 2, NULL, 0, "reply of %zu frames", m.n);
		else
			json_decref(fz_check("40 clients", f, 2, "", m.data[1], m.len[1],
			                     mix[i % nmix].ok ? X_OK : X_ERR(mix[i % nmix].cls)));
		fz_msg_free(&m);
		zmq_close(socks[i]);
	}
	/* clients that leave before their reply, one of them during a verify */
	static const char *gone[] = {"{\"op\":\"verify\"}", "{\"op\":\"ping\"}",
	                             "{\"op\":\"nope\"}", "{\"op\":\"log\"}", "x"};
	for (size_t i = 0; i < 20; i++) {
		void *s = fz_socket(ZMQ_DEALER);
		fz_frame_t f[2] = {{"", 0}, {gone[i % 5], strlen(gone[i % 5])}};
		fz_send(s, f, 2, "client that leaves");
		G.requests++;
		zmq_close(s);
	}
	json_decref(fz_ok("ping after clients left", "{\"op\":\"ping\"}"));
}

/* ---- mutations ---- */

static const char *s_keys[] = {"op",     "reports", "ids",   "id",      "values", "note", "form",
                               "period", "author",  "limit", "tin_bao", "unit",   "key",  "zz"};

static json_t *fz_interesting(void)
{
	static const char *strs[] = {"bvanttq-event", "bvanttq-monthly",
	                             "2024-06-01",    "2024-06",
	                             "2024-Q2",       "2024",
	                             "tin_bao",       "hop_dan",
	                             "submit",        "correct",
	                             "log",           "show",
	                             "status",        "",
	                             "Ghi ch\xc3\xba"};
	static const json_int_t ints[] = {
	    0,         1,   2,   -1,  9007199254740991LL, 9007199254740992LL, INT64_MAX,
	    INT64_MIN, 255, 256, 4096};
	switch (fz_below(5)) {
	case 0: return json_string(strs[fz_below(sizeof strs / sizeof *strs)]);
	case 1: return json_integer(ints[fz_below(sizeof ints / sizeof *ints)]);
	case 2: return json_string(G.cur_id);
	case 3: {
		char p[16];
		snprintf(p, sizeof p, "%.*s", 4 + (int)fz_below(4), G.cur_id);
		return json_string(p);
	}
	default: return fz_below(2) ? json_true() : json_null();
	}
}

/* A value: a wrong one (a placeholder for its text) or an interesting one. */
static json_t *fz_value(void)
{
	if (fz_below(2)) {
		char ph[32];
		snprintf(ph, sizeof ph, "@@W%zu@@", fz_below(NW));
		return json_string(ph);
	}
	return fz_interesting();
}

typedef struct {
	json_t *parent;
	const char *key; /* object member, or NULL: array element index */
	size_t index;
} fz_slot_t;

static void fz_slots(json_t *j, fz_slot_t *out, size_t *n, size_t cap, json_t **objs, size_t *nobjs)
{
	if (json_is_object(j)) {
		const char *k;
		json_t *v;
		if (*nobjs < cap)
			objs[(*nobjs)++] = j;
		json_object_foreach (j, k, v) {
			if (*n < cap)
				out[(*n)++] = (fz_slot_t){j, k, 0};
			fz_slots(v, out, n, cap, objs, nobjs);
		}
	} else if (json_is_array(j)) {
		size_t i;
		json_t *v;
		json_array_foreach (j, i, v) {
			if (*n < cap)
				out[(*n)++] = (fz_slot_t){j, NULL, i};
			fz_slots(v, out, n, cap, objs, nobjs);
		}
	}
}

static void fz_mutate_json(json_t *root)
{
	fz_slot_t slots[256];
	json_t *objs[256];
	size_t n = 0, nobjs = 0;
	fz_slots(root, slots, &n, 256, objs, &nobjs);
	size_t action = fz_below(6);
	if (action == 3 || n == 0) {
		json_object_set_new(objs[fz_below(nobjs)],
		                    s_keys[fz_below(sizeof s_keys / sizeof *s_keys)], fz_value());
		return;
	}
	fz_slot_t *s = &slots[fz_below(n)];
	json_t *cur =
	    s->key ? json_object_get(s->parent, s->key) : json_array_get(s->parent, s->index);
	json_t *v;
	switch (action) {
	case 0: v = fz_value(); break;
	case 1: v = fz_interesting(); break;
	case 2:
		if (s->key)
			json_object_del(s->parent, s->key);
		else
			json_array_remove(s->parent, s->index);
		return;
	case 4:
		if (!s->key) {
			json_array_append(s->parent, cur);
			return;
		}
		v = fz_value();
		break;
	default:
		/* +1, 0 or -1, wrapping around at the ends */
		v = json_is_integer(cur)
		        ? json_integer(
		              (json_int_t)((uint64_t)json_integer_value(cur) + fz_below(3) - 1))
		        : fz_value();
		break;
	}
	if (s->key)
		json_object_set_new(s->parent, s->key, v);
	else
		json_array_set_new(s->parent, s->index, v);
}

/* Replace each "@@Wn@@" placeholder with the text of wrong value n. */
static void fz_unplace(fz_buf_t *out, const char *s)
{
	const char *p;
	while ((p = strstr(s, "\"@@W"))) {
		char *end;
		unsigned long k = strtoul(p + 4, &end, 10);
		if (strncmp(end, "@@\"", 3) || k >= NW) {
			fz_put(out, s, (size_t)(p - s) + 1);
			s = p + 1;
			continue;
		}
		fz_put(out, s, (size_t)(p - s));
		fz_puts(out, W[k].text);
		s = end + 3;
	}
	fz_puts(out, s);
}

static void fz_mutate_bytes(fz_buf_t *b)
{
	static const char inter[] = "{}[]\":,\\0-e.u \x00\xff\xc3\xa9\x80\x01";
	size_t times = 1 + fz_below(3);
	for (size_t t = 0; t < times; t++) {
		size_t pos = fz_below(b->n + 1);
		switch (fz_below(5)) {
		case 0:
			if (b->n)
				b->p[fz_below(b->n)] ^= (char)(1u << fz_below(8));
			break;
		case 1: { /* insert */
			char c = inter[fz_below(sizeof inter - 1)];
			fz_put(b, "", 1);
			memmove(b->p + pos + 1, b->p + pos, b->n - 1 - pos);
			b->p[pos] = c;
			break;
		}
		case 2: { /* delete a range */
			size_t len = fz_below(8);
			if (pos + len > b->n)
				len = b->n - pos;
			memmove(b->p + pos, b->p + pos + len, b->n - pos - len);
			b->n -= len;
			break;
		}
		case 3: { /* duplicate a range */
			size_t len = fz_below(16);
			if (pos + len > b->n)
				len = b->n - pos;
			char tmp[16];
			memcpy(tmp, b->p + pos, len);
			fz_put(b, tmp, len);
			memmove(b->p + pos + len, b->p + pos, b->n - 2 * len - pos);
			memcpy(b->p + pos, tmp, len);
			break;
		}
		default: b->n = pos; break; /* truncate */
		}
	}
}

static char *fz_base(int *attach)
{
	static const char *codes[] = {"tin_bao", "to_giac", "truy_na_bat", "hoa_giai",
	                              "vat_lieu_no"};
	fz_buf_t b = {0};
	*attach = 0;
	switch (fz_below(13)) {
	case 0:
	case 1:
		fz_putf(&b,
		        "{\"op\":\"submit\",\"reports\":[{\"form\":\"bvanttq-event\",\"period\":"
		        "\"2024-%02zu-%02zu\",\"values\":{\"%s\":%zu}}]}",
		        1 + fz_below(12), 1 + fz_below(28), codes[fz_below(5)], fz_below(1000));
		break;
	case 2:
		fz_putf(&b, "{\"op\":\"submit\",\"ids\":true,\"reports\":[%s,%s,%s]}", REPORT_EVENT,
		        REPORT_EVENT, REPORT_EVENT);
		break;
	case 3:
		fz_putf(&b,
		        "{\"op\":\"submit\",\"reports\":[{\"form\":\"bvanttq-monthly\",\"period\":"
		        "\"20%02zu-%02zu\",\"values\":{\"hop_dan\":%zu,\"hop_dan_nguoi\":%zu},"
		        "\"note\":\"Ghi ch\xc3\xba\"}]}",
		        32 + fz_below(68), 1 + fz_below(12), fz_below(50), fz_below(5000));
		break;
	case 4:
		fz_putf(&b, "{\"op\":\"correct\",\"id\":\"%s\",\"values\":{\"tin_bao\":%zu}}",
		        G.cur_id, fz_below(100));
		break;
	case 5:
		fz_putf(&b, "{\"op\":\"correct\",\"id\":\"%.12s\",\"note\":\"s\\u1eeda\"}",
		        G.cur_id);
		break;
	case 6:
		fz_putf(&b,
		        "{\"op\":\"log\",\"form\":\"bvanttq-event\",\"period\":\"2024-06-01\","
		        "\"limit\":%zu}",
		        1 + fz_below(5));
		break;
	case 7: fz_putf(&b, "{\"op\":\"show\",\"id\":\"%s\"}", G.cur_id); break;
	case 8: {
		static const char *simple[] = {"status", "forms", "ping", "children"};
		fz_putf(&b, "{\"op\":\"%s\"}", simple[fz_below(4)]);
		break;
	}
	case 9: {
		char key[2 * ANTT_KEY_BYTES + 1];
		fz_fresh_key(key);
		fz_putf(&b, "{\"op\":\"enroll\",\"unit\":\"%zu\",\"key\":\"%s\"}",
		        10000 + fz_below(90000), key);
		break;
	}
	default:
		fz_puts(&b, "{\"op\":\"submit\"}");
		*attach = 1;
		break;
	}
	return b.p;
}

static void fz_phase_mutate(long count, double seconds)
{
	fz_phase("mutations");
	double start = fz_elapsed();
	long i;
	for (i = 0; i < count; i++) {
		if (fz_elapsed() - start > seconds) {
			printf("    time budget of %.0f s reached after %ld of %ld mutations\n",
			       seconds, i, count);
			break;
		}
		int attach;
		char *base = fz_base(&attach);
		fz_buf_t req = {0}, att = {0};
		if (attach) {
			/* the reports travel as text: mutate those */
			json_t *rep = json_loads(REPORT_EVENT, 0, NULL);
			size_t times = fz_below(3);
			for (size_t t = 0; t < times; t++)
				fz_mutate_json(rep);
			char *s = fz_dump(rep);
			json_decref(rep);
			fz_unplace(&att, s);
			free(s);
			if (fz_below(2))
				fz_mutate_bytes(&att);
			fz_puts(&req, base);
		} else {
			json_t *j = json_loads(base, 0, NULL);
			size_t times = 1 + fz_below(3);
			for (size_t t = 0; t < times; t++)
				fz_mutate_json(j);
			char *s = fz_dump(j);
			json_decref(j);
			fz_unplace(&req, s);
			free(s);
			if (fz_below(3) == 0)
				fz_mutate_bytes(&req);
		}
		free(base);
		if (!req.p)
			fz_puts(&req, "");
		fz_frame_t f[3] = {{"", 0}, {req.p, req.n}, {att.p ? att.p : "", att.n}};
		fz_do("mutated request", f, attach ? 3 : 2, X_ANY);
		free(req.p);
		free(att.p);
	}
	printf("    %ld mutations\n", i);
}

/* ---- ambiguous prefixes, and the final checks ---- */

static int fz_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void fz_phase_ambiguous(void)
{
	fz_phase("ambiguous");
	/* 1500 records: two of them share their first 4 hex digits with a
	 * probability of 1 - 4e-8 */
	fz_buf_t b = {0};
	fz_puts(&b, "{\"op\":\"submit\",\"ids\":true,\"reports\":[");
	for (int i = 0; i < 1500; i++)
		fz_putf(&b,
		        "%s{\"form\":\"bvanttq-event\",\"period\":\"2024-07-%02d\",\"values\":"
		        "{\"to_giac\":%d}}",
		        i ? "," : "", 1 + i % 31, i);
	fz_puts(&b, "]}");
	json_t *r = fz_text("1500 reports", b.p, b.n, X_OK);
	json_t *recs = json_object_get(r, "records");
	size_t n = json_array_size(recs);
	const char **ids = antt_xcalloc(n, sizeof *ids);
	for (size_t i = 0; i < n; i++)
		ids[i] = json_string_value(json_object_get(json_array_get(recs, i), "id"));
	for (size_t i = 0; i < n; i++)
		if (!fz_is_hex64(ids[i]))
			fz_fatal("1500 reports: record %zu has no id", i);
	qsort(ids, n, sizeof *ids, fz_cmp);
	size_t best = 0, at = 0;
	for (size_t i = 1; i < n; i++) {
		size_t common = 0;
		while (common < 64 && ids[i][common] == ids[i - 1][common])
			common++;
		if (common > best) {
			best = common;
			at = i;
		}
	}
	if (best < 4) {
		printf("    no two of %zu ids share 4 hex digits: ambiguous prefixes not tried\n",
		       n);
	} else {
		for (size_t len = 4; len <= best; len++) {
			b.n = 0;
			fz_putf(&b, "{\"op\":\"show\",\"id\":\"%.*s\"}", (int)len, ids[at]);
			fz_expect_msg(fz_text("show an ambiguous prefix", b.p, b.n, X_ERR("data")),
			              "more than one", "show an ambiguous prefix");
			b.n = 0;
			fz_putf(&b,
			        "{\"op\":\"correct\",\"id\":\"%.*s\",\"values\":{\"to_giac\":1}}",
			        (int)len, ids[at]);
			fz_expect_msg(
			    fz_text("correct an ambiguous prefix", b.p, b.n, X_ERR("data")),
			    "more than one", "correct an ambiguous prefix");
		}
		/* one more digit names one record */
		b.n = 0;
		fz_putf(&b, "{\"op\":\"correct\",\"id\":\"%.*s\",\"values\":{\"to_giac\":1}}",
		        (int)best + 1, ids[at]);
		fz_str("correct by a unique prefix", b.p, X_OK);
	}
	free(ids);
	json_decref(r);
	free(b.p);
}

static void fz_final(void)
{
	fz_phase("final");
	json_t *r = fz_ok("verify", "{\"op\":\"verify\"}");
	if (!json_is_true(json_object_get(r, "valid")))
		fz_fail("verify", NULL, 0, NULL, 0, "the store does not verify");
	json_int_t checked = json_integer_value(json_object_get(r, "checked"));
	if (checked != G.records0 + G.accepted)
		fz_fail("verify", NULL, 0, NULL, 0,
		        "verify checked %lld records, expected %" PRId64 " + %" PRId64,
		        (long long)checked, G.records0, G.accepted);
	json_decref(r);
	r = fz_ok("status", "{\"op\":\"status\"}");
	json_int_t records = json_integer_value(json_object_get(r, "records"));
	json_int_t head = json_integer_value(json_object_get(json_object_get(r, "head"), "seq"));
	if (records != G.records0 + G.accepted || head != G.head)
		fz_fail("status", NULL, 0, NULL, 0,
		        "status says %lld records, head seq %lld; expected %" PRId64
		        " records, head seq %" PRId64,
		        (long long)records, (long long)head, G.records0 + G.accepted, G.head);
	json_decref(r);
}

/* ---- main ---- */

static void fz_usage(void)
{
	fprintf(stderr, "usage: ctl_fuzz ENDPOINT [--seed N] [--mutations N] [--seconds S] "
	                "[--strict]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	long mutations = 4000;
	double seconds = 25;
	uint64_t seed = 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--mutations") && i + 1 < argc)
			mutations = strtol(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			seconds = strtod(argv[++i], NULL);
		else if (!strcmp(argv[i], "--strict"))
			G.strict = 1;
		else if (argv[i][0] == '-' || G.endpoint)
			fz_usage();
		else
			G.endpoint = argv[i];
	}
	if (!G.endpoint)
		fz_usage();
	clock_gettime(CLOCK_MONOTONIC, &G.t0);
	G.rng = seed * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL;
	if (!G.rng)
		G.rng = 1;
	G.ids = json_array();
	G.ctx = zmq_ctx_new();
	G.dealer = fz_socket(ZMQ_DEALER);
	fz_wrong_init();
	printf("ctl_fuzz: %s, seed %" PRIu64 "%s, %zu wrong values\n", G.endpoint, seed,
	       G.strict ? ", strict" : "", NW);

	G.phase = "setup";
	json_t *r = fz_ok("status", "{\"op\":\"status\"}");
	G.records0 = json_integer_value(json_object_get(r, "records"));
	G.head = json_integer_value(json_object_get(json_object_get(r, "head"), "seq"));
	json_decref(r);
	char first[256];
	snprintf(first, sizeof first, "{\"op\":\"submit\",\"reports\":[%s]}", REPORT_EVENT);
	json_decref(fz_ok("the first good report", first));
	snprintf(G.cur_id, sizeof G.cur_id, "%s", G.event_id);

	fz_phase_frames();
	fz_phase_req();
	fz_phase_payloads();
	fz_phase_fields();
	fz_phase_reports();
	fz_phase_ids();
	fz_phase_attach();
	fz_phase_big();
	fz_phase_burst();
	fz_phase_mutate(mutations, seconds);
	fz_phase_ambiguous();
	fz_final();

	printf("ctl_fuzz: %.1f s, %ld requests: %ld replies (%ld accepted; refused: %ld usage, "
	       "%ld data, %ld notfound), %ld dropped without a reply\n",
	       fz_elapsed(), G.requests, G.replies, G.oks, G.cls_count[0], G.cls_count[1],
	       G.cls_count[2], G.dropped);
	if (!G.strict)
		printf("ctl_fuzz: %ld request(s) taken or dropped that --strict expects refused "
		       "(reported bugs)\n",
		       G.lenient_hits);
	if (G.fails)
		printf("ctl_fuzz: %ld check(s) FAILED\n", G.fails);
	printf("accepted %" PRId64 "\n", G.accepted);
	zmq_close(G.dealer);
	if (G.req)
		zmq_close(G.req);
	zmq_ctx_term(G.ctx);
	json_decref(G.ids);
	for (size_t i = 0; i < NW; i++)
		free(W[i].text);
	free(W);
	return G.fails ? 1 : 0;
}
