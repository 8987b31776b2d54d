// Record page: Esc or Enter goes back to the queue for the next form (not while a reason for
// a correction is typed: Esc there closes the correction form).
document.addEventListener("keydown", (event) => {
  const typing = event.target instanceof HTMLElement && event.target.closest("textarea, input, button, summary");
  if (typing) {
    if (event.key === "Escape") { document.getElementById("reopen")?.removeAttribute("open"); event.target.blur(); }
    return;
  }
  if (event.key === "Escape" || event.key === "Enter") { window.location.href = "/"; }
});
