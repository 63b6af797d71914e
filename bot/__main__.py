"""`python -m bot` is the `daqiao` command."""

import sys

from bot.cli import main

sys.exit(main())
