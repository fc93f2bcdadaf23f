"""The browser UI's static files (see ``api/web.py``)."""
