"""``linli serve``: the web server."""

from __future__ import annotations

import typer

from linli.cli.common import runtime


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: str = typer.Option(None, help="Address to listen on (LINLI_HOST, default 127.0.0.1)"),
        port: int = typer.Option(None, help="Port (LINLI_PORT or PORT, default 8000)"),
        workers: int = typer.Option(1, min=1, max=64, help="Worker processes"),
    ) -> None:
        """Serve the pages and the API."""
        import os

        import uvicorn

        settings = runtime().settings
        port = port or int(os.environ.get("PORT", settings.port))
        uvicorn.run(
            "linli.app:create_app",
            factory=True,
            host=host or settings.host,
            port=port,
            workers=workers,
            log_level="info",
        )
