"""``python -m emotune ...`` is the same as the ``emotune`` command."""

import sys

from emotune.cli import main

sys.exit(main())
