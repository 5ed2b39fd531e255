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

/* A mailbox in To or Cc. */
struct compose_addr {
	const char	*name;		/* may be NULL */
	const char	*addr;
};

/*
 * An attachment: either a whole MIME entity as it came (its header and
 * body bytes, passed through with line ends made CRLF: an agent's files
 * go out byte for byte), or bytes with a type and a file name, which
 * compose encodes (base64, RFC 2231 file name).
 */
struct compose_part {
	const char	*entity;	/* non-NULL: a whole MIME entity */
	size_t		 entity_len;
	const char	*content_type;	/* "application/pdf"; NULL: octet-stream */
	const char	*filename;	/* UTF-8; may be NULL */
	const void	*data;
	size_t		 len;
};

struct compose_msg {
	const char	*from_name;	/* may be NULL */
	const char	*from_addr;
	const struct compose_addr *to;	/* at least one */
	size_t		 nto;
	const struct compose_addr *cc;	/* may be NULL */
	size_t		 ncc;
	const char	*reply_to;	/* an address, or NULL */
	const char	*subject;	/* UTF-8 */
	const char	*message_id;	/* without <> */
	const char	*in_reply_to;	/* without <>, may be NULL */
	const char	*const *references;	/* without <>, may be NULL */
	size_t		 nreferences;
	const char	*auto_submitted;	/* "auto-replied" or NULL */
	const char	*x_loop;	/* our address, or NULL */
	const char	*content_language;	/* RFC 3282 "pl", or NULL */
	const char	*body;		/* UTF-8 text */
	const char	*html;		/* NULL, or an HTML alternative */
	const struct compose_part *parts;	/* attachments, may be NULL */
	size_t		 nparts;
	time_t		 date;
};

/*
 * Appends the whole message to out: text/plain alone, or inside
 * multipart/alternative with html, inside multipart/mixed with parts.
 * Recipients that fail address_ok are left out; -1 + err
 * (ERR_PERM) when From or every To is unusable.
 */
int	 compose_build(const struct compose_msg *, struct buf *out,
	    struct error *err);
/*
 * A new Message-ID (without <>) unique to this host: "<tag>.<time>.<random>@<hostname>".
 * Caller frees.
 */
char	*compose_message_id(const char *tag, const char *hostname);

#endif
