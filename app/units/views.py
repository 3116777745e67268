from flask import Blueprint

bp = Blueprint("units", __name__, url_prefix="/units")
