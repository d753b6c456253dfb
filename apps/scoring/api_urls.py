from . import api

routes = [("scorecards", api.ScorecardViewSet)]
