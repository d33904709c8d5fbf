#!/usr/bin/env python3
"""Validate the JPMG knowledge graph: ``python validate.py`` is ``jpmg validate``.

Works from a checkout without installing the package (the dependencies must be installed:
``pip install -e .`` does both).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from jpmg.cli import main

if __name__ == "__main__":
    sys.exit(main(["validate", *sys.argv[1:]]))
