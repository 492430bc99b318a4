"""The systemd unit of ``truyenthanh serve`` as shipped: ``systemd-analyze verify`` finds nothing to say."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.integration.test_deploy import INSTALLED_PROGRAM, ROOT, verify_unit

UNIT = ROOT / "deploy" / "truyenthanh-serve.service"


def test_the_serve_unit_verifies_clean(tmp_path: Path) -> None:
    """Verified with this checkout's program in place of the installed one (systemd checks ExecStart exists)."""
    program = Path(sys.executable).with_name("truyenthanh")
    text = UNIT.read_text(encoding="utf-8")
    assert f"{INSTALLED_PROGRAM} serve --host 0.0.0.0 --port 8720" in text
    unit = tmp_path / "truyenthanh-serve.service"
    unit.write_text(text.replace(INSTALLED_PROGRAM, str(program)), encoding="utf-8")
    result = verify_unit(unit)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")
