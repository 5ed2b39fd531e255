/*
 * test_reply_cut: replies shaped like those of Thunderbird, Outlook
 * (desktop and web), Gmail (with a wrapped attribution), Apple Mail and
 * Russian and Polish clients are cut to what the agent wrote; prose that
 * merely contains "wrote:" or "From:" is not; inline and bottom posting;
 * signatures only on request; every prefix of a reply handled safely.
 */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reply_cut.h"

#define MARKER	"##- Please type your reply above this line -##"
#define SIG	REPLY_CUT_SIGNATURE

struct cut_case {
	const char		*name;
	const char		*text;
	int			 flags;
	const char		*want;
	enum reply_cut_reason	 why;
};

static const struct cut_case cut_cases[] = {
	{ "thunderbird",
	  "Fixed it, please try again.\n"
	  "\n"
	  "Alice\n"
	  "\n"
	  "On 01.01.2026 10:00, ACME Support wrote:\n"
	  "> " MARKER "\n"
	  ">\n"
	  "> New message from Bob Customer <bob@example.com> on [#42]:\n"
	  "> My printer is on fire.\n",
	  0, "Fixed it, please try again.\n\nAlice", REPLY_CUT_ATTRIBUTION },
	{ "thunderbird crlf",
	  "Fixed.\r\n\r\nOn 1/1/26 10:00 AM, ACME Support wrote:\r\n"
	  "> quoted\r\n",
	  0, "Fixed.", REPLY_CUT_ATTRIBUTION },
	{ "thunderbird de",
	  "Erledigt.\n\nAm 01.01.26 um 10:00 schrieb ACME Support:\n"
	  "> Text\n",
	  0, "Erledigt.", REPLY_CUT_ATTRIBUTION },
	{ "thunderbird ru",
	  "Готово, проверьте.\n\n01.01.2026 10:00, Служба поддержки пишет:\n"
	  "> " MARKER "\n> Принтер горит.\n",
	  0, "Готово, проверьте.", REPLY_CUT_ATTRIBUTION },
	{ "thunderbird pl",
	  "Zrobione.\n\nW dniu 1.01.2026 o 10:00, Wsparcie ACME pisze:\n"
	  "> Drukarka się pali.\n",
	  0, "Zrobione.", REPLY_CUT_ATTRIBUTION },
	{ "gmail",
	  "Done, the refund is on its way.\n\n"
	  "On Mon, 1 Jan 2026 at 10:00, ACME Support <support@example.test> "
	  "wrote:\n\n"
	  "> " MARKER "\n> New message\n",
	  0, "Done, the refund is on its way.", REPLY_CUT_ATTRIBUTION },
	{ "gmail wrapped at the address",
	  "Done.\n\n"
	  "On Mon, 1 Jan 2026 at 10:00, ACME Customer Support Team <\n"
	  "support+r42.aalice.mhy3kfq2xw6n4d7e@example.test> wrote:\n\n"
	  "> " MARKER "\n",
	  0, "Done.", REPLY_CUT_ATTRIBUTION },
	{ "gmail wrapped before wrote",
	  "Done.\n\n"
	  "On Mon, Jan 1, 2026 at 10:00 AM ACME Customer Support Team of "
	  "Example\n"
	  "Corporation <support+r42.aalice.mhy3kfq2xw6n4d7e@example.test>\n"
	  "wrote:\n\n"
	  "> quoted\n",
	  0, "Done.", REPLY_CUT_ATTRIBUTION },
	{ "gmail html as text (no > quoting)",
	  "Done.\n\nOn Mon, 1 Jan 2026 at 10:00, ACME Support "
	  "<support@example.test> wrote:\n\n"
	  MARKER "\n\nNew message from Bob\nMy printer is on fire.\n",
	  0, "Done.", REPLY_CUT_ATTRIBUTION },
	{ "gmail ru",
	  "Спасибо, сделано.\n\n"
	  "пн, 1 янв. 2026 г. в 10:00, Служба поддержки "
	  "<support@example.test>:\n\n> текст\n",
	  0, "Спасибо, сделано.", REPLY_CUT_ATTRIBUTION },
	{ "gmail pl",
	  "Dziękuję.\n\npon., 1 sty 2026 o 10:00 Wsparcie ACME "
	  "<support@example.test> napisał(a):\n\n> tekst\n",
	  0, "Dziękuję.", REPLY_CUT_ATTRIBUTION },
	{ "yandex",
	  "Хорошо.\n\n01.01.2026, 10:00, \"Служба поддержки\" "
	  "<support@example.test>:\n> текст\n",
	  0, "Хорошо.", REPLY_CUT_ATTRIBUTION },
	{ "mail.ru",
	  "Ок\n\nПонедельник, 1 января 2026, 10:00 +03:00 от Служба "
	  "поддержки <support@example.test>:\n\n> текст\n",
	  0, "Ок", REPLY_CUT_ATTRIBUTION },
	{ "old russian client",
	  "Принято.\n\n01.01.2026 10:00, Служба поддержки писал(а):\n"
	  "> текст\n",
	  0, "Принято.", REPLY_CUT_ATTRIBUTION },
	{ "outlook original message",
	  "Thanks, closing this.\n\nBob\n\n"
	  "-----Original Message-----\n"
	  "From: ACME Support <support@example.test>\n"
	  "Sent: Monday, January 1, 2026 10:00 AM\n"
	  "To: Bob <bob@example.com>\n"
	  "Subject: [#42] Printer on fire\n\n"
	  MARKER "\n",
	  0, "Thanks, closing this.\n\nBob", REPLY_CUT_SEPARATOR },
	{ "outlook express original message",
	  "OK\n\n----- Original Message -----\nFrom: ACME Support\n",
	  0, "OK", REPLY_CUT_SEPARATOR },
	{ "outlook header block",
	  "Thanks, closing this.\r\n\r\n"
	  "From: ACME Support <support@example.test> \r\n"
	  "Sent: Monday, January 1, 2026 10:00\r\n"
	  "To: Bob <bob@example.com>\r\n"
	  "Cc: Carol <carol@example.com>\r\n"
	  "Subject: RE: [#42] Printer on fire\r\n\r\n"
	  "Hello Bob,\r\n",
	  0, "Thanks, closing this.", REPLY_CUT_HEADERS },
	{ "outlook bold labels from html",
	  "Sure.\n\n*From:* ACME Support <support@example.test>\n"
	  "*Sent:* Monday, January 1, 2026 10:00\n*To:* Bob\n"
	  "*Subject:* [#42] x\n",
	  0, "Sure.", REPLY_CUT_HEADERS },
	{ "outlook flattened to one line",
	  "Sure.\n\nFrom: ACME Support <support@example.test> Sent: Monday, "
	  "January 1, 2026 10:00 To: Bob Subject: [#42] x\nHello\n",
	  0, "Sure.", REPLY_CUT_HEADERS },
	{ "outlook ru",
	  "Сделано.\n\nОт: Служба поддержки <support@example.test>\n"
	  "Отправлено: 1 января 2026 г. 10:00\nКому: Иван\n"
	  "Тема: [#42] Принтер\n\nТекст\n",
	  0, "Сделано.", REPLY_CUT_HEADERS },
	{ "outlook pl",
	  "Gotowe.\n\nOd: Wsparcie ACME <support@example.test>\n"
	  "Wysłano: poniedziałek, 1 stycznia 2026 10:00\nDo: Jan\n"
	  "Temat: [#42] Drukarka\n",
	  0, "Gotowe.", REPLY_CUT_HEADERS },
	{ "outlook de",
	  "Danke.\n\nVon: ACME Support <support@example.test>\n"
	  "Gesendet: Montag, 1. Januar 2026 10:00\nAn: Jan\n"
	  "Betreff: [#42] Drucker\n",
	  0, "Danke.", REPLY_CUT_HEADERS },
	{ "outlook web",
	  "Will do.\n\n"
	  "________________________________\n"
	  "From: ACME Support <support@example.test>\n"
	  "Sent: Monday, January 1, 2026 10:00\n"
	  "To: Bob\n"
	  "Subject: [#42] Printer\n\n" MARKER "\n",
	  0, "Will do.", REPLY_CUT_SEPARATOR },
	{ "apple mail",
	  "Sure, on it.\n\n"
	  "> On 1 Jan 2026, at 10:00, ACME Support <support@example.test> "
	  "wrote:\n"
	  "> \n> " MARKER "\n> New message\n",
	  0, "Sure, on it.", REPLY_CUT_MARKER },
	{ "apple mail unquoted attribution",
	  "Sure.\n\nOn 1 Jan 2026, at 10:00, ACME Support "
	  "<support@example.test> wrote:\n\n> quoted\n",
	  0, "Sure.", REPLY_CUT_ATTRIBUTION },
	{ "iphone footer kept by default",
	  "Sure.\n\nSent from my iPhone\n\n"
	  "> On 1 Jan 2026, at 10:00, ACME Support <support@example.test> "
	  "wrote:\n> quoted\n",
	  0, "Sure.\n\nSent from my iPhone", REPLY_CUT_QUOTE },
	{ "iphone footer with SIG",
	  "Sure.\n\nSent from my iPhone\n\n"
	  "> On 1 Jan 2026, at 10:00, ACME Support <support@example.test> "
	  "wrote:\n> quoted\n",
	  SIG, "Sure.", REPLY_CUT_QUOTE },
	{ "iphone ru footer with SIG",
	  "Да.\n\nОтправлено с iPhone\n\n"
	  "1 янв. 2026 г., в 10:00, Служба поддержки "
	  "<support@example.test> написал(а):\n\n> текст\n",
	  SIG, "Да.", REPLY_CUT_ATTRIBUTION },
	{ "apple mail pl",
	  "Dzięki.\n\nWiadomość napisana przez Wsparcie ACME "
	  "<support@example.test> w dniu 01.01.2026, o godz. 10:00:\n\n"
	  "> tekst\n",
	  0, "Dzięki.", REPLY_CUT_ATTRIBUTION },
	{ "russian separator",
	  "Ок.\n\n-------- Исходное сообщение --------\n"
	  "От: Служба поддержки <support@example.test>\nДата: 01.01.2026\n",
	  0, "Ок.", REPLY_CUT_SEPARATOR },
	{ "polish separator",
	  "Ok.\n\n-------- Oryginalna wiadomość --------\nOd: Wsparcie\n",
	  0, "Ok.", REPLY_CUT_SEPARATOR },
	{ "german separator",
	  "Ok.\n\n-----Ursprüngliche Nachricht-----\nVon: Support\n",
	  0, "Ok.", REPLY_CUT_SEPARATOR },
	{ "marker only",
	  "Answer here.\n\n" MARKER "\n\nNew message from Bob\n",
	  0, "Answer here.", REPLY_CUT_MARKER },
	{ "marker with nbsp and other case",
	  "Answer.\n\n##-\xc2\xa0please TYPE your  reply above this "
	  "line\xc2\xa0-##\nNew message\n",
	  0, "Answer.", REPLY_CUT_MARKER },
	{ "unknown language attribution above the marker",
	  "Fatto.\n\nIl giorno lun 1 gen 2026 alle ore 10:00 ACME Support "
	  "<support@example.test> ha scritto:\n\n" MARKER "\n",
	  0, "Fatto.", REPLY_CUT_MARKER },
	{ "unknown language attribution above quotes",
	  "Fatto.\n\nIl giorno lun 1 gen 2026 alle ore 10:00 ACME Support "
	  "<support@example.test> ha scritto:\n> testo\n",
	  0, "Fatto.", REPLY_CUT_QUOTE },
	{ "french",
	  "Merci.\n\nLe lun. 1 janv. 2026 à 10:00, ACME Support "
	  "<support@example.test> a écrit :\n\n> texte\n",
	  0, "Merci.", REPLY_CUT_ATTRIBUTION },
	/* Prose that must not be cut. */
	{ "wrote: mid-paragraph",
	  "As the engineer wrote: the fuse is blown.\n"
	  "I read what he wrote:\n"
	  "nothing useful, so on 2 January I will replace it.\n",
	  0, "As the engineer wrote: the fuse is blown.\n"
	  "I read what he wrote:\n"
	  "nothing useful, so on 2 January I will replace it.",
	  REPLY_CUT_NONE },
	{ "On ... wrote: without a date",
	  "On Monday, my colleague wrote:\nthe printer is fixed.\n",
	  0, "On Monday, my colleague wrote:\nthe printer is fixed.",
	  REPLY_CUT_NONE },
	{ "On 3 ... wrote: without a date",
	  "On 3 occasions the printer wrote:\nerror 5\n",
	  0, "On 3 occasions the printer wrote:\nerror 5", REPLY_CUT_NONE },
	{ "dateless thunderbird attribution above the quoted marker",
	  "Fixed.\n\nACME Support wrote:\n> " MARKER "\n> New message\n",
	  0, "Fixed.", REPLY_CUT_MARKER },
	{ "sentence then wrote on the next line",
	  "On 3 May we replaced the fuse.\nThen bob@example.com wrote:\n"
	  "it works.\n",
	  0, "On 3 May we replaced the fuse.\nThen bob@example.com wrote:\n"
	  "it works.", REPLY_CUT_NONE },
	{ "From: in prose",
	  "From: the manual, page 5.\nDate: unknown.\nThanks\n",
	  0, "From: the manual, page 5.\nDate: unknown.\nThanks",
	  REPLY_CUT_NONE },
	{ "dashes in prose",
	  "Steps:\n-----\n1. Unplug it.\n-- not a signature line\n",
	  0, "Steps:\n-----\n1. Unplug it.\n-- not a signature line",
	  REPLY_CUT_NONE },
	/* Inline, bottom posting, only quotes. */
	{ "inline answers keep their quotes",
	  "> Is it fixed?\nYes.\n> When?\nToday.\n",
	  0, "> Is it fixed?\nYes.\n> When?\nToday.", REPLY_CUT_NONE },
	{ "inline answers, trailing quote dropped",
	  "> Is it fixed?\nYes.\n\n> Thanks\n> Bob\n",
	  0, "> Is it fixed?\nYes.", REPLY_CUT_QUOTE },
	{ "bottom posting",
	  "On Mon, 1 Jan 2026 at 10:00, ACME Support <support@example.test> "
	  "wrote:\n> " MARKER "\n> New message\n\nMy answer below.\n\n"
	  "Alice\n",
	  0, "My answer below.\n\nAlice", REPLY_CUT_ATTRIBUTION },
	{ "bottom posting without attribution",
	  "> " MARKER "\n> New message\n\nMy answer.\n",
	  0, "My answer.", REPLY_CUT_MARKER },
	{ "only quotes", "> a\n>\n> b\n", 0, "", REPLY_CUT_QUOTE },
	{ "nothing above an outlook block",
	  "\n-----Original Message-----\nFrom: ACME Support\n"
	  "Sent: Monday\nTo: Bob\nSubject: x\n\nNotification text\n",
	  0, "", REPLY_CUT_SEPARATOR },
	{ "nothing above our marker",
	  MARKER "\nNotification text\n", 0, "", REPLY_CUT_MARKER },
	/* Signatures. */
	{ "signature kept by default",
	  "Fixed.\n\n-- \nAlice Smith\nACME Support\n",
	  0, "Fixed.\n\n-- \nAlice Smith\nACME Support", REPLY_CUT_NONE },
	{ "signature dropped with SIG",
	  "Fixed.\n\n-- \nAlice Smith\nACME Support\n",
	  SIG, "Fixed.", REPLY_CUT_NONE },
	{ "signature without space with SIG",
	  "Fixed.\r\n--\r\nAlice\r\n", SIG, "Fixed.", REPLY_CUT_NONE },
	{ "commands then signature with SIG",
	  "#take\n#status pending\n\n-- \nAlice\n\nOn 1/1/26 10:00, Support "
	  "wrote:\n> x\n",
	  SIG, "#take\n#status pending", REPLY_CUT_ATTRIBUTION },
	{ "only a signature is kept",
	  "-- \nAlice Smith\n", SIG, "-- \nAlice Smith", REPLY_CUT_NONE },
	{ "long signature block is not a signature",
	  "Hi\n-- \n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n",
	  SIG, "Hi\n-- \n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16",
	  REPLY_CUT_NONE },
	/* Trimming. */
	{ "blank edges", "\n \n\xc2\xa0\nHello\n\n  \n", 0, "Hello",
	  REPLY_CUT_NONE },
	{ "empty", "", 0, "", REPLY_CUT_NONE },
	{ "no final newline", "Hello", 0, "Hello", REPLY_CUT_NONE },
};

START_TEST(test_cut_table)
{
	const struct cut_case	*c = &cut_cases[_i];
	enum reply_cut_reason	 why = (enum reply_cut_reason)-1;
	char			*out;

	out = reply_cut(c->text, MARKER, c->flags, &why);
	ck_assert_msg(strcmp(out, c->want) == 0, "%s: got \"%s\"", c->name,
	    out);
	ck_assert_msg(why == c->why, "%s: cut by %s, not %s", c->name,
	    reply_cut_reason_name(why), reply_cut_reason_name(c->why));
	free(out);
}
END_TEST

START_TEST(test_no_marker)
{
	char	*out;

	/* Without a marker, the marker line is plain text. */
	out = reply_cut("Answer\n" MARKER "\nmore\n", NULL, 0, NULL);
	ck_assert_str_eq(out, "Answer\n" MARKER "\nmore");
	free(out);
	out = reply_cut("Answer\n" MARKER "\n", "   ", 0, NULL);
	ck_assert_str_eq(out, "Answer\n" MARKER);
	free(out);
	out = reply_cut("Answer\n" MARKER "\nx\n", "  " MARKER "  ", 0, NULL);
	ck_assert_str_eq(out, "Answer");
	free(out);
	out = reply_cut(NULL, MARKER, SIG, NULL);
	ck_assert_str_eq(out, "");
	free(out);
	ck_assert_str_eq(reply_cut_reason_name(REPLY_CUT_HEADERS), "headers");
	ck_assert_str_eq(reply_cut_reason_name((enum reply_cut_reason)77),
	    "unknown");
}
END_TEST

/* Every prefix of a rich reply is handled without reading past it. */
START_TEST(test_truncated_inputs)
{
	static const char	 text[] =
	    "Готово.\r\n\r\n-- \r\nAlice\r\n\r\nOn Mon, 1 Jan 2026 at 10:00, "
	    "ACME <\r\nsupport@example.test> wrote:\r\n> " MARKER "\r\n"
	    "________________________________\r\nFrom: x\r\nSent: y\r\n"
	    "To: z\r\n\xc2\xa0";
	char			*cut, *out;
	size_t			 len;

	for (len = 0; len <= sizeof(text) - 1; len++) {
		cut = strndup(text, len);
		out = reply_cut(cut, MARKER, len % 2 ? SIG : 0, NULL);
		ck_assert_int_le(strlen(out), len);
		free(out);
		free(cut);
	}
}
END_TEST

static Suite *
reply_cut_suite(void)
{
	Suite	*s = suite_create("reply_cut");
	TCase	*tc = tcase_create("core");

	tcase_add_loop_test(tc, test_cut_table, 0,
	    sizeof(cut_cases) / sizeof(cut_cases[0]));
	tcase_add_test(tc, test_no_marker);
	tcase_add_test(tc, test_truncated_inputs);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(reply_cut_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
