/*
 * store_writer: group commit.  While one batch is being committed (the
 * fsync is the slow part), new jobs pile up in the queue; the next loop
 * takes all of them at once.  Under load batches grow by themselves, so a
 * message never waits for a timer, and one fsync serves many messages.
 * ("Jobs" below are units of work, store_writer.h: an intake job, an SLA
 * pass, a mark of the sender, an IMAP mailbox's state; the writer does
 * not know which.)
 *
 * Jobs pass a parse stage first: MIME parsing and the other database-free
 * work run in a small pool of parse workers, so the single writer spends
 * its time on SQL only, and a 25 MiB message being parsed (a second or so)
 * does not hold a small one back.  Jobs wait in one of two queues by
 * size: small ones (under STORE_WRITER_SMALL) and the rest.  One worker
 * takes small jobs only; the others take the oldest job of the other
 * queue, else a small one (see store_writer_next_parse).  So a small message waits at most behind other
 * small ones, and at most STORE_WRITER_PARSERS - 1 big messages are being
 * parsed at once (each takes a few times its size, README "Memory").
 * Those two run at a lower priority (nice), so the loop thread and the
 * writer, whom peers wait on, get the CPU first.
 *
 * A job goes to the writer as soon as its parse is done, so jobs are
 * committed in the order their parses finished, not the order they came
 * in.  Between unrelated messages there is no order to keep: deliveries
 * on two connections are concurrent, whichever commits first (two
 * messages of one conversation sent on two connections at once have no
 * order anyway), and an LMTP or SMTP session has one message in flight.
 * A front-end that submits related messages together (an IMAP worker's
 * batch, oldest first) gives them one order key: such jobs go to the
 * general queue, and a worker takes one only while no other job of its
 * key is being parsed, so they reach the writer in submission order.
 *
 * The writer, too, must not make a small message wait behind big ones:
 * storing a 25 MiB raw message takes SQLite a good part of a second, and
 * a small job in the same transaction would wait for all of it.  So each
 * round commits the small jobs taken first, in one transaction, then the
 * big ones in transactions of at most STORE_WRITER_BIG_TXN bytes (or one
 * message), committing the small jobs that arrived meanwhile before each:
 * a small message waits for at most one such transaction.  Jobs with an
 * order key count as big here, so their order holds.  Group commit still
 * serves everything that queues up.
 *
 * On PostgreSQL the writer may hold several connections (nconns,
 * config "database_writers"): each of a message's statements waits for
 * the server's answer, so one connection leaves the server and us idle
 * in turns.  The first connection works as described above; each other
 * one takes the small jobs without an order key that queued while the
 * first commits (store_writer_extra), in a transaction of its own.
 */
#include <sys/resource.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "log.h"
#include "store.h"
#include "store_writer.h"
#include "xmalloc.h"

/* Large enough to amortise the fsync, small enough to bound the latency. */
#define STORE_WRITER_BATCH	512
/*
 * SQLite: how long the writer waits, before it takes a batch, for the
 * small jobs still being parsed (store_writer_gather); a small parse
 * takes a fraction of it.
 */
#define STORE_WRITER_GATHER_US	500
/*
 * Parse workers: one for small jobs only, two for the rest.  More would
 * not parse faster on the two cores the daemon is sized for, and each
 * big parse in flight costs memory.
 */
#define STORE_WRITER_PARSERS	3
#define STORE_WRITER_PARSE_NICE	10	/* of the workers that parse big jobs */
/* Order keys a worker looks through in the general queue (mailboxes). */
#define STORE_WRITER_KEYS	64
/* A message is small below this: parsed in a few milliseconds. */
#define STORE_WRITER_SMALL	(1024 * 1024)
/*
 * Big jobs share a transaction up to this many bytes (at least one job):
 * what a small job may have to wait for.
 */
#define STORE_WRITER_BIG_TXN	(8 * 1024 * 1024)

/*
 * Writing connections on PostgreSQL (store_writer_start): each waits for
 * the server's answer to every statement, so one connection keeps the
 * server and us mostly idle; more than this would only queue on row locks.
 */
#define STORE_WRITER_CONNS_MAX	16

struct store_writer;

/*
 * One writing connection and its thread.  The first (conns[0]) takes
 * every job; the others, PostgreSQL only, take small jobs without an
 * order key while the first is busy committing.
 */
struct store_writer_conn {
	struct store_writer	*w;
	struct store		*st;
	pthread_t		 thread;
	bool			 first;
};

/* One parse worker. */
struct store_writer_parser {
	struct store_writer	*w;
	pthread_t		 thread;
	bool			 small_only;
	const void		*order;		/* key of the job in hand */
};

struct store_writer {
	struct store_writer_conn conns[STORE_WRITER_CONNS_MAX];
	size_t			 nconns;
	store_writer_notify_fn	*notify;
	void			*notify_arg;
	struct store_writer_parser parsers[STORE_WRITER_PARSERS];
	size_t			 parsers_running;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;		/* the writer's queue */
	pthread_cond_t		 small_cond;	/* a small job in it */
	pthread_cond_t		 parse_cond;	/* the parse queues */
	struct store_work	*small_head, *small_tail;	/* submitted */
	struct store_work	*big_head, *big_tail;		/* submitted */
	struct store_work	*queue_head, *queue_tail;	/* parsed */
	size_t			 queue_small;	/* small jobs in it */
	size_t			 small_parsing;	/* submitted, not in it yet */
	bool			 gather;	/* store_writer_gather: SQLite */
	struct store_work	*done_head, *done_tail;		/* committed */
	atomic_size_t		 pending;	/* submitted, done not yet run */
	bool			 stopping;
	time_t			 checkpointed;	/* second of the last one */
	struct store_writer_stats stats;	/* under lock */
	struct metrics		*metrics;	/* set before any submit */
};

/* From 1 ms (a commit on a fast disk) to 10 s (a stalled one). */
const double store_writer_bucket_le[STORE_WRITER_BUCKETS - 1] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 10
};

static void	*store_writer_main(void *);
static void	*store_writer_extra(void *);
static void	*store_writer_parser(void *);
static struct store_work *store_writer_next_parse(struct store_writer *,
		    bool small_only);
static bool	 store_writer_order_busy(const struct store_writer *,
		    const void *);
static bool	 store_writer_small(const struct store_work *);
static void	 store_writer_gather(struct store_writer *);
static struct store_work *store_writer_take(struct store_work **head,
		    struct store_work **tail, struct store_work **last_out);
static struct store_work *store_writer_take_small(struct store_writer *,
		    struct store_work **last_out);
static void	 store_writer_commit(struct store_writer_conn *,
		    struct store_work *first, struct store_work *last);
static void	 store_writer_append(struct store_work **head,
		    struct store_work **tail, struct store_work *first,
		    struct store_work *last);
static void	 store_writer_batch(struct store_writer_conn *,
		    struct store_work *);
static void	 store_writer_run(struct store *, struct store_work *,
		    struct store_work *);
static void	 store_writer_undo(struct store *, struct store_work *,
		    struct store_work *);
static void	 store_writer_checkpoint(struct store_writer_conn *);
static void	 store_writer_count(struct store_writer *,
		    const struct timespec *, bool);

/*
 * SQLite has one writer whatever is asked: its writes are serialised by
 * the database's lock anyway, a second connection would only wait on it,
 * and the writer owns the checkpoints.
 */
struct store_writer *
store_writer_start(const char *dbpath, size_t nconns,
    store_writer_notify_fn *notify, void *arg, struct error *err)
{
	struct store_writer *w = xcalloc(1, sizeof(*w));
	size_t i;

	if (!store_is_remote(dbpath) || nconns < 1)
		nconns = 1;
	if (nconns > STORE_WRITER_CONNS_MAX)
		nconns = STORE_WRITER_CONNS_MAX;
	for (i = 0; i < nconns; i++) {
		w->conns[i].w = w;
		w->conns[i].first = i == 0;
		/* the daemon's timer fills the search index in bulk */
		if ((w->conns[i].st = store_open(dbpath, STORE_SEARCH_LATER,
		    err)) == NULL) {
			while (i-- > 0)
				store_close(w->conns[i].st);
			free(w);
			return NULL;
		}
	}
	w->nconns = nconns;
	w->gather = !store_is_remote(dbpath);
	w->notify = notify;
	w->notify_arg = arg;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	pthread_cond_init(&w->small_cond, NULL);
	pthread_cond_init(&w->parse_cond, NULL);
	w->parsers_running = STORE_WRITER_PARSERS;
	for (i = 0; i < nconns; i++)
		if (pthread_create(&w->conns[i].thread, NULL, i == 0 ?
		    store_writer_main : store_writer_extra, &w->conns[i]) != 0)
			fatalx("cannot start the store writer");
	for (i = 0; i < STORE_WRITER_PARSERS; i++) {
		w->parsers[i].w = w;
		w->parsers[i].small_only = i == 0;
		if (pthread_create(&w->parsers[i].thread, NULL,
		    store_writer_parser, &w->parsers[i]) != 0)
			fatalx("cannot start the parse stage");
	}
	return w;
}

void
store_writer_submit(struct store_writer *w, struct store_work *job)
{
	job->next = NULL;
	atomic_fetch_add(&w->pending, 1);
	pthread_mutex_lock(&w->lock);
	if (store_writer_small(job)) {
		w->small_parsing++;
		store_writer_append(&w->small_head, &w->small_tail, job, job);
	}
	else
		store_writer_append(&w->big_head, &w->big_tail, job, job);
	pthread_cond_broadcast(&w->parse_cond);
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
	size_t i;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_broadcast(&w->parse_cond);
	pthread_mutex_unlock(&w->lock);
	for (i = 0; i < STORE_WRITER_PARSERS; i++)
		pthread_join(w->parsers[i].thread, NULL);
	for (i = 0; i < w->nconns; i++)
		pthread_join(w->conns[i].thread, NULL);
	(void)store_writer_complete(w);
	for (i = 0; i < w->nconns; i++)
		store_close(w->conns[i].st);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	pthread_cond_destroy(&w->small_cond);
	pthread_cond_destroy(&w->parse_cond);
	free(w);
}

/*
 * A parse worker: takes one job at a time (see store_writer_next_parse),
 * parses it without the lock, and hands it to the writer.  Exits when
 * stopping and nothing it may take is left.
 */
static void *
store_writer_parser(void *arg)
{
	struct store_writer_parser *self = arg;
	struct store_writer *w = self->w;
	struct store_work *job;

#ifdef __linux__
	/*
	 * Big parses are throughput work: they yield the CPU to the loop
	 * thread and the writer, which peers are waiting on.  (On Linux
	 * a thread has its own nice value.)
	 */
	if (!self->small_only)
		(void)setpriority(PRIO_PROCESS, (id_t)gettid(),
		    STORE_WRITER_PARSE_NICE);
#endif
	pthread_mutex_lock(&w->lock);
	for (;;) {
		if ((job = store_writer_next_parse(w, self->small_only)) ==
		    NULL) {
			if (w->stopping && w->small_head == NULL &&
			    (self->small_only || w->big_head == NULL))
				break;
			pthread_cond_wait(&w->parse_cond, &w->lock);
			continue;
		}
		self->order = job->order;
		pthread_mutex_unlock(&w->lock);

		if (job->prepare != NULL)
			job->prepare(job);

		pthread_mutex_lock(&w->lock);
		self->order = NULL;
		store_writer_append(&w->queue_head, &w->queue_tail, job, job);
		pthread_cond_signal(&w->cond);
		if (store_writer_small(job)) {
			w->queue_small++;
			w->small_parsing--;
			pthread_cond_signal(&w->small_cond);
		}
		if (job->order != NULL)	/* the next of its key may go */
			pthread_cond_broadcast(&w->parse_cond);
	}
	if (--w->parsers_running == 0) {	/* the writer's queue is final */
		pthread_cond_signal(&w->cond);
		pthread_cond_broadcast(&w->small_cond);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/*
 * The next job for a worker, detached from its queue (under the lock);
 * NULL if none.  First the general queue, oldest first: a job with an
 * order key only if it is the oldest of its key still queued and no job of
 * that key is being parsed.  The small-only worker takes only small jobs
 * there (the small messages of an IMAP batch, which otherwise would wait
 * for the niced workers).  Then the oldest small job.
 */
static struct store_work *
store_writer_next_parse(struct store_writer *w, bool small_only)
{
	struct store_work *job, *prev = NULL;
	const void *seen[STORE_WRITER_KEYS];
	size_t nseen = 0, i;

	for (job = w->big_head; job != NULL; prev = job, job = job->next) {
		if (job->order != NULL) {
			for (i = 0; i < nseen && seen[i] != job->order; i++)
				;
			if (i < nseen)
				continue;	/* an older one of its key waits */
			if (nseen == STORE_WRITER_KEYS)
				break;		/* enough looking */
			seen[nseen++] = job->order;
			if (store_writer_order_busy(w, job->order))
				continue;
		}
		if (small_only && (job->order == NULL ||
		    job->size >= STORE_WRITER_SMALL))
			continue;
		if (prev != NULL)
			prev->next = job->next;
		else
			w->big_head = job->next;
		if (w->big_tail == job)
			w->big_tail = prev;
		job->next = NULL;
		return job;
	}
	if ((job = w->small_head) == NULL)
		return NULL;
	if ((w->small_head = job->next) == NULL)
		w->small_tail = NULL;
	job->next = NULL;
	return job;
}

/* Is a job of order key being parsed?  (Under the lock.) */
static bool
store_writer_order_busy(const struct store_writer *w, const void *order)
{
	size_t i;

	for (i = 0; i < STORE_WRITER_PARSERS; i++)
		if (w->parsers[i].order == order)
			return true;
	return false;
}

static void *
store_writer_main(void *arg)
{
	struct store_writer_conn *conn = arg;
	struct store_writer *w = conn->w;
	struct store_work *batch, *last, *job, *next, *small, *small_last;
	struct store_work *big, **bigp;
	size_t bytes;

	for (;;) {
		pthread_mutex_lock(&w->lock);
		while (w->queue_head == NULL && w->parsers_running > 0)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->queue_head == NULL) {	/* parsers gone, all done */
			pthread_mutex_unlock(&w->lock);
			break;
		}
		store_writer_gather(w);
		batch = store_writer_take(&w->queue_head, &w->queue_tail, &last);
		for (job = batch; job != NULL; job = job->next)
			if (store_writer_small(job))
				w->queue_small--;
		pthread_mutex_unlock(&w->lock);

		/* Small jobs first, together; the big ones keep their order. */
		small = small_last = big = NULL;
		bigp = &big;
		for (job = batch; job != NULL; job = next) {
			next = job->next;
			job->next = NULL;
			if (store_writer_small(job)) {
				store_writer_append(&small, &small_last, job,
				    job);
			} else {
				*bigp = job;
				bigp = &job->next;
			}
		}
		if (small != NULL)
			store_writer_commit(conn, small, small_last);
		while (big != NULL) {
			pthread_mutex_lock(&w->lock);
			small = store_writer_take_small(w, &small_last);
			pthread_mutex_unlock(&w->lock);
			if (small != NULL)
				store_writer_commit(conn, small, small_last);
			/* Big jobs together up to STORE_WRITER_BIG_TXN bytes. */
			bytes = 0;
			for (job = big; job != NULL; job = job->next) {
				bytes += job->size;
				if (job->next == NULL || bytes +
				    job->next->size > STORE_WRITER_BIG_TXN)
					break;
			}
			next = job->next;
			job->next = NULL;
			store_writer_commit(conn, big, job);
			big = next;
		}
	}
	return NULL;
}

/*
 * Another writing connection (PostgreSQL): takes the small jobs without
 * an order key queued while the first one commits, and commits them in a
 * transaction of its own, as another instance on the database would.
 * Order-keyed and big jobs stay with the first, so their order and lanes
 * are as with one writer.
 */
static void *
store_writer_extra(void *arg)
{
	struct store_writer_conn *conn = arg;
	struct store_writer *w = conn->w;
	struct store_work *small, *small_last;

	for (;;) {
		pthread_mutex_lock(&w->lock);
		while (w->queue_small == 0 && w->parsers_running > 0)
			pthread_cond_wait(&w->small_cond, &w->lock);
		small = store_writer_take_small(w, &small_last);
		pthread_mutex_unlock(&w->lock);
		if (small == NULL)		/* parsers gone, all done */
			break;
		store_writer_commit(conn, small, small_last);
	}
	return NULL;
}

/*
 * SQLite: before a batch is taken, the small jobs being parsed join it
 * (at most STORE_WRITER_GATHER_US later; under the lock).  A commit
 * writes the pages its messages share (the last leaf of every index
 * they touch) once and syncs once, so the fewer commits a message
 * shares, the more each costs: at 16 connections batches of about four
 * messages came from peers whose parse ended a moment after the writer
 * had begun.  Waiting for them cut the writer's time a message by an
 * eighth (README, Benchmarks).  A lone peer's job is parsed by the time
 * the writer sees it and never waits; a big one is not waited for
 * (only small jobs count), nor on PostgreSQL, whose other connections
 * take what queues meanwhile.
 */
static void
store_writer_gather(struct store_writer *w)
{
	struct timespec until;

	if (!w->gather || w->small_parsing == 0)
		return;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += STORE_WRITER_GATHER_US * 1000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (w->small_parsing > 0 &&
	    pthread_cond_timedwait(&w->cond, &w->lock, &until) == 0)
		continue;
}

/* Does job count as small (parse lane, writer priority)? */
static bool
store_writer_small(const struct store_work *job)
{
	return job->order == NULL && job->size < STORE_WRITER_SMALL;
}

/* Detaches up to STORE_WRITER_BATCH jobs from a queue (under the lock). */
static struct store_work *
store_writer_take(struct store_work **head, struct store_work **tail,
    struct store_work **last_out)
{
	struct store_work *batch = *head, *last = batch;
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

/*
 * Detaches up to STORE_WRITER_BATCH small jobs from the writer's queue,
 * leaving the others in place (under the lock); NULL if none.
 */
static struct store_work *
store_writer_take_small(struct store_writer *w, struct store_work **last_out)
{
	struct store_work *job, *next, *prev = NULL, *first = NULL;
	size_t n = 0;

	*last_out = NULL;
	for (job = w->queue_head; job != NULL && n < STORE_WRITER_BATCH;
	    job = next) {
		next = job->next;
		if (!store_writer_small(job)) {
			prev = job;
			continue;
		}
		if (prev != NULL)
			prev->next = next;
		else
			w->queue_head = next;
		if (w->queue_tail == job)
			w->queue_tail = prev;
		job->next = NULL;
		store_writer_append(&first, last_out, job, job);
		w->queue_small--;
		n++;
	}
	return first;
}

/*
 * Runs and commits first..last, then completes them: direct units at
 * once on this thread, the others through the daemon's notify callback.
 */
static void
store_writer_commit(struct store_writer_conn *conn, struct store_work *first,
    struct store_work *last)
{
	struct store_writer *w = conn->w;
	struct store_work *job, *next, *head = NULL, *tail = NULL;

	store_writer_batch(conn, first);
	last->next = NULL;
	for (job = first; job != NULL; job = next) {
		next = job->next;
		job->next = NULL;
		if (job->direct) {
			atomic_fetch_sub(&w->pending, 1);
			job->done(job);
		} else
			store_writer_append(&head, &tail, job, job);
	}
	if (head != NULL) {
		pthread_mutex_lock(&w->lock);
		store_writer_append(&w->done_head, &w->done_tail, head, tail);
		pthread_mutex_unlock(&w->lock);
		if (w->notify != NULL)
			w->notify(w->notify_arg);
	}
	store_writer_checkpoint(conn);
}

/*
 * The writer is the one connection that writes, so it owns the
 * checkpoints (the automatic one is pushed far away, see store_open): a
 * passive checkpoint copies the WAL into the database once the units of
 * a commit were handed back and nothing else waits in the queue, so it is
 * never on the path of a waiting peer.  At most one a second: a lone
 * client sending one message at a time finds the queue empty after every
 * commit, and a checkpoint (an fsync of the database) per message would
 * double the disk work.
 */
static void
store_writer_checkpoint(struct store_writer_conn *conn)
{
	struct store_writer *w = conn->w;
	struct timespec now;
	bool idle;

	if (!conn->first)
		return;
	pthread_mutex_lock(&w->lock);
	idle = w->queue_head == NULL;
	pthread_mutex_unlock(&w->lock);
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!idle || now.tv_sec == w->checkpointed)
		return;
	w->checkpointed = now.tv_sec;
	store_checkpoint(conn->st);
}

/* Appends the chain first..last to a queue (under the lock). */
static void
store_writer_append(struct store_work **head, struct store_work **tail,
    struct store_work *first, struct store_work *last)
{
	if (*tail != NULL)
		(*tail)->next = first;
	else
		*head = first;
	*tail = last;
}

/*
 * One transaction for the batch, each unit under a savepoint of its own.
 * If COMMIT fails nothing of it is on disk, so every unit in it is
 * aborted with a temporary error: an intake's peer retries, and promise 1
 * holds because nobody was told 250.
 */
static void
store_writer_batch(struct store_writer_conn *conn, struct store_work *batch)
{
	struct store_writer *w = conn->w;
	struct store *st = conn->st;
	struct store_work *job, *prev = NULL;
	struct timespec start;
	struct error err;

	error_clear(&err);
	clock_gettime(CLOCK_MONOTONIC, &start);
	if (store_begin(st, &err) == -1)
		goto failed;
	for (job = batch; job != NULL; job = job->next) {
		store_writer_run(st, job, prev);
		prev = job->status == STORE_WORK_COMMITTED ? job : NULL;
	}
	if (store_commit(st, &err) == -1) {
		store_rollback(st);
		goto failed;
	}
	store_writer_count(w, &start, true);
	return;
failed:
	store_writer_count(w, &start, false);
	log_warnx("store: batch failed, senders will retry: %s", err.msg);
	for (job = batch; job != NULL; job = job->next) {
		job->status = STORE_WORK_ABORTED;
		job->err = err;
		job->queued_mail = false;
	}
}

/* Counts a batch that began at start (CLOCK_MONOTONIC). */
static void
store_writer_count(struct store_writer *w, const struct timespec *start,
    bool committed)
{
	struct timespec now;
	double secs;
	size_t i;

	clock_gettime(CLOCK_MONOTONIC, &now);
	secs = (double)(now.tv_sec - start->tv_sec) +
	    (double)(now.tv_nsec - start->tv_nsec) / 1e9;
	pthread_mutex_lock(&w->lock);
	if (!committed)
		w->stats.failed++;
	else {
		for (i = 0; i < STORE_WRITER_BUCKETS - 1 &&
		    secs > store_writer_bucket_le[i]; i++)
			continue;
		w->stats.counts[i]++;
		w->stats.batches++;
		w->stats.seconds += secs;
	}
	pthread_mutex_unlock(&w->lock);
}

void
store_writer_set_metrics(struct store_writer *w, struct metrics *m)
{
	w->metrics = m;
}

struct metrics *
store_writer_metrics(struct store_writer *w)
{
	return w->metrics;
}

void
store_writer_stats(struct store_writer *w, struct store_writer_stats *out)
{
	pthread_mutex_lock(&w->lock);
	*out = w->stats;
	pthread_mutex_unlock(&w->lock);
}

/*
 * One unit under a savepoint: a failing unit rolls back alone.  prev is
 * the unit before it in the batch if that one ran to its end.
 *
 * On PostgreSQL a unit's RELEASE is not waited for: it and the unit's
 * deferred writes travel with the next unit's first read, a round trip
 * a unit fewer (about 4 % of the throughput at 16 connections, measured
 * by adding one).  So a write of prev may fail while this unit runs; then
 * this unit ran in an aborted transaction and never made its savepoint,
 * and the rollback to prev's (the newest "unit" savepoint: a unit's own
 * code names its savepoints otherwise, store.h) undoes both: both fail,
 * this one with a temporary error (an intake's peer retries; nothing
 * was told 250).  A unit is not run twice: not every unit's run could
 * be.  At most one unit waits to be confirmed, and the batch's last is
 * before COMMIT, so COMMIT fails only as a whole.
 */
static void
store_writer_run(struct store *st, struct store_work *job,
    struct store_work *prev)
{
	error_clear(&job->err);
	job->queued_mail = false;
	job->status = STORE_WORK_FAILED;
	if (store_unit_begin(st, &job->err) == -1 ||
	    job->run(st, job, &job->err) == -1 ||
	    store_unit_end(st, &job->err) == -1 ||
	    ((job->next == NULL || store_unit_earlier_pending(st)) &&
	    store_unit_confirm(st, &job->err) == -1) ||
	    (prev != NULL && store_unit_earlier_failed(st, NULL))) {
		store_writer_undo(st, job, prev);
		return;
	}
	job->status = STORE_WORK_COMMITTED;
}

/* job failed, or prev's writes did while job ran: roll back to the unit's. */
static void
store_writer_undo(struct store *st, struct store_work *job,
    struct store_work *prev)
{
	struct error err;

	if (prev != NULL && store_unit_earlier_pending(st))
		(void)store_unit_confirm(st, &err);
	if (prev != NULL && store_unit_earlier_failed(st, &prev->err)) {
		prev->status = STORE_WORK_FAILED;
		prev->queued_mail = false;
		error_set(&job->err, ERR_TEMP, "database: rolled back with the "
		    "unit before it (%s)", prev->err.msg);
	}
	store_unit_rollback(st);
	job->status = STORE_WORK_FAILED;
	job->queued_mail = false;
}

bool
store_writer_complete(struct store_writer *w)
{
	struct store_work *job, *next;
	bool mail = false;

	pthread_mutex_lock(&w->lock);
	job = w->done_head;
	w->done_head = w->done_tail = NULL;
	pthread_mutex_unlock(&w->lock);
	for (; job != NULL; job = next) {
		next = job->next;
		mail |= job->queued_mail;
		atomic_fetch_sub(&w->pending, 1);
		job->done(job);
	}
	return mail;
}
