from . import api

routes = [
    ("visits", api.VisitViewSet),
    ("daily-reports", api.DailyReportViewSet),
    ("market-reports", api.MarketReportViewSet),
]
