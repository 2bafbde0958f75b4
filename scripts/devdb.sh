#!/usr/bin/env bash
# devdb.sh — find or start a PostgreSQL server for development and tests.
#
#   scripts/devdb.sh [dbname]   print a postgres:// URL for dbname (default
#                               botbridge_dev), creating the database if missing
#   scripts/devdb.sh --stop     stop the private cluster under .devdata/pg
#
# Exactly one line goes to stdout (the URL); every diagnostic goes to stderr,
# so callers can write  DATABASE_URL=$(scripts/devdb.sh)  safely.
#
# The server is chosen in this order:
#   a. $DATABASE_URL, used as-is (the database is created if missing and the
#      server allows it);
#   b. a server on 127.0.0.1:5432 that lets user postgres in without a password;
#   c. a private cluster in .devdata/pg run with the PostgreSQL binaries found
#      on PATH or under /usr/lib/postgresql/*/bin (highest version), on a free
#      port from 54329 up, listening on 127.0.0.1 only, trust auth, user
#      postgres. Run as root, the cluster belongs to the `postgres` system user
#      (or a `botbridge-pg` user created for it), since initdb refuses root;
#   d. otherwise exit 1 with advice.
#
# Overrides meant for tests (not for everyday use):
#   DEVDB_SKIP_LOCAL=1       skip step b
#   DEVDB_PG_BINDIR_GLOB     glob for PostgreSQL bin dirs (default
#                            /usr/lib/postgresql/*/bin)
#   DEVDB_DIR                state directory (default <repo>/.devdata)
#   DEVDB_PORT_START         first port tried for the private cluster (54329)
set -euo pipefail

readonly DEFAULT_DB=botbridge_dev
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly ROOT
DIR=${DEVDB_DIR:-$ROOT/.devdata}
readonly DIR
readonly PGDIR=$DIR/pg
readonly PORTFILE=$DIR/pg.port
readonly LOGFILE=$DIR/pg.log
readonly SOCKDIR=$DIR/run
readonly LOCKFILE=$DIR/lock
readonly BINDIR_GLOB=${DEVDB_PG_BINDIR_GLOB:-/usr/lib/postgresql/*/bin}
readonly PORT_START=${DEVDB_PORT_START:-54329}
export PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-5}

log() { printf 'devdb: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

usage() {
	sed -n '2,9s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
}

# ---------------------------------------------------------------------------
# Helpers for psql and databases.

PSQL=""
# find_psql sets PSQL to a psql binary, preferring the one beside $1 (a bin dir).
find_psql() {
	if [[ -n "${1:-}" && -x "$1/psql" ]]; then
		PSQL=$1/psql
	elif command -v psql >/dev/null 2>&1; then
		PSQL=$(command -v psql)
	else
		PSQL=""
	fi
}

# db_exists CONN... prints 1 when $DBNAME exists on the server CONN points to.
db_exists() {
	"$PSQL" -X -At -v ON_ERROR_STOP=1 -v db="$DBNAME" "$@" <<'SQL'
SELECT 1 FROM pg_database WHERE datname = :'db';
SQL
}

# ensure_db CONN... creates $DBNAME through the maintenance connection CONN
# unless it exists. A concurrent creator winning the race is not an error.
ensure_db() {
	local out
	if [[ "$(db_exists "$@")" == 1 ]]; then
		return 0
	fi
	if out=$("$PSQL" -X -q -v ON_ERROR_STOP=1 -v db="$DBNAME" "$@" 2>&1 <<'SQL'
CREATE DATABASE :"db";
SQL
	); then
		log "created database $DBNAME"
		return 0
	fi
	if [[ "$(db_exists "$@" 2>/dev/null)" == 1 ]]; then
		return 0
	fi
	printf '%s\n' "$out" >&2
	return 1
}

# ---------------------------------------------------------------------------
# a. DATABASE_URL

# maintenance_url URL prints URL with its database replaced by "postgres", or
# fails when URL is not a postgres:// URL naming a plain database.
maintenance_url() {
	local url=$1 scheme rest authority path query=""
	case $url in
	postgres://* | postgresql://*) ;;
	*) return 1 ;;
	esac
	scheme=${url%%://*}
	rest=${url#*://}
	if [[ $rest == *\?* ]]; then
		query="?${rest#*\?}"
		rest=${rest%%\?*}
	fi
	[[ $rest == */* ]] || return 1
	authority=${rest%%/*}
	path=${rest#*/}
	[[ -n $path && $path != */* && $path != *%* ]] || return 1
	printf '%s://%s/postgres%s\n' "$scheme" "$authority" "$query"
}

url_dbname() {
	local rest=${1#*://}
	rest=${rest%%\?*}
	printf '%s\n' "${rest#*/}"
}

use_database_url() {
	local url=$DATABASE_URL maint
	if [[ -n $DBNAME_ARG ]]; then
		log "DATABASE_URL is set: using it as-is, not database $DBNAME_ARG"
	fi
	find_psql "$(first_bindir || true)"
	if [[ -z $PSQL ]]; then
		log "using DATABASE_URL as-is (psql not found, not checked)"
	elif "$PSQL" -X -w -At -c 'select 1' "$url" >/dev/null 2>&1; then
		log "using DATABASE_URL"
	elif maint=$(maintenance_url "$url") &&
		"$PSQL" -X -w -At -c 'select 1' "$maint" >/dev/null 2>&1; then
		DBNAME=$(url_dbname "$url")
		if ensure_db -w "$maint"; then
			log "using DATABASE_URL"
		else
			log "warning: could not create database $DBNAME named in DATABASE_URL"
		fi
	else
		log "warning: cannot connect with DATABASE_URL; printing it anyway"
	fi
	printf '%s\n' "$url"
}

# ---------------------------------------------------------------------------
# b. the machine's own server on 127.0.0.1:5432

try_system_server() {
	find_psql "$(first_bindir || true)"
	[[ -n $PSQL ]] || return 1
	local isready
	isready=$(command -v pg_isready 2>/dev/null) || isready=$(dirname "$PSQL")/pg_isready
	if [[ -x $isready ]]; then
		"$isready" -q -h 127.0.0.1 -p 5432 -t 3 || return 1
	fi
	"$PSQL" -X -w -At -h 127.0.0.1 -p 5432 -U postgres -d postgres \
		-c 'select 1' >/dev/null 2>&1 || return 1
	ensure_db -w -h 127.0.0.1 -p 5432 -U postgres -d postgres || return 1
	log "using the server on 127.0.0.1:5432"
	printf 'postgres://postgres@127.0.0.1:5432/%s?sslmode=disable\n' "$DBNAME"
}

# ---------------------------------------------------------------------------
# c. a private cluster in .devdata/pg

# pg_major BINDIR prints the major version of the server binaries in BINDIR.
pg_major() {
	"$1/pg_ctl" --version 2>/dev/null | sed -n 's/.*(PostgreSQL) \([0-9]*\).*/\1/p'
}

# bindirs prints candidate bin dirs holding initdb and pg_ctl, best first:
# the ones on PATH, then the glob's, highest version first.
bindirs() {
	local initdb pg_ctl d
	if initdb=$(command -v initdb 2>/dev/null) && pg_ctl=$(command -v pg_ctl 2>/dev/null); then
		if [[ $(dirname "$initdb") == "$(dirname "$pg_ctl")" ]]; then
			dirname "$pg_ctl"
		fi
	fi
	# shellcheck disable=SC2086 # the glob must expand
	for d in $BINDIR_GLOB; do
		if [[ -x $d/initdb && -x $d/pg_ctl ]]; then
			printf '%s\n' "$d"
		fi
	done | sort -V -r
}

first_bindir() {
	local d
	d=$(bindirs | head -n 1)
	[[ -n $d ]] && printf '%s\n' "$d"
}

# cluster_bindir prints the bin dir to run the existing cluster with (same
# major version), or the best one for a new cluster. It returns 1 when there
# are no binaries at all and 2 when none match the existing cluster.
cluster_bindir() {
	local want="" d
	if [[ -f $PGDIR/PG_VERSION ]]; then
		want=$(<"$PGDIR/PG_VERSION")
	fi
	while IFS= read -r d; do
		if [[ -z $want || $(pg_major "$d") == "$want" ]]; then
			printf '%s\n' "$d"
			return 0
		fi
	done < <(bindirs)
	if [[ -n $want ]]; then
		log "the cluster in $PGDIR is PostgreSQL $want but no matching binaries were found; remove $PGDIR (its data is lost) to start afresh"
		return 2
	fi
	return 1
}

PGUSER_RUN="" # the system user the cluster runs as when we are root

# pick_run_user sets PGUSER_RUN when running as root, creating a system user
# if needed: PostgreSQL refuses to run as root.
pick_run_user() {
	[[ $(id -u) == 0 ]] || return 0
	if [[ -d $PGDIR ]]; then
		PGUSER_RUN=$(stat -c %U "$PGDIR")
		[[ $PGUSER_RUN != root ]] || die "$PGDIR belongs to root; remove it and run again"
		return 0
	fi
	if id -u postgres >/dev/null 2>&1; then
		PGUSER_RUN=postgres
	else
		PGUSER_RUN=botbridge-pg
		if ! id -u "$PGUSER_RUN" >/dev/null 2>&1; then
			log "creating system user $PGUSER_RUN to run PostgreSQL (it refuses to run as root)"
			useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$PGUSER_RUN" >&2 ||
				die "could not create system user $PGUSER_RUN"
		fi
	fi
}

# as_pg CMD... runs CMD as the cluster's user (ourselves unless root).
as_pg() {
	if [[ -z $PGUSER_RUN ]]; then
		"$@"
	elif command -v runuser >/dev/null 2>&1; then
		runuser -u "$PGUSER_RUN" -- "$@"
	else
		su -s /bin/sh "$PGUSER_RUN" -c "$(printf '%q ' "$@")"
	fi
}

give_to_pg() {
	if [[ -n $PGUSER_RUN ]]; then
		chown -R "$PGUSER_RUN:" "$@"
	fi
}

port_busy() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
	local p
	for ((p = PORT_START; p < PORT_START + 100; p++)); do
		if ! port_busy "$p"; then
			printf '%s\n' "$p"
			return 0
		fi
	done
	die "no free TCP port in $PORT_START-$((PORT_START + 99))"
}

lock() {
	mkdir -p "$DIR"
	exec 9>"$LOCKFILE"
	flock -w 120 9 || die "timed out waiting for $LOCKFILE"
}

cluster_running() {
	[[ -f $PGDIR/PG_VERSION ]] && as_pg "$BINDIR/pg_ctl" -D "$PGDIR" status >/dev/null 2>&1 9>&-
}

init_cluster() {
	local tmp=$DIR/pg.tmp out
	rm -rf "$tmp"
	mkdir -m 700 "$tmp"
	give_to_pg "$tmp"
	log "creating a private PostgreSQL $(pg_major "$BINDIR") cluster in $PGDIR"
	# --no-sync: a crash during initdb only costs rerunning it (pg.tmp is redone).
	if ! out=$(cd "$DIR" && as_pg "$BINDIR/initdb" -D "$tmp" -A trust -U postgres \
		--encoding=UTF8 --locale=C --no-sync 2>&1 9>&-); then
		printf '%s\n' "$out" >&2
		die "initdb failed"
	fi
	printf "\ninclude_if_exists = 'devdb.conf'\t# written by scripts/devdb.sh\n" >>"$tmp/postgresql.conf"
	mv "$tmp" "$PGDIR"
}

# write_conf PORT writes the settings devdb.sh controls; rewritten at each
# start so a moved checkout or a new port just works.
write_conf() {
	local sock=$SOCKDIR
	mkdir -p "$SOCKDIR"
	give_to_pg "$SOCKDIR"
	# A Unix socket path is limited to ~107 bytes; we connect over TCP anyway.
	if ((${#sock} > 90)); then
		sock=""
	fi
	cat >"$PGDIR/devdb.conf" <<EOF
# Written by scripts/devdb.sh at each start; edits here are overwritten.
listen_addresses = '127.0.0.1'
port = $1
unix_socket_directories = '${sock//\'/\'\'}'
max_connections = 200
# A throwaway development cluster: trade crash safety for speed.
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
	give_to_pg "$PGDIR/devdb.conf"
}

start_private_cluster() {
	local port rc=0
	BINDIR=$(cluster_bindir) || rc=$?
	case $rc in
	0) ;;
	1) no_postgres ;;
	*) exit 1 ;;
	esac
	lock
	pick_run_user
	if [[ -n $PGUSER_RUN ]] && ! as_pg test -x "$DIR" 2>/dev/null; then
		die "user $PGUSER_RUN cannot reach $DIR; use a checkout in a directory others may traverse, or set DATABASE_URL"
	fi
	find_psql "$BINDIR"
	[[ -n $PSQL ]] || die "psql not found (install postgresql-client)"

	if [[ -d $PGDIR && ! -f $PGDIR/PG_VERSION ]]; then
		die "$PGDIR exists but is not a PostgreSQL cluster; remove it and run again"
	fi
	[[ -d $PGDIR ]] || init_cluster

	if cluster_running; then
		port=$(sed -n 4p "$PGDIR/postmaster.pid")
		log "reusing the private cluster on 127.0.0.1:$port"
	else
		port=""
		if [[ -f $PORTFILE ]]; then
			port=$(<"$PORTFILE")
		fi
		if [[ ! $port =~ ^[0-9]+$ ]] || port_busy "$port"; then
			port=$(free_port)
		fi
		write_conf "$port"
		touch "$LOGFILE"
		give_to_pg "$LOGFILE"
		log "starting the private cluster on 127.0.0.1:$port (log: $LOGFILE)"
		# fd 9 (the lock) must not leak into the server, or it would hold the lock forever.
		if ! (cd "$DIR" && as_pg "$BINDIR/pg_ctl" -D "$PGDIR" -l "$LOGFILE" -w -t 60 start) >&2 9>&-; then
			tail -n 20 "$LOGFILE" >&2 || true
			die "the private cluster did not start"
		fi
	fi
	printf '%s\n' "$port" >"$PORTFILE"
	ensure_db -h 127.0.0.1 -p "$port" -U postgres -d postgres ||
		die "could not create database $DBNAME on 127.0.0.1:$port"
	printf 'postgres://postgres@127.0.0.1:%s/%s?sslmode=disable\n' "$port" "$DBNAME"
}

stop_private_cluster() {
	if [[ ! -f $PGDIR/PG_VERSION ]]; then
		log "no private cluster in $PGDIR"
		return 0
	fi
	BINDIR=$(cluster_bindir) || die "no PostgreSQL binaries found to stop the cluster in $PGDIR"
	lock
	pick_run_user
	if cluster_running; then
		(cd "$DIR" && as_pg "$BINDIR/pg_ctl" -D "$PGDIR" -m fast -w stop) >&2 9>&- ||
			die "could not stop the private cluster"
	else
		log "the private cluster is not running"
	fi
}

# ---------------------------------------------------------------------------
# d. nothing found

no_postgres() {
	cat >&2 <<'EOF'
devdb: no PostgreSQL server found. Provide one of:
  - an existing server:   export DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/DBNAME?sslmode=disable
  - a local install:      sudo apt-get install postgresql
                          (then run this script again: it uses the server on
                          127.0.0.1:5432 if user postgres may log in without a
                          password, or starts a private cluster in .devdata/)
  - Docker:               docker compose up -d db
                          export DATABASE_URL=postgres://botbridge:botbridge@127.0.0.1:5432/botbridge?sslmode=disable
EOF
	exit 1
}

# ---------------------------------------------------------------------------

main() {
	case ${1:-} in
	-h | --help)
		usage
		exit 0
		;;
	--stop)
		stop_private_cluster
		exit 0
		;;
	-*) die "unknown option $1 (try --help)" ;;
	esac
	DBNAME_ARG=${1:-}
	DBNAME=${1:-$DEFAULT_DB}
	if [[ ! $DBNAME =~ ^[A-Za-z_][A-Za-z0-9_]{0,62}$ ]]; then
		die "database name must match [A-Za-z_][A-Za-z0-9_]* (at most 63 characters): $DBNAME"
	fi

	if [[ -n ${DATABASE_URL:-} ]]; then
		use_database_url
		return 0
	fi
	if [[ ${DEVDB_SKIP_LOCAL:-} != 1 ]] && try_system_server; then
		return 0
	fi
	# Not called as an if condition, so that set -e stays in force inside.
	# It calls no_postgres itself when there are no PostgreSQL binaries.
	start_private_cluster
}

DBNAME=""
DBNAME_ARG=""
BINDIR=""
main "$@"
