"""The namer as an HTTP service: the GPU-hosted deployment of the tuned namer.

`journeys namer serve` runs this app. It speaks the OpenAI completions API
(`POST /v1/completions`, `GET /v1/models`), so the remote namer can equally talk to any
server with that API that hosts the same model (vLLM, for one, serving the base model with
the adapter merged in). The service only completes prompts; the client builds the prompt
(`journeys.naming.training.tuned_prompt`) and applies the naming rules, so every host gives
the same names.

Requests are completed one batch at a time (a lock guards the model); a request's prompts
are split into batches of `batch_size`.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

from journeys.naming.backends import MAX_BEAMS
from journeys.naming.language_model import LanguageModel

# The model name the service answers to (clients send it; vLLM hosts use their own).
SERVED_MODEL = "journeys-namer"
# Upper bounds that keep one request from occupying the model for minutes.
# MAX_CANDIDATES is the clients' widest search, so that every search a client makes is answered.
MAX_PROMPTS, MAX_NEW_TOKENS, MAX_CANDIDATES = 256, 64, MAX_BEAMS


class CompletionRequest(BaseModel):
    """The subset of OpenAI's completions request the namer uses; other fields are ignored."""

    model: str = SERVED_MODEL
    prompt: str | list[str]
    max_tokens: int = Field(default=16, ge=1, le=MAX_NEW_TOKENS)
    temperature: float = 0.0
    # Generation ends at the first of these strings (which is cut from the text).
    stop: str | list[str] | None = None
    # Answers per prompt; more than one are the best beams (as vLLM's use_beam_search gives).
    n: int = Field(default=1, ge=1, le=MAX_CANDIDATES)
    use_beam_search: bool = False


def build_service(model: LanguageModel, batch_size: int = 16, model_name: str = SERVED_MODEL,
                  on_ready: Callable[[], None] | None = None) -> FastAPI:
    """The HTTP app completing prompts with `model` (greedy, or the n best beams); `on_ready` runs once it accepts requests."""

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if on_ready is not None:
            on_ready()
        yield

    app = FastAPI(title="Journeys namer", description=__doc__.split("\n")[0], lifespan=lifespan)
    lock = threading.Lock()

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "model": model_name, "device": model.device}

    @app.get("/v1/models")
    def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": model_name, "object": "model", "owned_by": "journeys"}]}

    @app.post("/v1/completions")
    def completions(request: CompletionRequest) -> dict[str, Any]:
        prompts = [request.prompt] if isinstance(request.prompt, str) else list(request.prompt)
        if not prompts or len(prompts) > MAX_PROMPTS:
            raise HTTPException(422, f"send between 1 and {MAX_PROMPTS} prompts per request, not {len(prompts)}")
        stop = [request.stop] if isinstance(request.stop, str) else list(request.stop or [])
        texts: list[str] = []
        with lock:
            for start in range(0, len(prompts), batch_size):
                batch = prompts[start:start + batch_size]
                if request.n == 1:
                    texts += model.complete(batch, request.max_tokens, stop)
                else:  # prompt-major: choice i*n+j is prompt i's j-th best beam
                    texts += [text for beams in model.candidates(batch, request.n, request.max_tokens, stop)
                              for text, _ in beams]
        prompt_tokens = sum(len(model.tokenizer(p)["input_ids"]) for p in prompts)
        completion_tokens = sum(len(model.tokenizer(t, add_special_tokens=False)["input_ids"]) for t in texts)
        return {
            "id": f"cmpl-{uuid.uuid4().hex}",
            "object": "text_completion",
            "created": int(time.time()),
            "model": model_name,
            "choices": [
                {"index": i, "text": text, "logprobs": None, "finish_reason": "stop"} for i, text in enumerate(texts)
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }

    return app


def serve(cache: Path, adapter: Path, device: str, host: str, port: int, batch_size: int = 16,
          on_ready: Callable[[], None] | None = None) -> None:
    """Load the tuned model on `device` and serve it until interrupted; `on_ready` runs once it listens."""
    import uvicorn

    from journeys.naming.language_model import load_tuned_model

    model = load_tuned_model(cache, adapter, device)
    app = build_service(model, batch_size, on_ready=on_ready)
    uvicorn.run(app, host=host, port=port, log_level="warning")
