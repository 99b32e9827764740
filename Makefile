# Two commands for a newcomer: `make demo` and `make test`. Both create .venv and install.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
# The suite runs in two processes (pytest-xdist): each has its own test database and Celery queue;
# the tests that run a real Celery worker share one of them (xdist_group, tests/conftest.py).
PYTEST_ARGS ?= -n 2 --dist loadgroup
VENV := .venv
BIN := $(VENV)/bin
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install demo demo-stop test lint format messages bench bench-smoke loadtest worker beat

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

demo: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

demo-stop:
	$(BIN)/python -m core.embedded_db stop

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Needs GNU gettext (msgfmt); the compiled .mo files are committed so installs do not need it.
messages: install
	for app in core oralman adaptation_centers quotas citizenship notifications documents benchmarks; do \
		(cd $$app && ../$(BIN)/python ../manage.py makemessages -l ru -l kk -l en --no-obsolete); done
	# Project templates and config into ./locale. A bare `--ignore=core` would also skip
	# templates/admin/core, hence the `app/*.*` patterns.
	$(BIN)/python manage.py makemessages -l ru -l kk -l en --no-obsolete --ignore=.venv --ignore='tests/*.*' \
		$(foreach app,core oralman adaptation_centers quotas citizenship notifications documents benchmarks,--ignore='$(app)/*.*')
	$(BIN)/python manage.py compilemessages --ignore=.venv

bench: install
	$(BIN)/python manage.py bench $(BENCH_ARGS)

bench-smoke: install
	$(BIN)/python manage.py bench --smoke

# Load test: gunicorn (3 workers) on the bench database, locust headless for LOADTEST_TIME (2m),
# caseworkers, clerks and analysts at once; prints throughput, p95 and errors (docs/operations.md).
loadtest: install
	BIN=$(BIN) bash loadtest/run.sh

worker: install
	$(BIN)/celery -A config worker -l info

beat: install
	$(BIN)/celery -A config beat -l info
