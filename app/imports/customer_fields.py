"""The customer fields a column of a customer file can fill (the `customers` import's targets).

Phone and email columns may be several (Mobile, Home, Work…); a `phone_label` or `email_label`
column gives the type of the phone or email column right after it (Google Contacts'
"Phone 1 - Label", "Phone 1 - Value"). Contact columns describe a contact person of the
customer (a commercial customer's office manager). Billing columns are the customer's billing
address; the service address (the plain address columns) makes the property, or the billing
address when there is none."""

from __future__ import annotations

from app.imports.plan import Target

IGNORE = ""
TARGETS: dict[str, Target] = {
    IGNORE: Target("Ignore this column"),
    # who
    "source_id": Target("Customer ID in the old system"),
    "first_name": Target("First name"),
    "middle_name": Target("Middle name"),
    "last_name": Target("Last name"),
    "full_name": Target("Full name (split into first and last)"),
    "honorific": Target("Title (Mr., Mrs., Dr.)"),
    "suffix": Target("Name suffix (Jr., III)"),
    "company_name": Target("Company"),
    "customer_type": Target("Customer type (residential, commercial, is company)"),
    "parent": Target("Parent customer (QuickBooks Customer:Job)"),
    # how to reach them
    "phone": Target("Phone", many=True),
    "phone_mobile": Target("Mobile phone", many=True),
    "phone_home": Target("Home phone", many=True),
    "phone_work": Target("Work phone", many=True),
    "phone_other": Target("Other phone", many=True),
    "phone_fax": Target("Fax", many=True),
    "phone_label": Target("Type of the next phone column", many=True),
    "phone_extension": Target("Phone extension"),
    "email": Target("Email", many=True),
    "email_work": Target("Work email", many=True),
    "email_other": Target("Other email", many=True),
    "email_label": Target("Type of the next email column", many=True),
    # where: service location (the property)
    "address": Target("Service address (one cell, several lines)"),
    "street": Target("Service street"),
    "unit": Target("Service unit / apartment"),
    "city": Target("Service city"),
    "region": Target("Service state / province"),
    "postal_code": Target("Service ZIP / postal code"),
    "country": Target("Service country"),
    "location_name": Target("Service location name"),
    "location_id": Target("Service location ID in the old system"),
    # billing address
    "billing_address": Target("Billing address (one cell, several lines)"),
    "billing_street": Target("Billing street"),
    "billing_unit": Target("Billing unit"),
    "billing_city": Target("Billing city"),
    "billing_region": Target("Billing state"),
    "billing_postal_code": Target("Billing ZIP"),
    # a contact person
    "contact_name": Target("Contact person: full name"),
    "contact_first_name": Target("Contact person: first name"),
    "contact_last_name": Target("Contact person: last name"),
    "contact_title": Target("Contact person: job title"),
    "contact_phone": Target("Contact person: phone", many=True),
    "contact_mobile": Target("Contact person: mobile", many=True),
    "contact_email": Target("Contact person: email", many=True),
    # the rest
    "tags": Target("Tags", many=True),
    "lead_source": Target("Lead source"),
    "notes": Target("Notes", many=True),
    "do_not_service": Target("Do not service (yes/no)"),
    "do_not_contact": Target("Do not contact (yes/no)"),
}
NAMING = ("first_name", "last_name", "full_name", "company_name", "contact_name")
