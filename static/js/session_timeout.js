// The NHS.UK session timeout pattern: warn an idle person before the server signs them out,
// and let them stay signed in. The server decides; this only tells the person in time.
const dialog = document.getElementById("session-timeout");

function minutesAndSeconds(seconds) {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  const parts = [];
  if (minutes) parts.push(`${minutes} minute${minutes === 1 ? "" : "s"}`);
  if (rest || !minutes) parts.push(`${rest} second${rest === 1 ? "" : "s"}`);
  return parts.join(" ");
}

if (dialog && typeof dialog.showModal === "function") {
  const idle = Number(dialog.dataset.idleSeconds);
  const warning = Number(dialog.dataset.warningSeconds);
  const countdown = dialog.querySelector(".app-timeout-dialog__countdown");
  const stayForm = dialog.querySelector("form");
  let deadline = Date.now() + idle * 1000;
  let warnTimer;
  let tickTimer;

  const schedule = () => {
    window.clearTimeout(warnTimer);
    window.clearInterval(tickTimer);
    deadline = Date.now() + idle * 1000;
    warnTimer = window.setTimeout(warn, Math.max(0, (idle - warning) * 1000));
  };

  const tick = () => {
    const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    // Announce by the minute, not every second, so a screen reader is not flooded.
    if (left % 60 === 0 || left <= 10 || !countdown.textContent) {
      countdown.textContent = minutesAndSeconds(left);
    }
    if (left === 0) {
      window.location.assign(`${dialog.dataset.signInUrl}?next=${encodeURIComponent(window.location.pathname)}`);
    }
  };

  const warn = () => {
    countdown.textContent = minutesAndSeconds(warning);
    dialog.showModal();
    tickTimer = window.setInterval(tick, 1000);
  };

  stayForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const response = await fetch(stayForm.action, {
        method: "POST",
        body: new FormData(stayForm),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error(`status ${response.status}`);
      dialog.close();
      schedule();
    } catch {
      stayForm.submit();
    }
  });
  dialog.addEventListener("cancel", (event) => {
    // Escape means "I am here": stay signed in, as the button does.
    event.preventDefault();
    stayForm.requestSubmit();
  });
  document.addEventListener("app:activity", schedule);
  schedule();
}
