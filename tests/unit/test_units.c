/* test_units.c - the administrative units CSV (lib/units.c): the real file of
 * 2025-03 as it is, two-level trees, the CSV that spreadsheets write (quotes,
 * CRLF, a byte order mark), parents after their children, lookups, and every
 * kind of bad file, each of which must fail as a whole with ANTT_E_INVAL and a
 * message naming the line and the unit at fault. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "units.h"

#define S_REAL ANTT_SOURCE_DIR "/data/units-vn-2025-03.csv"
#define S_HEAD "code,level,type,name,parent_code\n"

/* Parse csv (strlen when len is 0), failing the test with the message if it is refused. */
static void s_parse_ok(const char *csv, size_t len, antt_units_t *u)
{
	char err[ANTT_ERR_MAX] = "";
	int rc = antt_units_parse(csv, len ? len : strlen(csv), u, err);
	if (rc)
		fail_msg("refused (%d): %s\n--- csv:\n%s", rc, err, csv);
}

static const antt_unit_t *s_get(const antt_units_t *u, const char *code)
{
	long i = antt_units_find(u, code);
	if (i < 0)
		fail_msg("unit %s not found", code);
	assert_true((size_t)i < u->n);
	assert_string_equal(u->v[i].code, code);
	return &u->v[i];
}

static void s_assert_anc(const antt_unit_t *x, const char *a1, const char *a2, const char *a3)
{
	const char *want[ANTT_UNITS_DEPTH] = {a1, a2, a3};
	for (int d = 0; d < ANTT_UNITS_DEPTH; d++) {
		if (!want[d])
			assert_null(x->anc[d]);
		else if (!x->anc[d] || strcmp(x->anc[d], want[d]))
			fail_msg("unit %s: anc[%d] = %s, expected %s", x->code, d,
			         x->anc[d] ? x->anc[d] : "NULL", want[d]);
	}
}

/* What every successful parse must give: each unit found at its own index,
 * its ancestors its parent's plus itself, depth 1 exactly when no parent. */
static void s_assert_consistent(const antt_units_t *u)
{
	for (size_t i = 0; i < u->n; i++) {
		const antt_unit_t *x = &u->v[i];
		assert_int_equal(antt_units_find(u, x->code), (long)i);
		assert_true(x->depth >= 1 && x->depth <= ANTT_UNITS_DEPTH);
		assert_string_equal(x->anc[x->depth - 1], x->code);
		for (int d = x->depth; d < ANTT_UNITS_DEPTH; d++)
			assert_null(x->anc[d]);
		if (!x->parent) {
			assert_int_equal(x->depth, 1);
			continue;
		}
		const antt_unit_t *p = s_get(u, x->parent);
		assert_int_equal(x->depth, p->depth + 1);
		for (int d = 0; d < p->depth; d++)
			assert_ptr_equal(x->anc[d], p->anc[d]);
	}
}

static char *s_read_real(size_t *len)
{
	char err[ANTT_ERR_MAX] = "", *csv = NULL;
	if (antt_read_file(S_REAL, 16 << 20, &csv, len, err))
		fail_msg("the real units file is needed: %s", err);
	return csv;
}

/* The real file of 01/03/2025 imports as it is (its speed is measured by
 * the benchmarks, not here). */
static void test_real_file(void **state)
{
	(void)state;
	size_t len;
	char *csv = s_read_real(&len);
	antt_units_t u;
	s_parse_ok(csv, len, &u);

	size_t per[4] = {0};
	for (size_t i = 0; i < u.n; i++) {
		const antt_unit_t *x = &u.v[i];
		int l = !strcmp(x->level, "province")   ? 1
		        : !strcmp(x->level, "district") ? 2
		        : !strcmp(x->level, "commune")  ? 3
		                                        : 0;
		if (l == 0)
			fail_msg("unit %s has level %s", x->code, x->level);
		/* the real tree has all three levels everywhere */
		assert_int_equal(x->depth, l);
		assert_true(x->name[0] != '\0');
		per[l]++;
	}
	assert_int_equal(per[1], 63);
	assert_int_equal(per[2], 696);
	assert_int_equal(per[3], 10047);
	assert_int_equal(u.n, 10806);
	s_assert_consistent(&u);

	/* in file order */
	assert_string_equal(u.v[0].code, "01");
	assert_string_equal(u.v[0].name, "Thành phố Hà Nội");
	assert_null(u.v[0].parent);

	const antt_unit_t *nt = s_get(&u, "12346");
	assert_string_equal(nt->name, "Xã Nhật Tân");
	assert_string_equal(nt->type, "Xã");
	assert_string_equal(nt->level, "commune");
	assert_string_equal(nt->parent, "332");
	assert_int_equal(nt->depth, 3);
	s_assert_anc(nt, "33", "332", "12346");

	const antt_unit_t *tl = s_get(&u, "332");
	assert_string_equal(tl->name, "Huyện Tiên Lữ");
	assert_int_equal(tl->depth, 2);
	s_assert_anc(tl, "33", "332", NULL);
	const antt_unit_t *hy = s_get(&u, "33");
	assert_string_equal(hy->name, "Tỉnh Hưng Yên");
	assert_int_equal(hy->depth, 1);
	assert_null(hy->parent);
	s_assert_anc(hy, "33", NULL, NULL);
	s_assert_anc(s_get(&u, "894"), "89", "894", NULL);
	s_assert_anc(s_get(&u, "387"), "38", "387", NULL);

	antt_units_clear(&u);
	assert_null(u.v);
	assert_null(u.by_code);
	assert_int_equal(u.n, 0);
	antt_units_clear(&u); /* twice is harmless */
	free(csv);
}

/* Errors in the real file are found by line, however far down. */
static void test_real_file_errors(void **state)
{
	(void)state;
	size_t len;
	char *csv = s_read_real(&len);
	assert_true(len > 0 && csv[len - 1] == '\n');
	static const struct {
		const char *row, *want[3];
	} cases[] = {
	    {"12346,commune,Xã,Xã Nhật Tân,332\n",
	     {"line 10808:", "unit 12346", "first at line 3958"}},
	    {"99999,commune,Xã,Xã Mới,998\n", {"line 10808:", "unit 99999", "\"998\""}},
	    {"999,district,Huyện,Huyện Mới,332\n",
	     {"line 10808:", "unit 999", "parent 332 (line 3955) is a district"}},
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		size_t n = strlen(cases[c].row);
		char *bad = antt_xmalloc(len + n);
		memcpy(bad, csv, len);
		memcpy(bad + len, cases[c].row, n);
		char err[ANTT_ERR_MAX] = "";
		antt_units_t u;
		assert_int_equal(antt_units_parse(bad, len + n, &u, err), ANTT_E_INVAL);
		assert_null(u.v);
		assert_int_equal(u.n, 0);
		for (int k = 0; k < 3; k++)
			tu_assert_contains(err, cases[c].want[k]);
		free(bad);
	}
	free(csv);
}

/* After the 2025 reform a province may hold communes directly; both shapes may mix. */
static void test_two_level(void **state)
{
	(void)state;
	antt_units_t u;
	s_parse_ok(S_HEAD "33,province,Tỉnh,Tỉnh Hưng Yên,\n"
	                  "12346,commune,Xã,Xã Nhật Tân,33\n"
	                  "12347,commune,Xã,Xã Hưng Đạo,33\n"
	                  "01,province,Thành phố Trung ương,Thành phố Hà Nội,\n"
	                  "001,district,Quận,Quận Ba Đình,01\n"
	                  "00001,commune,Phường,Phường Phúc Xá,001\n",
	           0, &u);
	assert_int_equal(u.n, 6);
	s_assert_consistent(&u);
	const antt_unit_t *nt = s_get(&u, "12346");
	assert_int_equal(nt->depth, 2);
	s_assert_anc(nt, "33", "12346", NULL);
	assert_string_equal(nt->parent, "33");
	s_assert_anc(s_get(&u, "00001"), "01", "001", "00001");
	antt_units_clear(&u);
}

/* Parents may come after their children, in any order. */
static void test_out_of_order(void **state)
{
	(void)state;
	antt_units_t u;
	s_parse_ok(S_HEAD "12346,commune,Xã,Xã Nhật Tân,332\n"
	                  "00001,commune,Phường,Phường Phúc Xá,001\n"
	                  "332,district,Huyện,Huyện Tiên Lữ,33\n"
	                  "12345,commune,Thị trấn,Thị trấn Vương,332\n"
	                  "001,district,Quận,Quận Ba Đình,01\n"
	                  "33,province,Tỉnh,Tỉnh Hưng Yên,\n"
	                  "01,province,Thành phố Trung ương,Thành phố Hà Nội,\n",
	           0, &u);
	assert_int_equal(u.n, 7);
	s_assert_consistent(&u);
	/* file order is kept */
	assert_string_equal(u.v[0].code, "12346");
	assert_string_equal(u.v[6].code, "01");
	s_assert_anc(&u.v[0], "33", "332", "12346");
	s_assert_anc(&u.v[1], "01", "001", "00001");
	s_assert_anc(&u.v[3], "33", "332", "12345");
	assert_string_equal(u.v[3].type, "Thị trấn");
	antt_units_clear(&u);
}

/* What a spreadsheet writes when officials save the file: a byte order mark,
 * CRLF, fields in double quotes holding commas and "" for a quote, empty
 * lines, no line end at the end. */
static void test_spreadsheet_csv(void **state)
{
	(void)state;
	antt_units_t u;
	s_parse_ok("\xef\xbb\xbf"
	           "\"code\",\"level\",\"type\",\"name\",\"parent_code\"\r\n"
	           "\"33\",\"province\",\"Tỉnh\",\"Tỉnh Hưng Yên\",\"\"\r\n"
	           "\r\n"
	           "332,district,Huyện,\"Huyện Tiên Lữ, Hưng Yên\",33\r\n"
	           "12346,commune,,\"Xã \"\"Nhật Tân\"\"\",\"332\"\r\n"
	           "12347,commune,\"\",\"\"\"\",332",
	           0, &u);
	assert_int_equal(u.n, 4);
	s_assert_consistent(&u);
	assert_null(s_get(&u, "33")->parent);
	assert_string_equal(s_get(&u, "33")->name, "Tỉnh Hưng Yên");
	assert_string_equal(s_get(&u, "332")->name, "Huyện Tiên Lữ, Hưng Yên");
	const antt_unit_t *nt = s_get(&u, "12346");
	assert_string_equal(nt->name, "Xã \"Nhật Tân\"");
	assert_string_equal(nt->type, "");
	s_assert_anc(nt, "33", "332", "12346");
	assert_string_equal(s_get(&u, "12347")->name, "\"");
	antt_units_clear(&u);

	/* CR alone (old Mac spreadsheets), and the last line without its end */
	s_parse_ok("code,level,type,name,parent_code\r"
	           "33,province,Tỉnh,Tỉnh Hưng Yên,\r"
	           "12346,commune,Xã,Xã Nhật Tân,33",
	           0, &u);
	assert_int_equal(u.n, 2);
	s_assert_anc(s_get(&u, "12346"), "33", "12346", NULL);
	antt_units_clear(&u);
}

static void test_find(void **state)
{
	(void)state;
	antt_units_t u;
	s_parse_ok(S_HEAD "33,province,Tỉnh,Tỉnh Hưng Yên,\n"
	                  "332,district,Huyện,Huyện Tiên Lữ,33\n"
	                  "12346,commune,Xã,Xã Nhật Tân,332\n"
	                  "01,province,Thành phố Trung ương,Thành phố Hà Nội,\n",
	           0, &u);
	assert_int_equal(antt_units_find(&u, "33"), 0);
	assert_int_equal(antt_units_find(&u, "332"), 1);
	assert_int_equal(antt_units_find(&u, "12346"), 2);
	assert_int_equal(antt_units_find(&u, "01"), 3);
	static const char *misses[] = {"", "3", "3320", "1234", "123456", "00", "02", "99", "x"};
	for (size_t i = 0; i < sizeof misses / sizeof misses[0]; i++)
		if (antt_units_find(&u, misses[i]) != -1)
			fail_msg("found \"%s\"", misses[i]);
	assert_int_equal(antt_units_find(&u, NULL), -1);
	antt_units_clear(&u);
	/* a cleared (or never parsed) set finds nothing */
	assert_int_equal(antt_units_find(&u, "33"), -1);
	antt_units_t zero = {0};
	assert_int_equal(antt_units_find(&zero, "33"), -1);
}

typedef struct {
	const char *what;
	const char *csv;
	size_t len; /* 0: strlen(csv) */
	const char *want[4];
} s_bad_t;

#define S_P "33,province,Tỉnh,Tỉnh Hưng Yên,\n"
#define S_D "332,district,Huyện,Huyện Tiên Lữ,33\n"
#define S_NUL_CODE                                                                                 \
	S_HEAD "33\0"                                                                              \
	       "4,province,Tỉnh,Tỉnh Hưng Yên,\n"
#define S_NUL_NAME S_HEAD "33,province,Tỉnh,Tỉnh\0Hưng Yên,\n"

static const s_bad_t s_bad[] = {
    /* the file as a whole */
    {"empty", "", 0, {"line 1:", "no units", "empty"}},
    {"only a byte order mark", "\xef\xbb\xbf", 0, {"line 1:", "no units"}},
    {"only empty lines", "\n\r\n\n", 0, {"no units"}},
    {"only the header", S_HEAD, 0, {"line 2:", "no units", "only the header"}},
    {"header and empty lines", S_HEAD "\n\n", 0, {"line 2:", "no units"}},
    {"UTF-16",
     "\xff\xfe"
     "c\0o\0d\0e\0",
     10,
     {"line 1:", "UTF-16", "CSV UTF-8"}},
    /* header */
    {"no header", S_P S_D, 0, {"line 1:", "header", "33,province", "code,level,type,name"}},
    {"header misspelt",
     "code,level,type,name,parent\n" S_P,
     0,
     {"line 1:", "header is \"code,level,type,name,parent\"", "expected"}},
    {"header in another order", "code,name,level,type,parent_code\n" S_P, 0, {"line 1:", "header"}},
    {"header with a column more",
     "code,level,type,name,parent_code,note\n" S_P,
     0,
     {"line 1:", "header"}},
    {"header in capitals", "Code,Level,Type,Name,Parent_code\n" S_P, 0, {"line 1:", "header"}},
    /* CSV syntax */
    {"quote never closed",
     S_HEAD S_P "332,district,Huyện,\"Huyện Tiên Lữ,33\n",
     0,
     {"line 3:", "unit 332", "field 4", "never closed"}},
    {"quote never closed in the code",
     S_HEAD S_P "\"332,district,Huyện,Huyện Tiên Lữ,33\n",
     0,
     {"line 3:", "field 1", "never closed"}},
    {"text after a quote closed on the next line",
     S_HEAD S_P "332,district,Huyện,\"Huyện\nTiên\" Lữ,33\n",
     0,
     {"line 4:", "unit 332", "field 4", "after the closing quote"}},
    {"text after a closing quote",
     S_HEAD S_P "332,district,Huyện,\"Huyện\" Tiên Lữ,33\n",
     0,
     {"line 3:", "unit 332", "field 4", "after the closing quote"}},
    /* fields */
    {"too few fields",
     S_HEAD S_P "332,district,Huyện Tiên Lữ,33\n",
     0,
     {"line 3:", "unit 332", "4 fields, expected 5"}},
    {"comma in an unquoted name",
     S_HEAD S_P "332,district,Huyện,Huyện Tiên Lữ, Hưng Yên,33\n",
     0,
     {"line 3:", "unit 332", "6 fields", "double quotes"}},
    {"one field", S_HEAD S_P "332\n", 0, {"line 3:", "unit 332", "has 1 field,"}},
    {"blank row of commas, too few", S_HEAD S_P ",,,\n", 0, {"line 3:", "4 fields"}},
    /* code */
    {"empty code",
     S_HEAD S_P ",district,Huyện,Huyện Tiên Lữ,33\n",
     0,
     {"line 3:", "code is empty"}},
    {"row of commas", S_HEAD S_P ",,,,\n", 0, {"line 3:", "code is empty"}},
    {"code with a space",
     S_HEAD S_P "33 2,district,Huyện,Huyện Tiên Lữ,33\n",
     0,
     {"line 3:", "\"33 2\"", "not valid"}},
    {"code too long",
     S_HEAD S_P "12345678901234567,district,Huyện,Huyện Tiên Lữ,33\n",
     0,
     {"line 3:", "\"12345678901234567\"", "not valid", "1 to 16"}},
    {"code not ASCII",
     S_HEAD S_P "332đ,district,Huyện,Huyện Tiên Lữ,33\n",
     0,
     {"line 3:", "\"332đ\"", "not valid"}},
    {"code with a NUL byte",
     S_NUL_CODE,
     sizeof S_NUL_CODE - 1,
     {"line 2:", "\"33\\x004\"", "not valid"}},
    /* level */
    {"unknown level",
     S_HEAD S_P "332,huyen,Huyện,Huyện Tiên Lữ,33\n",
     0,
     {"line 3:", "unit 332", "unknown level \"huyen\"", "province, district or commune"}},
    {"level in capitals",
     S_HEAD "33,Province,Tỉnh,Tỉnh Hưng Yên,\n",
     0,
     {"line 2:", "unit 33", "unknown level \"Province\""}},
    {"empty level",
     S_HEAD "33,,Tỉnh,Tỉnh Hưng Yên,\n",
     0,
     {"line 2:", "unit 33", "unknown level \"\""}},
    /* name */
    {"empty name",
     S_HEAD S_P "332,district,Huyện,,33\n",
     0,
     {"line 3:", "unit 332", "name is empty"}},
    {"blank name",
     S_HEAD S_P "332,district,Huyện,  ,33\n",
     0,
     {"line 3:", "unit 332", "name is empty"}},
    {"line break in a name",
     S_HEAD S_P "332,district,Huyện,\"Huyện\nTiên Lữ\",33\n" S_P,
     0,
     {"line 3:", "unit 332", "name has a line break"}},
    {"tab in a type",
     S_HEAD S_P "332,district,Huy\tện,Huyện Tiên Lữ,33\n",
     0,
     {"line 3:", "unit 332", "type has a line break or another control"}},
    /* UTF-8 */
    {"Windows-1258 name",
     S_HEAD S_P "332,district,Huy\xea\xd2n,Huy\xea\xd2n Ti\xean L\xdd,33\n",
     0,
     {"line 3:", "unit 332", "type is not valid UTF-8", "CSV UTF-8"}},
    {"bad UTF-8 in a name",
     S_HEAD S_P "332,district,Huyện,Huyện Ti\xc3\x28n,33\n",
     0,
     {"line 3:", "unit 332", "name is not valid UTF-8"}},
    {"overlong UTF-8 in a level",
     S_HEAD "33,provinc\xc1\xa5,Tỉnh,Tỉnh Hưng Yên,\n",
     0,
     {"line 2:", "unit 33", "level is not valid UTF-8"}},
    {"NUL byte in a name",
     S_NUL_NAME,
     sizeof S_NUL_NAME - 1,
     {"line 2:", "unit 33", "name is not valid UTF-8"}},
    /* duplicates */
    {"duplicate code",
     S_HEAD S_P S_D "12346,commune,Xã,Xã Nhật Tân,332\n" S_D,
     0,
     {"line 5:", "unit 332", "second time", "first at line 3"}},
    {"duplicate, earliest repeat reported",
     S_HEAD "01,province,T,A,\n" S_P "01,province,T,B,\n" S_P "01,province,T,C,\n",
     0,
     {"line 4:", "unit 01", "first at line 2"}},
    {"duplicate after its repeat in code order",
     S_HEAD "99,province,T,A,\n" S_P "01,province,T,B,\n"
            "99,province,T,C,\n" S_P,
     0,
     {"line 5:", "unit 99", "first at line 2"}},
    /* parents */
    {"missing parent",
     S_HEAD S_P S_D "12346,commune,Xã,Xã Nhật Tân,331\n",
     0,
     {"line 4:", "unit 12346", "missing parent \"331\"", "add the parent"}},
    {"parent with a space",
     S_HEAD S_P "332,district,Huyện,Huyện Tiên Lữ,33 \n",
     0,
     {"line 3:", "unit 332", "missing parent \"33 \""}},
    {"self-parent",
     S_HEAD S_P "332,district,Huyện,Huyện Tiên Lữ,332\n",
     0,
     {"line 3:", "unit 332", "its own parent"}},
    {"cycle of two",
     S_HEAD S_P "331,district,Huyện,A,332\n"
                "332,district,Huyện,B,331\n",
     0,
     {"line 3:", "unit 331", "own ancestor", "331 (district) -> 332 (district) -> 331"}},
    {"cycle of three, reached from outside, listed after",
     S_HEAD S_P "12346,commune,Xã,Xã Nhật Tân,12345\n"
                "12347,commune,Xã,C,12348\n"
                "12345,commune,Xã,A,12347\n"
                "12348,commune,Xã,B,12345\n",
     0,
     {"line 4:", "unit 12347", "own ancestor",
      "12347 (commune) -> 12348 (commune) -> "
      "12345 (commune) -> 12347"}},
    {"tree of four levels",
     S_HEAD S_P S_D "12346,commune,Xã,Xã Nhật Tân,332\n"
                    "12399,commune,Thôn,Thôn Một,12346\n",
     0,
     {"line 5:", "unit 12399", "4 levels deep",
      "12399 (commune) -> 12346 (commune) -> "
      "332 (district) -> 33 (province)"}},
    {"tree of five levels, out of order",
     S_HEAD "5,commune,T,E,4\n"
            "4,commune,T,D,3\n"
            "3,commune,T,C,2\n"
            "2,district,T,B,1\n"
            "1,province,T,A,\n",
     0,
     {"line 2:", "unit 5", "5 levels deep"}},
    /* levels */
    {"province with a parent",
     S_HEAD S_P "01,province,Tỉnh,Tỉnh Khác,33\n",
     0,
     {"line 3:", "unit 01", "province but has parent_code 33"}},
    {"district at the top",
     S_HEAD S_P "332,district,Huyện,Huyện Tiên Lữ,\n",
     0,
     {"line 3:", "unit 332", "district but has no parent_code", "its province"}},
    {"commune at the top",
     S_HEAD "12346,commune,Xã,Xã Nhật Tân,\n",
     0,
     {"line 2:", "unit 12346", "commune but has no parent_code", "district or province"}},
    {"district below a district",
     S_HEAD S_P S_D "333,district,Huyện,Huyện Khác,332\n",
     0,
     {"line 4:", "unit 333", "its parent 332 (line 3) is a district", "must be a province"}},
    {"district below a commune",
     S_HEAD S_P "12346,commune,Xã,Xã Nhật Tân,33\n"
                "333,district,Huyện,Huyện Khác,12346\n",
     0,
     {"line 4:", "unit 333", "its parent 12346 (line 3) is a commune"}},
    {"commune below a commune",
     S_HEAD S_P "12346,commune,Xã,Xã Nhật Tân,33\n"
                "12347,commune,Xã,Xã Khác,12346\n",
     0,
     {"line 4:", "unit 12347", "its parent 12346 (line 3) is a commune", "district or a province"}},
};

static size_t s_bad_len(const s_bad_t *b)
{
	return b->len ? b->len : strlen(b->csv);
}

static void test_bad_files(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof s_bad / sizeof s_bad[0]; i++) {
		const s_bad_t *b = &s_bad[i];
		char err[ANTT_ERR_MAX] = "";
		antt_units_t u;
		memset(&u, 0xa5, sizeof u); /* overwritten, not freed */
		int rc = antt_units_parse(b->csv, s_bad_len(b), &u, err);
		if (rc != ANTT_E_INVAL)
			fail_msg("%s: rc %d, expected ANTT_E_INVAL (%s)", b->what, rc, err);
		assert_null(u.v);
		assert_null(u.by_code);
		assert_int_equal(u.n, 0);
		for (int k = 0; k < 4 && b->want[k]; k++)
			if (!strstr(err, b->want[k]))
				fail_msg("%s: message \"%s\" does not contain \"%s\"", b->what, err,
				         b->want[k]);
		/* every message says what to do, in parentheses */
		if (!strchr(err, '('))
			fail_msg("%s: message \"%s\" gives no advice", b->what, err);
		/* err may be NULL */
		assert_int_equal(antt_units_parse(b->csv, s_bad_len(b), &u, NULL), ANTT_E_INVAL);
	}
}

/* A parse reads only len bytes: the same text cut short is a different file. */
static void test_len_bounds(void **state)
{
	(void)state;
	const char *csv = S_HEAD S_P S_D "garbage that is not read";
	antt_units_t u;
	s_parse_ok(csv, strlen(S_HEAD S_P S_D), &u);
	assert_int_equal(u.n, 2);
	antt_units_clear(&u);
	char err[ANTT_ERR_MAX] = "";
	/* cut inside the district's row: 3 fields */
	assert_int_equal(antt_units_parse(csv, strlen(S_HEAD S_P "332,district,Huy"), &u, err),
	                 ANTT_E_INVAL);
	tu_assert_contains(err, "line 3:");
	tu_assert_contains(err, "3 fields");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_real_file),       cmocka_unit_test(test_real_file_errors),
	    cmocka_unit_test(test_two_level),       cmocka_unit_test(test_out_of_order),
	    cmocka_unit_test(test_spreadsheet_csv), cmocka_unit_test(test_find),
	    cmocka_unit_test(test_bad_files),       cmocka_unit_test(test_len_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
