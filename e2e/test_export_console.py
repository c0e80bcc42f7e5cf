"""The export log is a console: a level filter that really hides lines, colours per level, "Copy log" of
every line whatever the filter, and auto-scroll that stops while the user reads further up."""

from __future__ import annotations

from vizengine.cli.driver import export_to_file

LEVELS = ("info", "success", "warning", "error", "perf")
AT_BOTTOM = "el => el.scrollHeight - el.scrollTop - el.clientHeight <= 4"


def add_lines(page, level: str, messages: list[str]) -> None:
    """Lines through the same store the orchestrator writes (as the page's keep-awake notices do)."""
    page.evaluate("([level, messages]) => { for (const m of messages) window.vizengine.app.log(level, m); }",
                  [level, messages])


def store_logs(page) -> list[dict]:
    return page.evaluate("window.vizengine.app.store.logs.toJs({dict_converter: Object.fromEntries})")


def test_level_filter_colours_and_copy_all(demo_page, site_url, tmp_path):
    page = demo_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_url)
    export_to_file(page, {"resolution": "720p", "fps": 30, "start": 0, "duration": 0.5}, tmp_path / "clip.mp4")
    add_lines(page, "warning", ["a warning for the filter"])
    add_lines(page, "error", ["an error for the filter"])

    log = page.get_by_role("log", name="Export log")
    for level in LEVELS:  # the export itself wrote info, perf and success lines
        assert log.locator(f".log-line[data-level={level}]").count() >= 1, level
    colours = {level: log.locator(f".log-line[data-level={level}]").first.evaluate("e => getComputedStyle(e).color")
               for level in LEVELS}
    assert len(set(colours.values())) == len(LEVELS), colours

    perf = page.get_by_role("checkbox", name="perf", exact=True)
    perf.uncheck()
    add_lines(page, "perf", ["a perf line written while perf is filtered out"])
    perf_lines = log.locator(".log-line[data-level=perf]")
    assert perf_lines.count() >= 2
    for i in range(perf_lines.count()):
        assert not perf_lines.nth(i).is_visible()
    text = log.inner_text()
    assert "perf:" not in text and "info: export started" in text and "error: an error for the filter" in text

    page.get_by_role("checkbox", name="info", exact=True).uncheck()
    assert "info:" not in log.inner_text() and "warning: a warning for the filter" in log.inner_text()

    # Copy log takes every line, the filtered-out ones included, in order.
    page.get_by_role("button", name="Copy log").click()
    page.get_by_role("status").filter(has_text="Copied").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()").splitlines()
    expected = store_logs(page)
    assert len(copied) == len(expected) > 5
    for line, entry in zip(copied, expected):
        assert line.startswith("[") and line.endswith(f"] {entry['level']}: {entry['message']}"), (line, entry)

    perf.check()
    assert perf_lines.first.is_visible() and "perf: a perf line written" in log.inner_text()


def test_auto_scroll_stops_when_the_user_scrolls_up_and_resumes_at_the_bottom(demo_page, tmp_path):
    page = demo_page
    export_to_file(page, {"resolution": "720p", "fps": 30, "start": 0, "duration": 0.5}, tmp_path / "clip.mp4")
    log = page.get_by_role("log", name="Export log")
    add_lines(page, "info", [f"filler {i}" for i in range(60)])
    assert log.evaluate("el => el.scrollHeight > 2 * el.clientHeight")
    assert log.evaluate(AT_BOTTOM)  # it followed the new lines

    log.hover()
    page.mouse.wheel(0, -200)
    page.wait_for_function("() => document.getElementById('export-log').dataset.follow === 'false'")
    top = log.evaluate("el => el.scrollTop")
    add_lines(page, "info", [f"while reading {i}" for i in range(20)])
    assert log.evaluate("el => el.scrollTop") == top  # stayed where the user is reading
    assert not log.evaluate(AT_BOTTOM)
    assert "while reading 19" in log.inner_text()  # the lines arrived all the same

    page.mouse.wheel(0, 100_000)
    page.wait_for_function("() => document.getElementById('export-log').dataset.follow === 'true'")
    add_lines(page, "info", [f"after {i}" for i in range(20)])
    assert log.evaluate(AT_BOTTOM)
    assert log.evaluate("el => el.scrollTop") > top
