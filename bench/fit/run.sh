#!/bin/sh
# Times `mlesim fit` for every family on the files bench/fit/make_data.py
# writes (10^6 observations each): wall and CPU (user + system) seconds, with
# profile intervals and, when the binary has it, with --no-profile; the best
# of REPEAT runs (default 1). On a shared machine the CPU time is the steadier
# figure; the wall time is what a user waits. Each fit's CSV output is kept in
# OUT (default a temporary folder), so that two builds' figures can be diffed.
# CPUS (a taskset list such as 0, or 0,1) pins every run to those cores; TBB
# then runs as many threads as it is given cores (CPUS=0: one thread).
# Usage: [REPEAT=R] [CPUS=LIST] bench/fit/run.sh DATA_DIR [MLESIM] [OUT]   (default build/mlesim)
set -eu
data=$1
mlesim=${2:-build/mlesim}
out=${3:-$(mktemp -d)}
repeat=${REPEAT:-1}
pin=""
[ -n "${CPUS:-}" ] && pin="taskset -c $CPUS"
mkdir -p "$out"
no_profile=no
"$mlesim" fit --help 2>/dev/null | grep -q -- --no-profile && no_profile=yes
times=$(mktemp)
# best "$@": the least wall and CPU seconds of $repeat runs, output to $file.
best() {
  wall="" cpu=""
  i=0
  while [ "$i" -lt "$repeat" ]; do
    # shellcheck disable=SC2086
    /usr/bin/time -f '%e %U %S' -o "$times" $pin "$@" >"$file" 2>&1 || true
    read -r w u s <"$times"
    wall=$(awk -v a="$w" -v m="$wall" 'BEGIN { print (m == "" || a < m) ? a : m }')
    cpu=$(awk -v a="$u" -v b="$s" -v m="$cpu" 'BEGIN { c = a + b; print (m == "" || c < m) ? c : m }')
    i=$((i + 1))
  done
  printf '%8s %8s' "$wall" "$cpu"
}
printf '%-18s %17s %17s\n' "" "profile" "--no-profile"
printf '%-18s %8s %8s %8s %8s\n' family wall_s cpu_s wall_s cpu_s
for csv in "$data"/*.csv; do
  family=$(basename "$csv" .csv)
  known=$(cat "$data/$family.known" 2>/dev/null || true)
  args=$(cat "$data/$family.args" 2>/dev/null || echo "--model $family")
  file="$out/$family.csv"
  # shellcheck disable=SC2086
  with=$(best "$mlesim" fit $args $known --format csv "$csv")
  without=$(printf '%8s %8s' - -)
  if [ "$no_profile" = yes ]; then
    file="$out/$family.no-profile.csv"
    # shellcheck disable=SC2086
    without=$(best "$mlesim" fit $args $known --no-profile --format csv "$csv")
  fi
  printf '%-18s %s %s\n' "$family" "$with" "$without"
done
rm -f "$times"
echo "outputs in $out"
