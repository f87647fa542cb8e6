"""The api blueprint: its URL rules; create_app registers it."""
from flask import Blueprint

from tracker.api import attachments, auth, elections, openapi, tickets, villages, warnings
from tracker.api.common import handle_service_errors
from tracker.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
handle_service_errors(bp)

bp.add_url_rule("/auth/tokens", view_func=auth.create_token, methods=["POST"])
bp.add_url_rule("/auth/tokens/current", view_func=auth.revoke_current_token, methods=["DELETE"])
bp.add_url_rule("/openapi.json", view_func=openapi.openapi_document, methods=["GET"])
bp.add_url_rule("/visits", view_func=tickets.create_visit, methods=["POST"])
bp.add_url_rule("/tickets", view_func=tickets.list_tickets, methods=["GET"])
bp.add_url_rule("/tickets", view_func=tickets.create_ticket_view, methods=["POST"])
bp.add_url_rule("/tickets/<int:ticket_id>", view_func=tickets.ticket_detail, methods=["GET"])
bp.add_url_rule("/tickets/<int:ticket_id>", view_func=tickets.reclassify_ticket, methods=["PATCH"])
bp.add_url_rule("/tickets/<int:ticket_id>/transitions", view_func=tickets.transition_ticket, methods=["POST"])
bp.add_url_rule("/tickets/<int:ticket_id>/comments", view_func=tickets.comment_ticket, methods=["POST"])
bp.add_url_rule("/tickets/<int:ticket_id>/events", view_func=tickets.ticket_events, methods=["GET"])
bp.add_url_rule("/tickets/<int:ticket_id>/attachments", view_func=attachments.upload_attachment, methods=["POST"])
bp.add_url_rule("/tickets/<int:ticket_id>/attachments", view_func=attachments.list_attachments, methods=["GET"])
bp.add_url_rule("/attachments/<int:attachment_id>", view_func=attachments.attachment_image, methods=["GET"])
bp.add_url_rule("/villages", view_func=villages.list_villages, methods=["GET"])
bp.add_url_rule("/elections", view_func=elections.create_election_view, methods=["POST"])
bp.add_url_rule("/elections", view_func=elections.list_elections, methods=["GET"])
bp.add_url_rule("/elections/<int:election_id>", view_func=elections.election_detail, methods=["GET"])
bp.add_url_rule("/elections/<int:election_id>", view_func=elections.edit_election_view, methods=["PATCH"])
bp.add_url_rule("/elections/<int:election_id>", view_func=elections.remove_election_view, methods=["DELETE"])
bp.add_url_rule("/hotspots", view_func=warnings.list_hotspots, methods=["GET"])
bp.add_url_rule("/flags", view_func=warnings.list_flags, methods=["GET"])
