"""Bad bytes get a clear refusal: every file innosim reads is checked before it is parsed.

A scenario, an experiment file, a calibration config and a posterior CSV that is UTF-16 or
GBK text, random bytes, holds a NUL byte, is empty or is 100 MB: exit 2, one line naming the
file and the problem, no traceback, nothing written. A UTF-8 file with a byte-order mark and
Windows line endings simply works.
"""

from __future__ import annotations

import codecs

import pytest

from conftest import SCENARIOS, run_cli
from innosim import load_scenario
from innosim.errors import InputError
from innosim.posterior import Posterior

SCENARIO = 'name = "bytes"\ndescription = "十四五规划措施"\n[policy.talent_card]\nbudget = 0.6\n'
SWEEP = (
    f'kind = "sweep"\nname = "bytes"\ndescription = "人才卡"\nscenario = "{SCENARIOS / "plan.toml"}"\n'
    'scale = 0.02\nreplicates = 1\n[[vary]]\npath = "policy.talent_card.budget"\nvalues = [0.3, 0.6]\n'
)
CALIBRATION = (
    'name = "bytes"\ndescription = "白云区科技创新校准"\nscale = 0.02\n[method]\npopulation = 20\nmax_generations = 1\n'
    '[[target]]\nfact = "hte_count"\n[[free]]\npath = "parameters.patent_rate"\n'
)
POSTERIOR = "weight,parameters.patent_rate\n0.5,0.05\n0.5,0.06\n"

BAD_BYTES = {
    "utf-16": (lambda text: text.encode("utf-16"), "is UTF-16 text; save it as UTF-8"),
    "utf-16 without BOM": (lambda text: text.encode("utf-16-le"), "holds a NUL byte"),
    "gbk": (lambda text: text.encode("gbk"), "is not UTF-8"),
    "random bytes": (lambda text: bytes(range(128, 256)) * 8, "is not UTF-8"),
    "nul byte": (lambda text: text.encode() + b"\x00\n", "holds a NUL byte"),
    "empty": (lambda text: b"", "is empty"),
    "whitespace only": (lambda text: b"\n  \n", "is empty"),
}

COMMANDS = {
    "scenario (run)": (SCENARIO, "s.toml", lambda f, out: ["run", str(f), "--replicates", "1", "--out", str(out)]),
    "scenario (validate)": (SCENARIO, "s.toml", lambda f, out: ["validate", str(f)]),
    "experiment (sweep)": (SWEEP, "e.toml", lambda f, out: ["sweep", str(f), "--out", str(out)]),
    "experiment (sensitivity)": (SWEEP, "e.toml", lambda f, out: ["sensitivity", str(f), "--out", str(out)]),
    "calibration config": (CALIBRATION, "c.toml", lambda f, out: ["calibrate", str(f), "--out", str(out)]),
    "posterior": (
        POSTERIOR,
        "p.csv",
        lambda f, out: ["run", "--posterior", str(f), "--replicates", "1", "--out", str(out)],
    ),
}


def _refused(args: list[str], path, words: str, out) -> None:
    r = run_cli(*args)
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert str(path) in lines[0] and words in lines[0], lines[0]
    assert "Traceback" not in r.stderr and not r.stdout
    assert not out.exists()


# A posterior CSV is ASCII: its GBK bytes are its UTF-8 bytes, so that pair is not a bad file.
PAIRS = [(case, command) for case in BAD_BYTES for command in COMMANDS if (case, command) != ("gbk", "posterior")]


@pytest.mark.parametrize(("case", "command"), PAIRS)
def test_bad_bytes_exit_2_with_one_line(tmp_path, command, case):
    text, name, args = COMMANDS[command]
    encode, words = BAD_BYTES[case]
    path = tmp_path / name
    path.write_bytes(encode(text))
    out = tmp_path / "out"
    _refused(args(path, out), path, words, out)


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_100_megabyte_file_is_refused_unread(tmp_path, command):
    text, name, args = COMMANDS[command]
    path = tmp_path / name
    with open(path, "wb") as fh:
        fh.truncate(100 * 2**20)
    out = tmp_path / "out"
    _refused(args(path, out), path, "is 100 MiB", out)


def _windows(text: str) -> bytes:
    return codecs.BOM_UTF8 + text.replace("\n", "\r\n").encode("utf-8")


def test_utf8_with_bom_and_crlf_simply_works(tmp_path):
    scenario = tmp_path / "s.toml"
    scenario.write_bytes(_windows(SCENARIO))
    plain = tmp_path / "plain.toml"
    plain.write_text(SCENARIO, encoding="utf-8")
    assert load_scenario(scenario) == load_scenario(plain)
    assert load_scenario(scenario).description == "十四五规划措施"
    posterior = tmp_path / "p.csv"
    posterior.write_bytes(_windows(POSTERIOR))
    assert Posterior.load(posterior).mean() == pytest.approx({"parameters.patent_rate": 0.055})
    sweep = tmp_path / "e.toml"
    sweep.write_bytes(_windows(SWEEP))
    r = run_cli("sweep", str(sweep), "--out", str(tmp_path / "sweep"), "--workers", "1")
    assert r.returncode == 0, r.stderr
    calibration = tmp_path / "c.toml"
    calibration.write_bytes(_windows(CALIBRATION))
    from innosim.calibration import load_calibration

    assert load_calibration(calibration).config.description == "白云区科技创新校准"
    r = run_cli(
        "run",
        str(scenario),
        "--posterior",
        str(posterior),
        "--replicates",
        "1",
        "--set",
        "scale=0.02",
        "--format",
        "json",
    )
    assert r.returncode == 0, r.stderr


BAD_POSTERIORS = {
    "no weight column": ("parameters.patent_rate\n0.05\n", "weight", "missing column"),
    "wrong column": ("weight,parameters.patent_rait\n1.0,0.05\n", "parameters.patent_rait", "not a behavioural"),
    "nan weight": ("weight,parameters.patent_rate\n,0.05\n1.0,0.06\n", "weight", "empty or non-numeric"),
    "negative weight": ("weight,parameters.patent_rate\n-1.0,0.05\n2.0,0.06\n", "weight", "negative"),
    "zero weights": ("weight,parameters.patent_rate\n0.0,0.05\n", "weight", "all zero"),
    "header only": ("weight,parameters.patent_rate\n", "", "has no rows"),
    "weights only": ("weight\n1.0\n", "", "no parameter columns"),
    "nan value": ("weight,parameters.patent_rate\n1.0,\n", "parameters.patent_rate", "empty or non-numeric"),
    "not csv": ('weight,"parameters.patent_rate\n1.0,0.05\n', "", "not a readable CSV"),
}


@pytest.mark.parametrize("case", list(BAD_POSTERIORS))
def test_bad_posterior_is_refused(tmp_path, case):
    text, field, words = BAD_POSTERIORS[case]
    path = tmp_path / "p.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=words) as err:
        Posterior.load(path)
    assert err.value.field == field and str(path) in str(err.value)
    out = tmp_path / "out"
    _refused(["run", "--posterior", str(path), "--replicates", "1", "--out", str(out)], path, words, out)


def test_library_refusals_name_options_as_keywords(tmp_path):
    """In Python, messages name options as keyword arguments; on the command line, as flags."""
    import innosim

    out = tmp_path / "sweep"
    sweep = tmp_path / "e.toml"
    sweep.write_text(SWEEP, encoding="utf-8")
    innosim.sweep(sweep, out=out, workers=1)
    with pytest.raises(InputError, match=r"resume=True to continue it or overwrite=True") as err:
        innosim.sweep(sweep, out=out, workers=1)
    assert "--" not in str(err.value)
    r = run_cli("sweep", str(sweep), "--out", str(out))
    assert r.returncode == 2 and "--resume" in r.stderr and "--overwrite" in r.stderr


def test_a_directory_or_a_missing_file_is_refused(tmp_path):
    for path, words in ((tmp_path, "is a directory"), (tmp_path / "nope.toml", "scenario file not found")):
        r = run_cli("validate", str(path))
        assert r.returncode == 2 and words in r.stderr and "Traceback" not in r.stderr, r.stderr
