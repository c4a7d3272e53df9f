/* testutil.c - helpers shared by the unit test programs (see testutil.h). */
#define _GNU_SOURCE
#include "testutil.h"

#include "common.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *tu_mkdtemp(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir;
	if (asprintf(&dir, "%s/antt-unit-XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0)
		abort();
	assert_non_null(mkdtemp(dir));
	return dir;
}

static int s_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void tu_rmtree(char *dir)
{
	if (!dir)
		return;
	assert_int_equal(nftw(dir, s_rm, 16, FTW_DEPTH | FTW_PHYS), 0);
	free(dir);
}

char *tu_path(const char *dir, const char *name)
{
	char *p;
	if (asprintf(&p, "%s/%s", dir, name) < 0)
		abort();
	return p;
}

void tu_write(const char *path, const void *buf, size_t len, int mode)
{
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, (mode_t)mode), 0);
	assert_int_equal(close(fd), 0);
}

void tu_write_text(const char *path, const char *text)
{
	tu_write(path, text, strlen(text), 0644);
}

uint8_t *tu_unhex(const char *hex, size_t *len)
{
	size_t n = strlen(hex);
	assert_int_equal(n % 2, 0);
	uint8_t *out = malloc(n / 2 + 1);
	assert_non_null(out);
	assert_int_equal(antt_unhex(out, n / 2, hex), 0);
	*len = n / 2;
	return out;
}

void tu_check_contains(const char *haystack, const char *needle, const char *file, int line)
{
	if (haystack && needle && strstr(haystack, needle))
		return;
	fail_msg("%s:%d: expected \"%s\" in \"%s\"", file, line, needle ? needle : "(null)",
	         haystack ? haystack : "(null)");
}
