/* hub.c - the parent side of sync (see hub.h, proto/README.md).
 *
 * Per child connection, a session keyed by its ROUTER routing id:
 *
 *   (none) --Hello--> OPEN --Batch--> check, commit, Ack --> OPEN
 *      |                 \--Ping--> Pong
 *      \--anything else--> Error "send Hello first"
 *   OPEN --silent for [sync] timeout--> dropped (freed)
 *
 * Sessions hold no records: a batch is checked and committed while it is
 * handled, so a hub's memory is bounded by its number of children and the
 * largest frame it accepts (ZMQ_MAXMSGSIZE), whatever they send.
 *
 * Trust: ZAP admits a CURVE key only if it belongs to a key this node
 * enrolled.  ZAP's User-Id is that child's Ed25519 key; a child may send
 * records of its own key and of keys enrolled, transitively, under it. */
#define _GNU_SOURCE
#include "hub.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "common.h"
#include "record.h"
#include "zwatch.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define HUB_MAX_FRAME (16 * 1024 * 1024)
#define HUB_CREDIT 5000
#define HUB_MAX_SESSIONS 20000
#define HUB_MAX_DEPTH 8 /* enrollment levels below a child */

enum { REF_BAD = 1, REF_SIG = 2, REF_AUTHOR = 3, REF_GAP = 4, REF_FORK = 5 };

typedef struct s_session {
	struct s_session *next;
	uint8_t rid[256]; /* ROUTER routing id */
	size_t rid_len;
	uint8_t key[ANTT_KEY_BYTES]; /* the child's Ed25519 key (from ZAP) */
	char unit[ANTT_UNIT_MAX + 1];
	int hello;
	uint64_t last_seen; /* loop ms */
	int64_t stored, refused;
} s_session_t;

struct antt_hub {
	uv_loop_t *loop;
	antt_node_t *node;
	void *zctx;
	void *zap, *router;
	antt_zwatch_t *zap_w, *router_w;
	uv_timer_t reaper;
	int timeout_ms;
	int closing, open_handles;
	s_session_t *sessions;
	size_t n_sessions;
};

/* ---- ZAP: who may connect ---- */

/* Is curve an enrolled child's transport key?  Then its Ed25519 key. */
static int s_child_by_curve(antt_hub_t *h, const uint8_t curve[32], uint8_t ed[ANTT_KEY_BYTES])
{
	json_t *children = antt_node_children(h->node, NULL);
	size_t i;
	json_t *c;
	int found = 0;
	json_array_foreach (children, i, c) {
		uint8_t k[ANTT_KEY_BYTES], x[32];
		if (antt_unhex(k, ANTT_KEY_BYTES, json_string_value(json_object_get(c, "key"))) ||
		    crypto_sign_ed25519_pk_to_curve25519(x, k) != 0)
			continue;
		if (sodium_memcmp(x, curve, 32) == 0) {
			memcpy(ed, k, ANTT_KEY_BYTES);
			found = 1;
			break;
		}
	}
	json_decref(children);
	return found;
}

static int s_zap_msg(void *sock, void *arg)
{
	antt_hub_t *h = arg;
	zmq_msg_t f[8];
	int n = 0, more = 1;
	while (more) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			if (n == 0)
				return -1;
			break;
		}
		more = zmq_msg_more(&m);
		if (n < 8)
			f[n++] = m;
		else
			zmq_msg_close(&m);
	}
	/* version, request id, domain, address, identity, mechanism, key */
	const char *status = "400", *text = "not enrolled here";
	char user[2 * ANTT_KEY_BYTES + 1] = "";
	uint8_t ed[ANTT_KEY_BYTES];
	if (n >= 7 && zmq_msg_size(&f[5]) == 5 && !memcmp(zmq_msg_data(&f[5]), "CURVE", 5) &&
	    zmq_msg_size(&f[6]) == 32 && s_child_by_curve(h, zmq_msg_data(&f[6]), ed)) {
		status = "200", text = "OK";
		antt_hex(user, ed, ANTT_KEY_BYTES);
	} else if (n >= 7) {
		char ck[65] = "";
		if (zmq_msg_size(&f[6]) == 32)
			antt_hex(ck, zmq_msg_data(&f[6]), 32);
		antt_log(ANTT_LOG_WARN,
		         "sync: refused a connection from an unenrolled key "
		         "(transport key %s)",
		         ck);
	}
	if (n >= 2) {
		zmq_send(sock, "1.0", 3, ZMQ_SNDMORE);
		zmq_send(sock, zmq_msg_data(&f[1]), zmq_msg_size(&f[1]), ZMQ_SNDMORE);
		zmq_send(sock, status, 3, ZMQ_SNDMORE);
		zmq_send(sock, text, strlen(text), ZMQ_SNDMORE);
		zmq_send(sock, user, strlen(user), ZMQ_SNDMORE);
		zmq_send(sock, "", 0, 0);
	}
	for (int i = 0; i < n; i++)
		zmq_msg_close(&f[i]);
	return 0;
}

/* ---- sessions ---- */

static s_session_t *s_session_find(antt_hub_t *h, const void *rid, size_t len)
{
	for (s_session_t *s = h->sessions; s; s = s->next)
		if (s->rid_len == len && !memcmp(s->rid, rid, len))
			return s;
	return NULL;
}

static void s_session_drop(antt_hub_t *h, s_session_t *gone, const char *why)
{
	for (s_session_t **pp = &h->sessions; *pp; pp = &(*pp)->next)
		if (*pp == gone) {
			*pp = gone->next;
			antt_log(ANTT_LOG_INFO, "sync: child %s: %s", gone->unit, why);
			free(gone);
			h->n_sessions--;
			return;
		}
}

/* Send one SyncMsg to a session's routing id. */
static void s_send(antt_hub_t *h, const uint8_t *rid, size_t rid_len, const Antt__SyncMsg *m)
{
	size_t len = antt__sync_msg__get_packed_size(m);
	uint8_t *buf = antt_xmalloc(len);
	antt__sync_msg__pack(m, buf);
	if (zmq_send(h->router, rid, rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
	    zmq_send(h->router, buf, len, ZMQ_DONTWAIT) < 0)
		antt_log(ANTT_LOG_DEBUG, "sync: reply not delivered: %s", zmq_strerror(errno));
	free(buf);
}

static void s_send_error(antt_hub_t *h, const uint8_t *rid, size_t rid_len, uint32_t code,
                         const char *reason)
{
	Antt__Error e = ANTT__ERROR__INIT;
	Antt__SyncMsg m = ANTT__SYNC_MSG__INIT;
	e.code = code;
	e.reason = (char *)reason;
	m.msg_case = ANTT__SYNC_MSG__MSG_ERROR;
	m.error = &e;
	s_send(h, rid, rid_len, &m);
}

/* ---- heads ---- */

typedef struct {
	size_t n;
	Antt__Head *heads;
	Antt__Head **ptrs;
	uint8_t (*ids)[ANTT_ID_BYTES];
	uint8_t (*authors)[ANTT_KEY_BYTES];
} s_heads_t;

static void s_heads_init(s_heads_t *hs, size_t cap)
{
	hs->n = 0;
	hs->heads = antt_xcalloc(cap, sizeof *hs->heads);
	hs->ptrs = antt_xcalloc(cap, sizeof *hs->ptrs);
	hs->ids = antt_xcalloc(cap, ANTT_ID_BYTES);
	hs->authors = antt_xcalloc(cap, ANTT_KEY_BYTES);
}

static void s_heads_free(s_heads_t *hs)
{
	free(hs->heads);
	free(hs->ptrs);
	free(hs->ids);
	free(hs->authors);
}

/* Add author's head as this store has it (if not listed yet). */
static int s_heads_add(antt_hub_t *h, s_heads_t *hs, const uint8_t author[ANTT_KEY_BYTES],
                       char *err)
{
	for (size_t i = 0; i < hs->n; i++)
		if (!memcmp(hs->authors[i], author, ANTT_KEY_BYTES))
			return ANTT_OK;
	antt_head_t head;
	int rc = antt_store_head(antt_node_store(h->node), author, &head, err);
	if (rc)
		return rc;
	size_t i = hs->n++;
	Antt__Head *x = &hs->heads[i];
	antt__head__init(x);
	memcpy(hs->authors[i], author, ANTT_KEY_BYTES);
	memcpy(hs->ids[i], head.id, ANTT_ID_BYTES);
	x->author.data = hs->authors[i];
	x->author.len = ANTT_KEY_BYTES;
	x->seq = head.seq;
	if (head.seq) {
		x->id.data = hs->ids[i];
		x->id.len = ANTT_ID_BYTES;
	}
	hs->ptrs[i] = x;
	return ANTT_OK;
}

/* ---- Hello ---- */

static void s_on_hello(antt_hub_t *h, s_session_t *s, const Antt__Hello *hello)
{
	char err[ANTT_ERR_MAX];
	if (hello->version != 1) {
		s_send_error(h, s->rid, s->rid_len, 3, "unsupported protocol version");
		return;
	}
	s->hello = 1;
	snprintf(s->unit, sizeof s->unit, "%s", antt_valid_unit(hello->unit) ? hello->unit : "?");
	size_t n = hello->n_heads < 100000 ? hello->n_heads : 100000;
	s_heads_t hs;
	s_heads_init(&hs, n ? n : 1);
	for (size_t i = 0; i < n; i++) {
		if (hello->heads[i]->author.len != ANTT_KEY_BYTES)
			continue;
		if (s_heads_add(h, &hs, hello->heads[i]->author.data, err)) {
			antt_log(ANTT_LOG_ERR, "sync: %s", err);
			break;
		}
	}
	Antt__Heads hd = ANTT__HEADS__INIT;
	Antt__SyncMsg m = ANTT__SYNC_MSG__INIT;
	hd.n_heads = hs.n;
	hd.heads = hs.ptrs;
	hd.credit = HUB_CREDIT;
	m.msg_case = ANTT__SYNC_MSG__MSG_HEADS;
	m.heads = &hd;
	s_send(h, s->rid, s->rid_len, &m);
	s_heads_free(&hs);
	antt_log(ANTT_LOG_INFO, "sync: child %s connected (%zu authors)", s->unit, n);
}

/* ---- Batch: the checks of proto/README.md, then one durable commit ---- */

/* May child send records of author?  Its own key, or one enrolled under it. */
static int s_author_allowed(antt_hub_t *h, const uint8_t child[ANTT_KEY_BYTES],
                            const uint8_t author[ANTT_KEY_BYTES])
{
	uint8_t k[ANTT_KEY_BYTES], by[ANTT_KEY_BYTES];
	char unit[ANTT_UNIT_MAX + 1];
	memcpy(k, author, ANTT_KEY_BYTES);
	for (int depth = 0; depth <= HUB_MAX_DEPTH; depth++) {
		if (!memcmp(k, child, ANTT_KEY_BYTES))
			return 1;
		if (antt_store_enrolled(antt_node_store(h->node), k, unit, by, NULL) != ANTT_OK)
			return 0;
		memcpy(k, by, ANTT_KEY_BYTES);
	}
	return 0;
}

typedef struct {
	Antt__Refusal *items;
	Antt__Refusal **ptrs;
	uint8_t (*keys)[ANTT_KEY_BYTES];
	uint8_t (*ids)[ANTT_ID_BYTES];
	char (*reasons)[160];
	size_t n;
} s_refusals_t;

static void s_refuse(s_refusals_t *r, const antt_body_t *b, const uint8_t *id, uint32_t code,
                     const char *reason)
{
	size_t i = r->n++;
	Antt__Refusal *x = &r->items[i];
	antt__refusal__init(x);
	if (b) {
		memcpy(r->keys[i], b->author, ANTT_KEY_BYTES);
		x->author.data = r->keys[i];
		x->author.len = ANTT_KEY_BYTES;
		x->seq = b->seq;
	}
	if (id) {
		memcpy(r->ids[i], id, ANTT_ID_BYTES);
		x->id.data = r->ids[i];
		x->id.len = ANTT_ID_BYTES;
	}
	x->code = code;
	snprintf(r->reasons[i], sizeof r->reasons[i], "%s", reason);
	x->reason = r->reasons[i];
	r->ptrs[i] = x;
}

/* Check and append one envelope.  1 stored, 0 duplicate or refused. */
static int s_take_record(antt_hub_t *h, s_session_t *s, const ProtobufCBinaryData *env,
                         s_refusals_t *ref, s_heads_t *touched, int64_t now, char *err, int *fatal)
{
	antt_store_t *st = antt_node_store(h->node);
	uint8_t *body = NULL, sig[ANTT_SIG_BYTES], id[ANTT_ID_BYTES], have[ANTT_ID_BYTES];
	size_t blen;
	antt_body_t b = {0};
	char why[ANTT_ERR_MAX], msg[200];
	int stored = 0, decoded = 0;
	if (antt_envelope_decode(env->data, env->len, &body, &blen, sig, why) ||
	    antt_body_decode(body, blen, &b, why)) {
		snprintf(msg, sizeof msg, "bad record: %.150s", why);
		s_refuse(ref, NULL, NULL, REF_BAD, msg);
		goto out;
	}
	decoded = 1;
	antt_record_id(id, body, blen);
	if (!s_author_allowed(h, s->key, b.author)) {
		s_refuse(ref, &b, id, REF_AUTHOR,
		         "unknown author: not this child's key nor enrolled under it");
		goto out;
	}
	antt_head_t head;
	if ((*fatal = antt_store_head(st, b.author, &head, err)))
		goto out;
	if (b.seq <= head.seq) {
		int r = antt_store_id_at(st, b.author, b.seq, have, err);
		if (r == ANTT_OK && !memcmp(have, id, ANTT_ID_BYTES))
			goto out; /* already held: deduplicated */
		if (antt_record_verify(sig, body, blen, b.author) != 0) {
			s_refuse(ref, &b, id, REF_SIG, "bad signature");
			goto out;
		}
		/* the author signed two records with one seq: keep it as evidence */
		if ((*fatal = antt_store_add_fork(st, id, body, blen, sig, &b, now, s->unit, err)))
			goto out;
		antt_log(ANTT_LOG_WARN,
		         "sync: FORK from child %s: author %.16s... signed two "
		         "records with seq %" PRIu64 "; kept as evidence, not stored",
		         s->unit, antt_hex(msg, b.author, ANTT_KEY_BYTES), b.seq);
		s_refuse(ref, &b, id, REF_FORK, "fork: another record with this seq is held");
		goto out;
	}
	if (b.seq != head.seq + 1 || memcmp(b.prev, head.id, ANTT_ID_BYTES)) {
		snprintf(msg, sizeof msg, "gap: expected seq %" PRIu64 " after the head held",
		         head.seq + 1);
		s_refuse(ref, &b, id, REF_GAP, msg);
		goto out;
	}
	if (antt_record_verify(sig, body, blen, b.author) != 0) {
		s_refuse(ref, &b, id, REF_SIG, "bad signature");
		goto out;
	}
	if ((*fatal = antt_store_append(st, id, body, blen, sig, &b, now, err)))
		goto out;
	stored = 1;
	if ((*fatal = s_heads_add(h, touched, b.author, err)))
		goto out;
	/* s_heads_add listed the head before this record if it was first:
	 * make it the new one */
	for (size_t i = 0; i < touched->n; i++)
		if (!memcmp(touched->authors[i], b.author, ANTT_KEY_BYTES)) {
			touched->heads[i].seq = b.seq;
			memcpy(touched->ids[i], id, ANTT_ID_BYTES);
			touched->heads[i].id.data = touched->ids[i];
			touched->heads[i].id.len = ANTT_ID_BYTES;
		}
out:
	if (!stored && decoded && !*fatal) {
		/* a refused or duplicate record still tells the child our head */
		s_heads_add(h, touched, b.author, NULL);
	}
	free(body);
	antt_body_clear(&b);
	return stored;
}

static void s_on_batch(antt_hub_t *h, s_session_t *s, const Antt__Batch *batch)
{
	char err[ANTT_ERR_MAX];
	antt_store_t *st = antt_node_store(h->node);
	size_t n = batch->n_records;
	if (batch->zrecords.len) {
		s_send_error(h, s->rid, s->rid_len, 2, "compressed batches are not supported yet");
		return;
	}
	s_refusals_t ref = {0};
	ref.items = antt_xcalloc(n + 1, sizeof *ref.items);
	ref.ptrs = antt_xcalloc(n + 1, sizeof *ref.ptrs);
	ref.keys = antt_xcalloc(n + 1, ANTT_KEY_BYTES);
	ref.ids = antt_xcalloc(n + 1, ANTT_ID_BYTES);
	ref.reasons = antt_xcalloc(n + 1, sizeof *ref.reasons);
	s_heads_t touched;
	s_heads_init(&touched, n + 1);
	int64_t now = antt_now();
	int fatal = antt_store_begin(st, err);
	size_t stored = 0;
	for (size_t i = 0; i < n && !fatal; i++)
		stored += (size_t)s_take_record(h, s, &batch->records[i], &ref, &touched, now, err,
		                                &fatal);
	if (!fatal)
		fatal = antt_store_commit(st, err);
	if (fatal) {
		antt_store_rollback(st);
		antt_log(ANTT_LOG_ERR, "sync: batch from child %s not stored: %s", s->unit, err);
		s_send_error(h, s->rid, s->rid_len, 4, "the hub could not store the batch; retry");
	} else {
		Antt__Ack ack = ANTT__ACK__INIT;
		Antt__SyncMsg m = ANTT__SYNC_MSG__INIT;
		ack.batch = batch->batch;
		ack.n_heads = touched.n;
		ack.heads = touched.ptrs;
		ack.n_refused = ref.n;
		ack.refused = ref.ptrs;
		ack.credit = HUB_CREDIT;
		m.msg_case = ANTT__SYNC_MSG__MSG_ACK;
		m.ack = &ack;
		s_send(h, s->rid, s->rid_len, &m);
		s->stored += (int64_t)stored;
		s->refused += (int64_t)ref.n;
		if (ref.n)
			antt_log(ANTT_LOG_WARN, "sync: child %s: refused %zu record(s), first: %s",
			         s->unit, ref.n, ref.reasons[0]);
		antt_log(ANTT_LOG_DEBUG, "sync: child %s: batch %" PRIu64 ": %zu stored", s->unit,
		         batch->batch, stored);
		if (stored)
			antt_node_stored(h->node);
	}
	s_heads_free(&touched);
	free(ref.items);
	free(ref.ptrs);
	free(ref.keys);
	free(ref.ids);
	free(ref.reasons);
}

/* ---- the ROUTER ---- */

static int s_router_msg(void *sock, void *arg)
{
	antt_hub_t *h = arg;
	zmq_msg_t rid, msg;
	zmq_msg_init(&rid);
	zmq_msg_init(&msg);
	if (zmq_msg_recv(&rid, sock, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&rid);
		zmq_msg_close(&msg);
		return -1;
	}
	int ok = zmq_msg_more(&rid) && zmq_msg_recv(&msg, sock, ZMQ_DONTWAIT) >= 0;
	while (zmq_msg_more(ok ? &msg : &rid)) { /* extra frames: malformed */
		zmq_msg_t x;
		zmq_msg_init(&x);
		if (zmq_msg_recv(&x, sock, ZMQ_DONTWAIT) < 0)
			break;
		ok = 0;
		zmq_msg_close(&x);
	}
	const char *user = ok ? zmq_msg_gets(&msg, "User-Id") : NULL;
	uint8_t key[ANTT_KEY_BYTES];
	if (!ok || zmq_msg_size(&rid) > 256 || !user || antt_unhex(key, ANTT_KEY_BYTES, user)) {
		antt_log(ANTT_LOG_WARN, "sync: dropped a malformed message");
		goto out;
	}
	s_session_t *s = s_session_find(h, zmq_msg_data(&rid), zmq_msg_size(&rid));
	if (!s) {
		if (h->n_sessions >= HUB_MAX_SESSIONS)
			goto out;
		s = antt_xcalloc(1, sizeof *s);
		memcpy(s->rid, zmq_msg_data(&rid), zmq_msg_size(&rid));
		s->rid_len = zmq_msg_size(&rid);
		memcpy(s->key, key, ANTT_KEY_BYTES);
		snprintf(s->unit, sizeof s->unit, "?");
		s->next = h->sessions;
		h->sessions = s;
		h->n_sessions++;
	}
	s->last_seen = uv_now(h->loop);
	Antt__SyncMsg *m = antt__sync_msg__unpack(NULL, zmq_msg_size(&msg), zmq_msg_data(&msg));
	if (!m) {
		s_send_error(h, s->rid, s->rid_len, 2, "malformed message");
		s_session_drop(h, s, "sent a malformed message; session closed");
		goto out;
	}
	if (m->msg_case == ANTT__SYNC_MSG__MSG_HELLO)
		s_on_hello(h, s, m->hello);
	else if (!s->hello)
		s_send_error(h, s->rid, s->rid_len, 1, "send Hello first");
	else if (m->msg_case == ANTT__SYNC_MSG__MSG_BATCH)
		s_on_batch(h, s, m->batch);
	else if (m->msg_case == ANTT__SYNC_MSG__MSG_PING) {
		Antt__SyncMsg pong = ANTT__SYNC_MSG__INIT;
		pong.msg_case = ANTT__SYNC_MSG__MSG_PONG;
		pong.pong = m->ping;
		s_send(h, s->rid, s->rid_len, &pong);
	} else {
		s_send_error(h, s->rid, s->rid_len, 2, "unexpected message");
	}
	antt__sync_msg__free_unpacked(m, NULL);
out:
	zmq_msg_close(&rid);
	zmq_msg_close(&msg);
	return 0;
}

static void s_on_reap(uv_timer_t *t)
{
	antt_hub_t *h = t->data;
	uint64_t now = uv_now(h->loop);
	s_session_t *s = h->sessions;
	while (s) {
		s_session_t *next = s->next;
		if (now - s->last_seen > (uint64_t)h->timeout_ms)
			s_session_drop(h, s, "silent; session dropped");
		s = next;
	}
}

/* status and children views */
static void s_hub_status(json_t *resp, void *arg)
{
	antt_hub_t *h = arg;
	uint64_t now = uv_now(h->loop);
	json_t *children = json_object_get(resp, "children");
	if (children) {
		size_t i;
		json_t *c;
		json_array_foreach (children, i, c) {
			uint8_t k[ANTT_KEY_BYTES];
			s_session_t *found = NULL;
			if (!antt_unhex(k, ANTT_KEY_BYTES,
			                json_string_value(json_object_get(c, "key"))))
				for (s_session_t *s = h->sessions; s; s = s->next)
					if (!memcmp(s->key, k, ANTT_KEY_BYTES) &&
					    (!found || s->last_seen > found->last_seen))
						found = s;
			json_object_set_new(c, "connected", json_boolean(found != NULL));
			json_object_set_new(
			    c, "last_seen_s",
			    found ? json_integer((json_int_t)((now - found->last_seen) / 1000))
			          : json_null());
		}
		return;
	}
	json_object_set_new(resp, "hub", json_pack("{s:i}", "connected", (int)h->n_sessions));
}

static void s_closed(void *arg)
{
	antt_hub_t *h = arg;
	if (--h->open_handles == 0) {
		zmq_close(h->router);
		zmq_close(h->zap);
		zmq_ctx_term(h->zctx);
		while (h->sessions) {
			s_session_t *next = h->sessions->next;
			free(h->sessions);
			h->sessions = next;
		}
		free(h);
	}
}

static void s_timer_closed(uv_handle_t *t)
{
	s_closed(t->data);
}

int antt_hub_open(uv_loop_t *loop, antt_node_t *node, const antt_config_t *cfg, antt_hub_t **out,
                  char *err)
{
	antt_hub_t *h = antt_xcalloc(1, sizeof *h);
	const antt_key_t *key = antt_node_key(node);
	uint8_t csk[32];
	int zero = 0, one = 1;
	int64_t maxmsg = HUB_MAX_FRAME;
	h->loop = loop;
	h->node = node;
	h->timeout_ms = cfg->timeout_ms;
	h->zctx = zmq_ctx_new();
	/* ZAP first: libzmq lets everyone in when no handler answers */
	h->zap = zmq_socket(h->zctx, ZMQ_REP);
	zmq_setsockopt(h->zap, ZMQ_LINGER, &zero, sizeof zero);
	if (zmq_bind(h->zap, ZAP_ENDPOINT) != 0) {
		int rc = antt_errf(err, ANTT_E_IO, "cannot start the ZAP handler: %s",
		                   zmq_strerror(errno));
		zmq_close(h->zap);
		zmq_ctx_term(h->zctx);
		free(h);
		return rc;
	}
	h->router = zmq_socket(h->zctx, ZMQ_ROUTER);
	crypto_sign_ed25519_sk_to_curve25519(csk, key->sk);
	zmq_setsockopt(h->router, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(h->router, ZMQ_CURVE_SERVER, &one, sizeof one);
	zmq_setsockopt(h->router, ZMQ_CURVE_SECRETKEY, csk, 32);
	sodium_memzero(csk, sizeof csk);
	zmq_setsockopt(h->router, ZMQ_ZAP_DOMAIN, "antt", 4);
	zmq_setsockopt(h->router, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
	zmq_setsockopt(h->router, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
	int hb = cfg->heartbeat_ms, hbt = cfg->timeout_ms;
	zmq_setsockopt(h->router, ZMQ_HEARTBEAT_IVL, &hb, sizeof hb);
	zmq_setsockopt(h->router, ZMQ_HEARTBEAT_TIMEOUT, &hbt, sizeof hbt);
	if (zmq_bind(h->router, cfg->listen) != 0) {
		int rc = antt_errf(err, ANTT_E_IO, "cannot listen on %s: %s", cfg->listen,
		                   zmq_strerror(errno));
		zmq_close(h->router);
		zmq_close(h->zap);
		zmq_ctx_term(h->zctx);
		free(h);
		return rc;
	}
	antt_zwatch_start(loop, h->zap, s_zap_msg, h, &h->zap_w);
	antt_zwatch_start(loop, h->router, s_router_msg, h, &h->router_w);
	h->open_handles = 3;
	uv_timer_init(loop, &h->reaper);
	h->reaper.data = h;
	uv_timer_start(&h->reaper, s_on_reap, (uint64_t)cfg->heartbeat_ms,
	               (uint64_t)cfg->heartbeat_ms);
	antt_node_on_status(node, s_hub_status, h, 1);
	antt_log(ANTT_LOG_INFO, "sync: listening for children on %s (CURVE, enrolled keys only)",
	         cfg->listen);
	*out = h;
	return ANTT_OK;
}

void antt_hub_receipt(antt_hub_t *h, uint32_t level, Antt__Head **heads, size_t n)
{
	Antt__Receipt r = ANTT__RECEIPT__INIT;
	Antt__SyncMsg m = ANTT__SYNC_MSG__INIT;
	r.level = level;
	r.n_heads = n;
	r.heads = heads;
	m.msg_case = ANTT__SYNC_MSG__MSG_RECEIPT;
	m.receipt = &r;
	for (s_session_t *s = h->sessions; s; s = s->next)
		if (s->hello)
			s_send(h, s->rid, s->rid_len, &m);
	antt_zwatch_kick(h->router_w);
}

void antt_hub_close(antt_hub_t **self_p)
{
	antt_hub_t *h = *self_p;
	if (!h)
		return;
	*self_p = NULL;
	antt_node_on_status(h->node, NULL, NULL, 1);
	uv_close((uv_handle_t *)&h->reaper, s_timer_closed);
	antt_zwatch_stop(&h->router_w, s_closed, h);
	antt_zwatch_stop(&h->zap_w, s_closed, h);
}
