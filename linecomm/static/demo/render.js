// Draw LINE message objects as the LINE app shows them, simplified: text, images, stickers,
// template messages (buttons, confirm, carousels) and Flex bubbles (box, text, image, button, ...).
//
// Every string taken from a message enters the page through textContent, or as a URL attribute that
// passed safeUrl(). Nothing here uses innerHTML.

const HTTP_URL = /^https?:\/\//i;
const COLOR = /^#[0-9a-f]{6}([0-9a-f]{2})?$/i;
const LINK_IN_TEXT = /https?:\/\/[^\s<>"'「」（）()]+/g;
const UNSUPPORTED_ACTION = "デモのトーク画面では対応していない操作です";

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

/** The URL if it is http(s) (tel: too when allowed), else null: never javascript:, data: and the like. */
export function safeUrl(url, { allowTel = false } = {}) {
  if (typeof url !== "string") return null;
  const trimmed = url.trim();
  if (HTTP_URL.test(trimmed)) return trimmed;
  if (allowTel && /^tel:[0-9+\-()]+$/i.test(trimmed)) return trimmed;
  return null;
}

function str(value) {
  return typeof value === "string" ? value : "";
}

/** Text with its http(s) links made clickable, as LINE does. */
export function linkified(text) {
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(LINK_IN_TEXT)) {
    if (match.index > last) fragment.append(text.slice(last, match.index));
    const link = el("a", "bubble__link", match[0]);
    link.href = match[0];
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    fragment.append(link);
    last = match.index + match[0].length;
  }
  if (last < text.length) fragment.append(text.slice(last));
  return fragment;
}

/** The label LINE shows for an action. */
export function actionLabel(action) {
  return str(action && action.label) || str(action && action.displayText) || str(action && action.text);
}

/** A button (or, for a uri action, a link) that runs `onAction(action)` when tapped. */
export function actionControl(action, className, onAction) {
  const label = actionLabel(action) || "（ラベルなし）";
  if (action && action.type === "uri") {
    const href = safeUrl(action.uri, { allowTel: true });
    if (href) {
      const link = el("a", className, label);
      link.href = href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      return link;
    }
  }
  const button = el("button", className, label);
  button.type = "button";
  if (action && (action.type === "postback" || action.type === "message")) {
    button.dataset.action = action.type;
    button.addEventListener("click", () => onAction(action));
  } else {
    button.disabled = true;
    button.title = UNSUPPORTED_ACTION;
  }
  return button;
}

function image(url, className, alt) {
  const src = safeUrl(url);
  if (!src) return el("div", `${className} is-broken`, "（画像を表示できません）");
  const img = el("img", className);
  img.src = src;
  img.alt = alt || "";
  img.loading = "lazy";
  img.referrerPolicy = "no-referrer";
  return img;
}

function makeTappable(node, action, onAction) {
  if (!action) return;
  if (action.type === "uri") {
    const href = safeUrl(action.uri, { allowTel: true });
    if (!href) return;
    node.classList.add("is-tappable");
    node.addEventListener("click", () => window.open(href, "_blank", "noopener,noreferrer"));
  } else if (action.type === "postback" || action.type === "message") {
    node.classList.add("is-tappable");
    node.addEventListener("click", () => onAction(action));
  }
}

// --- text, media and other simple messages --------------------------------------------------------

function textBubble(message) {
  const bubble = el("div", "bubble bubble--text");
  bubble.append(linkified(str(message.text)));
  return bubble;
}

function imageBubble(message) {
  const bubble = el("div", "bubble bubble--image");
  const full = safeUrl(message.originalContentUrl);
  const preview = image(message.previewImageUrl || message.originalContentUrl, "bubble__image", "画像");
  if (full) {
    const link = el("a");
    link.href = full;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.append(preview);
    bubble.append(link);
  } else {
    bubble.append(preview);
  }
  return bubble;
}

function placeholderBubble(icon, text) {
  const bubble = el("div", "bubble bubble--placeholder");
  bubble.append(el("span", "bubble__icon", icon), el("span", null, text));
  return bubble;
}

// --- template messages -----------------------------------------------------------------------------

function templateColumn(column, onAction, className) {
  const card = el("div", className);
  if (column.thumbnailImageUrl) card.append(image(column.thumbnailImageUrl, "template__thumb", ""));
  const body = el("div", "template__body");
  if (column.title) body.append(el("p", "template__title", column.title));
  body.append(el("p", "template__text", str(column.text)));
  card.append(body);
  const actions = el("div", "template__actions");
  for (const action of Array.isArray(column.actions) ? column.actions : []) {
    actions.append(actionControl(action, "template__action", onAction));
  }
  card.append(actions);
  makeTappable(body, column.defaultAction, onAction);
  return card;
}

function templateMessage(message, onAction) {
  const template = message.template || {};
  switch (template.type) {
    case "buttons":
      return templateColumn(template, onAction, "template template--buttons");
    case "confirm": {
      const card = el("div", "template template--confirm");
      card.append(el("p", "template__text", str(template.text)));
      const actions = el("div", "template__actions template__actions--row");
      for (const action of Array.isArray(template.actions) ? template.actions : []) {
        actions.append(actionControl(action, "template__action", onAction));
      }
      card.append(actions);
      return card;
    }
    case "carousel": {
      const row = el("div", "carousel");
      for (const column of template.columns || []) {
        row.append(templateColumn(column, onAction, "template template--column"));
      }
      return row;
    }
    case "image_carousel": {
      const row = el("div", "carousel");
      for (const column of template.columns || []) {
        const card = el("div", "template template--image");
        card.append(image(column.imageUrl, "template__image", ""));
        if (column.action) card.append(actionControl(column.action, "template__action", onAction));
        row.append(card);
      }
      return row;
    }
    default:
      return placeholderBubble("📄", str(message.altText) || "（テンプレートメッセージ）");
  }
}

// --- Flex messages -----------------------------------------------------------------------------------

const FLEX_SIZES = new Set(["xxs", "xs", "sm", "md", "lg", "xl", "xxl", "3xl", "4xl", "5xl", "full"]);

function sizeClass(prefix, value) {
  return FLEX_SIZES.has(value) ? ` ${prefix}-${value}` : "";
}

function applyCommon(node, component) {
  if (typeof component.flex === "number" && component.flex >= 0) node.style.flex = String(component.flex);
  if (FLEX_SIZES.has(component.margin)) node.classList.add(`flex-margin-${component.margin}`);
  if (["start", "end", "center"].includes(component.align)) node.classList.add(`flex-align-${component.align}`);
  if (["top", "bottom", "center"].includes(component.gravity)) node.classList.add(`flex-gravity-${component.gravity}`);
}

function flexText(component) {
  const node = el("p", "flex-text" + sizeClass("flex-size", component.size));
  if (Array.isArray(component.contents) && component.contents.length) {
    for (const span of component.contents) {
      const part = el("span", null, str(span && span.text));
      if (span && span.weight === "bold") part.classList.add("is-bold");
      if (span && COLOR.test(str(span.color))) part.style.color = span.color;
      node.append(part);
    }
  } else {
    node.textContent = str(component.text);
  }
  if (component.weight === "bold") node.classList.add("is-bold");
  if (component.wrap) node.classList.add("is-wrap");
  if (component.decoration === "line-through") node.classList.add("is-struck");
  if (COLOR.test(str(component.color))) node.style.color = component.color;
  return node;
}

function flexButton(component, onAction) {
  const style = ["primary", "secondary", "link"].includes(component.style) ? component.style : "link";
  const control = actionControl(component.action, `flex-button flex-button--${style}`, onAction);
  if (style !== "link" && COLOR.test(str(component.color))) control.style.backgroundColor = component.color;
  if (style === "link" && COLOR.test(str(component.color))) control.style.color = component.color;
  return control;
}

function flexComponent(component, onAction) {
  if (!component || typeof component !== "object") return el("div");
  let node;
  switch (component.type) {
    case "box": {
      const layout = ["horizontal", "baseline"].includes(component.layout) ? component.layout : "vertical";
      node = el("div", `flex-box flex-box--${layout}` + sizeClass("flex-spacing", component.spacing));
      if (COLOR.test(str(component.backgroundColor))) node.style.backgroundColor = component.backgroundColor;
      if (FLEX_SIZES.has(component.paddingAll)) node.classList.add(`flex-padding-${component.paddingAll}`);
      for (const child of Array.isArray(component.contents) ? component.contents : []) {
        node.append(flexComponent(child, onAction));
      }
      makeTappable(node, component.action, onAction);
      break;
    }
    case "text":
      node = flexText(component);
      makeTappable(node, component.action, onAction);
      break;
    case "image":
      node = image(component.url, "flex-image" + sizeClass("flex-image", component.size), "");
      if (component.aspectMode === "cover") node.classList.add("is-cover");
      makeTappable(node, component.action, onAction);
      break;
    case "icon":
      node = image(component.url, "flex-icon", "");
      break;
    case "button":
      node = flexButton(component, onAction);
      break;
    case "separator":
      node = el("hr", "flex-separator");
      break;
    case "spacer":
    case "filler":
      node = el("div", "flex-filler");
      break;
    default:
      node = el("div", "flex-unsupported", `（${str(component.type) || "不明な要素"}）`);
  }
  applyCommon(node, component);
  return node;
}

function flexBubble(bubble, onAction) {
  const card = el("div", "flex-bubble" + sizeClass("flex-bubble", bubble.size));
  for (const part of ["header", "hero", "body", "footer"]) {
    if (!bubble[part]) continue;
    const section = el("div", `flex-part flex-part--${part}`);
    section.append(flexComponent(bubble[part], onAction));
    card.append(section);
  }
  return card;
}

function flexMessage(message, onAction) {
  const contents = message.contents || {};
  if (contents.type === "carousel") {
    const row = el("div", "carousel");
    for (const bubble of Array.isArray(contents.contents) ? contents.contents : []) {
      row.append(flexBubble(bubble || {}, onAction));
    }
    return row;
  }
  if (contents.type === "bubble") return flexBubble(contents, onAction);
  return placeholderBubble("📄", str(message.altText) || "（Flex メッセージ）");
}

// --- entry point -----------------------------------------------------------------------------------

/** One LINE message object from the account, as a DOM node; `onAction` runs a tapped action. */
export function renderMessage(message, onAction) {
  if (!message || typeof message !== "object") return placeholderBubble("❔", "（表示できないメッセージです）");
  switch (message.type) {
    case "text":
      return textBubble(message);
    case "image":
      return imageBubble(message);
    case "video":
      return placeholderBubble("🎬", "動画が届きました");
    case "audio":
      return placeholderBubble("🎵", "音声メッセージが届きました");
    case "sticker":
      return placeholderBubble("🐻", "スタンプが届きました");
    case "location":
      return placeholderBubble("📍", `${str(message.title)}\n${str(message.address)}`);
    case "template":
      return templateMessage(message, onAction);
    case "flex":
      return flexMessage(message, onAction);
    case "imagemap":
      return placeholderBubble("🖼", str(message.altText) || "（イメージマップ）");
    default:
      return placeholderBubble("❔", "（このメッセージはトーク画面で表示できません）");
  }
}
