/* test_forms.c - loading report forms (lib/forms.c): the forms shipped in
 * config/forms, and bad form folders, each of which must fail the whole load
 * with ANTT_E_CONFIG and a message naming the file (or folder) at fault. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "forms.h"
#include "record.h"

/* Does s contain a character outside ASCII, and is it valid UTF-8? */
static int s_is_vietnamese(const char *s)
{
	int high = 0;
	for (const char *p = s; *p; p++)
		high |= (unsigned char)*p >= 0x80;
	return high && antt_valid_utf8(s, strlen(s));
}

static void test_shipped_forms(void **state)
{
	(void)state;
	char err[ANTT_ERR_MAX] = "";
	antt_forms_t *fs = NULL;
	int rc = antt_forms_load(ANTT_SOURCE_DIR "/config/forms", &fs, err);
	if (rc)
		fail_msg("loading config/forms: %s", err);
	assert_non_null(fs);
	assert_int_equal(fs->n, 2);
	/* sorted by id */
	assert_string_equal(fs->forms[0].id, "bvanttq-event");
	assert_string_equal(fs->forms[1].id, "bvanttq-monthly");

	const antt_form_t *m = antt_forms_find(fs, "bvanttq-monthly");
	assert_ptr_equal(m, &fs->forms[1]);
	assert_int_equal(m->periodic, 1);
	assert_int_equal(m->period, ANTT_PERIOD_MONTH);
	assert_int_equal(m->deadline_days, 5);
	assert_int_equal(fs->forms[0].deadline_days, -1);
	const antt_form_t *e = antt_forms_find(fs, "bvanttq-event");
	assert_ptr_equal(e, &fs->forms[0]);
	assert_int_equal(e->periodic, 0);
	assert_int_equal(e->period, ANTT_PERIOD_DAY);
	assert_null(antt_forms_find(fs, "bvanttq"));

	for (size_t i = 0; i < fs->n; i++) {
		const antt_form_t *f = &fs->forms[i];
		assert_true(s_is_vietnamese(f->title));
		assert_true(f->n_indicators > 0);
		for (size_t j = 0; j < f->n_indicators; j++) {
			const antt_indicator_t *ind = &f->indicators[j];
			assert_true(antt_valid_name(ind->code));
			if (!s_is_vietnamese(ind->label))
				fail_msg("%s: label of %s is not Vietnamese text: \"%s\"", f->id,
				         ind->code, ind->label);
			assert_ptr_equal(antt_form_indicator(f, ind->code), ind);
		}
	}
	const antt_indicator_t *hop = antt_form_indicator(m, "hop_dan");
	assert_non_null(hop);
	assert_string_equal(hop->label, "Số cuộc họp dân");
	assert_null(antt_form_indicator(m, "hop"));
	assert_null(antt_form_indicator(e, "hop_dan")); /* monthly only */

	char *ids = antt_forms_list_ids(fs);
	assert_string_equal(ids, "bvanttq-event, bvanttq-monthly");
	free(ids);
	char *codes = antt_form_list_codes(e);
	tu_assert_contains(codes, "tin_bao, to_giac, ");
	free(codes);
	antt_forms_destroy(&fs);
	assert_null(fs);
}

/* A good form file, to put next to a bad one. */
static const char s_good[] = "{\"id\": \"good\", \"kind\": \"periodic\", \"period\": \"year\", "
                             "\"title\": \"Báo cáo năm\", \"indicators\": "
                             "[{\"code\": \"a\", \"label\": \"Chỉ tiêu A\"}]}";

typedef struct {
	const char *what;
	const char *json;
	const char *says; /* expected in the message besides the file name */
} s_bad_t;

static const s_bad_t s_bad[] = {
    {"invalid JSON", "{\"id\": \"x\", ", "bad.json:1:"},
    {"not an object", "[1, 2]", "\"id\""},
    {"duplicate key", "{\"id\": \"x\", \"id\": \"y\"}", "duplicate"},
    {"unknown key",
     "{\"id\": \"x\", \"kind\": \"event\", \"period\": \"day\", \"title\": \"T\", "
     "\"indicators\": [{\"code\": \"a\", \"label\": \"A\"}], \"colour\": \"red\"}",
     "unknown key \"colour\""},
    {"negative deadline",
     "{\"id\": \"x\", \"kind\": \"periodic\", \"period\": \"month\", \"title\": \"T\", "
     "\"deadline_days\": -1, \"indicators\": [{\"code\": \"a\", \"label\": \"A\"}]}",
     "\"deadline_days\""},
    {"deadline not a number",
     "{\"id\": \"x\", \"kind\": \"periodic\", \"period\": \"month\", \"title\": \"T\", "
     "\"deadline_days\": \"5\", \"indicators\": [{\"code\": \"a\", \"label\": \"A\"}]}",
     "\"deadline_days\""},
    {"deadline of an event form",
     "{\"id\": \"x\", \"kind\": \"event\", \"period\": \"day\", \"title\": \"T\", "
     "\"deadline_days\": 5, \"indicators\": [{\"code\": \"a\", \"label\": \"A\"}]}",
     "only a periodic form"},
    {"bad id",
     "{\"id\": \"-x\", \"kind\": \"event\", \"period\": \"day\", \"title\": \"T\", "
     "\"indicators\": [{\"code\": \"a\", \"label\": \"A\"}]}",
     "\"id\""},
    {"bad kind",
     "{\"id\": \"x\", \"kind\": \"daily\", \"period\": \"day\", \"title\": \"T\", "
     "\"indicators\": [{\"code\": \"a\", \"label\": \"A\"}]}",
     "\"kind\""},
    {"bad period",
     "{\"id\": \"x\", \"kind\": \"event\", \"period\": \"week\", \"title\": \"T\", "
     "\"indicators\": [{\"code\": \"a\", \"label\": \"A\"}]}",
     "\"period\""},
    {"missing title",
     "{\"id\": \"x\", \"kind\": \"event\", \"period\": \"day\", "
     "\"indicators\": [{\"code\": \"a\", \"label\": \"A\"}]}",
     "\"title\""},
    {"duplicate indicator code",
     "{\"id\": \"x\", \"kind\": \"event\", \"period\": \"day\", \"title\": \"T\", "
     "\"indicators\": [{\"code\": \"a\", \"label\": \"A\"}, {\"code\": \"b\", \"label\": \"B\"}, "
     "{\"code\": \"a\", \"label\": \"A again\"}]}",
     "indicator code a appears twice"},
    {"empty indicators",
     "{\"id\": \"x\", \"kind\": \"event\", \"period\": \"day\", \"title\": \"T\", "
     "\"indicators\": []}",
     "\"indicators\""},
    {"indicators not a list",
     "{\"id\": \"x\", \"kind\": \"event\", \"period\": \"day\", \"title\": \"T\", "
     "\"indicators\": {\"a\": \"A\"}}",
     "\"indicators\""},
    {"bad indicator code",
     "{\"id\": \"x\", \"kind\": \"event\", \"period\": \"day\", \"title\": \"T\", "
     "\"indicators\": [{\"code\": \"a\", \"label\": \"A\"}, {\"code\": \"b c\", \"label\": "
     "\"B\"}]}",
     "indicator 2"},
    {"indicator without label",
     "{\"id\": \"x\", \"kind\": \"event\", \"period\": \"day\", \"title\": \"T\", "
     "\"indicators\": [{\"code\": \"a\"}]}",
     "indicator 1"},
    {"indicator with an extra key",
     "{\"id\": \"x\", \"kind\": \"event\", \"period\": \"day\", \"title\": \"T\", "
     "\"indicators\": [{\"code\": \"a\", \"label\": \"A\", \"unit\": \"kg\"}]}",
     "indicator 1"},
};

/* Each bad file, alone and next to a good file, fails the load. */
static void test_bad_files(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof s_bad / sizeof s_bad[0]; i++) {
		for (int with_good = 0; with_good < 2; with_good++) {
			char *dir = tu_mkdtemp();
			char *bad = tu_path(dir, "bad.json"), *good = tu_path(dir, "good.json");
			tu_write_text(bad, s_bad[i].json);
			if (with_good)
				tu_write_text(good, s_good);
			char err[ANTT_ERR_MAX] = "";
			antt_forms_t *fs = (antt_forms_t *)1;
			int rc = antt_forms_load(dir, &fs, err);
			if (rc != ANTT_E_CONFIG)
				fail_msg("%s: load returned %d (%s)", s_bad[i].what, rc, err);
			assert_null(fs);
			tu_assert_contains(err, bad);
			tu_assert_contains(err, s_bad[i].says);
			free(bad);
			free(good);
			tu_rmtree(dir);
		}
	}
}

static void test_duplicate_form_id(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	char *a = tu_path(dir, "a.json"), *b = tu_path(dir, "b.json");
	tu_write_text(a, s_good);
	tu_write_text(b, s_good);
	char err[ANTT_ERR_MAX] = "";
	antt_forms_t *fs = (antt_forms_t *)1;
	assert_int_equal(antt_forms_load(dir, &fs, err), ANTT_E_CONFIG);
	assert_null(fs);
	tu_assert_contains(err, dir);
	tu_assert_contains(err, "form id good is defined twice");
	free(a);
	free(b);
	tu_rmtree(dir);
}

static void test_empty_and_missing_folder(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	char err[ANTT_ERR_MAX] = "";
	antt_forms_t *fs = (antt_forms_t *)1;

	assert_int_equal(antt_forms_load(dir, &fs, err), ANTT_E_CONFIG);
	assert_null(fs);
	tu_assert_contains(err, dir);
	tu_assert_contains(err, "no form");

	/* files that are not *.json forms are not forms */
	char *txt = tu_path(dir, "readme.txt"), *hidden = tu_path(dir, ".hidden.json"),
	     *bare = tu_path(dir, ".json");
	tu_write_text(txt, "not a form");
	tu_write_text(hidden, "not a form either");
	tu_write_text(bare, "nor this");
	fs = (antt_forms_t *)1;
	assert_int_equal(antt_forms_load(dir, &fs, err), ANTT_E_CONFIG);
	assert_null(fs);
	tu_assert_contains(err, "no form");

	/* and with one good form next to them, the load succeeds */
	char *good = tu_path(dir, "good.json");
	tu_write_text(good, s_good);
	assert_int_equal(antt_forms_load(dir, &fs, err), ANTT_OK);
	assert_int_equal(fs->n, 1);
	assert_string_equal(fs->forms[0].title, "Báo cáo năm");
	antt_forms_destroy(&fs);

	char *missing = tu_path(dir, "no-such-folder");
	fs = (antt_forms_t *)1;
	assert_int_equal(antt_forms_load(missing, &fs, err), ANTT_E_CONFIG);
	assert_null(fs);
	tu_assert_contains(err, missing);
	tu_assert_contains(err, "No such file");
	free(txt);
	free(hidden);
	free(bare);
	free(good);
	free(missing);
	tu_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shipped_forms),
	    cmocka_unit_test(test_bad_files),
	    cmocka_unit_test(test_duplicate_form_id),
	    cmocka_unit_test(test_empty_and_missing_folder),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
