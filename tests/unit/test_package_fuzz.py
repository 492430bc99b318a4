"""The programme-file and manifest readers fuzzed with hypothesis: whatever comes in, they either return a
checked result or raise our own error with a message; they never crash with anything else."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from truyenthanh.domain.package import entry_problems, parse_manifest, parse_signature
from truyenthanh.domain.programme_file import ProgrammeFileError, read_programme_file, safe_relative_path
from truyenthanh.domain.toml_lines import locate
from truyenthanh.errors import PackageError

EXAMPLE = (Path(__file__).resolve().parents[2] / "schedules" / "xa-tan-lap-tuan-48.toml").read_text(encoding="utf-8")
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _read(text: str) -> None:
    try:
        result = read_programme_file(text, "mờ.toml")
    except ProgrammeFileError as exc:
        assert exc.problems, "an error must list at least one problem"
        assert all(p.message for p in exc.problems)
        assert exc.message.startswith("Tệp chương trình mờ.toml")
        return
    for programme in result.programmes:
        assert programme.items
        for item in programme.items:
            assert item.audio is None or safe_relative_path(item.audio) == item.audio


@FUZZ
@given(st.text(max_size=400))
@example("format_version = 1\n[package]\n[[programme]]\n")
@example("[[programme.item]]\n[[programme]]\n")
@example('format_version = 1\nprogramme = "x"\npackage = []\n')
def test_any_text_is_read_or_refused_cleanly(text: str) -> None:
    _read(text)
    locate(text)


@FUZZ
@given(st.data())
def test_mutations_of_a_real_file_are_read_or_refused_cleanly(data: st.DataObject) -> None:
    lines = EXAMPLE.splitlines()
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["drop", "duplicate", "replace_value", "garble"]))
        if action == "drop":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "replace_value" and "=" in lines[index]:
            key = lines[index].split("=", 1)[0]
            value = data.draw(
                st.sampled_from(
                    ['""', "0", "-1", "true", "[]", "{}", "1979-05-27", "05:30:00", '"../x"', '"C:/x"', "1e400", '"x"']
                )
            )
            lines[index] = f"{key}= {value}"
        elif lines:
            line = lines[index]
            position = data.draw(st.integers(0, len(line)))
            lines[index] = line[:position] + data.draw(st.text(max_size=3)) + line[position:]
        if not lines:
            break
    _read("\n".join(lines))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
manifest_like = st.fixed_dictionaries(
    {},
    optional={
        "format": st.sampled_from(["truyenthanh-package", "x"]),
        "format_version": st.sampled_from([1, 2, 0, "1", True]) | json_values,
        "package_id": st.sampled_from(["tan-lap/tuan-48", "Tân Lập", "", "a"]) | json_values,
        "version": st.sampled_from([1, 0, -1, True, 2**40]) | json_values,
        "programme_file": st.sampled_from(["programme.toml", "../p.toml", "/p.toml"]) | json_values,
        "files": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "path": st.sampled_from(["programme.toml", "audio/a.mp3", "../a", "C:/a", "manifest.json"])
                    | json_values,
                    "size": st.sampled_from([0, 10, -1, True]) | json_values,
                    "sha256": st.sampled_from(["0" * 64, "A" * 64, "x"]) | json_values,
                },
            )
            | json_values,
            max_size=4,
        )
        | json_values,
        "created": json_values,
        "rendered": st.dictionaries(
            st.sampled_from(["canh-bao#3", "x#0", "../a#1", "k#1"]) | st.text(max_size=6),
            st.sampled_from(["audio/a.mp3", "rendered/k-1.wav", "../x"]) | json_values,
            max_size=3,
        )
        | json_values,
    },
)


@FUZZ
@given(st.binary(max_size=300) | manifest_like.map(lambda d: json.dumps(d).encode()))
def test_any_manifest_is_read_or_refused_cleanly(raw: bytes) -> None:
    try:
        manifest = parse_manifest(raw)
    except PackageError as exc:
        assert exc.message
        return
    assert manifest.entry(manifest.programme_file) is not None
    assert all(safe_relative_path(f.path) == f.path for f in manifest.files)
    assert parse_manifest(manifest.to_bytes()) == manifest


@FUZZ
@given(st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()))
def test_any_signature_document_is_read_or_refused_cleanly(raw: bytes) -> None:
    try:
        doc = parse_signature(raw)
    except PackageError as exc:
        assert exc.message
        return
    assert len(doc.signature) == 64


@FUZZ
@given(st.lists(st.text(max_size=12), max_size=8))
def test_entry_names_that_pass_are_safe(names: list[str]) -> None:
    problems = entry_problems(names)
    if not problems:
        for name in names:
            bare = name.removesuffix("/")
            assert safe_relative_path(bare) == bare
