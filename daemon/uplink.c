/* uplink.c - the child side of sync (see uplink.h, proto/README.md).
 *
 * States and transitions (every change goes through s_set_state, which
 * logs "old -> new"):
 *
 *   DOWN ──backoff timer──► HELLO: new DEALER (CURVE), connect, send Hello
 *   HELLO ──Heads──► READY: take the parent's heads as where to send from
 *   READY ──work and credit──► SENDING: one Batch in flight
 *   SENDING ──Ack──► READY: heads advance, refusals recorded (one that
 *         names no author is matched by its index to the record sent
 *         there), receipts
 *   READY/SENDING ──Error "send Hello first"──► HELLO (send Hello again)
 *   any ──nothing from the parent for [sync] timeout, or a batch unacked
 *         that long──► DOWN (socket closed; backoff doubles, 1 s .. 60 s)
 *   READY: when the parent's head of this node's own key is beyond its own
 *         (a store restored from an old backup), Fetch; each Recovered
 *         is checked and appended; Fetch again until caught up.  Until
 *         then the node signs nothing new (antt_node_set_behind: the
 *         signing gate, node.c).
 *   READY: then, for each earlier key of this node's unit the parent names
 *         in Heads.unit_heads (a replaced machine's key), and each key of
 *         an old unit its unit took in Heads.older_heads (store_trust.c,
 *         "Rotation"), of which it holds more than this store, Fetch
 *         {author} the same way: the unit's reports filed under the old
 *         key, so that a month already filed is corrected, not filed twice.  Until then (and only
 * while connected) nothing new is signed (the signing gate's LEARNING). HELLO ──the CURVE handshake
 * failed (socket monitor: the parent's ZAP refused our key, or the parent key is wrong)──► DOWN at
 * once, the reason kept for antt status
 *
 * Fallback ([sync] fallback: a hub above the parent, e.g. the province):
 * each connection is to one of the two.  DOWN ──connect, the parent not
 * heard from for [sync] fallback_after──► HELLO to the fallback; READY on
 * the fallback for fallback_after ──► DOWN, then HELLO to the parent again
 * (if it does not answer, the next connection is to the fallback at once).
 * Both hold the same chains: the head exchange on each connection decides
 * what is sent, and a hub skips what it already holds.
 *
 * Batch size follows the link (the window, in envelope bytes): a batch
 * must be acknowledged well within [sync] timeout, or a slow link (2G: 8
 * KB/s) would time out on every batch and never move a record.  The window
 * starts at ANTT_SYNC_WINDOW_START, doubles after an Ack within a quarter of the
 * timeout of a batch that filled at least half of it (up to
 * ANTT_SYNC_BATCH_MAX_BYTES), halves after an Ack later than half the timeout, and
 * is quartered when a batch goes unacknowledged (down to ANTT_SYNC_WINDOW_MIN; a
 * batch always holds at least one record).  It is kept across connections:
 * it is the link's, not the session's.
 *
 * Credentials: the chain of enrollments up to the root comes in Heads.  A
 * parent that was itself not yet enrolled by a chain to the root when this
 * node connected (a tree starting up) hands an incomplete one; it is not
 * handed again until the next Heads.  So in READY, while the chain does
 * not reach [sync] root, the node says Hello again (READY ──►HELLO) after
 * TRUST_RETRY_MIN, then doubling up to TRUST_RETRY_MAX (a Hello lists every
 * author's head: on a slow link it is not free).  A chain that ends at the
 * parent's own key is that case, "not yet": logged at info while the
 * retries are young (up to TRUST_PATIENCE), a warning after; a chain that
 * ends at any other key is wrong at once (a warning).
 *
 * Heartbeat: in READY, a Ping every [sync] heartbeat when nothing else was
 * sent.  Nothing is trusted across connections: each one starts with the
 * head exchange, so either side may have lost or restored its store. */
#define _GNU_SOURCE
#include "uplink.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "antt.pb-c.h"
#include "clock.h"
#include "codec.h"
#include "common.h"
#include "stamp.h"
#include "sync.h"
#include "zwatch.h"

#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 60000
#define TRUST_RETRY_MIN 10000 /* ms: the first new Hello for a chain to the root */
#define TRUST_RETRY_MAX (30 * 60 * 1000)
#define TRUST_PATIENCE 160000 /* ms: the last retry at which "not yet" is no warning */

typedef enum { S_DOWN, S_HELLO, S_READY, S_SENDING } s_state_t;
static const char *s_state_names[] = {"down", "hello", "ready", "sending"};

/* A record of the batch in flight, by its place in the batch: a refusal
 * of one that did not decode at the parent names only that place. */
typedef struct {
	uint8_t author[ANTT_KEY_BYTES];
	uint64_t seq;
	uint8_t id[ANTT_ID_BYTES];
} s_sent_t;

typedef struct {
	uint8_t author[ANTT_KEY_BYTES];
	uint64_t seq;     /* the parent holds 1..seq */
	uint64_t blocked; /* when the parent refused one (s_now; 0: not): nothing
	                   * after it can link now; offered again a timeout later */
} s_remote_t;

typedef struct {
	uint8_t author[ANTT_KEY_BYTES];
	uint64_t seq; /* the parent holds 1..seq */
	int older;    /* of an older list's unit that went whole to this node's */
} s_learn_t;

struct antt_uplink {
	uv_loop_t *loop;
	antt_node_t *node;
	antt_hub_t *hub;
	struct {
		char *endpoint;
		uint8_t curve[32], ed[ANTT_KEY_BYTES];
	} peer[2];        /* 0: the parent, 1: the fallback */
	int n_peers, cur; /* cur: the one this connection is to */
	int fallback_after_ms;
	uint64_t parent_ok_at, switched_at; /* s_now */
	const char *endpoint;               /* peer[cur]'s */
	const uint8_t *server_curve, *parent_ed;
	int heartbeat_ms, timeout_ms, batch_max;
	void *zctx, *sock;
	void *mon; /* PAIR: the socket monitor's handshake failures */
	antt_zwatch_t *w;
	uv_timer_t timer; /* backoff, heartbeat and timeouts */
	s_state_t state;
	uint64_t last_heard, last_sent, batch_sent_at;
	int backoff_ms;
	uint64_t batch_no;
	uint32_t credit;
	size_t window;        /* most envelope bytes in one batch (see the top) */
	int heads_known;      /* the parent has named its heads since anttd started */
	uint64_t trust_asked; /* s_now of the last Heads (and its credentials) */
	uint32_t trust_retry; /* ms until the chain is asked for again (see the top) */
	size_t batch_bytes;   /* those of the batch in flight */
	s_sent_t *inflight;   /* its records, in order (batch number batch_no) */
	size_t n_inflight;
	s_remote_t *remote;
	size_t n_remote;
	int64_t sent, refused;
	int64_t wire_raw, wire_z; /* bytes of batches compressed, before and after */
	int64_t last_ok;          /* wall clock of the last Ack */
	char last_refusal[200];
	char link_error[200]; /* why the last connection failed ("" once connected) */
	int has_root;
	uint8_t root[ANTT_KEY_BYTES];
	s_learn_t learn[16]; /* the keys whose records are still to take back: the
	                      * unit's earlier keys, the old units' it took */
	size_t n_learn;
	char trust[400]; /* the credentials' state, for antt status */
	int trusted;     /* the chain of enrollments ends at the root */
	int closing;
	antt_clock_fn clock; /* every time the uplink decides by (s_now) */
	void *clock_arg;
};

/* Monotonic ms by the uplink's clock: the loop's (antt_clock_loop), or a
 * test's. */
static uint64_t s_now(const antt_uplink_t *u)
{
	return u->clock(u->clock_arg);
}

static void s_set_state(antt_uplink_t *u, s_state_t to)
{
	if (u->state == to)
		return;
	antt_log(to == S_DOWN ? ANTT_LOG_INFO : ANTT_LOG_DEBUG, "uplink %s: %s -> %s", u->endpoint,
	         s_state_names[u->state], s_state_names[to]);
	u->state = to;
}

static void s_send(antt_uplink_t *u, const Antt__SyncMsg *m)
{
	size_t len = antt__sync_msg__get_packed_size(m);
	uint8_t *buf = antt_xmalloc(len);
	antt__sync_msg__pack(m, buf);
	if (zmq_send(u->sock, buf, len, ZMQ_DONTWAIT) < 0)
		antt_log(ANTT_LOG_DEBUG, "uplink: not sent: %s", zmq_strerror(errno));
	else
		u->last_sent = s_now(u);
	free(buf);
	/* the send may have consumed ZMQ_FD's edge: look again (deferred if
	 * we are inside the watch's own callback) */
	antt_zwatch_kick(u->w);
}

static s_remote_t *s_remote(antt_uplink_t *u, const uint8_t author[ANTT_KEY_BYTES], int add)
{
	for (size_t i = 0; i < u->n_remote; i++)
		if (!memcmp(u->remote[i].author, author, ANTT_KEY_BYTES))
			return &u->remote[i];
	if (!add)
		return NULL;
	u->remote = antt_xrealloc(u->remote, (u->n_remote + 1) * sizeof *u->remote);
	s_remote_t *r = &u->remote[u->n_remote++];
	memcpy(r->author, author, ANTT_KEY_BYTES);
	r->seq = 0;
	r->blocked = 0;
	return r;
}

static void s_take_heads(antt_uplink_t *u, Antt__Head **heads, size_t n, int fresh)
{
	for (size_t i = 0; fresh && i < u->n_remote; i++)
		u->remote[i].blocked = 0; /* a new connection: offer everything again */
	for (size_t i = 0; i < n; i++)
		if (heads[i]->author.len == ANTT_KEY_BYTES) {
			s_remote_t *r = s_remote(u, heads[i]->author.data, 1);
			r->seq = heads[i]->seq; /* the parent's word, also when lower */
		}
}

/* ---- connecting ---- */

static void s_close_socket(antt_uplink_t *u);

static void s_sock_closed(void *arg)
{
	void **pair = arg;
	zmq_close(pair[0]);
	zmq_ctx_term(pair[1]);
	free(pair);
}

static void s_close_socket(antt_uplink_t *u)
{
	if (!u->sock)
		return;
	if (u->mon) {
		zmq_close(u->mon);
		u->mon = NULL;
	}
	void **pair = antt_xmalloc(2 * sizeof *pair);
	pair[0] = u->sock;
	pair[1] = u->zctx;
	u->sock = u->zctx = NULL;
	/* closed only once libuv has let go of the socket's fd */
	antt_zwatch_stop(&u->w, s_sock_closed, pair);
}

static int s_on_msg(void *sock, void *arg);

static void s_hello(antt_uplink_t *u)
{
	char err[ANTT_ERR_MAX];
	antt_author_head_t *mine = NULL;
	size_t n = 0;
	if (antt_store_heads(antt_node_store(u->node), &mine, &n, err)) {
		antt_log(ANTT_LOG_ERR, "uplink: %s", err);
		return;
	}
	Antt__Hello hello = ANTT__HELLO__INIT;
	Antt__Head *heads = antt_xcalloc(n + 1, sizeof *heads);
	Antt__Head **ptrs = antt_xcalloc(n + 1, sizeof *ptrs);
	const uint8_t *self = antt_node_key(u->node)->pk;
	int has_self = 0;
	for (size_t i = 0; i < n; i++) {
		has_self |= !memcmp(mine[i].author, self, ANTT_KEY_BYTES);
		antt__head__init(&heads[i]);
		heads[i].author.data = mine[i].author;
		heads[i].author.len = ANTT_KEY_BYTES;
		heads[i].seq = mine[i].head.seq;
		heads[i].id.data = mine[i].head.id;
		heads[i].id.len = ANTT_ID_BYTES;
		ptrs[i] = &heads[i];
	}
	if (!has_self) { /* always our own key: the parent's head of it is what a
		          * store restored from a backup must learn */
		antt__head__init(&heads[n]);
		heads[n].author.data = (uint8_t *)self;
		heads[n].author.len = ANTT_KEY_BYTES;
		ptrs[n] = &heads[n];
		n++;
	}
	hello.version = ANTT_SYNC_VERSION;
	hello.unit = (char *)antt_node_unit(u->node);
	hello.n_heads = n;
	hello.heads = ptrs;
	Antt__SyncMsg m = ANTT__SYNC_MSG__INIT;
	m.msg_case = ANTT__SYNC_MSG__MSG_HELLO;
	m.hello = &hello;
	s_set_state(u, S_HELLO);
	u->batch_sent_at = s_now(u);
	s_send(u, &m);
	free(heads);
	free(ptrs);
	free(mine);
}

/* Not connected: try again after the backoff (not on every tick; s_tick
 * makes it longer for the attempt after). */
static void s_retry_later(antt_uplink_t *u)
{
	u->last_heard = s_now(u);
}

static void s_use_peer(antt_uplink_t *u, int i)
{
	u->cur = i;
	u->endpoint = u->peer[i].endpoint;
	u->server_curve = u->peer[i].curve;
	u->parent_ed = u->peer[i].ed;
	u->switched_at = s_now(u);
	u->backoff_ms = BACKOFF_MIN_MS;
	u->trusted = 0;
	snprintf(u->trust, sizeof u->trust, "not yet heard from the %s", i ? "fallback" : "parent");
}

/* Which one to connect to now (see the fallback states above). */
static void s_choose_peer(antt_uplink_t *u)
{
	uint64_t now = s_now(u), after = (uint64_t)u->fallback_after_ms;
	if (u->n_peers < 2)
		return;
	if (u->cur == 0 && now - u->parent_ok_at >= after) {
		antt_log(ANTT_LOG_WARN,
		         "uplink: the parent %s has not been reached for %d s: sending to the "
		         "fallback %s meanwhile",
		         u->peer[0].endpoint, u->fallback_after_ms / 1000, u->peer[1].endpoint);
		s_use_peer(u, 1);
	} else if (u->cur == 1 && now - u->switched_at >= after) {
		antt_log(ANTT_LOG_INFO, "uplink: trying the parent %s again", u->peer[0].endpoint);
		s_use_peer(u, 0);
	}
}

static void s_connect(antt_uplink_t *u)
{
	const antt_key_t *key = antt_node_key(u->node);
	uint8_t cpk[32], csk[32];
	int zero = 0;
	s_close_socket(u); /* a Hello that failed may have left one */
	s_choose_peer(u);
	if (crypto_sign_ed25519_pk_to_curve25519(cpk, key->pk) != 0) {
		antt_log(ANTT_LOG_ERR, "uplink: this node's key has no transport key");
		s_retry_later(u);
		return;
	}
	crypto_sign_ed25519_sk_to_curve25519(csk, key->sk);
	u->zctx = zmq_ctx_new();
	u->sock = zmq_socket(u->zctx, ZMQ_DEALER);
	zmq_setsockopt(u->sock, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(u->sock, ZMQ_CURVE_SERVERKEY, u->server_curve, 32);
	zmq_setsockopt(u->sock, ZMQ_CURVE_PUBLICKEY, cpk, 32);
	zmq_setsockopt(u->sock, ZMQ_CURVE_SECRETKEY, csk, 32);
	sodium_memzero(csk, sizeof csk);
	int hb = u->heartbeat_ms, hbt = u->timeout_ms;
	zmq_setsockopt(u->sock, ZMQ_HEARTBEAT_IVL, &hb, sizeof hb);
	zmq_setsockopt(u->sock, ZMQ_HEARTBEAT_TIMEOUT, &hbt, sizeof hbt);
	int64_t maxmsg = ANTT_SYNC_MAX_FRAME;
	zmq_setsockopt(u->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
	if (zmq_connect(u->sock, u->endpoint) != 0) {
		antt_log(ANTT_LOG_ERR, "uplink: cannot connect to %s: %s", u->endpoint,
		         zmq_strerror(errno));
		zmq_close(u->sock);
		zmq_ctx_term(u->zctx);
		u->sock = u->zctx = NULL;
		s_retry_later(u);
		return;
	}
	/* a refused handshake is silent on the socket itself: watch for it.
	 * One context per connection, so the inproc name is ours alone. */
	if (zmq_socket_monitor(u->sock, "inproc://uplink-monitor",
	                       ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
	                           ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
	                           ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) == 0) {
		u->mon = zmq_socket(u->zctx, ZMQ_PAIR);
		zmq_setsockopt(u->mon, ZMQ_LINGER, &zero, sizeof zero);
		if (zmq_connect(u->mon, "inproc://uplink-monitor") != 0) {
			zmq_close(u->mon);
			u->mon = NULL;
		}
	}
	antt_zwatch_start(u->loop, u->sock, s_on_msg, u, &u->w);
	u->last_heard = s_now(u);
	s_hello(u);
}

static void s_down(antt_uplink_t *u, const char *why)
{
	if (u->state != S_DOWN)
		antt_log(ANTT_LOG_WARN, "uplink %s: %s; reconnecting in %d s", u->endpoint, why,
		         u->backoff_ms / 1000);
	s_close_socket(u);
	s_set_state(u, S_DOWN);
	/* the unit's earlier keys are asked for again on the next connection;
	 * offline, the node signs (a month filed twice is then a conflict) */
	u->n_learn = 0;
	antt_node_gate(u->node, ANTT_GATE_LEARNING, 0, "the link to the parent is down");
	u->last_heard = s_now(u);
}

/* ---- sending ---- */

typedef struct {
	ProtobufCBinaryData *recs;
	antt_stamp_set_t stamps; /* the first receipts of the records sent */
	s_sent_t *sent;          /* what each is */
	const uint8_t *author;   /* of the records being added */
	size_t n, max, bytes, max_bytes;
} s_fill_t;

static int s_fill_one(const uint8_t *id, const uint8_t *body, size_t blen, const uint8_t *sig,
                      uint64_t seq, int64_t stamp, void *arg)
{
	s_fill_t *f = arg;
	uint8_t *env;
	size_t len;
	antt_envelope_encode(body, blen, sig, &env, &len);
	f->recs[f->n].data = env;
	f->recs[f->n].len = len;
	antt_stamp_set_add(&f->stamps, stamp);
	memcpy(f->sent[f->n].author, f->author, ANTT_KEY_BYTES);
	f->sent[f->n].seq = seq;
	memcpy(f->sent[f->n].id, id, ANTT_ID_BYTES);
	f->n++;
	f->bytes += len;
	return f->n >= f->max || f->bytes >= f->max_bytes;
}

/* Send the next batch if there is work and credit.  Own records first
 * (they carry the enrollments the parent needs for the rest). */
static void s_pump(antt_uplink_t *u)
{
	char err[ANTT_ERR_MAX];
	if (u->state != S_READY || u->credit == 0)
		return;
	antt_author_head_t *mine = NULL;
	size_t n = 0;
	if (antt_store_heads(antt_node_store(u->node), &mine, &n, err)) {
		antt_log(ANTT_LOG_ERR, "uplink: %s", err);
		return;
	}
	size_t max = (size_t)u->batch_max < u->credit ? (size_t)u->batch_max : u->credit;
	s_fill_t f = {antt_xcalloc(max, sizeof *f.recs),
	              {0},
	              antt_xcalloc(max, sizeof *f.sent),
	              NULL,
	              0,
	              max,
	              0,
	              u->window};
	const uint8_t *self = antt_node_key(u->node)->pk;
	for (int pass = 0; pass < 2 && f.n < max; pass++)
		for (size_t i = 0; i < n && f.n < f.max && f.bytes < f.max_bytes; i++) {
			int own = !memcmp(mine[i].author, self, ANTT_KEY_BYTES);
			if (own != (pass == 0))
				continue;
			s_remote_t *r = s_remote(u, mine[i].author, 0);
			uint64_t from = (r ? r->seq : 0) + 1;
			if (r && r->blocked && s_now(u) - r->blocked > (uint64_t)u->timeout_ms)
				r->blocked = 0; /* what the parent lacked may have come since */
			if (mine[i].head.seq < from || (r && r->blocked))
				continue;
			/* an untrusted chain (store_trust.c) is not passed on beyond
			 * the seq it is untrusted from */
			uint64_t upto = mine[i].head.seq, q = 0;
			if (antt_store_untrusted(antt_node_store(u->node), mine[i].author, &q, NULL,
			                         0, NULL) == ANTT_OK &&
			    q < upto)
				upto = q;
			if (upto < from)
				continue;
			size_t room = f.max - f.n;
			if (upto - from + 1 < room)
				room = (size_t)(upto - from + 1);
			f.author = mine[i].author;
			if (antt_store_range(antt_node_store(u->node), mine[i].author, from, room,
			                     s_fill_one, &f, err))
				antt_log(ANTT_LOG_ERR, "uplink: %s", err);
		}
	if (f.n) {
		Antt__Batch b = ANTT__BATCH__INIT;
		Antt__SyncMsg m = ANTT__SYNC_MSG__INIT;
		uint8_t *z = NULL;
		b.batch = ++u->batch_no;
		b.n_records = f.n;
		b.records = f.recs;
		/* a hub forwards the first receipts of what it forwards */
		Antt__Stamp **stamps = NULL;
		size_t n_stamps = 0;
		if (antt_stamp_msgs(antt_node_store(u->node), &f.stamps, &stamps, &n_stamps, err)) {
			/* not without them: the parent would judge these records late */
			antt_log(ANTT_LOG_ERR, "uplink: %s", err);
			--u->batch_no;
			goto out;
		}
		b.stamps = stamps;
		b.n_stamps = n_stamps;
		/* on slow links every byte counts: compress when it pays */
		size_t raw_len, zlen;
		if (f.bytes >= ANTT_SYNC_ZBATCH_MIN &&
		    antt_codec_batch_compress(&b, &z, &raw_len, &zlen)) {
			u->wire_raw += (int64_t)raw_len;
			u->wire_z += (int64_t)zlen;
		}
		m.msg_case = ANTT__SYNC_MSG__MSG_BATCH;
		m.batch = &b;
		s_set_state(u, S_SENDING);
		u->batch_sent_at = s_now(u);
		u->batch_bytes = f.bytes;
		u->sent += (int64_t)f.n;
		free(u->inflight);
		u->inflight = f.sent;
		u->n_inflight = f.n;
		f.sent = NULL;
		s_send(u, &m);
		free(z);
		antt_stamp_msgs_free(stamps, n_stamps);
	}
out:
	for (size_t i = 0; i < f.n; i++)
		free(f.recs[i].data);
	free(f.recs);
	antt_stamp_set_clear(&f.stamps);
	free(f.sent);
	free(mine);
}

/* ---- receiving ---- */

/* The window after a batch acknowledged ELAPSED ms after it was sent, or
 * not at all (ELAPSED < 0): see the top of the file. */
static void s_adapt_window(antt_uplink_t *u, int64_t elapsed)
{
	size_t was = u->window;
	if (elapsed < 0)
		u->window /= 4;
	else if (elapsed * 2 > u->timeout_ms)
		u->window /= 2;
	else if (elapsed * 4 < u->timeout_ms && u->batch_bytes * 2 >= u->window)
		u->window *= 2;
	if (u->window < ANTT_SYNC_WINDOW_MIN)
		u->window = ANTT_SYNC_WINDOW_MIN;
	if (u->window > ANTT_SYNC_BATCH_MAX_BYTES)
		u->window = ANTT_SYNC_BATCH_MAX_BYTES;
	if (u->window != was)
		antt_log(ANTT_LOG_DEBUG, "uplink %s: batches of up to %zu KiB (were %zu KiB)",
		         u->endpoint, u->window >> 10, was >> 10);
}

static int s_is_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/* Which record of ours a refusal of batch `batch` is: the author, seq and
 * id it names, and what it does not name (it did not decode at the
 * parent) from the record sent at its index.  All zero what is unknown. */
static void s_refused_record(const antt_uplink_t *u, uint64_t batch, const Antt__Refusal *r,
                             s_sent_t *what)
{
	const s_sent_t *sent =
	    batch == u->batch_no && r->index < u->n_inflight ? &u->inflight[r->index] : NULL;
	/* what the refusal names is believed over the index: an older parent
	 * sends no index (read as 0), but it names every record it refuses
	 * that it can decode, and it decodes whatever this node holds */
	if (sent &&
	    ((r->id.len == ANTT_ID_BYTES && memcmp(r->id.data, sent->id, ANTT_ID_BYTES)) ||
	     (r->author.len == ANTT_KEY_BYTES &&
	      (memcmp(r->author.data, sent->author, ANTT_KEY_BYTES) || r->seq != sent->seq))))
		sent = NULL;
	memset(what, 0, sizeof *what);
	if (r->author.len == ANTT_KEY_BYTES) {
		memcpy(what->author, r->author.data, ANTT_KEY_BYTES);
		what->seq = r->seq;
	} else if (sent) {
		memcpy(what->author, sent->author, ANTT_KEY_BYTES);
		what->seq = sent->seq;
	}
	if (r->id.len == ANTT_ID_BYTES)
		memcpy(what->id, r->id.data, ANTT_ID_BYTES);
	else if (sent)
		memcpy(what->id, sent->id, ANTT_ID_BYTES);
}

static void s_on_ack(antt_uplink_t *u, const Antt__Ack *ack)
{
	char err[ANTT_ERR_MAX];
	antt_store_t *st = antt_node_store(u->node);
	int64_t now = antt_now();
	s_adapt_window(u, (int64_t)(s_now(u) - u->batch_sent_at));
	s_take_heads(u, ack->heads, ack->n_heads, 0);
	u->credit = ack->credit;
	u->last_ok = now;
	int rc = antt_store_begin(st, err);
	for (size_t i = 0; i < ack->n_heads && !rc; i++)
		if (ack->heads[i]->author.len == ANTT_KEY_BYTES)
			rc = antt_store_set_receipt(st, 1, ack->heads[i]->author.data,
			                            ack->heads[i]->seq, now, err);
	size_t waiting = 0;
	for (size_t i = 0; i < ack->n_refused && !rc; i++) {
		const Antt__Refusal *r = ack->refused[i];
		s_sent_t what;
		s_refused_record(u, ack->batch, r, &what);
		int named =
		    r->author.len == ANTT_KEY_BYTES || !s_is_zero(what.author, ANTT_KEY_BYTES);
		if (r->code == ANTT_REFUSE_AUTHOR && named) {
			/* unknown author: its enrollment has not reached the parent
			 * yet (it travels in another chain).  Not a refusal: the
			 * records wait here and are offered again a timeout later */
			s_remote(u, what.author, 1)->blocked = s_now(u);
			antt_log(ANTT_LOG_INFO,
			         "uplink: seq %" PRIu64
			         " waits: the parent does not know its author "
			         "yet (%s)",
			         what.seq, r->reason ? r->reason : "");
			waiting++;
			continue;
		}
		char reason[161], hex[2 * ANTT_KEY_BYTES + 1];
		snprintf(reason, sizeof reason, "%s", r->reason ? r->reason : "");
		rc = antt_store_add_refusal(st, what.author, what.seq, what.id, (int)r->code,
		                            reason, now, err);
		snprintf(u->last_refusal, sizeof u->last_refusal, "seq %" PRIu64 ": %s", what.seq,
		         reason);
		antt_log(ANTT_LOG_WARN,
		         "uplink: the parent refused seq %" PRIu64 " of %.16s (code %u): %s",
		         what.seq, antt_hex(hex, what.author, ANTT_KEY_BYTES), r->code, reason);
		/* one bad record never blocks the queue: other authors flow on;
		 * this author's later records could not link onto what the
		 * parent holds, so they wait for the next connection */
		if (named)
			s_remote(u, what.author, 1)->blocked = s_now(u);
	}
	if (!rc)
		rc = antt_store_commit(st, err);
	if (rc) {
		antt_store_rollback(st);
		antt_log(ANTT_LOG_ERR, "uplink: %s", err);
	}
	u->refused += (int64_t)(ack->n_refused - waiting);
	if (u->hub) /* my parent holds these: one level above my children's parent */
		antt_hub_receipt(u->hub, 1, ack->heads, ack->n_heads);
	u->backoff_ms = BACKOFF_MIN_MS;
	s_set_state(u, S_READY);
	s_pump(u);
}

/* Record that `level` above this node holds heads (one transaction). */
static void s_store_receipts(antt_uplink_t *u, int level, Antt__Head **heads, size_t n)
{
	char err[ANTT_ERR_MAX];
	antt_store_t *st = antt_node_store(u->node);
	int64_t now = antt_now();
	int rc = antt_store_begin(st, err);
	for (size_t i = 0; i < n && !rc; i++)
		if (heads[i]->author.len == ANTT_KEY_BYTES && heads[i]->seq)
			rc = antt_store_set_receipt(st, level, heads[i]->author.data, heads[i]->seq,
			                            now, err);
	if (!rc)
		rc = antt_store_commit(st, err);
	if (rc) {
		antt_store_rollback(st);
		antt_log(ANTT_LOG_ERR, "uplink: %s", err);
	}
}

static void s_on_receipt(antt_uplink_t *u, const Antt__Receipt *r)
{
	if (r->level < 1 || r->level > 16)
		return;
	s_store_receipts(u, (int)r->level + 1, r->heads, r->n_heads);
	if (u->hub)
		antt_hub_receipt(u->hub, r->level + 1, r->heads, r->n_heads);
}

/* ---- recovery of this node's own records ---- */

/* Ask for author's records from seq from (author NULL: this node's own). */
static void s_fetch(antt_uplink_t *u, const uint8_t *author, uint64_t from)
{
	Antt__Fetch f = ANTT__FETCH__INIT;
	Antt__SyncMsg m = ANTT__SYNC_MSG__INIT;
	f.from_seq = from;
	if (author) {
		f.author.data = (uint8_t *)author;
		f.author.len = ANTT_KEY_BYTES;
	}
	m.msg_case = ANTT__SYNC_MSG__MSG_FETCH;
	m.fetch = &f;
	s_send(u, &m);
}

/* Check the credentials the parent sent (Heads): a chain of enrollments
 * from this node's key (enrolled by the parent) up to the root
 * (antt_credentials_check).  Kept (meta "credentials") when they hold, for
 * this node's own children and its antt verify --deep.  0; or, with the
 * reason in u->trust, 2 when the chain ends at the parent's own key ("not
 * yet", see the top) and 1 when it is wrong. */
static int s_check_credentials(antt_uplink_t *u, ProtobufCBinaryData *creds, size_t n,
                               const uint8_t parent[ANTT_KEY_BYTES])
{
	char why[ANTT_ERR_MAX], chain[160];
	uint8_t top[ANTT_KEY_BYTES];
	int yet = 0;
	u->trusted = 0;
	if (!n) {
		snprintf(u->trust, sizeof u->trust,
		         "the parent sent no enrollment of this node (an older anttd?)");
		return 1;
	}
	Antt__Records rs = ANTT__RECORDS__INIT;
	rs.n_records = n;
	rs.records = creds;
	size_t len = antt__records__get_packed_size(&rs);
	uint8_t *buf = antt_xmalloc(len);
	antt__records__pack(&rs, buf);
	int rc = antt_credentials_check(buf, len, antt_node_key(u->node)->pk, parent, top, chain,
	                                sizeof chain, why);
	if (rc) {
		snprintf(u->trust, sizeof u->trust, "the chain the parent sent: %.300s", why);
	} else if (!u->has_root) {
		snprintf(u->trust, sizeof u->trust,
		         "enrolled (%s), not checked: [sync] root is not set", chain);
	} else if (memcmp(top, u->root, ANTT_KEY_BYTES) &&
	           !memcmp(top, u->peer[0].ed, ANTT_KEY_BYTES)) {
		snprintf(u->trust, sizeof u->trust,
		         "not yet from the root: the parent enrolled this node (%s) but does not "
		         "yet hold its own chain to [sync] root (asked again in %u s)",
		         chain, u->trust_retry / 1000);
		rc = 1;
		yet = 1;
	} else if (memcmp(top, u->root, ANTT_KEY_BYTES)) {
		snprintf(
		    u->trust, sizeof u->trust,
		    "NOT from the root: the chain of enrollments (%s) ends at another key than "
		    "[sync] root",
		    chain);
		rc = 1;
	} else {
		snprintf(u->trust, sizeof u->trust, "enrolled by a chain to the root (%s)", chain);
		u->trusted = 1;
	}
	if (!rc && antt_store_meta_set(antt_node_store(u->node), "credentials", buf, len, why))
		antt_log(ANTT_LOG_ERR, "uplink: %s", why);
	free(buf);
	return !rc ? 0 : yet ? 2 : 1;
}

/* The parent's head of our own key, from Heads: behind it, take ours back
 * (1: a Fetch is under way); at or under it, the ids must agree (else our
 * chain forked). */
static int s_check_own_head(antt_uplink_t *u, Antt__Head **heads, size_t n)
{
	char err[ANTT_ERR_MAX];
	const uint8_t *self = antt_node_key(u->node)->pk;
	antt_head_t mine = {0};
	if (antt_store_head(antt_node_store(u->node), self, &mine, err))
		return 0;
	int named = 0;
	for (size_t i = 0; i < n; i++) {
		const Antt__Head *h = heads[i];
		if (h->author.len != ANTT_KEY_BYTES || memcmp(h->author.data, self, ANTT_KEY_BYTES))
			continue;
		named = 1;
		if (h->seq > mine.seq) {
			antt_log(ANTT_LOG_WARN,
			         "uplink: the parent holds this node's records up to seq %" PRIu64
			         ", this store only to %" PRIu64
			         " (restored from an old backup?): taking them back before signing "
			         "anything new",
			         h->seq, mine.seq);
			antt_node_set_behind(u->node, h->seq);
			s_fetch(u, NULL, mine.seq + 1);
			return 1;
		}
		uint8_t id[ANTT_ID_BYTES];
		if (h->seq && h->id.len == ANTT_ID_BYTES &&
		    antt_store_id_at(antt_node_store(u->node), self, h->seq, id, err) == ANTT_OK &&
		    memcmp(id, h->id.data, ANTT_ID_BYTES))
			antt_log(ANTT_LOG_ERR,
			         "uplink: FORK: the parent holds another record at seq %" PRIu64
			         " of this node's own chain: this store was restored from a backup "
			         "and signed again while the parent was out of reach; its records "
			         "from there are refused (see antt status)",
			         h->seq);
	}
	/* a backup copy: the head is known now, if the parent (not the
	 * fallback, which may lack our newest records) named it */
	if (named && u->cur == 0)
		antt_node_confirm_head(u->node);
	return 0;
}

/* The keys named in Heads (older: of the old units this node's unit took)
 * of which the parent holds more than we do, after those planned. */
static void s_plan_learning(antt_uplink_t *u, Antt__Head **heads, size_t n, int older)
{
	char err[ANTT_ERR_MAX];
	for (size_t i = 0; i < n && u->n_learn < sizeof u->learn / sizeof u->learn[0]; i++) {
		const Antt__Head *h = heads[i];
		antt_head_t have = {0};
		if (h->author.len != ANTT_KEY_BYTES ||
		    !memcmp(h->author.data, antt_node_key(u->node)->pk, ANTT_KEY_BYTES) ||
		    antt_store_head(antt_node_store(u->node), h->author.data, &have, err) ||
		    have.seq >= h->seq)
			continue;
		memcpy(u->learn[u->n_learn].author, h->author.data, ANTT_KEY_BYTES);
		u->learn[u->n_learn].older = older;
		u->learn[u->n_learn++].seq = h->seq;
	}
}

/* Keep the keys of the old units this node's unit took: their reports of
 * its own list's periods are no duplicates of its own (store_trust.c,
 * "Rotation"). */
static void s_keep_older(antt_uplink_t *u, Antt__Head **heads, size_t n)
{
	char err[ANTT_ERR_MAX];
	uint8_t(*keys)[ANTT_KEY_BYTES] = antt_xcalloc(n + 1, ANTT_KEY_BYTES);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (heads[i]->author.len == ANTT_KEY_BYTES)
			memcpy(keys[k++], heads[i]->author.data, ANTT_KEY_BYTES);
	if (k && antt_store_older_keys_add(antt_node_store(u->node), keys, k, err))
		antt_log(ANTT_LOG_ERR, "uplink: %s", err);
	free(keys);
}

/* Fetch the next earlier key's records, or sign again when none is left. */
static void s_learn_next(antt_uplink_t *u)
{
	char err[ANTT_ERR_MAX];
	antt_head_t have = {0};
	if (!u->n_learn) {
		antt_node_gate(u->node, ANTT_GATE_LEARNING, 0,
		               "no earlier key of this unit left to take records of");
		return;
	}
	if (antt_store_head(antt_node_store(u->node), u->learn[0].author, &have, err)) {
		antt_log(ANTT_LOG_ERR, "uplink: %s", err);
		u->n_learn = 0;
		antt_node_gate(u->node, ANTT_GATE_LEARNING, 0, "the store could not be read");
		return;
	}
	if (!antt_node_gate_holds(u->node, ANTT_GATE_LEARNING))
		antt_log(ANTT_LOG_INFO,
		         "uplink: this unit had an earlier key (a replaced machine?): taking its "
		         "records back before signing anything new");
	antt_node_gate(u->node, ANTT_GATE_LEARNING, 1,
	               "taking this unit's records under an earlier key from the parent");
	s_fetch(u, u->learn[0].author, have.seq + 1);
}

/* Recovered: this node's own records (r->author absent), or those of the
 * key it asked for (an earlier key of its unit, or one of an old unit its
 * unit took), in order, each checked link by link and by its author's
 * signature, appended in one transaction. */
static void s_on_recovered(antt_uplink_t *u, const Antt__Recovered *r)
{
	char err[ANTT_ERR_MAX];
	antt_store_t *st = antt_node_store(u->node);
	const int own = r->author.len == 0;
	const uint8_t *author = own ? antt_node_key(u->node)->pk : u->learn[0].author;
	/* an old unit's key files for the old units (store_trust.c, "Rotation"):
	 * which is the parent's judgement, T5 */
	const int any_unit = !own && u->n_learn && u->learn[0].older;
	antt_head_t head = {0};
	size_t taken = 0;
	if (!own && (!u->n_learn || r->author.len != ANTT_KEY_BYTES ||
	             memcmp(r->author.data, author, ANTT_KEY_BYTES))) {
		antt_log(ANTT_LOG_WARN, "uplink: the parent sent records of a key not asked for");
		return;
	}
	int rc = antt_store_begin(st, err);
	if (!rc)
		rc = antt_store_head(st, author, &head, err);
	for (size_t i = 0; i < r->n_records && !rc; i++) {
		uint8_t *body = NULL, sig[ANTT_SIG_BYTES], id[ANTT_ID_BYTES];
		size_t blen;
		antt_body_t b = {0};
		char why[ANTT_ERR_MAX];
		if (antt_envelope_decode(r->records[i].data, r->records[i].len, &body, &blen, sig,
		                         why) ||
		    antt_body_decode(body, blen, &b, why) ||
		    memcmp(b.author, author, ANTT_KEY_BYTES) ||
		    !antt_chain_follows(b.seq, b.prev, head.seq, head.id) ||
		    (!own && !any_unit && strcmp(b.unit, antt_node_unit(u->node))) ||
		    antt_record_verify(sig, body, blen, author) != 0) {
			rc = antt_errf(
			    err, ANTT_E_CORRUPT,
			    own ? "a record the parent sent back is not the next of this "
			          "node's own chain: recovery stopped"
			        : "a record the parent sent of this unit's earlier key is "
			          "not the next of that key's chain, or not of this unit: "
			          "not taken");
		} else {
			antt_record_id(id, body, blen);
			rc = antt_store_append_ex(st, id, body, blen, sig, &b, antt_now(), 0, 1,
			                          err);
			head.seq = b.seq;
			memcpy(head.id, id, ANTT_ID_BYTES);
			taken++;
		}
		antt_body_clear(&b);
		free(body);
	}
	if (!rc)
		rc = antt_store_commit(st, err);
	if (rc) {
		antt_store_rollback(st);
		antt_log(ANTT_LOG_ERR, "uplink: %s", err);
		if (!own) { /* nothing more to learn from this parent */
			u->n_learn = 0;
			s_learn_next(u);
		}
		return;
	}
	if (head.seq < r->head && taken) {
		if (own)
			antt_node_set_behind(u->node, r->head);
		s_fetch(u, own ? NULL : author, head.seq + 1);
		return;
	}
	if (own) {
		antt_node_set_behind(u->node, 0);
		if (u->cur == 0)
			antt_node_confirm_head(u->node);
		antt_log(ANTT_LOG_INFO,
		         "uplink: this node's own records recovered up to seq %" PRIu64, head.seq);
	} else {
		char hex[2 * ANTT_KEY_BYTES + 1];
		antt_hex(hex, author, ANTT_KEY_BYTES);
		antt_log(ANTT_LOG_INFO,
		         "uplink: this unit's records under its earlier key %.16s taken back, up "
		         "to seq %" PRIu64,
		         hex, head.seq);
		memmove(u->learn, u->learn + 1, --u->n_learn * sizeof u->learn[0]);
	}
	s_learn_next(u);
	s_pump(u);
}

static int s_on_msg(void *sock, void *arg)
{
	antt_uplink_t *u = arg;
	zmq_msg_t msg;
	zmq_msg_init(&msg);
	if (zmq_msg_recv(&msg, sock, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&msg);
		return -1;
	}
	u->last_heard = s_now(u);
	if (u->cur == 0)
		u->parent_ok_at = u->last_heard;
	Antt__SyncMsg *m =
	    zmq_msg_more(&msg) ? NULL : antt_codec_sync_msg(zmq_msg_data(&msg), zmq_msg_size(&msg));
	zmq_msg_close(&msg);
	if (!m) {
		antt_log(ANTT_LOG_WARN, "uplink: malformed message from the parent");
		return 0;
	}
	switch (m->msg_case) {
	case ANTT__SYNC_MSG__MSG_HEADS:
		if (u->state == S_HELLO) {
			s_take_heads(u, m->heads->heads, m->heads->n_heads, 1);
			/* the unit's earlier keys: held by the parent, not ours to send */
			s_take_heads(u, m->heads->unit_heads, m->heads->n_unit_heads, 0);
			s_take_heads(u, m->heads->older_heads, m->heads->n_older_heads, 0);
			/* what the parent holds is received, whatever we remember:
			 * an Ack may have been lost, or our store restored */
			s_store_receipts(u, 1, m->heads->heads, m->heads->n_heads);
			s_store_receipts(u, 1, m->heads->unit_heads, m->heads->n_unit_heads);
			s_store_receipts(u, 1, m->heads->older_heads, m->heads->n_older_heads);
			if (u->hub)
				antt_hub_receipt(u->hub, 1, m->heads->heads, m->heads->n_heads);
			u->credit = m->heads->credit;
			/* from the fallback, the chain starts at our own parent's
			 * enrollment of us: it must still end at the root */
			int was_trusted = u->trusted;
			int cr =
			    s_check_credentials(u, m->heads->credentials, m->heads->n_credentials,
			                        u->cur ? NULL : u->parent_ed);
			if (cr)
				antt_log(cr == 2 && u->trust_retry <= TRUST_PATIENCE
				             ? ANTT_LOG_INFO
				             : ANTT_LOG_WARN,
				         "uplink: credentials: %s", u->trust);
			else if (!was_trusted && u->heads_known)
				antt_log(ANTT_LOG_INFO, "uplink: credentials: now %s", u->trust);
			if (u->trusted)
				u->trust_retry = TRUST_RETRY_MIN;
			u->n_learn = 0;
			s_plan_learning(u, m->heads->unit_heads, m->heads->n_unit_heads, 0);
			s_plan_learning(u, m->heads->older_heads, m->heads->n_older_heads, 1);
			s_keep_older(u, m->heads->older_heads, m->heads->n_older_heads);
			if (!s_check_own_head(u, m->heads->heads, m->heads->n_heads))
				s_learn_next(u);
			antt_log(ANTT_LOG_INFO, "uplink %s: connected", u->endpoint);
			u->heads_known = 1;
			u->trust_asked = s_now(u);
			u->link_error[0] = '\0';
			u->backoff_ms = BACKOFF_MIN_MS;
			s_set_state(u, S_READY);
			s_pump(u);
		}
		break;
	case ANTT__SYNC_MSG__MSG_ACK:
		if (u->state == S_SENDING && m->ack->batch == u->batch_no)
			s_on_ack(u, m->ack);
		break;
	case ANTT__SYNC_MSG__MSG_RECEIPT: s_on_receipt(u, m->receipt); break;
	case ANTT__SYNC_MSG__MSG_RECOVERED: s_on_recovered(u, m->recovered); break;
	case ANTT__SYNC_MSG__MSG_PONG: break;
	case ANTT__SYNC_MSG__MSG_ERROR:
		antt_log(ANTT_LOG_WARN, "uplink: the parent says: %s",
		         m->error->reason ? m->error->reason : "error");
		if (m->error->code == ANTT_SYNC_E_HELLO || m->error->code == ANTT_SYNC_E_STORE)
			s_hello(u);
		break;
	default: break;
	}
	antt__sync_msg__free_unpacked(m, NULL);
	return 0;
}

/* ---- the timer: backoff, heartbeat, timeouts (s_tick) ---- */

/* A handshake failure the monitor reported, as advice; NULL if none.
 * Each event is two frames: 16-bit event and 32-bit value, then the
 * endpoint. */
static const char *s_handshake_failure(antt_uplink_t *u)
{
	const char *why = NULL;
	uint8_t ev[6];
	char rest[256];
	int n;
	while (u->mon && (n = zmq_recv(u->mon, ev, sizeof ev, ZMQ_DONTWAIT)) >= 0) {
		int more = 0;
		size_t ml = sizeof more;
		zmq_getsockopt(u->mon, ZMQ_RCVMORE, &more, &ml);
		while (more && zmq_recv(u->mon, rest, sizeof rest, ZMQ_DONTWAIT) >= 0)
			zmq_getsockopt(u->mon, ZMQ_RCVMORE, &more, &ml);
		if (n < 2)
			continue;
		uint16_t event;
		memcpy(&event, ev, sizeof event);
		if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
			why = "the parent refused this node's key: it is not enrolled there "
			      "(the parent's admin runs antt enroll with this node's unit and "
			      "public key)";
		else if (!why)
			why = "the secure handshake with the parent failed: check that [sync] "
			      "parent_key is the parent's public key";
	}
	return why;
}

static void s_tick(antt_uplink_t *u)
{
	uint64_t now = s_now(u);
	switch (u->state) {
	case S_DOWN:
		if (now - u->last_heard >= (uint64_t)u->backoff_ms) {
			/* the wait after this attempt, should it fail too: the
			 * first wait is 1 s, as s_down says */
			u->backoff_ms =
			    u->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : u->backoff_ms * 2;
			s_connect(u);
		}
		break;
	case S_HELLO:
	case S_SENDING: {
		const char *why = u->state == S_HELLO ? s_handshake_failure(u) : NULL;
		if (why) {
			if (strcmp(u->link_error, why))
				antt_log(ANTT_LOG_ERR, "uplink %s: %s", u->endpoint, why);
			snprintf(u->link_error, sizeof u->link_error, "%s", why);
			s_down(u, "handshake failed");
		} else if (now - u->batch_sent_at > (uint64_t)u->timeout_ms) {
			if (u->state == S_HELLO)
				snprintf(u->link_error, sizeof u->link_error,
				         "no answer from the parent within %d s",
				         u->timeout_ms / 1000);
			else
				s_adapt_window(u, -1);
			s_down(u, u->state == S_HELLO ? "no answer to Hello"
			                              : "batch not acknowledged");
		}
		break;
	}
	case S_READY:
		if (now - u->last_heard > (uint64_t)u->timeout_ms) {
			s_down(u, "parent silent");
		} else if (u->cur == 1 && now - u->switched_at >= (uint64_t)u->fallback_after_ms) {
			s_down(u, "leaving the fallback to try the parent again");
			u->backoff_ms = BACKOFF_MIN_MS;
		} else if (u->has_root && !u->trusted && now - u->trust_asked >= u->trust_retry) {
			antt_log(ANTT_LOG_INFO,
			         "uplink %s: asking the parent again for a chain of enrollments to "
			         "the root",
			         u->endpoint);
			u->trust_retry = u->trust_retry * 2 > TRUST_RETRY_MAX ? TRUST_RETRY_MAX
			                                                      : u->trust_retry * 2;
			s_hello(u);
		} else if (now - u->last_sent >= (uint64_t)u->heartbeat_ms) {
			Antt__Ping p = ANTT__PING__INIT;
			Antt__SyncMsg m = ANTT__SYNC_MSG__INIT;
			p.nonce = now;
			m.msg_case = ANTT__SYNC_MSG__MSG_PING;
			m.ping = &p;
			s_send(u, &m);
			s_pump(u);
		}
		break;
	}
}

static void s_on_timer(uv_timer_t *t)
{
	s_tick(t->data);
}

void antt_uplink_tick(antt_uplink_t *u)
{
	s_tick(u);
}

void antt_uplink_set_clock(antt_uplink_t *u, antt_clock_fn fn, void *arg)
{
	u->clock = fn ? fn : antt_clock_loop;
	u->clock_arg = fn ? arg : u->loop;
}

static void s_on_stored(void *arg)
{
	s_pump(arg);
}

typedef struct {
	json_t *levels;
	uint64_t head;
} s_levels_t;

static int s_level_row(const antt_store_receipt_t *r, void *arg)
{
	s_levels_t *l = arg;
	json_array_append_new(l->levels,
	                      json_pack("{s:I, s:I, s:I, s:I}", "level", (json_int_t)r->level,
	                                "seq", (json_int_t)r->seq, "of", (json_int_t)l->head, "at",
	                                (json_int_t)r->at));
	return 0;
}

/* status: the link, and how far up this node's own records are stored */
static void s_uplink_status(json_t *resp, void *arg)
{
	antt_uplink_t *u = arg;
	char err[ANTT_ERR_MAX];
	antt_head_t head = {0};
	const uint8_t *self = antt_node_key(u->node)->pk;
	antt_store_head(antt_node_store(u->node), self, &head, err);
	s_levels_t l = {json_array(), head.seq};
	antt_store_receipts_each(antt_node_store(u->node), self, s_level_row, &l, err);
	/* records held here that the parent did not hold when it last said */
	antt_author_head_t *mine = NULL;
	size_t n = 0;
	uint64_t queued = 0;
	if (antt_store_heads(antt_node_store(u->node), &mine, &n, err) == 0)
		for (size_t i = 0; i < n; i++) {
			s_remote_t *r = s_remote(u, mine[i].author, 0);
			uint64_t held = r ? r->seq : 0;
			queued += mine[i].head.seq > held ? mine[i].head.seq - held : 0;
		}
	free(mine);
	json_t *up = json_pack(
	    "{s:s, s:s?, s:b, s:s, s:o, s:I, s:I, s:I, s:o, s:s, s:s, s:o, s:{s:b, s:s}}", "parent",
	    u->peer[0].endpoint, "fallback", u->peer[1].endpoint, "on_fallback", u->cur == 1,
	    "state", s_state_names[u->state], "queued",
	    u->heads_known ? json_integer((json_int_t)queued) : json_null(), "sent",
	    (json_int_t)u->sent, "refused", (json_int_t)u->refused, "batch_window",
	    (json_int_t)u->window, "last_ok", u->last_ok ? json_integer(u->last_ok) : json_null(),
	    "last_refusal", u->last_refusal, "link_error", u->link_error, "levels", l.levels,
	    "trust", "verified", u->trusted, "state", u->trust);
	json_object_set_new(resp, "uplink", up);
}

int antt_uplink_open(uv_loop_t *loop, antt_node_t *node, antt_hub_t *hub, const antt_config_t *cfg,
                     antt_uplink_t **out, char *err)
{
	antt_uplink_t *u = antt_xcalloc(1, sizeof *u);
	u->loop = loop;
	u->node = node;
	u->hub = hub;
	antt_uplink_set_clock(u, NULL, NULL);
	u->peer[0].endpoint = antt_xstrdup(cfg->parent);
	memcpy(u->peer[0].ed, cfg->parent_key, ANTT_KEY_BYTES);
	u->n_peers = 1;
	if (cfg->fallback) {
		u->peer[1].endpoint = antt_xstrdup(cfg->fallback);
		memcpy(u->peer[1].ed, cfg->fallback_key, ANTT_KEY_BYTES);
		u->n_peers = 2;
	}
	u->fallback_after_ms = cfg->fallback_after_ms;
	u->heartbeat_ms = cfg->heartbeat_ms;
	u->timeout_ms = cfg->timeout_ms;
	u->batch_max = cfg->batch;
	u->window = ANTT_SYNC_WINDOW_START;
	u->trust_retry = TRUST_RETRY_MIN;
	u->backoff_ms = BACKOFF_MIN_MS;
	u->has_root = cfg->has_root;
	memcpy(u->root, cfg->root, ANTT_KEY_BYTES);
	for (int i = 0; i < u->n_peers; i++)
		if (crypto_sign_ed25519_pk_to_curve25519(u->peer[i].curve, u->peer[i].ed) != 0) {
			free(u->peer[0].endpoint);
			free(u->peer[1].endpoint);
			free(u);
			return antt_errf(err, ANTT_E_CONFIG,
			                 "[sync] %s is not a valid Ed25519 public key",
			                 i ? "fallback_key" : "parent_key");
		}
	s_use_peer(u, 0);
	u->parent_ok_at = s_now(u);
	uv_timer_init(loop, &u->timer);
	u->timer.data = u;
	int tick = cfg->heartbeat_ms / 4 > 50 ? cfg->heartbeat_ms / 4 : 50;
	uv_timer_start(&u->timer, s_on_timer, 0, (uint64_t)tick);
	antt_node_on_stored(node, s_on_stored, u);
	antt_node_on_reply(node, "status", s_uplink_status, u);
	s_connect(u);
	*out = u;
	return ANTT_OK;
}

static void s_timer_closed(uv_handle_t *h)
{
	antt_uplink_t *u = h->data;
	free(u->remote);
	free(u->inflight);
	free(u->peer[0].endpoint);
	free(u->peer[1].endpoint);
	free(u);
}

void antt_uplink_close(antt_uplink_t **self_p)
{
	antt_uplink_t *u = *self_p;
	if (!u)
		return;
	*self_p = NULL;
	antt_node_on_stored(u->node, NULL, NULL);
	antt_node_off_reply(u->node, u);
	s_close_socket(u);
	uv_close((uv_handle_t *)&u->timer, s_timer_closed);
}
