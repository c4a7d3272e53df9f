/* fakechild.c - a sync child made by hand (fakechild.h): records signed
 * and sealed, messages packed and read, the CURVE transport. */
#define _GNU_SOURCE
#include "fakechild.h"

#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>
#include <zstd.h>

#include "common.h"

static const char *s_prog = "fakechild";
static void (*s_on_die)(const char *msg);

void fc_setup(const char *prog, void (*on_die)(const char *msg))
{
	s_prog = prog;
	s_on_die = on_die;
}

void fc_die(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (s_on_die)
		s_on_die(msg);
	fprintf(stderr, "%s: %s\n", s_prog, msg);
	exit(2);
}

int64_t fc_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *fc_hex(const uint8_t *b, size_t n)
{
	static char bufs[4][2 * 64 + 1];
	static int k;
	char *out = bufs[k++ % 4];
	if (n > 64)
		n = 64;
	return antt_hex(out, b, n);
}

void fc_keygen(const char *path)
{
	char err[ANTT_ERR_MAX];
	antt_key_t *k = NULL;
	antt_key_generate(&k);
	if (antt_key_save(k, path, err))
		fc_die("%s", err);
	printf("%s\n", fc_hex(k->pk, ANTT_KEY_BYTES));
	antt_key_destroy(&k);
}

/* ---- records ---- */

int fc_rec_encode(fc_rec_t *r, const antt_body_t *b, char err[ANTT_ERR_MAX])
{
	memset(r, 0, sizeof *r);
	if (antt_body_encode(b, &r->body, &r->blen, err))
		return -1;
	r->seq = b->seq;
	r->clock = b->clock;
	memcpy(r->author, b->author, ANTT_KEY_BYTES);
	return 0;
}

void fc_rec_sign(fc_rec_t *r, const antt_key_t *signer)
{
	antt_record_sign(r->sig, r->body, r->blen, signer->sk);
	fc_rec_seal(r);
}

int fc_rec_make(fc_rec_t *r, const antt_body_t *b, const antt_key_t *signer, char err[ANTT_ERR_MAX])
{
	if (fc_rec_encode(r, b, err))
		return -1;
	fc_rec_sign(r, signer);
	return 0;
}

void fc_rec_seal(fc_rec_t *r)
{
	free(r->env);
	antt_record_id(r->id, r->body, r->blen);
	antt_envelope_encode(r->body, r->blen, r->sig, &r->env, &r->env_len);
}

void fc_rec_free(fc_rec_t *r)
{
	free(r->env);
	free(r->body);
	memset(r, 0, sizeof *r);
}

ProtobufCBinaryData *fc_envelopes(fc_rec_t *const *recs, size_t n)
{
	ProtobufCBinaryData *raw = antt_xcalloc(n ? n : 1, sizeof *raw);
	for (size_t i = 0; i < n; i++) {
		raw[i].data = recs[i]->env;
		raw[i].len = recs[i]->env_len;
	}
	return raw;
}

/* ---- messages ---- */

uint8_t *fc_pack(const Antt__SyncMsg *m, size_t *len)
{
	*len = antt__sync_msg__get_packed_size(m);
	uint8_t *buf = antt_xmalloc(*len ? *len : 1);
	antt__sync_msg__pack(m, buf);
	return buf;
}

void fc_send_frame(void *sock, const uint8_t *frame, size_t len)
{
	if (zmq_send(sock, frame, len, 0) < 0)
		fc_die("zmq_send: %s", zmq_strerror(errno));
}

void fc_send(void *sock, const Antt__SyncMsg *m)
{
	size_t len;
	uint8_t *buf = fc_pack(m, &len);
	fc_send_frame(sock, buf, len);
	free(buf);
}

void fc_send_hello(void *sock, uint32_t version, const char *unit,
                   const uint8_t author[ANTT_KEY_BYTES], uint64_t seq, const uint8_t *id)
{
	Antt__Head h = ANTT__HEAD__INIT;
	Antt__Head *hp = &h;
	Antt__Hello hello = ANTT__HELLO__INIT;
	Antt__SyncMsg m = ANTT__SYNC_MSG__INIT;
	h.author.data = (uint8_t *)author;
	h.author.len = ANTT_KEY_BYTES;
	h.seq = seq;
	if (id) {
		h.id.data = (uint8_t *)id;
		h.id.len = ANTT_ID_BYTES;
	}
	hello.version = version;
	hello.unit = (char *)unit;
	hello.n_heads = 1;
	hello.heads = &hp;
	m.msg_case = ANTT__SYNC_MSG__MSG_HELLO;
	m.hello = &hello;
	fc_send(sock, &m);
}

void fc_send_ping(void *sock, uint64_t nonce)
{
	Antt__Ping p = ANTT__PING__INIT;
	Antt__SyncMsg m = ANTT__SYNC_MSG__INIT;
	p.nonce = nonce;
	m.msg_case = ANTT__SYNC_MSG__MSG_PING;
	m.ping = &p;
	fc_send(sock, &m);
}

uint8_t *fc_batch_pack(uint64_t no, ProtobufCBinaryData *envs, size_t n, size_t *len)
{
	Antt__Batch b = ANTT__BATCH__INIT;
	Antt__SyncMsg m = ANTT__SYNC_MSG__INIT;
	b.batch = no;
	b.n_records = n;
	b.records = envs;
	m.msg_case = ANTT__SYNC_MSG__MSG_BATCH;
	m.batch = &b;
	return fc_pack(&m, len);
}

uint8_t *fc_records_pack(ProtobufCBinaryData *envs, size_t n, size_t *len)
{
	Antt__Records r = ANTT__RECORDS__INIT;
	r.n_records = n;
	r.records = envs;
	*len = antt__records__get_packed_size(&r);
	uint8_t *buf = antt_xmalloc(*len ? *len : 1);
	antt__records__pack(&r, buf);
	return buf;
}

uint8_t *fc_zbatch_pack(uint64_t no, const uint8_t *records, size_t records_len, int level,
                        size_t *len)
{
	size_t cap = ZSTD_compressBound(records_len);
	uint8_t *z = antt_xmalloc(cap);
	size_t zlen = ZSTD_compress(z, cap, records, records_len, level);
	if (ZSTD_isError(zlen))
		fc_die("ZSTD_compress: %s", ZSTD_getErrorName(zlen));
	Antt__Batch b = ANTT__BATCH__INIT;
	Antt__SyncMsg m = ANTT__SYNC_MSG__INIT;
	b.batch = no;
	b.zrecords.data = z;
	b.zrecords.len = zlen;
	m.msg_case = ANTT__SYNC_MSG__MSG_BATCH;
	m.batch = &b;
	uint8_t *frame = fc_pack(&m, len);
	free(z);
	return frame;
}

void fc_send_batch(void *sock, uint64_t no, fc_rec_t *const *recs, size_t n)
{
	size_t len;
	ProtobufCBinaryData *envs = fc_envelopes(recs, n);
	uint8_t *frame = fc_batch_pack(no, envs, n, &len);
	fc_send_frame(sock, frame, len);
	free(frame);
	free(envs);
}

Antt__SyncMsg *fc_recv_now(void *sock)
{
	zmq_msg_t msg;
	zmq_msg_init(&msg);
	if (zmq_msg_recv(&msg, sock, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&msg);
		return NULL;
	}
	Antt__SyncMsg *m = antt__sync_msg__unpack(NULL, zmq_msg_size(&msg), zmq_msg_data(&msg));
	zmq_msg_close(&msg);
	if (!m)
		fc_die("the hub sent a message that does not decode");
	return m;
}

Antt__SyncMsg *fc_recv_answer(void *sock, int timeout_ms, int want_pong)
{
	int64_t deadline = fc_now_ms() + timeout_ms;
	for (;;) {
		int64_t left = deadline - fc_now_ms();
		if (left <= 0)
			return NULL;
		zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};
		int rc = zmq_poll(&it, 1, (long)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			fc_die("zmq_poll: %s", zmq_strerror(errno));
		Antt__SyncMsg *m = rc ? fc_recv_now(sock) : NULL;
		if (!m)
			continue;
		switch (m->msg_case) {
		case ANTT__SYNC_MSG__MSG_HEADS:
		case ANTT__SYNC_MSG__MSG_ACK:
		case ANTT__SYNC_MSG__MSG_ERROR: return m;
		case ANTT__SYNC_MSG__MSG_PONG:
			if (want_pong)
				return m;
			break;
		default: break; /* Receipt: not what is waited for */
		}
		antt__sync_msg__free_unpacked(m, NULL);
	}
}

int fc_head_find(Antt__Head *const *heads, size_t n, const uint8_t author[ANTT_KEY_BYTES],
                 uint64_t *seq, uint8_t *id)
{
	int found = 0;
	for (size_t i = 0; i < n; i++)
		if (heads[i]->author.len == ANTT_KEY_BYTES &&
		    !memcmp(heads[i]->author.data, author, ANTT_KEY_BYTES)) {
			found = 1;
			*seq = heads[i]->seq;
			if (id) {
				memset(id, 0, ANTT_ID_BYTES);
				if (heads[i]->id.len == ANTT_ID_BYTES)
					memcpy(id, heads[i]->id.data, ANTT_ID_BYTES);
			}
		}
	return found;
}

/* ---- the transport ---- */

void *fc_connect(void *ctx, const char *endpoint, const uint8_t hub_ed[ANTT_KEY_BYTES],
                 const antt_key_t *key)
{
	uint8_t spk[32], cpk[32], csk[32];
	int zero = 0;
	int64_t maxmsg = ANTT_SYNC_MAX_FRAME;
	if (crypto_sign_ed25519_pk_to_curve25519(spk, hub_ed) != 0 ||
	    crypto_sign_ed25519_pk_to_curve25519(cpk, key->pk) != 0 ||
	    crypto_sign_ed25519_sk_to_curve25519(csk, key->sk) != 0)
		fc_die("a key has no Curve25519 form");
	void *s = zmq_socket(ctx, ZMQ_DEALER);
	if (!s)
		fc_die("zmq_socket: %s", zmq_strerror(errno));
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, spk, 32);
	zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, cpk, 32);
	zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, csk, 32);
	zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
	sodium_memzero(csk, sizeof csk);
	if (zmq_connect(s, endpoint) != 0)
		fc_die("zmq_connect %s: %s", endpoint, zmq_strerror(errno));
	return s;
}
