"""Entry point of ``python -m core``.

The process ends right after the command: ``gc.freeze()`` spares the interpreter's last
cyclic-garbage pass over the millions of objects torch and transformers leave behind (half a second
of a search's exit on 2 cores). Exit handlers still run and modules are still torn down; commands
close their files and connections themselves.
"""

import gc
import sys

from core.cli.main import main

code = main()
gc.freeze()
sys.exit(code)
