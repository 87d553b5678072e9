"""The radjudge kernel spec and its IPython extension."""

from __future__ import annotations

import json
import sys

from radjudge.kernel import install_kernelspec


def test_install_kernelspec_writes_a_spec_loading_the_extension(tmp_path):
    spec_dir = install_kernelspec(prefix=str(tmp_path))
    spec = json.loads((spec_dir / "kernel.json").read_text())
    assert spec_dir == tmp_path / "share" / "jupyter" / "kernels" / "radjudge"
    assert spec["argv"][0] == sys.executable
    assert "--ext=radjudge.kernel" in spec["argv"]
    assert spec["env"]["PYTHONHASHSEED"] == "0"
    # reinstalling replaces the spec instead of failing
    assert install_kernelspec(prefix=str(tmp_path)) == spec_dir


def test_project_kernel_is_installed_in_this_environment():
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("radjudge")
    assert "--ext=radjudge.kernel" in spec.argv
