/*
 * triaged: the daemon's main.  Options, the event loop, signals, reload
 * and shutdown; everything of the domain lives in libtriage.
 *
 *   triaged [-v] [-c file]            run in the foreground, log to stderr
 *   triaged -t [-c file]              check the configuration and exit
 *   triaged [-c file] inject [-f sender] [-r rcpt] < message
 */
#include <event2/event.h>
#include <event2/thread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "config.h"
#include "desk_timers.h"
#include "error.h"
#include "imap_poller.h"
#include "inflight.h"
#include "inject.h"
#include "log.h"
#include "sender.h"
#include "smtp_intake.h"
#include "smtp_server.h"
#include "store_writer.h"
#include "tls.h"
#include "xmalloc.h"

#define TRIAGED_DEFAULT_CONFIG	SYSCONFDIR "/triaged.conf"
/* How long SIGTERM waits for messages in flight before giving up. */
#define TRIAGED_DRAIN_SECONDS	30

struct triaged_listener {
	struct smtp_server	*server;
	struct smtp_intake	*intake;
	struct smtp_callbacks	 cb;
};

/* The daemon's context: passed explicitly, never global. */
struct triaged {
	const char		*config_path;
	struct event_base	*base;
	SSL_CTX			*ssl_ctx;
	SSL_CTX			**old_ctx;	/* replaced by reloads */
	size_t			 nold_ctx;
	struct sender		*sender;
	struct store_writer	*writer;
	struct triaged_listener	*listeners;
	size_t			 nlisteners;
	struct inflight		*inflight;	/* message bytes, all listeners */
	char			*database;	/* the writer's, fixed at start */
	struct imap_poller	*imap;		/* the running mailbox workers */
	struct imap_poller	*imap_old;	/* stopping after a reload */
	struct desk_timers	*timers;	/* SLA passes, surveys, digests */
	struct event		*ev_imap;	/* waits for imap_old */
	struct event		*ev_writer;	/* the writer completed units */
	struct event		*ev_term, *ev_int, *ev_hup, *ev_drain;
	long long		 drain_deadline;
};

static __attribute__((noreturn)) void usage(void);
static struct config *triaged_load(const char *path, bool quiet);
static int	triaged_run(struct triaged *);
static int	triaged_listen(struct triaged *, const struct config *);
static void	triaged_limits(const struct config *, struct smtp_limits *);
static SSL_CTX	*triaged_tls(const struct config *, struct error *);
static void	triaged_signal_cb(evutil_socket_t, short, void *);
static void	triaged_writer_notify(void *);
static void	triaged_writer_cb(evutil_socket_t, short, void *);
static void	triaged_reload(struct triaged *);
static void	triaged_drain_cb(evutil_socket_t, short, void *);
static int	triaged_imap_start(struct triaged *);
static void	triaged_imap_reload(struct triaged *, const struct config *);
static void	triaged_imap_cb(evutil_socket_t, short, void *);
static void	triaged_free(struct triaged *);

static void
usage(void)
{
	fprintf(stderr, "usage: triaged [-tv] [-c file]\n"
	    "       triaged inject [-c file] [-f sender] [-r recipient] "
	    "< message\n");
	exit(EX_USAGE);
}

int
main(int argc, char **argv)
{
	struct triaged d;
	struct config *cfg;
	const char *mail_from = NULL, *rcpt = NULL;
	bool check = false, verbose = false, inject = false;
	int ch, rc;

	memset(&d, 0, sizeof(d));
	d.config_path = TRIAGED_DEFAULT_CONFIG;
	/*
	 * Options may come before or after the word "inject" (GNU getopt
	 * permutes), so "triaged inject -c FILE -f SENDER" works as MTA
	 * pipe lines are usually written.
	 */
	while ((ch = getopt(argc, argv, "c:f:r:tvh")) != -1) {
		switch (ch) {
		case 'c':
			d.config_path = optarg;
			break;
		case 'f':
			mail_from = optarg;
			break;
		case 'r':
			rcpt = optarg;
			break;
		case 't':
			check = true;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 1 && strcmp(argv[0], "inject") == 0)
		inject = true;
	else if (argc > 0 || mail_from != NULL || rcpt != NULL)
		usage();
	log_init(0, verbose ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO, "triaged");
	if ((cfg = triaged_load(d.config_path, check)) == NULL)
		return 1;
	if (check) {
		printf("configuration OK\n");
		config_unref(cfg);
		return 0;
	}
	if (!verbose) {
		enum log_level level;

		if (log_level_parse(cfg->log_level, &level) == 0)
			log_set_level(level);
	}
	config_set_current(cfg);
	if (inject) {
		rc = inject_main(cfg, mail_from, rcpt);
		config_set_current(NULL);
		return rc;
	}
	rc = triaged_run(&d);
	triaged_free(&d);
	config_set_current(NULL);
	return rc;
}

/* Every error goes to stderr, one per line, as FILE:LINE: SETTING: problem. */
static struct config *
triaged_load(const char *path, bool quiet)
{
	struct config *cfg;
	struct buf errors;

	buf_init(&errors);
	cfg = config_load(path, &errors);
	if (cfg == NULL)
		fprintf(stderr, "%s%s", errors.data,
		    errors.len > 0 && errors.data[errors.len - 1] != '\n' ?
		    "\n" : "");
	buf_release(&errors);
	(void)quiet;
	return cfg;
}

static int
triaged_run(struct triaged *d)
{
	struct config *cfg = config_current();
	struct error err;
	int rc = 1;

	signal(SIGPIPE, SIG_IGN);
	evthread_use_pthreads();
	d->base = event_base_new();
	if (d->base == NULL)
		fatalx("cannot create the event loop");
	error_clear(&err);
	if (cfg->tls_certificate != NULL &&
	    (d->ssl_ctx = triaged_tls(cfg, &err)) == NULL) {
		log_warnx("tls: %s", err.msg);
		goto out;
	}
	d->database = xstrdup(cfg->database);
	if ((d->ev_writer = event_new(d->base, -1, 0, triaged_writer_cb,
	    d)) == NULL ||
	    (d->writer = store_writer_start(cfg->database,
	    triaged_writer_notify, d, &err)) == NULL ||
	    (d->sender = sender_start(cfg->database, d->writer,
	    &err)) == NULL) {
		log_warnx("store %s: %s", cfg->database, err.msg);
		goto out;
	}
	if (triaged_listen(d, cfg) == -1 || triaged_imap_start(d) == -1)
		goto out;
	d->timers = desk_timers_start(d->base, d->writer);
	if (clock_is_fake())
		log_warnx("clock: fake time from TRIAGED_FAKE_TIME (tests only)");
	d->ev_term = evsignal_new(d->base, SIGTERM, triaged_signal_cb, d);
	d->ev_int = evsignal_new(d->base, SIGINT, triaged_signal_cb, d);
	d->ev_hup = evsignal_new(d->base, SIGHUP, triaged_signal_cb, d);
	event_add(d->ev_term, NULL);
	event_add(d->ev_int, NULL);
	event_add(d->ev_hup, NULL);
	event_base_dispatch(d->base);
	rc = 0;
out:
	config_unref(cfg);
	return rc;
}

static int
triaged_listen(struct triaged *d, const struct config *cfg)
{
	struct smtp_limits limits;
	struct buf ready;
	struct error err;
	size_t i;

	triaged_limits(cfg, &limits);
	d->inflight = inflight_new(cfg->max_inflight_bytes);
	d->listeners = xcalloc(cfg->nlisten, sizeof(*d->listeners));
	buf_init(&ready);
	for (i = 0; i < cfg->nlisten; i++) {
		const struct config_listen *l = &cfg->listen[i];
		struct triaged_listener *tl = &d->listeners[i];
		enum smtp_proto proto = l->proto == CONFIG_PROTO_LMTP ?
		    SMTP_PROTO_LMTP : SMTP_PROTO_SMTP;

		tl->intake = smtp_intake_new(proto, d->writer, &tl->cb);
		d->nlisteners++;
		tl->server = smtp_server_new(d->base, proto, l->address,
		    l->port, cfg->hostname, &limits,
		    proto == SMTP_PROTO_SMTP ? d->ssl_ctx : NULL, &tl->cb, &err);
		if (tl->server == NULL) {
			log_warnx("listen %s %s:%d: %s", proto ==
			    SMTP_PROTO_LMTP ? "lmtp" : "smtp", l->address,
			    l->port, err.msg);
			buf_release(&ready);
			return -1;
		}
		smtp_server_set_inflight(tl->server, d->inflight);
		buf_printf(&ready, " %s=%s:%d", proto == SMTP_PROTO_LMTP ?
		    "lmtp" : "smtp", l->address, smtp_server_port(tl->server));
	}
	log_info("ready%s database=%s", ready.data, cfg->database);
	buf_release(&ready);
	return 0;
}

static void
triaged_limits(const struct config *cfg, struct smtp_limits *limits)
{
	limits->max_message_size = cfg->max_message_size;
	limits->max_line_length = cfg->max_line_length;
	limits->max_recipients = cfg->max_recipients;
	limits->max_connections = cfg->max_connections;
	limits->idle_timeout = cfg->idle_timeout;
	limits->session_timeout = cfg->session_timeout;
	limits->max_connections_per_client = cfg->max_connections_per_client;
	limits->first_command_timeout = cfg->first_command_timeout;
	limits->transaction_timeout = cfg->transaction_timeout;
}

static SSL_CTX *
triaged_tls(const struct config *cfg, struct error *err)
{
	return tls_server_ctx_new(cfg->tls_certificate, cfg->tls_key, err);
}

static void
triaged_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct triaged *d = arg;
	struct timeval tv = { 0, 100000 };
	size_t i;

	if (sig == SIGHUP) {
		triaged_reload(d);
		return;
	}
	if (d->ev_drain != NULL)
		return;		/* already shutting down */
	log_info("shutting down: finishing messages in flight");
	for (i = 0; i < d->nlisteners; i++)
		if (d->listeners[i].server != NULL)
			smtp_server_close(d->listeners[i].server);
	imap_poller_stop(d->imap);
	imap_poller_stop(d->imap_old);
	d->drain_deadline = time(NULL) + TRIAGED_DRAIN_SECONDS;
	d->ev_drain = event_new(d->base, -1, EV_PERSIST, triaged_drain_cb, d);
	event_add(d->ev_drain, &tv);
}

/*
 * Leaves the loop once no message waits for its commit, the IMAP workers
 * have flagged their last batch and finished, and the replies had a
 * moment to flush (the 250 must reach the client before we exit).
 */
static void
triaged_drain_cb(evutil_socket_t fd, short what, void *arg)
{
	struct triaged *d = arg;
	static const struct timeval flush = { 0, 200000 };

	if ((store_writer_pending(d->writer) > 0 ||
	    !imap_poller_done(d->imap) || !imap_poller_done(d->imap_old)) &&
	    time(NULL) < d->drain_deadline)
		return;
	event_del(d->ev_drain);
	event_base_loopexit(d->base, &flush);
}

/*
 * SIGHUP: a new config that loads replaces the current one for new work;
 * a broken one is logged and the old one stays.  Listeners and the
 * database are bound at start: changing them needs a restart (logged).
 */
static void
triaged_reload(struct triaged *d)
{
	struct config *cfg, *old;
	struct smtp_limits limits;
	struct buf errors;
	SSL_CTX *ssl_ctx = d->ssl_ctx;
	struct error err;
	enum log_level level;
	size_t i;

	buf_init(&errors);
	if ((cfg = config_load(d->config_path, &errors)) == NULL) {
		log_warnx("reload failed, keeping the running configuration:"
		    "\n%s", errors.data);
		buf_release(&errors);
		return;
	}
	buf_release(&errors);
	old = config_current();
	if (strcmp(old->database, cfg->database) != 0 ||
	    old->nlisten != cfg->nlisten)
		log_warnx("reload: database and listen changes take effect "
		    "at the next restart");
	if (cfg->tls_certificate != NULL) {
		if ((ssl_ctx = triaged_tls(cfg, &err)) == NULL) {
			log_warnx("reload failed, keeping the running "
			    "configuration: tls: %s", err.msg);
			config_unref(cfg);
			config_unref(old);
			return;
		}
	} else
		ssl_ctx = NULL;
	triaged_limits(cfg, &limits);
	for (i = 0; i < d->nlisteners; i++)
		smtp_server_reconfigure(d->listeners[i].server, cfg->hostname,
		    &limits, ssl_ctx);
	if (d->inflight != NULL)
		inflight_set_limit(d->inflight, cfg->max_inflight_bytes);
	/*
	 * Sessions started before may still create TLS from the old context:
	 * it is kept until exit.
	 */
	if (d->ssl_ctx != NULL) {
		d->old_ctx = xreallocarray(d->old_ctx, d->nold_ctx + 1,
		    sizeof(*d->old_ctx));
		d->old_ctx[d->nold_ctx++] = d->ssl_ctx;
	}
	d->ssl_ctx = ssl_ctx;
	if (log_level_parse(cfg->log_level, &level) == 0)
		log_set_level(level);
	config_unref(old);
	config_set_current(cfg);
	log_info("configuration reloaded from %s", d->config_path);
	desk_timers_wake(d->timers);	/* new policies: recompute now */
	triaged_imap_reload(d, cfg);
}

static int
triaged_imap_start(struct triaged *d)
{
	struct config *cfg = config_current();
	struct error err;

	error_clear(&err);
	d->imap = imap_poller_start(cfg, d->writer, d->database, &err);
	config_unref(cfg);
	if (d->imap == NULL) {
		log_warnx("%s", err.msg);
		return -1;
	}
	return 0;
}

/*
 * Mailbox changes apply on reload by stopping every worker and starting
 * new ones for the new config (a batch in flight finishes first, and its
 * commits arrive through this loop, so the wait is a timer, never a
 * join here).  Unchanged mailboxes keep their workers and connections.
 */
static void
triaged_imap_reload(struct triaged *d, const struct config *cfg)
{
	static const struct timeval tick = { 0, 100000 };

	if (d->imap == NULL)
		return;		/* a restart is under way: it reads cfg */
	if (imap_poller_same(imap_poller_config(d->imap), cfg))
		return;
	log_info("imap: mailboxes changed, restarting the pollers");
	imap_poller_stop(d->imap);
	d->imap_old = d->imap;
	d->imap = NULL;
	if (d->ev_imap == NULL)
		d->ev_imap = event_new(d->base, -1, EV_PERSIST,
		    triaged_imap_cb, d);
	event_add(d->ev_imap, &tick);
}

static void
triaged_imap_cb(evutil_socket_t fd, short what, void *arg)
{
	struct triaged *d = arg;

	if (!imap_poller_done(d->imap_old))
		return;
	event_del(d->ev_imap);
	imap_poller_free(d->imap_old);		/* threads have ended */
	d->imap_old = NULL;
	if (d->ev_drain == NULL)
		(void)triaged_imap_start(d);
}

/*
 * The writer's completion callback, on its thread: the units' done
 * callbacks run on the loop thread (they answer SMTP/LMTP sessions).
 */
static void
triaged_writer_notify(void *arg)
{
	struct triaged *d = arg;

	event_active(d->ev_writer, 0, 0);
}

/* On the loop thread: complete the units; mail queued wakes the sender. */
static void
triaged_writer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct triaged *d = arg;

	if (store_writer_complete(d->writer) && d->sender != NULL)
		sender_wake(d->sender);
}

static void
triaged_free(struct triaged *d)
{
	size_t i;

	/*
	 * The IMAP workers hand nothing more to the writer; the sender
	 * finishes its delivery in flight and its mark; then the writer
	 * stops, completing what is in flight (a worker waiting for its
	 * batch is released), and the workers are joined.  The writer goes
	 * first: its last completions answer sessions that must still exist.
	 */
	imap_poller_detach(d->imap);
	imap_poller_detach(d->imap_old);
	if (d->sender != NULL)		/* its marks go through the writer */
		sender_stop(d->sender);
	d->sender = NULL;
	if (d->writer != NULL)
		store_writer_stop(d->writer);
	if (d->ev_writer != NULL)
		event_free(d->ev_writer);
	imap_poller_free(d->imap);
	imap_poller_free(d->imap_old);
	if (d->ev_imap != NULL)
		event_free(d->ev_imap);
	free(d->database);
	for (i = 0; i < d->nlisteners; i++) {
		if (d->listeners[i].server != NULL)
			smtp_server_free(d->listeners[i].server);
		smtp_intake_free(d->listeners[i].intake);
	}
	free(d->listeners);
	inflight_free(d->inflight);	/* after the sessions gave it back */
	desk_timers_free(d->timers);	/* the writer ran their last done */
	if (d->ev_term != NULL) {
		event_free(d->ev_term);
		event_free(d->ev_int);
		event_free(d->ev_hup);
	}
	if (d->ev_drain != NULL)
		event_free(d->ev_drain);
	if (d->ssl_ctx != NULL)
		SSL_CTX_free(d->ssl_ctx);
	for (i = 0; i < d->nold_ctx; i++)
		SSL_CTX_free(d->old_ctx[i]);
	free(d->old_ctx);
	if (d->base != NULL)
		event_base_free(d->base);
	log_info("stopped");
}
