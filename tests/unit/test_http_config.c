/*
 * test_http_config: the `http` and `metrics` sections (config_http.h)
 * and the metrics counters' text (metrics.h).  A full section loads
 * with its sources and forms, defaults fill what is left out, a token
 * is found only whole; each bad setting is an error naming file, line
 * and setting; the counters print in the Prometheus text format with
 * unknown label values folded into fixed ones.
 */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "config_http.h"
#include "metrics.h"
#include "xmalloc.h"

static char	*write_conf(const char *text);

static char *
write_conf(const char *text)
{
	char	 tmpl[] = "/tmp/test_http_config.XXXXXX";
	FILE	*f;
	int	 fd;

	ck_assert_int_ge(fd = mkstemp(tmpl), 0);
	ck_assert_ptr_nonnull(f = fdopen(fd, "w"));
	fputs(text, f);
	fclose(f);
	return xstrdup(tmpl);
}

START_TEST(test_load)
{
	static const char text[] =
	    "http = { address = \"::1\"; port = 8025; timeout = 5;\n"
	    "  session_lifetime = 3600; login_failures = 3;\n"
	    "  login_window = 60; login_lock = 120;\n"
	    "  sources = ( { name = \"shop\"; token = \"0123456789abcdefXY\";\n"
	    "    origins = [ \"https://a.example\" ]; rate_limit = 7; } );\n"
	    "  forms = ( { name = \"contact\"; from = \"email\";\n"
	    "    text = \"message\"; honeypot = \"website\"; } );\n"
	    "};\n"
	    "metrics = { address = \"127.0.0.1\"; port = 9125; };\n";
	const struct config_http_listen *h, *m;
	const struct config_http_source *src;
	const struct config_http_form *f;
	struct buf *errors = buf_new();
	char *path = write_conf(text);
	struct config *c;

	c = config_load(path, errors);
	ck_assert_msg(c != NULL, "%s", errors->data ? errors->data : "");
	ck_assert_ptr_nonnull(h = config_http(c));
	ck_assert_str_eq(h->address, "::1");
	ck_assert_int_eq(h->port, 8025);
	ck_assert_int_eq(h->timeout, 5);
	ck_assert_int_eq((int)h->max_header_size, 8192);
	ck_assert_int_eq(h->max_connections, 64);
	ck_assert_ptr_null(h->tls_certificate);
	ck_assert_int_eq(h->session_lifetime, 3600);
	ck_assert_int_eq(h->login_failures, 3);
	ck_assert_int_eq(h->login_window, 60);
	ck_assert_int_eq(h->login_lock, 120);
	ck_assert_ptr_nonnull(m = config_http_metrics(c));
	ck_assert_int_eq(m->port, 9125);
	/* the dashboard's defaults where the file says nothing */
	ck_assert_int_eq(m->session_lifetime, CONFIG_HTTP_SESSION_DEFAULT);
	ck_assert_int_eq(m->login_failures, CONFIG_HTTP_FAILURES_DEFAULT);
	ck_assert_ptr_nonnull(src = config_http_source_by_token(c,
	    "0123456789abcdefXY"));
	ck_assert_str_eq(src->name, "shop");
	ck_assert_int_eq(src->rate_limit, 7);
	ck_assert_int_eq((int)src->norigins, 1);
	ck_assert_ptr_null(config_http_source_by_token(c,
	    "0123456789abcdefX"));
	ck_assert_ptr_null(config_http_source_by_token(c, ""));
	ck_assert_ptr_nonnull(f = config_http_form(c, "contact"));
	ck_assert_str_eq(f->honeypot, "website");
	ck_assert_int_eq((int)f->max_size, 65536);
	ck_assert_ptr_null(config_http_form(c, "other"));
	config_unref(c);
	unlink(path);
	free(path);
	buf_free(errors);
}
END_TEST

START_TEST(test_none)
{
	struct config *c = config_load(NULL, NULL);

	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_null(config_http(c));
	ck_assert_ptr_null(config_http_metrics(c));
	ck_assert_ptr_null(config_http_source_by_token(c, "anything-at-all-x"));
	config_unref(c);
}
END_TEST

static const struct {
	const char	*text;
	const char	*error;
} error_cases[] = {
	{ "http = { port = 1; };\n", ":1: http: missing address" },
	{ "http = { address = \"localhost\"; port = 1; };\n",
	    ":1: http.address: must be a literal" },
	{ "http = { address = \"127.0.0.1\"; port = 70000; };\n",
	    ":1: http.port: must be between 0 and 65535" },
	{ "http = { address = \"127.0.0.1\"; port = 1;\n"
	    "  max_header_size = 10; };\n",
	    ":2: http.max_header_size: must be between" },
	{ "http = { address = \"127.0.0.1\"; port = 1;\n"
	    "  login_failures = 0; };\n",
	    ":2: http.login_failures: must be between" },
	{ "http = { address = \"127.0.0.1\"; port = 1; bogus = 1; };\n",
	    ":1: http.bogus: unknown setting" },
	{ "http = { address = \"127.0.0.1\"; port = 1;\n"
	    "  tls = { certificate = \"a.pem\"; key = \"\"; }; };\n",
	    ":2: http.tls: set both certificate and key" },
	{ "http = { address = \"127.0.0.1\"; port = 1;\n"
	    "  sources = ( { name = \"a\"; token = \"short\"; } ); };\n",
	    ":2: http.sources[0]: the token must be at least 16" },
	{ "http = { address = \"127.0.0.1\"; port = 1;\n"
	    "  sources = ( { name = \"a\"; } ); };\n",
	    ":2: http.sources[0]: set token or token_file" },
	{ "http = { address = \"127.0.0.1\"; port = 1;\n"
	    "  forms = ( { name = \"f\"; from = \"e\"; } ); };\n",
	    ":2: http.forms[0]: missing text" },
	{ "metrics = { address = \"127.0.0.1\"; port = 1; timeout = 3; };\n",
	    ":1: metrics.timeout: unknown setting" },
};

START_TEST(test_errors)
{
	struct buf *errors = buf_new();
	char *path = write_conf(error_cases[_i].text);
	struct config *c;

	c = config_load(path, errors);
	ck_assert_ptr_null(c);
	ck_assert_msg(errors->data != NULL &&
	    strstr(errors->data, error_cases[_i].error) != NULL,
	    "case %d: wanted \"%s\" in \"%s\"", _i, error_cases[_i].error,
	    errors->data != NULL ? errors->data : "");
	unlink(path);
	free(path);
	buf_free(errors);
}
END_TEST

START_TEST(test_metrics_text)
{
	struct metrics *m = metrics_new();
	struct buf *out = buf_new();

	ck_assert_int_eq(metrics_intake_of("lmtp"), METRICS_IN_LMTP);
	ck_assert_int_eq(metrics_intake_of("imap:support"), METRICS_IN_IMAP);
	ck_assert_int_eq(metrics_intake_of("http:webshop"), METRICS_IN_HTTP);
	ck_assert_int_eq(metrics_intake_of("lmtpx"), METRICS_IN_OTHER);
	ck_assert_int_eq(metrics_intake_of(NULL), METRICS_IN_OTHER);
	metrics_count_intake(m, METRICS_IN_SMTP, METRICS_RES_NEW, "");
	metrics_count_intake(m, METRICS_IN_SMTP, METRICS_RES_NEW, "automatic");
	metrics_count_intake(m, METRICS_IN_SMTP, METRICS_RES_JOINED, NULL);
	metrics_count_intake(m, METRICS_IN_HTTP, METRICS_RES_NEW,
	    "something new");
	metrics_count_intake(NULL, METRICS_IN_HTTP, METRICS_RES_NEW, "");
	metrics_count_http(m, 201);
	metrics_count_http(m, 418);
	metrics_print(m, out);
	ck_assert_ptr_nonnull(strstr(out->data, "triaged_intake_messages_total"
	    "{intake=\"smtp\",result=\"new\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(out->data, "triaged_intake_messages_total"
	    "{intake=\"smtp\",result=\"joined\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(out->data, "triaged_acks_sent_total 1\n"));
	ck_assert_ptr_nonnull(strstr(out->data, "triaged_acks_skipped_total"
	    "{reason=\"automatic\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(out->data, "triaged_acks_skipped_total"
	    "{reason=\"other\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(out->data, "triaged_http_requests_total"
	    "{code=\"201\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(out->data, "triaged_http_requests_total"
	    "{code=\"4xx\"} 1\n"));
	ck_assert_ptr_null(strstr(out->data, "something new"));
	buf_free(out);
	metrics_free(m);
}
END_TEST

static Suite *
http_config_suite(void)
{
	Suite	*s = suite_create("http_config");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_load);
	tcase_add_test(tc, test_none);
	tcase_add_loop_test(tc, test_errors, 0,
	    sizeof(error_cases) / sizeof(error_cases[0]));
	tcase_add_test(tc, test_metrics_text);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(http_config_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
