/*
 * store_writer: group commit.  While one batch is being committed (the
 * fsync is the slow part), new jobs pile up in the queue; the next loop
 * takes all of them at once.  Under load batches grow by themselves, so a
 * message never waits for a timer, and one fsync serves many messages.
 *
 * Jobs pass a parse stage first (a second worker): MIME parsing and the
 * other database-free work run there, on the other core, so the single
 * writer spends its time on SQL only.  Order is kept: both stages are
 * FIFO.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "config.h"
#include "error.h"
#include "intake.h"
#include "log.h"
#include "pipeline.h"
#include "sender.h"
#include "store.h"
#include "store_writer.h"
#include "xmalloc.h"

/* Large enough to amortise the fsync, small enough to bound the latency. */
#define STORE_WRITER_BATCH	512

struct store_writer {
	struct store		*st;
	struct sender		*sender;
	struct pipeline		*pipeline;	/* for the config of the last job */
	pthread_t		 thread, parser;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;		/* the writer's queue */
	pthread_cond_t		 parse_cond;	/* the parser's queue */
	struct intake_job	*parse_head, *parse_tail;	/* submitted */
	struct intake_job	*queue_head, *queue_tail;	/* parsed */
	struct intake_job	*done_head, *done_tail;		/* committed */
	atomic_size_t		 pending;	/* submitted, done not yet run */
	bool			 stopping;
	bool			 parser_done;	/* parser exited; queue final */
	struct event		*done_ev;
};

static void	*store_writer_main(void *);
static void	*store_writer_parser(void *);
static struct intake_job *store_writer_take(struct intake_job **head,
		    struct intake_job **tail, struct intake_job **last_out);
static void	 store_writer_append(struct intake_job **head,
		    struct intake_job **tail, struct intake_job *first,
		    struct intake_job *last);
static void	 store_writer_batch(struct store_writer *, struct intake_job *);
static struct pipeline *store_writer_pipeline(struct store_writer *,
		    struct intake_job *);
static void	 store_writer_done_cb(evutil_socket_t, short, void *);
static void	 store_writer_run_done(struct store_writer *);

struct store_writer *
store_writer_start(const char *dbpath, struct event_base *base,
    struct sender *sender, struct error *err)
{
	struct store_writer *w = xcalloc(1, sizeof(*w));

	if ((w->st = store_open(dbpath, 0, err)) == NULL) {
		free(w);
		return NULL;
	}
	w->sender = sender;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	pthread_cond_init(&w->parse_cond, NULL);
	w->done_ev = event_new(base, -1, 0, store_writer_done_cb, w);
	if (pthread_create(&w->thread, NULL, store_writer_main, w) != 0)
		fatalx("cannot start the store writer");
	if (pthread_create(&w->parser, NULL, store_writer_parser, w) != 0)
		fatalx("cannot start the parse stage");
	return w;
}

void
store_writer_submit(struct store_writer *w, struct intake_job *job)
{
	job->next = NULL;
	atomic_fetch_add(&w->pending, 1);
	pthread_mutex_lock(&w->lock);
	store_writer_append(&w->parse_head, &w->parse_tail, job, job);
	pthread_cond_signal(&w->parse_cond);
	pthread_mutex_unlock(&w->lock);
}

size_t
store_writer_pending(struct store_writer *w)
{
	return atomic_load(&w->pending);
}

void
store_writer_stop(struct store_writer *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_signal(&w->parse_cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->parser, NULL);
	pthread_join(w->thread, NULL);
	store_writer_run_done(w);
	event_free(w->done_ev);
	pipeline_free(w->pipeline);
	store_close(w->st);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	pthread_cond_destroy(&w->parse_cond);
	free(w);
}

static void *
store_writer_parser(void *arg)
{
	struct store_writer *w = arg;
	struct intake_job *batch, *last, *job;

	for (;;) {
		pthread_mutex_lock(&w->lock);
		while (w->parse_head == NULL && !w->stopping)
			pthread_cond_wait(&w->parse_cond, &w->lock);
		if (w->parse_head == NULL) {	/* stopping, all passed on */
			w->parser_done = true;
			pthread_cond_signal(&w->cond);
			pthread_mutex_unlock(&w->lock);
			break;
		}
		batch = store_writer_take(&w->parse_head, &w->parse_tail, &last);
		pthread_mutex_unlock(&w->lock);

		for (job = batch; job != NULL; job = job->next)
			intake_parse(job);

		pthread_mutex_lock(&w->lock);
		store_writer_append(&w->queue_head, &w->queue_tail, batch, last);
		pthread_cond_signal(&w->cond);
		pthread_mutex_unlock(&w->lock);
	}
	return NULL;
}

static void *
store_writer_main(void *arg)
{
	struct store_writer *w = arg;
	struct intake_job *batch, *last;

	for (;;) {
		pthread_mutex_lock(&w->lock);
		while (w->queue_head == NULL && !w->parser_done)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->queue_head == NULL) {	/* parser gone, all done */
			pthread_mutex_unlock(&w->lock);
			break;
		}
		batch = store_writer_take(&w->queue_head, &w->queue_tail, &last);
		pthread_mutex_unlock(&w->lock);

		store_writer_batch(w, batch);

		pthread_mutex_lock(&w->lock);
		store_writer_append(&w->done_head, &w->done_tail, batch, last);
		pthread_mutex_unlock(&w->lock);
		event_active(w->done_ev, 0, 0);
	}
	return NULL;
}

/* Detaches up to STORE_WRITER_BATCH jobs from a queue (under the lock). */
static struct intake_job *
store_writer_take(struct intake_job **head, struct intake_job **tail,
    struct intake_job **last_out)
{
	struct intake_job *batch = *head, *last = batch;
	size_t n;

	for (n = 1; last->next != NULL && n < STORE_WRITER_BATCH; n++)
		last = last->next;
	*head = last->next;
	if (*head == NULL)
		*tail = NULL;
	last->next = NULL;
	*last_out = last;
	return batch;
}

/* Appends the chain first..last to a queue (under the lock). */
static void
store_writer_append(struct intake_job **head, struct intake_job **tail,
    struct intake_job *first, struct intake_job *last)
{
	if (*tail != NULL)
		(*tail)->next = first;
	else
		*head = first;
	*tail = last;
}

/*
 * One transaction for the batch.  If COMMIT fails nothing of it is on
 * disk, so every job in it becomes a temporary failure: the peers retry,
 * and promise 1 holds because nobody was told 250.
 */
static void
store_writer_batch(struct store_writer *w, struct intake_job *batch)
{
	struct intake_job *job;
	struct error err;
	bool mail = false;

	error_clear(&err);
	if (store_begin(w->st, &err) == -1)
		goto failed;
	for (job = batch; job != NULL; job = job->next) {
		struct pipeline *p = store_writer_pipeline(w, job);

		if (p == NULL) {
			job->status = INTAKE_TEMPFAIL;
			continue;
		}
		intake_ingest(w->st, p, job);
		mail |= job->queued_mail;
	}
	if (store_commit(w->st, &err) == -1) {
		store_rollback(w->st);
		goto failed;
	}
	if (mail && w->sender != NULL)
		sender_wake(w->sender);
	return;
failed:
	log_warnx("store: batch failed, senders will retry: %s", err.msg);
	for (job = batch; job != NULL; job = job->next) {
		job->status = INTAKE_TEMPFAIL;
		job->err = err;
	}
}

static struct pipeline *
store_writer_pipeline(struct store_writer *w, struct intake_job *job)
{
	if (w->pipeline != NULL && pipeline_config(w->pipeline) == job->cfg)
		return w->pipeline;
	pipeline_free(w->pipeline);
	w->pipeline = pipeline_new(job->cfg, &job->err);
	return w->pipeline;
}

static void
store_writer_done_cb(evutil_socket_t fd, short what, void *arg)
{
	store_writer_run_done(arg);
}

/* On the loop thread: release the acknowledgements, in commit order. */
static void
store_writer_run_done(struct store_writer *w)
{
	struct intake_job *job, *next;

	pthread_mutex_lock(&w->lock);
	job = w->done_head;
	w->done_head = w->done_tail = NULL;
	pthread_mutex_unlock(&w->lock);
	for (; job != NULL; job = next) {
		next = job->next;
		atomic_fetch_sub(&w->pending, 1);
		if (job->done != NULL)
			job->done(job, job->arg);
		else
			intake_job_free(job);
	}
}
