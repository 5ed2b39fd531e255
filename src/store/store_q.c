/*
 * store_q: lookups every store file repeats, written once on top of the
 * engine interface of store_db.h (so a second engine gets them free).
 */
#include <stdint.h>
#include <stdlib.h>

#include "error.h"
#include "store_db.h"

int
store_q_one_int(struct store_q *q, int64_t *out, struct error *err)
{
	switch (store_q_step(q, err)) {
	case STORE_ROW:
		*out = store_q_col_int(q, 0);
		store_q_reset(q);
		return 1;
	case STORE_DONE:
		return 0;
	default:
		return -1;
	}
}

int
store_q_one_text(struct store_q *q, char **out, struct error *err)
{
	switch (store_q_step(q, err)) {
	case STORE_ROW:
		*out = store_q_col_strdup(q, 0);
		store_q_reset(q);
		return 1;
	case STORE_DONE:
		return 0;
	default:
		return -1;
	}
}
