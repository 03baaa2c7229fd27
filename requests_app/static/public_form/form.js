// The public request form: offers only the request types of the place chosen, shows the fields of
// someone acting for another person only when that is chosen, and sends the browser's time zone
// (the receipt date is the earlier of the requester's and the office's). A static file, not an
// inline script: the Content-Security-Policy runs scripts from static files only. Without it the
// form still works; the server checks everything.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
    const form = document.getElementById("public-request-form");
    if (!form) {
        return;
    }
    const zone = form.querySelector("input[name=time_zone]");
    try {
        zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
        zone.value = "";
    }

    const typesByPlace = JSON.parse(document.getElementById("types-by-jurisdiction").textContent);
    const place = form.querySelector("select[name=jurisdiction]");
    const type = form.querySelector("select[name=request_type]");
    function offerTypes() {
        const allowed = typesByPlace[place.value];
        for (const option of type.options) {
            const shown = !option.value || !allowed || allowed.includes(option.value);
            option.hidden = !shown;
            option.disabled = !shown;
        }
        if (type.selectedOptions.length && type.selectedOptions[0].disabled) {
            type.value = "";
        }
    }
    place.addEventListener("change", offerTypes);
    offerTypes();

    const actingFor = document.getElementById("acting-for");
    const relationships = form.querySelectorAll("input[name=relationship]");
    function showActingFor() {
        const chosen = form.querySelector("input[name=relationship]:checked");
        actingFor.hidden = !chosen || chosen.value === "self";
    }
    relationships.forEach(function (radio) {
        radio.addEventListener("change", showActingFor);
    });
    showActingFor();
});
