/* codec.c - sync's framing: bounded unpacking, compressed Records and
 * bundles (codec.h). */
#include "codec.h"

#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "common.h"
#include "sync.h"

static void *s_budget_alloc(void *data, size_t size)
{
	antt_codec_budget_t *b = data;
	if (size > b->left)
		return NULL;
	b->left -= size;
	return antt_xmalloc(size);
}

static void s_budget_free(void *data, void *p)
{
	(void)data;
	free(p);
}

void antt_codec_budget_init(antt_codec_budget_t *b, size_t left)
{
	b->a.alloc = s_budget_alloc;
	b->a.free = s_budget_free;
	b->a.allocator_data = b;
	b->left = left;
}

Antt__SyncMsg *antt_codec_sync_msg(const uint8_t *data, size_t len)
{
	/* an envelope unpacks to its bytes and a pointer, a Head to some
	 * 2.5 times its bytes (4.3 times an empty one): four times the frame
	 * and 1 MiB hold any honest message, ANTT_SYNC_MAX_HEADS of either
	 * kind of Head among them */
	antt_codec_budget_t b;
	if (len > ANTT_SYNC_MAX_FRAME)
		return NULL;
	antt_codec_budget_init(&b, 4 * len + ((size_t)1 << 20));
	return antt__sync_msg__unpack(&b.a, len, data);
}

int antt_codec_zpack(const uint8_t *raw, size_t len, int checksum, uint8_t **out, size_t *out_len,
                     char *err)
{
	size_t cap = ZSTD_compressBound(len);
	uint8_t *z = antt_xmalloc(cap);
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	if (!cc)
		abort(); /* out of memory, as antt_xmalloc */
	ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, 3);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, checksum ? 1 : 0);
	size_t zlen = ZSTD_compress2(cc, z, cap, raw, len);
	ZSTD_freeCCtx(cc);
	if (ZSTD_isError(zlen)) {
		free(z);
		return antt_errf(err, ANTT_E_IO, "%s", ZSTD_getErrorName(zlen));
	}
	*out = z;
	*out_len = zlen;
	return 0;
}

int antt_codec_zunpack(const uint8_t *z, size_t zlen, unsigned long long max, uint8_t **raw,
                       size_t *len)
{
	unsigned long long raw_len = ZSTD_getFrameContentSize(z, zlen);
	if (raw_len == ZSTD_CONTENTSIZE_ERROR || raw_len == ZSTD_CONTENTSIZE_UNKNOWN ||
	    raw_len > max)
		return -1;
	uint8_t *out = antt_xmalloc(raw_len ? (size_t)raw_len : 1);
	size_t got = ZSTD_decompress(out, (size_t)raw_len, z, zlen);
	if (ZSTD_isError(got) || got != raw_len) {
		free(out);
		return -2;
	}
	*raw = out;
	*len = got;
	return 0;
}

int antt_codec_batch_open(const Antt__Batch *batch, antt_codec_batch_t *out)
{
	memset(out, 0, sizeof *out);
	if (!batch->zrecords.len) {
		out->n_records = batch->n_records;
		out->records = batch->records;
		out->n_stamps = batch->n_stamps;
		out->stamps = batch->stamps;
		return 0;
	}
	if (batch->n_records)
		return -1; /* one form or the other (stamps sent beside are not read) */
	uint8_t *raw;
	size_t len;
	if (antt_codec_zunpack(batch->zrecords.data, batch->zrecords.len, ANTT_SYNC_MAX_UNZ, &raw,
	                       &len))
		return -1;
	antt_codec_budget_t b;
	antt_codec_budget_init(&b, ANTT_CODEC_ENVELOPES_BUDGET(len));
	out->unz = antt__records__unpack(&b.a, len, raw);
	free(raw);
	if (!out->unz)
		return -1;
	out->n_records = out->unz->n_records;
	out->records = out->unz->records;
	out->n_stamps = out->unz->n_stamps;
	out->stamps = out->unz->stamps;
	return 0;
}

void antt_codec_batch_release(antt_codec_batch_t *b)
{
	if (b->unz)
		antt__records__free_unpacked(b->unz, NULL);
	memset(b, 0, sizeof *b);
}

int antt_codec_batch_compress(Antt__Batch *batch, uint8_t **z, size_t *raw_len, size_t *zlen)
{
	Antt__Records rs = ANTT__RECORDS__INIT;
	char err[ANTT_ERR_MAX];
	rs.n_records = batch->n_records;
	rs.records = batch->records;
	rs.n_stamps = batch->n_stamps;
	rs.stamps = batch->stamps;
	size_t len = antt__records__get_packed_size(&rs);
	uint8_t *raw = antt_xmalloc(len ? len : 1);
	antt__records__pack(&rs, raw);
	int rc = antt_codec_zpack(raw, len, 0, z, zlen, err);
	free(raw);
	if (rc)
		return 0; /* sent as it is */
	if (*zlen >= len * 9 / 10) {
		free(*z);
		*z = NULL;
		return 0;
	}
	*raw_len = len;
	batch->n_records = 0;
	batch->records = NULL;
	batch->n_stamps = 0;
	batch->stamps = NULL;
	batch->zrecords.data = *z;
	batch->zrecords.len = *zlen;
	return 1;
}
