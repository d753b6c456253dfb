from . import api

routes = [
    ("vehicles", api.VehicleViewSet),
    ("service-visits", api.ServiceVisitViewSet),
    ("follow-ups", api.FollowUpViewSet),
    ("complaints", api.ComplaintViewSet),
    ("follow-up-rules", api.FollowUpRuleViewSet),
    ("messages", api.MessageViewSet),
]
