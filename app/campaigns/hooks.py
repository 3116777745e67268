"""Where other features plug their activities into a campaign page.

A feature that hangs activities off a campaign (knowledge quizzes, speech contests, …) registers a
section once, at import time of its own package, e.g. in quizzes/views.py:

    from app.campaigns.hooks import register_activity_section

    def _quiz_section(campaign, user):
        quizzes = quiz_services.quizzes_for_campaign(campaign, user)
        return {"quizzes": quizzes} if quizzes else None      # None hides the section

    register_activity_section("quizzes/_campaign_section.html", _quiz_section)

The campaign page (templates/campaigns/show.html, `{% block activities %}`) includes each section's
template in registration order. The template sees the page context (`campaign`, `today`,
`current_user`, …) plus `section`, the dict its context function returned.
"""
from collections.abc import Callable
from dataclasses import dataclass

from app.accounts.models import User
from app.campaigns.models import Campaign

SectionContext = Callable[[Campaign, User], dict | None]


@dataclass(frozen=True)
class ActivitySection:
    template: str
    context: SectionContext | None = None


ACTIVITY_SECTIONS: list[ActivitySection] = []


def register_activity_section(template: str, context: SectionContext | None = None) -> None:
    """Add a section to every campaign page (registering the same template again replaces it)."""
    ACTIVITY_SECTIONS[:] = [section for section in ACTIVITY_SECTIONS if section.template != template]
    ACTIVITY_SECTIONS.append(ActivitySection(template, context))


def activity_sections(campaign: Campaign, user: User) -> list[tuple[str, dict]]:
    """(template, section data) for each registered section that has something to show."""
    shown = []
    for section in ACTIVITY_SECTIONS:
        data = section.context(campaign, user) if section.context else {}
        if data is not None:
            shown.append((section.template, data))
    return shown
