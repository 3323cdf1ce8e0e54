#!/bin/sh
# Issue 13: 16 independent one-thread processes at once against one alone:
# how much more CPU a unit of work costs when all 16 cores are busy, with
# nothing shared between the processes.
set -u
P=$(pwd)/devpack
W=$P/wrap; mkdir -p $W
for b in mlesim gnuplot time; do
  printf '#!/bin/sh\nexec %s/lib/ld-linux-x86-64.so.2 --library-path %s/lib %s/bin/%s "$@"\n' $P $P $P $b > $W/$b; chmod +x $W/$b
done
export PATH=$W:$PATH
{
for c in logistic_regression gamma; do
  if [ $c = gamma ]; then reps=500000; else reps=50000; fi
  for round in 1 2; do
    $W/time -f "$c alone user_s=%U wall_s=%e" mlesim run --threads 1 --reps $reps -q -o /tmp/a-$c bench/scaling/$c.toml
    i=0; while [ $i -lt 16 ]; do $W/time -f "%U" -o /tmp/t$i mlesim run --threads 1 --reps $reps -q -o /tmp/p$i bench/scaling/$c.toml & i=$((i+1)); done; wait
    echo "$c 16 at once, user_s each: $(cat /tmp/t* | tr '\n' ' ')"
  done
done
echo "== done"
} 2>&1 | tee $OUT/ctl.txt
