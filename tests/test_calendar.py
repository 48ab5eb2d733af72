"""calendar.ics: one all-day event per cycle and per milestone key result, valid RFC 5545, stable bytes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import icalendar
import pytest

from okrsite.render.calendar import fold
from tests.people_support import write_port_handbook
from tests.site_support import build_site


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_port_handbook(tmp_path_factory.mktemp("port") / "site")
    return build_site(root, root.parent / "out")


def events(raw: bytes) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(raw)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_calendar_parses_with_one_event_per_cycle_and_milestone(port: Path) -> None:
    raw = (port / "calendar.ics").read_bytes()
    cal = icalendar.Calendar.from_ical(raw)
    assert str(cal["VERSION"]) == "2.0" and str(cal["PRODID"])
    got = events(raw)
    slug = "port-ops-inc"
    assert sorted(got) == sorted([
        f"cycle-2025-Q2@{slug}", f"cycle-2025-Q3@{slug}",
        f"kr-berth-system/api-ready@{slug}", f"kr-berth-dashboard/live@{slug}", f"kr-old-pilot/pilot@{slug}"])
    q3 = got[f"cycle-2025-Q3@{slug}"]
    assert q3.decoded("DTSTART") == date(2025, 7, 1)
    assert q3.decoded("DTEND") == date(2025, 10, 1)  # exclusive: the day after the last day
    assert str(q3["SUMMARY"]) == "Q3 2025"
    api = got[f"kr-berth-system/api-ready@{slug}"]
    assert api.decoded("DTSTART") == date(2025, 9, 1) and api.decoded("DTEND") == date(2025, 9, 2)
    assert str(api["SUMMARY"]) == "Due: Berth API ready; tested, documented"  # ; and , escaped and read back
    assert "Kim Park" in str(api["DESCRIPTION"])  # the key result's own owner
    assert str(got[f"kr-berth-dashboard/live@{slug}"]["SUMMARY"]).startswith("✓ Due:")
    for e in got.values():  # DTSTAMP from as_of, never the build time
        assert e.decoded("DTSTAMP").date() == date(2025, 8, 15)


def test_calendar_lines_are_crlf_and_folded_at_75_octets(port: Path) -> None:
    raw = (port / "calendar.ics").read_bytes()
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    lines = raw.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # the long UIDs and descriptions were folded
    for line in lines:
        line.decode("utf-8")  # a fold never splits a multi-byte character


def test_fold_keeps_multibyte_characters_whole() -> None:
    text = "SUMMARY:" + "Ölz é ✓ " * 30
    out = fold(text)
    physical = out.split(b"\r\n")[:-1]
    assert all(len(p) <= 75 for p in physical) and len(physical) > 3
    assert b"".join(p[1:] if i else p for i, p in enumerate(physical)).decode("utf-8") == text


def test_calendar_is_byte_identical_across_builds(port: Path, tmp_path: Path) -> None:
    again = build_site(port.parent / "site", tmp_path / "again")
    assert (again / "calendar.ics").read_bytes() == (port / "calendar.ics").read_bytes()


def test_home_page_links_the_calendar(port: Path) -> None:
    home = (port / "index.html").read_text(encoding="utf-8")
    assert 'href="calendar.ics"' in home and "Subscribe to the calendar" in home
