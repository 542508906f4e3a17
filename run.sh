#!/usr/bin/env bash
# Local development cluster: PostgreSQL + one silo + the HTTP gateway with a demo tenant.
#
#   ./run.sh           start everything in this terminal; Ctrl-C stops it all
#   ./run.sh silo N    add silo N (N >= 2) to the running cluster, in the foreground (N = 1: restart a dead silo 1)
#   ./run.sh stop      stop whatever a previous run left behind
#   ./run.sh standby   like ./run.sh, with a synchronous streaming standby of PostgreSQL on $PGSTANDBY_PORT (docs/runbook.md)
#   ./run.sh promote   promote that standby to primary (after the primary died: kill -9 it to try a failover)
#   ./run.sh backup …  ops/backup.sh against this cluster's PostgreSQL (now, list, verify, prune, restore; see docs/runbook.md)
#
# Everything it creates lives in $DATA_DIR, .data/ by default (git-ignored). Environment (defaults in brackets; give every command the same):
#   PGPORT [5544], PGSTANDBY_PORT [5545], GATEWAY_PORT [5080]   PostgreSQL, its standby and the HTTP gateway
#   SILO_PORT_BASE [11111], SILO_GATEWAY_PORT_BASE [30000], SILO_HTTP_PORT_BASE [8081]
#                      silo N listens on base + N - 1: silo-to-silo, Orleans clients, HTTP (health, metrics, dashboard)
#   DATA_DIR [.data]   where the database, secrets, logs and pid files live (a second cluster needs its own)
#   SKIP_BUILD=1       start the Release binaries as they are (no build, no npm ci); builds anyway if they are missing
set -euo pipefail
# A relative DATA_DIR is taken from where the script is called.
DATA=${DATA_DIR:+$(realpath -m -- "$DATA_DIR")}
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT=$PWD

PGPORT=${PGPORT:-5544}
PGSTANDBY_PORT=${PGSTANDBY_PORT:-5545}
GATEWAY_PORT=${GATEWAY_PORT:-5080}
SILO_PORT_BASE=${SILO_PORT_BASE:-11111}
SILO_GATEWAY_PORT_BASE=${SILO_GATEWAY_PORT_BASE:-30000}
SILO_HTTP_PORT_BASE=${SILO_HTTP_PORT_BASE:-8081}
DATA=${DATA:-$ROOT/.data}
LOGS=$DATA/logs
RUN=$DATA/run
DB=orleanssaas
CONNECTION="Host=127.0.0.1;Port=$PGPORT;Database=$DB;Username=app"
SILO_DLL=silo/OrleansSaas.Silo/bin/Release/net10.0/OrleansSaas.Silo.dll
GATEWAY_DLL=gateway/OrleansSaas.Gateway/bin/Release/net10.0/OrleansSaas.Gateway.dll
STARTUP_TIMEOUT=90

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

say() { printf '==> %s\n' "$*"; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }
is_root() { [[ $(id -u) -eq 0 ]]; }
# A path as messages show it: relative to the repository when inside it.
shown() { printf '%s' "${1#"$ROOT"/}"; }

# ---------------------------------------------------------------- PostgreSQL

# Newest installed server binaries (Debian keeps them out of PATH, under /usr/lib/postgresql/NN/bin).
find_pg_bin() {
    local initdb
    initdb=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -n $initdb ]]; then dirname "$initdb"; return; fi
    if command -v pg_config >/dev/null && [[ -x "$(pg_config --bindir)/initdb" ]]; then pg_config --bindir; fi
}

ensure_pg_bin() {
    PGBIN=$(find_pg_bin)
    if [[ -z $PGBIN ]]; then
        is_root || die "PostgreSQL server binaries (initdb, pg_ctl) not found. Install them, e.g. 'sudo apt-get install postgresql', and run again."
        say "Installing PostgreSQL (apt-get install postgresql)…"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null
        apt-get install -y -qq postgresql >/dev/null
        PGBIN=$(find_pg_bin)
        [[ -n $PGBIN ]] || die "installed the postgresql package but still found no initdb"
    fi
    if is_root; then
        id postgres >/dev/null 2>&1 || die "running as root needs the 'postgres' user to run the server (the postgresql package creates it)"
    fi
}

# initdb, postgres and pg_ctl refuse to run as root, so as root they run as the postgres user
# (from / so that an unreadable current directory cannot trip them up).
pg() {
    local tool=$1; shift
    if is_root; then (cd / && runuser -u postgres -- "$PGBIN/$tool" "$@")
    else "$PGBIN/$tool" "$@"; fi
}

# Picks PGDATA and PGLOG. The server keeps its data and socket in $DATA/pg unless the postgres user
# cannot reach it (as root, with the repo under a private home, say) or the socket path would be too
# long for a Unix socket; then it falls back to a folder under /var/tmp unique to this user and data directory.
resolve_pgdata() {
    PGDATA=$DATA/pg
    PGLOG=$LOGS/postgres.log
    PG_FALLBACK=false
    local reachable=true
    if is_root && id postgres >/dev/null 2>&1; then
        mkdir -p "$DATA"
        runuser -u postgres -- test -x "$DATA" 2>/dev/null || reachable=false
    fi
    if ! $reachable || (( ${#PGDATA} + 20 > 100 )); then
        local base
        base=/var/tmp/orleanssaas-$(id -u)-$(printf '%s' "$DATA" | sha256sum | cut -c1-8)
        PGDATA=$base/pg
        PGLOG=$base/postgres.log
        PG_FALLBACK=true
    fi
    # Next to the data directory, so the server's user can write them.
    BACKUP_DIR=${BACKUP_DIR:-${PGDATA%/pg}/backups}
    STANDBY_DATA=$PGDATA-standby
    STANDBY_LOG=${PGLOG%.log}-standby.log
}

pg_running() { [[ -f $PGDATA/PG_VERSION ]] && pg pg_ctl -D "$PGDATA" status >/dev/null 2>&1; }

psql_app() { "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U app -X -q -v ON_ERROR_STOP=1 "$@"; }

start_postgres() {
    resolve_pgdata
    if $PG_FALLBACK; then
        say "PostgreSQL cannot use $DATA/pg here; its data and log are in ${PGDATA%/pg} instead"
    fi
    mkdir -p "$(dirname "$PGDATA")" "$LOGS"
    if [[ ! -d $PGDATA ]]; then
        mkdir -m 700 "$PGDATA"
        if is_root; then chown postgres:postgres "$PGDATA"; fi
    fi
    # pg_ctl writes the server log as the server's user.
    touch "$PGLOG"
    if is_root; then chown postgres:postgres "$PGLOG"; fi

    if [[ ! -f $PGDATA/PG_VERSION ]]; then
        say "Initialising PostgreSQL in $PGDATA"
        pg initdb -D "$PGDATA" -A trust -U app -E UTF8 >"$LOGS/initdb.log" 2>&1 \
            || { cat "$LOGS/initdb.log" >&2; die "initdb failed"; }
    fi
    # Every finished WAL segment goes to the backup folder (ops/backup.sh archive-settings), for point-in-time restores.
    if ! grep -q '^archive_mode' "$PGDATA/postgresql.conf"; then
        BACKUP_DIR=$BACKUP_DIR ops/backup.sh archive-settings >>"$PGDATA/postgresql.conf"
    fi
    if pg_running; then
        say "PostgreSQL already running on port $PGPORT"
    else
        say "Starting PostgreSQL on 127.0.0.1:$PGPORT"
        pg pg_ctl -D "$PGDATA" -o "-p $PGPORT -k $PGDATA -c listen_addresses=127.0.0.1" -l "$PGLOG" -w start >/dev/null \
            || { tail -n 20 "$PGLOG" >&2; die "PostgreSQL did not start (is port $PGPORT in use? set PGPORT=…)"; }
    fi
    if [[ -z $(psql_app -d postgres -tA -c "SELECT 1 FROM pg_database WHERE datname = '$DB'") ]]; then
        psql_app -d postgres -c "CREATE DATABASE $DB"
        say "Created database $DB"
    fi
}

stop_postgres() {
    resolve_pgdata
    if pg_running; then
        say "Stopping PostgreSQL"
        pg pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null || true
    fi
}

# A synchronous standby: a commit (so a 202) returns only once the standby has it too. Made once with pg_basebackup -R.
start_standby() {
    if [[ ! -f $STANDBY_DATA/PG_VERSION ]]; then
        say "Copying the primary into $STANDBY_DATA (pg_basebackup)"
        rm -rf "$STANDBY_DATA"
        mkdir -m 700 "$STANDBY_DATA"
        if is_root; then chown postgres:postgres "$STANDBY_DATA"; fi
        pg pg_basebackup -h 127.0.0.1 -p "$PGPORT" -U app -D "$STANDBY_DATA" -R -X stream --checkpoint=fast
        # Promoted, it must not wait for a standby of its own.
        printf "synchronous_standby_names = ''\n" >>"$STANDBY_DATA/postgresql.auto.conf"
    fi
    touch "$STANDBY_LOG"
    if is_root; then chown postgres:postgres "$STANDBY_LOG"; fi
    if pg pg_ctl -D "$STANDBY_DATA" status >/dev/null 2>&1; then
        say "Standby already running on port $PGSTANDBY_PORT"
    else
        say "Starting the standby on 127.0.0.1:$PGSTANDBY_PORT"
        pg pg_ctl -D "$STANDBY_DATA" -o "-p $PGSTANDBY_PORT -k $STANDBY_DATA -c listen_addresses=127.0.0.1" -l "$STANDBY_LOG" -w start >/dev/null \
            || { tail -n 20 "$STANDBY_LOG" >&2; die "the standby did not start (is port $PGSTANDBY_PORT in use? set PGSTANDBY_PORT=…)"; }
    fi
    psql_app -d postgres -c "ALTER SYSTEM SET synchronous_standby_names = '*'" -c "SELECT pg_reload_conf()" >/dev/null
    for _ in $(seq 50); do
        [[ $(psql_app -d postgres -tA -c "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'") -gt 0 ]] && break
        sleep 0.2
    done
    # Both hosts: Npgsql keeps to whichever is the primary and rechecks every 2 s, so it finds a promoted standby.
    CONNECTION="Host=127.0.0.1:$PGPORT,127.0.0.1:$PGSTANDBY_PORT;Database=$DB;Username=app;Target Session Attributes=primary;Host Recheck Seconds=2"
}

stop_standby() {
    if [[ -f $STANDBY_DATA/PG_VERSION ]] && pg pg_ctl -D "$STANDBY_DATA" status >/dev/null 2>&1; then
        say "Stopping the standby"
        pg pg_ctl -D "$STANDBY_DATA" -m fast -w stop >/dev/null || true
    fi
}

cmd_promote() {
    ensure_pg_bin
    resolve_pgdata
    [[ -f $STANDBY_DATA/PG_VERSION ]] || die "no standby in $STANDBY_DATA; start the cluster with ./run.sh standby"
    say "Promoting the standby on port $PGSTANDBY_PORT (pg_ctl promote)"
    pg pg_ctl -D "$STANDBY_DATA" -w promote >/dev/null
    say "The standby is the primary now; the silos and the gateway follow it. The old primary must not come back as a primary:"
    say "rebuild it as a standby of this one (delete $PGDATA and run pg_basebackup, see docs/runbook.md)."
}

cmd_backup() {
    ensure_pg_bin
    resolve_pgdata
    # After './run.sh promote' the primary is the former standby, unless the first server answers as one again.
    local port=$PGPORT
    if ! is_primary "$PGPORT" && [[ -f $STANDBY_DATA/PG_VERSION ]] && is_primary "$PGSTANDBY_PORT"; then port=$PGSTANDBY_PORT; fi
    BACKUP_DIR=$BACKUP_DIR PGPORT=$port PGBIN=$PGBIN exec ops/backup.sh "$@"
}

is_primary() { [[ $("$PGBIN/psql" -h 127.0.0.1 -p "$1" -U app -X -tA -d postgres -c 'SELECT NOT pg_is_in_recovery()' 2>/dev/null) == t ]]; }

# ---------------------------------------------------------------- .NET processes

# Generated once and kept, so every silo (and every run) shares the key that encrypts session credentials.
ensure_secrets() {
    mkdir -p "$DATA"
    if [[ ! -s $DATA/credential-key ]]; then
        (umask 077 && head -c 32 /dev/urandom | base64 >"$DATA/credential-key")
        say "Generated a credential key in $(shown "$DATA/credential-key")"
    fi
    chmod 600 "$DATA/credential-key"
    # The operator's key for /v1/admin (tenants, keys); the gateway refuses admin calls without one.
    if [[ ! -s $DATA/admin-api-key ]]; then
        (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$DATA/admin-api-key")
        say "Generated an admin key in $(shown "$DATA/admin-api-key")"
    fi
    chmod 600 "$DATA/admin-api-key"
}

# The web engine's sidecar: its locked Node.js dependencies, installed when missing or older than the lockfile.
# Without Node.js 20+ the silos start without the web engine (they say so in their logs).
sidecar_deps() {
    local dir=src/OrleansSaas.WebSidecar
    [[ -f $dir/node_modules/.package-lock.json && ! $dir/package-lock.json -nt $dir/node_modules/.package-lock.json ]] && return
    if ! command -v npm >/dev/null || (( $(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0) < 20 )); then
        say "Node.js 20+ and npm not found: the web engine will not be offered"
        return
    fi
    say "Installing the web sidecar's dependencies (npm ci)…"
    if ! (cd "$dir" && npm ci --no-audit --no-fund) </dev/null >"$LOGS/sidecar-npm-ci.log" 2>&1; then
        tail -n 20 "$LOGS/sidecar-npm-ci.log" >&2
        say "npm ci failed (full output: $(shown "$LOGS/sidecar-npm-ci.log")): the web engine will not be offered"
    fi
}

build() {
    say "Building (Release)…"
    mkdir -p "$LOGS"
    sidecar_deps
    if ! dotnet build OrleansSaas.sln -c Release -nologo -v q </dev/null >"$LOGS/build.log" 2>&1; then
        grep -E ': (error|warning) ' "$LOGS/build.log" | sort -u >&2 || tail -n 40 "$LOGS/build.log" >&2
        die "build failed (full output: $(shown "$LOGS/build.log"))"
    fi
}

# Silo N listens on each port base + N - 1 (silo-to-silo, clients, HTTP); sets SILO_ENV for `env`.
set_silo_env() {
    local n=$1
    SILO_ENV=("ConnectionStrings__Postgres=$CONNECTION"
              "Security__CredentialKey=$(cat "$DATA/credential-key")"
              "Silo__SiloPort=$((SILO_PORT_BASE + n - 1))" "Silo__GatewayPort=$((SILO_GATEWAY_PORT_BASE + n - 1))"
              "Silo__HttpPort=$((SILO_HTTP_PORT_BASE + n - 1))"
              "DOTNET_ENVIRONMENT=Development" "${DEMO_OUTBOUND[@]}")
}

# The demo's webhook receivers and media links may be on this machine: allow loopback (production refuses it).
DEMO_OUTBOUND=("Outbound__AllowedNetworks__0=127.0.0.0/8" "Outbound__AllowedNetworks__1=::1/128")

# A pid file only counts while its process is still one of ours (pids get reused).
live_pid() {
    local file=$1 pid
    [[ -f $file ]] || return 1
    pid=$(cat "$file")
    [[ $pid =~ ^[0-9]+$ ]] && grep -qa OrleansSaas "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
}

# SIGTERM lets the host shut down cleanly (a silo first moves its sessions to the other silos, for up to
# Cluster:ShutdownDrainTimeout, 20 s, then leaves the membership table so the others need not detect it as dead);
# only a host that has not stopped after its timeout gets SIGKILL. A silo's timeout is well past the drain's.
SILO_STOP_TIMEOUT=45
GATEWAY_STOP_TIMEOUT=15
# The pid file goes first, so a foreground ./run.sh whose gateway ends can tell a stop from a crash.
stop_pid_file() {
    local file=$1 timeout=$2 name pid
    name=$(basename "$file" .pid)
    if pid=$(live_pid "$file"); then
        say "Stopping $name (pid $pid; SIGKILL after $timeout s)"
        rm -f "$file"
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq $((timeout * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            say "$name did not stop within $timeout s; killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$file"
}

stop_all_processes() {
    # The gateway first (it is a client of the silos), then the silos, highest number first.
    [[ -f $RUN/gateway.pid ]] && stop_pid_file "$RUN/gateway.pid" "$GATEWAY_STOP_TIMEOUT"
    local f
    for f in $(ls "$RUN"/silo*.pid 2>/dev/null | sort -rV); do stop_pid_file "$f" "$SILO_STOP_TIMEOUT"; done
}

# Waits until $log contains $marker; fails with the log's tail if the process exits or time runs out.
wait_for_log() {
    local name=$1 pid=$2 log=$3 marker=$4
    for _ in $(seq $((STARTUP_TIMEOUT * 5))); do
        grep -q "$marker" "$log" 2>/dev/null && return 0
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 40 "$log" >&2
            die "$name exited during start-up (log: $(shown "$log"))"
        fi
        sleep 0.2
    done
    tail -n 40 "$log" >&2
    die "$name did not become ready within ${STARTUP_TIMEOUT} s (log: $(shown "$log"))"
}

# Background processes get their own session (setsid) so that Ctrl-C reaches only this script,
# which then stops them in order: gateway, silos, PostgreSQL.
start_background() {  # name log env... -- command...
    local name=$1 log=$2; shift 2
    local envs=()
    while [[ $1 != -- ]]; do envs+=("$1"); shift; done
    shift
    : >"$log"
    env "${envs[@]}" setsid "$@" </dev/null >>"$log" 2>&1 &
    echo $! >"$RUN/$name.pid"
}

# ---------------------------------------------------------------- commands

cmd_up() {
    mkdir -p "$LOGS" "$RUN"
    local f
    for f in "$RUN"/*.pid; do
        [[ -e $f ]] || continue
        live_pid "$f" >/dev/null && die "$(basename "$f" .pid) from an earlier run is still running; stop it with './run.sh stop'"
        rm -f "$f"
    done
    command -v dotnet >/dev/null || die "the .NET 10 SDK (dotnet) is required"

    ensure_pg_bin
    # From here on, whatever goes wrong (or Ctrl-C) stops what this run started.
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'cleanup' EXIT
    start_postgres
    if $STANDBY; then start_standby
    else psql_app -d postgres -c "ALTER SYSTEM RESET synchronous_standby_names" -c "SELECT pg_reload_conf()" >/dev/null
    fi
    ensure_secrets
    if [[ ${SKIP_BUILD:-} == 1 && -f $SILO_DLL && -f $GATEWAY_DLL ]]; then say "Not building (SKIP_BUILD=1)"
    else build
    fi

    say "Starting silo 1"
    set_silo_env 1
    start_background silo1 "$LOGS/silo1.log" "${SILO_ENV[@]}" -- dotnet "$SILO_DLL"
    wait_for_log "silo 1" "$(cat "$RUN/silo1.pid")" "$LOGS/silo1.log" "Silo is active"

    say "Starting the gateway"
    start_background gateway "$LOGS/gateway.log" \
        "ConnectionStrings__Postgres=$CONNECTION" "Demo__Enabled=true" "Demo__KeyFile=$DATA/demo-api-key" \
        "Admin__ApiKey=$(cat "$DATA/admin-api-key")" \
        "Simulator__DevEndpoints=true" "Urls=http://127.0.0.1:$GATEWAY_PORT" "ASPNETCORE_ENVIRONMENT=Development" \
        "${DEMO_OUTBOUND[@]}" -- dotnet "$GATEWAY_DLL"
    wait_for_log "gateway" "$(cat "$RUN/gateway.pid")" "$LOGS/gateway.log" "Gateway is ready"
    for _ in $(seq 50); do [[ -s $DATA/demo-api-key ]] && break; sleep 0.2; done
    [[ -s $DATA/demo-api-key ]] || die "the gateway did not write the demo API key to $(shown "$DATA/demo-api-key")"

    cat <<EOF

  Gateway:      http://127.0.0.1:$GATEWAY_PORT
  Console:      http://127.0.0.1:$GATEWAY_PORT/console/   (sign in with the demo API key, or the admin key as operator)
  Demo API key: $(cat "$DATA/demo-api-key")
  Admin key:    $(cat "$DATA/admin-api-key")   (X-Admin-Key, for /v1/admin)
  API docs:     http://127.0.0.1:$GATEWAY_PORT/docs
  Dashboard:    http://127.0.0.1:$SILO_HTTP_PORT_BASE/dashboard/   (Orleans dashboard, served by silo 1)
  Health:       http://127.0.0.1:$GATEWAY_PORT/health/ready (gateway), http://127.0.0.1:$SILO_HTTP_PORT_BASE/health/ready (silo 1)
  Metrics:      http://127.0.0.1:$GATEWAY_PORT/metrics (gateway), http://127.0.0.1:$SILO_HTTP_PORT_BASE/metrics (silo 1)   (Prometheus)
  Logs:         $(shown "$LOGS")/
  Add a silo:   ./run.sh silo 2   (from another terminal; 3, 4, … likewise)
  Stop:         Ctrl-C

EOF
    # Sit here until Ctrl-C or until the gateway dies. A silo that dies is reported and the rest keeps running,
    # so failover can be tried: the other silos take over its sessions.
    local silo_pid gateway_pid
    silo_pid=$(cat "$RUN/silo1.pid"); gateway_pid=$(cat "$RUN/gateway.pid")
    wait -n "$silo_pid" "$gateway_pid" || true
    if ! live_pid "$RUN/silo1.pid" >/dev/null && live_pid "$RUN/gateway.pid" >/dev/null; then
        tail -n 5 "$LOGS/silo1.log" >&2
        say "silo 1 stopped unexpectedly (log: $(shown "$LOGS/silo1.log")); the gateway and any other silos keep running."
        say "Start it again with './run.sh silo 1' from another terminal; Ctrl-C here stops everything."
        wait "$gateway_pid" || true
    fi
    if [[ ! -f $RUN/gateway.pid ]]; then
        # './run.sh stop' from another terminal stops the rest too.
        trap - EXIT INT TERM
        say "Stopped by './run.sh stop'"
        exit 0
    fi
    if ! live_pid "$RUN/gateway.pid" >/dev/null; then
        tail -n 20 "$LOGS/gateway.log" >&2
        die "gateway stopped unexpectedly (log: $(shown "$LOGS/gateway.log"))"
    fi
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    echo
    stop_all_processes
    stop_postgres
    stop_standby
    [[ $status -eq 130 || $status -eq 143 ]] && status=0   # Ctrl-C / TERM is the normal way out
    exit "$status"
}

cmd_silo() {
    local n=${1:-}
    [[ $n =~ ^[0-9]+$ ]] && (( n >= 1 )) || die "usage: ./run.sh silo N   (N >= 2 adds a silo; 1 restarts silo 1 after it died)"
    mkdir -p "$LOGS" "$RUN"
    live_pid "$RUN/silo$n.pid" >/dev/null && die "silo $n is already running"
    ensure_pg_bin
    psql_app -d "$DB" -c 'SELECT 1' >/dev/null 2>&1 \
        || die "PostgreSQL is not running on port $PGPORT; start the cluster with ./run.sh first"
    [[ -s $DATA/credential-key ]] || die "no $(shown "$DATA/credential-key"); start the cluster with ./run.sh first"
    [[ -f $SILO_DLL ]] || build

    say "Starting silo $n (silo port $((SILO_PORT_BASE + n - 1)), gateway port $((SILO_GATEWAY_PORT_BASE + n - 1)), HTTP port $((SILO_HTTP_PORT_BASE + n - 1))); Ctrl-C stops it"
    # The silo runs in the foreground of this script; the trap turns Ctrl-C into a graceful SIGTERM.
    # (tee -i: Ctrl-C must not kill the tee before the silo has logged its shutdown.)
    local log=$LOGS/silo$n.log pid status=0
    : >"$log"
    set_silo_env "$n"
    env "${SILO_ENV[@]}" setsid dotnet "$SILO_DLL" </dev/null > >(tee -i -a "$log") 2>&1 &
    pid=$!
    echo "$pid" >"$RUN/silo$n.pid"
    STOPPED=false
    trap 'STOPPED=true; stop_pid_file "$RUN/silo$n.pid" "$SILO_STOP_TIMEOUT"' INT TERM
    while kill -0 "$pid" 2>/dev/null; do wait "$pid" || status=$?; done
    rm -f "$RUN/silo$n.pid"
    sleep 0.3   # let tee flush the last lines
    if $STOPPED; then exit 0; fi
    (( status == 0 )) || die "silo $n exited with status $status (log: $(shown "$LOGS/silo$n.log"))"
}

cmd_stop() {
    mkdir -p "$RUN"
    stop_all_processes
    PGBIN=$(find_pg_bin)
    if [[ -n $PGBIN ]]; then stop_postgres; stop_standby; fi
    say "Stopped"
}

STANDBY=false
case "${1:-}" in
    "")   cmd_up ;;
    standby) STANDBY=true; cmd_up ;;
    promote) cmd_promote ;;
    backup) shift; cmd_backup "$@" ;;
    silo) cmd_silo "${2:-}" ;;
    stop) cmd_stop ;;
    -h|--help|help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' ;;
    *)    die "unknown command '$1' (try: ./run.sh, ./run.sh silo N, ./run.sh standby, ./run.sh promote, ./run.sh backup …, ./run.sh stop)" ;;
esac
