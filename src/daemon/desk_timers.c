/*
 * desk_timers: see desk_timers.h.  A timer never has two units in flight:
 * it is armed again only from its unit's done, so a slow batch of the
 * writer delays the next pass instead of piling passes up.  A step that
 * fails is logged and runs again at the next tick.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "desk_timers.h"
#include "digest.h"
#include "error.h"
#include "log.h"
#include "purge.h"
#include "report.h"
#include "retention.h"
#include "search_index.h"
#include "sla_timer.h"
#include "store.h"
#include "store_writer.h"
#include "task_remind.h"
#include "xmalloc.h"

/*
 * The search index's catch-up (SQLite, search_index.h): every second,
 * and at once again while a step found a full bulk waiting.  A bulk of
 * 250 four-kilobyte messages is some 10 ms of the writer's time: enough
 * that FTS5 writes one segment for many messages, little enough that a
 * message arriving meanwhile hardly waits.  The unit has an order key
 * of its own, so the writer commits it in a transaction of its own
 * after the small jobs it took with it (store_writer.c's lanes): no
 * message's 250 waits for a bulk it did not arrive behind.
 */
#define DESK_SEARCH_TICK	1
#define DESK_SEARCH_BULK	250

struct desk_timer;

/* One step in the writer's transaction; *again: the next is due now. */
typedef int desk_timer_step_fn(struct desk_timer *, struct store *,
    bool *again, struct error *err);

struct desk_timer {
	struct store_work	 work;		/* first: see desk_timer_of */
	struct desk_timers	*dt;
	const char		*name;
	desk_timer_step_fn	*step;
	struct event		*ev;
	int			 tick;		/* seconds */
	bool			 busy;		/* a unit in flight */
	bool			 again;
	bool			 woken;		/* wake while busy */
};

struct desk_timers {
	struct store_writer	*writer;
	struct sla_timer	*sla;
	struct desk_timer	 sla_timer;
	struct desk_timer	 reports;
	struct desk_timer	 tasks;		/* task reminders */
	struct desk_timer	 retention;
	struct desk_timer	 search;	/* the search index's catch-up */
	struct purge_counts	 purged;	/* by the unit in flight */
};

static void	desk_timer_init(struct desk_timers *, struct desk_timer *,
		    struct event_base *, const char *, desk_timer_step_fn *,
		    int tick);
static void	desk_timer_arm(struct desk_timer *, int secs);
static void	desk_timer_cb(evutil_socket_t, short, void *);
static int	desk_timer_run(struct store *, struct store_work *,
		    struct error *);
static void	desk_timer_done(struct store_work *);
static int	desk_timers_sla(struct desk_timer *, struct store *, bool *,
		    struct error *);
static int	desk_timers_reports(struct desk_timer *, struct store *,
		    bool *, struct error *);
static bool	desk_timers_reports_wanted(void);
static int	desk_timers_tasks(struct desk_timer *, struct store *,
		    bool *, struct error *);
static int	desk_timers_retention(struct desk_timer *, struct store *,
		    bool *, struct error *);
static bool	desk_timers_retention_wanted(void);
static int	desk_timers_search(struct desk_timer *, struct store *,
		    bool *, struct error *);
static bool	desk_timers_search_wanted(void);
static void	desk_timers_retention_log(const struct purge_counts *);

struct desk_timers *
desk_timers_start(struct event_base *base, struct store_writer *writer)
{
	struct desk_timers *dt = xcalloc(1, sizeof(*dt));

	dt->writer = writer;
	dt->sla = sla_timer_new();
	desk_timer_init(dt, &dt->sla_timer, base, "sla timer",
	    desk_timers_sla, SLA_TIMER_TICK);
	desk_timer_init(dt, &dt->reports, base, "digest",
	    desk_timers_reports, DIGEST_TICK);
	desk_timer_init(dt, &dt->tasks, base, "task timer",
	    desk_timers_tasks, TASK_REMIND_TICK);
	desk_timer_init(dt, &dt->retention, base, "retention",
	    desk_timers_retention, RETENTION_TICK);
	desk_timer_init(dt, &dt->search, base, "search index",
	    desk_timers_search, DESK_SEARCH_TICK);
	dt->search.work.order = &dt->search;	/* the slow lane, see above */
	desk_timer_arm(&dt->sla_timer, 0);
	desk_timer_arm(&dt->reports, 0);
	desk_timer_arm(&dt->tasks, 0);
	desk_timer_arm(&dt->retention, 0);
	desk_timer_arm(&dt->search, 0);
	return dt;
}

void
desk_timers_wake(struct desk_timers *dt)
{
	struct desk_timer *t[4];
	size_t i;

	if (dt == NULL)
		return;
	t[0] = &dt->sla_timer;
	t[1] = &dt->reports;
	t[2] = &dt->tasks;
	t[3] = &dt->retention;
	for (i = 0; i < 4; i++) {
		if (t[i]->busy)
			t[i]->woken = true;
		else
			desk_timer_arm(t[i], 0);
	}
}

void
desk_timers_free(struct desk_timers *dt)
{
	if (dt == NULL)
		return;
	event_free(dt->sla_timer.ev);
	event_free(dt->reports.ev);
	event_free(dt->tasks.ev);
	event_free(dt->retention.ev);
	event_free(dt->search.ev);
	sla_timer_free(dt->sla);
	free(dt);
}

static void
desk_timer_init(struct desk_timers *dt, struct desk_timer *t,
    struct event_base *base, const char *name, desk_timer_step_fn *step,
    int tick)
{
	t->dt = dt;
	t->name = name;
	t->step = step;
	t->tick = tick;
	t->work.run = desk_timer_run;
	t->work.done = desk_timer_done;
	if ((t->ev = evtimer_new(base, desk_timer_cb, t)) == NULL)
		fatalx("cannot create the %s", name);
}

static void
desk_timer_arm(struct desk_timer *t, int secs)
{
	struct timeval tv = { secs, 0 };

	evtimer_add(t->ev, &tv);
}

/* On the loop thread: the timer fired, hand a step to the writer. */
static void
desk_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct desk_timer *t = arg;

	if (t->busy)
		return;
	if ((t == &t->dt->reports && !desk_timers_reports_wanted()) ||
	    (t == &t->dt->retention && !desk_timers_retention_wanted()) ||
	    (t == &t->dt->search && !desk_timers_search_wanted())) {
		desk_timer_arm(t, t->tick);	/* no unit, no transaction */
		return;
	}
	t->busy = true;
	t->woken = false;
	store_writer_submit(t->dt->writer, &t->work);
}

/* On the writer thread, in its transaction under a savepoint. */
static int
desk_timer_run(struct store *st, struct store_work *work, struct error *err)
{
	struct desk_timer *t = (struct desk_timer *)(void *)work;

	t->again = false;
	return t->step(t, st, &t->again, err);
}

/* After the commit: log a failure, re-arm. */
static void
desk_timer_done(struct store_work *work)
{
	struct desk_timer *t = (struct desk_timer *)(void *)work;

	t->busy = false;
	if (work->status != STORE_WORK_COMMITTED) {
		log_warnx("%s: %s", t->name, work->err.msg);
		t->again = false;
	} else if (t == &t->dt->sla_timer)
		sla_timer_committed(t->dt->sla);
	else if (t == &t->dt->retention)
		desk_timers_retention_log(&t->dt->purged);
	desk_timer_arm(t, t->again || t->woken ? 0 : t->tick);
}

static int
desk_timers_sla(struct desk_timer *t, struct store *st, bool *again,
    struct error *err)
{
	int queued;

	if (sla_timer_step(t->dt->sla, st, clock_now(), &queued, again,
	    err) == -1)
		return -1;
	t->work.queued_mail = queued > 0;
	return 0;
}

/* Surveys and digests of the current config. */
static int
desk_timers_reports(struct desk_timer *t, struct store *st, bool *again,
    struct error *err)
{
	struct config *cfg = config_current();
	int queued = 0, rc = 0;

	*again = false;
	if (cfg == NULL)
		return 0;
	rc = digest_run(st, cfg, clock_now(), &queued, err);
	config_unref(cfg);
	t->work.queued_mail = queued > 0;
	return rc;
}

/* Are surveys or digests configured at all? */
static bool
desk_timers_reports_wanted(void)
{
	struct config *cfg = config_current();
	bool wanted;

	if (cfg == NULL)
		return false;
	wanted = config_reports_survey(cfg) || config_reports_ndigests(cfg) > 0;
	config_unref(cfg);
	return wanted;
}

/*
 * Reminders of the tasks due.  The pass reads the tasks_remind index
 * only (no due task: one indexed lookup), so a tick of a few seconds
 * costs nothing and a reminder is at most that late.
 */
static int
desk_timers_tasks(struct desk_timer *t, struct store *st, bool *again,
    struct error *err)
{
	struct config *cfg = config_current();
	int queued = 0, rc;

	*again = false;
	if (cfg == NULL)
		return 0;
	rc = task_remind_run(st, cfg, clock_now(), TASK_REMIND_BATCH, &queued,
	    again, err);
	config_unref(cfg);
	t->work.queued_mail = queued > 0;
	return rc;
}
/* A bounded step of the retention policy (retention.h). */
static int
desk_timers_retention(struct desk_timer *t, struct store *st, bool *again,
    struct error *err)
{
	struct config *cfg = config_current();
	int rc;

	memset(&t->dt->purged, 0, sizeof(t->dt->purged));
	*again = false;
	if (cfg == NULL)
		return 0;
	rc = retention_step(st, cfg, clock_now(), &t->dt->purged, again, err);
	config_unref(cfg);
	return rc;
}

static bool
desk_timers_retention_wanted(void)
{
	struct config *cfg = config_current();
	bool wanted;

	if (cfg == NULL)
		return false;
	wanted = retention_wanted(cfg);
	config_unref(cfg);
	return wanted;
}

/* One line per committed step that removed anything. */
static void
desk_timers_retention_log(const struct purge_counts *c)
{
	if (c->requests == 0 && c->raw == 0)
		return;
	log_info("retention: purged requests=%lld messages=%lld raw=%lld "
	    "attachments=%lld outbox=%lld customers=%lld",
	    (long long)c->requests, (long long)c->messages,
	    (long long)c->raw, (long long)c->attachments,
	    (long long)c->outbox, (long long)c->customers);
}

/* A bulk of the messages the writer left out of the search index. */
static int
desk_timers_search(struct desk_timer *t, struct store *st, bool *again,
    struct error *err)
{
	size_t done;

	(void)t;
	if (search_index_catch_up(st, DESK_SEARCH_BULK, &done, err) == -1)
		return -1;
	*again = done == DESK_SEARCH_BULK;
	return 0;
}

/* PostgreSQL's index is written with each message: nothing to catch up. */
static bool
desk_timers_search_wanted(void)
{
	struct config *cfg = config_current();
	bool wanted;

	if (cfg == NULL)
		return false;
	wanted = !store_is_remote(cfg->database);
	config_unref(cfg);
	return wanted;
}
