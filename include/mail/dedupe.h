/*
 * dedupe: the key under which a message is stored once (promise 2).
 */
#ifndef TRIAGED_DEDUPE_H
#define TRIAGED_DEDUPE_H

#include <stddef.h>

struct parsed_message;

/*
 * Writes the dedupe key into out: "mid:" + the Message-ID when there is a
 * usable one (trimmed; not empty, at most 900 bytes, no blanks or control
 * characters), else "sha256:" + hex digest of the raw message with the
 * leading trace block skipped (an mbox "From " line, Received,
 * X-Received, Return-Path, Delivered-To, X-Original-To, X-Envelope-*,
 * Received-SPF, Authentication-Results, ARC-*, X-Spam-*, X-Virus-Scanned
 * and their continuation lines) and CRLF hashed as LF, so a redelivery
 * through another hop or another line-end convention still matches.
 * pm may be NULL (digest only); raw is len bytes, binary-safe.  out is
 * always NUL-terminated; outsize >= DEDUPE_KEY_MAX.  Never fails (aborts
 * only if OpenSSL cannot allocate).
 */
#define DEDUPE_KEY_MAX	1024
void	dedupe_key(const struct parsed_message *, const char *raw, size_t len,
	    char *out, size_t outsize);

#endif
