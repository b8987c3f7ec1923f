package io.switchboard.fleetsim;

/** The command line cannot be used; the message says which flag is wrong and why. */
public final class UsageException extends Exception {

  UsageException(String message) {
    super(message);
  }
}
