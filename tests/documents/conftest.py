from tests.citizenship.conftest import administrator, analyst, caseworker, other_caseworker  # noqa: F401
