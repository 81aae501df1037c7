"""An entailment judge on the LLM endpoint, for the claims the rule checks leave in doubt.

``[verify] judge = "llm"`` sends each REVIEW claim, once, with its best evidence sentences to the
``[llm]`` endpoint and asks for a JSON verdict. "supported" passes the claim, "not_supported"
fails it (it is then removed or the article held, by policy), anything else — "unclear", an
invalid answer, an error — leaves it in review. Hard-check failures never reach the judge: a
figure or a quote the sources do not have stays failed whatever a model says; and a claim with
content words no evidence accounts for stays in review even when the judge says "supported"
(``verify_article`` applies that rule). Judge tokens count against ``llm.max_tokens_per_run``
together with the writer's: once spent, the judge stops and says so.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ValidationError

from newsdesk.config import Settings
from newsdesk.infra.llm_endpoint import response_format
from newsdesk.records import Evidence
from newsdesk.verify.checks import FAIL, PASS


class JudgeAnswer(BaseModel):
    verdict: Literal["supported", "not_supported", "unclear"]


PROMPT = """Does the evidence support the claim? Judge only from the evidence, not from what you know.
Answer with JSON only: {{"verdict": "supported"}}, {{"verdict": "not_supported"}} or {{"verdict": "unclear"}}.

Claim: {claim}

Evidence:
{evidence}"""


class LLMJudge:
    def __init__(self, settings: Settings, tokens_spent: int = 0):
        import openai

        from newsdesk.infra.llm_endpoint import make_client

        self.settings = settings
        self._client = make_client(settings.llm, max_retries=settings.llm.max_retries)
        self._errors = (openai.OpenAIError,)
        self.calls = 0
        self.tokens = 0  # prompt + completion tokens of the judge's calls
        self.tokens_spent = tokens_spent  # the run's tokens before the judge (the writer's)
        self.errors: list[str] = []

    def judge(self, claim: str, evidence: list[Evidence]) -> str | None:
        s = self.settings.llm
        fmt = response_format(s, "verdict", JudgeAnswer)
        text = "\n".join(f"- {e.text}" for e in evidence) or "- (none)"
        budget = s.max_tokens_per_run
        if budget and self.tokens_spent + self.tokens >= budget:
            stop = f"entailment judge stopped: token budget spent ({self.tokens_spent + self.tokens:,} of llm.max_tokens_per_run = {budget:,})"
            if stop not in self.errors:
                self.errors.append(stop)
            return None
        self.calls += 1
        try:
            response = self._client.chat.completions.create(
                model=s.model,
                messages=[{"role": "user", "content": PROMPT.format(claim=claim, evidence=text)}],
                response_format=fmt,
                temperature=0,
                max_tokens=50,
            )
            usage = getattr(response, "usage", None)
            self.tokens += int(getattr(usage, "prompt_tokens", 0) or 0) + int(getattr(usage, "completion_tokens", 0) or 0)
            answer = JudgeAnswer.model_validate_json((response.choices[0].message.content or "").strip())
        except ValidationError:
            return None
        except self._errors as exc:
            if len(self.errors) < 5:
                self.errors.append(f"entailment judge: {type(exc).__name__}: {str(exc)[:160]}")
            return None
        return {"supported": PASS, "not_supported": FAIL}.get(answer.verdict)
