"""site.yaml: every option declared once with its type, default and meaning.

Unknown keys and wrong types are errors that name the key and the line, so a typo never
silently falls back to a default.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from .problems import InputError

FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is ~10x faster when present


def package_yaml(text: str) -> Any:
    """A data file shipped with the package (catalogue, regions, strings), read by the fastest safe loader."""
    return yaml.load(text, Loader=FAST_LOADER)  # a safe loader, in C


@dataclass(frozen=True)
class Option:
    name: str
    type: type | tuple[type, ...]
    default: Any
    doc: str


OPTIONS: tuple[Option, ...] = (
    Option("title", str, "Lưu trữ tin bài học tập và làm theo Bác", "Site title, shown in every page header and feed."),
    Option("description", str, "Tin bài địa phương về việc học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh.",
           "One-sentence description for the home page, feeds and Open Graph."),
    Option("base_url", str, "", "Public URL of the site root, e.g. https://example.org/luu-tru/. Empty: no canonical "
           "URLs, and feeds/sitemap use relative links. Pages always link relatively."),
    Option("language", str, "vi", "UI language: vi or en (strings/<language>.yaml)."),
    Option("seeds_dir", str, "seeds", "Raw scraped articles (*.txt) that `newsarchive ingest` reads."),
    Option("articles_dir", str, "articles", "The curated records (*.md) that `newsarchive build` reads."),
    Option("output_dir", str, "site", "Where the site is written. Replaced only when a build succeeds."),
    Option("templates_dir", str, "templates", "Jinja2 templates."),
    Option("static_dir", str, "static", "Files copied to the site as they are (CSS, JS, icons)."),
    Option("page_size", int, 20, "Articles per listing page before it paginates."),
    Option("feed_size", int, 50, "Entries per Atom feed (newest first)."),
)

_BY_NAME = {o.name: o for o in OPTIONS}


@dataclass(frozen=True)
class SiteConfig:
    title: str
    description: str
    base_url: str
    language: str
    seeds_dir: str
    articles_dir: str
    output_dir: str
    templates_dir: str
    static_dir: str
    page_size: int
    feed_size: int
    root: Path = field(default=Path("."))  # folder of site.yaml; relative dirs resolve against it

    def path(self, name: str) -> Path:
        """An option that names a folder, resolved against the project root."""
        return (self.root / getattr(self, name)).resolve()


def default_config(root: Path = Path(".")) -> SiteConfig:
    return SiteConfig(root=root, **{o.name: o.default for o in OPTIONS})


def load_config(path: Path) -> SiteConfig:
    """Read site.yaml; a missing file means every default."""
    root = path.parent
    if not path.exists():
        return default_config(root)
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except (UnicodeDecodeError, yaml.YAMLError) as err:
        line = getattr(getattr(err, "problem_mark", None), "line", None)
        raise InputError(path, f"site.yaml is not valid YAML ({err}). Fix the syntax.",
                         line + 1 if line is not None else None) from err
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(path, "site.yaml must be a mapping of option: value.")
    lines = _key_lines(text)
    values: dict[str, Any] = {}
    for key, value in data.items():
        option = _BY_NAME.get(key)
        if option is None:
            known = ", ".join(sorted(_BY_NAME))
            raise InputError(path, f"unknown option '{key}'. Known options: {known}.", lines.get(str(key)))
        if isinstance(value, bool) or not isinstance(value, option.type):
            raise InputError(path, f"option '{key}' must be {_type_name(option.type)}, not {value!r}.",
                             lines.get(str(key)))
        values[key] = value
    merged = {o.name: values.get(o.name, o.default) for o in OPTIONS}
    if merged["page_size"] < 1 or merged["feed_size"] < 1:
        raise InputError(path, "page_size and feed_size must be at least 1.")
    if merged["language"] not in ("vi", "en"):
        raise InputError(path, f"language must be 'vi' or 'en', not {merged['language']!r}.", lines.get("language"))
    if merged["base_url"] and not merged["base_url"].endswith("/"):
        merged["base_url"] += "/"
    return SiteConfig(root=root, **merged)


def _type_name(t: type | tuple[type, ...]) -> str:
    return {str: "a string", int: "an integer"}.get(t, str(t))  # type: ignore[arg-type]


def _key_lines(text: str) -> dict[str, int]:
    """Line number (1-based) of each top-level key, for messages."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if line and not line[0].isspace() and ":" in line and not line.startswith("#"):
            lines.setdefault(line.split(":", 1)[0].strip(), number)
    return lines


def describe_options() -> str:
    """The documented defaults, as site.yaml text (used by README and `newsarchive init`)."""
    out = []
    for option in OPTIONS:
        out.append(f"# {option.doc}")
        out.append(yaml.safe_dump({option.name: option.default}, allow_unicode=True).strip())
        out.append("")
    return "\n".join(out)


assert {f.name for f in fields(SiteConfig)} - {"root"} == set(_BY_NAME)
