#!/usr/bin/env python3
"""Point action.yml at a published image: `image: Dockerfile` -> `image: docker://IMAGE:TAG`.

Run by the release workflow on the release commit only; `main` keeps building from the
Dockerfile so that `uses: ./` and `@main` test unreleased changes.
Usage: pin_action_image.py ACTION_YML IMAGE VERSION
"""

from __future__ import annotations

import re
import sys
from pathlib import Path


def pin(text: str, image: str, version: str) -> str:
    """The action metadata with its image pinned; an error if it does not build the Dockerfile."""
    if not re.fullmatch(r"\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?", version):
        raise ValueError(f"not a release version: {version!r}")
    pattern = re.compile(r"^(  image: )['\"]?Dockerfile['\"]?\s*$", re.MULTILINE)
    if len(pattern.findall(text)) != 1:
        raise ValueError("action.yml does not run `image: Dockerfile` exactly once")
    return pattern.sub(lambda m: f"{m.group(1)}docker://{image.lower()}:{version}", text)


def main(argv: list[str]) -> int:
    path, image, version = Path(argv[0]), argv[1], argv[2]
    path.write_text(pin(path.read_text(), image, version))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
