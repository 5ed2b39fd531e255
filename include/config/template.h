/*
 * template: "{{name}}" substitution for mail the admin writes in the config
 * (acknowledgements now; notifications later).  Templates are compiled when
 * the config loads, so an unknown variable is a config error with a line
 * number, not a surprise when the first customer writes.
 */
#ifndef TRIAGED_TEMPLATE_H
#define TRIAGED_TEMPLATE_H

#include <stddef.h>

struct error;
struct template;

struct template_var {
	const char	*name;
	const char	*value;		/* UTF-8; NULL renders as "" */
};

/*
 * Compiles text.  allowed is a NULL-terminated list of variable names; a
 * name outside it, or an unclosed "{{", fails with ERR_PERM and a message
 * naming it.  Returns a new template; free with template_free().
 */
struct template	*template_compile(const char *text, const char *const *allowed,
		    struct error *err);
void		 template_free(struct template *);
/* Renders with vars; returns a new string the caller frees. */
char		*template_render(const struct template *,
		    const struct template_var *vars, size_t nvars);
/* The template's source text (borrowed). */
const char	*template_source(const struct template *);

/* Variables available to acknowledgement templates (NULL-terminated). */
extern const char *const template_ack_vars[];

#endif
