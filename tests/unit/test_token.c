/*
 * test_token: hex tokens and the constant-time comparison (token.h),
 * which the dashboard's sessions and CSRF tokens and the password check
 * rely on.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "token.h"

START_TEST(test_hex)
{
	static const unsigned char b[] = { 0x00, 0x01, 0x7f, 0x80, 0xab,
	    0xff };
	char out[2 * sizeof(b) + 1];

	memset(out, 'x', sizeof(out));
	token_hex(b, sizeof(b), out);
	ck_assert_str_eq(out, "00017f80abff");
	token_hex(b, 0, out);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_random)
{
	char a[65], b[65];

	ck_assert(token_random_hex(32, a));
	ck_assert(token_random_hex(32, b));
	ck_assert_uint_eq(strlen(a), 64);
	ck_assert_uint_eq(strspn(a, "0123456789abcdef"), 64);
	ck_assert_str_ne(a, b);
	/* more than it can give: refused, out empty */
	ck_assert(!token_random_hex(65, a));
	ck_assert_str_eq(a, "");
}
END_TEST

START_TEST(test_equal)
{
	ck_assert(token_equal("", ""));
	ck_assert(token_equal("abc", "abc"));
	ck_assert(!token_equal("abc", "abd"));
	ck_assert(!token_equal("abc", "xbc"));
	ck_assert(!token_equal("abc", "ab"));
	ck_assert(!token_equal("ab", "abc"));
	ck_assert(!token_equal("", "a"));
}
END_TEST

static Suite *
token_suite(void)
{
	Suite *s = suite_create("token");
	TCase *tc = tcase_create("token");

	tcase_add_test(tc, test_hex);
	tcase_add_test(tc, test_random);
	tcase_add_test(tc, test_equal);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(token_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
