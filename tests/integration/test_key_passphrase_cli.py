"""``truyenthanh keys generate|passphrase`` and ``package build --sign|sign`` with a key under a passphrase, as real
subprocesses: from a script (``--passphrase-file``, ``TRUYENTHANH_KEY_PASSPHRASE``) and from a person at a real
pseudo-terminal (hidden prompts). A wrong passphrase is refused in Vietnamese and leaves every file as it was."""

from __future__ import annotations

import os
import pty
import select
import signal
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tests.integration.test_package_cli import SCHEDULES, run
from truyenthanh.adapters.signing import is_encrypted, read_public_key
from truyenthanh.domain.package import MANIFEST_NAME, SIGNATURE_NAME, parse_signature

NAME = "Đài TT-TH huyện Tân Sơn"
SLUG = "dai-tt-th-huyen-tan-son"
SECRET = "mật khẩu của đài huyện"
PROGRAMME = SCHEDULES / "canh-bao-bao-so-9.toml"
PTY_TIMEOUT_S = 60.0


def _secret_file(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def _verify(package: Path, public_file: Path) -> bool:
    """Check the package's signature with the exported public key alone, as a station does."""
    with zipfile.ZipFile(package) as archive:
        manifest, signature = archive.read(MANIFEST_NAME), parse_signature(archive.read(SIGNATURE_NAME))
    key = read_public_key(public_file.read_bytes(), str(public_file))
    return signature.key_fingerprint == key.fingerprint and key.verify(manifest, signature.signature)


@pytest.mark.slow
def test_a_script_generates_a_protected_key_signs_and_a_wrong_passphrase_changes_nothing(tmp_path: Path) -> None:
    editor = tmp_path / "bien-tap"
    right = _secret_file(tmp_path, "dung.txt", SECRET)
    wrong = _secret_file(tmp_path, "sai.txt", "không phải mật khẩu")
    made = run("keys", "generate", NAME, "--passphrase-file", str(right), data_dir=editor)
    assert made.returncode == 0, made.stderr
    assert "(có mật khẩu)" in made.stdout
    key_file = editor / "keys" / f"{SLUG}.pem"
    assert is_encrypted(key_file.read_bytes())
    public = tmp_path / "tan-son.pub.json"
    assert run("keys", "export", "-o", str(public), data_dir=editor).returncode == 0

    package = tmp_path / "bao.ttpkg"
    build = ("package", "build", str(PROGRAMME), "-o", str(package), "--sign", SLUG)
    locked = run(*build, data_dir=editor)  # no terminal, no passphrase given
    assert locked.returncode == 1
    assert f"Khóa ký «{NAME}» được bảo vệ bằng mật khẩu" in locked.stderr and "--passphrase-file" in locked.stderr
    refused = run(*build, "--passphrase-file", str(wrong), data_dir=editor)
    assert refused.returncode == 1
    assert f"Sai mật khẩu của khóa «{NAME}»" in refused.stderr
    assert not package.exists()

    built = run(*build, "--passphrase-file", str(right), data_dir=editor)
    assert built.returncode == 0, built.stderr
    assert f"ký bằng «{NAME}»" in built.stdout
    assert _verify(package, public)

    signed_bytes = package.read_bytes()
    resign = run("package", "sign", str(package), "--passphrase-file", str(wrong), data_dir=editor)
    assert resign.returncode == 1 and "Sai mật khẩu" in resign.stderr
    assert package.read_bytes() == signed_bytes
    by_env = run("package", "sign", str(package), data_dir=editor, env={"TRUYENTHANH_KEY_PASSPHRASE": SECRET})
    assert by_env.returncode == 0, by_env.stderr
    assert _verify(package, public)


@pytest.mark.slow
def test_keys_passphrase_changes_and_removes_it_atomically_and_refuses_the_wrong_one(tmp_path: Path) -> None:
    editor = tmp_path / "bien-tap"
    old = _secret_file(tmp_path, "cu.txt", SECRET)
    new = _secret_file(tmp_path, "moi.txt", "mật khẩu mới")
    assert run("keys", "generate", NAME, "--passphrase-file", str(old), data_dir=editor).returncode == 0
    key_file = editor / "keys" / f"{SLUG}.pem"
    before = key_file.read_bytes()
    public_before = run("keys", "export", data_dir=editor).stdout

    wrong = run("keys", "passphrase", "--passphrase-file", str(new), "--new-passphrase-file", str(new), data_dir=editor)
    assert wrong.returncode == 1 and f"Sai mật khẩu của khóa «{NAME}»" in wrong.stderr
    neither = run("keys", "passphrase", "--passphrase-file", str(old), data_dir=editor)
    assert neither.returncode == 1 and "--new-passphrase-file" in neither.stderr
    assert key_file.read_bytes() == before

    changed = run(
        "keys", "passphrase", "--passphrase-file", str(old), "--new-passphrase-file", str(new), data_dir=editor
    )  # fmt: skip
    assert changed.returncode == 0, changed.stderr
    assert f"Đã đặt mật khẩu mới cho khóa «{NAME}»" in changed.stdout
    assert is_encrypted(key_file.read_bytes()) and key_file.read_bytes() != before
    assert key_file.stat().st_mode & 0o777 == 0o600
    removed = run("keys", "passphrase", "--remove", data_dir=editor, env={"TRUYENTHANH_KEY_PASSPHRASE": "mật khẩu mới"})
    assert removed.returncode == 0, removed.stderr
    assert not is_encrypted(key_file.read_bytes())
    assert run("keys", "export", data_dir=editor).stdout == public_before  # the same key: stations still trust it


def _converse(argv: list[str], answers: list[tuple[str, str]], env: dict[str, str]) -> tuple[int, str]:
    """Run ``argv`` on a new pseudo-terminal (its controlling terminal, as a person's shell gives), type each
    answer once its prompt shows, and return the exit status and everything the terminal showed."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: becomes the command, and never returns into pytest
        try:
            os.execvpe(argv[0], argv, env)
        finally:
            os._exit(127)
    shown, pending, position = b"", list(answers), 0
    deadline = time.monotonic() + PTY_TIMEOUT_S
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child has exited and closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        # click shows the prompt and its colon, then getpass turns echo off and writes the last space: typing
        # before that space would echo the answer
        found = shown.decode("utf-8", errors="replace").find(f"{pending[0][0]}: ", position) if pending else -1
        if found >= 0:  # the next prompt is showing (after the one answered last): type its answer
            prompt, answer = pending.pop(0)
            position = found + len(prompt)
            os.write(fd, answer.encode("utf-8") + b"\r")
    os.close(fd)
    reaped = os.waitpid(pid, os.WNOHANG)
    if reaped == (0, 0):  # not exited yet: give it a second, then it is stuck (at a prompt) and killed
        time.sleep(1.0)
        reaped = os.waitpid(pid, os.WNOHANG)
        if reaped == (0, 0):
            os.kill(pid, signal.SIGKILL)
            reaped = os.waitpid(pid, 0)
    status = reaped[1]
    return os.waitstatus_to_exitcode(status), shown.decode("utf-8", errors="replace")


def test_a_person_is_asked_twice_hidden_and_again_when_signing(tmp_path: Path) -> None:
    editor = tmp_path / "bien-tap"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUYENTHANH_")}
    cli = [sys.executable, "-m", "truyenthanh", "--data-dir", str(editor)]
    asked, again = f"Mật khẩu mới cho khóa «{NAME}» (để trống: không đặt)", "Nhập lại mật khẩu"
    status, shown = _converse(
        [*cli, "keys", "generate", NAME],
        [(asked, SECRET), (again, "gõ nhầm"), (asked, SECRET), (again, SECRET)],
        env,
    )
    assert status == 0, shown
    assert "Hai lần nhập không khớp; nhập lại." in shown
    assert SECRET not in shown and "gõ nhầm" not in shown  # hidden input: nothing echoed
    assert is_encrypted((editor / "keys" / f"{SLUG}.pem").read_bytes())

    package = tmp_path / "bao.ttpkg"
    sign = [*cli, "package", "build", str(PROGRAMME), "-o", str(package), "--sign", SLUG]
    status, shown = _converse(sign, [(f"Mật khẩu của khóa «{NAME}»", "sai")], env)
    assert status == 1 and f"Sai mật khẩu của khóa «{NAME}»" in shown
    assert not package.exists()
    status, shown = _converse(sign, [(f"Mật khẩu của khóa «{NAME}»", SECRET)], env)
    assert status == 0, shown
    assert f"ký bằng «{NAME}»" in shown and SECRET not in shown
