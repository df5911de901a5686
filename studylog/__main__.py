"""`python -m studylog`."""

from studylog.cli import main

main()
