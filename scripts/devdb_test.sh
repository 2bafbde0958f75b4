#!/usr/bin/env bash
# devdb_test.sh — exercises scripts/devdb.sh for real: DATABASE_URL (a), the
# server on 127.0.0.1:5432 (b), a private cluster (c) and the no-PostgreSQL
# failure (d). Cases whose prerequisites are missing are skipped. The private
# cluster lives in a temporary directory, so a developer's .devdata is left
# alone. Exits non-zero when a case fails.
set -euo pipefail

DEVDB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/devdb.sh
TMP=$(mktemp -d)
chmod 755 "$TMP" # the cluster's user (postgres when we are root) must reach it
export DEVDB_DIR=$TMP/devdata
export DEVDB_PORT_START=54429
unset DATABASE_URL DEVDB_SKIP_LOCAL DEVDB_PG_BINDIR_GLOB

passed=0
failed=0
skipped=0
ok() {
	printf 'ok   %s\n' "$1"
	passed=$((passed + 1))
}
fail() {
	printf 'FAIL %s\n' "$1"
	sed 's/^/     | /' "$TMP/err" 2>/dev/null || true
	failed=$((failed + 1))
}
skip() {
	printf 'skip %s\n' "$1"
	skipped=$((skipped + 1))
}

cleanup() {
	"$DEVDB" --stop >/dev/null 2>&1 || true
	rm -rf "$TMP"
}
trap cleanup EXIT

# run ARGS... runs devdb.sh, leaving stdout in $out, stderr in $TMP/err and
# the exit status in $rc.
run() {
	rc=0
	out=$("$@" 2>"$TMP/err") || rc=$?
}

# one_url checks that $out is exactly one postgres:// line.
one_url() {
	[[ $rc == 0 && $out == postgres://* && $(printf '%s\n' "$out" | wc -l) == 1 ]]
}

connects() {
	[[ $(psql -X -At -c 'select 1' "$1" 2>>"$TMP/err") == 1 ]]
}

# --- a. DATABASE_URL is printed as-is, even when nothing answers there.
run env DATABASE_URL='postgres://nobody@127.0.0.1:1/nowhere?sslmode=disable' "$DEVDB"
if [[ $rc == 0 && $out == 'postgres://nobody@127.0.0.1:1/nowhere?sslmode=disable' ]]; then
	ok "a: DATABASE_URL is used as-is"
else
	fail "a: DATABASE_URL is used as-is (rc=$rc out=$out)"
fi

# --- b. the server on 127.0.0.1:5432
if command -v psql >/dev/null 2>&1 &&
	psql -X -w -At -h 127.0.0.1 -p 5432 -U postgres -d postgres -c 'select 1' >/dev/null 2>&1; then
	run "$DEVDB" devdb_selftest_b
	if one_url && [[ $out == 'postgres://postgres@127.0.0.1:5432/devdb_selftest_b?sslmode=disable' ]] && connects "$out"; then
		ok "b: server on 127.0.0.1:5432 used, database created"
	else
		fail "b: server on 127.0.0.1:5432 (rc=$rc out=$out)"
	fi
	psql -X -q -h 127.0.0.1 -p 5432 -U postgres -d postgres \
		-c 'DROP DATABASE IF EXISTS devdb_selftest_b' >/dev/null 2>&1 || true
else
	skip "b: no server on 127.0.0.1:5432 that lets user postgres in"
fi

# --- c. private cluster
have_bins=""
if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
	have_bins=1
fi
for d in /usr/lib/postgresql/*/bin; do
	[[ -x $d/initdb ]] && have_bins=1
done
if [[ -n $have_bins ]]; then
	# Two at once: the flock must serialise them onto one cluster.
	DEVDB_SKIP_LOCAL=1 "$DEVDB" devdb_c1 >"$TMP/c1" 2>"$TMP/c1.err" &
	pid1=$!
	DEVDB_SKIP_LOCAL=1 "$DEVDB" devdb_c2 >"$TMP/c2" 2>"$TMP/c2.err" &
	pid2=$!
	rc1=0 rc2=0
	wait "$pid1" || rc1=$?
	wait "$pid2" || rc2=$?
	url1=$(<"$TMP/c1")
	url2=$(<"$TMP/c2")
	cat "$TMP/c1.err" "$TMP/c2.err" >"$TMP/err"
	port=$(<"$DEVDB_DIR/pg.port")
	if [[ $rc1 == 0 && $rc2 == 0 && $port != 5432 &&
		$url1 == "postgres://postgres@127.0.0.1:$port/devdb_c1?sslmode=disable" &&
		$url2 == "postgres://postgres@127.0.0.1:$port/devdb_c2?sslmode=disable" ]] &&
		connects "$url1" && connects "$url2"; then
		ok "c: two concurrent runs share one private cluster on port $port"
	else
		fail "c: concurrent start (rc=$rc1/$rc2 urls=$url1 $url2)"
	fi

	run env DEVDB_SKIP_LOCAL=1 "$DEVDB" devdb_c1
	if one_url && [[ $out == "$url1" ]] && grep -q reusing "$TMP/err" && connects "$out"; then
		ok "c: a second run reuses the running cluster"
	else
		fail "c: reuse (rc=$rc out=$out)"
	fi

	run "$DEVDB" --stop
	if [[ $rc == 0 && -z $out ]] && ! connects "$url1" 2>/dev/null; then
		ok "c: --stop stops the cluster"
	else
		fail "c: --stop (rc=$rc out=$out)"
	fi

	run env DEVDB_SKIP_LOCAL=1 "$DEVDB" devdb_c1
	if one_url && [[ $out == "$url1" ]] && connects "$out"; then
		ok "c: a stopped cluster starts again on the same port"
	else
		fail "c: restart (rc=$rc out=$out)"
	fi
	"$DEVDB" --stop >/dev/null 2>&1 || true
else
	skip "c: no initdb/pg_ctl on PATH or under /usr/lib/postgresql"
fi

# --- d. nothing available: PATH without server binaries, glob pointing nowhere.
clean_path=""
IFS=: read -r -a path_dirs <<<"$PATH"
for d in "${path_dirs[@]}"; do
	[[ -x $d/initdb || -x $d/pg_ctl ]] && continue
	clean_path=${clean_path:+$clean_path:}$d
done
rm -rf "$DEVDB_DIR"
run env PATH="$clean_path" DEVDB_SKIP_LOCAL=1 DEVDB_PG_BINDIR_GLOB="$TMP/none/*/bin" "$DEVDB"
if [[ $rc == 1 && -z $out ]] && grep -q DATABASE_URL "$TMP/err" &&
	grep -q 'apt-get install postgresql' "$TMP/err" && grep -q 'docker compose up -d db' "$TMP/err"; then
	ok "d: no PostgreSQL: exit 1 with advice on stderr"
else
	fail "d: no PostgreSQL (rc=$rc out=$out)"
fi

printf '%d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
[[ $failed == 0 ]]
