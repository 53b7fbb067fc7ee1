"""The command line, as users run it: determinism, outputs, and bad input."""

import json

import pandas as pd
import pytest

from conftest import SCENARIOS, run_cli


def test_run_json_is_deterministic_and_seeded():
    small = ["--set", "scale=0.2"]  # determinism does not depend on the size; keeps the test quick
    a = run_cli("run", "--seed", "1", "--format", "json", *small)
    b = run_cli("run", "--seed", "1", "--format", "json", *small)
    assert a.returncode == 0, a.stderr
    assert a.stdout == b.stdout
    assert run_cli("run", "--seed", "2", "--format", "json", *small).stdout != a.stdout
    doc = json.loads(a.stdout)
    assert {"scenario", "seed", "replicates", "indicators"} <= set(doc)
    ids = {(r["id"], r["year"]) for r in doc["indicators"]}
    assert ("hte_count", 2016) in ids and ("rd_intensity", 2025) in ids
    row = next(r for r in doc["indicators"] if r["id"] == "rd_expenditure" and r["year"] == 2025)
    assert set(row) == {"id", "year", "median", "p05", "p95", "unit", "target"} and row["target"] == 70
    assert row["p05"] <= row["median"] <= row["p95"]


def test_replicates_same_in_one_process_or_several():
    one = run_cli("run", "--replicates", "4", "--workers", "1", "--format", "json")
    two = run_cli("run", "--replicates", "4", "--workers", "2", "--format", "json")
    assert one.returncode == 0 and two.returncode == 0, two.stderr
    assert one.stdout == two.stdout


def test_same_replicates_on_a_dask_cluster():
    serial = run_cli("run", "--replicates", "4", "--set", "scale=0.1", "--workers", "1", "--format", "json")
    dask = run_cli(
        "run", "--replicates", "4", "--set", "scale=0.1", "--workers", "2", "--scheduler", "local", "--format", "json"
    )
    assert serial.returncode == 0 and dask.returncode == 0, dask.stderr
    assert serial.stdout == dask.stdout


def test_unreachable_scheduler(tmp_path):
    r = run_cli("run", "--replicates", "2", "--scheduler", "tcp://127.0.0.1:1", "--out", str(tmp_path / "res"))
    assert r.returncode == 2 and "--scheduler" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "res").exists()


def test_run_table_and_out_dir(tmp_path):
    out = tmp_path / "res"
    r = run_cli("run", str(SCENARIOS / "plan.toml"), "--replicates", "2", "--set", "scale=0.1", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "scale 0.1" in r.stdout and "高新技术" in r.stdout and "High-tech" not in r.stdout  # --lang zh, the default
    table = pd.read_csv(out / "indicators.csv")
    assert list(table.columns) == ["scenario", "replicate", "seed", "draw", "scale", "year", "indicator", "value"]
    assert set(table.replicate) == {0, 1} and (table.scale == 0.1).all() and (table.scenario == "plan").all()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {"innosim_version", "scenario", "scenario_hash", "replicate_seeds", "started", "finished"} <= set(manifest)
    assert manifest["scenario"]["policy"]["rd_subsidy"]["budget"] == 2.6


def test_csv_format():
    r = run_cli("run", "--replicates", "1", "--set", "scale=0.05", "--format", "csv")
    assert r.returncode == 0 and r.stdout.startswith("indicator,year,median,p05,p95,unit,scale")


BAD = {
    "malformed": ("name = \n", "not valid TOML"),
    "typo": ("[policy.talent_card]\nbugdet = 1\n", "policy.talent_card.bugdet"),
    "wrong_type": ('scale = "half"\n', "scale"),
    "out_of_range": ("[policy.rd_subsidy]\nbudget = -2\n", "policy.rd_subsidy.budget"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_scenario_file(tmp_path, case):
    text, field = BAD[case]
    path = tmp_path / f"{case}.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    for args in (("run", str(path), "--out", str(out)), ("validate", str(path))):
        r = run_cli(*args)
        assert r.returncode == 2, r.stdout
        assert str(path) in r.stderr.replace("\n", "") and field in r.stderr
        assert "Traceback" not in r.stderr + r.stdout
    assert not out.exists()


@pytest.mark.parametrize(
    "args, words",
    [
        (("--set", "policy.talent_crd.budget=1"), ["--set", "policy.talent_crd.budget", "did you mean"]),
        (("--set", "nonsense"), ["--set", "PATH=VALUE"]),
        (("--set", "scale=2"), ["scale", "less than or equal to 1"]),
    ],
)
def test_bad_set(tmp_path, args, words):
    out = tmp_path / "out"
    r = run_cli("run", *args, "--out", str(out))
    assert r.returncode == 2
    for w in words:
        assert w in r.stderr
    assert "Traceback" not in r.stderr and not out.exists()


def test_missing_file(tmp_path):
    r = run_cli("run", str(tmp_path / "nope.toml"), "--out", str(tmp_path / "out"))
    assert r.returncode == 2 and "nope.toml" in r.stderr and "file not found" in r.stderr
    assert "Traceback" not in r.stderr and not (tmp_path / "out").exists()


def test_validate_all_shipped_scenarios():
    files = sorted(str(p) for p in SCENARIOS.glob("*.toml"))
    r = run_cli("validate", *files)
    assert r.returncode == 0 and r.stdout.count("ok") == len(files)


def test_indicators_levers_show():
    r = run_cli("indicators", "--format", "json")
    rows = json.loads(r.stdout)
    assert {"hte_count", "tech_contract_turnover", "spending_talent_card"} <= {x["id"] for x in rows}
    assert all(x["name_zh"] and x["name_en"] for x in rows)
    assert "人才绿卡" in run_cli("levers").stdout
    shown = run_cli("show", str(SCENARIOS / "lever_talent_card.toml")).stdout
    assert "[policy.talent_card]" in shown and "budget = 0.9" in shown


@pytest.mark.parametrize(
    "args, words",
    [
        (["app", "{tmp}/nope.toml"], ["nope.toml", "file not found"]),
        (["app", "--parameters", "posterior"], ["--parameters: posterior", "one trajectory"]),
        (["app", "--lang", "fr"], ["--lang", "is not one of 'zh', 'en'"]),
    ],
)
def test_app_refuses_bad_input_before_serving(tmp_path, args, words):
    r = run_cli(*[a.format(tmp=tmp_path) for a in args])
    assert r.returncode == 2, r.stderr
    assert all(w in r.stderr for w in words) and "Traceback" not in r.stderr and "http://" not in r.stderr


def test_a_failing_run_is_named_without_a_traceback(tmp_path, monkeypatch):
    """A model that raises in a run: one line naming the run and the error, exit 1, the traceback
    in a file, no output directory."""
    from typer.testing import CliRunner

    import innosim.simulation as simulation
    from innosim.cli.main import app

    real, seeds = simulation.run_replicate, simulation.replicate_seeds(0, 2)

    def flaky(scenario, seed, until=None, stream_roots=None):
        if seed == seeds[1]:
            raise ZeroDivisionError("boom")
        return real(scenario, seed, until, stream_roots)

    monkeypatch.setattr(simulation, "run_replicate", flaky)
    out = tmp_path / "res"
    r = CliRunner().invoke(
        app, ["run", "--replicates", "2", "--workers", "1", "--set", "scale=0.05", "--out", str(out)]
    )
    text = r.output + (r.stderr if r.stderr_bytes is not None else "")
    assert r.exit_code == 1, text
    assert f"replicate 1 (seed {seeds[1]}" in text and "ZeroDivisionError: boom" in text, text
    assert "Traceback" not in text and not out.exists()
    log = text.split("traceback in ")[1].split(")")[0].strip()
    assert "ZeroDivisionError" in open(log, encoding="utf-8").read()


def _descendants(pid: int) -> set[int]:
    """Every process started by ``pid``, and by those, from /proc."""
    from pathlib import Path

    found, todo = set(), [pid]
    while todo:
        p = todo.pop()
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def _running(pid: int) -> bool:
    from pathlib import Path

    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT"])
def test_stopping_the_app_stops_every_process_it_started(how, tmp_path):
    """SIGTERM (or Ctrl-C's SIGINT) to `innosim app` alone, not to its process group: the Solara
    server and whatever it started stop too."""
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = Path(sys.executable).with_name("innosim")
    log = tmp_path / "app.log"
    with open(log, "w") as out:
        # Ctrl-C reaches a command in a terminal's foreground, which never ignores SIGINT; a test run
        # started in the background of a non-interactive shell (`pytest &`) does ignore it, and its
        # children inherit that (the app then rightly does not stop), so the app gets it back
        proc = subprocess.Popen(
            [str(exe), "app", "--scale", "0.05", "--port", str(port)],
            stdout=out,
            stderr=out,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
    try:
        deadline = time.time() + 120
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}", timeout=2):
                    break
            except OSError:
                assert time.time() < deadline, log.read_text()
                time.sleep(0.5)
        started = _descendants(proc.pid)
        assert started, "the app started no server process"
        proc.send_signal(getattr(signal, how))
        # it stops in a second or two (APP_STOP_SECONDS bounds the server's part); the long wait is for a
        # loaded machine: this checks that it stops and what it leaves, not how fast
        assert proc.wait(timeout=60) != 0
        deadline = time.time() + 15
        while any(_running(p) for p in started) and time.time() < deadline:
            time.sleep(0.2)
        assert not [p for p in started if _running(p)], "processes of the app still run after it stopped"
    finally:
        if proc.poll() is None:
            proc.kill()


def test_an_interruption_exits_130_even_when_the_clean_up_it_interrupted_fails():
    """Ctrl-C or SIGTERM inside a library call whose ``finally`` then fails (a half rolled-back database
    session, as in a calibration on 2026-12-07): the command says "interrupted" and exits 130, not 1
    with the clean-up's traceback."""
    import typer

    from innosim.cli.common import user_errors

    with pytest.raises(typer.Exit) as stopped, user_errors():
        try:
            raise KeyboardInterrupt
        finally:
            raise RuntimeError("Can't reconnect until invalid transaction is rolled back")
    assert stopped.value.exit_code == 130
