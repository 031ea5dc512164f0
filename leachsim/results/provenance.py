"""What produced a results file: package versions, platform, time."""
from __future__ import annotations

import datetime
import platform
import sys
from functools import lru_cache
from importlib import metadata


@lru_cache(maxsize=None)  # reading package metadata costs milliseconds; versions are fixed
def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def provenance() -> dict[str, str]:
    return {
        "leachsim": _version("leachsim"),
        "numba": _version("numba"),
        "numpy": _version("numpy"),
        "scipy": _version("scipy"),
        "h5py": _version("h5py"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
