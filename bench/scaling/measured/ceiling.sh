#!/bin/sh
# The machine's own ceiling: P independent one-thread processes at once
# against one alone; 16 x T_alone / T_concurrent is the most any program
# could gain on 16 cores (shared caches, turbo, SMT siblings on the host).
set -u
P=$(pwd)/devpack
W=$P/wrap; mkdir -p $W
for b in mlesim gnuplot time; do
  printf '#!/bin/sh\nexec %s/lib/ld-linux-x86-64.so.2 --library-path %s/lib %s/bin/%s "$@"\n' $P $P $P $b > $W/$b; chmod +x $W/$b
done
export PATH=$W:$PATH
sim() { awk '/^  [0-9]+\.[0-9]+ s$/ { s += $1 } END { print s + 0 }' "$1"; }
{
for spec in "normal 1000000" "gamma 250000" "logistic_regression 50000"; do
  set -- $spec; c=$1; r=$2
  mlesim run --threads 1 --reps $r --progress none -o /tmp/alone-$c bench/scaling/$c.toml > /tmp/alone-$c.txt
  mlesim run --threads 1 --reps $r --progress none -o /tmp/alone-$c bench/scaling/$c.toml > /tmp/alone-$c.txt
  echo "$c reps $r alone: $(sim /tmp/alone-$c.txt) s"
  for p in 2 4 8 16; do
    i=0; while [ $i -lt $p ]; do mlesim run --threads 1 --reps $r --progress none -o /tmp/co-$c-$i bench/scaling/$c.toml > /tmp/co-$c-$i.txt & i=$((i+1)); done; wait
    i=0; list=""; while [ $i -lt $p ]; do list="$list $(sim /tmp/co-$c-$i.txt)"; i=$((i+1)); done
    echo "$c $p at once:$list" | awk -v a="$(sim /tmp/alone-$c.txt)" -v p=$p '{ m=0; s=0; for (i=4;i<=NF;i++) { s+=$i; if ($i>m) m=$i } print $0; printf "   -> mean %.3f max %.3f s; throughput vs one alone %.2fx of %d\n", s/(NF-3), m, p*a/m, p }'
  done
done
echo "== normal, 1 and 16 threads, 5 runs each (sim s)"
for t in 1 16 1 16 1 16 1 16 1 16; do mlesim run --threads $t --progress none -o /tmp/n-$t bench/scaling/normal.toml > /tmp/n.txt; echo "threads $t: $(sim /tmp/n.txt)"; done
echo "== gamma, 1 and 16 threads, 3 runs each (sim s)"
for t in 1 16 1 16 1 16; do mlesim run --threads $t --progress none -o /tmp/g-$t bench/scaling/gamma.toml > /tmp/g.txt; echo "threads $t: $(sim /tmp/g.txt)"; done
echo "== done"
} 2>&1 | tee $OUT/ceiling.txt
