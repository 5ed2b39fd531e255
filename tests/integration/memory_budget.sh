#!/bin/sh
#
# memory_budget.sh (issue 20, item 4 and "A memory budget"): one big
# message costs a bounded multiple of its size.  Each shape below, about
# 24 MiB, goes through `triaged inject` (the whole pipeline: parse, rules,
# acknowledgement, store) and the process's peak RSS (ru_maxrss of the
# child, read by a Python wrapper) must stay within 4 x size + 16 MiB.
# Before the fix one 24 MiB body in an unknown 8-bit charset peaked at
# 548 MB (x22).  Memory is a figure here, not a time: nothing is timed.
#
# Shapes: text/plain in an unknown 8-bit charset; a base64 attachment;
# quoted-printable HTML; 8-bit windows-1251 HTML; 8-bit Thai HTML
# (TIS-620: each byte three bytes of UTF-8) behind an mbox "From " line
# (so the header is rebuilt, a copy); multipart nested 30 deep with a
# base64 part at every level; a header of 1.5 million tiny fields.  Each must also be stored (exit 0) with its text cut at 1 MiB
# where it was longer (README "Memory").
#
# Under AddressSanitizer (the binary links libasan) the figures are
# inflated: freed memory sits in ASan's quarantine (256 MB by default),
# so the quarantine is turned off for these runs, and the budget grows by
# the shadow memory (1/8 of what the process maps) and 16 MiB for the
# ASan runtime itself: (4 x size + 16 MiB) x 9/8 + 16 MiB.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

write_config

ASAN=no
if ldd "$TRIAGED" 2>/dev/null | grep -q libasan; then
	ASAN=yes
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0"
	export ASAN_OPTIONS
fi

# gen SHAPE FILE: a message of about 24 MiB of that shape.
gen() {
	"$PYTHON" - "$1" "$2" <<'EOF'
import base64, quopri, random, sys
shape, path = sys.argv[1], sys.argv[2]
size = 24 * 1024 * 1024
rnd = random.Random(4)
head = ("From: Big Sender <big@example.org>\r\nTo: support@example.test\r\n"
        "Subject: big %s\r\nMessage-ID: <big.%s@example.org>\r\n"
        "MIME-Version: 1.0\r\n" % (shape, shape)).encode()
def crlf(b):
    return b.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
para = ("<p>\u041f\u0440\u0438\u0432\u0435\u0442, <b>\u043c\u0438\u0440</b> "
        "&amp; \u0434\u0440\u0443\u0437\u044c\u044f %d <a href=\"http://"
        "example.com/%d\">link</a></p>\n")
def html(n):
    out, total, i = [], 0, 0
    while total < n:
        s = (para % (i, i)).encode("cp1251")
        out.append(s); total += len(s); i += 1
    return b"<html><body>" + b"".join(out) + b"</body></html>\n"
with open(path, "wb") as f:
    f.write(head)
    if shape == "text8bit":
        alpha = bytes(range(0xc0, 0x100)) + b" " * 8
        line = bytes(rnd.choice(alpha) for _ in range(70)) + b"\r\n"
        f.write(b"Content-Type: text/plain; charset=x-unknown-8bit\r\n"
                b"Content-Transfer-Encoding: 8bit\r\n\r\n")
        f.write(line * (size // len(line)))
    elif shape == "base64":
        f.write(b'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
                b"--b1\r\nContent-Type: text/plain\r\n\r\nSee the file.\r\n"
                b"--b1\r\nContent-Type: application/octet-stream\r\n"
                b'Content-Disposition: attachment; filename="x.bin"\r\n'
                b"Content-Transfer-Encoding: base64\r\n\r\n")
        f.write(crlf(base64.encodebytes(rnd.randbytes(size * 3 // 4))))
        f.write(b"--b1--\r\n")
    elif shape == "qphtml":
        f.write(b"Content-Type: text/html; charset=windows-1251\r\n"
                b"Content-Transfer-Encoding: quoted-printable\r\n\r\n")
        f.write(crlf(quopri.encodestring(html(size * 65 // 100))))
    elif shape == "html8bit":
        f.write(b"Content-Type: text/html; charset=windows-1251\r\n"
                b"Content-Transfer-Encoding: 8bit\r\n\r\n")
        f.write(crlf(html(size)))
    elif shape == "thai":
        f.seek(0)
        f.write(b"From big@example.org Mon Jan  1 00:00:00 2024\n" + head)
        f.write(b"Content-Type: text/html; charset=tis-620\r\n"
                b"Content-Transfer-Encoding: 8bit\r\n\r\n<html><body>")
        thai = ("\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35 " * 8).encode(
            "tis_620")
        n = 0
        while n < size:
            s = b"<p>" + thai + b"%d</p>\r\n" % n
            f.write(s); n += len(s)
        f.write(b"</body></html>\r\n")
    elif shape == "deep":
        depth = 30
        per = size // (depth + 2) * 3 // 4
        f.write(b'Content-Type: multipart/mixed; boundary="d0"\r\n\r\n')
        for d in range(1, depth):
            f.write(b'--d%d\r\nContent-Type: multipart/mixed; '
                    b'boundary="d%d"\r\n\r\n' % (d - 1, d))
        f.write(b"--d%d\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                b"hello from the bottom\r\n" % (depth - 1))
        for d in range(depth - 1, -1, -1):
            f.write(b"--d%d\r\nContent-Type: application/octet-stream\r\n"
                    b"Content-Transfer-Encoding: base64\r\n\r\n" % d)
            f.write(crlf(base64.encodebytes(rnd.randbytes(per))))
            f.write(b"--d%d--\r\n" % d)
    elif shape == "fields":
        n = 0
        while n < size - 64:
            s = b"X-F%d: v\r\n" % n
            f.write(s); n += len(s)
        f.write(b"\r\nbody of many fields\r\n")
EOF
}

# peak FILE SHAPE: injects FILE; prints the peak RSS in KiB (exit status
# of inject must be 0).
peak() {
	"$PYTHON" - "$TRIAGED" "$CONF" "$1" "$WORK/inject.$2.log" <<'EOF'
import resource, subprocess, sys
triaged, conf, msg, log = sys.argv[1:5]
with open(msg, "rb") as m, open(log, "wb") as e:
    rc = subprocess.run([triaged, "inject", "-c", conf, "-f",
                         "big@example.org"], stdin=m, stderr=e).returncode
if rc != 0:
    sys.exit("inject exited %d" % rc)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
EOF
}

n=0
for shape in text8bit base64 qphtml html8bit thai deep fields; do
	gen "$shape" "$WORK/$shape.eml"
	size=$(wc -c <"$WORK/$shape.eml")
	kb=$(peak "$WORK/$shape.eml" "$shape") ||
	    fail "$shape: inject failed: $(cat "$WORK/inject.$shape.log")"
	budget=$(( (4 * size + 16 * 1048576) / 1024 ))
	[ "$ASAN" = yes ] && budget=$(( budget * 9 / 8 + 16 * 1024 ))
	echo "$shape: $size bytes, peak RSS $kb KiB, budget $budget KiB" \
	    "(asan=$ASAN)"
	[ "$kb" -le "$budget" ] ||
	    fail "$shape: peak RSS $kb KiB over the budget of $budget KiB"
	n=$((n + 1))
	assert_eq "requests after $shape" "$n" "$(requests_count)"
	rm -f "$WORK/$shape.eml"
done

# What is kept: the text cut at 1 MiB with its note, the raw message whole.
assert_contains "body of the 8-bit text" \
    "$(ctl show 1 | json_get 'd["messages"][0]["body"][-60:]')" \
    "[text cut at 1 MiB; the whole message is stored]"
assert_contains "warning of the 8-bit text" \
    "$(ctl show 1 | json_get 'd["messages"][0]["parse_warning"]')" \
    "body text cut at 1 MiB"
assert_eq "attachment size of the base64 shape" 18874368 \
    "$(ctl show 2 | json_get 'd["messages"][0]["attachments"][0]["size"]')"
assert_contains "body of the Thai shape" \
    "$(ctl show 5 | json_get 'd["messages"][0]["body"][:40]')" \
    "$(printf '\340\270\252\340\270\247')"
assert_eq "body of the deep shape" "hello from the bottom" \
    "$(ctl show 6 | json_get 'd["messages"][0]["body"]')"
assert_eq "body of the many-fields shape" "body of many fields" \
    "$(ctl show 7 | json_get 'd["messages"][0]["body"]')"
assert_eq "raw bytes stored" 1 "$(db_value \
    "SELECT count(*) FROM messages WHERE direction = 'in' AND
     length(raw) > 24000000 AND subject = 'big text8bit'")"
exit 0
