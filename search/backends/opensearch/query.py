"""The first phase's request in OpenSearch's query DSL (:func:`_search_body`: words, filters,
parts and facets in one search) and the document frequencies it reads (:func:`_frequency_keys`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from search.backends.base import CandidateRequest
from search.backends.opensearch.settings import COMBINED, FACET_SIZE
from search.index.schema import FACET_FIELDS, TERM_IDS_SUFFIX, TEXT_FIELDS
from search.query.config import RankingConfig
from search.query.parser import Clause
from search.query.rerank import QueryWord


def _frequency_key(fields: Sequence[str], term: str) -> tuple[Any, str]:
    """How the view remembers a document frequency: (field, term) for one field, else (fields, term)."""
    return (fields[0], term) if len(fields) == 1 else (tuple(fields), term)


def _holding(fields: Sequence[str], term: str) -> dict:
    """The articles with `term` in any of `fields`: in both texts, the combined field (the same
    articles, counted from its postings' document frequency: no postings are walked)."""
    if len(fields) == 1:
        return {"term": {fields[0]: term}}
    if set(fields) == set(TEXT_FIELDS):
        return {"term": {COMBINED: term}}
    return {"bool": {"should": [{"term": {f: term}} for f in fields]}}


def _frequency_keys(request: CandidateRequest) -> list[tuple[Sequence[str], str]]:
    """The document frequencies a first phase of `request` reads (its terms' idfs in the request,
    :func:`_word_query`; its words' stems in :meth:`OpenSearchView.first_phase_scores`) and the
    rerank next (each word's stem in each field)."""
    config, fields = request.config, request.fields
    with_clitics = len(request.words) <= config.clitic_candidate_words
    weights = {config.field_weight(f) for f in fields}
    searched = [tuple(fields)] if set(fields) == set(TEXT_FIELDS) and len(weights) == 1 else [(f,) for f in fields]
    keys: list[tuple[Sequence[str], str]] = []
    for word in request.words:
        keys += [(over, t) for over in searched for t, _ in _word_terms(word, config, with_clitics)]
        keys += [(tuple(fields), word.stem)] + [((f,), word.stem) for f in fields]
    return keys


def store_depth_cap() -> int:
    """The deepest window one search may fetch (OpenSearch's ``index.max_result_window``)."""
    return 10_000


def _word_terms(word: QueryWord, config: RankingConfig, with_clitics: bool) -> list[tuple[str, float]]:
    terms = [(word.stem, 1.0)] + [(a, 1.0) for a in sorted(word.alternates)]
    if with_clitics:
        terms += [(v, config.clitic_weight) for v in sorted(word.variants)]
    return terms


#: (fields, term) -> the idf of `term` over articles with it in any of `fields`
Idf = Callable[[tuple[str, ...], str], float]


def _word_query(word: QueryWord, fields: tuple[str, ...], config: RankingConfig, with_clitics: bool,
                idf_of: Idf | None = None) -> dict:
    """A word's first-phase query: each of its terms in the combined field when both texts are
    searched with one weight, else in each field; BM25 with the field's and the term's weight.

    With `idf_of`, each term's boost also scales its idf to its word's stem's (Arshif scores the
    frequencies of a word's other readings and ب/ل/ك/ف forms with the stem's idf: a rare stem's
    common clitic-free form, عسير for بعسير, counts with the stem's weight, not its own)."""
    weights = {config.field_weight(f) for f in fields}
    searched = (COMBINED,) if set(fields) == set(TEXT_FIELDS) and len(weights) == 1 else fields
    should = []
    for f in searched:
        over = fields if f == COMBINED else (f,)
        weight = config.field_weight(over[0])
        stem_idf = idf_of(over, word.stem) if idf_of else 1.0
        for t, w in _word_terms(word, config, with_clitics):
            scale = stem_idf / max(idf_of(over, t), 1e-6) if idf_of and t != word.stem else 1.0
            should.append({"term": {f: {"value": t, "boost": weight * w * scale}}})
    return {"bool": {"should": should}}


def _clause_query(clause: Clause, fields: tuple[str, ...]) -> dict:
    """Articles that satisfy `clause` (one of its options): a phrase's words one right after the
    other in one field, each word by any stem it matches, or one word by any of them
    (:attr:`search.query.parser.Term.matching`, as :func:`search.query.filters.constraint_mask`)."""
    should: list[dict] = []
    for option in clause.options:
        if option.phrase and len(option.terms) > 1:
            should += [{"span_near": {"clauses": [_span_word(f, t.matching) for t in option.terms],
                                      "slop": 0, "in_order": True}} for f in fields]
        else:
            should += [{"terms": {f: list(option.terms[0].matching)}} for f in fields]
    return {"bool": {"should": should, "minimum_should_match": 1}}


def _span_word(field_name: str, stems: Sequence[str]) -> dict:
    """One place of a phrase: any of `stems` in `field_name`."""
    terms = [{"span_term": {field_name: stem}} for stem in dict.fromkeys(stems)]
    return terms[0] if len(terms) == 1 else {"span_or": {"clauses": terms}}


def _part_queries(request: CandidateRequest, with_clitics: bool) -> list[dict]:
    """Each part (clause) of the query: one of its options with every one of its words."""
    words, fields, config = request.words, request.fields, request.config
    parts = []
    for clause in request.groups:
        options = [{"bool": {"filter": [_word_query(words[w], fields, config, with_clitics) for w in option]}}
                   for option in clause]
        parts.append({"bool": {"should": options, "minimum_should_match": 1}})
    return parts


def _search_body(request: CandidateRequest, size: int, tiers: bool, first: bool, with_constraints: bool,
                 idf_of: Idf | None = None) -> dict:
    config, fields = request.config, request.fields
    with_clitics = len(request.words) <= config.clitic_candidate_words
    filters: list[dict] = []
    if request.start or request.end:
        bounds = {}
        if request.start:
            bounds["gte"] = request.start.isoformat()
        if request.end:
            bounds["lte"] = request.end.isoformat()
        filters.append({"range": {"date": bounds}})
    if request.source:
        filters.append({"term": {"source": request.source}})
    if request.sources:
        filters.append({"terms": {"source": list(request.sources)}})
    filters += [{"term": {"author": term}} for term in request.author_terms]
    if with_constraints:
        filters += [_clause_query(c, fields) for c in request.constraints]
    must_not = [_clause_query(c, fields) for c in request.excluded]
    if request.excluded_sources:
        must_not.append({"terms": {"source": list(request.excluded_sources)}})
    relevance = request.sort == "relevance"
    if request.words:
        matched: dict = {"bool": {"should": [_word_query(w, fields, config, with_clitics, idf_of) for w in request.words],
                                  "minimum_should_match": 1}}
    else:
        matched = {"match_all": {}}
    query: dict[str, Any] = {"bool": {"filter": filters, "must_not": must_not}}
    if relevance:
        query["bool"]["must"] = [matched]
    else:
        query["bool"]["filter"].append(matched)
    aggs: dict[str, Any] = {}
    if tiers:
        parts = _part_queries(request, with_clitics)
        query["bool"]["should"] = [{"constant_score": {"filter": p, "boost": 0.0, "_name": f"part-{i}"}}
                                   for i, p in enumerate(parts)]
        every = {"bool": {"filter": parts}}
        aggs["complete"] = {"filter": every}
        if first:  # the articles with every part first, whatever the sort
            query["bool"]["should"].append({"constant_score": {"filter": every, "boost": 1000.0}})
    if request.facets:
        for name in FACET_FIELDS:
            aggs[name] = {"terms": {"field": name, "size": FACET_SIZE}}
    if request.days:  # the timeline's day facet (UTC days, as the embedded index counts them)
        aggs["day"] = {"date_histogram": {"field": "date", "calendar_interval": "day", "format": "yyyy-MM-dd",
                                          "min_doc_count": 1}}
    source = [f + TERM_IDS_SUFFIX for f in fields] + ["date"]
    body: dict[str, Any] = {"size": size, "query": query, "track_total_hits": True, "_source": source}
    if aggs:
        body["aggs"] = aggs
    if not relevance:
        order = "desc" if request.sort == "newest" else "asc"
        body["sort"] = ([{"_score": "desc"}] if first else []) + [
            {"date": {"order": order, "missing": "_last"}}, {"id": "asc"}]
    else:
        body["sort"] = [{"_score": "desc"}, {"date": {"order": "desc", "missing": "_last"}}, {"id": "asc"}]
    return body
