"""ChatRoutes: conversation branching for LLMs.

The Python SDK lives at the top level of this package (a later release); the
self-hostable server is `chatroutes.server`, installed with the `server` extra.
"""

__version__ = "0.3.0"
