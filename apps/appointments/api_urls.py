from . import api

routes = [("appointments", api.AppointmentViewSet)]
