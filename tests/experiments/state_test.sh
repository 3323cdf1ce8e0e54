#!/usr/bin/env bash
# Runs as data: shards merged, and runs killed and resumed, give the bytes of
# one run; bad, foreign, duplicated or missing states are refused by name.
# usage: state_test.sh MLESIM SOURCE_ROOT
set -u
mlesim=$1
root=$2
# shellcheck source=tests/experiments/harness.sh
. "$(dirname "$0")/harness.sh"

# same_reports DIR_A DIR_B: every report of A (tables, figures, pages, results) is in B, byte for byte.
same_reports() {
  local a=$1 b=$2 f
  for f in "$a"/*.csv "$a"/*.md "$a"/*.svg "$a"/*.html "$a"/*.json; do
    cmp -s "$f" "$b/$(basename "$f")" && ok || bad "$(basename "$f") differs between $a and $b"
  done
}

# A family, a regression, a misspecified fit and the non-regular uniform.
configs="$root/experiments/gamma.toml $root/experiments/logistic_regression.toml
  $root/experiments/misspecified-normal-t.toml $root/experiments/uniform.toml"
# shellcheck disable=SC2086
"$mlesim" run --reps 3000 -o "$work/single" $configs > /dev/null || bad "the single run failed"
for n in 1 2 3 7; do
  for k in $(seq "$n"); do
    threads=$(( k % 2 + 1 ))  # shards on 1 and on 2 threads alike
    # shellcheck disable=SC2086
    "$mlesim" run --reps 3000 --shard "$k/$n" --threads "$threads" -o "$work/shards-$n" $configs > /dev/null \
      || bad "shard $k/$n failed"
  done
  [ -z "$(ls "$work/shards-$n"/*.csv 2> /dev/null)" ] && ok || bad "a shard wrote a report"
  "$mlesim" merge "$work/shards-$n"/*.state -o "$work/merged-$n" > /dev/null || bad "merging $n shards failed"
  same_reports "$work/single" "$work/merged-$n"
done

# Shards of one study run at once into one folder, as a SLURM array does.
for k in 1 2 3; do
  "$mlesim" run --reps 3000 --shard "$k/3" --threads 1 -o "$work/concurrent" "$root/experiments/gamma.toml" > /dev/null &
done
wait
"$mlesim" merge "$work/concurrent"/*.state -o "$work/concurrent-merged" > /dev/null || bad "concurrent shards did not merge"
cmp -s "$work/single/gamma.csv" "$work/concurrent-merged/gamma.csv" && ok || bad "concurrent shards differ from one run"

# expect_refusal NAME MESSAGE STATE...: merge exits 2, names the problem, writes no report.
expect_refusal() {
  local name=$1 message=$2
  shift 2
  "$mlesim" merge "$@" -o "$work/refused-$name" > /dev/null 2> "$work/stderr"
  local rc=$?
  [ "$rc" = 2 ] && ok || bad "$name: exit $rc, wanted 2"
  grep -qF -- "$message" "$work/stderr" && ok || bad "$name: stderr lacks '$message': $(cat "$work/stderr")"
  [ -z "$(ls "$work/refused-$name"/*.csv 2> /dev/null)" ] && ok || bad "$name: wrote a report"
}
s="$work/shards-3"
cp "$s/gamma.shard-2-of-3.state" "$work/corrupt.state"
printf 'X' | dd of="$work/corrupt.state" bs=1 seek=5000 conv=notrunc 2> /dev/null
expect_refusal corrupt "corrupt.state: corrupt: its checksum does not match" \
  "$s/gamma.shard-1-of-3.state" "$work/corrupt.state" "$s/gamma.shard-3-of-3.state"
head -c 3000 "$s/gamma.shard-2-of-3.state" > "$work/truncated.state"
expect_refusal truncated "truncated.state: not a usable state file: truncated" \
  "$s/gamma.shard-1-of-3.state" "$work/truncated.state" "$s/gamma.shard-3-of-3.state"
expect_refusal missing "gamma: missing 1 of 3 shards: gamma.shard-2-of-3.state" \
  "$s/gamma.shard-1-of-3.state" "$s/gamma.shard-3-of-3.state"
cp "$s/gamma.shard-2-of-3.state" "$work/copy.state"
expect_refusal duplicated "copy.state: shard 2 of 3 again" \
  "$s/gamma.shard-1-of-3.state" "$s/gamma.shard-2-of-3.state" "$work/copy.state" "$s/gamma.shard-3-of-3.state"
expect_refusal mixed-counts "shard 1 of 2, but" "$s/gamma.shard-2-of-3.state" "$work/shards-2/gamma.shard-1-of-2.state"
"$mlesim" run --reps 3000 --seed 7 --shard 2/3 -o "$work/foreign" "$root/experiments/gamma.toml" > /dev/null
expect_refusal foreign "a state of another study named 'gamma'" \
  "$s/gamma.shard-1-of-3.state" "$work/foreign/gamma.shard-2-of-3.state" "$s/gamma.shard-3-of-3.state"
cp "$s/gamma.shard-2-of-3.state" "$work/version.state"
printf '\x63' | dd of="$work/version.state" bs=1 seek=8 conv=notrunc 2> /dev/null  # the format version's low byte
expect_refusal version "version.state: written by state format 99" \
  "$s/gamma.shard-1-of-3.state" "$work/version.state" "$s/gamma.shard-3-of-3.state"
printf 'not a state' > "$work/text.state"
expect_refusal not-a-state "text.state: not an mlesim state file" "$work/text.state"
# Offsets count from the file's start: the magic and version are 12 bytes.
head -c 12 "$s/gamma.shard-2-of-3.state" > "$work/twelve.state"
expect_refusal offset "twelve.state: not a usable state file: truncated at byte 12" "$work/twelve.state"
# A study of the most shards --shard allows, one of them given: the count and a few names, not 65535 of them.
"$mlesim" run --reps 20 --shard 1/65536 -o "$work/many" "$root/experiments/quickstart.toml" > /dev/null \
  || bad "shard 1 of 65536 failed"
expect_refusal many-missing "quickstart: missing 65535 of 65536 shards: quickstart.shard-2-of-65536.state, " \
  "$work/many/quickstart.shard-1-of-65536.state"
grep -qF "quickstart.shard-6-of-65536.state and 65530 more" "$work/stderr" && [ "$(wc -c < "$work/stderr")" -lt 1000 ] \
  && ok || bad "many-missing: $(head -c 1000 "$work/stderr")"

# Killed with SIGKILL three times at random moments, then resumed: the bytes of one run.
cat > "$work/long.toml" <<'TOML'
[experiment]
name = "long"
seed = 11
replications = 600000
sample_sizes = [50, 200]
[generate]
family = "gamma"
params = { shape = 2.5, rate = 1.5 }
[fit]
estimands = ["shape", "rate", "mean"]
TOML
"$mlesim" run -o "$work/long-single" "$work/long.toml" > /dev/null || bad "the long run failed"
RANDOM=20261126  # the kill moments are random, but the same in every run of this test
for attempt in 1 2 3; do
  "$mlesim" run --resume --checkpoint-every 0.2 -o "$work/long-resumed" "$work/long.toml" > /dev/null 2>&1 &
  pid=$!
  # 0.4 to 0.8 s of a release build (here 0.8, 0.5, 0.6), each after the
  # first checkpoint (about 0.35 s on 2 cores), all three well short of the
  # 3.2 s run. Before, "0.$((RANDOM % 9 + 3))" gave 0.3, 0.6 and "0.10" =
  # 0.1 s, and on a loaded machine no kill came after a checkpoint.
  sleep "$(scaled "$(awk -v r=$((RANDOM % 5)) 'BEGIN { printf "%.1f", 0.4 + r / 10 }')")"
  kill -KILL "$pid" 2> /dev/null
  wait "$pid" 2> /dev/null
done
[ -f "$work/long-resumed/long.checkpoint.state" ] && ok || bad "no checkpoint survived the kills"
[ -z "$(ls "$work/long-resumed"/*.csv 2> /dev/null)" ] && ok || bad "a killed run wrote a report"
# A changed config is refused, saying what changed.
"$mlesim" run --resume --seed 12 -o "$work/long-resumed" "$work/long.toml" > /dev/null 2> "$work/stderr"
[ $? = 2 ] && ok || bad "a resume with another seed was not refused"
grep -qF 'seed: 11 -> 12' "$work/stderr" && ok || bad "the refusal does not say what changed: $(cat "$work/stderr")"
# A folder where the checkpoint should be is named as one.
mkdir -p "$work/folder-checkpoint/long.checkpoint.state"
"$mlesim" run --resume -o "$work/folder-checkpoint" "$work/long.toml" > /dev/null 2> "$work/stderr"
[ $? = 2 ] && grep -qF "long.checkpoint.state: a folder, not a state file" "$work/stderr" && ok \
  || bad "a folder as the checkpoint: $(cat "$work/stderr")"
"$mlesim" run --resume -o "$work/long-resumed" "$work/long.toml" > /dev/null || bad "the resumed run failed"
same_reports "$work/long-single" "$work/long-resumed"
[ ! -e "$work/long-resumed/long.checkpoint.state" ] && ok || bad "a finished run left its checkpoint"

# MPI with 2 and 3 ranks (each on one thread): the bytes of one run.
if command -v mpirun > /dev/null && "$mlesim" run --help | grep -q -- '--mpi'; then
  for ranks in 2 3; do
    # shellcheck disable=SC2086
    mpirun --allow-run-as-root --oversubscribe -np "$ranks" "$mlesim" run --mpi --threads 1 --reps 3000 \
      -o "$work/mpi-$ranks" $configs > "$work/mpi.log" 2>&1 || bad "mpirun -np $ranks failed: $(tail -5 "$work/mpi.log")"
    same_reports "$work/single" "$work/mpi-$ranks"
  done
  # A bad config under MPI: exit 2, said once.
  printf '[experiment]\nname = "x"\nseed = 1\nreplications = 1\nsample_sizes = [5]\n[generate]\nfamily = "normal"\nparams = { mu = 0, sigma2 = 1 }\n' > "$work/bad.toml"
  mpirun --allow-run-as-root --oversubscribe -np 2 "$mlesim" run --mpi -o "$work/mpi-bad" "$work/bad.toml" \
    > /dev/null 2> "$work/stderr"
  [ $? != 0 ] && ok || bad "a bad config under MPI exited 0"
  [ "$(grep -c 'replications is 1' "$work/stderr")" = 1 ] && ok || bad "the error was not said once: $(cat "$work/stderr")"
else
  echo "note: no mpirun or no MPI build: the MPI checks did not run"
fi

finish
