"""MkDocs glue: plans in, one small microsite per deal out, every generated page encrypted for its realm.

Thin on purpose: loading, pages, URLs and protection live in plain modules; this file only tells
MkDocs which pages exist (`site.kinds`), where (`site.urls`), which navigation each sees, keeps
deals out of the shared files (root nav, sitemap, search index), and encrypts last: a generated
page whose kind names no realm and is not explicitly public stops the build.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path

from jinja2 import Environment, TemplateNotFound
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from mapsite.git.dates import last_changed
from mapsite.git.history import date_moves
from mapsite.insight.advice import advise_all
from mapsite.mkdocs.ahead import DealJob, RenderAhead, render_deal
from mapsite.mkdocs.chunked import Chunked
from mapsite.mkdocs.config import MapsiteConfig, site_language
from mapsite.mkdocs.loopback import LOOPBACK, own_host_only
from mapsite.mkdocs.pageflow import LATER, PageFlow, forget_positions, settle, unsettle
from mapsite.plan import Deal, display_path, load_paths, placeholders, plan_paths, real_path
from mapsite.mkdocs import shards
from mapsite.mkdocs.realmkeys import SealKeys, realm_keys
from mapsite.mkdocs.team import ContentOps, Team, content_at, team_page
from mapsite.security import csp, passwords, protect
from mapsite.security.realms import PUBLIC, Realm, realm_of
from mapsite.site import colours, documents, kinds
from mapsite.site import render as pages
from mapsite.site.kinds import PageKind
from mapsite.site.urls import UrlLayout
from mapsite.site.words import words

log = logging.getLogger("mkdocs.plugins.mapsite")

DEAL_TEMPLATE = "mapsite-deal.html"
TEAM_TEMPLATE = "mapsite-team.html"
LOCK_TEMPLATE = "mapsite-lock.html"
REMEMBER = {"auto": "auto", True: "always", False: "never"}  # the remember option as the lock page reads it


LANDING = "---\ntemplate: mapsite-landing.html\nhide: [navigation, toc]\n---\n"  # the root: no deal; words from mapsite-landing.html


class MapsitePlugin(BasePlugin[MapsiteConfig]):
    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        root = Path(config.config_file_path).parent
        self._check_options(root, config.theme.get("language"))
        self.layout = UrlLayout(self.config.slug_in_url, config.use_directory_urls, config.site_url or "")
        self.custom_dir = config.theme.custom_dir
        self.ahead = None if self.command == "serve" else RenderAhead.fork_for(len(plan_paths(self.plans_dir)), self.custom_dir)
        self.deals = self._load_deals(root)  # every plan, checked; `built`: the ones this build (shard) publishes
        self.shard, self.built = shards.published(self.deals)
        self.team = Team.for_site(self.config.team_path, self.deals, self.layout) if self.config.team else None
        self.documents = {d.slug: documents.offered(d, self.layout.folder(d), team=self.team is not None) for d in self.deals}
        self.plans_found_in = {Path(os.path.abspath(root / self.config.plans_dir)), self.plans_dir}
        self.updated = last_changed([d.path for d in self.deals], root)
        for tip in advise_all(self.deals, self.today, root, root, self.updated, self.language):  # style advice never fails a --strict build
            log.info("mapsite advice: %s", tip)
        forget_positions(self.deals)  # every problem with a file:line is reported by now
        settle(self.command)  # before the workers below fork
        self.moves = Chunked(date_moves, [d.path for d in self.built], root, pool=self.ahead and self.ahead.history_pool)
        self.preview = self.command == "serve" and config.dev_addr.host in LOOPBACK
        self.keys, self.save_keys = self._start_keys(root)
        _turn_off_instant_loading(config)
        self.words = words(self.language)  # the landing page's; each deal's pages speak its own
        self.envs: dict[str, Environment] = {}  # one per language, built per build: a custom_dir template wins
        self.deal_of: dict[str, Deal] = {}  # src_uri -> deal
        self.kind_of: dict[str, PageKind] = {}  # src_uri -> kind, for every page this plugin generates
        self.flow = PageFlow()  # a page's content exists while it is built: `pageflow`
        if self.ahead:
            self.ahead.start(self.built, lambda d: [self.layout.source(d, kind) for kind in kinds.DEAL_KINDS], self._job)
        return config

    def _check_options(self, root: Path, theme_language: str | None) -> None:
        """The options MkDocs' own checks cannot judge: the plans folder exists, brand_color is a colour, the
        theme's language (the deals' default) is one mapsite speaks."""
        try:
            self.language = site_language(self.config.language, theme_language)
        except ValueError as error:
            raise PluginError(f"mapsite: {error}") from None
        self.plans_dir = (root / self.config.plans_dir).resolve()
        if not self.plans_dir.is_dir():
            raise PluginError(f"mapsite: the plans folder {self.plans_dir} does not exist; create it or set plans_dir")
        self.today = self.config.today or shards.build_day()
        if self.config.brand_color and not re.fullmatch(r"#[0-9a-fA-F]{6}", self.config.brand_color):
            raise PluginError(f"mapsite: brand_color: `{self.config.brand_color}` is not a colour like #1f4e79")

    def _start_keys(self, root: Path) -> tuple[SealKeys, Callable[[], None] | None]:
        """Each deal's realm, and its key: PBKDF2 runs in worker processes while pages render (none in preview)."""
        self.realms = {d.slug: realm_of(d, self.layout.folder(d)) for d in self.built}
        every = ([self.team.realm] if self.team else []) + list(self.realms.values())  # the team's first: every page needs it
        return (SealKeys(), None) if self.preview else realm_keys(every, root, pool=self.ahead and self.ahead.key_pool)

    def _load_deals(self, root: Path) -> list[Deal]:
        """Every plan (or the one being previewed), valid and placed as the layout publishes them; else a PluginError."""
        only = self._only()
        paths = [self.plans_dir / f"{only}.md"] if only else plan_paths(self.plans_dir)
        deals, problems = load_paths(paths, root, project=root, layout=self.layout, mapper=self.ahead.map if self.ahead else map)
        left = placeholders.left_in(deals, passwords.in_ci())  # template text: never published from CI
        if problems or any(p.level == "error" for p in left):
            raise PluginError("mapsite: invalid plans:\n" + "\n".join(str(p) for p in problems + left))
        for problem in left:
            log.warning(f"mapsite: {problem}")
        return deals

    def _only(self) -> str | None:
        """The one deal to build when previewing (`preview_only`), so a rebuild among 1,000s of plans stays under a second.

        `mapsite preview <slug>` sets the option when it starts MkDocs' server; only `mkdocs serve`
        honours it: a build or deploy always holds every deal. Only that plan is loaded and
        validated (same messages as a full build); `mapsite check` covers the rest.
        """
        only = (self.config.preview_only or "").strip()
        if not only:
            return None
        if self.command != "serve":
            log.warning(f"mapsite: preview_only: {only} is ignored: only `mkdocs serve` previews one deal; building every deal")
            return None
        if not (self.plans_dir / f"{only}.md").is_file():
            raise PluginError(f"mapsite: preview_only: {only}: there is no plan {display_path(self.plans_dir / only)}.md")
        log.info(f"mapsite: previewing only {only}; other deals are not built")
        return only

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled:
            return None
        # Plans, templates and logos are never copied as they are. One pass: Files.remove is O(n) a file.
        plan_texts = {real_path(path) for path in plan_paths(self.plans_dir)} | {
            d.source for listed in self.documents.values() for d in listed}  # a document too: only its ciphertext is published
        files = Files([f for f in files if not self._is_from_plans(f, plan_texts)])
        if not files.get_file_from_path(kinds.LANDING.src_uri):
            files.append(File.generated(config, kinds.LANDING.src_uri, content=LANDING))
            self.kind_of[kinds.LANDING.src_uri] = kinds.LANDING
        if self.team:
            files.append(File.generated(config, self.team.source, content="", inclusion=InclusionLevel.NOT_IN_NAV))
            self.kind_of[self.team.source] = kinds.TEAM_PAGE
        for deal in self.built:
            for kind in kinds.DEAL_KINDS:  # read at build time: an extension may have added a kind
                uri = self.layout.source(deal, kind)
                files.append(File.generated(config, uri, content="", inclusion=InclusionLevel.NOT_IN_NAV))
                self.deal_of[uri] = deal
                self.kind_of[uri] = kind
        return files

    def _is_from_plans(self, file: File, plan_texts: set[Path]) -> bool:
        """Whether a file MkDocs found is, or may be, a plan's plain text: never to be published as it is.

        Everything found under the plans folder counts, whatever it resolves to (a symlinked plan or
        folder points elsewhere), and so does a file elsewhere that is a plan's text by another name.
        """
        if not file.abs_src_path:
            return False  # generated: a deal page or the landing page
        found = Path(os.path.abspath(file.abs_src_path))
        real = real_path(found)
        return real in plan_texts or any(path.is_relative_to(folder) for path in (found, real) for folder in self.plans_found_in)

    def on_env(self, env, *, config: MkDocsConfig, files: Files):
        if not self.config.enabled:
            return env
        needed = ((DEAL_TEMPLATE, LOCK_TEMPLATE) if self.deals or self.team else ()) + ((TEAM_TEMPLATE,) if self.team else ())
        for name in needed:
            if not _has_template(env, name):  # not list_templates(): it walks Material's 10,000 icons
                raise PluginError(f"mapsite: the theme has no {name}; set theme.custom_dir to mapsite's theme_overrides/")
        env.filters["brand_palette"] = colours.brand_palette  # main.html, the lock page: text that reads on the brand
        self.lock_template = env.get_template(LOCK_TEMPLATE) if self.deals or self.team else None
        spoken = {self.language} | {self._language(d) for d in self.deals}
        self.theme_languages = {tag: _theme_language(env, tag) for tag in spoken}
        return env

    def _language(self, deal: Deal) -> str:
        """The language a deal's pages speak: its plan's, else the site's."""
        return deal.plan.language or self.language

    def _env(self, tag: str) -> Environment:
        if tag not in self.envs:
            self.envs[tag] = pages.environment(self.custom_dir, tag)
        return self.envs[tag]

    @event_priority(-100)  # last: whatever other plugins change is encrypted with the page
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        if not self.config.enabled:
            return None
        published = self._published(output, page, config)
        if self._renders(page):
            self.flow.release(page)  # an author's own page keeps its content, as MkDocs left it
        return published

    def _published(self, output: str, page: Page, config: MkDocsConfig) -> str:
        """The page as it is written to site/: a generated page encrypted for its realm, or public by its kind.

        Pages from the project's own docs folder are the author's, published as written.
        """
        src_uri = page.file.src_uri
        kind = self.kind_of.get(src_uri)
        if kind is None or kind.audience == PUBLIC:
            return self._with_policy(output, src_uri)
        realm = self._realm(kind, src_uri)
        if self.preview:
            return output  # plain text on loopback only; the deal template says so in its banner
        views, hashes = self._views(output, page, realm)
        return self._shell(protect.seal(views, page.url), page.url, config, self.deal_of.get(src_uri), list(dict.fromkeys(hashes)))

    def _shell(self, payload: dict, url: str, config: MkDocsConfig, deal: Deal | None, hashes: list[str] = ()) -> str:
        """The lock page that carries `payload` at `url`, in the deal's words (else the site's; no deal: the team's)."""
        spoken = words(self._language(deal)) if deal else self.words
        shell = self.lock_template.render(config=config, root="../" * url.count("/"), brand=self.config.brand_color,
                                          payload=protect.payload_json(payload), remember=REMEMBER[self.config.remember],
                                          magic_links=self.config.magic_links, t=spoken.gettext, lang=spoken.language,
                                          team=deal is None)
        return self._with_policy(shell, LOCK_TEMPLATE, also=hashes)

    def _views(self, output: str, page: Page, realm: Realm) -> tuple[list, list[str]]:
        """What a page's payload holds, each view with its policy inside: the realm's view, and the team's (`mkdocs.team`);
        and the hashes of their scripts."""
        src_uri = page.file.src_uri
        own = self.flow.team_view(page) if self.team and realm is not self.team.realm else None
        team, more = self._hashed(team_page(output, page.content, own, src_uri), src_uri) if isinstance(own, str) else (own, [])
        output, hashes = self._hashed(output, src_uri)  # before encryption: each view's policy travels inside it too
        if isinstance(team, ContentOps):  # on the page as sealed; its policy is the team's too (no op changes a hashed script)
            team = team.on_page(output.count("\n", 0, content_at(output, page.content, src_uri)))
        key = self.keys.get(realm.id)
        if not self.team:
            return [(output, [protect.Lock("deal", key)])], hashes
        if realm is self.team.realm:  # the team page: the team's lock only
            return [(output, [protect.Lock("team", key)])], hashes
        return self.team.views(output, team, key, self.keys.get(self.team.realm.id)), hashes + more

    def _realm(self, kind: PageKind, src_uri: str) -> Realm:
        """The realm that protects a generated page; a kind that names none stops the build, never publishes plain text."""
        if kind.audience == kinds.DEAL and src_uri in self.deal_of:
            return self.realms[self.deal_of[src_uri].slug]
        if kind.audience == kinds.TEAM and self.team:
            return self.team.realm
        raise PluginError(f"mapsite: {src_uri}: the page kind `{kind.key}` belongs to no realm (audience "
                          f"{kind.audience!r}); every generated page is encrypted for a realm or declared public")

    @event_priority(-100)  # last, like pages: the policy covers what other plugins added
    def on_post_template(self, output: str, *, template_name: str, config: MkDocsConfig) -> str | None:
        if self.config.enabled and template_name.endswith(".html"):  # 404.html: kinds.NOT_FOUND, public
            return self._with_policy(output, template_name)
        return None

    def _with_policy(self, output: str, name: str, also: list[str] = ()) -> str:
        """The page with its Content-Security-Policy; not under `mkdocs serve`, which adds its live-reload
        script inline to every page it serves (and publishes nothing)."""
        return self._hashed(output, name, also)[0]

    def _hashed(self, output: str, name: str, also: list[str] = ()) -> tuple[str, list[str]]:
        """`_with_policy`, and the hashes of the page's own scripts (none under serve)."""
        if self.command == "serve":
            return output, []
        try:
            return csp.hashed(output, also)
        except ValueError as error:
            raise PluginError(f"mapsite: {name}: {error}") from None

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        deal = self.deal_of.get(page.file.src_uri)
        if self.config.enabled and self.kind_of.get(page.file.src_uri) is kinds.TEAM_PAGE:
            page.meta.update(template=TEAM_TEMPLATE, title=html.escape(self.words.gettext(kinds.TEAM_PAGE.title)),
                             hide=["navigation", "toc"], search={"exclude": True}, mapsite_language=self.language)
            return ""
        if not self.config.enabled or deal is None:
            return None
        kind = self.kind_of[page.file.src_uri]
        tag = self._language(deal)
        # Material prints meta titles unescaped into <title> and the nav: escape once here.
        title = deal.plan.title if kind is kinds.SUMMARY else f"{words(tag).gettext(kind.title)} · {deal.plan.title}"
        page.meta.update(template=DEAL_TEMPLATE, title=html.escape(title), hide=["navigation", "toc"],
                         search={"exclude": True}, mapsite_deal=self.layout.folder(deal),
                         mapsite_language=tag)
        return ""

    def on_page_content(self, html_: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if self.config.enabled and self._renders(page):
            return LATER  # rendered when MkDocs builds the page, not held for every page at once: `pageflow`
        return None

    def _renders(self, page: Page) -> bool:
        """Whether this plugin makes the page's content: a deal's page or the team page."""
        return page.file.src_uri in self.deal_of or self.kind_of.get(page.file.src_uri) is kinds.TEAM_PAGE

    def _content(self, page: Page) -> tuple[str, str | None]:
        """A generated page's content and, where internal items change it, the team's view: rendered ahead, else now."""
        uri, deal = page.file.src_uri, self.deal_of.get(page.file.src_uri)
        if deal is None:
            return self._team_page(page), None
        return (self.ahead and self.ahead.take(uri)) or render_deal(self._job(deal, [uri]), self._env)[uri]

    def _job(self, deal: Deal, uris: list[str] | None = None) -> DealJob:
        """What rendering the deal's pages (those at `uris`, else all) needs beside its plan."""
        wanted = [(self.layout.source(deal, kind), kind) for kind in kinds.DEAL_KINDS]
        return DealJob(deal, tuple((u, k) for u, k in wanted if uris is None or u in uris), self.today,
                       self.updated.get(deal.path, self.today), self.layout, self.moves.get(deal.path),
                       self.documents[deal.slug], self._language(deal), self.team is not None)

    def _team_page(self, page: Page) -> str:
        """The team page's content; its actions' data is sealed into a file of its own after the build (`on_post_build`)."""
        content, self.team_actions = self.team.page(self.deals, self.layout, page.url, self._env(self.language), self.today,
                                                    self.updated, self.config.currency)
        return content

    @event_priority(100)  # first: other plugins and the template see the page's content
    def _fill(self, context, *, page: Page, config: MkDocsConfig, nav: Navigation):
        if self.config.enabled and self._renders(page):
            self.flow.fill(page, self._content)
        return context

    def _page_context(self, context, *, page: Page, config: MkDocsConfig, nav: Navigation):
        if not self.config.enabled:
            return None
        context["mapsite_brand"] = self.config.brand_color
        deal = self.deal_of.get(page.file.src_uri)
        if deal is not None:
            context["nav"] = self._deal_nav(deal, page.file)
            context["mapsite_preview"] = self.preview  # the deal template's "not protected" banner
            tag = self._language(deal)
            context["t"] = words(tag).gettext
            page.meta["mapsite_theme_language"] = self.theme_languages[tag]  # Material's words (partials/language.html)
        elif self.kind_of.get(page.file.src_uri) is kinds.TEAM_PAGE:
            context["nav"] = Navigation([page], [page])  # names no deal
            page.meta["mapsite_theme_language"] = self.theme_languages[self.language]
            context["t"] = self.words.gettext
        elif self.kind_of.get(page.file.src_uri) is kinds.LANDING:  # its words are in the site's language
            page.meta.update(mapsite_language=self.language, mapsite_theme_language=self.theme_languages[self.language])
            context["t"] = self.words.gettext
        return context

    on_page_context = CombinedEvent(_fill, _page_context)  # the content first; the nav and words where they always were

    def _deal_nav(self, deal: Deal, current: File) -> Navigation:
        """A navigation holding only this deal's pages, so no page names another deal."""
        deal_pages = [self._page(deal, kind) for kind in kinds.DEAL_KINDS]
        for before, page, after in zip([None, *deal_pages], deal_pages, [*deal_pages[1:], None]):
            page.previous_page, page.next_page = before, after
        nav = Navigation(list(deal_pages), list(deal_pages))
        nav.homepage = deal_pages[0]
        return nav

    def _page(self, deal: Deal, kind: PageKind) -> Page:
        page = self._files.get_file_from_path(self.layout.source(deal, kind)).page
        assert page is not None
        return page

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation | None:
        self._files = files
        return None

    def on_template_context(self, context, *, template_name: str, config: MkDocsConfig):
        context["mapsite_brand"] = self.config.brand_color if self.config.enabled else None
        if self.config.enabled and template_name.startswith("sitemap.xml"):
            context["pages"] = [f for f in context["pages"] if self.kind_of.get(f.src_uri, kinds.LANDING).audience == PUBLIC]
        return context

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.config.enabled:
            _scrub_search_index(Path(config.site_dir), {self.layout.folder(d) for d in self.deals}
                                | ({self.team.path} if self.team else set()))
            try:
                documents.write([d for deal in self.built for d in self.documents[deal.slug]], Path(config.site_dir))
            except ValueError as error:
                raise PluginError(f"mapsite: {error}") from None
            if self.team and not self.preview:  # plain text on loopback has no keys: the actions view says it cannot open
                self.team.write_actions(Path(config.site_dir), self.team_actions, self.keys.get(self.team.realm.id),
                                        lambda payload, url: self._shell(payload, url, config, None))
            shards.finish(Path(config.site_dir), self.shard, [self.layout.folder(d) for d in self.built], self.team)
            if self.save_keys:
                self.save_keys()
            self._stop_workers()

    def on_build_error(self, *, error: Exception) -> None:
        self._stop_workers()  # a failed build does not wait for keys still being derived, or pages still rendered

    def _stop_workers(self) -> None:
        for workers in (getattr(self, "keys", None), getattr(self, "ahead", None)):
            if workers is not None:
                workers.close()
        unsettle()

    def on_serve(self, server, *, config: MkDocsConfig, builder):
        if not self.config.enabled:
            return server
        if not self.plans_dir.is_relative_to(Path(config.docs_dir).resolve()):
            server.watch(str(self.plans_dir))
        if self.preview:  # plain text on loopback: answer the browser on this machine, not a rebound name
            server.set_app(own_host_only(server.get_app(), server))
        return server


def _has_template(env, name: str) -> bool:
    try:
        env.get_template(name)
    except TemplateNotFound:
        return False
    return True


def _theme_language(env, tag: str) -> str:
    """Which of the theme's own language files (Material's interface words) fits `tag`: `de-AT` -> `de`; else English."""
    base = tag.split("-")[0]
    return next((name for name in (tag, base) if _has_template(env, f"partials/languages/{name}.html")), "en")


def _turn_off_instant_loading(config: MkDocsConfig) -> None:
    """Material's instant loading fetches pages behind the password shell's back."""
    features = config.theme.get("features") or []
    if "navigation.instant" in features:
        config.theme["features"] = [f for f in features if not f.startswith("navigation.instant")]
        log.info("mapsite: navigation.instant is off: deal pages open through their password shell")


def _scrub_search_index(site_dir: Path, folders: set[str]) -> None:
    """Remove deal pages from a search index another plugin may have written."""
    index = site_dir / "search" / "search_index.json"
    if not index.is_file():
        return
    data = json.loads(index.read_text(encoding="utf-8"))
    data["docs"] = [d for d in data.get("docs", []) if d.get("location", "").split("/", 1)[0].split("#")[0] not in folders]
    index.write_text(json.dumps(data), encoding="utf-8")
