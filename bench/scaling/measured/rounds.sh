#!/bin/sh
# Interleaved rounds: each round runs every config at 1, 2, 4, 8, 16 threads
# in turn, so the VM's slow drift of speed hits every thread count alike.
set -u
P=$(pwd)/devpack
W=$P/wrap; mkdir -p $W
for b in mlesim gnuplot time; do
  printf '#!/bin/sh\nexec %s/lib/ld-linux-x86-64.so.2 --library-path %s/lib %s/bin/%s "$@"\n' $P $P $P $b > $W/$b; chmod +x $W/$b
done
export PATH=$W:$PATH
sim() { awk '/^  [0-9]+\.[0-9]+ s$/ { s += $1 } END { print s + 0 }' "$1"; }
{
echo "round config threads wall_s sim_s rss_KiB identical"
for round in 1 2 3 4 5; do
  for c in normal gamma logistic_regression; do
    for t in 1 2 4 8 16; do
      rm -rf /tmp/r-$c-$t
      s=$(date +%s%N)
      $W/time -f '%M' -o /tmp/rss mlesim run --threads $t --progress none -o /tmp/r-$c-$t bench/scaling/$c.toml > /tmp/r.txt
      e=$(date +%s%N)
      same=yes; for f in /tmp/r-$c-1/*.csv /tmp/r-$c-1/*.md; do cmp -s $f /tmp/r-$c-$t/$(basename $f) || same=NO; done
      echo "$round $c $t $(awk -v a=$s -v b=$e 'BEGIN{printf "%.3f", (b-a)/1e9}') $(sim /tmp/r.txt) $(cat /tmp/rss) $same"
    done
  done
done
echo "== done"
} 2>&1 | tee $OUT/rounds.txt
