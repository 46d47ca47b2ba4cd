"""The savings product's guarantee percentage goes: nothing ever read it (the loan
product's guarantee_savings_percent sets the guarantee taken at disbursement), so a
value stored there is lost without changing any figure.

On SQLite the field's removal rebuilds savings_savingsproduct; no trigger sits on any
savings table (the append-only triggers are on the journal and the audit log only:
mupaka/ledger/db_guards.py, mupaka/core/migrations/_append_only.py), so none is lost."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('savings', '0003_reversal_requests'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='savingsproduct',
            name='savings_product_rates_bounded',
        ),
        migrations.RemoveField(
            model_name='savingsproduct',
            name='guarantee_ppm',
        ),
        migrations.AddConstraint(
            model_name='savingsproduct',
            constraint=models.CheckConstraint(condition=models.Q(('withholding_tax_ppm__lte', 1000000), ('early_break_penalty_ppm__lte', 1000000), ('interest_rate_ppm__lte', 1000000)), name='savings_product_rates_bounded'),
        ),
    ]
