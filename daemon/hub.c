/* hub.c - the parent side of sync (see hub.h, proto/README.md).
 *
 * Per child connection, a session keyed by its ROUTER routing id.  A
 * session exists only from an accepted Hello to its drop; (none) is no
 * s_session_t at all:
 *
 *   (none) --Hello accepted--> OPEN   entry: Heads, the receipts known
 *      |--Hello refused--> Error 3 (version) or 2 (a unit other than the
 *      |                   key's enrollment; too many heads); (none)
 *      |--a frame that does not decode--> Error 2; (none)
 *      \--anything else--> Error 1 "send Hello first"; (none)
 *   OPEN --Batch--> check, commit, Ack (or Error 4); OPEN
 *   OPEN --Ping--> Pong; --Fetch--> Recovered; OPEN
 *   OPEN --another message a child does not send--> Error 2; OPEN
 *   OPEN --Hello accepted--> OPEN (entry again: Heads, receipts)
 *   OPEN --Hello refused--> its Error; (none)
 *   OPEN --a frame that does not decode, a bad compressed batch--> Error 2;
 *         (none)
 *   OPEN --no message of its own for [sync] timeout--> (none) (s_on_reap)
 *
 * Every change goes through s_session_to, which runs the entry actions
 * (making the session, Heads; or freeing it) and logs old -> new through
 * the child's log limiter; which message is taken in OPEN is the table
 * s_open_ops, read by s_router_msg.
 *
 * Silence.  A session is silent while its child sends nothing: a Ping is
 * a message, ZeroMQ's own heartbeats are not (libzmq answers them whatever
 * the child's program does, so they only find dead TCP links).  s_on_reap
 * runs every [sync] heartbeat: it first handles every message that has
 * arrived, then drops each session silent for [sync] timeout or more, with
 * a line each, and frees it.  The child's next message gets Error 1.  The
 * connection itself stays: a ROUTER cannot close one peer's connection;
 * with its session gone it costs libzmq's buffers, not ours.  last_seen is
 * read from the clock when a message is handled (s_ms), not from the
 * loop's cached time, which a long drain leaves stale: a child whose
 * message was handled late in the drain is not silent.  Every time the
 * hub decides by is s_ms, the hub's clock (antt_hub_set_clock: a test's).
 *
 * Sessions hold no records: a batch is checked and committed while it is
 * handled, so a hub's memory is bounded by its number of children and the
 * largest frame it accepts (ZMQ_MAXMSGSIZE), whatever they send.
 *
 * Logs.  What a peer can provoke (malformed frames, refused Hellos and
 * records, forks, fetches, its sessions opened and dropped) is logged
 * through a limiter per child key (s_plog, lib/ratelog.h): at most
 * ANTT_RATELOG_LINES lines per ANTT_RATELOG_WINDOW_MS, then one line with
 * the count suppressed.  ZAP refusals of unenrolled keys share one limiter
 * (a stranger can make keys without end), bundle imports another.
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

#include "bundle.h"
#include "clock.h"
#include "codec.h"
#include "common.h"
#include "ctlproto.h"
#include "forms.h"
#include "period.h"
#include "ratelog.h"
#include "record.h"
#include "stamp.h"
#include "sync.h"
#include "zwatch.h"
#include "watchdog.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define HUB_MAX_SESSIONS 20000

typedef struct s_session {
	struct s_session *next;
	uint8_t rid[256]; /* ROUTER routing id */
	size_t rid_len;
	uint8_t key[ANTT_KEY_BYTES];  /* the child's Ed25519 key (from ZAP) */
	char unit[ANTT_UNIT_MAX + 1]; /* the unit that key is enrolled for */
	uint64_t last_seen;           /* s_ms when its last message was handled */
	int64_t stored, refused;
} s_session_t;

/* The log limiter of one child key, whichever connection it speaks on;
 * kept while its window is open. */
typedef struct s_plog {
	struct s_plog *next;
	uint8_t key[ANTT_KEY_BYTES];
	antt_ratelog_t log;
} s_plog_t;

struct antt_hub {
	uv_loop_t *loop;
	antt_node_t *node;
	void *zctx;
	void *zap, *router;
	antt_zwatch_t *zap_w, *router_w;
	uv_timer_t reaper, audit_timer;
	int timeout_ms;
	int closing, open_handles, auditing;
	s_session_t *sessions;
	size_t n_sessions;
	uint64_t store_failed_at;  /* s_ms of the last "not stored" logged */
	int store_failures;        /* not logged since */
	s_plog_t *plogs;           /* per child key */
	antt_ratelog_t zap_log;    /* unenrolled keys refused by ZAP */
	antt_ratelog_t anon_log;   /* malformed messages of no known key */
	antt_ratelog_t import_log; /* forks in bundles */
	antt_clock_fn clock;       /* every time the hub decides by (s_ms) */
	void *clock_arg;
};

/* Monotonic milliseconds, read now through the hub's clock (by default
 * antt_clock_now: uv_now() is the time the loop iteration began, stale
 * after a long drain of the ROUTER). */
static uint64_t s_ms(const antt_hub_t *h)
{
	return h->clock(h->clock_arg);
}

/* The log limiter of a child key (made on its first line). */
static antt_ratelog_t *s_plog(antt_hub_t *h, const uint8_t key[ANTT_KEY_BYTES])
{
	for (s_plog_t *p = h->plogs; p; p = p->next)
		if (!memcmp(p->key, key, ANTT_KEY_BYTES))
			return &p->log;
	s_plog_t *p = antt_xcalloc(1, sizeof *p);
	char unit[ANTT_UNIT_MAX + 1], who[64], hex[2 * ANTT_KEY_BYTES + 1];
	uint8_t by[ANTT_KEY_BYTES];
	if (antt_store_enrolled(antt_node_store(h->node), key, unit, by, NULL) == ANTT_OK)
		snprintf(who, sizeof who, "sync: child %s", unit);
	else
		snprintf(who, sizeof who, "sync: key %.16s..", antt_hex(hex, key, ANTT_KEY_BYTES));
	memcpy(p->key, key, ANTT_KEY_BYTES);
	antt_ratelog_init(&p->log, who);
	p->next = h->plogs;
	h->plogs = p;
	return &p->log;
}

/* Close the limiters' windows that are over (now UINT64_MAX: all); forget
 * the per-key ones that hold nothing. */
static void s_plog_tick(antt_hub_t *h, uint64_t now)
{
	antt_ratelog_tick(&h->zap_log, now);
	antt_ratelog_tick(&h->anon_log, now);
	antt_ratelog_tick(&h->import_log, now);
	for (s_plog_t **pp = &h->plogs; *pp;) {
		s_plog_t *p = *pp;
		if (antt_ratelog_tick(&p->log, now)) {
			*pp = p->next;
			free(p);
		} else {
			pp = &p->next;
		}
	}
}

/* ---- ZAP: who may connect ---- */

/* Is curve the transport key of a key this node enrolled, or of one
 * enrolled under it (a grandchild whose own parent is out of reach, using
 * this hub as its fallback)?  Then its Ed25519 key. */
static int s_child_by_curve(antt_hub_t *h, const uint8_t curve[32], uint8_t ed[ANTT_KEY_BYTES])
{
	char err[ANTT_ERR_MAX];
	antt_store_t *st = antt_node_store(h->node);
	const uint8_t *self = antt_node_key(h->node)->pk;
	int rc = antt_store_child_by_curve(st, self, curve, ed, err);
	if (rc == ANTT_E_NOTFOUND &&
	    (rc = antt_store_child_by_curve(st, NULL, curve, ed, err)) == ANTT_OK &&
	    !antt_store_enrolled_under(st, ed, self))
		rc = ANTT_E_NOTFOUND;
	if (rc && rc != ANTT_E_NOTFOUND)
		antt_log(ANTT_LOG_ERR, "sync: ZAP: %s", err);
	return rc == ANTT_OK;
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
		antt_ratelog(&h->zap_log, s_ms(h), ANTT_LOG_WARN,
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

/* A Receipt: heads[0..n) stored `level` levels above the session's node. */
static void s_send_receipt(antt_hub_t *h, const s_session_t *s, uint32_t level, Antt__Head **heads,
                           size_t n)
{
	Antt__Receipt r = ANTT__RECEIPT__INIT;
	Antt__SyncMsg m = ANTT__SYNC_MSG__INIT;
	r.level = level;
	r.n_heads = n;
	r.heads = heads;
	m.msg_case = ANTT__SYNC_MSG__MSG_RECEIPT;
	m.receipt = &r;
	s_send(h, s->rid, s->rid_len, &m);
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

/* The keys whose records child takes back before it signs (store_trust.c,
 * "Rotation"): *n_same of its unit in its enrollment's unit list, then
 * *n_older of the old units that went whole to it; none for a revoked key
 * (a stolen machine gets nothing filed after it). */
static int s_child_unit_keys(antt_hub_t *h, const uint8_t child[ANTT_KEY_BYTES],
                             uint8_t (*keys)[ANTT_KEY_BYTES], size_t *n_same, size_t *n_older,
                             char *err)
{
	antt_store_t *st = antt_node_store(h->node);
	uint64_t after = 0;
	*n_same = *n_older = 0;
	if (antt_store_revoked(st, child, &after, NULL) == ANTT_OK)
		return ANTT_OK;
	return antt_store_rotation_keys(st, child, keys, ANTT_SYNC_MAX_UNIT_KEYS, n_same, n_older,
	                                err);
}

typedef struct {
	uint32_t level;
	uint64_t seq;
	uint8_t author[ANTT_KEY_BYTES];
} s_known_t;

typedef struct {
	s_known_t *rows;
	size_t n, cap;
	const uint8_t *author;
} s_known_list_t;

static int s_known_row(const antt_store_receipt_t *r, void *arg)
{
	s_known_list_t *l = arg;
	if (r->level < 1 || r->level > 16)
		return 0;
	if (l->n == l->cap)
		l->rows =
		    antt_xrealloc(l->rows, (l->cap = l->cap ? 2 * l->cap : 16) * sizeof *l->rows);
	s_known_t *k = &l->rows[l->n++];
	k->level = (uint32_t)r->level;
	k->seq = r->seq;
	memcpy(k->author, l->author, ANTT_KEY_BYTES);
	return 0;
}

/* A child that was away when receipts came down learns them at Hello: for
 * its authors, how far above this hub their records are stored. */
static void s_send_known_receipts(antt_hub_t *h, s_session_t *s, const s_heads_t *hs)
{
	char err[ANTT_ERR_MAX];
	s_known_list_t l = {0};
	for (size_t i = 0; i < hs->n; i++) {
		l.author = hs->authors[i];
		if (antt_store_receipts_each(antt_node_store(h->node), hs->authors[i], s_known_row,
		                             &l, err)) {
			antt_log(ANTT_LOG_ERR, "sync: %s", err);
			break;
		}
	}
	Antt__Head *heads = antt_xcalloc(l.n + 1, sizeof *heads);
	Antt__Head **ptrs = antt_xcalloc(l.n + 1, sizeof *ptrs);
	for (uint32_t level = 1; level <= 16; level++) {
		size_t k = 0;
		for (size_t i = 0; i < l.n; i++) {
			if (l.rows[i].level != level)
				continue;
			antt__head__init(&heads[k]);
			heads[k].author.data = l.rows[i].author;
			heads[k].author.len = ANTT_KEY_BYTES;
			heads[k].seq = l.rows[i].seq;
			ptrs[k] = &heads[k];
			k++;
		}
		if (k)
			s_send_receipt(h, s, level, ptrs, k);
	}
	free(heads);
	free(ptrs);
	free(l.rows);
}

/* A Hello from key on connection rid, whose session is s (NULL: none).
 * Accepted: the session opens (or starts again) and Heads answers.
 * Refused: an Error, and no session is left on that connection. */
typedef enum { S_NONE, S_OPEN } s_state_t;

static const char *const s_state_name[] = {"none", "open"};

/* A Hello accepted: who says it, on which connection. */
typedef struct {
	const uint8_t *rid;
	size_t rid_len;
	const uint8_t *key;
	const char *unit;
	const Antt__Hello *hello;
} s_hello_t;

/* OPEN's entry: the Heads of what the child said it holds (with its
 * credentials and its unit's other keys), then the receipts this node
 * knows of beyond it. */
static void s_open_enter(antt_hub_t *h, s_session_t *s, const Antt__Hello *hello)
{
	char err[ANTT_ERR_MAX];
	size_t n = hello->n_heads;
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
	hd.credit = ANTT_SYNC_CREDIT;
	/* the child's credentials: the enrollments from it up to this node
	 * (one: ours of it; more for a grandchild using this hub as its
	 * fallback), then ours up to the root (as our own parent gave them) */
	ProtobufCBinaryData creds[2 * ANTT_SYNC_MAX_DEPTH + 2];
	Antt__Records *mine = NULL;
	uint8_t *blob = NULL;
	size_t blen = 0, nc = 0, own = 0; /* creds[0..own) are ours to free */
	uint8_t k[ANTT_KEY_BYTES], by[ANTT_KEY_BYTES];
	char k_unit[ANTT_UNIT_MAX + 1];
	int reached = 0;
	memcpy(k, s->key, ANTT_KEY_BYTES);
	while (!reached && own < ANTT_SYNC_MAX_DEPTH &&
	       antt_store_enrolled(antt_node_store(h->node), k, k_unit, by, NULL) == ANTT_OK &&
	       antt_store_credential(antt_node_store(h->node), k, by, &creds[own].data,
	                             &creds[own].len, err) == ANTT_OK) {
		own++;
		reached = !memcmp(by, antt_node_key(h->node)->pk, ANTT_KEY_BYTES);
		memcpy(k, by, ANTT_KEY_BYTES);
	}
	if (reached) {
		nc = own;
		if (antt_store_meta_get(antt_node_store(h->node), "credentials", &blob, &blen) ==
		        ANTT_OK &&
		    (mine = antt__records__unpack(NULL, blen, blob)))
			for (size_t i = 0; i < mine->n_records && nc < 2 * ANTT_SYNC_MAX_DEPTH + 2;
			     i++)
				creds[nc++] = mine->records[i];
	}
	hd.n_credentials = nc;
	hd.credentials = creds;
	/* the other keys of the child's unit (a replaced machine's earlier
	 * keys), and those of the old units that went whole to it: the child
	 * takes their records back before it signs */
	uint8_t keys[ANTT_SYNC_MAX_UNIT_KEYS][ANTT_KEY_BYTES];
	size_t nk = 0, no = 0;
	s_heads_t uh, oh;
	s_heads_init(&uh, ANTT_SYNC_MAX_UNIT_KEYS);
	s_heads_init(&oh, ANTT_SYNC_MAX_UNIT_KEYS);
	if (s_child_unit_keys(h, s->key, keys, &nk, &no, err))
		antt_log(ANTT_LOG_ERR, "sync: %s", err);
	for (size_t i = 0; i < nk + no; i++)
		if (s_heads_add(h, i < nk ? &uh : &oh, keys[i], err))
			antt_log(ANTT_LOG_ERR, "sync: %s", err);
	hd.n_unit_heads = uh.n;
	hd.unit_heads = uh.ptrs;
	hd.n_older_heads = oh.n;
	hd.older_heads = oh.ptrs;
	m.msg_case = ANTT__SYNC_MSG__MSG_HEADS;
	m.heads = &hd;
	s_send(h, s->rid, s->rid_len, &m);
	for (size_t i = 0; i < own; i++)
		free(creds[i].data);
	if (mine)
		antt__records__free_unpacked(mine, NULL);
	free(blob);
	s_send_known_receipts(h, s, &hs);
	s_heads_free(&hs);
	s_heads_free(&uh);
	s_heads_free(&oh);
}

/* The one way a session changes state (the top of this file).  To OPEN
 * (hi: the Hello accepted): from (none) the session is made, unless
 * HUB_MAX_SESSIONS are open (then the Hello is not answered and NULL is
 * returned); its entry actions run.  To (none): s is freed, and the line
 * why (when given) logged at level.  Returns the session, NULL in (none). */
static s_session_t *s_session_to(antt_hub_t *h, s_session_t *s, s_state_t to, const s_hello_t *hi,
                                 int level, const char *why)
{
	s_state_t from = s ? S_OPEN : S_NONE;
	if (to == S_NONE && !s)
		return NULL;
	antt_ratelog_t *pl = s_plog(h, s ? s->key : hi->key);
	if (to == S_NONE) {
		for (s_session_t **pp = &h->sessions; *pp; pp = &(*pp)->next)
			if (*pp == s) {
				*pp = s->next;
				break;
			}
		h->n_sessions--;
		if (why)
			antt_ratelog(pl, s_ms(h), level, "sync: child %s: %s (session %s -> %s)",
			             s->unit, why, s_state_name[from], s_state_name[to]);
		free(s);
		return NULL;
	}
	if (!s) {
		if (h->n_sessions >= HUB_MAX_SESSIONS) {
			antt_ratelog(pl, s_ms(h), ANTT_LOG_WARN,
			             "sync: child %s: not answered: %d sessions are open already",
			             hi->unit, HUB_MAX_SESSIONS);
			return NULL;
		}
		s = antt_xcalloc(1, sizeof *s);
		memcpy(s->rid, hi->rid, hi->rid_len);
		s->rid_len = hi->rid_len;
		memcpy(s->key, hi->key, ANTT_KEY_BYTES);
		s->next = h->sessions;
		h->sessions = s;
		h->n_sessions++;
	}
	s->last_seen = s_ms(h);
	snprintf(s->unit, sizeof s->unit, "%s", hi->unit);
	s_open_enter(h, s, hi->hello);
	antt_ratelog(pl, s_ms(h), ANTT_LOG_INFO,
	             "sync: child %s connected (%zu authors) (session %s -> %s)", s->unit,
	             hi->hello->n_heads, s_state_name[from], s_state_name[to]);
	return s;
}

static void s_on_hello(antt_hub_t *h, s_session_t *s, const uint8_t *rid, size_t rid_len,
                       const uint8_t key[ANTT_KEY_BYTES], const Antt__Hello *hello)
{
	char err[ANTT_ERR_MAX] = "", why[160] = "";
	char unit[ANTT_UNIT_MAX + 1] = "";
	uint8_t enrolled_by[ANTT_KEY_BYTES];
	uint32_t code = 0;
	antt_ratelog_t *pl = s_plog(h, key);
	int rc;
	if (hello->version != ANTT_SYNC_VERSION) {
		code = ANTT_SYNC_E_VERSION;
		snprintf(why, sizeof why, "unsupported protocol version");
	} else if (hello->n_heads > ANTT_SYNC_MAX_HEADS) {
		code = ANTT_SYNC_E_MALFORMED;
		snprintf(why, sizeof why, "too many heads in Hello");
	} else if ((rc = antt_store_enrolled(antt_node_store(h->node), key, unit, enrolled_by,
	                                     err)) != ANTT_OK) {
		/* ZAP admitted it: it is enrolled, unless the store fails */
		code = ANTT_SYNC_E_MALFORMED;
		snprintf(why, sizeof why, "the hub cannot read this key's enrollment; try later");
		antt_ratelog(pl, s_ms(h), ANTT_LOG_ERR, "%s: Hello: %s", pl->who,
		             rc == ANTT_E_NOTFOUND ? "its key's enrollment is gone" : err);
	} else if (!hello->unit || strcmp(hello->unit, unit)) {
		/* a key speaks for the unit it was enrolled for, and no other */
		code = ANTT_SYNC_E_MALFORMED;
		snprintf(why, sizeof why,
		         "Hello names unit %.20s, but this key is enrolled for unit %.20s",
		         antt_valid_unit(hello->unit) ? hello->unit : "(not a unit code)", unit);
		antt_ratelog(pl, s_ms(h), ANTT_LOG_WARN, "sync: child %s: refused: %s", unit, why);
	}
	if (code) {
		s_send_error(h, rid, rid_len, code, why);
		s_session_to(h, s, S_NONE, NULL, ANTT_LOG_INFO, "its Hello was refused");
		return;
	}
	s_hello_t hi = {rid, rid_len, key, unit, hello};
	s_session_to(h, s, S_OPEN, &hi, 0, NULL);
}

/* ---- Batch: the checks of proto/README.md, then one durable commit ---- */

typedef struct {
	Antt__Refusal *items;
	Antt__Refusal **ptrs;
	uint8_t (*keys)[ANTT_KEY_BYTES];
	uint8_t (*ids)[ANTT_ID_BYTES];
	char (*reasons)[160];
	size_t n;
} s_refusals_t;

/* One record of a batch, decoded. */
typedef struct {
	size_t index; /* its place in the batch (records, or the Records unzipped) */
	int has_id;   /* the envelope decoded: id is the hash of its body */
	int ok;       /* the body decoded too: b holds it */
	uint8_t *body;
	size_t blen;
	uint8_t sig[ANTT_SIG_BYTES];
	uint8_t id[ANTT_ID_BYTES];
	int64_t first; /* when the first hub stored it: now when this hub is the
	                * first (from its author), else 0 until a stamp says */
	int stored;    /* appended by this intake */
	char *held;    /* T5 lets it not count: why (kept, never counted) */
	antt_body_t b;
} s_rec_t;

/* Refuse rec: named by its place in the batch always, by its id when its
 * envelope decoded, by author and seq when its body did, so that the child
 * knows which of its records it was. */
static void s_refuse(s_refusals_t *r, const s_rec_t *rec, uint32_t code, const char *reason)
{
	size_t i = r->n++;
	Antt__Refusal *x = &r->items[i];
	antt__refusal__init(x);
	x->index = (uint32_t)rec->index;
	if (rec->ok) {
		memcpy(r->keys[i], rec->b.author, ANTT_KEY_BYTES);
		x->author.data = r->keys[i];
		x->author.len = ANTT_KEY_BYTES;
		x->seq = rec->b.seq;
	}
	if (rec->has_id) {
		memcpy(r->ids[i], rec->id, ANTT_ID_BYTES);
		x->id.data = r->ids[i];
		x->id.len = ANTT_ID_BYTES;
	}
	x->code = code;
	snprintf(r->reasons[i], sizeof r->reasons[i], "%s", reason);
	x->reason = r->reasons[i];
	r->ptrs[i] = x;
}

/* A record at or below the head that is not the one held at its seq (the
 * store's ANTT_STORE_FORK): if authentic, a fork, kept as evidence (the
 * first ANTT_STORE_FORKS_KEPT of each author), counted, logged through pl. */
static int s_take_fork(antt_hub_t *h, const char *peer, antt_ratelog_t *pl, s_rec_t *r,
                       s_refusals_t *ref, int64_t now, char *err)
{
	antt_store_t *st = antt_node_store(h->node);
	char hex[2 * ANTT_KEY_BYTES + 1];
	int rc;
	if (antt_record_verify(r->sig, r->body, r->blen, r->b.author) != 0) {
		s_refuse(ref, r, ANTT_REFUSE_SIG, "bad signature");
		return ANTT_OK;
	}
	/* the author signed two records with one seq: evidence, up to a bound
	 * per author (a peer could send them by the thousand); counted always */
	int kept;
	if ((rc = antt_store_add_fork(st, r->id, r->body, r->blen, r->sig, &r->b, now, peer, &kept,
	                              err)))
		return rc;
	antt_ratelog(pl, s_ms(h), ANTT_LOG_WARN,
	             "sync: FORK from %s: author %s signed two records with seq %" PRIu64
	             "; %s, never forwarded",
	             peer, antt_hex(hex, r->b.author, ANTT_KEY_BYTES), r->b.seq,
	             kept ? "kept as evidence"
	                  : "counted only (this author's first forks are kept as evidence)");
	s_refuse(ref, r, ANTT_REFUSE_FORK, "fork: another record with this seq is held");
	return ANTT_OK;
}

/* May the key of signer sign b?  Only reports of the unit it signs for in
 * b's period (T5); enrollments and revocations only as its grant permits (explicit
 * authority, proto/README.md "Authority"), revocations only of keys
 * enrolled under it.  0, or 1 with the reason in msg; 2 with it when b is
 * a report of the key's own unit that only the unit lists (T5) do not let
 * count (an old station's key filing a month of the new list), or a
 * relay's report (signed before it knew it was one): kept and never
 * counted (not_permitted), as the re-check keeps those taken before the
 * lists came, so that its author's chain stays whole and what it signs
 * next (a correction of its own months, a relay's enrollments) still
 * arrives. */
static int s_unit_refused(antt_hub_t *h, const antt_body_t *b, antt_store_signer_t *signer,
                          char *msg, size_t size)
{
	antt_store_t *st = antt_node_store(h->node);
	/* of the unit its key signs for in the record's period (T5 of
	 * store_trust.c); a store that fails refuses too, with why */
	int rc = antt_store_signs_for(st, signer, b, msg, size);
	if (rc == ANTT_E_INVAL && !b->has_enroll && !b->has_revoke &&
	    (signer->relay || (signer->dated && !strcmp(b->unit, signer->unit))))
		return 2;
	if (rc != ANTT_OK)
		return 1;
	if (!b->has_enroll && !b->has_revoke)
		return 0;
	int refused = antt_node_permits(h->node, b, msg, size) != ANTT_OK;
	if (!refused && b->has_revoke && !antt_store_enrolled_under(st, b->revoke_key, b->author)) {
		snprintf(msg, size, "revokes a key that neither it nor a hub below it enrolled");
		refused = 1;
	}
	return refused;
}

/* Is b's period of the kind its form takes?  Only a hub that has the form
 * can tell: one that lacks it keeps the record (proto/README.md).  0, or 1
 * with the reason in msg. */
static int s_period_refused(antt_hub_t *h, const antt_body_t *b, char *msg, size_t size)
{
	char why[ANTT_ERR_MAX];
	const antt_form_t *f = antt_forms_find(antt_node_forms(h->node), b->form);
	if (!f || antt_period_check(f->period, b->period, why) == ANTT_OK)
		return 0;
	snprintf(msg, size, "bad period for form %.40s: %.90s", f->id, why);
	return 1;
}

/* May b correct the record it names (proto/README.md, "Corrections")?
 * That record must be held here, or come in the same batch under another
 * key of the unit (a batch runs author by author, not in time order), and
 * be a report of b's unit, form and period: a record of the author's own
 * chain or of another key of its unit (a replaced machine's).  *refused:
 * 0, or 1 with the reason in msg.  Returns 0, or the store's error. */
static int s_corrects_refused(antt_hub_t *h, const antt_body_t *b, const s_rec_t *batch,
                              size_t n_batch, char *msg, size_t size, int *refused, char *err)
{
	char hex[2 * ANTT_ID_BYTES + 1], why[ANTT_ERR_MAX];
	antt_stored_t held = {0};
	const antt_body_t *named = NULL;
	*refused = 0;
	if (!b->has_corrects)
		return ANTT_OK;
	antt_hex(hex, b->corrects, ANTT_ID_BYTES);
	int rc = antt_store_get(antt_node_store(h->node), hex, &held, why);
	if (rc == ANTT_OK) {
		named = &held.b;
	} else if (rc == ANTT_E_STORE) {
		snprintf(err, ANTT_ERR_MAX, "%s", why);
		return rc;
	} else if (rc == ANTT_E_NOTFOUND) {
		/* in the batch: another key's record of the unit, or an earlier one
		 * of the author's own run (the run's rules are checked before any
		 * of it is stored; if that earlier one is refused, this one no
		 * longer links and is not stored either) */
		for (size_t i = 0; i < n_batch && !named; i++)
			if (batch[i].ok && !memcmp(batch[i].id, b->corrects, ANTT_ID_BYTES) &&
			    (memcmp(batch[i].b.author, b->author, ANTT_KEY_BYTES) ||
			     batch[i].b.seq < b->seq))
				named = &batch[i].b;
	}
	*refused = 1;
	if (rc != ANTT_OK && rc != ANTT_E_NOTFOUND)
		snprintf(msg, size,
		         "bad correction: the record it corrects, %.16s..., is held here but does "
		         "not decode (antt verify at this hub names it)",
		         hex);
	else if (!named)
		snprintf(msg, size,
		         "bad correction: it corrects %.16s..., a record this hub does not hold; "
		         "correct a record of your own unit",
		         hex);
	else if (!strncmp(named->form, ANTT_FORM_RESERVED, strlen(ANTT_FORM_RESERVED)))
		snprintf(msg, size, "bad correction: it corrects a system record (%.20s)",
		         named->form);
	else if (strcmp(named->unit, b->unit))
		snprintf(msg, size,
		         "bad correction: it corrects a record of unit %.20s, not of its own "
		         "unit %.20s",
		         named->unit, b->unit);
	else if (strcmp(named->form, b->form) || strcmp(named->period, b->period))
		snprintf(msg, size,
		         "bad correction: it corrects a report of %.40s %.16s, another form or "
		         "period than its own",
		         named->form, named->period);
	else
		*refused = 0;
	antt_stored_clear(&held);
	return ANTT_OK;
}

/* The rules a record must keep besides its chain (proto/README.md, "The
 * parent's checks"): not past a quarantine or a revocation (after: the
 * seq after which; NULL: none), of its author's unit and grant, a period
 * of its form's kind, a correction of what it may correct.  *code 0 when
 * it keeps them, else the refusal's code with why in msg; non-zero return:
 * the store failed. */
static int s_rules_refused(antt_hub_t *h, s_rec_t *r, antt_store_signer_t *signer,
                           const uint64_t *revoked_after, const uint64_t *quarantined_after,
                           const s_rec_t *batch, size_t n_batch, char *msg, size_t size,
                           uint32_t *code, char *err)
{
	int bad_correction = 0, rc, unit = 0;
	*code = 0;
	if (quarantined_after && r->b.seq > *quarantined_after) {
		*code = ANTT_REFUSE_QUARANTINED;
		snprintf(msg, size,
		         "quarantined: this author's chain carries a record whose signature "
		         "does not verify; nothing after it is taken");
	} else if (revoked_after && r->b.seq > *revoked_after) {
		*code = ANTT_REFUSE_REVOKED;
		snprintf(msg, size,
		         "revoked: this key's records after seq %" PRIu64 " are no longer accepted",
		         *revoked_after);
	} else if ((unit = s_unit_refused(h, &r->b, signer, msg, size)) == 1) {
		*code = ANTT_REFUSE_UNIT;
	}
	if (unit == 2 && !r->held) /* kept, not counted, if the rest holds */
		r->held = antt_xstrdup(msg);
	if (*code) {
		/* refused above */
	} else if (s_period_refused(h, &r->b, msg, size)) {
		*code = ANTT_REFUSE_BAD;
	} else if ((rc = s_corrects_refused(h, &r->b, batch, n_batch, msg, size, &bad_correction,
	                                    err))) {
		return rc;
	} else if (bad_correction) {
		*code = ANTT_REFUSE_CORRECTS;
	}
	return ANTT_OK;
}

/* Take run[0..n): records of one author in a row, out of batch[0..n_batch).
 * Those that extend the held head link by link are authentic if the last
 * one's signature verifies (each prev is the hash of the body before, so
 * one signature vouches for the whole run); their own signatures are left
 * to the background audit.  The run is first cut where a rule refuses a
 * record, so that the signature that vouches is that of the last record
 * stored.  When it fails, check each to name the culprit. */
static int s_take_run(antt_hub_t *h, const uint8_t sender[ANTT_KEY_BYTES], const char *peer,
                      antt_ratelog_t *pl, s_rec_t *run, size_t n, const s_rec_t *batch,
                      size_t n_batch, s_refusals_t *ref, int64_t now, size_t *stored,
                      int *unaudited, char *err)
{
	antt_store_t *st = antt_node_store(h->node);
	const uint8_t *author = run[0].b.author;
	antt_store_link_t link;
	char msg[256]; /* what s_refuse keeps of it: 159 bytes */
	int rc;
	antt_store_signer_t signer;
	char serr[ANTT_ERR_MAX];
	/* the sender's own key, or one enrolled (transitively) under it */
	if ((memcmp(author, sender, ANTT_KEY_BYTES) &&
	     !antt_store_enrolled_under(st, author, sender)) ||
	    antt_store_signer_of(st, author, &signer, serr) != ANTT_OK) {
		for (size_t i = 0; i < n; i++)
			s_refuse(ref, &run[i], ANTT_REFUSE_AUTHOR,
			         "unknown author: not this child's key nor enrolled under it");
		return ANTT_OK;
	}
	/* revocations come from earlier runs, not from this author's own */
	uint64_t after = 0, q_after = 0;
	int revoked = antt_store_revoked(st, author, &after, NULL) == ANTT_OK;
	int quarantined = antt_store_untrusted(st, author, &q_after, NULL, 0, NULL) == ANTT_OK;
	size_t i = 0;
	while (i < n) {
		s_rec_t *r = &run[i];
		if ((rc = antt_store_link_of(st, r->id, &r->b, &link, err)))
			return rc;
		if (link == ANTT_STORE_HELD) { /* deduplicated */
			i++;
			continue;
		}
		if (link == ANTT_STORE_FORK) {
			if ((rc = s_take_fork(h, peer, pl, r, ref, now, err)))
				return rc;
			i++;
			continue;
		}
		if (link == ANTT_STORE_GAP) {
			snprintf(msg, sizeof msg,
			         "gap: seq %" PRIu64 " does not follow the chain held", r->b.seq);
			s_refuse(ref, r, ANTT_REFUSE_GAP, msg);
			i++;
			continue;
		}
		/* the longest part from here that links record to record */
		size_t to = i + 1;
		while (to < n && antt_chain_follows(run[to].b.seq, run[to].b.prev,
		                                    run[to - 1].b.seq, run[to - 1].id))
			to++;
		/* the prefix the rules let in (an author's misconduct never rides
		 * on a record that is then refused: what is stored is vouched for
		 * by the signature of the last record stored) */
		size_t p = i;
		uint32_t code = 0;
		for (; p < to; p++) {
			if ((rc = s_rules_refused(h, &run[p], &signer, revoked ? &after : NULL,
			                          quarantined ? &q_after : NULL, batch, n_batch,
			                          msg, sizeof msg, &code, err)))
				return rc;
			if (code)
				break;
		}
		int whole = p > i && antt_record_verify(run[p - 1].sig, run[p - 1].body,
		                                        run[p - 1].blen, author) == 0;
		int broken = 0;
		/* records of another author taken on a later signature: the audit
		 * names who delivered them if one fails */
		if (whole && p - i > 1 && memcmp(author, sender, ANTT_KEY_BYTES) &&
		    (rc = antt_store_via_add(st, author, run[i].b.seq, run[p - 2].b.seq, sender,
		                             err)))
			return rc;
		for (; i < p; i++) {
			int own = whole ? i == p - 1
			                : antt_record_verify(run[i].sig, run[i].body, run[i].blen,
			                                     author) == 0;
			if (!own && !whole) {
				s_refuse(ref, &run[i], ANTT_REFUSE_SIG, "bad signature");
				i++;
				broken = 1;
				break; /* the rest is taken against the head as it now is */
			}
			if ((rc = antt_store_append_ex(st, run[i].id, run[i].body, run[i].blen,
			                               run[i].sig, &run[i].b, now, run[i].first,
			                               own, err)) ||
			    (run[i].held && (rc = antt_store_index_not_permitted(
			                         st, run[i].id, &run[i].b, run[i].held, err))))
				return rc;
			if (run[i].held)
				antt_ratelog(pl, s_ms(h), ANTT_LOG_WARN,
				             "sync: %s: kept %.16s %.16s of %.16s, not counted: %s",
				             peer, run[i].b.form, run[i].b.period, run[i].b.unit,
				             run[i].held);
			run[i].stored = 1;
			(*stored)++;
			*unaudited |= !own;
		}
		if (!broken && code) {
			/* the record a rule refuses: authentic (its own signature
			 * holds), else a bad signature; what follows cannot link */
			int authentic =
			    antt_record_verify(run[p].sig, run[p].body, run[p].blen, author) == 0;
			s_refuse(ref, &run[p], authentic ? code : ANTT_REFUSE_SIG,
			         authentic ? msg : "bad signature");
			i = p + 1;
		}
	}
	return ANTT_OK;
}

/* What one intake did: the records decoded, refused, stored. */
typedef struct {
	s_rec_t *recs;
	size_t n, stored;
	int unaudited;
	size_t stamps_ignored; /* received stamps that did not hold */
	char stamp_why[160];   /* the first one's reason */
	s_refusals_t ref;
} s_intake_t;

static void s_intake_free(s_intake_t *in)
{
	for (size_t i = 0; i < in->n; i++) {
		free(in->recs[i].body);
		free(in->recs[i].held);
		antt_body_clear(&in->recs[i].b);
	}
	free(in->recs);
	free(in->ref.items);
	free(in->ref.ptrs);
	free(in->ref.keys);
	free(in->ref.ids);
	free(in->ref.reasons);
}

/* The first receipts of an intake: origin's own records were stored
 * first here (it is their author: no hub is below), so this node signs
 * their stamp; the stamps a child hub sent are taken when they hold. */
static int s_intake_stamps(antt_hub_t *h, const uint8_t origin[ANTT_KEY_BYTES], s_intake_t *in,
                           Antt__Stamp *const *stamps, size_t n_stamps, int64_t now, char *err)
{
	antt_store_t *st = antt_node_store(h->node);
	const s_rec_t *lo = NULL, *hi = NULL;
	for (size_t i = 0; i < in->n; i++) {
		const s_rec_t *r = &in->recs[i];
		if (!r->stored || memcmp(r->b.author, origin, ANTT_KEY_BYTES))
			continue;
		if (!lo || r->b.seq < lo->b.seq)
			lo = r;
		if (!hi || r->b.seq > hi->b.seq)
			hi = r;
	}
	/* the stamps sent first: a receipt signed below is never overridden by
	 * this node's (a bundle's `from`, which decides "first here", is not
	 * signed) */
	int rc = n_stamps ? antt_stamp_take(st, antt_node_key(h->node)->pk, stamps, n_stamps, now,
	                                    &in->stamps_ignored, in->stamp_why,
	                                    sizeof in->stamp_why, err)
	                  : ANTT_OK;
	if (!rc && lo)
		rc = antt_stamp_issue(st, antt_node_key(h->node), origin, lo->b.seq, hi->b.seq,
		                      hi->id, now, err);
	return rc;
}

/* Take envelopes from sender (a child's key: its own records and those of
 * keys enrolled under it) with the checks of proto/README.md, in one
 * durable transaction, with their first receipts: origin's own records
 * were stored first here, the others' receipts are the stamps sent.  Forks
 * are logged through pl.  A non-zero return: nothing was stored (the store
 * failed), err says why. */
static int s_intake(antt_hub_t *h, const uint8_t sender[ANTT_KEY_BYTES],
                    const uint8_t origin[ANTT_KEY_BYTES], const char *peer, antt_ratelog_t *pl,
                    const ProtobufCBinaryData *envs, size_t n, Antt__Stamp *const *stamps,
                    size_t n_stamps, s_intake_t *in, char *err)
{
	char why[ANTT_ERR_MAX], msg[160];
	antt_store_t *st = antt_node_store(h->node);
	memset(in, 0, sizeof *in);
	in->n = n;
	in->ref.items = antt_xcalloc(n + 1, sizeof *in->ref.items);
	in->ref.ptrs = antt_xcalloc(n + 1, sizeof *in->ref.ptrs);
	in->ref.keys = antt_xcalloc(n + 1, ANTT_KEY_BYTES);
	in->ref.ids = antt_xcalloc(n + 1, ANTT_ID_BYTES);
	in->ref.reasons = antt_xcalloc(n + 1, sizeof *in->ref.reasons);
	in->recs = antt_xcalloc(n + 1, sizeof *in->recs);
	s_rec_t *recs = in->recs;
	for (size_t i = 0; i < n; i++) {
		s_rec_t *r = &recs[i];
		const ProtobufCBinaryData *env = &envs[i];
		r->index = i;
		if (!antt_envelope_decode(env->data, env->len, &r->body, &r->blen, r->sig, why)) {
			r->has_id = 1;
			antt_record_id(r->id, r->body, r->blen);
		}
		if (!r->has_id || antt_body_decode(r->body, r->blen, &r->b, why)) {
			snprintf(msg, sizeof msg, "bad record: %.140s", why);
			s_refuse(&in->ref, r, ANTT_REFUSE_BAD, msg);
			continue;
		}
		r->ok = 1;
	}
	int64_t now = antt_now();
	/* The first hub's time decides whether a report was on time: an
	 * origin that is the author has no hub below it, this one is the
	 * first; the others' comes with a stamp (s_intake_stamps) */
	for (size_t i = 0; i < n; i++)
		recs[i].first =
		    recs[i].ok && !memcmp(recs[i].b.author, origin, ANTT_KEY_BYTES) ? now : 0;
	int fatal = antt_store_begin(st, err);
	for (size_t i = 0; i < n && !fatal;) {
		if (!recs[i].ok) {
			i++;
			continue;
		}
		size_t j = i + 1;
		while (j < n && recs[j].ok &&
		       !memcmp(recs[j].b.author, recs[i].b.author, ANTT_KEY_BYTES))
			j++;
		fatal = s_take_run(h, sender, peer, pl, &recs[i], j - i, recs, n, &in->ref, now,
		                   &in->stored, &in->unaudited, err);
		i = j;
	}
	if (!fatal)
		fatal = s_intake_stamps(h, origin, in, stamps, n_stamps, now, err);
	if (!fatal)
		fatal = antt_store_commit(st, err);
	if (fatal) {
		antt_store_rollback(st);
		in->stored = 0;
		in->unaudited = 0;
	}
	return fatal;
}

static void s_audit_start(antt_hub_t *h);
static void s_audit_run(antt_hub_t *h);

/* After an intake stored records: forward them, audit what was taken on a
 * later signature. */
static void s_intake_done(antt_hub_t *h, const s_intake_t *in)
{
	if (in->stored)
		antt_node_stored(h->node);
	if (in->unaudited)
		s_audit_start(h);
}

/* May the child of key forward first receipts?  A hub's (or a legacy
 * key's) may: a station's stamps could only be its own word. */
static int s_may_stamp(antt_hub_t *h, const uint8_t key[ANTT_KEY_BYTES])
{
	char err[ANTT_ERR_MAX];
	antt_body_t e;
	if (antt_store_grant(antt_node_store(h->node), key, &e, err) != ANTT_OK)
		return 0;
	int may = e.enroll_grant != ANTT_GRANT_STATION;
	antt_body_clear(&e);
	return may;
}

static void s_on_batch(antt_hub_t *h, s_session_t *s, const Antt__SyncMsg *msg)
{
	const Antt__Batch *batch = msg->batch;
	char err[ANTT_ERR_MAX];
	antt_codec_batch_t bt;
	if (antt_codec_batch_open(batch, &bt)) {
		/* bounded: a frame of 16 MiB may not unpack to more than 64 MiB */
		s_send_error(h, s->rid, s->rid_len, ANTT_SYNC_E_MALFORMED,
		             "malformed compressed batch");
		s_session_to(h, s, S_NONE, NULL, ANTT_LOG_WARN,
		             "sent a malformed compressed batch; session closed");
		return;
	}
	size_t n = bt.n_records, n_stamps = bt.n_stamps;
	const ProtobufCBinaryData *envs = bt.records;
	Antt__Stamp *const *stamps = bt.stamps;
	if (n > ANTT_SYNC_CREDIT) {
		/* ~800 bytes of arrays below per entry */
		antt_codec_batch_release(&bt);
		s_send_error(h, s->rid, s->rid_len, ANTT_SYNC_E_MALFORMED,
		             "batch larger than the credit given");
		return;
	}
	if (n_stamps > n) { /* a run of records has one stamp at most */
		antt_codec_batch_release(&bt);
		s_send_error(h, s->rid, s->rid_len, ANTT_SYNC_E_MALFORMED,
		             "more stamps than records in a batch");
		return;
	}
	if (n_stamps && !s_may_stamp(h, s->key)) /* a station has no hub below */
		n_stamps = 0;
	char peer[ANTT_UNIT_MAX + 16];
	snprintf(peer, sizeof peer, "child %s", s->unit);
	s_intake_t in;
	antt_ratelog_t *pl = s_plog(h, s->key);
	int fatal = s_intake(h, s->key, s->key, peer, pl, envs, n, stamps, n_stamps, &in, err);
	s_heads_t heads; /* after the commit: the heads as they now are */
	s_heads_init(&heads, n + 1);
	for (size_t i = 0; i < n && !fatal; i++)
		if (in.recs[i].ok)
			fatal = s_heads_add(h, &heads, in.recs[i].b.author, err);
	if (fatal) {
		/* children retry at once: one line per 10 s, not one per retry
		 * (a full disk lasts) */
		uint64_t now = s_ms(h);
		if (!h->store_failed_at || now - h->store_failed_at >= 10000) {
			antt_log(ANTT_LOG_ERR,
			         "sync: batch from child %s not stored: %s (%d more batch(es) not "
			         "stored "
			         "since the last such line)",
			         s->unit, err, h->store_failures);
			h->store_failed_at = now;
			h->store_failures = 0;
		} else {
			h->store_failures++;
		}
		s_send_error(h, s->rid, s->rid_len, ANTT_SYNC_E_STORE,
		             "the hub could not store the batch; retry");
	} else {
		Antt__Ack ack = ANTT__ACK__INIT;
		Antt__SyncMsg m = ANTT__SYNC_MSG__INIT;
		ack.batch = batch->batch;
		ack.n_heads = heads.n;
		ack.heads = heads.ptrs;
		ack.n_refused = in.ref.n;
		ack.refused = in.ref.ptrs;
		ack.credit = ANTT_SYNC_CREDIT;
		m.msg_case = ANTT__SYNC_MSG__MSG_ACK;
		m.ack = &ack;
		s_send(h, s->rid, s->rid_len, &m);
		s->stored += (int64_t)in.stored;
		s->refused += (int64_t)in.ref.n;
		if (in.stamps_ignored)
			antt_ratelog(
			    pl, s_ms(h), ANTT_LOG_WARN,
			    "sync: child %s: %zu first receipt(s) not taken, first: %s (those "
			    "records are judged on this hub's own receipt time)",
			    s->unit, in.stamps_ignored, in.stamp_why);
		if (in.ref.n)
			antt_ratelog(pl, s_ms(h), ANTT_LOG_WARN,
			             "sync: child %s: refused %zu record(s), first: %s", s->unit,
			             in.ref.n, in.ref.reasons[0]);
		antt_log(ANTT_LOG_DEBUG, "sync: child %s: batch %" PRIu64 ": %zu stored", s->unit,
		         batch->batch, in.stored);
		s_intake_done(h, &in);
	}
	s_intake_free(&in);
	antt_codec_batch_release(&bt);
	s_heads_free(&heads);
	s->last_seen = s_ms(h); /* it could not speak while its batch was handled */
}

/* ---- a bundle carried on a file (antt bundle import): the checks of a
 * Batch, as if its records came from a child enrolled under this hub ---- */

static json_t *s_import(const void *data, size_t len, void *arg)
{
	antt_hub_t *h = arg;
	char err[ANTT_ERR_MAX], peer[64], hex[2 * ANTT_KEY_BYTES + 1];
	Antt__Bundle *b = antt_bundle_parse(data, len, err);
	if (!b)
		return antt_ctl_error(ANTT_CTL_DATA, err);
	snprintf(peer, sizeof peer, "bundle from %.20s", antt_valid_unit(b->unit) ? b->unit : "?");
	size_t stored = 0, waiting = 0, refused_n = 0, failed = 0;
	json_t *refused = json_array();
	/* as batches of at most the credit a child gets: memory stays bounded
	 * however many records the file holds; each is one durable commit */
	for (size_t at = 0; at < b->n_records && !failed; at += ANTT_SYNC_CREDIT) {
		size_t n =
		    b->n_records - at < ANTT_SYNC_CREDIT ? b->n_records - at : ANTT_SYNC_CREDIT;
		s_intake_t in;
		antt_watchdog_keepalive(); /* a large bundle holds the loop */
		if (s_intake(h, antt_node_key(h->node)->pk, b->from.data, peer, &h->import_log,
		             b->records + at, n, b->stamps, b->n_stamps, &in, err)) {
			failed = 1;
		} else {
			stored += in.stored;
			for (size_t i = 0; i < in.ref.n; i++) {
				const Antt__Refusal *r = in.ref.ptrs[i];
				if (r->code == ANTT_REFUSE_AUTHOR) {
					waiting++;
					continue;
				}
				if (refused_n++ >= 100) /* counted; the first 100 listed */
					continue;
				char idhex[2 * ANTT_ID_BYTES + 1];
				json_array_append_new(
				    refused,
				    json_pack("{s:I, s:s?, s:I, s:s?, s:i, s:s}", "index",
				              (json_int_t)(at + r->index), "author",
				              r->author.len
				                  ? antt_hex(hex, r->author.data, ANTT_KEY_BYTES)
				                  : NULL,
				              "seq", (json_int_t)r->seq, "id",
				              r->id.len ? antt_hex(idhex, r->id.data, ANTT_ID_BYTES)
				                        : NULL,
				              "code", (int)r->code, "reason", r->reason));
			}
			s_intake_done(h, &in);
		}
		s_intake_free(&in);
	}
	json_t *resp;
	if (failed) {
		antt_log(ANTT_LOG_ERR, "sync: %s: %zu records stored, the rest not: %s", peer,
		         stored, err);
		json_decref(refused);
		resp = antt_ctl_error(ANTT_CTL_STORE, err);
	} else {
		resp = json_pack("{s:b, s:s, s:I, s:I, s:I, s:I, s:I, s:o}", "ok", 1, "from",
		                 peer + 12, "records", (json_int_t)b->n_records, "stored",
		                 (json_int_t)stored, "duplicates",
		                 (json_int_t)(b->n_records - stored - waiting - refused_n),
		                 "waiting", (json_int_t)waiting, "refused_count",
		                 (json_int_t)refused_n, "refused", refused);
		antt_log(refused_n || waiting ? ANTT_LOG_WARN : ANTT_LOG_INFO,
		         "sync: %s: %zu records, %zu stored, %zu waiting for their author's "
		         "enrollment, %zu refused",
		         peer, b->n_records, stored, waiting, refused_n);
	}
	antt__bundle__free_unpacked(b, NULL);
	return resp;
}

/* ---- the background audit of signatures accepted on a later one ---- */

#define AUDIT_CHUNK 2000

typedef struct {
	uv_work_t work;
	antt_hub_t *hub;
	char *path;
	int64_t rows[AUDIT_CHUNK];
	int good[AUDIT_CHUNK];
	uint64_t seqs[AUDIT_CHUNK];
	uint8_t authors[AUDIT_CHUNK][ANTT_KEY_BYTES];
	size_t n;
	int rc;
	char err[ANTT_ERR_MAX];
} s_audit_t;

static int s_audit_row(const antt_store_unaudited_t *r, void *arg)
{
	s_audit_t *a = arg;
	a->rows[a->n] = r->row;
	a->seqs[a->n] = r->seq;
	if (r->author)
		memcpy(a->authors[a->n], r->author, ANTT_KEY_BYTES);
	a->good[a->n] =
	    r->sig && r->author && antt_record_verify(r->sig, r->body, r->blen, r->author) == 0;
	return ++a->n == AUDIT_CHUNK;
}

static void s_audit_work(uv_work_t *w)
{
	s_audit_t *a = w->data;
	antt_store_t *st = NULL;
	a->rc = antt_store_open(a->path, NULL, ANTT_STORE_READONLY, &st, a->err);
	if (!a->rc)
		a->rc = antt_store_unaudited_each(st, s_audit_row, a, a->err);
	antt_store_close(&st);
}

static void s_closed(void *arg);

static void s_audit_after(uv_work_t *w, int status)
{
	s_audit_t *a = w->data;
	antt_hub_t *h = a->hub;
	antt_store_t *st = antt_node_store(h->node);
	char err[ANTT_ERR_MAX];
	int64_t good[AUDIT_CHUNK], bad[AUDIT_CHUNK];
	size_t ng = 0, nb = 0;
	for (size_t i = 0; i < a->n; i++) {
		if (a->good[i])
			good[ng++] = a->rows[i];
		else
			bad[nb++] = a->rows[i];
	}
	int more = !h->closing && status == 0 && !a->rc && a->n == AUDIT_CHUNK;
	if (a->rc)
		antt_log(ANTT_LOG_ERR, "sync: audit: %s", a->err);
	else if (a->n && !h->closing) {
		int rc = antt_store_begin(st, err);
		if (!rc)
			rc = antt_store_audited(st, good, ng, 1, err);
		if (!rc)
			rc = antt_store_audited(st, bad, nb, 0, err);
		/* the author's key signed a later record over this one's id: its
		 * misconduct (or a hub below altered the signature); the chain is
		 * quarantined from its first bad seq: held, never counted nor
		 * forwarded.  Once per author, however many bad records (each
		 * quarantine regroups the author's later reports) */
		size_t first[AUDIT_CHUNK], nq = 0, count[AUDIT_CHUNK];
		for (size_t i = 0; i < a->n; i++) {
			if (a->good[i])
				continue;
			size_t q = 0;
			while (q < nq &&
			       memcmp(a->authors[first[q]], a->authors[i], ANTT_KEY_BYTES))
				q++;
			if (q == nq) {
				first[nq] = i;
				count[nq++] = 0;
			} else if (a->seqs[i] < a->seqs[first[q]]) {
				first[q] = i;
			}
			count[q]++;
		}
		uint8_t via[AUDIT_CHUNK][ANTT_KEY_BYTES];
		int has_via[AUDIT_CHUNK];
		for (size_t q = 0; q < nq; q++)
			has_via[q] = antt_store_via_of(st, a->authors[first[q]], a->seqs[first[q]],
			                               via[q]) == ANTT_OK;
		for (size_t q = 0; q < nq && !rc; q++)
			rc = antt_store_quarantine(st, a->authors[first[q]], a->seqs[first[q]],
			                           "a record of its chain carries a signature "
			                           "that does not verify",
			                           err);
		if (!rc)
			rc = antt_store_via_prune(st, err);
		if (!rc)
			rc = antt_store_commit(st, err);
		if (rc) {
			antt_store_rollback(st);
			antt_log(ANTT_LOG_ERR, "sync: audit: %s", err);
		}
		for (size_t q = 0; q < nq && !rc; q++) {
			char hex[2 * ANTT_KEY_BYTES + 1], from[ANTT_UNIT_MAX + 64] = "";
			char unit[ANTT_UNIT_MAX + 1];
			uint8_t by[ANTT_KEY_BYTES];
			if (has_via[q])
				snprintf(from, sizeof from, " (delivered by child %s)",
				         antt_store_enrolled(st, via[q], unit, by, NULL) == ANTT_OK
				             ? unit
				             : "?");
			antt_log(ANTT_LOG_WARN,
			         "sync: audit: author %s: %zu record(s) from seq %" PRIu64
			         "%s carry a signature that does not verify although the author's "
			         "later signature covers them: the author's misconduct, or %s "
			         "altered them; that chain is quarantined from there (held, not "
			         "counted, not forwarded; antt verify lists them)",
			         antt_hex(hex, a->authors[first[q]], ANTT_KEY_BYTES), count[q],
			         a->seqs[first[q]], from,
			         has_via[q] ? "the hub that delivered them" : "a hub below");
		}
	}
	free(a->path);
	free(a);
	h->auditing = 0;
	if (more)
		s_audit_run(h);
	s_closed(h); /* the reference the job held */
}

/* Intake first: the audit runs once batches have stopped for a moment. */
#define AUDIT_QUIET_MS 1000

static void s_audit_due(uv_timer_t *t)
{
	s_audit_run(t->data);
}

static void s_audit_start(antt_hub_t *h)
{
	if (!h->closing)
		uv_timer_start(&h->audit_timer, s_audit_due, AUDIT_QUIET_MS, 0);
}

static void s_audit_run(antt_hub_t *h)
{
	if (h->auditing || h->closing)
		return;
	s_audit_t *a = antt_xcalloc(1, sizeof *a);
	a->hub = h;
	a->path = antt_xstrdup(antt_store_path(antt_node_store(h->node)));
	a->work.data = a;
	h->auditing = 1;
	h->open_handles++;
	if (uv_queue_work(h->loop, &a->work, s_audit_work, s_audit_after) != 0) {
		h->auditing = 0;
		h->open_handles--;
		free(a->path);
		free(a);
	}
}

/* ---- the ROUTER ---- */

/* ---- Fetch: a child restored from an old backup takes its own records
 * back before it signs anything new, a replaced machine its unit's earlier
 * keys' records (proto/README.md, "Recovery") ---- */

typedef struct {
	ProtobufCBinaryData *recs;
	size_t n, bytes;
} s_fetch_t;

static int s_fetch_one(const uint8_t *id, const uint8_t *body, size_t blen, const uint8_t *sig,
                       uint64_t seq, int64_t stamp, void *arg)
{
	s_fetch_t *f = arg;
	(void)id, (void)seq, (void)stamp;
	uint8_t *env;
	size_t len;
	antt_envelope_encode(body, blen, sig, &env, &len);
	f->recs[f->n].data = env;
	f->recs[f->n++].len = len;
	f->bytes += len;
	return f->bytes >= ANTT_SYNC_FETCH_BYTES;
}

static void s_on_fetch(antt_hub_t *h, s_session_t *s, const Antt__SyncMsg *msg)
{
	const Antt__Fetch *fetch = msg->fetch;
	char err[ANTT_ERR_MAX] = "";
	antt_head_t head = {0};
	antt_store_t *st = antt_node_store(h->node);
	s_fetch_t f = {antt_xcalloc(ANTT_SYNC_FETCH_MAX, sizeof *f.recs), 0, 0};
	/* the child's own chain, or one of the keys named in its Heads (its
	 * unit's earlier keys, the old units' it took): nothing else is handed
	 * down */
	const uint8_t *author = s->key;
	if (fetch->author.len) {
		uint8_t keys[ANTT_SYNC_MAX_UNIT_KEYS][ANTT_KEY_BYTES];
		size_t nk = 0, no = 0, i = 0;
		if (fetch->author.len == ANTT_KEY_BYTES &&
		    !s_child_unit_keys(h, s->key, keys, &nk, &no, err))
			while (i < nk + no && memcmp(keys[i], fetch->author.data, ANTT_KEY_BYTES))
				i++;
		if (fetch->author.len != ANTT_KEY_BYTES || i == nk + no) {
			antt_ratelog(s_plog(h, s->key), s_ms(h), ANTT_LOG_WARN,
			             "sync: child %s asked for the records of a key that is not of "
			             "its unit: refused",
			             s->unit);
			s_send_error(h, s->rid, s->rid_len, ANTT_SYNC_E_MALFORMED,
			             "Fetch: that key is not enrolled for your unit");
			free(f.recs);
			return;
		}
		author = fetch->author.data;
	}
	if (antt_store_head(st, author, &head, err) ||
	    (fetch->from_seq >= 1 && fetch->from_seq <= head.seq &&
	     antt_store_range(st, author, fetch->from_seq, ANTT_SYNC_FETCH_MAX, s_fetch_one, &f,
	                      err)))
		antt_log(ANTT_LOG_ERR, "sync: fetch for child %s: %s", s->unit, err);
	Antt__Recovered r = ANTT__RECOVERED__INIT;
	Antt__SyncMsg m = ANTT__SYNC_MSG__INIT;
	r.n_records = f.n;
	r.records = f.recs;
	r.head = head.seq;
	r.author = fetch->author;
	m.msg_case = ANTT__SYNC_MSG__MSG_RECOVERED;
	m.recovered = &r;
	s_send(h, s->rid, s->rid_len, &m);
	antt_ratelog(s_plog(h, s->key), s_ms(h), ANTT_LOG_INFO,
	             "sync: child %s takes back %zu of %s records from seq %" PRIu64, s->unit, f.n,
	             fetch->author.len ? "its unit's earlier key's" : "its own", fetch->from_seq);
	for (size_t i = 0; i < f.n; i++)
		free(f.recs[i].data);
	free(f.recs);
}

static void s_on_ping(antt_hub_t *h, s_session_t *s, const Antt__SyncMsg *msg)
{
	Antt__SyncMsg pong = ANTT__SYNC_MSG__INIT;
	pong.msg_case = ANTT__SYNC_MSG__MSG_PONG;
	pong.pong = msg->ping;
	s_send(h, s->rid, s->rid_len, &pong);
}

/* What a session takes in OPEN besides Hello (the top of this file). */
static const struct {
	Antt__SyncMsg__MsgCase msg;
	void (*fn)(antt_hub_t *h, s_session_t *s, const Antt__SyncMsg *msg);
} s_open_ops[] = {
    {ANTT__SYNC_MSG__MSG_BATCH, s_on_batch},
    {ANTT__SYNC_MSG__MSG_FETCH, s_on_fetch},
    {ANTT__SYNC_MSG__MSG_PING, s_on_ping},
};

/* One message of an OPEN session. */
static void s_open_msg(antt_hub_t *h, s_session_t *s, const Antt__SyncMsg *m)
{
	for (size_t i = 0; i < sizeof s_open_ops / sizeof s_open_ops[0]; i++)
		if (s_open_ops[i].msg == m->msg_case) {
			s_open_ops[i].fn(h, s, m);
			return;
		}
	s_send_error(h, s->rid, s->rid_len, ANTT_SYNC_E_MALFORMED, "unexpected message");
}

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
	/* extra frames: malformed; read them to the end of this message only
	 * (the next message, maybe another child's, is not ours to drop) */
	int more = ok && zmq_msg_more(&msg);
	while (more) {
		zmq_msg_t x;
		zmq_msg_init(&x);
		if (zmq_msg_recv(&x, sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&x);
			break;
		}
		more = zmq_msg_more(&x);
		ok = 0;
		zmq_msg_close(&x);
	}
	/* ZAP's User-Id rides on the message frame, also when more follow
	 * (NULL when no frame came) */
	const char *user = zmq_msg_gets(&msg, "User-Id");
	uint8_t key[ANTT_KEY_BYTES];
	int keyed = user && !antt_unhex(key, ANTT_KEY_BYTES, user);
	uint64_t now = s_ms(h);
	if (!ok || zmq_msg_size(&rid) > 256 || !keyed) {
		antt_ratelog_t *pl = keyed ? s_plog(h, key) : &h->anon_log;
		antt_ratelog(pl, now, ANTT_LOG_WARN, "%s: dropped a malformed message", pl->who);
		goto out;
	}
	s_session_t *s = s_session_find(h, zmq_msg_data(&rid), zmq_msg_size(&rid));
	if (s)
		s->last_seen = now;
	Antt__SyncMsg *m = antt_codec_sync_msg(zmq_msg_data(&msg), zmq_msg_size(&msg));
	if (!m) {
		s_send_error(h, zmq_msg_data(&rid), zmq_msg_size(&rid), ANTT_SYNC_E_MALFORMED,
		             "malformed message");
		if (s) {
			s_session_to(h, s, S_NONE, NULL, ANTT_LOG_WARN,
			             "sent a malformed message; session closed");
		} else {
			antt_ratelog_t *pl = s_plog(h, key);
			antt_ratelog(pl, now, ANTT_LOG_WARN, "%s: sent a malformed message",
			             pl->who);
		}
		goto out;
	}
	if (m->msg_case == ANTT__SYNC_MSG__MSG_HELLO)
		s_on_hello(h, s, zmq_msg_data(&rid), zmq_msg_size(&rid), key, m->hello);
	else if (!s) /* no state for a connection that has not said Hello */
		s_send_error(h, zmq_msg_data(&rid), zmq_msg_size(&rid), ANTT_SYNC_E_HELLO,
		             "send Hello first");
	else
		s_open_msg(h, s, m);
	antt__sync_msg__free_unpacked(m, NULL);
out:
	zmq_msg_close(&rid);
	zmq_msg_close(&msg);
	return 0;
}

/* Every [sync] heartbeat: drop the sessions silent for [sync] timeout
 * (see the top of this file), close the log limiters' windows. */
static void s_reap(antt_hub_t *h)
{
	/* what has arrived counts: a child whose message waits in the queue
	 * while the hub was busy is not silent */
	antt_zwatch_kick(h->router_w);
	uint64_t now = s_ms(h);
	char why[96];
	s_session_t *s = h->sessions;
	while (s) {
		s_session_t *next = s->next;
		if (now - s->last_seen >= (uint64_t)h->timeout_ms) {
			snprintf(why, sizeof why,
			         "silent for %" PRIu64 " ms; session dropped (a message now gets "
			         "Error 1)",
			         now - s->last_seen);
			s_session_to(h, s, S_NONE, NULL, ANTT_LOG_INFO, why);
		}
		s = next;
	}
	s_plog_tick(h, now);
}

static void s_on_reap(uv_timer_t *t)
{
	s_reap(t->data);
}

void antt_hub_reap(antt_hub_t *h)
{
	s_reap(h);
}

void antt_hub_set_clock(antt_hub_t *h, antt_clock_fn fn, void *arg)
{
	h->clock = fn ? fn : antt_clock_now;
	h->clock_arg = fn ? arg : NULL;
}

/* status and children views */
static void s_hub_status(json_t *resp, void *arg)
{
	antt_hub_t *h = arg;
	uint64_t now = s_ms(h);
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
	char err[ANTT_ERR_MAX];
	int64_t forks = 0, kept = 0;
	if (antt_store_fork_totals(antt_node_store(h->node), &forks, &kept, err))
		antt_log(ANTT_LOG_ERR, "sync: %s", err);
	json_object_set_new(resp, "hub",
	                    json_pack("{s:i, s:I, s:I}", "connected", (int)h->n_sessions, "forks",
	                              (json_int_t)forks, "forks_kept", (json_int_t)kept));
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
		while (h->plogs) {
			s_plog_t *next = h->plogs->next;
			free(h->plogs);
			h->plogs = next;
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
	int64_t maxmsg = ANTT_SYNC_MAX_FRAME;
	h->loop = loop;
	h->node = node;
	h->timeout_ms = cfg->timeout_ms;
	antt_hub_set_clock(h, NULL, NULL);
	antt_ratelog_init(&h->zap_log, "sync: ZAP");
	antt_ratelog_init(&h->anon_log, "sync: a peer of no known key");
	antt_ratelog_init(&h->import_log, "sync: bundles");
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
	h->open_handles = 4;
	uv_timer_init(loop, &h->reaper);
	h->reaper.data = h;
	uv_timer_init(loop, &h->audit_timer);
	h->audit_timer.data = h;
	uv_timer_start(&h->reaper, s_on_reap, (uint64_t)cfg->heartbeat_ms,
	               (uint64_t)cfg->heartbeat_ms);
	antt_node_on_reply(node, "status", s_hub_status, h);
	antt_node_on_reply(node, "children", s_hub_status, h);
	antt_node_on_import(node, s_import, h);
	antt_log(ANTT_LOG_INFO, "sync: listening for children on %s (CURVE, enrolled keys only)",
	         cfg->listen);
	*out = h;
	return ANTT_OK;
}

void antt_hub_receipt(antt_hub_t *h, uint32_t level, Antt__Head **heads, size_t n)
{
	for (s_session_t *s = h->sessions; s; s = s->next)
		s_send_receipt(h, s, level, heads, n);
	antt_zwatch_kick(h->router_w);
}

void antt_hub_close(antt_hub_t **self_p)
{
	antt_hub_t *h = *self_p;
	if (!h)
		return;
	*self_p = NULL;
	h->closing = 1;
	s_plog_tick(h, UINT64_MAX); /* what was suppressed, said before going */
	antt_node_off_reply(h->node, h);
	antt_node_on_import(h->node, NULL, NULL);
	uv_close((uv_handle_t *)&h->reaper, s_timer_closed);
	uv_close((uv_handle_t *)&h->audit_timer, s_timer_closed);
	antt_zwatch_stop(&h->router_w, s_closed, h);
	antt_zwatch_stop(&h->zap_w, s_closed, h);
}
