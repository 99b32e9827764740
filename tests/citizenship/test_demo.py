import random

from citizenship.demo import load_demo
from citizenship.models import CitizenshipApplication, HistoricalAdmission
from tests.citizenship import factories as f
from tests.factories import PersonFactory


def test_the_demo_data_goes_through_the_services_and_loads_once(db, caseworker, administrator):
    for _ in range(6):
        f.kandas()
    PersonFactory.create_batch(4)
    users = {"caseworker.pavlodar": caseworker, "admin": administrator}
    load_demo(rng=random.Random(7), users=users)
    count = CitizenshipApplication.objects.count()
    assert count == 10
    assert HistoricalAdmission.objects.exists()
    assert all(app.transitions.exists() for app in CitizenshipApplication.objects.all())
    load_demo(rng=random.Random(7), users=users)
    assert CitizenshipApplication.objects.count() == count
