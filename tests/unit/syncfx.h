/* syncfx.h - what the sync machines' unit tests (test_hub, test_uplink)
 * share: a node of anttd's own making in a temporary folder (its key file,
 * anttd.conf, store and forms, opened by antt_node_open on the test's
 * loop), a clock the test moves by hand, and the loop driven until a
 * condition holds, within a real-time cap so that a failure fails fast.
 * Failures are cmocka failures. */
#ifndef ANTT_SYNCFX_H
#define ANTT_SYNCFX_H

#include <jansson.h>
#include <stdint.h>
#include <uv.h>

#include "testutil.h"

#include "config.h"
#include "keyfile.h"
#include "node.h"

/* The most real time a test waits for one thing: a few seconds (times
 * $ANTT_TEST_SLOW, set by scripts/test.sh --sanitize; for valgrind too). */
int sf_cap_ms(void);

/* ---- time ---- */

/* A clock for antt_hub_set_clock / antt_uplink_set_clock: arg is the
 * sf_clock_t, which the test moves. */
typedef struct {
	uint64_t now; /* ms */
} sf_clock_t;
uint64_t sf_clock(void *arg);

/* Run the loop (UV_RUN_NOWAIT, a short sleep between turns) until cond(arg)
 * is true: 1; or sf_cap_ms of real time have passed: 0. */
int sf_until(uv_loop_t *loop, int (*cond)(void *arg), void *arg);
/* Run the loop for ms of real time: for what must not happen. */
void sf_idle(uv_loop_t *loop, int ms);

/* ---- nodes ---- */

/* The key made from 32 bytes of seed.  Caller destroys it. */
antt_key_t *sf_key(uint8_t seed);
/* A TCP port on 127.0.0.1 nobody listens on now. */
int sf_free_port(void);

typedef struct {
	char *dir; /* its folder: node.key, anttd.conf, store.db */
	antt_config_t *cfg;
	antt_key_t *key; /* the same identity as node.key, for the test */
	antt_node_t *node;
	uv_loop_t *loop;
} sf_node_t;

/* Open a node of unit with the key of seed, its [sync] section the lines
 * given (NULL: none), in n->dir (made when NULL).  Again after
 * sf_node_stop: the same folder, store and key, maybe another config. */
void sf_node_open(sf_node_t *n, uv_loop_t *loop, uint8_t seed, const char *unit, const char *sync);
/* Close the node (its store and lock), keep its folder. */
void sf_node_stop(sf_node_t *n);
/* sf_node_stop, then remove the folder. */
void sf_node_free(sf_node_t *n);

/* The node's answer to one control request, as `antt` gets it (JSON
 * text of the request).  Caller owns the reply. */
json_t *sf_op(sf_node_t *n, const char *req_json);
/* Submit monthly report bvanttq-monthly for each of `count` months from
 * year-month (hop_dan = the month's number), each with a note of
 * note_len bytes (0: none), in one request.  Fails the test unless all
 * are stored. */
void sf_submit(sf_node_t *n, int year, int month, int count, size_t note_len);
/* antt status --json, as the service manager reads it.  Caller owns it. */
json_t *sf_status(sf_node_t *n);
/* A string and an integer field of status part (NULL: the top level). */
const char *sf_status_str(sf_node_t *n, const char *part, const char *field, char *buf,
                          size_t size);
json_int_t sf_status_int(sf_node_t *n, const char *part, const char *field);

#endif
