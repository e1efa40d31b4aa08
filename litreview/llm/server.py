"""Any OpenAI-compatible endpoint (llama.cpp's llama-server, llama-cpp-python's server, vLLM, Ollama) as an Engine.

Structured output is requested the way the server understands it (``server_json_mode``):
``grammar`` (default) sends our own GBNF, control-character-safe and with exact integer ranges, in the
``grammar`` field that llama.cpp's llama-server and llama-cpp-python's server accept; ``json_object`` sends
``response_format={"type": "json_object", "schema": ...}`` (the server converts the schema itself; the OpenAI
"json_schema" form is silently ignored by llama-cpp-python 0.3.36); ``json_schema`` sends the OpenAI form (vLLM,
Ollama, hosted APIs). The answer is always parsed and validated here, whatever the server promised. Connection
failures and 5xx answers are retried with a growing pause; everything else becomes one readable LlmError.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

from litreview.jobs import CancelToken
from litreview.llm import structured
from litreview.llm.engine import Completion, Engine, OptionScores
from litreview.llm.errors import LlmError
from litreview.llm.settings import LlmSettings

JSON_MODES = ("json_object", "json_schema", "grammar")


class ServerEngine(Engine):
    backend = "server"

    def __init__(self, settings: LlmSettings):
        super().__init__()
        if not settings.server_url:
            raise LlmError("no server URL configured")
        self.settings = settings
        self.base_url = api_base(settings.server_url)
        self.model = settings.server_model or ""
        self.name = f"server: {settings.server_url.rstrip('/')}" + (f" · {self.model}" if self.model else "")
        self.capability = "capable"
        self._echo_logprobs = True  # until the server shows it cannot score prompt tokens

    # -- HTTP -------------------------------------------------------------------------------------------
    def _post(self, path: str, body: dict[str, Any], cancel: CancelToken | None = None) -> dict[str, Any]:
        if self.model:
            body = {"model": self.model, **body}
        data = json.dumps(body).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if self.settings.api_key:
            headers["Authorization"] = f"Bearer {self.settings.api_key}"
        last_error = ""
        for attempt in range(self.settings.retries + 1):
            if cancel is not None:
                cancel.check()
            if attempt:
                time.sleep(min(0.5 * 2 ** (attempt - 1), 8.0))
            request = urllib.request.Request(self.base_url + path, data=data, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=self.settings.timeout_s) as response:
                    return json.loads(response.read().decode("utf-8"))
            except urllib.error.HTTPError as error:
                detail = error.read().decode("utf-8", "replace")[:300]
                if error.code >= 500 and attempt < self.settings.retries:
                    last_error = f"HTTP {error.code}: {detail}"
                    continue
                raise ServerRequestError(f"the LLM server at {self.base_url} answered HTTP {error.code} for "
                                         f"{path}: {detail}", status=error.code) from error
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                last_error = str(getattr(error, "reason", error))
            except json.JSONDecodeError as error:
                raise LlmError(f"the LLM server at {self.base_url} sent a reply that is not JSON") from error
        raise LlmError(f"cannot reach the LLM server at {self.base_url} ({last_error}); is it running? "
                       f"(tried {self.settings.retries + 1} times, timeout {self.settings.timeout_s:g} s)")

    # -- Engine hooks -----------------------------------------------------------------------------------
    def _complete(self, messages: list[dict], plan: structured.SchemaPlan, *, max_tokens: int,
                  temperature: float, cancel: CancelToken | None) -> Completion:
        body: dict[str, Any] = {"messages": messages, "max_tokens": max_tokens, "temperature": temperature,
                                "seed": self.settings.seed}
        mode = self.settings.server_json_mode
        if mode == "json_object":
            body["response_format"] = {"type": "json_object", "schema": plan.grammar_schema}
        elif mode == "json_schema":
            body["response_format"] = {"type": "json_schema",
                                       "json_schema": {"name": "answer", "strict": True, "schema": plan.schema}}
        else:
            body["grammar"] = plan.gbnf
        reply = self._post("/chat/completions", body, cancel)
        try:
            choice = reply["choices"][0]
            text = choice["message"]["content"] or ""
        except (KeyError, IndexError, TypeError) as error:
            raise LlmError(f"the LLM server's reply has no message: {str(reply)[:200]}") from error
        usage = reply.get("usage") or {}
        return Completion(text=text, finish_reason=choice.get("finish_reason"),
                          prompt_tokens=usage.get("prompt_tokens", 0),
                          completion_tokens=usage.get("completion_tokens", 0))

    def _option_logprobs(self, prompt: str | list[dict], options: list[str], *,
                         cancel: CancelToken | None) -> OptionScores:
        if isinstance(prompt, str) and self._echo_logprobs:
            try:
                return self._echo_scores(prompt, options, cancel)
            except ServerRequestError as error:
                if error.status not in (400, 404, 422, 500, 501):
                    raise
                self._echo_logprobs = False  # this server cannot score prompt tokens: use the fallback from now on
        return self._constrained_choice(prompt, options, cancel)

    def _echo_scores(self, prompt: str, options: list[str], cancel: CancelToken | None) -> OptionScores:
        """Sum of the option's token log-probabilities, read back from /completions with echo + logprobs."""
        scores, prompt_tokens, option_tokens = [], 0, 0
        for option in options:
            text = prompt + option
            reply = self._post("/completions", {"prompt": text, "max_tokens": 1, "temperature": 0.0, "echo": True,
                                                "logprobs": 1, "seed": self.settings.seed}, cancel)
            try:
                logprobs = reply["choices"][0]["logprobs"]
                offsets, values, tokens = logprobs["text_offset"], logprobs["token_logprobs"], logprobs["tokens"]
            except (KeyError, IndexError, TypeError) as error:
                raise ServerRequestError("the server returned no prompt log-probabilities", status=501) from error
            # Offsets count in the tokens' own text, which may start with SentencePiece's added space.
            shift = max("".join(tokens).find(text), 0)
            start, end = shift + len(prompt), shift + len(text)
            total, counted = 0.0, 0
            for offset, value, token in zip(offsets, values, tokens):
                # tokens overlapping the option (a merge across the boundary counts), not the generated one
                if offset + len(token) > start and offset < end and value is not None:
                    total += float(value)
                    counted += 1
            if counted == 0:
                raise ServerRequestError("the server returned no log-probabilities for the option", status=501)
            scores.append(total)
            option_tokens += counted
            prompt_tokens = max(prompt_tokens, len(tokens) - counted - 1)
        return OptionScores(scores, prompt_tokens=prompt_tokens, completion_tokens=option_tokens)

    def _constrained_choice(self, prompt: str | list[dict], options: list[str],
                            cancel: CancelToken | None) -> OptionScores:
        """Fallback for servers without prompt log-probabilities: the option the model picks under an enum
        grammar gets all the probability (a hard choice, not a calibrated one)."""
        messages = prompt if isinstance(prompt, list) else [{"role": "user", "content": prompt}]
        plan = structured.prepare({"enum": options})
        done = self._complete(messages, plan, max_tokens=64, temperature=0.0, cancel=cancel)
        picked = structured.parse_and_validate(done.text, plan.schema)
        return OptionScores([0.0 if option == picked else -1e9 for option in options],
                            prompt_tokens=done.prompt_tokens, completion_tokens=done.completion_tokens)

    def _embed(self, texts: list[str]) -> tuple[list[list[float]], int]:
        try:
            reply = self._post("/embeddings", {"input": texts})
        except ServerRequestError as error:
            raise LlmError(f"this LLM server does not compute embeddings ({error})") from error
        try:
            rows = sorted(reply["data"], key=lambda row: row.get("index", 0))
            vectors = [list(map(float, row["embedding"])) for row in rows]
        except (KeyError, TypeError, ValueError) as error:
            raise LlmError("the LLM server's embeddings reply is malformed") from error
        if vectors and isinstance(vectors[0], list) and vectors[0] and isinstance(vectors[0][0], list):
            raise LlmError("the LLM server returned per-token embeddings; start it with mean pooling")
        return vectors, (reply.get("usage") or {}).get("prompt_tokens", 0)

    def settings_summary(self) -> dict[str, Any]:
        return {"server": self.base_url, "model": self.model, "json_mode": self.settings.server_json_mode,
                "seed": self.settings.seed}

    def placement_summary(self) -> str:
        return f"{self.model or 'model'} on {self.settings.server_url} (placement managed by the server)"

    def check(self, timeout_s: float = 5.0) -> str:
        """Whether the server answers and serves the configured model: one line for the user (``LlmError`` with
        the reason when not). Asks ``GET /models``, which every OpenAI-compatible server has."""
        headers = {"Authorization": f"Bearer {self.settings.api_key}"} if self.settings.api_key else {}
        request = urllib.request.Request(self.base_url + "/models", headers=headers, method="GET")
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:
                listed = [str(m.get("id")) for m in json.loads(response.read().decode("utf-8")).get("data", [])]
        except urllib.error.HTTPError as error:
            raise LlmError(f"the server at {self.base_url} answered HTTP {error.code}; check the URL (it should end "
                           "in /v1) and the API key") from error
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            raise LlmError(f"cannot reach the LLM server at {self.base_url} "
                           f"({getattr(error, 'reason', error)}): is it running?") from error
        except (json.JSONDecodeError, AttributeError, UnicodeDecodeError) as error:
            raise LlmError(f"{self.base_url}/models did not answer like an OpenAI-compatible server") from error
        if self.model and listed and self.model not in listed:
            raise LlmError(f"the server does not serve the model {self.model!r}; it serves: {', '.join(listed)}")
        return f"connected to {self.base_url}: " + (", ".join(listed) if listed else "it lists no models")


class ServerRequestError(LlmError):
    """The server answered, with an error status."""

    def __init__(self, message: str, *, status: int):
        super().__init__(message)
        self.status = status


def api_base(url: str) -> str:
    """'http://host:8080', '.../v1' or '.../v1/' -> 'http://host:8080/v1'."""
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise LlmError(f"server URL must start with http:// or https://, not {url!r}")
    return url if url.endswith("/v1") else url + "/v1"
