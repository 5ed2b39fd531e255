/*
 * mail_command: parse the commands an agent writes on the first lines of a
 * reply (issue 4).  Syntax only; applying them is ticket.c's, the same
 * code triagectl uses.  The caller runs this only on mail that proved it
 * comes from an agent (DESIGN.md promise 5), normally after reply_cut.c
 * has removed the quoted notification.
 *
 * Rules, chosen so that ordinary prose is never taken for a command and a
 * command is never sent to the customer as prose:
 *   - Commands are read from the top.  Leading blank lines are skipped,
 *     and blank lines between commands are allowed; the block ends at the
 *     first non-blank line that is not a command line.  Later "#take"
 *     lines are text.
 *   - A command line is: optional blanks, '#' (or the full-width U+FF03
 *     '＃' that CJK input methods produce), an ASCII letter, more letters,
 *     digits, '-' or '_', then the end of the line, a blank, or ':'
 *     ("#status: resolved" is accepted).  Command words are
 *     case-insensitive.  So "#1234 fixed", "# Heading", "##- reply above
 *     -##" and "#hashtag!" are text, not commands.
 *   - A command line with a word we do not know is an error ("unknown
 *     command #asign"), not text: a typo must not reach the customer.
 *   - "Blank" means ASCII space and tab, NBSP, the U+2000..U+200B spaces,
 *     U+202F, U+3000 and a BOM, all common in text from HTML mail; CR
 *     before LF is dropped.
 *   - Arguments are the rest of the line, trimmed; they are checked for
 *     shape only: names are one word (no blanks) of valid UTF-8 without
 *     control characters, up to 128 bytes; a category path may hold
 *     blanks (runs collapsed to one space, none around '/', no empty
 *     part); a status is one of open, pending, resolved, closed (any
 *     case, returned lowercase); #merge takes a number > 0, "#43" also
 *     accepted; #cc takes one address, bare, in <>, or "Name <addr>",
 *     returned bare.
 *   - "#task" takes the rest of its line as it is (clean UTF-8, up to
 *     1000 bytes, not empty): who and when are the desk's to read
 *     (task_ops.c), since a due time needs the agent's zone and the
 *     request's calendar.  "#done" takes a task number, "#7" accepted.
 *   - "#note" makes the remaining text an internal note.  Bare, it may be
 *     followed by more commands; "#note text" starts the note on its own
 *     line and ends the block.  A note with no text is an error.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "mail_command.h"
#include "xmalloc.h"

#define NAME_MAX_BYTES	128	/* agent, tag, level, template names */
#define PATH_MAX_BYTES	256	/* category paths */
#define TEXT_MAX_BYTES	1000	/* a #task line */
#define ECHO_MAX_BYTES	60	/* argument quoted back in an error */
#define WORD_ECHO_MAX	32	/* command word quoted back in an error */

enum arg_type {
	ARG_NONE,	/* #take */
	ARG_NOTE,	/* #note [text] */
	ARG_NAME,	/* one word */
	ARG_PATH,	/* category path */
	ARG_STATUS,	/* one of four words */
	ARG_ADDRESS,	/* one mail address */
	ARG_NUMBER,	/* request or task number */
	ARG_TEXT	/* the rest of the line */
};

struct command_def {
	const char		*word;
	enum mail_command_kind	 kind;
	enum arg_type		 type;
	const char		*what;	/* the argument, in error messages */
};

static const struct command_def command_defs[] = {
	{ "assign", MAIL_COMMAND_ASSIGN, ARG_NAME, "an agent name" },
	{ "take", MAIL_COMMAND_TAKE, ARG_NONE, NULL },
	{ "status", MAIL_COMMAND_STATUS, ARG_STATUS,
	    "open, pending, resolved or closed" },
	{ "priority", MAIL_COMMAND_PRIORITY, ARG_NAME, "a priority level" },
	{ "category", MAIL_COMMAND_CATEGORY, ARG_PATH, "a category path" },
	{ "tag", MAIL_COMMAND_TAG, ARG_NAME, "a tag name" },
	{ "untag", MAIL_COMMAND_UNTAG, ARG_NAME, "a tag name" },
	{ "cc", MAIL_COMMAND_CC, ARG_ADDRESS, "an address" },
	{ "merge", MAIL_COMMAND_MERGE, ARG_NUMBER, "a request number" },
	{ "template", MAIL_COMMAND_TEMPLATE, ARG_NAME, "a template name" },
	{ "note", MAIL_COMMAND_NOTE, ARG_NOTE, NULL },
	{ "task", MAIL_COMMAND_TASK, ARG_TEXT,
	    "[@agent] [when] and the text of the task" },
	{ "done", MAIL_COMMAND_DONE, ARG_NUMBER, "a task number" },
};
#define NCOMMAND_DEFS	(sizeof(command_defs) / sizeof(command_defs[0]))

static const char *const statuses[] = { "open", "pending", "resolved",
    "closed" };

/* A line of the text: [start, end), CR dropped; next is the next line. */
struct line {
	const char	*start;
	const char	*end;
	const char	*next;
	size_t		 number;
};

/* A command line taken apart. */
struct command_line {
	const char	*word;
	size_t		 wordlen;
	const char	*arg;		/* trimmed; arg == argend when none */
	const char	*argend;
};

static bool	 next_line(const char **, size_t *, struct line *);
static size_t	 space_at(const char *, const char *);
static const char *skip_space(const char *, const char *);
static const char *trim_end(const char *, const char *);
static bool	 is_blank(const struct line *);
static bool	 split_command(const struct line *, struct command_line *);
static const struct command_def *find_def(const char *, size_t);
static bool	 parse_command(struct mail_command_list *,
		    const struct command_def *, const struct command_line *,
		    size_t);
static char	*check_name(const char *, const char *);
static char	*check_path(const char *, const char *);
static char	*check_status(const char *, const char *);
static char	*check_address(const char *, const char *);
static bool	 check_number(const char *, const char *, uint64_t *);
static bool	 utf8_clean(const char *, const char *);
static size_t	 utf8_char(const char *, const char *);
static bool	 domain_ok(const char *, const char *);
static void	 add_command(struct mail_command_list *,
		    enum mail_command_kind, char *, uint64_t, size_t);
static void	 add_error(struct mail_command_list *, size_t, const char *,
		    ...) __attribute__((format(printf, 3, 4)));
static char	*echo(const char *, const char *, size_t);
static size_t	 note_line(const struct mail_command_list *);
static void	 set_rest(struct mail_command_list *, const char *,
		    const char *, const char *);

struct mail_command_list *
mail_command_parse(const char *text)
{
	struct mail_command_list	*l;
	const struct command_def	*def;
	struct command_line		 cl;
	struct line			 ln;
	const char			*p, *rest = NULL, *note = NULL;
	const char			*noteend = NULL;
	size_t				 number = 0;

	l = xcalloc(1, sizeof(*l));
	p = text == NULL ? "" : text;
	while (rest == NULL && next_line(&p, &number, &ln)) {
		if (is_blank(&ln))
			continue;
		if (!split_command(&ln, &cl)) {
			rest = ln.start;
			break;
		}
		if ((def = find_def(cl.word, cl.wordlen)) == NULL) {
			add_error(l, ln.number, "unknown command #%.*s",
			    (int)(cl.wordlen > WORD_ECHO_MAX ? WORD_ECHO_MAX :
			    cl.wordlen), cl.word);
			continue;
		}
		if (!parse_command(l, def, &cl, ln.number))
			continue;
		if (def->type == ARG_NOTE && cl.arg != cl.argend) {
			/* "#note text": the note starts here. */
			note = cl.arg;
			noteend = cl.argend;
			rest = ln.next;
		}
	}
	set_rest(l, note, noteend, rest == NULL ? p : rest);
	if (l->note && l->rest[0] == '\0')
		add_error(l, note_line(l), "#note needs the text of the note "
		    "below it");
	return l;
}

void
mail_command_list_free(struct mail_command_list *l)
{
	size_t	 i;

	if (l == NULL)
		return;
	for (i = 0; i < l->ncommands; i++)
		free(l->commands[i].arg);
	for (i = 0; i < l->nerrors; i++)
		free(l->errors[i].msg);
	free(l->commands);
	free(l->errors);
	free(l->rest);
	free(l);
}

bool
mail_command_only(const struct mail_command_list *l)
{
	return l != NULL && l->ncommands > 0 && l->rest[0] == '\0';
}

const char *
mail_command_kind_name(enum mail_command_kind kind)
{
	size_t	 i;

	for (i = 0; i < NCOMMAND_DEFS; i++)
		if (command_defs[i].kind == kind)
			return command_defs[i].word;
	return "unknown";
}

/* The line at *p into ln, and *p past it; false at the end of the text. */
static bool
next_line(const char **p, size_t *number, struct line *ln)
{
	const char	*s = *p, *nl;

	if (*s == '\0')
		return false;
	nl = strchr(s, '\n');
	ln->start = s;
	ln->end = nl == NULL ? s + strlen(s) : nl;
	ln->next = nl == NULL ? ln->end : nl + 1;
	if (ln->end > s && ln->end[-1] == '\r')
		ln->end--;
	ln->number = ++*number;
	*p = ln->next;
	return true;
}

/* Bytes of the blank character at s (see the file comment), or 0. */
static size_t
space_at(const char *s, const char *end)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 left = (size_t)(end - s);

	if (left >= 1 && (u[0] == ' ' || u[0] == '\t'))
		return 1;
	if (left >= 2 && u[0] == 0xc2 && u[1] == 0xa0)
		return 2;			/* U+00A0 */
	if (left < 3)
		return 0;
	if (u[0] == 0xe2 && u[1] == 0x80 && (u[2] <= 0x8b || u[2] == 0xaf))
		return 3;			/* U+2000..U+200B, U+202F */
	if ((u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80) ||
	    (u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf))
		return 3;			/* U+3000, U+FEFF */
	return 0;
}

static const char *
skip_space(const char *s, const char *end)
{
	size_t	 n;

	while (s < end && (n = space_at(s, end)) > 0)
		s += n;
	return s;
}

/* end moved back over blanks, stopping at start. */
static const char *
trim_end(const char *start, const char *end)
{
	const char	*p, *last = start;
	size_t		 n;

	/* Continuation bytes are not blanks, so last ends a whole char. */
	for (p = start; p < end; p += n == 0 ? 1 : n)
		if ((n = space_at(p, end)) == 0)
			last = p + 1;
	return last;
}

static bool
is_blank(const struct line *ln)
{
	return skip_space(ln->start, ln->end) == ln->end;
}

/* "#word[:] arg" (see the file comment) into cl; false if not a command. */
static bool
split_command(const struct line *ln, struct command_line *cl)
{
	const char	*p = skip_space(ln->start, ln->end), *w;

	if (p < ln->end && *p == '#')
		p++;
	else if (ln->end - p >= 3 && memcmp(p, "\xef\xbc\x83", 3) == 0)
		p += 3;
	else
		return false;
	if (p == ln->end || !((*p >= 'a' && *p <= 'z') ||
	    (*p >= 'A' && *p <= 'Z')))
		return false;
	for (w = p; p < ln->end && ((*p >= 'a' && *p <= 'z') ||
	    (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
	    *p == '-' || *p == '_'); p++)
		;
	cl->word = w;
	cl->wordlen = (size_t)(p - w);
	if (p < ln->end && *p == ':')
		p++;
	else if (p < ln->end && space_at(p, ln->end) == 0)
		return false;
	cl->arg = skip_space(p, ln->end);
	cl->argend = trim_end(cl->arg, ln->end);
	return true;
}

static const struct command_def *
find_def(const char *word, size_t len)
{
	size_t	 i;

	for (i = 0; i < NCOMMAND_DEFS; i++)
		if (strlen(command_defs[i].word) == len &&
		    strncasecmp(command_defs[i].word, word, len) == 0)
			return &command_defs[i];
	return NULL;
}

/* Checks the argument and adds the command or an error; false on error. */
static bool
parse_command(struct mail_command_list *l, const struct command_def *def,
    const struct command_line *cl, size_t line)
{
	char		*arg = NULL, *shown;
	uint64_t	 number = 0;
	bool		 ok = true;

	if (def->type == ARG_NONE || def->type == ARG_NOTE) {
		if (def->type == ARG_NONE && cl->arg != cl->argend) {
			add_error(l, line, "#%s takes no argument", def->word);
			return false;
		}
		if (def->type == ARG_NOTE)
			l->note = true;
		add_command(l, def->kind, NULL, 0, line);
		return true;
	}
	if (cl->arg == cl->argend) {
		add_error(l, line, "#%s needs %s", def->word, def->what);
		return false;
	}
	switch (def->type) {
	case ARG_NAME:
		ok = (arg = check_name(cl->arg, cl->argend)) != NULL;
		break;
	case ARG_PATH:
		ok = (arg = check_path(cl->arg, cl->argend)) != NULL;
		break;
	case ARG_STATUS:
		ok = (arg = check_status(cl->arg, cl->argend)) != NULL;
		break;
	case ARG_ADDRESS:
		ok = (arg = check_address(cl->arg, cl->argend)) != NULL;
		break;
	case ARG_NUMBER:
		ok = check_number(cl->arg, cl->argend, &number);
		break;
	case ARG_TEXT:
		if ((ok = cl->argend - cl->arg <= TEXT_MAX_BYTES &&
		    utf8_clean(cl->arg, cl->argend)))
			arg = xstrndup(cl->arg, (size_t)(cl->argend - cl->arg));
		break;
	default:
		ok = false;
		break;
	}
	if (!ok) {
		shown = echo(cl->arg, cl->argend, ECHO_MAX_BYTES);
		add_error(l, line, "#%s needs %s, not \"%s\"", def->word,
		    def->what, shown);
		free(shown);
		return false;
	}
	add_command(l, def->kind, arg, number, line);
	return true;
}

/* One word of clean UTF-8; a new string or NULL. */
static char *
check_name(const char *s, const char *end)
{
	const char	*p;

	if (end - s > NAME_MAX_BYTES || !utf8_clean(s, end))
		return NULL;
	for (p = s; p < end; p++)
		if (space_at(p, end) > 0)
			return NULL;
	return xstrndup(s, (size_t)(end - s));
}

/* "Sales / Опт  Retail" becomes "Sales/Опт Retail"; NULL if malformed. */
static char *
check_path(const char *s, const char *end)
{
	struct buf	 b;
	const char	*p, *q, *e;

	if (end - s > PATH_MAX_BYTES || !utf8_clean(s, end))
		return NULL;
	buf_init(&b);
	for (p = s; p < end; p = q) {
		q = p;
		while (q < end && *q != '/')
			q++;
		/* One part [p, q): trimmed, inner blank runs collapsed. */
		p = skip_space(p, q);
		if (p == (e = trim_end(p, q))) {
			buf_release(&b);
			return NULL;	/* empty part: "a//b", "/a", "a/" */
		}
		while (p < e) {
			if (space_at(p, e) > 0) {
				buf_append_char(&b, ' ');
				p = skip_space(p, e);
			} else
				buf_append_char(&b, *p++);
		}
		if (q < end) {
			buf_append_char(&b, '/');
			if (++q == end) {
				buf_release(&b);
				return NULL;
			}
		}
	}
	return buf_steal(&b, NULL);
}

static char *
check_status(const char *s, const char *end)
{
	size_t	 i, len = (size_t)(end - s);

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (strlen(statuses[i]) == len &&
		    strncasecmp(statuses[i], s, len) == 0)
			return xstrdup(statuses[i]);
	return NULL;
}

/*
 * "a@b.example", "<a@b.example>" or "Name <a@b.example>": the bare address
 * or NULL.  Shape only (RFC 5321 dot-atom local part, or UTF-8 as RFC 6531
 * allows; a domain of at least two labels); whether it is deliverable is
 * for the smarthost to say.
 */
static char *
check_address(const char *s, const char *end)
{
	const char	*lt, *at = NULL, *p;

	if ((lt = memchr(s, '<', (size_t)(end - s))) != NULL) {
		if (end[-1] != '>')
			return NULL;
		s = lt + 1;
		end--;
	}
	if (end - s > 254 || !utf8_clean(s, end))
		return NULL;
	for (p = s; p < end; p++) {
		if (*p == '@') {
			if (at != NULL)
				return NULL;
			at = p;
		} else if ((unsigned char)*p <= ' ' ||
		    strchr("<>()[],;:\"\\", *p) != NULL)
			return NULL;
	}
	if (at == NULL || at == s || at - s > 64 || *s == '.' ||
	    at[-1] == '.' || memmem(s, (size_t)(at - s), "..", 2) != NULL)
		return NULL;
	if (!domain_ok(at + 1, end))
		return NULL;
	return xstrndup(s, (size_t)(end - s));
}

/* Labels of letters, digits, '-' or UTF-8, not edged by '-'; two or more. */
static bool
domain_ok(const char *s, const char *end)
{
	const char	*p, *label = s;
	int		 labels = 0;

	for (p = s; p <= end; p++) {
		if (p < end && *p != '.') {
			if (!((unsigned char)*p >= 0x80 || *p == '-' ||
			    (*p >= 'a' && *p <= 'z') ||
			    (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9')))
				return false;
			continue;
		}
		if (p == label || *label == '-' || p[-1] == '-')
			return false;
		labels++;
		label = p + 1;
	}
	return labels >= 2;
}

/* "43" or "#43": > 0 and no overflow. */
static bool
check_number(const char *s, const char *end, uint64_t *out)
{
	uint64_t	 v = 0;
	unsigned	 d;

	if (s < end && *s == '#')
		s++;
	if (s == end)
		return false;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return false;
		d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return v > 0;
}

/* Well-formed UTF-8 (RFC 3629) without C0, DEL or C1 controls. */
static bool
utf8_clean(const char *s, const char *end)
{
	size_t	 n;

	for (; s < end; s += n)
		if ((n = utf8_char(s, end)) == 0)
			return false;
	return true;
}

/* Length of the well-formed, non-control character at s, or 0. */
static size_t
utf8_char(const char *s, const char *end)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 k, n;

	if (*p < 0x20 || *p == 0x7f)
		return 0;
	if (*p < 0x80)
		return 1;
	if (*p >= 0xc2 && *p <= 0xdf)
		n = 2;
	else if (*p >= 0xe0 && *p <= 0xef)
		n = 3;
	else if (*p >= 0xf0 && *p <= 0xf4)
		n = 4;
	else
		return 0;
	if ((size_t)(end - s) < n)
		return 0;
	for (k = 1; k < n; k++)
		if ((p[k] & 0xc0) != 0x80)
			return 0;
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) ||
	    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f) ||
	    (p[0] == 0xc2 && p[1] < 0xa0))
		return 0;
	return n;
}

static void
add_command(struct mail_command_list *l, enum mail_command_kind kind,
    char *arg, uint64_t number, size_t line)
{
	struct mail_command	*c;

	l->commands = xreallocarray(l->commands, l->ncommands + 1,
	    sizeof(*l->commands));
	c = &l->commands[l->ncommands++];
	c->kind = kind;
	c->arg = arg;
	c->number = number;
	c->line = line;
}

static void
add_error(struct mail_command_list *l, size_t line, const char *fmt, ...)
{
	struct mail_command_error	*e;
	va_list				 ap;

	l->errors = xreallocarray(l->errors, l->nerrors + 1,
	    sizeof(*l->errors));
	e = &l->errors[l->nerrors++];
	e->line = line;
	va_start(ap, fmt);
	xvasprintf(&e->msg, fmt, ap);
	va_end(ap);
}

/*
 * The agent's argument, fit to quote back in one line of an answer: at
 * most max bytes, cut on a character boundary ("..." added); controls,
 * quotes and bytes that are not UTF-8 shown as '?'.
 */
static char *
echo(const char *s, const char *end, size_t max)
{
	struct buf	 b;
	const char	*p, *piece;
	size_t		 n, piecelen;

	buf_init(&b);
	for (p = s; p < end; p += n) {
		piece = p;
		piecelen = n = utf8_char(p, end);
		if (n == 0 || *p == '"') {
			piece = "?";
			piecelen = n = 1;
		}
		if (b.len + piecelen > max) {
			buf_append_str(&b, "...");
			break;
		}
		buf_append(&b, piece, piecelen);
	}
	return buf_steal(&b, NULL);
}

/*
 * rest: the note's first line (if "#note text"), then the text from rest
 * on, CR dropped, without leading or trailing blank lines.
 */
static void
set_rest(struct mail_command_list *l, const char *note, const char *noteend,
    const char *rest)
{
	struct buf	 b;
	struct line	 ln;
	size_t		 number = 0, keep = 0;

	buf_init(&b);
	if (note != NULL) {
		buf_append(&b, note, (size_t)(noteend - note));
		buf_append_char(&b, '\n');
		keep = b.len;
	}
	while (next_line(&rest, &number, &ln)) {
		if (b.len == 0 && is_blank(&ln))
			continue;
		buf_append(&b, ln.start, (size_t)(ln.end - ln.start));
		buf_append_char(&b, '\n');
		if (!is_blank(&ln))
			keep = b.len;
	}
	/* Drop trailing blank lines and the final line break. */
	b.len = keep > 0 ? keep - 1 : 0;
	b.data[b.len] = '\0';
	l->rest = buf_steal(&b, NULL);
}

/* Line of the first #note, for the "empty note" error. */
static size_t
note_line(const struct mail_command_list *l)
{
	size_t	 i;

	for (i = 0; i < l->ncommands; i++)
		if (l->commands[i].kind == MAIL_COMMAND_NOTE)
			return l->commands[i].line;
	return 0;
}
