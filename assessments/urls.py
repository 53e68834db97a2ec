from django.urls import path

from .views import actions, agreeing, evidence, rounds, scoring, signing

app_name = "assessments"

urlpatterns = [
    path("wards/<int:ward_id>/", rounds.ward_detail, name="ward_detail"),
    path("wards/<int:ward_id>/rounds/new/", rounds.round_create, name="round_create"),
    path("rounds/<int:round_id>/", rounds.round_detail, name="round_detail"),
    path("rounds/<int:round_id>/scorers/", rounds.round_scorers, name="round_scorers"),
    path("rounds/<int:round_id>/start-scoring/", rounds.start_scoring, name="start_scoring"),
    path("rounds/<int:round_id>/close-scoring/", rounds.close_scoring, name="close_scoring"),
    path(
        "rounds/<int:round_id>/closes-on/",
        rounds.scoring_closes_on,
        name="scoring_closes_on",
    ),
    path(
        "rounds/<int:round_id>/agree/meeting/<int:position>/",
        agreeing.meeting,
        name="meeting",
    ),
    path(
        "rounds/<int:round_id>/finish-agreeing/", agreeing.finish_agreeing, name="finish_agreeing"
    ),
    path(
        "rounds/<int:round_id>/return-to-agreeing/",
        rounds.return_to_agreeing,
        name="return_to_agreeing",
    ),
    path("rounds/<int:round_id>/score/", scoring.score_start, name="score_start"),
    path("rounds/<int:round_id>/score/submit/", scoring.score_submit, name="score_submit"),
    path(
        "rounds/<int:round_id>/score/submitted/",
        scoring.score_submitted,
        name="score_submitted",
    ),
    path(
        "rounds/<int:round_id>/score/<int:number>/",
        scoring.score_commitment,
        name="score_commitment",
    ),
    path("rounds/<int:round_id>/agree/", agreeing.agree_overview, name="agree_overview"),
    path(
        "rounds/<int:round_id>/agree/<int:number>/",
        agreeing.agree_commitment,
        name="agree_commitment",
    ),
    path(
        "rounds/<int:round_id>/agree/standards/<int:standard_id>/",
        agreeing.agree_standard,
        name="agree_standard",
    ),
    path("rounds/<int:round_id>/evidence/new/", evidence.evidence_create, name="evidence_create"),
    path(
        "evidence/<int:evidence_id>/download/",
        evidence.evidence_download,
        name="evidence_download",
    ),
    path("evidence/<int:evidence_id>/delete/", evidence.evidence_delete, name="evidence_delete"),
    path("rounds/<int:round_id>/actions/", actions.action_list, name="action_list"),
    path("rounds/<int:round_id>/actions/new/", actions.action_create, name="action_create"),
    path("actions/<int:action_id>/edit/", actions.action_edit, name="action_edit"),
    path("rounds/<int:round_id>/sign/", signing.sign, name="sign"),
    path("rounds/<int:round_id>/reopen/", signing.reopen, name="reopen"),
    path("rounds/<int:round_id>/summary/", signing.summary, name="summary"),
    path("rounds/<int:round_id>/history/", signing.history, name="history"),
]
