// Autosave for the scoring pages: each answer is saved as soon as it changes, one standard at a
// time, so closing the tab loses nothing. Progressive enhancement only: without this file
// "Save and continue" posts the whole page, and that keeps working whatever happens here.

const COMMENT_DELAY_MS = 800;

class SessionLost extends Error {}

function announce(element, text, isError = false, link = null) {
  if (!element) return;
  element.classList.toggle("nhsuk-error-message", isError);
  // Clear first so that a repeated message ("Saved") is announced again.
  element.textContent = "";
  window.setTimeout(() => {
    element.textContent = text;
    if (link) element.append(" ", link);
  }, 50);
}

function signInLink(href) {
  const link = document.createElement("a");
  link.href = href;
  link.target = "_blank";
  link.rel = "noopener";
  link.textContent = "Sign in again (opens in a new tab)";
  return link;
}

function progressText(rated, total) {
  return `${rated} of ${total} rated`;
}

class Page {
  constructor(form) {
    this.form = form;
    this.url = form.action;
    this.loginUrl = new URL(form.dataset.loginUrl, window.location.href);
    this.formStatus = form.querySelector("[data-form-status]");
    this.needsToken = false;
    this.savers = [...form.querySelectorAll("[data-standard]")].map(
      (section) => new StandardSaver(this, section),
    );
    form.addEventListener("submit", (event) => this.beforeSubmit(event));
    // Coming back from signing in again in another tab: pick up the new session and retry.
    window.addEventListener("focus", () => this.recover());
  }

  isLoginPage(response) {
    return new URL(response.url).pathname === this.loginUrl.pathname;
  }

  // Signing in again gives a new CSRF token, and the cookie holding it is HttpOnly, so read
  // a fresh one from this page as the server renders it now.
  async refreshToken() {
    const response = await fetch(window.location.pathname, {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    });
    if (response.redirected && this.isLoginPage(response)) throw new SessionLost();
    // The server counted this save as activity: the idle-timeout warning starts again.
    document.dispatchEvent(new CustomEvent("app:activity"));
    if (!response.ok || response.redirected) return false;
    const html = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = html.querySelector("input[name=csrfmiddlewaretoken]");
    if (!fresh) return false;
    this.form.querySelector("input[name=csrfmiddlewaretoken]").value = fresh.value;
    this.needsToken = false;
    return true;
  }

  async post(body, retried = false) {
    body.set("csrfmiddlewaretoken", this.form.querySelector("input[name=csrfmiddlewaretoken]").value);
    const response = await fetch(this.url, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", Accept: "application/json" },
    });
    if (response.redirected && this.isLoginPage(response)) throw new SessionLost();
    // The server counted this save as activity: the idle-timeout warning starts again.
    document.dispatchEvent(new CustomEvent("app:activity"));
    const type = response.headers.get("Content-Type") || "";
    if (type.includes("application/json")) return response.json();
    // A page instead of JSON: most likely a CSRF refusal after signing in again elsewhere.
    if (response.status === 403 && !retried && (await this.refreshToken())) {
      return this.post(body, true);
    }
    if (response.redirected) {
      return { error: "This page can no longer be changed. Reload the page to see why." };
    }
    return { error: "Something went wrong on our side." };
  }

  signedOut(saver) {
    this.needsToken = true;
    saver.say(
      "Not saved: you have been signed out. Sign in again in a new tab, then come back to " +
        "this page. Your answer is still on the page.",
      true,
      true,
    );
  }

  async recover() {
    if (!this.needsToken) return;
    try {
      if (!(await this.refreshToken())) return;
    } catch {
      return; // Still signed out: the message on the page already says what to do.
    }
    for (const saver of this.savers) saver.schedule(0);
  }

  beforeSubmit(event) {
    if (!this.needsToken) return;
    // Posting with an old token or no session would throw the typing away: check first.
    event.preventDefault();
    const submitter = event.submitter;
    this.refreshToken()
      .then(() => {
        this.needsToken = false;
        this.form.requestSubmit(submitter);
      })
      .catch(() => {
        announce(
          this.formStatus,
          "Not saved: you have been signed out. Sign in again in a new tab, then come back " +
            "and save this page again. Your answers are still on the page.",
          true,
          signInLink(this.loginUrl.href),
        );
      });
  }

  showProgress(result) {
    for (const element of document.querySelectorAll("[data-progress]")) {
      element.textContent = progressText(result.rated, result.total);
    }
    const current = document.querySelector("[data-commitment-progress]");
    if (current && result.commitment_total !== undefined) {
      current.textContent = progressText(result.commitment_rated, result.commitment_total);
    }
  }
}

class StandardSaver {
  constructor(page, section) {
    this.page = page;
    this.id = section.dataset.standard;
    this.code = section.dataset.code;
    this.section = section;
    this.comment = section.querySelector("textarea");
    this.anonymous = section.querySelector("input[type=checkbox][name^=anonymous-]");
    // The version of the answer this page last saw: the server refuses to overwrite a newer one.
    this.version = section.querySelector("input[type=hidden][name^=version-]");
    this.status = section.querySelector("[data-save-status]");
    this.timer = null;
    this.busy = false;
    this.again = false;
    // What the server holds. A standard shown with an error was not saved.
    this.saved = section.querySelector(".nhsuk-form-group--error") ? null : this.state();

    section.addEventListener("change", (event) => {
      if (event.target.type === "radio" || event.target === this.anonymous) this.schedule(0);
    });
    if (this.comment) {
      this.comment.addEventListener("input", () => this.schedule(COMMENT_DELAY_MS));
      this.comment.addEventListener("blur", () => this.schedule(0, true));
    }
  }

  answer() {
    const checked = this.section.querySelector("input[type=radio]:checked");
    return checked ? checked.value : "";
  }

  commentText() {
    return this.comment ? this.comment.value : "";
  }

  withoutName() {
    return Boolean(this.anonymous && this.anonymous.checked);
  }

  state() {
    return JSON.stringify([this.answer(), this.commentText(), this.withoutName()]);
  }

  say(text, isError = false, withSignIn = false) {
    announce(this.status, text, isError, withSignIn ? signInLink(this.page.loginUrl.href) : null);
  }

  schedule(delay, leaving = false) {
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.save(leaving), delay);
  }

  async save(leaving) {
    if (this.state() === this.saved) return;
    if (!this.answer()) {
      if (leaving && this.commentText().trim()) {
        this.say(`Comment not saved yet: select a rating for ${this.code}, or Not sure, to save it.`);
      }
      return;
    }
    if (this.busy) {
      this.again = true; // Send the newest answer once the one in flight is back.
      return;
    }
    this.busy = true;
    const sent = this.state();
    const body = new FormData();
    body.set("standard", this.id);
    body.set(`answer-${this.id}`, this.answer());
    body.set(`comment-${this.id}`, this.commentText());
    if (this.withoutName()) body.set(`anonymous-${this.id}`, "on");
    if (this.version) body.set(`version-${this.id}`, this.version.value);
    try {
      const result = await this.page.post(body);
      if (result.saved) {
        this.saved = sent;
        if (this.version && result.version !== undefined) this.version.value = result.version;
        this.page.showProgress(result);
        this.say(`Saved ${this.code}`);
      } else {
        this.say(
          `Not saved: ${result.error} Your answer is still on the page, try again.`,
          true,
        );
      }
    } catch (error) {
      if (error instanceof SessionLost) {
        this.page.signedOut(this);
      } else {
        this.say(
          "Not saved: there is a problem with the connection. Your answer is still on the " +
            "page, try again.",
          true,
        );
      }
    } finally {
      this.busy = false;
      if (this.again) {
        this.again = false;
        this.schedule(0);
      }
    }
  }
}

const form = document.querySelector("form[data-autosave]");
if (form && window.fetch && window.FormData) {
  new Page(form);
}
