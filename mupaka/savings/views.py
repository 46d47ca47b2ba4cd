"""Pages about savings (stubs while the pages are written)."""

from django.shortcuts import render

from mupaka.core.views_utils import staff_page


@staff_page("savings.view")
def account_list(request):
    return render(request, "base.html")


@staff_page("savings.product.manage")
def product_list(request):
    return render(request, "base.html")


@staff_page("savings.limits.manage")
def limits(request):
    return render(request, "base.html")
