/* units.c - parsing and checking the administrative units CSV (see units.h).
 *
 * Three passes, so that every message can name a line and a unit: (1) read the rows,
 * checking each on its own (fields, code, level, name, UTF-8); (2) sort an index by
 * code, which shows duplicates side by side and then finds each unit's parent by binary
 * search; (3) walk each unit up to the top, which in a sound tree takes at most
 * ANTT_UNITS_DEPTH steps, so cycles and trees too deep cost one long walk, for the
 * message, then check the levels against the tree.  O(n log n) in all. */
#include "units.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "record.h"

#define S_FIELDS 5
#define S_HEADER "code,level,type,name,parent_code"
#define S_SHOW 48      /* bytes of a user's text shown in a message */
#define S_SHOW_BUF 256 /* room for S_SHOW bytes escaped, quoted, with "..." */
#define S_PATH_MAX 6   /* units listed in a path in a message */

enum { S_PROVINCE = 1, S_DISTRICT, S_COMMUNE };
static const char *s_fields[S_FIELDS] = {"code", "level", "type", "name", "parent_code"};
static const char *s_levels[] = {"", "province", "district", "commune"};

/* The CSV reader: one record at a time, its fields unescaped into buf. */
typedef struct {
	const char *p, *end;  /* unread input */
	long line;            /* line of p, from 1 */
	const char *rec;      /* where the current record starts, for messages */
	long rec_line;        /* and its line */
	char *buf;            /* its fields, each NUL-terminated */
	size_t cap, used;     /* of buf */
	size_t nf;            /* its number of fields */
	size_t off[S_FIELDS]; /* where its first fields are in buf */
	size_t len[S_FIELDS]; /* and their lengths */
} s_reader_t;

static void s_put(s_reader_t *r, char c)
{
	if (r->used == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 256;
		r->buf = antt_xrealloc(r->buf, r->cap);
	}
	r->buf[r->used++] = c;
}

static int s_is_eol(char c)
{
	return c == '\n' || c == '\r';
}

/* Step over one line end: LF, CRLF or a lone CR (old spreadsheets on a Mac). */
static void s_eol(s_reader_t *r)
{
	if (*r->p++ == '\r' && r->p < r->end && *r->p == '\n')
		r->p++;
	r->line++;
}

/* User text for a message, in double quotes: at most S_SHOW bytes, control characters
 * and (when the text is not UTF-8) bytes above ASCII as \xNN.  Returns out. */
static char *s_show(char out[S_SHOW_BUF], const char *s, size_t len)
{
	size_t n = len;
	if (n > S_SHOW) {
		n = S_SHOW;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--; /* do not cut a character in two */
	}
	int utf8 = antt_valid_utf8(s, n);
	char *o = out;
	*o++ = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8))
			o += sprintf(o, "\\x%02x", c);
		else
			*o++ = (char)c;
	}
	if (n < len)
		o += sprintf(o, "...");
	*o++ = '"';
	*o = '\0';
	return out;
}

/* Is code a valid unit code (and free of NUL bytes)? */
static int s_valid_code(const char *code, size_t len)
{
	return strlen(code) == len && antt_valid_unit(code);
}

/* "unit 12346", or the code shown in quotes when it is not a valid one, or "the row". */
static char *s_who(char out[S_SHOW_BUF + 8], const char *code, size_t len)
{
	char shown[S_SHOW_BUF];
	if (len == 0)
		snprintf(out, S_SHOW_BUF + 8, "the row");
	else if (s_valid_code(code, len))
		snprintf(out, S_SHOW_BUF + 8, "unit %s", code);
	else
		snprintf(out, S_SHOW_BUF + 8, "unit %s", s_show(shown, code, len));
	return out;
}

/* "line N: unit CODE" for a syntax error in field nf + 1 of the current record. */
static char *s_where(char out[S_SHOW_BUF + 32], const s_reader_t *r, long line)
{
	char who[S_SHOW_BUF + 8];
	if (r->nf == 0)
		snprintf(out, S_SHOW_BUF + 32, "line %ld", line);
	else
		snprintf(out, S_SHOW_BUF + 32, "line %ld: %s", line,
		         s_who(who, r->buf + r->off[0], r->len[0]));
	return out;
}

/* Read the next record, skipping empty lines.  1, 0 at the end, or ANTT_E_INVAL. */
static int s_read(s_reader_t *r, char *err)
{
	while (r->p < r->end && s_is_eol(*r->p))
		s_eol(r);
	if (r->p == r->end)
		return 0;
	r->rec = r->p;
	r->rec_line = r->line;
	r->used = 0;
	r->nf = 0;
	char where[S_SHOW_BUF + 32];
	for (;;) {
		size_t off = r->used;
		if (r->p < r->end && *r->p == '"') {
			long open = r->line;
			r->p++;
			for (;;) {
				if (r->p == r->end)
					return antt_errf(
					    err, ANTT_E_INVAL,
					    "%s: field %zu opens a double quote that is never "
					    "closed (add the closing \" or remove the opening one)",
					    s_where(where, r, open), r->nf + 1);
				char c = *r->p++;
				if (c == '"') {
					if (r->p == r->end || *r->p != '"')
						break;
					r->p++; /* "" stands for one " */
				} else if (c == '\n' ||
				           (c == '\r' && (r->p == r->end || *r->p != '\n'))) {
					r->line++;
				}
				s_put(r, c);
			}
			if (r->p < r->end && *r->p != ',' && !s_is_eol(*r->p))
				return antt_errf(
				    err, ANTT_E_INVAL,
				    "%s: text after the closing quote of field %zu (put the "
				    "whole field in double quotes, and write a quote inside it "
				    "as \"\")",
				    s_where(where, r, r->line), r->nf + 1);
		} else {
			while (r->p < r->end && *r->p != ',' && !s_is_eol(*r->p))
				s_put(r, *r->p++);
		}
		s_put(r, '\0');
		if (r->nf < S_FIELDS) {
			r->off[r->nf] = off;
			r->len[r->nf] = r->used - 1 - off;
		}
		r->nf++;
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end)
			s_eol(r);
		return 1;
	}
}

static const char *s_field(const s_reader_t *r, int i)
{
	return r->buf + r->off[i];
}

static int s_level(const char *s)
{
	for (int l = S_PROVINCE; l <= S_COMMUNE; l++)
		if (!strcmp(s, s_levels[l]))
			return l;
	return 0;
}

static int s_blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t')
			return 0;
	return 1;
}

static int s_has_control(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

static int s_header(const s_reader_t *r, char *err)
{
	int ok = r->nf == S_FIELDS;
	for (int i = 0; ok && i < S_FIELDS; i++)
		ok = !strcmp(s_field(r, i), s_fields[i]);
	if (ok)
		return ANTT_OK;
	size_t n = 0;
	while (r->rec + n < r->end && !s_is_eol(r->rec[n]))
		n++;
	char shown[S_SHOW_BUF];
	return antt_errf(err, ANTT_E_INVAL,
	                 "line %ld: the header is %s, expected " S_HEADER
	                 " (the first line must be exactly this header, then one line per unit)",
	                 r->rec_line, s_show(shown, r->rec, n));
}

/* Check the current record as a unit on its own and fill x and *level.  0 or
 * ANTT_E_INVAL; x is untouched on error. */
static int s_row(const s_reader_t *r, antt_unit_t *x, int *level, char *err)
{
	long line = r->rec_line;
	const char *code = s_field(r, 0);
	char who[S_SHOW_BUF + 8], shown[S_SHOW_BUF];
	s_who(who, code, r->len[0]);
	if (r->nf != S_FIELDS)
		return antt_errf(err, ANTT_E_INVAL,
		                 "line %ld: %s has %zu field%s, expected %d: " S_HEADER
		                 " (a field holding a comma must be in double quotes)",
		                 line, who, r->nf, r->nf == 1 ? "" : "s", S_FIELDS);
	if (r->len[0] == 0)
		return antt_errf(err, ANTT_E_INVAL,
		                 "line %ld: the code is empty (every unit needs its official "
		                 "code in the first column, e.g. 12346)",
		                 line);
	if (!s_valid_code(code, r->len[0]))
		return antt_errf(err, ANTT_E_INVAL,
		                 "line %ld: unit code %s is not valid (a code is 1 to %d letters, "
		                 "digits, '.', '_' or '-': use the official code, e.g. 12346)",
		                 line, s_show(shown, code, r->len[0]), ANTT_UNIT_MAX);
	for (int i = 1; i < S_FIELDS; i++)
		if (!antt_valid_utf8(s_field(r, i), r->len[i]))
			return antt_errf(err, ANTT_E_INVAL,
			                 "line %ld: %s: the %s is not valid UTF-8 text (save the "
			                 "file as \"CSV UTF-8\", not in a legacy code page such "
			                 "as Windows-1258)",
			                 line, who, s_fields[i]);
	int l = s_level(s_field(r, 1));
	if (!l)
		return antt_errf(err, ANTT_E_INVAL,
		                 "line %ld: %s: unknown level %s (use province, district or "
		                 "commune)",
		                 line, who, s_show(shown, s_field(r, 1), r->len[1]));
	if (s_blank(s_field(r, 3)))
		return antt_errf(err, ANTT_E_INVAL,
		                 "line %ld: %s: the name is empty (give the unit's full name, "
		                 "e.g. Xã Nhật Tân)",
		                 line, who);
	for (int i = 2; i <= 3; i++)
		if (s_has_control(s_field(r, i), r->len[i]))
			return antt_errf(err, ANTT_E_INVAL,
			                 "line %ld: %s: the %s has a line break or another "
			                 "control character (keep it to one line of text)",
			                 line, who, s_fields[i]);
	x->code = antt_xstrdup(code);
	x->level = antt_xstrdup(s_levels[l]);
	x->type = antt_xstrdup(s_field(r, 2));
	x->name = antt_xstrdup(s_field(r, 3));
	x->parent = r->len[4] ? antt_xstrdup(s_field(r, 4)) : NULL;
	*level = l;
	return ANTT_OK;
}

typedef struct {
	const char *code;
	size_t i;
} s_key_t;

static int s_key_cmp(const void *a, const void *b)
{
	const s_key_t *x = a, *y = b;
	int c = strcmp(x->code, y->code);
	return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* Sort an index of u by code into u->by_code; on a duplicate code, fail naming the
 * earliest line that repeats a code, and the line it repeats. */
static int s_index(antt_units_t *u, const long *lines, char *err)
{
	int rc = ANTT_OK;
	s_key_t *k = antt_xcalloc(u->n, sizeof *k);
	for (size_t i = 0; i < u->n; i++)
		k[i] = (s_key_t){u->v[i].code, i};
	qsort(k, u->n, sizeof *k, s_key_cmp);
	size_t first = 0, again = 0; /* the duplicate to report, again > first */
	for (size_t j = 1, start = 0; j < u->n; j++) {
		if (strcmp(k[j - 1].code, k[j].code)) {
			start = j; /* a run of one code begins */
			continue;
		}
		/* k[j] repeats the run's start, its first line in the file */
		if (!again || k[j].i < again)
			first = k[start].i, again = k[j].i;
	}
	if (again) {
		rc = antt_errf(err, ANTT_E_INVAL,
		               "line %ld: unit %s appears a second time, first at line %ld (a "
		               "code may appear once: remove or correct one of the two lines)",
		               lines[again], u->v[again].code, lines[first]);
		goto out;
	}
	u->by_code = antt_xcalloc(u->n, sizeof *u->by_code);
	for (size_t i = 0; i < u->n; i++)
		u->by_code[i] = k[i].i;
out:
	free(k);
	return rc;
}

/* Append " -> code (level)" (or the first without the arrow) to a path of n units. */
static void s_path_add(char *path, size_t size, size_t n, const antt_unit_t *x)
{
	size_t used = strlen(path);
	if (n == S_PATH_MAX)
		snprintf(path + used, size - used, " -> ...");
	else if (n < S_PATH_MAX)
		snprintf(path + used, size - used, "%s%s (%s)", n ? " -> " : "", x->code, x->level);
}

/* Unit i is more than ANTT_UNITS_DEPTH deep, or in or below a cycle: say which. */
static int s_tree_error(const antt_units_t *u, const long *par, const long *lines, size_t i,
                        char *err)
{
	size_t *seen = antt_xcalloc(u->n, sizeof *seen); /* 1 + step of the walk from i */
	char path[ANTT_ERR_MAX] = "";
	size_t steps = 0;
	long c = (long)i;
	while (c >= 0 && !seen[c]) {
		s_path_add(path, sizeof path, steps, &u->v[c]);
		seen[c] = ++steps;
		c = par[c];
	}
	free(seen);
	if (c < 0)
		return antt_errf(err, ANTT_E_INVAL,
		                 "line %ld: unit %s is %zu levels deep: %s (the tree has at most "
		                 "%d levels, province, district and commune: fix parent_code)",
		                 lines[i], u->v[i].code, steps, path, ANTT_UNITS_DEPTH);
	/* c is on the cycle: report it from its unit that comes first in the file */
	long m = c;
	for (long d = par[c]; d != c; d = par[d])
		if (d < m)
			m = d;
	if (par[m] == m)
		return antt_errf(err, ANTT_E_INVAL,
		                 "line %ld: unit %s is its own parent (fix its parent_code: "
		                 "empty for a province, else the code of the unit above it)",
		                 lines[m], u->v[m].code);
	char where[128] = "";
	path[0] = '\0';
	steps = 0;
	long d = m;
	do {
		s_path_add(path, sizeof path, steps++, &u->v[d]);
		size_t used = strlen(where);
		if (steps <= S_PATH_MAX)
			snprintf(where + used, sizeof where - used, "%s%ld", d == m ? "" : ", ",
			         lines[d]);
		d = par[d];
	} while (d != m);
	s_path_add(path, sizeof path, steps, &u->v[m]);
	return antt_errf(err, ANTT_E_INVAL,
	                 "line %ld: unit %s is its own ancestor: %s (fix parent_code on one "
	                 "of lines %s%s)",
	                 lines[m], u->v[m].code, path, where, steps > S_PATH_MAX ? ", ..." : "");
}

/* Is the level of unit i right for its place in the tree? */
static int s_check_level(const antt_units_t *u, const long *par, const int *lv, const long *lines,
                         size_t i, char *err)
{
	const antt_unit_t *x = &u->v[i];
	long p = par[i];
	if (lv[i] == S_PROVINCE && p >= 0)
		return antt_errf(err, ANTT_E_INVAL,
		                 "line %ld: unit %s is a province but has parent_code %s (a "
		                 "province is at the top: empty its parent_code, or fix its level)",
		                 lines[i], x->code, x->parent);
	if (lv[i] != S_PROVINCE && p < 0)
		return antt_errf(
		    err, ANTT_E_INVAL,
		    "line %ld: unit %s is a %s but has no parent_code (give the code of "
		    "its %s, or make it a province)",
		    lines[i], x->code, x->level,
		    lv[i] == S_DISTRICT ? "province" : "district or province");
	if (lv[i] == S_DISTRICT && lv[p] != S_PROVINCE)
		return antt_errf(
		    err, ANTT_E_INVAL,
		    "line %ld: unit %s is a district but its parent %s (line %ld) is a "
		    "%s (a district's parent must be a province: fix parent_code or "
		    "the levels)",
		    lines[i], x->code, x->parent, lines[p], u->v[p].level);
	if (lv[i] == S_COMMUNE && lv[p] == S_COMMUNE)
		return antt_errf(err, ANTT_E_INVAL,
		                 "line %ld: unit %s is a commune but its parent %s (line %ld) is a "
		                 "commune (a commune's parent must be a district or a province: "
		                 "fix parent_code or the levels)",
		                 lines[i], x->code, x->parent, lines[p]);
	return ANTT_OK;
}

static long s_find(const antt_units_t *u, const char *code)
{
	size_t lo = 0, hi = u->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(u->v[u->by_code[mid]].code, code);
		if (!c)
			return (long)u->by_code[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Link the units of u into a tree: parents, depths, ancestors, levels. */
static int s_tree(antt_units_t *u, const long *lines, const int *lv, char *err)
{
	int rc = ANTT_OK;
	long *par = antt_xcalloc(u->n, sizeof *par);
	char shown[S_SHOW_BUF];
	for (size_t i = 0; i < u->n; i++) {
		const antt_unit_t *x = &u->v[i];
		par[i] = x->parent ? s_find(u, x->parent) : -1;
		if (x->parent && par[i] < 0) {
			rc = antt_errf(
			    err, ANTT_E_INVAL,
			    "line %ld: unit %s: missing parent %s, no line has that code "
			    "(fix parent_code, or add the parent unit)",
			    lines[i], x->code, s_show(shown, x->parent, strlen(x->parent)));
			goto out;
		}
	}
	for (size_t i = 0; i < u->n; i++) {
		/* a sound tree reaches a unit of known depth, or the top, within
		 * ANTT_UNITS_DEPTH steps */
		int d = 0, k = 0;
		for (long c = (long)i; k < ANTT_UNITS_DEPTH; c = par[c], k++) {
			if (u->v[c].depth) {
				d = u->v[c].depth + k;
				break;
			}
			if (par[c] < 0) {
				d = 1 + k;
				break;
			}
		}
		if (d < 1 || d > ANTT_UNITS_DEPTH) {
			rc = s_tree_error(u, par, lines, i, err);
			goto out;
		}
		u->v[i].depth = d;
	}
	for (size_t i = 0; i < u->n; i++) {
		rc = s_check_level(u, par, lv, lines, i, err);
		if (rc)
			goto out;
		long c = (long)i;
		for (int d = u->v[i].depth; d >= 1; d--, c = par[c])
			u->v[i].anc[d - 1] = u->v[c].code;
	}
out:
	free(par);
	return rc;
}

/* The start of a file a spreadsheet wrote: UTF-16 refused, a byte order
 * mark skipped, its first record read (the header).  0, or ANTT_E_INVAL
 * with err ("line 1: " and empty when the file has no record). */
static int s_first(s_reader_t *r, const char *empty, char *err)
{
	size_t len = (size_t)(r->end - r->p);
	if (len >= 2 && ((!memcmp(r->p, "\xff\xfe", 2) || !memcmp(r->p, "\xfe\xff", 2))))
		return antt_errf(
		    err, ANTT_E_INVAL,
		    "line 1: the file is UTF-16, not UTF-8 (save it as \"CSV UTF-8\")");
	if (len >= 3 && !memcmp(r->p, "\xef\xbb\xbf", 3))
		r->p += 3;
	int rc = s_read(r, err);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return antt_errf(err, ANTT_E_INVAL, "line 1: %s", empty);
	return ANTT_OK;
}

int antt_units_parse(const char *csv, size_t len, antt_units_t *out, char *err)
{
	int rc = ANTT_OK;
	antt_units_t u = {0};
	size_t cap = 0;
	long *lines = NULL;
	int *lv = NULL;
	s_reader_t r = {.p = csv, .end = csv + len, .line = 1};
	memset(out, 0, sizeof *out);
	rc = s_first(&r,
	             "no units: the file is empty (it needs the header " S_HEADER
	             ", then one line per unit)",
	             err);
	if (rc)
		goto out;
	long header_line = r.rec_line;
	rc = s_header(&r, err);
	if (rc)
		goto out;
	while ((rc = s_read(&r, err)) == 1) {
		if (u.n == cap) {
			cap = cap ? cap * 2 : 1024;
			u.v = antt_xrealloc(u.v, cap * sizeof *u.v);
			lines = antt_xrealloc(lines, cap * sizeof *lines);
			lv = antt_xrealloc(lv, cap * sizeof *lv);
		}
		memset(&u.v[u.n], 0, sizeof *u.v);
		rc = s_row(&r, &u.v[u.n], &lv[u.n], err);
		if (rc)
			goto out;
		lines[u.n++] = r.rec_line;
	}
	if (rc < 0)
		goto out;
	if (u.n == 0) {
		rc = antt_errf(err, ANTT_E_INVAL,
		               "line %ld: no units: the file has only the header (add one line "
		               "per unit: " S_HEADER ")",
		               header_line + 1);
		goto out;
	}
	rc = s_index(&u, lines, err);
	if (rc)
		goto out;
	rc = s_tree(&u, lines, lv, err);
out:
	free(r.buf);
	free(lines);
	free(lv);
	if (rc)
		antt_units_clear(&u);
	else
		*out = u;
	return rc;
}

void antt_units_clear(antt_units_t *u)
{
	for (size_t i = 0; i < u->n; i++) {
		antt_unit_t *x = &u->v[i];
		free(x->code);
		free(x->level);
		free(x->type);
		free(x->name);
		free(x->parent);
	}
	free(u->v);
	free(u->by_code);
	memset(u, 0, sizeof *u);
}

long antt_units_find(const antt_units_t *u, const char *code)
{
	if (!u->by_code || !code)
		return -1;
	return s_find(u, code);
}

/* ---- links between two lists ---- */

#define S_LINK_FIELDS 3
#define S_LINK_HEADER "old_code,new_code,share"

static int s_link_cmp(const void *a, const void *b)
{
	const antt_link_t *x = a, *y = b;
	int c = strcmp(x->old_code, y->old_code);
	if (!c)
		c = strcmp(x->new_code, y->new_code);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* Check one row of a links file and fill x.  0 or ANTT_E_INVAL. */
static int s_link_row(const s_reader_t *r, antt_link_t *x, char *err)
{
	long line = r->rec_line;
	char shown[S_SHOW_BUF];
	if (r->nf < S_LINK_FIELDS)
		return antt_errf(err, ANTT_E_INVAL,
		                 "line %ld: %zu field%s, expected at least %d: " S_LINK_HEADER
		                 " (a field holding a comma must be in double quotes)",
		                 line, r->nf, r->nf == 1 ? "" : "s", S_LINK_FIELDS);
	const char *old = s_field(r, 0), *new = s_field(r, 1), *share = s_field(r, 2);
	if (r->len[0] == 0)
		return antt_errf(err, ANTT_E_INVAL,
		                 "line %ld: the old code is empty (every link starts at a unit of "
		                 "the old list: give its code in old_code)",
		                 line);
	if (!s_valid_code(old, r->len[0]))
		return antt_errf(err, ANTT_E_INVAL,
		                 "line %ld: old code %s is not a valid unit code (use the "
		                 "official code, e.g. 12346)",
		                 line, s_show(shown, old, r->len[0]));
	if (r->len[1] == 0)
		return antt_errf(err, ANTT_E_INVAL,
		                 "line %ld: unit %s links to nothing: new_code is empty (give "
		                 "the code of the new unit that took it, or remove the line)",
		                 line, old);
	if (!s_valid_code(new, r->len[1]))
		return antt_errf(err, ANTT_E_INVAL,
		                 "line %ld: unit %s: new code %s is not a valid unit code (use "
		                 "the official code, e.g. 12337)",
		                 line, old, s_show(shown, new, r->len[1]));
	int full;
	if (!strcmp(share, "full") || !strcmp(share, "1"))
		full = 1;
	else if (!strcmp(share, "partial") || !strcmp(share, "0"))
		full = 0;
	else
		return antt_errf(err, ANTT_E_INVAL,
		                 "line %ld: link %s -> %s: share %s is neither full nor partial "
		                 "(full: the whole old unit went into the new one; partial: a "
		                 "part of it did)",
		                 line, old, new, s_show(shown, share, r->len[2]));
	x->old_code = antt_xstrdup(old);
	x->new_code = antt_xstrdup(new);
	x->full = full;
	x->line = line;
	return ANTT_OK;
}

/* After sorting: no link twice, and an old unit with a full link has no
 * other.  Each message names the later line of the two. */
static int s_links_check(const antt_links_t *l, char *err)
{
	for (size_t i = 0, start = 0; i < l->n; i++) {
		const antt_link_t *x = &l->v[i];
		if (i && strcmp(l->v[i - 1].old_code, x->old_code))
			start = i;
		if (i > start && !strcmp(l->v[i - 1].new_code, x->new_code))
			return antt_errf(err, ANTT_E_INVAL,
			                 "line %ld: link %s -> %s appears a second time, first at "
			                 "line %ld (remove one of the two lines)",
			                 x->line, x->old_code, x->new_code, l->v[i - 1].line);
		if (i + 1 < l->n && !strcmp(l->v[i + 1].old_code, x->old_code))
			continue; /* judge the run at its end */
		if (i == start)
			continue;
		for (size_t j = start; j <= i; j++)
			if (l->v[j].full) {
				const antt_link_t *o = &l->v[j == start ? start + 1 : start];
				return antt_errf(
				    err, ANTT_E_INVAL,
				    "line %ld: unit %s has a full link to %s and another link, to "
				    "%s at line %ld (a full link gives the whole unit to one new "
				    "unit: make every link of %s partial, or keep only the full "
				    "one)",
				    l->v[j].line, x->old_code, l->v[j].new_code, o->new_code,
				    o->line, x->old_code);
			}
	}
	return ANTT_OK;
}

int antt_links_parse(const char *csv, size_t len, antt_links_t *out, char *err)
{
	int rc = ANTT_OK;
	antt_links_t l = {0};
	size_t cap = 0;
	s_reader_t r = {.p = csv, .end = csv + len, .line = 1};
	memset(out, 0, sizeof *out);
	rc = s_first(&r,
	             "no links: the file is empty (it needs the header " S_LINK_HEADER
	             ",..., then one line per link)",
	             err);
	if (rc)
		goto out;
	int ok = r.nf >= S_LINK_FIELDS && !strcmp(s_field(&r, 0), "old_code") &&
	         !strcmp(s_field(&r, 1), "new_code") && !strcmp(s_field(&r, 2), "share");
	if (!ok) {
		size_t n = 0;
		char shown[S_SHOW_BUF];
		while (r.rec + n < r.end && !s_is_eol(r.rec[n]))
			n++;
		rc =
		    antt_errf(err, ANTT_E_INVAL,
		              "line %ld: the header is %s, expected " S_LINK_HEADER
		              " first (a links file, such as data/units-vn-2025-03-to-2025-07.csv; "
		              "further columns are ignored)",
		              r.rec_line, s_show(shown, r.rec, n));
		goto out;
	}
	long header_line = r.rec_line;
	while ((rc = s_read(&r, err)) == 1) {
		if (l.n == cap) {
			cap = cap ? cap * 2 : 1024;
			l.v = antt_xrealloc(l.v, cap * sizeof *l.v);
		}
		memset(&l.v[l.n], 0, sizeof *l.v);
		rc = s_link_row(&r, &l.v[l.n], err);
		if (rc)
			goto out;
		l.n++;
	}
	if (rc < 0)
		goto out;
	if (l.n == 0) {
		rc = antt_errf(err, ANTT_E_INVAL,
		               "line %ld: no links: the file has only the header (add one line "
		               "per link: " S_LINK_HEADER ")",
		               header_line + 1);
		goto out;
	}
	qsort(l.v, l.n, sizeof *l.v, s_link_cmp);
	rc = s_links_check(&l, err);
out:
	free(r.buf);
	if (rc)
		antt_links_clear(&l);
	else
		*out = l;
	return rc;
}

void antt_links_clear(antt_links_t *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].old_code);
		free(l->v[i].new_code);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}
