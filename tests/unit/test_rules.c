/*
 * test_rules: the rule engine without a database.  Every condition field
 * and operator on parsed messages (Cyrillic and Polish caseless
 * contains/equals, PCRE2 regex with and without caseless, lists), the
 * all/any/not combinators, rule order, stop, the combined result
 * (priority steps, tag accumulation), the explain line; and the config
 * sections: a full example loads, lookups (nearest parent category,
 * company by address/domain/subdomain, priority levels) answer, and bad
 * rules are rejected with file, line and reason.
 */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "error.h"
#include "mime.h"
#include "routing.h"
#include "rules.h"
#include "xmalloc.h"

static const char msg_text[] =
    "From: Jan Kowalski <Jan@Acme.Example>\r\n"
    "To: Support <support@help.example>, other@x.example\r\n"
    "Cc: boss@acme.example\r\n"
    "Subject: =?UTF-8?B?0KHQoNCe0KfQndCeOiDFu8OTxYHEhiBaQU3Dk1dJRU5JRSAxMg==?=\r\n"
    "X-Priority: 1 (Highest)\r\n"
    "X-Tag: first\r\n"
    "X-Tag: second\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Hello, the printer is URGENTLY broken.\r\n"
    "Zażółć gęślą jaźń.\r\n";

static const char attach_text[] =
    "From: a@b.example\r\n"
    "Subject: file\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=XX\r\n"
    "\r\n"
    "--XX\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "see file\r\n"
    "--XX\r\n"
    "Content-Type: application/pdf\r\n"
    "Content-Disposition: attachment; filename=a.pdf\r\n"
    "\r\n"
    "JVBERi0=\r\n"
    "--XX--\r\n";

static struct parsed_message	*pm_main;
static struct rules_message	 msg;
static char			 mb0[] = "imap:sales";
static char			 mb1[] = "support@help.example";
static char *const		 mailboxes[] = { mb0, mb1 };

static char	*write_conf(const char *);
static void	 setup(void);
static void	 teardown(void);
static struct rules_cond *text1(enum rules_field, const char *,
		    enum rules_op, const char *, bool);
static void	add_rule(struct rules *, const char *, struct rules_cond *,
		    const char *, const char *, const char *, bool);

static void
setup(void)
{
	pm_main = mime_parse(msg_text, strlen(msg_text));
	memset(&msg, 0, sizeof(msg));
	msg.pm = pm_main;
	msg.from = "jan@acme.example";
	msg.mailboxes = mailboxes;
	msg.nmailboxes = 2;
	msg.company = "ACME";
	msg.business_hours = true;
	msg.new_request = true;
}

static void
teardown(void)
{
	mime_free(pm_main);
}

static struct rules_cond *
text1(enum rules_field f, const char *header, enum rules_op op,
    const char *value, bool caseless)
{
	struct rules_cond *c;
	struct error err;
	char *v[1];

	v[0] = (char *)(uintptr_t)value;
	c = rules_cond_text(f, header, op, v, 1, caseless, &err);
	ck_assert_msg(c != NULL, "%s: %s", value, err.msg);
	return c;
}

static char *
write_conf(const char *text)
{
	char	 tmpl[] = "/tmp/test_rules.XXXXXX";
	FILE	*f;
	int	 fd;

	ck_assert_int_ge(fd = mkstemp(tmpl), 0);
	ck_assert_ptr_nonnull(f = fdopen(fd, "w"));
	fputs(text, f);
	fclose(f);
	return xstrdup(tmpl);
}

static const struct {
	enum rules_field	 f;
	const char		*header;
	enum rules_op		 op;
	const char		*value;
	bool			 caseless;
	bool			 want;
} text_cases[] = {
	/* Cyrillic and Polish: caseless in Unicode */
	{ RULES_SUBJECT, NULL, RULES_CONTAINS, "срочно", false, true },
	{ RULES_SUBJECT, NULL, RULES_CONTAINS, "СРОЧНО", false, true },
	{ RULES_SUBJECT, NULL, RULES_CONTAINS, "żółć", false, true },
	{ RULES_SUBJECT, NULL, RULES_CONTAINS, "zolc", false, false },
	{ RULES_SUBJECT, NULL, RULES_EQUALS, "срочно: żółć zamówienie 12",
	    false, true },
	{ RULES_SUBJECT, NULL, RULES_EQUALS, "срочно", false, false },
	{ RULES_SUBJECT, NULL, RULES_IN, "срочно: żółć zamówienie 12", false,
	    true },
	{ RULES_BODY, NULL, RULES_CONTAINS, "ZAŻÓŁĆ GĘŚLĄ", false, true },
	{ RULES_BODY, NULL, RULES_CONTAINS, "urgently", false, true },
	{ RULES_BODY, NULL, RULES_CONTAINS, "(urgently", false, false },
	/* regex: case-sensitive unless caseless; UTF-8 and \w via UCP */
	{ RULES_SUBJECT, NULL, RULES_REGEX, "ZAMÓWIENIE \\d+$", false, true },
	{ RULES_SUBJECT, NULL, RULES_REGEX, "zamówienie \\d+$", false, false },
	{ RULES_SUBJECT, NULL, RULES_REGEX, "zamówienie \\d+$", true, true },
	{ RULES_SUBJECT, NULL, RULES_REGEX, "(?i)срочно", false, true },
	{ RULES_SUBJECT, NULL, RULES_REGEX, "^\\w+: \\w{4} ", false, true },
	{ RULES_SUBJECT, NULL, RULES_REGEX, "^.{6}:", false, true },
	{ RULES_BODY, NULL, RULES_REGEX, "(?i)urgent", false, true },
	/* addresses */
	{ RULES_FROM, NULL, RULES_EQUALS, "JAN@acme.example", false, true },
	{ RULES_FROM, NULL, RULES_CONTAINS, "@acme", false, true },
	{ RULES_FROM, NULL, RULES_EQUALS, "jan@acme", false, false },
	{ RULES_FROM_DOMAIN, NULL, RULES_EQUALS, "ACME.example", false, true },
	{ RULES_FROM_DOMAIN, NULL, RULES_EQUALS, "example", false, false },
	{ RULES_FROM_DOMAIN, NULL, RULES_REGEX, "\\.example$", false, true },
	{ RULES_TO, NULL, RULES_EQUALS, "other@x.example", false, true },
	{ RULES_TO, NULL, RULES_EQUALS, "boss@acme.example", false, false },
	{ RULES_CC, NULL, RULES_EQUALS, "boss@acme.example", false, true },
	{ RULES_CC, NULL, RULES_CONTAINS, "support", false, false },
	/* headers: any occurrence, name any case; absent matches nothing */
	{ RULES_HEADER, "x-priority", RULES_CONTAINS, "highest", false, true },
	{ RULES_HEADER, "X-Tag", RULES_EQUALS, "second", false, true },
	{ RULES_HEADER, "X-Tag", RULES_EQUALS, "third", false, false },
	{ RULES_HEADER, "X-Missing", RULES_REGEX, ".*", false, false },
	/* where it came in, the company */
	{ RULES_MAILBOX, NULL, RULES_EQUALS, "imap:Sales", false, true },
	{ RULES_MAILBOX, NULL, RULES_EQUALS, "support@help.example", false,
	    true },
	{ RULES_MAILBOX, NULL, RULES_EQUALS, "imap:billing", false, false },
	{ RULES_COMPANY, NULL, RULES_EQUALS, "acme", false, true },
	{ RULES_COMPANY, NULL, RULES_CONTAINS, "globex", false, false },
};

START_TEST(test_text_conditions)
{
	struct rules_cond *c;
	size_t i;

	for (i = 0; i < sizeof(text_cases) / sizeof(text_cases[0]); i++) {
		c = text1(text_cases[i].f, text_cases[i].header,
		    text_cases[i].op, text_cases[i].value,
		    text_cases[i].caseless);
		ck_assert_msg(rules_cond_eval(c, &msg) == text_cases[i].want,
		    "case %zu (%s): want %d", i, text_cases[i].value,
		    text_cases[i].want);
		rules_cond_free(c);
	}
}
END_TEST

START_TEST(test_in_list)
{
	static char d1[] = "globex.example", d2[] = "acme.example",
	    d3[] = "initech.example";
	char *v[] = { d1, d2, d3 };
	char *w[] = { d1, d3 };
	struct rules_cond *c;
	struct error err;

	c = rules_cond_text(RULES_FROM_DOMAIN, NULL, RULES_IN, v, 3, false,
	    &err);
	ck_assert(rules_cond_eval(c, &msg));
	rules_cond_free(c);
	c = rules_cond_text(RULES_FROM_DOMAIN, NULL, RULES_IN, w, 2, false,
	    &err);
	ck_assert(!rules_cond_eval(c, &msg));
	rules_cond_free(c);
}
END_TEST

START_TEST(test_absent_fields)
{
	struct rules_message m = msg;
	struct rules_cond *c, *n;

	m.company = NULL;
	m.nmailboxes = 0;
	c = text1(RULES_COMPANY, NULL, RULES_REGEX, ".*", false);
	ck_assert(!rules_cond_eval(c, &m));
	n = rules_cond_group(RULES_NOT);
	rules_cond_add(n, c);
	ck_assert(rules_cond_eval(n, &m));
	rules_cond_free(n);
	c = text1(RULES_MAILBOX, NULL, RULES_CONTAINS, "imap", false);
	ck_assert(!rules_cond_eval(c, &m));
	rules_cond_free(c);
	/* no customer address given: the From of the message */
	m.from = NULL;
	c = text1(RULES_FROM, NULL, RULES_EQUALS, "jan@acme.example", false);
	ck_assert(rules_cond_eval(c, &m));
	rules_cond_free(c);
}
END_TEST

START_TEST(test_bool_conditions)
{
	struct parsed_message *pa;
	struct rules_message m = msg;
	struct rules_cond *c;

	pa = mime_parse(attach_text, strlen(attach_text));
	ck_assert_uint_eq(pa->nattachments, 1);
	c = rules_cond_bool(RULES_HAS_ATTACHMENTS, true);
	ck_assert(!rules_cond_eval(c, &m));
	m.pm = pa;
	ck_assert(rules_cond_eval(c, &m));
	rules_cond_free(c);
	c = rules_cond_bool(RULES_HAS_ATTACHMENTS, false);
	ck_assert(!rules_cond_eval(c, &m));
	rules_cond_free(c);
	mime_free(pa);
	m.pm = pm_main;

	c = rules_cond_bool(RULES_BUSINESS_HOURS, false);
	ck_assert(!rules_cond_eval(c, &m));
	m.business_hours = false;
	ck_assert(rules_cond_eval(c, &m));
	rules_cond_free(c);
	c = rules_cond_bool(RULES_NEW_REQUEST, true);
	ck_assert(rules_cond_eval(c, &m));
	m.new_request = false;
	ck_assert(!rules_cond_eval(c, &m));
	rules_cond_free(c);
}
END_TEST

START_TEST(test_combinators)
{
	static const struct {
		enum rules_comb	comb;
		bool		a, b;	/* children: true / false leaves */
		bool		want;
	} cases[] = {
		{ RULES_ALL, true, true, true }, { RULES_ALL, true, false, false },
		{ RULES_ANY, false, true, true }, { RULES_ANY, false, false, false },
		{ RULES_NOT, false, false, true }, { RULES_NOT, true, false, false },
		{ RULES_NOT, false, true, false },
	};
	struct rules_cond *g, *n, *outer;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		g = rules_cond_group(cases[i].comb);
		rules_cond_add(g, rules_cond_bool(RULES_NEW_REQUEST,
		    cases[i].a));
		rules_cond_add(g, rules_cond_bool(RULES_NEW_REQUEST,
		    cases[i].b));
		ck_assert_msg(rules_cond_eval(g, &msg) == cases[i].want,
		    "case %zu", i);
		rules_cond_free(g);
	}
	/* empty: all true, any false, not true; NULL: always */
	g = rules_cond_group(RULES_ALL);
	ck_assert(rules_cond_eval(g, &msg));
	rules_cond_free(g);
	g = rules_cond_group(RULES_ANY);
	ck_assert(!rules_cond_eval(g, &msg));
	rules_cond_free(g);
	ck_assert(rules_cond_eval(NULL, &msg));
	/* nested: any(subject ~ "nothing", all(not(has_att), cc = boss)) */
	outer = rules_cond_group(RULES_ANY);
	rules_cond_add(outer, text1(RULES_SUBJECT, NULL, RULES_CONTAINS,
	    "nothing", false));
	g = rules_cond_group(RULES_ALL);
	n = rules_cond_group(RULES_NOT);
	rules_cond_add(n, rules_cond_bool(RULES_HAS_ATTACHMENTS, true));
	rules_cond_add(g, n);
	rules_cond_add(g, text1(RULES_CC, NULL, RULES_EQUALS,
	    "boss@acme.example", false));
	rules_cond_add(outer, g);
	ck_assert(rules_cond_eval(outer, &msg));
	rules_cond_free(outer);
}
END_TEST

START_TEST(test_bad_regex)
{
	static char bad[] = "(unclosed";
	char *v[] = { bad };
	struct rules_cond *c;
	struct error err;

	ck_assert_ptr_null(rules_cond_text(RULES_SUBJECT, NULL, RULES_REGEX,
	    v, 1, false, &err));
	ck_assert_msg(strstr(err.msg, "missing closing parenthesis") != NULL,
	    "%s", err.msg);
	/* a literal is never a bad pattern */
	ck_assert_ptr_nonnull(c = rules_cond_text(RULES_SUBJECT, NULL,
	    RULES_CONTAINS, v, 1, false, &err));
	rules_cond_free(c);
}
END_TEST

/* A rule with category, priority and one tag (each may be NULL). */
static void
add_rule(struct rules *r, const char *name, struct rules_cond *cond,
    const char *category, const char *priority, const char *tag, bool stop)
{
	struct rules_actions a;

	memset(&a, 0, sizeof(a));
	a.category = xstrdup_or_null(category);
	a.priority = xstrdup_or_null(priority);
	if (tag != NULL) {
		a.tags = xcalloc(2, sizeof(*a.tags));
		a.tags[0] = xstrdup(tag);
		a.ntags = 1;
	}
	rules_add(r, name, cond, &a, stop);
}

static const char *const levels[] = { "low", "normal", "high", "urgent" };

START_TEST(test_order_and_stop)
{
	struct rules *r = rules_new();
	struct rules_result res;

	add_rule(r, "a", NULL, "Billing", NULL, "x", false);
	add_rule(r, "miss", rules_cond_bool(RULES_NEW_REQUEST, false),
	    "Never", "urgent", "never", false);
	add_rule(r, "b", NULL, "Billing/Invoices", "+1", "y", false);
	add_rule(r, "c", NULL, NULL, "+1", "x", true);
	add_rule(r, "after-stop", NULL, "Sales", "low", "z", false);
	ck_assert_uint_eq(rules_count(r), 5);
	ck_assert_str_eq(rules_name(r, 1), "miss");
	ck_assert(rules_stops(r, 3));

	rules_run(r, &msg, levels, 4, "normal", &res);
	ck_assert_uint_eq(res.nhits, 3);
	ck_assert_uint_eq(res.hits[0], 0);
	ck_assert_uint_eq(res.hits[1], 2);
	ck_assert_uint_eq(res.hits[2], 3);
	ck_assert_str_eq(res.category, "Billing/Invoices");	/* later wins */
	ck_assert_str_eq(res.priority, "urgent");	/* normal +1 +1 */
	ck_assert_uint_eq(res.ntags, 2);		/* x once */
	ck_assert_str_eq(res.tags[0], "x");
	ck_assert_str_eq(res.tags[1], "y");
	ck_assert(!res.spam && !res.skip_ack);
	rules_result_free(&res);

	/* +1 is capped at the top; a named level replaces */
	rules_run(r, &msg, levels, 4, "urgent", &res);
	ck_assert_str_eq(res.priority, "urgent");
	rules_result_free(&res);
	rules_free(r);

	r = rules_new();
	add_rule(r, "up", NULL, NULL, "+2", NULL, false);
	add_rule(r, "down", NULL, NULL, "low", NULL, false);
	rules_run(r, &msg, levels, 4, NULL, &res);
	ck_assert_str_eq(res.priority, "low");
	rules_result_free(&res);
	rules_free(r);

	/* nothing matches: an empty result */
	r = rules_new();
	add_rule(r, "no", rules_cond_bool(RULES_BUSINESS_HOURS, false), "X",
	    NULL, NULL, false);
	rules_run(r, &msg, levels, 4, "normal", &res);
	ck_assert_uint_eq(res.nhits, 0);
	ck_assert_ptr_null(res.category);
	ck_assert_ptr_null(res.priority);
	rules_result_free(&res);
	rules_free(r);
}
END_TEST

START_TEST(test_describe_and_flags)
{
	struct rules *r = rules_new();
	struct rules_actions a;
	struct rules_result res;
	struct buf out;

	memset(&a, 0, sizeof(a));
	a.category = xstrdup("Spam");
	a.assign = xstrdup("anna");
	a.strategy = xstrdup("pool");
	a.sla_policy = xstrdup("gold");
	a.cc = xcalloc(2, sizeof(*a.cc));
	a.cc[0] = xstrdup("boss@acme.example");
	a.ncc = 1;
	a.skip_ack = true;
	a.spam = true;
	rules_add(r, "spam", NULL, &a, false);
	rules_run(r, &msg, levels, 4, "normal", &res);
	ck_assert(res.spam && res.skip_ack);
	ck_assert_str_eq(res.assign, "anna");
	ck_assert_str_eq(res.strategy, "pool");
	ck_assert_str_eq(res.sla_policy, "gold");
	ck_assert_uint_eq(res.ncc, 1);
	rules_result_free(&res);
	buf_init(&out);
	rules_describe(rules_actions_at(r, 0), &out);
	buf_append_char(&out, '\0');
	ck_assert_str_eq(out.data, "category=Spam assign=anna strategy=pool "
	    "sla_policy=gold cc=boss@acme.example skip_ack spam");
	buf_reset(&out);
	memset(&a, 0, sizeof(a));
	rules_add(r, "empty", NULL, &a, false);
	rules_describe(rules_actions_at(r, 1), &out);
	buf_append_char(&out, '\0');
	ck_assert_str_eq(out.data, "(no actions)");
	buf_release(&out);
	rules_free(r);
}
END_TEST

static const char good_conf[] =
    "priorities = { levels = [ \"p1\", \"p2\", \"p3\" ]; default = \"p2\"; };\n"
    "categories = (\n"
    "  { path = \"Billing\"; strategy = \"pool\"; priority = \"p2\"; },\n"
    "  { path = \"Billing/Invoices\"; strategy = \"least-open\";\n"
    "    priority = \"p3\"; sla_policy = \"gold\"; working_hours = true; }\n"
    ");\n"
    "companies = (\n"
    "  { name = \"ACME\"; domains = [ \"acme.example\" ];\n"
    "    addresses = [ \"CEO@gmail.example\" ]; priority_floor = \"p3\";\n"
    "    sla_policy = \"vip\"; },\n"
    "  { name = \"ACME Labs\"; domains = [ \"labs.acme.example\" ]; }\n"
    ");\n"
    "tags = [ \"urgent\", \"vip\" ];\n"
    "rules = (\n"
    "  { name = \"urgent-words\";\n"
    "    if = { any = ( { subject = { contains = \"срочно\"; }; },\n"
    "                   { body = { regex = \"urgent\"; caseless = true; }; } );\n"
    "           not = { from_domain = { in = [ \"spam.example\" ]; }; };\n"
    "           new_request = true; };\n"
    "    then = { priority = \"+1\"; tag = [ \"urgent\" ];\n"
    "             category = \"Billing/Invoices\"; }; stop = true; },\n"
    "  { if = { header = { name = \"X-Spam\"; equals = \"yes\"; }; };\n"
    "    then = { spam = true; }; }\n"
    ");\n";

START_TEST(test_config_good)
{
	const struct routing_category *cat;
	const char *sla, *floor;
	struct rules_result res;
	struct config *c;
	struct buf *errors = buf_new();
	char *path = write_conf(good_conf);

	c = config_load(path, errors);
	ck_assert_msg(c != NULL, "%s", errors->data ? errors->data : "");
	ck_assert_uint_eq(config_routing_priority_count(c), 3);
	ck_assert_str_eq(config_routing_priority_at(c, 2), "p3");
	ck_assert_ptr_null(config_routing_priority_at(c, 3));
	ck_assert_str_eq(config_routing_priority_default(c), "p2");
	ck_assert_int_eq(config_routing_priority_rank(c, "p1"), 0);
	ck_assert_int_eq(config_routing_priority_rank(c, "normal"), -1);

	ck_assert_ptr_nonnull(cat = config_routing_category_find(c,
	    "Billing/Invoices/2024"));
	ck_assert_str_eq(cat->path, "Billing/Invoices");
	ck_assert_str_eq(cat->strategy, "least-open");
	ck_assert(cat->working_hours);
	ck_assert_str_eq(
	    config_routing_category_find(c, "Billing/Refunds")->path,
	    "Billing");
	ck_assert_ptr_null(config_routing_category_find(c, "Billingx"));
	ck_assert_ptr_null(config_routing_category_find(c, "Sales"));
	ck_assert(config_routing_category_exists(c, "Billing"));
	ck_assert(!config_routing_category_exists(c, "Bill"));
	ck_assert_uint_eq(config_routing_category_count(c), 2);

	ck_assert_str_eq(config_routing_company_of(c, "x@ACME.example", &sla,
	    &floor), "ACME");
	ck_assert_str_eq(sla, "vip");
	ck_assert_str_eq(floor, "p3");
	ck_assert_str_eq(config_routing_company_of(c, "x@mail.acme.example",
	    NULL, NULL), "ACME");
	ck_assert_str_eq(config_routing_company_of(c, "x@labs.acme.example",
	    &sla, &floor), "ACME Labs");
	ck_assert_ptr_null(sla);
	ck_assert_str_eq(config_routing_company_of(c, "ceo@gmail.example", NULL,
	    NULL), "ACME");
	ck_assert_ptr_null(config_routing_company_of(c, "x@gmail.example", &sla,
	    &floor));
	ck_assert_ptr_null(config_routing_company_of(c, "x@notacme.example",
	    NULL, NULL));

	ck_assert_uint_eq(rules_count(config_routing_rules(c)), 2);
	ck_assert_str_eq(rules_name(config_routing_rules(c), 1), "rule2");
	rules_run(config_routing_rules(c), &msg,
	    config_routing_priority_levels(c),
	    config_routing_priority_count(c), "p1", &res);
	ck_assert_uint_eq(res.nhits, 1);
	ck_assert_str_eq(res.priority, "p2");
	ck_assert_str_eq(res.category, "Billing/Invoices");
	rules_result_free(&res);

	config_unref(c);
	unlink(path);
	free(path);
	buf_free(errors);
}
END_TEST

static const struct {
	const char	*text;
	const char	*error;		/* expected in the messages */
} bad_confs[] = {
	{ "rules = ( { name = \"r\";\n if = { subject = { regex = \"(x\"; }; };"
	    "\n then = { tag = \"a\"; }; } );\n",
	    ":2: rules[0].if.subject: regex \"(x\" does not compile" },
	{ "rules = ( { name = \"r\";\n then = { category = \"Nope\"; }; } );\n",
	    ":2: rules[0].then: unknown category Nope" },
	{ "rules = ( { name = \"r\";\n then = { priority = \"mega\"; }; } );\n",
	    ":2: rules[0].then: unknown priority mega" },
	{ "rules = ( { name = \"r\";\n then = { priority = \"+x\"; }; } );\n",
	    "bad priority step +x" },
	{ "rules = ( { name = \"r\";\n then = { assign = \"nobody\"; }; } );\n",
	    ":2: rules[0].then: unknown agent nobody" },
	{ "tags = [ \"a\" ];\nrules = ( { name = \"r\";\n"
	    " then = { tag = [ \"a\", \"b\" ]; }; } );\n",
	    ":3: rules[0].then: unknown tag b" },
	{ "rules = ( { name = \"r\";\n then = { tag = \"two words\"; }; } );\n",
	    "bad tag \"two words\"" },
	{ "rules = ( { name = \"r\"; if = { colour = { equals = \"red\"; }; };"
	    " then = { }; } );\n", "unknown condition colour" },
	{ "rules = ( { name = \"r\"; if = { subject = { like = \"x\"; }; };"
	    " then = { }; } );\n", "subject.like: unknown setting" },
	{ "rules = ( { name = \"r\"; if = { subject = { caseless = true; }; };"
	    " then = { }; } );\n", "needs contains, equals, regex or in" },
	{ "rules = ( { name = \"r\"; if = { new_request = \"yes\"; };"
	    " then = { }; } );\n", "must be true or false" },
	{ "rules = ( { name = \"r\"; } );\n", "missing then" },
	{ "rules = ( { name = \"r\"; then = { strategy = \"random\"; }; } );\n",
	    "then.strategy: must be one of round-robin, least-open" },
	{ "categories = ( { path = \"A//B\"; } );\n", "bad path" },
	{ "categories = ( { path = \"A\"; priority = \"top\"; } );\n",
	    "unknown priority top" },
	{ "categories = ( { path = \"A\"; managers = [ \"boss\" ]; } );\n",
	    "unknown agent boss" },
	{ "companies = ( { name = \"X\"; priority_floor = \"high\"; } );\n",
	    "needs domains or addresses" },
	{ "priorities = { levels = [ \"a\", \"b\" ]; default = \"c\"; };\n",
	    "c is not one of the levels" },
	{ "priorities = [ \"a\", \"a\" ];\n", "level a listed twice" },
	{ "categories = ( { path = \"A\"; } );\n"
	    "mailboxes = ( { name = \"m\"; host = \"h\"; user = \"u\";"
	    " password = \"p\"; category = \"B\"; } );\n",
	    ":2: mailboxes[0].category: unknown category B" },
	/* an agent's category: configured or a parent, any case */
	{ "categories = ( { path = \"Support/Printers\"; } );\n"
	    "agents = ( { name = \"a\"; addresses = [ \"a@x.example\" ];"
	    " categories = [ \"support\", \"Suport\" ]; } );\n",
	    ":2: agents[0].categories: no category Suport in categories" },
	{ "agents = ( { name = \"a\"; addresses = [ \"a@x.example.\" ]; } );\n",
	    ":1: agents[0].addresses: a@x.example. is not an address mail can "
	    "be sent to" },
};

START_TEST(test_config_bad)
{
	struct config *c;
	struct buf *errors;
	size_t i;
	char *path;

	for (i = 0; i < sizeof(bad_confs) / sizeof(bad_confs[0]); i++) {
		errors = buf_new();
		path = write_conf(bad_confs[i].text);
		c = config_load(path, errors);
		ck_assert_msg(c == NULL, "case %zu loaded", i);
		buf_append_char(errors, '\0');
		ck_assert_msg(strstr(errors->data, bad_confs[i].error) != NULL &&
		    strstr(errors->data, path) != NULL,
		    "case %zu: want \"%s\" in: %s", i, bad_confs[i].error,
		    errors->data);
		unlink(path);
		free(path);
		buf_free(errors);
	}
}
END_TEST

START_TEST(test_config_defaults)
{
	struct config *c = config_load(NULL, NULL);

	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(config_routing_priority_count(c), 4);
	ck_assert_str_eq(config_routing_priority_at(c, 0), "low");
	ck_assert_str_eq(config_routing_priority_at(c, 3), "urgent");
	ck_assert_str_eq(config_routing_priority_default(c), "normal");
	ck_assert_int_eq(config_routing_priority_rank(c, "high"), 2);
	ck_assert_uint_eq(rules_count(config_routing_rules(c)), 0);
	ck_assert_ptr_null(config_routing_category_find(c, "Billing"));
	ck_assert_ptr_null(config_routing_company_of(c, "a@b.example", NULL,
	    NULL));
	config_unref(c);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("rules");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_text_conditions);
	tcase_add_test(tc, test_in_list);
	tcase_add_test(tc, test_absent_fields);
	tcase_add_test(tc, test_bool_conditions);
	tcase_add_test(tc, test_combinators);
	tcase_add_test(tc, test_bad_regex);
	tcase_add_test(tc, test_order_and_stop);
	tcase_add_test(tc, test_describe_and_flags);
	tcase_add_test(tc, test_config_good);
	tcase_add_test(tc, test_config_bad);
	tcase_add_test(tc, test_config_defaults);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
