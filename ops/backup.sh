#!/usr/bin/env bash
# Base backups and point-in-time restore of the product's PostgreSQL, with PostgreSQL's own tools.
# The server archives every finished WAL segment into $BACKUP_DIR/wal (its archive_command, see
# 'archive-settings'); base backups go to $BACKUP_DIR/base/<UTC time>. docs/runbook.md says when to use what.
#
#   ops/backup.sh now                         take a base backup now (pg_basebackup), verify it, apply retention
#   ops/backup.sh list                        base backups (oldest first) and the span of the WAL archive
#   ops/backup.sh verify [NAME]               pg_verifybackup of a backup (the newest by default) and its WAL in the archive
#   ops/backup.sh prune                       apply retention: keep the newest $BACKUP_KEEP backups and the WAL they need
#   ops/backup.sh restore DATADIR [NAME] [--target-time TIME]
#                                             a fresh data directory that replays the archive to TIME (default: the end
#                                             of the archive) from backup NAME (default: the newest before TIME); start it
#                                             with pg_ctl and it comes up as a primary
#   ops/backup.sh archive-settings            the postgresql.conf lines that archive WAL into $BACKUP_DIR/wal
#
# Configuration: environment variables, or a file of them named by BACKUP_CONFIG (see ops/backup.conf.example):
#   BACKUP_DIR   where backups and the WAL archive live (default .data/backups)   BACKUP_KEEP  base backups kept (default 7)
#   PGHOST, PGPORT, PGUSER   the server to back up (default 127.0.0.1, 5544, app)  PGBIN  PostgreSQL's bin folder (found)
# Scheduled backups: run 'ops/backup.sh now' from cron or a systemd timer, e.g. hourly: 0 * * * * /srv/orleanssaas/ops/backup.sh now
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if [[ -n ${BACKUP_CONFIG:-} ]]; then
    # shellcheck source=/dev/null
    source "$BACKUP_CONFIG"
fi
BACKUP_DIR=${BACKUP_DIR:-$ROOT/.data/backups}
BACKUP_KEEP=${BACKUP_KEEP:-7}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5544} PGUSER=${PGUSER:-app}

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'backup.sh: %s\n' "$*" >&2; exit 1; }

if [[ -z ${PGBIN:-} ]]; then
    initdb=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
    [[ -n $initdb ]] || die "PostgreSQL binaries not found under /usr/lib/postgresql; set PGBIN"
    PGBIN=$(dirname "$initdb")
fi

# The server runs as 'postgres' when we are root: its files (backups, restored data directories) must be that user's.
pg() {
    local tool=$1; shift
    if [[ $(id -u) -eq 0 ]]; then (cd / && runuser -u postgres -- env PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER="$PGUSER" "$PGBIN/$tool" "$@")
    else "$PGBIN/$tool" "$@"; fi
}

ensure_dirs() {
    mkdir -p "$BACKUP_DIR/base" "$BACKUP_DIR/wal"
    if [[ $(id -u) -eq 0 ]]; then chown postgres "$BACKUP_DIR" "$BACKUP_DIR/base" "$BACKUP_DIR/wal"; fi
}

backups() { ls -1 "$BACKUP_DIR/base" 2>/dev/null | grep -E '^[0-9]{8}T[0-9]{6}Z$' | sort || true; }

# START WAL LOCATION: 0/2000028 (file 000000010000000000000002)
first_wal_of() { sed -n 's/^START WAL LOCATION: .*(file \([0-9A-F]*\))$/\1/p' "$BACKUP_DIR/base/$1/backup_label"; }
# The manifest's WAL-Ranges say where replay must reach for the backup to be consistent.
end_lsn_of() { grep -o '"End-LSN": *"[0-9A-F/]*"' "$BACKUP_DIR/base/$1/backup_manifest" | tail -n 1 | sed 's/.*"\([0-9A-F/]*\)"$/\1/'; }
started_at() { sed -n 's/^START TIME: //p' "$BACKUP_DIR/base/$1/backup_label"; }

cmd_now() {
    ensure_dirs
    local name
    name=$(date -u +%Y%m%dT%H%M%SZ)
    [[ ! -e $BACKUP_DIR/base/$name ]] || { sleep 1; name=$(date -u +%Y%m%dT%H%M%SZ); }
    say "Base backup of $PGHOST:$PGPORT into $BACKUP_DIR/base/$name"
    local started=$SECONDS
    # -X stream: the backup carries the WAL it needs, so it restores even without the archive.
    pg pg_basebackup -D "$BACKUP_DIR/base/$name.partial" -Fp -X stream --checkpoint=fast --label "orleanssaas $name"
    mv "$BACKUP_DIR/base/$name.partial" "$BACKUP_DIR/base/$name"
    cmd_verify "$name"
    say "Backup $name taken in $((SECONDS - started)) s (end LSN $(end_lsn_of "$name"))"
    cmd_prune
    echo "$name"
}

cmd_list() {
    local name count=0
    printf '%-18s %-26s %-14s %s\n' NAME STARTED END_LSN SIZE
    for name in $(backups); do
        printf '%-18s %-26s %-14s %s\n' "$name" "$(started_at "$name")" "$(end_lsn_of "$name")" "$(du -sh "$BACKUP_DIR/base/$name" | cut -f1)"
        count=$((count + 1))
    done
    local wal
    wal=$(ls -1 "$BACKUP_DIR/wal" 2>/dev/null | grep -E '^[0-9A-F]{24}$' | sort || true)
    echo
    if [[ -n $wal ]]; then
        echo "WAL archive: $(wc -l <<<"$wal") segments, $(head -n 1 <<<"$wal") … $(tail -n 1 <<<"$wal"), last archived $(date -u -r "$BACKUP_DIR/wal/$(tail -n 1 <<<"$wal")" '+%F %T UTC')"
    else
        echo "WAL archive: empty"
    fi
    echo "$count base backup(s) in $BACKUP_DIR (retention: the newest $BACKUP_KEEP)"
}

cmd_verify() {
    local name=${1:-$(backups | tail -n 1)}
    [[ -n $name && -d $BACKUP_DIR/base/$name ]] || die "no backup '${1:-}' in $BACKUP_DIR/base (see: ops/backup.sh list)"
    # Checks every file against the manifest's checksums and that the WAL needed for consistency is there and parses.
    pg pg_verifybackup -q "$BACKUP_DIR/base/$name" || die "backup $name is damaged: pg_verifybackup failed"
    say "Backup $name verified (files match the manifest; WAL to $(end_lsn_of "$name") present)"
}

cmd_prune() {
    local all keep
    all=$(backups)
    [[ -n $all ]] || return 0
    keep=$(tail -n "$BACKUP_KEEP" <<<"$all")
    local name
    for name in $(comm -23 <(echo "$all") <(echo "$keep")); do
        say "Retention: removing backup $name"
        rm -rf "${BACKUP_DIR:?}/base/$name"
    done
    # WAL older than the oldest kept backup's start can restore nothing any more.
    local oldest
    oldest=$(first_wal_of "$(head -n 1 <<<"$keep")")
    if [[ -n $oldest ]]; then pg pg_archivecleanup "$BACKUP_DIR/wal" "$oldest"; fi
}

cmd_restore() {
    local datadir=${1:-} name="" target=""
    [[ -n $datadir ]] || die "usage: ops/backup.sh restore DATADIR [NAME] [--target-time TIME]"
    shift
    while [[ $# -gt 0 ]]; do
        case $1 in
            --target-time) target=${2:?--target-time needs a time, e.g. '2026-12-01 23:50:00+00'}; shift 2 ;;
            *) name=$1; shift ;;
        esac
    done
    if [[ -z $name ]]; then
        # The newest backup that started before the target (all of them count without a target).
        local candidate
        for candidate in $(backups); do
            if [[ -z $target ]] || [[ $(date -u -d "$(started_at "$candidate")" +%s) -le $(date -u -d "$target" +%s) ]]; then name=$candidate; fi
        done
        [[ -n $name ]] || die "no base backup started before ${target:-now} in $BACKUP_DIR/base"
    fi
    [[ -d $BACKUP_DIR/base/$name ]] || die "no backup '$name' in $BACKUP_DIR/base"
    if [[ -e $datadir ]] && [[ -n $(ls -A "$datadir" 2>/dev/null) ]]; then die "$datadir is not empty; restore into a fresh directory"; fi

    say "Restoring backup $name into $datadir${target:+, recovering to $target}"
    mkdir -p "$datadir"
    cp -a "$BACKUP_DIR/base/$name/." "$datadir/"
    rm -f "$datadir/backup_manifest"
    chmod 700 "$datadir"
    # Later lines win: replay from the archive, then open as a primary. A synchronous standby the old primary
    # waited for is not there for the restored server: without clearing it every commit would wait forever.
    {
        echo "# written by ops/backup.sh restore $(date -u '+%F %T UTC')"
        echo "restore_command = 'cp $BACKUP_DIR/wal/%f %p'"
        echo "recovery_target_action = 'promote'"
        echo "synchronous_standby_names = ''"
        # Closed until recovery has finished, so 'pg_ctl start -w' returns only once every archived commit is back.
        echo "hot_standby = off"
        if [[ -n $target ]]; then echo "recovery_target_time = '$target'"; fi
    } >>"$datadir/postgresql.auto.conf"
    touch "$datadir/recovery.signal"
    if [[ $(id -u) -eq 0 ]]; then chown -R postgres:postgres "$datadir"; fi
    say "Ready: start it with pg_ctl -D $datadir start; it replays the archive, then accepts writes (new timeline)"
}

cmd_archive_settings() {
    cat <<EOF
archive_mode = on
archive_command = 'test ! -f $BACKUP_DIR/wal/%f && cp %p $BACKUP_DIR/wal/%f.part && mv $BACKUP_DIR/wal/%f.part $BACKUP_DIR/wal/%f'
archive_timeout = ${ARCHIVE_TIMEOUT:-60}
EOF
}

case "${1:-}" in
    now) cmd_now ;;
    list) cmd_list ;;
    verify) cmd_verify "${2:-}" ;;
    prune) cmd_prune ;;
    restore) shift; cmd_restore "$@" ;;
    archive-settings) ensure_dirs; cmd_archive_settings ;;
    -h|--help|help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//' ;;
    *) die "unknown command '${1:-}' (try: ops/backup.sh help)" ;;
esac
