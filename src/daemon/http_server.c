/*
 * http_server: the daemon's HTTP listener (issue 18).
 *
 * Why evhttp: libevent is the daemon's loop already, so the listener is
 * one more set of events in it (no thread, no second loop), its request
 * parser is old and fuzzed, and it keeps a request valid while the
 * handler waits for the store writer: evhttp stops reading the
 * connection until the answer, which is exactly the "answer only after
 * the commit" shape of the mail front-ends.  libmicrohttpd would bring
 * its own threads or its own select loop beside ours.
 *
 * What evhttp does not do the way a mail server's listener must, this
 * file adds around it (each refusal a clean HTTP answer):
 *   - connections: evhttp 2.1 has no limit, and no word when it frees
 *     a connection that never sent a request.  Every connection's
 *     bufferevent is made here (evhttp_set_bevcb) and we keep a
 *     reference to it: once evhttp freed it, its callbacks are cleared,
 *     which a sweep at each accept (and each second) sees; then our
 *     reference goes and the socket closes.  A connection over
 *     max_connections is answered 503 and closed.  (A pass-through
 *     filter's free hook would say it at once, but evhttp closes the
 *     socket when the filter, not the socket, has taken the answer's
 *     last bytes, and an answer with Connection: close is lost.)
 *   - time: evhttp's timeout is per read, so a client trickling a byte
 *     a second (slowloris) is never timed out.  Here each connection
 *     has a deadline for a whole request from its first byte (and from
 *     each answer, on a kept-alive connection): 408 and close.
 *   - headers: evhttp cuts a request whose headers pass its limit with
 *     a bare 400; its limit is set to four times max_header_size (what
 *     bounds the memory), and a request over max_header_size but within
 *     that gets the proper 431 here.
 *   - body: evhttp's own limit, 413 (also from Content-Length alone,
 *     before the body is read).
 *   - methods: a known method a route does not take gets 405 with
 *     Allow; one evhttp does not know gets its 501 (RFC 9110 15.6.2).
 *
 * No files are served from disk, so there is no path to traverse: a
 * path is a route or 404.  The dashboard (http_dash.c) is the last
 * route, "/", behind its session check.
 */
#include <sys/queue.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config_http.h"
#include "http_server.h"
#include "log.h"
#include "metrics.h"
#include "xmalloc.h"

#define HTTP_SERVER_ROUTES	16
/* evhttp's own cut, beyond which a request is not even read (413). */
#define HTTP_SERVER_HEADER_SLACK	4

struct http_route {
	const char		*path;
	unsigned		 methods;
	http_route_fn		*fn;
	void			*arg;
};

/* One client connection, from accept until the sweep after evhttp. */
struct http_conn {
	struct http_server	*srv;
	struct bufferevent	*bev;		/* evhttp's, +1 ref */
	struct event		*deadline;
	bool			 refused;	/* over the limit: 503 */
	struct http_conn	*prev, *next;
};

struct http_server {
	struct event_base	*base;
	struct evhttp		*http;
	struct evhttp_bound_socket *bound;	/* NULL once closed */
	SSL_CTX			*ssl_ctx;
	struct metrics		*metrics;
	size_t			 max_header_size;
	int			 max_connections;
	int			 timeout;
	int			 port;
	int			 nconns;	/* against the limit */
	struct http_conn	*conns;
	struct event		*sweep;		/* each second */
	struct http_route	 routes[HTTP_SERVER_ROUTES];
	size_t			 nroutes;
};

static struct bufferevent *http_server_bev(struct event_base *, void *);
static bool	http_conn_gone(const struct http_conn *);
static void	http_server_sweep(struct http_server *);
static void	http_server_sweep_cb(evutil_socket_t, short, void *);
static void	http_conn_arm(struct http_conn *);
static void	http_conn_deadline(evutil_socket_t, short, void *);
static struct http_conn *http_conn_of(struct http_server *,
		    struct evhttp_request *);
static void	http_server_complete(struct evhttp_request *, void *);
static void	http_server_dispatch(struct evhttp_request *, void *);
static size_t	http_server_header_size(struct evhttp_request *);
static void	http_server_method_refused(struct http_server *,
		    struct evhttp_request *, unsigned);
static int	http_server_bound_port(struct evhttp_bound_socket *, int);

struct http_server *
http_server_new(struct event_base *base, const struct config_http_listen *l,
    SSL_CTX *ssl_ctx, struct metrics *metrics, struct error *err)
{
	struct http_server *srv = xcalloc(1, sizeof(*srv));

	srv->base = base;
	srv->ssl_ctx = ssl_ctx;
	srv->metrics = metrics;
	srv->max_header_size = l->max_header_size;
	srv->max_connections = l->max_connections;
	srv->timeout = l->timeout;
	if ((srv->http = evhttp_new(base)) == NULL)
		fatalx("http: cannot create the server");
	srv->bound = evhttp_bind_socket_with_handle(srv->http, l->address,
	    (ev_uint16_t)l->port);
	if (srv->bound == NULL) {
		error_set(err, ERR_TEMP, "cannot listen on %s port %d: %s",
		    l->address, l->port,
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		evhttp_free(srv->http);
		free(srv);
		return NULL;
	}
	srv->port = http_server_bound_port(srv->bound, l->port);
	evhttp_set_allowed_methods(srv->http, EVHTTP_REQ_GET |
	    EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
	    EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
	    EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
	evhttp_set_max_headers_size(srv->http,
	    (ev_ssize_t)(l->max_header_size * HTTP_SERVER_HEADER_SLACK));
	evhttp_set_max_body_size(srv->http, (ev_ssize_t)l->max_body_size);
	evhttp_set_timeout(srv->http, l->timeout);
	evhttp_set_bevcb(srv->http, http_server_bev, srv);
	evhttp_set_gencb(srv->http, http_server_dispatch, srv);
	evhttp_set_default_content_type(srv->http, "text/plain; charset=utf-8");
	srv->sweep = evtimer_new(base, http_server_sweep_cb, srv);
	return srv;
}

static int
http_server_bound_port(struct evhttp_bound_socket *bound, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(evhttp_bound_socket_get_fd(bound),
	    (struct sockaddr *)&ss, &len) == -1)
		return port;
	return ss.ss_family == AF_INET6 ?
	    ntohs(((struct sockaddr_in6 *)&ss)->sin6_port) :
	    ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

int
http_server_port(const struct http_server *srv)
{
	return srv->port;
}

void
http_server_route(struct http_server *srv, const char *path,
    unsigned methods, http_route_fn *fn, void *arg)
{
	struct http_route *r;

	if (srv->nroutes == HTTP_SERVER_ROUTES)
		fatalx("http: too many routes");
	r = &srv->routes[srv->nroutes++];
	r->path = path;
	r->methods = methods;
	r->fn = fn;
	r->arg = arg;
}

void
http_server_close(struct http_server *srv)
{
	if (srv->bound != NULL)
		evhttp_del_accept_socket(srv->http, srv->bound);
	srv->bound = NULL;
}

void
http_server_free(struct http_server *srv)
{
	struct http_conn *c;

	if (srv == NULL)
		return;
	evhttp_free(srv->http);		/* every connection: swept now */
	http_server_sweep(srv);
	/* none should be left; if evhttp kept one, our reference goes */
	while ((c = srv->conns) != NULL) {
		srv->conns = c->next;
		event_free(c->deadline);
		bufferevent_decref(c->bev);
		free(c);
	}
	event_free(srv->sweep);
	free(srv);
}

/* ------------------------------------------------------------------ */
/* Connections                                                        */

/*
 * evhttp asks for each accepted connection's bufferevent (the socket is
 * set on it afterwards).  It closes on free, so the socket stays open
 * (its number not reused) as long as our reference holds it.
 */
static struct bufferevent *
http_server_bev(struct event_base *base, void *arg)
{
	static const struct timeval second = { 1, 0 };
	struct http_server *srv = arg;
	struct bufferevent *bev;
	struct http_conn *c;
	SSL *ssl;

	http_server_sweep(srv);
	if (srv->ssl_ctx != NULL) {
		if ((ssl = SSL_new(srv->ssl_ctx)) == NULL)
			fatalx("http: SSL_new failed");
		bev = bufferevent_openssl_socket_new(base, -1, ssl,
		    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	} else
		bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL)
		fatalx("http: cannot create a bufferevent");
	bufferevent_incref(bev);
	c = xcalloc(1, sizeof(*c));
	c->srv = srv;
	c->bev = bev;
	c->refused = srv->nconns >= srv->max_connections;
	if (!c->refused)
		srv->nconns++;
	c->deadline = evtimer_new(base, http_conn_deadline, c);
	c->next = srv->conns;
	if (srv->conns != NULL)
		srv->conns->prev = c;
	srv->conns = c;
	http_conn_arm(c);
	if (!evtimer_pending(srv->sweep, NULL))
		evtimer_add(srv->sweep, &second);
	return bev;
}

/* evhttp frees a connection's bufferevent: its callbacks are cleared. */
static bool
http_conn_gone(const struct http_conn *c)
{
	bufferevent_event_cb eventcb;

	bufferevent_getcb(c->bev, NULL, NULL, &eventcb, NULL);
	return eventcb == NULL;
}

/* Lets go of every connection evhttp is done with (closing its socket). */
static void
http_server_sweep(struct http_server *srv)
{
	struct http_conn *c, *next;

	for (c = srv->conns; c != NULL; c = next) {
		next = c->next;
		if (!http_conn_gone(c))
			continue;
		if (!c->refused)
			srv->nconns--;
		if (c->prev != NULL)
			c->prev->next = c->next;
		else
			srv->conns = c->next;
		if (c->next != NULL)
			c->next->prev = c->prev;
		event_free(c->deadline);
		bufferevent_decref(c->bev);
		free(c);
	}
}

static void
http_server_sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	static const struct timeval second = { 1, 0 };
	struct http_server *srv = arg;

	http_server_sweep(srv);
	if (srv->conns != NULL)
		evtimer_add(srv->sweep, &second);
}

static void
http_conn_arm(struct http_conn *c)
{
	struct timeval tv = { c->srv->timeout, 0 };

	evtimer_add(c->deadline, &tv);
}

/*
 * No whole request within the timeout: 408 (RFC 9110 15.5.9) written
 * on the socket directly, since evhttp has no request to answer yet,
 * then both directions shut so that evhttp reads the end and frees the
 * connection.  Under TLS the bytes would have to be encrypted: the
 * connection is just shut.
 */
static void
http_conn_deadline(evutil_socket_t fd_unused, short what, void *arg)
{
	static const char timeout[] = "HTTP/1.1 408 Request Timeout\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Length: 16\r\nConnection: close\r\n\r\n"
	    "request timeout\n";
	struct http_conn *c = arg;
	evutil_socket_t fd;

	if (http_conn_gone(c))
		return;		/* the sweep takes it */
	if ((fd = bufferevent_getfd(c->bev)) == -1)
		return;
	if (c->srv->ssl_ctx == NULL &&
	    send(fd, timeout, sizeof(timeout) - 1, MSG_NOSIGNAL |
	    MSG_DONTWAIT) > 0)
		metrics_count_http(c->srv->metrics, 408);
	log_debug("http: request timeout after %ds", c->srv->timeout);
	shutdown(fd, SHUT_RDWR);
}

static struct http_conn *
http_conn_of(struct http_server *srv, struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct bufferevent *bev;
	struct http_conn *c;

	if (evcon == NULL)
		return NULL;
	bev = evhttp_connection_get_bufferevent(evcon);
	for (c = srv->conns; c != NULL; c = c->next)
		if (c->bev == bev && !http_conn_gone(c))
			return c;
	return NULL;
}

/* The answer is out: a kept-alive connection's next request's deadline. */
static void
http_server_complete(struct evhttp_request *req, void *arg)
{
	struct http_server *srv = arg;
	struct http_conn *c = http_conn_of(srv, req);

	if (c != NULL)
		http_conn_arm(c);
}

/* ------------------------------------------------------------------ */
/* Requests                                                           */

static void
http_server_dispatch(struct evhttp_request *req, void *arg)
{
	struct http_server *srv = arg;
	struct http_conn *c = http_conn_of(srv, req);
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	unsigned method;
	size_t i, len;

	if (c != NULL)
		evtimer_del(c->deadline);
	evhttp_request_set_on_complete_cb(req, http_server_complete, srv);
	if (c != NULL && c->refused) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Connection", "close");
		http_server_reply(srv, req, 503, NULL, "too many connections\n",
		    21);
		return;
	}
	if (http_server_header_size(req) > srv->max_header_size) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Connection", "close");
		http_server_reply(srv, req, 431, NULL,
		    "request header fields too large\n", 32);
		return;
	}
	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_GET:
	case EVHTTP_REQ_HEAD:
		method = HTTP_GET;
		break;
	case EVHTTP_REQ_POST:
		method = HTTP_POST;
		break;
	default:
		method = 0;
		break;
	}
	for (i = 0; path != NULL && i < srv->nroutes; i++) {
		len = strlen(srv->routes[i].path);
		if (strcmp(path, srv->routes[i].path) != 0 &&
		    (srv->routes[i].path[len - 1] != '/' ||
		    strncmp(path, srv->routes[i].path, len) != 0))
			continue;
		if ((srv->routes[i].methods & method) == 0) {
			http_server_method_refused(srv, req,
			    srv->routes[i].methods);
			return;
		}
		srv->routes[i].fn(srv, req, srv->routes[i].arg);
		return;
	}
	http_server_reply(srv, req, 404, NULL, "not found\n", 10);
}

/* The request line and headers as they came, give or take the spaces. */
static size_t
http_server_header_size(struct evhttp_request *req)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	const char *uri = evhttp_request_get_uri(req);
	struct evkeyval *kv;
	size_t n = (uri != NULL ? strlen(uri) : 0) + 16;

	TAILQ_FOREACH(kv, h, next)
		n += strlen(kv->key) + strlen(kv->value) + 4;
	return n;
}

static void
http_server_method_refused(struct http_server *srv,
    struct evhttp_request *req, unsigned methods)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);

	evhttp_add_header(out, "Allow", methods == (HTTP_GET | HTTP_POST) ?
	    "GET, HEAD, POST" : methods == HTTP_POST ? "POST" : "GET, HEAD");
	http_server_reply(srv, req, 405, NULL, "method not allowed\n", 19);
}

void
http_server_reply(struct http_server *srv, struct evhttp_request *req,
    int code, const char *content_type, const char *body, size_t len)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	struct evbuffer *b = evbuffer_new();
	const char *reason;

	if (b == NULL)
		fatalx("http: out of memory");
	evhttp_add_header(out, "Content-Type", content_type != NULL ?
	    content_type : "text/plain; charset=utf-8");
	evhttp_add_header(out, "Cache-Control", "no-store");
	evhttp_add_header(out, "X-Content-Type-Options", "nosniff");
	if (len > 0)		/* evhttp leaves it out under HEAD */
		evbuffer_add(b, body, len);
	switch (code) {
	case 408: reason = "Request Timeout"; break;
	case 429: reason = "Too Many Requests"; break;
	case 431: reason = "Request Header Fields Too Large"; break;
	case 422: reason = "Unprocessable Content"; break;
	default: reason = NULL; break;	/* evhttp knows the rest */
	}
	metrics_count_http(srv->metrics, code);
	evhttp_send_reply(req, code, reason, b);
	evbuffer_free(b);
}

const char *
http_server_peer(struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	char *addr = NULL;
	ev_uint16_t port;

	if (evcon == NULL)
		return "";
	evhttp_connection_get_peer(evcon, &addr, &port);
	return addr != NULL ? addr : "";
}
