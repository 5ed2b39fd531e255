/*
 * test_mail_command: every command with valid and invalid arguments;
 * where the command block starts and stops; what is text and not a
 * command; #note; replies made only of commands; CRLF, NBSP, full-width
 * '＃' and Cyrillic arguments; every prefix of a text parsed safely.
 */

#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mail_command.h"

struct parse_case {
	const char	*text;
	const char	*commands;	/* "kind[:arg]@line;" each */
	const char	*errors;	/* "line:msg;" each */
	const char	*rest;
	int		 only;		/* mail_command_only() */
	int		 note;
};

static const struct parse_case parse_cases[] = {
	/* Every command, valid. */
	{ "#assign bob\nHello", "assign:bob@1;", "", "Hello", 0, 0 },
	{ "#assign Иван.Петров", "assign:Иван.Петров@1;", "", "", 1, 0 },
	{ "#take", "take@1;", "", "", 1, 0 },
	{ "#status open", "status:open@1;", "", "", 1, 0 },
	{ "#status pending", "status:pending@1;", "", "", 1, 0 },
	{ "#status RESOLVED", "status:resolved@1;", "", "", 1, 0 },
	{ "#status Closed", "status:closed@1;", "", "", 1, 0 },
	{ "#priority high", "priority:high@1;", "", "", 1, 0 },
	{ "#priority срочно", "priority:срочно@1;", "", "", 1, 0 },
	{ "#category Sales/Wholesale", "category:Sales/Wholesale@1;", "", "",
	    1, 0 },
	{ "#category  Продажи / Оптовые  клиенты ",
	    "category:Продажи/Оптовые клиенты@1;", "", "", 1, 0 },
	{ "#category Hardware", "category:Hardware@1;", "", "", 1, 0 },
	{ "#tag vip", "tag:vip@1;", "", "", 1, 0 },
	{ "#tag важно", "tag:важно@1;", "", "", 1, 0 },
	{ "#untag vip", "untag:vip@1;", "", "", 1, 0 },
	{ "#cc boss@example.com", "cc:boss@example.com@1;", "", "", 1, 0 },
	{ "#cc <boss@example.com>", "cc:boss@example.com@1;", "", "", 1, 0 },
	{ "#cc The Boss <boss.x+y@mail.example.com>",
	    "cc:boss.x+y@mail.example.com@1;", "", "", 1, 0 },
	{ "#cc иван@пример.рф", "cc:иван@пример.рф@1;", "", "", 1, 0 },
	{ "#merge 43", "merge:#43@1;", "", "", 1, 0 },
	{ "#merge #43", "merge:#43@1;", "", "", 1, 0 },
	{ "#merge 18446744073709551615", "merge:#18446744073709551615@1;",
	    "", "", 1, 0 },
	{ "#template refund-policy\n", "template:refund-policy@1;", "", "",
	    1, 0 },
	{ "#note\nCalled the customer.", "note@1;", "", "Called the customer.",
	    0, 1 },
	/* #task: its line as written (the desk reads @AGENT and WHEN) */
	{ "#task @bob tomorrow 10:00 call back\nHello",
	    "task:@bob tomorrow 10:00 call back@1;", "", "Hello", 0, 0 },
	{ "#Task:  check the invoice  ", "task:check the invoice@1;", "", "",
	    1, 0 },
	{ "#done 7", "done:#7@1;", "", "", 1, 0 },
	{ "#done #7\n#task +2h ring", "done:#7@1;task:+2h ring@2;", "", "",
	    1, 0 },
	/* Every command, invalid. */
	{ "#task", "", "1:#task needs [@agent] [when] and the text of the "
	    "task;", "", 0, 0 },
	{ "#task \xff\xfe", "", "1:#task needs [@agent] [when] and the text "
	    "of the task, not \"??\";", "", 0, 0 },
	{ "#done", "", "1:#done needs a task number;", "", 0, 0 },
	{ "#done x", "", "1:#done needs a task number, not \"x\";", "",
	    0, 0 },
	{ "#assign", "", "1:#assign needs an agent name;", "", 0, 0 },
	{ "#assign bob smith", "",
	    "1:#assign needs an agent name, not \"bob smith\";", "", 0, 0 },
	{ "#take bob", "", "1:#take takes no argument;", "", 0, 0 },
	{ "#status", "",
	    "1:#status needs open, pending, resolved or closed;", "", 0, 0 },
	{ "#status done", "", "1:#status needs open, pending, resolved or "
	    "closed, not \"done\";", "", 0, 0 },
	{ "#status open now", "", "1:#status needs open, pending, resolved "
	    "or closed, not \"open now\";", "", 0, 0 },
	{ "#priority", "", "1:#priority needs a priority level;", "", 0, 0 },
	{ "#priority very high", "", "1:#priority needs a priority level, "
	    "not \"very high\";", "", 0, 0 },
	{ "#category", "", "1:#category needs a category path;", "", 0, 0 },
	{ "#category Sales//Retail", "", "1:#category needs a category path, "
	    "not \"Sales//Retail\";", "", 0, 0 },
	{ "#category Sales/", "", "1:#category needs a category path, "
	    "not \"Sales/\";", "", 0, 0 },
	{ "#category /Sales", "", "1:#category needs a category path, "
	    "not \"/Sales\";", "", 0, 0 },
	{ "#tag", "", "1:#tag needs a tag name;", "", 0, 0 },
	{ "#tag a\x01z", "", "1:#tag needs a tag name, not \"a?z\";", "", 0,
	    0 },
	{ "#tag bad\xff", "", "1:#tag needs a tag name, not \"bad?\";", "",
	    0, 0 },
	{ "#untag two words", "", "1:#untag needs a tag name, not \"two "
	    "words\";", "", 0, 0 },
	{ "#cc", "", "1:#cc needs an address;", "", 0, 0 },
	{ "#cc bob", "", "1:#cc needs an address, not \"bob\";", "", 0, 0 },
	{ "#cc bob@localhost", "", "1:#cc needs an address, not "
	    "\"bob@localhost\";", "", 0, 0 },
	{ "#cc a@b@example.com", "", "1:#cc needs an address, not "
	    "\"a@b@example.com\";", "", 0, 0 },
	{ "#cc a@example.com, b@example.com", "", "1:#cc needs an address, "
	    "not \"a@example.com, b@example.com\";", "", 0, 0 },
	{ "#cc <a@example.com", "", "1:#cc needs an address, not "
	    "\"<a@example.com\";", "", 0, 0 },
	{ "#cc .a@example.com", "", "1:#cc needs an address, not "
	    "\".a@example.com\";", "", 0, 0 },
	{ "#cc a@-example.com", "", "1:#cc needs an address, not "
	    "\"a@-example.com\";", "", 0, 0 },
	{ "#merge", "", "1:#merge needs a request number;", "", 0, 0 },
	{ "#merge 0", "", "1:#merge needs a request number, not \"0\";", "",
	    0, 0 },
	{ "#merge -4", "", "1:#merge needs a request number, not \"-4\";",
	    "", 0, 0 },
	{ "#merge 4x", "", "1:#merge needs a request number, not \"4x\";",
	    "", 0, 0 },
	{ "#merge 18446744073709551616", "", "1:#merge needs a request "
	    "number, not \"18446744073709551616\";", "", 0, 0 },
	{ "#template", "", "1:#template needs a template name;", "", 0, 0 },
	{ "#template two words", "", "1:#template needs a template name, "
	    "not \"two words\";", "", 0, 0 },
	/* Only commands, though an erroneous one: errors are checked first. */
	{ "#note", "note@1;", "1:#note needs the text of the note below it;",
	    "", 1, 1 },
	{ "#asign bob\nHello", "", "1:unknown command #asign;", "Hello", 0,
	    0 },
	{ "#ntoe\nSecret internal remark", "", "1:unknown command #ntoe;",
	    "Secret internal remark", 0, 0 },
	/* Case-insensitive words, "#word:" form, blanks of every kind. */
	{ "#ASSIGN bob\n#Take\n#StAtUs: Pending", "assign:bob@1;take@2;"
	    "status:pending@3;", "", "", 1, 0 },
	{ "  \t#take  \t", "take@1;", "", "", 1, 0 },
	{ "\xc2\xa0#status\xc2\xa0resolved\xc2\xa0", "status:resolved@1;", "",
	    "", 1, 0 },
	{ "\xef\xbb\xbf#take", "take@1;", "", "", 1, 0 },
	{ "\xef\xbc\x83take\n\xef\xbc\x83tag 重要", "take@1;tag:重要@2;", "",
	    "", 1, 0 },
	/* CRLF. */
	{ "#take\r\n#tag vip\r\n\r\nHello,\r\nthanks.\r\n",
	    "take@1;tag:vip@2;", "", "Hello,\nthanks.", 0, 0 },
	/* Leading blank lines, blank lines between commands. */
	{ "\n\n  \n#take\n\n#status pending\n\n\nHi there\n\n",
	    "take@4;status:pending@6;", "", "Hi there", 0, 0 },
	/* The block stops at the first line that is not a command. */
	{ "#take\nHello\n#status closed\n", "take@1;", "",
	    "Hello\n#status closed", 0, 0 },
	{ "Hello\n#take", "", "", "Hello\n#take", 0, 0 },
	/* Not commands at all: numbers, headings, our marker, hashtags. */
	{ "#1234 is fixed now.", "", "", "#1234 is fixed now.", 0, 0 },
	{ "#1234", "", "", "#1234", 0, 0 },
	{ "# Heading\ntext", "", "", "# Heading\ntext", 0, 0 },
	{ "#", "", "", "#", 0, 0 },
	{ "##- Please type your reply above this line -##", "", "",
	    "##- Please type your reply above this line -##", 0, 0 },
	{ "#hashtag! great", "", "", "#hashtag! great", 0, 0 },
	{ "#take.", "", "", "#take.", 0, 0 },
	{ "C# is fine", "", "", "C# is fine", 0, 0 },
	{ "", "", "", "", 0, 0 },
	{ "\n \n", "", "", "", 0, 0 },
	/* Errors do not end the block; later commands are still read. */
	{ "#asign bob\n#take\nText", "take@2;", "1:unknown command #asign;",
	    "Text", 0, 0 },
	/* #note: bare, then more commands; with text on its line. */
	{ "#note\n#status pending\n\nWaiting for the vendor.\n",
	    "note@1;status:pending@2;", "", "Waiting for the vendor.", 0, 1 },
	{ "#take\n#note customer phoned\nagain today\n", "take@1;note@2;", "",
	    "customer phoned\nagain today", 0, 1 },
	{ "#note позвонил клиент\n#take", "note@1;", "",
	    "позвонил клиент\n#take", 0, 1 },
	{ "#NOTE:\nx", "note@1;", "", "x", 0, 1 },
	/* Text keeps its inner blank lines and indentation. */
	{ "#tag a\n\n  Dear customer,\n\n  > quoted\n", "tag:a@1;", "",
	    "  Dear customer,\n\n  > quoted", 0, 0 },
};

static void
describe(const struct mail_command_list *l, struct buf *cmds,
    struct buf *errs)
{
	const struct mail_command	*c;
	size_t				 i;

	for (i = 0; i < l->ncommands; i++) {
		c = &l->commands[i];
		buf_append_str(cmds, mail_command_kind_name(c->kind));
		if (c->kind == MAIL_COMMAND_MERGE ||
		    c->kind == MAIL_COMMAND_DONE)
			buf_printf(cmds, ":#%" PRIu64, c->number);
		else if (c->arg != NULL)
			buf_printf(cmds, ":%s", c->arg);
		buf_printf(cmds, "@%zu;", c->line);
	}
	for (i = 0; i < l->nerrors; i++)
		buf_printf(errs, "%zu:%s;", l->errors[i].line,
		    l->errors[i].msg);
}

START_TEST(test_parse_table)
{
	const struct parse_case		*c = &parse_cases[_i];
	struct mail_command_list	*l;
	struct buf			 cmds, errs;

	l = mail_command_parse(c->text);
	buf_init(&cmds);
	buf_init(&errs);
	describe(l, &cmds, &errs);
	ck_assert_str_eq(cmds.data, c->commands);
	ck_assert_str_eq(errs.data, c->errors);
	ck_assert_str_eq(l->rest, c->rest);
	ck_assert_int_eq(mail_command_only(l), c->only);
	ck_assert_int_eq(l->note, c->note);
	buf_release(&cmds);
	buf_release(&errs);
	mail_command_list_free(l);
}
END_TEST

START_TEST(test_null_and_names)
{
	struct mail_command_list	*l;

	l = mail_command_parse(NULL);
	ck_assert_int_eq(l->ncommands, 0);
	ck_assert_str_eq(l->rest, "");
	ck_assert(!mail_command_only(l));
	mail_command_list_free(l);
	mail_command_list_free(NULL);
	ck_assert(!mail_command_only(NULL));
	ck_assert_str_eq(mail_command_kind_name(MAIL_COMMAND_ASSIGN),
	    "assign");
	ck_assert_str_eq(mail_command_kind_name(MAIL_COMMAND_NOTE), "note");
	ck_assert_str_eq(mail_command_kind_name((enum mail_command_kind)99),
	    "unknown");
}
END_TEST

/* Long and hostile arguments are echoed bounded and on one line. */
START_TEST(test_echo_bounded)
{
	struct mail_command_list	*l;
	struct buf			 b;
	int				 i;

	buf_init(&b);
	buf_append_str(&b, "#status ");
	for (i = 0; i < 100; i++)
		buf_append_str(&b, "ж");
	buf_append_str(&b, "\n#");
	for (i = 0; i < 500; i++)
		buf_append_char(&b, 'x');
	buf_append_str(&b, " y\n");
	l = mail_command_parse(b.data);
	ck_assert_int_eq(l->nerrors, 2);
	ck_assert_int_le(strlen(l->errors[0].msg), 200);
	ck_assert_ptr_nonnull(strstr(l->errors[0].msg, "жж...\""));
	ck_assert_int_eq(strlen(l->errors[1].msg),
	    strlen("unknown command #") + 32);
	mail_command_list_free(l);
	buf_release(&b);
}
END_TEST

/* Every prefix of a text with every feature parses without harm. */
START_TEST(test_truncated_inputs)
{
	static const char	 text[] = "\xef\xbb\xbf\r\n#take\r\n"
	    "\xef\xbc\x83tag важно\r\n#cc Boss <b@example.com>\r\n"
	    "#category Продажи / Опт\r\n#note звонок\r\nтекст\xc2\xa0\r\n";
	struct mail_command_list *l;
	char			*cut;
	size_t			 len;

	for (len = 0; len <= sizeof(text) - 1; len++) {
		cut = strndup(text, len);
		l = mail_command_parse(cut);
		ck_assert_ptr_nonnull(l->rest);
		mail_command_list_free(l);
		free(cut);
	}
}
END_TEST

static Suite *
mail_command_suite(void)
{
	Suite	*s = suite_create("mail_command");
	TCase	*tc = tcase_create("core");

	tcase_add_loop_test(tc, test_parse_table, 0,
	    sizeof(parse_cases) / sizeof(parse_cases[0]));
	tcase_add_test(tc, test_null_and_names);
	tcase_add_test(tc, test_echo_bounded);
	tcase_add_test(tc, test_truncated_inputs);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(mail_command_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
