"""The `newsarchive` command. Each sub-command is a thin shell over one stage's module."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .config import SiteConfig, load_config
from .problems import InputError, Problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except InputError as err:
        print(err.problem, file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader stopped reading (`newsarchive check | head`): what it wanted it has. Point
        # standard output at nothing, or the interpreter's last flush fails again on the way out.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # what a shell reports for a command ended by SIGPIPE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsarchive",
        description="Turn scraped Vietnamese news articles into a browsable, searchable static archive.",
    )
    parser.add_argument("-c", "--config", type=Path, default=Path("site.yaml"),
                        help="site configuration file (default: site.yaml; a missing file means all defaults)")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command")

    ingest = commands.add_parser("ingest", help="extract records from seeds/*.txt into articles/*.md, keeping hand edits",
                                 description="Extract a record from every raw article in seeds/ and write articles/<slug>.md. "
                                             "Values an editor changed by hand are kept.")
    ingest.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    ingest.add_argument("--restore-deleted", action="store_true",
                        help="write again the articles an editor deleted (by default they stay deleted)")
    ingest.set_defaults(run=_ingest)

    build = commands.add_parser("build", help="render articles/*.md into the static site (site/)",
                                description="Load and validate articles/*.md and render the site. The previous site "
                                            "is replaced only when the build succeeds.")
    build.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    build.add_argument("-o", "--output", type=Path, help="output folder (default: output_dir of site.yaml)")
    build.set_defaults(run=_build)

    extract = commands.add_parser("extract", help="print the records extracted from raw article files",
                                  description="Extract records from raw article files without writing anything.")
    extract.add_argument("files", nargs="+", type=Path, metavar="FILE")
    extract.add_argument("--json", action="store_true", help="print a JSON list, one object per file")
    extract.set_defaults(run=_extract)

    evaluate = commands.add_parser("evaluate", help="score extraction against gold annotations (precision/recall per field)",
                                   description="Extract every seed named in the gold annotations and print per-field "
                                               "precision and recall.")
    evaluate.add_argument("gold", type=Path, metavar="GOLD", help="a gold folder (tests/data/gold) or one YAML file")
    evaluate.add_argument("--seeds", type=Path, help="folder of the raw files (default: seeds_dir of site.yaml)")
    evaluate.add_argument("--json", action="store_true", help="print the scores as JSON")
    evaluate.add_argument("-v", "--verbose", action="store_true", help="list every wrong or missing value")
    evaluate.set_defaults(run=_evaluate)

    check = commands.add_parser("check", help="list what an editor should review (no place, no date, duplicates...)",
                                description="A review list for editors. With --strict it exits 1 when anything is listed.")
    check.add_argument("--strict", action="store_true", help="exit 1 when the review list is not empty")
    check.set_defaults(run=_check)

    serve = commands.add_parser("serve", help="build, serve on 127.0.0.1, rebuild and reload on every change",
                                description="Live preview: watches seeds/, articles/, templates/, static/ and site.yaml.")
    serve.add_argument("-p", "--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (loopback only unless --allow-remote)")
    serve.add_argument("--allow-remote", action="store_true", help="allow binding a non-loopback address")
    serve.add_argument("--open", action="store_true", help="open the site in the default browser")
    serve.set_defaults(run=_serve)
    return parser


def _config(args: argparse.Namespace) -> SiteConfig:
    return load_config(args.config.resolve())


def _report(problems: Problems, strict: bool) -> int:
    for problem in problems.items:
        print(problem, file=sys.stderr)
    failed = bool(problems.errors) or (strict and bool(problems.warnings))
    if problems.items:
        print(f"{len(problems.errors)} error(s), {len(problems.warnings)} warning(s)"
              + (" — failing because of --strict" if strict and not problems.errors and failed else ""),
              file=sys.stderr)
    return 1 if failed else 0


def _ingest(args: argparse.Namespace) -> int:
    from .ingest import ingest

    config = _config(args)
    problems = Problems()
    report = ingest(config, problems, restore_deleted=args.restore_deleted)
    print(report.summary())
    return _report(problems, args.strict)


def _build(args: argparse.Namespace) -> int:
    from .build import build

    config = _config(args)
    started = time.perf_counter()
    try:
        report = build(config, args.output)
    except Exception as err:
        # Imported only now: a build with nothing to do never pays for Jinja (10 ms of its 170).
        from jinja2 import TemplateError, TemplateSyntaxError

        if not isinstance(err, TemplateError):
            raise
        where = (f"{err.filename}:{err.lineno}" if isinstance(err, TemplateSyntaxError) and err.filename
                 else config.path("templates_dir"))
        print(f"{where}: error: template error: {err.message or err}. Fix the template; the previous site "
              f"was left as it was.", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - started
    if report.notice:
        print(report.notice, file=sys.stderr)
    if report.unchanged:
        print(f"Nothing changed: {report.output_dir} is up to date ({report.articles} articles, {elapsed:.2f} s).")
    else:
        print(f"{report.articles} articles, {report.pages} pages in {report.output_dir}: {report.rendered} files "
              f"written, {report.reused} unchanged, in {elapsed:.2f} s")
    print(f"Open {report.output_dir / 'index.html'} in a browser, or publish the folder.")
    return _report(report.problems, args.strict)


def _extract(args: argparse.Namespace) -> int:
    from .decode import seed_warning
    from .extract import extract_file

    problems = Problems()
    records = []
    for path in args.files:
        try:
            records.append(extract_file(path, Path.cwd()))
        except InputError as err:
            problems.add(err.problem)
            continue
        warning = seed_warning(path)
        if warning:
            problems.warning(path, warning)
    if args.json:
        json.dump([r.to_dict() for r in records], sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for record in records:
            print(_summary(record))
    return _report(problems, strict=False)


def _summary(record) -> str:
    primary = record.primary_directive
    place = " › ".join(p for p in (record.province, record.district, record.commune) if p) or "—"
    return "\n".join([
        f"{record.source}: {record.title}",
        f"  ngày: {record.published or '—'}  nơi: {place}  chỉ thị: {primary.id if primary else '—'}",
        f"  {len(record.metrics)} số liệu, {len(record.people)} người, {len(record.localities)} địa danh",
    ])


def _evaluate(args: argparse.Namespace) -> int:
    from .evaluate import evaluate, format_scores

    config = _config(args)
    seeds = args.seeds or config.path("seeds_dir")
    scores = evaluate(args.gold, seeds, config.root)
    if args.json:
        json.dump(scores.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(format_scores(scores, verbose=args.verbose))
    return 0


def _check(args: argparse.Namespace) -> int:
    from .check import check, format_findings

    config = _config(args)
    problems = Problems()
    findings = check(config, problems)
    print(format_findings(findings))
    status = _report(problems, args.strict)
    return 1 if (args.strict and findings) else status


def _serve(args: argparse.Namespace) -> int:
    from .serve import serve

    config = _config(args)
    serve(config, host=args.host, port=args.port, open_browser=args.open, allow_remote=args.allow_remote,
          config_file=args.config.resolve())
    return 0


def run(argv: Sequence[str] | None = None) -> None:
    """The command's entry point: main(), then exit without the interpreter's teardown. Everything
    is written and closed by then; freeing a large archive object by object would only add a
    tenth of a second at 10,000 articles to every build."""
    code = main(argv)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe: nothing more can be said
        pass
    os._exit(code)


if __name__ == "__main__":
    run()
