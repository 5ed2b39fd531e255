/*
 * intake: jobs and their ingestion under a savepoint.  A savepoint per
 * message lets the writer commit a batch in which one message failed:
 * the others are acknowledged, the failed one gets a 4xx and comes back.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "config.h"
#include "intake.h"
#include "log.h"
#include "metrics.h"
#include "pipeline.h"
#include "store.h"
#include "xmalloc.h"

static void	intake_input(const struct intake_job *, struct pipeline_input *);
static int	intake_ingest_in(struct store *, struct pipeline *,
		    struct intake_job *);
static void	intake_work_prepare(struct store_work *);
static int	intake_work_run(struct store *, struct store_work *,
		    struct error *);
static void	intake_work_done(struct store_work *);
static struct intake_job *intake_of(struct store_work *);
static void	intake_count(const struct intake_job *);

struct intake_job *
intake_job_new(struct buf *raw, const char *source, const char *mail_from,
    char *const *rcpts, size_t nrcpts)
{
	struct intake_job *job = xcalloc(1, sizeof(*job));
	size_t i;

	job->raw = raw;
	job->source = xstrdup(source);
	job->mail_from = xstrdup_or_null(mail_from);
	job->rcpts = xcalloc(nrcpts + 1, sizeof(*job->rcpts));
	for (i = 0; i < nrcpts; i++)
		job->rcpts[i] = xstrdup(rcpts[i]);
	job->nrcpts = nrcpts;
	job->cfg = config_current();
	job->status = INTAKE_TEMPFAIL;
	return job;
}

void
intake_job_free(struct intake_job *job)
{
	size_t i;

	if (job == NULL)
		return;
	buf_free(job->raw);
	free(job->source);
	free(job->mail_from);
	for (i = 0; i < job->nrcpts; i++)
		free(job->rcpts[i]);
	free(job->rcpts);
	config_unref(job->cfg);
	pipeline_parsed_free(job->parsed);
	free(job->category);
	free(job->priority);
	for (i = 0; i < job->ntags; i++)
		free(job->tags[i]);
	free(job->tags);
	free(job->client);
	free(job);
}

void
intake_job_set_client(struct intake_job *job, const char *client)
{
	free(job->client);
	job->client = xstrdup_or_null(client);
}

void
intake_job_set_defaults(struct intake_job *job, const char *category,
    const char *priority, char *const *tags, size_t ntags)
{
	size_t i;

	free(job->category);
	free(job->priority);
	job->category = category != NULL && *category != '\0' ?
	    xstrdup(category) : NULL;
	job->priority = priority != NULL && *priority != '\0' ?
	    xstrdup(priority) : NULL;
	for (i = 0; i < job->ntags; i++)
		free(job->tags[i]);
	free(job->tags);
	job->tags = NULL;
	job->ntags = 0;
	if (ntags == 0)
		return;
	job->tags = xcalloc(ntags, sizeof(*job->tags));
	for (i = 0; i < ntags; i++)
		job->tags[i] = xstrdup(tags[i]);
	job->ntags = ntags;
}

static void
intake_input(const struct intake_job *job, struct pipeline_input *in)
{
	memset(in, 0, sizeof(*in));
	in->raw = job->raw->data;
	in->len = job->raw->len;
	in->source = job->source;
	in->mail_from = job->mail_from;
	in->rcpts = job->rcpts;
	in->nrcpts = job->nrcpts;
	in->category = job->category;
	in->priority = job->priority;
	in->tags = job->tags;
	in->ntags = job->ntags;
	in->client = job->client;
	in->silent = job->silent;
}

void
intake_parse(struct intake_job *job)
{
	struct pipeline_input in;

	if (job->parsed != NULL)
		return;
	intake_input(job, &in);
	job->parsed = pipeline_parse(job->cfg, &in);
}

void
intake_ingest(struct store *st, struct pipeline *p, struct intake_job *job)
{
	error_clear(&job->err);
	if (store_savepoint(st, &job->err) == -1) {
		job->status = INTAKE_TEMPFAIL;
		return;
	}
	if (intake_ingest_in(st, p, job) == -1) {
		store_rollback_to(st);
		job->status = job->err.kind == ERR_PERM ? INTAKE_PERMFAIL :
		    INTAKE_TEMPFAIL;
		return;
	}
	if (store_release(st, &job->err) == -1) {
		store_rollback_to(st);
		job->status = INTAKE_TEMPFAIL;
	}
}

/* The pipeline's work on job; its result on success, else -1 + job->err. */
static int
intake_ingest_in(struct store *st, struct pipeline *p, struct intake_job *job)
{
	struct pipeline_input in;
	struct pipeline_result res;

	intake_input(job, &in);
	if (pipeline_ingest(p, st, &in, job->parsed, clock_now(), &res,
	    &job->err) == -1)
		return -1;
	job->status = res.status == PIPELINE_DUPLICATE ? INTAKE_DUPLICATE :
	    INTAKE_STORED;
	job->ticket_id = res.ticket_id;
	job->new_ticket = res.new_ticket;
	job->queued_mail = res.ack_queued;
	job->ack_decided = res.new_ticket;
	if (res.new_ticket && !res.ack_queued)
		(void)strlcpy(job->ack_skipped, res.auto_reason != NULL &&
		    res.ack_skipped != NULL &&
		    strcmp(res.ack_skipped, res.auto_reason) == 0 ?
		    "automatic" : res.ack_skipped != NULL ? res.ack_skipped :
		    "other", sizeof(job->ack_skipped));
	return 0;
}

void
intake_submit(struct store_writer *w, struct intake_job *job)
{
	job->work.prepare = intake_work_prepare;
	job->work.run = intake_work_run;
	job->work.done = intake_work_done;
	job->work.size = job->raw->len;
	job->work.order = job->order;
	job->metrics = store_writer_metrics(w);
	store_writer_submit(w, &job->work);
}

static void
intake_work_prepare(struct store_work *work)
{
	intake_parse(intake_of(work));
}

/*
 * In the writer's batch, under its savepoint.  The pipeline is made for
 * the job's own config (a reload may be between two jobs); it is a few
 * small allocations, nothing next to the SQL.
 */
static int
intake_work_run(struct store *st, struct store_work *work, struct error *err)
{
	struct intake_job *job = intake_of(work);
	struct pipeline *p;
	int rc;

	error_clear(&job->err);
	if ((p = pipeline_new(job->cfg, err)) == NULL)
		return -1;
	rc = intake_ingest_in(st, p, job);
	pipeline_free(p);
	if (rc == -1) {
		*err = job->err;
		return -1;
	}
	work->queued_mail = job->queued_mail;
	return 0;
}

/* After the commit: the job's result, then its submitter's callback. */
static void
intake_work_done(struct store_work *work)
{
	struct intake_job *job = intake_of(work);

	switch (work->status) {
	case STORE_WORK_COMMITTED:
		break;
	case STORE_WORK_FAILED:
		job->err = work->err;
		job->status = work->err.kind == ERR_PERM ? INTAKE_PERMFAIL :
		    INTAKE_TEMPFAIL;
		break;
	case STORE_WORK_ABORTED:
		job->err = work->err;
		job->status = INTAKE_TEMPFAIL;
		break;
	}
	intake_count(job);
	if (job->done != NULL)
		job->done(job, job->arg);
	else
		intake_job_free(job);
}

/* The job's result in the daemon's metrics (metrics.h). */
static void
intake_count(const struct intake_job *job)
{
	enum metrics_result res;

	switch (job->status) {
	case INTAKE_STORED:
		res = job->new_ticket ? METRICS_RES_NEW : METRICS_RES_JOINED;
		break;
	case INTAKE_DUPLICATE:
		res = METRICS_RES_DUPLICATE;
		break;
	case INTAKE_PERMFAIL:
		res = METRICS_RES_PERMFAIL;
		break;
	default:
		res = METRICS_RES_TEMPFAIL;
		break;
	}
	metrics_count_intake(job->metrics, metrics_intake_of(job->source),
	    res, job->status == INTAKE_STORED && job->ack_decided ?
	    job->ack_skipped : NULL);
}

static struct intake_job *
intake_of(struct store_work *work)
{
	return (struct intake_job *)(void *)((char *)work -
	    offsetof(struct intake_job, work));
}

int
intake_run(struct store *st, struct intake_job *job)
{
	struct pipeline *p;

	if ((p = pipeline_new(job->cfg, &job->err)) == NULL) {
		job->status = INTAKE_TEMPFAIL;
		return -1;
	}
	if (store_begin(st, &job->err) == -1) {
		pipeline_free(p);
		job->status = INTAKE_TEMPFAIL;
		return -1;
	}
	intake_ingest(st, p, job);
	pipeline_free(p);
	if (store_commit(st, &job->err) == -1) {
		store_rollback(st);
		job->status = INTAKE_TEMPFAIL;
		return -1;
	}
	return 0;
}

const char *
intake_status_name(enum intake_status status)
{
	switch (status) {
	case INTAKE_STORED:
		return "stored";
	case INTAKE_DUPLICATE:
		return "duplicate";
	case INTAKE_TEMPFAIL:
		return "tempfail";
	case INTAKE_PERMFAIL:
		return "permfail";
	}
	return "unknown";
}
