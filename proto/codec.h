/* codec.h - how sync's messages are framed and read, for both sides and
 * for bundle files (proto/README.md, "Messages", "Compressed batches";
 * daemon/bundle.h).
 *
 * Everything a peer or a file sends is unpacked within a budget: protobuf-c
 * takes some 50 bytes for each entry of a repeated field, and an empty
 * entry costs 2 bytes on the wire, so without one a 16 MiB frame could ask
 * for gigabytes.  A compressed Records (a Batch's zrecords) or Bundle is
 * one zstd frame that states its content size, bounded before anything is
 * allocated. */
#ifndef ANTT_CODEC_H
#define ANTT_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "antt.pb-c.h"

/* A SyncMsg received (a frame of at most ANTT_SYNC_MAX_FRAME bytes), or
 * NULL when it does not decode within its budget.  Free with
 * antt__sync_msg__free_unpacked(m, NULL). */
Antt__SyncMsg *antt_codec_sync_msg(const uint8_t *data, size_t len);

/* The Records a Batch carries, inline or compressed. */
typedef struct {
	size_t n_records;
	ProtobufCBinaryData *records; /* borrowed from the Batch, or from unz */
	size_t n_stamps;
	Antt__Stamp **stamps;
	Antt__Records *unz; /* the unpacked zrecords, or NULL */
} antt_codec_batch_t;

/* Read batch's records: its own, or its zrecords unpacked (at most
 * ANTT_SYNC_MAX_UNZ bytes; its stamps are then those inside).  -1 when
 * zrecords do not decode, or a batch has records of both forms; nothing to
 * release then.  Release with
 * antt_codec_batch_release. */
int antt_codec_batch_open(const Antt__Batch *batch, antt_codec_batch_t *out);
void antt_codec_batch_release(antt_codec_batch_t *b);

/* Compress batch's records and stamps into its zrecords when that saves a
 * tenth or more (the records and stamps are then taken out of batch, which
 * borrows *z: free it after sending).  Returns 1 when compressed, with the
 * sizes before and after; 0 when batch is left as it was. */
int antt_codec_batch_compress(Antt__Batch *batch, uint8_t **z, size_t *raw_len, size_t *zlen);

/* One zstd frame of len bytes of raw, at level 3, stating its content size,
 * with zstd's checksum when checksum is set: *out is the caller's.  0, or
 * ANTT_E_IO with zstd's reason in err. */
int antt_codec_zpack(const uint8_t *raw, size_t len, int checksum, uint8_t **out, size_t *out_len,
                     char *err);

/* The content of one zstd frame that states its size, at most max bytes:
 * 0 with *raw (the caller's to free) and *len; -1 when the frame does not
 * state a size or states a larger one (nothing is allocated), -2 when it
 * does not decompress to that size (damaged). */
int antt_codec_zunpack(const uint8_t *z, size_t zlen, unsigned long long max, uint8_t **raw,
                       size_t *len);

/* A protobuf-c allocator that refuses past left bytes (what it allocates
 * is freed by free(): free_unpacked(m, NULL) releases it). */
typedef struct {
	ProtobufCAllocator a;
	size_t left;
} antt_codec_budget_t;
void antt_codec_budget_init(antt_codec_budget_t *b, size_t left);

/* The budget of a message of envelopes (Records, Bundle) of len bytes: an
 * envelope is more than 100 bytes, so twice its bytes and 1 MiB for the
 * message's own structs holds any honest one. */
#define ANTT_CODEC_ENVELOPES_BUDGET(len) (2 * (size_t)(len) + ((size_t)1 << 20))

#endif
