"""Real llama.cpp for the engine tests: a generated tiny qwen3moe GGUF (in-process and behind llama-cpp-python's
own OpenAI-compatible server on 127.0.0.1) and the small default model (gemma-3-270m, assembled once into the
models folder)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from litreview.llm import LlmSettings
from litreview.llm.tiny_moe import write_moe_gguf
from tests.helpers.network import free_port


@pytest.fixture(scope="session")
def tiny_moe(tmp_path_factory) -> Path:
    return write_moe_gguf(tmp_path_factory.mktemp("tiny") / "tiny-moe.gguf")


@pytest.fixture(scope="session")
def tiny_settings(tiny_moe) -> LlmSettings:
    return LlmSettings(model_path=str(tiny_moe), n_ctx=1024, placement="cpu-moe", seed=0)


@pytest.fixture(scope="session")
def tiny_engine(tiny_settings):
    from litreview.llm.local import LocalEngine

    engine = LocalEngine(tiny_settings)
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def llm_server(tiny_moe, tmp_path_factory):
    """`python -m llama_cpp.server` serving the tiny model; yields its base URL."""
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    with open(log, "wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(tiny_moe), "--host", "127.0.0.1",
             "--port", str(port), "--n_ctx", "1024", "--n_threads", "2", "--seed", "0"],
            stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/v1/models", timeout=2) as reply:
                    json.load(reply)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"llama_cpp.server did not start: {log.read_text()[-2000:]}")
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def server_engine(llm_server):
    from litreview.llm.server import ServerEngine

    engine = ServerEngine(LlmSettings(server_url=llm_server, server_json_mode="grammar", timeout_s=60, seed=0))
    yield engine
    engine.close()


@pytest.fixture(params=["in-process", "server"])
def engine(request, tiny_engine):
    """The same engine tests run against the tiny MoE in-process and through a real local server."""
    if request.param == "in-process":
        return tiny_engine
    return request.getfixturevalue("server_engine")
