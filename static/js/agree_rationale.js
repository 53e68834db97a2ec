// As the ward manager chooses an agreed rating, say at once whether that rating needs a
// reason. The server marks the same levels in the hint (works without JavaScript) and refuses
// a save that lacks a needed reason; this only says it sooner.
for (const box of document.querySelectorAll("textarea[data-required-levels]")) {
  const levels = box.dataset.requiredLevels;
  const radios = document.querySelectorAll(`input[type=radio][name="${box.name.replace(/-rationale$/, "-level")}"]`);
  if (!radios.length) continue;
  const status = document.createElement("p");
  status.className = "nhsuk-body-s app-rationale-status";
  status.setAttribute("aria-live", "polite");
  box.before(status);
  const update = () => {
    const chosen = [...radios].find((radio) => radio.checked);
    if (!chosen || chosen.value === "not-sure" && levels !== "all") {
      status.textContent = "";
      return;
    }
    const needed = levels === "all" || levels.split(",").includes(chosen.value);
    status.textContent = needed
      ? "A reason is required for this rating."
      : "A reason is optional for this rating.";
    status.classList.toggle("app-rationale-status--required", needed);
  };
  for (const radio of radios) radio.addEventListener("change", update);
  update();
}
