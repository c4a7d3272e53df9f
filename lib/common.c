/* common.c - error messages, logging and small helpers (see common.h). */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>
#include <time.h>
#include <unistd.h>

static int s_log_level = ANTT_LOG_INFO;
static int s_log_journal; /* stderr is the journal: log to it with priorities */

int antt_log_use_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	s_log_journal = js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 &&
	                fstat(STDERR_FILENO, &st) == 0 && (unsigned long long)st.st_dev == dev &&
	                (unsigned long long)st.st_ino == ino;
	return s_log_journal;
}

int antt_errf(char *err, int rc, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, ANTT_ERR_MAX, fmt, ap);
		va_end(ap);
	}
	return rc;
}

void antt_log_set_level(int level)
{
	s_log_level = level;
}

int antt_log_level_parse(const char *s)
{
	if (!strcmp(s, "error"))
		return ANTT_LOG_ERR;
	if (!strcmp(s, "warning") || !strcmp(s, "warn"))
		return ANTT_LOG_WARN;
	if (!strcmp(s, "info"))
		return ANTT_LOG_INFO;
	if (!strcmp(s, "debug"))
		return ANTT_LOG_DEBUG;
	return -1;
}

int antt_log_enabled(int level)
{
	return level <= s_log_level;
}

void antt_log(int level, const char *fmt, ...)
{
	static const char *names[] = {
	    [ANTT_LOG_ERR] = "error",
	    [ANTT_LOG_WARN] = "warning",
	    [ANTT_LOG_INFO] = "info",
	    [ANTT_LOG_DEBUG] = "debug",
	};
	if (level > s_log_level)
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (s_log_journal && sd_journal_print(level, "%s", line) == 0)
		return;
	fprintf(stderr, "anttd: %s: %s\n", names[level] ? names[level] : "log", line);
}

char *antt_hex(char *out, const uint8_t *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
	return out;
}

static int s_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int antt_unhex(uint8_t *out, size_t n, const char *hex)
{
	if (strlen(hex) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int hi = s_hexval(hex[2 * i]), lo = s_hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int64_t antt_now(void)
{
	return (int64_t)time(NULL);
}

char *antt_path_resolve(const char *base_file, const char *path)
{
	if (path[0] == '/' || !base_file)
		return antt_xstrdup(path);
	char *copy = antt_xstrdup(base_file);
	const char *dir = dirname(copy);
	char *out;
	if (asprintf(&out, "%s/%s", dir, path) < 0)
		abort();
	free(copy);
	return out;
}

int antt_read_file(const char *path, size_t max, char **out, size_t *len, char *err)
{
	int rc = ANTT_OK;
	char *buf = NULL;
	size_t used = 0, cap = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return antt_errf(err, errno == ENOENT ? ANTT_E_NOTFOUND : ANTT_E_IO,
		                 "cannot open %s: %s", path, strerror(errno));
	for (;;) {
		if (used + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = antt_xrealloc(buf, cap);
		}
		size_t got = fread(buf + used, 1, cap - used - 1, f);
		used += got;
		if (used > max) {
			rc = antt_errf(err, ANTT_E_INVAL, "%s is larger than %zu bytes", path, max);
			goto out;
		}
		if (got == 0) {
			if (ferror(f))
				rc = antt_errf(err, ANTT_E_IO, "cannot read %s: %s", path,
				               strerror(errno));
			break;
		}
	}
	if (!buf)
		buf = antt_xmalloc(1);
	buf[used] = '\0';
out:
	fclose(f);
	if (rc) {
		free(buf);
		return rc;
	}
	*out = buf;
	if (len)
		*len = used;
	return ANTT_OK;
}

int antt_write_new_file(const char *path, const void *buf, size_t len, int mode, char *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return antt_errf(err, errno == EEXIST ? ANTT_E_EXISTS : ANTT_E_IO,
		                 "cannot create %s: %s", path, strerror(errno));
	const char *p = buf;
	size_t left = len;
	while (left) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto fail;
		p += w;
		left -= (size_t)w;
	}
	if (fchmod(fd, (mode_t)mode) < 0 || fsync(fd) < 0)
		goto fail;
	close(fd);
	return ANTT_OK;
fail:;
	int e = errno;
	close(fd);
	unlink(path);
	return antt_errf(err, ANTT_E_IO, "cannot write %s: %s", path, strerror(e));
}

void *antt_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		abort();
	return p;
}

void *antt_xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);
	if (!p)
		abort();
	return p;
}

void *antt_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

char *antt_xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		abort();
	return p;
}
