// The meeting view's keyboard shortcuts: right arrow or N for the next standard, left arrow
// or P for the previous one. Never while someone is typing in a field.
document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
  const target = event.target;
  if (target instanceof HTMLElement && target.closest("input, textarea, select, [contenteditable]")) return;
  const key = event.key.toLowerCase();
  const link =
    key === "arrowright" || key === "n"
      ? document.querySelector("[data-meeting-next]")
      : key === "arrowleft" || key === "p"
        ? document.querySelector("[data-meeting-previous]")
        : null;
  if (link) {
    event.preventDefault();
    window.location.assign(link.href);
  }
});
