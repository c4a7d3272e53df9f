/* syncfx.c - the sync machines' unit test fixture (see syncfx.h). */
#define _GNU_SOURCE
#include "syncfx.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

int sf_cap_ms(void)
{
	const char *slow = getenv("ANTT_TEST_SLOW");
	int k = slow ? atoi(slow) : 1;
	return 4000 * (k > 0 ? k : 1);
}

uint64_t sf_clock(void *arg)
{
	return ((sf_clock_t *)arg)->now;
}

static uint64_t s_real_ms(void)
{
	return uv_hrtime() / 1000000;
}

int sf_until(uv_loop_t *loop, int (*cond)(void *arg), void *arg)
{
	uint64_t end = s_real_ms() + (uint64_t)sf_cap_ms();
	for (;;) {
		uv_run(loop, UV_RUN_NOWAIT);
		if (cond(arg))
			return 1;
		if (s_real_ms() >= end)
			return 0;
		usleep(200);
	}
}

void sf_idle(uv_loop_t *loop, int ms)
{
	uint64_t end = s_real_ms() + (uint64_t)ms;
	while (s_real_ms() < end) {
		uv_run(loop, UV_RUN_NOWAIT);
		usleep(200);
	}
}

antt_key_t *sf_key(uint8_t seed)
{
	uint8_t s[ANTT_SEED_BYTES];
	antt_key_t *k = NULL;
	memset(s, seed, sizeof s);
	assert_int_equal(antt_key_from_seed(s, &k), 0);
	return k;
}

int sf_free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

void sf_node_open(sf_node_t *n, uv_loop_t *loop, uint8_t seed, const char *unit, const char *sync)
{
	char err[ANTT_ERR_MAX] = "", *text;
	if (!n->dir)
		n->dir = tu_mkdtemp();
	char *keyf = tu_path(n->dir, "node.key"), *conf = tu_path(n->dir, "anttd.conf");
	n->loop = loop;
	n->key = sf_key(seed);
	if (access(keyf, F_OK) != 0 && antt_key_save(n->key, keyf, err))
		fail_msg("key: %s", err);
	if (asprintf(
	        &text,
	        "[node]\nunit = %s\nkey = node.key\nstore = store.db\nforms = %s/config/forms\n"
	        "[control]\nsocket = anttd.sock\n%s%s",
	        unit, ANTT_SOURCE_DIR, sync ? "[sync]\n" : "", sync ? sync : "") < 0)
		abort();
	tu_write_text(conf, text);
	if (antt_config_load(conf, &n->cfg, err))
		fail_msg("%s: %s", conf, err);
	if (antt_node_open(n->cfg, loop, &n->node, err))
		fail_msg("antt_node_open: %s", err);
	free(text);
	free(keyf);
	free(conf);
}

void sf_node_stop(sf_node_t *n)
{
	antt_node_destroy(&n->node);
	antt_config_destroy(&n->cfg);
	antt_key_destroy(&n->key);
}

void sf_node_free(sf_node_t *n)
{
	sf_node_stop(n);
	tu_rmtree(n->dir);
	n->dir = NULL;
}

typedef struct {
	json_t *resp;
} s_reply_t;

static void s_done(json_t *resp, void *arg)
{
	((s_reply_t *)arg)->resp = resp;
}

static int s_replied(void *arg)
{
	return ((s_reply_t *)arg)->resp != NULL;
}

json_t *sf_op(sf_node_t *n, const char *req_json)
{
	json_error_t je;
	json_t *req = json_loads(req_json, 0, &je);
	s_reply_t r = {NULL};
	if (!req)
		fail_msg("request %s: %s", req_json, je.text);
	antt_node_handle(n->node, req, NULL, 0, s_done, &r);
	if (!r.resp && !sf_until(n->loop, s_replied, &r))
		fail_msg("no reply to %s", req_json);
	json_decref(req);
	return r.resp;
}

void sf_submit(sf_node_t *n, int year, int month, int count, size_t note_len)
{
	json_t *req = json_pack("{s:s, s:[]}", "op", "submit", "reports");
	json_t *reports = json_object_get(req, "reports");
	char *note = calloc(1, note_len + 1);
	for (int i = 0; i < count; i++) {
		int m = month - 1 + i;
		char period[16];
		snprintf(period, sizeof period, "%04d-%02d", year + m / 12, m % 12 + 1);
		/* text that does not compress to nothing: a batch's bytes stay
		 * near its records' */
		for (size_t k = 0; k < note_len; k++)
			note[k] = (char)('a' + (k * 7 + (size_t)i * 13 + k * k) % 26);
		json_t *r = json_pack("{s:s, s:s, s:{s:i}}", "form", "bvanttq-monthly", "period",
		                      period, "values", "hop_dan", m % 12 + 1);
		if (note_len)
			json_object_set_new(r, "note", json_string(note));
		json_array_append_new(reports, r);
	}
	char *text = json_dumps(req, JSON_COMPACT);
	json_t *resp = sf_op(n, text);
	if (!json_is_true(json_object_get(resp, "ok")))
		fail_msg("submit: %s", json_string_value(json_object_get(resp, "message")));
	assert_int_equal(json_integer_value(json_object_get(resp, "count")), count);
	json_decref(resp);
	free(text);
	json_decref(req);
	free(note);
}

json_t *sf_status(sf_node_t *n)
{
	json_t *st = antt_node_status(n->node);
	assert_true(json_is_true(json_object_get(st, "ok")));
	return st;
}

static json_t *s_field(json_t *st, const char *part, const char *field)
{
	json_t *o = part ? json_object_get(st, part) : st;
	if (!o)
		fail_msg("status has no %s", part);
	return json_object_get(o, field);
}

const char *sf_status_str(sf_node_t *n, const char *part, const char *field, char *buf, size_t size)
{
	json_t *st = sf_status(n);
	const char *v = json_string_value(s_field(st, part, field));
	snprintf(buf, size, "%s", v ? v : "(none)");
	json_decref(st);
	return buf;
}

json_int_t sf_status_int(sf_node_t *n, const char *part, const char *field)
{
	json_t *st = sf_status(n);
	json_t *v = s_field(st, part, field);
	json_int_t i = json_is_integer(v) ? json_integer_value(v) : -1;
	json_decref(st);
	return i;
}
