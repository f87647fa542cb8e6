/* Waspada's report forms (Tiket baru, Kunjungan baru, the comment on a ticket):
   a draft kept in this browser per user, form and village; problem blocks added
   on the phone; duplicate hints while filing; photos made smaller before they
   leave; the position when he asks; and the outbox, so that a report filed
   without a signal waits on the phone instead of being lost (outbox.js).
   Everything here is an extra: the forms work without JavaScript. */
(function () {
  "use strict";

  // field.js: the page's settings, words and outbox (every page of a logged-in user has it).
  var field = window.WaspadaField;
  if (!field) { return; }
  var outbox = field.outbox;
  var SUBMITTED = "waspada:submitted:";
  var PHOTO_MAX_SIDE = 1600;
  var PHOTO_QUALITY = 0.8;
  // A problem block's names and ids: tickets-<i>-title, problems-<i>-photos, and the block's own tickets-<i>.
  var BLOCK_NAME = /^(tickets|problems)-\d+(-|$)/;
  // Fields whose value alone does not make a draft worth keeping.
  var NOT_A_DRAFT = /^(village_code|visited_on|occurred_on|client_key|visit_id|latitude|longitude|accuracy_m|csrf_token)$|-severity$/;

  function storage(kind) {
    try { return window[kind]; } catch (e) { return null; }
  }

  var store = storage("localStorage");
  var session = storage("sessionStorage");

  var say = field.say;

  // --- drafts: {village_code: {saved_at, fields: [[name, value], ...]}} under the form's key

  function readDrafts(key) {
    var drafts;
    try { drafts = JSON.parse(store.getItem(key) || "{}"); } catch (e) { drafts = {}; }
    if (!drafts || typeof drafts !== "object") { return {}; }
    Object.keys(drafts).forEach(function (village) {
      if (!drafts[village] || !Array.isArray(drafts[village].fields)) { delete drafts[village]; }
    });
    return drafts;
  }

  function writeDrafts(key, drafts) {
    try {
      if (Object.keys(drafts).length) { store.setItem(key, JSON.stringify(drafts)); } else { store.removeItem(key); }
    } catch (e) { /* full or private mode */ }
  }

  function dropDraft(key, village) {
    var drafts = readDrafts(key);
    delete drafts[village];
    writeDrafts(key, drafts);
  }

  // Drafts a saved form left behind: the page after a successful plain submit names
  // their keys; the village is the one this tab submitted for.
  var me = document.currentScript;
  if (me && store && me.dataset.clearDrafts) {
    me.dataset.clearDrafts.split(" ").forEach(function (key) {
      var village = session && session.getItem(SUBMITTED + key);
      if (village === null || village === undefined) { store.removeItem(key); } else { dropDraft(key, village); }
      if (session) { session.removeItem(SUBMITTED + key); }
    });
  }

  function villageOf(form) {
    var village = form.elements.village_code;
    return village ? village.value : "";
  }

  /** The form's values as the browser would post them, without the token and the files. */
  function snapshot(form) {
    var pairs = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token" && typeof value === "string") { pairs.push([name, value]); }
    });
    return pairs;
  }

  function worthKeeping(pairs) {
    return pairs.some(function (pair) { return !NOT_A_DRAFT.test(pair[0]) && pair[1].trim() !== ""; });
  }

  // --- problem blocks of the visit form

  function blocks(form) { return form.querySelectorAll("fieldset.ticket-entry"); }

  function addButton(form) { return form.querySelector('button[name="add_ticket"]'); }

  function renumber(root, index) {
    var all = [root].concat(Array.prototype.slice.call(root.querySelectorAll("[name], [id], [for], [aria-describedby]")));
    all.forEach(function (el) {
      ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) { el.setAttribute(attr, value.replace(BLOCK_NAME, "$1-" + index + "$2")); }
      });
    });
  }

  /** One more problem block, blank, numbered after the last (what "Add another problem" does on the server). */
  function addBlock(form) {
    var all = blocks(form);
    var last = all[all.length - 1];
    var copy = last.cloneNode(true);
    var index = all.length;
    copy.setAttribute("data-added", "");
    Array.prototype.forEach.call(copy.querySelectorAll(".error"), function (el) { el.remove(); });
    Array.prototype.forEach.call(copy.querySelectorAll("[data-similar]"), function (el) {
      el.innerHTML = "";
      delete el.dataset.shown;
    });
    Array.prototype.forEach.call(copy.querySelectorAll("[autofocus]"), function (el) { el.removeAttribute("autofocus"); });
    Array.prototype.forEach.call(copy.querySelectorAll(".has-error"), function (el) { el.classList.remove("has-error"); });
    Array.prototype.forEach.call(copy.querySelectorAll("input, select, textarea"), function (el) {
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
      if (el.type === "radio") { el.checked = el.defaultChecked; }
      else if (el.type === "checkbox") { el.checked = el.defaultChecked = false; }
      else if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.options, function (o) { o.defaultSelected = false; });
        el.selectedIndex = 0;
      } else { el.value = el.defaultValue = ""; }
    });
    renumber(copy, index);
    var legend = copy.querySelector("legend");
    if (legend) { legend.textContent = legend.textContent.replace(/\(\d+\)/, "(" + (index + 1) + ")"); }
    last.parentNode.insertBefore(copy, last.nextSibling);
    var button = addButton(form);
    if (button && blocks(form).length >= Number(button.dataset.max || Infinity)) { button.hidden = true; }
    return copy;
  }

  function removeAddedBlocks(form) {
    Array.prototype.forEach.call(form.querySelectorAll("[data-added]"), function (el) { el.remove(); });
    var button = addButton(form);
    if (button) { button.hidden = false; }
  }

  function problemBlocks(form) {
    var button = addButton(form);
    if (!button) { return; }
    // Also the Enter key in a field: it "clicks" the form's first submit button, this one.
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var block = addBlock(form);
      var first = block.querySelector("select, input, textarea");
      if (first) { first.focus(); }
      form.dispatchEvent(new Event("change"));
    });
  }

  /** Put values back into a form, with as many problem blocks as they need. */
  function fill(form, pairs) {
    var values = {};
    var highest = -1;
    pairs.forEach(function (pair) {
      (values[pair[0]] = values[pair[0]] || []).push(pair[1]);
      var block = /^(?:tickets|problems)-(\d+)-/.exec(pair[0]);
      if (block) { highest = Math.max(highest, Number(block[1])); }
    });
    if (addButton(form)) {
      while (blocks(form).length <= highest && blocks(form).length < Number(addButton(form).dataset.max || Infinity)) {
        addBlock(form);
      }
    }
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || el.type === "file" || el.type === "submit" || el.type === "button") { return; }
      var list = values[el.name];
      if (el.type === "checkbox" || el.type === "radio") { el.checked = !!list && list.indexOf(el.value) !== -1; }
      else if (list) { el.value = list[0]; }
    });
    form.dispatchEvent(new CustomEvent("waspada:filled"));
  }

  function resetForm(form) {
    form.reset();
    removeAddedBlocks(form);
    var key = form.querySelector('input[name="client_key"]');
    if (key && outbox) { key.value = outbox.newKey(); }
    clearErrors(form);
    form.dispatchEvent(new CustomEvent("waspada:filled"));
  }

  function notice(form, message, button) {
    var old = form.querySelector(".field-notice");
    if (old) { old.remove(); }
    var p = document.createElement("p");
    p.className = "flash field-notice";
    p.setAttribute("role", "status");
    var span = document.createElement("span");
    span.textContent = message;
    p.appendChild(span);
    if (button) { p.appendChild(button); }
    form.insertBefore(p, form.firstChild);
    return p;
  }

  /**
   * Keep a draft per user (the page's key), form and village: the form opened for
   * Kebak never shows what was typed for Kemiri. Opened without a village, it
   * shows the latest draft with its village. Returns a function that forgets it.
   */
  function keepDraft(form, restoring) {
    var key = form.dataset.draft;
    if (!store || !key) { return function () {}; }
    var current = null;
    var drafts = readDrafts(key);
    var opened = villageOf(form);
    if (restoring && !form.hasAttribute("data-failed")) {
      var chosen = opened ? (drafts[opened] ? opened : null) : latest(drafts);
      if (chosen !== null) {
        fill(form, drafts[chosen].fields);
        current = chosen;
        var discard = document.createElement("button");
        discard.type = "button";
        discard.className = "btn";
        discard.textContent = field.text.discard_draft;
        var shown = notice(form, say(field.text.draft_restored, { time: field.time(drafts[chosen].saved_at) }), discard);
        discard.addEventListener("click", function () {
          dropDraft(key, current);
          current = null;
          resetForm(form);
          shown.remove();
        });
      }
    }
    var save = function () {
      var village = villageOf(form);
      var pairs = snapshot(form);
      var all = readDrafts(key);
      if (current !== null && current !== village) { delete all[current]; }
      if (worthKeeping(pairs)) { all[village] = { saved_at: Date.now(), fields: pairs }; } else { delete all[village]; }
      current = village;
      writeDrafts(key, all);
    };
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    form.addEventListener("submit", function () {
      save();
      if (session) { session.setItem(SUBMITTED + key, villageOf(form)); }
    });
    return function () {
      var village = villageOf(form);
      dropDraft(key, village);
      if (current !== null && current !== village) { dropDraft(key, current); }
      current = null;
    };
  }

  function latest(drafts) {
    var best = null;
    Object.keys(drafts).forEach(function (village) {
      if (best === null || drafts[village].saved_at > drafts[best].saved_at) { best = village; }
    });
    return best;
  }

  // --- duplicate hints

  /**
   * Open tickets like the one being written, fetched when the village or a category
   * changes: one box on the ticket form (#similar), one per problem block of the
   * visit form ([data-similar] in each block, for that block's category).
   */
  function similarHints(form) {
    var url = form.dataset.similarUrl;
    var village = form.querySelector("[data-role=village]");
    if (!url || !village || !window.fetch) { return; }
    Array.prototype.forEach.call(form.querySelectorAll(".js-hide"), function (el) { el.hidden = true; });
    var look = function (box) {
      var category = (box.closest("fieldset.ticket-entry") || form).querySelector("[data-role=category]");
      if (!category) { return; }
      var query = "village_code=" + encodeURIComponent(village.value) +
        "&category=" + encodeURIComponent(category.value);
      if (!village.value || !category.value) { box.innerHTML = ""; box.dataset.shown = ""; return; }
      if (query === box.dataset.shown || !navigator.onLine) { return; }
      box.dataset.shown = query;
      fetch(url + "?" + query, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) { if (box.dataset.shown === query) { box.innerHTML = html; } })
        .catch(function () { box.dataset.shown = ""; });
    };
    var boxes = function () { return form.querySelectorAll("#similar, [data-similar]"); };
    form.addEventListener("change", function (event) {
      var target = event.target;
      if (target === village) {
        Array.prototype.forEach.call(boxes(), look);
      } else if (target && target.matches && target.matches("[data-role=category]")) {
        var box = (target.closest("fieldset.ticket-entry") || form).querySelector("#similar, [data-similar]");
        if (box) { look(box); }
      }
    });
    Array.prototype.forEach.call(boxes(), look);
  }

  // --- location, only when he taps the button

  function locate(form) {
    var box = form.querySelector("[data-location]");
    if (!box || !navigator.geolocation) { return; }
    var input = function (name) { return box.querySelector('input[name="' + name + '"]'); };
    var status = box.querySelector("[data-location-status]");
    var clear = document.createElement("button");
    clear.type = "button";
    clear.className = "link";
    clear.textContent = field.text.remove_location;
    var show = function (message, withClear) {
      status.textContent = message;
      if (withClear) { status.appendChild(document.createTextNode(" ")); status.appendChild(clear); }
    };
    var shown = function () {
      if (input("latitude").value) {
        show(say(field.text.located, { lat: input("latitude").value, lon: input("longitude").value,
                                       accuracy: input("accuracy_m").value }), true);
      } else { show("", false); }
    };
    box.hidden = false;
    box.querySelector("[data-locate]").addEventListener("click", function () {
      show(field.text.locating, false);
      navigator.geolocation.getCurrentPosition(function (position) {
        input("latitude").value = position.coords.latitude.toFixed(6);
        input("longitude").value = position.coords.longitude.toFixed(6);
        input("accuracy_m").value = String(Math.round(position.coords.accuracy));
        shown();
        form.dispatchEvent(new Event("change"));
      }, function (error) {
        show(error.code === 1 ? field.text.location_denied : field.text.location_unavailable, false);
      }, { enableHighAccuracy: true, timeout: 30000, maximumAge: 60000 });
    });
    clear.addEventListener("click", function () {
      ["latitude", "longitude", "accuracy_m"].forEach(function (name) { input(name).value = ""; });
      shown();
      form.dispatchEvent(new Event("change"));
    });
    form.addEventListener("waspada:filled", shown);
    shown();
  }

  // --- photos: at most 1600 px on the long side, JPEG, before they are kept or sent

  function shrink(file) {
    if (!/^image\//.test(file.type) || !window.createImageBitmap) { return Promise.resolve(file); }
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, PHOTO_MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (bitmap.close) { bitmap.close(); }
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", PHOTO_QUALITY);
      });
    }).catch(function () { return file; });  // a format this browser cannot read: the server decides
  }

  function photos(form) {
    var files = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value !== "string" && value.size > 0) { files.push({ field: name, file: value }); }
    });
    return Promise.all(files.map(function (entry) {
      return shrink(entry.file).then(function (blob) {
        var name = entry.file.name || "foto";
        if (blob !== entry.file) { name = name.replace(/\.[^.]*$/, "") + ".jpg"; }
        return { field: entry.field, name: name, type: blob.type, blob: blob };
      });
    }));
  }

  // --- the outbox

  function label(form) {
    var parts = [form.dataset.outboxLabel];
    var data = new FormData(form);
    var words = String(data.get("title") || data.get("body") || data.get("met_with") || "").trim();
    if (words) { parts.push(words.length > 80 ? words.slice(0, 79) + "…" : words); }
    var village = form.elements.village_code;
    if (village && village.value) {
      var option = village.options ? village.options[village.selectedIndex] : null;
      parts.push(option ? option.text : village.value);
    }
    if (data.get("visited_on")) { parts.push(data.get("visited_on")); }
    return parts.join(" · ");
  }

  function pageUrl() {
    var url = new URL(window.location.href);
    url.searchParams.delete("outbox");
    return url.pathname + url.search;
  }

  function collect(form) {
    return photos(form).then(function (files) {
      return {
        user_id: field.user, kind: form.dataset.outbox, url: new URL(form.action).pathname,
        fields: snapshot(form).filter(function (pair) { return pair[0] !== "client_key"; }),
        files: files, client_key: form.querySelector('input[name="client_key"]').value,
        label: label(form), village_code: villageOf(form) || null, form_page: pageUrl(),
      };
    });
  }

  function clearErrors(form) {
    Array.prototype.forEach.call(form.querySelectorAll("[data-js-error]"), function (el) { el.remove(); });
    Array.prototype.forEach.call(document.querySelectorAll("[data-error-summary]"), function (el) { el.remove(); });
    Array.prototype.forEach.call(form.querySelectorAll("[data-js-invalid]"), function (el) {
      el.classList.remove("has-error");
      el.removeAttribute("data-js-invalid");
    });
  }

  /** What the summary calls a control: its label (a radio group's legend), after its problem block's legend. */
  function labelOf(form, el) {
    var group = el.type === "radio" ? el.closest("fieldset") : null;
    var label = group ? group.querySelector("legend")
      : (el.id && form.querySelector('label[for="' + el.id + '"]')) || el.closest("label");
    var words = label ? label.textContent.trim() : "";
    var block = el.closest("fieldset.ticket-entry");
    var legend = block && block !== group ? block.querySelector("legend").textContent.trim() : "";
    return [legend, words].filter(Boolean).join(" · ");
  }

  /** The error summary on top of the form, as the server's (templates/macros/forms.html), focused. */
  function summarize(form, entries) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-error-summary]"), function (el) { el.remove(); });
    var box = document.createElement("div");
    box.className = "flash flash-error error-summary";
    box.id = "error-summary";
    box.tabIndex = -1;
    box.setAttribute("role", "alert");
    box.setAttribute("data-error-summary", "");
    box.setAttribute("data-js-error", "");
    var title = document.createElement("h2");
    title.textContent = field.text.fix_following;
    box.appendChild(title);
    var list = document.createElement("ul");
    entries.forEach(function (entry) {
      var li = document.createElement("li");
      var words = entry.label ? entry.label + ": " + entry.message : entry.message;
      if (entry.id) {
        var a = document.createElement("a");
        a.href = "#" + entry.id;
        a.textContent = words;
        li.appendChild(a);
      } else {
        li.textContent = words;
      }
      list.appendChild(li);
    });
    box.appendChild(list);
    form.insertBefore(box, form.firstChild);
    box.focus();
    box.scrollIntoView({ block: "start" });
  }

  /** The server's refusal under the fields it names (as the server's own page shows it), all of it in the summary. */
  function showErrors(form, item) {
    clearErrors(form);
    var entries = [];
    Object.keys(item.errors || {}).forEach(function (name) {
      var control = form.elements[name];
      var el = control && (control.length && !control.tagName ? control[0] : control);
      var box = el && el.type !== "hidden" && el.closest(".field, fieldset");
      if (!box) {
        item.errors[name].forEach(function (line) { entries.push({ message: line }); });
        return;
      }
      var message = document.createElement("div");
      message.className = "error";
      message.setAttribute("data-js-error", "");
      if (el.id) {
        message.id = el.id + "-error";
        el.setAttribute("aria-invalid", "true");
        el.setAttribute("aria-describedby", message.id);
      }
      item.errors[name].forEach(function (line) {
        var p = document.createElement("p");
        p.textContent = line;
        message.appendChild(p);
        entries.push({ id: el.id, label: labelOf(form, el), message: line });
      });
      box.appendChild(message);
      box.classList.add("has-error");
      box.setAttribute("data-js-invalid", "");
    });
    if (!item.errors) { entries.push({ message: field.text.refused + " " + (item.message || "") }); }
    summarize(form, entries);
  }

  function sent(form, item) {
    var message = item.message || (item.result_ref ? say(field.text.sent, { ref: item.result_ref }) : field.text.sent_plain);
    field.flashNext(message, "success");
    var target = item.result_url || pageUrl();
    if (item.kind === "comment") { target += "#timeline"; }
    var here = window.location.pathname + window.location.search;
    if (target.split("#")[0] === here) {
      window.location.hash = target.split("#")[1] || "";
      window.location.reload();
    } else {
      window.location.assign(target);
    }
  }

  function waiting(form, forget) {
    forget();
    resetForm(form);
    field.flash(field.text.queued, "success", { href: field.settings.outbox, text: field.text.open_outbox });
    field.registerSync();
  }

  /**
   * Every report goes through the outbox: kept on the phone first, then sent at once
   * when there is a signal. Sent: on to what was saved. Refused: the messages on the
   * form. No signal, a timeout, a server error or an ended session: it waits.
   */
  function sendThroughOutbox(form, forget, replaces) {
    var button = form.querySelector("button[type=submit]:not([name]):not([formaction])");
    form.addEventListener("submit", function (event) {
      var by = event.submitter;
      // "Add another problem", "Check for similar", "Same problem": the server's own steps.
      if (by && (by.name || by.hasAttribute("formaction"))) { return; }
      event.preventDefault();
      if (form.dataset.busy) { return; }
      form.dataset.busy = "1";
      var caption = button ? button.textContent : "";
      if (button) { button.disabled = true; button.textContent = field.text.sending; }
      var done = function () {
        delete form.dataset.busy;
        if (button) { button.disabled = false; button.textContent = caption; }
      };
      collect(form).then(function (item) {
        if (replaces.id) { item.id = replaces.id; item.created_at = replaces.created_at; }
        return outbox.queue(item);
      }).then(function (item) {
        replaces.id = null;
        // Kept on the phone from here on: whatever happens next, it is not lost.
        return deliver(form, forget, item).then(done, done);
      }, function () {
        // The phone could not keep it (storage full or refused): post it the plain way.
        done();
        form.submit();
      });
    });
  }

  function deliver(form, forget, item) {
    if (!navigator.onLine) { return Promise.resolve(waiting(form, forget)); }
    return field.send(true, item.id).then(function () {
      return outbox.get(item.id);
    }).then(function (now) {
      if (now.state === "sent") {
        forget();
        return outbox.remove(now.id).then(function () { sent(form, now); });
      }
      if (now.state === "refused") {
        return outbox.remove(now.id).then(function () {
          // A form that does not answer in JSON: its own page of errors (nothing was saved).
          if (now.html) { form.submit(); return; }
          form.querySelector('input[name="client_key"]').value = outbox.newKey();
          showErrors(form, now);
        });
      }
      return waiting(form, forget);
    });
  }

  /** ?outbox=<id>: the form filled with a refused report, to fix it and send it again. */
  function editRefused(forms) {
    var id = Number(new URLSearchParams(window.location.search).get("outbox"));
    if (!id || !outbox) { return Promise.resolve(null); }
    return outbox.get(id).then(function (item) {
      if (!item || item.user_id !== field.user || item.state === "sent") { return null; }
      var form = forms.filter(function (f) { return new URL(f.action).pathname === item.url; })[0];
      if (!form) { return null; }
      fill(form, item.fields.concat([["client_key", outbox.newKey()]]));
      var byField = {};
      item.files.forEach(function (file) { (byField[file.field] = byField[file.field] || []).push(file); });
      Object.keys(byField).forEach(function (name) {
        var input = form.elements[name];
        if (!input || !window.DataTransfer) { return; }
        var list = new DataTransfer();
        byField[name].forEach(function (file) { list.items.add(new File([file.blob], file.name, { type: file.type })); });
        input.files = list.files;
      });
      if (item.state === "refused") { showErrors(form, item); }
      notice(form, field.text.editing);
      return { form: form, item: item };
    });
  }

  // A page served from the phone's saved copy keeps the key it was saved with: make a new one.
  // A key already in the outbox belongs to another report.
  function freshKey(form) {
    var input = form.querySelector('input[name="client_key"]');
    if (!input || !outbox) { return; }
    if (!input.value || field.isSavedCopy) { input.value = outbox.newKey(); }
    outbox.all().then(function (items) {
      if (items.some(function (item) { return item.client_key === input.value; })) { input.value = outbox.newKey(); }
    });
  }

  // A saved copy of the form shown for /tickets/new?village_code=…: the village of the address.
  function villageFromAddress(form) {
    var wanted = new URLSearchParams(window.location.search).get("village_code");
    var select = form.elements.village_code;
    if (!field.isSavedCopy || !wanted || !select || !select.options) { return; }
    Array.prototype.forEach.call(select.options, function (option) {
      option.selected = option.defaultSelected = option.value === wanted;
    });
  }

  var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-outbox], form[data-draft]"));
  var usable = outbox && window.Promise && window.FormData && window.URLSearchParams;
  (usable ? editRefused(forms) : Promise.resolve(null)).then(function (editing) {
    forms.forEach(function (form) {
      villageFromAddress(form);
      problemBlocks(form);
      var isEdited = editing && editing.form === form;
      if (!isEdited) { freshKey(form); }
      var forget = keepDraft(form, !isEdited);
      similarHints(form);
      locate(form);
      if (usable && form.dataset.outbox) {
        sendThroughOutbox(form, forget, isEdited ? { id: editing.item.id, created_at: editing.item.created_at } : {});
      }
    });
  });
}());
