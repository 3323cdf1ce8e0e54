#!/usr/bin/env bash
# A mutation fuzzer over the shipped configs: each mutant is run with few
# replications and must end in bounded time with exit 0, 1 or 2 (never a
# signal, never a hang), write no `nan`/`inf` text into a report, and, when it
# exits 2, say what is wrong with a message naming the config file.
# usage: fuzz_test.sh MLESIM SOURCE_ROOT [MUTANTS]
set -u
mlesim=$1
root=$2
mutants=${3:-160}
# shellcheck source=tests/experiments/harness.sh
. "$(dirname "$0")/harness.sh"

mapfile -t configs < <(ls "$root"/experiments/*.toml "$root"/experiments/properties/*.toml | sort)
# Values a careless or hostile user might type where a number or a name goes.
values=(0 -1 1e308 -1e308 1e-308 5e-324 nan inf -inf 9223372036854775808 18446744073709551616 0.5 1e15 1e-15
        2147483647 3 '"x"' '[]' '[1, 2]' '{}' true 1e300 -0 0.999999999999 100000000 '""')
RANDOM=20261126  # the same mutants in every run
for i in $(seq "$mutants"); do
  config=${configs[RANDOM % ${#configs[@]}]}
  mutant="$work/m$i.toml"
  lines=$(wc -l < "$config")
  line=$(( RANDOM % lines + 1 ))
  value=${values[RANDOM % ${#values[@]}]}
  case $(( RANDOM % 4 )) in
    0) # a number on that line replaced by an odd value (or the line left alone)
      awk -v n="$line" -v v="$value" 'NR == n { sub(/-?[0-9][0-9.e+-]*/, v) } { print }' "$config" > "$mutant" ;;
    1) # the line deleted
      awk -v n="$line" 'NR != n' "$config" > "$mutant" ;;
    2) # the line doubled
      awk -v n="$line" '{ print } NR == n { print }' "$config" > "$mutant" ;;
    3) # a value of a key = value line replaced whole
      awk -v n="$line" -v v="$value" 'NR == n && /=/ { sub(/=.*/, "= " v) } { print }' "$config" > "$mutant" ;;
  esac
  out="$work/out$i"
  timeout 20 "$mlesim" run --reps 40 --threads 2 -o "$out" "$mutant" > "$work/stdout" 2> "$work/stderr"
  rc=$?
  what="mutant $i of $(basename "$config") (line $line, value $value)"
  case $rc in
    0 | 1 | 2) ok ;;
    124) bad "$what: hung (over 20 s)"; continue ;;
    *) bad "$what: exit $rc: $(tail -3 "$work/stderr")"; continue ;;
  esac
  if [ "$rc" = 2 ]; then
    grep -qF "m$i.toml" "$work/stderr" && ok || bad "$what: exit 2 without naming the file: $(head -3 "$work/stderr")"
    [ -z "$(ls "$out"/*.csv 2> /dev/null)" ] && ok || bad "$what: exit 2 but wrote a report"
  else
    if grep -qiE '(^|,)-?(nan|inf)(,|$)' "$out"/*.csv 2> /dev/null || grep -qiE '\| *-?(nan|inf) *\|' "$out"/*.md 2> /dev/null; then
      bad "$what: nan/inf text in a report"
    else
      ok
    fi
  fi
done
finish
