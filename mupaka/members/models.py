"""Members, their trader profile, solidarity groups and savings groups (AVEC).

Tables only: every write goes through ``services.py``. Members are never
deleted (no delete is exposed and every reference to a member is PROTECT);
a member who leaves is *exited*.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mupaka.core.models import Branch


class MemberStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    EXITED = "exited", _("Exited")


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class IdType(models.TextChoices):
    VOTER_CARD = "voter_card", _("Voter card")
    NATIONAL_ID = "national_id", _("National identity card")
    PASSPORT = "passport", _("Passport")
    LAISSEZ_PASSER = "laissez_passer", _("Laissez-passer / jeton")
    NONE = "none", _("None")


class Weekday(models.IntegerChoices):
    MONDAY = 1, _("Monday")
    TUESDAY = 2, _("Tuesday")
    WEDNESDAY = 3, _("Wednesday")
    THURSDAY = 4, _("Thursday")
    FRIDAY = 5, _("Friday")
    SATURDAY = 6, _("Saturday")
    SUNDAY = 7, _("Sunday")


class BorderCountry(models.TextChoices):
    DRC = "CD", _("DR Congo")
    RWANDA = "RW", _("Rwanda")
    BURUNDI = "BI", _("Burundi")
    UGANDA = "UG", _("Uganda")
    TANZANIA = "TZ", _("Tanzania")
    ZAMBIA = "ZM", _("Zambia")


class BorderPost(models.Model):
    """A crossing point used by traders (editable list, seeded by a migration)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    country = models.CharField(_("country"), max_length=2, choices=BorderCountry.choices)
    other_country = models.CharField(_("other side"), max_length=2, choices=BorderCountry.choices)
    town = models.CharField(_("town"), max_length=120, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("border post")
        verbose_name_plural = _("border posts")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(country=models.F("other_country")),
                name="border_post_two_countries",
            )
        ]

    def __str__(self) -> str:
        return self.name


class MemberNumberCounter(models.Model):
    """The last sequence handed out per branch; locked (SELECT ... FOR UPDATE) while a
    member number is taken so two registrations never get the same one."""

    branch = models.OneToOneField(
        Branch, on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    last_value = models.PositiveBigIntegerField(default=0)


class Member(models.Model):
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="members", verbose_name=_("branch")
    )
    number = models.CharField(_("member number"), max_length=20, unique=True)
    sequence = models.PositiveBigIntegerField(_("sequence"), db_index=True)

    first_name = models.CharField(_("first name"), max_length=80)
    middle_name = models.CharField(_("middle name"), max_length=80, blank=True)
    last_name = models.CharField(_("last name"), max_length=80)
    # Accent-free lower-case tokens of the names (see domain/text.py); the
    # indexed copy used by search is MemberNameToken.
    search_name = models.CharField(max_length=300, editable=False)

    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"), db_index=True)

    phone = models.CharField(_("phone"), max_length=16, blank=True, db_index=True)
    phone_secondary = models.CharField(_("second phone"), max_length=16, blank=True, db_index=True)
    language = models.CharField(
        _("language for messages"),
        max_length=2,
        choices=settings.MEMBER_LANGUAGES,
        default="fr",
    )
    languages = models.JSONField(
        _("languages spoken"), default=list, blank=True, help_text=_("Codes: fr, sw, rw, rn, en")
    )

    province = models.CharField(_("province"), max_length=80, blank=True)
    town = models.CharField(_("town"), max_length=80, blank=True)
    quarter = models.CharField(_("quarter"), max_length=120, blank=True)

    id_type = models.CharField(
        _("identity document"), max_length=20, choices=IdType.choices, default=IdType.NONE
    )
    id_number = models.CharField(_("document number"), max_length=40, blank=True)
    id_issue_date = models.DateField(_("issued on"), null=True, blank=True)
    id_expiry_date = models.DateField(_("expires on"), null=True, blank=True)

    photo = models.ImageField(_("photo"), upload_to="members/photos/%Y/", blank=True)

    next_of_kin_name = models.CharField(_("next of kin"), max_length=160, blank=True)
    next_of_kin_relation = models.CharField(_("relation"), max_length=60, blank=True)
    next_of_kin_phone = models.CharField(_("next of kin's phone"), max_length=16, blank=True)

    consent_sms = models.BooleanField(_("agrees to SMS messages"), default=False)
    consent_sms_at = models.DateTimeField(_("SMS consent recorded at"), null=True, blank=True)
    consent_network = models.BooleanField(_("agrees to share data with the network"), default=False)
    consent_network_at = models.DateTimeField(
        _("network consent recorded at"), null=True, blank=True
    )

    status = models.CharField(
        _("status"), max_length=10, choices=MemberStatus.choices, default=MemberStatus.PENDING
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    registered_date = models.DateField(_("registered on (business date)"))
    duplicate_reason = models.TextField(
        _("reason for going on despite a possible duplicate"), blank=True
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["branch_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "sequence"], name="member_branch_sequence"),
            models.CheckConstraint(
                condition=Q(status__in=MemberStatus.values), name="member_status_valid"
            ),
            models.CheckConstraint(condition=Q(sex__in=Sex.values), name="member_sex_valid"),
            models.CheckConstraint(
                condition=Q(id_type__in=IdType.values), name="member_id_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(phone="") | Q(phone__startswith="+"), name="member_phone_e164"
            ),
            models.CheckConstraint(
                condition=Q(phone_secondary="") | Q(phone_secondary__startswith="+"),
                name="member_phone_secondary_e164",
            ),
            models.CheckConstraint(
                condition=~Q(id_type=IdType.NONE) | Q(id_number=""),
                name="member_no_number_without_document",
            ),
            models.CheckConstraint(
                condition=Q(id_issue_date__isnull=True)
                | Q(id_expiry_date__isnull=True)
                | Q(id_expiry_date__gte=models.F("id_issue_date")),
                name="member_id_expiry_after_issue",
            ),
            models.CheckConstraint(
                condition=Q(consent_sms=False) | Q(consent_sms_at__isnull=False),
                name="member_sms_consent_dated",
            ),
            models.CheckConstraint(
                condition=Q(consent_network=False) | Q(consent_network_at__isnull=False),
                name="member_network_consent_dated",
            ),
        ]
        indexes = [
            models.Index(fields=["id_type", "id_number"], name="member_id_document"),
            models.Index(fields=["branch", "status"], name="member_branch_status"),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.full_name}"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.middle_name, self.last_name) if p)

    @property
    def address(self) -> str:
        """Quarter, town, province, leaving out the empty ones: "Nyawera, Bukavu, Sud-Kivu",
        "Bukavu"; "" when none is known."""
        return ", ".join(p.strip() for p in (self.quarter, self.town, self.province) if p.strip())

    @property
    def has_id_document(self) -> bool:
        return self.id_type != IdType.NONE


class MemberNameToken(models.Model):
    """One row per searchable word of a member's names (accent-free, lower case),
    so a name search is an index range scan per word on SQLite and PostgreSQL
    alike. Derived data, rewritten by the services whenever the names change."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=80)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "member"], name="member_name_token_unique")
        ]


class TraderProfile(models.Model):
    """How a cross-border trader works: where she crosses, what she sells, how much."""

    member = models.OneToOneField(
        Member, on_delete=models.PROTECT, related_name="trader_profile", verbose_name=_("member")
    )
    border_posts = models.ManyToManyField(
        BorderPost, blank=True, related_name="traders", verbose_name=_("border posts used")
    )
    goods_traded = models.CharField(_("goods traded"), max_length=300, blank=True)
    crossings_per_week = models.PositiveSmallIntegerField(
        _("crossings per week"), null=True, blank=True
    )
    currencies = models.JSONField(_("currencies handled"), default=list, blank=True)
    daily_turnover_minor = models.BigIntegerField(
        _("typical daily turnover (minor units)"), null=True, blank=True
    )
    daily_turnover_currency = models.CharField(_("turnover currency"), max_length=3, blank=True)
    savings_group_name = models.CharField(
        _("savings group (AVEC) outside the institution"), max_length=160, blank=True
    )
    cooperative_name = models.CharField(_("traders' cooperative"), max_length=160, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("trader profile")
        verbose_name_plural = _("trader profiles")
        constraints = [
            models.CheckConstraint(
                condition=Q(daily_turnover_minor__isnull=True)
                | (Q(daily_turnover_minor__gte=0) & ~Q(daily_turnover_currency="")),
                name="trader_turnover_has_currency",
            ),
            models.CheckConstraint(
                condition=Q(crossings_per_week__isnull=True) | Q(crossings_per_week__lte=70),
                name="trader_crossings_plausible",
            ),
        ]


class GroupStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DISSOLVED = "dissolved", _("Dissolved")


class SolidarityGroup(models.Model):
    """Three to ten traders who borrow together and answer for each other."""

    MIN_MEMBERS = 3
    MAX_MEMBERS = 10

    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="solidarity_groups", verbose_name=_("branch")
    )
    name = models.CharField(_("name"), max_length=120)
    joint_liability = models.BooleanField(_("joint liability"), default=True)
    meeting_day = models.PositiveSmallIntegerField(
        _("meeting day"), choices=Weekday.choices, null=True, blank=True
    )
    meeting_place = models.CharField(_("meeting place"), max_length=160, blank=True)
    leader = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("leader")
    )
    secretary = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("secretary"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=GroupStatus.choices, default=GroupStatus.ACTIVE
    )
    formed_date = models.DateField(_("formed on"))
    dissolved_date = models.DateField(_("dissolved on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("solidarity group")
        verbose_name_plural = _("solidarity groups")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "name"],
                condition=Q(status="active"),
                name="solidarity_group_name_active",
            ),
            models.CheckConstraint(
                condition=Q(leader__isnull=True)
                | Q(secretary__isnull=True)
                | ~Q(leader=models.F("secretary")),
                name="solidarity_group_leader_not_secretary",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SolidarityGroupMembership(models.Model):
    """A member's time in a solidarity group; ``left_date`` is null while she is in it."""

    group = models.ForeignKey(SolidarityGroup, on_delete=models.PROTECT, related_name="memberships")
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="solidarity_memberships"
    )
    joined_date = models.DateField(_("joined on"))
    left_date = models.DateField(_("left on"), null=True, blank=True)
    left_reason = models.CharField(_("reason for leaving"), max_length=200, blank=True)

    class Meta:
        ordering = ["joined_date", "id"]
        constraints = [
            # One active solidarity group per member, enforced by the database.
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(left_date__isnull=True),
                name="one_active_solidarity_group",
            ),
            models.CheckConstraint(
                condition=Q(left_date__isnull=True) | Q(left_date__gte=models.F("joined_date")),
                name="solidarity_membership_dates",
            ),
        ]


class SavingsGroupRole(models.TextChoices):
    MEMBER = "member", _("Member")
    PRESIDENT = "president", _("President")
    SECRETARY = "secretary", _("Secretary")
    TREASURER = "treasurer", _("Treasurer")


class SavingsGroup(models.Model):
    """A savings group (AVEC / VSLA) working with the institution. A member belongs to
    one AVEC at a time (the VSLA methodology's rule)."""

    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="savings_groups", verbose_name=_("branch")
    )
    name = models.CharField(_("name"), max_length=120)
    meeting_day = models.PositiveSmallIntegerField(
        _("meeting day"), choices=Weekday.choices, null=True, blank=True
    )
    meeting_place = models.CharField(_("meeting place"), max_length=160, blank=True)
    facilitator = models.CharField(
        _("facilitator or sponsoring organisation"), max_length=160, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=GroupStatus.choices, default=GroupStatus.ACTIVE
    )
    formed_date = models.DateField(_("formed on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("savings group (AVEC)")
        verbose_name_plural = _("savings groups (AVEC)")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "name"],
                condition=Q(status="active"),
                name="savings_group_name_active",
            )
        ]

    def __str__(self) -> str:
        return self.name


class SavingsGroupMembership(models.Model):
    group = models.ForeignKey(SavingsGroup, on_delete=models.PROTECT, related_name="memberships")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="savings_memberships")
    role = models.CharField(
        _("role"), max_length=10, choices=SavingsGroupRole.choices, default=SavingsGroupRole.MEMBER
    )
    joined_date = models.DateField(_("joined on"))
    left_date = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        ordering = ["joined_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(left_date__isnull=True),
                name="one_active_savings_group",
            ),
            models.CheckConstraint(
                condition=Q(left_date__isnull=True) | Q(left_date__gte=models.F("joined_date")),
                name="savings_membership_dates",
            ),
        ]
