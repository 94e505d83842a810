"""A wheel built from this tree and installed non-editable in a fresh venv carries the schemas and
both bundled instruments. Slow (builds a wheel); runs when AKHLAK_TEST_WHEEL=1, as .ci/run sets."""

import json
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.wheel,
    pytest.mark.skipif(os.environ.get("AKHLAK_TEST_WHEEL") != "1", reason="set AKHLAK_TEST_WHEEL=1 to build and install the wheel"),
]

CHECK = r"""
import json, akhlak_levels as al
q = al.load_questionnaire("socio-emotional-levels")
b = al.load_questionnaire("berakhlak")
rs, truth = al.simulate(q, 50, random_state=0)
a = al.assess(q, rs)
[page] = al.report({"2025": a}, q, output="report.html", by=None)  # the templates come from the wheel
print(json.dumps({"file": al.__file__, "ids": al.list_questionnaires(), "n": [q.n_items, b.n_items],
                  "model": q.default_model.kind, "agree": float((a.level == truth).mean()),
                  "report": "<svg" in page.read_text(encoding="utf-8")}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)], check=True, timeout=600)
    (whl,) = out.glob("akhlak_levels-*.whl")
    return whl


def test_the_wheel_contains_schemas_and_instruments(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "akhlak_levels/schemas/questionnaire.schema.json",
        "akhlak_levels/schemas/model.schema.json",
        "akhlak_levels/schemas/responses.schema.json",
        "akhlak_levels/_bundled/socio-emotional-levels.json",
        "akhlak_levels/_bundled/berakhlak.json",
        "akhlak_levels/_bundled/berakhlak-culture-map.json",
        "akhlak_levels/_bundled/README.md",
        "akhlak_levels/reports/templates/base.html.j2",
        "akhlak_levels/reports/templates/agency.html.j2",
        "akhlak_levels/reports/templates/personal.html.j2",
        "akhlak_levels/reports/templates/style.css",
    ):
        assert expected in names


def test_a_fresh_venv_with_the_wheel_loads_both_instruments(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    # the wheel is installed non-editable first, while the venv sees nothing else; then the
    # dependencies are borrowed from this environment through a .pth file, which comes after the
    # venv's own site-packages, so the wheel's copy of akhlak_levels is the one imported
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True, timeout=300)
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    r = subprocess.run([str(py), "-c", CHECK], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["file"].startswith(str(env_dir)), info["file"]
    assert info["ids"] == ["berakhlak", "berakhlak-culture-map", "socio-emotional-levels"]
    assert info["n"] == [38, 42] and info["model"] == "theory-prior" and info["agree"] > 0.9 and info["report"]
    r = subprocess.run([str(env_dir / "bin" / "akhlak-levels"), "list"], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0 and "socio-emotional-levels" in r.stdout
