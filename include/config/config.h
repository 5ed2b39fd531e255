/*
 * config: the libconfig file turned into one immutable struct config.
 * No other module touches libconfig.  A loaded config is reference counted:
 * the daemon swaps the current one on SIGHUP, and work in flight keeps the
 * config it started with until it drops its reference.  The current config
 * is, with the log, the only global mutable state (DESIGN/STYLE).
 */
#ifndef TRIAGED_CONFIG_H
#define TRIAGED_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct buf;
struct template;

enum config_proto {
	CONFIG_PROTO_LMTP,
	CONFIG_PROTO_SMTP
};

struct config_listen {
	enum config_proto	 proto;
	char			*address;	/* "127.0.0.1" */
	int			 port;		/* 0: any free port (tests) */
};

enum config_smarthost_tls {
	CONFIG_TLS_NONE,	/* plain; only when explicitly chosen */
	CONFIG_TLS_STARTTLS,
	CONFIG_TLS_IMPLICIT
};

/* mailboxes: what to do with a message once its commit held. */
enum config_imap_after {
	CONFIG_IMAP_AFTER_SEEN,		/* UID STORE +FLAGS (\Seen) */
	CONFIG_IMAP_AFTER_MOVE,		/* UID MOVE (or COPY, \Deleted, EXPUNGE) */
	CONFIG_IMAP_AFTER_DELETE	/* \Deleted and expunge */
};

/*
 * mailboxes: what becomes of the mail already in the folder at the first
 * connection (imap_poller.c records the UID boundary then).
 */
enum config_imap_existing {
	CONFIG_IMAP_EXISTING_SILENT,	/* stored; no mail, no SLA clock */
	CONFIG_IMAP_EXISTING_SKIP,	/* left in the folder, untouched */
	CONFIG_IMAP_EXISTING_NORMAL	/* like mail arriving now */
};

/* One IMAP mailbox polled by the daemon (imap_poller.c). */
struct config_mailbox {
	char			*name;		/* [A-Za-z0-9_.-]+, unique */
	char			*host;
	int			 port;		/* 993 implicit TLS, else 143 */
	enum config_smarthost_tls tls;		/* CONFIG_TLS_* */
	bool			 allow_plaintext;
	bool			 verify;	/* chain and host name */
	char			*ca_file;	/* NULL: system store */
	char			*user;
	char			*password;	/* inline or from password_file */
	char			*folder;	/* "INBOX" */
	enum config_imap_after	 after;
	char			*move_to;	/* NULL unless after = move */
	enum config_imap_existing existing;
	bool			 idle;		/* use IDLE when offered */
	int			 poll_interval;	/* seconds, without IDLE */
	int			 batch;		/* messages per fetch round */
	int			 takeover;	/* seconds: the mailbox lease */
	size_t			 max_message_size; /* bytes read, at most */
	char			*category;	/* defaults for new requests; */
	char			*priority;	/* NULL: none */
	char			**tags;
	size_t			 ntags;
};


/*
 * The shortest signing key (agent_mail.secret, reports.rating key) the
 * config accepts: REPLY_ADDRESS_KEY_MIN of mail, which reply_address.c
 * asserts equal, so the config refuses what signing would refuse.
 */
#define CONFIG_KEY_MIN		16
struct config {
	int		 refs;		/* private: use config_ref/unref */
	char		*path;		/* file it came from ("(defaults)" if none) */

	char		*hostname;	/* Message-IDs, greeting, EHLO */
	char		*database;	/* SQLite file; parent dir is created */
	int		 database_writers;	/* PostgreSQL writing connections */
	char		*log_level;	/* error|warn|info|debug */
	char		*log_dest;	/* auto|stderr|journal|syslog */
	char		*user;		/* drop to it when root; NULL: none */
	char		*group;		/* NULL: the user's primary group */
	char		*timezone;	/* the built-in calendar's; NULL: UTC */

	/* support.*: who we are */
	char		**support_addresses;	/* lowercased; [0] is our From */
	size_t		  nsupport_addresses;
	char		 *support_name;		/* display name on our mail */
	char		 *token_format;		/* subject token, "[#{n}]" */

	/* listen: [] */
	struct config_listen	*listen;
	size_t			 nlisten;
	char			*tls_certificate;	/* NULL: no STARTTLS */
	char			*tls_key;

	/* limits.* */
	size_t		max_message_size;	/* bytes */
	size_t		max_line_length;	/* bytes, one line of DATA */
	int		max_recipients;		/* per transaction */
	int		max_connections;	/* per daemon */
	int		idle_timeout;		/* seconds */
	int		session_timeout;	/* seconds; 0: no limit */
	int		max_connections_per_client; /* per listener; 0: none */
	int		first_command_timeout;	/* seconds; 0: idle_timeout */
	int		transaction_timeout;	/* seconds; 0: no limit */
	/* daemon-wide; 0 in the file is 8 x max_message_size, set at load */
	size_t		max_inflight_bytes;

	/* outgoing.*: smarthost, else Maildir */
	char		*smarthost_host;	/* NULL: deliver into the Maildir */
	int		 smarthost_port;
	enum config_smarthost_tls smarthost_tls;
	bool		 smarthost_verify;	/* verify the certificate */
	char		*smarthost_ca_file;	/* NULL: system store */
	char		*smarthost_user;	/* NULL: no AUTH */
	char		*smarthost_password;
	int		 smtp_timeout;		/* seconds per SMTP step */
	char		*outgoing_maildir;	/* "./var/outgoing" */
	int		 retry_min;		/* seconds, first backoff */
	int		 retry_max;		/* seconds, backoff cap */
	int		 give_up_after;		/* seconds since queued */
	int		 outbox_lease;		/* seconds a claim holds */

	/* retention.* (days; 0: kept for ever) */
	int		 retention_raw;		/* raw bytes of finished requests */
	int		 retention_closed;	/* finished requests' personal data */

	/* acknowledgement.* */
	bool		 ack_enabled;
	struct template	*ack_subject;	/* compiled at load time */
	struct template	*ack_body;
	int		 ack_rate_limit;	/* acks per address per period; 0: none */
	int		 ack_rate_limit_sender;	/* per envelope sender; 0: none */
	int		 ack_rate_limit_client;	/* per client address; 0: none */
	char		**ack_rate_exempt;	/* networks (cidr.h) the client */
	size_t		  nack_rate_exempt;	/* limit does not count */
	int		 ack_rate_period;	/* seconds */
	bool		 ack_require_auth;	/* only to proven senders */
	size_t		 ack_quote_limit;	/* bytes of the customer's text */
	int		 ack_suggest;		/* articles suggested; 0: none */

	/* knowledge_base.* (kb.h) */
	char		*kb_directory;		/* NULL: no articles */
	int		 kb_min_score;		/* BM25 x 10 */

	/* mailboxes: [] (IMAP intake), in file order */
	struct config_mailbox	*mailboxes;
	size_t			 nmailboxes;

	/*
	 * Sections loaded by their own files (config_section.h); each type
	 * is private to its file and read through its header's functions.
	 */
	struct config_agents	*agents;	/* config_agents.c: agents.h */
	struct config_routing	*routing;	/* config_routing.c: routing.h */
	struct config_sla	*sla;		/* config_sla.c: sla.h */
	struct config_reports	*reports;	/* config_reports.c: report.h */
	struct config_canned	*canned;	/* config_canned.c: #template */
	struct config_language	*language;	/* config_language.c */
	struct config_http	*http;		/* config_http.c: http, metrics */
};

/*
 * Loads and validates path.  Returns a new config (one reference) or NULL;
 * on NULL every problem found was appended to errors, one per line, as
 * "file:line: setting: problem".  Unknown settings are errors.
 * path NULL loads the built-in defaults.  It writes nothing: key files
 * are only named here and read (or made) by reply_key.h, so `triaged -t`
 * changes nothing on disk.
 */
struct config	*config_load(const char *path, struct buf *errors);
struct config	*config_ref(struct config *);
void		 config_unref(struct config *);

/*
 * True if addr (any case) is one of support.addresses or a sub-address
 * of one: support+anything@example.com counts as support@example.com,
 * as with Postfix's and Dovecot's recipient_delimiter "+".  "anything"
 * may be empty (as in Postfix) but holds no '@', so
 * support+@elsewhere.example@example.com is not ours.  Signed reply
 * addresses are such sub-addresses too.
 */
bool		 config_is_support_address(const struct config *, const char *addr);

/* The process-wide current config: get returns a new reference. */
struct config	*config_current(void);
/* Installs c as current (takes the caller's reference). */
void		 config_set_current(struct config *c);

/*
 * Whether database is a libpq URI ("postgresql://...", "postgres://...",
 * the store's own test): not a path, so never resolved against the
 * config's directory, and no key file beside it.
 */
bool		 config_database_is_uri(const char *database);

#endif
