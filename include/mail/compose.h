/*
 * compose: the one module that writes header values of outgoing mail, so
 * no other module can inject CR/LF into them.  Non-ASCII header text is
 * RFC 2047 encoded (UTF-8, B) and folded; the body is UTF-8 text sent
 * quoted-printable.  Lines end in CRLF.
 */
#ifndef TRIAGED_COMPOSE_H
#define TRIAGED_COMPOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct buf;
struct error;

struct compose_msg {
	const char	*from_name;	/* may be NULL */
	const char	*from_addr;
	const char	*to_name;	/* may be NULL */
	const char	*to_addr;
	const char	*subject;	/* UTF-8 */
	const char	*message_id;	/* without <> */
	const char	*in_reply_to;	/* without <>, may be NULL */
	const char	*const *references;	/* without <>, may be NULL */
	size_t		 nreferences;
	const char	*auto_submitted;	/* "auto-replied" or NULL */
	const char	*x_loop;	/* our address, or NULL */
	const char	*body;		/* UTF-8 text */
	time_t		 date;
};

/*
 * True if addr is an address we can write into a header and an SMTP
 * envelope and expect a mail server to route: local@domain, the local
 * part dot-separated atoms of printable ASCII (no quoted strings, at most
 * 64 bytes), the domain at least two dot-separated labels of letters,
 * digits and inner hyphens (no trailing dot, no literal), 254 bytes in
 * all.  Everything we send to a customer, agent or manager passes here,
 * so one rule decides and a broken From is stored but never answered.
 */
bool	 compose_address_ok(const char *addr);

/* Appends the whole message to out; -1 + err on bad input (no address). */
int	 compose_build(const struct compose_msg *, struct buf *out,
	    struct error *err);
/*
 * A new Message-ID (without <>) unique to this host: "<tag>.<time>.<random>@<hostname>".
 * Caller frees.
 */
char	*compose_message_id(const char *tag, const char *hostname);

#endif
