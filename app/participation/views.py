"""The participation settings page (organisers): per campaign, each figure's required / target /
weight / counts-for-coverage. Thin: the rules are in settings.py; one commit per request."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.campaigns.models import Campaign
from app.common.access import Role, roles_required
from app.extensions import db
from app.participation.forms import field_groups, settings_form, submitted_settings
from app.participation.settings import columns_for, save_settings

bp = Blueprint("participation_settings", __name__, url_prefix="/participation/settings")


@bp.route("/<int:campaign_id>", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def edit(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    columns = columns_for(campaign)
    form = settings_form(columns)
    if form.validate_on_submit():
        changed = save_settings(current_user, campaign, submitted_settings(form, columns))
        db.session.commit()
        flash(_("已保存 %(count)s 项设置", count=len(changed)) if changed else _("设置没有变化"), "success")
        return redirect(url_for("participation_settings.edit", campaign_id=campaign.id))
    status = 400 if form.is_submitted() else 200
    return render_template("participation/settings.html", campaign=campaign, form=form,
                           groups=field_groups(form, columns)), status

