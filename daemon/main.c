/* main.c - anttd: the antt node daemon.  Parses the command line, loads the
 * config, opens the node and its control socket, and runs the libuv loop
 * until SIGTERM or SIGINT. */
#include <getopt.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <uv.h>

#include "common.h"
#include "config.h"
#include "ctlsock.h"
#include "forms.h"
#include "keyfile.h"
#include "hub.h"
#include "node.h"
#include "service.h"
#include "uplink.h"

typedef struct {
	uv_loop_t loop;
	uv_signal_t sigterm, sigint;
	antt_node_t *node;
	antt_ctlsock_t *ctl;
	antt_hub_t *hub;
	antt_uplink_t *uplink;
	antt_service_t *service;
	int stopping;
} s_daemon_t;

static void s_usage(FILE *f)
{
	fprintf(f,
	        "usage: anttd [-c FILE] [-n] [-v] [-h] [-V]\n"
	        "  -c FILE  config file (default: $ANTT_CONF, else %s)\n"
	        "  -n       check the config, key and forms, then exit\n"
	        "  -v       log debug messages\n"
	        "  -h       this help\n"
	        "  -V       print the version\n",
	        ANTT_CONFIG_DEFAULT);
}

static void s_on_closed(uv_handle_t *h)
{
	(void)h;
}

static void s_on_signal(uv_signal_t *h, int signum)
{
	s_daemon_t *d = h->data;
	if (d->stopping)
		return;
	d->stopping = 1;
	antt_log(ANTT_LOG_INFO, "%s: stopping", strsignal(signum));
	antt_service_stopping(d->service);
	antt_service_close(&d->service);
	antt_node_stop(d->node);
	antt_uplink_close(&d->uplink);
	antt_hub_close(&d->hub);
	antt_ctlsock_close(&d->ctl);
	uv_close((uv_handle_t *)&d->sigterm, s_on_closed);
	uv_close((uv_handle_t *)&d->sigint, s_on_closed);
}

/* -n: everything anttd would open, opened and closed again. */
static int s_check(const antt_config_t *cfg)
{
	char err[ANTT_ERR_MAX];
	antt_key_t *key = NULL;
	antt_forms_t *forms = NULL;
	int rc = antt_key_load(cfg->key_path, &key, err);
	if (!rc)
		rc = antt_forms_load(cfg->forms_dir, &forms, err);
	antt_key_destroy(&key);
	antt_forms_destroy(&forms);
	if (rc) {
		fprintf(stderr, "anttd: %s\n", err);
		return EX_CONFIG;
	}
	printf("%s: configuration OK\n", cfg->path);
	return 0;
}

int main(int argc, char **argv)
{
	const char *conf = NULL;
	int opt, check = 0, verbose = 0, ret = 0;
	char err[ANTT_ERR_MAX];
	while ((opt = getopt(argc, argv, "c:nvhV")) != -1) {
		switch (opt) {
		case 'c': conf = optarg; break;
		case 'n': check = 1; break;
		case 'v': verbose = 1; break;
		case 'h': s_usage(stdout); return 0;
		case 'V': printf("anttd %s\n", ANTT_VERSION); return 0;
		default: s_usage(stderr); return EX_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "anttd: unexpected argument '%s'\n", argv[optind]);
		s_usage(stderr);
		return EX_USAGE;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "anttd: libsodium failed to initialise\n");
		return EX_SOFTWARE;
	}
	if (!conf)
		conf = antt_config_default_path();
	antt_config_t *cfg = NULL;
	if (antt_config_load(conf, &cfg, err)) {
		fprintf(stderr, "anttd: %s\n", err);
		return EX_CONFIG;
	}
	antt_log_set_level(verbose ? ANTT_LOG_DEBUG : cfg->log_level);
	antt_log_use_journal();
	if (check) {
		ret = s_check(cfg);
		antt_config_destroy(&cfg);
		return ret;
	}
	signal(SIGPIPE, SIG_IGN);
	/* no core file: it would hold the node's secret key */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

	s_daemon_t d = {0};
	uv_loop_init(&d.loop);
	int rc = antt_node_open(cfg, &d.loop, &d.node, err);
	if (!rc)
		rc = antt_ctlsock_open(&d.loop, d.node, cfg->socket_path, &d.ctl, err);
	if (!rc && cfg->listen)
		rc = antt_hub_open(&d.loop, d.node, cfg, &d.hub, err);
	if (!rc && cfg->parent)
		rc = antt_uplink_open(&d.loop, d.node, d.hub, cfg, &d.uplink, err);
	if (rc) {
		antt_log(ANTT_LOG_ERR, "%s", err);
		ret = rc == ANTT_E_BUSY      ? EX_TEMPFAIL
		      : rc == ANTT_E_CONFIG  ? EX_CONFIG
		      : rc == ANTT_E_CORRUPT ? EX_DATAERR
		                             : EX_UNAVAILABLE;
		goto out;
	}
	uv_signal_init(&d.loop, &d.sigterm);
	uv_signal_init(&d.loop, &d.sigint);
	d.sigterm.data = d.sigint.data = &d;
	uv_signal_start(&d.sigterm, s_on_signal, SIGTERM);
	uv_signal_start(&d.sigint, s_on_signal, SIGINT);
	antt_log(ANTT_LOG_INFO, "started: unit %s, key %s, store %s, control %s", cfg->unit,
	         antt_node_public_hex(d.node), cfg->store_path, cfg->endpoint);
	antt_service_open(&d.loop, d.node, &d.service);
	uv_run(&d.loop, UV_RUN_DEFAULT);
	antt_log(ANTT_LOG_INFO, "stopped");
out:
	antt_service_close(&d.service);
	antt_uplink_close(&d.uplink);
	antt_hub_close(&d.hub);
	antt_ctlsock_close(&d.ctl);
	uv_run(&d.loop, UV_RUN_DEFAULT); /* let closing handles finish */
	antt_node_destroy(&d.node);
	if (uv_loop_close(&d.loop) != 0)
		antt_log(ANTT_LOG_WARN, "loop closed with handles still open");
	antt_config_destroy(&cfg);
	return ret;
}
