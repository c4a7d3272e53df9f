/* gen_vectors.c - writes proto/vectors/record-v1.json, the record format's
 * test vectors, with this implementation's codec.  Built with the unit tests
 * but not run by ctest: the JSON is committed, and test_record checks the
 * codec against the committed file, so an accidental change of the encoding
 * shows up as a test failure instead of silently new vectors.
 *
 * Regenerate (only when the format changes on purpose, with a new file name
 * for a new format version):
 *     cmake --build build-unit --target gen_vectors
 *     build-unit/tests/unit/gen_vectors > proto/vectors/record-v1.json
 *     python3 proto/vectors/check_record_v1.py proto/vectors/record-v1.json */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "keyfile.h"
#include "record.h"

/* One author for the whole chain: seed 00 01 02 ... 1f. */
static void s_seed(uint8_t seed[ANTT_SEED_BYTES])
{
	for (int i = 0; i < ANTT_SEED_BYTES; i++)
		seed[i] = (uint8_t)i;
}

static json_t *s_hexj(const uint8_t *p, size_t n)
{
	char *hex = antt_xmalloc(2 * n + 1);
	json_t *j = json_string(antt_hex(hex, p, n));
	free(hex);
	return j;
}

/* Encode, hash, sign and wrap b; append the vector to arr; id gets the id. */
static void s_vector(json_t *arr, const char *name, const char *comment, const antt_key_t *k,
                     const uint8_t seed[ANTT_SEED_BYTES], antt_body_t *b, uint8_t id[ANTT_ID_BYTES])
{
	char err[ANTT_ERR_MAX];
	uint8_t *body, *env, sig[ANTT_SIG_BYTES];
	size_t blen, elen;
	if (antt_body_encode(b, &body, &blen, err)) {
		fprintf(stderr, "gen_vectors: %s: %s\n", name, err);
		exit(1);
	}
	antt_record_id(id, body, blen);
	antt_record_sign(sig, body, blen, k->sk);
	antt_envelope_encode(body, blen, sig, &env, &elen);

	json_t *vals = json_array();
	for (size_t i = 0; i < b->n_values; i++)
		json_array_append_new(
		    vals, json_pack("[sI]", b->values[i].code, (json_int_t)b->values[i].value));
	json_t *fields = json_object();
	json_object_set_new(fields, "version", json_integer(b->version));
	json_object_set_new(fields, "author", s_hexj(b->author, ANTT_KEY_BYTES));
	json_object_set_new(fields, "seq", json_integer((json_int_t)b->seq));
	json_object_set_new(fields, "prev", s_hexj(b->prev, ANTT_ID_BYTES));
	json_object_set_new(fields, "unit", json_string(b->unit));
	json_object_set_new(fields, "clock", json_integer(b->clock));
	json_object_set_new(fields, "form", json_string(b->form));
	json_object_set_new(fields, "period", json_string(b->period));
	json_object_set_new(fields, "values", vals);
	json_object_set_new(fields, "note", b->note ? json_string(b->note) : json_null());
	json_object_set_new(fields, "corrects",
	                    b->has_corrects ? s_hexj(b->corrects, ANTT_ID_BYTES) : json_null());

	json_t *v = json_object();
	json_object_set_new(v, "name", json_string(name));
	json_object_set_new(v, "comment", json_string(comment));
	json_object_set_new(v, "seed", s_hexj(seed, ANTT_SEED_BYTES));
	json_object_set_new(v, "public_key", s_hexj(k->pk, ANTT_KEY_BYTES));
	json_object_set_new(v, "fields", fields);
	json_object_set_new(v, "body_hex", s_hexj(body, blen));
	json_object_set_new(v, "id", s_hexj(id, ANTT_ID_BYTES));
	json_object_set_new(v, "signature", s_hexj(sig, ANTT_SIG_BYTES));
	json_object_set_new(v, "envelope_hex", s_hexj(env, elen));
	json_array_append_new(arr, v);
	free(body);
	free(env);
}

int main(void)
{
	uint8_t seed[ANTT_SEED_BYTES], id1[ANTT_ID_BYTES], id2[ANTT_ID_BYTES], id3[ANTT_ID_BYTES];
	antt_key_t *k;
	if (sodium_init() < 0)
		return 1;
	s_seed(seed);
	antt_key_from_seed(seed, &k);
	json_t *arr = json_array();

	antt_value_t v1[] = {{"hop_dan", 3}, {"tin_bao", 12}};
	antt_body_t b1 = {.version = 1,
	                  .seq = 1,
	                  .unit = "10375",
	                  .clock = 1718409600, /* 2024-06-15T00:00:00Z */
	                  .form = "bvanttq-monthly",
	                  .period = "2024-05",
	                  .n_values = 2,
	                  .values = v1};
	memcpy(b1.author, k->pk, ANTT_KEY_BYTES);
	s_vector(arr, "first-record",
	         "seq 1 of a chain: prev is 32 zero bytes; no note, no corrects (both fields "
	         "absent from the encoding)",
	         k, seed, &b1, id1);

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
	memcpy(b2.author, k->pk, ANTT_KEY_BYTES);
	memcpy(b2.prev, id1, ANTT_ID_BYTES);
	s_vector(arr, "later-record",
	         "seq 2: prev is the id of first-record; a Vietnamese UTF-8 note; a value of 0 "
	         "(its Value has no value field on the wire) and the largest allowed value, "
	         "2^53-1",
	         k, seed, &b2, id2);

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
	memcpy(b3.author, k->pk, ANTT_KEY_BYTES);
	memcpy(b3.prev, id2, ANTT_ID_BYTES);
	memcpy(b3.corrects, id1, ANTT_ID_BYTES);
	s_vector(arr, "correction",
	         "seq 3: a correction of first-record (corrects = its id), prev is the id of "
	         "later-record",
	         k, seed, &b3, id3);

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
	json_dumpf(root, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
	json_decref(root);
	antt_key_destroy(&k);
	return 0;
}
