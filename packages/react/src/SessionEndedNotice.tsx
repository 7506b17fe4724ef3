import type { SessionEndReasonCode } from '@sessionkit/core';
import { END_NOTICE_STYLES } from './end-notice-styles.js';
import { type UseSessionEndReasonOptions, useSessionEndReason } from './useSessionEndReason.js';

export interface SessionEndedNoticeProps extends UseSessionEndReasonOptions {
  /** Your own text per code (e.g. translations); the server's English message otherwise. */
  messages?: Partial<Record<SessionEndReasonCode, string>>;
  /** The dismiss button's text. @default 'Dismiss' */
  dismissLabel?: string;
  /** Added to the root element's class (`sk-end-notice`). */
  className?: string;
  /** Leave out the default styles (every rule is zero-specificity anyway). @default false */
  unstyled?: boolean;
}

/**
 * A notice for the sign-in page saying why this browser was signed out, shown
 * once (see {@link useSessionEndReason}). A polite live region, so screen
 * readers announce it; a dismiss button; themeable by `className` and the
 * `--sk-*` CSS variables.
 *
 * @example
 * <SessionEndedNotice messages={{ security: 'Abgemeldet, zu Ihrer Sicherheit.' }} />
 */
export function SessionEndedNotice({
  messages,
  dismissLabel = 'Dismiss',
  className,
  unstyled = false,
  ...options
}: SessionEndedNoticeProps) {
  const { endReason, dismiss } = useSessionEndReason(options);
  // The live region is always there, so the message is announced when it arrives.
  return (
    <div
      role="status"
      aria-live="polite"
      className={className ? `sk-end-notice ${className}` : 'sk-end-notice'}
      data-code={endReason?.code}
    >
      {!unstyled && endReason !== null && <style>{END_NOTICE_STYLES}</style>}
      {endReason !== null && (
        <div className="sk-end-notice__box">
          <p className="sk-end-notice__message">
            {messages?.[endReason.code] ?? endReason.message}
          </p>
          <button type="button" className="sk-end-notice__dismiss" onClick={() => void dismiss()}>
            {dismissLabel}
          </button>
        </div>
      )}
    </div>
  );
}
