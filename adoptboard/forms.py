"""How the app's forms draw: crispy helpers and the widget renderer."""

from crispy_forms.helper import FormHelper
from django.contrib.auth.forms import AuthenticationForm
from django.forms.renderers import DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class InlineFormHelper(FormHelper):
    """For `{% crispy form %}` inside a page's own <form> (its csrf token and buttons are the page's).

    Crispy prints the form's own errors above its fields, so templates never print them again.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form_tag = False
        self.disable_csrf = True


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Invited people log in with their email address (accounts.services makes it their username).
        self.fields["username"].label = "Email or username"
        self.helper = InlineFormHelper()


class FormRenderer(Jinja2):
    """Django's own widget and form templates drawn by Jinja2; any other (the admin's) by Django's.

    Django ships every built-in widget template in both languages, and Jinja2 draws them several
    times faster: the action log's filter (two selects of 40 to 70 options) went from about 7 to
    3 ms of the page, and the review's 900 fields render in a fraction of the time.
    """

    fallback = DjangoTemplates()

    def get_template(self, template_name):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self.fallback.get_template(template_name)
