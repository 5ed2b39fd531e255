/*
 * test_subject_token: recognition of the request number through reply
 * prefixes, languages, spacing, case and bracket mangling; the false
 * positives it must refuse; prefix stripping; the subject we send.
 */

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "subject_token.h"

struct find_case {
	const char	*format;	/* NULL: the default "[#{n}]" */
	const char	*subject;
	uint64_t	 want;		/* 0: no token */
};

static const struct find_case find_cases[] = {
	/* Plain, and after every reply/forward chain we know. */
	{ NULL, "[#42] Printer on fire", 42 },
	{ NULL, "Re: [#42] Printer on fire", 42 },
	{ NULL, "RE: Re: re: [#42] x", 42 },
	{ NULL, "Ответ: [#42] Принтер горит", 42 },
	{ NULL, "Отв: Ответ: [#42] Принтер", 42 },
	{ NULL, "Odp: AW: WG: Fwd: FW: Tr: Sv: Vs: Antw: RIF: R: [#42] x", 42 },
	{ NULL, "Re[2]: Re(3): [#42] x", 42 },
	{ NULL, "回复：[#42] 打印机", 42 },
	{ NULL, "Printer on fire [#42]", 42 },
	{ NULL, "Printer [#42] on fire", 42 },
	{ NULL, "Re: Printer on fire (was: [#42])", 42 },
	{ NULL, "[#42]", 42 },
	{ NULL, "Принтер[#42]горит", 42 },
	/* Spacing and case. */
	{ NULL, "[ #42 ]", 42 },
	{ NULL, "[#  42]", 42 },
	{ NULL, "[\t#42\t] tabs", 42 },
	{ NULL, "[\xc2\xa0#42\xc2\xa0] nbsp", 42 },
	/* One bracket lost by a client. */
	{ NULL, "Re: #42] Printer", 42 },
	{ NULL, "Re: [#42 Printer", 42 },
	{ NULL, "Re: [#42", 42 },
	{ NULL, "#42]", 42 },
	{ NULL, "Re:#42] x", 42 },
	/* Numbers: exact, leading zeros, the largest, overflow, zero. */
	{ NULL, "[#123]", 123 },
	{ NULL, "[#007] x", 7 },
	{ NULL, "[#18446744073709551615]", UINT64_MAX },
	{ NULL, "[#18446744073709551616]", 0 },
	{ NULL, "[#99999999999999999999999]", 0 },
	{ NULL, "[#0]", 0 },
	{ NULL, "[#00]", 0 },
	/* Several: the first valid one wins; invalid ones are skipped. */
	{ NULL, "[#42] merged into [#43]", 42 },
	{ NULL, "[#0] [#5]", 5 },
	{ NULL, "[#42abc] then [#7]", 7 },
	{ NULL, "order #42 about [#9]", 9 },
	/* False positives that must not be taken. */
	{ NULL, "Order #42", 0 },
	{ NULL, "#42", 0 },
	{ NULL, "Invoice 42", 0 },
	{ NULL, "[42]", 0 },
	{ NULL, "[#]", 0 },
	{ NULL, "[#abc]", 0 },
	{ NULL, "[#42abc]", 0 },
	{ NULL, "[#-42]", 0 },
	{ NULL, "", 0 },
	{ NULL, "Re: Fwd:", 0 },
	{ NULL, "C# 42 problems", 0 },
	/* Custom formats. */
	{ "[ACME #{n}]", "Re: [ACME #42] x", 42 },
	{ "[ACME #{n}]", "Re: [acme #42] x", 42 },
	{ "[ACME #{n}]", "Re: [ACME  #42] x", 42 },
	{ "[ACME #{n}]", "Re: [ ACME#42 ] x", 42 },
	{ "[ACME #{n}]", "Re: ACME #42] x", 42 },
	{ "[ACME #{n}]", "Re: [ACME #42 x", 42 },
	{ "[ACME #{n}]", "Re: ACME #42 x", 0 },
	{ "[ACME #{n}]", "Re: [#42] x", 0 },
	{ "[ACME #{n}]", "Re: XACME #42] x", 0 },
	{ "[ACME #{n}]", "Re: [ACME #42abc] x", 0 },
	{ "(Ticket {n})", "Re: (Ticket 42) x", 42 },
	{ "(Ticket {n})", "Re: (ticket   42) x", 42 },
	{ "(Ticket {n})", "Re: Ticket 42) x", 42 },
	{ "(Ticket {n})", "Re: (Ticket 42 x", 42 },
	{ "(Ticket {n})", "Ticket 42", 0 },
	{ "(Ticket {n})", "(MyTicket 42)", 0 },
	{ "Ticket-{n}", "Re: Ticket-42 x", 42 },
	{ "Ticket-{n}", "Re: MyTicket-42 x", 0 },
	{ "[{n}]", "Re: [42] x", 42 },
	{ "[{n}]", "Re: 42] x", 0 },
	{ "[{n}]", "Re: [42 x", 0 },
	{ "[#{n} ACME]", "[#42 ACME] x", 42 },
	{ "[#{n} ACME]", "[#42 acme x", 42 },
	{ "[#{n} ACME]", "[#42] x", 0 },
	{ "[Запрос №{n}]", "Ответ: [запрос №42] x", 42 },
	{ "[Запрос №{n}]", "Ответ: [ЗАПРОС №42 x", 42 },
	{ "[Запрос №{n}]", "Ответ: [Запрос №42] x", 42 },
};

START_TEST(test_find_table)
{
	const struct find_case	*c = &find_cases[_i];
	struct subject_token	*tok;
	struct error		 err;
	uint64_t		 id = 0;
	bool			 found;

	tok = subject_token_new(c->format, &err);
	ck_assert_msg(tok != NULL, "format %s: %s", c->format, err.msg);
	found = subject_token_find(tok, c->subject, &id);
	if (c->want == 0)
		ck_assert_msg(!found, "\"%s\" with %s: found %llu, want none",
		    c->subject, c->format ? c->format : "default",
		    (unsigned long long)id);
	else {
		ck_assert_msg(found, "\"%s\" with %s: not found", c->subject,
		    c->format ? c->format : "default");
		ck_assert_msg(id == c->want, "\"%s\": %llu, want %llu",
		    c->subject, (unsigned long long)id,
		    (unsigned long long)c->want);
	}
	subject_token_free(tok);
}
END_TEST

static const char *const bad_formats[] = {
	"{n}", "  {n}  ", "{n}]", "[#]", "[#{n}] {n}", "", "[#{n}\r\n]",
	"[ACME #{n}M", "[#{n}7]",	/* the number would run on (fuzz_subject_token) */
	"[#{n}]xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
};

START_TEST(test_bad_format)
{
	struct error	err;

	error_clear(&err);
	ck_assert_ptr_null(subject_token_new(bad_formats[_i], &err));
	ck_assert_int_eq(err.kind, ERR_PERM);
	ck_assert_ptr_null(subject_token_new(bad_formats[_i], NULL));
}
END_TEST

START_TEST(test_format)
{
	struct subject_token	*tok;
	char			*s;

	tok = subject_token_new("[#{n}]", NULL);
	s = subject_token_format(tok, 42);
	ck_assert_str_eq(s, "[#42]");
	free(s);
	s = subject_token_format(tok, UINT64_MAX);
	ck_assert_str_eq(s, "[#18446744073709551615]");
	free(s);
	subject_token_free(tok);
	tok = subject_token_new("(Ticket {n})", NULL);
	s = subject_token_format(tok, 7);
	ck_assert_str_eq(s, "(Ticket 7)");
	free(s);
	subject_token_free(tok);
	subject_token_free(NULL);
}
END_TEST

/* Everything we format must be found again, for any format. */
START_TEST(test_roundtrip)
{
	static const char *const formats[] = { "[#{n}]", "[ACME #{n}]",
	    "(Ticket {n})", "Ticket-{n}", "[{n}]", "<Req {n}>" };
	static const uint64_t ids[] = { 1, 9, 10, 42, 999999, UINT64_MAX };
	struct subject_token	*tok;
	char			*s, *subj;
	uint64_t		 id;
	size_t			 i, j;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		tok = subject_token_new(formats[i], NULL);
		ck_assert_ptr_nonnull(tok);
		for (j = 0; j < sizeof(ids) / sizeof(ids[0]); j++) {
			s = subject_token_format(tok, ids[j]);
			subj = subject_token_apply(tok, "Re: AW: hello", ids[j]);
			id = 0;
			ck_assert(subject_token_find(tok, s, &id));
			ck_assert(id == ids[j]);
			id = 0;
			ck_assert(subject_token_find(tok, subj, &id));
			ck_assert(id == ids[j]);
			free(s);
			free(subj);
		}
		subject_token_free(tok);
	}
}
END_TEST

struct strip_case {
	const char	*in;
	const char	*want;
};

static const struct strip_case strip_cases[] = {
	{ "Re: hello", "hello" },
	{ "RE: Re: re: hello", "hello" },
	{ "Re: RE: Ответ: Отв: Odp: AW: WG: Fwd: FW: Tr: Sv: Vs: Antw: RIF: "
	    "R: Re[2]: Re(3): hello", "hello" },
	{ "ОТВЕТ: ответ: Ответ:hello", "hello" },
	{ "Re [2]: Re (3) : Re^4: hello", "hello" },
	{ "Re : bonjour", "bonjour" },	/* French typography */
	{ "TR: RE: bonjour", "bonjour" },
	{ "Réf: x", "x" },
	{ "RÉF: x", "x" },
	{ "回复：打印机", "打印机" },
	{ "转发: 回复: x", "x" },
	{ "Відповідь: x", "x" },
	{ "YNT: İLT: x", "İLT: x" },	/* dotted capital I is not folded */
	{ "  Re:   spaced  ", "spaced" },
	{ "Re:", "" },
	{ "", "" },
	{ "   ", "" },
	{ "hello", "hello" },
	{ "Reply: hello", "Reply: hello" },
	{ "Regarding: hello", "Regarding: hello" },
	{ "Ответить: x", "Ответить: x" },
	{ "Rex: x", "Rex: x" },
	{ "Re2: x", "Re2: x" },
	{ "Re[x]: x", "Re[x]: x" },
	{ "I: Italian forward stays", "I: Italian forward stays" },
	{ "hello Re: world", "hello Re: world" },
	{ "[#42] Re: x", "[#42] Re: x" },
	{ "Re: [#42] Re: x", "[#42] Re: x" },
	{ "Fwd: Re:\xc2\xa0x", "x" },
};

START_TEST(test_strip_table)
{
	char	*s;

	s = subject_token_strip_prefixes(strip_cases[_i].in);
	ck_assert_str_eq(s, strip_cases[_i].want);
	free(s);
}
END_TEST

START_TEST(test_strip_null)
{
	char	*s;

	s = subject_token_strip_prefixes(NULL);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

struct apply_case {
	const char	*format;
	const char	*subject;
	uint64_t	 id;
	const char	*want;
};

static const struct apply_case apply_cases[] = {
	{ NULL, "Printer on fire", 42, "[#42] Printer on fire" },
	{ NULL, "Re: Printer on fire", 42, "[#42] Printer on fire" },
	{ NULL, "Re: [#42] Printer on fire", 42, "[#42] Printer on fire" },
	{ NULL, "Re: Printer on fire [#42]", 42, "Printer on fire [#42]" },
	{ NULL, "Re: [ #42 ] x", 42, "[ #42 ] x" },
	{ NULL, "Re: #42] x", 42, "[#42] x" },		/* repaired */
	{ NULL, "Re: x [#42", 42, "x [#42]" },		/* repaired */
	{ NULL, "Re: [#41] x", 42, "[#42] [#41] x" },
	{ NULL, "Order #42", 42, "[#42] Order #42" },
	{ NULL, "", 42, "[#42]" },
	{ NULL, NULL, 42, "[#42]" },
	{ NULL, "Re: ", 42, "[#42]" },
	{ NULL, "Ответ: Принтер", 7, "[#7] Принтер" },
	{ "[ACME #{n}]", "AW: Drucker", 5, "[ACME #5] Drucker" },
	{ "[ACME #{n}]", "AW: [acme #5] Drucker", 5, "[acme #5] Drucker" },
	{ "(Ticket {n})", "Re: x", 5, "(Ticket 5) x" },
};

START_TEST(test_apply_table)
{
	const struct apply_case	*c = &apply_cases[_i];
	struct subject_token	*tok;
	char			*s;

	tok = subject_token_new(c->format, NULL);
	s = subject_token_apply(tok, c->subject, c->id);
	ck_assert_str_eq(s, c->want);
	free(s);
	subject_token_free(tok);
}
END_TEST

START_TEST(test_fold_prefix)
{
	ck_assert_uint_eq(subject_token_fold_prefix("АВТООТВЕТ: x",
	    "автоответ"), strlen("АВТООТВЕТ"));
	ck_assert_uint_eq(subject_token_fold_prefix("Ёлка", "ёлка"),
	    strlen("Ёлка"));
	ck_assert_uint_eq(subject_token_fold_prefix("RÉPONSE", "réponse"),
	    strlen("RÉPONSE"));
	ck_assert_uint_eq(subject_token_fold_prefix("Auto", "automatic"), 0);
	ck_assert_uint_eq(subject_token_fold_prefix("x", ""), 0);
	ck_assert_uint_eq(subject_token_fold_prefix("\xd0", "\xd0\xb0"), 0);
}
END_TEST

/* Trickle: every prefix of a subject is handled without reading past it. */
START_TEST(test_truncated_inputs)
{
	static const char	 subj[] = "Re[2]: Ответ: [ ACME # 42 ] x\xc2\xa0";
	struct subject_token	*tok;
	char			*cut, *s;
	size_t			 len;
	uint64_t		 id;

	tok = subject_token_new("[ACME #{n}]", NULL);
	for (len = 0; len <= sizeof(subj) - 1; len++) {
		cut = strndup(subj, len);
		(void)subject_token_find(tok, cut, &id);
		s = subject_token_strip_prefixes(cut);
		free(s);
		s = subject_token_apply(tok, cut, 42);
		ck_assert(subject_token_find(tok, s, &id) && id == 42);
		free(s);
		free(cut);
	}
	subject_token_free(tok);
}
END_TEST

static Suite *
subject_token_suite(void)
{
	Suite	*s = suite_create("subject_token");
	TCase	*tc = tcase_create("core");

	tcase_add_loop_test(tc, test_find_table, 0,
	    sizeof(find_cases) / sizeof(find_cases[0]));
	tcase_add_loop_test(tc, test_bad_format, 0,
	    sizeof(bad_formats) / sizeof(bad_formats[0]));
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_loop_test(tc, test_strip_table, 0,
	    sizeof(strip_cases) / sizeof(strip_cases[0]));
	tcase_add_test(tc, test_strip_null);
	tcase_add_loop_test(tc, test_apply_table, 0,
	    sizeof(apply_cases) / sizeof(apply_cases[0]));
	tcase_add_test(tc, test_fold_prefix);
	tcase_add_test(tc, test_truncated_inputs);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(subject_token_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
