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
#include "record.h"

typedef struct {
	antt_config_t *c;
	char *key, *store, *forms, *socket, *level;
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
	} else if (!strcmp(section, "control")) {
		if (!strcmp(name, "socket"))
			return s_set(&p->socket, value, p, name);
	} else if (!strcmp(section, "log")) {
		if (!strcmp(name, "level"))
			return s_set(&p->level, value, p, name);
	} else {
		snprintf(p->problem, sizeof p->problem,
		         "unknown section [%s] (known: [node], [control], [log])", section);
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
	free(c);
	*self_p = NULL;
}
