"""A reminder in words: one email (plain text and HTML, multipart/alternative) in the reminder's language.

Every word comes from the catalogue (`words(tag)`), as on the pages; plan text is escaped in the HTML
part, never read as markup. The link goes to the deal's milestones page when `site_url` is set: an
address only, never a password.
"""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from markupsafe import Markup

from mapsite.insight import derive
from mapsite.insight.reminders import DealItems, Reminder, due_by
from mapsite.site import kinds
from mapsite.site.urls import UrlLayout
from mapsite.site.words import Words, words


def compose(reminder: Reminder, today: dt.date, days: int, sender: str | None, layout: UrlLayout) -> EmailMessage:
    """The email for one reminder; `sender` is MAPSITE_MAIL_FROM (None in a dry run without it)."""
    w = words(reminder.language)
    last = w.date(due_by(today, days))
    message = EmailMessage()
    if sender:
        message["From"] = sender
    message["To"] = formataddr((reminder.name, reminder.email))
    message["Subject"] = w.ngettext("%(num)s open item due by %(date)s", "%(num)s open items due by %(date)s",
                                    reminder.count, date=last)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=(sender or "mapsite.invalid").rpartition("@")[2].strip("> ") or None)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a robot
    parts = [_part(w, part, today, layout) for part in reminder.deals]
    greeting = w.gettext("Hello %(name)s,", name=reminder.name) if reminder.name else w.gettext("Hello,")
    intro = w.gettext("these items of yours are overdue or due by %(date)s:", date=last)
    why = w.gettext("You receive this reminder because you own these items in a mutual action plan.")
    text = "\n\n".join([greeting, intro, *(p[0] for p in parts), why]) + "\n"
    html = Markup("<!DOCTYPE html>\n<html lang=\"{}\"><body>\n<p>{}</p>\n<p>{}</p>\n{}<p>{}</p>\n</body></html>\n").format(
        w.language, greeting, intro, Markup("").join(p[1] for p in parts), why)
    message.set_content(text)
    message.add_alternative(str(html), subtype="html")
    message["Content-Language"] = w.language  # after the parts: set_content moves Content-* headers into them
    return message


def _part(w: Words, part: DealItems, today: dt.date, layout: UrlLayout) -> tuple[str, Markup]:
    """One deal's section, as text and as HTML."""
    lines = [(_title(w, part, item), _state(w, item, today)) for item in part.items]
    url = layout.page_address(part.deal, kinds.MILESTONES)
    text = "\n".join([part.plan.title, *(f"- {title}: {state}" for title, state in lines)])
    html = Markup("<h2>{}</h2>\n<ul>\n{}</ul>\n").format(
        part.plan.title, Markup("").join(Markup("<li><strong>{}</strong>: {}</li>\n").format(t, s) for t, s in lines))
    if url:
        text += "\n" + w.gettext("Open the plan: %(url)s", url=url)
        html += Markup('<p><a href="{}">{}</a></p>\n').format(url, w.gettext("Open the plan"))
    return text, html


def _title(w: Words, part: DealItems, item: derive.Item) -> str:
    if item.kind == "milestone":
        return item.title
    milestone = part.plan.milestones[item.milestone_number - 1].title
    return f"{item.title} {w.gettext('(step of %(milestone)s)', milestone=milestone)}"


def _state(w: Words, item: derive.Item, today: dt.date) -> str:
    """"In progress, due 20 Nov 2026 (4 days late)": status, date and how far off, as the people page says them."""
    due = w.gettext("due %(date)s", date=w.date(item.due))
    return f"{w.status(item.status)}, {due} ({w.due_in((item.due - today).days)})"
