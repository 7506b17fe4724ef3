// Default look, every rule inside :where() (zero specificity) so any class the
// app writes wins, every value a CSS variable with a fallback.
export const STYLES = `:where(.sk-sessions){font-family:var(--sk-font,inherit);color:var(--sk-color-text,inherit)}
:where(.sk-sessions) :where(h2,h3,h4,h5,h6){font-size:var(--sk-title-size,1.25em);margin:0 0 var(--sk-gap,12px)}
:where(.sk-sessions__list,.sk-sessions__skeleton){list-style:none;margin:0;padding:0;display:grid;gap:var(--sk-gap,12px)}
:where(.sk-session){display:flex;flex-wrap:wrap;gap:var(--sk-gap,12px);align-items:flex-start;padding:var(--sk-padding,12px 16px);border:1px solid var(--sk-color-border,#d0d7de);border-radius:var(--sk-radius,8px);background:var(--sk-color-surface,transparent)}
:where(.sk-session__icon){flex:none;width:28px;height:28px;color:var(--sk-color-muted,#57606a)}
:where(.sk-session__body){flex:1;min-width:12em}
:where(.sk-session__title){margin:0 0 4px;font-weight:600;display:flex;flex-wrap:wrap;gap:8px;align-items:center}
:where(.sk-session__badge){font-size:.75em;padding:2px 8px;border-radius:999px;background:var(--sk-badge-bg,#ddf4ff);color:var(--sk-badge-color,#0550ae)}
:where(.sk-session__badge[data-risk]){background:var(--sk-risk-bg,#fff8c5);color:var(--sk-risk-color,#7d4e00)}
:where(.sk-session__badge[data-verified]){background:var(--sk-verified-bg,#dafbe1);color:var(--sk-verified-color,#116329)}
:where(.sk-sessions__notice){margin:var(--sk-gap,12px) 0 0;padding:8px 12px;border-radius:var(--sk-radius,8px);background:var(--sk-risk-bg,#fff8c5);color:var(--sk-risk-color,#7d4e00)}
:where(.sk-session__details){margin:0;display:flex;flex-wrap:wrap;gap:2px 16px;font-size:.875em;color:var(--sk-color-muted,#57606a)}
:where(.sk-session__details dt,.sk-session__details dd){display:inline;margin:0}
:where(.sk-session__details dt):after{content:": "}
:where(.sk-session__actions,.sk-sessions__footer){display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:0;padding:0;border:0;min-width:0}
:where(.sk-session__actions legend){float:left;padding:0;margin-right:8px}
:where(.sk-sessions [tabindex="-1"]:focus){outline:none}
:where(.sk-sessions__footer){margin-top:var(--sk-gap,12px)}
:where(.sk-sessions button){font:inherit;cursor:pointer;padding:4px 12px;border-radius:var(--sk-radius,8px);border:1px solid var(--sk-color-border,#d0d7de);background:var(--sk-button-bg,transparent);color:inherit}
:where(.sk-sessions button[data-danger]){color:var(--sk-color-danger,#cf222e);border-color:currentColor}
:where(.sk-sessions button:focus-visible){outline:2px solid var(--sk-color-focus,#0969da);outline-offset:2px}
:where(.sk-sessions__bone){display:block;height:64px;border-radius:var(--sk-radius,8px);background:var(--sk-color-skeleton,#eaeef2);animation:sk-pulse 1.5s ease-in-out infinite}
@keyframes sk-pulse{50%{opacity:.5}}
@media (prefers-reduced-motion:reduce){:where(.sk-sessions__bone){animation:none}}`;
