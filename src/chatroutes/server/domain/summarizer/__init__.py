"""Checkpoint summaries: an offline extractive summarizer and the prompt for a model one.

A checkpoint stores a summary of a path up to its anchor; the next send gives the
model ``[system prompt, summary, messages after the anchor]``. Checkpoints are
chained: each summarizes the previous checkpoint's summary plus the messages since.

:func:`extractive_summary` (``extractive``) runs the stages in order: ``sentences``,
``facts``, ``units`` (a weighted candidate per sentence), ``questions`` (the open
ones), ``selection`` (greedy, within the budget) and ``layout`` (the text); its
weights are in ``tuning``. :func:`summary_prompt` (``prompt``) builds the messages
that ask a summarizer model for the same summary.
"""

from .extractive import extractive_summary
from .prompt import summary_prompt

__all__ = ["extractive_summary", "summary_prompt"]
