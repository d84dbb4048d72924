"""The compiled kernels: every ``src/costmodel/native/*.c`` is built as the extension ``costmodel.native.<name>``.

Everything else about the package is in pyproject.toml. The kernels are optional: without a C compiler the
build goes on without them (``optional=True``) and :mod:`costmodel.native` falls back to the numpy code, which
is also the reference the kernels are tested against.
"""
from pathlib import Path

from setuptools import Extension, setup

NATIVE = Path("src/costmodel/native")
HEADERS = [h.as_posix() for h in sorted(NATIVE.glob("*.h"))]  # shared by the kernels (MANIFEST.in puts them in the sdist)
setup(ext_modules=[Extension(f"costmodel.native.{c.stem}", [c.as_posix()], depends=HEADERS, optional=True,
                             extra_compile_args=["-O2", "-std=c99", "-ffp-contract=off"])
                   for c in sorted(NATIVE.glob("*.c"))])
