// Webim sandbox visitor page. Served by the sandbox itself (CSP: no inline
// script). Talks to the sandbox's JSON endpoints; the sandbox forwards each
// action to botbridge as a Webim webhook and reports how botbridge answered.
"use strict";

(function () {
  const POLL_MS = 700;
  const $ = (id) => document.getElementById(id);
  const state = { chatId: null, version: -1, timer: null, closed: false };

  async function api(method, url, body) {
    const opts = { method: method, headers: { Accept: "application/json" } };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    const res = await fetch(url, opts);
    let data = null;
    try {
      data = await res.json();
    } catch (e) {
      data = null;
    }
    if (!res.ok) {
      const err = new Error((data && (data.desc || data.error)) || "HTTP " + res.status);
      err.status = res.status;
      throw err;
    }
    return data;
  }

  function setStatus(text, kind) {
    const el = $("status");
    el.textContent = text || "";
    el.className = "status" + (kind ? " " + kind : "");
  }

  // reportWebhook shows how botbridge answered the webhook of an action.
  function reportWebhook(wh) {
    if (!wh) {
      setStatus("", "");
      return;
    }
    setStatus(wh.note, wh.ok ? "ok" : "error");
  }

  // appendText writes text, turning http(s) URLs into links; never HTML.
  function appendText(parent, text) {
    const re = /https?:\/\/[^\s)]+/g;
    let last = 0;
    let m;
    while ((m = re.exec(text)) !== null) {
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      const a = document.createElement("a");
      a.href = m[0];
      a.textContent = m[0];
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      parent.appendChild(a);
      last = m.index + m[0].length;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function renderMessage(m, closed) {
    const li = el("li", "msg from-" + m.from + " kind-" + m.kind);
    li.dataset.kind = m.kind;
    if (m.from === "system") {
      li.appendChild(el("span", "notice-text", m.text));
      return li;
    }
    const bubble = el("div", "bubble");
    if (m.kind === "keyboard") {
      const kb = el("div", "keyboard");
      for (const row of m.buttons || []) {
        const r = el("div", "kb-row");
        for (const b of row) {
          const btn = el("button", "kb-button", b.text);
          btn.type = "button";
          btn.dataset.buttonId = b.id;
          btn.dataset.messageId = m.id;
          btn.disabled = closed;
          r.appendChild(btn);
        }
        kb.appendChild(r);
      }
      bubble.appendChild(kb);
    } else if (m.kind === "file_operator" && m.file) {
      const a = el("a", "file", m.file.name);
      a.href = m.file.url;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      bubble.appendChild(el("span", "file-label", "File: "));
      bubble.appendChild(a);
      bubble.appendChild(el("span", "muted small", " (" + m.file.media_type + ")"));
    } else if (m.kind === "keyboard_response") {
      bubble.appendChild(el("span", "pressed", "▸ " + m.text));
    } else {
      appendText(bubble, m.text || "");
    }
    li.appendChild(bubble);
    // Show failed deliveries, and messages never sent (status 0 but ok:
    // the chat was transferred); successful deliveries need no note.
    const d = m.delivery;
    if (m.from === "visitor" && d && (!d.ok || d.status === 0)) {
      li.appendChild(el("span", "delivery " + (d.ok ? "info" : "error"), d.note));
    }
    return li;
  }

  const STATE_LABEL = { bot: "With the bot", transferred: "Transferred", closed: "Closed" };

  function render(t) {
    if (t.version === state.version) return;
    state.version = t.version;
    state.closed = t.state === "closed";
    $("chat-title").textContent = "Chat " + t.chat_id + " · " + t.visitor.name;
    const badge = $("chat-state");
    badge.textContent = STATE_LABEL[t.state] || t.state;
    badge.className = "badge state-" + t.state;
    const list = $("messages");
    const items = t.messages.map((m) => renderMessage(m, state.closed));
    if (items.length === 0) items.push(el("li", "msg empty muted", "Waiting for the bot…"));
    list.replaceChildren(...items);
    list.scrollTop = list.scrollHeight;
    $("text").disabled = state.closed;
    $("send").disabled = state.closed;
    if (t.start_delivery && !t.start_delivery.ok) setStatus(t.start_delivery.note, "error");
  }

  function stopPolling() {
    if (state.timer) clearTimeout(state.timer);
    state.timer = null;
  }

  function schedulePoll() {
    stopPolling();
    state.timer = setTimeout(poll, POLL_MS);
  }

  async function poll() {
    if (state.chatId === null) return;
    try {
      render(await api("GET", "/sandbox/chats/" + state.chatId));
    } catch (e) {
      if (e.status === 404) {
        showStart();
        setStatus("That chat no longer exists (the sandbox restarted?). Start a new one.", "error");
        return;
      }
      setStatus("Lost contact with the sandbox: " + e.message, "error");
    }
    if (!state.closed) schedulePoll();
  }

  function showChat(id) {
    state.chatId = id;
    state.version = -1;
    $("start").hidden = true;
    $("chat").hidden = false;
    history.replaceState(null, "", "#chat=" + id);
    $("text").focus();
  }

  function showStart() {
    stopPolling();
    state.chatId = null;
    $("chat").hidden = true;
    $("start").hidden = false;
    history.replaceState(null, "", location.pathname);
  }

  async function act(fn) {
    try {
      const data = await fn();
      if (data.transcript) render(data.transcript);
      reportWebhook(data.webhook);
      return data;
    } catch (e) {
      setStatus(e.message, "error");
      return null;
    }
  }

  $("start-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const name = $("visitor-name").value;
    const data = await act(() => api("POST", "/sandbox/chats", { name: name }));
    if (!data) return;
    showChat(data.chat_id);
    render(data.transcript);
    reportWebhook(data.webhook);
    schedulePoll();
  });

  $("send-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const input = $("text");
    const text = input.value;
    if (!text.trim() || state.chatId === null) return;
    input.value = "";
    await act(() => api("POST", "/sandbox/chats/" + state.chatId + "/messages", { text: text }));
    input.focus();
  });

  $("messages").addEventListener("click", async (ev) => {
    const btn = ev.target.closest(".kb-button");
    if (!btn || btn.disabled || state.chatId === null) return;
    await act(() => api("POST", "/sandbox/chats/" + state.chatId + "/buttons", {
      button_id: btn.dataset.buttonId,
      message_id: btn.dataset.messageId,
    }));
  });

  $("new-chat").addEventListener("click", () => {
    showStart();
    setStatus("", "");
    $("visitor-name").focus();
  });

  $("webhook-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      const data = await api("POST", "/sandbox/webhook", { url: $("webhook-url").value });
      setStatus(data.url ? "Webhook URL saved." : "Webhook URL cleared.", "ok");
    } catch (e) {
      setStatus(e.message, "error");
    }
  });

  // Reopen the chat named in the URL (#chat=N) after a reload.
  const m = /^#chat=(\d+)$/.exec(location.hash);
  if (m) {
    showChat(Number(m[1]));
    poll();
  }
})();
