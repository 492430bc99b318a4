#!/usr/bin/env bash
# Re-creates the small example recordings in schedules/audio with espeak-ng (offline Vietnamese voice) and ffmpeg.
# Licence-clean: synthetic speech of texts written for this project. Mono MP3, 32 kb/s, to keep the repository small.
set -euo pipefail
cd "$(dirname "$0")/../schedules/audio"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
speak() {
  espeak-ng -v vi -s 150 -w "$work/$1.wav" "$2"
  ffmpeg -nostdin -v error -y -i "$work/$1.wav" -af "apad=pad_dur=0.3" -ac 1 -ar 22050 -c:a libmp3lame -b:a 32k "$1.mp3"
}
speak ban-tin-xa-tan-lap "Đài truyền thanh xã Tân Lập. Bản tin sáng nay. Ủy ban nhân dân xã thông báo lịch tiêm chủng mở rộng cho trẻ em dưới năm tuổi vào sáng thứ Bảy, ngày hai mươi tám tháng mười một, tại trạm y tế xã. Đề nghị các gia đình đưa trẻ đến đúng giờ."
speak chuyen-muc-chinh-sach "Chuyên mục truyền thông chính sách. Từ ngày một tháng một năm hai nghìn không trăm hai mươi lăm, người dân tham gia bảo hiểm y tế hộ gia đình được giảm trừ mức đóng từ thành viên thứ hai trở đi. Mọi thắc mắc xin liên hệ bộ phận một cửa của Ủy ban nhân dân xã."
speak canh-bao-bao "Tin khẩn cấp. Bão số chín đang di chuyển theo hướng tây tây bắc, dự báo gây mưa to đến rất to. Đề nghị nhân dân chằng chống nhà cửa, không ra sông suối, theo dõi thông tin trên loa truyền thanh hai giờ một lần."
