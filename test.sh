#!/usr/bin/env bash
# The whole test suite, the README's second command: `./test.sh` (CI runs it through .ci/run).
# Installs what the tests use when it is missing (PostgreSQL binaries and chromium from apt, the web
# sidecar's npm packages from its lockfile), runs the Node.js and the .NET tests, and ends with exactly
# one summary line computed from all results: "N passed, N failed".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

RESULTS=TestResults
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

say() { printf '==> %s\n' "$*"; }
# Every way out before the tests ran still ends with the summary line CI looks for.
fail_early() { printf 'ci: %s\n' "$*" >&2; echo "0 passed, 1 failed"; exit 1; }

# The test fixture starts its own throwaway PostgreSQL server from the system's binaries
# (Debian keeps them under /usr/lib/postgresql/NN/bin), so only the binaries are needed here.
find_pg_bin() {
    local initdb
    initdb=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -n $initdb ]]; then dirname "$initdb"; return; fi
    if command -v pg_config >/dev/null && [[ -x "$(pg_config --bindir)/initdb" ]]; then pg_config --bindir; fi
}

if [[ -z $(find_pg_bin) ]]; then
    [[ $(id -u) -eq 0 ]] || fail_early "PostgreSQL server binaries not found and not root, so cannot install the postgresql package"
    say "Installing PostgreSQL (apt-get install postgresql)"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq postgresql; } >/dev/null </dev/null \
        || fail_early "apt-get install postgresql failed"
    [[ -n $(find_pg_bin) ]] || fail_early "installed postgresql but found no initdb"
fi
say "PostgreSQL binaries: $(find_pg_bin)"

# The console's browser tests drive Debian's chromium through Playwright (no browser download).
if [[ ! -x /usr/bin/chromium ]]; then
    [[ $(id -u) -eq 0 ]] || fail_early "/usr/bin/chromium not found and not root, so cannot install the chromium package"
    say "Installing chromium (apt-get install chromium)"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq chromium; } >/dev/null </dev/null \
        || fail_early "apt-get install chromium failed"
    [[ -x /usr/bin/chromium ]] || fail_early "installed chromium but found no /usr/bin/chromium"
fi
command -v dotnet >/dev/null || fail_early "the .NET SDK (dotnet) is not installed"

# Stale results from an earlier run must not be counted.
rm -rf "$RESULTS"

# The web engine's Node.js sidecar: install its locked dependencies, run its tests with Node's own
# runner, and count them (from a TAP report) together with the TRX counts below.
SIDECAR=src/OrleansSaas.WebSidecar
node_passed=0 node_failed=0
tap_count() {  # TAP summary name ("pass", "fail", …), file → its value, 0 if absent
    local v
    v=$(grep "^# $1 [0-9]" "$2" 2>/dev/null | tail -n 1 | grep -o '[0-9][0-9]*' || true)
    echo "${v:-0}"
}
run_sidecar_tests() {
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        echo "ci: node and npm are needed for the web sidecar's tests ($SIDECAR) but are not installed" >&2
        node_failed=1; return
    fi
    local major
    major=$(node -p 'process.versions.node.split(".")[0]')
    if (( major < 20 )); then
        echo "ci: the web sidecar needs Node.js >= 20, found $(node --version)" >&2
        node_failed=1; return
    fi
    mkdir -p "$RESULTS"
    local log="$PWD/$RESULTS/sidecar-npm-ci.log" tap="$PWD/$RESULTS/sidecar-node-test.tap" st=0
    say "npm ci in $SIDECAR"
    if ! (cd "$SIDECAR" && npm ci --no-audit --no-fund) </dev/null >"$log" 2>&1; then
        tail -n 20 "$log" >&2
        echo "ci: npm ci failed in $SIDECAR (log: $RESULTS/sidecar-npm-ci.log)" >&2
        node_failed=1; return
    fi
    say "node --test in $SIDECAR"
    (cd "$SIDECAR" && timeout --kill-after=30 10m node --test \
        --test-reporter=spec --test-reporter-destination=stdout \
        --test-reporter=tap --test-reporter-destination="$tap") </dev/null || st=$?
    node_passed=$(tap_count pass "$tap")
    node_failed=$(( $(tap_count fail "$tap") + $(tap_count cancelled "$tap") ))
    if [[ ! -s $tap ]] || ! grep -q '^# pass [0-9]' "$tap"; then
        echo "ci: node --test wrote no TAP summary (exit $st)" >&2
        node_failed=$((node_failed > 0 ? node_failed : 1))
    elif (( st != 0 && node_failed == 0 )); then
        echo "ci: node --test exited with $st" >&2
        node_failed=1
    fi
}
run_sidecar_tests

say "dotnet test OrleansSaas.sln -c Release"
# Bounded below the 90-minute CI limit so that a hang still ends with a summary line.
status=0
timeout --kill-after=60 85m \
    dotnet test OrleansSaas.sln -c Release --logger "trx;LogFilePrefix=results" --results-directory "$RESULTS" \
    </dev/null || status=$?
[[ $status -eq 124 ]] && echo "ci: dotnet test timed out after 85 minutes" >&2

# Sum the <Counters …/> of every TRX file (one per test project: a fixed file name would let the last overwrite the others). Errors, timeouts and aborts count as failures.
counter() {  # attribute name, TRX file → its value in <Counters>, 0 if absent
    local v
    v=$(tr '\n' ' ' <"$2" | grep -o '<Counters [^>]*>' | head -n 1 \
        | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9][0-9]*' || true)
    echo "${v:-0}"
}
passed=0 failed=0 files=0
while IFS= read -r -d '' trx; do
    files=$((files + 1))
    passed=$((passed + $(counter passed "$trx")))
    for attr in failed error timeout aborted; do
        failed=$((failed + $(counter "$attr" "$trx")))
    done
done < <(find "$RESULTS" -name '*.trx' -type f -print0 2>/dev/null)

# Name each failed test with the start of its message next to the summary, where a log's tail shows it.
failed_tests() {  # TRX file → "FAILED name: message" lines
    awk 'BEGIN { RS = "<UnitTestResult " } NR > 1 {
        tag = substr($0, 1, index($0, ">")); if (tag !~ /outcome="(Failed|Error|Timeout|Aborted)"/) next
        name = tag; sub(/.*testName="/, "", name); sub(/".*/, "", name)
        msg = ""; if (match($0, /<Message>[^<]*/)) msg = substr($0, RSTART + 9, RLENGTH - 9)
        gsub(/[\r\n\t ]+/, " ", msg); printf "FAILED %s: %s\n", name, substr(msg, 1, 400) }' "$1"
}
while IFS= read -r -d '' trx; do failed_tests "$trx"; done < <(find "$RESULTS" -name '*.trx' -type f -print0 2>/dev/null)

if (( files == 0 )); then
    echo "ci: no TRX file under $RESULTS (dotnet test exited with $status)" >&2
    passed=0 failed=1
fi
(( status == 0 )) || echo "ci: dotnet test exited with $status" >&2
passed=$((passed + node_passed))
failed=$((failed + node_failed))

echo "$passed passed, $failed failed"
(( status == 0 && failed == 0 && passed > 0 ))
