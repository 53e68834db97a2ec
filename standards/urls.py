from django.urls import path

from .views import catalogue

app_name = "standards"

urlpatterns = [
    path("", catalogue.commitment_list, name="index"),
    path("glossary/", catalogue.glossary, name="glossary"),
    path("editions/<int:edition_id>/", catalogue.commitment_list, name="edition"),
    path(
        "editions/<int:edition_id>/commitments/<int:number>/",
        catalogue.commitment_detail,
        name="commitment",
    ),
]
