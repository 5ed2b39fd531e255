/*
 * smtp_server: the SMTP (RFC 5321) and LMTP (RFC 2033) protocol on one
 * listening socket, on the daemon's libevent loop.  It knows nothing about
 * tickets (Dovecot's lib-smtp/lmtp split): policy comes in through struct
 * smtp_callbacks, supplied by the daemon.  PIPELINING is supported (LMTP
 * requires it); limits (size, line length, recipients, connections, idle
 * time) are enforced here with proper 4xx/5xx replies.
 *
 * Only CRLF "." CRLF ends a message (RFC 5321 2.3.8): a transaction
 * hidden behind "<LF>.<CR><LF>" (SMTP smuggling) stays text of the message
 * that carries it.  A bare LF in a message is a line end of its text; a
 * command line ending in a bare LF is refused.
 *
 * A message is acknowledged only when the callback layer says so: after
 * DATA the session waits (reading nothing further) until
 * smtp_session_data_done() delivers the reply (or, for LMTP, one reply per
 * accepted recipient).  That call may come much later (after the store
 * commits); if the client went away meanwhile, the session is freed then.
 */
#ifndef TRIAGED_SMTP_SERVER_H
#define TRIAGED_SMTP_SERVER_H

#include <event2/event.h>
#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>

struct buf;
struct error;
struct inflight;
struct smtp_server;
struct smtp_session;
struct sockaddr;

enum smtp_proto {
	SMTP_PROTO_SMTP,
	SMTP_PROTO_LMTP
};

struct smtp_limits {
	size_t	max_message_size;	/* SIZE and the DATA cap, bytes */
	size_t	max_line_length;	/* one DATA line; commands are capped at 4096 */
	int	max_recipients;
	int	max_connections;	/* for this listener; 421 beyond */
	int	idle_timeout;		/* seconds */
	/*
	 * seconds a whole connection may last, 0: no limit.  The idle
	 * timeout restarts with every byte, so without this a client
	 * trickling a byte at a time, or sending NOOP forever, would hold
	 * a connection slot for good.
	 */
	int	session_timeout;
	/*
	 * Connections one client address may hold on this listener, 421
	 * beyond; 0: no limit.  Keeps one host from taking every slot.
	 */
	int	max_connections_per_client;
	/*
	 * Seconds from the greeting to the first command line, 0: only
	 * idle_timeout.  A real client speaks at once; a silent one is cut
	 * early.
	 */
	int	first_command_timeout;
	/*
	 * Seconds a connection may go without a mail transaction: from the
	 * connect, and again from each answer to a message's DATA.  NOOP,
	 * RSET, HELO, MAIL or RCPT do not renew it; the clock stands while a
	 * message is being read or stored.  0: no limit.
	 */
	int	transaction_timeout;
};

/* One reply: code 250 and text "2.0.0 Ok: ..." (the enhanced code included). */
struct smtp_reply {
	int	code;
	char	text[256];
};

struct smtp_callbacks {
	/*
	 * RCPT TO:<rcpt>: return true to accept; otherwise fill *reply
	 * (e.g. 550 "5.7.1 Relaying denied").  rcpt is the bare address.
	 */
	bool	(*rcpt)(void *arg, const char *rcpt, struct smtp_reply *reply);
	/*
	 * A complete message after DATA.  raw (taken: the callee owns it)
	 * holds the message as received, dot-unstuffed, with a Received
	 * header prepended; mail_from is "" for the null sender; rcpts are
	 * the accepted recipients (borrowed, valid until data_done).  The
	 * callee must call smtp_session_data_done(s, ...) exactly once.
	 */
	void	(*message)(void *arg, struct smtp_session *s, struct buf *raw,
		    const char *mail_from, char *const *rcpts, size_t nrcpts);
	void	 *arg;
};

/*
 * Listens on address:port (port 0 picks a free one) on base.  ssl_ctx (may
 * be NULL) enables STARTTLS (SMTP only; borrowed, must outlive the server).
 * hostname is used in the greeting and Received header.  Returns NULL and
 * logs nothing (err says why) on failure.
 */
struct smtp_server	*smtp_server_new(struct event_base *base,
			    enum smtp_proto proto, const char *address, int port,
			    const char *hostname, const struct smtp_limits *limits,
			    SSL_CTX *ssl_ctx, const struct smtp_callbacks *cb,
			    struct error *err);
/*
 * Shares the daemon-wide budget of message bytes in flight (borrowed,
 * must outlive the server; NULL: none).  With a budget, MAIL SIZE=
 * reserves the declared size, DATA needs room left, and the bytes of a
 * message stay charged until its smtp_session_data_done(); without room
 * the client gets 452 4.3.1 and tries again later.
 */
void			 smtp_server_set_inflight(struct smtp_server *,
			    struct inflight *);
/* The bound port (useful with port 0). */
int			 smtp_server_port(const struct smtp_server *);
/* New limits/hostname/TLS for sessions started from now on (SIGHUP). */
void			 smtp_server_reconfigure(struct smtp_server *,
			    const char *hostname, const struct smtp_limits *,
			    SSL_CTX *ssl_ctx);
/*
 * Serves fd, a connected stream socket (taken: closed on failure), as if
 * the listener had accepted it from sa: same limits, same replies.  For
 * tests that drive a session without the network (tests/fuzz/fuzz_smtp.c
 * over a socketpair(2)); the daemon only uses its listeners.
 */
void			 smtp_server_adopt(struct smtp_server *,
			    evutil_socket_t fd, struct sockaddr *sa, int salen);
/* Stops accepting; sessions go on until they end. */
void			 smtp_server_close(struct smtp_server *);
/* Sessions open now (for a clean shutdown: wait until 0 waiting on data_done). */
int			 smtp_server_sessions(const struct smtp_server *);
/*
 * Frees the listener and closes every connection (shutdown).  A session
 * still waiting for data_done is detached, not freed: its connection is
 * closed now and its memory released by the data_done that must still
 * come (exactly once, as always); any other session is freed here.  Call
 * it from outside the server's own callbacks.
 */
void			 smtp_server_free(struct smtp_server *);

/*
 * Answers the DATA of s: for SMTP pass n == 1; for LMTP n == nrcpts (one
 * per recipient, same order) or n == 1 to give every recipient the same
 * reply.  May free s if the client has gone away.  May be called from
 * within the message callback itself.  Reading resumes afterwards with
 * whatever the client pipelined meanwhile.
 */
void			 smtp_session_data_done(struct smtp_session *s,
			    const struct smtp_reply *replies, size_t n);
/* "1f3a..." session id for logs (borrowed). */
const char		*smtp_session_id(const struct smtp_session *);
/* The client's numeric address ("192.0.2.1", "::1", or "unknown"; borrowed). */
const char		*smtp_session_peer(const struct smtp_session *);

#endif
