/* fuzz_util.c - see fuzz.h. */
#define _GNU_SOURCE
#include "fuzz.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char s_dir[64];

static void s_cleanup(void)
{
	DIR *d = opendir(s_dir);
	struct dirent *e;
	char path[sizeof s_dir + 260];
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(path, sizeof path, "%s/%s", s_dir, e->d_name);
			unlink(path);
		}
	if (d)
		closedir(d);
	rmdir(s_dir);
}

const char *fuzz_tmpdir(void)
{
	if (!s_dir[0]) {
		snprintf(s_dir, sizeof s_dir, "/tmp/antt-fuzz.XXXXXX");
		if (!mkdtemp(s_dir))
			abort();
		atexit(s_cleanup);
	}
	return s_dir;
}

int fuzz_write(const char *path, const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	int ok = size == 0 || write(fd, data, size) == (ssize_t)size;
	close(fd);
	return ok ? 0 : -1;
}
