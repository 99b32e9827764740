"""Site-level pages that are not the admin or the API (public document verification lives in
the app that issues the documents and is included here)."""

urlpatterns: list = []
