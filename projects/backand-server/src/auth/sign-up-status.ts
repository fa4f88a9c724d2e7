/**
 * Backand's sign-up statuses, as its documentation lists them in every sign-up answer
 * (`listOfPossibleStatus`).
 */
export const SIGN_UP_STATUSES = [
  { status: 1, message: 'The user is ready to sign in' },
  {
    status: 2,
    message: 'The system is now waiting for the user to responed a verification email.',
  },
  { status: 3, message: 'The user signed up and is now waiting for an administrator approval.' },
] as const;

/** One of the statuses of {@link SIGN_UP_STATUSES}: 1 ready, 2 e-mail to verify, 3 approval. */
export type SignUpStatus = (typeof SIGN_UP_STATUSES)[number]['status'];

/**
 * The answer to `POST /1/user/signup` in Backand's documented shape:
 * `{username, currentStatus, message, listOfPossibleStatus, token?}`. `token` (a bearer access
 * token) is there only when the user is ready to sign in.
 *
 * @example
 * signUpAnswer('ann@example.com', 1, 'eyJ…');
 * // { username: 'ann@example.com', currentStatus: 1, message: 'The user is ready to sign in', … }
 */
export function signUpAnswer(
  username: string,
  currentStatus: SignUpStatus,
  token?: string,
): Record<string, unknown> {
  return {
    username,
    currentStatus,
    message: SIGN_UP_STATUSES.find((s) => s.status === currentStatus)!.message,
    listOfPossibleStatus: SIGN_UP_STATUSES.map((s) => ({ ...s })),
    ...(currentStatus === 1 && token !== undefined ? { token } : {}),
  };
}
