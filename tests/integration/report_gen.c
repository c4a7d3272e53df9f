/* report_gen - a commune that signs exactly what the test asks, for the
 * consolidated-report scenario (t_reports.sh).
 *
 * anttd's own `antt submit` always signs with the node's clock, one
 * original per periodic report, and `antt correct` refuses to correct a
 * version twice.  A report scenario needs more: reports whose author clock
 * is skewed, two corrections of one version and two originals of one
 * report (conflicts), many communes without a daemon each.  report_gen
 * signs such records with a commune's key and sends them to its district
 * hub over the real sync protocol (as sync_peer does), so that they enter
 * the tree like any commune's.
 *
 *   report_gen keygen FILE
 *       a new identity in FILE (mode 0600); prints its public key.
 *   report_gen send --hub EP --hub-key HEX --key FILE --unit U --spec FILE
 *                   [--timeout MS]
 *       asks the hub for its head of the key (Hello), then signs one record
 *       per line of the spec (JSON lines), chained after that head, and
 *       sends them in one Batch.  A spec line:
 *         {"form": F, "period": P, "values": {"code": n, ...},
 *          "clock": UNIX | "clock_offset": SECONDS (from now),
 *          "corrects": INDEX (0-based line of this spec) | "HEX ID",
 *          "note": TEXT, "unit": U (default --unit),
 *          "bad_sig": true (its signature spoiled after signing)}
 *       or an enrollment: {"enroll": {"unit": U, "key": HEX, "grant": G,
 *       "units": [U...], "below": [U...], "day": "YYYY-MM-DD"}} (G: 0
 *       legacy, 1 station, the default, 2 hub; units and below: a hub's
 *       scope; day: the enrollment's period, default today), or a
 *       revocation: {"revoke": {"key": HEX, "after": SEQ, "reason": TEXT}}.
 *       --sign-key FILE: sign with that key instead (a hub forwarding a
 *       record of a child of its own: connected as --key, signed by another).
 *       --stamp-key FILE --stamp-at UNIX: send with the records one first
 *       receipt (a Stamp over all of them) signed by that key, claiming
 *       that time.
 *       Prints one JSON object:
 *         {"head_before": N, "records": [{"seq", "id", "clock"}...],
 *          "head_after": N, "refused": [{"code", "reason", "seq"}...]}
 *       Exits 0 when the hub acknowledged every record without refusal.
 *
 * Transport exactly as anttd's uplink: a DEALER, CURVE client with the
 * Curve25519 keys derived from the Ed25519 identity. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "common.h"
#include "fakechild.h"

static int g_timeout_ms = 10000;

typedef struct {
	const char *code;
	uint64_t value;
} kv_t;

static int kv_cmp(const void *a, const void *b)
{
	return strcmp(((const kv_t *)a)->code, ((const kv_t *)b)->code);
}

/* A scope list of a spec line, as given (the hub judges its order). */
static void s_scope(const json_t *a, char ***out, size_t *n)
{
	size_t i;
	json_t *x;
	*n = json_array_size(a);
	*out = *n ? antt_xcalloc(*n, sizeof **out) : NULL;
	json_array_foreach (a, i, x)
		(*out)[i] = antt_xstrdup(json_string_value(x) ? json_string_value(x) : "");
}

/* Sign spec line i (o) as record seq after prev. */
static void make_record(fc_rec_t *r, const antt_key_t *key, uint64_t seq,
                        const uint8_t prev[ANTT_ID_BYTES], const char *unit, json_t *o,
                        const fc_rec_t *done, size_t i)
{
	char err[ANTT_ERR_MAX];
	antt_body_t b = {0};
	json_t *enroll = json_object_get(o, "enroll"), *revoke = json_object_get(o, "revoke");
	if (revoke) { /* a revocation record, as antt revoke makes one */
		const char *rk = json_string_value(json_object_get(revoke, "key"));
		const char *why = json_string_value(json_object_get(revoke, "reason"));
		json_t *after = json_object_get(revoke, "after");
		if (!rk || antt_unhex(b.revoke_key, ANTT_KEY_BYTES, rk) || !json_is_integer(after))
			fc_die("spec line %zu: revoke needs key (hex) and after", i + 1);
		b.has_revoke = 1;
		b.revoke_after = (uint64_t)json_integer_value(after);
		b.revoke_reason = why ? antt_xstrdup(why) : NULL;
		enroll = revoke; /* below: a system record too */
	} else if (enroll) {     /* an enrollment record, as antt enroll makes one */
		const char *eu = json_string_value(json_object_get(enroll, "unit"));
		const char *ek = json_string_value(json_object_get(enroll, "key"));
		if (!eu || !ek || antt_unhex(b.enroll_key, ANTT_KEY_BYTES, ek))
			fc_die("spec line %zu: enroll needs unit and key (hex)", i + 1);
		b.has_enroll = 1;
		b.enroll_unit = antt_xstrdup(eu);
		json_t *g = json_object_get(enroll, "grant");
		b.enroll_grant = g ? (uint32_t)json_integer_value(g) : ANTT_GRANT_STATION;
		s_scope(json_object_get(enroll, "units"), &b.enroll_units, &b.n_enroll_units);
		s_scope(json_object_get(enroll, "below"), &b.enroll_subtrees, &b.n_enroll_subtrees);
	}
	if (enroll) { /* a system record: its form, the day as period, no values */
		char day[16];
		time_t now = (time_t)antt_now();
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(day, sizeof day, "%Y-%m-%d", &tm);
		const char *d = json_string_value(json_object_get(enroll, "day"));
		if (d)
			snprintf(day, sizeof day, "%.10s", d);
		b.form = antt_xstrdup(revoke ? ANTT_FORM_REVOKE : ANTT_FORM_ENROLL);
		b.period = antt_xstrdup(day);
	}
	const char *form = enroll ? b.form : json_string_value(json_object_get(o, "form"));
	const char *period = enroll ? b.period : json_string_value(json_object_get(o, "period"));
	json_t *vals = enroll ? NULL : json_object_get(o, "values");
	if (!enroll && (!form || !period || !json_is_object(vals)))
		fc_die("spec line %zu: needs form, period and values", i + 1);
	b.version = ANTT_RECORD_VERSION;
	memcpy(b.author, key->pk, ANTT_KEY_BYTES);
	b.seq = seq;
	if (seq > 1)
		memcpy(b.prev, prev, ANTT_ID_BYTES);
	const char *u = json_string_value(json_object_get(o, "unit"));
	b.unit = antt_xstrdup(u ? u : unit);
	json_t *c = json_object_get(o, "clock");
	json_t *off = json_object_get(o, "clock_offset");
	b.clock = json_is_integer(c)     ? (int64_t)json_integer_value(c)
	          : json_is_integer(off) ? antt_now() + (int64_t)json_integer_value(off)
	                                 : antt_now();
	if (!enroll) {
		b.form = antt_xstrdup(form);
		b.period = antt_xstrdup(period);
	}
	size_t n = enroll ? 0 : json_object_size(vals), k = 0;
	kv_t *kv = antt_xcalloc(n ? n : 1, sizeof *kv);
	const char *code;
	json_t *v;
	json_object_foreach (vals, code, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			fc_die("spec line %zu: value of %s is not a whole number", i + 1, code);
		kv[k].code = code;
		kv[k++].value = (uint64_t)json_integer_value(v);
	}
	qsort(kv, n, sizeof *kv, kv_cmp);
	b.n_values = n;
	b.values = antt_xcalloc(n ? n : 1, sizeof *b.values);
	for (size_t j = 0; j < n; j++) {
		b.values[j].code = antt_xstrdup(kv[j].code);
		b.values[j].value = kv[j].value;
	}
	free(kv);
	const char *note = json_string_value(json_object_get(o, "note"));
	b.note = note && *note ? antt_xstrdup(note) : NULL;
	json_t *corr = json_object_get(o, "corrects");
	if (json_is_integer(corr)) {
		json_int_t j = json_integer_value(corr);
		if (j < 0 || (size_t)j >= i)
			fc_die("spec line %zu: corrects %" JSON_INTEGER_FORMAT
			       " is not an earlier line (0-based)",
			       i + 1, j);
		memcpy(b.corrects, done[j].id, ANTT_ID_BYTES);
		b.has_corrects = 1;
	} else if (json_is_string(corr)) {
		if (antt_unhex(b.corrects, ANTT_ID_BYTES, json_string_value(corr)))
			fc_die("spec line %zu: corrects is not a record id", i + 1);
		b.has_corrects = 1;
	}
	if (fc_rec_make(r, &b, key, err))
		fc_die("spec line %zu: cannot encode the record: %s", i + 1, err);
	if (json_is_true(json_object_get(o, "bad_sig"))) {
		r->sig[7] ^= 0x40; /* an author's (or a relay's) garbage signature */
		fc_rec_seal(r);
	}
	antt_body_clear(&b);
}

/* The head of pk that heads[0..n) name: its seq (0 when they name none)
 * and, when id is not NULL, its id. */
static uint64_t head_of(Antt__Head **heads, size_t n, const uint8_t *pk, uint8_t id[ANTT_ID_BYTES])
{
	uint64_t seq = 0;
	fc_head_find(heads, n, pk, &seq, id);
	return seq;
}

/* --stamp-key, --stamp-at: a first receipt over the whole batch (one
 * author), signed by that key, claiming that time */
static const char *g_stamp_key;
static int64_t g_stamp_at;

static int cmd_send(const char *endpoint, const uint8_t hub[ANTT_KEY_BYTES], const char *key_path,
                    const char *sign_path, const char *unit, const char *spec_path)
{
	char err[ANTT_ERR_MAX];
	antt_key_t *key = NULL, *signer = NULL;
	if (antt_key_load(key_path, &key, err))
		fc_die("%s", err);
	if (antt_key_load(sign_path ? sign_path : key_path, &signer, err))
		fc_die("%s", err);
	json_t **lines = NULL;
	size_t n = 0;
	FILE *f = fopen(spec_path, "r");
	if (!f)
		fc_die("%s: %s", spec_path, strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		if (line[strspn(line, " \t\r\n")] == '\0')
			continue;
		json_error_t je;
		json_t *o = json_loads(line, 0, &je);
		if (!json_is_object(o))
			fc_die("%s: line %zu: not a JSON object: %s", spec_path, n + 1, je.text);
		lines = antt_xrealloc(lines, (n + 1) * sizeof *lines);
		lines[n++] = o;
	}
	free(line);
	fclose(f);
	if (!n)
		fc_die("%s: no records", spec_path);

	void *ctx = zmq_ctx_new();
	void *sock = fc_connect(ctx, endpoint, hub, key);
	/* Hello: our head at the hub */
	fc_send_hello(sock, ANTT_SYNC_VERSION, unit, signer->pk, 0, NULL);
	Antt__SyncMsg *a = fc_recv_answer(sock, g_timeout_ms, 0);
	if (!a || a->msg_case != ANTT__SYNC_MSG__MSG_HEADS)
		fc_die("no Heads from the hub after Hello (%s)",
		       !a                                         ? "timeout"
		       : a->msg_case == ANTT__SYNC_MSG__MSG_ERROR ? a->error->reason
		                                                  : "another message");
	uint8_t prev[ANTT_ID_BYTES];
	uint64_t head = head_of(a->heads->heads, a->heads->n_heads, signer->pk, prev);
	if (a->heads->credit && n > a->heads->credit)
		fc_die("%zu records, more than the hub's credit %u", n, a->heads->credit);
	antt__sync_msg__free_unpacked(a, NULL);

	fc_rec_t *recs = antt_xcalloc(n, sizeof *recs);
	fc_rec_t **rp = antt_xcalloc(n, sizeof *rp);
	for (size_t i = 0; i < n; i++) {
		make_record(&recs[i], signer, head + 1 + i, i ? recs[i - 1].id : prev, unit,
		            lines[i], recs, i);
		rp[i] = &recs[i];
	}
	ProtobufCBinaryData *raw = fc_envelopes(rp, n);
	{
		Antt__Batch b = ANTT__BATCH__INIT;
		Antt__SyncMsg m = ANTT__SYNC_MSG__INIT;
		b.batch = 1;
		b.n_records = n;
		b.records = raw;
		Antt__Stamp stamp = ANTT__STAMP__INIT, *sp = &stamp;
		antt_key_t *sk = NULL;
		uint8_t *sbody = NULL, ssig[ANTT_SIG_BYTES];
		if (g_stamp_key) {
			antt_stamp_t s = {
			    .from_seq = head + 1, .to_seq = head + n, .at = g_stamp_at};
			memcpy(s.author, signer->pk, ANTT_KEY_BYTES);
			memcpy(s.to_id, recs[n - 1].id, ANTT_ID_BYTES);
			if (antt_key_load(g_stamp_key, &sk, err))
				fc_die("%s", err);
			antt_stamp_encode(&s, &sbody, &stamp.body.len);
			antt_stamp_sign(ssig, sbody, stamp.body.len, sk->sk);
			stamp.body.data = sbody;
			stamp.hub.data = sk->pk;
			stamp.hub.len = ANTT_KEY_BYTES;
			stamp.sig.data = ssig;
			stamp.sig.len = ANTT_SIG_BYTES;
			b.n_stamps = 1;
			b.stamps = &sp;
		}
		m.msg_case = ANTT__SYNC_MSG__MSG_BATCH;
		m.batch = &b;
		fc_send(sock, &m);
		free(sbody);
		antt_key_destroy(&sk);
	}
	a = fc_recv_answer(sock, g_timeout_ms, 0);
	if (!a)
		fc_die("no Ack from the hub within %d ms", g_timeout_ms);
	if (a->msg_case != ANTT__SYNC_MSG__MSG_ACK)
		fc_die("the hub answered the batch with %s",
		       a->msg_case == ANTT__SYNC_MSG__MSG_ERROR ? a->error->reason : "no Ack");
	uint64_t after = head_of(a->ack->heads, a->ack->n_heads, signer->pk, NULL);
	if (!after) /* the hub names only authors it holds: then it holds ours as before */
		after = head;
	json_t *out = json_pack("{s:I}", "head_before", (json_int_t)head);
	json_t *rl = json_array(), *refl = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(rl,
		                      json_pack("{s:I, s:s, s:I}", "seq", (json_int_t)recs[i].seq,
		                                "id", fc_hex(recs[i].id, ANTT_ID_BYTES), "clock",
		                                (json_int_t)recs[i].clock));
	for (size_t i = 0; i < a->ack->n_refused; i++)
		json_array_append_new(
		    refl,
		    json_pack("{s:i, s:s, s:I}", "code", (int)a->ack->refused[i]->code, "reason",
		              a->ack->refused[i]->reason ? a->ack->refused[i]->reason : "", "seq",
		              (json_int_t)a->ack->refused[i]->seq));
	json_object_set_new(out, "records", rl);
	json_object_set_new(out, "head_after", json_integer((json_int_t)after));
	json_object_set_new(out, "refused", refl);
	int ok = a->ack->n_refused == 0 && after == head + n;
	char *s = json_dumps(out, JSON_COMPACT);
	printf("%s\n", s);
	free(s);
	json_decref(out);
	antt__sync_msg__free_unpacked(a, NULL);
	for (size_t i = 0; i < n; i++) {
		fc_rec_free(&recs[i]);
		json_decref(lines[i]);
	}
	free(recs);
	free(rp);
	free(raw);
	free(lines);
	zmq_close(sock);
	zmq_ctx_term(ctx);
	antt_key_destroy(&key);
	antt_key_destroy(&signer);
	return ok ? 0 : 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: report_gen keygen FILE\n"
	                "       report_gen send --hub EP --hub-key HEX --key FILE --unit U "
	                "--spec FILE [--sign-key FILE] [--stamp-key FILE --stamp-at UNIX] "
	                "[--timeout MS]\n");
	exit(64);
}

int main(int argc, char **argv)
{
	fc_setup("report_gen", NULL);
	if (sodium_init() < 0)
		fc_die("sodium_init failed");
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "keygen") && argc == 3) {
		fc_keygen(argv[2]);
		return 0;
	}
	if (strcmp(argv[1], "send"))
		usage();
	const char *hub_ep = NULL, *hub_key = NULL, *key = NULL, *unit = NULL, *spec = NULL;
	const char *sign = NULL;
	for (int i = 2; i < argc; i++) {
		const char *o = argv[i];
		if (i + 1 >= argc)
			usage();
		const char *v = argv[++i];
		if (!strcmp(o, "--hub"))
			hub_ep = v;
		else if (!strcmp(o, "--hub-key"))
			hub_key = v;
		else if (!strcmp(o, "--key"))
			key = v;
		else if (!strcmp(o, "--unit"))
			unit = v;
		else if (!strcmp(o, "--sign-key"))
			sign = v;
		else if (!strcmp(o, "--spec"))
			spec = v;
		else if (!strcmp(o, "--timeout"))
			g_timeout_ms = atoi(v);
		else if (!strcmp(o, "--stamp-key"))
			g_stamp_key = v;
		else if (!strcmp(o, "--stamp-at"))
			g_stamp_at = strtoll(v, NULL, 10);
		else
			usage();
	}
	uint8_t hub[ANTT_KEY_BYTES];
	if (!hub_ep || !hub_key || !key || !unit || !spec ||
	    antt_unhex(hub, ANTT_KEY_BYTES, hub_key))
		usage();
	return cmd_send(hub_ep, hub, key, sign, unit, spec);
}
