"""`python build.py` does what `newsarchive build` does with the defaults (site.yaml beside this file)."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "src"))  # also works from a clone where the package is not installed

from newsarchive.cli import run  # noqa: E402

if __name__ == "__main__":
    run(["--config", str(HERE / "site.yaml"), "build", *sys.argv[1:]])
