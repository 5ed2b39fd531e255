/*
 * http_pages: the dashboard's pages (issue 18), rendered as HTML into a
 * buffer from the store's read functions, on the dashboard's reader
 * thread (http_dash.c), never on the event loop.  Every text from the
 * database goes through html_printf (html_out.h).  No JavaScript: forms
 * and links only; charts are inline SVG.
 *
 * Who sees what: a manager every request; an agent the requests of the
 * categories he serves (config_agents_serves) and those assigned to
 * him.  Reports and the agents' load are team figures: managers only.
 */
#ifndef TRIAGED_HTTP_PAGES_H
#define TRIAGED_HTTP_PAGES_H

#include <stdbool.h>
#include <time.h>

struct agent;
struct buf;
struct config;
struct evkeyvalq;
struct store;

/* What a page gives back to the HTTP side. */
struct http_page {
	int		 code;		/* 200, 403, 404, 500, 503 */
	struct buf	*body;		/* the page (or a file's bytes) */
	const char	*content_type;	/* NULL: HTML */
	char		*disposition;	/* Content-Disposition, or NULL */
};

/* The viewer and what the page needs to know of the request. */
struct http_viewer {
	const struct config	*cfg;
	const struct agent	*agent;
	const char		*logout_token;	/* the logout form's CSRF */
	time_t			 now;
};

/*
 * Renders path (the URL's path, percent-decoding not needed: pages take
 * digits and query parameters) with query (parsed; may be empty) into
 * page.  Unknown paths: 404.
 */
void	http_pages_render(struct store *, const struct http_viewer *,
	    const char *path, const struct evkeyvalq *query,
	    struct http_page *page);
/* Does agent a see a request of category, assigned to assignee? */
bool	http_pages_may_see(const struct agent *a, const char *category,
	    const char *assignee);
/*
 * The login page: message (NULL: none) shown above the form, csrf the
 * token in its hidden field.
 */
void	http_pages_login(struct buf *, const char *message,
	    const char *csrf);
/* A small page with one line of text (errors, refusals). */
void	http_pages_message(struct buf *, const char *title,
	    const char *text);

#endif
