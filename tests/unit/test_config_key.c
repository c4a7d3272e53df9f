/* test_config_key.c - the node configuration file (lib/config.c) and the
 * node's key file (lib/keyfile.c): a good config and its resolved paths, each
 * kind of bad config named by line or by missing setting, and key files that
 * are written 0600, read back, refused when exposed, overwritten or damaged. */
#define _GNU_SOURCE
#include "testutil.h"

#include <stdio.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common.h"
#include "config.h"
#include "keyfile.h"
#include "record.h"

static int s_setup(void **state)
{
	*state = tu_mkdtemp();
	return 0;
}

static int s_teardown(void **state)
{
	tu_rmtree(*state);
	return 0;
}

/* Write text as dir/name and try to load it as a config. */
static int s_load(const char *dir, const char *name, const char *text, antt_config_t **c, char *err)
{
	char *path = tu_path(dir, name);
	tu_write_text(path, text);
	*c = (antt_config_t *)1;
	err[0] = '\0';
	int rc = antt_config_load(path, c, err);
	free(path);
	return rc;
}

static void test_config_good(void **state)
{
	const char *dir = *state;
	char err[ANTT_ERR_MAX];
	antt_config_t *c;
	int rc = s_load(dir, "anttd.conf",
	                "; a commune node\n"
	                "[node]\n"
	                "unit = 10375 ; commune code\n"
	                "key = node.key\n"
	                "store = data/store.db\n"
	                "forms = /usr/share/antt/forms\n"
	                "\n"
	                "[control]\n"
	                "socket = ipc://run/anttd.sock\n"
	                "[log]\n"
	                "level = debug\n"
	                "[reports]\n"
	                "not_expected = 2025-07:12345, 67890 2025-03:11111\n",
	                &c, err);
	if (rc)
		fail_msg("good config refused: %s", err);
	assert_int_equal(c->n_not_expected, 3);
	assert_string_equal(c->not_expected[0].list, "2025-07");
	assert_string_equal(c->not_expected[0].code, "12345");
	assert_string_equal(c->not_expected[1].list, "");
	assert_string_equal(c->not_expected[1].code, "67890");
	assert_string_equal(c->not_expected[2].list, "2025-03");
	assert_string_equal(c->not_expected[2].code, "11111");
	char *path = tu_path(dir, "anttd.conf"), *key = tu_path(dir, "node.key"),
	     *store = tu_path(dir, "data/store.db"), *sock = tu_path(dir, "run/anttd.sock"), *ep,
	     *lock;
	assert_true(asprintf(&ep, "ipc://%s", sock) > 0);
	assert_true(asprintf(&lock, "%s.lock", store) > 0);
	assert_string_equal(c->path, path);
	assert_string_equal(c->unit, "10375");
	assert_string_equal(c->key_path, key);
	assert_string_equal(c->store_path, store);
	assert_string_equal(c->forms_dir, "/usr/share/antt/forms"); /* absolute: kept */
	assert_string_equal(c->socket_path, sock);
	assert_string_equal(c->endpoint, ep);
	assert_string_equal(c->lock_path, lock);
	assert_int_equal(c->log_level, ANTT_LOG_DEBUG);
	antt_config_destroy(&c);
	assert_null(c);

	/* no [log]: info; a socket given as a plain relative path */
	rc = s_load(dir, "second.conf",
	            "[node]\nunit=A-1.b_2\nkey=/k\nstore=s.db\nforms=f\n[control]\nsocket=x.sock\n",
	            &c, err);
	if (rc)
		fail_msg("second config refused: %s", err);
	assert_int_equal(c->log_level, ANTT_LOG_INFO);
	assert_string_equal(c->key_path, "/k");
	char *forms = tu_path(dir, "f"), *sock2 = tu_path(dir, "x.sock");
	assert_string_equal(c->forms_dir, forms);
	assert_string_equal(c->socket_path, sock2);
	antt_config_destroy(&c);
	free(path);
	free(key);
	free(store);
	free(sock);
	free(ep);
	free(lock);
	free(forms);
	free(sock2);
}

typedef struct {
	const char *what;
	const char *text;
	const char *says[3]; /* each expected in the message */
} s_badconf_t;

#define S_NODE "[node]\nunit = 10375\nkey = node.key\nstore = store.db\nforms = forms\n"
#define S_CONTROL "[control]\nsocket = anttd.sock\n"

static const s_badconf_t s_badconf[] = {
    {"unknown section",
     S_NODE S_CONTROL "[network]\nport = 5555\n",
     {":9:", "unknown section [network]"}},
    {"setting before any section",
     "unit = 10375\n" S_NODE S_CONTROL,
     {":1:", "unknown section []"}},
    {"unknown key", S_NODE "colour = red\n" S_CONTROL, {":6:", "unknown setting 'colour'"}},
    {"key in the wrong section",
     S_NODE S_CONTROL "unit = 10376\n",
     {":8:", "unknown setting 'unit' in [control]"}},
    {"duplicate key",
     S_NODE S_CONTROL "[node]\nstore = other.db\n",
     {":9:", "'store' is set twice"}},
    {"empty value",
     "[node]\nunit =\nkey = k\nstore = s\nforms = f\n" S_CONTROL,
     {":2:", "'unit' is empty"}},
    {"line without =",
     S_NODE "this is not a setting\n" S_CONTROL,
     {":6:", "not a valid 'name = value' line"}},
    {"missing unit", "[node]\nkey = k\nstore = s\nforms = f\n" S_CONTROL, {"missing [node] unit"}},
    {"missing key", "[node]\nunit = 1\nstore = s\nforms = f\n" S_CONTROL, {"missing [node] key"}},
    {"missing store", "[node]\nunit = 1\nkey = k\nforms = f\n" S_CONTROL, {"missing [node] store"}},
    {"missing forms", "[node]\nunit = 1\nkey = k\nstore = s\n" S_CONTROL, {"missing [node] forms"}},
    {"missing socket", S_NODE, {"missing [control] socket"}},
    {"empty file", "", {"missing [node] unit"}},
    {"bad unit charset",
     "[node]\nunit = 10 375\nkey = k\nstore = s\nforms = f\n" S_CONTROL,
     {"unit '10 375' is not a unit code"}},
    {"bad unit charset (slash)",
     "[node]\nunit = 10/375\nkey = k\nstore = s\nforms = f\n" S_CONTROL,
     {"unit '10/375' is not a unit code"}},
    {"unit too long",
     "[node]\nunit = 12345678901234567\nkey = k\nstore = s\nforms = f\n" S_CONTROL,
     {"is not a unit code", "16"}},
    {"bad log level",
     S_NODE S_CONTROL "[log]\nlevel = verbose\n",
     {"[log] level 'verbose'", "error, warning, info, debug"}},
    {"bad durability",
     S_NODE "durability = fast\n" S_CONTROL,
     {":6:", "[node] durability is full or relaxed, not 'fast'"}},
    {"fallback without its key",
     S_NODE S_CONTROL
     "[sync]\nparent = tcp://h:1\nparent_key = "
     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\nfallback = tcp://p:2\n",
     {"fallback and fallback_key go together"}},
    {"fallback without a parent",
     S_NODE S_CONTROL "[sync]\nfallback = tcp://p:2\nfallback_key = "
                      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
     {"set parent too"}},
    {"fallback not tcp",
     S_NODE S_CONTROL
     "[sync]\nparent = tcp://h:1\nparent_key = "
     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\nfallback = ipc://x\n"
     "fallback_key = 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
     {"fallback 'ipc://x' is not tcp://HOST:PORT"}},
    {"fallback_after out of range",
     S_NODE S_CONTROL
     "[sync]\nparent = tcp://h:1\nparent_key = "
     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\nfallback = tcp://p:2\n"
     "fallback_key = "
     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\nfallback_after = 0\n",
     {"fallback_after takes whole seconds from 1 to 86400"}},
    {"not_expected: a list with no code",
     S_NODE S_CONTROL "[reports]\nnot_expected = 12345, 2025-07:\n",
     {"[reports] not_expected: '2025-07:' is not a unit", "2025-07:12345"}},
    {"not_expected: a bad code",
     S_NODE S_CONTROL "[reports]\nnot_expected = 12/345\n",
     {"'12/345' is not a unit"}},
    {"not_expected: a bad list",
     S_NODE S_CONTROL "[reports]\nnot_expected = 2025/07:12345\n",
     {"'2025/07:12345' is not a unit"}},
};

static void test_config_bad(void **state)
{
	const char *dir = *state;
	for (size_t i = 0; i < sizeof s_badconf / sizeof s_badconf[0]; i++) {
		char err[ANTT_ERR_MAX];
		antt_config_t *c;
		int rc = s_load(dir, "bad.conf", s_badconf[i].text, &c, err);
		if (rc != ANTT_E_CONFIG)
			fail_msg("%s: load returned %d (%s)", s_badconf[i].what, rc, err);
		assert_null(c);
		char *path = tu_path(dir, "bad.conf");
		tu_assert_contains(err, path);
		free(path);
		for (int j = 0; j < 3 && s_badconf[i].says[j]; j++)
			tu_assert_contains(err, s_badconf[i].says[j]);
	}
}

/* With several mistakes, the message describes the one on the line it names
 * (the first). */
static void test_config_first_problem(void **state)
{
	const char *dir = *state;
	char err[ANTT_ERR_MAX];
	antt_config_t *c;
	int rc = s_load(dir, "two.conf",
	                "[node]\n"
	                "unit = 10375\n"
	                "colour = red\n" /* line 3: the first mistake */
	                "key = k\n"
	                "store = s\n"
	                "forms = f\n"
	                "unit = 10376\n" /* line 7: the second */
	                "[control]\nsocket = s.sock\n",
	                &c, err);
	assert_int_equal(rc, ANTT_E_CONFIG);
	assert_null(c);
	tu_assert_contains(err, ":3: unknown setting 'colour'");

	/* a line that is not a setting, then a bad setting */
	rc = s_load(dir, "three.conf",
	            "[node]\n"
	            "unit = 10375\n"
	            "unit 10376\n" /* line 3 */
	            "colour = red\n"
	            "[control]\nsocket = s.sock\n",
	            &c, err);
	assert_int_equal(rc, ANTT_E_CONFIG);
	tu_assert_contains(err, ":3: not a valid 'name = value' line");

	/* a bad setting, then a line that is not a setting */
	rc = s_load(dir, "four.conf",
	            "[node]\n"
	            "unit = 10375\n"
	            "colour = red\n" /* line 3 */
	            "unit 10376\n",
	            &c, err);
	assert_int_equal(rc, ANTT_E_CONFIG);
	tu_assert_contains(err, ":3: unknown setting 'colour'");
}

static void test_config_missing_file(void **state)
{
	const char *dir = *state;
	char err[ANTT_ERR_MAX] = "";
	char *path = tu_path(dir, "nowhere.conf");
	antt_config_t *c = (antt_config_t *)1;
	assert_int_equal(antt_config_load(path, &c, err), ANTT_E_CONFIG);
	assert_null(c);
	tu_assert_contains(err, path);
	tu_assert_contains(err, "No such file");
	tu_assert_contains(err, "antt init");
	free(path);
}

static void test_config_socket_too_long(void **state)
{
	const char *dir = *state;
	char err[ANTT_ERR_MAX];
	antt_config_t *c;
	char text[512], longdir[160];
	memset(longdir, 'd', 120);
	longdir[120] = '\0';
	snprintf(text, sizeof text,
	         "[node]\nunit = 1\nkey = k\nstore = s\nforms = f\n[control]\nsocket = "
	         "/%s/anttd.sock\n",
	         longdir);
	assert_int_equal(s_load(dir, "long.conf", text, &c, err), ANTT_E_CONFIG);
	assert_null(c);
	tu_assert_contains(err, "longer than the system allows");
	tu_assert_contains(err, longdir);

	/* a relative socket that only becomes too long once resolved */
	char *deep = tu_path(dir, longdir);
	assert_int_equal(mkdir(deep, 0700), 0);
	char *name = tu_path(longdir, "anttd.conf");
	snprintf(text, sizeof text,
	         "[node]\nunit = 1\nkey = k\nstore = s\nforms = f\n[control]\nsocket = "
	         "anttd.sock\n");
	assert_int_equal(s_load(dir, name, text, &c, err), ANTT_E_CONFIG);
	assert_null(c);
	tu_assert_contains(err, "longer than the system allows");
	free(deep);
	free(name);
}

static void test_config_default_path(void **state)
{
	(void)state;
	setenv("ANTT_CONF", "/somewhere/a.conf", 1);
	assert_string_equal(antt_config_default_path(), "/somewhere/a.conf");
	setenv("ANTT_CONF", "", 1);
	assert_string_equal(antt_config_default_path(), ANTT_CONFIG_DEFAULT);
	unsetenv("ANTT_CONF");
	assert_string_equal(antt_config_default_path(), ANTT_CONFIG_DEFAULT);
}

/* ---- key files ---- */

static mode_t s_mode(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

static void test_key_save_load(void **state)
{
	const char *dir = *state;
	char err[ANTT_ERR_MAX] = "";
	char *path = tu_path(dir, "node.key");
	antt_key_t *k = NULL, *back = NULL;
	mode_t old = umask(0); /* the file must be 0600 whatever the umask */
	assert_int_equal(antt_key_generate(&k), ANTT_OK);
	int rc = antt_key_save(k, path, err);
	umask(old);
	if (rc)
		fail_msg("save: %s", err);
	assert_int_equal(s_mode(path), 0600);
	rc = antt_key_load(path, &back, err);
	if (rc)
		fail_msg("load: %s", err);
	assert_memory_equal(back->pk, k->pk, ANTT_KEY_BYTES);
	assert_memory_equal(back->sk, k->sk, ANTT_SECKEY_BYTES);

	/* the loaded key signs what the generated public key verifies */
	static const uint8_t msg[] = "báo cáo";
	uint8_t sig[ANTT_SIG_BYTES];
	antt_record_sign(sig, msg, sizeof msg, back->sk);
	assert_int_equal(antt_record_verify(sig, msg, sizeof msg, k->pk), 0);

	/* two generated keys differ */
	antt_key_t *other = NULL;
	assert_int_equal(antt_key_generate(&other), ANTT_OK);
	assert_memory_not_equal(other->pk, k->pk, ANTT_KEY_BYTES);
	antt_key_destroy(&other);
	antt_key_destroy(&back);
	antt_key_destroy(&k);
	assert_null(k);
	free(path);
}

static void test_key_no_overwrite(void **state)
{
	const char *dir = *state;
	char err[ANTT_ERR_MAX] = "";
	char *path = tu_path(dir, "node.key");
	antt_key_t *k1 = NULL, *k2 = NULL, *back = NULL;
	antt_key_generate(&k1);
	antt_key_generate(&k2);
	assert_int_equal(antt_key_save(k1, path, err), ANTT_OK);
	assert_int_equal(antt_key_save(k2, path, err), ANTT_E_EXISTS);
	tu_assert_contains(err, path);
	tu_assert_contains(err, "already exists");
	/* the first identity is intact */
	assert_int_equal(antt_key_load(path, &back, err), ANTT_OK);
	assert_memory_equal(back->pk, k1->pk, ANTT_KEY_BYTES);
	antt_key_destroy(&back);
	antt_key_destroy(&k1);
	antt_key_destroy(&k2);
	free(path);
}

static void test_key_exposed(void **state)
{
	const char *dir = *state;
	char err[ANTT_ERR_MAX] = "";
	char *path = tu_path(dir, "node.key");
	antt_key_t *k = NULL, *back = (antt_key_t *)1;
	antt_key_generate(&k);
	assert_int_equal(antt_key_save(k, path, err), ANTT_OK);
	static const int modes[] = {0644, 0640, 0604, 0660, 0606};
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		assert_int_equal(chmod(path, (mode_t)modes[i]), 0);
		back = (antt_key_t *)1;
		err[0] = '\0';
		assert_int_equal(antt_key_load(path, &back, err), ANTT_E_CONFIG);
		tu_assert_contains(err, "chmod 600");
		tu_assert_contains(err, path);
	}
	/* 0400 is fine */
	assert_int_equal(chmod(path, 0400), 0);
	back = NULL;
	assert_int_equal(antt_key_load(path, &back, err), ANTT_OK);
	assert_memory_equal(back->pk, k->pk, ANTT_KEY_BYTES);
	antt_key_destroy(&back);
	antt_key_destroy(&k);
	free(path);
}

/* Write a key file made of seed and public hex (either may be any text). */
static void s_keyfile(const char *path, const char *type, const char *seed, const char *pub)
{
	char text[1024];
	snprintf(text, sizeof text, "[identity]\ntype = %s\nseed = %s\npublic = %s\n", type, seed,
	         pub);
	tu_write(path, text, strlen(text), 0600);
}

static void s_expect_bad_key(const char *path, const char *what, const char *says)
{
	char err[ANTT_ERR_MAX] = "";
	antt_key_t *k = NULL;
	int rc = antt_key_load(path, &k, err);
	if (rc != ANTT_E_CONFIG)
		fail_msg("%s: load returned %d (%s)", what, rc, err);
	assert_null(k);
	tu_assert_contains(err, path);
	if (says)
		tu_assert_contains(err, says);
}

static void test_key_corrupt(void **state)
{
	const char *dir = *state;
	char *path = tu_path(dir, "node.key");
	/* RFC 8032 TEST 1 key pair, and TEST 2's public key */
	const char *seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
	const char *pub = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
	const char *pub2 = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";

	/* the well-formed file loads, and gives the RFC's public key */
	s_keyfile(path, "ed25519", seed, pub);
	char err[ANTT_ERR_MAX] = "";
	antt_key_t *k = NULL;
	assert_int_equal(antt_key_load(path, &k, err), ANTT_OK);
	uint8_t want[ANTT_KEY_BYTES];
	assert_int_equal(antt_unhex(want, ANTT_KEY_BYTES, pub), 0);
	assert_memory_equal(k->pk, want, ANTT_KEY_BYTES);
	antt_key_destroy(&k);

	s_keyfile(path, "ed25519", seed, pub2);
	s_expect_bad_key(path, "public key of another seed", "does not match");

	char shortseed[64];
	memcpy(shortseed, seed, 62);
	shortseed[62] = '\0';
	s_keyfile(path, "ed25519", shortseed, pub);
	s_expect_bad_key(path, "seed too short", "not an antt key file");

	char longpub[80];
	snprintf(longpub, sizeof longpub, "%s00", pub);
	s_keyfile(path, "ed25519", seed, longpub);
	s_expect_bad_key(path, "public key too long", "not an antt key file");

	char badhex[65];
	memcpy(badhex, seed, 65);
	badhex[10] = 'g';
	s_keyfile(path, "ed25519", badhex, pub);
	s_expect_bad_key(path, "seed not hex", "not an antt key file");

	s_keyfile(path, "rsa", seed, pub);
	s_expect_bad_key(path, "wrong type", "not an antt key file");

	static const char noseed[] =
	    "[identity]\ntype = ed25519\npublic = "
	    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
	    "\n";
	tu_write(path, noseed, strlen(noseed), 0600);
	s_expect_bad_key(path, "no seed", "seed or public missing");

	static const char other[] = "[node]\nunit = 10375\n";
	tu_write(path, other, strlen(other), 0600);
	s_expect_bad_key(path, "a config, not a key", "not an antt key file");

	tu_write(path, "", 0, 0600);
	s_expect_bad_key(path, "empty file", "not an antt key file");

	/* garbage of every byte value, NULs and newlines included */
	uint8_t garbage[4096];
	uint32_t x = 12345;
	for (size_t i = 0; i < sizeof garbage; i++) {
		x = x * 1103515245u + 12345u;
		garbage[i] = (uint8_t)(x >> 16);
	}
	tu_write(path, garbage, sizeof garbage, 0600);
	s_expect_bad_key(path, "random bytes", "not an antt key file");
	/* a very long line */
	memset(garbage, 'a', sizeof garbage);
	tu_write(path, garbage, sizeof garbage, 0600);
	s_expect_bad_key(path, "one long line", "not an antt key file");

	char *missing = tu_path(dir, "missing.key");
	s_expect_bad_key(missing, "missing file", "antt init");
	free(missing);
	free(path);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_config_good, s_setup, s_teardown),
	    cmocka_unit_test_setup_teardown(test_config_bad, s_setup, s_teardown),
	    cmocka_unit_test_setup_teardown(test_config_first_problem, s_setup, s_teardown),
	    cmocka_unit_test_setup_teardown(test_config_missing_file, s_setup, s_teardown),
	    cmocka_unit_test_setup_teardown(test_config_socket_too_long, s_setup, s_teardown),
	    cmocka_unit_test(test_config_default_path),
	    cmocka_unit_test_setup_teardown(test_key_save_load, s_setup, s_teardown),
	    cmocka_unit_test_setup_teardown(test_key_no_overwrite, s_setup, s_teardown),
	    cmocka_unit_test_setup_teardown(test_key_exposed, s_setup, s_teardown),
	    cmocka_unit_test_setup_teardown(test_key_corrupt, s_setup, s_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
