// linli 邻里 — the little JavaScript the pages need, in a file (a strict CSP allows no inline script).
// Everything works without it; it only saves a tap.
"use strict";

document.addEventListener("change", (event) => {
  // A <select data-autosubmit> reloads its form when changed (the move form's grid picker).
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
    target.form.requestSubmit();
  }
});

// On a phone the buildings of a grid are one sideways-scrolling row: bring the chosen one into view.
for (const row of document.querySelectorAll(".chips")) {
  const current = row.querySelector("[aria-current]");
  if (current && row.scrollWidth > row.clientWidth) {
    row.scrollLeft = current.offsetLeft - row.offsetLeft - (row.clientWidth - current.offsetWidth) / 2;
  }
}

// A session that ended while typing in a search box: htmx followed the redirect to the login form;
// show that form as a whole page instead of inside the results.
document.addEventListener("htmx:beforeSwap", (event) => {
  const url = event.detail.xhr && event.detail.xhr.responseURL;
  if (url && new URL(url).pathname === "/login") {
    event.detail.shouldSwap = false;
    window.location.assign(url);
  }
});

// A <button data-print> prints the page (the class list, the sign-in sheet); the browser's own
// print command does the same without it.
document.addEventListener("click", (event) => {
  const target = event.target;
  if (target instanceof Element && target.closest("[data-print]")) {
    window.print();
  }
});
