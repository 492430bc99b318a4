"""``truyenthanh rules show`` prints each session's seasons under it and the announced days off; ``rules import
--dry-run`` counts them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_rules_cli import run

RULES = """weekend = "allowed"

[[session]]
name = "Buổi sáng"
start = "05:30"
end = "07:00"
max_minutes = 60

[[session.season]]
name = "Mùa đông"
from = "01/11"
to = "31/03"
start = "06:00"
end = "07:30"

[[quiet]]
start = "21:30"
end = "05:00"

[[day_off]]
date = "2027-02-03"
name = "Nghỉ Tết Nguyên Đán"

[[day_off]]
date = "2027-02-11"
name = "Nghỉ bù Tết Nguyên Đán"
"""


@pytest.mark.slow
def test_rules_show_prints_seasons_and_days_off(station_dir: Path, tmp_path: Path) -> None:
    assert run(station_dir, "init").returncode == 0
    source = tmp_path / "quy-dinh.toml"
    source.write_text(RULES, encoding="utf-8")
    checked = run(station_dir, "rules", "import", str(source), "--dry-run")
    assert checked.stdout.strip() == f"Tệp {source} hợp lệ: 1 buổi phát, 1 khoảng yên lặng, 1 mùa, 2 ngày nghỉ."
    assert run(station_dir, "rules", "import", str(source)).returncode == 0
    shown = run(station_dir, "rules", "show")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines() == [
        "Buổi sáng: 05:30–07:00, tối đa 60 phút phát.",
        "  Mùa đông (01/11–31/03): 06:00–07:30.",
        "Giờ yên lặng (chỉ phát khẩn cấp): 21:30–05:00.",
        "Ngày nghỉ Chính phủ công bố (tính như ngày lễ):",
        "  Thứ Tư 03/02/2027: Nghỉ Tết Nguyên Đán.",
        "  Thứ Năm 11/02/2027: Nghỉ bù Tết Nguyên Đán.",
        "Cuối tuần: Phát cả cuối tuần.",
    ]
