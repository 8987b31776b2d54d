// Queue page: Enter opens the oldest task nobody holds (routed to this user first); the filter applies on change.
document.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && document.activeElement === document.body) {
    // The tasks routed to this user first (a doubtful 個人番号 to whoever may see it).
    const first = document.querySelector("a.task-link[data-free][data-routed]") || document.querySelector("a.task-link[data-free]");
    if (first) { window.location.href = first.getAttribute("href"); }
  }
});
const filter = document.getElementById("form-filter");
if (filter) { filter.addEventListener("change", () => filter.form.submit()); }

// Live count: the number of documents awaiting review, refreshed every 15 seconds.
const live = document.getElementById("live-count");
if (live) {
  setInterval(async () => {
    const response = await fetch("/api/v1/review-tasks");
    if (response.ok) { live.textContent = (await response.json()).length; }
  }, 15000);
}
