// Webim sandbox visitor page. Served by the sandbox itself (CSP: no inline
// script). Talks to the sandbox's JSON endpoints; the sandbox forwards each
// action to botbridge as a Webim webhook and reports how botbridge answered.
"use strict";

(function () {
  const POLL_MS = 700;
  const $ = (id) => document.getElementById(id);
  const state = { chatId: null, version: -1, timer: null, closed: false, chatState: null };
  // The page's texts in its language, from the catalog (see page.go).
  const STR = JSON.parse(document.body.dataset.strings || "{}");
  const LANG = document.body.dataset.lang || "ru";
  // tr formats a text: each %s takes the next argument.
  function tr(key) {
    const args = Array.prototype.slice.call(arguments, 1);
    let i = 0;
    return (STR[key] || key).replace(/%s/g, () => String(args[i++]));
  }

  async function api(method, url, body) {
    const opts = { method: method, headers: { Accept: "application/json" } };
    // Notes come back in the page's language.
    url += (url.indexOf("?") < 0 ? "?" : "&") + "lang=" + encodeURIComponent(LANG);
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
    if (m.from === "operator") li.appendChild(el("span", "sender muted small", tr("operator")));
    const bubble = el("div", "bubble");
    if (m.kind === "keyboard") {
      if (m.text) {
        const p = el("p", "kb-text");
        appendText(p, m.text);
        bubble.appendChild(p);
      }
      const kb = el("div", "keyboard");
      for (const row of m.buttons || []) {
        const r = el("div", "kb-row");
        for (const b of row) {
          const link = b.config && b.config.link;
          if (link && /^https?:\/\//.test(link)) {
            // A link button opens its page; it sends nothing to the bot.
            const a = el("a", "kb-button kb-link", b.text);
            a.href = link;
            a.target = "_blank";
            a.rel = "noopener noreferrer";
            r.appendChild(a);
            continue;
          }
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
      bubble.appendChild(el("span", "file-label", tr("file")));
      bubble.appendChild(a);
      bubble.appendChild(el("span", "muted small", " (" + m.file.media_type + ")"));
    } else if (m.kind === "keyboard_response") {
      bubble.appendChild(el("span", "pressed", "▸ " + m.text));
    } else if (m.kind === "sticker_visitor") {
      const id = m.data && m.data.stickerId;
      bubble.appendChild(el("span", "sticker", "🐱 " + tr("sticker", id === undefined ? "?" : id)));
    } else if (!m.text && m.data) {
      bubble.appendChild(el("span", "other", m.kind + " " + JSON.stringify(m.data)));
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

  const STATE_LABEL = { bot: tr("state_bot"), transferred: tr("state_transferred"), closed: tr("state_closed") };

  function render(t) {
    if (t.version === state.version) return;
    state.version = t.version;
    state.closed = t.state === "closed";
    state.chatState = t.state;
    $("chat-title").textContent = tr("chat_title", t.chat_id, t.visitor.name);
    // The operator console is there while a person has the chat.
    $("console").hidden = t.state !== "transferred";
    const badge = $("chat-state");
    badge.textContent = STATE_LABEL[t.state] || t.state;
    badge.className = "badge state-" + t.state;
    const list = $("messages");
    const items = t.messages.map((m) => renderMessage(m, state.closed));
    if (items.length === 0) items.push(el("li", "msg empty muted", tr("waiting")));
    list.replaceChildren(...items);
    list.scrollTop = list.scrollHeight;
    $("text").disabled = state.closed;
    $("send").disabled = state.closed;
    $("sticker").disabled = state.closed;
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
        setStatus(tr("lost_chat"), "error");
        return;
      }
      setStatus(tr("lost_contact", e.message), "error");
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
    $("console").hidden = true;
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

  // The sticker button sends one of a few stickers, as a visitor's
  // sticker panel would: a kind botbridge does not model.
  let nextSticker = 1;
  $("sticker").addEventListener("click", async () => {
    if (state.chatId === null || state.closed) return;
    const id = nextSticker;
    nextSticker = (nextSticker % 5) + 1;
    await act(() => api("POST", "/sandbox/chats/" + state.chatId + "/stickers", { sticker_id: id }));
  });

  $("operator-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const input = $("operator-text");
    const text = input.value;
    if (!text.trim() || state.chatId === null) return;
    input.value = "";
    const data = await act(() => api("POST", "/sandbox/chats/" + state.chatId + "/operator/messages", { text: text }));
    if (data) setStatus(tr("operator_sent"), "ok");
    input.focus();
  });

  $("operator-return").addEventListener("click", async () => {
    if (state.chatId === null) return;
    await act(() => api("POST", "/sandbox/chats/" + state.chatId + "/operator/return", {}));
  });

  $("operator-close").addEventListener("click", async () => {
    if (state.chatId === null) return;
    const data = await act(() => api("POST", "/sandbox/chats/" + state.chatId + "/operator/close", {}));
    if (data) {
      const ce = data.chat_event;
      setStatus(ce ? ce.note : tr("closed_no_events"), ce && !ce.ok ? "error" : "ok");
    }
  });

  $("settings-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      await api("POST", "/sandbox/settings", {
        string_chat_ids: $("set-string-ids").checked,
        no_message_ids: $("set-no-ids").checked,
        webim_version: $("set-version").value.trim(),
        chat_events_url: $("set-chat-events").value.trim(),
        chat_assigned: $("set-chat-assigned").checked,
      });
      setStatus(tr("settings_saved"), "ok");
    } catch (e) {
      setStatus(e.message, "error");
    }
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
      setStatus(data.url ? tr("webhook_saved") : tr("webhook_cleared"), "ok");
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
