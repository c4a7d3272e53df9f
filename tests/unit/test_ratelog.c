/* test_ratelog.c - log lines rate-limited per source (lib/ratelog.c): the
 * first lines of a window are logged, the rest counted, one summary line
 * when the window closes (at the next line or at a tick), nothing pending
 * afterwards, and lines below the log level spend nothing. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "ratelog.h"

/* stderr, where antt_log writes, goes to a temporary file while a test
 * runs; s_log reads it through its own file description (its own offset) */
static FILE *s_log;
static int s_saved = -1;
static char s_path[] = "/tmp/antt-ratelog-XXXXXX";

static int s_capture(void **state)
{
	(void)state;
	fflush(stderr);
	snprintf(s_path, sizeof s_path, "/tmp/antt-ratelog-XXXXXX");
	int fd = mkstemp(s_path);
	assert_true(fd >= 0);
	s_log = fopen(s_path, "r");
	assert_non_null(s_log);
	s_saved = dup(STDERR_FILENO);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	close(fd);
	antt_log_set_level(ANTT_LOG_INFO);
	return 0;
}

static int s_release(void **state)
{
	(void)state;
	fflush(stderr);
	dup2(s_saved, STDERR_FILENO);
	close(s_saved);
	fclose(s_log);
	unlink(s_path);
	return 0;
}

/* What was logged since the last call: its lines, counted; the last one in
 * last (if not NULL). */
static int s_lines(char *last, size_t size)
{
	char line[1200];
	int n = 0;
	fflush(stderr);
	while (fgets(line, sizeof line, s_log)) {
		n++;
		if (last)
			snprintf(last, size, "%s", line);
	}
	clearerr(s_log);
	return n;
}

static void test_burst(void **state)
{
	(void)state;
	antt_ratelog_t r;
	char last[1200] = "";
	antt_ratelog_init(&r, "sync: child 12399");
	assert_int_equal(antt_ratelog_tick(&r, 5), 1); /* nothing open */
	int logged = 0;
	for (int i = 0; i < 1000; i++)
		logged += antt_ratelog(&r, 1000 + (uint64_t)i, ANTT_LOG_WARN, "line %d", i);
	assert_int_equal(logged, ANTT_RATELOG_LINES);
	assert_int_equal(s_lines(last, sizeof last), ANTT_RATELOG_LINES);
	tu_assert_contains(last, "line 19");
	/* within the window: still held */
	assert_int_equal(antt_ratelog_tick(&r, 1000 + ANTT_RATELOG_WINDOW_MS - 1), 0);
	assert_int_equal(s_lines(NULL, 0), 0);
	/* the window closes: one line with the count */
	assert_int_equal(antt_ratelog_tick(&r, 1000 + ANTT_RATELOG_WINDOW_MS), 1);
	assert_int_equal(s_lines(last, sizeof last), 1);
	tu_assert_contains(last, "warning: sync: child 12399: 980 more line(s) suppressed");
	/* and nothing is left to say */
	assert_int_equal(antt_ratelog_tick(&r, UINT64_MAX), 1);
	assert_int_equal(s_lines(NULL, 0), 0);
}

static void test_next_line_closes(void **state)
{
	(void)state;
	antt_ratelog_t r;
	char last[1200] = "";
	antt_ratelog_init(&r, "sync: ZAP");
	for (int i = 0; i < ANTT_RATELOG_LINES + 3; i++)
		antt_ratelog(&r, 0, ANTT_LOG_INFO, "info %d", i);
	antt_ratelog(&r, 1, ANTT_LOG_ERR, "an error"); /* suppressed: the summary says error */
	assert_int_equal(s_lines(NULL, 0), ANTT_RATELOG_LINES);
	/* a line after the window: the summary first, then the line, in a new window */
	assert_int_equal(antt_ratelog(&r, ANTT_RATELOG_WINDOW_MS + 5, ANTT_LOG_WARN, "later"), 1);
	char all[4][1200];
	int n = 0;
	fflush(stderr);
	while (n < 4 && fgets(all[n], sizeof all[n], s_log))
		n++;
	clearerr(s_log);
	assert_int_equal(n, 2);
	tu_assert_contains(all[0], "error: sync: ZAP: 4 more line(s) suppressed");
	tu_assert_contains(all[1], "warning: later");
	assert_int_equal(antt_ratelog_tick(&r, ANTT_RATELOG_WINDOW_MS + 6), 0); /* open */
	assert_int_equal(antt_ratelog_tick(&r, 2 * ANTT_RATELOG_WINDOW_MS + 5), 1);
	assert_int_equal(s_lines(last, sizeof last), 0); /* nothing was suppressed */
	/* UINT64_MAX closes an open window whatever the time */
	antt_ratelog(&r, 3 * ANTT_RATELOG_WINDOW_MS, ANTT_LOG_WARN, "one");
	assert_int_equal(s_lines(NULL, 0), 1);
	assert_int_equal(antt_ratelog_tick(&r, UINT64_MAX), 1);
}

static void test_below_level(void **state)
{
	(void)state;
	antt_ratelog_t r;
	antt_ratelog_init(&r, "x");
	antt_log_set_level(ANTT_LOG_WARN);
	for (int i = 0; i < 100; i++)
		assert_int_equal(antt_ratelog(&r, 0, ANTT_LOG_INFO, "quiet %d", i), 0);
	assert_int_equal(antt_ratelog_tick(&r, 0), 1); /* no window was opened */
	assert_int_equal(antt_ratelog(&r, 0, ANTT_LOG_WARN, "loud"), 1);
	assert_int_equal(s_lines(NULL, 0), 1);
	antt_log_set_level(ANTT_LOG_INFO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_burst, s_capture, s_release),
	    cmocka_unit_test_setup_teardown(test_next_line_closes, s_capture, s_release),
	    cmocka_unit_test_setup_teardown(test_below_level, s_capture, s_release),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
