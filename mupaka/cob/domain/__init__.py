"""Pure rules of end of day: calendar, ageing buckets, provisioning bands. No Django,
no clock: dates come in as arguments."""
