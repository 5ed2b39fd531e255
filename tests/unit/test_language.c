/*
 * test_language (issue 19): Content-Language names one language or none;
 * libexttextcat names the language of long Polish, Russian and German
 * texts, and none for short or mixed ones (the default then answers);
 * dates are written with our own Polish and Russian names (genitive
 * months), whatever locales are installed; counts take the plural form
 * of their language (1 dzień / 2 dni / 5 dni, 1 день / 2 дня / 5 дней,
 * 21 день, 12 дней), and spans read in their largest unit; the line
 * that introduces suggested articles is in the language.
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

/*
 * The memo of settled keys: set, cleared, only by its own key, from a
 * NULL detector or key never; many keys (more than the slots) keep the
 * latest ones findable often enough to skip work, and never find a key
 * that was not settled.
 */
START_TEST(test_settled)
{
	struct langdetect *ld = langdetect_new(MODELS);
	char key[64];
	int i, found = 0;

	ck_assert(!langdetect_settled(ld, "anna@example.pl"));
	langdetect_settle(ld, "anna@example.pl", true);
	ck_assert(langdetect_settled(ld, "anna@example.pl"));
	ck_assert(!langdetect_settled(ld, "ivan@example.ru"));
	langdetect_settle(ld, "ivan@example.ru", false);	/* not there */
	ck_assert(langdetect_settled(ld, "anna@example.pl"));
	langdetect_settle(ld, "anna@example.pl", false);
	ck_assert(!langdetect_settled(ld, "anna@example.pl"));
	ck_assert(!langdetect_settled(NULL, "anna@example.pl"));
	ck_assert(!langdetect_settled(ld, NULL));
	langdetect_settle(NULL, "anna@example.pl", true);
	langdetect_settle(ld, NULL, true);
	for (i = 0; i < 2 * LANGDETECT_SETTLED_SLOTS; i++) {
		(void)snprintf(key, sizeof(key), "c%d@example.org", i);
		langdetect_settle(ld, key, true);
	}
	for (i = 0; i < 2 * LANGDETECT_SETTLED_SLOTS; i++) {
		(void)snprintf(key, sizeof(key), "c%d@example.org", i);
		found += langdetect_settled(ld, key);
		(void)snprintf(key, sizeof(key), "n%d@example.org", i);
		ck_assert(!langdetect_settled(ld, key));
	}
	ck_assert_int_ge(found, LANGDETECT_SETTLED_SLOTS / 2);
	ck_assert_int_le(found, LANGDETECT_SETTLED_SLOTS);
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

START_TEST(test_plurals)
{
	static const struct {
		const char		*lang;
		long			 n;
		enum language_unit	 unit;
		const char		*want;
	} cases[] = {
		{ "en", 1, LANGUAGE_DAYS, "1 day" },
		{ "en", 2, LANGUAGE_DAYS, "2 days" },
		{ "en", 0, LANGUAGE_HOURS, "0 hours" },
		{ "en", 21, LANGUAGE_MINUTES, "21 minutes" },
		{ "pl", 1, LANGUAGE_DAYS, "1 dzień" },
		{ "pl", 2, LANGUAGE_DAYS, "2 dni" },
		{ "pl", 5, LANGUAGE_DAYS, "5 dni" },
		{ "pl", 1, LANGUAGE_HOURS, "1 godzina" },
		{ "pl", 3, LANGUAGE_HOURS, "3 godziny" },
		{ "pl", 5, LANGUAGE_HOURS, "5 godzin" },
		{ "pl", 12, LANGUAGE_HOURS, "12 godzin" },
		{ "pl", 14, LANGUAGE_HOURS, "14 godzin" },
		{ "pl", 21, LANGUAGE_HOURS, "21 godzin" },
		{ "pl", 22, LANGUAGE_HOURS, "22 godziny" },
		{ "pl", 102, LANGUAGE_MINUTES, "102 minuty" },
		{ "pl", 112, LANGUAGE_MINUTES, "112 minut" },
		{ "ru", 1, LANGUAGE_DAYS, "1 день" },
		{ "ru", 2, LANGUAGE_DAYS, "2 дня" },
		{ "ru", 5, LANGUAGE_DAYS, "5 дней" },
		{ "ru", 11, LANGUAGE_DAYS, "11 дней" },
		{ "ru", 12, LANGUAGE_DAYS, "12 дней" },
		{ "ru", 21, LANGUAGE_DAYS, "21 день" },
		{ "ru", 23, LANGUAGE_DAYS, "23 дня" },
		{ "ru", 111, LANGUAGE_DAYS, "111 дней" },
		{ "ru", 0, LANGUAGE_HOURS, "0 часов" },
		{ "ru", 1, LANGUAGE_HOURS, "1 час" },
		{ "ru", 4, LANGUAGE_HOURS, "4 часа" },
		{ "ru", 31, LANGUAGE_MINUTES, "31 минута" },
		{ "ru", 44, LANGUAGE_MINUTES, "44 минуты" },
		/* no rules of its own: English */
		{ "de", 2, LANGUAGE_DAYS, "2 days" },
		{ NULL, 1, LANGUAGE_DAYS, "1 day" },
	};
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		language_format_count(cases[i].lang, cases[i].n,
		    cases[i].unit, buf, sizeof(buf));
		ck_assert_str_eq(buf, cases[i].want);
	}
}
END_TEST

START_TEST(test_spans)
{
	static const struct {
		const char	*lang;
		time_t		 secs;
		const char	*want;
	} cases[] = {
		{ "en", 0, "1 minute" },
		{ "en", 89, "1 minute" },
		{ "en", 90, "2 minutes" },
		{ "en", 3569, "59 minutes" },
		{ "en", 3570, "1 hour" },		/* not "60 minutes" */
		{ "pl", 3 * 3600, "3 godziny" },
		{ "pl", 86400 + 11 * 3600, "1 dzień" },
		{ "pl", 86400 + 12 * 3600, "2 dni" },
		{ "pl", 5 * 86400, "5 dni" },
		{ "ru", 23 * 3600 + 1799, "23 часа" },
		{ "ru", 23 * 3600 + 1800, "1 день" },	/* not "24 часа" */
		{ "ru", 2 * 86400, "2 дня" },
		{ "ru", 5 * 86400, "5 дней" },
		{ "ru", -5, "1 минута" },
	};
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		language_format_span(cases[i].lang, cases[i].secs, buf,
		    sizeof(buf));
		ck_assert_str_eq(buf, cases[i].want);
	}
}
END_TEST

START_TEST(test_intros)
{
	ck_assert_str_eq(language_suggestions_intro("pl", 1),
	    "Być może odpowiedź na Pani/Pana pytanie jest już w tym "
	    "artykule:");
	ck_assert_str_eq(language_suggestions_intro("pl", 2),
	    "Być może odpowiedź na Pani/Pana pytanie jest już w tych "
	    "artykułach:");
	ck_assert_str_eq(language_suggestions_intro("ru", 1),
	    "Возможно, ответ на ваш вопрос уже есть в этой статье:");
	ck_assert_str_eq(language_suggestions_intro("ru", 3),
	    "Возможно, ответ на ваш вопрос уже есть в этих статьях:");
	ck_assert_str_eq(language_suggestions_intro("en", 1),
	    "This article may already answer your question:");
	ck_assert_str_eq(language_suggestions_intro("de", 2),
	    "These articles may already answer your question:");
	ck_assert_str_eq(language_suggestions_intro(NULL, 2),
	    "These articles may already answer your question:");
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
	tcase_add_test(tc, test_settled);
	tcase_add_test(tc, test_dates);
	tcase_add_test(tc, test_plurals);
	tcase_add_test(tc, test_spans);
	tcase_add_test(tc, test_intros);
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
