"""The wire shapes of the OpenAI-compatible surface at ``/v1``, as OpenAI defines them."""
