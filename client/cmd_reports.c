/* cmd_reports.c - the commands of a hub's officers: units import, report,
 * missing, history, export, rebuild.  Each is one request to anttd
 * (docs/control.md); the answers are printed as aligned tables (unit names
 * in Vietnamese), CSV for spreadsheets, or JSON. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "common.h"
#include "ctlproto.h"

#define TIMEOUT_MS 120000

enum { OPT_JSON = 1000, OPT_CSV, OPT_BY, OPT_UNITS };

/* The options of every report command; NULL where the command takes none. */
typedef struct {
	const char *period, *unit, *form, *by, *units;
	int csv;
} s_opts_t;

/* Parse argv; 0, or EX_USAGE after printing the usage. */
static int s_parse(antt_cli_t *cli, const char *usage, const char *takes, s_opts_t *o)
{
	static const struct option opts[] = {{"period", required_argument, NULL, 'p'},
	                                     {"unit", required_argument, NULL, 'u'},
	                                     {"form", required_argument, NULL, 'f'},
	                                     {"by", required_argument, NULL, OPT_BY},
	                                     {"units", required_argument, NULL, OPT_UNITS},
	                                     {"csv", no_argument, NULL, OPT_CSV},
	                                     {"json", no_argument, NULL, OPT_JSON},
	                                     {"config", required_argument, NULL, 'c'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {0}};
	int opt;
	memset(o, 0, sizeof *o);
	optind = 1;
	while ((opt = getopt_long(cli->argc, cli->argv, "c:h", opts, NULL)) != -1) {
		const char *name = opt == 'p'         ? "period"
		                   : opt == 'u'       ? "unit"
		                   : opt == 'f'       ? "form"
		                   : opt == OPT_BY    ? "by"
		                   : opt == OPT_CSV   ? "csv"
		                   : opt == OPT_UNITS ? "units"
		                                      : NULL;
		char word[16];
		snprintf(word, sizeof word, " %s ", name ? name : "");
		if (name && !strstr(takes, word)) {
			antt_cli_err("this command takes no --%s", name);
			opt = '?';
		}
		switch (opt) {
		case 'p': o->period = optarg; break;
		case 'u': o->unit = optarg; break;
		case 'f': o->form = optarg; break;
		case OPT_BY: o->by = optarg; break;
		case OPT_UNITS: o->units = optarg; break;
		case OPT_CSV: o->csv = 1; break;
		case OPT_JSON: cli->json = 1; break;
		case 'c': cli->conf = optarg; break;
		case 'h': printf("usage: antt %s\n", usage); exit(0);
		default: fprintf(stderr, "usage: antt %s\n", usage); return EX_USAGE;
		}
	}
	if (optind != cli->argc) {
		antt_cli_err("unexpected argument '%s'", cli->argv[optind]);
		fprintf(stderr, "usage: antt %s\n", usage);
		return EX_USAGE;
	}
	if (cli->json && o->csv) {
		antt_cli_err("--csv and --json: choose one");
		return EX_USAGE;
	}
	return 0;
}

static json_t *s_req(const char *op, const s_opts_t *o)
{
	json_t *req = json_pack("{s:s}", "op", op);
	if (o->period)
		json_object_set_new(req, "period", json_string(o->period));
	if (o->unit)
		json_object_set_new(req, "unit", json_string(o->unit));
	if (o->form)
		json_object_set_new(req, "form", json_string(o->form));
	if (o->by)
		json_object_set_new(req, "by", json_string(o->by));
	if (o->units)
		json_object_set_new(req, "units", json_string(o->units));
	return req;
}

static const char *s_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static json_int_t s_int(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* ---- tables ---- */

/* Columns on a terminal: one per code point (Vietnamese text is
 * precomposed, NFC), not per byte. */
static size_t s_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

typedef struct {
	size_t rows, cols;
	char **cell; /* rows x cols, owned */
} s_table_t;

static void s_table_init(s_table_t *t, size_t cols)
{
	t->rows = 0;
	t->cols = cols;
	t->cell = NULL;
}

static void s_table_row(s_table_t *t)
{
	t->cell = antt_xrealloc(t->cell, (t->rows + 1) * t->cols * sizeof *t->cell);
	memset(t->cell + t->rows * t->cols, 0, t->cols * sizeof *t->cell);
	t->rows++;
}

static void s_table_set(s_table_t *t, size_t col, const char *text)
{
	char **c = &t->cell[(t->rows - 1) * t->cols + col];
	free(*c);
	*c = antt_xstrdup(text);
}

static void s_table_int(s_table_t *t, size_t col, json_int_t v)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, v);
	s_table_set(t, col, buf);
}

/* Print aligned: the first column left, the others right; a rule under
 * the first row.  Frees the table. */
static void s_table_print(s_table_t *t)
{
	size_t *w = antt_xcalloc(t->cols, sizeof *w);
	for (size_t r = 0; r < t->rows; r++)
		for (size_t c = 0; c < t->cols; c++) {
			const char *s = t->cell[r * t->cols + c];
			size_t x = s ? s_width(s) : 0;
			if (x > w[c])
				w[c] = x;
		}
	for (size_t r = 0; r < t->rows; r++) {
		for (size_t c = 0; c < t->cols; c++) {
			const char *s = t->cell[r * t->cols + c];
			size_t pad = w[c] - (s ? s_width(s) : 0);
			if (c)
				printf("  %*s%s", (int)pad, "", s ? s : "");
			else
				printf("%s%*s", s ? s : "", (int)pad, "");
		}
		putchar('\n');
		if (r == 0) {
			size_t all = 0;
			for (size_t c = 0; c < t->cols; c++)
				all += w[c] + (c ? 2 : 0);
			for (size_t i = 0; i < all; i++)
				putchar('-');
			putchar('\n');
		}
	}
	for (size_t i = 0; i < t->rows * t->cols; i++)
		free(t->cell[i]);
	free(t->cell);
	free(w);
}

/* One CSV field (RFC 4180). */
static void s_csv(const char *s, int last)
{
	if (strpbrk(s, ",\"\r\n")) {
		putchar('"');
		for (; *s; s++) {
			if (*s == '"')
				putchar('"');
			putchar(*s);
		}
		putchar('"');
	} else {
		fputs(s, stdout);
	}
	putchar(last ? '\n' : ',');
}

static void s_csv_int(json_int_t v, int last)
{
	printf("%" JSON_INTEGER_FORMAT "%c", v, last ? '\n' : ',');
}

static void s_time(json_int_t t, char buf[32])
{
	/* Vietnam time: what the officers' deadlines are written in */
	time_t tt = (time_t)t + 7 * 3600;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, 32, "%Y-%m-%d %H:%M", &tm);
}

static const char *s_scope_name(json_t *resp, char *buf, size_t size)
{
	json_t *u = json_object_get(resp, "unit");
	const char *list = s_str(u, "list");
	char in[64] = "";
	if (json_is_string(json_object_get(u, "scope_list")))
		snprintf(in, sizeof in, " in the units of list %s", list);
	else if (*list && strcmp(list, "loaded"))
		snprintf(in, sizeof in, ", list %s", list);
	if (json_is_string(json_object_get(u, "code")))
		snprintf(buf, size, "%s (%s)%s", s_str(u, "name"), s_str(u, "code"), in);
	else
		snprintf(buf, size, "%s%s", s_str(u, "name"), in);
	return buf;
}

/* ---- units ---- */

/* What the package ships (data/README.md), loaded in this order by antt
 * units import with no file: each list before the links that join them. */
static const struct {
	const char *file, *list, *from, *to; /* list NULL: a links file */
	const char *old, *new;
} s_shipped[] = {
    {"units-vn-2025-03.csv", "2025-03", "2025-03-01", "2025-06-30", NULL, NULL},
    {"units-vn-2025-07.csv", "2025-07", "2025-07-01", NULL, NULL, NULL},
    {"units-vn-2025-03-to-2025-07.csv", NULL, NULL, NULL, "2025-03", "2025-07"},
};

/* One import: file sent with req (taken); prints what was loaded unless
 * out is given (then the reply, without "ok", is appended to it). */
static int s_units_send(antt_cli_t *cli, const char *file, json_t *req, json_t *out)
{
	char *text, err[ANTT_ERR_MAX];
	size_t len;
	int rc = antt_read_file(file, ANTT_CTL_MSG_MAX - 4096, &text, &len, err);
	if (rc) {
		json_decref(req);
		antt_cli_err("%s", err);
		return rc == ANTT_E_INVAL ? EXIT_REFUSED : EXIT_NOINPUT;
	}
	json_t *resp;
	int links = json_is_true(json_object_get(req, "links"));
	int ret = antt_cli_call(cli, req, text, len, file, TIMEOUT_MS, &resp);
	free(text);
	if (ret)
		return ret;
	json_object_del(resp, "ok");
	if (out) {
		json_object_set_new(resp, "file", json_string(file));
		json_array_append_new(out, resp);
		return 0;
	}
	if (cli->json) {
		antt_cli_print_json(resp);
	} else if (links) {
		printf("%" JSON_INTEGER_FORMAT " links loaded from %s, list %s -> list %s "
		       "(%" JSON_INTEGER_FORMAT " full, %" JSON_INTEGER_FORMAT " partial)\n",
		       s_int(resp, "links"), file, s_str(resp, "old"), s_str(resp, "new"),
		       s_int(resp, "full"), s_int(resp, "partial"));
	} else {
		json_t *d = json_object_get(resp, "by_depth");
		char as[96] = "", levels[128];
		if (json_object_get(resp, "list")) {
			if (json_is_string(json_object_get(resp, "to")))
				snprintf(as, sizeof as, " as list %s, in force from %s to %s",
				         s_str(resp, "list"), s_str(resp, "from"),
				         s_str(resp, "to"));
			else
				snprintf(as, sizeof as, " as list %s, in force from %s on",
				         s_str(resp, "list"), s_str(resp, "from"));
		}
		/* the levels the file has: two since July 2025 */
		json_int_t n3 = json_integer_value(json_array_get(d, 2));
		int off = snprintf(levels, sizeof levels,
		                   "%" JSON_INTEGER_FORMAT " top level, %" JSON_INTEGER_FORMAT
		                   " below them",
		                   json_integer_value(json_array_get(d, 0)),
		                   json_integer_value(json_array_get(d, 1)));
		if (n3 && off > 0 && (size_t)off < sizeof levels)
			snprintf(levels + off, sizeof levels - (size_t)off,
			         ", %" JSON_INTEGER_FORMAT " below those", n3);
		printf("%" JSON_INTEGER_FORMAT " administrative units loaded from %s%s (%s)\n",
		       s_int(resp, "units"), file, as, levels);
		if (s_int(resp, "links_dropped"))
			printf("%" JSON_INTEGER_FORMAT " links to or from this list were dropped: "
			       "import the links again (antt units import --links FILE.csv --old "
			       "LIST --new LIST)\n",
			       s_int(resp, "links_dropped"));
	}
	json_decref(resp);
	return 0;
}

/* antt units import with no file: every list and links file shipped. */
static int s_units_shipped(antt_cli_t *cli)
{
	/* all of them there before any is sent: never half the lists loaded */
	for (size_t i = 0; i < sizeof s_shipped / sizeof *s_shipped; i++) {
		char file[4096];
		snprintf(file, sizeof file, "%s/%s", ANTT_DATA_DIR, s_shipped[i].file);
		if (access(file, R_OK)) {
			antt_cli_err("cannot read %s (%s): the unit lists this antt ships are "
			             "not there; reinstall the antt package, or load each file "
			             "yourself: antt units import FILE.csv --list NAME --from "
			             "YYYY-MM-DD [--to YYYY-MM-DD], then antt units import --links "
			             "FILE.csv --old LIST --new LIST; nothing was loaded",
			             file, strerror(errno));
			return EXIT_NOINPUT;
		}
	}
	json_t *done = cli->json ? json_array() : NULL;
	int ret = 0;
	for (size_t i = 0; i < sizeof s_shipped / sizeof *s_shipped && !ret; i++) {
		char file[4096];
		snprintf(file, sizeof file, "%s/%s", ANTT_DATA_DIR, s_shipped[i].file);
		json_t *req = json_pack("{s:s}", "op", "units_import");
		if (s_shipped[i].list) {
			json_object_set_new(req, "list", json_string(s_shipped[i].list));
			json_object_set_new(req, "from", json_string(s_shipped[i].from));
			if (s_shipped[i].to)
				json_object_set_new(req, "to", json_string(s_shipped[i].to));
		} else {
			json_object_set_new(req, "links", json_true());
			json_object_set_new(req, "old", json_string(s_shipped[i].old));
			json_object_set_new(req, "new", json_string(s_shipped[i].new));
		}
		ret = s_units_send(cli, file, req, done);
	}
	if (!ret && done) {
		json_t *o = json_pack("{s:O}", "imported", done);
		antt_cli_print_json(o);
		json_decref(o);
	}
	json_decref(done);
	return ret;
}

static void s_units_list_text(json_t *resp)
{
	size_t i;
	json_t *l;
	const char *now = json_string_value(json_object_get(resp, "in_force"));
	if (!json_array_size(json_object_get(resp, "lists"))) {
		printf("no administrative units loaded here (antt units import)\n");
		return;
	}
	s_table_t t;
	s_table_init(&t, 5);
	s_table_row(&t);
	s_table_set(&t, 0, "list");
	s_table_set(&t, 1, "from");
	s_table_set(&t, 2, "to");
	s_table_set(&t, 3, "units");
	s_table_set(&t, 4, "");
	json_array_foreach (json_object_get(resp, "lists"), i, l) {
		s_table_row(&t);
		s_table_set(&t, 0, s_str(l, "name"));
		s_table_set(&t, 1,
		            json_is_string(json_object_get(l, "from")) ? s_str(l, "from") : "-");
		s_table_set(&t, 2, json_is_string(json_object_get(l, "to")) ? s_str(l, "to") : "-");
		s_table_int(&t, 3, s_int(l, "units"));
		s_table_set(&t, 4, now && !strcmp(now, s_str(l, "name")) ? "in force today" : "");
	}
	s_table_print(&t);
	json_array_foreach (json_object_get(resp, "links"), i, l)
		printf("%slinks %s -> %s: %" JSON_INTEGER_FORMAT " full, %" JSON_INTEGER_FORMAT
		       " partial\n",
		       i ? "" : "\n", s_str(l, "old"), s_str(l, "new"), s_int(l, "full"),
		       s_int(l, "partial"));
}

enum { OPT_LIST = 1100, OPT_FROM, OPT_TO, OPT_LINKS, OPT_OLD, OPT_NEW };

int antt_cmd_units(antt_cli_t *cli)
{
	static const char *usage =
	    "units [list] [--json]\n"
	    "       antt units import [FILE.csv [--list NAME --from YYYY-MM-DD [--to YYYY-MM-DD]]] "
	    "[--json]\n"
	    "       antt units import --links FILE.csv --old LIST --new LIST [--json]";
	static const struct option opts[] = {{"list", required_argument, NULL, OPT_LIST},
	                                     {"from", required_argument, NULL, OPT_FROM},
	                                     {"to", required_argument, NULL, OPT_TO},
	                                     {"links", required_argument, NULL, OPT_LINKS},
	                                     {"old", required_argument, NULL, OPT_OLD},
	                                     {"new", required_argument, NULL, OPT_NEW},
	                                     {"json", no_argument, NULL, OPT_JSON},
	                                     {"config", required_argument, NULL, 'c'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {0}};
	const char *sub = cli->argc >= 2 && cli->argv[1][0] != '-' ? cli->argv[1] : "list";
	if (strcmp(sub, "list") && strcmp(sub, "import")) {
		antt_cli_err("unknown subcommand 'units %s'", sub);
		fprintf(stderr, "usage: antt %s\n", usage);
		return EX_USAGE;
	}
	int import = !strcmp(sub, "import");
	if (cli->argc >= 2 && cli->argv[1][0] != '-')
		cli->argc--, cli->argv++;
	const char *list = NULL, *from = NULL, *to = NULL, *links = NULL, *old = NULL, *new = NULL;
	int opt;
	optind = 1;
	while ((opt = getopt_long(cli->argc, cli->argv, "c:h", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_LIST: list = optarg; break;
		case OPT_FROM: from = optarg; break;
		case OPT_TO: to = optarg; break;
		case OPT_LINKS: links = optarg; break;
		case OPT_OLD: old = optarg; break;
		case OPT_NEW: new = optarg; break;
		case OPT_JSON: cli->json = 1; break;
		case 'c': cli->conf = optarg; break;
		case 'h': printf("usage: antt %s\n", usage); exit(0);
		default: fprintf(stderr, "usage: antt %s\n", usage); return EX_USAGE;
		}
	}
	const char *file = optind < cli->argc ? cli->argv[optind] : NULL;
	const char *why = NULL;
	if (optind + 1 < cli->argc)
		why = "one file at a time";
	else if (!import && (file || list || from || to || links || old || new))
		why = "units list takes no file and no option but --json";
	else if (links && (file || list || from || to))
		why =
		    "--links FILE.csv takes --old and --new, no other file, --list, --from or --to";
	else if (links && (!old || !new))
		why = "--links FILE.csv needs --old LIST and --new LIST, the lists it joins";
	else if (!links && (old || new))
		why = "--old and --new go with --links FILE.csv";
	else if ((list || from || to) && !file)
		why = "--list, --from and --to name the list of a FILE.csv";
	else if (list && !from)
		why = "a list needs --from YYYY-MM-DD, the first day it is in force";
	else if (!list && (from || to))
		why = "--from and --to go with --list NAME";
	if (why) {
		antt_cli_err("%s", why);
		fprintf(stderr, "usage: antt %s\n", usage);
		return EX_USAGE;
	}
	if (!import) {
		json_t *resp;
		int ret = antt_cli_call(cli, json_pack("{s:s}", "op", "units"), NULL, 0, NULL,
		                        TIMEOUT_MS, &resp);
		if (ret)
			return ret;
		json_object_del(resp, "ok");
		if (cli->json)
			antt_cli_print_json(resp);
		else
			s_units_list_text(resp);
		json_decref(resp);
		return 0;
	}
	if (!file && !links)
		return s_units_shipped(cli);
	json_t *req = json_pack("{s:s}", "op", "units_import");
	if (links) {
		json_object_set_new(req, "links", json_true());
		json_object_set_new(req, "old", json_string(old));
		json_object_set_new(req, "new", json_string(new));
		return s_units_send(cli, links, req, NULL);
	}
	if (list) {
		json_object_set_new(req, "list", json_string(list));
		json_object_set_new(req, "from", json_string(from));
		if (to)
			json_object_set_new(req, "to", json_string(to));
	}
	return s_units_send(cli, file, req, NULL);
}

/* ---- report ---- */

static void s_report_text(json_t *resp)
{
	char scope[300];
	size_t i, j;
	json_t *f, *ind, *row;
	const char *by = s_str(resp, "by");
	s_scope_name(resp, scope, sizeof scope);
	json_array_foreach (json_object_get(resp, "forms"), i, f) {
		json_t *inds = json_object_get(f, "indicators"),
		       *totals = json_object_get(f, "totals");
		printf("%s%s · %s · %s: %s\n", i ? "\n" : "", scope, s_str(resp, "period"),
		       s_str(f, "form"), s_str(f, "title"));
		printf("%" JSON_INTEGER_FORMAT " unit(s) reported\n\n", s_int(f, "units"));
		s_table_t t;
		if (!strcmp(by, "indicator")) {
			s_table_init(&t, 3);
			s_table_row(&t);
			s_table_set(&t, 0, "Chỉ tiêu");
			s_table_set(&t, 1, "Mã");
			s_table_set(&t, 2, "Tổng");
			json_array_foreach (inds, j, ind) {
				s_table_row(&t);
				s_table_set(&t, 0, s_str(ind, "label"));
				s_table_set(&t, 1, s_str(ind, "code"));
				s_table_int(&t, 2, s_int(totals, s_str(ind, "code")));
			}
		} else {
			size_t nind = json_array_size(inds);
			s_table_init(&t, nind + 2);
			s_table_row(&t);
			s_table_set(&t, 0, !strcmp(by, "unit") ? "Đơn vị" : "Kỳ");
			s_table_set(&t, 1, "Báo cáo");
			json_array_foreach (inds, j, ind)
				s_table_set(&t, j + 2, s_str(ind, "code"));
			json_array_foreach (json_object_get(f, "rows"), j, row) {
				char label[300];
				if (json_is_true(json_object_get(row, "own")))
					snprintf(label, sizeof label, "%s (%s), báo cáo riêng",
					         s_str(row, "name"), s_str(row, "key"));
				else if (json_is_string(json_object_get(row, "name")))
					snprintf(label, sizeof label, "%s (%s)", s_str(row, "name"),
					         s_str(row, "key"));
				else
					snprintf(label, sizeof label, "%s", s_str(row, "key"));
				s_table_row(&t);
				s_table_set(&t, 0, label);
				s_table_int(&t, 1, s_int(row, "units"));
				json_t *vals = json_object_get(row, "values");
				size_t k;
				json_array_foreach (inds, k, ind)
					s_table_int(&t, k + 2, s_int(vals, s_str(ind, "code")));
			}
			json_array_foreach (json_object_get(f, "apart"), j, row) {
				char label[300];
				snprintf(label, sizeof label, "(tách) %s (%s, %s)%s",
				         s_str(row, "name"), s_str(row, "unit"), s_str(row, "list"),
				         json_is_true(json_object_get(row, "in_totals")) ? ""
				                                                         : " *");
				s_table_row(&t);
				s_table_set(&t, 0, label);
				s_table_set(&t, 1, "");
				json_t *vals = json_object_get(row, "values");
				size_t k;
				json_array_foreach (inds, k, ind)
					s_table_int(&t, k + 2, s_int(vals, s_str(ind, "code")));
			}
			s_table_row(&t);
			s_table_set(&t, 0, "Tổng cộng");
			s_table_int(&t, 1, s_int(f, "units"));
			json_array_foreach (inds, j, ind)
				s_table_int(&t, j + 2, s_int(totals, s_str(ind, "code")));
		}
		s_table_print(&t);
		json_t *c;
		json_array_foreach (json_object_get(f, "conflicts"), j, c)
			printf("CONFLICT %s (%s) %s: %d versions disagree on which one counts; "
			       "none is "
			       "counted (see antt history --unit %s --period %s)\n",
			       s_str(c, "name"), s_str(c, "unit"), s_str(c, "period"),
			       (int)s_int(c, "versions"), s_str(c, "unit"), s_str(c, "period"));
		json_array_foreach (json_object_get(f, "apart"), j, c) {
			printf("(tách) %s (%s, list %s) was split between", s_str(c, "name"),
			       s_str(c, "unit"), s_str(c, "list"));
			size_t k;
			json_t *to;
			json_array_foreach (json_object_get(c, "to"), k, to)
				printf("%s %s (%s)", k ? "," : "", s_str(to, "name"),
				       s_str(to, "code"));
			printf(": not assignable to one unit, its figures are listed apart%s\n",
			       json_is_true(json_object_get(c, "in_totals"))
			           ? " and counted in the total"
			           : "; * not in this total (a part went outside this unit)");
		}
		if (s_int(f, "unlisted"))
			printf("note: %" JSON_INTEGER_FORMAT
			       " report(s) are not counted: their unit is not in the unit list of "
			       "their "
			       "period, or that list has no links to the list %s (antt units shows "
			       "the "
			       "lists and links; antt units import loads those shipped)\n",
			       s_int(f, "unlisted"), s_str(json_object_get(resp, "unit"), "list"));
	}
}

static void s_report_csv(json_t *resp)
{
	size_t i, j, k;
	json_t *f, *ind, *row;
	s_csv("form", 0);
	s_csv("period", 0);
	s_csv("key", 0);
	s_csv("name", 0);
	s_csv("indicator", 0);
	s_csv("label", 0);
	s_csv("units", 0);
	s_csv("value", 1);
	json_array_foreach (json_object_get(resp, "forms"), i, f) {
		json_t *inds = json_object_get(f, "indicators");
		json_array_foreach (json_object_get(f, "rows"), j, row)
			json_array_foreach (inds, k, ind) {
				s_csv(s_str(f, "form"), 0);
				s_csv(s_str(resp, "period"), 0);
				s_csv(s_str(row, "key"), 0);
				s_csv(s_str(row, "name"), 0);
				s_csv(s_str(ind, "code"), 0);
				s_csv(s_str(ind, "label"), 0);
				s_csv_int(s_int(row, "units"), 0);
				s_csv_int(s_int(json_object_get(row, "values"), s_str(ind, "code")),
				          1);
			}
		/* the units listed apart, under their own code and list */
		json_array_foreach (json_object_get(f, "apart"), j, row)
			json_array_foreach (inds, k, ind) {
				char name[300];
				snprintf(name, sizeof name, "(tách) %s (%s)", s_str(row, "name"),
				         s_str(row, "list"));
				s_csv(s_str(f, "form"), 0);
				s_csv(s_str(resp, "period"), 0);
				s_csv(s_str(row, "unit"), 0);
				s_csv(name, 0);
				s_csv(s_str(ind, "code"), 0);
				s_csv(s_str(ind, "label"), 0);
				s_csv_int(0, 0);
				s_csv_int(s_int(json_object_get(row, "values"), s_str(ind, "code")),
				          1);
			}
	}
}

int antt_cmd_report(antt_cli_t *cli)
{
	static const char *usage = "report --period P [--unit CODE] [--units LIST] [--form F] "
	                           "[--by unit|period|indicator] [--csv | --json]";
	s_opts_t o;
	json_t *resp;
	int ret = s_parse(cli, usage, " period unit units form by csv ", &o);
	if (ret)
		return ret;
	if (!o.period) {
		antt_cli_err("name the period: --period 2024-05, 2024-Q2 or 2024");
		return EX_USAGE;
	}
	if ((ret = antt_cli_call(cli, s_req("report", &o), NULL, 0, NULL, TIMEOUT_MS, &resp)))
		return ret;
	json_object_del(resp, "ok");
	if (cli->json)
		antt_cli_print_json(resp);
	else if (o.csv)
		s_report_csv(resp);
	else
		s_report_text(resp);
	json_decref(resp);
	return 0;
}

/* ---- missing ---- */

static void s_missing_text(json_t *resp)
{
	char scope[300], t1[32], t2[32];
	size_t i, j, k;
	json_t *f, *g, *m, *p;
	const char *list = s_str(json_object_get(resp, "unit"), "list");
	s_scope_name(resp, scope, sizeof scope);
	json_array_foreach (json_object_get(resp, "forms"), i, f) {
		json_int_t exp = s_int(f, "expected"), rep = s_int(f, "reported");
		printf("%s%s · %s · %s\n", i ? "\n" : "", scope, s_str(resp, "period"),
		       s_str(f, "form"));
		printf("reported %" JSON_INTEGER_FORMAT " / %" JSON_INTEGER_FORMAT " (%.1f%%), "
		       "late %" JSON_INTEGER_FORMAT ", clock skewed %" JSON_INTEGER_FORMAT "%s\n\n",
		       rep, exp, exp ? 100.0 * (double)rep / (double)exp : 100.0, s_int(f, "late"),
		       s_int(f, "skewed"),
		       json_is_integer(json_object_get(f, "deadline_days"))
		           ? ""
		           : " (this form has no deadline: none is late)");
		s_table_t t;
		s_table_init(&t, 6);
		s_table_row(&t);
		s_table_set(&t, 0, "Đơn vị");
		s_table_set(&t, 1, "Phải báo cáo");
		s_table_set(&t, 2, "Đã báo cáo");
		s_table_set(&t, 3, "Đúng hạn");
		s_table_set(&t, 4, "Muộn");
		s_table_set(&t, 5, "Tỷ lệ");
		json_array_foreach (json_object_get(f, "groups"), j, g) {
			char label[300], rate[16];
			json_int_t e = s_int(g, "expected"), r = s_int(g, "reported");
			int other = strcmp(s_str(g, "list"), list);
			snprintf(label, sizeof label, "%s (%s%s%s)", s_str(g, "name"),
			         s_str(g, "code"), other ? ", list " : "",
			         other ? s_str(g, "list") : "");
			snprintf(rate, sizeof rate, "%.1f%%",
			         e ? 100.0 * (double)r / (double)e : 100.0);
			s_table_row(&t);
			s_table_set(&t, 0, label);
			s_table_int(&t, 1, e);
			s_table_int(&t, 2, r);
			s_table_int(&t, 3, s_int(g, "on_time"));
			s_table_int(&t, 4, s_int(g, "late"));
			s_table_set(&t, 5, rate);
		}
		s_table_print(&t);
		json_t *miss = json_object_get(f, "missing");
		if (json_array_size(miss)) {
			printf("\nnot reported (%zu unit(s)):\n", json_array_size(miss));
			json_array_foreach (miss, j, m) {
				int other = strcmp(s_str(m, "list"), list);
				int district = json_is_string(json_object_get(m, "district"));
				printf("  %-7s %s%s%s%s%s:", s_str(m, "unit"), s_str(m, "name"),
				       district ? ", " : "", district ? s_str(m, "district") : "",
				       other ? ", list " : "", other ? s_str(m, "list") : "");
				json_array_foreach (json_object_get(m, "periods"), k, p)
					printf(" %s", json_string_value(p));
				putchar('\n');
			}
		}
		json_array_foreach (json_object_get(f, "late_reports"), j, m) {
			s_time(s_int(m, "stored"), t1);
			s_time(s_int(m, "due"), t2);
			printf("late      %s %s (%s): %s %s, due before %s (Vietnam time)\n",
			       s_str(m, "period"), s_str(m, "name"), s_str(m, "unit"),
			       json_is_true(json_object_get(m, "signed"))
			           ? "first stored"
			           : "no signed first receipt; stored here",
			       t1, t2);
		}
		json_t *ne = json_object_get(f, "not_expected");
		if (json_array_size(ne)) {
			printf("not expected (no station to report, [reports] not_expected):");
			json_array_foreach (ne, j, m)
				printf("%s %s (%s)", j ? "," : "", s_str(m, "name"),
				       s_str(m, "unit"));
			putchar('\n');
		}
		if (s_int(f, "unsigned"))
			printf("%" JSON_INTEGER_FORMAT " report(s) carry no signed first receipt: "
			       "judged on when this node stored them, which may be later than "
			       "they were filed\n",
			       s_int(f, "unsigned"));
		json_array_foreach (json_object_get(f, "skewed_reports"), j, m) {
			s_time(s_int(m, "clock"), t1);
			s_time(s_int(m, "stored"), t2);
			printf("skewed    %s %s (%s): signed at %s by its own clock, first stored "
			       "%s\n",
			       s_str(m, "period"), s_str(m, "name"), s_str(m, "unit"), t1, t2);
		}
	}
}

int antt_cmd_missing(antt_cli_t *cli)
{
	static const char *usage =
	    "missing --period P [--unit CODE] [--units LIST] [--form F] [--json]";
	s_opts_t o;
	json_t *resp;
	int ret = s_parse(cli, usage, " period unit units form ", &o);
	if (ret)
		return ret;
	if (!o.period) {
		antt_cli_err("name the period: --period 2024-05, 2024-Q2 or 2024");
		return EX_USAGE;
	}
	if ((ret = antt_cli_call(cli, s_req("missing", &o), NULL, 0, NULL, TIMEOUT_MS, &resp)))
		return ret;
	json_object_del(resp, "ok");
	if (cli->json)
		antt_cli_print_json(resp);
	else
		s_missing_text(resp);
	json_decref(resp);
	return 0;
}

/* ---- history ---- */

int antt_cmd_history(antt_cli_t *cli)
{
	static const char *usage =
	    "history --unit CODE --period P [--units LIST] [--form F] [--json]";
	s_opts_t o;
	json_t *resp, *v;
	size_t i;
	int ret = s_parse(cli, usage, " period unit units form ", &o);
	if (ret)
		return ret;
	if (!o.period || !o.unit) {
		antt_cli_err("name the unit and the period: --unit CODE --period 2024-05");
		return EX_USAGE;
	}
	if ((ret = antt_cli_call(cli, s_req("history", &o), NULL, 0, NULL, TIMEOUT_MS, &resp)))
		return ret;
	json_object_del(resp, "ok");
	if (cli->json) {
		antt_cli_print_json(resp);
		json_decref(resp);
		return 0;
	}
	json_t *u = json_object_get(resp, "unit");
	printf("%s (%s) · %s: %zu version(s)\n",
	       json_is_string(json_object_get(u, "name")) ? s_str(u, "name")
	                                                  : "unit not in the administrative list",
	       s_str(u, "code"), s_str(resp, "period"),
	       json_array_size(json_object_get(resp, "versions")));
	json_array_foreach (json_object_get(resp, "versions"), i, v) {
		char t1[32], t2[32], t3[32];
		s_time(s_int(v, "clock"), t1);
		s_time(s_int(v, "received"), t2);
		if (json_is_integer(json_object_get(v, "first_stored")))
			s_time(s_int(v, "first_stored"), t3);
		else
			snprintf(t3, sizeof t3, "%s", "not yet at a hub");
		printf("\n%s %s  %s  [%s]\n", s_str(v, "form"), s_str(v, "period"), s_str(v, "id"),
		       s_str(v, "state"));
		printf("  signed by   %.16s... seq %" JSON_INTEGER_FORMAT
		       "%s%s%s at %s (its clock)\n",
		       s_str(v, "author"), s_int(v, "seq"),
		       json_is_string(json_object_get(v, "signer_unit")) ? " (enrolled as " : "",
		       s_str(v, "signer_unit"),
		       json_is_string(json_object_get(v, "signer_unit")) ? ")" : "", t1);
		printf("  first hub   %s\n  this node   %s\n", t3, t2);
		json_t *as = json_object_get(v, "filed_as");
		if (json_is_object(as))
			printf("  filed as    %s (%s, list %s): %s\n", s_str(as, "name"),
			       s_str(as, "unit"), s_str(as, "list"),
			       !strcmp(s_str(as, "share"), "full")
			           ? "this unit took it whole"
			           : "this unit took a part of it (its figures count apart)");
		if (json_is_string(json_object_get(v, "corrects")))
			printf("  corrects    %s\n", s_str(v, "corrects"));
		if (json_is_string(json_object_get(v, "corrected_by")))
			printf("  corrected   by %s\n", s_str(v, "corrected_by"));
		if (json_is_string(json_object_get(v, "note")))
			printf("  note        %s\n", s_str(v, "note"));
		if (json_is_string(json_object_get(v, "why")))
			printf("  not counted %s\n", s_str(v, "why"));
		const char *code;
		json_t *val;
		printf("  values     ");
		json_object_foreach (json_object_get(v, "values"), code, val)
			printf(" %s=%" JSON_INTEGER_FORMAT, code, json_integer_value(val));
		putchar('\n');
	}
	json_decref(resp);
	return 0;
}

/* ---- export ---- */

int antt_cmd_export(antt_cli_t *cli)
{
	static const char *usage =
	    "export --period P [--unit CODE] [--units LIST] [--form F] [--csv | --json]";
	s_opts_t o;
	json_t *resp, *r;
	size_t i;
	int ret = s_parse(cli, usage, " period unit units form csv ", &o);
	if (ret)
		return ret;
	if (!o.period) {
		antt_cli_err("name the period: --period 2024-05, 2024-Q2 or 2024");
		return EX_USAGE;
	}
	if ((ret = antt_cli_call(cli, s_req("export", &o), NULL, 0, NULL, TIMEOUT_MS, &resp)))
		return ret;
	if (cli->json) {
		antt_cli_print_json(json_object_get(resp, "rows"));
		json_decref(resp);
		return 0;
	}
	/* CSV is what export is for: the default */
	static const char *cols[] = {"province", "province_name", "district",  "district_name",
	                             "unit",     "unit_name",     "list",      "apart",
	                             "form",     "period",        "indicator", "label"};
	/* the district columns only where a unit has one (the lists before
	 * July 2025) */
	int districts = 0;
	json_array_foreach (json_object_get(resp, "rows"), i, r)
		districts |= json_is_string(json_object_get(r, "district"));
	for (size_t c = 0; c < sizeof cols / sizeof *cols; c++)
		if (districts || strncmp(cols[c], "district", 8))
			s_csv(cols[c], 0);
	s_csv("value", 1);
	json_array_foreach (json_object_get(resp, "rows"), i, r) {
		for (size_t c = 0; c < sizeof cols / sizeof *cols; c++)
			if (!strcmp(cols[c], "apart"))
				s_csv(json_is_true(json_object_get(r, "apart")) ? "1" : "0", 0);
			else if (districts || strncmp(cols[c], "district", 8))
				s_csv(s_str(r, cols[c]), 0);
		s_csv_int(s_int(r, "value"), 1);
	}
	json_decref(resp);
	return 0;
}

/* ---- rebuild ---- */

int antt_cmd_rebuild(antt_cli_t *cli)
{
	static const char *usage = "rebuild [--json]";
	s_opts_t o;
	json_t *resp;
	int ret = s_parse(cli, usage, "", &o);
	if (ret)
		return ret;
	if ((ret = antt_cli_call(cli, json_pack("{s:s}", "op", "rebuild"), NULL, 0, NULL, 600000,
	                         &resp)))
		return ret;
	json_object_del(resp, "ok");
	if (cli->json)
		antt_cli_print_json(resp);
	else
		printf("decoded tables rebuilt from %" JSON_INTEGER_FORMAT " signed records\n",
		       s_int(resp, "records"));
	json_decref(resp);
	return 0;
}
