/* cmd.c - the antt commands.  init works on files; every other command is
 * one request to the local anttd over its control socket (docs/control.md),
 * printed as text or, with --json, as one JSON document. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "common.h"
#include "config.h"
#include "ctlproto.h"
#include "keyfile.h"

#define TIMEOUT_MS 30000
#define LONG_TIMEOUT_MS 600000 /* verify, bulk submit */

enum { OPT_JSON = 1000, OPT_CONFIG };

#define COMMON_OPTS                                                                                \
	{"json", no_argument, NULL, OPT_JSON}, {"config", required_argument, NULL, 'c'},           \
	{                                                                                          \
		"help", no_argument, NULL, 'h'                                                     \
	}

/* Options every command takes.  1 if handled, -1 on a usage error. */
static int s_common_opt(antt_cli_t *cli, int opt, const char *usage)
{
	switch (opt) {
	case OPT_JSON: cli->json = 1; return 1;
	case 'c': cli->conf = optarg; return 1;
	case 'h': printf("usage: antt %s\n", usage); exit(0);
	default: fprintf(stderr, "usage: antt %s\n", usage); return -1;
	}
}

/* A command whose only options are the common ones, with exactly nargs
 * operands (from cli->argv[optind]): 0, or EX_USAGE after the usage line. */
static int s_common_only(antt_cli_t *cli, const char *usage, int nargs)
{
	static const struct option opts[] = {COMMON_OPTS, {0}};
	int opt;
	optind = 1;
	while ((opt = getopt_long(cli->argc, cli->argv, "c:h", opts, NULL)) != -1)
		if (s_common_opt(cli, opt, usage) < 0)
			return EX_USAGE;
	if (cli->argc - optind != nargs) {
		fprintf(stderr, "usage: antt %s\n", usage);
		return EX_USAGE;
	}
	return 0;
}

void antt_cli_print_json(json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
}

/* Command-line text as a JSON string.  JSON carries only UTF-8: text in
 * another encoding (TCVN3, Windows-1258...) must be refused, not lost. */
static json_t *s_text(const char *s)
{
	json_t *j = json_string(s);
	if (!j) {
		antt_cli_err("'%s' is not UTF-8 text", s);
		exit(EX_USAGE);
	}
	return j;
}

static int s_load_config(antt_cli_t *cli, antt_config_t **cfg)
{
	char err[ANTT_ERR_MAX];
	const char *path = cli->conf ? cli->conf : antt_config_default_path();
	if (antt_config_load(path, cfg, err)) {
		antt_cli_err("%s", err);
		return EX_CONFIG;
	}
	return 0;
}

/* Send req (taken), with an attachment frame if attach is not NULL, to the
 * node's anttd; on success *resp is the reply.  Prints the error, after
 * "what:" when what is given, and returns the exit code otherwise. */
int antt_cli_call(antt_cli_t *cli, json_t *req, const char *attach, size_t attach_len,
                  const char *what, int timeout_ms, json_t **resp)
{
	antt_config_t *cfg = NULL;
	char err[ANTT_ERR_MAX];
	int ret = s_load_config(cli, &cfg);
	if (ret) {
		json_decref(req);
		return ret;
	}
	*resp = NULL;
	if (antt_ctl_daemon_running(cfg->lock_path, NULL) == 0) {
		antt_cli_err("anttd is not running for this config: start it with 'anttd -c %s'",
		             cfg->path);
		ret = EXIT_DOWN;
		goto out;
	}
	if (antt_ctl_call(cfg->endpoint, req, attach, attach_len, timeout_ms, resp, err)) {
		antt_cli_err("%s (is anttd running? start it with 'anttd -c %s')", err, cfg->path);
		ret = EXIT_DOWN;
		goto out;
	}
	if (!json_is_true(json_object_get(*resp, "ok"))) {
		const char *cls = json_string_value(json_object_get(*resp, "error"));
		const char *msg = json_string_value(json_object_get(*resp, "message"));
		msg = msg ? msg : "anttd refused the request";
		if (what) /* "FILE:3:5: ..." for a place in it, "FILE: ..." otherwise */
			antt_cli_err("%s:%s%s", what, *msg >= '0' && *msg <= '9' ? "" : " ", msg);
		else
			antt_cli_err("%s", msg);
		switch (antt_ctl_class_parse(cls)) {
		case ANTT_CTL_USAGE: ret = EX_USAGE; break;
		case ANTT_CTL_DATA:
		case ANTT_CTL_NOTFOUND: ret = EXIT_REFUSED; break;
		case ANTT_CTL_STORE: ret = EXIT_STORE; break;
		default: ret = EX_SOFTWARE; break;
		}
		json_decref(*resp);
		*resp = NULL;
	}
out:
	json_decref(req);
	antt_config_destroy(&cfg);
	return ret;
}

static int s_call(antt_cli_t *cli, json_t *req, int timeout_ms, json_t **resp)
{
	return antt_cli_call(cli, req, NULL, 0, NULL, timeout_ms, resp);
}

static const char *s_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* ---- init ---- */

static int s_mkdirs(const char *dir)
{
	char path[PATH_MAX];
	if (!*dir || strlen(dir) >= sizeof path) {
		errno = !*dir ? ENOENT : ENAMETOOLONG;
		return -1;
	}
	snprintf(path, sizeof path, "%s", dir);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(path, 0750) < 0 && errno != EEXIST ? -1 : 0;
}

int antt_cmd_init(antt_cli_t *cli)
{
	static const char *usage =
	    "init --unit CODE --dir DIR [--forms DIR] [--socket PATH] [--listen tcp://*:PORT]\n"
	    "            [--parent tcp://HOST:PORT --parent-key KEY] [--root KEY] [--json]";
	static const struct option opts[] = {{"unit", required_argument, NULL, 'u'},
	                                     {"dir", required_argument, NULL, 'd'},
	                                     {"forms", required_argument, NULL, 'f'},
	                                     {"listen", required_argument, NULL, 'l'},
	                                     {"parent", required_argument, NULL, 'p'},
	                                     {"parent-key", required_argument, NULL, 'k'},
	                                     {"root", required_argument, NULL, 'r'},
	                                     {"socket", required_argument, NULL, 's'},
	                                     COMMON_OPTS,
	                                     {0}};
	const char *unit = NULL, *dir = NULL, *forms = ANTT_FORMS_DIR;
	const char *listen = NULL, *parent = NULL, *parent_key = NULL, *root = NULL;
	const char *socket = "anttd.sock";
	int opt;
	optind = 1;
	while ((opt = getopt_long(cli->argc, cli->argv, "c:h", opts, NULL)) != -1) {
		if (opt == 'u')
			unit = optarg;
		else if (opt == 'd')
			dir = optarg;
		else if (opt == 'f')
			forms = optarg;
		else if (opt == 'l')
			listen = optarg;
		else if (opt == 'p')
			parent = optarg;
		else if (opt == 'k')
			parent_key = optarg;
		else if (opt == 'r')
			root = optarg;
		else if (opt == 's')
			socket = optarg;
		else if (s_common_opt(cli, opt, usage) < 0)
			return EX_USAGE;
	}
	uint8_t pkbuf[ANTT_KEY_BYTES];
	if (!parent != !parent_key) {
		antt_cli_err("--parent and --parent-key go together: the parent's address and its "
		             "public key (from 'antt status' on the parent)");
		return EX_USAGE;
	}
	if (parent_key && antt_unhex(pkbuf, ANTT_KEY_BYTES, parent_key)) {
		antt_cli_err("--parent-key '%s' is not a public key (64 hex digits)", parent_key);
		return EX_USAGE;
	}
	if (root && (antt_unhex(pkbuf, ANTT_KEY_BYTES, root) || !parent)) {
		antt_cli_err("--root takes the province's public key (64 hex digits), for a node "
		             "with a parent; the province itself is the root");
		return EX_USAGE;
	}
	if ((listen && strncmp(listen, "tcp://", 6)) || (parent && strncmp(parent, "tcp://", 6))) {
		antt_cli_err("--listen and --parent take tcp://ADDRESS:PORT");
		return EX_USAGE;
	}
	if (!*socket || strlen(socket) >= 100 || strpbrk(socket, "\n\r;#")) {
		antt_cli_err("--socket takes a file path of fewer than 100 bytes (a Unix socket), "
		             "such as /run/antt/NAME/anttd.sock");
		return EX_USAGE;
	}
	if (!unit || !dir || optind != cli->argc) {
		fprintf(stderr, "usage: antt %s\n", usage);
		return EX_USAGE;
	}
	if (!antt_valid_unit(unit)) {
		antt_cli_err("'%s' is not a unit code: use the official code, e.g. 12346 "
		             "(1 to %d letters, digits, '.', '_' or '-')",
		             unit, ANTT_UNIT_MAX);
		return EX_USAGE;
	}
	char *absforms = realpath(forms, NULL);
	if (!absforms) {
		antt_cli_err("forms folder %s: %s (give one with --forms DIR)", forms,
		             strerror(errno));
		return EX_CONFIG;
	}
	char key_path[PATH_MAX], conf_path[PATH_MAX], err[ANTT_ERR_MAX];
	int ret = 0;
	antt_key_t *key = NULL;
	snprintf(key_path, sizeof key_path, "%s/node.key", dir);
	snprintf(conf_path, sizeof conf_path, "%s/anttd.conf", dir);
	if (access(key_path, F_OK) == 0 || access(conf_path, F_OK) == 0) {
		antt_cli_err("%s already holds a node (%s exists): refusing to overwrite a node "
		             "identity; choose another --dir",
		             dir, access(key_path, F_OK) == 0 ? key_path : conf_path);
		ret = EXIT_REFUSED;
		goto out;
	}
	if (s_mkdirs(dir) < 0) {
		antt_cli_err("cannot create %s: %s", dir, strerror(errno));
		ret = EX_CANTCREAT;
		goto out;
	}
	antt_key_generate(&key);
	if (antt_key_save(key, key_path, err)) {
		antt_cli_err("%s", err);
		ret = EX_CANTCREAT;
		goto out;
	}
	char *conf = NULL;
	size_t n = 0;
	FILE *cf = open_memstream(&conf, &n);
	if (!cf)
		abort();
	fprintf(cf,
	        "# antt node configuration: see docs/configuration.md\n"
	        "[node]\nunit = %s\nkey = node.key\nstore = store.db\nforms = %s\n"
	        "\n[control]\nsocket = %s\n"
	        "\n[log]\nlevel = info\n",
	        unit, absforms, socket);
	if (listen || parent)
		fprintf(cf, "\n[sync]\n");
	if (listen)
		fprintf(cf, "listen = %s\n", listen);
	if (parent)
		fprintf(cf, "parent = %s\nparent_key = %s\n", parent, parent_key);
	if (root)
		fprintf(cf, "root = %s\n", root);
	fclose(cf);
	int rc = antt_write_new_file(conf_path, conf, (size_t)n, 0640, err);
	free(conf);
	if (rc) {
		unlink(key_path);
		antt_cli_err("%s", err);
		ret = EX_CANTCREAT;
		goto out;
	}
	char pk[2 * ANTT_KEY_BYTES + 1];
	antt_hex(pk, key->pk, ANTT_KEY_BYTES);
	if (cli->json) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "unit", unit, "public_key", pk,
		                      "config", conf_path, "key", key_path);
		antt_cli_print_json(j);
		json_decref(j);
	} else {
		printf("created node for unit %s\n"
		       "  config:     %s\n"
		       "  identity:   %s (secret, mode 0600)\n"
		       "  public key: %s\n"
		       "start it with: anttd -c %s\n",
		       unit, conf_path, key_path, pk, conf_path);
	}
out:
	antt_key_destroy(&key);
	free(absforms);
	return ret;
}

/* ---- submit / correct ---- */

static void s_print_stored(json_t *resp)
{
	json_int_t count = json_integer_value(json_object_get(resp, "count"));
	if (count > 1)
		printf("stored %" JSON_INTEGER_FORMAT " records, seq %" JSON_INTEGER_FORMAT
		       " to %" JSON_INTEGER_FORMAT " (last %s)\n",
		       count, json_integer_value(json_object_get(resp, "first_seq")),
		       json_integer_value(json_object_get(resp, "seq")), s_str(resp, "id"));
	else
		printf("stored record %s seq %" JSON_INTEGER_FORMAT "\n", s_str(resp, "id"),
		       json_integer_value(json_object_get(resp, "seq")));
}

int antt_cmd_submit(antt_cli_t *cli)
{
	static const char *usage =
	    "submit --form FORM --period PERIOD CODE=VALUE... [--note TEXT] [--unit CODE] "
	    "[--json]\n"
	    "       antt submit --file FILE [--json]";
	static const struct option opts[] = {{"form", required_argument, NULL, 'f'},
	                                     {"period", required_argument, NULL, 'p'},
	                                     {"note", required_argument, NULL, 'n'},
	                                     {"file", required_argument, NULL, 'F'},
	                                     {"unit", required_argument, NULL, 'u'},
	                                     COMMON_OPTS,
	                                     {0}};
	const char *form = NULL, *period = NULL, *note = NULL, *file = NULL, *unit = NULL;
	int opt, ret;
	optind = 1;
	while ((opt = getopt_long(cli->argc, cli->argv, "c:h", opts, NULL)) != -1) {
		if (opt == 'f')
			form = optarg;
		else if (opt == 'p')
			period = optarg;
		else if (opt == 'n')
			note = optarg;
		else if (opt == 'F')
			file = optarg;
		else if (opt == 'u')
			unit = optarg;
		else if (s_common_opt(cli, opt, usage) < 0)
			return EX_USAGE;
	}
	if (unit && !antt_valid_unit(unit)) {
		antt_cli_err("--unit '%s' is not a unit code: use the official code, e.g. 12346 "
		             "(1 to %d letters, digits, '.', '_' or '-')",
		             unit, ANTT_UNIT_MAX);
		return EX_USAGE;
	}
	/* every record's id only for scripts: a bulk import need not carry them back */
	json_t *req = json_pack("{s:s, s:b}", "op", "submit", "ids", cli->json), *resp;
	if (file) {
		if (form || period || note || unit || optind != cli->argc) {
			antt_cli_err("--file takes the reports from the file: give no --form, "
			             "--period, --note, --unit or CODE=VALUE with it (a report of "
			             "another unit names it in the file: \"unit\")");
			json_decref(req);
			return EX_USAGE;
		}
		/* the file goes as it is; anttd parses it once */
		char *text, err[ANTT_ERR_MAX];
		size_t len;
		int rc = antt_read_file(file, ANTT_CTL_MSG_MAX - 4096, &text, &len, err);
		if (rc) {
			antt_cli_err("%s", err);
			json_decref(req);
			return rc == ANTT_E_INVAL ? EXIT_REFUSED : EXIT_NOINPUT;
		}
		ret = antt_cli_call(cli, req, text, len, file, LONG_TIMEOUT_MS, &resp);
		free(text);
	} else {
		if (!form || !period || optind == cli->argc) {
			fprintf(stderr, "usage: antt %s\n", usage);
			json_decref(req);
			return EX_USAGE;
		}
		json_t *vals;
		if ((ret = antt_args_values(cli->argc - optind, cli->argv + optind, &vals))) {
			json_decref(req);
			return ret;
		}
		json_t *rep = json_pack("{s:o, s:o, s:o}", "form", s_text(form), "period",
		                        s_text(period), "values", vals);
		if (note)
			json_object_set_new(rep, "note", s_text(note));
		if (unit)
			json_object_set_new(rep, "unit", s_text(unit));
		json_object_set_new(req, "reports", json_pack("[o]", rep));
		ret = s_call(cli, req, TIMEOUT_MS, &resp);
	}
	if (ret)
		return ret;
	json_object_del(resp, "ok");
	if (cli->json)
		antt_cli_print_json(resp);
	else
		s_print_stored(resp);
	json_decref(resp);
	return 0;
}

int antt_cmd_correct(antt_cli_t *cli)
{
	static const char *usage = "correct ID CODE=VALUE... [--note TEXT] [--json]";
	static const struct option opts[] = {
	    {"note", required_argument, NULL, 'n'}, COMMON_OPTS, {0}};
	const char *note = NULL;
	int opt, ret;
	optind = 1;
	while ((opt = getopt_long(cli->argc, cli->argv, "c:h", opts, NULL)) != -1) {
		if (opt == 'n')
			note = optarg;
		else if (s_common_opt(cli, opt, usage) < 0)
			return EX_USAGE;
	}
	if (optind >= cli->argc || (optind + 1 == cli->argc && !note)) {
		fprintf(stderr, "usage: antt %s\n", usage);
		return EX_USAGE;
	}
	json_t *req = json_pack("{s:s, s:o}", "op", "correct", "id", s_text(cli->argv[optind]));
	if (optind + 1 < cli->argc) {
		json_t *vals;
		if ((ret =
		         antt_args_values(cli->argc - optind - 1, cli->argv + optind + 1, &vals))) {
			json_decref(req);
			return ret;
		}
		json_object_set_new(req, "values", vals);
	}
	if (note)
		json_object_set_new(req, "note", s_text(note));
	json_t *resp;
	if ((ret = s_call(cli, req, TIMEOUT_MS, &resp)))
		return ret;
	json_object_del(resp, "ok");
	if (cli->json)
		antt_cli_print_json(resp);
	else
		printf("stored record %s seq %" JSON_INTEGER_FORMAT ", correcting %s\n",
		       s_str(resp, "id"), json_integer_value(json_object_get(resp, "seq")),
		       s_str(resp, "corrects"));
	json_decref(resp);
	return 0;
}

/* ---- reading ---- */

/* "2026-11-22T04:05:06Z" -> "2026-11-22 04:05" */
static const char *s_short_time(const char *iso, char buf[20])
{
	snprintf(buf, 20, "%.10s %.5s", iso, strlen(iso) > 11 ? iso + 11 : "");
	return buf;
}

static void s_print_values_inline(json_t *vals)
{
	const char *code;
	json_t *v;
	int first = 1;
	json_object_foreach (vals, code, v) {
		printf("%s%s=%" JSON_INTEGER_FORMAT, first ? "" : " ", code, json_integer_value(v));
		first = 0;
	}
}

int antt_cmd_log(antt_cli_t *cli)
{
	static const char *usage =
	    "log [--form FORM] [--period PERIOD] [--author KEY] [--limit N] [--json]";
	static const struct option opts[] = {{"form", required_argument, NULL, 'f'},
	                                     {"period", required_argument, NULL, 'p'},
	                                     {"author", required_argument, NULL, 'a'},
	                                     {"limit", required_argument, NULL, 'n'},
	                                     COMMON_OPTS,
	                                     {0}};
	json_t *req = json_pack("{s:s}", "op", "log");
	int opt, ret;
	optind = 1;
	while ((opt = getopt_long(cli->argc, cli->argv, "c:hn:", opts, NULL)) != -1) {
		if (opt == 'f')
			json_object_set_new(req, "form", s_text(optarg));
		else if (opt == 'p')
			json_object_set_new(req, "period", s_text(optarg));
		else if (opt == 'a')
			json_object_set_new(req, "author", s_text(optarg));
		else if (opt == 'n') {
			char *end;
			long long n = strtoll(optarg, &end, 10);
			if (*end || n < 1) {
				antt_cli_err("--limit takes a number of 1 or more");
				json_decref(req);
				return EX_USAGE;
			}
			json_object_set_new(req, "limit", json_integer(n));
		} else if (s_common_opt(cli, opt, usage) < 0) {
			json_decref(req);
			return EX_USAGE;
		}
	}
	if (optind != cli->argc) {
		fprintf(stderr, "usage: antt %s\n", usage);
		json_decref(req);
		return EX_USAGE;
	}
	json_t *resp;
	if ((ret = s_call(cli, req, TIMEOUT_MS, &resp)))
		return ret;
	json_t *recs = json_object_get(resp, "records");
	if (cli->json) {
		antt_cli_print_json(recs);
	} else if (json_array_size(recs) == 0) {
		printf("no records\n");
	} else {
		size_t i;
		json_t *r;
		char t[20];
		printf("%-6s %-12s %-6s %-16s %-10s %-16s %s\n", "SEQ", "ID", "UNIT", "FORM",
		       "PERIOD", "CLOCK (UTC)", "VALUES");
		json_array_foreach (recs, i, r) {
			printf("%-6" JSON_INTEGER_FORMAT " %-12.12s %-6s %-16s %-10s %-16s ",
			       json_integer_value(json_object_get(r, "seq")), s_str(r, "id"),
			       s_str(r, "unit"), s_str(r, "form"), s_str(r, "period"),
			       s_short_time(s_str(r, "clock"), t));
			json_t *en = json_object_get(r, "enroll");
			if (en)
				printf("enrolls unit %s, key %.16s...", s_str(en, "unit"),
				       s_str(en, "key"));
			s_print_values_inline(json_object_get(r, "values"));
			if (json_is_string(json_object_get(r, "corrects")))
				printf("  (corrects %.12s)", s_str(r, "corrects"));
			if (json_is_string(json_object_get(r, "corrected_by")))
				printf("  (corrected by %.12s)", s_str(r, "corrected_by"));
			printf("\n");
		}
	}
	json_decref(resp);
	return 0;
}

int antt_cmd_show(antt_cli_t *cli)
{
	static const char *usage = "show ID [--json]";
	int ret;
	if ((ret = s_common_only(cli, usage, 1)))
		return ret;
	json_t *resp;
	if ((ret =
	         s_call(cli, json_pack("{s:s, s:o}", "op", "show", "id", s_text(cli->argv[optind])),
	                TIMEOUT_MS, &resp)))
		return ret;
	json_t *r = json_object_get(resp, "record");
	if (cli->json) {
		antt_cli_print_json(r);
	} else {
		printf("record     %s\n"
		       "seq        %" JSON_INTEGER_FORMAT "\n"
		       "author     %s\n"
		       "unit       %s\n"
		       "form       %s%s%s%s\n"
		       "period     %s\n"
		       "clock      %s (author's clock)\n"
		       "received   %s (this node)\n",
		       s_str(r, "id"), json_integer_value(json_object_get(r, "seq")),
		       s_str(r, "author"), s_str(r, "unit"), s_str(r, "form"),
		       json_object_get(r, "form_title") ? " (" : "", s_str(r, "form_title"),
		       json_object_get(r, "form_title") ? ")" : "", s_str(r, "period"),
		       s_str(r, "clock"), s_str(r, "received"));
		if (json_is_string(json_object_get(r, "corrects")))
			printf("corrects   %s\n", s_str(r, "corrects"));
		if (json_is_string(json_object_get(r, "corrected_by")))
			printf("corrected  by %s (a later version counts)\n",
			       s_str(r, "corrected_by"));
		if (json_object_get(r, "note"))
			printf("note       %s\n", s_str(r, "note"));
		json_t *en = json_object_get(r, "enroll");
		if (en)
			printf("enrolls    unit %s, key %s\n", s_str(en, "unit"), s_str(en, "key"));
		printf("values\n");
		const char *code;
		json_t *v, *labels = json_object_get(r, "labels");
		json_object_foreach (json_object_get(r, "values"), code, v)
			printf("  %-24s %12" JSON_INTEGER_FORMAT "  %s\n", code,
			       json_integer_value(v), s_str(labels, code));
		printf("prev       %s\nsignature  %s\n", s_str(r, "prev"), s_str(r, "signature"));
	}
	json_decref(resp);
	return 0;
}

static const char *s_level_name(json_int_t level)
{
	static const char *names[] = {"", "parent", "parent's parent", "3 levels up",
	                              "4 levels up"};
	return level >= 1 && level <= 4 ? names[level] : "further up";
}

static void s_print_sync_status(json_t *resp)
{
	json_t *up = json_object_get(resp, "uplink"), *hub = json_object_get(resp, "hub");
	if (json_is_integer(json_object_get(resp, "recovering_to")))
		printf("recovering  this node's own records up to seq %" JSON_INTEGER_FORMAT
		       " from its parent (store restored from an old backup); nothing new is "
		       "signed until then\n",
		       json_integer_value(json_object_get(resp, "recovering_to")));
	if (json_is_true(json_object_get(resp, "from_backup")))
		printf("from backup waiting for the parent: this store is a backup copy, nothing "
		       "is signed until the parent has confirmed this node's own head\n");
	if (json_is_true(json_object_get(resp, "learning_unit")))
		printf("learning    this unit's records under its earlier key (the machine this "
		       "one replaces) from the parent; nothing new is signed until then\n");
	if (up) {
		size_t i;
		json_t *l;
		if (json_is_true(json_object_get(up, "on_fallback")))
			printf("parent      %s out of reach: via the fallback %s (%s)\n",
			       s_str(up, "parent"), s_str(up, "fallback"), s_str(up, "state"));
		else
			printf("parent      %s (%s)\n", s_str(up, "parent"), s_str(up, "state"));
		printf("trust       %s\n", s_str(json_object_get(up, "trust"), "state"));
		if (*s_str(up, "link_error"))
			printf("link error  %s\n", s_str(up, "link_error"));
		json_t *ok = json_object_get(up, "last_ok");
		if (json_is_integer(ok)) {
			char t[32];
			time_t tt = (time_t)json_integer_value(ok);
			struct tm tm;
			gmtime_r(&tt, &tm);
			strftime(t, sizeof t, "%Y-%m-%d %H:%M:%S UTC", &tm);
			printf("last sync   %s\n", t);
		} else {
			printf("last sync   never\n");
		}
		json_array_foreach (json_object_get(up, "levels"), i, l)
			printf("received by %s: seq %" JSON_INTEGER_FORMAT
			       " / %" JSON_INTEGER_FORMAT "\n",
			       s_level_name(json_integer_value(json_object_get(l, "level"))),
			       json_integer_value(json_object_get(l, "seq")),
			       json_integer_value(json_object_get(l, "of")));
		if (json_integer_value(json_object_get(up, "refused")))
			printf("refused     %" JSON_INTEGER_FORMAT " record(s); last: %s\n",
			       json_integer_value(json_object_get(up, "refused")),
			       s_str(up, "last_refusal"));
	}
	if (hub)
		printf("children    %" JSON_INTEGER_FORMAT " connected (see 'antt children')\n",
		       json_integer_value(json_object_get(hub, "connected")));
	if (json_integer_value(json_object_get(hub, "forks")))
		printf("forks       %" JSON_INTEGER_FORMAT
		       " record(s) signed with a seq already held (%" JSON_INTEGER_FORMAT
		       " kept as evidence; see 'antt children')\n",
		       json_integer_value(json_object_get(hub, "forks")),
		       json_integer_value(json_object_get(hub, "forks_kept")));
}

/* One metric in the Prometheus text format, labelled with the node's unit
 * (and LEVEL when it is not 0). */
static void s_metric(const char *name, const char *type, const char *help, const char *unit,
                     int level, json_int_t value)
{
	if (help)
		printf("# HELP antt_%s %s\n# TYPE antt_%s %s\n", name, help, name, type);
	if (level)
		printf("antt_%s{unit=\"%s\",level=\"%d\"} %" JSON_INTEGER_FORMAT "\n", name, unit,
		       level, value);
	else
		printf("antt_%s{unit=\"%s\"} %" JSON_INTEGER_FORMAT "\n", name, unit, value);
}

static void s_print_prometheus(json_t *resp)
{
	const char *unit = s_str(resp, "unit");
	json_t *up = json_object_get(resp, "uplink"), *hub = json_object_get(resp, "hub");
	json_int_t head = json_integer_value(json_object_get(json_object_get(resp, "head"), "seq"));
	s_metric("up", "gauge", "1: anttd answers", unit, 0, 1);
	s_metric("records", "gauge", "Records in the store, of every author.", unit, 0,
	         json_integer_value(json_object_get(resp, "records")));
	s_metric("authors", "gauge", "Authors (keys) in the store.", unit, 0,
	         json_integer_value(json_object_get(resp, "authors")));
	s_metric("own_head_seq", "gauge", "Sequence number of this node's own last record.", unit,
	         0, head);
	if (up) {
		const char *state = s_str(up, "state");
		size_t i;
		json_t *l;
		s_metric("uplink_connected", "gauge", "1: the link to the parent is up.", unit, 0,
		         !strcmp(state, "ready") || !strcmp(state, "sending"));
		s_metric("uplink_on_fallback", "gauge", "1: sending to the fallback hub.", unit, 0,
		         json_is_true(json_object_get(up, "on_fallback")));
		/* unknown until the parent has named its heads since anttd started */
		if (json_is_integer(json_object_get(up, "queued")))
			s_metric(
			    "uplink_queued_records", "gauge",
			    "Records held here that the parent does not hold yet (every author).",
			    unit, 0, json_integer_value(json_object_get(up, "queued")));
		s_metric("uplink_sent_records_total", "counter",
		         "Records sent to the parent since anttd started.", unit, 0,
		         json_integer_value(json_object_get(up, "sent")));
		s_metric("uplink_refused_records_total", "counter",
		         "Records the parent refused since anttd started.", unit, 0,
		         json_integer_value(json_object_get(up, "refused")));
		json_t *ok = json_object_get(up, "last_ok");
		s_metric("uplink_last_sync_timestamp_seconds", "gauge",
		         "When the parent last acknowledged a batch (Unix time; 0: never).", unit,
		         0, json_is_integer(ok) ? json_integer_value(ok) : 0);
		s_metric("uplink_trusted", "gauge",
		         "1: this node's chain of enrollments reaches the root key.", unit, 0,
		         json_is_true(json_object_get(json_object_get(up, "trust"), "verified")));
		/* never synced: nothing is stored above, all of it waits (the
		 * case an alert on queue_depth is for) */
		json_t *levels = json_object_get(up, "levels"), *none = NULL;
		if (json_array_size(levels) == 0)
			levels = none = json_pack("[{s:i, s:i}]", "level", 1, "seq", 0);
		json_array_foreach (levels, i, l)
			s_metric("received_seq", "gauge",
			         i ? NULL
			           : "This node's own records stored LEVEL levels up: 1 the "
			             "parent, 2 its parent...",
			         unit, (int)json_integer_value(json_object_get(l, "level")),
			         json_integer_value(json_object_get(l, "seq")));
		json_array_foreach (levels, i, l) {
			json_int_t seq = json_integer_value(json_object_get(l, "seq"));
			s_metric("queue_depth", "gauge",
			         i ? NULL
			           : "This node's own records not yet stored LEVEL levels up.",
			         unit, (int)json_integer_value(json_object_get(l, "level")),
			         head > seq ? head - seq : 0);
		}
		json_decref(none);
	}
	if (hub) {
		s_metric("hub_children_connected", "gauge", "Children connected now.", unit, 0,
		         json_integer_value(json_object_get(hub, "connected")));
		s_metric("hub_forks_total", "counter",
		         "Records received that an author signed with a seq already held.", unit, 0,
		         json_integer_value(json_object_get(hub, "forks")));
	}
}

int antt_cmd_status(antt_cli_t *cli)
{
	static const char *usage = "status [--json | --prometheus]";
	static const struct option opts[] = {
	    {"prometheus", no_argument, NULL, 'P'}, COMMON_OPTS, {0}};
	int opt, ret, prometheus = 0;
	optind = 1;
	while ((opt = getopt_long(cli->argc, cli->argv, "c:h", opts, NULL)) != -1)
		if (opt == 'P')
			prometheus = 1;
		else if (s_common_opt(cli, opt, usage) < 0)
			return EX_USAGE;
	if (optind != cli->argc) {
		fprintf(stderr, "usage: antt %s\n", usage);
		return EX_USAGE;
	}
	json_t *resp;
	if ((ret = s_call(cli, json_pack("{s:s}", "op", "status"), TIMEOUT_MS, &resp)))
		return ret;
	json_object_del(resp, "ok");
	if (prometheus) {
		s_print_prometheus(resp);
	} else if (cli->json) {
		antt_cli_print_json(resp);
	} else {
		json_t *head = json_object_get(resp, "head");
		printf("unit        %s\n"
		       "public key  %s\n"
		       "records     %" JSON_INTEGER_FORMAT " (%" JSON_INTEGER_FORMAT " author(s))\n"
		       "head        seq %" JSON_INTEGER_FORMAT " %s\n"
		       "store       %s\n"
		       "anttd       %s, pid %" JSON_INTEGER_FORMAT "\n",
		       s_str(resp, "unit"), s_str(resp, "public_key"),
		       json_integer_value(json_object_get(resp, "records")),
		       json_integer_value(json_object_get(resp, "authors")),
		       json_integer_value(json_object_get(head, "seq")),
		       json_is_string(json_object_get(head, "id")) ? s_str(head, "id")
		                                                   : "(no record yet)",
		       s_str(resp, "store"), s_str(resp, "version"),
		       json_integer_value(json_object_get(resp, "pid")));
		s_print_sync_status(resp);
	}
	json_decref(resp);
	return 0;
}

int antt_cmd_forms(antt_cli_t *cli)
{
	static const char *usage = "forms [--json]";
	int ret;
	if ((ret = s_common_only(cli, usage, 0)))
		return ret;
	json_t *resp;
	if ((ret = s_call(cli, json_pack("{s:s}", "op", "forms"), TIMEOUT_MS, &resp)))
		return ret;
	json_t *forms = json_object_get(resp, "forms");
	if (cli->json) {
		antt_cli_print_json(forms);
	} else {
		size_t i, j;
		json_t *f, *ind;
		json_array_foreach (forms, i, f) {
			printf("%s%s  (%s, one %s per %s)\n  %s\n", i ? "\n" : "", s_str(f, "id"),
			       s_str(f, "kind"),
			       !strcmp(s_str(f, "kind"), "periodic") ? "report" : "or more entries",
			       s_str(f, "period"), s_str(f, "title"));
			json_array_foreach (json_object_get(f, "indicators"), j, ind)
				printf("    %-24s %s\n", s_str(ind, "code"), s_str(ind, "label"));
		}
	}
	json_decref(resp);
	return 0;
}

int antt_cmd_verify(antt_cli_t *cli)
{
	static const char *usage = "verify [--deep] [--json]";
	static const struct option opts[] = {{"deep", no_argument, NULL, 'd'}, COMMON_OPTS, {0}};
	int opt, ret, deep = 0;
	optind = 1;
	while ((opt = getopt_long(cli->argc, cli->argv, "c:h", opts, NULL)) != -1)
		if (opt == 'd')
			deep = 1;
		else if (s_common_opt(cli, opt, usage) < 0)
			return EX_USAGE;
	if (optind != cli->argc) {
		fprintf(stderr, "usage: antt %s\n", usage);
		return EX_USAGE;
	}
	json_t *resp;
	if ((ret = s_call(cli, json_pack("{s:s, s:b}", "op", "verify", "deep", deep),
	                  LONG_TIMEOUT_MS, &resp)))
		return ret;
	json_object_del(resp, "ok");
	int valid = json_is_true(json_object_get(resp, "valid"));
	if (cli->json) {
		antt_cli_print_json(resp);
	} else {
		size_t i;
		json_t *p;
		json_array_foreach (json_object_get(resp, "problems"), i, p)
			printf("FAIL record %s (author %.16s..., seq %" JSON_INTEGER_FORMAT
			       "): %s\n",
			       s_str(p, "id"), s_str(p, "author"),
			       json_integer_value(json_object_get(p, "seq")), s_str(p, "problem"));
		json_array_foreach (json_object_get(resp, "misconduct"), i, p)
			printf("MISCONDUCT record %s (author %.16s..., seq %" JSON_INTEGER_FORMAT
			       "): %s\n",
			       s_str(p, "id"), s_str(p, "author"),
			       json_integer_value(json_object_get(p, "seq")), s_str(p, "problem"));
		printf("%" JSON_INTEGER_FORMAT " records checked: %s\n",
		       json_integer_value(json_object_get(resp, "checked")),
		       !valid ? "PROBLEMS FOUND (see above)"
		       : deep ? "every signature and chain link holds, and every author's key is "
		                "enrolled by a chain ending at this node, for the units it signed, "
		                "and this node's own chain of enrollments reaches [sync] root"
		              : "every signature and chain link holds");
	}
	json_decref(resp);
	return valid ? 0 : EXIT_REFUSED;
}

/* FILE as anttd must see it (anttd writes it): an absolute path.  0, or
 * EX_USAGE, said. */
static int s_abs_path(const char *file, char *path, size_t size)
{
	char cwd[PATH_MAX];
	if (file[0] == '/') {
		if ((size_t)snprintf(path, size, "%s", file) < size)
			return 0;
	} else if (getcwd(cwd, sizeof cwd) &&
	           (size_t)snprintf(path, size, "%s/%s", cwd, file) < size) {
		return 0;
	}
	antt_cli_err("cannot make %s an absolute path: give one", file);
	return EX_USAGE;
}

/* backup --out FILE, bundle export --out FILE [--all]: a file anttd writes. */
static int s_write_file(antt_cli_t *cli, int bundle)
{
	const char *usage =
	    bundle ? "bundle export --out FILE [--all] [--json]" : "backup --out FILE [--json]";
	static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
	                                     {"all", no_argument, NULL, 'a'},
	                                     COMMON_OPTS,
	                                     {0}};
	const char *out = NULL;
	char path[PATH_MAX];
	int opt, ret, all = 0;
	optind = 1;
	while ((opt = getopt_long(cli->argc, cli->argv, "c:h", opts, NULL)) != -1)
		if (opt == 'o')
			out = optarg;
		else if (opt == 'a' && bundle)
			all = 1;
		else if (opt == 'a' || s_common_opt(cli, opt, usage) < 0) {
			if (opt == 'a')
				fprintf(stderr, "usage: antt %s\n", usage);
			return EX_USAGE;
		}
	if (optind != cli->argc || !out || !*out) {
		fprintf(stderr, "usage: antt %s\n", usage);
		return EX_USAGE;
	}
	/* anttd writes the file: it needs the whole path */
	if ((ret = s_abs_path(out, path, sizeof path)))
		return ret;
	json_t *resp;
	if ((ret = s_call(cli,
	                  json_pack("{s:s, s:s, s:b}", "op", bundle ? "bundle_export" : "backup",
	                            "out", path, "all", all),
	                  LONG_TIMEOUT_MS, &resp)))
		return ret;
	json_object_del(resp, "ok");
	if (cli->json)
		antt_cli_print_json(resp);
	else if (bundle)
		printf("bundle written to %s: %" JSON_INTEGER_FORMAT
		       " records of %" JSON_INTEGER_FORMAT " author(s), %" JSON_INTEGER_FORMAT
		       " bytes%s\n"
		       "carry it to the district (or any hub above) and run there: antt bundle "
		       "import FILE\n",
		       s_str(resp, "out"), json_integer_value(json_object_get(resp, "records")),
		       json_integer_value(json_object_get(resp, "authors")),
		       json_integer_value(json_object_get(resp, "bytes")),
		       all ? "" : " (what the parent is not known to hold)");
	else
		printf(
		    "backup written to %s: %" JSON_INTEGER_FORMAT
		    " records (this node's own up to seq %" JSON_INTEGER_FORMAT
		    "), %" JSON_INTEGER_FORMAT " bytes\n"
		    "to restore: stop anttd, copy it over the store (removing the store's -wal and "
		    "-shm files), start anttd with its parent reachable; see docs/operations.md\n",
		    s_str(resp, "out"), json_integer_value(json_object_get(resp, "records")),
		    json_integer_value(json_object_get(resp, "head")),
		    json_integer_value(json_object_get(resp, "bytes")));
	json_decref(resp);
	return 0;
}

int antt_cmd_backup(antt_cli_t *cli)
{
	return s_write_file(cli, 0);
}

static int s_bundle_import(antt_cli_t *cli)
{
	static const char *usage = "bundle import FILE [--json]";
	int ret;
	if ((ret = s_common_only(cli, usage, 1)))
		return ret;
	const char *file = cli->argv[optind];
	char *data, err[ANTT_ERR_MAX];
	size_t len;
	int rc = antt_read_file(file, ANTT_CTL_MSG_MAX - 4096, &data, &len, err);
	if (rc) {
		antt_cli_err("%s", err);
		return rc == ANTT_E_INVAL ? EXIT_REFUSED : EXIT_NOINPUT;
	}
	json_t *resp;
	ret = antt_cli_call(cli, json_pack("{s:s}", "op", "bundle_import"), data, len, file,
	                    LONG_TIMEOUT_MS, &resp);
	free(data);
	if (ret)
		return ret;
	json_object_del(resp, "ok");
	json_int_t waiting = json_integer_value(json_object_get(resp, "waiting"));
	json_t *refused = json_object_get(resp, "refused");
	if (cli->json) {
		antt_cli_print_json(resp);
	} else {
		size_t i;
		json_t *r;
		printf("bundle from %s: %" JSON_INTEGER_FORMAT " records, %" JSON_INTEGER_FORMAT
		       " stored, %" JSON_INTEGER_FORMAT " already held\n",
		       s_str(resp, "from"), json_integer_value(json_object_get(resp, "records")),
		       json_integer_value(json_object_get(resp, "stored")),
		       json_integer_value(json_object_get(resp, "duplicates")));
		json_array_foreach (refused, i, r)
			printf("REFUSED author %.16s... seq %" JSON_INTEGER_FORMAT ": %s\n",
			       s_str(r, "author"), json_integer_value(json_object_get(r, "seq")),
			       s_str(r, "reason"));
		if (waiting)
			printf(
			    "%" JSON_INTEGER_FORMAT " records wait: their author's enrollment has "
			    "not reached this hub yet; import the same bundle again once the hub "
			    "that enrolled them has synced (nothing of them was stored)\n",
			    waiting);
	}
	ret = json_integer_value(json_object_get(resp, "refused_count")) ? EXIT_REFUSED
	      : waiting                                                  ? EX_TEMPFAIL
	                                                                 : 0;
	json_decref(resp);
	return ret;
}

int antt_cmd_bundle(antt_cli_t *cli)
{
	if (cli->argc >= 2 && !strcmp(cli->argv[1], "export")) {
		cli->argc--, cli->argv++;
		return s_write_file(cli, 1);
	}
	if (cli->argc >= 2 && !strcmp(cli->argv[1], "import")) {
		cli->argc--, cli->argv++;
		return s_bundle_import(cli);
	}
	fprintf(stderr, "usage: antt bundle export --out FILE [--all] | bundle import FILE\n");
	return EX_USAGE;
}

/* "a,b, c" -> ["a", "b", "c"] (empty items skipped; the node checks each) */
static void s_split_list(const char *text, json_t *list)
{
	char *copy = antt_xstrdup(text), *save = NULL;
	for (char *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
		json_array_append_new(list, s_text(t));
	free(copy);
}

int antt_cmd_enroll(antt_cli_t *cli)
{
	static const char *usage =
	    "enroll --unit CODE --key KEY [--hub | --relay] [--units CODE,...] "
	    "[--below CODE,...] [--json]";
	static const struct option opts[] = {{"unit", required_argument, NULL, 'u'},
	                                     {"key", required_argument, NULL, 'k'},
	                                     {"hub", no_argument, NULL, 'H'},
	                                     {"relay", no_argument, NULL, 'R'},
	                                     {"units", required_argument, NULL, 'U'},
	                                     {"below", required_argument, NULL, 'B'},
	                                     COMMON_OPTS,
	                                     {0}};
	const char *unit = NULL, *key = NULL;
	json_t *units = json_array(), *below = json_array();
	int opt, ret, hub = 0, relay = 0;
	optind = 1;
	while ((opt = getopt_long(cli->argc, cli->argv, "c:h", opts, NULL)) != -1) {
		if (opt == 'u')
			unit = optarg;
		else if (opt == 'k')
			key = optarg;
		else if (opt == 'H')
			hub = 1;
		else if (opt == 'R')
			relay = 1;
		else if (opt == 'U' || opt == 'B')
			s_split_list(optarg, opt == 'U' ? units : below);
		else if (s_common_opt(cli, opt, usage) < 0) {
			json_decref(units);
			json_decref(below);
			return EX_USAGE;
		}
	}
	hub |= relay || json_array_size(units) || json_array_size(below);
	if (!unit || !key || optind != cli->argc ||
	    (hub && !json_array_size(units) && !json_array_size(below))) {
		fprintf(stderr,
		        "usage: antt %s\n(a hub, or a relay (a hub that files no reports of its "
		        "own), is enrolled with the units it may enroll, --units, and/or the units "
		        "below which it may, --below)\n",
		        usage);
		json_decref(units);
		json_decref(below);
		return EX_USAGE;
	}
	json_t *req = json_pack("{s:s, s:o, s:o, s:s}", "op", "enroll", "unit", s_text(unit), "key",
	                        s_text(key), "grant",
	                        relay ? "relay"
	                        : hub ? "hub"
	                              : "station");
	if (hub) {
		json_object_set(req, "units", units);
		json_object_set(req, "below", below);
	}
	json_decref(units);
	json_decref(below);
	json_t *resp;
	if ((ret = s_call(cli, req, TIMEOUT_MS, &resp)))
		return ret;
	json_object_del(resp, "ok");
	if (cli->json)
		antt_cli_print_json(resp);
	else
		printf("enrolled unit %s as a %s (key %s) in record %s seq %" JSON_INTEGER_FORMAT
		       "\n",
		       unit,
		       relay ? "relay"
		       : hub ? "hub"
		             : "station",
		       key, s_str(resp, "id"), json_integer_value(json_object_get(resp, "seq")));
	json_decref(resp);
	return 0;
}

int antt_cmd_revoke(antt_cli_t *cli)
{
	static const char *usage = "revoke --key KEY --after SEQ [--reason TEXT] [--json]";
	static const struct option opts[] = {{"key", required_argument, NULL, 'k'},
	                                     {"after", required_argument, NULL, 'a'},
	                                     {"reason", required_argument, NULL, 'r'},
	                                     COMMON_OPTS,
	                                     {0}};
	const char *key = NULL, *after = NULL, *reason = NULL;
	int opt, ret;
	optind = 1;
	while ((opt = getopt_long(cli->argc, cli->argv, "c:h", opts, NULL)) != -1) {
		if (opt == 'k')
			key = optarg;
		else if (opt == 'a')
			after = optarg;
		else if (opt == 'r')
			reason = optarg;
		else if (s_common_opt(cli, opt, usage) < 0)
			return EX_USAGE;
	}
	if (!key || !after || optind != cli->argc) {
		fprintf(stderr, "usage: antt %s\n", usage);
		return EX_USAGE;
	}
	char *end;
	errno = 0;
	long long seq = strtoll(after, &end, 10);
	if (errno || *end || end == after || seq < 0) {
		antt_cli_err("--after takes the last seq of that key that stays valid, a whole "
		             "number (0: none), not '%s'",
		             after);
		return EX_USAGE;
	}
	json_t *req = json_pack("{s:s, s:o, s:I}", "op", "revoke", "key", s_text(key), "after",
	                        (json_int_t)seq);
	if (reason)
		json_object_set_new(req, "reason", s_text(reason));
	json_t *resp;
	if ((ret = s_call(cli, req, TIMEOUT_MS, &resp)))
		return ret;
	json_object_del(resp, "ok");
	if (cli->json)
		antt_cli_print_json(resp);
	else
		printf("revoked key %s after seq %lld in record %s seq %" JSON_INTEGER_FORMAT
		       ": its later records are refused by every hub this reaches\n",
		       key, seq, s_str(resp, "id"),
		       json_integer_value(json_object_get(resp, "seq")));
	json_decref(resp);
	return 0;
}

int antt_cmd_children(antt_cli_t *cli)
{
	static const char *usage = "children [--json]";
	int ret;
	if ((ret = s_common_only(cli, usage, 0)))
		return ret;
	json_t *resp;
	if ((ret = s_call(cli, json_pack("{s:s}", "op", "children"), TIMEOUT_MS, &resp)))
		return ret;
	json_t *list = json_object_get(resp, "children");
	if (cli->json) {
		antt_cli_print_json(list);
	} else if (json_array_size(list) == 0) {
		printf("no child enrolled (antt enroll --unit CODE --key KEY)\n");
	} else {
		size_t i;
		json_t *c;
		printf("%-8s %-18s %-8s %-10s %-10s %-8s %-8s %s\n", "UNIT", "KEY", "GRANT", "LINK",
		       "LAST SEEN", "RECORDS", "HEAD", "FORKS");
		json_array_foreach (list, i, c) {
			char seen[24] = "-";
			json_t *ls = json_object_get(c, "last_seen_s");
			if (json_is_integer(ls))
				snprintf(seen, sizeof seen, "%" JSON_INTEGER_FORMAT " s ago",
				         json_integer_value(ls));
			printf("%-8s %.16s.. %-8s %-10s %-10s %-8" JSON_INTEGER_FORMAT
			       " %-8" JSON_INTEGER_FORMAT " %" JSON_INTEGER_FORMAT,
			       s_str(c, "unit"), s_str(c, "key"), s_str(c, "grant"),
			       json_is_true(json_object_get(c, "connected")) ? "connected" : "-",
			       seen, json_integer_value(json_object_get(c, "records")),
			       json_integer_value(json_object_get(c, "head")),
			       json_integer_value(json_object_get(c, "forks")));
			json_t *q = json_object_get(c, "quarantined_from");
			if (json_is_integer(q)) /* docs/operations.md, "A chain quarantined" */
				printf("  QUARANTINED from seq %" JSON_INTEGER_FORMAT,
				       json_integer_value(q));
			putchar('\n');
		}
	}
	json_decref(resp);
	return 0;
}
