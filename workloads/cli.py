"""``pygym workload ...`` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="Convert traces, synthesise arrivals, inspect workload files.", no_args_is_help=True)
