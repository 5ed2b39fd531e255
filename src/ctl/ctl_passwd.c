/*
 * ctl_passwd: `triagectl passwd AGENT` sets the password an agent logs
 * in to the dashboard with (issue 18).  From a terminal it is asked
 * twice without echo; otherwise it is the first line of stdin (for
 * scripts: `printf '%s\n' "$pw" | triagectl passwd anna`).  The store
 * keeps a yescrypt hash (password.h), and the agent's open sessions end.
 *
 * Only agents of the config may have one: a name the config does not
 * know could never log in, and a typo would go unnoticed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "config_agents.h"
#include "error.h"
#include "json.h"
#include "password.h"
#include "store.h"
#include "triagectl.h"
#include "web_login.h"

static int	ctl_passwd_run(struct triagectl *, int, char **);
static char	*ctl_passwd_read(const char *prompt, bool tty);

const struct triagectl_cmd ctl_passwd_cmd = {
	"passwd",
	"AGENT",
	"set an agent's dashboard password (asked twice, or stdin's line)",
	ctl_passwd_run
};

static int
ctl_passwd_run(struct triagectl *ctl, int argc, char **argv)
{
	bool tty = isatty(STDIN_FILENO);
	char *pw, *again, *hash;
	struct store *st;
	struct error err;
	struct json j;

	if (argc != 2)
		return triagectl_usage(&ctl_passwd_cmd);
	if ((st = triagectl_open(ctl, 0)) == NULL)
		return TRIAGECTL_ERROR;
	if (config_agents_find(ctl->cfg, argv[1]) == NULL)
		return triagectl_failx("no agent '%s' in the config", argv[1]);
	if ((pw = ctl_passwd_read("Password: ", tty)) == NULL)
		return triagectl_failx("no password read");
	if (tty) {
		if ((again = ctl_passwd_read("Again: ", tty)) == NULL ||
		    strcmp(pw, again) != 0) {
			free(again);
			free(pw);
			return triagectl_failx("the passwords differ");
		}
		free(again);
	}
	if (strlen(pw) < PASSWORD_MIN_LEN || strlen(pw) > PASSWORD_MAX_LEN) {
		free(pw);
		return triagectl_failx("a password has %d to %d bytes",
		    PASSWORD_MIN_LEN, PASSWORD_MAX_LEN);
	}
	error_clear(&err);
	hash = password_hash(pw, &err);
	explicit_bzero(pw, strlen(pw));
	free(pw);
	if (hash == NULL)
		return triagectl_fail(&err);
	if (store_begin(st, &err) == -1 ||
	    web_login_set_password(st, argv[1], hash, clock_now(), &err) == -1 ||
	    store_commit(st, &err) == -1) {
		store_rollback(st);
		free(hash);
		return triagectl_fail(&err);
	}
	free(hash);
	if (!ctl->json) {
		buf_printf(ctl->out, "password of %s set\n", argv[1]);
		return TRIAGECTL_OK;
	}
	json_init(&j, ctl->out);
	json_object_begin(&j);
	json_kv_string(&j, "agent", argv[1]);
	json_key(&j, "password_set");
	json_bool(&j, true);
	json_object_end(&j);
	buf_append_char(ctl->out, '\n');
	return TRIAGECTL_OK;
}

/*
 * One line of stdin without its newline (caller frees), echo off on a
 * terminal; NULL at the end of input.
 */
static char *
ctl_passwd_read(const char *prompt, bool tty)
{
	struct termios old, quiet;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	bool hushed = false;

	if (tty) {
		fputs(prompt, stderr);
		fflush(stderr);
		if (tcgetattr(STDIN_FILENO, &old) == 0) {
			quiet = old;
			quiet.c_lflag &= ~(tcflag_t)ECHO;
			hushed = tcsetattr(STDIN_FILENO, TCSAFLUSH,
			    &quiet) == 0;
		}
	}
	n = getline(&line, &cap, stdin);
	if (hushed) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (n <= 0) {
		free(line);
		return NULL;
	}
	line[strcspn(line, "\r\n")] = '\0';
	return line;
}
