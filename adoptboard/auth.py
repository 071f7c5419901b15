"""Signing in: Django's model backend, loading the user's person along with the user."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class PersonModelBackend(ModelBackend):
    """Every page asks who the user is on the boards (the access check, the navigation's count):
    load the person in the same query as the user rather than in a second one."""

    def get_user(self, user_id):
        User = get_user_model()
        try:
            user = User._default_manager.select_related("person").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
