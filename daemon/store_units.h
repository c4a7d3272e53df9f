/* store_units.h - the administrative unit lists a store holds, each with the
 * days it is in force, and the links from an older list's units to a newer
 * one's (I9 of store.c): imports (op units_import) and the listing (op
 * units).  docs/reports.md and docs/control.md describe them. */
#ifndef ANTT_STORE_UNITS_H
#define ANTT_STORE_UNITS_H

#include <jansson.h>
#include <stddef.h>

#include "store.h"

#define ANTT_UNITS_LIST_LOADED "loaded"   /* the undated list: in force while no dated one is */
#define ANTT_UNITS_LIST_MAX ANTT_LIST_MAX /* longest list name (names.h) */

/* Import one CSV file as req says (docs/control.md, units_import): with
 * "links" true, the links from list "old" to list "new"; else a unit list,
 * "list" (absent: "loaded", in force while no dated list is held) in force from "from" to "to"
 * (YYYY-MM-DD; "to" absent: open-ended), replacing a list of that name and
 * dropping the links that touch it.  On the writer connection, in one
 * transaction: all of it, or on any error nothing and an error reply that
 * says what is wrong and what to do.  Returns the reply (caller owns it). */
json_t *antt_store_units_import(antt_store_t *s, const json_t *req, const char *csv, size_t len);

/* The lists (name, from, to, units, imported, which is in force today) and
 * the links between them (counts per share): the reply of op units. */
json_t *antt_store_units_lists(antt_store_t *s);

#endif
