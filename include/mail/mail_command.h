/*
 * mail_command: the "#assign bob" / "#status resolved" / "#note" lines an
 * agent writes at the top of a reply.  Parsing only: syntax and argument
 * shape.  Whether bob is an agent, whether the priority level exists and
 * who may do what is for the caller (ticket.c), which shares those checks
 * with triagectl.  Only call this on mail already proven to come from an
 * agent (promise 5); see src/mail_command.c for the exact rules.
 */
#ifndef TRIAGED_MAIL_COMMAND_H
#define TRIAGED_MAIL_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mail_command_kind {
	MAIL_COMMAND_ASSIGN,	/* arg: agent name */
	MAIL_COMMAND_TAKE,	/* no arg */
	MAIL_COMMAND_STATUS,	/* arg: open, pending, resolved, closed */
	MAIL_COMMAND_PRIORITY,	/* arg: level name */
	MAIL_COMMAND_CATEGORY,	/* arg: path, "Sales/Опт" */
	MAIL_COMMAND_TAG,	/* arg: tag name */
	MAIL_COMMAND_UNTAG,	/* arg: tag name */
	MAIL_COMMAND_CC,	/* arg: bare address "a@b.example" */
	MAIL_COMMAND_MERGE,	/* number: the other request */
	MAIL_COMMAND_TEMPLATE,	/* arg: template name */
	MAIL_COMMAND_NOTE,	/* no arg: the remaining text is a note */
	MAIL_COMMAND_TASK,	/* arg: "[@AGENT] [WHEN] TEXT", as written */
	MAIL_COMMAND_DONE	/* number: the task done */
};

struct mail_command {
	enum mail_command_kind	 kind;
	char			*arg;	/* NULL when the command has none */
	uint64_t		 number;	/* MERGE and DONE only */
	size_t			 line;	/* 1-based line in the text given */
};

/* One refused line: tell the agent, e.g. "unknown command #asign". */
struct mail_command_error {
	size_t			 line;
	char			*msg;	/* one line of UTF-8, no line break */
};

struct mail_command_list {
	struct mail_command		*commands;
	size_t				 ncommands;
	struct mail_command_error	*errors;
	size_t				 nerrors;
	bool				 note;	/* a #note was given */
	char				*rest;	/* text after the commands */
};

/*
 * Parses the commands at the top of text (UTF-8, LF or CRLF lines; NULL
 * is taken as "").  Never fails: bad lines become errors.  Returns a new
 * list the caller frees with mail_command_list_free().  rest is the text
 * after the command block with leading and trailing blank lines removed,
 * lines ending in "\n" (no final one); "" when the reply was only
 * commands.  Commands come in the order written; the caller applies them
 * in that order.
 *
 * When nerrors > 0 the caller should apply nothing and relay nothing, and
 * answer the agent with every error: a typo such as "#ntoe" must never
 * let an internal note reach the customer.
 */
struct mail_command_list	*mail_command_parse(const char *text);
void				 mail_command_list_free(
				    struct mail_command_list *);
/* True when the reply holds commands and nothing for the customer. */
bool				 mail_command_only(
				    const struct mail_command_list *);
/* "assign", "take", ...: the command word, for logs and confirmations. */
const char			*mail_command_kind_name(
				    enum mail_command_kind);

#endif
