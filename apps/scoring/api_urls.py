from . import api

routes = [
    ("scorecards", api.ScorecardViewSet),
    ("ratings", api.RatingViewSet),
    ("period-closes", api.PeriodCloseViewSet),
]
