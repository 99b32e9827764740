from rest_framework.pagination import PageNumberPagination

from core.pagination import EstimatedCountPaginator


class StandardPagination(PageNumberPagination):
    django_paginator_class = EstimatedCountPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
