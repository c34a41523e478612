"""Generate the bundled sample portfolio (scenarios/sample/portfolio/*.csv and portfolio.xlsx).

Deterministic: the same script writes the same files. Run ``make sample`` after changing it.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from workbench.analyses.solve import solve
from workbench.data.convert import csv_folder_to_xlsx
from workbench.data.planning_data import load_inputs

ROOT = Path(__file__).resolve().parent.parent / "scenarios" / "sample"
FOLDER = ROOT / "portfolio"
ROLES = {  # role: FTE available per month
    "project_manager": 6,
    "business_analyst": 9,
    "software_engineer": 22,
    "data_engineer": 5,
    "data_scientist": 4,
    "architect": 3,
    "tester": 8,
    "change_manager": 3,
}
CATEGORIES = {
    "regulatory": [
        "Basel IV reporting",
        "GDPR data retention",
        "AML screening upgrade",
        "ESG disclosure",
        "DORA resilience testing",
        "Sanctions list automation",
        "Consumer Duty evidence",
    ],
    "growth": [
        "Mobile onboarding",
        "SME lending portal",
        "Partner API marketplace",
        "Wealth app relaunch",
        "Cross-sell engine",
        "Open banking aggregation",
        "Instant payments for SMEs",
        "Youth account",
        "Merchant analytics",
        "Buy-now-pay-later pilot",
        "Loyalty programme",
    ],
    "efficiency": [
        "Invoice automation",
        "Contact centre AI assist",
        "Document digitisation",
        "Branch workflow",
        "Procure-to-pay refresh",
        "Robotic reconciliations",
        "HR self-service",
        "Claims triage",
        "Print estate reduction",
        "Finance close acceleration",
        "Vendor consolidation",
    ],
    "platform": [
        "Core banking upgrade",
        "Cloud landing zone",
        "Data lakehouse",
        "Identity platform",
        "API gateway",
        "Observability stack",
        "CI/CD modernisation",
        "Mainframe offload",
        "Event streaming backbone",
        "Master data hub",
        "Network refresh",
    ],
    "customer": [
        "Complaints hub",
        "Omnichannel inbox",
        "Customer 360",
        "Accessibility remediation",
        "Self-service disputes",
        "Personalised offers",
        "Voice biometrics",
        "NPS feedback loop",
    ],
    "risk": [
        "Fraud model refresh",
        "Credit decisioning",
        "Operational risk register",
        "Model risk inventory",
        "Cyber threat detection",
        "Third-party risk portal",
        "Stress testing engine",
        "Liquidity dashboard",
        "Collections optimisation",
        "Key risk indicators",
        "Payments fraud rules",
    ],
}
PREFIX = {
    "regulatory": "REG",
    "growth": "GRO",
    "efficiency": "EFF",
    "platform": "PLT",
    "customer": "CUS",
    "risk": "RSK",
}
CRITERIA = {"strategic_fit": 0.4, "customer_impact": 0.3, "risk_reduction": 0.2, "urgency": 0.1}


def month(t: int) -> str:
    return f"{2027 + t // 12}-{t % 12 + 1:02d}"


def main() -> None:
    rng = random.Random(20270101)
    FOLDER.mkdir(parents=True, exist_ok=True)
    projects, demand, costs = [], [], []
    for category, names in CATEGORIES.items():
        for number, name in enumerate(names, 1):
            pid = f"{PREFIX[category]}-{number:02d}"
            duration = rng.choice([3, 4, 5, 6, 6, 8, 9, 12])
            monthly_team = {}
            main_role = {
                "regulatory": "business_analyst",
                "platform": "software_engineer",
                "risk": "data_scientist",
                "growth": "software_engineer",
                "efficiency": "business_analyst",
                "customer": "software_engineer",
            }[category]
            monthly_team["project_manager"] = rng.choice([0.5, 0.5, 1.0])
            monthly_team[main_role] = rng.choice([1.0, 1.5, 2.0, 3.0])
            for role in rng.sample(sorted(ROLES), 2):
                monthly_team.setdefault(role, rng.choice([0.5, 1.0, 1.5]))
            if category in ("platform", "risk") or rng.random() < 0.25:
                monthly_team.setdefault("data_engineer", rng.choice([0.5, 1.0, 1.5]))
            monthly_cost = sum(monthly_team.values()) * 11_000 + rng.choice([0, 5_000, 20_000])
            cost = round(monthly_cost * duration, -3)
            roi = rng.uniform(1.1, 3.2) if category != "regulatory" else rng.uniform(0.6, 1.2)
            value = round(cost * roi, -3)
            row = {
                "id": pid,
                "name": name,
                "category": category,
                "value": value,
                "cost": cost,
                "duration": duration,
                "earliest_start": "",
                "latest_start": "",
                "mandatory": "false",
                "status": "proposed",
                "start": "",
                "risk": round(rng.uniform(0.05, 0.45), 2),
                "sponsor": rng.choice(["COO", "CFO", "CRO", "CIO", "CMO"]),
            }
            for criterion in CRITERIA:
                row[f"score_{criterion}"] = rng.randint(1, 5)
            if category == "regulatory" and number <= 3:
                row["mandatory"] = "true"
                row["latest_start"] = month(rng.choice([3, 6, 9]))
                row["score_urgency"] = 5
            if row["mandatory"] == "false":
                # the PMO's target quarter (or half-year) for the start
                first = rng.choice(range(0, 24 - duration + 1, 3))
                width = rng.choice([3, 3, 3, 6])
                row["earliest_start"] = month(first)
                row["latest_start"] = month(min(first + width - 1, 24 - duration))
            projects.append(row)
            for role, fte in monthly_team.items():
                demand.append({"project": pid, "role": role, "fte": fte, "offset": ""})
            if duration >= 6 and rng.random() < 0.3:
                # testing peaks at the end, change management at go-live
                demand.append({"project": pid, "role": "tester", "fte": 2.0, "offset": duration - 1})
                demand.append({"project": pid, "role": "change_manager", "fte": 1.0, "offset": duration - 1})
            if duration >= 6 and rng.random() < 0.25:
                front = round(cost * 0.4, -3)
                rest = cost - front
                per = round(rest / (duration - 1), 2)
                amounts = [front] + [per] * (duration - 2) + [round(rest - per * (duration - 2), 2)]
                costs.extend({"project": pid, "offset": k, "amount": a} for k, a in enumerate(amounts))
    # in-progress work with fixed starts, one approved
    for pid, start in (("PLT-01", "2027-01"), ("EFF-01", "2027-01"), ("CUS-01", "2027-02")):
        row = next(p for p in projects if p["id"] == pid)
        row.update(status="in_progress", start=start, earliest_start="", latest_start="")
    next(p for p in projects if p["id"] == "RSK-01").update(status="approved")
    dependencies = [
        ("PLT-03", "PLT-02"),
        ("RSK-02", "PLT-03"),
        ("GRO-05", "PLT-03"),
        ("GRO-03", "PLT-05"),
        ("GRO-06", "PLT-05"),
        ("CUS-03", "PLT-10"),
        ("CUS-06", "CUS-03"),
        ("PLT-08", "PLT-02"),
        ("RSK-05", "PLT-09"),
        ("EFF-06", "EFF-01"),
        ("GRO-09", "PLT-03"),
        ("REG-05", "PLT-04"),
    ]
    exclusions = [
        ("lending_platform", "GRO-02"),
        ("lending_platform", "RSK-02"),
        ("channel_strategy", "GRO-04"),
        ("channel_strategy", "CUS-02"),
        ("channel_strategy", "GRO-08"),
    ]
    write(FOLDER / "projects.csv", projects)
    write(FOLDER / "demand.csv", demand)
    write(
        FOLDER / "capacity.csv",
        [{"role": r, "fte": f, "period": ""} for r, f in ROLES.items()]
        + [{"role": "software_engineer", "fte": 18, "period": month(t)} for t in (6, 7)]  # summer
        + [{"role": "tester", "fte": 6, "period": month(t)} for t in (11, 23)],
    )  # December
    budget = [{"amount": 520_000, "period": ""}]
    budget += [{"amount": 480_000, "period": month(t)} for t in (0, 1, 2)]  # budget released late
    budget += [{"amount": 600_000, "period": month(t)} for t in range(12, 24)]
    write(FOLDER / "budget.csv", budget)
    write(FOLDER / "costs.csv", costs)
    write(FOLDER / "dependencies.csv", [{"project": p, "requires": r} for p, r in dependencies])
    write(FOLDER / "exclusions.csv", [{"group": g, "project": p} for g, p in exclusions])
    write(FOLDER / "criteria.csv", [{"criterion": c, "weight": w} for c, w in CRITERIA.items()])
    write_status_tables()
    write_risk_tables(projects)
    workbook = ROOT / "portfolio.xlsx"
    if workbook.exists():
        workbook.unlink()  # the script owns this generated file
    csv_folder_to_xlsx(FOLDER, workbook)
    print(f"wrote {len(projects)} projects to {FOLDER} and {workbook}")


# status as of 2027-06: project -> (percent complete at the status date or at completion, actual cost as a
# share of its planned cost to then, months it took when finished, else None). Picked to show every RAG:
# REG-02 finished a month early, CUS-04 has not started as planned, GRO-10 runs without a baseline row.
STATUS_DATE = 5  # 2027-06
PROGRESS = {
    "REG-02": (100, 0.95, 2),
    "EFF-01": (100, 1.03, 3),
    "RSK-03": (100, 0.96, 3),
    "PLT-01": (60, 1.08, None),
    "CUS-01": (78, 0.97, None),
    "REG-01": (65, 1.00, None),
    "PLT-07": (40, 0.92, None),
    "REG-03": (34, 0.95, None),
    "PLT-05": (12, 0.92, None),
}
UNPLANNED = ("GRO-10", 4, 5, 21_000)  # project, first month, percent, cost to date


def write_status_tables() -> None:
    """The baseline is the sample baseline scenario's optimum; actuals follow PROGRESS."""
    for stale in ("baseline.csv", "actuals.csv", "effort.csv"):
        (FOLDER / stale).unlink(missing_ok=True)
    inputs = load_inputs(ROOT / "baseline.yaml")
    result = solve(inputs)  # the scenario's own solver: serial CBC, the same plan every run
    starts = {p.id: p.start_index for p in result.selected}
    write(
        FOLDER / "baseline.csv",
        [{"project": p, "start": month(s)} for p, s in sorted(starts.items(), key=lambda i: (i[1], i[0]))],
    )
    actuals, effort = [], []
    costs = inputs.data.costs_by_project
    for project, (percent, cost_share, finished) in PROGRESS.items():
        start = starts[project]
        last = STATUS_DATE if finished is None else start + finished - 1
        months = list(range(start, last + 1))
        planned = sum(amount for offset, amount in costs[project] if start + offset <= last)
        for number, t in enumerate(months, 1):
            actuals.append(
                {
                    "project": project,
                    "period": month(t),
                    "cost": round(planned * cost_share / len(months), 2),
                    "percent_complete": round(percent * number / len(months), 1),
                }
            )
        for role, offset, fte in inputs.data.demand_by_project[project]:
            if project == "PLT-01" and start + offset <= last:  # effort booked by one project
                effort.append(
                    {"project": project, "period": month(start + offset), "role": role, "fte": round(fte * 1.15, 2)}
                )
    project, first, percent, cost = UNPLANNED
    months = list(range(first, STATUS_DATE + 1))
    for number, t in enumerate(months, 1):
        actuals.append(
            {
                "project": project,
                "period": month(t),
                "cost": round(cost / len(months), 2),
                "percent_complete": round(percent * number / len(months), 1),
            }
        )
    write(FOLDER / "actuals.csv", actuals)
    write(FOLDER / "effort.csv", effort)


RISK_TITLES = [
    ("Vendor delivers the core banking module late", "PLT-01", 0.35, 60_000, 2, "CTO"),
    ("Regulator changes the Basel IV templates", "REG-01", 0.25, 40_000, 1, "CRO"),
    ("Key data engineer leaves", None, 0.20, 0, 0, "Head of Data"),
    ("Cloud costs above estimate", "PLT-02", 0.30, 35_000, 0, "CFO"),
    ("AML model fails validation", "REG-03", 0.20, 50_000, 2, "CRO"),
    ("Integration test environment unavailable", "PLT-07", 0.40, 20_000, 1, "CTO"),
    ("Branch staff resist the new workflow", "EFF-04", 0.30, 15_000, 1, "COO"),
    ("Supplier insolvency", "CUS-05", 0.05, 80_000, 3, "CPO"),
    ("Security findings in the API gateway", "PLT-05", 0.25, 30_000, 1, "CISO"),
    ("Scope creep in self-service disputes", "CUS-05", 0.35, 25_000, 1, "CDO"),
    ("GDPR retention rules misread", "REG-02", 0.10, 20_000, 0, "DPO"),
    ("Data migration errors", "EFF-09", 0.30, 45_000, 2, "COO"),
    ("Licence price rise", None, 0.50, 0, 0, "CFO"),
    ("Stress testing engine under-specified", "RSK-07", 0.20, 30_000, 1, "CRO"),
    ("Fraud rules tuned too late", "RSK-01", 0.25, 25_000, 1, "CRO"),
]


def write_risk_tables(projects: list[dict]) -> None:
    """Ranges around the plan (fat upper tails on platform and regulatory work) and a register."""
    rng = random.Random(20270401)
    uncertainty = []
    for project in projects:
        if rng.random() < 0.6:
            cost, value, duration = float(project["cost"]), float(project["value"]), int(project["duration"])
            fat = project["id"].startswith(("PLT", "REG"))
            uncertainty.append(
                {
                    "project": project["id"],
                    "cost_low": round(cost * 0.9, -3),
                    "cost_high": round(cost * (1.9 if fat else 1.3), -3),
                    "value_low": round(value * 0.6, -3),
                    "value_high": round(value * 1.2, -3),
                    "duration_low": max(1, duration - 1),
                    "duration_high": duration + (3 if fat else 1),
                    "success_probability": 0.8 if project["id"].startswith("GRO") else 0.95,
                    "distribution": "pert" if fat else "triangular",
                }
            )
    write(FOLDER / "uncertainty.csv", uncertainty)
    register = []
    for number, (title, project, probability, impact, delay, owner) in enumerate(RISK_TITLES, 1):
        register.append(
            {
                "id": f"R{number:02d}",
                "title": title,
                "project": project or "",
                "probability": probability,
                "cost_impact": impact,
                "delay": delay,
                "owner": owner,
                "status": "mitigated" if number % 5 == 0 else "open",
                "mitigation": "weekly review with the owner",
                "due": month(rng.randint(2, 10)),
            }
        )
    write(FOLDER / "risks.csv", register)


def write(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
