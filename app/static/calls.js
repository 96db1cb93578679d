// The New call page: search as you type (the matches come from the server as a piece of the
// page), fill a new caller's details from what was typed, and show only the parts the chosen
// place needs. Without script the page works by submitting the search.
(() => {
  const search = document.getElementById("call-search");
  const box = search && search.querySelector("input[name=q]");
  const matches = document.getElementById("call-matches");
  const form = document.getElementById("call-form");
  if (!box || !matches || !form) return;
  const hiddenTerm = document.getElementById("call-q");
  let timer = null;
  let asked = 0;

  function fillFromSearch() {
    const missed = matches.querySelector("#no-match");
    if (!missed) return;
    const values = JSON.parse(missed.dataset.prefill || "{}");
    for (const [name, value] of Object.entries(values)) {
      const input = form.elements.namedItem(name);
      // Empty, or still what an earlier search put there: it follows the search. Anything the
      // person wrote in the field stays.
      if (input && (!input.value || input.value === input.dataset.filled)) {
        input.value = value;
        input.dataset.filled = value;
      }
    }
  }

  function showParts() {
    const choice = form.querySelector("input[name=choice]:checked");
    const value = choice ? choice.value : "";
    document.getElementById("new-customer").hidden = value !== "";
    document.getElementById("new-property").hidden = value !== "" && !value.startsWith("new:");
  }

  async function find() {
    const term = box.value.trim();
    hiddenTerm.value = term;
    const mine = ++asked;
    const url = `${search.dataset.searchUrl}?q=${encodeURIComponent(term)}`;
    const response = await fetch(url, { headers: { Accept: "text/html" } });
    // A later keystroke has asked since, or the box says more now (its search is coming).
    if (!response.ok || mine !== asked || term !== box.value.trim()) return;
    matches.innerHTML = await response.text();
    fillFromSearch();
    if (!form.querySelector("input[name=choice]:checked")) {
      document.getElementById("choice-new").checked = true;
    }
    showParts();
  }

  box.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(find, 250);
  });
  search.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    find();
  });
  form.addEventListener("change", (event) => {
    if (event.target.name === "choice") showParts();
  });
  showParts();
  // Typed before this script ran (a fast typist right after the page opened): search it now.
  if (box.value !== box.defaultValue) find();
})();
