/* ctlproto.h - the local control protocol between antt (and scripts) and anttd.
 *
 * A ZeroMQ REQ (or DEALER) client on the node's ipc:// control socket sends
 * one frame holding a JSON object {"op": NAME, ...}; anttd answers with one
 * frame holding {"ok": true, ...} or {"ok": false, "error": CLASS,
 * "message": TEXT}.  docs/control.md lists the operations. */
#ifndef ANTT_CTLPROTO_H
#define ANTT_CTLPROTO_H

#include <jansson.h>

#define ANTT_CTL_MSG_MAX (64 * 1024 * 1024) /* largest request anttd accepts */

/* Error classes in replies, and the process exit code antt maps each to. */
typedef enum {
	ANTT_CTL_USAGE,    /* the request itself is wrong */
	ANTT_CTL_DATA,     /* the data is refused: bad value, duplicate... */
	ANTT_CTL_NOTFOUND, /* no such record */
	ANTT_CTL_STORE,    /* the store failed */
	ANTT_CTL_INTERNAL,
} antt_ctl_class;

const char *antt_ctl_class_name(antt_ctl_class c);
/* "data" -> ANTT_CTL_DATA, unknown -> ANTT_CTL_INTERNAL */
antt_ctl_class antt_ctl_class_parse(const char *name);

/* Build an error reply.  Caller owns the result. */
json_t *antt_ctl_error(antt_ctl_class c, const char *message);

/* Is an anttd holding the store lock?  1 yes (its pid in *pid when known),
 * 0 no, -1 cannot tell. */
int antt_ctl_daemon_running(const char *lock_path, long *pid);

/* Send req, and attach (if not NULL) as a second frame, to the daemon at
 * endpoint and wait up to timeout_ms for the reply.  Caller owns *resp.
 * ANTT_E_UNAVAIL if no daemon answers. */
int antt_ctl_call(const char *endpoint, const json_t *req, const void *attach, size_t attach_len,
                  int timeout_ms, json_t **resp, char *err);

#endif
