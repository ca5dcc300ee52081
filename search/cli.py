"""The ``arshif`` command: each subcommand is one call into the library.

Errors a user can cause (no index, a bad date, a reindex already running) end with a one-line
message and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

import click

from search import backends, config
from search import export as export_rows
from search.analysis.analyzer import analyze as analyze_text
from search.errors import Code, SearchError
from search.index import store
from search.results import render_marked
from search.searcher import SORTS, Searcher

_USER_ERRORS = (store.IndexMissing, store.ReindexRunning, SearchError)


def _open(index: str | None, backend: str | None = None, url: str | None = None) -> Searcher:
    try:
        chosen = backends.open_backend(backend, url, index)
        return Searcher(index if backends.check(backend, url) == "whoosh" else config.opensearch_alias(index),
                        backend=chosen)
    except (store.IndexMissing, backends.BackendChoiceError) as exc:
        raise click.ClickException(str(exc)) from None


def _backend_options(command):
    """--backend and --url, shared by the commands that read or write an index."""
    command = click.option("--url", default=None, metavar="URL[,URL...]",
                           help="The OpenSearch cluster's address(es) (default: $ARSHIF_URL).")(command)
    return click.option("--backend", default=None, type=click.Choice(config.BACKENDS),
                        help="Where the index is: whoosh (a directory, the default) or opensearch "
                             "(default: $ARSHIF_BACKEND or whoosh).")(command)


@click.group()
@click.version_option(package_name="arshif")
def cli():
    """Arshif (أرشيف): full-text search for Arabic news archives."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--index", "index", help="Index directory (default: $ARSHIF_INDEX or ./index); with "
                                       "--backend opensearch, the alias (default: arshif).")
@_backend_options
@click.option("--shards", type=click.IntRange(1, 1024), default=None,
              help="OpenSearch: primary shards of the new index (default 2).")
@click.option("--replicas", type=click.IntRange(0, 16), default=None,
              help="OpenSearch: copies of each shard (default 1).")
@click.option("--procs", type=click.IntRange(1, 16), default=None,
              help="Writer processes (default 1; 2 is faster on an idle two-core machine).")
@click.option("--strict", is_flag=True, help="Exit non-zero if any file or record was skipped.")
@click.option("--incremental", is_flag=True,
              help="Read only new and changed files; drop articles of changed and vanished files.")
@click.option("--verbose", "-v", is_flag=True,
              help="List every skipped record and warning (default: counts by kind, with examples).")
def reindex(paths, index, backend, url, shards, replicas, procs, strict, incremental, verbose):
    """Index articles (files or folders) into a new index and swap it in.

    With no PATH, indexes ./seeds. Reads scraped text articles, JSON Lines and JSON (optionally
    .gz), SaudiNewsNet zip files and HTML pages; folders are walked recursively.

    Example: arshif reindex ~/archive/2015 --index ~/archive-index
    """
    from search.index.build import reindex as run_reindex

    sources = list(paths) or [Path(config.DEFAULT_SOURCE_DIR)]
    root = config.index_dir(index)
    where = str(root)
    progress = _progress_line() if sys.stderr.isatty() else None
    try:
        build = None
        if backends.check(backend, url) == "opensearch":
            from search.backends import opensearch

            build = opensearch.OpenSearchBuild.locked(
                str(config.backend_url(url)), config.opensearch_alias(index), shards or opensearch.DEFAULT_SHARDS,
                opensearch.DEFAULT_REPLICAS if replicas is None else replicas,
                log=lambda message: click.echo(f"\n{message}" if progress else message, err=True))
            where = backends.describe(backend, url, index)
        summary = run_reindex(sources, root, progress=progress, procs=procs, incremental=incremental, build=build)
    except backends.BackendChoiceError as exc:
        raise click.ClickException(str(exc)) from None
    except (store.ReindexRunning, store.NothingIndexed) as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        where = f" (while writing {exc.filename})" if getattr(exc, "filename", None) else ""
        raise click.ClickException(
            f"Reindex failed: {exc.strerror or exc}{where}. The previous index is unchanged.") from None
    except KeyboardInterrupt:
        click.echo("\nInterrupted: the previous index is unchanged.", err=True)
        sys.exit(130)
    if progress:
        click.echo(err=True)
    report_problems("skipped", summary.problems, verbose)
    report_problems("warning", summary.warnings, verbose)
    click.echo(
        f"Indexed {plural(summary.indexed, 'article')} into {where} in {summary.seconds:.1f} s "
        f"({summary.docs_per_second:,.0f} docs/s"
        + (f"; {summary.title_only:,} of them by title only, without a body" if summary.title_only else "")
        + f"); skipped {summary.skipped:,}, "
        f"duplicates {summary.duplicates:,}, warnings {len(summary.warnings):,}."
        + (f" Incremental: {summary.unchanged_files:,} files unchanged, {summary.removed:,} articles removed."
           if incremental else "")
    )
    if strict and summary.problems:
        sys.exit(1)


#: Examples shown of each kind of problem without --verbose.
EXAMPLES = 3
_VARIABLE = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|\d+")


def problem_kind(reason: str) -> str:
    """What a problem's reason says without its particulars (quoted values and numbers become
    ``…``), so that "unreadable date '2015-13-45'" and "unreadable date 'أمس'" are one kind."""
    return _VARIABLE.sub("…", reason)


def report_problems(label: str, problems, verbose: bool) -> None:
    """On stderr: every problem with `verbose`; otherwise each kind of problem once, most
    frequent first, with its count and its first :data:`EXAMPLES` places."""
    if verbose:
        for problem in problems:
            click.echo(f"{label}: {problem}", err=True)
        return
    kinds: dict[str, list] = {}
    for problem in problems:
        kinds.setdefault(problem_kind(problem.reason), []).append(problem)
    for kind, items in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
        click.echo(f"{label}: {len(items):,} × {kind}", err=True)
        for problem in items[:EXAMPLES]:
            click.echo(f"    {problem}", err=True)
        if len(items) > EXAMPLES:
            click.echo(f"    … and {len(items) - EXAMPLES:,} more (--verbose lists them all)", err=True)


def _progress_line():
    """A live progress line on stderr: articles indexed, rate, problems."""
    started = time.monotonic()
    spinner = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
    state = {"tick": 0}

    def report(indexed: int, problems: int) -> None:
        state["tick"] += 1
        rate = indexed / max(time.monotonic() - started, 1e-6)
        click.echo(f"\r{spinner[state['tick'] % len(spinner)]} indexed {indexed:,} articles "
                   f"({rate:,.0f}/s), {problems:,} skipped ", nl=False, err=True)

    return report


class TextCommand(click.Command):
    """A command whose text argument may start with ``-``: a query ``-تركيا`` (an exclusion) or
    ``- من هو؟`` (a typed question), or a text to analyze. Any argument that starts with ``-``
    and is not one of the command's options is taken as text, wherever it stands."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        names, valued = set(), set()
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                opts = [*param.opts, *param.secondary_opts]
                names.update(opts)
                if not param.is_flag and not param.count:
                    valued.update(param.opts)
        options: list[str] = []
        texts: list[str] = []
        rest = iter(args)
        for arg in rest:
            if arg == "--":
                texts.extend(rest)
                break
            if arg in valued:  # the option and its value, whatever the value looks like
                options.append(arg)
                value = next(rest, None)
                if value is not None:
                    options.append(value)
            elif arg in names or arg.split("=", 1)[0] in valued:
                options.append(arg)
            else:
                texts.append(arg)
        return super().parse_args(ctx, options + (["--", *texts] if texts else []))


@cli.command(cls=TextCommand)
@click.argument("query", required=False)
@click.option("--index", "index", help="Index directory (default: $ARSHIF_INDEX or ./index).")
@click.option("--from", "date_from", metavar="YYYY-MM-DD",
              help="Only articles on or after this day (a Hijri day with هـ: 1436-10-20هـ).")
@click.option("--to", "date_to", metavar="YYYY-MM-DD", help="Only articles on or before this day.")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--limit", type=int, default=None, help=f"Results per page (default {config.PAGE_SIZE}; with --batch 100).")
@click.option("--page", type=int, default=1, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--batch", type=click.File("r", encoding="utf-8"), help="Run qid<TAB>query lines; print a TREC run.")
@click.option("--fields", default="title,body", show_default=True, help="Text fields to search.")
@click.option("--source", default=None,
              help="Only this source: its id (okaz) or name (عكاظ); several: okaz,sabq; all but some: -was,-sabq.")
@click.option("--timeline", is_flag=True, help="Also print the results over time (by day, week, month or year).")
@click.option("--author", default=None, help="Only articles whose byline holds these words.")
@_backend_options
def search(query, index, date_from, date_to, sort, limit, page, as_json, batch, fields, source, timeline, author,
           backend, url):
    """Search the index.

    Query syntax: words (ranked), "exact phrase", -word to exclude, +word to require, a OR b.

    Example: arshif search "الميليشيات الإيرانية" --from 2020-01-01 --sort newest
    """
    searcher = _open(index, backend, url)
    field_names = tuple(f.strip() for f in fields.split(",") if f.strip())
    if batch is not None:
        _run_batch(searcher, batch, limit or 100, field_names, date_from, date_to)
        return
    browse = query is None and bool(source or date_from or date_to or author or sort != "relevance")
    if query is None and not browse:
        raise click.UsageError("Give a QUERY (or --batch FILE; or browse with --source, --author, --from, --to or --sort).")
    try:
        results = searcher.search(query or "", date_from=date_from, date_to=date_to, sort=sort, page=page,
                                  limit=limit or config.PAGE_SIZE, fields=field_names, source=source,
                                  histogram=timeline, browse=browse, author=author, explain=True,
                                  facets=as_json)  # the JSON has the API's shape: facets always there
    except _USER_ERRORS as exc:
        raise click.ClickException(str(exc)) from None
    for notice in results.notices:
        if notice.code in NOTHING_TO_SEARCH:  # as the web page and the API (a 400): an error
            raise click.ClickException(str(notice))
    if as_json:
        click.echo(json.dumps(results.as_dict(), ensure_ascii=False, indent=2, allow_nan=False))
        return
    for notice in results.notices:
        click.echo(str(notice), err=True)
    complete = f", {results.complete:,} with every word" if results.complete is not None else ""
    click.echo(f"{plural(results.total, 'result')}{complete} ({results.elapsed_ms:.0f} ms), "
               f"page {results.page} of {results.page_count}")
    if results.histogram is not None:
        _print_timeline(results.histogram)
    open_mark, close_mark = marks(sys.stdout.isatty() and "NO_COLOR" not in os.environ)
    for n, hit in enumerate(results.hits, start=(page - 1) * results.limit + 1):
        click.echo()
        click.echo(click.style(f"{n}. {hit.title or '(بلا عنوان)'}", bold=True))
        click.echo("   " + " · ".join(x for x in (_day_both(hit.date, hit.date_hijri), hit.source_name, hit.author) if x))
        snippet = render_marked(hit.marked_snippet, open_mark, close_mark, escape=lambda s: s)
        click.echo("   " + " ".join(snippet.split()))
        matched = [f"{m['word']} <- " + ", ".join(f["form"] for f in m["forms"]) for m in hit.matched if m["count"]]
        if matched:
            click.echo("   matched: " + "; ".join(matched))
        if hit.missing:
            click.echo("   missing: " + ", ".join(hit.missing))
        if hit.copies:
            click.echo("   also published: " + ", ".join(c["id"] + (f" ({c['source_name']})" if c["source"] else "")
                                                          for c in hit.copies))
        if hit.similar:
            click.echo("   the same story in: " + ", ".join(c["id"] + (f" ({c['source']})" if c["source"] else "")
                                                           for c in hit.similar))
        click.echo(f"   id: {hit.id}" + (f"  {hit.url}" if hit.url else ""))


@cli.command(cls=TextCommand)
@click.argument("query")
@click.option("--index", "index", help="Index directory (default: $ARSHIF_INDEX or ./index).")
@click.option("--format", "form", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True)
@click.option("--from", "date_from", metavar="YYYY-MM-DD", help="Only articles on or after this day (or 1436-10-20هـ).")
@click.option("--to", "date_to", metavar="YYYY-MM-DD", help="Only articles on or before this day.")
@click.option("--source", default=None, help="Only this source: its id (okaz) or its name (عكاظ).")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("-n", "most", type=int, default=config.MAX_EXPORT, show_default=True, help="Articles to export at most.")
@_backend_options
def export(query, index, form, date_from, date_to, source, sort, most, backend, url):
    """Write a search's articles to standard output as CSV or JSON Lines: id, title, date,
    date_hijri, source, source_name, author, url, score, snippet.

    Example: arshif export "الحج" --from 1436-10-01هـ --format jsonl > hajj.jsonl
    """
    searcher = _open(index, backend, url)
    try:
        results, hits = searcher.export(query, date_from, date_to, sort, source, most)
    except _USER_ERRORS as exc:
        raise click.ClickException(str(exc)) from None
    for notice in results.notices:
        click.echo(str(notice), err=True)
    for line in (export_rows.csv_lines if form == "csv" else export_rows.jsonl_lines)(hits):
        click.echo(line, nl=False)


def _print_timeline(histogram, width: int = 40) -> None:
    """One line per period: its first day, a bar, the count."""
    top = max((b.count for b in histogram.buckets), default=0) or 1
    click.echo(f"by {histogram.interval}:")
    for b in histogram.buckets:
        click.echo(f"  {b.start.isoformat()}  {'#' * round(width * b.count / top):<{width}}  {b.count:,}")
    if histogram.undated:
        click.echo(f"  undated     {histogram.undated:,}")


def _day_both(day: str | None, hijri: str | None) -> str:
    """``2015-08-05 (1436-10-20 هـ)``; "" with no date."""
    return f"{day[:10]} ({hijri} هـ)" if day and hijri else (day or "")[:10]


#: The notices that mean a query has nothing to search for (an error, as on the web).
NOTHING_TO_SEARCH = (Code.NOTHING_TO_SEARCH, Code.EMPTY_QUERY)
#: Marks of matched words: bold yellow on a terminal; elsewhere brackets that Arabic news text does
#: not use (the text's own quotation marks « » would be confused with them).
TERMINAL_MARKS = ("\x1b[1;33m", "\x1b[0m")
PLAIN_MARKS = ("⟦", "⟧")


def marks(terminal: bool) -> tuple[str, str]:
    """The opening and closing marks of matched words for output to a terminal or not."""
    return TERMINAL_MARKS if terminal else PLAIN_MARKS


def plural(n: int, one: str, many: str | None = None) -> str:
    """``1 result``, ``0 results``, ``1,234 results``."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _run_batch(searcher: Searcher, lines, limit: int, fields, date_from, date_to) -> None:
    """qid<TAB>query lines in, a TREC run (qid Q0 docid rank score arshif) out; the score is
    rank-derived (the number of lines of the query less the rank, plus one)."""
    for number, line in enumerate(lines, start=1):
        line = line.rstrip("\n")
        if not line.strip():
            continue
        qid, sep, text = line.partition("\t")
        if not sep:
            click.echo(f"line {number}: expected qid<TAB>query; skipped", err=True)
            continue
        try:
            results = searcher.search(text, date_from=date_from, date_to=date_to, limit=limit,
                                      fields=fields, snippets=False)
        except _USER_ERRORS as exc:
            click.echo(f"line {number} ({qid}): {exc}", err=True)
            continue
        for notice in results.notices:
            if notice.code in NOTHING_TO_SEARCH:
                click.echo(f"line {number} ({qid}): no results: {notice}", err=True)
        ranked = [doc_id for hit in results.hits for doc_id in hit.ids()]  # each copy right after its article
        for rank, doc_id in enumerate(ranked, start=1):
            # the score column falls with the rank: trec_eval and ir-measures order a run by it, and
            # the engine's scores are not comparable across its stages (the second phase's for the
            # first candidates, the first phase's below them, copies and near copies after their story)
            click.echo(f"{qid} Q0 {doc_id} {rank} {len(ranked) - rank + 1} arshif")


@cli.command(cls=TextCommand)
@click.argument("text")
def analyze(text):
    """Show how TEXT is analyzed: each token, its normalized form, its stem and why (the rules
    that stripped an affix or kept it).

    Example: arshif analyze "وبالتنسيق مع الاستخبارات"
    """
    tokens = analyze_text(text)
    if not tokens:
        click.echo("(no tokens)")
    width = max((len(t.original) for t in tokens), default=0)
    for t in tokens:
        stem = "(stopword: not indexed)" if t.stem is None else t.stem
        click.echo(f"{t.original:<{width}}  →  {t.normalized:<{width}}  →  {stem:<{width}}  ({'; '.join(t.why)})")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option("--index", "index", help="Index directory (default: $ARSHIF_INDEX or ./index).")
@click.option("--threads", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Threads per worker process (searching is CPU work: more threads than two per "
                   "process only contend for Python's lock).")
@click.option("--workers", default=None, type=click.IntRange(1, 16),
              help="Worker processes (default: one per core, at most four).")
@click.option("--trusted-proxy", is_flag=True,
              help="Behind one reverse proxy that sets X-Forwarded-For/-Proto/-Host/-Port/-Prefix: use them for "
                   "the client's address and the page's own links (https). Only when clients reach the server "
                   "through that proxy alone.")
@_backend_options
def serve(host, port, index, threads, workers, trusted_proxy, backend, url):
    """Serve the search page with the waitress WSGI server, one process per core.

    Example: arshif serve --port 8080
    """
    from web import create_app, server

    try:
        kind = backends.check(backend, url)
    except backends.BackendChoiceError as exc:
        raise click.ClickException(str(exc)) from None
    settings = {"INDEX_DIR": str(config.index_dir(index)), "TRUSTED_PROXY": trusted_proxy,
                "BACKEND": kind, "BACKEND_URL": config.backend_url(url)}
    if kind == "opensearch":
        settings["INDEX_DIR"] = config.opensearch_alias(index)
    app = create_app(settings)  # settings errors show here, before any process is started
    try:
        sock = server.listen(host, port)
    except OSError as exc:
        raise click.ClickException(f"Cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    workers = workers or server.default_workers()
    click.echo(f"Arshif on http://{host}:{port}/ (index: {backends.describe(kind, url, index)}; {workers} worker "
               f"process{'es' if workers > 1 else ''}); Ctrl-C stops it.")
    # waitress refuses an oversized body (413) before buffering it; the app sets the limit.
    server.serve(lambda: create_app(settings), sock, workers, threads,
                 body_limit=app.config.get("MAX_CONTENT_LENGTH") or 16 * 1024, trusted_proxy=trusted_proxy)


_PASS_THROUGH = {"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}


@cli.command(context_settings=_PASS_THROUGH)
@click.pass_context
def evaluate(ctx):
    """Score relevance against ../shared/eval (MRR@10, nDCG@10, R@100); `--help` lists options.

    Example: arshif evaluate --sets arcd --systems arshif,lucene
    """
    main = _extra("bench.evaluate", "ir_measures")
    sys.exit(main(ctx.args))


@cli.command(context_settings=_PASS_THROUGH)
@click.pass_context
def bench(ctx):
    """Benchmark reindex, query latency and the web server against stock Whoosh and Lucene.

    Example: arshif bench --quick
    """
    main = _extra("bench.speed", "ir_measures")
    sys.exit(main(ctx.args))


def _extra(module: str, needs: str):
    """The ``main`` of a module of the ``eval`` extra; without the extra, what to install."""
    import importlib
    import importlib.util

    if importlib.util.find_spec(needs) is None:
        raise click.ClickException(f"This command needs the evaluation extra ({needs} is not installed). "
                                   "Install it with: pip install -e '.[eval]'")
    return importlib.import_module(module).main


if __name__ == "__main__":
    cli()
