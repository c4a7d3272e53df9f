/* names.h - how a node, a unit and a form are named, and how large a figure
 * may be: the sizes of keys and codes, their character sets, shared by
 * anttd, antt and the record format (proto/record.h). */
#ifndef ANTT_NAMES_H
#define ANTT_NAMES_H

#include <stddef.h>

#define ANTT_KEY_BYTES 32    /* Ed25519 public key */
#define ANTT_SECKEY_BYTES 64 /* libsodium Ed25519 secret key (seed || pk) */
#define ANTT_SEED_BYTES 32

#define ANTT_UNIT_MAX 16                   /* longest unit code */
#define ANTT_LIST_MAX 16                   /* longest unit list name (2025-07) */
#define ANTT_NAME_MAX 64                   /* longest form id or indicator code */
#define ANTT_VALUE_MAX 9007199254740991ULL /* 2^53-1: exact in every JSON reader */

/* 1 when s is a unit code: [0-9A-Za-z._-]{1,16}; else 0. */
int antt_valid_unit(const char *s);
/* 1 when s is a unit list's name: [0-9A-Za-z._-]{1,16}; else 0. */
int antt_valid_list(const char *s);
/* 1 when s is a form id or indicator code: [0-9A-Za-z._-]{1,64}, starting
 * with a letter or digit; else 0. */
int antt_valid_name(const char *s);
/* 1 when s[0..len) is UTF-8 with no NUL, overlong form, surrogate or code
 * point past U+10FFFF; else 0. */
int antt_valid_utf8(const char *s, size_t len);

#endif
