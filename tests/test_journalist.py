"""What journalists and archivists expect (issue 19): sources by name, Hijri dates, the timeline
of hits, quick dates from the archive's span, export and feeds, browsing without a query.

Through the Flask app on a small archive of real SaudiNewsNet articles (journalist_fixtures).
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from journalist_fixtures import SNN, build, sample

from search.cli import cli
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
