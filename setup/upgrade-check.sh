#!/usr/bin/env bash
# `make upgrade-check`: a database built by an earlier revision (BASE) upgrades
# to the working tree with `-u` and keeps its records and their key values.
#   1. BASE is exported to a temporary directory and its demo database built
#      the way `make demo STOP=1` builds it;
#   2. its own crons play the follow-up forward (setup/upgrade_play.py):
#      reminders planned, some sent;
#   3. a copy of that database is upgraded with the working tree's addons;
#   4. setup/upgrade_check.py snapshots both databases and compares them: it
#      fails on a record gone, a key value changed or a stored field gone,
#      unless setup/upgrade-allow.txt allows the difference.
# BASE defaults to the commit where HEAD forked from main (origin/main when it
# exists): the main this branch will merge into, without the commits it lacks.
# KEEP=1 keeps the databases, logs and snapshots; REUSE=1 (with KEEP=1) reuses
# the BASE database a KEEP=1 run left: only its copy is ever upgraded.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
VENV=$(bash "$REPO_ROOT/setup/bootstrap.sh")
UPGRADE_HTTP_PORT="${UPGRADE_HTTP_PORT:-8769}"
ALLOW_FILE="${ALLOW_FILE:-$REPO_ROOT/setup/upgrade-allow.txt}"

git=(git -C "$REPO_ROOT")
if [ -z "${BASE:-}" ]; then
    main_ref=main
    "${git[@]}" rev-parse -q --verify origin/main >/dev/null && main_ref=origin/main
    BASE=$("${git[@]}" merge-base HEAD "$main_ref") \
        || die "no common commit of HEAD and $main_ref: give BASE=<rev>"
fi
base_sha=$("${git[@]}" rev-parse -q --verify "$BASE^{commit}") || die "BASE=$BASE is not a commit"
# One pair of databases per worktree and BASE: runs from other worktrees never
# share a database, and REUSE=1 finds the one a KEEP=1 run of this one left.
worktree=$(basename "$REPO_ROOT" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9_\n' '_' | cut -c1-30)
BASE_DB="${UPGRADE_DB:-upg_${worktree}_${base_sha:0:10}}"
NEW_DB="${BASE_DB}_new"
[[ $BASE_DB == upg_* ]] || die "UPGRADE_DB must start with upg_ (the databases this check may drop)"

WORK=$(mktemp -d /tmp/upgrade-check.XXXXXX)
BASE_TREE="$WORK/base"
BASE_CONF="$WORK/base.conf"
NEW_CONF="$WORK/new.conf"
odoo_bin=("$VENV/bin/python" "$ODOO_SRC/odoo-bin")
base_args=(-c "$BASE_CONF" -d "$BASE_DB")

cleanup() {
    if [ -n "${KEEP:-}" ]; then
        log "kept: databases $BASE_DB (BASE) and $NEW_DB (upgraded), logs and snapshots in $WORK"
        return
    fi
    fresh_db "$NEW_DB"
    fresh_db "$BASE_DB"
    rm -rf "$WORK"
}
trap cleanup EXIT

timings=()
# timed LABEL COMMAND...: run COMMAND, remember how long it took for the summary.
# Never call it left of || or &&: bash would run COMMAND without errexit.
timed() {
    local label=$1 started=$SECONDS
    shift
    "$@"
    timings+=("$(printf '%-30s %5d s' "$label" $((SECONDS - started)))")
}

# The upgrade log must be clean: an ERROR logged while the modules load (a data
# record or a migration script that failed) is a broken upgrade even when Odoo
# carries on to the end.
check_log() {
    local file=$1 errors
    errors=$(grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$file" || true)
    [ -z "$errors" ] || die "upgrade check failed: errors in the log of $(basename "$file" .log):
$errors"
}

build_base() {
    log "exporting BASE ${base_sha:0:10} to $BASE_TREE"
    mkdir -p "$BASE_TREE"
    "${git[@]}" archive "$base_sha" | tar -x -C "$BASE_TREE"
    log "building the demo database $BASE_DB from BASE (a few minutes)"
    fresh_db "$BASE_DB"
    "${odoo_bin[@]}" "${base_args[@]}" -i "$ADDONS" --with-demo --stop-after-init \
        --log-level=warn 2>&1 | tee "$WORK/base-install.log" >&2 \
        || die "BASE's demo database could not be built (log above): not an upgrade problem"
    check_log "$WORK/base-install.log"
}

play_base() {
    log "playing the follow-up forward on $BASE_DB with BASE's crons"
    "${odoo_bin[@]}" shell "${base_args[@]}" --log-level=warn \
        < "$REPO_ROOT/setup/upgrade_play.py" 2>&1 | tee "$WORK/base-play.log" >&2 \
        || die "BASE's crons failed on its demo database (log above): not an upgrade problem"
    check_log "$WORK/base-play.log"
    # REUSE=1 trusts only a database whose build and play went to the end
    psql -q -d "$BASE_DB" -c "COMMENT ON DATABASE \"$BASE_DB\" IS 'upgrade-check: $base_sha played'"
}

copy_base() {
    log "copying $BASE_DB to $NEW_DB"
    fresh_db "$NEW_DB"
    createdb -T "$BASE_DB" "$NEW_DB"
    if [ -d "$CACHE_DIR/data/filestore/$BASE_DB" ]; then
        cp -a "$CACHE_DIR/data/filestore/$BASE_DB" "$CACHE_DIR/data/filestore/$NEW_DB"
    fi
}

upgrade_new() {
    log "upgrading $NEW_DB to the working tree: -u $ADDONS"
    "${odoo_bin[@]}" -c "$NEW_CONF" -d "$NEW_DB" -u "$ADDONS" --stop-after-init \
        --log-level=warn 2>&1 | tee "$WORK/upgrade.log" >&2 \
        || die "upgrade check failed: -u to the working tree stopped with an error (log above)"
    check_log "$WORK/upgrade.log"
}

# write_conf's addons path ends with $REPO_ROOT: BASE's points at the exported tree.
REPO_ROOT="$BASE_TREE" write_conf "$BASE_CONF" "$BASE_DB" "$UPGRADE_HTTP_PORT" "max_cron_threads = 0"
write_conf "$NEW_CONF" "$NEW_DB" "$UPGRADE_HTTP_PORT" "max_cron_threads = 0"

subject=$("${git[@]}" log -1 --format=%s "$base_sha" | cut -c1-60)
log "upgrade check: BASE ${base_sha:0:10} ($subject) -> working tree"
played=$(psql -d postgres -tAc \
    "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '$BASE_DB'")
if [ -n "${REUSE:-}" ] && [ "$played" = "upgrade-check: $base_sha played" ]; then
    log "reusing $BASE_DB, built and played by an earlier KEEP=1 run (REUSE=1)"
else
    timed "build the BASE demo database" build_base
    timed "play crons on BASE" play_base
fi
timed "copy the database" copy_base
timed "upgrade to the working tree" upgrade_new
started=$SECONDS rc=0
"$VENV/bin/python" "$REPO_ROOT/setup/upgrade_check.py" --allow "$ALLOW_FILE" --save "$WORK" \
    "$BASE_DB" "$NEW_DB" || rc=$?
timings+=("$(printf '%-30s %5d s' "snapshot and compare" $((SECONDS - started)))")
log "timings:"
printf '    %s\n' "${timings[@]}" >&2
[ "$rc" = 0 ] \
    || die "upgrade check failed: see the differences above (intended ones go in ${ALLOW_FILE#"$REPO_ROOT"/})"
log "upgrade check passed: BASE ${base_sha:0:10} upgrades to the working tree and keeps its records"
