"""Every write of end of day. Split by topic; import from here."""

from mupaka.cob.services.bands import (
    BandData,
    provision_bands_load,
    provision_bands_replace,
)
from mupaka.cob.services.calendar import holiday_create, holiday_delete
from mupaka.cob.services.runner import (
    cob_job_launch,
    cob_request,
    cob_run,
    cob_run_job,
    cob_run_until,
)

__all__ = [
    "BandData",
    "cob_job_launch",
    "cob_request",
    "cob_run",
    "cob_run_job",
    "cob_run_until",
    "holiday_create",
    "holiday_delete",
    "provision_bands_load",
    "provision_bands_replace",
]
