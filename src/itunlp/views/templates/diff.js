
"use strict";
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-change]"));
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input[data-change-filter]"));
  function apply() {
    var on = boxes.filter(function (b) { return b.checked; })
      .map(function (b) { return b.getAttribute("data-change-filter"); });
    rows.forEach(function (r) {
      r.classList.toggle("hidden", on.indexOf(r.getAttribute("data-change")) < 0);
    });
  }
  boxes.forEach(function (b) { b.addEventListener("change", apply); });
  apply();
})();
