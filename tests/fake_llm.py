"""A stand-in OpenAI-compatible chat server for tests, run on loopback (made-up answers)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from plw_bench.harness import free_port


def make_app() -> FastAPI:
    app = FastAPI()
    app.state.script = {"mode": "ok", "text": ""}
    app.state.requests = []

    @app.post("/v1/chat/completions")
    async def completions(request: Request) -> Any:
        body = await request.json()
        app.state.requests.append(body)
        script = app.state.script
        if script["mode"] == "error":
            return JSONResponse({"error": {"message": "made-up failure"}}, status_code=500)
        if script["mode"] == "slow":
            await asyncio.sleep(script.get("delay", 3.0))

        async def chunks() -> AsyncIterator[str]:
            for word in script["text"].split(" "):
                delta = {"choices": [{"index": 0, "delta": {"content": word + " "}}]}
                yield f"data: {json.dumps(delta)}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(chunks(), media_type="text/event-stream")

    return app


def serve(app: FastAPI) -> Iterator[str]:
    """Run ``app`` on a loopback port in a thread; yields its base URL, stops it afterwards."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}/v1"
    server.should_exit = True
    thread.join(timeout=10)
