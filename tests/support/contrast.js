// WCAG 1.4.11 and 2.4.7/2.4.11 as the browser draws the page (what axe does not measure): every visible
// form control's border, and the focus indicator of everything that takes focus, have at least 3:1
// contrast against the background around them. Returns a list of failures (empty: all good).
() => {
  const MIN = 3;
  const parse = (text) => {
    const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(text || "");
    return m ? { r: +m[1], g: +m[2], b: +m[3], a: m[4] === undefined ? 1 : +m[4] } : null;
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  const luminance = (c) => {
    const ch = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * ch(c.r) + 0.7152 * ch(c.g) + 0.0722 * ch(c.b);
  };
  const ratio = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  // The colour behind an element: its nearest ancestor's opaque background (blended on the way up).
  const background = (el) => {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const c = parse(getComputedStyle(node).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a === 1) break; }
    }
    return layers.reverse().reduce((acc, c) => over(c, acc), { r: 255, g: 255, b: 255, a: 1 });
  };
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden" && !el.closest("[hidden], dialog:not([open])");
  };
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.name ? `[name=${el.name}]` : "")
    + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "");
  // Where a control's border and focus ring are drawn: USWDS draws checkboxes and radios on the
  // label's ::before, and the file input on its drop box.
  const drawnOn = (el) => {
    if (el.matches(".usa-checkbox__input, .usa-radio__input")) {
      const label = document.querySelector(`label[for="${el.id}"]`);
      return label ? { node: label, pseudo: "::before" } : null;
    }
    if (el.matches(".usa-file-input__input")) return { node: el.closest(".usa-file-input__target"), pseudo: null };
    return { node: el, pseudo: null };
  };
  const failures = [];
  const controls = [...document.querySelectorAll("input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea")];
  for (const el of controls) {
    const at = drawnOn(el);
    if (!at || !at.node || !visible(el.matches(".usa-checkbox__input, .usa-radio__input, .usa-file-input__input") ? at.node : el)) continue;
    const style = getComputedStyle(at.node, at.pseudo);
    // A native checkbox or radio is drawn by Chromium itself (#767676 on white: 4.5:1), not by CSS.
    if (el.matches("[type=checkbox], [type=radio]") && !at.pseudo && style.appearance !== "none") continue;
    const bg = background(at.node);
    let color = null;
    if (parseFloat(style.borderTopWidth) > 0 && style.borderTopStyle !== "none") color = parse(style.borderTopColor);
    else if (style.boxShadow && style.boxShadow !== "none") color = parse(style.boxShadow);
    if (!color) { failures.push(`${describe(el)}: no border`); continue; }
    const r = ratio(over(color, bg), bg);
    if (r < MIN) failures.push(`${describe(el)}: border ${r.toFixed(2)}:1`);
  }
  const before = document.activeElement;
  const focusable = [...document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex='-1'])")]
    .filter((el) => !el.disabled && (visible(el) || el.matches(".usa-checkbox__input, .usa-radio__input, .usa-file-input__input")));
  for (const el of focusable) {
    const at = drawnOn(el);
    if (!at || !at.node || !visible(at.node)) continue;
    el.focus({ preventScroll: true });
    if (document.activeElement !== el) continue;
    const target = el.matches(".usa-file-input__input") ? at.node : at.node;
    const style = getComputedStyle(target, at.pseudo);
    const width = parseFloat(style.outlineWidth);
    if (style.outlineStyle === "none" || !(width >= 2)) {
      failures.push(`${describe(el)}: no focus indicator (outline ${style.outlineStyle} ${style.outlineWidth})`);
      continue;
    }
    const bg = background(at.pseudo ? at.node : (at.node.parentElement || at.node));
    const r = ratio(over(parse(style.outlineColor), bg), bg);
    if (r < MIN) failures.push(`${describe(el)}: focus indicator ${r.toFixed(2)}:1`);
  }
  if (before && before.focus) before.focus({ preventScroll: true });
  return failures;
}
