// Report job page: polls the job's JSON every 2 seconds and keeps the page up to date.
// Progressive enhancement only: without this file the page has a "Refresh this page" link.
// When the status changes, the status panel is replaced with the server's own rendering of it
// (the download button, or the "Try again" form), and the change is announced to screen readers.

const POLL_MS = 2000;
const MAX_FAILURES = 5;
const ANNOUNCE_EVERY_PERCENT = 25;

function announce(region, text) {
  if (!region) return;
  // Clear first so that the same words are announced again.
  region.textContent = "";
  window.setTimeout(() => {
    region.textContent = text;
  }, 50);
}

async function fetchStatus(url) {
  const response = await fetch(url, {
    headers: { Accept: "application/json", "X-Coc-Passive": "1" },
    credentials: "same-origin",
    cache: "no-store",
  });
  if (!response.ok) throw new Error(`status ${response.status}`);
  return response.json();
}

async function fetchPanel(url) {
  const response = await fetch(url, {
    headers: { Accept: "text/html", "X-Coc-Passive": "1" },
    credentials: "same-origin",
    cache: "no-store",
  });
  if (!response.ok) throw new Error(`status ${response.status}`);
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  return page.querySelector("[data-job-panel]");
}

function start(panel) {
  const url = panel.dataset.statusUrl;
  const region = document.querySelector("[data-job-announce]");
  let status = panel.dataset.status;
  let announced = 0;
  let failures = 0;

  async function poll() {
    let data;
    try {
      data = await fetchStatus(url);
      failures = 0;
    } catch {
      failures += 1;
      if (failures < MAX_FAILURES) window.setTimeout(poll, POLL_MS * failures);
      return;
    }
    const text = panel.querySelector("[data-job-text]");
    if (data.status !== status) {
      const fresh = await fetchPanel(url).catch(() => null);
      if (fresh) {
        panel.replaceChildren(...fresh.childNodes);
        panel.dataset.status = data.status;
      } else if (text) {
        text.textContent = data.text;
      }
      status = data.status;
      announce(region, `${data.status_label}. ${data.text}`);
    } else {
      const bar = panel.querySelector("[data-job-progress]");
      if (bar) {
        bar.value = data.progress;
        bar.textContent = `${data.progress}%`;
      }
      if (text) text.textContent = data.text;
      if (data.progress - announced >= ANNOUNCE_EVERY_PERCENT) {
        announced = data.progress;
        announce(region, data.text);
      }
    }
    if (!data.finished) window.setTimeout(poll, POLL_MS);
  }

  if (status !== "done" && status !== "failed") window.setTimeout(poll, POLL_MS);
}

const panel = document.querySelector("[data-job-panel]");
if (panel) start(panel);
