#!/usr/bin/env bash
# Installs ropa into DIR (DIR/bin/ropa): the release binary for this machine when there is
# one, checked against its published SHA-256, else built from this source tree with cargo.
#
#   scripts/install.sh DIR
#
# The version is this tree's (Cargo.toml). Releases are looked up at ROPA_RELEASES (default:
# the GitHub releases of the repository this tree was cloned from, or ROPA_REPOSITORY=owner/name).
# ROPA_BUILD=1 skips the download; ROPA_BUILD=0 never builds (no binary: exit 1).
set -euo pipefail

dir=${1:?usage: install.sh DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$here/Cargo.toml" | head -n 1)
mkdir -p "$dir/bin"

target=""
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) target=x86_64-unknown-linux-musl ;;
  Linux-aarch64 | Linux-arm64) target=aarch64-unknown-linux-musl ;;
  Darwin-arm64) target=aarch64-apple-darwin ;;
  Darwin-x86_64) target=x86_64-apple-darwin ;;
  MINGW*-x86_64 | MSYS*-x86_64 | CYGWIN*-x86_64) target=x86_64-pc-windows-msvc ;;
esac

releases=${ROPA_RELEASES:-}
if [ -z "$releases" ]; then
  repository=${ROPA_REPOSITORY:-}
  if [ -z "$repository" ]; then
    origin=$(git -C "$here" remote get-url origin 2>/dev/null || true)
    case "$origin" in
      https://github.com/*) repository=${origin#https://github.com/} ;;
      git@github.com:*) repository=${origin#git@github.com:} ;;
    esac
    repository=${repository%.git}
  fi
  if [ -n "$repository" ]; then
    releases="https://github.com/$repository/releases/download"
  fi
fi

download() {
  [ "${ROPA_BUILD:-}" != 1 ] || return 1
  [ -n "$target" ] && [ -n "$releases" ] || return 1
  command -v curl >/dev/null 2>&1 || return 1
  local archive="ropa-$version-$target.tar.gz"
  local tmp
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  curl -fsSL --retry 3 -o "$tmp/$archive" "$releases/v$version/$archive" || return 1
  curl -fsSL --retry 3 -o "$tmp/$archive.sha256" "$releases/v$version/$archive.sha256" || return 1
  local want got
  want=$(cut -d ' ' -f 1 "$tmp/$archive.sha256")
  if command -v sha256sum >/dev/null 2>&1; then
    got=$(sha256sum "$tmp/$archive" | cut -d ' ' -f 1)
  else
    got=$(shasum -a 256 "$tmp/$archive" | cut -d ' ' -f 1)
  fi
  if [ "$want" != "$got" ]; then
    echo "ropa: $archive does not match its published SHA-256; building instead" >&2
    return 1
  fi
  tar -xzf "$tmp/$archive" -C "$tmp"
  local binary=ropa
  [ "$target" != x86_64-pc-windows-msvc ] || binary=ropa.exe
  install -m 0755 "$tmp/ropa-$version-$target/$binary" "$dir/bin/$binary"
}

if download; then
  echo "ropa $version: installed the release binary for $target" >&2
elif [ "${ROPA_BUILD:-}" = 0 ]; then
  echo "ropa $version: no release binary for ${target:-this machine} at ${releases:-(no release location)}, and ROPA_BUILD=0" >&2
  exit 1
else
  echo "ropa $version: no release binary here; building from source with cargo" >&2
  cargo install --locked --quiet --root "$dir" --path "$here"
fi
