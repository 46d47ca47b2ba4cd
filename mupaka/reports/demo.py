"""Demo data of the reports: the prudential norms of the institution's preset."""

from mupaka.reports.selectors import preset_name
from mupaka.reports.services import prudential_norms_load


def build(ctx) -> None:
    preset = preset_name()
    created = prudential_norms_load(actor=None, preset=preset)
    ctx.say(f"reports: {created} prudential norms loaded from the {preset} preset")
