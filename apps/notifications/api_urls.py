from . import api

routes = [("notifications", api.NotificationViewSet)]
