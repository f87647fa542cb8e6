"""``python -m bench``: see ``bench/cli.py`` for the options."""
import sys

from bench.cli import main

sys.exit(main())
