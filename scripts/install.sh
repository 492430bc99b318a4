#!/usr/bin/env bash
# Installs truyenthanh on a station or cluster box (Debian, Ubuntu, Raspberry Pi OS): the run-time system
# packages only (no test tools), the package in its own virtual environment without the dev extra, a system
# user and group "truyenthanh", the station folder, and the daemon as a systemd service started at boot.
# The test setup is scripts/setup.sh, not this.
#
#   sudo bash scripts/install.sh [--prefix /opt/truyenthanh] [--data-dir /var/lib/truyenthanh]
#                                [--user truyenthanh] [--unit-dir /etc/systemd/system]
#                                [--no-start] [--no-system-packages] [--source DIR|PIP-SPEC]
#
# --no-start writes everything but does not enable or start the service (an image being built, a container
# without systemd as PID 1); --no-system-packages skips apt. Safe to run again (it upgrades the package).
set -euo pipefail

PREFIX=/opt/truyenthanh
DATA_DIR=/var/lib/truyenthanh
SERVICE_USER=truyenthanh
UNIT_DIR=/etc/systemd/system
START=1
SYSTEM_PACKAGES=1
SOURCE="$(cd "$(dirname "$0")/.." && pwd)"

die() { echo "Lỗi: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="${2:?}"; shift 2 ;;
    --data-dir) DATA_DIR="${2:?}"; shift 2 ;;
    --user) SERVICE_USER="${2:?}"; shift 2 ;;
    --unit-dir) UNIT_DIR="${2:?}"; shift 2 ;;
    --source) SOURCE="${2:?}"; shift 2 ;;
    --no-start) START=0; shift ;;
    --no-system-packages) SYSTEM_PACKAGES=0; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) die "không hiểu tùy chọn «$1» (xem --help)." ;;
  esac
done

# As root nothing needs sudo; nor does an install for the current user into folders it owns (tests, a trial).
SUDO=""
if [ "$(id -u)" -ne 0 ] && [ "$SERVICE_USER" != "$(id -un)" ]; then SUDO="sudo"; fi

# 1. Run-time system packages. PipeWire (Raspberry Pi OS, recent desktops) already serves PulseAudio clients
#    through pipewire-pulse: PulseAudio itself is installed only where PipeWire is not.
if [ "$SYSTEM_PACKAGES" -eq 1 ]; then
  command -v apt-get >/dev/null || die "máy này không có apt-get; hãy cài ffmpeg, espeak-ng, libportaudio2, libpulse0 và Python 3.11 trở lên bằng trình quản lý gói của hệ thống rồi chạy lại với --no-system-packages."
  packages=(python3 python3-venv ffmpeg espeak-ng libpulse0 libportaudio2)
  if command -v pipewire >/dev/null 2>&1 || dpkg-query -W -f='${Status}' pipewire-pulse 2>/dev/null | grep -q "ok installed"; then
    echo "Máy dùng PipeWire: dùng máy chủ PulseAudio của PipeWire (pipewire-pulse), không cài PulseAudio."
    packages+=(pipewire-pulse)
  else
    packages+=(pulseaudio)
  fi
  echo "Cài các gói hệ thống: ${packages[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
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
[ -n "$PYTHON" ] || die "cần Python 3.11 trở lên."

# 2. The service's account: a system user whose group the operators join (usermod -aG truyenthanh NAME).
if ! id -u "$SERVICE_USER" >/dev/null 2>&1; then
  getent group "$SERVICE_USER" >/dev/null || $SUDO groupadd --system "$SERVICE_USER"
  $SUDO useradd --system --gid "$SERVICE_USER" --groups audio --home-dir "$DATA_DIR" --no-create-home \
    --shell /usr/sbin/nologin "$SERVICE_USER"
  echo "Đã tạo tài khoản hệ thống «$SERVICE_USER»."
fi
SERVICE_GROUP="$(id -gn "$SERVICE_USER")"

# 3. The package, run time only (no dev extra), in its own virtual environment.
$SUDO mkdir -p "$PREFIX"
[ -x "$PREFIX/venv/bin/python" ] || $SUDO "$PYTHON" -m venv "$PREFIX/venv"
$SUDO "$PREFIX/venv/bin/python" -m pip install -q --upgrade pip >/dev/null
$SUDO "$PREFIX/venv/bin/python" -m pip install -q --upgrade "$SOURCE"
for doc in README.md LICENSE; do
  [ -f "$SOURCE/$doc" ] && $SUDO install -m 0644 "$SOURCE/$doc" "$PREFIX/$doc"
done
PROGRAM="$PREFIX/venv/bin/truyenthanh"

# 4. The station folder, owned by the service's account, readable by its group; the station initialised.
$SUDO mkdir -p "$DATA_DIR"
$SUDO chown "$SERVICE_USER:$SERVICE_GROUP" "$DATA_DIR"
$SUDO chmod 0750 "$DATA_DIR"
as_service_user() {
  if [ "$(id -un)" = "$SERVICE_USER" ]; then "$@"; else $SUDO runuser -u "$SERVICE_USER" -- "$@"; fi
}
as_service_user env TRUYENTHANH_DATA_DIR="$DATA_DIR" "$PROGRAM" init >/dev/null

# 5. The systemd service (written by the program itself, from deploy/truyenthanh.service).
start_flag=()
[ "$START" -eq 1 ] || start_flag=(--no-start)
$SUDO env TRUYENTHANH_DATA_DIR="$DATA_DIR" "$PROGRAM" service install --user "$SERVICE_USER" \
  --group "$SERVICE_GROUP" --unit-dir "$UNIT_DIR" --docs "file://$PREFIX/README.md" "${start_flag[@]}"

echo "Xong. Người vận hành: «sudo usermod -aG $SERVICE_GROUP TÊN» rồi đăng nhập lại; mở giao diện bằng"
echo "«TRUYENTHANH_DATA_DIR=$DATA_DIR $PROGRAM». Tình trạng: «TRUYENTHANH_DATA_DIR=$DATA_DIR $PROGRAM status»."
