"""Progress on long work (issue #13, item 9): a tqdm bar on a terminal, nothing anywhere else."""

from __future__ import annotations

import io

from medmetrics.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar_that_follows_chunked_updates() -> None:
    stream = Terminal()
    progress = Progress(10_000, "parsing", stream)
    for done in range(2_500, 7_501, 2_500):  # parallel parsing reports once per chunk
        progress(done)
    assert progress._bar.n == 7_500 and progress._bar.total == 10_000
    progress(10_000)
    assert "parsing" in stream.getvalue() and "/10000" in stream.getvalue()
    assert progress.done == 10_000 and progress._bar is None  # closed at the end


def test_no_bar_off_a_terminal_or_for_small_runs() -> None:
    piped = io.StringIO()
    Progress(10_000, "parsing", piped)(10_000)
    assert piped.getvalue() == ""
    small = Terminal()
    Progress(100, "parsing", small)(100)
    assert small.getvalue() == ""


def test_updates_never_go_backwards() -> None:
    stream = Terminal()
    progress = Progress(5_000, "parsing", stream)
    progress(3_000)
    progress(2_000)  # a late callback
    assert progress.done == 3_000
    progress.close()
