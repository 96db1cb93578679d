// The Schedule form's "More days": the next days' windows are fetched and shown in place (the
// link still works without script, as a page with more days).
document.addEventListener("click", async (event) => {
  const link = event.target.closest("a[data-more-days]");
  if (!link) return;
  event.preventDefault();
  const response = await fetch(link.href, { headers: { Accept: "text/html" } });
  if (!response.ok) { window.location.href = link.href; return; }
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = page.getElementById("windows");
  const windows = document.getElementById("windows");
  if (!fresh || !windows) { window.location.href = link.href; return; }
  windows.replaceWith(fresh);
  const focusable = fresh.querySelectorAll("button.window");
  const first = focusable[link.dataset.seen ? Number(link.dataset.seen) : 0];
  (first || fresh).focus?.();
});
