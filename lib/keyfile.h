/* keyfile.h - a node's Ed25519 identity and its key file.
 *
 * The key file is INI text, mode 0600:
 *     [identity]
 *     type = ed25519
 *     seed = <64 hex digits>      (the secret)
 *     public = <64 hex digits>
 * The secret lives in libsodium guarded memory while loaded. */
#ifndef ANTT_KEYFILE_H
#define ANTT_KEYFILE_H

#include <stdint.h>

#include "names.h"

typedef struct {
	uint8_t pk[ANTT_KEY_BYTES];
	uint8_t *sk; /* ANTT_SECKEY_BYTES, sodium_malloc'd */
} antt_key_t;

/* A fresh random identity.  Caller owns *out. */
int antt_key_generate(antt_key_t **out);
/* The identity for a fixed seed (test vectors). */
int antt_key_from_seed(const uint8_t seed[ANTT_SEED_BYTES], antt_key_t **out);
/* Write a new key file with mode 0600; ANTT_E_EXISTS if path exists. */
int antt_key_save(const antt_key_t *k, const char *path, char *err);
/* Read and check a key file: format, public key matches the seed, and the
 * file is not readable by group or others.  Caller owns *out. */
int antt_key_load(const char *path, antt_key_t **out, char *err);
void antt_key_destroy(antt_key_t **self_p);

#endif
