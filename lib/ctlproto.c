/* ctlproto.c - control protocol helpers: error replies, the client call,
 * and whether a daemon holds the store (see ctlproto.h). */
#define _GNU_SOURCE
#include "ctlproto.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "common.h"
#include "record.h"

static const char *s_class_names[] = {"usage", "data", "notfound", "store", "internal"};

const char *antt_ctl_class_name(antt_ctl_class c)
{
	return s_class_names[c];
}

antt_ctl_class antt_ctl_class_parse(const char *name)
{
	for (int i = 0; i <= ANTT_CTL_INTERNAL; i++)
		if (name && !strcmp(name, s_class_names[i]))
			return (antt_ctl_class)i;
	return ANTT_CTL_INTERNAL;
}

/* Messages quote what the client sent, cut to a buffer's size: the cut may
 * fall inside a UTF-8 character, and a JSON string must be valid UTF-8.
 * Bytes that are not valid UTF-8 become '?'. */
static json_t *s_message(const char *s)
{
	json_t *j = json_string(s);
	if (j)
		return j;
	char *t = antt_xstrdup(s);
	for (size_t i = 0; t[i];) {
		unsigned char ch = (unsigned char)t[i];
		size_t n = ch < 0x80 ? 1 : ch >= 0xf0 ? 4 : ch >= 0xe0 ? 3 : 2;
		if (strnlen(t + i, n) == n && antt_valid_utf8(t + i, n))
			i += n;
		else
			t[i++] = '?';
	}
	j = json_string(t);
	free(t);
	return j;
}

json_t *antt_ctl_error(antt_ctl_class c, const char *message)
{
	return json_pack("{s:b, s:s, s:o}", "ok", 0, "error", s_class_names[c], "message",
	                 s_message(message));
}

int antt_ctl_daemon_running(const char *lock_path, long *pid)
{
	int fd = open(lock_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	int rc = -1;
	if (fcntl(fd, F_OFD_GETLK, &fl) == 0) {
		rc = fl.l_type != F_UNLCK;
		if (rc && pid) {
			char buf[32] = {0};
			*pid = pread(fd, buf, sizeof buf - 1, 0) > 0 ? strtol(buf, NULL, 10) : 0;
		}
	}
	close(fd);
	return rc;
}

int antt_ctl_call(const char *endpoint, const json_t *req, const void *attach, size_t attach_len,
                  int timeout_ms, json_t **resp, char *err)
{
	int rc = ANTT_OK;
	void *ctx = zmq_ctx_new();
	void *sock = zmq_socket(ctx, ZMQ_REQ);
	int zero = 0;
	char *text = NULL;
	zmq_msg_t msg;
	zmq_msg_init(&msg);
	zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(sock, ZMQ_RCVTIMEO, &timeout_ms, sizeof timeout_ms);
	zmq_setsockopt(sock, ZMQ_SNDTIMEO, &timeout_ms, sizeof timeout_ms);
	if (zmq_connect(sock, endpoint) != 0) {
		rc = antt_errf(err, ANTT_E_UNAVAIL, "cannot connect to %s: %s", endpoint,
		               zmq_strerror(errno));
		goto out;
	}
	text = json_dumps(req, JSON_COMPACT);
	if (!text)
		abort();
	if (zmq_send(sock, text, strlen(text), attach ? ZMQ_SNDMORE : 0) < 0 ||
	    (attach && zmq_send(sock, attach, attach_len, 0) < 0)) {
		rc = antt_errf(err, ANTT_E_UNAVAIL, "anttd did not take the request on %s: %s",
		               endpoint, zmq_strerror(errno));
		goto out;
	}
	if (zmq_msg_recv(&msg, sock, 0) < 0) {
		rc = antt_errf(err, ANTT_E_UNAVAIL,
		               errno == EAGAIN ? "anttd did not answer on %s within %d s"
		                               : "no answer from anttd on %s",
		               endpoint, timeout_ms / 1000);
		goto out;
	}
	json_error_t je;
	*resp = json_loadb(zmq_msg_data(&msg), zmq_msg_size(&msg), 0, &je);
	if (!*resp || !json_is_object(*resp)) {
		json_decref(*resp);
		*resp = NULL;
		rc = antt_errf(err, ANTT_E_UNAVAIL, "anttd sent a reply that is not a JSON object");
	}
out:
	free(text);
	zmq_msg_close(&msg);
	zmq_close(sock);
	zmq_ctx_term(ctx);
	return rc;
}

/* Where a walk of reports' text is: the offset, its line and the offset
 * at which that line starts (for columns). */
typedef struct {
	const char *buf;
	size_t len, pos, bol;
	int line;
} s_text_t;

static int s_at_end(const s_text_t *t)
{
	return t->pos >= t->len || !t->buf[t->pos]; /* a NUL ends the text */
}

/* The column of t->pos on its line, 1-based, in characters (UTF-8 code
 * points, as jansson counts them). */
static int s_col(const s_text_t *t)
{
	int col = 1;
	for (size_t i = t->bol; i < t->pos; i++)
		col += ((unsigned char)t->buf[i] & 0xC0) != 0x80;
	return col;
}

/* Past spaces, tabs and newlines. */
static void s_skip_space(s_text_t *t)
{
	while (!s_at_end(t) && strchr(" \t\r\n", t->buf[t->pos])) {
		if (t->buf[t->pos] == '\n') {
			t->line++;
			t->bol = t->pos + 1;
		}
		t->pos++;
	}
}

/* The JSON value at t->pos, parsed and stepped over (flags: jansson's, added
 * to those of every value); NULL with err filled in on a syntax error. */
static json_t *s_value(s_text_t *t, size_t flags, char *err)
{
	json_error_t je;
	json_t *v = json_loadb(t->buf + t->pos, t->len - t->pos,
	                       flags | JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES, &je);
	if (!v) {
		/* jansson counts columns of its first line from where it began */
		int col = je.line > 1 ? je.column : s_col(t) - 1 + je.column;
		antt_errf(err, ANTT_E_INVAL, "%d:%d: not valid JSON: %s", t->line + je.line - 1,
		          col, je.text);
		return NULL;
	}
	for (size_t i = t->pos; i < t->pos + je.position; i++)
		if (t->buf[i] == '\n') {
			t->line++;
			t->bol = i + 1;
		}
	t->pos += je.position;
	s_skip_space(t);
	return v;
}

/* After a report of an array: past its ',' (*more = 1) or the closing ']'
 * (*more: whether text follows, *closed = 1); a trailing ',' is an error. */
static int s_array_next(s_text_t *t, int *more, int *closed, char *err)
{
	const char c = s_at_end(t) ? '\0' : t->buf[t->pos];
	if (c != ',' && c != ']')
		return antt_errf(err, ANTT_E_INVAL,
		                 "%d:%d: not valid JSON: ',' or ']' expected after a report of the "
		                 "array%s",
		                 t->line, s_col(t), c ? "" : " (it is not closed)");
	t->pos++;
	s_skip_space(t);
	if (c == ',' && !s_at_end(t) && t->buf[t->pos] == ']')
		return antt_errf(
		    err, ANTT_E_INVAL,
		    "%d:%d: not valid JSON: a ',' before the array's ']' (JSON takes none "
		    "after the last report)",
		    t->line, s_col(t));
	*closed = c == ']';
	*more = c == ',' || !s_at_end(t);
	return ANTT_OK;
}

int antt_reports_each(const char *buf, size_t len, antt_report_fn fn, void *arg, char *err)
{
	s_text_t t = {buf, len, 0, 0, 1};
	size_t index = 0;
	int rc = ANTT_OK;
	s_skip_space(&t);
	while (!rc && !s_at_end(&t)) {
		if (buf[t.pos] != '[') {
			json_t *v = s_value(&t, 0, err);
			if (!v)
				return ANTT_E_INVAL;
			rc = fn(v, index++, !s_at_end(&t), arg, err);
			json_decref(v);
			continue;
		}
		/* an array: a report at a time, never the whole array parsed */
		t.pos++;
		s_skip_space(&t);
		int closed = !s_at_end(&t) && buf[t.pos] == ']', more = 0;
		if (closed) {
			t.pos++;
			s_skip_space(&t);
		}
		while (!closed && !rc) {
			if (s_at_end(&t))
				return antt_errf(
				    err, ANTT_E_INVAL,
				    "%d:%d: not valid JSON: the array is not closed (a ']' "
				    "is missing)",
				    t.line, s_col(&t));
			/* any value: one that is not an object is refused as a report */
			json_t *v = s_value(&t, JSON_DECODE_ANY, err);
			if (!v)
				return ANTT_E_INVAL;
			rc = s_array_next(&t, &more, &closed, err);
			if (!rc)
				rc = fn(v, index++, more, arg, err);
			json_decref(v);
		}
	}
	if (!rc && index == 0)
		return antt_errf(err, ANTT_E_INVAL, "no report in it");
	return rc;
}
