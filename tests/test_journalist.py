"""What journalists and archivists expect (issue 19): sources by name, Hijri dates, the timeline
of hits, quick dates from the archive's span, export and feeds, browsing without a query.

Through the Flask app on a small archive of real SaudiNewsNet articles (journalist_fixtures).
"""

from __future__ import annotations

import gzip
import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from journalist_fixtures import SNN, build, sample

from search.cli import cli
from search.ingest.hijri import hijri_iso, hijri_label
from search.ingest.source_names import OWNER_FILE, SourceNames, SourceNamesError, read_names
from search.searcher import Searcher
from web import create_app

BY_ID = {a["id"]: a for a in sample()}
UNDATED = (sample()[1]["id"], sample()[2]["id"])
UNNAMED = sample()[3]["id"]  # source albawaba, which has no shipped name


@pytest.fixture(scope="module")
def index_root(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("journalist"))


@pytest.fixture
def client(index_root):
    return create_app({"TESTING": True, "INDEX_DIR": str(index_root)}).test_client()


def page(client, **params) -> str:
    response = client.get("/", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def hit_ids(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/article/([^"?]+)', html)


# --- 1. sources as readers know them -------------------------------------------------------

def test_every_source_of_the_corpus_has_a_shipped_name():
    with gzip.open(SNN, "rt", encoding="utf-8") as f:
        ids = {json.loads(line)["source"] for line in f}
    names = SourceNames.load()
    assert len(ids) == 14
    assert all(names.name(i) != i for i in ids), [i for i in ids if names.name(i) == i]
    assert names.name("okaz") == "عكاظ" and names.name("aawsat") == "الشرق الأوسط"
    assert names.name("was").startswith("واس") and names.name("sabq") == "سبق"
    assert names.name("albawaba") == "albawaba" and names.name("") == ""


def test_names_file_errors_say_what_is_wrong():
    with pytest.raises(SourceNamesError, match="not JSON"):
        read_names("{okaz: عكاظ}", "x.json")
    with pytest.raises(SourceNamesError, match="non-empty"):
        read_names('{"okaz": ""}', "x.json")
    assert read_names('{"_note": 1, " okaz ": " عكاظ  اليوم "}', "x.json") == {"okaz": "عكاظ اليوم"}


def test_hits_facets_and_filters_show_the_names(client):
    html = page(client, q="السعودية", source="okaz")
    ids = hit_ids(html)
    assert ids and all(BY_ID[i]["source"] == "okaz" for i in ids)
    assert '<span class="source"><bdi>عكاظ</bdi></span>' in html
    assert "المصدر: عكاظ" in html  # the filter in force, by name
    facets = page(client, q="السعودية").split('class="facet facet-source', 1)[1].split("</section>", 1)[0]
    assert "<bdi>الشرق الأوسط</bdi>" in facets and "source=aawsat" in facets and ">aawsat<" not in facets


def test_a_source_is_found_by_its_name_too(client):
    by_id = client.get("/api/search", query_string={"q": "السعودية", "source": "aawsat"}).get_json()
    by_name = client.get("/api/search", query_string={"q": "السعودية", "source": "الشرق الأوسط"}).get_json()
    assert by_id["total"] > 0 and by_id["results"] == by_name["results"]
    by_case = client.get("/api/search", query_string={"q": "السعودية", "source": "AAWSAT"}).get_json()
    assert by_case["results"] == by_id["results"]  # an id typed in capitals is that id


def test_api_gives_id_and_name(client):
    data = client.get("/api/search", query_string={"q": "السعودية", "limit": 50}).get_json()
    assert all(r["source_name"] == SourceNames.load().name(r["source"]) for r in data["results"])
    okaz = [f for f in data["facets"]["source"] if f["value"] == "okaz"]
    assert okaz and okaz[0]["name"] == "عكاظ"


def test_a_source_without_a_name_shows_its_id(client):
    title = BY_ID[UNNAMED]["title"]
    data = client.get("/api/search", query_string={"q": title, "source": "albawaba"}).get_json()
    assert data["results"][0]["id"] == UNNAMED and data["results"][0]["source_name"] == "albawaba"


@pytest.mark.parametrize("source", ["nosuch", "<script>", "عكاظ اليوم"])
def test_an_unknown_source_is_an_arabic_400(client, source):
    for path in ("/", "/api/search"):
        response = client.get(path, query_string={"q": "السعودية", "source": source})
        assert response.status_code == 400
        text = response.get_data(as_text=True)
        assert "لا يوجد في الأرشيف مصدر" in text
        assert path == "/api/search" or "<script>" not in text  # escaped on the page


def test_the_archive_owner_adds_and_overrides_names(index_root):
    owner = index_root / OWNER_FILE
    owner.write_text(json.dumps({"albawaba": "البوابة نيوز", "okaz": "صحيفة عكاظ"}, ensure_ascii=False),
                     encoding="utf-8")
    try:
        client = create_app({"TESTING": True, "INDEX_DIR": str(index_root)}).test_client()
        html = page(client, q=BY_ID[UNNAMED]["title"], source="البوابة نيوز")
        assert hit_ids(html)[0] == UNNAMED and "<bdi>البوابة نيوز</bdi>" in html
        assert "<bdi>صحيفة عكاظ</bdi>" in page(client, q="السعودية", source="okaz")
        owner.write_text("{broken", encoding="utf-8")  # logged and skipped: the shipped names stay
        assert Searcher(index_root).sources.name("okaz") == "عكاظ"
    finally:
        owner.unlink()


def test_article_page_and_copies_name_the_source(client):
    first = sample()[0]
    html = client.get(f"/article/{first['id']}").get_data(as_text=True)
    assert f"<bdi>{SourceNames.load().name(first['source'])}</bdi>" in html
    data = client.get("/api/search", query_string={"q": first["title"], "limit": 1}).get_json()
    assert data["results"][0]["id"] == first["id"]
    assert [c["source_name"] for c in data["results"][0]["copies"]] == ["سبق"]


def test_cli_filters_and_prints_by_name(index_root):
    result = CliRunner().invoke(cli, ["search", "السعودية", "--index", str(index_root), "--source", "عكاظ"])
    assert result.exit_code == 0, result.output
    assert "عكاظ" in result.output and " okaz" not in result.output
    bad = CliRunner().invoke(cli, ["search", "السعودية", "--index", str(index_root), "--source", "nosuch"])
    assert bad.exit_code == 1 and "nosuch" in bad.output and "Traceback" not in bad.output


# --- 2. Hijri dates ----------------------------------------------------------------------

def test_hijri_conversions_agree_with_hijridate_both_ways():
    from search.ingest.hijri import from_hijri, to_hijri

    assert hijri_iso("2015-08-05T10:00:00") == "1436-10-20" and hijri_label(date(2015, 8, 5)) == "20 شوال 1436 هـ"
    assert from_hijri(1436, 10, 20) == date(2015, 8, 5)
    assert to_hijri(date(1900, 1, 1)) is None and hijri_iso(None) is None and hijri_iso("not a date") is None


@given(st.dates(min_value=date(1924, 8, 1), max_value=date(2077, 11, 16)))
def test_every_day_reads_back_from_its_hijri_form(day):
    from search.ingest.hijri import read_day, to_hijri

    y, m, d = to_hijri(day)
    assert read_day(f"{y}-{m}-{d}هـ") == day == read_day(f"{y:04d}-{m:02d}-{d:02d}", hijri=True)


def test_hits_article_and_api_show_the_hijri_day(client):
    data = client.get("/api/search", query_string={"q": "السعودية", "limit": 30}).get_json()
    dated = [r for r in data["results"] if r["date"]]
    assert dated and all(r["date_hijri"] == hijri_iso(r["date"]) for r in dated)
    assert all(r["date_hijri"] is None for r in data["results"] if not r["date"])
    html = page(client, q="السعودية")
    first = dated[0]
    assert f'<span class="hijri">{hijri_label(first["date"])}</span>' in html
    article = client.get(f"/article/{first['id']}").get_data(as_text=True)
    assert hijri_label(first["date"]) in article


@pytest.mark.parametrize("args", [{"from": "1436-10-20هـ", "to": "1436-10-22هـ"},
                                  {"from": "١٤٣٦-١٠-٢٠ هـ", "to": "1436-10-22 ه"},
                                  {"from": "1436-10-20", "to": "1436-10-22", "cal": "hijri"}])
def test_from_and_to_accepted_in_hijri(client, args):
    hijri = client.get("/api/search", query_string={"q": "السعودية", "limit": 100, **args}).get_json()
    gregorian = client.get("/api/search", query_string={"q": "السعودية", "limit": 100,
                                                        "from": "2015-08-05", "to": "2015-08-07"}).get_json()
    assert hijri["total"] == gregorian["total"] > 0
    assert hijri["from"] == "2015-08-05" and hijri["to"] == "2015-08-07"
    assert all("2015-08-05" <= r["date"][:10] <= "2015-08-07" for r in hijri["results"])


def test_a_hijri_year_typed_as_gregorian_is_asked_about(client):
    for path in ("/", "/api/search"):
        response = client.get(path, query_string={"q": "السعودية", "from": "1436-10-20"})
        assert response.status_code == 400
        text = response.get_data(as_text=True)
        assert "هل تقصد التاريخ الهجري 20 شوال 1436 هـ" in text and "5 أغسطس 2015" in text
    html = client.get("/", query_string={"q": "السعودية", "from": "1436-10-20"}).get_data(as_text=True)
    hijri_form = html.split('<details class="hijri-dates" open>', 1)[1].split("</details>", 1)[0]
    assert 'name="cal" value="hijri"' in hijri_form and 'name="from" value="1436-10-20"' in hijri_form
    # the Gregorian year 1436, said so, is searched as such (nothing in a 2015 archive)
    marked = client.get("/api/search", query_string={"q": "السعودية", "from": "1436-10-20م", "to": "1436-12-31م"})
    assert marked.status_code == 200 and marked.get_json()["total"] == 0


@pytest.mark.parametrize("value", ["1436-01-30هـ", "1436-13-01هـ", "1501-01-01هـ", "1436-00-10هـ"])
def test_a_hijri_day_that_does_not_exist_is_an_arabic_400(client, value):
    response = client.get("/api/search", query_string={"q": "السعودية", "from": value})
    assert response.status_code == 400 and "ليس تاريخًا هجريًا موجودًا" in response.get_json()["error"]
    assert response.get_json()["param"] == "from"


def test_the_page_shows_the_range_in_hijri_in_its_hijri_form(client):
    html = page(client, q="السعودية", **{"from": "2015-08-05", "to": "2015-08-07"})
    form = html.split('class="hijri-dates"', 1)[1].split("</details>", 1)[0]
    assert 'name="from" value="1436-10-20"' in form and 'name="to" value="1436-10-22"' in form


def test_cli_takes_hijri_days_and_prints_both(index_root):
    result = CliRunner().invoke(cli, ["search", "السعودية", "--index", str(index_root),
                                      "--from", "1436-10-20هـ", "--to", "1436-10-22هـ"])
    assert result.exit_code == 0, result.output
    days = re.findall(r"(2015-08-0[0-9]) \((1436-10-[0-9]{2}) هـ\)", result.output)
    assert days and all(hijri_iso(g) == h and "2015-08-05" <= g <= "2015-08-07" for g, h in days)
    asked = CliRunner().invoke(cli, ["search", "السعودية", "--index", str(index_root), "--from", "1436-10-20"])
    assert asked.exit_code == 1 and "1436-10-20هـ" in asked.output


# --- 3. the timeline of hits -------------------------------------------------------------

def test_interval_follows_the_span():
    from search.timeline import interval_for

    d = date(2015, 7, 21)
    assert interval_for(d, date(2015, 8, 11)) == "day"
    assert interval_for(d, date(2015, 12, 31)) == "week"
    assert interval_for(d, date(2019, 12, 31)) == "month"
    assert interval_for(d, date(2024, 1, 1)) == "year"


@settings(deadline=None)  # daily bars over forty years: thousands of periods
@given(st.dictionaries(st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)).map(date.isoformat),
                       st.integers(0, 50), max_size=40),
       st.integers(0, 30), st.sampled_from([None, "day", "week", "month", "year"]))
def test_histogram_keeps_every_count_in_continuous_periods(days, undated, interval):
    from search.timeline import histogram, period

    dated = sum(days.values())
    h = histogram(days, dated + undated, interval)
    assert sum(b.count for b in h.buckets) == dated and h.undated == undated
    if interval is None and h.interval != "year":  # the chosen period keeps the chart to some sixty bars
        assert len(h.buckets) <= 73
    for a, b in zip(h.buckets, h.buckets[1:]):
        assert b.start == a.end + timedelta(days=1)
    for day, n in days.items():
        if n:
            start, end = period(date.fromisoformat(day), h.interval)
            assert any(b.start == start and b.end == end and b.count >= n for b in h.buckets)
    if h.interval == "week":
        assert all(b.start.weekday() == 5 for b in h.buckets)  # Saturday


def test_api_histogram_counts_what_each_period_search_finds(client):
    data = client.get("/api/search", query_string={"q": "السعودية"}).get_json()
    h = data["histogram"]
    assert h["interval"] == "day" and len(h["buckets"]) >= 15
    assert sum(b["count"] for b in h["buckets"]) + h["undated"] == data["total"]
    undated = client.get("/api/search", query_string={"q": BY_ID[UNDATED[0]]["title"]}).get_json()
    assert UNDATED[0] in [r["id"] for r in undated["results"]] and undated["histogram"]["undated"] >= 1
    for bucket in h["buckets"][::4]:
        narrowed = client.get("/api/search", query_string={"q": "السعودية", "from": bucket["start"],
                                                           "to": bucket["end"]}).get_json()
        assert narrowed["total"] == bucket["count"]


def test_page_draws_the_timeline_with_links_and_a_table(client):
    html = page(client, q="السعودية", source="okaz")
    chart = html.split('<figure class="timeline"', 1)[1].split("</figure>", 1)[0]
    api = client.get("/api/search", query_string={"q": "السعودية", "source": "okaz"}).get_json()["histogram"]
    bars = re.findall(r'<a href="([^"]+)"(?: aria-current="true")? aria-label="([^"]+)">', chart)
    assert len(bars) == len(api["buckets"])
    rows = re.findall(r'<tr><th scope="row"><a href="([^"]+)"><time datetime="([^"]+)">[^<]+</time></a></th>\s*'
                      r"<td>(\d+)</td>", chart)
    assert [(d, int(n)) for _, d, n in rows] == [(b["start"], b["count"]) for b in api["buckets"]]
    first = bars[0][0].replace("&amp;", "&")
    assert f"from={api['buckets'][0]['start']}" in first and "source=okaz" in first and "q=" in first
    narrowed = page(client, q="السعودية", source="okaz", **{"from": api["buckets"][0]["start"],
                                                           "to": api["buckets"][0]["end"]})
    assert len(hit_ids(narrowed)) == min(10, api["buckets"][0]["count"])
    assert "<script" not in chart and "style=" not in chart


def test_no_timeline_for_a_single_period(client):
    day = client.get("/api/search", query_string={"q": "السعودية"}).get_json()["histogram"]["buckets"][0]["start"]
    html = page(client, q="السعودية", **{"from": day, "to": day})
    assert hit_ids(html) and '<figure class="timeline"' not in html


def test_cli_prints_the_timeline(index_root):
    result = CliRunner().invoke(cli, ["search", "السعودية", "--index", str(index_root), "--timeline", "--limit", "1"])
    assert result.exit_code == 0 and "by day:" in result.output
    assert re.search(r"2015-07-21  #+ +\d+", result.output)


def test_years_of_an_archive_show_as_yearly_bars(tmp_path):
    from web_fixtures import build_index

    client = create_app({"TESTING": True, "INDEX_DIR": str(build_index(tmp_path))}).test_client()
    h = client.get("/api/search", query_string={"q": "داعش"}).get_json()["histogram"]
    assert h["interval"] == "year"
    years = [b["start"][:4] for b in h["buckets"]]
    assert years == [str(y) for y in range(int(years[0]), int(years[-1]) + 1)] and len(years) >= 5
    chart = page(client, q="داعش").split('<figure class="timeline"', 1)[1]
    assert "from=2016-01-01&amp;to=2016-12-31" in chart and "سنويًا" in chart


# --- 4. quick dates from the archive's own span ------------------------------------------

def test_quick_dates_count_back_from_the_newest_article(client):
    html = page(client, q="السعودية")
    quick = html.split('<nav class="quick"', 1)[1].split("</nav>", 1)[0]
    found = dict((label, href.replace("&amp;", "&")) for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', quick))
    newest = max(a["date"][:10] for a in sample() if a.get("date", "")[:4].isdigit())
    assert newest == "2015-08-11"
    assert "from=2015-08-05&to=2015-08-11" in found["آخر أسبوع"]
    assert "from=2015-07-13&to=2015-08-11" in found["آخر شهر"]
    # one year in the archive: its months are offered, not the year
    assert "from=2015-07-01&to=2015-07-31" in found["يوليو 2015"] and "from=2015-08-01&to=2015-08-31" in found["أغسطس 2015"]
    assert "2015" not in found and len(found) == 6
    week = client.get("/api/search", query_string={"q": "السعودية", "from": "2015-08-05", "to": "2015-08-11"}).get_json()
    assert week["total"] > 0  # never empty just because today is years later
    chosen = page(client, q="السعودية", **{"from": "2015-08-05", "to": "2015-08-11"})
    assert re.search(r'<a href="[^"]+" aria-current="true">آخر أسبوع</a>', chosen)


# --- 5. export and feeds -----------------------------------------------------------------

def _search_ids(client, **params) -> tuple[int, list[str]]:
    ids, page_no = [], 1
    while True:
        data = client.get("/api/search", query_string={**params, "limit": 25, "page": page_no}).get_json()
        ids += [i for r in data["results"] for i in [r["id"], *(c["id"] for c in r["similar"])]]
        if page_no >= data["pages"]:
            return data["total"], ids
        page_no += 1


def test_csv_export_holds_the_whole_result_set_in_order(client):
    import csv
    import io

    total, ids = _search_ids(client, q="السعودية", sort="newest")
    response = client.get("/api/export.csv", query_string={"q": "السعودية", "sort": "newest"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    # the pages group near copies of a story under it (issue 18); the export lists every article
    assert len(rows) == total > 25 and sorted(r["id"] for r in rows) == sorted(ids)
    first = rows[0]
    assert list(first) == ["id", "title", "date", "date_hijri", "source", "source_name", "author", "url", "score",
                           "snippet"]
    article = BY_ID[first["id"]]
    assert first["source_name"] == SourceNames.load().name(article["source"]) and first["url"] == article["url"]
    assert first["date_hijri"] == hijri_iso(first["date"]) and "\x02" not in first["snippet"]


def test_jsonl_export_is_one_article_a_line_and_n_bounds_it(client):
    response = client.get("/api/export.jsonl", query_string={"q": "السعودية", "n": 7})
    lines = response.get_data(as_text=True).splitlines()
    records = [json.loads(line) for line in lines]
    api = client.get("/api/search", query_string={"q": "السعودية", "limit": 7}).get_json()
    assert [r["id"] for r in records] == [r["id"] for r in api["results"]]
    assert [r["score"] for r in records] == [r["score"] for r in api["results"]]
    assert all(isinstance(r["score"], float) and r["snippet"] for r in records)


@pytest.mark.parametrize("args, param", [({"q": "السعودية", "n": "10001"}, "n"), ({"q": "السعودية", "n": "0"}, "n"),
                                         ({"q": "السعودية", "n": "كثير"}, "n"), ({"q": ""}, "q"),
                                         ({"q": "السعودية", "from": "1436-13-01هـ"}, "from"),
                                         ({"q": "السعودية", "source": "nosuch"}, "source")])
def test_bad_export_requests_are_arabic_400s(client, args, param):
    for path in ("/api/export.csv", "/api/export.jsonl"):
        response = client.get(path, query_string=args)
        assert response.status_code == 400 and response.get_json()["param"] == param
    assert "10,000" in client.get("/api/export.csv", query_string={"q": "x", "n": "10001"}).get_json()["error"]


def test_a_csv_cell_is_never_a_formula():
    from search.export import csv_lines
    from search.results import Hit

    hit = Hit("1", "=HYPERLINK(\"http://evil\")", None, "okaz", "@author", "", 1.0, "-2+3 \x02word\x03")
    line = list(csv_lines([hit]))[1]
    assert "'=HYPERLINK" in line and ",'@author," in line and "'-2+3 word" in line


def test_atom_feed_is_the_newest_dated_articles(client):
    import xml.etree.ElementTree as ET

    response = client.get("/feed.atom", query_string={"q": "السعودية", "source": "okaz"})
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.fromstring(response.get_data())
    entries = feed.findall("a:entry", ns)
    newest = client.get("/api/search", query_string={"q": "السعودية", "source": "okaz", "sort": "newest",
                                                     "limit": 20}).get_json()["results"]
    expected = [r for r in newest if r["date"]]
    assert len(entries) == len(expected) > 0
    for entry, result in zip(entries, expected):
        assert entry.find("a:id", ns).text.endswith("/article/" + result["id"])
        assert entry.find("a:title", ns).text == result["title"]
        assert entry.find("a:updated", ns).text.startswith(result["date"][:19])
        assert entry.find("a:category", ns).get("label") == "عكاظ"
        rels = [link.get("rel") for link in entry.findall("a:link", ns)]
        assert rels.count("alternate") == 1
    assert feed.find("a:updated", ns).text == entries[0].find("a:updated", ns).text
    assert feed.find("a:link[@rel='self']", ns).get("href").startswith("http://localhost/feed.atom?")


def test_feed_survives_hostile_text(tmp_path):
    import xml.etree.ElementTree as ET

    from web_fixtures import SCRIPT, build_index

    client = create_app({"TESTING": True, "INDEX_DIR": str(build_index(tmp_path))}).test_client()
    response = client.get("/feed.atom", query_string={"q": "صبراتة"})
    feed = ET.fromstring(response.get_data())  # well-formed
    titles = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert any(SCRIPT in (t or "") for t in titles)  # as text, escaped in the XML
    assert b"<script>" not in response.get_data()


def test_page_links_its_feed_and_exports_and_opensearch_names_them(client):
    html = page(client, q="السعودية", source="okaz")
    alternate = re.search(r'<link rel="alternate" type="application/atom\+xml"[^>]*href="(/feed.atom\?q=[^"]*)"', html)
    assert alternate and "source=okaz" in alternate.group(1) and "sort=newest" in alternate.group(1)
    export = html.split('<p class="export">', 1)[1].split("</p>", 1)[0]
    assert "/api/export.csv?q=" in export and "/api/export.jsonl?q=" in export and "source=okaz" in export
    description = client.get("/opensearch.xml").get_data(as_text=True)
    assert 'type="application/atom+xml" method="get" template="http://localhost/feed.atom?q={searchTerms}"' in description
    assert 'type="application/json" method="get" template="http://localhost/api/search?q={searchTerms}"' in description


def test_cli_exports(index_root):
    result = CliRunner().invoke(cli, ["export", "السعودية", "--index", str(index_root), "--format", "jsonl", "-n", "5"])
    assert result.exit_code == 0
    assert len([json.loads(line) for line in result.output.splitlines()]) == 5
    too_many = CliRunner().invoke(cli, ["export", "السعودية", "--index", str(index_root), "-n", "10001"])
    assert too_many.exit_code == 1 and "10000" in too_many.output


# --- 6. browse without a query -----------------------------------------------------------

def test_welcome_page_offers_ways_into_the_archive(client):
    html = page(client)
    browse = html.split('<nav class="browse"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/?sort=newest"' in browse and 'href="/?sort=oldest"' in browse
    sources = re.findall(r'<a href="([^"]+)"><bdi>([^<]+)</bdi> <span class="n">(\d+)</span>', browse)
    okaz = [s for s in sources if s[1] == "عكاظ"]
    expected = sum(1 for a in sample() if a["source"] == "okaz")
    assert okaz and "source=okaz" in okaz[0][0] and int(okaz[0][2]) <= expected and int(okaz[0][2]) >= expected - 1


def test_browse_by_source_lists_all_its_articles_newest_first(client):
    data = client.get("/api/search", query_string={"source": "okaz", "limit": 100}).get_json()
    dated = sorted((a["date"] for a in sample() if a["source"] == "okaz" and a.get("date", "")[:4].isdigit()),
                   reverse=True)
    assert data["sort"] == "newest" and data["total"] >= len(dated) > 5
    assert [r["date"].replace("T", " ") for r in data["results"] if r["date"]][:len(dated)] == dated
    assert all(r["source"] == "okaz" for r in data["results"])
    assert data["histogram"]["buckets"] and {f["value"] for f in data["facets"]["source"]} == {"okaz"}
    html = page(client, source="okaz")
    assert len(hit_ids(html)) == 10 and '<figure class="timeline"' in html
    sorts = html.split('<nav class="sort"', 1)[1].split("</nav>", 1)[0]
    assert "الأكثر صلة" not in sorts and re.search(r'aria-current="true">الأحدث<', sorts)


def test_browse_by_date_oldest_first_with_a_range(client):
    data = client.get("/api/search", query_string={"sort": "oldest", "from": "2015-08-01", "to": "2015-08-02",
                                                   "limit": 100}).get_json()
    dates = [r["date"] for r in data["results"]]
    assert dates == sorted(dates) and dates and all("2015-08-01" <= d[:10] <= "2015-08-02" for d in dates)
    expected = sum(1 for a in sample() if "2015-08-01" <= a.get("date", "")[:10] <= "2015-08-02")
    assert data["total"] == expected


def test_browse_exports_and_feeds_too(client):
    lines = client.get("/api/export.jsonl", query_string={"source": "okaz"}).get_data(as_text=True).splitlines()
    api = client.get("/api/search", query_string={"source": "okaz"}).get_json()
    assert len(lines) == api["total"]
    feed = client.get("/feed.atom", query_string={"source": "okaz"})
    assert feed.status_code == 200 and feed.get_data(as_text=True).count("<entry>") == 20


def test_no_query_and_no_filter_is_still_the_welcome_page_and_a_400_in_the_api(client):
    assert 'class="welcome"' in page(client)
    assert client.get("/api/search").status_code == 400
    assert client.get("/api/export.csv").status_code == 400


def test_cli_browses_without_a_query(index_root):
    result = CliRunner().invoke(cli, ["search", "--index", str(index_root), "--source", "okaz", "--limit", "3"])
    assert result.exit_code == 0, result.output
    dates = re.findall(r"^   (2015-[0-9-]+) ", result.output, re.M)
    assert len(dates) == 3 and dates == sorted(dates, reverse=True)
    assert CliRunner().invoke(cli, ["search", "--index", str(index_root)]).exit_code == 2


def test_the_cost_benchmark_runs(index_root):
    from bench.archive_tools import measure

    times = measure(index_root, runs=1, limit=2)
    assert len(times["search"]) == len(times["search+timeline"]) == 2 and times["export rows"][0] > 0


# --- 7. advanced search: title only, byline, several sources or all but some ---------------

def _sources_of(client, **params) -> set[str]:
    data = client.get("/api/search", query_string={"q": "السعودية", "limit": 100, **params}).get_json()
    assert data["total"] <= 100
    return {r["source"] for r in data["results"]}


def test_several_sources_or_all_but_some(client):
    assert _sources_of(client, source="okaz,sabq") == {"okaz", "sabq"}
    assert _sources_of(client, source="عكاظ,سبق") == {"okaz", "sabq"}
    everything = _sources_of(client)
    assert _sources_of(client, source="-okaz,-alriyadh") == everything - {"okaz", "alriyadh"}
    # the advanced form's checkboxes: a repeated parameter, and except=1 for all but these
    repeated = client.get("/api/search?q=السعودية&limit=100&source=okaz&source=sabq").get_json()
    excepted = client.get("/api/search?q=السعودية&limit=100&source=okaz&source=alriyadh&except=1").get_json()
    assert {r["source"] for r in repeated["results"]} == {"okaz", "sabq"}
    assert {r["source"] for r in excepted["results"]} == everything - {"okaz", "alriyadh"}
    html = page(client, q="السعودية", source="-okaz,-was")
    assert "المصدر: كل المصادر عدا عكاظ وواس" in html
    assert client.get("/api/search", query_string={"q": "السعودية", "source": "okaz,nosuch"}).status_code == 400


def test_words_in_the_title_only(client):
    body_too = client.get("/api/search", query_string={"q": "السعودية", "limit": 100}).get_json()
    titles = client.get("/api/search", query_string={"q": "السعودية", "in": "title", "limit": 100}).get_json()
    assert 0 < titles["total"] < body_too["total"]
    assert all("سعودي" in r["title"].replace("ال", "") for r in titles["results"])
    assert client.get("/api/search", query_string={"q": "السعودية", "in": "body"}).status_code == 400
    html = page(client, q="السعودية", **{"in": "title"})
    assert "في العناوين فقط" in html and 'name="in" value="title" checked' in html.replace("\n", " ")


def test_byline_search(client):
    data = client.get("/api/search", query_string={"author": "رنيم حنوش", "limit": 100}).get_json()
    bylines = {a["id"]: a.get("author", "").replace("ّ", "") for a in sample()}
    expected = {i for i, by in bylines.items() if "رنيم" in by and "حنوش" in by}
    found = {r["id"] for r in data["results"]}
    assert found and found <= expected and len(found) >= len(expected) - 1  # (one may be a dropped copy)
    assert client.get("/api/search", query_string={"q": "السعودية", "author": "لا أحد بهذا الاسم"}).get_json()["total"] == 0
    html = page(client, author="رنيم حنوش")
    assert "الكاتب: رنيم حنوش" in html and 'name="author" value="رنيم حنوش"' in html


def test_cli_several_sources_and_author(index_root):
    result = CliRunner().invoke(cli, ["search", "السعودية", "--index", str(index_root), "--source", "okaz,sabq",
                                      "--json", "--limit", "100"])
    assert {r["source"] for r in json.loads(result.output)["results"]} == {"okaz", "sabq"}
    result = CliRunner().invoke(cli, ["search", "--index", str(index_root), "--author", "حنوش", "--json"])
    assert all("حنوش" in r["author"].replace("ّ", "") for r in json.loads(result.output)["results"])


# --- 7. why it matched ---------------------------------------------------------------------

def test_each_hit_says_which_words_it_matched_and_in_which_forms(client):
    data = client.get("/api/search", query_string={"q": "السعودية الإمارات", "limit": 30}).get_json()
    assert data["results"]
    lacking = 0
    for result in data["results"]:
        article = BY_ID[result["id"]]
        text = (article.get("title") or "") + "\n" + (article.get("body") or "")
        assert [m["word"] for m in result["matched"]] == ["السعودية", "الإمارات"]
        for m in result["matched"]:
            assert m["count"] == sum(f["count"] for f in m["forms"]) or len(m["forms"]) == 5
            for f in m["forms"]:
                assert text.count(f["form"]) >= f["count"] >= 1  # a form as the article writes it
            lacking += m["count"] == 0
    assert lacking  # with two words, some of the 30 have only one of them


def test_why_names_the_form_the_article_wrote(tmp_path):
    from web_fixtures import build_index

    client = create_app({"TESTING": True, "INDEX_DIR": str(build_index(tmp_path))}).test_client()
    data = client.get("/api/search", query_string={"q": "ميليشيا"}).get_json()
    forms = {f["form"] for r in data["results"] for m in r["matched"] for f in m["forms"]}
    assert "الميليشيات" in forms and "ميليشيا" not in forms  # the seed writes it with ال
    html = page(client, q="ميليشيا داعش")
    why = re.findall(r'<p class="why">(.*?)</p>', html, re.S)
    assert why and "طابقت:" in why[0] and "<bdi>ميليشيا</bdi> ←" in html


# --- 7. inside an article, related articles -------------------------------------------------

def test_article_marks_every_form_the_snippet_marks(client):
    doc = "snn-2015-07-27-1087"  # writes لأطفالنا
    assert "لأطفالنا" in BY_ID[doc]["body"]
    hit = [r for r in client.get("/api/search", query_string={"q": "أطفال", "limit": 50}).get_json()["results"]
           if r["id"] == doc][0]
    assert "<mark>لأطفالنا</mark>" in hit["snippet"]
    html = client.get(f"/article/{doc}", query_string={"q": "أطفال"}).get_data(as_text=True)
    assert re.search(r'<a class="match" id="m\d+" [^>]+><mark>لأطفالنا</mark>', html)


def test_marks_link_each_to_the_next_and_the_list_to_all(client):
    doc = "snn-2015-07-22-1103"
    html = client.get(f"/article/{doc}", query_string={"q": "أطفال"}).get_data(as_text=True)
    marks = re.findall(r'<a class="match" id="m(\d+)" href="#m(\d+)"[^>]*><mark>', html)
    n = len(marks)
    assert n >= 3 and [int(i) for i, _ in marks] == list(range(1, n + 1))
    assert [int(t) for _, t in marks] == [*range(2, n + 1), 1]  # each to the next, the last to the first
    nav = html.split('<nav class="matches"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'href="#m(\d+)"', nav) == [str(i) for i in range(1, n + 1)]
    assert f"{n} مطابقات" in nav or f"{n} مطابقة" in nav
    assert '<nav class="matches"' not in client.get(f"/article/{doc}").get_data(as_text=True)


def test_citation_and_back_to_results_keep_everything(client):
    doc = sample()[10]
    state = {"q": "السعودية", "source": doc["source"], "sort": "newest", "page": "2", "from": "2015-07-21"}
    html = client.get(f"/article/{doc['id']}", query_string=state).get_data(as_text=True)
    import html as html_module

    cite = html_module.unescape(re.search(r'<p dir="rtl" class="cite-text">(.*?)</p>', html, re.S).group(1))
    assert cite.startswith(f"«{html_module.unescape(doc['title']).strip()}». ")
    assert SourceNames.load().name(doc["source"]) in cite and hijri_label(doc["date"]) in cite
    assert cite.endswith(f"http://localhost/article/{doc['id']}")
    back = re.search(r'<p class="back"><a href="([^"]+)"', html).group(1).replace("&amp;", "&")
    from urllib.parse import parse_qs, urlsplit

    assert {k: v[0] for k, v in parse_qs(urlsplit(back).query).items()} == state
    browse = client.get(f"/article/{doc['id']}", query_string={"source": doc["source"]}).get_data(as_text=True)
    assert '<p class="back"><a href="/?source=' in browse


def test_related_articles_share_the_key_words(client, index_root):
    from search.query.related import key_words

    doc = "snn-2015-07-22-1103"
    searcher = Searcher(index_root)
    related = searcher.related(doc)
    assert related and doc not in [h.id for h in related] and len(related) <= 5
    view = searcher.backend.view()
    words = key_words(BY_ID[doc]["title"], BY_ID[doc]["body"], lambda s: view.doc_frequency("body", s), view.doc_count)
    assert 3 <= len(words) <= 12
    html = client.get(f"/article/{doc}").get_data(as_text=True)
    section = html.split('<section class="related"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'<a href="/article/([^"]+)"', section) == [h.id for h in related]
    assert searcher.related("no-such-article") == []


def test_article_names_its_copies_with_links(client):
    first = sample()[0]
    html = client.get(f"/article/{first['id']}").get_data(as_text=True)
    copies = html.split('<p class="copies">', 1)[1].split("</p>", 1)[0]
    assert 'href="http://example.org/copy"' in copies and "<bdi>سبق</bdi>" in copies
