"""``python -m lstm_poem``: see :mod:`lstm_poem.command_line.cli`."""

import sys

from lstm_poem.command_line.cli import main, silence_native_stderr

silence_native_stderr()
sys.exit(main())
