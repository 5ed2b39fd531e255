/*
 * test_agent_auth: Authentication-Results (RFC 8601) as written by
 * OpenDKIM, OpenDMARC, rspamd, Gmail and Microsoft count as proof for an
 * agent's From only from a trusted authserv-id, only for a pass, only
 * when the DKIM domain or the SPF envelope address is the From's;
 * comments, quoting, versions and blanks around '=' are read; hostile
 * and broken values are never a pass.  Also through a parsed message
 * with several headers, the attacker's first.
 */

#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "agent_auth.h"
#include "mime.h"

#define FROM	"anna@example.test"

static const char *const trusted[] = { "mx.example.test",
    "auth.internal" };

struct auth_case {
	const char	*name;
	const char	*value;
	bool		 want;
	const char	*method;
};

static const struct auth_case auth_cases[] = {
	{ "opendkim pass", "mx.example.test; dkim=pass (2048-bit key; "
	  "unprotected) header.d=example.test header.i=@example.test "
	  "header.b=\"AbCdEf\"", true, "dkim" },
	{ "dkim domain case-insensitive", "MX.Example.Test; dkim=pass "
	  "header.d=EXAMPLE.test", true, "dkim" },
	{ "dkim header.i only", "mx.example.test; dkim=pass "
	  "header.i=anna@example.test", true, "dkim" },
	{ "dkim header.i quoted", "mx.example.test; dkim=pass "
	  "header.i=\"@example.test\"", true, "dkim" },
	{ "dkim other domain", "mx.example.test; dkim=pass "
	  "header.d=attacker.example", false, NULL },
	{ "dkim parent domain", "mx.example.test; dkim=pass header.d=test",
	  false, NULL },
	{ "dkim subdomain", "mx.example.test; dkim=pass "
	  "header.d=mail.example.test", false, NULL },
	{ "dkim d wins over i", "mx.example.test; dkim=pass "
	  "header.d=attacker.example header.i=@example.test", false, NULL },
	{ "dkim fail", "mx.example.test; dkim=fail header.d=example.test",
	  false, NULL },
	{ "dkim neutral", "mx.example.test; dkim=neutral "
	  "header.d=example.test", false, NULL },
	{ "dkim no domain", "mx.example.test; dkim=pass", false, NULL },
	{ "untrusted authserv", "evil.example; dkim=pass "
	  "header.d=example.test", false, NULL },
	{ "trusted as a suffix only", "evilmx.example.test; dkim=pass "
	  "header.d=example.test", false, NULL },
	{ "spf pass", "mx.example.test; spf=pass "
	  "smtp.mailfrom=anna@example.test", true, "spf" },
	{ "spf pass, address case", "mx.example.test; spf=pass "
	  "smtp.mailfrom=Anna@Example.TEST", true, "spf" },
	{ "spf other local part", "mx.example.test; spf=pass "
	  "smtp.mailfrom=mallory@example.test", false, NULL },
	{ "spf bare domain", "mx.example.test; spf=pass "
	  "smtp.mailfrom=example.test", false, NULL },
	{ "spf softfail", "mx.example.test; spf=softfail "
	  "smtp.mailfrom=anna@example.test", false, NULL },
	{ "second result passes", "mx.example.test; dkim=fail "
	  "header.d=example.test; spf=pass smtp.mailfrom=anna@example.test",
	  true, "spf" },
	{ "rspamd style, blanks", "auth.internal;\r\n\tdkim = pass "
	  "header.d = example.test header.s = dkim;\r\n\tspf = none",
	  true, "dkim" },
	{ "version and method version", "mx.example.test 1; dkim/1=pass "
	  "header.d=example.test", true, "dkim" },
	{ "comments everywhere", "mx.example.test (our mx); dkim (nested "
	  "(comment)) = pass (good) header.d=(x)example.test", true, "dkim" },
	{ "semicolon in a comment", "evil.example (; mx.example.test); "
	  "dkim=pass header.d=example.test", false, NULL },
	{ "quoted authserv-id", "\"mx.example.test\"; dkim=pass "
	  "header.d=example.test", true, "dkim" },
	{ "semicolon in quotes", "mx.example.test; dkim=fail "
	  "reason=\"a; dkim=pass header.d=example.test\"", false, NULL },
	{ "none", "mx.example.test; none", false, NULL },
	{ "empty", "", false, NULL },
	{ "only an id", "mx.example.test", false, NULL },
	{ "junk", ";;;===(((\"", false, NULL },
	{ "unbalanced comment hides the rest", "mx.example.test; (dkim=pass "
	  "header.d=example.test", false, NULL },
	{ "dmarc pass alone is not enough", "mx.example.test; dmarc=pass "
	  "header.from=example.test", false, NULL },
};

START_TEST(test_header)
{
	const struct auth_case	*c = &auth_cases[_i];
	const char		*method = NULL;
	bool			 got;

	got = agent_auth_header_pass(c->value, trusted, 2, FROM, &method);
	ck_assert_msg(got == c->want, "%s: got %d", c->name, got);
	if (c->want)
		ck_assert_str_eq(method, c->method);
}
END_TEST

START_TEST(test_bad_from)
{
	ck_assert(!agent_auth_header_pass("mx.example.test; dkim=pass "
	    "header.d=example.test", trusted, 2, "anna", NULL));
	ck_assert(!agent_auth_header_pass("mx.example.test; dkim=pass "
	    "header.d=example.test", trusted, 2, NULL, NULL));
	ck_assert(!agent_auth_header_pass(NULL, trusted, 2, FROM, NULL));
	ck_assert(!agent_auth_header_pass("mx.example.test; dkim=pass "
	    "header.d=example.test", NULL, 0, FROM, NULL));
}
END_TEST

/* The attacker's own header comes first; only the trusted one counts. */
START_TEST(test_message)
{
	static const char forged[] =
	    "Authentication-Results: evil.example; dkim=pass "
	    "header.d=example.test\r\n"
	    "Authentication-Results: mx.example.test; dkim=fail "
	    "header.d=example.test\r\n"
	    "From: Anna <anna@example.test>\r\n"
	    "Subject: x\r\n\r\nbody\r\n";
	static const char good[] =
	    "Authentication-Results: evil.example; dkim=fail\r\n"
	    "Authentication-Results: mx.example.test;\r\n"
	    "  dkim=pass header.d=example.test\r\n"
	    "From: Anna <anna@example.test>\r\n"
	    "Subject: x\r\n\r\nbody\r\n";
	struct parsed_message	*pm;
	const char		*method = NULL;

	pm = mime_parse(forged, strlen(forged));
	ck_assert(!agent_auth_pass(pm, trusted, 2, FROM, &method));
	mime_free(pm);
	pm = mime_parse(good, strlen(good));
	ck_assert(agent_auth_pass(pm, trusted, 2, FROM, &method));
	ck_assert_str_eq(method, "dkim");
	mime_free(pm);
	ck_assert(!agent_auth_pass(NULL, trusted, 2, FROM, &method));
}
END_TEST

static Suite *
agent_auth_suite(void)
{
	Suite	*s = suite_create("agent_auth");
	TCase	*tc = tcase_create("core");

	tcase_add_loop_test(tc, test_header, 0,
	    sizeof(auth_cases) / sizeof(auth_cases[0]));
	tcase_add_test(tc, test_bad_from);
	tcase_add_test(tc, test_message);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(agent_auth_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
