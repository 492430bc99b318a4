#!/usr/bin/env bash
# Installs what truyenthanh needs on a fresh Debian/Ubuntu machine: system packages (when missing) and a
# virtual environment in .venv with the project and its development tools. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(ffmpeg espeak-ng pulseaudio pulseaudio-utils libpulse0 libportaudio2 libasound2-plugins sox tmux icecast2 mosquitto)
# Reports: LibreOffice renders the DOCX/XLSX to PDF in the tests, Liberation and DejaVu are the fonts the
# documents and charts use (metric-compatible with Times New Roman and Arial), poppler reads the PDFs back.
APT_PACKAGES+=(libreoffice-writer-nogui libreoffice-calc-nogui fonts-liberation fonts-dejavu-core poppler-utils)
# `truyenthanh serve` is tested in a real headless browser (tests/web), driven through Selenium.
APT_PACKAGES+=(chromium chromium-driver)
# The hub's store (issue 19): the tests start a private PostgreSQL server with initdb and pg_ctl.
APT_PACKAGES+=(postgresql)
# install.sh is tested as a real systemd service: systemd-nspawn boots this machine's root in a throw-away
# container (tests/integration/test_install_systemd.py).
APT_PACKAGES+=(systemd-container)

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Đang cài các gói hệ thống còn thiếu: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  # icecast2 asks a debconf question at install; the answers are set by the tests that start it.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for candidate in python3 python3.13 python3.12 python3.11; do
    if command -v "$candidate" >/dev/null && "$candidate" -c "import sys; sys.exit(sys.version_info < (3, 11))" 2>/dev/null; then
      PYTHON="$candidate"
      break
    fi
  done
fi
[ -n "$PYTHON" ] || { echo "Cần Python 3.11 trở lên." >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e ".[dev,bench]"
