/*
 * digest: the scheduled report mail for managers (reports.digests), and
 * the daemon's reports pass that sends it and the satisfaction surveys
 * (rating.h).  A digest is one multipart/alternative mail, text/plain and
 * HTML, with the period's key figures, its SLA breaches, the slowest open
 * requests and a bar chart of volume per hour drawn with table cells (so
 * any mail client renders it).
 *
 * Schedules: a daily digest is sent at its time of day ("at", local to
 * the reports calendar's zone, UTC without one) and covers the previous
 * local day; a weekly one is sent on its weekday and covers the seven
 * days before.  digest_runs keeps the end of the last period sent per
 * digest name, in the same transaction as the outbox row, so each
 * period's digest is sent exactly once, even across restarts; a daemon
 * that was down at the scheduled time sends the latest period late, not
 * the missed ones.
 */
#ifndef TRIAGED_DIGEST_H
#define TRIAGED_DIGEST_H

#include <stdbool.h>
#include <time.h>

struct buf;
struct calendar;
struct config;
struct error;
struct report_digest;
struct store;

/*
 * The latest period of d due at now: [*from, *to).  Always exists (the
 * schedule has fired at least once in the past week).
 */
void		 digest_period(const struct report_digest *d,
		    const struct calendar *cal, time_t now, time_t *from,
		    time_t *to);
/*
 * One pass of the worker at now, in the caller's transaction: queues the
 * surveys due and every digest whose period was not sent yet.  *queued
 * gets how many mails were queued.  0, or -1 + err.
 */
int		 digest_run(struct store *, const struct config *, time_t now,
		    int *queued, struct error *err);

/*
 * The daemon runs digest_run on the current config every DIGEST_TICK
 * seconds (and at start) as a unit of the store writer, submitted by an
 * event-loop timer; the writer's commit wakes the sender when it queued
 * mail.
 */
#define DIGEST_TICK	30

#endif
