"""Participation across a campaign (全覆盖, issue 14).

Input side: exemptions.py 免计 (rules and the engine's select) · offline.py offline participation
(rules and the engine's select) · offline_import.py its xlsx import · input_forms.py, input_views.py
the pages · input_plugin.py their registration.
"""


def init_app(app) -> None:
    """Register the participation pages, menu entries and audit labels."""
    from app.participation.input_plugin import init_input

    init_input(app)
