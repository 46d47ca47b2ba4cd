"""JSON API for members and solidarity groups. Serializers translate in and out;
each request makes one service call (the same services as the pages), and
mupaka.core.api.exception_handler turns refusals into JSON with 400/403/404/409."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from mupaka.core.exceptions import NotFound, ValidationFailed
from mupaka.core.models import Branch
from mupaka.core.money import Money
from mupaka.core.selectors import business_date_get
from mupaka.members import selectors, services
from mupaka.members.models import IdType, Member, MemberStatus, Sex, SolidarityGroup, Weekday
from mupaka.members.services import TraderProfileData

DATE_ERROR = gettext_lazy("Not a valid date: write an existing day as YYYY-MM-DD.")


def _date(**kwargs) -> serializers.DateField:
    return serializers.DateField(error_messages={"invalid": DATE_ERROR}, **kwargs)


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, so a misspelt field is not silently ignored."""

    def to_internal_value(self, data):
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, dict) else []
        errors = {name: [_("Unknown field.")] for name in unknown}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if errors and isinstance(exc.detail, dict):
                exc.detail.update(errors)
            raise
        if errors:
            raise serializers.ValidationError(errors)
        return value


# --- serializers in -------------------------------------------------------------


class TraderProfileIn(StrictSerializer):
    border_posts = serializers.ListField(child=serializers.IntegerField(), required=False)
    goods_traded = serializers.CharField(max_length=300, required=False, allow_blank=True)
    crossings_per_week = serializers.IntegerField(
        min_value=0, max_value=70, required=False, allow_null=True
    )
    currencies = serializers.ListField(child=serializers.CharField(max_length=3), required=False)
    daily_turnover = serializers.DecimalField(
        max_digits=18, decimal_places=4, required=False, allow_null=True
    )
    daily_turnover_currency = serializers.CharField(max_length=3, required=False, allow_blank=True)
    savings_group_name = serializers.CharField(max_length=160, required=False, allow_blank=True)
    cooperative_name = serializers.CharField(max_length=160, required=False, allow_blank=True)


class MemberIn(StrictSerializer):
    branch = serializers.CharField(
        max_length=6, required=False, help_text="Branch code; default: the caller's branch"
    )
    first_name = serializers.CharField(max_length=80)
    middle_name = serializers.CharField(max_length=80, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=80)
    sex = serializers.ChoiceField(choices=Sex.choices)
    birth_date = _date()
    phone = serializers.CharField(max_length=30, help_text="E.164 or a local number")
    phone_secondary = serializers.CharField(max_length=30, required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=settings.MEMBER_LANGUAGES, required=False)
    languages = serializers.ListField(
        child=serializers.CharField(max_length=2),
        required=False,
        help_text="Other languages she understands: fr, sw, rw, rn, en",
    )
    province = serializers.CharField(max_length=80, required=False, allow_blank=True)
    town = serializers.CharField(max_length=80, required=False, allow_blank=True)
    quarter = serializers.CharField(max_length=120, required=False, allow_blank=True)
    id_type = serializers.ChoiceField(choices=IdType.choices, required=False)
    id_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    id_issue_date = _date(required=False, allow_null=True)
    id_expiry_date = _date(required=False, allow_null=True)
    next_of_kin_name = serializers.CharField(max_length=160, required=False, allow_blank=True)
    next_of_kin_relation = serializers.CharField(max_length=60, required=False, allow_blank=True)
    next_of_kin_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    consent_sms = serializers.BooleanField(required=False)
    consent_network = serializers.BooleanField(required=False)
    trader_profile = TraderProfileIn(required=False, allow_null=True)
    duplicate_reason = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        help_text="Why the member is registered despite possible duplicates (see 409).",
    )


class MemberPatch(StrictSerializer):
    first_name = serializers.CharField(max_length=80, required=False)
    middle_name = serializers.CharField(max_length=80, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=80, required=False)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)
    birth_date = _date(required=False)
    phone = serializers.CharField(max_length=30, required=False)
    phone_secondary = serializers.CharField(max_length=30, required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=settings.MEMBER_LANGUAGES, required=False)
    languages = serializers.ListField(
        child=serializers.CharField(max_length=2),
        required=False,
        help_text="Other languages she understands: fr, sw, rw, rn, en",
    )
    province = serializers.CharField(max_length=80, required=False, allow_blank=True)
    town = serializers.CharField(max_length=80, required=False, allow_blank=True)
    quarter = serializers.CharField(max_length=120, required=False, allow_blank=True)
    id_type = serializers.ChoiceField(choices=IdType.choices, required=False)
    id_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    id_issue_date = _date(required=False, allow_null=True)
    id_expiry_date = _date(required=False, allow_null=True)
    next_of_kin_name = serializers.CharField(max_length=160, required=False, allow_blank=True)
    next_of_kin_relation = serializers.CharField(max_length=60, required=False, allow_blank=True)
    next_of_kin_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    consent_sms = serializers.BooleanField(required=False)
    consent_network = serializers.BooleanField(required=False)
    trader_profile = TraderProfileIn(required=False)
    status = serializers.ChoiceField(choices=MemberStatus.choices, required=False)
    status_reason = serializers.CharField(max_length=500, required=False, allow_blank=True)
    duplicate_reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class GroupIn(StrictSerializer):
    branch = serializers.CharField(max_length=6, required=False)
    name = serializers.CharField(max_length=120)
    member_ids = serializers.ListField(
        child=serializers.IntegerField(), min_length=1, help_text="3 to 10 member ids"
    )
    leader_id = serializers.IntegerField()
    secretary_id = serializers.IntegerField()
    joint_liability = serializers.BooleanField(required=False, default=True)
    meeting_day = serializers.ChoiceField(
        choices=Weekday.choices, required=False, allow_null=True, help_text="1 = Monday"
    )
    meeting_place = serializers.CharField(max_length=160, required=False, allow_blank=True)


class GroupMemberIn(StrictSerializer):
    member_id = serializers.IntegerField(required=False)
    member_number = serializers.CharField(max_length=20, required=False)

    def validate(self, attrs):
        if not attrs.get("member_id") and not attrs.get("member_number"):
            raise serializers.ValidationError(
                {"member_id": [_("Give member_id or member_number.")]}
            )
        return attrs


# --- serializers out ------------------------------------------------------------


class BorderPostOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class BorderPostListOut(BorderPostOut):
    country = serializers.CharField()
    other_country = serializers.CharField()
    town = serializers.CharField()


class TraderProfileOut(serializers.Serializer):
    border_posts = BorderPostOut(many=True, source="border_posts.all")
    goods_traded = serializers.CharField()
    crossings_per_week = serializers.IntegerField(allow_null=True)
    currencies = serializers.ListField(child=serializers.CharField())
    daily_turnover = serializers.SerializerMethodField()
    daily_turnover_currency = serializers.CharField()
    savings_group_name = serializers.CharField()
    cooperative_name = serializers.CharField()

    def get_daily_turnover(self, profile) -> str | None:
        if profile.daily_turnover_minor is None:
            return None
        return str(
            Money.from_minor(profile.daily_turnover_minor, profile.daily_turnover_currency).amount
        )


class GroupRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MemberBrief(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    full_name = serializers.CharField()
    phone = serializers.CharField()
    phone_secondary = serializers.CharField()
    branch = serializers.CharField(source="branch.code")
    status = serializers.CharField()


class MemberOut(MemberBrief):
    first_name = serializers.CharField()
    middle_name = serializers.CharField()
    last_name = serializers.CharField()
    sex = serializers.CharField()
    birth_date = serializers.DateField()
    language = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField())
    province = serializers.CharField()
    town = serializers.CharField()
    quarter = serializers.CharField()
    id_type = serializers.CharField()
    id_number = serializers.CharField()
    id_issue_date = serializers.DateField(allow_null=True)
    id_expiry_date = serializers.DateField(allow_null=True)
    kyc_tier = serializers.SerializerMethodField()
    has_photo = serializers.SerializerMethodField()
    next_of_kin_name = serializers.CharField()
    next_of_kin_relation = serializers.CharField()
    next_of_kin_phone = serializers.CharField()
    consent_sms = serializers.BooleanField()
    consent_sms_at = serializers.DateTimeField(allow_null=True)
    consent_network = serializers.BooleanField()
    consent_network_at = serializers.DateTimeField(allow_null=True)
    registered_date = serializers.DateField()
    duplicate_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    trader_profile = serializers.SerializerMethodField()
    solidarity_group = serializers.SerializerMethodField()
    savings_group = serializers.SerializerMethodField()

    def get_kyc_tier(self, member) -> int:
        on_date = self.context.get("business_date") or business_date_get()
        return selectors.member_kyc_tier(member, on_date=on_date)

    def get_has_photo(self, member) -> bool:
        return bool(member.photo)

    @extend_schema_field(TraderProfileOut(allow_null=True))
    def get_trader_profile(self, member) -> dict | None:
        profile = getattr(member, "trader_profile", None) if _has_profile(member) else None
        return TraderProfileOut(profile).data if profile is not None else None

    @extend_schema_field(GroupRef(allow_null=True))
    def get_solidarity_group(self, member) -> dict | None:
        m = selectors.member_solidarity_membership(member)
        return {"id": m.group.pk, "name": m.group.name} if m else None

    @extend_schema_field(GroupRef(allow_null=True))
    def get_savings_group(self, member) -> dict | None:
        m = selectors.member_savings_membership(member)
        return {"id": m.group.pk, "name": m.group.name} if m else None


class GroupMemberOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    full_name = serializers.CharField()
    phone = serializers.CharField()


class GroupOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    branch = serializers.CharField(source="branch.code")
    status = serializers.CharField()
    joint_liability = serializers.BooleanField()
    meeting_day = serializers.IntegerField(allow_null=True)
    meeting_place = serializers.CharField()
    formed_date = serializers.DateField()
    leader = GroupMemberOut(allow_null=True)
    secretary = GroupMemberOut(allow_null=True)
    members = serializers.SerializerMethodField()

    def get_members(self, group) -> list[dict]:
        return GroupMemberOut(selectors.group_active_members(group), many=True).data


# --- helpers ----------------------------------------------------------------------


def _has_profile(member: Member) -> bool:
    try:
        member.trader_profile  # noqa: B018
    except Member.trader_profile.RelatedObjectDoesNotExist:
        return False
    return True


def _branch(request, code: str | None) -> Branch | None:
    if not code:
        return request.user.branch
    branch = Branch.objects.filter(code=code.strip().upper()).first()
    if branch is None:
        raise ValidationFailed(_("Unknown branch code: %(code)s.") % {"code": code}, field="branch")
    return branch


def _member_ref(request, member_id: int, field: str) -> Member:
    """A member named in a request body: unknown → 400 on that field (not 404)."""
    try:
        return selectors.member_get(user=request.user, member_id=member_id)
    except NotFound:
        raise ValidationFailed(_("No member with the id %(id)s.") % {"id": member_id}, field=field)


def _member_out(member: Member) -> dict:
    return MemberOut(member, context={"business_date": business_date_get()}).data


def _validated(serializer_class, data, **kwargs):
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer


ERRORS = {
    400: OpenApiResponse(description="Invalid input: `errors` lists messages by field."),
    401: OpenApiResponse(description="No or bad token."),
    403: OpenApiResponse(description="Role or branch not allowed."),
}
NOT_FOUND = OpenApiResponse(description="No such record.")
CONFLICT = OpenApiResponse(description="Conflicts with data already recorded.")


# --- members ----------------------------------------------------------------------


class MemberListCreate(APIView):
    @extend_schema(
        summary="Search members",
        parameters=[
            OpenApiParameter(
                "search", str, description="Member number (or its digits), phone or name"
            ),
            OpenApiParameter("status", str, enum=MemberStatus.values),
            OpenApiParameter("limit", int),
            OpenApiParameter("offset", int),
        ],
        responses={200: MemberBrief(many=True), 401: ERRORS[401], 403: ERRORS[403]},
    )
    def get(self, request):
        status_filter = request.query_params.get("status", "")
        if status_filter and status_filter not in MemberStatus.values:
            raise ValidationFailed(_("Unknown status."), field="status")
        qs = selectors.member_search(
            user=request.user,
            query=request.query_params.get("search", ""),
            status=status_filter,
        )
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(MemberBrief(page, many=True).data)

    @extend_schema(
        summary="Register a member",
        request=MemberIn,
        responses={
            201: MemberOut,
            **ERRORS,
            409: OpenApiResponse(
                description="Possible duplicates (`matches`); send `duplicate_reason` to go on."
            ),
        },
    )
    def post(self, request):
        d = dict(_validated(MemberIn, request.data).validated_data)
        profile = d.pop("trader_profile", None)
        branch = _branch(request, d.pop("branch", None))
        member = services.member_register(
            actor=request.user,
            branch=branch,
            trader_profile=_profile_from(profile),
            **d,
        )
        return Response(_member_out(member), status=status.HTTP_201_CREATED)


def _profile_from(d: dict | None, *, member: Member | None = None) -> TraderProfileData | None:
    """The trader profile sent, completed (on PATCH) by the member's current profile
    for the keys left out."""
    if d is None:
        return None
    current: dict = {}
    if member is not None and _has_profile(member):
        profile = member.trader_profile
        turnover = None
        if profile.daily_turnover_minor is not None:
            turnover = Money.from_minor(
                profile.daily_turnover_minor, profile.daily_turnover_currency
            ).amount
        current = {
            "border_posts": list(profile.border_posts.values_list("pk", flat=True)),
            "goods_traded": profile.goods_traded,
            "crossings_per_week": profile.crossings_per_week,
            "currencies": profile.currencies,
            "daily_turnover": turnover,
            "daily_turnover_currency": profile.daily_turnover_currency,
            "savings_group_name": profile.savings_group_name,
            "cooperative_name": profile.cooperative_name,
        }
    d = {**current, **d}
    turnover = d.get("daily_turnover")
    return TraderProfileData(
        border_post_ids=d.get("border_posts", []),
        goods_traded=d.get("goods_traded", ""),
        crossings_per_week=d.get("crossings_per_week"),
        currencies=d.get("currencies", []),
        daily_turnover=str(turnover) if turnover is not None else None,
        daily_turnover_currency=d.get("daily_turnover_currency", ""),
        savings_group_name=d.get("savings_group_name", ""),
        cooperative_name=d.get("cooperative_name", ""),
    )


class MemberDetail(APIView):
    @extend_schema(
        summary="A member",
        responses={200: MemberOut, 401: ERRORS[401], 403: ERRORS[403], 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        return Response(_member_out(selectors.member_get(user=request.user, member_id=pk)))

    @extend_schema(
        summary="Change a member",
        description="Details, trader profile, consent and status in one call, all or nothing.",
        request=MemberPatch,
        responses={200: MemberOut, **ERRORS, 404: NOT_FOUND, 409: CONFLICT},
    )
    def patch(self, request, pk: int):
        member = selectors.member_get(user=request.user, member_id=pk)
        d = dict(_validated(MemberPatch, request.data).validated_data)
        profile = d.pop("trader_profile", None)
        member = services.member_change(
            actor=request.user,
            member=member,
            trader_profile=_profile_from(profile, member=member),
            consent_sms=d.pop("consent_sms", None),
            consent_network=d.pop("consent_network", None),
            status=d.pop("status", None),
            status_reason=d.pop("status_reason", ""),
            duplicate_reason=d.pop("duplicate_reason", ""),
            changes=d,
        )
        return Response(_member_out(member))


# --- border posts -----------------------------------------------------------------


class BorderPostList(APIView):
    @extend_schema(
        summary="Border posts in use",
        description="Reference data (no personal data): the ids a trader profile "
        "(`trader_profile.border_posts`) and the reports' `border_post` filter take.",
        responses={200: BorderPostListOut(many=True), 401: ERRORS[401]},
    )
    def get(self, request):
        return Response(BorderPostListOut(selectors.border_post_list(), many=True).data)


# --- solidarity groups ------------------------------------------------------------


class GroupCreate(APIView):
    @extend_schema(
        summary="Form a solidarity group",
        request=GroupIn,
        responses={201: GroupOut, **ERRORS, 409: CONFLICT},
    )
    def post(self, request):
        d = _validated(GroupIn, request.data).validated_data
        members = [_member_ref(request, pk, "member_ids") for pk in dict.fromkeys(d["member_ids"])]
        group = services.solidarity_group_create(
            actor=request.user,
            branch=_branch(request, d.get("branch")),
            name=d["name"],
            members=members,
            leader=_member_ref(request, d["leader_id"], "leader_id"),
            secretary=_member_ref(request, d["secretary_id"], "secretary_id"),
            joint_liability=d.get("joint_liability", True),
            meeting_day=d.get("meeting_day"),
            meeting_place=d.get("meeting_place", ""),
        )
        return Response(GroupOut(group).data, status=status.HTTP_201_CREATED)


class GroupDetail(APIView):
    @extend_schema(
        summary="A solidarity group",
        responses={200: GroupOut, 401: ERRORS[401], 403: ERRORS[403], 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        return Response(GroupOut(selectors.group_get(user=request.user, group_id=pk)).data)


class GroupMembers(APIView):
    @extend_schema(
        summary="Add a member to a solidarity group",
        request=GroupMemberIn,
        responses={201: GroupOut, **ERRORS, 404: NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request, pk: int):
        group: SolidarityGroup = selectors.group_get(user=request.user, group_id=pk)
        d = _validated(GroupMemberIn, request.data).validated_data
        if d.get("member_id"):
            member = _member_ref(request, d["member_id"], "member_id")
        else:
            try:
                member = selectors.member_get_by_number(
                    user=request.user, number=d["member_number"]
                )
            except NotFound as exc:
                raise ValidationFailed(exc.message, field="member_number")
        services.group_member_add(actor=request.user, group=group, member=member)
        group = selectors.group_get(user=request.user, group_id=pk)
        return Response(GroupOut(group).data, status=status.HTTP_201_CREATED)
