"""extract: one raw scraped article -> one Record, every value with its evidence.

The order matters only where one extractor needs another's result: places need the
publication date to know which map (63 provinces or 34) the article was written against.
"""

from __future__ import annotations

from pathlib import Path

from .clean import clean
from .dates import find_published, infer_period
from .decode import decode_seed
from .directives import find_directives
from .metrics import find_metrics
from .people import find_people
from .places import find_places
from .records import Record
from .text import slugify


def extract(raw: str, source: str) -> Record:
    article = clean(raw, source)
    texts = article.paragraphs
    published, published_evidence = find_published(article)
    places = find_places(article.title, article.section, texts, published, article.source_tag)
    directives, local_documents = find_directives(article.title, texts)
    return Record(
        source=source,
        title=article.title,
        slug=slugify(article.title),
        published=published,
        published_evidence=published_evidence,
        period=None if published else infer_period(texts),
        province=places.province,
        province_current=places.province_current,
        province_evidence=places.province_evidence,
        district=places.district,
        district_evidence=places.district_evidence,
        commune=places.commune,
        commune_evidence=places.commune_evidence,
        localities=places.localities,
        directives=directives,
        local_documents=local_documents,
        metrics=find_metrics(texts),
        people=find_people(texts),
        byline=article.byline,
        source_tag=article.source_tag,
        section=article.section,
        subheadings=[b.text for b in article.blocks if b.kind == "subheading"],
        captions=[b.text for b in article.blocks if b.kind == "caption"],
        removed=[f"{r.line}: {r.text} ({r.reason})" for r in article.removed],
        body=article.body_markdown(),
    )


def extract_file(path: Path, root: Path | None = None) -> Record:
    """Extract a seed file; `source` is its path relative to the project root when inside it.

    Raises problems.InputError when the bytes cannot be read as text.
    """
    raw = decode_seed(path)
    source = path.as_posix()
    if root is not None:
        try:
            source = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return extract(raw, source)
