from django.urls import path

from . import views

app_name = "sales"
urlpatterns = [
    path("orders/", views.order_list, name="orders"),
    path("orders/new/", views.order_create, name="order_create"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/deliver/", views.order_deliver, name="order_deliver"),
    path("orders/<int:pk>/cancel/", views.order_cancel, name="order_cancel"),
    path("payments/", views.payment_list, name="payments"),
    path("payments/<int:pk>/reverse/", views.payment_reverse, name="payment_reverse"),
    path("receivables/", views.receivables, name="receivables"),
    path("receivables/hand-over/", views.receivables_hand_over, name="hand_over"),
]
