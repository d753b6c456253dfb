from . import api

routes = [
    ("plans", api.PlanViewSet),
    ("targets", api.TargetViewSet),
    ("weight-sets", api.WeightSetViewSet),
    ("capabilities", api.CapabilityViewSet),
    ("action-plans", api.ActionPlanViewSet),
    ("forecasts", api.ForecastViewSet),
]
