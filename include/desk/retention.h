/*
 * retention: the policy of `retention` (issue 14): how old a finished
 * request's raw messages and personal data may get, applied a bounded
 * step at a time by the daemon's retention timer through the writer
 * (desk_timers.c); what a purge removes and keeps is purge.h's.
 */
#ifndef TRIAGED_RETENTION_H
#define TRIAGED_RETENTION_H

#include <stdbool.h>
#include <time.h>

struct config;
struct error;
struct purge_counts;
struct store;

/* Seconds between retention passes when nothing more is due. */
#define RETENTION_TICK		3600
/* At most this many messages and requests per step (one writer unit). */
#define RETENTION_RAW_BATCH	500
#define RETENTION_REQUEST_BATCH	50

/* Whether cfg asks for any retention at all. */
bool	retention_wanted(const struct config *);
/*
 * One step at now, inside the caller's transaction: adds what it removed
 * to *counts; *again when a batch was full (more is due at once).
 * 0, or -1 + err.
 */
int	retention_step(struct store *, const struct config *, time_t now,
	    struct purge_counts *counts, bool *again, struct error *err);

#endif
