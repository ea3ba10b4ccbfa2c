"""All models, imported here so `Base.metadata` is complete for Alembic and tests."""

from db.models.daily import EvaluationConfirmation, FirstContact
from db.models.evaluation import EvaluationEntry, EvaluationResult, EvaluationRun
from db.models.people import AuditEntry, Consent, Invite, Person, StaffRole, Station, StationCounter
from db.models.questions import KbFeedback, Question, QuestionMessage
from db.models.requests import RequestEvent, ServiceRequest, VolunteerApplication
from db.models.runtime import Delivery, PersistedState
from db.models.work import ActivityGroup, ActivityLog, SupervisionSession

__all__ = [
    "ActivityGroup",
    "ActivityLog",
    "AuditEntry",
    "Consent",
    "Delivery",
    "EvaluationConfirmation",
    "EvaluationEntry",
    "EvaluationResult",
    "EvaluationRun",
    "FirstContact",
    "Invite",
    "KbFeedback",
    "PersistedState",
    "Person",
    "Question",
    "QuestionMessage",
    "RequestEvent",
    "ServiceRequest",
    "StaffRole",
    "Station",
    "StationCounter",
    "SupervisionSession",
    "VolunteerApplication",
]
