/* node.c - a node's identity (key, unit), its store and the lock that
 * makes it the only anttd on that store, its forms, and the signing gate;
 * the parts other modules add to its replies (see node.h).  What a
 * client asks is in node_ops.c; the one path that signs, in submit.c.
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
 * While the gate is not OPEN, antt_submit_append refuses with its state's
 * reason; antt status shows each reason holding (recovering_to,
 * from_backup, learning_unit). */
#define _GNU_SOURCE
#include "node_int.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "ctlproto.h"
#include "forms.h"
#include "keyfile.h"
#include "store.h"

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

/* ---- parts other modules add to replies ---- */

void antt_node_on_import(antt_node_t *n, json_t *(*fn)(const void *data, size_t len, void *arg),
                         void *arg)
{
	n->import_fn = fn;
	n->import_arg = arg;
}

void antt_node_on_reply(antt_node_t *n, const char *op, antt_node_part_fn fn, void *arg)
{
	n->parts = antt_xrealloc(n->parts, (n->n_parts + 1) * sizeof *n->parts);
	n->parts[n->n_parts++] = (antt_node_part_t){op, fn, arg};
}

void antt_node_off_reply(antt_node_t *n, void *arg)
{
	size_t k = 0;
	for (size_t i = 0; i < n->n_parts; i++)
		if (n->parts[i].arg != arg)
			n->parts[k++] = n->parts[i];
	n->n_parts = k;
}

void antt_node_add_parts(antt_node_t *n, const char *op, json_t *resp)
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

int antt_node_open(const antt_config_t *cfg, uv_loop_t *loop, antt_node_t **out, char *err)
{
	int rc;
	antt_node_t *n = antt_xcalloc(1, sizeof *n);
	n->loop = loop;
	n->lock_fd = -1;
	n->unit = antt_xstrdup(cfg->unit);
	n->store_path = antt_xstrdup(cfg->store_path);
	if (cfg->n_not_expected) {
		n->not_expected = antt_xmalloc(cfg->n_not_expected * sizeof *n->not_expected);
		memcpy(n->not_expected, cfg->not_expected,
		       cfg->n_not_expected * sizeof *n->not_expected);
		n->n_not_expected = cfg->n_not_expected;
	}
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
			               "this store is a copy made by antt backup");
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
			rc =
			    antt_node_trust_recheck(n, "store upgraded to explicit authority", err);
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
int antt_node_trust_recheck(antt_node_t *n, const char *why, char *err)
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
	free(n->not_expected);
	free(n->parts);
	free(n);
	*self_p = NULL;
}

const char *antt_node_public_hex(const antt_node_t *n)
{
	return n->pk_hex;
}

/* ---- helpers of the operations ---- */

json_t *antt_node_hex_json(const uint8_t *p, size_t n)
{
	char buf[2 * 64 + 1];
	return json_string(antt_hex(buf, p, n));
}

json_t *antt_node_fail(int rc, const char *err)
{
	antt_ctl_class c = rc == ANTT_E_NOTFOUND ? ANTT_CTL_NOTFOUND
	                   : rc == ANTT_E_STORE || rc == ANTT_E_IO || rc == ANTT_E_CORRUPT
	                       ? ANTT_CTL_STORE
	                       : ANTT_CTL_DATA;
	if (c == ANTT_CTL_STORE)
		antt_log(ANTT_LOG_ERR, "%s", err);
	return antt_ctl_error(c, err);
}

/* ---- status ---- */

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
		return antt_node_fail(rc, err);
	json_t *h = json_pack("{s:I, s:o}", "seq", (json_int_t)head.seq, "id",
	                      head.seq ? antt_node_hex_json(head.id, ANTT_ID_BYTES) : json_null());
	json_t *resp =
	    json_pack("{s:b, s:s, s:s, s:o, s:s, s:i, s:s, s:i}", "ok", 1, "unit", n->unit,
	              "public_key", n->pk_hex, "head", h, "store", n->store_path, "pid",
	              (int)getpid(), "version", ANTT_VERSION, "forms", (int)n->forms->n);
	if (!brief) {
		json_object_set_new(resp, "records", json_integer((json_int_t)st.records));
		json_object_set_new(resp, "authors", json_integer((json_int_t)st.authors));
	}
	antt_node_add_parts(n, "status", resp);
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

json_t *antt_node_status_reply(antt_node_t *n, int brief)
{
	return s_status(n, brief);
}

json_t *antt_node_status(antt_node_t *n)
{
	return s_status(n, 1);
}

/* ---- the children this node enrolled ---- */

static int s_child_row(const antt_store_child_t *c, void *arg)
{
	json_t *list = arg;
	static const uint8_t zero[ANTT_KEY_BYTES];
	char key[2 * ANTT_KEY_BYTES + 1] = "";
	if (memcmp(c->key, zero, ANTT_KEY_BYTES))
		antt_hex(key, c->key, ANTT_KEY_BYTES);
	json_array_append_new(
	    list,
	    json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:o}", "key", key, "unit", c->unit, "grant",
	              c->grant == ANTT_GRANT_HUB       ? "hub"
	              : c->grant == ANTT_GRANT_RELAY   ? "relay"
	              : c->grant == ANTT_GRANT_STATION ? "station"
	                                               : "legacy",
	              "records", (json_int_t)c->records, "head", (json_int_t)c->head, "forks",
	              (json_int_t)c->forks, "quarantined_from",
	              c->quarantined_from ? json_integer((json_int_t)c->quarantined_from)
	                                  : json_null()));
	return 0;
}

/* The children this node enrolled, with what it holds of each (forks: how
 * many second records for a held seq each key signed, counted). */
json_t *antt_node_children(antt_node_t *n, char *err)
{
	json_t *list = json_array();
	if (antt_store_children_each(n->store, n->key->pk, s_child_row, list, err)) {
		json_decref(list);
		return NULL;
	}
	return list;
}
