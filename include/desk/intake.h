/*
 * intake: the one entry point every front-end uses (DESIGN "Intake").  A
 * front-end wraps a raw message and its envelope into an intake_job and
 * either submits it to the store writer (daemon: LMTP, SMTP) or runs it
 * itself (`triaged inject`); either way it acknowledges its peer only
 * from the job's result, which is set after the COMMIT returned.
 */
#ifndef TRIAGED_INTAKE_H
#define TRIAGED_INTAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "store_writer.h"

struct buf;
struct config;
struct intake_job;
struct metrics;
struct pipeline;
struct pipeline_parsed;
struct store;

enum intake_status {
	INTAKE_STORED,
	INTAKE_DUPLICATE,	/* stored before: acknowledge, change nothing */
	INTAKE_TEMPFAIL,	/* 4xx / EX_TEMPFAIL: the peer retries */
	INTAKE_PERMFAIL		/* 5xx / EX_DATAERR */
};

typedef void intake_done_fn(struct intake_job *, void *arg);

struct intake_job {
	/* input, owned by the job */
	struct buf		*raw;
	char			*source;
	char			*mail_from;	/* NULL unknown, "" null sender */
	char			**rcpts;
	size_t			 nrcpts;
	struct config		*cfg;		/* a reference */
	struct pipeline_parsed	*parsed;	/* intake_parse's work, or NULL */
	/* defaults for a new request (intake_job_set_defaults); NULL: none */
	char			*category;
	char			*priority;
	char			**tags;
	size_t			 ntags;
	/* the SMTP/LMTP client's address (intake_job_set_client); NULL: none */
	char			*client;
	bool			 silent;	/* pipeline_input's */

	/* result, set before done runs */
	enum intake_status	 status;
	int64_t			 ticket_id;
	bool			 new_ticket;
	bool			 queued_mail;	/* the outbox got a row */
	/*
	 * A new request's acknowledgement: "" queued, else why it was
	 * skipped (ack.c's words, "automatic" for automatic mail); unset
	 * (ack_decided false) for a follow-up or a failure.
	 */
	bool			 ack_decided;
	char			 ack_skipped[32];
	struct error		 err;

	/* completion, on the submitter's thread */
	intake_done_fn		*done;
	void			*arg;
	/*
	 * Jobs with the same non-NULL order key are ingested in the order
	 * they were submitted (an IMAP worker's batch, oldest first: a
	 * follow-up must find the message it follows).  NULL: no order
	 * with any other job (an LMTP or SMTP session has one message in
	 * flight and waits for its result).  See store_writer.c.
	 */
	const void		*order;
	struct metrics		*metrics;	/* intake_submit's, may be NULL */
	struct store_work	 work;		/* intake_submit's */
};

/*
 * A new job.  Takes raw; copies the rest; takes a reference to the
 * current config.  Free with intake_job_free().
 */
struct intake_job	*intake_job_new(struct buf *raw, const char *source,
			    const char *mail_from, char *const *rcpts,
			    size_t nrcpts);
void			 intake_job_free(struct intake_job *);
/*
 * Sets what a request opened by job gets (pipeline_input's defaults):
 * copies them; NULL or "" leaves a field unset.
 */
void			 intake_job_set_defaults(struct intake_job *,
			    const char *category, const char *priority,
			    char *const *tags, size_t ntags);
/*
 * Sets the numeric address of the SMTP/LMTP client that delivered job
 * (copied), for the rate limits of automatic mail; IMAP and inject have
 * none.
 */
void			 intake_job_set_client(struct intake_job *,
			    const char *client);
/*
 * Does the database-free part of ingesting (parse, dedupe key, automatic
 * mail verdict) ahead of intake_ingest; any thread.
 */
void			 intake_parse(struct intake_job *);
/*
 * Ingests job inside the caller's open transaction under a savepoint;
 * sets the job's result (a failure rolls back to the savepoint only).
 */
void			 intake_ingest(struct store *, struct pipeline *,
			    struct intake_job *);
/*
 * Hands job to the writer as a unit of work: intake_parse on a parse
 * worker, intake_ingest's work in the writer's batch; once the batch
 * committed (or failed: INTAKE_TEMPFAIL), the result is counted in the
 * writer's metrics (store_writer_metrics) and job->done(job, arg) runs
 * from store_writer_complete and owns the job (no done: the job is
 * freed).
 */
void			 intake_submit(struct store_writer *,
			    struct intake_job *);
/*
 * Runs job in a transaction of its own and commits (inject); the
 * result is in the job.  Returns 0 if the commit held, else -1.
 */
int			 intake_run(struct store *, struct intake_job *);
const char		*intake_status_name(enum intake_status);

#endif
