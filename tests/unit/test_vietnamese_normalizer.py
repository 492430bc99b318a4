"""The administrative-text normaliser, case by case, on text written the way communes and provinces write.

Each table is (written, spoken). Cases come from commune announcements, provincial plans, weather warnings
and policy columns (see /work/shared/corpus/announcements.md for the style).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from truyenthanh.domain.enums import ReadingVariant
from truyenthanh.domain.vietnamese import Lexicon, normalize
from truyenthanh.errors import ConfigError

PASSTHROUGH = [
    "Đài Truyền thanh xã xin kính chào bà con.",
    "Bà con chủ động sắp xếp công việc.",
    "Phụ huynh mang theo sổ tiêm chủng của trẻ.",
    "Nguy cơ cao xảy ra lũ quét, sạt lở đất.",
    "Mỗi hộ gia đình diệt lăng quăng, bọ gậy.",
    "THÔNG BÁO KHẨN",
    "Thời sự của Đài Tiếng nói Việt Nam.",
    "Các hộ dân ở ven suối, sườn đồi khẩn trương di dời đến nơi an toàn!",
    "Tiêm vắc-xin phòng sởi - rubella cho trẻ.",
    "Xin cảm ơn bà con đã chú ý lắng nghe.",
    "Trời rét đậm, rét hại; bà con chú ý giữ ấm cho trẻ nhỏ và người già.",
    "Sau đây là tiếp âm chương trình Thời sự.",
    "Kính mời bà con đến dự.",
    "Hội Nông dân xã phối hợp Trạm Khuyến nông mở lớp tập huấn.",
    "Đề nghị các thôn, xóm thông báo rộng rãi đến nhân dân.",
    "Công an xã đề nghị bà con cảnh giác với thủ đoạn lừa đảo qua mạng.",
    "Ông Nguyễn Văn An, trưởng thôn Đông, phát biểu.",
    "Chương trình kết thúc tại đây.",
    "Bà con cần theo dõi các bản tin tiếp theo.",
    "Tuyệt đối không tắm sông, suối.",
    "Hạn chế ra khỏi nhà khi có dông, sét.",
    "Lưu ý: không đốt rơm rạ trên đồng ruộng.",
    "Đảng bộ, chính quyền và nhân dân xã chung tay xây dựng quê hương.",
    "Xã Tân Phú, huyện Đồng Xuân, tỉnh Phú Yên.",
    "Ấp Bình Hòa, xã Vĩnh Thạnh.",
    "Mời bà con nghe bản tin sáng thứ Hai.",
    "Chúc bà con một ngày làm việc hiệu quả.",
    "Tổ chức lễ ra quân tháng thanh niên.",
    "Tăng cường phòng chống dịch bệnh trên gia súc, gia cầm.",
    "(Theo Báo Nhân Dân)",
]

NUMBERS = [
    ("1.785 hộ", "một nghìn bảy trăm tám mươi lăm hộ"),
    ("có 27 ca mắc", "có hai mươi bảy ca mắc"),
    ("tăng 9 ca", "tăng chín ca"),
    ("105 hộ nghèo", "một trăm linh năm hộ nghèo"),
    ("năm 2021", "năm hai nghìn không trăm hai mươi mốt"),
    ("năm 2026", "năm hai nghìn không trăm hai mươi sáu"),
    ("2.340.000 đồng", "hai triệu ba trăm bốn mươi nghìn đồng"),
    ("đạt 68,5 tạ", "đạt sáu mươi tám phẩy năm tạ"),
    ("tăng 0,5 điểm", "tăng không phẩy năm điểm"),
    ("dân số 12.450 người", "dân số mười hai nghìn bốn trăm năm mươi người"),
    ("1.000.005 đồng", "một triệu không trăm linh năm đồng"),
    ("các thôn 1, thôn 4, thôn 7", "các thôn một, thôn bốn, thôn bảy"),
    ("các ấp 3, 5, 8", "các ấp ba, năm, tám"),
    ("trẻ 6 tuổi", "trẻ sáu tuổi"),
    ("dành 15 phút mỗi tuần", "dành mười lăm phút mỗi tuần"),
    ("Hội trường ấp 2.", "Hội trường ấp hai."),
    ("15 xã, 3 thị trấn", "mười lăm xã, ba thị trấn"),
    ("1.250,75 tấn", "một nghìn hai trăm năm mươi phẩy bảy mươi lăm tấn"),
    ("khoảng 3.000 người", "khoảng ba nghìn người"),
    ("2 tỷ đồng", "hai tỷ đồng"),
    ("1,5 triệu đồng", "một phẩy năm triệu đồng"),
    ("tổ 10", "tổ mười"),
    ("thôn 01", "thôn một"),
    ("lô 24", "lô hai mươi tư"),
    ("Điều 2.1", "Điều hai chấm một"),
    ("nhiệt độ -2 độ", "nhiệt độ âm hai độ"),
    ("mùa vụ 2025-2026", "mùa vụ hai nghìn không trăm hai mươi lăm đến hai nghìn không trăm hai mươi sáu"),
    ("F0", "F không"),
    ("bão số 3", "bão số ba"),
    ("áp thấp nhiệt đới số 1", "áp thấp nhiệt đới số một"),
]

DATES = [
    ("ngày 05/9/2016", "ngày năm tháng chín năm hai nghìn không trăm mười sáu"),
    ("05/9/2016", "ngày năm tháng chín năm hai nghìn không trăm mười sáu"),
    ("ngày 12/12/2026", "ngày mười hai tháng mười hai năm hai nghìn không trăm hai mươi sáu"),
    ("ngày 01/01/2000", "ngày một tháng một năm hai nghìn"),
    ("ngày 31/12/2008", "ngày ba mươi mốt tháng mười hai năm hai nghìn không trăm linh tám"),
    ("ngày 1/7/2025", "ngày một tháng bảy năm hai nghìn không trăm hai mươi lăm"),
    ("ngày 30/4/2026", "ngày ba mươi tháng tư năm hai nghìn không trăm hai mươi sáu"),
    ("ngày 15/6", "ngày mười lăm tháng sáu"),
    ("15/6", "ngày mười lăm tháng sáu"),
    ("ngày 20/11;", "ngày hai mươi tháng mười một;"),
    ("tính đến ngày 15/8, toàn xã", "tính đến ngày mười lăm tháng tám, toàn xã"),
    (
        "từ đêm 18/10 đến ngày 20/10/2026",
        "từ đêm mười tám tháng mười đến ngày hai mươi tháng mười năm hai nghìn không trăm hai mươi sáu",
    ),
    ("trước 17h00 ngày 18/10.", "trước mười bảy giờ ngày mười tám tháng mười."),
    ("sáng 12/12", "sáng mười hai tháng mười hai"),
    ("từ 15/6 đến 30/6", "từ ngày mười lăm tháng sáu đến ngày ba mươi tháng sáu"),
    ("vào ngày 17-18/8.", "vào ngày mười bảy đến mười tám tháng tám."),
    ("(24-25/9/2026)", "(ngày hai mươi tư đến hai mươi lăm tháng chín năm hai nghìn không trăm hai mươi sáu)"),
    ("ngày 01 tháng 11 năm 2017", "ngày một tháng mười một năm hai nghìn không trăm mười bảy"),
    ("ngày 23 tháng 11 năm 2026", "ngày hai mươi ba tháng mười một năm hai nghìn không trăm hai mươi sáu"),
    ("ngày 4 tháng 4", "ngày bốn tháng tư"),
    ("tháng 4/2026", "tháng tư năm hai nghìn không trăm hai mươi sáu"),
    ("trong tháng 9/2026", "trong tháng chín năm hai nghìn không trăm hai mươi sáu"),
    ("09/2026", "tháng chín năm hai nghìn không trăm hai mươi sáu"),
    ("ngày 05-11-2026", "ngày năm tháng mười một năm hai nghìn không trăm hai mươi sáu"),
    ("ngày 05.11.2026", "ngày năm tháng mười một năm hai nghìn không trăm hai mươi sáu"),
    ("hạn chót 30/11/2026", "hạn chót ngày ba mươi tháng mười một năm hai nghìn không trăm hai mươi sáu"),
    ("Hà Nội, ngày 10 tháng 10 năm 2026", "Hà Nội, ngày mười tháng mười năm hai nghìn không trăm hai mươi sáu"),
    ("thứ Bảy, ngày 12/12/2026", "thứ Bảy, ngày mười hai tháng mười hai năm hai nghìn không trăm hai mươi sáu"),
    ("mồng 5/5", "mồng năm tháng năm"),
    ("ngày 2/9", "ngày hai tháng chín"),
    ("Tết Dương lịch 01/01/2027", "Tết Dương lịch ngày một tháng một năm hai nghìn không trăm hai mươi bảy"),
    ("ngày 15/01/2027", "ngày mười lăm tháng một năm hai nghìn không trăm hai mươi bảy"),
    ("khoảng 20h ngày 09/11,", "khoảng hai mươi giờ ngày chín tháng mười một,"),
    ("ngày 03/9/2026 của", "ngày ba tháng chín năm hai nghìn không trăm hai mươi sáu của"),
    ("đêm 5/11 và ngày 6/11", "đêm năm tháng mười một và ngày sáu tháng mười một"),
]

TIMES = [
    ("lúc 7h30", "lúc bảy giờ ba mươi"),
    ("7h30 sáng", "bảy giờ ba mươi sáng"),
    ("lúc 07:30", "lúc bảy giờ ba mươi"),
    ("05:30", "năm giờ ba mươi"),
    ("17h00", "mười bảy giờ"),
    ("17:00", "mười bảy giờ"),
    ("lúc 6h", "lúc sáu giờ"),
    ("20h", "hai mươi giờ"),
    ("7h05", "bảy giờ năm phút"),
    ("lúc 13h15", "lúc mười ba giờ mười lăm"),
    ("lúc 14 giờ 30", "lúc mười bốn giờ ba mươi"),
    ("7 giờ 15 phút", "bảy giờ mười lăm phút"),
    ("lúc 7 giờ ngày 15/01/2027", "lúc bảy giờ ngày mười lăm tháng một năm hai nghìn không trăm hai mươi bảy"),
    ("từ 6h00 đến 16h30", "từ sáu giờ đến mười sáu giờ ba mươi"),
    ("từ 8h đến 11h", "từ tám giờ đến mười một giờ"),
    ("7h30 - 11h00", "bảy giờ ba mươi đến mười một giờ"),
    ("13:30-17:00", "mười ba giờ ba mươi đến mười bảy giờ"),
    ("lúc 7g30", "lúc bảy giờ ba mươi"),
    ("lúc 9h30'", "lúc chín giờ ba mươi"),
    ("trong 24h tới", "trong hai mươi tư giờ tới"),
    ("trong 48 giờ qua", "trong bốn mươi tám giờ qua"),
    ("lúc 0h", "lúc không giờ"),
    ("lúc 23:45", "lúc hai mươi ba giờ bốn mươi lăm"),
    ("21h30 tối nay", "hai mươi mốt giờ ba mươi tối nay"),
    ("lúc 05:30:15", "lúc năm giờ ba mươi phút mười lăm giây"),
]

RANGES_AND_COUNTS = [
    ("giai đoạn 2017 - 2020", "giai đoạn hai nghìn không trăm mười bảy đến hai nghìn không trăm hai mươi"),
    ("giai đoạn 2021-2025", "giai đoạn hai nghìn không trăm hai mươi mốt đến hai nghìn không trăm hai mươi lăm"),
    ("giai đoạn 2021–2025", "giai đoạn hai nghìn không trăm hai mươi mốt đến hai nghìn không trăm hai mươi lăm"),
    ("gió giật cấp 10-11", "gió giật cấp mười đến mười một"),
    ("gió mạnh cấp 6 - 7", "gió mạnh cấp sáu đến bảy"),
    ("trẻ từ 1-5 tuổi", "trẻ từ một đến năm tuổi"),
    ("Tổ dân phố 1-3", "Tổ dân phố một đến ba"),
    ("tổ 4-6 nộp", "tổ bốn đến sáu nộp"),
    ("164/164 xã", "một trăm sáu mươi tư trên một trăm sáu mươi tư xã"),
    ("đạt 9/10 tiêu chí", "đạt chín trên mười tiêu chí"),
    ("12/15 thôn", "mười hai trên mười lăm thôn"),
    ("1.250/1.300 hộ", "một nghìn hai trăm năm mươi trên một nghìn ba trăm hộ"),
    ("19/19 tiêu chí nông thôn mới", "mười chín trên mười chín tiêu chí nông thôn mới"),
    ("cao 5-7 m", "cao năm đến bảy mét"),
    ("tỷ số 2-1", "tỷ số hai - một"),
]

PERCENT_MONEY = [
    ("cao hơn 12%", "cao hơn mười hai phần trăm"),
    ("hỗ trợ 30% mức đóng", "hỗ trợ ba mươi phần trăm mức đóng"),
    ("0,03% giá trị đất", "không phẩy không ba phần trăm giá trị đất"),
    ("đạt 98,5%", "đạt chín mươi tám phẩy năm phần trăm"),
    ("từ 5-10%", "từ năm đến mười phần trăm"),
    ("100 %", "một trăm phần trăm"),
    ("25.000đ", "hai mươi lăm nghìn đồng"),
    ("25.000 đ", "hai mươi lăm nghìn đồng"),
    ("giá 25.000đ/kg", "giá hai mươi lăm nghìn đồng một ki-lô-gam"),
    ("100.000đ/ngày", "một trăm nghìn đồng một ngày"),
    ("2.340.000 đồng/tháng", "hai triệu ba trăm bốn mươi nghìn đồng một tháng"),
    ("50.000 VNĐ", "năm mươi nghìn đồng"),
    ("50.000VNĐ", "năm mươi nghìn đồng"),
    ("1.500.000 VND", "một triệu năm trăm nghìn đồng"),
    ("200.000đ/người", "hai trăm nghìn đồng một người"),
    ("mức phạt 500.000 đồng", "mức phạt năm trăm nghìn đồng"),
    ("5 triệu đồng/hộ", "năm triệu đồng một hộ"),
    ("500 USD", "năm trăm đô la Mỹ"),
]

UNITS = [
    ("lượng mưa 150-250mm", "lượng mưa một trăm năm mươi đến hai trăm năm mươi mi-li-mét"),
    ("trên 350mm", "trên ba trăm năm mươi mi-li-mét"),
    ("đường dây 22kV", "đường dây hai mươi hai ki-lô-vôn"),
    ("dài 12 km", "dài mười hai ki-lô-mét"),
    ("dài 2,5km", "dài hai phẩy năm ki-lô-mét"),
    ("rộng 3m", "rộng ba mét"),
    ("sâu 1,2 m", "sâu một phẩy hai mét"),
    ("50 ha lúa", "năm mươi héc-ta lúa"),
    ("68,5 tạ/ha", "sáu mươi tám phẩy năm tạ trên héc-ta"),
    ("10 kg gạo", "mười ki-lô-gam gạo"),
    ("nặng 500g", "nặng năm trăm gam"),
    ("nhiệt độ 35°C", "nhiệt độ ba mươi lăm độ xê"),
    ("thấp nhất 8 °C", "thấp nhất tám độ xê"),
    ("12oC", "mười hai độ xê"),
    ("-2°C", "âm hai độ xê"),
    ("nhiệt độ 39 độ C", "nhiệt độ ba mươi chín độ xê"),
    ("60 km/h", "sáu mươi ki-lô-mét trên giờ"),
    ("tốc độ 40km/h", "tốc độ bốn mươi ki-lô-mét trên giờ"),
    ("100 m2", "một trăm mét vuông"),
    ("200m²", "hai trăm mét vuông"),
    ("5 m3 nước", "năm mét khối nước"),
    ("1.500 m³", "một nghìn năm trăm mét khối"),
    ("2 lít", "hai lít"),
    ("500ml", "năm trăm mi-li-lít"),
    ("3 km2", "ba ki-lô-mét vuông"),
    ("công suất 5 kW", "công suất năm ki-lô-oát"),
    ("220V", "hai trăm hai mươi vôn"),
    ("dài 30 cm", "dài ba mươi xen-ti-mét"),
    ("lưu lượng 3 m/s", "lưu lượng ba mét trên giây"),
    ("10 tấn/ha", "mười tấn trên héc-ta"),
]

PHONES = [
    ("liên hệ số 0258 3851 234.", "liên hệ số không hai năm tám, ba tám năm một, hai ba bốn."),
    (
        "qua số 0912 000 113 hoặc gọi 113.",
        "qua số không chín một hai, không không không, một một ba hoặc gọi một một ba.",
    ),
    ("gọi tổng đài 1900 9068.", "gọi tổng đài một chín không không, chín không sáu tám."),
    ("ĐT: 0912345678", "điện thoại: không chín một hai, ba bốn năm, sáu bảy tám"),
    ("SĐT 0912.345.678", "số điện thoại không chín một hai, ba bốn năm, sáu bảy tám"),
    ("đường dây nóng 0203.3825.114", "đường dây nóng không hai không ba, ba tám hai năm, một một bốn"),
    ("hotline 1800 1234", "hotline một tám không không, một hai ba bốn"),
    ("gọi 114 khi có cháy", "gọi một một bốn khi có cháy"),
    ("gọi ngay 115", "gọi ngay một một năm"),
    ("Số điện thoại: 0236 3822 115", "Số điện thoại: không hai ba sáu, ba tám hai hai, một một năm"),
    ("báo cho 0987 654 321", "báo cho không chín tám bảy, sáu năm bốn, ba hai một"),
    ("0987654321", "không chín tám bảy, sáu năm bốn, ba hai một"),
    ("+84 912 345 678", "cộng tám bốn, chín một hai, ba bốn năm, sáu bảy tám"),
    ("Zalo 0912 345 678", "Da-lô không chín một hai, ba bốn năm, sáu bảy tám"),
    ("gọi 2 lần", "gọi hai lần"),
]

CITATIONS = [
    (
        "Quyết định số 52/2016/QĐ-TTg",
        "Quyết định số năm mươi hai năm hai nghìn không trăm mười sáu của Thủ tướng Chính phủ",
    ),
    ("Số: 4937/KH-UBND", "Số bốn nghìn chín trăm ba mươi bảy, kế hoạch của Ủy ban nhân dân"),
    (
        "Thực hiện Kế hoạch số 215/KH-UBND ngày 03/9/2026 của UBND huyện",
        "Thực hiện Kế hoạch số hai trăm mười lăm ngày ba tháng chín năm hai nghìn không trăm hai mươi sáu "
        "của Ủy ban nhân dân huyện",
    ),
    ("Nghị định số 49/2024/NĐ-CP", "Nghị định số bốn mươi chín năm hai nghìn không trăm hai mươi tư của Chính phủ"),
    (
        "Thông tư số 39/2020/TT-BTTTT",
        "Thông tư số ba mươi chín năm hai nghìn không trăm hai mươi của Bộ Thông tin và Truyền thông",
    ),
    ("Chỉ thị số 12/CT-UBND", "Chỉ thị số mười hai của Ủy ban nhân dân"),
    ("Công văn số 123/UBND-VX", "Công văn số một trăm hai mươi ba của Ủy ban nhân dân"),
    ("Luật số 24/2018/QH14", "Luật số hai mươi tư năm hai nghìn không trăm mười tám của Quốc hội khóa mười bốn"),
    ("Nghị quyết số 05/NQ-HĐND", "Nghị quyết số năm của Hội đồng nhân dân"),
    ("Thông báo số 01/TB-UBND", "Thông báo số một của Ủy ban nhân dân"),
    ("theo Quyết định 1234/QĐ-UBND", "theo Quyết định một nghìn hai trăm ba mươi tư của Ủy ban nhân dân"),
    ("Số: 15/BC-UBND", "Số mười lăm, báo cáo của Ủy ban nhân dân"),
    (
        "Quyết định số 52/2016/QĐ-TTg ngày 06/12/2016 của Thủ tướng Chính phủ",
        "Quyết định số năm mươi hai năm hai nghìn không trăm mười sáu ngày sáu tháng mười hai năm hai nghìn "
        "không trăm mười sáu của Thủ tướng Chính phủ",
    ),
    ("Kế hoạch số 88/KH-BCĐ", "Kế hoạch số tám mươi tám của Ban Chỉ đạo"),
    ("Hướng dẫn số 07/HD-SYT", "Hướng dẫn số bảy của Sở Y tế"),
    ("Quyết định số 100/QĐ-BYT", "Quyết định số một trăm của Bộ Y tế"),
    ("Công điện số 03/CĐ-TTg", "Công điện số ba của Thủ tướng Chính phủ"),
    (
        "Thông tư liên tịch số 12/2015/TTLT-BTC-BYT",
        "Thông tư liên tịch số mười hai năm hai nghìn không trăm mười lăm của Bộ Tài chính và Bộ Y tế",
    ),
    ("Tờ trình số 45/TTr-UBND", "Tờ trình số bốn mươi lăm của Ủy ban nhân dân"),
    ("Kế hoạch 99/KH-UBND.", "Kế hoạch chín mươi chín của Ủy ban nhân dân."),
]

ROMAN = [
    ("Ban Chấp hành Trung ương Đảng khóa XII", "Ban Chấp hành Trung ương Đảng khóa mười hai"),
    ("Đại hội Đảng toàn quốc lần thứ XIII", "Đại hội Đảng toàn quốc lần thứ mười ba"),
    ("Đại hội XIV của Đảng", "Đại hội mười bốn của Đảng"),
    ("Quốc hội khoá XV", "Quốc hội khoá mười lăm"),
    ("kỳ họp thứ VII", "kỳ họp thứ bảy"),
    ("lần thứ I", "lần thứ nhất"),
    ("lần thứ IV", "lần thứ tư"),
    ("quý I/2026", "quý một năm hai nghìn không trăm hai mươi sáu"),
    ("trong quý IV", "trong quý bốn"),
    ("Chương II", "Chương hai"),
    ("thế kỷ XXI", "thế kỷ hai mươi mốt"),
    ("nhiệm kỳ 2025-2030", "nhiệm kỳ hai nghìn không trăm hai mươi lăm đến hai nghìn không trăm ba mươi"),
    ("Hội nghị lần thứ X", "Hội nghị lần thứ mười"),
    ("Mục III", "Mục ba"),
    ("I. MỤC ĐÍCH, YÊU CẦU", "một. MỤC ĐÍCH, YÊU CẦU"),
    ("II. NỘI DUNG", "hai. NỘI DUNG"),
    ("vùng IV", "vùng bốn"),
]

ABBREVIATIONS = [
    ("UBND xã Tân Phú", "Ủy ban nhân dân xã Tân Phú"),
    ("HĐND huyện", "Hội đồng nhân dân huyện"),
    ("Ủy ban MTTQ xã", "Ủy ban Mặt trận Tổ quốc xã"),
    ("UBMTTQ Việt Nam xã", "Ủy ban Mặt trận Tổ quốc Việt Nam xã"),
    ("Sở TTTT", "Sở Thông tin và Truyền thông"),
    ("Sở VHTTDL", "Sở Văn hóa, Thể thao và Du lịch"),
    ("Đài PT-TH tỉnh", "Đài Phát thanh - Truyền hình tỉnh"),
    ("Trung tâm TT-TH huyện", "Trung tâm Truyền thanh - Truyền hình huyện"),
    ("phát triển KT-XH", "phát triển kinh tế - xã hội"),
    ("Ban chỉ huy PCTT và TKCN xã", "Ban chỉ huy phòng chống thiên tai và tìm kiếm cứu nạn xã"),
    ("Ban chỉ huy PCTT&TKCN", "Ban chỉ huy phòng chống thiên tai và tìm kiếm cứu nạn"),
    ("thẻ BHYT của trẻ", "thẻ bảo hiểm y tế của trẻ"),
    ("BHXH tự nguyện", "bảo hiểm xã hội tự nguyện"),
    ("trường THCS Tân Phú", "trường trung học cơ sở Tân Phú"),
    ("học sinh THPT", "học sinh trung học phổ thông"),
    ("Theo Đài KTTV tỉnh", "Theo Đài khí tượng thủy văn tỉnh"),
    ("học CĐ, ĐH chính quy", "học cao đẳng, đại học chính quy"),
    ("đội PCCC", "đội phòng cháy chữa cháy"),
    ("bảo đảm ANTT", "bảo đảm an ninh trật tự"),
    ("chấp hành luật ATGT", "chấp hành luật an toàn giao thông"),
    ("đảm bảo ATTP", "đảm bảo an toàn thực phẩm"),
    ("khám NVQS", "khám nghĩa vụ quân sự"),
    ("xây dựng NTM", "xây dựng nông thôn mới"),
    ("sản phẩm OCOP", "sản phẩm Ô cốp"),
    ("đổi thẻ CCCD", "đổi thẻ căn cước công dân"),
    ("Hội CCB xã", "Hội Cựu chiến binh xã"),
    ("Đoàn TNCS Hồ Chí Minh", "Đoàn Thanh niên Cộng sản Hồ Chí Minh"),
    ("Hội LHPN xã", "Hội Liên hiệp Phụ nữ xã"),
    ("vay vốn NHCSXH", "vay vốn Ngân hàng Chính sách xã hội"),
    ("Trạm YT xã", "Trạm Y tế xã"),
    ("TYT xã", "Trạm Y tế xã"),
    ("TTYT huyện", "Trung tâm Y tế huyện"),
    ("dịch COVID-19", "dịch Cô-vít mười chín"),
    ("Đ/c Chủ tịch UBND xã", "đồng chí Chủ tịch Ủy ban nhân dân xã"),
    ("TP. Tuy Hòa", "thành phố Tuy Hòa"),
    ("HTX nông nghiệp", "hợp tác xã nông nghiệp"),
    ("ứng dụng CNTT", "ứng dụng công nghệ thông tin"),
    ("Sở NN&PTNT", "Sở nông nghiệp và phát triển nông thôn"),
    ("Phòng GD&ĐT", "Phòng giáo dục và đào tạo"),
    ("CLB dưỡng sinh", "câu lạc bộ dưỡng sinh"),
    ("Thứ 2 - CN", "Thứ hai - Chủ nhật"),
    ("sóng 4G", "sóng bốn gờ"),
    ("dịch cúm H5N1", "dịch cúm hát năm en một"),
]

ORDINALS = [
    ("thứ 2", "thứ hai"),
    ("thứ 4", "thứ tư"),
    ("Thứ 7", "Thứ bảy"),
    ("lần thứ 1", "lần thứ nhất"),
    ("lần thứ 2", "lần thứ hai"),
    ("tháng 4", "tháng tư"),
    ("tháng 01", "tháng một"),
    ("tháng 12 này", "tháng mười hai này"),
    ("lần thứ 14", "lần thứ mười bốn"),
    ("ngày thứ 3", "ngày thứ ba"),
]

MORE = [
    ("ngày 18 và 19/10", "ngày mười tám và mười chín tháng mười"),
    ("ngày 5, 6/12/2026", "ngày năm, sáu tháng mười hai năm hai nghìn không trăm hai mươi sáu"),
    ("Trong 3 ngày 18, 19, 20/10", "Trong ba ngày mười tám, mười chín, hai mươi tháng mười"),
    (
        "từ ngày 18/10 - 20/10/2026",
        "từ ngày mười tám tháng mười đến ngày hai mươi tháng mười năm hai nghìn không trăm hai mươi sáu",
    ),
    ("Thứ 2-6 hằng tuần", "Thứ hai đến thứ sáu hằng tuần"),
    ("từ thứ 2 đến thứ 6", "từ thứ hai đến thứ sáu"),
    ("T7, CN", "thứ bảy, Chủ nhật"),
    ("Lịch trực: 24/7", "Lịch trực: hai mươi tư trên bảy"),
    ("Km 12+300", "ki-lô-mét mười hai cộng ba trăm"),
    ("Đường 3/2", "Đường ba tháng hai"),
    ("đường 30/4", "đường ba mươi tháng tư"),
    ("giá 1,2 triệu/tấn", "giá một phẩy hai triệu một tấn"),
    ("mức 500 nghìn đồng/người/tháng", "mức năm trăm nghìn đồng một người một tháng"),
    ("100.000đ/người/ngày", "một trăm nghìn đồng một người một ngày"),
    ("năng suất 7 tấn/ha/vụ", "năng suất bảy tấn trên héc-ta trên vụ"),
    ("SN 1985", "sinh năm một nghìn chín trăm tám mươi lăm"),
    ("Sinh năm 1990", "Sinh năm một nghìn chín trăm chín mươi"),
    ("Mã số thuế 4400123456", "Mã số thuế bốn bốn không không, một hai ba, bốn năm sáu"),
    ("STK 123456789012", "số tài khoản một hai ba bốn, năm sáu bảy, tám chín không một hai"),
    ("Email: ubnd@tanphu.gov.vn", "Email: ubnd a còng tanphu chấm gov chấm vn"),
    ("Website: tanphu.gov.vn", "Website: tanphu chấm gov chấm vn"),
    ("cổng dichvucong.gov.vn", "cổng dichvucong chấm gov chấm vn"),
    ("F0, A1", "F không, A một"),
    ("lớp 9A", "lớp chín A"),
    ("Quốc lộ 1A", "Quốc lộ một A"),
    ("08h00", "tám giờ"),
    ("lúc 19 giờ 30 phút", "lúc mười chín giờ ba mươi phút"),
    ("Điều 5, Khoản 2", "Điều năm, Khoản hai"),
    ("phòng 201", "phòng hai trăm linh một"),
    ("hơn 2.000 người", "hơn hai nghìn người"),
    ("3.000.000đ", "ba triệu đồng"),
    ("Kết quả: 45/52 hộ đã nộp", "Kết quả: bốn mươi lăm trên năm mươi hai hộ đã nộp"),
    ("chiều 15/10 (tức ngày 23/8 âm lịch)", "chiều mười lăm tháng mười (tức ngày hai mươi ba tháng tám âm lịch)"),
    ("ngày 2/9 và 30/4", "ngày hai tháng chín và ngày ba mươi tháng tư"),
    ("giảm 0,5-1%", "giảm không phẩy năm đến một phần trăm"),
    ("gần 1.000 ha", "gần một nghìn héc-ta"),
    ("diện tích 1.234,56 m2", "diện tích một nghìn hai trăm ba mươi tư phẩy năm mươi sáu mét vuông"),
    ("Mực nước lúc 7h ngày 10/10 là 25,6m", "Mực nước lúc bảy giờ ngày mười tháng mười là hai mươi lăm phẩy sáu mét"),
    (
        "khoản 1 Điều 3 Nghị định số 100/2019/NĐ-CP",
        "khoản một Điều ba Nghị định số một trăm năm hai nghìn không trăm mười chín của Chính phủ",
    ),
]

ROADS = [
    ("ĐT 641", "đường tỉnh sáu trăm bốn mươi mốt"),
    ("ĐT.641", "đường tỉnh sáu trăm bốn mươi mốt"),
    ("ĐT641", "đường tỉnh sáu trăm bốn mươi mốt"),
    ("ĐT-641", "đường tỉnh sáu trăm bốn mươi mốt"),
    ("ĐT 605B", "đường tỉnh sáu trăm linh năm B"),
    ("tuyến ĐT 741 đoạn qua xã", "tuyến đường tỉnh bảy trăm bốn mươi mốt đoạn qua xã"),
    ("Tuyến đường ĐT 741 đi qua", "Tuyến đường tỉnh bảy trăm bốn mươi mốt đi qua"),
    ("dọc theo đường ĐH 12", "dọc theo đường huyện mười hai"),
    ("QL 1A", "quốc lộ một A"),
    ("QL1A", "quốc lộ một A"),
    ("QL.14", "quốc lộ mười bốn"),
    ("QL14C", "quốc lộ mười bốn C"),
    ("ĐH 12", "đường huyện mười hai"),
    ("TL 10", "tỉnh lộ mười"),
    ("TL10", "tỉnh lộ mười"),
    ("HL 2", "hương lộ hai"),
    (
        "Km 25+400 tuyến ĐT 641 đoạn qua xã Phú Mỡ.",
        "ki-lô-mét hai mươi lăm cộng bốn trăm tuyến đường tỉnh sáu trăm bốn mươi mốt đoạn qua xã Phú Mỡ.",
    ),
    ("ngã ba QL25 và ĐT643", "ngã ba quốc lộ hai mươi lăm và đường tỉnh sáu trăm bốn mươi ba"),
    # The same letters before a telephone number, or with no number, keep their other meanings.
    ("ĐT: 0912 345 678", "điện thoại: không chín một hai, ba bốn năm, sáu bảy tám"),
    ("ĐT 0912345678", "điện thoại không chín một hai, ba bốn năm, sáu bảy tám"),
    ("ĐT 1900 9068", "điện thoại một chín không không, chín không sáu tám"),
    ("ĐT 113", "điện thoại một một ba"),
    ("Đường dây nóng ĐT: 113", "Đường dây nóng điện thoại: một một ba"),
    ("ĐT liên hệ: 0912 345 678", "điện thoại liên hệ: không chín một hai, ba bốn năm, sáu bảy tám"),
    ("kỳ thi ĐH 2025", "kỳ thi đại học hai nghìn không trăm hai mươi lăm"),
    ("các tuyến QL", "các tuyến quốc lộ"),
]

HOUSE_NUMBERS = [
    ("số 12/3 đường Lê Lợi", "số mười hai trên ba đường Lê Lợi"),
    ("Số 12/3 Lê Lợi", "Số mười hai trên ba Lê Lợi"),
    ("số nhà 12/3, đường Lê Lợi", "số nhà mười hai trên ba, đường Lê Lợi"),
    ("trú tại số 12/3.", "trú tại số mười hai trên ba."),
    ("ngõ 45/2 phố Huế", "ngõ bốn mươi lăm trên hai phố Huế"),
    ("ngõ 12/3/5 phố Huế", "ngõ mười hai trên ba trên năm phố Huế"),
    ("ngách 12/3", "ngách mười hai trên ba"),
    ("hẻm 123/4 đường Trần Phú", "hẻm một trăm hai mươi ba trên bốn đường Trần Phú"),
    ("kiệt 12/5 Hùng Vương", "kiệt mười hai trên năm Hùng Vương"),
    ("số nhà 25/7/3", "số nhà hai mươi lăm trên bảy trên ba"),
    ("số 12A/3 đường 3/2", "số mười hai A trên ba đường ba tháng hai"),
    ("Địa chỉ: 12/3 Trần Phú, phường 5.", "Địa chỉ: mười hai trên ba Trần Phú, phường năm."),
    ("ngày 12/3, tại số 5/2 đường Lê Lợi", "ngày mười hai tháng ba, tại số năm trên hai đường Lê Lợi"),
    ("Số 12 Lê Lợi, P.5, Q.3, TP.HCM", "Số mười hai Lê Lợi, phường năm, quận ba, thành phố Hồ Chí Minh"),
    ("Tp.HCM", "thành phố Hồ Chí Minh"),
    ("TP HCM", "thành phố Hồ Chí Minh"),
    ("tổ 5, KP 3", "tổ năm, khu phố ba"),
    ("nhà số 7 hẻm 25/3", "nhà số bảy hẻm hai mươi lăm trên ba"),
    ("ĐT.641 Km 12", "đường tỉnh sáu trăm bốn mươi mốt ki-lô-mét mười hai"),
    ("Km12", "ki-lô-mét mười hai"),
    # Dates stay dates.
    ("ngày 12/3", "ngày mười hai tháng ba"),
    ("12/3/2026", "ngày mười hai tháng ba năm hai nghìn không trăm hai mươi sáu"),
]

PLATES = [
    ("biển số 29A-123.45", "biển số hai chín A, một hai ba bốn năm"),
    ("biển số 29A 12345", "biển số hai chín A, một hai ba bốn năm"),
    ("biển số: 29A 12345.", "biển số: hai chín A, một hai ba bốn năm."),
    ("BKS 29A-123.45", "biển kiểm soát hai chín A, một hai ba bốn năm"),
    ("xe mô tô BKS 77H1-234.56", "xe mô tô biển kiểm soát bảy bảy H một, hai ba bốn năm sáu"),
    ("biển kiểm soát 51F-123.45", "biển kiểm soát năm một F, một hai ba bốn năm"),
    ("xe 29LD-123.45 đỗ", "xe hai chín lờ dê, một hai ba bốn năm đỗ"),
    ("biển 59-X1 234.56", "biển năm chín X một, hai ba bốn năm sáu"),
    ("Xe ô tô BKS 78C-123.45 đi hướng Bắc.", "Xe ô tô biển kiểm soát bảy tám C, một hai ba bốn năm đi hướng Bắc."),
    # Without "biển số" and without the plate's dash, a class and a number stay what they are.
    ("lớp 12A 12345", "lớp mười hai A mười hai nghìn ba trăm bốn mươi lăm"),
]

OTHER_FIXES = [
    ("Khoảng 1/3 diện tích lúa bị ngập.", "Khoảng một phần ba diện tích lúa bị ngập."),
    ("Tỷ lệ 1/2 số hộ.", "Tỷ lệ một phần hai số hộ."),
    ("2/3 dân số", "hai phần ba dân số"),
    ("Đợt 2/2026", "Đợt hai năm hai nghìn không trăm hai mươi sáu"),
    ("kỳ 1/2026", "kỳ một năm hai nghìn không trăm hai mươi sáu"),
    ("Bản tin số 05/2026", "Bản tin số năm năm hai nghìn không trăm hai mươi sáu"),
    ("phòng 2.05", "phòng hai chấm không năm"),
    ("Ngày 9/11 (tức 20/9 âm lịch).", "Ngày chín tháng mười một (tức ngày hai mươi tháng chín âm lịch)."),
    ("rằm 15/8 âm lịch", "rằm mười lăm tháng tám âm lịch"),
    ("Ô nhiễm PM2.5 ở mức cao.", "Ô nhiễm pê em hai chấm năm ở mức cao."),
    (
        "vị trí tâm bão ở khoảng 16,0N-112,0E.",
        "vị trí tâm bão ở khoảng mười sáu phẩy không độ Vĩ Bắc, một trăm mười hai phẩy không độ Kinh Đông.",
    ),
    ("tâm bão ở 15,5°N; 114,2°E", "tâm bão ở mười lăm phẩy năm độ Vĩ Bắc, một trăm mười bốn phẩy hai độ Kinh Đông"),
    ("lớp 12N", "lớp mười hai N"),
    ("giá 1.893 đồng/kWh", "giá một nghìn tám trăm chín mươi ba đồng một ki-lô-oát giờ"),
]

COMMEMORATIONS = [
    ("Chào mừng ngày Nhà giáo Việt Nam 20-11.", "Chào mừng ngày Nhà giáo Việt Nam hai mươi tháng mười một."),
    ("Quốc khánh 2-9", "Quốc khánh hai tháng chín"),
    ("nhân ngày Quốc tế Phụ nữ 8-3", "nhân ngày Quốc tế Phụ nữ tám tháng ba"),
    ("ngày 20-11", "ngày hai mươi tháng mười một"),
    ("dịp lễ 30-4, 1-5", "dịp lễ ba mươi tháng tư, một tháng năm"),
    ("ngày 30-4 và 1-5", "ngày ba mươi tháng tư và một tháng năm"),
    (
        "Kỷ niệm 95 năm ngày thành lập Đảng Cộng sản Việt Nam 3-2",
        "Kỷ niệm chín mươi lăm năm ngày thành lập Đảng Cộng sản Việt Nam ba tháng hai",
    ),
    ("lúc 12 giờ trưa ngày 10-11", "lúc mười hai giờ trưa ngày mười tháng mười một"),
    ("từ 23 đến 27/11", "từ hai mươi ba đến hai mươi bảy tháng mười một"),
    # Ranges and scores with the same figures stay ranges and scores.
    ("các ngày 1-5", "các ngày một đến năm"),
    ("các ngày 10-11", "các ngày mười đến mười một"),
    ("trong 2 ngày 10-11", "trong hai ngày mười đến mười một"),
    ("ngày 10-11/12", "ngày mười đến mười một tháng mười hai"),
    ("ngày 1-5 tháng 6", "ngày một đến năm tháng sáu"),
    ("từ 1-5 tuổi", "từ một đến năm tuổi"),
    ("tỷ số 3-2", "tỷ số ba - hai"),
]

HOUR_RANGES = [
    ("từ 7-9h sáng", "từ bảy đến chín giờ sáng"),
    ("từ 7 - 9h30", "từ bảy giờ đến chín giờ ba mươi"),
    ("mưa trong 1-2h tới", "mưa trong một đến hai giờ tới"),
    ("diện tích 7-9ha", "diện tích bảy đến chín héc-ta"),
    ("trong 48h tới", "trong bốn mươi tám giờ tới"),
    ("trong 24-72h tới", "trong hai mươi tư đến bảy mươi hai giờ tới"),
]

PARTY_DOCUMENTS = [
    ("Nghị quyết 18-NQ/TW", "Nghị quyết mười tám của Trung ương"),
    (
        "Thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị",
        "Thực hiện Nghị quyết số năm mươi bảy ngày hai mươi hai tháng mười hai năm hai nghìn không trăm hai "
        "mươi tư của Bộ Chính trị",
    ),
    ("Kết luận số 127-KL/TW", "Kết luận số một trăm hai mươi bảy của Trung ương"),
    ("Quy định 144-QĐ/TW", "Quy định một trăm bốn mươi tư của Trung ương"),
    ("Chỉ thị số 05-CT/TU của Tỉnh ủy", "Chỉ thị số năm của Tỉnh ủy"),
    ("theo 35-HD/BTGTW", "theo ba mươi lăm, hướng dẫn của Ban Tuyên giáo Trung ương"),
    ("Kế hoạch số 12-KH/ĐU", "Kế hoạch số mười hai của Đảng ủy"),
]

FLOODS_AND_VESSELS = [
    ("mực nước trên BĐ3 0,2m", "mực nước trên báo động ba không phẩy hai mét"),
    (
        "Mực nước lúc 7h ngày 15/11 là 8,52m, dưới BĐ2 0,48m.",
        "Mực nước lúc bảy giờ ngày mười lăm tháng mười một là tám phẩy năm mươi hai mét, dưới báo động hai "
        "không phẩy bốn mươi tám mét.",
    ),
    ("vượt BĐ 1", "vượt báo động một"),
    ("mức BĐII", "mức báo động hai"),
    ("tàu cá QNg 90123 TS", "tàu cá Quảng Ngãi chín không một hai ba tê ét"),
    (
        "Tàu cá BĐ 97123-TS có 12 thuyền viên.",
        "Tàu cá Bình Định chín bảy một hai ba tê ét có mười hai thuyền viên.",
    ),
    ("tàu BTh-98765-TS", "tàu Bình Thuận chín tám bảy sáu năm tê ét"),
    ("tàu KG 91234TS", "tàu Kiên Giang chín một hai ba bốn tê ét"),
]

SOUTH = [
    ("105 hộ", "một trăm lẻ năm hộ"),
    ("năm 2021", "năm hai ngàn không trăm hai mươi mốt"),
    ("25.000đ/kg", "hai mươi lăm ngàn đồng một ki-lô-gam"),
    ("164/164 xã", "một trăm sáu mươi bốn trên một trăm sáu mươi bốn xã"),
    ("ngày 24/12/2026", "ngày hai mươi bốn tháng mười hai năm hai ngàn không trăm hai mươi sáu"),
    ("lúc 7h30", "lúc bảy giờ ba mươi"),
    ("1.785 hộ", "một ngàn bảy trăm tám mươi lăm hộ"),
    ("hai mươi tư", "hai mươi tư"),
    ("2.008 người", "hai ngàn không trăm lẻ tám người"),
    ("ĐT 605", "đường tỉnh sáu trăm lẻ năm"),
    ("hẻm 105/24", "hẻm một trăm lẻ năm trên hai mươi bốn"),
    (
        "Quyết định số 52/2016/QĐ-TTg",
        "Quyết định số năm mươi hai năm hai ngàn không trăm mười sáu của Thủ tướng Chính phủ",
    ),
]

LEGACY = [
    ("Th«ng b¸o cña UBND x·", "Thông báo của Ủy ban nhân dân xã"),
    ("Tr¹m Y tÕ x· tæ chøc tiªm chñng", "Trạm Y tế xã tổ chức tiêm chủng"),
    ("Bµ con chó ý", "Bà con chú ý"),
    ("§µi TruyÒn thanh x·", "Đài Truyền thanh xã"),
    ("n¨m 2026", "năm hai nghìn không trăm hai mươi sáu"),
    ("Thoâng baùo cuûa UBND xaõ", "Thông báo của Ủy ban nhân dân xã"),
    ("Traïm Y teá xaõ toå chöùc tieâm chuûng", "Trạm Y tế xã tổ chức tiêm chủng"),
    ("Ñaøi Truyeàn thanh xaõ", "Đài Truyền thanh xã"),
    ("Baø con chuù yù", "Bà con chú ý"),
    ("ThÃ´ng bÃ¡o cá»§a UBND xÃ£", "Thông báo của Ủy ban nhân dân xã"),
]

SENTENCES = [
    (
        "Mọi thắc mắc xin liên hệ số 0258 3851 234.",
        "Mọi thắc mắc xin liên hệ số không hai năm tám, ba tám năm một, hai ba bốn.",
    ),
    (
        "Tiêm vắc-xin cho trẻ từ 1-5 tuổi vào lúc 7h30 sáng thứ Bảy, ngày 12/12/2026, tại Hội trường ấp 2.",
        "Tiêm vắc-xin cho trẻ từ một đến năm tuổi vào lúc bảy giờ ba mươi sáng thứ Bảy, ngày mười hai tháng "
        "mười hai năm hai nghìn không trăm hai mươi sáu, tại Hội trường ấp hai.",
    ),
    (
        "Mỗi học viên được hỗ trợ 100.000đ/ngày.",
        "Mỗi học viên được hỗ trợ một trăm nghìn đồng một ngày.",
    ),
    (
        "Từ ngày 1/7/2025, mức lương cơ sở là 2.340.000 đồng/tháng.",
        "Từ ngày một tháng bảy năm hai nghìn không trăm hai mươi lăm, mức lương cơ sở là hai triệu ba trăm bốn "
        "mươi nghìn đồng một tháng.",
    ),
    (
        "Hộ cận nghèo được hỗ trợ 25%.",
        "Hộ cận nghèo được hỗ trợ hai mươi lăm phần trăm.",
    ),
    (
        "Tổ 4-6 nộp ngày 21/11. Hạn cuối là ngày 30/11/2026.",
        "Tổ bốn đến sáu nộp ngày hai mươi mốt tháng mười một. Hạn cuối là ngày ba mươi tháng mười một năm hai "
        "nghìn không trăm hai mươi sáu.",
    ),
    (
        "Bão số 5 có sức gió mạnh nhất cấp 12 (118-133 km/h), giật cấp 15.",
        "Bão số năm có sức gió mạnh nhất cấp mười hai (một trăm mười tám đến một trăm ba mươi ba ki-lô-mét "
        "trên giờ), giật cấp mười lăm.",
    ),
    (
        "Hồi 16h00 ngày 10/10, vị trí tâm bão ở khoảng 17,5 độ Vĩ Bắc; 110,2 độ Kinh Đông.",
        "Hồi mười sáu giờ ngày mười tháng mười, vị trí tâm bão ở khoảng mười bảy phẩy năm độ Vĩ Bắc; một trăm "
        "mười phẩy hai độ Kinh Đông.",
    ),
    (
        "Lúc 14h30 hôm nay, mực nước sông Ba tại Củng Sơn là 29,5m, trên báo động 3 là 0,5m.",
        "Lúc mười bốn giờ ba mươi hôm nay, mực nước sông Ba tại Củng Sơn là hai mươi chín phẩy năm mét, trên "
        "báo động ba là không phẩy năm mét.",
    ),
    (
        "Đến nay 100% hộ dân đã được cấp thẻ BHYT.",
        "Đến nay một trăm phần trăm hộ dân đã được cấp thẻ bảo hiểm y tế.",
    ),
    (
        "Năm 2026, xã phấn đấu có 85% hộ gia đình đạt danh hiệu gia đình văn hóa.",
        "Năm hai nghìn không trăm hai mươi sáu, xã phấn đấu có tám mươi lăm phần trăm hộ gia đình đạt danh "
        "hiệu gia đình văn hóa.",
    ),
    (
        "UBND xã đề nghị các thôn hoàn thành thu quỹ trước ngày 15/12.",
        "Ủy ban nhân dân xã đề nghị các thôn hoàn thành thu quỹ trước ngày mười lăm tháng mười hai.",
    ),
    (
        "Giá lúa tươi hôm nay 7.500đ/kg, lúa khô 9.200 đ/kg.",
        "Giá lúa tươi hôm nay bảy nghìn năm trăm đồng một ki-lô-gam, lúa khô chín nghìn hai trăm đồng một ki-lô-gam.",
    ),
    (
        "Dự báo nhiệt độ thấp nhất 12-15°C, vùng núi có nơi dưới 10°C.",
        "Dự báo nhiệt độ thấp nhất mười hai đến mười lăm độ xê, vùng núi có nơi dưới mười độ xê.",
    ),
    (
        "Kỳ họp thứ 10 HĐND xã khóa XXII, nhiệm kỳ 2021-2026.",
        "Kỳ họp thứ mười Hội đồng nhân dân xã khóa hai mươi hai, nhiệm kỳ hai nghìn không trăm hai mươi mốt đến "
        "hai nghìn không trăm hai mươi sáu.",
    ),
    (
        "Thời gian: 02 ngày (24-25/9/2026).",
        "Thời gian: hai ngày (ngày hai mươi tư đến hai mươi lăm tháng chín năm hai nghìn không trăm hai mươi sáu).",
    ),
]


@pytest.mark.parametrize("text", PASSTHROUGH)
def test_ordinary_text_passes_through_untouched(text: str) -> None:
    assert normalize(text) == text


@pytest.mark.parametrize(
    ("written", "spoken"),
    NUMBERS + DATES + TIMES + RANGES_AND_COUNTS + PERCENT_MONEY + UNITS + PHONES + CITATIONS + ROMAN,
)
def test_reading(written: str, spoken: str) -> None:
    assert normalize(written) == spoken


@pytest.mark.parametrize(("written", "spoken"), ABBREVIATIONS + ORDINALS + SENTENCES + MORE)
def test_words_and_sentences(written: str, spoken: str) -> None:
    assert normalize(written) == spoken


@pytest.mark.parametrize(
    ("written", "spoken"),
    ROADS + HOUSE_NUMBERS + PLATES + OTHER_FIXES + COMMEMORATIONS + HOUR_RANGES + FLOODS_AND_VESSELS + PARTY_DOCUMENTS,
)
def test_roads_addresses_plates_and_fractions(written: str, spoken: str) -> None:
    assert normalize(written) == spoken


@pytest.mark.parametrize(("written", "spoken"), SOUTH)
def test_southern_reading(written: str, spoken: str) -> None:
    assert normalize(written, variant=ReadingVariant.SOUTH) == spoken


@pytest.mark.parametrize(("written", "spoken"), LEGACY)
def test_legacy_encodings_are_converted(written: str, spoken: str) -> None:
    assert normalize(written) == spoken


def test_decomposed_unicode_becomes_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Thông báo của Ủy ban nhân dân xã")
    assert decomposed != "Thông báo của Ủy ban nhân dân xã"
    assert normalize(decomposed) == "Thông báo của Ủy ban nhân dân xã"


CORPUS = Path("/work/shared/corpus/announcements.md")


def _corpus_blocks() -> list[str]:
    text = CORPUS.read_text(encoding="utf-8")
    return [block.strip() for block in text.split("---")[1:] if block.strip()]


@pytest.mark.skipif(not CORPUS.exists(), reason="the shared corpus lives beside the repository")
def test_corpus_leaves_no_digits_and_keeps_every_sentence() -> None:
    for block in _corpus_blocks():
        spoken = normalize(block)
        assert not any(ch.isdigit() for ch in spoken), spoken
        assert spoken.count(".") <= block.count(".")
        assert unicodedata.is_normalized("NFC", spoken)


def test_station_lexicon_adds_and_overrides_entries() -> None:
    lexicon = Lexicon.builtin().with_toml(
        '[abbreviations]\n"TDP" = "tổ dân phố"\n"HTX" = "hợp tác xã dịch vụ"\n\n[words]\n"Ea H\'leo" = "Ê a Hơ-lê-ô"\n'
    )
    assert normalize("TDP 3 và HTX", lexicon=lexicon) == "tổ dân phố ba và hợp tác xã dịch vụ"
    assert normalize("huyện EA H'LEO", lexicon=lexicon) == "huyện Ê a Hơ-lê-ô"
    assert normalize("UBND", lexicon=lexicon) == "Ủy ban nhân dân"


@pytest.mark.parametrize(
    ("toml", "fragment"),
    [
        ("[abbreviations\n", "dòng 1"),
        ('[abbreviations]\n"HTX" = 3\n', "«HTX»"),
        ('[extra]\n"HTX" = "x"\n', "[extra]"),
        ('abbreviations = "x"\n', "[abbreviations]"),
    ],
)
def test_malformed_lexicon_is_reported_in_vietnamese(toml: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Lexicon.builtin().with_toml(toml, source="lexicon.toml")
    assert "lexicon.toml" in caught.value.message
    assert fragment in caught.value.message
