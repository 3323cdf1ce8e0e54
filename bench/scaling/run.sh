#!/bin/sh
# Thread scaling of `mlesim run`: for each config here at 1, 2, 4, 8 and 16
# threads (or the counts given in THREADS), the whole command's wall time and
# its speed-up over one thread; the simulation's own time (the seconds `run`
# prints after its table: drawing, fitting and accumulating, without process
# start, loading the config and writing the reports) and its speed-up; peak
# RSS; and whether every report is byte-identical to one thread's.
# Usage: bench/scaling/run.sh [MLESIM]   (default build/mlesim)
#        REPEAT=3 bench/scaling/run.sh   (each point run 3 times, best kept)
#        TIME_BIN=PATH: a GNU time for the peak RSS (default /usr/bin/time)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mlesim=${1:-build/mlesim}
threads=${THREADS:-"1 2 4 8 16"}
repeat=${REPEAT:-1}
work=$(mktemp -d)
printf '%-22s %7s %9s %8s %9s %8s %9s %s\n' config threads wall_s speedup sim_s speedup rss_MiB identical
for config in "$here"/*.toml; do
  name=$(basename "$config" .toml)
  base=""
  for t in $threads; do
    out="$work/$name-$t"
    best=""; best_sim=""; rss=0
    r=0
    while [ "$r" -lt "$repeat" ]; do
      r=$((r + 1))
      rm -rf "$out"
      start=$(date +%s%N)
      if [ -x "${TIME_BIN:=/usr/bin/time}" ]; then
        "$TIME_BIN" -f '%M' -o "$work/rss" "$mlesim" run --threads "$t" --progress none -o "$out" "$config" >"$work/stdout"
      else
        echo 0 >"$work/rss"
        "$mlesim" run --threads "$t" --progress none -o "$out" "$config" >"$work/stdout"
      fi
      end=$(date +%s%N)
      secs=$(awk -v a="$start" -v b="$end" 'BEGIN { print (b - a) / 1e9 }')
      sim=$(awk '/^  [0-9]+\.[0-9]+ s$/ { s += $1 } END { print s + 0 }' "$work/stdout")
      best=$(awk -v a="$best" -v b="$secs" 'BEGIN { print (a == "" || b < a) ? b : a }')
      best_sim=$(awk -v a="$best_sim" -v b="$sim" 'BEGIN { print (a == "" || b < a) ? b : a }')
      rss=$(awk -v a="$rss" -v b="$(cat "$work/rss")" 'BEGIN { print (b > a) ? b : a }')
    done
    [ -n "$base" ] || { base=$best; base_sim=$best_sim; first=$out; }
    same=yes
    for f in "$first"/*.csv "$first"/*.md; do cmp -s "$f" "$out/$(basename "$f")" || same=NO; done
    awk -v n="$name" -v t="$t" -v s="$best" -v b="$base" -v m="$best_sim" -v bm="$base_sim" -v r="$rss" -v i="$same" \
      'BEGIN { printf "%-22s %7s %9.3f %8.2f %9.3f %8.2f %9.1f %s\n", n, t, s, b / s, m, (m > 0 ? bm / m : 0), r / 1024, i }'
  done
done
rm -rf "$work"
