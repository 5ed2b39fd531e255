/*
 * test_language (issue 19): Content-Language names one language or none;
 * libexttextcat names the language of long Polish, Russian and German
 * texts, and none for short or mixed ones (the default then answers);
 * dates are written with our own Polish and Russian names (genitive
 * months), whatever locales are installed.
 */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "langdetect.h"
#include "language.h"

#define MODELS	"/usr/share/libexttextcat"

START_TEST(test_header)
{
	static const struct { const char *in, *want; } cases[] = {
		{ "pl", "pl" }, { "pl-PL", "pl" }, { " RU ", "ru" },
		{ "en-GB", "en" }, { "fil", "fil" }, { "de-DE (Deutsch)", "de" },
		{ "en, pl", "" }, { "mul", "" }, { "und", "" }, { "zxx", "" },
		{ "", "" }, { "x", "" }, { "english", "" }, { "p1", "" },
	};
	char out[LANGDETECT_CODE_MAX];
	size_t i;

	ck_assert(!langdetect_header(NULL, out));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool ok = langdetect_header(cases[i].in, out);

		ck_assert_int_eq(ok, *cases[i].want != '\0');
		ck_assert_str_eq(ok ? out : "", cases[i].want);
	}
}
END_TEST

START_TEST(test_detect)
{
	static const struct { const char *text, *want; } cases[] = {
		{ "Dzień dobry, przesyłam pytanie dotyczące faktury za "
		  "listopad. Kwota na fakturze nie zgadza się z umową, którą "
		  "podpisaliśmy w zeszłym miesiącu. Proszę o korektę.", "pl" },
		{ "Здравствуйте! У нас в бухгалтерии с утра не работает "
		  "принтер: он не печатает ни одной страницы. Пожалуйста, "
		  "помогите нам как можно скорее.", "ru" },
		{ "Guten Tag, unser Drucker funktioniert seit heute morgen "
		  "nicht mehr. Bitte helfen Sie uns so schnell wie möglich, "
		  "wir müssen Rechnungen drucken.", "de" },
		/* too short: whatever the script */
		{ "Спасибо!", "" },
		{ "Dzięki, działa.", "" },
		/* three languages, none of them wins */
		{ "Hello, the printer does not work.\nПринтер не работает.\n"
		  "Drukarka nie działa.\n", "" },
	};
	struct langdetect *ld = langdetect_new(MODELS);
	char out[LANGDETECT_CODE_MAX];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool ok = langdetect_text(ld, cases[i].text,
		    strlen(cases[i].text), out);

		ck_assert_str_eq(ok ? out : "", cases[i].want);
	}
	langdetect_free(ld);
	/* no models: never a language */
	ld = langdetect_new(NULL);
	ck_assert(!langdetect_text(ld, cases[0].text, strlen(cases[0].text),
	    out));
	langdetect_free(ld);
}
END_TEST

START_TEST(test_dates)
{
	/* Monday 7 December 2026 09:05 UTC */
	time_t t = 1796634300;
	char buf[128];

	language_format_time("pl", NULL, t, buf, sizeof(buf));
	ck_assert_str_eq(buf, "poniedziałek, 7 grudnia 2026, 09:05 UTC");
	language_format_time("ru", NULL, t, buf, sizeof(buf));
	ck_assert_str_eq(buf, "понедельник, 7 декабря 2026, 09:05 UTC");
	language_format_time("en", NULL, t, buf, sizeof(buf));
	ck_assert_str_eq(buf, "Monday 07 Dec 2026 09:05 UTC");
	language_format_time(NULL, NULL, t, buf, sizeof(buf));
	ck_assert_str_eq(buf, "Monday 07 Dec 2026 09:05 UTC");
}
END_TEST

static Suite *
language_suite(void)
{
	Suite *s = suite_create("language");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_header);
	tcase_add_test(tc, test_detect);
	tcase_add_test(tc, test_dates);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(language_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
