"""``python -m medmetrics``: the same command as ``medmetrics``."""

import sys

from medmetrics.cli import main

sys.exit(main())
