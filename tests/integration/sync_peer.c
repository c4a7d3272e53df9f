/* sync_peer - a hand-made sync child for the integration scenarios.
 *
 * It speaks the sync protocol of proto/README.md to a real hub (anttd with
 * [sync] listen) the way a child would, but builds every message itself, so
 * that it can send what an honest anttd never sends.  Everything it learns
 * is printed as JSON lines on stdout, one per case or round, for the
 * scripts (t_sync_peer.sh, t_sync_many.sh) to assert with jq.
 *
 *   sync_peer keygen FILE
 *       a new identity in FILE (mode 0600); prints its public key.
 *   sync_peer curve KEY
 *       the Curve25519 transport key of an Ed25519 public key (hex), as the
 *       hub's log names it.
 *   sync_peer keygen-many DIR N UNIT_BASE
 *       N identities DIR/child-0001.key ...; prints "UNIT KEY" per line,
 *       UNIT = UNIT_BASE + i (for `antt enroll`).
 *   sync_peer sign KEYFILE UNIT SEQ PREV FORM PERIOD
 *       signs one record as KEYFILE's key, seq SEQ after PREV (hex; any
 *       word for seq 1), without the format's checks (a period the
 *       calendar lacks: what an older anttd may hold); prints
 *       {"id", "body", "sig"} in hex, for a script to put into a store.
 *   sync_peer attack --hub EP --hub-key HEX --key FILE --unit U
 *                    --victim ID [--timeout MS]
 *       plays the child of key FILE: honest records, then forged, altered,
 *       garbage, non-canonical, replayed, out-of-order, bad-signature and
 *       forked ones, compressed batches (honest, a bomb, junk), malformed
 *       frames, then records that break the spec's rules (periods the
 *       calendar lacks or of the wrong kind, a system record with a month,
 *       a malformed body, corrections of what may not be corrected: a
 *       random id, ID (another unit's report of bvanttq-monthly 2024-05),
 *       another form or period, a system record), each followed in its
 *       batch by an honest record of a second key of unit U that the peer
 *       enrolls itself.  One JSON line per case ("case" names it):
 *         {"case": C, "sent": [{"seq", "id", "author"}...], "ack": {"heads": [...],
 *          "refused": [{"code", "reason", "index", "seq", "author", "id"}...]}}
 *       or {"case": C, "error": {"code", "reason"}} when the hub answered
 *       with an Error, plus case-specific fields.  Exits 0 when every case
 *       got an answer (what the answers are is for the script to judge).
 *       It begins with a Hello naming another unit than the key's (Error 2,
 *       no session), and sends 1,000 distinct forks in one batch after the
 *       first fork.
 *   sync_peer many --hub EP --hub-key HEX --keys DIR [--records K]
 *                  [--rounds R] [--watch-pid PID] [--timeout MS]
 *       every DIR/child-NNNN.key (its unit in child-NNNN.unit) a child, all
 *       at once in one process.  Per round each connects, says Hello, sends
 *       K records after the hub's head and waits for the Ack (on Error 1 or
 *       4 it says Hello again, as anttd does); then the round's line
 *         {"round", "children", "acked", "failed", "stored", "refused",
 *          "errors", "ms", "hub_vmrss_kb", "hub_vmhwm_kb"}
 *       (the hub's memory from /proc/PID/status while all are connected),
 *       and every socket is closed.  Exits 0 when every child's batch was
 *       acknowledged without refusal in every round.
 *   sync_peer idle --hub EP --hub-key HEX --keys DIR --until FILE
 *                  [--active K] [--ping-ms MS] [--timeout MS]
 *       every DIR/child-NNNN.key connects and says Hello, all at once:
 *         {"case": "idle_open", "children", "opened", "active", "ms"}
 *       then the first K Ping every MS ms (as anttd's heartbeat), the others
 *       say nothing, until FILE exists (at most --timeout); then every one
 *       sends a Ping and what came back is counted:
 *         {"case": "idle_after", "silent_error1", "active_pong", ...}
 *       A silent child whose session the hub dropped gets Error 1.  Exits 0
 *       when every child opened and every Ping got an answer.
 *   sync_peer flood --hub EP --hub-key HEX --key FILE --unit U [--frames N]
 *       Hello, then N frames of garbage as fast as they go, then Hello and
 *       one honest record: {"case": "flood", "frames", "error2",
 *       "hello_after", "head"} and the honest record's case line.
 *
 * Transport exactly as anttd's uplink: a DEALER, CURVE client with the
 * Curve25519 keys derived from the Ed25519 identity. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <zmq.h>

#include "common.h"
#include "fakechild.h"

static int g_timeout_ms = 10000;

/* Print s as a JSON string. */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* ---- records ---- */

/* A valid event record of author key: seq after prev, signed by signer
 * (normally the author itself). */
static void rec_make(fc_rec_t *r, const antt_key_t *author, const antt_key_t *signer, uint64_t seq,
                     const uint8_t prev[ANTT_ID_BYTES], const char *unit, uint64_t value,
                     const char *note)
{
	char err[ANTT_ERR_MAX];
	antt_body_t b = {0};
	b.version = ANTT_RECORD_VERSION;
	memcpy(b.author, author->pk, ANTT_KEY_BYTES);
	b.seq = seq;
	if (seq > 1)
		memcpy(b.prev, prev, ANTT_ID_BYTES);
	b.unit = antt_xstrdup(unit);
	b.clock = antt_now();
	b.form = antt_xstrdup("bvanttq-event");
	b.period = antt_xstrdup("2024-06-20");
	b.n_values = 2;
	b.values = antt_xcalloc(2, sizeof *b.values);
	b.values[0].code = antt_xstrdup("tin_bao"); /* ascending by code */
	b.values[0].value = value;
	b.values[1].code = antt_xstrdup("to_giac");
	b.values[1].value = seq % 7;
	b.note = note && *note ? antt_xstrdup(note) : NULL;
	if (fc_rec_make(r, &b, signer, err))
		fc_die("cannot encode a record: %s", err);
	antt_body_clear(&b);
}

/* What rec_make_raw packs. */
typedef struct {
	const char *unit, *form, *period;
	const uint8_t *corrects;   /* 32 bytes, or NULL */
	const char *enroll_unit;   /* with enroll_key: an enrollment, no values */
	const uint8_t *enroll_key; /* 32 bytes, or NULL */
	uint64_t value;
} body_spec_t;

/* A record of author whose body is packed as the spec says, without the
 * format's checks (antt_body_encode would refuse a period the calendar
 * lacks): what only a hostile peer signs.  Canonical all the same, so
 * that only the rule under test is broken. */
static void rec_make_raw(fc_rec_t *r, const antt_key_t *author, uint64_t seq,
                         const uint8_t prev[ANTT_ID_BYTES], const body_spec_t *sp)
{
	Antt__RecordBody m = ANTT__RECORD_BODY__INIT;
	Antt__Value v = ANTT__VALUE__INIT, *vp = &v;
	Antt__Enroll e = ANTT__ENROLL__INIT;
	uint8_t zero[ANTT_ID_BYTES] = {0};
	memset(r, 0, sizeof *r);
	m.version = ANTT_RECORD_VERSION;
	m.author.data = (uint8_t *)author->pk;
	m.author.len = ANTT_KEY_BYTES;
	m.seq = seq;
	m.prev.data = seq > 1 ? (uint8_t *)prev : zero;
	m.prev.len = ANTT_ID_BYTES;
	m.unit = (char *)sp->unit;
	m.clock = antt_now();
	m.form = (char *)sp->form;
	m.period = (char *)sp->period;
	if (sp->enroll_key) {
		e.unit = (char *)sp->enroll_unit;
		e.key.data = (uint8_t *)sp->enroll_key;
		e.key.len = ANTT_KEY_BYTES;
		e.grant = ANTT_GRANT_STATION;
		m.enroll = &e;
	} else {
		v.code = "tin_bao";
		v.value = sp->value;
		m.n_values = 1;
		m.values = &vp;
	}
	if (sp->corrects) {
		m.corrects.data = (uint8_t *)sp->corrects;
		m.corrects.len = ANTT_ID_BYTES;
	}
	r->blen = antt__record_body__get_packed_size(&m);
	r->body = antt_xmalloc(r->blen);
	antt__record_body__pack(&m, r->body);
	r->seq = seq;
	memcpy(r->author, author->pk, ANTT_KEY_BYTES);
	fc_rec_sign(r, author);
}

/* ---- messages ---- */

/* A Batch whose records travel zstd-compressed (zrecords): raw is the
 * Records message to compress (or any bytes). */
static void send_batch_z(void *sock, uint64_t no, const uint8_t *raw, size_t raw_len)
{
	size_t len;
	uint8_t *frame = fc_zbatch_pack(no, raw, raw_len, 1, &len);
	fc_send_frame(sock, frame, len);
	free(frame);
}

/* ---- attack ---- */

typedef struct {
	void *ctx, *sock;
	const char *endpoint, *unit;
	uint8_t hub[ANTT_KEY_BYTES];
	antt_key_t *key;
	uint64_t batch_no;
	/* the hub's head of our key, as its last answer said */
	uint64_t head_seq;
	uint8_t head_id[ANTT_ID_BYTES];
	int failures;
} atk_t;

static void take_heads(atk_t *a, Antt__Head **heads, size_t n)
{
	fc_head_find(heads, n, a->key->pk, &a->head_seq, a->head_id);
}

static void print_heads(Antt__Head **heads, size_t n)
{
	printf("[");
	for (size_t i = 0; i < n; i++)
		printf("%s{\"author\":\"%s\",\"seq\":%" PRIu64 ",\"id\":%s%s%s}", i ? "," : "",
		       fc_hex(heads[i]->author.data, heads[i]->author.len), heads[i]->seq,
		       heads[i]->id.len ? "\"" : "",
		       heads[i]->id.len ? fc_hex(heads[i]->id.data, 32) : "null",
		       heads[i]->id.len ? "\"" : "");
	printf("]");
}

static void print_sent(fc_rec_t *const *recs, size_t n)
{
	printf("\"sent\":[");
	for (size_t i = 0; i < n; i++)
		printf("%s{\"seq\":%" PRIu64 ",\"id\":\"%s\",\"author\":\"%s\"}", i ? "," : "",
		       recs[i]->seq, fc_hex(recs[i]->id, ANTT_ID_BYTES),
		       fc_hex(recs[i]->author, ANTT_KEY_BYTES));
	printf("]");
}

/* Print the answer m (an Ack or an Error; NULL: none came) as the rest of
 * a case's JSON line, and close the line. */
static void print_answer(atk_t *a, Antt__SyncMsg *m)
{
	if (!m) {
		printf(",\"timeout\":true}\n");
		a->failures++;
	} else if (m->msg_case == ANTT__SYNC_MSG__MSG_ERROR) {
		printf(",\"error\":{\"code\":%u,\"reason\":", m->error->code);
		json_str(stdout, m->error->reason);
		printf("}}\n");
	} else if (m->msg_case == ANTT__SYNC_MSG__MSG_ACK) {
		const Antt__Ack *k = m->ack;
		take_heads(a, k->heads, k->n_heads);
		printf(",\"ack\":{\"batch\":%" PRIu64 ",\"credit\":%u,\"heads\":", k->batch,
		       k->credit);
		print_heads(k->heads, k->n_heads);
		printf(",\"refused\":[");
		for (size_t i = 0; i < k->n_refused; i++) {
			const Antt__Refusal *r = k->refused[i];
			printf("%s{\"code\":%u,\"index\":%u,\"reason\":", i ? "," : "", r->code,
			       r->index);
			json_str(stdout, r->reason);
			printf(",\"seq\":%" PRIu64 ",\"author\":%s%s%s,\"id\":%s%s%s}", r->seq,
			       r->author.len ? "\"" : "",
			       r->author.len ? fc_hex(r->author.data, r->author.len) : "null",
			       r->author.len ? "\"" : "", r->id.len ? "\"" : "",
			       r->id.len ? fc_hex(r->id.data, r->id.len) : "null",
			       r->id.len ? "\"" : "");
		}
		printf("]}}\n");
	} else {
		printf(",\"unexpected\":%d}\n", (int)m->msg_case);
		a->failures++;
	}
	fflush(stdout);
	if (m)
		antt__sync_msg__free_unpacked(m, NULL);
}

/* Hello on the current socket; take the heads.  0, or -1 (printed). */
static int atk_hello(atk_t *a, const char *case_name)
{
	fc_send_hello(a->sock, ANTT_SYNC_VERSION, a->unit, a->key->pk, 0, NULL);
	Antt__SyncMsg *m = fc_recv_answer(a->sock, g_timeout_ms, 0);
	if (!m || m->msg_case != ANTT__SYNC_MSG__MSG_HEADS) {
		printf("{\"case\":\"%s\",\"hello\":\"failed\"", case_name);
		print_answer(a, m);
		a->failures++;
		return -1;
	}
	take_heads(a, m->heads->heads, m->heads->n_heads);
	antt__sync_msg__free_unpacked(m, NULL);
	return 0;
}

/* Send recs as one batch and print the case's line with the Ack. */
static void atk_case(atk_t *a, const char *name, fc_rec_t *const *recs, size_t n)
{
	fc_send_batch(a->sock, ++a->batch_no, recs, n);
	Antt__SyncMsg *m = fc_recv_answer(a->sock, g_timeout_ms, 0);
	printf("{\"case\":\"%s\",", name);
	print_sent(recs, n);
	print_answer(a, m);
}

static void atk_reconnect(atk_t *a)
{
	zmq_close(a->sock);
	a->sock = fc_connect(a->ctx, a->endpoint, a->hub, a->key);
}

/* Wait for a disconnect event on a monitor socket. */
static int wait_disconnect(void *mon, int timeout_ms)
{
	int64_t deadline = fc_now_ms() + timeout_ms;
	while (fc_now_ms() < deadline) {
		zmq_pollitem_t it = {mon, 0, ZMQ_POLLIN, 0};
		if (zmq_poll(&it, 1, (long)(deadline - fc_now_ms())) <= 0)
			continue;
		zmq_msg_t ev, addr;
		zmq_msg_init(&ev);
		zmq_msg_init(&addr);
		if (zmq_msg_recv(&ev, mon, 0) < 0)
			continue;
		uint16_t event = 0;
		if (zmq_msg_size(&ev) >= 2)
			memcpy(&event, zmq_msg_data(&ev), 2);
		if (zmq_msg_more(&ev))
			zmq_msg_recv(&addr, mon, 0);
		zmq_msg_close(&ev);
		zmq_msg_close(&addr);
		if (event == ZMQ_EVENT_DISCONNECTED)
			return 1;
	}
	return 0;
}

/* ---- (h) the spec's rules ---- */

/* The peer's second key: enrolled by the peer itself for its own unit (a
 * replaced machine's key, as a hub would enroll it), so that its records
 * may follow the peer's in one batch.  seq and prev: its chain as sent. */
typedef struct {
	antt_key_t *key;
	uint64_t seq;
	uint8_t prev[ANTT_ID_BYTES];
} second_t;

/* An honest event record of the second key, next in its chain. */
static void second_next(second_t *y, fc_rec_t *r, const char *unit, uint64_t value)
{
	rec_make(r, y->key, y->key, y->seq + 1, y->prev, unit, value, "second key");
	y->seq++;
	memcpy(y->prev, r->id, ANTT_ID_BYTES);
}

/* Send the peer's record bad (may be NULL) and then an honest record of the
 * second key as one batch: the case's line names both. */
static void rules_case(atk_t *a, second_t *y, const char *name, fc_rec_t *bad)
{
	fc_rec_t good;
	fc_rec_t *batch[2];
	size_t n = 0;
	second_next(y, &good, a->unit, 1 + y->seq);
	if (bad)
		batch[n++] = bad;
	batch[n++] = &good;
	atk_case(a, name, batch, n);
	fc_rec_free(&good);
}

/* The peer's next record as spec sp says (whatever the hub then does). */
static void peer_raw(atk_t *a, fc_rec_t *r, const body_spec_t *sp)
{
	rec_make_raw(r, a->key, a->head_seq + 1, a->head_id, sp);
}

static void atk_rules(atk_t *a, const uint8_t victim[ANTT_ID_BYTES])
{
	const char *M = "bvanttq-monthly", *E = "bvanttq-event";
	second_t y = {0};
	fc_rec_t r, enr, own, fixed;
	antt_key_generate(&y.key);

	/* the peer enrolls its second key, whose first record follows */
	{
		body_spec_t sp = {.unit = a->unit,
		                  .form = ANTT_FORM_ENROLL,
		                  .period = "2024-06-20",
		                  .enroll_unit = a->unit,
		                  .enroll_key = y.key->pk};
		peer_raw(a, &enr, &sp);
		rules_case(a, &y, "rules_setup", &enr);
	}

	/* periods the calendar lacks: refused as bad records (1); their bodies
	 * do not decode, so the refusal names their place and id only */
	static const struct {
		const char *name, *period;
	} bad_periods[] = {{"period_1999", "1999"},
	                   {"period_2025_13", "2025-13"},
	                   {"period_2025_Q5", "2025-Q5"},
	                   {"period_2025_02_30", "2025-02-30"}};
	for (size_t i = 0; i < sizeof bad_periods / sizeof bad_periods[0]; i++) {
		body_spec_t sp = {
		    .unit = a->unit, .form = M, .period = bad_periods[i].period, .value = 30 + i};
		peer_raw(a, &r, &sp);
		rules_case(a, &y, bad_periods[i].name, &r);
		fc_rec_free(&r);
	}
	/* a day for the monthly form, which the hub has: a bad record (1),
	 * named by seq too (its body decodes) */
	{
		body_spec_t sp = {.unit = a->unit, .form = M, .period = "2024-06-20", .value = 40};
		peer_raw(a, &r, &sp);
		rules_case(a, &y, "period_wrong_kind", &r);
		fc_rec_free(&r);
	}
	/* a day for a form the hub lacks: kept (it cannot tell the kind) */
	{
		body_spec_t sp = {
		    .unit = a->unit, .form = "bvanttq-weekly", .period = "2024-06-20", .value = 41};
		peer_raw(a, &r, &sp);
		rules_case(a, &y, "period_unknown_form", &r);
		fc_rec_free(&r);
	}
	/* a system record with a month */
	{
		uint8_t k[ANTT_KEY_BYTES];
		randombytes_buf(k, sizeof k);
		body_spec_t sp = {.unit = a->unit,
		                  .form = ANTT_FORM_ENROLL,
		                  .period = "2024-06",
		                  .enroll_unit = a->unit,
		                  .enroll_key = k};
		peer_raw(a, &r, &sp);
		rules_case(a, &y, "system_month", &r);
		fc_rec_free(&r);
	}
	/* a malformed body in a valid, signed envelope */
	{
		memset(&r, 0, sizeof r);
		r.blen = 24;
		r.body = antt_xmalloc(r.blen);
		memset(r.body, 0xff, r.blen);
		memcpy(r.author, a->key->pk, ANTT_KEY_BYTES);
		fc_rec_sign(&r, a->key);
		rules_case(a, &y, "malformed_body", &r);
		fc_rec_free(&r);
	}

	/* corrections: the peer's own May report, and its correction, are taken */
	{
		body_spec_t sp = {.unit = a->unit, .form = M, .period = "2024-05", .value = 50};
		peer_raw(a, &own, &sp);
		rules_case(a, &y, "own_report", &own);
		body_spec_t sc = {.unit = a->unit,
		                  .form = M,
		                  .period = "2024-05",
		                  .value = 51,
		                  .corrects = own.id};
		peer_raw(a, &fixed, &sc);
		rules_case(a, &y, "corrects_own", &fixed);
	}
	/* ... and what may not be corrected is refused (8) */
	{
		uint8_t random_id[ANTT_ID_BYTES];
		randombytes_buf(random_id, sizeof random_id);
		const struct {
			const char *name, *form, *period;
			const uint8_t *corrects;
		} bad[] = {
		    {"corrects_random", M, "2024-05", random_id},
		    {"corrects_other_unit", M, "2024-05", victim},
		    {"corrects_other_period", M, "2024-06", fixed.id},
		    /* a form the hub lacks: only the correction is wrong */
		    {"corrects_other_form", "bvanttq-weekly", "2024-05", fixed.id},
		    {"corrects_other_kind", E, "2024-06-20", fixed.id},
		    /* a system record: the peer's enrollment of its second key */
		    {"corrects_system", M, "2024-05", enr.id},
		};
		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			body_spec_t sp = {.unit = a->unit,
			                  .form = bad[i].form,
			                  .period = bad[i].period,
			                  .value = 60 + i,
			                  .corrects = bad[i].corrects};
			peer_raw(a, &r, &sp);
			rules_case(a, &y, bad[i].name, &r);
			fc_rec_free(&r);
		}
	}
	/* the second key corrects the peer's correction: another key of the
	 * same unit (a replaced machine's), taken */
	{
		fc_rec_t c;
		body_spec_t sp = {.unit = a->unit,
		                  .form = M,
		                  .period = "2024-05",
		                  .value = 70,
		                  .corrects = fixed.id};
		rec_make_raw(&c, y.key, y.seq + 1, y.prev, &sp);
		y.seq++;
		memcpy(y.prev, c.id, ANTT_ID_BYTES);
		fc_rec_t *cp = &c;
		atk_case(a, "corrects_other_key", &cp, 1);
		fc_rec_free(&c);
	}
	/* the second key corrects a July report of the peer's that comes after
	 * it in the same batch (a batch runs author by author): taken */
	{
		fc_rec_t jul, c;
		body_spec_t sj = {.unit = a->unit, .form = M, .period = "2024-07", .value = 80};
		peer_raw(a, &jul, &sj);
		body_spec_t sc = {.unit = a->unit,
		                  .form = M,
		                  .period = "2024-07",
		                  .value = 81,
		                  .corrects = jul.id};
		rec_make_raw(&c, y.key, y.seq + 1, y.prev, &sc);
		y.seq++;
		memcpy(y.prev, c.id, ANTT_ID_BYTES);
		fc_rec_t *batch[2] = {&c, &jul};
		atk_case(a, "corrects_in_batch", batch, 2);
		fc_rec_free(&jul);
		fc_rec_free(&c);
	}
	fc_rec_free(&enr);
	fc_rec_free(&own);
	fc_rec_free(&fixed);
	antt_key_destroy(&y.key);
}

static int cmd_attack(const char *endpoint, const uint8_t hub[ANTT_KEY_BYTES], const char *key_path,
                      const char *unit, const uint8_t victim[ANTT_ID_BYTES])
{
	char err[ANTT_ERR_MAX];
	atk_t a = {0};
	a.endpoint = endpoint;
	a.unit = unit;
	memcpy(a.hub, hub, ANTT_KEY_BYTES);
	if (antt_key_load(key_path, &a.key, err))
		fc_die("%s", err);
	antt_key_t *stranger = NULL; /* a key nobody enrolled */
	antt_key_generate(&stranger);
	a.ctx = zmq_ctx_new();
	a.sock = fc_connect(a.ctx, endpoint, hub, a.key);

	/* a Hello naming a unit other than the one this key is enrolled for:
	 * Error 2 naming both, and no session (a Ping gets Error 1) */
	{
		const char *other = strcmp(unit, "12337") ? "12337" : "12338";
		fc_send_hello(a.sock, ANTT_SYNC_VERSION, other, a.key->pk, 0, NULL);
		printf("{\"case\":\"hello_other_unit\",\"unit\":\"%s\"", other);
		print_answer(&a, fc_recv_answer(a.sock, g_timeout_ms, 0));
		fc_send_ping(a.sock, 5);
		printf("{\"case\":\"ping_after_other_unit\"");
		print_answer(&a, fc_recv_answer(a.sock, g_timeout_ms, 1));
	}

	if (atk_hello(&a, "hello"))
		return 1;
	uint64_t h0 = a.head_seq;
	uint8_t h0_id[ANTT_ID_BYTES];
	memcpy(h0_id, a.head_id, ANTT_ID_BYTES);
	printf("{\"case\":\"hello\",\"author\":\"%s\",\"head\":%" PRIu64 "}\n",
	       fc_hex(a.key->pk, ANTT_KEY_BYTES), h0);

	/* honest: three records after the hub's head */
	fc_rec_t honest[3];
	fc_rec_t *hp[3];
	for (int i = 0; i < 3; i++) {
		rec_make(&honest[i], a.key, a.key, h0 + 1 + (uint64_t)i,
		         i ? honest[i - 1].id : h0_id, unit, 100 + (uint64_t)i, "honest");
		hp[i] = &honest[i];
	}
	atk_case(&a, "honest", hp, 3);

	/* (a) forged: signed, validly, by a key nobody enrolled */
	fc_rec_t forged;
	rec_make(&forged, stranger, stranger, 1, NULL, unit, 1, "forged");
	fc_rec_t *fp = &forged;
	atk_case(&a, "forged", &fp, 1);

	/* (b) altered: a valid next record with one byte of its note changed
	 * after signing (still a well-formed body; id and signature differ) */
	fc_rec_t altered;
	rec_make(&altered, a.key, a.key, a.head_seq + 1, a.head_id, unit, 7, "altered-X");
	uint8_t *x = memmem(altered.body, altered.blen, "altered-X", 9);
	if (!x)
		fc_die("note not found in the body");
	x[8] = 'Y';
	fc_rec_seal(&altered); /* new id, the old signature */
	fc_rec_t *ap = &altered;
	atk_case(&a, "altered", &ap, 1);

	/* bad record: bytes that are no envelope at all */
	{
		uint8_t junk[40];
		memset(junk, 0xff, sizeof junk);
		ProtobufCBinaryData raw = {sizeof junk, junk};
		size_t len;
		uint8_t *frame = fc_batch_pack(++a.batch_no, &raw, 1, &len);
		fc_send_frame(a.sock, frame, len);
		free(frame);
		printf("{\"case\":\"garbage_record\",\"sent\":[]");
		print_answer(&a, fc_recv_answer(a.sock, g_timeout_ms, 0));
	}

	/* bad record: a validly signed body that is not in canonical encoding
	 * (the note field twice: a reader would show one, a signer the other) */
	fc_rec_t noncanon;
	rec_make(&noncanon, a.key, a.key, a.head_seq + 1, a.head_id, unit, 8, "one");
	{
		uint8_t *b2 = antt_xmalloc(noncanon.blen + 8);
		memcpy(b2, noncanon.body, noncanon.blen);
		/* field 10 (note), wire type 2: tag 0x52, length 3, "two" */
		memcpy(b2 + noncanon.blen, "\x52\x03two", 5);
		free(noncanon.body);
		noncanon.body = b2;
		noncanon.blen += 5;
		fc_rec_sign(&noncanon, a.key);
	}
	fc_rec_t *np = &noncanon;
	atk_case(&a, "noncanonical", &np, 1);

	/* (c) replayed: the honest records again: deduplicated, no refusal */
	atk_case(&a, "replay", hp, 3);

	/* (d) out of order: seq head+2 */
	fc_rec_t gap;
	{
		uint8_t someprev[ANTT_ID_BYTES];
		randombytes_buf(someprev, sizeof someprev);
		rec_make(&gap, a.key, a.key, a.head_seq + 2, someprev, unit, 9, "out of order");
	}
	fc_rec_t *gp = &gap;
	atk_case(&a, "gap", &gp, 1);

	/* (e) bad signature, correct chain: the next record, signed by another key */
	fc_rec_t badsig;
	rec_make(&badsig, a.key, stranger, a.head_seq + 1, a.head_id, unit, 10, "bad signature");
	fc_rec_t *bp = &badsig;
	atk_case(&a, "badsig", &bp, 1);

	/* the same followed by a successor whose signature fails too: the
	 * run's last signature fails, so the hub checks each (a run whose last
	 * signature verifies would be taken whole, the earlier signatures left
	 * to the background audit) */
	fc_rec_t bc1, bc2;
	rec_make(&bc1, a.key, stranger, a.head_seq + 1, a.head_id, unit, 16, "bad signature 2");
	rec_make(&bc2, a.key, stranger, a.head_seq + 2, bc1.id, unit, 17, "after a bad signature");
	fc_rec_t *bcp[2] = {&bc1, &bc2};
	atk_case(&a, "badsig_chained", bcp, 2);

	/* (f) fork: a second, validly signed record with the seq of a held one */
	fc_rec_t fork;
	rec_make(&fork, a.key, a.key, honest[0].seq, h0_id, unit, 999, "fork");
	fc_rec_t *kp = &fork;
	atk_case(&a, "fork", &kp, 1);

	/* 1,000 distinct forks of that seq in one batch: each refused (5); the
	 * hub keeps a bounded number as evidence and counts the rest */
	enum { FORKS = 1000 };
	fc_rec_t *forks = antt_xcalloc(FORKS, sizeof *forks);
	fc_rec_t **fkp = antt_xcalloc(FORKS, sizeof *fkp);
	for (size_t k = 0; k < FORKS; k++) {
		rec_make(&forks[k], a.key, a.key, honest[0].seq, h0_id, unit, 2000 + k, "forks");
		fkp[k] = &forks[k];
	}
	atk_case(&a, "forks_many", fkp, FORKS);
	for (size_t k = 0; k < FORKS; k++)
		fc_rec_free(&forks[k]);
	free(forks);
	free(fkp);

	/* one bad record in a batch does not stop the good ones after it:
	 * [next, bad signature for the one after, a good one after] */
	fc_rec_t m1, m2, m3;
	rec_make(&m1, a.key, a.key, a.head_seq + 1, a.head_id, unit, 11, "mixed 1");
	rec_make(&m2, a.key, stranger, a.head_seq + 2, m1.id, unit, 12, "mixed bad");
	rec_make(&m3, a.key, a.key, a.head_seq + 2, m1.id, unit, 13, "mixed 2");
	fc_rec_t *mp[3] = {&m1, &m2, &m3};
	atk_case(&a, "mixed", mp, 3);

	/* honest again: the session goes on after all that */
	fc_rec_t after;
	rec_make(&after, a.key, a.key, a.head_seq + 1, a.head_id, unit, 14, "after");
	fc_rec_t *afp = &after;
	atk_case(&a, "honest_after", &afp, 1);

	/* ---- compressed batches (zrecords) ---- */

	/* two honest records, compressed: taken like any */
	fc_rec_t z1, z2;
	rec_make(&z1, a.key, a.key, a.head_seq + 1, a.head_id, unit, 18, "compressed 1");
	rec_make(&z2, a.key, a.key, a.head_seq + 2, z1.id, unit, 19, "compressed 2");
	{
		fc_rec_t *zp[2] = {&z1, &z2};
		size_t len;
		ProtobufCBinaryData *envs = fc_envelopes(zp, 2);
		uint8_t *raw = fc_records_pack(envs, 2, &len);
		send_batch_z(a.sock, ++a.batch_no, raw, len);
		free(raw);
		free(envs);
		printf("{\"case\":\"zhonest\",");
		print_sent(zp, 2);
		print_answer(&a, fc_recv_answer(a.sock, g_timeout_ms, 0));
	}
	/* a compression bomb: a small frame that unpacks to 65 MiB, past the
	 * limit (one record of zeros): refused unopened, Error 2, the session
	 * closed */
	{
		size_t big = ANTT_SYNC_MAX_UNZ + 1024 * 1024, len;
		uint8_t *zeros = antt_xcalloc(1, big);
		ProtobufCBinaryData one = {big, zeros};
		uint8_t *raw = fc_records_pack(&one, 1, &len);
		free(zeros);
		send_batch_z(a.sock, ++a.batch_no, raw, len);
		free(raw);
		printf("{\"case\":\"zbomb\",\"unpacked\":%zu", len);
		print_answer(&a, fc_recv_answer(a.sock, g_timeout_ms, 0));
		int ok = atk_hello(&a, "hello_after_zbomb") == 0;
		printf("{\"case\":\"hello_after_zbomb\",\"heads\":%s,\"head\":%" PRIu64 "}\n",
		       ok ? "true" : "false", a.head_seq);
	}
	/* empty entries: a Records of 32 million empty envelopes (64 MiB, in a
	 * frame of a few KB) that a reader without a memory budget unpacks to
	 * gigabytes of arrays: refused like junk, Error 2, the session closed */
	{
		size_t n = (ANTT_SYNC_MAX_UNZ - 1024) / 2, len = 2 * n;
		uint8_t *raw = antt_xmalloc(len);
		for (size_t i = 0; i < n; i++)
			raw[2 * i] = 0x0a, raw[2 * i + 1] = 0; /* records = 1, empty */
		send_batch_z(a.sock, ++a.batch_no, raw, len);
		free(raw);
		printf("{\"case\":\"zempty\",\"entries\":%zu", n);
		print_answer(&a, fc_recv_answer(a.sock, g_timeout_ms, 0));
		int ok = atk_hello(&a, "hello_after_zempty") == 0;
		printf("{\"case\":\"hello_after_zempty\",\"heads\":%s}\n", ok ? "true" : "false");
	}
	/* compressed bytes that are no Records message */
	{
		uint8_t junk[100];
		memset(junk, 0xff, sizeof junk);
		send_batch_z(a.sock, ++a.batch_no, junk, sizeof junk);
		printf("{\"case\":\"zjunk\"");
		print_answer(&a, fc_recv_answer(a.sock, g_timeout_ms, 0));
		int ok = atk_hello(&a, "hello_after_zjunk") == 0;
		printf("{\"case\":\"hello_after_zjunk\",\"heads\":%s,\"head\":%" PRIu64 "}\n",
		       ok ? "true" : "false", a.head_seq);
	}

	/* ---- (g) malformed frames ---- */

	/* unexpected message kind from a child (Heads), after Hello */
	{
		Antt__Heads hd = ANTT__HEADS__INIT;
		Antt__SyncMsg m = ANTT__SYNC_MSG__INIT;
		m.msg_case = ANTT__SYNC_MSG__MSG_HEADS;
		m.heads = &hd;
		fc_send(a.sock, &m);
		printf("{\"case\":\"unexpected_kind\"");
		print_answer(&a, fc_recv_answer(a.sock, g_timeout_ms, 0));
	}

	/* two frames in one message: dropped, and only it; the messages queued
	 * behind it (maybe another child's) are not.  A batch of honest
	 * records first keeps the hub busy, so that the two-frame message and
	 * a Ping are both waiting in its queue when it comes to them */
	{
		enum { BUSY = 1000 };
		fc_rec_t *busy = antt_xcalloc(BUSY, sizeof *busy);
		fc_rec_t **bp2 = antt_xcalloc(BUSY, sizeof *bp2);
		for (size_t k = 0; k < BUSY; k++) {
			rec_make(&busy[k], a.key, a.key, a.head_seq + 1 + k,
			         k ? busy[k - 1].id : a.head_id, unit, 20 + k, "busy");
			bp2[k] = &busy[k];
		}
		fc_send_batch(a.sock, ++a.batch_no, bp2, BUSY);
		zmq_send(a.sock, "x", 1, ZMQ_SNDMORE);
		zmq_send(a.sock, "y", 1, 0);
		fc_send_ping(a.sock, 42);
		Antt__SyncMsg *ack = fc_recv_answer(a.sock, g_timeout_ms, 0);
		Antt__SyncMsg *r = fc_recv_answer(a.sock, g_timeout_ms, 1);
		printf("{\"case\":\"multipart\",\"pong\":%s,",
		       r && r->msg_case == ANTT__SYNC_MSG__MSG_PONG && r->pong->nonce == 42
		           ? "true"
		           : "false");
		if (r)
			antt__sync_msg__free_unpacked(r, NULL);
		print_sent(bp2, BUSY);
		print_answer(&a, ack);
		for (size_t k = 0; k < BUSY; k++)
			fc_rec_free(&busy[k]);
		free(busy);
		free(bp2);
	}

	/* garbage bytes as a frame: Error 2, session closed; a Hello on the
	 * same connection starts a new one */
	{
		uint8_t junk[64];
		memset(junk, 0xff, sizeof junk);
		zmq_send(a.sock, junk, sizeof junk, 0);
		printf("{\"case\":\"garbage_frame\"");
		print_answer(&a, fc_recv_answer(a.sock, g_timeout_ms, 0));
		fc_send_ping(a.sock, 0);
		printf("{\"case\":\"ping_after_garbage\"");
		print_answer(&a, fc_recv_answer(a.sock, g_timeout_ms, 0));
		int ok = atk_hello(&a, "hello_after_garbage") == 0;
		printf("{\"case\":\"hello_after_garbage\",\"heads\":%s,\"head\":%" PRIu64 "}\n",
		       ok ? "true" : "false", a.head_seq);
	}

	/* unsupported protocol version */
	{
		fc_send_hello(a.sock, ANTT_SYNC_VERSION + 1, unit, a.key->pk, 0, NULL);
		printf("{\"case\":\"version\"");
		print_answer(&a, fc_recv_answer(a.sock, g_timeout_ms, 0));
	}

	/* a Batch before Hello, on a new connection: Error 1, nothing stored */
	{
		atk_reconnect(&a);
		fc_rec_t early;
		rec_make(&early, a.key, a.key, a.head_seq + 1, a.head_id, unit, 15, "before hello");
		fc_rec_t *ep = &early;
		fc_send_batch(a.sock, ++a.batch_no, &ep, 1);
		printf("{\"case\":\"batch_before_hello\",");
		print_sent(&ep, 1);
		print_answer(&a, fc_recv_answer(a.sock, g_timeout_ms, 0));
		fc_rec_free(&early);
	}

	/* a frame over 16 MiB: the hub closes the connection (ZMQ_MAXMSGSIZE) */
	{
		atk_reconnect(&a);
		if (zmq_socket_monitor(a.sock, "inproc://peer-monitor", ZMQ_EVENT_DISCONNECTED) !=
		    0)
			fc_die("zmq_socket_monitor: %s", zmq_strerror(errno));
		void *mon = zmq_socket(a.ctx, ZMQ_PAIR);
		zmq_connect(mon, "inproc://peer-monitor");
		int ok = atk_hello(&a, "oversize") == 0;
		size_t big = (size_t)ANTT_SYNC_MAX_FRAME + 1024 * 1024;
		uint8_t *buf = antt_xcalloc(1, big);
		zmq_send(a.sock, buf, big, 0);
		free(buf);
		int gone = wait_disconnect(mon, g_timeout_ms);
		printf("{\"case\":\"oversize\",\"hello\":%s,\"bytes\":%zu,\"disconnected\":%s}\n",
		       ok ? "true" : "false", big, gone ? "true" : "false");
		zmq_socket_monitor(a.sock, NULL, 0);
		zmq_close(mon);
		/* and the hub still answers a new connection */
		atk_reconnect(&a);
		ok = atk_hello(&a, "hello_after_oversize") == 0;
		printf("{\"case\":\"hello_after_oversize\",\"heads\":%s,\"head\":%" PRIu64 "}\n",
		       ok ? "true" : "false", a.head_seq);
	}

	/* ---- (h) records that break the spec's rules ---- */
	atk_rules(&a, victim);
	fflush(stdout);

	for (int i = 0; i < 3; i++)
		fc_rec_free(&honest[i]);
	fc_rec_free(&forged);
	fc_rec_free(&altered);
	fc_rec_free(&noncanon);
	fc_rec_free(&gap);
	fc_rec_free(&badsig);
	fc_rec_free(&bc1);
	fc_rec_free(&bc2);
	fc_rec_free(&fork);
	fc_rec_free(&m1);
	fc_rec_free(&m2);
	fc_rec_free(&m3);
	fc_rec_free(&after);
	fc_rec_free(&z1);
	fc_rec_free(&z2);
	zmq_close(a.sock);
	zmq_ctx_term(a.ctx);
	antt_key_destroy(&a.key);
	antt_key_destroy(&stranger);
	return a.failures ? 1 : 0;
}

/* ---- many children ---- */

typedef struct {
	antt_key_t *key;
	char unit[ANTT_UNIT_MAX + 1];
	void *sock;
	int state; /* 0 hello sent, 1 batch sent, 2 acked, 3 failed */
	uint64_t want_head;
	uint64_t total_stored;
} child_t;

static void proc_mem(long pid, long *rss, long *hwm)
{
	char path[64], line[256];
	*rss = *hwm = -1;
	snprintf(path, sizeof path, "/proc/%ld/status", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		if (!strncmp(line, "VmRSS:", 6))
			*rss = strtol(line + 6, NULL, 10);
		else if (!strncmp(line, "VmHWM:", 6))
			*hwm = strtol(line + 6, NULL, 10);
	}
	fclose(f);
}

static int key_name_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Every DIR/child-NNNN.key, in name order, with its unit (in the companion
 * DIR/child-NNNN.unit).  Caller frees (keys with antt_key_destroy). */
static child_t *load_children(const char *dir, size_t *out_n)
{
	char err[ANTT_ERR_MAX];
	DIR *d = opendir(dir);
	if (!d)
		fc_die("%s: %s", dir, strerror(errno));
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l > 4 && !strcmp(e->d_name + l - 4, ".key")) {
			names = antt_xrealloc(names, (n + 1) * sizeof *names);
			if (asprintf(&names[n++], "%s/%s", dir, e->d_name) < 0)
				abort();
		}
	}
	closedir(d);
	qsort(names, n, sizeof *names, key_name_cmp);
	if (!n)
		fc_die("no *.key in %s", dir);
	child_t *ch = antt_xcalloc(n, sizeof *ch);
	for (size_t i = 0; i < n; i++) {
		if (antt_key_load(names[i], &ch[i].key, err))
			fc_die("%s", err);
		char up[4096];
		snprintf(up, sizeof up, "%.*s.unit", (int)(strlen(names[i]) - 4), names[i]);
		FILE *f = fopen(up, "r");
		if (!f || !fgets(ch[i].unit, sizeof ch[i].unit, f))
			fc_die("%s: cannot read the unit", up);
		ch[i].unit[strcspn(ch[i].unit, "\n")] = 0;
		fclose(f);
		free(names[i]);
	}
	free(names);
	*out_n = n;
	return ch;
}

static int cmd_many(const char *endpoint, const uint8_t hub[ANTT_KEY_BYTES], const char *dir,
                    int records, int rounds, long watch)
{
	size_t n;
	child_t *ch = load_children(dir, &n);
	zmq_pollitem_t *items = antt_xcalloc(n, sizeof *items);
	int all_ok = 1;
	for (int round = 1; round <= rounds; round++) {
		/* a context per round: every socket of the last one is gone */
		void *ctx = zmq_ctx_new();
		zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, (int)n + 16);
		int64_t t0 = fc_now_ms();
		size_t acked = 0, failed = 0, refused = 0, errors = 0, stored = 0;
		for (size_t i = 0; i < n; i++) {
			ch[i].sock = fc_connect(ctx, endpoint, hub, ch[i].key);
			ch[i].state = 0;
			fc_send_hello(ch[i].sock, ANTT_SYNC_VERSION, ch[i].unit, ch[i].key->pk, 0,
			              NULL);
		}
		int64_t deadline = fc_now_ms() + g_timeout_ms * 3;
		while (acked + failed < n && fc_now_ms() < deadline) {
			for (size_t i = 0; i < n; i++) {
				items[i].socket = ch[i].sock;
				items[i].events = ZMQ_POLLIN;
				items[i].revents = 0;
			}
			int rc = zmq_poll(items, (int)n, 200);
			if (rc < 0 && errno == EINTR)
				continue;
			if (rc < 0)
				fc_die("zmq_poll: %s", zmq_strerror(errno));
			for (size_t i = 0; i < n; i++) {
				if (!(items[i].revents & ZMQ_POLLIN))
					continue;
				child_t *c = &ch[i];
				Antt__SyncMsg *m;
				while ((m = fc_recv_now(c->sock))) {
					if (m->msg_case == ANTT__SYNC_MSG__MSG_HEADS &&
					    c->state == 0) {
						uint64_t seq = 0;
						uint8_t prev[ANTT_ID_BYTES] = {0};
						fc_head_find(m->heads->heads, m->heads->n_heads,
						             c->key->pk, &seq, prev);
						fc_rec_t *rs =
						    antt_xcalloc((size_t)records, sizeof *rs);
						fc_rec_t **rp =
						    antt_xcalloc((size_t)records, sizeof *rp);
						for (int k = 0; k < records; k++) {
							rec_make(&rs[k], c->key, c->key,
							         seq + 1 + (uint64_t)k,
							         k ? rs[k - 1].id : prev, c->unit,
							         (uint64_t)round, NULL);
							rp[k] = &rs[k];
						}
						fc_send_batch(c->sock, (uint64_t)round, rp,
						              (size_t)records);
						for (int k = 0; k < records; k++)
							fc_rec_free(&rs[k]);
						free(rs);
						free(rp);
						c->want_head = seq + (uint64_t)records;
						c->state = 1;
					} else if (m->msg_case == ANTT__SYNC_MSG__MSG_ACK &&
					           c->state == 1) {
						uint64_t head = 0;
						fc_head_find(m->ack->heads, m->ack->n_heads,
						             c->key->pk, &head, NULL);
						refused += m->ack->n_refused;
						if (m->ack->n_refused == 0 &&
						    head == c->want_head) {
							c->state = 2;
							acked++;
							stored += (size_t)records;
						} else {
							c->state = 3;
							failed++;
						}
					} else if (m->msg_case == ANTT__SYNC_MSG__MSG_ERROR) {
						fprintf(stderr, "child %s: error %u: %s\n", c->unit,
						        m->error->code, m->error->reason);
						errors++;
						if ((m->error->code == ANTT_SYNC_E_HELLO ||
						     m->error->code == ANTT_SYNC_E_STORE) &&
						    c->state < 2) {
							/* as anttd's uplink: Hello again */
							c->state = 0;
							fc_send_hello(c->sock, ANTT_SYNC_VERSION,
							              c->unit, c->key->pk, 0, NULL);
						} else if (c->state < 2) {
							c->state = 3;
							failed++;
						}
					}
					antt__sync_msg__free_unpacked(m, NULL);
				}
			}
		}
		int64_t ms = fc_now_ms() - t0;
		long rss = -1, hwm = -1;
		if (watch > 0)
			proc_mem(watch, &rss, &hwm);
		printf("{\"round\":%d,\"children\":%zu,\"acked\":%zu,\"failed\":%zu,\"stored\":%zu,"
		       "\"refused\":%zu,\"errors\":%zu,\"ms\":%" PRId64
		       ",\"hub_vmrss_kb\":%ld,\"hub_vmhwm_kb\":%ld}\n",
		       round, n, acked, failed, stored, refused, errors, ms, rss, hwm);
		fflush(stdout);
		if (acked != n)
			all_ok = 0;
		for (size_t i = 0; i < n; i++) {
			zmq_close(ch[i].sock);
			ch[i].sock = NULL;
		}
		zmq_ctx_term(ctx);
	}
	free(items);
	for (size_t i = 0; i < n; i++)
		antt_key_destroy(&ch[i].key);
	free(ch);
	return all_ok ? 0 : 1;
}

/* ---- idle sessions ---- */

static int file_exists(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f)
		fclose(f);
	return f != NULL;
}

/* Every child of dir says Hello; then the first `active` ones Ping every
 * ping_ms as anttd does, the others say nothing at all (their connections
 * stay up: libzmq answers the hub's ZMTP heartbeats by itself) until the
 * file `until` exists (at most g_timeout_ms).  Then every one sends a
 * Ping and reports what came back: a silent one whose session the hub
 * forgot gets Error 1 "send Hello first". */
static int cmd_idle(const char *endpoint, const uint8_t hub[ANTT_KEY_BYTES], const char *dir,
                    size_t active, int ping_ms, const char *until)
{
	size_t n;
	child_t *ch = load_children(dir, &n);
	if (active > n)
		active = n;
	void *ctx = zmq_ctx_new();
	zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, (int)n + 16);
	zmq_pollitem_t *items = antt_xcalloc(n, sizeof *items);
	int64_t t0 = fc_now_ms();
	for (size_t i = 0; i < n; i++) {
		ch[i].sock = fc_connect(ctx, endpoint, hub, ch[i].key);
		fc_send_hello(ch[i].sock, ANTT_SYNC_VERSION, ch[i].unit, ch[i].key->pk, 0, NULL);
	}
	/* state: 0 Hello sent, 1 open (Heads came), 3 failed */
	size_t opened = 0, failed = 0;
	int64_t deadline = fc_now_ms() + g_timeout_ms * 3;
	while (opened + failed < n && fc_now_ms() < deadline) {
		for (size_t i = 0; i < n; i++)
			items[i] = (zmq_pollitem_t){ch[i].sock, 0, ZMQ_POLLIN, 0};
		if (zmq_poll(items, (int)n, 200) < 0 && errno != EINTR)
			fc_die("zmq_poll: %s", zmq_strerror(errno));
		for (size_t i = 0; i < n; i++) {
			Antt__SyncMsg *m;
			while ((m = fc_recv_now(ch[i].sock))) {
				if (ch[i].state == 0 && m->msg_case == ANTT__SYNC_MSG__MSG_HEADS) {
					ch[i].state = 1;
					opened++;
				} else if (ch[i].state == 0 &&
				           m->msg_case == ANTT__SYNC_MSG__MSG_ERROR) {
					fprintf(stderr, "child %s: error %u: %s\n", ch[i].unit,
					        m->error->code, m->error->reason);
					ch[i].state = 3;
					failed++;
				}
				antt__sync_msg__free_unpacked(m, NULL);
			}
		}
	}
	printf(
	    "{\"case\":\"idle_open\",\"children\":%zu,\"opened\":%zu,\"active\":%zu,\"ms\":%" PRId64
	    "}\n",
	    n, opened, active, fc_now_ms() - t0);
	/* the wait: the active ones keep their sessions, as anttd's heartbeat
	 * does; an Error to any of them means the hub dropped a child that
	 * was talking */
	size_t pongs = 0, errors_active = 0, said_silent = 0;
	int go = 0;
	int64_t next_ping = 0;
	deadline = fc_now_ms() + g_timeout_ms;
	while (!(go = file_exists(until)) && fc_now_ms() < deadline) {
		if (fc_now_ms() >= next_ping) {
			for (size_t i = 0; i < active; i++)
				fc_send_ping(ch[i].sock, (uint64_t)fc_now_ms());
			next_ping = fc_now_ms() + ping_ms;
		}
		for (size_t i = 0; i < n; i++)
			items[i] = (zmq_pollitem_t){ch[i].sock, 0, ZMQ_POLLIN, 0};
		if (zmq_poll(items, (int)n, 50) < 0 && errno != EINTR)
			fc_die("zmq_poll: %s", zmq_strerror(errno));
		for (size_t i = 0; i < n; i++) {
			Antt__SyncMsg *m;
			while ((m = fc_recv_now(ch[i].sock))) {
				if (m->msg_case == ANTT__SYNC_MSG__MSG_PONG)
					pongs++;
				else if (m->msg_case == ANTT__SYNC_MSG__MSG_ERROR && i < active)
					errors_active++;
				else if (i >= active && m->msg_case != ANTT__SYNC_MSG__MSG_RECEIPT)
					said_silent++; /* the hub has nothing to say to them */
				antt__sync_msg__free_unpacked(m, NULL);
			}
		}
	}
	/* then every one speaks: a Ping each */
	for (size_t i = 0; i < n; i++) {
		fc_send_ping(ch[i].sock, 7);
		ch[i].state = 0; /* 0 waiting, 1 Pong, 2 Error 1, 3 another answer */
	}
	size_t answered = 0;
	deadline = fc_now_ms() + g_timeout_ms;
	while (answered < n && fc_now_ms() < deadline) {
		for (size_t i = 0; i < n; i++)
			items[i] = (zmq_pollitem_t){ch[i].sock, 0, ZMQ_POLLIN, 0};
		if (zmq_poll(items, (int)n, 200) < 0 && errno != EINTR)
			fc_die("zmq_poll: %s", zmq_strerror(errno));
		for (size_t i = 0; i < n; i++) {
			Antt__SyncMsg *m;
			while ((m = fc_recv_now(ch[i].sock))) {
				int st = 0;
				if (m->msg_case == ANTT__SYNC_MSG__MSG_PONG && m->pong->nonce == 7)
					st = 1;
				else if (m->msg_case == ANTT__SYNC_MSG__MSG_ERROR)
					st = m->error->code == ANTT_SYNC_E_HELLO ? 2 : 3;
				if (st && ch[i].state == 0) {
					ch[i].state = st;
					answered++;
				}
				antt__sync_msg__free_unpacked(m, NULL);
			}
		}
	}
	size_t cnt[2][4] = {{0}}; /* [silent, active][state] */
	for (size_t i = 0; i < n; i++)
		cnt[i < active][ch[i].state]++;
	printf("{\"case\":\"idle_after\",\"go\":%s,\"silent\":%zu,\"active\":%zu,"
	       "\"silent_error1\":%zu,\"silent_pong\":%zu,\"silent_other\":%zu,"
	       "\"silent_unanswered\":%zu,\"silent_told_meanwhile\":%zu,"
	       "\"active_pong\":%zu,\"active_error1\":%zu,\"active_other\":%zu,"
	       "\"active_unanswered\":%zu,\"active_pongs_meanwhile\":%zu,"
	       "\"active_errors_meanwhile\":%zu}\n",
	       go ? "true" : "false", n - active, active, cnt[0][2], cnt[0][1], cnt[0][3],
	       cnt[0][0], said_silent, cnt[1][1], cnt[1][2], cnt[1][3], cnt[1][0], pongs,
	       errors_active);
	for (size_t i = 0; i < n; i++) {
		zmq_close(ch[i].sock);
		antt_key_destroy(&ch[i].key);
	}
	zmq_ctx_term(ctx);
	free(items);
	free(ch);
	return opened == n && answered == n ? 0 : 1;
}

/* ---- a flood of garbage frames ---- */

/* Hello, then `frames` frames of garbage bytes as fast as the socket takes
 * them; then Hello again and one honest record: the hub must still serve
 * this child.  Its log is for the script to judge. */
static int cmd_flood(const char *endpoint, const uint8_t hub[ANTT_KEY_BYTES], const char *key_path,
                     const char *unit, int frames)
{
	char err[ANTT_ERR_MAX];
	atk_t a = {0};
	a.endpoint = endpoint;
	a.unit = unit;
	memcpy(a.hub, hub, ANTT_KEY_BYTES);
	if (antt_key_load(key_path, &a.key, err))
		fc_die("%s", err);
	a.ctx = zmq_ctx_new();
	a.sock = fc_connect(a.ctx, endpoint, hub, a.key);
	if (atk_hello(&a, "flood"))
		return 1;
	uint8_t junk[64];
	memset(junk, 0xff, sizeof junk);
	size_t errors = 0;
	int64_t t0 = fc_now_ms();
	for (int i = 0; i < frames; i++) {
		if (zmq_send(a.sock, junk, sizeof junk, 0) < 0)
			fc_die("zmq_send: %s", zmq_strerror(errno));
		Antt__SyncMsg *m;
		while ((m = fc_recv_now(a.sock))) {
			errors += m->msg_case == ANTT__SYNC_MSG__MSG_ERROR &&
			          m->error->code == ANTT_SYNC_E_MALFORMED;
			antt__sync_msg__free_unpacked(m, NULL);
		}
	}
	int64_t sent_ms = fc_now_ms() - t0;
	/* Hello again: the answers to the garbage come first (those the hub
	 * could queue for us), then Heads */
	fc_send_hello(a.sock, ANTT_SYNC_VERSION, unit, a.key->pk, 0, NULL);
	Antt__SyncMsg *m = NULL;
	int heads = 0;
	int64_t deadline = fc_now_ms() + g_timeout_ms;
	while (!heads && fc_now_ms() < deadline) {
		zmq_pollitem_t it = {a.sock, 0, ZMQ_POLLIN, 0};
		if (zmq_poll(&it, 1, 200) < 0 && errno != EINTR)
			fc_die("zmq_poll: %s", zmq_strerror(errno));
		while (!heads && (m = fc_recv_now(a.sock))) {
			if (m->msg_case == ANTT__SYNC_MSG__MSG_HEADS) {
				take_heads(&a, m->heads->heads, m->heads->n_heads);
				heads = 1;
			} else {
				errors += m->msg_case == ANTT__SYNC_MSG__MSG_ERROR &&
				          m->error->code == ANTT_SYNC_E_MALFORMED;
			}
			antt__sync_msg__free_unpacked(m, NULL);
		}
	}
	printf("{\"case\":\"flood\",\"frames\":%d,\"send_ms\":%" PRId64
	       ",\"error2\":%zu,\"hello_after\":%s,\"head\":%" PRIu64 "}\n",
	       frames, sent_ms, errors, heads ? "true" : "false", a.head_seq);
	if (!heads)
		a.failures++;
	fc_rec_t after;
	rec_make(&after, a.key, a.key, a.head_seq + 1, a.head_id, unit, 21, "after the flood");
	fc_rec_t *ap = &after;
	atk_case(&a, "honest_after_flood", &ap, 1);
	fc_rec_free(&after);
	zmq_close(a.sock);
	zmq_ctx_term(a.ctx);
	antt_key_destroy(&a.key);
	return a.failures ? 1 : 0;
}

/* ---- main ---- */

static void usage(void)
{
	fprintf(stderr,
	        "usage: sync_peer keygen FILE\n"
	        "       sync_peer curve KEY\n"
	        "       sync_peer keygen-many DIR N UNIT_BASE\n"
	        "       sync_peer sign KEYFILE UNIT SEQ PREV FORM PERIOD\n"
	        "       sync_peer attack --hub EP --hub-key HEX --key FILE --unit U --victim ID "
	        "[--timeout MS]\n"
	        "       sync_peer many --hub EP --hub-key HEX --keys DIR [--records K] "
	        "[--rounds R] [--watch-pid PID] [--timeout MS]\n"
	        "       sync_peer idle --hub EP --hub-key HEX --keys DIR --until FILE [--active K] "
	        "[--ping-ms MS] [--timeout MS]\n"
	        "       sync_peer flood --hub EP --hub-key HEX --key FILE --unit U [--frames N] "
	        "[--timeout MS]\n");
	exit(64);
}

int main(int argc, char **argv)
{
	char err[ANTT_ERR_MAX];
	fc_setup("sync_peer", NULL);
	if (sodium_init() < 0)
		fc_die("sodium_init failed");
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		usage();
	/* many sockets: as many descriptors as allowed */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (!strcmp(argv[1], "keygen") && argc == 3) {
		fc_keygen(argv[2]);
		return 0;
	}
	if (!strcmp(argv[1], "curve") && argc == 3) {
		uint8_t ed[ANTT_KEY_BYTES], x[32];
		if (antt_unhex(ed, ANTT_KEY_BYTES, argv[2]) ||
		    crypto_sign_ed25519_pk_to_curve25519(x, ed) != 0)
			fc_die("'%s' is not an Ed25519 public key", argv[2]);
		printf("%s\n", fc_hex(x, 32));
		return 0;
	}
	if (!strcmp(argv[1], "keygen-many") && argc == 5) {
		int n = atoi(argv[3]);
		long base = atol(argv[4]);
		for (int i = 1; i <= n; i++) {
			char path[4096], unit[32];
			antt_key_t *k = NULL;
			antt_key_generate(&k);
			snprintf(path, sizeof path, "%s/child-%04d.key", argv[2], i);
			if (antt_key_save(k, path, err))
				fc_die("%s", err);
			snprintf(unit, sizeof unit, "%ld", base + i);
			snprintf(path, sizeof path, "%s/child-%04d.unit", argv[2], i);
			FILE *f = fopen(path, "w");
			if (!f || fprintf(f, "%s\n", unit) < 0 || fclose(f) != 0)
				fc_die("%s: %s", path, strerror(errno));
			printf("%s %s\n", unit, fc_hex(k->pk, ANTT_KEY_BYTES));
			antt_key_destroy(&k);
		}
		return 0;
	}
	if (!strcmp(argv[1], "sign") && argc == 8) {
		antt_key_t *k = NULL;
		uint8_t prev[ANTT_ID_BYTES] = {0};
		uint64_t seq = strtoull(argv[4], NULL, 10);
		if (antt_key_load(argv[2], &k, err))
			fc_die("%s", err);
		if (seq < 1 || (seq > 1 && antt_unhex(prev, ANTT_ID_BYTES, argv[5])))
			fc_die("sign: SEQ must be 1 or more, PREV 64 hex digits");
		body_spec_t sp = {.unit = argv[3], .form = argv[6], .period = argv[7], .value = 1};
		fc_rec_t r;
		rec_make_raw(&r, k, seq, prev, &sp);
		printf("{\"id\":\"%s\",\"body\":\"", fc_hex(r.id, ANTT_ID_BYTES));
		for (size_t i = 0; i < r.blen; i++)
			printf("%02x", r.body[i]);
		printf("\",\"sig\":\"%s\"}\n", fc_hex(r.sig, ANTT_SIG_BYTES));
		fc_rec_free(&r);
		antt_key_destroy(&k);
		return 0;
	}
	const char *hub_ep = NULL, *hub_key = NULL, *key = NULL, *unit = NULL, *keys = NULL,
	           *victim = NULL;
	const char *until = NULL;
	int records = 3, rounds = 1, active = 0, ping_ms = 250, frames = 10000;
	long watch = 0;
	for (int i = 2; i < argc; i++) {
		const char *o = argv[i];
		if (i + 1 >= argc)
			usage();
		const char *v = argv[++i];
		if (!strcmp(o, "--hub"))
			hub_ep = v;
		else if (!strcmp(o, "--hub-key"))
			hub_key = v;
		else if (!strcmp(o, "--key"))
			key = v;
		else if (!strcmp(o, "--unit"))
			unit = v;
		else if (!strcmp(o, "--victim"))
			victim = v;
		else if (!strcmp(o, "--keys"))
			keys = v;
		else if (!strcmp(o, "--records"))
			records = atoi(v);
		else if (!strcmp(o, "--rounds"))
			rounds = atoi(v);
		else if (!strcmp(o, "--watch-pid"))
			watch = atol(v);
		else if (!strcmp(o, "--timeout"))
			g_timeout_ms = atoi(v);
		else if (!strcmp(o, "--until"))
			until = v;
		else if (!strcmp(o, "--active"))
			active = atoi(v);
		else if (!strcmp(o, "--ping-ms"))
			ping_ms = atoi(v);
		else if (!strcmp(o, "--frames"))
			frames = atoi(v);
		else
			usage();
	}
	uint8_t hub[ANTT_KEY_BYTES];
	if (!hub_ep || !hub_key || antt_unhex(hub, ANTT_KEY_BYTES, hub_key))
		usage();
	uint8_t victim_id[ANTT_ID_BYTES];
	if (!strcmp(argv[1], "attack") && key && unit && victim &&
	    !antt_unhex(victim_id, ANTT_ID_BYTES, victim))
		return cmd_attack(hub_ep, hub, key, unit, victim_id);
	if (!strcmp(argv[1], "many") && keys && records > 0 && rounds > 0)
		return cmd_many(hub_ep, hub, keys, records, rounds, watch);
	if (!strcmp(argv[1], "idle") && keys && until && active >= 0 && ping_ms > 0)
		return cmd_idle(hub_ep, hub, keys, (size_t)active, ping_ms, until);
	if (!strcmp(argv[1], "flood") && key && unit && frames > 0)
		return cmd_flood(hub_ep, hub, key, unit, frames);
	usage();
}
