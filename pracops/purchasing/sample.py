"""The sample practice's supplies: catalogue, vendor prices, usage, stock and open orders.

The writers here run last (after :mod:`pracops.staffing.sample`), because supplies are used by
the visits of :mod:`pracops.billing.sample`. The stock is counted, and the orders are open, as of
:data:`AS_OF` (2025-12-31, before the day's use).

``items``
    About 150 supplies: medical supplies (gloves, syringes, tubes, point-of-care tests …),
    vaccines and drugs (refrigerated where they must be) and office supplies. Emergency drugs
    are ``critical``, each with the minimum the practice keeps on hand whatever the use
    (``min_on_hand``, :data:`MINIMUMS`: the crash cart's par); every item that expires has its
    shelf life (``shelf_life_days``).
``usage``
    Every business day of 2025 before :data:`AS_OF` with completed visits, the units of use of
    each item consumed that day: a rate per completed in-person visit (or per procedure or
    wellness visit), so the seasons and weekdays of the appointments carry over; flu and COVID
    vaccines in September-December, rapid strep, flu and COVID tests and nebuliser drugs in
    winter; office and housekeeping supplies a steady amount per business day.
``vendor_prices``
    Three vendors (:data:`VENDORS`): a distributor selling everything with short lead times,
    a second medical distributor selling most clinical items in bigger packs, usually a little
    dearer with freight and longer, less reliable lead times, and an office supplier. The
    prices in force on :data:`AS_OF` date from 2025-07-01 (2025-01-01 at the office supplier);
    about a fifth of the offers also have the price they replaced, dated six months earlier
    and 2–8 % lower (under 4.7 % on the items making up 90 % of spend, so that no increase
    but the injected one is material).
``inventory_lots``
    The count on :data:`AS_OF`, in lots with expiry dates (none for items that do not expire),
    at the two clinics.
``open_orders``
    Purchase orders placed in December, each from a sku's current vendor (the cheapest landed
    cost per unit of use but for one), not yet wholly received.

The usage averages the sample is built around are the 90 days before :data:`AS_OF` (a day
without use counts as zero). Every item's position (unexpired stock, less any that will expire
unused, plus open orders) is above its 99 % periodic-review reorder point
``d (R + L) + z √((R + L) σd² + d² σL²)`` with the report's review period ``R`` of
:data:`REVIEW_DAYS` and the longer of its vendors' lead times ``L``, and above its minimum on
hand; every lot is used, first expiry first out, well before it expires, whether the averages
are taken over 90 days or the year; except for five problems recorded under ``"purchasing"``
in the ground truth:

``below_reorder_point``
    An item whose position is below even its mean usage over its shortest lead time (``sku``).
``expiring_lot``
    A lot of a slow-moving item that expires before the 90-day average use would consume it
    (``sku``, ``lot``, ``quantity_expiring``: the units left at the end of its expiry date at
    that rate, rounded to whole units). The expiry date is the last day a lot may be used, and
    :data:`AS_OF` is a day of use, so a lot expiring ``n`` days after :data:`AS_OF` has
    ``n + 1`` days of use left.
``cheaper_vendor``
    A high-spend item bought from a vendor whose landed cost per unit of use is higher than
    another's (``sku``, ``current_vendor``: the vendor of its open order, ``cheaper_vendor``).
``overdue_order``
    A purchase order expected before :data:`AS_OF` and not wholly received (``po_number``).
``price_increase``
    The highest-spend item not involved in another problem, whose current vendor raised its
    landed cost per unit of use by about 12 % when today's price took effect (``sku``,
    ``vendor``, ``pct``: the increase in percent, one decimal).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from typing import Any

from pracops.sample.generator import Sample, business_day, writer

__all__ = ["AS_OF", "CATALOGUE", "MINIMUMS", "REVIEW_DAYS", "VENDORS", "WINDOW_DAYS"]

AS_OF = dt.date(2025, 12, 31)
"""The date of the stock count and of the open orders (the usage runs to the day before)."""

WINDOW_DAYS = 90
"""Days before :data:`AS_OF` whose mean daily usage the sample's problems are measured by."""

REVIEW_DAYS = 7
"""The purchasing report's review period (days) the stock is built to stay above."""

MINIMUMS: dict[str, int] = {
    "Epinephrine 1 mg/mL ampule": 4,
    "Diphenhydramine 50 mg/mL vial": 2,
    "Naloxone 0.4 mg/mL vial": 2,
    "Nitroglycerin 0.4 mg sublingual tablets": 25,
    "Aspirin 81 mg chewable tablets": 36,
    "Glucose gel 15 g": 3,
    "Albuterol 2.5 mg/3 mL nebulizer vials": 10,
}
"""Units of use the practice keeps on hand of each critical item (its crash-cart par)."""

VENDORS: dict[str, dict[str, Any]] = {
    "NORTHSTAR": {"name": "Northstar Medical Supply", "lead": (3.0, 0.8), "tier": "GPO tier 2",
                  "freight": 0, "prefix": "NS-"},
    "LAKEVIEW": {"name": "Lakeview Surgical & Pharma", "lead": (6.0, 2.0),
                 "tier": "GPO tier 3", "freight": 150, "prefix": "LV"},
    "BRIGHTDESK": {"name": "Brightdesk Office Supply", "lead": (2.0, 0.5),
                   "tier": "contract", "freight": 0, "prefix": "BD-"},
}
"""The sample's vendors: mean and sd of the lead time (days), tier, freight per pack (cents)."""

# description, category, unit of use, critical, storage, driver, rate (units per driver unit),
# cost per unit of use (cents), units per pack, shelf life in days (None: does not expire).
# Drivers: visit (completed in-person visits), proc (procedure visits), well (annual wellness
# visits), flu (in-person visits in flu season), winter (in-person visits, winter-weighted),
# day (business days).
_S, _V, _D, _O = "medical supply", "vaccine", "drug", "office"
_R, _F = "room", "refrigerated"
CATALOGUE: tuple[tuple[Any, ...], ...] = (
    ("Nitrile exam gloves, small", _S, "glove", False, _R, "visit", 1.0, 9, 100, 1825),
    ("Nitrile exam gloves, medium", _S, "glove", False, _R, "visit", 2.4, 9, 100, 1825),
    ("Nitrile exam gloves, large", _S, "glove", False, _R, "visit", 2.0, 9, 100, 1825),
    ("Nitrile exam gloves, extra large", _S, "glove", False, _R, "visit", 0.5, 9, 100, 1825),
    ("Sterile surgical gloves, size 7", _S, "pair", False, _R, "proc", 0.6, 90, 50, 1825),
    ("Sterile surgical gloves, size 7.5", _S, "pair", False, _R, "proc", 0.8, 90, 50, 1825),
    ("Sterile surgical gloves, size 8", _S, "pair", False, _R, "proc", 0.5, 90, 50, 1825),
    ("Exam table paper, 18 in smooth", _S, "roll", False, _R, "visit", 0.008, 600, 12, None),
    ("Exam table paper, 21 in crepe", _S, "roll", False, _R, "visit", 0.006, 700, 12, None),
    ("Syringe 1 mL with 25G needle", _S, "syringe", False, _R, "visit", 0.35, 15, 100, 1825),
    ("Syringe 3 mL luer lock", _S, "syringe", False, _R, "visit", 0.25, 12, 100, 1825),
    ("Syringe 5 mL luer lock", _S, "syringe", False, _R, "visit", 0.05, 16, 100, 1825),
    ("Syringe 10 mL luer lock", _S, "syringe", False, _R, "visit", 0.06, 22, 100, 1825),
    ("Hypodermic needle 18G x 1.5 in", _S, "needle", False, _R, "visit", 0.05, 8, 100, 1825),
    ("Hypodermic needle 22G x 1.5 in", _S, "needle", False, _R, "visit", 0.08, 8, 100, 1825),
    ("Hypodermic needle 23G x 1 in", _S, "needle", False, _R, "visit", 0.1, 8, 100, 1825),
    ("Hypodermic needle 25G x 1 in", _S, "needle", False, _R, "visit", 0.25, 8, 100, 1825),
    ("Hypodermic needle 27G x 0.5 in", _S, "needle", False, _R, "visit", 0.2, 8, 100, 1825),
    ("Safety needle 25G x 1 in", _S, "needle", False, _R, "visit", 0.15, 30, 100, 1825),
    ("Alcohol prep pads", _S, "pad", False, _R, "visit", 0.9, 1.5, 200, 1095),
    ("Gauze sponges 2 x 2 in", _S, "sponge", False, _R, "visit", 0.4, 3, 200, 1825),
    ("Gauze sponges 4 x 4 in", _S, "sponge", False, _R, "visit", 0.3, 6, 200, 1825),
    ("Adhesive bandages 3/4 in", _S, "bandage", False, _R, "visit", 0.3, 3, 100, None),
    ("Adhesive bandages 1 x 3 in", _S, "bandage", False, _R, "visit", 0.2, 4, 100, None),
    ("Spot bandages", _S, "bandage", False, _R, "visit", 0.25, 3, 100, None),
    ("Knuckle bandages", _S, "bandage", False, _R, "visit", 0.02, 9, 100, None),
    ("Cotton-tipped applicators 6 in", _S, "applicator", False, _R, "visit", 0.2, 1, 1000,
     None),
    ("Tongue depressors", _S, "depressor", False, _R, "visit", 0.35, 1, 500, None),
    ("Specimen cups, sterile", _S, "cup", False, _R, "visit", 0.25, 45, 100, None),
    ("Blood tube, lavender top EDTA", _S, "tube", False, _R, "visit", 0.15, 25, 100, 540),
    ("Blood tube, gold top SST", _S, "tube", False, _R, "visit", 0.2, 30, 100, 540),
    ("Blood tube, light blue top citrate", _S, "tube", False, _R, "visit", 0.03, 35, 100, 540),
    ("Blood tube, green top heparin", _S, "tube", False, _R, "visit", 0.06, 28, 100, 540),
    ("Blood tube, gray top fluoride", _S, "tube", False, _R, "visit", 0.02, 30, 100, 540),
    ("Butterfly blood collection set 21G", _S, "set", False, _R, "visit", 0.06, 65, 50, 1825),
    ("Butterfly blood collection set 23G", _S, "set", False, _R, "visit", 0.08, 65, 50, 1825),
    ("Blood collection needle 21G", _S, "needle", False, _R, "visit", 0.2, 18, 100, 1825),
    ("Tube holders", _S, "holder", False, _R, "visit", 0.2, 10, 250, None),
    ("Tourniquets, latex-free", _S, "tourniquet", False, _R, "visit", 0.25, 6, 250, None),
    ("Sharps container 1 qt", _S, "container", False, _R, "day", 0.08, 250, 20, None),
    ("Sharps container 1 gal", _S, "container", False, _R, "day", 0.12, 420, 12, None),
    ("Sharps container 2 gal", _S, "container", False, _R, "day", 0.05, 650, 10, None),
    ("Exam gowns, disposable", _S, "gown", False, _R, "visit", 0.35, 22, 50, None),
    ("Drape sheets 40 x 48 in", _S, "sheet", False, _R, "visit", 0.3, 18, 100, None),
    ("Procedure masks, ear loop", _S, "mask", False, _R, "visit", 0.8, 6, 50, None),
    ("N95 respirators, medium", _S, "respirator", False, _R, "winter", 0.05, 95, 20, 1825),
    ("N95 respirators, large", _S, "respirator", False, _R, "winter", 0.03, 95, 20, 1825),
    ("Otoscope specula 2.5 mm", _S, "speculum", False, _R, "visit", 0.2, 3, 500, None),
    ("Otoscope specula 4 mm", _S, "speculum", False, _R, "visit", 0.35, 3, 500, None),
    ("Thermometer probe covers", _S, "cover", False, _R, "visit", 0.8, 2, 1000, None),
    ("Urine reagent strips, 10 parameter", _S, "strip", False, _R, "visit", 0.12, 35, 100,
     540),
    ("Urine pregnancy tests", _S, "test", False, _R, "visit", 0.03, 90, 25, 730),
    ("Safety lancets", _S, "lancet", False, _R, "visit", 0.12, 12, 200, 1825),
    ("Glucose test strips", _S, "strip", False, _R, "visit", 0.1, 50, 50, 540),
    ("Hemoglobin A1c test cartridges", _S, "test", False, _F, "visit", 0.05, 950, 10, 365),
    ("Rapid strep A tests", _S, "test", False, _R, "winter", 0.09, 320, 25, 540),
    ("Rapid influenza A/B tests", _S, "test", False, _R, "winter", 0.07, 850, 25, 540),
    ("COVID-19 antigen tests", _S, "test", False, _R, "winter", 0.06, 600, 25, 365),
    ("Rapid RSV tests", _S, "test", False, _R, "winter", 0.02, 900, 20, 540),
    ("Mononucleosis rapid tests", _S, "test", False, _R, "visit", 0.005, 400, 25, 540),
    ("Fecal immunochemical test kits", _S, "kit", False, _R, "well", 0.2, 150, 50, 730),
    ("Nylon suture 3-0", _S, "suture", False, _R, "proc", 0.08, 300, 36, 1825),
    ("Nylon suture 4-0", _S, "suture", False, _R, "proc", 0.2, 300, 36, 1825),
    ("Nylon suture 5-0", _S, "suture", False, _R, "proc", 0.12, 300, 36, 1825),
    ("Laceration trays", _S, "tray", False, _R, "proc", 0.15, 650, 20, 1825),
    ("Suture removal kits", _S, "kit", False, _R, "proc", 0.12, 180, 50, 1825),
    ("Scalpel, no. 11 blade", _S, "scalpel", False, _R, "proc", 0.2, 45, 10, 1825),
    ("Scalpel, no. 15 blade", _S, "scalpel", False, _R, "proc", 0.25, 45, 10, 1825),
    ("Punch biopsy 3 mm", _S, "punch", False, _R, "proc", 0.1, 220, 25, 1825),
    ("Punch biopsy 4 mm", _S, "punch", False, _R, "proc", 0.12, 220, 25, 1825),
    ("Silver nitrate applicators", _S, "applicator", False, _R, "proc", 0.1, 20, 100, 1095),
    ("Wound closure strips 1/4 in", _S, "envelope", False, _R, "proc", 0.15, 40, 50, 1095),
    ("Transparent film dressing 2-3/8 in", _S, "dressing", False, _R, "proc", 0.1, 45, 100,
     1095),
    ("IV catheter 20G", _S, "catheter", False, _R, "proc", 0.02, 180, 50, 1095),
    ("IV catheter 22G", _S, "catheter", False, _R, "proc", 0.02, 180, 50, 1095),
    ("IV start kits", _S, "kit", False, _R, "proc", 0.04, 300, 50, 1095),
    ("IV administration sets", _S, "set", False, _R, "proc", 0.04, 250, 50, 1095),
    ("Disinfecting wipes, canister", _S, "canister", False, _R, "day", 1.2, 850, 12, 730),
    ("Hand sanitizer 16 oz", _S, "bottle", False, _R, "day", 0.4, 550, 12, 1095),
    ("Hand soap refill 1 L", _S, "refill", False, _R, "day", 0.25, 900, 6, None),
    ("ECG electrodes", _S, "electrode", False, _R, "visit", 0.4, 4, 600, 730),
    ("ECG paper rolls", _S, "roll", False, _R, "day", 0.15, 700, 10, None),
    ("Nebulizer kits", _S, "kit", False, _R, "winter", 0.02, 180, 50, None),
    ("Spacers with mask", _S, "spacer", False, _R, "visit", 0.01, 850, 10, None),
    ("Elastic bandage 2 in", _S, "bandage", False, _R, "proc", 0.02, 80, 10, None),
    ("Elastic bandage 3 in", _S, "bandage", False, _R, "proc", 0.04, 100, 10, None),
    ("Elastic bandage 4 in", _S, "bandage", False, _R, "proc", 0.04, 120, 10, None),
    ("Finger splints", _S, "splint", False, _R, "proc", 0.02, 150, 12, None),
    ("Instant cold packs", _S, "pack", False, _R, "proc", 0.05, 90, 24, None),
    ("Biohazard bags", _S, "bag", False, _R, "day", 3.0, 15, 250, None),
    ("Liquid-based Pap test vials", _S, "vial", False, _R, "well", 0.15, 650, 20, 365),
    ("Cervical sampling brushes", _S, "brush", False, _R, "well", 0.15, 35, 100, 1825),
    ("Vaginal speculum, small", _S, "speculum", False, _R, "well", 0.03, 60, 25, None),
    ("Vaginal speculum, medium", _S, "speculum", False, _R, "well", 0.1, 60, 25, None),
    ("Vaginal speculum, large", _S, "speculum", False, _R, "well", 0.03, 60, 25, None),
    ("Lubricating jelly packets", _S, "packet", False, _R, "well", 0.2, 8, 144, 1095),
    ("Cotton balls", _S, "ball", False, _R, "visit", 0.2, 0.5, 2000, None),
    ("Paper towels, multifold", _S, "sleeve", False, _R, "day", 1.0, 200, 16, None),
    ("Facial tissues", _S, "box", False, _R, "day", 2.0, 90, 36, None),
    ("Eye wash 4 oz", _S, "bottle", False, _R, "day", 0.01, 300, 12, 730),
    ("Ear irrigation tips", _S, "tip", False, _R, "visit", 0.01, 70, 50, None),
    ("Influenza vaccine, quadrivalent, prefilled syringe", _V, "dose", False, _F, "flu", 0.30,
     1600, 10, 300),
    ("Influenza vaccine, high-dose (65+)", _V, "dose", False, _F, "flu", 0.10, 6500, 10, 300),
    ("COVID-19 vaccine 2025-2026", _V, "dose", False, _F, "flu", 0.08, 13500, 10, 240),
    ("RSV vaccine, adults 60+", _V, "dose", False, _F, "flu", 0.01, 28000, 10, 540),
    ("Tdap vaccine", _V, "dose", False, _F, "visit", 0.02, 4500, 10, 730),
    ("Td vaccine", _V, "dose", False, _F, "visit", 0.004, 3500, 10, 730),
    ("Hepatitis B vaccine, adult", _V, "dose", False, _F, "visit", 0.01, 6000, 10, 730),
    ("Hepatitis A vaccine, adult", _V, "dose", False, _F, "visit", 0.008, 7000, 10, 730),
    ("HPV 9-valent vaccine", _V, "dose", False, _F, "visit", 0.01, 27000, 10, 730),
    ("MMR vaccine", _V, "dose", False, _F, "visit", 0.008, 8500, 10, 540),
    ("Varicella vaccine", _V, "dose", False, _F, "visit", 0.005, 15000, 10, 540),
    ("Pneumococcal conjugate vaccine (PCV20)", _V, "dose", False, _F, "well", 0.05, 25000, 10,
     730),
    ("Recombinant zoster vaccine", _V, "dose", False, _F, "well", 0.06, 18000, 10, 730),
    ("Meningococcal ACWY vaccine", _V, "dose", False, _F, "visit", 0.006, 14000, 10, 730),
    ("Meningococcal B vaccine", _V, "dose", False, _F, "visit", 0.003, 17000, 10, 730),
    ("DTaP vaccine", _V, "dose", False, _F, "visit", 0.006, 3000, 10, 730),
    ("IPV vaccine", _V, "dose", False, _F, "visit", 0.005, 3500, 10, 730),
    ("Hib vaccine", _V, "dose", False, _F, "visit", 0.004, 2500, 10, 730),
    ("Tuberculin PPD 5 TU/0.1 mL", _D, "test", False, _F, "visit", 0.015, 100, 10, 365),
    ("Ceftriaxone 1 g vial", _D, "vial", False, _R, "visit", 0.006, 150, 25, 730),
    ("Ceftriaxone 500 mg vial", _D, "vial", False, _R, "visit", 0.004, 130, 10, 730),
    ("Lidocaine 1% 20 mL vial", _D, "vial", False, _R, "proc", 0.3, 250, 25, 730),
    ("Lidocaine 2% 5 mL vial", _D, "vial", False, _R, "proc", 0.1, 200, 25, 730),
    ("Lidocaine 1% with epinephrine 20 mL vial", _D, "vial", False, _R, "proc", 0.15, 350, 25,
     730),
    ("Bupivacaine 0.5% 10 mL vial", _D, "vial", False, _R, "proc", 0.03, 450, 25, 730),
    ("Epinephrine 1 mg/mL ampule", _D, "ampule", True, _R, "day", 0.03, 1200, 10, 540),
    ("Diphenhydramine 50 mg/mL vial", _D, "vial", True, _R, "day", 0.04, 150, 25, 730),
    ("Naloxone 0.4 mg/mL vial", _D, "vial", True, _R, "day", 0.01, 1800, 10, 730),
    ("Nitroglycerin 0.4 mg sublingual tablets", _D, "tablet", True, _R, "day", 0.05, 20, 25,
     540),
    ("Aspirin 81 mg chewable tablets", _D, "tablet", True, _R, "day", 0.08, 2, 120, 730),
    ("Glucose gel 15 g", _D, "tube", True, _R, "day", 0.03, 250, 12, 730),
    ("Albuterol 2.5 mg/3 mL nebulizer vials", _D, "vial", True, _R, "winter", 0.04, 25, 25,
     540),
    ("Ipratropium 0.5 mg/2.5 mL nebulizer vials", _D, "vial", False, _R, "winter", 0.015, 45,
     25, 540),
    ("Triamcinolone 40 mg/mL vial", _D, "vial", False, _R, "proc", 0.15, 800, 10, 730),
    ("Methylprednisolone acetate 40 mg/mL vial", _D, "vial", False, _R, "proc", 0.06, 900, 10,
     730),
    ("Dexamethasone 4 mg/mL vial", _D, "vial", False, _R, "winter", 0.01, 120, 25, 730),
    ("Ketorolac 30 mg/mL vial", _D, "vial", False, _R, "visit", 0.008, 150, 25, 730),
    ("Ondansetron 4 mg ODT", _D, "tablet", False, _R, "visit", 0.005, 40, 30, 730),
    ("Promethazine 25 mg/mL ampule", _D, "ampule", False, _R, "visit", 0.002, 300, 25, 730),
    ("Medroxyprogesterone 150 mg/mL syringe", _D, "syringe", False, _R, "well", 0.03, 3000, 1,
     730),
    ("Cyanocobalamin 1000 mcg/mL vial", _D, "vial", False, _R, "visit", 0.02, 60, 25, 730),
    ("Testosterone cypionate 200 mg/mL vial", _D, "vial", False, _R, "visit", 0.01, 1400, 1,
     730),
    ("Sodium chloride 0.9% flush 10 mL", _D, "syringe", False, _R, "proc", 0.3, 18, 30, 730),
    ("Sterile water for injection 10 mL", _D, "vial", False, _R, "proc", 0.05, 60, 25, 730),
    ("Copy paper, letter", _O, "ream", False, _R, "day", 3.0, 550, 10, None),
    ("Copy paper, legal", _O, "ream", False, _R, "day", 0.3, 750, 10, None),
    ("Toner cartridge, black", _O, "cartridge", False, _R, "day", 0.12, 9500, 1, None),
    ("Label printer labels", _O, "roll", False, _R, "day", 0.5, 600, 12, None),
    ("Receipt printer paper", _O, "roll", False, _R, "day", 0.3, 90, 50, None),
    ("Ballpoint pens, black", _O, "pen", False, _R, "day", 2.0, 25, 60, None),
    ("File folders, letter", _O, "folder", False, _R, "day", 1.0, 15, 100, None),
    ("Envelopes no. 10", _O, "envelope", False, _R, "day", 25.0, 4, 500, None),
    ("Window envelopes no. 10", _O, "envelope", False, _R, "day", 15.0, 5, 500, None),
    ("Sticky notes 3 x 3 in", _O, "pad", False, _R, "day", 0.8, 80, 24, None),
    ("Staples, standard", _O, "box", False, _R, "day", 0.02, 300, 10, None),
    ("AA batteries", _O, "battery", False, _R, "day", 0.3, 45, 48, None),
    ("AAA batteries", _O, "battery", False, _R, "day", 0.2, 45, 48, None),
    ("Clipboards", _O, "clipboard", False, _R, "day", 0.02, 250, 12, None),
    ("Trash bags 33 gal", _O, "bag", False, _R, "day", 1.5, 20, 250, None),
)

_FLU_SEASON = {9: 0.6, 10: 1.0, 11: 0.7, 12: 0.35}
_WINTER = {1: 1.0, 2: 1.0, 3: 0.8, 4: 0.4, 5: 0.15, 6: 0.1, 7: 0.1, 8: 0.1, 9: 0.2, 10: 0.4,
           11: 0.7, 12: 1.0}
_Z99 = 2.33  # the 99 % service level the stock is built to stay above
_BELOW_REORDER = "Rapid strep A tests"  # the item with too little stock
_EXPIRING = "Ceftriaxone 500 mg vial"  # the slow mover with a lot that will expire
_OVERDUE_PO = "PO-25-1142"


def _sku(index: int, category: str) -> str:
    prefix = {"medical supply": "MS", "vaccine": "VX", "drug": "RX", "office": "OF"}[category]
    return f"{prefix}-{1000 + index * 7}"


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw: Knuth's method for small means, a rounded normal for large ones."""
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _by_sku(sample: Sample) -> dict[str, dict[str, Any]]:
    return {row["sku"]: row for row in sample.tables["items"]}


@writer("items")
def items(sample: Sample) -> list[dict[str, Any]]:
    """The catalogue (:data:`CATALOGUE`) as the practice's item master."""
    rows = []
    for i, (desc, category, unit, critical, storage, *_rest) in enumerate(CATALOGUE):
        rows.append({"sku": _sku(i, category), "description": desc, "category": category,
                     "unit_of_use": unit, "critical": critical, "storage": storage,
                     "min_on_hand": MINIMUMS.get(desc), "shelf_life_days": _rest[-1]})
    sample.notes["items"] = {
        row["sku"]: dict(zip(("driver", "rate", "cost", "pack", "shelf"), spec[5:], strict=True))
        for row, spec in zip(rows, CATALOGUE, strict=True)}
    return rows


@writer("usage")
def usage(sample: Sample) -> list[dict[str, Any]]:
    """Each item's units of use per business day of 2025 before :data:`AS_OF`."""
    rng = sample.rng("usage")
    visits: dict[dt.date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for appt in sample.tables["appointments"]:
        day = appt["date"]
        if (appt["status"] == "completed" and day.year == AS_OF.year and day < AS_OF
                and appt["visit_type"] != "telehealth"):
            visits[day]["visit"] += 1
            visits[day]["proc"] += appt["visit_type"] == "procedure"
            visits[day]["well"] += appt["visit_type"] == "annual wellness"
    days = sorted(d for d in visits if business_day(d))
    specs = sample.notes["items"]
    rows = []
    for day in days:
        seen = visits[day]
        for sku, spec in specs.items():
            driver = spec["driver"]
            if driver == "day":
                base = 1.0
            elif driver == "flu":
                base = seen["visit"] * _FLU_SEASON.get(day.month, 0.0)
            elif driver == "winter":
                base = seen["visit"] * _WINTER[day.month]
            else:
                base = seen[driver]
            quantity = _poisson(rng, base * spec["rate"]) if base else 0
            if quantity:
                rows.append({"date": day, "sku": sku, "quantity": quantity})
    # A rarely used item (the emergency drugs) is used at least once in the last 90 days, so
    # its average use is not zero and its stock is not all expiring unused; one not used all
    # year (a two-provider practice's eye wash) on the year's first day too, or the report
    # would count its use from that one late day (a short history: a bottle a day).
    start = AS_OF - dt.timedelta(days=WINDOW_DAYS)
    recent = [day for day in days if day >= start]
    used = {row["sku"] for row in rows if row["date"] >= start}
    ever = {row["sku"] for row in rows}
    for sku in specs:
        if sku not in used:
            rows.append({"date": rng.choice(recent), "sku": sku, "quantity": 1})
            if sku not in ever:
                rows.append({"date": days[0], "sku": sku, "quantity": 1})
    rows.sort(key=lambda r: r["date"])
    return rows


def _daily_means(sample: Sample) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """Per sku: the mean and sd of daily use over :data:`WINDOW_DAYS`, and the year's mean."""
    start = AS_OF - dt.timedelta(days=WINDOW_DAYS)
    window: dict[str, dict[dt.date, int]] = defaultdict(dict)
    year: dict[str, int] = defaultdict(int)
    for row in sample.tables["usage"]:
        year[row["sku"]] += row["quantity"]
        if row["date"] >= start:
            window[row["sku"]][row["date"]] = row["quantity"]
    mean, sd, annual = {}, {}, {}
    for sku in sample.notes["items"]:
        ys = [window[sku].get(start + dt.timedelta(days=n), 0) for n in range(WINDOW_DAYS)]
        mean[sku] = sum(ys) / WINDOW_DAYS
        sd[sku] = math.sqrt(sum((y - mean[sku]) ** 2 for y in ys) / (WINDOW_DAYS - 1))
        annual[sku] = year[sku] / (AS_OF - dt.date(AS_OF.year, 1, 1)).days
    return mean, sd, annual


def _landed(offer: dict[str, Any]) -> float:
    return (offer["pack_price_cents"] + offer["freight_per_pack_cents"]) / offer["units_per_pack"]


@writer("vendor_prices")
def vendor_prices(sample: Sample) -> list[dict[str, Any]]:
    """Each item's offers; the sku's current vendor is its cheapest landed cost but for one."""
    rng = sample.rng("vendor_prices")
    catalogue = _by_sku(sample)
    specs = sample.notes["items"]
    annual_units: dict[str, int] = defaultdict(int)
    for row in sample.tables["usage"]:
        annual_units[row["sku"]] += row["quantity"]
    rows, offers = [], defaultdict(list)
    for sku, spec in specs.items():
        office = catalogue[sku]["category"] == "office"
        vendors = ["NORTHSTAR"] + (["BRIGHTDESK"] if office else
                                   ["LAKEVIEW"] if rng.random() < 0.6 else [])
        if office and rng.random() < 0.5:
            vendors.remove("NORTHSTAR")
        for vendor in vendors:
            plan = VENDORS[vendor]
            pack = spec["pack"] * (5 if vendor == "LAKEVIEW" and spec["pack"] >= 10 else 1)
            factor = {"NORTHSTAR": (1.0, 1.08), "LAKEVIEW": (1.0, 1.1),
                      "BRIGHTDESK": (0.9, 1.05)}[vendor]
            price = round(spec["cost"] * pack * rng.uniform(*factor))
            lead, lead_sd = plan["lead"]
            offer = {
                "sku": sku, "vendor": vendor,
                "vendor_item_number": plan["prefix"] + str(rng.randrange(100000, 999999)),
                "units_per_pack": pack, "pack_price_cents": max(price, 1),
                "freight_per_pack_cents": plan["freight"] if price < 20000 else 0,
                "min_order_packs": 2 if vendor == "LAKEVIEW" and price < 5000 else 1,
                "lead_time_days": round(lead * rng.uniform(0.9, 1.2), 1),
                "lead_time_sd_days": round(lead_sd * rng.uniform(0.8, 1.2), 1),
                "tier": plan["tier"],
                "effective_date": dt.date(2025, 7, 1) if vendor != "BRIGHTDESK"
                else dt.date(2025, 1, 1),
            }
            rows.append(offer)
            offers[sku].append(offer)
    # The current vendor is the cheapest (ties: shorter lead time, then name) ...
    current = {sku: min(found, key=lambda o: (_landed(o), o["lead_time_days"], o["vendor"]))
               for sku, found in offers.items()}
    # ... but for the highest-spend item sold by two vendors, which is bought from the dearer.
    spend = {sku: annual_units[sku] * _landed(current[sku])
             for sku, found in offers.items()
             if sorted(o["vendor"] for o in found) == ["LAKEVIEW", "NORTHSTAR"]
             and not catalogue[sku]["critical"]}
    sku = max(spend, key=lambda s: (spend[s], s))
    ns, lv = sorted(offers[sku], key=lambda o: o["vendor"] != "NORTHSTAR")
    lv["lead_time_days"] = min(lv["lead_time_days"], ns["lead_time_days"])
    lv["pack_price_cents"] = math.floor(
        (_landed(ns) * 0.93 * lv["units_per_pack"]) - lv["freight_per_pack_cents"])
    current[sku] = ns
    sample.inject("purchasing", {"kind": "cheaper_vendor", "sku": sku,
                                 "current_vendor": "NORTHSTAR", "cheaper_vendor": "LAKEVIEW"})
    sample.notes["vendor_prices"] = {"current": {s: o["vendor"] for s, o in current.items()},
                                     "offers": offers}
    earlier = _price_history(sample, offers, current, annual_units)
    return [r for offer in rows for r in (*earlier.get(id(offer), ()), offer)]


_PRICE_INCREASE = 0.12
"""The injected increase of the landed cost per unit of use (a fraction)."""


def _price_history(sample: Sample, offers: dict[str, list[dict[str, Any]]],
                   current: dict[str, dict[str, Any]], annual_units: dict[str, int],
                   ) -> dict[int, list[dict[str, Any]]]:
    """The prices replaced by today's, keyed by ``id`` of today's offer; records the injected
    increase. Today's prices are left exactly as they are."""
    rng = sample.rng("vendor_prices:history")
    catalogue = _by_sku(sample)
    spend = {sku: annual_units[sku] * _landed(current[sku]) for sku in offers}
    ranked = sorted(spend, key=lambda s: (-spend[s], s))
    total, running, watched = sum(spend.values()), 0.0, set()
    for sku in ranked:  # the items making up 90 % of spend: every class A item and more
        if running < 0.9 * total:
            watched.add(sku)
        running += spend[sku]
    cheaper = next(p["sku"] for p in sample.ground_truth["purchasing"]
                   if p["kind"] == "cheaper_vendor")
    taken = {cheaper, *(s for s, r in catalogue.items()
                        if r["description"] in (_BELOW_REORDER, _EXPIRING))}
    raised = next(s for s in ranked if s not in taken)
    out: dict[int, list[dict[str, Any]]] = {}
    for sku in sorted(offers):
        for offer in offers[sku]:
            before = {dt.date(2025, 7, 1): dt.date(2025, 1, 1),
                      dt.date(2025, 1, 1): dt.date(2024, 7, 1)}[offer["effective_date"]]
            if sku == raised and offer is current[sku]:
                landed = _landed(offer) / (1 + _PRICE_INCREASE)
                price = round(landed * offer["units_per_pack"] - offer["freight_per_pack_cents"])
            elif sku not in taken and rng.random() < 0.2:
                cut = rng.uniform(0.02, 0.045 if sku in watched else 0.08)
                price = round(offer["pack_price_cents"] * (1 - cut))
            else:
                continue
            if not 0 < price < offer["pack_price_cents"]:
                continue
            out[id(offer)] = [{**offer, "pack_price_cents": price, "effective_date": before}]
            if sku == raised:
                old = _landed(out[id(offer)][0])
                sample.inject("purchasing", {
                    "kind": "price_increase", "sku": sku, "vendor": offer["vendor"],
                    "pct": round((_landed(offer) / old - 1) * 100, 1)})
    return out


def _lot_number(rng: random.Random) -> str:
    return rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") + str(rng.randrange(10000, 99999))


def _orders_plan(sample: Sample, rng: random.Random) -> list[dict[str, Any]]:
    """The open order lines (without po numbers): which skus, how much, from whom, when."""
    catalogue = _by_sku(sample)
    current = sample.notes["vendor_prices"]["current"]
    offers = sample.notes["vendor_prices"]["offers"]
    cheaper = next(p["sku"] for p in sample.ground_truth["purchasing"]
                   if p["kind"] == "cheaper_vendor")
    below = next(s for s, r in catalogue.items() if r["description"] == _BELOW_REORDER)
    candidates = sorted(s for s in catalogue if s not in (cheaper, below))
    picked = [cheaper, *rng.sample(candidates, 13)]
    lines = []
    for sku in picked:
        vendor = current[sku]
        offer = next(o for o in offers[sku] if o["vendor"] == vendor)
        packs = offer["min_order_packs"] + rng.randrange(0, 4)
        lines.append({"vendor": vendor, "sku": sku,
                      "quantity_units": packs * offer["units_per_pack"]})
    return lines


@writer("inventory_lots")
def inventory_lots(sample: Sample) -> list[dict[str, Any]]:
    """The count on :data:`AS_OF`: lots per item, with the two stock problems recorded."""
    rng = sample.rng("inventory_lots")
    catalogue = _by_sku(sample)
    specs = sample.notes["items"]
    offers = sample.notes["vendor_prices"]["offers"]
    mean, sd, annual = _daily_means(sample)
    lines = _orders_plan(sample, sample.rng("open_orders:lines"))
    on_order: dict[str, int] = defaultdict(int)
    for line in lines:
        on_order[line["sku"]] += line["quantity_units"]
    below = next(s for s, r in catalogue.items() if r["description"] == _BELOW_REORDER)
    expiring = next(s for s, r in catalogue.items() if r["description"] == _EXPIRING)
    rows = []
    for sku, spec in specs.items():
        d, s = mean[sku], sd[sku]
        if d <= 0:
            raise RuntimeError(f"the sample's item {sku} has no use in the last {WINDOW_DAYS} "
                               "days; raise its rate")
        lead = max(o["lead_time_days"] for o in offers[sku]) + REVIEW_DAYS
        lead_sd = max(o["lead_time_sd_days"] for o in offers[sku])
        rop = d * lead + _Z99 * math.sqrt(lead * s * s + d * d * lead_sd * lead_sd)
        rop = max(rop, catalogue[sku]["min_on_hand"] or 0)
        target = math.ceil(rop * 1.25 + d * rng.uniform(10, 30) + 2)
        if sku == below:
            lowest = min(o["lead_time_days"] for o in offers[sku])  # without the review
            target = max(1, math.floor(d * lowest * 0.35))
        on_hand = max(target - on_order[sku], math.ceil(rop * 1.1 + 1))
        if sku == below:
            on_hand = target
        n_lots = 1 if on_hand < 20 else rng.choice((1, 2, 2, 3))
        cuts = sorted(rng.sample(range(1, on_hand), n_lots - 1)) if n_lots > 1 else []
        sizes = [b - a for a, b in zip([0, *cuts], [*cuts, on_hand], strict=True)]
        slowest = min(d, annual[sku])
        used_by = 0.0  # days until the lots so far are used at the slowest rate
        for size in sizes:
            used_by += size / slowest
            expiry = None
            if spec["shelf"] is not None:
                earliest = math.ceil(1.5 * used_by + 60)
                latest = max(earliest + 30, spec["shelf"])
                expiry = AS_OF + dt.timedelta(days=rng.randint(earliest, latest))
            rows.append({"sku": sku, "lot": _lot_number(rng), "quantity": size,
                         "expiry_date": expiry,
                         "location_id": "MAIN" if rng.random() < 0.65 else "NORTH"})
        if sku == expiring:
            days = 40
            quantity = math.ceil(d * days) + 60
            lot = _lot_number(rng)
            rows.append({"sku": sku, "lot": lot, "quantity": quantity,
                         "expiry_date": AS_OF + dt.timedelta(days=days), "location_id": "MAIN"})
            # Used from the start of AS_OF through the end of its expiry date: days + 1 days.
            sample.inject("purchasing", {"kind": "expiring_lot", "sku": sku, "lot": lot,
                                         "quantity_expiring": round(quantity - d * (days + 1))})
            # The lot is used first, so the others must outlast it too.
            for row in rows:
                if row["sku"] == sku and row["lot"] != lot:
                    row["expiry_date"] += dt.timedelta(days=days)
    sample.inject("purchasing", {"kind": "below_reorder_point", "sku": below})
    sample.notes["inventory_lots"] = {"lines": lines}
    return rows


@writer("open_orders")
def open_orders(sample: Sample) -> list[dict[str, Any]]:
    """December's purchase orders not yet wholly received; one of them overdue."""
    rng = sample.rng("open_orders")
    offers = sample.notes["vendor_prices"]["offers"]
    lines = sample.notes["inventory_lots"]["lines"]
    by_vendor: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in lines:
        by_vendor[line["vendor"]].append(line)
    rows, number = [], 1180
    for vendor in sorted(by_vendor):
        group = by_vendor[vendor]
        for first in range(0, len(group), 3):
            number += rng.randrange(3, 9)
            po = f"PO-25-{number}"
            lead = max(next(o for o in offers[line["sku"]] if o["vendor"] == vendor)
                       ["lead_time_days"] for line in group[first:first + 3])
            order_date = AS_OF - dt.timedelta(days=rng.randint(1, 2))
            expected = max(AS_OF, order_date + dt.timedelta(days=math.ceil(lead)))
            for line in group[first:first + 3]:
                received = 0
                if rng.random() < 0.3:
                    received = line["quantity_units"] // 2
                rows.append({"po_number": po, **line, "order_date": order_date,
                             "expected_date": expected, "quantity_received": received})
    # The overdue one: ordered early in December from the second distributor, still short.
    current = sample.notes["vendor_prices"]["current"]
    ordered_skus = {line["sku"] for line in lines}
    lv = next(o for sku in sorted(offers) for o in offers[sku]
              if o["vendor"] == "LAKEVIEW" == current[sku] and sku not in ordered_skus)
    ordered = dt.date(2025, 12, 4)
    quantity = lv["units_per_pack"] * lv["min_order_packs"]
    rows.append({"po_number": _OVERDUE_PO, "vendor": "LAKEVIEW", "sku": lv["sku"],
                 "quantity_units": quantity, "order_date": ordered,
                 "expected_date": ordered + dt.timedelta(days=math.ceil(lv["lead_time_days"])),
                 "quantity_received": 0})
    sample.inject("purchasing", {"kind": "overdue_order", "po_number": _OVERDUE_PO})
    rows.sort(key=lambda r: (r["po_number"], r["sku"]))
    return rows
