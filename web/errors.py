"""Every failure as a friendly Arabic page (or a JSON ``{"error": ...}`` under ``/api/``).

- a bad parameter (:class:`~web.params.ParamError`) or a request the engine refuses
  (:class:`~search.errors.SearchError`, worded in Arabic by its code): 400;
- no index, or one that cannot be opened (:class:`~search.index.store.IndexMissing`): 503, telling to
  run ``arshif reindex``;
- unknown page or article: 404; wrong method: 405; a request body or an overlong URL
  (:mod:`web.limits`): 413 or 414; anything else: 500 with no stack trace.
"""

from __future__ import annotations

import logging
from typing import cast

from flask import current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from search.errors import SearchError
from search.index.store import IndexMissing
from web import messages
from web.params import ParamError

log = logging.getLogger(__name__)


def init_app(app) -> None:
    """Register the handlers on `app`."""
    app.register_error_handler(ParamError, _param_error)
    app.register_error_handler(SearchError, _engine_error)
    app.register_error_handler(IndexMissing, _index_missing)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


def respond(status: int, message: str, param: str | None = None, detail: str | None = None):
    """The error response: JSON for the API, else the search page (for /) or an error page."""
    if request.path.startswith("/api/"):
        body = {"error": message}
        if param:
            body["param"] = param
        if detail:
            body["detail"] = detail
        return jsonify(body), status
    from web.views import form_values

    template = "search.html" if request.endpoint == "arshif.search" else "error.html"
    return render_template(template, error=message, status=status, detail=detail, params=None,
                           form=form_values(None), results=None, quick_dates=[]), status


def _param_error(exc: ParamError):
    return respond(400, exc.message, param=exc.param)


def _engine_error(exc: SearchError):
    return respond(400, messages.error(exc), param=exc.param)


def _index_missing(exc: IndexMissing):
    log.warning("no usable index: %s", exc)  # the path stays in the log, not on the page
    return respond(503, messages.INDEX_MISSING)


def _http_error(exc: HTTPException):
    if exc.code == 404:
        # our own abort(404, message) keeps its Arabic message; Werkzeug's English one is replaced
        known = exc.description == messages.ARTICLE_NOT_FOUND
        return respond(404, cast(str, exc.description) if known else messages.NOT_FOUND)
    if exc.code == 405:
        return respond(405, messages.NOT_ALLOWED)
    if exc.code == 413:
        return respond(413, messages.TOO_LARGE)
    if exc.code == 414:
        return respond(414, messages.URL_TOO_LONG)
    if exc.code and exc.code >= 500:
        return respond(exc.code, messages.SERVER_ERROR)
    return respond(exc.code or 400, messages.BAD_REQUEST)


def _unexpected(exc: Exception):
    if current_app.testing or current_app.debug:
        raise exc  # let tests see the real failure
    log.exception("unexpected error", exc_info=exc)
    return respond(InternalServerError.code, messages.SERVER_ERROR)
