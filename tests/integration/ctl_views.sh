#!/bin/sh
#
# ctl_views.sh (issue 16): what triagectl shows people.
#  - `timezone` without calendars: the built-in 24/7 calendar is in that
#    zone, so `show`/`list` times and the report's heading and days are
#    Tokyo's (a request made 16:30 UTC is on the next Tokyo day);
#    `--utc` gives UTC; a zone tzdata lacks fails `triaged -t` naming
#    file, line and setting.
#  - `list --json` carries each request's tags; `--limit N` caps the rows.
#  - Text taller than the terminal goes through the pager (run on a real
#    pseudo-terminal by Debian python's pty module, TRIAGECTL_PAGER a
#    script that records what it got); short text, JSON, --no-pager and
#    output to a pipe do not.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

write_config
printf 'timezone = "Asia/Tokyo";\n' >>"$CONF"
# 2026-11-20 16:30 UTC is 2026-11-21 01:30 in Tokyo
TRIAGED_FAKE_TIME=2026-11-20T16:30:00Z
TRIAGED_FAKE_SPEED=0
export TRIAGED_FAKE_TIME TRIAGED_FAKE_SPEED
start_triaged

i=1
while [ "$i" -le 30 ]; do
	make_msg "m$i.eml" --from "Kenji Sato <kenji$i@customer.example.org>" \
	    --subject "Printer $i"
	i=$((i + 1))
done
out=$(lmtp_send m*.eml)
assert_eq "requests made" 30 "$(printf '%s\n' "$out" | grep -c ' 250 ')"
"$TRIAGECTL" -c "$CONF" tag 3 billing >/dev/null
"$TRIAGECTL" -c "$CONF" tag 3 vip >/dev/null

# --- zone ------------------------------------------------------------------
show=$("$TRIAGECTL" -c "$CONF" show 3)
assert_contains "show: Tokyo time" "$show" "2026-11-21 01:30"
show=$("$TRIAGECTL" -c "$CONF" --utc show 3)
assert_contains "show --utc" "$show" "2026-11-20 16:30"
rep=$("$TRIAGECTL" -c "$CONF" report --from 2026-11-21 --to 2026-11-21)
assert_contains "report heading names the zone" "$rep" \
    "2026-11-21 00:00 to 2026-11-22 00:00 Asia/Tokyo"
assert_eq "report: the 30 opened that Tokyo day" 30 \
    "$(ctl report --from 2026-11-21 --to 2026-11-21 | json_get 'd["total"]["opened"]')"
assert_eq "report: none the UTC day says" 0 \
    "$(ctl report --from 2026-11-20 --to 2026-11-20 | json_get 'd["total"]["opened"]')"

sed 's/^timezone = .*/timezone = "Mars\/Olympus_Mons";/' "$CONF" >"$WORK/bad.conf"
if "$TRIAGED" -t -c "$WORK/bad.conf" >"$WORK/t.out" 2>&1; then
	fail "triaged -t accepted a zone tzdata lacks"
fi
line=$(grep -n '^timezone' "$WORK/bad.conf" | cut -d: -f1)
assert_contains "-t names file, line, setting" "$(cat "$WORK/t.out")" \
    "$WORK/bad.conf:$line: timezone"

# --- list --json tags, --limit ---------------------------------------------
assert_eq "tags of #3" '["billing", "vip"]' \
    "$(ctl list | json_get '[r["tags"] for r in d["requests"] if r["id"] == 3][0]')"
assert_eq "an untagged request" '[]' \
    "$(ctl list | json_get '[r["tags"] for r in d["requests"] if r["id"] == 4][0]')"
assert_eq "--limit 7" 7 "$(ctl list --limit 7 | json_get 'len(d["requests"])')"

# --- pager -----------------------------------------------------------------
cat >"$WORK/pager" <<EOF
#!/bin/sh
cat >"$WORK/paged"
EOF
chmod +x "$WORK/pager"
# on_pty ROWS ARGS...: runs triagectl on a pseudo-terminal of ROWS rows
# and prints what reached the terminal
on_pty() {
	"$PYTHON" - "$@" <<'EOF'
import fcntl, os, pty, struct, sys, termios
rows = int(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", rows, 200, 0, 0))
    os.execv(sys.argv[2], sys.argv[2:])
out = b""
while True:
    try:
        b = os.read(fd, 65536)
    except OSError:
        break
    if not b:
        break
    out += b
os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace").replace("\r\n", "\n"))
EOF
}
export TRIAGECTL_PAGER="$WORK/pager"
rm -f "$WORK/paged"
tty_out=$(on_pty 10 "$TRIAGECTL" -c "$CONF" list)
[ -f "$WORK/paged" ] || fail "31 lines on a 10-row terminal were not paged"
assert_eq "the pager got every row" 31 "$(wc -l <"$WORK/paged")"
assert_not_contains "nothing printed besides" "$tty_out" "Printer"
rm -f "$WORK/paged"
tty_out=$(on_pty 100 "$TRIAGECTL" -c "$CONF" list)
[ ! -f "$WORK/paged" ] || fail "a list that fits was paged"
assert_contains "fits: printed" "$tty_out" "Printer 30"
for args in "--no-pager list" "--json list"; do
	# shellcheck disable=SC2086
	tty_out=$(on_pty 10 "$TRIAGECTL" -c "$CONF" $args)
	[ ! -f "$WORK/paged" ] || fail "paged with $args"
	assert_contains "$args: printed" "$tty_out" "Printer 30"
done
"$TRIAGECTL" -c "$CONF" list >"$WORK/piped"
[ ! -f "$WORK/paged" ] || fail "paged into a pipe"
assert_eq "piped rows" 31 "$(wc -l <"$WORK/piped")"
