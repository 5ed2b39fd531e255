/*
 * schema_sql: the schema as an older triaged made it, for the upgrade
 * fixtures of tests/integration/schema_upgrade.sh (issue 13: "schema
 * upgrades from every earlier released schema"): the newest version,
 * and the SQL tests/fixtures/schema/make-fixtures.py writes once into
 * the stored fixture vN.sql while version N is the newest.  The test
 * loads the stored fixtures, not this program's output, so an old
 * migration edited later shows as a schema that differs from a new
 * database's.
 *
 *   schema_sql            prints the newest version number
 *   schema_sql N          prints the SQL of versions 1..N and the
 *                         PRAGMA user_version that marks it
 *
 * The fixtures are SQLite stores: a PostgreSQL-only version prints as
 * a comment (its number still counts, as an SQLite store skips it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_schema.h"

int
main(int argc, char **argv)
{
	size_t n, v;
	char *end;

	if (argc == 1) {
		printf("%zu\n", store_schema_version());
		return 0;
	}
	n = (size_t)strtoul(argv[1], &end, 10);
	if (argc != 2 || *end != '\0' || n < 1 || n > store_schema_version()) {
		fprintf(stderr, "usage: schema_sql [1..%zu]\n",
		    store_schema_version());
		return 2;
	}
	for (v = 1; v <= n; v++) {
		const char *sql = store_schema_migration(v);

		if (strncmp(sql, STORE_SCHEMA_PG_ONLY,
		    strlen(STORE_SCHEMA_PG_ONLY)) == 0)
			printf("-- version %zu: PostgreSQL only\n", v);
		else
			printf("%s\n", sql);
	}
	printf("PRAGMA user_version=%zu;\n", n);
	return 0;
}
