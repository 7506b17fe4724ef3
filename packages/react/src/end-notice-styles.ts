// The notice's default look: zero-specificity rules, every value a CSS variable
// shared with the other components (styles.ts).
export const END_NOTICE_STYLES = `:where(.sk-end-notice__box){display:flex;flex-wrap:wrap;gap:var(--sk-gap,12px);align-items:center;justify-content:space-between;padding:var(--sk-padding,12px 16px);border:1px solid var(--sk-color-border,#d0d7de);border-radius:var(--sk-radius,8px);background:var(--sk-notice-bg,#ddf4ff);color:var(--sk-notice-color,#0a3069);font-family:var(--sk-font,inherit)}
:where(.sk-end-notice__message){margin:0}
:where(.sk-end-notice__dismiss){font:inherit;cursor:pointer;padding:4px 12px;border-radius:var(--sk-radius,8px);border:1px solid currentColor;background:transparent;color:inherit}
:where(.sk-end-notice__dismiss:focus-visible){outline:2px solid var(--sk-color-focus,#0969da);outline-offset:2px}`;
