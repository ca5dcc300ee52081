"""Generate ``bench/news_queries.txt`` once from the corpus's title statistics.

    python bench/make_news_queries.py ../shared/data/saudinewsnet.jsonl.gz > bench/news_queries.txt

News readers search for names, places and topics. Arabic has no capital letters to find named
entities by, so this takes the most frequent title n-grams instead: unigrams, bigrams and trigrams
of adjacent title words, none of them a stopword (an Arshif stopword: :func:`search.analysis.analyzer.token_forms`
gives nothing for it), no numbers, no one- or two-letter words; each n-gram is counted by its
normalized form and written in its most frequent surface form (what a reader would type). Titles
repeated across the corpus count once. The output was reviewed by hand (see ``REJECT`` below for
the generic words taken out) and is committed, so every benchmark run asks the same queries.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from collections import Counter, defaultdict
from typing import cast

from search.analysis.analyzer import TOKEN_PATTERN, token_forms

#: An Arabic word (letters and in-word marks only: no Latin leftovers such as ``quot``).
ARABIC_WORD = re.compile(r"[\u0621-\u064a\u0671-\u06d3\u064b-\u0652\u0640]+")

#: How many of each length (1-3 words), most frequent first.
QUOTA = {1: 90, 2: 100, 3: 40}
#: Generic newsroom words that are not something a reader searches for, rejected anywhere after
#: reviewing the first draft (surface forms; compared normalized).
REJECT_WORDS = """عاجل فيديو صور بالصور بالفيديو شاهد خلال يوم اليوم أمس بعد قبل حول عبر ضد بين أول الأول
    جديد جديدة الجديد العام عام تعلن يعلن أعلن تبدأ يبدأ مساء صباح غدا الأسبوع الجاري المقبل القادم
    أكثر بسبب يستقبل تطلق عمل""".split()
#: Whole n-grams rejected after review: fragments of a longer name that nobody types alone.
REJECT_GRAMS = ["ولي", "خادم", "العهد", "نائب", "ولي ولي", "نائب خادم", "العهد يوجه بمعاملة",
                "معايدة لمنسوبيها", "تفجير مسجد قوات", "مسجد قوات", "جامعة الملك", "مركز الملك",
                "سلمان للإغاثة"]


def _norm(text: str) -> str:
    return " ".join(form for form, _ in token_forms(text))


def main(path: str) -> None:
    reject_words = {_norm(w) for w in REJECT_WORDS}
    reject_grams = {_norm(g) for g in REJECT_GRAMS}
    grams: Counter = Counter()
    surface: dict[str, Counter] = defaultdict(Counter)
    seen_titles: set[str] = set()
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            title = json.loads(line).get("title") or ""
            key = " ".join(title.split())
            if not key or key in seen_titles:
                continue
            seen_titles.add(key)
            words = []  # (surface, normalized) of each token; None breaks a run (stopword, number)
            for raw in TOKEN_PATTERN.findall(title):
                forms = token_forms(raw)
                ok = (len(forms) == 1 and ARABIC_WORD.fullmatch(raw) is not None and len(forms[0][0]) > 2
                      and forms[0][0] not in reject_words)
                words.append((raw, forms[0][0]) if ok else None)
            for n in QUOTA:
                for i in range(len(words) - n + 1):
                    run = cast("list[tuple[str, str]]", words[i:i + n])  # a None only where all() fails
                    if all(run):
                        norm = " ".join(w[1] for w in run)
                        grams[norm] += 1
                        surface[norm][" ".join(w[0] for w in run)] += 1
    taken = {n: 0 for n in QUOTA}
    out = []
    for norm, count in sorted(grams.items(), key=lambda kv: (-kv[1], kv[0])):
        n = norm.count(" ") + 1
        if taken[n] >= QUOTA[n] or norm in reject_grams:
            continue
        taken[n] += 1
        text = surface[norm].most_common(1)[0][0]
        out.append((n, count, text))
    for _, count, text in sorted(out, key=lambda t: (t[0], -t[1], t[2])):
        print(f"{text}\t{count}" if "--counts" in sys.argv else text)


if __name__ == "__main__":
    main(sys.argv[1])
