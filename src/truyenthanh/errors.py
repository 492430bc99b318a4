"""One root error for everything a person should read; subclasses per concern.

Adapters translate library exceptions into these. Every message is Vietnamese and says what is wrong and
where (file, line, field) when that is known.
"""

from __future__ import annotations


class TruyenthanhError(Exception):
    """Root of all errors shown to users.

    Attributes:
        title: a short Vietnamese heading ("Lỗi cấu hình").
        message: the full Vietnamese explanation, saying what is wrong and where.
        field: the input the error concerns (``"time"``, ``"rrule"``...), if one; each interface names it its
            own way (the CLI as a flag, the TUI as a form field's label). ``None``: not about one input.
    """

    title = "Lỗi"
    exit_code = 1
    """Exit status of a command that ends with this error."""

    def __init__(self, message: str, *, title: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if title is not None:
            self.title = title

    def __str__(self) -> str:
        return f"{self.title}: {self.message}"


class ConfigError(TruyenthanhError):
    """The configuration file or a setting is wrong."""

    title = "Lỗi cấu hình"


class StorageError(TruyenthanhError):
    """The station's database or media folder cannot be used."""


class TamperedRecordError(StorageError):
    """A stored record cannot be read back as the program wrote it: the database was changed from outside.

    Commands end with exit status 2, as ``audit verify`` does for a broken chain.
    """

    title = "Dữ liệu lịch sử bị can thiệp"
    exit_code = 2

    title = "Lỗi dữ liệu"


class NotFoundError(TruyenthanhError):
    """A record the user named does not exist."""

    title = "Không tìm thấy"


class AudioError(TruyenthanhError):
    """An audio file cannot be read, decoded or played."""

    title = "Lỗi âm thanh"


class ProgrammeError(TruyenthanhError):
    """A programme or one of its items cannot be saved as asked."""

    title = "Lỗi chương trình"


class LibraryError(TruyenthanhError):
    """A library entry cannot be created or changed as asked (bad title, language tag...)."""

    title = "Lỗi thư viện âm thanh"


class ScheduleError(TruyenthanhError):
    """A schedule cannot be saved or expanded."""

    title = "Lỗi lịch phát"


class FleetError(TruyenthanhError):
    """Something about the IP loudspeaker clusters: a message that cannot be read, an enrolment code that is
    wrong, used or expired, a zone or receiver that does not exist, a broker that cannot be configured."""

    title = "Lỗi cụm loa"


class SpeechError(TruyenthanhError):
    """Text could not be turned into speech."""

    title = "Lỗi đọc văn bản"


class PackageError(TruyenthanhError):
    """A programme file or package is malformed, unsafe or untrusted."""

    title = "Lỗi gói chương trình"


class PermissionDeniedError(TruyenthanhError):
    """The current user's role does not allow the action."""

    title = "Không có quyền"


class DaemonError(TruyenthanhError):
    """The playout daemon is not reachable or refused a command."""

    title = "Lỗi dịch vụ phát"


class LoginError(TruyenthanhError):
    """A login failed: unknown user, wrong password or disabled account."""

    title = "Đăng nhập không thành công"


class WorkflowError(TruyenthanhError):
    """Content cannot move to the asked state of the approval workflow from where it is."""

    title = "Không đúng quy trình duyệt"


class ReportError(TruyenthanhError):
    """A report cannot be built or written."""

    title = "Lỗi lập báo cáo"
