#!/bin/sh
#
# install_layout.sh (issue 13, "Install"): `make install DESTDIR=...` puts
# triaged in sbindir and triagectl in bindir; the config in
# sysconfdir/triaged/triaged.conf with absolute paths under
# localstatedir/lib/triaged and user "triaged", never overwriting an
# edited one (and uninstall keeps an edited one); the man pages
# triaged(8), triagectl(1), triaged.conf(5), clean under `mandoc -T lint`;
# the systemd unit, rated "OK" or better by `systemd-analyze security`
# (exposure at most 2.0, offline: systemd is not PID 1 here); the
# sysusers.d and tmpfiles.d entries.  Both installed programs default to
# the installed config, and that config passes `triaged -t`.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

[ -f "$top_builddir/Makefile" ] || { echo "SKIP: no Makefile"; exit 77; }
ROOT=$WORK/root
make_q() {
	make -s -C "$top_builddir" "$@" DESTDIR="$ROOT" >"$WORK/make.log" 2>&1 ||
	    { cat "$WORK/make.log"; fail "make $*"; }
}
make_q install

# Where things went: found by name, then checked against each other.
conf=$(find "$ROOT" -path '*/triaged/triaged.conf' -type f)
[ -n "$conf" ] || fail "no triaged/triaged.conf installed"
sysconf=${conf#$ROOT}
sysconf=${sysconf%/triaged/triaged.conf}
prefix=$(dirname "$(find "$ROOT" -path '*/sbin/triaged' -type f)")
prefix=${prefix%/sbin}
[ -x "$prefix/sbin/triaged" ] || fail "triaged not in sbindir"
[ -x "$prefix/bin/triagectl" ] || fail "triagectl not in bindir"
for f in share/man/man8/triaged.8 share/man/man1/triagectl.1 \
    share/man/man5/triaged.conf.5 lib/systemd/system/triaged.service \
    lib/sysusers.d/triaged.conf lib/tmpfiles.d/triaged.conf; do
	[ -f "$prefix/$f" ] || fail "$f not installed"
done

# The config: absolute paths, the service user.
state=$(sed -n 's|^database = "\(.*\)/triaged.db";|\1|p' "$conf")
case $state in /*/lib/triaged) ;; *) fail "database not absolute: $state" ;; esac
assert_not_contains "installed config" "$(cat "$conf")" '"./var'
grep -q '^user = "triaged";' "$conf" || fail "installed config: no user"
grep -q "^d $state 0750 triaged triaged" "$prefix/lib/tmpfiles.d/triaged.conf" ||
    fail "tmpfiles.d entry: $(cat "$prefix/lib/tmpfiles.d/triaged.conf")"
grep -q '^u triaged ' "$prefix/lib/sysusers.d/triaged.conf" ||
    fail "sysusers.d entry"
unit=$prefix/lib/systemd/system/triaged.service
grep -q "^ExecStart=${prefix#$ROOT}/sbin/triaged -c $sysconf/triaged/triaged.conf\$" \
    "$unit" || fail "unit ExecStart: $(grep ExecStart "$unit")"
grep -q "^ReadWritePaths=$state\$" "$unit" || fail "unit ReadWritePaths"

# Both programs default to the installed config.
for p in "$prefix/sbin/triaged" "$prefix/bin/triagectl"; do
	assert_contains "default config of $(basename "$p")" \
	    "$("$p" --help)" "(default $sysconf/triaged/triaged.conf)"
done

# The installed config is valid (with our user and a private state).
sed -e "s|$state|$WORK/state|g" -e 's|^user = "triaged";|user = "";|' \
    "$conf" >check.conf
out=$("$prefix/sbin/triaged" -t -c check.conf 2>&1) || fail "triaged -t: $out"
assert_contains "installed config" "$out" "configuration OK"
[ ! -e "$WORK/state" ] || fail "triaged -t created the state directory"

# Man pages: mandoc's linter (Debian mandoc).
command -v mandoc >/dev/null || fail "mandoc missing (apt-get install mandoc)"
for m in "$prefix"/share/man/man*/*; do
	out=$(mandoc -T lint -W warning "$m" 2>&1) || fail "mandoc -T lint $m: $out"
	assert_eq "mandoc -T lint $(basename "$m")" "" "$out"
done

# The unit's hardening, rated offline.
if command -v systemd-analyze >/dev/null; then
	out=$(systemd-analyze security --offline=yes "$unit" 2>&1 | tail -n 3)
	printf '%s\n' "$out"
	level=$(printf '%s\n' "$out" |
	    sed -n 's/.*exposure level for triaged.service: \([0-9.]*\) .*/\1/p')
	[ -n "$level" ] || fail "no exposure level: $out"
	awk -v l="$level" 'BEGIN { exit !(l <= 2.0) }' ||
	    fail "exposure $level above 2.0"
else
	fail "systemd-analyze missing"
fi

# An edited config survives a second install and the uninstall.
echo '# edited by the admin' >>"$conf"
make_q install
assert_contains "edited config after install" "$(tail -n 1 "$conf")" \
    "edited by the admin"
make_q uninstall
[ -f "$conf" ] || fail "uninstall removed an edited config"
[ ! -e "$prefix/sbin/triaged" ] || fail "uninstall left triaged"
[ ! -e "$unit" ] || fail "uninstall left the unit"
# An untouched one goes with the uninstall.
rm "$conf"
make_q install
make_q uninstall
[ ! -f "$conf" ] || fail "uninstall kept an untouched config"
