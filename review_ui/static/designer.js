// The form designer (フォーム定義): boxes drawn over the blank page, edited with the mouse and
// the keyboard, and so are the title and footer regions identification reads (a footer
// cleared for a form without one); the edited template goes back to the server on
// "新しい版として保存", which validates it. No coordinate is typed anywhere: boxes are moved,
// resized and drawn.
"use strict";
(function () {
  const tpl = JSON.parse(document.getElementById("template-data").textContent);
  const types = JSON.parse(document.getElementById("type-data").textContent);
  const layoutOf = Object.fromEntries(types.map((t) => [t.value, t.layout]));
  const svg = document.getElementById("boxes");
  const NS = "http://www.w3.org/2000/svg";
  const W = tpl.page.width, H = tpl.page.height;
  const message = document.getElementById("message");
  let selected = null; // {f, key, sub}
  let second = null;
  let picked = []; // every box picked with Shift+click (the last is "second")
  let drawing = false;
  let drawTarget = null; // null: a new field; "footer": the footer region; "option", "era": a box of drawField; "choice": a rectangle round printed options
  let drawField = null;
  let counter = 1;
  // The regions identification reads: a reference to one has f === -1 and key "title"/"footer".
  tpl.identify = tpl.identify || {};
  const REGION_NAMES = { title: "表題の領域（様式の判定）", footer: "欄外の様式番号の領域（様式の判定）" };
  const REGION_TAGS = { title: "表題（判定）", footer: "欄外（判定）" };
  const isRegion = (ref) => !!ref && ref.f === -1;
  const regionRefs = () => ["title", "footer"].filter((key) => Array.isArray(tpl.identify[key]))
    .map((key) => ({ f: -1, key, sub: null }));

  const round = (v) => Math.round(v * 10) / 10;
  const say = (text) => { message.textContent = text; };

  // 元に戻す (Ctrl+Z): every gesture that changes the template — a move, a resize, a draw, a
  // name or label typed, a type, a tick, a delete, a merge… — is one step, taken back one at a
  // time, the last first. The steps are not listed action by action (one forgotten would make
  // Ctrl+Z jump back over it, as it jumped to the last deletion): the template as the screen
  // last showed it is kept each time the screen is drawn after a change. A gesture drawn many
  // times (a drag, a name typed key by key into one input, a run of arrow keys on one box) says
  // so with its stepKey: drawn again under the same key, it stays one step.
  // やり直す (Ctrl+Y, Ctrl+Shift+Z): a step taken back, done again; a new change ends that.
  const undoButton = document.getElementById("do-undo");
  const redoButton = document.getElementById("do-redo");
  const undoStack = [];
  const redoStack = [];
  const UNDO_DEPTH = 200;
  let shownState = null; // the template (fields and identification regions) as last drawn
  let stepKey = null; // the gesture under way, when it goes on over several events
  let lastKey = null; // the key of the last step kept
  let run = 0; // bumped by a click, a focus or a key other than an arrow: a run ends there
  let serial = 0;
  const freshKey = (what) => `${what}:${++serial}`;
  const snapshot = () => JSON.stringify({ fields: tpl.fields, identify: tpl.identify });
  function checkpoint() {
    const now = snapshot();
    if (shownState === null || now === shownState) { shownState = now; return; }
    redoStack.length = 0; // a change of its own: what was taken back stays taken back
    if (!(stepKey && stepKey === lastKey && undoStack.length)) {
      undoStack.push(shownState);
      if (undoStack.length > UNDO_DEPTH) undoStack.shift();
      lastKey = stepKey;
    } else if (undoStack[undoStack.length - 1] === now) {
      // A run that came back where it began (→ then ←) is no step.
      undoStack.pop();
      lastKey = null;
    }
    shownState = now;
    undoButton.disabled = !undoStack.length;
    redoButton.disabled = !redoStack.length;
  }
  // Each event begins as a step of its own; a click or a focus ends a run of keys or nudges.
  for (const type of ["pointerdown", "keydown", "input", "change", "click"]) {
    document.addEventListener(type, () => { stepKey = null; if (type === "pointerdown") run++; }, true);
  }
  document.addEventListener("focusin", () => { run++; }, true);
  function undo() {
    checkpoint(); // a change not drawn yet is a step of its own
    if (!undoStack.length) { say("取り消せる操作がありません。"); return; }
    redoStack.push(snapshot());
    restore(undoStack.pop());
    say(undoStack.length ? "直前の操作を取り消しました（続けて押すと、その前の操作も一つずつ取り消します。「やり直す」で戻ります）。" : "直前の操作を取り消しました（「やり直す」で戻ります）。");
    render();
  }
  function redo() {
    checkpoint(); // a change made since the undo has ended the steps to do again
    if (!redoStack.length) { say("やり直せる操作がありません。"); return; }
    undoStack.push(snapshot());
    restore(redoStack.pop());
    say("取り消した操作をやり直しました。");
    render();
  }
  // The template as a step kept it; nothing selected (the step may have taken the selection's box).
  function restore(kept) {
    const state = JSON.parse(kept);
    tpl.fields = state.fields;
    tpl.identify = state.identify;
    shownState = snapshot();
    lastKey = null;
    undoButton.disabled = !undoStack.length;
    redoButton.disabled = !redoStack.length;
    selected = null; second = null; picked = [];
  }
  undoButton.addEventListener("click", undo);
  redoButton.addEventListener("click", redo);

  // Every box of the template as a reference: the field, its key and the index or option name.
  function refs() {
    const out = [];
    tpl.fields.forEach((field, f) => {
      for (const key of ["box", "year", "month", "day", "era_box"]) {
        if (Array.isArray(field[key])) out.push({ f, key, sub: null });
      }
      for (const key of ["more_lines", "segments"]) {
        (field[key] || []).forEach((_, i) => out.push({ f, key, sub: i }));
      }
      for (const key of ["options", "era_options", "prefecture_printed"]) {
        Object.keys(field[key] || {}).forEach((name) => out.push({ f, key, sub: name }));
      }
    });
    return out;
  }
  function getBox(ref) {
    if (isRegion(ref)) return tpl.identify[ref.key].slice(0, 4);
    const v = ref.sub === null ? tpl.fields[ref.f][ref.key] : tpl.fields[ref.f][ref.key][ref.sub];
    return v.slice(0, 4);
  }
  function setBox(ref, box) {
    let [x0, y0, x1, y1] = box;
    x0 = Math.max(0, Math.min(x0, W - 1)); y0 = Math.max(0, Math.min(y0, H - 1));
    x1 = Math.max(x0 + 1, Math.min(x1, W)); y1 = Math.max(y0 + 1, Math.min(y1, H));
    const b = [round(x0), round(y0), round(x1), round(y1)];
    if (isRegion(ref)) { tpl.identify[ref.key] = b; return; }
    const field = tpl.fields[ref.f];
    if (ref.sub === null) field[ref.key] = b;
    else if (ref.key === "segments") field.segments[ref.sub] = b.concat([field.segments[ref.sub][4]]);
    else field[ref.key][ref.sub] = b;
  }
  const same = (a, b) => a && b && a.f === b.f && a.key === b.key && a.sub === b.sub;

  function toPt(event) {
    const point = svg.createSVGPoint();
    point.x = event.clientX; point.y = event.clientY;
    return point.matrixTransform(svg.getScreenCTM().inverse());
  }

  function render() {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    // The regions first, under the fields' boxes: a box inside one is still clicked.
    for (const ref of regionRefs()) {
      const [x0, y0, x1, y1] = getBox(ref);
      const rect = document.createElementNS(NS, "rect");
      rect.setAttribute("x", x0); rect.setAttribute("y", y0);
      rect.setAttribute("width", x1 - x0); rect.setAttribute("height", y1 - y0);
      rect.setAttribute("class", `region ${ref.key}${same(ref, selected) ? " selected" : ""}`);
      rect.dataset.ref = JSON.stringify(ref);
      rect.dataset.region = ref.key;
      svg.appendChild(rect);
      const text = document.createElementNS(NS, "text");
      text.setAttribute("x", x0 + 0.5); text.setAttribute("y", y1 + 6.5 <= H ? y1 + 6.5 : y0 - 1);
      text.setAttribute("class", `region ${ref.key}`);
      text.textContent = REGION_TAGS[ref.key];
      svg.appendChild(text);
    }
    for (const ref of refs()) {
      const [x0, y0, x1, y1] = getBox(ref);
      const field = tpl.fields[ref.f];
      const rect = document.createElementNS(NS, "rect");
      rect.setAttribute("x", x0); rect.setAttribute("y", y0);
      rect.setAttribute("width", x1 - x0); rect.setAttribute("height", y1 - y0);
      const classes = ["box", layoutOf[field.type] || "box"];
      if (same(ref, selected)) classes.push("selected");
      else if (selected && selected.f === ref.f) classes.push("same");
      if (picked.some((r) => same(r, ref))) classes.push("second");
      rect.setAttribute("class", classes.join(" "));
      rect.dataset.ref = JSON.stringify(ref);
      rect.dataset.field = field.name;
      svg.appendChild(rect);
      if (ref.key === "segments") {
        const cells = field.segments[ref.sub][4];
        for (let c = 1; c < cells; c++) {
          const line = document.createElementNS(NS, "line");
          const x = x0 + ((x1 - x0) * c) / cells;
          line.setAttribute("x1", x); line.setAttribute("x2", x);
          line.setAttribute("y1", y0); line.setAttribute("y2", y1);
          line.setAttribute("stroke", "#a50"); line.setAttribute("stroke-width", ".3");
          line.setAttribute("pointer-events", "none");
          svg.appendChild(line);
        }
      }
      if (ref.key === "box" || ref.key === "segments" && ref.sub === 0 || ref.key === "year") {
        const text = document.createElementNS(NS, "text");
        text.setAttribute("x", x0 + 0.5); text.setAttribute("y", y0 - 0.8);
        text.textContent = field.name + (field.required ? " *" : "");
        svg.appendChild(text);
      }
    }
    if (selected) {
      const [, , x1, y1] = getBox(selected);
      const handle = document.createElementNS(NS, "rect");
      handle.setAttribute("x", x1 - 2.5); handle.setAttribute("y", y1 - 2.5);
      handle.setAttribute("width", 5); handle.setAttribute("height", 5);
      handle.setAttribute("class", "handle");
      handle.id = "resize-handle";
      svg.appendChild(handle);
    }
    panel();
  }

  const panelBox = document.getElementById("field-panel");
  const fName = document.getElementById("f-name"), fLabel = document.getElementById("f-label");
  const fType = document.getElementById("f-type"), fRequired = document.getElementById("f-required");
  const fBox = document.getElementById("f-box");
  const optionRow = document.getElementById("option-row"), fOption = document.getElementById("f-option");
  const optionLabelRow = document.getElementById("option-label-row"), fOptionLabel = document.getElementById("f-option-label");
  const list = document.getElementById("field-list");
  const digitsRow = document.getElementById("digits-row");
  const fMin = document.getElementById("f-min"), fMax = document.getElementById("f-max");
  const cellsRow = document.getElementById("cells-row"), fCells = document.getElementById("f-cells");
  const readingRow = document.getElementById("reading-row"), fReading = document.getElementById("f-reading");
  const addressRow = document.getElementById("address-row"), fAddress = document.getElementById("f-address");
  const fPostcode = document.getElementById("f-postcode");
  const DIGIT_TYPES = ["digits", "my_number"];
  const CHOICE_TYPES = ["choice", "checkbox_group"];
  const SPACED_TYPES = ["text", "katakana"];
  const ERAS = ["showa", "heisei", "reiwa"];
  const ERA_JA = { showa: "昭和", heisei: "平成", reiwa: "令和" };
  // A flag the type cannot carry (a draft's phone drafted 「氏と名の間に空白」) is hidden on the
  // panel and refused on save: dropped when the template is opened, as a retype drops it.
  const unspaced = tpl.fields.filter((field) => field.spaced && !SPACED_TYPES.includes(field.type));
  for (const field of unspaced) delete field.spaced;
  const styleRow = document.getElementById("style-row"), fStyle = document.getElementById("f-style");
  const spacedRow = document.getElementById("spaced-row"), fSpaced = document.getElementById("f-spaced");
  const eraRow = document.getElementById("era-row"), fEraKind = document.getElementById("f-era-kind");
  const eraDigitsRow = document.getElementById("era-digits-row"), eraDrawRow = document.getElementById("era-draw-row");
  const eraState = document.getElementById("era-state");
  const eraOptionRow = document.getElementById("era-option-row"), fEraOption = document.getElementById("f-era-option");
  const digitInputs = Object.fromEntries(ERAS.map((era) => [era, document.getElementById(`f-digit-${era}`)]));
  // How a date's era is written: printed (its name), marked among printed names, or a digit.
  const eraKind = (field) => (field.era_digits || field.era_box ? "digit" : field.era_options ? "marked" : field.era || "reiwa");
  const cellCount = (field) => (field.segments || []).reduce((n, s) => n + s[4], 0);
  // A run of digit cells changed (merged, split, a segment deleted): as many digits as cells at
  // most, and never fewer asked than there are cells (a 個人番号 is always 12; where a 10-digit
  // 基礎年金番号 may be written instead, 「個人番号（基礎年金番号）」, the fewest is 10).
  const MY_NUMBER_DIGITS = 12, PENSION_NUMBER_DIGITS = 10;
  function fitDigits(field) {
    if (!field || !DIGIT_TYPES.includes(field.type)) return;
    if (field.type === "my_number") {
      field.max_digits = MY_NUMBER_DIGITS;
      if (field.min_digits !== PENSION_NUMBER_DIGITS) field.min_digits = MY_NUMBER_DIGITS;
      return;
    }
    const cells = cellCount(field);
    if (!cells) return;
    field.max_digits = cells;
    field.min_digits = Math.max(1, Math.min(field.min_digits || 1, cells));
  }

  const rTitle = document.getElementById("r-title"), rFooter = document.getElementById("r-footer");
  const drawFooter = document.getElementById("draw-footer"), clearFooter = document.getElementById("clear-footer");
  const pickFooter = document.getElementById("pick-footer");
  const shown = (box) => box.map((v) => v.toFixed(1)).join(", ");
  function regionPanel() {
    rTitle.textContent = shown(tpl.identify.title);
    const footer = Array.isArray(tpl.identify.footer);
    rFooter.textContent = footer ? shown(tpl.identify.footer) : "なし（読みません）";
    pickFooter.hidden = clearFooter.hidden = !footer;
    drawFooter.hidden = footer;
  }

  // A katakana field's 「読み仮名の対象」: one of the form's text fields, or none. What the draft
  // proposed is shown selected, for the admin to confirm or change.
  function readingPanel(field) {
    readingRow.hidden = field.type !== "katakana";
    if (readingRow.hidden) return;
    const names = tpl.fields.filter((other) => other.type === "text" && other.name).map((other) => other.name);
    const current = field.reading_of || "";
    while (fReading.options.length > 1) fReading.remove(1);
    for (const name of names) {
      const label = (tpl.fields.find((other) => other.name === name) || {}).label;
      fReading.add(new Option(label ? `${name}（${label}）` : name, name));
    }
    // A target that is no text field of the form (the server refuses it) is still shown.
    if (current && !names.includes(current)) fReading.add(new Option(`${current}（文字の欄ではありません）`, current));
    fReading.value = current;
  }
  // A text field's 「住所」: an address is checked against Japan Post's places, and against the
  // 郵便番号 of the digits field chosen beside it (town spelled, mismatch found, a disputed
  // reading settled). What the draft proposed is shown, for the admin to confirm or change.
  function addressPanel(field) {
    addressRow.hidden = field.type !== "text";
    if (addressRow.hidden) return;
    fAddress.checked = !!field.address;
    const digits = tpl.fields.filter((other) => other.type === "digits" && other.name);
    const names = digits.map((other) => other.name);
    const current = field.postcode || "";
    while (fPostcode.options.length > 1) fPostcode.remove(1);
    for (const group of fPostcode.querySelectorAll("optgroup")) group.remove();
    // The postcodes first, nearest the address first; the other digits fields (個人番号, 電話,
    // 整理番号 …) after them, apart: a clerk had every digits field of the form to look through.
    const postcodes = digits.filter(isPostcode).sort((a, b) => distance(a, field) - distance(b, field));
    const rest = digits.filter((other) => !isPostcode(other));
    const option = (other) => new Option(other.label ? `${other.name}（${other.label}）` : other.name, other.name);
    for (const other of postcodes) fPostcode.add(option(other));
    if (rest.length) {
      const group = document.createElement("optgroup");
      group.label = postcodes.length ? "その他の数字の欄" : "数字の欄";
      for (const other of rest) group.append(option(other));
      fPostcode.append(group);
    }
    if (current && !names.includes(current)) fPostcode.add(new Option(`${current}（数字の欄ではありません）`, current));
    fPostcode.value = current;
    fPostcode.disabled = !field.address;
  }
  // A postcode: a digits field of 7 cells (3 and 4), or named or labelled as one.
  function isPostcode(field) {
    const cells = (field.segments || []).reduce((sum, s) => sum + (s[4] || 0), 0);
    return cells === 7 || /postcode|postal|zip/i.test(field.name) || /郵便|〒/.test(field.label || "");
  }
  function distance(a, b) {
    const boxesA = boxesOf(a), boxesB = boxesOf(b);
    if (!boxesA.length || !boxesB.length) return Infinity;
    const [p, q] = [bounds(boxesA), bounds(boxesB)];
    return Math.hypot((p[0] + p[2]) / 2 - (q[0] + q[2]) / 2, (p[1] + p[3]) / 2 - (q[1] + q[3]) / 2);
  }
  // References to a field that is gone (deleted, merged away) or no longer a text field go.
  function forget(name, type) {
    for (const other of tpl.fields) {
      if (other.reading_of === name && type !== "text") delete other.reading_of;
      if (other.postcode === name && type !== "digits") delete other.postcode;
    }
  }

  // The marks, the era and the space between 氏 and 名: what the selected field's type allows.
  function markPanel(field) {
    const date = field.type === "date";
    const kind = date ? eraKind(field) : null;
    // A □ alone has no style to choose; a checkbox proposed on one printed word shows its ○.
    const circledWord = field.type === "checkbox" && field.style === "circle";
    styleRow.hidden = !(CHOICE_TYPES.includes(field.type) || circledWord || kind === "marked");
    fStyle.value = field.style || "tick";
    spacedRow.hidden = !SPACED_TYPES.includes(field.type);
    fSpaced.checked = !!field.spaced;
    eraOptionRow.hidden = !(selected && selected.key === "era_options");
    if (!eraOptionRow.hidden) fEraOption.value = selected.sub;
    eraRow.hidden = !date;
    if (!date) return;
    fEraKind.value = kind;
    eraDigitsRow.hidden = kind !== "digit";
    eraDrawRow.hidden = kind !== "digit" && kind !== "marked";
    const byEra = Object.fromEntries(Object.entries(field.era_digits || {}).map(([digit, era]) => [era, digit]));
    for (const era of ERAS) if (document.activeElement !== digitInputs[era]) digitInputs[era].value = byEra[era] || "";
    if (kind === "digit") eraState.textContent = field.era_box ? "数字の枠: 描いてあります" : "数字の枠: まだありません（描いてください）";
    else if (kind === "marked") {
      const drawn = ERAS.filter((era) => field.era_options && field.era_options[era]);
      const left = ERAS.filter((era) => !drawn.includes(era));
      eraState.textContent = `描いた元号: ${drawn.map((e) => ERA_JA[e]).join("・") || "なし"}` +
        (left.length ? `／残り: ${left.map((e) => ERA_JA[e]).join("・")}` : "");
    }
  }

  function panel() {
    checkpoint();
    regionPanel();
    panelBox.disabled = !selected || isRegion(selected);
    if (isRegion(selected)) {
      fBox.textContent = `${REGION_NAMES[selected.key]}: ${shown(getBox(selected))}`;
      optionRow.hidden = optionLabelRow.hidden = digitsRow.hidden = readingRow.hidden = addressRow.hidden = true;
      styleRow.hidden = spacedRow.hidden = eraRow.hidden = eraOptionRow.hidden = true;
    } else if (selected) {
      const field = tpl.fields[selected.f];
      if (document.activeElement !== fName) fName.value = field.name;
      if (document.activeElement !== fLabel) fLabel.value = field.label || "";
      fType.value = field.type;
      optionRow.hidden = optionLabelRow.hidden = selected.key !== "options";
      if (selected.key === "options" && document.activeElement !== fOption) fOption.value = selected.sub;
      if (selected.key === "options" && document.activeElement !== fOptionLabel) {
        fOptionLabel.value = (field.option_labels || {})[selected.sub] || "";
      }
      fRequired.checked = !!field.required;
      readingPanel(field);
      addressPanel(field);
      markPanel(field);
      digitsRow.hidden = !DIGIT_TYPES.includes(field.type);
      if (!digitsRow.hidden) {
        if (document.activeElement !== fMin) fMin.value = field.min_digits || "";
        if (document.activeElement !== fMax) fMax.value = field.max_digits || "";
        cellsRow.hidden = selected.key !== "segments";
        if (!cellsRow.hidden && document.activeElement !== fCells) fCells.value = field.segments[selected.sub][4];
      }
      fBox.textContent = getBox(selected).map((v) => v.toFixed(1)).join(", ") +
        (selected.key === "segments" ? `（${tpl.fields[selected.f].segments[selected.sub][4]} 枠）` : "");
    } else {
      fBox.textContent = "";
      styleRow.hidden = spacedRow.hidden = eraRow.hidden = eraOptionRow.hidden = addressRow.hidden = true;
    }
    document.getElementById("do-delete-box").disabled = !aloneRemovable(selected);
    document.getElementById("draw-option").disabled = !selected || isRegion(selected) ||
      !CHOICE_TYPES.includes(tpl.fields[selected.f].type);
    // Rebuilt on every change: where the list was scrolled to is kept.
    const scrolled = list.scrollTop;
    list.innerHTML = "";
    readingOrder().forEach((f, place) => {
      const field = tpl.fields[f];
      const item = document.createElement("li");
      item.dataset.f = String(f);
      item.tabIndex = 0;
      item.setAttribute("role", "button");
      item.title = "クリックでこの項目を選び、用紙の上のその枠を表示します（Shift+クリックで選び足す）";
      // The number is the item's own text (not a list marker): never cut off at 10 and more.
      const number = document.createElement("span");
      number.className = "n";
      number.textContent = `${place + 1}.`;
      item.appendChild(number);
      item.appendChild(document.createTextNode(`${field.name}（${field.type}${field.required ? "・必須" : ""}）${field.label ? " " + field.label : ""}` +
        (field.reading_of ? ` 〔${field.reading_of} の読み〕` : "") +
        (field.address ? (field.postcode ? ` 〔住所・〒${field.postcode}〕` : " 〔住所〕") : "") +
        (field.style === "circle" ? " 〔○〕" : "") + (field.spaced ? " 〔氏 名〕" : "")));
      if (selected && selected.f === f) item.className = "current";
      list.appendChild(item);
    });
    list.scrollTop = scrolled;
    // The selected field's line in sight, within the list only (the page stays where it is).
    const current = list.querySelector("li.current");
    if (current && (current.offsetTop < list.scrollTop || current.offsetTop + current.offsetHeight > list.scrollTop + list.clientHeight)) {
      list.scrollTop = current.offsetTop - (list.clientHeight - current.offsetHeight) / 2;
    }
  }

  // The list shows the fields as the page reads (rows top to bottom, each left to right: the
  // order the form is saved and reviewed in), a field drawn just now in its place, not at the
  // end until saved. (The boxes are painted in the fields' own order: one drawn last lies on top.)
  function readingOrder() {
    const spans = tpl.fields.map((field) => { const b = boxesOf(field); return b.length ? bounds(b) : null; });
    const later = (a, b) => { // whether the field a is read after the field b
      const slack = Math.max(3, 0.5 * Math.min(a[3] - a[1], b[3] - b[1]));
      return a[1] - b[1] > slack || (Math.abs(a[1] - b[1]) <= slack && a[0] > b[0]);
    };
    const order = [];
    spans.forEach((span, f) => {
      const at = span ? order.findIndex((g) => spans[g] && later(spans[g], span)) : -1;
      if (at < 0) order.push(f); else order.splice(at, 0, f);
    });
    return order;
  }

  // The field list: a line clicked (or Enter on it) selects that field's first box and brings
  // it into sight on the page; Shift+click picks it besides those picked.
  function fromList(event) {
    const item = event.target.closest("li[data-f]");
    if (!item) return;
    const f = Number(item.dataset.f);
    const ref = refs().find((r) => r.f === f);
    if (!ref) return;
    leavePanel();
    select(ref, event.shiftKey);
    const rect = [...svg.querySelectorAll("rect.box")].find((el) => same(JSON.parse(el.dataset.ref), ref));
    if (rect) rect.scrollIntoView({ block: "nearest", inline: "nearest" });
    // Clicked: the keys then act on the box (arrows, Delete) as after a click on it; from the
    // keyboard the list keeps the focus.
    const line = list.querySelector(`li[data-f="${f}"]`);
    if (event.type === "keydown") { if (line) line.focus({ preventScroll: true }); }
    else svg.focus({ preventScroll: true });
  }
  // On the button's release, not on "click": a value typed in the panel (最少 桁数) is taken
  // as the press moves the focus, and the list drawn again under the pointer — a click then
  // never came, and the next value went into the field still selected (a clerk lost 2 of 4).
  list.addEventListener("mouseup", (event) => { if (event.button === 0) fromList(event); });
  list.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") { fromList(event); event.preventDefault(); }
  });

  function select(ref, keepSecond) {
    if (keepSecond && selected && ref && !same(ref, selected) && !isRegion(ref) && !isRegion(selected)) {
      second = ref;
      if (!picked.some((r) => same(r, ref))) picked.push(ref);
    } else { selected = ref; second = null; picked = []; }
    render();
  }

  // Dragging: the body moves a box, the handle resizes it; in draw mode a new box is drawn.
  let drag = null;
  // Pointer travel (px) under which a press on a box is a click, not a drag.
  const CLICK_SLOP = 3;
  svg.addEventListener("pointerdown", (event) => {
    // What was being typed in the panel is committed, and the keys go to the boxes: the panel
    // then shows the field clicked, never the last one's label still in its input.
    leavePanel();
    const p = toPt(event);
    const target = event.target;
    const corner = !drawing && !event.shiftKey && !event.altKey && target.id !== "resize-handle" ? cornerAt(p) : null;
    if (drawing) {
      drag = { kind: "draw", x: p.x, y: p.y, rubber: document.createElementNS(NS, "rect") };
      drag.rubber.setAttribute("class", "rubber");
      svg.appendChild(drag.rubber);
    } else if (target.id === "resize-handle" && selected) {
      // (the handle itself: resized from the first pixel, as it always was)
      drag = { kind: "resize", ref: selected, start: p, box: getBox(selected), at: [event.clientX, event.clientY], moved: true };
    } else if (corner) {
      // The corner of a box not selected: selected and resized in the same gesture (its
      // handle is only drawn once it is selected, and a date's parts are grabbed by theirs).
      select(corner, false);
      drag = { kind: "resize", ref: corner, start: p, box: getBox(corner), at: [event.clientX, event.clientY], moved: false };
    } else if (target.dataset && target.dataset.ref) {
      // Boxes one over another: a click picks the top one; a second click at the same spot
      // (or Alt+click) the one under it, and so on round the pile.
      const pile = refsAt(event.clientX, event.clientY);
      const onSelected = pile.some((r) => same(r, selected));
      let ref = JSON.parse(target.dataset.ref);
      if (event.altKey && !event.shiftKey && pile.length > 1) ref = under(pile, onSelected ? selected : ref);
      const again = !event.shiftKey && !event.altKey && pile.length > 1 && onSelected;
      if (again) ref = selected;  // still dragged as it is; a click without moving goes under it
      else select(ref, event.shiftKey);
      if (!event.shiftKey) {
        drag = { kind: "move", ref, start: p, box: getBox(ref), at: [event.clientX, event.clientY], moved: false, pile: again ? pile : null };
      }
      if (!again && !event.shiftKey && pile.length > 1) sayPile(pile, ref);
    } else {
      select(null, false);
      // From an empty spot: a rectangle picks every box whose centre it holds (one per field).
      drag = { kind: "pick", x: p.x, y: p.y, rubber: document.createElementNS(NS, "rect") };
      drag.rubber.setAttribute("class", "rubber");
      svg.appendChild(drag.rubber);
    }
    if (drag) { svg.setPointerCapture(event.pointerId); event.preventDefault(); }
    // A move or a resize is one step however many times it is drawn.
    if (drag && (drag.kind === "move" || drag.kind === "resize")) stepKey = freshKey("drag");
    svg.focus();
  });
  svg.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const p = toPt(event);
    if (drag.kind === "draw" || drag.kind === "pick") {
      const x0 = Math.min(drag.x, p.x), y0 = Math.min(drag.y, p.y);
      drag.rubber.setAttribute("x", x0); drag.rubber.setAttribute("y", y0);
      drag.rubber.setAttribute("width", Math.abs(p.x - drag.x)); drag.rubber.setAttribute("height", Math.abs(p.y - drag.y));
      return;
    }
    // A box moves (or is resized) once the pointer has gone a few pixels: a click is no nudge.
    if (!drag.moved && Math.hypot(event.clientX - drag.at[0], event.clientY - drag.at[1]) < CLICK_SLOP) return;
    drag.moved = true;
    const dx = p.x - drag.start.x, dy = p.y - drag.start.y;
    const [x0, y0, x1, y1] = drag.box;
    if (drag.kind === "move") setBox(drag.ref, [x0 + dx, y0 + dy, x1 + dx, y1 + dy]);
    else setBox(drag.ref, [x0, y0, Math.max(x0 + 2, x1 + dx), Math.max(y0 + 2, y1 + dy)]);
    render();
  });
  svg.addEventListener("pointerup", (event) => {
    if (!drag) return;
    if (drag.kind === "draw") {
      const p = toPt(event);
      const box = [Math.min(drag.x, p.x), Math.min(drag.y, p.y), Math.max(drag.x, p.x), Math.max(drag.y, p.y)];
      if (box[2] - box[0] < 3 || box[3] - box[1] < 3) render();
      else if (drawTarget === "footer") addFooter(box);
      else if (drawTarget === "option") addOption(box);
      else if (drawTarget === "era") addEraBox(box);
      else if (drawTarget === "choice") addChoice(box);
      else addField(box);
    } else if (drag.kind === "pick") {
      const p = toPt(event);
      pickArea([Math.min(drag.x, p.x), Math.min(drag.y, p.y), Math.max(drag.x, p.x), Math.max(drag.y, p.y)]);
    } else if (drag.kind === "move" && drag.pile && !drag.moved) {
      const next = under(drag.pile, drag.ref);
      select(next, false);
      sayPile(drag.pile, next);
    }
    drag = null;
  });

  // The box whose bottom-right corner (where its resize handle is drawn once selected) is
  // under the point, the nearest of them: within half a handle, less on a small box, so the
  // rest of a small box still moves it.
  const HANDLE = 5;
  function cornerAt(p) {
    let best = null, nearest = Infinity;
    for (const ref of refs().concat(regionRefs())) {
      const [x0, y0, x1, y1] = getBox(ref);
      const reach = Math.min(HANDLE / 2, (x1 - x0) / 3, (y1 - y0) / 3);
      const dx = Math.abs(p.x - x1), dy = Math.abs(p.y - y1);
      if (dx > reach || dy > reach) continue;
      const d = Math.hypot(dx, dy);
      if (d < nearest) { best = ref; nearest = d; }
    }
    return best;
  }
  // A panel input being typed in gives the focus up (its change fires then, for the field it
  // was typed for): a box chosen on the page or in the list then shows in the panel whole.
  function leavePanel() {
    const typing = document.activeElement;
    if (typing && panelBox.contains(typing)) typing.blur();
  }

  // The boxes (and identification regions) under a point of the screen, the top one first.
  function refsAt(x, y) {
    return document.elementsFromPoint(x, y)
      .filter((el) => el.dataset && el.dataset.ref && (el.classList.contains("box") || el.classList.contains("region")))
      .map((el) => JSON.parse(el.dataset.ref));
  }
  // The box under ``ref`` in the pile (from the bottom one back to the top).
  function under(pile, ref) {
    const at = pile.findIndex((r) => same(r, ref));
    return pile[(at + 1) % pile.length];
  }
  const refName = (ref) => (isRegion(ref) ? REGION_NAMES[ref.key] : `項目 ${tpl.fields[ref.f].name}`);
  function sayPile(pile, ref) {
    const at = pile.findIndex((r) => same(r, ref));
    say(`ここには枠が ${pile.length} 個重なっています（上から ${at + 1} 番目: ${refName(ref)}）。` +
      "同じ所をもう一度クリック（または Alt+クリック）で下の枠を選べます。");
  }

  function freeName(base) {
    const names = new Set(tpl.fields.map((f) => f.name));
    let name = base;
    while (names.has(name)) name = `${base}_${++counter}`;
    return name;
  }
  function addField(box) {
    tpl.fields.push({ name: freeName("field_new"), type: "text", label: "", box: [0, 0, 1, 1] });
    const ref = { f: tpl.fields.length - 1, key: "box", sub: null };
    setBox(ref, box);
    setDrawing(false);
    select(ref, false);
    say("枠を追加しました。項目名と種類を付けてください。");
  }
  function addFooter(box) {
    const ref = { f: -1, key: "footer", sub: null };
    setBox(ref, box);
    setDrawing(false);
    select(ref, false);
    say("欄外の様式番号の領域を描きました。");
  }
  // A choice's further option, drawn: a value of its own to be typed in the panel.
  function addOption(box) {
    const field = tpl.fields[drawField];
    field.options = field.options || {};
    // A key that is no integer: JavaScript puts those first, and the options keep their order.
    let n = Object.keys(field.options).length + 1;
    while (`option_${n}` in field.options) n++;
    field.options[`option_${n}`] = [0, 0, 1, 1];
    const ref = { f: drawField, key: "options", sub: `option_${n}` };
    setBox(ref, box);
    setDrawing(false);
    select(ref, false);
    fOption.focus();
    fOption.select();
    say("選択肢の枠を加えました。この枠に印があるときの値を入力してください。");
  }
  // A date's era box: the cell its digit is written in, or the next printed era name marked.
  function addEraBox(box) {
    const field = tpl.fields[drawField];
    // The eras the blank's print gives, when they come, are of this step.
    const key = stepKey = freshKey("era");
    let ref;
    if (eraKind(field) === "digit") ref = { f: drawField, key: "era_box", sub: null };
    else {
      const era = ERAS.find((e) => !(field.era_options && field.era_options[e]));
      field.era_options = field.era_options || {};
      field.era_options[era] = [0, 0, 1, 1];
      ref = { f: drawField, key: "era_options", sub: era };
    }
    setBox(ref, box);
    setDrawing(false);
    select(ref, false);
    if (ref.key === "era_box") say("元号の数字を書く枠を描きました。");
    else {
      // Said once, when the blank has answered: what the rectangle became (one era, or all
      // three from the print), never first one era and a second later three.
      say("");
      eraInOneGesture(field, ref.sub, box, key);
    }
  }
  // One rectangle round the printed 昭和・平成・令和 (or their □): the blank's print gives every
  // era's box at once; a rectangle round one era stays that era's box, as drawn.
  async function eraInOneGesture(field, drawn, box, key) {
    const proposal = await propose([["area", box]], true);
    const eras = proposal ? proposal.options.filter((o) => ERAS.includes(o.value)) : [];
    if (!tpl.fields.includes(field) || !field.era_options) return;
    if (eras.length < 2) {
      if (field.era_options[drawn]) say(`元号「${ERA_JA[drawn]}」の枠を描きました。`);
      return;
    }
    // What the rectangle's edge cut (an era taken whole, or left out) is said too.
    const edge = proposal.edge || "";
    stepKey = key;
    // The era's □ drafted as checkboxes of their own are taken in.
    const { gone } = absorbTicks(tpl.fields.indexOf(field), eras.map((o) => o.box));
    const f = tpl.fields.indexOf(field);
    if (field.era_options[drawn] && field.era_options[drawn].join() === box.map(round).join()) delete field.era_options[drawn];
    for (const option of eras) field.era_options[option.value] = option.box;
    field.style = proposal.style;
    select({ f, key: "era_options", sub: eras[0].value }, false);
    say(`印刷された元号から ${eras.map((o) => ERA_JA[o.value]).join("・")} の枠を作りました（${proposal.style === "tick" ? "✓" : "○"}）。` +
      (gone.length ? `チェック欄 ${gone.join("・")} はこの日付にまとめました。` : "") + edge);
  }
  function setDrawing(on, target) {
    drawing = on;
    drawTarget = on ? target || null : null;
    drawField = on && selected && !isRegion(selected) ? selected.f : null;
    svg.classList.toggle("drawing", on);
    document.getElementById("mode-draw").setAttribute("aria-pressed", String(on && !drawTarget));
    document.getElementById("draw-option").setAttribute("aria-pressed", String(on && drawTarget === "option"));
    document.getElementById("draw-era").setAttribute("aria-pressed", String(on && drawTarget === "era"));
    document.getElementById("draw-choice").setAttribute("aria-pressed", String(on && drawTarget === "choice"));
  }
  document.getElementById("draw-option").addEventListener("click", () => {
    if (!selected || isRegion(selected) || !CHOICE_TYPES.includes(tpl.fields[selected.f].type)) {
      say("選択（一つ）か選択（複数可）の項目を選んでから押してください。");
      return;
    }
    setDrawing(!(drawing && drawTarget === "option"), "option");
    say(drawing ? `用紙の上をドラッグして、項目 ${tpl.fields[drawField].name} の選択肢の枠を描いてください。` : "");
  });
  document.getElementById("draw-era").addEventListener("click", () => {
    if (!selected || isRegion(selected) || tpl.fields[selected.f].type !== "date") return;
    const field = tpl.fields[selected.f];
    if (eraKind(field) === "marked" && ERAS.every((e) => field.era_options && field.era_options[e])) {
      say("昭和・平成・令和の三つとも描いてあります。直すときは枠を選んで動かすか、削除してから描いてください。");
      return;
    }
    setDrawing(!(drawing && drawTarget === "era"), "era");
    say(drawing ? "用紙の上をドラッグして、元号の枠を描いてください。" : "");
  });
  document.getElementById("mode-draw").addEventListener("click", () => {
    setDrawing(!drawing);
    say(drawing ? "用紙の上をドラッグして新しい枠を描いてください。" : "");
  });
  drawFooter.addEventListener("click", () => {
    setDrawing(true, "footer");
    say("用紙の上をドラッグして、欄外の様式番号（例「(2024.12)」）を囲んでください。");
  });
  for (const key of ["title", "footer"]) {
    document.getElementById(`pick-${key}`).addEventListener("click", () => {
      if (Array.isArray(tpl.identify[key])) { select({ f: -1, key, sub: null }, false); svg.focus(); }
    });
  }
  clearFooter.addEventListener("click", () => removeBox({ f: -1, key: "footer", sub: null }));

  // A choice in one gesture: the server proposes its options from the blank form, ✓ from the
  // □ inside a rectangle drawn round them (each valued by the word printed beside it) or ○ from
  // the printed words inside it (1.男 2.女, 昭和・平成・令和); or from tick boxes picked with
  // Shift+click (「選択肢にまとめる」). The admin then only corrects a value.
  const source = document.querySelector("#save-form input[name=src]").value;
  // quiet: nothing said when there is no proposal (the box drawn stays as it is).
  // The blank is read for a proposal in 1–3 s: said at once, the pointer busy meanwhile (the
  // screen showed nothing in that time: a clerk could not tell the rectangle had been taken).
  const busy = (on) => {
    document.body.classList.toggle("busy", on);
    svg.setAttribute("aria-busy", String(on));
  };
  async function propose(params, quiet) {
    const query = new URLSearchParams({ src: source });
    for (const [key, value] of params) query.append(key, value.map(round).join(","));
    if (!quiet) say("印刷された選択肢を読み取っています…");
    busy(true);
    try {
      const response = await fetch(`/admin/forms/choice?${query}`, { credentials: "same-origin" });
      const body = await response.json();
      if (response.ok) return body;
      if (!quiet) say(body.detail || "選択肢を提案できませんでした。");
    } catch (error) {
      if (!quiet) say("選択肢を提案できませんでした（通信の失敗）。もう一度押してください。");
    } finally {
      busy(false);
    }
    return null;
  }
  const centreIn = (b, area) => { const x = (b[0] + b[2]) / 2, y = (b[1] + b[3]) / 2; return x >= area[0] && x <= area[2] && y >= area[1] && y <= area[3]; };
  // The drafted tick boxes (checkbox fields) a proposal takes in: gone as fields of their own.
  function absorbTicks(keep, boxes) {
    const gone = [];
    for (let f = tpl.fields.length - 1; f >= 0; f--) {
      const field = tpl.fields[f];
      if (f === keep || field.type !== "checkbox" || !Array.isArray(field.box)) continue;
      if (boxes.some((b) => centreIn(field.box, b) || centreIn(b, field.box))) {
        gone.push(field.name);
        tpl.fields.splice(f, 1);
        forget(field.name, null);
        if (keep !== null && f < keep) keep--;
      }
    }
    return { keep, gone };
  }
  // A drafted choice (○ or ✓) whose options all lie in the rectangle drawn round them: the new
  // proposal replaces it, under its name and label (what the draft or the admin gave it).
  function absorbChoices(area) {
    let kept = null;
    const gone = [];
    for (let f = tpl.fields.length - 1; f >= 0; f--) {
      const field = tpl.fields[f];
      if (!CHOICE_TYPES.includes(field.type) || !field.options) continue;
      const boxes = Object.values(field.options);
      if (!boxes.length || !boxes.every((b) => centreIn(b, area))) continue;
      gone.push(field.name);
      tpl.fields.splice(f, 1);
      if (kept === null) kept = { name: field.name, label: field.label || "" };
      else forget(field.name, null);
    }
    return { kept, gone };
  }
  const listed = (proposal) => proposal.options.map((o) => `${o.label || "（語なし）"}=${o.value}`).join("、");
  function asChoice(field, proposal) {
    for (const key of LAYOUT_KEYS) delete field[key];
    field.type = proposal.type || "choice";
    field.style = proposal.style;
    field.options = Object.fromEntries(proposal.options.map((o) => [o.value, o.box]));
    // Each option's printed words: what the reviewer sees and picks in place of its value.
    const labels = Object.fromEntries(proposal.options.filter((o) => o.label).map((o) => [o.value, o.label]));
    if (Object.keys(labels).length) field.option_labels = labels;
  }
  async function addChoice(area) {
    setDrawing(false);
    render();
    const proposal = await propose([["area", area]]);
    if (!proposal) return;
    stepKey = null; // a step of its own, whatever was done while the blank answered
    if (proposal.type === "checkbox") { addCheckbox(area, proposal); return; }
    const replaced = absorbChoices(area);
    const field = {
      name: replaced.kept ? replaced.kept.name : freeName(proposal.name),
      type: proposal.type || "choice",
      label: (replaced.kept && replaced.kept.label) || proposal.label || "",
    };
    asChoice(field, proposal);
    const { gone } = absorbTicks(null, [area, ...proposal.options.map((o) => o.box)]);
    tpl.fields.push(field);
    const first = Object.keys(field.options)[0];
    select({ f: tpl.fields.length - 1, key: "options", sub: first }, false);
    say(`選択肢を ${proposal.options.length} 個提案しました（${proposal.style === "tick" ? "✓ □に印" : "○ 語を丸で囲む"}` +
      `${proposal.type === "checkbox_group" ? "・複数可" : ""}）: ${listed(proposal)}。` +
      (gone.length ? `チェック欄 ${gone.join("・")} はこの項目にまとめました。` : "") +
      (replaced.gone.length ? `下書きの選択肢 ${replaced.gone.join("・")} はこの項目に置き換えました。` : "") +
      (proposal.edge || "") +
      "値が違うときは、選択肢の枠を選んで「選択肢の値」を直してください。");
  }
  // A lone □ (or one printed word to circle) is a checkbox, marked or not: no choice of one option.
  function addCheckbox(area, proposal) {
    const field = { name: freeName(proposal.name), type: "checkbox", label: proposal.label || "", box: proposal.box };
    if (proposal.style === "circle") field.style = "circle";
    const { gone } = absorbTicks(null, [area, proposal.box]);
    tpl.fields.push(field);
    select({ f: tpl.fields.length - 1, key: "box", sub: null }, false);
    say(`選択肢が一つだけなので、チェック欄（${proposal.style === "circle" ? "○ 語を丸で囲む" : "✓ □に印"}）` +
      `${field.name} を作りました${field.label ? `: ${field.label}` : ""}。` +
      (gone.length ? `チェック欄 ${gone.join("・")} はこの項目にまとめました。` : "") + (proposal.edge || ""));
  }
  document.getElementById("draw-choice").addEventListener("click", () => {
    setDrawing(!(drawing && drawTarget === "choice"), "choice");
    say(drawing ? "用紙の上をドラッグして、印刷された選択肢（○で囲む語か□）をまとめて囲んでください。" : "");
  });
  document.getElementById("do-group").addEventListener("click", async () => {
    const ticks = [selected, ...picked].filter((r) => r && !isRegion(r) && r.key === "box" && tpl.fields[r.f].type === "checkbox");
    if (ticks.length < 2) { say("チェック欄（□）を一つ選び、Shift を押しながら残りを選んでから押してください。"); return; }
    const boxes = ticks.map(getBox);
    const proposal = await propose(boxes.map((b) => ["tick", b]));
    if (!proposal) return;
    stepKey = null;
    const field = tpl.fields[ticks[0].f];
    const { keep, gone } = absorbTicks(ticks[0].f, boxes);
    asChoice(field, proposal);
    if (/^field(_\d+)?$/.test(field.name)) field.name = freeName(proposal.name);
    if (proposal.label) field.label = proposal.label;
    second = null; picked = [];
    select({ f: keep, key: "options", sub: Object.keys(field.options)[0] }, false);
    say(`チェック欄 ${ticks.length} 個を選択 ${field.name} にまとめました: ${listed(proposal)}` +
      `（まとめた項目: ${gone.join("・")}）。値が違うときは、選択肢の枠を選んで「選択肢の値」を直してください。`);
  });

  // Keyboard: arrows move, Shift+arrows resize, Delete removes, Tab goes to the next box.
  const ARROWS = ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown"];
  const MODIFIERS = ["Shift", "Control", "Alt", "Meta"]; // pressed with an arrow: no key of their own
  function onKey(event) {
    // A run of arrow keys on one box is one step of 「元に戻す」; any other key ends the run.
    if (!ARROWS.includes(event.key) && !MODIFIERS.includes(event.key)) run++;
    const all = refs().concat(regionRefs());
    if (event.key === "Tab" && all.length) {
      const at = all.findIndex((r) => same(r, selected));
      select(all[(at + (event.shiftKey ? all.length - 1 : 1)) % all.length], false);
      event.preventDefault();
      return;
    }
    if ((event.ctrlKey || event.metaKey) && (event.key === "y" || (event.shiftKey && event.key.toLowerCase() === "z"))) {
      redo(); event.preventDefault(); return;
    }
    if ((event.ctrlKey || event.metaKey) && event.key === "z") { undo(); event.preventDefault(); return; }
    if (!selected) return;
    const step = event.altKey ? 0.1 : 1;
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (moves[event.key]) {
      const [dx, dy] = moves[event.key];
      const [x0, y0, x1, y1] = getBox(selected);
      if (event.shiftKey) setBox(selected, [x0, y0, Math.max(x0 + 1, x1 + dx), Math.max(y0 + 1, y1 + dy)]);
      else setBox(selected, [x0 + dx, y0 + dy, x1 + dx, y1 + dy]);
      stepKey = `nudge:${JSON.stringify(selected)}:${event.shiftKey}:${run}`;
      render();
      event.preventDefault();
    } else if (event.key === "Delete" || event.key === "Backspace") {
      // Delete removes the selected field with all its boxes; Shift+Delete only the box chosen.
      if (event.shiftKey) removeOneBox(selected);
      else removeField(selected);
      event.preventDefault();
    } else if (event.key === "Escape") {
      select(null, false);
    }
  }
  svg.addEventListener("keydown", onKey);
  // The focus nowhere (an input that held it disabled or gone with the panel) or on a button
  // just pressed (「二つの枠を結合」, then Ctrl+Z: a clerk's undo did nothing, 4 edits went onto
  // the merged field): the keys that act on the boxes still do, rather than scroll the page.
  // In a text input or a list, Ctrl+Z and the arrows stay theirs.
  document.addEventListener("keydown", (event) => {
    if (event.target !== document.body && !(event.target instanceof HTMLButtonElement)) return;
    const ctrlZ = (event.ctrlKey || event.metaKey) && event.key === "z";
    if (ctrlZ || ARROWS.includes(event.key) || ["Delete", "Backspace", "Escape"].includes(event.key)) {
      svg.focus({ preventScroll: true });
      onKey(event);
    }
  });

  // 「項目を削除」 (Delete): the selected field goes with every box it has (cells, lines,
  // options, a date's parts); a region is cleared where it may be. 「元に戻す」 takes it back.
  // Fields picked with it (Shift+click, a rectangle) go with it, in one step.
  function removeField(ref) {
    if (isRegion(ref)) return removeRegion(ref);
    const chosen = [...new Set([ref, ...picked].filter((r) => r && !isRegion(r)).map((r) => r.f))].sort((a, b) => b - a);
    const gone = chosen.map((f) => tpl.fields[f]);
    const count = gone.reduce((n, field) => n + boxesOf(field).length + Object.keys(field.prefecture_printed || {}).length, 0);
    for (const f of chosen) tpl.fields.splice(f, 1);
    for (const field of gone) forget(field.name, null);
    select(null, false);
    const names = gone.map((field) => field.name).reverse().join("・");
    say(`${gone.length > 1 ? `${gone.length} 項目 ` : "項目 "}${names} を削除しました（枠 ${count} 個）。「元に戻す」（Ctrl+Z）で戻せます。`);
    return true;
  }
  // Whether the box can go alone, the field keeping the rest: a run of cells, a further line,
  // an option of several, an era's box.
  function aloneRemovable(ref) {
    if (!ref || isRegion(ref)) return false;
    const field = tpl.fields[ref.f];
    if (ref.key === "segments" || ref.key === "more_lines") return field[ref.key].length > 1 || ref.key === "more_lines";
    if (ref.key === "options") return Object.keys(field.options).length > 1;
    if (ref.key === "box") return !!(field.more_lines && field.more_lines.length);
    return ["era_options", "prefecture_printed", "era_box"].includes(ref.key);
  }
  // 「この枠だけ削除」 (Shift+Delete): one box of a field of several; the field stays.
  function removeOneBox(ref) {
    if (isRegion(ref)) return removeRegion(ref);
    if (!aloneRemovable(ref)) {
      say("この項目の枠はこれだけです。項目ごと消すときは「項目を削除」（Delete）を押してください。");
      return false;
    }
    return removeBox(ref);
  }
  // Removing a box: an entry of a list or mapping goes alone; a field left without what its
  // type needs goes with it.
  function removeBox(ref, quiet) {
    if (isRegion(ref)) return removeRegion(ref);
    const field = tpl.fields[ref.f];
    let dropField = false;
    if (ref.key === "segments" || ref.key === "more_lines") {
      field[ref.key].splice(ref.sub, 1);
      if (!field[ref.key].length) { delete field[ref.key]; dropField = ref.key === "segments"; }
    } else if (["options", "era_options", "prefecture_printed"].includes(ref.key)) {
      delete field[ref.key][ref.sub];
      if (ref.key === "options") setOptionLabel(field, ref.sub, "");
      if (!Object.keys(field[ref.key]).length && ref.key !== "era_options") {
        delete field[ref.key];
        dropField = ref.key === "options";
      }
    } else if (ref.key === "box" && field.more_lines && field.more_lines.length) {
      field.box = field.more_lines.shift();
      if (!field.more_lines.length) delete field.more_lines;
    } else if (ref.key === "era_box") {
      delete field.era_box;  // the date's era still a digit: to be drawn again
    } else {
      dropField = true;
    }
    if (dropField) { tpl.fields.splice(ref.f, 1); forget(field.name, null); }
    else if (ref.key === "segments") fitDigits(field);
    if (!quiet) {
      say(dropField ? `項目 ${field.name} を削除しました。` : `項目 ${field.name} の枠を一つ削除しました（項目は残ります）。「元に戻す」で戻せます。`);
      select(null, false);
    }
    return dropField;
  }
  // A region: the title is always read; the footer goes only where no code is read there.
  function removeRegion(ref) {
    if (ref.key === "title") { say("表題の領域は消せません（様式の判定に使います）。移動か大きさの変更をしてください。"); return false; }
    if (tpl.identify.code_pattern !== null) {
      say("この様式は欄外の様式番号で判定しています（読み取りの型があります）。欄外の領域は消せません。");
      return false;
    }
    tpl.identify.footer = null;
    say("欄外の様式番号の領域を消しました（欄外を読まない様式）。");
    select(null, false);
    return false;
  }
  document.getElementById("do-delete").addEventListener("click", () => { if (selected) removeField(selected); });
  document.getElementById("do-delete-box").addEventListener("click", () => { if (selected) removeOneBox(selected); });

  function boxesOf(field) {
    const out = [];
    for (const key of ["box", "year", "month", "day", "era_box"]) if (Array.isArray(field[key])) out.push(field[key].slice(0, 4));
    for (const key of ["more_lines", "segments"]) for (const b of field[key] || []) out.push(b.slice(0, 4));
    for (const key of ["options", "era_options"]) for (const b of Object.values(field[key] || {})) out.push(b.slice(0, 4));
    return out;
  }
  const cellsOf = (b) => Math.max(1, Math.round((b[2] - b[0]) / Math.max(1, b[3] - b[1])));
  const bounds = (boxes) => [Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])),
    Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))];
  const LAYOUT_KEYS = ["box", "more_lines", "segments", "options", "option_labels", "era_options", "year", "month", "day", "era",
    "era_box", "era_digits", "style", "min_digits", "max_digits", "spaced", "prefecture_printed"];

  // A new type: the field's boxes laid out as the new type needs them.
  function retype(field, type) {
    const before = layoutOf[field.type], after = layoutOf[type];
    const boxes = boxesOf(field);
    if (type !== "text") { delete field.address; delete field.postcode; delete field.prefecture_printed; }
    if (type !== "katakana") delete field.reading_of;
    if (!SPACED_TYPES.includes(type)) delete field.spaced;
    // Made a 個人番号: 12 digits, or 10 to 12 where its label names the 基礎年金番号 too.
    if (type === "my_number" && field.type !== type)
      field.min_digits = /基礎年金番号/.test(field.label || "") ? PENSION_NUMBER_DIGITS : MY_NUMBER_DIGITS;
    field.type = type;
    forget(field.name, type);
    if (before === after && (after !== "marks" || (type === "checkbox") === !!field.box)) { fitDigits(field); return; }
    const kept = {};
    if (after === "box" && field.segments && type === "katakana") kept.segments = field.segments;
    for (const key of LAYOUT_KEYS) delete field[key];
    Object.assign(field, kept);
    if (after === "box") field.box = bounds(boxes);
    else if (after === "cells") field.segments = boxes.map((b) => b.concat([cellsOf(b)]));
    else if (type === "checkbox") field.box = boxes[0];
    else if (after === "marks") field.options = Object.fromEntries(boxes.map((b, i) => [String(i + 1), b]));
    else if (after === "date") {
      const [x0, y0, x1, y1] = bounds(boxes), w = (x1 - x0) / 3;
      field.year = [x0, y0, x0 + w, y1]; field.month = [x0 + w, y0, x0 + 2 * w, y1]; field.day = [x0 + 2 * w, y0, x1, y1];
      field.era = "reiwa";
    }
    fitDigits(field);
  }

  // Renaming a field renames what refers to it too (a フリガナ's reading_of, an address's postcode).
  fName.addEventListener("input", () => {
    if (!selected || isRegion(selected)) return;
    const field = tpl.fields[selected.f], before = field.name, after = fName.value.trim();
    stepKey = `name:${selected.f}:${run}`; // the name typed key by key: one step
    field.name = after;
    for (const other of tpl.fields) {
      for (const key of ["reading_of", "postcode"]) if (other[key] === before) other[key] = after;
    }
    render();
  });
  // An option's value: its key in "options", renamed in place (the order kept).
  fOption.addEventListener("change", () => {
    if (!selected || selected.key !== "options") return;
    const field = tpl.fields[selected.f], value = fOption.value.trim();
    if (!value || (value !== selected.sub && value in field.options)) {
      say("選択肢の値が空か、同じ項目の別の選択肢と重なっています。");
      fOption.value = selected.sub;
      return;
    }
    field.options = Object.fromEntries(Object.entries(field.options).map(([k, v]) => [k === selected.sub ? value : k, v]));
    if (field.option_labels) {
      field.option_labels = Object.fromEntries(Object.entries(field.option_labels).map(([k, v]) => [k === selected.sub ? value : k, v]));
    }
    selected = { f: selected.f, key: "options", sub: value };
    render();
  });
  // An option's printed label (「新規」): what the review screens show for its value.
  function setOptionLabel(field, value, label) {
    const labels = { ...(field.option_labels || {}) };
    if (label) labels[value] = label;
    else delete labels[value];
    if (Object.keys(labels).length) field.option_labels = labels;
    else delete field.option_labels;
  }
  fOptionLabel.addEventListener("input", () => {
    if (!selected || selected.key !== "options") return;
    stepKey = `option-label:${selected.f}:${selected.sub}:${run}`;
    setOptionLabel(tpl.fields[selected.f], selected.sub, fOptionLabel.value.trim());
    panel();
  });
  // A label naming a person's whole name (氏名, 事業主氏名, 氏名等; not a 氏 or 名 half, not a
  // 名称): 「氏と名の間に空白」 ticked as the label becomes one (once: an untick stays).
  const wholeName = (label) => /氏\s*名|名前/.test(label || "") && !/[（(]\s*[氏名]\s*[）)]|名称/.test(label || "");
  // Fields whose tick the label put there (not the admin): typed on into a half's label
  // (「氏名」 on the way to 「氏名（ﾌﾘｶﾞﾅ）（氏）」), the tick goes again — a clerk unticked 13.
  const autoSpaced = new WeakSet();
  fLabel.addEventListener("input", () => {
    if (!selected || isRegion(selected)) return;
    const field = tpl.fields[selected.f], was = wholeName(field.label);
    stepKey = `label:${selected.f}:${run}`; // the label typed key by key: one step
    field.label = fLabel.value;
    if (!was && wholeName(field.label) && SPACED_TYPES.includes(field.type) && !field.spaced) {
      field.spaced = true;
      autoSpaced.add(field);
      say("氏名の欄なので「氏と名の間に空白」を付けました（氏と名を分けて書く欄なら外してください）。");
      render();
    } else if (!wholeName(field.label) && autoSpaced.has(field)) {
      delete field.spaced;
      autoSpaced.delete(field);
      say("氏・名の片方の欄なので「氏と名の間に空白」を外しました。");
      render();
    }
    panel();
  });
  // The digit counts: typed (numbers of digits, not coordinates), kept within the cells.
  for (const [input, key] of [[fMin, "min_digits"], [fMax, "max_digits"]]) {
    input.addEventListener("change", () => {
      if (!selected || isRegion(selected)) return;
      const field = tpl.fields[selected.f], cells = cellCount(field), value = parseInt(input.value, 10);
      if (!(value >= 1 && value <= cells)) { say(`桁数は 1 から ${cells}（枠の数）までです。`); panel(); return; }
      if (field.type === "my_number" && (key === "max_digits" ? value !== MY_NUMBER_DIGITS
        : ![PENSION_NUMBER_DIGITS, MY_NUMBER_DIGITS].includes(value))) {
        say("個人番号は12桁です。基礎年金番号（10桁）も書ける欄は最少を10にします（10桁なら基礎年金番号、12桁なら個人番号として検査）。");
        panel(); return;
      }
      field[key] = value;
      if (field.min_digits > field.max_digits) field[key === "min_digits" ? "max_digits" : "min_digits"] = value;
      render();
    });
  }
  fReading.addEventListener("change", () => {
    if (!selected || isRegion(selected)) return;
    const field = tpl.fields[selected.f];
    if (fReading.value) field.reading_of = fReading.value;
    else delete field.reading_of;
    say(fReading.value ? `項目 ${field.name} を ${fReading.value} の読み仮名にしました。` : `項目 ${field.name} の読み仮名の対象をなしにしました。`);
    render();
  });
  fAddress.addEventListener("change", () => {
    if (!selected || isRegion(selected)) return;
    const field = tpl.fields[selected.f];
    if (fAddress.checked) {
      field.address = true;
      say(`項目 ${field.name} を住所にしました。郵便番号の欄があれば選んでください。`);
    } else {
      // A postcode and a printed 都道府県 belong to an address only.
      delete field.address; delete field.postcode; delete field.prefecture_printed;
      say(`項目 ${field.name} を住所でなくしました。`);
    }
    render();
  });
  fPostcode.addEventListener("change", () => {
    if (!selected || isRegion(selected)) return;
    const field = tpl.fields[selected.f];
    if (fPostcode.value) field.postcode = fPostcode.value;
    else delete field.postcode;
    say(fPostcode.value ? `住所 ${field.name} を郵便番号 ${fPostcode.value} と照合します。` : `住所 ${field.name} の郵便番号の欄をなしにしました。`);
    render();
  });
  // ✓ in a □ or ○ round a printed word: how a choice (or a date's era) is marked.
  fStyle.addEventListener("change", () => {
    if (!selected || isRegion(selected)) return;
    tpl.fields[selected.f].style = fStyle.value;
    render();
  });
  fSpaced.addEventListener("change", () => {
    if (!selected || isRegion(selected)) return;
    const field = tpl.fields[selected.f];
    if (fSpaced.checked) field.spaced = true;
    else delete field.spaced;
    autoSpaced.delete(field); // the admin's own choice: the label no longer changes it
    render();
  });
  // A date's era: printed, marked among the printed names (their boxes drawn), or a digit.
  fEraKind.addEventListener("change", () => {
    if (!selected || isRegion(selected)) return;
    const field = tpl.fields[selected.f], kind = fEraKind.value;
    for (const key of ["era", "era_options", "era_digits", "era_box", "style"]) if (kind !== "marked" || key !== "style") delete field[key];
    if (ERAS.includes(kind)) field.era = kind;
    else if (kind === "marked") { field.era_options = {}; field.style = field.style || "circle"; }
    else field.era_digits = { 1: "showa", 2: "heisei", 3: "reiwa" };
    if (selected.key === "era_box" || selected.key === "era_options") selected = { f: selected.f, key: "year", sub: null };
    say(kind === "marked" ? "「元号の枠を描く」で、印刷された昭和・平成・令和を三つまとめて（または一つずつ順に）囲んでください。" :
      kind === "digit" ? "「元号の枠を描く」で、元号の数字を書く枠を描いてください。" : "");
    render();
  });
  // The digit printed beside each era (「1.昭和 2.平成 3.令和」); a blank one: that era is not offered.
  for (const era of ERAS) {
    digitInputs[era].addEventListener("change", () => {
      if (!selected || isRegion(selected)) return;
      const field = tpl.fields[selected.f];
      const typed = Object.fromEntries(ERAS.map((e) => [e, digitInputs[e].value.trim()]));
      const digits = ERAS.map((e) => typed[e]).filter((d) => d);
      if (digits.some((d) => !/^[0-9]$/.test(d)) || new Set(digits).size !== digits.length || !digits.length) {
        say("元号の数字は 0〜9 の1字で、元号ごとに別の数字にしてください。");
        panel();
        return;
      }
      field.era_digits = Object.fromEntries(ERAS.filter((e) => typed[e]).map((e) => [typed[e], e])
        .sort((a, b) => a[0].localeCompare(b[0])));
      render();
    });
  }
  // Which era a marked era box stands for.
  fEraOption.addEventListener("change", () => {
    if (!selected || selected.key !== "era_options") return;
    const field = tpl.fields[selected.f], era = fEraOption.value;
    if (era !== selected.sub && era in field.era_options) {
      say(`「${ERA_JA[era]}」の枠はもうあります。`);
      fEraOption.value = selected.sub;
      return;
    }
    field.era_options = Object.fromEntries(Object.entries(field.era_options).map(([k, v]) => [k === selected.sub ? era : k, v]));
    selected = { f: selected.f, key: "era_options", sub: era };
    render();
  });
  fRequired.addEventListener("change", () => { if (selected && !isRegion(selected)) { tpl.fields[selected.f].required = fRequired.checked; render(); } });
  fType.addEventListener("change", () => {
    if (!selected || isRegion(selected)) return;
    const f = selected.f;
    const wasDigits = DIGIT_TYPES.includes(tpl.fields[f].type), wasDate = tpl.fields[f].type === "date";
    // The cells or the date's parts the blank's print gives, when they come, are of this step.
    const key = stepKey = freshKey("type");
    retype(tpl.fields[f], fType.value);
    selected = refs().find((r) => r.f === f) || null;
    render();
    if (DIGIT_TYPES.includes(fType.value) && !wasDigits) cellsFromPrint(tpl.fields[f], key);
    else if (fType.value === "date" && !wasDate) datePartsFromPrint(tpl.fields[f], key);
  });

  // Merge: the second box (Shift+click) joins the first one's field.
  document.getElementById("do-merge").addEventListener("click", () => {
    if (!selected || !second || isRegion(selected)) { say("枠を一つ選び、Shift を押しながら二つ目の枠を選んでください。"); return; }
    const a = tpl.fields[selected.f], b = tpl.fields[second.f];
    const boxA = getBox(selected), boxB = getBox(second);
    const layout = layoutOf[a.type];
    if (layout === "date") { say("日付の項目には結合できません。"); return; }
    const cellsB = second.key === "segments" ? b.segments[second.sub][4] : cellsOf(boxB);
    const fieldA = selected.f;
    const sameField = selected.f === second.f;
    if (sameField && layout === "cells" && selected.key === "segments" && second.key === "segments") {
      a.segments[selected.sub] = bounds([boxA, boxB]).concat([a.segments[selected.sub][4] + cellsB]);
    } else if (sameField && layout === "box") {
      setBox(selected, bounds([boxA, boxB]));
    } else if (layout === "cells") {
      a.segments = (a.segments || []).concat([boxB.concat([cellsB])]);
    } else if (layout === "box") {
      a.more_lines = (a.more_lines || []).concat([boxB]);
    } else if (a.type === "checkbox") {
      const first = a.box; delete a.box;
      a.type = "checkbox_group";
      const second_ = b.name === a.name ? "2" : b.name;
      a.options = { [a.name]: first, [second_]: boxB };
      if (a.label) setOptionLabel(a, a.name, a.label);
      if (b.label) setOptionLabel(a, second_, b.label);
    } else {
      a.options = a.options || {};
      a.options[b.name in a.options || sameField ? String(Object.keys(a.options).length + 1) : b.name] = boxB;
    }
    const dropped = removeBox(second, true);
    const f = dropped && second.f < fieldA ? fieldA - 1 : fieldA;
    fitDigits(tpl.fields[f]);
    selected = refs().find((r) => r.f === f) || null;
    second = null; picked = [];
    say(`二つの枠を項目 ${tpl.fields[f].name} にまとめました。`);
    render();
  });

  // Split: a run of cells at its middle cell, a box at its middle; the second half becomes a
  // new field of the same type.
  document.getElementById("do-split").addEventListener("click", (event) => {
    if (event.shiftKey) { splitRows(); return; }
    if (!selected || isRegion(selected)) { say("分割する項目の枠を選んでください。"); return; }
    const field = tpl.fields[selected.f];
    const [x0, y0, x1, y1] = getBox(selected);
    let left, right, fresh;
    if (selected.key === "segments") {
      const cells = field.segments[selected.sub][4];
      if (cells < 2) { say("1枠だけの欄は分割できません。"); return; }
      const keep = Math.ceil(cells / 2), xm = x0 + ((x1 - x0) * keep) / cells;
      left = [x0, y0, xm, y1, keep];
      right = [xm, y0, x1, y1, cells - keep];
      fresh = { name: freeName(field.name + "_2"), type: field.type, label: field.label || "", segments: [right] };
    } else if (selected.key === "box") {
      const xm = (x0 + x1) / 2;
      left = [x0, y0, xm, y1];
      right = [xm, y0, x1, y1];
      fresh = { name: freeName(field.name + "_2"), type: field.type, label: field.label || "", box: right };
    } else { say("この枠は分割できません。"); return; }
    if (selected.key === "segments") field.segments[selected.sub] = left.map((v, i) => (i < 4 ? round(v) : v));
    else field.box = left.map(round);
    if (fresh.segments) fresh.segments = [right.map((v, i) => (i < 4 ? round(v) : v))];
    else fresh.box = right.map(round);
    tpl.fields.splice(selected.f + 1, 0, fresh);
    fitDigits(field); fitDigits(fresh);
    say(`項目 ${field.name} を二つに分けました（新しい項目 ${fresh.name}）。`);
    render();
  });

  // Split into rows: a text box at its middle, top and bottom; the bottom row becomes a new
  // field of the same type (four stacked rows drafted as one box: split, then split each half).
  function splitRows() {
    if (selected && !isRegion(selected) && segmentRows(tpl.fields[selected.f]).length > 1) { splitSegmentRows(); return; }
    if (!selected || isRegion(selected) || selected.key !== "box" || layoutOf[tpl.fields[selected.f].type] !== "box" ||
      tpl.fields[selected.f].segments) {
      say("上下に分割できるのは文字の欄の枠です。枠を選んでください。");
      return;
    }
    const field = tpl.fields[selected.f];
    const [x0, y0, x1, y1] = getBox(selected), ym = (y0 + y1) / 2;
    if (y1 - y0 < 4) { say("この枠は低すぎて上下に分割できません。"); return; }
    const fresh = { name: freeName(field.name + "_2"), type: field.type, label: field.label || "", box: [x0, ym, x1, y1].map(round) };
    if (field.spaced) fresh.spaced = true;
    field.box = [x0, y0, x1, ym].map(round);
    tpl.fields.splice(selected.f + 1, 0, fresh);
    say(`項目 ${field.name} を上下二行に分けました（下の行は新しい項目 ${fresh.name}）。`);
    render();
  }
  document.getElementById("do-split-rows").addEventListener("click", splitRows);

  // A field's runs of cells grouped in rows (a run whose middle lies within a row's height joins it).
  function segmentRows(field) {
    const rows = [];
    for (const segment of field.segments || []) {
      const middle = (segment[1] + segment[3]) / 2;
      const row = rows.find((r) => middle >= r.top && middle <= r.bottom);
      if (row) row.segments.push(segment);
      else rows.push({ top: segment[1], bottom: segment[3], segments: [segment] });
    }
    return rows.sort((a, b) => a.top - b.top);
  }
  // Several rows of cells drafted as one field (生年月日 over 取得年月日): one field per row.
  function splitSegmentRows() {
    const field = tpl.fields[selected.f], rows = segmentRows(field);
    field.segments = rows[0].segments;
    const made = rows.slice(1).map((row) => ({ name: freeName(field.name + "_2"), type: field.type, label: field.label || "", segments: row.segments }));
    made.forEach((fresh, i) => { tpl.fields.splice(selected.f + 1 + i, 0, fresh); fitDigits(fresh); });
    fitDigits(field);
    selected = { f: selected.f, key: "segments", sub: 0 };
    say(`項目 ${field.name} を行ごとに ${rows.length} 項目に分けました（新しい項目 ${made.map((m) => m.name).join("・")}）。`);
    render();
  }

  // A rectangle from an empty spot: every box whose centre it holds is picked (one per field),
  // as Shift+click picks them one by one.
  function pickArea(area) {
    const inside = [];
    for (const ref of refs()) if (centreIn(getBox(ref), area) && !inside.some((r) => r.f === ref.f)) inside.push(ref);
    if (!inside.length) { render(); return; }
    selected = inside[0]; picked = inside.slice(1); second = picked.length ? picked[picked.length - 1] : null;
    say(`${inside.length} 項目を選びました。`);
    render();
  }

  // 「下の同じ欄に写す」: the fields picked (one finished block) copied by the server to every
  // place the same layout repeats on the blank; one action, undone with 「元に戻す」.
  const csrf = document.querySelector("#save-form input[name=csrf]").value;
  document.getElementById("do-repeat").addEventListener("click", async () => {
    const chosen = [...new Set([selected, ...picked].filter((r) => r && !isRegion(r)).map((r) => r.f))];
    if (!chosen.length) { say("写す欄の項目を、Shift を押しながらクリックするか囲んで選んでから押してください。"); return; }
    const body = new FormData();
    body.append("csrf", csrf); body.append("src", source);
    body.append("template", JSON.stringify(tpl.fields)); body.append("selected", JSON.stringify(chosen));
    let answer;
    try {
      const response = await fetch("/admin/forms/repeat", { method: "POST", body, credentials: "same-origin" });
      answer = await response.json();
      if (!response.ok) { say(answer.detail || "写せませんでした。"); return; }
    } catch (error) { say("写せませんでした（通信の失敗）。もう一度押してください。"); return; }
    stepKey = null;
    tpl.fields = answer.fields;
    selected = null; second = null; picked = [];
    say(answer.message + "違うときは「元に戻す」を押してください。");
    render();
  });

  // 「マスの数」: the selected run's cells, typed (the digits then fit them).
  fCells.addEventListener("change", () => {
    if (!selected || selected.key !== "segments") return;
    const field = tpl.fields[selected.f], value = parseInt(fCells.value, 10);
    if (!(value >= 1 && value <= 40)) { say("マスの数は 1 から 40 までです。"); panel(); return; }
    field.segments[selected.sub][4] = value;
    if (field.type !== "my_number") field.max_digits = cellCount(field);
    fitDigits(field);
    say(`マスを ${value} にしました（桁数 最多 ${field.max_digits}）。`);
    render();
  });
  // A field made digits: each run's cells from the lines printed under it on the blank, where
  // there are any (else the guess from the box's shape stays).
  async function cellsFromPrint(field, key) {
    // Every run's count asked first, then all set at once: one change, of the retype's step.
    const counts = [];
    for (const segment of field.segments || []) {
      try {
        const query = new URLSearchParams({ src: source, box: segment.slice(0, 4).map(round).join(",") });
        const response = await fetch(`/admin/forms/cells?${query}`, { credentials: "same-origin" });
        const answer = response.ok ? await response.json() : {};
        if (answer.cells) counts.push([segment, answer.cells]);
      } catch (error) { return; }
    }
    if (!counts.length || !tpl.fields.includes(field)) return;
    stepKey = key;
    for (const [segment, cells] of counts) if ((field.segments || []).includes(segment)) segment[4] = cells;
    if (field.type !== "my_number") field.max_digits = cellCount(field);
    fitDigits(field);
    say(`印刷されたマスから ${cellCount(field)} マスにしました。違うときは「マスの数」を直してください。`);
    render();
  }

  // A field made a date: its year, month and day cut between the 年, 月 and 日 printed in its
  // rectangle, where they are (else the equal thirds stay).
  async function datePartsFromPrint(field, key) {
    const parts = [field.year, field.month, field.day];
    if (parts.some((p) => !Array.isArray(p))) return;
    let answer = {};
    try {
      const query = new URLSearchParams({ src: source, box: bounds(parts).map(round).join(",") });
      const response = await fetch(`/admin/forms/date-parts?${query}`, { credentials: "same-origin" });
      answer = response.ok ? await response.json() : {};
    } catch (error) { return; }
    // Kept as they are when the date was changed meanwhile (moved, retyped, deleted).
    if (!answer.year || !tpl.fields.includes(field) || field.type !== "date") return;
    if ([field.year, field.month, field.day].some((p, i) => p !== parts[i])) return;
    stepKey = key;
    Object.assign(field, { year: answer.year, month: answer.month, day: answer.day });
    say("印刷された 年・月・日 の間に 年・月・日 の枠を置きました。");
    render();
  }

  document.getElementById("save-form").addEventListener("submit", () => {
    const identify = { title: tpl.identify.title, footer: Array.isArray(tpl.identify.footer) ? tpl.identify.footer : null };
    document.getElementById("template-field").value = JSON.stringify({ fields: tpl.fields, identify });
  });

  render();
  if (unspaced.length) say(`種類が文字・カタカナでない項目 ${unspaced.map((f) => f.name).join("・")} の「氏と名の間に空白」を外しました。`);
})();
