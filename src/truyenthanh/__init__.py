"""truyenthanh: broadcast scheduling for Vietnamese commune loudspeaker stations."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("truyenthanh")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"
