// linli 邻里 — the event report form: the reporter may add where they stand, once, at the moment of the
// report (to find reports of the same thing nearby). Nothing is tracked; without this file, or without a
// location, the building is enough.
"use strict";

(function () {
  const box = document.getElementById("locate");
  if (!box || !("geolocation" in navigator)) {
    return;
  }
  box.hidden = false;
  const button = box.querySelector("[data-locate]");
  const status = box.querySelector("[data-locate-status]");
  const form = box.closest("form");
  button.addEventListener("click", () => {
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        form.elements.latitude.value = position.coords.latitude.toFixed(6);
        form.elements.longitude.value = position.coords.longitude.toFixed(6);
        status.textContent = status.dataset.done.replace("{m}", Math.round(position.coords.accuracy));
        // Look again for reports of the same thing, now nearby too.
        const building = form.elements.building_id;
        if (window.htmx && building) {
          window.htmx.trigger(building, "change");
        }
      },
      () => {
        status.textContent = status.dataset.failed;
        button.disabled = false;
      },
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 0 },
    );
  });
})();
