"""bench/updates.py stays runnable: every scenario, a few updates, the report's shape."""

from __future__ import annotations

import importlib

from bench import updates


def test_scenarios_follow_the_contract() -> None:
    for name in updates.SCENARIOS:
        module = importlib.import_module(name)
        assert isinstance(module.NAME, str) and module.NAME
        assert module.ROLE is None or (
            isinstance(module.ROLE[0], str) and isinstance(module.ROLE[1], tuple)
        )
        assert callable(module.run_once)


async def test_a_short_run_reports_every_scenario() -> None:
    text = await updates.run(12, None, profile=False)
    assert "echo (bare PTB)" in text
    for name in updates.SCENARIOS:
        assert importlib.import_module(name).NAME in text
    assert "Target ≤ 10×" in text
