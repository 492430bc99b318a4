"""``truyenthanh schedule ...`` and ``truyenthanh log``: parse, call the scheduling and log services, print."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import click

from truyenthanh.cli.flags import OptionNames, naming
from truyenthanh.cli.login import current_actor
from truyenthanh.cli.state import CliState, pass_state
from truyenthanh.domain.approval import ContentKind
from truyenthanh.domain.enums import ContentStatus, Priority
from truyenthanh.domain.fleet import Targets
from truyenthanh.domain.schedule import (
    DAILY_RRULE,
    WEEKDAY_NAMES,
    WEEKDAYS_RRULE,
    HolidayPolicy,
    LeapPolicy,
    Lunar,
    LunarRule,
    Misfire,
    OneOff,
    Recurring,
    Resolution,
    ScheduleRequest,
    ScheduleSpec,
    Timing,
    describe_targets,
    parse_time_of_day,
    parse_when,
    rrule_for_days,
    timing_of,
    to_lunar,
)
from truyenthanh.errors import AudioError, ScheduleError, TruyenthanhError

if TYPE_CHECKING:
    from truyenthanh.services.scheduling import SavedSchedule, SchedulingService


def _bound(raw: str | None, zone: ZoneInfo, now: datetime, *, end: bool) -> datetime | None:
    """``--from``/``--to``: a date (the whole day) or a moment."""
    if raw is None:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw.strip()):
        day = date.fromisoformat(raw.strip()) + timedelta(days=1 if end else 0)
        return datetime.combine(day, datetime.min.time(), tzinfo=zone).astimezone(UTC)
    return parse_when(raw, zone, now)


def _local(moment: datetime | None, zone: ZoneInfo, fmt: str = "%H:%M:%S %d/%m/%Y") -> str:
    return moment.astimezone(zone).strftime(fmt) if moment else "—"


_TIMING_FIELDS = {
    "timing": "--at hoặc --rrule/--daily/--weekdays/--days/--lunar",
    "lunar": "--lunar",
    "holidays": "--holidays",
    "holiday_programme": "--holiday-programme",
    "at": "--at",
    "rrule": "--rrule/--daily/--weekdays/--days",
    "days": "--days",
    "time": "--time",
    "valid_from": "--from",
    "valid_to": "--to",
    "session": "--session/--session-start",
    "misfire": "--misfire",
    "resolve": "--resolve/--force",
    "zones": "--zone/--all-zones",
    "targets": "--local/--no-local/--zone",
}
_CHOICE_OPTIONS = {r: "--force" if r is Resolution.FORCE else f"--resolve {r.value}" for r in Resolution}

ADD_OPTIONS = OptionNames(fields={**_TIMING_FIELDS, "programme": "CHƯƠNG_TRÌNH"}, choices=_CHOICE_OPTIONS)
"""How ``schedule add`` names the fields of its errors and the conflict choices."""
EDIT_OPTIONS = OptionNames(fields={**_TIMING_FIELDS, "programme": "--programme"}, choices=_CHOICE_OPTIONS)
"""How ``schedule edit`` names the fields of its errors and the conflict choices."""


@click.group()
def schedule() -> None:
    """Lịch phát: thêm, xem, sửa, xóa."""


def _timing_options(command: Callable[..., None]) -> Callable[..., None]:
    """When a schedule plays (``add`` and ``edit``)."""
    for option in reversed(
        [
            click.option(
                "--at", "at_text", help="Phát một lần lúc: «2026-11-24 05:30», «24/11/2026 05:30», «05:30», «+5m»."
            ),
            click.option("--rrule", "rrule_text", help="Quy tắc lặp RFC 5545, ví dụ FREQ=WEEKLY;BYDAY=MO,WE,FR."),
            click.option("--daily", is_flag=True, help="Lặp hằng ngày."),
            click.option("--weekdays", is_flag=True, help="Lặp Thứ Hai đến Thứ Sáu."),
            click.option("--days", "days_text", help="Lặp vào các ngày: t2,t4,t6 hoặc 7,cn."),
            click.option("--time", "time_text", help="Giờ phát của lịch lặp, GG:PP."),
            click.option(
                "--lunar",
                "lunar_text",
                help="Lặp theo âm lịch: «1,15» (mùng 1 và rằm hằng tháng), «23/12» (23 tháng Chạp).",
            ),
            click.option(
                "--lunar-leap",
                type=click.Choice([p.value for p in LeapPolicy]),
                help="Năm có tháng nhuận: both (cả tháng nhuận, mặc định) hoặc regular (chỉ tháng thường).",
            ),
            click.option(
                "--holidays",
                "holidays_text",
                type=click.Choice([p.value for p in HolidayPolicy]),
                help="Ngày lễ và ngày nghỉ: always (vẫn phát), skip (không phát), only (chỉ ngày lễ), swap (phát "
                "--holiday-programme thay thế).",
            ),
            click.option("--holiday-programme", help="Chương trình phát thay vào ngày lễ (số hoặc tên)."),
            click.option(
                "--session-start", help="Phát lúc bắt đầu buổi này (ví dụ «Buổi sáng»), theo giờ từng mùa của đài."
            ),
            click.option("--from", "from_text", help="Bắt đầu hiệu lực (ngày YYYY-MM-DD)."),
            click.option("--to", "to_text", help="Hết hiệu lực (ngày YYYY-MM-DD, tính cả ngày đó)."),
        ]
    ):
        command = option(command)
    return command


@dataclass(frozen=True)
class TargetFlags:
    """Where a schedule airs, as the flags said it: ``None`` for what they left as it was."""

    local: bool | None = None
    zones: tuple[str, ...] | None = None
    all_zones: bool = False

    def apply(self, current: Targets) -> Targets:
        """``current`` changed as the flags say (``Targets()`` for a new schedule: local and every zone).

        Raises:
            ScheduleError: ``--zone`` and ``--all-zones`` together (``field="zones"``).
        """
        if self.zones and self.all_zones:
            raise ScheduleError("Dùng --zone (các cụm loa đã chọn) hoặc --all-zones (mọi cụm loa), không cả hai.",
                                field="zones")  # fmt: skip
        zones = None if self.all_zones else (self.zones or current.zones)
        return Targets(local=current.local if self.local is None else self.local, zones=zones)


def _target_options(command: Callable[..., None]) -> Callable[..., None]:
    """Where the schedule airs (``add`` and ``edit``): ``--local/--no-local``, ``--zone`` (repeatable) and
    ``--all-zones``, handed to the command as one ``targets`` argument (:class:`TargetFlags`)."""

    @functools.wraps(command)
    def run(*args: Any, local: bool | None, zones: tuple[str, ...], all_zones: bool, **kwargs: Any) -> None:
        command(*args, targets=TargetFlags(local, zones or None, all_zones), **kwargs)

    for option in reversed(
        [
            click.option(
                "--local/--no-local",
                "local",
                default=None,
                help="Có phát trên loa tại đài không (mặc định khi thêm: có; khi sửa: giữ nguyên).",
            ),
            click.option(
                "--zone",
                "zones",
                multiple=True,
                help="Phát ở cụm loa này (tên hoặc mã, ví dụ thon-dong); dùng nhiều lần cho nhiều cụm loa.",
            ),
            click.option("--all-zones", is_flag=True, help="Phát ở mọi cụm loa (mặc định khi thêm)."),
        ]
    ):
        run = option(run)
    return run


def _checking_options(command: Callable[..., None]) -> Callable[..., None]:
    """Session and what to do when the schedule breaks a rule or collides (``add`` and ``edit``)."""
    for option in reversed(
        [
            click.option(
                "--session", "session_name", help="Tên buổi (ví dụ «Buổi sáng»); mặc định: buổi chứa giờ phát."
            ),
            click.option("--force", is_flag=True, help="Vẫn lưu dù trùng lịch hoặc trái quy định của đài."),
            click.option(
                "--resolve",
                type=click.Choice([r.value for r in Resolution if r is not Resolution.FORCE]),
                help="Cách xử lý trùng.",
            ),
        ]
    ):
        command = option(command)
    return command


@schedule.command("add")
@click.argument("programme", required=False)
@_timing_options
@click.option(
    "--priority",
    type=click.Choice([p.value for p in Priority]),
    default=Priority.NORMAL.value,
    show_default=True,
    help="Mức ưu tiên (Thông tư 39/2020): normal, priority, emergency.",
)
@click.option("--misfire", "misfire_text", default="late:5", show_default=True, help="skip, late:PHÚT hoặc join:PHÚT.")
@_checking_options
@_target_options
@click.option("--audio", "audio", type=click.Path(dir_okay=False, path_type=Path), help="Tạo chương trình từ một tệp.")
@click.option("--title", help="Tên chương trình tạo từ --audio.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@pass_state
@naming(ADD_OPTIONS)
def add(
    state: CliState,
    programme: str | None,
    at_text: str | None,
    rrule_text: str | None,
    daily: bool,
    weekdays: bool,
    days_text: str | None,
    time_text: str | None,
    lunar_text: str | None,
    lunar_leap: str | None,
    holidays_text: str | None,
    holiday_programme: str | None,
    session_start: str | None,
    from_text: str | None,
    to_text: str | None,
    priority: str,
    misfire_text: str,
    session_name: str | None,
    force: bool,
    resolve: str | None,
    targets: TargetFlags,
    audio: Path | None,
    title: str | None,
    as_json: bool,
) -> None:
    """Thêm lịch phát cho CHƯƠNG_TRÌNH (số hoặc tên), hoặc cho một tệp với --audio."""
    container = state.container()
    service = container.scheduling
    zone = service.zone
    now = container.clock.now()
    with _about("rrule"):
        rule = _rule(rrule_text, daily, weekdays, days_text)
    if (programme is None) == (audio is None):
        raise ScheduleError("Cần tên hoặc số chương trình, hoặc --audio TỆP (không dùng cả hai).")
    with _about("misfire"):
        misfire = Misfire.parse(misfire_text)
    with _about("at"):
        at = parse_when(at_text, zone, now) if at_text else None
    with _about("time"):
        time_of_day = parse_time_of_day(time_text) if time_text else None
    lunar = _lunar(lunar_text, lunar_leap, None)
    timing = timing_of(at, rule, time_of_day, lunar, at_session_start=session_start is not None)
    with _about("valid_from"):
        valid_from = _bound(from_text, zone, now, end=False)
    with _about("valid_to"):
        valid_to = _bound(to_text, zone, now, end=True)
    actor = current_actor(state)
    made: int | None = None
    if audio is not None:
        imported = container.library.add(actor, [audio], title=title).results[0]
        asset = imported.asset or imported.duplicate_of
        if asset is None:
            raise AudioError(imported.error or f"Không nhập được tệp {audio}.")
        made = service.programme_for_asset(actor, asset.id, title=title)
        programme = str(made)
    assert programme is not None
    request = ScheduleRequest(
        programme=programme,
        timing=timing,
        priority=Priority(priority),
        misfire=misfire,
        session_name=session_start or session_name,
        valid_from=valid_from,
        valid_to=valid_to,
        resolve=_resolution(force, resolve),
        holidays=_holidays(holidays_text, holiday_programme, HolidayPolicy.ALWAYS),
        holiday_programme=holiday_programme,
        at_session_start=session_start is not None,
        targets=targets.apply(Targets()),
    )
    saved = service.save(actor, request)
    if made is not None and container.approvals.get(ContentKind.PROGRAMME, made).status is ContentStatus.WAITING:
        click.echo(
            f"Lưu ý: chương trình số {made} đang chờ duyệt; chỉ được phát khi người duyệt chạy "
            f"«truyenthanh programme approve {made}».",
            err=True,
        )
    _report(service, saved, as_json)


@contextmanager
def _about(field: str) -> Iterator[None]:
    """Errors raised inside (that name no field of their own) concern ``field``, so they name its option."""
    try:
        yield
    except TruyenthanhError as exc:
        if exc.field is None:
            exc.field = field
        raise


def _rule(rrule_text: str | None, daily: bool, weekdays: bool, days_text: str | None) -> str | None:
    """The recurrence the flags ask for, if any."""
    rules = [r for r in (rrule_text, DAILY_RRULE if daily else None, WEEKDAYS_RRULE if weekdays else None) if r]
    if days_text:
        with _about("days"):
            rules.append(rrule_for_days(days_text))
    if len(rules) > 1:
        raise ScheduleError("Chỉ dùng một trong --rrule, --daily, --weekdays, --days.")
    return rules[0] if rules else None


def _lunar(lunar_text: str | None, lunar_leap: str | None, current: LunarRule | None) -> LunarRule | None:
    """The lunar days the flags ask for (``current``'s, with ``--lunar-leap`` applied, when ``--lunar`` is not
    given)."""
    with _about("lunar"):
        if lunar_text:
            return LunarRule.parse(lunar_text, leap=LeapPolicy(lunar_leap or LeapPolicy.BOTH.value))
        if current is not None and lunar_leap:
            return LunarRule(current.days, current.months, LeapPolicy(lunar_leap))
        if lunar_leap and current is None:
            raise ScheduleError("--lunar-leap chỉ dùng cùng --lunar.")
        return current


def _holidays(holidays_text: str | None, holiday_programme: str | None, current: HolidayPolicy) -> HolidayPolicy:
    """What to do on holidays: ``--holidays``, else ``swap`` when ``--holiday-programme`` is given, else
    ``current``."""
    if holidays_text:
        return HolidayPolicy(holidays_text)
    return HolidayPolicy.SWAP if holiday_programme else current


def _resolution(force: bool, resolve: str | None) -> Resolution | None:
    """What ``--force`` or ``--resolve`` asks to do about conflicts (``None``: refuse them)."""
    return Resolution.FORCE if force else (Resolution(resolve) if resolve else None)


def _report(service: SchedulingService, saved: SavedSchedule, as_json: bool) -> None:
    """Say what was saved, the note of any resolution, what --force let through, and the next airing."""
    view = saved.schedule
    if as_json:
        click.echo(json.dumps({**view.to_json(), "note": saved.note, "forced": list(saved.forced)}, ensure_ascii=False))
        return
    click.echo(f"Đã lưu lịch phát số {view.id}: «{view.programme_title}» — {view.summary}.")
    click.echo(f"Phát trên: {view.targets_text}.")
    if saved.note:
        click.echo(saved.note)
    for message in saved.forced:
        click.echo(f"Lưu ý (vẫn lưu theo --force): {message}", err=True)
    upcoming = service.next_airing(view)
    if upcoming is not None:
        click.echo(f"Lần phát tới: {_local(upcoming, service.zone)}.")


@schedule.command("edit")
@click.argument("schedule_id", type=int)
@click.option("--programme", help="Đổi sang chương trình này (số hoặc tên).")
@_timing_options
@click.option("--priority", type=click.Choice([p.value for p in Priority]), help="normal, priority, emergency.")
@click.option("--misfire", "misfire_text", help="skip, late:PHÚT hoặc join:PHÚT.")
@_checking_options
@_target_options
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@pass_state
@naming(EDIT_OPTIONS)
def edit(
    state: CliState,
    schedule_id: int,
    programme: str | None,
    at_text: str | None,
    rrule_text: str | None,
    daily: bool,
    weekdays: bool,
    days_text: str | None,
    time_text: str | None,
    lunar_text: str | None,
    lunar_leap: str | None,
    holidays_text: str | None,
    holiday_programme: str | None,
    session_start: str | None,
    from_text: str | None,
    to_text: str | None,
    priority: str | None,
    misfire_text: str | None,
    session_name: str | None,
    force: bool,
    resolve: str | None,
    targets: TargetFlags,
    as_json: bool,
) -> None:
    """Sửa lịch phát số SCHEDULE_ID: chỉ đổi những gì được chỉ ra, phần còn lại giữ nguyên; kiểm tra trùng lịch
    và quy định của đài như khi thêm."""
    container = state.container()
    service = container.scheduling
    zone = service.zone
    now = container.clock.now()
    current = service.spec(schedule_id)
    with _about("rrule"):
        rule = _rule(rrule_text, daily, weekdays, days_text)
    if at_text and (rule or time_text):
        raise ScheduleError(
            "Dùng --at cho lịch một lần, hoặc --rrule/--daily/--weekdays/--days với --time; không cả hai."
        )
    with _about("time"):
        time_of_day = parse_time_of_day(time_text) if time_text else None
    lunar = None if (at_text or rule) else _lunar(lunar_text, lunar_leap, current.lunar)
    timing = _edited_timing(current, zone, now, at_text, rule, lunar, time_of_day)
    valid_from = None
    if not isinstance(timing, OneOff):
        with _about("valid_from"):
            valid_from = _bound(from_text, zone, now, end=False) if from_text else current.valid_from
    keep_swap = current.holiday_swap.programme_id if current.holiday_swap else None
    with _about("misfire"):
        misfire = Misfire.parse(misfire_text) if misfire_text else current.misfire
    with _about("valid_to"):
        valid_to = _bound(to_text, zone, now, end=True)
    request = ScheduleRequest(
        programme=programme if programme is not None else current.programme_id,
        timing=timing,
        priority=Priority(priority) if priority else current.priority,
        misfire=misfire,
        session_name=session_start or (session_name if session_name is not None else current.session_name),
        valid_from=valid_from,
        valid_to=valid_to if valid_to is not None else current.valid_to,
        resolve=_resolution(force, resolve),
        holidays=_holidays(holidays_text, holiday_programme, current.holidays),
        holiday_programme=holiday_programme or keep_swap,
        at_session_start=session_start is not None or (current.at_session_start and not isinstance(timing, OneOff)),
        targets=targets.apply(current.targets),
    )
    _report(service, service.save(current_actor(state), request, schedule_id=schedule_id), as_json)


def _edited_timing(
    current: ScheduleSpec,
    zone: ZoneInfo,
    now: datetime,
    at_text: str | None,
    rule: str | None,
    lunar: LunarRule | None,
    time_of_day: time | None,
) -> Timing:
    """The timing of an edited schedule: what the flags change, the rest as it was."""
    if at_text and (rule or lunar or time_of_day):
        raise ScheduleError(
            "Dùng --at cho lịch một lần, hoặc --rrule/--daily/--weekdays/--days/--lunar với --time; không cả hai."
        )
    clock = time_of_day or current.start_at.astimezone(zone).time()
    if lunar is not None:
        return Lunar(lunar, clock)
    if at_text or (current.rrule is None and rule is None):
        with _about("at"):
            start = parse_when(at_text, zone, now) if at_text else current.start_at
        if time_of_day is not None:
            start = datetime.combine(start.astimezone(zone).date(), time_of_day, tzinfo=zone)
        return OneOff(start)
    recurrence = rule or current.rrule
    assert recurrence is not None
    return Recurring(recurrence, clock)


@schedule.command("list")
@click.option("--from", "from_text", help="Từ (ngày YYYY-MM-DD hoặc thời điểm); mặc định: bây giờ.")
@click.option("--to", "to_text", help="Đến (ngày YYYY-MM-DD, tính cả ngày đó); mặc định: 24 giờ sau «--from».")
@click.option("--schedules", "show_schedules", is_flag=True, help="Liệt kê các lịch (không mở rộng lần phát).")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@pass_state
def list_(state: CliState, from_text: str | None, to_text: str | None, show_schedules: bool, as_json: bool) -> None:
    """Các lần phát sắp tới (đã mở rộng lịch lặp), hoặc các lịch với --schedules."""
    container = state.container()
    service = container.scheduling
    zone = service.zone
    if show_schedules:
        views = service.schedules()
        if as_json:
            click.echo(json.dumps([v.to_json() for v in views], ensure_ascii=False, indent=2))
            return
        if not views:
            click.echo("Chưa có lịch phát nào.")
        for view in views:
            state_text = "" if view.enabled else " (đã tắt)"
            click.echo(
                f"{view.id:>4}  {view.summary}  «{view.programme_title}»  [{view.priority.label}; "
                f"{view.misfire.label}; phát trên {view.targets_text}]{state_text}"
            )
        return
    now = container.clock.now()
    start = _bound(from_text, zone, now, end=False) or now
    end = _bound(to_text, zone, now, end=True) or start + timedelta(days=1)
    planned = service.occurrences(start, end)
    zones = service.zones()
    rows: list[dict[str, Any]] = [
        {
            "schedule_id": p.occurrence.schedule_id,
            "programme_id": p.occurrence.programme_id,
            "programme": p.occurrence.title,
            "scheduled_start": p.occurrence.start.isoformat(),
            "start": p.start.isoformat(),
            "end": p.end.isoformat(),
            "duration_s": round(p.occurrence.duration_s, 3),
            "priority": p.occurrence.priority.value,
            "session": p.session,
            "misfire": str(p.occurrence.misfire),
            "targets": {"local": p.occurrence.targets.local, "zones": _zones_json(p.occurrence.targets)},
        }
        for p in planned
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not planned:
        click.echo(
            f"Không có lần phát nào từ {_local(start, zone, '%H:%M %d/%m/%Y')} "
            f"đến {_local(end, zone, '%H:%M %d/%m/%Y')}."
        )
    for p in planned:
        local = p.start.astimezone(zone)
        moved = f" (dời từ {_local(p.occurrence.start, zone, '%H:%M')})" if p.moved else ""
        session = f" [{p.session}]" if p.session else ""
        day = f"{WEEKDAY_NAMES[local.weekday()]} {local:%d/%m} (âm {to_lunar(local.date()).short})"
        click.echo(
            f"{day} {local:%H:%M}–{_local(p.end, zone, '%H:%M')}  "
            f"«{p.occurrence.title}»{session}  {p.occurrence.priority.label}{moved}  "
            f"(lịch số {p.occurrence.schedule_id}; {describe_targets(p.occurrence.targets, zones)})"
        )


def _zones_json(targets: Targets) -> list[str] | None:
    return None if targets.zones is None else list(targets.zones)


@schedule.command("remove")
@click.argument("schedule_id", type=int)
@pass_state
def remove(state: CliState, schedule_id: int) -> None:
    """Xóa lịch phát số SCHEDULE_ID (nhật ký phát vẫn giữ nguyên)."""
    view = state.container().scheduling.remove(current_actor(state), schedule_id)
    click.echo(f"Đã xóa lịch phát số {view.id}: «{view.programme_title}» — {view.summary}.")


@click.command("log")
@click.option("--from", "from_text", help="Từ (ngày YYYY-MM-DD hoặc thời điểm).")
@click.option("--to", "to_text", help="Đến (ngày YYYY-MM-DD, tính cả ngày đó).")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@pass_state
def log(state: CliState, from_text: str | None, to_text: str | None, as_json: bool) -> None:
    """Nhật ký phát thanh: mọi lần phát, phát trễ, bị ngắt, bỏ lỡ, kèm lý do."""
    container = state.container()
    zone = container.settings.zone
    now = container.clock.now()
    rows = container.broadcast_log.rows(_bound(from_text, zone, now, end=False), _bound(to_text, zone, now, end=True))
    if as_json:
        out = [
            {
                "id": r.id,
                "schedule_id": r.schedule_id,
                "programme_id": r.programme_id,
                "programme": r.programme_title,
                "item": r.item_title,
                "priority": r.priority.value,
                "scheduled_start": r.scheduled_start.isoformat(timespec="milliseconds") if r.scheduled_start else None,
                "actual_start": r.actual_start.isoformat(timespec="milliseconds") if r.actual_start else None,
                "end": r.end.isoformat(timespec="milliseconds") if r.end else None,
                "outcome": r.outcome.value,
                "reason": r.reason,
                "engine": r.engine,
                "operator": r.operator,
                "approver": r.approver,
                "row_hash": r.row_hash,
            }
            for r in rows
        ]
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("Nhật ký phát chưa có dòng nào trong khoảng này.")
    for r in rows:
        what = f"«{r.programme_title}»" + (f" / {r.item_title}" if r.item_title else "")
        late = ""
        if r.actual_start and r.scheduled_start:
            late = f" (lệch {(r.actual_start - r.scheduled_start).total_seconds() * 1000:+.0f} ms)"
        reason = f" — {r.reason}" if r.reason else ""
        click.echo(
            f"{_local(r.scheduled_start or r.actual_start, zone)}  {r.outcome.label:<14} {what}  "
            f"phát {_local(r.actual_start, zone, '%H:%M:%S.%f')[:-3] if r.actual_start else '—'}"
            f"–{_local(r.end, zone)}{late}{reason}"
        )


def register(group: click.Group) -> None:
    """Add this module's commands to the ``truyenthanh`` group."""
    group.add_command(schedule)
    group.add_command(log)
