/*
 * store_writer: the single writer (DESIGN "Concurrency").  Front-ends on
 * the event loop submit intake jobs; a worker thread takes everything
 * queued, ingests it in ONE transaction (group commit), commits, and only
 * then hands the jobs back to the loop thread, where each job's done
 * callback releases its acknowledgement.  One fsync serves a whole batch:
 * that is both promise 1 and the throughput.
 */
#ifndef TRIAGED_STORE_WRITER_H
#define TRIAGED_STORE_WRITER_H

#include <event2/event.h>
#include <stddef.h>

struct error;
struct intake_job;
struct sender;
struct store_writer;

/*
 * Opens dbpath (creating the schema) and starts the worker.  Completions
 * run on base's thread.  sender (may be NULL) is woken after a commit that
 * queued mail.  NULL + err on failure.
 */
struct store_writer	*store_writer_start(const char *dbpath,
			    struct event_base *base, struct sender *sender,
			    struct error *err);
/*
 * Queues job (taken).  Safe from any thread (IMAP workers submit too);
 * job->done(job, arg) runs later on the loop thread and owns the job.
 */
void			 store_writer_submit(struct store_writer *,
			    struct intake_job *job);
/* Jobs submitted whose done callback has not run yet. */
size_t			 store_writer_pending(struct store_writer *);
/*
 * Lets the worker finish everything queued, runs the remaining done
 * callbacks on the caller's thread, joins and frees.
 */
void			 store_writer_stop(struct store_writer *);

#endif
