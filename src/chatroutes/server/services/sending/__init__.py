"""The send pipeline: every way a message is sent (the FastAPI routes, the plain-ASGI
fast path, parallel responses, the Chat API) goes through ``SendPipeline``.

A send runs in two short transactions around the provider call, so no database lock is
held while a model thinks:

1. admission → question (``admission.py``, ``question.py``): for a caller known by its
   API key, authenticating and admitting it; checking the limits; taking the branch's
   generation lease, storing the user message, moving the head, preparing the provider
   request from the path, reserving the reply's tokens. One transaction when the
   counters can join it (in the database), else the counts are steps of their own;
2. the provider call (``provider_call.py``): routes with fallbacks, retries, circuit
   breakers, one deadline; no transaction;
3. reply → settlement (``reply.py``): the reply stored, the head moved, the lease
   released and the reservation settled to the usage.

A provider failure keeps the user message (nothing a user wrote is lost) and releases
the lease; re-sending the same text resumes from it instead of storing it twice.

A send whose context its caller gives whole (``GivenContext``: OpenAI's Chat
Completions, ``given.py``) is a mode of the same pipeline: admission and reservations
(one transaction for a key), the same provider call, and a settlement that charges the
usage ledger, or stores the exchange as a new conversation when it is to be kept; no
conversation is read and no lease taken, so step 1 stores nothing and step 3 only what
is kept.

Only the last commit waits for the disk: the first is committed (a crash of the process
loses nothing) but not flushed, and the reply's flush takes it along, as the lease's
release does after a failure. Until then the question has not been acknowledged: a power
cut in between loses a request its client never saw answered.
"""

from .given import GivenResult
from .pipeline import SendPipeline
from .prepared import (
    Call,
    GivenContext,
    KeyCredential,
    Prepared,
    Sender,
    SendResult,
    SendTarget,
    budget_hold,
    clamp_to_reservation,
    elapsed_since,
    reply_meta,
)
from .provider_call import partial_completion, reportable
from .question import BUSY_RETRY_AFTER_SECONDS, check_length

__all__ = [
    "BUSY_RETRY_AFTER_SECONDS",
    "Call",
    "GivenContext",
    "GivenResult",
    "KeyCredential",
    "Prepared",
    "SendPipeline",
    "SendResult",
    "SendTarget",
    "Sender",
    "budget_hold",
    "check_length",
    "clamp_to_reservation",
    "elapsed_since",
    "partial_completion",
    "reply_meta",
    "reportable",
]
