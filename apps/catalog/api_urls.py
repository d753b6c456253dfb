from . import api

routes = [("vehicle-models", api.VehicleModelViewSet)]
