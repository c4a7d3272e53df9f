/* antt.c - the antt command line: global options and the command table. */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "config.h"

static const struct {
	const char *name;
	int (*run)(antt_cli_t *);
	const char *help;
} s_commands[] = {
    {"init", antt_cmd_init, "init --unit CODE --dir DIR [--forms DIR]   create a node"},
    {"submit", antt_cmd_submit,
     "submit --form FORM --period PERIOD CODE=VALUE... [--note TEXT] [--unit CODE] | --file FILE"},
    {"correct", antt_cmd_correct, "correct ID CODE=VALUE... [--note TEXT]"},
    {"log", antt_cmd_log, "log [--form F] [--period P] [--author KEY] [--limit N]"},
    {"show", antt_cmd_show, "show ID"},
    {"status", antt_cmd_status, "status"},
    {"forms", antt_cmd_forms, "forms"},
    {"verify", antt_cmd_verify,
     "verify [--deep]   --deep: also every author's chain of enrollments"},
    {"backup", antt_cmd_backup,
     "backup --out FILE   a consistent copy of the live store (restore: docs/operations.md)"},
    {"bundle", antt_cmd_bundle,
     "bundle export --out FILE [--all] | bundle import FILE   records carried on a file"},
    {"enroll", antt_cmd_enroll,
     "enroll --unit CODE --key KEY [--hub --units/--below CODE,...]   admit a child node (at a "
     "hub)"},
    {"revoke", antt_cmd_revoke,
     "revoke --key KEY --after SEQ [--reason TEXT]   withdraw a child's key (at a hub)"},
    {"children", antt_cmd_children, "children   the children enrolled here, and their links"},
    {"units", antt_cmd_units,
     "units [list] | units import [FILE.csv [--list NAME --from DAY [--to DAY]]] | units "
     "import --links FILE.csv --old LIST --new LIST   the administrative unit lists (at a hub)"},
    {"report", antt_cmd_report,
     "report --period P [--unit CODE] [--form F] [--by unit|period|indicator] [--csv]"},
    {"missing", antt_cmd_missing, "missing --period P [--unit CODE] [--form F]"},
    {"history", antt_cmd_history, "history --unit CODE --period P [--form F]"},
    {"export", antt_cmd_export, "export --period P [--unit CODE] [--form F] [--csv]"},
    {"rebuild", antt_cmd_rebuild, "rebuild   rebuild the decoded tables from the records"},
};

void antt_cli_err(const char *fmt, ...)
{
	va_list ap;
	fputs("antt: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void s_usage(FILE *f)
{
	fprintf(f, "usage: antt [-c FILE] [--json] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof s_commands / sizeof *s_commands; i++)
		fprintf(f, "  %s\n", s_commands[i].help);
	fprintf(f,
	        "\noptions (before or after the command):\n"
	        "  -c, --config FILE  node config (default: $ANTT_CONF, else %s)\n"
	        "  --json             print one JSON document instead of text\n"
	        "  -h, --help         this help\n"
	        "  -V, --version      print the version\n"
	        "\nexit codes: 0 ok, 64 usage, 65 data refused or verify failed, 66 input file\n"
	        "unreadable, 69 anttd not running, 74 store error, 78 config error\n",
	        ANTT_CONFIG_DEFAULT);
}

int main(int argc, char **argv)
{
	antt_cli_t cli = {0};
	int i = 1;
	if (sodium_init() < 0) {
		antt_cli_err("libsodium failed to initialise");
		return EX_SOFTWARE;
	}
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) {
			if (++i == argc) {
				antt_cli_err("%s needs a file", argv[i - 1]);
				return EX_USAGE;
			}
			cli.conf = argv[i];
		} else if (!strncmp(argv[i], "--config=", 9)) {
			cli.conf = argv[i] + 9;
		} else if (!strcmp(argv[i], "--json")) {
			cli.json = 1;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			s_usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version")) {
			printf("antt %s\n", ANTT_VERSION);
			return 0;
		} else {
			antt_cli_err("unknown option '%s'", argv[i]);
			s_usage(stderr);
			return EX_USAGE;
		}
	}
	if (i == argc) {
		s_usage(stderr);
		return EX_USAGE;
	}
	for (size_t k = 0; k < sizeof s_commands / sizeof *s_commands; k++) {
		if (!strcmp(argv[i], s_commands[k].name)) {
			cli.argc = argc - i;
			cli.argv = argv + i;
			return s_commands[k].run(&cli);
		}
	}
	antt_cli_err("unknown command '%s' (see 'antt --help')", argv[i]);
	return EX_USAGE;
}
