"""Seed an EXAMPLE vaccination schedule and the default follow-up template.

EXAMPLE — replace with the Ministry of Health's official schedule. The doses below follow the
WHO's recommended routine immunisation for children in outline (BCG, hepatitis B and OPV at
birth; pentavalent DTP-HepB-Hib, OPV, PCV and rotavirus from 6 weeks; IPV; MMR), with common
minimum ages, intervals and upper age limits. They are marked ``is_example`` and the schedule page
says so until an administrator has confirmed or replaced each dose.
"""

from django.db import migrations

NOTE = "EXAMPLE — replace with the Ministry of Health's official schedule."

W = 7  # days in a week
M = {4: 122, 6: 183, 9: 274, 12: 365, 18: 548}  # months in days (30.4375 a month)
Y = {5: 1826, 6: 2192, 7: 2557}  # years in days (365.25 a year)

# code, name, [(dose, recommended, minimum age, minimum interval, maximum age, note)]
SCHEDULE = [
    ("bcg", "BCG", [(1, 0, 0, None, Y[5], "Unvaccinated children up to 5 years without signs of tuberculosis.")]),
    ("hepb-birth", "Hepatitis B (birth dose)", [(1, 0, 0, None, 2 * W, "Within 24 hours of birth if possible.")]),
    ("opv-birth", "OPV (birth dose)", [(1, 0, 0, None, 2 * W, "")]),
    (
        "penta",
        "DTP-HepB-Hib (pentavalent)",
        [
            (1, 6 * W, 6 * W, None, Y[7], ""),
            (2, 10 * W, 6 * W, 4 * W, Y[7], ""),
            (3, 14 * W, 6 * W, 4 * W, Y[7], ""),
            (4, M[18], M[12], M[6], Y[7], "Booster with a DTP-containing vaccine."),
        ],
    ),
    (
        "opv",
        "OPV (bivalent)",
        [(1, 6 * W, 6 * W, None, None, ""), (2, 10 * W, 6 * W, 4 * W, None, ""), (3, 14 * W, 6 * W, 4 * W, None, "")],
    ),
    ("ipv", "IPV", [(1, 14 * W, 6 * W, None, None, ""), (2, M[9], 6 * W, M[4], None, "")]),
    (
        "pcv",
        "Pneumococcal conjugate (PCV)",
        [(1, 6 * W, 6 * W, None, Y[5], ""), (2, 10 * W, 6 * W, 4 * W, Y[5], ""), (3, 14 * W, 6 * W, 4 * W, Y[5], "")],
    ),
    (
        "rota",
        "Rotavirus",
        [
            (1, 6 * W, 6 * W, None, 15 * W, "The series is not started after 15 weeks of age."),
            (2, 10 * W, 6 * W, 4 * W, 32 * W, "Not given after 32 weeks of age."),
        ],
    ),
    ("mmr", "Measles, mumps and rubella (MMR)", [(1, M[12], M[12], None, None, ""), (2, Y[6], M[12], 4 * W, None, "")]),
]


def seed(apps, schema_editor):
    Vaccine = apps.get_model("reintegration", "Vaccine")
    Item = apps.get_model("reintegration", "VaccineScheduleItem")
    Template = apps.get_model("reintegration", "FollowUpTemplate")
    for order, (code, name, doses) in enumerate(SCHEDULE, start=1):
        vaccine, _ = Vaccine.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order * 10})
        for dose, recommended, minimum, interval, maximum, note in doses:
            Item.objects.get_or_create(
                vaccine=vaccine,
                dose_number=dose,
                defaults={
                    "recommended_age_days": recommended,
                    "minimum_age_days": minimum,
                    "minimum_interval_days": interval,
                    "maximum_age_days": maximum,
                    "is_example": True,
                    "notes": f"{NOTE} {note}".strip(),
                },
            )
    Template.objects.get_or_create(
        name="Standard: 1, 3, 6, 12 and 24 months",
        defaults={"months_after_arrival": [1, 3, 6, 12, 24], "is_default": True},
    )


class Migration(migrations.Migration):
    dependencies = [("reintegration", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
