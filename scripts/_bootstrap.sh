#!/usr/bin/env bash
# Shared set-up for scripts/run and scripts/test: Debian packages (only when
# missing), the virtualenv (rebuilt only when requirements.txt changes).
# Source it; it defines functions and sets ROOT and PY.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="$ROOT/.venv/bin/python"
export UV_SYSTEM_CERTS=1
export PIP_DISABLE_PIP_VERSION_CHECK=1

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

is_root() { [ "$(id -u)" = "0" ]; }

# apt_ensure PKG... — installs the packages that are not installed yet.
# Returns 1 (without failing the script) when they are missing and we are not root.
apt_ensure() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    if [ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null)" != "installed" ]; then
      missing+=("$pkg")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! is_root; then
    log "missing Debian packages (need root to install): ${missing[*]}"
    return 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    log "apt-get not found; please install: ${missing[*]}"
    return 1
  fi
  log "installing Debian packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_base_packages() {
  apt_ensure python3 python3-venv ca-certificates gettext || {
    command -v python3 >/dev/null || { log "python3 is required"; exit 1; }
  }
}

# What WeasyPrint needs to lay out the PDF exports, and fonts for Arabic and Cyrillic names.
PDF_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libfontconfig1 fonts-dejavu-core fonts-noto-core)
ensure_pdf_packages() { apt_ensure "${PDF_PACKAGES[@]}"; }

ensure_venv() {
  local stamp="$ROOT/.venv/.requirements.sha256"
  local want
  want="$(sha256sum "$ROOT/requirements.txt" | cut -d' ' -f1)"
  if [ -x "$PY" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  log "creating the Python environment in .venv (once per requirements.txt)"
  local base_python=/usr/bin/python3
  [ -x "$base_python" ] || base_python="$(command -v python3)"
  [ -x "$PY" ] || "$base_python" -m venv "$ROOT/.venv"
  "$PY" -m pip install -q uv==0.13.9 2>/dev/null
  "$ROOT/.venv/bin/uv" pip install -q --python "$PY" -r "$ROOT/requirements.txt"
  echo "$want" > "$stamp"
}

compile_messages() {
  # Compiled catalogues are build output (not committed); rebuild when a .po is newer.
  local po mo need=0
  for po in "$ROOT"/locale/*/LC_MESSAGES/django.po; do
    [ -f "$po" ] || continue
    mo="${po%.po}.mo"
    if [ ! -f "$mo" ] || [ "$po" -nt "$mo" ]; then need=1; fi
  done
  if [ "$need" = 1 ]; then
    if command -v msgfmt >/dev/null 2>&1; then
      (cd "$ROOT" && "$PY" manage.py compilemessages -v 0 --ignore=.venv)
    else
      log "gettext (msgfmt) missing: pages will be shown in English only"
    fi
  fi
}
