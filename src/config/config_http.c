/*
 * config_http: the `http` and `metrics` sections (config_http.h).  The
 * limits default to what a small intake API needs and no more: 8 KiB of
 * headers (what nginx and Apache accept by default), 10 MiB of body (a
 * request with a few attachments in base64), 64 connections, 30 seconds
 * for a whole request.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_http.h"
#include "config_section.h"
#include "xmalloc.h"

#define CONFIG_HTTP_HEADER_DEFAULT	8192
#define CONFIG_HTTP_BODY_DEFAULT	(10 * 1024 * 1024)
#define CONFIG_HTTP_CONN_DEFAULT	64
#define CONFIG_HTTP_TIMEOUT_DEFAULT	30

struct config_http {
	struct config_http_listen	*http;		/* NULL: no section */
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
static void	config_http_listen_free(struct config_http_listen *);
static bool	config_http_listen_same(const struct config_http_listen *,
		    const struct config_http_listen *);

static const char *const config_http_keys[] = {
	"address", "port", "tls", "max_header_size", "max_body_size",
	"max_connections", "timeout", NULL
};
static const char *const config_http_metrics_keys[] = {
	"address", "port", NULL
};
static const char *const config_http_tls_keys[] = {
	"certificate", "key", NULL
};

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
	return a->port == b->port && strcmp(a->address, b->address) == 0;
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
	unsigned char sa[sizeof(struct in6_addr)];

	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		config_section_error(ld, s, where, "must be a group "
		    "{ address = \"127.0.0.1\"; port = 8025; }");
		return NULL;
	}
	config_section_known_keys(ld, s, where, full ? config_http_keys :
	    config_http_metrics_keys);
	if (!config_section_string(ld, s, where, "address", true, &address))
		return NULL;
	if (inet_pton(AF_INET, address, sa) != 1 &&
	    inet_pton(AF_INET6, address, sa) != 1) {
		config_section_error(ld, config_setting_get_member(s,
		    "address"), where, "address must be a literal IPv4 or "
		    "IPv6 address");
		return NULL;
	}
	if (config_setting_get_member(s, "port") == NULL) {
		config_section_error(ld, s, where, "missing port");
		return NULL;
	}
	if (!config_section_int(ld, s, where, "port", 0, 65535, &port))
		return NULL;
	l = xcalloc(1, sizeof(*l));
	l->address = xstrdup(address);
	l->port = (int)port;
	l->max_header_size = CONFIG_HTTP_HEADER_DEFAULT;
	l->max_body_size = CONFIG_HTTP_BODY_DEFAULT;
	l->max_connections = CONFIG_HTTP_CONN_DEFAULT;
	l->timeout = CONFIG_HTTP_TIMEOUT_DEFAULT;
	if (full) {
		config_http_tls(ld, s, where, l);
		config_http_limits(ld, s, where, l);
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
	if (config_setting_type(t) != CONFIG_TYPE_GROUP) {
		config_section_error(ld, t, name, "must be a group "
		    "{ certificate = \"...\"; key = \"...\"; }");
		free(name);
		return;
	}
	config_section_known_keys(ld, t, name, config_http_tls_keys);
	(void)config_section_string(ld, t, name, "certificate", true, &cert);
	(void)config_section_string(ld, t, name, "key", true, &key);
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

	if (config_section_int(ld, s, where, "max_header_size", 1024,
	    1048576, &v))
		l->max_header_size = (size_t)v;
	if (config_section_int(ld, s, where, "max_body_size", 1024,
	    1073741824, &v))
		l->max_body_size = (size_t)v;
	if (config_section_int(ld, s, where, "max_connections", 1, 100000,
	    &v))
		l->max_connections = (int)v;
	if (config_section_int(ld, s, where, "timeout", 1, 86400, &v))
		l->timeout = (int)v;
}

static void
config_http_listen_free(struct config_http_listen *l)
{
	if (l == NULL)
		return;
	free(l->address);
	free(l->tls_certificate);
	free(l->tls_key);
	free(l);
}
