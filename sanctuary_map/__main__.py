"""``python -m sanctuary_map``: see :mod:`sanctuary_map.cli`."""
import sys

from .cli import main

sys.exit(main())
