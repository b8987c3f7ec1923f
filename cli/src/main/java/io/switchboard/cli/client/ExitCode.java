package io.switchboard.cli.client;

/**
 * What the {@code switchboard} command exits with, so that a script can tell a missing agent from a
 * refused change from a server it could not reach. Usage errors (an unknown option, a missing
 * argument) exit with picocli's 2.
 */
public enum ExitCode {
  OK(0),
  /** The server failed (5xx), or something unexpected went wrong here. */
  FAILED(1),
  USAGE(2),
  /** What was asked for does not exist (404). */
  NOT_FOUND(3),
  /** No valid token, or the token's role does not allow it (401, 403). */
  DENIED(4),
  /** The server refused the request as it stands: invalid, conflicting, too large, too fast. */
  REFUSED(5),
  /** The server could not be reached, or did not answer in time. */
  UNREACHABLE(6),
  /** A watched rollout ended without completing (aborted or rolled back). */
  ROLLOUT_NOT_COMPLETED(7);

  private final int code;

  ExitCode(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The exit code for an HTTP status the server answered with. */
  public static ExitCode ofStatus(int status) {
    if (status < 400) {
      return OK;
    }
    return switch (status) {
      case 401, 403 -> DENIED;
      case 404 -> NOT_FOUND;
      default -> status >= 500 ? FAILED : REFUSED;
    };
  }
}
