/* forms.c - loading form definitions from JSON files (see forms.h). */
#define _GNU_SOURCE
#include "forms.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "record.h"

static void s_form_clear(antt_form_t *f)
{
	free(f->id);
	free(f->title);
	for (size_t i = 0; i < f->n_indicators; i++) {
		free(f->indicators[i].code);
		free(f->indicators[i].label);
	}
	free(f->indicators);
	memset(f, 0, sizeof *f);
}

static const char *s_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Parse one form file into f.  0 or ANTT_E_CONFIG. */
static int s_form_parse(const char *path, antt_form_t *f, char *err)
{
	int rc = ANTT_OK;
	json_error_t je;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return antt_errf(err, ANTT_E_CONFIG, "form %s:%d:%d: %s", path, je.line, je.column,
		                 je.text);
	const char *key;
	json_t *val;
	json_object_foreach (root, key, val) {
		if (strcmp(key, "id") && strcmp(key, "kind") && strcmp(key, "period") &&
		    strcmp(key, "title") && strcmp(key, "indicators") &&
		    strcmp(key, "deadline_days")) {
			rc = antt_errf(
			    err, ANTT_E_CONFIG,
			    "form %s: unknown key \"%s\" (known: id, kind, period, title, "
			    "deadline_days, indicators)",
			    path, key);
			goto out;
		}
	}
	const char *id = s_str(root, "id"), *kind = s_str(root, "kind"),
	           *period = s_str(root, "period"), *title = s_str(root, "title");
	json_t *inds = json_object_get(root, "indicators");
	if (id && !strncmp(id, ANTT_FORM_RESERVED, strlen(ANTT_FORM_RESERVED))) {
		rc = antt_errf(err, ANTT_E_CONFIG,
		               "form %s: ids starting \"" ANTT_FORM_RESERVED "\" are reserved",
		               path);
		goto out;
	}
	if (!id || !antt_valid_name(id)) {
		rc = antt_errf(err, ANTT_E_CONFIG,
		               "form %s: \"id\" must be a name of letters, digits, '.', '_', '-'",
		               path);
		goto out;
	}
	if (!kind || (strcmp(kind, "periodic") && strcmp(kind, "event"))) {
		rc = antt_errf(err, ANTT_E_CONFIG,
		               "form %s: \"kind\" must be \"periodic\" or \"event\"", path);
		goto out;
	}
	int pk = period ? antt_period_kind_parse(period) : -1;
	if (pk < 0) {
		rc = antt_errf(err, ANTT_E_CONFIG,
		               "form %s: \"period\" must be \"day\", \"month\", \"quarter\" or "
		               "\"year\"",
		               path);
		goto out;
	}
	if (!title || !*title) {
		rc = antt_errf(err, ANTT_E_CONFIG, "form %s: \"title\" is missing", path);
		goto out;
	}
	if (!json_is_array(inds) || json_array_size(inds) == 0 ||
	    json_array_size(inds) > ANTT_VALUES_MAX) {
		rc = antt_errf(err, ANTT_E_CONFIG,
		               "form %s: \"indicators\" must be a list of 1 to %d {code, label}",
		               path, ANTT_VALUES_MAX);
		goto out;
	}
	json_t *dl = json_object_get(root, "deadline_days");
	if (dl && (!json_is_integer(dl) || json_integer_value(dl) < 0 ||
	           json_integer_value(dl) > 366 || strcmp(kind, "periodic"))) {
		rc = antt_errf(
		    err, ANTT_E_CONFIG,
		    "form %s: \"deadline_days\" must be a whole number of days, 0 to 366, "
		    "and only a periodic form has one",
		    path);
		goto out;
	}
	f->deadline_days = dl ? (int)json_integer_value(dl) : -1;
	f->id = antt_xstrdup(id);
	f->periodic = !strcmp(kind, "periodic");
	f->period = (antt_period_kind)pk;
	f->title = antt_xstrdup(title);
	f->n_indicators = json_array_size(inds);
	f->indicators = antt_xcalloc(f->n_indicators, sizeof *f->indicators);
	for (size_t i = 0; i < f->n_indicators; i++) {
		json_t *ind = json_array_get(inds, i);
		const char *code = s_str(ind, "code"), *label = s_str(ind, "label");
		if (!json_is_object(ind) || json_object_size(ind) != 2 || !code ||
		    !antt_valid_name(code) || !label || !*label) {
			rc = antt_errf(err, ANTT_E_CONFIG,
			               "form %s: indicator %zu must be {\"code\": NAME, \"label\": "
			               "TEXT} with a code of letters, digits, '.', '_', '-'",
			               path, i + 1);
			goto out;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(f->indicators[j].code, code)) {
				rc = antt_errf(err, ANTT_E_CONFIG,
				               "form %s: indicator code %s appears twice", path,
				               code);
				goto out;
			}
		f->indicators[i].code = antt_xstrdup(code);
		f->indicators[i].label = antt_xstrdup(label);
	}
out:
	json_decref(root);
	if (rc)
		s_form_clear(f);
	return rc;
}

static int s_form_cmp(const void *a, const void *b)
{
	return strcmp(((const antt_form_t *)a)->id, ((const antt_form_t *)b)->id);
}

int antt_forms_load(const char *dir, antt_forms_t **out, char *err)
{
	int rc = ANTT_OK;
	antt_forms_t *fs = antt_xcalloc(1, sizeof *fs);
	DIR *d = opendir(dir);
	if (!d) {
		rc = antt_errf(err, ANTT_E_CONFIG,
		               "cannot open forms folder %s: %s (check [node] forms in the config)",
		               dir, strerror(errno));
		goto out;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (n < 6 || strcmp(de->d_name + n - 5, ".json") || de->d_name[0] == '.')
			continue;
		char *path;
		if (asprintf(&path, "%s/%s", dir, de->d_name) < 0)
			abort();
		fs->forms = antt_xrealloc(fs->forms, (fs->n + 1) * sizeof *fs->forms);
		memset(&fs->forms[fs->n], 0, sizeof *fs->forms);
		rc = s_form_parse(path, &fs->forms[fs->n], err);
		free(path);
		if (rc)
			goto out;
		if (antt_forms_find(fs, fs->forms[fs->n].id)) {
			rc = antt_errf(err, ANTT_E_CONFIG,
			               "forms folder %s: form id %s is defined twice", dir,
			               fs->forms[fs->n].id);
			s_form_clear(&fs->forms[fs->n]);
			goto out;
		}
		fs->n++;
	}
	if (fs->n == 0) {
		rc = antt_errf(err, ANTT_E_CONFIG, "forms folder %s has no form (*.json)", dir);
		goto out;
	}
	qsort(fs->forms, fs->n, sizeof *fs->forms, s_form_cmp);
out:
	if (d)
		closedir(d);
	if (rc)
		antt_forms_destroy(&fs);
	*out = fs;
	return rc;
}

void antt_forms_destroy(antt_forms_t **self_p)
{
	antt_forms_t *fs = *self_p;
	if (!fs)
		return;
	for (size_t i = 0; i < fs->n; i++)
		s_form_clear(&fs->forms[i]);
	free(fs->forms);
	free(fs);
	*self_p = NULL;
}

const antt_form_t *antt_forms_find(const antt_forms_t *fs, const char *id)
{
	for (size_t i = 0; i < fs->n; i++)
		if (!strcmp(fs->forms[i].id, id))
			return &fs->forms[i];
	return NULL;
}

const antt_indicator_t *antt_form_indicator(const antt_form_t *f, const char *code)
{
	for (size_t i = 0; i < f->n_indicators; i++)
		if (!strcmp(f->indicators[i].code, code))
			return &f->indicators[i];
	return NULL;
}

static char *s_join(size_t n, const char *(*get)(const void *, size_t), const void *ctx)
{
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(get(ctx, i)) + 2;
	char *s = antt_xmalloc(len), *p = s;
	*p = '\0';
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s%s", i ? ", " : "", get(ctx, i));
	return s;
}

static const char *s_form_id(const void *ctx, size_t i)
{
	return ((const antt_forms_t *)ctx)->forms[i].id;
}

static const char *s_ind_code(const void *ctx, size_t i)
{
	return ((const antt_form_t *)ctx)->indicators[i].code;
}

char *antt_forms_list_ids(const antt_forms_t *fs)
{
	return s_join(fs->n, s_form_id, fs);
}

char *antt_form_list_codes(const antt_form_t *f)
{
	return s_join(f->n_indicators, s_ind_code, f);
}
