"""Results that cannot be lost or silently corrupted.

One job per directory (a lock naming its holder), verified resume (a damaged or foreign part is
named and re-run), an overwrite that cannot destroy what it does not own, refusals before work
(unwritable output, designs beyond the limit, a posterior that overflows), clean exits (workers die
with their parent, SIGTERM is Ctrl-C) and damaged stored state refused in one line.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import INNOSIM, SCENARIOS, resume_printed, run_cli, start_cli
from innosim import load_sweep, sweep
from innosim.errors import InputError
from innosim.experiments.runner import run_experiment
from innosim.joblock import LOCK, lock_directory
from innosim.store import PARTS, RESULTS, interrupts_deferred
from test_sweep import TINY


def _sweep_file(tmp_path: Path, samples: int = 6, scale: float = 0.03, name: str = "s.toml") -> Path:
    """The tiny sweep of ``tests/test_sweep.py`` with ``samples`` points at ``scale``."""
    path = tmp_path / name
    text = TINY.replace("samples = 5", f"samples = {samples}").replace("scale = 0.05", f"scale = {scale}")
    path.write_text(text, encoding="utf-8")
    return path


def _wait_for(ready, timeout: float = 120.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if ready():
            return
        time.sleep(0.02)
    pytest.fail("timed out")


# ------------------------------------------------------------------ one job per directory
def test_a_second_job_on_a_locked_directory_is_refused_naming_the_holder(tmp_path):
    path = _sweep_file(tmp_path, samples=12, scale=0.2)
    reference = sweep(path, workers=2)
    out = tmp_path / "out"
    # one worker: the job runs in one process, which is paused (SIGSTOP) while the three others try,
    # so that it holds its lock throughout however loaded the machine is, and then finishes
    first = start_cli("sweep", str(path), "--out", str(out), "--workers", "1", "--checkpoint", "0")
    try:
        _wait_for(lambda: (out / PARTS).is_dir() and any((out / PARTS).glob("part-*")))
        os.kill(first.pid, signal.SIGSTOP)
        assert first.poll() is None, "the first job finished before the others could try; make it longer"
        for extra in ([], ["--resume"], ["--overwrite"]):
            r = run_cli("sweep", str(path), "--out", str(out), *extra)
            assert r.returncode == 2, (extra, r.stderr)
            assert f"in use by another innosim job (PID {first.pid} on" in r.stderr, r.stderr
            assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    finally:
        if first.poll() is None:
            os.kill(first.pid, signal.SIGCONT)
        _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    pd.testing.assert_frame_equal(pd.read_parquet(out / RESULTS), reference)
    assert json.loads((out / LOCK).read_text() or "{}") == {}  # released


def test_two_jobs_started_together_exactly_one_runs(tmp_path):
    path = _sweep_file(tmp_path, samples=10, scale=0.05)
    out = tmp_path / "out"
    jobs = [start_cli("sweep", str(path), "--out", str(out), "--workers", "1") for _ in range(2)]
    results = [(job.wait(timeout=300), job.stderr.read()) for job in jobs]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2], results
    loser = next(err for code, err in results if code == 2)
    assert "in use by another innosim job" in loser
    pd.testing.assert_frame_equal(pd.read_parquet(out / RESULTS), sweep(path, workers=1))


def test_a_refused_job_never_removes_the_holders_directory(tmp_path, monkeypatch):
    """Two jobs started together both found no directory; the refused one removed it, with the
    holder's lock file and parts in it (it decided from the directory's absence that it had
    created it). Here the refused job looks before the holder's mkdir, deterministically."""
    out = tmp_path / "out"
    holder = lock_directory(out)
    try:
        (out / PARTS).mkdir()
        monkeypatch.setattr(Path, "exists", lambda self: False)
        with pytest.raises(InputError, match="in use by another innosim job"):
            lock_directory(out)
        monkeypatch.undo()
        assert holder.created and (out / LOCK).is_file() and (out / PARTS).is_dir()
    finally:
        holder.release()
    refused = tmp_path / "unwritable"  # a directory this call created is removed again if it stays empty
    monkeypatch.setattr("innosim.joblock.JobLock.__init__", _refuse)
    with pytest.raises(InputError, match="cannot be written"):
        lock_directory(refused)
    assert not refused.exists()


def _refuse(self, folder):
    raise InputError(folder, "--out", "cannot be written (Permission denied)")


# ------------------------------------------------------------------ verified resume
def _interrupted(path: Path, out: Path, after: int) -> None:
    """Run the sweep into ``out`` with a part per run, and stop it after ``after`` runs (as Ctrl-C would)."""

    def stop(done: int, total: int) -> None:
        if done >= after:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_experiment(load_sweep(path), out, workers=1, checkpoint=0.0, progress=stop)


def test_damaged_or_foreign_parts_are_named_and_run_again(tmp_path, caplog):
    path = _sweep_file(tmp_path)
    reference = sweep(path, workers=1)
    out = tmp_path / "out"
    _interrupted(path, out, after=8)
    parts = sorted((out / PARTS).glob("part-*"))
    assert len(parts) == 8
    # a part with rows removed
    table = pq.read_table(parts[1])
    pq.write_table(table.slice(0, table.num_rows - 1), parts[1])
    # a part from a run with another seed
    table = pq.read_table(parts[3])
    seeds = pa.array([s + 1 for s in table["seed"].to_pylist()], type=table.schema.field("seed").type)
    pq.write_table(table.set_column(table.schema.get_field_index("seed"), "seed", seeds), parts[3])
    # a truncated part, and a part that is not Parquet at all
    parts[5].write_bytes(parts[5].read_bytes()[:50])
    parts[6].write_bytes(b"garbage")
    with caplog.at_level(logging.WARNING, logger="innosim.store"):
        resumed = sweep(path, out=out, workers=1, resume=True)
    pd.testing.assert_frame_equal(resumed, reference)
    logged = "\n".join(caplog.messages)
    for i, words in ((1, "rows instead of"), (3, "another seed"), (5, "cannot be read"), (6, "cannot be read")):
        assert parts[i].name in logged and words in logged, (i, logged)


def test_a_finished_table_that_fails_verification_is_refused_and_reported(tmp_path):
    path = _sweep_file(tmp_path)
    out = tmp_path / "out"
    sweep(path, out=out, workers=1)
    table = pq.read_table(out / RESULTS)
    pq.write_table(table.slice(0, table.num_rows - 3), out / RESULTS)
    for args in (["report", str(out)], ["sweep", str(path), "--out", str(out), "--resume"]):
        r = run_cli(*args)
        assert r.returncode == 2 and "fails verification" in r.stderr and "Traceback" not in r.stderr, r.stderr
    with pytest.raises(InputError, match="fails verification"):
        from innosim import load_result

        load_result(out)


# ------------------------------------------------------------------ overwrite
def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("holds", ["comparison", "foreign files"])
def test_overwrite_removes_nothing_it_does_not_own(tmp_path, holds):
    out = tmp_path / "out"
    if holds == "comparison":
        r = run_cli(
            "compare",
            str(SCENARIOS / "baseline.toml"),
            str(SCENARIOS / "plan.toml"),
            "--replicates",
            "2",
            "--set",
            "scale=0.02",
            "--workers",
            "1",
            "--out",
            str(out),
            "--format",
            "json",
        )
        assert r.returncode == 0, r.stderr
        words = "holds a comparison (innosim compare), not a sweep"
    else:
        out.mkdir()
        (out / "notes.txt").write_text("mine", encoding="utf-8")
        (out / "results.parquet").write_bytes(b"not innosim's")
        words = "holds files that are not an innosim result"
    before = _snapshot(out)
    r = run_cli("sweep", str(_sweep_file(tmp_path)), "--out", str(out), "--overwrite")
    assert r.returncode == 2 and words in r.stderr and "nothing was removed" in r.stderr, r.stderr
    assert _snapshot(out) == {**before, **({LOCK: (out / LOCK).read_bytes()} if (out / LOCK).exists() else {})}


def test_overwrite_of_a_sweep_says_what_it_removed(tmp_path, caplog):
    path = _sweep_file(tmp_path)
    out = tmp_path / "out"
    first = sweep(path, out=out, workers=1)
    with caplog.at_level(logging.WARNING, logger="innosim.store"):
        again = sweep(path, out=out, workers=1, overwrite=True)
    pd.testing.assert_frame_equal(again, first)
    assert "removed the stored sweep job (manifest.json, results.parquet, points.csv, summary.csv)" in caplog.text


# ------------------------------------------------------------------ checks before work
def _unwritable(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    blocker = tmp_path / "a_file"
    blocker.write_text("x", encoding="utf-8")
    return {
        "under /proc": (Path("/proc/innosim-test/out"), "cannot be written"),
        "under a file": (blocker / "out", "is a file"),
        "name too long": (tmp_path / ("x" * 300), "too long"),
        "a file": (blocker, "exists and is not a directory"),
    }


@pytest.mark.parametrize("command", ["run", "compare"])
def test_unwritable_out_is_refused_before_any_simulation(tmp_path, command):
    scenarios = [] if command == "run" else [str(SCENARIOS / "baseline.toml"), str(SCENARIOS / "plan.toml")]
    for case, (out, words) in _unwritable(tmp_path).items():
        started = time.perf_counter()
        r = run_cli(command, *scenarios, "--replicates", "50", "--out", str(out))
        elapsed = time.perf_counter() - started
        assert r.returncode == 2 and words in r.stderr and "Traceback" not in r.stderr, (case, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1, (case, r.stderr)
        assert elapsed < 3.0, (case, elapsed)


def _peak_memory_mb(args: list[str]) -> tuple[subprocess.CompletedProcess, float]:
    code = (
        "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
        "sys.stdout.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
        "sys.stderr.write(r.stderr); sys.exit(r.returncode)"
    )
    r = subprocess.run([sys.executable, "-c", code, str(INNOSIM), *args], capture_output=True, text=True, timeout=120)
    return r, int(r.stdout) / 1024


def test_huge_designs_are_refused_before_allocating(tmp_path):
    path = tmp_path / "huge.toml"
    factors = "".join(
        f'[[vary]]\npath = "{p}"\nlower = 0.1\nupper = 2.0\nlevels = 100\n\n'
        for p in (
            "policy.talent_card.budget",
            "policy.rd_subsidy.budget",
            "policy.incubation.budget",
            "parameters.spillover",
        )
    )
    path.write_text(f'kind = "sweep"\nname = "huge"\nreplicates = 1\n\n{factors}', encoding="utf-8")
    out = tmp_path / "out"
    r, peak = _peak_memory_mb(["sweep", str(path), "--out", str(out)])
    assert r.returncode == 2 and "100,000,000 points" in r.stderr and "--max-runs" in r.stderr, r.stderr
    assert peak < 500 and not out.exists()
    r, peak = _peak_memory_mb(["run", "--replicates", "1000000000"])
    assert r.returncode == 2 and "1,000,000,000 runs" in r.stderr and "--max-runs" in r.stderr, r.stderr
    assert peak < 500
    r = run_cli(
        "sensitivity",
        str(Path(__file__).parent / "golden" / "sensitivity.toml"),
        "--samples",
        "8388608",
        "--out",
        str(out),
    )
    assert r.returncode == 2 and "--max-runs" in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_a_larger_limit_allows_the_job(tmp_path):
    path = _sweep_file(tmp_path)
    r = run_cli("sweep", str(path), "--out", str(tmp_path / "a"), "--max-runs", "11")
    assert r.returncode == 2 and "12 runs" in r.stderr, r.stderr
    r = run_cli("sweep", str(path), "--out", str(tmp_path / "b"), "--max-runs", "12", "--workers", "1")
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("weights", ["1e308,1e308", "inf,1.0"])
def test_a_posterior_that_overflows_is_refused_before_the_sweep_starts(tmp_path, weights):
    w1, w2 = weights.split(",")
    (tmp_path / "p.csv").write_text(f"weight,parameters.patent_rate\n{w1},0.05\n{w2},0.06\n", encoding="utf-8")
    path = _sweep_file(tmp_path)
    path.write_text(
        path.read_text(encoding="utf-8").replace("seed = 5", 'seed = 5\nposterior = "p.csv"'), encoding="utf-8"
    )
    out = tmp_path / "out"
    r = run_cli("sweep", str(path), "--out", str(out))
    assert r.returncode == 2 and "p.csv: weight" in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert not out.exists()


# ------------------------------------------------------------------ clean exits
def _group(pgid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                pids.append(int(entry.name))
    return pids


def test_sigkill_of_the_main_process_leaves_no_worker(tmp_path):
    path = _sweep_file(tmp_path, samples=40, scale=0.1)
    out = tmp_path / "out"
    job = start_cli("sweep", str(path), "--out", str(out), "--workers", "2", "--checkpoint", "0")
    try:
        _wait_for(lambda: (out / PARTS).is_dir() and any((out / PARTS).glob("part-*")))
        assert len(_group(job.pid)) >= 3  # the CLI and its two workers (and the resource tracker)
        os.kill(job.pid, signal.SIGKILL)
        job.wait()
        deadline = time.time() + 5
        while _group(job.pid) and time.time() < deadline:
            time.sleep(0.1)
        assert _group(job.pid) == [], "processes left after the main process was killed"
    finally:
        for pid in _group(job.pid):
            os.kill(pid, signal.SIGKILL)


def test_an_interrupt_waits_for_the_step_that_writes_runs_and_forgets_them():
    """A SIGTERM (the CLI's Ctrl-C) that arrives while a part is written is delivered after the buffer
    is cleared: else the clean-up stored the same runs again, and the resume removed both parts (a
    rehearsal of 2026-12-08 under load)."""

    def stop(*_: object) -> None:
        raise KeyboardInterrupt

    steps: list[str] = []
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        with pytest.raises(KeyboardInterrupt):
            with interrupts_deferred():
                os.kill(os.getpid(), signal.SIGTERM)
                steps += ["written", "forgotten"]
            steps.append("after")  # never: the interrupt comes as the block ends
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert steps == ["written", "forgotten"]


def test_sigterm_keeps_finished_runs_and_says_how_to_resume(tmp_path):
    """The command printed is the one to run: the job's own command line with ``--resume``, and
    without its ``--overwrite``, which would discard the runs it kept."""
    path = _sweep_file(tmp_path, samples=24, scale=0.1)
    out = tmp_path / "out"
    job = start_cli("sweep", str(path), "--out", str(out), "--workers", "2", "--checkpoint", "0", "--overwrite")
    # stopped after its first part, one of the largest batches: on 2 workers, waiting for a second part
    # left too little of the job to stop on a loaded machine (it once finished first)
    _wait_for(lambda: (out / PARTS).is_dir() and any((out / PARTS).glob("part-*")))
    job.send_signal(signal.SIGTERM)
    _, err = job.communicate(timeout=120)  # the pool's workers are stopped, not waited for (test_executor.py)
    assert job.returncode == 130 and "continue with: innosim " in err, err
    again = resume_printed(err)[1:]
    assert "--resume" in again and "--overwrite" not in again
    r = run_cli(*again)
    assert r.returncode == 0 and "removed" not in r.stderr, r.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(out / RESULTS), sweep(path, workers=1))


def test_resume_with_overwrite_is_refused_and_removes_nothing(tmp_path):
    path = _sweep_file(tmp_path, samples=4, scale=0.02)
    out = tmp_path / "out"
    sweep(path, out=out, workers=1)
    before = sorted(p.name for p in out.iterdir())
    with pytest.raises(InputError, match="resume=True: continues the stored job and overwrite=True discards it"):
        sweep(path, out=out, workers=1, resume=True, overwrite=True)
    r = run_cli("sweep", str(path), "--out", str(out), "--resume", "--overwrite")
    assert r.returncode == 2 and "--resume: continues the stored job and --overwrite discards it" in r.stderr, r.stderr
    assert sorted(p.name for p in out.iterdir()) == before


# ------------------------------------------------------------------ damaged state and OS errors
def test_damaged_stored_state_is_one_line(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text("[1, 2]", encoding="utf-8")
    r = run_cli("sweep", str(_sweep_file(tmp_path)), "--out", str(out), "--resume")
    assert r.returncode == 2 and "manifest.json" in r.stderr and "Traceback" not in r.stderr, r.stderr
    cal = tmp_path / "cal.toml"
    cal.write_text(
        'name = "c"\nscale = 0.02\n[method]\npopulation = 20\nmax_generations = 1\n'
        '[[target]]\nfact = "hte_count"\n[[free]]\npath = "parameters.patent_rate"\n',
        encoding="utf-8",
    )
    for name, content in (("state.json", b"{not json"), ("abc.db", b"SQLite format 3\x00" + b"\x01" * 100)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / name).write_bytes(content)
        if name == "abc.db":
            (folder / "state.json").write_text(json.dumps({"config_hash": "x"}), encoding="utf-8")
        r = run_cli("calibrate", str(cal), "--out", str(folder), "--resume")
        assert r.returncode == 2 and name in r.stderr and "Traceback" not in r.stderr, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr


def _mount_tmpfs(path: Path, options: str) -> bool:
    path.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True)
    return done.returncode == 0


def test_full_or_read_only_file_system_is_one_line(tmp_path):
    """A full disk during a sweep and a read-only ``--out``: exit 2, one line (needs tmpfs mounts; where the
    machine forbids them, the manual check is in docs/experiments.md, 'Faults and what innosim does')."""
    full, ro = tmp_path / "full", tmp_path / "ro"
    if not _mount_tmpfs(full, "size=256k"):
        pytest.skip("this machine does not allow mounting a tmpfs (needs root and CAP_SYS_ADMIN)")
    try:
        assert _mount_tmpfs(ro, "size=1m,ro")
        r = run_cli("run", "--replicates", "2", "--set", "scale=0.02", "--out", str(ro / "out"))
        assert r.returncode == 2 and "cannot be written (Read-only file system)" in r.stderr, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1 and not (ro / "out").exists()
        # room for the estimate, not for the parts: the disk fills during the sweep
        (full / "ballast").write_bytes(b"\0" * (236 * 1024))
        sweep_file = _sweep_file(tmp_path, samples=40)
        r = run_cli("sweep", str(sweep_file), "--out", str(full / "out"), "--workers", "1", "--checkpoint", "0")
        assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
        assert "No space left on device; free some space, then resume the job" in r.stderr, r.stderr
        lines = [line for line in r.stderr.splitlines() if line.strip()]
        assert len(lines) == 2 and str(full / "out") in lines[1], r.stderr  # the design line, then the refusal
        # and the room check refuses a job whose estimate does not fit, before any run
        big = _sweep_file(tmp_path, samples=4000, name="big.toml")
        r = run_cli("sweep", str(big), "--out", str(full / "big"), "--max-runs", "10000")
        assert r.returncode == 2 and "MiB free; the results need about" in r.stderr, r.stderr
    finally:
        for mount in (full, ro):
            subprocess.run(["umount", str(mount)], capture_output=True)
