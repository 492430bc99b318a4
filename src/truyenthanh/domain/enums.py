"""Enumerations shared by the whole program, each with its Vietnamese label.

Identifiers are English (see the glossary in DOMAIN.md); :attr:`label` is what a user reads.
Values are stored in the database, so never rename a value: add a migration instead.
"""

from __future__ import annotations

from enum import StrEnum


class LabelledEnum(StrEnum):
    """A string enum whose members are declared as ``NAME = "value", "Vietnamese label"``."""

    _label: str

    def __new__(cls, value: str, label: str = "") -> LabelledEnum:
        """Create a member from its stored value and its Vietnamese label."""
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label or value
        return member

    @property
    def label(self) -> str:
        """The Vietnamese label shown to users."""
        return self._label

    @classmethod
    def parse(cls, raw: str) -> LabelledEnum:
        """Find a member by its value or its Vietnamese label (case-insensitive).

        Raises:
            ValueError: with a Vietnamese message listing the accepted values.
        """
        wanted = raw.strip().casefold()
        for member in cls:
            if wanted in (member.value.casefold(), member.label.casefold()):
                return member
        accepted = ", ".join(f"{m.value} ({m.label})" for m in cls)
        raise ValueError(f"Giá trị không hợp lệ: «{raw}». Chấp nhận: {accepted}.")


class Category(LabelledEnum):
    """Content categories of grassroots information (Decree 49/2024/NĐ-CP, formerly QĐ 52/2016 Art. 3)."""

    POLICY_LAW = "policy_law", "Chủ trương, chính sách, pháp luật"
    LOCAL_DEVELOPMENT = "local_development", "Dự án, chương trình phát triển địa phương"
    LOCAL_AFFAIRS = "local_affairs", "Thông tin chính trị, kinh tế, văn hóa, xã hội địa phương"
    SECURITY_DEFENCE = "security_defence", "Trật tự, an toàn xã hội, quốc phòng, an ninh"
    EMERGENCY = "emergency", "Sự cố, tình huống khẩn cấp"
    EXEMPLARY = "exemplary", "Gương người tốt, việc tốt"
    PRODUCTS_SERVICES = "products_services", "Sản phẩm, dịch vụ phục vụ đời sống"
    ADMINISTRATION = "administration", "Chỉ đạo, điều hành của chính quyền"
    CITIZEN_FEEDBACK = "citizen_feedback", "Trả lời phản ánh, kiến nghị của người dân"
    MUSIC = "music", "Nhạc hiệu, âm nhạc"
    OTHER = "other", "Khác"


class Priority(LabelledEnum):
    """Bulletin priorities of Circular 39/2020/TT-BTTTT."""

    NORMAL = "normal", "Thông thường"
    PRIORITY = "priority", "Ưu tiên"
    EMERGENCY = "emergency", "Khẩn cấp"

    @property
    def rank(self) -> int:
        """Higher is more urgent."""
        return {"normal": 0, "priority": 1, "emergency": 2}[self.value]


class ItemKind(LabelledEnum):
    """What a programme item plays."""

    AUDIO = "audio", "Âm thanh"
    ANNOUNCEMENT = "announcement", "Thông báo"
    JINGLE = "jingle", "Nhạc hiệu"
    SILENCE = "silence", "Khoảng lặng"
    RELAY = "relay", "Tiếp sóng"


class ContentStatus(LabelledEnum):
    """Approval workflow of announcements and programmes."""

    DRAFT = "draft", "Bản nháp"
    WAITING = "waiting", "Chờ duyệt"
    APPROVED = "approved", "Đã duyệt"
    REJECTED = "rejected", "Bị từ chối"
    AIRED = "aired", "Đã phát"


class Outcome(LabelledEnum):
    """How a scheduled broadcast ended, as written to the broadcast log."""

    PLAYED = "played", "Đã phát"
    PARTIAL = "partial", "Phát một phần"
    PREEMPTED = "preempted", "Bị ngắt"
    LATE = "late", "Phát trễ"
    MISSED = "missed", "Bỏ lỡ"
    FAILED = "failed", "Lỗi"
    SKIPPED = "skipped", "Bỏ qua"


class ReadingVariant(LabelledEnum):
    """Regional reading of numbers (nghìn/ngàn, linh/lẻ)."""

    NORTH = "north", "Miền Bắc"
    SOUTH = "south", "Miền Nam"


class WeekendRule(LabelledEnum):
    """Whether the station broadcasts at weekends."""

    ALLOWED = "allowed", "Phát cả cuối tuần"
    NO_SUNDAY = "no_sunday", "Không phát Chủ nhật"
    NO_WEEKEND = "no_weekend", "Không phát Thứ Bảy, Chủ nhật"


class Role(LabelledEnum):
    """Account roles."""

    ADMIN = "admin", "Quản trị"
    EDITOR = "editor", "Biên tập"
    APPROVER = "approver", "Duyệt"
    OPERATOR = "operator", "Vận hành"


class AssetSource(LabelledEnum):
    """Where an audio asset came from."""

    IMPORTED = "imported", "Nhập từ tệp"
    GENERATED = "generated", "Do chương trình tạo"
    TTS = "tts", "Đọc tự động"
    PACKAGE = "package", "Gói từ tuyến trên"
    RECORDED = "recorded", "Thu âm"
