"""The web front doors: FastAPI apps that parse a request, call the domain, render the result.

What every app shares lives here (problem details, request limits, the access log, request
helpers); each app has its own subpackage (``central``: the central system's HTTP API).
Nothing here holds domain logic.
"""
