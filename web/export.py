"""A result set to take away: CSV and JSON Lines exports (streamed, up to
:data:`search.config.MAX_EXPORT` articles) and an Atom feed of a search, newest first.

===========================  =========================================================
``/api/export.csv``          the search's articles as CSV (UTF-8 with a byte-order mark,
                             so spreadsheet programs read the Arabic)
``/api/export.jsonl``        the same as JSON Lines, one article a line
``/feed.atom``               the search's newest dated articles (``limit``, default 20) as
                             Atom (RFC 4287, written with xml.etree: feedgen 1.0 drops an
                             entry link's rel and type, entry.py's link loop)
===========================  =========================================================

They take the search page's parameters (``q``, ``from``, ``to``, ``source``, ``sort``...); the
exports also ``n``, the number of articles (default and most: 10,000; more is a 400). The rows
are :mod:`search.export`'s. A bad request is refused (400, Arabic) before the first byte is sent.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime, timezone

from flask import Blueprint, Response, current_app, request, url_for

from search import config
from search.errors import Code
from search.export import csv_lines, jsonl_lines, row
from search.results import Hit
from web import messages
from web.engine import get_searcher
from web.params import ParamError, SearchParams, parse_params

bp = Blueprint("export", __name__)

ATOM = "http://www.w3.org/2005/Atom"
#: Articles in a feed unless ``limit`` says otherwise.
FEED_SIZE = 20
#: Characters XML 1.0 cannot hold (a scraped page may have them); removed from the feed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@bp.app_context_processor
def _export_limit() -> dict:
    return {"max_export": config.MAX_EXPORT}


def _export_size(args) -> int:
    value = (args.get("n") or "").strip()
    if not value:
        return config.MAX_EXPORT
    if not value.isascii() or not value.isdigit() or len(value) > 12 or not 1 <= int(value) <= config.MAX_EXPORT:
        raise ParamError("n", messages.ARABIC[Code.EXPORT_TOO_LARGE]({"most": config.MAX_EXPORT}))
    return int(value)


def _hits(params: SearchParams, most: int) -> Iterator[Hit]:
    """The export's hits; the request is checked (and refused with a 400) before any is read."""
    if not params.q and not params.browsing:
        raise ParamError("q", messages.EMPTY_QUERY)
    start, end = params.effective_range()
    results, hits = get_searcher().export(params.q, start, end, params.sort, params.source or None, most,
                                          params.text_fields, browse=params.browsing, author=params.author or None)
    if results.notices and not results.total:
        raise ParamError("q", messages.NOTHING_TO_SEARCH)
    return hits


def _download(lines: Iterator[str], mimetype: str, extension: str) -> Response:
    response = Response((line.encode("utf-8") for line in lines), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="arshif-export.{extension}"'
    return response


@bp.get("/api/export.csv")
def export_csv():
    """The search's articles as CSV (:data:`FIELDS`), streamed."""
    hits = _hits(parse_params(request.args, current_app.config["PAGE_SIZE"]), _export_size(request.args))
    return _download(csv_lines(hits), "text/csv", "csv")


@bp.get("/api/export.jsonl")
def export_jsonl():
    """The search's articles as JSON Lines (:data:`FIELDS`), streamed."""
    hits = _hits(parse_params(request.args, current_app.config["PAGE_SIZE"]), _export_size(request.args))
    return _download(jsonl_lines(hits), "application/jsonl", "jsonl")


def _xml(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")


def _instant(iso: str | None) -> str:
    """An article's date as an RFC 3339 instant (Atom's date construct). The archive holds the
    wall-clock time the source printed, with no zone; it is written as UTC. No date: the epoch."""
    when = datetime.fromisoformat(iso) if iso else datetime(1970, 1, 1)
    return when.replace(tzinfo=timezone.utc, microsecond=0).isoformat()


def atom(params: SearchParams, hits: list[Hit]) -> bytes:
    """The Atom document (RFC 4287) of a search's `hits`, newest first, each dated."""
    state = params.url_args(sort="newest", limit=params.default_limit)
    page = url_for("arshif.search", _external=True, **state)
    ET.register_namespace("", ATOM)
    feed = ET.Element(_atom("feed"), {"{http://www.w3.org/XML/1998/namespace}lang": "ar"})
    _text(feed, "id", page)
    _text(feed, "title", f"أرشيف: {params.q}")
    _text(feed, "subtitle", "أحدث المقالات التي تطابق هذا البحث")
    _text(feed, "updated", _instant(hits[0].date if hits else None))
    _text(feed, "generator", "Arshif")
    ET.SubElement(feed, _atom("link"), rel="alternate", type="text/html", href=page)
    ET.SubElement(feed, _atom("link"), rel="self", type="application/atom+xml",
                  href=url_for("export.feed", _external=True, **state))
    for hit in hits:
        link = url_for("arshif.article", doc_id=hit.id, _external=True)
        entry = ET.SubElement(feed, _atom("entry"))
        _text(entry, "id", link)
        _text(entry, "title", hit.title or "(بلا عنوان)")
        _text(entry, "published", _instant(hit.date))
        _text(entry, "updated", _instant(hit.date))
        if hit.author:
            _text(ET.SubElement(entry, _atom("author")), "name", hit.author)
        ET.SubElement(entry, _atom("link"), rel="alternate", type="text/html", href=link)
        if hit.url.startswith(("http://", "https://")):
            ET.SubElement(entry, _atom("link"), rel="related", type="text/html", href=_xml(hit.url))
        if hit.source:
            ET.SubElement(entry, _atom("category"), term=_xml(hit.source), label=_xml(hit.source_name))
        _text(entry, "summary", row(hit)["snippet"])
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _atom(name: str) -> str:
    return f"{{{ATOM}}}{name}"


def _text(parent: ET.Element, name: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, _atom(name))
    element.text = _xml(text)
    return element


@bp.get("/feed.atom")
def feed():
    """The search's newest dated articles as an Atom feed; ``limit`` of them (default 20).
    Undated articles are left out: an Atom entry must have a date."""
    args = request.args.to_dict()
    args["sort"] = "newest"
    args.setdefault("limit", str(FEED_SIZE))
    params = parse_params(args, FEED_SIZE)
    hits = [h for h in _hits(params, params.limit) if h.date]
    return Response(atom(params, hits), mimetype="application/atom+xml")
