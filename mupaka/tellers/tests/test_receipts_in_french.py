"""A receipt is the member's paper: it is written in French (the institution's document
language, the language of the amounts in words), whoever served her. A teller whose
screens are in English gets French receipts — stored labels and notes, the print view
and the PDF — while her screens and the refusals stay in English."""

from __future__ import annotations

import html
import io
import re

import pytest
from django.test import Client

from mupaka.core.money import Money
from mupaka.tellers.models import Receipt
from mupaka.tellers.services import rate_set

from .conftest import key

NNBSP = "\u202f"


def english_client(user) -> Client:
    c = Client()
    c.force_login(user)
    c.cookies["mupaka_language"] = "en"
    return c


def operate(c, member, op, target, amount, currency="USD"):
    return c.post(
        f"/tellers/counter/members/{member.pk}/operate/",
        {
            "idempotency_key": key(),
            "op": op,
            "target": target,
            "amount": amount,
            "currency": currency,
        },
        HTTP_HX_REQUEST="true",
    )


def shown(response) -> Receipt:
    body = response.content.decode()
    link = re.search(r'id="print-receipt-(\d+)"', body)
    assert response.status_code == 200 and link, body[-1500:]
    assert "Done. Receipt" in body  # the teller's screen stays in English
    return Receipt.objects.get(pk=int(link.group(1)))


def texts(receipt: Receipt) -> list[str]:
    return [
        receipt.title,
        *(ln["label"] for ln in receipt.lines),
        *(b["label"] for b in receipt.balances),
        *receipt.notes,
    ]


@pytest.fixture
def her(staff, open_till, active_member, usd_savings):
    """An active member with a USD account holding USD 100."""
    from mupaka.savings.services import savings_account_open, savings_deposit

    member = active_member("Furaha")
    account = savings_account_open(
        actor=staff["officer"], member=member, product=usd_savings["voluntary"]
    )
    savings_deposit(
        actor=staff["teller"], account=account, amount=Money.of("100", "USD"), idempotency_key=key()
    )
    return member, account


def test_deposit_and_withdrawal_receipts_are_french_for_an_english_teller(staff, her):
    member, account = her
    c = english_client(staff["teller"])
    deposit = shown(operate(c, member, "deposit", account.pk, "20"))
    assert texts(deposit) == [
        "Dépôt d'épargne",
        f"Dépôt sur le compte {account.number}",
        "Solde après l'opération",
    ]
    withdrawal = shown(operate(c, member, "withdraw", account.pk, "30"))
    assert texts(withdrawal)[:2] == ["Retrait d'épargne", f"Retrait du compte {account.number}"]
    # a refusal is the teller's message: in her language
    r = operate(c, member, "withdraw", account.pk, "5000")
    assert "Not enough available" in r.content.decode()


def test_repayment_and_disbursement_receipts_are_french(staff, her, approved_loan):
    member, _account = her
    loan = approved_loan(member, principal="500")
    c = english_client(staff["teller"])
    paid_out = shown(operate(c, member, "disburse", loan.pk, "490.00"))
    assert texts(paid_out)[:2] == [
        "Décaissement de crédit",
        f"Décaissement du crédit {loan.number}",
    ]
    assert "Payé en espèces" in texts(paid_out)
    assert any(n.startswith("Première échéance le ") for n in paid_out.notes)
    repaid = shown(operate(c, member, "repay", loan.pk, "45.50"))
    assert texts(repaid)[:4] == [
        "Remboursement de crédit",
        f"Remboursement du crédit {loan.number}",
        "Reste à payer sur le crédit",
        "Réparti sur (USD) :",
    ]
    # the allocation's amounts are written the French way too ("4,17", not "4.17")
    allocation = repaid.notes[1:]
    assert allocation and all(re.fullmatch(r"[^:]+ : [\d\u202f\xa0]+,\d\d", n) for n in allocation)


def test_shares_receipt_is_french(staff, open_till, share_product, furaha):
    c = english_client(staff["teller"])
    receipt = shown(operate(c, furaha, "shares", furaha.pk, "2"))
    assert texts(receipt) == [
        "Adhésion et parts sociales",
        "Droit d'adhésion",
        "2 part(s) sociale(s)",
        "Parts sociales détenues : 2",
        "L'adhésion est maintenant active.",
    ]


def test_exchange_receipt_is_french_the_done_box_english(staff, open_till, manager):
    rate_set(actor=manager, base="USD", quote="CDF", buy="2847.35", sell="2895")
    r = english_client(staff["teller"]).post(
        "/tellers/counter/exchange/",
        {
            "x-idempotency_key": key(),
            "x-amount": "100",
            "x-currency": "USD",
            "x-currency_out": "CDF",
            "x-customer_name": "Client de passage",
        },
        HTTP_HX_REQUEST="true",
    )
    body = r.content.decode()
    assert "Amount handed over" in body and "(we buy)" in body
    receipt = shown(r)
    assert texts(receipt) == [
        "Opération de change",
        "Reçu",
        "Payé",
        f"Cours USD/CDF : 2{NNBSP}847,35 (achat)",
        "Reliquat inférieur à la plus petite coupure, non payé : 35,00 CDF.",
    ]


def test_the_printed_receipt_and_its_pdf_are_french_for_an_english_reader(staff, her):
    from pypdf import PdfReader

    member, account = her
    c = english_client(staff["teller"])
    receipt = shown(operate(c, member, "deposit", account.pk, "1234.50"))
    page = html.unescape(c.get(f"/tellers/receipts/{receipt.pk}/").content.decode())
    paper = page.split('<div class="toolbar"', 1)[1].split("</div>", 1)[1]
    for french in (
        "Reçu n°",
        "Dépôt d'épargne",
        "Solde après l'opération",
        "Conservez ce reçu.",
        "Au guichet :",  # who served her, in words that suit a woman as well as a man
    ):
        assert french in paper, french
    assert f"1{NNBSP}234,50 USD" in paper
    assert "mille deux cent trente-quatre dollars américains" in paper
    for english in ("Receipt no.", "Keep this receipt", "Balance after", "1,234.50"):
        assert english not in paper, english
    # the toolbar above the paper (not printed) is the teller's, in English
    toolbar = page.split('<div class="toolbar"', 1)[1].split("</div>", 1)[0]
    assert 'lang="en"' in toolbar and ">Print</button>" in toolbar and ">Counter</a>" in toolbar

    pdf = c.get(f"/tellers/receipts/{receipt.pk}/pdf/")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Reçu n°" in text and "Dépôt d'épargne" in text and "Conservez ce reçu." in text
    assert "Receipt no." not in text and "Deposit" not in text
