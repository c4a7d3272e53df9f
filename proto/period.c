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

int antt_period_days(const char *s, int *first, int *last)
{
	int k = antt_period_classify(s);
	if (k < 0)
		return ANTT_E_INVAL;
	int y = s_digits(s, 4), m0 = 1, m1 = 12;
	if (k == ANTT_PERIOD_DAY) {
		*first = *last = y * 10000 + s_digits(s + 5, 2) * 100 + s_digits(s + 8, 2);
		return ANTT_OK;
	}
	if (k == ANTT_PERIOD_MONTH)
		m0 = m1 = s_digits(s + 5, 2);
	else if (k == ANTT_PERIOD_QUARTER)
		m1 = 3 * s_digits(s + 6, 1), m0 = m1 - 2;
	*first = y * 10000 + m0 * 100 + 1;
	*last = y * 10000 + m1 * 100 + s_days_in_month(y, m1);
	return ANTT_OK;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static long long s_days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

long long antt_period_due(int yyyymmdd, int days)
{
	long long day = s_days_from_civil(yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100);
	return (day + 1 + days) * 86400 - ANTT_TZ_OFFSET;
}
