/*
 * fuzz_imap: a hostile or broken IMAP server's bytes (issue 20) through
 * the stream guard of imap_stream.c into libetpan's response parser, as an
 * IMAP worker reads them.  imap_stream_parse() plays the server from
 * memory: a greeting, then responses, until the bytes end.
 *
 * Input: byte 0 picks how many bytes each read returns (0: as many as
 * libetpan asks for, else 1 to 255: lines and literals split anywhere) and,
 * with its top bit, small limits (a 64-byte literal, a 256-byte line,
 * depth 8), so short inputs reach the guard's refusals; the rest is the
 * server's stream.
 *
 * Checks beyond crashes, leaks and timeouts (libFuzzer's: a hang inside
 * libetpan is one): the result is a count of responses or -1 with a
 * fault the header names and an error message; the same bytes are
 * accepted or refused, with the same count, however they are split, so
 * no verdict depends on where a read ended (the guard scans a byte
 * stream, not reads).  Which refusal comes first may differ: with larger
 * reads the guard sees bytes libetpan has not parsed yet, and may fault
 * on them before libetpan would have refused an earlier response.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "error.h"
#include "fuzz.h"
#include "imap_stream.h"

#define SMALL	0x80

static long	parse(const uint8_t *, size_t, size_t, bool,
		    enum imap_stream_fault *, struct error *);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum imap_stream_fault f_split, f_whole;
	struct error err;
	size_t chunk;
	bool small;
	long n_split, n_whole;

	if (size < 1)
		return 0;
	chunk = data[0] & ~SMALL;
	small = (data[0] & SMALL) != 0;
	data++;
	size--;

	n_split = parse(data, size, chunk, small, &f_split, &err);
	if (n_split < -1)
		fuzz_fail("imap_stream_parse returned %ld", n_split);
	if (n_split == -1 && err.msg[0] == '\0')
		fuzz_fail("a refusal without a reason (fault %d)",
		    (int)f_split);
	if (n_split >= 0 && f_split != IMAP_STREAM_OK)
		fuzz_fail("%ld responses with fault %d", n_split,
		    (int)f_split);
	if (n_split == -1 && f_split != IMAP_STREAM_OK &&
	    !imap_stream_fault_is_data(f_split) &&
	    f_split != IMAP_STREAM_CLOSED)
		fuzz_fail("fault %d from bytes in memory: no socket, no clock "
		    "(%s)", (int)f_split, err.msg);
	if (chunk == 0)
		return 0;

	n_whole = parse(data, size, 0, small, &f_whole, &err);
	if (n_whole != n_split)
		fuzz_fail("split in %zu-byte reads: %ld (fault %d); whole: "
		    "%ld (fault %d)", chunk, n_split, (int)f_split, n_whole,
		    (int)f_whole);
	return 0;
}

static long
parse(const uint8_t *data, size_t size, size_t chunk, bool small,
    enum imap_stream_fault *fault, struct error *err)
{
	struct imap_stream_limits lim;

	imap_stream_limits_default(&lim, 1024 * 1024);
	if (small) {
		lim.max_line = 256;
		lim.max_literal = 64;
		lim.max_depth = 8;
		lim.max_open = 16;
	}
	error_clear(err);
	return imap_stream_parse(data, size, chunk, &lim, fault, err);
}
