"""Tests for search.ingest.readers: files and folders to Article and Problem records.

Fixtures are built in `tmp_path` from the seed article (real Arabic news text).
"""

from __future__ import annotations

import gzip
import itertools
import json
import os
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

import search.ingest.sources
from search.ingest.articles import Article, Problem, stable_id
from search.ingest.dates import parse_date
from search.ingest.readers import NOTHING_TO_INDEX, TITLE_ONLY, decode_bytes, read_file, read_paths

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_634241ae74eb9ffe.txt"
SHARED_DATA = ROOT.parent / "shared" / "data"
SEED_TEXT = SEED.read_text(encoding="utf-8")
SEED_TITLE = "بمؤازرة الميليشيات الإيرانية وبالتنسيق مع الاستخبارات التركية.. تنظيم داعش يعود للظهور مجددًا"
SEED_DATE_LINE = "الإثنين 22/يونيو/2020 - 12:19 ص"
# The seed's body paragraphs (after the title, dated and طباعة lines; before the share button)
PARAGRAPHS = [line.strip() for line in SEED_TEXT.splitlines()[4:] if line.strip() and line.strip() != "شارك"]


def articles(records) -> list[Article]:
    return [r for r in records if isinstance(r, Article)]


def problems(records) -> list[Problem]:
    return [r for r in records if isinstance(r, Problem)]


def only_article(records) -> Article:
    found = articles(records)
    assert len(found) == 1, records
    return found[0]


def only_problem(records) -> Problem:
    found = problems(records)
    assert len(found) == 1, records
    return found[0]


def write_jsonl(path: Path, rows, encoding: str = "utf-8") -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding=encoding)
    return path


def record(n: int = 0, **fields) -> dict:
    """An article record cut from the seed's paragraphs."""
    text = PARAGRAPHS[n]
    return {"title": " ".join(text.split()[:6]), "body": text, **fields}


# --- the seed article (scraped text) ----------------------------------------------------------

def test_seed_article_title_is_first_line():
    assert only_article(read_file(SEED)).title == SEED_TITLE


def test_seed_article_author_follows_headline_words_on_print_line():
    assert only_article(read_file(SEED)).author == "فاطمة عبدالغني"


@pytest.mark.skipif(parse_date(SEED_DATE_LINE) is None, reason="search.ingest.dates cannot read Arabic date lines yet")
def test_seed_article_date_from_dated_line():
    records = list(read_file(SEED))
    assert only_article(records).date == datetime(2020, 6, 22, 0, 19)
    assert problems(records) == []


def test_seed_article_body_drops_header_and_boilerplate():
    body = only_article(read_file(SEED)).body
    lines = body.split("\n")
    assert lines[0].startswith("تنظيم داعش يعود للظهور مجددًا، في شكل عمليات")
    assert lines[-1].endswith("كيف عاد داعش للظهور وبقوة من جديد؟.")
    assert "شارك" not in lines and "طباعة" not in body and SEED_DATE_LINE not in body
    assert all(line.strip() and line == line.strip() for line in lines)  # no blank or nbsp-only lines
    assert lines == PARAGRAPHS  # each paragraph on its own line, in order


def test_seed_article_origin_and_source():
    article = only_article(read_file(SEED))
    assert article.origin == str(SEED)
    assert (article.source, article.url) == ("", "")


def test_text_read_also_lines_are_dropped(tmp_path):
    page = f"{SEED_TITLE}\n2020-06-22 00:19:00\n{PARAGRAPHS[0]}\nاقرأ أيضاً: داعش يتبنى هجوما جديدا\n{PARAGRAPHS[1]}\nشارك\n"
    (tmp_path / "a.txt").write_text(page, encoding="utf-8")
    assert only_article(read_file(tmp_path / "a.txt")).body == f"{PARAGRAPHS[0]}\n{PARAGRAPHS[1]}"


def test_text_numeric_dated_line_without_print_line(tmp_path):
    (tmp_path / "a.txt").write_text(f"{SEED_TITLE}\n\n2015-07-21 02:51:32\n{PARAGRAPHS[0]}\n", encoding="utf-8")
    article = only_article(read_file(tmp_path / "a.txt"))
    assert article.date == datetime(2015, 7, 21, 2, 51, 32)
    assert (article.body, article.author) == (PARAGRAPHS[0], "")


def test_text_without_dated_line_warns_and_keeps_article(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(f"{SEED_TITLE}\n{PARAGRAPHS[0]}\n{PARAGRAPHS[1]}\n", encoding="utf-8")
    records = list(read_file(path))
    article, problem = only_article(records), only_problem(records)
    assert article.date is None and article.body == f"{PARAGRAPHS[0]}\n{PARAGRAPHS[1]}"
    assert (problem.file, problem.place, problem.skipped) == (str(path), "", False)
    assert "no date" in problem.reason


def test_text_unreadable_dated_line_is_named_in_warning(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(f"{SEED_TITLE}\n\nيوم ما\nطباعة فاطمة عبدالغني\n{PARAGRAPHS[0]}\n", encoding="utf-8")
    records = list(read_file(path))
    article, problem = only_article(records), only_problem(records)
    assert (article.date, article.author, article.body) == (None, "فاطمة عبدالغني", PARAGRAPHS[0])
    assert (problem.place, problem.skipped) == ("line 3", False)
    assert "يوم ما" in problem.reason


def test_text_print_line_without_headline_words_keeps_remainder_as_author(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(f"{SEED_TITLE}\n2020-06-22\nطباعة كتب فاطمة عبدالغني\n{PARAGRAPHS[0]}\n", encoding="utf-8")
    assert only_article(read_file(path)).author == "كتب فاطمة عبدالغني"


def test_text_with_title_only_is_kept_and_found_by_its_title(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(f"{SEED_TITLE}\n{SEED_DATE_LINE}\nشارك\n", encoding="utf-8")
    records = list(read_file(path))
    article, problem = only_article(records), only_problem(records)
    assert (article.title, article.body, article.date) == (SEED_TITLE, "", datetime(2020, 6, 22, 0, 19))
    assert (problem.file, problem.skipped, problem.reason) == (str(path), False, TITLE_ONLY)


def test_text_of_entities_only_is_nothing_to_index(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("&nbsp;\n&nbsp; &nbsp;\n", encoding="utf-8")
    records = list(read_file(path))
    assert articles(records) == [] and only_problem(records).reason == NOTHING_TO_INDEX


def test_text_id_derives_from_path_relative_to_folder_given(tmp_path):
    (tmp_path / "2020" / "06").mkdir(parents=True)
    path = tmp_path / "2020" / "06" / "a.txt"
    path.write_bytes(SEED.read_bytes())
    from_folder = only_article(read_paths([tmp_path]))
    assert from_folder.id == stable_id("2020/06/a.txt")
    assert only_article(read_paths([tmp_path])).id == from_folder.id  # the same on every run
    assert only_article(read_file(path)).id == stable_id("a.txt")  # a file given: its name


# --- encodings ---------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1256", "iso-8859-6"])
def test_seed_article_decoded_from(encoding, tmp_path):
    data = SEED_TEXT.encode(encoding, errors="ignore")  # ISO-8859-6 lacks some characters
    if encoding in ("utf-16-le", "utf-16-be"):  # with their BOM
        data = "\ufeff".encode(encoding) + data
    path = tmp_path / "seed.txt"
    path.write_bytes(data)
    expected = only_article(read_file(SEED))
    article = only_article(read_file(path))
    assert (article.title, article.author, article.body) == (expected.title, expected.author, expected.body)


@pytest.mark.parametrize("encoding", ["cp1256", "iso-8859-6"])
def test_single_paragraph_in_legacy_arabic_encoding(encoding):
    for paragraph in PARAGRAPHS:
        data = paragraph.encode(encoding, errors="ignore")
        assert decode_bytes(data) == data.decode(encoding)


def test_iso_8859_6_is_not_read_as_cp1256():
    data = PARAGRAPHS[0].encode("iso-8859-6", errors="ignore")
    assert data.decode("cp1256") != data.decode("iso-8859-6")  # the trap: both decode
    assert decode_bytes(data) == data.decode("iso-8859-6")


def test_jsonl_in_cp1256_is_decoded(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [record(0), record(1)], encoding="cp1256")
    assert [a.body for a in articles(read_file(path))] == PARAGRAPHS[:2]


def test_json_in_utf16_is_decoded(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps([record(0)], ensure_ascii=False), encoding="utf-16")
    assert only_article(read_file(tmp_path / "a.json")).body == PARAGRAPHS[0]


def test_jsonl_in_utf16_is_decoded(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [record(0), record(1)], encoding="utf-16")
    assert [a.body for a in articles(read_file(path))] == PARAGRAPHS[:2]


@pytest.mark.parametrize(
    "name, data",
    [
        ("random.txt", os.urandom(4096)),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)) * 4),
        ("random.json", os.urandom(4096)),
        ("random.jsonl", bytes(range(256)) * 16),
    ],
)
def test_binary_file_is_skipped_as_undecodable(name, data, tmp_path):
    path = tmp_path / name
    path.write_bytes(data)
    problem = only_problem(records := list(read_file(path)))
    assert articles(records) == []
    assert (problem.file, problem.place, problem.reason, problem.skipped) == (
        str(path), "", "binary or undecodable file", True)


# --- JSON Lines ---------------------------------------------------------------------------------

def test_jsonl_fields_map_to_article(tmp_path):
    row = {"id": "snn-2015-07-21-0001", "headline": "عنوان", "content": PARAGRAPHS[0], "published": "2015-07-21 02:51:32",
           "author": "لندن: رنيم حنوش", "source": "aawsat", "link": "http://aawsat.com/home/article/410826"}
    path = write_jsonl(tmp_path / "a.jsonl", [row])
    assert only_article(read_file(path)) == Article(
        id="snn-2015-07-21-0001", title="عنوان", body=PARAGRAPHS[0], date=datetime(2015, 7, 21, 2, 51, 32),
        author="لندن: رنيم حنوش", source="aawsat", url="http://aawsat.com/home/article/410826", origin=str(path),
    )


@pytest.mark.parametrize("given, kept", [("snn-2015-07-21-0001", "snn-2015-07-21-0001"), (7, "7"),
                                         ("007", "007"), (" a b ", " a b ")])
def test_record_id_is_kept_exactly_as_given(given, kept, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [record(0, id=given)])
    assert only_article(read_file(path)).id == kept


def test_record_without_id_derives_it_from_url(tmp_path):
    url = "http://sabq.org/8iDgde"
    path = write_jsonl(tmp_path / "a.jsonl", [record(0, url=url)])
    assert only_article(read_file(path)).id == stable_id(url)
    other = write_jsonl(tmp_path / "b.jsonl", [record(1, url=url)])
    assert only_article(read_file(other)).id == stable_id(url)  # the url decides, not the file


def test_record_without_id_or_url_derives_it_from_title_and_body(tmp_path):
    row = record(0)
    first = only_article(read_file(write_jsonl(tmp_path / "a.jsonl", [row]))).id
    assert first == stable_id(row["title"], row["body"])
    assert only_article(read_file(write_jsonl(tmp_path / "b.jsonl", [row]))).id == first


def test_jsonl_malformed_line_is_reported_and_reading_goes_on(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps(record(0), ensure_ascii=False) + '\n{"title": "عنوان",\n'
                    + json.dumps(record(1), ensure_ascii=False) + "\n", encoding="utf-8")
    records = list(read_file(path))
    assert [a.body for a in articles(records)] == PARAGRAPHS[:2]
    problem = only_problem(records)
    assert (problem.file, problem.place, problem.skipped) == (str(path), "line 2", True)
    assert problem.reason.startswith("malformed JSON: Expecting property name")


def test_jsonl_record_not_an_object_is_skipped(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [record(0), [record(1)], "نص"])
    records = list(read_file(path))
    assert len(articles(records)) == 1
    assert [(p.place, p.reason) for p in problems(records)] == [
        ("line 2", "record is not a JSON object (it is an array)"),
        ("line 3", "record is not a JSON object (it is a string)"),
    ]


@pytest.mark.parametrize("body", ["", " \u00a0\u00a0 \n", None, "&nbsp;"])
def test_record_with_title_and_empty_body_is_kept_with_warning(body, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [record(0, body=body)])
    records = list(read_file(path))
    article, problem = only_article(records), only_problem(records)
    assert (article.title, article.body) == (record(0)["title"], "")
    assert (problem.file, problem.place, problem.skipped, problem.reason) == (str(path), "line 1", False, TITLE_ONLY)


@pytest.mark.parametrize("title", ["", "  ", None, "&nbsp;"])
def test_record_without_title_or_body_is_skipped(title, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [record(0, body="", title=title)])
    records = list(read_file(path))
    assert articles(records) == []
    problem = only_problem(records)
    assert (problem.file, problem.place, problem.skipped, problem.reason) == (str(path), "line 1", True, NOTHING_TO_INDEX)


@pytest.mark.parametrize("written, decoded", [
    ("&#8220;الرياض&#8221; تستضيف القمة", "“الرياض” تستضيف القمة"),
    ("وزير&nbsp;الخارجية &quot;يلتقي&quot; نظيره", 'وزير الخارجية "يلتقي" نظيره'),
    ("سعد &amp; شركاه &#x627;&#x644;&#x633;&#x639;&#x648;&#x62f;&#x64a;&#x629;", "سعد & شركاه السعودية"),
    ("&amp;quot; مرة واحدة", "&quot; مرة واحدة"),  # decoded once, not until nothing is left
])
def test_html_entities_are_decoded_once_in_every_text_field(written, decoded, tmp_path):
    row = record(0, title=written, author=written, source=written)
    row["body"] = written + "\n" + row["body"]
    path = write_jsonl(tmp_path / "a.jsonl", [row])
    article = only_article(read_file(path))
    assert (article.title, article.author, article.source) == (decoded, decoded, decoded)
    assert article.body.split("\n")[0] == decoded
    page = tmp_path / "page.txt"
    page.write_text(f"{written}\n{SEED_DATE_LINE}\n{written} {PARAGRAPHS[0]}\n", encoding="utf-8")
    article = only_article(read_file(page))
    assert article.title == decoded and article.body.startswith(decoded)


def test_record_without_title_is_kept_with_warning(tmp_path):
    row = record(0)
    del row["title"]
    path = write_jsonl(tmp_path / "a.jsonl", [row])
    records = list(read_file(path))
    article, problem = only_article(records), only_problem(records)
    assert (article.title, article.body) == ("", PARAGRAPHS[0])
    assert (problem.file, problem.place, problem.skipped) == (str(path), "line 1", False)
    assert "missing title" in problem.reason


def test_record_with_unreadable_date_is_kept_with_warning(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [record(0, date="ليس تاريخا")])
    records = list(read_file(path))
    assert only_article(records).date is None
    problem = only_problem(records)
    assert (problem.place, problem.skipped) == ("line 1", False) and "ليس تاريخا" in problem.reason


def test_date_parser_failure_does_not_stop_reading(tmp_path, monkeypatch):
    def broken(text):
        raise ValueError("boom")

    monkeypatch.setattr(search.ingest.sources, "parse_date", broken)
    path = write_jsonl(tmp_path / "a.jsonl", [record(0, date="2015-07-21"), record(1, date="2015-07-22")])
    records = list(read_file(path))
    assert len(articles(records)) == 2 and all(not p.skipped for p in problems(records))


def test_jsonl_gz_is_streamed(tmp_path):
    path = tmp_path / "a.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        for n in range(len(PARAGRAPHS)):
            f.write(json.dumps(record(n, id=f"p{n}"), ensure_ascii=False) + "\n")
    assert [a.id for a in read_file(path)] == [f"p{n}" for n in range(len(PARAGRAPHS))]


def test_corrupt_gzip_reports_where_reading_stopped(tmp_path):
    rows = "".join(json.dumps(record(n % len(PARAGRAPHS), id=f"p{n}"), ensure_ascii=False) + "\n" for n in range(400))
    data = gzip.compress(rows.encode("utf-8"))
    path = tmp_path / "a.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    records = list(read_file(path))
    problem = only_problem(records)
    assert 0 < len(articles(records)) < 400
    assert problem.file == str(path) and problem.place == f"line {len(articles(records)) + 1}"
    assert problem.reason.startswith("corrupt gzip data")


def test_not_gzip_data_in_gz_file(tmp_path):
    path = tmp_path / "a.json.gz"
    path.write_text(json.dumps([record(0)]), encoding="utf-8")
    problem = only_problem(read_file(path))
    assert (problem.file, problem.place) == (str(path), "") and problem.reason.startswith("corrupt gzip data")


# --- JSON ---------------------------------------------------------------------------------------

def test_json_array_records_are_placed_by_number(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(json.dumps([record(0), {"author": "عنوان"}, record(1)], ensure_ascii=False), encoding="utf-8")
    records = list(read_file(path))
    assert [a.body for a in articles(records)] == [PARAGRAPHS[0], PARAGRAPHS[1]]
    assert [(p.file, p.place) for p in problems(records)] == [(str(path), "record 2")]


@pytest.mark.parametrize("key", ["articles", "data", "items"])
def test_json_object_with_list_of_articles(key, tmp_path):
    (tmp_path / "a.json").write_text(json.dumps({key: [record(0), record(1)]}, ensure_ascii=False), encoding="utf-8")
    assert [a.body for a in articles(read_file(tmp_path / "a.json"))] == PARAGRAPHS[:2]


def test_json_single_object_is_one_article(tmp_path):
    row = {"head_line": "عنوان", "text": PARAGRAPHS[0], "published_at": "2020-06-22 00:19:00"}
    (tmp_path / "a.json.gz").write_bytes(gzip.compress(json.dumps(row, ensure_ascii=False).encode("utf-8")))
    article = only_article(read_file(tmp_path / "a.json.gz"))
    assert (article.title, article.body, article.date) == ("عنوان", PARAGRAPHS[0], datetime(2020, 6, 22, 0, 19))


def test_malformed_json_file_is_skipped(tmp_path):
    path = tmp_path / "a.json"
    path.write_text('[\n  {"title": "عنوان", "body": "نص",}\n]', encoding="utf-8")
    problem = only_problem(read_file(path))
    assert (problem.file, problem.place, problem.skipped) == (str(path), "line 2", True)
    assert problem.reason.startswith("malformed JSON: Expecting property name")


def test_json_file_holding_json_lines_is_read_line_by_line(tmp_path):
    path = write_jsonl(tmp_path / "a.json", [record(0), record(1)])
    assert [a.body for a in articles(read_file(path))] == PARAGRAPHS[:2]


# --- zip (SaudiNewsNet's distribution) -----------------------------------------------------------

def snn_record(n: int) -> dict:
    text = PARAGRAPHS[n]
    return {"source": "sabq", "url": f"http://sabq.org/{n}", "date_extracted": "2015-07-23 19:28:17",
            "title": " ".join(text.split()[:6]), "author": "", "content": text}


def test_zip_members_are_read_in_name_order_with_member_places(tmp_path):
    path = tmp_path / "2015-07-23.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("2015-07-24.json", json.dumps([snn_record(2)], ensure_ascii=False))
        archive.writestr("2015-07-23.json", json.dumps([snn_record(0), {"author": "x"}, snn_record(1)], ensure_ascii=False))
    records = list(read_file(path))
    assert [a.body for a in articles(records)] == PARAGRAPHS[:3]
    assert [(p.file, p.place) for p in problems(records)] == [(str(path), "2015-07-23.json record 2")]
    first = articles(records)[0]
    assert (first.id, first.source, first.url, first.date, first.origin) == (
        stable_id("http://sabq.org/0"), "sabq", "http://sabq.org/0", datetime(2015, 7, 23, 19, 28, 17), str(path))


def test_corrupt_zip_is_skipped(tmp_path):
    path = tmp_path / "2015-07-23.zip"
    path.write_bytes(b"PK\x03\x04" + os.urandom(200))
    problem = only_problem(read_file(path))
    assert (problem.file, problem.place) == (str(path), "") and problem.reason.startswith("corrupt zip file")


def test_zip_member_with_unsupported_format(tmp_path):
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.csv", "a,b")
        archive.writestr("2015-07-23.json", json.dumps([snn_record(0)], ensure_ascii=False))
    records = list(read_file(path))
    assert len(articles(records)) == 1
    assert [(p.place, p.reason.split(" (")[0]) for p in problems(records)] == [("notes.csv", "unsupported format")]


@pytest.mark.skipif(not (SHARED_DATA / "saudinewsnet-zip" / "2015-07-23.zip").exists(), reason="../shared absent")
def test_saudinewsnet_zip_from_shared():
    path = SHARED_DATA / "saudinewsnet-zip" / "2015-07-23.zip"
    with zipfile.ZipFile(path) as archive:
        total = len(json.loads(archive.read("2015-07-23.json")))
    records = list(read_file(path))
    found = articles(records)
    assert len(found) + sum(p.skipped for p in problems(records)) == total
    assert all(p.place.startswith("2015-07-23.json record ") for p in problems(records))
    assert found[0].title == "المالكي ونصيحة سعود الفيصل" and found[0].source == "aawsat"
    assert found[0].date == datetime(2015, 7, 23, 19, 28, 17)
    assert len({a.id for a in found}) == len(found)


@pytest.mark.skipif(not (SHARED_DATA / "saudinewsnet.jsonl.gz").exists(), reason="../shared absent")
def test_saudinewsnet_jsonl_gz_first_lines_from_shared():
    records = list(itertools.islice(read_paths([SHARED_DATA / "saudinewsnet.jsonl.gz"]), 300))
    found = articles(records)
    assert found[0].id == "snn-2015-07-21-0001" and found[0].source == "aawsat"
    assert found[0].date == datetime(2015, 7, 21, 2, 51, 32)
    assert found[0].title.startswith("بريطانيا: أربعة محاور")
    assert all(a.date is not None and a.body for a in found)
    assert all(p.place.startswith("line ") for p in problems(records))


# --- HTML ---------------------------------------------------------------------------------------

def html_page(charset: str = "utf-8") -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:3])
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="{charset}">
<title>{SEED_TITLE} | البوابة نيوز</title>
<meta name="author" content="فاطمة عبدالغني">
<meta property="article:published_time" content="2020-06-22T00:19:00">
</head><body>
<nav><a href="/">الرئيسية</a> <a href="/news">أخبار</a></nav>
<article><h1>{SEED_TITLE}</h1><p>{SEED_DATE_LINE}</p>{paragraphs}<p>شارك</p></article>
<footer>جميع الحقوق محفوظة</footer></body></html>"""


def test_html_page_main_text_and_metadata(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(html_page(), encoding="utf-8")
    records = list(read_file(path))
    assert problems(records) == []
    article = only_article(records)
    assert article.title == SEED_TITLE
    assert article.author == "فاطمة عبدالغني"
    assert article.date == datetime(2020, 6, 22, 0, 19)
    assert article.body == "\n".join(PARAGRAPHS[:3])  # no headline, dated line, menu, share button
    assert article.id == stable_id("page.html")


def test_html_page_in_windows_1256(tmp_path):
    path = tmp_path / "page.htm"
    path.write_bytes(html_page("windows-1256").encode("cp1256", errors="ignore"))
    article = only_article(read_file(path))
    assert (article.title, article.body) == (SEED_TITLE, "\n".join(PARAGRAPHS[:3]))


def test_html_title_falls_back_to_title_tag(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(f"<html><head><title>{SEED_TITLE}</title></head><body>"
                    + "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:2]) + "</body></html>", encoding="utf-8")
    records = list(read_file(path))
    assert only_article(records).title.startswith("بمؤازرة الميليشيات الإيرانية")
    assert [p.reason for p in problems(records)] == ["no date found; article kept without a date"]


def test_html_without_text_is_kept_by_its_title(tmp_path):
    path = tmp_path / "page.html"
    path.write_text("<html><head><title>صور &quot;الحرم&quot;</title></head><body><nav></nav></body></html>",
                    encoding="utf-8")
    records = list(read_file(path))
    article, problem = only_article(records), only_problem(records)
    assert (article.title, article.body) == ('صور "الحرم"', "")
    assert (problem.file, problem.skipped, problem.reason) == (str(path), False, TITLE_ONLY)


def test_html_without_text_or_title_is_skipped(tmp_path):
    path = tmp_path / "page.html"
    path.write_text("<html><head></head><body><nav></nav></body></html>", encoding="utf-8")
    problem = only_problem(records := list(read_file(path)))
    assert articles(records) == [] and problem.file == str(path) and problem.skipped


def test_txt_file_holding_html_is_read_as_html(tmp_path):
    (tmp_path / "page.txt").write_text(html_page(), encoding="utf-8")
    assert only_article(read_file(tmp_path / "page.txt")).body == "\n".join(PARAGRAPHS[:3])


# --- files and folders --------------------------------------------------------------------------

def test_folder_is_walked_recursively_in_sorted_order(tmp_path):
    for name, n in [("b.jsonl", 1), ("a/z.jsonl", 0), ("c/d/e.jsonl", 2), ("a.jsonl", 3)]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        write_jsonl(tmp_path / name, [record(n, id=name)])
    assert [a.id for a in read_paths([tmp_path])] == ["a/z.jsonl", "a.jsonl", "b.jsonl", "c/d/e.jsonl"]


def test_folder_skips_hidden_entries_and_readme_silently(tmp_path):
    (tmp_path / "README.md").write_text("# أرشيف", encoding="utf-8")
    (tmp_path / ".gitignore").write_text("*.tmp\n", encoding="utf-8")
    (tmp_path / ".cache").mkdir()
    write_jsonl(tmp_path / ".cache" / "a.jsonl", [record(1)])
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "README.md").write_text("notes", encoding="utf-8")
    write_jsonl(tmp_path / "a.jsonl", [record(0)])
    assert list(read_paths([tmp_path])) == list(read_file(tmp_path / "a.jsonl"))


def test_unknown_extension_is_unsupported(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("title,body\nعنوان,نص\n", encoding="utf-8")
    problem = only_problem(read_paths([tmp_path]))
    assert (problem.file, problem.place, problem.skipped) == (str(path), "", True)
    assert problem.reason.startswith("unsupported format")


def test_missing_path_is_a_problem(tmp_path):
    path = tmp_path / "nowhere"
    assert list(read_paths([path, SEED]))[0] == Problem(str(path), "", "no such file or folder")


def test_unreadable_file_is_a_problem(tmp_path):
    path = tmp_path / "a.txt"
    path.symlink_to(tmp_path / "gone.txt")  # listed in the folder, but cannot be opened
    problem = only_problem(read_paths([tmp_path]))
    assert (problem.file, problem.place) == (str(path), "") and problem.reason.startswith("cannot read the file")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read any file")
def test_file_without_read_permission_is_a_problem(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(SEED.read_bytes())
    path.chmod(0)
    problem = only_problem(read_file(path))
    assert problem.file == str(path) and problem.reason == "cannot read the file: Permission denied"


def test_empty_file_is_a_problem(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"")
    (tmp_path / "b.txt").write_text("\u00a0 \n\n", encoding="utf-8")
    assert [(Path(p.file).name, p.reason) for p in read_paths([tmp_path])] == [
        ("a.txt", "empty file"), ("b.txt", "empty file")]


def test_bad_files_do_not_stop_the_folder(tmp_path):
    (tmp_path / "a.json").write_text("[", encoding="utf-8")
    (tmp_path / "b.zip").write_bytes(b"not a zip")
    (tmp_path / "c.txt").write_bytes(os.urandom(1000))
    (tmp_path / "d.txt").write_bytes(SEED.read_bytes())
    records = list(read_paths([tmp_path]))
    assert [Path(p.file).name for p in problems(records) if p.skipped] == ["a.json", "b.zip", "c.txt"]
    assert only_article(records).title == SEED_TITLE
