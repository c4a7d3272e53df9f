/* service.h - anttd as a systemd service (Type=notify): it says READY once
 * the store, control socket and sync are open, keeps a STATUS line fresh
 * ("synced: 120/125 up, link ready; children connected: 3"), feeds the
 * watchdog (WatchdogSec=) from the loop, so that a loop that stops turning
 * gets the daemon restarted, and says STOPPING on the way out. */
#ifndef ANTT_SERVICE_H
#define ANTT_SERVICE_H

#include <jansson.h>
#include <uv.h>

#include "node.h"

typedef struct antt_service antt_service_t;

/* Under systemd (NOTIFY_SOCKET set): notify READY and start the status and
 * watchdog timer on loop; *out is then the caller's to close.  Elsewhere
 * *out is NULL.  Returns 0. */
int antt_service_open(uv_loop_t *loop, antt_node_t *node, antt_service_t **out);

/* STOPPING=1 (s may be NULL). */
void antt_service_stopping(antt_service_t *s);

/* Stops the timer; the memory goes in its close callback.  Nulls *self_p. */
void antt_service_close(antt_service_t **self_p);

/* The one-line summary of a status object (antt_node_status) into out. */
void antt_service_status_line(const json_t *status, char *out, size_t len);

#endif
