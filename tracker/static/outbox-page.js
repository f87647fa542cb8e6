/* The outbox page: the reports kept on this phone, oldest first (the order they are
   sent in), each with its state; a refused one can be fixed and sent again, any
   can be deleted after a confirmation. */
(function () {
  "use strict";

  var list = document.querySelector("[data-outbox-list]");
  var node = document.getElementById("outbox-text");
  var field = window.WaspadaField;
  if (!list || !node || !field) { return; }
  var text = JSON.parse(node.textContent);
  var outbox = field.outbox;
  var summary = document.querySelector("[data-outbox-summary]");
  var sendNow = document.querySelector("[data-send-now]");
  if (!outbox) { summary.textContent = text.no_storage; return; }

  function element(tag, className, content) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (content) { el.textContent = content; }
    return el;
  }

  function action(name, label, item, kind) {
    var button = element("button", "btn" + (kind ? " " + kind : ""), label);
    button.type = "button";
    button.dataset.action = name;
    button.dataset.id = String(item.id);
    return button;
  }

  function why(item) {
    if (item.user_id !== field.user) { return text.other_user; }
    if (item.problem === "login") { return text.login; }
    if (item.problem === "network" || item.problem === "server") {
      var line = text[item.problem];
      return item.next_try_at ? line + " " + field.say(text.next_try, { time: field.time(item.next_try_at) }) : line;
    }
    return "";
  }

  function entry(item) {
    var mine = item.user_id === field.user;
    var li = element("li", "outbox-item");
    li.dataset.state = item.state;
    var head = element("p");
    head.appendChild(element("strong", "", item.label));
    head.appendChild(document.createTextNode(" "));
    head.appendChild(element("span", "state state-" + item.state, text.states[item.state]));
    li.appendChild(head);
    var facts = field.say(text.kept, { time: field.time(item.created_at) });
    if (item.files.length) { facts += " · " + field.say(text.photos, { n: item.files.length }); }
    li.appendChild(element("p", "muted", facts));
    if (item.state === "sent") {
      var result = element("p", "", item.message ? item.message + " " : "");
      if (item.result_url) {
        var link = element("a", "", item.result_ref || text.open);
        link.href = item.result_url;
        result.appendChild(link);
      }
      li.appendChild(result);
    } else if (item.state === "refused") {
      li.appendChild(element("p", "error", item.message || field.say(text.refused_status, { status: item.status })));
    } else if (why(item)) {
      li.appendChild(element("p", "hint", why(item)));
    }
    if (mine) {
      var buttons = element("p", "action-buttons");
      if (item.state === "refused") {
        var fix = element("a", "btn primary", text.fix);
        fix.href = item.form_page + (item.form_page.indexOf("?") === -1 ? "?" : "&") + "outbox=" + item.id;
        buttons.appendChild(fix);
        buttons.appendChild(action("retry", text.retry, item));
      }
      if (item.state !== "sending") { buttons.appendChild(action("delete", text.delete, item, "danger")); }
      li.appendChild(buttons);
    }
    return li;
  }

  function render() {
    return outbox.all().then(function (items) {
      var shown = items.filter(function (item) { return item.user_id === field.user || item.state !== "sent"; });
      list.textContent = "";
      shown.forEach(function (item) { list.appendChild(entry(item)); });
      var waiting = outbox.unsent(items, field.user).filter(function (item) { return item.state !== "refused"; });
      summary.textContent = shown.length ? "" : text.empty;
      sendNow.hidden = waiting.length === 0 || !navigator.onLine;
    });
  }

  list.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (!button) { return; }
    var id = Number(button.dataset.id);
    outbox.get(id).then(function (item) {
      if (!item) { return null; }
      if (button.dataset.action === "delete") {
        if (item.state !== "sent" && !window.confirm(text.confirm_delete)) { return null; }
        return outbox.remove(id);
      }
      Object.assign(item, { state: "waiting", attempts: 0, next_try_at: null, problem: null });
      return outbox.save(item).then(function () { return field.send(true); });
    });
  });
  sendNow.addEventListener("click", function () { field.send(true); });
  window.addEventListener("online", render);
  window.addEventListener("offline", render);
  outbox.onChange(render);
  render();
}());
