/* node.c - a node's identity, store and forms, and the control operations
 * (see node.h and docs/control.md).
 *
 * Appending is the one stateful path:
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
 * is on disk.
 *
 * The signing gate: may this node sign new records?  Three reasons it may
 * not, each a fact of its own; more than one can hold at once (a backup
 * copy whose parent holds more of its chain is both FROM_BACKUP and
 * BEHIND).  The gate's state is the reason of highest precedence still
 * holding, worked out in one place, antt_node_gate, which also logs
 * "signing gate: old -> new (why)":
 *
 *      BEHIND         ▲ a reason starts holding that ranks above the
 *        │            │ state: the state rises to it
 *   FROM_BACKUP       │
 *        │            │ a reason stops holding: the state is the
 *    LEARNING         │ highest reason still holding, OPEN if none
 *        │            ▼ (one ranked below the state changes nothing)
 *      OPEN
 *
 *   reason       starts holding                   stops holding
 *   FROM_BACKUP  antt_node_open: the store has    antt_node_confirm_head: the
 *                the mark of a copy made by       parent named this node's own
 *                antt backup                      head; at open, when there is
 *                                                 no parent.  The mark is
 *                                                 removed first: if that fails,
 *                                                 the reason still holds
 *   BEHIND       antt_node_set_behind(seq): the   antt_node_set_behind(0): the
 *                parent's head of this node's     records taken back
 *                chain is beyond its own
 *   LEARNING     the uplink fetches the records   none left to fetch, the link
 *                of the unit's earlier key        is down, or a store error
 *
 * While the gate is not OPEN, s_append refuses with its state's reason;
 * antt status shows each reason holding (recovering_to, from_backup,
 * learning_unit). */
#define _GNU_SOURCE
#include "node.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <sqlite3.h>
#include <unistd.h>

#include "bundle.h"
#include "common.h"
#include "ctlproto.h"
#include "forms.h"
#include "keyfile.h"
#include "reports.h"
#include "service.h"
#include "store.h"

#define HEX_ID (2 * ANTT_ID_BYTES + 1)

/* What a module adds to the reply of one operation (antt_node_on_reply). */
typedef struct {
	const char *op;
	antt_node_part_fn fn;
	void *arg;
} s_part_t;

struct antt_node {
	uv_loop_t *loop;
	char *unit;
	char *store_path;
	antt_key_t *key;
	char pk_hex[2 * ANTT_KEY_BYTES + 1];
	int lock_fd;
	antt_store_t *store;
	antt_forms_t *forms;
	volatile int stop; /* read by background work */
	/* the signing gate (see the top): its state, the reasons holding (a
	 * bit per antt_gate_t), and for BEHIND the parent's head of our
	 * chain, while ours is older */
	antt_gate_t gate;
	unsigned gate_held;
	uint64_t recovering_to;
	json_t *(*import_fn)(const void *data, size_t len, void *arg); /* the hub's */
	void *import_arg;
	int has_root, has_parent;
	uint8_t root[ANTT_KEY_BYTES]; /* [sync] root */
	int verifying;
	void (*stored_fn)(void *);
	void *stored_arg;
	s_part_t *parts; /* in the order they were added */
	size_t n_parts;
};

antt_store_t *antt_node_store(antt_node_t *n)
{
	return n->store;
}

const antt_key_t *antt_node_key(const antt_node_t *n)
{
	return n->key;
}

const char *antt_node_unit(const antt_node_t *n)
{
	return n->unit;
}

int antt_node_permits(antt_node_t *n, const antt_body_t *b, char *why, size_t why_len)
{
	antt_store_self_t self = {n->key->pk, n->unit, !n->has_parent};
	return antt_store_permits(n->store, &self, b, why, why_len);
}

const antt_forms_t *antt_node_forms(const antt_node_t *n)
{
	return n->forms;
}

void antt_node_on_stored(antt_node_t *n, void (*fn)(void *arg), void *arg)
{
	n->stored_fn = fn;
	n->stored_arg = arg;
}

void antt_node_stored(antt_node_t *n)
{
	if (n->stored_fn)
		n->stored_fn(n->stored_arg);
}

/* ---- the signing gate (see the top) ---- */

static const char *s_gate_names[] = {"open", "learning", "from_backup", "behind"};

int antt_node_gate_holds(const antt_node_t *n, antt_gate_t reason)
{
	return (n->gate_held & 1u << reason) != 0;
}

int antt_node_gate(antt_node_t *n, antt_gate_t reason, int holds, const char *why)
{
	char err[ANTT_ERR_MAX];
	unsigned bit = 1u << reason;
	assert(reason > ANTT_GATE_OPEN && reason <= ANTT_GATE_BEHIND);
	if (!holds == !(n->gate_held & bit))
		return ANTT_OK;
	/* leaving FROM_BACKUP: the mark goes first, or a restart would sign
	 * on a head the parent has not confirmed */
	if (reason == ANTT_GATE_FROM_BACKUP && !holds) {
		int rc = antt_store_meta_del(n->store, ANTT_META_FROM_BACKUP, err);
		if (rc) {
			antt_log(ANTT_LOG_ERR, "%s", err);
			return rc;
		}
	}
	n->gate_held = holds ? n->gate_held | bit : n->gate_held & ~bit;
	antt_gate_t to = ANTT_GATE_OPEN;
	for (int g = ANTT_GATE_BEHIND; g > ANTT_GATE_OPEN && to == ANTT_GATE_OPEN; g--)
		if (n->gate_held & 1u << g)
			to = (antt_gate_t)g;
	if (to != n->gate)
		antt_log(ANTT_LOG_INFO, "signing gate: %s -> %s (%s)", s_gate_names[n->gate],
		         s_gate_names[to], why);
	else
		antt_log(ANTT_LOG_DEBUG, "signing gate: stays %s; %s %s (%s)", s_gate_names[to],
		         s_gate_names[reason], holds ? "holds too" : "no longer holds", why);
	n->gate = to;
	return ANTT_OK;
}

void antt_node_set_behind(antt_node_t *n, uint64_t parent_seq)
{
	n->recovering_to = parent_seq;
	antt_node_gate(n, ANTT_GATE_BEHIND, parent_seq != 0,
	               parent_seq ? "the parent holds more of this node's own chain than this store"
	                          : "this node's own records taken back from the parent");
}

void antt_node_confirm_head(antt_node_t *n)
{
	antt_node_gate(n, ANTT_GATE_FROM_BACKUP, 0, "the parent confirmed this node's own head");
}

void antt_node_on_import(antt_node_t *n, json_t *(*fn)(const void *data, size_t len, void *arg),
                         void *arg)
{
	n->import_fn = fn;
	n->import_arg = arg;
}

void antt_node_on_reply(antt_node_t *n, const char *op, antt_node_part_fn fn, void *arg)
{
	n->parts = antt_xrealloc(n->parts, (n->n_parts + 1) * sizeof *n->parts);
	n->parts[n->n_parts++] = (s_part_t){op, fn, arg};
}

void antt_node_off_reply(antt_node_t *n, void *arg)
{
	size_t k = 0;
	for (size_t i = 0; i < n->n_parts; i++)
		if (n->parts[i].arg != arg)
			n->parts[k++] = n->parts[i];
	n->n_parts = k;
}

/* What the modules added for op into resp, in order. */
static void s_add_parts(antt_node_t *n, const char *op, json_t *resp)
{
	for (size_t i = 0; i < n->n_parts; i++)
		if (!strcmp(n->parts[i].op, op))
			n->parts[i].fn(resp, n->parts[i].arg);
}

/* ---- lifecycle ---- */

/* One anttd per store: an open-file-description lock on STORE.lock, held
 * for the life of the process, with our pid written in it for messages. */
static int s_lock(const char *path, const char *store, int *fd_out, char *err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return antt_errf(err,
		                 errno == ENOENT || errno == ENOTDIR ? ANTT_E_CONFIG : ANTT_E_IO,
		                 "cannot open lock file %s: %s (check [node] store in the config)",
		                 path, strerror(errno));
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	if (fcntl(fd, F_OFD_SETLK, &fl) < 0) {
		char buf[32] = {0};
		ssize_t got = pread(fd, buf, sizeof buf - 1, 0);
		close(fd);
		return antt_errf(err, ANTT_E_BUSY,
		                 "another anttd (pid %ld) is already running on store %s: stop it "
		                 "first, or use another config",
		                 got > 0 ? strtol(buf, NULL, 10) : 0L, store);
	}
	char pid[32];
	int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
		close(fd);
		return antt_errf(err, ANTT_E_IO, "cannot write lock file %s: %s", path,
		                 strerror(errno));
	}
	*fd_out = fd;
	return ANTT_OK;
}

static int s_trust_recheck(antt_node_t *n, const char *why, char *err);

int antt_node_open(const antt_config_t *cfg, uv_loop_t *loop, antt_node_t **out, char *err)
{
	int rc;
	antt_node_t *n = antt_xcalloc(1, sizeof *n);
	n->loop = loop;
	n->lock_fd = -1;
	n->unit = antt_xstrdup(cfg->unit);
	n->store_path = antt_xstrdup(cfg->store_path);
	n->has_root = cfg->has_root;
	n->has_parent = cfg->parent != NULL;
	memcpy(n->root, cfg->root, ANTT_KEY_BYTES);
	rc = antt_key_load(cfg->key_path, &n->key, err);
	if (!rc) /* before the store is created: a refused start leaves no store */
		rc = antt_forms_load(cfg->forms_dir, &n->forms, err);
	if (rc)
		goto out;
	antt_hex(n->pk_hex, n->key->pk, ANTT_KEY_BYTES);
	rc = s_lock(cfg->lock_path, cfg->store_path, &n->lock_fd, err);
	if (rc)
		goto out;
	if (cfg->relaxed)
		antt_log(ANTT_LOG_WARN,
		         "[node] durability = relaxed: a record acknowledged may be lost in a "
		         "power cut (for measurements only)");
	rc = antt_store_open(cfg->store_path, n->key->pk,
	                     ANTT_STORE_CREATE | (cfg->relaxed ? ANTT_STORE_RELAXED : 0), &n->store,
	                     err);
	if (!rc) {
		uint8_t *v = NULL;
		size_t vlen;
		if (antt_store_meta_get(n->store, ANTT_META_FROM_BACKUP, &v, &vlen) == ANTT_OK)
			antt_node_gate(n, ANTT_GATE_FROM_BACKUP, 1,
			               "this store was restored from a backup (antt backup)");
		free(v);
		if (antt_node_gate_holds(n, ANTT_GATE_FROM_BACKUP) && !cfg->parent) {
			antt_log(
			    ANTT_LOG_WARN,
			    "this store was restored from a backup (antt backup); this node has "
			    "no parent to learn its own head from, so it signs on from the "
			    "copy's head");
			antt_node_gate(n, ANTT_GATE_FROM_BACKUP, 0,
			               "no parent to confirm this node's own head");
		} else if (antt_node_gate_holds(n, ANTT_GATE_FROM_BACKUP)) {
			antt_log(
			    ANTT_LOG_WARN,
			    "this store was restored from a backup (antt backup): nothing new is "
			    "signed until the parent has said how far this node's own chain "
			    "goes");
		}
		uint8_t *flag = NULL;
		if (antt_store_meta_get(n->store, "trust_recheck", &flag, &vlen) == ANTT_OK)
			rc = s_trust_recheck(n, "store upgraded to explicit authority", err);
		free(flag);
	}
out:
	if (rc)
		antt_node_destroy(&n);
	*out = n;
	return rc;
}

/* ---- authority re-checked (store_trust.c): after an upgrade from a
 * store made under the old rules, and when the units change ---- */

typedef struct {
	size_t n;
} s_recheck_log_t;

static void s_recheck_problem(const uint8_t id[ANTT_ID_BYTES], const uint8_t author[ANTT_KEY_BYTES],
                              int64_t seq, const char *what, void *arg)
{
	s_recheck_log_t *l = arg;
	char idh[2 * ANTT_ID_BYTES + 1], kh[2 * ANTT_KEY_BYTES + 1];
	(void)seq;
	if (l->n++ < 50) /* a rogue key's every record is named by verify --deep */
		antt_log(ANTT_LOG_WARN, "trust: record %.16s... (author %.16s...): %s",
		         antt_hex(idh, id, ANTT_ID_BYTES), antt_hex(kh, author, ANTT_KEY_BYTES),
		         what);
}

/* Judge every enrollment and revocation held under the rules; what does
 * not hold stops counting (nothing is deleted). */
static int s_trust_recheck(antt_node_t *n, const char *why, char *err)
{
	s_recheck_log_t l = {0};
	int changed = 0;
	int rc = antt_store_begin(n->store, err);
	if (!rc)
		rc = antt_store_trust_recheck(n->store, n->key->pk, 1, s_recheck_problem, &l,
		                              &changed, err);
	if (!rc)
		rc = antt_store_meta_del(n->store, "trust_recheck", err);
	if (!rc)
		rc = antt_store_commit(n->store, err);
	else
		antt_store_rollback(n->store);
	if (!rc && l.n)
		antt_log(ANTT_LOG_WARN,
		         "trust: %s: %zu problem(s) found (%zu not shown); what does not hold is "
		         "kept and no longer counted: antt verify --deep names each",
		         why, l.n, l.n > 50 ? l.n - 50 : 0);
	else if (!rc)
		antt_log(ANTT_LOG_INFO, "trust: %s: every enrollment and revocation holds", why);
	return rc;
}

void antt_node_stop(antt_node_t *n)
{
	n->stop = 1;
}

void antt_node_destroy(antt_node_t **self_p)
{
	antt_node_t *n = *self_p;
	if (!n)
		return;
	antt_forms_destroy(&n->forms);
	antt_store_close(&n->store);
	if (n->lock_fd >= 0)
		close(n->lock_fd);
	antt_key_destroy(&n->key);
	free(n->unit);
	free(n->store_path);
	free(n->parts);
	free(n);
	*self_p = NULL;
}

const char *antt_node_public_hex(const antt_node_t *n)
{
	return n->pk_hex;
}

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

static json_t *s_hex_json(const uint8_t *p, size_t n)
{
	char buf[2 * 64 + 1];
	return json_string(antt_hex(buf, p, n));
}

/* The JSON a client sees for a record; full adds the signature and labels. */
static json_t *s_record_json(const antt_node_t *n, const uint8_t id[ANTT_ID_BYTES],
                             const antt_body_t *b, const uint8_t *sig, int64_t received,
                             const uint8_t *corrected_by, int full)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", s_hex_json(id, ANTT_ID_BYTES));
	json_object_set_new(o, "seq", json_integer((json_int_t)b->seq));
	json_object_set_new(o, "author", s_hex_json(b->author, ANTT_KEY_BYTES));
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
	                    b->has_corrects ? s_hex_json(b->corrects, ANTT_ID_BYTES) : json_null());
	json_object_set_new(o, "corrected_by",
	                    corrected_by ? s_hex_json(corrected_by, ANTT_ID_BYTES) : json_null());
	if (b->has_enroll)
		json_object_set_new(o, "enroll",
		                    json_pack("{s:s, s:o}", "unit", b->enroll_unit, "key",
		                              s_hex_json(b->enroll_key, ANTT_KEY_BYTES)));
	if (b->has_revoke)
		json_object_set_new(
		    o, "revoke",
		    json_pack("{s:o, s:I, s:o}", "key", s_hex_json(b->revoke_key, ANTT_KEY_BYTES),
		              "after", (json_int_t)b->revoke_after, "reason",
		              b->revoke_reason ? json_string(b->revoke_reason) : json_null()));
	if (full) {
		json_object_set_new(o, "prev", s_hex_json(b->prev, ANTT_ID_BYTES));
		json_object_set_new(o, "version", json_integer(b->version));
		json_object_set_new(o, "signature", s_hex_json(sig, ANTT_SIG_BYTES));
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
		    strcmp(key, "note"))
			return antt_errf(err, ANTT_E_INVAL,
			                 "unknown key \"%s\" in a report (known: form, period, "
			                 "values, note)",
			                 key);
	}
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
	if (rc)
		return rc;
	b->version = ANTT_RECORD_VERSION;
	b->unit = antt_xstrdup(n->unit);
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

/* Chain, sign and append bodies[0..count) in one durable transaction.
 * Refuses a second report of a periodic form for the same period.  last
 * gets the id of the last record; out, if given, a {id, seq} per record.
 * On error *failed is the index of the body at fault. */
static int s_append(antt_node_t *n, antt_body_t *bodies, size_t count, uint8_t last[ANTT_ID_BYTES],
                    json_t *out, size_t *failed, char *err)
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
	/* 1: chain fields, bytes and ids, in order */
	for (size_t i = 0; i < count && !rc; i++) {
		antt_body_t *b = &bodies[i];
		const antt_form_t *f = antt_forms_find(n->forms, b->form);
		*failed = i;
		if (f && f->periodic && !b->has_corrects) {
			uint8_t id[ANTT_ID_BYTES];
			char hex[HEX_ID];
			rc = antt_store_find_report(n->store, b->unit, b->form, b->period, id, err);
			if (rc == ANTT_OK) {
				antt_hex(hex, id, ANTT_ID_BYTES);
				rc =
				    antt_errf(err, ANTT_E_EXISTS,
				              "unit %s already reported %s for %s (record %s); to "
				              "change figures, run: antt correct %s CODE=VALUE ...",
				              b->unit, b->form, b->period, hex, hex);
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
				antt_service_keepalive(); /* a bulk import holds the loop */
			}
			*failed = i;
			rc = antt_store_append(n->store, ready[i].id, ready[i].enc, ready[i].len,
			                       ready[i].sig, &bodies[i], now, err);
			if (!rc && out)
				json_array_append_new(
				    out, json_pack("{s:o, s:I}", "id",
				                   s_hex_json(ready[i].id, ANTT_ID_BYTES), "seq",
				                   (json_int_t)bodies[i].seq));
		}
		s_signer_finish(&sg);
	}
	if (!rc)
		rc = antt_store_commit(n->store, err);
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

static json_t *s_fail(int rc, const char *err)
{
	antt_ctl_class c = rc == ANTT_E_NOTFOUND ? ANTT_CTL_NOTFOUND
	                   : rc == ANTT_E_STORE || rc == ANTT_E_IO || rc == ANTT_E_CORRUPT
	                       ? ANTT_CTL_STORE
	                       : ANTT_CTL_DATA;
	if (c == ANTT_CTL_STORE)
		antt_log(ANTT_LOG_ERR, "%s", err);
	return antt_ctl_error(c, err);
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
		antt_service_keepalive();
	int rc = s_take_report(t->n, report, &t->bodies[t->count++], err);
	if (rc && (index > 0 || more))
		s_prefix_report(err, index);
	return rc;
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
			    !strcmp(bodies[i].period, bodies[j].period)) {
				rc = antt_errf(err, ANTT_E_EXISTS,
				               "reports %zu and %zu are both %s for %s: a periodic "
				               "form takes one report per period",
				               j + 1, i + 1, bodies[i].form, bodies[i].period);
				break;
			}
	}
	size_t failed = 0;
	uint8_t last[ANTT_ID_BYTES];
	if (!rc) {
		rc = s_append(n, bodies, count, last, out, &failed, err);
		if (rc && count > 1)
			s_prefix_report(err, failed);
	}
	if (rc) {
		resp = s_fail(rc, err);
		json_decref(out);
	} else {
		/* a bulk import's client may not want 20,000 ids back */
		resp = json_pack("{s:b, s:I, s:I, s:o, s:I}", "ok", 1, "count", (json_int_t)count,
		                 "first_seq", (json_int_t)bodies[0].seq, "id",
		                 s_hex_json(last, ANTT_ID_BYTES), "seq",
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

static json_t *s_op_submit(antt_node_t *n, const json_t *req, const void *attach, size_t attach_len)
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

static json_t *s_op_correct(antt_node_t *n, const json_t *req)
{
	char err[ANTT_ERR_MAX], hex[HEX_ID], byhex[HEX_ID];
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
	/* this node's own records, or its unit's under an earlier key (the
	 * machine it replaces) */
	if (strcmp(old.b.unit, n->unit) != 0) {
		rc = antt_errf(err, ANTT_E_INVAL,
		               "record %s is unit %s's, not this node's (%s): only a node of unit "
		               "%s can correct it",
		               hex, old.b.unit, n->unit, old.b.unit);
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
	b.unit = antt_xstrdup(n->unit);
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
	rc = s_append(n, &b, 1, last, NULL, &failed, err);
out:
	if (rc) {
		resp = s_fail(rc, err);
	} else {
		resp = json_pack("{s:b, s:o, s:I, s:s}", "ok", 1, "id",
		                 s_hex_json(last, ANTT_ID_BYTES), "seq", (json_int_t)b.seq,
		                 "corrects", hex);
	}
	antt_stored_clear(&old);
	antt_body_clear(&b);
	return resp;
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

static json_t *s_op_log(antt_node_t *n, const json_t *req)
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
		return s_fail(rc, err);
	}
	return json_pack("{s:b, s:o}", "ok", 1, "records", c.list);
}

static json_t *s_op_show(antt_node_t *n, const json_t *req)
{
	char err[ANTT_ERR_MAX];
	const char *id = json_string_value(json_object_get(req, "id"));
	if (!id)
		return antt_ctl_error(ANTT_CTL_USAGE, "show needs \"id\"");
	antt_stored_t r;
	int rc = antt_store_get(n->store, id, &r, err);
	if (rc)
		return s_fail(rc, err);
	json_t *resp = json_pack("{s:b, s:o}", "ok", 1, "record", s_stored_json(n, &r, 1));
	antt_stored_clear(&r);
	return resp;
}

/* brief: without the record and author counts, which scan the store */
static json_t *s_status(antt_node_t *n, int brief)
{
	char err[ANTT_ERR_MAX];
	antt_store_stats_t st = {0};
	antt_head_t head;
	int rc = brief ? ANTT_OK : antt_store_stats(n->store, &st, err);
	if (!rc)
		rc = antt_store_head(n->store, n->key->pk, &head, err);
	if (rc)
		return s_fail(rc, err);
	json_t *h = json_pack("{s:I, s:o}", "seq", (json_int_t)head.seq, "id",
	                      head.seq ? s_hex_json(head.id, ANTT_ID_BYTES) : json_null());
	json_t *resp =
	    json_pack("{s:b, s:s, s:s, s:o, s:s, s:i, s:s, s:i}", "ok", 1, "unit", n->unit,
	              "public_key", n->pk_hex, "head", h, "store", n->store_path, "pid",
	              (int)getpid(), "version", ANTT_VERSION, "forms", (int)n->forms->n);
	if (!brief) {
		json_object_set_new(resp, "records", json_integer((json_int_t)st.records));
		json_object_set_new(resp, "authors", json_integer((json_int_t)st.authors));
	}
	s_add_parts(n, "status", resp);
	/* the reasons the signing gate holds, each */
	if (antt_node_gate_holds(n, ANTT_GATE_BEHIND)) /* restored from an old backup */
		json_object_set_new(resp, "recovering_to",
		                    json_integer((json_int_t)n->recovering_to));
	if (antt_node_gate_holds(n, ANTT_GATE_LEARNING))
		json_object_set_new(resp, "learning_unit", json_true());
	if (antt_node_gate_holds(n, ANTT_GATE_FROM_BACKUP))
		json_object_set_new(resp, "from_backup", json_true());
	return resp;
}

/* New units change what a legacy enrollment may enroll: judged again. */
static json_t *s_units_import(antt_node_t *n, const void *csv, size_t len)
{
	char err[ANTT_ERR_MAX];
	json_t *resp = antt_reports_units_import(n->store, csv, len);
	if (json_is_true(json_object_get(resp, "ok")) &&
	    s_trust_recheck(n, "administrative units loaded", err)) {
		antt_log(ANTT_LOG_ERR, "%s", err);
		json_decref(resp);
		resp = s_fail(ANTT_E_STORE, err);
	}
	return resp;
}

static json_t *s_op_status(antt_node_t *n, const json_t *req)
{
	(void)req;
	return s_status(n, 0);
}

json_t *antt_node_status(antt_node_t *n)
{
	return s_status(n, 1);
}

/* Admit a child: an enrollment record in this node's own chain. */
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

/* enroll: unit, key, grant ("station" or "hub"), units and below (a hub's
 * scope).  What this node may enroll is its own grant's to say. */
static json_t *s_op_enroll(antt_node_t *n, const json_t *req)
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
	if (grant && strcmp(grant, "station") && strcmp(grant, "hub"))
		return antt_ctl_error(ANTT_CTL_DATA, "enroll: grant is \"station\" or \"hub\"");
	if (!n->has_parent && antt_store_unit_below(n->store, unit, n->unit) == 0) {
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
	int hub = (grant && !strcmp(grant, "hub")) || b.n_enroll_units || b.n_enroll_subtrees;
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
	b.enroll_grant = hub ? ANTT_GRANT_HUB : ANTT_GRANT_STATION;
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
	rc = s_append(n, &b, 1, last, NULL, &failed, err);
	json_t *resp = rc ? s_fail(rc, err)
	                  : json_pack("{s:b, s:o, s:I, s:s, s:s, s:s}", "ok", 1, "id",
	                              s_hex_json(last, ANTT_ID_BYTES), "seq", (json_int_t)b.seq,
	                              "unit", unit, "key", key, "grant", hub ? "hub" : "station");
	if (!rc)
		antt_log(ANTT_LOG_INFO, "enrolled unit %s as a %s, key %s", unit,
		         hub ? "hub" : "station", key);
	antt_body_clear(&b);
	return resp;
}

/* revoke: key (hex), after (seq), reason?  The key must have been enrolled
 * by this node or under it; its records after that seq are refused by
 * every hub the revocation reaches, and no longer counted. */
static json_t *s_op_revoke(antt_node_t *n, const json_t *req)
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
	int rc = s_append(n, &b, 1, last, NULL, &failed, err);
	json_t *resp = rc ? s_fail(rc, err)
	                  : json_pack("{s:b, s:o, s:I, s:s, s:I}", "ok", 1, "id",
	                              s_hex_json(last, ANTT_ID_BYTES), "seq", (json_int_t)b.seq,
	                              "key", key, "after", (json_int_t)b.revoke_after);
	if (!rc)
		antt_log(ANTT_LOG_WARN, "revoked key %s after seq %" PRIu64 "%s%s", key,
		         b.revoke_after, reason ? ": " : "", reason ? reason : "");
	antt_body_clear(&b);
	return resp;
}

static int s_child_row(void *stmt, void *arg)
{
	sqlite3_stmt *st = stmt;
	json_t *list = arg;
	char key[2 * ANTT_KEY_BYTES + 1] = "";
	if (sqlite3_column_bytes(st, 0) == ANTT_KEY_BYTES)
		antt_hex(key, sqlite3_column_blob(st, 0), ANTT_KEY_BYTES);
	int grant = sqlite3_column_int(st, 6);
	json_array_append_new(
	    list, json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:o}", "key", key, "unit",
	                    (const char *)sqlite3_column_text(st, 1), "grant",
	                    grant == ANTT_GRANT_HUB       ? "hub"
	                    : grant == ANTT_GRANT_STATION ? "station"
	                                                  : "legacy",
	                    "records", (json_int_t)sqlite3_column_int64(st, 2), "head",
	                    (json_int_t)sqlite3_column_int64(st, 3), "forks",
	                    (json_int_t)sqlite3_column_int64(st, 4), "quarantined_from",
	                    sqlite3_column_type(st, 5) == SQLITE_NULL
	                        ? json_null()
	                        : json_integer((json_int_t)sqlite3_column_int64(st, 5))));
	return 0;
}

/* The children this node enrolled, with what it holds of each (forks: how
 * many second records for a held seq each key signed, counted). */
json_t *antt_node_children(antt_node_t *n, char *err)
{
	json_t *list = json_array();
	if (antt_store_query(
	        n->store,
	        "SELECT e.key, e.unit, (SELECT count(*) FROM records r WHERE r.author = "
	        "e.key), (SELECT seq FROM heads h WHERE h.author = e.key), "
	        "(SELECT n FROM fork_counts f WHERE f.author = e.key), "
	        "(SELECT min(after) + 1 FROM untrusted u WHERE u.key = e.key), e.kind "
	        "FROM enrollments e WHERE e.by = ?1 AND e.bad IS NULL ORDER BY e.unit",
	        n->key->pk, ANTT_KEY_BYTES, s_child_row, list, err)) {
		json_decref(list);
		return NULL;
	}
	return list;
}

static json_t *s_op_forms(antt_node_t *n, const json_t *req)
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
	                      json_pack("{s:o, s:o, s:I, s:s}", "id", s_hex_json(id, ANTT_ID_BYTES),
	                                "author", s_hex_json(author, ANTT_KEY_BYTES), "seq",
	                                (json_int_t)seq, "problem", what));
}

static void s_verify_misconduct(const uint8_t id[ANTT_ID_BYTES],
                                const uint8_t author[ANTT_KEY_BYTES], int64_t seq, const char *what,
                                void *arg)
{
	s_verify_t *v = arg;
	json_array_append_new(v->misconduct,
	                      json_pack("{s:o, s:o, s:I, s:s}", "id", s_hex_json(id, ANTT_ID_BYTES),
	                                "author", s_hex_json(author, ANTT_KEY_BYTES), "seq",
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
		resp = s_fail(j->rc, j->err);
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
static void s_op_file(antt_node_t *n, const json_t *req, int bundle, antt_node_reply_fn done,
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

static void s_op_verify(antt_node_t *n, int deep, antt_node_reply_fn done, void *arg)
{
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
		q->resp = antt_reports_answer(s, q->n->forms, q->n->unit, q->req);
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

static json_t *s_op_rebuild(antt_node_t *n)
{
	char err[ANTT_ERR_MAX];
	int64_t records = 0;
	int rc = antt_store_rebuild(n->store, &records, err);
	if (rc)
		return s_fail(rc, err);
	antt_log(ANTT_LOG_INFO, "rebuild: decoded tables rebuilt from %" PRId64 " records",
	         records);
	return json_pack("{s:b, s:I}", "ok", 1, "records", (json_int_t)records);
}

/* ---- dispatch ---- */

void antt_node_handle(antt_node_t *n, const json_t *req, const void *attach, size_t attach_len,
                      antt_node_reply_fn done, void *arg)
{
	const char *op = json_string_value(json_object_get(req, "op"));
	json_t *resp;
	if (!op)
		resp = antt_ctl_error(ANTT_CTL_USAGE, "request has no \"op\"");
	else if (attach && strcmp(op, "submit") && strcmp(op, "units_import") &&
	         strcmp(op, "bundle_import"))
		resp = antt_ctl_error(ANTT_CTL_USAGE,
		                      "only submit, units_import and bundle_import take a second "
		                      "frame");
	else if (antt_reports_is_op(op)) {
		s_op_query(n, req, done, arg);
		return;
	} else if (!strcmp(op, "units_import"))
		resp = attach ? s_units_import(n, attach, attach_len)
		              : antt_ctl_error(ANTT_CTL_USAGE,
		                               "units_import takes the CSV file as a second frame");
	else if (!strcmp(op, "rebuild"))
		resp = s_op_rebuild(n);
	else if (!strcmp(op, "submit"))
		resp = s_op_submit(n, req, attach, attach_len);
	else if (!strcmp(op, "correct"))
		resp = s_op_correct(n, req);
	else if (!strcmp(op, "log"))
		resp = s_op_log(n, req);
	else if (!strcmp(op, "show"))
		resp = s_op_show(n, req);
	else if (!strcmp(op, "status"))
		resp = s_op_status(n, req);
	else if (!strcmp(op, "forms"))
		resp = s_op_forms(n, req);
	else if (!strcmp(op, "enroll"))
		resp = s_op_enroll(n, req);
	else if (!strcmp(op, "revoke"))
		resp = s_op_revoke(n, req);
	else if (!strcmp(op, "children")) {
		char err[ANTT_ERR_MAX];
		json_t *list = antt_node_children(n, err);
		resp = list ? json_pack("{s:b, s:o}", "ok", 1, "children", list)
		            : s_fail(ANTT_E_STORE, err);
		if (list) /* the hub adds who is connected */
			s_add_parts(n, "children", resp);
	} else if (!strcmp(op, "ping"))
		resp = json_pack("{s:b}", "ok", 1);
	else if (!strcmp(op, "verify")) {
		s_op_verify(n, json_is_true(json_object_get(req, "deep")), done, arg);
		return;
	} else if (!strcmp(op, "backup") || !strcmp(op, "bundle_export")) {
		s_op_file(n, req, !strcmp(op, "bundle_export"), done, arg);
		return;
	} else if (!strcmp(op, "bundle_import")) {
		resp = !attach
		           ? antt_ctl_error(ANTT_CTL_USAGE,
		                            "bundle_import takes the bundle file as a second frame")
		       : n->import_fn
		           ? n->import_fn(attach, attach_len, n->import_arg)
		           : antt_ctl_error(ANTT_CTL_USAGE,
		                            "this node is not a hub ([sync] listen is not "
		                            "set): bundles are imported at a hub");
	} else {
		char msg[128];
		snprintf(msg, sizeof msg, "unknown operation \"%.40s\"", op);
		resp = antt_ctl_error(ANTT_CTL_USAGE, msg);
	}
	done(resp, arg);
}
