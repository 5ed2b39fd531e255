/*
 * test_ticket_ops: the actions on a request (ticket_ops.c) and the
 * notices they queue (notify.c), on a scratch store fed by the real
 * pipeline: every action's row change and event, the refusals with their
 * sentences, the notices' recipients, signed Reply-To and threading, the
 * relay to the customer (From, Subject token, In-Reply-To, Cc, no
 * Auto-Submitted, first response, first reply takes it), notes that never
 * reach the customer, merge, and the agents config (lookups, absences,
 * the generated reply key, errors with lines).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "config_agents.h"
#include "error.h"
#include "mime.h"
#include "pipeline.h"
#include "reply_address.h"
#include "reply_key.h"
#include "store.h"
#include "store_sqlite.h"
#include "ticket_ops.h"

#define NOW	1794823200	/* 2026-11-16 10:00 UTC */

static char		 dir[64];
static struct config	*cfg;
static struct store	*st;
static struct pipeline	*pl;

static const char conf_text[] =
    "support = { addresses = [ \"support@example.test\" ];"
    "  name = \"ACME Support\"; };\n"
    "agents = (\n"
    "  { name = \"anna\"; display_name = \"Anna Kowalska\";\n"
    "    addresses = [ \"Anna@Example.test\", \"anna@home.test\" ];\n"
    "    categories = [ \"billing\" ]; },\n"
    "  { name = \"boris\"; addresses = [ \"boris@example.test\" ];\n"
    "    categories = [ \"billing\", \"tech\" ]; },\n"
    "  { name = \"cyril\"; addresses = [ \"cyril@example.test\" ];\n"
    "    categories = [ \"tech\" ]; manager = true;\n"
    "    away = ( { from = \"2026-11-10\"; until = \"2026-11-20\"; } ); }\n"
    ");\n"
    "agent_mail = { note_address = \"support-note@example.test\";\n"
    "  trusted_authserv_ids = [ \"mx.example.test\" ];\n"
    "  tell_customer_on_reassign = true; };\n"
    "notifications = { assigned = { subject = \"Yours: {{subject}}\"; }; };\n";

static void
write_conf(const char *name, const char *text)
{
	char	 path[256];
	FILE	*fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	fprintf(fp, "database = \"%s/t.db\";\n%s", dir, text);
	ck_assert_int_eq(fclose(fp), 0);
}

static struct config *
load(const char *name, struct buf *errors)
{
	char	 path[256];

	struct config	*c;
	struct error	 err;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((c = config_load(path, errors)) != NULL &&
	    reply_key_load(c, true, &err) == -1) {
		if (errors != NULL)
			buf_printf(errors, "%s\n", err.msg);
		config_unref(c);
		return NULL;
	}
	return c;
}

static void
setup(void)
{
	struct buf	 errors;
	struct error	 err;
	char		 path[256];

	strcpy(dir, "/tmp/test_ticket_ops.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	write_conf("triaged.conf", conf_text);
	buf_init(&errors);
	cfg = load("triaged.conf", &errors);
	ck_assert_msg(cfg != NULL, "config: %s", errors.data);
	buf_release(&errors);
	snprintf(path, sizeof(path), "%s/t.db", dir);
	st = store_open(path, 0, &err);
	ck_assert_msg(st != NULL, "store_open: %s", err.msg);
	pl = pipeline_new(cfg, &err);
	ck_assert_ptr_nonnull(pl);
}

static void
teardown(void)
{
	char	 cmd[300];

	pipeline_free(pl);
	store_close(st);
	config_unref(cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static int64_t
sql_int(const char *q)
{
	sqlite3_stmt	*stmt;
	int64_t		 v = -1;

	ck_assert_msg(sqlite3_prepare_v2(store_db(st), q, -1, &stmt, NULL) ==
	    SQLITE_OK, "%s", q);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

/* The first column of the first row, as a new string ("" if none). */
static char *
sql_text(const char *q)
{
	sqlite3_stmt	*stmt;
	char		*v;

	ck_assert_msg(sqlite3_prepare_v2(store_db(st), q, -1, &stmt, NULL) ==
	    SQLITE_OK, "%s", q);
	if (sqlite3_step(stmt) == SQLITE_ROW &&
	    sqlite3_column_text(stmt, 0) != NULL)
		v = strdup((const char *)sqlite3_column_text(stmt, 0));
	else
		v = strdup("");
	sqlite3_finalize(stmt);
	return v;
}

static int64_t
ingest(const char *raw, time_t now)
{
	struct pipeline_input	 in;
	struct pipeline_result	 res;
	struct error		 err;

	memset(&in, 0, sizeof(in));
	in.raw = raw;
	in.len = strlen(raw);
	in.source = "inject";
	ck_assert_int_eq(store_begin(st, &err), 0);
	ck_assert_msg(pipeline_ingest(pl, st, &in, NULL, now, &res,
	    &err) == 0, "ingest: %s", err.msg);
	ck_assert_int_eq(store_commit(st, &err), 0);
	return res.ticket_id;
}

static const char first_mail[] =
    "From: Carla Customer <carla@cust.test>\r\n"
    "To: support@example.test\r\n"
    "Cc: Dave <dave@cust.test>\r\n"
    "Subject: Invoice is wrong\r\n"
    "Message-ID: <c1@cust.test>\r\n"
    "Date: Mon, 16 Nov 2026 09:00:00 +0000\r\n"
    "\r\n"
    "My invoice 17 is wrong.\r\n";

/* A request of carla's, with the outbox emptied (no ack, no notices). */
static int64_t
request(void)
{
	int64_t	 id = ingest(first_mail, NOW);

	ck_assert_int_eq(sqlite3_exec(store_db(st), "DELETE FROM outbox",
	    NULL, NULL, NULL), SQLITE_OK);
	return id;
}

static void	act_begin(void);
static int	act_end(int);

/* Runs one action in a transaction of its own; its rc. */
#define ACT(call)	(act_begin(), act_end(call))

static void
act_begin(void)
{
	struct error	 e;

	ck_assert_int_eq(store_begin(st, &e), 0);
}

static int
act_end(int rc)
{
	struct error	 e;

	if (rc == 0)
		ck_assert_int_eq(store_commit(st, &e), 0);
	else
		store_rollback(st);
	return rc;
}

START_TEST(test_config_lookups)
{
	const struct agent	*a;
	const void		*key;
	size_t			 n;
	struct stat		 sb;
	char			 path[256];

	ck_assert_int_eq(config_agents_count(cfg), 3);
	a = config_agents_find(cfg, "anna");
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->display_name, "Anna Kowalska");
	ck_assert_str_eq(a->addresses[0], "anna@example.test");
	ck_assert_ptr_eq(config_agents_by_address(cfg, "ANNA@example.TEST"), a);
	ck_assert_ptr_eq(config_agents_by_address(cfg, "<anna@home.test>"), a);
	ck_assert_ptr_null(config_agents_by_address(cfg, "ann@example.test"));
	ck_assert_str_eq(config_agents_find(cfg, "boris")->display_name,
	    "boris");
	ck_assert(config_agents_serves(a, "billing"));
	ck_assert(config_agents_serves(a, "billing/refunds"));
	ck_assert(!config_agents_serves(a, "billingx"));
	ck_assert(!config_agents_serves(a, "tech"));
	ck_assert(!a->manager);		/* the flag defaults to false */
	a = config_agents_find(cfg, "cyril");
	ck_assert(a->manager);
	ck_assert(!config_agents_absent(a, 1794268800 - 1));	/* 11-09 end */
	ck_assert(config_agents_absent(a, 1794268800));	/* 2026-11-10 */
	ck_assert(config_agents_absent(a, NOW));
	ck_assert(config_agents_absent(a, 1795219200 - 1));	/* 11-20 end */
	ck_assert(!config_agents_absent(a, 1795219200));	/* 11-21 */
	ck_assert_str_eq(config_agents_note_address(cfg),
	    "support-note@example.test");
	ck_assert(config_agents_trusts_authserv(cfg, "MX.example.test"));
	ck_assert(!config_agents_trusts_authserv(cfg, "evil.test"));
	ck_assert(config_agents_tell_customer_on_reassign(cfg));
	/* no secret: a generated key beside the database, private */
	key = config_agents_reply_key(cfg, &n);
	ck_assert_ptr_nonnull(key);
	ck_assert_int_eq(n, 32);
	snprintf(path, sizeof(path), "%s/t.db.reply-key", dir);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
}
END_TEST

/* The generated key survives a reload: old Reply-To addresses verify. */
START_TEST(test_config_key_stable)
{
	struct config	*again;
	const void	*k1, *k2;
	size_t		 n1, n2;

	again = load("triaged.conf", NULL);
	ck_assert_ptr_nonnull(again);
	k1 = config_agents_reply_key(cfg, &n1);
	k2 = config_agents_reply_key(again, &n2);
	ck_assert_int_eq(n1, n2);
	ck_assert_int_eq(memcmp(k1, k2, n1), 0);
	config_unref(again);
	write_conf("s.conf", "agents = ( { name = \"a\"; addresses = "
	    "[ \"a@x.test\" ]; } );\n"
	    "agent_mail = { secret = \"0123456789abcdef0123\"; };\n");
	again = load("s.conf", NULL);
	ck_assert_ptr_nonnull(again);
	k2 = config_agents_reply_key(again, &n2);
	ck_assert_int_eq(n2, 20);
	ck_assert_int_eq(memcmp(k2, "0123456789abcdef0123", 20), 0);
	config_unref(again);
	/* secret_file: its first line, trimmed, relative to the config */
	{
		char	 path[256];
		FILE	*fp;

		snprintf(path, sizeof(path), "%s/key", dir);
		ck_assert_ptr_nonnull(fp = fopen(path, "w"));
		fprintf(fp, "  kept-in-a-file-0123456789  \nsecond line\n");
		ck_assert_int_eq(fclose(fp), 0);
	}
	write_conf("f.conf", "agents = ( { name = \"a\"; addresses = "
	    "[ \"a@x.test\" ]; } );\n"
	    "agent_mail = { secret_file = \"key\"; };\n");
	again = load("f.conf", NULL);
	ck_assert_ptr_nonnull(again);
	k2 = config_agents_reply_key(again, &n2);
	ck_assert_int_eq(n2, strlen("kept-in-a-file-0123456789"));
	ck_assert_int_eq(memcmp(k2, "kept-in-a-file-0123456789", n2), 0);
	config_unref(again);
}
END_TEST

/*
 * Loading a config writes no key (triaged -t checks without side
 * effects): reply_key_load makes the generated key only when asked to,
 * and reports a secret_file it cannot read at the setting's line.
 */
START_TEST(test_config_load_makes_no_key)
{
	struct config	*c;
	struct buf	 errors;
	struct error	 err;
	struct stat	 sb;
	char		 path[256], keypath[600];
	size_t		 n;

	buf_init(&errors);
	snprintf(path, sizeof(path), "%s/n.conf", dir);
	snprintf(keypath, sizeof(keypath), "%s/sub/n.db.reply-key", dir);
	{
		FILE	*fp;

		ck_assert_ptr_nonnull(fp = fopen(path, "w"));
		fprintf(fp, "database = \"%s/sub/n.db\";\nagents = ( { "
		    "name = \"a\"; addresses = [ \"a@x.test\" ]; } );\n", dir);
		ck_assert_int_eq(fclose(fp), 0);
	}
	c = config_load(path, &errors);
	ck_assert_msg(c != NULL, "%s", errors.data);
	ck_assert_int_eq(stat(keypath, &sb), -1);
	ck_assert_int_eq(reply_key_load(c, false, &err), 0);
	ck_assert_int_eq(stat(keypath, &sb), -1);
	ck_assert_ptr_null(config_agents_reply_key(c, &n));
	ck_assert_int_eq(reply_key_load(c, true, &err), 0);
	ck_assert_int_eq(stat(keypath, &sb), 0);
	ck_assert_ptr_nonnull(config_agents_reply_key(c, &n));
	ck_assert_int_eq(n, 32);
	config_unref(c);

	write_conf("m.conf", "agents = ( { name = \"a\"; addresses = "
	    "[ \"a@x.test\" ]; } );\n"
	    "agent_mail = {\n  secret_file = \"nosuch\"; };\n");
	snprintf(path, sizeof(path), "%s/m.conf", dir);
	c = config_load(path, &errors);
	ck_assert_msg(c != NULL, "%s", errors.data);
	ck_assert_int_eq(reply_key_load(c, false, &err), -1);
	snprintf(keypath, sizeof(keypath), "%s:4: agent_mail.secret_file: "
	    "cannot open %s/nosuch", path, dir);
	ck_assert_msg(strncmp(err.msg, keypath, strlen(keypath)) == 0, "%s",
	    err.msg);
	config_unref(c);
	buf_release(&errors);
}
END_TEST

static const struct {
	const char	*text;
	const char	*error;		/* substring of the report */
} bad_configs[] = {
	{ "agents = (\n { name = \"a\"; addresses = [ \"a@x.test\" ]; },\n"
	  " { name = \"a\"; addresses = [ \"b@x.test\" ]; } );\n",
	  "s.conf:4: agents[1]: agent \"a\" is already defined" },
	{ "agents = (\n { name = \"a\"; addresses = [ \"a@x.test\" ]; },\n"
	  " { name = \"b\"; addresses = [ \"A@x.test\" ]; } );\n",
	  "s.conf:4: agents[1].addresses: a@x.test is already an address "
	  "of a" },
	{ "agents = (\n { name = \"a\";\n addresses = "
	  "[ \"support@example.test\" ]; } );\n",
	  "s.conf:3: agents[0].addresses: support@example.test is a support "
	  "address" },
	{ "agents = (\n { name = \"a\"; addresses = [ \"a@x.test\" ];\n"
	  "   away = ( { from = \"2026-02-30\"; until = \"2026-03-01\"; } );"
	  " } );\n", "dates must be YYYY-MM-DD" },
	{ "agents = (\n { name = \"a\"; addresses = [ \"a@x.test\" ];\n"
	  "   away = ( { from = \"2026-03-02\"; until = \"2026-03-01\"; } );"
	  " } );\n", "is before from" },
	{ "agents = ( { name = \"a b\"; addresses = [ \"a@x.test\" ]; } );\n",
	  "agents[0].name: must be 1 to 40" },
	{ "agents = ( { name = \"a\"; } );\n", "agents[0]: missing addresses" },
	{ "agents = ( { name = \"a\"; addresses = [ ]; } );\n",
	  "needs addresses" },
	{ "agents = (\n { name = \"a\"; addresses = [ \"a@x.test\" ];\n"
	  "   calendar = \"office\"; } );\n",
	  "s.conf:3: agents[0].calendar: no calendar \"office\"" },
	{ "agent_mail = { secret = \"short\"; };\n", "at least 16" },
	{ "notifications = { note = { body = \"{{nope}}\"; }; };\n", "nope" },
	{ "notifications = { nonsense = { body = \"x\"; }; };\n",
	  "notifications.nonsense: unknown setting" },
	{ "notifications = {\n attach_max = -1; };\n",
	  "notifications.attach_max: must be between 0 and 104857600" },
	{ "notifications = { attach_max = \"10M\"; };\n",
	  "notifications.attach_max: must be an integer" },
};

START_TEST(test_config_errors)
{
	struct buf	 errors;
	struct config	*c;

	write_conf("s.conf", bad_configs[_i].text);
	buf_init(&errors);
	c = load("s.conf", &errors);
	ck_assert_msg(c == NULL, "loaded: %s", bad_configs[_i].text);
	ck_assert_msg(strstr(errors.data, bad_configs[_i].error) != NULL,
	    "want \"%s\" in: %s", bad_configs[_i].error, errors.data);
	buf_release(&errors);
}
END_TEST

/*
 * A new request notifies every agent not away (no category, nobody):
 * cyril is away.
 */
START_TEST(test_notify_new_request)
{
	const void	*key;
	size_t		 keylen;
	char		*data, *root, *ra, *agent = NULL;
	const char	*p, *e;
	uint64_t	 req;
	const char	*ours[] = { "support@example.test" };

	ck_assert_int_eq(ingest(first_mail, NOW), 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM outbox WHERE kind = "
	    "'notify'"), 2);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM outbox WHERE kind = "
	    "'notify' AND rcpts IN ('anna@example.test', "
	    "'boris@example.test')"), 2);
	data = sql_text("SELECT data FROM outbox WHERE kind = 'notify' AND "
	    "rcpts = 'anna@example.test'");
	ck_assert_ptr_nonnull(strstr(data, "Subject: [#1] New request: "
	    "Invoice is wrong"));
	ck_assert_ptr_nonnull(strstr(data, "Auto-Submitted: auto-generated"));
	ck_assert_ptr_nonnull(strstr(data, "##- Please type your reply above "
	    "this line -##"));
	ck_assert_ptr_nonnull(strstr(data, "My invoice 17 is wrong."));
	ck_assert_ptr_nonnull(strstr(data, "Addresses: carla@cust.test"));
	ck_assert_ptr_nonnull(strstr(data, "Earlier requests: 0"));
	ck_assert_ptr_nonnull(strstr(data, "Status: new"));
	/* the signed Reply-To names anna and request 1 */
	ck_assert_ptr_nonnull(p = strstr(data, "Reply-To: <"));
	p += strlen("Reply-To: <");
	ck_assert_ptr_nonnull(e = strchr(p, '>'));
	ra = strndup(p, (size_t)(e - p));
	key = config_agents_reply_key(cfg, &keylen);
	ck_assert(reply_address_verify(key, keylen, ours, 1, ra, &agent, &req,
	    NULL));
	ck_assert_str_eq(agent, "anna");
	ck_assert_int_eq(req, 1);
	/* the first notice starts the agents' thread */
	root = sql_text("SELECT thread_root FROM tickets WHERE id = 1");
	ck_assert_int_gt(strlen(root), 0);
	free(root);
	free(agent);
	free(ra);
	free(data);
}
END_TEST

/* A request in a category: its agents who are not away (cyril is). */
START_TEST(test_notify_category)
{
	struct pipeline_input	 in;
	struct pipeline_result	 res;
	struct error		 err;

	memset(&in, 0, sizeof(in));
	in.raw = first_mail;
	in.len = strlen(first_mail);
	in.source = "inject";
	in.category = "tech/printers";
	ck_assert_int_eq(store_begin(st, &err), 0);
	ck_assert_int_eq(pipeline_ingest(pl, st, &in, NULL, NOW, &res, &err),
	    0);
	ck_assert_int_eq(store_commit(st, &err), 0);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM outbox WHERE kind = "
	    "'notify'"), 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM outbox WHERE kind = "
	    "'notify' AND rcpts = 'boris@example.test'"), 1);
}
END_TEST

/*
 * A follow-up goes to the assignee only; the agent's thread continues:
 * In-Reply-To his previous notice about the request (the assignment),
 * References the request's first notice and that one.
 */
START_TEST(test_notify_follow_up)
{
	struct error	 err;
	char		*root, *data, *want, *prev;
	int64_t		 id = request();

	ck_assert_int_eq(ACT(ticket_ops_assign(st, cfg, id, "boris",
	    "triagectl", NOW, &err)), 0);
	prev = sql_text("SELECT message_id FROM outbox WHERE kind = 'notify' "
	    "AND rcpts = 'boris@example.test' ORDER BY id DESC LIMIT 1");
	root = sql_text("SELECT thread_root FROM tickets WHERE id = 1");
	ck_assert_str_ne(prev, root);
	ingest("From: carla@cust.test\r\nTo: support@example.test\r\n"
	    "Subject: Re: [#1] Invoice is wrong\r\n"
	    "Message-ID: <c2@cust.test>\r\n"
	    "\r\nAny news?\r\n", NOW + 60);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM outbox WHERE kind = "
	    "'notify' AND created_at = " "1794823260"), 1);
	data = sql_text("SELECT data FROM outbox WHERE kind = 'notify' AND "
	    "created_at = 1794823260");
	ck_assert_ptr_nonnull(strstr(data,
	    "To: \"boris\" <boris@example.test>"));
	ck_assert_ptr_nonnull(strstr(data, "Any news?"));
	ck_assert_int_gt(asprintf(&want, "In-Reply-To: <%s>", prev), 0);
	ck_assert_msg(strstr(data, want) != NULL, "%s", data);
	free(want);
	/* References may be folded between the two */
	ck_assert_int_gt(asprintf(&want, "References: <%s>", root), 0);
	ck_assert_msg(strstr(data, want) != NULL, "%s", data);
	free(want);
	ck_assert_int_gt(asprintf(&want, "<%s>", prev), 0);
	ck_assert_ptr_nonnull(strstr(strstr(data, "References: "), want));
	free(want);
	free(prev);
	free(root);
	free(data);
}
END_TEST

/*
 * Two messages of the customer within one second: the assignee hears of
 * both (the "told already in this intake" check is for new requests).
 */
START_TEST(test_notify_same_second)
{
	struct error	 err;
	int64_t		 id = request();

	ck_assert_int_eq(ACT(ticket_ops_assign(st, cfg, id, "boris",
	    "triagectl", NOW, &err)), 0);
	ingest("From: carla@cust.test\r\nTo: support@example.test\r\n"
	    "Subject: Re: [#1] Invoice is wrong\r\n"
	    "Message-ID: <s1@cust.test>\r\n"
	    "\r\nFirst thought.\r\n", NOW + 60);
	ingest("From: carla@cust.test\r\nTo: support@example.test\r\n"
	    "Subject: Re: [#1] Invoice is wrong\r\n"
	    "Message-ID: <s2@cust.test>\r\n"
	    "\r\nSecond thought.\r\n", NOW + 60);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM outbox WHERE kind = "
	    "'notify' AND rcpts = 'boris@example.test' AND created_at = "
	    "1794823260"), 2);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM outbox WHERE kind = "
	    "'notify' AND instr(data, 'Second thought.') > 0"), 1);
}
END_TEST

START_TEST(test_assign)
{
	struct error	 err;
	char		*s;
	int64_t		 id = request();

	ck_assert_int_eq(ACT(ticket_ops_assign(st, cfg, id, "bob", "triagectl",
	    NOW, &err)), -1);
	ck_assert_int_eq(err.kind, ERR_PERM);
	ck_assert_str_eq(err.msg, "no agent bob");
	ck_assert_int_eq(ACT(ticket_ops_assign(st, cfg, 99, "anna",
	    "triagectl", NOW, &err)), -1);
	ck_assert_str_eq(err.msg, "no request #99");
	ck_assert_int_eq(ACT(ticket_ops_assign(st, cfg, id, "anna",
	    "triagectl", NOW, &err)), 0);
	s = sql_text("SELECT assignee FROM tickets WHERE id = 1");
	ck_assert_str_eq(s, "anna");
	free(s);
	s = sql_text("SELECT kind || ' ' || actor || ' ' || detail FROM "
	    "events WHERE kind = 'assigned'");
	ck_assert_str_eq(s, "assigned triagectl anna");
	free(s);
	s = sql_text("SELECT data FROM outbox WHERE kind = 'notify'");
	ck_assert_ptr_nonnull(strstr(s, "Subject: [#1] Yours: Invoice"));
	ck_assert_ptr_nonnull(strstr(s, "To: \"Anna Kowalska\" "
	    "<anna@example.test>"));
	ck_assert_ptr_nonnull(strstr(s, "My invoice 17 is wrong."));
	free(s);
	/* first assignment: the customer is not told */
	ck_assert_int_eq(sql_int("SELECT count(*) FROM outbox WHERE kind = "
	    "'notice'"), 0);
	/* again: nothing happens */
	ck_assert_int_eq(ACT(ticket_ops_assign(st, cfg, id, "anna",
	    "triagectl", NOW, &err)), 0);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM events WHERE kind = "
	    "'assigned'"), 1);
	/* reassigned: boris told, the customer too (configured) */
	ck_assert_int_eq(ACT(ticket_ops_assign(st, cfg, id, "boris", "anna",
	    NOW, &err)), 0);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM outbox WHERE kind = "
	    "'notify' AND rcpts = 'boris@example.test'"), 1);
	s = sql_text("SELECT data FROM outbox WHERE kind = 'notice'");
	ck_assert_ptr_nonnull(strstr(s, "To: \"Carla Customer\" "
	    "<carla@cust.test>"));
	ck_assert_ptr_nonnull(strstr(s, "boris is now handling"));
	ck_assert_ptr_nonnull(strstr(s, "In-Reply-To: <c1@cust.test>"));
	free(s);
	/* #take: the agent's own doing, no notice */
	ck_assert_int_eq(ACT(ticket_ops_assign(st, cfg, id, "anna", "anna",
	    NOW, &err)), 0);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM outbox WHERE kind = "
	    "'notify' AND rcpts = 'anna@example.test'"), 1);
	/* unassign */
	ck_assert_int_eq(ACT(ticket_ops_assign(st, cfg, id, NULL, "triagectl",
	    NOW, &err)), 0);
	ck_assert_int_eq(sql_int("SELECT assignee IS NULL FROM tickets"), 1);
}
END_TEST

START_TEST(test_status)
{
	struct error	 err;
	int64_t		 id = request();

	ck_assert_int_eq(ACT(ticket_ops_status(st, cfg, id, "done",
	    "triagectl", NOW, &err)), -1);
	ck_assert_int_eq(err.kind, ERR_PERM);
	ck_assert_ptr_nonnull(strstr(err.msg, "unknown status done"));
	ck_assert_int_eq(ACT(ticket_ops_status(st, cfg, id, "resolved", "anna",
	    NOW + 10, &err)), 0);
	ck_assert_int_eq(sql_int("SELECT resolved_at FROM tickets"), NOW + 10);
	ck_assert_int_eq(ACT(ticket_ops_status(st, cfg, id, "closed", "anna",
	    NOW + 20, &err)), 0);
	ck_assert_int_eq(sql_int("SELECT closed_at FROM tickets"), NOW + 20);
	ck_assert_int_eq(sql_int("SELECT resolved_at FROM tickets"), NOW + 10);
	ck_assert_int_eq(sql_int("SELECT reopen_count FROM tickets"), 0);
	ck_assert_int_eq(ACT(ticket_ops_status(st, cfg, id, "open", "anna",
	    NOW + 30, &err)), 0);
	ck_assert_int_eq(sql_int("SELECT reopen_count FROM tickets"), 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM events WHERE kind = "
	    "'status' AND actor = 'anna'"), 3);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM events WHERE kind = "
	    "'reopened' AND detail = 'closed -> open'"), 1);
}
END_TEST

START_TEST(test_priority_category_tag_cc)
{
	struct error	 err;
	char		*s;
	int64_t		 id = request();

	ck_assert_int_eq(ACT(ticket_ops_priority(st, cfg, id, "extreme",
	    "triagectl", NOW, &err)), -1);
	ck_assert_str_eq(err.msg, "unknown priority extreme (use low, normal, "
	    "high, urgent)");
	ck_assert_int_eq(ACT(ticket_ops_priority(st, cfg, id, "high",
	    "triagectl", NOW, &err)), 0);
	s = sql_text("SELECT priority FROM tickets");
	ck_assert_str_eq(s, "high");
	free(s);
	ck_assert_int_eq(ACT(ticket_ops_category(st, cfg, id, "bad path/",
	    "triagectl", NOW, &err)), -1);
	ck_assert_int_eq(err.kind, ERR_PERM);
	ck_assert_int_eq(ACT(ticket_ops_category(st, cfg, id,
	    "billing/refunds", "triagectl", NOW, &err)), 0);
	s = sql_text("SELECT category FROM tickets");
	ck_assert_str_eq(s, "billing/refunds");
	free(s);
	ck_assert_int_eq(ACT(ticket_ops_category(st, cfg, id, NULL,
	    "triagectl", NOW, &err)), 0);
	ck_assert_int_eq(sql_int("SELECT category IS NULL FROM tickets"), 1);
	ck_assert_int_eq(ACT(ticket_ops_tag(st, cfg, id, "vip", true, "anna",
	    NOW, &err)), 0);
	ck_assert_int_eq(ACT(ticket_ops_tag(st, cfg, id, "vip", true, "anna",
	    NOW, &err)), 0);
	ck_assert_int_eq(ACT(ticket_ops_tag(st, cfg, id, "two words", true,
	    "anna", NOW, &err)), -1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM ticket_tags"), 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM events WHERE kind = "
	    "'tag'"), 1);
	ck_assert_int_eq(ACT(ticket_ops_tag(st, cfg, id, "vip", false, "anna",
	    NOW, &err)), 0);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM ticket_tags"), 0);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM events WHERE kind = "
	    "'untag' AND detail = 'vip'"), 1);
	ck_assert_int_eq(ACT(ticket_ops_cc(st, cfg, id, "not an address",
	    "anna", NOW, &err)), -1);
	ck_assert_int_eq(ACT(ticket_ops_cc(st, cfg, id, "boris@example.test",
	    "anna", NOW, &err)), -1);
	ck_assert_int_eq(ACT(ticket_ops_cc(st, cfg, id, "Eve@Cust.test",
	    "anna", NOW, &err)), 0);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM ticket_cc WHERE "
	    "address = 'eve@cust.test'"), 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM events WHERE kind = "
	    "'cc'"), 1);
}
END_TEST

/* A note: stored, shared with the other agents, never the customer. */
START_TEST(test_note)
{
	struct error	 err;
	char		*s;
	int64_t		 id = request();

	ck_assert_int_eq(ACT(ticket_ops_note(st, cfg, id, "zed", "x", NOW,
	    &err)), -1);
	ck_assert_str_eq(err.msg, "no agent zed");
	ck_assert_int_eq(ACT(ticket_ops_note(st, cfg, id, "anna", " \n", NOW,
	    &err)), -1);
	ck_assert_int_eq(ACT(ticket_ops_assign(st, cfg, id, "boris",
	    "triagectl", NOW, &err)), 0);
	ck_assert_int_eq(ACT(ticket_ops_note(st, cfg, id, "anna",
	    "He was charged twice, refund 17.", NOW + 5, &err)), 0);
	s = sql_text("SELECT direction || ' ' || agent || ' ' || body FROM "
	    "messages WHERE direction = 'note'");
	ck_assert_str_eq(s, "note anna He was charged twice, refund 17.");
	free(s);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM events WHERE kind = "
	    "'note' AND actor = 'anna'"), 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM outbox WHERE "
	    "created_at = 1794823205"), 1);
	s = sql_text("SELECT rcpts || ' ' || data FROM outbox WHERE "
	    "created_at = 1794823205");
	ck_assert_ptr_nonnull(strstr(s, "boris@example.test "));
	ck_assert_ptr_nonnull(strstr(s, "refund 17"));
	free(s);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM outbox WHERE rcpts "
	    "LIKE '%cust.test%'"), 0);
	/* boris's note reaches anna (she wrote on it), not boris */
	ck_assert_int_eq(ACT(ticket_ops_note(st, cfg, id, "boris", "ok",
	    NOW + 6, &err)), 0);
	s = sql_text("SELECT group_concat(rcpts) FROM outbox WHERE "
	    "created_at = 1794823206");
	ck_assert_str_eq(s, "anna@example.test");
	free(s);
}
END_TEST

START_TEST(test_reply)
{
	struct error	 err;
	char		*s;
	int64_t		 id = request();

	ck_assert_int_eq(ACT(ticket_ops_reply(st, cfg, id, "anna", "",
	    NOW, &err)), -1);
	ck_assert_int_eq(err.kind, ERR_PERM);
	ck_assert_int_eq(ACT(ticket_ops_reply(st, cfg, id, "anna",
	    "Sorry, refunded.\n-- \nAnna", NOW + 100, &err)), 0);
	s = sql_text("SELECT kind || ' ' || mail_from || ' ' || rcpts FROM "
	    "outbox");
	ck_assert_str_eq(s, "reply support@example.test carla@cust.test "
	    "dave@cust.test");
	free(s);
	s = sql_text("SELECT data FROM outbox");
	ck_assert_ptr_nonnull(strstr(s, "From: \"Anna Kowalska\" "
	    "<support@example.test>"));
	ck_assert_ptr_nonnull(strstr(s, "To: \"Carla Customer\" "
	    "<carla@cust.test>"));
	ck_assert_ptr_nonnull(strstr(s, "Subject: Re: [#1] Invoice is wrong"));
	ck_assert_ptr_nonnull(strstr(s, "In-Reply-To: <c1@cust.test>"));
	ck_assert_ptr_nonnull(strstr(s, "References: <c1@cust.test>"));
	ck_assert_ptr_nonnull(strstr(s, "Cc: <dave@cust.test>"));
	ck_assert_ptr_nonnull(strstr(s, "Sorry, refunded."));
	ck_assert_ptr_null(strstr(s, "Auto-Submitted"));
	free(s);
	ck_assert_int_eq(sql_int("SELECT first_response_at FROM tickets"),
	    NOW + 100);
	ck_assert_int_eq(sql_int("SELECT last_agent_at FROM tickets"),
	    NOW + 100);
	s = sql_text("SELECT assignee || ' ' || status FROM tickets");
	ck_assert_str_eq(s, "anna open");
	free(s);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM messages m JOIN "
	    "message_ids i ON i.message_id = m.message_id WHERE "
	    "m.direction = 'out' AND m.agent = 'anna' AND i.ticket_id = 1"), 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM events WHERE kind = "
	    "'reply' AND actor = 'anna'"), 1);
	/* a second reply keeps the first response time and the assignee */
	ck_assert_int_eq(ACT(ticket_ops_reply(st, cfg, id, "boris", "More.",
	    NOW + 200, &err)), 0);
	ck_assert_int_eq(sql_int("SELECT first_response_at FROM tickets"),
	    NOW + 100);
	s = sql_text("SELECT assignee FROM tickets");
	ck_assert_str_eq(s, "anna");
	free(s);
	/* the customer's answer threads back (In-Reply-To our relay) */
	s = sql_text("SELECT message_id FROM messages WHERE agent = 'anna'");
	{
		char	*raw;

		ck_assert_int_gt(asprintf(&raw, "From: carla@cust.test\r\n"
		    "To: support@example.test\r\nSubject: thanks\r\n"
		    "In-Reply-To: <%s>\r\nMessage-ID: <c3@cust.test>\r\n\r\n"
		    "Thanks!\r\n", s), 0);
		ck_assert_int_eq(ingest(raw, NOW + 300), 1);
		free(raw);
	}
	free(s);
	/* ... and the assignee is told */
	ck_assert_int_eq(sql_int("SELECT count(*) FROM outbox WHERE kind = "
	    "'notify' AND rcpts = 'anna@example.test' AND created_at = "
	    "1794823500"), 1);
}
END_TEST

START_TEST(test_merge)
{
	struct error	 err;
	int64_t		 a = request(), b;
	char		*s;

	b = ingest("From: carla@cust.test\r\nTo: support@example.test\r\n"
	    "Subject: Also this\r\nMessage-ID: <d1@cust.test>\r\n\r\nMore.\r\n",
	    NOW + 10);
	ck_assert_int_eq(b, 2);
	ck_assert_int_eq(ACT(ticket_ops_tag(st, cfg, a, "vip", true, "anna",
	    NOW, &err)), 0);
	ck_assert_int_eq(ACT(ticket_ops_merge(st, cfg, a, a, "anna", NOW,
	    &err)), -1);
	ck_assert_int_eq(ACT(ticket_ops_merge(st, cfg, a, 9, "anna", NOW,
	    &err)), -1);
	ck_assert_str_eq(err.msg, "no request #9");
	ck_assert_int_eq(ACT(ticket_ops_merge(st, cfg, a, b, "anna", NOW + 20,
	    &err)), 0);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM messages WHERE "
	    "ticket_id = 2 AND direction = 'in'"), 2);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM messages WHERE "
	    "ticket_id = 1"), 0);
	ck_assert_int_eq(sql_int("SELECT ticket_id FROM message_ids WHERE "
	    "message_id = 'c1@cust.test'"), 2);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM ticket_tags WHERE "
	    "ticket_id = 2 AND tag = 'vip'"), 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM ticket_cc WHERE "
	    "ticket_id = 2 AND address = 'dave@cust.test'"), 1);
	s = sql_text("SELECT status || ' ' || merged_into FROM tickets WHERE "
	    "id = 1");
	ck_assert_str_eq(s, "closed 2");
	free(s);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM events WHERE kind = "
	    "'merged' AND ticket_id = 1 AND detail = 'into #2'"), 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM events WHERE kind = "
	    "'merged' AND ticket_id = 2 AND detail = 'from #1'"), 1);
	/* request 1's history moved along */
	ck_assert_int_eq(sql_int("SELECT count(*) FROM events WHERE kind = "
	    "'tag' AND ticket_id = 2"), 1);
	/* the merged request changes no more */
	ck_assert_int_eq(ACT(ticket_ops_status(st, cfg, a, "open", "anna",
	    NOW, &err)), -1);
	ck_assert_str_eq(err.msg, "request #1 was merged into #2");
}
END_TEST

/*
 * Mail from someone else threaded onto the request (here a forged agent
 * From, customer mail by promise 5) is answered, but the relay goes to
 * the request's customer, never to that sender.
 */
START_TEST(test_reply_goes_to_the_customer)
{
	struct error	 err;
	char		*s;
	int64_t		 id = request();

	ingest("From: boris@example.test\r\nTo: support@example.test\r\n"
	    "Subject: Re: [#1] Invoice is wrong\r\n"
	    "Message-ID: <forged@example.test>\r\n\r\n#status closed\r\n",
	    NOW + 10);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM messages WHERE "
	    "direction = 'in' AND ticket_id = 1"), 2);
	ck_assert_int_eq(ACT(ticket_ops_reply(st, cfg, id, "anna", "Hello.",
	    NOW + 20, &err)), 0);
	s = sql_text("SELECT rcpts FROM outbox WHERE kind = 'reply'");
	ck_assert_str_eq(s, "carla@cust.test dave@cust.test");
	free(s);
	s = sql_text("SELECT data FROM outbox WHERE kind = 'reply'");
	ck_assert_ptr_nonnull(strstr(s, "In-Reply-To: <forged@example.test>"));
	free(s);
}
END_TEST

/*
 * Issue 16: the notice about a message from someone who is not the
 * customer names that sender, not the customer, with a warning line;
 * token_flag says why (a stranger quoting the number, a forged agent).
 */
START_TEST(test_stranger_notice)
{
	char	*s;

	request();
	ingest("From: Eve Stranger <eve@else.test>\r\n"
	    "To: support@example.test\r\n"
	    "Subject: Re: [#1] Invoice is wrong\r\n"
	    "Message-ID: <eve@else.test>\r\n\r\nPay to my account.\r\n",
	    NOW + 10);
	s = sql_text("SELECT token_flag FROM messages WHERE message_id ="
	    " 'eve@else.test'");
	ck_assert_str_eq(s, "sender-not-on-request");
	free(s);
	s = sql_text("SELECT data FROM outbox WHERE kind = 'notify' AND "
	    "rcpts = 'anna@example.test'");
	ck_assert_ptr_nonnull(strstr(s, "Eve Stranger <eve@else.test> wrote"));
	ck_assert_ptr_null(strstr(s, "Carla Customer <carla@cust.test> wrote"));
	ck_assert_ptr_nonnull(strstr(s, "WARNING: the sender is not on"));
	free(s);
	ck_assert_int_eq(sqlite3_exec(store_db(st), "DELETE FROM outbox",
	    NULL, NULL, NULL), SQLITE_OK);
	/* an agent's From without proof: customer mail, flagged as forged */
	ingest("From: Boris <boris@example.test>\r\n"
	    "To: support@example.test\r\n"
	    "Subject: Re: [#1] Invoice is wrong\r\n"
	    "Message-ID: <forged@example.test>\r\n\r\n#status closed\r\n",
	    NOW + 20);
	s = sql_text("SELECT token_flag FROM messages WHERE message_id ="
	    " 'forged@example.test'");
	ck_assert_str_eq(s, "forged-agent");
	free(s);
	s = sql_text("SELECT data FROM outbox WHERE kind = 'notify' AND "
	    "rcpts = 'anna@example.test'");
	ck_assert_ptr_nonnull(strstr(s, "Boris <boris@example.test> wrote"));
	ck_assert_ptr_nonnull(strstr(s, "WARNING: the sender claimed to be"));
	free(s);
	/* the customer's own follow-up carries no warning */
	ck_assert_int_eq(sqlite3_exec(store_db(st), "DELETE FROM outbox",
	    NULL, NULL, NULL), SQLITE_OK);
	ingest("From: Carla Customer <carla@cust.test>\r\n"
	    "To: support@example.test\r\n"
	    "Subject: Re: [#1] Invoice is wrong\r\n"
	    "Message-ID: <c2@cust.test>\r\n\r\nAny news?\r\n", NOW + 30);
	s = sql_text("SELECT data FROM outbox WHERE kind = 'notify' AND "
	    "rcpts = 'anna@example.test'");
	ck_assert_ptr_nonnull(strstr(s, "Carla Customer <carla@cust.test> "
	    "wrote"));
	ck_assert_ptr_null(strstr(s, "WARNING"));
	free(s);
}
END_TEST

/* Thunderbird's shape, LF line ends: text + HTML with a picture, a PDF. */
static const char agent_mime[] =
    "From: Anna <anna@example.test>\n"
    "Subject: Re: [#1] Invoice is wrong\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\n"
    "\n"
    "--outer\n"
    "Content-Type: multipart/alternative; boundary=alt\n"
    "\n"
    "--alt\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "\n"
    "See the corrected invoice.\n"
    "--alt\n"
    "Content-Type: multipart/related; boundary=\"rel\"\n"
    "\n"
    "--rel\n"
    "Content-Type: text/html; charset=utf-8\n"
    "\n"
    "<p>See the corrected invoice.<img src=cid:logo></p>\n"
    "--rel\n"
    "Content-Type: image/png; name=\"logo.png\"\n"
    "Content-Disposition: inline; filename=\"logo.png\"\n"
    "Content-ID: <logo>\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "TE9HTw==\n"
    "--rel--\n"
    "--alt--\n"
    "--outer\n"
    "Content-Type: application/pdf; name=\"invoice-17.pdf\"\n"
    "Content-Disposition: attachment;\n"
    " filename=\"invoice-17.pdf\"\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK\n"
    "--outer--\n";

START_TEST(test_reply_mime)
{
	struct error	 err;
	char		*s, *f;
	int64_t		 id = request();

	ck_assert_int_eq(ACT(ticket_ops_reply_mime(st, cfg, id, "anna",
	    "See the corrected invoice.", agent_mime, strlen(agent_mime), NULL,
	    NOW + 100, &err)), 0);
	s = sql_text("SELECT data FROM outbox WHERE kind = 'reply'");
	ck_assert_ptr_nonnull(strstr(s, "Content-Type: multipart/mixed; "
	    "boundary=\"=_triaged_"));
	ck_assert_ptr_nonnull(strstr(s, "Content-Type: text/plain; "
	    "charset=utf-8\r\n"));
	ck_assert_ptr_nonnull(strstr(s, "See the corrected invoice."));
	ck_assert_ptr_nonnull(strstr(s, "Content-Type: application/pdf; "
	    "name=\"invoice-17.pdf\"\r\nContent-Disposition: attachment;\r\n"
	    " filename=\"invoice-17.pdf\"\r\n"));
	ck_assert_ptr_nonnull(strstr(s, "JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+"
	    "CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK\r\n"));
	/* the HTML body's picture is not an attachment of the reply */
	ck_assert_ptr_null(strstr(s, "logo.png"));
	ck_assert_ptr_null(strstr(s, "<p>"));
	/* a MIME parser sees the text and one PDF */
	{
		struct parsed_message	*pm = mime_parse(s, strlen(s));

		ck_assert_str_eq(pm->body, "See the corrected invoice.");
		ck_assert_int_eq(pm->nattachments, 1);
		ck_assert_str_eq(pm->attachments[0].filename,
		    "invoice-17.pdf");
		ck_assert_int_eq(pm->attachments[0].size, 54);
		mime_free(pm);
	}
	free(s);
	f = sql_text("SELECT a.filename || ' ' || a.content_type || ' ' || "
	    "a.size FROM attachments a JOIN messages m ON m.id = a.message_id "
	    "WHERE m.direction = 'out'");
	ck_assert_str_eq(f, "invoice-17.pdf application/pdf 54");
	free(f);
	/* attachments alone are a reply; nothing at all is not */
	ck_assert_int_eq(ACT(ticket_ops_reply_mime(st, cfg, id, "anna", "",
	    agent_mime, strlen(agent_mime), NULL, NOW + 200, &err)), 0);
	ck_assert_int_eq(ACT(ticket_ops_reply_mime(st, cfg, id, "anna", "",
	    first_mail, strlen(first_mail), NULL, NOW + 300, &err)), -1);
	ck_assert_str_eq(err.msg, "the reply is empty");
	/* without attachments: the plain text relay */
	ck_assert_int_eq(ACT(ticket_ops_reply_mime(st, cfg, id, "anna", "Hi.",
	    first_mail, strlen(first_mail), NULL, NOW + 400, &err)), 0);
	s = sql_text("SELECT data FROM outbox WHERE created_at = 1794823600");
	ck_assert_ptr_nonnull(strstr(s, "Content-Type: text/plain"));
	ck_assert_ptr_null(strstr(s, "multipart"));
	free(s);
}
END_TEST

/* Automatic mail and hidden requests notify nobody (promise 3). */
START_TEST(test_no_notice_for_auto)
{
	int64_t	 id = request();

	ck_assert_int_eq(id, 1);
	ingest("From: carla@cust.test\r\nTo: support@example.test\r\n"
	    "Subject: Out of office: [#1] Invoice is wrong\r\n"
	    "Auto-Submitted: auto-replied\r\nMessage-ID: <oo@cust.test>\r\n"
	    "\r\nI am away.\r\n", NOW + 60);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM messages WHERE "
	    "direction = 'in'"), 2);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM outbox"), 0);
}
END_TEST

static Suite *
suite(void)
{
	Suite	*s = suite_create("ticket_ops");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_config_lookups);
	tcase_add_test(tc, test_config_key_stable);
	tcase_add_test(tc, test_config_load_makes_no_key);
	tcase_add_loop_test(tc, test_config_errors, 0,
	    sizeof(bad_configs) / sizeof(bad_configs[0]));
	tcase_add_test(tc, test_notify_new_request);
	tcase_add_test(tc, test_notify_category);
	tcase_add_test(tc, test_notify_follow_up);
	tcase_add_test(tc, test_notify_same_second);
	tcase_add_test(tc, test_assign);
	tcase_add_test(tc, test_status);
	tcase_add_test(tc, test_priority_category_tag_cc);
	tcase_add_test(tc, test_note);
	tcase_add_test(tc, test_reply);
	tcase_add_test(tc, test_reply_goes_to_the_customer);
	tcase_add_test(tc, test_stranger_notice);
	tcase_add_test(tc, test_reply_mime);
	tcase_add_test(tc, test_merge);
	tcase_add_test(tc, test_no_notice_for_auto);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
