/*
 * fuzz_mail_command: the "#assign bob" lines at the top of an agent's
 * reply (mail_command.c), parsed as agent_mail.c does after cutting the
 * quote.  The input is made valid UTF-8 first, as mime.c hands bodies on.
 *
 * Checks beyond crashes and leaks, from mail_command.h's contract: every
 * error is one line of valid UTF-8 (the agent gets it back in a mail),
 * arguments and the rest are valid UTF-8 and arguments hold no line
 * break, lines are 1-based and in order, a merge names a request > 0, and
 * "only commands" means commands and an empty rest.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mail_command.h"

static void	check_list(const struct mail_command_list *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mail_command_list	*l;
	char				*text;
	size_t				 i, lines = 1;

	text = fuzz_text(data, size, NULL);
	for (i = 0; text[i] != '\0'; i++)
		if (text[i] == '\n')
			lines++;
	l = mail_command_parse(text);
	check_list(l, lines);
	mail_command_list_free(l);
	free(text);
	return 0;
}

static void
check_list(const struct mail_command_list *l, size_t lines)
{
	const struct mail_command	*c;
	size_t				 i, prev = 0;

	if (l == NULL || l->rest == NULL)
		fuzz_fail("no list or no rest");
	fuzz_check_utf8("the rest", l->rest);
	for (i = 0; i < l->ncommands; i++) {
		c = &l->commands[i];
		if (c->line == 0 || c->line > lines || c->line < prev)
			fuzz_fail("command %zu on line %zu of %zu (previous "
			    "%zu)", i, c->line, lines, prev);
		prev = c->line;
		if (mail_command_kind_name(c->kind) == NULL)
			fuzz_fail("kind %d has no name", (int)c->kind);
		if (c->kind == MAIL_COMMAND_MERGE && c->number == 0)
			fuzz_fail("#merge of request 0");
		fuzz_check_utf8("an argument", c->arg);
		if (c->arg != NULL && strpbrk(c->arg, "\r\n") != NULL)
			fuzz_fail("argument \"%s\" holds a line break",
			    c->arg);
	}
	for (i = 0; i < l->nerrors; i++) {
		if (l->errors[i].msg == NULL || l->errors[i].line == 0 ||
		    l->errors[i].line > lines)
			fuzz_fail("error %zu: no message or line %zu of %zu",
			    i, l->errors[i].line, lines);
		fuzz_check_utf8("an error", l->errors[i].msg);
		if (strpbrk(l->errors[i].msg, "\r\n") != NULL)
			fuzz_fail("error \"%s\" holds a line break",
			    l->errors[i].msg);
	}
	if (mail_command_only(l) != (l->ncommands > 0 &&
	    l->rest[0] == '\0'))
		fuzz_fail("mail_command_only disagrees with the list");
}
