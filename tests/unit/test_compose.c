/*
 * test_compose: outgoing messages are well-formed and lossless.  Subjects
 * and names in Cyrillic, Polish, emoji decode back exactly; header lines
 * stay within 78 columns and encoded-words within 75; no CR/LF in any
 * input reaches the header; the quoted-printable body decodes back to the
 * text with every line within 76.  The decoders here are small and
 * independent of compose.c on purpose.
 */
#include <check.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "buf.h"
#include "compose.h"
#include "error.h"
#include "mime.h"
#include "xmalloc.h"

/* --- tiny independent decoders ------------------------------------ */

/* The buffer's bytes as a string the caller frees; the buffer is gone. */
static char *
take(struct buf *b)
{
	char *p = buf_steal(b, NULL);

	buf_release(b);
	return p;
}

/* The unfolded value of the first header field named name, or NULL. */
static char *
header_get(const char *msg, const char *name)
{
	size_t nlen = strlen(name);
	const char *p = msg, *end;
	struct buf v;

	end = strstr(msg, "\r\n\r\n");
	while (p != NULL && p < end) {
		if (strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
			buf_init(&v);
			for (p += nlen + 1; p < end + 2; p++) {
				if (p[0] == '\r' && p[1] == '\n') {
					if (p[2] != ' ' && p[2] != '\t')
						break;
					p++;	/* unfold: drop CRLF */
					continue;
				}
				buf_append_char(&v, *p);
			}
			if (v.len > 0 && v.data[0] == ' ')
				memmove(v.data, v.data + 1, v.len--);
			return take(&v);
		}
		p = strstr(p, "\r\n");
		if (p != NULL)
			p += 2;
	}
	return NULL;
}

static bool
utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0, n, k;

	while (i < len) {
		if (s[i] < 0x80)
			n = 0;
		else if ((s[i] & 0xe0) == 0xc0)
			n = 1;
		else if ((s[i] & 0xf0) == 0xe0)
			n = 2;
		else if ((s[i] & 0xf8) == 0xf0)
			n = 3;
		else
			return false;
		if (i + n >= len)
			return false;
		for (k = 1; k <= n; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
		i += n + 1;
	}
	return true;
}

/*
 * RFC 2047 decoding of B words in UTF-8: whitespace between two adjacent
 * encoded-words is dropped.  Each word must hold whole characters and
 * be at most 75 characters long.
 */
static char *
ew_decode(const char *v)
{
	struct buf out;
	const char *p = v, *q, *end;
	unsigned char dec[200];
	bool last_ew = false;
	int n;

	buf_init(&out);
	while (*p != '\0') {
		if (strncmp(p, "=?UTF-8?B?", 10) == 0 &&
		    (end = strstr(p + 10, "?=")) != NULL) {
			ck_assert_int_le(end + 2 - p, 75);
			n = EVP_DecodeBlock(dec, (const unsigned char *)p + 10,
			    (int)(end - p - 10));
			ck_assert_int_ge(n, 0);
			if (end[-1] == '=')
				n--;
			if (end[-2] == '=')
				n--;
			ck_assert_msg(utf8_valid(dec, (size_t)n),
			    "encoded-word splits a character");
			buf_append(&out, dec, (size_t)n);
			p = end + 2;
			last_ew = true;
			continue;
		}
		if (*p == ' ' && last_ew) {
			for (q = p; *q == ' '; q++)
				;
			if (strncmp(q, "=?UTF-8?B?", 10) == 0) {
				p = q;
				continue;
			}
		}
		last_ew = false;
		buf_append_char(&out, *p++);
	}
	return take(&out);
}

static char *
qp_decode(const char *s, size_t len)
{
	struct buf out;
	size_t i;
	unsigned int c;

	buf_init(&out);
	for (i = 0; i < len; i++) {
		if (s[i] == '=' && i + 2 < len && s[i + 1] == '\r' &&
		    s[i + 2] == '\n') {
			i += 2;
			continue;
		}
		if (s[i] == '=' && i + 2 < len) {
			ck_assert(sscanf(s + i + 1, "%2X", &c) == 1);
			buf_append_char(&out, (char)c);
			i += 2;
			continue;
		}
		buf_append_char(&out, s[i]);
	}
	return take(&out);
}

/* Every line ends in CRLF, no bare CR or LF, none longer than max. */
static void
check_lines(const char *s, size_t len, size_t max)
{
	size_t i, col = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '\r') {
			ck_assert_msg(i + 1 < len && s[i + 1] == '\n',
			    "bare CR at %zu", i);
			ck_assert_msg(col <= max, "line of %zu > %zu: %.*s",
			    col, max, (int)col, s + i - col);
			col = 0;
			i++;
			continue;
		}
		ck_assert_msg(s[i] != '\n', "bare LF at %zu", i);
		col++;
	}
	ck_assert_int_eq(col, 0);
}

static char *
build(const struct compose_msg *m)
{
	struct buf out;
	struct error err;

	buf_init(&out);
	error_clear(&err);
	ck_assert_msg(compose_build(m, &out, &err) == 0, "%s", err.msg);
	return take(&out);
}

/* The one To of base_msg's message, for tests to change. */
static struct compose_addr to1;

static void
base_msg(struct compose_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->from_name = "Example Support";
	m->from_addr = "support@example.test";
	to1.name = NULL;
	to1.addr = "customer@example.org";
	m->to = &to1;
	m->nto = 1;
	m->subject = "Hello";
	m->message_id = "ack.1700000000.0011223344556677@triaged.example.test";
	m->body = "Hello\n";
	m->date = 1700000000;
}

/* --- tests -------------------------------------------------------- */

static const char *subjects[] = {
	"Hello",
	"",
	"Не работает принтер в бухгалтерии, срочно помогите пожалуйста!!! "
	    "[#123]",
	"Zażółć gęślą jaźń — problem z fakturą nr 2026/11/0042 [#7]",
	"Re: Ответ: AW: [#42] счёт",
	"Emoji 😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀 end",
	"A plain ASCII subject that is long enough that it has to be folded "
	    "over more than one line when written, with  double  spaces kept",
	"Looks like =?UTF-8?B?Zm9v?= but is literal text",
	"Averyveryveryveryveryveryveryveryveryveryveryveryveryveryveryveryvery"
	    "verylongwordwithoutspaces",
	"ЁёЖжЩщ ĄąĘęŁłŃńŚśŹźŻż ЁёЖжЩщ ĄąĘęŁłŃńŚśŹźŻż ЁёЖжЩщ ĄąĘęŁłŃńŚśŹźŻż "
	    "ЁёЖжЩщ ĄąĘęŁłŃńŚśŹźŻż ЁёЖжЩщ ĄąĘęŁłŃńŚśŹźŻż ЁёЖжЩщ ĄąĘęŁłŃńŚśŹźŻż",
};

START_TEST(test_subject_roundtrip)
{
	struct compose_msg m;
	char *msg, *raw, *dec, *hdrs;

	base_msg(&m);
	m.subject = subjects[_i];
	msg = build(&m);
	hdrs = xstrndup(msg, (size_t)(strstr(msg, "\r\n\r\n") + 2 - msg));
	check_lines(hdrs, strlen(hdrs), 78);
	raw = header_get(msg, "Subject");
	ck_assert_ptr_nonnull(raw);
	dec = ew_decode(raw);
	ck_assert_str_eq(dec, subjects[_i]);
	free(dec);
	free(raw);
	free(hdrs);
	free(msg);
}
END_TEST

static const char *names[] = {
	"Иван Петров",
	"Łukasz Żółtowski",
	"John \"JJ\" Doe, Jr.",
	"Plain Name",
};

START_TEST(test_display_name)
{
	struct compose_msg m;
	char *msg, *raw, *dec, *lt;
	size_t n;

	base_msg(&m);
	to1.name = names[_i];
	msg = build(&m);
	raw = header_get(msg, "To");
	ck_assert_ptr_nonnull(raw);
	lt = strrchr(raw, '<');
	ck_assert_ptr_nonnull(lt);
	ck_assert_str_eq(lt, "<customer@example.org>");
	n = (size_t)(lt - raw);
	while (n > 0 && raw[n - 1] == ' ')
		n--;
	raw[n] = '\0';
	if (raw[0] == '"') {
		/* quoted-string: unescape */
		char *o = raw, *p;

		ck_assert_int_eq(raw[n - 1], '"');
		raw[n - 1] = '\0';
		for (p = raw + 1; *p != '\0'; p++) {
			if (*p == '\\')
				p++;
			*o++ = *p;
		}
		*o = '\0';
		ck_assert_str_eq(raw, names[_i]);
	} else {
		dec = ew_decode(raw);
		ck_assert_str_eq(dec, names[_i]);
		free(dec);
	}
	free(raw);
	free(msg);
}
END_TEST

START_TEST(test_no_header_injection)
{
	struct compose_msg m;
	const char *refs[] = { "a@b\r\nBcc: x@evil.test", "c@d" };
	char *msg, *hdrs, *p;

	base_msg(&m);
	m.subject = "Hi\r\nBcc: victim@evil.test\r\n\r\nbody";
	m.from_name = "Evil\nX-Injected: 1";
	to1.name = "Name\r\nCc: other@evil.test";
	m.in_reply_to = "id@host>\r\nX-Injected: 2";
	m.references = refs;
	m.nreferences = 2;
	m.auto_submitted = "auto-replied\r\nX-Injected: 3";
	m.x_loop = "support@example.test\nX-Injected: 4";
	msg = build(&m);
	hdrs = xstrndup(msg, (size_t)(strstr(msg, "\r\n\r\n") + 2 - msg));
	check_lines(hdrs, strlen(hdrs), 998);
	for (p = hdrs; p != NULL; p = strstr(p, "\r\n")) {
		if (p != hdrs)
			p += 2;
		ck_assert_msg(strncasecmp(p, "Bcc:", 4) != 0 &&
		    strncasecmp(p, "Cc:", 3) != 0 &&
		    strncasecmp(p, "X-Injected", 10) != 0,
		    "injected header: %s", p);
		if (*p == '\0')
			break;
	}
	/* The body is still ours, not the subject's "\r\n\r\nbody". */
	ck_assert_str_eq(strstr(msg, "\r\n\r\n") + 4, "Hello\r\n");
	free(hdrs);
	free(msg);
}
END_TEST

static const char *bodies[] = {
	"Hello\n",
	"Dzień dobry,\n\nproszę o fakturę.\n-- \nJan\n",
	"Line with trailing spaces   \nand tab\t\nequals = sign == here\n",
	"From the start of a line\n.dot line\n",
	"Очень длинная строка без переносов, которая обязательно должна быть "
	    "разбита мягкими переносами строк quoted-printable, потому что она "
	    "длиннее семидесяти шести символов даже в ASCII\n",
	"CRLF line\r\nLF line\nno final newline",
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxx=\n",
	"",
};

START_TEST(test_qp_body_roundtrip)
{
	struct compose_msg m;
	struct buf want;
	char *msg, *body, *dec;
	const char *p;

	base_msg(&m);
	m.body = bodies[_i];
	msg = build(&m);
	ck_assert_ptr_nonnull(strstr(msg,
	    "Content-Transfer-Encoding: quoted-printable\r\n"));
	body = strstr(msg, "\r\n\r\n") + 4;
	check_lines(body, strlen(body), 76);
	dec = qp_decode(body, strlen(body));
	/* Expected: the text with CRLF line ends and a final line end. */
	buf_init(&want);
	for (p = bodies[_i]; *p != '\0'; p++) {
		if (*p == '\r' && p[1] == '\n')
			continue;
		if (*p == '\n')
			buf_append_str(&want, "\r\n");
		else
			buf_append_char(&want, *p);
	}
	if (want.len > 0 && (want.len < 2 ||
	    strcmp(want.data + want.len - 2, "\r\n") != 0))
		buf_append_str(&want, "\r\n");
	ck_assert_str_eq(dec, want.len > 0 ? want.data : "");
	buf_release(&want);
	free(dec);
	free(msg);
}
END_TEST

START_TEST(test_headers)
{
	struct compose_msg m;
	const char *refs[] = { "one@a.test", "two@b.test", "three@c.test",
	    "four-with-a-rather-long-identifier-part@d.example.test",
	    "five@e.test" };
	char *msg, *v;

	base_msg(&m);
	m.in_reply_to = "two@b.test";
	m.references = refs;
	m.nreferences = 5;
	m.auto_submitted = "auto-replied";
	m.x_loop = "support@example.test";
	msg = build(&m);
	ck_assert(strncmp(msg, "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n",
	    39) == 0);
	v = header_get(msg, "From");
	ck_assert_str_eq(v, "\"Example Support\" <support@example.test>");
	free(v);
	v = header_get(msg, "To");
	ck_assert_str_eq(v, "<customer@example.org>");
	free(v);
	v = header_get(msg, "Message-ID");
	ck_assert_str_eq(v,
	    "<ack.1700000000.0011223344556677@triaged.example.test>");
	free(v);
	v = header_get(msg, "In-Reply-To");
	ck_assert_str_eq(v, "<two@b.test>");
	free(v);
	v = header_get(msg, "References");
	ck_assert_str_eq(v, "<one@a.test> <two@b.test> <three@c.test> "
	    "<four-with-a-rather-long-identifier-part@d.example.test> "
	    "<five@e.test>");
	free(v);
	v = header_get(msg, "Auto-Submitted");
	ck_assert_str_eq(v, "auto-replied");
	free(v);
	v = header_get(msg, "X-Loop");
	ck_assert_str_eq(v, "support@example.test");
	free(v);
	v = header_get(msg, "MIME-Version");
	ck_assert_str_eq(v, "1.0");
	free(v);
	v = header_get(msg, "Content-Type");
	ck_assert_str_eq(v, "text/plain; charset=utf-8");
	free(v);
	ck_assert_ptr_null(header_get(msg, "Cc"));
	/* none said, none written */
	ck_assert_ptr_null(header_get(msg, "Content-Language"));
	check_lines(msg, strlen(msg), 78);
	free(msg);
	m.content_language = "pl";
	msg = build(&m);
	v = header_get(msg, "Content-Language");
	ck_assert_str_eq(v, "pl");
	free(v);
	free(msg);
}
END_TEST

START_TEST(test_bad_address)
{
	static const char *bad[] = { "", "no-at-sign", "a b@c", "a@b>\r\nX: y",
	    "<a@b>", "\xc5@example.test" };	/* the last: not UTF-8 */
	struct compose_msg m;
	struct buf out;
	struct error err;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		base_msg(&m);
		to1.addr = bad[i];
		buf_init(&out);
		error_clear(&err);
		ck_assert_int_eq(compose_build(&m, &out, &err), -1);
		ck_assert_int_eq(err.kind, ERR_PERM);
		buf_release(&out);
	}
	base_msg(&m);
	m.from_addr = NULL;
	buf_init(&out);
	ck_assert_int_eq(compose_build(&m, &out, NULL), -1);
	buf_release(&out);
}
END_TEST

/*
 * Cc, Reply-To, an HTML alternative and attachments, read back by our
 * own MIME parser: the recipients, the text and every file (name, type,
 * size) come out as they went in; a bad Cc is left out, not fatal.
 */
START_TEST(test_multipart)
{
	static const char pdf[] = "%PDF-1.4\n\x00\x01\xff binary";
	static const char entity[] = "Content-Type: image/png; name=\"a.png\"\n"
	    "Content-Disposition: attachment; filename=\"a.png\"\n"
	    "Content-Transfer-Encoding: base64\n\niVBORw0KGgo=\n";
	struct compose_addr cc[3] = { { "Carol", "carol@example.org" },
	    { NULL, "bad address" }, { "Дмитрий", "dima@example.org" } };
	struct compose_part parts[3];
	struct parsed_message *pm;
	struct compose_msg m;
	char *msg;

	memset(parts, 0, sizeof(parts));
	parts[0].content_type = "application/pdf";
	parts[0].filename = "Счёт за ноябрь 2026 — очень длинное имя файла.pdf";
	parts[0].data = pdf;
	parts[0].len = sizeof(pdf) - 1;
	parts[1].entity = entity;
	parts[1].entity_len = strlen(entity);
	parts[2].content_type = "text/html\r\nX-Evil: 1";
	parts[2].filename = "x\"y.txt";
	parts[2].data = "abc";
	parts[2].len = 3;
	base_msg(&m);
	m.cc = cc;
	m.ncc = 3;
	m.reply_to = "support+r1@example.test";
	m.body = "Zażółć gęślą jaźń\n";
	m.html = "<p>Zażółć</p>\n";
	m.parts = parts;
	m.nparts = 3;
	msg = build(&m);
	check_lines(msg, strlen(msg), 998);
	ck_assert_ptr_null(strstr(msg, "X-Evil"));
	pm = mime_parse(msg, strlen(msg));
	ck_assert_int_eq(pm->ncc, 2);
	ck_assert_str_eq(pm->cc[0].addr, "carol@example.org");
	ck_assert_str_eq(pm->cc[1].name, "Дмитрий");
	ck_assert_str_eq(pm->reply_to.addr, "support+r1@example.test");
	/* (the parser drops the text's final line break) */
	ck_assert_int_eq(strncmp(pm->body, "Zażółć gęślą jaźń",
	    strlen("Zażółć gęślą jaźń")), 0);
	ck_assert_int_eq(pm->nattachments, 3);
	ck_assert_str_eq(pm->attachments[0].filename, parts[0].filename);
	ck_assert_str_eq(pm->attachments[0].content_type, "application/pdf");
	ck_assert_int_eq(pm->attachments[0].size, sizeof(pdf) - 1);
	ck_assert_str_eq(pm->attachments[1].filename, "a.png");
	ck_assert_str_eq(pm->attachments[2].content_type,
	    "application/octet-stream");
	ck_assert_str_eq(pm->attachments[2].filename, "x\"y.txt");
	mime_free(pm);
	free(msg);

	/* HTML alone: multipart/alternative, the text part chosen */
	base_msg(&m);
	m.body = "text\n";
	m.html = "<b>html</b>\n";
	msg = build(&m);
	ck_assert_ptr_nonnull(strstr(msg, "multipart/alternative"));
	pm = mime_parse(msg, strlen(msg));
	ck_assert_int_eq(strncmp(pm->body, "text", 4), 0);
	ck_assert_int_eq(pm->nattachments, 0);
	mime_free(pm);
	free(msg);
}
END_TEST

START_TEST(test_address_ok)
{
	static const struct {
		const char	*addr;
		bool		 ok;
	} cases[] = {
		{ "anna@example.com", true },
		{ "Anna.K+billing@mail.Example-1.co.uk", true },
		{ "o'brien!x#y@example.org", true },
		{ "support+r42.aanna.0123abcd@example.test", true },
		{ "new@thunderbird.buage.", false },	/* trailing dot */
		{ "a@b", false },			/* one label */
		{ "a@-b.example", false },
		{ "a@b-.example", false },
		{ "a@b..example", false },
		{ ".a@example.com", false },
		{ "a.@example.com", false },
		{ "a..b@example.com", false },
		{ "a b@example.com", false },
		{ "\"a b\"@example.com", false },	/* quoted: not sent to */
		{ "a@[192.0.2.1]", false },
		{ "a@b@example.com", false },
		/* RFC 6531: UTF-8 atoms and U-labels (sent with SMTPUTF8) */
		{ "ż@example.test", true },
		{ "a@żółw.example", true },
		{ "jörg.müller@bücher.example", true },
		{ "\xc3@example.test", false },		/* not UTF-8 */
		{ "a\xc0\xaf@example.test", false },	/* overlong */
		{ "a@ż_w.example", false },
		{ "a@-ż.example", false },
		{ "a b\xc3\xb6@example.test", false },
		{ "@example.com", false },
		{ "a@", false },
		{ "", false },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(address_ok(cases[i].addr) == cases[i].ok,
		    "%s", cases[i].addr);
	ck_assert(!address_ok(NULL));
}
END_TEST

START_TEST(test_message_id)
{
	char *a, *b, *at, *p;
	int dots = 0;

	a = compose_message_id("ack", "triaged.example.test");
	b = compose_message_id("ack", "triaged.example.test");
	ck_assert_str_ne(a, b);
	ck_assert(strncmp(a, "ack.", 4) == 0);
	at = strchr(a, '@');
	ck_assert_ptr_nonnull(at);
	ck_assert_str_eq(at, "@triaged.example.test");
	for (p = a; p < at; p++)
		dots += *p == '.';
	ck_assert_int_eq(dots, 2);
	/* "ack.<time>.<16 hex>@host" */
	ck_assert_int_eq((int)(at - (strchr(a + 4, '.') + 1)), 16);
	ck_assert_int_eq((int)strspn(strchr(a + 4, '.') + 1,
	    "0123456789abcdef"), 16);
	free(a);
	free(b);
	/* Hostile pieces cannot break the id. */
	a = compose_message_id("a b<>\r\n", "host name\n>");
	ck_assert_ptr_null(strpbrk(a, " <>\r\n"));
	free(a);
}
END_TEST

static Suite *
compose_suite(void)
{
	Suite *s = suite_create("compose");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_subject_roundtrip, 0,
	    sizeof(subjects) / sizeof(subjects[0]));
	tcase_add_loop_test(tc, test_display_name, 0,
	    sizeof(names) / sizeof(names[0]));
	tcase_add_test(tc, test_no_header_injection);
	tcase_add_loop_test(tc, test_qp_body_roundtrip, 0,
	    sizeof(bodies) / sizeof(bodies[0]));
	tcase_add_test(tc, test_headers);
	tcase_add_test(tc, test_bad_address);
	tcase_add_test(tc, test_multipart);
	tcase_add_test(tc, test_address_ok);
	tcase_add_test(tc, test_message_id);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(compose_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
