/* driver.c - runs a fuzz target once over every file of the folders given
 * (its corpus and its crash regressions): how the ordinary and sanitizer
 * builds keep every kept input as a test, without libFuzzer.  An input
 * fails if it crashes, or if the process has then used more than
 * FUZZ_RSS_MAX_MB (default 1024) MiB of memory at its peak: a small input
 * that makes a decoder take a gigabyte is a bug too (libFuzzer's
 * -rss_limit_mb in tests/fuzz/run.sh). */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "fuzz.h"

static long s_rss_max_kb;

static int s_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return 1;
	}
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, got;
	do {
		if (len == cap) {
			cap = cap ? 2 * cap : 65536;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) == 0 && ru.ru_maxrss > s_rss_max_kb) {
		fprintf(stderr, "%s: peak memory %ld MiB, more than %ld MiB\n", path,
		        ru.ru_maxrss >> 10, s_rss_max_kb >> 10);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int bad = 0;
	long n = 0;
	const char *max = getenv("FUZZ_RSS_MAX_MB");
	s_rss_max_kb = (max && atol(max) > 0 ? atol(max) : 1024) << 10;
	for (int i = 1; i < argc; i++) {
		struct dirent **list;
		int k = scandir(argv[i], &list, NULL, alphasort);
		if (k < 0) {
			fprintf(stderr, "cannot read folder %s\n", argv[i]);
			return 1;
		}
		for (int j = 0; j < k; j++) {
			if (list[j]->d_name[0] != '.') {
				char path[4096];
				snprintf(path, sizeof path, "%s/%s", argv[i], list[j]->d_name);
				bad |= s_file(path);
				n++;
			}
			free(list[j]);
		}
		free(list);
	}
	printf("%ld inputs run\n", n);
	return bad || n == 0; /* an empty corpus tests nothing */
}
