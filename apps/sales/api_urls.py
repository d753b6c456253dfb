from . import api

routes = [
    ("orders", api.OrderViewSet),
    ("payments", api.PaymentViewSet),
    ("receivables", api.ReceivableViewSet),
    ("stock", api.StockViewSet),
]
