"""``pygym topology ...`` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="Generate, inspect, route and plot edge topologies.", no_args_is_help=True)
