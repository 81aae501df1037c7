"""The one place that knows how to talk to the configured OpenAI-compatible endpoint ([llm]):
the client (key from the environment), and the structured-output request for a pydantic model.
Used by the LLM writer (write/llm.py) and the entailment judge (verify/judge.py)."""

from __future__ import annotations

import os
from typing import Any

from pydantic import BaseModel

from newsdesk.config import LLMSettings


def make_client(settings: LLMSettings, *, max_retries: int) -> Any:
    import openai

    key = os.environ.get(settings.api_key_env, "") if settings.api_key_env else ""
    # Local servers need no key, but the SDK insists on one: a placeholder, never a real secret.
    return openai.OpenAI(
        base_url=settings.base_url, api_key=key or "not-needed", timeout=settings.timeout, max_retries=max_retries
    )


def response_format(settings: LLMSettings, name: str, model: type[BaseModel]) -> dict[str, Any]:
    """Ask for JSON shaped like ``model`` in the dialect the server speaks (llm.response_format)."""
    if settings.response_format == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": name, "schema": model.model_json_schema(), "strict": False}}
    if settings.response_format == "json_object_schema":
        return {"type": "json_object", "schema": model.model_json_schema()}
    return {"type": "json_object"}
