/* keyfile.c - node identity generation, storage and loading (see keyfile.h). */
#include "keyfile.h"

#include <errno.h>
#include <ini.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common.h"

static antt_key_t *s_key_new(void)
{
	antt_key_t *k = antt_xcalloc(1, sizeof *k);
	k->sk = sodium_malloc(ANTT_SECKEY_BYTES);
	if (!k->sk)
		abort();
	return k;
}

int antt_key_generate(antt_key_t **out)
{
	antt_key_t *k = s_key_new();
	crypto_sign_keypair(k->pk, k->sk);
	*out = k;
	return ANTT_OK;
}

int antt_key_from_seed(const uint8_t seed[ANTT_SEED_BYTES], antt_key_t **out)
{
	antt_key_t *k = s_key_new();
	crypto_sign_seed_keypair(k->pk, k->sk, seed);
	*out = k;
	return ANTT_OK;
}

void antt_key_destroy(antt_key_t **self_p)
{
	antt_key_t *k = *self_p;
	if (!k)
		return;
	sodium_free(k->sk);
	free(k);
	*self_p = NULL;
}

int antt_key_save(const antt_key_t *k, const char *path, char *err)
{
	char seed[2 * ANTT_SEED_BYTES + 1], pub[2 * ANTT_KEY_BYTES + 1];
	char text[512];
	/* libsodium's secret key is seed || public key */
	antt_hex(seed, k->sk, ANTT_SEED_BYTES);
	antt_hex(pub, k->pk, ANTT_KEY_BYTES);
	int n = snprintf(text, sizeof text,
	                 "# antt node identity. SECRET: keep this file mode 0600, never copy it\n"
	                 "# off this machine except to a backup you trust.\n"
	                 "[identity]\ntype = ed25519\nseed = %s\npublic = %s\n",
	                 seed, pub);
	int rc = antt_write_new_file(path, text, (size_t)n, 0600, err);
	sodium_memzero(seed, sizeof seed);
	sodium_memzero(text, sizeof text);
	if (rc == ANTT_E_EXISTS)
		return antt_errf(err, rc,
		                 "%s already exists: refusing to overwrite a node identity "
		                 "(move it away first if you really mean to replace it)",
		                 path);
	return rc;
}

/* inih reads each line into a buffer on its stack: wipe what it left. */
static void __attribute__((noinline)) s_wipe_stack(void)
{
	unsigned char buf[16384];
	sodium_memzero(buf, sizeof buf);
	__asm__ __volatile__("" : : "r"(buf) : "memory");
}

typedef struct {
	int type_ok, has_seed, has_pub, bad;
	char badkey[64];
	uint8_t seed[ANTT_SEED_BYTES];
	uint8_t pub[ANTT_KEY_BYTES];
} s_keyparse_t;

static int s_key_handler(void *user, const char *section, const char *name, const char *value)
{
	s_keyparse_t *p = user;
	if (strcmp(section, "identity") != 0)
		goto bad;
	if (!strcmp(name, "type")) {
		p->type_ok = !strcmp(value, "ed25519");
		return p->type_ok;
	}
	if (!strcmp(name, "seed")) {
		p->has_seed = antt_unhex(p->seed, ANTT_SEED_BYTES, value) == 0;
		return p->has_seed;
	}
	if (!strcmp(name, "public")) {
		p->has_pub = antt_unhex(p->pub, ANTT_KEY_BYTES, value) == 0;
		return p->has_pub;
	}
bad:
	snprintf(p->badkey, sizeof p->badkey, "%s", name);
	p->bad = 1;
	return 0;
}

int antt_key_load(const char *path, antt_key_t **out, char *err)
{
	int rc = ANTT_OK;
	struct stat st;
	s_keyparse_t *p = sodium_malloc(sizeof *p);
	if (!p)
		abort();
	memset(p, 0, sizeof *p);
	if (stat(path, &st) < 0) {
		rc = antt_errf(err, ANTT_E_CONFIG,
		               "cannot read key file %s: %s (create a node with 'antt init')", path,
		               strerror(errno));
		goto out;
	}
	if (st.st_mode & 077) {
		rc = antt_errf(err, ANTT_E_CONFIG,
		               "key file %s is readable by others (mode %03o): run 'chmod 600 %s'",
		               path, (unsigned)(st.st_mode & 0777), path);
		goto out;
	}
	FILE *f = fopen(path, "r");
	if (!f) {
		rc = antt_errf(err, ANTT_E_CONFIG, "cannot open key file %s: %s", path,
		               strerror(errno));
		goto out;
	}
	/* unbuffered: no stdio buffer keeps the seed's text once freed */
	setvbuf(f, NULL, _IONBF, 0);
	int line = ini_parse_file(f, s_key_handler, p);
	fclose(f);
	s_wipe_stack();
	if (line != 0 || !p->type_ok || !p->has_seed || !p->has_pub) {
		if (line > 0)
			rc = antt_errf(
			    err, ANTT_E_CONFIG,
			    "%s is not an antt key file (bad entry at line %d): restore it "
			    "from a backup, or create a new node with 'antt init'",
			    path, line);
		else
			rc = antt_errf(
			    err, ANTT_E_CONFIG,
			    "%s is not an antt key file (type, seed or public missing): "
			    "restore it from a backup, or create a new node with 'antt init'",
			    path);
		goto out;
	}
	antt_key_t *k = s_key_new();
	crypto_sign_seed_keypair(k->pk, k->sk, p->seed);
	if (sodium_memcmp(k->pk, p->pub, ANTT_KEY_BYTES) != 0) {
		antt_key_destroy(&k);
		rc = antt_errf(err, ANTT_E_CONFIG,
		               "key file %s is damaged: its public key does not match its secret; "
		               "restore it from a backup",
		               path);
		goto out;
	}
	*out = k;
out:
	sodium_free(p);
	return rc;
}
