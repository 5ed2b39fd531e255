/*
 * test_html_out: the dashboard's one escaping function and the printf
 * the pages write with (html_out.h), and the password hashes
 * (password.h): every character HTML gives a meaning to comes out as an
 * entity, broken UTF-8 and NULs as U+FFFD, numbers as printf prints
 * them; a yescrypt hash verifies its password only.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "html_out.h"
#include "password.h"

static char *
escaped(const char *s, size_t len)
{
	struct buf b;

	buf_init(&b);
	html_escape(&b, s, len);
	return buf_steal(&b, NULL);
}

START_TEST(test_escape)
{
	char *s;

	s = escaped("<script>alert(\"x\" & 'y')</script>",
	    strlen("<script>alert(\"x\" & 'y')</script>"));
	ck_assert_str_eq(s, "&lt;script&gt;alert(&quot;x&quot; &amp; "
	    "&#39;y&#39;)&lt;/script&gt;");
	free(s);
	/* a NUL and broken UTF-8: U+FFFD; controls dropped; tab kept */
	s = escaped("a\0b\xff\xc3(\x01\tz", 9);
	ck_assert_str_eq(s, "a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd(\tz");
	free(s);
	/* valid UTF-8 passes; an overlong '<' or a surrogate does not */
	s = escaped("\xc5\xbc\xc3\xb3\xc5\x82w \xe2\x82\xac \xf0\x9f\x98\x80",
	    sizeof("\xc5\xbc\xc3\xb3\xc5\x82w \xe2\x82\xac \xf0\x9f\x98\x80") - 1);
	ck_assert_str_eq(s, "\xc5\xbc\xc3\xb3\xc5\x82w \xe2\x82\xac "
	    "\xf0\x9f\x98\x80");
	free(s);
	s = escaped("\xc0\xbc\xed\xa0\x80", 5);
	ck_assert_ptr_null(strchr(s, '<'));
	ck_assert_ptr_null(strstr(s, "\xed\xa0\x80"));
	free(s);
}
END_TEST

START_TEST(test_printf)
{
	struct buf b;

	buf_init(&b);
	html_printf(&b, "<td class=\"x\">%s</td><td>%d %5ld %lld %zu %x "
	    "%.1f %c %%</td>", "<b>\"", -3, 42L, 1234567890123LL,
	    (size_t)7, 255, 2.25, '<');
	ck_assert_str_eq(b.data, "<td class=\"x\">&lt;b&gt;&quot;</td>"
	    "<td>-3    42 1234567890123 7 ff 2.2 &lt; %</td>");
	buf_release(&b);
}
END_TEST

START_TEST(test_password)
{
	struct error err;
	char *h, *h2;

	error_clear(&err);
	h = password_hash("correct horse", &err);
	ck_assert_ptr_nonnull(h);
	ck_assert(strncmp(h, "$y$", 3) == 0);
	ck_assert(password_verify("correct horse", h));
	ck_assert(!password_verify("correct horsE", h));
	ck_assert(!password_verify("", h));
	ck_assert(!password_verify("correct horse", NULL));
	/* a fresh salt each time */
	h2 = password_hash("correct horse", &err);
	ck_assert_ptr_nonnull(h2);
	ck_assert_str_ne(h, h2);
	free(h);
	free(h2);
}
END_TEST

static Suite *
html_out_suite(void)
{
	Suite *s = suite_create("html_out");
	TCase *tc = tcase_create("html_out");

	tcase_add_test(tc, test_escape);
	tcase_add_test(tc, test_printf);
	tcase_add_test(tc, test_password);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(html_out_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
