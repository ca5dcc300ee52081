"""Arabic date lines to datetimes (placeholder: being written, see issue 4)."""

from __future__ import annotations

from datetime import datetime


def parse_date(text: str) -> datetime | None:
    """Parse an Arabic or numeric date (and time) from `text`; None when there is none."""
    text = (text or "").strip()
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(text[:19], fmt)
        except ValueError:
            continue
    return None
