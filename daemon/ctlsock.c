/* ctlsock.c - the control socket (see ctlsock.h).
 *
 * The socket is driven by a zwatch (zwatch.h): ZMQ_FD is edge-triggered,
 * so a reply sent later (a verify from the thread pool) kicks the watch to
 * look at ZMQ_EVENTS again.
 *
 * Requests in flight are counted in refs; the struct is freed when the
 * socket is closed, the watch's close callback has run and no reply is
 * still due. */
#define _GNU_SOURCE
#include "ctlsock.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <zmq.h>

#include "common.h"
#include "ctlproto.h"
#include "zwatch.h"

/* identity, empty delimiter, request, optional attachment (+1 to detect more) */
#define MAX_FRAMES 5
#define ROUTE_FRAMES 2

struct antt_ctlsock {
	uv_loop_t *loop;
	antt_node_t *node;
	void *zctx;
	void *sock;
	antt_zwatch_t *w;
	int closed; /* antt_ctlsock_close was called */
	int refs;   /* watch open + replies due */
	char *path; /* the socket file, removed at close */
};

/* A request waiting for its reply: the routing frames to send back. */
typedef struct {
	antt_ctlsock_t *ctl;
	size_t n_route;
	zmq_msg_t route[ROUTE_FRAMES];
} s_pending_t;

static void s_unref(antt_ctlsock_t *c)
{
	if (--c->refs == 0) {
		zmq_ctx_term(c->zctx);
		free(c->path);
		free(c);
	}
}

static void s_reply(json_t *resp, void *arg)
{
	s_pending_t *p = arg;
	antt_ctlsock_t *c = p->ctl;
	if (!resp) /* json_pack refused a value (not UTF-8): never abort on it */
		resp = antt_ctl_error(ANTT_CTL_INTERNAL, "anttd could not build the reply");
	if (!c->closed) {
		char *text = json_dumps(resp, JSON_COMPACT);
		if (!text)
			abort();
		int ok = 1;
		for (size_t i = 0; i < p->n_route && ok; i++)
			ok = zmq_msg_send(&p->route[i], c->sock, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0;
		if (ok)
			ok = zmq_send(c->sock, text, strlen(text), ZMQ_DONTWAIT) >= 0;
		if (!ok)
			antt_log(ANTT_LOG_WARN, "control: reply not delivered (%s)",
			         zmq_strerror(errno));
		free(text);
	}
	for (size_t i = 0; i < p->n_route; i++)
		zmq_msg_close(&p->route[i]);
	json_decref(resp);
	free(p);
	if (!c->closed)
		antt_zwatch_kick(c->w);
	s_unref(c);
}

/* Receive one whole multipart message; handle it or drop it.
 * Returns 0 when a message was taken, -1 when none was waiting. */
static int s_take_one(void *sock, void *arg)
{
	antt_ctlsock_t *c = arg;
	zmq_msg_t frames[MAX_FRAMES];
	size_t n = 0;
	int more = 1, too_many = 0;
	while (more) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, c->sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			if (errno == EINTR) /* returning -1 would end the drain: the edge lost */
				continue;
			if (n == 0)
				return -1;
			break; /* cannot happen: parts of a message arrive together */
		}
		more = zmq_msg_more(&m);
		if (n < MAX_FRAMES)
			frames[n++] = m;
		else {
			too_many = 1;
			zmq_msg_close(&m);
		}
	}
	(void)too_many; /* more than MAX_FRAMES - 1 frames: n == MAX_FRAMES */
	if (n < 2 || zmq_msg_size(&frames[1]) != 0) {
		/* no empty delimiter: no way to route a reply a client expects */
		antt_log(ANTT_LOG_WARN, "control: dropped a malformed request (%zu frames)", n);
		for (size_t i = 0; i < n; i++)
			zmq_msg_close(&frames[i]);
		return 0;
	}
	s_pending_t *p = antt_xcalloc(1, sizeof *p);
	p->ctl = c;
	p->n_route = ROUTE_FRAMES;
	for (size_t i = 0; i < ROUTE_FRAMES; i++)
		p->route[i] = frames[i];
	c->refs++;
	if (n < 3 || n == MAX_FRAMES) {
		/* a REQ client would wait for an answer forever: tell it */
		for (size_t i = ROUTE_FRAMES; i < n; i++)
			zmq_msg_close(&frames[i]);
		s_reply(
		    antt_ctl_error(ANTT_CTL_USAGE,
		                   "a request is one frame holding a JSON object, and for submit "
		                   "at most one more frame (docs/control.md)"),
		    p);
		return 0;
	}
	zmq_msg_t *payload = &frames[2], *attach = n == 4 ? &frames[3] : NULL;

	json_error_t je;
	json_t *req =
	    json_loadb(zmq_msg_data(payload), zmq_msg_size(payload), JSON_REJECT_DUPLICATES, &je);
	zmq_msg_close(payload);
	if (!req || !json_is_object(req)) {
		char msg[256];
		snprintf(msg, sizeof msg, "request is not a JSON object: %s",
		         req ? "it is JSON of another type" : je.text);
		json_decref(req);
		s_reply(antt_ctl_error(ANTT_CTL_USAGE, msg), p);
	} else {
		antt_node_handle(c->node, req, attach ? zmq_msg_data(attach) : NULL,
		                 attach ? zmq_msg_size(attach) : 0, s_reply, p);
		json_decref(req);
	}
	if (attach)
		zmq_msg_close(attach);
	return 0;
}

/* Does a live process listen on the socket file?  (A file left by a killed
 * anttd refuses the connection.) */
static int s_socket_in_use(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	int busy = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
	close(fd);
	return busy;
}

int antt_ctlsock_open(uv_loop_t *loop, antt_node_t *node, const char *socket_path,
                      antt_ctlsock_t **out, char *err)
{
	/* The store lock makes the store ours, not the socket path: another
	 * node's config may name the same path, and binding would take its
	 * clients (they would store into the wrong node). */
	if (s_socket_in_use(socket_path)) {
		*out = NULL;
		return antt_errf(err, ANTT_E_BUSY,
		                 "control socket %s is in use by another anttd: give each node "
		                 "its own [control] socket",
		                 socket_path);
	}
	antt_ctlsock_t *c = antt_xcalloc(1, sizeof *c);
	int zero = 0, rc = ANTT_OK;
	int64_t maxmsg = ANTT_CTL_MSG_MAX;
	char endpoint[256];
	c->loop = loop;
	c->node = node;
	c->zctx = zmq_ctx_new();
	c->sock = zmq_socket(c->zctx, ZMQ_ROUTER);
	c->refs = 1;
	zmq_setsockopt(c->sock, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(c->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
	snprintf(endpoint, sizeof endpoint, "ipc://%s", socket_path);
	/* a socket left by a killed anttd is replaced: we hold the store lock */
	mode_t old = umask(0117);
	int b = zmq_bind(c->sock, endpoint);
	umask(old);
	if (b != 0) {
		rc = antt_errf(err, ANTT_E_IO, "cannot listen on control socket %s: %s",
		               socket_path, zmq_strerror(errno));
		goto fail;
	}
	chmod(socket_path, 0660);
	c->path = antt_xstrdup(socket_path);
	*out = c;
	antt_zwatch_start(loop, c->sock, s_take_one, c, &c->w);
	return ANTT_OK;
fail:
	zmq_close(c->sock);
	zmq_ctx_term(c->zctx);
	free(c);
	*out = NULL;
	return rc;
}

static void s_on_closed(void *arg)
{
	antt_ctlsock_t *c = arg;
	zmq_close(c->sock); /* only now: libuv no longer watches its fd */
	unlink(c->path);    /* we hold the store lock: the socket is ours */
	s_unref(c);
}

void antt_ctlsock_close(antt_ctlsock_t **self_p)
{
	antt_ctlsock_t *c = *self_p;
	if (!c)
		return;
	*self_p = NULL;
	c->closed = 1;
	antt_zwatch_stop(&c->w, s_on_closed, c);
}
