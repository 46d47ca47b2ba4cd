"""Pure report arithmetic: portfolio at risk, ageing, SEEP/MIX indicators, prudential
ratios and server-side SVG charts. No Django, no clock, no database: selectors bring
the figures in (integers in minor units, counts, dates) and render what comes out."""
