/*
 * test_agent_auth: Authentication-Results (RFC 8601) as written by
 * OpenDKIM, OpenDMARC, rspamd, Exim and Gmail count as proof for an
 * address only from a trusted authserv-id, only for a pass, only when the
 * DKIM domain or the SPF envelope address is the address's; hostile,
 * ambiguous and broken values are never a pass.  Issue 20: every form
 * that a stripping MTA may read differently from us is refused (an
 * encoded-word, a quoted id, a comment before or after the id, a blank
 * before the colon, an unknown ptype, a comment glued to a word, ...).
 * Whole raw headers: only fields above the first Received written
 * outside the trust boundary count (our own and the trusted hosts' do
 * not end it).  And the config errors of agent_mail.require,
 * trusted_authserv_ids, trusted_hosts and acknowledgement.require_auth,
 * with file and line.
 */

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent_auth.h"
#include "buf.h"
#include "config.h"
#include "config_agents.h"
#include "xmalloc.h"

#define FROM	"anna@example.test"

static const char *const trusted[] = { "mx.example.test",
    "auth.internal" };

struct field_case {
	const char		*name;
	const char		*value;
	size_t			 len;		/* 0: strlen(value) */
	enum agent_auth_verdict	 want;
};

#define NONE		AGENT_AUTH_NONE
#define MALFORMED	AGENT_AUTH_MALFORMED
#define NO_PASS		AGENT_AUTH_NO_PASS
#define DKIM		AGENT_AUTH_DKIM
#define SPF		AGENT_AUTH_SPF

static const struct field_case field_cases[] = {
	/* what real servers write */
	{ "opendkim pass", " mx.example.test; dkim=pass (2048-bit key; "
	  "unprotected) header.d=example.test header.i=@example.test "
	  "header.b=\"AbCdEf\"", 0, DKIM },
	{ "gmail style", " mx.example.test;\r\n       dkim=pass "
	  "header.i=@example.test header.s=20230601 header.b=Ab+Cd/Ef;\r\n"
	  "       arc=pass (i=1 spf=pass spfdomain=example.test);\r\n"
	  "       spf=pass (mx.example.test: domain of anna@example.test "
	  "designates 192.0.2.1 as permitted sender) "
	  "smtp.mailfrom=anna@example.test;\r\n       dmarc=pass (p=NONE "
	  "sp=NONE dis=NONE) header.from=example.test", 0, SPF },
	{ "exim authres", " mx.example.test;\n\tiprev=pass (mail.example.test)"
	  " smtp.remote-ip=192.0.2.1;\n\tdkim=pass header.d=example.test "
	  "header.s=sel header.a=rsa-sha256;\n\tdmarc=pass "
	  "header.from=example.test", 0, DKIM },
	{ "rspamd style, blanks", "auth.internal;\r\n\tdkim = pass "
	  "header.d = example.test header.s = dkim;\r\n\tspf = none",
	  0, DKIM },
	{ "opendmarc", "mx.example.test; dmarc=pass (p=none dis=none) "
	  "header.from=example.test", 0, NO_PASS },
	{ "dkim domain any case", "mx.example.test; dkim=pass "
	  "header.d=EXAMPLE.test", 0, DKIM },
	{ "dkim header.i only", "mx.example.test; dkim=pass "
	  "header.i=anna@example.test", 0, DKIM },
	{ "dkim header.i quoted", "mx.example.test; dkim=pass "
	  "header.i=\"@example.test\"", 0, DKIM },
	{ "dkim header.i without @", "mx.example.test; dkim=pass "
	  "header.i=example.test", 0, NO_PASS },
	{ "dkim other domain", "mx.example.test; dkim=pass "
	  "header.d=attacker.example", 0, NO_PASS },
	{ "dkim parent domain", "mx.example.test; dkim=pass header.d=test",
	  0, NO_PASS },
	{ "dkim subdomain", "mx.example.test; dkim=pass "
	  "header.d=mail.example.test", 0, NO_PASS },
	{ "dkim d wins over i", "mx.example.test; dkim=pass "
	  "header.d=attacker.example header.i=@example.test", 0, NO_PASS },
	{ "dkim header.d twice", "mx.example.test; dkim=pass "
	  "header.d=attacker.example header.d=example.test", 0, NO_PASS },
	{ "dkim fail", "mx.example.test; dkim=fail header.d=example.test",
	  0, NO_PASS },
	{ "dkim neutral", "mx.example.test; dkim=neutral "
	  "header.d=example.test", 0, NO_PASS },
	{ "dkim no domain", "mx.example.test; dkim=pass", 0, NO_PASS },
	{ "spf pass", "mx.example.test; spf=pass "
	  "smtp.mailfrom=anna@example.test", 0, SPF },
	{ "spf pass, address case", "mx.example.test; spf=pass "
	  "smtp.mailfrom=Anna@Example.TEST", 0, SPF },
	{ "spf other local part", "mx.example.test; spf=pass "
	  "smtp.mailfrom=mallory@example.test", 0, NO_PASS },
	{ "spf bare domain", "mx.example.test; spf=pass "
	  "smtp.mailfrom=example.test", 0, NO_PASS },
	{ "spf softfail", "mx.example.test; spf=softfail "
	  "smtp.mailfrom=anna@example.test", 0, NO_PASS },
	{ "second result passes", "mx.example.test; dkim=fail "
	  "header.d=example.test; spf=pass smtp.mailfrom=anna@example.test",
	  0, SPF },
	{ "version", "mx.example.test 1; dkim=pass header.d=example.test",
	  0, DKIM },
	{ "version, blanks", "mx.example.test 1 ; dkim=pass "
	  "header.d=example.test", 0, DKIM },
	{ "comments after the id's ';'", "mx.example.test; dkim (nested "
	  "(comment)) = pass (good) header.d=(x)example.test", 0, DKIM },
	{ "reason", "mx.example.test; dkim=pass reason=\"good; key\" "
	  "header.d=example.test", 0, DKIM },
	{ "trailing semicolon", "mx.example.test; dkim=pass "
	  "header.d=example.test;", 0, DKIM },
	{ "none", "mx.example.test; none", 0, NO_PASS },
	{ "semicolon in quotes", "mx.example.test; dkim=fail "
	  "reason=\"a; dkim=pass header.d=example.test\"", 0, NO_PASS },
	{ "dmarc pass alone is not enough", "mx.example.test; dmarc=pass "
	  "header.from=example.test", 0, NO_PASS },

	/* somebody else's: not ours to read */
	{ "empty", "", 0, NONE },
	{ "untrusted authserv", "evil.example; dkim=pass "
	  "header.d=example.test", 0, NONE },
	{ "trusted as a suffix only", "evilmx.example.test; dkim=pass "
	  "header.d=example.test", 0, NONE },
	{ "trusted as a prefix only", "mx.example.test.evil; dkim=pass "
	  "header.d=example.test", 0, NONE },
	{ "trailing dot", "mx.example.test.; dkim=pass "
	  "header.d=example.test", 0, NONE },
	{ "id in another case", "MX.Example.Test; dkim=pass "
	  "header.d=example.test", 0, NONE },
	{ "semicolon in a comment", "evil.example (; mx.example.test); "
	  "dkim=pass header.d=example.test", 0, NONE },
	{ "attack: encoded-word (q)", " =?us-ascii?q?mx.example.test=3B_dkim"
	  "=3Dpass_header.d=3Dexample.test?=", 0, NONE },
	{ "attack: encoded-word (b)", " =?utf-8?b?bXguZXhhbXBsZS50ZXN0OyBk"
	  "a2ltPXBhc3MgaGVhZGVyLmQ9ZXhhbXBsZS50ZXN0?=", 0, NONE },
	{ "attack: encoded-word after the id", "mx.example.test; "
	  "=?us-ascii?q?dkim=3Dpass_header.d=3Dexample.test?=", 0,
	  MALFORMED },
	{ "attack: quoted id", "\"mx.example.test\"; dkim=pass "
	  "header.d=example.test", 0, NONE },
	{ "attack: comment first", "(x) mx.example.test; dkim=pass "
	  "header.d=example.test", 0, NONE },
	{ "attack: comment first, glued", "(x)mx.example.test; dkim=pass "
	  "header.d=example.test", 0, NONE },
	{ "junk", ";;;===(((\"", 0, NONE },

	/* our id, but a form another parser may read otherwise */
	{ "only an id", "mx.example.test", 0, MALFORMED },
	{ "attack: comment after the id", "mx.example.test (our mx); "
	  "dkim=pass header.d=example.test", 0, MALFORMED },
	{ "attack: comment glued to the id", "mx.example.test(x); dkim=pass "
	  "header.d=example.test", 0, MALFORMED },
	{ "id with a job id", "mx.example.test/4Q2x; dkim=pass "
	  "header.d=example.test", 0, MALFORMED },
	{ "two versions", "mx.example.test 1 2; dkim=pass "
	  "header.d=example.test", 0, MALFORMED },
	{ "attack: unknown ptype (OpenDKIM leaves it)", "mx.example.test; "
	  "dkim=pass header.d=example.test x-foo.bar=1", 0, MALFORMED },
	{ "attack: upper-case ptype", "mx.example.test; dkim=pass "
	  "Header.d=example.test", 0, MALFORMED },
	{ "property without ptype", "mx.example.test; dkim=pass "
	  "header.d=example.test action=none", 0, MALFORMED },
	{ "attack: comment glued to the method", "mx.example.test; "
	  "dkim(x)=pass header.d=example.test", 0, MALFORMED },
	{ "attack: comment glued to the result", "mx.example.test; "
	  "dkim=pass(x) header.d=example.test", 0, MALFORMED },
	{ "word glued to a quoted string", "mx.example.test; dkim=pass "
	  "header.b=\"x\"header.d=example.test", 0, MALFORMED },
	{ "reason after a property", "mx.example.test; dkim=pass "
	  "header.d=example.test reason=x", 0, MALFORMED },
	{ "unbalanced comment hides the rest", "mx.example.test; (dkim=pass "
	  "header.d=example.test", 0, MALFORMED },
	{ "unclosed quote", "mx.example.test; dkim=pass "
	  "header.d=example.test header.b=\"abc", 0, MALFORMED },
	{ "value with '='", "mx.example.test; dkim=pass "
	  "header.d=example.test header.b=abc=", 0, MALFORMED },
	{ "empty result", "mx.example.test; ;dkim=pass "
	  "header.d=example.test", 0, MALFORMED },
	{ "none, then more", "mx.example.test; none; dkim=pass "
	  "header.d=example.test", 0, MALFORMED },
	{ "8-bit byte", "mx.example.test; dkim=pass header.d=example.test "
	  "header.s=s\xc3\xa9l", 0, MALFORMED },
	{ "NUL byte", "mx.example.test; dkim=pass header.d=example.test\0"
	  " header.s=x", 60, MALFORMED },
	{ "bare CR", "mx.example.test;\rdkim=pass header.d=example.test", 0,
	  MALFORMED },
	{ "LF without a fold", "mx.example.test;\ndkim=pass "
	  "header.d=example.test", 0, MALFORMED },
	{ "folded with LF", "mx.example.test;\n  dkim=pass "
	  "header.d=example.test", 0, DKIM },

	/* the names exactly as OpenDKIM knows them, or it may not strip */
	{ "attack: upper-case method", "mx.example.test; DKIM=pass "
	  "header.d=example.test", 0, NO_PASS },
	{ "upper-case result", "mx.example.test; dkim=PASS "
	  "header.d=example.test", 0, NO_PASS },
	{ "attack: method version", "mx.example.test; dkim/1=pass "
	  "header.d=example.test", 0, NO_PASS },
};

START_TEST(test_field)
{
	const struct field_case	*c = &field_cases[_i];
	enum agent_auth_verdict	 got;
	size_t			 len = c->len ? c->len : strlen(c->value);

	got = agent_auth_field(c->value, len, trusted, 2, FROM);
	ck_assert_msg(got == c->want, "%s: got %s, want %s", c->name,
	    agent_auth_verdict_name(got), agent_auth_verdict_name(c->want));
}
END_TEST

START_TEST(test_field_edges)
{
	static const char pass[] = "mx.example.test; dkim=pass "
	    "header.d=example.test";
	struct buf	 b;
	int		 i;

	ck_assert_int_eq(agent_auth_field(pass, strlen(pass), trusted, 2,
	    "anna"), NO_PASS);
	ck_assert_int_eq(agent_auth_field(pass, strlen(pass), trusted, 2,
	    NULL), NO_PASS);
	ck_assert_int_eq(agent_auth_field(NULL, 0, trusted, 2, FROM), NONE);
	ck_assert_int_eq(agent_auth_field(pass, strlen(pass), NULL, 0, FROM),
	    NONE);
	/* the length is the field's: what follows is not read */
	ck_assert_int_eq(agent_auth_field(pass, 15, trusted, 2, FROM),
	    MALFORMED);
	ck_assert_int_eq(agent_auth_field(pass, 16, trusted, 2, FROM),
	    NO_PASS);

	/* 12 results are read, a 13th is one too many */
	buf_init(&b);
	buf_append_str(&b, "mx.example.test");
	for (i = 0; i < 11; i++)
		buf_append_str(&b, "; iprev=pass smtp.remote-ip=192.0.2.1");
	buf_append_str(&b, "; dkim=pass header.d=example.test");
	ck_assert_int_eq(agent_auth_field(b.data, b.len, trusted, 2, FROM),
	    DKIM);
	buf_append_str(&b, "; spf=none");
	ck_assert_int_eq(agent_auth_field(b.data, b.len, trusted, 2, FROM),
	    MALFORMED);
	buf_release(&b);

	/* 2000 bytes at most (OpenDKIM gives up on long ones) */
	buf_init(&b);
	buf_append_str(&b, "mx.example.test; dkim=pass (");
	while (b.len < 1950)
		buf_append_str(&b, "padding ");
	buf_append_str(&b, ") header.d=example.test");
	ck_assert_int_eq(agent_auth_field(b.data, b.len, trusted, 2, FROM),
	    DKIM);
	while (b.len < 2001)
		buf_append_str(&b, " ");
	ck_assert_int_eq(agent_auth_field(b.data, b.len, trusted, 2, FROM),
	    MALFORMED);
	buf_release(&b);

	/* and not too many tokens */
	buf_init(&b);
	buf_append_str(&b, "mx.example.test; dkim=pass header.d=example.test");
	for (i = 0; i < 15; i++)
		buf_append_str(&b, " header.s=a.b.c.d.e.f.g.h.i.j.k.l.m.n");
	ck_assert_int_eq(agent_auth_field(b.data, b.len, trusted, 2, FROM),
	    MALFORMED);
	buf_release(&b);
	buf_init(&b);
	buf_append_str(&b, "mx.example.test; dkim=pass header.d=example.test");
	for (i = 0; i < 450; i++)
		buf_append_str(&b, " ()");
	ck_assert_int_eq(agent_auth_field(b.data, b.len, trusted, 2, FROM),
	    MALFORMED);
	buf_release(&b);

	/* comments nest, but not without end */
	buf_init(&b);
	buf_append_str(&b, "mx.example.test; dkim=pass ");
	for (i = 0; i < 9; i++)
		buf_append_str(&b, "(");
	for (i = 0; i < 9; i++)
		buf_append_str(&b, ")");
	buf_append_str(&b, " header.d=example.test");
	ck_assert_int_eq(agent_auth_field(b.data, b.len, trusted, 2, FROM),
	    MALFORMED);
	buf_release(&b);
	ck_assert_str_eq(agent_auth_verdict_name(DKIM), "dkim");
	ck_assert_str_eq(agent_auth_verdict_name(NO_PASS), "no-pass");
}
END_TEST

/* --- whole headers, as they arrive ------------------------------------ */

#define OURS	"Received: from mx.example.test ([127.0.0.1])\r\n" \
		"\tby triaged.example.test (triaged) with LMTP id ab.1\r\n" \
		"\tfor <support@example.test>; Mon, 2 Mar 2026 10:00:00 +0100\r\n"
#define MX	"Received: from mail.example.test (mail.example.test " \
		"[192.0.2.1])\r\n\tby mx.example.test (Postfix) with ESMTPS " \
		"id 4Q2x\r\n\tfor <support@example.test>; Mon, 2 Mar 2026 " \
		"10:00:00 +0100 (CET)\r\n"
#define IMAP	"Received: from mx.example.test\r\n\tby imap.example.test " \
		"with LMTP id 7; Mon, 2 Mar 2026 10:00:00 +0100\r\n"
#define FOREIGN	"Received: from laptop (laptop [198.51.100.7])\r\n" \
		"\tby relay.elsewhere.example (Postfix) with ESMTP id X1;\r\n" \
		"\tMon, 2 Mar 2026 09:59:00 +0100\r\n"
#define AR_PASS	"Authentication-Results: mx.example.test; dkim=pass " \
		"header.d=example.test\r\n"
#define REST	"From: Anna <anna@example.test>\r\nSubject: x\r\n\r\nbody\r\n"

struct message_case {
	const char		*name;
	const char		*raw;
	enum agent_auth_verdict	 want;
	bool			 below;
	bool			 imap_trusted;	/* imap.example.test listed */
};

static const struct message_case message_cases[] = {
	{ "pass at the top", AR_PASS REST, DKIM, false, false },
	{ "pass under our Received and the MX's", OURS MX AR_PASS FOREIGN
	  REST, DKIM, false, false },
	{ "pass under the MX's Received (OpenDKIM's place)", MX AR_PASS
	  REST, DKIM, false, false },
	{ "pass between our Received and the MX's", OURS AR_PASS MX REST,
	  DKIM, false, false },
	{ "pass in the middle of the header", OURS "From: Anna "
	  "<anna@example.test>\r\n" AR_PASS "Subject: x\r\n\r\nbody\r\n",
	  DKIM, false, false },
	{ "pass above a foreign Received", OURS AR_PASS FOREIGN REST, DKIM,
	  false, false },
	{ "attack: pass below a foreign Received", OURS FOREIGN AR_PASS REST,
	  NONE, true, false },
	{ "attack: pass below a foreign Received under the MX's", OURS MX
	  FOREIGN AR_PASS REST, NONE, true, false },
	{ "pass under an IMAP server's Received, not trusted", IMAP AR_PASS
	  REST, NONE, true, false },
	{ "pass under an IMAP server's Received, a trusted host", IMAP
	  AR_PASS REST, DKIM, false, true },
	{ "a Received with a blank before the colon ends it", OURS
	  "Received : from a by relay.elsewhere.example; Mon, 2 Mar 2026\r\n"
	  AR_PASS REST, NONE, true, false },
	{ "an unreadable Received ends it", OURS "Received: garbage\r\n"
	  AR_PASS REST, NONE, true, false },
	{ "a Received whose client calls itself mx.example.test",
	  "Received: from mx.example.test (x [198.51.100.7]) by "
	  "relay.elsewhere.example; Mon, 2 Mar 2026\r\n" AR_PASS REST, NONE,
	  true, false },
	{ "a Received with 'by mx' in a comment", "Received: from x (by "
	  "mx.example.test) by relay.elsewhere.example; Mon, 2 Mar 2026\r\n"
	  AR_PASS REST, NONE, true, false },
	{ "a Received by a trusted authserv-id (no from)", "Received: by "
	  "mx.example.test (Postfix, from userid 0) id 1; Mon, 2 Mar 2026\r\n"
	  AR_PASS REST, DKIM, false, false },
	{ "attack: blank before the colon", OURS "Authentication-Results : "
	  "mx.example.test; dkim=pass header.d=example.test\r\n" REST, NONE,
	  false, false },
	{ "attack: tab before the colon", OURS "Authentication-Results\t: "
	  "mx.example.test; dkim=pass header.d=example.test\r\n" REST, NONE,
	  false, false },
	{ "attack: encoded-word, raw", OURS "Authentication-Results: "
	  "=?us-ascii?q?mx.example.test=3B_dkim=3Dpass_header.d=3D"
	  "example.test?=\r\n" REST, NONE, false, false },
	{ "attack: quoted id, raw", OURS "Authentication-Results: "
	  "\"mx.example.test\"; dkim=pass header.d=example.test\r\n" REST,
	  NONE, false, false },
	{ "attack: comment first, raw", OURS "Authentication-Results: (x) "
	  "mx.example.test; dkim=pass header.d=example.test\r\n" REST, NONE,
	  false, false },
	{ "field name in any case", "authentication-RESULTS: "
	  "mx.example.test; dkim=pass header.d=example.test\r\n" REST, DKIM,
	  false, false },
	{ "folded over lines", OURS "Authentication-Results: "
	  "mx.example.test;\r\n\tdkim=pass\r\n header.d=example.test\r\n"
	  REST, DKIM, false, false },
	{ "LF lines", "Received: from a by mx.example.test; x\n"
	  "Authentication-Results: mx.example.test;\n  dkim=pass "
	  "header.d=example.test\nFrom: a@example.test\n\nbody\n", DKIM,
	  false, false },
	{ "mbox From line", "From anna@example.test Mon Mar  2 10:00:00 "
	  "2026\n" AR_PASS REST, DKIM, false, false },
	{ "attacker's first, trusted fail", "Authentication-Results: "
	  "evil.example; dkim=pass header.d=example.test\r\n"
	  "Authentication-Results: mx.example.test; dkim=fail "
	  "header.d=example.test\r\n" REST, NO_PASS, false, false },
	{ "a malformed one, then a pass", "Authentication-Results: "
	  "mx.example.test (x); dkim=pass header.d=example.test\r\n" AR_PASS
	  REST, DKIM, false, false },
	{ "in the body", OURS "From: a@example.test\r\n\r\n" AR_PASS, NONE,
	  false, false },
	{ "after a line that is no field", OURS "not a field\r\n" AR_PASS
	  REST, NONE, false, false },
	{ "after a continuation with no field", " x\r\n" AR_PASS REST, NONE,
	  false, false },
	{ "8-bit field name ends it", "X-\xc3\xa9: x\r\n" AR_PASS REST, NONE,
	  false, false },
	{ "empty", "", NONE, false, false },
};

START_TEST(test_message)
{
	static const char *const hosts[] = { "imap.example.test" };
	const struct message_case	*c = &message_cases[_i];
	struct agent_auth_trust		 t;
	enum agent_auth_verdict		 got;
	bool				 below = !c->below;

	memset(&t, 0, sizeof(t));
	t.ids = trusted;
	t.nids = 2;
	t.self = "triaged.example.test";
	if (c->imap_trusted) {
		t.hosts = hosts;
		t.nhosts = 1;
	}
	got = agent_auth_message(c->raw, strlen(c->raw), &t, FROM, &below);
	ck_assert_msg(got == c->want, "%s: got %s, want %s", c->name,
	    agent_auth_verdict_name(got), agent_auth_verdict_name(c->want));
	ck_assert_msg(below == c->below, "%s: below %d", c->name, below);
}
END_TEST

/* Our own Received counts as ours only under our own name. */
START_TEST(test_message_self)
{
	static const char raw[] = OURS AR_PASS REST;
	struct agent_auth_trust	 t;

	memset(&t, 0, sizeof(t));
	t.ids = trusted;
	t.nids = 2;
	ck_assert_int_eq(agent_auth_message(raw, strlen(raw), &t, FROM, NULL),
	    NONE);
	t.self = "triaged.example.test";
	ck_assert_int_eq(agent_auth_message(raw, strlen(raw), &t, FROM, NULL),
	    DKIM);
	ck_assert_int_eq(agent_auth_message(NULL, 5, &t, FROM, NULL), NONE);
	/* a NUL in the header is a byte like another */
	ck_assert_int_eq(agent_auth_message("X: a\0b\r\n" AR_PASS REST,
	    sizeof("X: a\0b\r\n" AR_PASS REST) - 1, &t, FROM, NULL), DKIM);
}
END_TEST

/* --- the settings ----------------------------------------------------- */

static char	confdir[] = "/tmp/test_agent_auth.XXXXXX";

/* Loads text as a config file; the errors, "FILE" for its path. */
static char *
load_errors(const char *text, struct config **out)
{
	struct buf	*errors = buf_new(), b;
	char		*path, *result;
	const char	*p;
	FILE		*f;
	size_t		 n;

	xasprintf(&path, "%s/t.conf", confdir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	*out = config_load(path, errors);
	buf_init(&b);
	n = strlen(path);
	for (p = errors->data; *p != '\0'; ) {
		if (strncmp(p, path, n) == 0) {
			buf_append_str(&b, "FILE");
			p += n;
		} else
			buf_append_char(&b, *p++);
	}
	buf_append_char(&b, '\0');
	result = buf_steal(&b, NULL);
	unlink(path);
	free(path);
	buf_free(errors);
	return result;
}

struct config_case {
	const char	*text;
	const char	*want;
};

static const struct config_case config_cases[] = {
	{ "agent_mail = {\n  require = \"both\";\n};\n",
	  "FILE:2: agent_mail.require: must be one of signature-or-auth, "
	  "signature, signature+auth\n" },
	{ "agent_mail = {\n  require = 1;\n};\n",
	  "FILE:2: agent_mail.require: must be a string in double quotes\n" },
	{ "agent_mail = {\n  require = \"signature+auth\";\n};\n",
	  "FILE:2: agent_mail.require: \"signature+auth\" needs "
	  "agent_mail.trusted_authserv_ids\n" },
	{ "agent_mail = {\n  trusted_authserv_ids = [ \"mx.example.test\" ];\n"
	  "  require = \"signature\";\n"
	  "  note_address = \"note@example.test\";\n};\n",
	  "FILE:4: agent_mail.note_address: cannot be used with require = "
	  "\"signature\": mail to it carries no signed address (an agent "
	  "writes #note in a reply instead)\n" },
	{ "agent_mail = {\n  trusted_authserv_ids = [ \"mx.example.test\",\n"
	  "    \"\\\"mx.example.test\\\"\" ];\n};\n",
	  "FILE:2: agent_mail.trusted_authserv_ids: \"\"mx.example.test\"\" "
	  "is not an authserv-id as an MTA writes it (a bare token such as "
	  "mx.example.com)\n" },
	{ "agent_mail = {\n  trusted_authserv_ids = [ \"mx example\" ];\n};\n",
	  "FILE:2: agent_mail.trusted_authserv_ids: \"mx example\" is not an "
	  "authserv-id as an MTA writes it (a bare token such as "
	  "mx.example.com)\n" },
	{ "agent_mail = {\n  trusted_hosts = [ \"mx (2)\" ];\n};\n",
	  "FILE:2: agent_mail.trusted_hosts: \"mx (2)\" is not a host name\n" },
	{ "hostname = \"a.example\";\nacknowledgement = {\n"
	  "  require_auth = true;\n};\n",
	  "FILE:3: acknowledgement.require_auth: needs "
	  "agent_mail.trusted_authserv_ids (whose Authentication-Results to "
	  "believe)\n" },
	{ "acknowledgement = {\n  require_auth = \"yes\";\n};\n",
	  "FILE:2: acknowledgement.require_auth: must be true or false\n" },
};

START_TEST(test_config_errors)
{
	const struct config_case	*c = &config_cases[_i];
	struct config			*cfg;
	char				*got;

	got = load_errors(c->text, &cfg);
	ck_assert_msg(cfg == NULL, "case %d loaded", _i);
	ck_assert_str_eq(got, c->want);
	free(got);
}
END_TEST

START_TEST(test_config_values)
{
	struct config		*cfg;
	const char *const	*hosts;
	char			*got;
	size_t			 n;

	got = load_errors("", &cfg);
	ck_assert_str_eq(got, "");
	ck_assert_int_eq(config_agents_require(cfg), AGENTS_REQUIRE_EITHER);
	ck_assert(!cfg->ack_require_auth);
	ck_assert_ptr_null(config_agents_trusted_hosts(cfg, &n));
	ck_assert_uint_eq(n, 0);
	config_unref(cfg);
	free(got);

	got = load_errors("agent_mail = {\n"
	    "  trusted_authserv_ids = [ \"mx.example.test\" ];\n"
	    "  trusted_hosts = [ \"imap.example.test\", \"localhost\" ];\n"
	    "  require = \"signature+auth\";\n};\n"
	    "acknowledgement = { require_auth = true; };\n", &cfg);
	ck_assert_str_eq(got, "");
	ck_assert_int_eq(config_agents_require(cfg), AGENTS_REQUIRE_BOTH);
	ck_assert_str_eq(config_agents_require_name(config_agents_require(cfg)),
	    "signature+auth");
	ck_assert(cfg->ack_require_auth);
	hosts = config_agents_trusted_hosts(cfg, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(hosts[1], "localhost");
	config_unref(cfg);
	free(got);

	got = load_errors("agent_mail = { require = \"signature\"; };\n",
	    &cfg);
	ck_assert_str_eq(got, "");
	ck_assert_int_eq(config_agents_require(cfg), AGENTS_REQUIRE_SIGNATURE);
	config_unref(cfg);
	free(got);
}
END_TEST

static void
config_setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(confdir));
}

static void
config_teardown(void)
{
	rmdir(confdir);
	memcpy(confdir + strlen(confdir) - 6, "XXXXXX", 6);
}

static Suite *
agent_auth_suite(void)
{
	Suite	*s = suite_create("agent_auth");
	TCase	*tc = tcase_create("field");

	tcase_add_loop_test(tc, test_field, 0,
	    sizeof(field_cases) / sizeof(field_cases[0]));
	tcase_add_test(tc, test_field_edges);
	suite_add_tcase(s, tc);
	tc = tcase_create("message");
	tcase_add_loop_test(tc, test_message, 0,
	    sizeof(message_cases) / sizeof(message_cases[0]));
	tcase_add_test(tc, test_message_self);
	suite_add_tcase(s, tc);
	tc = tcase_create("config");
	tcase_add_checked_fixture(tc, config_setup, config_teardown);
	tcase_add_loop_test(tc, test_config_errors, 0,
	    sizeof(config_cases) / sizeof(config_cases[0]));
	tcase_add_test(tc, test_config_values);
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
