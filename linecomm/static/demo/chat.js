// The demo chat console: play a LINE user. Every button here makes the server send a real signed
// webhook request to linecomm; the conversation is read back from the fake LINE platform and polled,
// because the account answers from a background job.

import { actionControl, el, renderMessage } from "./render.js";

const POLL_MS = 1000;
const TIME = new Intl.DateTimeFormat("ja-JP", { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Tokyo" });
const DAY = new Intl.DateTimeFormat("ja-JP", { month: "long", day: "numeric", weekday: "short", timeZone: "Asia/Tokyo" });
const GENERIC_ERROR = "送信できませんでした。しばらくしてから、もう一度お試しください。";

const root = document.getElementById("chat-console");
const config = root.dataset;

async function postJSON(url, body) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(body),
    });
  } catch {
    throw new Error("サーバーに接続できませんでした。デモが起動しているかご確認ください。");
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(typeof data.error === "string" ? data.error : GENERIC_ERROR);
  return data;
}

// --- creating a user (works with or without a user selected) ----------------------------------------

// On a wide screen the user panel sits beside the talk screen and is always open.
const panel = document.querySelector(".console-panel");
const wide = window.matchMedia("(min-width: 860px)");
const openPanelWhenWide = () => { if (wide.matches) panel.open = true; };
openPanelWhenWide();
wide.addEventListener("change", openPanelWhenWide);

const createForm = document.getElementById("create-user-form");
createForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = createForm.elements.displayName;
  const button = createForm.querySelector("button");
  button.disabled = true;
  try {
    const data = await postJSON(config.usersUrl, { displayName: input.value });
    window.location.assign(data.url);
  } catch (error) {
    showError(error.message);
    button.disabled = false;
  }
});

function showError(message) {
  const toast = document.getElementById("chat-toast");
  if (!toast) {
    window.alert(message);
    return;
  }
  toast.textContent = message;
  toast.hidden = false;
  clearTimeout(showError.timer);
  showError.timer = setTimeout(() => { toast.hidden = true; }, 6000);
}

// --- the conversation -------------------------------------------------------------------------------

const userId = config.userId;
const log = document.getElementById("chat-log");
const quick = document.getElementById("quick-replies");
const banner = document.getElementById("follow-banner");
const bannerText = document.getElementById("follow-banner-text");
const followButton = document.getElementById("follow-button");
const unfollowButton = document.getElementById("unfollow-button");
const composer = document.getElementById("composer");
const textarea = document.getElementById("composer-text");
const sendButton = document.getElementById("composer-send");

const state = { rendered: 0, firstAt: null, lastDay: null, following: undefined, busy: false, polling: false };

function dayOf(at) {
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? null : DAY.format(date);
}

function timeOf(at) {
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? "" : TIME.format(date);
}

function systemLine(text) {
  const item = el("li", "chat-system");
  item.append(el("span", "chat-system__chip", text));
  return item;
}

function userBubble(text, at) {
  const item = el("li", "chat-row chat-row--user");
  const bubble = el("div", "bubble bubble--text bubble--user");
  bubble.textContent = text;
  item.append(el("time", "chat-row__time", timeOf(at)), bubble);
  return item;
}

function inboundRow(entry) {
  const event = entry.event || {};
  switch (event.type) {
    case "message": {
      const message = event.message || {};
      if (message.type === "text") return userBubble(String(message.text ?? ""), entry.at);
      return userBubble(`（${message.type || "メッセージ"}を送信しました）`, entry.at);
    }
    case "displayText":
      return userBubble(String(event.text ?? ""), entry.at);
    case "follow":
      return systemLine(event.follow && event.follow.isUnblocked ? "ブロックを解除しました" : "友だち追加しました");
    case "unfollow":
      return systemLine("ブロックしました");
    default:
      return null; // a postback is invisible in LINE (its displayText, if any, has its own entry)
  }
}

function outboundRows(entry) {
  const messages = Array.isArray(entry.messages) ? entry.messages : [];
  return messages.map((message, index) => {
    const item = el("li", "chat-row chat-row--account");
    if (index === 0) {
      const avatar = el("span", "chat-row__avatar", "公");
      avatar.setAttribute("aria-hidden", "true");
      item.append(avatar);
    } else {
      item.classList.add("is-continued");
    }
    const column = el("div", "chat-row__column");
    const sender = message && message.sender && typeof message.sender.name === "string" ? message.sender.name : null;
    if (index === 0) column.append(el("span", "chat-row__name", sender || "公式アカウント"));
    const line = el("div", "chat-row__line");
    line.append(renderMessage(message, runAction));
    if (index === messages.length - 1) line.append(el("time", "chat-row__time", timeOf(entry.at)));
    column.append(line);
    item.append(column);
    return item;
  });
}

function appendEntry(entry) {
  const rows = entry.direction === "out" ? outboundRows(entry) : [inboundRow(entry)].filter(Boolean);
  if (!rows.length) return;
  const day = dayOf(entry.at);
  if (day && day !== state.lastDay) {
    log.append(systemLine(day));
    state.lastDay = day;
  }
  log.append(...rows);
}

function lastQuickReplies(entries) {
  // LINE shows quick replies only while the account's message is the last thing in the chat.
  const entry = entries[entries.length - 1];
  if (!entry || entry.direction !== "out" || !Array.isArray(entry.messages)) return [];
  const last = entry.messages[entry.messages.length - 1];
  const items = last && last.quickReply && Array.isArray(last.quickReply.items) ? last.quickReply.items : [];
  return items.filter((item) => item && item.action);
}

function showQuickReplies(items) {
  quick.replaceChildren(...items.map((item) => actionControl(item.action, "chat-quick__item", runAction)));
  quick.hidden = items.length === 0;
}

function showFollowState(following) {
  if (following === state.following) return;
  state.following = following;
  banner.hidden = following === true;
  unfollowButton.hidden = following !== true;
  if (following === false) {
    bannerText.textContent = "このアカウントをブロック中です。ブロックを解除すると、メッセージのやりとりができます。";
    followButton.textContent = "ブロック解除";
  } else {
    bannerText.textContent = "このアカウントを友だち追加すると、メッセージが届くようになります。";
    followButton.textContent = "友だち追加";
  }
  textarea.disabled = following === false;
  textarea.placeholder = following === false ? "ブロック中はメッセージを送れません" : "メッセージを入力";
  updateSendButton();
}

function render(data) {
  const entries = Array.isArray(data.entries) ? data.entries : [];
  const firstAt = entries.length ? entries[0].at : null;
  if (entries.length < state.rendered || firstAt !== state.firstAt) {
    log.replaceChildren();
    state.rendered = 0;
    state.lastDay = null;
    state.firstAt = firstAt;
  }
  const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  const added = entries.length - state.rendered;
  for (const entry of entries.slice(state.rendered)) appendEntry(entry);
  state.rendered = entries.length;
  showQuickReplies(lastQuickReplies(entries));
  showFollowState(data.following);
  if (added > 0 && (nearBottom || state.busy || added === entries.length)) log.scrollTop = log.scrollHeight;
}

async function refresh() {
  if (state.polling) return;
  state.polling = true;
  try {
    const url = `${config.conversationUrl}?user=${encodeURIComponent(userId)}`;
    const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(typeof data.error === "string" ? data.error : GENERIC_ERROR);
    render(data);
  } catch (error) {
    showError(error.message);
  } finally {
    state.polling = false;
  }
}

// --- acting as the user -----------------------------------------------------------------------------

async function act(url, body) {
  if (state.busy) return false;
  state.busy = true;
  root.classList.add("is-busy");
  updateSendButton();
  try {
    await postJSON(url, body);
    quick.hidden = true; // LINE hides quick replies as soon as the user says or taps anything
    await refresh();
    return true;
  } catch (error) {
    showError(error.message);
    return false;
  } finally {
    state.busy = false;
    root.classList.remove("is-busy");
    updateSendButton();
  }
}

function runAction(action) {
  act(config.tapUrl, { user: userId, action });
}

function updateSendButton() {
  sendButton.disabled = state.busy || textarea.disabled || textarea.value.trim() === "";
}

function fitTextarea() {
  textarea.style.height = "auto";
  textarea.style.height = `${Math.min(textarea.scrollHeight, 140)}px`;
}

async function sendText() {
  const text = textarea.value;
  if (!text.trim()) return;
  if (await act(config.sayUrl, { user: userId, text })) {
    textarea.value = "";
    fitTextarea();
    updateSendButton();
  }
  textarea.focus();
}

if (userId && log) {
  composer.addEventListener("submit", (event) => {
    event.preventDefault();
    sendText();
  });
  textarea.addEventListener("input", () => {
    fitTextarea();
    updateSendButton();
  });
  const touchFirst = window.matchMedia("(pointer: coarse)").matches;
  textarea.addEventListener("keydown", (event) => {
    // Enter sends on a desktop (Shift+Enter for a new line), but never while an IME is converting.
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229 || touchFirst) return;
    event.preventDefault();
    sendText();
  });
  followButton.addEventListener("click", () => act(config.followUrl, { user: userId }));
  unfollowButton.addEventListener("click", () => act(config.unfollowUrl, { user: userId }));

  // The rich menu (richmenu.js) sends taps as the user too: show what they said at once.
  document.addEventListener("demo:acted", () => refresh());

  refresh();
  setInterval(() => {
    if (!document.hidden && !state.busy) refresh();
  }, POLL_MS);
}
