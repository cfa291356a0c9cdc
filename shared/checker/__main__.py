"""`python -m shared.checker ...`, the same as the `liveperson-check` console script."""

from shared.checker.cli import main

raise SystemExit(main())
