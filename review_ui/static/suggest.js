// Task page proposals (issue 20 item 4): a 郵便番号 typed proposes the beginning of the address
// beside it; the employer block offers the 事業所 of the master its values match. A proposal is
// shown under the field and taken only when the reviewer presses Alt+J in that field (or, for
// the address, in its 郵便番号): the page's own input event then updates the summary.
(function () {
  const body = document.body;
  const EMPLOYER = ["employer_name", "employer_phone", "employer_address", "employer_owner_name"];
  const fieldOf = (name) => document.querySelector(`.field[data-field="${name}"]`);
  const textInput = (field) => field && field.querySelector("input[type=text]");
  const isPostcode = (field) => { const unit = field.querySelector(".unit span"); return unit && unit.textContent === "〒"; };
  const offers = new Map();  // field name → { value, target }

  function showOffer(field, text, value, target) {
    let note = field.querySelector(".suggest");
    if (!value) { if (note) { note.remove(); } offers.delete(field.dataset.field); return; }
    if (!note) { note = field.appendChild(Object.assign(document.createElement("div"), { className: "suggest" })); }
    note.textContent = `${text}（Alt+J で入力）`;
    offers.set(field.dataset.field, { value, target: target || field.dataset.field });
  }
  async function ask(path, params) {
    const form = new URLSearchParams({ ...params, csrf: body.dataset.csrf });
    const response = await fetch(`/tasks/${body.dataset.task}/${path}`, { method: "POST", body: form });
    return response.ok ? response.json() : null;
  }
  // The address with its beginning replaced by the proposal: what follows the town (the house
  // number, from its first digit on) is the writer's and kept.
  function withBeginning(current, beginning) {
    if (current.startsWith(beginning)) { return current; }
    const at = current.search(/[0-9０-９]/);
    return beginning + (at >= 0 ? current.slice(at) : "");
  }

  async function postcodeTyped(field) {
    const data = await ask("postcode", { field: field.dataset.field, value: textInput(field).value });
    if (!data || !data.field) { return; }
    const address = fieldOf(data.field);
    if (!address) { return; }
    const now = textInput(address).value;
    const proposal = data.proposal && !now.startsWith(data.proposal) ? withBeginning(now, data.proposal) : null;
    showOffer(address, `郵便番号から: ${data.proposal}`, proposal);
    showOffer(field, data.proposal ? `住所の先頭: ${data.proposal}` : data.message, proposal, data.field);
  }
  async function employerTyped() {
    const params = {};
    EMPLOYER.forEach((name) => { const input = textInput(fieldOf(name)); if (input) { params[name] = input.value; } });
    if (!Object.keys(params).length) { return; }
    const data = await ask("employer", params);
    EMPLOYER.forEach((name) => {
      const field = fieldOf(name);
      const input = textInput(field);
      if (!input) { return; }
      const value = data && data.employer ? data.values[name] : null;
      const differs = value && value.replace(/\s/g, "") !== input.value.replace(/\s/g, "");
      showOffer(field, differs ? `事業所マスタ ${data.employer.code} ${data.employer.name}: ${value}` : "", differs ? value : null);
    });
  }

  let timer = null;
  document.querySelectorAll(".field").forEach((field) => {
    const input = textInput(field);
    if (!input) { return; }
    if (isPostcode(field)) {
      input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(() => postcodeTyped(field), 300); });
    } else if (EMPLOYER.includes(field.dataset.field)) {
      input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(employerTyped, 300); });
    }
  });
  document.addEventListener("keydown", (event) => {
    if (!event.altKey || event.code !== "KeyJ") { return; }
    const field = Array.from(document.querySelectorAll(".field")).find((f) => f.contains(document.activeElement));
    const offer = field && offers.get(field.dataset.field);
    if (!offer) { return; }
    event.preventDefault();
    const input = textInput(fieldOf(offer.target));
    input.value = offer.value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    showOffer(fieldOf(offer.target), "", null);
    if (offer.target !== field.dataset.field) { showOffer(field, "", null); }
  });
  if (EMPLOYER.some((name) => textInput(fieldOf(name)))) { employerTyped(); }  // the block as read
})();
