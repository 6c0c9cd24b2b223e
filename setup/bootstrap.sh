#!/usr/bin/env bash
# Everything `make demo`, `make test` and `make bench` need, idempotent:
#   1. the Odoo 19.0 source at $ODOO_SRC (or a shallow clone when online),
#   2. a virtualenv outside the repository, rebuilt only when requirements change,
#   3. PostgreSQL running with a login role for the current user.
# Prints the virtualenv's path on stdout; everything else goes to stderr.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# Callers read stdout as the virtualenv's path, so nothing else may reach it:
# the tools run here (pg_ctlcluster's "Removed stale pid file.", psql, pip)
# print to stdout as they please. Their stdout goes to stderr; the path alone
# goes to the saved stdout (fd 3) at the end.
exec 3>&1 1>&2

ensure_odoo() {
    if [ -f "$ODOO_SRC/odoo/release.py" ] && [ -f "$ODOO_SRC/requirements.txt" ]; then
        grep -q "version_info = (19, 0" "$ODOO_SRC/odoo/release.py" \
            || die "$ODOO_SRC is not Odoo 19.0 (see odoo/release.py). Point ODOO_SRC at an Odoo 19.0 source tree."
        return
    fi
    if [ -n "${ODOO_CLONE:-}" ] || git ls-remote --exit-code https://github.com/odoo/odoo.git "refs/heads/$ODOO_BRANCH" >/dev/null 2>&1; then
        log "Odoo not found at $ODOO_SRC: shallow-cloning odoo/odoo $ODOO_BRANCH"
        git clone --depth 1 --branch "$ODOO_BRANCH" https://github.com/odoo/odoo.git "$ODOO_SRC"
        return
    fi
    die "Odoo 19.0 Community source not found at $ODOO_SRC and no network to clone it.
Provide it as a directory containing odoo-bin, requirements.txt and odoo/addons/ (an
official 19.0 checkout or nightly source archive), then run again, for example:
    ODOO_SRC=/path/to/odoo-19.0 make test"
}

ensure_venv() {
    # The venv is keyed on the Python version and on every requirement file, so a
    # change of requirements gives a fresh venv and an unchanged one is reused.
    local key venv
    key=$( { "$PYTHON" --version; cat "$ODOO_SRC/requirements.txt" "$REPO_ROOT/requirements.txt" \
        "$REPO_ROOT/test-requirements.txt"; } 2>&1 | sha1sum | cut -c1-12)
    venv="$CACHE_DIR/venv-$key"
    # A cached venv counts only if its interpreter still runs and sees Odoo and
    # pytest-odoo: a restored cache can keep the marker file but lose the
    # interpreter symlink, or the Python it points to. pytest-odoo is found, not
    # imported: importing it loads all of Odoo, a second and a half of every make.
    local VENV_CHECK="import importlib.util, odoo.release
assert importlib.util.find_spec('pytest_odoo')"
    if [ -f "$venv/.complete" ] && ! "$venv/bin/python" -c "$VENV_CHECK" >/dev/null 2>&1; then
        log "cached virtualenv $venv is broken: rebuilding it"
        rm -f "$venv/.complete"
    fi
    if [ ! -f "$venv/.complete" ]; then
        log "creating virtualenv $venv (about a minute)"
        rm -rf "$venv"
        mkdir -p "$CACHE_DIR"
        "$PYTHON" -m venv "$venv"
        "$venv/bin/pip" install -q --upgrade pip wheel "setuptools<81" >&2
        # python-ldap (auth_ldap only) needs libldap2-dev/libsasl2-dev to build;
        # the suite does not use LDAP, so it is left out.
        grep -viE '^\s*python-ldap' "$ODOO_SRC/requirements.txt" > "$venv/odoo-requirements.txt"
        "$venv/bin/pip" install -q -r "$venv/odoo-requirements.txt" >&2
        "$venv/bin/pip" install -q -r "$REPO_ROOT/requirements.txt" -r "$REPO_ROOT/test-requirements.txt" >&2
        # Odoo is used from its source tree, never installed into the venv.
        "$venv/bin/python" - "$ODOO_SRC" <<'PY'
import pathlib, site, sys
pathlib.Path(site.getsitepackages()[0], "odoo-src.pth").write_text(sys.argv[1] + "\n")
PY
        touch "$venv/.complete"
    fi
    ln -sfn "$venv" "$CACHE_DIR/venv"
    VENV=$venv
}

ensure_postgres() {
    if ! pg_isready -q 2>/dev/null; then
        if command -v pg_ctlcluster >/dev/null; then
            local version
            version=$(pg_lsclusters -h 2>/dev/null | awk 'NR==1{print $1}')
            [ -n "$version" ] || die "no PostgreSQL cluster found (pg_lsclusters is empty)"
            log "starting PostgreSQL $version"
            # 3>&-: the server must not hold the path pipe open (callers would wait forever).
            pg_ctlcluster "$version" main start 3>&-
        else
            die "PostgreSQL is not running and pg_ctlcluster is not available: start it yourself."
        fi
        for _ in $(seq 30); do pg_isready -q && break; sleep 1; done
        pg_isready -q || die "PostgreSQL did not start"
    fi
    local as_postgres=()
    [ "$(id -u)" = 0 ] && as_postgres=(runuser -u postgres --)
    if ! psql -d postgres -tAc 'select 1' >/dev/null 2>&1; then
        log "creating PostgreSQL role $DB_USER"
        "${as_postgres[@]}" psql -q -d postgres -c "CREATE ROLE \"$DB_USER\" LOGIN CREATEDB" \
            || die "could not create the PostgreSQL role $DB_USER"
    fi
}

ensure_odoo
ensure_venv
ensure_postgres
echo "$VENV" >&3
