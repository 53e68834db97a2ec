from django.urls import path

from .views import dashboards, exports, jobs, measures, pages, process_changes

app_name = "reports"

urlpatterns = [
    path("wards/<int:ward_id>/dashboard/", dashboards.ward_dashboard, name="ward_dashboard"),
    path("trusts/<int:trust_id>/dashboard/", dashboards.trust_dashboard, name="trust_dashboard"),
    path(
        "trusts/<int:trust_id>/process-changes/add/",
        process_changes.process_change_add,
        name="process_change_add",
    ),
    path(
        "trusts/<int:trust_id>/process-changes/<int:change_id>/remove/",
        process_changes.process_change_remove,
        name="process_change_remove",
    ),
    path("rounds/<int:round_id>/report/", jobs.request_ward_report, name="request_ward_report"),
    path("trusts/<int:trust_id>/board-pack/", jobs.request_board_pack, name="request_board_pack"),
    path("rounds/<int:round_id>/report/view/", pages.ward_report_page, name="ward_report_page"),
    path("trusts/<int:trust_id>/board-pack/view/", pages.board_pack_page, name="board_pack_page"),
    path("reports/<int:job_id>/", jobs.job_detail, name="job_detail"),
    path("reports/<int:job_id>/download/", jobs.job_download, name="job_download"),
    path("reports/<int:job_id>/retry/", jobs.job_retry, name="job_retry"),
    path(
        "wards/<int:ward_id>/export/<str:dataset>.<str:fmt>",
        exports.ward_export,
        name="ward_export",
    ),
    path(
        "trusts/<int:trust_id>/export/",
        exports.request_trust_export,
        name="request_trust_export",
    ),
]

urlpatterns += [
    path("wards/<int:ward_id>/measures/", measures.ward_measures, name="ward_measures"),
    path("wards/<int:ward_id>/measures/enter/", measures.measure_enter, name="measure_enter"),
    path(
        "trusts/<int:trust_id>/measures/import/",
        measures.measure_import_upload,
        name="measure_import",
    ),
    path(
        "trusts/<int:trust_id>/measures/new/",
        measures.trust_measure_add,
        name="trust_measure_add",
    ),
    path(
        "trusts/<int:trust_id>/measures/import/apply/",
        measures.measure_import_apply,
        name="measure_import_apply",
    ),
]
