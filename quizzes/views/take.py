from flask import Blueprint

bp = Blueprint("take", __name__, url_prefix="")
