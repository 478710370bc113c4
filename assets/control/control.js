// Vigie's control page: its buttons and forms call the JSON API with the session's CSRF token,
// then reload the page, which the server renders again from the new state. No framework, no
// build step.
(function () {
  "use strict";
  const meta = document.querySelector('meta[name="csrf"]');
  const csrf = meta ? meta.content : "";

  async function call(path, body) {
    const response = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": csrf },
      body: JSON.stringify(body || {}),
    });
    let answer = {};
    try {
      answer = await response.json();
    } catch (_) {
      // A body that is not JSON: the status says enough.
    }
    if (response.status === 401) {
      // The session ended (its lifetime, a logout elsewhere): back to the login form.
      location.href = "/login";
      return new Promise(function () {});
    }
    if (!response.ok) {
      throw new Error(answer.error || response.status + " " + response.statusText);
    }
    return answer;
  }

  function show(error) {
    let bar = document.getElementById("error");
    if (!bar) {
      bar = document.createElement("p");
      bar.id = "error";
      bar.className = "error";
      bar.setAttribute("role", "alert");
      document.body.prepend(bar);
    }
    bar.textContent = error.message;
  }

  document.addEventListener("click", async function (event) {
    const button = event.target.closest("button[data-post]");
    if (!button) return;
    event.preventDefault();
    button.disabled = true;
    try {
      const body = button.dataset.body ? JSON.parse(button.dataset.body) : {};
      await call(button.dataset.post, body);
      if (button.dataset.then) {
        location.href = button.dataset.then;
      } else {
        location.reload();
      }
    } catch (error) {
      show(error);
      button.disabled = false;
    }
  });

  document.addEventListener("submit", async function (event) {
    const form = event.target;
    if (form.hasAttribute("data-login")) {
      event.preventDefault();
      const data = new FormData(form);
      const response = await fetch("/api/login", {
        method: "POST",
        credentials: "same-origin",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: data.get("name"), password: data.get("password") }),
      });
      if (response.ok) {
        location.href = "/";
        return;
      }
      let answer = {};
      try {
        answer = await response.json();
      } catch (_) {
        // The status says enough.
      }
      document.getElementById("problem").textContent = answer.error || response.statusText;
      return;
    }
    if (!form.dataset.form) return;
    event.preventDefault();
    const body = {};
    for (const field of form.elements) {
      if (!field.name) continue;
      body[field.name] = field.type === "number" ? Math.round(Number(field.value)) : field.value;
    }
    try {
      await call(form.dataset.form, body);
      location.reload();
    } catch (error) {
      show(error);
    }
  });

  // The screens' pictures load after the page: the wall takes up to a second to draw them,
  // and the page must not wait for that.
  document.querySelectorAll("img[data-src]").forEach(function (img) {
    img.src = img.dataset.src;
  });

  // The page follows the wall while nobody is typing in it.
  if (csrf) {
    setInterval(function () {
      const active = document.activeElement;
      const typing = active && (active.tagName === "INPUT" || active.tagName === "TEXTAREA");
      if (!typing) location.reload();
    }, 15000);
  }
})();
