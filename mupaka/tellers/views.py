"""Pages of the counter, the tills and the exchange desk (thin: one service call each)."""

from __future__ import annotations

from django.shortcuts import render

from mupaka.core.selectors import business_date_get
from mupaka.core.views_utils import staff_page
from mupaka.tellers import selectors


@staff_page("till.operate")
def counter(request):
    till = selectors.till_open_for(user=request.user)
    return render(request, "tellers/counter.html", {"till": till})


@staff_page("till.view")
def till_list(request):
    tills = selectors.till_list(user=request.user, business_date=business_date_get())
    return render(request, "tellers/till_list.html", {"tills": tills})


@staff_page("rate.view")
def rate_list(request):
    rates = selectors.rates_of_day(business_date_get())
    return render(request, "tellers/rate_list.html", {"rates": rates})
