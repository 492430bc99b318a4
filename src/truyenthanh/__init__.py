"""truyenthanh: broadcast scheduling for Vietnamese commune loudspeaker stations."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """``__version__``, read from the installed metadata on first use (importing it costs ~30 ms at start-up)."""
    if name != "__version__":
        raise AttributeError(f"module 'truyenthanh' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("truyenthanh")
    except PackageNotFoundError:  # running from a source tree without installation
        return "0.0.0"
