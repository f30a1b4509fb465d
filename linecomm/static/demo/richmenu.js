// The rich menu under the demo talk screen: the menu LINE would show this user (their linked menu, else the
// default one), read from the fake LINE platform and polled, so it switches when the user joins or leaves.
// Message and postback areas are sent as the user; LIFF areas open the page as the user in a phone-sized
// frame (through the stand-in LIFF SDK); other links open in a new tab.

const POLL_MS = 1500;
const root = document.getElementById("chat-console");
const config = root.dataset;
const section = document.getElementById("rich-menu");
const bar = document.getElementById("rich-menu-bar");
const barText = document.getElementById("rich-menu-bar-text");
const panel = document.getElementById("rich-menu-panel");
const image = document.getElementById("rich-menu-image");
const frame = document.getElementById("liff-frame");
const frameTitle = document.getElementById("liff-frame-title");
const framePage = document.getElementById("liff-frame-page");

let shownId = null;

function showToast(message) {
  const toast = document.getElementById("chat-toast");
  if (!toast) return;
  toast.textContent = message;
  toast.hidden = false;
  setTimeout(() => { toast.hidden = true; }, 6000);
}

function percent(value, whole) {
  return `${(100 * value / whole).toFixed(4)}%`;
}

function openLiff(label, url) {
  frameTitle.textContent = label || "LIFF";
  framePage.src = url;
  if (typeof frame.showModal === "function") frame.showModal();
  else frame.setAttribute("open", "");
}

function closeLiff() {
  if (typeof frame.close === "function") frame.close();
  else frame.removeAttribute("open");
  framePage.src = "about:blank";
}

async function tap(area) {
  const action = area.action || {};
  if (area.liff) {
    openLiff(area.label, area.liff);
    return;
  }
  if (action.type === "uri") {
    window.open(action.uri, "_blank", "noopener");
    return;
  }
  try {
    const response = await fetch(config.tapUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({ user: config.userId, action }),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(typeof data.error === "string" ? data.error : "送信できませんでした。");
  } catch (error) {
    showToast(error.message);
  }
  document.dispatchEvent(new CustomEvent("demo:acted"));
}

function render(menu) {
  if (!menu) {
    section.hidden = true;
    shownId = null;
    return;
  }
  if (menu.richMenuId === shownId) return;
  shownId = menu.richMenuId;
  barText.textContent = menu.chatBarText;
  image.src = menu.imageUrl;
  image.width = menu.size.width;
  image.height = menu.size.height;
  panel.querySelectorAll(".richmenu__area").forEach((node) => node.remove());
  for (const area of menu.areas) {
    const b = area.bounds;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "richmenu__area";
    button.setAttribute("aria-label", area.label || "メニュー");
    button.dataset.label = area.label || "";
    Object.assign(button.style, {
      left: percent(b.x, menu.size.width),
      top: percent(b.y, menu.size.height),
      width: percent(b.width, menu.size.width),
      height: percent(b.height, menu.size.height),
    });
    button.addEventListener("click", () => tap(area));
    panel.append(button);
  }
  const open = menu.selected;
  panel.hidden = !open;
  bar.setAttribute("aria-expanded", String(open));
  section.hidden = false;
}

async function refresh() {
  try {
    const url = `${config.richmenuUrl}?user=${encodeURIComponent(config.userId)}`;
    const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) return;
    const data = await response.json();
    render(data.menu);
  } catch {
    // the conversation's poll reports a server that went away; the menu just stays as it was
  }
}

if (config.userId && section) {
  bar.addEventListener("click", () => {
    const open = panel.hidden;
    panel.hidden = !open;
    bar.setAttribute("aria-expanded", String(open));
  });
  document.getElementById("liff-frame-close").addEventListener("click", closeLiff);
  frame.addEventListener("cancel", () => { framePage.src = "about:blank"; });
  refresh();
  setInterval(() => { if (!document.hidden) refresh(); }, POLL_MS);
}
