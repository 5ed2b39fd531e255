/*
 * dedupe: the key under which a message is stored once (promise 2: the
 * same message arriving again changes nothing).  message.c stores the key
 * under a UNIQUE constraint; this file only computes it.
 *
 * The Message-ID is the key when it is usable: "mid:<id>".  Where it is
 * missing or unusable (empty, over 900 bytes, blanks or control
 * characters: some MTAs and scripts write junk there), the key is
 * "sha256:<hex>" over the raw message as it left its author, as far as we
 * can tell: the trace block that delivery adds at the top (Received,
 * Return-Path, Delivered-To, ... see trace_headers) is skipped, and CRLF
 * is hashed as LF, because the same message redelivered through another
 * hop, another mailbox or IMAP instead of LMTP differs in exactly those.
 * Only the leading block is skipped: a trace header below the first
 * author header is part of the message.
 *
 * Message-IDs are compared byte for byte: RFC 5322 gives them no case
 * rules we could rely on, and a false "duplicate" would lose mail.
 */

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "dedupe.h"
#include "log.h"
#include "mime.h"

/* Longer Message-IDs are junk (RFC 5322 lines are at most 998 bytes). */
#define DEDUPE_MID_MAX	900

static bool	 mid_usable(const char *, size_t);
static bool	 mid_trimmed(const char *, const char **, size_t *);
static size_t	 line_end(const char *, size_t, size_t);
static bool	 is_trace_header(const char *, size_t);
static size_t	 skip_trace(const char *, size_t);
static bool	 digest_lf(const char *, size_t, unsigned char *,
		    unsigned int *);
static void	 digest_key(const char *, size_t, char *, size_t);

/*
 * Header names (case-insensitive) that receiving hops put on top of a
 * message.  A name ending in '-' is a prefix ("X-Envelope-From").
 */
static const char *const trace_headers[] = {
	"Received",
	"X-Received",
	"Return-Path",
	"Delivered-To",
	"X-Original-To",
	"X-Envelope-",
	"Received-SPF",
	"Authentication-Results",
	"ARC-",			/* ARC-Seal, ARC-Message-Signature */
	"X-Spam-",		/* SpamAssassin on the receiving side */
	"X-Virus-Scanned",
	NULL
};

void
dedupe_key(const struct parsed_message *pm, const char *raw, size_t len,
    char *out, size_t outsize)
{
	const char	*mid;
	size_t		 midlen;

	if (outsize == 0)
		return;
	if (pm != NULL && mid_trimmed(pm->message_id, &mid, &midlen) &&
	    mid_usable(mid, midlen) && midlen + 5 <= outsize) {
		(void)snprintf(out, outsize, "mid:%.*s", (int)midlen, mid);
		return;
	}
	digest_key(raw != NULL ? raw : "", raw != NULL ? len : 0, out,
	    outsize);
}

/* The id without surrounding blanks (and stray <> mime.c left on). */
static bool
mid_trimmed(const char *id, const char **start_out, size_t *len_out)
{
	size_t	len;

	if (id == NULL)
		return false;
	while (*id == ' ' || *id == '\t' || *id == '\r' || *id == '\n')
		id++;
	len = strlen(id);
	while (len > 0 && (id[len - 1] == ' ' || id[len - 1] == '\t' ||
	    id[len - 1] == '\r' || id[len - 1] == '\n'))
		len--;
	if (len >= 2 && id[0] == '<' && id[len - 1] == '>') {
		id++;
		len -= 2;
	}
	*start_out = id;
	*len_out = len;
	return true;
}

static bool
mid_usable(const char *id, size_t len)
{
	size_t	i;

	if (len == 0 || len > DEDUPE_MID_MAX)
		return false;
	for (i = 0; i < len; i++)
		if ((unsigned char)id[i] <= 0x20 || id[i] == 0x7f)
			return false;
	return true;
}

/* Offset just past the line starting at pos (its LF included). */
static size_t
line_end(const char *raw, size_t len, size_t pos)
{
	const char	*nl;

	nl = memchr(raw + pos, '\n', len - pos);
	return nl == NULL ? len : (size_t)(nl - raw) + 1;
}

/* Does the header line of n bytes at line start with a trace name? */
static bool
is_trace_header(const char *line, size_t n)
{
	const char	*const *h;
	const char	*colon;
	size_t		 hl, namelen;

	if ((colon = memchr(line, ':', n)) == NULL)
		return false;
	namelen = (size_t)(colon - line);
	while (namelen > 0 && (line[namelen - 1] == ' ' ||
	    line[namelen - 1] == '\t'))
		namelen--;
	for (h = trace_headers; *h != NULL; h++) {
		hl = strlen(*h);
		if ((*h)[hl - 1] == '-' ? namelen > hl : namelen == hl)
			if (strncasecmp(line, *h, hl) == 0)
				return true;
	}
	return false;
}

/*
 * Offset of the first byte after the leading trace block: an mbox "From "
 * line, then trace headers with their folded continuation lines.
 */
static size_t
skip_trace(const char *raw, size_t len)
{
	size_t	pos = 0, next;

	if (len >= 5 && memcmp(raw, "From ", 5) == 0)
		pos = line_end(raw, len, 0);
	while (pos < len) {
		next = line_end(raw, len, pos);
		if (!is_trace_header(raw + pos, next - pos))
			break;
		pos = next;
		while (pos < len && (raw[pos] == ' ' || raw[pos] == '\t'))
			pos = line_end(raw, len, pos);
	}
	return pos;
}

/* SHA-256 of len bytes at raw with every CRLF fed as LF. */
static bool
digest_lf(const char *raw, size_t len, unsigned char *md, unsigned int *mdlen)
{
	EVP_MD_CTX	*ctx;
	const char	*cr;
	size_t		 pos = 0, n;
	bool		 ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return false;
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
	while (ok && pos < len) {
		cr = memchr(raw + pos, '\r', len - pos);
		n = cr == NULL ? len - pos : (size_t)(cr - raw) - pos;
		ok = EVP_DigestUpdate(ctx, raw + pos, n) == 1;
		pos += n;
		if (cr != NULL) {
			/* Drop the CR of a CRLF; keep a lone CR. */
			if (ok && (pos + 1 >= len || raw[pos + 1] != '\n'))
				ok = EVP_DigestUpdate(ctx, "\r", 1) == 1;
			pos++;
		}
	}
	if (ok)
		ok = EVP_DigestFinal_ex(ctx, md, mdlen) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

static void
digest_key(const char *raw, size_t len, char *out, size_t outsize)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen = 0, i;
	char			 key[7 + 2 * EVP_MAX_MD_SIZE + 1];
	size_t			 skip, k;

	skip = skip_trace(raw, len);
	/*
	 * SHA-256 fails only when OpenSSL cannot allocate; a made-up key
	 * could make two messages "duplicates" and lose one, so abort like
	 * xmalloc does.
	 */
	if (!digest_lf(raw + skip, len - skip, md, &mdlen))
		fatalx("dedupe: SHA-256 digest failed");
	memcpy(key, "sha256:", 7);
	for (i = 0, k = 7; i < mdlen; i++) {
		key[k++] = hex[md[i] >> 4];
		key[k++] = hex[md[i] & 0xf];
	}
	key[k] = '\0';
	(void)snprintf(out, outsize, "%s", key);
}
