/* test_record.c - the signed record (proto/record.c): the committed test
 * vectors in proto/vectors/ (record-v1.json; antt-v1.json: keys, CURVE keys
 * and key files, enrollments and revocations, the stamp, sync messages and
 * the bodies every implementation must refuse), the RFC 8032 Ed25519
 * vectors, that a change of any single bit of a body or signature is caught,
 * and that the decoders refuse every malformed or out-of-rule input with
 * ANTT_E_INVAL and a message, leaving nothing allocated. */
#include "testutil.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zmq.h>

#include "antt.pb-c.h"
#include "common.h"
#include "keyfile.h"
#include "record.h"

#define S_VECTORS ANTT_SOURCE_DIR "/proto/vectors/record-v1.json"
#define S_VECTORS_ALL ANTT_SOURCE_DIR "/proto/vectors/antt-v1.json"

/* ---- helpers ---- */

/* Fail with both byte strings in hex unless they are equal. */
static void s_expect_bytes(const char *what, const uint8_t *got, size_t glen, const uint8_t *want,
                           size_t wlen)
{
	if (glen == wlen && !memcmp(got, want, glen))
		return;
	char *g = malloc(2 * glen + 1), *w = malloc(2 * wlen + 1);
	antt_hex(g, got, glen);
	antt_hex(w, want, wlen);
	print_error("%s differs:\n  got  %s\n  want %s\n", what, g, w);
	free(g);
	free(w);
	fail();
}

static const char *s_jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_string(v))
		fail_msg("vector: \"%s\" is not a string", key);
	return json_string_value(v);
}

static json_int_t s_jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_integer(v))
		fail_msg("vector: \"%s\" is not an integer", key);
	return json_integer_value(v);
}

/* Hex of any length; caller frees. */
static uint8_t *s_jhex(json_t *o, const char *key, size_t *len)
{
	return tu_unhex(s_jstr(o, key), len);
}

/* Hex of exactly n bytes. */
static void s_jhex_n(json_t *o, const char *key, uint8_t *out, size_t n)
{
	size_t len;
	uint8_t *p = s_jhex(o, key, &len);
	if (len != n)
		fail_msg("vector: \"%s\" has %zu bytes, expected %zu", key, len, n);
	memcpy(out, p, n);
	free(p);
}

/* An array of strings, copied (caller frees each and the array). */
static char **s_jstrv(json_t *o, const char *key, size_t *n)
{
	json_t *a = json_object_get(o, key), *x;
	size_t i;
	if (!json_is_array(a))
		fail_msg("vector: \"%s\" is not an array", key);
	*n = json_array_size(a);
	char **v = antt_xcalloc(*n ? *n : 1, sizeof *v);
	json_array_foreach (a, i, x) {
		if (!json_is_string(x))
			fail_msg("vector: \"%s\" holds a non-string", key);
		v[i] = antt_xstrdup(json_string_value(x));
	}
	return v;
}

static json_t *s_load_vectors(void)
{
	json_error_t je;
	json_t *root = json_load_file(S_VECTORS, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		fail_msg("%s:%d:%d: %s", S_VECTORS, je.line, je.column, je.text);
	assert_string_equal(s_jstr(root, "format"), "antt record v1");
	json_t *vs = json_object_get(root, "vectors");
	assert_true(json_is_array(vs));
	assert_true(json_array_size(vs) >= 3);
	return root;
}

/* A vector's "fields" as a body (owning its strings). */
static void s_fields_to_body(json_t *f, antt_body_t *b)
{
	memset(b, 0, sizeof *b);
	b->version = (uint32_t)s_jint(f, "version");
	s_jhex_n(f, "author", b->author, ANTT_KEY_BYTES);
	b->seq = (uint64_t)s_jint(f, "seq");
	s_jhex_n(f, "prev", b->prev, ANTT_ID_BYTES);
	b->unit = antt_xstrdup(s_jstr(f, "unit"));
	b->clock = s_jint(f, "clock");
	b->form = antt_xstrdup(s_jstr(f, "form"));
	b->period = antt_xstrdup(s_jstr(f, "period"));
	json_t *vals = json_object_get(f, "values");
	assert_true(json_is_array(vals));
	b->n_values = json_array_size(vals);
	b->values = antt_xcalloc(b->n_values, sizeof *b->values);
	for (size_t i = 0; i < b->n_values; i++) {
		json_t *pair = json_array_get(vals, i);
		assert_true(json_is_array(pair) && json_array_size(pair) == 2);
		assert_true(json_is_string(json_array_get(pair, 0)));
		assert_true(json_is_integer(json_array_get(pair, 1)));
		b->values[i].code = antt_xstrdup(json_string_value(json_array_get(pair, 0)));
		b->values[i].value = (uint64_t)json_integer_value(json_array_get(pair, 1));
	}
	json_t *note = json_object_get(f, "note"), *corr = json_object_get(f, "corrects");
	assert_true(json_is_null(note) || json_is_string(note));
	if (json_is_string(note))
		b->note = antt_xstrdup(json_string_value(note));
	assert_true(json_is_null(corr) || json_is_string(corr));
	if (json_is_string(corr)) {
		b->has_corrects = 1;
		s_jhex_n(f, "corrects", b->corrects, ANTT_ID_BYTES);
	}
	/* antt-v1.json's records; record-v1.json's have neither key */
	json_t *e = json_object_get(f, "enroll"), *r = json_object_get(f, "revoke");
	if (json_is_object(e)) {
		b->has_enroll = 1;
		b->enroll_unit = antt_xstrdup(s_jstr(e, "unit"));
		s_jhex_n(e, "key", b->enroll_key, ANTT_KEY_BYTES);
		b->enroll_grant = (uint32_t)s_jint(e, "grant");
		b->enroll_units = s_jstrv(e, "units", &b->n_enroll_units);
		b->enroll_subtrees = s_jstrv(e, "subtrees", &b->n_enroll_subtrees);
	} else {
		assert_true(!e || json_is_null(e));
	}
	if (json_is_object(r)) {
		json_t *reason = json_object_get(r, "reason");
		b->has_revoke = 1;
		s_jhex_n(r, "key", b->revoke_key, ANTT_KEY_BYTES);
		b->revoke_after = (uint64_t)s_jint(r, "after_seq");
		assert_true(json_is_null(reason) || json_is_string(reason));
		if (json_is_string(reason))
			b->revoke_reason = antt_xstrdup(json_string_value(reason));
	} else {
		assert_true(!r || json_is_null(r));
	}
}

static void s_expect_same_strv(char *const *got, size_t ngot, char *const *want, size_t nwant)
{
	assert_int_equal(ngot, nwant);
	for (size_t i = 0; i < nwant; i++)
		assert_string_equal(got[i], want[i]);
}

static void s_expect_same_body(const antt_body_t *got, const antt_body_t *want)
{
	assert_int_equal(got->version, want->version);
	assert_memory_equal(got->author, want->author, ANTT_KEY_BYTES);
	assert_int_equal(got->seq, want->seq);
	assert_memory_equal(got->prev, want->prev, ANTT_ID_BYTES);
	assert_string_equal(got->unit, want->unit);
	assert_int_equal(got->clock, want->clock);
	assert_string_equal(got->form, want->form);
	assert_string_equal(got->period, want->period);
	assert_int_equal(got->n_values, want->n_values);
	for (size_t i = 0; i < want->n_values; i++) {
		assert_string_equal(got->values[i].code, want->values[i].code);
		assert_int_equal(got->values[i].value, want->values[i].value);
	}
	if (want->note)
		assert_string_equal(got->note, want->note);
	else
		assert_null(got->note);
	assert_int_equal(got->has_corrects, want->has_corrects);
	if (want->has_corrects)
		assert_memory_equal(got->corrects, want->corrects, ANTT_ID_BYTES);
	assert_int_equal(got->has_enroll, want->has_enroll);
	if (want->has_enroll) {
		assert_string_equal(got->enroll_unit, want->enroll_unit);
		assert_memory_equal(got->enroll_key, want->enroll_key, ANTT_KEY_BYTES);
		assert_int_equal(got->enroll_grant, want->enroll_grant);
		s_expect_same_strv(got->enroll_units, got->n_enroll_units, want->enroll_units,
		                   want->n_enroll_units);
		s_expect_same_strv(got->enroll_subtrees, got->n_enroll_subtrees,
		                   want->enroll_subtrees, want->n_enroll_subtrees);
	}
	assert_int_equal(got->has_revoke, want->has_revoke);
	if (want->has_revoke) {
		assert_memory_equal(got->revoke_key, want->revoke_key, ANTT_KEY_BYTES);
		assert_int_equal(got->revoke_after, want->revoke_after);
		if (want->revoke_reason)
			assert_string_equal(got->revoke_reason, want->revoke_reason);
		else
			assert_null(got->revoke_reason);
	}
}

/* ---- the committed vectors ---- */

/* One record vector, all five steps of proto/vectors/README.md: the key
 * from the seed, fields -> body bytes, the id, the signature (deterministic)
 * and its check, the envelope; and back: the bytes decode to the fields.
 * *b gets the fields (caller clears), id the id. */
static void s_check_record(json_t *v, antt_body_t *b, uint8_t id[ANTT_ID_BYTES])
{
	char err[ANTT_ERR_MAX] = "";
	const char *name = s_jstr(v, "name");
	uint8_t seed[ANTT_SEED_BYTES], pk[ANTT_KEY_BYTES], sig[ANTT_SIG_BYTES], calc[ANTT_ID_BYTES],
	    mysig[ANTT_SIG_BYTES];
	s_jhex_n(v, "seed", seed, sizeof seed);
	s_jhex_n(v, "public_key", pk, sizeof pk);
	s_jhex_n(v, "id", id, ANTT_ID_BYTES);
	s_jhex_n(v, "signature", sig, sizeof sig);
	size_t want_blen, want_elen;
	uint8_t *want_body = s_jhex(v, "body_hex", &want_blen);
	uint8_t *want_env = s_jhex(v, "envelope_hex", &want_elen);
	print_message("vector %s: %zu byte body\n", name, want_blen);

	antt_key_t *k = NULL;
	assert_int_equal(antt_key_from_seed(seed, &k), ANTT_OK);
	s_expect_bytes("public key", k->pk, ANTT_KEY_BYTES, pk, ANTT_KEY_BYTES);

	s_fields_to_body(json_object_get(v, "fields"), b);
	assert_memory_equal(b->author, pk, ANTT_KEY_BYTES);
	uint8_t *body = NULL;
	size_t blen = 0;
	if (antt_body_encode(b, &body, &blen, err))
		fail_msg("%s: encode: %s", name, err);
	s_expect_bytes("body", body, blen, want_body, want_blen);

	antt_record_id(calc, body, blen);
	s_expect_bytes("id", calc, ANTT_ID_BYTES, id, ANTT_ID_BYTES);
	antt_record_sign(mysig, body, blen, k->sk);
	s_expect_bytes("signature", mysig, ANTT_SIG_BYTES, sig, ANTT_SIG_BYTES);
	assert_int_equal(antt_record_verify(sig, want_body, want_blen, pk), 0);

	uint8_t *env = NULL;
	size_t elen = 0;
	assert_int_equal(antt_envelope_encode(body, blen, sig, &env, &elen), ANTT_OK);
	s_expect_bytes("envelope", env, elen, want_env, want_elen);

	/* and back: the expected bytes decode to the same fields */
	antt_body_t back;
	if (antt_body_decode(want_body, want_blen, &back, err))
		fail_msg("%s: decode: %s", name, err);
	s_expect_same_body(&back, b);
	antt_body_clear(&back);
	uint8_t *ebody = NULL, esig[ANTT_SIG_BYTES];
	size_t eblen = 0;
	if (antt_envelope_decode(want_env, want_elen, &ebody, &eblen, esig, err))
		fail_msg("%s: envelope decode: %s", name, err);
	s_expect_bytes("envelope body", ebody, eblen, want_body, want_blen);
	s_expect_bytes("envelope signature", esig, ANTT_SIG_BYTES, sig, ANTT_SIG_BYTES);

	free(ebody);
	free(env);
	free(body);
	antt_key_destroy(&k);
	free(want_body);
	free(want_env);
}

static void test_vectors(void **state)
{
	(void)state;
	json_t *root = s_load_vectors();
	json_t *vs = json_object_get(root, "vectors"), *v;
	size_t i;
	uint8_t ids[16][ANTT_ID_BYTES];
	int saw_first = 0, saw_note = 0, saw_corrects = 0;
	assert_true(json_array_size(vs) <= 16);
	json_array_foreach (vs, i, v) {
		antt_body_t b;
		s_check_record(v, &b, ids[i]);
		/* the vectors form one chain, as a node would write it */
		if (b.seq == 1) {
			saw_first = 1;
		} else {
			assert_true(i > 0);
			assert_int_equal(b.seq, (uint64_t)i + 1);
			assert_memory_equal(b.prev, ids[i - 1], ANTT_ID_BYTES);
		}
		if (b.note) {
			int high = 0;
			for (const char *p = b.note; *p; p++)
				high |= (unsigned char)*p >= 0x80;
			saw_note |= high;
		}
		if (b.has_corrects) {
			saw_corrects = 1;
			assert_memory_equal(b.corrects, ids[0], ANTT_ID_BYTES);
		}
		antt_body_clear(&b);
	}
	assert_true(saw_first);
	assert_true(saw_note);
	assert_true(saw_corrects);
	json_decref(root);
}

/* ---- RFC 8032 section 7.1 ---- */

typedef struct {
	const char *name, *seed, *pk, *msg, *sig;
} s_rfc_t;

static const s_rfc_t s_rfc8032[] = {
    {"TEST 1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
     "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"TEST 2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
     "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"TEST 3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
     "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
    {"TEST 1024", "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
     "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
     "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98fa6e264bf09efe12"
     "ee50f8f54e9f77b1e355f6c50544e23fb1433ddf73be84d879de7c0046dc4996d9e773f4bc9efe57"
     "38829adb26c81b37c93a1b270b20329d658675fc6ea534e0810a4432826bf58c941efb65d57a338b"
     "bd2e26640f89ffbc1a858efcb8550ee3a5e1998bd177e93a7363c344fe6b199ee5d02e82d522c4fe"
     "ba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e06203b33890cc9b8"
     "32f79ef80560ccb9a39ce767967ed628c6ad573cb116dbefefd75499da96bd68a8a97b928a8bbc10"
     "3b6621fcde2beca1231d206be6cd9ec7aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53"
     "f1d8ac70bdcb7ed185ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2"
     "d17ba70eb6248e594e1a2297acbbb39d502f1a8c6eb6f1ce22b3de1a1f40cc24554119a831a9aad6"
     "079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f27088d78b7e883c8759d2c4f5c65adb7553"
     "878ad575f9fad878e80a0c9ba63bcbcc2732e69485bbc9c90bfbd62481d9089beccf80cfe2df16a2"
     "cf65bd92dd597b0707e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128ba"
     "b27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51addd3b75a2b1ae078"
     "4504df543af8969be3ea7082ff7fc9888c144da2af58429ec96031dbcad3dad9af0dcbaaaf268cb8"
     "fcffead94f3c7ca495e056a9b47acdb751fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301"
     "651339e22904cc8c42f58c30c04aafdb038dda0847dd988dcda6f3bfd15c4b4c4525004aa06eeff8"
     "ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34dff7310fdc82aebfd9"
     "04b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08d78ff4ef5d63653a65040cf9bfd4aca7"
     "984a74d37145986780fc0b16ac451649de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a"
     "3ca8e1b939ae49e488acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a3"
     "2ef5b52a1ecc820e308aa342721aac0943bf6686b64b2579376504ccc493d97e6aed3fb0f9cd71a4"
     "3dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5fb93246f6b1116398a346f1a641f3b041"
     "e989f7914f90cc2c7fff357876e506b50d334ba77c225bc307ba537152f3f1610e4eafe595f6d9d9"
     "0d11faa933a15ef1369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d"
     "b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c0618983f8741c5ef"
     "68d3a101e8a3b8cac60c905c15fc910840b94c00a0b9d0",
     "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350"
     "aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03"},
    {"TEST SHA(abc)", "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
     "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
     "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
     "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589"
     "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704"},
};

static void test_rfc8032(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof s_rfc8032 / sizeof s_rfc8032[0]; i++) {
		const s_rfc_t *t = &s_rfc8032[i];
		size_t n;
		uint8_t seed[ANTT_SEED_BYTES], pk[ANTT_KEY_BYTES], want[ANTT_SIG_BYTES],
		    sig[ANTT_SIG_BYTES];
		assert_int_equal(antt_unhex(seed, sizeof seed, t->seed), 0);
		assert_int_equal(antt_unhex(pk, sizeof pk, t->pk), 0);
		assert_int_equal(antt_unhex(want, sizeof want, t->sig), 0);
		uint8_t *msg = tu_unhex(t->msg, &n);
		print_message("%s: %zu byte message\n", t->name, n);

		antt_key_t *k = NULL;
		assert_int_equal(antt_key_from_seed(seed, &k), ANTT_OK);
		s_expect_bytes(t->name, k->pk, ANTT_KEY_BYTES, pk, ANTT_KEY_BYTES);
		antt_record_sign(sig, msg, n, k->sk);
		s_expect_bytes(t->name, sig, ANTT_SIG_BYTES, want, ANTT_SIG_BYTES);
		assert_int_equal(antt_record_verify(want, msg, n, pk), 0);
		/* not under another vector's key */
		const s_rfc_t *o = &s_rfc8032[(i + 1) % (sizeof s_rfc8032 / sizeof s_rfc8032[0])];
		uint8_t opk[ANTT_KEY_BYTES];
		assert_int_equal(antt_unhex(opk, sizeof opk, o->pk), 0);
		assert_int_equal(antt_record_verify(want, msg, n, opk), -1);
		antt_key_destroy(&k);
		free(msg);
	}
	/* TEST SHA(abc)'s message is what its name says */
	uint8_t h[crypto_hash_sha512_BYTES], m[64];
	crypto_hash_sha512(h, (const uint8_t *)"abc", 3);
	assert_int_equal(antt_unhex(m, sizeof m, s_rfc8032[4].msg), 0);
	assert_memory_equal(h, m, sizeof m);
	/* and TEST 1024's is 1023 bytes long */
	assert_int_equal(strlen(s_rfc8032[3].msg), 2 * 1023);
}

/* ---- a single changed bit is caught ---- */

static void test_bit_flips(void **state)
{
	(void)state;
	json_t *root = s_load_vectors();
	json_t *vs = json_object_get(root, "vectors"), *v;
	size_t i;
	json_array_foreach (vs, i, v) {
		uint8_t pk[ANTT_KEY_BYTES], sig[ANTT_SIG_BYTES], id[ANTT_ID_BYTES],
		    calc[ANTT_ID_BYTES];
		size_t blen;
		s_jhex_n(v, "public_key", pk, sizeof pk);
		s_jhex_n(v, "signature", sig, sizeof sig);
		uint8_t *body = s_jhex(v, "body_hex", &blen);
		antt_record_id(id, body, blen);
		assert_int_equal(antt_record_verify(sig, body, blen, pk), 0);

		for (size_t bit = 0; bit < 8 * blen; bit++) {
			body[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			if (antt_record_verify(sig, body, blen, pk) != -1)
				fail_msg("%s: body with bit %zu flipped still verifies",
				         s_jstr(v, "name"), bit);
			antt_record_id(calc, body, blen);
			assert_memory_not_equal(calc, id, ANTT_ID_BYTES);
			body[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
		for (size_t bit = 0; bit < 8 * ANTT_SIG_BYTES; bit++) {
			sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			if (antt_record_verify(sig, body, blen, pk) != -1)
				fail_msg("%s: signature with bit %zu flipped still verifies",
				         s_jstr(v, "name"), bit);
			sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
		for (size_t bit = 0; bit < 8 * ANTT_KEY_BYTES; bit++) {
			pk[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			if (antt_record_verify(sig, body, blen, pk) != -1)
				fail_msg("%s: verifies under a key with bit %zu flipped",
				         s_jstr(v, "name"), bit);
			pk[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
		/* a byte more or less */
		assert_int_equal(antt_record_verify(sig, body, blen - 1, pk), -1);
		uint8_t *longer = malloc(blen + 1);
		memcpy(longer, body, blen);
		longer[blen] = 0;
		assert_int_equal(antt_record_verify(sig, longer, blen + 1, pk), -1);
		free(longer);
		/* and everything restored still verifies */
		assert_int_equal(antt_record_verify(sig, body, blen, pk), 0);
		free(body);
	}
	json_decref(root);
}

/* ---- decoder refusals ---- */

/* A valid RecordBody as a protobuf-c message, to be spoiled one way. */
#define S_NV 300
typedef struct {
	Antt__RecordBody m;
	Antt__Value v[S_NV];
	Antt__Value *vp[S_NV];
	char codes[S_NV][80];
	uint8_t author[40], prev[40], corrects[40];
	char note[ANTT_NOTE_MAX + 8];
} s_msg_t;

static void s_msg_values(s_msg_t *x, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		antt__value__init(&x->v[i]);
		snprintf(x->codes[i], sizeof x->codes[i], "c%03zu", i);
		x->v[i].code = x->codes[i];
		x->v[i].value = i + 1;
		x->vp[i] = &x->v[i];
	}
	x->m.n_values = n;
	x->m.values = x->vp;
}

static void s_msg_init(s_msg_t *x)
{
	memset(x, 0, sizeof *x);
	antt__record_body__init(&x->m);
	x->m.version = 1;
	memset(x->author, 0xaa, sizeof x->author);
	x->m.author.data = x->author;
	x->m.author.len = ANTT_KEY_BYTES;
	x->m.seq = 2;
	memset(x->prev, 0x11, sizeof x->prev);
	x->m.prev.data = x->prev;
	x->m.prev.len = ANTT_ID_BYTES;
	x->m.unit = "10375";
	x->m.clock = 1718409600;
	x->m.form = "bvanttq-monthly";
	x->m.period = "2024-05";
	s_msg_values(x, 3);
	snprintf(x->note, sizeof x->note, "Ghi chú: đã xác minh");
	x->m.note = x->note;
	memset(x->corrects, 0x33, sizeof x->corrects);
}

static uint8_t *s_pack(const s_msg_t *x, size_t *len)
{
	*len = antt__record_body__get_packed_size(&x->m);
	uint8_t *buf = malloc(*len + 1);
	assert_int_equal(antt__record_body__pack(&x->m, buf), *len);
	return buf;
}

/* buf must decode; returns nothing, checks a round trip through encode. */
static void s_accept(const uint8_t *buf, size_t len, const char *what)
{
	char err[ANTT_ERR_MAX] = "";
	antt_body_t b;
	if (antt_body_decode(buf, len, &b, err))
		fail_msg("%s: refused: %s", what, err);
	uint8_t *again;
	size_t alen;
	if (antt_body_encode(&b, &again, &alen, err))
		fail_msg("%s: decoded but does not encode: %s", what, err);
	free(again);
	antt_body_clear(&b);
}

/* buf must be refused with ANTT_E_INVAL, a message (containing says, if
 * given) and an empty body. */
static void s_reject(const uint8_t *buf, size_t len, const char *what, const char *says)
{
	char err[ANTT_ERR_MAX] = "";
	antt_body_t b;
	static const antt_body_t empty;
	memset(&b, 0x5a, sizeof b);
	int rc = antt_body_decode(buf, len, &b, err);
	if (rc != ANTT_E_INVAL)
		fail_msg("%s: decode returned %d, expected ANTT_E_INVAL (%s)", what, rc, err);
	if (!err[0])
		fail_msg("%s: refused without a message", what);
	if (says && !strstr(err, says))
		fail_msg("%s: message \"%s\" does not say \"%s\"", what, err, says);
	assert_memory_equal(&b, &empty, sizeof b);
}

static void s_accept_msg(const s_msg_t *x, const char *what)
{
	size_t len;
	uint8_t *buf = s_pack(x, &len);
	s_accept(buf, len, what);
	free(buf);
}

static void s_reject_msg(const s_msg_t *x, const char *what, const char *says)
{
	size_t len;
	uint8_t *buf = s_pack(x, &len);
	s_reject(buf, len, what, says);
	free(buf);
}

/* Apply one change to a fresh valid message and expect it refused. */
#define S_REJECT(change, says)                                                                     \
	do {                                                                                       \
		s_msg_init(&x);                                                                    \
		change;                                                                            \
		s_reject_msg(&x, #change, says);                                                   \
	} while (0)
#define S_ACCEPT(change)                                                                           \
	do {                                                                                       \
		s_msg_init(&x);                                                                    \
		change;                                                                            \
		s_accept_msg(&x, #change);                                                         \
	} while (0)

static void test_reject_fields(void **state)
{
	(void)state;
	static s_msg_t x;
	S_ACCEPT((void)0); /* the starting point is valid */

	S_REJECT(x.m.version = 0, "version");
	S_REJECT(x.m.version = 2, "version");

	S_REJECT(x.m.author.len = 31, "wrong size");
	S_REJECT(x.m.author.len = 33, "wrong size");
	S_REJECT(x.m.author.len = 0, "wrong size");
	S_REJECT(x.m.prev.len = 31, "wrong size");
	S_REJECT(x.m.prev.len = 0, "wrong size");
	S_REJECT((x.m.seq = 1, x.m.prev.len = 0), "wrong size"); /* seq 1 still has 32 zeros */
	S_REJECT((x.m.corrects.data = x.corrects, x.m.corrects.len = 16), "wrong size");
	S_REJECT((x.m.corrects.data = x.corrects, x.m.corrects.len = 33), "wrong size");
	S_ACCEPT((x.m.corrects.data = x.corrects, x.m.corrects.len = 32));

	S_REJECT(x.m.seq = 0, "sequence");
	S_REJECT(x.m.seq = (uint64_t)INT64_MAX + 1, "sequence");
	S_REJECT(x.m.seq = UINT64_MAX, "sequence");
	S_ACCEPT(x.m.seq = INT64_MAX);
	S_REJECT(x.m.seq = 1, "prev must be zero");                      /* seq 1 with a prev */
	S_REJECT(memset(x.prev, 0, sizeof x.prev), "prev must be zero"); /* seq 2, zero prev */
	S_REJECT((x.m.seq = 9, memset(x.prev, 0, sizeof x.prev)), "prev must be zero");
	S_ACCEPT((x.m.seq = 1, memset(x.prev, 0, sizeof x.prev)));
	S_ACCEPT(x.prev[31] = 0); /* one zero byte is fine */

	S_REJECT(x.m.unit = "", "unit");
	S_REJECT(x.m.unit = "10 375", "unit");
	S_REJECT(x.m.unit = "10/375", "unit");
	S_REJECT(x.m.unit = "xã", "unit");
	S_REJECT(x.m.unit = "12345678901234567", "unit");
	S_ACCEPT(x.m.unit = "1234567890123456");
	S_ACCEPT(x.m.unit = "-._Az09");

	S_REJECT(x.m.form = "", "form");
	S_REJECT(x.m.form = "-monthly", "form");
	S_REJECT(x.m.form = ".monthly", "form");
	S_REJECT(x.m.form = "bvanttq monthly", "form");
	S_REJECT(x.m.form = "bvanttq/monthly", "form");
	S_REJECT(x.m.form = "a1234567890123456789012345678901234567890123456789012345678901234",
	         "form");
	S_ACCEPT(x.m.form = "a123456789012345678901234567890123456789012345678901234567890123");

	S_REJECT(x.m.period = "", "period");
	S_REJECT(x.m.period = "2024/05", "period");
	S_REJECT(x.m.period = "2024 05", "period");
	S_REJECT(x.m.period = "2024-05-01-01-01", "period");
	S_REJECT(x.m.period = "2024-05-01-01-011", "period");
	/* the calendar: test_periods */

	S_REJECT(x.v[1].code = "c000", "ascending");                   /* duplicate */
	S_REJECT((x.vp[0] = &x.v[1], x.vp[1] = &x.v[0]), "ascending"); /* swapped */
	S_REJECT(x.v[2].code = "b", "ascending");
	S_REJECT(x.v[0].code = "", "indicator code");
	S_REJECT(x.v[0].code = "_a", "indicator code");
	S_REJECT(x.v[0].code = "a b", "indicator code");
	S_REJECT(x.v[1].value = ANTT_VALUE_MAX + 1, "too large");
	S_REJECT(x.v[1].value = UINT64_MAX, "too large");
	S_ACCEPT(x.v[1].value = ANTT_VALUE_MAX);
	S_ACCEPT(x.v[1].value = 0);
	S_ACCEPT(x.m.n_values = 0);
	S_ACCEPT(s_msg_values(&x, ANTT_VALUES_MAX));
	S_REJECT(s_msg_values(&x, ANTT_VALUES_MAX + 1), "more than 256 values");

	S_ACCEPT(x.m.note = "");
	S_ACCEPT(x.m.note = "tiếng Việt, 中文, emoji \xf0\x9f\x98\x80");
	static const char *bad_utf8[] = {
	    "\x80",                 /* continuation without a start */
	    "abc\xff",              /* never valid */
	    "\xc3",                 /* cut short */
	    "\xe1\xbb",             /* cut short */
	    "\xc0\xaf",             /* overlong '/' */
	    "\xe0\x80\xaf",         /* overlong '/' */
	    "\xf0\x80\x80\xaf",     /* overlong '/' */
	    "\xed\xa0\x80",         /* UTF-16 surrogate */
	    "\xf4\x90\x80\x80",     /* above U+10FFFF */
	    "\xf8\x88\x80\x80\x80", /* 5-byte form */
	    "Vi\xe1\xbb\x74",       /* bad continuation */
	};
	for (size_t i = 0; i < sizeof bad_utf8 / sizeof bad_utf8[0]; i++) {
		char what[64];
		snprintf(what, sizeof what, "invalid UTF-8 note #%zu", i);
		s_msg_init(&x);
		x.m.note = (char *)bad_utf8[i];
		s_reject_msg(&x, what, "UTF-8");
	}
	S_ACCEPT(memset(x.note, 'a', ANTT_NOTE_MAX));
	S_REJECT(memset(x.note, 'a', ANTT_NOTE_MAX + 1), "note");
}

/* The period of every record is a day, a month, a quarter or a year of
 * the calendar, years 2000 to 2099, whatever its form (which kind its form
 * takes is for a reader that has the form); a system record's is a day. */
static void test_periods(void **state)
{
	(void)state;
	static s_msg_t x;
	static const char *good[] = {
	    "2024-06-15", "2024-02-29", "2000-02-29", "2000-01-01", "2099-12-31", "2024-05",
	    "2024-01",    "2024-12",    "2024-Q1",    "2024-Q4",    "2000",       "2099",
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		S_ACCEPT(x.m.period = (char *)good[i]);
	static const char *bad[] = {/* what an attacking peer had a hub accept */
	                            "1999", "2025-13", "2025-Q5", "2025-02-30",
	                            /* days that do not exist */
	                            "2023-02-29", "2100-02-29", "2024-04-31", "2024-06-31",
	                            "2024-06-00", "2024-00-10",
	                            /* years out of range */
	                            "2100", "1999-12", "1999-Q4", "2100-01-01", "0000",
	                            /* other spellings */
	                            "2024-00", "2024-6", "2024-Q0", "2024-q2", "2024Q2",
	                            "2024-06-1", "24-06-15", "2024-06-15x", "20245", "2024-"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char what[64];
		snprintf(what, sizeof what, "period \"%s\"", bad[i]);
		s_msg_init(&x);
		x.m.period = (char *)bad[i];
		s_reject_msg(&x, what, bad[i]); /* the message quotes it */
	}

	/* the encoder holds to the same rules: nothing invalid is ever signed */
	char err[ANTT_ERR_MAX];
	antt_value_t v[] = {{"hop_dan", 3}};
	antt_body_t b = {.version = 1,
	                 .seq = 1,
	                 .unit = "10375",
	                 .form = "bvanttq-monthly",
	                 .period = "2025-02-30",
	                 .n_values = 1,
	                 .values = v};
	uint8_t *enc = NULL;
	size_t len = 0;
	assert_int_equal(antt_body_encode(&b, &enc, &len, err), ANTT_E_INVAL);
	tu_assert_contains(err, "'2025-02-30'");
	tu_assert_contains(err, "YYYY-MM-DD");
	b.period = "2025-02-28";
	assert_int_equal(antt_body_encode(&b, &enc, &len, err), ANTT_OK);
	free(enc);

	/* a system record's period is the day it was made */
	antt_body_t e = {.version = 1,
	                 .seq = 1,
	                 .unit = "332",
	                 .has_enroll = 1,
	                 .enroll_unit = "12346",
	                 .form = ANTT_FORM_ENROLL};
	static const char *not_day[] = {"2024-06", "2024-Q2", "2024"};
	for (size_t i = 0; i < sizeof not_day / sizeof not_day[0]; i++) {
		e.period = (char *)not_day[i];
		assert_int_equal(antt_body_encode(&e, &enc, &len, err), ANTT_E_INVAL);
		tu_assert_contains(err, "system record");
		tu_assert_contains(err, not_day[i]);
	}
	e.period = "2024-06-15";
	assert_int_equal(antt_body_encode(&e, &enc, &len, err), ANTT_OK);
	antt_body_t d;
	assert_int_equal(antt_body_decode(enc, len, &d, err), ANTT_OK);
	antt_body_clear(&d);
	free(enc);
	e.has_enroll = 0;
	e.has_revoke = 1;
	e.form = ANTT_FORM_REVOKE;
	e.period = "2024-06";
	assert_int_equal(antt_body_encode(&e, &enc, &len, err), ANTT_E_INVAL);
	tu_assert_contains(err, "system record");
	e.period = "2024-06-15";
	assert_int_equal(antt_body_encode(&e, &enc, &len, err), ANTT_OK);
	free(enc);
}

/* Append raw protobuf bytes to the encoding of a valid message. */
static void s_reject_appended(const uint8_t *extra, size_t n, const char *what, const char *says)
{
	static s_msg_t x;
	size_t len;
	s_msg_init(&x);
	uint8_t *buf = s_pack(&x, &len);
	buf = realloc(buf, len + n);
	memcpy(buf + len, extra, n);
	s_reject(buf, len + n, what, says);
	free(buf);
}

static void test_reject_encoding(void **state)
{
	(void)state;
	/* unknown fields, at the top and inside a value */
	static const uint8_t f14[] = {0x70, 0x01};
	s_reject_appended(f14, sizeof f14, "unknown varint field 14", "unknown fields");
	static const uint8_t f100[] = {0xa2, 0x06, 0x01, 'x'};
	s_reject_appended(f100, sizeof f100, "unknown bytes field 100", "unknown fields");
	static const uint8_t v3[] = {0x4a, 0x07, 0x0a, 0x01, 'z', 0x10, 0x01, 0x18, 0x05};
	s_reject_appended(v3, sizeof v3, "unknown field 3 in a Value", "unknown field");

	/* a known field with the wrong wire type */
	static const uint8_t seqbytes[] = {0x1a, 0x01, 0x05};
	s_reject_appended(seqbytes, sizeof seqbytes, "seq as bytes", NULL);

	/* NUL inside a string: what is signed must be what is read */
	static const uint8_t nulnote[] = {0x52, 0x05, 'a', 'b', 0x00, 'c', 'd'};
	s_reject_appended(nulnote, sizeof nulnote, "NUL inside the note", "canonical");
	static const uint8_t nulunit[] = {0x2a, 0x05, '1', '0', 0x00, 'x', 'x'};
	s_reject_appended(nulunit, sizeof nulunit, "NUL inside the unit", "canonical");
	static const uint8_t nulcode[] = {0x4a, 0x05, 0x0a, 0x03, 'z', 0x00, 'z'};
	s_reject_appended(nulcode, sizeof nulcode, "NUL inside a value code", "canonical");

	/* garbage */
	static const uint8_t ff[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	                               0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	s_reject(ff, sizeof ff, "0xff bytes", NULL);
	static const uint8_t zeros[64] = {0};
	s_reject(zeros, sizeof zeros, "zero bytes", NULL);
	s_reject((const uint8_t *)"hello, world", 12, "text", NULL);
	static const uint8_t huge_len[] = {0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f};
	s_reject(huge_len, sizeof huge_len, "length beyond the end", NULL);
	static const uint8_t cut_varint[] = {0x08};
	s_reject(cut_varint, sizeof cut_varint, "tag without value", NULL);
	static const uint8_t long_varint[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff,
	                                      0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
	s_reject(long_varint, sizeof long_varint, "11-byte varint", NULL);
	s_reject((const uint8_t *)"", 0, "no bytes", "wrong size");
	uint8_t noise[1000];
	uint32_t r = 1;
	for (size_t i = 0; i < sizeof noise; i++) {
		r = r * 1103515245u + 12345u;
		noise[i] = (uint8_t)(r >> 16);
	}
	for (size_t n = 1; n <= sizeof noise; n += 37)
		s_reject(noise, n, "pseudo-random bytes", NULL);

	/* an envelope is not a body */
	static s_msg_t x;
	size_t blen, elen;
	s_msg_init(&x);
	uint8_t *body = s_pack(&x, &blen), *env, sig[ANTT_SIG_BYTES] = {0};
	assert_int_equal(antt_envelope_encode(body, blen, sig, &env, &elen), ANTT_OK);
	s_reject(env, elen, "an envelope", NULL);
	free(env);
	free(body);

	/* over-long: refused before parsing */
	x.m.note = malloc(ANTT_BODY_MAX + 10);
	memset(x.m.note, 'a', ANTT_BODY_MAX + 9);
	x.m.note[ANTT_BODY_MAX + 9] = '\0';
	body = s_pack(&x, &blen);
	assert_true(blen > ANTT_BODY_MAX);
	s_reject(body, blen, "body larger than ANTT_BODY_MAX", "larger than 65536");
	free(body);
	free(x.m.note);
}

/* An envelope has one spelling too: signature first, or a body given
 * twice, is refused (readers would disagree on which record it holds). */
static void test_envelope_noncanonical(void **state)
{
	(void)state;
	char err[ANTT_ERR_MAX] = "";
	uint8_t body[3] = {0x08, 0x01, 0x10}, sig[ANTT_SIG_BYTES], *env, *b = NULL,
	        s2[ANTT_SIG_BYTES];
	size_t elen, blen;
	memset(sig, 7, sizeof sig);
	assert_int_equal(antt_envelope_encode(body, sizeof body, sig, &env, &elen), ANTT_OK);
	assert_int_equal(antt_envelope_decode(env, elen, &b, &blen, s2, err), ANTT_OK);
	free(b);
	/* the same two fields, signature first */
	uint8_t swapped[512];
	size_t blen_field = 2 + sizeof body;
	memcpy(swapped, env + blen_field, elen - blen_field);
	memcpy(swapped + (elen - blen_field), env, blen_field);
	b = NULL;
	assert_int_equal(antt_envelope_decode(swapped, elen, &b, &blen, s2, err), ANTT_E_INVAL);
	assert_non_null(strstr(err, "canonical"));
	assert_null(b);
	/* the body twice: the first hidden by the second */
	uint8_t twice[512];
	memcpy(twice, env, blen_field);
	memcpy(twice + blen_field, env, elen);
	assert_int_equal(antt_envelope_decode(twice, elen + blen_field, &b, &blen, s2, err),
	                 ANTT_E_INVAL);
	assert_null(b);
	free(env);
}

/* proto/README.md: only the canonical encoding is valid.  The same content
 * spelled otherwise (fields out of order, default values written out, a
 * field repeated) is refused, so that no signed byte can hide from a reader. */
static void test_reject_noncanonical(void **state)
{
	(void)state;
	static s_msg_t x;
	char err[ANTT_ERR_MAX] = "";
	size_t len;
	s_msg_init(&x);
	x.m.n_values = 2;
	x.v[1].value = 0;
	uint8_t *buf = s_pack(&x, &len);
	antt_body_t want;
	assert_int_equal(antt_body_decode(buf, len, &want, err), ANTT_OK);
	antt_body_clear(&want);

	/* version (the first 2 bytes) moved to the end */
	uint8_t *other = malloc(len + 16);
	memcpy(other, buf + 2, len - 2);
	memcpy(other + len - 2, buf, 2);
	s_reject(other, len, "fields out of order", "canonical");
	/* an empty corrects written out */
	memcpy(other, buf, len);
	other[len] = 0x5a, other[len + 1] = 0x00;
	s_reject(other, len + 2, "a default value written out", "canonical");
	/* version given twice: the first is hidden by the second */
	other[0] = 0x08, other[1] = 0x02;
	memcpy(other + 2, buf, len);
	s_reject(other, len + 2, "a repeated field", "canonical");
	/* version as a padded varint */
	other[0] = 0x08, other[1] = 0x81, other[2] = 0x00;
	memcpy(other + 3, buf + 2, len - 2);
	s_reject(other, len + 1, "a non-minimal varint", "canonical");
	free(other);
	free(buf);
}

/* Offsets where the top-level fields of a protobuf message end; *n of
 * them.  field[i] is the number of the field ending at ends[i]. */
static void s_field_ends(const uint8_t *p, size_t len, size_t *ends, unsigned *field, size_t *n)
{
	size_t off = 0;
	*n = 0;
	while (off < len) {
		uint64_t key = 0, val = 0;
		for (int shift = 0;; shift += 7) {
			assert_true(off < len);
			key |= (uint64_t)(p[off] & 0x7f) << shift;
			if (!(p[off++] & 0x80))
				break;
		}
		for (int shift = 0;; shift += 7) {
			assert_true(off < len);
			val |= (uint64_t)(p[off] & 0x7f) << shift;
			if (!(p[off++] & 0x80))
				break;
		}
		if ((key & 7) == 2)
			off += val;
		else
			assert_int_equal(key & 7, 0);
		assert_true(off <= len);
		field[*n] = (unsigned)(key >> 3);
		ends[(*n)++] = off;
	}
}

/* Every cut of every vector body fails, except where a cut falls between
 * fields after the last required one (period): that is a shorter valid
 * body, and it must decode to exactly those bytes. */
static void test_reject_truncated(void **state)
{
	(void)state;
	json_t *root = s_load_vectors();
	json_t *vs = json_object_get(root, "vectors"), *v;
	size_t i;
	json_array_foreach (vs, i, v) {
		size_t blen, elen, ends[64], n;
		unsigned field[64];
		uint8_t *body = s_jhex(v, "body_hex", &blen);
		uint8_t *env = s_jhex(v, "envelope_hex", &elen);
		s_field_ends(body, blen, ends, field, &n);
		size_t accepted = 0;
		for (size_t cut = 0; cut < blen; cut++) {
			int boundary = 0, complete = 0;
			for (size_t j = 0; j < n; j++) {
				complete |= field[j] == 8 && ends[j] <= cut;
				boundary |= ends[j] == cut;
			}
			uint8_t *copy = malloc(cut + 1); /* exactly cut bytes for ASan */
			memcpy(copy, body, cut);
			char what[64];
			snprintf(what, sizeof what, "%s cut at %zu of %zu", s_jstr(v, "name"), cut,
			         blen);
			if (boundary && complete) {
				s_accept(copy, cut, what);
				accepted++;
			} else {
				s_reject(copy, cut, what, NULL);
			}
			free(copy);
		}
		/* values and note, or values, note and corrects: some cuts are valid */
		assert_true(accepted >= 1);
		for (size_t cut = 0; cut < elen; cut++) {
			char err[ANTT_ERR_MAX] = "";
			uint8_t *copy = malloc(cut + 1), *eb = NULL, sig[ANTT_SIG_BYTES];
			size_t eblen = 0;
			memcpy(copy, env, cut);
			if (antt_envelope_decode(copy, cut, &eb, &eblen, sig, err) != ANTT_E_INVAL)
				fail_msg("envelope cut at %zu of %zu accepted", cut, elen);
			assert_true(err[0] != '\0');
			assert_null(eb);
			free(copy);
		}
		free(body);
		free(env);
	}
	json_decref(root);
}

static void s_reject_envelope(const uint8_t *buf, size_t len, const char *what, const char *says)
{
	char err[ANTT_ERR_MAX] = "";
	uint8_t *body = NULL, sig[ANTT_SIG_BYTES];
	size_t blen = 0;
	int rc = antt_envelope_decode(buf, len, &body, &blen, sig, err);
	if (rc != ANTT_E_INVAL)
		fail_msg("%s: envelope decode returned %d (%s)", what, rc, err);
	if (!err[0])
		fail_msg("%s: refused without a message", what);
	if (says)
		tu_assert_contains(err, says);
	assert_null(body);
}

static uint8_t *s_pack_env(const uint8_t *body, size_t blen, const uint8_t *sig, size_t slen,
                           size_t *len)
{
	Antt__Envelope e = ANTT__ENVELOPE__INIT;
	e.body.data = (uint8_t *)body;
	e.body.len = blen;
	e.sig.data = (uint8_t *)sig;
	e.sig.len = slen;
	*len = antt__envelope__get_packed_size(&e);
	uint8_t *buf = malloc(*len + 8);
	antt__envelope__pack(&e, buf);
	return buf;
}

static void test_reject_envelope(void **state)
{
	(void)state;
	uint8_t body[16], sig[ANTT_SIG_BYTES + 1];
	memset(body, 'b', sizeof body);
	memset(sig, 's', sizeof sig);
	size_t len;
	uint8_t *buf = s_pack_env(body, sizeof body, sig, ANTT_SIG_BYTES, &len);
	char err[ANTT_ERR_MAX] = "";
	uint8_t *got = NULL, gsig[ANTT_SIG_BYTES];
	size_t glen = 0;
	assert_int_equal(antt_envelope_decode(buf, len, &got, &glen, gsig, err), ANTT_OK);
	s_expect_bytes("body", got, glen, body, sizeof body);
	s_expect_bytes("sig", gsig, ANTT_SIG_BYTES, sig, ANTT_SIG_BYTES);
	free(got);
	/* an unknown field after it */
	buf = realloc(buf, len + 2);
	buf[len] = 0x18;
	buf[len + 1] = 0x01;
	s_reject_envelope(buf, len + 2, "unknown field 3", "wrong field");
	free(buf);

	buf = s_pack_env(body, sizeof body, sig, ANTT_SIG_BYTES - 1, &len);
	s_reject_envelope(buf, len, "63-byte signature", "wrong field or size");
	free(buf);
	buf = s_pack_env(body, sizeof body, sig, ANTT_SIG_BYTES + 1, &len);
	s_reject_envelope(buf, len, "65-byte signature", "wrong field or size");
	free(buf);
	buf = s_pack_env(body, sizeof body, sig, 0, &len);
	s_reject_envelope(buf, len, "no signature", "wrong field or size");
	free(buf);
	buf = s_pack_env(body, 0, sig, ANTT_SIG_BYTES, &len);
	s_reject_envelope(buf, len, "empty body", "wrong field or size");
	free(buf);

	uint8_t *big = calloc(ANTT_BODY_MAX + 200, 1);
	buf = s_pack_env(big, ANTT_BODY_MAX, sig, ANTT_SIG_BYTES, &len);
	assert_int_equal(antt_envelope_decode(buf, len, &got, &glen, gsig, err), ANTT_OK);
	assert_int_equal(glen, ANTT_BODY_MAX);
	free(got);
	free(buf);
	buf = s_pack_env(big, ANTT_BODY_MAX + 1, sig, ANTT_SIG_BYTES, &len);
	assert_true(len <= ANTT_BODY_MAX + 128);
	s_reject_envelope(buf, len, "body one byte too long", "wrong field or size");
	free(buf);
	buf = s_pack_env(big, ANTT_BODY_MAX + 100, sig, ANTT_SIG_BYTES, &len);
	s_reject_envelope(buf, len, "envelope too long", "too large");
	free(buf);
	free(big);

	static const uint8_t ff[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	s_reject_envelope(ff, sizeof ff, "0xff bytes", NULL);
	s_reject_envelope((const uint8_t *)"", 0, "no bytes", NULL);
	s_reject_envelope((const uint8_t *)"hello, world", 12, "text", NULL);
	static const uint8_t huge_len[] = {0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f};
	s_reject_envelope(huge_len, sizeof huge_len, "length beyond the end", NULL);
}

/* antt_body_encode checks before it encodes, and hands out nothing. */
static void test_encode_refuses(void **state)
{
	(void)state;
	antt_value_t vals[] = {{"b", 1}, {"a", 2}};
	antt_body_t b = {.version = 1,
	                 .seq = 1,
	                 .unit = "10375",
	                 .form = "bvanttq-monthly",
	                 .period = "2024-05",
	                 .n_values = 2,
	                 .values = vals};
	uint8_t *out = (uint8_t *)1;
	size_t len = 7;
	char err[ANTT_ERR_MAX] = "";
	assert_int_equal(antt_body_encode(&b, &out, &len, err), ANTT_E_INVAL);
	tu_assert_contains(err, "ascending");
	assert_ptr_equal(out, (uint8_t *)1);
	assert_int_equal(len, 7);

	vals[0].code = "a";
	vals[1].code = "b";
	b.seq = 2; /* with a zero prev */
	assert_int_equal(antt_body_encode(&b, &out, &len, err), ANTT_E_INVAL);
	tu_assert_contains(err, "prev");
	b.seq = 1;
	b.note = ""; /* absent is NULL, never empty */
	assert_int_equal(antt_body_encode(&b, &out, &len, err), ANTT_E_INVAL);
	tu_assert_contains(err, "note");
	b.note = NULL;
	b.period = NULL;
	assert_int_equal(antt_body_encode(&b, &out, &len, err), ANTT_E_INVAL);
	tu_assert_contains(err, "period");
	b.period = "2024-05";
	b.unit = NULL;
	assert_int_equal(antt_body_encode(&b, &out, &len, err), ANTT_E_INVAL);
	tu_assert_contains(err, "unit");
	b.unit = "10375";
	assert_int_equal(antt_body_encode(&b, &out, &len, err), ANTT_OK);
	assert_true(len > 0);
	free(out);
}

/* The one chain link (record.h, antt_chain_follows). */
static void test_chain_follows(void **state)
{
	(void)state;
	uint8_t zero[ANTT_ID_BYTES] = {0}, a[ANTT_ID_BYTES], b[ANTT_ID_BYTES];
	memset(a, 0xaa, sizeof a);
	memset(b, 0xbb, sizeof b);
	assert_true(antt_chain_follows(1, zero, 0, zero));  /* a chain's first */
	assert_false(antt_chain_follows(1, a, 0, zero));    /* a first naming something */
	assert_false(antt_chain_follows(2, zero, 0, zero)); /* not starting at 1 */
	assert_true(antt_chain_follows(8, a, 7, a));
	assert_false(antt_chain_follows(8, b, 7, a));          /* prev names another */
	assert_false(antt_chain_follows(9, a, 7, a));          /* a seq missing */
	assert_false(antt_chain_follows(7, a, 7, a));          /* the same seq */
	assert_false(antt_chain_follows(6, a, 7, a));          /* behind */
	assert_false(antt_chain_follows(0, a, UINT64_MAX, a)); /* no wrap */
	assert_true(antt_chain_follows(UINT64_MAX, a, UINT64_MAX - 1, a));
}

static void test_charsets(void **state)
{
	(void)state;
	assert_true(antt_valid_unit("10375"));
	assert_true(antt_valid_unit("_x"));
	assert_true(antt_valid_unit("1234567890123456"));
	assert_false(antt_valid_unit("12345678901234567"));
	assert_false(antt_valid_unit(""));
	assert_false(antt_valid_unit(NULL));
	assert_false(antt_valid_unit("a:b"));
	assert_true(antt_valid_name("bvanttq-monthly"));
	assert_true(antt_valid_name("A.b_c-9"));
	assert_false(antt_valid_name("_x"));
	assert_false(antt_valid_name("-x"));
	assert_false(antt_valid_name(".x"));
	assert_false(antt_valid_name("a b"));
	assert_false(antt_valid_name(NULL));
	assert_true(antt_valid_utf8("", 0));
	assert_true(antt_valid_utf8("Công an xã", strlen("Công an xã")));
	assert_true(antt_valid_utf8("\xf4\x8f\xbf\xbf", 4)); /* U+10FFFF */
	assert_true(antt_valid_utf8("\xee\x80\x80", 3));     /* U+E000 */
	assert_false(antt_valid_utf8("a\0b", 3));            /* NUL */
	assert_false(antt_valid_utf8("\xc3\xa0", 1));        /* cut by len */
	assert_false(antt_valid_utf8("\xed\xbf\xbf", 3));    /* surrogate */
}

/* The system records: an enrollment and a revocation encode, decode to
 * the same fields, and their rules hold (form, no values, one kind). */
static void test_system_records(void **state)
{
	(void)state;
	char err[ANTT_ERR_MAX];
	antt_body_t b = {.version = ANTT_RECORD_VERSION, .seq = 2, .has_revoke = 1};
	memset(b.author, 0x11, ANTT_KEY_BYTES);
	memset(b.prev, 0x22, ANTT_ID_BYTES);
	memset(b.revoke_key, 0x33, ANTT_KEY_BYTES);
	b.unit = antt_xstrdup("332");
	b.form = antt_xstrdup(ANTT_FORM_REVOKE);
	b.period = antt_xstrdup("2024-06-01");
	b.clock = 1717200000;
	b.revoke_after = 41;
	b.revoke_reason = antt_xstrdup("máy tính bị mất");
	uint8_t *enc = NULL;
	size_t len = 0;
	assert_int_equal(antt_body_encode(&b, &enc, &len, err), ANTT_OK);
	antt_body_t d;
	assert_int_equal(antt_body_decode(enc, len, &d, err), ANTT_OK);
	assert_true(d.has_revoke);
	assert_false(d.has_enroll);
	assert_memory_equal(d.revoke_key, b.revoke_key, ANTT_KEY_BYTES);
	assert_int_equal(d.revoke_after, 41);
	assert_string_equal(d.revoke_reason, "máy tính bị mất");
	antt_body_clear(&d);
	free(enc);

	/* a revocation with the wrong form, with values, or that also enrolls */
	free(b.form);
	b.form = antt_xstrdup(ANTT_FORM_ENROLL);
	assert_int_equal(antt_body_encode(&b, &enc, &len, err), ANTT_E_INVAL);
	tu_assert_contains(err, ANTT_FORM_REVOKE);
	free(b.form);
	b.form = antt_xstrdup(ANTT_FORM_REVOKE);
	b.has_enroll = 1;
	b.enroll_unit = antt_xstrdup("12346");
	assert_int_equal(antt_body_encode(&b, &enc, &len, err), ANTT_E_INVAL);
	b.has_enroll = 0;
	b.n_values = 1;
	b.values = antt_xcalloc(1, sizeof *b.values);
	b.values[0].code = antt_xstrdup("tin_bao");
	assert_int_equal(antt_body_encode(&b, &enc, &len, err), ANTT_E_INVAL);
	/* a report may not take a system form */
	b.n_values = 1;
	b.has_revoke = 0;
	assert_int_equal(antt_body_encode(&b, &enc, &len, err), ANTT_E_INVAL);
	tu_assert_contains(err, "reserved");
	antt_body_clear(&b);
}

/* ---- antt-v1.json: keys, system records, the stamp, sync messages and
 * the bodies every implementation refuses ---- */

static json_t *s_load_all(void)
{
	json_error_t je;
	/* nul-in-note has a \u0000 in a string */
	json_t *root = json_load_file(S_VECTORS_ALL, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
	if (!root)
		fail_msg("%s:%d:%d: %s", S_VECTORS_ALL, je.line, je.column, je.text);
	assert_string_equal(s_jstr(root, "format"), "antt vectors v1");
	return root;
}

/* A section of antt-v1.json: a non-empty array. */
static json_t *s_section(json_t *root, const char *name)
{
	json_t *a = json_object_get(root, name);
	if (!json_is_array(a) || json_array_size(a) == 0)
		fail_msg("antt-v1.json: no \"%s\"", name);
	return a;
}

/* A bytes field against a vector's hex; null for absent (empty). */
static void s_expect_bin(const char *what, ProtobufCBinaryData d, json_t *o, const char *key)
{
	json_t *x = json_object_get(o, key);
	if (json_is_null(x)) {
		assert_int_equal(d.len, 0);
		return;
	}
	size_t n;
	uint8_t *p = s_jhex(o, key, &n);
	s_expect_bytes(what, d.data, d.len, p, n);
	free(p);
}

/* Enrollments (a hub with a scope, a station, legacy) and revocations
 * (with and without a reason), one chain per author. */
static void test_vectors_system(void **state)
{
	(void)state;
	json_t *root = s_load_all(), *v;
	json_t *vs = s_section(root, "records");
	size_t i;
	uint8_t ids[32][ANTT_ID_BYTES], authors[32][ANTT_KEY_BYTES];
	uint64_t seqs[32];
	int saw_hub = 0, saw_station = 0, saw_legacy = 0, saw_reason = 0, saw_no_reason = 0;
	assert_true(json_array_size(vs) <= 32);
	json_array_foreach (vs, i, v) {
		antt_body_t b;
		s_check_record(v, &b, ids[i]);
		memcpy(authors[i], b.author, ANTT_KEY_BYTES);
		seqs[i] = b.seq;
		if (b.seq > 1) {
			size_t j = 0;
			while (j < i && (seqs[j] != b.seq - 1 ||
			                 memcmp(authors[j], b.author, ANTT_KEY_BYTES)))
				j++;
			assert_true(j < i);
			assert_memory_equal(b.prev, ids[j], ANTT_ID_BYTES);
		}
		assert_true(b.has_enroll != b.has_revoke);
		if (b.has_enroll) {
			saw_hub |= b.enroll_grant == ANTT_GRANT_HUB && b.n_enroll_units >= 2 &&
			           b.n_enroll_subtrees >= 2;
			saw_station |= b.enroll_grant == ANTT_GRANT_STATION;
			saw_legacy |= b.enroll_grant == ANTT_GRANT_LEGACY;
		} else {
			saw_reason |= b.revoke_reason != NULL;
			saw_no_reason |= b.revoke_reason == NULL;
		}
		antt_body_clear(&b);
	}
	assert_true(saw_hub && saw_station && saw_legacy && saw_reason && saw_no_reason);
	json_decref(root);
}

/* A seed's Ed25519 keys, its CURVE keys as libsodium converts them and as
 * ZeroMQ takes them (Z85), and its key file as antt writes and reads it. */
static void test_vectors_keys(void **state)
{
	(void)state;
	json_t *root = s_load_all(), *v;
	char *dir = tu_mkdtemp(), err[ANTT_ERR_MAX] = "";
	size_t i;
	json_array_foreach (s_section(root, "keys"), i, v) {
		uint8_t seed[ANTT_SEED_BYTES], pk[ANTT_KEY_BYTES], sk[ANTT_SECKEY_BYTES], cpk[32],
		    csk[32], want_cpk[32], want_csk[32], back[32];
		const char *zpk = s_jstr(v, "curve_public_z85"),
		           *zsk = s_jstr(v, "curve_secret_z85");
		char z[41];
		print_message("key %s\n", s_jstr(v, "name"));
		s_jhex_n(v, "seed", seed, sizeof seed);
		s_jhex_n(v, "public_key", pk, sizeof pk);
		s_jhex_n(v, "libsodium_secret_key", sk, sizeof sk);
		s_jhex_n(v, "curve_public", want_cpk, sizeof want_cpk);
		s_jhex_n(v, "curve_secret", want_csk, sizeof want_csk);

		antt_key_t *k = NULL;
		assert_int_equal(antt_key_from_seed(seed, &k), ANTT_OK);
		s_expect_bytes("public key", k->pk, ANTT_KEY_BYTES, pk, sizeof pk);
		s_expect_bytes("libsodium secret key", k->sk, ANTT_SECKEY_BYTES, sk, sizeof sk);
		s_expect_bytes("seed || public key", sk, ANTT_SEED_BYTES, seed, sizeof seed);

		/* the transport keys, as daemon/hub.c and daemon/uplink.c derive them */
		assert_int_equal(crypto_sign_ed25519_pk_to_curve25519(cpk, k->pk), 0);
		assert_int_equal(crypto_sign_ed25519_sk_to_curve25519(csk, k->sk), 0);
		s_expect_bytes("CURVE public key", cpk, 32, want_cpk, 32);
		s_expect_bytes("CURVE secret key", csk, 32, want_csk, 32);
		assert_non_null(zmq_z85_encode(z, cpk, 32));
		assert_string_equal(z, zpk);
		assert_non_null(zmq_z85_encode(z, csk, 32));
		assert_string_equal(z, zsk);
		assert_non_null(zmq_z85_decode(back, zpk));
		assert_memory_equal(back, cpk, 32);
		assert_non_null(zmq_z85_decode(back, zsk));
		assert_memory_equal(back, csk, 32);
		/* ZeroMQ's own X25519 finds the same public key for the secret */
		assert_int_equal(zmq_curve_public(z, zsk), 0);
		assert_string_equal(z, zpk);

		/* the key file: written exactly so, with mode 0600 */
		size_t flen, tlen;
		char *text = NULL, name[32];
		uint8_t *file = s_jhex(v, "key_file_hex", &flen);
		assert_int_equal(strlen(s_jstr(v, "key_file")), flen);
		assert_memory_equal(s_jstr(v, "key_file"), file, flen);
		snprintf(name, sizeof name, "%zu.key", i);
		char *path = tu_path(dir, name);
		assert_int_equal(antt_key_save(k, path, err), ANTT_OK);
		assert_int_equal(antt_read_file(path, 4096, &text, &tlen, err), ANTT_OK);
		s_expect_bytes("key file", (const uint8_t *)text, tlen, file, flen);
		struct stat st;
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
		/* and read back from the vector's bytes */
		char *vpath = tu_path(dir, "vector.key");
		tu_write(vpath, file, flen, 0600);
		antt_key_t *l = NULL;
		if (antt_key_load(vpath, &l, err))
			fail_msg("key file of the vector: %s", err);
		assert_memory_equal(l->pk, pk, ANTT_KEY_BYTES);
		assert_memory_equal(l->sk, sk, ANTT_SECKEY_BYTES);

		antt_key_destroy(&l);
		antt_key_destroy(&k);
		free(vpath);
		free(path);
		free(text);
		free(file);
	}
	tu_rmtree(dir);
	json_decref(root);
}

/* The first hub's signed receipt: StampBody bytes, the signed message, the
 * signature by the hub's seed, and the Stamp that carries them. */
static void test_vectors_stamps(void **state)
{
	(void)state;
	json_t *root = s_load_all(), *v;
	size_t i;
	json_array_foreach (s_section(root, "stamps"), i, v) {
		char err[ANTT_ERR_MAX] = "";
		json_t *f = json_object_get(v, "fields");
		uint8_t seed[ANTT_SEED_BYTES], hub[ANTT_KEY_BYTES], sig[ANTT_SIG_BYTES],
		    mysig[ANTT_SIG_BYTES];
		antt_stamp_t s = {0}, back;
		s_jhex_n(f, "author", s.author, ANTT_KEY_BYTES);
		s.from_seq = (uint64_t)s_jint(f, "from_seq");
		s.to_seq = (uint64_t)s_jint(f, "to_seq");
		s_jhex_n(f, "to_id", s.to_id, ANTT_ID_BYTES);
		s.at = s_jint(f, "at");
		s_jhex_n(v, "hub_seed", seed, sizeof seed);
		s_jhex_n(v, "hub", hub, sizeof hub);
		s_jhex_n(v, "signature", sig, sizeof sig);
		size_t blen, wlen, mlen, slen;
		uint8_t *body = NULL, *want = s_jhex(v, "body_hex", &wlen);
		uint8_t *msg = s_jhex(v, "message_hex", &mlen);
		uint8_t *packed = s_jhex(v, "stamp_hex", &slen);

		antt_stamp_encode(&s, &body, &blen);
		s_expect_bytes("stamp body", body, blen, want, wlen);
		if (antt_stamp_decode(want, wlen, &back, err))
			fail_msg("stamp decode: %s", err);
		assert_memory_equal(back.author, s.author, ANTT_KEY_BYTES);
		assert_int_equal(back.from_seq, s.from_seq);
		assert_int_equal(back.to_seq, s.to_seq);
		assert_memory_equal(back.to_id, s.to_id, ANTT_ID_BYTES);
		assert_int_equal(back.at, s.at);

		antt_key_t *k = NULL;
		assert_int_equal(antt_key_from_seed(seed, &k), ANTT_OK);
		s_expect_bytes("hub", k->pk, ANTT_KEY_BYTES, hub, sizeof hub);
		antt_stamp_sign(mysig, body, blen, k->sk);
		s_expect_bytes("stamp signature", mysig, ANTT_SIG_BYTES, sig, sizeof sig);
		assert_int_equal(antt_stamp_verify(sig, want, wlen, hub), 0);
		/* what is signed: the domain, then the body; never a record's */
		size_t d = strlen(ANTT_STAMP_DOMAIN);
		assert_int_equal(mlen, d + wlen);
		assert_memory_equal(msg, ANTT_STAMP_DOMAIN, d);
		assert_memory_equal(msg + d, want, wlen);
		assert_int_equal(crypto_sign_verify_detached(sig, msg, mlen, hub), 0);
		assert_int_equal(antt_record_verify(sig, want, wlen, hub), -1);

		Antt__Stamp *m = antt__stamp__unpack(NULL, slen, packed);
		assert_non_null(m);
		assert_int_equal(m->base.n_unknown_fields, 0);
		s_expect_bytes("Stamp.hub", m->hub.data, m->hub.len, hub, sizeof hub);
		s_expect_bytes("Stamp.body", m->body.data, m->body.len, want, wlen);
		s_expect_bytes("Stamp.sig", m->sig.data, m->sig.len, sig, sizeof sig);
		uint8_t again[512];
		assert_true(antt__stamp__get_packed_size(m) <= sizeof again);
		size_t alen = antt__stamp__pack(m, again);
		s_expect_bytes("Stamp", again, alen, packed, slen);
		antt__stamp__free_unpacked(m, NULL);

		antt_key_destroy(&k);
		free(packed);
		free(msg);
		free(want);
		free(body);
	}
	json_decref(root);
}

static void s_expect_heads(Antt__Head *const *h, size_t n, json_t *a)
{
	assert_true(json_is_array(a));
	assert_int_equal(n, json_array_size(a));
	for (size_t i = 0; i < n; i++) {
		json_t *x = json_array_get(a, i);
		assert_int_equal(h[i]->base.n_unknown_fields, 0);
		s_expect_bin("Head.author", h[i]->author, x, "author");
		assert_int_equal(h[i]->seq, (uint64_t)s_jint(x, "seq"));
		s_expect_bin("Head.id", h[i]->id, x, "id");
	}
}

/* The records and stamps of a Batch hold on their own. */
static void s_expect_batch_content(const Antt__Batch *b)
{
	char err[ANTT_ERR_MAX] = "";
	for (size_t i = 0; i < b->n_records; i++) {
		uint8_t *body = NULL, sig[ANTT_SIG_BYTES];
		size_t blen = 0;
		antt_body_t rb;
		if (antt_envelope_decode(b->records[i].data, b->records[i].len, &body, &blen, sig,
		                         err) ||
		    antt_body_decode(body, blen, &rb, err))
			fail_msg("batch record %zu: %s", i, err);
		assert_int_equal(antt_record_verify(sig, body, blen, rb.author), 0);
		antt_body_clear(&rb);
		free(body);
	}
	for (size_t i = 0; i < b->n_stamps; i++) {
		const Antt__Stamp *s = b->stamps[i];
		antt_stamp_t st;
		assert_int_equal(s->hub.len, ANTT_KEY_BYTES);
		assert_int_equal(s->sig.len, ANTT_SIG_BYTES);
		if (antt_stamp_decode(s->body.data, s->body.len, &st, err))
			fail_msg("batch stamp %zu: %s", i, err);
		assert_int_equal(
		    antt_stamp_verify(s->sig.data, s->body.data, s->body.len, s->hub.data), 0);
	}
}

/* Sync messages: the exact bytes of a Hello, a Batch and an Ack; decoded
 * they give the vector's fields, encoded again the same bytes. */
static void test_vectors_messages(void **state)
{
	(void)state;
	json_t *root = s_load_all(), *v;
	size_t i;
	int saw_hello = 0, saw_batch = 0, saw_ack = 0;
	json_array_foreach (s_section(root, "messages"), i, v) {
		const char *kind = s_jstr(v, "message");
		json_t *f = json_object_get(v, "fields"), *x;
		size_t len, j;
		uint8_t *buf = s_jhex(v, "syncmsg_hex", &len);
		print_message("message %s: %zu bytes\n", s_jstr(v, "name"), len);
		Antt__SyncMsg *m = antt__sync_msg__unpack(NULL, len, buf);
		assert_non_null(m);
		assert_int_equal(m->base.n_unknown_fields, 0);
		size_t alen = antt__sync_msg__get_packed_size(m);
		uint8_t *again = malloc(alen + 1);
		antt__sync_msg__pack(m, again);
		s_expect_bytes("SyncMsg encoded again", again, alen, buf, len);
		free(again);
		if (!strcmp(kind, "hello")) {
			saw_hello = 1;
			assert_int_equal(m->msg_case, ANTT__SYNC_MSG__MSG_HELLO);
			assert_int_equal(m->hello->base.n_unknown_fields, 0);
			assert_int_equal(m->hello->version, s_jint(f, "version"));
			assert_string_equal(m->hello->unit, s_jstr(f, "unit"));
			s_expect_heads(m->hello->heads, m->hello->n_heads,
			               json_object_get(f, "heads"));
		} else if (!strcmp(kind, "batch")) {
			saw_batch = 1;
			assert_int_equal(m->msg_case, ANTT__SYNC_MSG__MSG_BATCH);
			Antt__Batch *b = m->batch;
			assert_int_equal(b->base.n_unknown_fields, 0);
			assert_int_equal(b->batch, (uint64_t)s_jint(f, "batch"));
			assert_int_equal(b->zrecords.len, 0);
			json_t *recs = json_object_get(f, "records"), *stamps;
			assert_int_equal(b->n_records, json_array_size(recs));
			json_array_foreach (recs, j, x) {
				size_t n;
				uint8_t *want = tu_unhex(json_string_value(x), &n);
				s_expect_bytes("Batch.records", b->records[j].data,
				               b->records[j].len, want, n);
				free(want);
			}
			stamps = json_object_get(f, "stamps");
			assert_int_equal(b->n_stamps, json_array_size(stamps));
			json_array_foreach (stamps, j, x) {
				assert_int_equal(b->stamps[j]->base.n_unknown_fields, 0);
				s_expect_bin("Stamp.hub", b->stamps[j]->hub, x, "hub");
				s_expect_bin("Stamp.body", b->stamps[j]->body, x, "body");
				s_expect_bin("Stamp.sig", b->stamps[j]->sig, x, "sig");
			}
			s_expect_batch_content(b);
		} else if (!strcmp(kind, "ack")) {
			saw_ack = 1;
			assert_int_equal(m->msg_case, ANTT__SYNC_MSG__MSG_ACK);
			Antt__Ack *a = m->ack;
			assert_int_equal(a->base.n_unknown_fields, 0);
			assert_int_equal(a->batch, (uint64_t)s_jint(f, "batch"));
			assert_int_equal(a->credit, s_jint(f, "credit"));
			s_expect_heads(a->heads, a->n_heads, json_object_get(f, "heads"));
			json_t *refused = json_object_get(f, "refused");
			assert_int_equal(a->n_refused, json_array_size(refused));
			json_array_foreach (refused, j, x) {
				Antt__Refusal *r = a->refused[j];
				assert_int_equal(r->base.n_unknown_fields, 0);
				assert_int_equal(r->index, s_jint(x, "index"));
				s_expect_bin("Refusal.author", r->author, x, "author");
				assert_int_equal(r->seq, (uint64_t)s_jint(x, "seq"));
				s_expect_bin("Refusal.id", r->id, x, "id");
				assert_int_equal(r->code, s_jint(x, "code"));
				assert_string_equal(r->reason, s_jstr(x, "reason"));
			}
		} else {
			fail_msg("message kind \"%s\" unknown", kind);
		}
		antt__sync_msg__free_unpacked(m, NULL);
		free(buf);
	}
	assert_true(saw_hello && saw_batch && saw_ack);
	json_decref(root);
}

/* How this implementation's refusal of a body says its class (another
 * implementation words its own; NULL: the messages vary). */
static const struct {
	const char *cls, *says;
} s_classes[] = {
    {"noncanonical", "canonical"},
    {"unknown_field", "unknown field"},
    {"period", "period"},
    {"grant", "grant"},
    {"scope", "enrollment"},
    {"system", NULL},
    {"field", NULL},
    {"malformed", NULL},
};

/* Every body, stamp body and envelope the vectors say must be refused is
 * refused; the canonical encoding of the same fields, where given, is
 * taken. */
static void test_vectors_refused(void **state)
{
	(void)state;
	json_t *root = s_load_all(), *v;
	size_t i, n_body = 0, n_stamp = 0, n_env = 0;
	json_array_foreach (s_section(root, "refused"), i, v) {
		char err[ANTT_ERR_MAX] = "";
		const char *name = s_jstr(v, "name"), *kind = s_jstr(v, "kind");
		const char *cls = s_jstr(v, "class"), *says = NULL;
		size_t c = 0, len, clen = 0;
		while (c < sizeof s_classes / sizeof s_classes[0] && strcmp(s_classes[c].cls, cls))
			c++;
		if (c == sizeof s_classes / sizeof s_classes[0])
			fail_msg("%s: unknown class \"%s\"", name, cls);
		uint8_t *buf = s_jhex(v, "hex", &len), *canonical = NULL;
		if (json_is_string(json_object_get(v, "canonical_hex")))
			canonical = s_jhex(v, "canonical_hex", &clen);
		if (!strcmp(kind, "record_body")) {
			antt_body_t b;
			n_body++;
			says = s_classes[c].says;
			s_reject(buf, len, name, says);
			/* again, for the message printed below */
			assert_int_equal(antt_body_decode(buf, len, &b, err), ANTT_E_INVAL);
			if (canonical) {
				s_accept(canonical, clen, name);
				assert_true(clen != len || memcmp(canonical, buf, len) != 0);
			}
		} else if (!strcmp(kind, "stamp_body")) {
			antt_stamp_t s;
			n_stamp++;
			assert_int_equal(antt_stamp_decode(buf, len, &s, err), ANTT_E_INVAL);
			if (canonical)
				assert_int_equal(antt_stamp_decode(canonical, clen, &s, NULL),
				                 ANTT_OK);
		} else if (!strcmp(kind, "envelope")) {
			uint8_t *body = NULL, sig[ANTT_SIG_BYTES];
			size_t blen = 0;
			n_env++;
			assert_int_equal(antt_envelope_decode(buf, len, &body, &blen, sig, err),
			                 ANTT_E_INVAL);
			assert_null(body);
			assert_null(canonical);
		} else {
			fail_msg("%s: unknown kind \"%s\"", name, kind);
		}
		assert_true(err[0] != '\0');
		print_message("refused %s (%s): %s\n", name, cls, err);
		free(canonical);
		free(buf);
	}
	assert_true(n_body > 0 && n_stamp > 0 && n_env > 0);
	json_decref(root);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vectors),
	    cmocka_unit_test(test_rfc8032),
	    cmocka_unit_test(test_bit_flips),
	    cmocka_unit_test(test_reject_fields),
	    cmocka_unit_test(test_reject_encoding),
	    cmocka_unit_test(test_reject_noncanonical),
	    cmocka_unit_test(test_envelope_noncanonical),
	    cmocka_unit_test(test_reject_truncated),
	    cmocka_unit_test(test_reject_envelope),
	    cmocka_unit_test(test_encode_refuses),
	    cmocka_unit_test(test_charsets),
	    cmocka_unit_test(test_chain_follows),
	    cmocka_unit_test(test_system_records),
	    cmocka_unit_test(test_periods),
	    cmocka_unit_test(test_vectors_system),
	    cmocka_unit_test(test_vectors_keys),
	    cmocka_unit_test(test_vectors_stamps),
	    cmocka_unit_test(test_vectors_messages),
	    cmocka_unit_test(test_vectors_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
