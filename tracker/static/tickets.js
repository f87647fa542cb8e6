/* Waspada ticket and visit forms: a draft kept in this browser, and duplicate
   hints fetched while filing. Everything here is an extra: the forms work
   without JavaScript. */
(function () {
  "use strict";

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  // Drafts a saved form left behind: the page after a successful submit names them.
  var me = document.currentScript;
  var store = storage();
  if (me && store && me.dataset.clearDrafts) {
    me.dataset.clearDrafts.split(" ").forEach(function (key) { store.removeItem(key); });
  }

  function draftFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrf_token" && el.type !== "hidden" &&
        el.type !== "submit" && el.type !== "button" && el.type !== "file";
    });
  }

  function save(form, key) {
    var data = {};
    draftFields(form).forEach(function (el) {
      if (el.type === "radio") { if (el.checked) { data[el.name] = el.value; } }
      else if (el.type === "checkbox") { data[el.name] = el.checked; }
      else { data[el.name] = el.value; }
    });
    try { store.setItem(key, JSON.stringify(data)); } catch (e) { /* full or private mode */ }
  }

  // Fill only what is still empty, so values the server put in the page
  // (a village chosen from "my villages", the answers of a failed submit) win.
  function restore(form, key) {
    var data;
    try { data = JSON.parse(store.getItem(key) || "null"); } catch (e) { data = null; }
    if (!data) { return; }
    draftFields(form).forEach(function (el) {
      if (!(el.name in data)) { return; }
      var value = data[el.name];
      if (el.type === "radio") { if (value === el.value) { el.checked = true; } }
      else if (el.type === "checkbox") { if (value === true) { el.checked = true; } }
      else if (!el.value && value) { el.value = value; }
    });
  }

  function keepDraft(form) {
    var key = form.dataset.draft;
    if (!store || !key) { return; }
    if (!form.hasAttribute("data-failed")) { restore(form, key); }
    var handler = function () { save(form, key); };
    form.addEventListener("input", handler);
    form.addEventListener("change", handler);
    form.addEventListener("submit", handler);
  }

  function similarHints(form) {
    var url = form.dataset.similarUrl;
    var box = document.getElementById("similar");
    var village = form.querySelector("[data-role=village]");
    var category = form.querySelector("[data-role=category]");
    if (!url || !box || !village || !category || !window.fetch) { return; }
    Array.prototype.forEach.call(form.querySelectorAll(".js-hide"), function (el) { el.hidden = true; });
    var shown = "";
    var look = function () {
      var query = "village_code=" + encodeURIComponent(village.value) +
        "&category=" + encodeURIComponent(category.value);
      if (!village.value || !category.value) { box.innerHTML = ""; shown = ""; return; }
      if (query === shown) { return; }
      shown = query;
      fetch(url + "?" + query, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) { if (shown === query) { box.innerHTML = html; } })
        .catch(function () { shown = ""; });
    };
    village.addEventListener("change", look);
    category.addEventListener("change", look);
    look();
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-draft]"), function (form) {
    keepDraft(form);
    similarHints(form);
  });
}());
