
"use strict";
(function () {
  function all(selector) { return Array.prototype.slice.call(document.querySelectorAll(selector)); }
  var clauses = all(".clause");
  var themeBoxes = all("input[data-theme-filter]");
  var kindBoxes = all("input[data-function-filter]");
  var hide = document.getElementById("hide-unmatched");
  var status = document.getElementById("filter-status");
  function ticked(boxes, attribute) {
    return boxes.filter(function (b) { return b.checked; })
      .map(function (b) { return b.getAttribute(attribute); });
  }
  function apply() {
    var themes = ticked(themeBoxes, "data-theme-filter");
    var kinds = ticked(kindBoxes, "data-function-filter");
    var shown = 0;
    clauses.forEach(function (c) {
      var own = (c.getAttribute("data-themes") || "").split(" ").filter(Boolean);
      var kindOk = kinds.indexOf(c.getAttribute("data-kind")) >= 0;
      var themeOk = themes.length === 0 ||
        own.some(function (t) { return themes.indexOf(t) >= 0; });
      c.classList.toggle("hidden", !kindOk || (hide.checked && !themeOk));
      c.classList.toggle("dimmed", kindOk && !themeOk && !hide.checked);
      c.classList.toggle("match", themes.length > 0 && kindOk && themeOk);
      if (kindOk && themeOk) { shown += 1; }
    });
    document.body.setAttribute("data-focus", themes.join(" "));
    status.textContent = shown + " of " + clauses.length + " clauses shown" +
      (themes.length ? " (themes: " + themes.join(", ") + ")" : "") +
      (kinds.length < kindBoxes.length ? " (only " + kinds.join(", ") + ")" : "");
  }
  themeBoxes.concat(kindBoxes, [hide]).forEach(function (b) {
    b.addEventListener("change", apply);
  });
  document.getElementById("clear-filters").addEventListener("click", function () {
    themeBoxes.forEach(function (b) { b.checked = false; });
    kindBoxes.forEach(function (b) { b.checked = true; });
    hide.checked = false;
    apply();
  });
  function themeBox(theme) {
    return document.querySelector('input[data-theme-filter="' + theme + '"]');
  }
  all("#heatmap thead th[data-theme]").forEach(function (th) {
    th.addEventListener("click", function () {
      var box = themeBox(th.getAttribute("data-theme"));
      if (box) { box.checked = !box.checked; apply(); }
    });
  });
  var panel = document.getElementById("details");
  var body = document.getElementById("details-body");
  var heading = document.getElementById("details-title");
  function add(parent, tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined) { node.textContent = text; }
    if (cls) { node.className = cls; }
    parent.appendChild(node);
    return node;
  }
  function show(c) {
    clauses.forEach(function (o) { o.classList.remove("selected"); });
    c.classList.add("selected");
    while (body.firstChild) { body.removeChild(body.firstChild); }
    var own = (c.getAttribute("data-themes") || "").split(" ").filter(Boolean);
    heading.textContent = c.getAttribute("data-clause-id") || "clause";
    add(body, "p", "function: " + (c.getAttribute("data-function") || "(prose)") +
      " \u2014 " + c.getAttribute("data-kind") +
      (c.getAttribute("data-page") ? ", page " + c.getAttribute("data-page") : ""));
    add(body, "p", "themes: " + (own.length ? own.join(", ") : "none"));
    var scores = JSON.parse(c.getAttribute("data-scores") || "{}");
    var names = Object.keys(scores).sort(function (a, b) { return scores[b] - scores[a]; });
    if (names.length) {
      add(body, "h3", "scores");
      var table = add(body, "table");
      names.forEach(function (t) {
        var tr = add(table, "tr", undefined, own.indexOf(t) >= 0 ? "on" : "");
        add(tr, "td", t);
        var meter = add(add(tr, "td"), "div", undefined, "meter");
        var fill = add(meter, "span");
        fill.style.width = Math.round(100 * scores[t]) + "%";
        var box = themeBox(t);
        var swatch = box ? box.parentNode.querySelector(".swatch") : null;
        fill.style.background = swatch ? swatch.style.background : "#888";
        add(tr, "td", scores[t].toFixed(2));
      });
    }
    var terms = JSON.parse(c.getAttribute("data-terms") || "{}");
    var source = c.getAttribute("data-terms-source");
    var keys = Object.keys(terms);
    if (keys.length) {
      add(body, "h3", source === "model" ? "terms that drove it"
                                         : "theme terms found in the clause");
      var list = add(body, "ul");
      keys.forEach(function (t) {
        add(list, "li", t + ": " + terms[t].map(function (p) {
          var bare = p[1] === null || p[1] === undefined;
          return bare ? p[0] : p[0] + " (" + Number(p[1]).toFixed(2) + ")";
        }).join(", "));
      });
    }
    panel.hidden = false;
  }
  clauses.forEach(function (c) {
    c.addEventListener("click", function () { show(c); });
    c.addEventListener("keydown", function (e) { if (e.key === "Enter") { show(c); } });
  });
  document.getElementById("details-close").addEventListener("click", function () {
    panel.hidden = true;
    clauses.forEach(function (o) { o.classList.remove("selected"); });
  });
  apply();
})();
