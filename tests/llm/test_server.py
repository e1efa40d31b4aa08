"""The OpenAI-compatible server backend against a real llama_cpp.server on 127.0.0.1 (the tiny MoE model)."""

from __future__ import annotations

import time

import jsonschema
import pytest

from litreview.llm import LlmError, LlmSettings, open_engine
from litreview.llm.server import ServerEngine, ServerRequestError, api_base
from tests.helpers.llm_requests import MESSAGES, SCHEMAS
from tests.helpers.network import free_port


def test_open_engine_picks_the_server_when_a_url_is_set(llm_server, library):
    engine = open_engine(LlmSettings(server_url=llm_server), library=library)
    try:
        assert isinstance(engine, ServerEngine) and engine.name.startswith("server: http://127.0.0.1")
        engine.generate_json(MESSAGES, SCHEMAS[1], stage="server")
    finally:
        engine.close()
    assert library.query("SELECT backend FROM llm_runs") == [{"backend": "server"}]


def test_json_object_mode_validates_too(llm_server):
    """The server's own json_object+schema path: its converter admits raw control characters (we still parse)
    and, in llama-cpp-python's server, ignores large integer bounds (so SCHEMAS[1] is left out here; that is
    why the default mode sends our own grammar)."""
    engine = ServerEngine(LlmSettings(server_url=llm_server, server_json_mode="json_object"))
    for index in range(20):
        schema = SCHEMAS[0 if index % 2 else 2]
        jsonschema.validate(engine.generate_json(MESSAGES, schema, stage="server", temperature=1.0), schema)


def test_server_and_in_process_scores_agree(server_engine, tiny_engine):
    prompt, options = "Title: protein folding. Category:", [" biology", " physics", " computing"]
    remote = server_engine.choose(prompt, options, stage="test")
    local = tiny_engine.choose(prompt, options, stage="test")
    for option in options:
        assert remote[option] == pytest.approx(local[option], rel=1e-3, abs=1e-9)


def test_chat_prompt_falls_back_to_a_constrained_choice(server_engine):
    probabilities = server_engine.choose([{"role": "user", "content": "Pick one."}], ["alpha", "beta"],
                                         stage="test")
    assert sorted(probabilities.values()) == [0.0, 1.0]


def test_embeddings_unsupported_is_a_clear_error(server_engine):
    with pytest.raises(LlmError, match="does not compute embeddings"):
        server_engine.embed(["x"])


def test_http_errors_are_reported(server_engine):
    with pytest.raises(ServerRequestError) as caught:
        server_engine._post("/no-such-endpoint", {})
    assert caught.value.status == 404


def test_unreachable_server_fails_after_its_retries():
    engine = ServerEngine(LlmSettings(server_url=f"http://127.0.0.1:{free_port()}", retries=1, timeout_s=2))
    started = time.monotonic()
    with pytest.raises(LlmError, match="cannot reach the LLM server.*tried 2 times"):
        engine.generate_json(MESSAGES, SCHEMAS[0], stage="server")
    assert time.monotonic() - started < 10


def test_api_base():
    assert api_base("http://h:8080") == api_base("http://h:8080/v1/") == "http://h:8080/v1"
    with pytest.raises(LlmError, match="http"):
        api_base("h:8080")


def test_check_says_what_a_working_server_serves(llm_server):
    line = ServerEngine(LlmSettings(server_url=llm_server)).check()
    assert line.startswith("connected to ") and "/v1" in line


def test_check_names_a_model_the_server_does_not_serve(llm_server):
    with pytest.raises(LlmError, match="does not serve the model 'no-such-model'"):
        ServerEngine(LlmSettings(server_url=llm_server, server_model="no-such-model")).check()


def test_check_of_a_server_that_is_down_is_one_clear_line():
    with pytest.raises(LlmError, match="cannot reach the LLM server.*is it running"):
        ServerEngine(LlmSettings(server_url=f"http://127.0.0.1:{free_port()}")).check(timeout_s=2)
