"""The real public sample files in `shared/samples/` beside the repository (see its SOURCES.md).

They are read in place, never copied or edited. CI lays `shared/` beside the clone; a missing
sample is a failure in CI and a skip elsewhere.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.services import unavailable

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"


def sample_path(relative: str) -> Path:
    """The path of one sample, e.g. `cap/oasiscap_v1dot2_appendix_adot3.xml`."""
    path = SAMPLES / relative
    if not path.exists():
        unavailable(f"the shared sample {path} is not on this machine")
    return path


def sample_bytes(relative: str) -> bytes:
    """The bytes of one sample."""
    return sample_path(relative).read_bytes()
