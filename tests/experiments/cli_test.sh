#!/usr/bin/env bash
# The command line as a user meets it: exit codes, messages, no half-written
# reports, byte-identical CSVs for 1 and 2 threads.
# usage: cli_test.sh MLESIM SOURCE_ROOT
set -u
mlesim=$1
root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }

# expect_error NAME EXIT MESSAGE CONFIG_TEXT: runs the config, checks the exit
# code, the message on stderr, and that no report was written.
expect_error() {
  local name=$1 code=$2 message=$3 text=$4
  local out="$work/out-$name"
  printf '%s\n' "$text" > "$work/$name.toml"
  "$mlesim" run "$work/$name.toml" -o "$out" > "$work/stdout" 2> "$work/stderr"
  local rc=$?
  [ "$rc" = "$code" ] && ok || bad "$name: exit $rc, wanted $code"
  grep -qF -- "$message" "$work/stderr" && ok || bad "$name: stderr lacks '$message': $(cat "$work/stderr")"
  [ -z "$(ls -A "$out" 2>/dev/null)" ] && ok || bad "$name: left files: $(ls "$out")"
}

head='[experiment]
name = "x"
seed = 1
replications = 50
sample_sizes = [10]
'
expect_error unknown-key 2 "unknown-key.toml:3:1: unknown key 'sed' in [experiment]" "$(printf '%s' "$head" | sed 's/^seed/sed/')
[generate]
family = \"normal\"
params = { mu = 0, sigma2 = 1 }"
expect_error wrong-type 2 "wrong-type.toml:4:16: [experiment].replications must be an integer, got a string" \
  "$(printf '%s' "$head" | sed 's/^replications = 50/replications = "50"/')
[generate]
family = \"normal\"
params = { mu = 0, sigma2 = 1 }"
expect_error out-of-domain 2 "out-of-domain.toml:8:10: [generate].params is out of the exponential parameter space: rate is -1, but must be > 0" \
  "$head[generate]
family = \"exponential\"
params = { rate = -1 }"
expect_error empty-sizes 2 "empty-sizes.toml:5:16: [experiment].sample_sizes is empty" \
  "$(printf '%s' "$head" | sed 's/^sample_sizes = \[10\]/sample_sizes = []/')
[generate]
family = \"poisson\"
params = { lambda = 1 }"
expect_error one-rep 2 "one-rep.toml:4:16: [experiment].replications is 1, but must be in [2," \
  "$(printf '%s' "$head" | sed 's/^replications = 50/replications = 1/')
[generate]
family = \"poisson\"
params = { lambda = 1 }"
expect_error syntax 2 "syntax.toml:7:18: Error while parsing string" "$head[generate]
family = \"poisson
params = { lambda = 1 }"

# One bad config among good ones: nothing runs, nothing is written.
mkdir -p "$work/mixed"
"$mlesim" run "$root/experiments/quickstart.toml" "$work/syntax.toml" -o "$work/mixed" > /dev/null 2> "$work/stderr"
[ $? = 2 ] && ok || bad "mixed: wanted exit 2"
[ -z "$(ls -A "$work/mixed")" ] && ok || bad "mixed: wrote $(ls "$work/mixed")"

# Usage errors.
"$mlesim" run > /dev/null 2>&1; [ $? = 2 ] && ok || bad "run without configs: wanted exit 2"
"$mlesim" frobnicate > /dev/null 2>&1; [ $? = 2 ] && ok || bad "unknown command: wanted exit 2"
"$mlesim" run "$root/experiments/quickstart.toml" --threads 0 > /dev/null 2>&1; [ $? = 2 ] && ok || bad "--threads 0: wanted exit 2"
"$mlesim" run "$root/experiments/quickstart.toml" --reps 1 > /dev/null 2>&1; [ $? = 2 ] && ok || bad "--reps 1: wanted exit 2"
"$mlesim" run "$work/none.toml" > /dev/null 2>&1; [ $? = 2 ] && ok || bad "missing file: wanted exit 2"
"$mlesim" --help > /dev/null 2>&1; [ $? = 0 ] && ok || bad "--help: wanted exit 0"

# Every shipped config runs, and its CSV is byte-identical for 1 and 2 threads.
for t in 1 2; do
  "$mlesim" run "$root"/experiments/*.toml -o "$work/threads-$t" --threads "$t" --reps 500 > "$work/stdout-$t" 2>&1
  [ $? = 0 ] && ok || bad "shipped configs on $t threads: $(tail -3 "$work/stdout-$t")"
done
for csv in "$work"/threads-1/*.csv; do
  cmp -s "$csv" "$work/threads-2/$(basename "$csv")" && ok || bad "$(basename "$csv") differs between 1 and 2 threads"
done
[ "$(ls "$work"/threads-1/*.md | wc -l)" -ge 7 ] && ok || bad "fewer than 7 Markdown reports"
ls "$work"/threads-1/ | grep -q tmp && bad "temporary files left" || ok

# --seed and --reps override the config.
"$mlesim" run "$root/experiments/quickstart.toml" -o "$work/seed" --seed 99 --reps 40 > /dev/null 2>&1
grep -q '^quickstart,exponential,10,rate,2,40,' "$work/seed/quickstart.csv" && ok || bad "--reps not applied"
grep -q '| seed | 99 |' "$work/seed/quickstart.md" && ok || bad "--seed not applied"

# verify: 0 when every check passes, 1 when a property fails, 2 without checks.
cat > "$work/verify-pass.toml" <<'TOML'
[experiment]
name = "verify-pass"
seed = 1
replications = 2000
sample_sizes = [100, 400]
[generate]
family = "normal"
params = { mu = 0, sigma2 = 1 }
[[check]]
property = "bias"
estimand = "mu"
[[check]]
property = "bias"
estimand = "sigma2"
n_max = 100
tolerance = 0.001
expect = "fail"
TOML
"$mlesim" verify "$work/verify-pass.toml" -o "$work/verify" > "$work/stdout" 2>&1
[ $? = 0 ] && ok || bad "verify of holding checks: wanted exit 0: $(cat "$work/stdout")"
grep -q '^## Verdict: all 2 checks pass' "$work/verify/verify-pass.md" && ok || bad "verdict does not lead the report"
[ -f "$work/verify/verify-pass.checks.csv" ] && ok || bad "no checks CSV"
sed 's/^expect = "fail"/expect = "pass"/; s/verify-pass/verify-fail/' "$work/verify-pass.toml" > "$work/verify-fail.toml"
"$mlesim" verify "$work/verify-fail.toml" -o "$work/verify" > "$work/stdout" 2>&1
[ $? = 1 ] && ok || bad "verify of a failing property: wanted exit 1"
grep -q 'FAIL check 2' "$work/stdout" && ok || bad "the failing check is not named: $(cat "$work/stdout")"
"$mlesim" verify "$root/experiments/quickstart.toml" -o "$work/verify" > /dev/null 2> "$work/stderr"
[ $? = 2 ] && ok || bad "verify without checks: wanted exit 2"
grep -q 'declares no \[\[check\]\]' "$work/stderr" && ok || bad "verify without checks: $(cat "$work/stderr")"

# models lists every family.
"$mlesim" models > "$work/models" 2>&1
for family in normal exponential poisson bernoulli gamma uniform; do
  grep -q "^$family " "$work/models" && ok || bad "models lacks $family"
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
