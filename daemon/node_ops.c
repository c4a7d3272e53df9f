/* node_ops.c - the operations a client asks of a node over the control
 * socket (docs/control.md): the table of them and its dispatch, reading
 * (log, show, forms, children, status), enrolling and revoking a child,
 * and the work that goes to the libuv thread pool (verify, backup,
 * bundle export, reports) on connections of its own.  Submit and correct
 * are in submit.c. */
#define _GNU_SOURCE
#include "node_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bundle.h"
#include "common.h"
#include "ctlproto.h"
#include "forms.h"
#include "keyfile.h"
#include "store.h"
#include "store_reports.h"
#include "store_units.h"

/* ---- JSON views of records ---- */

static json_t *s_time_json(int64_t t)
{
	char buf[32];
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm))
		return json_integer(t);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

/* The JSON a client sees for a record; full adds the signature and labels. */
static json_t *s_record_json(const antt_node_t *n, const uint8_t id[ANTT_ID_BYTES],
                             const antt_body_t *b, const uint8_t *sig, int64_t received,
                             const uint8_t *corrected_by, int full)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", antt_node_hex_json(id, ANTT_ID_BYTES));
	json_object_set_new(o, "seq", json_integer((json_int_t)b->seq));
	json_object_set_new(o, "author", antt_node_hex_json(b->author, ANTT_KEY_BYTES));
	json_object_set_new(o, "unit", json_string(b->unit));
	json_object_set_new(o, "form", json_string(b->form));
	json_object_set_new(o, "period", json_string(b->period));
	json_object_set_new(o, "clock", s_time_json(b->clock));
	json_object_set_new(o, "received", s_time_json(received));
	/* values in the form's order, which is how officers read them; codes
	 * the form does not know (a form changed since) follow */
	json_t *vals = json_object();
	const antt_form_t *f = antt_forms_find(n->forms, b->form);
	for (size_t j = 0; f && j < f->n_indicators; j++)
		for (size_t i = 0; i < b->n_values; i++)
			if (!strcmp(b->values[i].code, f->indicators[j].code))
				json_object_set_new(vals, b->values[i].code,
				                    json_integer((json_int_t)b->values[i].value));
	for (size_t i = 0; i < b->n_values; i++)
		if (!json_object_get(vals, b->values[i].code))
			json_object_set_new(vals, b->values[i].code,
			                    json_integer((json_int_t)b->values[i].value));
	json_object_set_new(o, "values", vals);
	if (b->note)
		json_object_set_new(o, "note", json_string(b->note));
	json_object_set_new(o, "corrects",
	                    b->has_corrects ? antt_node_hex_json(b->corrects, ANTT_ID_BYTES)
	                                    : json_null());
	json_object_set_new(o, "corrected_by",
	                    corrected_by ? antt_node_hex_json(corrected_by, ANTT_ID_BYTES)
	                                 : json_null());
	if (b->has_enroll)
		json_object_set_new(o, "enroll",
		                    json_pack("{s:s, s:o}", "unit", b->enroll_unit, "key",
		                              antt_node_hex_json(b->enroll_key, ANTT_KEY_BYTES)));
	if (b->has_revoke)
		json_object_set_new(
		    o, "revoke",
		    json_pack("{s:o, s:I, s:o}", "key",
		              antt_node_hex_json(b->revoke_key, ANTT_KEY_BYTES), "after",
		              (json_int_t)b->revoke_after, "reason",
		              b->revoke_reason ? json_string(b->revoke_reason) : json_null()));
	if (full) {
		json_object_set_new(o, "prev", antt_node_hex_json(b->prev, ANTT_ID_BYTES));
		json_object_set_new(o, "version", json_integer(b->version));
		json_object_set_new(o, "signature", antt_node_hex_json(sig, ANTT_SIG_BYTES));
		if (f) {
			json_object_set_new(o, "form_title", json_string(f->title));
			json_t *labels = json_object();
			for (size_t i = 0; i < b->n_values; i++) {
				const antt_indicator_t *ind =
				    antt_form_indicator(f, b->values[i].code);
				if (ind)
					json_object_set_new(labels, ind->code,
					                    json_string(ind->label));
			}
			json_object_set_new(o, "labels", labels);
		}
	}
	return o;
}

static json_t *s_stored_json(const antt_node_t *n, const antt_stored_t *r, int full)
{
	return s_record_json(n, r->id, &r->b, r->sig, r->received,
	                     r->has_corrected_by ? r->corrected_by : NULL, full);
}

/* ---- reading ---- */

typedef struct {
	antt_node_t *n;
	json_t *list;
} s_log_ctx_t;

static int s_log_one(const antt_stored_t *r, void *arg)
{
	s_log_ctx_t *c = arg;
	json_array_append_new(c->list, s_stored_json(c->n, r, 0));
	return 0;
}

/* An optional text field: absent, null or a string. */
static int s_opt_text(const json_t *req, const char *key)
{
	json_t *v = json_object_get(req, key);
	return !v || json_is_null(v) || json_is_string(v);
}

static json_t *s_op_log(antt_node_t *n, const json_t *req, const void *attach, size_t attach_len)
{
	char err[ANTT_ERR_MAX];
	uint8_t author[ANTT_KEY_BYTES];
	json_t *lim = json_object_get(req, "limit");
	if (!s_opt_text(req, "form") || !s_opt_text(req, "period") || !s_opt_text(req, "author"))
		return antt_ctl_error(ANTT_CTL_USAGE, "form, period and author must be text");
	if (lim && !json_is_null(lim) && (!json_is_integer(lim) || json_integer_value(lim) < 1))
		return antt_ctl_error(ANTT_CTL_USAGE, "limit must be a whole number of 1 or more");
	antt_store_filter_t f = {
	    .form = json_string_value(json_object_get(req, "form")),
	    .period = json_string_value(json_object_get(req, "period")),
	    .limit = json_integer_value(json_object_get(req, "limit")),
	};
	const char *a = json_string_value(json_object_get(req, "author"));
	if (a) {
		if (antt_unhex(author, ANTT_KEY_BYTES, a))
			return antt_ctl_error(ANTT_CTL_USAGE,
			                      "author must be a public key of 64 hex digits");
		f.author = author;
	}
	s_log_ctx_t c = {n, json_array()};
	int rc = antt_store_each(n->store, &f, s_log_one, &c, err);
	if (rc) {
		json_decref(c.list);
		return antt_node_fail(rc, err);
	}
	return json_pack("{s:b, s:o}", "ok", 1, "records", c.list);
}

static json_t *s_op_show(antt_node_t *n, const json_t *req, const void *attach, size_t attach_len)
{
	char err[ANTT_ERR_MAX];
	const char *id = json_string_value(json_object_get(req, "id"));
	if (!id)
		return antt_ctl_error(ANTT_CTL_USAGE, "show needs \"id\"");
	antt_stored_t r;
	int rc = antt_store_get(n->store, id, &r, err);
	if (rc)
		return antt_node_fail(rc, err);
	json_t *resp = json_pack("{s:b, s:o}", "ok", 1, "record", s_stored_json(n, &r, 1));
	antt_stored_clear(&r);
	return resp;
}

/* New units change what a legacy enrollment may enroll, and lists and
 * links what a key signs for in each period (T5): judged again. */
static json_t *s_units_import(antt_node_t *n, const json_t *req, const void *csv, size_t len)
{
	char err[ANTT_ERR_MAX];
	json_t *resp = antt_store_units_import(n->store, req, csv, len);
	if (json_is_true(json_object_get(resp, "ok")) &&
	    antt_node_trust_recheck(n,
	                            json_is_true(json_object_get(req, "links"))
	                                ? "links between unit lists loaded"
	                                : "administrative units loaded",
	                            err)) {
		antt_log(ANTT_LOG_ERR, "%s", err);
		json_decref(resp);
		resp = antt_node_fail(ANTT_E_STORE, err);
	}
	return resp;
}

static json_t *s_op_units_import(antt_node_t *n, const json_t *req, const void *attach,
                                 size_t attach_len)
{
	if (!attach)
		return antt_ctl_error(ANTT_CTL_USAGE,
		                      "units_import takes the CSV file as a second frame");
	return s_units_import(n, req, attach, attach_len);
}

static json_t *s_op_units(antt_node_t *n, const json_t *req, const void *attach, size_t attach_len)
{
	return antt_store_units_lists(n->store);
}

static json_t *s_op_status(antt_node_t *n, const json_t *req, const void *attach, size_t attach_len)
{
	return antt_node_status_reply(n, 0);
}

/* ---- enrolling and revoking ---- */

/* The period of a system record: the day it is made (UTC). */
static void s_today(char day[16])
{
	time_t now = (time_t)antt_now();
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(day, 16, "%Y-%m-%d", &tm);
}

static int s_strcmp_p(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A scope list of the request (an array of unit codes, may be absent):
 * sorted, each once, into *out (caller frees with the body).  0, or an
 * error reply. */
static json_t *s_scope_list(const json_t *req, const char *name, char ***out, size_t *n)
{
	const json_t *a = json_object_get(req, name);
	*out = NULL;
	*n = 0;
	if (!a)
		return NULL;
	char msg[160];
	if (!json_is_array(a) || json_array_size(a) > ANTT_SCOPE_MAX) {
		snprintf(msg, sizeof msg, "enroll: %s must be a list of at most %d unit codes",
		         name, ANTT_SCOPE_MAX);
		return antt_ctl_error(ANTT_CTL_DATA, msg);
	}
	char **v = antt_xcalloc(json_array_size(a) + 1, sizeof *v);
	size_t k = 0, i;
	json_t *x;
	json_array_foreach (a, i, x) {
		const char *u = json_string_value(x);
		if (!antt_valid_unit(u)) {
			for (size_t j = 0; j < k; j++)
				free(v[j]);
			free(v);
			snprintf(
			    msg, sizeof msg,
			    "enroll: %s: \"%.20s\" is not a unit code (1-16 of 0-9 A-Z a-z . _ -)",
			    name, u ? u : "?");
			return antt_ctl_error(ANTT_CTL_DATA, msg);
		}
		v[k++] = antt_xstrdup(u);
	}
	qsort(v, k, sizeof *v, s_strcmp_p);
	size_t m = 0;
	for (i = 0; i < k; i++) {
		if (m && !strcmp(v[m - 1], v[i]))
			free(v[i]);
		else
			v[m++] = v[i];
	}
	*out = v;
	*n = m;
	return NULL;
}

/* enroll: unit, key, grant ("station", "hub" or "relay"), units and below
 * (a hub's or a relay's scope).  What this node may enroll is its own
 * grant's to say.  A relay is named as the province likes (a regional
 * server need not be a unit of any list: R1, or 332 where Tiên Lữ's
 * district hub stood); it files no reports of its own. */
static json_t *s_op_enroll(antt_node_t *n, const json_t *req, const void *attach, size_t attach_len)
{
	char err[ANTT_ERR_MAX], day[16], unit_by[ANTT_UNIT_MAX + 1], why[300];
	const char *unit = json_string_value(json_object_get(req, "unit"));
	const char *key = json_string_value(json_object_get(req, "key"));
	const char *grant = json_string_value(json_object_get(req, "grant"));
	uint8_t pk[ANTT_KEY_BYTES], by[ANTT_KEY_BYTES], last[ANTT_ID_BYTES];
	if (!unit || !antt_valid_unit(unit))
		return antt_ctl_error(ANTT_CTL_DATA,
		                      "enroll needs the child's unit code (--unit CODE)");
	if (!key || antt_unhex(pk, ANTT_KEY_BYTES, key))
		return antt_ctl_error(
		    ANTT_CTL_DATA, "enroll needs the child's public key, 64 hex digits (--key KEY, "
		                   "printed by 'antt init' and 'antt status' on the child)");
	if (!memcmp(pk, n->key->pk, ANTT_KEY_BYTES))
		return antt_ctl_error(ANTT_CTL_DATA, "that is this node's own key");
	if (grant && strcmp(grant, "station") && strcmp(grant, "hub") && strcmp(grant, "relay"))
		return antt_ctl_error(ANTT_CTL_DATA,
		                      "enroll: grant is \"station\", \"hub\" or \"relay\"");
	int relay = grant && !strcmp(grant, "relay");
	if (!n->has_parent && !relay && antt_store_unit_below(n->store, unit, n->unit) == 0) {
		/* at the root, a unit outside its list is a typo; below it, the
		 * node's own grant says what it may enroll (antt_store_permits) */
		char msg[200];
		snprintf(msg, sizeof msg,
		         "unit %s is not below this node's unit %s in the administrative units "
		         "loaded here: a hub enrolls only units of its own subtree",
		         unit, n->unit);
		return antt_ctl_error(ANTT_CTL_DATA, msg);
	}
	int rc = antt_store_enrolled(n->store, pk, unit_by, by, err);
	if (rc == ANTT_OK && !memcmp(by, n->key->pk, ANTT_KEY_BYTES)) {
		char msg[160];
		snprintf(msg, sizeof msg, "key %.16s... is already enrolled here, for unit %s", key,
		         unit_by);
		return antt_ctl_error(ANTT_CTL_DATA, msg);
	}
	antt_body_t b = {.version = ANTT_RECORD_VERSION, .has_enroll = 1};
	json_t *bad = s_scope_list(req, "units", &b.enroll_units, &b.n_enroll_units);
	if (!bad)
		bad = s_scope_list(req, "below", &b.enroll_subtrees, &b.n_enroll_subtrees);
	int hub =
	    relay || (grant && !strcmp(grant, "hub")) || b.n_enroll_units || b.n_enroll_subtrees;
	if (!bad && hub && !b.n_enroll_units && !b.n_enroll_subtrees)
		bad = antt_ctl_error(
		    ANTT_CTL_DATA, "a hub is enrolled with its scope: the units it may enroll "
		                   "(--units CODE,...) and/or the units below which it may enroll "
		                   "(--below CODE,...)");
	if (!bad && b.n_enroll_subtrees && antt_store_unit_below(n->store, unit, n->unit) < 0)
		bad = antt_ctl_error(ANTT_CTL_DATA,
		                     "a scope of units below a unit (--below) can be checked only "
		                     "with the administrative units loaded (antt units import): "
		                     "load them here first, or list the units (--units)");
	for (size_t i = 0; !bad && i < b.n_enroll_subtrees; i++)
		if (antt_store_unit_known(n->store, b.enroll_subtrees[i]) == 0) {
			char msg[200];
			snprintf(msg, sizeof msg,
			         "--below %s: no such unit in the administrative units loaded here",
			         b.enroll_subtrees[i]);
			bad = antt_ctl_error(ANTT_CTL_DATA, msg);
		}
	if (bad) {
		antt_body_clear(&b);
		return bad;
	}
	s_today(day);
	b.unit = antt_xstrdup(n->unit);
	b.form = antt_xstrdup(ANTT_FORM_ENROLL);
	b.period = antt_xstrdup(day);
	b.enroll_unit = antt_xstrdup(unit);
	b.enroll_grant = relay ? ANTT_GRANT_RELAY : hub ? ANTT_GRANT_HUB : ANTT_GRANT_STATION;
	memcpy(b.author, n->key->pk, ANTT_KEY_BYTES);
	memcpy(b.enroll_key, pk, ANTT_KEY_BYTES);
	/* what every hub above will check: refused here first, with why */
	rc = antt_node_permits(n, &b, why, sizeof why);
	if (rc) {
		char msg[400];
		snprintf(msg, sizeof msg, "this node may not make that enrollment: %s", why);
		antt_body_clear(&b);
		return antt_ctl_error(ANTT_CTL_DATA, msg);
	}
	size_t failed;
	const char *as = relay ? "relay" : hub ? "hub" : "station";
	rc = antt_submit_append(n, &b, 1, last, NULL, &failed, err);
	json_t *resp = rc ? antt_node_fail(rc, err)
	                  : json_pack("{s:b, s:o, s:I, s:s, s:s, s:s}", "ok", 1, "id",
	                              antt_node_hex_json(last, ANTT_ID_BYTES), "seq",
	                              (json_int_t)b.seq, "unit", unit, "key", key, "grant", as);
	if (!rc)
		antt_log(ANTT_LOG_INFO, "enrolled unit %s as a %s, key %s", unit, as, key);
	antt_body_clear(&b);
	return resp;
}

/* revoke: key (hex), after (seq), reason?  The key must have been enrolled
 * by this node or under it; its records after that seq are refused by
 * every hub the revocation reaches, and no longer counted. */
static json_t *s_op_revoke(antt_node_t *n, const json_t *req, const void *attach, size_t attach_len)
{
	char err[ANTT_ERR_MAX], day[16];
	const char *key = json_string_value(json_object_get(req, "key"));
	const char *reason = json_string_value(json_object_get(req, "reason"));
	json_t *after = json_object_get(req, "after");
	uint8_t pk[ANTT_KEY_BYTES], last[ANTT_ID_BYTES];
	if (!key || antt_unhex(pk, ANTT_KEY_BYTES, key))
		return antt_ctl_error(ANTT_CTL_DATA,
		                      "revoke needs the key, 64 hex digits (--key KEY, as in antt "
		                      "children)");
	if (!json_is_integer(after) || json_integer_value(after) < 0)
		return antt_ctl_error(ANTT_CTL_DATA,
		                      "revoke needs the last seq of that key that stays valid "
		                      "(--after SEQ, 0 for none)");
	if (reason && (!*reason || strlen(reason) > ANTT_NOTE_MAX))
		return antt_ctl_error(ANTT_CTL_DATA, "the reason must be 1 to 4096 bytes of text");
	if (!antt_store_enrolled_under(n->store, pk, n->key->pk))
		return antt_ctl_error(ANTT_CTL_DATA,
		                      "that key was not enrolled by this node nor under it: only "
		                      "the enrolling hub or a hub above it may revoke it");
	s_today(day);
	antt_body_t b = {.version = ANTT_RECORD_VERSION, .has_revoke = 1};
	b.unit = antt_xstrdup(n->unit);
	b.form = antt_xstrdup(ANTT_FORM_REVOKE);
	b.period = antt_xstrdup(day);
	memcpy(b.revoke_key, pk, ANTT_KEY_BYTES);
	b.revoke_after = (uint64_t)json_integer_value(after);
	b.revoke_reason = reason ? antt_xstrdup(reason) : NULL;
	size_t failed;
	int rc = antt_submit_append(n, &b, 1, last, NULL, &failed, err);
	json_t *resp =
	    rc ? antt_node_fail(rc, err)
	       : json_pack("{s:b, s:o, s:I, s:s, s:I}", "ok", 1, "id",
	                   antt_node_hex_json(last, ANTT_ID_BYTES), "seq", (json_int_t)b.seq, "key",
	                   key, "after", (json_int_t)b.revoke_after);
	if (!rc)
		antt_log(ANTT_LOG_WARN, "revoked key %s after seq %" PRIu64 "%s%s", key,
		         b.revoke_after, reason ? ": " : "", reason ? reason : "");
	antt_body_clear(&b);
	return resp;
}

static json_t *s_op_forms(antt_node_t *n, const json_t *req, const void *attach, size_t attach_len)
{
	json_t *list = json_array();
	for (size_t i = 0; i < n->forms->n; i++) {
		const antt_form_t *f = &n->forms->forms[i];
		json_t *inds = json_array();
		for (size_t j = 0; j < f->n_indicators; j++)
			json_array_append_new(inds,
			                      json_pack("{s:s, s:s}", "code", f->indicators[j].code,
			                                "label", f->indicators[j].label));
		json_array_append_new(
		    list,
		    json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "id", f->id, "kind",
		              f->periodic ? "periodic" : "event", "period",
		              antt_period_kind_name(f->period), "title", f->title, "deadline_days",
		              f->deadline_days >= 0 ? json_integer(f->deadline_days) : json_null(),
		              "indicators", inds));
	}
	return json_pack("{s:b, s:o}", "ok", 1, "forms", list);
}

/* ---- verify, in the thread pool ---- */

typedef struct {
	uv_work_t work;
	antt_node_t *n;
	antt_node_reply_fn done;
	void *arg;
	json_t *problems;   /* built by the worker, handed over in after_work */
	json_t *misconduct; /* records an author's key vouched for with a bad signature */
	int64_t checked;
	int rc;
	int deep; /* also the chain of trust */
	char err[ANTT_ERR_MAX];
} s_verify_t;

static void s_verify_problem(const uint8_t id[ANTT_ID_BYTES], const uint8_t author[ANTT_KEY_BYTES],
                             int64_t seq, const char *what, void *arg)
{
	s_verify_t *v = arg;
	json_array_append_new(v->problems,
	                      json_pack("{s:o, s:o, s:I, s:s}", "id",
	                                antt_node_hex_json(id, ANTT_ID_BYTES), "author",
	                                antt_node_hex_json(author, ANTT_KEY_BYTES), "seq",
	                                (json_int_t)seq, "problem", what));
}

static void s_verify_misconduct(const uint8_t id[ANTT_ID_BYTES],
                                const uint8_t author[ANTT_KEY_BYTES], int64_t seq, const char *what,
                                void *arg)
{
	s_verify_t *v = arg;
	json_array_append_new(v->misconduct,
	                      json_pack("{s:o, s:o, s:I, s:s}", "id",
	                                antt_node_hex_json(id, ANTT_ID_BYTES), "author",
	                                antt_node_hex_json(author, ANTT_KEY_BYTES), "seq",
	                                (json_int_t)seq, "problem", what));
}

/* verify --deep: every enrollment and revocation judged under the rules
 * of authority as they are now (store_trust.c), read only. */
static int s_verify_authority(s_verify_t *v, antt_store_t *s)
{
	int changed;
	return antt_store_trust_recheck(s, v->n->key->pk, 0, s_verify_problem, v, &changed, v->err);
}

/* This node's own link to the root: the chain of enrollments its parent
 * handed it (meta "credentials"), re-checked; with what antt_store_verify_trust
 * checks below this node, every author's chain reaches the root. */
static void s_verify_credentials(s_verify_t *v, antt_store_t *s)
{
	static const uint8_t none[ANTT_ID_BYTES];
	const antt_node_t *n = v->n;
	char why[ANTT_ERR_MAX], chain[160], what[ANTT_ERR_MAX + 200];
	uint8_t top[ANTT_KEY_BYTES], *blob = NULL;
	size_t blen = 0;
	if (!n->has_parent || !n->has_root || !memcmp(n->key->pk, n->root, ANTT_KEY_BYTES))
		return; /* the root itself, or no root to reach */
	if (antt_store_meta_get(s, "credentials", &blob, &blen) != ANTT_OK) {
		s_verify_problem(none, n->key->pk, 0,
		                 "this node holds no chain of enrollments from itself to the root "
		                 "yet: its parent hands it one when it connects",
		                 v);
		return;
	}
	if (antt_credentials_check(blob, blen, n->key->pk, NULL, top, chain, sizeof chain, why))
		snprintf(what, sizeof what, "this node's chain of enrollments to the root: %s",
		         why);
	else if (memcmp(top, n->root, ANTT_KEY_BYTES))
		snprintf(what, sizeof what,
		         "this node's chain of enrollments (%s) ends at another key than [sync] "
		         "root",
		         chain);
	else
		what[0] = '\0';
	if (what[0])
		s_verify_problem(none, n->key->pk, 0, what, v);
	free(blob);
}

static void s_verify_work(uv_work_t *w)
{
	s_verify_t *v = w->data;
	antt_store_t *s = NULL;
	v->rc = antt_store_open(v->n->store_path, NULL, ANTT_STORE_READONLY, &s, v->err);
	if (!v->rc)
		v->rc = antt_store_verify(s, s_verify_problem, s_verify_misconduct, v, &v->checked,
		                          &v->n->stop, v->err);
	if (!v->rc && v->deep)
		v->rc = antt_store_verify_trust(s, v->n->key->pk, s_verify_problem, v, v->err);
	if (!v->rc && v->deep)
		v->rc = s_verify_authority(v, s);
	if (!v->rc && v->deep)
		s_verify_credentials(v, s);
	antt_store_close(&s);
}

static void s_verify_after(uv_work_t *w, int status)
{
	s_verify_t *v = w->data;
	json_t *resp;
	v->n->verifying--;
	if (status == UV_ECANCELED)
		resp = antt_ctl_error(ANTT_CTL_STORE, "verification cancelled: anttd is stopping");
	else if (v->rc)
		resp = antt_ctl_error(ANTT_CTL_STORE, v->err);
	else {
		size_t bad = json_array_size(v->problems);
		size_t mis = json_array_size(v->misconduct);
		resp = json_pack("{s:b, s:b, s:I, s:O, s:O}", "ok", 1, "valid", bad == 0, "checked",
		                 (json_int_t)v->checked, "problems", v->problems, "misconduct",
		                 v->misconduct);
		antt_log(bad || mis ? ANTT_LOG_WARN : ANTT_LOG_INFO,
		         "verify: %" PRId64 " records checked, %zu problem(s), %zu record(s) of "
		         "authors' misconduct",
		         v->checked, bad, mis);
	}
	json_decref(v->problems);
	json_decref(v->misconduct);
	v->done(resp, v->arg);
	free(v);
}

/* ---- files anttd writes in the thread pool: a backup (SQLite's online
 * backup), a bundle of records to carry ---- */

typedef struct {
	uv_work_t work;
	antt_node_t *n;
	antt_node_reply_fn done;
	void *arg;
	char *out;
	int bundle, all;
	antt_backup_info_t backup;
	antt_bundle_info_t info;
	int rc;
	char err[ANTT_ERR_MAX];
} s_file_job_t;

static void s_file_work(uv_work_t *w)
{
	s_file_job_t *j = w->data;
	j->rc = j->bundle ? antt_bundle_export(j->n->store_path, j->n->key->pk, j->n->unit, j->out,
	                                       j->all, &j->info, j->err)
	                  : antt_store_backup(j->n->store_path, j->out, j->n->key->pk, &j->backup,
	                                      j->err);
}

static void s_file_after(uv_work_t *w, int status)
{
	s_file_job_t *j = w->data;
	json_t *resp;
	if (status == UV_ECANCELED)
		resp = antt_ctl_error(ANTT_CTL_STORE, "cancelled: anttd is stopping");
	else if (j->rc)
		resp = antt_node_fail(j->rc, j->err);
	else if (j->bundle) {
		resp = json_pack("{s:b, s:s, s:I, s:I, s:I}", "ok", 1, "out", j->out, "records",
		                 (json_int_t)j->info.records, "authors",
		                 (json_int_t)j->info.authors, "bytes", (json_int_t)j->info.bytes);
		antt_log(ANTT_LOG_INFO,
		         "bundle: %s written, %" PRId64 " records of %" PRId64 " author(s)", j->out,
		         j->info.records, j->info.authors);
	} else {
		resp = json_pack("{s:b, s:s, s:I, s:I, s:I}", "ok", 1, "out", j->out, "records",
		                 (json_int_t)j->backup.records, "bytes",
		                 (json_int_t)j->backup.bytes, "head", (json_int_t)j->backup.head);
		antt_log(ANTT_LOG_INFO,
		         "backup: %s written, %" PRId64 " records, own head seq %" PRIu64, j->out,
		         j->backup.records, j->backup.head);
	}
	j->done(resp, j->arg);
	free(j->out);
	free(j);
}

/* backup {out} or bundle_export {out, all?} */
static void s_file_job(antt_node_t *n, const json_t *req, int bundle, antt_node_reply_fn done,
                       void *arg)
{
	const char *out = json_string_value(json_object_get(req, "out"));
	if (!out || out[0] != '/') {
		done(antt_ctl_error(ANTT_CTL_USAGE, "this request needs \"out\", an absolute path"),
		     arg);
		return;
	}
	s_file_job_t *j = antt_xcalloc(1, sizeof *j);
	j->n = n;
	j->done = done;
	j->arg = arg;
	j->out = antt_xstrdup(out);
	j->bundle = bundle;
	j->all = json_is_true(json_object_get(req, "all"));
	j->work.data = j;
	int rc = uv_queue_work(n->loop, &j->work, s_file_work, s_file_after);
	if (rc) {
		done(antt_ctl_error(ANTT_CTL_STORE, uv_strerror(rc)), arg);
		free(j->out);
		free(j);
	}
}

static void s_op_backup(antt_node_t *n, const json_t *req, antt_node_reply_fn done, void *arg)
{
	s_file_job(n, req, 0, done, arg);
}

static void s_op_bundle_export(antt_node_t *n, const json_t *req, antt_node_reply_fn done,
                               void *arg)
{
	s_file_job(n, req, 1, done, arg);
}

static void s_op_verify(antt_node_t *n, const json_t *req, antt_node_reply_fn done, void *arg)
{
	int deep = json_is_true(json_object_get(req, "deep"));
	if (n->verifying) { /* one whole-store scan at a time */
		done(antt_ctl_error(ANTT_CTL_DATA,
		                    "a verification is already running on this node: wait for it"),
		     arg);
		return;
	}
	s_verify_t *v = antt_xcalloc(1, sizeof *v);
	v->n = n;
	v->done = done;
	v->arg = arg;
	v->problems = json_array();
	v->misconduct = json_array();
	v->deep = deep;
	v->work.data = v;
	n->verifying++;
	int rc = uv_queue_work(n->loop, &v->work, s_verify_work, s_verify_after);
	if (rc) {
		n->verifying--;
		json_decref(v->problems);
		json_decref(v->misconduct);
		free(v);
		done(antt_ctl_error(ANTT_CTL_INTERNAL, uv_strerror(rc)), arg);
	}
}

/* ---- reports, in the thread pool, on a connection of their own ---- */

typedef struct {
	uv_work_t work;
	antt_node_t *n;
	json_t *req;
	json_t *resp;
	antt_node_reply_fn done;
	void *arg;
} s_query_t;

static void s_query_work(uv_work_t *w)
{
	s_query_t *q = w->data;
	char err[ANTT_ERR_MAX];
	antt_store_t *s = NULL;
	if (antt_store_open(q->n->store_path, NULL, ANTT_STORE_READONLY, &s, err))
		q->resp = antt_ctl_error(ANTT_CTL_STORE, err);
	else
		q->resp = antt_store_reports_answer(
		    s,
		    &(antt_reports_ctx_t){.forms = q->n->forms,
		                          .node_unit = q->n->unit,
		                          .not_expected = q->n->not_expected,
		                          .n_not_expected = q->n->n_not_expected},
		    q->req);
	antt_store_close(&s);
}

static void s_query_after(uv_work_t *w, int status)
{
	s_query_t *q = w->data;
	if (status == UV_ECANCELED) {
		json_decref(q->resp);
		q->resp = antt_ctl_error(ANTT_CTL_STORE, "cancelled: anttd is stopping");
	}
	q->done(q->resp, q->arg);
	json_decref(q->req);
	free(q);
}

static void s_op_query(antt_node_t *n, const json_t *req, antt_node_reply_fn done, void *arg)
{
	s_query_t *q = antt_xcalloc(1, sizeof *q);
	q->n = n;
	q->req = json_deep_copy(req);
	q->done = done;
	q->arg = arg;
	q->work.data = q;
	int rc = uv_queue_work(n->loop, &q->work, s_query_work, s_query_after);
	if (rc) {
		json_decref(q->req);
		free(q);
		done(antt_ctl_error(ANTT_CTL_INTERNAL, uv_strerror(rc)), arg);
	}
}

static json_t *s_op_rebuild(antt_node_t *n, const json_t *req, const void *attach,
                            size_t attach_len)
{
	char err[ANTT_ERR_MAX];
	int64_t records = 0;
	int rc = antt_store_rebuild(n->store, &records, err);
	if (rc)
		return antt_node_fail(rc, err);
	antt_log(ANTT_LOG_INFO, "rebuild: decoded tables rebuilt from %" PRId64 " records",
	         records);
	return json_pack("{s:b, s:I}", "ok", 1, "records", (json_int_t)records);
}

static json_t *s_op_children(antt_node_t *n, const json_t *req, const void *attach,
                             size_t attach_len)
{
	char err[ANTT_ERR_MAX];
	json_t *list = antt_node_children(n, err);
	if (!list)
		return antt_node_fail(ANTT_E_STORE, err);
	json_t *resp = json_pack("{s:b, s:o}", "ok", 1, "children", list);
	antt_node_add_parts(n, "children", resp); /* the hub adds who is connected */
	return resp;
}

static json_t *s_op_ping(antt_node_t *n, const json_t *req, const void *attach, size_t attach_len)
{
	return json_pack("{s:b}", "ok", 1);
}

static json_t *s_op_bundle_import(antt_node_t *n, const json_t *req, const void *attach,
                                  size_t attach_len)
{
	if (!attach)
		return antt_ctl_error(ANTT_CTL_USAGE,
		                      "bundle_import takes the bundle file as a second frame");
	if (!n->import_fn)
		return antt_ctl_error(ANTT_CTL_USAGE,
		                      "this node is not a hub ([sync] listen is not "
		                      "set): bundles are imported at a hub");
	return n->import_fn(attach, attach_len, n->import_arg);
}

/* ---- the operations, and dispatch ---- */

enum {
	OP_ATTACH = 1 << 0,   /* may take a second frame, the attachment */
	OP_ASYNC = 1 << 1,    /* replies later, through done: run_async */
	OP_READONLY = 1 << 2, /* writes nothing to the store (a reader may be offered it) */
};

typedef struct {
	const char *name;
	unsigned flags;
	/* one of the two, as OP_ASYNC says */
	json_t *(*run)(antt_node_t *n, const json_t *req, const void *attach, size_t attach_len);
	void (*run_async)(antt_node_t *n, const json_t *req, antt_node_reply_fn done, void *arg);
} s_op_t;

static const s_op_t s_ops[] = {
    {"submit", OP_ATTACH, antt_submit_reports, NULL},
    {"correct", 0, antt_submit_correct, NULL},
    {"log", OP_READONLY, s_op_log, NULL},
    {"show", OP_READONLY, s_op_show, NULL},
    {"status", OP_READONLY, s_op_status, NULL},
    {"forms", OP_READONLY, s_op_forms, NULL},
    {"ping", OP_READONLY, s_op_ping, NULL},
    {"enroll", 0, s_op_enroll, NULL},
    {"revoke", 0, s_op_revoke, NULL},
    {"children", OP_READONLY, s_op_children, NULL},
    {"units_import", OP_ATTACH, s_op_units_import, NULL},
    {"units", OP_READONLY, s_op_units, NULL},
    {"rebuild", 0, s_op_rebuild, NULL},
    {"bundle_import", OP_ATTACH, s_op_bundle_import, NULL},
    {"verify", OP_ASYNC | OP_READONLY, NULL, s_op_verify},
    {"backup", OP_ASYNC | OP_READONLY, NULL, s_op_backup},
    {"bundle_export", OP_ASYNC | OP_READONLY, NULL, s_op_bundle_export},
};

/* report, missing, history and export (antt_store_reports_is_op): one entry */
static const s_op_t s_report_op = {"report", OP_ASYNC | OP_READONLY, NULL, s_op_query};

static const s_op_t *s_op_find(const char *name)
{
	for (size_t i = 0; i < sizeof s_ops / sizeof s_ops[0]; i++)
		if (!strcmp(s_ops[i].name, name))
			return &s_ops[i];
	return antt_store_reports_is_op(name) ? &s_report_op : NULL;
}

void antt_node_handle(antt_node_t *n, const json_t *req, const void *attach, size_t attach_len,
                      antt_node_reply_fn done, void *arg)
{
	const char *op = json_string_value(json_object_get(req, "op"));
	const s_op_t *o = op ? s_op_find(op) : NULL;
	json_t *resp;
	if (!op) {
		resp = antt_ctl_error(ANTT_CTL_USAGE, "request has no \"op\"");
	} else if (attach && !(o && o->flags & OP_ATTACH)) {
		resp = antt_ctl_error(ANTT_CTL_USAGE,
		                      "only submit, units_import and bundle_import take a second "
		                      "frame");
	} else if (!o) {
		char msg[128];
		snprintf(msg, sizeof msg, "unknown operation \"%.40s\"", op);
		resp = antt_ctl_error(ANTT_CTL_USAGE, msg);
	} else if (o->flags & OP_ASYNC) {
		o->run_async(n, req, done, arg);
		return;
	} else {
		resp = o->run(n, req, attach, attach_len);
	}
	done(resp, arg);
}
