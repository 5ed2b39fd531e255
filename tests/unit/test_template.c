/*
 * Unit tests for template.c: compile errors are caught at compile time
 * with a message naming the problem, and rendering never fails.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "template.h"

static const struct template_var vars[] = {
	{ "id", "42" },
	{ "token", "[#42]" },
	{ "subject", "Печать не работает" },
	{ "customer_name", NULL },
	{ "customer_email", "anna@example.test" },
};
static const size_t nvars = sizeof(vars) / sizeof(vars[0]);

struct render_case {
	const char	*source;
	const char	*want;
};

static const struct render_case render_cases[] = {
	{ "", "" },
	{ "plain text", "plain text" },
	{ "{{id}}", "42" },
	{ "Request {{token}}: {{subject}}", "Request [#42]: Печать не работает" },
	{ "{{ id }}|{{\tid\t}}|{{id }}|{{  id}}", "42|42|42|42" },
	{ "Dear {{customer_name}},", "Dear ," },		/* NULL value */
	{ "{{support_name}}!", "!" },			/* not in vars */
	{ "\\{{id}}", "{{id}}" },				/* escaped */
	{ "a \\ b { c } d }}", "a \\ b { c } d }}" },	/* literal */
	{ "{{id}}{{id}}\n{{customer_email}}", "4242\nanna@example.test" },
	{ "Ünïcödé ✓ {{id}} ✓", "Ünïcödé ✓ 42 ✓" },
};

struct error_case {
	const char	*source;
	const char	*want;
};

static const struct error_case error_cases[] = {
	{ "Hello {{foo}}", "unknown variable 'foo' in template" },
	{ "Hello {{ Subject }}", "unknown variable 'Subject' in template" },
	{ "Hello {{id", "unclosed '{{' in template at offset 6" },
	{ "{{id}} and {{ token", "unclosed '{{' in template at offset 11" },
	{ "{{}}", "empty variable name in template" },
	{ "{{  }}", "empty variable name in template" },
	{ "{{a b}}", "bad variable name 'a b' in template" },
	{ "{{{{id}}", "bad variable name '{{id' in template" },
};

START_TEST(test_render)
{
	const struct render_case *tc = &render_cases[_i];
	struct template *t;
	struct error err;
	char *out;

	error_clear(&err);
	t = template_compile(tc->source, template_ack_vars, &err);
	ck_assert_msg(t != NULL, "%s: %s", tc->source, err.msg);
	ck_assert_str_eq(template_source(t), tc->source);
	out = template_render(t, vars, nvars);
	ck_assert_str_eq(out, tc->want);
	free(out);
	template_free(t);
}
END_TEST

START_TEST(test_errors)
{
	const struct error_case *tc = &error_cases[_i];
	struct template *t;
	struct error err;

	error_clear(&err);
	t = template_compile(tc->source, template_ack_vars, &err);
	ck_assert_ptr_null(t);
	ck_assert_int_eq(err.kind, ERR_PERM);
	ck_assert_str_eq(err.msg, tc->want);
}
END_TEST

START_TEST(test_null_err)
{
	ck_assert_ptr_null(template_compile("{{nope}}", template_ack_vars,
	    NULL));
}
END_TEST

START_TEST(test_no_vars)
{
	struct template *t;
	char *out;

	t = template_compile("[{{id}}] {{subject}}", template_ack_vars, NULL);
	ck_assert_ptr_nonnull(t);
	out = template_render(t, NULL, 0);
	ck_assert_str_eq(out, "[] ");
	free(out);
	template_free(t);
	template_free(NULL);
}
END_TEST

START_TEST(test_any_name_without_list)
{
	static const struct template_var v[] = { { "anything", "x" } };
	struct template *t;
	char *out;

	t = template_compile("<{{anything}}>", NULL, NULL);
	ck_assert_ptr_nonnull(t);
	out = template_render(t, v, 1);
	ck_assert_str_eq(out, "<x>");
	free(out);
	template_free(t);
}
END_TEST

START_TEST(test_ack_vars)
{
	static const char *const want[] = {
		"id", "token", "subject", "customer_name", "customer_email",
		"original_text", "quoted_text", "support_address",
		"support_name", "suggestions"
	};
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_str_eq(template_ack_vars[i], want[i]);
	ck_assert_ptr_null(template_ack_vars[i]);
}
END_TEST

static Suite *
template_suite(void)
{
	Suite *s = suite_create("template");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_render, 0,
	    sizeof(render_cases) / sizeof(render_cases[0]));
	tcase_add_loop_test(tc, test_errors, 0,
	    sizeof(error_cases) / sizeof(error_cases[0]));
	tcase_add_test(tc, test_null_err);
	tcase_add_test(tc, test_no_vars);
	tcase_add_test(tc, test_any_name_without_list);
	tcase_add_test(tc, test_ack_vars);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(template_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
