"""The compiled kernels: every ``src/costmodel/native/*.c`` is built as the extension ``costmodel.native.<name>``.

Everything else about the package is in pyproject.toml. The kernels are optional: without a C compiler the
build goes on without them (``optional=True``) and :mod:`costmodel.native` falls back to the numpy code, which
is also the reference the kernels are tested against. A kernel in :data:`LEVELS` is built once per x86-64 level
instead (``costmodel.native.<name>_v3``, ``_v4``: GCC's ``-march=x86-64-v3``, AVX2, and ``-march=x86-64-v4``,
AVX-512), only on x86-64; its caller imports the one the processor runs (:mod:`costmodel.native.cpu`).
"""
import platform
from pathlib import Path

from setuptools import Extension, setup

NATIVE = Path("src/costmodel/native")
HEADERS = [h.as_posix() for h in sorted(NATIVE.glob("*.h"))]  # shared by the kernels (MANIFEST.in puts them in the sdist)
FLAGS = ["-O2", "-std=c99", "-ffp-contract=off"]  # no fused multiply-add: the same arithmetic as numpy
LEVELS = {"engine": ("v3", "v4")}  #: kernels written for SIMD registers, built per x86-64 level
X86_64 = platform.machine().lower() in ("x86_64", "amd64")


def extensions():
    for c in sorted(NATIVE.glob("*.c")):
        if c.stem not in LEVELS:
            yield Extension(f"costmodel.native.{c.stem}", [c.as_posix()], depends=HEADERS, optional=True, extra_compile_args=FLAGS)
        elif X86_64:
            for level in LEVELS[c.stem]:
                name = f"{c.stem}_{level}"
                yield Extension(f"costmodel.native.{name}", [c.as_posix()], depends=HEADERS, optional=True,
                                extra_compile_args=FLAGS + [f"-march=x86-64-{level}", f"-DMODULE={name}"])


setup(ext_modules=list(extensions()))
