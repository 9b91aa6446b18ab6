"""CMS's submission period for a performance year: from January 2 to March 31 of the
following year (the QPP "data submission window"; both days from the one setting
MIPS_SUBMISSION_WINDOW, "MM-DD:MM-DD", so a CMS extension is a configuration change).

The Submit button and the submit views read `submission_window(year, today=...)`; `today`
is the injected clock (tests pass dates either side of the edges; the pages pass
`timezone.localdate()`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

DEFAULT = "01-02:03-31"


def _bounds(year: int) -> tuple[dt.date, dt.date]:
    text = getattr(settings, "MIPS_SUBMISSION_WINDOW", DEFAULT) or DEFAULT
    opens, closes = (part.strip() for part in text.split(":"))
    after = year + 1

    def day(mm_dd: str) -> dt.date:
        month, day_ = (int(x) for x in mm_dd.split("-"))
        return dt.date(after, month, day_)

    return day(opens), day(closes)


@dataclass(frozen=True)
class SubmissionWindow:
    year: int
    opens: dt.date
    closes: dt.date
    today: dt.date

    @property
    def is_open(self) -> bool:
        return self.opens <= self.today <= self.closes

    @property
    def message(self) -> str:
        if self.today < self.opens:
            return (
                f"Submission of {self.year} data to CMS opens on {self.opens:%B} "
                f"{self.opens.day}, {self.opens.year} (CMS's submission period runs to "
                f"{self.closes:%B} {self.closes.day}, {self.closes.year}). Until then the data "
                "can be prepared, signed off and previewed."
            )
        if self.today > self.closes:
            return (
                f"CMS's submission period for {self.year} closed on {self.closes:%B} "
                f"{self.closes.day}, {self.closes.year}; {self.year} data can no longer be "
                "submitted."
            )
        return (
            f"CMS's submission period for {self.year} is open until {self.closes:%B} "
            f"{self.closes.day}, {self.closes.year}."
        )


def current_date() -> dt.date:
    return timezone.localdate()


def submission_window(year: int, *, today: dt.date | None = None) -> SubmissionWindow:
    opens, closes = _bounds(year)
    return SubmissionWindow(year, opens, closes, today or current_date())
