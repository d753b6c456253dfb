from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.views.i18n import set_language as set_language_anonymous

from . import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("password_change_done")),
        name="password_change",
    ),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("org/stores/", views.store_list, name="store_list"),
    path("org/stores/<int:pk>/", views.store_detail, name="store_detail"),
    path("language/", views.set_language, name="set_language"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/revoke/", views.token_revoke, name="token_revoke"),
    path("search/", views.search, name="search"),
    # Before log-in the choice lives in a cookie (Django's own view).
    path("i18n/setlang/", set_language_anonymous, name="set_language_anonymous"),
]
