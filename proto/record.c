/* record.c - record codec and signatures (see record.h, proto/README.md). */
#include "record.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "antt.pb-c.h"
#include "common.h"
#include "period.h"

static void s_strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static char **s_strv_dup(char *const *v, size_t n)
{
	char **out = antt_xcalloc(n ? n : 1, sizeof *out);
	for (size_t i = 0; i < n; i++)
		out[i] = antt_xstrdup(v[i]);
	return out;
}

void antt_body_clear(antt_body_t *b)
{
	free(b->unit);
	free(b->form);
	free(b->period);
	free(b->note);
	free(b->enroll_unit);
	s_strv_free(b->enroll_units, b->n_enroll_units);
	s_strv_free(b->enroll_subtrees, b->n_enroll_subtrees);
	free(b->revoke_reason);
	for (size_t i = 0; i < b->n_values; i++)
		free(b->values[i].code);
	free(b->values);
	memset(b, 0, sizeof *b);
}

static int s_is_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/* A scope list: valid unit codes, strictly ascending (so each once). */
static int s_check_units(char *const *v, size_t n, const char *what, char *err)
{
	for (size_t i = 0; i < n; i++) {
		if (!antt_valid_unit(v[i]))
			return antt_errf(err, ANTT_E_INVAL, "bad unit code in an enrollment's %s",
			                 what);
		if (i && strcmp(v[i - 1], v[i]) >= 0)
			return antt_errf(err, ANTT_E_INVAL,
			                 "an enrollment's %s are not in strictly ascending order",
			                 what);
	}
	return ANTT_OK;
}

/* A station's or a legacy enrollment has no scope; a hub's or a relay's
 * has one. */
static int s_check_scope(const antt_body_t *b, char *err)
{
	size_t n = b->n_enroll_units + b->n_enroll_subtrees;
	int hub = b->enroll_grant == ANTT_GRANT_HUB || b->enroll_grant == ANTT_GRANT_RELAY;
	if (b->enroll_grant > ANTT_GRANT_HUB && b->enroll_grant != ANTT_GRANT_RELAY)
		return antt_errf(err, ANTT_E_INVAL, "unknown grant %u in an enrollment",
		                 b->enroll_grant);
	if (!hub && n)
		return antt_errf(err, ANTT_E_INVAL, "only a hub's enrollment has a scope");
	if (hub && (n == 0 || n > ANTT_SCOPE_MAX))
		return antt_errf(err, ANTT_E_INVAL,
		                 "a hub's enrollment names 1 to %d units or subtrees it may enroll",
		                 ANTT_SCOPE_MAX);
	int rc = s_check_units(b->enroll_units, b->n_enroll_units, "units", err);
	return rc ? rc : s_check_units(b->enroll_subtrees, b->n_enroll_subtrees, "subtrees", err);
}

int antt_body_check(const antt_body_t *b, char *err)
{
	if (b->version != ANTT_RECORD_VERSION)
		return antt_errf(err, ANTT_E_INVAL, "unsupported record version %u", b->version);
	if (b->seq < 1 || b->seq > INT64_MAX)
		return antt_errf(err, ANTT_E_INVAL, "sequence number out of range");
	if ((b->seq == 1) != s_is_zero(b->prev, ANTT_ID_BYTES))
		return antt_errf(err, ANTT_E_INVAL,
		                 "prev must be zero exactly for the first record of a chain");
	if (!antt_valid_unit(b->unit))
		return antt_errf(err, ANTT_E_INVAL, "bad unit code");
	if (!antt_valid_name(b->form))
		return antt_errf(err, ANTT_E_INVAL, "bad form id");
	/* a period a calendar has: every reader, whatever forms it has, can
	 * place a report in time (lib/period.c) */
	if (!b->period || strlen(b->period) > ANTT_PERIOD_MAX || !antt_valid_unit(b->period))
		return antt_errf(err, ANTT_E_INVAL,
		                 "bad period: not a day, month, quarter or year (YYYY-MM-DD, "
		                 "YYYY-MM, YYYY-Qn or YYYY)");
	int kind = antt_period_classify(b->period);
	if (kind < 0)
		return antt_errf(err, ANTT_E_INVAL,
		                 "bad period '%s': not a day, month, quarter or year of the "
		                 "calendar (YYYY-MM-DD, YYYY-MM, YYYY-Qn or YYYY; years 2000 to "
		                 "2099)",
		                 b->period);
	if (b->n_values > ANTT_VALUES_MAX)
		return antt_errf(err, ANTT_E_INVAL, "more than %d values", ANTT_VALUES_MAX);
	for (size_t i = 0; i < b->n_values; i++) {
		if (!antt_valid_name(b->values[i].code))
			return antt_errf(err, ANTT_E_INVAL, "bad indicator code");
		if (b->values[i].value > ANTT_VALUE_MAX)
			return antt_errf(err, ANTT_E_INVAL, "value of %s too large",
			                 b->values[i].code);
		if (i && strcmp(b->values[i - 1].code, b->values[i].code) >= 0)
			return antt_errf(err, ANTT_E_INVAL,
			                 "values not in strictly ascending code order");
	}
	if (b->note) {
		size_t n = strlen(b->note);
		if (n == 0 || n > ANTT_NOTE_MAX || !antt_valid_utf8(b->note, n))
			return antt_errf(err, ANTT_E_INVAL,
			                 "note must be 1 to %d bytes of valid UTF-8",
			                 ANTT_NOTE_MAX);
	}
	int system_form = !strncmp(b->form, ANTT_FORM_RESERVED, strlen(ANTT_FORM_RESERVED));
	if (b->has_enroll) {
		if (strcmp(b->form, ANTT_FORM_ENROLL) || b->n_values || b->has_corrects)
			return antt_errf(err, ANTT_E_INVAL,
			                 "an enrollment record has form " ANTT_FORM_ENROLL
			                 " and no values or corrects");
		if (!antt_valid_unit(b->enroll_unit))
			return antt_errf(err, ANTT_E_INVAL, "bad enrolled unit code");
		int rc = s_check_scope(b, err);
		if (rc)
			return rc;
		if (b->has_revoke)
			return antt_errf(err, ANTT_E_INVAL,
			                 "a record enrolls or revokes, not both");
	} else if (b->has_revoke) {
		if (strcmp(b->form, ANTT_FORM_REVOKE) || b->n_values || b->has_corrects)
			return antt_errf(err, ANTT_E_INVAL,
			                 "a revocation record has form " ANTT_FORM_REVOKE
			                 " and no values or corrects");
		if (b->revoke_after > INT64_MAX)
			return antt_errf(err, ANTT_E_INVAL, "revocation seq out of range");
		if (b->revoke_reason) {
			size_t n = strlen(b->revoke_reason);
			if (n == 0 || n > ANTT_NOTE_MAX || !antt_valid_utf8(b->revoke_reason, n))
				return antt_errf(
				    err, ANTT_E_INVAL,
				    "revocation reason must be 1 to %d bytes of valid UTF-8",
				    ANTT_NOTE_MAX);
		}
	} else if (system_form) {
		return antt_errf(err, ANTT_E_INVAL,
		                 "form ids starting \"" ANTT_FORM_RESERVED "\" are reserved");
	}
	if (system_form && kind != ANTT_PERIOD_DAY)
		return antt_errf(err, ANTT_E_INVAL,
		                 "bad period '%s': a system record (%s) has the day it was made "
		                 "as its period, written like 2024-06-15",
		                 b->period, b->form);
	return ANTT_OK;
}

int antt_body_encode(const antt_body_t *b, uint8_t **out, size_t *len, char *err)
{
	int rc = antt_body_check(b, err);
	if (rc)
		return rc;
	Antt__RecordBody m = ANTT__RECORD_BODY__INIT;
	m.version = b->version;
	m.author.data = (uint8_t *)b->author;
	m.author.len = ANTT_KEY_BYTES;
	m.seq = b->seq;
	m.prev.data = (uint8_t *)b->prev;
	m.prev.len = ANTT_ID_BYTES;
	m.unit = b->unit;
	m.clock = b->clock;
	m.form = b->form;
	m.period = b->period;
	m.note = b->note ? b->note : (char *)"";
	if (b->has_corrects) {
		m.corrects.data = (uint8_t *)b->corrects;
		m.corrects.len = ANTT_ID_BYTES;
	}
	Antt__Enroll enroll = ANTT__ENROLL__INIT;
	if (b->has_enroll) {
		enroll.unit = b->enroll_unit;
		enroll.key.data = (uint8_t *)b->enroll_key;
		enroll.key.len = ANTT_KEY_BYTES;
		enroll.grant = b->enroll_grant;
		enroll.n_units = b->n_enroll_units;
		enroll.units = b->enroll_units;
		enroll.n_subtrees = b->n_enroll_subtrees;
		enroll.subtrees = b->enroll_subtrees;
		m.enroll = &enroll;
	}
	Antt__Revoke revoke = ANTT__REVOKE__INIT;
	if (b->has_revoke) {
		revoke.key.data = (uint8_t *)b->revoke_key;
		revoke.key.len = ANTT_KEY_BYTES;
		revoke.after_seq = b->revoke_after;
		revoke.reason = b->revoke_reason ? b->revoke_reason : (char *)"";
		m.revoke = &revoke;
	}
	Antt__Value *vals = antt_xcalloc(b->n_values, sizeof *vals);
	Antt__Value **ptrs = antt_xcalloc(b->n_values, sizeof *ptrs);
	for (size_t i = 0; i < b->n_values; i++) {
		antt__value__init(&vals[i]);
		vals[i].code = b->values[i].code;
		vals[i].value = b->values[i].value;
		ptrs[i] = &vals[i];
	}
	m.n_values = b->n_values;
	m.values = ptrs;
	*len = antt__record_body__get_packed_size(&m);
	*out = antt_xmalloc(*len);
	antt__record_body__pack(&m, *out);
	free(vals);
	free(ptrs);
	return ANTT_OK;
}

int antt_body_decode(const uint8_t *buf, size_t len, antt_body_t *b, char *err)
{
	int rc = ANTT_OK;
	memset(b, 0, sizeof *b);
	if (len > ANTT_BODY_MAX)
		return antt_errf(err, ANTT_E_INVAL, "record body larger than %d bytes",
		                 ANTT_BODY_MAX);
	Antt__RecordBody *m = antt__record_body__unpack(NULL, len, buf);
	if (!m)
		return antt_errf(err, ANTT_E_INVAL, "record body is not a valid encoding");
	int unknown = m->base.n_unknown_fields != 0 ||
	              (m->enroll && m->enroll->base.n_unknown_fields != 0) ||
	              (m->revoke && m->revoke->base.n_unknown_fields != 0);
	for (size_t i = 0; i < m->n_values; i++)
		unknown |= m->values[i]->base.n_unknown_fields != 0;
	if (unknown) {
		rc = antt_errf(err, ANTT_E_INVAL, "record body has unknown fields");
		goto out;
	}
	if (m->author.len != ANTT_KEY_BYTES || m->prev.len != ANTT_ID_BYTES ||
	    (m->corrects.len != 0 && m->corrects.len != ANTT_ID_BYTES)) {
		rc = antt_errf(err, ANTT_E_INVAL, "record body has a key or id of the wrong size");
		goto out;
	}
	if (m->enroll && m->enroll->key.len != ANTT_KEY_BYTES) {
		rc = antt_errf(err, ANTT_E_INVAL, "enrollment key is not 32 bytes");
		goto out;
	}
	if (m->enroll &&
	    (m->enroll->n_units > ANTT_SCOPE_MAX || m->enroll->n_subtrees > ANTT_SCOPE_MAX)) {
		rc = antt_errf(err, ANTT_E_INVAL, "an enrollment's scope is too long");
		goto out;
	}
	if (m->revoke && m->revoke->key.len != ANTT_KEY_BYTES) {
		rc = antt_errf(err, ANTT_E_INVAL, "revoked key is not 32 bytes");
		goto out;
	}
	if (m->n_values > ANTT_VALUES_MAX) {
		rc = antt_errf(err, ANTT_E_INVAL, "more than %d values", ANTT_VALUES_MAX);
		goto out;
	}
	b->version = m->version;
	memcpy(b->author, m->author.data, ANTT_KEY_BYTES);
	b->seq = m->seq;
	memcpy(b->prev, m->prev.data, ANTT_ID_BYTES);
	b->unit = antt_xstrdup(m->unit);
	b->clock = m->clock;
	b->form = antt_xstrdup(m->form);
	b->period = antt_xstrdup(m->period);
	b->note = m->note && *m->note ? antt_xstrdup(m->note) : NULL;
	if (m->corrects.len) {
		b->has_corrects = 1;
		memcpy(b->corrects, m->corrects.data, ANTT_ID_BYTES);
	}
	if (m->enroll) {
		b->has_enroll = 1;
		b->enroll_unit = antt_xstrdup(m->enroll->unit);
		memcpy(b->enroll_key, m->enroll->key.data, ANTT_KEY_BYTES);
		b->enroll_grant = m->enroll->grant;
		b->n_enroll_units = m->enroll->n_units;
		b->enroll_units = s_strv_dup(m->enroll->units, m->enroll->n_units);
		b->n_enroll_subtrees = m->enroll->n_subtrees;
		b->enroll_subtrees = s_strv_dup(m->enroll->subtrees, m->enroll->n_subtrees);
	}
	if (m->revoke) {
		b->has_revoke = 1;
		memcpy(b->revoke_key, m->revoke->key.data, ANTT_KEY_BYTES);
		b->revoke_after = m->revoke->after_seq;
		b->revoke_reason = m->revoke->reason && *m->revoke->reason
		                       ? antt_xstrdup(m->revoke->reason)
		                       : NULL;
	}
	b->n_values = m->n_values;
	b->values = antt_xcalloc(m->n_values, sizeof *b->values);
	for (size_t i = 0; i < m->n_values; i++) {
		b->values[i].code = antt_xstrdup(m->values[i]->code);
		b->values[i].value = m->values[i]->value;
	}
	rc = antt_body_check(b, err);
	if (!rc) {
		/* Only the canonical encoding is valid: this one check refuses
		 * repeated fields (a hidden earlier value), NUL inside a text
		 * (protobuf-c's strings would end there, hiding signed bytes),
		 * non-minimal varints, default values written out and any other
		 * second spelling of the same content. */
		uint8_t *again = NULL;
		size_t alen = 0;
		if (antt_body_encode(b, &again, &alen, NULL) || alen != len ||
		    memcmp(again, buf, len) != 0)
			rc =
			    antt_errf(err, ANTT_E_INVAL,
			              "record body is not in canonical encoding (proto/README.md)");
		free(again);
	}
out:
	antt__record_body__free_unpacked(m, NULL);
	if (rc)
		antt_body_clear(b);
	return rc;
}

void antt_record_id(uint8_t id[ANTT_ID_BYTES], const uint8_t *body, size_t len)
{
	crypto_generichash(id, ANTT_ID_BYTES, body, len, NULL, 0);
}

void antt_record_sign(uint8_t sig[ANTT_SIG_BYTES], const uint8_t *body, size_t len,
                      const uint8_t sk[ANTT_SECKEY_BYTES])
{
	crypto_sign_detached(sig, NULL, body, len, sk);
}

int antt_record_verify(const uint8_t sig[ANTT_SIG_BYTES], const uint8_t *body, size_t len,
                       const uint8_t pk[ANTT_KEY_BYTES])
{
	return crypto_sign_verify_detached(sig, body, len, pk) == 0 ? 0 : -1;
}

int antt_envelope_encode(const uint8_t *body, size_t blen, const uint8_t sig[ANTT_SIG_BYTES],
                         uint8_t **out, size_t *len)
{
	Antt__Envelope e = ANTT__ENVELOPE__INIT;
	e.body.data = (uint8_t *)body;
	e.body.len = blen;
	e.sig.data = (uint8_t *)sig;
	e.sig.len = ANTT_SIG_BYTES;
	*len = antt__envelope__get_packed_size(&e);
	*out = antt_xmalloc(*len);
	antt__envelope__pack(&e, *out);
	return ANTT_OK;
}

int antt_envelope_decode(const uint8_t *buf, size_t len, uint8_t **body, size_t *blen,
                         uint8_t sig[ANTT_SIG_BYTES], char *err)
{
	int rc = ANTT_OK;
	if (len > ANTT_BODY_MAX + 128)
		return antt_errf(err, ANTT_E_INVAL, "envelope too large");
	Antt__Envelope *e = antt__envelope__unpack(NULL, len, buf);
	if (!e)
		return antt_errf(err, ANTT_E_INVAL, "envelope is not a valid encoding");
	if (e->base.n_unknown_fields || e->sig.len != ANTT_SIG_BYTES || e->body.len == 0 ||
	    e->body.len > ANTT_BODY_MAX) {
		rc = antt_errf(err, ANTT_E_INVAL, "envelope has a wrong field or size");
		goto out;
	}
	/* one spelling only, as for bodies: readers that took the first of
	 * two bodies and readers that took the last would read two records */
	uint8_t *again;
	size_t alen;
	antt_envelope_encode(e->body.data, e->body.len, e->sig.data, &again, &alen);
	int canonical = alen == len && !memcmp(again, buf, len);
	free(again);
	if (!canonical) {
		rc = antt_errf(err, ANTT_E_INVAL, "envelope is not in canonical encoding");
		goto out;
	}
	*body = antt_xmalloc(e->body.len);
	memcpy(*body, e->body.data, e->body.len);
	*blen = e->body.len;
	memcpy(sig, e->sig.data, ANTT_SIG_BYTES);
out:
	antt__envelope__free_unpacked(e, NULL);
	return rc;
}

int antt_chain_follows(uint64_t seq, const uint8_t prev[ANTT_ID_BYTES], uint64_t before_seq,
                       const uint8_t before_id[ANTT_ID_BYTES])
{
	return seq > before_seq && seq - before_seq == 1 &&
	       memcmp(prev, before_id, ANTT_ID_BYTES) == 0;
}

int antt_credentials_check(const uint8_t *creds, size_t len, const uint8_t self[ANTT_KEY_BYTES],
                           const uint8_t *parent, uint8_t top[ANTT_KEY_BYTES], char *chain,
                           size_t chain_len, char *err)
{
	Antt__Records *rs = antt__records__unpack(NULL, len, creds);
	int rc = ANTT_OK;
	if (!rs || !rs->n_records) {
		rc = antt_errf(err, ANTT_E_CORRUPT, "%s",
		               rs ? "no enrollment of this node in it"
		                  : "not a list of records (damaged)");
		goto out;
	}
	chain[0] = '\0';
	memcpy(top, self, ANTT_KEY_BYTES);
	for (size_t i = 0; i < rs->n_records && !rc; i++) {
		uint8_t *body = NULL, sig[ANTT_SIG_BYTES];
		size_t blen;
		antt_body_t b = {0};
		char why[ANTT_ERR_MAX];
		if (antt_envelope_decode(rs->records[i].data, rs->records[i].len, &body, &blen, sig,
		                         why) ||
		    antt_body_decode(body, blen, &b, why) || !b.has_enroll ||
		    memcmp(b.enroll_key, top, ANTT_KEY_BYTES) ||
		    (i == 0 && parent && memcmp(b.author, parent, ANTT_KEY_BYTES)) ||
		    antt_record_verify(sig, body, blen, b.author) != 0) {
			rc = antt_errf(
			    err, ANTT_E_CORRUPT,
			    "enrollment %zu of the chain does not hold (not an enrollment "
			    "of the key before it, or a bad signature)",
			    i + 1);
		} else {
			size_t l = strlen(chain);
			snprintf(chain + l, chain_len - l, "%s%.16s", l ? " <- " : "",
			         b.enroll_unit);
			memcpy(top, b.author, ANTT_KEY_BYTES);
		}
		antt_body_clear(&b);
		free(body);
	}
out:
	if (rs)
		antt__records__free_unpacked(rs, NULL);
	return rc;
}

/* ---- authority (proto/README.md, "Authority") ---- */

antt_grant_t antt_grant_of(const antt_body_t *e)
{
	antt_grant_t g = {e->enroll_grant, e->enroll_unit,       e->n_enroll_units,
	                  e->enroll_units, e->n_enroll_subtrees, e->enroll_subtrees};
	return g;
}

/* Is unit within hub g's scope?  1 yes; 0 no, with why said. */
static int s_in_scope(const antt_grant_t *g, const char *unit, antt_below_fn below, void *arg,
                      int *no_list)
{
	for (size_t i = 0; i < g->n_units; i++)
		if (!strcmp(g->units[i], unit))
			return 1;
	for (size_t i = 0; i < g->n_subtrees; i++) {
		int r = below ? below(unit, g->subtrees[i], arg) : -1;
		if (r == 1)
			return 1;
		if (r < 0)
			*no_list = 1;
	}
	return 0;
}

/* Is the subtree below unit within g's scope: unit one of g's subtrees or
 * below one of them? */
static int s_subtree_in_scope(const antt_grant_t *g, const char *unit, antt_below_fn below,
                              void *arg, int *no_list)
{
	for (size_t i = 0; i < g->n_subtrees; i++) {
		if (!strcmp(g->subtrees[i], unit))
			return 1;
		int r = below ? below(unit, g->subtrees[i], arg) : -1;
		if (r == 1)
			return 1;
		if (r < 0)
			*no_list = 1;
	}
	return 0;
}

int antt_grant_permits(const antt_grant_t *g, const antt_body_t *b, antt_below_fn below, void *arg,
                       char *why, size_t why_len)
{
	if (g->grant == ANTT_GRANT_ROOT)
		return ANTT_OK;
	if (g->grant == ANTT_GRANT_STATION) {
		snprintf(why, why_len, "its key is a station's (unit %.16s): it may %s no key",
		         g->unit, b->has_revoke ? "revoke" : "enroll");
		return ANTT_E_INVAL;
	}
	if (!b->has_enroll)
		return ANTT_OK; /* a revocation: a hub or a legacy hub */
	/* a legacy key is a hub over the units below its own, no more */
	char *legacy[1] = {(char *)g->unit};
	antt_grant_t h = *g;
	if (g->grant == ANTT_GRANT_LEGACY) {
		h.n_units = 0;
		h.n_subtrees = 1;
		h.subtrees = legacy;
	}
	int no_list = 0;
	const char *out = NULL;
	if (b->enroll_grant == ANTT_GRANT_LEGACY && g->grant != ANTT_GRANT_LEGACY) {
		snprintf(
		    why, why_len,
		    "an enrollment without a grant is accepted only from the root or from a key "
		    "enrolled before grants existed");
		return ANTT_E_INVAL;
	}
	if (!s_in_scope(&h, b->enroll_unit, below, arg, &no_list))
		out = b->enroll_unit;
	for (size_t i = 0; !out && i < b->n_enroll_units; i++)
		if (!s_in_scope(&h, b->enroll_units[i], below, arg, &no_list))
			out = b->enroll_units[i];
	for (size_t i = 0; !out && i < b->n_enroll_subtrees; i++)
		if (!s_subtree_in_scope(&h, b->enroll_subtrees[i], below, arg, &no_list))
			out = b->enroll_subtrees[i];
	if (!out)
		return ANTT_OK;
	snprintf(why, why_len,
	         "enrolls unit %.16s, outside the scope of its author's key (unit %.16s)%s", out,
	         g->unit,
	         no_list ? ": no unit list here shows what is below (antt units import)" : "");
	return ANTT_E_INVAL;
}

/* ---- stamps ---- */

void antt_stamp_encode(const antt_stamp_t *s, uint8_t **out, size_t *len)
{
	Antt__StampBody m = ANTT__STAMP_BODY__INIT;
	m.author.data = (uint8_t *)s->author;
	m.author.len = ANTT_KEY_BYTES;
	m.from_seq = s->from_seq;
	m.to_seq = s->to_seq;
	m.to_id.data = (uint8_t *)s->to_id;
	m.to_id.len = ANTT_ID_BYTES;
	m.at = s->at;
	*len = antt__stamp_body__get_packed_size(&m);
	*out = antt_xmalloc(*len);
	antt__stamp_body__pack(&m, *out);
}

int antt_stamp_decode(const uint8_t *buf, size_t len, antt_stamp_t *s, char *err)
{
	int rc = ANTT_OK;
	memset(s, 0, sizeof *s);
	if (len > 256)
		return antt_errf(err, ANTT_E_INVAL, "stamp body too large");
	Antt__StampBody *m = antt__stamp_body__unpack(NULL, len, buf);
	if (!m)
		return antt_errf(err, ANTT_E_INVAL, "stamp body is not a valid encoding");
	if (m->base.n_unknown_fields || m->author.len != ANTT_KEY_BYTES ||
	    m->to_id.len != ANTT_ID_BYTES || m->from_seq < 1 || m->to_seq < m->from_seq ||
	    m->to_seq > INT64_MAX || m->at <= 0) {
		rc = antt_errf(err, ANTT_E_INVAL, "stamp body has a wrong field");
		goto out;
	}
	memcpy(s->author, m->author.data, ANTT_KEY_BYTES);
	s->from_seq = m->from_seq;
	s->to_seq = m->to_seq;
	memcpy(s->to_id, m->to_id.data, ANTT_ID_BYTES);
	s->at = m->at;
	uint8_t *again;
	size_t alen;
	antt_stamp_encode(s, &again, &alen);
	if (alen != len || memcmp(again, buf, len))
		rc = antt_errf(err, ANTT_E_INVAL, "stamp body is not in canonical encoding");
	free(again);
out:
	antt__stamp_body__free_unpacked(m, NULL);
	return rc;
}

/* The signed message: the domain, then the body (a stamp's signature can
 * never pass for a record's: a body never starts with these bytes). */
static uint8_t *s_stamp_msg(const uint8_t *body, size_t len, size_t *mlen)
{
	size_t d = strlen(ANTT_STAMP_DOMAIN);
	uint8_t *m = antt_xmalloc(d + len);
	memcpy(m, ANTT_STAMP_DOMAIN, d);
	memcpy(m + d, body, len);
	*mlen = d + len;
	return m;
}

void antt_stamp_sign(uint8_t sig[ANTT_SIG_BYTES], const uint8_t *body, size_t len,
                     const uint8_t sk[ANTT_SECKEY_BYTES])
{
	size_t mlen;
	uint8_t *m = s_stamp_msg(body, len, &mlen);
	crypto_sign_detached(sig, NULL, m, mlen, sk);
	free(m);
}

int antt_stamp_verify(const uint8_t sig[ANTT_SIG_BYTES], const uint8_t *body, size_t len,
                      const uint8_t hub[ANTT_KEY_BYTES])
{
	size_t mlen;
	uint8_t *m = s_stamp_msg(body, len, &mlen);
	int rc = crypto_sign_verify_detached(sig, m, mlen, hub) == 0 ? 0 : -1;
	free(m);
	return rc;
}
