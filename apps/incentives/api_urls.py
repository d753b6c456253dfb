from . import api

routes = [("incentive-statements", api.StatementViewSet)]
