/* delay_proxy - a TCP relay that holds every byte for a fixed time, for the
 * shaped-network scenarios (netlib.sh).  The kernels these tests run on
 * have no netem qdisc, so latency is added here; bandwidth (tbf) and loss
 * (nftables) are the kernel's, on the veth link the relay's upstream
 * connection crosses.
 *
 *   delay_proxy LISTEN_HOST:PORT UPSTREAM_HOST:PORT DELAY_MS
 *
 * Each accepted connection gets its own upstream connection.  What is read
 * on one side is written to the other DELAY_MS later, in order, so a round
 * trip through the relay takes 2 * DELAY_MS more.  Memory is bounded: a
 * side whose peer has more than S_QUEUE_MAX bytes waiting (a slow link)
 * is not read until they drain, so back-pressure reaches the sender as it
 * would on a real link.  When either side closes or fails, both are
 * closed, queued bytes dropped: the abrupt end of a dropped link.
 *
 * States of a connection pair:
 *
 *   CONNECTING --upstream connected--> RELAYING --EOF/error either side--> CLOSING
 *   CONNECTING --connect failed--> CLOSING
 *
 * CLOSING frees the pair in the last close callback.  Runs until SIGTERM or
 * SIGINT.  Prints one line per connection event on stderr. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define S_QUEUE_MAX (256 * 1024)

typedef struct s_chunk {
	struct s_chunk *next;
	uint64_t due; /* loop time (ms) it may be written */
	size_t len;
	char data[];
} s_chunk_t;

typedef struct s_pair s_pair_t;

/* one direction: bytes read from src wait here, then go to dst */
typedef struct {
	s_pair_t *pair;
	uv_tcp_t *src, *dst;
	s_chunk_t *head, *tail;
	size_t queued; /* bytes in the list and in dst's write queue */
	uv_timer_t timer;
	int reading;
} s_dir_t;

enum { S_CONNECTING, S_RELAYING, S_CLOSING };

struct s_pair {
	int state;
	uv_tcp_t down, up; /* the accepted client, the upstream */
	s_dir_t to_up, to_down;
	uv_connect_t connect;
	int open_handles;
};

static uv_loop_t *s_loop;
static uint64_t s_delay;
static struct sockaddr_storage s_upstream;
static long s_pairs_total;

typedef struct {
	uv_write_t req;
	s_dir_t *dir;
	s_chunk_t *chunk;
} s_write_t;

static void s_pair_close(s_pair_t *p, const char *why);

static void s_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	(void)h;
	(void)hint;
	static char slab[65536];
	*buf = uv_buf_init(slab, sizeof slab);
}

/* every handle's data is its direction (a stream: the one it is read for) */
static void s_on_close(uv_handle_t *h)
{
	s_pair_t *p = ((s_dir_t *)h->data)->pair;
	if (--p->open_handles == 0) {
		s_chunk_t *c, *n;
		for (c = p->to_up.head; c; c = n)
			n = c->next, free(c);
		for (c = p->to_down.head; c; c = n)
			n = c->next, free(c);
		free(p);
	}
}

static void s_read_start(s_dir_t *d);

static void s_on_write(uv_write_t *req, int status)
{
	s_write_t *w = (s_write_t *)req;
	s_dir_t *d = w->dir;
	d->queued -= w->chunk->len;
	free(w->chunk);
	free(w);
	if (d->pair->state != S_RELAYING)
		return;
	if (status < 0) {
		s_pair_close(d->pair, uv_strerror(status));
		return;
	}
	if (!d->reading && d->queued < S_QUEUE_MAX / 2)
		s_read_start(d);
}

/* write every chunk that is due; re-arm the timer for the next */
static void s_on_timer(uv_timer_t *t)
{
	s_dir_t *d = t->data;
	uint64_t now = uv_now(s_loop);
	while (d->head && d->head->due <= now && d->pair->state == S_RELAYING) {
		s_chunk_t *c = d->head;
		d->head = c->next;
		if (!d->head)
			d->tail = NULL;
		s_write_t *w = malloc(sizeof *w);
		if (!w)
			abort();
		w->dir = d;
		w->chunk = c;
		uv_buf_t b = uv_buf_init(c->data, (unsigned)c->len);
		int rc = uv_write(&w->req, (uv_stream_t *)d->dst, &b, 1, s_on_write);
		if (rc < 0) {
			d->queued -= c->len;
			free(c);
			free(w);
			s_pair_close(d->pair, uv_strerror(rc));
			return;
		}
	}
	if (d->head && d->pair->state == S_RELAYING)
		uv_timer_start(&d->timer, s_on_timer, d->head->due - now, 0);
}

static void s_on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	s_dir_t *d = s->data;
	if (n == 0)
		return;
	if (n < 0) {
		s_pair_close(d->pair, n == UV_EOF ? "closed" : uv_strerror((int)n));
		return;
	}
	s_chunk_t *c = malloc(sizeof *c + (size_t)n);
	if (!c)
		abort();
	c->next = NULL;
	c->due = uv_now(s_loop) + s_delay;
	c->len = (size_t)n;
	memcpy(c->data, buf->base, (size_t)n);
	if (d->tail)
		d->tail->next = c;
	else
		d->head = c;
	d->tail = c;
	d->queued += (size_t)n;
	if (!uv_is_active((uv_handle_t *)&d->timer))
		uv_timer_start(&d->timer, s_on_timer, s_delay, 0);
	if (d->queued >= S_QUEUE_MAX) {
		uv_read_stop(s);
		d->reading = 0;
	}
}

static void s_read_start(s_dir_t *d)
{
	d->reading = 1;
	int rc = uv_read_start((uv_stream_t *)d->src, s_alloc, s_on_read);
	if (rc < 0)
		s_pair_close(d->pair, uv_strerror(rc));
}

static void s_pair_close(s_pair_t *p, const char *why)
{
	if (p->state == S_CLOSING)
		return;
	fprintf(stderr, "delay_proxy: connection closed (%s)\n", why);
	p->state = S_CLOSING;
	uv_close((uv_handle_t *)&p->down, s_on_close);
	uv_close((uv_handle_t *)&p->up, s_on_close);
	uv_close((uv_handle_t *)&p->to_up.timer, s_on_close);
	uv_close((uv_handle_t *)&p->to_down.timer, s_on_close);
}

static void s_on_connect(uv_connect_t *req, int status)
{
	s_pair_t *p = req->data;
	if (p->state != S_CONNECTING)
		return;
	if (status < 0) {
		s_pair_close(p, uv_strerror(status));
		return;
	}
	p->state = S_RELAYING;
	uv_tcp_nodelay(&p->up, 1);
	s_read_start(&p->to_up);
	if (p->state == S_RELAYING)
		s_read_start(&p->to_down);
}

static void s_dir_init(s_pair_t *p, s_dir_t *d, uv_tcp_t *src, uv_tcp_t *dst)
{
	d->pair = p;
	d->src = src;
	d->dst = dst;
	uv_timer_init(s_loop, &d->timer);
	d->timer.data = d;
	src->data = d;
}

static void s_on_accept(uv_stream_t *server, int status)
{
	if (status < 0) {
		fprintf(stderr, "delay_proxy: accept: %s\n", uv_strerror(status));
		return;
	}
	s_pair_t *p = calloc(1, sizeof *p);
	if (!p)
		abort();
	uv_tcp_init(s_loop, &p->down);
	uv_tcp_init(s_loop, &p->up);
	s_dir_init(p, &p->to_up, &p->down, &p->up);
	s_dir_init(p, &p->to_down, &p->up, &p->down);
	p->open_handles = 4;
	p->state = S_CONNECTING;
	if (uv_accept(server, (uv_stream_t *)&p->down) < 0) {
		s_pair_close(p, "accept failed");
		return;
	}
	uv_tcp_nodelay(&p->down, 1);
	s_pairs_total++;
	fprintf(stderr, "delay_proxy: connection %ld accepted\n", s_pairs_total);
	p->connect.data = p;
	int rc = uv_tcp_connect(&p->connect, &p->up, (struct sockaddr *)&s_upstream, s_on_connect);
	if (rc < 0)
		s_pair_close(p, uv_strerror(rc));
}

static int s_parse(const char *arg, struct sockaddr_storage *ss)
{
	char host[256];
	const char *colon = strrchr(arg, ':');
	if (!colon || (size_t)(colon - arg) >= sizeof host)
		return -1;
	memcpy(host, arg, (size_t)(colon - arg));
	host[colon - arg] = '\0';
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port <= 0 || port > 65535)
		return -1;
	return uv_ip4_addr(host, (int)port, (struct sockaddr_in *)ss);
}

static void s_on_signal(uv_signal_t *h, int sig)
{
	(void)sig;
	uv_stop(h->loop);
}

int main(int argc, char **argv)
{
	struct sockaddr_storage listen_addr;
	char *end = NULL;
	long delay = argc == 4 ? strtol(argv[3], &end, 10) : -1;
	if (argc != 4 || s_parse(argv[1], &listen_addr) < 0 || s_parse(argv[2], &s_upstream) < 0 ||
	    *end || delay < 0 || delay > 60000) {
		fprintf(stderr, "usage: delay_proxy LISTEN_IP:PORT UPSTREAM_IP:PORT DELAY_MS "
		                "(IPv4 addresses, DELAY_MS 0-60000)\n");
		return 64;
	}
	s_delay = (uint64_t)delay;
	signal(SIGPIPE, SIG_IGN);
	s_loop = uv_default_loop();
	uv_tcp_t server;
	uv_tcp_init(s_loop, &server);
	int rc = uv_tcp_bind(&server, (struct sockaddr *)&listen_addr, 0);
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&server, 64, s_on_accept);
	if (rc < 0) {
		fprintf(stderr, "delay_proxy: cannot listen on %s: %s\n", argv[1], uv_strerror(rc));
		return 69;
	}
	uv_signal_t sigterm, sigint;
	uv_signal_init(s_loop, &sigterm);
	uv_signal_init(s_loop, &sigint);
	uv_signal_start(&sigterm, s_on_signal, SIGTERM);
	uv_signal_start(&sigint, s_on_signal, SIGINT);
	fprintf(stderr, "delay_proxy: %s -> %s, %ld ms each way\n", argv[1], argv[2], delay);
	uv_run(s_loop, UV_RUN_DEFAULT);
	return 0;
}
