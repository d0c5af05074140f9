"""`python -m robotest` is the `rtest` command."""

from robotest.cli import main

main()
