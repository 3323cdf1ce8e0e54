# Sourced by the command-line test scripts: a scratch folder removed on exit,
# the tally that ends each script with "N passed, N failed" (finish), and
# the moments at which a test kills a run, scaled to the build's speed.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" = 0 ]
}

# MLESIM_TEST_SLOWDOWN: how many times slower than a release build the
# mlesim under test runs (1 unless set; a sanitized build is several times
# slower: README, Sanitizers). A run killed "at a random moment" must be
# killed at the same point of its work whatever the build's speed.
slowdown=${MLESIM_TEST_SLOWDOWN:-1}
if ! awk -v s="$slowdown" 'BEGIN { exit !(s ~ /^[0-9]+(\.[0-9]+)?$/ && s + 0 > 0) }'; then
  echo "MLESIM_TEST_SLOWDOWN is '$slowdown', but must be a positive decimal number" >&2
  exit 2
fi
# scaled SECONDS: SECONDS times the slowdown, for sleep.
scaled() { awk -v t="$1" -v s="$slowdown" 'BEGIN { printf "%.3f\n", t * s }'; }
