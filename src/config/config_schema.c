/*
 * config_schema: the table of every setting triaged understands.  Adding a
 * setting means adding a row here (and, for a plain field, nothing else in
 * config.c); conf/triaged.conf must then show its default, which
 * tests/unit/test_config.c checks.  The value checks below are the ones
 * that need no other setting; checks across settings live in config.c.
 */
#include <arpa/inet.h>

#include <ctype.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "buf.h"
#include "calendar.h"
#include "cidr.h"
#include "error.h"
#include "config.h"
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
static bool		 config_schema_has_ctl(const char *);

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

const struct config_schema config_schema[] = {
	STR("hostname", NULL, config_schema_check_hostname,
	    CONFIG_STORE_STRING, OFF(hostname),
	    "our host name: Message-IDs, SMTP greeting, EHLO "
	    "(default: the system's name if it has a dot)"),
	STR("database", "./var/triaged.db", config_schema_check_nonempty,
	    CONFIG_STORE_STRING, OFF(database),
	    "SQLite database file (its directory is created), or a "
	    "PostgreSQL URI postgresql://..."),
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
	    "empty: stay who we are (warned as root)"),
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

	{ "listen", CONFIG_SCHEMA_LIST, 0, NULL, 0, 0, 0, NULL, NULL,
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
	STR("outgoing.smarthost.password", "", NULL,
	    CONFIG_STORE_STRING_OPT, OFF(smarthost_password),
	    "AUTH password"),
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

	/*
	 * IMAP mailboxes: list entries, so config.c stores each key by name
	 * (CONFIG_STORE_NONE); the defaults here are those of a key left out.
	 */
	{ "mailboxes", CONFIG_SCHEMA_LIST, 0, NULL, 0, 0, 0, NULL, NULL,
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
	{ "mailboxes.password", CONFIG_SCHEMA_STRING, 0, "", 0, 0, 0, NULL,
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
static bool	config_schema_secret(const char *);

void
config_schema_print(const struct config *c, struct buf *out)
{
	const struct config_schema	*e;
	const char			*str;
	long long			 v;
	size_t				 i;

	for (e = config_schema; e->path != NULL; e++) {
		if (strcmp(e->path, "support.addresses") == 0) {
			buf_append_str(out, "support.addresses = [ ");
			for (i = 0; i < c->nsupport_addresses; i++) {
				if (i > 0)
					buf_append_str(out, ", ");
				config_schema_put_string(out,
				    c->support_addresses[i]);
			}
			buf_append_str(out, " ];\n");
			continue;
		}
		if (strcmp(e->path, "listen") == 0) {
			for (i = 0; i < c->nlisten; i++) {
				buf_printf(out, "listen[%zu] = { protocol = "
				    "\"%s\"; address = ", i,
				    config_schema_protocols[c->listen[i].proto]);
				config_schema_put_string(out,
				    c->listen[i].address);
				buf_printf(out, "; port = %d; };\n",
				    c->listen[i].port);
			}
			continue;
		}
		if (strcmp(e->path, "outgoing.smarthost.tls") == 0) {
			buf_printf(out, "%s = \"%s\";\n", e->path,
			    config_schema_tls_modes[c->smarthost_tls]);
			continue;
		}
		switch (e->store) {
		case CONFIG_STORE_STRING:
		case CONFIG_STORE_STRING_OPT:
			str = *(char *const *)(const void *)
			    ((const char *)c + e->offset);
			buf_printf(out, "%s = ", e->path);
			if (str != NULL && *str != '\0' &&
			    config_schema_secret(e->path))
				str = "********";
			config_schema_put_string(out, str != NULL ? str : "");
			buf_append_str(out, ";\n");
			break;
		case CONFIG_STORE_INT:
			v = *(const int *)(const void *)
			    ((const char *)c + e->offset);
			buf_printf(out, "%s = %lld;\n", e->path, v);
			break;
		case CONFIG_STORE_SIZE:
			v = (long long)*(const size_t *)(const void *)
			    ((const char *)c + e->offset);
			buf_printf(out, "%s = %lld%s;\n", e->path, v,
			    v > 2147483647LL ? "L" : "");
			break;
		case CONFIG_STORE_BOOL:
			buf_printf(out, "%s = %s;\n", e->path,
			    *(const bool *)(const void *)
			    ((const char *)c + e->offset) ? "true" : "false");
			break;
		case CONFIG_STORE_NONE:
			break;
		}
	}
}

/* A password or a key, never printed: "password", "secret", not files. */
static bool
config_schema_secret(const char *path)
{
	const char *leaf = strrchr(path, '.');

	leaf = leaf != NULL ? leaf + 1 : path;
	return strcmp(leaf, "password") == 0 || strcmp(leaf, "secret") == 0;
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
