#!/usr/bin/env bash
# The end-to-end, browser and keychain tiers (pytest marks e2e, browser, keychain), N rounds
# (default 5), each in a new random order, while two CPU-bound busy loops compete for the
# cores: a test that races the clock instead of waiting for a fact fails here first.
#
#   bash scripts/stress-tests.sh [ROUNDS] [extra pytest arguments…]
#
# Every failure is printed with the seed of its round (rerun that order with
# `.venv/bin/pytest -p randomly --randomly-seed=SEED -m "e2e or browser or keychain"`),
# then one summary line. Exit status 0 only if every round passed. The busy loops are
# this script's own children, stopped by PID when it ends, however it ends.
set -uo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen

rounds="${1:-5}"
shift $(( $# > 0 ? 1 : 0 ))
if ! [[ "$rounds" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: bash scripts/stress-tests.sh [ROUNDS] [pytest arguments…]" >&2
  exit 2
fi

logs=$(mktemp -d "${TMPDIR:-/tmp}/stress-tests.XXXXXX")
busy_pids=()

stop_busy_loops() {
  local pid
  for pid in "${busy_pids[@]}"; do
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  busy_pids=()
}
trap stop_busy_loops EXIT
trap 'stop_busy_loops; exit 130' INT TERM

for _ in 1 2; do
  .venv/bin/python -c "while True: pass" &
  busy_pids+=("$!")
done
echo "stress: $rounds rounds; busy loops ${busy_pids[*]}; logs in $logs"

passed=0
failures=0
failed_seeds=()
started=$SECONDS
for (( round = 1; round <= rounds; round++ )); do
  seed=$(( (RANDOM << 15 | RANDOM) ))
  log="$logs/round-$round-seed-$seed.log"
  round_started=$SECONDS
  STREAMCHAT_NO_SKIPS=1 .venv/bin/pytest -p no:cacheprovider -p randomly \
    --randomly-seed="$seed" -q -ra -m "e2e or browser or keychain" "$@" tests >"$log" 2>&1
  status=$?
  summary=$(tail -n 1 "$log")
  echo "round $round/$rounds seed=$seed ($(( SECONDS - round_started )) s): $summary"
  if (( status == 0 )); then
    passed=$(( passed + 1 ))
  else
    failed_seeds+=("$seed")
    while IFS= read -r line; do
      echo "  FAILURE seed=$seed: ${line#* }"
      failures=$(( failures + 1 ))
    done < <(grep -E '^(FAILED|ERROR) ' "$log")
    (( status == 5 )) && echo "  FAILURE seed=$seed: no tests collected"
  fi
done

seeds="${failed_seeds[*]:-none}"
echo "stress summary: $passed/$rounds rounds passed, $failures failures," \
  "seeds of failed rounds: $seeds, $(( SECONDS - started )) s"
(( passed == rounds ))
