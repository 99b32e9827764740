import django_filters
from django.db.models import Q
from django.utils import timezone

from oralman.models import OPEN_APPLICATION_STATES, ApplicationState, Person, StatusApplication


class PersonFilter(django_filters.FilterSet):
    class Meta:
        model = Person
        fields = {
            "region": ["exact"],
            "country_of_origin": ["exact"],
            "sex": ["exact"],
            "iin": ["exact"],
            "birth_date": ["exact", "gte", "lte"],
        }


class StatusApplicationFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=ApplicationState.choices)
    overdue = django_filters.BooleanFilter(method="filter_overdue")
    country_of_origin = django_filters.NumberFilter(field_name="applicant__country_of_origin")

    class Meta:
        model = StatusApplication
        fields = ["region", "channel", "applicant"]

    def filter_overdue(self, queryset, name, value):
        overdue = Q(state__in=OPEN_APPLICATION_STATES, decision_due__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)
