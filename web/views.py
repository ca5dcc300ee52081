"""The search page, the article page, the JSON API and the OpenSearch description."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for

from search.errors import Code
from search.results import Results
from web import messages, navigation
from web.article_page import citation, number_marks
from web.browse import browse_links, browse_sorts, source_choices
from web.engine import get_searcher
from web.formatting import marked_html
from web.params import ParamError, SearchParams, joined_dates, parse_params
from web.suggest import index_frequency, suggest
from web.timeline import timeline

bp = Blueprint("arshif", __name__)


def request_params() -> SearchParams:
    """This request's search state, checked (a :class:`ParamError` becomes a 400)."""
    return parse_params(request.args, current_app.config["PAGE_SIZE"])


def run_search(params: SearchParams) -> Results:
    """Search with the engine; a query with nothing to search for is a bad ``q``.

    :raise ParamError: no query, or nothing searchable in it.
    :raise search.errors.SearchError: a query the engine refuses (too many words).
    """
    if not params.q and not params.browsing:
        raise ParamError("q", messages.EMPTY_QUERY)
    start, end = params.effective_range()
    results = get_searcher().search(params.q, date_from=start, date_to=end, sort=params.sort,
                                    page=params.page, limit=params.limit, facets=True, source=params.source,
                                    histogram=True, browse=params.browsing, fields=params.text_fields,
                                    author=params.author or None, explain=True)
    if any(n.code in (Code.NOTHING_TO_SEARCH, Code.EMPTY_QUERY) for n in results.notices):
        raise ParamError("q", messages.NOTHING_TO_SEARCH)
    return results


@bp.get("/")
def search():
    """The search page: the form, and the results when there is a query. The form's date boxes
    (day, month, year) are sent on to the same page with ``from`` and ``to`` instead."""
    joined = joined_dates(request.args)
    if joined is not None:
        return redirect(url_for("arshif.search", **cast("dict[str, Any]", joined)))
    params = request_params()
    searcher = get_searcher()
    newest, months = searcher.span()
    context = {"params": params, "form": form_values(params),
               "quick_dates": navigation.quick_dates(params, newest, searcher.years(), months),
               "source_choices": source_choices(searcher)}
    if not params.q and not params.browsing:
        return render_template("search.html", results=None, doc_count=searcher.doc_count(),
                               browse=browse_links(searcher), **context)
    results = run_search(params)
    return render_template(
        "search.html", results=results,
        suggestion=did_you_mean(params.q, results) if params.q else None,
        notices=[messages.notice(n) for n in results.notices],
        sorts=browse_sorts(params) if params.browsing else navigation.sort_links(params),
        facets=navigation.facet_groups(params, results.facets, searcher.sources.as_dict()),
        filters=navigation.active_filters(params, searcher.sources.as_dict()),
        pages=navigation.page_links(params, results.page_count), timeline=timeline(params, results.histogram),
        **context)


@bp.get("/article/<path:doc_id>")
def article(doc_id: str):
    """One article in full, the query's words marked.

    :raise 404: no article has this id.
    """
    params = request_params()
    view = get_searcher().article(doc_id, params.q)
    if view is None:
        abort(404, messages.ARTICLE_NOT_FOUND)
    # the title and paragraphs as HTML (escaped, Latin runs isolated, words in <mark>), the marks numbered
    paragraphs = [str(marked_html(p)) for p in view.marked_body.split("\n") if p.strip()]  # marks never span lines
    marked = number_marks(str(marked_html(view.marked_title)) if view.title else "", paragraphs)
    # cast: mypy matches the str values against url_for's own keyword parameters (_external...)
    back = (url_for("arshif.search", **cast("dict[str, Any]", params.url_args(page=params.page)))
            if params.q or params.browsing else None)
    permalink = url_for("arshif.article", doc_id=view.id, _external=True)
    return render_template("article.html", article=view, params=params, form=form_values(params),
                           paragraphs=marked.paragraphs, title_html=marked.title_html, marks=marked.count,
                           marks_label=marked.label,
                           original=web_url(view.url), back=back, citation=citation(view, permalink),
                           related=get_searcher().related(view.id),
                           copies=[dict(c, link=web_url(c.get("url") or "")) for c in view.copies])


@bp.get("/api/search")
def api_search():
    """The same search as the page, as JSON (``Results.as_dict()``, with the Arabic notices and
    ``suggestion``: the query with its misspelt words corrected, or null)."""
    params = request_params()
    results = run_search(params)
    body = results.as_dict()
    body["notices"] = [{"code": n.code.value, "message": messages.notice(n)} for n in results.notices]
    body["suggestion"] = did_you_mean(params.q, results) if params.q else None
    return jsonify(body)


@bp.get("/api/article/<path:doc_id>")
def api_article(doc_id: str):
    """One article as JSON: ``{id, title, date, source, author, url, body, copies, title_html,
    body_html}``; ``*_html`` are escaped, with the words of ``q`` (if given) in ``<mark>``.

    :raise 404: no article has this id (``{"error": ...}``).
    """
    params = request_params()
    view = get_searcher().article(doc_id, params.q)
    if view is None:
        abort(404, messages.ARTICLE_NOT_FOUND)
    return jsonify({"id": view.id, "title": view.title, "date": view.date, "source": view.source,
                    "author": view.author, "url": view.url, "body": view.body, "copies": view.copies,
                    "title_html": view.title_html, "body_html": view.body_html,
                    "source_name": view.source_name, "date_hijri": view.date_hijri})


def did_you_mean(query: str, results: Results) -> str | None:
    """The query with its misspelt words corrected (:func:`web.suggest.suggest`), or None."""
    searcher = get_searcher()
    return suggest(query, results.total, index_frequency(searcher.frequencies()), searcher.form_frequency,
                   searcher.doc_count())


@bp.get("/opensearch.xml")
def opensearch():
    """OpenSearch description, so a browser can add Arshif as a search engine."""
    body = render_template("opensearch.xml")
    return current_app.response_class(body, mimetype="application/opensearchdescription+xml")


def web_url(url: str) -> str | None:
    """`url` if it is an http(s) address (a ``javascript:`` URL in an article must not be a link)."""
    url = (url or "").strip()
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:  # e.g. an unclosed [ in the host
        return None
    return url if scheme in ("http", "https") else None


def form_values(params: SearchParams | None) -> dict[str, str]:
    """What the search form shows: the checked state, or what was typed when it did not check."""
    if params is None:
        return {name: request.args.get(name, "") for name in
                ("q", "from", "to", "sort", "limit", "year", "month", "source", "author", "in")}
    args = params.url_args(page=params.page)
    start, end = params.effective_range()  # the year/month facets show as the dates they cover
    return {"q": params.q, "from": start.isoformat() if start else "", "to": end.isoformat() if end else "",
            "sort": args.get("sort", ""), "limit": args.get("limit", ""), "year": params.year,
            "month": params.month, "source": params.source, "author": params.author, "in": params.within}
