/*
 * Unit tests for config.c and config_schema.c: the shipped conf equals the
 * built-in defaults, and every kind of mistake gives one exact
 * "file:line: setting: problem" line.  Files are written under a mkdtemp()
 * directory removed at the end.
 */
#include <sys/stat.h>

#include <check.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "config_schema.h"
#include "subject_token.h"
#include "template.h"
#include "xmalloc.h"

static char	tmpdir[] = "/tmp/test_config.XXXXXX";

static char	*write_file(const char *name, const char *text);
static char	*expand(const char *pattern, const char *file);
static void	 assert_same_config(const struct config *,
		    const struct config *, bool);
static int	 remove_entry(const char *, const struct stat *, int,
		    struct FTW *);

/* "FILE" in a pattern stands for the config file, "DIR" for tmpdir. */
static char *
expand(const char *pattern, const char *file)
{
	struct buf b;
	const char *p = pattern;
	char *out;

	buf_init(&b);
	while (*p != '\0') {
		if (strncmp(p, "FILE", 4) == 0) {
			buf_append_str(&b, file);
			p += 4;
		} else if (strncmp(p, "DIR", 3) == 0) {
			buf_append_str(&b, tmpdir);
			p += 3;
		} else
			buf_append_char(&b, *p++);
	}
	out = buf_steal(&b, NULL);
	buf_release(&b);
	return out;
}

static char *
write_file(const char *name, const char *text)
{
	char *path, *body;
	FILE *f;

	xasprintf(&path, "%s/%s", tmpdir, name);
	body = expand(text, path);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(body, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	free(body);
	return path;
}

/*
 * a's path is b's default ("./var/triaged.db") resolved against the
 * loaded file's directory: an absolute path ending in "/var/triaged.db".
 */
static void
assert_same_path(const char *a, const char *b)
{
	const char *tail = strncmp(b, "./", 2) == 0 ? b + 1 : b;

	if (b[0] == '/' || strcmp(a, b) == 0) {
		ck_assert_str_eq(a, b);
		return;
	}
	ck_assert_msg(a[0] == '/' && strlen(a) > strlen(tail) &&
	    strcmp(a + strlen(a) - strlen(tail), tail) == 0,
	    "%s is not %s resolved", a, b);
}

static void
assert_same_config(const struct config *a, const struct config *b,
    bool hostname)
{
	size_t i;

	if (hostname)
		ck_assert_str_eq(a->hostname, b->hostname);
	assert_same_path(a->database, b->database);
	ck_assert_str_eq(a->log_level, b->log_level);
	ck_assert_uint_eq(a->nsupport_addresses, b->nsupport_addresses);
	for (i = 0; i < a->nsupport_addresses; i++)
		ck_assert_str_eq(a->support_addresses[i],
		    b->support_addresses[i]);
	ck_assert_str_eq(a->support_name, b->support_name);
	ck_assert_str_eq(a->token_format, b->token_format);
	ck_assert_uint_eq(a->nlisten, b->nlisten);
	for (i = 0; i < a->nlisten; i++) {
		ck_assert_int_eq(a->listen[i].proto, b->listen[i].proto);
		ck_assert_str_eq(a->listen[i].address, b->listen[i].address);
		ck_assert_int_eq(a->listen[i].port, b->listen[i].port);
	}
	ck_assert_pstr_eq(a->tls_certificate, b->tls_certificate);
	ck_assert_pstr_eq(a->tls_key, b->tls_key);
	ck_assert_uint_eq(a->max_message_size, b->max_message_size);
	ck_assert_uint_eq(a->max_line_length, b->max_line_length);
	ck_assert_int_eq(a->max_recipients, b->max_recipients);
	ck_assert_int_eq(a->max_connections, b->max_connections);
	ck_assert_int_eq(a->idle_timeout, b->idle_timeout);
	ck_assert_int_eq(a->session_timeout, b->session_timeout);
	ck_assert_int_eq(a->max_connections_per_client,
	    b->max_connections_per_client);
	ck_assert_int_eq(a->first_command_timeout, b->first_command_timeout);
	ck_assert_int_eq(a->transaction_timeout, b->transaction_timeout);
	ck_assert_uint_eq(a->max_inflight_bytes, b->max_inflight_bytes);
	ck_assert_pstr_eq(a->smarthost_host, b->smarthost_host);
	ck_assert_int_eq(a->smarthost_port, b->smarthost_port);
	ck_assert_int_eq(a->smarthost_tls, b->smarthost_tls);
	ck_assert_int_eq(a->smarthost_verify, b->smarthost_verify);
	ck_assert_pstr_eq(a->smarthost_ca_file, b->smarthost_ca_file);
	ck_assert_pstr_eq(a->smarthost_user, b->smarthost_user);
	ck_assert_pstr_eq(a->smarthost_password, b->smarthost_password);
	ck_assert_int_eq(a->smtp_timeout, b->smtp_timeout);
	assert_same_path(a->outgoing_maildir, b->outgoing_maildir);
	ck_assert_int_eq(a->retry_min, b->retry_min);
	ck_assert_int_eq(a->retry_max, b->retry_max);
	ck_assert_int_eq(a->give_up_after, b->give_up_after);
	ck_assert_int_eq(a->ack_enabled, b->ack_enabled);
	ck_assert_str_eq(template_source(a->ack_subject),
	    template_source(b->ack_subject));
	ck_assert_str_eq(template_source(a->ack_body),
	    template_source(b->ack_body));
	ck_assert_int_eq(a->ack_rate_limit, b->ack_rate_limit);
	ck_assert_int_eq(a->ack_rate_limit_sender, b->ack_rate_limit_sender);
	ck_assert_int_eq(a->ack_rate_limit_client, b->ack_rate_limit_client);
	ck_assert_uint_eq(a->nack_rate_exempt, b->nack_rate_exempt);
	for (i = 0; i < a->nack_rate_exempt; i++)
		ck_assert_str_eq(a->ack_rate_exempt[i], b->ack_rate_exempt[i]);
	ck_assert_int_eq(a->ack_rate_period, b->ack_rate_period);
	ck_assert_int_eq(a->ack_require_auth, b->ack_require_auth);
	ck_assert_uint_eq(a->ack_quote_limit, b->ack_quote_limit);
}

START_TEST(test_defaults)
{
	struct config *c;

	c = config_load(NULL, NULL);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->path, "(defaults)");
	ck_assert_ptr_nonnull(strchr(c->hostname, '.'));
	ck_assert_str_eq(c->database, "./var/triaged.db");
	ck_assert_str_eq(c->support_addresses[0], "support@example.test");
	ck_assert_str_eq(c->token_format, "[#{n}]");
	ck_assert_uint_eq(c->nlisten, 2);
	ck_assert_int_eq(c->listen[0].proto, CONFIG_PROTO_LMTP);
	ck_assert_str_eq(c->listen[0].address, "127.0.0.1");
	ck_assert_int_eq(c->listen[0].port, 2424);
	ck_assert_int_eq(c->listen[1].proto, CONFIG_PROTO_SMTP);
	ck_assert_int_eq(c->listen[1].port, 2525);
	ck_assert_ptr_null(c->tls_certificate);
	ck_assert_ptr_null(c->smarthost_host);
	ck_assert_int_eq(c->smarthost_tls, CONFIG_TLS_STARTTLS);
	ck_assert_uint_eq(c->max_message_size, 26214400);
	ck_assert_int_eq(c->max_connections_per_client, 20);
	ck_assert_int_eq(c->first_command_timeout, 30);
	ck_assert_int_eq(c->transaction_timeout, 120);
	ck_assert_uint_eq(c->max_inflight_bytes, 8 * 26214400ULL);
	ck_assert_int_eq(c->give_up_after, 432000);
	ck_assert_int_eq(c->outbox_lease, 60);
	ck_assert_str_eq(template_source(c->ack_subject), "{{subject}}");
	ck_assert_ptr_nonnull(strstr(template_source(c->ack_body),
	    "{{quoted_text}}"));
	ck_assert_int_eq(c->ack_rate_limit_sender, 10);
	ck_assert_int_eq(c->ack_rate_limit_client, 30);
	ck_assert_uint_eq(c->nack_rate_exempt, 2);
	ck_assert_str_eq(c->ack_rate_exempt[0], "127.0.0.0/8");
	ck_assert_str_eq(c->ack_rate_exempt[1], "::1");
	ck_assert_uint_eq(c->ack_quote_limit, 4096);
	config_unref(c);
}
END_TEST

/* The shipped file spells out exactly the built-in defaults. */
START_TEST(test_shipped_conf_is_defaults)
{
	struct config *shipped, *defaults;
	const char *srcdir = getenv("top_srcdir");
	struct buf *errors = buf_new();
	char *path;

	xasprintf(&path, "%s/conf/triaged.conf", srcdir != NULL ? srcdir :
	    ".");
	shipped = config_load(path, errors);
	ck_assert_msg(shipped != NULL, "%s", errors->data);
	ck_assert_str_eq(errors->data, "");
	defaults = config_load(NULL, NULL);
	ck_assert_str_eq(shipped->path, path);
	ck_assert_str_eq(shipped->hostname, "triaged.example.test");
	assert_same_config(shipped, defaults, false);
	config_unref(shipped);
	config_unref(defaults);
	buf_free(errors);
	free(path);
}
END_TEST

/* With the L, a 64-bit size loads as written. */
START_TEST(test_int64_literal)
{
	struct config *c;
	char *path = write_file("int64.conf",
	    "limits = { max_inflight_bytes = 1099511627776L; };\n");

	c = config_load(path, NULL);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->max_inflight_bytes, 1099511627776ULL);
	config_unref(c);
	free(path);
}
END_TEST

START_TEST(test_empty_file_is_defaults)
{
	struct config *c, *defaults;
	char *path = write_file("empty.conf", "# nothing here\n");

	c = config_load(path, NULL);
	ck_assert_ptr_nonnull(c);
	defaults = config_load(NULL, NULL);
	assert_same_config(c, defaults, true);
	config_unref(c);
	config_unref(defaults);
	free(path);
}
END_TEST

struct error_case {
	const char	*text;		/* "DIR": tmpdir */
	const char	*want;		/* "FILE": the file; "DIR" */
};

static const struct error_case error_cases[] = {
	/* one line per error, whatever the value quoted (fuzz_config) */
	{ "rules = ( { name = \"r\"; then = { category = \"No\\nwhere\"; }; "
	  "} );\n",
	  "FILE:1: rules[0].then: unknown category No?where\n" },
	{ "calendars = ( { name = \"c\"; timezone = \"Mars\\r\\nX\";\n"
	  "  hours = { }; } );\n",
	  "FILE:1: calendars[0]: timezone Mars??X: calendar: bad character in "
	  "time zone \"Mars??X\"\n" },
	/* an agent's zone for task times (issue 19) */
	{ "agents = ( { name = \"anna\"; addresses = [ \"a@example.test\" ];\n"
	  "  timezone = \"Bad Zone\"; } );\n",
	  "FILE:2: agents[0].timezone: not a time zone of tzdata (e.g. "
	  "\"Europe/Warsaw\")\n" },
	/* unknown settings, at every level */
	{ "hostname = \"a.example\";\nsupprt = { };\n",
	  "FILE:2: supprt: unknown setting (did you mean support?)\n" },
	{ "limits = {\n  max_recipient = 5;\n};\n",
	  "FILE:2: limits.max_recipient: unknown setting (did you mean "
	  "max_recipients?)\n" },
	{ "outgoing = { smarthost = {\n hots = \"x\"; }; };\n",
	  "FILE:2: outgoing.smarthost.hots: unknown setting (did you mean "
	  "host?)\n" },
	{ "listen = (\n { protocol = \"lmtp\"; address = \"::1\"; port = 24;\n"
	  "   prot = 1; }\n);\n",
	  "FILE:3: listen[0].prot: unknown setting (did you mean port?)\n" },
	/* the sections, checked by the same schema table */
	{ "canned = { a = 5; };\n",
	  "FILE:1: canned.a: must be a string in double quotes\n" },
	{ "agents = ( { name = \"a\"; addresses = [ \"a@x.test\" ];"
	  " adresses = 1; } );\n",
	  "FILE:1: agents[0].adresses: unknown setting (did you mean "
	  "addresses?)\n" },
	{ "agents = ( { name = \"a\"; addresses = \"a@x.test\";"
	  " manager = \"yes\"; } );\n",
	  "FILE:1: agents[0].manager: must be true or false\n" },
	{ "agents = ( { name = \"a\"; addresses = \"a@x.test\";"
	  " away = ( { from = \"2026-01-01\"; } ); } );\n",
	  "FILE:1: agents[0].away[0]: missing until\n" },
	{ "agent_mail = { require = \"dkim\"; };\n",
	  "FILE:1: agent_mail.require: must be one of signature-or-auth, "
	  "signature, signature+auth\n" },
	{ "agent_mail = { secrt = \"0123456789abcdef\"; };\n",
	  "FILE:1: agent_mail.secrt: unknown setting (did you mean "
	  "secret?)\n" },
	{ "notifications = { attach_max = -1; };\n",
	  "FILE:1: notifications.attach_max: must be between 0 and "
	  "104857600\n" },
	{ "notifications = { note = { subjct = \"x\"; }; };\n",
	  "FILE:1: notifications.note.subjct: unknown setting (did you mean "
	  "subject?)\n" },
	{ "priorities = ( \"low\", 2 );\n",
	  "FILE:1: priorities[1]: must be a string in double quotes\n" },
	{ "categories = ( { strategy = \"pool\"; } );\n",
	  "FILE:1: categories[0]: missing path\n" },
	{ "categories = ( { path = \"A\"; strategy = \"random\"; } );\n",
	  "FILE:1: categories[0].strategy: must be one of round-robin, "
	  "least-open, sticky, pool\n" },
	{ "companies = ( { name = \"X\"; addresses = \"a@x.test\";"
	  " domains = 5; } );\n",
	  "FILE:1: companies[0].domains: must be a string or a list of "
	  "strings [ \"a\", \"b\" ]\n" },
	{ "rules = ( { nmae = \"r\"; then = { }; } );\n",
	  "FILE:1: rules[0].nmae: unknown setting (did you mean name?)\n" },
	{ "rules = ( { then = { skip_ack = 1; }; } );\n",
	  "FILE:1: rules[0].then.skip_ack: must be true or false\n" },
	{ "calendars = ( { name = \"c\"; hours = { mon = [ \"9:00-17:00\" ];"
	  " mond = [ ]; }; } );\n",
	  "FILE:1: calendars[0].hours.mond: unknown setting (did you mean "
	  "mon?)\n" },
	{ "sla_policies = ( { name = \"p\"; warn_at = 101; } );\n",
	  "FILE:1: sla_policies[0].warn_at: must be between 0 and 100\n" },
	{ "sla_policies = ( { name = \"p\"; escalate = { tag = 1; }; } );\n",
	  "FILE:1: sla_policies[0].escalate.tag: must be a string in double "
	  "quotes\n" },
	{ "sla = { default_policy = 1; };\n",
	  "FILE:1: sla.default_policy: must be a string in double quotes\n" },
	{ "reports = { survy = true; };\n",
	  "FILE:1: reports.survy: unknown setting (did you mean survey?)\n" },
	{ "reports = { rating_key = \"short\"; };\n",
	  "FILE:1: reports.rating_key: must be at least 16 characters (32 "
	  "random ones are best)\n" },
	{ "reports = { digests = ( { name = \"d\"; every = \"hourly\";"
	  " at = \"25:00\"; to = \"a@x.test\"; } ); };\n",
	  "FILE:1: reports.digests[0].every: must be one of daily, weekly\n"
	  "FILE:1: reports.digests[0].at: must be a time of day \"HH:MM\"\n" },
	/* wrong types */
	{ "limits = { max_recipients = \"100\"; };\n",
	  "FILE:1: limits.max_recipients: must be an integer\n" },
	{ "limits = { idle_timeout = 1.5; };\n",
	  "FILE:1: limits.idle_timeout: must be an integer\n" },
	{ "acknowledgement = { enabled = 1; };\n",
	  "FILE:1: acknowledgement.enabled: must be true or false\n" },
	{ "database = 5;\n",
	  "FILE:1: database: must be a string in double quotes\n" },
	{ "limits = 5;\n", "FILE:1: limits: must be a group { ... }\n" },
	{ "listen = { port = 1; };\n",
	  "FILE:1: listen: must be a list ( { protocol = \"lmtp\"; address = "
	  "\"127.0.0.1\"; port = 2424; }, ... )\n" },
	{ "listen = ( 5 );\n",
	  "FILE:1: listen[0]: must be a group { protocol = \"lmtp\"; address "
	  "= \"127.0.0.1\"; port = 2424; }\n" },
	{ "support = { addresses = \"a@b.example\"; };\n",
	  "FILE:1: support.addresses: must be a list of strings "
	  "[ \"a\", \"b\" ]\n" },
	/* out of range */
	{ "limits = {\n  max_recipients = 0;\n};\n",
	  "FILE:2: limits.max_recipients: must be between 1 and 100000\n" },
	{ "limits = { max_message_size = 4294967296; };\n",
	  "FILE:1: limits.max_message_size: must be between 1024 and "
	  "1073741824\n" },
	{ "listen = ( { protocol = \"smtp\"; address = \"127.0.0.1\"; "
	  "port = 70000; } );\n",
	  "FILE:1: listen[0].port: must be between 0 and 65535\n" },
	{ "limits = { max_message_size = 2048; };\n",
	  "FILE:1: limits.max_message_size: must be at least "
	  "limits.max_line_length (1048576)\n" },
	{ "limits = { max_message_size = 2048;\n max_line_length = 4096; };\n",
	  "FILE:2: limits.max_line_length: must not exceed "
	  "limits.max_message_size (2048)\n" },
	{ "limits = {\n max_inflight_bytes = 1000000; };\n",
	  "FILE:2: limits.max_inflight_bytes: must be at least "
	  "limits.max_message_size (26214400)\n" },
	{ "limits = { max_inflight_bytes = 30000000;\n"
	  "  max_message_size = 40000000; };\n",
	  "FILE:1: limits.max_inflight_bytes: must be at least "
	  "limits.max_message_size (40000000)\n" },
	{ "limits = { max_connections_per_client = -1; };\n",
	  "FILE:1: limits.max_connections_per_client: must be between 0 and "
	  "100000\n" },
	{ "outgoing = {\n lease = 4; };\n",
	  "FILE:2: outgoing.lease: must be between 8 and 3600\n" },
	{ "outgoing = { retry_min = 7200; };\n",
	  "FILE:1: outgoing.retry_min: must not exceed outgoing.retry_max "
	  "(3600)\n" },
	/* choices and formats */
	{ "log_level = \"verbose\";\n",
	  "FILE:1: log_level: must be one of error, warn, info, debug\n" },
	{ "outgoing = { smarthost = { tls = \"ssl\"; }; };\n",
	  "FILE:1: outgoing.smarthost.tls: must be one of none, starttls, "
	  "tls\n" },
	{ "listen = ( { protocol = \"smpt\"; address = \"127.0.0.1\"; "
	  "port = 25; } );\n",
	  "FILE:1: listen[0].protocol: must be one of lmtp, smtp\n" },
	{ "listen = ( { protocol = \"smtp\"; address = \"localhost\"; "
	  "port = 25; } );\n",
	  "FILE:1: listen[0].address: must be a literal IPv4 or IPv6 "
	  "address\n" },
	{ "listen = (\n { protocol = \"smtp\"; address = \"127.0.0.1\"; }\n"
	  ");\n",
	  "FILE:2: listen[0]: missing port\n" },
	{ "listen = (\n"
	  " { protocol = \"smtp\"; address = \"::1\"; port = 25; },\n"
	  " { protocol = \"lmtp\"; address = \"::1\"; port = 25; }\n);\n",
	  "FILE:3: listen[1]: same address and port as listen[0]\n" },
	{ "hostname = \"bad host\";\n",
	  "FILE:1: hostname: must be a host name (letters, digits, '-', "
	  "'.')\n" },
	{ "support = { token = \"[#n]\"; };\n",
	  "FILE:1: support.token: must contain {n} exactly once\n" },
	{ "support = { token = \"{n}-{n}\"; };\n",
	  "FILE:1: support.token: must contain {n} exactly once\n" },
	{ "support = { token = \"[#{n}]\\r\\nBcc: x@y\"; };\n",
	  "FILE:1: support.token: must not contain CR or LF\n" },
	{ "support = { token = \" {n}\"; };\n",
	  "FILE:1: support.token: needs visible text before {n}, like "
	  "\"[#{n}]\"\n" },
	{ "support = { token = \"[ACME #{n}M]\"; };\n",
	  "FILE:1: support.token: must not have a letter or digit right after "
	  "{n}: it would run into the number\n" },
	{ "support = { token = \"[#{n}]\\tx\"; };\n",
	  "FILE:1: support.token: must not contain control characters\n" },
	{ "support = { addresses = [ \"help@example.test\", \"no-at-sign\" ]; "
	  "};\n",
	  "FILE:1: support.addresses[1]: must be an address of the form "
	  "local@domain\n" },
	{ "support = { addresses = [ \"a b@example.test\" ]; };\n",
	  "FILE:1: support.addresses[0]: must be a plain address local@domain "
	  "(no spaces, <>, quotes or commas)\n" },
	{ "support = { addresses = [ ]; };\n",
	  "FILE:1: support.addresses: must hold at least one address\n" },
	/* acknowledgement limits */
	{ "acknowledgement = {\n  rate_limit_exempt = [ \"10.0.0.0/8\",\n"
	  "    \"mx.example\" ];\n};\n",
	  "FILE:3: acknowledgement.rate_limit_exempt[1]: not an IPv4 or IPv6 "
	  "address\n" },
	{ "acknowledgement = { rate_limit_exempt = [ \"10.0.0.0/33\" ]; };\n",
	  "FILE:1: acknowledgement.rate_limit_exempt[0]: prefix length must "
	  "be 0 to 32\n" },
	{ "acknowledgement = { rate_limit_exempt = \"::1\"; };\n",
	  "FILE:1: acknowledgement.rate_limit_exempt: must be a list of "
	  "strings [ \"a\", \"b\" ]\n" },
	{ "acknowledgement = { quote_limit = 2000000; };\n",
	  "FILE:1: acknowledgement.quote_limit: must be between 0 and "
	  "1048576\n" },
	{ "acknowledgement = { rate_limit_sender = -1; };\n",
	  "FILE:1: acknowledgement.rate_limit_sender: must be between 0 and "
	  "100000\n" },
	/* templates */
	{ "acknowledgement = {\n  subject = \"{{subjct}}\";\n};\n",
	  "FILE:2: acknowledgement.subject: unknown variable 'subjct' in "
	  "template\n" },
	{ "acknowledgement = {\n  body = \"Hello\\n\"\n  \"{{ token\";\n};\n",
	  "FILE:2: acknowledgement.body: unclosed '{{' in template at "
	  "offset 6\n" },
	/* files */
	{ "tls = { certificate = \"DIR/nope.pem\"; key = \"DIR/key.pem\"; };\n",
	  "FILE:1: tls.certificate: cannot read DIR/nope.pem: No such file or "
	  "directory\n" },
	{ "tls = {\n  certificate = \"DIR/key.pem\";\n};\n",
	  "FILE:2: tls.certificate: is set but tls.key is empty\n" },
	{ "outgoing = { smarthost = { user = \"u\";\n password = \"p\";\n"
	  " password_file = \"DIR/key.pem\"; }; };\n",
	  "FILE:3: outgoing.smarthost.password_file: cannot be used together "
	  "with outgoing.smarthost.password\n" },
	{ "outgoing = { smarthost = { user = \"u\";\n"
	  " password_file = \"DIR/nope\"; }; };\n",
	  "FILE:2: outgoing.smarthost.password_file: cannot read DIR/nope: "
	  "No such file or directory\n" },
	{ "outgoing = { smarthost = {\n password = \"p\"; }; };\n",
	  "FILE:2: outgoing.smarthost.password: is set but "
	  "outgoing.smarthost.user is empty\n" },
	/*
	 * libconfig 1.5 reads a literal beyond 32 bits without L as its low
	 * 32 bits (0 here): the file is read back, and the range is checked
	 * on what the admin wrote
	 */
	{ "limits = {\n  max_inflight_bytes = 1099511627776;\n};\n",
	  "FILE:2: limits.max_inflight_bytes: 1099511627776 does not fit in "
	  "32 bits and libconfig would wrap it; write 1099511627776L\n" },
	{ "limits = { max_inflight_bytes = 0x10000000000; };\n",
	  "FILE:1: limits.max_inflight_bytes: 0x10000000000 does not fit in "
	  "32 bits and libconfig would wrap it; write 0x10000000000L\n" },
	{ "limits = { max_recipients = 99999999999999999999; };\n",
	  "FILE:1: limits.max_recipients: must be between 1 and 100000\n" },
	{ "sla_policies = ( { name = \"p\";\n"
	  "  first_response = 4294967476; } );\n",
	  "FILE:2: sla_policies[0].first_response: must be between 0 and "
	  "527040\n" },
	/* syntax */
	{ "hostname = \"a.example\";\nlimits = {\n  max_recipients = ;\n};\n",
	  "FILE:3: syntax error\n" },
	{ "hostname = \"a.example\";\nlimits = { max_recipients = 5; }; }\n",
	  "FILE:2: syntax error\n" },
	{ "@include \"DIR/missing.conf\"\n",
	  "FILE:1: syntax error: cannot open include file\n" },
};

START_TEST(test_errors)
{
	const struct error_case *tc = &error_cases[_i];
	struct buf *errors = buf_new();
	struct config *c;
	char *name, *path, *want, *key;

	key = write_file("key.pem", "not really a key\n");
	xasprintf(&name, "error%d.conf", _i);
	path = write_file(name, tc->text);
	c = config_load(path, errors);
	want = expand(tc->want, path);
	ck_assert_msg(c == NULL, "case %d loaded", _i);
	ck_assert_str_eq(errors->data, want);
	free(want);
	free(path);
	free(name);
	free(key);
	buf_free(errors);
}
END_TEST

START_TEST(test_missing_file)
{
	struct buf *errors = buf_new();
	char *path, *want;

	xasprintf(&path, "%s/does-not-exist.conf", tmpdir);
	ck_assert_ptr_null(config_load(path, errors));
	want = expand("FILE: cannot open: No such file or directory\n", path);
	ck_assert_str_eq(errors->data, want);
	free(want);
	free(path);
	buf_free(errors);
}
END_TEST

/*
 * support.token is checked here as subject_token_new() will check it for
 * every message (the config cannot call it: config sits below the mail
 * code), so both must agree on every format.
 */
static const char *const token_formats[] = {
	"[#{n}]", "[ACME #{n}]", "Ticket-{n}", "(Ticket {n})", "[{n}]",
	"#{n}", "[#{n}] ", "Заявка №{n}", "{n}", "  {n}", "{n}]", "[#{n}M]",
	"[#{n}7]", "[#{n}_]", "[#{n}é]", "[#{n}\t]", "[#{n}\x7f]",
	"[#{n}]xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	"[#{n}]xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	"[#n]", "{n}-{n}",
};

START_TEST(test_token_agrees)
{
	const char		*format = token_formats[_i];
	struct subject_token	*tok;
	struct buf		*errors = buf_new();
	struct config		*c;
	char			*text, *path;

	xasprintf(&text, "support = { token = \"%s\"; };\n", format);
	path = write_file("token.conf", text);
	c = config_load(path, errors);
	tok = subject_token_new(format, NULL);
	ck_assert_msg((c != NULL) == (tok != NULL), "\"%s\": config %s, "
	    "subject_token_new %s", format, c != NULL ? "accepts" : "refuses",
	    tok != NULL ? "accepts" : "refuses");
	subject_token_free(tok);
	config_unref(c);
	free(path);
	free(text);
	buf_free(errors);
}
END_TEST

/* Every mistake in one file is reported, in file order. */
START_TEST(test_many_errors)
{
	struct buf *errors = buf_new();
	char *path, *want;

	path = write_file("many.conf",
	    "hostname = \"ok.example\";\n"
	    "supprt = 1;\n"
	    "limits = {\n"
	    "  max_recipients = -1;\n"
	    "  idle_timeout = \"5m\";\n"
	    "};\n"
	    "listen = (\n"
	    "  { protocol = \"lmtp\"; address = \"1.2.3\"; port = 24; }\n"
	    ");\n"
	    "acknowledgement = { body = \"{{nope}}\"; };\n");
	ck_assert_ptr_null(config_load(path, errors));
	want = expand(
	    "FILE:2: supprt: unknown setting (did you mean support?)\n"
	    "FILE:4: limits.max_recipients: must be between 1 and 100000\n"
	    "FILE:5: limits.idle_timeout: must be an integer\n"
	    "FILE:8: listen[0].address: must be a literal IPv4 or IPv6 "
	    "address\n"
	    "FILE:10: acknowledgement.body: unknown variable 'nope' in "
	    "template\n", path);
	ck_assert_str_eq(errors->data, want);
	free(want);
	free(path);
	buf_free(errors);
}
END_TEST

START_TEST(test_values)
{
	struct buf *errors = buf_new();
	struct config *c;
	char *path;

	path = write_file("values.conf",
	    "hostname = \"mx.example.org\";\n"
	    "log_level = \"debug\";\n"
	    "support = {\n"
	    "  addresses = [ \"Help@Example.ORG\", \"tickets@example.org\" ];\n"
	    "  token = \"[ACME #{n}]\";\n"
	    "};\n"
	    "listen = (\n"
	    "  { protocol = \"smtp\"; address = \"::1\"; port = 0; }\n"
	    ");\n"
	    "tls = { certificate = \"DIR/key.pem\"; key = \"DIR/key.pem\"; };\n"
	    "limits = { max_message_size = 1073741824;\n"
	    "  max_line_length = 998; };\n"
	    "outgoing = {\n"
	    "  smarthost = { host = \"relay.example.org\"; port = 465;\n"
	    "    tls = \"tls\"; verify = false; user = \"bot\";\n"
	    "    password_file = \"DIR/secret\"; };\n"
	    "  retry_min = 10; retry_max = 10;\n"
	    "};\n"
	    "acknowledgement = { enabled = false; rate_limit = 0;\n"
	    "  rate_limit_sender = 0; rate_limit_client = 5;\n"
	    "  rate_limit_exempt = [ \"192.0.2.0/24\", \"2001:db8::1\" ];\n"
	    "  quote_limit = 0;\n"
	    "  subject = \"Re: {{ subject }}\"; };\n");
	free(write_file("key.pem", "pem\n"));
	free(write_file("secret", "  s3cret \r\nsecond line\n"));
	c = config_load(path, errors);
	ck_assert_msg(c != NULL, "%s", errors->data);
	ck_assert_str_eq(c->hostname, "mx.example.org");
	ck_assert_str_eq(c->log_level, "debug");
	ck_assert_uint_eq(c->nsupport_addresses, 2);
	ck_assert_str_eq(c->support_addresses[0], "help@example.org");
	ck_assert(config_is_support_address(c, "HELP@example.org"));
	ck_assert(config_is_support_address(c, "Tickets@Example.Org"));
	ck_assert(!config_is_support_address(c, "support@example.test"));
	ck_assert(!config_is_support_address(c, NULL));
	/* sub-addresses with "+" are ours; look-alikes are not */
	ck_assert(config_is_support_address(c, "help+billing@example.org"));
	ck_assert(config_is_support_address(c, "HELP+r42.x@EXAMPLE.ORG"));
	ck_assert(!config_is_support_address(c, "help+x@example.org.evil"));
	ck_assert(!config_is_support_address(c, "helper@example.org"));
	ck_assert(!config_is_support_address(c, "help-x@example.org"));
	/* an empty extension is one (as in Postfix); an '@' in it is not */
	ck_assert(config_is_support_address(c, "help+@example.org"));
	ck_assert(!config_is_support_address(c,
	    "help+@elsewhere.example@example.org"));
	ck_assert(!config_is_support_address(c,
	    "help+x@elsewhere.example@example.org"));
	ck_assert(!config_is_support_address(c, "help@x@example.org"));
	ck_assert_str_eq(c->token_format, "[ACME #{n}]");
	ck_assert_uint_eq(c->nlisten, 1);
	ck_assert_int_eq(c->listen[0].proto, CONFIG_PROTO_SMTP);
	ck_assert_str_eq(c->listen[0].address, "::1");
	ck_assert_int_eq(c->listen[0].port, 0);
	ck_assert_ptr_nonnull(c->tls_certificate);
	ck_assert_uint_eq(c->max_message_size, 1073741824);
	ck_assert_uint_eq(c->max_line_length, 998);
	/* not set: follows the file's max_message_size */
	ck_assert_uint_eq(c->max_inflight_bytes, 8 * 1073741824ULL);
	ck_assert_str_eq(c->smarthost_host, "relay.example.org");
	ck_assert_int_eq(c->smarthost_port, 465);
	ck_assert_int_eq(c->smarthost_tls, CONFIG_TLS_IMPLICIT);
	ck_assert(!c->smarthost_verify);
	ck_assert_ptr_null(c->smarthost_ca_file);
	ck_assert_str_eq(c->smarthost_user, "bot");
	ck_assert_str_eq(c->smarthost_password, "s3cret");
	ck_assert_int_eq(c->retry_min, 10);
	ck_assert(!c->ack_enabled);
	ck_assert_int_eq(c->ack_rate_limit, 0);
	ck_assert_int_eq(c->ack_rate_limit_sender, 0);
	ck_assert_int_eq(c->ack_rate_limit_client, 5);
	ck_assert_uint_eq(c->nack_rate_exempt, 2);
	ck_assert_str_eq(c->ack_rate_exempt[0], "192.0.2.0/24");
	ck_assert_str_eq(c->ack_rate_exempt[1], "2001:db8::1");
	ck_assert_uint_eq(c->ack_quote_limit, 0);
	ck_assert_str_eq(template_source(c->ack_subject), "Re: {{ subject }}");
	config_unref(c);
	free(path);
	buf_free(errors);
}
END_TEST

/* "@include" is relative to the including file, wherever we run. */
START_TEST(test_include)
{
	struct buf *errors = buf_new();
	struct config *c;
	char *dir, *path, *want;

	xasprintf(&dir, "%s/sub", tmpdir);
	ck_assert(mkdir(dir, 0700) == 0 || access(dir, F_OK) == 0);
	free(write_file("sub/limits.conf", "max_recipients = 7;\n"));
	path = write_file("sub/main.conf",
	    "limits = {\n@include \"limits.conf\"\n};\nlisten = [];\n");
	c = config_load(path, NULL);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->max_recipients, 7);
	ck_assert_uint_eq(c->nlisten, 0);
	config_unref(c);
	free(path);

	/* An error inside the included file names that file and line. */
	free(write_file("sub/bad.conf", "\nmax_recipients = 0;\n"));
	path = write_file("sub/main2.conf",
	    "limits = {\n@include \"bad.conf\"\n};\n");
	c = config_load(path, errors);
	ck_assert_ptr_null(c);
	want = expand("DIR/sub/bad.conf:2: limits.max_recipients: must be "
	    "between 1 and 100000\n", path);
	ck_assert_str_eq(errors->data, want);
	free(want);
	free(path);

	/* So does a syntax error there. */
	buf_reset(errors);
	free(write_file("sub/syntax.conf",
	    "max_recipients = 5;\nidle_timeout = ;\n"));
	path = write_file("sub/main3.conf",
	    "limits = {\n@include \"syntax.conf\"\n};\n");
	ck_assert_ptr_null(config_load(path, errors));
	want = expand("DIR/sub/syntax.conf:2: syntax error\n", path);
	ck_assert_str_eq(errors->data, want);
	free(want);
	free(path);
	free(dir);
	buf_free(errors);
}
END_TEST

START_TEST(test_refcount_and_current)
{
	struct config *a, *b, *cur;

	ck_assert_ptr_null(config_current());
	a = config_load(NULL, NULL);
	ck_assert_int_eq(a->refs, 1);
	ck_assert_ptr_eq(config_ref(a), a);
	ck_assert_int_eq(a->refs, 2);
	config_unref(a);
	ck_assert_int_eq(a->refs, 1);

	config_set_current(a);			/* takes our reference */
	cur = config_current();
	ck_assert_ptr_eq(cur, a);
	ck_assert_int_eq(a->refs, 2);

	b = config_load(NULL, NULL);
	config_set_current(b);			/* a lives on in cur */
	ck_assert_int_eq(a->refs, 1);
	ck_assert_str_eq(cur->database, "./var/triaged.db");
	config_unref(cur);			/* frees a */
	cur = config_current();
	ck_assert_ptr_eq(cur, b);
	config_unref(cur);
	config_set_current(NULL);		/* frees b */
	ck_assert_ptr_null(config_current());
	config_unref(NULL);
	ck_assert_ptr_null(config_ref(NULL));
}
END_TEST

START_TEST(test_schema)
{
	const struct config_schema *e;
	char *choices;

	ck_assert_ptr_nonnull(config_schema_find("limits.max_recipients"));
	ck_assert_ptr_null(config_schema_find("limits.nope"));
	for (e = config_schema; e->path != NULL; e++)
		ck_assert_msg(e->help != NULL && *e->help != '\0',
		    "%s has no help", e->path);
	choices = config_schema_choices(config_schema_find("listen.protocol"));
	ck_assert_str_eq(choices, "lmtp, smtp");
	free(choices);
}
END_TEST

static int
remove_entry(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	return remove(path);
}

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_shipped_conf_is_defaults);
	tcase_add_test(tc, test_empty_file_is_defaults);
	tcase_add_test(tc, test_int64_literal);
	tcase_add_loop_test(tc, test_errors, 0,
	    sizeof(error_cases) / sizeof(error_cases[0]));
	tcase_add_loop_test(tc, test_token_agrees, 0,
	    sizeof(token_formats) / sizeof(token_formats[0]));
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_many_errors);
	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_include);
	tcase_add_test(tc, test_refcount_and_current);
	tcase_add_test(tc, test_schema);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	sr = srunner_create(config_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
