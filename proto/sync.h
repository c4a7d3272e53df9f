/* sync.h - the sync protocol's codes and limits, named once for both sides
 * (the parent, daemon/hub.c; the child, daemon/uplink.c) and quoted by the
 * spec, proto/README.md ("Codes and limits"). */
#ifndef ANTT_SYNC_H
#define ANTT_SYNC_H

#define ANTT_SYNC_VERSION 1 /* Hello.version */

/* Refusal.code: why the parent refused one record of a batch. */
enum {
	ANTT_REFUSE_BAD = 1,        /* not a valid record, or a period its form does not take */
	ANTT_REFUSE_SIG = 2,        /* bad signature */
	ANTT_REFUSE_AUTHOR = 3,     /* unknown author: the child waits, it is no refusal */
	ANTT_REFUSE_GAP = 4,        /* does not follow the chain held */
	ANTT_REFUSE_FORK = 5,       /* another record with this seq is held */
	ANTT_REFUSE_UNIT = 6,       /* authentic, but its author may not sign it */
	ANTT_REFUSE_REVOKED = 7,    /* its author's key is revoked before this seq */
	ANTT_REFUSE_CORRECTS = 8,   /* corrects a record it may not correct */
	ANTT_REFUSE_QUARANTINED = 9 /* its author's chain is quarantined (misconduct) */
};

/* Error.code: the parent refuses a message, or the session. */
enum {
	ANTT_SYNC_E_HELLO = 1,     /* no session on this connection: send Hello first */
	ANTT_SYNC_E_MALFORMED = 2, /* malformed or unexpected message, or a Hello refused */
	ANTT_SYNC_E_VERSION = 3,   /* unsupported protocol version */
	ANTT_SYNC_E_STORE = 4      /* the parent could not store the batch: retry */
};

#define ANTT_SYNC_MAX_FRAME (16 * 1024 * 1024)      /* bytes in one frame (ZMQ_MAXMSGSIZE) */
#define ANTT_SYNC_MAX_UNZ (64ULL * 1024 * 1024)     /* bytes a compressed Records unpacks to */
#define ANTT_SYNC_CREDIT 5000                       /* records the parent takes per batch */
#define ANTT_SYNC_MAX_HEADS 10000                   /* heads in one Hello */
#define ANTT_SYNC_FETCH_MAX 1000                    /* records in one Recovered */
#define ANTT_SYNC_FETCH_BYTES (4 * 1024 * 1024)     /* and envelope bytes */
#define ANTT_SYNC_MAX_DEPTH 8                       /* enrollments a hub hands down of its own */
#define ANTT_SYNC_MAX_UNIT_KEYS 16                  /* earlier keys of a unit in Heads */
#define ANTT_SYNC_BATCH_MAX_BYTES (4 * 1024 * 1024) /* envelope bytes in one batch */
#define ANTT_SYNC_WINDOW_START (32 * 1024)          /* a link's first batch window */
#define ANTT_SYNC_WINDOW_MIN 2048                   /* its smallest */
#define ANTT_SYNC_ZBATCH_MIN 2048                   /* smaller batches are not compressed */

#endif
