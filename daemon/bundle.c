/* bundle.c - signed records carried on a file (see bundle.h). */
#define _GNU_SOURCE
#include "bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "common.h"
#include "stamp.h"
#include "store.h"

#define MAGIC_LEN 8

typedef struct {
	ProtobufCBinaryData *recs;
	antt_stamp_set_t stamps; /* the first receipts of the records */
	size_t n, cap;
	size_t bytes;
	int too_big;
} s_out_t;

static int s_take(const uint8_t *id, const uint8_t *body, size_t blen, const uint8_t *sig,
                  uint64_t seq, int64_t stamp, void *arg)
{
	s_out_t *o = arg;
	(void)id, (void)seq;
	if (o->n == o->cap) {
		o->cap = o->cap ? 2 * o->cap : 1024;
		o->recs = antt_xrealloc(o->recs, o->cap * sizeof *o->recs);
	}
	antt_stamp_set_add(&o->stamps, stamp);
	uint8_t *env;
	size_t len;
	antt_envelope_encode(body, blen, sig, &env, &len);
	o->recs[o->n].data = env;
	o->recs[o->n].len = len;
	o->n++;
	o->bytes += len + 16;
	o->too_big = o->bytes > ANTT_BUNDLE_MAX - 4096;
	return o->too_big;
}

/* All of author's records from seq from, into o. */
static int s_author(antt_store_t *s, const uint8_t author[ANTT_KEY_BYTES], uint64_t from,
                    s_out_t *o, char *err)
{
	for (;;) {
		size_t before = o->n;
		int rc = antt_store_range(s, author, from, 1000, s_take, o, err);
		if (rc || o->too_big || o->n - before < 1000)
			return rc;
		from += o->n - before;
	}
}

static int s_write(const char *out, const uint8_t *frame, size_t len, char *err)
{
	int fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return antt_errf(err, errno == EEXIST ? ANTT_E_EXISTS : ANTT_E_IO,
		                 "cannot create %s: %s%s", out, strerror(errno),
		                 errno == EEXIST ? " (a bundle never overwrites a file: give a new "
		                                   "name)"
		                                 : "");
	const uint8_t *p = frame;
	size_t left = len;
	int e = 0;
	if (write(fd, ANTT_BUNDLE_MAGIC, MAGIC_LEN) != MAGIC_LEN)
		e = errno ? errno : EIO;
	while (!e && left) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			e = w < 0 ? errno : EIO;
			break;
		}
		p += w;
		left -= (size_t)w;
	}
	if (!e && fsync(fd) < 0)
		e = errno;
	close(fd);
	if (e) {
		unlink(out);
		return antt_errf(err, ANTT_E_IO, "cannot write %s: %s", out, strerror(e));
	}
	return antt_store_fsync_dir(out, err);
}

int antt_bundle_export(const char *store_path, const uint8_t self[ANTT_KEY_BYTES], const char *unit,
                       const char *out, int all, antt_bundle_info_t *info, char *err)
{
	antt_store_t *s = NULL;
	antt_author_head_t *heads = NULL;
	size_t nh = 0;
	s_out_t o = {0};
	uint8_t *packed = NULL, *frame = NULL;
	memset(info, 0, sizeof *info);
	int rc = antt_store_open(store_path, NULL, ANTT_STORE_READONLY, &s, err);
	if (!rc)
		rc = antt_store_heads(s, &heads, &nh, err);
	/* this node's own records first: its enrollments admit the others */
	for (int pass = 0; pass < 2 && !rc; pass++)
		for (size_t i = 0; i < nh && !rc && !o.too_big; i++) {
			const uint8_t *a = heads[i].author;
			uint64_t held = 0;
			if ((pass == 0) != !memcmp(a, self, ANTT_KEY_BYTES))
				continue;
			if (!all && (rc = antt_store_receipt(s, 1, a, &held, err)))
				break;
			if (held >= heads[i].head.seq)
				continue;
			size_t before = o.n;
			rc = s_author(s, a, held + 1, &o, err);
			info->authors += o.n > before;
		}
	if (!rc && o.too_big)
		rc = antt_errf(err, ANTT_E_INVAL,
		               "more than %llu MiB of records to carry: export with a link to the "
		               "parent for part of them, or carry several bundles as the parent "
		               "acknowledges",
		               ANTT_BUNDLE_MAX >> 20);
	Antt__Stamp **stamps = NULL;
	size_t n_stamps = 0;
	if (!rc)
		rc = antt_stamp_msgs(s, &o.stamps, &stamps, &n_stamps, err);
	if (!rc) {
		Antt__Bundle b = ANTT__BUNDLE__INIT;
		b.version = 1;
		b.from.data = (uint8_t *)self;
		b.from.len = ANTT_KEY_BYTES;
		b.unit = (char *)unit;
		b.created = antt_now();
		b.n_records = o.n;
		b.records = o.recs;
		b.n_stamps = n_stamps;
		b.stamps = stamps;
		size_t plen = antt__bundle__get_packed_size(&b);
		packed = antt_xmalloc(plen);
		antt__bundle__pack(&b, packed);
		/* with its checksum: a file damaged on the stick is refused
		 * whole, whatever bytes were hit */
		size_t zlen = 0;
		char zerr[ANTT_ERR_MAX];
		rc = antt_codec_zpack(packed, plen, 1, &frame, &zlen, zerr);
		if (rc)
			antt_errf(err, rc, "compressing the bundle: %s", zerr);
		if (!rc && !(rc = s_write(out, frame, zlen, err))) {
			info->records = (int64_t)o.n;
			info->bytes = (int64_t)(zlen + MAGIC_LEN);
		}
	}
	for (size_t i = 0; i < o.n; i++)
		free(o.recs[i].data);
	free(o.recs);
	antt_stamp_set_clear(&o.stamps);
	antt_stamp_msgs_free(stamps, n_stamps);
	free(packed);
	free(frame);
	free(heads);
	antt_store_close(&s);
	return rc;
}

Antt__Bundle *antt_bundle_parse(const uint8_t *data, size_t len, char *err)
{
	if (len < MAGIC_LEN || memcmp(data, ANTT_BUNDLE_MAGIC, MAGIC_LEN)) {
		antt_errf(err, ANTT_E_INVAL,
		          "not an antt bundle (it does not begin with %s): give a file that "
		          "antt bundle export wrote",
		          ANTT_BUNDLE_MAGIC);
		return NULL;
	}
	data += MAGIC_LEN, len -= MAGIC_LEN;
	uint8_t *raw = NULL;
	size_t raw_len = 0;
	int zrc = antt_codec_zunpack(data, len, ANTT_BUNDLE_MAX, &raw, &raw_len);
	if (zrc == -1) {
		antt_errf(err, ANTT_E_INVAL,
		          "the bundle is damaged or not from antt (its compressed part does not "
		          "state a size up to %llu MiB): export it again",
		          ANTT_BUNDLE_MAX >> 20);
		return NULL;
	}
	Antt__Bundle *b = NULL;
	if (!zrc) {
		antt_codec_budget_t budget; /* protobuf-c's allocations, capped */
		antt_codec_budget_init(&budget, ANTT_CODEC_ENVELOPES_BUDGET(raw_len));
		b = antt__bundle__unpack(&budget.a, raw_len, raw);
		free(raw);
	}
	if (!b) {
		antt_errf(err, ANTT_E_INVAL,
		          "the bundle is damaged (truncated or altered): export it again");
		return NULL;
	}
	if (b->version != 1 || b->from.len != ANTT_KEY_BYTES || b->n_stamps > b->n_records) {
		antt_errf(err, ANTT_E_INVAL,
		          b->version != 1
		              ? "the bundle is of version %u, which this antt does not "
		                "read: upgrade antt"
		              : "the bundle is damaged (version %u, bad header): export "
		                "it again",
		          b->version);
		antt__bundle__free_unpacked(b, NULL);
		return NULL;
	}
	return b;
}
