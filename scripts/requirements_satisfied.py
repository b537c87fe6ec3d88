"""Exit 0 when python3 already has every requirement of the given pip
requirements files (``-r`` includes followed), 1 otherwise; prints the first
one missing. Used by scripts/requirements.sh to skip pip, and the network,
when nothing is missing."""

import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

try:
    from packaging.requirements import Requirement
except ImportError:  # pip always carries a copy
    from pip._vendor.packaging.requirements import Requirement


def requirement_lines(path):
    for line in Path(path).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith(("-r ", "--requirement ")):
            included = line.split(None, 1)[1].strip()
            yield from requirement_lines(Path(path).parent / included)
            continue
        yield line


def missing(paths):
    for path in paths:
        for line in requirement_lines(path):
            requirement = Requirement(line)
            if requirement.marker and not requirement.marker.evaluate():
                continue
            try:
                installed = version(requirement.name)
            except PackageNotFoundError:
                return f"{requirement} (not installed)"
            if not requirement.specifier.contains(installed, prereleases=True):
                return f"{requirement} ({installed} installed)"
    return None


if __name__ == "__main__":
    first = missing(sys.argv[1:])
    if first:
        print(first)
        sys.exit(1)
