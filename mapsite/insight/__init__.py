"""Insight: what a plan means, worked out from it: facts, advice, and rows across deals.

- `derive`: progress, slips, overdue and next items, deal health;
- `projection`: the projected go-live, late milestones carried along `after:`; `ledger`: the lost days, by person and side;
- `audience`: whose view the facts are computed on (the buyer's pages, the team's list);
- `advice`: best-practice warnings on a valid plan; `report`: problems as text, GitHub or JSON;
- `rows`: one deal's pipeline row (data), the team's view; `listing`: rows as a table, JSON or CSV.
"""
