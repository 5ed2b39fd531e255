/*
 * smtp_server: the server side of SMTP (RFC 5321) and LMTP (RFC 2033) on
 * libevent.  One listener, one struct smtp_session per connection, a
 * command table, PIPELINING, STARTTLS (RFC 3207) and enhanced status codes
 * (RFC 2034/3463).  Policy (which recipients, what to do with a message)
 * belongs to the callbacks; this file only speaks the protocol and keeps
 * hostile clients within the limits (promise 4).
 *
 * Line ends are strict where it matters (RFC 5321 2.3.8, as Postfix's
 * smtpd_forbid_bare_newline = normalize): only CRLF "." CRLF ends DATA,
 * so a second transaction hidden behind "<LF>.<CR><LF>" or
 * "<CR><LF>.<LF>" (SMTP smuggling) is text of the first message and never
 * a message of its own.  A bare LF inside DATA still ends a line of text
 * (many senders of LF-only files exist); a command ending in a bare LF is
 * refused.  See smtp_data_scan.
 *
 * Fairness (issue 20): one client address holds at most
 * max_connections_per_client slots; a connection must send its first
 * command within first_command_timeout and complete a mail transaction
 * every transaction_timeout (NOOP does not count), so idle connections
 * cannot keep a listener full.  Message bytes are charged to the
 * daemon-wide struct inflight budget from the first byte of DATA until
 * data_done.
 *
 * Promise 1 lives in the DATA hand-off: the final reply is written only
 * when smtp_session_data_done() arrives.  Until then the session reads
 * nothing (pipelined commands stay in the input buffer) and runs no idle
 * timer, and if the client goes away the session outlives its connection
 * until the answer comes.
 *
 * Lifetime: libevent callbacks may close a connection (bufferevent_free is
 * safe there) but never free a session.  Every callback holds the session
 * (busy count) and releases it on the way out; a session whose connection
 * is gone is freed on the last release, unless it still waits for
 * data_done, which then frees it.
 *
 * SMTPUTF8 (RFC 6531) is offered on both: MAIL FROM with the SMTPUTF8
 * parameter may carry UTF-8 in the addresses of MAIL and RCPT; without it
 * a UTF-8 address gets 553 5.6.7, as from Postfix.  8-bit in any other
 * command, and bytes that are not UTF-8, are refused.  The message (UTF-8
 * headers, RFC 6532) is stored as it came; the parser decodes it.
 *
 * Not here: AUTH (intake is for MTAs on a trusted network), CHUNKING.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include "buf.h"
#include "charset.h"
#include "clock.h"
#include "error.h"
#include "inflight.h"
#include "log.h"
#include "smtp_server.h"
#include "xmalloc.h"

#define SMTP_CMD_MAX		4096	/* command line, without CRLF */
#define SMTP_HELO_MAX		255
#define SMTP_PATH_MAX		256	/* RFC 5321 4.5.3.1.3 */
#define SMTP_MAX_ERRORS		20	/* then 421 and close */
#define SMTP_INPUT_HIGH		(64 * 1024)	/* stop reading above */
#define SMTP_OUTPUT_HIGH	(256 * 1024)	/* stop processing above */
#define SMTP_ACCEPT_BACKOFF	1	/* seconds, after EMFILE & co. */

enum smtp_state {
	SMTP_STATE_CONNECTED,	/* greeted; HELO/EHLO/LHLO expected */
	SMTP_STATE_HELO,	/* between transactions */
	SMTP_STATE_MAIL,	/* MAIL accepted: RCPT, DATA */
	SMTP_STATE_DATA,	/* reading the message */
	SMTP_STATE_WAIT,	/* message handed over, waiting for data_done */
	SMTP_STATE_STARTTLS,	/* 220 sent, flushing it before the handshake */
	SMTP_STATE_HANDSHAKE,	/* TLS handshake running */
	SMTP_STATE_CLOSING	/* last reply flushing, then close */
};

/* Where the DATA scanner is within the current line. */
enum smtp_data_state {
	SMTP_DATA_BOL,		/* at the start of a line */
	SMTP_DATA_DOT,		/* a line started with "." */
	SMTP_DATA_DOTCR,	/* a line started with ".\r" */
	SMTP_DATA_TEXT		/* inside a line */
};

/* Which limit the session's timer stands for. */
enum smtp_timer {
	SMTP_TIMER_IDLE,	/* idle_timeout */
	SMTP_TIMER_FIRST,	/* first_command_timeout */
	SMTP_TIMER_TX,		/* transaction_timeout */
	SMTP_TIMER_SESSION	/* session_timeout */
};

/*
 * What a session is started with; shared, refcounted, so a reload
 * changes it for new sessions only.
 */
struct smtp_settings {
	int			 refs;
	char			*hostname;
	struct smtp_limits	 limits;
	SSL_CTX			*ssl_ctx;	/* borrowed */
};

struct smtp_session {
	TAILQ_ENTRY(smtp_session) entry;
	struct smtp_server	*server;	/* NULL once detached at free */
	struct smtp_settings	*set;
	struct inflight		*inflight;	/* the server's, kept if detached */
	enum smtp_proto		 proto;
	struct bufferevent	*bev;		/* NULL once disconnected */
	struct event		*ev_timer;	/* idle, or close deadline */
	long long		 deadline_ms;	/* session_timeout; 0: none */
	long long		 first_ms;	/* first command due; 0: came */
	long long		 tx_ms;		/* transaction due; 0: none */
	enum smtp_timer		 timer_kind;	/* what ev_timer stands for */
	struct evbuffer_cb_entry *flush_cb;	/* TLS: flushing at close */
	enum smtp_state		 state;
	const char		*close_reason;
	char			 id[17];
	char			 peer[NI_MAXHOST];
	char			*helo;
	bool			 esmtp;
	bool			 tls;
	bool			 discarding;	/* rest of an overlong line */
	bool			 output_full;	/* client does not read */
	int			 busy;		/* callbacks running */
	int			 nerrors;
	int			 ntx;		/* transactions started */

	/* The transaction. */
	bool			 smtputf8;	/* MAIL FROM ... SMTPUTF8 */
	char			*mail_from;
	char		       **rcpts;
	size_t			 nrcpts;
	struct buf		*data;		/* NULL once over a limit */
	enum smtp_data_state	 data_state;
	size_t			 data_size;
	size_t			 line_len;
	bool			 line_cr;
	bool			 last_crlf;	/* the last line ended in CRLF */
	bool			 too_big;
	bool			 too_long;
	bool			 no_room;	/* inflight budget: 452 */
	size_t			 charged;	/* bytes charged to inflight */
};

TAILQ_HEAD(smtp_session_list, smtp_session);

struct smtp_server {
	struct event_base	*base;
	enum smtp_proto		 proto;
	struct evconnlistener	*listener;	/* NULL once closed */
	struct event		*ev_backoff;
	int			 port;
	struct smtp_settings	*set;
	struct smtp_callbacks	 cb;
	struct inflight		*inflight;	/* borrowed; NULL: no budget */
	struct smtp_session_list sessions;
	int			 nsessions;	/* allocated */
	int			 nconns;	/* with a connection */
};

struct smtp_command {
	const char	*name;
	void		(*fn)(struct smtp_session *, char *);
};

/* Settings. */
static struct smtp_settings *smtp_settings_new(const char *,
		    const struct smtp_limits *, SSL_CTX *);
static void	smtp_settings_unref(struct smtp_settings *);

/* Listener. */
static int	smtp_server_sockaddr(const char *, int,
		    struct sockaddr_storage *, socklen_t *, struct error *);
static void	smtp_server_accept_cb(struct evconnlistener *,
		    evutil_socket_t, struct sockaddr *, int, void *);
static void	smtp_server_accept_error_cb(struct evconnlistener *, void *);
static void	smtp_server_backoff_cb(evutil_socket_t, short, void *);
static void	smtp_server_refuse(struct smtp_server *, evutil_socket_t,
		    const char *, const char *, const char *, int);
static int	smtp_server_peer_conns(const struct smtp_server *,
		    const char *);
static const char *smtp_proto_name(enum smtp_proto);

/* Session lifetime and I/O. */
static void	smtp_session_new(struct smtp_server *, evutil_socket_t,
		    const char *);
static void	smtp_session_free(struct smtp_session *);
static void	smtp_session_release(struct smtp_session *);
static void	smtp_session_drop(struct smtp_session *, const char *);
static void	smtp_session_close(struct smtp_session *, const char *);
static size_t	smtp_session_pending(struct smtp_session *);
static void	smtp_session_flush_check(struct smtp_session *);
static void	smtp_session_flushed_cb(struct evbuffer *,
		    const struct evbuffer_cb_info *, void *);
static void	smtp_session_read_cb(struct bufferevent *, void *);
static void	smtp_session_write_cb(struct bufferevent *, void *);
static void	smtp_session_event_cb(struct bufferevent *, short, void *);
static void	smtp_session_timer_cb(evutil_socket_t, short, void *);
static void	smtp_session_eof(struct smtp_session *);
static void	smtp_session_timer_arm(struct smtp_session *);
static void	smtp_session_timer_min(long long, long long, enum smtp_timer,
		    long long *, enum smtp_timer *);
static void	smtp_session_timer_fired(struct smtp_session *);
static void	smtp_session_tx_restart(struct smtp_session *);
static bool	smtp_session_wants_input(const struct smtp_session *);
static void	smtp_session_update_read(struct smtp_session *);
static void	smtp_session_process(struct smtp_session *);
static bool	smtp_session_command(struct smtp_session *);
static void	smtp_session_dispatch(struct smtp_session *, char *, size_t);
static void	smtp_session_tls_start(struct smtp_session *);
static void	smtp_session_tls_ready(struct smtp_session *);
static void	smtp_session_tls_error(struct smtp_session *, short);
static const char *smtp_state_name(enum smtp_state);

/* Replies. */
static void	smtp_reply(struct smtp_session *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static void	smtp_reply_more(struct smtp_session *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static void	smtp_vreply(struct smtp_session *, int, char, const char *,
		    va_list) __attribute__((format(printf, 4, 0)));
static void	smtp_error(struct smtp_session *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static void	smtp_reply_each_rcpt(struct smtp_session *,
		    const struct smtp_reply *, size_t);

/* Commands. */
static void	smtp_cmd_helo(struct smtp_session *, char *);
static void	smtp_cmd_ehlo(struct smtp_session *, char *);
static void	smtp_cmd_lhlo(struct smtp_session *, char *);
static void	smtp_cmd_mail(struct smtp_session *, char *);
static void	smtp_cmd_rcpt(struct smtp_session *, char *);
static void	smtp_cmd_data(struct smtp_session *, char *);
static void	smtp_cmd_rset(struct smtp_session *, char *);
static void	smtp_cmd_noop(struct smtp_session *, char *);
static void	smtp_cmd_quit(struct smtp_session *, char *);
static void	smtp_cmd_vrfy(struct smtp_session *, char *);
static void	smtp_cmd_help(struct smtp_session *, char *);
static void	smtp_cmd_starttls(struct smtp_session *, char *);
static void	smtp_cmd_unimplemented(struct smtp_session *, char *);
static bool	smtp_greet(struct smtp_session *, const char *);
static bool	smtp_need_helo(struct smtp_session *);
static int	smtp_parse_path(char *, const char *, char **, char **);
static bool	smtp_valid_address(const char *);
static bool	smtp_plain_address(const char *);
static bool	smtp_mail_params(struct smtp_session *, char *, size_t *);
static bool	smtp_line_clean(const char *, size_t);
static bool	smtp_ascii(const char *);

/* The transaction and DATA. */
static void	smtp_tx_reset(struct smtp_session *);
static void	smtp_tx_uncharge(struct smtp_session *);
static void	smtp_tx_log(struct smtp_session *, const struct smtp_reply *);
static bool	smtp_data_consume(struct smtp_session *);
static size_t	smtp_data_scan(struct smtp_session *, const char *, size_t,
		    bool *);
static void	smtp_data_text(struct smtp_session *, const char *, size_t,
		    bool);
static bool	smtp_data_charge(struct smtp_session *);
static void	smtp_data_drop(struct smtp_session *);
static void	smtp_data_end(struct smtp_session *);
static void	smtp_data_received(struct smtp_session *, struct buf *);
static void	smtp_no_room(struct smtp_session *, const char *);
static void	smtp_date(char *, size_t);

static const struct smtp_command smtp_commands[] = {
	{ "HELO",	smtp_cmd_helo },
	{ "EHLO",	smtp_cmd_ehlo },
	{ "LHLO",	smtp_cmd_lhlo },
	{ "MAIL",	smtp_cmd_mail },
	{ "RCPT",	smtp_cmd_rcpt },
	{ "DATA",	smtp_cmd_data },
	{ "RSET",	smtp_cmd_rset },
	{ "NOOP",	smtp_cmd_noop },
	{ "QUIT",	smtp_cmd_quit },
	{ "VRFY",	smtp_cmd_vrfy },
	{ "HELP",	smtp_cmd_help },
	{ "STARTTLS",	smtp_cmd_starttls },
	{ "EXPN",	smtp_cmd_unimplemented },
	{ "ETRN",	smtp_cmd_unimplemented },
	{ "AUTH",	smtp_cmd_unimplemented },
	{ "BDAT",	smtp_cmd_unimplemented },
	{ "TURN",	smtp_cmd_unimplemented }
};

/* ------------------------------------------------------------------ */
/* The server and its listener                                        */

struct smtp_server *
smtp_server_new(struct event_base *base, enum smtp_proto proto,
    const char *address, int port, const char *hostname,
    const struct smtp_limits *limits, SSL_CTX *ssl_ctx,
    const struct smtp_callbacks *cb, struct error *err)
{
	struct smtp_server *srv;
	struct sockaddr_storage ss;
	socklen_t sslen;

	if (smtp_server_sockaddr(address, port, &ss, &sslen, err) == -1)
		return NULL;
	srv = xcalloc(1, sizeof(*srv));
	srv->listener = evconnlistener_new_bind(base, smtp_server_accept_cb,
	    srv, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE |
	    LEV_OPT_CLOSE_ON_EXEC, -1, (struct sockaddr *)&ss, (int)sslen);
	if (srv->listener == NULL) {
		error_set(err, ERR_TEMP, "cannot listen on %s port %d: %s",
		    address != NULL ? address : "*", port,
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		free(srv);
		return NULL;
	}
	sslen = sizeof(ss);
	if (getsockname(evconnlistener_get_fd(srv->listener),
	    (struct sockaddr *)&ss, &sslen) == 0) {
		srv->port = ss.ss_family == AF_INET6 ?
		    ntohs(((struct sockaddr_in6 *)&ss)->sin6_port) :
		    ntohs(((struct sockaddr_in *)&ss)->sin_port);
	} else
		srv->port = port;
	evconnlistener_set_error_cb(srv->listener,
	    smtp_server_accept_error_cb);
	srv->base = base;
	srv->proto = proto;
	srv->ev_backoff = evtimer_new(base, smtp_server_backoff_cb, srv);
	srv->set = smtp_settings_new(hostname, limits, ssl_ctx);
	srv->cb = *cb;
	TAILQ_INIT(&srv->sessions);
	return srv;
}

void
smtp_server_set_inflight(struct smtp_server *srv, struct inflight *inflight)
{
	srv->inflight = inflight;
}

int
smtp_server_port(const struct smtp_server *srv)
{
	return srv->port;
}

void
smtp_server_reconfigure(struct smtp_server *srv, const char *hostname,
    const struct smtp_limits *limits, SSL_CTX *ssl_ctx)
{
	smtp_settings_unref(srv->set);
	srv->set = smtp_settings_new(hostname, limits, ssl_ctx);
}

void
smtp_server_close(struct smtp_server *srv)
{
	if (srv->listener == NULL)
		return;
	evconnlistener_free(srv->listener);
	srv->listener = NULL;
	evtimer_del(srv->ev_backoff);
}

int
smtp_server_sessions(const struct smtp_server *srv)
{
	return srv->nsessions;
}

/*
 * The listener's own path (limits, 421 beyond max_connections), so a
 * session started here is the one a network client would get.
 */
void
smtp_server_adopt(struct smtp_server *srv, evutil_socket_t fd,
    struct sockaddr *sa, int salen)
{
	if (evutil_make_socket_nonblocking(fd) == -1 ||
	    evutil_make_socket_closeonexec(fd) == -1) {
		log_warnx("%s cannot adopt a socket: %s",
		    smtp_proto_name(srv->proto),
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		evutil_closesocket(fd);
		return;
	}
	smtp_server_accept_cb(srv->listener, fd, sa, salen, srv);
}

/*
 * Every connection is closed.  A session still waiting for data_done is
 * detached rather than freed: its connection goes now, the memory when
 * data_done arrives, so a late answer from the store never touches freed
 * memory.  (The daemon stops the store writer first, so normally none is
 * left waiting here.)
 */
void
smtp_server_free(struct smtp_server *srv)
{
	struct smtp_session *s;

	smtp_server_close(srv);
	while ((s = TAILQ_FIRST(&srv->sessions)) != NULL) {
		smtp_session_drop(s, "shutdown");
		TAILQ_REMOVE(&srv->sessions, s, entry);
		srv->nsessions--;
		s->server = NULL;
		if (s->state != SMTP_STATE_WAIT && s->busy == 0)
			smtp_session_free(s);
	}
	event_free(srv->ev_backoff);
	smtp_settings_unref(srv->set);
	free(srv);
}

static struct smtp_settings *
smtp_settings_new(const char *hostname, const struct smtp_limits *limits,
    SSL_CTX *ssl_ctx)
{
	struct smtp_settings *set = xcalloc(1, sizeof(*set));

	set->refs = 1;
	set->hostname = xstrdup(hostname != NULL ? hostname : "localhost");
	set->limits = *limits;
	set->ssl_ctx = ssl_ctx;
	return set;
}

static void
smtp_settings_unref(struct smtp_settings *set)
{
	if (--set->refs > 0)
		return;
	free(set->hostname);
	free(set);
}

/* NULL, "" or "*" is every address. */
static int
smtp_server_sockaddr(const char *address, int port,
    struct sockaddr_storage *ss, socklen_t *sslen, struct error *err)
{
	struct addrinfo hints, *res;
	char service[16];
	int rc;

	if (address != NULL && (*address == '\0' || strcmp(address, "*") == 0))
		address = NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(service, sizeof(service), "%d", port);
	if ((rc = getaddrinfo(address, service, &hints, &res)) != 0)
		return error_set(err, ERR_PERM, "listen address %s: %s",
		    address != NULL ? address : "*", gai_strerror(rc));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sslen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static void
smtp_server_accept_cb(struct evconnlistener *listener, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct smtp_server *srv = arg;
	const struct smtp_limits *lim = &srv->set->limits;
	char peer[NI_MAXHOST];

	(void)listener;
	if (getnameinfo(sa, (socklen_t)salen, peer, sizeof(peer), NULL, 0,
	    NI_NUMERICHOST) != 0)
		snprintf(peer, sizeof(peer), "unknown");
	if (srv->nconns >= lim->max_connections) {
		smtp_server_refuse(srv, fd, peer, "Too many connections",
		    "too many connections", lim->max_connections);
		return;
	}
	if (lim->max_connections_per_client > 0 &&
	    smtp_server_peer_conns(srv, peer) >=
	    lim->max_connections_per_client) {
		smtp_server_refuse(srv, fd, peer, "Too many connections from "
		    "your address", "too many connections from this address",
		    lim->max_connections_per_client);
		return;
	}
	smtp_session_new(srv, fd, peer);
}

/*
 * Over a connection limit: one best-effort 421 (a fresh socket has room
 * for it) and close, without spending a session on the peer.
 */
static void
smtp_server_refuse(struct smtp_server *srv, evutil_socket_t fd,
    const char *peer, const char *text, const char *reason, int limit)
{
	char line[300];
	int n;

	n = snprintf(line, sizeof(line), "421 4.7.0 %s, try again later\r\n",
	    text);
	if (n > 0 && (size_t)n < sizeof(line))
		(void)!send(fd, line, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	evutil_closesocket(fd);
	log_warnx("%s refused peer=%s reason=\"%s\" limit=%d",
	    smtp_proto_name(srv->proto), peer, reason, limit);
}

/*
 * Connections peer holds now.  A walk over the sessions: at most
 * max_connections of them, and only on accept, which is cheaper than
 * keeping a table per address in step.  Addresses are compared as
 * getnameinfo prints them, one bucket per IPv4 or IPv6 address.
 */
static int
smtp_server_peer_conns(const struct smtp_server *srv, const char *peer)
{
	const struct smtp_session *s;
	int n = 0;

	TAILQ_FOREACH(s, &srv->sessions, entry) {
		if (s->bev != NULL && strcmp(s->peer, peer) == 0)
			n++;
	}
	return n;
}

/*
 * accept(2) failed for a reason that will not go away by retrying now
 * (EMFILE, ENFILE, ENOBUFS): pause the listener instead of spinning on
 * the readable socket, and try again in a second.
 */
static void
smtp_server_accept_error_cb(struct evconnlistener *listener, void *arg)
{
	struct smtp_server *srv = arg;
	struct timeval tv = { SMTP_ACCEPT_BACKOFF, 0 };
	int e = EVUTIL_SOCKET_ERROR();

	log_warnx("%s listener port=%d accept failed: %s; pausing %d s",
	    smtp_proto_name(srv->proto), srv->port,
	    evutil_socket_error_to_string(e), SMTP_ACCEPT_BACKOFF);
	evconnlistener_disable(listener);
	evtimer_add(srv->ev_backoff, &tv);
}

static void
smtp_server_backoff_cb(evutil_socket_t fd, short what, void *arg)
{
	struct smtp_server *srv = arg;

	(void)fd;
	(void)what;
	if (srv->listener != NULL)
		evconnlistener_enable(srv->listener);
}

static const char *
smtp_proto_name(enum smtp_proto proto)
{
	return proto == SMTP_PROTO_LMTP ? "lmtp" : "smtp";
}

/* ------------------------------------------------------------------ */
/* Session lifetime                                                   */

static void
smtp_session_new(struct smtp_server *srv, evutil_socket_t fd,
    const char *peer)
{
	const struct smtp_limits *lim;
	struct smtp_session *s;
	unsigned char rnd[8];
	long long now;
	size_t i;

	s = xcalloc(1, sizeof(*s));
	s->bev = bufferevent_socket_new(srv->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (s->bev == NULL) {
		log_warnx("%s cannot create a bufferevent",
		    smtp_proto_name(srv->proto));
		evutil_closesocket(fd);
		free(s);
		return;
	}
	s->server = srv;
	s->inflight = srv->inflight;
	s->set = srv->set;
	s->set->refs++;
	s->proto = srv->proto;
	s->state = SMTP_STATE_CONNECTED;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		unsigned long long v = (unsigned long long)clock_mono_ms() ^
		    ((unsigned long long)(uintptr_t)s << 16);

		memcpy(rnd, &v, sizeof(rnd));
	}
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(s->id + 2 * i, 3, "%02x", rnd[i]);
	snprintf(s->peer, sizeof(s->peer), "%s", peer);
	s->ev_timer = evtimer_new(srv->base, smtp_session_timer_cb, s);
	lim = &s->set->limits;
	now = clock_mono_ms();
	if (lim->session_timeout > 0)
		s->deadline_ms = now + lim->session_timeout * 1000LL;
	if (lim->first_command_timeout > 0)
		s->first_ms = now + lim->first_command_timeout * 1000LL;
	smtp_session_tx_restart(s);
	TAILQ_INSERT_TAIL(&srv->sessions, s, entry);
	srv->nsessions++;
	srv->nconns++;
	bufferevent_setcb(s->bev, smtp_session_read_cb, smtp_session_write_cb,
	    smtp_session_event_cb, s);
	bufferevent_setwatermark(s->bev, EV_READ, 0, SMTP_INPUT_HIGH);
	bufferevent_enable(s->bev, EV_READ | EV_WRITE);
	log_info("%s session=%s connect peer=%s", smtp_proto_name(s->proto),
	    s->id, s->peer);
	smtp_reply(s, 220, "%s %s triaged", s->set->hostname,
	    s->proto == SMTP_PROTO_LMTP ? "LMTP" : "ESMTP");
	smtp_session_timer_arm(s);
}

static void
smtp_session_free(struct smtp_session *s)
{
	if (s->server != NULL) {
		TAILQ_REMOVE(&s->server->sessions, s, entry);
		s->server->nsessions--;
	}
	smtp_tx_reset(s);
	free(s->helo);
	smtp_settings_unref(s->set);
	free(s);
}

/*
 * The end of every libevent callback and of data_done: the last holder of
 * a session without connection frees it (unless it still waits for
 * data_done, whose caller holds the pointer).
 */
static void
smtp_session_release(struct smtp_session *s)
{
	if (--s->busy == 0 && s->bev == NULL && s->state != SMTP_STATE_WAIT)
		smtp_session_free(s);
}

/*
 * Closes the connection now (pending output is lost).  The session itself
 * stays until released; a transaction in DATA is discarded, one waiting
 * for data_done is kept for it.
 */
static void
smtp_session_drop(struct smtp_session *s, const char *reason)
{
	struct bufferevent *under;

	if (s->bev == NULL)
		return;
	log_info("%s session=%s disconnect peer=%s reason=\"%s\" "
	    "transactions=%d errors=%d%s", smtp_proto_name(s->proto), s->id,
	    s->peer, reason, s->ntx, s->nerrors,
	    s->state == SMTP_STATE_DATA ? " aborted=DATA" : "");
	if (s->flush_cb != NULL) {
		under = bufferevent_get_underlying(s->bev);
		if (under != NULL)
			evbuffer_remove_cb_entry(bufferevent_get_output(under),
			    s->flush_cb);
		s->flush_cb = NULL;
	}
	bufferevent_free(s->bev);
	s->bev = NULL;
	event_free(s->ev_timer);
	s->ev_timer = NULL;
	if (s->server != NULL)
		s->server->nconns--;
	if (s->state != SMTP_STATE_WAIT) {
		smtp_tx_reset(s);
		s->state = SMTP_STATE_CLOSING;
	}
}

/*
 * Closes after the replies queued so far have left (QUIT, 421), with a
 * deadline in case the client stops reading.
 */
static void
smtp_session_close(struct smtp_session *s, const char *reason)
{
	struct timeval tv;

	if (s->bev == NULL)
		return;
	if (s->state == SMTP_STATE_WAIT) {
		/* The message is borrowed by the callbacks: keep it. */
		smtp_session_drop(s, reason);
		return;
	}
	smtp_tx_reset(s);
	s->state = SMTP_STATE_CLOSING;
	s->close_reason = reason;
	smtp_session_update_read(s);
	if (smtp_session_pending(s) == 0) {
		smtp_session_drop(s, reason);
		return;
	}
	tv.tv_sec = s->set->limits.idle_timeout > 0 ?
	    s->set->limits.idle_timeout : 1;
	tv.tv_usec = 0;
	evtimer_add(s->ev_timer, &tv);
}

/* Bytes not yet handed to the kernel (TLS: plain and encrypted). */
static size_t
smtp_session_pending(struct smtp_session *s)
{
	struct bufferevent *under;
	size_t n;

	n = evbuffer_get_length(bufferevent_get_output(s->bev));
	if (s->tls && (under = bufferevent_get_underlying(s->bev)) != NULL)
		n += evbuffer_get_length(bufferevent_get_output(under));
	return n;
}

/*
 * CLOSING and our output buffer is empty.  Over TLS the records may still
 * sit in the underlying bufferevent, whose write callback belongs to the
 * filter: watch its buffer and close once it is empty.
 */
static void
smtp_session_flush_check(struct smtp_session *s)
{
	struct bufferevent *under;

	if (evbuffer_get_length(bufferevent_get_output(s->bev)) > 0)
		return;
	under = s->tls ? bufferevent_get_underlying(s->bev) : NULL;
	if (under != NULL &&
	    evbuffer_get_length(bufferevent_get_output(under)) > 0) {
		if (s->flush_cb == NULL)
			s->flush_cb = evbuffer_add_cb(
			    bufferevent_get_output(under),
			    smtp_session_flushed_cb, s);
		return;
	}
	smtp_session_drop(s, s->close_reason);
}

/*
 * Runs inside the underlying bufferevent's write path: do not free it
 * from here; let the timer callback close the session in a moment.
 */
static void
smtp_session_flushed_cb(struct evbuffer *out,
    const struct evbuffer_cb_info *info, void *arg)
{
	struct smtp_session *s = arg;

	(void)info;
	if (evbuffer_get_length(out) == 0 && s->ev_timer != NULL)
		event_active(s->ev_timer, EV_TIMEOUT, 1);
}

/* ------------------------------------------------------------------ */
/* Session events                                                     */

static void
smtp_session_read_cb(struct bufferevent *bev, void *arg)
{
	struct smtp_session *s = arg;

	(void)bev;
	s->busy++;
	smtp_session_timer_arm(s);
	smtp_session_process(s);
	smtp_session_release(s);
}

/* Output drained to empty. */
static void
smtp_session_write_cb(struct bufferevent *bev, void *arg)
{
	struct smtp_session *s = arg;

	(void)bev;
	s->busy++;
	if (s->state == SMTP_STATE_CLOSING)
		smtp_session_flush_check(s);
	else if (s->state == SMTP_STATE_STARTTLS)
		smtp_session_tls_start(s);
	else if (s->output_full) {
		s->output_full = false;
		smtp_session_process(s);
	}
	smtp_session_release(s);
}

static void
smtp_session_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct smtp_session *s = arg;
	char reason[128];

	(void)bev;
	s->busy++;
	if (what & BEV_EVENT_CONNECTED)
		smtp_session_tls_ready(s);
	else if (s->tls || s->state == SMTP_STATE_HANDSHAKE)
		smtp_session_tls_error(s, what);
	else if (what & BEV_EVENT_EOF)
		smtp_session_eof(s);
	else {
		snprintf(reason, sizeof(reason), "%s",
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		smtp_session_drop(s, reason);
	}
	smtp_session_release(s);
}

/*
 * The client closed its side.  Replies still queued go out (a client may
 * pipeline QUIT and half-close); a message in DATA is not delivered.
 */
static void
smtp_session_eof(struct smtp_session *s)
{
	if (s->state == SMTP_STATE_DATA || s->state == SMTP_STATE_WAIT ||
	    smtp_session_pending(s) == 0) {
		smtp_session_drop(s, "client closed the connection");
		return;
	}
	smtp_session_close(s, "client closed the connection");
}

static void
smtp_session_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct smtp_session *s = arg;

	(void)fd;
	(void)what;
	s->busy++;
	switch (s->state) {
	case SMTP_STATE_WAIT:
		break;		/* no timeout while the store works */
	case SMTP_STATE_CLOSING:
		smtp_session_drop(s, s->close_reason);
		break;
	case SMTP_STATE_STARTTLS:
	case SMTP_STATE_HANDSHAKE:
		smtp_session_drop(s, "TLS handshake timeout");
		break;
	default:
		smtp_session_timer_fired(s);
		break;
	}
	smtp_session_release(s);
}

/*
 * A limit ran out between commands or in DATA.  Which one was known when
 * the timer was armed: libevent's clock may fire a hair before
 * clock_mono_ms() reaches the deadline.  The timer is re-armed whenever a
 * deadline or the DATA state changes, so the kind is current.
 */
static void
smtp_session_timer_fired(struct smtp_session *s)
{
	switch (s->timer_kind) {
	case SMTP_TIMER_SESSION:
		smtp_reply(s, 421, "4.4.2 Session time limit reached, "
		    "closing connection");
		smtp_session_close(s, "session time limit");
		break;
	case SMTP_TIMER_TX:
		smtp_reply(s, 421, "4.4.2 No mail transaction for too long, "
		    "closing connection");
		smtp_session_close(s, "transaction timeout");
		break;
	case SMTP_TIMER_FIRST:
		smtp_reply(s, 421, "4.4.2 No command after the greeting, "
		    "closing connection");
		smtp_session_close(s, "first command timeout");
		break;
	case SMTP_TIMER_IDLE:
		smtp_reply(s, 421, "4.4.2 Idle timeout, closing connection");
		smtp_session_close(s, "idle timeout");
		break;
	}
}

/*
 * (Re)starts the idle timeout, cut short by whichever deadline comes
 * first: the first command, the next transaction (not while a message is
 * being read), the session's end.  None while waiting for data_done (the
 * store's work is not the client's).
 */
static void
smtp_session_timer_arm(struct smtp_session *s)
{
	long long wait_ms, now;
	enum smtp_timer kind = SMTP_TIMER_IDLE;
	struct timeval tv;

	if (s->ev_timer == NULL || s->state == SMTP_STATE_CLOSING)
		return;
	if (s->state == SMTP_STATE_WAIT) {
		evtimer_del(s->ev_timer);
		return;
	}
	now = clock_mono_ms();
	wait_ms = s->set->limits.idle_timeout * 1000LL;
	smtp_session_timer_min(s->first_ms, now, SMTP_TIMER_FIRST, &wait_ms,
	    &kind);
	if (s->state != SMTP_STATE_DATA)
		smtp_session_timer_min(s->tx_ms, now, SMTP_TIMER_TX, &wait_ms,
		    &kind);
	smtp_session_timer_min(s->deadline_ms, now, SMTP_TIMER_SESSION,
	    &wait_ms, &kind);
	s->timer_kind = kind;
	tv.tv_sec = (time_t)(wait_ms / 1000);
	tv.tv_usec = (suseconds_t)(wait_ms % 1000) * 1000;
	evtimer_add(s->ev_timer, &tv);
}

/* deadline (0: none) replaces *wait_ms and *kind if it comes as soon. */
static void
smtp_session_timer_min(long long deadline, long long now,
    enum smtp_timer this, long long *wait_ms, enum smtp_timer *kind)
{
	long long left;

	if (deadline == 0)
		return;
	left = deadline - now;
	if (left <= *wait_ms) {
		*wait_ms = left > 0 ? left : 0;
		*kind = this;
	}
}

/* A mail transaction was answered (or the session began): a new term. */
static void
smtp_session_tx_restart(struct smtp_session *s)
{
	int t = s->set->limits.transaction_timeout;

	s->tx_ms = t > 0 ? clock_mono_ms() + t * 1000LL : 0;
}

static bool
smtp_session_wants_input(const struct smtp_session *s)
{
	if (s->bev == NULL || s->output_full)
		return false;
	switch (s->state) {
	case SMTP_STATE_CONNECTED:
	case SMTP_STATE_HELO:
	case SMTP_STATE_MAIL:
	case SMTP_STATE_DATA:
	case SMTP_STATE_HANDSHAKE:
		return true;
	default:
		return false;
	}
}

static void
smtp_session_update_read(struct smtp_session *s)
{
	if (s->bev == NULL)
		return;
	if (smtp_session_wants_input(s))
		bufferevent_enable(s->bev, EV_READ);
	else
		bufferevent_disable(s->bev, EV_READ);
}

/*
 * Consumes complete lines (or DATA bytes) from the input buffer one at a
 * time, so pipelined commands are answered in order, until the input runs
 * out or a state stops reading (DATA handed over, STARTTLS, closing).
 */
static void
smtp_session_process(struct smtp_session *s)
{
	for (;;) {
		if (!smtp_session_wants_input(s) ||
		    s->state == SMTP_STATE_HANDSHAKE)
			break;
		if (evbuffer_get_length(bufferevent_get_output(s->bev)) >
		    SMTP_OUTPUT_HIGH) {
			s->output_full = true;	/* resumed by write_cb */
			break;
		}
		if (s->state == SMTP_STATE_DATA) {
			if (!smtp_data_consume(s))
				break;
		} else if (!smtp_session_command(s))
			break;
	}
	smtp_session_update_read(s);
}

/*
 * One command line.  Lines longer than SMTP_CMD_MAX are never buffered:
 * what has come is dropped and the rest skipped up to the next LF.
 *
 * Lines are cut at every LF so that a client ending them with a bare LF
 * gets an answer (and stays in step) rather than silence, but only CRLF
 * is a valid end: a line ending in a bare LF is refused, never run
 * (Postfix's smtpd_forbid_bare_newline = reject does the same).
 */
static bool
smtp_session_command(struct smtp_session *s)
{
	struct evbuffer *in = bufferevent_get_input(s->bev);
	struct evbuffer_ptr eol;
	char line[SMTP_CMD_MAX + 3];
	size_t eol_len, len;

	eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_LF);
	if (eol.pos < 0) {
		if (evbuffer_get_length(in) > SMTP_CMD_MAX + 1) {
			evbuffer_drain(in, evbuffer_get_length(in));
			s->discarding = true;
		}
		return false;
	}
	if (s->first_ms != 0) {
		s->first_ms = 0;	/* the client spoke */
		smtp_session_timer_arm(s);
	}
	len = (size_t)eol.pos;
	if (s->discarding || len > SMTP_CMD_MAX + 1) {
		evbuffer_drain(in, len + eol_len);
		s->discarding = false;
		smtp_error(s, 500, "5.5.2 Line too long");
		return true;
	}
	evbuffer_remove(in, line, len + eol_len);
	if (len == 0 || line[len - 1] != '\r') {
		smtp_error(s, 500, "5.5.2 Bare LF in command: lines end with "
		    "CRLF");
		return true;
	}
	line[--len] = '\0';
	if (len > SMTP_CMD_MAX) {
		smtp_error(s, 500, "5.5.2 Line too long");
		return true;
	}
	smtp_session_dispatch(s, line, len);
	return true;
}

static void
smtp_session_dispatch(struct smtp_session *s, char *line, size_t len)
{
	char trace[256];
	char *args;
	size_t i, verb_len;

	verb_len = strcspn(line, " ");
	log_debug("%s session=%s < %s", smtp_proto_name(s->proto), s->id,
	    log_escape(trace, sizeof(trace), line,
	    strncasecmp(line, "AUTH", 4) == 0 ? verb_len : len));
	if (!smtp_line_clean(line, len) || (!smtp_ascii(line) &&
	    strncasecmp(line, "MAIL ", 5) != 0 &&
	    strncasecmp(line, "RCPT ", 5) != 0)) {
		smtp_error(s, 500, "5.5.2 Invalid characters in command");
		return;
	}
	args = line + verb_len;
	if (*args == ' ')
		*args++ = '\0';
	while (*args == ' ')
		args++;
	for (i = 0; i < sizeof(smtp_commands) / sizeof(smtp_commands[0]);
	    i++) {
		if (strcasecmp(line, smtp_commands[i].name) == 0) {
			smtp_commands[i].fn(s, args);
			return;
		}
	}
	smtp_error(s, 500, "5.5.1 Command unrecognized");
}

/* ------------------------------------------------------------------ */
/* STARTTLS                                                           */

/*
 * The 220 has left: put a TLS filter over the connection.  Whatever the
 * client pipelined after STARTTLS in plain text was already thrown away
 * (CVE-2011-0411): only bytes read after this point are TLS.
 */
static void
smtp_session_tls_start(struct smtp_session *s)
{
	struct bufferevent *tls;
	struct evbuffer *in;
	SSL *ssl;

	if (evbuffer_get_length(bufferevent_get_output(s->bev)) > 0)
		return;
	in = bufferevent_get_input(s->bev);
	evbuffer_drain(in, evbuffer_get_length(in));
	if ((ssl = SSL_new(s->set->ssl_ctx)) == NULL) {
		ERR_clear_error();
		smtp_session_drop(s, "cannot create a TLS session");
		return;
	}
	tls = bufferevent_openssl_filter_new(bufferevent_get_base(s->bev),
	    s->bev, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (tls == NULL)
		fatalx("bufferevent_openssl_filter_new: out of memory");
	s->bev = tls;
	s->state = SMTP_STATE_HANDSHAKE;
	bufferevent_openssl_set_allow_dirty_shutdown(tls, 1);
	bufferevent_setcb(tls, smtp_session_read_cb, smtp_session_write_cb,
	    smtp_session_event_cb, s);
	bufferevent_setwatermark(tls, EV_READ, 0, SMTP_INPUT_HIGH);
	bufferevent_enable(tls, EV_READ | EV_WRITE);
	smtp_session_timer_arm(s);
}

/* RFC 3207 4.2: forget everything learnt in plain text. */
static void
smtp_session_tls_ready(struct smtp_session *s)
{
	SSL *ssl = bufferevent_openssl_get_ssl(s->bev);

	s->tls = true;
	s->state = SMTP_STATE_CONNECTED;
	s->esmtp = false;
	free(s->helo);
	s->helo = NULL;
	smtp_tx_reset(s);
	log_info("%s session=%s tls version=%s cipher=%s",
	    smtp_proto_name(s->proto), s->id, SSL_get_version(ssl),
	    SSL_get_cipher_name(ssl));
	smtp_session_timer_arm(s);
	smtp_session_process(s);
}

static void
smtp_session_tls_error(struct smtp_session *s, short what)
{
	char reason[300], text[256];
	unsigned long code;

	if ((code = bufferevent_get_openssl_error(s->bev)) != 0) {
		ERR_error_string_n(code, text, sizeof(text));
		snprintf(reason, sizeof(reason), "TLS error: %s", text);
		while (bufferevent_get_openssl_error(s->bev) != 0)
			continue;
	} else if (what & BEV_EVENT_EOF)
		snprintf(reason, sizeof(reason), "client closed the "
		    "connection");
	else
		snprintf(reason, sizeof(reason), "TLS connection error: %s",
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	if (s->state == SMTP_STATE_HANDSHAKE)
		smtp_session_drop(s, reason);
	else if (what & BEV_EVENT_EOF)
		smtp_session_eof(s);
	else
		smtp_session_drop(s, reason);
}

static const char *
smtp_state_name(enum smtp_state state)
{
	switch (state) {
	case SMTP_STATE_CONNECTED:
		return "connected";
	case SMTP_STATE_HELO:
		return "helo";
	case SMTP_STATE_MAIL:
		return "mail";
	case SMTP_STATE_DATA:
		return "data";
	case SMTP_STATE_WAIT:
		return "wait";
	case SMTP_STATE_STARTTLS:
		return "starttls";
	case SMTP_STATE_HANDSHAKE:
		return "handshake";
	case SMTP_STATE_CLOSING:
		return "closing";
	}
	return "unknown";
}

/* ------------------------------------------------------------------ */
/* Replies                                                            */

static void
smtp_reply(struct smtp_session *s, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	smtp_vreply(s, code, ' ', fmt, ap);
	va_end(ap);
}

/* A line of a multi-line reply other than the last. */
static void
smtp_reply_more(struct smtp_session *s, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	smtp_vreply(s, code, '-', fmt, ap);
	va_end(ap);
}

static void
smtp_vreply(struct smtp_session *s, int code, char sep, const char *fmt,
    va_list ap)
{
	char text[512], trace[600];

	if (s->bev == NULL)
		return;
	(void)vsnprintf(text, sizeof(text), fmt, ap);
	evbuffer_add_printf(bufferevent_get_output(s->bev), "%03d%c%s\r\n",
	    code, sep, text);
	log_debug("%s session=%s > %03d%c%s", smtp_proto_name(s->proto),
	    s->id, code, sep, log_escape(trace, sizeof(trace), text,
	    strlen(text)));
}

/*
 * A reply to a client mistake.  A client that makes nothing but mistakes
 * (a confused program, an HTTP client, a scanner) is told so and closed.
 */
static void
smtp_error(struct smtp_session *s, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	smtp_vreply(s, code, ' ', fmt, ap);
	va_end(ap);
	if (++s->nerrors < SMTP_MAX_ERRORS)
		return;
	smtp_reply(s, 421, "4.7.0 Too many errors, closing connection");
	smtp_session_close(s, "too many errors");
}

/*
 * The answer to DATA: SMTP gets one reply; LMTP one per accepted
 * recipient, from replies[i], or replies[0] for all when n is 1.
 */
static void
smtp_reply_each_rcpt(struct smtp_session *s, const struct smtp_reply *r,
    size_t n)
{
	size_t i, count;

	count = s->proto == SMTP_PROTO_LMTP ? s->nrcpts : 1;
	for (i = 0; i < count; i++) {
		const struct smtp_reply *one = &r[i < n ? i : n - 1];

		smtp_reply(s, one->code, "%s", one->text);
	}
}

/* ------------------------------------------------------------------ */
/* Commands                                                           */

static void
smtp_cmd_helo(struct smtp_session *s, char *args)
{
	if (s->proto == SMTP_PROTO_LMTP) {
		smtp_error(s, 500, "5.5.1 This is LMTP: use LHLO");
		return;
	}
	if (!smtp_greet(s, args))
		return;
	s->esmtp = false;
	smtp_reply(s, 250, "%s", s->set->hostname);
}

static void
smtp_cmd_ehlo(struct smtp_session *s, char *args)
{
	if (s->proto == SMTP_PROTO_LMTP) {
		smtp_error(s, 500, "5.5.1 This is LMTP: use LHLO");
		return;
	}
	if (!smtp_greet(s, args))
		return;
	smtp_reply_more(s, 250, "%s", s->set->hostname);
	smtp_reply_more(s, 250, "PIPELINING");
	smtp_reply_more(s, 250, "SIZE %zu", s->set->limits.max_message_size);
	smtp_reply_more(s, 250, "8BITMIME");
	if (s->set->ssl_ctx != NULL && !s->tls)
		smtp_reply_more(s, 250, "STARTTLS");
	smtp_reply_more(s, 250, "SMTPUTF8");
	smtp_reply(s, 250, "ENHANCEDSTATUSCODES");
}

static void
smtp_cmd_lhlo(struct smtp_session *s, char *args)
{
	if (s->proto != SMTP_PROTO_LMTP) {
		smtp_error(s, 500, "5.5.1 Command unrecognized");
		return;
	}
	if (!smtp_greet(s, args))
		return;
	smtp_reply_more(s, 250, "%s", s->set->hostname);
	smtp_reply_more(s, 250, "PIPELINING");
	smtp_reply_more(s, 250, "SIZE %zu", s->set->limits.max_message_size);
	smtp_reply_more(s, 250, "8BITMIME");
	smtp_reply_more(s, 250, "SMTPUTF8");
	smtp_reply(s, 250, "ENHANCEDSTATUSCODES");
}

/* Common part of HELO/EHLO/LHLO: a fresh start with a new name. */
static bool
smtp_greet(struct smtp_session *s, const char *args)
{
	if (*args == '\0' || strlen(args) > SMTP_HELO_MAX) {
		smtp_error(s, 501, "5.5.4 Syntax: %s hostname",
		    s->proto == SMTP_PROTO_LMTP ? "LHLO" : "EHLO");
		return false;
	}
	smtp_tx_reset(s);
	free(s->helo);
	s->helo = xstrdup(args);
	s->esmtp = true;
	s->state = SMTP_STATE_HELO;
	return true;
}

static bool
smtp_need_helo(struct smtp_session *s)
{
	if (s->state != SMTP_STATE_CONNECTED)
		return true;
	smtp_error(s, 503, "5.5.1 Send %s first",
	    s->proto == SMTP_PROTO_LMTP ? "LHLO" : "HELO/EHLO");
	return false;
}

static void
smtp_cmd_mail(struct smtp_session *s, char *args)
{
	char *addr, *params;
	size_t declared = 0;

	if (!smtp_need_helo(s))
		return;
	if (s->state == SMTP_STATE_MAIL) {
		smtp_error(s, 503, "5.5.1 Nested MAIL command");
		return;
	}
	if (smtp_parse_path(args, "FROM:", &addr, &params) == -1) {
		smtp_error(s, 501, "5.5.4 Syntax: MAIL FROM:<address>");
		return;
	}
	s->smtputf8 = false;
	if (!smtp_mail_params(s, params, &declared))
		return;
	if (!s->smtputf8 && !smtp_ascii(addr)) {
		smtp_reply(s, 553, "5.6.7 Must declare SMTPUTF8 to send a "
		    "UTF-8 address");
		return;
	}
	/*
	 * SIZE= reserves its bytes now, so twenty senders announcing big
	 * messages at once hear 452 before they upload, not after.
	 */
	if (s->inflight != NULL && declared > 0) {
		if (!inflight_acquire(s->inflight, declared)) {
			smtp_no_room(s, "MAIL");
			return;
		}
		s->charged = declared;
	}
	s->mail_from = xstrdup(addr);
	s->state = SMTP_STATE_MAIL;
	smtp_reply(s, 250, "2.1.0 Ok");
}

/*
 * SIZE, BODY and SMTPUTF8; anything else is an extension we did not
 * offer.  The SIZE given (0 if none) goes to *declared.
 */
static bool
smtp_mail_params(struct smtp_session *s, char *params, size_t *declared)
{
	unsigned long long size;
	char *p, *value, *end;

	while ((p = strsep(&params, " ")) != NULL) {
		if (*p == '\0')
			continue;
		if ((value = strchr(p, '=')) != NULL)
			*value++ = '\0';
		if (strcasecmp(p, "SMTPUTF8") == 0 && value == NULL) {
			s->smtputf8 = true;
			continue;
		}
		if (strcasecmp(p, "BODY") == 0 && value != NULL &&
		    (strcasecmp(value, "7BIT") == 0 ||
		    strcasecmp(value, "8BITMIME") == 0))
			continue;
		if (strcasecmp(p, "SIZE") == 0 && value != NULL &&
		    *value >= '0' && *value <= '9') {
			errno = 0;
			size = strtoull(value, &end, 10);
			if (*end != '\0') {
				smtp_error(s, 501, "5.5.4 Bad SIZE parameter");
				return false;
			}
			if (errno == ERANGE ||
			    size > s->set->limits.max_message_size) {
				smtp_reply(s, 552, "5.3.4 Message size "
				    "exceeds fixed limit of %zu bytes",
				    s->set->limits.max_message_size);
				return false;
			}
			*declared = (size_t)size;
			continue;
		}
		if (strcasecmp(p, "BODY") == 0 || strcasecmp(p, "SIZE") == 0)
			smtp_error(s, 501, "5.5.4 Bad %s parameter", p);
		else
			smtp_error(s, 555, "5.5.4 Unsupported parameter");
		return false;
	}
	return true;
}

static void
smtp_cmd_rcpt(struct smtp_session *s, char *args)
{
	struct smtp_reply reply;
	char *addr, *params;

	if (!smtp_need_helo(s))
		return;
	if (s->state != SMTP_STATE_MAIL) {
		smtp_error(s, 503, "5.5.1 Need MAIL command");
		return;
	}
	if (smtp_parse_path(args, "TO:", &addr, &params) == -1 ||
	    *addr == '\0') {
		smtp_error(s, 501, "5.5.4 Syntax: RCPT TO:<address>");
		return;
	}
	if (*params != '\0') {
		smtp_error(s, 555, "5.5.4 Unsupported parameter");
		return;
	}
	if (!s->smtputf8 && !smtp_ascii(addr)) {
		smtp_reply(s, 553, "5.6.7 Must declare SMTPUTF8 to send a "
		    "UTF-8 address");
		return;
	}
	if (s->nrcpts >= (size_t)s->set->limits.max_recipients) {
		smtp_reply(s, 452, "4.5.3 Too many recipients");
		return;
	}
	memset(&reply, 0, sizeof(reply));
	if (!s->server->cb.rcpt(s->server->cb.arg, addr, &reply)) {
		if (reply.code < 400 || reply.code > 599)
			smtp_reply(s, 550, "5.1.1 Recipient rejected");
		else
			smtp_reply(s, reply.code, "%s", reply.text);
		return;
	}
	s->rcpts = xreallocarray(s->rcpts, s->nrcpts + 1, sizeof(*s->rcpts));
	s->rcpts[s->nrcpts++] = xstrdup(addr);
	smtp_reply(s, 250, "2.1.5 Ok");
}

static void
smtp_cmd_data(struct smtp_session *s, char *args)
{
	if (!smtp_need_helo(s))
		return;
	if (s->state != SMTP_STATE_MAIL) {
		smtp_error(s, 503, "5.5.1 Need MAIL command");
		return;
	}
	if (*args != '\0') {
		smtp_error(s, 501, "5.5.4 Syntax: DATA");
		return;
	}
	if (s->nrcpts == 0) {
		smtp_error(s, s->proto == SMTP_PROTO_LMTP ? 503 : 554,
		    "5.5.1 No valid recipients");
		return;
	}
	s->ntx++;
	s->data = buf_new();
	smtp_data_received(s, s->data);
	/* Full budget: not even the trace header fits. */
	if (!smtp_data_charge(s)) {
		smtp_data_drop(s);
		smtp_no_room(s, "DATA");
		return;
	}
	s->data_state = SMTP_DATA_BOL;
	s->data_size = 0;
	s->line_len = 0;
	s->line_cr = false;
	s->last_crlf = true;	/* the DATA command's */
	s->too_big = s->too_long = s->no_room = false;
	s->state = SMTP_STATE_DATA;
	smtp_session_timer_arm(s);	/* no transaction clock in DATA */
	smtp_reply(s, 354, "2.0.0 End data with <CR><LF>.<CR><LF>");
}

/* The budget of bytes in flight is spent: the client tries later. */
static void
smtp_no_room(struct smtp_session *s, const char *what)
{
	log_info("%s session=%s %s refused: %zu bytes in flight, limit %zu",
	    smtp_proto_name(s->proto), s->id, what,
	    inflight_bytes(s->inflight), inflight_limit(s->inflight));
	smtp_reply(s, 452, "4.3.1 Insufficient system storage, try again "
	    "later");
}

static void
smtp_cmd_rset(struct smtp_session *s, char *args)
{
	(void)args;
	smtp_tx_reset(s);
	if (s->state == SMTP_STATE_MAIL)
		s->state = SMTP_STATE_HELO;
	smtp_reply(s, 250, "2.0.0 Ok");
}

static void
smtp_cmd_noop(struct smtp_session *s, char *args)
{
	(void)args;
	smtp_reply(s, 250, "2.0.0 Ok");
}

static void
smtp_cmd_quit(struct smtp_session *s, char *args)
{
	(void)args;
	smtp_reply(s, 221, "2.0.0 %s closing connection", s->set->hostname);
	smtp_session_close(s, "quit");
}

static void
smtp_cmd_vrfy(struct smtp_session *s, char *args)
{
	if (*args == '\0') {
		smtp_error(s, 501, "5.5.4 Syntax: VRFY address");
		return;
	}
	smtp_reply(s, 252, "2.5.0 Cannot VRFY user, but will accept message "
	    "and attempt delivery");
}

static void
smtp_cmd_help(struct smtp_session *s, char *args)
{
	(void)args;
	smtp_reply(s, 214, "2.0.0 Commands: %s MAIL RCPT DATA RSET NOOP QUIT "
	    "VRFY HELP%s", s->proto == SMTP_PROTO_LMTP ? "LHLO" : "HELO EHLO",
	    s->set->ssl_ctx != NULL && s->proto == SMTP_PROTO_SMTP ?
	    " STARTTLS" : "");
}

/*
 * RFC 3207.  The input buffer is emptied at once: commands pipelined
 * after STARTTLS came in plain text and must not run inside TLS.
 */
static void
smtp_cmd_starttls(struct smtp_session *s, char *args)
{
	struct evbuffer *in;

	if (s->proto != SMTP_PROTO_SMTP || s->set->ssl_ctx == NULL) {
		smtp_reply(s, 454, "4.7.0 TLS not available");
		return;
	}
	if (s->tls) {
		smtp_error(s, 503, "5.5.1 TLS already active");
		return;
	}
	if (*args != '\0') {
		smtp_error(s, 501, "5.5.4 Syntax: STARTTLS");
		return;
	}
	if (!smtp_need_helo(s))
		return;
	if (s->state == SMTP_STATE_MAIL) {
		smtp_error(s, 503, "5.5.1 Mail transaction in progress");
		return;
	}
	smtp_reply(s, 220, "2.0.0 Ready to start TLS");
	in = bufferevent_get_input(s->bev);
	evbuffer_drain(in, evbuffer_get_length(in));
	s->state = SMTP_STATE_STARTTLS;
}

static void
smtp_cmd_unimplemented(struct smtp_session *s, char *args)
{
	(void)args;
	smtp_error(s, 502, "5.5.1 Command not implemented");
}

/*
 * "FROM:<addr> params" or "TO:<addr> params" (keyword includes the
 * colon).  Lenient like Postfix: spaces after the colon, a source route
 * (ignored, RFC 5321 C), and a plain local@domain without brackets.  On
 * success *addr_out and *params_out point into args.
 */
static int
smtp_parse_path(char *args, const char *keyword, char **addr_out,
    char **params_out)
{
	size_t klen = strlen(keyword);
	char *p, *end, *rest;
	bool quoted = false;

	if (strncasecmp(args, keyword, klen) != 0)
		return -1;
	p = args + klen;
	while (*p == ' ')
		p++;
	if (*p == '<') {
		for (end = ++p; *end != '\0'; end++) {
			if (*end == '\\' && quoted && end[1] != '\0')
				end++;
			else if (*end == '"')
				quoted = !quoted;
			else if (*end == '>' && !quoted)
				break;
		}
		if (*end != '>')
			return -1;
		*end = '\0';
		rest = end + 1;
		if (*rest != '\0' && *rest != ' ')
			return -1;	/* "<a@b>junk" */
		if (*p == '@') {	/* source route @a,@b:user@c */
			if ((p = strchr(p, ':')) == NULL)
				return -1;
			p++;
		}
	} else {
		end = p + strcspn(p, " ");
		rest = end;
		if (*end != '\0')
			*rest++ = '\0';
		if (!smtp_plain_address(p))
			return -1;
	}
	while (*rest == ' ')
		rest++;
	if (!smtp_valid_address(p))
		return -1;
	*addr_out = p;
	*params_out = rest;
	return 0;
}

/* Inside the brackets: no spaces or brackets outside a quoted local part. */
static bool
smtp_valid_address(const char *addr)
{
	const char *p;
	bool quoted = false;

	if (strlen(addr) > SMTP_PATH_MAX)
		return false;
	for (p = addr; *p != '\0'; p++) {
		if (*p == '\\' && quoted && p[1] != '\0')
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (!quoted && strchr(" \t<>", *p) != NULL)
			return false;
	}
	return !quoted;
}

/* Without brackets only the unmistakable local@domain will do. */
static bool
smtp_plain_address(const char *addr)
{
	const char *at = strchr(addr, '@');

	return at != NULL && at != addr && at[1] != '\0' &&
	    strchr(at + 1, '@') == NULL && strpbrk(addr, "<>\"") == NULL;
}

/*
 * Printable ASCII, tabs and UTF-8 (RFC 6531) only: no NUL, no other
 * control, no bare CR, no 8-bit byte that is not UTF-8.
 */
static bool
smtp_line_clean(const char *line, size_t len)
{
	size_t i;
	bool high = false;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
		if (c >= 0x80)
			high = true;
	}
	return !high || charset_is_utf8(line, len);
}

/* True if s (NUL-terminated) is 7-bit. */
static bool
smtp_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

/* ------------------------------------------------------------------ */
/* The transaction and DATA                                           */

static void
smtp_tx_reset(struct smtp_session *s)
{
	size_t i;

	free(s->mail_from);
	s->mail_from = NULL;
	s->smtputf8 = false;
	for (i = 0; i < s->nrcpts; i++)
		free(s->rcpts[i]);
	free(s->rcpts);
	s->rcpts = NULL;
	s->nrcpts = 0;
	smtp_data_drop(s);
	s->too_big = s->too_long = s->no_room = false;
	s->data_size = 0;
	smtp_tx_uncharge(s);
}

/* Gives the transaction's bytes back to the budget. */
static void
smtp_tx_uncharge(struct smtp_session *s)
{
	if (s->charged > 0 && s->inflight != NULL)
		inflight_release(s->inflight, s->charged);
	s->charged = 0;
}

/* One line per transaction result. */
static void
smtp_tx_log(struct smtp_session *s, const struct smtp_reply *r)
{
	char from[300], text[300], rcpt[300];

	log_info("%s session=%s msg=%s.%d from=<%s> rcpt=<%s> rcpts=%zu "
	    "size=%zu result=\"%03d %s\"", smtp_proto_name(s->proto), s->id,
	    s->id, s->ntx, log_escape(from, sizeof(from), s->mail_from,
	    strlen(s->mail_from)), log_escape(rcpt, sizeof(rcpt),
	    s->rcpts[0], strlen(s->rcpts[0])), s->nrcpts, s->data_size,
	    r->code, log_escape(text, sizeof(text), r->text,
	    strlen(r->text)));
}

/*
 * Takes one contiguous chunk of input and feeds it to the scanner,
 * draining exactly what belonged to the message: bytes after the final
 * "." line stay for the command parser (pipelining).
 */
static bool
smtp_data_consume(struct smtp_session *s)
{
	struct evbuffer *in = bufferevent_get_input(s->bev);
	struct evbuffer_iovec v;
	bool ended = false;
	size_t used;

	if (evbuffer_get_length(in) == 0 ||
	    evbuffer_peek(in, -1, NULL, &v, 1) < 1)
		return false;
	used = smtp_data_scan(s, v.iov_base, v.iov_len, &ended);
	evbuffer_drain(in, used);
	if (!smtp_data_charge(s)) {
		/* Read on to the end; the answer will be 452. */
		s->no_room = true;
		smtp_data_drop(s);
	}
	if (ended)
		smtp_data_end(s);
	return true;
}

/*
 * Charges to the budget what the message buffer holds beyond what is
 * charged already (SIZE= may have reserved it all).  One chunk of input
 * at a time, so the buffer passes the budget by one chunk at most.
 * false: no room (the caller drops the message).
 */
static bool
smtp_data_charge(struct smtp_session *s)
{
	size_t need;

	if (s->inflight == NULL || s->data == NULL ||
	    s->data->len <= s->charged)
		return true;
	need = s->data->len - s->charged;
	if (!inflight_acquire(s->inflight, need))
		return false;
	s->charged += need;
	return true;
}

/* The message will not be taken: free it and give its bytes back. */
static void
smtp_data_drop(struct smtp_session *s)
{
	if (s->data == NULL)
		return;
	buf_free(s->data);
	s->data = NULL;
	smtp_tx_uncharge(s);
}

/*
 * Dot-unstuffing and end detection, line-wise.  Every LF ends a line (a
 * leading "." of a line is removed), but the message ends only at a "."
 * line that ends in CRLF after a line that ended in CRLF: exactly the
 * bytes CRLF "." CRLF of RFC 5321, so we end where every RFC-following
 * server ends.  "<LF>.<CR><LF>", "<CR><LF>.<LF>" and "<LF>.<LF>" are
 * lines of text: a transaction smuggled behind them stays part of the
 * message that carries it, its commands never run.  A bare CR is text.
 *
 * Bare LF is accepted, not refused (Postfix's normalize, its default
 * since 3.9, not its reject): the smuggling is closed either way, and
 * senders of LF-only files are common (a script piping a Unix file through
 * smtplib), so refusing them would bounce customers' mail for a byte
 * that hurts no one.  The bytes are stored as received.
 */
static size_t
smtp_data_scan(struct smtp_session *s, const char *p, size_t n, bool *ended)
{
	const char *lf;
	size_t i = 0, run;

	while (i < n && !*ended) {
		switch (s->data_state) {
		case SMTP_DATA_BOL:
			if (p[i] == '.') {
				s->data_state = SMTP_DATA_DOT;
				i++;
			} else
				s->data_state = SMTP_DATA_TEXT;
			break;
		case SMTP_DATA_DOT:
			if (p[i] == '\r') {
				s->data_state = SMTP_DATA_DOTCR;
				i++;
			} else	/* The stuffed dot is gone; the line goes on. */
				s->data_state = SMTP_DATA_TEXT;
			break;
		case SMTP_DATA_DOTCR:
			if (p[i] == '\n' && s->last_crlf) {
				*ended = true;
				i++;
				break;
			}
			if (p[i] == '\n') {
				/* ".\r\n" after a bare LF: an empty line. */
				smtp_data_text(s, "\r\n", 2, true);
				s->last_crlf = true;
				s->data_state = SMTP_DATA_BOL;
				i++;
				break;
			}
			smtp_data_text(s, "\r", 1, false);
			s->data_state = SMTP_DATA_TEXT;
			break;
		case SMTP_DATA_TEXT:
			lf = memchr(p + i, '\n', n - i);
			run = lf != NULL ? (size_t)(lf - (p + i)) + 1 : n - i;
			if (lf != NULL) {
				/* The CR may have ended the previous chunk. */
				s->last_crlf = lf > p + i ? lf[-1] == '\r' :
				    s->line_cr;
				s->data_state = SMTP_DATA_BOL;
			}
			smtp_data_text(s, p + i, run, lf != NULL);
			i += run;
			break;
		}
	}
	return i;
}

/*
 * Appends message text (ending in LF when eol) and checks the limits.
 * Over a limit the message is dropped but reading goes on to the final
 * ".", so the client gets a clean 552 and the session stays in step.
 */
static void
smtp_data_text(struct smtp_session *s, const char *p, size_t len, bool eol)
{
	const struct smtp_limits *lim = &s->set->limits;
	size_t body = eol ? len - 1 : len;

	s->line_len += body;
	if (body > 0)
		s->line_cr = p[body - 1] == '\r';
	if (eol) {
		/* The length of a line does not count its CRLF. */
		if (s->line_len - (s->line_cr ? 1 : 0) > lim->max_line_length)
			s->too_long = true;
		s->line_len = 0;
		s->line_cr = false;
	} else if (s->line_len > lim->max_line_length + 1)
		s->too_long = true;	/* even a CR next cannot save it */
	s->data_size += len;
	if (s->data_size > lim->max_message_size)
		s->too_big = true;
	if (s->too_big || s->too_long)
		smtp_data_drop(s);
	if (s->data != NULL)
		buf_append(s->data, p, len);
}

/*
 * The final "." arrived: refuse mail over a limit or without room (a
 * limit wins: it is for good), or hand it over.
 */
static void
smtp_data_end(struct smtp_session *s)
{
	struct smtp_reply reply;
	struct buf *raw;

	if (s->too_big || s->too_long || s->no_room) {
		if (s->too_big || s->too_long) {
			reply.code = 552;
			snprintf(reply.text, sizeof(reply.text), "5.3.4 %s",
			    s->too_big ? "Message too big" : "Line too long");
		} else {
			reply.code = 452;
			snprintf(reply.text, sizeof(reply.text), "4.3.1 "
			    "Insufficient system storage, try again later");
		}
		smtp_reply_each_rcpt(s, &reply, 1);
		smtp_tx_log(s, &reply);
		smtp_tx_reset(s);
		s->state = SMTP_STATE_HELO;
		smtp_session_tx_restart(s);
		smtp_session_timer_arm(s);
		return;
	}
	s->state = SMTP_STATE_WAIT;
	smtp_session_timer_arm(s);
	smtp_session_update_read(s);
	raw = s->data;
	s->data = NULL;
	s->server->cb.message(s->server->cb.arg, s, raw, s->mail_from,
	    s->rcpts, s->nrcpts);
}

void
smtp_session_data_done(struct smtp_session *s,
    const struct smtp_reply *replies, size_t n)
{
	static const struct smtp_reply tempfail = { 451,
	    "4.3.0 Temporary failure, try again later" };

	if (s->state != SMTP_STATE_WAIT) {
		log_warnx("%s session=%s data_done in state %s ignored",
		    smtp_proto_name(s->proto), s->id,
		    smtp_state_name(s->state));
		return;
	}
	if (replies == NULL || n == 0) {
		replies = &tempfail;
		n = 1;
	}
	s->busy++;
	smtp_reply_each_rcpt(s, replies, n);
	smtp_tx_log(s, &replies[0]);
	smtp_tx_reset(s);	/* the message's bytes leave the budget */
	s->state = s->bev != NULL ? SMTP_STATE_HELO : SMTP_STATE_CLOSING;
	if (s->bev != NULL) {
		smtp_session_tx_restart(s);
		smtp_session_timer_arm(s);
		/* Called from within message(): the running loop goes on. */
		if (s->busy == 1)
			smtp_session_process(s);
		else
			smtp_session_update_read(s);
	}
	smtp_session_release(s);
}

const char *
smtp_session_id(const struct smtp_session *s)
{
	return s->id;
}

const char *
smtp_session_peer(const struct smtp_session *s)
{
	return s->peer;
}

/*
 * RFC 5321 4.4 trace header; "with" per RFC 3848.  helo and addresses
 * passed smtp_line_clean, so they cannot break the header.
 */
static void
smtp_data_received(struct smtp_session *s, struct buf *b)
{
	char date[64];
	const char *with;

	/* RFC 6531 3.7.3: UTF8SMTP, UTF8SMTPS, UTF8LMTP for SMTPUTF8. */
	if (s->proto == SMTP_PROTO_LMTP)
		with = s->smtputf8 ? "UTF8LMTP" : "LMTP";
	else if (s->tls)
		with = s->smtputf8 ? "UTF8SMTPS" : "ESMTPS";
	else if (s->smtputf8)
		with = "UTF8SMTP";
	else
		with = s->esmtp ? "ESMTP" : "SMTP";
	smtp_date(date, sizeof(date));
	buf_printf(b, "Received: from %s ([%s])\r\n\tby %s (triaged) with %s "
	    "id %s.%d\r\n\tfor <%s>; %s\r\n", s->helo, s->peer,
	    s->set->hostname, with, s->id, s->ntx, s->rcpts[0], date);
}

/* RFC 5322 date in local time, without the C library's locale. */
static void
smtp_date(char *out, size_t size)
{
	static const char *days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *months[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t now = clock_now();
	struct tm tm;
	long off;

	localtime_r(&now, &tm);
	off = tm.tm_gmtoff / 60;
	snprintf(out, size, "%s, %d %s %d %02d:%02d:%02d %c%02ld%02ld",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+',
	    labs(off) / 60, labs(off) % 60);
}
