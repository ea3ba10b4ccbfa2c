"""All models, imported here so `Base.metadata` is complete for Alembic and tests."""

from db.models.cases import AgencyReferral, Case, CaseCounter, CaseEvent, CaseRecord, WalkIn
from db.models.daily import EvaluationConfirmation, FirstContact
from db.models.evaluation import EvaluationEntry, EvaluationResult, EvaluationRun
from db.models.people import AuditEntry, Consent, Invite, Person, StaffRole, Station, StationCounter
from db.models.questions import KbFeedback, Question, QuestionMessage
from db.models.records import (
    EvidenceFile,
    RecordFieldValue,
    SupervisionDetail,
    SupervisionSupervisee,
)
from db.models.requests import RequestEvent, ServiceRequest, VolunteerApplication
from db.models.runtime import Delivery, PersistedState
from db.models.volunteering import (
    HoursCertificate,
    ResidentAttendance,
    VolunteerActivity,
    VolunteerSignup,
)
from db.models.work import ActivityGroup, ActivityLog, SupervisionSession

__all__ = [
    "ActivityGroup",
    "ActivityLog",
    "AgencyReferral",
    "AuditEntry",
    "Case",
    "CaseCounter",
    "CaseEvent",
    "CaseRecord",
    "Consent",
    "Delivery",
    "EvaluationConfirmation",
    "EvaluationEntry",
    "EvaluationResult",
    "EvaluationRun",
    "EvidenceFile",
    "FirstContact",
    "HoursCertificate",
    "Invite",
    "KbFeedback",
    "PersistedState",
    "Person",
    "Question",
    "QuestionMessage",
    "RecordFieldValue",
    "RequestEvent",
    "ResidentAttendance",
    "ServiceRequest",
    "StaffRole",
    "Station",
    "StationCounter",
    "SupervisionDetail",
    "SupervisionSession",
    "SupervisionSupervisee",
    "VolunteerActivity",
    "VolunteerApplication",
    "VolunteerSignup",
    "WalkIn",
]
