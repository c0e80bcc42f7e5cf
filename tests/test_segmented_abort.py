"""How a segmented export ends: a cancel or a failure discards everything the export stored (frames,
segments, audio, manifest, output: the directory is left empty) and stops its ffmpegs; a success calls
finish_export, which keeps only the delivered file. Over NativeSegmentRuntime and native ffmpeg."""

from __future__ import annotations

import asyncio

from export_runs import logged
from native_segments import Killed, NativeSegmentRuntime
from segment_runs import SETTINGS, QuickHost, drawn, needs_ffmpeg, run, segmented_raising

from vizengine.encode.segmented_encoder import SegmentedEncoder
from vizengine.errors import EncoderError, ExportCancelled, RenderError
from vizengine.export.cancel import CancelSignal
from vizengine.export.store import Phase

pytestmark = needs_ffmpeg


def names(runtime: NativeSegmentRuntime) -> list[str]:
    return [call[0] for call in runtime.calls]


def assert_discarded(encoder) -> None:
    runtime = encoder.runtime
    assert encoder.export_id is not None
    assert [call for call in runtime.calls if call[0] in ("discard", "finish_export")] == [
        ("discard", encoder.export_id)]
    assert runtime.files() == [], "the export left files behind"
    assert runtime.stored() == {} and asyncio.run(NativeSegmentRuntime(runtime.root).resumable()) == []
    assert "mux" not in names(runtime)


def test_cancel_after_a_stored_segment_discards_everything(tmp_path):
    signal = CancelSignal()
    host = QuickHost(cancel_at_frame=62, signal=signal)  # drawn while frame 61 is handed over
    error, store, encoder = segmented_raising(host, tmp_path, ExportCancelled, signal=signal)
    assert store.phase is Phase.CANCELLED
    assert ("encode_segment", 0, 0, 60) in encoder.runtime.calls and "cancel" in names(encoder.runtime)
    assert_discarded(encoder)


def test_cancel_while_the_last_segment_encodes_stops_before_the_join_and_discards_everything(tmp_path):
    signal = CancelSignal()
    host = QuickHost(cancel_in="end_render", signal=signal)  # every segment queued, none waited for
    error, store, encoder = segmented_raising(host, tmp_path, ExportCancelled, signal=signal)
    assert str(error) == "Export cancelled" and store.phase is Phase.CANCELLED
    assert drawn(host) == list(range(63))
    runtime_calls = names(encoder.runtime)
    assert runtime_calls.index("cancel") < runtime_calls.index("wait_all")
    assert "encode_audio" not in runtime_calls
    assert_discarded(encoder)


def test_a_render_failure_discards_everything(tmp_path):
    host = QuickHost(fail_at_frame=61, failure=RenderError("Could not draw frame 61: WebGL context lost"))
    error, store, encoder = segmented_raising(host, tmp_path, RenderError)
    assert store.phase is Phase.FAILED and store.error == str(error)
    assert_discarded(encoder)


def test_a_failed_segment_fails_the_export_naming_it_and_discards_everything(tmp_path):
    host = QuickHost()
    error, store, encoder = segmented_raising(host, tmp_path, EncoderError, fail_segment=0)
    assert str(error).startswith("Segment 0 (frames 0-59) could not be encoded: ffmpeg exited with")
    assert store.phase is Phase.FAILED and logged(store, "error", "Segment 0 (frames 0-59)")
    assert_discarded(encoder)


def test_a_cancel_before_the_encoder_starts_leaves_nothing_to_discard(tmp_path):
    signal = CancelSignal()
    host = QuickHost(cancel_in="decode_audio", signal=signal)
    _, store, encoder = segmented_raising(host, tmp_path, ExportCancelled, signal=signal)
    assert encoder.export_id is None and "begin" not in names(encoder.runtime)
    assert encoder.runtime.files() == []


def test_a_successful_export_finishes_keeping_only_its_file_and_stops_listening_for_cancel(tmp_path):
    signal = CancelSignal()
    host = QuickHost()
    encoder = SegmentedEncoder(NativeSegmentRuntime(tmp_path), 2)
    run(host, SETTINGS, encoder, signal)
    runtime = encoder.runtime
    assert [call for call in runtime.calls if call[0] in ("discard", "finish_export")] == [
        ("finish_export", encoder.export_id)]
    assert runtime.files() == [f"outputs/{encoder.export_id}.mp4"] and runtime.stored() == {}
    signal.cancel()  # e.g. a late click on Cancel: the finished export's runtime is not told
    assert "cancel" not in names(runtime)


def test_a_stored_export_declined_on_reload_is_discarded_by_a_new_runtime(tmp_path):
    segmented_raising(QuickHost(), tmp_path, Killed, kill_at_frame=60)  # the tab closed after segment 0
    ((export_id, done),) = NativeSegmentRuntime(tmp_path).stored().items()
    assert done == [0]
    reloaded = NativeSegmentRuntime(tmp_path)
    asyncio.run(reloaded.discard(export_id))
    assert reloaded.files() == [] and reloaded.stored() == {}
