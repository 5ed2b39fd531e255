/*
 * fuzz: what the libFuzzer harnesses of tests/fuzz share.  A harness calls
 * the library the way its callers in the daemon do, with input shaped as
 * they would hand it on, and turns a broken contract (text promised as
 * UTF-8 that is not, a line break in a one-line message ...) into an
 * abort, which libFuzzer reports with the input that caused it.
 */
#ifndef TRIAGED_FUZZ_H
#define TRIAGED_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* libFuzzer's entry points, defined by every harness. */
int	 LLVMFuzzerInitialize(int *argc, char ***argv);
int	 LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Logs errors only: the library logs a line per message or session at
 * info level, which would drown libFuzzer's own output.
 */
void	 fuzz_quiet(void);
/*
 * The input as the parser hands text to the later stages: valid UTF-8
 * without NUL bytes (charset_to_utf8 with label "utf-8": invalid
 * sequences become U+FFFD).  New string; *len_out (may be NULL) gets its
 * length.
 */
char	*fuzz_text(const uint8_t *data, size_t size, size_t *len_out);
/* The input up to its first NUL as a C string (new string). */
char	*fuzz_cstr(const uint8_t *data, size_t size);
/* Aborts naming what when s (NULL allowed) is not valid UTF-8. */
void	 fuzz_check_utf8(const char *what, const char *s);
/* Prints "fuzz: " and the message to stderr and aborts. */
void	 fuzz_fail(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
