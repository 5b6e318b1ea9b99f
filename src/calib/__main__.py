"""``python -m calib`` runs the command line."""
import sys

from calib.cli import main

sys.exit(main())
