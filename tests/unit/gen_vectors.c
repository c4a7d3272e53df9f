/* gen_vectors.c - writes the test vectors of proto/vectors/ with this
 * implementation's code: record-v1.json (one author's chain of reports) and
 * antt-v1.json (keys and key files, enrollments and revocations, a stamp,
 * sync messages, and bodies that must be refused).  Built with the unit
 * tests but not run by ctest: the JSON is committed, and test_record checks
 * the code against the committed files, so an accidental change of an
 * encoding shows up as a test failure instead of silently new vectors.
 *
 * Every vector comes from fixed seeds, so the output is the same on every
 * run.  A committed file is never regenerated with other content: a change
 * of format gets a new file name (record-v2.json), never new bytes under an
 * old one.  To write a new file, or to check that this program still gives
 * the committed bytes:
 *     cmake --build build --target gen_vectors
 *     build/tests/unit/gen_vectors antt-v1.json | cmp - proto/vectors/antt-v1.json
 *     build/tests/unit/gen_vectors record-v1.json | cmp - proto/vectors/record-v1.json
 *     python3 proto/vectors/check_vectors.py */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "antt.pb-c.h"
#include "common.h"
#include "keyfile.h"
#include "record.h"

/* ---- the keys: seed k is the 32 bytes 32k, 32k+1, ... 32k+31 ---- */

enum { K_STATION, K_DISTRICT, K_PROVINCE, K_LEGACY, K_STATION2, K_COUNT };

static const struct {
	const char *name, *unit, *comment;
} s_keys[K_COUNT] = {
    [K_STATION] = {"station-10375", "10375",
                   "a commune's station; the author of record-v1.json (seed 00 01 ... 1f)"},
    [K_DISTRICT] = {"district-103", "103",
                    "the district's hub: enrolled by the province as a hub, enrolls the "
                    "stations, signs the stamp"},
    [K_PROVINCE] = {"province-10", "10", "the province: the root of trust"},
    [K_LEGACY] = {"legacy-105", "105", "a key enrolled without a grant, later revoked"},
    [K_STATION2] = {"station-10377", "10377", "a second station, enrolled and then revoked"},
};

static antt_key_t *s_key[K_COUNT];

static void s_seed(int k, uint8_t seed[ANTT_SEED_BYTES])
{
	for (int i = 0; i < ANTT_SEED_BYTES; i++)
		seed[i] = (uint8_t)(32 * k + i);
}

static void s_die(const char *what, const char *why)
{
	fprintf(stderr, "gen_vectors: %s: %s\n", what, why);
	exit(1);
}

static json_t *s_hexj(const uint8_t *p, size_t n)
{
	char *hex = antt_xmalloc(2 * n + 1);
	json_t *j = json_string(antt_hex(hex, p, n));
	free(hex);
	return j;
}

static json_t *s_bin(ProtobufCBinaryData d)
{
	return d.len ? s_hexj(d.data, d.len) : json_null();
}

/* A text field as JSON: null when empty (absent on the wire). */
static json_t *s_text(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

/* ---- records ---- */

/* The fields of an encoded body, as a reader of those bytes finds them.
 * with_system: also "enroll" and "revoke" (antt-v1.json; record-v1.json
 * has neither key). */
static json_t *s_fields_json(const Antt__RecordBody *m, int with_system)
{
	json_t *vals = json_array();
	for (size_t i = 0; i < m->n_values; i++)
		json_array_append_new(
		    vals, json_pack("[sI]", m->values[i]->code, (json_int_t)m->values[i]->value));
	json_t *f = json_object();
	json_object_set_new(f, "version", json_integer(m->version));
	json_object_set_new(f, "author", s_hexj(m->author.data, m->author.len));
	json_object_set_new(f, "seq", json_integer((json_int_t)m->seq));
	json_object_set_new(f, "prev", s_hexj(m->prev.data, m->prev.len));
	json_object_set_new(f, "unit", json_string(m->unit));
	json_object_set_new(f, "clock", json_integer(m->clock));
	json_object_set_new(f, "form", json_string(m->form));
	json_object_set_new(f, "period", json_string(m->period));
	json_object_set_new(f, "values", vals);
	json_object_set_new(f, "note", s_text(m->note));
	json_object_set_new(f, "corrects", s_bin(m->corrects));
	if (!with_system)
		return f;
	json_t *e = json_null(), *r = json_null();
	if (m->enroll) {
		json_t *units = json_array(), *subtrees = json_array();
		for (size_t i = 0; i < m->enroll->n_units; i++)
			json_array_append_new(units, json_string(m->enroll->units[i]));
		for (size_t i = 0; i < m->enroll->n_subtrees; i++)
			json_array_append_new(subtrees, json_string(m->enroll->subtrees[i]));
		e = json_pack("{s:s, s:o, s:i, s:o, s:o}", "unit", m->enroll->unit, "key",
		              s_hexj(m->enroll->key.data, m->enroll->key.len), "grant",
		              (int)m->enroll->grant, "units", units, "subtrees", subtrees);
	}
	if (m->revoke) {
		/* beyond a JSON reader's int64: as a decimal string */
		char big[24];
		snprintf(big, sizeof big, "%llu", (unsigned long long)m->revoke->after_seq);
		json_t *after = m->revoke->after_seq > INT64_MAX
		                    ? json_string(big)
		                    : json_integer((json_int_t)m->revoke->after_seq);
		r = json_pack("{s:o, s:o, s:o}", "key",
		              s_hexj(m->revoke->key.data, m->revoke->key.len), "after_seq", after,
		              "reason", s_text(m->revoke->reason));
	}
	json_object_set_new(f, "enroll", e);
	json_object_set_new(f, "revoke", r);
	return f;
}

static json_t *s_fields_of(const uint8_t *body, size_t len, int with_system)
{
	Antt__RecordBody *m = antt__record_body__unpack(NULL, len, body);
	if (!m)
		s_die("fields", "a body protobuf-c cannot read");
	json_t *f = s_fields_json(m, with_system);
	antt__record_body__free_unpacked(m, NULL);
	return f;
}

/* A record made: its bytes and id, kept for the vectors that name it. */
typedef struct {
	uint8_t *body, *env;
	size_t blen, elen;
	uint8_t id[ANTT_ID_BYTES];
	uint8_t sig[ANTT_SIG_BYTES];
} s_rec_t;

/* Encode, hash, sign and wrap b by key k; append the vector to arr. */
static void s_record(json_t *arr, const char *name, const char *comment, int k, antt_body_t *b,
                     int with_system, s_rec_t *out)
{
	char err[ANTT_ERR_MAX];
	uint8_t seed[ANTT_SEED_BYTES];
	s_seed(k, seed);
	memcpy(b->author, s_key[k]->pk, ANTT_KEY_BYTES);
	if (antt_body_encode(b, &out->body, &out->blen, err))
		s_die(name, err);
	antt_record_id(out->id, out->body, out->blen);
	antt_record_sign(out->sig, out->body, out->blen, s_key[k]->sk);
	antt_envelope_encode(out->body, out->blen, out->sig, &out->env, &out->elen);

	json_t *v = json_object();
	json_object_set_new(v, "name", json_string(name));
	json_object_set_new(v, "comment", json_string(comment));
	json_object_set_new(v, "seed", s_hexj(seed, ANTT_SEED_BYTES));
	json_object_set_new(v, "public_key", s_hexj(s_key[k]->pk, ANTT_KEY_BYTES));
	json_object_set_new(v, "fields", s_fields_of(out->body, out->blen, with_system));
	json_object_set_new(v, "body_hex", s_hexj(out->body, out->blen));
	json_object_set_new(v, "id", s_hexj(out->id, ANTT_ID_BYTES));
	json_object_set_new(v, "signature", s_hexj(out->sig, ANTT_SIG_BYTES));
	json_object_set_new(v, "envelope_hex", s_hexj(out->env, out->elen));
	json_array_append_new(arr, v);
}

static void s_rec_free(s_rec_t *r)
{
	free(r->body);
	free(r->env);
}

/* ---- record-v1.json: one station's chain ---- */

/* The three records of record-v1.json: rec[0..2]. */
static void s_station_chain(json_t *arr, int with_system, s_rec_t rec[3])
{
	antt_value_t v1[] = {{"hop_dan", 3}, {"tin_bao", 12}};
	antt_body_t b1 = {.version = 1,
	                  .seq = 1,
	                  .unit = "10375",
	                  .clock = 1718409600, /* 2024-06-15T00:00:00Z */
	                  .form = "bvanttq-monthly",
	                  .period = "2024-05",
	                  .n_values = 2,
	                  .values = v1};
	s_record(arr, "first-record",
	         "seq 1 of a chain: prev is 32 zero bytes; no note, no corrects (both fields "
	         "absent from the encoding)",
	         K_STATION, &b1, with_system, &rec[0]);

	antt_value_t v2[] = {{"cong_cu_ho_tro", 0},
	                     {"hoa_giai", 1},
	                     {"tin_bao", 4},
	                     {"to_giac", 2},
	                     {"truy_na_bat", 1},
	                     {"vat_lieu_no", 300},
	                     {"vu_khi_quan_dung", 9007199254740991ULL}};
	antt_body_t b2 = {.version = 1,
	                  .seq = 2,
	                  .unit = "10375",
	                  .clock = 1718496123,
	                  .form = "bvanttq-event",
	                  .period = "2024-06-15",
	                  .n_values = 7,
	                  .values = v2,
	                  .note = "Tin báo của Nhân dân về trộm cắp tài sản tại thôn Đông Hải; "
	                          "đã xác minh, chuyển Công an huyện xử lý."};
	memcpy(b2.prev, rec[0].id, ANTT_ID_BYTES);
	s_record(arr, "later-record",
	         "seq 2: prev is the id of first-record; a Vietnamese UTF-8 note; a value of 0 "
	         "(its Value has no value field on the wire) and the largest allowed value, "
	         "2^53-1",
	         K_STATION, &b2, with_system, &rec[1]);

	antt_value_t v3[] = {{"hop_dan", 4}, {"tin_bao", 12}};
	antt_body_t b3 = {.version = 1,
	                  .seq = 3,
	                  .unit = "10375",
	                  .clock = 1718582400,
	                  .form = "bvanttq-monthly",
	                  .period = "2024-05",
	                  .n_values = 2,
	                  .values = v3,
	                  .note = "Sửa số cuộc họp dân: 4 cuộc, không phải 3.",
	                  .has_corrects = 1};
	memcpy(b3.prev, rec[1].id, ANTT_ID_BYTES);
	memcpy(b3.corrects, rec[0].id, ANTT_ID_BYTES);
	s_record(arr, "correction",
	         "seq 3: a correction of first-record (corrects = its id), prev is the id of "
	         "later-record",
	         K_STATION, &b3, with_system, &rec[2]);
}

static json_t *s_record_v1(void)
{
	s_rec_t rec[3];
	json_t *arr = json_array();
	s_station_chain(arr, 0, rec);
	for (int i = 0; i < 3; i++)
		s_rec_free(&rec[i]);
	json_t *root = json_object();
	json_object_set_new(root, "format", json_string("antt record v1"));
	json_object_set_new(
	    root, "comment",
	    json_string("Test vectors for the antt record format, version 1 (proto/antt.proto). "
	                "All binary values are lower-case hex. fields are the RecordBody fields; "
	                "values is a list of [code, value]; note and corrects are null when "
	                "absent. body_hex is the RecordBody encoding that was signed, id is "
	                "BLAKE2b-256(body), signature is Ed25519 (RFC 8032) over body with the "
	                "key from seed, envelope_hex is Envelope{body, sig}. See README.md."));
	json_object_set_new(root, "vectors", arr);
	return root;
}

/* ---- antt-v1.json ---- */

/* What antt_key_save writes for key k: the file's bytes (caller frees). */
static char *s_key_file(int k, size_t *len)
{
	char dir[] = "/tmp/gen_vectors.XXXXXX", path[64], err[ANTT_ERR_MAX];
	char *text = NULL;
	struct stat st;
	if (!mkdtemp(dir))
		s_die("key file", "no temporary folder");
	snprintf(path, sizeof path, "%s/node.key", dir);
	if (antt_key_save(s_key[k], path, err) || antt_read_file(path, 4096, &text, len, err))
		s_die("key file", err);
	if (stat(path, &st) || (st.st_mode & 0777) != 0600)
		s_die("key file", "not written with mode 0600");
	unlink(path);
	rmdir(dir);
	return text;
}

static json_t *s_keys_json(void)
{
	json_t *arr = json_array();
	for (int k = 0; k < K_COUNT; k++) {
		uint8_t seed[ANTT_SEED_BYTES], cpk[32], csk[32];
		char zpk[41], zsk[41];
		s_seed(k, seed);
		if (crypto_sign_ed25519_pk_to_curve25519(cpk, s_key[k]->pk))
			s_die(s_keys[k].name, "no X25519 key");
		crypto_sign_ed25519_sk_to_curve25519(csk, s_key[k]->sk);
		if (!zmq_z85_encode(zpk, cpk, 32) || !zmq_z85_encode(zsk, csk, 32))
			s_die(s_keys[k].name, "no Z85");
		size_t flen;
		char *file = s_key_file(k, &flen);
		json_t *v = json_object();
		json_object_set_new(v, "name", json_string(s_keys[k].name));
		json_object_set_new(v, "comment", json_string(s_keys[k].comment));
		json_object_set_new(v, "unit", json_string(s_keys[k].unit));
		json_object_set_new(v, "seed", s_hexj(seed, ANTT_SEED_BYTES));
		json_object_set_new(v, "public_key", s_hexj(s_key[k]->pk, ANTT_KEY_BYTES));
		json_object_set_new(v, "libsodium_secret_key",
		                    s_hexj(s_key[k]->sk, ANTT_SECKEY_BYTES));
		json_object_set_new(v, "curve_public", s_hexj(cpk, 32));
		json_object_set_new(v, "curve_secret", s_hexj(csk, 32));
		json_object_set_new(v, "curve_public_z85", json_string(zpk));
		json_object_set_new(v, "curve_secret_z85", json_string(zsk));
		json_object_set_new(v, "key_file", json_stringn(file, flen));
		json_object_set_new(v, "key_file_hex", s_hexj((const uint8_t *)file, flen));
		json_array_append_new(arr, v);
		sodium_memzero(csk, sizeof csk);
		free(file);
	}
	return arr;
}

/* The system records of the province and the district: p[0..2], d[0..2]. */
static void s_system_records(json_t *arr, s_rec_t p[3], s_rec_t d[3])
{
	char *units[] = {"10801", "10802"}, *subtrees[] = {"103", "107"};
	antt_body_t b = {.version = 1,
	                 .seq = 1,
	                 .unit = "10",
	                 .clock = 1717214400, /* 2024-06-01T04:00:00Z */
	                 .form = ANTT_FORM_ENROLL,
	                 .period = "2024-06-01",
	                 .has_enroll = 1,
	                 .enroll_unit = "103",
	                 .enroll_grant = ANTT_GRANT_HUB,
	                 .n_enroll_units = 2,
	                 .enroll_units = units,
	                 .n_enroll_subtrees = 2,
	                 .enroll_subtrees = subtrees};
	memcpy(b.enroll_key, s_key[K_DISTRICT]->pk, ANTT_KEY_BYTES);
	s_record(arr, "enroll-hub",
	         "the province (the root) enrolls the district's key as a hub (grant 2) for unit "
	         "103, with a scope: units 10801 and 10802 exactly, and every unit below 103 and "
	         "below 107; each list strictly ascending",
	         K_PROVINCE, &b, 1, &p[0]);

	antt_body_t l = {.version = 1,
	                 .seq = 2,
	                 .unit = "10",
	                 .clock = 1717300800, /* 2024-06-02T04:00:00Z */
	                 .form = ANTT_FORM_ENROLL,
	                 .period = "2024-06-02",
	                 .has_enroll = 1,
	                 .enroll_unit = "105",
	                 .enroll_grant = ANTT_GRANT_LEGACY};
	memcpy(l.prev, p[0].id, ANTT_ID_BYTES);
	memcpy(l.enroll_key, s_key[K_LEGACY]->pk, ANTT_KEY_BYTES);
	s_record(arr, "enroll-legacy",
	         "an enrollment without a grant (grant 0, absent from the encoding: an "
	         "enrollment made before grants existed), no scope; only the root or a legacy "
	         "key may sign one",
	         K_PROVINCE, &l, 1, &p[1]);

	antt_body_t r = {.version = 1,
	                 .seq = 3,
	                 .unit = "10",
	                 .clock = 1717387200, /* 2024-06-03T04:00:00Z */
	                 .form = ANTT_FORM_REVOKE,
	                 .period = "2024-06-03",
	                 .has_revoke = 1,
	                 .revoke_after = 5,
	                 .revoke_reason = "Máy tính của huyện bị mất; đã cấp khóa mới."};
	memcpy(r.prev, p[1].id, ANTT_ID_BYTES);
	memcpy(r.revoke_key, s_key[K_LEGACY]->pk, ANTT_KEY_BYTES);
	s_record(arr, "revoke-with-reason",
	         "the province revokes the legacy key after its seq 5, with a Vietnamese "
	         "UTF-8 reason",
	         K_PROVINCE, &r, 1, &p[2]);

	antt_body_t s1 = {.version = 1,
	                  .seq = 1,
	                  .unit = "103",
	                  .clock = 1717218000, /* 2024-06-01T05:00:00Z */
	                  .form = ANTT_FORM_ENROLL,
	                  .period = "2024-06-01",
	                  .has_enroll = 1,
	                  .enroll_unit = "10375",
	                  .enroll_grant = ANTT_GRANT_STATION};
	memcpy(s1.enroll_key, s_key[K_STATION]->pk, ANTT_KEY_BYTES);
	s_record(arr, "enroll-station",
	         "the district's hub enrolls the station of commune 10375 (the author of "
	         "record-v1.json) as a station (grant 1): no scope",
	         K_DISTRICT, &s1, 1, &d[0]);

	antt_body_t s2 = s1;
	s2.seq = 2;
	s2.clock = 1717221600; /* 2024-06-01T06:00:00Z */
	s2.enroll_unit = "10377";
	memcpy(s2.prev, d[0].id, ANTT_ID_BYTES);
	memcpy(s2.enroll_key, s_key[K_STATION2]->pk, ANTT_KEY_BYTES);
	s_record(arr, "enroll-station-2", "the district's hub enrolls a second station, 10377",
	         K_DISTRICT, &s2, 1, &d[1]);

	antt_body_t r2 = {.version = 1,
	                  .seq = 3,
	                  .unit = "103",
	                  .clock = 1717304400, /* 2024-06-02T05:00:00Z */
	                  .form = ANTT_FORM_REVOKE,
	                  .period = "2024-06-02",
	                  .has_revoke = 1,
	                  .revoke_after = 0};
	memcpy(r2.prev, d[1].id, ANTT_ID_BYTES);
	memcpy(r2.revoke_key, s_key[K_STATION2]->pk, ANTT_KEY_BYTES);
	s_record(arr, "revoke-without-reason",
	         "the district's hub revokes the second station's key from its first record "
	         "(after_seq 0 and the reason absent: the Revoke holds only the key)",
	         K_DISTRICT, &r2, 1, &d[2]);
}

/* The stamp: the district's hub, first hub of the station's records 1..2. */
typedef struct {
	uint8_t *body;
	size_t blen;
	uint8_t sig[ANTT_SIG_BYTES];
} s_stamp_made_t;

static json_t *s_stamp_fields(const uint8_t *body, size_t len)
{
	Antt__StampBody *m = antt__stamp_body__unpack(NULL, len, body);
	if (!m)
		s_die("stamp", "a body protobuf-c cannot read");
	json_t *f = json_pack("{s:o, s:I, s:I, s:o, s:I}", "author", s_bin(m->author), "from_seq",
	                      (json_int_t)m->from_seq, "to_seq", (json_int_t)m->to_seq, "to_id",
	                      s_bin(m->to_id), "at", (json_int_t)m->at);
	antt__stamp_body__free_unpacked(m, NULL);
	return f;
}

static json_t *s_stamp(const s_rec_t *to, s_stamp_made_t *out)
{
	uint8_t seed[ANTT_SEED_BYTES];
	antt_stamp_t s = {.from_seq = 1, .to_seq = 2, .at = 1718496200};
	memcpy(s.author, s_key[K_STATION]->pk, ANTT_KEY_BYTES);
	memcpy(s.to_id, to->id, ANTT_ID_BYTES);
	antt_stamp_encode(&s, &out->body, &out->blen);
	antt_stamp_sign(out->sig, out->body, out->blen, s_key[K_DISTRICT]->sk);
	if (antt_stamp_verify(out->sig, out->body, out->blen, s_key[K_DISTRICT]->pk))
		s_die("stamp", "does not verify");

	size_t d = strlen(ANTT_STAMP_DOMAIN);
	uint8_t *msg = antt_xmalloc(d + out->blen);
	memcpy(msg, ANTT_STAMP_DOMAIN, d);
	memcpy(msg + d, out->body, out->blen);
	Antt__Stamp st = ANTT__STAMP__INIT;
	st.hub.data = s_key[K_DISTRICT]->pk;
	st.hub.len = ANTT_KEY_BYTES;
	st.body.data = out->body;
	st.body.len = out->blen;
	st.sig.data = out->sig;
	st.sig.len = ANTT_SIG_BYTES;
	size_t slen = antt__stamp__get_packed_size(&st);
	uint8_t *packed = antt_xmalloc(slen);
	antt__stamp__pack(&st, packed);

	s_seed(K_DISTRICT, seed);
	json_t *v = json_object();
	json_object_set_new(v, "name", json_string("stamp"));
	json_object_set_new(
	    v, "comment",
	    json_string("the district's hub, first hub of the station's records, stamps seq 1 "
	                "to 2 (to_id = the id of record-v1.json's later-record) as stored at "
	                "1718496200; message_hex is \"antt stamp v1\\n\" followed by body_hex, "
	                "signature is Ed25519 over it with the hub's seed; stamp_hex is "
	                "Stamp{hub, body, sig}"));
	json_object_set_new(v, "hub_seed", s_hexj(seed, ANTT_SEED_BYTES));
	json_object_set_new(v, "hub", s_hexj(s_key[K_DISTRICT]->pk, ANTT_KEY_BYTES));
	json_object_set_new(v, "fields", s_stamp_fields(out->body, out->blen));
	json_object_set_new(v, "body_hex", s_hexj(out->body, out->blen));
	json_object_set_new(v, "message_hex", s_hexj(msg, d + out->blen));
	json_object_set_new(v, "signature", s_hexj(out->sig, ANTT_SIG_BYTES));
	json_object_set_new(v, "stamp_hex", s_hexj(packed, slen));
	free(msg);
	free(packed);
	json_t *arr = json_array();
	json_array_append_new(arr, v);
	return arr;
}

/* ---- sync messages ---- */

static json_t *s_heads_json(Antt__Head *const *h, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:o, s:I, s:o}", "author",
		                                     s_bin(h[i]->author), "seq",
		                                     (json_int_t)h[i]->seq, "id", s_bin(h[i]->id)));
	return arr;
}

/* The fields of a packed SyncMsg, as a reader of its bytes finds them. */
static json_t *s_msg_fields(const uint8_t *buf, size_t len, const char **kind)
{
	Antt__SyncMsg *m = antt__sync_msg__unpack(NULL, len, buf);
	json_t *f = NULL;
	if (!m)
		s_die("message", "protobuf-c cannot read it");
	switch (m->msg_case) {
	case ANTT__SYNC_MSG__MSG_HELLO:
		*kind = "hello";
		f = json_pack("{s:i, s:s, s:o}", "version", (int)m->hello->version, "unit",
		              m->hello->unit, "heads",
		              s_heads_json(m->hello->heads, m->hello->n_heads));
		break;
	case ANTT__SYNC_MSG__MSG_BATCH: {
		json_t *recs = json_array(), *stamps = json_array();
		*kind = "batch";
		for (size_t i = 0; i < m->batch->n_records; i++)
			json_array_append_new(recs, s_bin(m->batch->records[i]));
		for (size_t i = 0; i < m->batch->n_stamps; i++) {
			Antt__Stamp *s = m->batch->stamps[i];
			json_array_append_new(
			    stamps, json_pack("{s:o, s:o, s:o}", "hub", s_bin(s->hub), "body",
			                      s_bin(s->body), "sig", s_bin(s->sig)));
		}
		f = json_pack("{s:I, s:o, s:o}", "batch", (json_int_t)m->batch->batch, "records",
		              recs, "stamps", stamps);
		break;
	}
	case ANTT__SYNC_MSG__MSG_ACK: {
		json_t *refused = json_array();
		*kind = "ack";
		for (size_t i = 0; i < m->ack->n_refused; i++) {
			Antt__Refusal *r = m->ack->refused[i];
			json_array_append_new(
			    refused,
			    json_pack("{s:i, s:o, s:I, s:o, s:i, s:s}", "index", (int)r->index,
			              "author", s_bin(r->author), "seq", (json_int_t)r->seq, "id",
			              s_bin(r->id), "code", (int)r->code, "reason", r->reason));
		}
		f = json_pack("{s:I, s:o, s:o, s:i}", "batch", (json_int_t)m->ack->batch, "heads",
		              s_heads_json(m->ack->heads, m->ack->n_heads), "refused", refused,
		              "credit", (int)m->ack->credit);
		break;
	}
	default: s_die("message", "a kind this program does not write");
	}
	antt__sync_msg__free_unpacked(m, NULL);
	return f;
}

static void s_message(json_t *arr, const char *name, const char *comment, const Antt__SyncMsg *m)
{
	size_t len = antt__sync_msg__get_packed_size(m);
	uint8_t *buf = antt_xmalloc(len);
	const char *kind = NULL;
	antt__sync_msg__pack(m, buf);
	json_t *f = s_msg_fields(buf, len, &kind);
	json_t *v = json_object();
	json_object_set_new(v, "name", json_string(name));
	json_object_set_new(v, "comment", json_string(comment));
	json_object_set_new(v, "message", json_string(kind));
	json_object_set_new(v, "fields", f);
	json_object_set_new(v, "syncmsg_hex", s_hexj(buf, len));
	json_array_append_new(arr, v);
	free(buf);
}

static void s_head(Antt__Head *h, const uint8_t *author, uint64_t seq, const uint8_t *id)
{
	antt__head__init(h);
	h->author.data = (uint8_t *)author;
	h->author.len = ANTT_KEY_BYTES;
	h->seq = seq;
	if (id) {
		h->id.data = (uint8_t *)id;
		h->id.len = ANTT_ID_BYTES;
	}
}

static json_t *s_messages(const s_rec_t st[3], const s_rec_t d[3], const s_stamp_made_t *stamp)
{
	json_t *arr = json_array();

	Antt__Head h[3], *hp[3] = {&h[0], &h[1], &h[2]};
	Antt__Hello hello = ANTT__HELLO__INIT;
	Antt__SyncMsg m = ANTT__SYNC_MSG__INIT;
	s_head(&h[0], s_key[K_DISTRICT]->pk, 3, d[2].id);
	s_head(&h[1], s_key[K_STATION]->pk, 3, st[2].id);
	hello.version = 1;
	hello.unit = "103";
	hello.n_heads = 2;
	hello.heads = hp;
	m.msg_case = ANTT__SYNC_MSG__MSG_HELLO;
	m.hello = &hello;
	s_message(arr, "hello",
	          "the district's hub to the province, first on a connection: protocol version "
	          "1, its unit, and its head (author, seq, id) of every author it holds: its "
	          "own chain (enroll-hub ... revoke-without-reason) and the station's "
	          "(record-v1.json)",
	          &m);

	s_head(&h[0], s_key[K_STATION2]->pk, 0, NULL);
	hello.unit = "10377";
	hello.n_heads = 1;
	s_message(arr, "hello-empty",
	          "a new station that holds nothing says Hello with its own key at seq 0: the "
	          "Head has no id (absent, not 32 zero bytes) and no seq (0 is not written)",
	          &m);

	Antt__Batch batch = ANTT__BATCH__INIT;
	ProtobufCBinaryData recs[2] = {{st[0].elen, st[0].env}, {st[1].elen, st[1].env}};
	Antt__Stamp s = ANTT__STAMP__INIT, *sp[1] = {&s};
	s.hub.data = s_key[K_DISTRICT]->pk;
	s.hub.len = ANTT_KEY_BYTES;
	s.body.data = stamp->body;
	s.body.len = stamp->blen;
	s.sig.data = (uint8_t *)stamp->sig;
	s.sig.len = ANTT_SIG_BYTES;
	batch.batch = 1;
	batch.n_records = 2;
	batch.records = recs;
	batch.n_stamps = 1;
	batch.stamps = sp;
	m.msg_case = ANTT__SYNC_MSG__MSG_BATCH;
	m.batch = &batch;
	s_message(arr, "batch",
	          "the district's hub forwards to the province batch 1: the envelopes of "
	          "record-v1.json's first-record and later-record, and the stamp (stamps) that "
	          "gave them their first receipt",
	          &m);

	Antt__Ack ack = ANTT__ACK__INIT;
	Antt__Refusal ref[2], *rp[2] = {&ref[0], &ref[1]};
	antt__refusal__init(&ref[0]);
	ref[0].index = 0;
	ref[0].code = 1;
	ref[0].reason = "bad record: envelope is not a valid encoding";
	antt__refusal__init(&ref[1]);
	ref[1].author.data = s_key[K_STATION]->pk;
	ref[1].author.len = ANTT_KEY_BYTES;
	ref[1].seq = 2;
	ref[1].id.data = (uint8_t *)st[1].id;
	ref[1].id.len = ANTT_ID_BYTES;
	ref[1].code = 2;
	ref[1].reason = "bad signature";
	ref[1].index = 2;
	s_head(&h[0], s_key[K_STATION]->pk, 1, st[0].id);
	ack.batch = 2;
	ack.n_heads = 1;
	ack.heads = hp;
	ack.n_refused = 2;
	ack.refused = rp;
	ack.credit = 5000;
	m.msg_case = ANTT__SYNC_MSG__MSG_ACK;
	m.ack = &ack;
	s_message(arr, "ack",
	          "the province acknowledges a batch 2 of three records: index 0 did not "
	          "decode (code 1: only index, code and reason; index 0 itself is not written), "
	          "index 1 (first-record) was stored (the new head: seq 1), index 2 "
	          "(later-record with a damaged signature) was refused with code 2, named by "
	          "author, seq, id and index; new credit 5000",
	          &m);
	return arr;
}

/* ---- bodies that must be refused ---- */

static void s_refused(json_t *arr, const char *name, const char *comment, const char *kind,
                      const char *cls, const uint8_t *buf, size_t len, json_t *fields,
                      const uint8_t *canonical, size_t clen)
{
	json_t *v = json_object();
	json_object_set_new(v, "name", json_string(name));
	json_object_set_new(v, "comment", json_string(comment));
	json_object_set_new(v, "kind", json_string(kind));
	json_object_set_new(v, "class", json_string(cls));
	json_object_set_new(v, "hex", s_hexj(buf, len));
	json_object_set_new(v, "fields", fields ? fields : json_null());
	json_object_set_new(v, "canonical_hex", canonical ? s_hexj(canonical, clen) : json_null());
	json_array_append_new(arr, v);
}

/* A body refused for its fields: m packed as protobuf-c packs it (the
 * encoding of its content: no rule is checked). */
static void s_refused_msg(json_t *arr, const char *name, const char *comment, const char *cls,
                          const Antt__RecordBody *m)
{
	size_t len = antt__record_body__get_packed_size(m);
	uint8_t *buf = antt_xmalloc(len);
	antt__record_body__pack(m, buf);
	antt_body_t b;
	if (!antt_body_decode(buf, len, &b, NULL))
		s_die(name, "this implementation takes it");
	s_refused(arr, name, comment, "record_body", cls, buf, len, s_fields_of(buf, len, 1), NULL,
	          0);
	free(buf);
}

/* A body whose bytes were spelled otherwise than the canonical encoding
 * of canonical (same content), or with what no field is. */
static void s_refused_bytes(json_t *arr, const char *name, const char *comment, const char *cls,
                            const uint8_t *buf, size_t len, const s_rec_t *canonical)
{
	antt_body_t b;
	if (!antt_body_decode(buf, len, &b, NULL))
		s_die(name, "this implementation takes it");
	s_refused(arr, name, comment, "record_body", cls, buf, len, s_fields_of(buf, len, 1),
	          canonical ? canonical->body : NULL, canonical ? canonical->blen : 0);
}

/* bytes a, then b, then c (any may be empty).  Caller frees. */
static uint8_t *s_cat(const uint8_t *a, size_t an, const uint8_t *b, size_t bn, const uint8_t *c,
                      size_t cn, size_t *len)
{
	uint8_t *out = antt_xmalloc(an + bn + cn + 1);
	memcpy(out, a, an);
	memcpy(out + an, b, bn);
	if (cn)
		memcpy(out + an + bn, c, cn);
	*len = an + bn + cn;
	return out;
}

static json_t *s_refused_all(const s_rec_t st[3], const s_rec_t p[3], const s_rec_t d[3],
                             const s_stamp_made_t *stamp)
{
	json_t *arr = json_array();
	const s_rec_t *r = &st[0]; /* first-record: 08 01 12 20 <author> 18 01 22 20 <prev> 2a .. */
	uint8_t *buf;
	size_t len;
	if (r->body[36] != 0x18 || r->body[37] != 0x01 || r->body[72] != 0x2a)
		s_die("refused", "first-record is not laid out as expected");

	/* ---- encodings: the same content spelled another way ---- */
	static const uint8_t padded[] = {0x81, 0x00};
	buf = s_cat(r->body, 37, padded, 2, r->body + 38, r->blen - 38, &len);
	s_refused_bytes(arr, "seq-padded-varint",
	                "first-record with seq written as the two-byte varint 81 00 instead of 01: "
	                "same fields, not the canonical encoding (canonical_hex)",
	                "noncanonical", buf, len, r);
	free(buf);

	static const uint8_t unit2[] = {0x2a, 0x05, '1', '0', '3', '7', '6'};
	buf = s_cat(r->body, 72, unit2, sizeof unit2, r->body + 72, r->blen - 72, &len);
	s_refused_bytes(arr, "unit-twice",
	                "first-record with unit given twice, 10376 then 10375: a protobuf reader "
	                "keeps the last (fields), a careless one the first; each field at most "
	                "once",
	                "noncanonical", buf, len, r);
	free(buf);

	buf = s_cat(r->body + 2, r->blen - 2, r->body, 2, NULL, 0, &len);
	s_refused_bytes(arr, "fields-out-of-order",
	                "first-record with version (08 01) moved to the end: fields in "
	                "field-number order only",
	                "noncanonical", buf, len, r);
	free(buf);

	static const uint8_t empty_corrects[] = {0x5a, 0x00};
	buf = s_cat(r->body, r->blen, empty_corrects, 2, NULL, 0, &len);
	s_refused_bytes(arr, "default-written",
	                "first-record with an empty corrects written out (5a 00): proto3 defaults "
	                "are omitted",
	                "noncanonical", buf, len, r);
	free(buf);

	static const uint8_t f14[] = {0x70, 0x01};
	buf = s_cat(r->body, r->blen, f14, 2, NULL, 0, &len);
	s_refused_bytes(arr, "unknown-field",
	                "first-record followed by field 14 (varint 1), which RecordBody version 1 "
	                "does not have",
	                "unknown_field", buf, len, NULL);
	free(buf);

	/* field 6 inside the Enroll of enroll-station, the last field of its body */
	Antt__RecordBody *m = antt__record_body__unpack(NULL, d[0].blen, d[0].body);
	size_t elen = antt__enroll__get_packed_size(m->enroll);
	if (elen + 2 > 127)
		s_die("refused", "an enrollment too long for a one-byte length");
	uint8_t *e = antt_xmalloc(elen + 4);
	e[0] = 0x62;
	e[1] = (uint8_t)(elen + 2);
	antt__enroll__pack(m->enroll, e + 2);
	e[elen + 2] = 0x30;
	e[elen + 3] = 0x01;
	Antt__RecordBody x = *m;
	x.enroll = NULL;
	size_t head_len = antt__record_body__get_packed_size(&x);
	uint8_t *head = antt_xmalloc(head_len);
	antt__record_body__pack(&x, head);
	buf = s_cat(head, head_len, e, elen + 4, NULL, 0, &len);
	s_refused_bytes(arr, "unknown-field-in-enroll",
	                "enroll-station with field 6 (varint 1) inside its Enroll, which has "
	                "fields 1 to 5 only: unknown fields are refused in every message of a "
	                "body",
	                "unknown_field", buf, len, NULL);
	free(buf);
	free(head);
	free(e);
	antt__record_body__free_unpacked(m, NULL);

	/* a NUL inside a text: not a spelling protobuf-c can read back whole */
	m = antt__record_body__unpack(NULL, r->blen, r->body);
	static const uint8_t nul_note[] = {0x52, 0x05, 'a', 'b', 0x00, 'c', 'd'};
	buf = s_cat(r->body, r->blen, nul_note, sizeof nul_note, NULL, 0, &len);
	json_t *f = s_fields_of(r->body, r->blen, 1);
	json_object_set_new(f, "note", json_stringn("ab\0cd", 5));
	antt_body_t b;
	if (!antt_body_decode(buf, len, &b, NULL))
		s_die("nul-in-note", "this implementation takes it");
	s_refused(arr, "nul-in-note",
	          "first-record with the note \"ab\\u0000cd\": a note is UTF-8 without NUL (a C "
	          "reader that stops at the NUL would read \"ab\" and miss signed bytes)",
	          "record_body", "field", buf, len, f, NULL, 0);
	free(buf);

	/* ---- field rules of a report ---- */
	Antt__Value v0 = *m->values[0], v1 = *m->values[1], *vp[2] = {&v0, &v1};
	x = *m;
	x.values = vp;
	x.seq = 0;
	s_refused_msg(arr, "seq-zero", "first-record with seq 0 (absent): seq is 1 or more",
	              "field", &x);
	x.seq = 1;
	v1.value = ANTT_VALUE_MAX + 1;
	s_refused_msg(arr, "value-too-large",
	              "first-record with tin_bao = 2^53: a value is at most 2^53-1", "field", &x);
	v1.value = m->values[1]->value;
	vp[0] = &v1, vp[1] = &v0;
	s_refused_msg(arr, "values-unsorted",
	              "first-record with its values tin_bao, hop_dan: codes strictly ascending",
	              "field", &x);
	vp[0] = &v0, vp[1] = &v1;

	static const struct {
		const char *period, *name, *comment;
	} bad_periods[] = {
	    {"2025-13", "period-month-13", "first-record in month 13 of 2025: months 01 to 12"},
	    {"2025-02-30", "period-feb-30",
	     "a report for 2025-02-30, a day February 2025 does not have"},
	    {"1999", "period-1999", "a report for the year 1999: years 2000 to 2099"},
	};
	for (size_t i = 0; i < sizeof bad_periods / sizeof bad_periods[0]; i++) {
		x.period = (char *)bad_periods[i].period;
		s_refused_msg(arr, bad_periods[i].name, bad_periods[i].comment, "period", &x);
	}
	x.period = "2024-06-15";
	x.form = ANTT_FORM_ENROLL;
	s_refused_msg(arr, "reserved-form",
	              "a report with form antt.enroll and no enroll: forms starting antt. are "
	              "the system's (an enrollment or a revocation)",
	              "system", &x);
	antt__record_body__free_unpacked(m, NULL);

	/* ---- enrollments: grants, scopes, system rules ---- */
	m = antt__record_body__unpack(NULL, p[0].blen, p[0].body);
	Antt__Enroll en = *m->enroll;
	x = *m;
	x.enroll = &en;
	en.n_units = en.n_subtrees = 0;
	s_refused_msg(arr, "hub-empty-scope",
	              "enroll-hub without units or subtrees: a hub's enrollment has 1 to 4096 "
	              "entries in the two together",
	              "scope", &x);
	char *swapped[] = {"10802", "10801"}, *twice[] = {"103", "103"}, *one[] = {"10801"};
	en = *m->enroll;
	en.units = swapped;
	s_refused_msg(arr, "scope-unsorted",
	              "enroll-hub with units 10802, 10801: strictly ascending (bytewise)", "scope",
	              &x);
	en = *m->enroll;
	en.subtrees = twice;
	s_refused_msg(arr, "scope-twice",
	              "enroll-hub with subtrees 103, 103: strictly ascending, so each once",
	              "scope", &x);
	en = *m->enroll;
	en.grant = ANTT_GRANT_STATION;
	en.n_units = 1;
	en.units = one;
	en.n_subtrees = 0;
	s_refused_msg(arr, "station-with-scope",
	              "an enrollment of a station (grant 1) with units 10801: only a hub's has a "
	              "scope",
	              "scope", &x);
	en.grant = ANTT_GRANT_LEGACY;
	s_refused_msg(arr, "legacy-with-scope",
	              "an enrollment without a grant (legacy) with units 10801: only a hub's has "
	              "a scope",
	              "scope", &x);
	en = *m->enroll;
	en.grant = 3;
	en.n_units = en.n_subtrees = 0;
	s_refused_msg(arr, "grant-3",
	              "an enrollment with grant 3 (and no scope): grants are 0, 1 and 2 only",
	              "grant", &x);
	en = *m->enroll;
	x.period = "2024-06";
	s_refused_msg(arr, "system-record-month",
	              "enroll-hub with the period 2024-06: a system record's period is the day "
	              "it was made",
	              "system", &x);
	x.period = m->period;
	Antt__Revoke rv = ANTT__REVOKE__INIT;
	rv.key.data = s_key[K_LEGACY]->pk;
	rv.key.len = ANTT_KEY_BYTES;
	x.revoke = &rv;
	s_refused_msg(arr, "enroll-and-revoke",
	              "enroll-hub that also carries a Revoke: a body enrolls or revokes, never "
	              "both",
	              "system", &x);
	x.revoke = NULL;
	Antt__Value val = ANTT__VALUE__INIT, *valp[1] = {&val};
	val.code = "tin_bao";
	val.value = 1;
	x.n_values = 1;
	x.values = valp;
	s_refused_msg(arr, "enroll-with-values",
	              "enroll-hub with a value: a system record has no values", "system", &x);
	antt__record_body__free_unpacked(m, NULL);

	m = antt__record_body__unpack(NULL, p[2].blen, p[2].body);
	Antt__Revoke rv2 = *m->revoke;
	x = *m;
	x.revoke = &rv2;
	rv2.after_seq = (uint64_t)INT64_MAX + 1;
	s_refused_msg(arr, "revoke-after-seq-too-large",
	              "revoke-with-reason with after_seq 2^63 (written as a decimal string: no "
	              "int64 holds it): at most 2^63-1, as a seq",
	              "field", &x);
	antt__record_body__free_unpacked(m, NULL);

	/* ---- stamp bodies ---- */
	Antt__StampBody *sb = antt__stamp_body__unpack(NULL, stamp->blen, stamp->body);
	static const struct {
		uint64_t from, to;
		int64_t at;
		const char *name, *comment;
	} bad_stamps[] = {
	    {3, 2, 1718496200, "stamp-from-after-to",
	     "the stamp with from_seq 3 and to_seq 2: from_seq <= to_seq"},
	    {0, 2, 1718496200, "stamp-from-zero", "the stamp with from_seq 0 (absent): 1 or more"},
	    {1, 2, 0, "stamp-at-zero", "the stamp with at 0 (absent): at > 0"},
	};
	for (size_t i = 0; i < sizeof bad_stamps / sizeof bad_stamps[0]; i++) {
		Antt__StampBody y = *sb;
		y.from_seq = bad_stamps[i].from;
		y.to_seq = bad_stamps[i].to;
		y.at = bad_stamps[i].at;
		len = antt__stamp_body__get_packed_size(&y);
		buf = antt_xmalloc(len);
		antt__stamp_body__pack(&y, buf);
		antt_stamp_t s;
		if (!antt_stamp_decode(buf, len, &s, NULL))
			s_die(bad_stamps[i].name, "this implementation takes it");
		s_refused(arr, bad_stamps[i].name, bad_stamps[i].comment, "stamp_body", "field",
		          buf, len, s_stamp_fields(buf, len), NULL, 0);
		free(buf);
	}
	antt__stamp_body__free_unpacked(sb, NULL);
	/* at is the last field: its last varint byte gets a continuation */
	buf = s_cat(stamp->body, stamp->blen, (const uint8_t *)"", 1, NULL, 0, &len);
	buf[stamp->blen - 1] |= 0x80;
	antt_stamp_t s;
	if (!antt_stamp_decode(buf, len, &s, NULL))
		s_die("stamp-padded-varint", "this implementation takes it");
	s_refused(arr, "stamp-padded-varint",
	          "the stamp with at written with one byte more (a last 00 continuation byte): "
	          "same fields, not the canonical encoding",
	          "stamp_body", "noncanonical", buf, len, s_stamp_fields(buf, len), stamp->body,
	          stamp->blen);
	free(buf);
	static const uint8_t f6[] = {0x30, 0x01};
	buf = s_cat(stamp->body, stamp->blen, f6, 2, NULL, 0, &len);
	s_refused(arr, "stamp-unknown-field", "the stamp followed by field 6 (varint 1)",
	          "stamp_body", "unknown_field", buf, len, s_stamp_fields(buf, len), NULL, 0);
	free(buf);

	/* ---- envelopes ---- */
	static const struct {
		int no_body;
		size_t slen;
		const char *name, *comment;
	} bad_envs[] = {
	    {0, 63, "envelope-short-signature",
	     "first-record's envelope with the last byte of its signature cut: a signature is "
	     "64 bytes"},
	    {1, 64, "envelope-empty-body", "an envelope with first-record's signature and no body"},
	};
	for (size_t i = 0; i < sizeof bad_envs / sizeof bad_envs[0]; i++) {
		Antt__Envelope ev = ANTT__ENVELOPE__INIT;
		ev.body.data = r->body;
		ev.body.len = bad_envs[i].no_body ? 0 : r->blen;
		ev.sig.data = (uint8_t *)r->sig;
		ev.sig.len = bad_envs[i].slen;
		len = antt__envelope__get_packed_size(&ev);
		buf = antt_xmalloc(len);
		antt__envelope__pack(&ev, buf);
		s_refused(arr, bad_envs[i].name, bad_envs[i].comment, "envelope", "field", buf, len,
		          json_pack("{s:o, s:o}", "body", s_bin(ev.body), "sig", s_bin(ev.sig)),
		          NULL, 0);
		free(buf);
	}
	static const uint8_t f3[] = {0x18, 0x01};
	buf = s_cat(r->env, r->elen, f3, 2, NULL, 0, &len);
	ProtobufCBinaryData rb = {r->blen, r->body}, rs = {ANTT_SIG_BYTES, (uint8_t *)r->sig};
	s_refused(arr, "envelope-unknown-field", "first-record's envelope followed by field 3",
	          "envelope", "unknown_field", buf, len,
	          json_pack("{s:o, s:o}", "body", s_bin(rb), "sig", s_bin(rs)), NULL, 0);
	free(buf);
	return arr;
}

static json_t *s_antt_v1(void)
{
	s_rec_t st[3], p[3], d[3];
	s_stamp_made_t stamp;
	json_t *scratch = json_array(), *records = json_array();
	s_station_chain(scratch, 1, st); /* committed in record-v1.json */
	json_decref(scratch);
	s_system_records(records, p, d);
	json_t *root = json_object();
	json_object_set_new(root, "format", json_string("antt vectors v1"));
	json_object_set_new(
	    root, "comment",
	    json_string("Test vectors for antt version 1 beyond record-v1.json: keys and key "
	                "files, enrollments and revocations, a stamp, sync messages, and bodies "
	                "that must be refused. All binary values are lower-case hex; a field "
	                "absent from the encoding is null. See README.md."));
	json_object_set_new(root, "keys", s_keys_json());
	json_object_set_new(root, "records", records);
	json_object_set_new(root, "stamps", s_stamp(&st[1], &stamp));
	json_object_set_new(root, "messages", s_messages(st, d, &stamp));
	json_object_set_new(root, "refused", s_refused_all(st, p, d, &stamp));
	free(stamp.body);
	for (int i = 0; i < 3; i++) {
		s_rec_free(&st[i]);
		s_rec_free(&p[i]);
		s_rec_free(&d[i]);
	}
	return root;
}

int main(int argc, char **argv)
{
	json_t *root = NULL;
	if (sodium_init() < 0)
		return 1;
	for (int k = 0; k < K_COUNT; k++) {
		uint8_t seed[ANTT_SEED_BYTES];
		s_seed(k, seed);
		antt_key_from_seed(seed, &s_key[k]);
	}
	if (argc == 2 && !strcmp(argv[1], "record-v1.json"))
		root = s_record_v1();
	else if (argc == 2 && !strcmp(argv[1], "antt-v1.json"))
		root = s_antt_v1();
	if (!root) {
		fprintf(stderr, "usage: gen_vectors record-v1.json | antt-v1.json  (to stdout)\n");
		return 2;
	}
	json_dumpf(root, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
	json_decref(root);
	for (int k = 0; k < K_COUNT; k++)
		antt_key_destroy(&s_key[k]);
	return 0;
}
