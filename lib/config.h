/* config.h - anttd.conf, the node's INI configuration, shared by anttd and antt.
 *
 *     [node]
 *     unit = 12346            ; this node's administrative unit code
 *     key = node.key          ; identity file (relative paths: to this file's folder)
 *     store = store.db        ; SQLite store
 *     forms = /usr/share/antt/forms
 *     durability = full       ; full | relaxed (no fsync per commit: for
 *                             ; measurements only)
 *     [control]
 *     socket = anttd.sock     ; local control socket (a path; ipc:// is added)
 *     [log]
 *     level = info            ; error | warning | info | debug
 *     [sync]                  ; optional: a node in a tree
 *     listen = tcp://\*:7400  ; accept children (a hub)
 *     parent = tcp://host:7400 ; sync upward (a commune or a district)
 *     parent_key = HEX        ; the parent's public key
 *     fallback = tcp://host:7400 ; a hub above the parent (the province), used
 *                             ; while the parent is out of reach
 *     fallback_key = HEX      ; its public key
 *     fallback_after = 300    ; s without the parent before the fallback is used
 *     root = HEX              ; the province's public key: the root of trust
 *     heartbeat = 5000        ; ms between heartbeats when idle
 *     timeout = 30000         ; ms of silence before a link is dropped
 *     batch = 5000            ; most records in one batch
 *     [reports]               ; optional: a hub's reports
 *     not_expected = 2025-07:12345, 67890 ; units with no police station:
 *                             ; missing does not expect them (LIST:CODE, or
 *                             ; CODE for that code in any list)
 */
#ifndef ANTT_CONFIG_H
#define ANTT_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "names.h"

/* A unit of one list (list "" : of any list). */
typedef struct {
	char list[ANTT_LIST_MAX + 1];
	char code[ANTT_UNIT_MAX + 1];
} antt_unit_ref_t;

typedef struct {
	char *path; /* the config file itself */
	char *unit;
	char *key_path;    /* resolved */
	char *store_path;  /* resolved */
	char *forms_dir;   /* resolved */
	char *socket_path; /* resolved filesystem path */
	char *endpoint;    /* "ipc://" socket_path */
	char *lock_path;   /* store_path ".lock" */
	int log_level;
	int relaxed;  /* [node] durability = relaxed */
	char *listen; /* NULL: accepts no children */
	char *parent; /* NULL: syncs to no parent */
	uint8_t parent_key[32];
	char *fallback; /* NULL: none */
	uint8_t fallback_key[32];
	int fallback_after_ms;
	int has_root;
	uint8_t root[32]; /* the root of trust (has_root) */
	int heartbeat_ms;
	int timeout_ms;
	int batch;
	antt_unit_ref_t *not_expected; /* [reports] not_expected: no station to report */
	size_t n_not_expected;
} antt_config_t;

/* Where antt and anttd look when no -c is given: $ANTT_CONF, else this. */
#define ANTT_CONFIG_DEFAULT "/etc/antt/anttd.conf"
const char *antt_config_default_path(void);

/* Parse and check.  The first problem is named with its line.  Caller owns *out. */
int antt_config_load(const char *path, antt_config_t **out, char *err);
void antt_config_destroy(antt_config_t **self_p);

#endif
