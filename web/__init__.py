"""Arshif's web page: ``create_app()`` builds the Flask app that ``arshif serve`` runs.

Shaped like Flask's tutorial app (flaskr): defaults from :mod:`search.config`, overridden by the
instance ``config.py`` or by the mapping a test passes, and one blueprint (:mod:`web.views`).
"""

from __future__ import annotations

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from search import config


def create_app(test_config: dict | None = None) -> Flask:
    """Create the app.

    :param test_config: settings that replace the defaults and the instance config, e.g.
        ``{"TESTING": True, "INDEX_DIR": tmp_path}``.
    """
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        INDEX_DIR=str(config.index_dir()),  # with the OpenSearch backend: the alias
        BACKEND=config.backend_kind(),
        BACKEND_URL=config.backend_url(),
        PAGE_SIZE=config.PAGE_SIZE,
        TRUSTED_PROXY=False,  # True behind one reverse proxy: its X-Forwarded-* headers are used
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    app.json = StrictJSON(app)
    if app.config["TRUSTED_PROXY"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1, x_prefix=1)  # type: ignore[method-assign]

    from search.ingest.hijri import hijri_label
    from web import errors, export, formatting, headers, limits, views

    app.register_blueprint(views.bp)
    app.register_blueprint(export.bp)
    errors.init_app(app)
    headers.init_app(app)
    limits.init_app(app)
    app.jinja_env.filters.update(
        arabic_date=formatting.arabic_date, articles_phrase=formatting.articles_phrase,
        month_label=formatting.month_label, results_phrase=formatting.results_phrase,
        seconds_phrase=formatting.seconds_phrase, isolated=formatting.isolated,
        marked_html=formatting.marked_html, recorded_time=formatting.recorded_time,
        date_parts=formatting.date_parts, hijri_date=hijri_label, hijri_input=formatting.hijri_input,
    )
    app.jinja_env.globals["month_names"] = formatting.MONTHS
    return app


class StrictJSON(DefaultJSONProvider):
    """The API's JSON: Arabic as UTF-8 (not ``\\u`` escapes), keys in the order the engine gives
    them, and strict (RFC 8259): a NaN or infinite number raises ``ValueError`` (a 500 the tests
    catch) instead of writing ``NaN``, which JSON parsers reject."""

    ensure_ascii = False
    sort_keys = False

    def dumps(self, obj, **kwargs) -> str:
        kwargs.setdefault("allow_nan", False)
        return super().dumps(obj, **kwargs)
