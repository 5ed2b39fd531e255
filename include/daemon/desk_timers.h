/*
 * desk_timers: the desk's periodic work as event-loop timers (DESIGN
 * "Concurrency": timers are event-loop timers that submit work).  The
 * SLA timer (every SLA_TIMER_TICK seconds: warnings, breaches,
 * escalations, and the deadline recompute after a reload), the
 * reports timer (every DIGEST_TICK seconds: surveys and digests) and
 * the retention timer (every RETENTION_TICK seconds: retention.h) and,
 * on SQLite, the search index's catch-up (every second: the messages the
 * writer left for it, search_index.h) each
 * submit one unit of work to the store writer at a time; the unit's done
 * re-arms its timer: at once when the step says more is due, else after
 * its tick.  No thread and no database connection of their own.
 */
#ifndef TRIAGED_DESK_TIMERS_H
#define TRIAGED_DESK_TIMERS_H

#include <event2/event.h>

struct desk_timers;
struct store_writer;

/* Arms both timers to fire at once on base, submitting to writer. */
struct desk_timers	*desk_timers_start(struct event_base *,
			    struct store_writer *);
/*
 * A step now (after a reload: the deadlines are recomputed); a timer
 * whose unit is in flight re-arms when it completes.  Loop thread only.
 */
void			 desk_timers_wake(struct desk_timers *);
/*
 * Frees the timers; call after store_writer_stop (which ran the done of
 * any unit in flight).  NULL is a no-op.
 */
void			 desk_timers_free(struct desk_timers *);

#endif
