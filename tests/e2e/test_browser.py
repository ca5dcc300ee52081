"""The search page in headless Chromium against the real server (``arshif serve``, waitress).

Set ``ARSHIF_SCREENSHOTS=1`` to also write ``docs/screenshots/search-{phone,desktop}.png``.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

pytest_plugins = ["browser_fixtures"]  # the server and browser fixtures

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
MAX_SCREENSHOT_BYTES = 300_000


def url_args(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def search(page, query: str) -> None:
    """Type `query` in the search box and submit with Enter."""
    page.goto("/")
    page.fill("input[name=q]", query)
    page.press("input[name=q]", "Enter")
    page.wait_for_load_state()


def hit_dates(page) -> list[str]:
    return page.locator(".hit time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")


def test_typing_an_arabic_query_shows_marked_results(page):
    search(page, "الميليشيات الإيرانية")
    assert url_args(page.url)["q"] == "الميليشيات الإيرانية"
    assert page.locator(".hit").count() > 1
    marks = page.locator(".hit .snippet mark").all_inner_texts()
    assert "الميليشيات" in marks and "الإيرانية" in marks
    assert page.input_value("input[name=q]") == "الميليشيات الإيرانية"
    assert "نتائج" in page.inner_text("#count") or "نتيجة" in page.inner_text("#count")


def test_date_range_shows_only_articles_inside_it(page):
    search(page, "داعش")
    everything = hit_dates(page)
    page.fill("input[name=from]", "2020-01-01")
    page.fill("input[name=to]", "2020-12-31")
    page.click("form.search button[type=submit]")
    page.wait_for_load_state()
    assert url_args(page.url)["from"] == "2020-01-01" and url_args(page.url)["to"] == "2020-12-31"
    inside = hit_dates(page)
    assert inside and all(d.startswith("2020-") for d in inside)
    assert len(inside) < len(everything)


def test_quick_year_choice_sets_the_dates(page):
    search(page, "داعش")
    page.click("nav.quick >> text=2020")
    assert url_args(page.url) == {"q": "داعش", "from": "2020-01-01", "to": "2020-12-31"}
    assert page.input_value("input[name=from]") == "2020-01-01"
    assert all(d.startswith("2020-") for d in hit_dates(page))


def test_clicking_a_facet_narrows_the_search(page):
    search(page, "داعش")
    source = page.locator(".facet-source a").first
    name = source.locator("bdi").inner_text()
    count = int(source.locator(".n").inner_text())
    source.click()
    page.wait_for_load_state()
    assert url_args(page.url)["source"] == name
    assert page.locator(".hit").count() == min(count, 10)
    assert set(page.locator(".hit .source").all_inner_texts()) == {name}
    page.click("ul.filters a")  # the chip removes the facet again
    assert "source" not in url_args(page.url)


def test_sort_newest_orders_by_date(page):
    search(page, "داعش")
    page.click("nav.sort >> text=الأحدث")
    dates = hit_dates(page)
    assert url_args(page.url)["sort"] == "newest" and dates == sorted(dates, reverse=True)


def test_opening_an_article_shows_it_with_marks(page):
    search(page, "صبراتة")
    first = page.locator(".hit h2 a").first
    title = first.inner_text()
    first.click()
    page.wait_for_load_state()
    assert "/article/" in page.url and url_args(page.url)["q"] == "صبراتة"
    assert page.inner_text("article h1") == title
    assert page.locator("article .body mark").count() >= 1
    page.click("p.back a")
    assert urlsplit(page.url).path == "/" and url_args(page.url)["q"] == "صبراتة"


def test_did_you_mean_corrects_a_misspelling(page):
    search(page, "داعس")
    page.click(".suggestion a")
    assert url_args(page.url)["q"] == "داعش" and page.locator(".hit").count() > 0


def test_the_page_is_right_to_left(page):
    search(page, "داعش")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("document.documentElement.lang") == "ar"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    results, facets = page.locator(".results").bounding_box(), page.locator(".facets").bounding_box()
    assert results["x"] > facets["x"]  # results on the right, facets beside them on the left
    title = page.locator(".hit h2 a").first.bounding_box()
    assert title["x"] + title["width"] == pytest.approx(results["x"] + results["width"], abs=2)  # right-aligned
    assert "Naskh" in page.evaluate("getComputedStyle(document.body).fontFamily")  # the stylesheet loaded


def test_bad_input_shows_an_arabic_message(page):
    response = page.goto("/?q=داعش&from=2020-06-01&to=2020-01-01")
    assert response.status == 400
    assert "قبل تاريخ البداية" in page.inner_text("[role=alert]")


def test_hostile_text_stays_text(page):
    search(page, "صبراتة <script>window.pwned=1</script>")
    page.goto("/article/hostile?q=داعش")
    assert page.evaluate("window.pwned") is None
    assert "<script>" in page.inner_text("article h1")


def test_the_page_works_without_javascript(browser, server):
    context = browser.new_context(java_script_enabled=False, base_url=server)
    page = context.new_page()
    try:
        search(page, "داعش")
        assert page.locator(".hit").count() > 0
        page.locator(".facet-year a").first.click()
        assert "year" in url_args(page.url)
    finally:
        context.close()


def test_phone_width_has_no_sideways_scrolling(browser, server):
    context = browser.new_context(viewport={"width": 375, "height": 812}, base_url=server, is_mobile=True)
    page = context.new_page()
    try:
        for path in ("/", "/?q=الميليشيات الإيرانية", "/article/seed-full?q=داعش", "/?q=داعش&to=x"):
            page.goto(path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
        page.goto("/?q=داعش")
        results, facets = page.locator(".results").bounding_box(), page.locator(".facets").bounding_box()
        assert facets["y"] > results["y"]  # one column: facets below the results
    finally:
        context.close()


@pytest.mark.parametrize("name, width, height", [("search-phone", 375, 812), ("search-desktop", 1280, 900)])
def test_screenshots(browser, server, tmp_path, name, width, height):
    """Screenshots of a results page; written to docs/screenshots with ARSHIF_SCREENSHOTS=1."""
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=server,
                                  device_scale_factor=1, locale="ar-EG")
    page = context.new_page()
    try:
        page.goto("/?q=الميليشيات الإيرانية")
        folder = SCREENSHOTS if os.environ.get("ARSHIF_SCREENSHOTS") == "1" else tmp_path
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=False)
        assert 0 < path.stat().st_size < MAX_SCREENSHOT_BYTES
    finally:
        context.close()
