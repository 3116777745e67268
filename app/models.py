"""Import every model module so metadata is complete (migrations, create_all, tests)."""
from app.accounts.models import LoginSession, LoginThrottle, RoleGrant, User  # noqa: F401
from app.audit.models import AuditEntry  # noqa: F401
from app.campaigns.models import Campaign, CampaignPhase  # noqa: F401
from app.common.data_versions import DataChange, DataVersion  # noqa: F401
from app.common.jobs import Job  # noqa: F401
from app.participation import models as participation_models  # noqa: F401
from app.units.models import PartyGroup, Unit  # noqa: F401
from events.checkin import models as checkin_models  # noqa: F401
from events.exhibition import award_models as exhibition_award_models  # noqa: F401
from events.exhibition import models as exhibition_models  # noqa: F401
from events.exhibition import round_models as exhibition_round_models  # noqa: F401
from events.speech import models as speech_models  # noqa: F401
from quizzes import models as quiz_models  # noqa: F401
