"""The archive's tools (issue 19) in headless Chromium against the real server (``arshif serve``,
waitress) on real SaudiNewsNet articles: sources by name, Hijri dates, the timeline, quick dates,
export, browsing; at phone and desktop widths, with and without JavaScript.

Set ``ARSHIF_SCREENSHOTS=1`` to also write ``docs/screenshots/archive-{phone,desktop}.png``.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from search.ingest.hijri import hijri_iso

pytest_plugins = ["browser_fixtures"]

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
MAX_SCREENSHOT_BYTES = 300_000
WIDTHS = [pytest.param(390, 844, True, id="phone"), pytest.param(1280, 900, False, id="desktop")]


@pytest.fixture
def context(browser, snn_server, request):
    width, height, mobile = getattr(request, "param", (1280, 900, False))
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=mobile,
                                  base_url=snn_server, device_scale_factor=1)
    errors: list[str] = []
    context.on("weberror", lambda error: errors.append(str(error.error)))
    yield context
    context.close()
    assert not errors


def args(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def hit_days(page) -> list[str]:
    return page.locator(".hit time").evaluate_all("els => els.map(e => e.getAttribute('datetime').slice(0, 10))")


@pytest.mark.parametrize("context", [p.values for p in WIDTHS], indirect=True, ids=["phone", "desktop"])
def test_timeline_bar_narrows_to_its_day(context):
    page = context.new_page()
    page.goto("/?q=السعودية")
    chart = page.locator(".timeline svg")
    width = context.pages[0].viewport_size["width"]
    box = chart.bounding_box()
    assert box and box["width"] > 200 and box["x"] >= 0 and box["x"] + box["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    rightmost = max(chart.locator("rect.bar").all(), key=lambda bar: bar.bounding_box()["x"])
    leftmost = min(chart.locator("rect.bar").all(), key=lambda bar: bar.bounding_box()["x"])
    # time runs right to left: the oldest bar is the rightmost
    assert "2015-07-21" in rightmost.locator("xpath=..").get_attribute("href")
    assert "2015-08-11" in leftmost.locator("xpath=..").get_attribute("href")
    label = rightmost.locator("xpath=..").get_attribute("aria-label")
    count = int(label.split(":")[1].split()[0])
    rightmost.click()
    page.wait_for_load_state()
    assert args(page.url)["from"] == args(page.url)["to"] == "2015-07-21"
    days = hit_days(page)
    assert days and set(days) == {"2015-07-21"} and len(days) == min(10, count)


def test_hijri_form_and_hijri_dates_on_hits(context):
    page = context.new_page()
    page.goto("/?q=السعودية")
    page.click(".hijri-dates summary")
    page.fill(".hijri-dates input[name=from]", "1436-10-20")
    page.fill(".hijri-dates input[name=to]", "1436-10-22")
    page.click(".hijri-dates button")
    page.wait_for_load_state()
    assert args(page.url)["cal"] == "hijri"
    days = hit_days(page)
    assert days and all("2015-08-05" <= d <= "2015-08-07" for d in days)
    # the main form shows the same range in the Gregorian calendar
    assert [page.input_value(f"form.search [name=from_{part}]") for part in ("day", "month", "year")] == ["5", "8", "2015"]
    hijri = page.locator(".hit .hijri").all_inner_texts()
    assert len(hijri) == len(days) and all(h.endswith("هـ") and "شوال 1436" in h for h in hijri)


def test_a_hijri_year_typed_as_gregorian_asks_and_offers_the_hijri_reading(context):
    page = context.new_page()
    response = page.goto("/?q=السعودية&from=1436-10-20&to=1436-10-22")
    assert response.status == 400
    assert "هل تقصد التاريخ الهجري 20 شوال 1436 هـ" in page.inner_text("[role=alert]")
    assert page.locator(".hijri-dates").get_attribute("open") is not None
    page.click(".hijri-dates button")
    page.wait_for_load_state()
    assert page.locator(".hit").count() > 0 and all("2015-08-05" <= d <= "2015-08-07" for d in hit_days(page))


def test_sources_by_name_and_browsing_from_the_welcome_page(context):
    page = context.new_page()
    page.goto("/")
    page.click(".browse a:has-text('عكاظ')")
    page.wait_for_load_state()
    assert args(page.url) == {"sort": "newest", "source": "okaz"}
    assert set(page.locator(".hit .source").all_inner_texts()) == {"عكاظ"}
    days = hit_days(page)
    assert days == sorted(days, reverse=True) and len(days) == 10
    assert page.locator(".facet-source a").first.inner_text().startswith("عكاظ")


def test_quick_choice_counts_back_from_the_archive(context):
    page = context.new_page()
    page.goto("/?q=السعودية")
    page.click("nav.quick >> text=آخر أسبوع")
    page.wait_for_load_state()
    assert args(page.url)["from"] == "2015-08-05" and args(page.url)["to"] == "2015-08-11"
    assert page.locator(".hit").count() > 0


def test_csv_export_downloads_the_result_set(context, tmp_path):
    page = context.new_page()
    page.goto("/?q=السعودية&source=okaz")
    total = int(page.inner_text("#count").split()[0].replace(",", ""))
    with page.expect_download() as download:
        page.click(".export a:has-text('CSV')")
    path = tmp_path / "export.csv"
    download.value.save_as(path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("\ufeffid,title,date,date_hijri,source,source_name")
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == total and {r["source_name"] for r in rows} == {"عكاظ"}
    assert all(r["date_hijri"] == (hijri_iso(r["date"]) or "") for r in rows)


def test_everything_works_without_javascript(browser, snn_server):
    context = browser.new_context(java_script_enabled=False, base_url=snn_server)
    page = context.new_page()
    try:
        page.goto("/?q=السعودية")
        page.click(".timeline-table summary")
        rows = page.locator(".timeline-table tbody tr")
        assert rows.count() == page.locator(".timeline svg a").count() > 10 and rows.first.is_visible()
        page.locator(".timeline svg a").nth(3).click()
        page.wait_for_load_state()
        assert args(page.url)["from"] == args(page.url)["to"] and page.locator(".hit").count() > 0
        page.goto("/?q=السعودية")
        page.click(".hijri-dates summary")
        page.fill(".hijri-dates input[name=from]", "1436-10-25")
        page.click(".hijri-dates button")
        page.wait_for_load_state()
        assert args(page.url)["from"] == "1436-10-25" and page.locator(".hit").count() > 0
    finally:
        context.close()


@pytest.mark.parametrize("name, width, height", [("archive-phone", 390, 844), ("archive-desktop", 1280, 900)])
def test_screenshots(browser, snn_server, tmp_path, name, width, height):
    """A results page with the timeline, Hijri dates and source names; written to
    docs/screenshots with ARSHIF_SCREENSHOTS=1."""
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=snn_server,
                                  device_scale_factor=1, is_mobile=width < 700)
    page = context.new_page()
    try:
        page.goto("/?q=السعودية")
        folder = SCREENSHOTS if os.environ.get("ARSHIF_SCREENSHOTS") == "1" else tmp_path
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=False)
        assert 0 < path.stat().st_size < MAX_SCREENSHOT_BYTES
    finally:
        context.close()


@pytest.mark.parametrize("context", [p.values for p in WIDTHS], indirect=True, ids=["phone", "desktop"])
def test_advanced_form_all_sources_but_some(context):
    page = context.new_page()
    page.goto("/?q=السعودية")
    page.click(".advanced summary")
    page.check(".advanced input[name=except][value='1']")
    page.check(".advanced label:has-text('عكاظ') input")
    page.check(".advanced label:has-text('الرياض') >> nth=0 >> input")
    width = context.pages[0].viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.click(".advanced button")
    page.wait_for_load_state()
    assert args(page.url)["except"] == "1" and "okaz" in page.url
    sources = set(page.locator(".hit .source").all_inner_texts())
    assert sources and not sources & {"عكاظ", "الرياض"}
    assert "عدا" in page.inner_text(".filters")
    # the state stays in the form: the except choice and the boxes are still set
    assert page.locator(".advanced input[name=except][value='1']").is_checked()


@pytest.mark.parametrize("context", [p.values for p in WIDTHS], indirect=True, ids=["phone", "desktop"])
def test_article_jumps_between_matches_and_cites(context):
    page = context.new_page()
    page.goto("/article/snn-2015-07-22-1103?q=أطفال&sort=newest")  # writes الأطفال six times
    assert args(page.url) == {"q": "أطفال", "sort": "newest"}
    marks = page.locator(".article a.match")
    assert marks.count() >= 3 and page.locator(".matches a").count() == marks.count()
    marks.nth(1).click()
    assert urlsplit(page.url).fragment == "m3"
    assert page.evaluate("document.querySelector(':target').id") == "m3"
    page.click(".citation summary")
    assert page.locator(".cite-text").inner_text().endswith(urlsplit(page.url)._replace(query="", fragment="").geturl())
    assert page.locator(".related li").count() >= 1
    width = context.pages[0].viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.click(".back a")
    page.wait_for_load_state()
    assert args(page.url) == {"q": "أطفال", "sort": "newest"}
