"""``python -m leachsim`` is the ``leachsim`` command."""
import sys

from .cli import main

sys.exit(main())
