/* The team's pipeline page (mapsite/site/team.py): sorting, filters, totals, the close-month chart, the CSV
 * download, and the actions view. Loaded after mapsite.js, whose mapsiteWords gives the words (the page's
 * #mapsite-words block), dates and plurals, and keys.js, which holds the team's key. The deals table arrives as
 * HTML; the actions' data is not in the page: it is fetched and opened only when their view is first opened, and
 * shown a page of rows at a time, so 1,000 deals open as fast as the table. mapsitePage (mapsite.js) starts it
 * and saves the CSV. */
(function () {
  "use strict";
  var W = mapsiteWords, PAGE = 300, SVG = "http://www.w3.org/2000/svg";
  var FORECASTS = ["commit", "best_case", "pipeline", "omitted", "none"];

  function all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }
  function data(id) { var block = document.getElementById(id); return block ? JSON.parse(block.textContent) : null; }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function number(n) { return W.intl("NumberFormat").format(n); }
  /* An amount as the reader writes it; cents only when there are any (Words.money). */
  function money(amount, currency, compact) {
    var whole = Math.round(amount) === amount, options = {};
    if (currency) { options.style = "currency"; options.currency = currency; }
    if (compact) { options.notation = "compact"; options.maximumFractionDigits = 1; }
    else if (whole) { options.minimumFractionDigits = 0; options.maximumFractionDigits = 0; }
    return W.intl("NumberFormat", options).format(amount);
  }
  /* The text of each <option> by its value: the server has already put the labels in the reader's words. */
  function labels(select) {
    var found = {};
    Array.prototype.forEach.call(select.options, function (o) { found[o.value] = o.textContent; });
    return found;
  }

  /* --- The deals table: sort, filter, totals, chart ----------------------------------------------------- */

  /* The table arrives with its first rows; the others are HTML text in #ms-team-rows (site/team.py FIRST_ROWS), which
   * `rest` parses into rows outside the page, and `drip` adds CHUNK a frame, after the first rows show. Whatever
   * reads every row (filters, totals, the CSV) calls `rest` first; what orders them in the page (sort, print) `flush`. */
  var CHUNK = 250;

  function Deals(root) {
    this.root = root;
    this.table = root.querySelector("[data-ms-deals]");
    this.body = this.table.tBodies[0];
    this.rows = Array.prototype.slice.call(this.body.rows);
    this.pending = [];  /* rows parsed, not yet in the table: the last of this.rows, in order */
    this.later = document.getElementById("ms-team-rows");
    this.form = root.querySelector("[data-ms-filters]");
    this.period = root.querySelector("[data-ms-period]");
    this.forecastLabels = labels(this.form.elements.forecast);
    this.quarterLabels = labels(this.form.elements.quarter);
    this.collator = W.intl("Collator", { numeric: true, sensitivity: "base" });
    var self = this;
    all("[data-ms-sort]", this.table).forEach(function (button) {
      button.addEventListener("click", function () { self.sort(button); });
    });
    this.form.addEventListener("change", function () { self.filter(); });
    this.form.addEventListener("reset", function () { setTimeout(function () { self.filter(); }, 0); });
    this.form.addEventListener("submit", function (event) { event.preventDefault(); });
    this.period.addEventListener("change", function () { self.summarise(); });
    window.addEventListener("beforeprint", function () { self.flush(); });
  }

  /* Once the first rows are painted: every row's filters, the totals and the chart, then the rows a chunk a frame. */
  Deals.prototype.start = function () {
    var self = this;
    requestAnimationFrame(function () {
      setTimeout(function () {
        self.filter();
        self.drip();
      }, 0);
    });
  };

  Deals.prototype.rest = function () {
    if (!this.later) return;
    var holder = document.createElement("template");
    holder.innerHTML = this.later.textContent;
    this.later = null;
    this.pending = Array.prototype.slice.call(holder.content.children);
    this.rows = this.rows.concat(this.pending);
  };

  Deals.prototype.flush = function () {
    this.rest();
    this.add(this.pending.length);
  };

  Deals.prototype.add = function (count) {
    var fragment = document.createDocumentFragment();
    this.pending.splice(0, count).forEach(function (row) { fragment.appendChild(row); });
    this.body.appendChild(fragment);
  };

  Deals.prototype.drip = function () {
    var self = this;
    this.add(CHUNK);
    if (this.pending.length) requestAnimationFrame(function () { self.drip(); });
    else if (!this.done) { this.done = true; performance.mark("mapsite:rows"); }  /* bench/team_unlock.py --split */
  };

  Deals.prototype.sort = function (button) {
    var head = button.parentNode, column = +button.getAttribute("data-ms-sort");
    var type = button.getAttribute("data-ms-type"), numeric = type !== "text", amounts = type === "money";
    var direction = head.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending", sign = direction === "ascending" ? 1 : -1;
    all("th", this.table.tHead).forEach(function (th) { th.setAttribute("aria-sort", "none"); });
    head.setAttribute("aria-sort", direction);
    this.flush();
    var collator = this.collator;
    var keyed = this.rows.map(function (row) {
      var v = row.cells[column].getAttribute("data-v");
      return { row: row, v: v === "" ? null : numeric ? +v : v, group: amounts ? row.getAttribute("data-currency") : "" };
    });
    keyed.sort(function (a, b) {  /* stable; an empty cell sorts last either way; amounts by currency first */
      if (a.v === null || b.v === null) return (a.v === null) - (b.v === null);
      var c = a.group < b.group ? -1 : a.group > b.group ? 1 : 0;
      if (!c) c = numeric ? a.v - b.v : collator.compare(a.v, b.v);
      return sign * c;
    });
    var body = this.body, fragment = document.createDocumentFragment();
    this.rows = keyed.map(function (k) { fragment.appendChild(k.row); return k.row; });
    body.appendChild(fragment);
  };

  Deals.prototype.filter = function () {
    this.rest();
    var f = this.form.elements, want = { owner: f.owner.value, health: f.health.value, forecast: f.forecast.value,
                                         quarter: f.quarter.value };
    var shown = 0;
    this.rows.forEach(function (row) {
      var hide = Object.keys(want).some(function (key) { return want[key] && row.getAttribute("data-" + key) !== want[key]; });
      row.hidden = hide;
      if (!hide) shown += 1;
    });
    this.root.querySelector("[data-ms-shown]").textContent =
      W.fill(W.tn("%(shown)s of %(num)s deal shown", "%(shown)s of %(num)s deals shown", this.rows.length), { shown: number(shown) });
    this.summarise();
  };

  Deals.prototype.visible = function () {
    this.rest();
    return this.rows.filter(function (row) { return !row.hidden; });
  };

  /* Deals and amounts per group, amounts per currency: different currencies are never added together. */
  function totals(rows, groupOf) {
    var groups = {};
    rows.forEach(function (row) {
      var key = groupOf(row), group = groups[key] || (groups[key] = { count: 0, amounts: {} });
      group.count += 1;
      var amount = row.getAttribute("data-amount");
      if (amount !== "") {
        var currency = row.getAttribute("data-currency");
        group.amounts[currency] = Math.round(((group.amounts[currency] || 0) + +amount) * 100) / 100;
      }
    });
    return groups;
  }
  function amountsCell(amounts, compact) {
    var cell = el("td", "ms-tp-num");
    Object.keys(amounts).sort().forEach(function (currency) { cell.appendChild(el("div", "", money(amounts[currency], currency, compact))); });
    if (!cell.firstChild) cell.textContent = "—";
    return cell;
  }
  function fillTotals(body, keys, groups, labelOf) {
    body.textContent = "";
    keys.forEach(function (key) {
      var group = groups[key];
      if (!group) return;
      var tr = el("tr");
      tr.setAttribute("data-key", key);
      tr.appendChild(el("th", "", labelOf(key))).setAttribute("scope", "row");
      tr.appendChild(el("td", "ms-tp-num", number(group.count)));
      tr.appendChild(amountsCell(group.amounts));
      body.appendChild(tr);
    });
  }
  function monthOf(row) { var close = row.getAttribute("data-close"); return close ? close.slice(0, 7) : "none"; }

  Deals.prototype.summarise = function () {
    var rows = this.visible(), self = this;
    var byForecast = totals(rows, function (row) { return row.getAttribute("data-forecast"); });
    fillTotals(this.root.querySelector('[data-ms-totals="forecast"]'), FORECASTS, byForecast,
               function (key) { return self.forecastLabels[key]; });
    var quarterly = this.period.value === "quarter";
    var byClose = totals(rows, quarterly ? function (row) { return row.getAttribute("data-quarter"); } : monthOf);
    var keys = Object.keys(byClose).filter(function (k) { return k !== "none"; }).sort().concat(["none"]);
    fillTotals(this.root.querySelector('[data-ms-totals="close"]'), keys, byClose, function (key) {
      if (key === "none") return self.quarterLabels.none;
      return quarterly ? self.quarterLabels[key] : W.month(key + "-01");
    });
    chart(this.root.querySelector("[data-ms-chart]"), totals(rows, monthOf));
  };

  /* Bars by close month: deals, and value in the currency most deals are in (the totals show every currency). */
  function chart(holder, groups) {
    holder.textContent = "";
    var months = Object.keys(groups).filter(function (k) { return k !== "none"; }).sort();
    if (!months.length) return;
    var span = [], year = +months[0].slice(0, 4), month = +months[0].slice(5, 7);
    while (span.length < 120) {
      var key = year + "-" + ("0" + month).slice(-2);
      span.push(key);
      if (key === months[months.length - 1]) break;
      month = month % 12 + 1;
      if (month === 1) year += 1;
    }
    var dealsIn = {};
    months.forEach(function (m) { Object.keys(groups[m].amounts).forEach(function (c) { dealsIn[c] = (dealsIn[c] || 0) + 1; }); });
    var currency = Object.keys(dealsIn).sort(function (a, b) { return dealsIn[b] - dealsIn[a] || (a < b ? -1 : 1); })[0];
    var maxCount = Math.max.apply(null, span.map(function (m) { return groups[m] ? groups[m].count : 0; }));
    var maxValue = Math.max.apply(null, span.map(function (m) { return groups[m] && currency ? groups[m].amounts[currency] || 0 : 0; }));
    var step = 48, height = 120, top = 16, width = span.length * step + 8;
    var svg = node("svg", { viewBox: "0 0 " + width + " " + (height + top + 40), role: "img", "class": "ms-tp-svg",
                            "aria-label": holder.parentNode.querySelector("figcaption").textContent });
    svg.style.maxWidth = Math.max(width, 240) * 1.2 + "px";
    span.forEach(function (m, i) {
      var group = groups[m] || { count: 0, amounts: {} }, x = 4 + i * step, value = currency ? group.amounts[currency] || 0 : 0;
      var g = node("g", {});
      g.appendChild(node("title", {})).textContent = W.month(m + "-01") + ": " + W.tn("%(num)s deal", "%(num)s deals", group.count) +
        Object.keys(group.amounts).sort().map(function (c) { return ", " + money(group.amounts[c], c); }).join("");
      var h = maxCount ? Math.round(height * group.count / maxCount) : 0;
      g.appendChild(node("rect", { x: x + 6, y: top + height - h, width: 16, height: h, "class": "ms-tp-bar-deals" }));
      if (group.count) g.appendChild(node("text", { x: x + 14, y: top + height - h - 3, "class": "ms-tp-bar-label" })).textContent = number(group.count);
      var v = maxValue ? Math.round(height * value / maxValue) : 0;
      g.appendChild(node("rect", { x: x + 24, y: top + height - v, width: 16, height: v, "class": "ms-tp-bar-value" }));
      g.appendChild(node("text", { x: x + 23, y: top + height + 12, "class": "ms-tp-axis" })).textContent = W.month(m + "-01");
      svg.appendChild(g);
    });
    var legend = node("g", { "class": "ms-tp-legend" });
    legend.appendChild(node("rect", { x: 4, y: top + height + 24, width: 10, height: 10, "class": "ms-tp-bar-deals" }));
    legend.appendChild(node("text", { x: 18, y: top + height + 33 })).textContent = W.t("Deals");
    if (currency) {
      legend.appendChild(node("rect", { x: 90, y: top + height + 24, width: 10, height: 10, "class": "ms-tp-bar-value" }));
      legend.appendChild(node("text", { x: 104, y: top + height + 33 })).textContent = W.fill(W.t("Value in %(currency)s"), { currency: currency });
    }
    svg.appendChild(legend);
    holder.appendChild(svg);
  }
  function node(tag, attributes) {
    var made = document.createElementNS(SVG, tag);
    Object.keys(attributes).forEach(function (name) { made.setAttribute(name, attributes[name]); });
    return made;
  }

  /* --- CSV: the rows shown, in the order shown; cells as `mapsite list --csv` makes them (listing.csv_row) --- */

  var QUOTE = /[",\r\n]/;  /* what Python's csv module quotes with lineterminator="\r\n" */
  function csvCell(value) {
    if (value === null || value === undefined) return "";
    var text = String(value);
    return QUOTE.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }
  function download(deals, today) {
    var csv = data("ms-team-csv"), lines = [csv.header.map(csvCell).join(",")];
    deals.visible().forEach(function (row) { lines.push(csv.rows[+row.getAttribute("data-i")].map(csvCell).join(",")); });
    mapsitePage.save(new Blob([lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" }),
                     W.t("pipeline") + "-" + today + ".csv");
  }

  /* --- The actions view: every open item, late first, filtered by owner and side, PAGE rows at a time ------ */

  function Actions(root) {
    this.root = root;
    this.body = root.querySelector("[data-ms-actions]");
    this.form = root.querySelector("[data-ms-action-filters]");
    this.more = root.querySelector("[data-ms-more]");
    this.data = null;
  }

  /* The actions' data, sealed under the team's key alone in a lock page beside this one (mkdocs/team.py): opened
   * with the team's key that keys.js kept when this page was unlocked, as unlock.js opens a view (mapsiteKeys.open). */
  function sealedActions(root) {
    return fetch(root.getAttribute("data-ms-actions-file"), { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.text();
    }).then(function (shell) {
      var payload = JSON.parse(new DOMParser().parseFromString(shell, "text/html").getElementById("mapsite-payload").textContent);
      var view = payload.views[0], lock = view.locks.filter(function (l) { return l.for === "team"; })[0];
      return mapsiteKeys.get(":team", lock.salt).then(function (teamKey) {
        if (!teamKey) throw new Error("the team's key is not kept in this browser");
        return mapsiteKeys.open(view, lock, teamKey, root.getAttribute("data-ms-actions-at"));
      });
    }).then(function (plain) { return JSON.parse(new TextDecoder().decode(plain)); });
  }

  Actions.prototype.open = function () {
    if (this.loading) return;
    var self = this, problem = this.root.querySelector("[data-ms-actions-problem]");
    problem.hidden = true;
    this.body.setAttribute("aria-busy", "true");
    this.loading = sealedActions(this.root).then(function (data) { self.start(data); }, function () {
      problem.hidden = false;
      self.loading = null;  /* opening the view again tries again */
    }).then(function () { self.body.removeAttribute("aria-busy"); });
  };

  Actions.prototype.start = function (data) {
    var self = this;
    this.data = data;
    this.people = this.data.people.map(function (p) { return { label: p[0], side: p[1], key: p[0].toLocaleLowerCase(W.lang()) }; });
    var list = this.root.querySelector("#ms-tp-people"), seen = {};
    this.people.map(function (p) { return p.label; }).sort().forEach(function (label) {
      if (seen[label]) return;
      seen[label] = true;
      list.appendChild(el("option")).value = label;
    });
    this.words = { milestone: W.t("Milestone"), step: W.t("Step"), buyer: W.t("buyer"), seller: W.t("seller"),
                   not_started: W.t("Not started"), in_progress: W.t("In progress"), blocked: W.t("Blocked") };
    this.form.addEventListener("input", function () { self.filter(); });
    this.form.addEventListener("change", function () { self.filter(); });
    this.form.addEventListener("reset", function () { setTimeout(function () { self.filter(); }, 0); });
    this.form.addEventListener("submit", function (event) { event.preventDefault(); });
    this.more.addEventListener("click", function () { self.show(self.shown + PAGE); });
    this.filter();
  };

  Actions.prototype.filter = function () {
    var owner = this.form.elements.owner.value.trim().toLocaleLowerCase(W.lang()), side = this.form.elements.side.value;
    var people = this.people;
    function person(index) { var p = people[index]; return (!owner || p.key.indexOf(owner) >= 0) && (!side || p.side === side); }
    this.items = owner || side ? this.data.items.filter(function (item) { return item[4].some(person); }) : this.data.items;
    this.root.querySelector("[data-ms-action-count]").textContent = W.tn("%(num)s open item", "%(num)s open items", this.items.length);
    this.body.textContent = "";
    this.shown = 0;
    this.show(PAGE);
  };

  Actions.prototype.show = function (upTo) {
    var fragment = document.createDocumentFragment(), end = Math.min(upTo, this.items.length);
    for (var i = this.shown; i < end; i += 1) fragment.appendChild(this.row(this.items[i]));
    if (!this.items.length) {
      var none = el("tr"), cell = none.appendChild(el("td", "ms-muted", W.t("No open item matches these filters.")));
      cell.colSpan = 6;
      fragment.appendChild(none);
    }
    this.body.appendChild(fragment);
    this.shown = end;
    var left = this.items.length - end;
    this.more.hidden = left <= 0;
    this.more.textContent = W.tn("Show %(num)s more", "Show %(num)s more", Math.min(PAGE, left));
  };

  /* item: [deal, kind, title, milestone, [people], due, status, days late], as site/team.py's actions_json */
  Actions.prototype.row = function (item) {
    var deal = this.data.deals[item[0]], words = this.words, tr = el("tr", item[7] ? "ms-overdue" : "");
    tr.setAttribute("data-side", item[4].map(function (p) { return this.people[p].side; }, this).join(" "));
    var due = tr.appendChild(el("td"));
    if (item[5]) { var time = due.appendChild(el("time", "", W.date(item[5]))); time.setAttribute("datetime", item[5]); } else due.textContent = "—";
    tr.appendChild(el("td", "ms-tp-late", item[7] ? W.tn("%(num)s day late", "%(num)s days late", item[7]) : ""));
    var what = tr.appendChild(el("td")), milestone = this.data.milestones[item[3]];
    what.appendChild(el("span", "ms-tp-kind", words[item[1]]));
    what.appendChild(document.createTextNode(" "));
    what.appendChild(el("span", "", item[2])).dir = "auto";
    if (item[1] === "step") what.appendChild(el("span", "ms-tp-sub", milestone[0] + ". " + milestone[1]));
    var where = tr.appendChild(el("td")), link = where.appendChild(el("a", "", deal[1]));
    link.href = deal[3];
    link.dir = "auto";  /* a buyer's name in Arabic or Hebrew keeps its own direction */
    where.appendChild(el("span", "ms-tp-sub", deal[2])).dir = "auto";
    var owners = tr.appendChild(el("td"));
    if (!item[4].length) owners.appendChild(el("span", "ms-person ms-person--unknown", W.t("unassigned")));
    item[4].forEach(function (index, n) {
      var p = this.people[index], tag = owners.appendChild(el("span", "ms-person ms-side-" + p.side, p.label));
      tag.appendChild(el("span", "ms-side-tag", words[p.side]));
      if (n < item[4].length - 1) owners.appendChild(document.createTextNode(", "));
    }, this);
    tr.appendChild(el("td")).appendChild(el("span", "ms-status ms-status--" + item[6], words[item[6]]));
    return tr;
  };

  /* --- Tabs ---------------------------------------------------------------------------------------------- */

  function setupTabs(root, actions) {
    var tabs = all('[role="tab"]', root);
    function select(tab) {
      tabs.forEach(function (t) {
        var on = t === tab;
        t.setAttribute("aria-selected", String(on));
        t.tabIndex = on ? 0 : -1;
        document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
      });
      if (tab.getAttribute("data-ms-tab") === "actions") actions.open();
    }
    tabs.forEach(function (tab, i) {
      tab.addEventListener("click", function () { select(tab); });
      tab.addEventListener("keydown", function (event) {
        var step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
        if (!step) return;
        var next = tabs[(i + step + tabs.length) % tabs.length];
        select(next);
        next.focus();
      });
    });
  }

  mapsitePage.ready("[data-ms-team]", function (root) {
    performance.mark("mapsite:team");  /* bench/team_unlock.py --split reads these marks */
    var deals = new Deals(root), actions = new Actions(root);
    root.setAttribute("data-ms-ready", "");  /* the table is built: what the bench and the tests wait for */
    performance.mark("mapsite:table");  /* before deals.start, so the bench's frame mark comes before the rest's work */
    deals.start();
    setupTabs(root, actions);
    all("[data-ms-csv]", root).forEach(function (button) {
      button.addEventListener("click", function () { download(deals, root.getAttribute("data-ms-today")); });
    });
    all("[data-ms-team-lock]", root).forEach(function (button) {  /* forget the team's key here and on this device */
      button.addEventListener("click", function () {
        function reload() { location.reload(); }
        mapsiteKeys.forget(":team").then(reload, reload);
      });
    });
  });
})();
