// Keyboard shortcut of the office pages: "n" starts a new call (not while typing in a field,
// nor with a modifier key, so that it never takes a letter meant for a form).
document.addEventListener("keydown", (event) => {
  if (event.key !== "n" || event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
  const target = event.target;
  if (target.closest && target.closest("input, textarea, select, [contenteditable], summary")) return;
  const link = document.querySelector("a[data-shortcut='n']");
  if (!link) return;
  event.preventDefault();
  window.location.href = link.href;
});
