from . import api

routes = [
    ("regions", api.RegionViewSet),
    ("stores", api.StoreViewSet),
    ("teams", api.TeamViewSet),
    ("users", api.UserViewSet),
]
