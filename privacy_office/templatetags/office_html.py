"""Template filters for the pages of libraries whose templates we extend rather than copy."""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

# django-import-export's export form ticks every column through this attribute. Chromium refuses
# an inline handler under our Content-Security-Policy as soon as it parses it (settings.py: scripts
# from our static files only), so the attribute goes and export-select-all.js binds the same function.
SELECT_ALL_HANDLER = 'onchange="onSelectToggleChange(event)"'


@register.filter(is_safe=True)
def without_select_all_handler(html):
    return mark_safe(str(html).replace(SELECT_ALL_HANDLER, ""))
