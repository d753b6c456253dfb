from . import api

routes = [("trainings", api.TrainingViewSet)]
