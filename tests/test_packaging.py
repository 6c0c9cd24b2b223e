# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Each addon as a Python distribution, the OCA way: its ``pyproject.toml`` names the
whool build backend, which reads the distribution's name, version and requirements
from the manifest.

The three wheels are built by one ``pip wheel`` run with the whool of
test-requirements.txt, without build isolation and without an index: nothing is
fetched. No database is needed.
"""

import ast
import re
import subprocess
import sys
import zipfile
from email.parser import HeaderParser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ADDONS = ("ar_followup", "ar_followup_whatsapp", "ar_followup_telephony")


def _manifest(addon):
    return ast.literal_eval((REPO / addon / "__manifest__.py").read_text(encoding="utf-8"))


def _names(requirements):
    """The lowercase project names of requirement lines (``Jinja2>=3.1`` -> ``jinja2``)."""
    return {re.match(r"[A-Za-z0-9._-]+", line)[0].lower() for line in requirements}


@pytest.fixture(scope="module")
def wheels(tmp_path_factory):
    """{addon: path of its wheel}"""
    wheel_dir = tmp_path_factory.mktemp("wheels")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--wheel-dir",
            str(wheel_dir),
            *(str(REPO / addon) for addon in ADDONS),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    found = {}
    for addon in ADDONS:
        paths = list(wheel_dir.glob("odoo_addon_%s-*-py3-none-any.whl" % addon))
        assert len(paths) == 1, sorted(p.name for p in wheel_dir.iterdir())
        found[addon] = paths[0]
    return found


def _metadata(wheel):
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return HeaderParser().parsestr(archive.read(name).decode())


@pytest.mark.parametrize("addon", ADDONS)
def test_name_and_version_from_the_manifest(wheels, addon):
    metadata = _metadata(wheels[addon])
    version = _manifest(addon)["version"]
    assert metadata["Name"] == "odoo-addon-%s" % addon
    assert version.startswith("19.0.")
    # whool appends ".N" for the commits that changed the addon after the one that set
    # the manifest version, nothing without that history (a shallow clone, no git), and
    # ".dev1" to a manifest version not yet committed
    assert re.fullmatch(re.escape(version) + r"(\.\d+|\.dev1)?", metadata["Version"])
    assert wheels[addon].name == "odoo_addon_%s-%s-py3-none-any.whl" % (
        addon,
        metadata["Version"],
    )


@pytest.mark.parametrize("addon", ADDONS)
def test_requirements_from_the_manifest(wheels, addon):
    manifest = _manifest(addon)
    requires = set(_metadata(wheels[addon]).get_all("Requires-Dist"))
    # Odoo 19.0 itself, our addons it depends on (Odoo's own come with Odoo), and its
    # external Python dependencies
    expected = {"odoo==19.0.*"}
    expected |= {"odoo-addon-%s==19.0.*" % dep for dep in manifest["depends"] if dep in ADDONS}
    expected |= set(manifest.get("external_dependencies", {}).get("python", []))
    assert requires == expected
    if addon != "ar_followup":
        assert "odoo-addon-ar_followup==19.0.*" in requires


def test_python_requirements_are_requirements_txt(wheels):
    """The wheels together require the runtime libraries of requirements.txt, no more."""
    lines = (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines()
    listed = _names(line for line in lines if line.strip() and not line.startswith("#"))
    required = set()
    for wheel in wheels.values():
        required |= _names(_metadata(wheel).get_all("Requires-Dist"))
    assert {name for name in required if not name.startswith("odoo")} == listed


@pytest.mark.parametrize("addon", ADDONS)
def test_wheel_holds_the_addon(wheels, addon):
    with zipfile.ZipFile(wheels[addon]) as archive:
        names = archive.namelist()
        manifest = archive.read("odoo/addons/%s/__manifest__.py" % addon)
    assert manifest == (REPO / addon / "__manifest__.py").read_bytes()
    assert "odoo/addons/%s/__init__.py" % addon in names
    assert not [
        name
        for name in names
        if not name.startswith("odoo/addons/%s/" % addon) and ".dist-info/" not in name
    ]
