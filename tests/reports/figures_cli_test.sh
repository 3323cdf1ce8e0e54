#!/usr/bin/env bash
# The figures, pages and index a run leaves, as a user meets them: each
# figure an SVG (xmllint) holding one point per CSV row of its series; the
# uniform's MSE figure without a CRLB line, saying why; every file the same
# bytes on 1 and 2 threads; `mlesim report DIR` redrawing a run's files byte
# for byte from its results files alone; a run without gnuplot still writing
# its tables and saying once that figures were skipped; gnuplot's failure an
# error that leaves no report.
# usage: figures_cli_test.sh MLESIM SOURCE_ROOT
set -u
mlesim=$1
root=$2
# shellcheck source=tests/experiments/harness.sh
. "$(dirname "$0")/../experiments/harness.sh"

configs=("$root/experiments/quickstart.toml" "$root/experiments/uniform.toml" "$root/experiments/gamma.toml"
  "$root/experiments/grid-gamma-shape.toml")
for t in 1 2; do
  "$mlesim" run "${configs[@]}" --reps 400 --threads "$t" -o "$work/t$t" > "$work/stdout-$t" 2> "$work/stderr-$t"
  [ $? = 0 ] && ok || bad "run on $t threads: $(tail -3 "$work/stderr-$t")"
done
out="$work/t1"

# Every file of the run, and no other, is the same bytes on 2 threads.
(cd "$work/t1" && ls -A | grep -v '^\.mlesim\.lock$') > "$work/files-1"
(cd "$work/t2" && ls -A | grep -v '^\.mlesim\.lock$') > "$work/files-2"
cmp -s "$work/files-1" "$work/files-2" && ok || bad "1 and 2 threads wrote other files: $(diff "$work/files-1" "$work/files-2")"
while read -r f; do
  cmp -s "$work/t1/$f" "$work/t2/$f" && ok || bad "$f differs between 1 and 2 threads"
done < "$work/files-1"

# A figure per estimand and kind, each one SVG document.
for stem in quickstart.rate quickstart.mean gamma.shape gamma.rate gamma.mean; do
  for kind in mse bias coverage efficiency qq; do
    f="$out/$stem.$kind.svg"
    [ -f "$f" ] && ok || { bad "$stem.$kind.svg is missing"; continue; }
    xmllint --noout "$f" 2> "$work/xmllint" && ok || bad "$stem.$kind.svg does not parse: $(head -3 "$work/xmllint")"
    [ "$(xmllint --xpath 'name(/*)' "$f")" = svg ] && ok || bad "$stem.$kind.svg is not an SVG"
  done
done
for kind in mse bias qq; do [ -f "$out/uniform.theta.$kind.svg" ] && ok || bad "uniform.theta.$kind.svg is missing"; done
for kind in coverage efficiency; do
  [ ! -e "$out/uniform.theta.$kind.svg" ] && ok || bad "uniform.theta.$kind.svg drawn without a figure to show"
done

# points SVG TITLE: the points of the series whose key begins with TITLE (its
# point symbols, less the key's own; error bars draw a white one under each).
points() {
  local series="//*[local-name()='g'][starts-with(@id,'gnuplot_plot_')][.//*[local-name()='text'][starts-with(.,'$2')]]"
  echo $(( $(xmllint --xpath "count($series//*[local-name()='use'][not(@color='#FFFFFF')])" "$1") - 1 ))
}
# rows CSV ESTIMAND COLUMN: the CSV's rows of that estimand with a value in that column.
rows() {
  awk -F, -v e="$2" -v c="$3" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next }
    $4 == e && $k != "" { n++ } END { print n + 0 }' "$1"
}
for stem in quickstart.rate quickstart.mean gamma.shape uniform.theta; do
  experiment=${stem%%.*} estimand=${stem#*.}
  csv="$out/$experiment.csv"
  check_points() {  # FIGURE TITLE COLUMN
    local want got
    want=$(rows "$csv" "$estimand" "$3")
    got=$(points "$out/$stem.$1.svg" "$2")
    [ "$want" -ge 1 ] && [ "$got" = "$want" ] && ok || bad "$stem.$1.svg plots $got points of '$2', the CSV has $want"
  }
  check_points mse "MSE ± 2 MCSE" mse
  check_points bias "bias" bias
  if [ "$experiment" != uniform ]; then
    check_points coverage "Fisher (Wald) interval coverage" coverage
    check_points coverage "Fisher: truth below the interval" miss_below
    check_points efficiency "var / CRLB" var_over_crlb
  fi
done
gamma_alternative=$(rows "$out/gamma.csv" shape relative_efficiency)
[ "$(points "$out/gamma.shape.efficiency.svg" "relative efficiency")" = "$gamma_alternative" ] && ok \
  || bad "gamma.shape.efficiency.svg lacks the method of moments' relative efficiency"

# A grid (four shapes): per estimand and measure, a figure with a line per
# condition against n, keyed by its shape, holding a point per CSV row of it;
# and one against the shape, a line per n, a point per CSV row at that n.
# points_exact SVG TITLE: as points, of the series whose key is TITLE.
points_exact() {
  local series="//*[local-name()='g'][starts-with(@id,'gnuplot_plot_')][.//*[local-name()='text'][.='$2']]"
  echo $(( $(xmllint --xpath "count($series//*[local-name()='use'][not(@color='#FFFFFF')])" "$1") - 1 ))
}
# grid_rows CSV ESTIMAND COLUMN WHERE VALUE: the rows of that estimand whose
# column WHERE is VALUE with a value in COLUMN (a positive one for mse).
grid_rows() {
  awk -F, -v e="$2" -v c="$3" -v w="$4" -v v="$5" '
    NR == 1 { for (i = 1; i <= NF; i++) { if ($i == c) k = i; if ($i == w) j = i } next }
    $4 == e && $j == v && $k != "" && (c != "mse" || $k > 0) { n++ } END { print n + 0 }' "$1"
}
grid=grid-gamma-shape
csv="$out/$grid.csv"
shapes=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "condition.shape") k = i; next } { print $k }' "$csv" | sort -gu)
[ "$(echo $shapes)" = "0.5 1 2 5" ] && ok || bad "$grid.csv's shapes: $(echo $shapes)"
sizes=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "n") k = i; next } { print $k }' "$csv" | sort -nu)
[ "$(echo $sizes)" = "10 30 100 300" ] && ok || bad "$grid.csv's sample sizes: $(echo $sizes)"
for estimand in shape mean; do
  for kind in mse bias coverage efficiency; do
    column=$kind
    [ "$kind" = efficiency ] && column=var_over_crlb
    for f in "$grid.$estimand.$kind.svg" "$grid.$estimand.$kind-by-factor.svg"; do
      [ -f "$out/$f" ] && ok || { bad "$f is missing"; continue; }
      xmllint --noout "$out/$f" 2> "$work/xmllint" && ok || bad "$f does not parse: $(head -3 "$work/xmllint")"
      [ "$(xmllint --xpath 'name(/*)' "$out/$f")" = svg ] && ok || bad "$f is not an SVG"
    done
    f="$out/$grid.$estimand.$kind.svg"
    keyed="//*[local-name()='g'][starts-with(@id,'gnuplot_plot_')][.//*[local-name()='text'][starts-with(.,'shape = ')]]"
    [ "$(xmllint --xpath "count($keyed)" "$f")" = 4 ] && ok || bad "$grid.$estimand.$kind.svg: not a line per condition"
    for shape in $shapes; do
      want=$(grid_rows "$csv" "$estimand" "$column" condition.shape "$shape")
      got=$(points_exact "$f" "shape = $shape")
      [ "$want" -ge 1 ] && [ "$got" = "$want" ] && ok \
        || bad "$grid.$estimand.$kind.svg plots $got points for shape = $shape, the CSV has $want"
    done
    for n in $sizes; do
      want=$(grid_rows "$csv" "$estimand" "$column" n "$n")
      got=$(points_exact "$out/$grid.$estimand.$kind-by-factor.svg" "n = $n")
      [ "$want" -ge 1 ] && [ "$got" = "$want" ] && ok \
        || bad "$grid.$estimand.$kind-by-factor.svg plots $got points for n = $n, the CSV has $want"
    done
  done
done
# The report shows them in its summary, before the conditions' detail.
condition_line=$(grep -n '^## Condition 1:' "$out/$grid.md" | cut -d: -f1)
for kind in mse bias coverage efficiency mse-by-factor coverage-by-factor; do
  line=$(grep -n "]($grid.shape.$kind.svg)" "$out/$grid.md" | cut -d: -f1)
  [ -n "$line" ] && [ "$line" -lt "$condition_line" ] && ok || bad "$grid.md's summary does not show $grid.shape.$kind.svg"
done

# The uniform: no CRLB line, and the figure and the report say why.
crlb_series="//*[local-name()='g'][starts-with(@id,'gnuplot_plot_')][.//*[local-name()='text'][starts-with(.,'CRLB')]]"
[ "$(xmllint --xpath "count($crlb_series)" "$out/uniform.theta.mse.svg")" = 0 ] && ok || bad "the uniform draws a CRLB line"
[ "$(xmllint --xpath "count($crlb_series)" "$out/quickstart.rate.mse.svg")" = 1 ] && ok || bad "the exponential draws no CRLB line"
grep -q 'no CRLB line: a non-regular model has no Cramér–Rao bound' "$out/uniform.theta.mse.svg" && ok \
  || bad "the uniform's MSE figure does not say why it has no CRLB line"
grep -q '> \*\*Figures.\*\* The MSE figure has no CRLB line: the model is non-regular' "$out/uniform.md" && ok \
  || bad "uniform.md does not say why its MSE figure has no CRLB line"

# Every figure the Markdown links is there; every page holds its figures inline.
for md in quickstart uniform gamma grid-gamma-shape; do
  links=$(grep -o '](\([^)]*\.svg\))' "$out/$md.md" | sed 's/^](//; s/)$//')
  [ "$(echo "$links" | wc -l)" = "$(ls "$out/$md".*.svg | wc -l)" ] && ok || bad "$md.md does not link each of its figures"
  for f in $links; do [ -f "$out/$f" ] && ok || bad "$md.md links $f, which is not there"; done
  [ "$(grep -o 'src="data:image/svg+xml' "$out/$md.html" | wc -l)" = "$(ls "$out/$md".*.svg | wc -l)" ] && ok \
    || bad "$md.html does not hold each figure inline"
  grep -q 'src="[^"]*\.svg"' "$out/$md.html" && bad "$md.html links a figure file" || ok
done

# The index lists every report in the folder, earlier runs' too.
"$mlesim" run "$root/experiments/poisson.toml" --reps 200 -o "$out" > /dev/null 2>&1 || bad "a second run into the folder failed"
for x in quickstart uniform gamma grid-gamma-shape poisson; do
  grep -q "^| \[$x\]($x.html) |" "$out/index.md" && ok || bad "index.md does not list $x"
  grep -q "<a href=\"$x.html\">$x</a>" "$out/index.html" && ok || bad "index.html does not list $x"
done
grep -qF '![MSE of shape against n across its conditions](grid-gamma-shape.shape.mse.svg)' "$out/index.md" && ok \
  || bad "index.md does not show the grid's MSE figure across its conditions"
grep -q "^| \[quickstart\](quickstart.html) | \`exponential\` | 400 | 10, 30, 100, 300, 1000 | not verified |" \
  "$out/index.md" && ok || bad "index.md's row for quickstart: $(grep quickstart "$out/index.md" | head -1)"

# verify: the index gives its verdict, from its checks.
"$mlesim" verify "$root/experiments/properties/uniform.toml" --reps 2000 -o "$out" > /dev/null 2>&1
[ $? -le 1 ] && ok || bad "verify failed to run"
checks=$(tail -n +2 "$out/properties-uniform.checks.csv" | cut -d, -f2 | sort -u | wc -l)
grep -qE "^\| \[properties-uniform\]\(properties-uniform.html\) .*\| (all $checks checks pass|\*\*[0-9]+ of $checks checks FAIL\*\*) \(\[checks\]\(properties-uniform.checks.csv\)\) \|" \
  "$out/index.md" && ok || bad "index.md lacks verify's verdict: $(grep properties-uniform "$out/index.md" | head -1)"

# report DIR: from the results files alone (and verify's checks), the bytes the runs wrote.
mkdir "$work/redrawn"
cp "$out"/*.results.json "$out"/*.checks.csv "$work/redrawn/"
"$mlesim" report "$work/redrawn" > "$work/stdout" 2> "$work/stderr" && ok || bad "report failed: $(cat "$work/stderr")"
(cd "$out" && ls -A | grep -v '^\.mlesim\.lock$') > "$work/files-run"
(cd "$work/redrawn" && ls -A | grep -v '^\.mlesim\.lock$') > "$work/files-redrawn"
cmp -s "$work/files-run" "$work/files-redrawn" && ok || bad "report wrote other files than the runs: $(diff "$work/files-run" "$work/files-redrawn")"
while read -r f; do
  cmp -s "$out/$f" "$work/redrawn/$f" && ok || bad "report redrew $f with other bytes than the run's"
done < "$work/files-run"
# ...and again over its own files.
"$mlesim" report "$work/redrawn" > /dev/null 2>&1 && ok || bad "a second report failed"
while read -r f; do cmp -s "$out/$f" "$work/redrawn/$f" || bad "a second report changed $f"; done < "$work/files-run"

# report's refusals: exit 2, naming the folder or file.
mkdir "$work/empty"
"$mlesim" report "$work/empty" > /dev/null 2> "$work/stderr"
[ $? = 2 ] && grep -q "empty: holds no results file" "$work/stderr" && ok || bad "report of an empty folder: $(cat "$work/stderr")"
"$mlesim" report "$work/none" > /dev/null 2> "$work/stderr"
[ $? = 2 ] && grep -q "none: not a folder" "$work/stderr" && ok || bad "report of a missing folder: $(cat "$work/stderr")"
mkdir "$work/broken" && printf '{"format": "mlesim results", "version": 2}' > "$work/broken/x.results.json"
"$mlesim" report "$work/broken" > /dev/null 2> "$work/stderr"
[ $? = 2 ] && grep -q "x.results.json: not a usable results file" "$work/stderr" && ok || bad "report of a broken results file: $(cat "$work/stderr")"
[ "$(ls "$work/broken")" = x.results.json ] && ok || bad "a refused report wrote $(ls "$work/broken")"
printf '{"format": "mlesim results", "version": 1}' > "$work/broken/x.results.json"
"$mlesim" report "$work/broken" > /dev/null 2> "$work/stderr"
[ $? = 2 ] && grep -q "x.results.json: results format version 1, but this mlesim reads version 2" "$work/stderr" && ok \
  || bad "report of a version 1 results file: $(cat "$work/stderr")"
# The reports print the models' descriptions from the file: ones that do
# not fit its settings (no name for the rate) are refused, never printed.
mkdir "$work/undescribed"
sed 's/"parameters":\["rate"\]/"parameters":[]/g' "$out/quickstart.results.json" > "$work/undescribed/quickstart.results.json"
grep -q '"parameters":\[\]' "$work/undescribed/quickstart.results.json" && ok || bad "the results file has no models' parameters to edit"
"$mlesim" report "$work/undescribed" > /dev/null 2> "$work/stderr"
[ $? = 2 ] && grep -q "quickstart.results.json: its models' descriptions do not match its settings" "$work/stderr" && ok \
  || bad "report of undescribed models: $(cat "$work/stderr")"

# An experiment named index would overwrite the folder's index.
sed 's/^name = "quickstart"/name = "index"/' "$root/experiments/quickstart.toml" > "$work/index.toml"
"$mlesim" run "$work/index.toml" -o "$work/index-out" > /dev/null 2> "$work/stderr"
[ $? = 2 ] && grep -q "index.toml:[0-9]*:[0-9]*: \[experiment\].name is 'index', but its index.md and index.html would be the output folder's index" "$work/stderr" \
  && ok || bad "an experiment named index: $(cat "$work/stderr")"
# Nor may a results file of an experiment named index (or INDEX) redraw them.
for index in index INDEX; do
  mkdir "$work/index-results-$index"
  sed "s/\"name\":\"quickstart\"/\"name\":\"$index\"/g" "$out/quickstart.results.json" \
    > "$work/index-results-$index/$index.results.json"
  "$mlesim" report "$work/index-results-$index" > /dev/null 2> "$work/stderr"
  [ $? = 2 ] && grep -q "$index.results.json: its experiment name is \"$index\", but its index.md" "$work/stderr" \
    && [ ! -e "$work/index-results-$index/$index.csv" ] && ok || bad "report of a results file named $index: $(cat "$work/stderr")"
done

# No gnuplot on PATH: the tables and pages are written, figures skipped, said once.
PATH=/nonexistent "$mlesim" run "${configs[0]}" "${configs[1]}" --reps 200 -o "$work/no-gnuplot" > /dev/null 2> "$work/stderr"
[ $? = 0 ] && ok || bad "a run without gnuplot failed: $(cat "$work/stderr")"
[ "$(grep -c 'figures skipped' "$work/stderr")" = 1 ] && ok || bad "without gnuplot, stderr says: $(cat "$work/stderr")"
for f in quickstart.csv quickstart.md quickstart.html quickstart.results.json uniform.md index.md index.html; do
  [ -f "$work/no-gnuplot/$f" ] && ok || bad "without gnuplot, $f was not written"
done
[ -z "$(ls "$work/no-gnuplot"/*.svg 2> /dev/null)" ] && ok || bad "without gnuplot, figures were written"
grep -q '^> \*\*Figures not drawn.\*\* gnuplot was not found on PATH' "$work/no-gnuplot/quickstart.md" && ok \
  || bad "quickstart.md does not say why it has no figures"
grep -q '\.svg' "$work/no-gnuplot/quickstart.md" && bad "quickstart.md links figures that were not drawn" || ok
# ...and report draws them once gnuplot is there.
"$mlesim" report "$work/no-gnuplot" > /dev/null 2>&1 && [ -f "$work/no-gnuplot/quickstart.rate.mse.svg" ] && ok \
  || bad "report did not draw the figures a run without gnuplot skipped"
cmp -s "$work/no-gnuplot/quickstart.rate.mse.svg" "$work/t1/quickstart.rate.mse.svg" && bad "--reps 200 and 400 drew the same figure" || ok

# A gnuplot that fails is an error: exit 2 with its message, and no report.
mkdir "$work/bin"
printf '#!/bin/sh\ncat > /dev/null\necho "gnuplot broke" >&2\nexit 3\n' > "$work/bin/gnuplot"
chmod +x "$work/bin/gnuplot"
PATH="$work/bin:$PATH" "$mlesim" run "${configs[0]}" --reps 200 -o "$work/broken-gnuplot" > /dev/null 2> "$work/stderr"
[ $? = 2 ] && grep -q "gnuplot exited with status 3: gnuplot broke" "$work/stderr" && ok \
  || bad "a failing gnuplot: $(cat "$work/stderr")"
[ -z "$(ls "$work/broken-gnuplot" 2> /dev/null)" ] && ok || bad "a failing gnuplot left $(ls "$work/broken-gnuplot")"

finish
