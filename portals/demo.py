"""Demo data for the hub, fed through the claims-workflow importer (idempotent).

Every demo portal account has the password Portal-Secret-<n> (n = 1, 2, ...), so anyone
can check that none of them shows up in the database, a page, a log or a CSV.
"""

from __future__ import annotations

import datetime as dt

from practices.demo import DemoContext

from .importer import import_issues

PASSWORD_PREFIX = "Portal-Secret-"

PORTALS = [
    ("availity", "Availity Essentials", "https://www.availity.com",
     [("Aetna", "Commercial"), ("Anthem Blue Cross Blue Shield Ohio", "BCBS"),
      ("Humana Medicare Advantage", "Medicare Advantage")]),
    ("uhc", "UnitedHealthcare Provider Portal", "https://www.uhcprovider.com",
     [("UnitedHealthcare", "Commercial"),
      ("UnitedHealthcare Community Plan of Ohio", "Medicaid Managed Care")]),
    ("cgs", "myCGS (Medicare J15)", "https://www.cgsmedicare.com",
     [("Medicare Part B Ohio", "Medicare")]),
    ("ohio-medicaid", "Ohio Medicaid Provider Network Management", "https://medicaid.ohio.gov",
     [("Ohio Medicaid", "Medicaid")]),
    ("caresource", "CareSource Provider Portal", "https://www.caresource.com",
     [("CareSource Ohio Medicaid", "Medicaid Managed Care"),
      ("CareSource Marketplace", "Commercial")]),
    ("medmutual", "Medical Mutual Provider Portal", "https://www.medmutual.com",
     [("Medical Mutual of Ohio", "Commercial")]),
    ("cigna", "Cigna for Health Care Professionals", "https://cignaforhcp.cigna.com",
     [("Cigna", "Commercial")]),
    ("paramount", "Paramount Provider Portal", "https://www.paramounthealthcare.com",
     [("Paramount Advantage", "Medicaid Managed Care")]),
    ("wellcare", "Wellcare Provider Portal", "https://www.wellcare.com",
     [("Wellcare Medicare", "Medicare Advantage")]),
    ("tricare", "TRICARE East Provider Portal", "https://www.humanamilitary.com",
     [("TRICARE East", "Tricare")]),
    ("buckeye", "Buckeye Health Plan Secure Portal", "https://www.buckeyehealthplan.com",
     [("Buckeye Health Plan", "Medicaid Managed Care")]),
    ("ohio-bwc", "Ohio BWC Provider Portal", "https://www.bwc.ohio.gov",
     [("Ohio Bureau of Workers' Compensation", "Workers' Compensation")]),
]  # fmt: skip

NORTH, SOUTH = "461234567", "823456781"

# (issue id, portal, label, blocks, summary, impact, [tasks]);
# task = (number, kind, status, account type, groups, tins to add, description)
SEVEN_HILLS = [
    ("PPI-1001", "availity", "needs_your_attention", "claims", "Login failed: password expired",
     "Claim status checks and eligibility lookups for Aetna and Anthem stopped; 38 claims "
     "($21,450) are waiting.",
     [("40112", "claims_enrollment", "practice", "practice", [NORTH], [],
       "The Availity password for this account expired on the 1st. Sign in to Availity, set a "
       "new password and enter it on this task.")]),
    ("PPI-1002", "uhc", "needs_your_attention", "claims", "TIN missing from the portal account",
     "We cannot see remittances for the South group's TIN: 12 claims ($6,980) cannot be "
     "followed up.",
     [("40127", "claims_enrollment", "practice", "practice", [SOUTH], [SOUTH],
       "Add the TIN below to the UnitedHealthcare One Healthcare ID used by our team."),
      ("40128", "claims_enrollment", "practice", "practice", [SOUTH, NORTH], [NORTH],
       "Add the North group's TIN to the same account so both groups' claims can be worked.")]),
    ("PPI-1003", "cgs", "needs_your_attention", "unpostables", "Multi-factor code goes to a "
     "former employee", "Medicare EFT deposits cannot be matched to remittances.",
     [("40133", "unpostables", "practice", "practice", [], [],
       "The myCGS account sends its security code to a former employee's phone. Update the "
       "account's phone, then give us the new user name and password.")]),
    ("PPI-1004", "caresource", "needs_your_attention", "claims", "Account locked",
     "Medicaid claim status requests return 'account locked'; 9 claims ($2,310) are on hold.",
     [("40141", "claims_enrollment", "practice", "practice", [NORTH], [],
       "The account was locked after failed sign-ins. Unlock it with CareSource and enter the "
       "new password here.")]),
    ("PPI-1005", "medmutual", "needs_your_attention", "unpostables", "No portal account yet",
     "Check deposits from Medical Mutual cannot be posted without the portal's remittance "
     "images.",
     [("40150", "unpostables", "practice", "practice", [NORTH], [NORTH],
       "Create a Medical Mutual provider portal account for the practice and add it here with "
       "Add account information.")]),
    ("PPI-1006", "paramount", "needs_your_attention", "unpostables", "Remittance access "
     "not granted", "EFT deposits from Paramount Advantage cannot be posted.",
     [("40158", "unpostables", "practice", "operator", [SOUTH], [],
       "Ask Paramount to grant our team's account access to the practice's remittances, then "
       "tell us in a comment when it is done.")]),
    ("PPI-1007", "cigna", "with_us", "claims", "Security questions need reset",
     "Claim status checks for Cigna are slower while we work through the payer's phone line.",
     [("40163", "claims_enrollment", "with_us", "operator", [NORTH], [],
       "Our team is resetting the security questions with Cigna.")]),
    ("PPI-1008", "wellcare", "with_us", "claims", "New user being provisioned",
     "Wellcare claims are worked by phone until the account is ready.",
     [("40170", "claims_enrollment", "with_us", "practice", [SOUTH], [],
       "The practice sent the new account details; our team is checking them.")]),
    ("PPI-1009", "ohio-medicaid", "with_us", "claims", "Agent role pending",
     "Medicaid claim status checks for the South group are delayed.",
     [("40176", "claims_enrollment", "with_us", "operator", [SOUTH], [],
       "Our team requested the agent role in the provider network management system.")]),
    ("PPI-1010", "buckeye", "with_us", "unpostables", "Password change submitted",
     "Buckeye EFT deposits are posted manually for now.",
     [("40181", "unpostables", "with_us", "practice", [], [],
       "The practice submitted a new password; our team is verifying it.")]),
    ("PPI-1011", "tricare", "with_us", "claims", "Portal enrollment form sent",
     "TRICARE claim status is checked by phone.",
     [("40185", "claims_enrollment", "with_us", "operator", [NORTH], [],
       "Our team sent the portal enrollment form.")]),
    ("PPI-1012", "ohio-bwc", "with_payer", "claims", "Payer portal outage",
     "Ohio BWC claims cannot be checked until the payer restores the portal.", []),
    ("PPI-1013", "availity", "with_payer", "unpostables", "Remittance viewer unavailable",
     "Anthem remittance images are unavailable on the payer's side.",
     [("40190", "unpostables", "with_us", "operator", [SOUTH], [],
       "Waiting for the payer to restore the remittance viewer.")]),
    ("PPI-1014", "uhc", "with_payer", "claims", "Payer reviewing TIN linkage",
     "Community Plan claims for the South group are delayed.",
     [("40195", "claims_enrollment", "with_us", "practice", [SOUTH], [],
       "The payer is reviewing the TIN linkage request.")]),
]  # fmt: skip

LAKESIDE = [
    ("LPI-2001", "availity", "needs_your_attention", "claims", "Login failed: password expired",
     "Claim status checks for Aetna stopped.",
     [("50101", "claims_enrollment", "practice", "practice", ["311234567"], [],
       "Set a new Availity password and enter it on this task.")]),
    ("LPI-2002", "cgs", "with_us", "unpostables", "Account being recertified",
     "Medicare EFT deposits are posted manually.",
     [("50107", "unpostables", "with_us", "operator", [], [],
       "Our team is recertifying the account.")]),
]  # fmt: skip

BASE = dt.datetime(2025, 9, 2, 9, 0, tzinfo=dt.UTC)


def document() -> dict:
    """The demo as an import file (the same layout the claims workflow sends)."""
    counter = iter(range(1, 1000))
    issues = []
    for practice, rows in (("seven-hills", SEVEN_HILLS), ("lakeside", LAKESIDE)):
        for i, (issue_id, portal, label, blocks, summary, impact, tasks) in enumerate(rows):
            reported = BASE + dt.timedelta(days=2 * i)
            issues.append(
                {
                    "id": issue_id,
                    "practice": practice,
                    "portal": portal,
                    "label": label,
                    "blocks": blocks,
                    "summary": summary,
                    "impact": impact,
                    "created": reported.isoformat(),
                    "tasks": [
                        _task(task, reported + dt.timedelta(hours=j + 1), next(counter), practice)
                        for j, task in enumerate(tasks)
                    ],
                }
            )
    return {
        "portals": [
            {
                "key": key,
                "name": name,
                "url": url,
                "covered_payers": [{"name": n, "irc": irc} for n, irc in covered],
            }
            for key, name, url, covered in PORTALS
        ],
        "issues": issues,
    }


def _task(row, opened: dt.datetime, n: int, practice: str) -> dict:
    number, kind, status, account_type, groups, tins, description = row
    no_account = description.startswith("Create a")
    task = {
        "id": number,
        "kind": kind,
        "status": status,
        "description": description,
        "created": opened.isoformat(),
        "medical_groups": groups,
        "tins_to_add": tins,
        "account": {"type": account_type}
        if no_account
        else {
            "type": account_type,
            "username": f"sevenhills.billing{n:02d}"
            if number < "5"
            else f"lakeside.billing{n:02d}",
            "password": f"{PASSWORD_PREFIX}{n}",
        },
        "notes": [
            {
                "author": "Claims team",
                "text": f"Opened from the claims workflow: {description}",
                "at": opened.isoformat(),
            }
        ],
    }
    if kind == "unpostables":
        task["unpostables"] = [
            {
                "id": f"U{number}{k}",
                "kind": "eft" if k % 2 else "check",
                "payer": "",
                "deposit_date": (opened.date() - dt.timedelta(days=3 + k)).isoformat(),
                "blocked": k != 2,
                "amount": f"{(int(number) % 97) * 37 + k * 412.35:.2f}",
            }
            for k in range(1, 4)
        ]
    return task


def seed(ctx: DemoContext) -> None:
    result = import_issues(document())
    if result.errors:
        raise RuntimeError("portals demo data is invalid: " + "; ".join(result.errors))
    ctx.log.append(
        f"portals: {result.portals} payer portals, "
        f"{result.issues_created + result.issues_updated} access issues, {result.tasks} tasks, "
        f"{result.unpostables} affected unpostables (account passwords {PASSWORD_PREFIX}1, 2, ...)"
    )
