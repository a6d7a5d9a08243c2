"""Builds the C++ module `otae` with CMake for the interpreter that runs pip, and puts it, with its
type stubs, beside the pure-Python `otae_report` in the wheel (the metadata is pyproject.toml).

OTAE_CMAKE_BUILD_DIR=DIR reuses a configured build folder (e.g. build/ of scripts/build.sh) instead
of build/pip; CMAKE_ARGS adds arguments to its configuration; the compile uses every core."""
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

SOURCE = Path(__file__).resolve().parent


class CMakeModule(build_ext):
    def build_extension(self, ext):
        build_dir = Path(os.environ.get("OTAE_CMAKE_BUILD_DIR") or SOURCE / "build" / "pip")
        if not (build_dir / "CMakeCache.txt").exists():
            self._run(["cmake", "-S", str(SOURCE), "-B", str(build_dir), "-DCMAKE_BUILD_TYPE=Release",
                       "-DOTAE_BUILD_TESTS=OFF", "-DOTAE_BUILD_BENCHMARKS=OFF",
                       f"-DPython_EXECUTABLE={sys.executable}"]
                      + (["-G", "Ninja"] if shutil.which("ninja") else [])
                      + shlex.split(os.environ.get("CMAKE_ARGS", "")))
        self._run(["cmake", "--build", str(build_dir), "--target", "otae_python", "-j", str(os.cpu_count() or 1)])
        suffix = sysconfig.get_config_var("EXT_SUFFIX")
        built = build_dir / "python" / f"otae{suffix}"
        if not built.exists():
            sys.exit(f"setup.py: CMake built no {built.name} in {built.parent} (was that build folder configured "
                     f"for another Python than {sys.executable}?)")
        target = Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, target)
        stub = SOURCE / "python" / "otae.pyi"
        if stub.resolve() != (target.parent / "otae.pyi").resolve():  # pip install -e builds in place
            shutil.copyfile(stub, target.parent / "otae.pyi")

    @staticmethod
    def _run(command):
        print("setup.py:", " ".join(command), flush=True)
        subprocess.run(command, check=True)


setup(ext_modules=[Extension("otae", sources=[])], cmdclass={"build_ext": CMakeModule},
      options={"build": {"build_base": str(SOURCE / "build" / "setuptools")}})  # build/ is CMake's
