"""The bundle committed under examples/ is what the current definitions build."""

from __future__ import annotations

from tests.support.obsgen_cli import describe, run_obsgen
from tests.support.paths import COMMITTED_BUNDLE, EXAMPLE_CONFIG


def test_committed_bundle_current() -> None:
    # Without options, obsgen build reads the example configuration and
    # checks the bundle folder beside it.
    result = run_obsgen("build", "--check")

    assert COMMITTED_BUNDLE == EXAMPLE_CONFIG.parent / "bundle"
    assert COMMITTED_BUNDLE.is_dir(), (
        f"{COMMITTED_BUNDLE} is missing; run python -m obsgen build and commit it"
    )
    assert result.returncode == 0, describe(result)
