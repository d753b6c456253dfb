from . import api

routes = [("plans", api.PlanViewSet), ("targets", api.TargetViewSet)]
