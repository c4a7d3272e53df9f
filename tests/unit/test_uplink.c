/* test_uplink.c - the uplink's machine (daemon/uplink.c, the diagram at its
 * top) driven in milliseconds: a real node (key, store, forms, its submit)
 * with a real uplink on the test's loop, and on the other side a parent
 * made by hand here: a CURVE ROUTER on 127.0.0.1 (no ZAP: it admits any
 * key) that answers as each case needs, from the spec (Heads, Ack, Pong,
 * Recovered, Error) or not at all.  A hand-made parent rather than a real
 * hub: the cases are about when and whether the parent answers, which a
 * real hub decides for itself.  Only time is the test's: the uplink reads
 * its clock (antt_uplink_set_clock) and does its periodic work when the
 * test says (antt_uplink_tick).  Each case asserts what antt status shows
 * (uplink.state, batch_window, on_fallback, trust, recovering_to, head),
 * what `antt submit` answers, and what reaches the parent. */
#define _GNU_SOURCE
#include "syncfx.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "antt.pb-c.h"
#include "codec.h"
#include "common.h"
#include "fakechild.h"
#include "record.h"
#include "sync.h"
#include "uplink.h"

#define S_UNIT "12346"
#define S_TIMEOUT 30000
#define S_BACKOFF_MAX 60000
#define S_TRUST_RETRY_MIN 10000
#define S_TRUST_RETRY_MAX (30 * 60 * 1000)

/* ---- the parent, by hand ---- */

typedef struct {
	void *router;
	antt_key_t *key;
	char endpoint[64];
	uint8_t rid[256]; /* the connection last heard from */
	size_t rid_len;
	int hellos, pings; /* received */
	Antt__SyncMsg__MsgCase want;
	Antt__SyncMsg *got; /* the last message waited for (s_wait) */
	uint64_t held;      /* it holds the child's own records 1..held */
	uint8_t held_id[ANTT_ID_BYTES];
} s_parent_t;

typedef struct {
	uv_loop_t loop;
	sf_clock_t clock;
	sf_node_t node;
	antt_uplink_t *up;
	void *zctx;
	s_parent_t parent, fallback;
} s_fx_t;

static void s_parent_open(s_fx_t *fx, s_parent_t *p, int port)
{
	uint8_t csk[32];
	int one = 1, zero = 0;
	p->router = zmq_socket(fx->zctx, ZMQ_ROUTER);
	assert_non_null(p->router);
	assert_int_equal(crypto_sign_ed25519_sk_to_curve25519(csk, p->key->sk), 0);
	zmq_setsockopt(p->router, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(p->router, ZMQ_CURVE_SERVER, &one, sizeof one);
	zmq_setsockopt(p->router, ZMQ_CURVE_SECRETKEY, csk, 32);
	snprintf(p->endpoint, sizeof p->endpoint, "tcp://127.0.0.1:%d", port);
	if (zmq_bind(p->router, p->endpoint) != 0)
		fail_msg("bind %s: %s", p->endpoint, zmq_strerror(errno));
}

static void s_send(s_parent_t *p, const Antt__SyncMsg *m)
{
	size_t len;
	uint8_t *buf = fc_pack(m, &len);
	assert_true(p->rid_len > 0);
	assert_true(zmq_send(p->router, p->rid, p->rid_len, ZMQ_SNDMORE) >= 0);
	assert_true(zmq_send(p->router, buf, len, 0) >= 0);
	free(buf);
}

/* The next message waiting, decoded (the connection it came on kept);
 * Pings answered.  NULL if none waits. */
static Antt__SyncMsg *s_recv(s_parent_t *p)
{
	zmq_msg_t rid, msg;
	zmq_msg_init(&rid);
	if (!p->router || zmq_msg_recv(&rid, p->router, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&rid);
		return NULL;
	}
	zmq_msg_init(&msg);
	assert_true(zmq_msg_more(&rid));
	assert_true(zmq_msg_recv(&msg, p->router, 0) >= 0);
	assert_true(zmq_msg_size(&rid) <= sizeof p->rid);
	memcpy(p->rid, zmq_msg_data(&rid), zmq_msg_size(&rid));
	p->rid_len = zmq_msg_size(&rid);
	Antt__SyncMsg *m = antt_codec_sync_msg(zmq_msg_data(&msg), zmq_msg_size(&msg));
	zmq_msg_close(&rid);
	zmq_msg_close(&msg);
	if (!m)
		fail_msg("the uplink sent a frame that is no SyncMsg");
	if (m->msg_case == ANTT__SYNC_MSG__MSG_HELLO)
		p->hellos++;
	if (m->msg_case == ANTT__SYNC_MSG__MSG_PING) {
		Antt__SyncMsg pong = ANTT__SYNC_MSG__INIT;
		pong.msg_case = ANTT__SYNC_MSG__MSG_PONG;
		pong.pong = m->ping;
		s_send(p, &pong);
		p->pings++;
	}
	return m;
}

static int s_got(void *arg)
{
	s_parent_t *p = arg;
	Antt__SyncMsg *m;
	while (!p->got && (m = s_recv(p))) {
		if (m->msg_case == p->want)
			p->got = m;
		else
			antt__sync_msg__free_unpacked(m, NULL);
	}
	return p->got != NULL;
}

/* The next message of kind want the uplink sends p (others read and let
 * go), within the cap.  p keeps it until the next s_wait. */
static Antt__SyncMsg *s_wait(s_fx_t *fx, s_parent_t *p, Antt__SyncMsg__MsgCase want)
{
	if (p->got)
		antt__sync_msg__free_unpacked(p->got, NULL);
	p->got = NULL;
	p->want = want;
	if (!sf_until(&fx->loop, s_got, p))
		fail_msg("%s: no message %d from the uplink within %d ms", p->endpoint, want,
		         sf_cap_ms());
	return p->got;
}

/* Heads: the child's own key held up to p->held, the credentials given
 * (packed envelopes, may be none). */
static void s_heads(s_parent_t *p, const antt_key_t *child, fc_rec_t *const *creds, size_t n)
{
	Antt__Head h = ANTT__HEAD__INIT, *hp = &h;
	Antt__Heads hd = ANTT__HEADS__INIT;
	Antt__SyncMsg m = ANTT__SYNC_MSG__INIT;
	h.author.data = (uint8_t *)child->pk;
	h.author.len = ANTT_KEY_BYTES;
	h.seq = p->held;
	if (p->held) {
		h.id.data = p->held_id;
		h.id.len = ANTT_ID_BYTES;
	}
	hd.n_heads = 1;
	hd.heads = &hp;
	hd.credit = ANTT_SYNC_CREDIT;
	hd.credentials = fc_envelopes(creds, n);
	hd.n_credentials = n;
	m.msg_case = ANTT__SYNC_MSG__MSG_HEADS;
	m.heads = &hd;
	s_send(p, &m);
	free(hd.credentials);
}

/* What a batch holds: its records (s_batch_open), their envelope bytes,
 * the seq and id of the last. */
typedef struct {
	size_t n, bytes;
	uint64_t first, last;
	uint8_t last_id[ANTT_ID_BYTES];
} s_batch_t;

static uint64_t s_env_seq(const ProtobufCBinaryData *env, uint8_t id[ANTT_ID_BYTES])
{
	char err[ANTT_ERR_MAX];
	uint8_t *body = NULL, sig[ANTT_SIG_BYTES];
	size_t blen;
	antt_body_t b = {0};
	if (antt_envelope_decode(env->data, env->len, &body, &blen, sig, err) ||
	    antt_body_decode(body, blen, &b, err))
		fail_msg("a record of the batch: %s", err);
	if (id)
		antt_record_id(id, body, blen);
	uint64_t seq = b.seq;
	antt_body_clear(&b);
	free(body);
	return seq;
}

static s_batch_t s_batch(const Antt__Batch *batch)
{
	antt_codec_batch_t cb;
	s_batch_t out = {0};
	assert_int_equal(antt_codec_batch_open(batch, &cb), 0);
	out.n = cb.n_records;
	assert_true(out.n > 0);
	for (size_t i = 0; i < cb.n_records; i++)
		out.bytes += cb.records[i].len;
	out.first = s_env_seq(&cb.records[0], NULL);
	out.last = s_env_seq(&cb.records[cb.n_records - 1], out.last_id);
	antt_codec_batch_release(&cb);
	return out;
}

/* The batch waited for (p->got) taken: Ack with the new head. */
static void s_ack(s_parent_t *p, const antt_key_t *child, const s_batch_t *b, uint64_t no)
{
	Antt__Head h = ANTT__HEAD__INIT, *hp = &h;
	Antt__Ack a = ANTT__ACK__INIT;
	Antt__SyncMsg m = ANTT__SYNC_MSG__INIT;
	p->held = b->last;
	memcpy(p->held_id, b->last_id, ANTT_ID_BYTES);
	h.author.data = (uint8_t *)child->pk;
	h.author.len = ANTT_KEY_BYTES;
	h.seq = p->held;
	h.id.data = p->held_id;
	h.id.len = ANTT_ID_BYTES;
	a.batch = no;
	a.n_heads = 1;
	a.heads = &hp;
	a.credit = ANTT_SYNC_CREDIT;
	m.msg_case = ANTT__SYNC_MSG__MSG_ACK;
	m.ack = &a;
	s_send(p, &m);
}

/* ---- the node and its uplink ---- */

static void s_die(const char *msg)
{
	fail_msg("%s", msg);
}

static int s_setup(void **state)
{
	s_fx_t *fx = calloc(1, sizeof *fx);
	fc_setup("test_uplink", s_die);
	assert_int_equal(uv_loop_init(&fx->loop), 0);
	fx->zctx = zmq_ctx_new();
	fx->parent.key = sf_key(0x22);
	fx->fallback.key = sf_key(0x33);
	*state = fx;
	return 0;
}

static void s_parent_close(s_parent_t *p)
{
	if (p->got)
		antt__sync_msg__free_unpacked(p->got, NULL);
	if (p->router)
		zmq_close(p->router);
	antt_key_destroy(&p->key);
}

static int s_teardown(void **state)
{
	s_fx_t *fx = *state;
	antt_uplink_close(&fx->up);
	uv_run(&fx->loop, UV_RUN_DEFAULT);
	s_parent_close(&fx->parent);
	s_parent_close(&fx->fallback);
	zmq_ctx_term(fx->zctx);
	if (fx->node.dir)
		sf_node_free(&fx->node);
	assert_int_equal(uv_loop_close(&fx->loop), 0);
	free(fx);
	return 0;
}

/* The node of unit 12346 (opened now unless it is already), its [sync]
 * section: the parent at parent_port, then extra; and its uplink, on the
 * test's clock from the loop's time on. */
static void s_start(s_fx_t *fx, int parent_port, const char *extra)
{
	char sync[1024], hex[2 * ANTT_KEY_BYTES + 1], err[ANTT_ERR_MAX];
	snprintf(sync, sizeof sync,
	         "parent = tcp://127.0.0.1:%d\nparent_key = %s\nheartbeat = 5000\n%s", parent_port,
	         antt_hex(hex, fx->parent.key->pk, ANTT_KEY_BYTES), extra);
	if (!strstr(extra, "timeout"))
		strcat(sync, "timeout = 30000\n");
	if (fx->node.node)
		sf_node_stop(&fx->node);
	sf_node_open(&fx->node, &fx->loop, 0xc1, S_UNIT, sync);
	fx->clock.now = uv_now(&fx->loop); /* what the open reads */
	if (antt_uplink_open(&fx->loop, fx->node.node, NULL, fx->node.cfg, &fx->up, err))
		fail_msg("antt_uplink_open: %s", err);
	antt_uplink_set_clock(fx->up, sf_clock, &fx->clock);
}

static const char *s_state(s_fx_t *fx)
{
	static char buf[32];
	return sf_status_str(&fx->node, "uplink", "state", buf, sizeof buf);
}

/* ms later by the test's clock, then the uplink's periodic work, then a
 * turn of the loop, as in anttd between two ticks (a socket the tick let
 * go of is closed in it). */
static void s_later(s_fx_t *fx, uint64_t ms)
{
	fx->clock.now += ms;
	antt_uplink_tick(fx->up);
	uv_run(&fx->loop, UV_RUN_NOWAIT);
}

typedef struct {
	s_fx_t *fx;
	const char *state;
} s_state_wait_t;

static int s_in_state(void *arg)
{
	s_state_wait_t *w = arg;
	return !strcmp(s_state(w->fx), w->state);
}

static void s_until_state(s_fx_t *fx, const char *state)
{
	s_state_wait_t w = {fx, state};
	if (!sf_until(&fx->loop, s_in_state, &w))
		fail_msg("uplink state %s, not %s, within %d ms", s_state(fx), state, sf_cap_ms());
}

#define s_assert_state(fx, want) assert_string_equal(s_state(fx), want)

/* ---- backoff ---- */

/* With its parent absent, the uplink says Hello into the void, gives up
 * after [sync] timeout (DOWN, antt status saying why) and tries again
 * after 1 s, 2 s, 4 s ... at most 60 s (not a millisecond before); once a
 * parent has answered, a lost link is tried again after 1 s. */
static void test_backoff(void **state)
{
	s_fx_t *fx = *state;
	char buf[200];
	int port = sf_free_port();
	s_start(fx, port, "");
	s_assert_state(fx, "hello");
	s_later(fx, S_TIMEOUT);
	s_assert_state(fx, "hello");
	s_later(fx, 1);
	s_assert_state(fx, "down");
	tu_assert_contains(sf_status_str(&fx->node, "uplink", "link_error", buf, sizeof buf),
	                   "no answer from the parent within 30 s");
	const uint64_t waits[] = {1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000};
	for (size_t i = 0; i < sizeof waits / sizeof waits[0]; i++) {
		s_later(fx, waits[i] - 1);
		if (strcmp(s_state(fx), "down"))
			fail_msg("attempt %zu: tried again before %" PRIu64 " ms", i + 2, waits[i]);
		s_later(fx, 1);
		if (strcmp(s_state(fx), "hello"))
			fail_msg("attempt %zu: not tried again after %" PRIu64 " ms", i + 2,
			         waits[i]);
		s_later(fx, S_TIMEOUT + 1);
		s_assert_state(fx, "down");
	}
	/* the parent comes up: the next attempt reaches it */
	s_parent_open(fx, &fx->parent, port);
	s_later(fx, S_BACKOFF_MAX);
	s_assert_state(fx, "hello");
	s_wait(fx, &fx->parent, ANTT__SYNC_MSG__MSG_HELLO);
	s_heads(&fx->parent, fx->node.key, NULL, 0);
	s_until_state(fx, "ready");
	assert_string_equal(sf_status_str(&fx->node, "uplink", "link_error", buf, sizeof buf), "");
	/* and goes silent: after a success the wait is 1 s again */
	s_later(fx, S_TIMEOUT + 1);
	s_assert_state(fx, "down");
	s_later(fx, 999);
	s_assert_state(fx, "down");
	s_later(fx, 1);
	s_assert_state(fx, "hello");
	s_wait(fx, &fx->parent, ANTT__SYNC_MSG__MSG_HELLO);
}

/* ---- the batch window ---- */

/* A batch fills the window (its last record may pass it); the window
 * doubles after an Ack within a quarter of the timeout of a batch that
 * filled half of it, halves after an Ack later than half the timeout, is
 * quartered when a batch goes unacknowledged for [sync] timeout (the link
 * DOWN), and never goes below ANTT_SYNC_WINDOW_MIN.  antt status shows it
 * as uplink.batch_window. */
static void test_window(void **state)
{
	s_fx_t *fx = *state;
	int port = sf_free_port();
	sf_node_open(&fx->node, &fx->loop, 0xc1, S_UNIT, NULL);
	sf_submit(&fx->node, 2010, 1, 120, 1000); /* some 150 KiB of envelopes */
	s_parent_open(fx, &fx->parent, port);
	s_start(fx, port, "");
	assert_int_equal(sf_status_int(&fx->node, "uplink", "batch_window"),
	                 ANTT_SYNC_WINDOW_START);
	s_wait(fx, &fx->parent, ANTT__SYNC_MSG__MSG_HELLO);
	s_heads(&fx->parent, fx->node.key, NULL, 0);

	Antt__SyncMsg *m = s_wait(fx, &fx->parent, ANTT__SYNC_MSG__MSG_BATCH);
	s_batch_t b = s_batch(m->batch);
	assert_int_equal(b.first, 1);
	assert_true(b.bytes >= ANTT_SYNC_WINDOW_START && b.bytes < ANTT_SYNC_WINDOW_START + 2048);
	s_ack(&fx->parent, fx->node.key, &b, m->batch->batch); /* at once */

	m = s_wait(fx, &fx->parent, ANTT__SYNC_MSG__MSG_BATCH);
	assert_int_equal(sf_status_int(&fx->node, "uplink", "batch_window"),
	                 2 * ANTT_SYNC_WINDOW_START);
	b = s_batch(m->batch);
	assert_true(b.bytes >= 2 * ANTT_SYNC_WINDOW_START);
	fx->clock.now += S_TIMEOUT / 2 + 1; /* a slow Ack */
	s_ack(&fx->parent, fx->node.key, &b, m->batch->batch);

	m = s_wait(fx, &fx->parent, ANTT__SYNC_MSG__MSG_BATCH);
	assert_int_equal(sf_status_int(&fx->node, "uplink", "batch_window"),
	                 ANTT_SYNC_WINDOW_START);
	b = s_batch(m->batch);
	assert_int_equal(b.first, fx->parent.held + 1);
	assert_true(b.bytes >= ANTT_SYNC_WINDOW_START);
	s_assert_state(fx, "sending");
	s_later(fx, S_TIMEOUT); /* no Ack: not yet given up */
	s_assert_state(fx, "sending");
	s_later(fx, 1);
	s_assert_state(fx, "down");
	assert_int_equal(sf_status_int(&fx->node, "uplink", "batch_window"),
	                 ANTT_SYNC_WINDOW_START / 4);

	/* each connection again: the head exchange, the batch from the
	 * parent's head, in the window as it now is; unacknowledged again */
	const size_t after[] = {ANTT_SYNC_WINDOW_START / 16, ANTT_SYNC_WINDOW_MIN,
	                        ANTT_SYNC_WINDOW_MIN};
	size_t window = ANTT_SYNC_WINDOW_START / 4;
	for (size_t i = 0; i < sizeof after / sizeof after[0]; i++) {
		s_later(fx, S_BACKOFF_MAX);
		s_wait(fx, &fx->parent, ANTT__SYNC_MSG__MSG_HELLO);
		s_heads(&fx->parent, fx->node.key, NULL, 0);
		m = s_wait(fx, &fx->parent, ANTT__SYNC_MSG__MSG_BATCH);
		b = s_batch(m->batch);
		assert_int_equal(b.first, fx->parent.held + 1);
		assert_true(b.bytes >= window && b.bytes < window + 2048);
		s_later(fx, S_TIMEOUT + 1);
		s_assert_state(fx, "down");
		window = after[i] < ANTT_SYNC_WINDOW_MIN ? ANTT_SYNC_WINDOW_MIN : after[i];
		assert_int_equal(sf_status_int(&fx->node, "uplink", "batch_window"), window);
	}
}

/* ---- the fallback ---- */

/* The parent out of reach: connections go to it until it has not been
 * heard from for fallback_after, then to the fallback, which gets the
 * records; READY on the fallback for fallback_after, the uplink tries the
 * parent again, and when that fails goes back to the fallback at once.
 * antt status says which (uplink.on_fallback). */
static void test_fallback(void **state)
{
	s_fx_t *fx = *state;
	char extra[300], hex[2 * ANTT_KEY_BYTES + 1];
	int parent_port = sf_free_port(), fallback_port = sf_free_port();
	const uint64_t after = 40000;
	sf_node_open(&fx->node, &fx->loop, 0xc1, S_UNIT, NULL);
	sf_submit(&fx->node, 2024, 1, 5, 0);
	s_parent_open(fx, &fx->fallback, fallback_port);
	snprintf(extra, sizeof extra,
	         "fallback = tcp://127.0.0.1:%d\nfallback_key = %s\nfallback_after = %d\n"
	         "batch = 1\n",
	         fallback_port, antt_hex(hex, fx->fallback.key->pk, ANTT_KEY_BYTES),
	         (int)(after / 1000));
	s_start(fx, parent_port, extra);
	s_assert_state(fx, "hello");
	json_t *st = sf_status(&fx->node);
	assert_true(json_is_false(json_object_get(json_object_get(st, "uplink"), "on_fallback")));
	json_decref(st);

	/* 31 s without the parent: still the parent */
	s_later(fx, S_TIMEOUT + 1);
	s_assert_state(fx, "down");
	s_later(fx, 2000);
	s_assert_state(fx, "hello");
	st = sf_status(&fx->node);
	assert_true(json_is_false(json_object_get(json_object_get(st, "uplink"), "on_fallback")));
	json_decref(st);
	/* past fallback_after: the fallback */
	s_later(fx, S_TIMEOUT + 1);
	s_assert_state(fx, "down");
	s_later(fx, 2000);
	s_assert_state(fx, "hello");
	st = sf_status(&fx->node);
	assert_true(json_is_true(json_object_get(json_object_get(st, "uplink"), "on_fallback")));
	json_decref(st);
	s_wait(fx, &fx->fallback, ANTT__SYNC_MSG__MSG_HELLO);
	s_heads(&fx->fallback, fx->node.key, NULL, 0);
	/* the records go to the fallback, one a batch, an Ack every 8 s */
	for (uint64_t seq = 1; seq <= 5; seq++) {
		Antt__SyncMsg *m = s_wait(fx, &fx->fallback, ANTT__SYNC_MSG__MSG_BATCH);
		s_batch_t b = s_batch(m->batch);
		assert_int_equal(b.first, seq);
		fx->clock.now += seq < 5 ? 8000 : 0;
		s_ack(&fx->fallback, fx->node.key, &b, m->batch->batch);
	}
	s_until_state(fx, "ready");
	assert_int_equal(fx->fallback.held, 5);
	assert_int_equal(fx->parent.hellos, 0);
	/* 32 s on the fallback so far */
	s_later(fx, after - 32000 - 1);
	s_assert_state(fx, "ready");
	s_later(fx, 1);
	s_assert_state(fx, "down");
	s_later(fx, 1000);
	s_assert_state(fx, "hello");
	st = sf_status(&fx->node);
	assert_true(json_is_false(json_object_get(json_object_get(st, "uplink"), "on_fallback")));
	json_decref(st);
	/* the parent still does not answer: the fallback at once */
	int hellos = fx->fallback.hellos;
	s_later(fx, S_TIMEOUT + 1);
	s_assert_state(fx, "down");
	s_later(fx, 2000);
	s_assert_state(fx, "hello");
	st = sf_status(&fx->node);
	assert_true(json_is_true(json_object_get(json_object_get(st, "uplink"), "on_fallback")));
	json_decref(st);
	s_wait(fx, &fx->fallback, ANTT__SYNC_MSG__MSG_HELLO);
	assert_int_equal(fx->fallback.hellos, hellos + 1);
}

/* ---- trust retry ---- */

/* An enrollment of key for unit by signer (a hub: scope units). */
static void s_enrollment(fc_rec_t *r, const antt_key_t *signer, const char *signer_unit,
                         const uint8_t *key, const char *unit, const char *scope)
{
	char err[ANTT_ERR_MAX];
	char *units[1] = {(char *)scope};
	antt_body_t b = {.version = ANTT_RECORD_VERSION,
	                 .seq = 1,
	                 .unit = (char *)signer_unit,
	                 .clock = 1718409600,
	                 .form = (char *)ANTT_FORM_ENROLL,
	                 .period = (char *)"2024-06-15",
	                 .has_enroll = 1,
	                 .enroll_unit = (char *)unit,
	                 .enroll_grant = scope ? ANTT_GRANT_HUB : ANTT_GRANT_STATION,
	                 .n_enroll_units = scope ? 1 : 0,
	                 .enroll_units = scope ? units : NULL};
	memcpy(b.author, signer->pk, ANTT_KEY_BYTES);
	memcpy(b.enroll_key, key, ANTT_KEY_BYTES);
	if (fc_rec_make(r, &b, signer, err))
		fail_msg("enrollment: %s", err);
}

static int s_trusted(s_fx_t *fx, char *trust, size_t size)
{
	json_t *st = sf_status(&fx->node);
	json_t *t = json_object_get(json_object_get(st, "uplink"), "trust");
	int v = json_is_true(json_object_get(t, "verified"));
	snprintf(trust, size, "%s", json_string_value(json_object_get(t, "state")));
	json_decref(st);
	return v;
}

/* Heads whose credentials stop at the parent's own key (it is not enrolled
 * above yet): "not yet from the root", and Hello again after 10 s, then
 * twice as long each time, at most 30 min; the whole chain: trusted, no
 * more Hellos for it, and the next incomplete chain is asked for again
 * after 10 s. */
static void test_trust_retry(void **state)
{
	s_fx_t *fx = *state;
	char extra[200], hex[2 * ANTT_KEY_BYTES + 1], trust[400];
	int port = sf_free_port();
	antt_key_t *root = sf_key(0x0f);
	fc_rec_t of_child, of_parent;
	antt_key_t *child = sf_key(0xc1);
	s_enrollment(&of_child, fx->parent.key, "332", child->pk, S_UNIT, NULL);
	s_enrollment(&of_parent, root, "33", fx->parent.key->pk, "332", S_UNIT);
	fc_rec_t *partial[1] = {&of_child}, *whole[2] = {&of_child, &of_parent};
	/* an hour's timeout: the retries, up to 30 min apart, are the only
	 * thing that moves */
	snprintf(extra, sizeof extra, "root = %s\ntimeout = 3600000\n",
	         antt_hex(hex, root->pk, ANTT_KEY_BYTES));
	s_parent_open(fx, &fx->parent, port);
	s_start(fx, port, extra);
	s_wait(fx, &fx->parent, ANTT__SYNC_MSG__MSG_HELLO);
	s_heads(&fx->parent, child, partial, 1);
	s_until_state(fx, "ready");
	assert_false(s_trusted(fx, trust, sizeof trust));
	tu_assert_contains(trust, "not yet from the root");

	uint64_t retry = S_TRUST_RETRY_MIN;
	for (int i = 0; i < 10; i++) {
		s_later(fx, retry - 1);
		if (strcmp(s_state(fx), "ready"))
			fail_msg("retry %d: Hello before %" PRIu64 " ms", i + 1, retry);
		s_later(fx, 1);
		if (strcmp(s_state(fx), "hello"))
			fail_msg("retry %d: no Hello after %" PRIu64 " ms", i + 1, retry);
		s_wait(fx, &fx->parent, ANTT__SYNC_MSG__MSG_HELLO);
		s_heads(&fx->parent, child, partial, 1);
		s_until_state(fx, "ready");
		assert_false(s_trusted(fx, trust, sizeof trust));
		retry = retry * 2 > S_TRUST_RETRY_MAX ? S_TRUST_RETRY_MAX : retry * 2;
	}
	assert_int_equal(retry, S_TRUST_RETRY_MAX);

	/* the parent has its chain now: the next retry gets it whole */
	s_later(fx, retry);
	s_assert_state(fx, "hello");
	s_wait(fx, &fx->parent, ANTT__SYNC_MSG__MSG_HELLO);
	s_heads(&fx->parent, child, whole, 2);
	s_until_state(fx, "ready");
	assert_true(s_trusted(fx, trust, sizeof trust));
	tu_assert_contains(trust, "enrolled by a chain to the root (12346 <- 332)");
	s_later(fx, S_TRUST_RETRY_MAX);
	s_assert_state(fx, "ready"); /* asks no more */

	/* a new session (Error 1) hands an incomplete chain: asked again
	 * after 10 s, not 30 min */
	Antt__Error e = ANTT__ERROR__INIT;
	Antt__SyncMsg m = ANTT__SYNC_MSG__INIT;
	e.code = ANTT_SYNC_E_HELLO;
	e.reason = (char *)"send Hello first";
	m.msg_case = ANTT__SYNC_MSG__MSG_ERROR;
	m.error = &e;
	s_send(&fx->parent, &m);
	s_wait(fx, &fx->parent, ANTT__SYNC_MSG__MSG_HELLO);
	s_heads(&fx->parent, child, partial, 1);
	s_until_state(fx, "ready");
	assert_false(s_trusted(fx, trust, sizeof trust));
	s_later(fx, S_TRUST_RETRY_MIN - 1);
	s_assert_state(fx, "ready");
	s_later(fx, 1);
	s_assert_state(fx, "hello");

	fc_rec_free(&of_child);
	fc_rec_free(&of_parent);
	antt_key_destroy(&child);
	antt_key_destroy(&root);
}

/* ---- recovery of the node's own records ---- */

typedef struct {
	ProtobufCBinaryData env[8];
	uint8_t id[8][ANTT_ID_BYTES];
	size_t n;
} s_own_t;

static int s_own_row(const uint8_t *id, const uint8_t *body, size_t blen, const uint8_t *sig,
                     uint64_t seq, int64_t stamp, void *arg)
{
	s_own_t *o = arg;
	(void)stamp;
	assert_int_equal(seq, o->n + 1);
	memcpy(o->id[o->n], id, ANTT_ID_BYTES);
	assert_int_equal(
	    antt_envelope_encode(body, blen, sig, &o->env[o->n].data, &o->env[o->n].len), 0);
	o->n++;
	return 0;
}

static void s_recovered(s_parent_t *p, ProtobufCBinaryData *recs, size_t n, uint64_t head)
{
	Antt__Recovered r = ANTT__RECOVERED__INIT;
	Antt__SyncMsg m = ANTT__SYNC_MSG__INIT;
	r.n_records = n;
	r.records = recs;
	r.head = head;
	m.msg_case = ANTT__SYNC_MSG__MSG_RECOVERED;
	m.recovered = &r;
	s_send(p, &m);
}

static int s_caught_up(void *arg)
{
	s_fx_t *fx = arg;
	json_t *st = sf_status(&fx->node);
	int done = !json_object_get(st, "recovering_to");
	json_decref(st);
	return done;
}

/* The store restored from a copy of when it held 2 of its own records; the
 * parent holds 5.  Its Heads closes the signing gate (submit refused,
 * saying why; antt status: recovering_to), the uplink fetches from seq 3,
 * appends what comes back, fetches again until it holds the parent's head,
 * and the gate opens: submit signs seq 6, which goes up. */
static void test_recovery(void **state)
{
	s_fx_t *fx = *state;
	char err[ANTT_ERR_MAX];
	int port = sf_free_port();
	s_own_t own = {0};
	/* its first life: 2 records, copied, then 3 more */
	sf_node_open(&fx->node, &fx->loop, 0xc1, S_UNIT, NULL);
	sf_submit(&fx->node, 2024, 1, 2, 0);
	sf_node_stop(&fx->node);
	char *db = tu_path(fx->node.dir, "store.db"), *copy = tu_path(fx->node.dir, "copy.db");
	char *wal = tu_path(fx->node.dir, "store.db-wal"),
	     *shm = tu_path(fx->node.dir, "store.db-shm");
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", db, copy);
	assert_int_equal(system(cmd), 0);
	sf_node_open(&fx->node, &fx->loop, 0xc1, S_UNIT, NULL);
	sf_submit(&fx->node, 2024, 3, 3, 0);
	assert_int_equal(antt_store_range(antt_node_store(fx->node.node), fx->node.key->pk, 1, 8,
	                                  s_own_row, &own, err),
	                 0);
	assert_int_equal(own.n, 5);
	sf_node_stop(&fx->node);
	unlink(wal);
	unlink(shm);
	assert_int_equal(rename(copy, db), 0);

	/* restored: it connects */
	s_parent_open(fx, &fx->parent, port);
	fx->parent.held = 5;
	memcpy(fx->parent.held_id, own.id[4], ANTT_ID_BYTES);
	s_start(fx, port, "");
	Antt__Hello *hello = s_wait(fx, &fx->parent, ANTT__SYNC_MSG__MSG_HELLO)->hello;
	uint64_t seq = 0;
	assert_true(fc_head_find(hello->heads, hello->n_heads, fx->node.key->pk, &seq, NULL));
	assert_int_equal(seq, 2);
	s_heads(&fx->parent, fx->node.key, NULL, 0);
	Antt__Fetch *f = s_wait(fx, &fx->parent, ANTT__SYNC_MSG__MSG_FETCH)->fetch;
	assert_int_equal(f->from_seq, 3);
	assert_int_equal(f->author.len, 0);
	assert_int_equal(sf_status_int(&fx->node, NULL, "recovering_to"), 5);
	assert_int_equal(sf_status_int(&fx->node, "head", "seq"), 2);
	json_t *r = sf_op(&fx->node, "{\"op\": \"submit\", \"reports\": [{\"form\": "
	                             "\"bvanttq-monthly\", \"period\": \"2024-06\", \"values\": "
	                             "{\"hop_dan\": 6}}]}");
	assert_true(json_is_false(json_object_get(r, "ok")));
	tu_assert_contains(
	    json_string_value(json_object_get(r, "message")),
	    "older than its parent's copy of its records (seq 2 here, 5 at the parent");
	json_decref(r);

	/* 3 and 4 come back; the head is 5: fetched again from 5 */
	s_recovered(&fx->parent, &own.env[2], 2, 5);
	f = s_wait(fx, &fx->parent, ANTT__SYNC_MSG__MSG_FETCH)->fetch;
	assert_int_equal(f->from_seq, 5);
	assert_int_equal(sf_status_int(&fx->node, "head", "seq"), 4);
	assert_int_equal(sf_status_int(&fx->node, NULL, "recovering_to"), 5);
	s_recovered(&fx->parent, &own.env[4], 1, 5);
	if (!sf_until(&fx->loop, s_caught_up, fx))
		fail_msg("still recovering after the parent's head came back");
	assert_int_equal(sf_status_int(&fx->node, "head", "seq"), 5);

	/* the gate is open: seq 6 is signed and goes up */
	r = sf_op(&fx->node, "{\"op\": \"submit\", \"reports\": [{\"form\": \"bvanttq-monthly\", "
	                     "\"period\": \"2024-06\", \"values\": {\"hop_dan\": 6}}]}");
	assert_true(json_is_true(json_object_get(r, "ok")));
	assert_int_equal(json_integer_value(json_object_get(r, "seq")), 6);
	json_decref(r);
	s_batch_t b = s_batch(s_wait(fx, &fx->parent, ANTT__SYNC_MSG__MSG_BATCH)->batch);
	assert_int_equal(b.first, 6);
	assert_int_equal(b.last, 6);

	for (size_t i = 0; i < own.n; i++)
		free(own.env[i].data);
	free(db);
	free(copy);
	free(wal);
	free(shm);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	antt_log_set_level(getenv("ANTT_UNIT_LOG") ? ANTT_LOG_DEBUG : ANTT_LOG_ERR);
#define T(f) cmocka_unit_test_setup_teardown(f, s_setup, s_teardown)
	const struct CMUnitTest tests[] = {
	    T(test_backoff),     T(test_window),   T(test_fallback),
	    T(test_trust_retry), T(test_recovery),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
