/*
 * fuzz_config: the config loader (config.c and the section files) on a
 * file the harness writes into its own temporary directory, loaded by
 * config_load() as `triaged -c` does.
 *
 * The loader touches files: @include, tls and password files, time
 * zones (the agents' reply key files are only named: reply_key.h reads
 * them).  So that a fuzzed config can reach nothing else, the load
 * runs with a temporary directory as working directory (a new one for
 * every input, removed after it, so each starts alike and libFuzzer's
 * exit, which skips atexit(), leaves nothing), and an input is skipped (not
 * loaded) when any string in it is an absolute path or holds "..", or an
 * @include names such a path or uses an escape; the strings are read
 * with libconfig first for that (escapes and "a" "b" concatenation would
 * fool a look at the text).
 *
 * Checks beyond crashes and leaks: a refused config says why, and every
 * error line names the file ("file:line: setting: problem").
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <ftw.h>
#include <libconfig.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "config_include.h"
#include "fuzz.h"
#include "xmalloc.h"

#define FUZZ_DIR	"/tmp/fuzz_config.XXXXXX"

static char	 fuzz_dir[sizeof(FUZZ_DIR)];	/* this input's */
static char	 fuzz_file[sizeof(FUZZ_DIR) + 16];	/* fuzz_dir/triaged.conf */
static int	 fuzz_home = -1;	/* the working directory to go back to */

static bool	safe_includes(const char *);
static bool	safe_strings(const config_setting_t *);
static bool	safe_input(const char *);
static int	remove_entry(const char *, const struct stat *, int,
		    struct FTW *);
static void	remove_dir(void);
static void	add_artifact_prefix(int *, char ***);
static void	check_errors(const struct config *, const struct buf *);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	if ((fuzz_home = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		fuzz_fail("cannot open the working directory: %m");
	add_artifact_prefix(argc, argv);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	*c;
	struct buf	 errors;
	char		*text;
	FILE		*f;

	text = fuzz_cstr(data, size);
	memcpy(fuzz_dir, FUZZ_DIR, sizeof(FUZZ_DIR));
	if (mkdtemp(fuzz_dir) == NULL)
		fuzz_fail("mkdtemp %s: %m", fuzz_dir);
	snprintf(fuzz_file, sizeof(fuzz_file), "%s/triaged.conf", fuzz_dir);
	if (chdir(fuzz_dir) == -1)
		fuzz_fail("chdir %s: %m", fuzz_dir);
	if ((f = fopen(fuzz_file, "w")) == NULL ||
	    fputs(text, f) == EOF || fclose(f) == EOF)
		fuzz_fail("cannot write %s: %m", fuzz_file);
	if (!safe_input(text))
		goto out;

	buf_init(&errors);
	c = config_load(fuzz_file, &errors);
	check_errors(c, &errors);
	if (c != NULL) {
		(void)config_is_support_address(c, "Support+x@Example.com");
		config_unref(c);
	}
	buf_release(&errors);
out:
	if (fchdir(fuzz_home) == -1)
		fuzz_fail("cannot go back to the working directory: %m");
	remove_dir();
	free(text);
	return 0;
}

static void
check_errors(const struct config *c, const struct buf *errors)
{
	const char	*line, *nl;
	size_t		 dirlen = strlen(fuzz_dir);

	if (c == NULL && errors->len == 0)
		fuzz_fail("config refused without an error");
	for (line = errors->data; line != NULL && *line != '\0'; line = nl) {
		if (strncmp(line, fuzz_dir, dirlen) != 0 ||
		    line[dirlen] != '/')
			fuzz_fail("error line without the file: %.*s",
			    (int)strcspn(line, "\n"), line);
		if ((nl = strchr(line, '\n')) != NULL)
			nl++;
	}
}

/* No string value is an absolute path or climbs with "..". */
static bool
safe_strings(const config_setting_t *s)
{
	const char	*v;
	int		 i, n;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_GROUP:
	case CONFIG_TYPE_ARRAY:
	case CONFIG_TYPE_LIST:
		n = config_setting_length(s);
		for (i = 0; i < n; i++)
			if (!safe_strings(config_setting_get_elem(s,
			    (unsigned int)i)))
				return false;
		return true;
	case CONFIG_TYPE_STRING:
		v = config_setting_get_string(s);
		return v == NULL || (v[0] != '/' && strstr(v, "..") == NULL);
	default:
		return true;
	}
}

/* Every @include names a plain relative path, without escapes. */
static bool
safe_includes(const char *text)
{
	const char	*p = text, *q;

	while ((p = strstr(p, "@include")) != NULL) {
		p += strlen("@include");
		p += strspn(p, " \t");
		if (*p != '"')
			continue;	/* not an include libconfig reads */
		p++;
		q = p + strcspn(p, "\"\n");
		if (*p == '/' || memchr(p, '\\', (size_t)(q - p)) != NULL ||
		    (q - p >= 2 && memmem(p, (size_t)(q - p), "..", 2) != NULL))
			return false;
		p = q;
	}
	return true;
}

/*
 * Reads fuzz_file as config_load() will (same libconfig call, same
 * include directory).  What libconfig refuses here it refuses there too,
 * before any setting is used, so such a file is safe to load.
 */
static bool
safe_input(const char *text)
{
	config_t	 cf;
	char		*bad;
	bool		 ok = true;

	if (!safe_includes(text))
		return false;
	/* config_load refuses these before libconfig reads a byte. */
	if ((bad = config_include_check(fuzz_file, fuzz_dir)) != NULL) {
		free(bad);
		return true;
	}
	config_init(&cf);
	config_set_include_dir(&cf, fuzz_dir);
	if (config_read_file(&cf, fuzz_file) == CONFIG_TRUE)
		ok = safe_strings(config_root_setting(&cf));
	config_destroy(&cf);
	return ok;
}

static int
remove_entry(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	if (ftw->level > 0)
		(void)remove(path);
	return 0;
}

/* The config and whatever the load made (the reply key, its folder). */
static void
remove_dir(void)
{
	(void)nftw(fuzz_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (rmdir(fuzz_dir) == -1)
		fuzz_fail("cannot remove %s: %m", fuzz_dir);
}

/*
 * A crash inside config_load() happens in fuzz_dir: without a prefix
 * libFuzzer would write the crash file there, among the temporary files.
 * Give it the starting directory unless the command line chose one.
 */
static void
add_artifact_prefix(int *argc, char ***argv)
{
	char	**v, *cwd;
	int	  i;

	for (i = 1; i < *argc; i++)
		if (strncmp((*argv)[i], "-artifact_prefix=", 17) == 0 ||
		    strncmp((*argv)[i], "-exact_artifact_path=", 21) == 0)
			return;
	if ((cwd = getcwd(NULL, 0)) == NULL)
		return;
	v = xcalloc((size_t)*argc + 2, sizeof(*v));
	memcpy(v, *argv, (size_t)*argc * sizeof(*v));
	xasprintf(&v[*argc], "-artifact_prefix=%s/", cwd);
	free(cwd);
	(*argc)++;
	*argv = v;	/* kept for the process's life, as argv is */
}
