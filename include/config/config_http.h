/*
 * config_http: the `http` and `metrics` sections of the config file, the
 * daemon's HTTP listener (issue 18) and, optionally, a listener of its
 * own for /metrics:
 *
 *	http = {
 *		address = "127.0.0.1"; port = 8025;
 *		tls = { certificate = "..."; key = "..."; };	# optional
 *		max_header_size = 8192; max_body_size = 1048576;
 *		max_connections = 64; timeout = 30;
 *		session_lifetime = 28800;		# the dashboard's
 *		login_failures = 5; login_window = 900; login_lock = 900;
 *	};
 *	metrics = { address = "127.0.0.1"; port = 9125; };
 *
 * http.sources lists who may post requests to /api/v1/requests, each
 * with its bearer token (inline or token_file, at least 16 characters),
 * the browser origins it may post from (none: any, and requests without
 * an Origin header), and a rate limit (requests per minute, 0: none):
 *
 *	sources = ( { name = "webshop"; token_file = "webshop.token";
 *	    origins = [ "https://shop.example.com" ]; rate_limit = 60; } );
 *
 * http.forms lists the HTML forms a website may post to /form/NAME
 * (urlencoded): which form field holds the sender's address, name,
 * subject and text, a honeypot field (filled: a robot, nothing stored),
 * the origins allowed, posts per client address a minute, the largest
 * body, and the page to send the browser to afterwards:
 *
 *	forms = ( { name = "contact"; from = "email"; name_field = "name";
 *	    subject = "topic"; text = "message"; honeypot = "website";
 *	    origins = [ "https://www.example.com" ]; rate_limit = 5;
 *	    max_size = 65536;
 *	    redirect = "https://www.example.com/thanks"; } );
 *
 * Without an `http` section there is no HTTP listener; without a
 * `metrics` section /metrics is served on the http listener.
 */
#ifndef TRIAGED_CONFIG_HTTP_H
#define TRIAGED_CONFIG_HTTP_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>

struct config;
struct config_loader;

/* A client of the JSON intake (http.sources). */
struct config_http_source {
	char		*name;		/* [A-Za-z0-9_.-]+, unique */
	char		*token;		/* the bearer token */
	char		**origins;	/* NULL-terminated; NULL: any */
	size_t		 norigins;
	int		 rate_limit;	/* requests a minute; 0: none */
};

/* A web form posting to /form/NAME (http.forms). */
struct config_http_form {
	char		*name;		/* [A-Za-z0-9_.-]+, unique */
	/* form field names; from and text required, the others NULL */
	char		*from;
	char		*name_field;
	char		*subject;
	char		*text;
	char		*honeypot;
	char		**origins;	/* NULL-terminated; NULL: any */
	size_t		 norigins;
	int		 rate_limit;	/* a minute a client; 0: none */
	size_t		 max_size;	/* bytes of body */
	char		*redirect;	/* 303 there; NULL: a page */
};

/* One HTTP listener's settings; borrowed from the config. */
/*
 * The limits' defaults (config_schema.c's rows name them too): what a
 * small intake API needs and no more: 8 KiB of headers (what nginx and
 * Apache accept by default), 10 MiB of body (a request with a few
 * attachments in base64), 64 connections, 30 seconds for a whole request.
 */
#define CONFIG_HTTP_HEADER_DEFAULT	8192
#define CONFIG_HTTP_BODY_DEFAULT	(10 * 1024 * 1024)
#define CONFIG_HTTP_CONN_DEFAULT	64
#define CONFIG_HTTP_TIMEOUT_DEFAULT	30
/* A bearer token shorter than this is refused. */
#define CONFIG_HTTP_TOKEN_MIN		16
/*
 * The dashboard's sessions and login throttle (http_dash.c): a session
 * lasts session_lifetime seconds from the login; login_failures failed
 * logins from one address, or for one account name, within
 * login_window seconds lock it for login_lock seconds.
 */
#define CONFIG_HTTP_SESSION_DEFAULT	(8 * 3600)
#define CONFIG_HTTP_FAILURES_DEFAULT	5
#define CONFIG_HTTP_WINDOW_DEFAULT	(15 * 60)
#define CONFIG_HTTP_LOCK_DEFAULT	(15 * 60)
/* A form's max_size default. */
#define CONFIG_HTTP_FORM_SIZE_DEFAULT	65536

struct config_http_listen {
	char		*address;	/* literal IPv4 or IPv6 */
	int		 port;		/* 0: any free port (tests) */
	char		*tls_certificate;	/* NULL: plain HTTP */
	char		*tls_key;
	size_t		 max_header_size; /* request line + headers */
	size_t		 max_body_size;
	int		 max_connections;
	int		 timeout;	/* seconds for a whole request */
	int		 session_lifetime;	/* the dashboard's, seconds */
	int		 login_failures;	/* within login_window ... */
	int		 login_window;		/* seconds */
	int		 login_lock;		/* ... lock for this long */
	struct config_http_source *sources;	/* http only */
	size_t		 nsources;
	struct config_http_form	*forms;		/* http only */
	size_t		 nforms;
};

/* The section's hooks (config_section.h), listed in config_sections[]. */
void	config_http_init(struct config *);
void	config_http_load(struct config_loader *, config_setting_t *);
void	config_http_load_metrics(struct config_loader *,
	    config_setting_t *);
void	config_http_free(struct config *);

/* The http listener, or NULL when the file has no `http` section. */
const struct config_http_listen	*config_http(const struct config *);
/*
 * The metrics listener, or NULL when /metrics is served on the http
 * listener (no `metrics` section).  Its limits are the http ones.
 */
const struct config_http_listen	*config_http_metrics(
				    const struct config *);
/*
 * The source whose token is token (compared in constant time), or
 * NULL; borrowed from the config.
 */
const struct config_http_source *config_http_source_by_token(
	    const struct config *, const char *token);
/* The form called name, or NULL; borrowed from the config. */
const struct config_http_form *config_http_form(const struct config *,
	    const char *name);
/*
 * Do a and b have the same listeners: sockets, limits and TLS (a reload
 * cannot rebind and keeps them; sources and forms apply at once)?
 */
bool	config_http_same_listen(const struct config *a,
	    const struct config *b);

#endif
