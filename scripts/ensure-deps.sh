#!/usr/bin/env bash
# Installs what `make run` / `make test` need and a fresh machine lacks; does nothing when present.
#   scripts/ensure-deps.sh npm <dir>   npm ci in <dir> when node_modules is missing or older than the lock
#   scripts/ensure-deps.sh browser     Debian's Chromium and a Chinese font (the browser suite)
#   scripts/ensure-deps.sh fonts       the CJK font the 评审表 PDF embeds (APP__DOCUMENTS__FONT_PATH)
#   scripts/ensure-deps.sh apt <pkg>…  Debian packages whose commands the tests call
#   scripts/ensure-deps.sh cargo-deny  cargo-deny from crates.io (the licence and duplicate check)
set -euo pipefail

apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "== installing $* (Debian packages)"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

case "${1:-}" in
  npm)
    dir=$2
    stamp="$dir/node_modules/.package-lock.json"
    if [ ! -f "$stamp" ] || [ "$dir/package-lock.json" -nt "$stamp" ]; then
      echo "== npm ci in $dir"
      (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
    fi
    ;;
  browser)
    missing=()
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)
    [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
    ;;
  fonts)
    [ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || apt_install fonts-wqy-microhei
    ;;
  apt)
    shift
    missing=()
    for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
    [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
    ;;
  cargo-deny)
    if ! command -v cargo-deny >/dev/null 2>&1; then
      echo "== installing cargo-deny (crates.io; a few minutes, once)"
      cargo install --locked cargo-deny
    fi
    ;;
  *)
    echo "usage: $0 npm <dir> | browser | fonts | apt <package>… | cargo-deny" >&2
    exit 2
    ;;
esac
