// Record page: Esc or Enter goes back to the queue for the next form.
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" || event.key === "Enter") { window.location.href = "/"; }
});
