"""Importing a module registers its app's generator (@generator); the run order is each one's `order`."""

from benchmarks.generate import adaptation_centers, citizenship, oralman, quotas  # noqa: F401
