#!/bin/sh
#
# tests/layering/selftest.sh: the layering check itself (check.sh) fails
# on each kind of violation, shown on a small tree made here, and passes
# on a clean one.  Issue 12: "the layering check ... fails when a rule is
# broken (show it failing on a deliberate violation)".
set -u
here=$(cd "$(dirname "$0")" && pwd)
check=$here/check.sh
work=$(mktemp -d) || exit 99
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# A clean tree: base <- store <- desk, a private header of store.
clean() {
	rm -rf "$work/t"
	mkdir -p "$work/t/src/base" "$work/t/src/store" "$work/t/src/desk" \
	    "$work/t/src/daemon" "$work/t/include/base" "$work/t/include/store" \
	    "$work/t/include/desk" "$work/t/include/daemon"
	cd "$work/t" || exit 99
	printf '#include <stddef.h>\n' >include/base/buf.h
	printf '#include "buf.h"\n' >src/base/buf.c
	printf '#include "buf.h"\n' >include/store/ticket.h
	printf '#include <stdint.h>\n' >src/store/store_db.h
	printf '#include <sqlite3.h>\n#include "store_db.h"\n#include "ticket.h"\n' \
	    >src/store/ticket.c
	printf '#include "ticket.h"\n' >include/desk/pipeline.h
	printf '#include "pipeline.h"\n#include "buf.h"\n' >src/desk/pipeline.c
	printf '#include <event2/event.h>\n#include "pipeline.h"\n' \
	    >src/daemon/triaged.c
}

# expect_violation WHAT PATTERN: check.sh fails and says PATTERN.
expect_violation() {
	out=$("$check" "$work/t" 2>&1)
	rc=$?
	if [ "$rc" -ne 1 ]; then
		fail "$1: exit $rc, not 1"
	elif ! printf '%s\n' "$out" | grep -q "$2"; then
		fail "$1: no line matching '$2' in: $out"
	else
		echo "ok: $1"
	fi
}

clean
if out=$("$check" "$work/t" 2>&1); then
	echo "ok: a clean tree passes"
else
	fail "a clean tree: $out"
fi

clean
printf '#include "pipeline.h"\n' >>src/store/ticket.c
expect_violation "store including desk" \
    'src/store/ticket.c:4: store includes "pipeline.h" of desk'

clean
printf '#include "triaged_h.h"\n' >>src/desk/pipeline.c
printf '\n' >include/daemon/triaged_h.h
expect_violation "desk including daemon" 'desk includes "triaged_h.h" of daemon'

clean
printf '#include <sqlite3.h>\n' >>src/desk/pipeline.c
expect_violation "sqlite3.h in desk" '<sqlite3.h> belongs to store only'

clean
printf 'static sqlite3_stmt *s;\n' >>src/desk/pipeline.c
expect_violation "SQLite API in desk" 'src/desk/pipeline.c:3: SQLite outside src/store'

clean
printf '#include <event2/event.h>\n' >>src/store/ticket.c
expect_violation "libevent in store" '<event2/event.h> belongs to daemon only'

clean
printf '#include <libconfig.h>\n' >>src/base/buf.c
expect_violation "libconfig in base" '<libconfig.h> belongs to config only'

clean
printf '#include "store_db.h"\n' >>src/desk/pipeline.c
expect_violation "a private header of another folder" \
    '"store_db.h" is private to src/store'

clean
printf '#include "nowhere.h"\n' >>src/desk/pipeline.c
expect_violation "an unknown header" '"nowhere.h" is no header of the tree'

[ "$failures" -eq 0 ] || exit 1
exit 0
