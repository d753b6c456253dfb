from . import api

routes = [
    ("customers", api.CustomerViewSet),
    ("opportunities", api.OpportunityViewSet),
    ("campaigns", api.CampaignViewSet),
    ("strategy-cards", api.StrategyCardViewSet),
    ("evaluation-cards", api.EvaluationCardViewSet),
]
