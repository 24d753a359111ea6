"""The load benchmark's client: what counts as an error, the figures and the report (no Rasa needed)."""
import io
import os
import re

from aiohttp import web

from bot.benchmarks import load
from bot.turn_status import TurnProblems, notice
from tests.integration.servers import free_port


async def stand_in():
    """A REST endpoint answering by the message: fine, empty, a failure notice, an error status, or slowly."""
    async def webhook(request):
        text = (await request.json())["message"]
        if text == "empty":
            return web.json_response([])
        if text == "notice":
            return web.json_response([{"text": notice(TurnProblems(not_saved=True), None)}])
        if text == "broken":
            return web.json_response({"error": "x"}, status=500)
        return web.json_response([{"text": f"you said {text}"}])

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}/webhooks/rest/webhook"


async def test_answers_count_and_failures_are_classified():
    runner, url = await stand_in()
    try:
        progress = load.Progress("test", total=2 * 5, stream=io.StringIO())
        latencies, errors = await load.drive(url, ["a", "b"], ["hi", "empty", "notice", "broken", "bye"], progress)
    finally:
        await runner.cleanup()
    assert len(latencies) == 4 and all(latency > 0 for latency in latencies)
    assert errors == {"no reply": 2, "failure notice": 2, "HTTP 500": 2}
    assert (progress.done, progress.errors) == (10, 6)
    assert progress.stream.getvalue().endswith("] 10/10 turns, 6 errors, 0 s\n")


async def test_an_unreachable_server_is_an_error_not_a_crash():
    latencies, errors = await load.drive("http://127.0.0.1:9/webhooks/rest/webhook", ["a"], ["hi"])
    assert latencies == [] and sum(errors.values()) == 1


def test_peak_memory_is_read_from_proc():
    assert 10 < load.peak_memory_mb(os.getpid()) < 100_000


def test_the_report_compares_with_the_bare_bot_and_states_the_targets():
    ours = load.LoadFigures("intake assistant", 50, 750, 0, "", 80.0, 4000, 6000, 7000, 8000, 1200, 90, 50)
    bare = load.LoadFigures("bare rasa init bot", 50, 750, 0, "", 40.0, 2000, 5000, 6000, 7000, 1000)
    text = load.report([ours, bare])
    assert re.search(r"reached the hand-off +50/50 +- *\n", text)
    assert "p95 ratio to the bare bot: 1.20 (target <= 1.5: met)" in text
    assert "target: no errors at 50 conversations: met" in text
    assert "target: Rasa server peak memory <= 1536 MB: met" in text
    slow = load.LoadFigures("intake assistant", 50, 750, 3, "timeout: 3", 80.0, 4000, 9000, 9500, 9900, 1600)
    text = load.report([slow, bare])
    assert "3 (timeout: 3)" in text and "ratio to the bare bot: 1.80 (target <= 1.5: MISSED)" in text
    assert "no errors at 50 conversations: MISSED" in text and "peak memory <= 1536 MB: MISSED" in text


def test_both_conversations_have_the_same_number_of_turns():
    assert len(load.INTAKE_CONVERSATION) == len(load.BARE_CONVERSATION) == 15
