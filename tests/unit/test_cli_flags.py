"""The command line names the option an error's field concerns; services and the domain say it in words."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import click

from truyenthanh.cli.flags import COMMON, OptionNames, error_text, naming, option_names
from truyenthanh.domain.enums import Priority
from truyenthanh.domain.schedule import (
    Conflict,
    ConflictKind,
    ConflictReport,
    Misfire,
    Occurrence,
    Resolution,
    ScheduleConflictError,
)
from truyenthanh.errors import ScheduleError, WorkflowError

HN = ZoneInfo("Asia/Ho_Chi_Minh")
NAMES = OptionNames(
    fields={"time": "--time"}, choices={Resolution.SHIFT: "--resolve shift", Resolution.FORCE: "--force"}
)


def test_an_error_names_the_option_of_its_field() -> None:
    error = ScheduleError("Lịch lặp cần giờ phát (GG:PP).", field="time")
    assert error_text(error, NAMES) == "Lỗi lịch phát (--time): Lịch lặp cần giờ phát (GG:PP)."
    assert error_text(ScheduleError("Sai.", field="rrule"), NAMES) == "Lỗi lịch phát: Sai."  # not named here
    assert error_text(ScheduleError("Sai."), NAMES) == "Lỗi lịch phát: Sai."
    # Common names serve every command; an option already in the message is not repeated.
    reason = WorkflowError("Từ chối phải ghi rõ lý do.", field="reason")
    assert error_text(reason) == "Không đúng quy trình duyệt (--reason): Từ chối phải ghi rõ lý do."
    assert error_text(WorkflowError("Thiếu --reason.", field="reason")) == "Không đúng quy trình duyệt: Thiếu --reason."


def test_a_conflict_names_the_option_for_each_choice() -> None:
    start = datetime(2026, 11, 23, 21, 30, tzinfo=UTC)
    occurrence = Occurrence(None, 1, "Nhạc", start, 60, Priority.NORMAL, Misfire(), order=0)
    report = ConflictReport(
        (Conflict(ConflictKind.QUIET_HOURS, occurrence, "«Nhạc» rơi vào giờ yên tĩnh."),),
        shift_to=datetime(2026, 11, 23, 22, 0, tzinfo=UTC),
    )
    error = ScheduleConflictError(report, HN)
    assert "(--" not in error.message
    assert "Có thể chọn: dời sang 05:00; hoặc vẫn lưu như vậy." in error.message
    text = error_text(error, NAMES)
    assert text.startswith("Lỗi lịch phát: Không lưu lịch phát vì:\n«Nhạc» rơi vào giờ yên tĩnh.")
    assert "Có thể chọn: dời sang 05:00 (--resolve shift); hoặc vẫn lưu như vậy (--force)." in text


def test_a_command_sets_its_names_for_the_whole_invocation() -> None:
    seen: list[OptionNames] = []

    @click.group()
    @click.pass_context
    def group(ctx: click.Context) -> None:
        ctx.call_on_close(lambda: seen.append(option_names(ctx)))

    @group.command()
    @naming(NAMES)
    def add() -> None:
        """A command that names its fields."""

    @group.command()
    def other() -> None:
        """A command that does not."""

    assert group.main(["add"], standalone_mode=False) is None
    assert group.main(["other"], standalone_mode=False) is None
    assert seen == [NAMES, COMMON]
