"""`python -m checker` runs the same command line as `backup-drift`."""

from checker.cli import main

main()
