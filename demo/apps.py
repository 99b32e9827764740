from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The top layer: `manage.py load_demo` gathers each app's `demo.py` (core knows no domain app)."""

    name = "demo"
    verbose_name = "Demo data"
