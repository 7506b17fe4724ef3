import type { DeviceType } from '@sessionkit/core';

// One outline path per device type (24×24, stroked in currentColor) so the
// icons follow the text colour and cost a few bytes each.
const PATHS: Record<DeviceType, string> = {
  desktop: 'M4 4h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zM8 21h8M12 17v4',
  mobile: 'M9 2h6a2 2 0 0 1 2 2v16a2 2 0 0 1-2 2H9a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2zM11 18h2',
  tablet: 'M6 2h12a2 2 0 0 1 2 2v16a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2zM11 18h2',
  tv: 'M4 6h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2zM8 2l4 4 4-4M7 22h10',
  console: 'M8 6h8a6 6 0 0 1 0 12H8A6 6 0 0 1 8 6zM6 12h4M8 10v4M15 11h.01M18 13h.01',
  wearable:
    'M9 6h6a3 3 0 0 1 3 3v6a3 3 0 0 1-3 3H9a3 3 0 0 1-3-3V9a3 3 0 0 1 3-3zM9 6l1-4h4l1 4M9 18l1 4h4l1-4',
  bot: 'M6 8h12a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2v-8a2 2 0 0 1 2-2zM12 8V4M9 13h.01M15 13h.01M9 17h6',
  unknown:
    'M12 2a10 10 0 1 1 0 20 10 10 0 0 1 0-20zM9.1 9a3 3 0 0 1 5.8 1c0 2-2.9 3-2.9 3M12 17h.01',
};

export function DeviceIcon({ type, label }: { type: DeviceType; label: string }) {
  return (
    <svg
      className="sk-session__icon"
      role="img"
      aria-label={label}
      viewBox="0 0 24 24"
      width="24"
      height="24"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
      data-device={type}
    >
      <path d={PATHS[type] ?? PATHS.unknown} />
    </svg>
  );
}
