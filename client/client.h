/* client.h - what the antt command-line files share. */
#ifndef ANTT_CLIENT_H
#define ANTT_CLIENT_H

#include <jansson.h>
#include <stdio.h>
#include <sysexits.h>

/* Exit codes (sysexits.h), documented in the README. */
#define EXIT_REFUSED EX_DATAERR  /* 65: data refused, not found, verify failed */
#define EXIT_NOINPUT EX_NOINPUT  /* 66: an input file cannot be read */
#define EXIT_DOWN EX_UNAVAILABLE /* 69: anttd is not running or not answering */
#define EXIT_STORE EX_IOERR      /* 74: the store failed */

typedef struct {
	const char *conf; /* -c, or NULL for the default */
	int json;         /* --json */
	int argc;         /* the command's arguments, argv[0] = command name */
	char **argv;
} antt_cli_t;

/* Print an error for the user, prefixed "antt: ". */
void antt_cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* cmd.c: send req (taken), with an attachment frame if attach is not NULL,
 * to the node's anttd; 0 with *resp the reply, or the exit code after
 * printing the error (after "what:" when what is given). */
int antt_cli_call(antt_cli_t *cli, json_t *req, const char *attach, size_t attach_len,
                  const char *what, int timeout_ms, json_t **resp);
/* One JSON document on stdout. */
void antt_cli_print_json(json_t *j);

/* args.c */
/* "code=value" words -> JSON object; exit code or 0. */
int antt_args_values(int argc, char **argv, json_t **out);

/* cmd.c: each returns the process exit code. */
int antt_cmd_init(antt_cli_t *cli);
int antt_cmd_submit(antt_cli_t *cli);
int antt_cmd_correct(antt_cli_t *cli);
int antt_cmd_log(antt_cli_t *cli);
int antt_cmd_show(antt_cli_t *cli);
int antt_cmd_status(antt_cli_t *cli);
int antt_cmd_forms(antt_cli_t *cli);
int antt_cmd_verify(antt_cli_t *cli);
int antt_cmd_backup(antt_cli_t *cli);
int antt_cmd_bundle(antt_cli_t *cli);
int antt_cmd_enroll(antt_cli_t *cli);
int antt_cmd_children(antt_cli_t *cli);
int antt_cmd_revoke(antt_cli_t *cli);

/* cmd_reports.c */
int antt_cmd_units(antt_cli_t *cli);
int antt_cmd_report(antt_cli_t *cli);
int antt_cmd_missing(antt_cli_t *cli);
int antt_cmd_history(antt_cli_t *cli);
int antt_cmd_export(antt_cli_t *cli);
int antt_cmd_rebuild(antt_cli_t *cli);

#endif
