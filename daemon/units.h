/* units.h - the administrative tree, from its CSV (code,level,type,name,parent_code).
 *
 * The file is the one officials keep in a spreadsheet (see data/README.md):
 * UTF-8 with or without a byte order mark, LF, CRLF or CR line ends, RFC 4180 fields
 * (a field in double quotes may hold commas, line ends and "" for a quote), a header
 * row, then one unit per row in any order (a parent may come after its children).
 * Empty lines are skipped.  Levels are "province" (top, no parent), "district" (below
 * a province) and "commune" (below a district, or directly below a province as in the
 * two-level tree of the 2025 reform). */
#ifndef ANTT_UNITS_H
#define ANTT_UNITS_H

#include <stddef.h>

#define ANTT_UNITS_DEPTH 3 /* province, district, commune at most */

typedef struct {
	char *code;                        /* valid per antt_valid_unit() in proto/record.h */
	char *level;                       /* "province", "district" or "commune", as in the file */
	char *type;                        /* e.g. "Huyện", may be empty */
	char *name;                        /* non-empty, valid UTF-8 */
	char *parent;                      /* NULL for a top-level unit */
	int depth;                         /* 1 for a top-level unit, 2 below it, 3 below that */
	const char *anc[ANTT_UNITS_DEPTH]; /* anc[d-1]: code of its ancestor at depth d
	                                    * (itself at its own depth), NULL below its depth */
} antt_unit_t;

typedef struct {
	antt_unit_t *v; /* in file order */
	size_t n;
	size_t *by_code; /* private to units.c: indices of v sorted by code, for find */
} antt_units_t;

/* Parse and check the whole file; on any problem nothing is returned and err says
 * "line N: ...what... (...what to do)".  0 or ANTT_E_INVAL.  csv need not be
 * NUL-terminated.  *out is overwritten (zeroed on failure); on success the caller
 * owns it and frees it with antt_units_clear.  The anc pointers point at the
 * code strings of units in the same set. */
int antt_units_parse(const char *csv, size_t len, antt_units_t *out, char *err);

/* Free everything parse gave and zero *u.  Safe on a zeroed or cleared set. */
void antt_units_clear(antt_units_t *u);

/* Index of code in u (binary search on an index built by parse), or -1. */
long antt_units_find(const antt_units_t *u, const char *code);

/* A links file: how the units of an older list became those of a newer one
 * (data/units-vn-2025-03-to-2025-07.csv): a header whose first columns are
 * old_code,new_code,share (further columns, names for people, are ignored),
 * then one link per row, read as above.  share is "full" (the whole old
 * unit went into the new one) or "partial" (a part did), or 1 / 0. */
typedef struct {
	char *old_code; /* valid per antt_valid_unit() */
	char *new_code; /* valid too: a link to nothing is refused */
	int full;       /* 1 full, 0 partial */
	long line;      /* in the file, for messages */
} antt_link_t;

typedef struct {
	antt_link_t *v; /* sorted by old_code, then new_code */
	size_t n;
} antt_links_t;

/* Parse and check a links file on its own (which lists its codes belong to
 * is the store's to check): fields, codes, shares, no link twice, an old
 * unit with a full link has no other.  0 or ANTT_E_INVAL with err "line N:
 * ...what... (...what to do)"; *out as antt_units_parse's, freed with
 * antt_links_clear. */
int antt_links_parse(const char *csv, size_t len, antt_links_t *out, char *err);

/* Free everything antt_links_parse gave and zero *l.  Safe on a zeroed set. */
void antt_links_clear(antt_links_t *l);

#endif
