#!/bin/sh
set -u
P=$(pwd)/devpack
W=$P/wrap; mkdir -p $W
for b in mlesim gnuplot time; do
  printf '#!/bin/sh\nexec %s/lib/ld-linux-x86-64.so.2 --library-path %s/lib %s/bin/%s "$@"\n' $P $P $P $b > $W/$b; chmod +x $W/$b
done
export PATH=$W:$PATH
{
echo "round config threads user_s sys_s wall_s"
for round in 1 2 3; do
  for c in gamma normal; do
    for t in 1 16; do
      $W/time -f "$round $c $t %U %S %e" mlesim run --threads $t -q -o /tmp/c-$c-$t bench/scaling/$c.toml
    done
  done
done
echo "== 16 gamma processes at once, one thread each, 2.5e5 reps: user/wall each"
i=0; while [ $i -lt 16 ]; do $W/time -f "%U %e" -o /tmp/t$i mlesim run --threads 1 --reps 250000 -q -o /tmp/cg$i bench/scaling/gamma.toml & i=$((i+1)); done; wait
cat /tmp/t* | tr '\n' ' '; echo
$W/time -f "alone %U %e" mlesim run --threads 1 --reps 250000 -q -o /tmp/cga bench/scaling/gamma.toml
echo "== done"
} 2>&1 | tee $OUT/cpu.txt
