import django_filters
from django.db.models import Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.filters import SearchFilter

from oralman import matching
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


class PersonMatchFilter(SearchFilter):
    """`?search=` through the one person matcher (oralman.matching): any spelling of the name, an
    IIN or its prefix, a passport number, a date of birth; best match first unless `ordering` is
    given. Each row's `match` says why it matched."""

    search_description = _(
        "A name in any script or spelling, an IIN or its first digits, a passport number, dd.mm.yyyy."
    )

    def filter_queryset(self, request, queryset, view):
        term = " ".join(self.get_search_terms(request))
        if not term:
            return queryset
        found = matching.person_match(queryset, term).annotate(match_term=Value(term))
        if not request.query_params.get("ordering"):
            found = matching.order_by_match(found)
        return found
