/* service.c - anttd under systemd (see service.h): READY, STATUS and
 * STOPPING through sd_notify, and the watchdog fed from the loop.  Outside
 * systemd (no NOTIFY_SOCKET) every call here does nothing. */
#define _GNU_SOURCE
#include "service.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "common.h"
#include "watchdog.h"

#define STATUS_EVERY_MS 10000

struct antt_service {
	uv_timer_t timer;
	antt_node_t *node;
	uint64_t watchdog_ms; /* 0: no watchdog */
	uint64_t last_status;
	char status[200];
};

/* The store's long work (a province's decoded tables rebuilt) holds the
 * loop: it feeds the watchdog as it goes. */
static void s_store_progress(void *arg)
{
	(void)arg;
	antt_watchdog_keepalive();
}

void antt_service_status_line(const json_t *st, char *out, size_t len)
{
	const json_t *up = json_object_get(st, "uplink");
	const json_t *hub = json_object_get(st, "hub");
	const json_t *records = json_object_get(st, "records");
	size_t at = 0;
	out[0] = '\0';
	if (up) {
		json_int_t seq = 0, of = json_integer_value(
		                        json_object_get(json_object_get(st, "head"), "seq"));
		const json_t *lv;
		size_t i;
		json_array_foreach (json_object_get(up, "levels"), i, lv) {
			if (json_integer_value(json_object_get(lv, "level")) == 1)
				seq = json_integer_value(json_object_get(lv, "seq"));
		}
		at += (size_t)snprintf(out + at, len - at,
		                       "synced: %" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT
		                       " up, link %s",
		                       seq, of, json_string_value(json_object_get(up, "state")));
	}
	if (hub && at < len)
		at +=
		    (size_t)snprintf(out + at, len - at, "%schildren connected: %d", at ? "; " : "",
		                     (int)json_integer_value(json_object_get(hub, "connected")));
	if (records && at < len)
		snprintf(out + at, len - at, "%s%" JSON_INTEGER_FORMAT " records", at ? "; " : "",
		         json_integer_value(records));
}

static void s_tick(uv_timer_t *t)
{
	antt_service_t *s = t->data;
	uint64_t now = uv_now(t->loop);
	char line[sizeof s->status];
	if (now - s->last_status >= STATUS_EVERY_MS || !s->last_status) {
		json_t *st = antt_node_status(s->node);
		if (json_is_true(json_object_get(st, "ok"))) {
			antt_service_status_line(st, line, sizeof line);
			if (strcmp(line, s->status)) {
				snprintf(s->status, sizeof s->status, "%s", line);
				sd_notifyf(0, "STATUS=%s", s->status);
			}
		}
		json_decref(st);
		s->last_status = now;
	}
	/* the loop turned: it is alive */
	antt_watchdog_feed();
}

int antt_service_open(uv_loop_t *loop, antt_node_t *node, antt_service_t **out)
{
	*out = NULL;
	const char *sock = getenv("NOTIFY_SOCKET");
	if (!sock || !*sock)
		return 0;
	antt_service_t *s = antt_xcalloc(1, sizeof *s);
	s->node = node;
	uint64_t usec = 0;
	if (sd_watchdog_enabled(0, &usec) > 0 && usec >= 2000)
		s->watchdog_ms = usec / 1000;
	antt_watchdog_arm(s->watchdog_ms);
	uv_timer_init(loop, &s->timer);
	s->timer.data = s;
	/* feed the watchdog twice per period; refresh the status meanwhile */
	uint64_t every = s->watchdog_ms ? s->watchdog_ms / 2 : STATUS_EVERY_MS;
	if (every > STATUS_EVERY_MS)
		every = STATUS_EVERY_MS;
	uv_timer_start(&s->timer, s_tick, every, every);
	s_tick(&s->timer);
	sd_notify(0, "READY=1");
	antt_store_set_progress(antt_node_store(node), s_store_progress, s);
	if (s->watchdog_ms)
		antt_log(ANTT_LOG_INFO, "systemd: ready; watchdog every %" PRIu64 " ms",
		         s->watchdog_ms);
	else
		antt_log(ANTT_LOG_INFO, "systemd: ready");
	*out = s;
	return 0;
}

void antt_service_stopping(antt_service_t *s)
{
	if (s)
		sd_notify(0, "STOPPING=1\nSTATUS=stopping");
}

static void s_closed(uv_handle_t *h)
{
	free(h->data);
}

void antt_service_close(antt_service_t **self_p)
{
	antt_service_t *s = *self_p;
	if (!s)
		return;
	*self_p = NULL;
	antt_watchdog_arm(0);
	antt_store_set_progress(antt_node_store(s->node), NULL, NULL);
	uv_close((uv_handle_t *)&s->timer, s_closed);
}
