/*
 * http_metrics: /healthz and /metrics (issue 18), routes of an
 * http_server.  Both ask the store writer (a unit of work each), so the
 * answer says what the one writing connection sees, and the loop never
 * waits on SQLite.
 *
 * /healthz: 200 "ok" when the daemon is ready (every listener bound,
 * the store open; not while shutting down) and the writer committed a
 * write for the probe; else 503 and why, one short line.
 * /metrics: the Prometheus text format (version 0.0.4).
 */
#ifndef TRIAGED_HTTP_METRICS_H
#define TRIAGED_HTTP_METRICS_H

#include <stdbool.h>

struct http_metrics;
struct http_server;
struct metrics;
struct store_writer;

/* writer and metrics are borrowed; the writer may be set later. */
struct http_metrics	*http_metrics_new(struct metrics *);
void			 http_metrics_set_writer(struct http_metrics *,
			    struct store_writer *);
/* Ready for /healthz: listeners up and store open (false: stopping). */
void			 http_metrics_set_ready(struct http_metrics *,
			    bool);
/* Adds /healthz, and /metrics when with_metrics, to srv. */
void			 http_metrics_routes(struct http_metrics *,
			    struct http_server *srv, bool with_metrics);
/* After the writer stopped (its last completions answered). */
void			 http_metrics_free(struct http_metrics *);

#endif
