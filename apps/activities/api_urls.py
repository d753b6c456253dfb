from . import api

routes = [
    ("visits", api.VisitViewSet),
    ("daily-reports", api.DailyReportViewSet),
    ("market-reports", api.MarketReportViewSet),
    ("route-plans", api.RoutePlanViewSet),
    ("planned-visits", api.PlannedVisitViewSet),
    ("monthly-summaries", api.MonthlySummaryViewSet),
    ("escalations", api.EscalationViewSet),
]
