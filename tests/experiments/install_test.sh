#!/usr/bin/env bash
# The installed library: `meson install` into a scratch prefix, the
# out-of-tree example (examples/zero_truncated_poisson, a family mlesim does
# not ship) built against it by pkg-config, its `verify` passing, and the
# same family with standard errors 10% too small caught by `verify`.
# usage: install_test.sh BUILD_ROOT SOURCE_ROOT
set -u
build=$1
root=$2
# shellcheck source=tests/experiments/harness.sh
. "$(dirname "$0")/harness.sh"

stage=$work/stage
meson install -C "$build" --destdir "$stage" --no-rebuild --quiet > "$work/install.log" 2>&1 \
  || { cat "$work/install.log"; bad "meson install failed"; finish; exit; }
pc=$(find "$stage" -name mlesim.pc | head -1)
[ -n "$pc" ] && ok || { bad "no mlesim.pc installed"; finish; exit; }
grep -q '^prefix=${pcfiledir}' "$pc" && ok || bad "mlesim.pc is not relocatable: $(head -1 "$pc")"
for h in mlesim.hpp estimators/family.hpp sim/register.hpp sim/catalogue.hpp app/cli.hpp; do
  [ -f "$(dirname "$pc")/../../../include/mlesim/$h" ] && ok || bad "header $h not installed"
done
libdir=$(dirname "$(dirname "$pc")")
[ -f "$libdir/libmlesim.a" ] && ok || bad "no static libmlesim.a"
[ -f "$libdir/libmlesim.so" ] && ok || bad "no shared libmlesim.so"

ex=$work/example
PKG_CONFIG_PATH=$(dirname "$pc") meson setup "$ex" "$root/examples/zero_truncated_poisson" > "$work/setup.log" 2>&1 \
  || { cat "$work/setup.log"; bad "the example does not configure against the installed mlesim"; finish; exit; }
ninja -C "$ex" > "$work/ninja.log" 2>&1 || { tail -40 "$work/ninja.log"; bad "the example does not build"; finish; exit; }
export LD_LIBRARY_PATH=$libdir

# Its family is registered beside the built-ins.
"$ex/ztp" models > "$work/models.txt" || bad "ztp models failed"
grep -q '^zero_truncated_poisson ' "$work/models.txt" && ok || bad "models does not list zero_truncated_poisson"
grep -q '^normal ' "$work/models.txt" && ok || bad "models lost the built-in families"

# verify: every check passes (exit 0). Each check's false-failure
# probability is at most its Holm-adjusted level, 0.05 over the config; the
# seed is fixed, so the outcome is deterministic.
"$ex/ztp" verify -q -o "$work/right" "$root/examples/zero_truncated_poisson/ztp.toml"
status=$?
[ "$status" = 0 ] && ok || bad "verify of the right family exited $status, not 0"
# The stock mlesim does not know the family, but its reports read what
# they say of it from the results: `report` redraws the example's reports
# byte for byte (it refused them before, and crashed before that).
mkdir -p "$work/stock"
cp "$work/right/ztp.results.json" "$work/stock/"
"$build/mlesim" report "$work/stock" > /dev/null 2> "$work/stock.err"
status=$?
[ "$status" = 0 ] && ok || bad "the stock mlesim's report of ztp's results exited $status, not 0: $(cat "$work/stock.err")"
for f in ztp.md ztp.csv; do
  cmp -s "$work/right/$f" "$work/stock/$f" && ok || bad "the stock mlesim's $f differs from the example's own"
done
# Its states need the family itself (its information, its sampler): the
# stock mlesim refuses to merge them, exit 2, naming the family.
"$ex/ztp" run -q --shard 1/64 -o "$work/shard" "$root/examples/zero_truncated_poisson/ztp.toml" \
  || bad "ztp run --shard 1/64 failed"
"$build/mlesim" merge "$work/shard"/ztp.shard-1-of-64.state -o "$work/merged" > /dev/null 2> "$work/merge.err"
status=$?
[ "$status" = 2 ] && ok || bad "the stock mlesim's merge of ztp's shard exited $status, not 2"
grep -q 'zero_truncated_poisson is not in this program' "$work/merge.err" && ok \
  || bad "the stock mlesim's refusal does not name the family: $(cat "$work/merge.err")"
# The wrong twin: a Fisher information 1.21 times too large, so SEs 10% too
# small. The checks that see the SE fail (coverage about 0.925 against 0.95;
# var/CRLB about 1.2; model SE 9% low, each 15 MCSEs or more away), and the
# ones that do not see it still pass.
"$ex/ztp-wrong-se" verify -q -o "$work/wrong" "$root/examples/zero_truncated_poisson/ztp.toml"
status=$?
[ "$status" = 1 ] && ok || bad "verify of the wrong family exited $status, not 1"
for property in efficiency coverage model_se; do
  grep "^ztp,[0-9]*,[^,]*,$property," "$work/wrong/ztp.checks.csv" | grep -q ',false,[0-9]*,"[^"]*"$' && ok \
    || bad "the wrong family's $property check did not fail"
done
for property in bias consistency invariance; do
  grep "^ztp,[0-9]*,[^,]*,$property," "$work/wrong/ztp.checks.csv" | grep -q ',true,[0-9]*,"[^"]*"$' && ok \
    || bad "the wrong family's $property check failed"
done

# fit: the MLE solves mean = lambda / (1 - e^-lambda).
printf 'x\n1\n2\n1\n3\n1\n1\n2\n4\n1\n2\n' > "$work/counts.csv"
"$ex/ztp" fit --model zero_truncated_poisson --format csv "$work/counts.csv" > "$work/fit.csv" || bad "ztp fit failed"
lambda=$(awk -F, 'NR > 1 && $1 == "lambda" { print $2 }' "$work/fit.csv")
awk -v l="$lambda" 'BEGIN { m = 18 / 10; r = l / (1 - exp(-l)); exit !(l > 0 && (r - m) ^ 2 < 1e-24) }' && ok \
  || bad "fit's lambda $lambda does not solve mean = lambda / (1 - e^-lambda)"
# A 0 is not a possible value: exit 2, naming the line.
printf 'x\n1\n0\n2\n' > "$work/zero.csv"
"$ex/ztp" fit --model zero_truncated_poisson "$work/zero.csv" > /dev/null 2> "$work/zero.err"
status=$?
[ "$status" = 2 ] && ok || bad "a 0 in the data exited $status, not 2"
grep -q 'zero.csv:3' "$work/zero.err" && ok || bad "the error does not name zero.csv:3: $(cat "$work/zero.err")"

finish
