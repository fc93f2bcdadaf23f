"""The API's resources, each a sync class and its async twin.

The official SDK's class names (``ConversationsResource``…) are kept as aliases.
"""

from .autobranch import AsyncAutoBranch, AutoBranch
from .branches import AsyncBranches, Branches
from .checkpoints import AsyncCheckpoints, Checkpoints
from .conversations import AsyncConversations, Conversations
from .messages import AsyncMessages, Messages
from .parallel import AsyncParallelResponses, ParallelResponses
from .usage import (
    AsyncBillingResource,
    AsyncModels,
    AsyncPlans,
    AsyncUsage,
    BillingResource,
    Models,
    Plans,
    Usage,
)
from .webhooks import AsyncWebhooks, Webhooks

ConversationsResource = Conversations
MessagesResource = Messages
BranchesResource = Branches
CheckpointsResource = Checkpoints
AutoBranchResource = AutoBranch

__all__ = [
    "AsyncAutoBranch",
    "AsyncBillingResource",
    "AsyncBranches",
    "AsyncCheckpoints",
    "AsyncConversations",
    "AsyncMessages",
    "AsyncModels",
    "AsyncParallelResponses",
    "AsyncPlans",
    "AsyncUsage",
    "AsyncWebhooks",
    "AutoBranch",
    "AutoBranchResource",
    "BillingResource",
    "Branches",
    "BranchesResource",
    "Checkpoints",
    "CheckpointsResource",
    "Conversations",
    "ConversationsResource",
    "Messages",
    "MessagesResource",
    "Models",
    "ParallelResponses",
    "Plans",
    "Usage",
    "Webhooks",
]
