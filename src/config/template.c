/*
 * template: "{{name}}" substitution for text the admin writes in the config.
 *
 * A template is compiled once, when the config loads, into a list of
 * pieces: literal text and variable references.  Compiling is where every
 * mistake is caught (unknown variable, unclosed "{{"), so rendering cannot
 * fail: a variable without a value renders as "".
 *
 * Syntax, kept deliberately small:
 *   {{name}}, {{ name }}  the value of variable name (blanks allowed)
 *   \{{                   a literal "{{" (the backslash is dropped)
 * Everything else, including a lone "{", "}}" or "\", is literal text.
 * Values are inserted as they are: making them safe for a header is
 * compose.c's job, the one module that writes header values.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "template.h"
#include "xmalloc.h"

enum template_piece_kind {
	TEMPLATE_LITERAL,
	TEMPLATE_VARIABLE
};

struct template_piece {
	enum template_piece_kind kind;
	char			*text;	/* literal, or var name */
	size_t			 len;
};

struct template {
	char			*source;
	struct template_piece	*pieces;
	size_t			 npieces;
};

const char *const template_ack_vars[] = {
	"id",
	"token",
	"subject",
	"customer_name",
	"customer_email",
	"original_text",
	"quoted_text",
	"support_address",
	"support_name",
	"suggestions",
	NULL
};

static void	 template_add(struct template *, enum template_piece_kind,
		    const char *, size_t);
static void	 template_add_literal(struct template *, struct buf *);
static const char *template_variable(struct template *, const char *,
		    const char *const *, struct error *);
static bool	 template_allowed(const char *, size_t, const char *const *);
static bool	 template_name_valid(const char *, size_t);
static const char *template_lookup(const char *, size_t,
		    const struct template_var *, size_t);

struct template *
template_compile(const char *text, const char *const *allowed,
    struct error *err)
{
	struct template *t;
	struct buf literal;
	const char *p;

	t = xcalloc(1, sizeof(*t));
	t->source = xstrdup(text);
	/* Parse the copy, so offsets in messages are offsets in source. */
	p = t->source;
	buf_init(&literal);
	while (*p != '\0') {
		if (p[0] == '\\' && p[1] == '{' && p[2] == '{') {
			buf_append(&literal, "{{", 2);
			p += 3;
		} else if (p[0] == '{' && p[1] == '{') {
			/* The literal before a variable ends here. */
			template_add_literal(t, &literal);
			p = template_variable(t, p, allowed, err);
			if (p == NULL) {
				buf_release(&literal);
				template_free(t);
				return NULL;
			}
		} else
			buf_append_char(&literal, *p++);
	}
	template_add_literal(t, &literal);
	buf_release(&literal);
	return t;
}

void
template_free(struct template *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->npieces; i++)
		free(t->pieces[i].text);
	free(t->pieces);
	free(t->source);
	free(t);
}

char *
template_render(const struct template *t, const struct template_var *vars,
    size_t nvars)
{
	const struct template_piece *piece;
	const char *value;
	struct buf out;
	char *result;
	size_t i;

	buf_init(&out);
	for (i = 0; i < t->npieces; i++) {
		piece = &t->pieces[i];
		if (piece->kind == TEMPLATE_LITERAL) {
			buf_append(&out, piece->text, piece->len);
			continue;
		}
		value = template_lookup(piece->text, piece->len, vars, nvars);
		if (value != NULL)
			buf_append_str(&out, value);
	}
	result = buf_steal(&out, NULL);
	buf_release(&out);	/* steal leaves an empty buffer */
	return result;
}

const char *
template_source(const struct template *t)
{
	return t->source;
}

static void
template_add(struct template *t, enum template_piece_kind kind,
    const char *text, size_t len)
{
	struct template_piece *piece;

	t->pieces = xreallocarray(t->pieces, t->npieces + 1,
	    sizeof(*t->pieces));
	piece = &t->pieces[t->npieces++];
	piece->kind = kind;
	piece->text = xstrndup(text, len);
	piece->len = len;
}

static void
template_add_literal(struct template *t, struct buf *literal)
{
	if (literal->len == 0)
		return;
	template_add(t, TEMPLATE_LITERAL, literal->data, literal->len);
	buf_reset(literal);
}

/*
 * Parses the "{{ name }}" at open and adds it; returns the text after the
 * closing "}}", or NULL with err filled.
 */
static const char *
template_variable(struct template *t, const char *open,
    const char *const *allowed, struct error *err)
{
	const char *name, *end, *close;
	size_t len;

	close = strstr(open + 2, "}}");
	if (close == NULL) {
		error_set(err, ERR_PERM, "unclosed '{{' in template at "
		    "offset %zu", (size_t)(open - t->source));
		return NULL;
	}
	name = open + 2;
	while (name < close && (*name == ' ' || *name == '\t'))
		name++;
	end = close;
	while (end > name && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	len = (size_t)(end - name);
	if (len == 0) {
		error_set(err, ERR_PERM, "empty variable name in template");
		return NULL;
	}
	if (!template_name_valid(name, len)) {
		error_set(err, ERR_PERM, "bad variable name '%.*s' in template",
		    (int)(len > 64 ? 64 : len), name);
		return NULL;
	}
	if (!template_allowed(name, len, allowed)) {
		error_set(err, ERR_PERM, "unknown variable '%.*s' in template",
		    (int)len, name);
		return NULL;
	}
	template_add(t, TEMPLATE_VARIABLE, name, len);
	return close + 2;
}

/* allowed NULL accepts any well-formed name. */
static bool
template_allowed(const char *name, size_t len, const char *const *allowed)
{
	size_t i;

	if (allowed == NULL)
		return true;
	for (i = 0; allowed[i] != NULL; i++) {
		if (strlen(allowed[i]) == len &&
		    memcmp(allowed[i], name, len) == 0)
			return true;
	}
	return false;
}

static bool
template_name_valid(const char *name, size_t len)
{
	size_t i;
	char ch;

	for (i = 0; i < len; i++) {
		ch = name[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '_'))
			return false;
	}
	return true;
}

static const char *
template_lookup(const char *name, size_t len, const struct template_var *vars,
    size_t nvars)
{
	size_t i;

	for (i = 0; i < nvars; i++) {
		if (vars[i].name != NULL && strlen(vars[i].name) == len &&
		    memcmp(vars[i].name, name, len) == 0)
			return vars[i].value;
	}
	return NULL;
}
