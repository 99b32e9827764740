"""Search over related fields that PostgreSQL can answer from indexes.

The admin (and DRF's SearchFilter) turn `search_fields = ["applicant__surname", ...,
"=status__certificate_number"]` into ONE WHERE over a join: `UPPER(person.surname) LIKE ... OR
... OR kandasstatus.certificate_number ...`. An OR that spans two tables cannot use any index: the
database joins every application of the scope to its person and status and filters afterwards
(seconds at national scale). `indexed_search` asks the same question per related table instead:

    id IN (SELECT id FROM application WHERE applicant_id IN
               (SELECT id FROM person WHERE UPPER(surname) LIKE ... OR ...)       -- BitmapOr of indexes
           UNION SELECT application_id FROM kandasstatus WHERE UPPER(certificate_number) = ...)

Same lookups, same results (icontains / iexact / istartswith as the admin's ^ = @ prefixes), but
each subquery is answered by that table's indexes (trigram GIN indexes on UPPER(name) for
icontains, btree on UPPER(number) for iexact). A term that a field's validators reject (letters in
an IIN) cannot be stored in that field, so that condition is left out instead of scanning for it; a
term without letters (an IIN, a number) is compared as it is (`iin = term`, served by the plain
btree), since UPPER() cannot change it.

Wire it with `IndexedSearchAdminMixin` on a ModelAdmin (before ModelAdmin in the bases) or
`IndexedSearchFilter` as a DRF filter backend.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from functools import reduce
from operator import or_

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Q, QuerySet
from django.utils.text import smart_split, unescape_string_literal
from rest_framework.filters import SearchFilter

from core import authz

PREFIXES = {"^": "istartswith", "=": "iexact", "@": "search", "$": "iregex"}

# model -> matcher(queryset, term) -> the rows the term describes. An app registers the one matcher
# of its model (oralman registers the person matcher), and every search field that reaches that
# model through relations (``applicant__surname``, ``family__head__iin``) asks the matcher instead
# of comparing the listed fields letter by letter.
_MATCHERS: dict[type, Callable[[QuerySet, str], QuerySet]] = {}


def register_matcher(model, matcher: Callable[[QuerySet, str], QuerySet]) -> None:
    _MATCHERS[model] = matcher


def _matched_relation(model, parts: list[str]) -> tuple[str, type] | None:
    """('family__head', Person) for ['family', 'head', 'surname'] when Person has a matcher."""
    opts, path = model._meta, []
    for part in parts[:-1]:
        try:
            field = opts.get_field(part)
        except FieldDoesNotExist:
            return None
        if not field.is_relation or field.related_model is None:
            return None
        path.append(part)
        if field.related_model in _MATCHERS:
            return "__".join(path), field.related_model
        opts = field.related_model._meta
    return None


def _split(spec: str) -> tuple[list[str], str]:
    """'=applicant__iin' -> (['applicant', 'iin'], 'iexact')."""
    lookup = PREFIXES.get(spec[:1])
    path = spec[1:] if lookup else spec
    return path.split("__"), lookup or "icontains"


def _accepts(model, parts: list[str], lookup: str, term: str) -> bool:
    """False when the term can never equal a stored value of that field (its validators say so)."""
    if lookup not in ("iexact", "exact"):
        return True
    opts = model._meta
    field = None
    for part in parts:
        try:
            field = opts.get_field(part)
        except FieldDoesNotExist:
            return True
        if field.is_relation and field.related_model is not None:
            opts = field.related_model._meta
    if field is None or field.is_relation:
        return True
    try:
        for validator in field.validators:
            validator(term)
    except ValidationError:
        return False
    return not (getattr(field, "max_length", None) and len(term) > field.max_length)


def term_condition(model, search_fields: list[str], term: str, *, user=None) -> Q:
    """One term against every search field, as `pk IN (<one indexed subquery per table> UNION ...)`.

    A UNION of primary keys (rather than `a IN (...) OR b IN (...)`) lets PostgreSQL fetch just the
    matching rows by primary key, instead of filtering every row of the scope through two hashes."""
    local: list[Q] = []
    related: dict[str, list[Q]] = defaultdict(list)
    matched: dict[str, type] = {}
    for spec in search_fields:
        parts, lookup = _split(str(spec))
        if (found := _matched_relation(model, parts)) is not None:
            matched[found[0]] = found[1]
            continue
        if not _accepts(model, parts, lookup, term):
            continue
        if lookup == "iexact" and term.upper() == term.lower():
            # A term with no letters (an IIN, a number): UPPER(col) = term holds exactly when
            # col = term, and the plain comparison is what the column's (unique) btree answers.
            lookup = "exact"
        if len(parts) == 1:
            local.append(Q(**{f"{parts[0]}__{lookup}": term}))
        else:
            related[parts[0]].append(Q(**{f"{'__'.join(parts[1:])}__{lookup}": term}))
    manager = model._default_manager
    branches = []
    if local:
        branches.append(manager.filter(reduce(or_, local)).order_by().values("pk"))
    for name, inner in related.items():
        field = model._meta.get_field(name)
        target = field.related_model._default_manager.filter(reduce(or_, inner))
        if field.concrete:  # a forward foreign key / one-to-one: rows whose applicant matches
            branches.append(manager.filter(**{f"{field.attname}__in": target.values("pk")}).order_by().values("pk"))
        else:  # a reverse relation: the related rows point at ours
            branches.append(target.order_by().values(field.field.attname))
    for path, target_model in matched.items():
        # Only the rows the user may reach (core.authz): a caseworker's region narrows the index
        # lookups, instead of matching a common name across the whole country first.
        base = authz.scoped(user, target_model) if user is not None else target_model._default_manager.all()
        rows = _MATCHERS[target_model](base, term).order_by().values("pk")
        branches.append(manager.filter(**{f"{path}__in": rows}).order_by().values("pk"))
    if not branches:
        return Q(pk__in=[])
    if len(branches) == 1:
        return Q(pk__in=branches[0])
    return Q(pk__in=branches[0].union(*branches[1:]))


def indexed_search(queryset: QuerySet, search_fields: list[str], search_term: str, *, user=None) -> QuerySet:
    """Every term must match one of the fields (the admin's semantics), each by indexed subqueries."""
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        queryset = queryset.filter(term_condition(queryset.model, search_fields, bit, user=user))
    return queryset


# Up to this many rows found, a search hands PostgreSQL their ids rather than the subquery.
RESOLVED_IDS_MAX = 2000


def resolved(queryset: QuerySet, found: QuerySet) -> QuerySet:
    """`queryset` narrowed to the rows of `found` (a search of it), by their ids when there are at
    most RESOLVED_IDS_MAX of them: the search runs once, and the page and its count then fetch the
    rows by primary key, instead of each running the search again as a subquery (and PostgreSQL
    misjudging how many rows it yields). A search that finds more keeps the subquery."""
    ids = list(found.order_by().values_list("pk", flat=True)[: RESOLVED_IDS_MAX + 1])
    if len(ids) > RESOLVED_IDS_MAX:
        return found
    return queryset.filter(pk__in=ids)


class IndexedSearchAdminMixin:
    def get_search_results(self, request, queryset, search_term):
        search_fields = self.get_search_fields(request)
        if not search_fields or not search_term:
            return queryset, False
        # Subqueries never multiply rows, so the changelist needs no DISTINCT.
        found = indexed_search(queryset, list(search_fields), search_term, user=request.user)
        return resolved(queryset, found), False


class IndexedSearchFilter(SearchFilter):
    """The API's `?search=`: the admin's indexed search (the person matcher within the user's scope).

    The rows found are read first (one query, a few hundred ids) and the list is then filtered by
    those ids. Given the subquery itself, PostgreSQL misjudges how many rows it yields and, for a
    page of 50 newest first, walks the ordering's index through the whole region, probing the
    subquery row by row (1.1 s at 1,000,000 persons); given the ids, it fetches them by primary key
    and sorts them. A search that finds more than RESOLVED_IDS_MAX rows keeps the subquery."""

    def filter_queryset(self, request, queryset, view):
        search_fields = self.get_search_fields(view, request)
        terms = " ".join(self.get_search_terms(request))
        if not search_fields or not terms:
            return queryset
        return resolved(queryset, indexed_search(queryset, list(search_fields), terms, user=request.user))
