"""{% result_list_fast cl %}: Django's {% result_list cl %} with the rows written by
liaison.lib.admin_list (the same HTML, a column's plan made once a page instead of once a cell)."""

from django import template
from django.contrib.admin.templatetags.base import InclusionAdminNode

from liaison.lib import admin_list

register = template.Library()


@register.tag(name="result_list_fast")
def result_list_fast_tag(parser, token):
    return InclusionAdminNode(
        parser, token, func=admin_list.result_list, template_name="change_list_results.html", takes_context=False,
    )


@register.tag(name="date_hierarchy_fast")
def date_hierarchy_fast_tag(parser, token):
    return InclusionAdminNode(
        parser, token, func=admin_list.date_hierarchy, template_name="date_hierarchy.html", takes_context=False,
    )
