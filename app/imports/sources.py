"""The exports of the systems companies leave, recognised by their headers: each preset maps the
columns its system writes to the import's targets (app.imports.customer_fields), so that the
office confirms a mapping rather than builds one. Headers are compared normalised
(app.imports.fields.normalize_header: "E-mail 1 - Value" is "e mail 1 value"); a numbered column
the preset does not list by number ("Phone 4 - Value") is looked up without its number."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.imports.customer_fields import IGNORE, TARGETS
from app.imports.fields import normalize_header

# Targets several columns may fill, whatever the kind (a kind's own `many` targets are its own).
_MANY = {target for target, spec in TARGETS.items() if spec.many}


@dataclass(frozen=True)
class Preset:
    """A recognised export: `columns` maps a normalised header to the target it fills; the
    export is recognised when every group of `signature` has one of its headers among the file's
    and none of `excludes` is there."""

    key: str
    label: str
    kind: str
    source_system: str
    columns: dict[str, str]
    signature: tuple[frozenset[str], ...] = ()
    excludes: frozenset[str] = field(default_factory=frozenset)


def _columns(*pairs: tuple[str, str]) -> dict[str, str]:
    return {normalize_header(header): target for header, target in pairs}


def _signature(*groups: tuple[str, ...]) -> tuple[frozenset[str], ...]:
    return tuple(frozenset(normalize_header(h) for h in group) for group in groups)


def _numbered(prefix: str, count: int, target: str) -> list[tuple[str, str]]:
    return [(f"{prefix} {n}", target) for n in range(1, count + 1)]


QBO_CUSTOMERS = Preset(
    "qbo_customers",
    "QuickBooks Online customer list",
    "customers",
    "quickbooks_online",
    _columns(
        ("Customer", "full_name"),
        ("Name", "full_name"),
        ("Customer full name", "full_name"),
        ("Display name", "full_name"),
        ("Company name", "company_name"),
        ("Title", "honorific"),
        ("First name", "first_name"),
        ("Middle name", "middle_name"),
        ("Last name", "last_name"),
        ("Suffix", "suffix"),
        ("Customer type", "customer_type"),
        ("Email", "email"),
        ("Phone", "phone"),
        ("Mobile", "phone_mobile"),
        ("Fax", "phone_fax"),
        ("Other", "phone_other"),
        # QuickBooks' billing address; its shipping address is where the work is done when given
        ("Billing address", "billing_address"),
        ("Billing street", "billing_street"),
        ("Billing city", "billing_city"),
        ("Billing state", "billing_region"),
        ("Billing ZIP", "billing_postal_code"),
        ("Street Address", "billing_street"),
        ("City", "billing_city"),
        ("State", "billing_region"),
        ("Zip", "billing_postal_code"),
        ("Shipping address", "address"),
        ("Shipping street", "street"),
        ("Shipping city", "city"),
        ("Shipping state", "region"),
        ("Shipping ZIP", "postal_code"),
        ("Shipping country", "country"),
        ("Notes", "notes"),
        ("Open balance", IGNORE),  # the Open balances import brings balances
    ),
    _signature(
        ("Company name",),
        ("Open balance", "Billing street", "Billing address"),
        ("Customer", "Name", "Customer full name", "Display name"),
    ),
    frozenset({"phone numbers", "j id", "client id", "bill to 1"}),
)

QBO_CONTACT_LIST = Preset(
    "qbo_contact_list",
    "QuickBooks Online customer contact list",
    "customers",
    "quickbooks_online",
    _columns(
        ("Customer", "full_name"),
        ("Company name", "company_name"),
        # "Phone: (217) 555-0142 Mobile: (217) 555-0143": the labels in the cell give the kinds
        ("Phone Numbers", "phone"),
        ("Email", "email"),
        # the customer's contact person: for a person, their own name again
        ("Full Name", "contact_name"),
        ("Billing Address", "billing_address"),
        ("Shipping Address", "address"),
        ("Notes", "notes"),
    ),
    _signature(("Customer",), ("Phone Numbers",), ("Full Name", "Billing Address")),
)

QBD_CUSTOMERS = Preset(
    "qbd_customers",
    "QuickBooks Desktop customer list",
    "customers",
    "quickbooks_desktop",
    _columns(
        # "Lee, Ann" or a job "Lee, Ann:Lake house" (the job's rows add a property to Ann Lee)
        ("Customer", "full_name"),
        ("Company", "company_name"),
        ("Mr./Ms./...", "honorific"),
        ("First Name", "first_name"),
        ("M.I.", "middle_name"),
        ("Last Name", "last_name"),
        ("Primary Contact", "contact_name"),
        ("Job Title", "contact_title"),
        ("Main Phone", "phone"),
        ("Mobile", "phone_mobile"),
        ("Home Phone", "phone_home"),
        ("Work Phone", "phone_work"),
        ("Alt. Phone", "phone_other"),
        ("Alt. Mobile", "phone_mobile"),
        ("Fax", "phone_fax"),
        ("Main Email", "email"),
        ("CC Email", "email_other"),
        *_numbered("Bill to", 5, "billing_address"),  # the lines of one address
        *_numbered("Ship to", 5, "address"),
        ("Customer Type", "customer_type"),
        ("Note", "notes"),
        ("Notes", "notes"),
        ("Balance", IGNORE),
        ("Balance Total", IGNORE),
        ("Job Status", IGNORE),
    ),
    _signature(("Bill to 1",), ("Customer",), ("Main Phone", "Main Email", "Mr./Ms./...")),
)

HOUSECALL_PRO = Preset(
    "housecall_pro",
    "Housecall Pro customers",
    "customers",
    "housecall_pro",
    _columns(
        ("Customer ID", "source_id"),
        ("First Name", "first_name"),
        ("Last Name", "last_name"),
        ("Display Name", "full_name"),
        ("Company", "company_name"),
        ("Mobile Number", "phone_mobile"),
        ("Home Number", "phone_home"),
        ("Work Number", "phone_work"),
        ("Email", "email"),
        ("Additional Emails", "email_other"),
        # one row per address: the street is "Address", the rest in their columns
        ("Address", "street"),
        ("Street", "street"),
        ("Address Unit", "unit"),
        ("Street Line 2", "unit"),
        ("City", "city"),
        ("State", "region"),
        ("Zip", "postal_code"),
        ("Tags", "tags"),
        ("Notes", "notes"),
        ("Lead Source", "lead_source"),
        ("Do Not Service", "do_not_service"),
    ),
    _signature(("Display Name",), ("Mobile Number",), ("Home Number", "Work Number")),
)

JOBBER = Preset(
    "jobber",
    "Jobber clients",
    "customers",
    "jobber",
    _columns(
        ("J-ID", "source_id"),
        ("Client ID", "source_id"),
        ("Display name", "full_name"),
        ("Title", "honorific"),
        ("First name", "first_name"),
        ("Last name", "last_name"),
        ("Company name", "company_name"),
        ("Is company?", "customer_type"),
        ("Client type", "customer_type"),
        ("Main phone", "phone"),
        ("Mobile phone", "phone_mobile"),
        ("Work phone", "phone_work"),
        ("Home phone", "phone_home"),
        ("Fax phone", "phone_fax"),
        ("Other phone", "phone_other"),
        ("Email", "email"),
        ("Other emails", "email_other"),
        ("Billing street 1", "billing_street"),
        ("Billing street 2", "billing_unit"),
        ("Billing city", "billing_city"),
        ("Billing state", "billing_region"),
        ("Billing province", "billing_region"),
        ("Billing zip", "billing_postal_code"),
        ("Billing postal code", "billing_postal_code"),
        ("Service property name", "location_name"),
        ("Service property street 1", "street"),
        ("Service property street 2", "unit"),
        ("Service property city", "city"),
        ("Service property state", "region"),
        ("Service property province", "region"),
        ("Service property zip", "postal_code"),
        ("Service property postal code", "postal_code"),
        ("Service property country", "country"),
        ("Tags", "tags"),
        ("Lead source", "lead_source"),
        ("Notes", "notes"),
        ("Archived", IGNORE),
    ),
    _signature(
        ("J-ID", "Client ID"),
        ("Display name", "First name", "Company name"),
        ("Billing street 1", "Service property street 1", "Is company?", "Client type"),
    ),
)

SERVICETITAN_CUSTOMERS = Preset(
    "servicetitan_customers",
    "ServiceTitan customers",
    "customers",
    "servicetitan",
    _columns(
        ("Customer ID", "source_id"),
        ("Customer Name", "full_name"),
        ("Type", "customer_type"),  # Residential / Commercial
        ("Phone", "phone"),
        ("Mobile", "phone_mobile"),
        ("Email", "email"),
        ("Address", "street"),
        ("Unit", "unit"),
        ("City", "city"),
        ("State", "region"),
        ("Zip", "postal_code"),
        ("Do Not Service", "do_not_service"),
        ("Do Not Mail", IGNORE),  # marketing mail only: not a reason to stop every message
        ("Member", IGNORE),  # memberships come with the Service agreements import
        ("Tags", "tags"),
        ("Campaign", "lead_source"),
        ("Lead Source", "lead_source"),
        ("Notes", "notes"),
        ("Balance", IGNORE),
    ),
    _signature(("Customer ID",), ("Customer Name",), ("Do Not Service", "Do Not Mail", "Member")),
    frozenset({"location id"}),
)

SERVICETITAN_LOCATIONS = Preset(
    "servicetitan_locations",
    "ServiceTitan locations",
    "customers",
    "servicetitan",
    _columns(
        ("Location ID", "location_id"),
        ("Location Name", "location_name"),
        ("Customer ID", "source_id"),
        ("Customer Name", "full_name"),
        ("Customer Type", "customer_type"),
        ("Address", "street"),
        ("Unit", "unit"),
        ("City", "city"),
        ("State", "region"),
        ("Zip", "postal_code"),
        ("Phone", "phone"),
        ("Email", "email"),
        ("Tags", "tags"),
    ),
    _signature(("Location ID",), ("Customer ID",), ("Location Name", "Customer Name")),
)

GOOGLE_CONTACTS = Preset(
    "google_contacts",
    "Google Contacts",
    "customers",
    "google_contacts",
    _columns(
        ("Name", "full_name"),
        ("Given Name", "first_name"),
        ("First Name", "first_name"),
        ("Additional Name", "middle_name"),
        ("Middle Name", "middle_name"),
        ("Family Name", "last_name"),
        ("Last Name", "last_name"),
        ("Name Prefix", "honorific"),
        ("Name Suffix", "suffix"),
        ("Organization Name", "company_name"),
        ("Organization 1 - Name", "company_name"),
        ("Organization Title", "contact_title"),
        ("Organization 1 - Title", "contact_title"),
        ("Labels", "tags"),  # "* myContacts ::: Clients"
        ("Group Membership", "tags"),
        ("Notes", "notes"),
        # numbered: "E-mail 2 - Label", "Phone 3 - Value"… (looked up without the number)
        ("E-mail - Label", "email_label"),
        ("E-mail - Type", "email_label"),
        ("E-mail - Value", "email"),
        ("Phone - Label", "phone_label"),
        ("Phone - Type", "phone_label"),
        ("Phone - Value", "phone"),
        # the first address is where the customer lives, the second (often work) the billing one
        ("Address 1 - Formatted", "address"),
        ("Address 1 - Street", "street"),
        ("Address 1 - Extended Address", "unit"),
        ("Address 1 - City", "city"),
        ("Address 1 - Region", "region"),
        ("Address 1 - Postal Code", "postal_code"),
        ("Address 1 - Country", "country"),
        ("Address 2 - Formatted", "billing_address"),
        ("Address 2 - Street", "billing_street"),
        ("Address 2 - Extended Address", "billing_unit"),
        ("Address 2 - City", "billing_city"),
        ("Address 2 - Region", "billing_region"),
        ("Address 2 - Postal Code", "billing_postal_code"),
    ),
    _signature(
        ("E-mail 1 - Value", "Phone 1 - Value"),
        (
            "Labels",
            "Group Membership",
            "Name Prefix",
            "Given Name",
            "Organization Name",
            "Organization 1 - Name",
            "Address 1 - Formatted",
        ),
    ),
)

# Outlook writes a person's home and business addresses side by side. Home is mapped to the
# service address and Business to the billing one; for a company (a Company column and no home
# address) the planner takes the billing address as the service address, as it does whenever
# the service address is empty. "Assistant's Phone" is someone else's number: ignored.
OUTLOOK = Preset(
    "outlook",
    "Outlook contacts",
    "customers",
    "outlook",
    _columns(
        ("First Name", "first_name"),
        ("Middle Name", "middle_name"),
        ("Last Name", "last_name"),
        ("Title", "honorific"),
        ("Suffix", "suffix"),
        ("Company", "company_name"),
        ("Job Title", "contact_title"),
        ("Home Street", "street"),
        ("Home Street 2", "unit"),
        ("Home City", "city"),
        ("Home State", "region"),
        ("Home Postal Code", "postal_code"),
        ("Home Country/Region", "country"),
        ("Business Street", "billing_street"),
        ("Business Street 2", "billing_unit"),
        ("Business City", "billing_city"),
        ("Business State", "billing_region"),
        ("Business Postal Code", "billing_postal_code"),
        ("Business Phone", "phone_work"),
        ("Business Phone 2", "phone_work"),
        ("Company Main Phone", "phone_work"),
        ("Home Phone", "phone_home"),
        ("Home Phone 2", "phone_home"),
        ("Mobile Phone", "phone_mobile"),
        ("Primary Phone", "phone"),
        ("Other Phone", "phone_other"),
        ("Car Phone", "phone_other"),
        ("Business Fax", "phone_fax"),
        ("Home Fax", "phone_fax"),
        ("Assistant's Phone", IGNORE),
        ("E-mail Address", "email"),
        ("E-mail 2 Address", "email_other"),
        ("E-mail 3 Address", "email_other"),
        ("Notes", "notes"),
        ("Categories", "tags"),
    ),
    _signature(
        ("E-mail Address",),
        ("Business Street", "Home Street"),
        ("Business Phone", "Assistant's Phone", "Mobile Phone"),
    ),
)

# Plenum's own exports (app/imports/export.py), for moving a book between companies or back.
PLENUM_CUSTOMERS = Preset(
    "plenum_customers",
    "Plenum customers export",
    "customers",
    "plenum",
    _columns(
        ("First name", "first_name"),
        ("Last name", "last_name"),
        ("Company", "company_name"),
        ("Type", "customer_type"),
        ("Email", "email"),
        ("Phone", "phone"),
        ("Tags", "tags"),
        ("Lead source", "lead_source"),
        ("Notes", "notes"),
        ("Do not contact", "do_not_contact"),
        ("ID", "source_id"),
        ("Phone type", "phone_kind"),
        ("Phone extension", "phone_extension"),
        ("Other phones", "phone_other"),  # "home: (217) 555-0142; work: … x12"
        ("Other emails", "email_other"),  # "work: a@example.com"
        ("Billing address", "billing_address"),
        ("Do not service", "do_not_service"),
        # the old system's id is replaced by Plenum's own ID (the customer's source id here)
        ("Source system", IGNORE),
        ("Source ID", IGNORE),
    ),
    _signature(("Preferred contact",), ("Transactional messages",), ("Restrict processing",)),
)

PLENUM_PROPERTIES = Preset(
    "plenum_properties",
    "Plenum properties export",
    "customers",
    "plenum",
    _columns(
        ("Customer", IGNORE),  # the customer is found by its ID
        ("Customer ID", "source_id"),
        ("ID", "location_id"),
        ("Label", "location_name"),
        ("Street", "street"),
        ("Unit", "unit"),
        ("City", "city"),
        ("State", "region"),
        ("Postal code", "postal_code"),
        ("Country", "country"),
        ("Property type", "property_type"),
        ("Square feet", "square_feet"),
        ("Year built", "year_built"),
        ("Notes", "property_notes"),
    ),
    _signature(("Property type",), ("Geocoding", "Square feet", "Year built"), ("Customer ID",)),
)

PLENUM_EQUIPMENT = Preset(
    "plenum_equipment",
    "Plenum equipment export",
    "equipment",
    "plenum",
    _columns(
        ("Customer", "customer_name"),
        ("Street", "street"),
        ("City", "city"),
        ("Type", "kind"),
        ("Brand", "brand"),
        ("Model", "model"),
        ("Serial", "serial"),
        ("Installed on", "installed_on"),
        ("Warranty ends on", "warranty_ends_on"),
        ("SEER2", "seer2"),
        ("AFUE", "afue"),
        ("HSPF2", "hspf2"),
        ("Refrigerant", "refrigerant"),
        ("Filter size", "filter_size"),
        ("Notes", "notes"),
        ("Created at", IGNORE),
        ("ID", IGNORE),
        # the property is found by its Plenum id, which the properties import kept
        ("Property ID", "location_id"),
    ),
    _signature(("Serial",), ("SEER2", "AFUE", "HSPF2"), ("Property ID",)),
)

PLENUM_CONTACTS = Preset(
    "plenum_contacts",
    "Plenum contacts export",
    "customers",
    "plenum",
    _columns(
        ("Customer", IGNORE),  # the customer is found by its ID
        ("Customer ID", "source_id"),
        ("Name", "contact_name"),
        ("Title", "contact_title"),
        ("Email", "contact_email"),
        ("Phone", "contact_phone"),
        ("Phone type", "contact_phone_kind"),
        ("Phone extension", "contact_phone_extension"),
        ("Other phones", "contact_phone"),  # "home: (217) 555-0142; work: … x12"
        ("Other emails", "contact_email"),
        ("ID", IGNORE),
    ),
    _signature(("Customer ID",), ("Name",), ("Other phones",), ("Title",)),
)

PRESETS: tuple[Preset, ...] = (
    QBO_CUSTOMERS,
    QBO_CONTACT_LIST,
    QBD_CUSTOMERS,
    HOUSECALL_PRO,
    JOBBER,
    SERVICETITAN_CUSTOMERS,
    SERVICETITAN_LOCATIONS,
    GOOGLE_CONTACTS,
    OUTLOOK,
    PLENUM_CUSTOMERS,
    PLENUM_PROPERTIES,
    PLENUM_EQUIPMENT,
    PLENUM_CONTACTS,
)
BY_KEY = {preset.key: preset for preset in PRESETS}


def detect(headers: list[str]) -> Preset | None:
    """The export these headers come from, or None for a file of the office's own making."""
    present = {normalize_header(header) for header in headers}
    matching = [
        preset
        for preset in PRESETS
        if preset.signature
        and all(group & present for group in preset.signature)
        and not preset.excludes & present
    ]
    return max(matching, key=lambda preset: len(preset.signature), default=None)


def _target(preset: Preset, header: str) -> str:
    key = normalize_header(header)
    if key in preset.columns:
        return preset.columns[key]
    unnumbered = " ".join(word for word in key.split() if not word.isdigit())
    return preset.columns.get(unnumbered, IGNORE)


def mapping_for(preset: Preset, headers: list[str]) -> list[str]:
    """The preset's target for each column, in order; a column it does not know is ignored,
    and so is a second column for a target that takes one. An address given both in one cell
    and in split columns (Google writes both) is taken from the split columns."""
    mapping: list[str] = []
    for header in headers:
        target = _target(preset, header)
        if target in mapping and target not in _MANY:
            target = IGNORE
        mapping.append(target)
    for whole, street in (("address", "street"), ("billing_address", "billing_street")):
        if street in mapping:
            mapping = [IGNORE if target == whole else target for target in mapping]
    return mapping
