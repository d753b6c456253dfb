from . import api

routes = [("store-months", api.StoreMonthViewSet)]
