/* zwatch.c - a ZeroMQ socket in the libuv loop (see zwatch.h). */
#include "zwatch.h"

#include <errno.h>
#include <stdlib.h>
#include <zmq.h>

#include "common.h"

struct antt_zwatch {
	uv_poll_t poll;
	void *sock;
	antt_zwatch_fn on_msg;
	antt_zwatch_closed_fn closed;
	void *arg, *closed_arg;
	int draining, stopped;
};

static void s_drain(antt_zwatch_t *w)
{
	if (w->draining)
		return; /* the loop below re-reads ZMQ_EVENTS anyway */
	w->draining = 1;
	while (!w->stopped) {
		int events = 0;
		size_t len = sizeof events;
		if (zmq_getsockopt(w->sock, ZMQ_EVENTS, &events, &len) < 0) {
			if (errno == EINTR)
				continue;
			antt_log(ANTT_LOG_ERR, "ZMQ_EVENTS: %s", zmq_strerror(errno));
			break;
		}
		if (!(events & ZMQ_POLLIN))
			break;
		errno = 0;
		if (w->on_msg(w->sock, w->arg) < 0 && errno != EINTR)
			break; /* EINTR: a message may still wait, and no edge would come */
	}
	w->draining = 0;
}

static void s_on_poll(uv_poll_t *h, int status, int events)
{
	(void)status, (void)events;
	s_drain(h->data);
}

void antt_zwatch_start(uv_loop_t *loop, void *sock, antt_zwatch_fn on_msg, void *arg,
                       antt_zwatch_t **out)
{
	int fd;
	size_t len = sizeof fd;
	if (zmq_getsockopt(sock, ZMQ_FD, &fd, &len) < 0) {
		antt_log(ANTT_LOG_ERR, "ZMQ_FD: %s", zmq_strerror(errno));
		abort(); /* a socket we just made: only a bug gets here */
	}
	antt_zwatch_t *w = antt_xcalloc(1, sizeof *w);
	w->sock = sock;
	w->on_msg = on_msg;
	w->arg = arg;
	if (uv_poll_init(loop, &w->poll, fd) != 0)
		abort(); /* likewise */
	w->poll.data = w;
	uv_poll_start(&w->poll, UV_READABLE, s_on_poll);
	*out = w;
	s_drain(w); /* messages may already wait: no edge would come */
}

void antt_zwatch_kick(antt_zwatch_t *w)
{
	if (w && !w->stopped)
		s_drain(w);
}

static void s_on_closed(uv_handle_t *h)
{
	antt_zwatch_t *w = h->data;
	if (w->closed)
		w->closed(w->closed_arg);
	free(w);
}

void antt_zwatch_stop(antt_zwatch_t **self_p, antt_zwatch_closed_fn closed, void *closed_arg)
{
	antt_zwatch_t *w = *self_p;
	if (!w)
		return;
	*self_p = NULL;
	w->stopped = 1;
	w->closed = closed;
	w->closed_arg = closed_arg;
	uv_close((uv_handle_t *)&w->poll, s_on_closed);
}
