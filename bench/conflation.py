"""The conflation report: which words of a corpus the analyzer joins, and which it keeps apart.

``python -m bench.conflation --corpus ../shared/data/saudinewsnet.jsonl.gz`` (``--json`` for JSON;
``--lucene-cases`` runs :mod:`bench.lucene_cases` instead). Run it before and after an analyzer change.

Method, over the corpus vocabulary (:mod:`bench.vocabulary`: words as written, diacritics removed):

1. The *frequent words* are those of at least ``--min-freq`` (20) occurrences. Each goes through
   the index side of the analyzer, the ``body`` field of :func:`search.index.schema.build_schema`
   (``field.index(word)``: exactly the terms an article holding the word is indexed under; none for
   a stopword). Two words *meet* when they share a term; a *stem group* is the frequent words of one term.
2. **Over-conflation**: two words of one group that the reference (:mod:`bench.affixes`) cannot
   cut to a common core (no standard clitic/affix set and no hamza/ى/ة spelling difference leads
   from one to the other: مصراتة / مصر, ليلى / ليل, حماية / حماة) are a *suspect pair*. Reported:
   the frequent words with at least one suspect partner, the suspect pairs, the groups whose term is
   shorter than 3 letters, and the groups joining words whose articles differ: a pair the reference
   allows (so not suspect), both in at most :data:`APART_MAX_SHARE` of the articles, whose
   articles hold each other little more than chance: lift = N·|A∩B| / (|A|·|B|) < :data:`LIFT_APART`
   (طالبان / طالب 1.3, الرياض / الرياضة 0.9: names that look inflected; forms of one word score
   5 and more: الحكومة / حكومة 5.5, سوريا / السورية 18).
3. **Under-conflation**: two frequent words the reference cuts to a common core (or spelling
   variants) that share no term are a *split pair*: forms of one word that never meet. Reported
   apart: spelling variants (مسئول / مسؤول), forms apart by the article, و and endings
   (الدولتين / الدولة, اتفاقا / الاتفاق), and forms apart only by a lone ب ك ل or ف (بإيران /
   إيران), which the analyzer leaves to the query side. Split pairs whose articles go together
   (lift >= :data:`LIFT_TOGETHER`) are counted too: the likelier ones.
4. **Not indexed**: frequent words that yield no term though they are not, as written (diacritics
   removed), in the stopword list (علي, folded to على; واحد, folded like وأحد): words a user types
   that vanish. Counted apart: those that are a listed stopword once alef hamzas are dropped
   (ان for أن, typed without hamza).
5. **Families**: the word pairs of issue 17, each with its terms, whether they meet, and whether
   that is right (:data:`FAMILIES`).

Examples are sorted by the frequency of the rarer word of a pair. The reference is an estimate:
its misses (2-letter cores such as قوة, broken plurals, names that look inflected) are listed in
:mod:`bench.affixes`. The report covers the index side only; the query side (readings of a query
word from the index vocabulary, see :mod:`search.query.parser`) can join more.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from importlib import resources
from itertools import combinations
from pathlib import Path

import numpy as np

from bench.affixes import cores, fold_spelling, plausible_forms
from bench.vocabulary import Vocabulary, load_vocabulary, words

#: Below this lift a pair's articles hold each other little more than chance would (1.0) ...
LIFT_APART = 1.5
#: ... a test made only when both words are in at most this share of the articles (the lift of
#: a word in a quarter of them cannot exceed 4: اليوم / يوم, 1.2, are one word).
APART_MAX_SHARE = 0.05
#: From this lift on a pair's articles go together.
LIFT_TOGETHER = 2.0
#: A stem shorter than this joins words on too little.
SHORT_STEM = 3

_BARE_ALEF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا"})

#: The families of issue 17: (words, whether they should meet, the kind of fault). A one-word
#: family asks whether the word is indexed at all.
FAMILIES: tuple[tuple[tuple[str, ...], bool, str], ...] = (
    (("مصراتة", "مصر"), False, "ة read as a pronoun"),
    (("صبراتة", "صبر"), False, "ة read as a pronoun"),
    (("ليلى", "ليل"), False, "ى stripped as ي"),
    (("سلمى", "سلم"), False, "ى stripped as ي"),
    (("حماية", "حماة"), False, "ـاية / ـاة words"),
    (("بداية", "بدا"), False, "ـاية / ـاة words"),
    (("طالبان", "طالب"), False, "name that looks inflected"),
    (("سليمان", "سليم"), False, "name that looks inflected"),
    (("الرياض", "الرياضة"), False, "name that looks inflected"),
    (("الطائف", "الطائفية"), False, "name that looks inflected"),
    (("المنصورة", "منصور"), False, "name that looks inflected"),
    (("وائل", "ايل"), False, "و of the word read as a conjunction"),
    (("وجيزة", "الجيزة"), False, "و of the word read as a conjunction"),
    (("هادئ", "هادي"), False, "hamza seat folded into a letter"),
    (("زائد", "زايد"), False, "hamza seat folded into a letter"),
    (("فئة", "فيه"), False, "hamza seat folded into a letter"),
    (("مسئول", "مسؤول"), True, "hamza seat spellings of one word"),
    (("فلسطين", "الفلسطينية"), True, "country and its adjective"),
    (("باكستان", "الباكستانية"), True, "country and its adjective"),
    (("اتفاقا", "الاتفاق"), True, "accusative ا without tanween"),
    (("يومين", "يوم"), True, "dual of a short noun"),
    (("الدولتين", "الدولة"), True, "ت of ة before a suffix"),
    (("مستواه", "مستوى"), True, "ى written ا before a pronoun"),
    (("إيران", "بإيران"), True, "ب/ل before a name"),
    (("مصر", "لمصر"), True, "ب/ل before a name"),
    (("مستشفى", "مستشفيات"), True, "plural of a ى word"),
    (("عبد الله", "عبدالله"), True, "compound name written two ways"),
    (("أبو ظبي", "أبوظبي"), True, "compound name written two ways"),
    (("عبد الرحمن", "عبدالرحمن"), True, "compound name written two ways"),
    (("علي",), True, "name swallowed as a stopword"),
    (("منى",), True, "name swallowed as a stopword"),
    (("آلية",), True, "word swallowed as a stopword"),
    (("إمام",), True, "word swallowed as a stopword"),
)


def index_terms_function() -> Callable[[str], frozenset[str]]:
    """A function giving the terms the index holds for a text: those of the ``body`` field of
    Arshif's schema (the analyzer the index is built with, whatever its rules)."""
    from search.index.schema import build_schema

    body = build_schema()["body"]

    def terms(text: str) -> frozenset[str]:
        return frozenset(t.decode("utf-8") if isinstance(t, bytes) else t for t, *_ in body.index(text))

    return terms


def _written_stopwords() -> frozenset[str]:
    """The stopword list as written, diacritics removed (empty when the list is not a file)."""
    try:
        text = resources.files("search.analysis").joinpath("stopwords_ar.txt").read_text(encoding="utf-8")
    except OSError:
        return frozenset()
    return frozenset(w for line in text.splitlines() for w in words(line.split("#", 1)[0]))


@dataclass
class Pair:
    """Two frequent words (the more frequent first) with their occurrences, shared or not."""

    first: str
    second: str
    first_freq: int
    second_freq: int
    terms_first: list[str]
    terms_second: list[str]
    lift: float | None = None

    @property
    def rarer(self) -> int:
        return min(self.first_freq, self.second_freq)

    def line(self) -> str:
        lift = "" if self.lift is None else f"  lift {self.lift:.1f}"
        return (f"{self.first} ({self.first_freq}) → {'/'.join(self.terms_first) or '∅'}   "
                f"{self.second} ({self.second_freq}) → {'/'.join(self.terms_second) or '∅'}{lift}")


@dataclass
class Family:
    """One row of :data:`FAMILIES` as the analyzer treats it today."""

    words: list[str]
    frequencies: list[int | None]
    terms: list[list[str]]
    should_meet: bool
    meet: bool
    right: bool
    kind: str


@dataclass
class Report:
    """The figures of the report (see the module docstring); examples as :class:`Pair` lists."""

    corpus: str
    articles: int
    distinct_words: int
    min_freq: int
    frequent_words: int
    frequent_tokens_share: float
    stem_groups: int
    joined_groups: int
    over_words: int = 0
    over_pairs: int = 0
    over_examples: list[Pair] = field(default_factory=list)
    short_stem_groups: int = 0
    short_stem_words: int = 0
    short_stem_examples: list[str] = field(default_factory=list)
    apart_groups: int = 0
    apart_pairs: int = 0
    apart_examples: list[Pair] = field(default_factory=list)
    split_spelling_pairs: int = 0
    split_spelling_words: int = 0
    split_spelling_examples: list[Pair] = field(default_factory=list)
    split_affix_pairs: int = 0
    split_affix_words: int = 0
    split_affix_together: int = 0
    split_affix_examples: list[Pair] = field(default_factory=list)
    split_preposition_pairs: int = 0
    split_preposition_words: int = 0
    split_preposition_together: int = 0
    split_preposition_examples: list[Pair] = field(default_factory=list)
    unindexed_words: int = 0
    unindexed_bare_alef: int = 0
    unindexed_examples: list[tuple[str, int]] = field(default_factory=list)
    families: list[Family] = field(default_factory=list)


def lift(vocabulary: Vocabulary, first: str, second: str) -> float | None:
    """N·|A∩B| / (|A|·|B|) for the article sets A, B of two words; None when one is not kept."""
    a, b = vocabulary.documents.get(first), vocabulary.documents.get(second)
    if a is None or b is None or not len(a) or not len(b):
        return None
    both = len(np.intersect1d(a, b, assume_unique=True))
    return vocabulary.articles * both / (len(a) * len(b))


def _pair(vocabulary: Vocabulary, terms: dict[str, frozenset[str]], a: str, b: str,
          with_lift: bool = False) -> Pair:
    fa, fb = vocabulary.frequency[a], vocabulary.frequency[b]
    if (fb, b) > (fa, a):
        a, b, fa, fb = b, a, fb, fa
    return Pair(a, b, fa, fb, sorted(terms[a]), sorted(terms[b]),
                lift(vocabulary, a, b) if with_lift else None)


def _top(pairs: Iterable[Pair], count: int, by: Callable[[Pair], str] = lambda p: p.second) -> list[Pair]:
    """The `count` pairs of the most frequent rarer word, one per key (`by`: the rarer word by
    default), so that one word's many forms do not fill the list."""
    out, seen = [], set()
    for pair in sorted(pairs, key=lambda p: (-p.rarer, p.first, p.second)):
        if by(pair) not in seen:
            seen.add(by(pair))
            out.append(pair)
            if len(out) == count:
                break
    return out


def conflation_report(vocabulary: Vocabulary, min_freq: int = 20, examples: int = 15,
                      index_terms: Callable[[str], frozenset[str]] | None = None,
                      corpus: str = "") -> Report:
    """The report of `vocabulary` (see the module docstring).

    :param min_freq: occurrences that make a word frequent.
    :param examples: examples per list.
    :param index_terms: the analysis measured (default: :func:`index_terms_function`).
    """
    index_terms = index_terms or index_terms_function()
    frequent = sorted((w for w, f in vocabulary.frequency.items() if f >= min_freq),
                      key=lambda w: (-vocabulary.frequency[w], w))
    terms = {w: index_terms(w) for w in frequent}
    groups: dict[str, list[str]] = defaultdict(list)
    for w in frequent:
        for t in terms[w]:
            groups[t].append(w)
    total_tokens = sum(vocabulary.frequency.values()) or 1
    report = Report(corpus, vocabulary.articles, len(vocabulary.frequency), min_freq, len(frequent),
                    sum(vocabulary.frequency[w] for w in frequent) / total_tokens, len(groups),
                    sum(len(g) > 1 for g in groups.values()))

    # Over-conflation: suspect pairs, short stems, and allowed pairs whose articles differ.
    suspect: dict[tuple[str, str], Pair] = {}
    apart: dict[tuple[str, str], Pair] = {}
    apart_terms: set[str] = set()
    short_words: set[str] = set()
    short_groups = []
    for term, members in groups.items():
        if len(members) < 2:
            continue
        if len(term) < SHORT_STEM:
            short_groups.append((sum(vocabulary.frequency[w] for w in members), term, members))
            short_words.update(members)
        for a, b in combinations(members, 2):
            key = (a, b) if a < b else (b, a)
            if key in suspect or key in apart:
                continue
            if not plausible_forms(a, b):
                suspect[key] = _pair(vocabulary, terms, a, b)
            elif max(vocabulary.document_frequency(a), vocabulary.document_frequency(b)) \
                    <= APART_MAX_SHARE * vocabulary.articles:
                found = lift(vocabulary, a, b)
                if found is not None and found < LIFT_APART:
                    apart[key] = _pair(vocabulary, terms, a, b, with_lift=True)
                    apart_terms.add(term)
    report.over_pairs = len(suspect)
    report.over_words = len({w for key in suspect for w in key})
    report.over_examples = _top(suspect.values(), examples, by=lambda p: " ".join(p.terms_first))
    report.short_stem_groups = len(short_groups)
    report.short_stem_words = len(short_words)
    report.short_stem_examples = [f"{term}: {' '.join(members[:8])}{' …' if len(members) > 8 else ''}"
                                  for _, term, members in sorted(short_groups, reverse=True)[:examples]]
    report.apart_groups = len(apart_terms)
    report.apart_pairs = len(apart)
    report.apart_examples = _top(apart.values(), examples)

    # Under-conflation: words with a common core (or spelling) that share no term.
    by_core: dict[str, list[str]] = defaultdict(list)
    for w in frequent:
        if terms[w]:
            for c in cores(w):
                by_core[c].append(w)
    spelling: dict[tuple[str, str], Pair] = {}
    affix: dict[tuple[str, str], Pair] = {}
    preposition: dict[tuple[str, str], Pair] = {}
    for members in by_core.values():
        for a, b in combinations(members, 2):
            key = (a, b) if a < b else (b, a)
            if key in spelling or key in affix or key in preposition or not terms[a].isdisjoint(terms[b]):
                continue
            if fold_spelling(a) == fold_spelling(b):
                spelling[key] = _pair(vocabulary, terms, a, b)
            elif cores(a, prepositions=False).isdisjoint(cores(b, prepositions=False)):
                preposition[key] = _pair(vocabulary, terms, a, b, with_lift=True)
            else:
                affix[key] = _pair(vocabulary, terms, a, b, with_lift=True)
    report.split_spelling_pairs = len(spelling)
    report.split_spelling_words = len({w for key in spelling for w in key})
    report.split_spelling_examples = _top(spelling.values(), examples)
    report.split_affix_pairs = len(affix)
    report.split_affix_words = len({w for key in affix for w in key})
    report.split_affix_together = sum(p.lift is not None and p.lift >= LIFT_TOGETHER for p in affix.values())
    report.split_affix_examples = _top(affix.values(), examples)
    report.split_preposition_pairs = len(preposition)
    report.split_preposition_words = len({w for key in preposition for w in key})
    report.split_preposition_together = sum(p.lift is not None and p.lift >= LIFT_TOGETHER
                                            for p in preposition.values())
    report.split_preposition_examples = _top(preposition.values(), examples)

    # Frequent words that vanish though not written as stopwords.
    stop = _written_stopwords()
    unindexed = [w for w in frequent if not terms[w] and w not in stop]
    stop_bare = {w.translate(_BARE_ALEF) for w in stop}
    report.unindexed_words = len(unindexed)
    report.unindexed_bare_alef = sum(w.translate(_BARE_ALEF) in stop_bare for w in unindexed)
    unindexed.sort(key=lambda w: w.translate(_BARE_ALEF) in stop_bare)  # stable: by frequency within
    report.unindexed_examples = [(w, vocabulary.frequency[w]) for w in unindexed[:examples]]

    report.families = [_family(vocabulary, index_terms, family, should, kind) for family, should, kind in FAMILIES]
    return report


def _family(vocabulary: Vocabulary, index_terms: Callable[[str], frozenset[str]], family: tuple[str, ...],
            should_meet: bool, kind: str) -> Family:
    """A row of :data:`FAMILIES`. Two words (or a compound's two words and its one-word spelling)
    meet when they share a term. Right: a family that should meet meets with both words indexed;
    one that should stay apart does, with its first word indexed (the second may be a stopword:
    فئة / فيه); a one-word family is right when the word is indexed."""
    found = [index_terms(w) for w in family]
    if len(family) == 1:
        meet = right = bool(found[0])
    else:
        meet = not found[0].isdisjoint(found[1])
        right = (meet and all(found)) if should_meet else (not meet and bool(found[0]))
    frequencies = [None if " " in w else vocabulary.frequency.get(w, 0) for w in family]
    return Family(list(family), frequencies, [sorted(t) for t in found], should_meet, meet, right, kind)


def format_report(report: Report) -> str:
    """The report as plain text."""
    r = report
    out = [f"Conflation report: {r.corpus} ({r.articles:,} articles, {r.distinct_words:,} distinct words)",
           f"Frequent words (>= {r.min_freq} occurrences): {r.frequent_words:,}, "
           f"{r.frequent_tokens_share:.1%} of the word occurrences; "
           f"{r.stem_groups:,} index terms, {r.joined_groups:,} of them joining 2+ frequent words",
           "",
           "(a) Over-conflation",
           f"  words sharing a term with a word the reference cannot reach by affixes/spelling: "
           f"{r.over_words:,} ({r.over_pairs:,} pairs)"]
    out += [f"    {p.line()}" for p in r.over_examples]
    out.append(f"  terms shorter than {SHORT_STEM} letters joining 2+ frequent words: {r.short_stem_groups:,} "
               f"({r.short_stem_words:,} words)")
    out += [f"    {line}" for line in r.short_stem_examples]
    out.append(f"  terms joining words whose articles differ (allowed pair, each in <= {APART_MAX_SHARE:.0%} "
               f"of the articles, lift < {LIFT_APART}): "
               f"{r.apart_groups:,} terms ({r.apart_pairs:,} pairs)")
    out += [f"    {p.line()}" for p in r.apart_examples]
    out += ["", "(b) Under-conflation (forms of one word with no common term)",
            f"  spelling variants (hamza seat, ى/ي, ة/ه) split: {r.split_spelling_words:,} words "
            f"({r.split_spelling_pairs:,} pairs)"]
    out += [f"    {p.line()}" for p in r.split_spelling_examples]
    out.append(f"  clitic/affix forms split (article, و, endings): {r.split_affix_words:,} words ({r.split_affix_pairs:,} pairs; "
               f"{r.split_affix_together:,} pairs whose articles go together, lift >= {LIFT_TOGETHER})")
    out += [f"    {p.line()}" for p in r.split_affix_examples]
    out.append(f"  forms split only by a lone ب ك ل ف proclitic (the query side may read those): "
               f"{r.split_preposition_words:,} words ({r.split_preposition_pairs:,} pairs; "
               f"{r.split_preposition_together:,} whose articles go together)")
    out += [f"    {p.line()}" for p in r.split_preposition_examples]
    out += ["", f"(c) Frequent words not indexed though not written as stopwords: {r.unindexed_words:,} "
                f"({r.unindexed_bare_alef:,} of them a stopword but for the hamza on an alef: ان, او)",
            "    " + "  ".join(f"{w} ({f})" for w, f in r.unindexed_examples)]
    right = sum(f.right for f in r.families)
    out += ["", f"(d) Families of issue 17: {right} of {len(r.families)} right"]
    for f in r.families:
        shown = "   ".join(f"{w} ({'-' if n is None else n}) → {'/'.join(t) or '∅'}"
                           for w, n, t in zip(f.words, f.frequencies, f.terms, strict=True))
        if len(f.words) == 1:
            verdict = "indexed" if f.meet else "NOT INDEXED"
        else:
            verdict = ("meet" if f.meet else "apart") + ("" if all(f.terms) else ", a word NOT INDEXED")
        want = "" if len(f.words) == 1 else f" (should {'meet' if f.should_meet else 'stay apart'})"
        out.append(f"  {'ok ' if f.right else 'BAD'} {verdict}{want}: {shown}   [{f.kind}]")
    return "\n".join(out)


def report_json(report: Report) -> str:
    """The report as JSON (every field of :class:`Report`)."""
    return json.dumps(asdict(report), ensure_ascii=False, indent=1)


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.conflation``: the conflation report, or the Lucene cases as searches."""
    parser = argparse.ArgumentParser(prog="python -m bench.conflation", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, help="the corpus (any input arshif reindex reads)")
    parser.add_argument("--min-freq", type=int, default=20, help="occurrences that make a word frequent (20)")
    parser.add_argument("--examples", type=int, default=15, help="examples per list (15)")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="where the vocabulary counts are cached (default: the temporary folder)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--lucene-cases", action="store_true",
                        help="run Lucene's Arabic analysis test cases as searches (bench.lucene_cases)")
    args = parser.parse_args(argv)
    if args.lucene_cases:
        from bench.lucene_cases import report as lucene_report
        from bench.lucene_cases import run_cases, search_holds

        results = list(run_cases())
        if args.json:
            print(json.dumps([{"test": f"{s.case.test_class}.{s.case.method}", "query": s.query, "target": s.target,
                               "direction": s.direction, "found": sorted(found), "holds": search_holds(s, found)}
                              for s, found in results], ensure_ascii=False, indent=1))
        else:
            print(lucene_report(results))
        return 0
    if args.corpus is None:
        parser.error("give --corpus (or --lucene-cases)")
    if not args.corpus.exists():
        parser.error(f"no such corpus: {args.corpus}")
    vocabulary = load_vocabulary(args.corpus, args.cache_dir)
    report = conflation_report(vocabulary, args.min_freq, args.examples, corpus=str(args.corpus))
    print(report_json(report) if args.json else format_report(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
