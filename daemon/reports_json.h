/* reports_json.h - reports as JSON text, read a report at a time (what
 * anttd does with antt submit --file's attachment). */
#ifndef ANTT_REPORTS_JSON_H
#define ANTT_REPORTS_JSON_H

#include <jansson.h>
#include <stddef.h>

/* Reports as JSON text (antt submit --file): one object, an array of
 * them, or several values one after another (JSON lines).  fn(report
 * (borrowed, not yet checked), its 0-based index, whether another follows,
 * arg, err) is called for each, in order; each report (a line, or one
 * element of an array) is parsed when it is reached and freed after, so
 * that a large file's parsed form is never in memory at once.  fn returns ANTT_OK
 * to go on, or an error code (err filled in), which stops the walk and is
 * returned.  On a syntax error, err says "LINE:COLUMN: not valid JSON:
 * ..."; a text with no report is an error too. */
typedef int (*antt_report_fn)(json_t *report, size_t index, int more, void *arg, char *err);
int antt_reports_each(const char *buf, size_t len, antt_report_fn fn, void *arg, char *err);

#endif
