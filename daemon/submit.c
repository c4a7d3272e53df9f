/* submit.c - the one path by which this node signs: a client's reports
 * validated, chained onto the node's own head, signed and appended in one
 * durable transaction (ops submit and correct; enroll and revoke in
 * node_ops.c append through it too).
 *
 *   validate every report ──► BEGIN IMMEDIATE ──► head = last (seq, id)
 *        │ bad: refuse,            │                    │
 *        │ nothing written         ▼                    ▼
 *        │                  periodic duplicate?   body(seq = head+1, prev = head.id)
 *        │                    yes: ROLLBACK        sign, append, head = this
 *        ▼                                              │
 *      reply error                     COMMIT (fsync) ──► reply ids and seqs
 *
 * The sequence number is taken inside the same transaction as the append,
 * and the reply is sent only after COMMIT returned: an acknowledged record
 * is on disk.  Nothing is signed while the signing gate (node.c) is not
 * open.
 *
 * Why the signer threads wait with the loop thread on a condition
 * variable, and not in the libuv thread pool with an after-callback: the
 * transaction above is on the store's one writer connection, which the
 * hub's intake and the uplink's recovery use from the loop too.  Handing
 * signed chunks back to the loop through callbacks would keep that
 * transaction open across turns of the loop, in which those modules would
 * begin transactions of their own on the same connection (refused by
 * SQLite) and every read on it would see records not yet committed;
 * signing before BEGIN instead would take the seq outside the transaction
 * and lose the overlap of signing and appending (a bulk of 20,000 records
 * measured 7-9 % slower on two cores).  So a bulk import holds
 * the loop for its transaction, as any append does, and the only wait is
 * for signatures the loop is about to append; nothing outlives the call. */
#define _GNU_SOURCE
#include "node_int.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "ctlproto.h"
#include "forms.h"
#include "keyfile.h"
#include "reports_json.h"
#include "store.h"
#include "watchdog.h"

/* ---- validating what a client submits ---- */

static int s_value_cmp(const void *a, const void *b)
{
	return strcmp(((const antt_value_t *)a)->code, ((const antt_value_t *)b)->code);
}

/* Add the figures of vals (a JSON object code -> integer) to b, overriding
 * codes b already has.  b->values stays sorted. */
static int s_take_values(const antt_form_t *f, const json_t *vals, antt_body_t *b, char *err)
{
	const char *code;
	json_t *v;
	if (!json_is_object(vals))
		return antt_errf(err, ANTT_E_INVAL,
		                 "\"values\" must be an object of indicator code -> count");
	json_object_foreach ((json_t *)vals, code, v) {
		if (!antt_form_indicator(f, code)) {
			char *codes = antt_form_list_codes(f);
			int rc = antt_errf(err, ANTT_E_INVAL,
			                   "form %s has no indicator '%s'; its indicators are: %s "
			                   "(see 'antt forms')",
			                   f->id, code, codes);
			free(codes);
			return rc;
		}
		if (!json_is_integer(v))
			return antt_errf(err, ANTT_E_INVAL,
			                 "%s: the value must be a whole number of 0 or more", code);
		json_int_t x = json_integer_value(v);
		if (x < 0)
			return antt_errf(err, ANTT_E_INVAL,
			                 "%s: %lld is negative; counts are 0 or more", code,
			                 (long long)x);
		if ((uint64_t)x > ANTT_VALUE_MAX)
			return antt_errf(err, ANTT_E_INVAL, "%s: %lld is larger than %llu", code,
			                 (long long)x, (unsigned long long)ANTT_VALUE_MAX);
		size_t i;
		for (i = 0; i < b->n_values; i++)
			if (!strcmp(b->values[i].code, code))
				break;
		if (i == b->n_values) {
			b->values = antt_xrealloc(b->values, (b->n_values + 1) * sizeof *b->values);
			b->values[b->n_values++].code = antt_xstrdup(code);
		}
		b->values[i].value = (uint64_t)x;
	}
	if (b->n_values)
		qsort(b->values, b->n_values, sizeof *b->values, s_value_cmp);
	return ANTT_OK;
}

static int s_take_note(const json_t *note, antt_body_t *b, char *err)
{
	if (!note || json_is_null(note))
		return ANTT_OK;
	if (!json_is_string(note))
		return antt_errf(err, ANTT_E_INVAL, "\"note\" must be text");
	const char *s = json_string_value(note);
	size_t len = json_string_length(note);
	if (len > ANTT_NOTE_MAX || strlen(s) != len)
		return antt_errf(err, ANTT_E_INVAL, "the note is longer than %d bytes",
		                 ANTT_NOTE_MAX);
	free(b->note);
	b->note = len ? antt_xstrdup(s) : NULL;
	return ANTT_OK;
}

/* A report object from a client -> a body without chain fields. */
/* Has period begun, by this node's clock now (Vietnam time), give or take
 * a day for a clock a little wrong?  A report of a month to come would be
 * stored, and then stand in the way of the real one.  0, or ANTT_E_INVAL
 * with what to do. */
static int s_period_begun(const char *period, time_t now, char *err)
{
	int d0, d1;
	if (antt_period_days(period, &d0, &d1))
		return ANTT_OK;                     /* checked before: not a period */
	long long begins = antt_period_due(d0, -1); /* the first day's first second */
	if ((long long)now >= begins - 86400)
		return ANTT_OK;
	time_t vn = now + ANTT_TZ_OFFSET;
	struct tm tm;
	gmtime_r(&vn, &tm);
	return antt_errf(err, ANTT_E_INVAL,
	                 "period %s has not begun: it begins on %02d/%02d/%04d and today is "
	                 "%02d/%02d/%04d (Vietnam time, by this computer's clock). A report is "
	                 "filed for a period that has begun: check the period, or this "
	                 "computer's date if it is wrong",
	                 period, d0 % 100, d0 / 100 % 100, d0 / 10000, tm.tm_mday, tm.tm_mon + 1,
	                 tm.tm_year + 1900);
}

static int s_take_report(antt_node_t *n, const json_t *rep, antt_body_t *b, char *err)
{
	const char *key;
	json_t *v;
	if (!json_is_object(rep))
		return antt_errf(err, ANTT_E_INVAL,
		                 "a report must be an object {\"form\", \"period\", \"values\", "
		                 "\"note\"}");
	json_object_foreach ((json_t *)rep, key, v) {
		if (strcmp(key, "form") && strcmp(key, "period") && strcmp(key, "values") &&
		    strcmp(key, "note") && strcmp(key, "unit"))
			return antt_errf(err, ANTT_E_INVAL,
			                 "unknown key \"%s\" in a report (known: form, period, "
			                 "values, note, unit)",
			                 key);
	}
	/* another unit than the node's: what it may file for is judged with
	 * the others (s_may_sign) */
	json_t *unit_j = json_object_get(rep, "unit");
	const char *unit = json_string_value(unit_j);
	if (unit_j && !json_is_null(unit_j) && (!unit || !antt_valid_unit(unit)))
		return antt_errf(err, ANTT_E_INVAL,
		                 "\"unit\" must be a unit code (digits, letters, '.', '_', '-'; at "
		                 "most %d), e.g. 12346",
		                 ANTT_UNIT_MAX);
	const char *form = json_string_value(json_object_get(rep, "form"));
	const char *period = json_string_value(json_object_get(rep, "period"));
	if (!form && json_object_get(rep, "form"))
		return antt_errf(err, ANTT_E_INVAL,
		                 "\"form\" must be text: a form id (see 'antt forms')");
	if (!period && json_object_get(rep, "period"))
		return antt_errf(err, ANTT_E_INVAL, "\"period\" must be text, like 2024-06");
	if (!form) {
		char *ids = antt_forms_list_ids(n->forms);
		int rc = antt_errf(err, ANTT_E_INVAL, "no form given; the forms are: %s", ids);
		free(ids);
		return rc;
	}
	const antt_form_t *f = antt_forms_find(n->forms, form);
	if (!f) {
		char *ids = antt_forms_list_ids(n->forms);
		int rc =
		    antt_errf(err, ANTT_E_INVAL,
		              "unknown form '%s'; the forms are: %s (see 'antt forms')", form, ids);
		free(ids);
		return rc;
	}
	if (!period)
		return antt_errf(err, ANTT_E_INVAL, "no period given: form %s takes a %s, like %s",
		                 f->id, antt_period_kind_name(f->period),
		                 antt_period_kind_example(f->period));
	int rc = antt_period_check(f->period, period, err);
	if (rc || (rc = s_period_begun(period, time(NULL), err)))
		return rc;
	b->version = ANTT_RECORD_VERSION;
	b->unit = antt_xstrdup(unit ? unit : n->unit);
	b->form = antt_xstrdup(f->id);
	b->period = antt_xstrdup(period);
	json_t *vals = json_object_get(rep, "values");
	rc = s_take_values(f, vals, b, err);
	if (rc)
		return rc;
	if (b->n_values == 0)
		return antt_errf(err, ANTT_E_INVAL, "a report needs at least one indicator value");
	return s_take_note(json_object_get(rep, "note"), b, err);
}

/* ---- appending ---- */

/* Prefix err with "report N: " for messages about one report of many. */
static void s_prefix_report(char *err, size_t index)
{
	char tmp[ANTT_ERR_MAX + 32];
	int n = snprintf(tmp, sizeof tmp, "report %zu: %s", index + 1, err);
	size_t len = n < ANTT_ERR_MAX ? (size_t)n : ANTT_ERR_MAX - 1;
	memcpy(err, tmp, len);
	err[len] = '\0';
}

/* A body made ready for the store: its bytes, id and signature. */
typedef struct {
	uint8_t *enc;
	size_t len;
	uint8_t id[ANTT_ID_BYTES];
	uint8_t sig[ANTT_SIG_BYTES];
} s_ready_t;

/* Signing a batch, overlapped with storing it.
 *
 * Signatures are independent of each other (the chain links ids, which are
 * hashes of the bodies, made before), so signer threads sign chunks of the
 * batch on every core while the loop thread appends the chunks already
 * signed, in order.  Shared: the read-only secret key, disjoint items, the
 * claim counter (atomic) and the done flags (under mu).  Nothing outlives
 * the call. */
#define SIGN_THREADS_MAX 8
#define SIGN_CHUNK 256 /* records per claim; smaller batches sign inline */

typedef struct {
	s_ready_t *items;
	size_t n, chunks;
	const uint8_t *sk;
	atomic_size_t next; /* next chunk to claim; set to chunks to stop */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned char *done; /* per chunk */
	pthread_t tids[SIGN_THREADS_MAX];
	size_t threads;
} s_signer_t;

static void s_sign_chunk(s_signer_t *sg, size_t k)
{
	size_t end = (k + 1) * SIGN_CHUNK < sg->n ? (k + 1) * SIGN_CHUNK : sg->n;
	for (size_t i = k * SIGN_CHUNK; i < end; i++)
		antt_record_sign(sg->items[i].sig, sg->items[i].enc, sg->items[i].len, sg->sk);
	pthread_mutex_lock(&sg->mu);
	sg->done[k] = 1;
	pthread_cond_broadcast(&sg->cv);
	pthread_mutex_unlock(&sg->mu);
}

static void *s_signer_run(void *arg)
{
	s_signer_t *sg = arg;
	size_t k;
	while ((k = atomic_fetch_add(&sg->next, 1)) < sg->chunks)
		s_sign_chunk(sg, k);
	return NULL;
}

static void s_signer_start(s_signer_t *sg, s_ready_t *items, size_t n, const uint8_t *sk)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	memset(sg, 0, sizeof *sg);
	sg->items = items;
	sg->n = n;
	sg->chunks = (n + SIGN_CHUNK - 1) / SIGN_CHUNK;
	sg->sk = sk;
	atomic_init(&sg->next, 0);
	pthread_mutex_init(&sg->mu, NULL);
	pthread_cond_init(&sg->cv, NULL);
	sg->done = antt_xcalloc(sg->chunks, 1);
	size_t want = sg->chunks < 2 || cpus < 2 ? 0
	              : cpus > SIGN_THREADS_MAX  ? SIGN_THREADS_MAX
	                                         : (size_t)cpus;
	for (size_t t = 0; t < want; t++)
		if (pthread_create(&sg->tids[sg->threads], NULL, s_signer_run, sg) == 0)
			sg->threads++;
}

/* Wait until chunk k is signed; with no signer thread, sign it here. */
static void s_signer_wait(s_signer_t *sg, size_t k)
{
	if (sg->threads == 0) {
		s_sign_chunk(sg, atomic_fetch_add(&sg->next, 1));
		return;
	}
	pthread_mutex_lock(&sg->mu);
	while (!sg->done[k])
		pthread_cond_wait(&sg->cv, &sg->mu);
	pthread_mutex_unlock(&sg->mu);
}

static void s_signer_finish(s_signer_t *sg)
{
	atomic_store(&sg->next, sg->chunks); /* on error: claim nothing more */
	for (size_t t = 0; t < sg->threads; t++)
		pthread_join(sg->tids[t], NULL);
	pthread_mutex_destroy(&sg->mu);
	pthread_cond_destroy(&sg->cv);
	free(sg->done);
}

int antt_submit_append(antt_node_t *n, antt_body_t *bodies, size_t count,
                       uint8_t last[ANTT_ID_BYTES], json_t *out, size_t *failed, char *err)
{
	switch (n->gate) { /* the reason of highest precedence holding */
	case ANTT_GATE_OPEN: break;
	case ANTT_GATE_BEHIND: {
		antt_head_t mine = {0};
		antt_store_head(n->store, n->key->pk, &mine, NULL);
		*failed = 0;
		return antt_errf(err, ANTT_E_UNAVAIL,
		                 "this node's store is older than its parent's copy of its records "
		                 "(seq %" PRIu64 " here, %" PRIu64
		                 " at the parent: restored from an "
		                 "old backup?). They are being taken back from the parent; nothing "
		                 "new is signed until then, so that no seq is signed twice. Try "
		                 "again in a moment (antt status shows the progress)",
		                 mine.seq, n->recovering_to);
	}
	case ANTT_GATE_FROM_BACKUP:
		*failed = 0;
		return antt_errf(err, ANTT_E_UNAVAIL,
		                 "this store was restored from a backup: nothing is signed until "
		                 "this node's parent has said how far its own chain goes (else a "
		                 "seq could be signed twice). Let it connect to its parent and try "
		                 "again (antt status shows \"waiting for the parent\")");
	case ANTT_GATE_LEARNING:
		*failed = 0;
		return antt_errf(
		    err, ANTT_E_UNAVAIL,
		    "this unit's reports filed under its earlier key (the machine this "
		    "one replaces) are being taken from the parent, so that no period "
		    "is filed twice; nothing new is signed until then. Try again in a "
		    "moment (antt status shows the progress)");
	}
	s_ready_t *ready = antt_xcalloc(count, sizeof *ready);
	antt_head_t head;
	int64_t now = antt_now();
	int rc = antt_store_begin(n->store, err);
	if (rc)
		goto out;
	rc = antt_store_head(n->store, n->key->pk, &head, err);
	/* what this node's key signs, for the reports already filed that count
	 * against a new one (T5 of store_trust.c) */
	antt_store_signer_t k;
	int have_k = 0;
	/* 1: chain fields, bytes and ids, in order */
	for (size_t i = 0; i < count && !rc; i++) {
		antt_body_t *b = &bodies[i];
		const antt_form_t *f = antt_forms_find(n->forms, b->form);
		*failed = i;
		if (i % 1024 == 1023)
			antt_watchdog_keepalive(); /* a bulk import holds the loop */
		if (f && f->periodic && !b->has_corrects) {
			uint8_t id[ANTT_ID_BYTES];
			char hex[HEX_ID];
			if (!have_k &&
			    (rc = antt_store_self_signer(n->store, n->key->pk, n->unit, &k, err)))
				break;
			have_k = 1;
			int unjudged = 0;
			rc = antt_store_filed_before(n->store, n->key->pk, &k, b, id, &unjudged,
			                             err);
			if (rc == ANTT_OK) {
				antt_hex(hex, id, ANTT_ID_BYTES);
				rc = antt_errf(
				    err, ANTT_E_EXISTS,
				    "unit %s already reported %s for %s (record %s); to "
				    "change figures, run: antt correct %s CODE=VALUE ...%s",
				    b->unit, b->form, b->period, hex, hex,
				    unjudged ? ". It is an old unit's key's: without dated "
				               "unit lists this node cannot tell whether that "
				               "key could file it (antt units import)"
				             : "");
				break;
			} else if (rc != ANTT_E_NOTFOUND) {
				break;
			}
			rc = ANTT_OK;
		}
		memcpy(b->author, n->key->pk, ANTT_KEY_BYTES);
		b->seq = head.seq + 1;
		memcpy(b->prev, head.id, ANTT_ID_BYTES);
		b->clock = now;
		rc = antt_body_encode(b, &ready[i].enc, &ready[i].len, err);
		if (rc)
			break;
		antt_record_id(ready[i].id, ready[i].enc, ready[i].len);
		head.seq = b->seq;
		memcpy(head.id, ready[i].id, ANTT_ID_BYTES);
	}
	/* 2: signatures on the other cores, while 3: the store, in order */
	if (!rc) {
		s_signer_t sg;
		s_signer_start(&sg, ready, count, n->key->sk);
		for (size_t i = 0; i < count && !rc; i++) {
			if (i % SIGN_CHUNK == 0) {
				s_signer_wait(&sg, i / SIGN_CHUNK);
				antt_watchdog_keepalive(); /* a bulk import holds the loop */
			}
			*failed = i;
			rc = antt_store_append(n->store, ready[i].id, ready[i].enc, ready[i].len,
			                       ready[i].sig, &bodies[i], now, err);
			if (!rc && out)
				json_array_append_new(
				    out, json_pack("{s:o, s:I}", "id",
				                   antt_node_hex_json(ready[i].id, ANTT_ID_BYTES),
				                   "seq", (json_int_t)bodies[i].seq));
		}
		s_signer_finish(&sg);
	}
	/* a bulk import's COMMIT writes for long, and its reply is long to
	 * build and send: the watchdog's whole period for each */
	if (count > SIGN_CHUNK)
		antt_watchdog_feed();
	if (!rc)
		rc = antt_store_commit(n->store, err);
	if (count > SIGN_CHUNK)
		antt_watchdog_feed();
	if (rc) {
		antt_store_rollback(n->store);
		if (out)
			json_array_clear(out);
	} else {
		memcpy(last, head.id, ANTT_ID_BYTES);
		antt_node_stored(n);
	}
out:
	for (size_t i = 0; i < count; i++)
		free(ready[i].enc);
	free(ready);
	return rc;
}

/* Reports taken into bodies one by one: from a request's list, or from a
 * file's text as it is parsed (antt_reports_each). */
typedef struct {
	antt_node_t *n;
	antt_body_t *bodies;
	size_t count, cap;
} s_taking_t;

static int s_take_next(json_t *report, size_t index, int more, void *arg, char *err)
{
	s_taking_t *t = arg;
	if (t->count == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->bodies = antt_xrealloc(t->bodies, t->cap * sizeof *t->bodies);
		memset(t->bodies + t->count, 0, (t->cap - t->count) * sizeof *t->bodies);
	}
	if (t->count % 1024 == 0)
		antt_watchdog_keepalive();
	int rc = s_take_report(t->n, report, &t->bodies[t->count++], err);
	if (rc && (index > 0 || more))
		s_prefix_report(err, index);
	return rc;
}

/* May this node sign b (T5 of store_trust.c: its own unit, or an older
 * list's unit that went whole to it, for the periods of that list)?  0,
 * or an error that says why and what to do. */
static int s_may_sign(antt_node_t *n, antt_store_signer_t *k, const antt_body_t *b, char *err)
{
	char why[ANTT_ERR_MAX];
	int rc = antt_store_signs_for(n->store, k, b, why, sizeof why);
	if (rc == ANTT_OK)
		return ANTT_OK;
	if (rc != ANTT_E_INVAL)
		return antt_errf(err, rc, "%s", why);
	if (k->relay)
		return antt_errf(err, ANTT_E_INVAL, "%s", why);
	if (!k->dated)
		return antt_errf(
		    err, ANTT_E_INVAL,
		    "unit %s is not this node's unit (%s), and this node holds no dated "
		    "unit lists: a node files for another unit only for the periods of "
		    "an older list whose unit went whole to its own. Load the lists "
		    "and their links first (antt units import)",
		    b->unit, n->unit);
	return antt_errf(err, ANTT_E_INVAL,
	                 "this node may not file %s for unit %s: %s. A node files for its own "
	                 "unit, and for a unit of an older list only for that list's periods and "
	                 "when a full link gives that unit to its own (antt units lists the lists "
	                 "and links)",
	                 b->period, b->unit, why);
}

/* Store the reports taken (rc: how the taking went; the bodies are freed
 * here): all in one transaction, or none. */
static json_t *s_submit(antt_node_t *n, const json_t *req, s_taking_t *t, int rc, char *err)
{
	antt_body_t *bodies = t->bodies;
	size_t count = t->count;
	json_t *out = json_is_true(json_object_get(req, "ids")) ? json_array() : NULL, *resp = NULL;
	/* two reports of one periodic form and period in the same batch */
	for (size_t i = 0; i < count && !rc; i++) {
		const antt_form_t *f = antt_forms_find(n->forms, bodies[i].form);
		for (size_t j = 0; j < i && f->periodic; j++)
			if (!strcmp(bodies[i].form, bodies[j].form) &&
			    !strcmp(bodies[i].period, bodies[j].period) &&
			    !strcmp(bodies[i].unit, bodies[j].unit)) {
				rc = antt_errf(
				    err, ANTT_E_EXISTS,
				    "reports %zu and %zu are both %s for %s of unit %s: a "
				    "periodic form takes one report per unit and period",
				    j + 1, i + 1, bodies[i].form, bodies[i].period, bodies[i].unit);
				break;
			}
	}
	/* what this node's key may sign, by the unit list of each period */
	antt_store_signer_t k;
	if (!rc && count)
		rc = antt_store_self_signer(n->store, n->key->pk, n->unit, &k, err);
	for (size_t i = 0; i < count && !rc; i++)
		if ((rc = s_may_sign(n, &k, &bodies[i], err)) && count > 1)
			s_prefix_report(err, i);
	size_t failed = 0;
	uint8_t last[ANTT_ID_BYTES];
	if (!rc) {
		rc = antt_submit_append(n, bodies, count, last, out, &failed, err);
		if (rc && count > 1)
			s_prefix_report(err, failed);
	}
	if (rc) {
		resp = antt_node_fail(rc, err);
		json_decref(out);
	} else {
		/* a bulk import's client may not want 20,000 ids back */
		resp = json_pack("{s:b, s:I, s:I, s:o, s:I}", "ok", 1, "count", (json_int_t)count,
		                 "first_seq", (json_int_t)bodies[0].seq, "id",
		                 antt_node_hex_json(last, ANTT_ID_BYTES), "seq",
		                 (json_int_t)bodies[count - 1].seq);
		if (out)
			json_object_set_new(resp, "records", out);
		antt_log(ANTT_LOG_DEBUG, "stored %zu record(s), head seq %" PRIu64, count,
		         bodies[count - 1].seq);
	}
	for (size_t i = 0; i < count; i++)
		antt_body_clear(&bodies[i]);
	free(bodies);
	return resp;
}

json_t *antt_submit_reports(antt_node_t *n, const json_t *req, const void *attach,
                            size_t attach_len)
{
	char err[ANTT_ERR_MAX];
	json_t *reports = json_object_get(req, "reports");
	json_t *ids = json_object_get(req, "ids");
	s_taking_t t = {n, NULL, 0, 0};
	int rc = ANTT_OK;
	if (ids && !json_is_boolean(ids) && !json_is_null(ids))
		return antt_ctl_error(ANTT_CTL_USAGE, "\"ids\" must be true or false");
	if (attach && reports)
		return antt_ctl_error(
		    ANTT_CTL_USAGE,
		    "give the reports in \"reports\" or in a second frame, not both");
	if (attach) {
		/* a file's text as it is: parsed here, a report at a time */
		rc = antt_reports_each(attach, attach_len, s_take_next, &t, err);
		if (rc && !t.count)
			return antt_ctl_error(ANTT_CTL_DATA, err);
	} else if (!json_is_array(reports) || json_array_size(reports) == 0) {
		return antt_ctl_error(ANTT_CTL_USAGE,
		                      "submit needs \"reports\": a list of reports, or the "
		                      "reports as JSON text in a second frame");
	} else {
		size_t count = json_array_size(reports);
		for (size_t i = 0; i < count && !rc; i++)
			rc = s_take_next(json_array_get(reports, i), i, i + 1 < count, &t, err);
	}
	return s_submit(n, req, &t, rc, err);
}

json_t *antt_submit_correct(antt_node_t *n, const json_t *req, const void *attach,
                            size_t attach_len)
{
	char err[ANTT_ERR_MAX], hex[HEX_ID], byhex[HEX_ID], why[ANTT_ERR_MAX];
	const char *id = json_string_value(json_object_get(req, "id"));
	json_t *vals = json_object_get(req, "values");
	antt_stored_t old = {0};
	antt_body_t b = {0};
	uint8_t last[ANTT_ID_BYTES];
	json_t *resp = NULL;
	int rc;
	if (!id)
		return antt_ctl_error(ANTT_CTL_USAGE, "correct needs \"id\"");
	rc = antt_store_get(n->store, id, &old, err);
	if (rc)
		goto out;
	antt_hex(hex, old.id, ANTT_ID_BYTES);
	/* this node's own records, its unit's under an earlier key (the
	 * machine it replaces), or those of an older list's unit that went
	 * whole to its own (T5 of store_trust.c) */
	antt_store_signer_t k;
	if ((rc = antt_store_self_signer(n->store, n->key->pk, n->unit, &k, err)))
		goto out;
	if (antt_store_signs_for(n->store, &k, &old.b, why, sizeof why) != ANTT_OK) {
		rc = antt_errf(err, ANTT_E_INVAL,
		               "record %s is unit %s's for %s, which this node (unit %s) may not "
		               "sign (%s): only a node of unit %s can correct it, or of the unit "
		               "that took it whole (a full link of the unit lists)",
		               hex, old.b.unit, old.b.period, n->unit, why, old.b.unit);
		goto out;
	}
	if (old.has_corrected_by) {
		antt_hex(byhex, old.corrected_by, ANTT_ID_BYTES);
		rc = antt_errf(err, ANTT_E_EXISTS,
		               "record %s was already corrected by %s: correct the latest version, "
		               "run: antt correct %s CODE=VALUE ...",
		               hex, byhex, byhex);
		goto out;
	}
	const antt_form_t *f = antt_forms_find(n->forms, old.b.form);
	if (!f) {
		rc = antt_errf(err, ANTT_E_INVAL,
		               "record %s is of form %s, which this node no longer has", hex,
		               old.b.form);
		goto out;
	}
	/* The correction is a whole new version: the old figures, with the
	 * given ones replacing theirs. */
	b.version = ANTT_RECORD_VERSION;
	b.unit = antt_xstrdup(old.b.unit);
	b.form = antt_xstrdup(old.b.form);
	b.period = antt_xstrdup(old.b.period);
	b.n_values = old.b.n_values;
	b.values = antt_xcalloc(b.n_values, sizeof *b.values);
	for (size_t i = 0; i < b.n_values; i++) {
		b.values[i].code = antt_xstrdup(old.b.values[i].code);
		b.values[i].value = old.b.values[i].value;
	}
	if (old.b.note)
		b.note = antt_xstrdup(old.b.note);
	b.has_corrects = 1;
	memcpy(b.corrects, old.id, ANTT_ID_BYTES);
	json_t *note = json_object_get(req, "note");
	if ((!vals || (json_is_object(vals) && json_object_size(vals) == 0)) &&
	    (!note || json_is_null(note))) {
		rc = antt_errf(err, ANTT_E_INVAL, "nothing to correct: give CODE=VALUE or --note");
		goto out;
	}
	if (vals && (rc = s_take_values(f, vals, &b, err)))
		goto out;
	if ((rc = s_take_note(json_object_get(req, "note"), &b, err)))
		goto out;
	size_t failed;
	rc = antt_submit_append(n, &b, 1, last, NULL, &failed, err);
out:
	if (rc) {
		resp = antt_node_fail(rc, err);
	} else {
		resp = json_pack("{s:b, s:o, s:I, s:s}", "ok", 1, "id",
		                 antt_node_hex_json(last, ANTT_ID_BYTES), "seq", (json_int_t)b.seq,
		                 "corrects", hex);
	}
	antt_stored_clear(&old);
	antt_body_clear(&b);
	return resp;
}
