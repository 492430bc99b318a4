"""The sourced table of administrative abbreviations that grows the built-in lexicon.

Each :class:`Entry` says where the abbreviation is used as written (a decree, a law, a circular, the corpus of
announcements), so a station can check a reading before it changes it. Only unambiguous forms are here: letters
that mean different things in different places (TT, BCH, CT, Q.) are read by :mod:`.context`, and the short
document kinds (QĐ, KH, TB) only inside a document symbol.
"""

from __future__ import annotations

from typing import NamedTuple


class Entry(NamedTuple):
    """One abbreviation: how it is written, how it is read, and where it is used so."""

    written: str
    reading: str
    source: str


SOURCES: dict[str, str] = {
    "ND30": "Nghị định 30/2020/NĐ-CP về công tác văn thư (thể thức, chữ viết tắt)",
    "GRASS": "Nghị định 49/2024/NĐ-CP về hoạt động thông tin cơ sở",
    "PARTY": "Quy định 66-QĐ/TW, Hướng dẫn 36-HD/VPTW (văn bản của Đảng, đoàn thể)",
    "STATE": "Luật Tổ chức Chính phủ, Luật Tổ chức chính quyền địa phương",
    "DEPT": "Nghị định 24/2014/NĐ-CP, 37/2014/NĐ-CP (cơ quan chuyên môn tỉnh, huyện)",
    "HEALTH": "Luật Phòng, chống bệnh truyền nhiễm 2007; văn bản ngành y tế, dân số",
    "AGRI": "Luật Thú y 2015, Luật Trồng trọt 2018, Luật Lâm nghiệp 2017, Luật Thủy sản 2017",
    "POWER": "Luật Điện lực; Nghị định 14/2014/NĐ-CP về an toàn điện",
    "WORKS": "Luật Đất đai 2024, Luật Xây dựng, Luật Đầu tư công, Luật Bảo vệ môi trường 2020",
    "PCTT": "Luật Phòng, chống thiên tai 2013; Nghị định 66/2021/NĐ-CP; tin cảnh báo của corpus",
    "MIL": "Luật Dân quân tự vệ 2019, Luật Nghĩa vụ quân sự 2015, Luật Quốc phòng 2018",
    "SECURITY": "Luật Công an nhân dân 2018, Luật Xử lý vi phạm hành chính 2012, Luật PCCC và CNCH 2024",
    "TRAFFIC": "Luật Trật tự, an toàn giao thông đường bộ 2024",
    "EDU": "Luật Giáo dục 2019",
    "SOC": "Luật Bảo hiểm xã hội 2024, Luật Bảo hiểm y tế, Nghị định 07/2021/NĐ-CP, Luật Trẻ em 2016",
    "NTM": "Quyết định 263/QĐ-TTg năm 2022 (nông thôn mới), Quyết định 919/QĐ-TTg năm 2022 (OCOP)",
    "ECON": "Luật Doanh nghiệp 2020, Luật Ngân sách nhà nước 2015, Luật Quản lý thuế 2019",
    "SCI": "Luật Khoa học và Công nghệ; Quyết định 749/QĐ-TTg năm 2020 (chuyển đổi số)",
    "PROV": "Quyết định 124/2004/QĐ-TTg (đơn vị hành chính); tên địa phương, vùng viết tắt trong văn bản",
}
"""Short keys of the sources, and what they are."""

_TABLE = """
TM.|Thay mặt|ND30
KT.|Ký thay|ND30
TL.|Thừa lệnh|ND30
TUQ.|Thừa ủy quyền|ND30
T/M|Thay mặt|ND30
K/T|Ký thay|ND30
T/L|Thừa lệnh|ND30
VP|Văn phòng|ND30
VT|Văn thư|ND30
LĐVP|Lãnh đạo Văn phòng|ND30
TTr|tờ trình|ND30
TTLT|thông tư liên tịch|ND30
GGT|giấy giới thiệu|ND30
GUQ|giấy ủy quyền|ND30
CTr|chương trình|ND30
TTg|Thủ tướng Chính phủ|ND30
KGVX|Khoa giáo - Văn xã|ND30
NC|Nội chính|ND30
TCCB|Tổ chức cán bộ|ND30
HCTC|Hành chính - Tổ chức|ND30
TCHC|Tổ chức - Hành chính|ND30
KTTH|Kinh tế tổng hợp|ND30
VHXH|Văn hóa - Xã hội|ND30
TCKH|Tài chính - Kế hoạch|ND30
TC-KH|Tài chính - Kế hoạch|ND30
KT-HT|Kinh tế - Hạ tầng|ND30
KTHT|Kinh tế - Hạ tầng|ND30
QLĐT|Quản lý đô thị|ND30
TP-HT|Tư pháp - Hộ tịch|ND30
ĐC-XD|Địa chính - Xây dựng|ND30
ĐC-NN|Địa chính - Nông nghiệp|ND30
TTCS|thông tin cơ sở|GRASS
TTĐT|Trang thông tin điện tử|GRASS
CTTĐT|Cổng thông tin điện tử|GRASS
QPPL|quy phạm pháp luật|GRASS
VBQPPL|văn bản quy phạm pháp luật|GRASS
BTG|Ban Tuyên giáo|GRASS
BTGTU|Ban Tuyên giáo Tỉnh ủy|GRASS
BTGHU|Ban Tuyên giáo Huyện ủy|GRASS
BTGDV|Ban Tuyên giáo và Dân vận|GRASS
TTTU|Thường trực Tỉnh ủy|GRASS
TTHU|Thường trực Huyện ủy|GRASS
TTĐU|Thường trực Đảng ủy|GRASS
BTVTU|Ban Thường vụ Tỉnh ủy|GRASS
BTVHU|Ban Thường vụ Huyện ủy|GRASS
BTVĐU|Ban Thường vụ Đảng ủy|GRASS
BDV|Ban Dân vận|GRASS
BTCTU|Ban Tổ chức Tỉnh ủy|GRASS
UBKT|Ủy ban Kiểm tra|GRASS
UBKTTU|Ủy ban Kiểm tra Tỉnh ủy|GRASS
BNC|Ban Nội chính|GRASS
BCSĐ|Ban cán sự đảng|GRASS
ĐĐBQH|Đoàn đại biểu Quốc hội|GRASS
TTHĐND|Thường trực Hội đồng nhân dân|GRASS
UBMTTQVN|Ủy ban Mặt trận Tổ quốc Việt Nam|GRASS
UBMTTQ VN|Ủy ban Mặt trận Tổ quốc Việt Nam|GRASS
MTTQ VN|Mặt trận Tổ quốc Việt Nam|GRASS
ĐTTH|Đài Truyền thanh - Truyền hình|GRASS
ĐPTTH|Đài Phát thanh - Truyền hình|GRASS
ĐTT|Đài Truyền thanh|GRASS
PTTT|phát thanh, truyền thanh|GRASS
TTVH|Trung tâm Văn hóa|GRASS
TTVH-TT|Trung tâm Văn hóa - Thể thao|GRASS
TTVHTT|Trung tâm Văn hóa - Thể thao|GRASS
VH-TT-TT|Văn hóa - Thông tin - Thể thao|GRASS
VHTTTT|Văn hóa, Thể thao và Truyền thông|GRASS
TDĐKXDĐSVH|Toàn dân đoàn kết xây dựng đời sống văn hóa|GRASS
NVH|Nhà văn hóa|GRASS
BĐVHX|Bưu điện văn hóa xã|GRASS
CQĐT|chính quyền điện tử|GRASS
CQS|chính quyền số|GRASS
CSDL|cơ sở dữ liệu|GRASS
TTHC|thủ tục hành chính|GRASS
DVCTT|dịch vụ công trực tuyến|GRASS
BPMC|Bộ phận Một cửa|GRASS
TN&TKQ|tiếp nhận và trả kết quả|GRASS
ĐDBQH|đại biểu Quốc hội|GRASS
ĐCSVN|Đảng Cộng sản Việt Nam|PARTY
ĐCS|Đảng Cộng sản|PARTY
BBT|Ban Bí thư|PARTY
BCHTW|Ban Chấp hành Trung ương|PARTY
BCH TW|Ban Chấp hành Trung ương|PARTY
BCHTU|Ban Chấp hành Tỉnh ủy|PARTY
BCHĐB|Ban Chấp hành Đảng bộ|PARTY
ĐBTU|Đảng bộ tỉnh|PARTY
TCCSĐ|tổ chức cơ sở đảng|PARTY
HTCT|hệ thống chính trị|PARTY
CT-XH|chính trị - xã hội|PARTY
CTXH|chính trị - xã hội|PARTY
VPTU|Văn phòng Tỉnh ủy|PARTY
VPHU|Văn phòng Huyện ủy|PARTY
VPTW|Văn phòng Trung ương Đảng|PARTY
TƯĐ|Trung ương Đoàn|PARTY
TWĐ|Trung ương Đoàn|PARTY
ĐTNCS|Đoàn Thanh niên Cộng sản|PARTY
ĐTNCS HCM|Đoàn Thanh niên Cộng sản Hồ Chí Minh|PARTY
TNCS HCM|Thanh niên Cộng sản Hồ Chí Minh|PARTY
HLHTN|Hội Liên hiệp Thanh niên|PARTY
HLHTNVN|Hội Liên hiệp Thanh niên Việt Nam|PARTY
HSV|Hội Sinh viên|PARTY
HCCB|Hội Cựu chiến binh|PARTY
HCTĐ|Hội Chữ thập đỏ|PARTY
CTĐ|Chữ thập đỏ|PARTY
HNCT|Hội Người cao tuổi|PARTY
NCT|người cao tuổi|PARTY
LĐLĐ|Liên đoàn Lao động|PARTY
TLĐLĐVN|Tổng Liên đoàn Lao động Việt Nam|PARTY
CĐCS|Công đoàn cơ sở|PARTY
HLHPNVN|Hội Liên hiệp Phụ nữ Việt Nam|PARTY
HPN|Hội Phụ nữ|PARTY
HNDVN|Hội Nông dân Việt Nam|PARTY
HKH|Hội Khuyến học|PARTY
ĐTN CS HCM|Đoàn Thanh niên Cộng sản Hồ Chí Minh|PARTY
UBTVQH|Ủy ban Thường vụ Quốc hội|STATE
CTN|Chủ tịch nước|STATE
VPQH|Văn phòng Quốc hội|STATE
VPCTN|Văn phòng Chủ tịch nước|STATE
BNG|Bộ Ngoại giao|STATE
BTC|Ban Tổ chức|STATE
BTTTT|Bộ Thông tin và Truyền thông|STATE
BKHCN|Bộ Khoa học và Công nghệ|STATE
BNNMT|Bộ Nông nghiệp và Môi trường|STATE
BDTTG|Bộ Dân tộc và Tôn giáo|STATE
UBDT|Ủy ban Dân tộc|STATE
TTCP|Thanh tra Chính phủ|STATE
KTNN|Kiểm toán Nhà nước|STATE
VKSNDTC|Viện Kiểm sát nhân dân tối cao|STATE
TANDTC|Tòa án nhân dân tối cao|STATE
BHXHVN|Bảo hiểm xã hội Việt Nam|STATE
CCT|Chi cục Thuế|STATE
KBNN|Kho bạc Nhà nước|STATE
TCHQ|Tổng cục Hải quan|STATE
TCTK|Tổng cục Thống kê|STATE
CTK|Cục Thống kê|STATE
UBND-HĐND|Ủy ban nhân dân - Hội đồng nhân dân|STATE
HĐND - UBND|Hội đồng nhân dân - Ủy ban nhân dân|STATE
HĐND&UBND|Hội đồng nhân dân và Ủy ban nhân dân|STATE
VP HĐND&UBND|Văn phòng Hội đồng nhân dân và Ủy ban nhân dân|STATE
VP HĐND-UBND|Văn phòng Hội đồng nhân dân - Ủy ban nhân dân|STATE
VPUBND|Văn phòng Ủy ban nhân dân|STATE
VP UBND|Văn phòng Ủy ban nhân dân|STATE
ĐBHĐND|đại biểu Hội đồng nhân dân|STATE
KTXH|kinh tế - xã hội|STATE
SNV|Sở Nội vụ|DEPT
STP|Sở Tư pháp|DEPT
SKHĐT|Sở Kế hoạch và Đầu tư|DEPT
STC|Sở Tài chính|DEPT
SCT|Sở Công Thương|DEPT
SNNPTNT|Sở Nông nghiệp và Phát triển nông thôn|DEPT
SNN&PTNT|Sở Nông nghiệp và Phát triển nông thôn|DEPT
SNNMT|Sở Nông nghiệp và Môi trường|DEPT
SGTVT|Sở Giao thông vận tải|DEPT
SXD|Sở Xây dựng|DEPT
STNMT|Sở Tài nguyên và Môi trường|DEPT
SKHCN|Sở Khoa học và Công nghệ|DEPT
SGDĐT|Sở Giáo dục và Đào tạo|DEPT
SLĐTBXH|Sở Lao động - Thương binh và Xã hội|DEPT
SVHTTDL|Sở Văn hóa, Thể thao và Du lịch|DEPT
SDTTG|Sở Dân tộc và Tôn giáo|DEPT
BDT|Ban Dân tộc|DEPT
PVHTT|Phòng Văn hóa và Thông tin|DEPT
VH&TT|Văn hóa và Thông tin|DEPT
VH-TT|Văn hóa - Thông tin|DEPT
PNV|Phòng Nội vụ|DEPT
PTP|Phòng Tư pháp|DEPT
PTCKH|Phòng Tài chính - Kế hoạch|DEPT
PKT|Phòng Kinh tế|DEPT
PKTHT|Phòng Kinh tế - Hạ tầng|DEPT
PTNMT|Phòng Tài nguyên và Môi trường|DEPT
PGDĐT|Phòng Giáo dục và Đào tạo|DEPT
PLĐTBXH|Phòng Lao động - Thương binh và Xã hội|DEPT
PYT|Phòng Y tế|DEPT
PVHXH|Phòng Văn hóa - Xã hội|DEPT
CCTK|Chi cục Thống kê|DEPT
CCTHADS|Chi cục Thi hành án dân sự|DEPT
BQLDA|Ban Quản lý dự án|DEPT
BQLDA ĐTXD|Ban Quản lý dự án đầu tư xây dựng|DEPT
TTPTQĐ|Trung tâm Phát triển quỹ đất|DEPT
VPĐKĐĐ|Văn phòng Đăng ký đất đai|DEPT
TTDVNN|Trung tâm Dịch vụ nông nghiệp|DEPT
TTKN|Trung tâm Khuyến nông|DEPT
TTPVHCC|Trung tâm Phục vụ hành chính công|DEPT
TTHCC|Trung tâm Hành chính công|DEPT
LMLM|lở mồm long móng|HEALTH
KHHGĐ|kế hoạch hóa gia đình|HEALTH
DS-KHHGĐ|dân số - kế hoạch hóa gia đình|HEALTH
DS&KHHGĐ|dân số và kế hoạch hóa gia đình|HEALTH
THA|tăng huyết áp|HEALTH
ĐTĐ|đái tháo đường|HEALTH
SXH|sốt xuất huyết|HEALTH
SXHD|sốt xuất huyết Dengue|HEALTH
TCM|tay chân miệng|HEALTH
TCMR|tiêm chủng mở rộng|HEALTH
CSSKBĐ|chăm sóc sức khỏe ban đầu|HEALTH
CSSKSS|chăm sóc sức khỏe sinh sản|HEALTH
BVSKND|bảo vệ sức khỏe nhân dân|HEALTH
BVCSSKND|bảo vệ, chăm sóc sức khỏe nhân dân|HEALTH
YTDP|y tế dự phòng|HEALTH
TTYTDP|Trung tâm Y tế dự phòng|HEALTH
TTKSBT|Trung tâm Kiểm soát bệnh tật|HEALTH
BVĐK|Bệnh viện Đa khoa|HEALTH
BVĐKT|Bệnh viện Đa khoa tỉnh|HEALTH
BV|bệnh viện|HEALTH
PKĐK|Phòng khám Đa khoa|HEALTH
NVYT|nhân viên y tế|HEALTH
YTTB|y tế thôn bản|HEALTH
CTV|cộng tác viên|HEALTH
SDD|suy dinh dưỡng|HEALTH
TNTT|tai nạn thương tích|HEALTH
NĐTP|ngộ độc thực phẩm|HEALTH
VSMT|vệ sinh môi trường|HEALTH
NS-VSMT|nước sạch và vệ sinh môi trường|HEALTH
NSVSMTNT|nước sạch và vệ sinh môi trường nông thôn|HEALTH
BVTV|bảo vệ thực vật|AGRI
TT&BVTV|trồng trọt và bảo vệ thực vật|AGRI
CCTY|Chi cục Thú y|AGRI
CN-TY|chăn nuôi - thú y|AGRI
CNTY|chăn nuôi thú y|AGRI
DTLCP|dịch tả lợn châu Phi|AGRI
DTL|dịch tả lợn|AGRI
VDNC|viêm da nổi cục|AGRI
PRRS|tai xanh|AGRI
GSGC|gia súc, gia cầm|AGRI
ATSH|an toàn sinh học|AGRI
KNKL|khuyến nông khuyến lâm|AGRI
IPM|quản lý dịch hại tổng hợp|AGRI
VietGAP|Việt gáp|AGRI
HTXNN|hợp tác xã nông nghiệp|AGRI
HTX DVNN|hợp tác xã dịch vụ nông nghiệp|AGRI
THT|tổ hợp tác|AGRI
BVR|bảo vệ rừng|AGRI
PCCCR|phòng cháy chữa cháy rừng|AGRI
QLBVR|quản lý bảo vệ rừng|AGRI
HKL|Hạt Kiểm lâm|AGRI
IUU|khai thác hải sản bất hợp pháp, không báo cáo và không theo quy định|AGRI
TBA|trạm biến áp|POWER
ĐZ|đường dây|POWER
MBA|máy biến áp|POWER
HLATĐ|hành lang an toàn lưới điện|POWER
HLAT|hành lang an toàn|POWER
LĐPP|lưới điện phân phối|POWER
LĐHA|lưới điện hạ áp|POWER
EVN|Tập đoàn Điện lực Việt Nam|POWER
EVNNPC|Tổng công ty Điện lực miền Bắc|POWER
EVNCPC|Tổng công ty Điện lực miền Trung|POWER
EVNSPC|Tổng công ty Điện lực miền Nam|POWER
TKNL|tiết kiệm năng lượng|POWER
SDNLTK&HQ|sử dụng năng lượng tiết kiệm và hiệu quả|POWER
ĐMT|điện mặt trời|POWER
GPMB|giải phóng mặt bằng|WORKS
BT-GPMB|bồi thường, giải phóng mặt bằng|WORKS
BTHT|bồi thường, hỗ trợ|WORKS
TĐC|tái định cư|WORKS
XDCB|xây dựng cơ bản|WORKS
ĐTXD|đầu tư xây dựng|WORKS
ĐTC|đầu tư công|WORKS
HTKT|hạ tầng kỹ thuật|WORKS
GTNT|giao thông nông thôn|WORKS
BTXM|bê tông xi măng|WORKS
BTCT|bê tông cốt thép|WORKS
KCHKM|kiên cố hóa kênh mương|WORKS
QHSDĐ|quy hoạch sử dụng đất|WORKS
KHSDĐ|kế hoạch sử dụng đất|WORKS
QSDĐ|quyền sử dụng đất|WORKS
GCNQSDĐ|giấy chứng nhận quyền sử dụng đất|WORKS
GCN QSDĐ|giấy chứng nhận quyền sử dụng đất|WORKS
ĐKĐĐ|đăng ký đất đai|WORKS
TNMT|tài nguyên và môi trường|WORKS
CTR|chất thải rắn|WORKS
CTRSH|chất thải rắn sinh hoạt|WORKS
BĐKH|biến đổi khí hậu|WORKS
BCH PCTT&TKCN|Ban Chỉ huy phòng chống thiên tai và tìm kiếm cứu nạn|PCTT
BCH PCTT-TKCN|Ban Chỉ huy phòng chống thiên tai và tìm kiếm cứu nạn|PCTT
BCHPCTT|Ban Chỉ huy phòng chống thiên tai|PCTT
PCTT&TKCN|phòng chống thiên tai và tìm kiếm cứu nạn|PCTT
PCLB|phòng chống lụt bão|PCTT
PCLB&TKCN|phòng chống lụt bão và tìm kiếm cứu nạn|PCTT
PCLB-TKCN|phòng chống lụt bão và tìm kiếm cứu nạn|PCTT
ƯPSC|ứng phó sự cố|PCTT
ƯPSC&TKCN|ứng phó sự cố và tìm kiếm cứu nạn|PCTT
KTTV|khí tượng thủy văn|PCTT
ĐKTTV|Đài Khí tượng Thủy văn|PCTT
TTDBKTTV|Trung tâm Dự báo khí tượng thủy văn|PCTT
TTDBKTTVQG|Trung tâm Dự báo khí tượng thủy văn quốc gia|PCTT
ATNĐ|áp thấp nhiệt đới|PCTT
RRTT|rủi ro thiên tai|PCTT
QLRRTT|quản lý rủi ro thiên tai|PCTT
QLRRTTDVCĐ|quản lý rủi ro thiên tai dựa vào cộng đồng|PCTT
TKCN|tìm kiếm cứu nạn|PCTT
CHCN|cứu hộ cứu nạn|PCTT
CNCH|cứu nạn cứu hộ|PCTT
PTDS|phòng thủ dân sự|PCTT
BCHQS|Ban Chỉ huy Quân sự|MIL
BCH QS|Ban Chỉ huy Quân sự|MIL
BCHQSX|Ban Chỉ huy Quân sự xã|MIL
BCHQSH|Ban Chỉ huy Quân sự huyện|MIL
BCHQST|Ban Chỉ huy Quân sự tỉnh|MIL
BCHBĐBP|Bộ Chỉ huy Bộ đội Biên phòng|MIL
BĐBP|Bộ đội Biên phòng|MIL
QS|quân sự|MIL
QSĐP|quân sự địa phương|MIL
QK|Quân khu|MIL
QNDB|quân nhân dự bị|MIL
DQ|dân quân|MIL
DQTV|dân quân tự vệ|MIL
DQTT|dân quân thường trực|MIL
DQCĐ|dân quân cơ động|MIL
KVPT|khu vực phòng thủ|MIL
GDQP|giáo dục quốc phòng|MIL
GDQP-AN|giáo dục quốc phòng và an ninh|MIL
GDQPAN|giáo dục quốc phòng và an ninh|MIL
HĐNVQS|Hội đồng nghĩa vụ quân sự|MIL
NVCA|nghĩa vụ công an|MIL
NVQS|nghĩa vụ quân sự|MIL
CAX|Công an xã|SECURITY
CAH|Công an huyện|SECURITY
CAT|Công an tỉnh|SECURITY
CAP|Công an phường|SECURITY
CATP|Công an thành phố|SECURITY
CSGT|cảnh sát giao thông|SECURITY
CSKV|cảnh sát khu vực|SECURITY
CSHS|cảnh sát hình sự|SECURITY
CSĐT|cảnh sát điều tra|SECURITY
PC07|Phòng Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ|SECURITY
PCCC&CNCH|phòng cháy chữa cháy và cứu nạn cứu hộ|SECURITY
PCCC và CNCH|phòng cháy chữa cháy và cứu nạn cứu hộ|SECURITY
ANTQ|an ninh Tổ quốc|SECURITY
BVANTQ|bảo vệ an ninh Tổ quốc|SECURITY
ANTT|an ninh trật tự|SECURITY
ANCT|an ninh chính trị|SECURITY
TTATXH|trật tự an toàn xã hội|SECURITY
ANCS|an ninh cơ sở|SECURITY
BVANTT|bảo vệ an ninh trật tự|SECURITY
BVANTTCS|bảo vệ an ninh, trật tự ở cơ sở|SECURITY
TNXH|tệ nạn xã hội|SECURITY
VPHC|vi phạm hành chính|SECURITY
XLVPHC|xử lý vi phạm hành chính|SECURITY
XPVPHC|xử phạt vi phạm hành chính|SECURITY
TTATGT|trật tự an toàn giao thông|TRAFFIC
ATGTĐB|an toàn giao thông đường bộ|TRAFFIC
TNGT|tai nạn giao thông|TRAFFIC
GPLX|giấy phép lái xe|TRAFFIC
ĐKX|đăng ký xe|TRAFFIC
BHTNDS|bảo hiểm trách nhiệm dân sự|TRAFFIC
GTVT|giao thông vận tải|TRAFFIC
GDMN|giáo dục mầm non|EDU
GDTH|giáo dục tiểu học|EDU
GDPT|giáo dục phổ thông|EDU
PTDTNT|phổ thông dân tộc nội trú|EDU
PTDTBT|phổ thông dân tộc bán trú|EDU
TTHTCĐ|Trung tâm học tập cộng đồng|EDU
PCGD|phổ cập giáo dục|EDU
XMC|xóa mù chữ|EDU
PCGD-XMC|phổ cập giáo dục, xóa mù chữ|EDU
HS|học sinh|EDU
GV|giáo viên|EDU
CBGV|cán bộ, giáo viên|EDU
CBQL|cán bộ quản lý|EDU
BGH|Ban Giám hiệu|EDU
CMHS|cha mẹ học sinh|EDU
THPTQG|trung học phổ thông quốc gia|EDU
TN THPT|tốt nghiệp trung học phổ thông|EDU
TCCN|trung cấp chuyên nghiệp|EDU
ĐTN|Đoàn Thanh niên|EDU
BHXH|bảo hiểm xã hội|SOC
BHYT|bảo hiểm y tế|SOC
BHTN|bảo hiểm thất nghiệp|SOC
BHXHTN|bảo hiểm xã hội tự nguyện|SOC
BHXHBB|bảo hiểm xã hội bắt buộc|SOC
BHYTHGĐ|bảo hiểm y tế hộ gia đình|SOC
NCC|người có công|SOC
NCCVCM|người có công với cách mạng|SOC
TBLS|thương binh, liệt sĩ|SOC
TB-LS|thương binh, liệt sĩ|SOC
BTXH|bảo trợ xã hội|SOC
TGXH|trợ giúp xã hội|SOC
NKT|người khuyết tật|SOC
HCN|hộ cận nghèo|SOC
GNBV|giảm nghèo bền vững|SOC
DTTS|dân tộc thiểu số|SOC
DTTS&MN|dân tộc thiểu số và miền núi|SOC
ĐBDTTS|đồng bào dân tộc thiểu số|SOC
ĐBKK|đặc biệt khó khăn|SOC
GQVL|giải quyết việc làm|SOC
LĐNT|lao động nông thôn|SOC
ĐTNLĐNT|đào tạo nghề cho lao động nông thôn|SOC
TTDVVL|Trung tâm Dịch vụ việc làm|SOC
XKLĐ|xuất khẩu lao động|SOC
BĐG|bình đẳng giới|SOC
VSTBPN|vì sự tiến bộ của phụ nữ|SOC
BLGĐ|bạo lực gia đình|SOC
PCBLGĐ|phòng chống bạo lực gia đình|SOC
TE|trẻ em|SOC
BVCSTE|bảo vệ, chăm sóc trẻ em|SOC
CSXH|chính sách xã hội|SOC
NHCSXH|Ngân hàng Chính sách xã hội|SOC
TK&VV|tiết kiệm và vay vốn|SOC
TTK&VV|tổ tiết kiệm và vay vốn|SOC
NHNo&PTNT|Ngân hàng Nông nghiệp và Phát triển nông thôn|SOC
QTDND|Quỹ tín dụng nhân dân|SOC
NTM|nông thôn mới|NTM
NTMNC|nông thôn mới nâng cao|NTM
NTMKM|nông thôn mới kiểu mẫu|NTM
XDNTM|xây dựng nông thôn mới|NTM
XD NTM|xây dựng nông thôn mới|NTM
CTMTQG|chương trình mục tiêu quốc gia|NTM
MTQG|mục tiêu quốc gia|NTM
KDCNTM|khu dân cư nông thôn mới|NTM
KDCKM|khu dân cư kiểu mẫu|NTM
OCOP|Ô cốp|NTM
SPCL|sản phẩm chủ lực|NTM
HTNT|hạ tầng nông thôn|NTM
CDCCKT|chuyển dịch cơ cấu kinh tế|NTM
CCKT|cơ cấu kinh tế|NTM
DN|doanh nghiệp|ECON
DNNVV|doanh nghiệp nhỏ và vừa|ECON
HKD|hộ kinh doanh|ECON
SXKD|sản xuất kinh doanh|ECON
TM-DV|thương mại - dịch vụ|ECON
TMDV|thương mại dịch vụ|ECON
TMĐT|thương mại điện tử|ECON
TTCN|tiểu thủ công nghiệp|ECON
CN-TTCN|công nghiệp - tiểu thủ công nghiệp|ECON
NSNN|ngân sách nhà nước|ECON
NSĐP|ngân sách địa phương|ECON
TSCĐ|tài sản cố định|ECON
GTSX|giá trị sản xuất|ECON
GRDP|tổng sản phẩm trên địa bàn|ECON
GDP|tổng sản phẩm quốc nội|ECON
TNBQ|thu nhập bình quân|ECON
TNBQĐN|thu nhập bình quân đầu người|ECON
VSATTP|vệ sinh an toàn thực phẩm|ECON
QLTT|quản lý thị trường|ECON
ĐQLTT|Đội Quản lý thị trường|ECON
HVNCLC|hàng Việt Nam chất lượng cao|ECON
GTGT|giá trị gia tăng|ECON
TNCN|thu nhập cá nhân|ECON
TNDN|thu nhập doanh nghiệp|ECON
MST|mã số thuế|ECON
HĐĐT|hóa đơn điện tử|ECON
KH&ĐT|Kế hoạch và Đầu tư|SCI
KHĐT|kế hoạch và đầu tư|SCI
CĐS|chuyển đổi số|SCI
KHCN&ĐMST|khoa học, công nghệ và đổi mới sáng tạo|SCI
ĐMST|đổi mới sáng tạo|SCI
ATTT|an toàn thông tin|SCI
ANM|an ninh mạng|SCI
TTTT|Thông tin và Truyền thông|SCI
BCVT|bưu chính viễn thông|SCI
TP.HN|thành phố Hà Nội|PROV
Tp.HN|thành phố Hà Nội|PROV
TP. HCM|thành phố Hồ Chí Minh|PROV
Tp. HCM|thành phố Hồ Chí Minh|PROV
TP. Hồ Chí Minh|thành phố Hồ Chí Minh|PROV
TP.Hồ Chí Minh|thành phố Hồ Chí Minh|PROV
BR-VT|Bà Rịa - Vũng Tàu|PROV
BRVT|Bà Rịa - Vũng Tàu|PROV
TT-Huế|Thừa Thiên Huế|PROV
TT Huế|Thừa Thiên Huế|PROV
TTH|Thừa Thiên Huế|PROV
ĐBSCL|đồng bằng sông Cửu Long|PROV
ĐBSH|đồng bằng sông Hồng|PROV
ĐNB|Đông Nam Bộ|PROV
TNB|Tây Nam Bộ|PROV
BTB|Bắc Trung Bộ|PROV
NTB|Nam Trung Bộ|PROV
BTB&DHMT|Bắc Trung Bộ và duyên hải miền Trung|PROV
DHMT|duyên hải miền Trung|PROV
DHNTB|duyên hải Nam Trung Bộ|PROV
TDMNPB|trung du và miền núi phía Bắc|PROV
TD&MNPB|trung du và miền núi phía Bắc|PROV
MNPB|miền núi phía Bắc|PROV
KTTĐ|kinh tế trọng điểm|PROV
VKTTĐ|vùng kinh tế trọng điểm|PROV
T.Ư|Trung ương|PROV
HCM|Hồ Chí Minh|PROV
TX.|thị xã|PROV
"""

ENTRIES: tuple[Entry, ...] = tuple(
    Entry(written, reading, SOURCES[key])
    for written, reading, key in (line.split("|") for line in _TABLE.strip().splitlines())
)
"""Every entry of the table, with its source spelled out."""

__all__ = ["ENTRIES", "SOURCES", "Entry"]
