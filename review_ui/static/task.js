// Task page: a clerk clears a form with the keyboard only.
(function () {
  const fields = Array.from(document.querySelectorAll(".field"));
  const statusLine = document.getElementById("status");
  const form = document.getElementById("approve-form");
  let zoom = 1;

  function inputOf(field) { return field.querySelector("input[type=text], input[type=checkbox], select"); }
  function pending() { return fields.filter((f) => f.classList.contains("needs") && !f.classList.contains("confirmed")); }
  function show(field) {
    fields.forEach((f) => f.classList.remove("focus"));
    document.querySelectorAll("rect.current").forEach((r) => r.classList.remove("current"));
    field.classList.add("focus");
    const box = document.getElementById("box-" + field.dataset.field);
    if (box) { box.classList.add("current"); box.scrollIntoView({ block: "center", inline: "nearest" }); }
  }
  function focusField(field) {
    const input = inputOf(field);
    if (input) { input.focus(); if (input.select) { input.select(); } }
    show(field);
  }
  async function check(field) {
    // The same validators as extraction, on the spot: a wrong correction is said at once.
    const input = field.querySelector("input[type=text], select");
    const note = field.querySelector(".check") || field.appendChild(Object.assign(document.createElement("div"), { className: "check finding" }));
    if (!input || (input.dataset.name && !input.name)) { note.textContent = ""; return true; }
    const body = new URLSearchParams({ field: field.dataset.field, value: input.value, csrf: document.body.dataset.csrf });
    const response = await fetch(`/tasks/${document.body.dataset.task}/check`, { method: "POST", body });
    const data = await response.json();
    note.textContent = data.message || "";
    return Boolean(data.ok);
  }
  function updateStatus() {
    const left = pending().length;
    statusLine.textContent = left ? `要確認 残り ${left} 項目` : "すべて確認しました。Ctrl+Enter で承認します。";
  }

  fields.forEach((field) => {
    const input = inputOf(field);
    if (!input) { return; }
    input.addEventListener("focus", () => show(field));
    input.addEventListener("input", () => {
      if (input.dataset.name) { input.name = input.dataset.name; }  // a masked 個人番号 is sent only when retyped
    });
  });

  document.addEventListener("keydown", (event) => {
    const current = fields.find((f) => f.contains(document.activeElement));
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      const left = pending();
      if (left.length) { focusField(left[0]); updateStatus(); return; }
      form.submit();
      return;
    }
    if (event.key === "Enter" && current && !event.shiftKey) {
      event.preventDefault();
      check(current).then((ok) => {
        if (!ok) { return; }  // an invalid correction keeps the focus until it is fixed
        current.classList.add("confirmed");
        const next = pending()[0];
        updateStatus();
        if (next) { focusField(next); } else { document.getElementById("approve").focus(); }
      });
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
  let leaving = false;
  function leave() { leaving = true; document.getElementById("release-form").submit(); }
  document.querySelectorAll("form").forEach((f) => f.addEventListener("submit", () => { leaving = true; }));
  window.addEventListener("pagehide", () => {
    if (leaving || !document.body.dataset.claim) { return; }
    const body = new URLSearchParams({ csrf: document.body.dataset.csrf, claim: document.body.dataset.claim });
    navigator.sendBeacon(`/tasks/${document.body.dataset.task}/release`, body);
  });

  const first = pending()[0] || fields[0];
  if (first) { focusField(first); }
  updateStatus();
})();
