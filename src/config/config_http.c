/*
 * config_http: the `http` and `metrics` sections (config_http.h), built
 * after the schema engine checked their keys against config_schema.c.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <openssl/crypto.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_http.h"
#include "config_section.h"
#include "xmalloc.h"

struct config_http {
	struct config_http_listen	*http;		/* NULL: none */
	struct config_http_listen	*metrics;	/* NULL: on http */
};

static struct config_http_listen *config_http_listen_load(
		    struct config_loader *, config_setting_t *, const char *,
		    bool);
static void	config_http_tls(struct config_loader *, config_setting_t *,
		    const char *, struct config_http_listen *);
static void	config_http_limits(struct config_loader *,
		    config_setting_t *, const char *,
		    struct config_http_listen *);
static void	config_http_sources(struct config_loader *,
		    config_setting_t *, struct config_http_listen *);
static bool	config_http_source(struct config_loader *,
		    config_setting_t *, const char *,
		    struct config_http_source *);
static char	*config_http_token_file(struct config_loader *,
		    config_setting_t *, const char *, const char *);
static void	config_http_forms(struct config_loader *,
		    config_setting_t *, struct config_http_listen *);
static bool	config_http_form_load(struct config_loader *,
		    config_setting_t *, const char *,
		    struct config_http_form *);
static bool	config_http_name_ok(const char *);
static void	config_http_listen_free(struct config_http_listen *);
static bool	config_http_listen_same(const struct config_http_listen *,
		    const struct config_http_listen *);

void
config_http_init(struct config *c)
{
	c->http = xcalloc(1, sizeof(*c->http));
}

void
config_http_load(struct config_loader *ld, config_setting_t *s)
{
	struct config_http *h = config_section_config(ld)->http;

	config_http_listen_free(h->http);
	h->http = config_http_listen_load(ld, s, "http", true);
}

void
config_http_load_metrics(struct config_loader *ld, config_setting_t *s)
{
	struct config_http *h = config_section_config(ld)->http;

	config_http_listen_free(h->metrics);
	h->metrics = config_http_listen_load(ld, s, "metrics", false);
}

void
config_http_free(struct config *c)
{
	if (c->http == NULL)
		return;
	config_http_listen_free(c->http->http);
	config_http_listen_free(c->http->metrics);
	free(c->http);
	c->http = NULL;
}

const struct config_http_listen *
config_http(const struct config *c)
{
	return c->http != NULL ? c->http->http : NULL;
}

const struct config_http_listen *
config_http_metrics(const struct config *c)
{
	return c->http != NULL ? c->http->metrics : NULL;
}

bool
config_http_same_listen(const struct config *a, const struct config *b)
{
	return config_http_listen_same(config_http(a), config_http(b)) &&
	    config_http_listen_same(config_http_metrics(a),
	    config_http_metrics(b));
}

static bool
config_http_listen_same(const struct config_http_listen *a,
    const struct config_http_listen *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return a->port == b->port && strcmp(a->address, b->address) == 0 &&
	    a->max_header_size == b->max_header_size &&
	    a->max_body_size == b->max_body_size &&
	    a->max_connections == b->max_connections &&
	    a->timeout == b->timeout &&
	    xstreq(a->tls_certificate, b->tls_certificate) &&
	    xstreq(a->tls_key, b->tls_key);
}

/*
 * One listener's group; full: the http section (TLS and limits), else
 * the metrics section (address and port only).  NULL after an error.
 */
static struct config_http_listen *
config_http_listen_load(struct config_loader *ld, config_setting_t *s,
    const char *where, bool full)
{
	struct config_http_listen *l;
	const char *address;
	long long port;

	/* the schema engine checked keys, types, ranges, required ones */
	if (!config_section_string(s, "address", &address) ||
	    !config_section_int(s, "port", &port))
		return NULL;
	l = xcalloc(1, sizeof(*l));
	l->address = xstrdup(address);
	l->port = (int)port;
	l->max_header_size = CONFIG_HTTP_HEADER_DEFAULT;
	l->max_body_size = CONFIG_HTTP_BODY_DEFAULT;
	l->max_connections = CONFIG_HTTP_CONN_DEFAULT;
	l->timeout = CONFIG_HTTP_TIMEOUT_DEFAULT;
	l->session_lifetime = CONFIG_HTTP_SESSION_DEFAULT;
	l->login_failures = CONFIG_HTTP_FAILURES_DEFAULT;
	l->login_window = CONFIG_HTTP_WINDOW_DEFAULT;
	l->login_lock = CONFIG_HTTP_LOCK_DEFAULT;
	if (full) {
		config_http_tls(ld, s, where, l);
		config_http_limits(ld, s, where, l);
		config_http_sources(ld, s, l);
		config_http_forms(ld, s, l);
	}
	return l;
}

/* tls = { certificate; key; }, the shape of the top-level tls group. */
static void
config_http_tls(struct config_loader *ld, config_setting_t *s,
    const char *where, struct config_http_listen *l)
{
	config_setting_t *t = config_setting_get_member(s, "tls");
	const char *cert = NULL, *key = NULL;
	char *name;

	if (t == NULL)
		return;
	xasprintf(&name, "%s.tls", where);
	(void)config_section_string(t, "certificate", &cert);
	(void)config_section_string(t, "key", &key);
	if (cert != NULL && key != NULL && (*cert == '\0') != (*key == '\0'))
		config_section_error(ld, t, name, "set both certificate and "
		    "key, or neither");
	else if (cert != NULL && key != NULL && *cert != '\0') {
		l->tls_certificate = xstrdup(cert);
		l->tls_key = xstrdup(key);
	}
	free(name);
}

static void
config_http_limits(struct config_loader *ld, config_setting_t *s,
    const char *where, struct config_http_listen *l)
{
	long long v;

	(void)ld;
	(void)where;
	if (config_section_int(s, "max_header_size", &v))
		l->max_header_size = (size_t)v;
	if (config_section_int(s, "max_body_size", &v))
		l->max_body_size = (size_t)v;
	if (config_section_int(s, "max_connections", &v))
		l->max_connections = (int)v;
	if (config_section_int(s, "timeout", &v))
		l->timeout = (int)v;
	if (config_section_int(s, "session_lifetime", &v))
		l->session_lifetime = (int)v;
	if (config_section_int(s, "login_failures", &v))
		l->login_failures = (int)v;
	if (config_section_int(s, "login_window", &v))
		l->login_window = (int)v;
	if (config_section_int(s, "login_lock", &v))
		l->login_lock = (int)v;
}

static void
config_http_sources(struct config_loader *ld, config_setting_t *s,
    struct config_http_listen *l)
{
	config_setting_t *list = config_setting_get_member(s, "sources");
	char *where;
	int i, j, n;

	if (list == NULL)
		return;
	if ((n = config_section_list(list)) <= 0)
		return;
	l->sources = xcalloc((size_t)n, sizeof(*l->sources));
	for (i = 0; i < n; i++) {
		xasprintf(&where, "http.sources[%d]", i);
		if (config_http_source(ld, config_setting_get_elem(list,
		    (unsigned int)i), where, &l->sources[l->nsources]))
			l->nsources++;
		for (j = 0; j + 1 < (int)l->nsources; j++)
			if (strcmp(l->sources[j].name,
			    l->sources[l->nsources - 1].name) == 0)
				config_section_error(ld,
				    config_setting_get_elem(list,
				    (unsigned int)i), where, "name %s used "
				    "twice", l->sources[j].name);
		free(where);
	}
}

static bool
config_http_source(struct config_loader *ld, config_setting_t *e,
    const char *where, struct config_http_source *src)
{
	const char *name, *token = NULL, *file = NULL, *p;
	long long rate = 0;

	if (config_setting_type(e) != CONFIG_TYPE_GROUP ||
	    !config_section_string(e, "name", &name))
		return false;
	for (p = name; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr("_.-", *p) == NULL)
			break;
	if (*name == '\0' || *p != '\0') {
		config_section_error(ld, e, where, "name must be letters, "
		    "digits, \"_\", \".\" or \"-\"");
		return false;
	}
	(void)config_section_string(e, "token", &token);
	(void)config_section_string(e, "token_file", &file);
	if ((token == NULL) == (file == NULL)) {
		config_section_error(ld, e, where, "set token or token_file "
		    "(one of them)");
		return false;
	}
	memset(src, 0, sizeof(*src));
	src->token = token != NULL ? xstrdup(token) :
	    config_http_token_file(ld, e, where, file);
	if (src->token == NULL)
		return false;
	if (strlen(src->token) < CONFIG_HTTP_TOKEN_MIN) {
		config_section_error(ld, e, where, "the token must be at least "
		    "%d characters (32 random ones are best)",
		    CONFIG_HTTP_TOKEN_MIN);
		free(src->token);
		return false;
	}
	(void)config_section_int(e, "rate_limit", &rate);
	src->rate_limit = (int)rate;
	(void)config_section_strings(e, "origins", &src->origins,
	    &src->norigins);
	src->name = xstrdup(name);
	return true;
}

static bool
config_http_name_ok(const char *name)
{
	return *name != '\0' && strspn(name, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == strlen(name);
}

static void
config_http_forms(struct config_loader *ld, config_setting_t *s,
    struct config_http_listen *l)
{
	config_setting_t *list = config_setting_get_member(s, "forms");
	char *where;
	int i, n;
	size_t j;

	if (list == NULL || (n = config_section_list(list)) <= 0)
		return;
	l->forms = xcalloc((size_t)n, sizeof(*l->forms));
	for (i = 0; i < n; i++) {
		xasprintf(&where, "http.forms[%d]", i);
		if (config_http_form_load(ld, config_setting_get_elem(list,
		    (unsigned int)i), where, &l->forms[l->nforms])) {
			for (j = 0; j < l->nforms; j++)
				if (strcmp(l->forms[j].name,
				    l->forms[l->nforms].name) == 0)
					config_section_error(ld,
					    config_setting_get_elem(list,
					    (unsigned int)i), where, "name %s "
					    "used twice", l->forms[j].name);
			l->nforms++;
		}
		free(where);
	}
}

static bool
config_http_form_load(struct config_loader *ld, config_setting_t *e,
    const char *where, struct config_http_form *f)
{
	const char *name, *from, *text, *v;
	long long n;

	if (config_setting_type(e) != CONFIG_TYPE_GROUP ||
	    !config_section_string(e, "name", &name) ||
	    !config_section_string(e, "from", &from) ||
	    !config_section_string(e, "text", &text))
		return false;
	if (!config_http_name_ok(name)) {
		config_section_error(ld, e, where, "name must be letters, "
		    "digits, \"_\", \".\" or \"-\"");
		return false;
	}
	memset(f, 0, sizeof(*f));
	f->name = xstrdup(name);
	f->from = xstrdup(from);
	f->text = xstrdup(text);
	if (config_section_string(e, "name_field", &v))
		f->name_field = xstrdup(v);
	if (config_section_string(e, "subject", &v))
		f->subject = xstrdup(v);
	if (config_section_string(e, "honeypot", &v))
		f->honeypot = xstrdup(v);
	if (config_section_string(e, "redirect", &v))
		f->redirect = xstrdup(v);
	(void)config_section_strings(e, "origins", &f->origins,
	    &f->norigins);
	n = 0;
	(void)config_section_int(e, "rate_limit", &n);
	f->rate_limit = (int)n;
	n = CONFIG_HTTP_FORM_SIZE_DEFAULT;
	(void)config_section_int(e, "max_size", &n);
	f->max_size = (size_t)n;
	return true;
}

const struct config_http_form *
config_http_form(const struct config *c, const char *name)
{
	const struct config_http_listen *l = config_http(c);
	size_t i;

	for (i = 0; l != NULL && i < l->nforms; i++)
		if (strcmp(l->forms[i].name, name) == 0)
			return &l->forms[i];
	return NULL;
}

/* The first line of file (relative: to the config's directory). */
static char *
config_http_token_file(struct config_loader *ld, config_setting_t *e,
    const char *where, const char *file)
{
	char *path, line[1024];
	FILE *f;

	if (file[0] == '/' || config_section_dir(ld) == NULL)
		path = xstrdup(file);
	else
		xasprintf(&path, "%s/%s", config_section_dir(ld), file);
	if ((f = fopen(path, "r")) == NULL) {
		config_section_error(ld, config_setting_get_member(e,
		    "token_file"), where, "token_file %s: cannot read it",
		    path);
		free(path);
		return NULL;
	}
	free(path);
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	return xstrdup(line);
}

const struct config_http_source *
config_http_source_by_token(const struct config *c, const char *token)
{
	const struct config_http_listen *l = config_http(c);
	const struct config_http_source *found = NULL;
	size_t i, len = strlen(token);

	/* every source is compared, so the time says nothing of which */
	for (i = 0; l != NULL && i < l->nsources; i++)
		if (strlen(l->sources[i].token) == len &&
		    CRYPTO_memcmp(l->sources[i].token, token, len) == 0)
			found = &l->sources[i];
	return found;
}

static void
config_http_listen_free(struct config_http_listen *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->nsources; i++) {
		free(l->sources[i].name);
		explicit_bzero(l->sources[i].token,
		    strlen(l->sources[i].token));
		free(l->sources[i].token);
		config_section_strv_free(l->sources[i].origins);
	}
	free(l->sources);
	for (i = 0; i < l->nforms; i++) {
		free(l->forms[i].name);
		free(l->forms[i].from);
		free(l->forms[i].name_field);
		free(l->forms[i].subject);
		free(l->forms[i].text);
		free(l->forms[i].honeypot);
		free(l->forms[i].redirect);
		config_section_strv_free(l->forms[i].origins);
	}
	free(l->forms);
	free(l->address);
	free(l->tls_certificate);
	free(l->tls_key);
	free(l);
}
