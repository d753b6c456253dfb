from . import api

routes = [("customers", api.CustomerViewSet), ("opportunities", api.OpportunityViewSet)]
