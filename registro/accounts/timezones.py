"""Time zones offered at registration, labelled as the official system does."""

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from .models import DEFAULT_TIME_ZONE

DEFAULT_LABEL = "(UTC-05:00) Bogotá, Lima, Quito"


def _offset_label(offset_minutes: int) -> str:
    sign = "+" if offset_minutes >= 0 else "-"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return f"(UTC{sign}{hours:02d}:{minutes:02d})"


@lru_cache(maxsize=1)
def time_zone_choices() -> list[tuple[str, str]]:
    # Standard offsets (January), sorted west to east; Bogotá first as the default.
    reference = datetime(2025, 1, 15, 12, 0)
    rows = []
    for name in available_timezones():
        if "/" not in name or name.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/")):
            continue
        offset = ZoneInfo(name).utcoffset(reference)
        minutes = int(offset.total_seconds() // 60)
        rows.append((minutes, name))
    rows.sort()
    choices = [(DEFAULT_TIME_ZONE, DEFAULT_LABEL)]
    choices += [(name, f"{_offset_label(m)} {name.replace('_', ' ')}") for m, name in rows if name != DEFAULT_TIME_ZONE]
    return choices


def is_valid_time_zone(name: str) -> bool:
    return name in dict(time_zone_choices())


def user_zone(user) -> ZoneInfo:
    try:
        return ZoneInfo(getattr(user, "time_zone", "") or DEFAULT_TIME_ZONE)
    except (ValueError, KeyError):
        return ZoneInfo(DEFAULT_TIME_ZONE)
