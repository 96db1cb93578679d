"""Demonstration data: the demo company "Acme Heating & Air" (`seed`), its customers
(`customers`) and a week of visits (`schedule`), made by `flask seed demo` as the database owner.
It sits above the features, like app/commands.py: it may use any of them."""
