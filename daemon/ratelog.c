/* ratelog.c - log lines rate-limited per source (see ratelog.h). */
#include "ratelog.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

void antt_ratelog_init(antt_ratelog_t *r, const char *who)
{
	memset(r, 0, sizeof *r);
	snprintf(r->who, sizeof r->who, "%s", who);
}

int antt_ratelog_tick(antt_ratelog_t *r, uint64_t now_ms)
{
	if (!r->lines)
		return 1;
	if (now_ms != UINT64_MAX && now_ms - r->start < ANTT_RATELOG_WINDOW_MS)
		return 0;
	if (r->suppressed)
		antt_log(r->level,
		         "%s: %llu more line(s) suppressed (at most %d logged per %d s from one "
		         "source)",
		         r->who, (unsigned long long)r->suppressed, ANTT_RATELOG_LINES,
		         ANTT_RATELOG_WINDOW_MS / 1000);
	r->lines = 0;
	r->suppressed = 0;
	return 1;
}

int antt_ratelog(antt_ratelog_t *r, uint64_t now_ms, int level, const char *fmt, ...)
{
	if (!antt_log_enabled(level))
		return 0;
	antt_ratelog_tick(r, now_ms);
	if (!r->lines) {
		r->start = now_ms;
		r->level = ANTT_LOG_DEBUG;
	}
	if (r->lines >= ANTT_RATELOG_LINES) {
		r->suppressed++;
		if (level < r->level)
			r->level = level; /* the summary as severe as the worst it hides */
		return 0;
	}
	r->lines++;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	antt_log(level, "%s", line);
	return 1;
}
