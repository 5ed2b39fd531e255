/*
 * http_dash: the dashboard behind its login (issue 18): GET/POST
 * /login, POST /logout, and every other path of the http listener that
 * no other route takes, each behind a session (without one: 303 to
 * /login).  Pages are rendered by http_pages.c on a reader thread of
 * its own with a read-only connection, and passwords are checked there
 * too (yescrypt takes tens of milliseconds): the event loop, and so the
 * mail, never waits on a page.  Sessions are written through the one
 * store writer.
 */
#ifndef TRIAGED_HTTP_DASH_H
#define TRIAGED_HTTP_DASH_H

#include <stdbool.h>

#include "error.h"

struct event_base;
struct http_dash;
struct http_server;
struct store_writer;

/* tls: the listener serves HTTPS (cookies get Secure). */
struct http_dash	*http_dash_new(struct event_base *, bool tls);
/*
 * Adds /login, /logout and the catch-all "/" to srv: call after every
 * other route of srv (the first match wins).
 */
void			 http_dash_routes(struct http_dash *,
			    struct http_server *srv);
/*
 * Starts the reader thread on database (opened read-only when the first
 * page is asked: the writer made the schema) and writes sessions
 * through w.  Until then every page is 503.
 */
void			 http_dash_start(struct http_dash *,
			    const char *database, struct store_writer *w);
/*
 * Joins the reader thread and answers what waited for it: before the
 * writer stops (a login's session goes through it).
 */
void			 http_dash_stop(struct http_dash *);
void			 http_dash_free(struct http_dash *);

#endif
