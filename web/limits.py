"""Limits on what one request may send, checked before any view runs.

Every route is a GET that reads its state from the URL, so:

- a request body is refused (413): nothing here reads one, and a client sending megabytes
  should hear so at once (``MAX_CONTENT_LENGTH`` also caps what Werkzeug would ever read);
- a URL (path and query string) longer than :data:`MAX_URL_BYTES` is refused (414). A query of
  ``MAX_QUERY_CHARS`` Arabic letters takes 6 KB percent-encoded; one five times too long still
  gets the friendly 400 that says how long a query may be, so the limit sits well above both.

A request for an unknown route or with the wrong method gets its 404 or 405 first.

The other bounds on the work of a request live with the parameters they limit: the query's length
and word count (:mod:`search.query.parser`), page size and depth (:mod:`web.params`), the spellings the
did-you-mean looks up (:mod:`web.suggest`). The server itself (waitress) caps the request line
and headers at 256 KB.
"""

from __future__ import annotations

from flask import abort, request

#: The longest URL (path plus query string, percent-encoded) a request may use.
MAX_URL_BYTES = 160 * 1024
#: The most a request body may hold (bodies are refused anyway; this caps any read).
MAX_BODY_BYTES = 16 * 1024


def init_app(app) -> None:
    """Check every request of `app` against the limits."""
    app.config.setdefault("MAX_CONTENT_LENGTH", MAX_BODY_BYTES)

    @app.before_request
    def check_size():
        if request.routing_exception is not None:
            return None  # the 404 or 405 says more
        if request.content_length or request.headers.get("Transfer-Encoding"):
            abort(413)
        if len(request.environ.get("PATH_INFO", "")) + len(request.query_string) > MAX_URL_BYTES:
            abort(414)  # PATH_INFO is WSGI's latin-1 str of the path's bytes: its length in bytes
