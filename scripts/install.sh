#!/usr/bin/env bash
# Installs truyenthanh on a station or a loudspeaker-cluster box (Debian, Ubuntu, Raspberry Pi OS): the run-time
# system packages only (no test tools), the package in its own virtual environment without the dev extra, a
# system user and group "truyenthanh", the station folder, and the daemon as a systemd service started at boot.
# The test setup is scripts/setup.sh, not this.
#
#   sudo bash scripts/install.sh [--prefix /opt/truyenthanh] [--data-dir /var/lib/truyenthanh]
#                                [--user truyenthanh] [--unit-dir /etc/systemd/system]
#                                [--no-start] [--no-system-packages] [--source DIR|PIP-SPEC]
#                                [--broker [--broker-host ADDRESS]...]
#   sudo bash scripts/install.sh --receiver [--state-dir /var/lib/truyenthanh-receiver]
#                                [--enrol URL CODE --name NAME] [--prefix ...] [--user ...] [--no-start] ...
#
# --no-start writes everything but does not enable or start the service (an image being built, a container
# without systemd as PID 1); --no-system-packages skips apt. Safe to run again (it upgrades the package).
# --broker (a station with loudspeaker clusters) also installs Debian's mosquitto, writes its configuration
# («truyenthanh broker config --host ADDRESS», which needs an admin's login: TRUYENTHANH_USER/PASSWORD or the
# prompt) and truyenthanh-broker.service, which runs mosquitto on it as the station's user.
# --receiver installs a cluster box instead: no mosquitto (the broker runs on the station), no espeak-ng, the
# state folder and truyenthanh-receiver.service, which runs once the box is enrolled (--enrol does it now with
# the URL and one-time code «truyenthanh zone enroll» shows on the station).
set -euo pipefail

PREFIX=/opt/truyenthanh
DATA_DIR=/var/lib/truyenthanh
SERVICE_USER=truyenthanh
UNIT_DIR=/etc/systemd/system
START=1
SYSTEM_PACKAGES=1
SOURCE="$(cd "$(dirname "$0")/.." && pwd)"
RECEIVER=0
BROKER=0
BROKER_HOSTS=()
ENROL_URL=""
ENROL_CODE=""
BOX_NAME=""
DATA_DIR_SET=0

die() { echo "Lỗi: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="${2:?}"; shift 2 ;;
    --data-dir|--state-dir) DATA_DIR="${2:?}"; DATA_DIR_SET=1; shift 2 ;;
    --user) SERVICE_USER="${2:?}"; shift 2 ;;
    --unit-dir) UNIT_DIR="${2:?}"; shift 2 ;;
    --source) SOURCE="${2:?}"; shift 2 ;;
    --no-start) START=0; shift ;;
    --no-system-packages) SYSTEM_PACKAGES=0; shift ;;
    --receiver) RECEIVER=1; shift ;;
    --enrol) ENROL_URL="${2:?}"; ENROL_CODE="${3:?}"; shift 3 ;;
    --name) BOX_NAME="${2:?}"; shift 2 ;;
    --broker) BROKER=1; shift ;;
    --broker-host) BROKER_HOSTS+=(--host "${2:?}"); shift 2 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) die "không hiểu tùy chọn «$1» (xem --help)." ;;
  esac
done
[ "$RECEIVER" -eq 0 ] || [ "$BROKER" -eq 0 ] || die "--broker chạy trên máy của đài, --receiver trên máy của cụm loa: chọn một."
[ -z "$ENROL_URL" ] || [ "$RECEIVER" -eq 1 ] || die "--enrol chỉ dùng với --receiver."
[ -z "$ENROL_URL" ] || [ -n "$BOX_NAME" ] || die "--enrol cần --name TÊN_MÁY_THU (ví dụ «Cụm loa thôn Đông»)."
[ "${#BROKER_HOSTS[@]}" -eq 0 ] || [ "$BROKER" -eq 1 ] || die "--broker-host chỉ dùng với --broker."
if [ "$RECEIVER" -eq 1 ] && [ "$DATA_DIR_SET" -eq 0 ]; then DATA_DIR=/var/lib/truyenthanh-receiver; fi

# As root nothing needs sudo; nor does an install for the current user into folders it owns (tests, a trial).
SUDO=""
if [ "$(id -u)" -ne 0 ] && [ "$SERVICE_USER" != "$(id -un)" ]; then SUDO="sudo"; fi

# 1. Run-time system packages. PipeWire (Raspberry Pi OS, recent desktops) already serves PulseAudio clients
#    through pipewire-pulse: PulseAudio itself is installed only where PipeWire is not.
if [ "$SYSTEM_PACKAGES" -eq 1 ]; then
  command -v apt-get >/dev/null || die "máy này không có apt-get; hãy cài ffmpeg, espeak-ng (trừ máy thu), libportaudio2, libpulse0, mosquitto (với --broker) và Python 3.11 trở lên bằng trình quản lý gói của hệ thống rồi chạy lại với --no-system-packages."
  packages=(python3 python3-venv ffmpeg libpulse0 libportaudio2)
  # A cluster box plays what the station rendered: no speech engine. The broker runs on the station only.
  [ "$RECEIVER" -eq 1 ] || packages+=(espeak-ng)
  [ "$BROKER" -eq 0 ] || packages+=(mosquitto)
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

start_flag=()
[ "$START" -eq 1 ] || start_flag=(--no-start)
as_service_user() {
  if [ "$(id -un)" = "$SERVICE_USER" ]; then "$@"; else $SUDO runuser -u "$SERVICE_USER" -- "$@"; fi
}

if [ "$RECEIVER" -eq 1 ]; then
  # 4. The box's state folder, owned by the service's account; enrolled now when --enrol is given.
  $SUDO mkdir -p "$DATA_DIR"
  $SUDO chown "$SERVICE_USER:$SERVICE_GROUP" "$DATA_DIR"
  $SUDO chmod 0750 "$DATA_DIR"
  if [ -n "$ENROL_URL" ]; then
    as_service_user "$PROGRAM" receiver enrol "$ENROL_URL" "$ENROL_CODE" --name "$BOX_NAME" --state-dir "$DATA_DIR"
  fi
  # 5. The receiver's systemd service (from deploy/truyenthanh-receiver.service); it runs once enrolled.
  $SUDO "$PROGRAM" service install --receiver --state-dir "$DATA_DIR" --user "$SERVICE_USER" \
    --group "$SERVICE_GROUP" --unit-dir "$UNIT_DIR" --docs "file://$PREFIX/README.md" "${start_flag[@]}"
  echo "Xong. Trạng thái của máy thu: «sudo -u $SERVICE_USER $PROGRAM receiver status --state-dir $DATA_DIR»."
  exit 0
fi

# 4. The station folder, owned by the service's account, readable by its group; the station initialised.
$SUDO mkdir -p "$DATA_DIR"
$SUDO chown "$SERVICE_USER:$SERVICE_GROUP" "$DATA_DIR"
$SUDO chmod 0750 "$DATA_DIR"
as_service_user env TRUYENTHANH_DATA_DIR="$DATA_DIR" "$PROGRAM" init >/dev/null

# 5. The systemd service (written by the program itself, from deploy/truyenthanh.service).
$SUDO env TRUYENTHANH_DATA_DIR="$DATA_DIR" "$PROGRAM" service install --user "$SERVICE_USER" \
  --group "$SERVICE_GROUP" --unit-dir "$UNIT_DIR" --docs "file://$PREFIX/README.md" "${start_flag[@]}"

# 6. With --broker: mosquitto's configuration for the clusters and its service (deploy/truyenthanh-broker.service).
if [ "$BROKER" -eq 1 ]; then
  login=()
  [ -z "${TRUYENTHANH_USER:-}" ] || login+=(TRUYENTHANH_USER="$TRUYENTHANH_USER")
  [ -z "${TRUYENTHANH_PASSWORD:-}" ] || login+=(TRUYENTHANH_PASSWORD="$TRUYENTHANH_PASSWORD")
  if ! as_service_user env TRUYENTHANH_DATA_DIR="$DATA_DIR" "${login[@]}" "$PROGRAM" broker config \
      "${BROKER_HOSTS[@]}"; then
    echo "Chưa ghi được cấu hình máy chủ tin nhắn (xem lỗi ở trên): tạo tài khoản quản trị trước nếu đài chưa có," >&2
    echo "rồi chạy «sudo -u $SERVICE_USER TRUYENTHANH_DATA_DIR=$DATA_DIR $PROGRAM broker config --host ĐỊA_CHỈ»" >&2
    echo "và «sudo systemctl start truyenthanh-broker»." >&2
  fi
  $SUDO env TRUYENTHANH_DATA_DIR="$DATA_DIR" "$PROGRAM" service install --broker --user "$SERVICE_USER" \
    --group "$SERVICE_GROUP" --unit-dir "$UNIT_DIR" --docs "file://$PREFIX/README.md" "${start_flag[@]}"
fi

echo "Xong. Người vận hành: «sudo usermod -aG $SERVICE_GROUP TÊN» rồi đăng nhập lại; mở giao diện bằng"
echo "«TRUYENTHANH_DATA_DIR=$DATA_DIR $PROGRAM». Tình trạng: «TRUYENTHANH_DATA_DIR=$DATA_DIR $PROGRAM status»."
