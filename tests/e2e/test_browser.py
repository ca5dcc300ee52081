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


def choose_date(page, name: str, day: str, month: str, year: str) -> None:
    """Fill one date's boxes: day and month (by its Arabic name) from their lists, the year typed."""
    if day:
        page.select_option(f"select[name={name}_day]", day)
    if month:
        page.select_option(f"select[name={name}_month]", label=month)
    page.fill(f"input[name={name}_year]", year)


def date_boxes(page, name: str) -> tuple[str, str, str]:
    """What one date's boxes show: the day, the month's name, the year."""
    return (page.eval_on_selector(f"select[name={name}_day]", "s => s.selectedOptions[0].text"),
            page.eval_on_selector(f"select[name={name}_month]", "s => s.selectedOptions[0].text"),
            page.input_value(f"input[name={name}_year]"))


def test_date_range_shows_only_articles_inside_it(page):
    search(page, "داعش")
    everything = hit_dates(page)
    choose_date(page, "from", "1", "يناير", "2020")
    choose_date(page, "to", "31", "ديسمبر", "2020")
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
    assert date_boxes(page, "from") == ("1", "يناير", "2020") and date_boxes(page, "to") == ("31", "ديسمبر", "2020")
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
        assert facets["y"] < results["y"]  # one column: the filter panel above the results
    finally:
        context.close()


@pytest.mark.parametrize("name, width, height", [("search-phone", 390, 844), ("search-desktop", 1280, 900)])
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


# --- issue 20 ------------------------------------------------------------------------------

def phone(browser, server):
    return browser.new_context(viewport={"width": 390, "height": 844}, base_url=server, is_mobile=True,
                               has_touch=True)


def test_a_title_that_starts_with_a_latin_word_reads_right_to_left(page):
    search(page, "صبراتة")
    link = page.locator('.hit h2 a[href*="/article/latin-lead"]')
    assert link.evaluate("a => getComputedStyle(a).direction") == "rtl"
    title, first_word = link.bounding_box(), link.locator("bdi").first.bounding_box()
    assert link.locator("bdi").first.inner_text() == "BBC"
    # right to left: the first word stands at the right end of the line, the rest to its left
    assert first_word["x"] + first_word["width"] == pytest.approx(title["x"] + title["width"], abs=2)
    snippet = link.locator("xpath=ancestor::li").locator(".snippet")
    cnn = snippet.locator("bdi", has_text="CNN").bounding_box()
    assert cnn["x"] + cnn["width"] == pytest.approx(snippet.bounding_box()["x"] + snippet.bounding_box()["width"], abs=2)


def test_the_date_boxes_read_day_month_year_from_the_right(page):
    search(page, "داعش")
    day, month, year = (page.locator(f"[name=from_{part}]").bounding_box() for part in ("day", "month", "year"))
    assert day["x"] > month["x"] > year["x"]  # right to left: day, month, year
    months = page.locator("select[name=from_month] option").all_inner_texts()
    assert months[1:] == ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر",
                          "أكتوبر", "نوفمبر", "ديسمبر"]
    assert page.locator("input[type=date]").count() == 0  # no mm/dd/yyyy box
    choose_date(page, "from", "21", "يونيو", "2020")
    choose_date(page, "to", "", "يونيو", "2020")  # a month: to its last day
    page.click("form.search button[type=submit]")
    page.wait_for_load_state()
    assert url_args(page.url) == {"q": "داعش", "from": "2020-06-21", "to": "2020-06-30"}
    assert date_boxes(page, "to") == ("30", "يونيو", "2020")
    assert all("2020-06-21" <= d[:10] <= "2020-06-30" for d in hit_dates(page)) and hit_dates(page)


def test_on_a_phone_the_filters_are_a_panel_at_the_top_that_opens(browser, server):
    context = phone(browser, server)
    page = context.new_page()
    try:
        page.goto("/?q=داعش")
        summary = page.locator("details.facet-panel > summary")
        first_hit = page.locator(".hit").first.bounding_box()
        assert summary.is_visible() and summary.bounding_box()["y"] < min(first_hit["y"], 400)
        assert not page.locator(".facet-year a").first.is_visible()  # closed until asked
        summary.tap()
        year = page.locator(".facet-year a").first
        assert year.is_visible() and year.bounding_box()["y"] < first_hit["y"] + 400
        with page.expect_navigation():
            year.tap()
        assert "year" in url_args(page.url)
    finally:
        context.close()


def test_on_a_desktop_the_filters_are_open_beside_the_results(page):
    search(page, "داعش")
    assert not page.locator("details.facet-panel > summary").is_visible()
    assert page.locator(".facet-year a").first.is_visible()


def relative_luminance(rgb) -> float:
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


RING = """el => {
  const rgb = s => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const style = getComputedStyle(el);
  let behind = el.parentElement;  // the ring is drawn outside the element, on what is behind it
  while (behind && getComputedStyle(behind).backgroundColor.replace(/ /g, '').endsWith(',0)')) behind = behind.parentElement;
  const bg = behind ? getComputedStyle(behind).backgroundColor : 'rgb(255, 255, 255)';
  return {tag: el.tagName + '.' + el.className, style: style.outlineStyle, width: parseFloat(style.outlineWidth),
          ring: rgb(style.outlineColor), behind: rgb(bg)};
}"""


def test_the_keyboard_focus_ring_has_a_contrast_of_3_to_1(page):
    search(page, "داعش")
    page.locator("body").focus()
    seen = set()
    for _ in range(40):  # the form, the date choices, sorts, results, facets...
        page.keyboard.press("Tab")
        ring = page.evaluate(f"({RING})(document.activeElement)")
        seen.add(ring["tag"].split(".")[0])
        assert ring["style"] != "none" and ring["width"] >= 2, ring
        assert contrast(ring["ring"], ring["behind"]) >= 3, ring
    assert {"INPUT", "SELECT", "A", "BUTTON"} <= seen


def test_the_page_uses_its_own_arabic_font(page):
    search(page, "داعش")
    page.evaluate("document.fonts.ready")
    loaded = page.evaluate("""() => [...document.fonts].filter(f => f.status === 'loaded')
                                    .map(f => f.family.replace(/"/g, '') + ' ' + f.weight)""")
    assert "Noto Naskh Arabic 400" in loaded and "Noto Sans Arabic 400" in loaded
    assert page.evaluate("document.fonts.check('16px \"Noto Naskh Arabic\"', 'داعش')")
    font = page.request.get("/static/fonts/noto-naskh-arabic-arabic-400-normal.woff2")
    assert font.ok and font.body()[:4] == b"wOF2"
    licence = page.request.get("/static/fonts/OFL.txt").text()
    assert "SIL OPEN FONT LICENSE" in licence.upper()


def test_did_you_mean_beside_a_correct_word(page):
    search(page, "داعس الجيش")
    assert page.locator(".hit").count() >= 3  # plenty found by the correct word
    page.click(".suggestion a")
    assert url_args(page.url)["q"] == "داعش الجيش"
