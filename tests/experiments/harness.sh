# Sourced by the command-line test scripts: a scratch folder removed on exit,
# and the tally that ends each script with "N passed, N failed" (finish).
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
