// Progressive enhancement only: everything works without this file.
document.querySelectorAll("button.copy[data-copy-target]").forEach((button) => {
  const source = document.getElementById(button.dataset.copyTarget);
  if (!source || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(source.value);
      button.textContent = "Copied";
    } catch {
      button.textContent = "Copy failed: select the text below";
    }
    setTimeout(() => { button.textContent = "Copy as Markdown"; }, 2000);
  });
});
// Clicking [n] scrolls to the passage (the link's anchor) and briefly flashes it.
document.querySelectorAll("a.cite").forEach((link) => {
  link.addEventListener("click", () => {
    const card = document.querySelector(link.getAttribute("href"));
    if (!card) return;
    card.classList.remove("flash");
    void card.offsetWidth;
    card.classList.add("flash");
  });
});
