// Keep the control that has focus clear of a sticky line such as "12 of 76 rated"
// (WCAG 2.2, 2.4.11 Focus not obscured). Without this file, CSS scroll-padding-top does the
// same with an estimate of the line's height; this measures it, and covers browsers whose focus
// scrolling ignores scroll-padding.
const GAP = 8;

function stickyLine() {
  return document.querySelector(".app-scoring-progress");
}

function rememberHeight() {
  const line = stickyLine();
  if (line) {
    document.documentElement.style.setProperty(
      "--app-sticky-height",
      `${Math.ceil(line.getBoundingClientRect().height)}px`,
    );
  }
}

function keepClear(event) {
  const line = stickyLine();
  const target = event.target;
  if (!line || !(target instanceof Element) || line.contains(target)) {
    return;
  }
  const covered = line.getBoundingClientRect().bottom + GAP - target.getBoundingClientRect().top;
  // Only while the line is stuck at the top: further down the page it covers nothing.
  if (covered > 0 && line.getBoundingClientRect().top <= 0) {
    window.scrollBy(0, -covered);
  }
}

rememberHeight();
window.addEventListener("resize", rememberHeight);
document.addEventListener("focusin", keepClear);
