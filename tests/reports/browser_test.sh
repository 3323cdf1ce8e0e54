#!/usr/bin/env bash
# The HTML pages in a real browser: Debian's headless Chromium loads each
# page a run leaves (an experiment's, the uniform's without some figures, a
# grid's, a verified one's and the folder's index) at a desktop's width, two also at a
# phone's, logs no console message, and takes a screenshot that is not blank. Two
# control pages show that the check can fail: one with a script error must
# log it, a blank one must read as blank. Skipped (exit 77) without chromium
# or python3, which reads the screenshots.
# usage: browser_test.sh MLESIM SOURCE_ROOT
set -u
mlesim=$1
root=$2
if ! command -v chromium > /dev/null; then
  echo "SKIP: chromium is not installed (setup.sh installs it; Debian: apt-get install chromium)"
  exit 77
fi
if ! command -v python3 > /dev/null; then
  echo "SKIP: python3, which reads the screenshots, is not installed"
  exit 77
fi
# shellcheck source=tests/experiments/harness.sh
. "$(dirname "$0")/../experiments/harness.sh"

# shot PAGE PNG WIDTH HEIGHT: loads the page at that size (CSS pixels),
# writes the screenshot at a quarter of the resolution (enough to tell a
# blank page, and quick to read), and leaves the browser's console messages
# in $work/console. MLESIM_SCREENSHOT_SCALE=1 keeps the full resolution.
shot() {
  timeout 180 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
    --user-data-dir="$work/profile" --enable-logging=stderr --v=0 --window-size="$3,$4" \
    --force-device-scale-factor="${MLESIM_SCREENSHOT_SCALE:-0.25}" \
    --screenshot="$2" "file://$1" > /dev/null 2> "$work/chromium.log"
  local rc=$?
  grep -E ':CONSOLE[:(]' "$work/chromium.log" > "$work/console"
  return $rc
}

# blank PNG: exit 0 when the picture is one colour but for under 1% of its pixels.
blank() {
  python3 - "$1" << 'EOF'
import struct, sys, zlib
from collections import Counter
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, chunks, idat = 8, {}, b""
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        width, height, depth, colour = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + length
assert depth == 8 and colour in (2, 6), f"unexpected PNG format {depth}/{colour}"
size = 3 if colour == 2 else 4
raw, stride = zlib.decompress(idat), width * size
rows, previous, at = [], bytearray(stride), 0
for _ in range(height):
    kind, line = raw[at], bytearray(raw[at + 1:at + 1 + stride])
    at += 1 + stride
    for i in range(stride):
        a = line[i - size] if i >= size else 0
        b, c = previous[i], previous[i - size] if i >= size else 0
        if kind == 1: line[i] = (line[i] + a) & 255
        elif kind == 2: line[i] = (line[i] + b) & 255
        elif kind == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif kind == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(bytes(line))
    previous = line
pixels = Counter(row[i:i + size] for row in rows for i in range(0, stride, size))
background = pixels.most_common(1)[0][1]
sys.exit(0 if width * height - background < 0.01 * width * height else 1)
EOF
}

"$mlesim" run "$root/experiments/quickstart.toml" "$root/experiments/uniform.toml" --reps 1000 -o "$work/out" \
  > /dev/null 2>&1 || bad "the run failed"
"$mlesim" run "$root/experiments/grid-gamma-shape.toml" --reps 400 -o "$work/out" > /dev/null 2>&1 || bad "the grid's run failed"
"$mlesim" verify "$root/experiments/properties/exponential.toml" --reps 1000 -o "$work/out" > /dev/null 2>&1
[ $? -le 1 ] || bad "verify failed to run"

# The controls: a script error is logged, an empty page reads as blank.
printf '<!DOCTYPE html><html><head><meta charset="utf-8"><title>x</title></head><body><p>x</p><script>nonexistent();</script></body></html>\n' > "$work/error.html"
shot "$work/error.html" "$work/error.png" 800 600 || bad "chromium failed on the control page: $(tail -3 "$work/chromium.log")"
[ -s "$work/console" ] && ok || bad "the control page's script error was not seen in the console log"
printf '<!DOCTYPE html><html><head><meta charset="utf-8"><title>x</title></head><body></body></html>\n' > "$work/blank.html"
shot "$work/blank.html" "$work/blank.png" 800 600 || bad "chromium failed on the blank page"
blank "$work/blank.png" && ok || bad "the blank control page did not read as blank"

for page in quickstart uniform grid-gamma-shape properties-exponential index; do
  [ -f "$work/out/$page.html" ] || { bad "$page.html was not written"; continue; }
  sizes="1280,2400"
  case $page in quickstart | index) sizes="$sizes 390,1600" ;; esac  # and on a phone
  for size in $sizes; do
    png="$work/$page-${size%,*}.png"
    shot "$work/out/$page.html" "$png" "${size%,*}" "${size#*,}" || { bad "chromium failed on $page.html: $(tail -3 "$work/chromium.log")"; continue; }
    [ -s "$png" ] && ok || { bad "no screenshot of $page.html"; continue; }
    [ ! -s "$work/console" ] && ok || bad "$page.html at width ${size%,*} logged: $(cat "$work/console")"
    blank "$png" && bad "$page.html's screenshot at width ${size%,*} is blank" || ok
  done
done
# MLESIM_SCREENSHOTS=DIR keeps them, to look at.
if [ -n "${MLESIM_SCREENSHOTS:-}" ]; then mkdir -p "$MLESIM_SCREENSHOTS" && cp "$work"/*.png "$MLESIM_SCREENSHOTS/"; fi
finish
