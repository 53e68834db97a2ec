// A search box over grouped checkboxes (an action's standards): typing hides the standards
// and groups that do not match; checked boxes always stay visible. Without JavaScript the
// box stays hidden and every checkbox shows.
for (const list of document.querySelectorAll("[data-filter-list]")) {
  const box = list.querySelector("[data-filter-box]");
  const input = list.querySelector("[data-filter-input]");
  const status = list.querySelector("[data-filter-status]");
  if (!box || !input) continue;
  box.hidden = false;
  input.addEventListener("input", () => {
    const words = input.value.trim().toLowerCase();
    let shown = 0;
    for (const group of list.querySelectorAll("[data-filter-group]")) {
      const legend = group.querySelector("legend").textContent.toLowerCase();
      let any = false;
      for (const item of group.querySelectorAll("[data-filter-item]")) {
        const text = item.textContent.toLowerCase();
        const checked = item.querySelector("input").checked;
        const match = !words || checked || text.includes(words) || legend.includes(words);
        item.hidden = !match;
        if (match) { any = true; shown += 1; }
      }
      group.hidden = !any;
    }
    status.textContent = words ? `${shown} shown` : "";
  });
}
