from . import api

# stock/ itself is registered by sales (its reserve action is an order's write).
routes = [
    ("stock-transfers", api.TransferViewSet),
]
