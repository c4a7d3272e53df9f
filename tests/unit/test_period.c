/* test_period.c - reporting period syntax (lib/period.c): which strings are
 * a day, a month, a quarter or a year, which are none, and the messages a
 * user sees for a bad period or a period of the wrong kind. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "common.h"
#include "period.h"

typedef struct {
	const char *s;
	int kind; /* antt_period_kind, or -1: not a period */
} s_case_t;

static const s_case_t s_cases[] = {
    /* days */
    {"2024-06-15", ANTT_PERIOD_DAY},
    {"2024-01-01", ANTT_PERIOD_DAY},
    {"2024-12-31", ANTT_PERIOD_DAY},
    {"2024-02-29", ANTT_PERIOD_DAY}, /* leap year */
    {"2000-02-29", ANTT_PERIOD_DAY}, /* divisible by 400: leap */
    {"2023-02-28", ANTT_PERIOD_DAY},
    {"2024-04-30", ANTT_PERIOD_DAY},
    {"2000-01-01", ANTT_PERIOD_DAY},
    {"2099-12-31", ANTT_PERIOD_DAY},
    {"2023-02-29", -1}, /* not a leap year */
    {"2024-02-30", -1},
    {"2024-04-31", -1},
    {"2024-06-31", -1},
    {"2024-06-00", -1},
    {"2024-06-32", -1},
    {"2024-00-10", -1},
    {"2024-13-01", -1},
    {"2024-06-1", -1},
    {"2024-6-15", -1},
    {"2024-06-015", -1},
    {"2024-06-15 ", -1},
    {"2024-06-15x", -1},
    {"2024-06/15", -1},
    {"2024/06/15", -1},
    {"2024-06-1a", -1},
    {"15-06-2024", -1},
    /* months */
    {"2024-06", ANTT_PERIOD_MONTH},
    {"2024-01", ANTT_PERIOD_MONTH},
    {"2024-12", ANTT_PERIOD_MONTH},
    {"2024-13", -1},
    {"2024-00", -1},
    {"2024-6", -1},
    {"2024-06 ", -1},
    {"2024-06-", -1},
    {"2024-0a", -1},
    {"2024-+6", -1},
    {"2024-M6", -1},
    /* quarters */
    {"2024-Q1", ANTT_PERIOD_QUARTER},
    {"2024-Q2", ANTT_PERIOD_QUARTER},
    {"2024-Q4", ANTT_PERIOD_QUARTER},
    {"2024-Q0", -1},
    {"2024-Q5", -1},
    {"2024-q2", -1},
    {"2024-Q", -1},
    {"2024-Q22", -1},
    {"2024-Q2x", -1},
    {"2024Q2", -1},
    /* years */
    {"2024", ANTT_PERIOD_YEAR},
    {"2000", ANTT_PERIOD_YEAR},
    {"2099", ANTT_PERIOD_YEAR},
    {"1999", -1},
    {"2100", -1},
    {"1999-06", -1},
    {"2100-01-01", -1},
    {"202", -1},
    {"20245", -1},
    {"2024 ", -1},
    {" 2024", -1},
    {"+024", -1},
    {"2024-", -1},
    {"abcd", -1},
    {"", -1},
};

static void test_classify(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof s_cases / sizeof s_cases[0]; i++) {
		int got = antt_period_classify(s_cases[i].s);
		if (got != s_cases[i].kind)
			fail_msg("classify(\"%s\") = %d, expected %d", s_cases[i].s, got,
			         s_cases[i].kind);
	}
}

/* antt_period_check accepts a period for its own kind only, and every
 * refusal is ANTT_E_INVAL with a message that quotes the period. */
static void test_check_every_kind(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof s_cases / sizeof s_cases[0]; i++) {
		for (int k = ANTT_PERIOD_DAY; k <= ANTT_PERIOD_YEAR; k++) {
			char err[ANTT_ERR_MAX] = "";
			int rc = antt_period_check((antt_period_kind)k, s_cases[i].s, err);
			if (k == s_cases[i].kind) {
				if (rc != ANTT_OK)
					fail_msg("check(%s, \"%s\") refused: %s",
					         antt_period_kind_name((antt_period_kind)k),
					         s_cases[i].s, err);
				continue;
			}
			if (rc != ANTT_E_INVAL)
				fail_msg("check(%s, \"%s\") = %d, expected ANTT_E_INVAL",
				         antt_period_kind_name((antt_period_kind)k), s_cases[i].s,
				         rc);
			char quoted[64];
			snprintf(quoted, sizeof quoted, "'%s'", s_cases[i].s);
			tu_assert_contains(err, quoted);
			/* and it says what this form takes */
			tu_assert_contains(err, antt_period_kind_example((antt_period_kind)k));
		}
	}
}

/* A valid period of another kind is named as such, so the user learns what
 * they typed as well as what the form wants. */
static void test_wrong_kind_message(void **state)
{
	(void)state;
	char err[ANTT_ERR_MAX] = "";
	assert_int_equal(antt_period_check(ANTT_PERIOD_DAY, "2024-06", err), ANTT_E_INVAL);
	tu_assert_contains(err, "'2024-06' is a month");
	tu_assert_contains(err, "takes a day");
	tu_assert_contains(err, "2024-06-15");

	assert_int_equal(antt_period_check(ANTT_PERIOD_MONTH, "2024-Q2", err), ANTT_E_INVAL);
	tu_assert_contains(err, "is a quarter");
	tu_assert_contains(err, "takes a month");

	assert_int_equal(antt_period_check(ANTT_PERIOD_QUARTER, "2024", err), ANTT_E_INVAL);
	tu_assert_contains(err, "is a year");
	tu_assert_contains(err, "takes a quarter");

	assert_int_equal(antt_period_check(ANTT_PERIOD_YEAR, "2024-06-15", err), ANTT_E_INVAL);
	tu_assert_contains(err, "is a day");
	tu_assert_contains(err, "takes a year");

	/* not a period at all: no kind is claimed, the allowed years are */
	assert_int_equal(antt_period_check(ANTT_PERIOD_MONTH, "2024-13", err), ANTT_E_INVAL);
	tu_assert_contains(err, "not a valid period");
	tu_assert_contains(err, "2000 to 2099");
	assert_null(strstr(err, "is a "));
}

static void test_kind_names(void **state)
{
	(void)state;
	static const char *names[] = {"day", "month", "quarter", "year"};
	for (int k = 0; k < 4; k++) {
		assert_int_equal(antt_period_kind_parse(names[k]), k);
		assert_string_equal(antt_period_kind_name((antt_period_kind)k), names[k]);
		/* each kind's example is a valid period of that kind */
		assert_int_equal(
		    antt_period_classify(antt_period_kind_example((antt_period_kind)k)), k);
	}
	assert_int_equal(antt_period_kind_parse("week"), -1);
	assert_int_equal(antt_period_kind_parse("Day"), -1);
	assert_int_equal(antt_period_kind_parse(""), -1);
}

static void test_days_and_due(void **state)
{
	(void)state;
	int a = 0, b = 0;
	assert_int_equal(antt_period_days("2024-02", &a, &b), ANTT_OK);
	assert_int_equal(a, 20240201);
	assert_int_equal(b, 20240229); /* leap year */
	assert_int_equal(antt_period_days("2023-02", &a, &b), ANTT_OK);
	assert_int_equal(b, 20230228);
	assert_int_equal(antt_period_days("2024-Q4", &a, &b), ANTT_OK);
	assert_int_equal(a, 20241001);
	assert_int_equal(b, 20241231);
	assert_int_equal(antt_period_days("2024", &a, &b), ANTT_OK);
	assert_int_equal(a, 20240101);
	assert_int_equal(b, 20241231);
	assert_int_equal(antt_period_days("2024-06-15", &a, &b), ANTT_OK);
	assert_int_equal(a, 20240615);
	assert_int_equal(b, 20240615);
	assert_int_equal(antt_period_days("2024-13", &a, &b), ANTT_E_INVAL);
	assert_int_equal(antt_period_days("2024-Q5", &a, &b), ANTT_E_INVAL);
	/* May 2024 with 5 days' grace: due before 2024-06-06 00:00 in Vietnam,
	 * 2024-06-05 17:00 UTC */
	assert_int_equal(antt_period_due(20240531, 5), 1717606800LL);
	assert_int_equal(antt_period_due(20241231, 0), 1735664400LL); /* 2025-01-01 00:00 +07 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_classify),           cmocka_unit_test(test_check_every_kind),
	    cmocka_unit_test(test_wrong_kind_message), cmocka_unit_test(test_kind_names),
	    cmocka_unit_test(test_days_and_due),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
