#!/usr/bin/env bash
# Load and chaos benchmarks: builds Release, then runs tests/OrleansSaas.Benchmarks, which starts its own
# throwaway PostgreSQL + silos + gateway as processes on loopback (or uses --gateway URL).
#
#   ./bench.sh load  [--sessions 1000 --messages 20000 --rate 1000 --concurrency 64 ...]
#   ./bench.sh chaos [--sessions 300 --rate 200 ...]
#   ./bench.sh all   [--out results.json --markdown results.md]
#   ./bench.sh help  every option, with its default
#
# See docs/benchmarks.md for what the numbers mean and the targets.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if [[ -z $(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null) ]]; then
    echo "bench.sh: PostgreSQL server binaries not found under /usr/lib/postgresql; install the 'postgresql' package (./run.sh does it as root)." >&2
    exit 2
fi

mkdir -p .data/logs
echo "==> Building (Release)…" >&2
if ! dotnet build OrleansSaas.sln -c Release -nologo -v q </dev/null >.data/logs/bench-build.log 2>&1; then
    grep -E ': (error|warning) ' .data/logs/bench-build.log | sort -u >&2 || tail -n 40 .data/logs/bench-build.log >&2
    echo "bench.sh: build failed (full output: .data/logs/bench-build.log)" >&2
    exit 2
fi

BENCH_LAUNCHER=./bench.sh exec dotnet tests/OrleansSaas.Benchmarks/bin/Release/net10.0/OrleansSaas.Benchmarks.dll "$@"
