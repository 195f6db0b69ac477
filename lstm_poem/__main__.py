"""``python -m lstm_poem``: see :mod:`lstm_poem.cli`."""

import sys

from lstm_poem.cli import main

sys.exit(main())
