/*
 * triaged: the daemon's main.  Options, the event loop, signals, reload
 * and shutdown; everything of the domain lives in libtriage.
 *
 *   triaged [-v] [-c file]            run in the foreground
 *   triaged -t [-c file]              check the configuration and exit
 *   triaged -t [-c file] --print      ... and print the effective settings
 *   triaged [-c file] inject [-f sender] [-r rcpt] < message
 *   triaged --help | --version
 *
 * Exit status (sysexits.h): 0 done, 1 the configuration or the start
 * failed, EX_USAGE (64) bad options, EX_CONFIG (78) started as root
 * without `user`.
 */
#include <sys/random.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <getopt.h>
#include <grp.h>
#include <malloc.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "config_agents.h"
#include "config.h"
#include "config_http.h"
#include "config_schema.h"
#include "desk_timers.h"
#include "error.h"
#include "http_dash.h"
#include "http_intake.h"
#include "http_metrics.h"
#include "http_server.h"
#include "imap_poller.h"
#include "inflight.h"
#include "inject.h"
#include "kb.h"
#include "log.h"
#include "metrics.h"
#include "reply_key.h"
#include "sender.h"
#include "service_notify.h"
#include "smtp_intake.h"
#include "smtp_server.h"
#include "store.h"
#include "store_writer.h"
#include "tls.h"
#include "xmalloc.h"

#define TRIAGED_DEFAULT_CONFIG	SYSCONFDIR "/triaged/triaged.conf"
/* How long SIGTERM waits for messages in flight before giving up. */
#define TRIAGED_DRAIN_SECONDS	30
/* How often STATUS= is refreshed for systemctl status (or the watchdog's). */
#define TRIAGED_STATUS_SECONDS	30

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
	char			*instance;	/* triaged_instance */
	struct imap_poller	*imap;		/* the running mailbox workers */
	struct imap_poller	*imap_old;	/* stopping after a reload */
	struct desk_timers	*timers;	/* SLA passes, surveys, digests */
	struct metrics		*metrics;	/* /metrics' counters */
	struct http_metrics	*http_pages;	/* /healthz, /metrics */
	struct http_intake	*http_api;	/* /api/v1/requests */
	struct http_dash	*http_dash;	/* the dashboard: /login, / */
	struct http_server	*http;		/* http = { } */
	struct http_server	*http_scrape;	/* metrics = { } */
	SSL_CTX			*http_ssl;	/* http.tls */
	struct event		*ev_imap;	/* waits for imap_old */
	struct event		*ev_writer;	/* the writer completed units */
	struct event		*ev_term, *ev_int, *ev_hup, *ev_drain;
	char			*ready;		/* " lmtp=ADDR:PORT ..." */
	long long		 drain_deadline;
	struct event		*ev_service;	/* watchdog and STATUS= */
	bool			 notify_failed;	/* logged once */
};

static __attribute__((noreturn)) void usage(bool);
static bool	triaged_wants_inject(int, char **);
static void	help(void);
static void	triaged_settings(void);
static void	triaged_malloc_tuning(void);
static struct config *triaged_load(const char *path, bool check);
static void	triaged_log_dest(const struct config *);
static void	triaged_print_paths(const struct config *);
static bool	triaged_root_refused(const struct config *);
static int	triaged_privdrop(const struct config *, bool);
static int	triaged_chown_new(const struct config *, uid_t, gid_t);
static bool	triaged_dir_only_key(const char *, const char *);
static int	triaged_store_start(struct triaged *, const struct config *);
static char	*triaged_instance(void);
static int	triaged_store_private(const char *database);
static void	triaged_reload_restart(const struct config *,
		    const struct config *);
static int	triaged_run(struct triaged *);
static int	triaged_listen(struct triaged *, const struct config *);
static int	triaged_http_listen(struct triaged *, const struct config *);
static struct http_server *triaged_http_bind(struct triaged *,
		    const struct config_http_listen *, SSL_CTX *, const char *);
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
static void	triaged_notify(struct triaged *, const char *);
static void	triaged_service_start(struct triaged *);
static void	triaged_service_cb(evutil_socket_t, short, void *);
static void	triaged_service_status(struct triaged *, bool);
static void	triaged_reload_config(struct triaged *);

/*
 * A bad command line under "inject" is the MTA's pipe line written wrong:
 * the admin's mistake, not the message's, so it exits EX_TEMPFAIL and the
 * MTA keeps the mail queued until the line is fixed (EX_USAGE would make
 * it bounce every customer's mail meanwhile).
 */
static void
usage(bool inject)
{
	fprintf(stderr, "usage: triaged [-tv] [-c file] [--print] "
	    "[--settings]\n"
	    "       triaged inject [-c file] [-f sender] [-r recipient] "
	    "[--silent] < message\n"
	    "       triaged --help | --version\n");
	exit(inject ? EX_TEMPFAIL : EX_USAGE);
}

/* Whether the word "inject" is among the arguments (before getopt). */
static bool
triaged_wants_inject(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "inject") == 0)
			return true;
	return false;
}

/* The schema table: what README's settings table is made from. */
static void
triaged_settings(void)
{
	struct buf out;

	buf_init(&out);
	config_schema_table(&out);
	fputs(out.data != NULL ? out.data : "", stdout);
	buf_release(&out);
}

static void
help(void)
{
	printf("usage: triaged [-tv] [-c file]\n"
	    "       triaged inject [-c file] [-f sender] [-r recipient] "
	    "[--silent] < message\n"
	    "\n"
	    "The helpdesk mail gateway daemon: runs in the foreground.\n"
	    "  -c file     configuration (default %s)\n"
	    "  -t          check the configuration, print \"configuration "
	    "OK\" or every\n"
	    "              error, and exit; changes nothing on disk\n"
	    "  -v          log debug messages\n"
	    "  --print     with -t: print the effective settings as a "
	    "config file\n"
	    "  --settings  print the table of every setting (Markdown)\n"
	    "  inject      read one message on stdin and store it "
	    "(MTA pipe)\n"
	    "  -f sender   inject: the envelope sender\n"
	    "  -r rcpt     inject: the envelope recipient\n"
	    "  --silent    inject: old mail (bulk import): store it, "
	    "send nothing\n"
	    "  --help      this text\n"
	    "  --version   the version\n"
	    "Signals: HUP reloads the configuration, TERM and INT stop "
	    "after the\nmessages in flight.  Exit status: 0 done, 1 "
	    "configuration or start\nfailed, 64 usage, 78 root without "
	    "`user`; inject: 0 stored, 75 try again\nlater (every "
	    "failure of ours), 65 a message never taken.\nSee triaged(8), "
	    "triaged.conf(5).\n", TRIAGED_DEFAULT_CONFIG);
}

/*
 * glibc gives a thread arena's free top back to the kernel (madvise) as
 * soon as it exceeds 128 KB, and SQLite's writer frees about that much
 * after every statement that builds an ephemeral table or an FTS5 segment.
 * Each madvise flushes the TLB of every CPU the process runs on; with
 * every intake stage configured that was a quarter of the writer's time
 * and a fifth of the daemon's (README, Benchmarks).  Keep up to 8 MB free
 * per arena instead; allocations from 4 MB (large messages) still get
 * their own mapping, returned when freed.  The cost is memory a peak used
 * and no longer needs, bounded by 8 MB per arena.
 */
static void
triaged_malloc_tuning(void)
{
#if defined(M_TRIM_THRESHOLD) && defined(M_MMAP_THRESHOLD)
	(void)mallopt(M_TRIM_THRESHOLD, 8 * 1024 * 1024);
	(void)mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
#endif
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help",	no_argument,	NULL, 'H' },
		{ "version",	no_argument,	NULL, 'V' },
		{ "print",	no_argument,	NULL, 'p' },
		{ "silent",	no_argument,	NULL, 'S' },
		{ "settings",	no_argument,	NULL, 'L' },
		{ NULL,		0,		NULL, 0 }
	};
	struct triaged d;
	struct config *cfg;
	const char *mail_from = NULL, *rcpt = NULL;
	bool check = false, verbose = false, inject = false, print = false;
	bool silent = false;
	int ch, rc;

	/* Everything we create is ours and our group's only (issue 13). */
	umask(027);
	triaged_malloc_tuning();
	memset(&d, 0, sizeof(d));
	d.config_path = TRIAGED_DEFAULT_CONFIG;
	inject = triaged_wants_inject(argc, argv);
	/*
	 * Options may come before or after the word "inject" (GNU getopt
	 * permutes), so "triaged inject -c FILE -f SENDER" works as MTA
	 * pipe lines are usually written.
	 */
	while ((ch = getopt_long(argc, argv, "c:f:r:tv", opts, NULL)) != -1) {
		switch (ch) {
		case 'H':
			help();
			return 0;
		case 'V':
			printf("triaged %s\n", PACKAGE_VERSION);
			return 0;
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
		case 'L':
			triaged_settings();
			return 0;
		case 'p':
			print = true;
			break;
		case 'S':
			silent = true;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			usage(inject);
		}
	}
	argc -= optind;
	argv += optind;
	if (inject ? argc != 1 : argc > 0 || mail_from != NULL ||
	    rcpt != NULL || silent || (print && !check))
		usage(inject);
	log_init(0, verbose ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO, "triaged");
	/*
	 * Under inject, an unreadable or broken config is the admin's to
	 * fix: the MTA defers (EX_TEMPFAIL) and retries, nothing bounces.
	 */
	if ((cfg = triaged_load(d.config_path, check)) == NULL)
		return inject ? EX_TEMPFAIL : 1;
	if (check) {
		if (print) {
			struct buf out;

			buf_init(&out);
			config_schema_print(cfg, &out);
			fputs(out.data != NULL ? out.data : "", stdout);
			buf_release(&out);
		}
		if (verbose)
			triaged_print_paths(cfg);
		/* under --print, stdout is a config file: keep it one */
		fprintf(print ? stderr : stdout, "configuration OK\n");
		config_unref(cfg);
		return 0;
	}
	if (!verbose) {
		enum log_level level;

		if (log_level_parse(cfg->log_level, &level) == 0)
			log_set_level(level);
	}
	if (!inject)	/* the MTA reads inject's stderr */
		triaged_log_dest(cfg);
	/*
	 * Before a socket is bound or a byte of mail read.  Under inject a
	 * refusal is the admin's to fix, so the MTA defers (75): EX_CONFIG
	 * would bounce in Postfix's table (5.3.5).
	 */
	if (triaged_root_refused(cfg)) {
		config_unref(cfg);
		return inject ? EX_TEMPFAIL : EX_CONFIG;
	}
	config_set_current(cfg);
	if (inject) {
		/*
		 * inject started as root (by hand, a root procmail) becomes
		 * `user` before it opens the store as the daemon does, so the
		 * files it makes belong to the service user; an MTA's pipe
		 * runs it unprivileged already and stays who it is.
		 */
		if (geteuid() == 0 && triaged_privdrop(cfg, true) == -1)
			rc = EX_TEMPFAIL;
		else
			rc = inject_main(cfg, mail_from, rcpt, silent);
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
triaged_load(const char *path, bool check)
{
	struct config *cfg;
	struct buf errors;
	struct error err;

	buf_init(&errors);
	cfg = config_load(path, &errors);
	if (cfg == NULL)
		fprintf(stderr, "%s%s", errors.data,
		    errors.len > 0 && errors.data[errors.len - 1] != '\n' ?
		    "\n" : "");
	buf_release(&errors);
	/* a check (-t) reads the key but makes none */
	error_clear(&err);
	if (cfg != NULL && reply_key_load(cfg, !check, &err) == -1) {
		fprintf(stderr, "%s\n", err.msg);
		config_unref(cfg);
		return NULL;
	}
	return cfg;
}

/*
 * triaged -t -v: the files the daemon would use, every relative path of
 * the config resolved against its directory (config.c).
 */
static void
triaged_print_paths(const struct config *cfg)
{
	const char *where = NULL, *secret;

	printf("config %s\n", cfg->path);
	printf("database %s\n", cfg->database);
	if ((secret = config_agents_secret_file(cfg, &where)) != NULL)
		printf("reply key %s (agent_mail.secret_file)\n", secret);
	else if (config_agents_keyfile(cfg) != NULL)
		printf("reply key %s\n", config_agents_keyfile(cfg));
	printf("outgoing maildir %s%s\n", cfg->outgoing_maildir,
	    cfg->smarthost_host != NULL ? " (unused: smarthost set)" : "");
	if (cfg->tls_certificate != NULL)
		printf("tls certificate %s\ntls key %s\n",
		    cfg->tls_certificate, cfg->tls_key);
	if (cfg->smarthost_ca_file != NULL)
		printf("smarthost ca_file %s\n", cfg->smarthost_ca_file);
}

static void
triaged_log_dest(const struct config *cfg)
{
	enum log_dest dest;

	if (log_dest_parse(cfg->log_dest, &dest) == 0)
		log_set_dest(dest);
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
	/*
	 * Bound and read as root; then the drop, before the store opens (its
	 * files belong to the service user) and before any mail is read.
	 */
	if (triaged_listen(d, cfg) == -1 || triaged_http_listen(d, cfg) == -1 ||
	    triaged_privdrop(cfg, false) == -1 ||
	    triaged_store_start(d, cfg) == -1 || triaged_imap_start(d) == -1)
		goto out;
	http_metrics_set_ready(d->http_pages, true);
	d->timers = desk_timers_start(d->base, d->writer);
	kb_reload_submit(d->writer, cfg);
	log_info("ready%s database=%s instance=%s", d->ready, cfg->database,
	    d->instance);
	if (clock_is_fake())
		log_warnx("clock: fake time from TRIAGED_FAKE_TIME (tests only)");
	d->ev_term = evsignal_new(d->base, SIGTERM, triaged_signal_cb, d);
	d->ev_int = evsignal_new(d->base, SIGINT, triaged_signal_cb, d);
	d->ev_hup = evsignal_new(d->base, SIGHUP, triaged_signal_cb, d);
	event_add(d->ev_term, NULL);
	event_add(d->ev_int, NULL);
	event_add(d->ev_hup, NULL);
	triaged_service_start(d);
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

		tl->intake = smtp_intake_new(proto, NULL, &tl->cb);
		d->nlisteners++;
		tl->server = smtp_server_new(d->base, proto, l->address,
		    l->port, cfg->hostname, &limits,
		    proto == SMTP_PROTO_SMTP ? d->ssl_ctx : NULL, &tl->cb, &err);
		if (tl->server == NULL) {
			log_errorx("listen %s %s:%d: %s", proto ==
			    SMTP_PROTO_LMTP ? "lmtp" : "smtp", l->address,
			    l->port, err.msg);
			buf_release(&ready);
			return -1;
		}
		smtp_server_set_inflight(tl->server, d->inflight);
		buf_printf(&ready, " %s=%s:%d", proto == SMTP_PROTO_LMTP ?
		    "lmtp" : "smtp", l->address, smtp_server_port(tl->server));
	}
	d->ready = buf_steal(&ready, NULL);
	return 0;
}

/*
 * The HTTP listeners (issue 18), bound with the mail ones, as root:
 * /healthz on each, /metrics on its own listener when `metrics` is set
 * (so it can be reached by the scraper alone), else on http's.
 */
static int
triaged_http_listen(struct triaged *d, const struct config *cfg)
{
	const struct config_http_listen *h = config_http(cfg);
	const struct config_http_listen *m = config_http_metrics(cfg);
	struct config_http_listen scrape;
	struct error err;

	d->metrics = metrics_new();
	d->http_pages = http_metrics_new(d->metrics);
	d->http_api = http_intake_new();
	if (h != NULL && h->tls_certificate != NULL) {
		error_clear(&err);
		if ((d->http_ssl = tls_server_ctx_new(h->tls_certificate,
		    h->tls_key, &err)) == NULL) {
			log_errorx("http: tls: %s", err.msg);
			return -1;
		}
	}
	if (h != NULL) {
		if ((d->http = triaged_http_bind(d, h, d->http_ssl,
		    "http")) == NULL)
			return -1;
		http_metrics_routes(d->http_pages, d->http, m == NULL);
		http_intake_routes(d->http_api, d->http);
		/* last: it takes every path the others do not */
		d->http_dash = http_dash_new(d->base,
		    h->tls_certificate != NULL);
		http_dash_routes(d->http_dash, d->http);
	}
	if (m != NULL) {
		/* the scrape listener takes http's limits, or the defaults */
		scrape = *m;
		if (h != NULL) {
			scrape.max_header_size = h->max_header_size;
			scrape.max_body_size = h->max_body_size;
			scrape.max_connections = h->max_connections;
			scrape.timeout = h->timeout;
		}
		if ((d->http_scrape = triaged_http_bind(d, &scrape, NULL,
		    "metrics")) == NULL)
			return -1;
		http_metrics_routes(d->http_pages, d->http_scrape, true);
	}
	return 0;
}

static struct http_server *
triaged_http_bind(struct triaged *d, const struct config_http_listen *l,
    SSL_CTX *ssl_ctx, const char *name)
{
	struct http_server *srv;
	struct error err;
	char *ready;

	error_clear(&err);
	srv = http_server_new(d->base, l, ssl_ctx, d->metrics, &err);
	if (srv == NULL) {
		log_errorx("listen %s %s:%d: %s", name, l->address, l->port,
		    err.msg);
		return NULL;
	}
	xasprintf(&ready, "%s %s=%s:%d", d->ready != NULL ? d->ready : "",
	    name, l->address, http_server_port(srv));
	free(d->ready);
	d->ready = ready;
	return srv;
}

/*
 * Started as root without `user`: refused (issue 13), since every byte of
 * hostile mail would then be parsed as root.  Running as root stays
 * possible, but only said so: `user = "root"` (the source tree's demo
 * config does, for the quick start; the installed one says "triaged").
 * An empty `user` started by anyone else runs as that user.  -t does not
 * ask: the unit checks as the service user, an admin as root, and the
 * answer must not depend on who asks.
 */
static bool
triaged_root_refused(const struct config *cfg)
{
	if (cfg->user != NULL || geteuid() != 0)
		return false;
	log_errorx("%s: user: running as root needs the account to drop to "
	    "(user = \"triaged\"); user = \"root\" runs as root knowingly",
	    cfg->path);
	return true;
}

/*
 * started as root with `user`: become it (group, supplementary groups,
 * then user, as Postfix's set_ugid), after a new database's directory
 * and reply key, made as root, were given to it.  `user = "root"` drops
 * nothing: the daemon (not inject, whose stderr the MTA reads) warns;
 * started by another user it runs as that one, with less than it asked.
 */
static int
triaged_privdrop(const struct config *cfg, bool quiet)
{
	struct passwd *pw;
	struct group *gr;
	gid_t gid;

	if (cfg->user == NULL)
		return 0;	/* not root: triaged_root_refused() */
	if ((pw = getpwnam(cfg->user)) == NULL) {
		log_errorx("user %s: no such user", cfg->user);
		return -1;
	}
	if (pw->pw_uid == 0) {
		if (geteuid() == 0 && !quiet)
			log_warnx("running as root (user = \"%s\" in %s): "
			    "mail is parsed as root", cfg->user, cfg->path);
		return 0;
	}
	gid = pw->pw_gid;
	if (cfg->group != NULL) {
		if ((gr = getgrnam(cfg->group)) == NULL) {
			log_errorx("group %s: no such group", cfg->group);
			return -1;
		}
		gid = gr->gr_gid;
	}
	if (geteuid() != 0) {
		if (geteuid() == pw->pw_uid && getegid() == gid)
			return 0;	/* systemd's User= did it already */
		log_errorx("user %s: must be started as root or as %s",
		    cfg->user, cfg->user);
		return -1;
	}
	if (triaged_chown_new(cfg, pw->pw_uid, gid) == -1)
		return -1;
	if (setgroups(1, &gid) == -1 || setresgid(gid, gid, gid) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1) {
		log_errorx("user %s: cannot become it: %s", cfg->user,
		    strerror(errno));
		return -1;
	}
	if (setuid(0) != -1)
		fatalx("user %s: could become root again", cfg->user);
	if (!quiet)
		log_info("running as user=%s uid=%d gid=%d", cfg->user,
		    (int)pw->pw_uid, (int)gid);
	return 0;
}

/*
 * A new database (no file yet): its directory and the reply key the
 * config load just made as root go to the service user.  The directory
 * only while it holds nothing else (never /var/lib for "/var/lib/x.db");
 * an existing database is left as the admin keeps it.
 */
static int
triaged_chown_new(const struct config *cfg, uid_t uid, gid_t gid)
{
	char *dir, *slash, *key;
	struct stat st;
	int rc = 0;

	if (stat(cfg->database, &st) == 0 || store_is_remote(cfg->database))
		return 0;
	dir = xstrdup(cfg->database);
	if ((slash = strrchr(dir, '/')) != NULL)
		*(slash == dir ? slash + 1 : slash) = '\0';
	else
		(void)strlcpy(dir, ".", 2);
	xasprintf(&key, "%s.reply-key", cfg->database);
	(void)mkdir(dir, 0750);
	if (stat(dir, &st) == 0 && st.st_uid != uid &&
	    triaged_dir_only_key(dir, key) && chown(dir, uid, gid) == -1)
		rc = -1;
	if (rc == 0 && stat(key, &st) == 0 && st.st_uid == 0 &&
	    chown(key, uid, gid) == -1)
		rc = -1;
	if (rc == -1)
		log_errorx("database %s: cannot give it to uid %d: %s",
		    cfg->database, (int)uid, strerror(errno));
	free(key);
	free(dir);
	return rc;
}

/* Does dir hold nothing but (perhaps) the file key? */
static bool
triaged_dir_only_key(const char *dir, const char *key)
{
	const char *base = strrchr(key, '/') != NULL ? strrchr(key, '/') + 1 :
	    key;
	struct dirent *de;
	bool only = true;
	DIR *dp;

	if ((dp = opendir(dir)) == NULL)
		return false;
	while (only && (de = readdir(dp)) != NULL)
		only = strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, base) == 0;
	closedir(dp);
	return only;
}

/*
 * The store, opened as the service user.  A new database gets its reply
 * key first (it is born with the database, even before agents are
 * configured; triaged_load made it already when agents are), so a key
 * missing later beside a database is always a loss (README).
 */
static int
triaged_store_start(struct triaged *d, const struct config *cfg)
{
	struct stat st;
	struct error err;
	char *key;
	size_t i;

	error_clear(&err);
	if (!store_is_remote(cfg->database) &&
	    triaged_store_private(cfg->database) == -1)
		return -1;
	if (!store_is_remote(cfg->database) &&
	    stat(cfg->database, &st) == -1 && errno == ENOENT) {
		xasprintf(&key, "%s.reply-key", cfg->database);
		if (stat(key, &st) == -1 && errno == ENOENT &&
		    reply_key_new(cfg->database, &err) == -1) {
			log_errorx("reply key: %s", err.msg);
			free(key);
			return -1;
		}
		free(key);
	}
	d->database = xstrdup(cfg->database);
	d->instance = triaged_instance();
	if ((d->ev_writer = event_new(d->base, -1, 0, triaged_writer_cb,
	    d)) == NULL ||
	    (d->writer = store_writer_start(cfg->database,
	    (size_t)cfg->database_writers, triaged_writer_notify, d, &err)) == NULL ||
	    (d->sender = sender_start(cfg->database, d->writer, d->instance,
	    cfg->outbox_lease, &err)) == NULL) {
		log_errorx("store %s: %s", cfg->database, err.msg);
		return -1;
	}
	for (i = 0; i < d->nlisteners; i++)
		smtp_intake_set_writer(d->listeners[i].intake, d->writer);
	store_writer_set_metrics(d->writer, d->metrics);
	http_metrics_set_writer(d->http_pages, d->writer);
	http_intake_set_writer(d->http_api, d->writer);
	if (d->http_dash != NULL)
		http_dash_start(d->http_dash, cfg->database, d->writer);
	return 0;
}

/*
 * This process among the instances that share a database (README
 * "Several instances"): "HOST:PID:RANDOM", what its claims on outbox rows
 * carry.  Host and pid say to an admin whose claim a row holds; the
 * random part keeps two lives of one pid (a restart, a container) apart,
 * so a restarted instance never takes its predecessor's claims for its
 * own before their lease ran out.
 */
static char *
triaged_instance(void)
{
	char host[256], *id;
	uint32_t r;

	if (gethostname(host, sizeof(host)) == -1)
		(void)strlcpy(host, "unknown", sizeof(host));
	host[sizeof(host) - 1] = '\0';
	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (uint32_t)clock_mono_ms() ^ (uint32_t)getpid();
	xasprintf(&id, "%s:%ld:%08x", host, (long)getpid(), (unsigned)r);
	return id;
}

/*
 * The database holds every customer's mail: a file of it (or its WAL or
 * shared memory, which hold recent pages) open to others is refused, on
 * one line, as the reply key is (issue 13).  Files triaged makes are
 * 0640 (umask 027); this catches a copy restored with cp as root, or a
 * database from before the umask.  Checked as the service user, after
 * the drop: what matters is the file, not who looks.
 */
static int
triaged_store_private(const char *database)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	struct stat st;
	char *path;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		xasprintf(&path, "%s%s", database, suffix[i]);
		if (stat(path, &st) == 0 && (st.st_mode & S_IRWXO) != 0) {
			log_errorx("database %s is open to others (mode %04o): "
			    "any local user could read the stored mail; run "
			    "chmod o-rwx %s*", path,
			    (unsigned)(st.st_mode & 07777), database);
			rc = -1;
		}
		free(path);
	}
	return rc;
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
	triaged_notify(d, "STOPPING=1\nSTATUS=stopping: finishing messages "
	    "in flight");
	for (i = 0; i < d->nlisteners; i++)
		if (d->listeners[i].server != NULL)
			smtp_server_close(d->listeners[i].server);
	http_metrics_set_ready(d->http_pages, false);
	if (d->http != NULL)
		http_server_close(d->http);
	if (d->http_scrape != NULL)
		http_server_close(d->http_scrape);
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
 * a broken one is logged, on one line, and the old one stays.  Listeners,
 * the database, the user and the log destination are set at start: a
 * change to them is refused loudly (a warning naming them; the rest of
 * the file applies).  Rebinding live is no option once privileges are
 * dropped (port 25 needs root), and Postfix's master.cf and Dovecot's
 * listeners take a restart too.
 */
static void
triaged_reload(struct triaged *d)
{
	if (service_notify_reloading() == -1 && !d->notify_failed) {
		d->notify_failed = true;
		log_warnx("notify: %s: %s", getenv("NOTIFY_SOCKET"),
		    strerror(errno));
	}
	triaged_reload_config(d);
	triaged_service_status(d, true);
}

static void
triaged_reload_config(struct triaged *d)
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
		/* one event, one line: "file:line: a; file:line: b" */
		for (i = 0; i < errors.len; i++)
			if (errors.data[i] == '\n')
				errors.data[i] = i + 1 < errors.len ? ';' : ' ';
		log_errorx("reload failed, keeping the running "
		    "configuration: %s", errors.data);
		buf_release(&errors);
		return;
	}
	buf_release(&errors);
	error_clear(&err);
	if (reply_key_load(cfg, true, &err) == -1) {
		log_warnx("reload failed, keeping the running configuration:"
		    "\n%s", err.msg);
		config_unref(cfg);
		return;
	}
	old = config_current();
	triaged_reload_restart(old, cfg);
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
	kb_reload_submit(d->writer, cfg);	/* articles may have changed */
	triaged_imap_reload(d, cfg);
}

/* Warns, once, which changed settings wait for a restart. */
static void
triaged_reload_restart(const struct config *old, const struct config *cfg)
{
	struct buf names;
	bool listen = old->nlisten != cfg->nlisten;
	size_t i;

	for (i = 0; !listen && i < cfg->nlisten; i++)
		listen = old->listen[i].proto != cfg->listen[i].proto ||
		    old->listen[i].port != cfg->listen[i].port ||
		    strcmp(old->listen[i].address, cfg->listen[i].address) != 0;
	buf_init(&names);
	if (listen)
		buf_append_str(&names, " listen");
	if (!config_http_same_listen(old, cfg))
		buf_append_str(&names, " http/metrics");
	if (strcmp(old->database, cfg->database) != 0)
		buf_append_str(&names, " database");
	if (!xstreq(old->user, cfg->user) ||
	    !xstreq(old->group, cfg->group))
		buf_append_str(&names, " user/group");
	if (strcmp(old->log_dest, cfg->log_dest) != 0)
		buf_append_str(&names, " log");
	if (names.len > 0)
		log_warnx("reload: changed settings need a restart, still "
		    "running with the old ones:%s", names.data);
	buf_release(&names);
}

static int
triaged_imap_start(struct triaged *d)
{
	struct config *cfg = config_current();
	struct error err;

	error_clear(&err);
	d->imap = imap_poller_start(cfg, d->writer, d->database, d->instance,
	    &err);
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

/*
 * The service manager (systemd Type=notify, see service_notify.h): READY=1
 * once the listeners are bound, privileges dropped and the store open (the
 * "ready" log line), then a timer that pings the watchdog at half its
 * period and refreshes STATUS= with counts.  The ping comes from the
 * event loop itself, so a loop that hangs stops it and systemd restarts
 * the daemon.  Without $NOTIFY_SOCKET nothing is armed.
 */
static void
triaged_service_start(struct triaged *d)
{
	unsigned long long usec = service_watchdog_usec();
	struct timeval tv = { TRIAGED_STATUS_SECONDS, 0 };

	if (getenv("NOTIFY_SOCKET") == NULL)
		return;
	if (usec > 0 && usec / 2 < (unsigned long long)tv.tv_sec * 1000000) {
		tv.tv_sec = (time_t)(usec / 2 / 1000000);
		tv.tv_usec = (suseconds_t)(usec / 2 % 1000000);
	}
	if (usec > 0)
		log_info("notify: watchdog every %lld ms",
		    (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000);
	d->ev_service = event_new(d->base, -1, EV_PERSIST,
	    triaged_service_cb, d);
	event_add(d->ev_service, &tv);
	triaged_service_status(d, true);
}

static void
triaged_service_cb(evutil_socket_t fd, short what, void *arg)
{
	triaged_service_status(arg, false);
}

/* [READY=1,] WATCHDOG=1 (when asked for), STATUS= with counts. */
static void
triaged_service_status(struct triaged *d, bool ready)
{
	struct buf state;
	size_t i;
	int sessions = 0;

	if (d->ev_drain != NULL) {	/* STOPPING=1 said: only the pings */
		if (service_watchdog_usec() > 0)
			triaged_notify(d, "WATCHDOG=1");
		return;
	}
	for (i = 0; i < d->nlisteners; i++)
		if (d->listeners[i].server != NULL)
			sessions += smtp_server_sessions(d->listeners[i].server);
	buf_init(&state);
	buf_printf(&state, "%s%sSTATUS=serving%s: %d sessions, %zu "
	    "units waiting for commit, %zu message bytes in flight",
	    ready ? "READY=1\n" : "",
	    service_watchdog_usec() > 0 ? "WATCHDOG=1\n" : "", d->ready,
	    sessions, store_writer_pending(d->writer),
	    d->inflight != NULL ? inflight_bytes(d->inflight) : 0);
	triaged_notify(d, state.data);
	buf_release(&state);
}

/* One warning for the first failed send: the manager may be gone. */
static void
triaged_notify(struct triaged *d, const char *state)
{
	if (service_notify(state) == -1 && !d->notify_failed) {
		d->notify_failed = true;
		log_warnx("notify: %s: %s", getenv("NOTIFY_SOCKET"),
		    strerror(errno));
	}
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
	/* a login waiting for the reader may still give the writer work */
	http_dash_stop(d->http_dash);
	if (d->writer != NULL)
		store_writer_stop(d->writer);
	/* after the writer: its last completions answered HTTP requests */
	http_server_free(d->http);
	http_server_free(d->http_scrape);
	if (d->http_pages != NULL)
		http_metrics_free(d->http_pages);
	http_intake_free(d->http_api);
	http_dash_free(d->http_dash);
	metrics_free(d->metrics);
	if (d->http_ssl != NULL)
		SSL_CTX_free(d->http_ssl);
	if (d->ev_writer != NULL)
		event_free(d->ev_writer);
	imap_poller_free(d->imap);
	imap_poller_free(d->imap_old);
	if (d->ev_imap != NULL)
		event_free(d->ev_imap);
	free(d->database);
	free(d->instance);
	free(d->ready);
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
	if (d->ev_service != NULL)
		event_free(d->ev_service);
	if (d->ssl_ctx != NULL)
		SSL_CTX_free(d->ssl_ctx);
	for (i = 0; i < d->nold_ctx; i++)
		SSL_CTX_free(d->old_ctx[i]);
	free(d->old_ctx);
	if (d->base != NULL)
		event_base_free(d->base);
	log_info("stopped");
}
