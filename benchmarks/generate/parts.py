"""Importing a module registers its app's generator (@generator); the run order is each one's `order`."""

from benchmarks.generate import citizenship, oralman  # noqa: F401
