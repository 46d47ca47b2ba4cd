"""The ``mupaka`` command: Django's management commands plus Mupaka's own
(demo, verify, schedule, token, business-date, cob ...)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mupaka.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    # `mupaka business-date set` → the command module business_date.
    if len(argv) > 1 and "-" in argv[1] and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
