#!/usr/bin/env bash
# The pre-commit hook's entry: installs ropa once beside this script (the release binary, or a
# build when there is none), then runs `ropa pre-commit` with the hook's arguments and files.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ropa="$here/.ropa/bin/ropa"
if [ ! -x "$ropa" ] && [ ! -x "$ropa.exe" ]; then
  "$here/scripts/install.sh" "$here/.ropa" >&2
fi
[ -x "$ropa" ] || ropa="$ropa.exe"
exec "$ropa" pre-commit "$@"
