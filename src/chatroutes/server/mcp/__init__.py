"""The MCP server: ChatRoutes' tools and resources for MCP clients (assistants, editors,
agents), over stdio (``chatroutes mcp``) and streamable HTTP (``/mcp``).

``tools`` holds the one implementation of every tool and resource, over the services;
``http`` and ``stdio`` only say who calls (the API key each way carries) and carry the
messages.
"""
