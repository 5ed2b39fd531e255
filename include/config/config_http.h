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
 *	};
 *	metrics = { address = "127.0.0.1"; port = 9125; };
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

/* One HTTP listener's settings; borrowed from the config. */
struct config_http_listen {
	char		*address;	/* literal IPv4 or IPv6 */
	int		 port;		/* 0: any free port (tests) */
	char		*tls_certificate;	/* NULL: plain HTTP */
	char		*tls_key;
	size_t		 max_header_size;	/* request line + headers */
	size_t		 max_body_size;
	int		 max_connections;
	int		 timeout;	/* seconds for a whole request */
};

/* The section's hooks (config_section.h), listed in config_sections[]. */
void	config_http_init(struct config *);
void	config_http_load(struct config_loader *, config_setting_t *);
void	config_http_load_metrics(struct config_loader *, config_setting_t *);
void	config_http_free(struct config *);

/* The http listener, or NULL when the file has no `http` section. */
const struct config_http_listen	*config_http(const struct config *);
/*
 * The metrics listener, or NULL when /metrics is served on the http
 * listener (no `metrics` section).  Its limits are the http ones.
 */
const struct config_http_listen	*config_http_metrics(const struct config *);
/* Do a and b bind the same sockets (a reload cannot rebind)? */
bool	config_http_same_listen(const struct config *a,
	    const struct config *b);

#endif
