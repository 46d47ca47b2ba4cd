"""Every write about members and groups. Split by topic; import from here."""

from mupaka.members.selectors import member_duplicates_find
from mupaka.members.services.activation import (
    activation_problem,
    register_activation_check,
    unregister_activation_check,
)
from mupaka.members.services.border_posts import border_post_create, border_post_update
from mupaka.members.services.groups import (
    group_member_add,
    group_member_remove,
    group_officers_set,
    register_dissolve_check,
    savings_group_create,
    savings_group_member_add,
    savings_group_member_remove,
    solidarity_group_create,
    solidarity_group_dissolve,
    solidarity_group_update,
)
from mupaka.members.services.members import (
    DuplicateMembers,
    TraderProfileData,
    member_change,
    member_consent_set,
    member_register,
    member_status_change,
    member_update,
    register_exit_check,
    trader_profile_set,
)

__all__ = [
    "DuplicateMembers",
    "TraderProfileData",
    "activation_problem",
    "border_post_create",
    "border_post_update",
    "group_member_add",
    "group_member_remove",
    "group_officers_set",
    "member_change",
    "member_consent_set",
    "member_duplicates_find",
    "member_register",
    "member_status_change",
    "member_update",
    "register_activation_check",
    "register_dissolve_check",
    "register_exit_check",
    "savings_group_create",
    "savings_group_member_add",
    "savings_group_member_remove",
    "solidarity_group_create",
    "solidarity_group_dissolve",
    "solidarity_group_update",
    "trader_profile_set",
    "unregister_activation_check",
]
