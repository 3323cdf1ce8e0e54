#!/usr/bin/env bash
# Replications for a target precision across shards, MPI ranks and resumed
# runs: a target config whose rows stop at different rounds (some meeting
# their targets, some running to max_replications) gives the bytes of one
# run merged from 1, 2, 3 and 7 shards, under MPI with 2 and 3 ranks, and
# killed and resumed; its shards' states are still checked by name.
# usage: target_state_test.sh MLESIM SOURCE_ROOT
set -u
mlesim=$1
root=$2
# shellcheck source=tests/experiments/harness.sh
. "$(dirname "$0")/harness.sh"

# same_reports DIR_A DIR_B: every report of A (tables, figures, pages, results) is in B, byte for byte.
same_reports() {
  local a=$1 b=$2 f
  for f in "$a"/*.csv "$a"/*.md "$a"/*.svg "$a"/*.html "$a"/*.json; do
    [ -e "$f" ] || continue
    cmp -s "$f" "$b/$(basename "$f")" && ok || bad "$(basename "$f") differs between $a and $b"
  done
}

# Six rows (three rates, two n) of 250 chunks of 16 at most: the rate's
# bias MCSE is about rate / sqrt(n R), so rate 0.5 meets 0.02 in the pilot,
# rate 2 after a few rounds, and rate 8 at n = 20 needs some 8000
# replications and stops at the maximum, its target unmet.
cat > "$work/target.toml" <<'TOML'
[experiment]
name = "target"
seed = 17
target_mcse = { coverage = 0.02, bias = 0.02 }
max_replications = 4000
sample_sizes = [20, 80]
[generate]
family = "exponential"
params = { rate = [0.5, 2, 8] }
TOML
"$mlesim" run -q -o "$work/single" "$work/target.toml" || bad "the single run failed"
csv="$work/single/target.csv"
column() {  # column NAME: that column of every row
  awk -F, -v name="$1" 'NR == 1 { for (i = 1; i <= NF; ++i) if ($i == name) c = i; next } { print $c }' "$csv"
}
# The design holds: rows met and rows at the maximum, stopped at several rounds.
column target_met | grep -qx true && ok || bad "no row met its target: $(column target_met | tr '\n' ' ')"
column target_met | grep -qx false && ok || bad "every row met its target: $(column target_met | tr '\n' ' ')"
column reps | grep -qx 4000 && ok || bad "no row ran to the maximum: $(column reps | tr '\n' ' ')"
[ "$(column reps | sort -u | wc -l)" -ge 3 ] && ok || bad "rows stopped at fewer than 3 counts: $(column reps | sort -u | tr '\n' ' ')"

# Shards run every chunk to the maximum; merge stops each row where one run stops.
for n in 1 2 3 7; do
  chunks=0
  for k in $(seq "$n"); do
    threads=$(( k % 2 + 1 ))  # shards on 1 and on 2 threads alike
    line=$("$mlesim" run --shard "$k/$n" --threads "$threads" -o "$work/shards-$n" "$work/target.toml" | head -1) \
      || bad "shard $k/$n failed"
    chunks=$(( chunks + $(echo "$line" | sed -n 's/.* of [0-9]*, \([0-9]*\) chunks.*/\1/p') ))
  done
  [ "$chunks" = 1500 ] && ok || bad "$n shards held $chunks chunks, wanted all 6 x 250 to the maximum"
  [ -z "$(ls "$work/shards-$n"/*.csv 2> /dev/null)" ] && ok || bad "a shard wrote a report"
  "$mlesim" merge "$work/shards-$n"/*.state -o "$work/merged-$n" > /dev/null || bad "merging $n shards failed"
  same_reports "$work/single" "$work/merged-$n"
done

# A target study's shards are checked as any: foreign, duplicated or missing: exit 2, no report.
expect_refusal() {  # expect_refusal NAME MESSAGE STATE...
  local name=$1 message=$2
  shift 2
  "$mlesim" merge "$@" -o "$work/refused-$name" > /dev/null 2> "$work/stderr"
  local rc=$?
  [ "$rc" = 2 ] && ok || bad "$name: exit $rc, wanted 2"
  grep -qF -- "$message" "$work/stderr" && ok || bad "$name: stderr lacks '$message': $(cat "$work/stderr")"
  [ -z "$(ls "$work/refused-$name"/*.csv 2> /dev/null)" ] && ok || bad "$name: wrote a report"
}
s="$work/shards-3"
expect_refusal missing "target: missing 1 of 3 shards: target.shard-2-of-3.state" \
  "$s/target.shard-1-of-3.state" "$s/target.shard-3-of-3.state"
cp "$s/target.shard-2-of-3.state" "$work/copy.state"
expect_refusal duplicated "copy.state: shard 2 of 3 again" \
  "$s/target.shard-1-of-3.state" "$s/target.shard-2-of-3.state" "$work/copy.state" "$s/target.shard-3-of-3.state"
# Another target is another study, though every chunk's sums are the same.
sed 's/coverage = 0.02, bias = 0.02/coverage = 0.02, bias = 0.03/' "$work/target.toml" > "$work/foreign.toml"
"$mlesim" run -q --shard 2/3 -o "$work/foreign" "$work/foreign.toml" || bad "the foreign shard failed"
expect_refusal foreign "a state of another study named 'target'" \
  "$s/target.shard-1-of-3.state" "$work/foreign/target.shard-2-of-3.state" "$s/target.shard-3-of-3.state"
grep -qF 'targets: ' "$work/stderr" && ok || bad "foreign: the refusal does not name the targets: $(cat "$work/stderr")"

# MPI with 2 and 3 ranks (each on one thread): rank 0 decides every round.
if command -v mpirun > /dev/null && "$mlesim" run --help | grep -q -- '--mpi'; then
  for ranks in 2 3; do
    mpirun --allow-run-as-root --oversubscribe -np "$ranks" "$mlesim" run --mpi --threads 1 -q \
      -o "$work/mpi-$ranks" "$work/target.toml" > "$work/mpi.log" 2>&1 \
      || bad "mpirun -np $ranks failed: $(tail -5 "$work/mpi.log")"
    same_reports "$work/single" "$work/mpi-$ranks"
  done
else
  echo "note: no mpirun or no MPI build: the MPI checks did not run"
fi

# Killed with SIGKILL three times at random moments, then resumed: the bytes
# of one run. A long target study: a gamma row meets its bias target after
# some rounds, the other runs all eight rounds to the maximum. The killed
# runs have one thread, so that a fast core too is killed before the end:
# the study's 3.2 million replications took 5.5 s of one core here, and the
# three killed runs live at most 3.3 s together.
cat > "$work/long.toml" <<'TOML'
[experiment]
name = "long"
seed = 11
target_mcse = { bias = 0.00025 }
max_replications = 3000000
sample_sizes = [50, 1000]
[generate]
family = "gamma"
params = { shape = 2.5, rate = 1.5 }
[fit]
estimands = ["shape"]
TOML
"$mlesim" run -q -o "$work/long-single" "$work/long.toml" || bad "the long run failed"
csv="$work/long-single/long.csv"
[ "$(column target_met | sort | tr '\n' ' ')" = "false true " ] && ok \
  || bad "long: wanted one row met and one at the maximum: $(column target_met | tr '\n' ' ')"
RANDOM=20261127  # the kill moments are random, but the same in every run of this test
for attempt in 1 2 3; do
  "$mlesim" run --resume --threads 1 --checkpoint-every 0.2 -o "$work/long-resumed" "$work/long.toml" \
    > /dev/null 2>&1 &
  pid=$!
  sleep "$(scaled "0.$(( RANDOM % 9 + 3 ))")"  # 0.3 to 1.1 s of a release build
  kill -KILL "$pid" 2> /dev/null
  wait "$pid" 2> /dev/null
done
[ -f "$work/long-resumed/long.checkpoint.state" ] && ok || bad "no checkpoint survived the kills"
[ -z "$(ls "$work/long-resumed"/*.csv 2> /dev/null)" ] && ok || bad "a killed run wrote a report"
# A changed target is refused on resume, saying what changed.
sed 's/bias = 0.00025/bias = 0.001/' "$work/long.toml" > "$work/long-changed.toml"
"$mlesim" run --resume -o "$work/long-resumed" "$work/long-changed.toml" > /dev/null 2> "$work/stderr"
[ $? = 2 ] && ok || bad "a resume with another target was not refused"
grep -qF 'targets: ' "$work/stderr" && ok || bad "the refusal does not say what changed: $(cat "$work/stderr")"
"$mlesim" run --resume -o "$work/long-resumed" "$work/long.toml" > /dev/null || bad "the resumed run failed"
same_reports "$work/long-single" "$work/long-resumed"
[ ! -e "$work/long-resumed/long.checkpoint.state" ] && ok || bad "a finished run left its checkpoint"

finish
