/* reports_json.c - the walk of reports' JSON text (reports_json.h). */
#include "reports_json.h"

#include <string.h>

#include "common.h"

/* Where a walk of reports' text is: the offset, its line and the offset
 * at which that line starts (for columns). */
typedef struct {
	const char *buf;
	size_t len, pos, bol;
	int line;
} s_text_t;

static int s_at_end(const s_text_t *t)
{
	return t->pos >= t->len || !t->buf[t->pos]; /* a NUL ends the text */
}

/* The column of t->pos on its line, 1-based, in characters (UTF-8 code
 * points, as jansson counts them). */
static int s_col(const s_text_t *t)
{
	int col = 1;
	for (size_t i = t->bol; i < t->pos; i++)
		col += ((unsigned char)t->buf[i] & 0xC0) != 0x80;
	return col;
}

/* Past spaces, tabs and newlines. */
static void s_skip_space(s_text_t *t)
{
	while (!s_at_end(t) && strchr(" \t\r\n", t->buf[t->pos])) {
		if (t->buf[t->pos] == '\n') {
			t->line++;
			t->bol = t->pos + 1;
		}
		t->pos++;
	}
}

/* The JSON value at t->pos, parsed and stepped over (flags: jansson's, added
 * to those of every value); NULL with err filled in on a syntax error. */
static json_t *s_value(s_text_t *t, size_t flags, char *err)
{
	json_error_t je;
	json_t *v = json_loadb(t->buf + t->pos, t->len - t->pos,
	                       flags | JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES, &je);
	if (!v) {
		/* jansson counts columns of its first line from where it began */
		int col = je.line > 1 ? je.column : s_col(t) - 1 + je.column;
		antt_errf(err, ANTT_E_INVAL, "%d:%d: not valid JSON: %s", t->line + je.line - 1,
		          col, je.text);
		return NULL;
	}
	for (size_t i = t->pos; i < t->pos + je.position; i++)
		if (t->buf[i] == '\n') {
			t->line++;
			t->bol = i + 1;
		}
	t->pos += je.position;
	s_skip_space(t);
	return v;
}

/* After a report of an array: past its ',' (*more = 1) or the closing ']'
 * (*more: whether text follows, *closed = 1); a trailing ',' is an error. */
static int s_array_next(s_text_t *t, int *more, int *closed, char *err)
{
	const char c = s_at_end(t) ? '\0' : t->buf[t->pos];
	if (c != ',' && c != ']')
		return antt_errf(err, ANTT_E_INVAL,
		                 "%d:%d: not valid JSON: ',' or ']' expected after a report of the "
		                 "array%s",
		                 t->line, s_col(t), c ? "" : " (it is not closed)");
	t->pos++;
	s_skip_space(t);
	if (c == ',' && !s_at_end(t) && t->buf[t->pos] == ']')
		return antt_errf(
		    err, ANTT_E_INVAL,
		    "%d:%d: not valid JSON: a ',' before the array's ']' (JSON takes none "
		    "after the last report)",
		    t->line, s_col(t));
	*closed = c == ']';
	*more = c == ',' || !s_at_end(t);
	return ANTT_OK;
}

int antt_reports_each(const char *buf, size_t len, antt_report_fn fn, void *arg, char *err)
{
	s_text_t t = {buf, len, 0, 0, 1};
	size_t index = 0;
	int rc = ANTT_OK;
	s_skip_space(&t);
	while (!rc && !s_at_end(&t)) {
		if (buf[t.pos] != '[') {
			json_t *v = s_value(&t, 0, err);
			if (!v)
				return ANTT_E_INVAL;
			rc = fn(v, index++, !s_at_end(&t), arg, err);
			json_decref(v);
			continue;
		}
		/* an array: a report at a time, never the whole array parsed */
		t.pos++;
		s_skip_space(&t);
		int closed = !s_at_end(&t) && buf[t.pos] == ']', more = 0;
		if (closed) {
			t.pos++;
			s_skip_space(&t);
		}
		while (!closed && !rc) {
			if (s_at_end(&t))
				return antt_errf(
				    err, ANTT_E_INVAL,
				    "%d:%d: not valid JSON: the array is not closed (a ']' "
				    "is missing)",
				    t.line, s_col(&t));
			/* any value: one that is not an object is refused as a report */
			json_t *v = s_value(&t, JSON_DECODE_ANY, err);
			if (!v)
				return ANTT_E_INVAL;
			rc = s_array_next(&t, &more, &closed, err);
			if (!rc)
				rc = fn(v, index++, more, arg, err);
			json_decref(v);
		}
	}
	if (!rc && index == 0)
		return antt_errf(err, ANTT_E_INVAL, "no report in it");
	return rc;
}
