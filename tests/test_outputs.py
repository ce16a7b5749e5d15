"""Output files are all or nothing: killed, terminated, interrupted or failed runs leave no new file.

The signal tests start the real ``medmetrics`` command, wait until its temporary per-item file
appears (the run is then inside the write), and send the signal a user, ``timeout`` or Slurm
would send.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli_helpers import run_cli as run
from medmetrics import cli
from medmetrics.errors import InputError
from medmetrics.inputs.files import atomic_writer, sweep_stale_temporaries

TEMPORARIES = ".*.medmetrics-*.tmp"


@pytest.fixture
def pubmedqa_run(tmp_path: Path) -> Path:
    path = tmp_path / "run.jsonl"
    lines = (json.dumps({"generation": "The answer is yes" if i % 3 else "no", "reference": "yes"})
             for i in range(40_000))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _start_and_catch_the_write(run_file: Path, out: Path) -> tuple[subprocess.Popen[bytes], Path]:
    """Start ``score --per-item`` on the big run; return once its temporary per-item file exists."""
    command = [sys.executable, "-m", "medmetrics", "score", str(run_file), "--task", "pubmedqa",
               "--per-item", str(out / "items.jsonl"), "--output", str(out / "table.txt")]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        temporaries = list(out.glob(TEMPORARIES))
        if temporaries:
            return process, temporaries[0]
        time.sleep(0.002)
    process.kill()
    pytest.fail(f"the run never wrote a temporary file (exit {process.poll()}): {process.communicate()[1]!r}")


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_during_the_write_removes_the_temporary_file(signum: int, pubmedqa_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    process, _ = _start_and_catch_the_write(pubmedqa_run, out)
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signum, err
    assert err.decode().count("\n") == 1 and ("terminated" in err.decode() or "interrupted" in err.decode())
    assert list(out.iterdir()) == [], "a terminated run left a file"


@pytest.mark.slow
def test_a_killed_runs_temporary_file_is_swept_by_the_next_run(pubmedqa_run: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    out.mkdir()
    process, temporary = _start_and_catch_the_write(pubmedqa_run, out)
    process.kill()  # SIGKILL: no handler runs, the file stays behind
    process.communicate(timeout=60)
    assert temporary.exists()
    small = tmp_path / "small.jsonl"
    small.write_text('{"generation": "yes", "reference": "yes"}\n', encoding="utf-8")
    code, _, err = run(capsys, "score", str(small), "--task", "pubmedqa", "--output", str(out / "table.txt"))
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == ["table.txt"]


def test_only_dead_processes_temporaries_on_this_host_are_swept(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    with atomic_writer(tmp_path / "probe.txt") as handle:  # learn this host's name as the writer spells it
        host = Path(handle.name).name.split(".medmetrics-")[1].rsplit("-", 2)[0]
        handle.write("x")
    files = {
        "dead here": tmp_path / f".a.json.medmetrics-{host}-{dead_pid}-abc.tmp",
        "alive here": tmp_path / f".b.json.medmetrics-{host}-{os.getpid()}-abc.tmp",
        "other host": tmp_path / f".c.json.medmetrics-otherhost-{dead_pid}-abc.tmp",
        "not ours": tmp_path / f".d.json.{dead_pid}.tmp",
    }
    for path in files.values():
        path.write_text("partial", encoding="utf-8")
    assert sweep_stale_temporaries(tmp_path) == [files["dead here"]]
    assert all(path.exists() for name, path in files.items() if name != "dead here")


@pytest.mark.parametrize("where", ["folder", "trailing separator", "missing folder"])
def test_an_unwritable_output_is_refused_before_any_work_naming_the_users_path(
        where: str, capsys, tmp_path: Path) -> None:
    run_file = tmp_path / "run.jsonl"
    run_file.write_text('{"generation": "yes", "reference": "yes"}\n', encoding="utf-8")
    (tmp_path / "dir").mkdir()
    given = {"folder": str(tmp_path / "dir"), "trailing separator": str(tmp_path / "new") + "/",
             "missing folder": str(tmp_path / "nowhere" / "out.txt")}[where]
    items = tmp_path / "items.jsonl"
    code, out, err = run(capsys, "score", str(run_file), "--task", "pubmedqa", "--per-item", str(items),
                         "--output", given)
    assert code == 2 and out == ""
    assert repr(given) in err and ".tmp" not in err and err.count("\n") == 1
    assert not items.exists() and not (tmp_path / "new").exists()
    assert not list(tmp_path.rglob(TEMPORARIES))


def test_a_failure_while_writing_leaves_no_file_not_even_the_finished_ones(tmp_path: Path) -> None:
    def lines():
        yield "first line\n"
        raise RuntimeError("the per-item lines failed half way")

    table, items = tmp_path / "table.txt", tmp_path / "items.jsonl"
    with pytest.raises(RuntimeError):
        cli._emit("table\n", str(table), {str(items): lines()})
    assert list(tmp_path.iterdir()) == []


def test_the_writer_names_the_users_path_when_the_rename_fails(tmp_path: Path, monkeypatch) -> None:
    def refuse(src: str, dst: object) -> None:
        raise OSError(13, "Permission denied", src)

    monkeypatch.setattr(os, "replace", refuse)
    with (pytest.raises(InputError, match=r"cannot write '.*out\.txt': Permission denied") as info,
          atomic_writer(tmp_path / "out.txt") as handle):
        handle.write("x")
    assert ".tmp" not in str(info.value)
    assert list(tmp_path.iterdir()) == []
