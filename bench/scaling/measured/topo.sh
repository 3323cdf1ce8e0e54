#!/bin/sh
# Issue 13: what the 16 "cores" are (physical cores or hyperthreads), and
# longer runs of gamma and the logistic regression at 1, 8 and 16 threads.
set -u
P=$(pwd)/devpack
W=$P/wrap; mkdir -p $W
for b in mlesim gnuplot time; do
  printf '#!/bin/sh\nexec %s/lib/ld-linux-x86-64.so.2 --library-path %s/lib %s/bin/%s "$@"\n' $P $P $P $b > $W/$b; chmod +x $W/$b
done
export PATH=$W:$PATH
sim() { awk '/^  [0-9]+\.[0-9]+ s$/ { s += $1 } END { print s + 0 }' "$1"; }
{
echo "== topology"
lscpu 2>&1
for c in /sys/devices/system/cpu/cpu[0-9]*; do echo "$(basename $c) siblings=$(cat $c/topology/thread_siblings_list 2>/dev/null) core=$(cat $c/topology/core_id 2>/dev/null) pkg=$(cat $c/topology/physical_package_id 2>/dev/null)"; done
grep -m1 'model name' /proc/cpuinfo; grep MHz /proc/cpuinfo | sort | uniq -c
command -v taskset || echo "no taskset"
echo "== rounds: round config threads wall_s sim_s user_s"
for round in 1 2 3; do
  for c in gamma logistic_regression; do
    if [ $c = gamma ]; then reps=4000000; else reps=400000; fi
    for t in 1 8 16; do
      rm -rf /tmp/r-$c-$t
      $W/time -f '%U %e' -o /tmp/tm mlesim run --threads $t --reps $reps --progress none -o /tmp/r-$c-$t bench/scaling/$c.toml > /tmp/r.txt
      echo "$round $c $t $(cut -d' ' -f2 /tmp/tm) $(sim /tmp/r.txt) $(cut -d' ' -f1 /tmp/tm)"
    done
  done
done
echo "== done"
} 2>&1 | tee $OUT/topo.txt
