#!/usr/bin/env bash
# Models written as a formula through the command line: bad formulas refused
# at load with their place in the file; a formula Weibull fits data as the
# built-in does (estimates and SEs to 1e-8); the Gompertz agrees with SciPy;
# shards of a formula model's run merge into the run's bytes, and `report`
# redraws its folder from the results file alone.
# usage: formula_cli_test.sh MLESIM SOURCE_ROOT
set -u
mlesim=$1
root=$2
# shellcheck source=tests/experiments/harness.sh
. "$(dirname "$0")/harness.sh"

# refused CONFIG_TEXT PATTERN WHAT: the config is refused with exit 2 and a
# message matching PATTERN (file:line:col first).
refused() {
  local text=$1 pattern=$2 what=$3 status
  rm -rf "$work/bad-out"
  printf '%s\n' "$text" > "$work/bad.toml"
  "$mlesim" run -q -o "$work/bad-out" "$work/bad.toml" > "$work/bad.out" 2> "$work/bad.err"
  status=$?
  [ "$status" = 2 ] && ok || bad "$what: exit $status, not 2"
  grep -Eq "$pattern" "$work/bad.err" && ok || bad "$what: message '$(cat "$work/bad.err")' does not match '$pattern'"
  [ ! -e "$work/bad-out" ] || [ -z "$(ls -A "$work/bad-out")" ] && ok || bad "$what: left reports behind"
}
head='[experiment]
name = "f"
replications = 100
sample_sizes = [50]
'
gen='[generate]
family = "m"
params = { a = 1.7, b = 2.0 }'
model() {  # model PARAMETERS SUPPORT LOG_DENSITY DRAW
  printf '[model.m]\nparameters = %s\nsupport = "%s"\nlog_density = "%s"\ndraw = "%s"\n' "$1" "$2" "$3" "$4"
}
weibull='log(a) - log(b) + (a - 1) * log(x / b) - (x / b)^a'
refused "$head$(model '{ a = "positive", b = "positive" }' positive "log(a) - (x" "b")
$gen" 'bad\.toml:[0-9]+:[0-9]+: .*log_density does not parse' "an unparsable log_density"
refused "$head$(model '{ a = "positive", b = "positive" }' positive "log(a) - y * x" "b")
$gen" 'bad\.toml:[0-9]+:[0-9]+: .*unknown symbol.* y' "an unknown symbol"
refused "$head$(model '{ a = "positive", b = "positive" }' positive "- log(b) + (a - 1) * log(x / b) - (x / b)^a" "b * (-log(u1))^(1 / a)")
$gen" 'bad\.toml:[0-9]+:[0-9]+: .*not 1' "a Weibull without log(a): not a density"
refused "$head$(model '{ a = "positive", b = "sometimes" }' positive "$weibull" "b")
$gen" 'bad\.toml:[0-9]+:[0-9]+: .*unknown kind' "an unknown kind"
refused "$head$(model '{ a = "positive", b = "positive" }' everywhere "$weibull" "b")
$gen" 'bad\.toml:[0-9]+:[0-9]+: .*unknown support' "an unknown support"
refused "$head$(model '{ a = "positive", b = "positive" }' positive "$weibull" "x * b")
$gen" 'bad\.toml:[0-9]+:[0-9]+: .*draw: uses x' "a draw that uses x"
refused "$head${gen/family = \"m\"/family = \"normal\"}
[model.normal]
parameters = { a = \"positive\" }
support = \"positive\"
log_density = \"log(a) - a * x\"" 'bad\.toml:[0-9]+:[0-9]+: .*\[model\.normal\].*name of a built-in' "a model named like a built-in family"
refused "$head$(printf '[model.m]\nparameters = { a = "positive", b = "positive" }\nsupport = "positive"\nlog_density = "%s"\n' "$weibull")
$gen" 'bad\.toml:[0-9]+:[0-9]+: .*no `?draw' "a model without draw as the generator"

# The formula Weibull's fit of a data set is the built-in's, to 1e-8.
cat > "$work/models.toml" <<TOML
[model.fweibull]
parameters = { k = "positive", lambda = "positive" }
support = "positive"
log_density = "log(k) - log(lambda) + (k - 1) * log(x / lambda) - (x / lambda)^k"
draw = "lambda * (-log(u1))^(1 / k)"
TOML
awk 'BEGIN { srand(7); print "x"; for (i = 0; i < 400; ++i) printf "%.17g\n", 2.5 * (-log(1 - rand())) ^ (1 / 1.7) }' \
  > "$work/weibull.csv"
"$mlesim" fit --model weibull --format csv "$work/weibull.csv" > "$work/builtin.csv" || bad "the built-in fit failed"
"$mlesim" fit --model fweibull --models "$work/models.toml" --format csv "$work/weibull.csv" > "$work/formula.csv" \
  || bad "the formula fit failed"
# Columns: name, estimate, se, wald_low, wald_high, profile_low, profile_high.
paste -d, "$work/builtin.csv" "$work/formula.csv" | awk -F, 'NR > 1 {
    for (c = 2; c <= 7; ++c) { a = $c; b = $(c + 7); d = a - b; if (d < 0) d = -d; s = a < 0 ? -a : a
      if (!(d <= 1e-8 * s)) { print "column " c " of " $1 ": " a " against " b; bad = 1 } } }
  END { exit bad }' && ok || bad "the formula Weibull's fit differs from the built-in's"

# The Gompertz against SciPy's MLE on the recorded data (tests/data/gompertz_reference.py).
cat > "$work/gompertz.toml" <<TOML
[model.gompertz]
parameters = { eta = "positive", b = "positive" }
support = "positive"
log_density = "log(eta) + log(b) + eta + b * x - eta * exp(b * x)"
draw = "log(1 - log(u1) / eta) / b"
TOML
"$mlesim" fit --model gompertz --models "$work/gompertz.toml" --format csv "$root/tests/data/gompertz.csv" \
  > "$work/gompertz.csv" || bad "the Gompertz fit failed"
awk -F, '$1 == "eta" { e = $2 } $1 == "b" { b = $2 }
  END { de = e / 0.35970595849247566 - 1; db = b / 1.5670334292294017 - 1
        exit !(de < 1e-7 && de > -1e-7 && db < 1e-7 && db > -1e-7) }' "$work/gompertz.csv" && ok \
  || bad "the Gompertz MLE is not SciPy's: $(cat "$work/gompertz.csv")"
# A held value outside a kind's range is refused, as for a built-in family.
"$mlesim" fit --model gompertz --models "$work/gompertz.toml" --fixed b=-1 "$root/tests/data/gompertz.csv" \
  > /dev/null 2> "$work/fixed.err"
status=$?
[ "$status" = 2 ] && ok || bad "--fixed b=-1 exited $status, not 2: $(cat "$work/fixed.err")"
"$mlesim" models --models "$work/gompertz.toml" | grep -q '^gompertz ' && ok || bad "models --models does not list it"

# Shards merge into a single run's bytes; report redraws from results alone.
config=$root/experiments/properties/formula-gompertz.toml
"$mlesim" run -q --reps 600 -o "$work/single" "$config" || bad "the single run failed"
for k in 1 2 3; do
  "$mlesim" run -q --reps 600 --shard "$k/3" -o "$work/shards" "$config" || bad "shard $k/3 failed"
done
"$mlesim" merge -o "$work/merged" "$work"/shards/*.state > /dev/null || bad "the merge failed"
for f in "$work"/single/*.csv "$work"/single/*.md; do
  cmp -s "$f" "$work/merged/$(basename "$f")" && ok || bad "$(basename "$f") differs between the run and the merge"
done
cp -r "$work/single" "$work/redrawn"
rm -f "$work"/redrawn/*.md "$work"/redrawn/*.csv
"$mlesim" report "$work/redrawn" > /dev/null || bad "report of a formula model's folder failed"
for f in "$work"/single/*.csv "$work"/single/*.md; do
  cmp -s "$f" "$work/redrawn/$(basename "$f")" && ok || bad "$(basename "$f") differs after report"
done

# Two experiments in one folder whose models share a name but not a
# formula: each run is its own process, and `report` reads the folder's
# results from their descriptions, compiling neither model (it refused the
# folder before: "model g is defined twice").
sed -e 's/^\[model.gompertz\]/[model.g]/' -e 's/^family = "gompertz"/family = "g"/' \
  -e 's/^name = "properties-formula-gompertz"/name = "g-one"/' "$config" > "$work/g-one.toml"
sed -e 's/^name = "g-one"/name = "g-two"/' -e 's/^draw = "\(.*\)"$/draw = "\1 + 0"/' "$work/g-one.toml" > "$work/g-two.toml"
grep -q '^\[model.g\]' "$work/g-one.toml" && grep -q '^\[model.g\]' "$work/g-two.toml" && grep -q '^draw = .* + 0"$' "$work/g-two.toml" \
  && ! grep -q '^draw = .* + 0"$' "$work/g-one.toml" && ok || bad "the two configs do not both define model g, differently"
"$mlesim" run -q --reps 200 -o "$work/two" "$work/g-one.toml" || bad "the run of g-one failed"
"$mlesim" run -q --reps 200 -o "$work/two" "$work/g-two.toml" || bad "the run of g-two failed"
mkdir "$work/two-redrawn" && cp "$work"/two/g-*.results.json "$work/two-redrawn/"
"$mlesim" report "$work/two-redrawn" > /dev/null 2> "$work/two.err" && ok || bad "report of two models named g failed: $(cat "$work/two.err")"
for f in g-one.md g-two.md index.md; do
  cmp -s "$work/two/$f" "$work/two-redrawn/$f" && ok || bad "$f differs after report"
done
# ...and one merge of both studies' shards compiles each study's model for
# that study alone (it refused them before: "model g is defined twice").
for config in g-one g-two; do
  for k in 1 2; do
    "$mlesim" run -q --reps 200 --shard "$k/2" -o "$work/g-shards" "$work/$config.toml" || bad "shard $k/2 of $config failed"
  done
done
"$mlesim" merge -o "$work/g-merged" "$work"/g-shards/*.state > /dev/null 2> "$work/g-merge.err" && ok \
  || bad "the merge of two studies with models named g failed: $(cat "$work/g-merge.err")"
for f in g-one.md g-two.md g-one.csv g-two.csv; do
  cmp -s "$work/two/$f" "$work/g-merged/$f" && ok || bad "$f differs between the runs and the merge"
done

finish
