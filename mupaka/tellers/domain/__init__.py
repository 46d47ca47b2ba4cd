"""Pure arithmetic of the counter: exchange rates, payouts rounded to the smallest note,
margins, cash counts. No Django, no clock (import-linter enforces it)."""
