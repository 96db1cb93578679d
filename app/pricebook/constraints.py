"""Words for the database's refusals of the price book: constraint name → (form field,
message), registered with app.db by the package's __init__."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str | None, str]] = {
    "price_categories_name_length": ("name", "Enter the category's name (at most 100)."),
    "price_categories_name_once": ("name", "There is already a category with that name."),
    "price_items_kind_check": ("kind", "Choose service, material, labour or package."),
    "price_items_code_format": ("code", "A code has at most 40 characters."),
    "price_items_code_once": ("code", "Another item already has that code."),
    "price_items_name_length": ("name", "Enter the item's name (at most 200 characters)."),
    "price_items_description_length": ("description", "At most 2,000 characters."),
    "price_items_unit_check": ("unit", "Choose one of the listed units."),
    "price_items_price_range": ("price", "Enter a price of 0 or more."),
    "price_items_cost_range": ("cost", "Enter a cost of 0 or more."),
    "price_items_markup_range": ("markup_percent", "Enter a markup between 0 and 10,000%."),
    "price_items_member_price_range": ("member_price", "Enter a member price of 0 or more."),
    "price_items_member_discount_range": (
        "member_discount_percent",
        "Enter a member discount above 0 and at most 100%.",
    ),
    "price_items_member_pricing_one": (
        "member_price",
        "Give members either their own price or a discount, not both.",
    ),
    "price_items_markup_needs_cost": ("cost", "A markup needs the item's cost."),
    "price_items_markup_price": ("price", "The price must be the cost with its markup."),
    "price_package_parts_item_once": ("part", "That item is already in the package."),
    "price_package_parts_item_kind": (
        "part",
        "A package is made of services, materials and labour, not of other packages.",
    ),
    "price_package_parts_quantity_range": ("quantity", "Enter a quantity above 0."),
    "tax_rates_name_length": ("name", "Enter the tax's name (at most 100)."),
    "tax_rates_name_once": ("name", "There is already a tax rate with that name."),
    "tax_rates_percent_range": ("percent", "Enter a rate between 0 and 100%."),
}
