#!/bin/sh
#
# build-deb.sh [OUTDIR]: builds the triaged .deb from this tree (issue 13).
# The packaging is kept in contrib/debian; a copy of the tree's tracked
# and untracked-but-not-ignored files (no build outputs) gets it as
# debian/ and `dpkg-buildpackage -us -uc -b` builds it.  The .deb lands
# in OUTDIR (default: the current directory), then lintian checks it
# when installed: any error fails the build.
# Needs: dpkg-dev, debhelper, the Build-Depends of contrib/debian/control.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
out=$(cd "${1:-.}" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/triaged-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

version=$(sed -n '1s/^triaged (\([^)]*\)).*/\1/p' "$top/contrib/debian/changelog")
src=$work/triaged-$version
mkdir "$src"
(cd "$top" && git ls-files -co --exclude-standard -z |
    xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
    tar --null -T - -cf -) | (cd "$src" && tar -xf -)
cp -a "$src/contrib/debian" "$src/debian"
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1 || {
	tail -n 60 "$work/build.log" >&2
	echo "build-deb: dpkg-buildpackage failed" >&2
	exit 1
}
deb=$(ls "$work"/triaged_"$version"_*.deb)
cp "$deb" "$out/"
echo "build-deb: $out/$(basename "$deb")"
if command -v lintian >/dev/null; then
	# Errors fail; warnings are shown.
	lintian --fail-on error "$out/$(basename "$deb")"
else
	echo "build-deb: lintian not installed, not checked" >&2
fi
