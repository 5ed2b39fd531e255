/*
 * sender: the outbox drain.  One worker thread with its own read-only
 * store connection takes due rows (oldest first, 32 at a time), delivers each
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
 * Promises 1 and 2 at this end: a row is marked only after the delivery
 * returned, so a crash in between never drops a mail.  Whether it sends
 * it twice depends on where it goes:
 *
 * - Maildir: exactly once.  The file is named from the row and the
 *   store's identity (sender_maildir_name), so the same mail always gets
 *   the same name.  At start (and after a failed record) the worker looks
 *   for the queued rows' names in new/ and cur/, where a reader may have
 *   moved them, and marks those found as sent without writing them again
 *   (sender_recover); maildir_stage also finds a name already in new/.
 *   A batch is written into tmp/, made durable with one flush of the
 *   disk and moved into new/ (maildir_publish: no file reaches new/
 *   before its bytes are on disk), and its marks share one transaction:
 *   the crash that loses them loses nothing.
 * - Smarthost: at most once more per crash.  Each delivery is recorded in
 *   its own commit right after the server's 250, before the next mail
 *   starts, so a crash re-sends only the mail in flight (its 250 may have
 *   been given and not yet recorded; SMTP has no way to ask the server
 *   afterwards, RFC 1047).  If that record fails, nothing more is sent
 *   until it holds.
 *
 * Every mark (sent, retry, failed) is a unit of the store writer, the
 * daemon's one writing connection; the worker waits for its commit (the
 * unit's done signals it from the writer thread) before it goes on, so
 * "recorded" above means committed, as before.
 *
 * At start our unfinished files in the Maildir's tmp/ are removed.
 *
 * Several instances on one PostgreSQL database (issue 15): each row is
 * delivered by the one instance that claimed it.  The worker claims its
 * batch through the writer (outbox_claim: a lease of outgoing.lease
 * seconds in the row, default 60, taken with FOR UPDATE SKIP LOCKED), a
 * keeper thread renews the lease every lease/4 seconds whatever a
 * delivery blocks on, every mark ends the claim, and a clean stop gives
 * back what is left.  An instance that dies stops renewing: a lease
 * later its rows are claimed by another.  Before each delivery the worker
 * checks that its lease still holds for lease/4 seconds as the last
 * committed claim or renewal left it; if renewals fail (the database out
 * of reach), it stops delivering rather than race the instance that may
 * take its rows over.  What remains is the window of a single instance:
 * a mail the smarthost took whose mark did not commit goes out again,
 * from whichever instance delivers the row next (README "Several
 * instances").  On SQLite the one writer is the file's only sender:
 * nothing is claimed.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
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
#include "fault.h"
#include "log.h"
#include "maildir.h"
#include "outbox.h"
#include "sender.h"
#include "smtp_client.h"
#include "store.h"
#include "store_writer.h"
#include "xmalloc.h"

#define SENDER_BATCH	32
#define SENDER_POLL_MS	1000	/* the longest sleep: see the file comment */
#define SENDER_NAME_TAIL ".triaged"	/* see sender_maildir_name */
/*
 * Seconds between renewals of the lease (outgoing.lease), and the lease
 * a delivery must still have to start: a quarter each, so that a missed
 * renewal or two still leave the margin, and a sender whose renewals all
 * fail stops a quarter of a lease before another may take its rows.
 */
#define SENDER_RENEW(s)		((s)->lease / 4)
#define SENDER_MARGIN(s)	((s)->lease / 4)

struct sender {
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;		/* on CLOCK_MONOTONIC */
	pthread_cond_t	 marked;	/* a sender_marks unit is done */
	pthread_cond_t	 keeper_cond;	/* on CLOCK_MONOTONIC: stop */
	bool		 stop;		/* under lock */
	bool		 woken;		/* under lock */
	struct store_writer *writer;	/* every mark goes through it */
	/* the rest is the worker's once started */
	struct store	*store;		/* read-only */
	uint64_t	 rng;		/* jitter */
	char		 store_id[STORE_ID_LEN + 1];	/* "" until read */
	/* the Maildir whose leftovers sender_recover dealt with; NULL: none */
	char		*recovered;
	/* a smarthost delivery whose record failed: 0 or its row */
	int64_t		 unrecorded;
	time_t		 unrecorded_at;
	/* several instances (PostgreSQL): rows are claimed (file comment) */
	bool		 shared;
	char		*instance;	/* claimed_by of our rows */
	pthread_t	 keeper;	/* renews the lease */
	bool		 keeper_started;
	/* CLOCK_MONOTONIC ms until which our claims hold; under lock */
	long long	 lease_ms;
	int		 lease;		/* seconds: outgoing.lease at start */
};

/* A claim, a renewal or a release, as one unit of the writer. */
enum sender_lease_op {
	SENDER_CLAIM,
	SENDER_RENEW_OP,
	SENDER_RELEASE
};

struct sender_lease {
	struct store_work	 work;		/* first */
	struct sender		*s;
	enum sender_lease_op	 op;
	time_t			 now;
	time_t			 lease_until;
	struct outbox_item	*items;		/* SENDER_CLAIM's rows */
	size_t			 n;
	bool			 done;		/* under s->lock */
};

/* What the delivery of a row comes to, for its mark. */
enum sender_mark_kind {
	SENDER_MARK_SENT,
	SENDER_MARK_FAILED,
	SENDER_MARK_RETRY
};

struct sender_mark {
	int64_t			 id;
	enum sender_mark_kind	 kind;
	time_t			 at;	/* sent_at, or the retry's time */
	char			*why;
};

/*
 * Marks recorded together as one unit of the store writer (one
 * transaction: all or none), which the worker waits for.
 */
struct sender_marks {
	struct store_work	 work;		/* first: see sender_marks_of */
	struct sender		*s;
	struct sender_mark	*marks;
	size_t			 n;
	bool			 done;		/* under s->lock */
};

static void	*sender_main(void *);
static void	*sender_keeper(void *);
static int	 sender_lease_unit(struct sender *, struct sender_lease *,
		    struct error *);
static int	 sender_lease_run(struct store *, struct store_work *,
		    struct error *);
static void	 sender_lease_done(struct store_work *);
static bool	 sender_lease_holds(struct sender *);
static void	 sender_wait(struct sender *, struct store_work *, bool *);
static void	 sender_mark(struct sender_marks *, int64_t id,
		    enum sender_mark_kind, time_t at, const char *why);
static int	 sender_commit(struct sender *, struct sender_marks *,
		    struct error *);
static int	 sender_marks_run(struct store *, struct store_work *,
		    struct error *);
static void	 sender_marks_done(struct store_work *);
static bool	 sender_stopping(struct sender *);
static bool	 sender_cycle(struct sender *);
struct sender_result {
	int		rc;	/* 0 delivered (or found delivered), -1 */
	struct error	err;
	time_t		now;
	bool		staged;	/* Maildir: in tmp/, for sender_publish */
	char		name[MAILDIR_NAME_MAX + 1];	/* Maildir */
};

static int	 sender_recover(struct sender *, const char *dir);
static bool	 sender_settle(struct sender *);
static void	 sender_deliver(struct sender *, const struct config *,
		    const struct outbox_item *, struct sender_result *);
static void	 sender_log_sent(const struct outbox_item *, const char *,
		    bool);
static int	 sender_publish(const struct config *,
		    const struct outbox_item *, struct sender_result *, size_t,
		    struct error *);
static int	 sender_record_one(struct sender *, const struct config *,
		    const struct outbox_item *, const struct sender_result *);
static void	 sender_record(struct sender *, const struct config *,
		    const struct outbox_item *, const struct sender_result *,
		    struct sender_marks *);
static void	 sender_temp_failure(struct sender *, const struct config *,
		    const struct outbox_item *, const char *, time_t,
		    struct sender_marks *);
static int	 sender_maildir_name(struct sender *,
		    const struct outbox_item *, char *, size_t,
		    struct error *);
static int64_t	 sender_maildir_row(const struct sender *, const char *);
static bool	 sender_maildir_ours(const char *, void *);
static time_t	 sender_backoff(struct sender *, const struct config *,
		    int);
static void	 sender_sleep(struct sender *);
static long long sender_sleep_ms(struct sender *);
static uint64_t	 sender_random(struct sender *);

struct sender *
sender_start(const char *dbpath, struct store_writer *writer,
    const char *instance, int lease, struct error *err)
{
	struct sender *s;
	pthread_condattr_t attr;
	int rc;

	s = xcalloc(1, sizeof(*s));
	s->writer = writer;
	s->shared = store_is_remote(dbpath);
	s->instance = xstrdup(instance);
	s->lease = lease;
	if ((s->store = store_open(dbpath, STORE_READONLY, err)) == NULL) {
		free(s->instance);
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
	pthread_cond_init(&s->keeper_cond, &attr);
	pthread_condattr_destroy(&attr);
	pthread_cond_init(&s->marked, NULL);
	if ((rc = pthread_create(&s->thread, NULL, sender_main, s)) != 0) {
		error_set(err, ERR_INTERNAL, "sender: pthread_create: %s",
		    strerror(rc));
		pthread_cond_destroy(&s->cond);
		pthread_cond_destroy(&s->keeper_cond);
		pthread_cond_destroy(&s->marked);
		pthread_mutex_destroy(&s->lock);
		store_close(s->store);
		free(s->instance);
		free(s);
		return NULL;
	}
	if (s->shared) {
		if ((rc = pthread_create(&s->keeper, NULL, sender_keeper,
		    s)) == 0)
			s->keeper_started = true;
		else	/* claims then hold one lease: a batch at most */
			log_warnx("outbox: cannot start the lease keeper: %s",
			    strerror(rc));
		log_info("outbox: instance %s claims rows for %ds, renewed "
		    "every %ds", s->instance, s->lease, SENDER_RENEW(s));
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
	pthread_cond_signal(&s->keeper_cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	if (s->keeper_started)
		pthread_join(s->keeper, NULL);
	pthread_cond_destroy(&s->cond);
	pthread_cond_destroy(&s->keeper_cond);
	pthread_cond_destroy(&s->marked);
	pthread_mutex_destroy(&s->lock);
	store_close(s->store);
	free(s->recovered);
	free(s->instance);
	free(s);
}

static void *
sender_main(void *arg)
{
	struct sender *s = arg;
	struct config *cfg;

	/*
	 * Taking mail in is what a peer waits on; our outgoing mail can lag a
	 * few milliseconds.  Under load the worker yields the CPU to the loop
	 * and the store writer (Linux: nice is per thread).
	 */
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 5);
	/*
	 * Whatever the mode now, the Maildir may hold what a crash left:
	 * unfinished files in tmp/, mail delivered and not recorded.
	 */
	if ((cfg = config_current()) != NULL) {
		(void)sender_recover(s, cfg->outgoing_maildir);
		config_unref(cfg);
	}
	while (!sender_stopping(s)) {
		/* A full batch means more may be due right away. */
		bool more = sender_cycle(s);

		if (more)
			continue;
		sender_sleep(s);
	}
	if (s->shared) {
		struct sender_lease u;
		struct error err;

		/* what we still hold is another instance's at once */
		memset(&u, 0, sizeof(u));
		u.op = SENDER_RELEASE;
		error_clear(&err);
		if (sender_lease_unit(s, &u, &err) == -1)
			log_warnx("outbox: cannot give back our claims (they "
			    "run out in %ds): %s", s->lease, err.msg);
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
	struct sender_marks u;
	struct error err;
	size_t n, i, done;
	bool maildir;

	if (!sender_settle(s))
		return false;
	if ((cfg = config_current()) == NULL)
		return false;
	maildir = cfg->smarthost_host == NULL;
	if (maildir && (s->recovered == NULL ||
	    strcmp(s->recovered, cfg->outgoing_maildir) != 0) &&
	    sender_recover(s, cfg->outgoing_maildir) == -1) {
		config_unref(cfg);
		return false;
	}
	error_clear(&err);
	if (s->shared) {
		struct sender_lease c;

		memset(&c, 0, sizeof(c));
		c.op = SENDER_CLAIM;
		if (sender_lease_unit(s, &c, &err) == -1) {
			log_warnx("outbox: cannot claim due mail: %s",
			    err.msg);
			config_unref(cfg);
			return false;
		}
		items = c.items;
		n = c.n;
	} else if (outbox_due(s->store, clock_now(), SENDER_BATCH, &items, &n,
	    &err) == -1) {
		log_warnx("outbox: cannot read due mail: %s", err.msg);
		config_unref(cfg);
		return false;
	}
	res = xcalloc(n + 1, sizeof(*res));
	for (done = 0; done < n && !sender_stopping(s); ) {
		if (s->shared && !sender_lease_holds(s)) {
			/*
			 * Not renewed: another instance may take these rows
			 * over.  They stay claimed by us; the next claim
			 * takes them again if nobody did.
			 */
			log_warnx("outbox: lease not renewed, delivering "
			    "nothing until it is");
			break;
		}
		sender_deliver(s, cfg, &items[done], &res[done]);
		done++;
		/* Smarthost: recorded now, before the next mail starts. */
		if (!maildir && sender_record_one(s, cfg, &items[done - 1],
		    &res[done - 1]) == -1 && s->unrecorded != 0)
			break;
	}
	if (maildir && done > 0 && sender_publish(cfg, items, res, done,
	    &err) == -1) {
		/*
		 * The batch's entries in new/ may not be on disk: record none
		 * of it.  What is there, sender_recover finds before anything
		 * more is written.
		 */
		log_warnx("outbox: cannot sync the Maildir, will look for the "
		    "batch there: %s", err.msg);
		free(s->recovered);
		s->recovered = NULL;
	} else if (maildir) {
		/*
		 * One fsync of new/ above made the batch's entries durable,
		 * and one unit of the writer records them: a commit per mail
		 * would cost an fsync each.  If it fails, sender_recover finds the mail delivered
		 * before anything more is written (never twice, never lost).
		 */
		memset(&u, 0, sizeof(u));
		for (i = 0; i < done; i++)
			sender_record(s, cfg, &items[i], &res[i], &u);
		if (sender_commit(s, &u, &err) == -1) {
			log_warnx("outbox: cannot record a batch, will look "
			    "for it in the Maildir: %s", err.msg);
			free(s->recovered);
			s->recovered = NULL;
		}
	}
	free(res);
	outbox_items_free(items, n);
	config_unref(cfg);
	return n == SENDER_BATCH && done == n && s->unrecorded == 0;
}

/*
 * Runs u (a claim, renewal or release for this instance) as a unit of
 * the writer and waits for its commit: 0, or -1 + err.  A claim or a
 * renewal that committed moves s->lease_ms to s->lease seconds after
 * the moment before it was submitted (the lease in the rows counts from
 * a later clock reading, so ours never outlives theirs).
 */
static int
sender_lease_unit(struct sender *s, struct sender_lease *u,
    struct error *err)
{
	long long t0 = clock_mono_ms();

	u->s = s;
	u->now = clock_now();
	u->lease_until = u->now + s->lease;
	u->work.run = sender_lease_run;
	u->work.done = sender_lease_done;
	u->work.direct = true;
	sender_wait(s, &u->work, &u->done);
	if (u->work.status != STORE_WORK_COMMITTED) {
		*err = u->work.err;
		outbox_items_free(u->items, u->n);
		u->items = NULL;
		u->n = 0;
		return -1;
	}
	if (u->op != SENDER_RELEASE) {
		pthread_mutex_lock(&s->lock);
		if (t0 + s->lease * 1000LL > s->lease_ms)
			s->lease_ms = t0 + s->lease * 1000LL;
		pthread_mutex_unlock(&s->lock);
	}
	return 0;
}

static int
sender_lease_run(struct store *st, struct store_work *work,
    struct error *err)
{
	struct sender_lease *u = (struct sender_lease *)(void *)work;

	switch (u->op) {
	case SENDER_CLAIM:
		/* a batch that fails is undone alone: nothing claimed */
		outbox_items_free(u->items, u->n);
		u->items = NULL;
		u->n = 0;
		return outbox_claim(st, u->s->instance, u->now,
		    u->lease_until, SENDER_BATCH, &u->items, &u->n, err);
	case SENDER_RENEW_OP:
		return outbox_renew(st, u->s->instance, u->lease_until, err);
	default:
		return outbox_release(st, u->s->instance, err);
	}
}

static void
sender_lease_done(struct store_work *work)
{
	struct sender_lease *u = (struct sender_lease *)(void *)work;
	struct sender *s = u->s;

	pthread_mutex_lock(&s->lock);
	u->done = true;
	pthread_cond_broadcast(&s->marked);
	pthread_mutex_unlock(&s->lock);
}

/* Does our lease hold for SENDER_MARGIN(s) seconds more? */
static bool
sender_lease_holds(struct sender *s)
{
	bool yes;

	pthread_mutex_lock(&s->lock);
	yes = clock_mono_ms() + SENDER_MARGIN(s) * 1000LL < s->lease_ms;
	pthread_mutex_unlock(&s->lock);
	return yes;
}

/*
 * The lease keeper: every SENDER_RENEW(s) seconds, the lease of whatever
 * rows we hold is moved s->lease seconds ahead, in a thread of its
 * own so that a delivery blocked on a slow smarthost (each step may take
 * outgoing.smarthost.timeout) never lets it run out.
 */
static void *
sender_keeper(void *arg)
{
	struct sender *s = arg;
	struct sender_lease u;
	struct timespec deadline;
	struct error err;
	bool failing = false, stop;

	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += SENDER_RENEW(s);
		pthread_mutex_lock(&s->lock);
		while (!s->stop && pthread_cond_timedwait(&s->keeper_cond,
		    &s->lock, &deadline) != ETIMEDOUT)
			;
		stop = s->stop;
		pthread_mutex_unlock(&s->lock);
		if (stop)
			break;
		memset(&u, 0, sizeof(u));
		u.op = SENDER_RENEW_OP;
		error_clear(&err);
		if (sender_lease_unit(s, &u, &err) == -1) {
			if (!failing)
				log_warnx("outbox: cannot renew the lease of "
				    "our rows: %s", err.msg);
			failing = true;
		} else if (failing) {
			log_info("outbox: lease renewed again");
			failing = false;
		}
	}
	return NULL;
}

/*
 * Records a smarthost delivery whose record failed before, so that at
 * most one mail is ever delivered and not recorded.  False while it
 * still fails (nothing else is sent meanwhile).
 */
static bool
sender_settle(struct sender *s)
{
	struct sender_marks u;
	struct error err;

	if (s->unrecorded == 0)
		return true;
	error_clear(&err);
	memset(&u, 0, sizeof(u));
	sender_mark(&u, s->unrecorded, SENDER_MARK_SENT, s->unrecorded_at,
	    NULL);
	if (sender_commit(s, &u, &err) == -1) {
		log_warnx("outbox id=%lld: still cannot record its delivery, "
		    "sending nothing else: %s", (long long)s->unrecorded,
		    err.msg);
		return false;
	}
	log_info("outbox id=%lld: delivery recorded",
	    (long long)s->unrecorded);
	s->unrecorded = 0;
	return true;
}

struct sender_found {
	struct sender	*s;
	const int64_t	*queued;	/* ascending */
	size_t		 nqueued;
	int64_t		*found;
	size_t		 nfound;
};

static int
sender_cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void
sender_found_one(const char *name, void *arg)
{
	struct sender_found *f = arg;
	int64_t id = sender_maildir_row(f->s, name);

	if (id == 0 || bsearch(&id, f->queued, f->nqueued, sizeof(id),
	    sender_cmp_id) == NULL)
		return;
	f->found = xreallocarray(f->found, f->nfound + 1, sizeof(*f->found));
	f->found[f->nfound++] = id;
}

/*
 * Deals with what a crash may have left in dir: our unfinished files in
 * tmp/ go; a queued row whose file is in new/ or cur/ was delivered and
 * its record lost, so it is marked sent now, never written again.  Only
 * this worker delivers into this Maildir (with several instances on one
 * database each has its own), so nothing changes under us there.
 * Returns 0 (dir done), or -1 (logged; tried again before the next
 * Maildir delivery).
 */
static int
sender_recover(struct sender *s, const char *dir)
{
	struct sender_found f;
	struct sender_marks u;
	struct error err;
	int64_t *queued = NULL;
	time_t now;
	size_t i;
	int removed;

	error_clear(&err);
	memset(&f, 0, sizeof(f));
	f.s = s;
	if ((s->store_id[0] == '\0' &&
	    store_id(s->store, s->store_id, &err) == -1) ||
	    maildir_clean_tmp(dir, sender_maildir_ours, s, time(NULL),
	    &removed, &err) == -1)
		goto fail;
	if (removed > 0)
		log_info("outbox: removed %d unfinished file%s from %s/tmp",
		    removed, removed == 1 ? "" : "s", dir);
	if (outbox_queued_ids(s->store, &queued, &f.nqueued, &err) == -1)
		goto fail;
	f.queued = queued;
	/* Nothing queued, nothing to look for: the usual start. */
	if (f.nqueued > 0 && maildir_scan(dir, sender_found_one, &f,
	    &err) == -1)
		goto fail;
	now = clock_now();
	if (f.nfound > 0) {
		memset(&u, 0, sizeof(u));
		for (i = 0; i < f.nfound; i++)
			sender_mark(&u, f.found[i], SENDER_MARK_SENT, now,
			    NULL);
		if (sender_commit(s, &u, &err) == -1)
			goto fail;
		for (i = 0; i < f.nfound; i++)
			log_info("outbox id=%lld already in the Maildir: "
			    "recorded as sent", (long long)f.found[i]);
		log_info("outbox: %zu mail%s found delivered but not "
		    "recorded in %s", f.nfound, f.nfound == 1 ? "" : "s", dir);
	}
	free(queued);
	free(f.found);
	free(s->recovered);
	s->recovered = xstrdup(dir);
	return 0;
fail:
	log_warnx("outbox: cannot check the Maildir %s for mail delivered "
	    "before a restart, delivering none there: %s", dir, err.msg);
	free(queued);
	free(f.found);
	return -1;
}

static void
sender_deliver(struct sender *s, const struct config *cfg,
    const struct outbox_item *it, struct sender_result *r)
{
	const char *via;
	bool again = false;

	error_clear(&r->err);
	r->staged = false;
	if (cfg->smarthost_host != NULL) {
		via = "smarthost";
		r->rc = smtp_client_send(cfg, it->mail_from, it->rcpts,
		    it->data, it->len, &r->err);
	} else {
		/* Written into tmp/ now, delivered by sender_publish. */
		via = "maildir";
		if ((r->rc = sender_maildir_name(s, it, r->name,
		    sizeof(r->name), &r->err)) == 0)
			r->rc = maildir_stage(cfg->outgoing_maildir, r->name,
			    it->data, it->len, &r->err);
		r->staged = r->rc == 0;
		if (r->rc == 1) {
			again = true;	/* in new/ already: recorded now */
			r->rc = 0;
		}
	}
	r->now = clock_now();
	if (r->rc == 0 && !r->staged)
		sender_log_sent(it, via, again);
}

/* The "sent" line of a mail delivered (the crash tests' fault point). */
static void
sender_log_sent(const struct outbox_item *it, const char *via, bool again)
{
	char kind[64], rcpts[256];

	log_escape(kind, sizeof(kind), it->kind, strlen(it->kind));
	log_escape(rcpts, sizeof(rcpts), it->rcpts, strlen(it->rcpts));
	log_info("outbox id=%lld sent kind=%s rcpts=%s via=%s%s",
	    (long long)it->id, kind, rcpts, via,
	    again ? " (found delivered before)" : "");
	fault_point("sender-delivered");
}

/*
 * The Maildir half of a batch of n: the mails staged in tmp/ made
 * durable and moved into new/ with one flush of the disk, the entries
 * of those found there before synced too.  0, or -1 + err: which of them
 * reached new/ is then unknown (sender_recover looks).
 */
static int
sender_publish(const struct config *cfg, const struct outbox_item *items,
    struct sender_result *res, size_t n, struct error *err)
{
	char **names;
	size_t i, k = 0;
	int rc;

	names = xcalloc(n + 1, sizeof(*names));
	for (i = 0; i < n; i++)
		if (res[i].staged)
			names[k++] = res[i].name;
	if (k > 0)
		rc = maildir_publish(cfg->outgoing_maildir, names, k, err);
	else
		rc = maildir_sync_new(cfg->outgoing_maildir, err);
	free(names);
	if (rc == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (res[i].staged)
			sender_log_sent(&items[i], "maildir", false);
	return 0;
}

/*
 * A smarthost delivery recorded in a unit of its own, before the next
 * mail starts: 0, or -1 (logged) when the result could not be written.
 */
static int
sender_record_one(struct sender *s, const struct config *cfg,
    const struct outbox_item *it, const struct sender_result *r)
{
	struct sender_marks u;
	struct error merr;

	memset(&u, 0, sizeof(u));
	sender_record(s, cfg, it, r, &u);
	error_clear(&merr);
	if (sender_commit(s, &u, &merr) == 0)
		return 0;
	log_warnx("outbox id=%lld: cannot record the result: %s",
	    (long long)it->id, merr.msg);
	/*
	 * A smarthost delivery must not be sent again: keep it to record
	 * before anything else (sender_settle).  A failure leaves nothing
	 * delivered, so trying it again is harmless.
	 */
	if (r->rc == 0) {
		s->unrecorded = it->id;
		s->unrecorded_at = r->now;
	}
	return -1;
}

/* The mark of one delivery's result, into u. */
static void
sender_record(struct sender *s, const struct config *cfg,
    const struct outbox_item *it, const struct sender_result *r,
    struct sender_marks *u)
{
	char why[600];

	if (r->rc == 0)
		sender_mark(u, it->id, SENDER_MARK_SENT, r->now, NULL);
	else if (r->err.kind == ERR_PERM) {
		log_escape(why, sizeof(why), r->err.msg, strlen(r->err.msg));
		log_errorx("outbox id=%lld failed: %s", (long long)it->id, why);
		sender_mark(u, it->id, SENDER_MARK_FAILED, 0, r->err.msg);
	} else
		sender_temp_failure(s, cfg, it, r->err.msg, r->now, u);
}

static void
sender_temp_failure(struct sender *s, const struct config *cfg,
    const struct outbox_item *it, const char *msg, time_t now,
    struct sender_marks *u)
{
	char why[600], *reason;
	time_t delay;

	log_escape(why, sizeof(why), msg, strlen(msg));
	if (it->created_at + (time_t)cfg->give_up_after < now) {
		xasprintf(&reason, "gave up after %ds: %s", cfg->give_up_after,
		    msg);
		log_errorx("outbox id=%lld failed: gave up after %ds: %s",
		    (long long)it->id, cfg->give_up_after, why);
		sender_mark(u, it->id, SENDER_MARK_FAILED, 0, reason);
		free(reason);
	} else {
		delay = sender_backoff(s, cfg, it->attempts);
		/* the smarthost failed: a warning (the mail is not lost) */
		log_warnx("outbox id=%lld retry in %llds: %s",
		    (long long)it->id, (long long)delay, why);
		sender_mark(u, it->id, SENDER_MARK_RETRY, now + delay, msg);
	}
}

static void
sender_mark(struct sender_marks *u, int64_t id, enum sender_mark_kind kind,
    time_t at, const char *why)
{
	struct sender_mark *m;

	u->marks = xreallocarray(u->marks, u->n + 1, sizeof(*u->marks));
	m = &u->marks[u->n++];
	m->id = id;
	m->kind = kind;
	m->at = at;
	m->why = xstrdup_or_null(why);
}

/*
 * Submits u's marks to the writer and waits until they committed (or
 * not): 0, or -1 + err.  Frees the marks either way.
 */
static int
sender_commit(struct sender *s, struct sender_marks *u, struct error *err)
{
	size_t i;
	int rc = 0;

	if (u->n > 0) {
		u->s = s;
		u->work.run = sender_marks_run;
		u->work.done = sender_marks_done;
		u->work.direct = true;
		sender_wait(s, &u->work, &u->done);
		if (u->work.status != STORE_WORK_COMMITTED) {
			*err = u->work.err;
			rc = -1;
		}
	}
	for (i = 0; i < u->n; i++)
		free(u->marks[i].why);
	free(u->marks);
	u->marks = NULL;
	u->n = 0;
	return rc;
}

/* Submits work to the writer and waits until its done set *done. */
static void
sender_wait(struct sender *s, struct store_work *work, bool *done)
{
	store_writer_submit(s->writer, work);
	pthread_mutex_lock(&s->lock);
	while (!*done)
		pthread_cond_wait(&s->marked, &s->lock);
	pthread_mutex_unlock(&s->lock);
}

/* On the writer thread, in its transaction: all the marks or none. */
static int
sender_marks_run(struct store *st, struct store_work *work,
    struct error *err)
{
	struct sender_marks *u = (struct sender_marks *)(void *)work;
	const struct sender_mark *m;
	int64_t *ids;
	size_t i, j, k;
	int rc = 0;

	ids = xcalloc(u->n + 1, sizeof(*ids));
	for (i = 0; i < u->n; i = j) {
		m = &u->marks[i];
		j = i + 1;
		if (m->kind == SENDER_MARK_SENT) {
			/* a run of deliveries in one second: one statement */
			ids[0] = m->id;
			for (k = 1; j < u->n && u->marks[j].kind ==
			    SENDER_MARK_SENT && u->marks[j].at == m->at; j++)
				ids[k++] = u->marks[j].id;
			rc = outbox_mark_sent_all(st, ids, k, m->at, err);
		} else if (m->kind == SENDER_MARK_FAILED)
			rc = outbox_mark_failed(st, m->id, m->why, err);
		else
			rc = outbox_mark_retry(st, m->id, m->at, m->why, err);
		if (rc == -1)
			break;
	}
	free(ids);
	return rc == -1 ? -1 : 0;
}

/* On the writer thread right after the commit: wake the worker. */
static void
sender_marks_done(struct store_work *work)
{
	struct sender_marks *u = (struct sender_marks *)(void *)work;
	struct sender *s = u->s;

	pthread_mutex_lock(&s->lock);
	u->done = true;
	pthread_cond_broadcast(&s->marked);
	pthread_mutex_unlock(&s->lock);
}

/*
 * The Maildir name of a row: "CREATED.RID_STOREID.triaged" (Maildir's
 * "time.unique.host", with the row's creation time, the row and the
 * store in place of the delivery's time, process and host), the same
 * for every attempt, so a second delivery finds the first.  The store's
 * identity keeps two databases delivering into one Maildir apart.
 */
static int
sender_maildir_name(struct sender *s, const struct outbox_item *it,
    char *name, size_t size, struct error *err)
{
	if (s->store_id[0] == '\0' &&
	    store_id(s->store, s->store_id, err) == -1)
		return -1;
	(void)snprintf(name, size, "%lld.R%lld_%s" SENDER_NAME_TAIL,
	    (long long)it->created_at, (long long)it->id, s->store_id);
	return 0;
}

/* The row a name of ours stands for, or 0 if it is not one of ours. */
static int64_t
sender_maildir_row(const struct sender *s, const char *name)
{
	const char *p;
	char *end;
	long long id;

	if ((p = strstr(name, ".R")) == NULL)
		return 0;
	p += 2;
	if (*p < '1' || *p > '9')
		return 0;
	errno = 0;
	id = strtoll(p, &end, 10);
	if (errno != 0 || *end != '_' ||
	    strncmp(end + 1, s->store_id, STORE_ID_LEN) != 0 ||
	    strcmp(end + 1 + STORE_ID_LEN, SENDER_NAME_TAIL) != 0)
		return 0;
	return (int64_t)id;
}

static bool
sender_maildir_ours(const char *name, void *arg)
{
	return sender_maildir_row(arg, name) != 0;
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
