from django.urls import path

from homecoming.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    # Two-step sign-in: reachable before the second factor is verified (see middleware).
    path("two-factor/setup/", views.TwoFactorSetupView.as_view(), name="two_factor_setup"),
    path("two-factor/verify/", views.TwoFactorVerifyView.as_view(), name="two_factor_verify"),
    # The user's own security settings.
    path("security/", views.SecurityView.as_view(), name="security"),
    path("security/recovery-codes/", views.RecoveryCodesView.as_view(), name="recovery_codes"),
    path("security/two-factor/remove/", views.TwoFactorRemoveView.as_view(), name="two_factor_remove"),
    path("api-token/", views.ApiTokenView.as_view(), name="api_token"),
    # Administrators: the users of their own agencies.
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/new/", views.UserCreateView.as_view(), name="user_create"),
    path("users/<int:pk>/", views.UserDetailView.as_view(), name="user_detail"),
    path("users/<int:pk>/edit/", views.UserEditView.as_view(), name="user_edit"),
    path("users/<int:pk>/password/", views.UserPasswordView.as_view(), name="user_password"),
    path("users/<int:pk>/disable/", views.UserDisableView.as_view(), name="user_disable"),
    path("users/<int:pk>/enable/", views.UserEnableView.as_view(), name="user_enable"),
    path("users/<int:pk>/two-factor/reset/", views.UserTwoFactorResetView.as_view(), name="user_two_factor_reset"),
    path("users/<int:pk>/roles/add/", views.MembershipAddView.as_view(), name="membership_add"),
    path(
        "users/<int:pk>/roles/<int:membership_pk>/remove/",
        views.MembershipRemoveView.as_view(),
        name="membership_remove",
    ),
]
