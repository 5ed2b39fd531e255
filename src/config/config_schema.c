/*
 * config_schema: the table of every setting triaged understands.  Adding a
 * setting means adding a row here (and, for a plain field, nothing else in
 * config.c; a section's key is then read by its section); conf/triaged.conf
 * must then show it (test_config checks the defaults, config_table.sh
 * that it is there) and README's table is `triaged --settings` again.
 * The value checks below are the ones that need no other setting; checks
 * across settings live in config.c and the sections' check hooks.
 */
#include <arpa/inet.h>

#include <ctype.h>
#include <libconfig.h>
#include <libgen.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "calendar.h"
#include "cidr.h"
#include "error.h"
#include "config.h"
#include "config_http.h"
#include "config_language.h"
#include "config_schema.h"
#include "log.h"
#include "xmalloc.h"

#define KIB		1024LL
#define MIB		(1024LL * KIB)
#define GIB		(1024LL * MIB)
#define DAY		86400LL

#define OFF(field)	offsetof(struct config, field)

static const char	*config_schema_check_nonempty(const char *);
static const char	*config_schema_check_hostname(const char *);
static const char	*config_schema_check_log_level(const char *);
static const char	*config_schema_check_address(const char *);
static const char	*config_schema_check_token(const char *);
static const char	*config_schema_check_ip(const char *);
static const char	*config_schema_check_network(const char *);
static const char	*config_schema_check_path_or_empty(const char *);
static const char	*config_schema_check_mailbox_name(const char *);
static const char	*config_schema_check_user(const char *);
static const char	*config_schema_check_timezone(const char *);
static const char	*config_schema_check_group(const char *);
static const char	*config_schema_check_agent_name(const char *);
static const char	*config_schema_check_key(const char *);
static const char	*config_schema_check_key_or_empty(const char *);
static const char	*config_schema_check_weekday(const char *);
static const char	*config_schema_check_time(const char *);
static const char	*config_schema_check_language(const char *);
static bool		 config_schema_has_ctl(const char *);
static bool		 config_schema_has_required(const char *);

static const char *const config_schema_protocols[] = { "lmtp", "smtp", NULL };
static const char *const config_schema_tls_modes[] = {
	"none", "starttls", "tls", NULL
};
static const char *const config_schema_imap_tls_modes[] = {
	"implicit", "starttls", "none", NULL
};
static const char *const config_schema_imap_after[] = {
	"seen", "move", "delete", NULL
};
static const char *const config_schema_imap_existing[] = {
	"import-silently", "skip", "normal", NULL
};
static const char *const config_schema_log_dests[] = {
	"auto", "stderr", "journal", "syslog", NULL
};
static const char *const config_schema_log_levels[] = {
	"error", "warn", "info", "debug", NULL
};
static const char *const config_schema_strategies[] = {
	"round-robin", "least-open", "sticky", "pool", NULL
};
/* config_agents_require_name() of each enum config_agents_require */
static const char *const config_schema_agent_require[] = {
	"signature-or-auth", "signature", "signature+auth", NULL
};
static const char *const config_schema_every[] = { "daily", "weekly", NULL };

#define CONFIG_SCHEMA_ACK_BODY \
	"Hello,\n" \
	"\n" \
	"thank you for writing to {{support_name}}. We have received your\n" \
	"message and opened request {{token}} for it.\n" \
	"\n" \
	"When you write to us about this request, please keep {{token}}\n" \
	"in the subject, so that your message reaches the same request.\n" \
	"There is no need to write again in the meantime: we will answer\n" \
	"as soon as we can.\n" \
	"{{suggestions}}" \
	"\n" \
	"Your message:\n" \
	"\n" \
	"{{quoted_text}}\n" \
	"-- \n" \
	"{{support_name}} <{{support_address}}>\n"

/* Shorthands so each row stays on a few lines. */
#define GROUP(p, h) \
	{ p, CONFIG_SCHEMA_GROUP, 0, NULL, 0, 0, 0, NULL, NULL, \
	    CONFIG_STORE_NONE, 0, h }
#define STR(p, d, chk, st, off, h) \
	{ p, CONFIG_SCHEMA_STRING, 0, d, 0, 0, 0, NULL, chk, st, off, h }
#define CHOICE(p, d, ch, st, off, h) \
	{ p, CONFIG_SCHEMA_STRING, 0, d, 0, 0, 0, ch, NULL, st, off, h }
#define INT(p, d, lo, hi, st, off, h) \
	{ p, CONFIG_SCHEMA_INT, 0, NULL, d, lo, hi, NULL, NULL, st, off, h }
#define BOOL(p, d, off, h) \
	{ p, CONFIG_SCHEMA_BOOL, 0, NULL, d, 0, 1, NULL, NULL, \
	    CONFIG_STORE_BOOL, off, h }

/* Keys of the sections: not stored by config.c (CONFIG_STORE_NONE). */
#define LIST(p, shape, h) \
	{ p, CONFIG_SCHEMA_LIST, 0, shape, 0, 0, 0, NULL, NULL, \
	    CONFIG_STORE_NONE, 0, h }
#define SSTR(p, d, chk, h) \
	{ p, CONFIG_SCHEMA_STRING, 0, d, 0, 0, 0, NULL, chk, \
	    CONFIG_STORE_NONE, 0, h }
#define REQ_STR(p, chk, h) \
	{ p, CONFIG_SCHEMA_STRING, CONFIG_SCHEMA_REQUIRED, NULL, 0, 0, 0, \
	    NULL, chk, CONFIG_STORE_NONE, 0, h }
#define SCHOICE(p, d, ch, h) \
	{ p, CONFIG_SCHEMA_STRING, 0, d, 0, 0, 0, ch, NULL, \
	    CONFIG_STORE_NONE, 0, h }
#define SSTRS(p, h) \
	{ p, CONFIG_SCHEMA_STRINGS, CONFIG_SCHEMA_ONE_OK, NULL, 0, 0, 0, \
	    NULL, NULL, CONFIG_STORE_NONE, 0, h }
#define SINT(p, d, lo, hi, h) \
	{ p, CONFIG_SCHEMA_INT, 0, NULL, d, lo, hi, NULL, NULL, \
	    CONFIG_STORE_NONE, 0, h }
#define SBOOL(p, d, h) \
	{ p, CONFIG_SCHEMA_BOOL, 0, NULL, d, 0, 1, NULL, NULL, \
	    CONFIG_STORE_NONE, 0, h }
/* A mail's templates: { subject = "..."; body = "..."; } */
#define NOTICE(p, subject, body, h) \
	{ p, CONFIG_SCHEMA_GROUP, 0, \
	    "{ subject = \"...\"; body = \"...\"; }", 0, 0, 0, NULL, NULL, \
	    CONFIG_STORE_NONE, 0, h }, \
	SSTR(p ".subject", subject, NULL, "subject template"), \
	SSTR(p ".body", body, NULL, "body template")
#define HOURS(p) \
	{ p, CONFIG_SCHEMA_STRINGS, CONFIG_SCHEMA_ONE_OK, NULL, 0, 0, 0, \
	    NULL, NULL, CONFIG_STORE_NONE, 0, \
	    "open intervals [ \"9:00-13:00\", \"14:00-18:00\" ]" }
/* SLA targets: business minutes, at most a year of them. */
#define MINUTES(p, h) \
	{ p, CONFIG_SCHEMA_INT, 0, NULL, 0, 0, 366LL * 24 * 60, NULL, NULL, \
	    CONFIG_STORE_NONE, 0, "business minutes " h " (0: none)" }

const struct config_schema config_schema[] = {
	STR("hostname", NULL, config_schema_check_hostname,
	    CONFIG_STORE_STRING, OFF(hostname),
	    "our host name: Message-IDs, SMTP greeting, EHLO "
	    "(default: the system's name if it has a dot)"),
	STR("database", "./var/triaged.db", config_schema_check_nonempty,
	    CONFIG_STORE_STRING, OFF(database),
	    "SQLite database file (its directory is created), or a "
	    "PostgreSQL URI postgresql://..."),
	INT("database_writers", 0, 0, 16,
	    CONFIG_STORE_INT, OFF(database_writers),
	    "PostgreSQL: connections that write at once (each waits on the "
	    "server's answers; SQLite always has one); 0: one per CPU core, "
	    "2 to 4"),
	/* Choices for the reader; log_level_parse() has the last word. */
	{ "log_level", CONFIG_SCHEMA_STRING, 0, "info", 0, 0, 0,
	    config_schema_log_levels, config_schema_check_log_level,
	    CONFIG_STORE_STRING, OFF(log_level),
	    "least important messages logged: error, warn, info, debug" },
	CHOICE("log", "auto", config_schema_log_dests,
	    CONFIG_STORE_STRING, OFF(log_dest),
	    "where the daemon logs: auto (the journal under systemd, else "
	    "stderr), stderr, journal or syslog (mail facility)"),
	STR("user", "", config_schema_check_user,
	    CONFIG_STORE_STRING_OPT, OFF(user),
	    "started as root, become this user once the sockets are bound; "
	    "\"root\": stay root knowingly; empty: stay who we are "
	    "(refused as root)"),
	STR("group", "", config_schema_check_group,
	    CONFIG_STORE_STRING_OPT, OFF(group),
	    "group with user (default: the user's primary group)"),
	STR("timezone", "", config_schema_check_timezone,
	    CONFIG_STORE_STRING_OPT, OFF(timezone),
	    "IANA zone of times people read when no calendar gives one "
	    "(the built-in 24/7 calendar's; empty: UTC)"),

	GROUP("support", "who we are"),
	{ "support.addresses", CONFIG_SCHEMA_STRINGS, 0,
	    "support@example.test", 0, 0, 0, NULL,
	    config_schema_check_address, CONFIG_STORE_NONE, 0,
	    "recipient addresses we accept; the first is our From" },
	STR("support.name", "Example Support", NULL,
	    CONFIG_STORE_STRING, OFF(support_name),
	    "display name on the mail we send"),
	STR("support.token", "[#{n}]", config_schema_check_token,
	    CONFIG_STORE_STRING, OFF(token_format),
	    "subject token; {n} is the request number"),

	{ "listen", CONFIG_SCHEMA_LIST, 0, "{ protocol = \"lmtp\"; address = "
	    "\"127.0.0.1\"; port = 2424; }", 0, 0, 0, NULL, NULL,
	    CONFIG_STORE_NONE, 0,
	    "where mail comes in: a list of { protocol; address; port; }" },
	{ "listen.protocol", CONFIG_SCHEMA_STRING, CONFIG_SCHEMA_REQUIRED,
	    NULL, 0, 0, 0, config_schema_protocols, NULL,
	    CONFIG_STORE_NONE, 0, "lmtp or smtp" },
	{ "listen.address", CONFIG_SCHEMA_STRING, CONFIG_SCHEMA_REQUIRED,
	    NULL, 0, 0, 0, NULL, config_schema_check_ip,
	    CONFIG_STORE_NONE, 0, "IPv4 or IPv6 address to bind" },
	{ "listen.port", CONFIG_SCHEMA_INT, CONFIG_SCHEMA_REQUIRED,
	    NULL, 0, 0, 65535, NULL, NULL, CONFIG_STORE_NONE, 0,
	    "TCP port; 0 picks any free port (tests)" },

	GROUP("tls", "STARTTLS for incoming connections"),
	STR("tls.certificate", "", config_schema_check_path_or_empty,
	    CONFIG_STORE_STRING_OPT, OFF(tls_certificate),
	    "PEM certificate chain file; empty: no STARTTLS"),
	STR("tls.key", "", config_schema_check_path_or_empty,
	    CONFIG_STORE_STRING_OPT, OFF(tls_key),
	    "PEM private key file for tls.certificate"),

	GROUP("limits", "what one client may ask of us"),
	INT("limits.max_message_size", 25 * MIB, 1 * KIB, 1 * GIB,
	    CONFIG_STORE_SIZE, OFF(max_message_size),
	    "largest message accepted, in bytes"),
	INT("limits.max_line_length", 1 * MIB, 998, 1 * GIB,
	    CONFIG_STORE_SIZE, OFF(max_line_length),
	    "longest line of DATA, in bytes (at most max_message_size)"),
	INT("limits.max_recipients", 100, 1, 100000,
	    CONFIG_STORE_INT, OFF(max_recipients),
	    "recipients per transaction"),
	INT("limits.max_connections", 200, 1, 100000,
	    CONFIG_STORE_INT, OFF(max_connections),
	    "simultaneous connections on each listener"),
	INT("limits.idle_timeout", 300, 1, DAY,
	    CONFIG_STORE_INT, OFF(idle_timeout),
	    "seconds a client may stay silent"),
	INT("limits.session_timeout", 3600, 0, DAY,
	    CONFIG_STORE_INT, OFF(session_timeout),
	    "seconds a whole client connection may last (0: no limit)"),
	INT("limits.max_connections_per_client", 20, 0, 100000,
	    CONFIG_STORE_INT, OFF(max_connections_per_client),
	    "simultaneous connections from one client address on each "
	    "listener (0: no limit)"),
	INT("limits.first_command_timeout", 30, 0, DAY,
	    CONFIG_STORE_INT, OFF(first_command_timeout),
	    "seconds from the greeting to the client's first command "
	    "(0: idle_timeout only)"),
	INT("limits.transaction_timeout", 120, 0, DAY,
	    CONFIG_STORE_INT, OFF(transaction_timeout),
	    "seconds a connection may go without a mail transaction; NOOP "
	    "and RSET do not count (0: no limit)"),
	INT("limits.max_inflight_bytes", 0, 0, 1024 * GIB,
	    CONFIG_STORE_SIZE, OFF(max_inflight_bytes),
	    "message bytes being received or waiting for the store, all "
	    "listeners together (0: 8 x max_message_size)"),

	GROUP("outgoing", "how our mail leaves"),
	STR("outgoing.maildir", "./var/outgoing", config_schema_check_nonempty,
	    CONFIG_STORE_STRING, OFF(outgoing_maildir),
	    "Maildir receiving outgoing mail when smarthost.host is empty"),
	GROUP("outgoing.smarthost", "the SMTP server that relays our mail"),
	STR("outgoing.smarthost.host", "", NULL,
	    CONFIG_STORE_STRING_OPT, OFF(smarthost_host),
	    "host name or address; empty: write mail into outgoing.maildir"),
	INT("outgoing.smarthost.port", 25, 1, 65535,
	    CONFIG_STORE_INT, OFF(smarthost_port), "TCP port"),
	CHOICE("outgoing.smarthost.tls", "starttls", config_schema_tls_modes,
	    CONFIG_STORE_NONE, 0,
	    "none, starttls, or tls (TLS from the first byte)"),
	BOOL("outgoing.smarthost.verify", 1, OFF(smarthost_verify),
	    "verify the server's certificate and name"),
	STR("outgoing.smarthost.ca_file", "", config_schema_check_path_or_empty,
	    CONFIG_STORE_STRING_OPT, OFF(smarthost_ca_file),
	    "PEM CA bundle; empty: the system's store"),
	STR("outgoing.smarthost.user", "", NULL,
	    CONFIG_STORE_STRING_OPT, OFF(smarthost_user),
	    "AUTH user name; empty: no AUTH"),
	{ "outgoing.smarthost.password", CONFIG_SCHEMA_STRING,
	    CONFIG_SCHEMA_SECRET, "", 0, 0, 0, NULL, NULL,
	    CONFIG_STORE_STRING_OPT, OFF(smarthost_password),
	    "AUTH password" },
	STR("outgoing.smarthost.password_file", "",
	    config_schema_check_path_or_empty, CONFIG_STORE_NONE, 0,
	    "file whose first line is the AUTH password (instead of password)"),
	INT("outgoing.smarthost.timeout", 60, 1, 3600,
	    CONFIG_STORE_INT, OFF(smtp_timeout),
	    "seconds to wait for each SMTP step"),
	INT("outgoing.retry_min", 60, 1, DAY,
	    CONFIG_STORE_INT, OFF(retry_min),
	    "seconds before the first retry; doubles on each failure"),
	INT("outgoing.retry_max", 3600, 1, 7 * DAY,
	    CONFIG_STORE_INT, OFF(retry_max),
	    "longest wait between retries, in seconds"),
	INT("outgoing.give_up_after", 5 * DAY, 60, 30 * DAY,
	    CONFIG_STORE_INT, OFF(give_up_after),
	    "seconds after which queued mail fails for good"),
	INT("outgoing.lease", 60, 8, 3600,
	    CONFIG_STORE_INT, OFF(outbox_lease),
	    "several instances on PostgreSQL: seconds an outbox row stays "
	    "claimed by an instance that stopped renewing (renewed every "
	    "lease/4)"),

	GROUP("retention", "how long personal data is kept (GDPR)"),
	INT("retention.raw_messages", 0, 0, 36500,
	    CONFIG_STORE_INT, OFF(retention_raw),
	    "days after which a resolved or closed request's messages lose "
	    "their raw bytes and attachments; 0: kept"),
	INT("retention.closed_requests", 0, 0, 36500,
	    CONFIG_STORE_INT, OFF(retention_closed),
	    "days after which a resolved or closed request is purged of "
	    "personal data (its figures stay); 0: kept"),

	GROUP("acknowledgement", "the automatic answer to a new request"),
	BOOL("acknowledgement.enabled", 1, OFF(ack_enabled),
	    "send acknowledgements at all"),
	INT("acknowledgement.rate_limit", 3, 0, 100000,
	    CONFIG_STORE_INT, OFF(ack_rate_limit),
	    "acknowledgements per address per rate_period; 0: unlimited"),
	INT("acknowledgement.rate_limit_sender", 10, 0, 100000,
	    CONFIG_STORE_INT, OFF(ack_rate_limit_sender),
	    "acknowledgements per envelope sender (MAIL FROM) per rate_period;"
	    " 0: unlimited"),
	INT("acknowledgement.rate_limit_client", 30, 0, 100000,
	    CONFIG_STORE_INT, OFF(ack_rate_limit_client),
	    "acknowledgements per SMTP/LMTP client address per rate_period;"
	    " 0: unlimited"),
	{ "acknowledgement.rate_limit_exempt", CONFIG_SCHEMA_STRINGS, 0,
	    "127.0.0.0/8", 0, 0, 0, NULL, config_schema_check_network,
	    CONFIG_STORE_NONE, 0,
	    "client addresses or networks (a.b.c.d/n, x::/n) that "
	    "rate_limit_client does not count: the MTA in front of us" },
	INT("acknowledgement.rate_period", 3600, 1, 7 * DAY,
	    CONFIG_STORE_INT, OFF(ack_rate_period),
	    "the rate_limit windows, in seconds"),
	BOOL("acknowledgement.require_auth", 0, OFF(ack_require_auth),
	    "acknowledge only an address a trusted Authentication-Results "
	    "vouches for (agent_mail.trusted_authserv_ids)"),
	INT("acknowledgement.quote_limit", 4096, 0, 1 * MIB,
	    CONFIG_STORE_SIZE, OFF(ack_quote_limit),
	    "bytes of the customer's text quoted ({{quoted_text}}, "
	    "{{original_text}}); 0: none"),
	STR("acknowledgement.subject", "{{subject}}", NULL,
	    CONFIG_STORE_NONE, 0,
	    "subject template; the token is put in front if missing"),
	STR("acknowledgement.body", CONFIG_SCHEMA_ACK_BODY, NULL,
	    CONFIG_STORE_NONE, 0,
	    "body template (UTF-8 text)"),
	INT("acknowledgement.suggest", 0, 0, 10,
	    CONFIG_STORE_INT, OFF(ack_suggest),
	    "knowledge base articles ({{suggestions}}) the acknowledgement "
	    "points to, those scoring knowledge_base.min_score at least; "
	    "0: none"),

	GROUP("knowledge_base", "articles suggested to customers and agents"),
	STR("knowledge_base.directory", "", config_schema_check_path_or_empty,
	    CONFIG_STORE_STRING_OPT, OFF(kb_directory),
	    "directory of articles (*.md, *.txt: a title line, an optional "
	    "URL: line, the text), read at start and on SIGHUP; empty: none"),
	INT("knowledge_base.min_score", 45, 0, 100000,
	    CONFIG_STORE_INT, OFF(kb_min_score),
	    "the relevance (BM25 x 10, as triagectl kb search shows it) an "
	    "article needs to be suggested"),

	GROUP("language", "the language of the mail customers get"),
	SSTR("language.default", "en", config_schema_check_language,
	    "language of a customer nothing tells us about (ISO 639 code)"),
	SSTR("language.detect", "/usr/share/libexttextcat", NULL,
	    "libexttextcat's language models (detection from the text); "
	    "empty: no detection"),
	SSTR("language.templates", "", NULL,
	    "directory of templates per language (LANG/KIND.txt); empty: "
	    "the settings' texts only"),

	GROUP("http", "the web listener: /healthz, /metrics, JSON and form "
	    "intake (absent: none)"),
	REQ_STR("http.address", config_schema_check_ip,
	    "IPv4 or IPv6 address to bind"),
	{ "http.port", CONFIG_SCHEMA_INT, CONFIG_SCHEMA_REQUIRED, NULL, 0, 0,
	    65535, NULL, NULL, CONFIG_STORE_NONE, 0,
	    "TCP port; 0 picks any free port (tests)" },
	GROUP("http.tls", "HTTPS: both or neither"),
	SSTR("http.tls.certificate", "", NULL, "PEM certificate chain file"),
	SSTR("http.tls.key", "", NULL, "PEM private key file"),
	SINT("http.max_header_size", CONFIG_HTTP_HEADER_DEFAULT, 1024,
	    1048576, "bytes of request line and headers (431 above)"),
	SINT("http.max_body_size", CONFIG_HTTP_BODY_DEFAULT, 1024,
	    1073741824, "bytes of a request body (413 above)"),
	SINT("http.max_connections", CONFIG_HTTP_CONN_DEFAULT, 1, 100000,
	    "connections at once (503 above)"),
	SINT("http.timeout", CONFIG_HTTP_TIMEOUT_DEFAULT, 1, DAY,
	    "seconds for a whole request (408 after)"),
	SINT("http.session_lifetime", CONFIG_HTTP_SESSION_DEFAULT, 60,
	    30 * DAY, "seconds a dashboard session lasts from its login"),
	SINT("http.login_failures", CONFIG_HTTP_FAILURES_DEFAULT, 1, 1000,
	    "failed dashboard logins from one address, or for one account, "
	    "within login_window that lock it (429)"),
	SINT("http.login_window", CONFIG_HTTP_WINDOW_DEFAULT, 1, DAY,
	    "seconds over which failed logins are counted"),
	SINT("http.login_lock", CONFIG_HTTP_LOCK_DEFAULT, 1, DAY,
	    "seconds a locked address or account stays locked"),
	LIST("http.sources", "{ name = \"web\"; token_file = \"...\"; }",
	    "who may POST /api/v1/requests, each with its bearer token"),
	REQ_STR("http.sources.name", config_schema_check_mailbox_name,
	    "the channel name stored as the request's source"),
	{ "http.sources.token", CONFIG_SCHEMA_STRING, CONFIG_SCHEMA_SECRET,
	    NULL, 0, 0, 0, NULL, NULL, CONFIG_STORE_NONE, 0,
	    "the bearer token (at least 16 characters; or token_file)" },
	SSTR("http.sources.token_file", NULL, NULL,
	    "file whose first line is the token"),
	SSTRS("http.sources.origins", "allowed Origin headers (browsers)"),
	SINT("http.sources.rate_limit", 0, 0, 1000000,
	    "requests per minute (0: no limit)"),
	LIST("http.forms", "{ name = \"contact\"; from = \"email\"; "
	    "text = \"message\"; }",
	    "web forms that POST to /form/NAME"),
	REQ_STR("http.forms.name", config_schema_check_mailbox_name,
	    "NAME in /form/NAME"),
	REQ_STR("http.forms.from", NULL, "form field with the sender address"),
	REQ_STR("http.forms.text", NULL, "form field with the message"),
	SSTR("http.forms.name_field", NULL, NULL,
	    "form field with the sender's name"),
	SSTR("http.forms.subject", NULL, NULL,
	    "form field with the subject"),
	SSTR("http.forms.honeypot", NULL, NULL,
	    "a field people leave empty: filled in, the post is dropped"),
	SSTRS("http.forms.origins", "allowed Origin headers"),
	SINT("http.forms.rate_limit", 0, 0, 1000000,
	    "posts per minute from one address (0: no limit)"),
	SINT("http.forms.max_size", CONFIG_HTTP_FORM_SIZE_DEFAULT, 1024,
	    1048576, "bytes of a post"),
	SSTR("http.forms.redirect", NULL, NULL,
	    "URL the browser is sent to after the post (303)"),

	GROUP("metrics", "/metrics on its own address (absent: on http)"),
	REQ_STR("metrics.address", config_schema_check_ip,
	    "IPv4 or IPv6 address to bind"),
	{ "metrics.port", CONFIG_SCHEMA_INT, CONFIG_SCHEMA_REQUIRED, NULL, 0,
	    0, 65535, NULL, NULL, CONFIG_STORE_NONE, 0,
	    "TCP port; 0 picks any free port (tests)" },

	/*
	 * IMAP mailboxes: list entries, so config.c stores each key by name
	 * (CONFIG_STORE_NONE); the defaults here are those of a key left out.
	 */
	{ "mailboxes", CONFIG_SCHEMA_LIST, 0, "{ name = \"support\"; host = "
	    "\"imap.example.com\"; user = \"support@example.com\"; ... }",
	    0, 0, 0, NULL, NULL,
	    CONFIG_STORE_NONE, 0,
	    "IMAP mailboxes to poll: a list of { name; host; user; ... }" },
	{ "mailboxes.name", CONFIG_SCHEMA_STRING, CONFIG_SCHEMA_REQUIRED,
	    NULL, 0, 0, 0, NULL, config_schema_check_mailbox_name,
	    CONFIG_STORE_NONE, 0,
	    "unique name ([A-Za-z0-9_.-]) in logs, triagectl and the store" },
	{ "mailboxes.host", CONFIG_SCHEMA_STRING, CONFIG_SCHEMA_REQUIRED,
	    NULL, 0, 0, 0, NULL, config_schema_check_nonempty,
	    CONFIG_STORE_NONE, 0, "IMAP server host name or address" },
	{ "mailboxes.port", CONFIG_SCHEMA_INT, 0, NULL, 0, 1, 65535, NULL,
	    NULL, CONFIG_STORE_NONE, 0,
	    "TCP port (default: 993 with tls = \"implicit\", else 143)" },
	{ "mailboxes.tls", CONFIG_SCHEMA_STRING, 0, "implicit", 0, 0, 0,
	    config_schema_imap_tls_modes, NULL, CONFIG_STORE_NONE, 0,
	    "implicit (TLS from the first byte), starttls, or none" },
	{ "mailboxes.allow_plaintext", CONFIG_SCHEMA_BOOL, 0, NULL, 0, 0, 1,
	    NULL, NULL, CONFIG_STORE_NONE, 0,
	    "allow tls = \"none\" (the password then travels in clear)" },
	{ "mailboxes.verify", CONFIG_SCHEMA_BOOL, 0, NULL, 1, 0, 1, NULL, NULL,
	    CONFIG_STORE_NONE, 0, "verify the server's certificate and name" },
	{ "mailboxes.ca_file", CONFIG_SCHEMA_STRING, 0, "", 0, 0, 0, NULL,
	    config_schema_check_path_or_empty, CONFIG_STORE_NONE, 0,
	    "PEM CA bundle; empty: the system's store" },
	{ "mailboxes.user", CONFIG_SCHEMA_STRING, CONFIG_SCHEMA_REQUIRED,
	    NULL, 0, 0, 0, NULL, config_schema_check_nonempty,
	    CONFIG_STORE_NONE, 0, "IMAP LOGIN user name" },
	{ "mailboxes.password", CONFIG_SCHEMA_STRING, CONFIG_SCHEMA_SECRET,
	    "", 0, 0, 0, NULL,
	    NULL, CONFIG_STORE_NONE, 0, "IMAP LOGIN password" },
	{ "mailboxes.password_file", CONFIG_SCHEMA_STRING, 0, "", 0, 0, 0,
	    NULL, config_schema_check_path_or_empty, CONFIG_STORE_NONE, 0,
	    "file whose first line is the password (instead of password)" },
	{ "mailboxes.folder", CONFIG_SCHEMA_STRING, 0, "INBOX", 0, 0, 0, NULL,
	    config_schema_check_nonempty, CONFIG_STORE_NONE, 0,
	    "the folder to take mail from" },
	{ "mailboxes.after", CONFIG_SCHEMA_STRING, 0, "seen", 0, 0, 0,
	    config_schema_imap_after, NULL, CONFIG_STORE_NONE, 0,
	    "after the commit: seen (flag \\Seen), move (to move_to), "
	    "delete (and expunge)" },
	{ "mailboxes.existing", CONFIG_SCHEMA_STRING, 0, "import-silently", 0,
	    0, 0, config_schema_imap_existing, NULL, CONFIG_STORE_NONE, 0,
	    "mail already in the folder at the first connection: "
	    "import-silently (stored, no mail sent), skip (left alone), "
	    "normal (like new mail)" },
	{ "mailboxes.move_to", CONFIG_SCHEMA_STRING, 0, "", 0, 0, 0, NULL,
	    config_schema_check_path_or_empty, CONFIG_STORE_NONE, 0,
	    "folder for after = \"move\" (created if missing)" },
	{ "mailboxes.idle", CONFIG_SCHEMA_BOOL, 0, NULL, 1, 0, 1, NULL, NULL,
	    CONFIG_STORE_NONE, 0, "use IDLE when the server offers it" },
	{ "mailboxes.poll_interval", CONFIG_SCHEMA_INT, 0, NULL, 60, 5, DAY,
	    NULL, NULL, CONFIG_STORE_NONE, 0,
	    "seconds between polls when not in IDLE" },
	{ "mailboxes.batch", CONFIG_SCHEMA_INT, 0, NULL, 50, 1, 1000, NULL,
	    NULL, CONFIG_STORE_NONE, 0, "messages fetched per round" },
	{ "mailboxes.takeover", CONFIG_SCHEMA_INT, 0, NULL, 60, 8, 3600,
	    NULL, NULL, CONFIG_STORE_NONE, 0,
	    "several instances on one PostgreSQL database: seconds after "
	    "which another instance polls this mailbox when the one "
	    "polling it stopped renewing its lease (dead)" },
	{ "mailboxes.max_message_size", CONFIG_SCHEMA_INT, 0, NULL, 0, 0,
	    1 * GIB, NULL, NULL, CONFIG_STORE_NONE, 0,
	    "largest message taken, in bytes read (not the server's "
	    "RFC822.SIZE); 0: limits.max_message_size" },
	{ "mailboxes.category", CONFIG_SCHEMA_STRING, 0, "", 0, 0, 0, NULL,
	    config_schema_check_path_or_empty, CONFIG_STORE_NONE, 0,
	    "category of requests opened from this mailbox; empty: none" },
	{ "mailboxes.priority", CONFIG_SCHEMA_STRING, 0, "", 0, 0, 0, NULL,
	    NULL, CONFIG_STORE_NONE, 0,
	    "priority of those requests: a level of `priorities` "
	    "(checked with them); empty: the usual default" },
	{ "mailboxes.tags", CONFIG_SCHEMA_STRINGS, 0, NULL, 0, 0, 0, NULL,
	    config_schema_check_nonempty, CONFIG_STORE_NONE, 0,
	    "tags put on those requests: [ \"a\", \"b\" ]" },

	/*
	 * The sections loaded by their own files (config_section.h): the
	 * rows below check every key's type, range and choices, refuse
	 * unknown keys and report missing required ones before a section's
	 * load runs, so the sections only build their structs and check
	 * what involves other settings.
	 */
	{ "canned", CONFIG_SCHEMA_MAP, 0, "{ name = \"text\"; ... }", 0, 0, 0,
	    NULL, NULL, CONFIG_STORE_NONE, 0,
	    "canned answers for \"#template NAME\": { name = \"text\"; }" },
	{ "canned.*", CONFIG_SCHEMA_STRING, 0, NULL, 0, 0, 0, NULL, NULL,
	    CONFIG_STORE_NONE, 0,
	    "one answer, a template ({{customer_name}}, {{token}}, ...)" },

	LIST("agents", "{ name = \"anna\"; addresses = "
	    "[ \"anna@example.test\" ]; }",
	    "the people who answer requests"),
	REQ_STR("agents.name", config_schema_check_agent_name,
	    "unique name: reply addresses and #assign (A-Z a-z 0-9 _ . -)"),
	SSTR("agents.display_name", NULL, NULL,
	    "name in the mail we send (default: name)"),
	{ "agents.addresses", CONFIG_SCHEMA_STRINGS,
	    CONFIG_SCHEMA_REQUIRED | CONFIG_SCHEMA_ONE_OK, NULL, 0, 0, 0,
	    NULL, NULL, CONFIG_STORE_NONE, 0,
	    "the agent's own addresses (at least one)" },
	SSTRS("agents.categories",
	    "categories (and their subcategories) the agent serves"),
	SBOOL("agents.manager", 0, "may act on any request"),
	SSTR("agents.calendar", NULL, NULL,
	    "working hours: a name in calendars (default: the first)"),
	SSTR("agents.timezone", NULL, config_schema_check_timezone,
	    "the agent's zone for #task times and reminders (default: the "
	    "calendar's, else timezone)"),
	LIST("agents.away", "{ from = \"2026-12-24\"; until = "
	    "\"2027-01-02\"; }", "absences, whole days in the agent's zone"),
	REQ_STR("agents.away.from", NULL, "first day away, YYYY-MM-DD"),
	REQ_STR("agents.away.until", NULL, "last day away, YYYY-MM-DD"),

	GROUP("agent_mail", "how agents prove who they are"),
	{ "agent_mail.secret", CONFIG_SCHEMA_STRING, CONFIG_SCHEMA_SECRET,
	    NULL, 0, 0, 0, NULL, config_schema_check_key, CONFIG_STORE_NONE,
	    0, "key signing reply addresses (16+ characters); default: a "
	    "key generated beside the database" },
	SSTR("agent_mail.secret_file", NULL, config_schema_check_path_or_empty,
	    "file holding that key (instead of secret)"),
	SSTR("agent_mail.note_address", NULL, NULL,
	    "address whose mail becomes an internal note"),
	SSTRS("agent_mail.trusted_authserv_ids",
	    "authserv-ids whose Authentication-Results (DKIM/SPF) we believe"),
	SSTRS("agent_mail.trusted_hosts",
	    "hosts whose Received and Authentication-Results we believe"),
	SCHOICE("agent_mail.require", "signature-or-auth",
	    config_schema_agent_require,
	    "proof an agent's mail needs: signature-or-auth, signature, "
	    "signature+auth"),
	SBOOL("agent_mail.tell_customer_on_reassign", 0,
	    "tell the customer when a request changes hands"),

	GROUP("notifications", "mail that tells agents what happened"),
	{ "notifications.attach_max", CONFIG_SCHEMA_INT, 0, NULL,
	    10 * MIB, 0, 100 * MIB, NULL, NULL, CONFIG_STORE_NONE, 0,
	    "bytes of the customer's attachments forwarded to agents" },
	/* The built-in texts, compiled by config_agents.c. */
	NOTICE("notifications.new_request", "New request: {{subject}}",
	    "{{marker}}\n\n"
	    "{{sender_name}} <{{sender_email}}> opened request {{token}}:\n\n"
	    "{{warning}}{{text}}\n\n{{card}}\n{{state}}",
	    "a request was opened"),
	NOTICE("notifications.customer_message", "{{subject}}",
	    "{{marker}}\n\n"
	    "{{sender_name}} <{{sender_email}}> wrote on {{token}}:\n\n"
	    "{{warning}}{{text}}\n\n{{card}}\n{{state}}",
	    "the customer wrote"),
	NOTICE("notifications.assigned", "Assigned to you: {{subject}}",
	    "{{marker}}\n\n"
	    "{{actor}} assigned request {{token}} to you.\n\n"
	    "{{customer_name}} <{{customer_email}}> wrote:\n\n"
	    "{{text}}\n\n{{card}}\n{{state}}",
	    "a request was assigned to you"),
	NOTICE("notifications.note", "Note: {{subject}}",
	    "{{marker}}\n\n"
	    "{{agent_name}} added an internal note on {{token}} (not sent to "
	    "the customer):\n\n{{text}}\n\n{{card}}\n{{state}}",
	    "an agent added a note"),
	NOTICE("notifications.reassigned_customer", "{{subject}}",
	    "Hello {{customer_name}},\n\n"
	    "{{agent_name}} is now handling your request {{token}}.  Simply "
	    "reply to this message if you have anything to add.\n\n"
	    "{{support_name}}\n",
	    "to the customer: another agent took over"),
	NOTICE("notifications.command_result", "Re: {{subject}}",
	    "{{result}}\n", "the answer to #commands"),

	{ "priorities", CONFIG_SCHEMA_GROUP, CONFIG_SCHEMA_LEVELS_OK,
	    "{ levels = [ \"low\", \"normal\", \"high\" ]; }", 0, 0, 0, NULL,
	    NULL, CONFIG_STORE_NONE, 0,
	    "priority levels, lowest first; [ ... ] alone are the levels" },
	{ "priorities.levels", CONFIG_SCHEMA_STRINGS,
	    CONFIG_SCHEMA_REQUIRED | CONFIG_SCHEMA_ONE_OK,
	    NULL, 0, 0, 0, NULL, NULL, CONFIG_STORE_NONE, 0,
	    "the levels (default: low, normal, high, urgent)" },
	SSTR("priorities.default", NULL, NULL,
	    "level of a new request (default: normal if listed, else the "
	    "lowest)"),

	LIST("categories", "{ path = \"Billing/Refunds\"; ... }",
	    "the category tree, one entry per category"),
	REQ_STR("categories.path", NULL, "names separated by \"/\""),
	SCHOICE("categories.strategy", "round-robin",
	    config_schema_strategies,
	    "assignment: round-robin, least-open, sticky, pool"),
	SSTR("categories.priority", NULL, NULL, "priority of its requests"),
	SSTR("categories.sla_policy", NULL, NULL, "a name in sla_policies"),
	SSTRS("categories.managers", "agents told of everything in it"),
	SBOOL("categories.working_hours", 0,
	    "assign only to agents within their working hours"),
	SSTRS("categories.addresses",
	    "support addresses whose new requests default to it"),

	LIST("companies", "{ name = \"ACME\"; domains = [ \"acme.test\" ]; }",
	    "customers' companies, known by domain or address"),
	REQ_STR("companies.name", NULL, "the company's name"),
	SSTRS("companies.domains", "mail domains of its people"),
	SSTRS("companies.addresses", "single addresses of its people"),
	SSTR("companies.priority_floor", NULL, NULL,
	    "its requests are at least this priority"),
	SSTR("companies.sla_policy", NULL, NULL, "a name in sla_policies"),

	SSTRS("tags", "the tags rules may add; absent: any"),

	LIST("rules", "{ name = \"...\"; if = { ... }; then = { ... }; }",
	    "classification rules, applied in order"),
	SSTR("rules.name", NULL, NULL, "shown by triagectl explain "
	    "(default: ruleN)"),
	{ "rules.if", CONFIG_SCHEMA_EXPR, 0, NULL, 0, 0, 0, NULL, NULL,
	    CONFIG_STORE_NONE, 0,
	    "conditions: { subject = { contains = \"x\"; }; any = ( ... ); }" },
	{ "rules.then", CONFIG_SCHEMA_GROUP, CONFIG_SCHEMA_REQUIRED,
	    "{ category = \"...\"; ... }", 0, 0, 0, NULL, NULL,
	    CONFIG_STORE_NONE, 0, "what a matching rule does" },
	/* checked by config_routing.c for each field of an if */
	GROUP("rules.if.field", "a condition on a field: from, from_domain, "
	    "to, cc, header, subject, body, mailbox, company = { ... } "
	    "(has_attachments, business_hours, new_request = true or false; "
	    "all, any, not = ( { ... } ) combine them)"),
	SSTR("rules.if.field.name", NULL, NULL, "header = { name = ...; }: "
	    "the header's name"),
	SSTRS("rules.if.field.contains", "the field contains one of these"),
	SSTRS("rules.if.field.equals", "the field is one of these"),
	SSTRS("rules.if.field.regex", "the field matches one of these PCRE2 "
	    "patterns"),
	SSTRS("rules.if.field.in", "the field equals one of these (any case)"),
	SBOOL("rules.if.field.caseless", 0, "compare ignoring case"),
	SSTR("rules.then.category", NULL, NULL, "set the category"),
	SSTRS("rules.then.tag", "add tags"),
	SSTR("rules.then.priority", NULL, NULL, "set the priority"),
	SSTR("rules.then.assign", NULL, NULL, "assign to this agent"),
	SCHOICE("rules.then.strategy", NULL, config_schema_strategies,
	    "assignment strategy (as in categories)"),
	SSTR("rules.then.sla_policy", NULL, NULL, "a name in sla_policies"),
	SSTRS("rules.then.cc", "addresses copied on new requests"),
	SBOOL("rules.then.skip_ack", 0, "send no acknowledgement"),
	SBOOL("rules.then.spam", 0, "close the request as spam"),
	SBOOL("rules.stop", 0, "no further rules after this one"),

	LIST("calendars", "{ name = \"office\"; timezone = "
	    "\"Europe/Warsaw\"; hours = { ... }; }",
	    "working hours for SLA clocks and absences; the first is the "
	    "default"),
	REQ_STR("calendars.name", NULL, "name for sla_policies and agents"),
	SSTR("calendars.timezone", "UTC", NULL, "an IANA zone name"),
	{ "calendars.hours", CONFIG_SCHEMA_GROUP, CONFIG_SCHEMA_REQUIRED,
	    "{ mon = [ \"9:00-17:00\" ]; ... }", 0, 0, 0, NULL, NULL,
	    CONFIG_STORE_NONE, 0, "open hours per weekday" },
	HOURS("calendars.hours.sun"), HOURS("calendars.hours.mon"),
	HOURS("calendars.hours.tue"), HOURS("calendars.hours.wed"),
	HOURS("calendars.hours.thu"), HOURS("calendars.hours.fri"),
	HOURS("calendars.hours.sat"),
	SSTRS("calendars.holidays", "closed days, YYYY-MM-DD"),
	SSTRS("calendars.workdays", "open days that would be closed"),

	LIST("sla_policies", "{ name = \"standard\"; first_response = 180; "
	    "... }", "response and resolution targets"),
	REQ_STR("sla_policies.name", NULL, "name for categories and rules"),
	SSTR("sla_policies.calendar", NULL, NULL,
	    "the calendar its minutes count in (default: the first)"),
	MINUTES("sla_policies.first_response", "to the first answer"),
	MINUTES("sla_policies.next_response", "to each next answer"),
	MINUTES("sla_policies.resolution", "to resolution"),
	SSTRS("sla_policies.priorities", "priorities it applies to"),
	{ "sla_policies.warn_at", CONFIG_SCHEMA_INT, 0, NULL, 80, 0, 100,
	    NULL, NULL, CONFIG_STORE_NONE, 0,
	    "percent of a target at which agents are warned" },
	GROUP("sla_policies.escalate", "what a breach does"),
	SSTR("sla_policies.escalate.priority", NULL, NULL,
	    "a level, or \"+N\" levels up"),
	SSTR("sla_policies.escalate.tag", NULL, NULL, "add this tag"),
	SSTR("sla_policies.escalate.assign", NULL, NULL,
	    "assign to this agent"),
	SSTR("sla_policies.escalate.category", NULL, NULL,
	    "move to this category"),
	SSTRS("sla_policies.escalate.notify", "addresses told of the breach"),

	GROUP("sla", "SLA defaults and mail"),
	SSTR("sla.default_policy", NULL, NULL,
	    "policy of requests no other rule gives one (default: the "
	    "first; \"\": none)"),
	/* The built-in texts, compiled by config_sla.c. */
	NOTICE("sla.warning", "SLA warning: {{target}} of {{token}} {{left}}",
	    "The {{target}} of request {{token}} \"{{subject}}\" is due at "
	    "{{due}} ({{left}}).\n\nPolicy: {{policy}}\nPriority: "
	    "{{priority}}\nCategory: {{category}}\nAssignee: {{assignee}}\n"
	    "Customer: {{customer_email}}\n",
	    "to agents: a target is near"),
	NOTICE("sla.breach", "SLA breach: {{target}} of {{token}} {{left}}",
	    "The {{target}} of request {{token}} \"{{subject}}\" was due at "
	    "{{due}} ({{left}}).\n\nPolicy: {{policy}}\nPriority: "
	    "{{priority}}\nCategory: {{category}}\nAssignee: {{assignee}}\n"
	    "Customer: {{customer_email}}\n",
	    "to agents: a target was missed"),
	NOTICE("sla.out_of_hours_ack", "{{subject}}",
	    "Dear {{customer_name}},\n\nthank you for your message; it is "
	    "request number {{id}}.  It reached us outside our working hours: "
	    "we will answer from {{clock_starts}}.\n\n{{support_name}}\n",
	    "to the customer, instead of the acknowledgement, out of hours"),

	GROUP("reports", "satisfaction survey and digests"),
	SBOOL("reports.survey", 0, "ask for a rating when a request is "
	    "resolved"),
	{ "reports.rating_key", CONFIG_SCHEMA_STRING, CONFIG_SCHEMA_SECRET,
	    "", 0, 0, 0, NULL, config_schema_check_key_or_empty,
	    CONFIG_STORE_NONE, 0,
	    "key signing rating addresses (16+ characters)" },
	/* The built-in texts, compiled by config_reports.c. */
	SSTR("reports.survey_subject", "How did we do? {{subject}}", NULL,
	    "survey subject template"),
	SSTR("reports.survey_body", "Hello {{customer_name}},\n"
	    "\n"
	    "your request {{token}} has been resolved.  How satisfied are you\n"
	    "with our help?  Reply with one digit from 1 (poor) to 5 "
	    "(excellent)\n"
	    "on the first line, or click one of these links:\n"
	    "\n"
	    "{{links}}\n"
	    "Thank you,\n"
	    "{{support_name}}\n", NULL, "survey body template"),
	SSTR("reports.calendar", NULL, NULL,
	    "calendar business times count in (default: the first)"),
	LIST("reports.digests", "{ name = \"daily\"; every = \"daily\"; "
	    "at = \"08:00\"; to = [ ... ]; }", "scheduled digest mail"),
	REQ_STR("reports.digests.name", NULL, "unique name"),
	{ "reports.digests.every", CONFIG_SCHEMA_STRING,
	    CONFIG_SCHEMA_REQUIRED, NULL, 0, 0, 0, config_schema_every, NULL,
	    CONFIG_STORE_NONE, 0, "daily or weekly" },
	SSTR("reports.digests.day", "monday", config_schema_check_weekday,
	    "weekday of a weekly digest"),
	SSTR("reports.digests.at", "00:00", config_schema_check_time,
	    "time of day HH:MM, in the reports calendar's zone"),
	{ "reports.digests.to", CONFIG_SCHEMA_STRINGS,
	    CONFIG_SCHEMA_REQUIRED | CONFIG_SCHEMA_ONE_OK, NULL, 0, 0, 0,
	    NULL, NULL, CONFIG_STORE_NONE, 0, "recipients (at least one)" },

	{ NULL, CONFIG_SCHEMA_GROUP, 0, NULL, 0, 0, 0, NULL, NULL,
	    CONFIG_STORE_NONE, 0, NULL }
};

const struct config_schema_listen config_schema_listen_defaults[] = {
	{ "lmtp", "127.0.0.1", 2424 },
	{ "smtp", "127.0.0.1", 2525 }
};
const size_t config_schema_nlisten_defaults =
    sizeof(config_schema_listen_defaults) /
    sizeof(config_schema_listen_defaults[0]);

/*
 * Loopback: an MTA on this host delivering to us is every client at once
 * (Postfix exempts $mynetworks from its client rate limits alike).
 */
const char *const config_schema_ack_exempt_defaults[] = {
	"127.0.0.0/8", "::1", NULL
};

const struct config_schema *
config_schema_find(const char *path)
{
	const struct config_schema *e;

	for (e = config_schema; e->path != NULL; e++) {
		if (strcmp(e->path, path) == 0)
			return e;
	}
	return NULL;
}

char *
config_schema_choices(const struct config_schema *e)
{
	struct buf out;
	char *result;
	size_t i;

	buf_init(&out);
	for (i = 0; e->choices != NULL && e->choices[i] != NULL; i++)
		buf_printf(&out, "%s%s", i > 0 ? ", " : "", e->choices[i]);
	result = buf_steal(&out, NULL);
	buf_release(&out);	/* steal leaves an empty buffer */
	return result;
}

static const char *
config_schema_check_nonempty(const char *value)
{
	if (*value == '\0')
		return "must not be empty";
	if (config_schema_has_ctl(value))
		return "must not contain control characters";
	return NULL;
}

/* Letters, digits, '-' and '.': it goes into EHLO and Message-IDs. */
static const char *
config_schema_check_hostname(const char *value)
{
	static const char bad[] =
	    "must be a host name (letters, digits, '-', '.')";
	const char *p;

	if (*value == '\0' || strlen(value) > 253)
		return "must be a host name of 1 to 253 characters";
	for (p = value; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
			return bad;
	}
	if (*value == '.' || *value == '-' || p[-1] == '.' ||
	    strstr(value, "..") != NULL)
		return bad;
	return NULL;
}

static const char *
config_schema_check_log_level(const char *value)
{
	enum log_level level;

	if (log_level_parse(value, &level) == -1)
		return "must be one of error, warn, info, debug";
	return NULL;
}

/*
 * The account must exist when the file is checked, so `triaged -t` finds
 * a typo before a restart does.  Empty: no privilege drop.
 */
static const char *
config_schema_check_user(const char *value)
{
	if (*value != '\0' && getpwnam(value) == NULL)
		return "no such user";
	return NULL;
}

/* A zone the calendars can read (tzdata), so a typo fails -t. */
static const char *
config_schema_check_timezone(const char *value)
{
	struct calendar *cal;
	struct error err;

	if (*value == '\0')
		return NULL;
	if ((cal = calendar_new(value, &err)) == NULL)
		return "not a time zone of tzdata (e.g. \"Europe/Warsaw\")";
	calendar_free(cal);
	return NULL;
}

static const char *
config_schema_check_group(const char *value)
{
	if (*value != '\0' && getgrnam(value) == NULL)
		return "no such group";
	return NULL;
}

/*
 * Plausible, not RFC 5321-complete: these are our own addresses, written
 * by the admin, and a typo here must not pass silently.
 */
static const char *
config_schema_check_address(const char *value)
{
	const char *at, *p;

	for (p = value; *p != '\0'; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '<' ||
		    *p == '>' || *p == ',' || *p == '"')
			return "must be a plain address local@domain "
			    "(no spaces, <>, quotes or commas)";
	}
	at = strrchr(value, '@');
	if (at == NULL || at == value || at[1] == '\0' ||
	    strchr(value, '@') != at)
		return "must be an address of the form local@domain";
	if (at[1] == '.' || p[-1] == '.' || strstr(at, "..") != NULL)
		return "must be an address of the form local@domain";
	return NULL;
}

/*
 * The rules of subject_token_new() (subject_token.c), which the pipeline
 * applies to every message: a format it refused would defer all mail.
 * Repeated here because config sits below the mail code; test_config
 * checks that both agree.
 */
static const char *
config_schema_check_token(const char *value)
{
	const char *first, *p;

	if (strchr(value, '\r') != NULL || strchr(value, '\n') != NULL)
		return "must not contain CR or LF";
	first = strstr(value, "{n}");
	if (first == NULL || strstr(first + 3, "{n}") != NULL)
		return "must contain {n} exactly once";
	if (config_schema_has_ctl(value))
		return "must not contain control characters";
	if (strlen(value) > 64)
		return "must be at most 64 bytes (it is in every subject we send)";
	for (p = value; p < first && isspace((unsigned char)*p); p++)
		;
	if (p == first)
		return "needs visible text before {n}, like \"[#{n}]\"";
	if (isalnum((unsigned char)first[3]))
		return "must not have a letter or digit right after {n}: it "
		    "would run into the number";
	return NULL;
}

static const char *
config_schema_check_ip(const char *value)
{
	unsigned char addr[16];

	if (inet_pton(AF_INET, value, addr) == 1 ||
	    inet_pton(AF_INET6, value, addr) == 1)
		return NULL;
	return "must be a literal IPv4 or IPv6 address";
}

static const char *
config_schema_check_network(const char *value)
{
	struct cidr c;

	return cidr_parse(value, &c);
}

static const char *
config_schema_check_path_or_empty(const char *value)
{
	if (config_schema_has_ctl(value))
		return "must not contain control characters";
	return NULL;
}

/* It names log lines, state rows and "imap:NAME" sources: keep it plain. */
static const char *
config_schema_check_mailbox_name(const char *value)
{
	const char *p;

	if (*value == '\0' || strlen(value) > 64)
		return "must be 1 to 64 characters";
	for (p = value; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' ||
		    *p == '-'))
			return "must contain only letters, digits, '_', '.' "
			    "and '-'";
	}
	return NULL;
}

/* A language code: the templates' folders are named by it. */
static const char *
config_schema_check_language(const char *value)
{
	if (!config_language_code_ok(value))
		return "must be a language code of 2 or 3 lowercase letters "
		    "(ISO 639: \"en\", \"pl\", \"ru\")";
	return NULL;
}

/* Names go into reply addresses and commands: keep them plain. */
static const char *
config_schema_check_agent_name(const char *value)
{
	size_t n = strlen(value);

	if (n == 0 || n > 40 || strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_.-") != n)
		return "must be 1 to 40 of the characters A-Z a-z 0-9 _ . -";
	return NULL;
}

/* HMAC keys: what signing would refuse is refused here (config.h). */
static const char *
config_schema_check_key(const char *value)
{
	if (strlen(value) < CONFIG_KEY_MIN)
		return "must be at least 16 characters (32 random ones are "
		    "best)";
	return NULL;
}

/* "" is the shipped default: no key (the survey then needs one). */
static const char *
config_schema_check_key_or_empty(const char *value)
{
	return *value == '\0' ? NULL : config_schema_check_key(value);
}

/* "monday" or "mon", any case: config_reports.c reads it the same way. */
static const char *
config_schema_check_weekday(const char *value)
{
	static const char *const days[] = { "sunday", "monday", "tuesday",
	    "wednesday", "thursday", "friday", "saturday" };
	size_t i;

	for (i = 0; i < 7; i++) {
		if (strcasecmp(value, days[i]) == 0 || (strlen(value) == 3 &&
		    strncasecmp(value, days[i], 3) == 0))
			return NULL;
	}
	return "must be a weekday name such as \"monday\"";
}

static const char *
config_schema_check_time(const char *value)
{
	int h, m, used = 0;

	if (sscanf(value, "%2d:%2d%n", &h, &m, &used) != 2 ||
	    value[used] != '\0' || used < 4 || h < 0 || h > 23 || m < 0 ||
	    m > 59)
		return "must be a time of day \"HH:MM\"";
	return NULL;
}

static bool
config_schema_has_ctl(const char *value)
{
	const char *p;

	for (p = value; *p != '\0'; p++) {
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			return true;
	}
	return false;
}

static void	config_schema_put_string(struct buf *, const char *);
static void	config_schema_print_group(const struct config *, struct buf *,
		    const char *, config_setting_t *, int);
static void	config_schema_print_row(const struct config *, struct buf *,
		    const struct config_schema *, const char *,
		    config_setting_t *, int);
static void	config_schema_print_value(const struct config *,
		    struct buf *, const struct config_schema *, const char *,
		    config_setting_t *, int);
static bool	config_schema_print_stored(const struct config *,
		    struct buf *, const struct config_schema *);
static void	config_schema_put_value(struct buf *, const config_setting_t *,
		    bool);
static config_setting_t *config_schema_member(config_setting_t *,
		    const char *);

/* What a secret prints as: 16 characters, so a key's check still holds. */
#define CONFIG_SCHEMA_MASK	"****************"

/*
 * The settings config.c stores in struct config print from there (their
 * effective values: the host name, the in-flight limit); the others, the
 * sections' and the mailboxes', from the file as written with the table's
 * defaults for what it leaves out.  The file is read again for them: the
 * caller has just loaded c from it.
 */
void
config_schema_print(const struct config *c, struct buf *out)
{
	config_t	 cf;
	config_setting_t *root = NULL;
	char		*dir;

	config_init(&cf);
	dir = xstrdup(c->path);
	config_set_include_dir(&cf, dirname(dir));
	if (strcmp(c->path, "(defaults)") != 0 &&
	    config_read_file(&cf, c->path) == CONFIG_TRUE)
		root = config_root_setting(&cf);
	config_schema_print_group(c, out, NULL, root, 0);
	config_destroy(&cf);
	free(dir);
}

/* The rows right under prefix (NULL: the top), values from group. */
static void
config_schema_print_group(const struct config *c, struct buf *out,
    const char *prefix, config_setting_t *group, int depth)
{
	const struct config_schema	*e;
	const char			*leaf;

	for (e = config_schema; e->path != NULL; e++)
		if ((leaf = config_schema_leaf(e, prefix)) != NULL)
			config_schema_print_row(c, out, e, leaf,
			    config_schema_member(group, leaf), depth);
}

const char *
config_schema_leaf(const struct config_schema *e, const char *prefix)
{
	const char	*leaf = e->path;
	size_t		 plen;

	if (prefix != NULL) {
		plen = strlen(prefix);
		if (strncmp(e->path, prefix, plen) != 0 ||
		    e->path[plen] != '.')
			return NULL;
		leaf = e->path + plen + 1;
	}
	if (strchr(leaf, '.') != NULL || strcmp(leaf, "*") == 0)
		return NULL;
	return leaf;
}

/*
 * A group with a required key (http, metrics) stands for a thing that is
 * there or not: its defaults alone would not read back.
 */
static bool
config_schema_has_required(const char *prefix)
{
	const struct config_schema	*e;

	for (e = config_schema; e->path != NULL; e++)
		if ((e->flags & CONFIG_SCHEMA_REQUIRED) &&
		    config_schema_leaf(e, prefix) != NULL)
			return true;
	return false;
}

/* priorities = [ ... ] is priorities = { levels = [ ... ]; } */
static config_setting_t *
config_schema_member(config_setting_t *group, const char *leaf)
{
	if (group == NULL)
		return NULL;
	if (config_setting_type(group) == CONFIG_TYPE_GROUP)
		return config_setting_get_member(group, leaf);
	if (config_setting_is_aggregate(group) && strcmp(leaf, "levels") == 0)
		return group;
	return NULL;
}

/* One row, indented; nothing if it has no value (nor default). */
static void
config_schema_print_row(const struct config *c, struct buf *to,
    const struct config_schema *e, const char *leaf, config_setting_t *s,
    int depth)
{
	struct buf	 line;

	buf_init(&line);
	config_schema_print_value(c, &line, e, leaf, s, depth);
	if (line.len > 0)
		buf_printf(to, "%*s%s", depth * 4, "", line.data);
	buf_release(&line);
}

/* leaf = value; at depth, its first line not indented. */
static void
config_schema_print_value(const struct config *c, struct buf *out,
    const struct config_schema *e, const char *leaf, config_setting_t *s,
    int depth)
{
	struct buf	 body;
	config_setting_t *el;
	int		 i, n;

	n = s != NULL && config_setting_is_aggregate(s) ?
	    config_setting_length(s) : 0;
	switch (e->type) {
	case CONFIG_SCHEMA_GROUP:
		/* http = {...} absent means "no listener": keep it absent */
		if (s == NULL && config_schema_has_required(e->path))
			return;
		buf_init(&body);
		config_schema_print_group(c, &body, e->path, s, depth + 1);
		if (body.len > 0)
			buf_printf(out, "%s = {\n%s%*s};\n", leaf, body.data,
			    depth * 4, "");
		buf_release(&body);
		return;
	case CONFIG_SCHEMA_LIST:
		if (strcmp(e->path, "listen") == 0) {
			buf_printf(out, "%s = (\n", leaf);
			(void)config_schema_print_stored(c, out, e);
			buf_printf(out, "%*s);\n", depth * 4, "");
			return;
		}
		if (s == NULL || config_setting_type(s) != CONFIG_TYPE_LIST)
			break;
		buf_printf(out, "%s = (\n", leaf);
		for (i = 0; i < n; i++) {
			el = config_setting_get_elem(s, (unsigned int)i);
			buf_printf(out, "%*s{\n", depth * 4 + 4, "");
			config_schema_print_group(c, out, e->path, el,
			    depth + 2);
			buf_printf(out, "%*s}%s\n", depth * 4 + 4, "",
			    i + 1 < n ? "," : "");
		}
		buf_printf(out, "%*s);\n", depth * 4, "");
		return;
	case CONFIG_SCHEMA_MAP:
	case CONFIG_SCHEMA_EXPR:
		if (s == NULL)
			break;
		buf_printf(out, "%s = ", leaf);
		config_schema_put_value(out, s, false);
		buf_append_str(out, ";\n");
		return;
	case CONFIG_SCHEMA_STRINGS:
	case CONFIG_SCHEMA_STRING:
	case CONFIG_SCHEMA_INT:
	case CONFIG_SCHEMA_BOOL:
		if ((e->flags & CONFIG_SCHEMA_SECRET) == 0 &&
		    (e->store != CONFIG_STORE_NONE ||
		    strcmp(e->path, "support.addresses") == 0 ||
		    strcmp(e->path, "outgoing.smarthost.tls") == 0 ||
		    strcmp(e->path,
		    "acknowledgement.rate_limit_exempt") == 0)) {
			buf_printf(out, "%s = ", leaf);
			(void)config_schema_print_stored(c, out, e);
			buf_append_str(out, ";\n");
			return;
		}
		if (s != NULL) {
			buf_printf(out, "%s = ", leaf);
			if (e->type == CONFIG_SCHEMA_STRINGS &&
			    !config_setting_is_aggregate(s))
				buf_append_str(out, "[ ");
			config_schema_put_value(out, s,
			    (e->flags & CONFIG_SCHEMA_SECRET) != 0);
			if (e->type == CONFIG_SCHEMA_STRINGS &&
			    !config_setting_is_aggregate(s))
				buf_append_str(out, " ]");
			buf_append_str(out, ";\n");
			return;
		}
		/* the default; none (a computed one) is left out */
		if (e->type == CONFIG_SCHEMA_STRING &&
		    e->default_string != NULL) {
			buf_printf(out, "%s = ", leaf);
			config_schema_put_string(out, e->default_string);
			buf_append_str(out, ";\n");
			return;
		}
		if (e->type == CONFIG_SCHEMA_STRINGS &&
		    e->default_string != NULL) {
			buf_printf(out, "%s = [ ", leaf);
			config_schema_put_string(out, e->default_string);
			buf_append_str(out, " ];\n");
			return;
		}
		if (e->type == CONFIG_SCHEMA_BOOL) {
			buf_printf(out, "%s = %s;\n", leaf, e->default_int ?
			    "true" : "false");
			return;
		}
		if (e->type == CONFIG_SCHEMA_INT && e->default_int >= e->min &&
		    e->default_int <= e->max) {
			buf_printf(out, "%s = %lld%s;\n", leaf, e->default_int,
			    e->default_int > 2147483647LL ? "L" : "");
			return;
		}
		break;
	}
}

/* A setting as written, in libconfig syntax; secret: masked if set. */
static void
config_schema_put_value(struct buf *out, const config_setting_t *s,
    bool secret)
{
	const config_setting_t	*el;
	const char		*str, *open = "[ ", *close = " ]";
	long long		 v;
	int			 i, n;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_STRING:
		str = config_setting_get_string(s);
		config_schema_put_string(out, secret && *str != '\0' ?
		    CONFIG_SCHEMA_MASK : str);
		return;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		v = config_setting_get_int64(s);
		buf_printf(out, "%lld%s", v, v > 2147483647LL ||
		    v < -2147483648LL ? "L" : "");
		return;
	case CONFIG_TYPE_FLOAT:
		buf_printf(out, "%.17g", config_setting_get_float(s));
		return;
	case CONFIG_TYPE_BOOL:
		buf_append_str(out, config_setting_get_bool(s) ? "true" :
		    "false");
		return;
	case CONFIG_TYPE_GROUP:
		open = "{ ";
		close = "}";
		break;
	case CONFIG_TYPE_LIST:
		open = "( ";
		close = " )";
		break;
	default:
		break;
	}
	n = config_setting_length(s);
	buf_append_str(out, n == 0 && *open != '{' ? "[ ]" : open);
	for (i = 0; i < n; i++) {
		el = config_setting_get_elem(s, (unsigned int)i);
		if (config_setting_type(s) == CONFIG_TYPE_GROUP)
			buf_printf(out, "%s = ", config_setting_name(el));
		else if (i > 0)
			buf_append_str(out, ", ");
		config_schema_put_value(out, el, secret);
		if (config_setting_type(s) == CONFIG_TYPE_GROUP)
			buf_append_str(out, "; ");
	}
	if (n > 0 || *open == '{')
		buf_append_str(out, close);
}

/* The effective value of a setting config.c stores; false if none. */
static bool
config_schema_print_stored(const struct config *c, struct buf *out,
    const struct config_schema *e)
{
	const char	*str;
	long long	 v;
	size_t		 i;

	if (strcmp(e->path, "support.addresses") == 0 ||
	    strcmp(e->path, "acknowledgement.rate_limit_exempt") == 0) {
		buf_append_str(out, "[ ");
		for (i = 0; e->path[0] == 's' && i < c->nsupport_addresses;
		    i++) {
			buf_append_str(out, i > 0 ? ", " : "");
			config_schema_put_string(out, c->support_addresses[i]);
		}
		for (i = 0; e->path[0] == 'a' && i < c->nack_rate_exempt;
		    i++) {
			buf_append_str(out, i > 0 ? ", " : "");
			config_schema_put_string(out, c->ack_rate_exempt[i]);
		}
		buf_append_str(out, " ]");
		return true;
	}
	if (strcmp(e->path, "listen") == 0) {
		for (i = 0; i < c->nlisten; i++) {
			buf_printf(out, "    { protocol = \"%s\"; address = ",
			    config_schema_protocols[c->listen[i].proto]);
			config_schema_put_string(out, c->listen[i].address);
			buf_printf(out, "; port = %d; }%s\n",
			    c->listen[i].port, i + 1 < c->nlisten ? "," : "");
		}
		return true;
	}
	if (strcmp(e->path, "outgoing.smarthost.tls") == 0) {
		buf_printf(out, "\"%s\"",
		    config_schema_tls_modes[c->smarthost_tls]);
		return true;
	}
	switch (e->store) {
	case CONFIG_STORE_STRING:
	case CONFIG_STORE_STRING_OPT:
		str = *(char *const *)(const void *)
		    ((const char *)c + e->offset);
		config_schema_put_string(out, str != NULL ? str : "");
		return true;
	case CONFIG_STORE_INT:
		v = *(const int *)(const void *)((const char *)c + e->offset);
		buf_printf(out, "%lld", v);
		return true;
	case CONFIG_STORE_SIZE:
		v = (long long)*(const size_t *)(const void *)
		    ((const char *)c + e->offset);
		buf_printf(out, "%lld%s", v, v > 2147483647LL ? "L" : "");
		return true;
	case CONFIG_STORE_BOOL:
		buf_append_str(out, *(const bool *)(const void *)
		    ((const char *)c + e->offset) ? "true" : "false");
		return true;
	case CONFIG_STORE_NONE:
		break;
	}
	return false;
}

static void	config_schema_cell(struct buf *, const char *);

void
config_schema_table(struct buf *out)
{
	const struct config_schema	*e;
	struct buf			 def;
	char				*choices;

	buf_append_str(out, "| Setting | Type | Default | Meaning |\n"
	    "|---|---|---|---|\n");
	buf_init(&def);
	for (e = config_schema; e->path != NULL; e++) {
		buf_printf(out, "| `%s` | ", e->path);
		buf_reset(&def);
		switch (e->type) {
		case CONFIG_SCHEMA_GROUP:
			buf_append_str(out, e->flags & CONFIG_SCHEMA_LEVELS_OK ?
			    "group or list of strings" : "group");
			break;
		case CONFIG_SCHEMA_LIST:
			buf_append_str(out, "list of groups");
			break;
		case CONFIG_SCHEMA_MAP:
			buf_append_str(out, "group of strings");
			break;
		case CONFIG_SCHEMA_EXPR:
			buf_append_str(out, "conditions");
			break;
		case CONFIG_SCHEMA_STRINGS:
			buf_append_str(out, e->flags & CONFIG_SCHEMA_ONE_OK ?
			    "string or list of strings" : "list of strings");
			if (e->default_string != NULL)
				config_schema_put_string(&def,
				    e->default_string);
			break;
		case CONFIG_SCHEMA_STRING:
			if (e->choices != NULL) {
				choices = config_schema_choices(e);
				buf_printf(out, "one of %s", choices);
				free(choices);
			} else
				buf_append_str(out, "string");
			if (e->default_string != NULL &&
			    strlen(e->default_string) <= 40)
				config_schema_put_string(&def,
				    e->default_string);
			else if (e->default_string != NULL)
				buf_append_str(&def, "(a text: triaged -t "
				    "--print shows it)");
			break;
		case CONFIG_SCHEMA_INT:
			buf_printf(out, "integer %lld..%lld", e->min, e->max);
			if (e->default_int >= e->min &&
			    e->default_int <= e->max)
				buf_printf(&def, "%lld", e->default_int);
			break;
		case CONFIG_SCHEMA_BOOL:
			buf_append_str(out, "true or false");
			buf_append_str(&def, e->default_int ? "true" : "false");
			break;
		}
		buf_append_str(out, e->flags & CONFIG_SCHEMA_REQUIRED ?
		    ", required | " : " | ");
		if (def.len > 0)
			buf_printf(out, "`%s`", def.data);
		buf_append_str(out, " | ");
		config_schema_cell(out, e->help);
		buf_append_str(out, " |\n");
	}
	buf_release(&def);
}

/* Text in a Markdown table cell: '|' escaped. */
static void
config_schema_cell(struct buf *out, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '|')
			buf_append_char(out, '\\');
		buf_append_char(out, *s);
	}
}

/* s as a libconfig string: quoted, with \\, \" and control escapes. */
static void
config_schema_put_string(struct buf *out, const char *s)
{
	const unsigned char *p;

	buf_append_char(out, '"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			buf_printf(out, "\\%c", *p);
		else if (*p == '\n')
			buf_append_str(out, "\\n");
		else if (*p < 0x20 || *p == 0x7f)
			buf_printf(out, "\\x%02x", *p);
		else
			buf_append_char(out, (char)*p);
	}
	buf_append_char(out, '"');
}
