#!/usr/bin/env bash
# Installs ropa into DIR (DIR/bin/ropa): the release binary for this machine when this tree's
# SHA256SUMS names it, checked against that sum; else built from this source tree with cargo.
#
#   scripts/install.sh DIR
#
# The sums come from this tree, not from the release: a release's files can be replaced, the
# commit that pins this tree cannot. A download that does not match is a hard failure
# (nothing is installed, nothing is built instead). A binary already in DIR is checked against
# SHA256SUMS too and replaced when it differs (a cache can be written by others).
#
# The version is this tree's (Cargo.toml). Releases are looked up at ROPA_RELEASES (default:
# the GitHub releases of the repository this tree was cloned from, or ROPA_REPOSITORY=owner/name;
# https or, for tests, file URLs only). ROPA_BUILD=1 skips the download; ROPA_BUILD=0 never
# builds (no binary: exit 1).
set -euo pipefail

dir=${1:?usage: install.sh DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$here/Cargo.toml" | head -n 1)
sums="$here/SHA256SUMS"
mkdir -p "$dir/bin"

target=""
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) target=x86_64-unknown-linux-musl ;;
  Linux-aarch64 | Linux-arm64) target=aarch64-unknown-linux-musl ;;
  Darwin-arm64) target=aarch64-apple-darwin ;;
  Darwin-x86_64) target=x86_64-apple-darwin ;;
  MINGW*-x86_64 | MSYS*-x86_64 | CYGWIN*-x86_64) target=x86_64-pc-windows-msvc ;;
esac
binary=ropa
[ "$target" != x86_64-pc-windows-msvc ] || binary=ropa.exe
archive="ropa-$version-$target.tar.gz"

# The SHA-256 SHA256SUMS gives NAME, or nothing.
sum_of() {
  [ -f "$sums" ] || return 0
  awk -v name="$1" '$2 == name || $2 == "*" name { print $1; exit }' "$sums"
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  else
    shasum -a 256 "$1" | cut -d ' ' -f 1
  fi
}

want_archive=""
want_binary=""
if [ -n "$target" ]; then
  want_archive=$(sum_of "$archive")
  want_binary=$(sum_of "ropa-$version-$target/$binary")
fi

# A binary already there (a restored cache): kept only when it is the one the sums name.
if [ -x "$dir/bin/$binary" ] && [ -n "$want_binary" ]; then
  if [ "$(sha256 "$dir/bin/$binary")" = "$want_binary" ]; then
    echo "ropa $version: the installed binary matches SHA256SUMS" >&2
    exit 0
  fi
  echo "ropa $version: the installed binary does not match SHA256SUMS; installing it again" >&2
  rm -f "$dir/bin/$binary"
fi

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

if [ "${ROPA_BUILD:-}" != 1 ] && [ -n "$want_archive" ] && [ -n "$releases" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  if ! curl -fsSL --proto '=https,file' --retry 3 -o "$tmp/$archive" "$releases/v$version/$archive"; then
    echo "ropa $version: cannot download $archive from $releases" >&2
    exit 1
  fi
  got=$(sha256 "$tmp/$archive")
  if [ "$got" != "$want_archive" ]; then
    echo "ropa $version: $archive does not match the SHA-256 in this tree's SHA256SUMS ($got, expected $want_archive); nothing installed" >&2
    exit 1
  fi
  tar -xzf "$tmp/$archive" -C "$tmp"
  if [ -n "$want_binary" ] && [ "$(sha256 "$tmp/ropa-$version-$target/$binary")" != "$want_binary" ]; then
    echo "ropa $version: the binary in $archive does not match SHA256SUMS; nothing installed" >&2
    exit 1
  fi
  install -m 0755 "$tmp/ropa-$version-$target/$binary" "$dir/bin/$binary"
  echo "ropa $version: installed the release binary for $target (SHA-256 as this tree's SHA256SUMS)" >&2
  exit 0
fi

if [ -x "$dir/bin/$binary" ]; then
  # Built before from this same tree (no release names a sum for it).
  echo "ropa $version: already built from this tree" >&2
  exit 0
fi
if [ "${ROPA_BUILD:-}" = 0 ]; then
  echo "ropa $version: this tree's SHA256SUMS names no release binary for ${target:-this machine}, and ROPA_BUILD=0" >&2
  exit 1
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "ropa $version: no release binary for ${target:-this machine} in this tree's SHA256SUMS, and cargo is not installed to build one: install Rust (https://rustup.rs), or use a release of ropa" >&2
  exit 1
fi
echo "ropa $version: no release binary for ${target:-this machine} in this tree's SHA256SUMS; building from source with cargo" >&2
cargo install --locked --quiet --root "$dir" --path "$here"
