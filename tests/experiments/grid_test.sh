#!/usr/bin/env bash
# Grids of conditions and replications for a target precision: a condition
# gives the same rows alone or in any grid; shards, resume and threads give
# one run's bytes; targets stop at their MCSE and no more than a chunk past
# what the formula asks; `where` selects; bad grids are refused by key.
# usage: grid_test.sh MLESIM SOURCE_ROOT
set -u
mlesim=$1
root=$2
# shellcheck source=tests/experiments/harness.sh
. "$(dirname "$0")/harness.sh"

# A CSV's rows without the condition columns (the last `condition`,
# `target_met` and factor ones): the figures alone, for comparison.
figures() {  # figures CSV FACTORS
  awk -F, -v drop=$((2 + $2)) 'NR > 1 { NF -= drop; print }' OFS=, "$1"
}
# The row of one condition: its factor value in the last column.
rows_at() {  # rows_at CSV VALUE
  awk -F, -v v="$2" 'NR > 1 && $NF == v { NF -= 3; print }' OFS=, "$1"
}

cat > "$work/grid.toml" <<'TOML'
[experiment]
name = "grid"
seed = 5
replications = 600
sample_sizes = [10, 40]
[generate]
family = "gamma"
params = { shape = [0.5, 2, 5], rate = 1 }
[[check]]
property = "bias"
estimand = "rate"
n_min = 40
tolerance = 0.5
where = { shape = [2, 5] }
TOML
# The same conditions in another order, and shape = 2 alone.
sed 's/shape = \[0.5, 2, 5\]/shape = [5, 2]/' "$work/grid.toml" > "$work/reversed.toml"
sed 's/shape = \[0.5, 2, 5\]/shape = 2/; /^where/d' "$work/grid.toml" > "$work/alone.toml"
"$mlesim" run "$work/grid.toml" -o "$work/grid" -q && ok || bad "grid run"
"$mlesim" run "$work/reversed.toml" -o "$work/reversed" -q && ok || bad "reversed grid run"
"$mlesim" run "$work/alone.toml" -o "$work/alone" -q && ok || bad "lone condition run"
[ "$(head -1 "$work/grid/grid.csv" | awk -F, '{ print $(NF - 2) "," $(NF - 1) "," $NF }')" = "condition,target_met,condition.shape" ] \
  && ok || bad "grid CSV header: $(head -1 "$work/grid/grid.csv")"
[ "$(tail -n +2 "$work/grid/grid.csv" | wc -l)" = 12 ] && ok || bad "grid CSV: wanted 3 conditions x 2 n x 2 estimands"
alone=$(figures "$work/alone/grid.csv" 0)
[ -n "$alone" ] && [ "$alone" = "$(rows_at "$work/grid/grid.csv" 2)" ] && ok || bad "shape = 2 alone and in the grid differ"
[ "$alone" = "$(rows_at "$work/reversed/grid.csv" 2)" ] && ok || bad "shape = 2 in a reversed grid differs"
[ "$(rows_at "$work/grid/grid.csv" 5)" = "$(rows_at "$work/reversed/grid.csv" 5)" ] && ok || bad "shape = 5 differs by order"
grep -q '^## Summary across conditions' "$work/grid/grid.md" && ok || bad "no summary across conditions"
grep -q '^## Condition 3: shape = 5' "$work/grid/grid.md" && ok || bad "no detail of condition 3"

# A grid's figures per condition and across them, and `report` redraws the grid's bytes.
if command -v gnuplot > /dev/null; then
  for c in 1 2 3; do
    [ -s "$work/grid/grid.c$c.shape.mse.svg" ] && ok || bad "no figure of condition $c"
  done
  grep -q 'grid.c2.shape.coverage.svg' "$work/grid/grid.md" && ok || bad "the report does not link condition 2's figures"
  # ...and across the conditions: a line per condition, and against the shape a line per n.
  for f in grid.shape.mse.svg grid.rate.coverage.svg grid.rate.bias-by-factor.svg grid.shape.efficiency-by-factor.svg; do
    [ -s "$work/grid/$f" ] && grep -q "]($f)" "$work/grid/grid.md" && ok || bad "no $f in the grid's report"
  done
  [ ! -e "$work/grid/grid.shape.qq.svg" ] && ok || bad "a QQ plot across conditions"
fi
cp -r "$work/grid" "$work/redrawn"
rm "$work/redrawn/grid.md" "$work/redrawn/grid.csv" "$work/redrawn/grid.html"
rm -f "$work/redrawn/"*.svg
"$mlesim" report "$work/redrawn" > /dev/null && ok || bad "report of a grid's folder"
for f in "$work"/grid/*; do
  cmp -s "$f" "$work/redrawn/$(basename "$f")" && ok || bad "report of a grid: $(basename "$f") differs"
done

# A misspecified grid (a normal fitted to t data of two df): each condition
# its pseudo-true value and divergence, redrawn by `report` byte for byte.
cat > "$work/misfit.toml" <<'TOML'
[experiment]
name = "misfit"
seed = 2
replications = 300
sample_sizes = [50]
[generate]
family = "student_t"
params = { location = 0, scale = 1 }
known = { df = [5, 30] }
[fit]
family = "normal"
TOML
"$mlesim" run "$work/misfit.toml" -o "$work/misfit" -q && ok || bad "misspecified grid run"
[ "$(grep -c 'Kullback–Leibler divergence' "$work/misfit/misfit.md")" -ge 2 ] && ok || bad "misspecified grid: no divergence per condition"
cp -r "$work/misfit" "$work/misfit-redrawn"
rm "$work/misfit-redrawn/misfit.md"
"$mlesim" report "$work/misfit-redrawn" > /dev/null && cmp -s "$work/misfit/misfit.md" "$work/misfit-redrawn/misfit.md" \
  && ok || bad "report of a misspecified grid differs"

# Explicit [[condition]]s: a design that is not factorial.
cat > "$work/explicit.toml" <<'TOML'
[experiment]
name = "grid"
seed = 5
replications = 600
sample_sizes = [10, 40]
[generate]
family = "gamma"
params = { rate = 1 }
[[condition]]
shape = 2
[[condition]]
shape = 0.5
TOML
"$mlesim" run "$work/explicit.toml" -o "$work/explicit" -q && ok || bad "explicit conditions run"
[ "$alone" = "$(rows_at "$work/explicit/grid.csv" 2)" ] && ok || bad "shape = 2 as a [[condition]] differs"

# Threads, shards and resume give the run's bytes.
"$mlesim" run "$work/grid.toml" -o "$work/one-thread" -q --threads 1 && ok || bad "one-thread run"
cmp -s "$work/grid/grid.csv" "$work/one-thread/grid.csv" && ok || bad "grid: 1 thread differs"
for k in 1 2 3; do "$mlesim" run "$work/grid.toml" -o "$work/shards" -q --shard "$k/3" || bad "shard $k"; done
"$mlesim" merge "$work"/shards/*.state -o "$work/merged" > /dev/null && ok || bad "merge of a grid's shards"
for f in grid.csv grid.md; do cmp -s "$work/grid/$f" "$work/merged/$f" && ok || bad "merged grid: $f differs"; done
"$mlesim" run "$work/grid.toml" -o "$work/resumed" -q --checkpoint --checkpoint-every 0 --reps 4000 &
pid=$!
sleep "$(scaled 0.5)"
kill -9 $pid 2> /dev/null
wait $pid 2> /dev/null
"$mlesim" run "$work/grid.toml" -o "$work/resumed" -q --resume --reps 4000 && ok || bad "resume of a grid"
"$mlesim" run "$work/grid.toml" -o "$work/straight" -q --reps 4000 && ok || bad "grid at 4000"
cmp -s "$work/straight/grid.csv" "$work/resumed/grid.csv" && ok || bad "resumed grid differs"

# verify: `where` selects the conditions, and the verdicts name them.
"$mlesim" verify "$work/grid.toml" -o "$work/verify" -q && ok || bad "verify of the grid"
[ "$(tail -n +2 "$work/verify/grid.checks.csv" | wc -l)" = 2 ] && ok || bad "where: wanted 2 tests (n = 40 at shape 2 and 5)"
grep -q '"shape = 2"' "$work/verify/grid.checks.csv" && grep -q '"shape = 5"' "$work/verify/grid.checks.csv" \
  && ! grep -q '"shape = 0.5"' "$work/verify/grid.checks.csv" && ok || bad "where: the wrong conditions were judged"

# Targets: every targeted MCSE meets its target, with at most one chunk
# (16 replications at max_replications = 4000) beyond the formula's count
# R (MCSE / target)^2 read from the row's final figures.
cat > "$work/target.toml" <<'TOML'
[experiment]
name = "target"
seed = 3
target_mcse = { coverage = 0.01, bias = 0.02 }
max_replications = 4000
sample_sizes = [20, 80]
[generate]
family = "exponential"
params = { rate = [0.5, 2] }
TOML
"$mlesim" run "$work/target.toml" -o "$work/target" -q && ok || bad "target run"
awk -F, 'NR == 1 { for (i = 1; i <= NF; ++i) col[$i] = i; next }
  { reps = $col["reps"]; met = $col["target_met"]
    cov = $col["coverage_mcse"]; bias = $col["bias_mcse"]
    if (met != "true") { print "row " NR ": target not met"; bad = 1; next }
    if (cov > 0.01 || bias > 0.02) { print "row " NR ": MCSE over target"; bad = 1 }
    need = reps * (cov / 0.01)^2; b = reps * (bias / 0.02)^2; if (b > need) need = b
    if (reps > 16 * int((need + 15) / 16) + 16) { print "row " NR ": " reps " replications, the formula asks " need; bad = 1 } }
  END { exit bad }' "$work/target/target.csv" && ok || bad "targets: $(cat "$work/target/target.csv" | cut -c1-80)"
[ "$(awk -F, 'NR > 1 { print $6 }' "$work/target/target.csv" | sort -u | wc -l)" -gt 1 ] && ok || bad "targets: every row ran alike"
"$mlesim" run "$work/target.toml" -o "$work/target-1" -q --threads 1 && ok || bad "target run on 1 thread"
cmp -s "$work/target/target.csv" "$work/target-1/target.csv" && ok || bad "target run: 1 thread differs"
# A target no row can meet runs each row to the maximum and says so.
sed 's/coverage = 0.01, bias = 0.02/bias = 0.0001/; s/max_replications = 4000/max_replications = 300/' \
  "$work/target.toml" > "$work/unmet.toml"
"$mlesim" run "$work/unmet.toml" -o "$work/unmet" -q && ok || bad "unmet target run"
[ "$(awk -F, 'NR > 1 { print $6 "," $(NF - 1) }' "$work/unmet/target.csv" | sort -u)" = "300,false" ] \
  && ok || bad "unmet targets: $(awk -F, 'NR > 1 { print $6 "," $(NF - 1) }' "$work/unmet/target.csv" | sort -u)"
"$mlesim" plan "$work/target.toml" --pilot 100 > "$work/plan" 2>&1 && ok || bad "plan: $(cat "$work/plan")"
[ "$(grep -cE '^ +[12] +rate = ' "$work/plan")" = 4 ] && grep -q 'in all: ' "$work/plan" && ok || bad "plan: $(cat "$work/plan")"

# Bad grids: exit 2, naming the key.
bad_grid() {  # bad_grid NAME MESSAGE SED-SCRIPT [FLAGS]
  sed "$3" "$work/grid.toml" > "$work/$1.toml"
  "$mlesim" run "$work/$1.toml" -o "$work/bad" -q ${4:-} 2> "$work/stderr"
  local rc=$?
  [ "$rc" = 2 ] && ok || bad "$1: exit $rc, wanted 2"
  grep -qF -- "$2" "$work/stderr" && ok || bad "$1: stderr lacks '$2': $(cat "$work/stderr")"
  [ ! -e "$work/bad/grid.csv" ] && ok || bad "$1: a report was written"
}
bad_grid empty "$work/empty.toml:8:20: [generate].params.shape is an empty list" 's/shape = \[0.5, 2, 5\]/shape = []/'
bad_grid scalar-list "[experiment].replications must be an integer, got an array" 's/^replications = 600/replications = [600, 700]/'
bad_grid not-a-parameter "unknown parameter 'shap' in [generate].params" 's/shape = \[/shap = [/'
bad_grid repeated "[generate].params.shape lists 2 twice" 's/\[0.5, 2, 5\]/[0.5, 2, 2]/'
bad_grid where-factor "[[check]].where has 'rate', which is not a varied factor" 's/where = { shape/where = { rate/'
bad_grid where-value "[[check]].where.shape is 3, which is none of its values" 's/where = { shape = \[2, 5\] }/where = { shape = 3 }/'
bad_grid nested "[generate].params.shape must be a number, got an array" 's/\[0.5, 2, 5\]/[[0.5], 2]/'
big=$(seq -s, 1 1000)
bad_grid huge "the grid has 1000000 conditions (rate: 1000 × shape: 1000), more than 10000; pass --force" \
  "s/shape = \[0.5, 2, 5\], rate = 1/shape = [$big], rate = [$big]/"
bad_grid target-and-reps "[experiment] gives replications and target_mcse" 's/^replications = 600/replications = 600\ntarget_mcse = { bias = 0.1 }/'
bad_grid target-figure "target_mcse has 'coverag'" 's/^replications = 600/target_mcse = { coverag = 0.1 }\nmax_replications = 600/'
finish
