/* The election form's area picker (templates/elections/form.html), an extra:
   without JavaScript every section shows and "All desa of <kecamatan>" is
   a box the server honours. Here that box ticks or unticks the kecamatan's
   desa at once and follows them (ticked when all are, mixed when some are),
   each kecamatan counts what is ticked, and only the area the chosen kind
   takes is shown: the desa for a Pilkades, else the regions (none for a
   national election). */
(function () {
  "use strict";

  var form = document.querySelector("[data-election-form]");
  if (!form) { return; }

  function boxes(group) {
    return Array.prototype.slice.call(group.querySelectorAll("input[name=villages]"));
  }

  function follow(group) {
    var all = group.querySelector("[data-group-all]");
    var children = boxes(group);
    var ticked = children.filter(function (box) { return box.checked; }).length;
    if (all) {
      all.checked = ticked > 0 && ticked === children.length;
      all.indeterminate = ticked > 0 && ticked < children.length;
    }
    var count = group.querySelector("[data-group-count]");
    if (count) { count.textContent = count.getAttribute("data-group-count").replace("{n}", ticked); }
  }

  Array.prototype.forEach.call(form.querySelectorAll("[data-group]"), function (group) {
    var all = group.querySelector("[data-group-all]");
    if (all) {
      // The desa carry the choice; the box only moves them, so it is not sent.
      all.removeAttribute("name");
      all.addEventListener("change", function () {
        boxes(group).forEach(function (box) { box.checked = all.checked; });
        follow(group);
      });
    }
    group.addEventListener("change", function (event) {
      if (event.target.name === "villages") { follow(group); }
    });
    follow(group);
  });

  var kind = form.querySelector("select[name=kind]");
  var scopeKind = form.querySelector("select[name=scope_kind]");
  var villages = form.querySelector("[data-area=villages]");
  var regions = form.querySelector("[data-area=regions]");
  var regionList = form.querySelector("[data-regions]");

  function showArea() {
    var pilkades = kind ? kind.value === "pilkades" : !regions;
    if (villages) { villages.hidden = !pilkades; }
    if (regions) { regions.hidden = pilkades; }
    if (regionList && scopeKind) { regionList.hidden = scopeKind.value === "national"; }
  }

  if (kind) { kind.addEventListener("change", showArea); }
  if (scopeKind) { scopeKind.addEventListener("change", showArea); }
  showArea();
}());
