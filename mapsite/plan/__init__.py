"""The plan: what a rep writes in `plans/<slug>.md`, read into a `Plan`, or into `file:line:col` problems.

- `model`: the schema (pydantic) and the buyer's view of a plan (`public_view`);
- `files`: which files are plans, and reading one safely; `documents`: which files a plan's `files:` may offer;
- `loader`: YAML with positions, into a `Deal` (a valid plan and its place) or `Problem`s;
- `wording`: pydantic's and PyYAML's errors in plain words, at the right line;
- `rules`: references between fields, logos, and rules across plans; `order`: what each milestone comes after;
- `schema`: the JSON Schema editors use; `scaffold`: a new plan from a template.
"""

from mapsite.plan.files import (SLUG, PlanFileError, display_path, is_plan_file, plan_paths, read_plan_bytes,
                                real_path, unreadable_character)
from mapsite.plan.loader import (Deal, LoadResult, Problem, compose, load_paths, load_plan, load_plans, load_text,
                                 split_front_matter)
from mapsite.plan.model import STATUSES, YEARS, Plan, date_error, iso_date, public_view
from mapsite.plan.rules import LOGO_TYPES, SITE_FOLDERS, logo_file
from mapsite.plan.wording import Loc

__all__ = [
    "LOGO_TYPES", "SITE_FOLDERS", "SLUG", "STATUSES", "YEARS",
    "Deal", "LoadResult", "Loc", "Plan", "PlanFileError", "Problem",
    "compose", "date_error", "display_path", "is_plan_file", "iso_date", "load_paths", "load_plan", "load_plans",
    "load_text", "logo_file", "plan_paths", "public_view", "read_plan_bytes", "real_path", "split_front_matter",
    "unreadable_character",
]
