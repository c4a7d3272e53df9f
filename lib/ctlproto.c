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
#include "names.h"

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
