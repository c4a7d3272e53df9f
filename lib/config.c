/* config.c - anttd.conf parsing with inih (see config.h). */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "common.h"
#include "names.h"

typedef struct {
	antt_config_t *c;
	char *key, *store, *forms, *socket, *level;
	char *parent_key, *root, *heartbeat, *timeout, *batch;
	char *fallback_key, *fallback_after, *not_expected;
	FILE *f;
	int line;         /* lines read, counted as inih counts them */
	int problem_line; /* the line of problem, 0 if none yet */
	char problem[256];
} s_parse_t;

/* inih's line reader (fgets), counting lines. */
static char *s_reader(char *buf, int size, void *user)
{
	s_parse_t *p = user;
	char *r = fgets(buf, size, p->f);
	if (r)
		p->line++;
	return r;
}

static int s_set(char **slot, const char *value, s_parse_t *p, const char *name)
{
	if (*slot) {
		snprintf(p->problem, sizeof p->problem, "'%s' is set twice", name);
		return 0;
	}
	if (!*value) {
		snprintf(p->problem, sizeof p->problem, "'%s' is empty", name);
		return 0;
	}
	*slot = antt_xstrdup(value);
	return 1;
}

static int s_handle(s_parse_t *p, const char *section, const char *name, const char *value)
{
	if (!strcmp(section, "node")) {
		if (!strcmp(name, "unit"))
			return s_set(&p->c->unit, value, p, name);
		if (!strcmp(name, "key"))
			return s_set(&p->key, value, p, name);
		if (!strcmp(name, "store"))
			return s_set(&p->store, value, p, name);
		if (!strcmp(name, "forms"))
			return s_set(&p->forms, value, p, name);
		if (!strcmp(name, "durability")) {
			if (strcmp(value, "full") && strcmp(value, "relaxed")) {
				snprintf(p->problem, sizeof p->problem,
				         "[node] durability is full or relaxed, not '%.40s'",
				         value);
				return 0;
			}
			p->c->relaxed = !strcmp(value, "relaxed");
			return 1;
		}
	} else if (!strcmp(section, "control")) {
		if (!strcmp(name, "socket"))
			return s_set(&p->socket, value, p, name);
	} else if (!strcmp(section, "log")) {
		if (!strcmp(name, "level"))
			return s_set(&p->level, value, p, name);
	} else if (!strcmp(section, "sync")) {
		if (!strcmp(name, "listen"))
			return s_set(&p->c->listen, value, p, name);
		if (!strcmp(name, "parent"))
			return s_set(&p->c->parent, value, p, name);
		if (!strcmp(name, "parent_key"))
			return s_set(&p->parent_key, value, p, name);
		if (!strcmp(name, "root"))
			return s_set(&p->root, value, p, name);
		if (!strcmp(name, "fallback"))
			return s_set(&p->c->fallback, value, p, name);
		if (!strcmp(name, "fallback_key"))
			return s_set(&p->fallback_key, value, p, name);
		if (!strcmp(name, "fallback_after"))
			return s_set(&p->fallback_after, value, p, name);
		if (!strcmp(name, "heartbeat"))
			return s_set(&p->heartbeat, value, p, name);
		if (!strcmp(name, "timeout"))
			return s_set(&p->timeout, value, p, name);
		if (!strcmp(name, "batch"))
			return s_set(&p->batch, value, p, name);
	} else if (!strcmp(section, "reports")) {
		if (!strcmp(name, "not_expected"))
			return s_set(&p->not_expected, value, p, name);
	} else {
		snprintf(
		    p->problem, sizeof p->problem,
		    "unknown section [%s] (known: [node], [control], [log], [sync], [reports])",
		    section);
		return 0;
	}
	snprintf(p->problem, sizeof p->problem, "unknown setting '%s' in [%s]", name, section);
	return 0;
}

static int s_handler(void *user, const char *section, const char *name, const char *value)
{
	s_parse_t *p = user;
	if (p->problem_line)
		return 0; /* inih reads on after an error: keep the first problem */
	int ok = s_handle(p, section, name, value);
	if (!ok)
		p->problem_line = p->line;
	return ok;
}

/* A whole number in [lo, hi], or -1. */
static long s_number(const char *s, long lo, long hi)
{
	char *end;
	errno = 0;
	long v = s ? strtol(s, &end, 10) : -1;
	return s && !errno && end != s && !*end && v >= lo && v <= hi ? v : -1;
}

static int s_endpoint_ok(const char *e)
{
	const char *port = strrchr(e, ':');
	if (strncmp(e, "tcp://", 6) || !port || port <= e + 6 || strlen(e) >= 256)
		return 0;
	if (!strcmp(port + 1, "*")) /* any port: listen only, but libzmq accepts it */
		return 1;
	return s_number(port + 1, 1, 65535) > 0;
}

static int s_check_sync(antt_config_t *c, s_parse_t *p, const char *path, char *err)
{
	c->heartbeat_ms = p->heartbeat ? (int)s_number(p->heartbeat, 100, 600000) : 5000;
	c->timeout_ms = p->timeout ? (int)s_number(p->timeout, 300, 3600000) : 30000;
	c->batch = p->batch ? (int)s_number(p->batch, 1, 100000) : 5000;
	if (c->heartbeat_ms < 0 || c->timeout_ms < 0 || c->batch < 0)
		return antt_errf(
		    err, ANTT_E_CONFIG,
		    "%s: [sync] heartbeat (100-600000 ms), timeout (300-3600000 ms) and "
		    "batch (1-100000) take whole numbers in those ranges",
		    path);
	if (c->timeout_ms <= c->heartbeat_ms)
		return antt_errf(err, ANTT_E_CONFIG,
		                 "%s: [sync] timeout must be longer than heartbeat", path);
	if (c->listen && !s_endpoint_ok(c->listen))
		return antt_errf(
		    err, ANTT_E_CONFIG,
		    "%s: [sync] listen '%s' is not tcp://ADDRESS:PORT (e.g. tcp://*:7400)", path,
		    c->listen);
	if (c->parent && !s_endpoint_ok(c->parent))
		return antt_errf(err, ANTT_E_CONFIG,
		                 "%s: [sync] parent '%s' is not tcp://HOST:PORT", path, c->parent);
	if (!c->parent != !p->parent_key)
		return antt_errf(
		    err, ANTT_E_CONFIG,
		    "%s: [sync] parent and parent_key go together: the parent's address "
		    "and its public key (from 'antt status' on the parent)",
		    path);
	if (p->parent_key && antt_unhex(c->parent_key, sizeof c->parent_key, p->parent_key))
		return antt_errf(err, ANTT_E_CONFIG,
		                 "%s: [sync] parent_key is not a public key (64 hex digits)", path);
	if (c->fallback && !s_endpoint_ok(c->fallback))
		return antt_errf(err, ANTT_E_CONFIG,
		                 "%s: [sync] fallback '%s' is not tcp://HOST:PORT", path,
		                 c->fallback);
	if (!c->fallback != !p->fallback_key)
		return antt_errf(err, ANTT_E_CONFIG,
		                 "%s: [sync] fallback and fallback_key go together: the fallback "
		                 "hub's address and its public key",
		                 path);
	if (c->fallback && !c->parent)
		return antt_errf(
		    err, ANTT_E_CONFIG,
		    "%s: [sync] fallback is used while the parent is out of reach: set "
		    "parent too",
		    path);
	if (p->fallback_key && antt_unhex(c->fallback_key, sizeof c->fallback_key, p->fallback_key))
		return antt_errf(err, ANTT_E_CONFIG,
		                 "%s: [sync] fallback_key is not a public key (64 hex digits)",
		                 path);
	c->fallback_after_ms =
	    p->fallback_after ? (int)s_number(p->fallback_after, 1, 86400) * 1000 : 300000;
	if (c->fallback_after_ms < 0)
		return antt_errf(err, ANTT_E_CONFIG,
		                 "%s: [sync] fallback_after takes whole seconds from 1 to 86400",
		                 path);
	if (p->root && antt_unhex(c->root, sizeof c->root, p->root))
		return antt_errf(err, ANTT_E_CONFIG,
		                 "%s: [sync] root is not a public key (64 hex digits): the "
		                 "province's key, from 'antt status' there",
		                 path);
	c->has_root = p->root != NULL;
	return ANTT_OK;
}

/* [reports] not_expected: units with no police station to report, "CODE"
 * (of any list) or "LIST:CODE", separated by commas or spaces. */
static int s_not_expected(antt_config_t *c, const char *v, const char *path, char *err)
{
	char *copy = antt_xstrdup(v), *save = NULL;
	int rc = ANTT_OK;
	for (char *t = strtok_r(copy, ", \t", &save); t && !rc; t = strtok_r(NULL, ", \t", &save)) {
		char *colon = strchr(t, ':');
		const char *code = colon ? colon + 1 : t;
		if (colon)
			*colon = '\0';
		if ((colon && !antt_valid_list(t)) || !antt_valid_unit(code)) {
			rc = antt_errf(
			    err, ANTT_E_CONFIG,
			    "%s: [reports] not_expected: '%.40s%s%.20s' is not a unit: write "
			    "its code (12345) or its list and code (2025-07:12345), "
			    "separated by commas",
			    path, t, colon ? ":" : "", colon ? code : "");
			break;
		}
		c->not_expected = antt_xrealloc(c->not_expected,
		                                (c->n_not_expected + 1) * sizeof *c->not_expected);
		antt_unit_ref_t *r = &c->not_expected[c->n_not_expected++];
		snprintf(r->list, sizeof r->list, "%s", colon ? t : "");
		snprintf(r->code, sizeof r->code, "%s", code);
	}
	free(copy);
	return rc;
}

const char *antt_config_default_path(void)
{
	const char *env = getenv("ANTT_CONF");
	return env && *env ? env : ANTT_CONFIG_DEFAULT;
}

int antt_config_load(const char *path, antt_config_t **out, char *err)
{
	int rc = ANTT_OK;
	s_parse_t p = {0};
	antt_config_t *c = antt_xcalloc(1, sizeof *c);
	c->path = antt_xstrdup(path);
	c->log_level = ANTT_LOG_INFO;
	p.c = c;

	FILE *f = fopen(path, "r");
	if (!f) {
		rc = antt_errf(
		    err, ANTT_E_CONFIG,
		    "cannot read config %s: %s (create a node with 'antt init --unit CODE "
		    "--dir DIR', then pass -c DIR/anttd.conf)",
		    path, strerror(errno));
		goto out;
	}
	p.f = f;
	int line = ini_parse_stream(s_reader, &p, s_handler, &p);
	fclose(f);
	if (line != 0) {
		rc = antt_errf(err, ANTT_E_CONFIG, "%s:%d: %s", path, line,
		               line == p.problem_line ? p.problem
		                                      : "not a valid 'name = value' line");
		goto out;
	}
	if (!c->unit || !p.key || !p.store || !p.forms || !p.socket) {
		rc = antt_errf(err, ANTT_E_CONFIG,
		               "%s: missing %s (every config needs [node] unit, key, store, forms "
		               "and [control] socket)",
		               path,
		               !c->unit   ? "[node] unit"
		               : !p.key   ? "[node] key"
		               : !p.store ? "[node] store"
		               : !p.forms ? "[node] forms"
		                          : "[control] socket");
		goto out;
	}
	if (!antt_valid_unit(c->unit)) {
		rc = antt_errf(err, ANTT_E_CONFIG,
		               "%s: unit '%s' is not a unit code (1 to %d letters, digits, '.', "
		               "'_' or '-')",
		               path, c->unit, ANTT_UNIT_MAX);
		goto out;
	}
	if (p.level) {
		c->log_level = antt_log_level_parse(p.level);
		if (c->log_level < 0) {
			rc = antt_errf(
			    err, ANTT_E_CONFIG,
			    "%s: [log] level '%s' is not one of error, warning, info, debug", path,
			    p.level);
			goto out;
		}
	}
	if ((rc = s_check_sync(c, &p, path, err)))
		goto out;
	if (p.not_expected && (rc = s_not_expected(c, p.not_expected, path, err)))
		goto out;
	c->key_path = antt_path_resolve(path, p.key);
	c->store_path = antt_path_resolve(path, p.store);
	c->forms_dir = antt_path_resolve(path, p.forms);
	const char *sock = p.socket;
	if (!strncmp(sock, "ipc://", 6))
		sock += 6;
	c->socket_path = antt_path_resolve(path, sock);
	if (strlen(c->socket_path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		rc = antt_errf(err, ANTT_E_CONFIG,
		               "%s: control socket path %s is longer than the system allows (%zu "
		               "bytes): use a shorter path",
		               path, c->socket_path,
		               sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
		goto out;
	}
	if (asprintf(&c->endpoint, "ipc://%s", c->socket_path) < 0 ||
	    asprintf(&c->lock_path, "%s.lock", c->store_path) < 0)
		abort();
out:
	free(p.key);
	free(p.store);
	free(p.forms);
	free(p.socket);
	free(p.level);
	free(p.parent_key);
	free(p.fallback_key);
	free(p.fallback_after);
	free(p.root);
	free(p.heartbeat);
	free(p.timeout);
	free(p.batch);
	free(p.not_expected);
	if (rc)
		antt_config_destroy(&c);
	*out = c;
	return rc;
}

void antt_config_destroy(antt_config_t **self_p)
{
	antt_config_t *c = *self_p;
	if (!c)
		return;
	free(c->path);
	free(c->unit);
	free(c->key_path);
	free(c->store_path);
	free(c->forms_dir);
	free(c->socket_path);
	free(c->endpoint);
	free(c->lock_path);
	free(c->listen);
	free(c->parent);
	free(c->fallback);
	free(c->not_expected);
	free(c);
	*self_p = NULL;
}
