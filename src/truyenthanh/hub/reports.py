"""The hub's report service wired to its store and the document writers (the CLI's ``hub report`` and the TUI's
«Tuyến trên» mode build it here)."""

from __future__ import annotations

from truyenthanh.adapters.reports import DocumentWriters
from truyenthanh.bootstrap import Container
from truyenthanh.services.hub_reports import HubReportService


def hub_reports(container: Container) -> HubReportService:
    """The province's reports of the hub whose services ``container`` holds."""
    return HubReportService(
        settings=container.settings,
        locations=container.locations,
        store=container.store,
        writers=DocumentWriters(),
        clock=container.clock,
    )


__all__ = ["hub_reports"]
