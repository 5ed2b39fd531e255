/*
 * test_reply_address: signed reply addresses round-trip; every single
 * character changed, another key, another request or agent, truncation
 * and re-spelling fail; case folding by MTAs passes; the RFC 5321 length
 * limit is kept.
 */

#include <check.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "reply_address.h"

static const char	 key1[] = "0123456789abcdef0123456789abcdef";
static const char	 key2[] = "0123456789abcdef0123456789abcdeF";
#define KEYLEN		 (sizeof(key1) - 1)

static const char *const supports[] = {
	"sales@example.org",
	"Support Desk <support@Example.TEST>",
};
#define NSUPPORTS	 (sizeof(supports) / sizeof(supports[0]))

struct trip_case {
	const char	*support;
	const char	*agent;
	uint64_t	 request;
};

static const struct trip_case trip_cases[] = {
	{ "support@example.test", "alice", 42 },
	{ "support@example.test", "bob-smith_2", 1 },
	{ "<support@example.test>", "alice", UINT64_MAX },
	{ "sales@example.org", "x", 7 },
	{ "support@example.test", "Alice", 42 },
	{ "support@example.test", "Иван", 42 },
	{ "support@example.test", "j.doe", 12345 },
	{ "support@example.test", "Ана Мария", 3 },
};

START_TEST(test_roundtrip)
{
	const struct trip_case	*c = &trip_cases[_i];
	struct error		 err;
	char			*addr, *agent = NULL;
	uint64_t		 req = 0;

	addr = reply_address_make(key1, KEYLEN, c->support, c->agent,
	    c->request, &err);
	ck_assert_msg(addr != NULL, "%s", err.msg);
	ck_assert(reply_address_is_tagged(supports, NSUPPORTS, addr));
	ck_assert_msg(reply_address_verify(key1, KEYLEN, supports, NSUPPORTS,
	    addr, &agent, &req, &err), "%s: %s", addr, err.msg);
	ck_assert_str_eq(agent, c->agent);
	ck_assert(req == c->request);
	free(agent);
	/* Another key never verifies. */
	ck_assert(!reply_address_verify(key2, KEYLEN, supports, NSUPPORTS,
	    addr, NULL, NULL, &err));
	ck_assert_str_eq(err.msg, "bad signature in reply address");
	free(addr);
}
END_TEST

START_TEST(test_format)
{
	char	*addr;

	addr = reply_address_make(key1, KEYLEN, "support@example.test",
	    "alice", 42, NULL);
	ck_assert_int_eq(strncmp(addr, "support+r42.aalice.", 19), 0);
	ck_assert_int_eq(strlen(addr),
	    strlen("support+r42.aalice.") + 16 + strlen("@example.test"));
	ck_assert_str_eq(addr + strlen(addr) - 13, "@example.test");
	free(addr);
	/* Deterministic: the same inputs give the same address. */
	addr = reply_address_make(key1, KEYLEN, "support@example.test",
	    "Иван", 1, NULL);
	ck_assert_int_eq(strncmp(addr, "support+r1.b", 12), 0);
	free(addr);
}
END_TEST

/* Every character of the address, changed to every other plausible one. */
START_TEST(test_tamper_each_char)
{
	static const char	 alphabet[] =
	    "abcdefghijklmnopqrstuvwxyz0123456789.+-_@";
	const char		*agents[] = { "alice", "Иван" };
	char			*addr, *agent;
	size_t			 i, j, k, len;
	char			 orig;
	uint64_t		 req;

	for (k = 0; k < 2; k++) {
		addr = reply_address_make(key1, KEYLEN, "support@example.test",
		    agents[k], 42, NULL);
		len = strlen(addr);
		for (i = 0; i < len; i++) {
			orig = addr[i];
			for (j = 0; j < sizeof(alphabet) - 1; j++) {
				if (tolower((unsigned char)orig) == alphabet[j])
					continue;
				addr[i] = alphabet[j];
				agent = NULL;
				ck_assert_msg(!reply_address_verify(key1,
				    KEYLEN, supports, NSUPPORTS, addr, &agent,
				    &req, NULL), "tampered %s verified", addr);
				ck_assert_ptr_null(agent);
			}
			addr[i] = orig;
		}
		ck_assert(reply_address_verify(key1, KEYLEN, supports,
		    NSUPPORTS, addr, NULL, NULL, NULL));
		free(addr);
	}
}
END_TEST

/* Truncated anywhere, or with anything appended, it fails. */
START_TEST(test_truncated)
{
	char	*addr, *cut, *longer;
	size_t	 len, at;

	addr = reply_address_make(key1, KEYLEN, "support@example.test",
	    "alice", 42, NULL);
	at = strchr(addr, '@') - addr;
	for (len = 0; len < at; len++) {
		if (asprintf(&cut, "%.*s%s", (int)len, addr, addr + at) < 0)
			ck_abort();
		ck_assert_msg(!reply_address_verify(key1, KEYLEN, supports,
		    NSUPPORTS, cut, NULL, NULL, NULL), "%s", cut);
		free(cut);
	}
	if (asprintf(&longer, "%.*sa%s", (int)at, addr, addr + at) < 0)
		ck_abort();
	ck_assert(!reply_address_verify(key1, KEYLEN, supports, NSUPPORTS,
	    longer, NULL, NULL, NULL));
	free(longer);
	free(addr);
}
END_TEST

/* MTAs that fold case, and header forms with a display name, still pass. */
START_TEST(test_case_and_forms)
{
	char		*addr, *s, *other, *agent;
	uint64_t	 req;
	size_t		 i;

	addr = reply_address_make(key1, KEYLEN, "support@example.test",
	    "alice", 42, NULL);
	s = strdup(addr);
	for (i = 0; s[i] != '\0'; i++)
		s[i] = (char)toupper((unsigned char)s[i]);
	ck_assert(reply_address_verify(key1, KEYLEN, supports, NSUPPORTS, s,
	    &agent, &req, NULL));
	ck_assert_str_eq(agent, "alice");
	free(agent);
	free(s);
	if (asprintf(&s, "\"Help desk\" <%s>", addr) < 0)
		ck_abort();
	ck_assert(reply_address_verify(key1, KEYLEN, supports, NSUPPORTS, s,
	    NULL, &req, NULL));
	ck_assert(req == 42);
	free(s);
	/* Mixed case for a base32 name: still the same name. */
	other = reply_address_make(key1, KEYLEN, "support@example.test",
	    "Иван", 9, NULL);
	for (i = 0; other[i] != '\0'; i++)
		if (i % 2 == 0)
			other[i] = (char)toupper((unsigned char)other[i]);
	ck_assert(reply_address_verify(key1, KEYLEN, supports, NSUPPORTS,
	    other, &agent, &req, NULL));
	ck_assert_str_eq(agent, "Иван");
	free(agent);
	free(other);
	free(addr);
}
END_TEST

/* A valid MAC moved to another request, agent or spelling fails. */
START_TEST(test_transplant)
{
	char	*a42, *a43, *forged;
	char	*mac42;

	a42 = reply_address_make(key1, KEYLEN, "support@example.test",
	    "alice", 42, NULL);
	a43 = reply_address_make(key1, KEYLEN, "support@example.test",
	    "alice", 43, NULL);
	mac42 = strndup(strchr(a42, '.') + strlen(".aalice."), 16);
	ck_assert(strncmp(a42, a43, 30) != 0);
	if (asprintf(&forged, "support+r43.aalice.%s@example.test",
	    mac42) < 0)
		ck_abort();
	ck_assert(!reply_address_verify(key1, KEYLEN, supports, NSUPPORTS,
	    forged, NULL, NULL, NULL));
	free(forged);
	if (asprintf(&forged, "support+r42.amallory.%s@example.test",
	    mac42) < 0)
		ck_abort();
	ck_assert(!reply_address_verify(key1, KEYLEN, supports, NSUPPORTS,
	    forged, NULL, NULL, NULL));
	free(forged);
	/* Leading zero and base32 re-spelling of a plain name are refused. */
	if (asprintf(&forged, "support+r042.aalice.%s@example.test",
	    mac42) < 0)
		ck_abort();
	ck_assert(!reply_address_verify(key1, KEYLEN, supports, NSUPPORTS,
	    forged, NULL, NULL, NULL));
	ck_assert(!reply_address_is_tagged(supports, NSUPPORTS, forged));
	free(forged);
	/* "alice" in base32 is mfwgsy3f. */
	if (asprintf(&forged, "support+r42.bmfwgsy3f.%s@example.test",
	    mac42) < 0)
		ck_abort();
	ck_assert(!reply_address_verify(key1, KEYLEN, supports, NSUPPORTS,
	    forged, NULL, NULL, NULL));
	free(forged);
	/* Another support address's domain or base. */
	if (asprintf(&forged, "support+r42.aalice.%s@example.org",
	    mac42) < 0)
		ck_abort();
	ck_assert(!reply_address_verify(key1, KEYLEN, supports, NSUPPORTS,
	    forged, NULL, NULL, NULL));
	free(forged);
	free(mac42);
	free(a42);
	free(a43);
}
END_TEST

struct bad_rcpt {
	const char	*rcpt;
	int		 tagged;	/* reply_address_is_tagged() */
};

static const struct bad_rcpt bad_rcpts[] = {
	{ "", 0 },
	{ "support@example.test", 0 },
	{ "support+@example.test", 0 },
	{ "support+hello@example.test", 0 },
	{ "support+r42@example.test", 0 },
	{ "support+r42.aalice@example.test", 0 },
	{ "support+r42.aalice.aaaaaaaaaaaaaaaa@example.test", 1 },
	{ "support+r42.aalice.aaaaaaaaaaaaaaa1@example.test", 0 },
	{ "support+r42.aalice.aaaaaaaaaaaaaaaaa@example.test", 0 },
	{ "support+r0.aalice.aaaaaaaaaaaaaaaa@example.test", 0 },
	{ "support+r18446744073709551616.aalice.aaaaaaaaaaaaaaaa@x.test", 0 },
	{ "support+r42.a.aaaaaaaaaaaaaaaa@example.test", 0 },
	{ "support+r42.calice.aaaaaaaaaaaaaaaa@example.test", 0 },
	{ "support+r42.aal.ice.aaaaaaaaaaaaaaaa@example.test", 0 },
	{ "support+r42.bmfwgsy3g.aaaaaaaaaaaaaaaa@example.test", 0 },
	{ "other+r42.aalice.aaaaaaaaaaaaaaaa@example.test", 0 },
	{ "xsupport+r42.aalice.aaaaaaaaaaaaaaaa@example.test", 0 },
	{ "support+r42.aalice.aaaaaaaaaaaaaaaa@example.test.evil", 0 },
	{ "support+r42.aalice.aaaaaaaaaaaaaaaa", 0 },
	{ "\"support+r42.aalice.aaaaaaaaaaaaaaaa\"@example.test", 0 },
	{ "support+r42.aalice.aaaaaaaaaaaaaaaa@", 0 },
	{ "<support+r42.aalice.aaaaaaaaaaaaaaaa@example.test", 0 },
	{ "sales+r1.ax.aaaaaaaaaaaaaaaa@EXAMPLE.org", 1 },
};

START_TEST(test_bad_rcpt)
{
	const struct bad_rcpt	*c = &bad_rcpts[_i];
	struct error		 err;

	ck_assert_int_eq(reply_address_is_tagged(supports, NSUPPORTS,
	    c->rcpt), c->tagged);
	error_clear(&err);
	ck_assert(!reply_address_verify(key1, KEYLEN, supports, NSUPPORTS,
	    c->rcpt, NULL, NULL, &err));
	ck_assert_int_eq(err.kind, ERR_PERM);
	ck_assert_str_eq(err.msg, c->tagged ?
	    "bad signature in reply address" : "not a reply address");
}
END_TEST

START_TEST(test_limits)
{
	struct error	 err;
	char		*addr, agent[64];
	size_t		 len;

	/* Short key, request 0, bad names, bad support address. */
	ck_assert_ptr_null(reply_address_make(key1, REPLY_ADDRESS_KEY_MIN - 1,
	    "support@example.test", "alice", 1, &err));
	ck_assert_int_eq(err.kind, ERR_PERM);
	ck_assert_ptr_null(reply_address_make(key1, KEYLEN,
	    "support@example.test", "alice", 0, &err));
	ck_assert_ptr_null(reply_address_make(key1, KEYLEN,
	    "support@example.test", "", 1, &err));
	ck_assert_ptr_null(reply_address_make(key1, KEYLEN,
	    "support@example.test", NULL, 1, &err));
	ck_assert_ptr_null(reply_address_make(key1, KEYLEN,
	    "support@example.test", "a\nb", 1, &err));
	ck_assert_ptr_null(reply_address_make(key1, KEYLEN,
	    "support@example.test", "bad\xff", 1, &err));
	ck_assert_ptr_null(reply_address_make(key1, KEYLEN, "support", "a", 1,
	    &err));
	ck_assert_ptr_null(reply_address_make(key1, KEYLEN,
	    "\"sup port\"@example.test", "a", 1, &err));
	/* A short key is refused by verify too. */
	addr = reply_address_make(key1, KEYLEN, "support@example.test",
	    "alice", 5, NULL);
	ck_assert(!reply_address_verify(key1, 8, supports, NSUPPORTS, addr,
	    NULL, NULL, NULL));
	free(addr);
	/* Longest plain name that fits: every address <= 64 octets local. */
	for (len = 1; len < sizeof(agent); len++) {
		memset(agent, 'q', len);
		agent[len] = '\0';
		addr = reply_address_make(key1, KEYLEN, "support@example.test",
		    agent, UINT64_MAX, &err);
		if (addr == NULL) {
			ck_assert_int_eq(err.kind, ERR_PERM);
			break;
		}
		ck_assert_int_le(strchr(addr, '@') - addr,
		    REPLY_ADDRESS_LOCAL_MAX);
		ck_assert(reply_address_verify(key1, KEYLEN, supports,
		    NSUPPORTS, addr, NULL, NULL, NULL));
		free(addr);
	}
	/* support(7) + '+' + r<20 digits> + '.' + 'a' + name + '.' + 16. */
	ck_assert_int_eq(len, 64 - 7 - 1 - 21 - 1 - 1 - 1 - 16 + 1);
	/* An over-long local part is never taken as ours. */
	ck_assert(!reply_address_is_tagged(supports, NSUPPORTS,
	    "support+r1.aqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq."
	    "aaaaaaaaaaaaaaaa@example.test"));
}
END_TEST

static Suite *
reply_address_suite(void)
{
	Suite	*s = suite_create("reply_address");
	TCase	*tc = tcase_create("core");

	tcase_add_loop_test(tc, test_roundtrip, 0,
	    sizeof(trip_cases) / sizeof(trip_cases[0]));
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_tamper_each_char);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_case_and_forms);
	tcase_add_test(tc, test_transplant);
	tcase_add_loop_test(tc, test_bad_rcpt, 0,
	    sizeof(bad_rcpts) / sizeof(bad_rcpts[0]));
	tcase_add_test(tc, test_limits);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(reply_address_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
