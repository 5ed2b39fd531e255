/*
 * dedupe: the key under which a message is stored once (promise 2).
 */
#ifndef TRIAGED_DEDUPE_H
#define TRIAGED_DEDUPE_H

#include <stddef.h>

struct parsed_message;

/*
 * Writes the dedupe key into out: "mid:" + the Message-ID when there is a
 * usable one, else "sha256:" + hex digest of the raw message with the
 * leading trace headers (Received, Return-Path, Delivered-To,
 * X-Original-To) skipped, so a redelivery through another hop still
 * matches.  outsize >= DEDUPE_KEY_MAX.
 */
#define DEDUPE_KEY_MAX	1024
void	dedupe_key(const struct parsed_message *, const char *raw, size_t len,
	    char *out, size_t outsize);

#endif
