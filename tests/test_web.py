"""The web app through Flask's test client: every route, every bad input, no 500s."""

from __future__ import annotations

import json
import os
import re
import threading
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from web_fixtures import SCRIPT, build_index, web_articles

from search import config
from search.analysis.arabic import normalize
from search.errors import Code, Notice, QueryError
from search.index.build import reindex
from web import create_app
from web.formatting import arabic_date, articles_phrase, month_label, results_phrase
from web.messages import ARABIC, error, notice
from web.params import DATE_BOXES, ParamError, SearchParams, parse_params
from web.suggest import correct_word, edits1, index_frequency, suggest

ARTICLES = {a["id"]: a for a in web_articles()}


@pytest.fixture(scope="module")
def index_root(tmp_path_factory) -> Path:
    return build_index(tmp_path_factory.mktemp("web"))


@pytest.fixture
def app(index_root):
    return create_app({"TESTING": True, "INDEX_DIR": str(index_root)})


@pytest.fixture
def client(app):
    return app.test_client()


def get(client, path: str, **params):
    return client.get(path, query_string=params)


def hit_ids(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/article/([^"?]+)', html)


def hit_dates(html: str) -> list[str]:
    results = html.split('<ol class="hits"', 1)[-1].split("</ol>", 1)[0]
    return re.findall(r'<time datetime="([^"]+)"', results)


def links(html: str, css_class: str) -> dict[str, str]:
    """label -> href of the links inside the first element with `css_class`."""
    part = html.split(f'class="{css_class}', 1)[1]
    part = part.split("</nav>", 1)[0].split("</section>", 1)[0]
    return {re.sub(r"<[^>]+>", "", label).strip(): href.replace("&amp;", "&")
            for href, label in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', part, re.S)}


def args_of(href: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}


# --- the factory ---------------------------------------------------------------------------

def test_config_defaults_to_the_engine_index_dir(monkeypatch):
    monkeypatch.setenv("ARSHIF_INDEX", "/somewhere/index")
    app = create_app()
    assert app.config["INDEX_DIR"] == "/somewhere/index"
    assert app.config["PAGE_SIZE"] == config.PAGE_SIZE
    assert not app.testing


def test_test_config_overrides_defaults(index_root):
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_root), "PAGE_SIZE": 3})
    assert app.testing and app.config["PAGE_SIZE"] == 3
    html = app.test_client().get("/", query_string={"q": "داعش"}).get_data(as_text=True)
    assert len(hit_ids(html)) == 3


def test_one_searcher_is_reused_across_requests(app, client):
    get(client, "/", q="داعش")
    first = app.extensions["arshif.searcher"]
    get(client, "/api/search", q="سوريا")
    get(client, "/article/seed-full")
    assert app.extensions["arshif.searcher"] is first


# --- the search page -----------------------------------------------------------------------

def test_home_page_is_arabic_rtl_with_the_form(client):
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in html
    assert 'name="q"' in html and all(f'name="{box}"' in html for box in DATE_BOXES)
    assert 'type="date"' not in html  # the browser's own date box shows mm/dd/yyyy
    assert f"في الأرشيف {articles_phrase(len(ARTICLES))}" in html
    assert 'rel="search" type="application/opensearchdescription+xml"' in html
    assert "<script" not in html and "style=" not in html  # nothing a strict CSP would block


def test_results_have_marks_dates_sources_and_article_links(client):
    html = get(client, "/", q="الميليشيات الإيرانية").get_data(as_text=True)
    assert "<mark>الميليشيات</mark>" in html and "<mark>الإيرانية</mark>" in html
    assert "seed-full" in hit_ids(html)
    assert "الإثنين 22 يونيو 2020" in html
    assert "البوابة نيوز" in html and "فاطمة عبدالغني" in html
    assert re.search(r'<h2><a href="/article/seed-full\?q=[^"]+"', html)
    assert re.search(r"\d+ نتائج|\d+ نتيجة", html) and "ثانية" in html
    assert 'class="snippet" dir="rtl"' in html and 'dir="auto"' not in html


def test_words_are_marked_when_they_match_only_by_stem(client):
    html = get(client, "/", q="ميليشيا").get_data(as_text=True)
    assert re.search(r"<mark>[^<]*ميليشيات</mark>", html)


def test_query_is_kept_in_the_search_box(client):
    html = get(client, "/", q='"تنظيم داعش" -ليبيا').get_data(as_text=True)
    assert 'value="&#34;تنظيم داعش&#34; -ليبيا"' in html


def test_date_range_keeps_only_articles_inside_it(client):
    html = get(client, "/", q="داعش", **{"from": "2020-01-01", "to": "2020-12-31"}).get_data(as_text=True)
    dates = hit_dates(html)
    assert dates and all(d.startswith("2020-") for d in dates)
    for name, (day, month, year) in (("from", (1, 1, 2020)), ("to", (31, 12, 2020))):
        assert f'<input name="{name}_year" value="{year}"' in html
        boxes = html.split(f'name="{name}_day"', 1)[1].split(f'name="{name}_year"', 1)[0]
        assert f"<option selected>{day}</option>" in boxes and f'<option value="{month}" selected>' in boxes


def test_quick_date_choices_set_from_and_to_in_the_url(client):
    html = get(client, "/", q="داعش").get_data(as_text=True)
    quick = links(html, "quick")
    newest = max(date.fromisoformat(a["date"][:10]) for a in ARTICLES.values())  # counted from the archive's newest
    assert args_of(quick["آخر أسبوع"]) == {"q": "داعش", "from": (newest - timedelta(days=6)).isoformat(),
                                          "to": newest.isoformat()}
    assert args_of(quick["آخر شهر"])["from"] == (newest - timedelta(days=29)).isoformat()
    assert args_of(quick["آخر سنة"])["from"] == (newest - timedelta(days=364)).isoformat()
    assert args_of(quick["2020"]) == {"q": "داعش", "from": "2020-01-01", "to": "2020-12-31"}
    assert "from" not in args_of(quick["أي وقت"])


@pytest.mark.parametrize("sort, expected", [("newest", True), ("oldest", False)])
def test_sort_by_date(client, sort, expected):
    html = get(client, "/", q="داعش", sort=sort, limit=50).get_data(as_text=True)
    dates = hit_dates(html)
    assert len(dates) > 3 and dates == sorted(dates, reverse=expected)
    assert set(links(html, "sort")) == {"الأكثر صلة", "الأحدث", "الأقدم"}


def test_pagination_moves_through_the_results(client):
    first = get(client, "/", q="داعش", limit=3).get_data(as_text=True)
    second = get(client, "/", q="داعش", limit=3, page=2).get_data(as_text=True)
    assert len(hit_ids(first)) == 3 and len(hit_ids(second)) == 3
    assert not set(hit_ids(first)) & set(hit_ids(second))
    pages = links(second, "pages")
    assert args_of(pages["→ السابق"]) == {"q": "داعش", "limit": "3"}
    assert args_of(pages["التالي ←"])["page"] == "3"
    assert '<span class="current" aria-current="page">2</span>' in second


def test_a_page_past_the_results_says_so(client):
    html = get(client, "/", q="داعش", page=50).get_data(as_text=True)
    assert "لا نتائج في هذه الصفحة" in html


@pytest.mark.parametrize("facet, value, prefix", [("year", "2020", "2020-"), ("month", "2020-06", "2020-06-")])
def test_date_facets_narrow_the_search(client, facet, value, prefix):
    html = get(client, "/", q="داعش").get_data(as_text=True)
    label = value if facet == "year" else month_label(value)
    href = links(html, f"facet facet-{facet}")[f"{label} " + _count(html, facet, label)]
    narrowed = client.get(href).get_data(as_text=True)
    assert hit_dates(narrowed) and all(d.startswith(prefix) for d in hit_dates(narrowed))
    assert "إزالة هذه التصفية" in narrowed


def _count(html: str, facet: str, label: str) -> str:
    part = html.split(f"facet-{facet}", 1)[1].split("</section>", 1)[0]
    return re.search(rf"<bdi>{re.escape(label)}</bdi> <span class=\"n\">(\d+)</span>", part).group(1)


def test_source_facet_narrows_the_search(client):
    html = get(client, "/", q="داعش").get_data(as_text=True)
    count = int(_count(html, "source", "عكاظ"))
    href = links(html, "facet facet-source")[f"عكاظ {count}"]
    assert args_of(href) == {"q": "داعش", "source": "عكاظ"}
    narrowed = client.get(href).get_data(as_text=True)
    assert len(hit_ids(narrowed)) == count
    assert all(ARTICLES[i]["source"] == "عكاظ" for i in hit_ids(narrowed))
    removal = links(narrowed, "filters")["المصدر: عكاظ ×"]
    assert args_of(removal) == {"q": "داعش"}


def test_facets_combine_with_the_date_range_and_keep_the_state(client):
    html = get(client, "/", q="داعش", sort="newest", source="الرياض", year="2020").get_data(as_text=True)
    assert all(ARTICLES[i]["source"] == "الرياض" and ARTICLES[i]["date"].startswith("2020") for i in hit_ids(html))
    for href in links(html, "facet facet-month").values():
        assert {"q": "داعش", "sort": "newest", "source": "الرياض", "year": "2020"}.items() <= args_of(href).items()


def test_did_you_mean_offers_a_more_common_spelling(client):
    html = get(client, "/", q="داعس").get_data(as_text=True)
    assert "هل تقصد" in html
    assert args_of(links(html, "suggestion")["داعش"]) == {"q": "داعش"}


def test_no_suggestion_when_the_query_finds_enough(client):
    assert "هل تقصد" not in get(client, "/", q="داعش").get_data(as_text=True)


def test_no_results_message(client):
    html = get(client, "/", q="كنغر").get_data(as_text=True)
    assert "لا نتائج" in html and "لم نجد مقالات" in html


# --- the article page ----------------------------------------------------------------------

def test_article_page_shows_the_full_text_with_marks(client):
    response = get(client, "/article/seed-full", q="الميليشيات")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in html
    assert html.count("<mark>") >= 3
    assert "الإثنين 22 يونيو 2020</time>" in html
    assert "فاطمة عبدالغني" in html and "البوابة نيوز" in html
    assert 'href="https://example.org/news/seed-full"' in html
    assert "صبراتة" in html  # the last paragraph: the whole body is there
    assert args_of(links(html, "back")["→ العودة إلى النتائج"]) == {"q": "الميليشيات"}


def test_article_without_query_has_no_marks(client):
    html = client.get("/article/p01").get_data(as_text=True)
    assert "<mark>" not in html and "العودة إلى النتائج" not in html


def test_unknown_article_is_an_arabic_404(client):
    response = client.get("/article/no-such-id")
    assert response.status_code == 404
    assert "لا يوجد في الأرشيف مقال بهذا المعرّف" in response.get_data(as_text=True)


def test_hostile_article_shows_as_text(client):
    html = get(client, "/article/hostile", q="داعش").get_data(as_text=True)
    assert SCRIPT not in html and "<b>" not in html and "<img" not in html and "<i>" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "javascript:" not in html  # not a link
    results = get(client, "/", q="صبراتة").get_data(as_text=True)
    assert "hostile" in hit_ids(results) and SCRIPT not in results
    assert "&lt;<bdi>script</bdi>&gt;" in results  # escaped, its Latin word isolated


def test_query_with_script_is_escaped(client):
    for path in ("/", "/article/seed-full"):
        html = get(client, path, q=f"داعش {SCRIPT}").get_data(as_text=True)
        assert SCRIPT not in html and "&lt;script&gt;" in html


# --- the JSON API and OpenSearch -----------------------------------------------------------

def test_api_returns_the_results_as_json(client):
    response = get(client, "/api/search", q="داعش", limit=3, sort="oldest", **{"from": "2016-01-01"})
    assert response.status_code == 200 and response.is_json
    data = response.get_json()
    assert list(data) == ["query", "total", "page", "limit", "pages", "grouped", "sort", "from", "to", "complete", "elapsed_ms",
                          "notices", "results", "facets", "histogram", "suggestion"]
    assert data["query"] == "داعش" and data["limit"] == 3 and data["from"] == "2016-01-01"
    assert len(data["results"]) == 3 and data["pages"] == -(-data["total"] // 3)
    assert set(data["results"][0]) == {"id", "title", "date", "source", "author", "url", "score", "snippet", "copies",
                                       "missing", "source_name", "date_hijri", "matched", "similar"}
    assert "<mark>" in data["results"][0]["snippet"]
    assert set(data["facets"]) == {"year", "month", "source"}
    assert "داعش" in response.get_data(as_text=True)  # UTF-8, not \\u escapes


def test_api_and_page_give_the_same_results(client):
    params = {"q": "سوريا", "source": "عكاظ", "sort": "newest"}
    api = get(client, "/api/search", **params).get_json()
    page = get(client, "/", **params).get_data(as_text=True)
    assert [r["id"] for r in api["results"]] == hit_ids(page)
    assert all(r["source"] == "عكاظ" for r in api["results"])


def test_opensearch_description(client):
    response = client.get("/opensearch.xml")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.mimetype == "application/opensearchdescription+xml"
    assert "<ShortName>أرشيف</ShortName>" in body
    assert 'template="http://localhost/?q={searchTerms}"' in body


# --- bad input: friendly 400s, never a 500 -------------------------------------------------

BAD_PARAMS = [
    pytest.param({"q": "داعش", "from": "2020-06-01", "to": "2020-01-01"}, "to", id="to-before-from"),
    pytest.param({"q": "داعش", "from": "yesterday"}, "from", id="from-not-a-date"),
    pytest.param({"q": "داعش", "to": "2020-02-30"}, "to", id="to-impossible-day"),
    pytest.param({"q": "داعش", "from": "2020/06/01"}, "from", id="from-wrong-format"),
    pytest.param({"q": "داعش", "page": "0"}, "page", id="page-0"),
    pytest.param({"q": "داعش", "page": str(10**9)}, "page", id="page-1e9"),
    pytest.param({"q": "داعش", "page": "-1"}, "page", id="page-negative"),
    pytest.param({"q": "داعش", "page": "two"}, "page", id="page-not-a-number"),
    pytest.param({"q": "داعش", "page": "9" * 5000}, "page", id="page-5000-digits"),
    pytest.param({"q": "داعش", "limit": str(10**6)}, "limit", id="limit-1e6"),
    pytest.param({"q": "داعش", "limit": "0"}, "limit", id="limit-0"),
    pytest.param({"q": "داعش", "sort": "random"}, "sort", id="unknown-sort"),
    pytest.param({"q": "داعش " * 1000}, "q", id="query-5000-chars"),
    pytest.param({"q": "+كلمة " * 100}, "q", id="query-too-many-words"),  # operators: all searched, so limited
    pytest.param({"q": "داعش", "year": "20x0"}, "year", id="year-not-a-year"),
    pytest.param({"q": "داعش", "month": "2020-13"}, "month", id="month-13"),
    pytest.param({"q": "داعش", "from": "2021-01-01", "year": "2020"}, "year", id="year-outside-range"),
    pytest.param({"q": "داعش", "source": "x" * 300}, "source", id="source-too-long"),
    pytest.param({"q": '"'}, "q", id="lone-quote"),
    pytest.param({"q": '"" OR - +'}, "q", id="only-operators"),
    pytest.param({"q": "في من على"}, "q", id="only-stopwords"),
]


@pytest.mark.parametrize("params, param", BAD_PARAMS)
def test_bad_input_gives_an_arabic_400_page(client, params, param):
    response = client.get("/", query_string=params)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'class="message error" role="alert"' in html
    assert re.search(r'role="alert">\s*<p>[^<]*[\u0600-\u06ff]', html)  # an Arabic message
    assert "Traceback" not in html and "Error" not in html


@pytest.mark.parametrize("params, param", BAD_PARAMS)
def test_bad_input_gives_a_json_400(client, params, param):
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 400 and response.is_json
    data = response.get_json()
    assert re.search(r"[\u0600-\u06ff]", data["error"]) and data["param"] == param


def test_api_without_a_query_is_a_400(client):
    response = client.get("/api/search")
    assert response.status_code == 400 and "error" in response.get_json()


def test_error_page_keeps_what_was_typed(client):
    html = get(client, "/", q=f"داعش {SCRIPT}", **{"from": "bad"}).get_data(as_text=True)
    assert "داعش &lt;script&gt;" in html and SCRIPT not in html


@pytest.mark.parametrize("query", ['داعش"', '"داعش', '"تنظيم داعش', 'داعش OR', 'OR داعش', '- داعش', '+داعش -',
                                   "داعش ||| سوريا", "«داعش»", "داعش AND NOT", "داعش (سوريا", "داعش*", "\\داعش",
                                   "-داعش", "داعش\x00", "ﷺ داعش", "داعش 🙂"])
def test_stray_quotes_and_operators_still_search(client, query):
    page = get(client, "/", q=query)
    api = get(client, "/api/search", q=query)
    assert page.status_code == 200 and api.status_code == 200
    assert api.get_json()["total"] > 0


@pytest.mark.parametrize("path", ["/", "/api/search", "/article/seed-full", "/opensearch.xml"])
def test_unknown_parameters_and_repeats_are_harmless(client, path):
    response = client.get(path + "?q=داعش&q=سوريا&foo=bar&page=1&page=2")
    assert response.status_code == 200


def test_page_zero_for_the_article_page_is_a_400(client):
    assert client.get("/article/seed-full?page=0").status_code == 400


def test_unknown_route_is_an_arabic_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "الصفحة المطلوبة غير موجودة" in response.get_data(as_text=True)
    api = client.get("/api/nothing")
    assert api.status_code == 404 and "error" in api.get_json()


def test_wrong_method_is_an_arabic_405(client):
    response = client.post("/", data={"q": "داعش"})
    assert response.status_code == 405 and "غير مسموح" in response.get_data(as_text=True)


def test_security_headers(client):
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"


# --- the index: missing, corrupt, swapped --------------------------------------------------

def _app_on(root: Path):
    return create_app({"TESTING": True, "INDEX_DIR": str(root)}).test_client()


@pytest.mark.parametrize("path", ["/", "/?q=داعش", "/article/seed-full"])
def test_missing_index_is_a_503_telling_to_reindex(tmp_path, path):
    response = _app_on(tmp_path / "nothing-here").get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "arshif reindex" in html and "الفهرس" in html
    assert str(tmp_path) not in html  # no server paths on the page


def test_missing_index_api_is_a_json_503(tmp_path):
    response = _app_on(tmp_path).get("/api/search?q=داعش")
    assert response.status_code == 503 and "arshif reindex" in response.get_json()["error"]


def test_corrupt_index_is_a_503(tmp_path):
    (tmp_path / "gen-broken").mkdir()  # the live generation has lost its files
    os.symlink("gen-broken", tmp_path / "current")
    response = _app_on(tmp_path).get("/?q=داعش")
    assert response.status_code == 503 and "arshif reindex" in response.get_data(as_text=True)


def test_a_reindex_is_picked_up_without_a_restart(tmp_path):
    client = _app_on(tmp_path / "index")
    assert client.get("/?q=داعش").status_code == 503
    data = tmp_path / "data"
    data.mkdir()
    first = {"id": "one", "title": "تنظيم داعش", "body": "تنظيم داعش يعود للظهور مجددًا في البادية السورية",
             "date": "2020-06-22 00:19:00", "source": "عكاظ", "author": "", "url": ""}
    (data / "a.jsonl").write_text(json.dumps(first, ensure_ascii=False) + "\n", encoding="utf-8")
    reindex([data], tmp_path / "index", procs=1)
    assert hit_ids(client.get("/?q=داعش").get_data(as_text=True)) == ["one"]
    second = dict(first, id="two", body="عادت مدينة صبراتة الليبية لتحتضن عناصر تنظيم داعش")
    (data / "a.jsonl").write_text(json.dumps(second, ensure_ascii=False) + "\n", encoding="utf-8")
    reindex([data], tmp_path / "index", procs=1)
    assert hit_ids(client.get("/?q=داعش").get_data(as_text=True)) == ["two"]


def test_requests_in_flight_during_reindexes_never_fail(tmp_path):
    root = build_index(tmp_path)
    app = create_app({"TESTING": True, "INDEX_DIR": str(root)})
    statuses, failures, stop = [], [], threading.Event()

    def browse():
        client = app.test_client()
        while not stop.is_set():
            try:
                for path in ("/?q=داعش", "/api/search?q=سوريا&source=عكاظ", "/article/seed-full?q=داعش"):
                    statuses.append(client.get(path).status_code)
            except Exception as exc:  # noqa: BLE001 (report every kind)
                failures.append(repr(exc))

    threads = [threading.Thread(target=browse) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(2):
            reindex([tmp_path / "articles"], root, procs=1)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert not failures and statuses and set(statuses) == {200}


# --- the small modules ---------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("2020-06-22T00:19:00", "الإثنين 22 يونيو 2020"),
    ("2016-02-10T12:00:00", "الأربعاء 10 فبراير 2016"),
    ("2023-12-31", "الأحد 31 ديسمبر 2023"),
    (date(2021, 9, 9), "الخميس 9 سبتمبر 2021"),
    (None, ""), ("not a date", ""),
])
def test_arabic_date(value, expected):
    assert arabic_date(value) == expected


def test_arabic_date_with_time():
    assert arabic_date("2020-06-22T00:19:00", with_time=True) == "الإثنين 22 يونيو 2020، 12:19 ص"
    assert arabic_date("2020-12-31T23:59:00", with_time=True) == "الخميس 31 ديسمبر 2020، 11:59 م"
    assert arabic_date("2020-06-22T00:00:00", with_time=True) == "الإثنين 22 يونيو 2020"
    assert arabic_date("2020-06-22", weekday=False) == "22 يونيو 2020"


@pytest.mark.parametrize("n, expected", [(0, "لا نتائج"), (1, "نتيجة واحدة"), (2, "نتيجتان"), (3, "3 نتائج"),
                                         (10, "10 نتائج"), (11, "11 نتيجة"), (100, "100 نتيجة"),
                                         (103, "103 نتائج"), (1234, "1,234 نتيجة")])
def test_results_phrase_uses_arabic_number_agreement(n, expected):
    assert results_phrase(n) == expected


def test_articles_phrase_and_month_label():
    assert [articles_phrase(n) for n in (0, 1, 2, 5, 30)] == ["لا مقالات", "مقال واحد", "مقالان", "5 مقالات",
                                                               "30 مقالًا"]
    assert month_label("2020-06") == "يونيو 2020" and month_label("junk") == "junk"


def test_every_engine_code_has_its_arabic():
    assert set(ARABIC) == set(Code)
    assert notice(Notice(Code.EMPTY_QUERY)) == "اكتب كلمة أو أكثر للبحث."
    assert "لا يحوي أي مقال العبارة" in notice(Notice(Code.PHRASE_RELAXED))
    too_long = QueryError(Code.QUERY_TOO_LONG, chars=1200, limit=1000)
    assert "1,200" in error(too_long) and too_long.param == "q" and "1200 characters" in str(too_long)


def test_api_notices_have_a_code_and_an_arabic_message(client):
    body = client.get("/api/search", query_string={"q": '"السوري الجيش"'}).get_json()
    assert body["notices"] == [{"code": "phrase-relaxed", "message": notice(Notice(Code.PHRASE_RELAXED))}]


def test_url_args_leave_out_defaults_and_reset_the_page():
    params = SearchParams(q="داعش", date_from=date(2020, 1, 1), sort="newest", page=3, source="عكاظ")
    assert params.url_args(page=3) == {"q": "داعش", "from": "2020-01-01", "sort": "newest", "page": "3",
                                       "source": "عكاظ"}
    assert "page" not in params.url_args(sort="oldest")
    assert params.url_args(source="", sort="relevance") == {"q": "داعش", "from": "2020-01-01"}


def test_params_accept_arabic_indic_digits():
    params = parse_params({"q": "داعش", "from": "٢٠٢٠-٠٦-٠١", "page": "٢"})
    assert params.date_from == date(2020, 6, 1) and params.page == 2


def test_year_and_month_narrow_the_range():
    params = parse_params({"from": "2020-03-10", "year": "2020", "month": "2020-06"})
    assert params.effective_range() == (date(2020, 6, 1), date(2020, 6, 30))
    with pytest.raises(ParamError):
        parse_params({"year": "2019", "month": "2020-06"})


def test_edits1_makes_every_single_edit():
    edits = edits1("داعس")
    assert {"داعش", "داع", "اعس", "دعاس", "داعسي"} <= edits
    assert "داعس" not in edits


def test_correct_word_prefers_the_most_common_neighbour():
    frequency = {"داعش": 9, "داعي": 2, "داعيه": 3}.get
    assert correct_word("داعس", frequency) == "داعش"
    assert correct_word("داعش", frequency) is None  # already the common spelling
    assert correct_word("داعي", frequency) is None  # known, and داعش is not 5 times as common
    assert correct_word("في", frequency) is None and correct_word("ISIS", frequency) is None


def test_suggest_keeps_the_query_syntax_and_skips_exclusions():
    frequency = {"داعش": 9, "سوريا": 5}.get
    assert suggest('"تنظيم داعس" سوريه', 0, frequency) == '"تنظيم داعش" سوريا'
    assert suggest("-داعس سوريا", 0, frequency) is None
    assert suggest("داعس", 10, frequency) == "داعش"  # a rare spelling beside a common one, whatever the results
    assert suggest("داعي", 10, {"داعش": 9, "داعي": 2}.get) is None  # داعش is not 10 times as common


def test_index_frequency_reads_the_vocabulary(app):
    with app.app_context():
        from web.engine import get_searcher

        frequency = index_frequency(get_searcher().doc_frequency)
    assert frequency("داعش") > 5 and frequency("داعس") == 0


# --- issue 20: did you mean, the API -------------------------------------------------------

def test_suggestions_are_well_formed_words():
    """No ة or ى inside a word, no bare ء inside one (مسءول), the plain letter where the index
    reads a seat and a plain letter alike (السعودئة, الرئاض were offered)."""
    for word in ("السعودبة", "الرباض", "كرونا", "داعس", "مسوول"):
        for edit in edits1(word):
            assert "ة" not in edit[:-1] and "ى" not in edit[:-1] and edit[0] not in "ءؤئةى", edit
            assert all(edit[i - 1] in "اوي" for i, ch in enumerate(edit[:-1]) if ch == "ء" and i), edit
    counts = dict.fromkeys(("السعودية", "الرياض", "مسؤول"), 900)
    frequency = lambda w: counts.get(w, 0)
    assert correct_word("السعودبة", frequency) == "السعودية"
    assert correct_word("الرباض", frequency) == "الرياض"
    assert correct_word("مسوول", frequency) == "مسؤول" and correct_word("مسول", frequency) == "مسؤول"


def test_a_suggestion_is_a_frequent_word_of_the_index_not_a_rare_misspelling():
    # by stem both spellings are frequent; as words, only one is: the rare one is never offered
    stems = {"الرياض": 500, "الرياظ": 500}
    words = {"الرياض": 480, "الرياظ": 20, "الرباض": 0}
    frequency, form_frequency = stems.get, lambda w: words.get(w, 0)
    assert correct_word("الرباض", frequency, form_frequency, min_count=30) == "الرياض"
    assert correct_word("الرباض", frequency, lambda w: 20 if w == "الرياض" else 0, min_count=30) is None
    # a word the archive knows well is never corrected, however common its neighbour
    assert correct_word("نصر", {"مصر": 9000}.get, lambda w: {"مصر": 9000, "نصر": 93}.get(w, 0), 15, 5, known=30) is None
    assert correct_word("نصر", {"مصر": 9000}.get, lambda w: {"مصر": 9000, "نصر": 3}.get(w, 0), 15, 5, known=30) == "مصر"


def test_the_index_counts_words_not_stems(app):
    with app.app_context():
        from web.engine import get_searcher

        searcher = get_searcher()
        from search.analysis.analyzer import token_forms

        words = [{form for form, _ in token_forms(a["title"] + "\n" + a["body"])} for a in web_articles()]
        for word in ("داعش", "الجيش", "التنظيم", "تنظيم", "العراق"):
            holding = sum(normalize(word) in held for held in words)
            assert holding and searcher.form_frequency(word) == holding, word
        assert searcher.form_frequency("داعس") == 0


def test_did_you_mean_beside_a_correct_word_with_many_results(client):
    """A typo next to a correct word: the search finds plenty (by the correct word), and the
    suggestion is still offered, on the page and in the API."""
    many = get(client, "/api/search", q="داعس الجيش").get_json()
    assert many["total"] >= 3 and many["suggestion"] == "داعش الجيش"
    html = get(client, "/", q="داعس الجيش").get_data(as_text=True)
    assert args_of(links(html, "suggestion")["داعش الجيش"]) == {"q": "داعش الجيش"}
    assert get(client, "/api/search", q="داعش الجيش").get_json()["suggestion"] is None


@pytest.mark.parametrize("params", [{"q": "كنغر"}, {"q": "داعش", "from": "2030-01-01"}, {"q": "كنغر", "source": "عكاظ"},
                                    {"q": '"كنغر زرافة"'}, {"q": "داعش", "year": "1999"}])
def test_api_facets_are_empty_lists_when_nothing_is_found(client, params):
    data = get(client, "/api/search", **params).get_json()
    assert data["total"] == 0 and data["results"] == []
    assert data["facets"] == {"year": [], "month": [], "source": []}


def test_api_bad_sort_names_the_values_to_send(client):
    response = get(client, "/api/search", q="داعش", sort="الأحدث")
    assert response.status_code == 400 and response.get_json()["param"] == "sort"
    message = response.get_json()["error"]
    assert all(value in message for value in ("relevance", "newest", "oldest", "الأحدث"))


def test_api_article_gives_one_article_as_json(client):
    article = ARTICLES["seed-full"]
    data = get(client, "/api/article/seed-full", q="داعش").get_json()
    assert {k: data[k] for k in ("id", "title", "source", "author", "url", "body")} == \
        {k: article[k] for k in ("id", "title", "source", "author", "url", "body")}
    assert data["date"] == "2020-06-22T00:19:00" and data["copies"] == []
    assert data["body_html"].count("<mark>") == article["body"].count("داعش") > 0
    plain = get(client, "/api/article/seed-full").get_json()
    assert "<mark>" not in plain["body_html"] and plain["body"] == article["body"]
    hostile = get(client, "/api/article/hostile").get_json()
    assert hostile["title"] == ARTICLES["hostile"]["title"] and "<script>" not in hostile["title_html"]
    missing = get(client, "/api/article/no-such-id")
    assert missing.status_code == 404 and missing.is_json and "error" in missing.get_json()


# --- issue 20: the page: right to left, date boxes, the recorded time -----------------------

def test_titles_and_snippets_are_right_to_left_with_latin_isolated(client):
    html = get(client, "/", q="صبراتة").get_data(as_text=True)
    assert '<h2><a href="/article/latin-lead?q=' in html
    title = html.split('href="/article/latin-lead?q=', 1)[1].split("</h2>", 1)[0]
    assert 'dir="rtl">' in title and "<bdi>BBC</bdi> تنشر" in title
    assert "<bdi>CNN 24</bdi>: " in html and "<bdi>2020/06/22</bdi>" in html
    article = get(client, "/article/latin-lead", q="داعش").get_data(as_text=True)
    assert '<h1 dir="rtl"><bdi>BBC</bdi> تنشر' in article and '<p dir="rtl"><bdi>CNN 24</bdi>' in article


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("BBC دا عش 2020/06-<>&\"' \u0627\u064b%.:")), max_size=40))
def test_isolated_is_the_escaped_text_with_only_bdi_added(text):
    import html as html_module

    from web.formatting import isolated

    out = str(isolated(text))
    assert html_module.unescape(out.replace("<bdi>", "").replace("</bdi>", "")) == text
    assert "<" not in out.replace("<bdi>", "").replace("</bdi>", "")  # nothing else unescaped
    for run in re.findall(r"<bdi>(.*?)</bdi>", out):
        assert run and not re.search("[\u0600-\u06ff]", run)  # only left-to-right text is isolated


@pytest.mark.parametrize("boxes, dates", [
    ({"from_day": "5", "from_month": "3", "from_year": "2020"}, {"from": "2020-03-05"}),
    ({"from_year": "٢٠١٩", "to_year": "2020"}, {"from": "2019-01-01", "to": "2020-12-31"}),
    ({"from_month": "2", "from_year": "2020", "to_month": "2", "to_year": "2020"}, {"from": "2020-02-01", "to": "2020-02-29"}),
    ({"from_day": "", "from_month": "", "from_year": "", "to_day": "", "to_month": "", "to_year": ""}, {}),
])
def test_the_date_boxes_give_from_and_to(client, boxes, dates):
    response = get(client, "/", q="داعش", sort="newest", **{"from": "2001-01-01"}, **boxes)
    assert response.status_code == 302
    assert args_of(response.headers["Location"]) == {"q": "داعش", "sort": "newest", **dates}
    assert client.get(response.headers["Location"]).status_code == 200


@pytest.mark.parametrize("boxes, words", [
    ({"from_day": "5", "from_month": "3"}, "اكتب السنة"), ({"to_day": "5", "to_year": "2020"}, "اختر الشهر"),
    ({"from_year": "20"}, "ليست سنة"), ({"from_day": "31", "from_month": "2", "from_year": "2020"}, "ليس تاريخًا صحيحًا"),
])
def test_incomplete_date_boxes_get_an_arabic_message(client, boxes, words):
    response = get(client, "/", q="داعش", **boxes)
    if response.status_code == 302:  # a day that does not exist is refused on the page it leads to
        response = client.get(response.headers["Location"])
    assert response.status_code == 400 and words in response.get_data(as_text=True)


def test_the_article_time_is_labelled_as_recorded_not_published(client):
    html = get(client, "/article/seed-full").get_data(as_text=True)
    assert '<time datetime="2020-06-22T00:19:00">الإثنين 22 يونيو 2020</time>' in html
    clock = html.split('class="clock"', 1)[1].split("</span>", 1)[0]
    assert "الساعة المسجّلة 12:19 ص" in clock and "لا ساعة نشره" in clock
    from web.formatting import recorded_time

    assert recorded_time("2020-06-22T00:00:00") == "" and recorded_time("2020-06-22") == ""  # none: no label
    assert recorded_time("2020-06-22T13:05:00") == "1:05 م" and recorded_time(None) == ""
