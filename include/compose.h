/*
 * compose: the one module that writes header values of outgoing mail, so
 * no other module can inject CR/LF into them.  Non-ASCII header text is
 * RFC 2047 encoded (UTF-8, B) and folded; the body is UTF-8 text sent
 * quoted-printable.  Lines end in CRLF.
 */
#ifndef TRIAGED_COMPOSE_H
#define TRIAGED_COMPOSE_H

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

/* Appends the whole message to out; -1 + err on bad input (no address). */
int	 compose_build(const struct compose_msg *, struct buf *out,
	    struct error *err);
/*
 * A new Message-ID (without <>) unique to this host: "<tag>.<time>.<random>@<hostname>".
 * Caller frees.
 */
char	*compose_message_id(const char *tag, const char *hostname);

#endif
