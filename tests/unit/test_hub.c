/* test_hub.c - the hub's session machine (daemon/hub.c, the diagram at its
 * top) driven in milliseconds: a real hub (its node, store, forms, ZAP and
 * CURVE ROUTER on 127.0.0.1) on the test's loop, and on the other side the
 * hand-made child of tests/peer/fakechild, which speaks the protocol from
 * the spec alone, over real TCP.  Only time is the test's: the hub reads
 * its clock (antt_hub_set_clock), and the reaper runs when the test says
 * (antt_hub_reap).  Each case asserts what the child receives and what
 * antt status / antt children show at the hub. */
#define _GNU_SOURCE
#include "syncfx.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "antt.pb-c.h"
#include "common.h"
#include "fakechild.h"
#include "hub.h"
#include "record.h"
#include "sync.h"

#define S_HUB_UNIT "332"
#define S_CHILD_UNIT "12346"
#define S_TIMEOUT 30000

typedef struct {
	uv_loop_t loop;
	sf_clock_t clock;
	sf_node_t hub_node;
	antt_hub_t *hub;
	antt_key_t *child; /* the child's identity, enrolled at the hub */
	void *zctx, *sock; /* the child's DEALER */
	Antt__SyncMsg *got;
} s_fx_t;

static void s_die(const char *msg)
{
	fail_msg("fakechild: %s", msg);
}

static int s_setup(void **state)
{
	s_fx_t *fx = calloc(1, sizeof *fx);
	char sync[200], endpoint[64], req[300], hex[2 * ANTT_KEY_BYTES + 1];
	char err[ANTT_ERR_MAX];
	int port = sf_free_port();
	fc_setup("test_hub", s_die);
	assert_int_equal(uv_loop_init(&fx->loop), 0);
	snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port);
	snprintf(sync, sizeof sync, "listen = %s\nheartbeat = 5000\ntimeout = %d\n", endpoint,
	         S_TIMEOUT);
	sf_node_open(&fx->hub_node, &fx->loop, 0x33, S_HUB_UNIT, sync);
	fx->child = sf_key(0xc1);
	snprintf(req, sizeof req, "{\"op\": \"enroll\", \"unit\": \"%s\", \"key\": \"%s\"}",
	         S_CHILD_UNIT, antt_hex(hex, fx->child->pk, ANTT_KEY_BYTES));
	json_t *r = sf_op(&fx->hub_node, req);
	if (!json_is_true(json_object_get(r, "ok")))
		fail_msg("enroll: %s", json_string_value(json_object_get(r, "message")));
	json_decref(r);
	if (antt_hub_open(&fx->loop, fx->hub_node.node, fx->hub_node.cfg, &fx->hub, err))
		fail_msg("antt_hub_open: %s", err);
	fx->clock.now = 1000000;
	antt_hub_set_clock(fx->hub, sf_clock, &fx->clock);
	fx->zctx = zmq_ctx_new();
	fx->sock = fc_connect(fx->zctx, endpoint, fx->hub_node.key->pk, fx->child);
	*state = fx;
	return 0;
}

static int s_teardown(void **state)
{
	s_fx_t *fx = *state;
	if (fx->got)
		antt__sync_msg__free_unpacked(fx->got, NULL);
	zmq_close(fx->sock);
	zmq_ctx_term(fx->zctx);
	antt_hub_close(&fx->hub);
	uv_run(&fx->loop, UV_RUN_DEFAULT);
	sf_node_free(&fx->hub_node);
	assert_int_equal(uv_loop_close(&fx->loop), 0);
	antt_key_destroy(&fx->child);
	free(fx);
	return 0;
}

static int s_answered(void *arg)
{
	s_fx_t *fx = arg;
	while (!fx->got && (fx->got = fc_recv_now(fx->sock)) &&
	       fx->got->msg_case == ANTT__SYNC_MSG__MSG_RECEIPT) {
		antt__sync_msg__free_unpacked(fx->got, NULL); /* not what is waited for */
		fx->got = NULL;
	}
	return fx->got != NULL;
}

/* The hub's next answer to the child (Receipts skipped), of kind want. */
static Antt__SyncMsg *s_answer(s_fx_t *fx, Antt__SyncMsg__MsgCase want)
{
	if (fx->got)
		antt__sync_msg__free_unpacked(fx->got, NULL);
	fx->got = NULL;
	if (!sf_until(&fx->loop, s_answered, fx))
		fail_msg("the hub did not answer within %d ms", sf_cap_ms());
	if (fx->got->msg_case != want)
		fail_msg("the hub answered message %d (%s), not %d", fx->got->msg_case,
		         fx->got->msg_case == ANTT__SYNC_MSG__MSG_ERROR ? fx->got->error->reason
		                                                        : "",
		         want);
	return fx->got;
}

static Antt__Heads *s_hello(s_fx_t *fx, const char *unit)
{
	fc_send_hello(fx->sock, ANTT_SYNC_VERSION, unit, fx->child->pk, 0, NULL);
	return s_answer(fx, ANTT__SYNC_MSG__MSG_HEADS)->heads;
}

static int s_connected(s_fx_t *fx)
{
	return (int)sf_status_int(&fx->hub_node, "hub", "connected");
}

/* Hello opens a session: Heads names the child's own key at seq 0 (the hub
 * holds none of its records), gives the credit, and hands down the
 * credentials, the hub's enrollment of the child first; antt status at the
 * hub counts it connected. */
static void test_hello_opens_session(void **state)
{
	s_fx_t *fx = *state;
	assert_int_equal(s_connected(fx), 0);
	Antt__Heads *h = s_hello(fx, S_CHILD_UNIT);
	uint64_t seq = 99;
	assert_true(fc_head_find(h->heads, h->n_heads, fx->child->pk, &seq, NULL));
	assert_int_equal(seq, 0);
	assert_int_equal(h->credit, ANTT_SYNC_CREDIT);
	assert_true(h->n_credentials >= 1);
	char err[ANTT_ERR_MAX];
	uint8_t *body = NULL, sig[ANTT_SIG_BYTES];
	size_t blen;
	antt_body_t b = {0};
	assert_int_equal(antt_envelope_decode(h->credentials[0].data, h->credentials[0].len, &body,
	                                      &blen, sig, err),
	                 0);
	assert_int_equal(antt_body_decode(body, blen, &b, err), 0);
	assert_true(b.has_enroll);
	assert_memory_equal(b.enroll_key, fx->child->pk, ANTT_KEY_BYTES);
	assert_memory_equal(b.author, fx->hub_node.key->pk, ANTT_KEY_BYTES);
	antt_body_clear(&b);
	free(body);
	assert_int_equal(s_connected(fx), 1);
	/* the session answers */
	fc_send_ping(fx->sock, 7);
	assert_int_equal(s_answer(fx, ANTT__SYNC_MSG__MSG_PONG)->pong->nonce, 7);
}

/* A message on a connection that has not said Hello: Error 1, and no
 * session is made. */
static void test_message_before_hello(void **state)
{
	s_fx_t *fx = *state;
	fc_send_ping(fx->sock, 1);
	Antt__Error *e = s_answer(fx, ANTT__SYNC_MSG__MSG_ERROR)->error;
	assert_int_equal(e->code, ANTT_SYNC_E_HELLO);
	tu_assert_contains(e->reason, "send Hello first");
	assert_int_equal(s_connected(fx), 0);
}

/* A session whose child says nothing for [sync] timeout is dropped at the
 * reap, not a millisecond before; the child's next message gets Error 1,
 * and its Hello opens a session again.  A message of its own (a Ping)
 * keeps it. */
static void test_silent_session_dropped(void **state)
{
	s_fx_t *fx = *state;
	s_hello(fx, S_CHILD_UNIT);
	fx->clock.now += S_TIMEOUT - 1;
	antt_hub_reap(fx->hub);
	assert_int_equal(s_connected(fx), 1);
	fc_send_ping(fx->sock, 2); /* heard from: silent from now */
	s_answer(fx, ANTT__SYNC_MSG__MSG_PONG);
	fx->clock.now += S_TIMEOUT - 1;
	antt_hub_reap(fx->hub);
	assert_int_equal(s_connected(fx), 1);
	fx->clock.now += 1;
	antt_hub_reap(fx->hub);
	assert_int_equal(s_connected(fx), 0);
	fc_send_ping(fx->sock, 3);
	assert_int_equal(s_answer(fx, ANTT__SYNC_MSG__MSG_ERROR)->error->code, ANTT_SYNC_E_HELLO);
	s_hello(fx, S_CHILD_UNIT);
	assert_int_equal(s_connected(fx), 1);
}

/* A key speaks for the unit it is enrolled for only: a Hello naming
 * another gets Error 2 saying which, and leaves no session (the next
 * message gets Error 1). */
static void test_hello_of_another_unit(void **state)
{
	s_fx_t *fx = *state;
	fc_send_hello(fx->sock, ANTT_SYNC_VERSION, "12347", fx->child->pk, 0, NULL);
	Antt__Error *e = s_answer(fx, ANTT__SYNC_MSG__MSG_ERROR)->error;
	assert_int_equal(e->code, ANTT_SYNC_E_MALFORMED);
	tu_assert_contains(e->reason, "Hello names unit 12347, but this key is enrolled for unit "
	                              "12346");
	assert_int_equal(s_connected(fx), 0);
	fc_send_ping(fx->sock, 4);
	assert_int_equal(s_answer(fx, ANTT__SYNC_MSG__MSG_ERROR)->error->code, ANTT_SYNC_E_HELLO);
}

/* The child's report for month m of 2024, seq m, after prev. */
static void s_report(fc_rec_t *r, const antt_key_t *k, uint64_t seq, const uint8_t *prev)
{
	char err[ANTT_ERR_MAX], period[16];
	antt_value_t v = {(char *)"hop_dan", seq};
	antt_body_t b = {.version = ANTT_RECORD_VERSION,
	                 .seq = seq,
	                 .unit = (char *)S_CHILD_UNIT,
	                 .clock = 1718409600 + (int64_t)seq,
	                 .form = (char *)"bvanttq-monthly",
	                 .period = period,
	                 .n_values = 1,
	                 .values = &v};
	snprintf(period, sizeof period, "2024-%02d", (int)seq);
	memcpy(b.author, k->pk, ANTT_KEY_BYTES);
	if (prev)
		memcpy(b.prev, prev, ANTT_ID_BYTES);
	if (fc_rec_make(r, &b, k, err))
		fail_msg("record: %s", err);
}

/* A batch: the hub checks, stores and acknowledges it; the Ack names the
 * child's new head (seq and id of the last record) and refuses nothing;
 * antt children at the hub shows the records held and the child connected. */
static void test_batch_acknowledged(void **state)
{
	s_fx_t *fx = *state;
	fc_rec_t recs[3];
	fc_rec_t *ptrs[3];
	for (int i = 0; i < 3; i++) {
		s_report(&recs[i], fx->child, (uint64_t)i + 1, i ? recs[i - 1].id : NULL);
		ptrs[i] = &recs[i];
	}
	s_hello(fx, S_CHILD_UNIT);
	fc_send_batch(fx->sock, 1, ptrs, 3);
	Antt__Ack *a = s_answer(fx, ANTT__SYNC_MSG__MSG_ACK)->ack;
	uint64_t seq = 0;
	uint8_t id[ANTT_ID_BYTES];
	assert_int_equal(a->batch, 1);
	assert_int_equal(a->n_refused, 0);
	assert_int_equal(a->credit, ANTT_SYNC_CREDIT);
	assert_true(fc_head_find(a->heads, a->n_heads, fx->child->pk, &seq, id));
	assert_int_equal(seq, 3);
	assert_memory_equal(id, recs[2].id, ANTT_ID_BYTES);
	json_t *r = sf_op(&fx->hub_node, "{\"op\": \"children\"}");
	json_t *c = json_array_get(json_object_get(r, "children"), 0);
	assert_non_null(c);
	assert_string_equal(json_string_value(json_object_get(c, "unit")), S_CHILD_UNIT);
	assert_int_equal(json_integer_value(json_object_get(c, "records")), 3);
	assert_int_equal(json_integer_value(json_object_get(c, "head")), 3);
	assert_true(json_is_true(json_object_get(c, "connected")));
	json_decref(r);
	/* the same batch again: duplicates, skipped, the head unchanged */
	fc_send_batch(fx->sock, 2, ptrs, 3);
	a = s_answer(fx, ANTT__SYNC_MSG__MSG_ACK)->ack;
	assert_int_equal(a->n_refused, 0);
	assert_true(fc_head_find(a->heads, a->n_heads, fx->child->pk, &seq, NULL));
	assert_int_equal(seq, 3);
	for (int i = 0; i < 3; i++)
		fc_rec_free(&recs[i]);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	antt_log_set_level(getenv("ANTT_UNIT_LOG") ? ANTT_LOG_DEBUG : ANTT_LOG_ERR);
#define T(f) cmocka_unit_test_setup_teardown(f, s_setup, s_teardown)
	const struct CMUnitTest tests[] = {
	    T(test_hello_opens_session),    T(test_message_before_hello),
	    T(test_silent_session_dropped), T(test_hello_of_another_unit),
	    T(test_batch_acknowledged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
