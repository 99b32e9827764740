import django_filters

from citizenship.models import Basis, CitizenshipApplication, State


class CitizenshipApplicationFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=State.choices)
    basis = django_filters.MultipleChoiceFilter(choices=Basis.choices)
    overdue = django_filters.BooleanFilter(field_name="overdue")
    submitted_from = django_filters.DateFilter(field_name="submitted_on", lookup_expr="gte")
    submitted_to = django_filters.DateFilter(field_name="submitted_on", lookup_expr="lte")

    class Meta:
        model = CitizenshipApplication
        fields = ["region", "person", "former_citizenship"]
