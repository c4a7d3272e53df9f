/* stamp.c - first receipts (see stamp.h). */
#define _GNU_SOURCE
#include "stamp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define STAMP_FUTURE_S 600 /* a signer's clock may run this far ahead of ours */

void antt_stamp_set_add(antt_stamp_set_t *set, int64_t sn)
{
	if (sn <= 0)
		return;
	/* a batch holds few runs: the newest is most often the same */
	for (size_t i = set->n; i-- > 0;)
		if (set->sn[i] == sn)
			return;
	if (set->n == set->cap)
		set->sn = antt_xrealloc(set->sn,
		                        (set->cap = set->cap ? 2 * set->cap : 8) * sizeof *set->sn);
	set->sn[set->n++] = sn;
}

void antt_stamp_set_clear(antt_stamp_set_t *set)
{
	free(set->sn);
	memset(set, 0, sizeof *set);
}

int antt_stamp_msgs(antt_store_t *st, const antt_stamp_set_t *set, Antt__Stamp ***out, size_t *n,
                    char *err)
{
	Antt__Stamp **v = antt_xcalloc(set->n + 1, sizeof *v);
	size_t k = 0;
	int rc = ANTT_OK;
	for (size_t i = 0; i < set->n && !rc; i++) {
		Antt__Stamp *m = antt_xcalloc(1, sizeof *m);
		antt__stamp__init(m);
		m->hub.data = antt_xmalloc(ANTT_KEY_BYTES);
		m->hub.len = ANTT_KEY_BYTES;
		m->sig.data = antt_xmalloc(ANTT_SIG_BYTES);
		m->sig.len = ANTT_SIG_BYTES;
		rc = antt_store_stamp_get(st, set->sn[i], m->hub.data, &m->body.data, &m->body.len,
		                          m->sig.data, err);
		v[k++] = m;
		if (rc == ANTT_E_NOTFOUND)
			rc = antt_errf(err, ANTT_E_CORRUPT,
			               "a record names a first receipt that is not held: run antt "
			               "verify");
	}
	if (rc) {
		antt_stamp_msgs_free(v, k);
		return rc;
	}
	*out = v;
	*n = k;
	return ANTT_OK;
}

void antt_stamp_msgs_free(Antt__Stamp **v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i]->hub.data);
		free(v[i]->body.data);
		free(v[i]->sig.data);
		free(v[i]);
	}
	free(v);
}

int antt_stamp_issue(antt_store_t *st, const antt_key_t *key, const uint8_t author[ANTT_KEY_BYTES],
                     uint64_t from, uint64_t to, const uint8_t to_id[ANTT_ID_BYTES], int64_t at,
                     char *err)
{
	antt_stamp_t s = {.from_seq = from, .to_seq = to, .at = at};
	uint8_t *body, sig[ANTT_SIG_BYTES];
	size_t blen;
	int64_t sn = 0;
	memcpy(s.author, author, ANTT_KEY_BYTES);
	memcpy(s.to_id, to_id, ANTT_ID_BYTES);
	antt_stamp_encode(&s, &body, &blen);
	antt_stamp_sign(sig, body, blen, key->sk);
	int rc = antt_store_stamp_add(st, key->pk, body, blen, sig, &s, &sn, err);
	if (!rc)
		rc = antt_store_stamp_apply(st, sn, &s, err);
	free(body);
	return rc;
}

/* Does stamp m hold here?  0; 1 with why; 2 not yet: its last record is
 * not held (a batch window cut the run: it comes again with that record);
 * 3 held already (nothing to do). */
static int s_refused(antt_store_t *st, const uint8_t self[ANTT_KEY_BYTES], const Antt__Stamp *m,
                     int64_t now, antt_stamp_t *s, char *why, size_t why_len)
{
	char err[ANTT_ERR_MAX];
	uint8_t held[ANTT_ID_BYTES];
	if (m->base.n_unknown_fields || m->hub.len != ANTT_KEY_BYTES ||
	    m->sig.len != ANTT_SIG_BYTES || antt_stamp_decode(m->body.data, m->body.len, s, err)) {
		snprintf(why, why_len, "a malformed stamp");
		return 1;
	}
	/* the cheap checks first: a peer sending stamps by the thousand costs
	 * a lookup each, not a signature check */
	if (memcmp(m->hub.data, self, ANTT_KEY_BYTES) &&
	    !antt_store_enrolled_under(st, s->author, m->hub.data)) {
		snprintf(why, why_len,
		         "a stamp signed by a key that is no hub on its author's chain of "
		         "enrollments");
		return 1;
	}
	if (s->at > now + STAMP_FUTURE_S) {
		snprintf(why, why_len, "a stamp dated in the future");
		return 1;
	}
	int rc = antt_store_id_at(st, s->author, s->to_seq, held, err);
	if (rc == ANTT_E_NOTFOUND)
		return 2;
	if (rc || memcmp(held, s->to_id, ANTT_ID_BYTES)) {
		snprintf(why, why_len, "a stamp of other records than those held here");
		return 1;
	}
	if (antt_store_stamp_held(st, m->hub.data, m->body.data, m->body.len) == ANTT_OK)
		return 3; /* kept before: its signature was checked then */
	if (antt_stamp_verify(m->sig.data, m->body.data, m->body.len, m->hub.data) != 0) {
		snprintf(why, why_len, "a stamp whose signature does not verify");
		return 1;
	}
	return 0;
}

int antt_stamp_take(antt_store_t *st, const uint8_t self[ANTT_KEY_BYTES], Antt__Stamp *const *v,
                    size_t n, int64_t now, size_t *ignored, char *why, size_t why_len, char *err)
{
	char reason[160];
	*ignored = 0;
	for (size_t i = 0; i < n; i++) {
		antt_stamp_t s;
		int64_t sn = 0;
		int refused = s_refused(st, self, v[i], now, &s, reason, sizeof reason);
		if (refused == 1 && (*ignored)++ == 0)
			snprintf(why, why_len, "%s", reason);
		if (refused)
			continue;
		int rc = antt_store_stamp_add(st, v[i]->hub.data, v[i]->body.data, v[i]->body.len,
		                              v[i]->sig.data, &s, &sn, err);
		if (!rc)
			rc = antt_store_stamp_apply(st, sn, &s, err);
		if (rc)
			return rc;
	}
	return ANTT_OK;
}
