/*
 * store_writer: the single writer (DESIGN "Concurrency").  Every change
 * the daemon makes is a unit of work submitted here; a worker thread takes
 * everything queued, runs it in ONE transaction (group commit), commits,
 * and only then hands the units back through the completion callback the
 * daemon gave at start.  One fsync serves a whole batch: that is both
 * promise 1 and the throughput.  The writer knows nothing of what a unit
 * does (an intake job, an SLA pass, a mark of the sender): it owns the
 * one writing connection (on PostgreSQL, database_writers of them: see
 * store_writer_start), the transactions and the checkpoints.
 */
#ifndef TRIAGED_STORE_WRITER_H
#define TRIAGED_STORE_WRITER_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct metrics;
struct store;
struct store_work;
struct store_writer;

/* What became of a unit, set before its done runs. */
enum store_work_status {
	STORE_WORK_COMMITTED,	/* run returned 0 and the batch committed */
	STORE_WORK_FAILED,	/* run returned -1: its changes alone undone */
	STORE_WORK_ABORTED	/* the batch did not commit (err, temporary) */
};

/*
 * A unit of work, owned by its submitter and embedded in the submitter's
 * own structure.  The writer uses next and the status fields; it never
 * frees a unit.
 */
struct store_work {
	/*
	 * Optional, database-free work done ahead of run on a parse worker
	 * (MIME parsing), so the writer spends its time on SQL only.
	 */
	void	(*prepare)(struct store_work *);
	/*
	 * On the writer thread, inside the batch transaction under a
	 * savepoint: 0, or -1 + err and the savepoint is rolled back (the
	 * rest of the batch commits).
	 */
	int	(*run)(struct store *, struct store_work *, struct error *err);
	/*
	 * After COMMIT returned (or the batch failed), with status and err
	 * set, from store_writer_complete: on whatever thread the daemon's
	 * completion callback arranges (the loop thread), or on the thread
	 * calling store_writer_stop.  The unit may be freed here.
	 */
	void	(*done)(struct store_work *);
	/*
	 * Bytes the unit carries (an intake job's message): big units
	 * (1 MiB and more) take the slow lanes so small ones never wait
	 * behind them.  Units with the same non-NULL order key run in the
	 * order they were submitted; NULL: no order with any other unit.
	 */
	size_t			 size;
	const void		*order;
	/* set by run: the unit queued outgoing mail (see complete) */
	bool			 queued_mail;
	/*
	 * done runs on the writer thread right after the COMMIT, not from
	 * store_writer_complete: for a submitter on a thread of its own
	 * (the sender, an IMAP worker) waiting on its condition variable,
	 * which done only signals (it must not block or take long).
	 */
	bool			 direct;

	/* set by the writer */
	enum store_work_status	 status;
	struct error		 err;
	struct store_work	*next;
};

/*
 * Called on the writer thread after each commit that completed units;
 * it must arrange for store_writer_complete to run soon (the daemon does
 * event_active on a pre-registered event).  Must not block.
 */
typedef void store_writer_notify_fn(void *arg);

/*
 * Opens dbpath (creating the schema) as the one writing connection and
 * starts the worker.  NULL + err on failure.  On PostgreSQL nconns
 * connections write (at most 16): the first takes every unit as the one
 * writer does, the others take the small units without an order key
 * queued while it commits, each batch in a transaction of its own, as
 * other instances on the database would (config "database_writers").
 * SQLite always has one.
 */
struct store_writer	*store_writer_start(const char *dbpath, size_t nconns,
			    store_writer_notify_fn *notify, void *arg,
			    struct error *err);
/*
 * Queues work (borrowed until its done ran).  Safe from any thread: IMAP
 * workers and the sender submit too, and may wait for their unit on a
 * condition variable of their own that its done signals.
 */
void			 store_writer_submit(struct store_writer *,
			    struct store_work *work);
/*
 * Runs the done of every unit completed so far, in commit order.  Returns
 * true if one of them queued outgoing mail (the caller wakes its sender).
 */
bool			 store_writer_complete(struct store_writer *);
/*
 * The daemon's counters (metrics.h), borrowed until the writer stops:
 * every intake job passes here, so the writer hands them to each
 * (intake_submit).  NULL until set: nothing is counted.
 */
void			 store_writer_set_metrics(struct store_writer *,
			    struct metrics *);
struct metrics		*store_writer_metrics(struct store_writer *);
/* Units submitted whose done has not run yet. */
size_t			 store_writer_pending(struct store_writer *);
/*
 * Commit latency: each batch's time from BEGIN to COMMIT returned (what
 * a peer waiting for its 250 waits on, the fsync included), counted per
 * bucket: counts[i] batches took at most store_writer_bucket_le[i]
 * seconds and more than the bound before it; counts[last] the rest.
 * For the Prometheus histogram of /metrics (metrics.c).
 */
#define STORE_WRITER_BUCKETS	12
extern const double store_writer_bucket_le[STORE_WRITER_BUCKETS - 1];
struct store_writer_stats {
	unsigned long long	counts[STORE_WRITER_BUCKETS];
	unsigned long long	batches;	/* committed */
	unsigned long long	failed;		/* batches that did not */
	double			seconds;	/* sum over committed batches */
};
/* A copy of the figures so far; any thread. */
void			 store_writer_stats(struct store_writer *,
			    struct store_writer_stats *out);
/*
 * Lets the worker finish everything queued, runs the remaining done
 * callbacks on the caller's thread, joins and frees.
 */
void			 store_writer_stop(struct store_writer *);

#endif
