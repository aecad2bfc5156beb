"""How the app words time: day sections ("Today", "Previous 7 days"…), relative times
("5 min ago") and dates. Loaded with the first rows or hits, not with the window."""

from __future__ import annotations

from datetime import date, datetime, timedelta


def local_day(timestamp: float) -> date:
    """The local calendar day of a Unix time."""
    return datetime.fromtimestamp(timestamp).date()


def day_group(day: date, today: date) -> str:
    """The section a conversation last updated on ``day`` is listed under."""
    if day >= today:
        return "Today"
    if day == today - timedelta(days=1):
        return "Yesterday"
    if day > today - timedelta(days=7):
        return "Previous 7 days"
    if day > today - timedelta(days=30):
        return "Previous 30 days"
    if day.year == today.year:
        return day.strftime("%B")
    return str(day.year)


def relative_time(then: float, now: float) -> str:
    """“just now”, “5 min ago”, “3 h ago”, then a date."""
    seconds = max(0.0, now - then)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    return short_date(then)


def short_date(timestamp: float) -> str:
    """“5 Mar 2025”: the local date of a Unix time."""
    return datetime.fromtimestamp(timestamp).strftime("%d %b %Y").lstrip("0")
