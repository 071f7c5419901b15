from django import template
from django.template import engines
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def jinja(context, template_name: str):
    """Draw a row-heavy partial with Jinja2 (adoptboard.jinja), given this template's context.

    Jinja2 escapes as it draws (autoescape is on), so what it returns is safe HTML.
    """
    template = engines["jinja2"].get_template(template_name)
    return mark_safe(template.render(context.flatten(), context.get("request")))
