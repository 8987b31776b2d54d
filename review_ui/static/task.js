// Task page: a clerk clears a form with the keyboard only. Enter confirms a field and moves on;
// only Ctrl+Enter approves, once every doubtful field is confirmed and the summary of what
// changed (reading → value) is on the screen.
(function () {
  const fields = Array.from(document.querySelectorAll(".field"));
  const statusLine = document.getElementById("status");
  const form = document.getElementById("approve-form");
  const summary = document.getElementById("summary");
  let zoom = 1;
  let leaving = false;

  function inputOf(field) {
    return field.querySelector("input[type=radio]:checked") ||
      field.querySelector("input[type=text], input[type=checkbox], input[type=radio], select:not(.era)");
  }
  function pending() { return fields.filter((f) => f.classList.contains("needs") && !f.classList.contains("confirmed")); }
  function show(field) {
    fields.forEach((f) => f.classList.remove("focus"));
    document.querySelectorAll("rect.current").forEach((r) => r.classList.remove("current"));
    field.classList.add("focus");
    lastField = field;
    showBlock(field);
    const box = document.getElementById("box-" + field.dataset.field);
    if (box) { box.classList.add("current"); box.scrollIntoView({ block: "center", inline: "nearest" }); }
  }
  // The block Alt+B confirms is tinted, and its button says how many fields it would take.
  function showBlock(field) {
    const button = document.getElementById("confirm-block");
    fields.forEach((f) => f.classList.toggle("inblock", f.dataset.block === field.dataset.block));
    if (!button) { return; }
    const count = pending().filter((f) => f.dataset.block === field.dataset.block).length;
    button.textContent = `この欄をまとめて確認（${count} 項目）(Alt+B)`;
    button.disabled = count === 0;
  }
  function focusField(field) {
    const input = inputOf(field);
    if (input) { input.focus(); if (input.select) { input.select(); } }
    show(field);
  }
  function noteOf(field) {
    return field.querySelector(".check") || field.appendChild(Object.assign(document.createElement("div"), { className: "check finding" }));
  }
  async function check(field) {
    // The server's validators (those of extraction), on the spot: a wrong value is said at once.
    const input = field.querySelector("input[type=text]");
    const note = noteOf(field);
    if (!input || (input.dataset.name && !input.name)) { note.textContent = ""; return true; }
    const era = field.querySelector("select.era");
    const body = new URLSearchParams({ field: field.dataset.field, value: input.value, csrf: document.body.dataset.csrf });
    if (era) { body.set("era", era.value); }
    const response = await fetch(`/tasks/${document.body.dataset.task}/check`, { method: "POST", body });
    const data = await response.json();
    note.textContent = data.message || "";
    const iso = field.querySelector(".iso");
    if (iso) { iso.textContent = data.ok ? (data.iso || "") : ""; }
    return Boolean(data.ok);
  }
  // What a field's box holds now, as the clerk reads it (compared with data-original).
  function currentText(field) {
    const type = field.dataset.type;
    if (type === "checkbox") { return field.querySelector("input[type=checkbox]").checked ? "✓" : ""; }
    if (type === "choice") { const on = field.querySelector("input[type=radio]:checked"); return on ? (on.dataset.label || "") : ""; }
    if (type === "checkbox_group") {
      return Array.from(field.querySelectorAll("input[type=checkbox]:checked")).map((c) => c.dataset.label).join("、");
    }
    const input = field.querySelector("input[type=text]");
    if (!input) { return field.dataset.original; }
    if (input.dataset.name) { return input.value ? "********" + input.value.replace(/\D/g, "").slice(-4) : field.dataset.original; }
    const era = field.querySelector("select.era");
    return (era && input.value.trim() && /^\d/.test(input.value.trim()) ? era.selectedOptions[0].textContent : "") + input.value.trim();
  }
  function renderSummary() {
    const table = document.getElementById("summary-table");
    table.querySelectorAll("tr.change").forEach((r) => r.remove());
    let changes = 0;
    fields.forEach((field) => {
      const now = currentText(field);
      if (now === (field.dataset.original || "")) { return; }
      changes += 1;
      const row = table.insertRow();
      row.className = "change";
      row.dataset.field = field.dataset.field;
      const label = field.querySelector(".label").textContent.trim();
      [label, field.dataset.original || "（空欄）", "→", now || "（空欄）"].forEach((text) => { row.insertCell().textContent = text; });
    });
    document.getElementById("summary-none").hidden = changes > 0;
    table.hidden = changes === 0;
  }
  function updateStatus() {
    if (!form) { return; }
    const left = pending().length;
    summary.hidden = left > 0;
    renderSummary();
    statusLine.textContent = left ? `要確認 残り ${left} 項目` : "すべて確認しました。変更内容を確かめて Ctrl+Enter で承認します。";
  }

  // Confirmations are the server's: only the claim's holder confirms, each field audited (the
  // trial of a new form counts them). Returns the server's answer, or null when refused.
  async function confirmOnServer(list, scope) {
    const body = new URLSearchParams({ scope, csrf: document.body.dataset.csrf });
    list.forEach((f) => body.append("field", f.dataset.field));
    const response = await fetch(`/tasks/${document.body.dataset.task}/confirm`, { method: "POST", body });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      statusLine.textContent = (data.error && data.error.message) || "確認を保存できませんでした";
      return null;
    }
    return data;
  }
  let lastField = null;  // the field in view when a button takes the focus
  // Confirm at once the fields still to confirm of the block in view ("block") or of the page
  // ("all") whose value is left as read; the server leaves those with a finding, a value that
  // fails its checks or a 個人番号 this user may not see, and the screen says so on each.
  async function confirmMany(scope) {
    const around = fields.find((f) => f.contains(document.activeElement)) || lastField || pending()[0];
    if (!around) { return; }
    const wanted = pending().filter((f) => scope === "all" || f.dataset.block === around.dataset.block);
    if (!wanted.length) { statusLine.textContent = "まとめて確認する項目はありません"; return; }
    const changed = wanted.filter((f) => currentText(f) !== (f.dataset.original || ""));
    const asRead = wanted.filter((f) => !changed.includes(f));
    changed.forEach((f) => { noteOf(f).textContent = "値を変更した項目は Enter で1件ずつ確認してください"; f.classList.add("left"); });
    const data = asRead.length ? await confirmOnServer(asRead, scope) : { confirmed: [], left: [] };
    if (!data) { return; }
    data.confirmed.forEach((name) => {
      const f = fields.find((x) => x.dataset.field === name);
      if (f) { f.classList.add("confirmed"); f.classList.remove("left"); }
    });
    data.left.forEach((item) => {
      const f = fields.find((x) => x.dataset.field === item.field);
      if (f) { noteOf(f).textContent = item.message; f.classList.add("left"); }
    });
    updateStatus();
    showBlock(around);
    const leftCount = changed.length + data.left.length;
    const said = `${data.confirmed.length} 項目をまとめて確認しました。` +
      (leftCount ? `${leftCount} 項目は1件ずつ確認してください（指摘あり・値の誤り・変更あり・個人番号）。` : "");
    statusLine.textContent = said + " " + statusLine.textContent;
    const next = pending()[0];
    if (next) { focusField(next); } else if (summary) { summary.focus(); }
  }
  document.querySelectorAll("#confirm-block, #confirm-all").forEach((button) => {
    button.addEventListener("click", () => confirmMany(button.id === "confirm-block" ? "block" : "all"));
  });

  let hint = null;
  fields.forEach((field) => {
    field.querySelectorAll("input, select").forEach((input) => {
      input.addEventListener("focus", () => show(field));
      input.addEventListener("change", updateStatus);
      input.addEventListener("input", () => {
        if (input.dataset.name) { input.name = input.dataset.name; }  // a masked 個人番号 is sent only when retyped
        updateStatus();
        // A live hint while typing: the same server check, without confirming the field.
        clearTimeout(hint);
        if (input.type === "text") { hint = setTimeout(() => check(field), 400); }
      });
    });
  });
  // A digit chooses the n-th printed option of a choice (0: blank) or ticks/unticks the n-th box
  // of a group.
  function pick(field, key) {
    const n = Number(key);
    if (field.dataset.type === "choice") {
      const radios = field.querySelectorAll("input[type=radio]");
      if (n < radios.length) { radios[n].checked = true; radios[n].focus(); }
    } else {
      const boxes = field.querySelectorAll("input[type=checkbox]");
      if (n >= 1 && n <= boxes.length) { boxes[n - 1].checked = !boxes[n - 1].checked; }
    }
    updateStatus();
  }

  const chooser = document.getElementById("form-choice");
  document.addEventListener("keydown", (event) => {
    const current = fields.find((f) => f.contains(document.activeElement));
    // In the list of reasons (Alt+R) or of forms, Enter sends that choice: Alt+R, Enter rejects.
    if (event.key === "Enter" && !event.ctrlKey && !event.metaKey && event.target.tagName === "SELECT" &&
        (event.target.id === "reject-reason" || event.target === chooser)) {
      event.preventDefault();
      leaving = true;
      event.target.form.requestSubmit();
      return;
    }
    if (event.target === chooser && /^[1-9]$/.test(event.key) && !event.altKey && !event.ctrlKey) {
      event.preventDefault();
      const option = chooser.options[Number(event.key) - 1];
      if (option) { option.selected = true; }
      return;
    }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (!form) { return; }  // a page without a form is never approved: its form is chosen
      const left = pending();
      if (left.length) { focusField(left[0]); updateStatus(); return; }
      leaving = true;
      form.submit();
      return;
    }
    // A plain Enter never approves: not in a box (the form's implicit submission), not on the
    // approve button.
    if (event.key === "Enter" && form && form.contains(event.target)) { event.preventDefault(); }
    if (event.key === "Enter" && current && !event.shiftKey) {
      check(current).then(async (ok) => {
        if (!ok) { return; }  // an invalid value keeps the focus until it is fixed
        const done = await confirmOnServer([current], "one");
        if (!done) { return; }
        current.classList.add("confirmed");
        const next = pending()[0];
        updateStatus();
        if (next) { focusField(next); } else { summary.focus(); }
      });
      return;
    }
    // Alt+B: every field of the block in view left as read, at once; Alt+A: every field left.
    if (event.altKey && !event.ctrlKey && (event.code === "KeyB" || event.code === "KeyA") && form) {
      event.preventDefault();
      confirmMany(event.code === "KeyB" ? "block" : "all");
      return;
    }
    if (current && /^[0-9]$/.test(event.key) && !event.altKey && !event.ctrlKey && !event.metaKey &&
        (current.dataset.type === "choice" || current.dataset.type === "checkbox_group")) {
      event.preventDefault();
      pick(current, event.key);
      return;
    }
    if (event.key === "Escape") { leave(); return; }
    if (event.altKey && (event.key === "r" || event.key === "R")) { event.preventDefault(); document.getElementById("reject-reason").focus(); return; }
    if (event.altKey && (event.key === "+" || event.key === "=" || event.key === "-")) {
      event.preventDefault();
      zoom = Math.min(3, Math.max(0.5, zoom + (event.key === "-" ? -0.25 : 0.25)));
      document.getElementById("sheet").style.width = (zoom * 100) + "%";  // image and boxes scale together
    }
  });

  document.querySelectorAll("button.reveal").forEach((button) => {
    button.addEventListener("click", async () => {
      const body = new URLSearchParams({ field: button.dataset.field, csrf: document.body.dataset.csrf });
      const response = await fetch(`/tasks/${document.body.dataset.task}/reveal`, { method: "POST", body });
      const data = await response.json();
      const input = document.getElementById("in-" + button.dataset.field);
      if (response.ok && input) { input.placeholder = data.value || ""; } else if (response.ok) { button.textContent = data.value || ""; } else if (data.error) { statusLine.textContent = data.error.message; }
    });
  });

  // The claim lets go when the clerk leaves: Esc posts the release form; closing the tab or
  // following a link sends the same release as a beacon. Approving, rejecting or sending back
  // let it go on the server, and the claim's nonce keeps a reload's old page from freeing the new.
  function leave() { leaving = true; document.getElementById("release-form").submit(); }
  document.querySelectorAll("form").forEach((f) => f.addEventListener("submit", () => { leaving = true; }));
  window.addEventListener("pagehide", () => {
    if (leaving || !document.body.dataset.claim) { return; }
    const body = new URLSearchParams({ csrf: document.body.dataset.csrf, claim: document.body.dataset.claim });
    navigator.sendBeacon(`/tasks/${document.body.dataset.task}/release`, body);
  });

  // Review time counts only while the page is in front of the clerk (Page Visibility API):
  // the visible milliseconds go to the server as a beacon when the page is hidden or left.
  let shownSince = document.visibilityState === "visible" ? performance.now() : null;
  function sendSeen() {
    if (shownSince === null) { return; }
    const ms = Math.round(performance.now() - shownSince);
    shownSince = null;
    if (ms < 1) { return; }
    const body = new URLSearchParams({ csrf: document.body.dataset.csrf, ms: String(ms) });
    navigator.sendBeacon(`/tasks/${document.body.dataset.task}/seen`, body);
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") { sendSeen(); } else if (shownSince === null) { shownSince = performance.now(); }
  });
  window.addEventListener("pagehide", sendSeen);

  updateStatus();
  if (chooser) {
    chooser.focus();
  } else {
    const first = pending()[0] || summary || fields[0];
    if (first === summary) { summary.focus(); } else if (first) { focusField(first); }
  }
})();
