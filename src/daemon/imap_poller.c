/*
 * imap_poller: the IMAP intake workers (see imap_poller.h), one thread
 * per mailbox, each with its own IMAP session and its own store
 * connection (for its state row only; messages go through the writer).
 *
 * What a worker does, and why:
 *
 * - Finding work.  after = seen searches UID SEARCH UNSEEN; move and
 *   delete search UNDELETED; a folder of more than
 *   IMAP_POLLER_SEARCH_WINDOW messages in windows of that many message
 *   numbers, so that no answer is a line longer than the guard allows
 *   (imap_stream.h).  Never "UID > last_uid": after a crash
 *   between a commit and the flagging, a message we already stored may
 *   sit below last_uid, unflagged, and must be flagged still.  Taking it
 *   again is safe (the store's dedupe answers DUPLICATE and we flag it),
 *   so last_uid is only shown to the admin.  The same holds after a
 *   UIDVALIDITY change: everything is searched again, nothing becomes a
 *   second request.  A message flagged \Deleted by someone else but not
 *   yet expunged counts as gone.
 * - Onboarding (issue 19).  At the first connection to a folder (no
 *   UIDVALIDITY stored for it yet) the highest UID it holds (UIDNEXT - 1)
 *   is recorded, with the UIDVALIDITY in one statement, through the
 *   writer, before anything is taken: mail up to that UID was there
 *   before us and is handled as mailboxes.existing says (stored silently,
 *   skipped: filtered out of every search, or normal).  A restart mid-
 *   import finds the boundary stored and keeps the decision.  A new
 *   UIDVALIDITY of a folder onboarded so renumbers everything.  What
 *   was stored is deduplicated anyway, so the boundary is recorded
 *   afresh only where dedupe cannot help: mail skipped (never stored)
 *   stays skipped, and a silent import not finished yet (last_uid below
 *   the boundary) stays silent.  Otherwise it becomes 0 and mail that
 *   came meanwhile is answered as usual.
 *   If the state cannot be read or written the session fails and is
 *   retried: taking mail without knowing the boundary could answer
 *   years of it.
 * - Batches.  UID FETCH (UID RFC822.SIZE) for the next `batch` UIDs first,
 *   then the bodies of as many of them as fit in IMAP_POLLER_BATCH_BYTES
 *   (at least one) with BODY.PEEK[]<0.max_message_size + 1>, so the
 *   server does not set \Seen before our commit.  RFC822.SIZE only packs
 *   batches: a server may lie about it.  What decides is the bytes read:
 *   a body of more than max_message_size bytes is refused like PERMFAIL
 *   (left in the folder, unflagged, remembered for this UIDVALIDITY,
 *   logged once), as the listeners refuse it with 552.  The guard caps
 *   each literal at max_message_size + 1 and the answer at the batch's
 *   announced bytes (a lying server's answer fails the command), so
 *   memory stays within a batch, whatever the server says.
 * - Acknowledging.  Each message becomes an intake job (source
 *   "imap:NAME", no envelope: the Return-Path header stands in); the
 *   worker waits for the whole batch's done callbacks (they run on the
 *   loop thread and only signal a condition variable), then flags, moves
 *   or deletes only the messages whose commit held (STORED or DUPLICATE).
 *   A TEMPFAIL stays for the next round, after a short pause; a PERMFAIL
 *   (or a message the server cannot deliver intact) stays in the folder,
 *   is remembered for this UIDVALIDITY and logged once.
 * - Move without the MOVE extension is COPY, \Deleted and UID EXPUNGE
 *   (UIDPLUS) or EXPUNGE, which also removes anything else already
 *   flagged \Deleted in that folder.
 * - IDLE is spoken by hand over libetpan's stream: libetpan 1.9.4's
 *   mailimap_idle hangs when a server sends untagged data before the
 *   "+ idling" continuation (libetpan issue 393, fixed after 1.9.4), and
 *   waiting ourselves lets one poll() watch both the socket and the
 *   worker's stop pipe.  Any EXISTS or RECENT ends the IDLE and starts a
 *   round; so does the re-issue every 25 minutes, before the 29-minute
 *   limit of RFC 2177.
 * - TLS.  Our own non-blocking connect with a timeout, then libetpan's
 *   stream with SNI; the certificate is verified by tls_verify.c right
 *   after the handshake, before the greeting is even read (implicit TLS)
 *   or before LOGIN (STARTTLS).
 * - The guard.  Every byte read passes imap_stream.c first: a closed
 *   connection anywhere (greeting, literal, IDLE) is "connection lost",
 *   every command has a deadline (IMAP_POLLER_COMMAND_MS, more for
 *   bodies) besides the per-read timeout, and an answer too deep, too
 *   long or too big is refused before libetpan parses it.  When that
 *   happens to the bodies of a batch, the batch is fetched again one by
 *   one (fetch_single); a single message whose answer is refused is left
 *   in the folder for good, as one the store refuses.
 * - Errors.  Any failure ends the session: the stream is closed without
 *   LOGOUT, the state row says "error" with the reason, and the worker
 *   waits 1 s doubling to 5 min (+-20% jitter) before a new session.  The
 *   log gets one line per state change: a repeat of the same reason is
 *   not logged again until a session succeeded in between, and only a
 *   session that lasted a minute starts the backoff again at 1 s.
 * - Stopping.  The poller's stop flag is checked between batches and
 *   rounds; waits (IDLE, poll interval, backoff) also watch the wake
 *   pipe, and the connection of a worker not in a batch is cut at once
 *   (imap_stream_cut: shutdown(2), so no read blocks).  A batch in
 *   flight gets IMAP_POLLER_STOP_GRACE_MS to be committed and flagged;
 *   then its connection is cut too.  Cutting is safe at any point: a
 *   message committed but not flagged is found again and deduplicated.
 *
 * - Several instances on one PostgreSQL database (issue 15).  A worker
 *   polls only while its instance holds the mailbox's lease
 *   (mailbox_lease.h: a row per mailbox, taken and renewed through the
 *   writer).  Before a session it takes the lease, or stands by (no
 *   connection, no state row written: the holder's) and tries again
 *   every takeover / 4 seconds; while connected it renews it as often,
 *   between batches, between rounds and inside IDLE and the poll wait
 *   (no IMAP command for it).  A renewal that fails or finds the lease
 *   taken ends the session (the mail stays on the server); a clean stop
 *   gives it up, and a dead instance's lease runs out after `takeover`
 *   seconds.  Two workers polling one mailbox at once would still store
 *   nothing twice (the dedupe above); the lease keeps them from racing
 *   over its flags and from doubling the server's load.
 *
 * Signals are blocked in the workers (the loop thread handles them), so
 * no libetpan read is ever cut short by EINTR.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <libetpan/libetpan.h>

#include "buf.h"
#include "clock.h"
#include "config.h"
#include "error.h"
#include "imap_poller.h"
#include "imap_stream.h"
#include "intake.h"
#include "log.h"
#include "mailbox_lease.h"
#include "mailbox_state.h"
#include "store.h"
#include "store_writer.h"
#include "tls_verify.h"
#include "xmalloc.h"

#define IMAP_POLLER_TIMEOUT		20	/* seconds per network step */
#define IMAP_POLLER_COMMAND_MS		(60LL * 1000)	/* per command */
#define IMAP_POLLER_BODY_RATE		(256 * 1024)	/* bytes/s, at least */
#define IMAP_POLLER_ANSWER_BYTES	(4U * 1024 * 1024)
#define IMAP_POLLER_SLACK_BYTES		(1U * 1024 * 1024)
#define IMAP_POLLER_SEARCH_WINDOW	10000
#define IMAP_POLLER_STOP_GRACE_MS	1000LL
#define IMAP_POLLER_HEALTHY_MS		(60LL * 1000)
#define IMAP_POLLER_IDLE_MS		(25LL * 60 * 1000)
#define IMAP_POLLER_BACKOFF_MIN_MS	1000LL
#define IMAP_POLLER_BACKOFF_MAX_MS	(300LL * 1000)
#define IMAP_POLLER_TEMPFAIL_MS		(5LL * 1000)
#define IMAP_POLLER_BATCH_BYTES		(64ULL * 1024 * 1024)

struct imap_worker;

struct imap_poller {
	struct config		*cfg;
	char			*dbpath;	/* the writer's database */
	char			*instance;	/* the lease's holder */
	bool			 shared;	/* several instances: leases */
	pthread_mutex_t		 lock;		/* writer */
	struct store_writer	*writer;	/* NULL once detached */
	struct imap_worker	*workers;
	size_t			 nworkers;
	int			 stopping;	/* atomic */
	int			 running;	/* atomic: workers not finished */
	long long		 stop_ms;	/* clock_mono_ms() of the stop */
	bool			 cut;		/* every stream cut (loop) */
};

/* One message of a batch, from its size to its flagging. */
struct imap_item {
	struct imap_worker	*w;
	uint32_t		 uid;
	uint32_t		 size;
	bool			 present;	/* the server still has it */
	bool			 submitted;
	bool			 too_big;	/* more than max_message_size */
	enum intake_status	 status;
	char			 why[160];
};

struct imap_worker {
	struct imap_poller		*p;
	const struct config_mailbox	*mb;	/* in p->cfg */
	pthread_t			 thread;
	bool				 started;
	int				 wake[2];	/* written on stop */

	pthread_mutex_t			 lock;		/* pending, busy */
	pthread_cond_t			 cond;
	size_t				 pending;	/* jobs not done yet */
	bool				 busy;		/* a batch in flight */

	struct imap_stream		*guard;		/* for every session */
	mailimap			*imap;		/* NULL: not connected */
	MMAPString			*line;		/* IDLE lines */
	char				*source;	/* "imap:NAME" */
	bool				 use_idle, has_move, has_uidplus;
	uint32_t			 uidvalidity;	/* 0: none yet */
	int64_t				 import_uid;	/* -1: none */
	const char			*state;		/* last written */
	char				 recorded[512];	/* last error recorded */
	const char			*logged;	/* its class, NULL: none */
	long long			 backoff_ms;
	long long			 connected_ms;	/* 0: not connected */
	unsigned int			 seed;
	uint32_t			*refused;	/* left in the folder */
	size_t				 nrefused;
	bool				 fetch_single;	/* after a parse error */
	unsigned int			 tag;
	/* p->shared: CLOCK_MONOTONIC ms of the next renewal; 0: not held */
	long long			 renew_ms;
	bool				 standby;	/* logged as standing by */
};

/*
 * A call of mailbox_state.h run as a unit of the store writer (the
 * daemon's one writing connection), which the worker waits for: no IMAP
 * worker has a connection of its own.
 */
enum imap_state_op {
	IMAP_STATE_GET,
	IMAP_STATE_SET,
	IMAP_STATE_UIDVALIDITY,
	IMAP_STATE_ONBOARD,
	IMAP_STATE_ROUND,
	IMAP_STATE_LEASE,	/* take or renew: *held */
	IMAP_STATE_UNLEASE
};

struct imap_state_unit {
	struct store_work	 work;		/* first: see the casts */
	struct imap_worker	*w;
	enum imap_state_op	 op;
	const char		*state;
	const char		*why;
	int64_t			 a, b, c;	/* uid(validity), taken, backlog;
						   ONBOARD: uidvalidity,
						   import_uid */
	time_t			 now;
	struct mailbox_state	*row;		/* GET */
	bool			*found;		/* GET; LEASE: held */
	bool			 done;		/* under w->lock */
};

static int	 imap_state_call(struct imap_worker *, struct imap_state_unit *,
		    struct error *);
static int	 imap_state_run(struct store *, struct store_work *,
		    struct error *);
static void	 imap_state_done(struct store_work *);

static void	*imap_worker_main(void *);
static int	 imap_worker_session(struct imap_worker *, struct error *);
static void	 imap_worker_failed(struct imap_worker *, const struct error *);
static const char *imap_error_class(const char *);
static bool	 imap_worker_stopping(const struct imap_worker *);
static int	 imap_worker_sleep(struct imap_worker *, long long ms);
static void	 imap_worker_state(struct imap_worker *, const char *,
		    const char *);
static int	 imap_worker_lease(struct imap_worker *, bool,
		    struct error *);
static int	 imap_worker_standby(struct imap_worker *);
static long long imap_worker_wake_at(const struct imap_worker *, long long);
static int	 imap_worker_pause(struct imap_worker *, long long,
		    struct error *);
static long long imap_worker_renew_every(const struct imap_worker *);

static int	 imap_worker_connect(struct imap_worker *, struct error *);
static int	 imap_worker_tcp(struct imap_worker *, struct error *);
static int	 imap_worker_wait_connect(struct imap_worker *, int);
static int	 imap_worker_starttls(struct imap_worker *, struct error *);
static int	 imap_worker_login(struct imap_worker *, struct error *);
static int	 imap_worker_select(struct imap_worker *, struct error *);
static int	 imap_worker_create_move_to(struct imap_worker *,
		    struct error *);
static int	 imap_worker_uidvalidity(struct imap_worker *, uint32_t,
		    struct error *);
static int	 imap_worker_top_uid(struct imap_worker *, int64_t *,
		    struct error *);
static bool	 imap_worker_existing(const struct imap_worker *, uint32_t,
		    enum config_imap_existing);
static void	 imap_worker_disconnect(struct imap_worker *, bool);
static void	 imap_worker_command(struct imap_worker *);
static void	 imap_worker_begin(struct imap_worker *, long long, size_t);
static void	 imap_worker_busy(struct imap_worker *, bool);
static void	 imap_poller_cut(struct imap_poller *);
static int	 imap_worker_fail(struct imap_worker *, const char *, int,
		    struct error *);

static int	 imap_worker_take(struct imap_worker *, bool *, uint32_t *,
		    struct error *);
static int	 imap_worker_search(struct imap_worker *, uint32_t **,
		    size_t *, struct error *);
static int	 imap_worker_search_window(struct imap_worker *, uint32_t,
		    uint32_t, clist **, struct error *);
static long	 imap_worker_batch(struct imap_worker *, const uint32_t *,
		    size_t, bool *, struct error *);
static int	 imap_worker_sizes(struct imap_worker *, struct imap_item *,
		    size_t, struct error *);
static int	 imap_worker_bodies(struct imap_worker *, struct imap_item *,
		    size_t, unsigned long long, struct error *);
static int	 imap_worker_bodies_failed(struct imap_worker *,
		    struct imap_item *, size_t, int, struct error *);
static void	 imap_worker_too_big(struct imap_worker *, struct imap_item *);
static void	 imap_worker_submit(struct imap_worker *, struct imap_item *,
		    const char *, size_t);
static void	 imap_worker_done(struct intake_job *, void *);
static void	 imap_worker_wait_jobs(struct imap_worker *);
static size_t	 imap_worker_results(struct imap_worker *, struct imap_item *,
		    size_t, bool *);
static int	 imap_worker_flag(struct imap_worker *, struct imap_item *,
		    size_t, struct error *);
static int	 imap_worker_store_flag(struct imap_worker *,
		    struct mailimap_set *, struct mailimap_flag *,
		    struct error *);
static int	 imap_worker_expunge(struct imap_worker *,
		    struct mailimap_set *, struct error *);
static void	 imap_worker_refuse(struct imap_worker *, uint32_t);
static bool	 imap_worker_is_refused(const struct imap_worker *, uint32_t);

static int	 imap_worker_idle(struct imap_worker *, struct error *);
static int	 imap_idle_trouble(struct imap_worker *, const char *,
		    struct error *);
static int	 imap_worker_wait_data(struct imap_worker *, long long);
static int	 imap_worker_send(struct imap_worker *, const char *,
		    struct error *);
static char	*imap_worker_line(struct imap_worker *, struct error *);
static bool	 imap_line_tagged(const char *, const char *);
static bool	 imap_worker_news(struct imap_worker *, const char *);

static struct mailimap_set *imap_uid_set(const struct imap_item *, size_t,
		    bool (*)(const struct imap_item *));
static bool	 imap_item_all(const struct imap_item *);
static bool	 imap_item_present(const struct imap_item *);
static bool	 imap_item_taken(const struct imap_item *);
static struct imap_item *imap_item_find(struct imap_item *, size_t,
		    uint32_t);
static void	 imap_att_get(struct mailimap_msg_att *, uint32_t *,
		    uint32_t *, const char **, size_t *);
static int	 imap_uid_cmp(const void *, const void *);
static size_t	 imap_uid_unique(uint32_t *, size_t);

/* --- the poller ----------------------------------------------------- */

struct imap_poller *
imap_poller_start(struct config *cfg, struct store_writer *writer,
    const char *dbpath, const char *instance, struct error *err)
{
	struct imap_poller *p = xcalloc(1, sizeof(*p));
	struct imap_stream_limits lim;
	struct imap_worker *w;
	sigset_t all, old;
	size_t i;
	int rc;

	p->cfg = config_ref(cfg);
	p->dbpath = xstrdup(dbpath);
	p->instance = xstrdup(instance);
	p->shared = store_is_remote(dbpath);
	p->writer = writer;
	pthread_mutex_init(&p->lock, NULL);
	p->nworkers = cfg->nmailboxes;
	p->workers = xcalloc(p->nworkers + 1, sizeof(*p->workers));
	for (i = 0; i < p->nworkers; i++) {
		w = &p->workers[i];
		w->p = p;
		w->mb = &cfg->mailboxes[i];
		w->import_uid = -1;
		w->wake[0] = w->wake[1] = -1;
		imap_stream_limits_default(&lim, w->mb->max_message_size);
		lim.read_timeout = IMAP_POLLER_TIMEOUT;
		w->guard = imap_stream_new(&lim);
		pthread_mutex_init(&w->lock, NULL);
		pthread_cond_init(&w->cond, NULL);
		xasprintf(&w->source, "imap:%s", w->mb->name);
		w->backoff_ms = IMAP_POLLER_BACKOFF_MIN_MS;
		w->seed = (unsigned int)(time(NULL) ^ (time_t)(i * 7919));
	}
	/* Workers inherit the mask: signals stay with the loop thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < p->nworkers; i++) {
		w = &p->workers[i];
		if (pipe2(w->wake, O_CLOEXEC | O_NONBLOCK) == -1) {
			error_set(err, ERR_INTERNAL, "imap: pipe: %s",
			    strerror(errno));
			break;
		}
		__atomic_add_fetch(&p->running, 1, __ATOMIC_SEQ_CST);
		if ((rc = pthread_create(&w->thread, NULL, imap_worker_main,
		    w)) != 0) {
			__atomic_sub_fetch(&p->running, 1, __ATOMIC_SEQ_CST);
			error_set(err, ERR_INTERNAL, "imap: thread: %s",
			    strerror(rc));
			break;
		}
		w->started = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (i < p->nworkers) {
		imap_poller_free(p);
		return NULL;
	}
	return p;
}

const struct config *
imap_poller_config(const struct imap_poller *p)
{
	return p->cfg;
}

bool
imap_poller_same(const struct config *a, const struct config *b)
{
	const struct config_mailbox *x, *y;
	size_t i, j;

	if (a->nmailboxes != b->nmailboxes)
		return false;
	for (i = 0; i < a->nmailboxes; i++) {
		x = &a->mailboxes[i];
		y = &b->mailboxes[i];
		if (!xstreq(x->name, y->name) ||
		    !xstreq(x->host, y->host) || x->port != y->port ||
		    x->tls != y->tls || x->allow_plaintext != y->allow_plaintext ||
		    x->verify != y->verify ||
		    !xstreq(x->ca_file, y->ca_file) ||
		    !xstreq(x->user, y->user) ||
		    !xstreq(x->password, y->password) ||
		    !xstreq(x->folder, y->folder) || x->after != y->after ||
		    x->existing != y->existing ||
		    !xstreq(x->move_to, y->move_to) || x->idle != y->idle ||
		    x->poll_interval != y->poll_interval ||
		    x->takeover != y->takeover ||
		    x->batch != y->batch ||
		    x->max_message_size != y->max_message_size ||
		    !xstreq(x->category, y->category) ||
		    !xstreq(x->priority, y->priority) ||
		    x->ntags != y->ntags)
			return false;
		for (j = 0; j < x->ntags; j++)
			if (!xstreq(x->tags[j], y->tags[j]))
				return false;
	}
	return true;
}

/*
 * A worker waiting in a wait wakes on its pipe.  One that is not in a
 * batch has its connection cut, wherever it is blocked (a slow LOGIN, a
 * server that stopped talking or drips): nothing is in flight then.  One
 * in a batch gets IMAP_POLLER_STOP_GRACE_MS (imap_poller_done).
 */
void
imap_poller_stop(struct imap_poller *p)
{
	struct imap_worker *w;
	size_t i;

	if (p == NULL || __atomic_load_n(&p->stopping, __ATOMIC_SEQ_CST))
		return;
	p->stop_ms = clock_mono_ms();
	__atomic_store_n(&p->stopping, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < p->nworkers; i++) {
		w = &p->workers[i];
		if (w->wake[1] != -1)
			(void)write(w->wake[1], "x", 1);
		pthread_mutex_lock(&w->lock);
		if (!w->busy)
			imap_stream_cut(w->guard);
		pthread_mutex_unlock(&w->lock);
	}
}

/* Past the grace, batches still in flight are cut short too. */
bool
imap_poller_done(struct imap_poller *p)
{
	if (p == NULL)
		return true;
	if (__atomic_load_n(&p->running, __ATOMIC_SEQ_CST) == 0)
		return true;
	if (__atomic_load_n(&p->stopping, __ATOMIC_SEQ_CST) && !p->cut &&
	    clock_mono_ms() - p->stop_ms >= IMAP_POLLER_STOP_GRACE_MS)
		imap_poller_cut(p);
	return false;
}

/* Every worker's connection, now and for good. */
static void
imap_poller_cut(struct imap_poller *p)
{
	size_t i;

	p->cut = true;
	for (i = 0; i < p->nworkers; i++)
		imap_stream_cut(p->workers[i].guard);
}

void
imap_poller_detach(struct imap_poller *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->writer = NULL;
	pthread_mutex_unlock(&p->lock);
}

void
imap_poller_free(struct imap_poller *p)
{
	struct imap_worker *w;
	size_t i;

	if (p == NULL)
		return;
	imap_poller_stop(p);
	imap_poller_cut(p);	/* the writer has stopped: nothing to wait for */
	for (i = 0; i < p->nworkers; i++) {
		w = &p->workers[i];
		if (w->started)
			pthread_join(w->thread, NULL);
		if (w->wake[0] != -1) {
			close(w->wake[0]);
			close(w->wake[1]);
		}
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->cond);
		free(w->source);
		free(w->refused);
		imap_stream_free(w->guard);
	}
	free(p->workers);
	pthread_mutex_destroy(&p->lock);
	config_unref(p->cfg);
	free(p->dbpath);
	free(p->instance);
	free(p);
}

/* --- a worker's life ------------------------------------------------ */

static void *
imap_worker_main(void *arg)
{
	struct imap_worker *w = arg;
	struct error err;

	w->line = mmap_string_new("");
	/*
	 * Once, not per attempt: between attempts the state stays "error"
	 * with its reason, which is what triagectl mailboxes must show.
	 */
	imap_worker_state(w, MAILBOX_STATE_CONNECTING, NULL);
	while (!imap_worker_stopping(w)) {
		if (w->p->shared && imap_worker_standby(w) == -1)
			break;		/* stopping */
		error_clear(&err);
		if (imap_worker_session(w, &err) == 0)
			break;
		imap_worker_failed(w, &err);
	}
	imap_worker_disconnect(w, true);
	if (w->p->shared && w->renew_ms != 0) {
		struct imap_state_unit u = { .op = IMAP_STATE_UNLEASE };

		/* the next instance need not wait for the lease to run out */
		error_clear(&err);
		if (imap_state_call(w, &u, &err) == -1)
			log_warnx("imap mailbox=%s cannot give up its lease "
			    "(it runs out in %ds): %s", w->mb->name,
			    w->mb->takeover, err.msg);
	}
	mmap_string_free(w->line);
	w->line = NULL;
	log_debug("imap mailbox=%s stopped", w->mb->name);
	__atomic_sub_fetch(&w->p->running, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/*
 * One session: connect, take what is there, wait for more, repeat.
 * Returns 0 when asked to stop, -1 + err when the session failed.
 */
static int
imap_worker_session(struct imap_worker *w, struct error *err)
{
	const struct config_mailbox *mb = w->mb;
	uint32_t top, last_top = 0;
	bool tempfailed;
	int rc;

	if (imap_worker_connect(w, err) == -1 ||
	    imap_worker_login(w, err) == -1 ||
	    imap_worker_select(w, err) == -1)
		return -1;
	if (imap_worker_stopping(w)) {
		imap_worker_disconnect(w, true);
		return 0;
	}
	log_info("imap mailbox=%s connected host=%s folder=%s uidvalidity=%u "
	    "idle=%s", mb->name, mb->host, mb->folder, w->uidvalidity,
	    w->use_idle ? "yes" : "no");
	w->connected_ms = clock_mono_ms();
	w->recorded[0] = '\0';
	imap_worker_state(w, MAILBOX_STATE_CONNECTED, NULL);
	for (;;) {
		if (imap_worker_lease(w, false, err) == -1 ||
		    imap_worker_take(w, &tempfailed, &top, err) == -1)
			return -1;
		if (imap_worker_stopping(w))
			break;
		/*
		 * Mail that came while we took the last round was announced
		 * by an EXISTS libetpan read in the middle of a FETCH; the
		 * server will not say it again when IDLE starts, so look
		 * once more before idling, until a search finds no UID above
		 * the last round's (a message left in the folder, refused or
		 * not flagged, keeps its UID and does not loop us).
		 */
		if (!tempfailed && top > last_top) {
			last_top = top;
			continue;
		}
		if (tempfailed)
			rc = imap_worker_pause(w, IMAP_POLLER_TEMPFAIL_MS, err);
		else if (w->use_idle)
			rc = imap_worker_idle(w, err);
		else
			rc = imap_worker_pause(w, mb->poll_interval * 1000LL,
			    err);
		if (rc == -1 && !imap_worker_stopping(w))
			return -1;
		if (imap_worker_stopping(w))
			break;
	}
	imap_worker_disconnect(w, true);
	return 0;
}

/*
 * Records a new reason, logs a new kind of failure once, and waits out
 * the backoff.  A server going away says "BYE", then "lost", then
 * "refused" while it restarts: one line, not three, until a session
 * succeeds again.  A session succeeded when it lasted
 * IMAP_POLLER_HEALTHY_MS: one that a server ends every time soon after
 * the login (say in IDLE) keeps doubling the backoff, and is logged
 * once, instead of a reconnection and a line every second.
 */
static void
imap_worker_failed(struct imap_worker *w, const struct error *err)
{
	const char *class = imap_error_class(err->msg);
	char esc[600];
	long long delay;
	double jitter;

	imap_worker_disconnect(w, false);
	if (imap_worker_stopping(w))
		return;
	if (w->connected_ms > 0 &&
	    clock_mono_ms() - w->connected_ms >= IMAP_POLLER_HEALTHY_MS) {
		w->backoff_ms = IMAP_POLLER_BACKOFF_MIN_MS;
		w->logged = NULL;
	}
	w->connected_ms = 0;
	jitter = 0.8 + 0.4 * ((double)rand_r(&w->seed) / (double)RAND_MAX);
	delay = (long long)((double)w->backoff_ms * jitter);
	if (w->logged != class) {
		log_escape(esc, sizeof(esc), err->msg, strlen(err->msg));
		log_warnx("imap mailbox=%s error: %s; retry in %llds",
		    w->mb->name, esc, delay < 1000 ? 1 : (delay + 500) / 1000);
		w->logged = class;
	}
	if (strcmp(w->recorded, err->msg) != 0) {
		(void)snprintf(w->recorded, sizeof(w->recorded), "%s",
		    err->msg);
		imap_worker_state(w, MAILBOX_STATE_ERROR, err->msg);
	}
	w->backoff_ms *= 2;
	if (w->backoff_ms > IMAP_POLLER_BACKOFF_MAX_MS)
		w->backoff_ms = IMAP_POLLER_BACKOFF_MAX_MS;
	(void)imap_worker_sleep(w, delay);
}

/* What the admin must do differs by class; the wording within does not. */
static const char *
imap_error_class(const char *msg)
{
	if (strncmp(msg, "login as ", 9) == 0)
		return "login";
	if (strstr(msg, "certificate") != NULL)
		return "certificate";
	if (strncmp(msg, "select folder ", 14) == 0 ||
	    strncmp(msg, "create folder ", 14) == 0 ||
	    strncmp(msg, "folder ", 7) == 0)
		return "folder";
	if (strncmp(msg, "connect to ", 11) == 0 ||
	    strncmp(msg, "connection to ", 14) == 0 ||
	    strstr(msg, "closed the connection") != NULL ||
	    strstr(msg, "TLS handshake") != NULL ||
	    strstr(msg, "stream setup") != NULL)
		return "network";
	return "other";
}

static bool
imap_worker_stopping(const struct imap_worker *w)
{
	return __atomic_load_n(&w->p->stopping, __ATOMIC_SEQ_CST) != 0;
}

/* Waits ms; -1 at once if asked to stop. */
static int
imap_worker_sleep(struct imap_worker *w, long long ms)
{
	struct pollfd pfd = { .fd = w->wake[0], .events = POLLIN };
	long long end = clock_mono_ms() + ms, left;
	int r;

	while (!imap_worker_stopping(w)) {
		if ((left = end - clock_mono_ms()) <= 0)
			return 0;
		r = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (r == -1 && errno != EINTR)
			return -1;
	}
	return -1;
}

/* Every how many ms the lease of a mailbox is renewed. */
static long long
imap_worker_renew_every(const struct imap_worker *w)
{
	return w->mb->takeover * 1000LL / 4;
}

/*
 * Takes or renews the mailbox's lease when due (now: whatever the time):
 * 0 while we hold it, -1 + err when it is lost or cannot be renewed (the
 * session must end: another instance may take the mailbox over).
 * Without several instances: 0.
 */
static int
imap_worker_lease(struct imap_worker *w, bool now, struct error *err)
{
	struct imap_state_unit u = { .op = IMAP_STATE_LEASE };
	long long t0 = clock_mono_ms();
	bool held = false;

	if (!w->p->shared || (!now && w->renew_ms != 0 && t0 < w->renew_ms))
		return 0;
	u.found = &held;
	u.now = clock_now();
	if (imap_state_call(w, &u, err) == -1) {
		w->renew_ms = 0;
		return -1;
	}
	if (!held) {
		w->renew_ms = 0;
		return error_set(err, ERR_TEMP, "lease of the mailbox held by "
		    "another instance");
	}
	w->renew_ms = t0 + imap_worker_renew_every(w);
	return 0;
}

/*
 * Waits until this instance holds the mailbox's lease: 0, or -1 when
 * asked to stop.  Standing by writes nothing but the attempts: the state
 * row is the holder's.
 */
static int
imap_worker_standby(struct imap_worker *w)
{
	struct error err;

	for (;;) {
		error_clear(&err);
		if (imap_worker_lease(w, true, &err) == 0) {
			if (w->standby) {
				log_info("imap mailbox=%s taken over: this "
				    "instance polls it now", w->mb->name);
				imap_worker_state(w, MAILBOX_STATE_CONNECTING,
				    NULL);
			}
			w->standby = false;
			return 0;
		}
		if (!w->standby)
			log_info("imap mailbox=%s standing by: %s", w->mb->name,
			    err.msg);
		w->standby = true;
		if (imap_worker_sleep(w, imap_worker_renew_every(w)) == -1)
			return -1;
	}
}

/*
 * When a wait that ends at `end` (CLOCK_MONOTONIC ms) must wake first
 * to renew the lease: the one rule of both waits of a session, the
 * pause between rounds and IDLE, each of which then calls
 * imap_worker_lease.  A lease not held yet (renew_ms 0) wakes at once.
 */
static long long
imap_worker_wake_at(const struct imap_worker *w, long long end)
{
	return w->p->shared && w->renew_ms < end ? w->renew_ms : end;
}

/*
 * imap_worker_sleep that renews the lease when due meanwhile: 0, or -1
 * (+ err when the lease is lost).
 */
static int
imap_worker_pause(struct imap_worker *w, long long ms, struct error *err)
{
	long long end = clock_mono_ms() + ms, step;

	for (;;) {
		if (end - clock_mono_ms() <= 0)
			return 0;
		step = imap_worker_wake_at(w, end) - clock_mono_ms();
		if (step > 0 && imap_worker_sleep(w, step) == -1)
			return error_set(err, ERR_TEMP, "stopping");
		if (imap_worker_lease(w, false, err) == -1)
			return -1;
	}
}

/* Writes the state row when it changes (or with a new error). */
static void
imap_worker_state(struct imap_worker *w, const char *state, const char *why)
{
	struct imap_state_unit u = { .op = IMAP_STATE_SET, .state = state,
	    .why = why, .now = clock_now() };
	struct error err;

	if (why == NULL && w->state != NULL && strcmp(w->state, state) == 0)
		return;
	error_clear(&err);
	if (imap_state_call(w, &u, &err) == -1) {
		log_warnx("imap mailbox=%s cannot record its state: %s",
		    w->mb->name, err.msg);
		return;
	}
	w->state = state;
}

/* --- connecting ----------------------------------------------------- */

static int
imap_worker_connect(struct imap_worker *w, struct error *err)
{
	const struct config_mailbox *mb = w->mb;
	mailstream *stream;
	int fd, r;

	if ((fd = imap_worker_tcp(w, err)) == -1)
		return -1;
	/* From now on a stop can cut even the TLS handshake. */
	imap_stream_set_fd(w->guard, fd);
	if ((w->imap = mailimap_new(0, NULL)) == NULL) {
		imap_stream_set_fd(w->guard, -1);
		close(fd);
		return error_set(err, ERR_INTERNAL, "out of memory");
	}
	mailimap_set_timeout(w->imap, IMAP_POLLER_TIMEOUT);
	if (mb->tls == CONFIG_TLS_IMPLICIT)
		stream = mailstream_ssl_open_with_callback_timeout(fd,
		    IMAP_POLLER_TIMEOUT, tls_verify_sni, mb->host);
	else
		stream = mailstream_socket_open_timeout(fd,
		    IMAP_POLLER_TIMEOUT);
	if (stream == NULL) {
		imap_stream_set_fd(w->guard, -1);
		close(fd);
		return error_set(err, ERR_TEMP, "%s with %s port %d failed",
		    mb->tls == CONFIG_TLS_IMPLICIT ? "TLS handshake" :
		    "stream setup", mb->host, mb->port);
	}
	/* Verified before a byte of IMAP is read or written. */
	if (mb->tls == CONFIG_TLS_IMPLICIT && mb->verify &&
	    tls_verify_stream(stream, mb->host, mb->ca_file, mb->host,
	    err) == -1) {
		imap_stream_set_fd(w->guard, -1);
		mailstream_close(stream);
		return -1;
	}
	if (imap_stream_attach(w->guard, stream) == -1) {
		imap_stream_set_fd(w->guard, -1);
		mailstream_close(stream);
		return error_set(err, ERR_INTERNAL, "out of memory");
	}
	imap_worker_command(w);
	r = mailimap_connect(w->imap, stream);
	if (r != MAILIMAP_NO_ERROR_AUTHENTICATED &&
	    r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED)
		return imap_worker_fail(w, "greeting", r, err);
	if (mb->tls == CONFIG_TLS_STARTTLS)
		return imap_worker_starttls(w, err);
	return 0;
}

/* A connected socket, within the timeout; a stop request cuts it short. */
static int
imap_worker_tcp(struct imap_worker *w, struct error *err)
{
	const struct config_mailbox *mb = w->mb;
	struct addrinfo hints, *res, *ai;
	char service[16];
	int fd = -1, rc, saved = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	(void)snprintf(service, sizeof(service), "%d", mb->port);
	if ((rc = getaddrinfo(mb->host, service, &hints, &res)) != 0)
		return error_set(err, ERR_TEMP, "%s: %s", mb->host,
		    gai_strerror(rc));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, ai->ai_protocol);
		if (fd == -1) {
			saved = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
		    (errno == EINPROGRESS &&
		    imap_worker_wait_connect(w, fd) == 0))
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		return error_set(err, ERR_TEMP, "connect to %s port %d: %s",
		    mb->host, mb->port, strerror(saved));
	/* libetpan's streams poll for themselves on a blocking socket. */
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

static int
imap_worker_wait_connect(struct imap_worker *w, int fd)
{
	struct pollfd pfd[2];
	socklen_t len = sizeof(int);
	long long end = clock_mono_ms() + IMAP_POLLER_TIMEOUT * 1000LL, left;
	int r, soerr = 0;

	pfd[0].fd = fd;
	pfd[0].events = POLLOUT;
	pfd[1].fd = w->wake[0];
	pfd[1].events = POLLIN;
	for (;;) {
		if ((left = end - clock_mono_ms()) <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		pfd[0].revents = pfd[1].revents = 0;
		r = poll(pfd, 2, (int)left);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		if (pfd[1].revents != 0 && imap_worker_stopping(w)) {
			errno = ECANCELED;
			return -1;
		}
		if (pfd[0].revents != 0)
			break;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
		return -1;
	if (soerr != 0) {
		errno = soerr;
		return -1;
	}
	return 0;
}

static int
imap_worker_starttls(struct imap_worker *w, struct error *err)
{
	const struct config_mailbox *mb = w->mb;
	struct mailimap_capability_data *cap = NULL;
	int r;

	if (w->imap->imap_connection_info == NULL ||
	    w->imap->imap_connection_info->imap_capability == NULL) {
		imap_worker_command(w);
		r = mailimap_capability(w->imap, &cap);
		if (r != MAILIMAP_NO_ERROR)
			return imap_worker_fail(w, "CAPABILITY", r, err);
		mailimap_capability_data_free(cap);
	}
	if (!mailimap_has_extension(w->imap, "STARTTLS"))
		return error_set(err, ERR_TEMP, "%s does not offer STARTTLS",
		    mb->host);
	imap_worker_command(w);
	r = mailimap_socket_starttls_with_callback(w->imap, tls_verify_sni,
	    mb->host);
	if (r != MAILIMAP_NO_ERROR)
		return imap_worker_fail(w, "STARTTLS", r, err);
	if (mb->verify && tls_verify_stream(w->imap->imap_stream, mb->host,
	    mb->ca_file, mb->host, err) == -1)
		return -1;
	/* libetpan replaced the stream's driver, and the guard with it. */
	if (imap_stream_attach(w->guard, w->imap->imap_stream) == -1)
		return error_set(err, ERR_INTERNAL, "out of memory");
	return 0;
}

static int
imap_worker_login(struct imap_worker *w, struct error *err)
{
	const struct config_mailbox *mb = w->mb;
	struct mailimap_capability_data *cap = NULL;
	char what[300];
	int r;

	if (w->imap->imap_state == MAILIMAP_STATE_NON_AUTHENTICATED) {
		(void)snprintf(what, sizeof(what), "login as %s", mb->user);
		imap_worker_command(w);
		r = mailimap_login(w->imap, mb->user,
		    mb->password != NULL ? mb->password : "");
		if (r != MAILIMAP_NO_ERROR)
			return imap_worker_fail(w, what, r, err);
	}
	/* Capabilities change with TLS and login: ask again. */
	imap_worker_command(w);
	r = mailimap_capability(w->imap, &cap);
	if (r != MAILIMAP_NO_ERROR)
		return imap_worker_fail(w, "CAPABILITY", r, err);
	mailimap_capability_data_free(cap);
	w->use_idle = mb->idle && mailimap_has_idle(w->imap);
	w->has_move = mailimap_has_extension(w->imap, "MOVE");
	w->has_uidplus = mailimap_has_extension(w->imap, "UIDPLUS");
	return 0;
}

static int
imap_worker_select(struct imap_worker *w, struct error *err)
{
	const struct config_mailbox *mb = w->mb;
	char what[300];
	int r;

	if (mb->after == CONFIG_IMAP_AFTER_MOVE &&
	    imap_worker_create_move_to(w, err) == -1)
		return -1;
	(void)snprintf(what, sizeof(what), "select folder %s", mb->folder);
	imap_worker_command(w);
	if ((r = mailimap_select(w->imap, mb->folder)) != MAILIMAP_NO_ERROR)
		return imap_worker_fail(w, what, r, err);
	if (w->imap->imap_selection_info == NULL ||
	    w->imap->imap_selection_info->sel_uidvalidity == 0)
		return error_set(err, ERR_TEMP, "folder %s has no UIDVALIDITY",
		    mb->folder);
	return imap_worker_uidvalidity(w,
	    w->imap->imap_selection_info->sel_uidvalidity, err);
}

/* move_to is created when missing (the issue asks for it). */
static int
imap_worker_create_move_to(struct imap_worker *w, struct error *err)
{
	const char *to = w->mb->move_to;
	clist *list = NULL;
	char what[300];
	bool exists;
	int r;

	imap_worker_command(w);
	if ((r = mailimap_list(w->imap, "", to, &list)) != MAILIMAP_NO_ERROR)
		return imap_worker_fail(w, "LIST", r, err);
	exists = list != NULL && clist_count(list) > 0;
	if (list != NULL)
		mailimap_list_result_free(list);
	if (exists)
		return 0;
	(void)snprintf(what, sizeof(what), "create folder %s", to);
	imap_worker_command(w);
	if ((r = mailimap_create(w->imap, to)) != MAILIMAP_NO_ERROR)
		return imap_worker_fail(w, what, r, err);
	log_info("imap mailbox=%s created folder %s", w->mb->name, to);
	return 0;
}

/*
 * A new UIDVALIDITY means the UIDs we knew name other messages now: the
 * state row starts over at 0 and what we refused is forgotten.  Nothing
 * is repeated: everything found is deduplicated by the store.  The first
 * UIDVALIDITY of a folder, or a new one of a folder onboarded by this
 * version, also records the onboarding boundary (see the top).
 */
static int
imap_worker_uidvalidity(struct imap_worker *w, uint32_t uidvalidity,
    struct error *err)
{
	struct mailbox_state row;
	struct imap_state_unit u = { .op = IMAP_STATE_GET, .row = &row };
	struct imap_state_unit set = { .op = IMAP_STATE_UIDVALIDITY,
	    .a = uidvalidity };
	struct error serr;
	bool found, first;
	int64_t top;

	if (uidvalidity != w->uidvalidity) {
		free(w->refused);
		w->refused = NULL;
		w->nrefused = 0;
	}
	w->uidvalidity = uidvalidity;
	error_clear(&serr);
	u.found = &found;
	memset(&row, 0, sizeof(row));
	if (imap_state_call(w, &u, &serr) == -1) {
		mailbox_state_clear(&row);
		return error_set(err, ERR_TEMP, "cannot read its state: %s",
		    serr.msg);
	}
	w->import_uid = row.import_uid;
	if (row.uidvalidity == (int64_t)uidvalidity) {
		mailbox_state_clear(&row);
		return 0;
	}
	first = row.uidvalidity < 0;
	if (!first)
		log_info("imap mailbox=%s uidvalidity changed %lld -> %u",
		    w->mb->name, (long long)row.uidvalidity, uidvalidity);
	if (first || row.import_uid >= 0) {
		set.op = IMAP_STATE_ONBOARD;
		set.b = 0;
	}
	if (first || (row.import_uid >= 0 &&
	    (w->mb->existing == CONFIG_IMAP_EXISTING_SKIP ||
	    (w->mb->existing == CONFIG_IMAP_EXISTING_SILENT &&
	    row.last_uid < row.import_uid)))) {
		if (imap_worker_top_uid(w, &top, err) == -1) {
			mailbox_state_clear(&row);
			return -1;
		}
		set.b = top;
	}
	mailbox_state_clear(&row);
	if (imap_state_call(w, &set, &serr) == -1)
		return error_set(err, ERR_TEMP, "cannot record its state: %s",
		    serr.msg);
	if (set.op == IMAP_STATE_ONBOARD) {
		w->import_uid = set.b;
		log_info("imap mailbox=%s existing mail up to uid %lld: %s",
		    w->mb->name, (long long)set.b,
		    w->mb->existing == CONFIG_IMAP_EXISTING_SKIP ? "skip" :
		    w->mb->existing == CONFIG_IMAP_EXISTING_NORMAL ? "normal" :
		    "import-silently");
	}
	return 0;
}

/*
 * The highest UID in the selected folder: UIDNEXT - 1 from the SELECT
 * (every server we know sends UIDNEXT; RFC 3501 requires it), else the
 * UID of the last message, else 0 (an empty folder).
 */
static int
imap_worker_top_uid(struct imap_worker *w, int64_t *top, struct error *err)
{
	struct mailimap_selection_info *sel = w->imap->imap_selection_info;
	struct mailimap_fetch_type *ft;
	struct mailimap_set *set;
	clist *result = NULL;
	clistiter *cur;
	uint32_t uid, size;
	const char *body;
	size_t len;
	int r;

	*top = 0;
	if (sel != NULL && sel->sel_uidnext > 0) {
		*top = (int64_t)sel->sel_uidnext - 1;
		return 0;
	}
	if (sel == NULL || sel->sel_exists == 0)
		return 0;
	set = mailimap_set_new_single(sel->sel_exists);
	ft = mailimap_fetch_type_new_fetch_att(mailimap_fetch_att_new_uid());
	imap_worker_command(w);
	r = mailimap_fetch(w->imap, set, ft, &result);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR)
		return imap_worker_fail(w, "FETCH (UID)", r, err);
	for (cur = clist_begin(result); cur != NULL; cur = clist_next(cur)) {
		imap_att_get(clist_content(cur), &uid, &size, &body, &len);
		if ((int64_t)uid > *top)
			*top = uid;
	}
	mailimap_fetch_list_free(result);
	return 0;
}

/* Whether uid was in the folder before us and existing is how to treat it. */
static bool
imap_worker_existing(const struct imap_worker *w, uint32_t uid,
    enum config_imap_existing existing)
{
	return w->mb->existing == existing && w->import_uid >= 0 &&
	    (int64_t)uid <= w->import_uid;
}

/*
 * logout: say LOGOUT if the session is healthy (the guard is attached
 * then, and its close unregisters the socket before closing it); else
 * unregister the socket and just close.
 */
static void
imap_worker_disconnect(struct imap_worker *w, bool logout)
{
	if (w->imap == NULL) {
		imap_stream_set_fd(w->guard, -1);
		return;
	}
	if (!logout || imap_stream_fault(w->guard, NULL) != IMAP_STREAM_OK) {
		imap_stream_set_fd(w->guard, -1);
		if (w->imap->imap_stream != NULL) {
			mailstream_close(w->imap->imap_stream);
			w->imap->imap_stream = NULL;
		}
	} else
		imap_worker_command(w);
	mailimap_free(w->imap);		/* LOGOUT while it has a stream */
	w->imap = NULL;
	imap_stream_set_fd(w->guard, -1);
}

/* The default deadline and answer size of a command. */
static void
imap_worker_command(struct imap_worker *w)
{
	imap_worker_begin(w, IMAP_POLLER_COMMAND_MS, IMAP_POLLER_ANSWER_BYTES);
}

/* A command starts: its answer within ms and budget bytes. */
static void
imap_worker_begin(struct imap_worker *w, long long ms, size_t budget)
{
	imap_stream_begin(w->guard, clock_mono_ms() + ms, budget);
}

/* In a batch (the stop grants a grace), or not (it cuts at once). */
static void
imap_worker_busy(struct imap_worker *w, bool busy)
{
	pthread_mutex_lock(&w->lock);
	w->busy = busy;
	pthread_mutex_unlock(&w->lock);
}

/*
 * err from a failed libetpan call; what names the step.  The guard knows
 * best why a read failed.  Returns -1.
 */
static int
imap_worker_fail(struct imap_worker *w, const char *what, int r,
    struct error *err)
{
	const char *resp = w->imap != NULL ? w->imap->imap_response : NULL;
	enum imap_stream_fault fault;
	const char *why;

	fault = imap_stream_fault(w->guard, &why);
	if (imap_stream_fault_is_data(fault))
		return error_set(err, ERR_TEMP, "%s: the server sent %s", what,
		    why);
	if (fault != IMAP_STREAM_OK)
		return error_set(err, ERR_TEMP, "connection to %s lost (%s): "
		    "%s", w->mb->host, what, why);
	if (r == MAILIMAP_ERROR_STREAM || r == MAILIMAP_ERROR_CONNECTION_REFUSED)
		return error_set(err, ERR_TEMP, "connection to %s lost (%s)",
		    w->mb->host, what);
	if (r == MAILIMAP_ERROR_SSL)
		return error_set(err, ERR_TEMP, "%s: TLS handshake failed",
		    w->mb->host);
	if (resp != NULL && *resp != '\0')
		return error_set(err, ERR_TEMP, "%s failed: %s", what, resp);
	return error_set(err, ERR_TEMP, "%s failed (libetpan error %d)", what,
	    r);
}

/* --- taking messages ------------------------------------------------ */

/*
 * One round: everything the search finds, batch by batch.  *tempfailed
 * says a batch left messages for lack of a commit (wait a little); *top
 * is the highest UID the search found (0: none).
 */
static int
imap_worker_take(struct imap_worker *w, bool *tempfailed, uint32_t *top,
    struct error *err)
{
	uint32_t *uids = NULL;
	size_t n = 0, i = 0;
	long k;
	struct imap_state_unit u = { .op = IMAP_STATE_ROUND };
	struct error serr;

	*tempfailed = false;
	*top = 0;
	if (imap_worker_search(w, &uids, &n, err) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (uids[i] > *top)
			*top = uids[i];
	i = 0;
	if (n == 0) {
		error_clear(&serr);
		u.state = w->use_idle ? MAILBOX_STATE_IDLE :
		    MAILBOX_STATE_CONNECTED;
		u.now = clock_now();
		if (imap_state_call(w, &u, &serr) == 0)
			w->state = w->use_idle ? MAILBOX_STATE_IDLE :
			    MAILBOX_STATE_CONNECTED;
	}
	while (i < n && !*tempfailed && !imap_worker_stopping(w)) {
		if (imap_worker_lease(w, false, err) == -1) {
			free(uids);
			return -1;
		}
		k = imap_worker_batch(w, uids + i, n - i, tempfailed, err);
		if (k == -1) {
			free(uids);
			return -1;
		}
		i += (size_t)k;
	}
	free(uids);
	return 0;
}

/*
 * The UIDs to take, oldest first.  A folder of more messages than
 * IMAP_POLLER_SEARCH_WINDOW is searched a window of message numbers at a
 * time (the last one open-ended, for mail that came meanwhile), so that
 * each answer stays far below the guard's line limit.  The number of
 * messages is libetpan's, kept current by the EXISTS and EXPUNGE it
 * parses and those the IDLE loop reads.
 */
static int
imap_worker_search(struct imap_worker *w, uint32_t **uids_out,
    size_t *n_out, struct error *err)
{
	struct mailimap_selection_info *sel = w->imap->imap_selection_info;
	uint32_t exists = sel != NULL ? sel->sel_exists : 0, lo = 1, hi;
	uint32_t *uids = NULL, uid;
	size_t n = 0, cap = 0;
	clist *result;
	clistiter *cur;
	bool last;

	do {
		hi = lo + IMAP_POLLER_SEARCH_WINDOW - 1;
		last = exists <= IMAP_POLLER_SEARCH_WINDOW || hi >= exists;
		if (imap_worker_search_window(w, exists <=
		    IMAP_POLLER_SEARCH_WINDOW ? 0 : lo, last ? 0 : hi, &result,
		    err) == -1) {
			free(uids);
			return -1;
		}
		for (cur = clist_begin(result); cur != NULL;
		    cur = clist_next(cur)) {
			uid = *(uint32_t *)clist_content(cur);
			if (imap_worker_is_refused(w, uid) ||
			    imap_worker_existing(w, uid,
			    CONFIG_IMAP_EXISTING_SKIP))
				continue;
			if (n == cap) {
				cap = cap == 0 ? 64 : cap * 2;
				uids = xreallocarray(uids, cap, sizeof(*uids));
			}
			uids[n++] = uid;
		}
		mailimap_search_result_free(result);
		lo = hi + 1;
	} while (!last);
	/* Oldest first: requests are numbered in the order mail came. */
	if (n > 0)
		qsort(uids, n, sizeof(*uids), imap_uid_cmp);
	*n_out = imap_uid_unique(uids, n);
	*uids_out = uids;
	return 0;
}

/* UID SEARCH [lo:hi] UNSEEN (or UNDELETED); lo 0: all, hi 0: "*". */
static int
imap_worker_search_window(struct imap_worker *w, uint32_t lo, uint32_t hi,
    clist **result, struct error *err)
{
	struct mailimap_search_key *key, *all;
	int r, type;

	type = w->mb->after == CONFIG_IMAP_AFTER_SEEN ?
	    MAILIMAP_SEARCH_KEY_UNSEEN : MAILIMAP_SEARCH_KEY_UNDELETED;
	key = mailimap_search_key_new(type, NULL, NULL, NULL, NULL, NULL,
	    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL,
	    NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL);
	if (key == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	if (lo > 0) {
		all = mailimap_search_key_new_multiple_empty();
		if (all == NULL) {
			mailimap_search_key_free(key);
			return error_set(err, ERR_INTERNAL, "out of memory");
		}
		mailimap_search_key_multiple_add(all,
		    mailimap_search_key_new_set(mailimap_set_new_interval(lo,
		    hi)));
		mailimap_search_key_multiple_add(all, key);
		key = all;
	}
	*result = NULL;
	imap_worker_command(w);
	r = mailimap_uid_search(w->imap, NULL, key, result);
	mailimap_search_key_free(key);
	if (r != MAILIMAP_NO_ERROR)
		return imap_worker_fail(w, "UID SEARCH", r, err);
	return 0;
}

/*
 * One batch from the n UIDs still to do at uids: sizes, bodies within
 * the byte budget, commits, flagging, state.  Returns how many UIDs it
 * used up (at least 1), or -1 + err.
 */
static long
imap_worker_batch(struct imap_worker *w, const uint32_t *uids, size_t n,
    bool *tempfailed, struct error *err)
{
	const struct config_mailbox *mb = w->mb;
	struct imap_item *items;
	unsigned long long bytes = 0, size;
	size_t m, k = 0, i, taken, left;
	uint32_t last = 0;
	struct imap_state_unit u = { .op = IMAP_STATE_ROUND };
	struct error serr;
	int rc = -1;

	m = w->fetch_single ? 1 : (size_t)mb->batch;
	if (m > n)
		m = n;
	items = xcalloc(m, sizeof(*items));
	for (i = 0; i < m; i++) {
		items[i].w = w;
		items[i].uid = uids[i];
		items[i].status = INTAKE_TEMPFAIL;
	}
	imap_worker_busy(w, true);
	if (imap_worker_sizes(w, items, m, err) == -1)
		goto out;
	/*
	 * As many as fit the budget, and always the first one.  A size is
	 * the server's word: no more than max_message_size + 1 is read.
	 */
	for (k = 0; k < m; k++) {
		if (!items[k].present)
			continue;
		size = items[k].size;
		if (size > mb->max_message_size)
			size = mb->max_message_size + 1;
		if (bytes > 0 && bytes + size > IMAP_POLLER_BATCH_BYTES)
			break;
		bytes += size;
	}
	if (imap_worker_bodies(w, items, k, bytes, err) == -1) {
		/* What was submitted still completes; then reconnect. */
		imap_worker_wait_jobs(w);
		goto out;
	}
	imap_worker_wait_jobs(w);
	taken = imap_worker_results(w, items, k, tempfailed);
	if (imap_worker_flag(w, items, k, err) == -1)
		goto out;
	for (i = 0; i < k; i++)
		if (imap_item_taken(&items[i]) && items[i].uid > last)
			last = items[i].uid;
	left = n - k + (size_t)(k - taken);
	for (i = 0; i < k; i++)
		if (!items[i].present || items[i].status == INTAKE_PERMFAIL)
			left--;		/* gone, or refused for good */
	error_clear(&serr);
	u.op = IMAP_STATE_ROUND;
	u.state = w->use_idle ? MAILBOX_STATE_IDLE : MAILBOX_STATE_CONNECTED;
	u.a = last;
	u.b = (int64_t)taken;
	u.c = (int64_t)left;
	u.now = clock_now();
	if (imap_state_call(w, &u, &serr) == -1)
		log_warnx("imap mailbox=%s cannot record its state: %s",
		    mb->name, serr.msg);
	else
		w->state = w->use_idle ? MAILBOX_STATE_IDLE :
		    MAILBOX_STATE_CONNECTED;
	log_info("imap mailbox=%s took %zu messages (backlog %zu)", mb->name,
	    taken, left);
	w->fetch_single = false;
	rc = 0;
out:
	imap_worker_busy(w, false);
	free(items);
	return rc == -1 ? -1 : (long)(k > 0 ? k : 1);
}

static int
imap_worker_sizes(struct imap_worker *w, struct imap_item *items, size_t m,
    struct error *err)
{
	struct mailimap_fetch_type *ft;
	struct mailimap_set *set;
	struct imap_item *it;
	clist *result = NULL;
	clistiter *cur;
	uint32_t uid, size;
	const char *body;
	size_t len;
	int r;

	set = imap_uid_set(items, m, imap_item_all);
	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_rfc822_size());
	imap_worker_command(w);
	r = mailimap_uid_fetch(w->imap, set, ft, &result);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR)
		return imap_worker_fail(w, "UID FETCH (RFC822.SIZE)", r, err);
	for (cur = clist_begin(result); cur != NULL; cur = clist_next(cur)) {
		imap_att_get(clist_content(cur), &uid, &size, &body, &len);
		if ((it = imap_item_find(items, m, uid)) != NULL) {
			it->present = true;
			it->size = size;
		}
	}
	mailimap_fetch_list_free(result);
	return 0;
}

/*
 * Fetches the first k items' bodies, at most max_message_size + 1 bytes
 * each, and submits each as a job; one that reaches max_message_size + 1
 * is too big and refused.  The answer may hold the bytes the sizes
 * announced (at least one whole message) and a little more; its deadline
 * grows with them.
 */
static int
imap_worker_bodies(struct imap_worker *w, struct imap_item *items, size_t k,
    unsigned long long bytes, struct error *err)
{
	size_t max = w->mb->max_message_size;
	struct mailimap_fetch_type *ft;
	struct mailimap_set *set;
	struct imap_item *it;
	clist *result = NULL;
	clistiter *cur;
	uint32_t uid, size;
	const char *body;
	size_t len;
	int r;

	if ((set = imap_uid_set(items, k, imap_item_present)) == NULL)
		return 0;
	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_body_peek_section_partial(
	    mailimap_section_new(NULL), 0, (uint32_t)max + 1));
	if (bytes < max + 1)
		bytes = max + 1;
	bytes += IMAP_POLLER_SLACK_BYTES;
	imap_worker_begin(w, IMAP_POLLER_COMMAND_MS +
	    (long long)(bytes / IMAP_POLLER_BODY_RATE) * 1000, (size_t)bytes);
	r = mailimap_uid_fetch(w->imap, set, ft, &result);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR)
		return imap_worker_bodies_failed(w, items, k, r, err);
	for (cur = clist_begin(result); cur != NULL; cur = clist_next(cur)) {
		body = NULL;
		imap_att_get(clist_content(cur), &uid, &size, &body, &len);
		it = imap_item_find(items, k, uid);
		if (it == NULL || body == NULL || it->submitted ||
		    it->too_big)
			continue;	/* unsolicited, or no body */
		if (len > max)
			imap_worker_too_big(w, it);
		else
			imap_worker_submit(w, it, body, len);
	}
	mailimap_fetch_list_free(result);
	return 0;
}

/*
 * The bodies' answer was refused (by libetpan, or by the guard: too
 * deep, too long, too big): one message of the k spoils it.  Alone, it
 * is left in the folder for good; else the batch is taken again one
 * message at a time to find it.  A lost connection is just that.
 */
static int
imap_worker_bodies_failed(struct imap_worker *w, struct imap_item *items,
    size_t k, int r, struct error *err)
{
	enum imap_stream_fault fault = imap_stream_fault(w->guard, NULL);
	char esc[200];

	imap_worker_fail(w, "UID FETCH (BODY.PEEK[])", r, err);
	if (r != MAILIMAP_ERROR_PARSE && !imap_stream_fault_is_data(fault))
		return -1;
	if (k > 1) {
		w->fetch_single = true;
		return -1;
	}
	imap_worker_refuse(w, items[0].uid);
	log_escape(esc, sizeof(esc), err->msg, strlen(err->msg));
	log_warnx("imap mailbox=%s uid=%u cannot be fetched intact (%s); "
	    "left in the folder", w->mb->name, items[0].uid, esc);
	return -1;
}

/* As the listeners' 552: refused for good, left unflagged, logged once. */
static void
imap_worker_too_big(struct imap_worker *w, struct imap_item *it)
{
	it->too_big = true;
	it->status = INTAKE_PERMFAIL;
	imap_worker_refuse(w, it->uid);
	log_warnx("imap mailbox=%s uid=%u refused: larger than "
	    "max_message_size (%zu bytes); left in the folder", w->mb->name,
	    it->uid, w->mb->max_message_size);
}

static void
imap_worker_submit(struct imap_worker *w, struct imap_item *it,
    const char *data, size_t len)
{
	const struct config_mailbox *mb = w->mb;
	struct store_writer *writer;
	struct intake_job *job;
	struct buf *raw = buf_new();

	buf_append(raw, data, len);
	job = intake_job_new(raw, w->source, NULL, NULL, 0);
	intake_job_set_defaults(job, mb->category, mb->priority, mb->tags,
	    mb->ntags);
	job->done = imap_worker_done;
	job->arg = it;
	job->order = w;		/* a batch is committed oldest first */
	job->silent = imap_worker_existing(w, it->uid,
	    CONFIG_IMAP_EXISTING_SILENT);
	it->submitted = true;
	pthread_mutex_lock(&w->lock);
	w->pending++;
	pthread_mutex_unlock(&w->lock);
	pthread_mutex_lock(&w->p->lock);
	if ((writer = w->p->writer) != NULL)
		intake_submit(writer, job);
	pthread_mutex_unlock(&w->p->lock);
	if (writer == NULL) {
		error_set(&job->err, ERR_TEMP, "shutting down");
		job->status = INTAKE_TEMPFAIL;
		imap_worker_done(job, it);
	}
}

/*
 * Runs u in the writer and waits for its commit: 0, or -1 + err (ERR_TEMP
 * "shutting down" once the poller is detached from the writer).
 */
static int
imap_state_call(struct imap_worker *w, struct imap_state_unit *u,
    struct error *err)
{
	struct store_writer *writer;

	u->w = w;
	u->done = false;
	memset(&u->work, 0, sizeof(u->work));
	u->work.run = imap_state_run;
	u->work.done = imap_state_done;
	u->work.direct = true;
	pthread_mutex_lock(&w->p->lock);
	if ((writer = w->p->writer) != NULL)
		store_writer_submit(writer, &u->work);
	pthread_mutex_unlock(&w->p->lock);
	if (writer == NULL)
		return error_set(err, ERR_TEMP, "shutting down");
	pthread_mutex_lock(&w->lock);
	while (!u->done)
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
	if (u->work.status == STORE_WORK_COMMITTED)
		return 0;
	*err = u->work.err;
	return -1;
}

/* On the writer thread, in its transaction. */
static int
imap_state_run(struct store *st, struct store_work *work, struct error *err)
{
	struct imap_state_unit *u = (struct imap_state_unit *)(void *)work;
	const char *name = u->w->mb->name;

	switch (u->op) {
	case IMAP_STATE_GET:
		mailbox_state_clear(u->row);
		return mailbox_state_get(st, name, u->row, u->found, err);
	case IMAP_STATE_SET:
		return mailbox_state_set(st, name, u->state, u->why, u->now,
		    err);
	case IMAP_STATE_UIDVALIDITY:
		return mailbox_state_set_uidvalidity(st, name, u->a, err);
	case IMAP_STATE_ONBOARD:
		return mailbox_state_onboard(st, name, u->a, u->b, err);
	case IMAP_STATE_ROUND:
		return mailbox_state_round(st, name, u->state, u->a, u->b,
		    u->c, u->now, err);
	case IMAP_STATE_LEASE:
		return mailbox_lease_take(st, name, u->w->p->instance, u->now,
		    u->now + u->w->mb->takeover, u->found, err);
	case IMAP_STATE_UNLEASE:
		return mailbox_lease_release(st, name, u->w->p->instance, err);
	}
	return error_set(err, ERR_INTERNAL, "imap state: bad op");
}

/* On the writer thread right after the commit: wake the worker. */
static void
imap_state_done(struct store_work *work)
{
	struct imap_state_unit *u = (struct imap_state_unit *)(void *)work;
	struct imap_worker *w = u->w;

	pthread_mutex_lock(&w->lock);
	u->done = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

/* On the loop thread (or the writer's stopper): record, signal, free. */
static void
imap_worker_done(struct intake_job *job, void *arg)
{
	struct imap_item *it = arg;
	struct imap_worker *w = it->w;

	pthread_mutex_lock(&w->lock);
	it->status = job->status;
	(void)snprintf(it->why, sizeof(it->why), "%.*s",
	    (int)sizeof(it->why) - 1, job->err.msg);
	if (--w->pending == 0)
		pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	intake_job_free(job);
}

static void
imap_worker_wait_jobs(struct imap_worker *w)
{
	pthread_mutex_lock(&w->lock);
	while (w->pending > 0)
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
}

/* Counts what was taken; logs what was not.  Items are settled. */
static size_t
imap_worker_results(struct imap_worker *w, struct imap_item *items, size_t k,
    bool *tempfailed)
{
	char esc[200];
	size_t i, taken = 0, temp = 0;
	const char *why = "";

	for (i = 0; i < k; i++) {
		if (!items[i].submitted)
			continue;
		switch (items[i].status) {
		case INTAKE_STORED:
		case INTAKE_DUPLICATE:
			taken++;
			break;
		case INTAKE_TEMPFAIL:
			temp++;
			why = items[i].why;
			break;
		case INTAKE_PERMFAIL:
			imap_worker_refuse(w, items[i].uid);
			log_escape(esc, sizeof(esc), items[i].why,
			    strlen(items[i].why));
			log_warnx("imap mailbox=%s uid=%u refused: %s; left in "
			    "the folder", w->mb->name, items[i].uid, esc);
			break;
		}
	}
	if (temp > 0) {
		*tempfailed = true;
		log_escape(esc, sizeof(esc), why, strlen(why));
		log_warnx("imap mailbox=%s %zu messages not stored (%s); they "
		    "stay for the next round", w->mb->name, temp, esc);
	}
	return taken;
}

/* after = seen | move | delete, for the committed items only. */
static int
imap_worker_flag(struct imap_worker *w, struct imap_item *items, size_t k,
    struct error *err)
{
	const struct config_mailbox *mb = w->mb;
	struct mailimap_set *set;
	int r, rc = 0;

	if ((set = imap_uid_set(items, k, imap_item_taken)) == NULL)
		return 0;
	switch (mb->after) {
	case CONFIG_IMAP_AFTER_SEEN:
		rc = imap_worker_store_flag(w, set, mailimap_flag_new_seen(),
		    err);
		break;
	case CONFIG_IMAP_AFTER_DELETE:
		if ((rc = imap_worker_store_flag(w, set,
		    mailimap_flag_new_deleted(), err)) == 0)
			rc = imap_worker_expunge(w, set, err);
		break;
	case CONFIG_IMAP_AFTER_MOVE:
		if (w->has_move) {
			imap_worker_command(w);
			r = mailimap_uid_move(w->imap, set, mb->move_to);
			if (r != MAILIMAP_NO_ERROR)
				rc = imap_worker_fail(w, "UID MOVE", r, err);
			break;
		}
		imap_worker_command(w);
		r = mailimap_uid_copy(w->imap, set, mb->move_to);
		if (r != MAILIMAP_NO_ERROR)
			rc = imap_worker_fail(w, "UID COPY", r, err);
		else if ((rc = imap_worker_store_flag(w, set,
		    mailimap_flag_new_deleted(), err)) == 0)
			rc = imap_worker_expunge(w, set, err);
		break;
	}
	mailimap_set_free(set);
	return rc;
}

/* UID STORE set +FLAGS.SILENT (flag); takes flag. */
static int
imap_worker_store_flag(struct imap_worker *w, struct mailimap_set *set,
    struct mailimap_flag *flag, struct error *err)
{
	struct mailimap_flag_list *list = mailimap_flag_list_new_empty();
	struct mailimap_store_att_flags *att;
	int r;

	mailimap_flag_list_add(list, flag);
	att = mailimap_store_att_flags_new_add_flags_silent(list);
	imap_worker_command(w);
	r = mailimap_uid_store(w->imap, set, att);
	mailimap_store_att_flags_free(att);
	if (r != MAILIMAP_NO_ERROR)
		return imap_worker_fail(w, "UID STORE", r, err);
	return 0;
}

static int
imap_worker_expunge(struct imap_worker *w, struct mailimap_set *set,
    struct error *err)
{
	int r;

	imap_worker_command(w);
	if (w->has_uidplus)
		r = mailimap_uid_expunge(w->imap, set);
	else
		r = mailimap_expunge(w->imap);
	if (r != MAILIMAP_NO_ERROR)
		return imap_worker_fail(w, "EXPUNGE", r, err);
	return 0;
}

static void
imap_worker_refuse(struct imap_worker *w, uint32_t uid)
{
	if (imap_worker_is_refused(w, uid))
		return;
	w->refused = xreallocarray(w->refused, w->nrefused + 1,
	    sizeof(*w->refused));
	w->refused[w->nrefused++] = uid;
}

static bool
imap_worker_is_refused(const struct imap_worker *w, uint32_t uid)
{
	size_t i;

	for (i = 0; i < w->nrefused; i++)
		if (w->refused[i] == uid)
			return true;
	return false;
}

/* --- IDLE ----------------------------------------------------------- */

/*
 * IDLE until the server reports new mail, 25 minutes pass, or we are
 * asked to stop; then DONE.  0 when the session is still good.
 */
static int
imap_worker_idle(struct imap_worker *w, struct error *err)
{
	long long end = clock_mono_ms() + IMAP_POLLER_IDLE_MS;
	char tag[32], cmd[64];
	bool woke = false;
	char *line;
	int r;

	(void)snprintf(tag, sizeof(tag), "TI%u", ++w->tag);
	(void)snprintf(cmd, sizeof(cmd), "%s IDLE\r\n", tag);
	/* The whole IDLE's answer, keepalives and all, within the budget. */
	imap_worker_command(w);
	if (imap_worker_send(w, cmd, err) == -1)
		return -1;
	for (;;) {
		if ((line = imap_worker_line(w, err)) == NULL)
			return -1;
		if (line[0] == '+')
			break;
		if (imap_line_tagged(line, tag))
			return error_set(err, ERR_TEMP, "IDLE refused: %.200s",
			    line);
		if (strncasecmp(line, "* BYE", 5) == 0)
			return error_set(err, ERR_TEMP, "%s closed the "
			    "connection: %.200s", w->mb->host, line);
		if (imap_idle_trouble(w, line, err) == -1)
			return -1;
		woke = imap_worker_news(w, line) || woke;
	}
	imap_worker_state(w, MAILBOX_STATE_IDLE, NULL);
	while (!woke) {
		/* the lease is renewed while IDLE goes on */
		if ((r = imap_worker_wait_data(w, imap_worker_wake_at(w,
		    end))) == 0 &&
		    clock_mono_ms() < end) {
			if (imap_worker_lease(w, false, err) == -1)
				return -1;
			continue;
		}
		if (r <= 0)
			break;		/* time to re-issue, or stopping */
		/* A line that has begun must end soon. */
		imap_stream_set_deadline(w->guard, clock_mono_ms() +
		    IMAP_POLLER_COMMAND_MS);
		if ((line = imap_worker_line(w, err)) == NULL)
			return -1;
		if (strncasecmp(line, "* BYE", 5) == 0)
			return error_set(err, ERR_TEMP, "%s closed the "
			    "connection: %.200s", w->mb->host, line);
		if (imap_idle_trouble(w, line, err) == -1)
			return -1;
		woke = imap_worker_news(w, line);
	}
	imap_stream_set_deadline(w->guard, clock_mono_ms() +
	    IMAP_POLLER_COMMAND_MS);
	if (imap_worker_send(w, "DONE\r\n", err) == -1)
		return -1;
	for (;;) {
		if ((line = imap_worker_line(w, err)) == NULL)
			return -1;
		if (strncasecmp(line, "* BYE", 5) == 0)
			return error_set(err, ERR_TEMP, "%s closed the "
			    "connection: %.200s", w->mb->host, line);
		if (!imap_line_tagged(line, tag)) {
			/* More untagged news: the search sees it. */
			(void)imap_worker_news(w, line);
			continue;
		}
		if (strncasecmp(line + strlen(tag) + 1, "OK", 2) != 0)
			return error_set(err, ERR_TEMP, "IDLE failed: %.200s",
			    line);
		return 0;
	}
}

/* 1: the stream has data, 0: end passed, -1: asked to stop. */
static int
imap_worker_wait_data(struct imap_worker *w, long long end)
{
	mailstream *s = w->imap->imap_stream;
	struct pollfd pfd[2];
	long long left;
	int r;

	/* A line already read into a buffer shows no POLLIN. */
	if (s->read_buffer_len > 0 || imap_stream_pending(w->guard))
		return 1;
	pfd[0].fd = mailstream_low_get_fd(mailstream_get_low(s));
	pfd[0].events = POLLIN;
	pfd[1].fd = w->wake[0];
	pfd[1].events = POLLIN;
	for (;;) {
		if (imap_worker_stopping(w))
			return -1;
		if ((left = end - clock_mono_ms()) <= 0)
			return 0;
		pfd[0].revents = pfd[1].revents = 0;
		r = poll(pfd, 2, left > 60000 ? 60000 : (int)left);
		if (r == -1 && errno != EINTR)
			return 1;	/* let the read report it */
		if (r > 0 && pfd[0].revents != 0)
			return 1;
	}
}

static int
imap_worker_send(struct imap_worker *w, const char *text, struct error *err)
{
	mailstream *s = w->imap->imap_stream;
	size_t len = strlen(text);

	if (mailstream_write(s, text, len) != (ssize_t)len ||
	    mailstream_flush(s) == -1)
		return imap_worker_fail(w, "IDLE", MAILIMAP_ERROR_STREAM, err);
	return 0;
}

static char *
imap_worker_line(struct imap_worker *w, struct error *err)
{
	char *line;

	/* The guard turns a closed connection into NULL, never "". */
	line = mailstream_read_line_remove_eol(w->imap->imap_stream, w->line);
	if (line == NULL)
		(void)imap_worker_fail(w, "IDLE", MAILIMAP_ERROR_STREAM, err);
	return line;
}

static bool
imap_line_tagged(const char *line, const char *tag)
{
	size_t n = strlen(tag);

	return strncmp(line, tag, n) == 0 && line[n] == ' ';
}

/*
 * "* NO" or "* BAD" while idling: the selected folder is in trouble.
 * Dovecot says "* NO Internal error" when the folder is deleted under an
 * IDLE, and keeps saying it on the same session even after the folder is
 * recreated; only a new session's SELECT shows the new UIDVALIDITY.  So
 * the session is dropped and rebuilt, with the usual backoff.
 */
static int
imap_idle_trouble(struct imap_worker *w, const char *line, struct error *err)
{
	if (strncasecmp(line, "* NO", 4) != 0 &&
	    strncasecmp(line, "* BAD", 5) != 0)
		return 0;
	return error_set(err, ERR_TEMP, "folder %s on %s: server said "
	    "%.200s", w->mb->folder, w->mb->host, line);
}

/*
 * "* 12 EXISTS" or "* 3 RECENT": there may be new mail.  EXISTS and
 * EXPUNGE also keep libetpan's count of messages, which the search's
 * windows follow, as libetpan itself does for the answers it parses.
 */
static bool
imap_worker_news(struct imap_worker *w, const char *line)
{
	struct mailimap_selection_info *sel = w->imap->imap_selection_info;
	unsigned long n = 0;
	const char *p;

	if (strncmp(line, "* ", 2) != 0)
		return false;
	for (p = line + 2; *p >= '0' && *p <= '9' && n <= UINT32_MAX; p++)
		n = n * 10 + (unsigned long)(*p - '0');
	if (p == line + 2 || *p != ' ' || n > UINT32_MAX)
		return false;
	if (strcasecmp(p + 1, "EXISTS") == 0) {
		if (sel != NULL)
			sel->sel_exists = (uint32_t)n;
		return true;
	}
	if (strcasecmp(p + 1, "EXPUNGE") == 0) {
		if (sel != NULL && sel->sel_exists > 0)
			sel->sel_exists--;
		return false;
	}
	return strcasecmp(p + 1, "RECENT") == 0;
}

/* --- small helpers -------------------------------------------------- */

/* A UID set of the items (sorted) that pass keep, in ranges; NULL: none. */
static struct mailimap_set *
imap_uid_set(const struct imap_item *items, size_t n,
    bool (*keep)(const struct imap_item *))
{
	struct mailimap_set *set = NULL;
	uint32_t first = 0, last = 0;
	size_t i;

	for (i = 0; i <= n; i++) {
		if (i < n && !keep(&items[i]))
			continue;
		if (i < n && first != 0 && items[i].uid == last + 1) {
			last = items[i].uid;
			continue;
		}
		if (first != 0) {
			if (set == NULL)
				set = mailimap_set_new_empty();
			mailimap_set_add_interval(set, first, last);
		}
		if (i < n)
			first = last = items[i].uid;
	}
	return set;
}

static bool
imap_item_all(const struct imap_item *it)
{
	return it->uid != 0;
}

static bool
imap_item_present(const struct imap_item *it)
{
	return it->present;
}

static bool
imap_item_taken(const struct imap_item *it)
{
	return it->submitted && (it->status == INTAKE_STORED ||
	    it->status == INTAKE_DUPLICATE);
}

static struct imap_item *
imap_item_find(struct imap_item *items, size_t n, uint32_t uid)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (items[mid].uid == uid)
			return &items[mid];
		if (items[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * The UID, RFC822.SIZE and BODY[] of one FETCH response, where present.
 * Only the whole message counts as BODY[]: a server sending BODY[TEXT]
 * or BODY[]<100> unasked must not have part of a message stored as all
 * of it (and the message flagged).
 */
static void
imap_att_get(struct mailimap_msg_att *att, uint32_t *uid, uint32_t *size,
    const char **body, size_t *len)
{
	struct mailimap_msg_att_body_section *sec;
	struct mailimap_msg_att_item *item;
	struct mailimap_msg_att_static *st;
	clistiter *cur;

	*uid = 0;
	*size = 0;
	*body = NULL;
	*len = 0;
	for (cur = clist_begin(att->att_list); cur != NULL;
	    cur = clist_next(cur)) {
		item = clist_content(cur);
		if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC ||
		    (st = item->att_data.att_static) == NULL)
			continue;
		if (st->att_type == MAILIMAP_MSG_ATT_UID)
			*uid = st->att_data.att_uid;
		else if (st->att_type == MAILIMAP_MSG_ATT_RFC822_SIZE)
			*size = st->att_data.att_rfc822_size;
		else if (st->att_type == MAILIMAP_MSG_ATT_BODY_SECTION &&
		    (sec = st->att_data.att_body_section) != NULL &&
		    sec->sec_body_part != NULL && sec->sec_origin_octet == 0 &&
		    (sec->sec_section == NULL ||
		    sec->sec_section->sec_spec == NULL)) {
			*body = st->att_data.att_body_section->sec_body_part;
			*len = st->att_data.att_body_section->sec_length;
		}
	}
}

static int
imap_uid_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Drops repeats from the sorted uids (a server may send one twice). */
static size_t
imap_uid_unique(uint32_t *uids, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (k == 0 || uids[i] != uids[k - 1])
			uids[k++] = uids[i];
	return k;
}

