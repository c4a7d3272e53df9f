/* test_reports_json.c - the walk of reports' text (antt_reports_each, what
 * anttd does with antt submit --file): which values reach the callback, in
 * which order, with which "another follows" flag, and the line and column
 * a user is shown for each kind of syntax error. */
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "reports_json.h"

/* What the walk handed the callback: each value compact, then '+' when
 * another follows or '.' when not, one after the other. */
typedef struct {
	char seen[512];
	size_t calls, stop_at; /* stop_at: the index at which to refuse (0: none) */
} s_walk_t;

static int s_each(json_t *report, size_t index, int more, void *arg, char *err)
{
	s_walk_t *w = arg;
	assert_int_equal(index, w->calls);
	w->calls++;
	char *text = json_dumps(report, JSON_COMPACT | JSON_ENCODE_ANY);
	size_t n = strlen(w->seen);
	snprintf(w->seen + n, sizeof w->seen - n, "%s%c", text, more ? '+' : '.');
	free(text);
	if (w->stop_at && index + 1 == w->stop_at)
		return antt_errf(err, ANTT_E_EXISTS, "refused %zu", index + 1);
	return ANTT_OK;
}

static int s_walk(const char *text, size_t len, s_walk_t *w, char *err)
{
	memset(w->seen, 0, sizeof w->seen);
	w->calls = 0;
	err[0] = '\0';
	return antt_reports_each(text, len, s_each, w, err);
}

static void test_shapes(void **state)
{
	(void)state;
	static const struct {
		const char *text, *seen;
	} cases[] = {
	    {"{\"a\":1}", "{\"a\":1}."},
	    {"  {\"a\":1}\n\n", "{\"a\":1}."},
	    {"[{\"a\":1}]", "{\"a\":1}."},
	    {"[ {\"a\":1} , {\"b\":2} ]", "{\"a\":1}+{\"b\":2}."},
	    {"{\"a\":1}\r\n{\"b\":2}\r\n", "{\"a\":1}+{\"b\":2}."},
	    /* an array and more after it: its last element is not the last */
	    {"[{\"a\":1}] {\"b\":2}", "{\"a\":1}+{\"b\":2}."},
	    /* "another follows" means more text: here an empty array */
	    {"[] {\"b\":2} []", "{\"b\":2}+"},
	    {"[\n]\n[{\"a\":1},\n{\"b\":2}]\n", "{\"a\":1}+{\"b\":2}."},
	    /* elements that are not objects reach the callback, to be refused
	     * there as reports */
	    {"[1, null, \"x\", [2]]", "1+null+\"x\"+[2]."},
	    {"[{\"a\":[1,{\"b\":[]}]}]", "{\"a\":[1,{\"b\":[]}]}."},
	};
	char err[ANTT_ERR_MAX];
	s_walk_t w = {0};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = s_walk(cases[i].text, strlen(cases[i].text), &w, err);
		if (rc != ANTT_OK)
			fail_msg("%s: %s", cases[i].text, err);
		assert_string_equal(w.seen, cases[i].seen);
	}
}

static void test_end_of_text(void **state)
{
	(void)state;
	char err[ANTT_ERR_MAX];
	s_walk_t w = {0};
	/* len is what counts: the text goes on past it */
	const char *text = "[{\"a\":1},{\"b\":2}] {\"c\":3}";
	assert_int_equal(s_walk(text, 17, &w, err), ANTT_OK);
	assert_string_equal(w.seen, "{\"a\":1}+{\"b\":2}.");
	/* a NUL ends the text */
	const char nul[] = "{\"a\":1}\n\0{\"b\":2}";
	assert_int_equal(s_walk(nul, sizeof nul - 1, &w, err), ANTT_OK);
	assert_string_equal(w.seen, "{\"a\":1}.");
}

static void test_no_report(void **state)
{
	(void)state;
	static const char *texts[] = {"", "  \n\t\r\n", "[]", "[ ]\n[]"};
	char err[ANTT_ERR_MAX];
	s_walk_t w = {0};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		assert_int_equal(s_walk(texts[i], strlen(texts[i]), &w, err), ANTT_E_INVAL);
		assert_string_equal(err, "no report in it");
		assert_int_equal(w.calls, 0);
	}
}

static void test_syntax_errors(void **state)
{
	(void)state;
	static const struct {
		const char *text, *err;
		size_t calls; /* reports handed over before the error was found */
	} cases[] = {
	    {"{\"a\":1}\n{\"b\":}\n", "2:6: not valid JSON", 1},
	    {"[{\"a\":1} {\"b\":2}]", "1:10: not valid JSON: ',' or ']' expected after a report",
	     0},
	    {"[{\"a\":1},\n]", "2:1: not valid JSON: a ',' before the array's ']'", 0},
	    {"[{\"a\":1},\n{\"b\":2}\n",
	     "3:1: not valid JSON: ',' or ']' expected after a report of "
	     "the array (it is not closed)",
	     1},
	    {"[{\"a\":1},", "1:10: not valid JSON: the array is not closed", 1},
	    {"[\n", "2:1: not valid JSON: the array is not closed", 0},
	    {"[{\"a\":1}, x]", "1:11: not valid JSON", 1},
	    /* columns count characters, not bytes: "ã" is two bytes (14 in bytes) */
	    {"[{\"n\":\"xã\"} {\"b\":2}]", "1:13: not valid JSON: ',' or ']' expected", 0},
	    {"{\"a\":1,\"a\":2}", "not valid JSON: duplicate object key", 0},
	    {"7", "1:1: not valid JSON", 0},
	};
	char err[ANTT_ERR_MAX];
	s_walk_t w = {0};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = s_walk(cases[i].text, strlen(cases[i].text), &w, err);
		if (rc != ANTT_E_INVAL)
			fail_msg("%s: rc %d (%s)", cases[i].text, rc, err);
		tu_assert_contains(err, cases[i].err);
		if (w.calls != cases[i].calls)
			fail_msg("%s: %zu reports handed over, expected %zu", cases[i].text,
			         w.calls, cases[i].calls);
	}
}

static void test_callback_stops(void **state)
{
	(void)state;
	char err[ANTT_ERR_MAX];
	s_walk_t w = {.stop_at = 2};
	const char *text = "[{\"a\":1},{\"b\":2},{\"c\":3}]";
	assert_int_equal(s_walk(text, strlen(text), &w, err), ANTT_E_EXISTS);
	assert_string_equal(err, "refused 2");
	assert_int_equal(w.calls, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shapes),         cmocka_unit_test(test_end_of_text),
	    cmocka_unit_test(test_no_report),      cmocka_unit_test(test_syntax_errors),
	    cmocka_unit_test(test_callback_stops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
