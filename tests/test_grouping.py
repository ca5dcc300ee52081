"""Near copies of one story (a wire story in several papers) are grouped under the best-ranked one."""

import json
from datetime import datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.index.build import reindex
from search.query.config import RankingConfig
from search.query.grouping import DAYS, MIN_SHINGLES, THRESHOLD, group_near_duplicates, resemblance, resemblances, shingles
from search.searcher import Searcher

STORY = ("أعلنت وزارة الصحة اليوم تسجيل أربع إصابات جديدة بفيروس كورونا في مدينة الرياض لأفراد من عائلة واحدة "
         "وأوضحت الوزارة في بيان صحفي أن المصابين يتلقون العلاج في أحد المستشفيات الحكومية وأن حالتهم مستقرة "
         "ودعت الوزارة المواطنين والمقيمين إلى الالتزام بالإرشادات الوقائية وغسل اليدين باستمرار وتجنب "
         "مخالطة المصابين ومراجعة أقرب مركز صحي عند ظهور الأعراض مثل الحمى والسعال وضيق التنفس")
EDITED = STORY.replace("اليوم", "أمس").replace("ودعت الوزارة", "كما دعت الوزارة") + " وفق ما نقلته وكالة الأنباء"
OTHER = ("افتتح أمير المنطقة الشرقية مهرجان التمور السنوي بحضور عدد من المسؤولين والمزارعين وأكد أن المهرجان "
         "يهدف إلى دعم المزارعين وتسويق منتجاتهم محليا وخارجيا وتشجيع الاستثمار في قطاع الزراعة بالمنطقة "
         "وشهد الحفل عرض أكثر من مئة نوع من التمور وجوائز لأفضل المزارع المشاركة في المسابقة ووعد بدعم أكبر")


def ids(text: str) -> np.ndarray:
    from search.analysis.analyzer import term_id, token_forms
    return np.array([term_id(stem) for _, stem in token_forms(text)], dtype=np.uint32)


def test_resemblance_of_a_story_its_edited_copy_and_another_story():
    story, edited, other = shingles(ids(STORY)), shingles(ids(EDITED)), shingles(ids(OTHER))
    assert len(story) >= MIN_SHINGLES
    assert resemblance(story, story) == 1.0
    assert 0.5 <= resemblance(story, edited) < 1.0
    assert resemblance(story, other) < 0.1
    assert resemblance(frozenset(), story) == 0.0


def test_groups_form_in_rank_order_within_days():
    day = datetime(2015, 8, 6)
    bodies = {"a": STORY, "b": OTHER, "c": EDITED, "d": STORY, "e": STORY}
    dates = {"a": day, "b": day, "c": day + timedelta(days=1), "d": day + timedelta(days=5), "e": None}
    ranked = [(5.0, "a"), (4.0, "b"), (3.0, "c"), (2.0, "d"), (1.0, "e")]
    groups = group_near_duplicates(ranked, 10, lambda docs: [ids(bodies[d]) for d in docs], dates.get)
    assert [(g.doc, [d for _, d in g.members]) for g in groups] == [
        ("a", ["c"]),  # the edited copy a day later joins the story
        ("b", []), ("d", []),  # the same text five days later is a new story
        ("e", []),  # an undated article is never grouped
    ]
    assert [g.doc for g in group_near_duplicates(ranked, 2, lambda docs: [ids(bodies[d]) for d in docs],
                                                 dates.get)] == ["a", "b"]


def reference_groups(ranked, wanted, bodies, dates):
    """The grouping as the module docstring states it, one pair at a time (:func:`resemblance` of
    :func:`shingles`): what the all-pairs product must reproduce exactly."""
    groups, heads = [], []
    for score, doc in ranked:
        body, when = shingles(bodies[doc]), dates[doc]
        home = None
        if when is not None and len(body) >= MIN_SHINGLES:
            for g, (other, other_when) in enumerate(heads):
                if other_when is not None and abs((when - other_when).total_seconds()) <= DAYS * 86400 \
                        and len(other) >= MIN_SHINGLES and resemblance(body, other) >= THRESHOLD:
                    home = g
                    break
        if home is not None:
            groups[home][1].append((score, doc))
        elif len(groups) == wanted:
            break
        else:
            groups.append((doc, []))
            heads.append((body, when))
    return groups


# bodies drawn from a few base texts with random edits, so that some pairs are near copies
BASES = [ids(STORY), ids(EDITED), ids(OTHER)]


@st.composite
def windows(draw):
    n = draw(st.integers(0, 25))
    bodies, dates = {}, {}
    day = datetime(2015, 8, 6)
    for i in range(n):
        base = BASES[draw(st.integers(0, len(BASES) - 1))]
        cut = draw(st.integers(0, len(base)))
        keep = draw(st.integers(0, 3))  # 0: the base cut short; else a random run of it dropped
        body = np.concatenate([base[:cut], base[cut + keep * 5:]]) if keep else base[:max(cut, 2)]
        if draw(st.booleans()):
            body = np.concatenate([body, np.array(draw(st.lists(st.integers(0, 50), max_size=30)), dtype=np.uint32)])
        bodies[f"d{i}"] = body.astype(np.uint32)
        dates[f"d{i}"] = None if draw(st.integers(0, 9)) == 0 else day + timedelta(hours=draw(st.integers(0, 24 * 6)))
    return [(float(n - i), f"d{i}") for i in range(n)], bodies, dates


@settings(max_examples=150, deadline=None)
@given(windows(), st.integers(1, 30))
def test_the_all_pairs_grouping_is_the_pairwise_one(window, wanted):
    ranked, bodies, dates = window
    got = group_near_duplicates(ranked, wanted, lambda docs: [bodies[d] for d in docs], dates.get)
    assert [(g.doc, g.members) for g in got] == reference_groups(ranked, wanted, bodies, dates)
    matrix, sizes = resemblances([bodies[d] for _, d in ranked])
    for i, (_, a) in enumerate(ranked):
        assert sizes[i] == len(shingles(bodies[a]))
        for j, (_, b) in enumerate(ranked):
            assert matrix[i, j] == resemblance(shingles(bodies[a]), shingles(bodies[b]))


@pytest.fixture(scope="module")
def wire_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("wire")
    (root / "src").mkdir()
    records = [
        {"id": "okaz-1", "source": "okaz", "date": "2015-08-07", "title": "إصابة عائلة سعودية بكورونا في الرياض",
         "body": STORY},
        {"id": "sabq-1", "source": "sabq", "date": "2015-08-06", "title": "الصحة: 4 إصابات بكورونا في الرياض",
         "body": EDITED},
        {"id": "was-1", "source": "was", "date": "2015-08-06", "title": "الصحة: 4 إصابات بكورونا في الرياض",
         "body": EDITED},  # an exact copy of sabq-1: a copy kept on it at indexing
        {"id": "yaum-1", "source": "alyaum", "date": "2015-08-07", "title": "كورونا يصيب عائلة في الرياض",
         "body": EDITED + " وأضافت أن الفرق الطبية تتابع المخالطين"},
        {"id": "other-1", "source": "okaz", "date": "2015-08-07", "title": "مهرجان التمور", "body": OTHER},
        {"id": "later-1", "source": "sabq", "date": "2015-08-20", "title": "كورونا في الرياض",
         "body": STORY + " وقالت الوزارة إن العدد ارتفع إلى عشر إصابات"},  # not an exact copy: kept at indexing
    ]
    with open(root / "src" / "a.jsonl", "w", encoding="utf-8") as out:
        out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    reindex([root / "src"], root / "ix", procs=1)
    return root / "ix"


def test_a_wire_story_in_three_papers_is_one_hit_with_the_others_named(wire_index):
    results = Searcher(wire_index).search("كورونا الرياض")
    grouped = {h.id: sorted(s["id"] for s in h.similar) for h in results.hits}
    story = next(h for h in grouped if h in ("okaz-1", "sabq-1", "yaum-1"))
    assert sorted([story, *grouped[story]]) == ["okaz-1", "sabq-1", "yaum-1"]
    assert "later-1" in grouped and grouped["later-1"] == []  # the same text two weeks later: its own story
    assert results.total == 4  # the count is of articles, grouped or not
    similar = next(h for h in results.hits if h.id == story).similar
    assert {"id", "title", "source", "date", "url", "score"} <= set(similar[0])


def test_grouping_can_be_turned_off(wire_index):
    results = Searcher(wire_index, RankingConfig(near_duplicates=False)).search("كورونا الرياض")
    assert len(results.hits) == 4 and not any(h.similar for h in results.hits)


def test_batch_lists_each_near_copy_right_after_its_story(wire_index, tmp_path):
    from click.testing import CliRunner

    from search.cli import cli
    queries = tmp_path / "q.tsv"
    queries.write_text("q1\tكورونا الرياض\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["search", "--batch", str(queries), "--index", str(wire_index)])
    docs = [line.split()[2] for line in result.stdout.splitlines()]
    assert sorted(docs) == ["later-1", "okaz-1", "sabq-1", "was-1", "yaum-1"]  # the near copy's own copy too
    first = docs.index(next(d for d in docs if d in ("okaz-1", "sabq-1", "yaum-1")))
    assert sorted(docs[first:first + 4]) == ["okaz-1", "sabq-1", "was-1", "yaum-1"]


def test_the_page_and_the_api_name_the_near_copies(wire_index):
    from web import create_app
    app = create_app({"TESTING": True, "INDEX_DIR": wire_index})
    client = app.test_client()
    page = client.get("/?q=كورونا الرياض").get_data(as_text=True)
    assert "الخبر نفسه في:" in page and page.count('class="hit"') == 2
    line = page.split('<p class="similar">')[1].split("</p>")[0]
    assert ("سبق" in line or "عكاظ" in line) and "sabq" not in line.split('">')[-1]  # sources by their names
    body = client.get("/api/search?q=كورونا الرياض").get_json()
    assert sum(len(h["similar"]) for h in body["results"]) == 2


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_paging_lists_every_article_once_and_no_page_is_empty(wire_index, limit):
    searcher = Searcher(wire_index)
    first = searcher.search("كورونا الرياض", limit=limit)
    seen: list[str] = []
    for page in range(1, first.page_count + 1):
        results = searcher.search("كورونا الرياض", limit=limit, page=page)
        assert results.hits and results.page_count == first.page_count
        seen += [i for h in results.hits for i in [h.id, *(s["id"] for s in h.similar)]]
    assert len(seen) == len(set(seen)) == first.total
    _, rows = searcher.export("كورونا الرياض", most=100)
    assert sorted(seen) == sorted(hit.id for hit in rows)  # the export lists every article, ungrouped


def test_a_compound_name_written_with_a_space_is_marked_and_never_corrected():
    from search.query.parser import highlight_terms, parse
    from search.query.snippets import matches
    from web.suggest import suggest
    text = "التقى عبد الله بن زايد وعبدالله الآخر في أبو ظبي"
    assert [text[s:e] for s, e, _ in matches(text, highlight_terms(parse("عبد الله")))] == ["عبد الله", "وعبدالله"]
    assert [text[s:e] for s, e, _ in matches(text, highlight_terms(parse("أبوظبي")))] == ["أبو ظبي"]
    frequency = {"ظبي": 1, "طبي": 500, "ابو": 300, "ابن": 3000}
    assert suggest("أبو ظبي", 250, lambda w: frequency.get(w, 0)) is None
