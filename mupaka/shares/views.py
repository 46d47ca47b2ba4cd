"""Pages about member shares (stubs while the pages are written)."""

from django.shortcuts import render

from mupaka.core.views_utils import staff_page


@staff_page("shares.view")
def holding_list(request):
    return render(request, "base.html")


@staff_page("shares.product.manage")
def product(request):
    return render(request, "base.html")
