"""Renderers of :class:`truyenthanh.domain.reports.Report`: DOCX (python-docx), XLSX (openpyxl), CSV, and a
PNG bar chart drawn with the standard library only."""
