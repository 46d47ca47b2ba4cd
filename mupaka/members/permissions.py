"""Who may see and change members and groups.

Members' records are personal data: the network coordinator sees none of them
(the network gets anonymous aggregates only). Tellers find and view members at
the counter and may activate a pending member when she pays her entry fee;
registering and editing belong to loan officers and managers; the auditor, the
committee and the accountant read.
"""

from django.utils.translation import gettext_lazy

from mupaka.core.permissions import MenuItem, register, register_menu
from mupaka.core.roles import Role as R

READERS = {R.TELLER, R.LOAN_OFFICER, R.MANAGER, R.ADMIN, R.AUDITOR, R.COMMITTEE, R.ACCOUNTANT}
WRITERS = {R.LOAN_OFFICER, R.MANAGER, R.ADMIN}

register(
    {
        "member.view": READERS,
        "member.create": WRITERS,
        "member.update": WRITERS,
        "member.status_change": WRITERS,
        # pending → active only, once the entry fee and the minimum shares are paid
        # (services/activation.py): usually by the counter's payment itself.
        "member.activate": WRITERS | {R.TELLER},
        "member.consent": WRITERS,
        "group.view": READERS,
        "group.manage": WRITERS,
        "border_post.manage": {R.ADMIN},
    }
)

register_menu(
    MenuItem(gettext_lazy("Members"), "members:member_list", "member.view", 100),
    MenuItem(gettext_lazy("Solidarity groups"), "members:group_list", "group.view", 110),
    MenuItem(gettext_lazy("Savings groups (AVEC)"), "members:avec_list", "group.view", 120),
    MenuItem(gettext_lazy("Border posts"), "members:border_post_list", "border_post.manage", 930),
)
