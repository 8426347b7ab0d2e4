// Progressive enhancement only: everything works without this file.
function enhance(root) {
  root.querySelectorAll("button.copy[data-copy-target]").forEach((button) => {
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
  root.querySelectorAll("a.cite").forEach((link) => {
    link.addEventListener("click", () => {
      const card = document.querySelector(link.getAttribute("href"));
      if (!card) return;
      card.classList.remove("flash");
      void card.offsetWidth;
      card.classList.add("flash");
    });
  });
  // Feedback without leaving the page.
  root.querySelectorAll("form.feedback").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const rating = event.submitter ? event.submitter.value : "up";
      const body = {
        rating,
        question: form.elements.question.value,
        answer: form.elements.answer.value,
        chunk_ids: form.elements.chunk_ids.value.split(" ").filter(Boolean),
      };
      const status = document.createElement("span");
      status.setAttribute("role", "status");
      try {
        const r = await fetch("/api/feedback", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
        status.textContent = r.ok ? "Thank you for your feedback." : "Sorry, the feedback could not be saved.";
      } catch {
        status.textContent = "Sorry, the feedback could not be saved.";
      }
      form.replaceChildren(status);
    });
  });
}
enhance(document);

// While the server answers a plain form submit, say so (and do not submit twice).
const form = document.querySelector("form.ask");
if (form && document.body.dataset.stream !== "1") {
  form.addEventListener("submit", () => {
    const result = document.querySelector(".result");
    const waiting = document.createElement("p");
    waiting.className = "loading";
    waiting.textContent = "Looking through the lessons…";
    if (result) result.replaceChildren(waiting);
    form.querySelector("button[type=submit]").disabled = true;
  });
}

// With a language model configured, the answer streams in (server-sent events over fetch).
if (form && document.body.dataset.stream === "1" && window.fetch && window.TextDecoder) {
  form.addEventListener("submit", async (event) => {
    const question = form.elements.q.value.trim();
    if (!question) return;
    event.preventDefault();
    const result = document.querySelector(".result");
    const live = document.createElement("p");
    live.className = "streaming";
    live.textContent = "…";
    result.replaceChildren(live);
    let history = [];
    try { history = JSON.parse(form.elements.history.value || "[]"); } catch { history = []; }
    try {
      const response = await fetch("/api/ask/stream", {
        method: "POST",
        headers: {"Content-Type": "application/json"},
        body: JSON.stringify({question, mode: form.elements.mode.value, history}),
      });
      if (!response.ok) {
        const body = await response.json().catch(() => ({}));
        throw new Error(body.detail || `HTTP ${response.status}`);
      }
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "", text = "";
      for (;;) {
        const {value, done} = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, {stream: true});
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const name = (block.match(/^event: (.*)$/m) || [])[1];
          const data = JSON.parse((block.match(/^data: (.*)$/m) || [])[1] || "{}");
          if (name === "token") { text += data.text; live.textContent = text; }
          if (name === "error") throw new Error(data.detail);
          if (name === "answer") {
            result.innerHTML = data.html;  // rendered and escaped by the server
            enhance(result);
            const asked = document.querySelector(".asked.current") || document.createElement("p");
            asked.className = "asked current";
            asked.textContent = question;
            result.before(asked);
            delete data.html;
            history.push(data);
            form.elements.history.value = JSON.stringify(history.slice(-20));
            form.elements.q.value = "";
          }
        }
      }
    } catch (error) {
      const p = document.createElement("p");
      p.className = "error";
      p.setAttribute("role", "alert");
      p.textContent = `Something went wrong: ${error.message}`;
      result.replaceChildren(p);
    }
  });
}
