"""vizengine.export.cancel: one signal, checked between steps, with listeners for work Python cannot interrupt."""

from __future__ import annotations

import pytest

from vizengine.export.cancel import CancelSignal
from vizengine.errors import ExportCancelled, ExportError


def test_check_passes_until_cancelled_then_raises():
    signal = CancelSignal()
    signal.check()
    assert not signal.cancelled
    signal.cancel()
    assert signal.cancelled
    with pytest.raises(ExportCancelled, match="Export cancelled"):
        signal.check()


def test_cancelled_is_an_export_error_with_the_reason():
    signal = CancelSignal()
    signal.cancel("closed the dialog")
    with pytest.raises(ExportError, match="closed the dialog"):
        signal.check()


def test_the_first_reason_wins():
    signal = CancelSignal()
    signal.cancel("first")
    signal.cancel("second")
    with pytest.raises(ExportCancelled, match="first"):
        signal.check()


def test_listeners_run_once_in_order_of_subscription():
    signal, calls = CancelSignal(), []
    signal.on_cancel(lambda: calls.append("a"))
    signal.on_cancel(lambda: calls.append("b"))
    assert calls == []
    signal.cancel()
    signal.cancel()
    assert calls == ["a", "b"]


def test_unsubscribed_listener_does_not_run():
    signal, calls = CancelSignal(), []
    unsubscribe = signal.on_cancel(lambda: calls.append("gone"))
    signal.on_cancel(lambda: calls.append("kept"))
    unsubscribe()
    unsubscribe()  # twice is harmless
    signal.cancel()
    assert calls == ["kept"]


def test_listener_added_after_cancel_runs_at_once_and_only_once():
    signal, calls = CancelSignal(), []
    signal.cancel()
    unsubscribe = signal.on_cancel(lambda: calls.append("late"))
    assert calls == ["late"]
    unsubscribe()
    signal.cancel()
    assert calls == ["late"]


def test_a_listener_may_cancel_checks_inside_it_already_see_the_cancel():
    signal, seen = CancelSignal(), []
    signal.on_cancel(lambda: seen.append(signal.cancelled))
    signal.cancel()
    assert seen == [True]
