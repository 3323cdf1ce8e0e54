#!/bin/sh
# Thread scaling of `mlesim run`: wall time, speed-up over one thread and peak
# RSS for each config here at 1, 2, 4, 8 and 16 threads (or the counts given
# in THREADS), and whether every report is byte-identical to one thread's.
# Usage: bench/scaling/run.sh [MLESIM]   (default build/mlesim)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mlesim=${1:-build/mlesim}
threads=${THREADS:-"1 2 4 8 16"}
work=$(mktemp -d)
printf '%-22s %7s %9s %8s %9s %s\n' config threads seconds speedup rss_MiB identical
for config in "$here"/*.toml; do
  name=$(basename "$config" .toml)
  base=""
  for t in $threads; do
    out="$work/$name-$t"
    start=$(date +%s%N)
    if [ -x /usr/bin/time ]; then
      /usr/bin/time -f '%M' -o "$work/rss" "$mlesim" run --threads "$t" -o "$out" "$config" >/dev/null
    else
      echo 0 >"$work/rss"
      "$mlesim" run --threads "$t" -o "$out" "$config" >/dev/null
    fi
    end=$(date +%s%N)
    secs=$(awk -v a="$start" -v b="$end" 'BEGIN { print (b - a) / 1e9 }')
    [ -n "$base" ] || { base=$secs; first=$out; }
    same=yes; cmp -s "$first"/*.csv "$out"/*.csv || same=NO
    awk -v n="$name" -v t="$t" -v s="$secs" -v b="$base" -v r="$(cat "$work/rss")" -v i="$same" \
      'BEGIN { printf "%-22s %7s %9.2f %8.2f %9.1f %s\n", n, t, s, b / s, r / 1024, i }'
  done
done
rm -rf "$work"
