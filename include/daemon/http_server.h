/*
 * http_server: one HTTP listener of the daemon (issue 18) on libevent's
 * evhttp, in the daemon's event loop: limits, TLS, a table of routes.
 * It knows nothing of tickets: the pages are routes other files add
 * (http_metrics.c: /healthz and /metrics).
 */
#ifndef TRIAGED_HTTP_SERVER_H
#define TRIAGED_HTTP_SERVER_H

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct config_http_listen;
struct event_base;
struct evhttp_request;
struct http_server;
struct metrics;

/*
 * A route's handler, on the loop thread.  It must answer req exactly
 * once with http_server_reply, now or later (from a store writer's
 * completion: evhttp stops reading the connection meanwhile, so req
 * stays valid until answered, also when the client went away).
 */
typedef void http_route_fn(struct http_server *, struct evhttp_request *req,
		    void *arg);

/* Methods a route takes (evhttp's EVHTTP_REQ_* bits). */
#define HTTP_GET	0x01	/* GET, and HEAD with the body left out */
#define HTTP_POST	0x02

/*
 * Binds l's address and port (call as root, before the privilege drop)
 * with l's limits; ssl_ctx non-NULL serves HTTPS (borrowed; kept alive by
 * the caller).  metrics may be NULL.  NULL + err (ERR_TEMP) if the
 * address cannot be bound.
 */
struct http_server	*http_server_new(struct event_base *,
			    const struct config_http_listen *l,
			    SSL_CTX *ssl_ctx, struct metrics *,
			    struct error *err);
/* The bound port (port 0 in the config: the one the kernel chose). */
int			 http_server_port(const struct http_server *);
/*
 * Serves path (exact; or every path under it when it ends in '/') for
 * the methods given; another method gets 405 with Allow.  The first
 * matching route wins.  path is borrowed (a literal).
 */
void			 http_server_route(struct http_server *,
			    const char *path, unsigned methods,
			    http_route_fn *fn, void *arg);
/*
 * Answers req: code, a Content-Type, body (len bytes, copied; HEAD
 * sends none) and counts it in the metrics.  Every answer carries
 * Cache-Control: no-store and X-Content-Type-Options: nosniff.
 */
void			 http_server_reply(struct http_server *,
			    struct evhttp_request *req, int code,
			    const char *content_type, const char *body,
			    size_t len);
/* The client's numeric address (for logs and rate limits); borrowed. */
const char		*http_server_peer(struct evhttp_request *req);
/* Stops accepting (shutdown); connections open are served to the end. */
void			 http_server_close(struct http_server *);
void			 http_server_free(struct http_server *);

#endif
