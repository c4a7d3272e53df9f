/* ratelog.h - at most a few log lines per window from one source.
 *
 * What a peer can provoke (malformed messages, refusals, forks, refused
 * connections) is logged through a limiter of that source: the first
 * ANTT_RATELOG_LINES lines of a window of ANTT_RATELOG_WINDOW_MS are
 * logged, the rest only counted, and when the window is over one line says
 * how many were suppressed.  The window opens at the first line after a
 * quiet time.  The caller's clock drives it (monotonic milliseconds), and
 * the caller ticks it from a timer, so that the count of a burst that
 * stopped is logged when its window closes, not at the next line.
 *
 *   antt_ratelog_t rl;
 *   antt_ratelog_init(&rl, "sync: child 12399");
 *   antt_ratelog(&rl, now, ANTT_LOG_WARN, "sync: child %s: ...", unit);
 *   ...
 *   if (antt_ratelog_tick(&rl, now)) ... nothing pending: may be dropped */
#ifndef ANTT_RATELOG_H
#define ANTT_RATELOG_H

#include <stdint.h>

#define ANTT_RATELOG_WINDOW_MS 10000 /* one window */
#define ANTT_RATELOG_LINES 20        /* lines logged in a window */

typedef struct {
	char who[64];        /* names the source in the summary line */
	uint64_t start;      /* when the open window opened (ms) */
	uint32_t lines;      /* lines logged in it; 0: no window is open */
	uint64_t suppressed; /* lines counted, not logged, in it */
	int level;           /* the most severe level among those */
} antt_ratelog_t;

/* A limiter with no window open; who (truncated to 63 bytes) starts its
 * summary line. */
void antt_ratelog_init(antt_ratelog_t *r, const char *who);

/* Log the line as antt_log does, unless this window's lines are used up:
 * then count it.  Lines below the log level are neither logged nor count.
 * A window that is over is closed first (see antt_ratelog_tick).  1 if the
 * line was logged. */
int antt_ratelog(antt_ratelog_t *r, uint64_t now_ms, int level, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Close the window if it is over (now_ms UINT64_MAX: whatever the time),
 * logging "WHO: N more line(s) suppressed ..." when lines were counted in
 * it.  1 when no window is open: the limiter holds nothing and its owner
 * may forget it. */
int antt_ratelog_tick(antt_ratelog_t *r, uint64_t now_ms);

#endif
