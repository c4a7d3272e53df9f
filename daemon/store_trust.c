/* store_trust.c - who may sign what, as the store holds it (schema 8).
 *
 * Authority is explicit (proto/README.md, "Authority"): each enrollment
 * record states what it grants its key: a station (files for its unit), a
 * hub (also enrolls and revokes, within a scope), or, for enrollments made
 * before grants existed, a legacy hub over the units below its own that
 * only an administrative list can show.  The root of trust may do anything.
 *
 * Invariants (T1-T4 are what antt verify --deep checks):
 *   T1  An enrollment row holds (bad IS NULL) only if its author's grant
 *       permits it: the author is this node (its own enrollments are its
 *       admin's act, checked by antt enroll against its grant as then
 *       known, and judged by the hubs above: never marked here, so that an
 *       upgrade cannot lock out a hub's own children), or holds an
 *       enrollment that holds.
 *   T2  A key counts as enrolled only through a row that holds: every
 *       lookup (ZAP, intake, credentials, rotation) reads rows with bad IS
 *       NULL, the first one held (lowest rowid).
 *   T3  A revocation holds only if its author is a hub (or the root, or
 *       this node: its admin's act) above the key it revokes.
 *   T4  A key whose every enrollment fails T1 is untrusted from seq 1, and
 *       an author whose chain carries a signature that failed the audit is
 *       quarantined from that seq (untrusted, kind 2): their records stay,
 *       are never counted, never forwarded.
 *   T5  A key signs for its unit, judged by the unit list of each record's
 *       period (issue 15: "every report is judged against the list in
 *       force for its period"; a code alone never says which list it is
 *       from: 12337 is Thi tran Vuong in 2025-03 and Xa Hoang Hoa Tham in
 *       2025-07).  A record held that T5 does not let is named in
 *       not_permitted (schema 11) with why: kept, never counted.
 *
 * T5, for a record of unit U and period P signed by key K, whose
 * enrollment that counts (T2) is for unit E:
 *
 *   the store holds no dated list   U = E (the rule before dated lists;
 *   (only "loaded", or none)        the same for system records, antt.*,
 *                                   whatever the lists)
 *   X = the dated list in force on P's last day (ANTT_STORE_LIST_ORDER:
 *       the rule of the list in force today, for that day; before the
 *       first, the earliest);
 *   LE = the list of K's enrollment: of the dated lists that hold E, the
 *       one that rule puts first for the day the enrollment was made (its
 *       period, signed by the enroller, the trusted parent).  So the list
 *       in force that day when it holds E; else the one nearest before
 *       (a key enrolled in 2026 for 12346, a commune of 2025-03 only, is
 *       2025-03's: a tree of the old list keeps its meaning), else the
 *       earliest (a key enrolled in 2024 for 12337 is Thi tran Vuong's).
 *       No dated list holds E: U = E, as without dated lists.  This
 *       node's own key is enrolled on the day of its parent's enrollment
 *       of it (meta "credentials"), the root's today.
 *   The undated list ("loaded": a store's units from before lists had
 *   dates, in force only while no dated list is held) is neither: it
 *   would be X for every day no dated list covers (2025-01, before
 *   2025-03 began) and LE for every key enrolled before 2025-03, and no
 *   link leads into or out of it: every report of such a key for 2025-03
 *   .. 2025-06, and every January 2025 of a key of today, would be
 *   refused.
 *
 *   X = LE            U = E                                   allowed
 *   X older than LE   a full link X:U -> LE:E (unit_links)    allowed: the
 *                     new unit took over the old one's paperwork, it may
 *                     back-fill and correct its months
 *   otherwise         refused: U = E of a newer list than K's (12337 of
 *                     2025-03 signs no 2025-08), a unit of X gone whole to
 *                     another unit, split between several (partial
 *                     links), or with no link to E
 *
 * A unit below E is not E: a key files for its own unit (proto/README.md,
 * "Authority"), and a full link names exactly the unit that took the old
 * one.
 *
 * Rotation, by the same lists (hub.c's Heads, uplink.c's learning,
 * proto/README.md "A replaced machine"): before it signs, a node takes
 * back from its parent the records of the keys whose paperwork it holds
 * (antt_store_rotation_keys).  For a key enrolled for E in list LE:
 *
 *   its unit's earlier keys   the other keys enrolled for E in LE (a
 *   (Heads.unit_heads)        replaced machine's), and only those: the
 *                             station of 12337 of 2025-03 is no earlier
 *                             key of 12337 of 2025-07, nor the reverse (the
 *                             old station would stop signing to take the
 *                             new commune's records)
 *   the keys of the old       the keys enrolled for a unit U of an older
 *   units it took             list X with a full link X:U -> LE:E: the new
 *   (Heads.older_heads)       commune took over their paperwork (issue 15,
 *                             point 4): it corrects their months and
 *                             back-fills those never filed, so it must
 *                             hold what their stations filed, or it would
 *                             file a month twice and could correct
 *                             nothing.  A unit split between several
 *                             (partial links) is no one new unit's: its
 *                             keys go to none.
 *
 * The duplicate check of submit (antt_store_filed_before) judges those
 * records by T5 too: a record not permitted never blocks, nor does one of
 * a key of an older list's unit (the node keeps them, meta "older_keys")
 * for a period judged by this node's list or a newer one, which such a key
 * may not sign: the old station's 12337 for 2025-08, held and never counted
 * at the province, does not stop the new commune filing its own 2025-08.
 *
 * Intake (daemon/hub.c) refuses what would break T1, T3 or T5 before it is
 * stored (code 6), but for a report of the key's own unit that T5 alone
 * does not let count (a period of another list than the key's): that one
 * is kept and listed in not_permitted at once, in its own transaction, so
 * that its author's chain stays whole (antt_store_index_not_permitted).
 * This node signs nothing T5 refuses (submit.c) where it holds the lists,
 * so rows are marked bad, and records not permitted, otherwise only when a
 * store made under older rules is upgraded, or when the unit lists or
 * their links change (legacy grants and T5 depend on them):
 * antt_store_trust_recheck, whose verdicts are the same. */
#define _GNU_SOURCE
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "antt.pb-c.h"
#include "common.h"
#include "period.h"
#include "store_int.h"

static const char *s_tr_sql[TR_COUNT_] = {
    [TR_UNTRUSTED] = "SELECT after, why FROM untrusted WHERE key = ?1 ORDER BY after LIMIT 1",
    [TR_STAMP_ADD] = "INSERT INTO stamps(hub, body, sig, author, from_seq, to_seq, at) "
                     "VALUES(?1,?2,?3,?4,?5,?6,?7) ON CONFLICT(hub, body) DO NOTHING",
    [TR_STAMP_SN] = "SELECT sn FROM stamps WHERE hub = ?1 AND body = ?2",
    [TR_STAMP_APPLY] = "UPDATE records SET first = ?1, stamp = ?2 WHERE author = ?3 "
                       "AND seq BETWEEN ?4 AND ?5 AND stamp IS NULL",
};

/* A statement of s_tr_sql, prepared once; the caller resets it. */
static sqlite3_stmt *s_tr(antt_store_t *s, int which, char *err)
{
	return antt_store_prepared(s, &s->tr[which], s_tr_sql[which], err);
}

static void s_tr_done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

void antt_store_trust_close(antt_store_t *s)
{
	for (int i = 0; i < TR_COUNT_; i++)
		sqlite3_finalize(s->tr[i]);
	memset(s->tr, 0, sizeof s->tr);
}

/* antt_below_fn over this store's administrative list */
static int s_below(const char *unit, const char *above, void *arg)
{
	return antt_store_unit_within(arg, unit, above);
}

int antt_store_below(const char *unit, const char *above, void *store)
{
	return s_below(unit, above, store);
}

/* The body of the record with this id, decoded: 0 or an error. */
static int s_body_by_id(antt_store_t *s, const uint8_t id[ANTT_ID_BYTES], antt_body_t *b, char *err)
{
	static const char *sql = "SELECT body FROM records WHERE id = ?1";
	sqlite3_stmt *st;
	int rc = ANTT_E_NOTFOUND;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, "reading an enrollment");
	sqlite3_bind_blob(st, 1, id, ANTT_ID_BYTES, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		rc = antt_body_decode(sqlite3_column_blob(st, 0),
		                      (size_t)sqlite3_column_bytes(st, 0), b, err)
		         ? antt_errf(err, ANTT_E_CORRUPT,
		                     "store %s: an enrollment record does not decode: run antt "
		                     "verify",
		                     s->path)
		         : ANTT_OK;
	sqlite3_finalize(st);
	return rc;
}

/* This node's own grant: the root's, else the one its parent's enrollment
 * of it states (the first of meta "credentials"), borrowed from *holder
 * (antt_body_clear it).  0, or ANTT_E_NOTFOUND: none held. */
static int s_self_grant(antt_store_t *s, const uint8_t self[ANTT_KEY_BYTES], int is_root,
                        const char *unit, antt_body_t *holder, antt_grant_t *g)
{
	memset(holder, 0, sizeof *holder);
	if (is_root) {
		antt_grant_t root = {ANTT_GRANT_ROOT, unit, 0, NULL, 0, NULL};
		*g = root;
		return ANTT_OK;
	}
	uint8_t *blob = NULL, *body = NULL, sig[ANTT_SIG_BYTES];
	size_t len = 0, blen = 0;
	int rc = ANTT_E_NOTFOUND;
	Antt__Records *rs = NULL;
	if (antt_store_meta_get(s, "credentials", &blob, &len) == ANTT_OK &&
	    (rs = antt__records__unpack(NULL, len, blob)) && rs->n_records &&
	    !antt_envelope_decode(rs->records[0].data, rs->records[0].len, &body, &blen, sig,
	                          NULL) &&
	    !antt_body_decode(body, blen, holder, NULL)) {
		if (holder->has_enroll && !memcmp(holder->enroll_key, self, ANTT_KEY_BYTES)) {
			*g = antt_grant_of(holder);
			rc = ANTT_OK;
		} else {
			antt_body_clear(holder);
		}
	}
	if (rs)
		antt__records__free_unpacked(rs, NULL);
	free(body);
	free(blob);
	return rc;
}

int antt_store_grant(antt_store_t *s, const uint8_t key[ANTT_KEY_BYTES], antt_body_t *enrollment,
                     char *err)
{
	static const char *sql =
	    "SELECT record FROM enrollments WHERE key = ?1 AND bad IS NULL ORDER BY rowid LIMIT 1";
	sqlite3_stmt *st;
	uint8_t id[ANTT_ID_BYTES];
	int rc = ANTT_E_NOTFOUND;
	memset(enrollment, 0, sizeof *enrollment);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, "reading enrollments");
	sqlite3_bind_blob(st, 1, key, ANTT_KEY_BYTES, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == ANTT_ID_BYTES) {
		memcpy(id, sqlite3_column_blob(st, 0), ANTT_ID_BYTES);
		rc = ANTT_OK;
	}
	sqlite3_finalize(st);
	if (!rc && (rc = s_body_by_id(s, id, enrollment, err)) == ANTT_OK &&
	    !enrollment->has_enroll) {
		antt_body_clear(enrollment);
		rc = antt_errf(err, ANTT_E_CORRUPT,
		               "store %s: an enrollment row names a record that enrolls nothing: "
		               "run antt verify",
		               s->path);
	}
	return rc;
}

int antt_store_permits(antt_store_t *s, const antt_store_self_t *self, const antt_body_t *b,
                       char *why, size_t why_len)
{
	char err[ANTT_ERR_MAX];
	antt_body_t eb;
	antt_grant_t g;
	int rc, root = 0; /* may enroll again what any hub enrolled */
	if (!b->has_enroll && !b->has_revoke)
		return ANTT_OK;
	int own = !memcmp(b->author, self->key, ANTT_KEY_BYTES);
	if (own) { /* none held yet: its admin's act */
		rc = s_self_grant(s, self->key, self->is_root, self->unit, &eb, &g) == ANTT_OK
		         ? antt_grant_permits(&g, b, s_below, s, why, why_len)
		         : ANTT_OK;
		root = self->is_root;
		antt_body_clear(&eb);
	} else if ((rc = antt_store_grant(s, b->author, &eb, err))) {
		snprintf(why, why_len, "its author's key holds no enrollment here%s%.100s",
		         rc == ANTT_E_NOTFOUND ? "" : ": ", rc == ANTT_E_NOTFOUND ? "" : err);
		return ANTT_E_INVAL;
	} else {
		g = antt_grant_of(&eb);
		rc = antt_grant_permits(&g, b, s_below, s, why, why_len);
		antt_body_clear(&eb);
	}
	if (rc || !b->has_enroll)
		return rc;
	/* a key belongs to the hub that enrolled it first: another may enroll
	 * it again only from above that one (the root: from anywhere), or it
	 * could take a key that is not its own out of its enroller's hands */
	char unit[ANTT_UNIT_MAX + 1], hex[2 * ANTT_KEY_BYTES + 1];
	uint8_t by[ANTT_KEY_BYTES], curve[32], other[ANTT_KEY_BYTES];
	if (antt_store_enrolled(s, b->enroll_key, unit, by, NULL) == ANTT_OK &&
	    memcmp(by, b->author, ANTT_KEY_BYTES) && !root &&
	    !antt_store_enrolled_under(s, by, b->author)) {
		snprintf(why, why_len,
		         "enrolls a key already enrolled by %.16s... (for unit %.16s): only a hub "
		         "above that one may enroll it again",
		         antt_hex(hex, by, ANTT_KEY_BYTES), unit);
		return ANTT_E_INVAL;
	}
	/* two keys with one transport key (an Ed25519 key and its twin with
	 * the sign bit flipped): the second could never be told apart by ZAP */
	if (crypto_sign_ed25519_pk_to_curve25519(curve, b->enroll_key) == 0 &&
	    antt_store_child_by_curve(s, NULL, curve, other, NULL) == ANTT_OK &&
	    memcmp(other, b->enroll_key, ANTT_KEY_BYTES)) {
		snprintf(why, why_len,
		         "enrolls a key whose transport key is that of another enrolled key "
		         "(%.16s...)",
		         antt_hex(hex, other, ANTT_KEY_BYTES));
		return ANTT_E_INVAL;
	}
	return ANTT_OK;
}

/* ---- T5: who signs for which unit, by the list of each period ---- */

/* A dated list (T5 reads those alone), over the columns of unit_lists. */
#define S_DATED "(day_from IS NOT NULL OR day_to IS NOT NULL)"

/* A record T5 judges by the lists: a report (not a system record). */
static int s_judged_by_lists(const antt_body_t *b)
{
	return !b->has_enroll && !b->has_revoke && b->form &&
	       strncmp(b->form, ANTT_FORM_RESERVED, strlen(ANTT_FORM_RESERVED)) != 0;
}

/* One text column of one row of sql (?1 text1, ?2 int2, ?3 text2, ?4
 * text3; those it has) into out[out_len], "" for no row.  0, or a store
 * error. */
static int s_one_text(antt_store_t *s, const char *sql, const char *t1, int i2, const char *t3,
                      const char *t4, char *out, size_t out_len, char *err)
{
	sqlite3_stmt *st;
	out[0] = '\0';
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, "reading the unit lists");
	int np = sqlite3_bind_parameter_count(st);
	if (np >= 1 && t1)
		sqlite3_bind_text(st, 1, t1, -1, SQLITE_STATIC);
	if (np >= 2 && i2)
		sqlite3_bind_int(st, 2, i2);
	if (np >= 3 && t3)
		sqlite3_bind_text(st, 3, t3, -1, SQLITE_STATIC);
	if (np >= 4 && t4)
		sqlite3_bind_text(st, 4, t4, -1, SQLITE_STATIC);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, out_len, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return r == SQLITE_ROW || r == SQLITE_DONE
	           ? ANTT_OK
	           : antt_store_dberr(s, err, "reading the unit lists");
}

int antt_store_signer(antt_store_t *s, const char *unit, const char *since, antt_store_signer_t *k,
                      char *err)
{
	/* ?2: the day of the enrollment, NULL for today; the dated lists
	 * alone (the top of this file) */
	static const char *le_sql =
	    "SELECT name FROM unit_lists WHERE " S_DATED " AND EXISTS(SELECT 1 FROM units u WHERE "
	    "u.list = unit_lists.name AND u.code = ?1) ORDER BY " ANTT_STORE_LIST_ORDER(
	        "coalesce(?2, " ANTT_STORE_TODAY ")") " LIMIT 1";
	char dated[4];
	int d0 = 0, d1 = 0;
	memset(k, 0, sizeof *k);
	snprintf(k->unit, sizeof k->unit, "%s", unit);
	int rc = s_one_text(s,
	                    "SELECT 1 FROM unit_lists WHERE day_from IS NOT NULL OR day_to IS NOT "
	                    "NULL LIMIT 1",
	                    NULL, 0, NULL, NULL, dated, sizeof dated, err);
	k->dated = !rc && dated[0];
	if (rc || !k->dated)
		return rc;
	if (!since || antt_period_days(since, &d0, &d1))
		d0 = 0; /* today */
	return s_one_text(s, le_sql, unit, d0, NULL, NULL, k->list, sizeof k->list, err);
}

int antt_store_signer_of(antt_store_t *s, const uint8_t key[ANTT_KEY_BYTES], antt_store_signer_t *k,
                         char *err)
{
	antt_body_t eb;
	int rc = antt_store_grant(s, key, &eb, err);
	if (rc)
		return rc;
	rc = antt_store_signer(s, eb.enroll_unit ? eb.enroll_unit : "", eb.period, k, err);
	k->relay = eb.enroll_grant == ANTT_GRANT_RELAY;
	antt_body_clear(&eb);
	return rc;
}

int antt_store_self_signer(antt_store_t *s, const uint8_t self[ANTT_KEY_BYTES], const char *unit,
                           antt_store_signer_t *k, char *err)
{
	antt_body_t holder;
	antt_grant_t g;
	int have = s_self_grant(s, self, 0, unit, &holder, &g) == ANTT_OK;
	int rc = antt_store_signer(s, unit, have ? holder.period : NULL, k, err);
	k->relay = have && g.grant == ANTT_GRANT_RELAY;
	antt_body_clear(&holder);
	return rc;
}

/* The list in force on b's period's last day, into k->on_day (cached by
 * that day): 0, 1 when the lists do not judge b (not a report, no period,
 * no dated list or none holds k's unit), or a store error. */
static int s_on_day(antt_store_t *s, antt_store_signer_t *k, const antt_body_t *b, char *err)
{
	int d0, d1, rc;
	if (!k->dated || !k->list[0] || !s_judged_by_lists(b) || !b->period ||
	    antt_period_days(b->period, &d0, &d1))
		return 1;
	if (k->day != d1) {
		if ((rc =
		         s_one_text(s,
		                    "SELECT name FROM unit_lists WHERE " S_DATED
		                    " AND ?2 = ?2 ORDER BY " ANTT_STORE_LIST_ORDER("?2") " LIMIT 1",
		                    NULL, d1, NULL, NULL, k->on_day, sizeof k->on_day, err)))
			return rc;
		k->day = d1;
	}
	return ANTT_OK;
}

/* Did list a begin before list b?  1 or 0, or a store error (negative). */
static int s_list_older(antt_store_t *s, const char *a, const char *b, char *err)
{
	char older[4];
	int rc = s_one_text(s,
	                    "SELECT 1 WHERE (SELECT coalesce(day_from, 0) FROM unit_lists WHERE "
	                    "name = ?1) < (SELECT coalesce(day_from, 0) FROM unit_lists WHERE "
	                    "name = ?3) AND ?2 = ?2",
	                    a, 1, b, NULL, older, sizeof older, err);
	return rc ? rc : older[0] != 0;
}

int antt_store_signs_for(antt_store_t *s, antt_store_signer_t *k, const antt_body_t *b, char *why,
                         size_t why_len)
{
	char err[ANTT_ERR_MAX], to[ANTT_UNIT_MAX + 1], share[4];
	if (k->relay && s_judged_by_lists(b)) {
		snprintf(why, why_len,
		         "a relay's key (%.20s) files no reports of its own: the communes below it "
		         "file theirs",
		         k->unit);
		return ANTT_E_INVAL;
	}
	int n, rc = s_on_day(s, k, b, err), newer;
	if (rc < 0) {
		snprintf(why, why_len, "%s", err);
		return rc;
	}
	if (rc == 1) {
		if (!strcmp(b->unit, k->unit))
			return ANTT_OK;
		snprintf(why, why_len, "signed for unit %.20s by a key enrolled for unit %.20s",
		         b->unit, k->unit);
		return ANTT_E_INVAL;
	}
	const char *x = k->on_day;
	if (!strcmp(x, k->list) && !strcmp(b->unit, k->unit))
		return ANTT_OK;
	n = snprintf(why, why_len,
	             "key enrolled for %.20s (list %.16s) may not sign for %.20s in %.16s: ",
	             k->unit, k->list, b->unit, b->period);
	size_t off = n > 0 && (size_t)n < why_len ? (size_t)n : 0;
	if (!strcmp(x, k->list)) {
		snprintf(why + off, why_len - off,
		         "%.16s is judged by list %.16s, where this key signs for %.20s alone",
		         b->period, x, k->unit);
		return ANTT_E_INVAL;
	}
	/* a full link is the only link of its old unit (I9) */
	rc = s_one_text(s,
	                "SELECT new_code FROM unit_links WHERE old_list = ?1 AND old_code = ?3 "
	                "AND new_list = ?4 AND ?2 = ?2 ORDER BY share DESC, new_code LIMIT 1",
	                x, 1, b->unit, k->list, to, sizeof to, err);
	if (!rc)
		rc =
		    s_one_text(s,
		               "SELECT share FROM unit_links WHERE old_list = ?1 AND old_code = ?3 "
		               "AND new_list = ?4 AND ?2 = ?2 ORDER BY share DESC LIMIT 1",
		               x, 1, b->unit, k->list, share, sizeof share, err);
	newer = rc ? rc : s_list_older(s, k->list, x, err);
	if (rc || newer < 0) {
		snprintf(why, why_len, "%s", err);
		return rc ? rc : newer;
	}
	if (to[0] && share[0] == '1' && !strcmp(to, k->unit))
		return ANTT_OK;
	if (newer)
		snprintf(why + off, why_len - off,
		         "%.16s is judged by list %.16s, newer than this key's", b->period, x);
	else if (to[0] && share[0] == '1')
		snprintf(why + off, why_len - off,
		         "%.20s of list %.16s went whole to %.20s of %.16s", b->unit, x, to,
		         k->list);
	else if (to[0])
		snprintf(why + off, why_len - off,
		         "%.20s of list %.16s was split between units of %.16s (partial links)",
		         b->unit, x, k->list);
	else
		snprintf(why + off, why_len - off, "%.20s of list %.16s has no full link to %.20s",
		         b->unit, x, k->unit);
	return ANTT_E_INVAL;
}

/* ---- rotation: whose records a key takes over (the top of this file) ---- */

int antt_store_rotation_keys(antt_store_t *s, const uint8_t child[ANTT_KEY_BYTES],
                             uint8_t (*keys)[ANTT_KEY_BYTES], size_t max, size_t *n_same,
                             size_t *n_older, char *err)
{
	/* ?1 E, ?2 the child, ?3 LE: the keys enrolled for E, or for an old
	 * unit with a full link to it; judged one by one below */
	static const char *sql =
	    "SELECT DISTINCT key FROM enrollments WHERE bad IS NULL AND key != ?2 AND "
	    "(unit = ?1 OR unit IN (SELECT old_code FROM unit_links WHERE new_list = ?3 AND "
	    "new_code = ?1 AND share = 1)) ORDER BY rowid";
	antt_store_signer_t c, a;
	sqlite3_stmt *st;
	uint8_t(*older)[ANTT_KEY_BYTES] = antt_xcalloc(max + 1, ANTT_KEY_BYTES);
	char to[ANTT_UNIT_MAX + 1];
	int r = SQLITE_DONE, rc = antt_store_signer_of(s, child, &c, err);
	*n_same = *n_older = 0;
	if (rc) {
		free(older);
		return rc == ANTT_E_NOTFOUND ? ANTT_OK : rc;
	}
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		free(older);
		return antt_store_dberr(s, err, "reading enrollments");
	}
	sqlite3_bind_text(st, 1, c.unit, -1, SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 2, child, ANTT_KEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c.list, -1, SQLITE_TRANSIENT);
	while (!rc && *n_same + *n_older < max && (r = sqlite3_step(st)) == SQLITE_ROW) {
		const uint8_t *key = sqlite3_column_blob(st, 0);
		if (sqlite3_column_bytes(st, 0) != ANTT_KEY_BYTES ||
		    (rc = antt_store_signer_of(s, key, &a, err)) == ANTT_E_NOTFOUND) {
			rc = ANTT_OK;
			continue;
		}
		if (rc)
			break;
		if (a.relay != c.relay) /* a relay named like a unit is not its station */
			continue;
		if (!strcmp(a.unit, c.unit) && (!c.dated || !strcmp(a.list, c.list))) {
			memcpy(keys[(*n_same)++], key, ANTT_KEY_BYTES);
			continue;
		}
		if (!c.dated || !a.list[0] || !c.list[0])
			continue;
		/* links run from an older list to a newer one (I9) */
		rc =
		    s_one_text(s,
		               "SELECT new_code FROM unit_links WHERE old_list = ?1 AND old_code = "
		               "?3 AND new_list = ?4 AND share = 1 AND ?2 = ?2",
		               a.list, 1, a.unit, c.list, to, sizeof to, err);
		if (!rc && !strcmp(to, c.unit))
			memcpy(older[(*n_older)++], key, ANTT_KEY_BYTES);
	}
	if (!rc && *n_same + *n_older < max && r != SQLITE_DONE)
		rc = antt_store_dberr(s, err, "reading enrollments");
	sqlite3_finalize(st);
	/* the unit's own first, then the old units' */
	memcpy(keys[*n_same], older, *n_older * ANTT_KEY_BYTES);
	free(older);
	return rc;
}

/* Is key one of an older list's unit that went whole to this node's (meta
 * "older_keys", kept from Heads.older_heads)? */
static int s_older_key(antt_store_t *s, const uint8_t key[ANTT_KEY_BYTES])
{
	uint8_t *blob = NULL;
	size_t len = 0;
	int found = 0;
	if (antt_store_meta_get(s, "older_keys", &blob, &len) == ANTT_OK)
		for (size_t i = 0; i + ANTT_KEY_BYTES <= len && !found; i += ANTT_KEY_BYTES)
			found = !memcmp(blob + i, key, ANTT_KEY_BYTES);
	free(blob);
	return found;
}

int antt_store_older_keys_add(antt_store_t *s, const uint8_t (*keys)[ANTT_KEY_BYTES], size_t n,
                              char *err)
{
	uint8_t *blob = NULL;
	size_t len = 0;
	int rc = ANTT_OK, added = 0;
	if (antt_store_meta_get(s, "older_keys", &blob, &len) != ANTT_OK)
		len = 0;
	len -= len % ANTT_KEY_BYTES;
	blob = antt_xrealloc(blob, len + n * ANTT_KEY_BYTES + 1);
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;
		while (j < len && memcmp(blob + j, keys[i], ANTT_KEY_BYTES))
			j += ANTT_KEY_BYTES;
		if (j == len) {
			memcpy(blob + len, keys[i], ANTT_KEY_BYTES);
			len += ANTT_KEY_BYTES;
			added = 1;
		}
	}
	if (added)
		rc = antt_store_meta_set(s, "older_keys", blob, len, err);
	free(blob);
	return rc;
}

int antt_store_filed_before(antt_store_t *s, const uint8_t self[ANTT_KEY_BYTES],
                            antt_store_signer_t *k, const antt_body_t *b, uint8_t id[ANTT_ID_BYTES],
                            int *unjudged, char *err)
{
	static const char *sql =
	    "SELECT id, author FROM records r WHERE unit = ?1 AND form = ?2 AND period = ?3 AND "
	    "corrects IS NULL AND NOT EXISTS(SELECT 1 FROM not_permitted p WHERE p.n = r.n) "
	    "ORDER BY n";
	char why[ANTT_ERR_MAX];
	sqlite3_stmt *st;
	int r = SQLITE_DONE, rc = ANTT_E_NOTFOUND;
	*unjudged = 0;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, "looking up a report");
	sqlite3_bind_text(st, 1, b->unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, b->form, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, b->period, -1, SQLITE_STATIC);
	while (rc == ANTT_E_NOTFOUND && (r = sqlite3_step(st)) == SQLITE_ROW) {
		const uint8_t *author = sqlite3_column_blob(st, 1);
		antt_store_signer_t a;
		int blocks = 1, v;
		if (sqlite3_column_bytes(st, 0) != ANTT_ID_BYTES ||
		    sqlite3_column_bytes(st, 1) != ANTT_KEY_BYTES)
			continue;
		if (!memcmp(author, self, ANTT_KEY_BYTES)) {
			/* this node's own */
		} else if (s_older_key(s, author)) {
			/* signs only for periods of an older list than this
			 * node's; lists unknown here: it may have */
			int judged = s_on_day(s, k, b, err);
			v = judged ? judged : s_list_older(s, k->on_day, k->list, err);
			if (v < 0) {
				rc = v;
				break;
			}
			blocks = v != 0;
			*unjudged = judged == 1;
		} else if ((v = antt_store_signer_of(s, author, &a, err)) == ANTT_OK) {
			/* enrolled here: as T5 judges it */
			if ((v = antt_store_signs_for(s, &a, b, why, sizeof why)) != ANTT_OK &&
			    v != ANTT_E_INVAL) {
				rc = antt_errf(err, v, "%s", why);
				break;
			}
			blocks = v == ANTT_OK;
		} else if (v != ANTT_E_NOTFOUND) {
			rc = v;
			break;
		} /* else an earlier key of this unit, from the parent */
		if (blocks) {
			memcpy(id, sqlite3_column_blob(st, 0), ANTT_ID_BYTES);
			rc = ANTT_OK;
		}
	}
	if (rc == ANTT_E_NOTFOUND && r != SQLITE_DONE)
		rc = antt_store_dberr(s, err, "looking up a report");
	sqlite3_finalize(st);
	return rc;
}

/* ---- the re-check of every enrollment and revocation (T1-T4) ---- */

typedef struct {
	int64_t rowid;
	uint8_t key[ANTT_KEY_BYTES], by[ANTT_KEY_BYTES], record[ANTT_ID_BYTES];
	char *bad_was; /* as stored */
	char why[240]; /* "" while it holds */
	int state;     /* 0 not judged, 1 judging, 2 judged */
	antt_body_t b;
} s_row_t;

typedef struct {
	antt_store_t *s;
	const uint8_t *self;
	s_row_t *rows; /* in store order (rowid) */
	size_t n;
	size_t *by_key; /* rows' indexes by key, then store order */
} s_judge_t;

static int s_by_key_cmp(const void *a, const void *b, void *arg)
{
	const s_row_t *rows = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = memcmp(rows[x].key, rows[y].key, ANTT_KEY_BYTES);
	return c ? c : (x > y) - (x < y);
}

/* The first of key's rows in by_key (j->n if none). */
static size_t s_first_of(const s_judge_t *j, const uint8_t key[ANTT_KEY_BYTES])
{
	size_t lo = 0, hi = j->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (memcmp(j->rows[j->by_key[mid]].key, key, ANTT_KEY_BYTES) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void s_judge(s_judge_t *j, size_t i, int depth);

/* The row that counts for key (the first that holds), judging rows as
 * needed; NULL if none holds. */
static s_row_t *s_counts(s_judge_t *j, const uint8_t key[ANTT_KEY_BYTES], int depth)
{
	for (size_t k = s_first_of(j, key);
	     k < j->n && !memcmp(j->rows[j->by_key[k]].key, key, ANTT_KEY_BYTES); k++) {
		s_row_t *r = &j->rows[j->by_key[k]];
		if (r->state == 1) /* being judged: a loop; it holds nothing here */
			continue;
		s_judge(j, j->by_key[k], depth + 1);
		if (!r->why[0])
			return r;
	}
	return NULL;
}

static void s_judge(s_judge_t *j, size_t i, int depth)
{
	s_row_t *r = &j->rows[i];
	char hex[2 * ANTT_KEY_BYTES + 1];
	if (r->state == 2)
		return;
	if (depth > 32) {
		snprintf(r->why, sizeof r->why, "its chain of enrollments is deeper than 32");
		r->state = 2;
		return;
	}
	r->state = 1;
	if (!r->b.has_enroll) {
		snprintf(r->why, sizeof r->why, "its record enrolls nothing");
	} else if (!memcmp(r->by, j->self, ANTT_KEY_BYTES)) {
		/* this node's own: its admin's act (antt enroll checked it against
		 * its grant as then known); the hubs above judge it */
	} else {
		s_row_t *g = s_counts(j, r->by, depth);
		if (!g) {
			snprintf(
			    r->why, sizeof r->why,
			    "enrolled by key %.16s..., which holds no enrollment that holds here",
			    antt_hex(hex, r->by, ANTT_KEY_BYTES));
		} else {
			antt_grant_t gr = antt_grant_of(&g->b);
			antt_grant_permits(&gr, &r->b, s_below, j->s, r->why, sizeof r->why);
		}
	}
	r->state = 2;
}

static int s_load_rows(antt_store_t *s, s_judge_t *j, char *err)
{
	static const char *sql = "SELECT e.rowid, e.key, e.by, e.record, e.bad, r.body "
	                         "FROM enrollments e LEFT JOIN records r ON r.id = e.record "
	                         "ORDER BY e.rowid";
	sqlite3_stmt *st;
	size_t cap = 16;
	int r, rc = ANTT_OK;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, "reading enrollments");
	j->rows = antt_xcalloc(cap, sizeof *j->rows);
	while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 1) != ANTT_KEY_BYTES ||
		    sqlite3_column_bytes(st, 2) != ANTT_KEY_BYTES ||
		    sqlite3_column_bytes(st, 3) != ANTT_ID_BYTES)
			continue;
		if (j->n == cap)
			j->rows = antt_xrealloc(j->rows, (cap *= 2) * sizeof *j->rows);
		s_row_t *x = &j->rows[j->n++];
		memset(x, 0, sizeof *x);
		x->rowid = sqlite3_column_int64(st, 0);
		memcpy(x->key, sqlite3_column_blob(st, 1), ANTT_KEY_BYTES);
		memcpy(x->by, sqlite3_column_blob(st, 2), ANTT_KEY_BYTES);
		memcpy(x->record, sqlite3_column_blob(st, 3), ANTT_ID_BYTES);
		if (sqlite3_column_type(st, 4) != SQLITE_NULL)
			x->bad_was = antt_xstrdup((const char *)sqlite3_column_text(st, 4));
		/* no record held: judged "enrolls nothing" */
		if (sqlite3_column_type(st, 5) != SQLITE_NULL &&
		    antt_body_decode(sqlite3_column_blob(st, 5),
		                     (size_t)sqlite3_column_bytes(st, 5), &x->b, NULL))
			rc = antt_errf(
			    err, ANTT_E_CORRUPT,
			    "store %s: an enrollment record does not decode: run antt verify",
			    s->path);
	}
	sqlite3_finalize(st);
	if (!rc && r != SQLITE_DONE)
		rc = antt_store_dberr(s, err, "reading enrollments");
	j->by_key = antt_xcalloc(j->n + 1, sizeof *j->by_key);
	for (size_t i = 0; i < j->n; i++)
		j->by_key[i] = i;
	qsort_r(j->by_key, j->n, sizeof *j->by_key, s_by_key_cmp, j->rows);
	return rc;
}

static void s_rows_free(s_judge_t *j)
{
	for (size_t i = 0; i < j->n; i++) {
		antt_body_clear(&j->rows[i].b);
		free(j->rows[i].bad_was);
	}
	free(j->rows);
	free(j->by_key);
}

/* Run sql, its ?1 the text (NULL: null) and ?2 the row, where it has them. */
static int s_exec_row(antt_store_t *s, const char *sql, const char *text, int64_t row, char *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, "re-checking the chain of trust");
	if (sqlite3_bind_parameter_count(st) >= 2) {
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, row);
	}
	int r = sqlite3_step(st);
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? ANTT_OK
	                        : antt_store_dberr(s, err, "re-checking the chain of trust");
}

/* Each record of author (all of them: seq > 0) named as descending from
 * an enrollment that does not hold. */
static int s_name_records(antt_store_t *s, const uint8_t author[ANTT_KEY_BYTES], const char *why,
                          antt_store_problem_fn problem, void *arg, char *err)
{
	static const char *sql = "SELECT id, seq FROM records WHERE author = ?1 ORDER BY seq";
	sqlite3_stmt *st;
	char what[360];
	int r;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, "verifying the chain of trust");
	sqlite3_bind_blob(st, 1, author, ANTT_KEY_BYTES, SQLITE_STATIC);
	snprintf(what, sizeof what,
	         "signed by a key whose enrollment does not hold (%s): held, never counted [T4]",
	         why);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		uint8_t id[ANTT_ID_BYTES] = {0};
		if (sqlite3_column_bytes(st, 0) == ANTT_ID_BYTES)
			memcpy(id, sqlite3_column_blob(st, 0), ANTT_ID_BYTES);
		problem(id, author, sqlite3_column_int64(st, 1), what, arg);
	}
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? ANTT_OK
	                        : antt_store_dberr(s, err, "verifying the chain of trust");
}

/* Judge the revocations (T3): by the root or a hub whose enrollment
 * holds, of a key enrolled under it. */
static int s_judge_revocations(antt_store_t *s, s_judge_t *j, int apply, int *changed,
                               antt_store_problem_fn problem, void *arg, char *err)
{
	static const char *sql =
	    "SELECT v.rowid, v.key, v.by, v.record, v.bad, r.seq FROM revocations v "
	    "LEFT JOIN records r ON r.id = v.record ORDER BY v.rowid";
	sqlite3_stmt *st;
	int r, rc = ANTT_OK;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, "reading revocations");
	while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW) {
		char why[240] = "";
		const uint8_t *key = sqlite3_column_blob(st, 1), *by = sqlite3_column_blob(st, 2);
		if (sqlite3_column_bytes(st, 1) != ANTT_KEY_BYTES ||
		    sqlite3_column_bytes(st, 2) != ANTT_KEY_BYTES)
			continue;
		int is_self = !memcmp(by, j->self, ANTT_KEY_BYTES); /* its admin's act */
		s_row_t *g = is_self ? NULL : s_counts(j, by, 0);
		uint32_t grant = is_self ? ANTT_GRANT_ROOT
		                 : g     ? g->b.enroll_grant
		                         : ANTT_GRANT_STATION;
		if (!is_self && !g)
			snprintf(why, sizeof why, "its author's key holds no enrollment here");
		else if (grant == ANTT_GRANT_STATION)
			snprintf(why, sizeof why,
			         "its author's key is a station's: it may revoke no key");
		else if (!antt_store_enrolled_under(s, key, by))
			snprintf(
			    why, sizeof why,
			    "it revokes a key that neither its author nor a hub below it enrolled");
		const char *was = (const char *)sqlite3_column_text(st, 4);
		if ((was != NULL) != (why[0] != 0)) {
			*changed = 1;
			if (apply)
				rc = s_exec_row(
				    s, "UPDATE revocations SET bad = ?1 WHERE rowid = ?2",
				    why[0] ? why : NULL, sqlite3_column_int64(st, 0), err);
		}
		if (why[0] && problem && sqlite3_column_bytes(st, 3) == ANTT_ID_BYTES) {
			char what[300];
			snprintf(what, sizeof what,
			         "a revocation that does not hold (%s): ignored [T3]", why);
			problem(sqlite3_column_blob(st, 3), by, sqlite3_column_int64(st, 5), what,
			        arg);
		}
	}
	if (!rc && r != SQLITE_DONE)
		rc = antt_store_dberr(s, err, "reading revocations");
	sqlite3_finalize(st);
	return rc;
}

/* The one text sql gives (a set, as one string; caller frees), to tell
 * whether a re-check changed it; "?" when it cannot be read. */
static char *s_set_of(antt_store_t *s, const char *sql)
{
	sqlite3_stmt *st;
	char *out = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		out = antt_xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out ? out : antt_xstrdup("?");
}

/* The keys untrusted for lack of an enrollment. */
static char *s_untrusted_set(antt_store_t *s)
{
	return s_set_of(s, "SELECT coalesce(group_concat(hex(key)), '') FROM (SELECT key FROM "
	                   "untrusted WHERE kind = 1 ORDER BY key)");
}

/* The records not permitted (T5). */
static char *s_not_permitted_set(antt_store_t *s)
{
	return s_set_of(s, "SELECT coalesce(group_concat(n), '') FROM "
	                   "(SELECT n FROM not_permitted ORDER BY n)");
}

/* Name, and (apply) list in not_permitted with why, each record of author
 * of unit, form and period (one verdict of T5). */
static int s_not_permitted(antt_store_t *s, sqlite3_stmt *each, sqlite3_stmt *add,
                           const uint8_t author[ANTT_KEY_BYTES], const char *why, int apply,
                           antt_store_problem_fn problem, void *arg, char *err)
{
	char what[400];
	int r, rc = ANTT_OK;
	snprintf(what, sizeof what,
	         "signed for a unit its key may not sign for in this period (%s): held, never "
	         "counted [T5]",
	         why);
	while (!rc && (r = sqlite3_step(each)) == SQLITE_ROW) {
		if (apply) {
			sqlite3_bind_int64(add, 1, sqlite3_column_int64(each, 0));
			sqlite3_bind_text(add, 2, why, -1, SQLITE_STATIC);
			if (sqlite3_step(add) != SQLITE_DONE)
				rc = antt_store_dberr(s, err, "listing a record not permitted");
			sqlite3_reset(add);
			sqlite3_clear_bindings(add);
		}
		if (problem && sqlite3_column_bytes(each, 1) == ANTT_ID_BYTES)
			problem(sqlite3_column_blob(each, 1), author, sqlite3_column_int64(each, 2),
			        what, arg);
	}
	if (!rc && r != SQLITE_DONE)
		rc = antt_store_dberr(s, err, "judging records by the lists of their periods");
	sqlite3_reset(each);
	return rc;
}

/* T5: each record of each key that holds an enrollment judged by the list
 * of its period; what is not permitted is named, and (apply) listed in
 * not_permitted with why.  The verdict depends on the record's unit, form
 * and period alone: judged once for each of those a key signed (a few
 * dozen a year), not once per record. */
static int s_judge_periods(antt_store_t *s, s_judge_t *j, int apply, int *changed,
                           antt_store_problem_fn problem, void *arg, char *err)
{
	static const char *kinds_sql = "SELECT DISTINCT unit, form, period FROM records "
	                               "WHERE author = ?1";
	static const char *each_sql = "SELECT n, id, seq FROM records WHERE author = ?1 AND "
	                              "unit = ?2 AND form = ?3 AND period = ?4 ORDER BY seq";
	static const char *add_sql = "INSERT OR REPLACE INTO not_permitted(n, why) VALUES(?1, ?2)";
	sqlite3_stmt *kinds = NULL, *each = NULL, *add = NULL;
	char *was = apply ? s_not_permitted_set(s) : NULL, *now = NULL;
	int rc = ANTT_OK, r = SQLITE_DONE;
	if (sqlite3_prepare_v2(s->db, kinds_sql, -1, &kinds, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, each_sql, -1, &each, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, add_sql, -1, &add, NULL) != SQLITE_OK)
		rc = antt_store_dberr(s, err, "judging records by the lists of their periods");
	if (!rc && apply)
		rc = s_exec_row(s, "DELETE FROM not_permitted", NULL, 0, err);
	for (size_t i = 0; i < j->n && !rc; i++) {
		s_row_t *first = &j->rows[j->by_key[i]], *r0; /* each key once */
		if ((i && !memcmp(j->rows[j->by_key[i - 1]].key, first->key, ANTT_KEY_BYTES)) ||
		    !memcmp(first->key, j->self, ANTT_KEY_BYTES) ||
		    !(r0 = s_counts(j, first->key, 0)) || !r0->b.enroll_unit)
			continue;
		antt_store_signer_t k;
		if ((rc = antt_store_signer(s, r0->b.enroll_unit, r0->b.period, &k, err)))
			break;
		k.relay = r0->b.enroll_grant == ANTT_GRANT_RELAY;
		sqlite3_bind_blob(kinds, 1, first->key, ANTT_KEY_BYTES, SQLITE_STATIC);
		while (!rc && (r = sqlite3_step(kinds)) == SQLITE_ROW) {
			antt_body_t b = {0};
			char why[200];
			b.unit = (char *)sqlite3_column_text(kinds, 0);
			b.form = (char *)sqlite3_column_text(kinds, 1);
			b.period = (char *)sqlite3_column_text(kinds, 2);
			if (!b.unit || !b.form || !b.period)
				continue; /* antt verify names a damaged row */
			int v = antt_store_signs_for(s, &k, &b, why, sizeof why);
			if (v == ANTT_OK)
				continue;
			if (v != ANTT_E_INVAL) {
				rc = antt_errf(err, v, "%s", why);
				break;
			}
			sqlite3_bind_blob(each, 1, first->key, ANTT_KEY_BYTES, SQLITE_STATIC);
			sqlite3_bind_text(each, 2, b.unit, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(each, 3, b.form, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(each, 4, b.period, -1, SQLITE_TRANSIENT);
			rc = s_not_permitted(s, each, add, first->key, why, apply, problem, arg,
			                     err);
		}
		if (!rc && r != SQLITE_DONE)
			rc = antt_store_dberr(s, err,
			                      "judging records by the lists of their periods");
		sqlite3_reset(kinds);
		sqlite3_clear_bindings(kinds);
	}
	sqlite3_finalize(kinds);
	sqlite3_finalize(each);
	sqlite3_finalize(add);
	if (!rc && apply) {
		now = s_not_permitted_set(s);
		*changed |= strcmp(was, now) != 0;
	}
	free(was);
	free(now);
	return rc;
}

int antt_store_trust_recheck(antt_store_t *s, const uint8_t self[ANTT_KEY_BYTES], int apply,
                             antt_store_problem_fn problem, void *arg, int *changed, char *err)
{
	s_judge_t j = {s, self, NULL, 0, NULL};
	char hex[2 * ANTT_KEY_BYTES + 1];
	int rc = apply ? antt_store_txn_check(s, err) : ANTT_OK;
	if (!rc)
		rc = s_load_rows(s, &j, err);
	*changed = 0;
	for (size_t i = 0; i < j.n && !rc; i++)
		s_judge(&j, i, 0);
	/* T1: each enrollment row */
	for (size_t i = 0; i < j.n && !rc; i++) {
		s_row_t *r = &j.rows[i];
		int now_bad = r->why[0] != 0, was_bad = r->bad_was != NULL;
		if (now_bad != was_bad || (now_bad && strcmp(r->why, r->bad_was))) {
			*changed |= now_bad != was_bad;
			if (apply)
				rc = s_exec_row(s,
				                "UPDATE enrollments SET bad = ?1 WHERE rowid = ?2",
				                now_bad ? r->why : NULL, r->rowid, err);
		}
		if (now_bad && problem) {
			char what[400];
			snprintf(what, sizeof what,
			         "an enrollment (of unit %.16s, key %.16s...) that does not hold: "
			         "%s [T1]",
			         r->b.enroll_unit ? r->b.enroll_unit : "?",
			         antt_hex(hex, r->key, ANTT_KEY_BYTES), r->why);
			int64_t seq = 0;
			problem(r->record, r->by, seq, what, arg);
		}
	}
	/* T4: keys of which no enrollment holds */
	char *was = s_untrusted_set(s), *now = NULL;
	if (!rc && apply)
		rc = s_exec_row(s, "DELETE FROM untrusted WHERE kind = 1", NULL, 0, err);
	for (size_t k = 0; k < j.n && !rc; k++) {
		s_row_t *r = &j.rows[j.by_key[k]]; /* each key once: at its first row */
		if ((k && !memcmp(j.rows[j.by_key[k - 1]].key, r->key, ANTT_KEY_BYTES)) ||
		    !memcmp(r->key, self, ANTT_KEY_BYTES) || s_counts(&j, r->key, 0))
			continue;
		if (apply) {
			sqlite3_stmt *st;
			if (sqlite3_prepare_v2(
			        s->db,
			        "INSERT OR REPLACE INTO untrusted(key, kind, after, why, at) "
			        "VALUES(?1, 1, 0, ?2, ?3)",
			        -1, &st, NULL) != SQLITE_OK) {
				rc = antt_store_dberr(s, err, "re-checking the chain of trust");
				break;
			}
			sqlite3_bind_blob(st, 1, r->key, ANTT_KEY_BYTES, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, r->why, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 3, antt_now());
			if (sqlite3_step(st) != SQLITE_DONE)
				rc = antt_store_dberr(s, err, "re-checking the chain of trust");
			sqlite3_finalize(st);
		}
		if (!rc && problem)
			rc = s_name_records(s, r->key, r->why, problem, arg, err);
	}
	if (!rc && apply) { /* a key untrusted before and not now counts again */
		now = s_untrusted_set(s);
		*changed |= strcmp(was, now) != 0;
	}
	free(was);
	free(now);
	if (!rc)
		rc = s_judge_revocations(s, &j, apply, changed, problem, arg, err);
	if (!rc)
		rc = s_judge_periods(s, &j, apply, changed, problem, arg, err);
	s_rows_free(&j);
	if (!rc && apply && *changed) {
		int64_t n;
		rc = antt_store_reindex(s, &n, err);
	}
	return rc;
}

/* ---- the background audit of signatures taken on a later one ---- */

int antt_store_unaudited_each(antt_store_t *s, antt_store_unaudited_fn cb, void *arg, char *err)
{
	static const char *sql =
	    "SELECT n, body, sig, author, seq FROM records WHERE audit = 0 ORDER BY n";
	sqlite3_stmt *st;
	int r, rc = ANTT_OK;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, "reading what the audit checks");
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		antt_store_unaudited_t u = {0};
		u.row = sqlite3_column_int64(st, 0);
		u.body = sqlite3_column_blob(st, 1);
		u.blen = (size_t)sqlite3_column_bytes(st, 1);
		if (sqlite3_column_bytes(st, 2) == ANTT_SIG_BYTES)
			u.sig = sqlite3_column_blob(st, 2);
		if (sqlite3_column_bytes(st, 3) == ANTT_KEY_BYTES)
			u.author = sqlite3_column_blob(st, 3);
		u.seq = (uint64_t)sqlite3_column_int64(st, 4);
		if (cb(&u, arg))
			break;
	}
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		rc = antt_store_dberr(s, err, "reading what the audit checks");
	sqlite3_finalize(st);
	return rc;
}

int antt_store_audited(antt_store_t *s, const int64_t *rows, size_t n, int holds, char *err)
{
	if (antt_store_txn_check(s, err))
		return ANTT_E_STORE;
	sqlite3_stmt *st;
	int rc = ANTT_OK;
	if (sqlite3_prepare_v2(s->db,
	                       holds ? "UPDATE records SET audit = 1 WHERE n = ?1"
	                             : "UPDATE records SET audit = -1 WHERE n = ?1",
	                       -1, &st, NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, "preparing an update");
	for (size_t i = 0; i < n && !rc; i++) {
		sqlite3_bind_int64(st, 1, rows[i]);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = antt_store_dberr(s, err, "updating");
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc;
}

/* ---- quarantine: a chain whose signatures failed the audit ---- */

int antt_store_quarantine(antt_store_t *s, const uint8_t author[ANTT_KEY_BYTES], uint64_t seq,
                          const char *why, char *err)
{
	if (antt_store_txn_check(s, err))
		return ANTT_E_STORE;
	static const char *sql =
	    "INSERT INTO untrusted(key, kind, after, why, at) VALUES(?1, 2, ?2, ?3, ?4) "
	    "ON CONFLICT(key, kind) DO UPDATE SET after = excluded.after, why = excluded.why "
	    "WHERE excluded.after < after";
	sqlite3_stmt *st;
	if (seq < 1 || seq > INT64_MAX)
		return antt_errf(err, ANTT_E_INVAL, "no record has seq %llu",
		                 (unsigned long long)seq);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, "quarantining a chain");
	sqlite3_bind_blob(st, 1, author, ANTT_KEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)(seq - 1));
	sqlite3_bind_text(st, 3, why, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, antt_now());
	int r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return antt_store_dberr(s, err, "quarantining a chain");
	/* regrouped only when the quarantine moved (quarantined already from
	 * this seq or before: nothing counts there any more) */
	return sqlite3_changes(s->db) ? antt_store_index_revoked(s, author, seq - 1, err) : ANTT_OK;
}

int antt_store_untrusted(antt_store_t *s, const uint8_t key[ANTT_KEY_BYTES], uint64_t *after,
                         char *why, size_t why_len, char *err)
{
	sqlite3_stmt *q = s_tr(s, TR_UNTRUSTED, err);
	int rc = ANTT_E_NOTFOUND;
	if (!q)
		return ANTT_E_STORE;
	sqlite3_bind_blob(q, 1, key, ANTT_KEY_BYTES, SQLITE_STATIC);
	int r = sqlite3_step(q);
	if (r == SQLITE_ROW) {
		*after = (uint64_t)sqlite3_column_int64(q, 0);
		if (why)
			snprintf(why, why_len, "%s", (const char *)sqlite3_column_text(q, 1));
		rc = ANTT_OK;
	} else if (r != SQLITE_DONE) {
		rc = antt_store_dberr(s, err, "reading untrusted keys");
	}
	s_tr_done(q);
	return rc;
}

/* ---- first receipts: the stamps of the first hubs ---- */

int antt_store_stamp_add(antt_store_t *s, const uint8_t hub[ANTT_KEY_BYTES], const uint8_t *body,
                         size_t blen, const uint8_t sig[ANTT_SIG_BYTES], const antt_stamp_t *st,
                         int64_t *sn, char *err)
{
	sqlite3_stmt *q = s_tr(s, TR_STAMP_ADD, err);
	int rc = ANTT_OK;
	if (!q)
		return ANTT_E_STORE;
	sqlite3_bind_blob(q, 1, hub, ANTT_KEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(q, 2, body, (int)blen, SQLITE_STATIC);
	sqlite3_bind_blob(q, 3, sig, ANTT_SIG_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(q, 4, st->author, ANTT_KEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, (sqlite3_int64)st->from_seq);
	sqlite3_bind_int64(q, 6, (sqlite3_int64)st->to_seq);
	sqlite3_bind_int64(q, 7, st->at);
	if (sqlite3_step(q) != SQLITE_DONE)
		rc = antt_store_dberr(s, err, "keeping a first receipt");
	s_tr_done(q);
	if (rc || !(q = s_tr(s, TR_STAMP_SN, err)))
		return rc ? rc : ANTT_E_STORE;
	sqlite3_bind_blob(q, 1, hub, ANTT_KEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(q, 2, body, (int)blen, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		*sn = sqlite3_column_int64(q, 0);
	else
		rc = antt_store_dberr(s, err, "keeping a first receipt");
	s_tr_done(q);
	return rc;
}

int antt_store_stamp_apply(antt_store_t *s, int64_t sn, const antt_stamp_t *st, char *err)
{
	if (antt_store_txn_check(s, err))
		return ANTT_E_STORE;
	sqlite3_stmt *q = s_tr(s, TR_STAMP_APPLY, err);
	if (!q)
		return ANTT_E_STORE;
	sqlite3_bind_int64(q, 1, st->at);
	sqlite3_bind_int64(q, 2, sn);
	sqlite3_bind_blob(q, 3, st->author, ANTT_KEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, (sqlite3_int64)st->from_seq);
	sqlite3_bind_int64(q, 5, (sqlite3_int64)st->to_seq);
	int r = sqlite3_step(q);
	s_tr_done(q);
	return r == SQLITE_DONE ? ANTT_OK : antt_store_dberr(s, err, "applying a first receipt");
}

int antt_store_stamp_get(antt_store_t *s, int64_t sn, uint8_t hub[ANTT_KEY_BYTES], uint8_t **body,
                         size_t *blen, uint8_t sig[ANTT_SIG_BYTES], char *err)
{
	static const char *sql = "SELECT hub, body, sig FROM stamps WHERE sn = ?1";
	sqlite3_stmt *q;
	int rc = ANTT_E_NOTFOUND;
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, "reading a first receipt");
	sqlite3_bind_int64(q, 1, sn);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_bytes(q, 0) == ANTT_KEY_BYTES &&
	    sqlite3_column_bytes(q, 2) == ANTT_SIG_BYTES) {
		memcpy(hub, sqlite3_column_blob(q, 0), ANTT_KEY_BYTES);
		*blen = (size_t)sqlite3_column_bytes(q, 1);
		*body = antt_xmalloc(*blen ? *blen : 1);
		memcpy(*body, sqlite3_column_blob(q, 1), *blen);
		memcpy(sig, sqlite3_column_blob(q, 2), ANTT_SIG_BYTES);
		rc = ANTT_OK;
	}
	sqlite3_finalize(q);
	return rc;
}

int antt_store_trust_enrolled(antt_store_t *s, const uint8_t key[ANTT_KEY_BYTES], char *err)
{
	static const char *sql = "DELETE FROM untrusted WHERE key = ?1 AND kind = 1";
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, "indexing an enrollment");
	sqlite3_bind_blob(st, 1, key, ANTT_KEY_BYTES, SQLITE_STATIC);
	int r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return antt_store_dberr(s, err, "indexing an enrollment");
	return sqlite3_changes(s->db) ? antt_store_index_revoked(s, key, 0, err) : ANTT_OK;
}

int antt_store_stamp_held(antt_store_t *s, const uint8_t hub[ANTT_KEY_BYTES], const uint8_t *body,
                          size_t blen)
{
	char err[ANTT_ERR_MAX];
	sqlite3_stmt *q = s_tr(s, TR_STAMP_SN, err);
	if (!q)
		return ANTT_E_STORE;
	sqlite3_bind_blob(q, 1, hub, ANTT_KEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(q, 2, body, (int)blen, SQLITE_STATIC);
	int rc = sqlite3_step(q) == SQLITE_ROW ? ANTT_OK : ANTT_E_NOTFOUND;
	s_tr_done(q);
	return rc;
}

/* ---- who delivered what the audit has still to check ---- */

int antt_store_via_add(antt_store_t *s, const uint8_t author[ANTT_KEY_BYTES], uint64_t from,
                       uint64_t to, const uint8_t via[ANTT_KEY_BYTES], char *err)
{
	if (antt_store_txn_check(s, err))
		return ANTT_E_STORE;
	static const char *sql =
	    "INSERT OR REPLACE INTO unaudited_via(author, from_seq, to_seq, via) "
	    "VALUES(?1,?2,?3,?4)";
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return antt_store_dberr(s, err, "noting who delivered a run");
	sqlite3_bind_blob(st, 1, author, ANTT_KEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)from);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)to);
	sqlite3_bind_blob(st, 4, via, ANTT_KEY_BYTES, SQLITE_STATIC);
	int r = sqlite3_step(st);
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? ANTT_OK : antt_store_dberr(s, err, "noting who delivered a run");
}

int antt_store_via_of(antt_store_t *s, const uint8_t author[ANTT_KEY_BYTES], uint64_t seq,
                      uint8_t via[ANTT_KEY_BYTES])
{
	static const char *sql = "SELECT via FROM unaudited_via WHERE author = ?1 AND "
	                         "from_seq <= ?2 AND to_seq >= ?2 LIMIT 1";
	sqlite3_stmt *st;
	int rc = ANTT_E_NOTFOUND;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return ANTT_E_STORE;
	sqlite3_bind_blob(st, 1, author, ANTT_KEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == ANTT_KEY_BYTES) {
		memcpy(via, sqlite3_column_blob(st, 0), ANTT_KEY_BYTES);
		rc = ANTT_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

int antt_store_via_prune(antt_store_t *s, char *err)
{
	static const char *sql =
	    "DELETE FROM unaudited_via WHERE NOT EXISTS(SELECT 1 FROM records r WHERE "
	    "r.author = unaudited_via.author AND r.seq BETWEEN unaudited_via.from_seq AND "
	    "unaudited_via.to_seq AND r.audit = 0)";
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int rc = antt_errf(err, ANTT_E_STORE, "store %s: forgetting audited runs: %s",
		                   s->path, msg ? msg : "error");
		sqlite3_free(msg);
		return rc;
	}
	return ANTT_OK;
}
