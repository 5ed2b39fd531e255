/*
 * metrics: the daemon's in-process counters for /metrics (issue 18),
 * counted where the events happen: an intake job's result and its
 * acknowledgement when its commit completes (intake.c), an HTTP answer
 * when it is sent (http_server.c).  Figures that live in the database
 * (requests by status, outbox depth, SLA marks, mailbox states) are read
 * from it at scrape time instead (store_stats.h), so they survive a
 * restart and agree with triagectl.
 *
 * Not global: the daemon makes one struct metrics and passes it to the
 * store writer (every intake job goes through it) and to the HTTP
 * server.  Counters are atomics: IMAP jobs complete on the writer's
 * thread, everything else on the loop thread.
 */
#ifndef TRIAGED_METRICS_H
#define TRIAGED_METRICS_H

#include <stdbool.h>

struct buf;
struct metrics;

/* How a message came in: the intake job's source, by its prefix. */
enum metrics_intake {
	METRICS_IN_LMTP,
	METRICS_IN_SMTP,
	METRICS_IN_IMAP,
	METRICS_IN_INJECT,
	METRICS_IN_HTTP,
	METRICS_IN_OTHER,
	METRICS_IN_COUNT
};

/* What became of it. */
enum metrics_result {
	METRICS_RES_NEW,	/* opened a request */
	METRICS_RES_JOINED,	/* joined an existing request */
	METRICS_RES_DUPLICATE,
	METRICS_RES_TEMPFAIL,
	METRICS_RES_PERMFAIL,
	METRICS_RES_COUNT
};

struct metrics	*metrics_new(void);
void		 metrics_free(struct metrics *);

/* Maps a job source ("lmtp", "imap:support", "http:web") to its kind. */
enum metrics_intake metrics_intake_of(const char *source);
/*
 * Counts one message; ack is NULL when no acknowledgement was decided
 * (a follow-up, a failure), "" when one was queued, else the reason it
 * was skipped (ack.c's words).  m NULL: nothing (inject, tests).
 */
void	metrics_count_intake(struct metrics *, enum metrics_intake,
	    enum metrics_result, const char *ack);
/* Counts one HTTP answer by status code. */
void	metrics_count_http(struct metrics *, int status);
/*
 * Appends the counters in the Prometheus text format (HELP and TYPE
 * lines included) to out.
 */
void	metrics_print(struct metrics *, struct buf *out);

#endif
