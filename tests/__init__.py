"""The test suite; a package so that `tests.emulator` can be imported (and run with -m)."""
