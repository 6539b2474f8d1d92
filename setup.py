"""The C extension; everything else is in pyproject.toml. It is optional: where it cannot be built
(no C compiler or no Python headers) the package works the same, with the analysis in Python."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("newsarchive._analysis", ["src/newsarchive/_analysis.c"], optional=True)])
