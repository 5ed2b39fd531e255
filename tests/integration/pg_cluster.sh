#!/bin/sh
# pg_cluster.sh: a private PostgreSQL 15 cluster for the tests (Debian's
# postgresql-15: initdb + pg_ctl in a temporary directory, on a free port,
# its unix socket in that directory, trust authentication for the user
# postgres, fsync on).  PostgreSQL refuses to run as root: as root the
# cluster runs as the user postgres (Debian's package makes it).
#
#	pg_cluster.sh start DIR	  prints "SOCKDIR PORT" once it accepts
#	pg_cluster.sh stop DIR	  stops it by the PID in its pid file
#	pg_cluster.sh again DIR	  starts a stopped one again, same port
#	pg_cluster.sh run CMD...  starts one, runs CMD with TRIAGED_PG_SOCK
#				  and TRIAGED_PG_PORT exported, stops it
#				  and TRIAGED_TEST_DB=pg (`make check-pg`:
#				  the whole suite on one cluster)
#	pg_cluster.sh share CMD... the same without TRIAGED_TEST_DB: the
#				  tests that need PostgreSQL anyway (multi_*)
#				  share one cluster, a database each, instead
#				  of starting one per test (tests/run-all)
#	pg_cluster.sh createdb NAME  a fresh database in the cluster of
#				  TRIAGED_PG_SOCK/TRIAGED_PG_PORT; prints
#				  its libpq URI
set -eu

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PYTHON=${PYTHON:-/usr/bin/python3}

as_pg() {
	if [ "$(id -u)" = 0 ]; then
		(cd / && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

free_port() {
	"$PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

start() {
	dir=$1
	[ -x "$PGBIN/initdb" ] || {
		echo "SKIP: no $PGBIN/initdb (Debian postgresql-15)" >&2
		exit 77
	}
	mkdir -p "$dir"
	chmod 755 "$dir"
	[ "$(id -u)" = 0 ] && chown postgres "$dir"
	as_pg "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust \
	    -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
		cat "$dir/initdb.log" >&2
		exit 1
	}
	port=$(free_port)
	echo "$port" >"$dir/port"
	run_server "$dir" "$port"
	echo "$dir $port"
}

run_server() {
	dir=$1
	port=$2
	# many short-lived databases and daemons: room for their connections
	as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
	    -o "-p $port -k $dir -c listen_addresses= -c max_connections=300" \
	    start >/dev/null || {
		cat "$dir/server.log" >&2
		exit 1
	}
}

stop() {
	dir=$1
	[ -f "$dir/data/postmaster.pid" ] || return 0
	pid=$(head -n 1 "$dir/data/postmaster.pid")
	# fast shutdown (SIGINT), by the PID of our postmaster only
	kill -INT "$pid" 2>/dev/null || return 0
	n=100
	while kill -0 "$pid" 2>/dev/null && [ "$n" -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	kill -KILL "$pid" 2>/dev/null || true
}

case ${1:-} in
start)
	start "$2"
	;;
stop)
	stop "$2"
	;;
again)
	run_server "$2" "$(cat "$2/port")"
	;;
run|share)
	mode=$1
	shift
	dir=$(mktemp -d "${TMPDIR:-/tmp}/triaged-pg.XXXXXX")
	read -r TRIAGED_PG_SOCK TRIAGED_PG_PORT <<EOF
$(start "$dir")
EOF
	export TRIAGED_PG_SOCK TRIAGED_PG_PORT
	if [ "$mode" = run ]; then
		TRIAGED_TEST_DB=pg
		export TRIAGED_TEST_DB
	fi
	rc=0
	"$@" || rc=$?
	stop "$dir"
	rm -rf "$dir"
	exit "$rc"
	;;
createdb)
	"$PGBIN/psql" -X -q -h "$TRIAGED_PG_SOCK" -p "$TRIAGED_PG_PORT" \
	    -U postgres -d postgres -c "CREATE DATABASE \"$2\"" >&2
	echo "postgresql:///$2?host=$TRIAGED_PG_SOCK&port=$TRIAGED_PG_PORT&user=postgres"
	;;
*)
	echo "usage: pg_cluster.sh start DIR | stop DIR | run CMD... |" \
	    "share CMD... |" \
	    "createdb NAME" >&2
	exit 2
	;;
esac
