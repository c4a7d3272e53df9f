/* period.c - reporting period syntax (see period.h). */
#include "period.h"

#include <string.h>

#include "common.h"

static const char *s_names[] = {"day", "month", "quarter", "year"};
static const char *s_examples[] = {"2024-06-15", "2024-06", "2024-Q2", "2024"};

int antt_period_kind_parse(const char *name)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(name, s_names[i]))
			return i;
	return -1;
}

const char *antt_period_kind_name(antt_period_kind k)
{
	return s_names[k];
}

const char *antt_period_kind_example(antt_period_kind k)
{
	return s_examples[k];
}

static int s_digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int s_days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

int antt_period_classify(const char *s)
{
	size_t n = strlen(s);
	int y = n >= 4 ? s_digits(s, 4) : -1;
	if (y < 2000 || y > 2099)
		return -1;
	if (n == 4)
		return ANTT_PERIOD_YEAR;
	if (s[4] != '-')
		return -1;
	if (n == 7 && s[5] == 'Q') {
		int q = s_digits(s + 6, 1);
		return q >= 1 && q <= 4 ? ANTT_PERIOD_QUARTER : -1;
	}
	int m = n >= 7 ? s_digits(s + 5, 2) : -1;
	if (m < 1 || m > 12)
		return -1;
	if (n == 7)
		return ANTT_PERIOD_MONTH;
	if (n != 10 || s[7] != '-')
		return -1;
	int d = s_digits(s + 8, 2);
	if (d < 1 || d > s_days_in_month(y, m))
		return -1;
	return ANTT_PERIOD_DAY;
}

int antt_period_check(antt_period_kind k, const char *s, char *err)
{
	int got = antt_period_classify(s);
	if (got == (int)k)
		return ANTT_OK;
	if (got < 0)
		return antt_errf(
		    err, ANTT_E_INVAL,
		    "'%s' is not a valid period: this form takes a %s, written like %s "
		    "(years 2000 to 2099)",
		    s, s_names[k], s_examples[k]);
	return antt_errf(err, ANTT_E_INVAL,
	                 "'%s' is a %s, but this form takes a %s, written like %s", s, s_names[got],
	                 s_names[k], s_examples[k]);
}
