from __future__ import annotations

from deskterm.cli import main

raise SystemExit(main())
