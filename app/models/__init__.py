"""All tables, imported here so that ``SQLModel.metadata`` is complete for Alembic."""

from app.models.base import SQLModel
from app.models.consent import (
    AnswerRoute,
    ConsentAnswer,
    ConsentRequest,
    ConsentRequestStatus,
    ConsentResponse,
    ConsentStatus,
)
from app.models.disputes import (
    OPEN_DISPUTE_STATUSES,
    CalendarFeed,
    Dispute,
    DisputeCategory,
    DisputeMessage,
    DisputeResponseDocument,
    DisputeStatus,
    MessageKind,
    ReferenceCounter,
    SavedReply,
    WaitingOn,
    open_dispute,
)
from app.models.identity.api_clients import ApiClient, ApiClientKind
from app.models.identity.sessions import Audience, EmailLink, LinkPurpose, UserSession
from app.models.identity.staff import (
    AuthFailure,
    Employee,
    EmployeeStatus,
    EmployeeType,
    PasswordHistory,
    RecoveryCode,
    Role,
    TotpFactor,
    WebAuthnCredential,
)
from app.models.incidents import (
    EventKind,
    Incident,
    IncidentAttachment,
    IncidentEvent,
    IncidentNotice,
    IncidentRecipient,
    IncidentReview,
    IncidentSeverity,
    IncidentStatus,
    NoticeKind,
    NoticeMethod,
    RecipientSource,
    ReporterType,
)
from app.models.platform.audit import AuditEvent
from app.models.platform.documents import Document
from app.models.platform.idempotency import IdempotencyRecord
from app.models.platform.jobs import JobState
from app.models.platform.outbox import OutboxMessage, OutboxStatus
from app.models.roster import EnrollmentStatus, Guardian, Guardianship, Student
from app.models.roster_imports import ImportSource, ImportStatus, RosterImport
from app.models.sharing import Disclosure, DisclosureBasis
from app.models.vendors import (
    Dpa,
    DpaAdoption,
    DpaStatus,
    DpaTemplate,
    Vendor,
    VendorContact,
    VendorStatus,
)
from app.models.workforce import OffboardingChecklist, OffboardingItem, OffboardingTask

metadata = SQLModel.metadata

__all__ = [
    "OPEN_DISPUTE_STATUSES",
    "AnswerRoute",
    "ApiClient",
    "ApiClientKind",
    "Audience",
    "AuditEvent",
    "AuthFailure",
    "CalendarFeed",
    "ConsentAnswer",
    "ConsentRequest",
    "ConsentRequestStatus",
    "ConsentResponse",
    "ConsentStatus",
    "Disclosure",
    "DisclosureBasis",
    "Dispute",
    "DisputeCategory",
    "DisputeMessage",
    "DisputeResponseDocument",
    "DisputeStatus",
    "Document",
    "Dpa",
    "DpaAdoption",
    "DpaStatus",
    "DpaTemplate",
    "EmailLink",
    "Employee",
    "EmployeeStatus",
    "EmployeeType",
    "EnrollmentStatus",
    "EventKind",
    "Guardian",
    "Guardianship",
    "IdempotencyRecord",
    "ImportSource",
    "ImportStatus",
    "Incident",
    "IncidentAttachment",
    "IncidentEvent",
    "IncidentNotice",
    "IncidentRecipient",
    "IncidentReview",
    "IncidentSeverity",
    "IncidentStatus",
    "JobState",
    "LinkPurpose",
    "MessageKind",
    "NoticeKind",
    "NoticeMethod",
    "OffboardingChecklist",
    "OffboardingItem",
    "OffboardingTask",
    "OutboxMessage",
    "OutboxStatus",
    "PasswordHistory",
    "RecipientSource",
    "RecoveryCode",
    "ReferenceCounter",
    "ReporterType",
    "Role",
    "RosterImport",
    "SavedReply",
    "Student",
    "TotpFactor",
    "UserSession",
    "Vendor",
    "VendorContact",
    "VendorStatus",
    "WaitingOn",
    "WebAuthnCredential",
    "metadata",
    "open_dispute",
]
