/*
 * config_include: every @include resolved as libconfig 1.5 resolves it,
 * and refused unless it is a regular file (see config_include.h).
 *
 * The scan follows libconfig's scanner closely enough to find exactly
 * the includes it will open: "@include" counts only at the start of a
 * line (after blanks) outside a block comment and outside a string, the
 * name runs to the first unescaped '"' (it may span lines) with \\ and
 * \" as its only escapes, and libconfig joins it to the include
 * directory with a '/' even when it is absolute.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "config_include.h"
#include "xmalloc.h"

/* libconfig's MAX_INCLUDE_DEPTH: deeper, it refuses on its own. */
#define INCLUDE_DEPTH_MAX	10

static char	*check_file(const char *, const char *, int);

/* The whole file, NUL-terminated; NULL if it cannot be read. */
static char *
slurp(const char *path, size_t *len)
{
	struct buf	 b;
	char		 chunk[8192];
	size_t		 n;
	FILE		*f;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	if (ferror(f)) {
		fclose(f);
		buf_release(&b);
		return NULL;
	}
	fclose(f);
	return buf_steal(&b, len);
}

/*
 * If text+i starts an include ("[ \t]*@include[ \t]+\""), the offset
 * just past the opening quote, else 0.
 */
static size_t
include_start(const char *text, size_t len, size_t i)
{
	static const char	 kw[] = "@include";

	while (i < len && (text[i] == ' ' || text[i] == '\t'))
		i++;
	if (len - i < sizeof(kw) - 1 ||
	    memcmp(text + i, kw, sizeof(kw) - 1) != 0)
		return 0;
	i += sizeof(kw) - 1;
	if (i >= len || (text[i] != ' ' && text[i] != '\t'))
		return 0;
	while (i < len && (text[i] == ' ' || text[i] == '\t'))
		i++;
	return i < len && text[i] == '"' ? i + 1 : 0;
}

/* The name from text+*i to its closing quote; *i past it; lines counted. */
static char *
include_name(const char *text, size_t len, size_t *i, int *line)
{
	struct buf	 name;

	buf_init(&name);
	while (*i < len && text[*i] != '"') {
		if (text[*i] == '\\' && *i + 1 < len &&
		    (text[*i + 1] == '\\' || text[*i + 1] == '"'))
			(*i)++;
		else if (text[*i] == '\n')
			(*line)++;
		buf_append_char(&name, text[*i]);
		(*i)++;
	}
	if (*i < len)
		(*i)++;		/* the closing quote */
	return buf_steal(&name, NULL);
}

/* One include: NULL if libconfig may open it (or will refuse it itself). */
static char *
check_include(const char *file, int line, const char *name,
    const char *include_dir, int depth)
{
	struct stat	 st;
	char		*path, *err = NULL;
	const char	*what;

	if (include_dir != NULL)
		xasprintf(&path, "%s/%s", include_dir, name);
	else
		path = xstrdup(name);
	if (stat(path, &st) == -1) {
		/* libconfig: "cannot open include file", file and line */
		free(path);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		what = S_ISDIR(st.st_mode) ? "is a directory" :
		    "is not a regular file";
		xasprintf(&err, "%s:%d: @include \"%s\": %s %s", file, line,
		    name, path, what);
	} else if (depth < INCLUDE_DEPTH_MAX)
		err = check_file(path, include_dir, depth + 1);
	free(path);
	return err;
}

static char *
check_text(const char *file, const char *text, size_t len,
    const char *include_dir, int depth)
{
	size_t	 i = 0, at;
	int	 line = 1, at_line;
	bool	 bol = true;
	char	*name, *err;

	while (i < len) {
		if (bol && (at = include_start(text, len, i)) != 0) {
			at_line = line;
			i = at;
			name = include_name(text, len, &i, &line);
			err = check_include(file, at_line, name, include_dir,
			    depth);
			free(name);
			if (err != NULL)
				return err;
			bol = false;
			continue;
		}
		bol = false;
		switch (text[i]) {
		case '\n':
			line++;
			bol = true;
			i++;
			break;
		case '"':		/* a string: skip to its end */
			for (i++; i < len && text[i] != '"'; i++) {
				if (text[i] == '\\' && i + 1 < len)
					i++;
				if (text[i] == '\n')
					line++;
			}
			i++;
			break;
		case '/':
			if (i + 1 < len && text[i + 1] == '*') {
				for (i += 2; i < len && !(text[i] == '*' &&
				    i + 1 < len && text[i + 1] == '/'); i++)
					if (text[i] == '\n')
						line++;
				i += 2;
			} else if (i + 1 < len && text[i + 1] == '/')
				i += strcspn(text + i, "\n");
			else
				i++;
			break;
		case '#':
			i += strcspn(text + i, "\n");
			break;
		default:
			i++;
		}
	}
	return NULL;
}

static char *
check_file(const char *file, const char *include_dir, int depth)
{
	char	*text, *err;
	size_t	 len;

	/* Unreadable: libconfig fails on it with its own error. */
	if ((text = slurp(file, &len)) == NULL)
		return NULL;
	err = check_text(file, text, len, include_dir, depth);
	free(text);
	return err;
}

char *
config_include_check(const char *file, const char *include_dir)
{
	return check_file(file, include_dir, 0);
}
