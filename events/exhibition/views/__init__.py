"""The exhibition blueprint, one child blueprint per area: member (投稿), gallery (展厅), manage (set-up),
review (审核), files (originals, catalogue, ZIP), rounds (评审轮次, organisers), judge (评审, the
judges' tablet pages) and awards (评选结果, 人气奖). Endpoints read exhibition.<area>.<view>."""
from flask import Blueprint, request

UPLOAD_STREAM_LIMIT = 101 * 1024 * 1024  # above any exhibition's own limit (at most 100 MB)


def build_blueprint() -> Blueprint:
    from events.exhibition.views import awards, files, gallery, judge, manage, member, review, rounds

    parent = Blueprint("exhibition", __name__, url_prefix="/exhibition")
    for module in (member, gallery, manage, review, files, rounds, judge, awards):
        parent.register_blueprint(module.bp)
    return parent


def lift_upload_limit() -> None:
    """The staging upload may be larger than the platform's MAX_CONTENT_LENGTH (an exhibition allows up
    to 100 MB a photo); the view refuses what its exhibition does not allow, before reading it whole.
    Runs first among the app's before_request functions: the input boundary's look at the form would
    otherwise open the body with the smaller limit."""
    if request.endpoint == "exhibition.member.stage":
        request.max_content_length = UPLOAD_STREAM_LIMIT
