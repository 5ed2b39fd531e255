/*
 * ctl_attachment: `triagectl attachments N` lists the files customers and
 * agents attached to request N, `triagectl attachment N ID [-o FILE]`
 * writes one out byte for byte.
 *
 * The store keeps each message whole and, per attachment, the metadata
 * mime_parse gave (name, type, size); the bytes are taken from the stored
 * message, parsed again, so nothing is stored twice.  Only files count
 * (mime.c decides: a part the sender attached, not a picture an HTML body
 * shows inline).  The row id is the attachment's ID: stable across a
 * merge, and what a notification names.
 *
 * Without -o the file goes into the current directory under its own
 * name made safe (no directories, no control characters, no leading dot,
 * at most CTL_ATT_NAME_MAX bytes) and never over an existing file; "-o -"
 * writes to stdout.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "charset.h"
#include "error.h"
#include "json.h"
#include "message.h"
#include "mime.h"
#include "ticket.h"
#include "triagectl.h"
#include "xmalloc.h"

#define CTL_ATT_NAME_MAX	200

/* One file of a request, with its parsed message (shared, not owned). */
struct ctl_att {
	const struct message_attachment	*row;
	const struct mime_attachment	*part;	/* NULL: not a file */
	size_t				 msg;	/* index in ctl_att_set.msgs */
};

struct ctl_att_msg {
	int64_t			 id;
	char			*raw;
	size_t			 raw_len;
	struct parsed_message	*pm;
};

struct ctl_att_set {
	struct message_attachment *rows;
	size_t			 nrows;
	struct ctl_att		*files;
	size_t			 nfiles;
	struct ctl_att_msg	*msgs;
	size_t			 nmsgs;
};

static int	ctl_attachments_run(struct triagectl *, int, char **);
static int	ctl_attachment_run(struct triagectl *, int, char **);
static int	ctl_att_ticket(const struct triagectl_cmd *, const char *,
		    long long *);
static int	ctl_att_load(struct store *, long long, struct ctl_att_set *,
		    struct error *);
static void	ctl_att_free(struct ctl_att_set *);
static void	ctl_att_safe_name(const struct message_attachment *, char *,
		    size_t);
static int	ctl_att_write(const char *, const struct buf *, bool);

const struct triagectl_cmd ctl_attachments_cmd = {
	"attachments",
	"N",
	"list the files attached to request N",
	ctl_attachments_run
};

const struct triagectl_cmd ctl_attachment_cmd = {
	"attachment",
	"N ID [-o FILE]",
	"write file ID of request N (to FILE, - for stdout)",
	ctl_attachment_run
};

static int
ctl_attachments_run(struct triagectl *ctl, int argc, char **argv)
{
	static const char *const headers[] = { "ID", "MESSAGE", "SIZE",
	    "TYPE", "NAME" };
	static const size_t max[] = { 0, 0, 0, 40, 0 };
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	struct triagectl_table *tab;
	struct ctl_att_set set;
	struct json j;
	struct store *st;
	struct error err;
	const struct ctl_att *f;
	char id[24], msg[24], size[24];
	const char *cells[5];
	long long ticket;
	size_t i;

	optind = 0;
	if (getopt_long(argc, argv, "", opts, NULL) != -1)
		return triagectl_usage(&ctl_attachments_cmd);
	if (argc - optind != 1)
		return triagectl_usage(&ctl_attachments_cmd);
	if (ctl_att_ticket(&ctl_attachments_cmd, argv[optind], &ticket) != 0)
		return TRIAGECTL_USAGE;
	if ((st = triagectl_store(ctl)) == NULL)
		return TRIAGECTL_ERROR;
	error_clear(&err);
	if (ctl_att_load(st, ticket, &set, &err) == -1)
		return triagectl_fail(&err);
	if (ctl->json) {
		json_init(&j, ctl->out);
		json_array_begin(&j);
		for (i = 0; i < set.nfiles; i++) {
			f = &set.files[i];
			json_object_begin(&j);
			json_kv_int(&j, "id", f->row->id);
			json_kv_int(&j, "message", f->row->message);
			json_kv_string(&j, "filename", f->row->filename);
			json_kv_string(&j, "content_type",
			    f->row->content_type);
			json_kv_int(&j, "size", f->row->size);
			json_object_end(&j);
		}
		json_array_end(&j);
		buf_append_char(ctl->out, '\n');
	} else if (set.nfiles == 0)
		buf_printf(ctl->out, "request #%lld has no attachments\n",
		    ticket);
	else {
		tab = triagectl_table_new(headers, max, 5);
		for (i = 0; i < set.nfiles; i++) {
			f = &set.files[i];
			(void)snprintf(id, sizeof(id), "%" PRId64, f->row->id);
			(void)snprintf(msg, sizeof(msg), "%" PRId64,
			    f->row->message);
			(void)snprintf(size, sizeof(size), "%" PRId64,
			    f->row->size);
			cells[0] = id;
			cells[1] = msg;
			cells[2] = size;
			cells[3] = f->row->content_type;
			cells[4] = f->row->filename;
			triagectl_table_add(tab, cells);
		}
		triagectl_table_print(tab, ctl->out);
		triagectl_table_free(tab);
	}
	ctl_att_free(&set);
	return TRIAGECTL_OK;
}

static int
ctl_attachment_run(struct triagectl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl_att_set set;
	struct store *st;
	struct error err;
	const struct ctl_att *f = NULL;
	const struct ctl_att_msg *m;
	struct buf bytes;
	char name[CTL_ATT_NAME_MAX + 32];
	const char *out = NULL;
	long long ticket, id;
	size_t i;
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		if (ch != 'o')
			return triagectl_usage(&ctl_attachment_cmd);
		out = optarg;
	}
	if (argc - optind != 2)
		return triagectl_usage(&ctl_attachment_cmd);
	if (ctl_att_ticket(&ctl_attachment_cmd, argv[optind], &ticket) != 0)
		return TRIAGECTL_USAGE;
	if ((id = triagectl_number(argv[optind + 1])) == -1)
		return triagectl_bad_usage(&ctl_attachment_cmd,
		    "'%s' is not an attachment ID", argv[optind + 1]);
	if ((st = triagectl_store(ctl)) == NULL)
		return TRIAGECTL_ERROR;
	error_clear(&err);
	if (ctl_att_load(st, ticket, &set, &err) == -1)
		return triagectl_fail(&err);
	for (i = 0; i < set.nfiles; i++)
		if (set.files[i].row->id == id)
			f = &set.files[i];
	if (f == NULL) {
		ctl_att_free(&set);
		return triagectl_failx("request #%lld has no attachment %lld "
		    "(see triagectl attachments %lld)", ticket, id, ticket);
	}
	m = &set.msgs[f->msg];
	buf_init(&bytes);
	if (mime_attachment_decode(m->raw, m->raw_len, f->part, &bytes) ==
	    -1) {
		rc = triagectl_failx("attachment %lld: its part of message "
		    "%" PRId64 " cannot be decoded", id, m->id);
		buf_release(&bytes);
		ctl_att_free(&set);
		return rc;
	}
	if (out != NULL && strcmp(out, "-") == 0) {
		/* a file's bytes, not text for a pager */
		ctl->no_pager = true;
		buf_append(ctl->out, bytes.data, bytes.len);
		rc = TRIAGECTL_OK;
	} else {
		if (out == NULL)
			ctl_att_safe_name(f->row, name, sizeof(name));
		rc = ctl_att_write(out != NULL ? out : name, &bytes,
		    out == NULL);
		if (rc == TRIAGECTL_OK) {
			buf_printf(ctl->out, "%s: %zu bytes\n", out != NULL ?
			    out : name, bytes.len);
		}
	}
	buf_release(&bytes);
	ctl_att_free(&set);
	return rc;
}

/* "N" or "#N"; 0, or prints the usage (TRIAGECTL_USAGE). */
static int
ctl_att_ticket(const struct triagectl_cmd *cmd, const char *arg,
    long long *ticket)
{
	if (arg[0] == '#')
		arg++;
	if ((*ticket = triagectl_number(arg)) == -1)
		return triagectl_bad_usage(cmd, "'%s' is not a request number",
		    arg);
	return 0;
}

/*
 * The files of request ticket: its attachment rows, each matched with the
 * part of its stored message parsed again (the same parse that recorded
 * the row, so the same order; a row whose part no longer matches its
 * name, type and size is left out rather than guessed).
 */
static int
ctl_att_load(struct store *st, long long ticket, struct ctl_att_set *set,
    struct error *err)
{
	const struct mime_attachment *p;
	const struct message_attachment *r;
	struct ctl_att_msg *m;
	bool exists;
	size_t i;

	memset(set, 0, sizeof(*set));
	if (ticket_exists(st, ticket, &exists, err) == -1)
		return -1;
	if (!exists)
		return error_set(err, ERR_PERM, "no request #%lld", ticket);
	if (message_attachments(st, ticket, &set->rows, &set->nrows, err) ==
	    -1)
		return -1;
	set->files = xcalloc(set->nrows + 1, sizeof(*set->files));
	set->msgs = xcalloc(set->nrows + 1, sizeof(*set->msgs));
	for (i = 0; i < set->nrows; i++) {
		r = &set->rows[i];
		if (set->nmsgs == 0 || set->msgs[set->nmsgs - 1].id !=
		    r->message) {
			m = &set->msgs[set->nmsgs++];
			m->id = r->message;
			if (message_raw(st, r->message, &m->raw, &m->raw_len,
			    err) == -1) {
				ctl_att_free(set);
				return -1;
			}
			if (m->raw != NULL)
				m->pm = mime_parse(m->raw, m->raw_len);
		}
		m = &set->msgs[set->nmsgs - 1];
		if (m->pm == NULL || r->index >= m->pm->nattachments)
			continue;
		p = &m->pm->attachments[r->index];
		if (!p->file || (int64_t)p->size != r->size ||
		    (p->filename == NULL) != (r->filename == NULL) ||
		    (p->filename != NULL && strcmp(p->filename,
		    r->filename) != 0))
			continue;
		set->files[set->nfiles].row = r;
		set->files[set->nfiles].part = p;
		set->files[set->nfiles++].msg = set->nmsgs - 1;
	}
	return 0;
}

static void
ctl_att_free(struct ctl_att_set *set)
{
	size_t i;

	for (i = 0; i < set->nmsgs; i++) {
		free(set->msgs[i].raw);
		if (set->msgs[i].pm != NULL)
			mime_free(set->msgs[i].pm);
	}
	free(set->msgs);
	free(set->files);
	message_attachments_free(set->rows, set->nrows);
	memset(set, 0, sizeof(*set));
}

/*
 * A file name from a stranger's filename, safe in the current directory:
 * only what follows the last '/' or '\', control characters and
 * characters shells and Windows trip on made '_', no leading dot or dash
 * (no hidden file, no option), cut on a character boundary.  No name:
 * "attachment-ID".
 */
static void
ctl_att_safe_name(const struct message_attachment *a, char *out, size_t size)
{
	const char *s = a->filename, *p;
	size_t n = 0, len;
	unsigned char c;

	if (s != NULL) {
		for (p = s; *p != '\0'; p++)
			if (*p == '/' || *p == '\\')
				s = p + 1;
		len = charset_utf8_cut(s, strlen(s), CTL_ATT_NAME_MAX);
		for (; n < len && n + 1 < size; n++) {
			c = (unsigned char)s[n];
			out[n] = c < 0x20 || c == 0x7f || strchr(":*?\"<>|",
			    c) != NULL ? '_' : (char)c;
		}
		if (n > 0 && (out[0] == '.' || out[0] == '-'))
			out[0] = '_';
	}
	out[n] = '\0';
	if (n == 0)
		mime_attachment_fallback_name(a->content_type, a->id, out, size);
}

/* Writes the bytes to path; excl: never over an existing file. */
static int
ctl_att_write(const char *path, const struct buf *b, bool excl)
{
	size_t off = 0;
	ssize_t w;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (excl ? O_EXCL :
	    O_TRUNC), 0644);
	if (fd == -1) {
		if (errno == EEXIST)
			return triagectl_failx("%s exists; choose another "
			    "name with -o FILE", path);
		return triagectl_failx("%s: %s", path, strerror(errno));
	}
	while (off < b->len) {
		w = write(fd, b->data + off, b->len - off);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			(void)close(fd);
			return triagectl_failx("%s: %s", path,
			    strerror(errno));
		}
		off += (size_t)w;
	}
	if (close(fd) == -1)
		return triagectl_failx("%s: %s", path, strerror(errno));
	return TRIAGECTL_OK;
}
