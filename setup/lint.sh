#!/usr/bin/env bash
# `make lint`: every pre-commit hook on the whole tree. The hooks' tools are
# installed by pre-commit from PyPI into its own cache on the first run.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
VENV=$(bash "$REPO_ROOT/setup/bootstrap.sh")
cd "$REPO_ROOT"
exec "$VENV/bin/pre-commit" run --all-files --show-diff-on-failure "$@"
