#!/bin/sh
#
# report_model.sh (issue 16): every figure of `triagectl report --json`
# against a reference model written in another language
# (tests/peers/report_model.py, Debian's python3 with its own zoneinfo).
# Five seeded rounds of 520 random request histories each (2,600 in
# all), each round with its own random calendars (zones with DST north
# and south, half-hour offsets, split and 24:00 hours, holidays, an extra
# working day) and SLA policies, around a DST change; breach marks
# present or missing as if the daemon had been down at the deadline.
# Every figure of every group, --by agent (one request per group) and
# --by category (a fifth of them per group), and the total must agree.
# REPORT_MODEL_SEEDS="5 6 7" replays other seeds.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

MODEL=$top_srcdir/tests/peers/report_model.py
fails=0
for seed in ${REPORT_MODEL_SEEDS:-1 2 3 4 15}; do
	STATE=$WORK/var.$seed	# a fresh store (on PostgreSQL a database)
	write_config
	"$PYTHON" "$MODEL" conf "$seed" "$WORK/params.$seed.json" >>"$CONF"
	# the daemon creates the store (and its reply key), then stops: the
	# histories are written as the daemon would have left them
	start_triaged
	stop_triaged
	if ! "$PYTHON" "$MODEL" check "$seed" "$WORK/params.$seed.json" \
	    "$DATABASE" "$TRIAGECTL" "$CONF"; then
		fails=$((fails + 1))
		cp "$CONF" "$WORK/triaged.conf.$seed"
	fi
	rm -rf "$STATE"
done
[ "$fails" -eq 0 ] || fail "$fails of the rounds disagree with the model"
