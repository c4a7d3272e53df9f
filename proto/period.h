/* period.h - reporting periods: a day (2024-06-15), a month (2024-06), a
 * quarter (2024-Q2) or a year (2024). */
#ifndef ANTT_PERIOD_H
#define ANTT_PERIOD_H

typedef enum {
	ANTT_PERIOD_DAY,
	ANTT_PERIOD_MONTH,
	ANTT_PERIOD_QUARTER,
	ANTT_PERIOD_YEAR,
} antt_period_kind;

/* "day", "month", "quarter", "year" -> kind, or -1. */
int antt_period_kind_parse(const char *name);
const char *antt_period_kind_name(antt_period_kind k);
/* Example of the syntax, for messages. */
const char *antt_period_kind_example(antt_period_kind k);

/* Which kind s is written as (-1 if none).  Checks that the date exists and
 * the year is in 2000..2099. */
int antt_period_classify(const char *s);

/* 0 if s is a valid period of kind k, else ANTT_E_INVAL with the reason. */
int antt_period_check(antt_period_kind k, const char *s, char *err);

/* The days a period covers, as yyyymmdd numbers: 2024-Q2 -> 20240401 ..
 * 20240630.  0, or ANTT_E_INVAL if s is no valid period. */
int antt_period_days(const char *s, int *first, int *last);

/* Reports are due by local time in Vietnam (UTC+7, no daylight saving). */
#define ANTT_TZ_OFFSET (7 * 3600)

/* The Unix time at which the day after yyyymmdd plus `days` more days
 * begins in Vietnam: a report of a period ending on yyyymmdd with a grace
 * of `days` is late if first stored at or after it. */
long long antt_period_due(int yyyymmdd, int days);

#endif
