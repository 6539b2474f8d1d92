"""`python build.py` does what `newsarchive build` does with the defaults (site.yaml beside this file)."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
try:
    import newsarchive  # noqa: F401  the installed package, with its C extension where it was built
except ImportError:  # a clone where the package is not installed: its sources, all in Python
    sys.path.insert(0, str(HERE / "src"))

from newsarchive.cli import run  # noqa: E402

if __name__ == "__main__":
    run(["--config", str(HERE / "site.yaml"), "build", *sys.argv[1:]])
