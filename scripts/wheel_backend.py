"""PEP 517 build backend of pyproject.toml: OCA's whool, on a staged copy.

whool names the wheel after the folder it builds in (odoo-addon-<folder>) and
packs every git-tracked file. A checkout may be named anything and holds
tooling that is not the addon, so this backend copies the addon's files into a
temporary folder named orestapi_oauth2 and lets whool build there:

* the wheel (``pip wheel``, ``pip install``) gets the git-tracked files less
  TOOLING, under odoo/addons/orestapi_oauth2;
* the sdist gets every git-tracked file, this backend included, so that it
  builds the same wheel;
* the version is whool's, computed on the checkout itself (the manifest's
  version, plus OCA's git post-version when commits followed it), after the
  Odoo series it is built for: the manifest's version has none, since one
  checkout serves every supported series.

The series is the build setting ``odoo_series`` (``pip wheel . --config-settings
odoo_series=19.0``), else ORESTAPI_ODOO_SERIES, else that of the Odoo the
building Python imports, the one the wheel is installed beside. The wheel then
requires ``odoo==<series>.*``.

A PKG-INFO with the name and the version in the staged copy tells whool both
(as it does in an sdist); whool leaves it out of the wheel.
"""

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from email.parser import HeaderParser
from pathlib import Path

from manifestoo_core.metadata import metadata_from_addon_dir
from whool import buildapi
from whool.utils import load_pyproject_toml

ADDON = "orestapi_oauth2"
DISTRIBUTION = "odoo-addon-" + ADDON

# Top-level entries of the repository that are tooling, not the addon: CI and
# lint configuration, command-line scripts (races, benchmark, packaging), node
# files and packaging metadata. Every other top-level entry starting with a dot
# is left out too. pyproject.toml is staged in any case, for its [tool.whool]
# options, and whool leaves it out of the wheel.
TOOLING = {
    "scripts",
    "node_modules",
    "package.json",
    "package-lock.json",
    "requirements.txt",
    "requirements-lint.txt",
    "PKG-INFO",
    "build",
    "dist",
}


def is_tooling(path):
    top = Path(path).parts[0]
    return top in TOOLING or top.startswith(".")


def _source_files(source):
    """Relative paths of the files to build from, like whool: the git-tracked
    ones in a checkout, every file in an unpacked sdist."""
    if not (source / "PKG-INFO").is_file():
        try:
            listed = subprocess.run(
                ["git", "ls-files", "-z"],
                cwd=source,
                capture_output=True,
                check=True,
                text=True,
            ).stdout
        except (OSError, subprocess.CalledProcessError) as error:
            raise buildapi.WhoolException(
                f"{source} is not a git checkout: build from a clone, or from "
                "the sdist"
            ) from error
        # a tracked file deleted in the work tree is not built
        return [name for name in listed.split("\0") if (source / name).is_file()]
    return [
        str(path.relative_to(source))
        for path in sorted(source.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    ]


def _installed_odoo_series():
    """The series of the Odoo that this Python imports outside the build's
    isolated environment, or None."""
    # pip isolates a build through PYTHONPATH and a site customization
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    try:
        return subprocess.run(
            [sys.executable, "-c", "import odoo.release; print(odoo.release.serie)"],
            capture_output=True,
            check=True,
            text=True,
            env=env,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def _odoo_series(config_settings):
    series = (
        (config_settings or {}).get("odoo_series")
        or os.environ.get("ORESTAPI_ODOO_SERIES")
        or _installed_odoo_series()
    )
    if not series or not re.fullmatch(r"\d+\.0", series):
        raise buildapi.WhoolException(
            "say which Odoo series to build for: pip wheel . --config-settings "
            "odoo_series=18.0 (or 19.0), or ORESTAPI_ODOO_SERIES=18.0, or build "
            "with the Python that imports Odoo"
        )
    return series


def _series_and_version(source, config_settings):
    pkg_info = source / "PKG-INFO"
    if pkg_info.is_file():
        with open(pkg_info, encoding="utf-8") as file:
            version = HeaderParser().parse(file)["Version"]
        return ".".join(version.split(".")[:2]), version
    series = _odoo_series(config_settings)
    options = load_pyproject_toml(source).get("tool", {}).get("whool", {})
    options = dict(options, odoo_series_override=series)
    return series, f"{series}.{metadata_from_addon_dir(source, options)['Version']}"


@contextlib.contextmanager
def _staged(with_tooling, config_settings):
    """Copy the addon of the current directory (where the build frontend runs
    the backend) to a temporary folder named ADDON, and work there."""
    source = Path.cwd()
    series, version = _series_and_version(source, config_settings)
    with tempfile.TemporaryDirectory(prefix=ADDON + "-build-") as tmp:
        staged = Path(tmp) / ADDON
        staged.mkdir()
        for name in _source_files(source):
            if name == "PKG-INFO" or (not with_tooling and is_tooling(name)):
                continue
            target = staged / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / name, target)
        # the build configuration pip read, for its [tool.whool] options,
        # and the series the wheel is for
        pyproject = (source / "pyproject.toml").read_text(encoding="utf-8")
        (staged / "pyproject.toml").write_text(
            pyproject.replace(
                "[tool.whool]\n",
                f'[tool.whool]\nodoo_series_override = "{series}"\n',
            ),
            encoding="utf-8",
        )
        (staged / "PKG-INFO").write_text(
            f"Metadata-Version: 2.1\nName: {DISTRIBUTION}\nVersion: {version}\n",
            encoding="utf-8",
        )
        os.chdir(staged)
        try:
            yield
        finally:
            os.chdir(source)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    wheel_directory = os.path.abspath(wheel_directory)
    with _staged(with_tooling=False, config_settings=config_settings):
        return buildapi.build_wheel(wheel_directory, config_settings)


def build_sdist(sdist_directory, config_settings=None):
    sdist_directory = os.path.abspath(sdist_directory)
    with _staged(with_tooling=True, config_settings=config_settings):
        return buildapi.build_sdist(sdist_directory, config_settings)
