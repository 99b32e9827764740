"""Import order is run order: each module registers its app's generator with @generator."""

from benchmarks.generate import (
    citizenship,  # noqa: F401
    oralman,  # noqa: F401
)
