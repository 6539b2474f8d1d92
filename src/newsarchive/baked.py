"""What makes a compiled template cheaper to render, with the same output.

Values that are the same on every page of a build are written into the compiled templates as text.
An article page shows some fifty interface strings and site settings (`{{ t.nav_home }}`,
`{{ site.title }}`). Looked up and escaped again on each of 10,000 pages, they took about 15% of
the time an article page takes. The environment's `baked` maps a name (`t`, `site`) to its values;
an output that is exactly `{{ name.attribute }}`, with an attribute that holds a string, becomes
that string (escaped where the template autoescapes) when the template is compiled. Anything else
(a filter, a call, a missing attribute) is left to the template to evaluate as before, so errors
read the same.

A template that may bind one of these names itself (`{% for t in ... %}`, a macro parameter `t`)
keeps that name unbaked: every use of it must be followed by `.` or `[` for it to be baked.

Each output of an autoescaping template (`{{ record.title }}`) is escaped as a str, not as Markup: see
TextEscapingTemplate.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache, Template
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from markupsafe import escape

from .cache import digest_bytes

_NEEDS_ESCAPE = re.compile("[&<>'\"]").search

# The tokens of `{{ name.attribute }}`.
_SHAPE = ["variable_begin", "name", "dot", "name", "variable_end"]


class BakedValues(Extension):
    def __init__(self, environment: Environment):
        super().__init__(environment)
        environment.extend(baked={})

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        tokens = list(stream)
        baked = {name: values for name, values in self.environment.baked.items()  # type: ignore[attr-defined]
                 if _only_read(tokens, name)}
        autoescape = self.environment.autoescape
        escaping = autoescape(stream.name) if callable(autoescape) else autoescape
        start = 0
        while start < len(tokens):
            token = tokens[start]
            value = None
            if token.type == "variable_begin":
                shape = tokens[start:start + len(_SHAPE)]
                if [t.type for t in shape] == _SHAPE and shape[1].value in baked:
                    value = baked[shape[1].value].get(shape[3].value)
            if isinstance(value, str):
                yield Token(token.lineno, "data", str(escape(value)) if escaping else value)
                start += len(_SHAPE)
            else:
                yield token
                start += 1


def _only_read(tokens: list[Token], name: str) -> bool:
    """Whether every use of `name` reads an attribute or item of it: then the template never binds it."""
    return all(following.type in ("dot", "lbracket")
               for token, following in zip(tokens, tokens[1:]) if token.type == "name" and token.value == name)


class CompiledTemplates(FileSystemBytecodeCache):
    """Compiled templates kept in a folder, each checked against its source and the values baked into it."""

    def __init__(self, folder: str, values: Mapping[str, Mapping[str, Any]]):
        super().__init__(folder)
        self.salt = digest_bytes(json.dumps(values, sort_keys=True, ensure_ascii=False).encode())

    def get_source_checksum(self, source: str) -> str:
        return super().get_source_checksum(self.salt + source)


def escape_text(value: Any) -> str:
    """The text of markupsafe.escape(value), not made a Markup: most texts on a page need no escape,
    and the Markup object escape makes of each cost more than the escape itself. A value with HTML
    of its own (Markup, a macro's output) gives that HTML."""
    if value.__class__ is str:
        return value if _NEEDS_ESCAPE(value) is None else str(escape(value))
    html = getattr(value, "__html__", None)
    return html() if html is not None else str(escape(value))  # an Undefined fails here as in escape


class TextEscapingTemplate(Template):
    """A template whose outputs are escaped by escape_text.

    Jinja's compiled code writes each output of an autoescaping template as `escape(value)`, a name
    it imports into the template's module, and joins what it yields into one str: a Markup made of
    each output was only joined. The name is set again in the module once it is made. Were Jinja
    to stop using that name, outputs would go back to its own escape: slower, the same text.
    """

    @classmethod
    def from_code(cls, environment: Environment, code: Any, globals: Any, uptodate: Any = None) -> Template:
        template = super().from_code(environment, code, globals, uptodate)
        template.root_render_func.__globals__["escape"] = escape_text  # the module's namespace
        return template
