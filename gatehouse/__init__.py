"""Gatehouse: the gateway around the handlers (app factory, settings, security, errors, CLI).

The app factory is `gatehouse.app.create_app(settings)`.
"""

import warnings

# Connexion imports Starlette's test client, which warns about httpx on every start.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
