/*
 * http_intake: requests posted over HTTP (issue 18, "other channels"):
 * POST /api/v1/requests with a JSON body and a bearer token of one of
 * http.sources.  Each becomes a real RFC 5322 message (compose.h) handed
 * to the same intake as mail (intake.h): dedupe, threading by the token
 * in the subject, rules, SLA, the acknowledgement by mail; the request's
 * source is "http:CHANNEL".  The answer is sent only after the commit:
 *
 *	201 {"request": N, "new": true|false}	stored (new, or joined N)
 *	200 {"request": N, "new": false, "duplicate": true}
 *						the idempotency key was seen
 *	4xx {"error": "..."}			refused, nothing stored
 *	503 {"error": "..."}			the store failed: retry
 */
#ifndef TRIAGED_HTTP_INTAKE_H
#define TRIAGED_HTTP_INTAKE_H

struct http_intake;
struct http_server;
struct store_writer;

struct http_intake	*http_intake_new(void);
/* The writer the jobs go to (set once the store is open). */
void			 http_intake_set_writer(struct http_intake *,
			    struct store_writer *);
/* Adds POST /api/v1/requests to srv. */
void			 http_intake_routes(struct http_intake *,
			    struct http_server *);
/* After the writer stopped (its last completions answered). */
void			 http_intake_free(struct http_intake *);

#endif
