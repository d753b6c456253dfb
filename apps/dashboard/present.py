"""The store month laid out once — sections of figure rows and tables, with labels in
the user's language and links to the records — and then rendered three ways: the page
(and its print stylesheet), the PDF and the XLSX. Values stay exact here; the page and
PDF show money in 万元, the workbook keeps yuan to the fen."""

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.aftersales.models import Category, ServiceKind
from apps.catalog.models import BodyType
from apps.customers.models import Source
from apps.sales.models import Settlement
from apps.scoring.periods import parse

from . import charts

# How a value is shown: count, money (CNY), ratio (shown as %), score (1–5), hours.
COUNT, MONEY, RATIO, SCORE, HOURS, TEXT = "count", "money", "ratio", "score", "hours", "text"


@dataclass
class Row:
    label: Any
    figure: dict[str, Any]
    kind: str = COUNT
    url: str = ""
    compare: bool = True  # show last month / last year columns
    target: bool = False


@dataclass
class Table:
    title: Any
    columns: list[tuple[Any, str]]  # (header, kind)
    rows: list[list[Any]]
    urls: list[str] = field(default_factory=list)

    @property
    def linked_rows(self) -> list[tuple[list[Any], str]]:
        return [(row, self.urls[i] if i < len(self.urls) else "") for i, row in enumerate(self.rows)]


@dataclass
class Section:
    key: str
    title: Any
    rows: list[Row] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[tuple[Any, str]] = field(default_factory=list)  # (title, svg)


def _label(choices: Any, code: str) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return code or "—"


def _url(name: str, **params: Any) -> str:
    return reverse(name) + ("?" + urlencode({k: v for k, v in params.items() if v not in (None, "")}))


def _plain(value: Any) -> dict[str, Any]:
    return {"value": value}


def sections(data: dict[str, Any]) -> list[Section]:
    period = parse(data["month"])
    start, end = period.start.isoformat(), period.end.isoformat()
    orders = _url("sales:orders", order_date__gte=start, order_date__lte=end)
    s, sh, mk, cs, af, pe, mo = (
        data[k] for k in ("sales", "showroom", "marketing", "service", "aftersales", "people", "money")
    )

    sales = Section("sales", _("Sales"))
    sales.rows = [
        Row(_("Units sold"), s["units"], COUNT, orders, target=True),
        Row(_("Sales revenue"), s["revenue"], MONEY, orders, target=True),
        Row(_("Gross profit"), s["gross_profit"], MONEY, orders, target=True),
        Row(_("Gross margin"), s["margin"], RATIO, orders),
        Row(_("Cancellations"), s["cancellations"], COUNT, _url("sales:orders", status="cancelled")),
    ]
    if s["best_model"]:
        best = s["best_model"]
        sales.rows.append(
            Row(
                _("Best-selling model"),
                _plain(f"{best['vehicle_model']} · {best['units']}"),
                TEXT,
                compare=False,
            )
        )
    sales.tables = [
        Table(
            _("By vehicle model"),
            [
                (_("Model"), TEXT),
                (_("Body type"), TEXT),
                (_("Units"), COUNT),
                (_("Share"), RATIO),
                (_("Revenue"), MONEY),
                (_("Gross profit"), MONEY),
            ],
            [
                [
                    r["vehicle_model"],
                    _label(BodyType, r["body_type"]),
                    r["units"],
                    r["share"],
                    r["revenue"],
                    r["gross_profit"],
                ]
                for r in s["by_model"]
            ],
        ),
        Table(
            _("By body type"),
            [(_("Body type"), TEXT), (_("Units"), COUNT), (_("Share"), RATIO), (_("Revenue"), MONEY)],
            [
                [_label(BodyType, r["body_type"]), r["units"], r["share"], r["revenue"]]
                for r in s["by_body_type"]
            ],
        ),
        Table(
            _("By settlement method"),
            [(_("Settlement"), TEXT), (_("Units"), COUNT), (_("Share"), RATIO), (_("Revenue"), MONEY)],
            [
                [_label(Settlement, r["settlement"]), r["units"], r["share"], r["revenue"]]
                for r in s["by_settlement"]
            ],
            [
                _url("sales:orders", order_date__gte=start, order_date__lte=end, settlement=r["settlement"])
                for r in s["by_settlement"]
            ],
        ),
    ]
    sales.charts = [
        (_("Units by model"), charts.bars([(r["vehicle_model"], r["units"]) for r in s["by_model"][:10]])),
        (
            _("Units, last 12 months"),
            charts.columns(
                [(t["month"][2:], t["units"]) for t in data["trend"]], highlight=len(data["trend"]) - 1
            ),
        ),
    ]

    visits = _url("activities:visit_list", date_from=start, date_to=end)
    showroom = Section("showroom", _("Showroom"))
    showroom.rows = [
        Row(_("Walk-ins (customers)"), sh["walk_ins"], COUNT, visits + "&channel=showroom"),
        Row(_("of them new"), sh["new"], COUNT),
        Row(_("of them returning"), sh["returning"], COUNT),
        Row(_("Test drives"), sh["test_drives"], COUNT, visits + "&channel=test_drive"),
        Row(_("Leads registered"), sh["leads"], COUNT, _url("customers:list", sort="-created")),
        Row(_("Lead → order conversion"), sh["conversion"], RATIO),
    ]
    showroom.tables = [
        Table(
            _("Leads by source"),
            [
                (_("Source"), TEXT),
                (_("Leads"), COUNT),
                (_("Share"), RATIO),
                (_("Converted"), COUNT),
                (_("Conversion"), RATIO),
            ],
            [
                [_label(Source, r["source"]), r["leads"], r["share"], r["converted"], r["conversion"]]
                for r in sh["by_source"]
            ],
            [_url("customers:list", source=r["source"]) for r in sh["by_source"]],
        )
    ]

    marketing = Section("marketing", _("Marketing"))
    marketing.rows = [
        Row(_("Campaigns run"), _plain(mk["count"]), COUNT, _url("customers:campaigns"), compare=False),
        Row(_("Campaign cost"), _plain(mk["cost"]), MONEY, compare=False),
        Row(_("Campaign leads"), _plain(mk["leads"]), COUNT, compare=False),
        Row(_("Campaign deals"), _plain(mk["deals"]), COUNT, compare=False),
        Row(_("Cost per lead"), _plain(mk["cost_per_lead"]), MONEY, compare=False),
        Row(_("Cost per deal"), _plain(mk["cost_per_deal"]), MONEY, compare=False),
    ]
    marketing.tables = [
        Table(
            _("Campaigns"),
            [
                (_("Campaign"), TEXT),
                (_("Channel"), TEXT),
                (_("From"), TEXT),
                (_("To"), TEXT),
                (_("Cost"), MONEY),
                (_("Leads"), COUNT),
                (_("Deals"), COUNT),
                (_("Cost per lead"), MONEY),
                (_("Cost per deal"), MONEY),
            ],
            [
                [
                    c["name"],
                    _label(Source, c["source"]),
                    c["starts_on"],
                    c["ends_on"],
                    c["cost"],
                    c["leads"],
                    c["deals"],
                    c["cost_per_lead"],
                    c["cost_per_deal"],
                ]
                for c in mk["campaigns"]
            ],
        )
    ]

    complaints = _url("aftersales:complaint_list", opened_from=start, opened_to=end)
    service = Section("service", _("Customer service"))
    service.rows = [
        Row(_("Callbacks due"), cs["callbacks_due"], COUNT, _url("aftersales:kpis", start=start, end=end)),
        Row(_("Done on time"), cs["on_time"], COUNT),
        Row(_("On-time rate"), cs["on_time_rate"], RATIO),
        Row(_("Contact rate"), cs["contact_rate"], RATIO),
        Row(_("Satisfaction (1–5)"), cs["satisfaction"], SCORE),
        Row(_("Satisfaction (% of the maximum)"), cs["satisfaction_pct"], RATIO),
        Row(_("Complaints received"), cs["complaints"], COUNT, complaints),
        Row(_("Complaints resolved"), cs["resolved"], COUNT, complaints),
        Row(_("Resolution rate"), cs["resolution_rate"], RATIO),
        Row(_("Average resolution time (hours)"), cs["resolution_hours"], HOURS),
    ]
    service.tables = [
        Table(
            _("Complaints by category"),
            [
                (_("Category"), TEXT),
                (_("Received"), COUNT),
                (_("Resolved"), COUNT),
                (_("Resolution rate"), RATIO),
            ],
            [
                [_label(Category, r["category"]), r["received"], r["resolved"], r["resolution_rate"]]
                for r in cs["by_category"]
            ],
            [
                _url("aftersales:complaint_list", opened_from=start, opened_to=end, category=r["category"])
                for r in cs["by_category"]
            ],
        )
    ]
    service.charts = [
        (
            _("Satisfaction, last 12 months"),
            charts.line([(t["month"][2:], t["average"]) for t in cs["satisfaction_trend"]], low=1, high=5),
        ),
        (
            _("Complaints by category"),
            charts.bars([(_label(Category, r["category"]), r["received"]) for r in cs["by_category"]]),
        ),
    ]

    service_visits = _url("aftersales:visit_list", date_from=start, date_to=end)
    aftersales = Section("aftersales", _("After-sales"))
    aftersales.rows = [
        Row(_("Service visits"), af["visits"], COUNT, service_visits),
        Row(_("Service revenue"), af["revenue"], MONEY, service_visits),
        Row(_("Maintenance visits"), af["maintenance"], COUNT),
        Row(_("Maintenance on time"), af["on_time_rate"], RATIO),
        Row(_("Lapsed owners at month end"), af["lapsed"], COUNT, _url("aftersales:vehicle_list")),
    ]
    aftersales.tables = [
        Table(
            _("Service visits by kind"),
            [(_("Kind"), TEXT), (_("Visits"), COUNT), (_("Revenue"), MONEY)],
            [[_label(ServiceKind, r["kind"]), r["visits"], r["revenue"]] for r in af["by_kind"]],
            [
                _url("aftersales:visit_list", date_from=start, date_to=end, kind=r["kind"])
                for r in af["by_kind"]
            ],
        )
    ]

    people = Section("people", _("People"))
    people.rows = [
        Row(_("Visits"), pe["visits"], COUNT, visits),
        Row(
            _("Report compliance"),
            pe["report_compliance"],
            RATIO,
            _url("activities:report_list", date_from=start, date_to=end),
        ),
        Row(_("Late-entry rate"), pe["late_entry_rate"], RATIO, visits + "&late=true"),
    ]
    people.tables = [
        Table(
            _("Consultants' ranking (scorecard)"),
            [
                ("#", COUNT),
                (_("Consultant"), TEXT),
                (_("Score"), SCORE),
                (_("Units"), COUNT),
                (_("Sales revenue"), MONEY),
                (_("Visits"), COUNT),
                (_("Report compliance"), RATIO),
                (_("Late-entry rate"), RATIO),
            ],
            [
                [
                    r["rank"],
                    r["name"],
                    r["score"],
                    r["units"],
                    r["sales_revenue"],
                    r["visits"],
                    r["report_compliance"],
                    r["late_entry_rate"],
                ]
                for r in pe["ranking"]
            ],
            [_url("scoring:ranking", period=data["month"]) for _r in pe["ranking"]],
        )
    ]

    money = Section("money", _("Money"))
    ag = mo["aging"]
    money.rows = [
        Row(_("Revenue"), mo["revenue"], MONEY, orders),
        Row(_("Cost"), mo["cost"], MONEY, orders),
        Row(_("Gross profit"), mo["gross_profit"], MONEY, orders),
        Row(_("Sales expenses"), mo["expenses"], MONEY, visits),
        Row(_("Expense budget of the month"), _plain(mo["expense_budget"]), MONEY, compare=False),
        Row(_("Budget used"), _plain(mo["budget_used"]), RATIO, compare=False),
        Row(
            _("Collections"),
            mo["collections"],
            MONEY,
            _url("sales:payments", received_on__gte=start, received_on__lte=end),
            target=True,
        ),
    ]
    money.tables = [
        Table(
            _("Receivables aging at month end"),
            [
                (_("Current"), MONEY),
                ("1–30", MONEY),
                ("31–60", MONEY),
                ("61–90", MONEY),
                (">90", MONEY),
                (_("Total"), MONEY),
            ],
            [[ag["current"], ag["d1_30"], ag["d31_60"], ag["d61_90"], ag["d90"], ag["total"]]],
            [_url("sales:receivables")],
        )
    ]
    sections = [sales, showroom, marketing, service, aftersales, people, money]
    st = data.get("stock")  # absent from months frozen before stock was recorded
    if st:
        stock = Section("stock", _("Stock"))
        cars = _url("stock:cars") if _has_url("stock:cars") else ""
        stock.rows = [
            Row(_("Cars in stock at month end"), st["held"], COUNT, cars),
            Row(_("Stock value at month end"), st["cost"], MONEY, cars),
            Row(_("Cars sold from stock"), st["sold"], COUNT, cars),
            Row(_("Months of stock (held ÷ sold)"), st["coverage"], HOURS),
        ]
        sections.append(stock)
    esc = data.get("escalations")  # the additions of issue 15: absent from older snapshots
    if esc:
        ladder = _url("escalations:day") if _has_url("escalations:day") else ""
        service.rows += [
            Row(_("Complaints not acknowledged in time"), esc["not_acknowledged"], COUNT, ladder),
            Row(_("Complaints not answered in time"), esc["not_answered"], COUNT, ladder),
            Row(_("Complaints not resolved in time"), esc["not_resolved"], COUNT, ladder),
        ]
    ap = data.get("appointments")
    if ap:
        kpis = _url("appointments:kpis", month=data["month"]) if _has_url("appointments:kpis") else ""
        section = Section("appointments", _("Appointments"))
        section.rows = [
            Row(_("Invitations"), ap["invitations"], COUNT, kpis),
            Row(_("Confirmed rate"), ap["confirmed_rate"], RATIO),
            Row(_("Arrived"), ap["attended"], COUNT),
            Row(_("Arrival rate"), ap["arrival_rate"], RATIO),
            Row(_("No-show rate"), ap["no_show_rate"], RATIO),
        ]
        sections.append(section)
    rf = data.get("referrals")
    if rf:
        section = Section("referrals", _("Referrals"))
        section.rows = [
            Row(_("Referred customers"), rf["referred"], COUNT, _url("customers:list", source="referral")),
            Row(_("Referrals who bought"), rf["converted"], COUNT),
            Row(_("Referral conversion"), rf["conversion"], RATIO),
            Row(_("Referral rewards given"), _plain(rf["rewards"]), COUNT, compare=False),
            Row(_("Value of the rewards"), _plain(rf["reward_value"]), MONEY, compare=False),
        ]
        sections.append(section)
    tr = data.get("training")
    if tr:
        sessions = _url("training:list", date_from=start, date_to=end) if _has_url("training:list") else ""
        section = Section("training", _("Training"))
        section.rows = [
            Row(_("Training sessions"), tr["sessions"], COUNT, sessions),
            Row(_("Training hours"), tr["hours"], HOURS),
            Row(_("People trained"), tr["attendances"], COUNT),
            Row(_("Attendee hours"), tr["person_hours"], HOURS),
            Row(_("Average assessment score"), tr["average_score"], HOURS),
        ]
        sections.append(section)
    return sections


def _has_url(name: str) -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True
