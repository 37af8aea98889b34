"""`pip install --no-build-isolation .`: the ctview Python package (python/ctview/) with its compiled module,
built by CMake from this source tree (the viewer's own libraries; nothing is downloaded). Debian's setuptools
and wheel build it; scripts/setup installs what it needs (pybind11-dev, python3-dev, python3-numpy).

CTVIEW_BUILD_DIR: a CMake build folder of this tree to take the module from (built there if it is not yet),
instead of a fresh one in build-python/ (the tests use theirs: no second build).
"""
import os
import re
import shutil
import subprocess
import sys
import sysconfig

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))


def version():
    text = open(os.path.join(ROOT, "CMakeLists.txt"), encoding="utf-8").read()
    return re.search(r"project\(ctview VERSION ([0-9.]+)", text).group(1)


class CMakeBuild(build_ext):
    """Builds the `_ctview` target with CMake and puts the module where setuptools packs it."""

    def build_extension(self, ext):
        build = os.environ.get("CTVIEW_BUILD_DIR") or os.path.join(ROOT, "build-python")
        if not os.path.exists(os.path.join(build, "CMakeCache.txt")):
            subprocess.check_call(["cmake", "-S", ROOT, "-B", build, "-DCMAKE_BUILD_TYPE=Release",
                                   "-DCTVIEW_BUILD_TESTS=OFF", f"-DPython_EXECUTABLE={sys.executable}"])
        subprocess.check_call(["cmake", "--build", build, "--target", "_ctview", "-j", str(os.cpu_count() or 2)])
        package = os.path.join(build, "python", "ctview")
        # The module built for this Python (its ABI in the name): a build folder configured for another one
        # would install a module this Python cannot import.
        suffix = sysconfig.get_config_var("EXT_SUFFIX")
        built = [f for f in os.listdir(package) if f == "_ctview" + suffix]
        if not built:
            found = [f for f in os.listdir(package) if f.startswith("_ctview")]
            sys.exit(f"{package}: no _ctview{suffix} for {sys.executable} (found {found or 'none'}); "
                     f"build in a fresh folder, or configure {build} with -DPython_EXECUTABLE={sys.executable}")
        target = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(os.path.join(package, built[0]), target)


setup(
    name="ctview",
    version=version(),
    description="CT series as NumPy arrays in patient space: ctview's loader for Python",
    packages=["ctview"],
    package_dir={"": "python"},
    ext_modules=[Extension("ctview._ctview", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    python_requires=">=3.9",
    install_requires=["numpy"],
    zip_safe=False,
    # setuptools' own scratch in build-python/ too, not in build/ (the CMake build of scripts/run and test).
    options={"build": {"build_base": os.path.join("build-python", "setuptools")},
             "egg_info": {"egg_base": "build-python"}},
)
