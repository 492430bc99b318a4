"""Allow ``python -m truyenthanh``."""

from truyenthanh.cli import main

main()
