/* bundle.h - signed records carried on a file (sneakernet).
 *
 * A commune with no link at all exports the records its parent lacks to a
 * file; an officer carries it to any hub above, which imports it with the
 * checks of the network path (hub.c).  The records are self-certifying:
 * the file needs no signature of its own.
 *
 * File: the 8 bytes "ANTTBDL1", then one zstd frame, stating its content
 * size (at most ANTT_BUNDLE_MAX), of a Bundle message (proto/antt.proto). */
#ifndef ANTT_BUNDLE_H
#define ANTT_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "antt.pb-c.h"
#include "record.h"

#define ANTT_BUNDLE_MAGIC "ANTTBDL1"
#define ANTT_BUNDLE_MAX (64ULL * 1024 * 1024) /* largest Bundle, unpacked */

typedef struct {
	int64_t records, authors, bytes;
} antt_bundle_info_t;

/* Write the new file out (never overwritten; 0600; synced) from the store
 * at store_path (opened read-only: the node goes on meanwhile): every
 * author's records its parent is not known to hold (receipts of level 1),
 * or all of them (all).  self, unit: the exporting node. */
int antt_bundle_export(const char *store_path, const uint8_t self[ANTT_KEY_BYTES], const char *unit,
                       const char *out, int all, antt_bundle_info_t *info, char *err);

/* Decode a bundle file's bytes: NULL with err saying what is wrong.
 * Free with antt__bundle__free_unpacked(b, NULL). */
Antt__Bundle *antt_bundle_parse(const uint8_t *data, size_t len, char *err);

#endif
