"""The runner: strict profiles, real papermill execution, failure detection, manifest."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
import yaml

from conftest import ROOT, make_notebook, run_cli
from radjudge import pipeline
from radjudge.profiles import ProfileError

PROFILE = """\
description: test profile
shared:
  seed: 3
notebooks:
  01_first:
    greeting: hello
  02_second:
    n: 2
"""


def two_notebooks(second_body: str = "print(n * seed)") -> dict[str, nbformat.NotebookNode]:
    return {
        "01_first": make_notebook(
            "seed = 0\ngreeting = 'x'\nrun_dir = None\nprofile = None",
            "import os, pathlib\nprint(greeting, seed, os.getcwd())",
            "from radjudge.manifest import record_stage\n"
            "record_stage('01_first', run_dir=run_dir, cache={'hits': 1, 'misses': 0})",
        ),
        "02_second": make_notebook("seed = 0\nn = 1", second_body),
    }


def test_real_smoke_profile_rejects_unknown_parameter_before_running():
    runs_before = (
        set((ROOT / "data" / "runs").glob("*")) if (ROOT / "data" / "runs").exists() else set()
    )
    res = run_cli("run", "--profile", "smoke", "--set", "no_such_param=1")
    assert res.returncode == 2
    assert "no_such_param" in res.stderr
    assert "nothing was run" in res.stderr
    runs_after = (
        set((ROOT / "data" / "runs").glob("*")) if (ROOT / "data" / "runs").exists() else set()
    )
    assert runs_after == runs_before


def test_real_profiles_fit_the_notebooks():
    from radjudge.profiles import available_profiles, load_profile

    nbs = pipeline.discover_notebooks()
    assert [nb.number for nb in nbs][:6] == ["01", "02", "03", "04", "05", "06"]
    for name in available_profiles():
        params = pipeline.check_profile(load_profile(name), nbs)
        assert set(params) == {nb.stem for nb in nbs}


@pytest.mark.slow
def test_successful_run_writes_manifest_and_executed_copies(mini_project):
    root = mini_project(notebooks=two_notebooks(), profiles={"p": PROFILE})
    res = run_cli("run", "--profile", "p", root=root)
    assert res.returncode == 0, res.stderr
    assert "[1/2] 01_first ok in" in res.stdout and "[2/2] 02_second ok in" in res.stdout
    man = json.loads((root / "data" / "results" / "run_manifest.json").read_text())
    assert man["status"] == "ok"
    assert {"sha", "dirty"} <= set(man["git"])
    assert man["environment"]["packages"]["papermill"]
    assert man["profile"]["name"] == "p"
    assert man["profile"]["shared"] == {"seed": 3}
    assert [n["stem"] for n in man["notebooks"]] == ["01_first", "02_second"]
    assert all(n["seconds"] > 0 for n in man["notebooks"])
    assert man["cache"] == {"01_first": {"hits": 1, "misses": 0}}
    executed = root / man["notebooks"][0]["executed"]
    out = nbformat.read(executed, as_version=4)
    text = "".join(o.get("text", "") for c in out.cells for o in c.get("outputs", []))
    # parameters injected, working directory fixed to notebooks/
    assert f"hello 3 {root / 'notebooks'}" in text
    # the source notebooks are untouched
    src = nbformat.read(root / "notebooks" / "01_first.ipynb", as_version=4)
    assert all(not c.get("outputs") for c in src.cells if c.cell_type == "code")


@pytest.mark.slow
def test_manifest_never_holds_secrets(mini_project):
    secret = "sk-test-0123456789abcdef"
    nbs = two_notebooks()
    nbs["01_first"].cells.append(
        nbformat.v4.new_code_cell(
            "import os\nrecord_stage('01_first', run_dir=run_dir, extra={'leak': "
            "os.environ['MY_API_KEY']})"
        )
    )
    root = mini_project(notebooks=nbs, profiles={"p": PROFILE})
    res = run_cli("run", "--profile", "p", root=root, env={"MY_API_KEY": secret})
    assert res.returncode == 0, res.stderr
    text = (root / "data" / "results" / "run_manifest.json").read_text()
    assert secret not in text
    assert '"leak": "***"' in text


@pytest.mark.parametrize(
    ("body", "ename"),
    [
        ("x = 1\nraise ValueError('boom in cell')", "ValueError"),
        # an error displayed by the cell, which carries on: papermill does not raise
        (
            "try:\n    1/0\nexcept ZeroDivisionError:\n    "
            "get_ipython().showtraceback()\nprint('carried on')",
            "ZeroDivisionError",
        ),
        # a failing shell command: IPython only sets _exit_code
        ("!exit 3", "ShellCommandFailed"),
        # a failing magic
        ("%run does_not_exist.py", "Exception"),
    ],
    ids=["raise", "shown-traceback", "shell", "magic"],
)
@pytest.mark.slow
def test_failing_notebook_is_named_with_cell(mini_project, body, ename):
    root = mini_project(notebooks=two_notebooks(second_body=body), profiles={"p": PROFILE})
    res = run_cli("run", "--profile", "p", root=root)
    assert res.returncode == 1
    assert "notebook 02_second failed in cell 2" in res.stderr
    assert ename in res.stderr or "does_not_exist" in res.stderr
    executed = res.stderr.split("executed notebook:")[1].strip().splitlines()[0]
    assert (root / executed).is_file()
    man = json.loads((root / "data" / "results" / "run_manifest.json").read_text())
    assert man["status"] == "failed"
    assert [n["status"] for n in man["notebooks"]] == ["ok", "failed"]


@pytest.mark.slow
def test_unknown_override_and_undeclared_key_fail_before_running(mini_project):
    root = mini_project(
        notebooks=two_notebooks(),
        profiles={
            "p": PROFILE,
            "extra": "extends: p\nnotebooks:\n  02_second:\n    m: 5\n",
            "missing": "shared:\n  seed: 1\nnotebooks:\n  01_first:\n    greeting: hi\n",
        },
    )
    res = run_cli("run", "--profile", "p", "--set", "second.nn=3", root=root)
    assert res.returncode == 2 and "'nn'" in res.stderr and "Did you mean: n" in res.stderr
    res = run_cli("run", "--profile", "extra", root=root)
    assert res.returncode == 2 and "parameter 'm'" in res.stderr and "02_second" in res.stderr
    res = run_cli("run", "--profile", "missing", root=root)
    assert res.returncode == 2 and "declares parameter 'n'" in res.stderr
    assert not (root / "data" / "runs").exists()


@pytest.mark.slow
def test_set_overrides_reach_the_notebook_and_only_selects(mini_project):
    root = mini_project(notebooks=two_notebooks(), profiles={"p": PROFILE})
    res = run_cli("run", "--profile", "p", "--set", "02.n=7", "--only", "02", root=root)
    assert res.returncode == 0, res.stderr
    man = json.loads((root / "data" / "results" / "run_manifest.json").read_text())
    assert [n["stem"] for n in man["notebooks"]] == ["02_second"]
    assert man["notebooks"][0]["parameters"] == {"seed": 3, "n": 7}
    assert man["profile"]["overrides"] == ["02.n=7"]


def test_non_literal_parameters_cell_is_rejected(tmp_path: Path):
    nb = make_notebook("import os\nx = os.getcwd()")
    path = tmp_path / "01_bad.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(ProfileError, match="line 1"):
        pipeline.declared_parameters(path)
    nbformat.write(make_notebook("x = len('a')"), path)
    with pytest.raises(ProfileError, match="x must be a literal"):
        pipeline.declared_parameters(path)


def test_select_notebooks_rejects_unknown_numbers(tmp_path: Path):
    for stem in ("01_a", "02_b", "03_c"):
        nbformat.write(make_notebook("x = 1"), tmp_path / f"{stem}.ipynb")
    nbs = pipeline.discover_notebooks(tmp_path)
    assert [n.stem for n in pipeline.select_notebooks(nbs, start="2")] == ["02_b", "03_c"]
    assert [n.stem for n in pipeline.select_notebooks(nbs, only=["03", "1"])] == ["01_a", "03_c"]
    with pytest.raises(ProfileError, match="no pipeline notebook numbered '9'"):
        pipeline.select_notebooks(nbs, only=["9"])


# ---------------------------------------- issue 15: selection, secrets in outputs and manifest


def test_an_empty_selection_is_an_error_that_never_touches_the_manifest(mini_project):
    root = mini_project(notebooks=two_notebooks(), profiles={"p": PROFILE})
    manifest_path = root / "data" / "results" / "run_manifest.json"
    manifest_path.parent.mkdir(parents=True)
    manifest_path.write_text('{"previous": "run"}')
    res = run_cli("run", "--profile", "p", "--from", "02", "--only", "01", root=root)
    assert res.returncode == 2
    assert "--from 02 (notebooks 02 and later) and --only 01 select no notebook" in res.stderr
    assert manifest_path.read_text() == '{"previous": "run"}'
    assert not (root / "data" / "runs").exists()


def test_secrets_are_scrubbed_by_value_from_outputs_and_manifest(mini_project):
    """A value of any environment variable (>= 8 characters) never stays in an output."""
    by_value = "v4lue-0f-a-c0nfig-var"  # the variable's name looks harmless
    by_name = "pw-0123456789"
    nbs = two_notebooks()
    nbs["01_first"].cells.append(
        nbformat.v4.new_code_cell(
            "import os\nprint('conf:', os.environ['RADJUDGE_TEST_SETTING'])\n"
            "record_stage('01_first', run_dir=run_dir, extra={'a': os.environ['DB_PASS'], "
            "'b': os.environ['RADJUDGE_TEST_SETTING'], 'url': 'https://me:pw@host.example/v1'})"
        )
    )
    root = mini_project(notebooks=nbs, profiles={"p": PROFILE})
    env = {"RADJUDGE_TEST_SETTING": by_value, "DB_PASS": by_name, "SHORT_AUTH": "pw"}
    # a value passed by mistake on the command line: injected, printed, in the manifest
    res = run_cli(
        "run", "--profile", "p", "--set", f"first.greeting={by_value}", root=root, env=env
    )
    assert res.returncode == 0, res.stderr
    man = (root / "data" / "results" / "run_manifest.json").read_text()
    executed = json.loads(man)["notebooks"][0]["executed"]  # the whole file: metadata too
    outputs = (root / executed).read_text()
    for text in (man, outputs):
        assert by_value not in text and by_name not in text
    assert "conf: ***" in outputs
    assert '"a": "***"' in man and '"b": "***"' in man
    assert '"url": "https://***@host.example/v1"' in man


def test_credentials_in_a_url_or_a_key_as_api_key_env_are_refused_unechoed(mini_project, tmp_path):
    from radjudge.profile_schema import apply_overrides
    from radjudge.profiles import load_profile

    nbs = pipeline.discover_notebooks()
    study = load_profile("study")
    for override, says in (
        ("models.qwen2.5-72b.base_url=https://bob:hunter2pass@vllm.example/v1", "credentials"),
        ("models.qwen2.5-72b.api_key_env=sk-Live-9f8e7d6c5b4a", "NAME of an environment variable"),
        ("models.qwen2.5-72b.base_url=https://vllm.example/v1?api_key=abc123456", "its query"),
    ):
        with pytest.raises(ProfileError) as info:
            # consent given, so the URL rule (not the remote-host rule) is what refuses it
            consent = "allow_remote_phi=true"
            pipeline.check_profile(apply_overrides(study, [consent, override]), nbs)
        assert says in str(info.value)
        assert "hunter2pass" not in str(info.value) and "sk-Live" not in str(info.value)
        assert "abc123456" not in str(info.value)


def test_a_metric_without_its_reference_summarizer_fails_the_check(tmp_path: Path):
    """Real records have no gold summary: a study profile keeping ROUGE-L is refused at --check."""
    from radjudge.profiles import load_profile

    nbs = pipeline.discover_notebooks()
    bad = tmp_path / "study_with_rouge.yaml"
    study = load_profile("study").section("04_judge_sweeps")["judges"]
    bad.write_text(
        yaml.safe_dump(
            {
                "description": "study + a metric",
                "extends": "study",
                "notebooks": {
                    "04_judge_sweeps": {
                        "judges": [
                            *study,
                            {"name": "rouge-l", "mode": "metric", "metric": "rouge_l"},
                        ]
                    }
                },
            }
        )
    )
    with pytest.raises(ProfileError, match=r"judges\[rouge-l\].*reference summarizer 'gold'"):
        pipeline.check_profile(load_profile(bad), nbs)
    res = run_cli("run", "--profile", str(bad), "--check")
    assert res.returncode == 2 and "drop the metric" in res.stderr


def test_injected_parameters_keep_short_lines_and_their_values():
    """An executed notebook opens with readable parameters, not 900-character lines."""
    import ast

    from radjudge.profiles import load_profile

    prof = load_profile("demo")
    for stem, params in prof.notebooks.items():
        values = {**params, "models": prof.shared["models"]}
        source = pipeline.parameter_source(values)
        scope: dict = {}
        exec(compile(ast.parse(source), stem, "exec"), {}, scope)  # noqa: S102 - literals only
        assert scope == values, stem
        too_long = [
            line
            for line in source.splitlines()
            if len(line) > 96 and line.count('"') > 4  # more than one key and one string
        ]
        assert not too_long, (stem, too_long)
    judges = pipeline.parameter_source({"judges": prof.notebooks["04_judge_sweeps"]["judges"]})
    assert len(judges.splitlines()) > 10  # ~900 characters became lines
