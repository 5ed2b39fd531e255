/*
 * stmtprof: what each SQL statement costs a running triaged, for
 * `STMTPROF=1 bench/ingest` (issue 12's profile by statement).  Loaded
 * with LD_PRELOAD, it wraps sqlite3_step: the calling thread's CPU clock
 * before and after each step is summed per statement text, and at exit
 * one line per statement, "steps cpu_us text", goes to the file named by
 * STMTPROF_OUT (nothing without it).  A step's CPU includes the kernel's
 * work it caused (the COMMIT's WAL writes and fsync).  Not part of the
 * daemon; the bench builds it with cc.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STMTPROF_SLOTS	4096	/* distinct statement texts kept */

struct stmtprof_slot {
	char		*sql;
	uint64_t	 steps;
	uint64_t	 ns;
};

/* A profiler's tally lives as long as the process it measures. */
static struct stmtprof_slot	stmtprof_slots[STMTPROF_SLOTS];
static pthread_mutex_t		stmtprof_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t
stmtprof_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
stmtprof_add(const char *sql, uint64_t ns)
{
	uint32_t h = 5381;
	size_t i, n;
	const char *p;

	for (p = sql; *p != '\0'; p++)
		h = h * 33 + (unsigned char)*p;
	pthread_mutex_lock(&stmtprof_lock);
	for (i = h % STMTPROF_SLOTS, n = 0; n < STMTPROF_SLOTS;
	    i = (i + 1) % STMTPROF_SLOTS, n++) {
		if (stmtprof_slots[i].sql == NULL &&
		    (stmtprof_slots[i].sql = strdup(sql)) == NULL)
			break;
		if (strcmp(stmtprof_slots[i].sql, sql) == 0) {
			stmtprof_slots[i].steps++;
			stmtprof_slots[i].ns += ns;
			break;
		}
	}
	pthread_mutex_unlock(&stmtprof_lock);
}

static int		(*stmtprof_real)(sqlite3_stmt *);
static pthread_once_t	stmtprof_once = PTHREAD_ONCE_INIT;

static void
stmtprof_find(void)
{
	stmtprof_real = (int (*)(sqlite3_stmt *))dlsym(RTLD_NEXT,
	    "sqlite3_step");
}

int
sqlite3_step(sqlite3_stmt *stmt)
{
	const char *sql;
	uint64_t t0;
	int rc;

	pthread_once(&stmtprof_once, stmtprof_find);
	t0 = stmtprof_now();
	rc = stmtprof_real(stmt);
	sql = sqlite3_sql(stmt);
	stmtprof_add(sql != NULL ? sql : "?", stmtprof_now() - t0);
	return rc;
}

__attribute__((destructor)) static void
stmtprof_dump(void)
{
	const char *path = getenv("STMTPROF_OUT");
	FILE *f;
	size_t i;
	char *p;

	if (path == NULL || (f = fopen(path, "w")) == NULL)
		return;
	for (i = 0; i < STMTPROF_SLOTS; i++) {
		if (stmtprof_slots[i].sql == NULL)
			continue;
		/* one line a statement: its text's newlines and tabs go */
		for (p = stmtprof_slots[i].sql; *p != '\0'; p++)
			if (*p == '\n' || *p == '\t' || *p == '\r')
				*p = ' ';
		fprintf(f, "%llu %llu %s\n",
		    (unsigned long long)stmtprof_slots[i].steps,
		    (unsigned long long)(stmtprof_slots[i].ns / 1000),
		    stmtprof_slots[i].sql);
	}
	fclose(f);
}
