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
[ "$(ls "$work"/threads-1/*.md | wc -l)" -ge 22 ] && ok || bad "fewer than 22 Markdown reports"
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

# fit: bad data exits 2 naming line and column; good data prints every field.
fit_error() {  # fit_error NAME FAMILY MESSAGE DATA
  printf '%b' "$4" > "$work/$1.csv"
  "$mlesim" fit --model "$2" "$work/$1.csv" > /dev/null 2> "$work/stderr"
  local rc=$?
  [ "$rc" = 2 ] && ok || bad "fit $1: exit $rc, wanted 2"
  grep -qF -- "$3" "$work/stderr" && ok || bad "fit $1: stderr lacks '$3': $(cat "$work/stderr")"
}
fit_error not-a-number gamma "not-a-number.csv:3:1: 'abc' is not a number" 'x\n1.5\nabc\n'
fit_error nan normal "nan.csv:2:1: nan is not a finite number" '1\nnan\n3\n'
fit_error infinite normal "infinite.csv:3:1: inf is not a finite number" '1\n2\ninf\n'
fit_error zero-gamma gamma "zero-gamma.csv:3:1: 0 is outside the support of the gamma family" 'x\n1.5\n0\n2\n'
fit_error bernoulli-half bernoulli "bernoulli-half.csv:2:1: 1.5 is outside the support of the bernoulli family" '1\n1.5\n0\n'
fit_error empty normal "empty.csv: no data" 'x\n'
fit_error one-value gamma "1 distinct value(s) in 3 observations: too few for a gamma fit" '2\n2\n2\n'
fit_error ragged normal "ragged.csv:3: 2 fields, but the first line has 1" '1\n2\n3,4\n'
"$mlesim" fit --model normal "$root/tests/data/normal.csv" --fixed sigma=1 > /dev/null 2> "$work/stderr"
[ $? = 2 ] && grep -qF "normal has no parameter 'sigma'" "$work/stderr" && ok || bad "fit --fixed unknown: $(cat "$work/stderr")"
"$mlesim" fit --model frechet "$root/tests/data/normal.csv" > /dev/null 2> "$work/stderr"
[ $? = 2 ] && grep -qF -- "--model frechet: not a known family or regression model" "$work/stderr" && ok || bad "fit unknown model"
"$mlesim" fit --model gamma "$root/tests/data/gamma.csv" --column rainfall --format json > "$work/fit.json"
[ $? = 0 ] && ok || bad "fit json: exit"
for key in '"family": "gamma"' '"n": 60' '"loglik"' '"aic"' '"bic"' '"converged": true' '"iterations"' \
           '"name": "shape"' '"wald_low"' '"profile_high"'; do
  grep -qF "$key" "$work/fit.json" && ok || bad "fit json lacks $key"
done
tail -n +2 "$root/tests/data/exponential.csv" | "$mlesim" fit --model exponential - --format csv > "$work/fit.csv"
[ $? = 0 ] && head -1 "$work/fit.csv" | grep -qx 'name,estimate,se,wald_low,wald_high,profile_low,profile_high' && ok \
  || bad "fit from stdin as csv: $(cat "$work/fit.csv")"

# Known constants: --known gives them; each missing, invalid or misplaced one is named.
fit_known() {  # fit_known NAME EXIT MESSAGE ARGS...
  local name=$1 code=$2 message=$3
  shift 3
  "$mlesim" fit "$@" > "$work/stdout" 2> "$work/stderr"
  local rc=$?
  [ "$rc" = "$code" ] && ok || bad "fit $name: exit $rc, wanted $code: $(cat "$work/stderr")"
  grep -qF -- "$message" "$work/stderr" "$work/stdout" && ok || bad "fit $name: output lacks '$message': $(cat "$work/stderr")"
}
binomial_data="$root/tests/data/binomial.csv"
fit_known binomial-without-trials 2 "give its known trials with --known trials=VALUE" --model binomial "$binomial_data"
fit_known binomial-half-trials 2 "trials is 2.5, but must be a whole number" --model binomial "$binomial_data" --known trials=2.5
fit_known binomial-too-few-trials 2 "binomial.csv:12:1: 6 is outside the support of the binomial family with these known constants" \
  --model binomial "$binomial_data" --known trials=5
fit_known binomial-fixed-trials 2 "trials is a known constant of binomial; give it with --known" \
  --model binomial "$binomial_data" --known trials=12 --fixed trials=12
fit_known known-twice 2 "--known df=6: df is given twice" --model student_t "$root/tests/data/student_t.csv" --known df=5 --known df=6
fit_known fixed-twice 2 "--fixed mu=2: mu is given twice" --model normal "$root/tests/data/normal.csv" --fixed mu=1 --fixed mu=2
fit_known gamma-known 2 "gamma has no known constants" --model gamma "$root/tests/data/gamma.csv" --column rainfall --known df=3
fit_known binomial 0 "binomial (trials = 12, known) fitted to successes" --model binomial "$binomial_data" --known trials=12
fit_known pareto-below-minimum 2 "is outside the support of the pareto family" --model pareto "$root/tests/data/student_t.csv" --known x_m=5

# Regression fits: --response and --covariates; bad responses and designs exit 2, separation 1.
fit_known logistic 0 "logistic_regression fitted to am on hp, wt" --model logistic_regression "$root/tests/data/mtcars.csv" \
  --response am --covariates hp,wt
fit_known logistic-no-response 2 "name the response column with --response" --model logistic_regression \
  "$root/tests/data/mtcars.csv" --covariates hp
fit_known logistic-not-binary 2 "mtcars.csv:2:2: 110 is not a possible response of the logistic_regression model" \
  --model logistic_regression "$root/tests/data/mtcars.csv" --response hp
fit_known logistic-unknown-column 2 "no column 'mpg' (columns: am, hp, wt)" --model logistic_regression \
  "$root/tests/data/mtcars.csv" --response am --covariates mpg
fit_known logistic-separated 1 "the data are (quasi-)separated and the MLE does not exist" --model logistic_regression \
  "$root/tests/data/separated.csv" --response y --covariates x
fit_known regression-column 2 "a regression takes --response and --covariates, not --column" --model poisson_regression \
  "$root/tests/data/dobson.csv" --response counts --column 2
fit_known family-covariates 2 "--response, --covariates and --no-intercept are for regression models" --model normal \
  "$root/tests/data/cars.csv" --column 1 --covariates speed
printf 'y,a,b\n1,1,2\n0,2,4\n1,3,6\n0,4,8\n1,5,10\n' > "$work/collinear.csv"
fit_known collinear 2 "the design has rank 2 < 3 columns" --model logistic_regression "$work/collinear.csv" \
  --response y --covariates a,b
fit_known linear-no-intercept 0 "speed " --model linear_regression "$root/tests/data/cars.csv" --response dist \
  --covariates speed --no-intercept

# Regression configs: the model, its coefficients and its design are checked.
regression_head="$head[generate]
family = \"logistic_regression\""
expect_error unknown-model 2 "[generate].family 'probit_regression' is not a known family" "$head[generate]
family = \"probit_regression\"
params = { intercept = 1 }"
expect_error missing-coefficient 2 "[generate].params lacks x (the logistic_regression model needs it)" "$regression_head
params = { intercept = 1 }
[[generate.covariate]]
name = \"x\"
family = \"normal\"
params = { mu = 0, sigma2 = 1 }"
expect_error design-too-short 2 "[experiment].sample_sizes has 2000, but the design" "$(printf '%s' "$head" | sed 's/^sample_sizes = \[10\]/sample_sizes = [2000]/')
[generate]
family = \"linear_regression\"
params = { intercept = 1, dose = 0, weight = 0, sigma2 = 1 }
design = \"$(cd "$root" && pwd)/experiments/designs/dose_weight.csv\""
printf '1,2\n3,4\n' > "$work/headless.csv"
expect_error headless-design 2 "has no header: its first line must name the columns" "$head[generate]
family = \"linear_regression\"
params = { intercept = 1, sigma2 = 1 }
design = \"$work/headless.csv\""
expect_error sigma2-for-logistic 2 "unknown parameter 'sigma2' in [generate].params: the logistic_regression model with this design has intercept" "$regression_head
params = { intercept = 1, sigma2 = 2 }"
expect_error negative-sigma2 2 "sigma2 is -1, but must be > 0" "$head[generate]
family = \"linear_regression\"
params = { intercept = 1, sigma2 = -1 }"
expect_error bad-combination 2 "[[fit.combination]].weights has 'slope', which is not a parameter (intercept)" "$regression_head
params = { intercept = 1 }
[[fit.combination]]
name = \"c\"
weights = { slope = 1 }"
expect_error regression-invariance 2 "[[check]] invariance applies to families' reparametrizations" "$regression_head
params = { intercept = 1 }
[[check]]
property = \"invariance\"
estimand = \"intercept\""

# models lists every family and regression model.
"$mlesim" models > "$work/models" 2>&1
for family in normal exponential poisson bernoulli gamma uniform geometric negative_binomial laplace lognormal weibull \
  beta cauchy logistic binomial pareto student_t linear_regression logistic_regression poisson_regression; do
  grep -q "^$family " "$work/models" && ok || bad "models lacks $family"
done
[ "$(grep -c 'regular$' "$work/models")" = 17 ] && ok || bad "models does not list 17 families"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
