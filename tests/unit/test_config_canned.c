/*
 * test_config_canned: the `canned` section.  Answers load and render with
 * their variables; a missing name is NULL; the defaults have none; an
 * unknown variable, a non-string and a non-group are config errors that
 * name the file, the line and the setting.
 */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "config_canned.h"
#include "template.h"
#include "xmalloc.h"

static char	*write_conf(const char *text);

static char *
write_conf(const char *text)
{
	char	 tmpl[] = "/tmp/test_config_canned.XXXXXX";
	FILE	*f;
	int	 fd;

	ck_assert_int_ge(fd = mkstemp(tmpl), 0);
	ck_assert_ptr_nonnull(f = fdopen(fd, "w"));
	fputs(text, f);
	fclose(f);
	return xstrdup(tmpl);
}

START_TEST(test_load_and_render)
{
	static const char text[] =
	    "canned = {\n"
	    "  reset = \"Hello {{customer_name}},\\nplease restart it.\\n"
	    "{{agent_name}} for request {{id}} {{token}}\";\n"
	    "  plain = \"Done.\";\n"
	    "};\n";
	struct template_var	 vars[] = {
		{ "customer_name", "Jana" }, { "agent_name", "Anna" },
		{ "id", "42" }, { "token", "[#42]" },
	};
	const struct template	*t;
	struct config		*c;
	struct buf		*errors = buf_new();
	char			*path = write_conf(text), *out;

	c = config_load(path, errors);
	ck_assert_msg(c != NULL, "%s", errors->data ? errors->data : "");
	ck_assert_ptr_nonnull(t = config_canned_find(c, "reset"));
	out = template_render(t, vars, 4);
	ck_assert_str_eq(out, "Hello Jana,\nplease restart it.\n"
	    "Anna for request 42 [#42]");
	free(out);
	ck_assert_ptr_nonnull(t = config_canned_find(c, "plain"));
	out = template_render(t, NULL, 0);
	ck_assert_str_eq(out, "Done.");
	free(out);
	ck_assert_ptr_null(config_canned_find(c, "Reset"));
	ck_assert_ptr_null(config_canned_find(c, "nope"));
	ck_assert_ptr_null(config_canned_find(c, NULL));
	config_unref(c);
	unlink(path);
	free(path);
	buf_free(errors);
}
END_TEST

START_TEST(test_defaults)
{
	struct config	*c = config_load(NULL, NULL);

	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_null(config_canned_find(c, "reset"));
	config_unref(c);
}
END_TEST

struct error_case {
	const char	*text;
	const char	*want;	/* after "FILE:" */
};

static const struct error_case error_cases[] = {
	{ "canned = {\n  a = \"{{nosuch}}\";\n};\n",
	  "2: canned.a: " },
	{ "canned = {\n  a = \"ok\";\n  b = 5;\n};\n",
	  "3: canned.b: must be a string" },
	{ "canned = \"text\";\n", "1: canned: must be a group" },
};

START_TEST(test_errors)
{
	const struct error_case	*tc = &error_cases[_i];
	struct buf		*errors = buf_new();
	char			*path = write_conf(tc->text), *want;

	ck_assert_ptr_null(config_load(path, errors));
	xasprintf(&want, "%s:%s", path, tc->want);
	ck_assert_msg(errors->data != NULL &&
	    strncmp(errors->data, want, strlen(want)) == 0,
	    "want prefix [%s], got [%s]", want,
	    errors->data ? errors->data : "");
	free(want);
	unlink(path);
	free(path);
	buf_free(errors);
}
END_TEST

static Suite *
config_canned_suite(void)
{
	Suite	*s = suite_create("config_canned");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_load_and_render);
	tcase_add_test(tc, test_defaults);
	tcase_add_loop_test(tc, test_errors, 0,
	    sizeof(error_cases) / sizeof(error_cases[0]));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(config_canned_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
