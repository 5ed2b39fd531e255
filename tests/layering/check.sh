#!/bin/sh
#
# tests/layering/check.sh [TOP]: the layer order of DESIGN "Shape of the
# code", checked on the tree at TOP (default: the source tree).
#
# Layers, lowest first: base config mail store desk, then daemon and ctl
# (side by side: neither includes the other).  A file in src/L or
# include/L may include only headers of L or of a lower layer; headers are
# included by bare name and resolved here to the folder that holds them.
# A header in src/L (not include/L) is private to the files of src/L.
# Libraries belong to one layer each: <sqlite3.h> and <libpq-fe.h> only in
# store, <libconfig.h> only in config, libevent (<event2/...>) only in
# daemon.  SQLite and libpq stay inside src/store: no other source file
# names a sqlite3 or libpq type or function, and no header does (the
# store's interface is typed functions, not statements).
# Prints one line per violation, "file:line: problem", and exits 1 if
# there is any, 0 otherwise.
set -u
top=${1:-${top_srcdir:-$(dirname "$0")/../..}}
cd "$top" || exit 2

rank() {
	case $1 in
	base) echo 0 ;; config) echo 1 ;; mail) echo 2 ;; store) echo 3 ;;
	desk) echo 4 ;; daemon) echo 5 ;; ctl) echo 5 ;; *) echo 99 ;;
	esac
}

# name.h -> layer, from where the header lives; a header in src/L is
# private to L (Dovecot's public/private split) and marked so
headers=$(mktemp) || exit 2
trap 'rm -f "$headers"' EXIT
for h in include/*/*.h src/*/*.h; do
	[ -f "$h" ] || continue
	l=${h#*/}
	case $h in
	src/*) echo "$(basename "$h") ${l%%/*} private" ;;
	*) echo "$(basename "$h") ${l%%/*}" ;;
	esac
done >"$headers"

status=0
for f in src/*/*.c include/*/*.h; do
	[ -f "$f" ] || continue
	l=${f#*/}
	layer=${l%%/*}
	r=$(rank "$layer")
	while IFS=: read -r line text; do
		name=$(printf '%s\n' "$text" | sed -n 's/^#[[:space:]]*include[[:space:]]*[<"]\([^>"]*\)[>"].*/\1/p')
		[ -n "$name" ] || continue
		lib=
		case $name in
		sqlite3.h) lib=store ;;
		libpq-fe.h) lib=store ;;
		libconfig.h) lib=config ;;
		event2/*) lib=daemon ;;
		esac
		if [ -n "$lib" ] && [ "$lib" != "$layer" ]; then
			echo "$f:$line: <$name> belongs to $lib only"
			status=1
			continue
		fi
		case $text in *'"'*) ;; *) continue ;; esac
		hl=$(awk -v n="$name" '$1 == n { print $2; exit }' "$headers")
		private=$(awk -v n="$name" '$1 == n { print $3; exit }' "$headers")
		if [ -n "$private" ] && { [ "$hl" != "$layer" ] ||
		    [ "${f%%/*}" != src ]; }; then
			echo "$f:$line: \"$name\" is private to src/$hl"
			status=1
		elif [ -z "$hl" ]; then
			echo "$f:$line: \"$name\" is no header of the tree"
			status=1
		elif [ "$(rank "$hl")" -gt "$r" ] ||
		    { [ "$hl" != "$layer" ] && [ "$(rank "$hl")" -eq "$r" ]; }; then
			echo "$f:$line: $layer includes \"$name\" of $hl"
			status=1
		fi
	done <<EOT
$(grep -n '^#[[:space:]]*include' "$f")
EOT
done
# the engine stays behind the store's typed functions
for f in src/*/*.c include/*/*.h; do
	case $f in src/store/*) continue ;; esac
	grep -n 'sqlite3' "$f" /dev/null | sed -n '1p' |
	    sed 's/^\([^:]*:[0-9]*\):.*/\1: SQLite outside src\/store/' |
	    grep . && status=1
	grep -n 'PGconn\|PGresult\|libpq-fe' "$f" /dev/null | sed -n '1p' |
	    sed 's/^\([^:]*:[0-9]*\):.*/\1: libpq outside src\/store/' |
	    grep . && status=1
done
exit $status
