/*
 * sender: the outbox drain.  One worker thread with its own store
 * connection takes due rows (oldest first, 32 at a time), delivers each
 * through the smarthost (or into the Maildir when none is configured) and
 * marks it: sent; failed (a permanent error, or queued for longer than
 * outgoing.give_up_after); or retried after an exponential backoff with up
 * to 10% jitter, so many mails that failed together do not retry in
 * lock-step.
 *
 * The worker sleeps until woken (sender_wake after a commit that queued
 * mail), until the next due row, or one second at most: mail queued by
 * another process (`triaged inject`) has no way to wake us, so we poll.
 * Deliveries are blocking; sender_stop waits for the one in flight.
 *
 * Promise 1 and 2 at this end: a row is marked only after the delivery
 * returned, so a crash in between re-sends it once more, never drops it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <time.h>

#include "clock.h"
#include "config.h"
#include "error.h"
#include "log.h"
#include "maildir.h"
#include "outbox.h"
#include "sender.h"
#include "smtp_client.h"
#include "store.h"
#include "xmalloc.h"

#define SENDER_BATCH	32
#define SENDER_POLL_MS	1000	/* the longest sleep: see the file comment */

struct sender {
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;		/* on CLOCK_MONOTONIC */
	bool		 stop;		/* under lock */
	bool		 woken;		/* under lock */
	struct store	*store;		/* the worker's once started */
	uint64_t	 rng;		/* jitter; the worker's alone */
};

static void	*sender_main(void *);
static bool	 sender_stopping(struct sender *);
static bool	 sender_cycle(struct sender *);
struct sender_result {
	int		rc;
	struct error	err;
	time_t		now;
};

static void	 sender_deliver(const struct config *,
		    const struct outbox_item *, struct sender_result *);
static void	 sender_record(struct sender *, const struct config *,
		    const struct outbox_item *, const struct sender_result *);
static void	 sender_temp_failure(struct sender *, const struct config *,
		    const struct outbox_item *, const char *, time_t);
static time_t	 sender_backoff(struct sender *, const struct config *,
		    int);
static void	 sender_sleep(struct sender *);
static long long sender_sleep_ms(struct sender *);
static uint64_t	 sender_random(struct sender *);

struct sender *
sender_start(const char *dbpath, struct error *err)
{
	struct sender *s;
	pthread_condattr_t attr;
	int rc;

	s = xcalloc(1, sizeof(*s));
	if ((s->store = store_open(dbpath, 0, err)) == NULL) {
		free(s);
		return NULL;
	}
	if (getrandom(&s->rng, sizeof(s->rng), 0) != (ssize_t)sizeof(s->rng))
		s->rng = (uint64_t)clock_mono_ms();
	s->rng |= 1;
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &attr);
	pthread_condattr_destroy(&attr);
	if ((rc = pthread_create(&s->thread, NULL, sender_main, s)) != 0) {
		error_set(err, ERR_INTERNAL, "sender: pthread_create: %s",
		    strerror(rc));
		pthread_cond_destroy(&s->cond);
		pthread_mutex_destroy(&s->lock);
		store_close(s->store);
		free(s);
		return NULL;
	}
	return s;
}

void
sender_wake(struct sender *s)
{
	pthread_mutex_lock(&s->lock);
	s->woken = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

void
sender_stop(struct sender *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	store_close(s->store);
	free(s);
}

static void *
sender_main(void *arg)
{
	struct sender *s = arg;

	/*
	 * Taking mail in is what a peer waits on; our outgoing mail can lag a
	 * few milliseconds.  Under load the worker yields the CPU to the loop
	 * and the store writer (Linux: nice is per thread).
	 */
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 5);
	while (!sender_stopping(s)) {
		/* A full batch means more may be due right away. */
		bool more = sender_cycle(s);

		/* The writer leaves checkpoints to us: see store_open. */
		store_checkpoint(s->store);
		if (more)
			continue;
		sender_sleep(s);
	}
	return NULL;
}

static bool
sender_stopping(struct sender *s)
{
	bool stop;

	pthread_mutex_lock(&s->lock);
	stop = s->stop;
	pthread_mutex_unlock(&s->lock);
	return stop;
}

/*
 * One batch of due rows, all with the config current at its start (a
 * SIGHUP in between applies from the next batch).  Returns true when the
 * batch was full.
 */
static bool
sender_cycle(struct sender *s)
{
	struct outbox_item *items;
	struct sender_result *res;
	struct config *cfg;
	struct error err;
	size_t n, i, done;
	bool tx;

	if ((cfg = config_current()) == NULL)
		return false;
	error_clear(&err);
	if (outbox_due(s->store, clock_now(), SENDER_BATCH, &items, &n,
	    &err) == -1) {
		log_warnx("outbox: cannot read due mail: %s", err.msg);
		config_unref(cfg);
		return false;
	}
	res = xcalloc(n + 1, sizeof(*res));
	for (done = 0; done < n && !sender_stopping(s); done++)
		sender_deliver(cfg, &items[done], &res[done]);
	/*
	 * One transaction records the whole batch: a commit per mail would
	 * cost an fsync each and fight the intake writer for the lock.  If
	 * it fails, the batch goes out once more (never lost).
	 */
	tx = store_begin(s->store, &err) == 0;
	for (i = 0; i < done; i++)
		sender_record(s, cfg, &items[i], &res[i]);
	if (tx && store_commit(s->store, &err) == -1) {
		log_warnx("outbox: cannot record a batch, it will be sent "
		    "again: %s", err.msg);
		store_rollback(s->store);
	}
	free(res);
	outbox_items_free(items, n);
	config_unref(cfg);
	return n == SENDER_BATCH && done == n;
}

static void
sender_deliver(const struct config *cfg, const struct outbox_item *it,
    struct sender_result *r)
{
	char kind[64], rcpts[256];
	const char *via;

	error_clear(&r->err);
	if (cfg->smarthost_host != NULL) {
		via = "smarthost";
		r->rc = smtp_client_send(cfg, it->mail_from, it->rcpts,
		    it->data, it->len, &r->err);
	} else {
		via = "maildir";
		r->rc = maildir_deliver(cfg->outgoing_maildir, it->data,
		    it->len, &r->err);
	}
	r->now = clock_now();
	if (r->rc == 0) {
		log_escape(kind, sizeof(kind), it->kind, strlen(it->kind));
		log_escape(rcpts, sizeof(rcpts), it->rcpts, strlen(it->rcpts));
		log_info("outbox id=%lld sent kind=%s rcpts=%s via=%s",
		    (long long)it->id, kind, rcpts, via);
	}
}

static void
sender_record(struct sender *s, const struct config *cfg,
    const struct outbox_item *it, const struct sender_result *r)
{
	char why[600];
	struct error merr;
	int rc;

	error_clear(&merr);
	if (r->rc == 0)
		rc = outbox_mark_sent(s->store, it->id, r->now, &merr);
	else if (r->err.kind == ERR_PERM) {
		log_escape(why, sizeof(why), r->err.msg, strlen(r->err.msg));
		log_warnx("outbox id=%lld failed: %s", (long long)it->id, why);
		rc = outbox_mark_failed(s->store, it->id, r->err.msg, &merr);
	} else {
		sender_temp_failure(s, cfg, it, r->err.msg, r->now);
		return;
	}
	/* Delivered but not marked: it goes out once more (promise 2 note). */
	if (rc == -1)
		log_warnx("outbox id=%lld: cannot record the result: %s",
		    (long long)it->id, merr.msg);
}

static void
sender_temp_failure(struct sender *s, const struct config *cfg,
    const struct outbox_item *it, const char *msg, time_t now)
{
	char why[600], *reason;
	struct error merr;
	time_t delay;
	int rc;

	error_clear(&merr);
	log_escape(why, sizeof(why), msg, strlen(msg));
	if (it->created_at + (time_t)cfg->give_up_after < now) {
		xasprintf(&reason, "gave up after %ds: %s", cfg->give_up_after,
		    msg);
		log_warnx("outbox id=%lld failed: gave up after %ds: %s",
		    (long long)it->id, cfg->give_up_after, why);
		rc = outbox_mark_failed(s->store, it->id, reason, &merr);
		free(reason);
	} else {
		delay = sender_backoff(s, cfg, it->attempts);
		log_info("outbox id=%lld retry in %llds: %s",
		    (long long)it->id, (long long)delay, why);
		rc = outbox_mark_retry(s->store, it->id, now + delay, msg,
		    &merr);
	}
	if (rc == -1)
		log_warnx("outbox id=%lld: cannot record the result: %s",
		    (long long)it->id, merr.msg);
}

/* min(retry_max, retry_min * 2^attempts) plus up to 10% jitter. */
static time_t
sender_backoff(struct sender *s, const struct config *cfg, int attempts)
{
	long long delay = cfg->retry_min > 0 ? cfg->retry_min : 1;
	long long cap = cfg->retry_max > delay ? cfg->retry_max : delay;
	int i;

	for (i = 0; i < attempts && delay < cap; i++)
		delay *= 2;
	if (delay > cap)
		delay = cap;
	delay += (long long)(sender_random(s) % (uint64_t)(delay / 10 + 1));
	return (time_t)delay;
}

/* Until woken, stopped, the next due row, or SENDER_POLL_MS. */
static void
sender_sleep(struct sender *s)
{
	struct timespec deadline;
	long long ms = sender_sleep_ms(s);

	if (ms <= 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += ms / 1000;
	deadline.tv_nsec += (ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&s->lock);
	while (!s->stop && !s->woken)
		if (pthread_cond_timedwait(&s->cond, &s->lock, &deadline) ==
		    ETIMEDOUT)
			break;
	s->woken = false;
	pthread_mutex_unlock(&s->lock);
}

static long long
sender_sleep_ms(struct sender *s)
{
	struct error err;
	time_t next, now;

	error_clear(&err);
	if (outbox_next_due(s->store, &next, &err) == -1 || next == 0)
		return SENDER_POLL_MS;
	now = clock_now();
	if (next <= now) {
		/*
		 * Due but not taken: a row we could not mark, or one queued
		 * meanwhile (whose sender_wake ends the sleep at once).  Never
		 * spin on a row: that would hammer the smarthost.
		 */
		return SENDER_POLL_MS;
	}
	return (long long)(next - now) * 1000 < SENDER_POLL_MS ?
	    (long long)(next - now) * 1000 : SENDER_POLL_MS;
}

/* xorshift64: jitter needs spread, not secrecy. */
static uint64_t
sender_random(struct sender *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return s->rng;
}
