/* forms.h - report forms: which indicators a report carries and how often.
 *
 * Forms are data, not code: one JSON file per form in the forms folder
 * (config/forms/ in the source tree), so a province can add a form without a
 * rebuild.  See docs/forms.md for the file format. */
#ifndef ANTT_FORMS_H
#define ANTT_FORMS_H

#include <stddef.h>

#include "period.h"

typedef struct {
	char *code;
	char *label; /* Vietnamese, UTF-8 */
} antt_indicator_t;

typedef struct {
	char *id;
	int periodic; /* 1: one report per unit and period; 0: event entries that add up */
	antt_period_kind period;
	char *title;
	int deadline_days; /* due this many days after the period ends (Vietnam time); -1: none */
	size_t n_indicators;
	antt_indicator_t *indicators;
} antt_form_t;

typedef struct {
	size_t n;
	antt_form_t *forms; /* sorted by id */
} antt_forms_t;

/* Load every *.json file in dir.  Any bad file fails the whole load, named
 * with its problem.  Caller owns *out. */
int antt_forms_load(const char *dir, antt_forms_t **out, char *err);
void antt_forms_destroy(antt_forms_t **self_p);

const antt_form_t *antt_forms_find(const antt_forms_t *fs, const char *id);
const antt_indicator_t *antt_form_indicator(const antt_form_t *f, const char *code);

/* "a, b, c": the form ids, or a form's indicator codes, for error messages.
 * Caller owns the string. */
char *antt_forms_list_ids(const antt_forms_t *fs);
char *antt_form_list_codes(const antt_form_t *f);

#endif
