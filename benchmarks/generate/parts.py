"""Import order is run order: each module registers its app's generator with @generator."""

from benchmarks.generate import oralman  # noqa: F401
