"""The OpenAI-compatible surface at ``/v1``: OpenAI's paths, bodies and errors over the
same accounts, keys, limits, usage and send pipeline as ``/api/v1``.

Callers authenticate as everywhere (``Authorization: Bearer <API key or session
token>``, ``deps.current_principal``: admitted, counted, RateLimit headers); every error
under ``/v1``, a request's validation, an unknown path or method included, is rendered
in OpenAI's shape (``api/envelope.py`` ``error_response_at``).
"""

from fastapi import APIRouter

from ..envelope import OPENAI_PREFIX
from . import chat, conversations, models, responses

openai_router = APIRouter(prefix=OPENAI_PREFIX)
for module in (models, chat, responses, conversations):
    openai_router.include_router(module.router)
