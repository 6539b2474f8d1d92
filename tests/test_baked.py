"""baked: interface strings and site settings written into compiled templates, the same pages either way."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from jinja2 import Environment, UndefinedError
from markupsafe import Markup, escape

from newsarchive.baked import escape_text
from newsarchive.config import default_config
from newsarchive.render import make_environment, ui_strings


def environment(tmp_path: Path, templates: dict[str, str], compiled: Path | None = None, **settings: str):
    folder = tmp_path / "templates"
    folder.mkdir(exist_ok=True)
    for name, source in templates.items():
        (folder / name).write_text(source, "utf-8")
    config = dataclasses.replace(default_config(tmp_path), **settings)
    env = make_environment(config, compiled)
    return env, config


def render(env, config, name: str, **context) -> str:
    return env.get_template(name).render(t=ui_strings(config.language), site=config, **context)


def code_of(env, name: str) -> str:
    source, filename, _ = env.loader.get_source(env, name)
    return env.compile(source, name, filename, raw=True)


def test_strings_and_settings_are_text_in_the_compiled_code(tmp_path: Path) -> None:
    env, config = environment(tmp_path, {"page.html": "<a>{{ t.nav_home }}</a><h1>{{ site.title }}</h1>"},
                              title="Tin <b>& bài</b>")
    code = code_of(env, "page.html")
    assert "nav_home" not in code and "'title'" not in code
    home = ui_strings(config.language)["nav_home"]
    assert render(env, config, "page.html") == f"<a>{home}</a><h1>Tin &lt;b&gt;&amp; bài&lt;/b&gt;</h1>"


def test_text_templates_are_not_escaped(tmp_path: Path) -> None:
    env, config = environment(tmp_path, {"robots.txt": "# {{ site.title }}"}, title="A & B")
    assert render(env, config, "robots.txt") == "# A & B"


def test_a_template_that_binds_the_name_keeps_its_own_values(tmp_path: Path) -> None:
    env, config = environment(tmp_path, {
        "loop.html": "{% for t in items %}{{ t.nav_home }};{% endfor %}",
        "macro.html": "{% macro show(t) %}{{ t.nav_home }}{% endmacro %}{{ show(item) }}",
        "set.html": "{% set site = item %}{{ site.title }}",
    })
    item = {"nav_home": "<x>", "title": "own"}
    assert render(env, config, "loop.html", items=[item, item]) == "&lt;x&gt;;&lt;x&gt;;"
    assert render(env, config, "macro.html", item=item) == "&lt;x&gt;"
    assert render(env, config, "set.html", item=item) == "own"
    assert "nav_home" in code_of(env, "loop.html")


def test_other_expressions_are_evaluated_as_before(tmp_path: Path) -> None:
    env, config = environment(tmp_path, {
        "filtered.html": "{{ t.nav_home | upper }}|{{ t['nav_home'] }}|{{ t.page_of.format(n=1, total=2) }}",
        "missing.html": "{{ t.no_such_string }}",
    })
    strings = ui_strings(config.language)
    assert render(env, config, "filtered.html") == "|".join(
        (strings["nav_home"].upper(), strings["nav_home"], strings["page_of"].format(n=1, total=2)))
    with pytest.raises(UndefinedError, match="no_such_string"):
        render(env, config, "missing.html")


def test_compiled_code_kept_between_builds_follows_changed_settings(tmp_path: Path) -> None:
    compiled = tmp_path / "compiled"
    env, config = environment(tmp_path, {"page.html": "{{ site.title }}"}, compiled, title="Before")
    assert render(env, config, "page.html") == "Before"
    assert any(compiled.iterdir())
    env, config = environment(tmp_path, {"page.html": "{{ site.title }}"}, compiled, title="After")
    assert render(env, config, "page.html") == "After"


@pytest.mark.parametrize("value", ["Hà Nội", "", "<b>&'\"", "a & b", Markup("<i>x</i>"), 12, 1.5, None, [1, "<"]])
def test_escape_text_is_markupsafe_escape_as_text(value) -> None:
    assert escape_text(value) == str(escape(value))


def test_pages_read_the_same_as_with_jinja_own_escape(tmp_path: Path) -> None:
    source = ("{% macro box(x) %}<b>{{ x }}</b>{% endmacro %}{% set kept %}<i>{{ title }}</i>{% endset %}"
              "{{ title }}|{{ box(title) }}|{{ kept }}|{{ count }}|{{ safe }}|{{ title ~ '&' }}|"
              "{% autoescape false %}{{ title }}{% endautoescape %}|{% filter upper %}{{ title }}{% endfilter %}")
    env, config = environment(tmp_path, {"page.html": source})
    stock = Environment(autoescape=True)
    context = {"title": "Tin <b>\"mới\"</b> & 'cũ'", "count": 3, "safe": Markup("<br>")}
    assert env.get_template("page.html").render(**context) == stock.from_string(source).render(**context)
    assert env.get_template("page.html").root_render_func.__globals__["escape"] is escape_text


def test_an_undefined_output_fails_as_before(tmp_path: Path) -> None:
    env, config = environment(tmp_path, {"page.html": "{{ nothing_here }}"})
    with pytest.raises(UndefinedError, match="nothing_here"):
        env.get_template("page.html").render()
