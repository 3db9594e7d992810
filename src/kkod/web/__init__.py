"""The web front doors: FastAPI apps that parse a request, call the domain, render the result.

What every app shares lives in ``shared`` (problem details, request limits, the access log,
request helpers, the pages' frame); each app has its own subpackage (``central``: the central
system's HTTP API and Hivatali kapu pages). Nothing here holds domain logic.
"""
